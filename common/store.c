/*
 * store: see store.h.
 *
 * The rules every path here follows: nothing becomes visible (a name in
 * new/, an unlocked mbox tail) before its bytes are durable, and every
 * failure undoes what the message had written, so the caller's exit
 * status alone tells whether a message was delivered.
 *
 * An mbox cannot be appended to atomically, so the dot-lock doubles as
 * a journal: it records the mbox's size before the batch.  A delivery
 * killed with SIGKILL leaves its lock behind, naming a dead pid; the next
 * delivery cuts the mbox back to the recorded size before appending.
 * Nothing but the append happens under the locks: the batch is spooled
 * first.
 */
#if defined(__linux__)
#define _GNU_SOURCE             /* syncfs(2) */
#endif
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OBUF_SIZE       65536
#define STALE_LOCK_SECS 300     /* a dot-lock older than this is broken */
#define TOUCH_SECS      60      /* refresh our dot-lock's mtime this often */
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

static void
touch_lock(struct store *s)
{
	time_t now;

	if (s->lockfd < 0)
		return;
	now = time(NULL);
	if (now - s->touched >= TOUCH_SECS) {
		futimens(s->lockfd, NULL);      /* best effort */
		s->touched = now;
	}
}

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

/*
 * A symbolic link whose target is missing.  It is never followed to
 * create a mailbox: in a directory others may write in (/var/mail is
 * often 1777), such a link would make us create one wherever it points.
 */
static int
dangling(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    stat(path, &st) < 0 && errno == ENOENT;
}

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
	if (dangling(s->path) || (s->root && dangling(s->root)))
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: a symbolic link to a "
		    "missing directory (not followed to create the Maildir)",
		    dangling(s->path) ? s->path : s->root);
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

#define OPEN_TRIES 5            /* an mbox that vanishes as it is created */

/*
 * Is st a file to append to?  A regular file with one name: a hard link
 * planted under the mbox's name (in a directory others may write in)
 * would have us append to someone else's file.
 */
static int
mbox_file_ok(struct store *s, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: not a regular file",
		    s->path);
	if (st->st_nlink != 1)
		return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: has %lu names (hard "
		    "links); not delivering into it", s->path,
		    (unsigned long)st->st_nlink);
	return 0;
}

static int
dangling_fail(struct store *s)
{
	return fserr_set(&s->e, EX_CANTCREAT, 0, "%s: a symbolic link to a missing "
	    "file (not followed to create the mbox)", s->path);
}

static int
mbox_check_missing(struct store *s)
{
	struct stat st;
	char *dir;

	if (dangling(s->path))
		return dangling_fail(s);
	dir = path_dir(s->path);
	s->missing = 1;
	if (stat(dir, &st) < 0 && !(s->c.flags & STORE_CREATE))
		fserr_set(&s->e, EX_CANTCREAT, errno, "%s", dir);
	free(dir);
	return s->e.ex ? -1 : 0;
}

/*
 * Open DEST for appending, creating it (mode 0600) if it is missing.
 * O_EXCL fails on a name that exists, a link included, so a name that
 * comes and goes between the two opens is tried again, a few times.
 * Returns 0, or -1 (the error recorded).
 */
