/*
 * lock: taking an mbox for appending.  lock_take() opens the mbox
 * (creating it, mode 0600, if missing; with create, the directories
 * above it too, durably) and holds two locks on it: an fcntl write lock
 * on the whole file, and the dot-lock PATH.lock.  Nothing else happens
 * under the locks; callers spool first and append after.
 *
 * The dot-lock is a journal.  It is written under a private name
 * (PATH.lock.PID.yubin, O_EXCL, never O_TRUNC) and linked into place, so
 * it never exists without its content: "yubin PID HOST DEV INO SIZE",
 * the mbox's identity and its size before the append.  A delivery killed
 * with SIGKILL leaves it behind; the next lock_take() finds it stale
 * (its pid dead on this host, or older than 5 minutes) and, only when
 * the record can be believed (a regular file of ours with one name, the
 * same mbox, SIZE a message boundary per mbox_boundary()), cuts the
 * mbox back to SIZE before appending.  A fake lock file, a hard link,
 * a FIFO or another user's lock can delay a delivery (until the
 * timeout, 75), never cut an mbox short or hang it.
 *
 * A directory we may not create files in gets the fcntl lock alone.
 *
 * Memory: the struct holds lockpath (malloc'd by lock_init(), freed by
 * lock_free()); path, host and e are borrowed and must outlive it.
 * Errors go to *e.  Functions return 0 or -1.
 */
#ifndef YUBIN_LOCK_H
#define YUBIN_LOCK_H

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "durable.h"

struct mboxlock {
	const char *path;       /* the mbox (borrowed) */
	const char *host;       /* escaped host name, as in the record */
	struct fserr *e;        /* where errors go (borrowed) */
	int create;             /* create missing directories above path */
	char *lockpath;         /* PATH.lock */
	int fd;                 /* the mbox, open O_APPEND, or -1 */
	int lockfd;             /* our PATH.lock, or -1 */
	int locked;             /* both locks held */
	int created;            /* we created the mbox: fsync its directory */
	off_t size;             /* the mbox's size when locked */
	time_t touched;         /* last refresh of PATH.lock's mtime */
};

void lock_init(struct mboxlock *l, const char *path, const char *host,
    int create, struct fserr *e);
void lock_free(struct mboxlock *l);
/*
 * Open path and take both locks, breaking a stale dot-lock, for at most
 * timeout seconds (0: 30); an mbox replaced (renamed over) meanwhile is
 * opened again, a few times.  0: l->fd is the locked mbox, l->size its
 * size.  -1: nothing held; 75 for a timeout, 73 for a file we will not
 * append to (see lock_file_ok()).
 */
int lock_take(struct mboxlock *l, double timeout);
/* Drop both locks (PATH.lock only if it is still ours) and close fd. */
void lock_release(struct mboxlock *l);
/* Refresh PATH.lock's mtime, at most once a minute, so that a long
 * append is not taken for stale.  Best effort. */
void lock_touch(struct mboxlock *l);

/*
 * Is st (of path) a file to append to?  A regular file with one name:
 * a hard link planted under the mbox's name (in a directory others may
 * write in) would have us append to someone else's file.  0, or -1 (73).
 */
int lock_file_ok(const char *path, const struct stat *st, struct fserr *e);
/* -1 (73) if path is a symbolic link to a missing file, which is never
 * followed to create an mbox; else 0. */
int lock_refuse_dangling(const char *path, struct fserr *e);

/*
 * A lock held for a whole run (popfetch: one per mailbox): an fcntl
 * write lock on path (created mode 0600, its directory durably), never
 * waited for.  Returns the open descriptor (keep it open: closing it or
 * exiting drops the lock, so a killed holder never leaves it stale), or
 * -1: *holder is the PID holding it (75), or 0 with e set (the file
 * could not be opened).
 */
int lock_run(const char *path, pid_t *holder, struct fserr *e);

#endif
