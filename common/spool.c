/*
 * spool: see spool.h.  In file mode the memory buffer is the file's
 * write buffer, and at replay its read buffer, so memory stays at the
 * cap whatever the size of what is spooled.
 */
#include "spool.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
spool_init(struct spool *sp, size_t cap)
{
	sp->cap = cap > 0 ? cap : 1;
	sp->mem = NULL;
	sp->len = sp->size = 0;
	sp->fd = -1;
	sp->flen = 0;
	sp->map = NULL;
	sp->maplen = 0;
}

void
spool_free(struct spool *sp)
{
	spool_unmap(sp);
	free(sp->mem);
	sp->mem = NULL;
	sp->len = sp->size = 0;
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->flen = 0;
}

/* A temporary file that is gone as soon as it is closed. */
static int
make_file(struct spool *sp)
{
	const char *dir = getenv("TMPDIR");
	struct buf path;
	int saved;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	buf_init(&path, 4096);
	if (buf_printf(&path, "%s/yubin-spool.XXXXXX", dir) < 0) {
		buf_free(&path);
		errno = ENAMETOOLONG;
		return -1;
	}
	sp->fd = mkstemp(path.p);
	saved = errno;
	if (sp->fd >= 0)
		unlink(path.p);
	buf_free(&path);
	errno = saved;
	return sp->fd < 0 ? -1 : 0;
}

/* Move the memory buffer to the end of the file. */
static int
drain(struct spool *sp)
{
	size_t done = 0;

	if (sp->fd < 0 && make_file(sp) < 0)
		return -1;
	while (done < sp->len) {
		ssize_t w = pwrite(sp->fd, sp->mem + done, sp->len - done,
		    sp->flen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)w;
		sp->flen += w;
	}
	sp->len = 0;
	return 0;
}

/* Room for n more bytes in memory, up to the cap: the bytes taken. */
static size_t
grow(struct spool *sp, size_t n)
{
	size_t want = sp->len + (n < sp->cap - sp->len ? n : sp->cap - sp->len);
	size_t size = sp->size ? sp->size : sp->cap < 4096 ? sp->cap : 4096;

	if (want <= sp->size)
		return want - sp->len;
	while (size < want)
		size = size > sp->cap / 2 ? sp->cap : size * 2;
	sp->mem = xrealloc(sp->mem, size);
	sp->size = size;
	return want - sp->len;
}

int
spool_write(struct spool *sp, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		size_t k = grow(sp, n);

		if (k == 0) {
			if (drain(sp) < 0)
				return -1;
			continue;
		}
		memcpy(sp->mem + sp->len, c, k);
		sp->len += k;
		c += k;
		n -= k;
	}
	return 0;
}

unsigned long long
spool_len(const struct spool *sp)
{
	return (unsigned long long)sp->flen + sp->len;
}

int
spool_infile(const struct spool *sp)
{
	return sp->fd >= 0 && sp->flen > 0;
}

int
spool_replay(struct spool *sp, int (*emit)(void *, const char *, size_t),
    void *arg)
{
	off_t off = 0;
	ssize_t r;

	if (sp->flen == 0)
		return sp->len ? emit(arg, sp->mem, sp->len) : 0;
	/* the file is only made once memory is full: mem has cap bytes */
	if (drain(sp) < 0)
		return -1;
	while (off < sp->flen) {
		r = pread(sp->fd, sp->mem, sp->cap, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;    /* the file shrank under us */
			return -1;
		}
		if (emit(arg, sp->mem, (size_t)r) < 0)
			return -1;
		off += r;
	}
	return 0;
}

int
spool_fd(struct spool *sp)
{
	if (drain(sp) < 0)
		return -1;
	/* the spool reads and writes at offsets: the file's own offset is
	 * only moved by whoever read it last */
	if (lseek(sp->fd, 0, SEEK_SET) < 0)
		return -1;
	return sp->fd;
}

int
spool_map(struct spool *sp, const char **p, size_t *len)
{
	void *m;

	spool_unmap(sp);
	if (sp->flen == 0) {
		*p = sp->mem ? sp->mem : "";
		*len = sp->len;
		return 0;
	}
	if (drain(sp) < 0)
		return -1;
	if ((unsigned long long)sp->flen > (size_t)-1) {
		errno = EFBIG;
		return -1;
	}
	m = mmap(NULL, (size_t)sp->flen, PROT_READ, MAP_PRIVATE, sp->fd, 0);
	if (m == MAP_FAILED)
		return -1;
	sp->map = m;
	sp->maplen = (size_t)sp->flen;
	*p = m;
	*len = sp->maplen;
	return 0;
}

void
spool_unmap(struct spool *sp)
{
	if (sp->map != NULL)
		munmap(sp->map, sp->maplen);
	sp->map = NULL;
	sp->maplen = 0;
}

void
spool_reset(struct spool *sp)
{
	spool_unmap(sp);
	sp->len = 0;
	if (sp->fd >= 0 && sp->flen > 0 && ftruncate(sp->fd, 0) < 0) {
		close(sp->fd);          /* start afresh with a new file */
		sp->fd = -1;
	}
	sp->flen = 0;
}
