/*
 * lock: see lock.h.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbox.h"

#define STALE_LOCK_SECS 300     /* a dot-lock older than this is broken */
#define TOUCH_SECS      60      /* refresh our dot-lock's mtime this often */
#define OPEN_TRIES 5            /* an mbox that vanishes as it is created */

int
lock_file_ok(const char *path, const struct stat *st, struct fserr *e)
{
	if (!S_ISREG(st->st_mode))
		return fserr_set(e, EX_CANTCREAT, 0, "%s: not a regular file",
		    path);
	if (st->st_nlink != 1)
		return fserr_set(e, EX_CANTCREAT, 0, "%s: has %lu names (hard "
		    "links); not delivering into it", path,
		    (unsigned long)st->st_nlink);
	return 0;
}

int
lock_refuse_dangling(const char *path, struct fserr *e)
{
	if (!path_dangling(path))
		return 0;
	return fserr_set(e, EX_CANTCREAT, 0, "%s: a symbolic link to a "
	    "missing file (not followed to create the mbox)", path);
}

/*
 * Open DEST for appending, creating it (mode 0600) if it is missing.
 * O_EXCL fails on a name that exists, a link included, so a name that
 * comes and goes between the two opens is tried again, a few times.
 * Returns 0, or -1 (the error recorded in *l->e).
 */
