/*
 * msg: see msg.h.  The reader works line by line because every consumer
 * (mbox splitting, mboxrd quoting, header/body split) needs line starts;
 * memchr over a large buffer keeps that fast.
 */
#include "msg.h"
#include "hdr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
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
		r = m->src != NULL ?
		    m->src(m->srcarg, m->buf + m->end, m->size - m->end) :
		    read(m->fd, m->buf + m->end, m->size - m->end);
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

/* Read more unless the buffer is full: 1 if unread bytes were added. */
static int
grow(struct msgin *m)
{
	size_t had = m->end - m->start;

	return fill(m) == 0 && m->end - m->start > had;
}

/* Are there at least n unread bytes (reading for them)? */
static int
have(struct msgin *m, size_t n)
{
	while (m->end - m->start < n)
		if (!grow(m))
			return 0;
	return 1;
}

/*
 * At the start of the input, drop a UTF-8 byte order mark: editors on
 * some systems write one, and it would make the first field a line that
 * is not a field, which ends the header at once.
 */
static void
bom(struct msgin *m)
{
	if (m->begun)
		return;
	m->begun = 1;
	if (have(m, 3) && memcmp(m->buf + m->start, "\xef\xbb\xbf", 3) == 0)
		m->start += 3;
}

void
msg_source(struct msgin *m, msg_src *src, void *arg)
{
	msg_reset(m, -1);
	m->src = src;
	m->srcarg = arg;
}

/*
 * What the first line (after b bytes: a byte order mark) is: 0 not a
 * "From " line, or one that is a field ("From : a@b"); 1 an envelope
 * line; 2 a "From " line without its LF in the buffer.
 */
static int
from_kind(struct msgin *m, size_t b)
{
	const char *p, *lf;

	if (!have(m, b + 5) || memcmp(m->buf + m->start + b, "From ", 5) != 0)
		return 0;
	for (;;) {
		p = m->buf + m->start + b;
		lf = memchr(p, '\n', m->end - m->start - b);
		if (lf != NULL)
			break;
		if (m->end - m->start == m->size || !grow(m))
			return 2;
	}
	return hdr_line(p, (size_t)(lf - p) + 1, 0) == HDR_FROM;
}

int
msg_fromline(struct msgin *m)
{
	size_t b = 0;

	if (!m->begun && have(m, 3) &&
	    memcmp(m->buf + m->start, "\xef\xbb\xbf", 3) == 0)
		b = 3;
	return from_kind(m, b) == 1;
}

int
msg_crlf(struct msgin *m)
{
	const char *lf;

	for (;;) {
		lf = memchr(m->buf + m->start, '\n', m->end - m->start);
		if (lf != NULL || m->end - m->start == m->size || !grow(m))
			break;
	}
	return lf != NULL && lf > m->buf + m->start && lf[-1] == '\r';
}

ssize_t
msg_read(struct msgin *m, const char **p)
{
	size_t n;

	m->begun = 1;
	if (m->start == m->end && fill(m) < 0)
		return m->err ? -1 : 0;
	n = m->end - m->start;
	*p = m->buf + m->start;
	m->start = m->end;
	return (ssize_t)n;
}

