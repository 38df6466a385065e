/*
 * durable: making files and names survive a crash, and the error record
 * the storage modules (lock, mbox, maildir, store) share.
 *
 * Contract.  Every function returns 0 or -1.  The fsync functions leave
 * errno set on -1; the others fill a struct fserr (a message naming the
 * path, and the sysexits code: EX_TEMPFAIL for any fsync failure, else
 * what errno_exit() derives, EX_CANTCREAT where a path is not what it
 * should be).  Strings returned by path_join() and path_dir() are
 * malloc'd; the caller frees them.  Nothing here keeps memory or
 * descriptors between calls.
 *
 * What is durable when:
 *   durable_sync_dir(D)   returns 0: the names created in, renamed into
 *                         or removed from D are on stable storage.
 *   durable_mkdirs(D)     returns 0: D and every directory it created
 *                         above it exist durably (each parent fsync'd).
 *   durable_replace(P)    returns 0: P holds exactly the new bytes,
 *                         durably; before that, P holds the old file or
 *                         (if there was none) nothing, never a mix.
 */
#ifndef YUBIN_DURABLE_H
#define YUBIN_DURABLE_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

struct fserr {
	int ex;                 /* sysexits code, 0 while no error */
	char msg[512];
};

/* Record an error: ex 0 means "derive from err"; err 0 adds no
 * strerror; returns -1. */
int fserr_set(struct fserr *e, int ex, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The sysexits code of the recorded error; EX_SOFTWARE if none was. */
int fserr_exit(const struct fserr *e);

/* "a/b" from a and b. */
char *path_join(const char *a, const char *b);
/* A copy of the directory part of path ("." when there is none). */
char *path_dir(const char *path);

/* Is path a symbolic link to a missing file?  Such a link is never
 * followed to create a mailbox: in a directory others may write in
 * (/var/mail is often 1777) it would make us create one wherever it
 * points. */
int path_dangling(const char *path);

/* fsync directory dir (its entries).  -1 with errno. */
int durable_sync_dir(const char *dir);
/* mkdir -p with mode 0700; each directory created is made durable. */
int durable_mkdirs(const char *dir, struct fserr *e);
/*
 * Replace path atomically with n bytes of p (mode for a new file):
 * write PATH.tmp.PID (O_EXCL), fsync it, rename it over path, fsync the
 * directory.  On failure the temporary file is removed and path is as
 * it was.
 */
int durable_replace(const char *path, const void *p, size_t n, mode_t mode,
    struct fserr *e);

#endif
