/*
 * store: see store.h.
 *
 * The rules every path here follows: nothing becomes visible (a name in
 * new/, an unlocked mbox tail) before its bytes are durable, and every
 * failure undoes what the message had written, so the caller's exit
 * status alone tells whether a message was delivered.
 *
 * An mbox cannot be appended to atomically, so the dot-lock doubles as
 * a journal (lock.h).  Nothing but the append happens under the locks:
 * the batch is spooled first.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OBUF_SIZE       65536
#define SPOOL_MEM       ((size_t)1 << 20)  /* an mbox batch in memory */
#define FD_COUNT_MAX    4096    /* store_batch_max() counts below this */
#define FD_RESERVE      4       /* tmp/, new/, the file being written, one
                                 * spare (a directory being synced) */

/* ---- errors ---- */

const char *
store_error(const struct store *s)
{
	return s->e.msg;
}

int
store_exit(const struct store *s)
{
	return fserr_exit(&s->e);
}

/* ---- output ---- */

static int
obuf_flush(struct store *s)
{
	if (s->olen == 0)
		return 0;
	if (write_all(s->cur.fd, s->obuf, s->olen) < 0) {
		s->olen = 0;
		return -1;
	}
	s->olen = 0;
	return 0;
}

/* Everything written goes here: buffered (an mbox's spooled), counted. */
static int
raw_emit(void *arg, const char *p, size_t n)
{
	struct store *s = arg;

	s->nbytes += n;
	if (s->c.flags & STORE_DRYRUN)
		return 0;
	if (s->c.kind == STORE_MBOX) {
		if (spool_write(&s->spool, p, n) == 0)
			return 0;
		return fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: spooling the "
		    "message", s->path);
	}
	if (s->olen + n > s->osize && obuf_flush(s) < 0)
		return -1;
	if (n >= s->osize)
		return write_all(s->cur.fd, p, n);
	memcpy(s->obuf + s->olen, p, n);
	s->olen += n;
	return 0;
}

/* ---- mbox ---- */

/*
 * Check DEST; the mbox itself is opened (and created) only once there is
 * something to append, so that a run that delivers nothing leaves no
 * file behind, and a mbox replaced while the input was read is not
 * written to under its old name.
 */
static int
mbox_open(struct store *s)
{
	maildir_hostname(s->host, sizeof s->host);     /* the lock's name */
	lock_init(&s->lk, s->path, s->host, s->c.flags & STORE_CREATE, &s->e);
	spool_init(&s->spool, s->c.spool_mem ? s->c.spool_mem : SPOOL_MEM);
	return deliver_mbox_check(s->path, s->c.flags & STORE_CREATE,
	    &s->missing, &s->e);
}

/* Undo the open batch: drop the spool; cut the mbox back, unlock. */
static void
mbox_rollback(struct store *s)
{
	spool_reset(&s->spool);
	s->npend = 0;
	deliver_mbox_undo(&s->lk);
}

/* The "From " line goes to the spool; nothing is locked yet. */
static int
mbox_begin(struct store *s, const char *sender)
{
	if (mboxw_begin(&s->w, sender, time(NULL), raw_emit, s) < 0) {
		mbox_rollback(s);
		return -1;
	}
	return 0;
}

/* ---- Maildir ---- */

static void
maildir_drop_batch(struct store *s)
{
	maildir_drop(&s->md, s->pend, s->npend);
	s->npend = 0;
}

static void
report(struct store *s, const char *path)
{
	if (s->c.delivered)
		s->c.delivered(path, s->c.arg);
}

static int
maildir_flush(struct store *s)
{
	unsigned i;
	int r = 0;

	if (maildir_sync(&s->md, s->pend, s->npend) < 0) {
		maildir_drop_batch(s);
		return -1;
	}
	r = maildir_publish(&s->md, s->pend, s->npend);
	for (i = 0; i < s->npend; i++) {
		if (r == 0) {
			char *full = maildir_msgpath(&s->md, &s->pend[i]);

			report(s, full);
			free(full);
		}
		free(s->pend[i].name);
		s->pend[i].name = NULL;
	}
	s->npend = 0;
	return r;
}

static int
maildir_begin(struct store *s)
{
	if (s->c.flags & STORE_DRYRUN)
		return 0;
	if (s->md.tmpfd < 0 && maildir_create(&s->md) < 0)
		return -1;
	if (maildir_tmp(&s->md, &s->cur) == 0)
		return 0;
	/* out of descriptors: the queued files hold them, so the batch
	 * ends here (once: an empty batch holds none) */
	if ((errno != EMFILE && errno != ENFILE) || s->npend == 0)
		return -1;
	if (maildir_flush(s) < 0)
		return -1;
	s->e.ex = 0;            /* the EMFILE is handled, not an error */
	s->e.msg[0] = '\0';
	return maildir_tmp(&s->md, &s->cur);
}

/* ---- the delivery API ---- */

unsigned
store_batch_max(unsigned want)
{
	struct rlimit rl;
	unsigned long used = 0, room;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > FD_COUNT_MAX)
		return want;
	for (fd = 0; fd < (int)rl.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			used++;
	room = rl.rlim_cur > used + FD_RESERVE ?
	    rl.rlim_cur - used - FD_RESERVE : 1;
	return room < want ? (unsigned)room : want;
}

