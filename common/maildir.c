/*
 * maildir: see maildir.h.
 */
#if defined(__linux__)
#define _GNU_SOURCE             /* syncfs(2) */
#endif
#include "maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
maildir_escape_host(char *buf, size_t n, const char *host)
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

void
maildir_hostname(char *buf, size_t n)
{
	char host[256];

	if (gethostname(host, sizeof host) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	if (maildir_escape_host(buf, n, host) < 0)
		snprintf(buf, n, "localhost");
}

int
maildir_uniqname(char *buf, size_t n, long long sec, long usec, long pid,
    unsigned long q, const char *host)
{
	int r = snprintf(buf, n, "%lld.M%ldP%ldQ%lu.%s", sec, usec, pid, q,
	    host);

	return r < 0 || (size_t)r >= n ? -1 : r;
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
make_maildir(struct maildir *md, const char *dir)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	size_t i;
	int r = durable_mkdirs(dir, md->e);

	for (i = 0; r == 0 && i < 3; i++) {
		char *p = path_join(dir, sub[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			r = fserr_set(md->e, 0, errno, "mkdir %s", p);
		free(p);
	}
	if (r == 0 && durable_sync_dir(dir) < 0)
		r = fserr_set(md->e, EX_TEMPFAIL, errno, "%s: fsync", dir);
	return r;
}

static int
make_folder(struct maildir *md)
{
	char *marker;
	int fd, r = 0;

	if (md->root && make_maildir(md, md->root) < 0)
		return -1;
	if (make_maildir(md, md->path) < 0)
		return -1;
	if (md->root == NULL)
		return 0;
	marker = path_join(md->path, "maildirfolder");
	fd = open(marker, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		r = fserr_set(md->e, 0, errno, "%s", marker);
	else if (close(fd) < 0 || durable_sync_dir(md->path) < 0)
		r = fserr_set(md->e, EX_TEMPFAIL, errno, "%s", marker);
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
maildir_fail(struct maildir *md, int err)
{
	if (err == ENOENT)
		return fserr_set(md->e, EX_CANTCREAT, 0, "%s: not a Maildir (no tmp/ "
		    "and new/; -c creates one)", md->path);
	if (err == ENOTDIR)
		return fserr_set(md->e, EX_CANTCREAT, 0, "%s: not a directory "
		    "(-m delivers to an mbox file)", md->path);
	return fserr_set(md->e, EX_CANTCREAT, err, "%s", md->path);
}

/* Open DEST/tmp and DEST/new; -1 with errno set. */
static int
maildir_opendirs(struct maildir *md)
{
	int err;

	if ((md->tmpfd = open_subdir(md->path, "tmp")) < 0)
		return -1;
	if ((md->newfd = open_subdir(md->path, "new")) >= 0)
		return 0;
	err = errno;
	close(md->tmpfd);
	md->tmpfd = -1;
	errno = err;
	return -1;
}

/*
 * A missing Maildir is created (-c) by maildir_create(), not here: a run that delivers nothing (input that is not a message)
 * leaves nothing behind.
 */
int
maildir_open(struct maildir *md, const char *path, int create,
    struct fserr *e)
{
	int err;

	memset(md, 0, sizeof *md);
	md->path = path;
	md->create = create;
	md->e = e;
	md->tmpfd = md->newfd = md->curfd = -1;
	maildir_hostname(md->host, sizeof md->host);
	md->root = maildirpp_root(md->path);
	if (maildir_opendirs(md) == 0)
		return 0;
	err = errno;
	/* only a Maildir that cannot be opened can be behind a dangling
	 * link: the lstat costs nothing to one that can */
	if (err == ENOENT && (path_dangling(md->path) ||
	    (md->root && path_dangling(md->root))))
		return fserr_set(md->e, EX_CANTCREAT, 0, "%s: a symbolic link to a "
		    "missing directory (not followed to create the Maildir)",
		    path_dangling(md->path) ? md->path : md->root);
	if (err != ENOENT || !md->create)
		return maildir_fail(md, err);
	md->missing = 1;
	return 0;
}

/* The first message into a missing Maildir: create it, once. */
int
maildir_create(struct maildir *md)
{
	if (make_folder(md) < 0)
		return -1;
	return maildir_opendirs(md) < 0 ? maildir_fail(md, errno) : 0;
}


int
maildir_tmp(struct maildir *md, struct maildir_msg *m)
{
	char name[400];
	struct timespec ts;
	int tries, err;

	m->name = NULL;
	m->fd = -1;
	for (tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (maildir_uniqname(name, sizeof name, (long long)ts.tv_sec,
		    ts.tv_nsec / 1000, (long)getpid(), ++md->q, md->host) < 0)
			return fserr_set(md->e, EX_SOFTWARE, 0, "host name too "
			    "long");
		m->fd = openat(md->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOCTTY | O_CLOEXEC, 0600);
		if (m->fd >= 0) {
			m->name = xstrdup(name);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	err = errno;
	fserr_set(md->e, 0, err, "%s/tmp/%s", md->path, name);
	errno = err;
	return -1;
}

void
maildir_drop(struct maildir *md, struct maildir_msg *m, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (m[i].fd >= 0)
			close(m[i].fd);
		m[i].fd = -1;
		if (m[i].name)
			unlinkat(md->tmpfd, m[i].name, 0);
		free(m[i].name);
		m[i].name = NULL;
	}
}

/*
 * For a batch, one syncfs(2) writes back and commits all of them in one
 * journal transaction (on ext4 one commit instead of one per file; see
 * BATCH in maildeliver.c for the measurements).  The fdatasync of each
 * file that follows finds little left to do, but it is what reports a
 * writeback error on that file on every kernel (syncfs itself reports
 * errors only since Linux 5.8), so the guarantee does not rest on syncfs.
 */
int
maildir_sync(struct maildir *md, struct maildir_msg *m, unsigned n)
{
	unsigned i;

#if defined(__linux__)
	if (n > 1 && syncfs(md->tmpfd) < 0)
		return fserr_set(md->e, EX_TEMPFAIL, errno, "%s: syncfs",
		    md->path);
#endif
	for (i = 0; i < n; i++) {
		if (m[i].fd < 0)
			continue;
		if (fdatasync(m[i].fd) < 0 || close(m[i].fd) < 0) {
			int err = errno;

			m[i].fd = -1;
			return fserr_set(md->e, EX_TEMPFAIL, err, "%s/tmp/%s: "
			    "fsync", md->path, m[i].name);
		}
		m[i].fd = -1;
	}
	return 0;
}

int
maildir_flags(char *out, const char *in)
{
	char seen[128] = { 0 };
	size_t o = 0;
	int c;

	for (; *in; in++) {
		c = (unsigned char)*in;
		if (c >= 128 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z')))
			return -1;
		seen[c] = 1;
	}
	for (c = 'A'; c <= 'z'; c++)
		if (seen[c])
			out[o++] = (char)c;
	out[o] = '\0';
	return 0;
}

/* A message's name in its directory: NAME, or NAME:2,FLAGS in cur/. */
static int
has_flags(const struct maildir_msg *m)
{
	return m->flags != NULL && m->flags[0] != '\0';
}

static char *
final_name(const struct maildir_msg *m)
{
	char *s;

	if (!has_flags(m))
		return xstrdup(m->name);
	s = xmalloc(strlen(m->name) + strlen(m->flags) + 4);
	sprintf(s, "%s:2,%s", m->name, m->flags);
	return s;
}

char *
maildir_msgpath(const struct maildir *md, const struct maildir_msg *m)
{
	char *name = final_name(m);
	char *full = xmalloc(strlen(md->path) + strlen(name) + 6);

	sprintf(full, "%s/%s/%s", md->path, has_flags(m) ? "cur" : "new",
	    name);
	free(name);
	return full;
}

void
maildir_unpublish(struct maildir *md, struct maildir_msg *m, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		char *name = final_name(&m[i]);

		unlinkat(has_flags(&m[i]) ? md->curfd : md->newfd, name, 0);
		free(name);
	}
}

int
maildir_publish(struct maildir *md, struct maildir_msg *m, unsigned n)
{
	unsigned done;
	int r = 0, cur = 0, nw = 0;

	/* only a directory that a rename changed needs its fsync: a flagged
	 * delivery goes to cur/ alone, and new/ is left as it was */
	for (done = 0; done < n; done++) {
		char *name;
		int fd = md->newfd;

		if (has_flags(&m[done])) {
			/* read only here: a Maildir without cur/ still
			 * takes new mail */
			if (md->curfd < 0 &&
			    (md->curfd = open_subdir(md->path, "cur")) < 0) {
				r = fserr_set(md->e, EX_CANTCREAT, errno,
				    "%s/cur", md->path);
				break;
			}
			fd = md->curfd;
			cur = 1;
		} else
			nw = 1;
		name = final_name(&m[done]);
		if (renameat(md->tmpfd, m[done].name, fd, name) < 0)
			r = fserr_set(md->e, 0, errno, "%s/%s/%s", md->path,
			    fd == md->newfd ? "new" : "cur", name);
		free(name);
		if (r < 0)
			break;
	}
	if (r == 0 && nw && fsync(md->newfd) < 0)
		r = fserr_set(md->e, EX_TEMPFAIL, errno, "%s/new: fsync",
		    md->path);
	if (r == 0 && cur && fsync(md->curfd) < 0)
		r = fserr_set(md->e, EX_TEMPFAIL, errno, "%s/cur: fsync",
		    md->path);
	if (r < 0) {
		/* visible but not durable: take back */
		maildir_unpublish(md, m, done);
		maildir_drop(md, m + done, n - done);
	}
	return r;
}

void
maildir_close(struct maildir *md)
{
	if (md->tmpfd >= 0)
		close(md->tmpfd);
	if (md->newfd >= 0)
		close(md->newfd);
	if (md->curfd >= 0)
		close(md->curfd);
	md->tmpfd = md->newfd = md->curfd = -1;
	free(md->root);
	md->root = NULL;
}