int
msg_peek(struct msgin *m)
{
	bom(m);
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

	bom(m);
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
		if (n >= 2 && s[n - 2] == '\r' && m->src == NULL) {
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

/* What the next, unread line is to hdr_line(), reading ahead as far as
 * the buffer allows. */
static int
next_kind(struct msgin *m)
{
	int k;

	for (;;) {
		k = hdr_line(m->buf + m->start, m->end - m->start,
		    !m->eof && !m->err);
		if (k != HDR_MORE)
			return k;
		if (!grow(m))   /* a full buffer: decide on what it holds */
			return hdr_line(m->buf + m->start,
			    m->end - m->start, 0);
	}
}

/*
 * Consume the next line, all its pieces, into b (if not NULL).  Reading
 * stops once the line passes max bytes or b's cap, with *trunc set: the
 * input may be endless (/dev/zero), and must not be read on.  Returns
 * as msg_line().
 */
static ssize_t
take_line(struct msgin *m, struct buf *b, int nolf, size_t max, int *trunc)
{
	const char *p;
	ssize_t n;
	size_t total = 0;

	while ((n = msg_line(m, &p)) > 0) {
		size_t k = (size_t)n;
		int piece = m->partial;

		if (nolf && !piece && p[k - 1] == '\n')
			k--;
		total += k;
		if ((b && buf_add(b, p, k) < 0) || total > max) {
			*trunc = 1;
			break;
		}
		if (!piece)
			break;
	}
	return n;
}

int
msg_hdrkind(struct msgin *m, const char **l, size_t n, struct buf *keep)
{
	struct buf b;
	int k = hdr_line(*l, n, 1);

	if (k != HDR_MORE)
		return k;
	/* reading ahead may move the buffer that *l points into */
	buf_reset(keep);
	if (buf_add(keep, *l, n) < 0)
		return HDR_BODY;
	*l = keep->p;
	buf_init(&b, n + m->size);
	for (;;) {
		buf_reset(&b);
		buf_add(&b, keep->p, n);
		buf_add(&b, m->buf + m->start, m->end - m->start);
		k = hdr_line(b.p, b.len, !m->eof && !m->err);
		if (k != HDR_MORE)
			break;
		if (!grow(m)) {
			k = hdr_line(b.p, b.len, 0);
			break;
		}
	}
	buf_free(&b);
	return k;
}

/*
 * The fast way through a header: take the complete lines in the buffer
 * that next_kind() calls fields, continuations or "From " lines, as
 * take_line() would, but copied into hdr in runs, one buf_add() a run
 * (a CRLF line ends a run before its CR, and the next run starts at its
 * LF).  The answers are next_kind()'s: nothing is read meanwhile, so
 * each line is classified on the same buffered bytes.  It stops before
 * any other line and leaves to the slow way a line without its LF, one
 * that asks to read ahead (HDR_MORE), and one that would pass hdr's
 * cap, so that what is taken is always whole lines that fit.  Returns
 * whether a line was taken.
 */
static int
take_run(struct msgin *m, struct buf *hdr)
{
	const char *p = m->buf + m->start, *end = m->buf + m->end;
	const char *run = p, *lf;
	int more = !m->eof && !m->err, k, crlf;

	while (p < end) {
		k = hdr_line(p, (size_t)(end - p), more);
		if (k != HDR_FIELD && k != HDR_FOLD && k != HDR_FROM)
			break;
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		crlf = lf > p && lf[-1] == '\r' && m->src == NULL;
		/* the run with this line, normalised, must fit */
		if ((size_t)(lf + 1 - run) - crlf > hdr->max - hdr->len)
			break;
		if (crlf) {
			buf_add(hdr, run, (size_t)(lf - 1 - run));
			run = lf;
		}
		p = lf + 1;
	}
	if (p == m->buf + m->start)
		return 0;
	buf_add(hdr, run, (size_t)(p - run));
	m->start = (size_t)(p - m->buf);
	m->partial = 0;
	return 1;
}

int
msg_header(struct msgin *m, struct buf *hdr, struct buf *fromline,
    int *truncated)
{
	ssize_t n = 1;
	int k, trunc = 0;

	buf_reset(hdr);
	m->blank = 0;
	if (fromline)
		buf_reset(fromline);
	m->hdrbody = 0;
	bom(m);
	/* the mbox separator line is envelope, not header; a field of the
	 * obsolete syntax ("From : a@b") is header */
	if (from_kind(m, 0) != 0)
		n = take_line(m, fromline, 1, hdr->max, &trunc);
	while (!trunc && n > 0) {
		if (take_run(m, hdr))
			continue;
		if ((k = next_kind(m)) == HDR_BODY) {
			m->hdrbody = m->start < m->end;
			break;
		}
		if (k == HDR_EMPTY) {
			n = take_line(m, NULL, 0, SIZE_MAX, &trunc);
			m->blank = n > 0;
			break;
		}
		/* past the cap, stop: the reader is left inside the header */
		n = take_line(m, hdr, 0, hdr->max, &trunc);
	}
	if (m->err && m->start == m->end)
		n = -1;
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
