/*
 * durable: see durable.h.
 */
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
fserr_set(struct fserr *e, int ex, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (err && n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", errtext(err));
	e->ex = ex ? ex : errno_exit(err);
	return -1;
}

int
fserr_exit(const struct fserr *e)
{
	return e->ex ? e->ex : EX_SOFTWARE;
}

char *
path_join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *p = xmalloc(na + nb + 2);

	memcpy(p, a, na);
	p[na] = '/';
	memcpy(p + na + 1, b, nb + 1);
	return p;
}

char *
path_dir(const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return xstrdup(".");
	if (sl == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(sl - path));
}

/*
 * A symbolic link whose target is missing.  It is never followed to
 * create a mailbox: in a directory others may write in (/var/mail is
 * often 1777), such a link would make us create one wherever it points.
 */
int
path_dangling(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    stat(path, &st) < 0 && errno == ENOENT;
}


int
durable_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r, saved;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
durable_mkdirs(const char *dir, struct fserr *e)
{
	struct stat st;
	char *parent;
	int r;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return fserr_set(e, EX_CANTCREAT, ENOTDIR, "%s", dir);
	}
	if (errno != ENOENT)
		return fserr_set(e, 0, errno, "%s", dir);
	parent = path_dir(dir);
	r = strcmp(parent, dir) == 0 ? 0 : durable_mkdirs(parent, e);
	if (r == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
		r = fserr_set(e, 0, errno, "mkdir %s", dir);
	else if (r == 0 && durable_sync_dir(parent) < 0)
		r = fserr_set(e, EX_TEMPFAIL, errno, "%s: fsync", parent);
	free(parent);
	return r;
}

int
durable_replace(const char *path, const void *p, size_t n, mode_t mode,
    struct fserr *e)
{
	char *tmp = xmalloc(strlen(path) + 32), *dir;
	int fd, r = 0;

	sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC, mode);
	if (fd < 0) {
		r = fserr_set(e, 0, errno, "%s", tmp);
		free(tmp);
		return r;
	}
	if (write_all(fd, p, n) < 0)
		r = fserr_set(e, 0, errno, "%s", tmp);
	else if (fsync(fd) < 0)
		r = fserr_set(e, EX_TEMPFAIL, errno, "%s: fsync", tmp);
	if (close(fd) < 0 && r == 0)
		r = fserr_set(e, EX_TEMPFAIL, errno, "%s", tmp);
	if (r == 0 && rename(tmp, path) < 0)
		r = fserr_set(e, 0, errno, "%s", path);
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		return r;
	}
	free(tmp);
	dir = path_dir(path);
	if (durable_sync_dir(dir) < 0)
		r = fserr_set(e, EX_TEMPFAIL, errno, "%s: fsync", dir);
	free(dir);
	return r;
}
