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
#if defined(__linux__)
#define _GNU_SOURCE             /* syncfs(2) */
#endif
#include "store.h"

#include <dirent.h>
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

struct store_pending {
	char *name;
	int fd;
};

/* ---- errors ---- */

const char *
store_error(const struct store *s)
{
	return s->e.msg;
}

int
store_exit(const struct store *s)
{
	return s->e.ex ? s->e.ex : EX_SOFTWARE;
}

/* ---- pure helpers ---- */

int
store_escape_host(char *buf, size_t n, const char *host)
{
	size_t o = 0;

	for (; *host; host++) {
		const char *rep = *host == '/' ? "\\057" :
		    *host == ':' ? "\\072" : NULL;
		size_t k = rep ? 4 : 1;

		if (o + k >= n)
			return -1;
		if (rep)
			memcpy(buf + o, rep, k);
		else
			buf[o] = *host;
		o += k;
	}
	if (o >= n)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

int
store_uniqname(char *buf, size_t n, long long sec, long usec, long pid,
    unsigned long q, const char *host)
{
	int r = snprintf(buf, n, "%lld.M%ldP%ldQ%lu.%s", sec, usec, pid, q,
	    host);

	return r < 0 || (size_t)r >= n ? -1 : r;
}

/* ---- output ---- */

static int
obuf_flush(struct store *s)
{
	if (s->olen == 0)
		return 0;
	if (write_all(s->fd, s->obuf, s->olen) < 0) {
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
		return write_all(s->fd, p, n);
	memcpy(s->obuf + s->olen, p, n);
	s->olen += n;
	return 0;
}

/* ---- directories ---- */

/* Does dir look like a Maildir (has new/ or cur/)? */
static int
is_maildir(const char *dir)
{
	static const char *const sub[] = { "new", "cur" };
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		char *p = path_join(dir, sub[i]);
		int ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);

		free(p);
		if (ok)
			return 1;
	}
	return 0;
}

static int
is_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (d == NULL)
		return 0;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/*
 * Maildir++ (Courier's layout): "ROOT/.Folder" is a folder of ROOT.  A
 * leading dot alone is not enough ("~/.maildir" is an ordinary Maildir),
 * so the parent must be a Maildir, or empty, or not there yet.
 */
static char *
maildirpp_root(const char *path)
{
	const char *base = strrchr(path, '/');
	char *parent;
	struct stat st;

	base = base ? base + 1 : path;
	if (base[0] != '.' || base[1] == '\0' ||
	    (base[1] == '.' && base[2] == '\0'))
		return NULL;
	parent = path_dir(path);
	if (stat(parent, &st) < 0 ? errno == ENOENT :
	    S_ISDIR(st.st_mode) && (is_maildir(parent) || is_empty_dir(parent)))
		return parent;
	free(parent);
	return NULL;
}

static int
make_maildir(struct store *s, const char *dir)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	size_t i;
	int r = durable_mkdirs(dir, &s->e);

	for (i = 0; r == 0 && i < 3; i++) {
		char *p = path_join(dir, sub[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			r = fserr_set(&s->e, 0, errno, "mkdir %s", p);
		free(p);
	}
	if (r == 0 && durable_sync_dir(dir) < 0)
		r = fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: fsync", dir);
	return r;
}

static int
make_folder(struct store *s)
{
	char *marker;
	int fd, r = 0;

	if (s->root && make_maildir(s, s->root) < 0)
		return -1;
	if (make_maildir(s, s->path) < 0)
		return -1;
	if (s->root == NULL)
		return 0;
	marker = path_join(s->path, "maildirfolder");
	fd = open(marker, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		r = fserr_set(&s->e, 0, errno, "%s", marker);
	else if (close(fd) < 0 || durable_sync_dir(s->path) < 0)
		r = fserr_set(&s->e, EX_TEMPFAIL, errno, "%s", marker);
	free(marker);
	return r;
}

static int
open_subdir(const char *path, const char *sub)
{
	char *p = path_join(path, sub);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC), saved = errno;

	free(p);
	errno = saved;
	return fd;
}

static int
maildir_fail(struct store *s, int err)
{
	if (err == ENOENT)
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: not a Maildir (no tmp/ "
		    "and new/; -c creates one)", s->path);
	if (err == ENOTDIR)
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: not a directory "
		    "(-m delivers to an mbox file)", s->path);
	return fserr_set(&s->e, EX_CANTCREAT, err, "%s", s->path);
}

/* Open DEST/tmp and DEST/new; -1 with errno set. */
static int
maildir_opendirs(struct store *s)
{
	int err;

	if ((s->tmpfd = open_subdir(s->path, "tmp")) < 0)
		return -1;
	if ((s->newfd = open_subdir(s->path, "new")) >= 0)
		return 0;
	err = errno;
	close(s->tmpfd);
	s->tmpfd = -1;
	errno = err;
	return -1;
}

/*
 * A missing Maildir is created (-c) by the first store_begin(), not
 * here: a run that delivers nothing (input that is not a message)
 * leaves nothing behind.
 */
