/*
 * uidstate: popfetch's memory of a POP3 mailbox, the UIDLs it has
 * delivered, kept in an append-only file that survives a crash.
 *
 * The file is text, one record a line, fields separated by TAB (a
 * unique id is 1 to 70 bytes of 0x21..0x7E, RFC 1939 §7, so it needs no
 * quoting):
 *   # yubin popfetch state 1
 *   D UID FIRST-SEEN            delivered (FIRST-SEEN: seconds since 1970)
 *   I UID TOKEN OFFSET          about to be delivered with TOKEN (the
 *                               Maildir file name, or the Received id
 *                               of an mbox copy at or after OFFSET)
 * Later records of a UID win.  A last line without its LF (a write cut
 * short by a crash) is ignored, and the file is compacted before the
 * next append, so no record is ever glued to a torn one.
 *
 * uidstate_add() appends to a buffer; uidstate_sync() writes the buffer
 * and fdatasyncs it: only after it returns 0 are those records durable.
 * uidstate_compact() replaces the file atomically (durable_replace) with
 * one record per entry that is still wanted.
 *
 * Memory: the struct owns its entries, their tokens and path;
 * uidstate_free() frees.
 * Errors go to *e (durable.h): 0 or -1, 75 for fsync and disk full.
 */
#ifndef YUBIN_UIDSTATE_H
#define YUBIN_UIDSTATE_H

#include <stddef.h>

#include "durable.h"
#include "util.h"

struct uident {
	char uid[71];
	int done;		/* a D record: delivered */
	long long first;	/* D: first seen */
	char *token;		/* I: the token (malloc'd), else NULL */
	long long off;		/* I: the offset */
	int live;		/* still on the server (set by the caller) */
	size_t pos;		/* the record's place in the file */
};

struct uidstate {
	char *path;
	int fd;			/* open for appending, or -1 */
	struct uident *e;	/* sorted by uid */
	size_t n;
	int dirty;		/* compact before appending */
	struct buf pend;	/* records not yet written */
	struct fserr *err;
};

/*
 * Parse (p, len), a state file's content, into s's entries (pure: no
 * I/O; s zeroed with fd -1 will do, and uidstate_free() after).  Malformed lines are skipped and make s dirty.  0, or -1 when
 * the first line is not the file's header.
 */
int uidstate_parse(struct uidstate *s, const char *p, size_t len);

/* Read path (a missing file is an empty state; its directory is made,
 * durably); the file is opened for appending.  0 or -1. */
int uidstate_load(struct uidstate *s, const char *path, struct fserr *e);

/* The entry of uid, or NULL. */
struct uident *uidstate_find(struct uidstate *s, const char *uid, size_t len);

/* Replace the file with a D record for each entry that is live and
 * done (entries not done are dropped: the caller resolved the intents).
 * 0 or -1. */
int uidstate_compact(struct uidstate *s);

/* Queue a record: 'D' (x: first seen) or 'I' (token, x: offset). */
void uidstate_add(struct uidstate *s, int kind, const char *uid,
    const char *token, long long x);
/* Append what was queued and make it durable; 0 or -1. */
int uidstate_sync(struct uidstate *s);

void uidstate_free(struct uidstate *s);

#endif
