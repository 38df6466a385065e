/*
 * msg: see msg.h.  The reader works line by line because every consumer
 * (mbox splitting, mboxrd quoting, header/body split) needs line starts;
 * memchr over a large buffer keeps that fast.
 */
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
msg_init(struct msgin *m, int fd, size_t bufsize)
{
	memset(m, 0, sizeof *m);
	m->fd = fd;
	m->size = bufsize ? bufsize : 65536;
	m->buf = xmalloc(m->size);
}

void
msg_reset(struct msgin *m, int fd)
{
	char *buf = m->buf;
	size_t size = m->size;

	memset(m, 0, sizeof *m);
	m->buf = buf;
	m->size = size;
	m->fd = fd;
}

void
msg_free(struct msgin *m)
{
	free(m->buf);
	m->buf = NULL;
}

/* Move unread bytes to the front and read more.  0 ok, -1 error/EOF. */
static int
fill(struct msgin *m)
{
	ssize_t r;

	if (m->eof || m->err)
		return -1;
	if (m->start > 0) {
		memmove(m->buf, m->buf + m->start, m->end - m->start);
		m->end -= m->start;
		m->start = 0;
	}
	if (m->end == m->size)
		return 0;
	do
		r = read(m->fd, m->buf + m->end, m->size - m->end);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		m->err = errno;
		return -1;
	}
	if (r == 0) {
		m->eof = 1;
		return -1;
	}
	m->end += (size_t)r;
	m->nread += (unsigned long long)r;
	return 0;
}

int
msg_peek(struct msgin *m)
{
	if (m->start == m->end && fill(m) < 0)
		return -1;
	if (m->start == m->end)
		return -1;
	return (unsigned char)m->buf[m->start];
}

ssize_t
msg_line(struct msgin *m, const char **p)
{
	char *s, *lf;
	size_t n;

	for (;;) {
		s = m->buf + m->start;
		n = m->end - m->start;
		lf = memchr(s, '\n', n);
		if (lf != NULL)
			break;
		if (m->start == 0 && m->end == m->size)
			break;          /* a line longer than the buffer */
		if (fill(m) < 0)
			break;
	}
	if (m->err && m->start == m->end)
		return -1;
	s = m->buf + m->start;
	n = m->end - m->start;
	if (n == 0)
		return 0;
	if (lf != NULL) {
		n = (size_t)(lf - s) + 1;
		m->start += n;
		m->partial = 0;
		if (n >= 2 && s[n - 2] == '\r') {
			s[n - 2] = '\n';
			n--;
		}
	} else {
		/*
		 * A piece of a long line.  Hold back a trailing CR: it may be
		 * the first half of a CRLF split across reads.
		 */
		if (n > 1 && s[n - 1] == '\r' && !m->eof)
			n--;
		m->start += n;
		m->partial = 1;
	}
	*p = s;
	return (ssize_t)n;
}

int
msg_header(struct msgin *m, struct buf *hdr, struct buf *fromline,
    int *truncated)
{
	const char *p;
	ssize_t n;
	size_t k;
	int first = 1, inpiece = 0, trunc = 0;

	buf_reset(hdr);
	if (fromline)
		buf_reset(fromline);
	while ((n = msg_line(m, &p)) > 0) {
		int piece = m->partial;

		if (!inpiece && p[0] == '\n')
			break;          /* the empty line ends the header */
		if (first && !inpiece && n >= 5 && memcmp(p, "From ", 5) == 0) {
			/* the mbox separator line is envelope, not header */
			if (fromline) {
				k = (size_t)n;
				if (!piece && p[k - 1] == '\n')
					k--;
				buf_add(fromline, p, k);
			}
			inpiece = piece;
			for (k = (size_t)n; inpiece && k <= hdr->max &&
			    (n = msg_line(m, &p)) > 0; k += (size_t)n)
				inpiece = m->partial;
			first = 0;
			if (k <= hdr->max)
				continue;
			trunc = 1;      /* a From_ line without end */
			break;
		}
		first = 0;
		inpiece = piece;
		if (buf_add(hdr, p, (size_t)n) < 0) {
			trunc = 1;      /* endless input must not read on */
			break;
		}
	}
	if (truncated)
		*truncated = trunc;
	return n < 0 ? -1 : 0;
}

int
msg_header_file(const char *path, struct buf *hdr, int *truncated)
{
	struct msgin m;
	int fd, r, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Most headers fit in a few KiB; a small first read saves copying. */
	msg_init(&m, fd, 16384);
	r = msg_header(&m, hdr, NULL, truncated);
	saved = m.err;
	msg_free(&m);
	close(fd);
	if (r < 0)
		errno = saved;
	return r;
}