static int
maildir_open(struct store *s)
{
	s->root = maildirpp_root(s->path);
	if (path_dangling(s->path) || (s->root && path_dangling(s->root)))
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: a symbolic link to a "
		    "missing directory (not followed to create the Maildir)",
		    path_dangling(s->path) ? s->path : s->root);
	if (maildir_opendirs(s) == 0)
		return 0;
	if (errno != ENOENT || !(s->c.flags & STORE_CREATE))
		return maildir_fail(s, errno);
	s->missing = 1;
	return 0;
}

/* The first message into a missing Maildir: create it, once. */
static int
maildir_create(struct store *s)
{
	if (make_folder(s) < 0)
		return -1;
	return maildir_opendirs(s) < 0 ? maildir_fail(s, errno) : 0;
}

/* ---- mbox ---- */

static int
mbox_check_missing(struct store *s)
{
	struct stat st;
	char *dir;

	if (lock_refuse_dangling(s->path, &s->e) < 0)
		return -1;
	dir = path_dir(s->path);
	s->missing = 1;
	if (stat(dir, &st) < 0 && !(s->c.flags & STORE_CREATE))
		fserr_set(&s->e, EX_CANTCREAT, errno, "%s", dir);
	free(dir);
	return s->e.ex ? -1 : 0;
}

/*
 * Check DEST; the mbox itself is opened (and created) only once there is
 * something to append, so that a run that delivers nothing leaves no
 * file behind, and a mbox replaced while the input was read is not
 * written to under its old name.
 */
static int
mbox_open(struct store *s)
{
	struct stat st;

	lock_init(&s->lk, s->path, s->host, s->c.flags & STORE_CREATE, &s->e);
	spool_init(&s->spool, SPOOL_MEM);
	if (stat(s->path, &st) == 0)
		return lock_file_ok(s->path, &st, &s->e);
	if (errno != ENOENT)
		return fserr_set(&s->e, 0, errno, "%s", s->path);
	return mbox_check_missing(s);
}