static int
open_mbox(struct mboxlock *l)
{
	struct stat st;
	char *dir;
	int tries;

	l->created = 0;
	for (tries = 0; tries < OPEN_TRIES && l->fd < 0; tries++) {
		l->fd = open(l->path, O_RDWR | O_APPEND | O_NOCTTY | O_CLOEXEC);
		if (l->fd >= 0 || errno != ENOENT)
			break;
		if (lock_refuse_dangling(l->path, l->e) < 0)
			return -1;
		dir = path_dir(l->path);
		if (l->create && durable_mkdirs(dir, l->e) < 0) {
			free(dir);
			return -1;
		}
		free(dir);
		l->fd = open(l->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
		    O_NOCTTY | O_CLOEXEC, 0600);
		if (l->fd >= 0)
			l->created = 1;
		else if (errno != EEXIST)
			break;
	}
	if (l->fd < 0)
		return fserr_set(l->e, tries == OPEN_TRIES ? EX_TEMPFAIL :
		    errno == ENOENT ? EX_CANTCREAT : 0, errno, "%s", l->path);
	if (fstat(l->fd, &st) < 0 ? fserr_set(l->e, 0, errno, "%s", l->path) :
	    lock_file_ok(l->path, &st, l->e)) {
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	return 0;
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
cut_allowed(struct mboxlock *l, const struct stat *lk, unsigned long long dev,
    unsigned long long ino, long long size)
{
	char w[2 + 8];
	struct stat st;
	size_t pos;
	ssize_t n;

	if (!S_ISREG(lk->st_mode) || lk->st_uid != geteuid() ||
	    lk->st_nlink != 1 || fstat(l->fd, &st) < 0 ||
	    (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino || size < 0 ||
	    st.st_size <= size)
		return 0;
	pos = size < 2 ? (size_t)size : 2;
	n = pread(l->fd, w, sizeof w - (2 - pos), (off_t)size - (off_t)pos);
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
stale_lock(struct mboxlock *l)
{
	char buf[512], host[300];
	unsigned long long dev, ino;
	long long size;
	long pid;
	struct stat st, now;
	ssize_t n = 0;
	int fd, ours, dead;

	/* O_NONBLOCK: a FIFO named DEST.lock must not hang us */
	fd = open(l->lockpath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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
	dead = ours && strcmp(host, l->host) == 0 && pid_dead(pid);
	if (!dead && time(NULL) - st.st_mtime <= STALE_LOCK_SECS)
		return 0;
	if (ours && cut_allowed(l, &st, dev, ino, size)) {
		/* the tail of a delivery that never finished */
		if (ftruncate(l->fd, (off_t)size) == 0)
			fsync(l->fd);
	}
	/* another program may have broken and retaken it meanwhile */
	if (lstat(l->lockpath, &now) < 0)
		return errno == ENOENT;
	if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return 1;
	return unlink(l->lockpath) == 0 || errno == ENOENT;
}

static int
fcntl_lock(struct mboxlock *l, int type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = (short)type;
	fl.l_whence = SEEK_SET;
	return fcntl(l->fd, F_SETLK, &fl);
}

void
lock_release(struct mboxlock *l)
{
	struct stat a, b;

	if (l->lockfd >= 0) {
		/* remove it only if it is still ours */
		if (fstat(l->lockfd, &a) == 0 && lstat(l->lockpath, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			unlink(l->lockpath);
		close(l->lockfd);
		l->lockfd = -1;
	}
	if (l->fd >= 0)
		close(l->fd);          /* which drops the fcntl lock */
	l->fd = -1;
	l->locked = 0;
}

/*
 * Write what the dot-lock says into fd: pid, host, and the mbox's
 * identity and size, the size a later delivery cuts back to if we die.
 */
static int
lock_content(struct mboxlock *l, int fd)
{
	char buf[512];
	struct stat st;
	int n;

	if (fstat(l->fd, &st) < 0)
		return fserr_set(l->e, 0, errno, "%s", l->path);
	l->size = st.st_size;
	if (fd < 0)
		return 0;
	n = snprintf(buf, sizeof buf, "yubin %ld %s %llu %llu %lld\n",
	    (long)getpid(), l->host, (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino, (long long)st.st_size);
	if (n < 0 || (size_t)n >= sizeof buf || ftruncate(fd, 0) < 0 ||
	    pwrite(fd, buf, (size_t)n, 0) != n)
		return fserr_set(l->e, 0, errno, "%s", l->lockpath);
	return 0;
}

/*
 * One attempt at DEST.lock.  The lock is written under a private name
 * and linked into place, so that it never exists without its content,
 * even for a delivery killed half-way (and link is safe on NFS).
 * Returns 1 taken, 0 busy, -1 error; EACCES means no dot-lock at all.
 */
static int
dot_lock_try(struct mboxlock *l, const char *tmp)
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
	if ((r = lock_content(l, fd)) == 0) {
		r = link(tmp, l->lockpath) == 0 ||
		    (fstat(fd, &st) == 0 && st.st_nlink == 2);
		if (!r && errno != EEXIST)
			r = -1;
	}
	err = errno;
	unlink(tmp);
	if (r == 1) {
		l->lockfd = fd;
		l->touched = time(NULL);
	} else
		close(fd);
	errno = err;
	return r;
}

/* Take DEST.lock, breaking it if stale, until the deadline. */
static int
dot_lock(struct mboxlock *l, double deadline)
{
	char *tmp = xmalloc(strlen(l->lockpath) + 32);
	long ms = 10;
	int r;

	sprintf(tmp, "%s.%ld.yubin", l->lockpath, (long)getpid());
	/* the deadline is checked on every round: a stale lock we may not
	 * remove (another user's, in a sticky directory) must not spin */
	while ((r = dot_lock_try(l, tmp)) == 0) {
		if (now_secs() >= deadline) {
			r = fserr_set(l->e, EX_TEMPFAIL, 0, "%s: lock timeout "
			    "(%s exists)", l->path, l->lockpath);
			break;
		}
		if (!stale_lock(l))
			backoff(&ms);
	}
	if (r < 0 && !l->e->ex) {
		/* a directory we may not write in: fcntl only (CAVEATS) */
		r = errno == EACCES || errno == EPERM ? 0 :
		    fserr_set(l->e, 0, errno, "%s", l->lockpath);
		if (r == 0)
			r = lock_content(l, -1);
	}
	free(tmp);
	return r < 0 ? -1 : 0;
}

/* Does DEST still name the file we locked?  A mail reader may have
 * replaced it (rename) while we waited for the lock. */
static int
same_file(struct mboxlock *l)
{
	struct stat a, b;

	return fstat(l->fd, &a) == 0 && stat(l->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int
mbox_lock1(struct mboxlock *l, double deadline)
{
	long ms = 10;

	if (open_mbox(l) < 0)
		return -1;
	while (fcntl_lock(l, F_WRLCK) < 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			return fserr_set(l->e, EX_TEMPFAIL, errno, "%s: lock",
			    l->path);
		if (now_secs() >= deadline)
			return fserr_set(l->e, EX_TEMPFAIL, 0, "%s: lock timeout "
			    "(locked by another process)", l->path);
		backoff(&ms);
	}
	return dot_lock(l, deadline);
}

int
lock_take(struct mboxlock *l, double timeout)
{
	double deadline = now_secs() + (timeout > 0 ? timeout : 30);
	int tries, r;

	for (tries = 0; tries < OPEN_TRIES; tries++) {
		r = mbox_lock1(l, deadline);
		l->locked = r == 0;
		if (r == 0 && same_file(l))
			return 0;
		lock_release(l);
		if (r < 0)
			return -1;
	}
	return fserr_set(l->e, EX_TEMPFAIL, 0, "%s: replaced while locking",
	    l->path);
}

void
lock_touch(struct mboxlock *l)
{
	time_t now;

	if (l->lockfd < 0)
		return;
	now = time(NULL);
	if (now - l->touched >= TOUCH_SECS) {
		futimens(l->lockfd, NULL);      /* best effort */
		l->touched = now;
	}
}


void
lock_init(struct mboxlock *l, const char *path, const char *host,
    int create, struct fserr *e)
{
	memset(l, 0, sizeof *l);
	l->path = path;
	l->host = host;
	l->create = create;
	l->e = e;
	l->fd = l->lockfd = -1;
	l->lockpath = xmalloc(strlen(path) + 6);
	strcpy(l->lockpath, path);
	strcat(l->lockpath, ".lock");
}

void
lock_free(struct mboxlock *l)
{
	if (l->locked)
		lock_release(l);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->lockpath);
	l->lockpath = NULL;
}

int
lock_run(const char *path, pid_t *holder, struct fserr *e)
{
	struct flock fl;
	char *dir = path_dir(path);
	int fd, r;

	*holder = 0;
	r = durable_mkdirs(dir, e);
	free(dir);
	if (r < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fserr_set(e, 0, errno, "%s", path);
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return fd;
	r = errno;
	if (r == EACCES || r == EAGAIN) {
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			*holder = fl.l_pid;
		close(fd);
		if (*holder == 0)
			*holder = -1;	/* released meanwhile: still busy */
		return fserr_set(e, EX_TEMPFAIL, 0, "%s: locked", path);
	}
	close(fd);
	return fserr_set(e, 0, r, "%s: lock", path);
}
