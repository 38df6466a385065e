/*
 * maildir: delivering into a Maildir or a Maildir++ folder, one step at
 * a time, so that a caller can batch messages or commit one message to
 * several destinations together.
 *
 *   maildir_open()     check DEST (nothing is created); md->missing when
 *                      it is absent and create was asked for
 *   maildir_create()   make it: tmp new cur (and for a folder DEST/.F
 *                      the parent Maildir and maildirfolder), each new
 *                      directory made durable
 *   maildir_tmp()      a new file tmp/NAME (O_EXCL, mode 0600, a unique
 *                      name SEC.M<usec>P<pid>Q<q>.HOST) for the caller to
 *                      write to m->fd
 *   maildir_sync()     fsync the files (closing them): durable in tmp/,
 *                      invisible to readers
 *   maildir_publish()  rename each into new/ (one with flags into
 *                      cur/NAME:2,FLAGS), fsync new/ and cur/ (each only
 *                      if a rename went there): on 0 they are
 *                      visible and durable; on -1 none is visible (those
 *                      renamed are taken back, the rest removed from tmp/)
 *   maildir_unpublish() take back published messages (another
 *                      destination of the same message failed)
 *   maildir_drop()     close and remove from tmp/ (an aborted message)
 *
 * Memory: a struct maildir_msg's name is malloc'd by maildir_tmp() and
 * freed by maildir_drop() (set to NULL); after a successful publish the
 * caller frees it.  path and e are borrowed; md->root is owned and freed
 * by maildir_close().  Errors go to *e (durable.h): functions return 0
 * or -1; 75 for fsync failures, 73 when DEST is not a usable Maildir.
 */
#ifndef YUBIN_MAILDIR_H
#define YUBIN_MAILDIR_H

#include <stddef.h>

#include "durable.h"

struct maildir {
	const char *path;       /* DEST (borrowed) */
	char *root;             /* Maildir++: the parent Maildir, else NULL */
	struct fserr *e;        /* where errors go (borrowed) */
	int create;             /* maildir_create() may make DEST */
	int missing;            /* DEST is absent: maildir_create() first */
	int tmpfd, newfd;       /* DEST/tmp, DEST/new, or -1 */
	int curfd;              /* DEST/cur once a message with flags goes
	                           there, or -1 */
	char host[260];         /* escaped host name */
	unsigned long q;        /* files made by this process */
};

struct maildir_msg {
	char *name;             /* tmp/NAME, later new/NAME */
	int fd;                 /* open until maildir_sync(), else -1 */
	const char *flags;      /* borrowed; NULL or "": published into new/;
	                           else into cur/NAME:2,FLAGS (maildir_flags()) */
};

/*
 * Open path.  It must hold tmp/ and new/ unless create; a path whose
 * last component starts with '.' is a Maildir++ folder when its parent
 * is a Maildir, or is empty, or does not exist.  A symbolic link to a
 * missing directory is refused (73), never followed to create one.
 */
int maildir_open(struct maildir *md, const char *path, int create,
    struct fserr *e);
int maildir_create(struct maildir *md);
void maildir_close(struct maildir *md);

/* -1 with errno kept (EMFILE: the caller may free descriptors and try
 * again). */
int maildir_tmp(struct maildir *md, struct maildir_msg *m);
int maildir_sync(struct maildir *md, struct maildir_msg *m, unsigned n);
int maildir_publish(struct maildir *md, struct maildir_msg *m, unsigned n);
void maildir_unpublish(struct maildir *md, struct maildir_msg *m,
    unsigned n);
void maildir_drop(struct maildir *md, struct maildir_msg *m, unsigned n);
/* Where m is published: "PATH/new/NAME" or "PATH/cur/NAME:2,FLAGS",
 * malloc'd. */
char *maildir_msgpath(const struct maildir *md, const struct maildir_msg *m);
/*
 * The info flags of a Maildir name as readers expect them: the letters
 * of in (D draft, F flagged, P passed, R replied, S seen, T trashed, or
 * any other ASCII letter: a keyword of the reader's own) sorted in ASCII
 * order, once each, into out (size at least 53).  -1 if in holds
 * anything but letters.
 */
int maildir_flags(char *out, const char *in);

/*
 * A Maildir file name, "SEC.M<usec>P<pid>Q<q>.HOST", into buf (size n).
 * host must already be escaped (maildir_escape_host).  Returns the
 * length, or -1 if it does not fit.
 */
int maildir_uniqname(char *buf, size_t n, long long sec, long usec,
    long pid, unsigned long q, const char *host);
/* This host's name, escaped ("localhost" if it has none or it does
 * not fit). */
void maildir_hostname(char *buf, size_t n);
/* Escape '/' as "\057" and ':' as "\072" (the Maildir convention). */
int maildir_escape_host(char *buf, size_t n, const char *host);

#endif
