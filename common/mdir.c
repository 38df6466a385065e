/*
 * mdir: see mdir.h.  Names go into one pool, not one allocation each;
 * the pointers are made once the pool has stopped moving.
 */
#include "mdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MDIR_POOL_MAX ((size_t)1 << 30)

static const char *mdir_sub[2] = { "cur", "new" };

static int
add_path(struct mdir *l, const char *dir, int sub, const char *name)
{
	size_t dlen = strlen(dir), start = l->pool.len;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (buf_add(&l->pool, dir, dlen) < 0 ||
	    buf_addc(&l->pool, '/') < 0 ||
	    buf_adds(&l->pool, mdir_sub[sub]) < 0 ||
	    buf_addc(&l->pool, '/') < 0 ||
	    buf_add(&l->pool, name, strlen(name) + 1) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 256;
		l->off = xrealloc(l->off, l->alloc * sizeof *l->off);
		l->msg = xrealloc(l->msg, l->alloc * sizeof *l->msg);
	}
	l->off[l->n] = start;
	l->msg[l->n].name = NULL;
	l->msg[l->n].dirfd = dirfd(l->dir[sub]);
	l->n++;
	return 0;
}

/* List one subdirectory; 1 if it was read, 0 if absent, -1 on error. */
static int
list_sub(struct mdir *l, const char *dir, int sub)
{
	struct buf path;
	struct dirent *d;
	int r = 1;

	buf_init(&path, MDIR_POOL_MAX);
	if (buf_printf(&path, "%s/%s", dir, mdir_sub[sub]) < 0)
		return -1;
	l->dir[sub] = opendir(path.p);
	buf_free(&path);
	if (l->dir[sub] == NULL)
		return errno == ENOENT ? 0 : -1;
	for (errno = 0; r == 1 && (d = readdir(l->dir[sub])) != NULL;
	    errno = 0) {
		if (d->d_name[0] == '.')
			continue;
#ifdef DT_DIR
		if (d->d_type == DT_DIR)
			continue;
#endif
		if (add_path(l, dir, sub, d->d_name) < 0)
			r = -1;
	}
	return errno != 0 ? -1 : r;
}

static int
cmp(const void *a, const void *b)
{
	const struct mdir_msg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->path, y->path);
}

int
mdir_list(const char *dir, struct mdir *l)
{
	size_t i, dlen = strlen(dir);
	int cur, nw;

	memset(l, 0, sizeof *l);
	buf_init(&l->pool, MDIR_POOL_MAX);
	if ((cur = list_sub(l, dir, 0)) < 0 || (nw = list_sub(l, dir, 1)) < 0)
		return -1;
	if (cur == 0 && nw == 0) {
		errno = ENOENT;
		return -1;
	}
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (i = 0; i < l->n; i++) {
		l->msg[i].path = l->pool.p + l->off[i];
		l->msg[i].name = l->msg[i].path + dlen + 5;   /* "/cur/" */
	}
	qsort(l->msg, l->n, sizeof *l->msg, cmp);
	return 0;
}

void
mdir_free(struct mdir *l)
{
	int i;

	for (i = 0; i < 2; i++)
		if (l->dir[i] != NULL)
			closedir(l->dir[i]);
	free(l->msg);
	free(l->off);
	buf_free(&l->pool);
	memset(l, 0, sizeof *l);
}
