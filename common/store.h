/*
 * store: delivering a stream of messages into one Maildir or mbox file,
 * in durable batches.  The policy only: the steps are maildir.h,
 * mbox.h, lock.h and deliver.h (the mbox append), the guarantees
 * durable.h's.
 *
 * Delivery is a stream.  store_open() a destination once; then for each
 * message store_begin(), store_write() its bytes in chunks of any size
 * (LF line ends, as msg_line() returns them), and store_commit() or
 * store_abort(); store_flush() before reporting success; store_close()
 * at the end.  Memory stays bounded: a Maildir message streams into
 * tmp/; an mbox batch is spooled (spool.h: 1 MiB in memory, then a
 * temporary file), so that the mbox is locked only to append it, never
 * while the caller waits for its input.
 *
 * Durability.  With conf.batch 0 or 1, store_commit() returns 0 only once
 * the message is on stable storage:
 *   Maildir  tmp/NAME written (O_EXCL), fsync'd, renamed into new/, new/
 *            fsync'd.  Only durable bytes ever appear in new/.
 *   mbox     "From " line, mboxrd-quoted message, an LF if it lacks
 *            one (a CRLF after a bare CR, which an LF alone would turn
 *            into a line end), an empty line, into the spool;
 *            then DEST opened (created if missing), fcntl
 *            lock + DEST.lock, the spool appended, fsync, unlock.
 * With batch N > 1, store_commit() queues the message; the batch becomes
 * durable and visible together (fsync'd first, then renamed into new/ or
 * appended) when N messages are queued, or at store_flush().
 * conf.delivered, if set, is called
 * once per message, with the path written, after it is durable.
 *
 * Errors.  Functions return 0 or -1.  After -1, store_error() is a
 * message ("tmp/NAME: No space left on device") and store_exit() the
 * sysexits code: 75 for temporary failures (ENOSPC, EDQUOT, EFBIG, EIO,
 * any fsync error, lock timeout, any spool error), 73 when the destination cannot be
 * created or opened, 74 for other I/O errors.  A failed write, commit or
 * flush has already undone its message and every queued message of its
 * batch (tmp files removed, mbox cut back to its size before the batch);
 * messages of earlier batches stay delivered.  The store is then still
 * usable for the next message.
 *
 * SIGXFSZ is ignored (setprogname()), so that a file size limit fails a write
 * with EFBIG (undone, status 75) instead of killing the process.
 */
#ifndef YUBIN_STORE_H
#define YUBIN_STORE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "deliver.h"
#include "durable.h"
#include "lock.h"
#include "maildir.h"
#include "mbox.h"
#include "msg.h"
#include "spool.h"
#include "util.h"

enum store_kind { STORE_MAILDIR, STORE_MBOX };

#define STORE_CREATE  0x1  /* create a missing Maildir (with tmp new cur,
                            * and the Maildir++ parent and maildirfolder)
                            * or the missing directories above an mbox */
#define STORE_DRYRUN  0x2  /* check the destination; create, lock and
                            * write nothing; count the bytes */

struct store_conf {
	enum store_kind kind;
	int flags;              /* STORE_CREATE, STORE_DRYRUN */
	unsigned batch;         /* messages per durable batch; 0 means 1 */
	double lock_timeout;    /* seconds to wait for an mbox lock; 0: 30 */
	size_t spool_mem;       /* mbox: bytes of a batch held in memory
	                           before a temporary file; 0: 1 MiB */
	void (*delivered)(const char *path, void *arg);
	void *arg;
};

/* The fields are private to store.c; callers use the functions below. */
struct store {
	struct store_conf c;
	char *path;             /* DEST, trailing slashes removed */
	int missing;            /* dry run: would be created */
	struct fserr e;         /* the last error */
	char desc[600];         /* store_describe() */
	char *obuf;             /* output buffer */
	size_t olen, osize;
	unsigned long long nbytes;  /* bytes of the current message */
	int inmsg;              /* between begin and commit/abort */
	struct mboxw w;         /* mbox: the message being spooled */
	char host[260];         /* escaped host name (the dot-lock's) */
	/* Maildir */
	struct maildir md;
	struct maildir_msg cur; /* the message being written */
	struct maildir_msg *pend;  /* queued: written, open, in tmp/ */
	unsigned npend;         /* messages queued (Maildir or mbox) */
	/* mbox */
	struct spool spool;     /* the open batch, before it is appended */
	struct mboxlock lk;     /* the mbox and its locks */
};

/*
 * Open the destination path for delivery.  A Maildir must hold tmp/ and
 * new/ unless STORE_CREATE; a path whose last component starts with '.'
 * is a Maildir++ folder when its parent is a Maildir, or is empty, or does
 * not exist.  Nothing is created here: a missing Maildir (STORE_CREATE)
 * is made by the first store_begin(), a missing mbox (mode 0600, and with
 * STORE_CREATE its directories) by the first append, so that a run that
 * delivers nothing leaves nothing behind.  A symbolic link to a missing
 * file or directory is refused (73), never followed to create one.
 * Returns 0, or -1 (store_error(), store_exit()).  The store copies path.
 */
int store_open(struct store *s, const char *path, const struct store_conf *c);
/* Flush the open batch (errors are reported, not returned) and free. */
void store_close(struct store *s);

/*
 * Start a message.  sender (NULL or "" means MAILER-DAEMON) goes into the
 * mbox "From " line; a Maildir ignores it.
 */
int store_begin(struct store *s, const char *sender);
/* Append n bytes of the message; an mbox gets them mboxrd-quoted. */
int store_write(struct store *s, const void *p, size_t n);
int store_puts(struct store *s, const char *str);
/* End the message: durable (batch 1) or queued; see above. */
int store_commit(struct store *s);
/* Drop the message being written (never fails; keeps the first error). */
void store_abort(struct store *s);
/* Make every queued message durable and visible. */
int store_flush(struct store *s);
/* The Maildir file name of the message being written (tmp/NAME, which
 * becomes new/NAME), or NULL: an mbox, or no message begun.  popfetch
 * records it before the message can become visible, to find it after a
 * crash. */
const char *store_name(const struct store *s);

/*
 * The largest batch, up to want, that the descriptor limit leaves room
 * for: a Maildir batch keeps one file open per message, besides the
 * descriptors the process already holds (inherited ones included) and
 * the store's own.  At least 1.  Should a Maildir batch still run out
 * of descriptors, store_begin() makes the queued messages durable and
 * visible early (store_flush()) and goes on.
 */
unsigned store_batch_max(unsigned want);

/* Bytes stored for the current (or last) message, quoting included. */
unsigned long long store_msgsize(const struct store *s);
/* "Maildir DIR", "Maildir++ folder .F of DIR", "mbox FILE" and, in a dry
 * run, " (would be created)". */
const char *store_describe(struct store *s);
const char *store_error(const struct store *s);
int store_exit(const struct store *s);


#endif
