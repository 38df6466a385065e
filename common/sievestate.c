/*
 * sievestate: see sievestate.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sievestate.h"
#include "util.h"

static unsigned long long
fnv(const char *p, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct entry {
	long long exp;
	unsigned long long h;
};

/* The lines of path (at most SSTATE_MAX); *n set.  NULL if none. */
static struct entry *
load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct entry *v = NULL;
	size_t cap = 0;
	char line[128];

	*n = 0;
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL) {
		long long exp;
		unsigned long long h;

		if (sscanf(line, "%lld %llx", &exp, &h) != 2)
			continue;
		if (*n == cap) {
			if (cap >= SSTATE_MAX * 2)
				break;
			cap = cap ? cap * 2 : 256;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[*n].exp = exp;
		v[*n].h = h;
		(*n)++;
	}
	fclose(f);
	return v;
}

int
sstate_seen(const char *path, const char *key, size_t n, time_t now)
{
	unsigned long long h = fnv(key, n);
	struct entry *v;
	size_t k, i;
	int seen = 0;

	v = load(path, &k);
	for (i = 0; i < k && !seen; i++)
		seen = v[i].h == h && v[i].exp > (long long)now;
	free(v);
	return seen;
}

static int
lock_state(const char *path, struct fserr *e)
{
	char *lp = xmalloc(strlen(path) + 6);
	struct flock fl;
	int fd;

	sprintf(lp, "%s.lock", path);
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fserr_set(e, EX_TEMPFAIL, errno, "%s", lp);
		free(lp);
		return -1;
	}
	free(lp);
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			close(fd);
			return fserr_set(e, EX_TEMPFAIL, errno, "%s: lock",
			    path);
		}
	}
	return fd;
}

int
sstate_add(const char *path, char *const *keys, const size_t *lens,
    const unsigned long long *secs, size_t n, time_t now, struct fserr *e)
{
	struct entry *v;
	size_t k, i, start = 0;
	struct buf b;
	char *dir;
	int fd, rc;

	if (n == 0)
		return 0;
	dir = path_dir(path);
	rc = durable_mkdirs(dir, e);
	free(dir);
	if (rc < 0 || (fd = lock_state(path, e)) < 0)
		return -1;
	v = load(path, &k);
	buf_init(&b, (size_t)(SSTATE_MAX + n + 1) * 40);
	if (k + n > SSTATE_MAX)
		start = k + n - SSTATE_MAX < k ? k + n - SSTATE_MAX : k;
	for (i = start; i < k; i++) {
		size_t j;
		int again = 0;

		if (v[i].exp <= (long long)now)
			continue;
		for (j = 0; j < n && !again; j++)
			again = v[i].h == fnv(keys[j], lens[j]);
		if (!again)
			buf_printf(&b, "%lld %016llx\n", v[i].exp, v[i].h);
	}
	for (i = 0; i < n; i++)
		buf_printf(&b, "%lld %016llx\n", (long long)now +
		    (long long)secs[i], fnv(keys[i], lens[i]));
	rc = durable_replace(path, b.p ? b.p : "", b.len, 0600, e);
	buf_free(&b);
	free(v);
	close(fd);
	return rc;
}