static int
mbox_openfd(struct store *s)
{
	struct stat st;
	char *dir;
	int tries;

	s->created = 0;
	for (tries = 0; tries < OPEN_TRIES && s->mfd < 0; tries++) {
		s->mfd = open(s->path, O_RDWR | O_APPEND | O_NOCTTY | O_CLOEXEC);
		if (s->mfd >= 0 || errno != ENOENT)
			break;
		if (dangling(s->path))
			return dangling_fail(s);
		dir = path_dir(s->path);
		if ((s->c.flags & STORE_CREATE) && durable_mkdirs(dir, &s->e) < 0) {
			free(dir);
			return -1;
		}
		free(dir);
		s->mfd = open(s->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
		    O_NOCTTY | O_CLOEXEC, 0600);
		if (s->mfd >= 0)
			s->created = 1;
		else if (errno != EEXIST)
			break;
	}
	if (s->mfd < 0)
		return fserr_set(&s->e, tries == OPEN_TRIES ? EX_TEMPFAIL :
		    errno == ENOENT ? EX_CANTCREAT : 0, errno, "%s", s->path);
	if (fstat(s->mfd, &st) < 0 ? fserr_set(&s->e, 0, errno, "%s", s->path) :
	    mbox_file_ok(s, &st)) {
		close(s->mfd);
		s->mfd = -1;
		return -1;
	}
	return 0;
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

	s->lockpath = xmalloc(strlen(s->path) + 6);
	strcpy(s->lockpath, s->path);
	strcat(s->lockpath, ".lock");
	spool_init(&s->spool, SPOOL_MEM);
	if (stat(s->path, &st) == 0)
		return mbox_file_ok(s, &st);
	if (errno != ENOENT)
		return fserr_set(&s->e, 0, errno, "%s", s->path);
	return mbox_check_missing(s);
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep before the next attempt; backs off from 10 to 200 ms. */
static void
backoff(long *ms)
{
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = (*ms + getpid() % 7) * 1000000L;
	nanosleep(&ts, NULL);
	*ms = *ms * 3 / 2 > 200 ? 200 : *ms * 3 / 2;
}

/* Is pid gone?  A zombie counts as gone: its fcntl locks are. */
static int
pid_dead(long pid)
{
	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) < 0)
		return errno == ESRCH;
#if defined(__linux__)
	{
		char path[64], buf[512], *p;
		ssize_t n;
		int fd;

		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return 0;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			return 0;
		buf[n] = '\0';
		p = strrchr(buf, ')');
		return p != NULL && p[1] == ' ' && p[2] == 'Z';
	}
#else
	return 0;
#endif
}

/*
 * May a stale lock's record cut the mbox back to size?  Its content is
 * only believed when the lock is a file of the delivering user with no
 * other name (ours are linked from a private name, which is removed
 * before anything is appended), it names this mbox, and size is where a
 * delivery of ours would have started: anyone who may create a file in
 * the mbox's directory can write a lock, and must not be able to cut
 * someone else's mail short with it.
 */
