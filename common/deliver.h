/*
 * deliver: one message committed to N destinations together, Maildirs
 * and mbox files mixed (Sieve's fileinto :copy, several -d): after
 * deliver_commit() returns 0 every copy is durable and visible; after -1
 * none is visible, and nothing of the message is left anywhere.
 *
 * The order that makes it so:
 *   1. begin/write  each Maildir copy streams into its tmp/NAME (O_EXCL);
 *                   each mbox copy, mboxrd-quoted, into a spool (spool.h)
 *   2. commit       every Maildir file fsync'd (still in tmp/, which
 *                   readers never list); every mbox locked (lock.h), the
 *                   spool appended and fsync'd, the lock kept, so that
 *                   no locking reader sees the tail yet
 *   3.              every Maildir file renamed into new/, new/ fsync'd
 *   4.              the mbox locks released: now all are visible
 * A failure in 2 or 3 undoes every destination: files renamed into new/
 * are removed again, tmp/ files removed, each mbox cut back to its size
 * before the append (the dot-lock records that size, so even a
 * delivery killed between 2 and 4 is cut back by the next one).  A
 * crash between 3 and 4 can leave Maildir copies without the mbox
 * copies; no file system offers more without a journal of our own.
 *
 * A Maildir copy with flags (struct deliver_to) lands in
 * cur/NAME:2,FLAGS, as a reader that has seen it would have left it;
 * one without, in new/.  The bytes of the Maildir copies are buffered
 * together (they are the same), so a caller may write line by line.
 *
 * DELIVER_DRYRUN checks every destination as for a delivery, then
 * creates, locks and writes nothing: begin/write/commit only count the
 * bytes each copy would have (deliver_size()).
 *
 * Destinations must be distinct files.  Errors: functions return 0 or
 * -1, with deliver_error() and deliver_exit() as in store.h (75
 * temporary, 73 cannot create, 74 other I/O, 64 an empty path or
 * flags that are not letters).  Memory: deliver_open() copies the
 * paths and flags; deliver_close() frees everything.
 *
 * The deliver_mbox_*() helpers are the mbox half of a commit, shared
 * with store.c (which batches several messages into one destination).
 */
#ifndef YUBIN_DELIVER_H
#define YUBIN_DELIVER_H

#include <stddef.h>

#include "durable.h"
#include "lock.h"
#include "maildir.h"
#include "mbox.h"
#include "spool.h"

#define DELIVER_CREATE  0x1  /* create missing Maildirs, mbox directories */
#define DELIVER_DRYRUN  0x2  /* check; create, lock and write nothing */

struct deliver_to {
	int mbox;               /* 1: an mbox file, 0: a Maildir */
	const char *path;       /* trailing slashes are dropped */
	const char *flags;      /* a Maildir's info flags ("FS": flagged,
	                           seen; see maildir_flags()), NULL or "" for
	                           none; ignored for an mbox */
};

/* The fields are private to deliver.c; callers use the functions. */
struct deliver_dest {
	int mbox;
	char *path;
	char flags[64];         /* sorted (maildir_flags()) */
	int missing;            /* does not exist yet */
	unsigned long long size;    /* bytes of the current message */
	char *written;          /* where the last commit put it */
	struct maildir md;
	struct maildir_msg m;
	struct spool sp;
	struct mboxw w;
	struct mboxlock lk;
	int spooled;            /* sp was initialised */
	int dry;                /* DELIVER_DRYRUN: count, spool nothing */
};

struct deliver {
	struct deliver_dest *d;
	unsigned n;
	int flags;              /* DELIVER_CREATE, DELIVER_DRYRUN */
	double lock_timeout;    /* seconds; 0: 30 */
	int inmsg;
	char host[260];
	char *obuf;             /* bytes not yet written to the Maildirs */
	size_t olen;
	char desc[600];         /* deliver_describe() */
	struct fserr e;
};

/*
 * After deliver_begin(): Maildir copy i lands with the info flags f
 * instead (a keyword's letter is known only once its Maildir exists,
 * mdkw.h).  0, or -1 (64) if they are not letters.
 */
int deliver_set_flags(struct deliver *dv, unsigned i, const char *f);
/* Check every destination (nothing is created yet).  flags:
 * DELIVER_CREATE, DELIVER_DRYRUN (1 is DELIVER_CREATE). */
int deliver_open(struct deliver *dv, const struct deliver_to *to,
    unsigned n, int flags, double lock_timeout);
int deliver_begin(struct deliver *dv, const char *sender);
int deliver_write(struct deliver *dv, const void *p, size_t n);
/* All or none; see above.  A failed write or commit has undone all. */
int deliver_commit(struct deliver *dv);
void deliver_abort(struct deliver *dv);
void deliver_close(struct deliver *dv);
const char *deliver_error(const struct deliver *dv);
int deliver_exit(const struct deliver *dv);

/* Bytes of the current (or last) message in destination i, an mbox's
 * "From " line and quoting included. */
unsigned long long deliver_size(const struct deliver *dv, unsigned i);
/* After a commit, where destination i's copy is: "DIR/new/NAME",
 * "DIR/cur/NAME:2,FLAGS" or the mbox's path.  NULL before, or in a dry
 * run.  Valid until the next deliver_begin(). */
const char *deliver_written(const struct deliver *dv, unsigned i);
/* "Maildir DIR", "Maildir++ folder .F of DIR", "mbox FILE" and, in a dry
 * run, " (would be created)".  Valid until the next call. */
const char *deliver_describe(struct deliver *dv, unsigned i);

/* (store.c too) deliver_describe() into buf; root: the Maildir++
 * parent, or NULL. */
void deliver_describe_as(char *buf, size_t n, int mbox, const char *path,
    const char *root, int would_create);
/* (store.c too) A copy of path without its trailing slashes, into
 * *out (always set); -1 (64) if it is empty. */
int deliver_path(const char *path, char **out, struct fserr *e);

/*
 * Is path an mbox we may deliver to?  An existing one must pass
 * lock_file_ok(); a missing one must not be a dangling symbolic link,
 * and its directory must exist unless create.  *missing is set for a
 * missing one.  0 or -1 (e).
 */
int deliver_mbox_check(const char *path, int create, int *missing,
    struct fserr *e);
/* Lock l's mbox and append the spool (after the gap mbox_gap() asks
 * for), fsync it, and its directory if the mbox was created.  The locks
 * stay held: deliver_mbox_undo() or lock_release() next.  0 or -1. */
int deliver_mbox_append(struct mboxlock *l, struct spool *sp,
    double timeout, struct fserr *e);
/* Cut a locked mbox back to its size before the append, unlock. */
void deliver_mbox_undo(struct mboxlock *l);

#endif
