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
 * Destinations must be distinct files.  Errors: functions return 0 or
 * -1, with deliver_error() and deliver_exit() as in store.h (75
 * temporary, 73 cannot create, 74 other I/O).  Memory: deliver_open()
 * copies the paths; deliver_close() frees everything.
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

struct deliver_to {
	int mbox;               /* 1: an mbox file, 0: a Maildir */
	const char *path;
};

struct deliver_dest {
	int mbox;
	char *path;
	struct maildir md;
	struct maildir_msg m;
	struct spool sp;
	struct mboxw w;
	struct mboxlock lk;
	int spooled;            /* sp was initialised */
};

struct deliver {
	struct deliver_dest *d;
	unsigned n;
	int create;             /* create missing Maildirs, mbox directories */
	double lock_timeout;    /* seconds; 0: 30 */
	int inmsg;
	char host[260];
	struct fserr e;
};

/* Check every destination (nothing is created yet). */
int deliver_open(struct deliver *dv, const struct deliver_to *to,
    unsigned n, int create, double lock_timeout);
int deliver_begin(struct deliver *dv, const char *sender);
int deliver_write(struct deliver *dv, const void *p, size_t n);
/* All or none; see above.  A failed write or commit has undone all. */
int deliver_commit(struct deliver *dv);
void deliver_abort(struct deliver *dv);
void deliver_close(struct deliver *dv);
const char *deliver_error(const struct deliver *dv);
int deliver_exit(const struct deliver *dv);

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
