/*
 * uidstate: the UIDL state file of popfetch (see uidstate.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uidstate.h"

#define HEADER		"# yubin popfetch state 1\n"
#define STATE_MAX	(256UL * 1024 * 1024)	/* a file over this is refused */

static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct uident *)a)->uid,
	    ((const struct uident *)b)->uid);
}

/* The fields of one line (TAB-separated) into f; returns how many. */
static size_t
split(const char *p, size_t len, const char *f[4], size_t fl[4])
{
	size_t k = 0, i = 0, st = 0;

	for (i = 0; i <= len && k < 4; i++) {
		if (i == len || p[i] == '\t') {
			f[k] = p + st;
			fl[k++] = i - st;
			st = i + 1;
		}
	}
	return i <= len ? 0 : k;	/* more than 4 fields: malformed */
}

static int
uid_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 70)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

static long long
number(const char *p, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* The entry of uid, made when missing (entries unsorted while parsing:
 * a linear search would be quadratic, so parse appends and dedups after
 * sorting, keeping the last record of each uid). */
static struct uident *
append(struct uidstate *s, size_t *cap, const char *uid, size_t n)
{
	struct uident *u;

	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		s->e = xrealloc(s->e, *cap * sizeof *s->e);
	}
	u = &s->e[s->n++];
	memset(u, 0, sizeof *u);
	memcpy(u->uid, uid, n);
	return u;
}

static int
line(struct uidstate *s, size_t *cap, const char *p, size_t len)
{
	const char *f[4];
	size_t fl[4], k = split(p, len, f, fl);
	struct uident *u;
	long long x;

	if (k < 3 || fl[0] != 1 || !uid_ok(f[1], fl[1]))
		return -1;
	x = number(f[k - 1], fl[k - 1]);
	if (x < 0)
		return -1;
	if (f[0][0] == 'D' && k == 3) {
		u = append(s, cap, f[1], fl[1]);
		u->done = 1;
		u->first = x;
		return 0;
	}
	if (f[0][0] == 'I' && k == 4 && fl[2] > 0 &&
	    fl[2] <= 1024 && memchr(f[2], '\0', fl[2]) == NULL) {
		u = append(s, cap, f[1], fl[1]);
		u->token = xstrndup(f[2], fl[2]);
		u->off = x;
		return 0;
	}
	return -1;
}

/* Records in file order, then by uid: the last of a uid is its state. */
static int
cmp_pos(const void *a, const void *b)
{
	const struct uident *x = a, *y = b;
	int c = strcmp(x->uid, y->uid);

	return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * One entry per uid: its last record, with the first-seen date of its
 * first D (a message delivered again keeps it).  An intent last means
 * "not known to be delivered": the caller resolves it.  Duplicates and
 * intents make the state dirty (compact it).
 */
static void
dedup(struct uidstate *s)
{
	size_t i, j, a, o = 0;
	long long first;

	if (s->n == 0)
		return;
	for (i = 0; i < s->n; i++)
		s->e[i].pos = i;
	qsort(s->e, s->n, sizeof *s->e, cmp_pos);
	for (i = 0; i < s->n; i = j) {
		for (j = i + 1; j < s->n && strcmp(s->e[j].uid,
		    s->e[i].uid) == 0; j++)
			;
		first = 0;
		for (a = i; a < j; a++)
			if (s->e[a].done) {
				first = s->e[a].first;
				break;
			}
		for (a = i; a + 1 < j; a++) {
			free(s->e[a].token);
			s->e[a].token = NULL;
		}
		s->e[o] = s->e[j - 1];
		if (s->e[o].done)
			s->e[o].first = first;
		if (j - i > 1 || !s->e[o].done)
			s->dirty = 1;
		o++;
	}
	s->n = o;
}

/* Free the entries and their tokens. */
static void
drop(struct uidstate *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].token);
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