static int
cut_allowed(struct store *s, const struct stat *lk, unsigned long long dev,
    unsigned long long ino, long long size)
{
	char w[2 + 8];
	struct stat st;
	size_t pos;
	ssize_t n;

	if (!S_ISREG(lk->st_mode) || lk->st_uid != geteuid() ||
	    lk->st_nlink != 1 || fstat(s->mfd, &st) < 0 ||
	    (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino || size < 0 ||
	    st.st_size <= size)
		return 0;
	pos = size < 2 ? (size_t)size : 2;
	n = pread(s->mfd, w, sizeof w - (2 - pos), (off_t)size - (off_t)pos);
	return n > 0 && mbox_boundary(w, (size_t)n, pos);
}

/*
 * A dot-lock is stale when it names a dead process on this host, or is
 * older than STALE_LOCK_SECS.  A stale lock of ours also says how long
 * the mbox was before the dead delivery: cut the mbox back to that, when
 * cut_allowed() says the record can be believed; otherwise the lock is
 * only removed.  Called with the fcntl lock held, so no other yubin
 * races us here.  Returns 1 if the lock was removed or is gone (try
 * again), else 0.
 */
static int
stale_lock(struct store *s)
{
	char buf[512], host[300];
	unsigned long long dev, ino;
	long long size;
	long pid;
	struct stat st, now;
	ssize_t n = 0;
	int fd, ours, dead;

	/* O_NONBLOCK: a FIFO named DEST.lock must not hang us */
	fd = open(s->lockpath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	if (fstat(fd, &st) < 0)
		n = -1;
	else if (S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	ours = sscanf(buf, "yubin %ld %299s %llu %llu %lld", &pid, host, &dev,
	    &ino, &size) == 5;
	dead = ours && strcmp(host, s->host) == 0 && pid_dead(pid);
	if (!dead && time(NULL) - st.st_mtime <= STALE_LOCK_SECS)
		return 0;
	if (ours && cut_allowed(s, &st, dev, ino, size)) {
		/* the tail of a delivery that never finished */
		if (ftruncate(s->mfd, (off_t)size) == 0)
			fsync(s->mfd);
	}
	/* another program may have broken and retaken it meanwhile */
	if (lstat(s->lockpath, &now) < 0)
		return errno == ENOENT;
	if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return 1;
	return unlink(s->lockpath) == 0 || errno == ENOENT;
}

static int
fcntl_lock(struct store *s, int type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = (short)type;
	fl.l_whence = SEEK_SET;
	return fcntl(s->mfd, F_SETLK, &fl);
}

static void
mbox_unlock(struct store *s)
{
	struct stat a, b;

	if (s->lockfd >= 0) {
		/* remove it only if it is still ours */
		if (fstat(s->lockfd, &a) == 0 && lstat(s->lockpath, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			unlink(s->lockpath);
		close(s->lockfd);
		s->lockfd = -1;
	}
	if (s->mfd >= 0)
		close(s->mfd);          /* which drops the fcntl lock */
	s->mfd = -1;
	s->locked = 0;
}

/*
 * Write what the dot-lock says into fd: pid, host, and the mbox's
 * identity and size, the size a later delivery cuts back to if we die.
 */
static int
lock_content(struct store *s, int fd)
{
	char buf[512];
	struct stat st;
	int n;

	if (fstat(s->mfd, &st) < 0)
		return fserr_set(&s->e, 0, errno, "%s", s->path);
	s->rollback = st.st_size;
	if (fd < 0)
		return 0;
	n = snprintf(buf, sizeof buf, "yubin %ld %s %llu %llu %lld\n",
	    (long)getpid(), s->host, (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino, (long long)st.st_size);
	if (n < 0 || (size_t)n >= sizeof buf || ftruncate(fd, 0) < 0 ||
	    pwrite(fd, buf, (size_t)n, 0) != n)
		return fserr_set(&s->e, 0, errno, "%s", s->lockpath);
	return 0;
}

/*
 * One attempt at DEST.lock.  The lock is written under a private name
 * and linked into place, so that it never exists without its content,
 * even for a delivery killed half-way (and link is safe on NFS).
 * Returns 1 taken, 0 busy, -1 error; EACCES means no dot-lock at all.
 */
static int
dot_lock_try(struct store *s, const char *tmp)
{
	struct stat st;
	int fd, r, err;

	/*
	 * O_EXCL, never O_TRUNC: a file already under our private name is
	 * the leftover of a dead delivery that had our pid, or was planted
	 * there, a hard link to someone's file that O_TRUNC would cut.  The
	 * name is removed (never the file opened) and made afresh, once.
	 */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0 && errno == EEXIST) {
		if (unlink(tmp) == 0)
			fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0644);
		else
			errno = EEXIST;
	}
	if (fd < 0)
		return -1;
	if ((r = lock_content(s, fd)) == 0) {
		r = link(tmp, s->lockpath) == 0 ||
		    (fstat(fd, &st) == 0 && st.st_nlink == 2);
		if (!r && errno != EEXIST)
			r = -1;
	}
	err = errno;
	unlink(tmp);
	if (r == 1) {
		s->lockfd = fd;
		s->touched = time(NULL);
	} else
		close(fd);
	errno = err;
	return r;
}

/* Take DEST.lock, breaking it if stale, until the deadline. */
static int
dot_lock(struct store *s, double deadline)
{
	char *tmp = xmalloc(strlen(s->lockpath) + 32);
	long ms = 10;
	int r;

	sprintf(tmp, "%s.%ld.yubin", s->lockpath, (long)getpid());
	/* the deadline is checked on every round: a stale lock we may not
	 * remove (another user's, in a sticky directory) must not spin */
	while ((r = dot_lock_try(s, tmp)) == 0) {
		if (now_secs() >= deadline) {
			r = fserr_set(&s->e, EX_TEMPFAIL, 0, "%s: lock timeout "
			    "(%s exists)", s->path, s->lockpath);
			break;
		}
		if (!stale_lock(s))
			backoff(&ms);
	}
	if (r < 0 && !s->e.ex) {
		/* a directory we may not write in: fcntl only (CAVEATS) */
		r = errno == EACCES || errno == EPERM ? 0 :
		    fserr_set(&s->e, 0, errno, "%s", s->lockpath);
		if (r == 0)
			r = lock_content(s, -1);
	}
	free(tmp);
	return r < 0 ? -1 : 0;
}

/* Does DEST still name the file we locked?  A mail reader may have
 * replaced it (rename) while we waited for the lock. */
static int
same_file(struct store *s)
{
	struct stat a, b;

	return fstat(s->mfd, &a) == 0 && stat(s->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int
mbox_lock1(struct store *s, double deadline)
{
	long ms = 10;

	if (mbox_openfd(s) < 0)
		return -1;
	while (fcntl_lock(s, F_WRLCK) < 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			return fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: lock",
			    s->path);
		if (now_secs() >= deadline)
			return fserr_set(&s->e, EX_TEMPFAIL, 0, "%s: lock timeout "
			    "(locked by another process)", s->path);
		backoff(&ms);
	}
	return dot_lock(s, deadline);
}

/* Open DEST and take both locks; a few tries if DEST is replaced. */
static int
mbox_lock(struct store *s)
{
	double deadline = now_secs() +
	    (s->c.lock_timeout > 0 ? s->c.lock_timeout : 30);
	int tries, r;

	for (tries = 0; tries < OPEN_TRIES; tries++) {
		r = mbox_lock1(s, deadline);
		s->locked = r == 0;
		if (r == 0 && same_file(s))
			return 0;
		mbox_unlock(s);
		if (r < 0)
			return -1;
	}
	return fserr_set(&s->e, EX_TEMPFAIL, 0, "%s: replaced while locking",
	    s->path);
}

/* Undo the open batch: drop the spool; cut the mbox back, unlock. */
static void
mbox_rollback(struct store *s)
{
	spool_reset(&s->spool);
	s->npend = 0;
	if (!s->locked)
		return;
	if (ftruncate(s->mfd, s->rollback) == 0)
		fsync(s->mfd);
	mbox_unlock(s);
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

	if (write_all(s->mfd, p, n) < 0)
		return -1;
	touch_lock(s);
	return 0;
}

/* Lock, append the spooled batch, sync, unlock.  Returns 0 or -1. */
static int
mbox_append(struct store *s)
{
	const char *gap;
	char *dir;
	int r = 0;

	if (mbox_lock(s) < 0)
		return -1;
	gap = mbox_gap(s->mfd, s->rollback);
	if (write_all(s->mfd, gap, strlen(gap)) < 0 ||
	    spool_replay(&s->spool, append, s) < 0)
		return fserr_set(&s->e, 0, errno, "%s", s->path);
	if (fsync(s->mfd) < 0)
		return fserr_set(&s->e, EX_TEMPFAIL, errno, "%s: fsync", s->path);
	if (s->created) {
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
	s->tmpfd = s->newfd = s->fd = s->mfd = s->lockfd = -1;
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
	mbox_unlock(s);
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
	if (s->locked)
		mbox_unlock(s);
	if (s->tmpfd >= 0)
		close(s->tmpfd);
	if (s->newfd >= 0)
		close(s->newfd);
	if (s->mfd >= 0)
		close(s->mfd);
	if (s->c.kind == STORE_MBOX)
		spool_free(&s->spool);
	free(s->pend);
	free(s->obuf);
	free(s->path);
	free(s->root);
	free(s->lockpath);
	s->pend = NULL;
	s->obuf = NULL;
	s->path = s->root = s->lockpath = NULL;
	s->tmpfd = s->newfd = s->mfd = -1;
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