/* Undo the open batch: drop the spool; cut the mbox back, unlock. */
static void
mbox_rollback(struct store *s)
{
	spool_reset(&s->spool);
	s->npend = 0;
	if (!s->lk.locked)
		return;
	if (ftruncate(s->lk.fd, s->lk.size) == 0)
		fsync(s->lk.fd);
	lock_release(&s->lk);
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

/* spool_replay() into the locked mbox. */
static int
append(void *arg, const char *p, size_t n)
{
	struct store *s = arg;

	if (write_all(s->lk.fd, p, n) < 0)
		return -1;
	lock_touch(&s->lk);
	return 0;
}

/* Lock, append the spooled batch, sync, unlock.  Returns 0 or -1. */
static int
mbox_append(struct store *s)
{
	const char *gap;
	char *dir;
	int r = 0;

	if (lock_take(&s->lk, s->c.lock_timeout) < 0)
		return -1;
	gap = mbox_gap(s->lk.fd, s->lk.size);
	if (write_all(s->lk.fd, gap, strlen(gap)) < 0 ||
	    spool_replay(&s->spool, append, s) < 0)
		return fserr_set(&s->e, 0, errno, "%s", s->path);
	if (fsync(s->lk.fd) < 0)
		return fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: fsync", s->path);
	if (s->lk.created) {
		dir = path_dir(s->path);
		r = durable_sync_dir(dir) < 0 ? fserr_set(&s->e, EX_TEMPFAIL, errno,
		    "%s: fsync", dir) : 0;
		free(dir);
	}
	return r;
}

/* ---- Maildir ---- */

static void
maildir_drop_batch(struct store *s)
{
	unsigned i;

	for (i = 0; i < s->npend; i++) {
		if (s->pend[i].fd >= 0)
			close(s->pend[i].fd);
		unlinkat(s->tmpfd, s->pend[i].name, 0);
		free(s->pend[i].name);
	}
	s->npend = 0;
}

static int maildir_flush(struct store *);

static int
maildir_begin(struct store *s)
{
	struct timespec ts;
	int tries;

	if (s->c.flags & STORE_DRYRUN)
		return 0;
	if (s->tmpfd < 0 && maildir_create(s) < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (store_uniqname(s->name, sizeof s->name,
		    (long long)ts.tv_sec, ts.tv_nsec / 1000, (long)getpid(),
		    ++s->q, s->host) < 0)
			return fserr_set(&s->e, EX_SOFTWARE, 0, "host name too long");
		s->fd = openat(s->tmpfd, s->name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOCTTY | O_CLOEXEC, 0600);
		if (s->fd >= 0)
			return 0;
		/* out of descriptors: the queued files hold them, so the
		 * batch ends here (once: an empty batch holds none) */
		if ((errno == EMFILE || errno == ENFILE) && s->npend > 0) {
			if (maildir_flush(s) < 0)
				return -1;
			continue;
		}
		if (errno != EEXIST)
			break;
	}
	return fserr_set(&s->e, 0, errno, "%s/tmp/%s", s->path, s->name);
}

/*
 * Make the queued tmp files durable.  For a batch, one syncfs(2) writes
 * back and commits all of them in one journal transaction (on ext4 one
 * commit instead of one per file; see BATCH in maildeliver.c for the
 * measurements).  The fdatasync of each file that follows finds little
 * left to do, but it is what reports a writeback error on that file on
 * every kernel (syncfs itself reports errors only since Linux 5.8), so
 * the guarantee does not rest on syncfs.
 */
static int
maildir_sync_batch(struct store *s)
{
	unsigned i;

#if defined(__linux__)
	if (s->npend > 1 && syncfs(s->tmpfd) < 0)
		return fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: syncfs", s->path);
#endif
	for (i = 0; i < s->npend; i++) {
		if (fdatasync(s->pend[i].fd) < 0 || close(s->pend[i].fd) < 0) {
			int err = errno;

			s->pend[i].fd = -1;
			return fserr_set(&s->e, EX_TEMPFAIL, err, "%s/tmp/%s: fsync",
			    s->path, s->pend[i].name);
		}
		s->pend[i].fd = -1;
	}
	return 0;
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
	unsigned i, done;
	int r = 0;

	if (maildir_sync_batch(s) < 0) {
		maildir_drop_batch(s);
		return -1;
	}
	for (done = 0; done < s->npend; done++)
		if (renameat(s->tmpfd, s->pend[done].name, s->newfd,
		    s->pend[done].name) < 0) {
			r = fserr_set(&s->e, 0, errno, "%s/new/%s", s->path,
			    s->pend[done].name);
			break;
		}
	if (r == 0 && fsync(s->newfd) < 0)
		r = fserr_set(&s->e, EX_TEMPFAIL, errno, "%s/new: fsync", s->path);
	for (i = 0; i < s->npend; i++) {
		char *p = path_join(s->path, "new/");
		char *full = xmalloc(strlen(p) + strlen(s->pend[i].name) + 1);

		strcpy(full, p);
		strcat(full, s->pend[i].name);
		if (r == 0)
			report(s, full);
		else if (i < done)
			unlink(full);   /* visible but not durable: take back */
		else
			unlinkat(s->tmpfd, s->pend[i].name, 0);
		free(full);
		free(p);
		free(s->pend[i].name);
	}
	s->npend = 0;
	return r;
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
	char host[256];
	size_t n = strlen(path);

	memset(s, 0, sizeof *s);
	s->c = *c;
	if (s->c.batch == 0)
		s->c.batch = 1;
	s->tmpfd = s->newfd = s->fd = s->lk.fd = s->lk.lockfd = -1;
	while (n > 1 && path[n - 1] == '/')
		n--;
	s->path = xstrndup(path, n);
	if (n == 0)
		return fserr_set(&s->e, EX_USAGE, 0, "empty destination");
	if (gethostname(host, sizeof host) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	if (store_escape_host(s->host, sizeof s->host, host) < 0)
		strcpy(s->host, "localhost");
	s->osize = OBUF_SIZE;
	s->obuf = xmalloc(s->osize);
	s->pend = xcalloc(s->c.batch, sizeof *s->pend);
	if (s->c.kind == STORE_MBOX)
		return mbox_open(s);
	return maildir_open(s);
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
		    s->c.kind == STORE_MBOX ? "" : s->name);
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
		s->pend[s->npend].name = xstrdup(s->name);
		s->pend[s->npend].fd = s->fd;
		s->fd = -1;
	}
	s->npend++;
	s->inmsg = 0;
	return s->npend >= s->c.batch ? store_flush(s) : 0;
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
		if (s->inmsg && s->fd >= 0) {
			close(s->fd);
			unlinkat(s->tmpfd, s->name, 0);
			s->fd = -1;
		}
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
	if (mbox_append(s) < 0) {
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
	if (s->tmpfd >= 0)
		close(s->tmpfd);
	if (s->newfd >= 0)
		close(s->newfd);
	if (s->c.kind == STORE_MBOX) {
		spool_free(&s->spool);
		lock_free(&s->lk);
	}
	free(s->pend);
	free(s->obuf);
	free(s->path);
	free(s->root);
	s->pend = NULL;
	s->obuf = NULL;
	s->path = s->root = NULL;
	s->tmpfd = s->newfd = -1;
}

unsigned long long
store_msgsize(const struct store *s)
{
	return s->nbytes;
}

const char *
store_describe(struct store *s)
{
	const char *base;
	size_t n = sizeof s->desc;

	if (s->c.kind == STORE_MBOX)
		snprintf(s->desc, n, "mbox %s", s->path);
	else if (s->root) {
		base = strrchr(s->path, '/');
		snprintf(s->desc, n, "Maildir++ folder %s of %s",
		    base ? base + 1 : s->path, s->root);
	} else
		snprintf(s->desc, n, "Maildir %s", s->path);
	if (s->missing && (s->c.flags & STORE_DRYRUN))
		strncat(s->desc, " (would be created)",
		    n - strlen(s->desc) - 1);
	return s->desc;
}