int
uidstate_parse(struct uidstate *s, const char *p, size_t len)
{
	const char *nl;
	size_t l, cap = 0;

	drop(s);
	if (len == 0)
		return 0;
	if (len < sizeof HEADER - 1 || memcmp(p, HEADER, sizeof HEADER - 1))
		return -1;
	p += sizeof HEADER - 1;
	len -= sizeof HEADER - 1;
	while (len > 0) {
		nl = memchr(p, '\n', len);
		if (nl == NULL) {
			s->dirty = 1;	/* torn by a crash */
			break;
		}
		l = (size_t)(nl - p);
		if (line(s, &cap, p, l) != 0)
			s->dirty = 1;
		p += l + 1;
		len -= l + 1;
	}
	dedup(s);
	return 0;
}

int
uidstate_load(struct uidstate *s, const char *path, struct fserr *e)
{
	struct stat st;
	char *buf = NULL, *dir;
	ssize_t r;
	size_t got = 0;
	int fd;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->err = e;
	s->path = xstrdup(path);
	buf_init(&s->pend, SIZE_MAX);
	dir = path_dir(path);
	if (durable_mkdirs(dir, e) < 0) {
		free(dir);
		return -1;
	}
	free(dir);
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return fserr_set(e, 0, errno, "%s", path);
	}
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > STATE_MAX) {
		close(fd);
		return fserr_set(e, EX_CANTCREAT, 0, "%s: not a state file "
		    "(not a regular file, or over 256 MiB)", path);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (r = pread(fd, buf + got, (size_t)st.st_size - got,
	    (off_t)got)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return fserr_set(e, EX_IOERR, errno, "%s", path);
		}
		got += (size_t)r;
	}
	s->fd = fd;
	if (uidstate_parse(s, buf, got) != 0) {
		free(buf);
		return fserr_set(e, EX_CONFIG, 0, "%s: not a popfetch state "
		    "file (its first line is not \"%.*s\")", path,
		    (int)sizeof HEADER - 2, HEADER);
	}
	if (got == 0)
		s->dirty = 1;	/* write the header */
	free(buf);
	return 0;
}

struct uident *
uidstate_find(struct uidstate *s, const char *uid, size_t len)
{
	struct uident k;

	if (len == 0 || len >= sizeof k.uid || s->n == 0)
		return NULL;
	memset(&k, 0, sizeof k);
	memcpy(k.uid, uid, len);
	k.uid[len] = '\0';
	return bsearch(&k, s->e, s->n, sizeof *s->e, cmp);
}

int
uidstate_compact(struct uidstate *s)
{
	struct buf b;
	size_t i, o = 0;
	int fd, r;

	buf_init(&b, SIZE_MAX);
	(void)buf_adds(&b, HEADER);
	for (i = 0; i < s->n; i++) {
		free(s->e[i].token);
		s->e[i].token = NULL;
		if (!s->e[i].live || !s->e[i].done)
			continue;
		(void)buf_printf(&b, "D\t%s\t%lld\n", s->e[i].uid,
		    s->e[i].first);
		s->e[o++] = s->e[i];
	}
	s->n = o;
	r = durable_replace(s->path, b.p, b.len, 0600, s->err);
	buf_free(&b);
	if (r < 0)
		return -1;
	/* the old descriptor is of the file replaced */
	fd = open(s->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fserr_set(s->err, 0, errno, "%s", s->path);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	s->dirty = 0;
	return 0;
}

void
uidstate_add(struct uidstate *s, int kind, const char *uid,
    const char *token, long long x)
{
	int r;

	if (kind == 'I')
		r = buf_printf(&s->pend, "I\t%s\t%s\t%lld\n", uid, token, x);
	else
		r = buf_printf(&s->pend, "D\t%s\t%lld\n", uid, x);
	if (r != 0)
		die(EX_SOFTWARE, "uidstate: a record too long");
}

int
uidstate_sync(struct uidstate *s)
{
	if (s->pend.len == 0)
		return 0;
	if (write_all(s->fd, s->pend.p, s->pend.len) < 0)
		return fserr_set(s->err, 0, errno, "%s", s->path);
	if (fdatasync(s->fd) < 0)
		return fserr_set(s->err, EX_TEMPFAIL, errno, "%s: fsync",
		    s->path);
	buf_reset(&s->pend);
	return 0;
}

void
uidstate_free(struct uidstate *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	drop(s);
	free(s->path);
	s->path = NULL;
	buf_free(&s->pend);
}