int
store_open(struct store *s, const char *path, const struct store_conf *c)
{
	int r;

	memset(s, 0, sizeof *s);
	s->c = *c;
	if (s->c.batch == 0)
		s->c.batch = 1;
	s->md.tmpfd = s->md.newfd = s->md.curfd = s->cur.fd = -1;
	s->lk.fd = s->lk.lockfd = -1;
	if (deliver_path(path, &s->path, &s->e) < 0)
		return -1;
	s->osize = OBUF_SIZE;
	s->obuf = xmalloc(s->osize);
	s->pend = xcalloc(s->c.batch, sizeof *s->pend);
	if (s->c.kind == STORE_MBOX)
		return mbox_open(s);
	r = maildir_open(&s->md, s->path, s->c.flags & STORE_CREATE, &s->e);
	s->missing = s->md.missing;
	return r;
}

int
store_begin(struct store *s, const char *sender)
{
	if (s->inmsg)
		store_abort(s);
	s->e.ex = 0;
	s->e.msg[0] = '\0';
	s->nbytes = 0;
	s->olen = 0;
	if ((s->c.kind == STORE_MBOX ? mbox_begin(s, sender) :
	    maildir_begin(s)) < 0)
		return -1;
	s->inmsg = 1;
	return 0;
}

static int
write_fail(struct store *s)
{
	int err = errno;

	if (!s->e.ex)             /* a spool error has said so already */
		fserr_set(&s->e, 0, err, "%s%s%s", s->path,
		    s->c.kind == STORE_MBOX ? "" : "/tmp/",
		    s->c.kind == STORE_MBOX || s->cur.name == NULL ? "" :
		    s->cur.name);
	store_abort(s);
	return -1;
}

int
store_write(struct store *s, const void *p, size_t n)
{
	int r;

	if (!s->inmsg)
		return fserr_set(&s->e, EX_SOFTWARE, 0, "write outside a "
		    "message");
	if (s->c.kind != STORE_MBOX)
		r = raw_emit(s, p, n);
	else
		r = mboxw_write(&s->w, p, n);
	return r < 0 ? write_fail(s) : 0;
}

int
store_puts(struct store *s, const char *str)
{
	return store_write(s, str, strlen(str));
}

static int
mbox_commit(struct store *s)
{
	return mboxw_end(&s->w) < 0 ? write_fail(s) : 0;
}

int
store_commit(struct store *s)
{
	if (!s->inmsg)
		return fserr_set(&s->e, EX_SOFTWARE, 0, "commit outside a message");
	if (s->c.flags & STORE_DRYRUN) {
		s->inmsg = 0;
		return s->c.kind == STORE_MBOX ? mbox_commit(s) : 0;
	}
	if (s->c.kind == STORE_MBOX) {
		if (mbox_commit(s) < 0)
			return -1;
	} else {
		if (obuf_flush(s) < 0)
			return write_fail(s);
		s->pend[s->npend] = s->cur;
		s->cur.name = NULL;
		s->cur.fd = -1;
	}
	s->npend++;
	s->inmsg = 0;
	return s->npend >= s->c.batch ? store_flush(s) : 0;
}

const char *
store_name(const struct store *s)
{
	return s->c.kind == STORE_MBOX || !s->inmsg ? NULL : s->cur.name;
}

void
store_abort(struct store *s)
{
	int ex = s->e.ex;

	if (s->c.flags & STORE_DRYRUN) {
		s->inmsg = 0;
		return;
	}
	s->olen = 0;
	if (s->c.kind == STORE_MBOX) {
		mbox_rollback(s);
	} else {
		if (s->inmsg)
			maildir_drop(&s->md, &s->cur, 1);
		maildir_drop_batch(s);
	}
	s->inmsg = 0;
	s->e.ex = ex;
}

static int
mbox_flush(struct store *s)
{
	unsigned i, n = s->npend;

	if (n == 0)
		return 0;
	if (deliver_mbox_append(&s->lk, &s->spool, s->c.lock_timeout,
	    &s->e) < 0) {
		mbox_rollback(s);
		return -1;
	}
	lock_release(&s->lk);
	spool_reset(&s->spool);
	s->npend = 0;
	for (i = 0; i < n; i++)
		report(s, s->path);
	return 0;
}

int
store_flush(struct store *s)
{
	if (s->c.flags & STORE_DRYRUN) {
		s->npend = 0;
		return 0;
	}
	if (s->c.kind == STORE_MBOX)
		return mbox_flush(s);
	return s->npend ? maildir_flush(s) : 0;
}

void
store_close(struct store *s)
{
	if (s->inmsg)
		store_abort(s);
	if (s->npend && store_flush(s) < 0)
		warn("%s", store_error(s));
	if (s->c.kind == STORE_MBOX) {
		spool_free(&s->spool);
		lock_free(&s->lk);
	} else
		maildir_close(&s->md);
	free(s->pend);
	free(s->obuf);
	free(s->path);
	s->pend = NULL;
	s->obuf = NULL;
	s->path = NULL;
}

unsigned long long
store_msgsize(const struct store *s)
{
	return s->nbytes;
}

const char *
store_describe(struct store *s)
{
	deliver_describe_as(s->desc, sizeof s->desc, s->c.kind == STORE_MBOX,
	    s->path, s->c.kind == STORE_MBOX ? NULL : s->md.root,
	    s->missing && (s->c.flags & STORE_DRYRUN));
	return s->desc;
}
