/*
 * linein: a stream read a line at a time (see linein.h).
 */
#include <stdio.h>
#include <string.h>

#include "hdr.h"
#include "linein.h"
#include "util.h"

void
linein_init(struct linein *li, FILE *fp, const char *name, int crlf)
{
	li->fp = fp;
	li->name = name;
	li->crlf = crlf;
	li->r = li->w = 0;
	buf_init(&li->back, 4 * LINEIN_CHUNK);
	li->backr = 0;
}

void
linein_free(struct linein *li)
{
	buf_free(&li->back);
}

/*
 * Bytes read ahead and given back: where a header ends is decided by the
 * lines after a field name (hdr_line), and a line that ends the header
 * is the body's first.  linein_get() reads them again first.
 */
static void
unread(struct linein *li, const char *p, size_t n)
{
	struct buf nb;

	buf_init(&nb, 4 * LINEIN_CHUNK);
	if (buf_add(&nb, p, n) < 0 ||
	    buf_add(&nb, li->back.p + li->backr, li->back.len - li->backr) < 0)
		die(EX_SOFTWARE, "%s: too much read ahead", li->name);
	buf_free(&li->back);
	li->back = nb;
	li->backr = 0;
}

size_t
linein_get(struct linein *li, char *b, size_t size)
{
	size_t n = 0, k, avail;
	const char *src, *nl;
	int fromback;

	while (n < size) {
		fromback = li->backr < li->back.len;
		if (fromback) {
			src = li->back.p + li->backr;
			avail = li->back.len - li->backr;
		} else {
			if (li->r == li->w) {
				li->r = 0;
				if ((li->w = fread(li->in, 1, sizeof(li->in),
				    li->fp)) == 0)
					break;
			}
			src = li->in + li->r;
			avail = li->w - li->r;
		}
		nl = memchr(src, '\n', avail);
		k = nl != NULL ? (size_t)(nl - src) + 1 : avail;
		if (k > size - n)
			k = size - n;
		memcpy(b + n, src, k);
		if (fromback)
			li->backr += k;
		else
			li->r += k;
		n += k;
		if (b[n - 1] == '\n')
			break;
	}
	if (ferror(li->fp))
		die(EX_IOERR, "%s:", li->name);
	if (li->crlf && n >= 2 && b[n - 1] == '\n' && b[n - 2] == '\r') {
		b[n - 2] = '\n';
		n--;
	}
	return n;
}

size_t
linein_read(struct linein *li, char *b, size_t size)
{
	size_t k;

	if (li->backr < li->back.len) {
		k = li->back.len - li->backr;
		if (k > size)
			k = size;
		memcpy(b, li->back.p + li->backr, k);
		li->backr += k;
		return k;
	}
	if (li->r == li->w) {
		li->r = 0;
		li->w = fread(li->in, 1, sizeof(li->in), li->fp);
		if (ferror(li->fp))
			die(EX_IOERR, "%s:", li->name);
	}
	k = li->w - li->r;
	if (k > size)
		k = size;
	memcpy(b, li->in + li->r, k);
	li->r += k;
	return k;
}

/* What the line (p, n) is to hdr_line(), reading the lines after it as
 * far as the rule needs; those are given back. */
static int
line_kind(struct linein *li, const char *p, size_t n)
{
	static char c[LINEIN_CHUNK];
	struct buf la;
	size_t m;
	int k;

	if ((k = hdr_line(p, n, 1)) != HDR_MORE)
		return k;
	buf_init(&la, 2 * LINEIN_CHUNK + HDR_AHEAD);
	buf_add(&la, p, n);
	while ((k = hdr_line(la.p, la.len, 1)) == HDR_MORE) {
		if ((m = linein_get(li, c, sizeof(c))) == 0 ||
		    buf_add(&la, c, m) < 0) {
			k = hdr_line(la.p, la.len, 0);
			break;
		}
	}
	if (la.len > n)
		unread(li, la.p + n, la.len - n);
	buf_free(&la);
	return k;
}

void
linein_header(struct linein *li, struct buf *h)
{
	static char b[LINEIN_CHUNK];
	size_t n;
	int first = 1;

	while ((n = linein_get(li, b, sizeof(b))) > 0) {
		if (first && n >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0) {
			memmove(b, b + 3, n - 3);
			n -= 3;
		}
		if (first && n >= 2 && b[n - 1] == '\n' && b[n - 2] == '\r') {
			li->crlf = 1;   /* the message's line ends, kept */
			b[n - 2] = '\n';
			n--;
		}
		first = 0;
		switch (line_kind(li, b, n)) {
		case HDR_EMPTY:
			return;
		case HDR_BODY:
			warn("%s: header ends without a blank line", li->name);
			unread(li, b, n);
			return;
		case HDR_FROM:
			continue;       /* an mbox envelope line */
		}
		if (buf_add(h, b, n) == -1)
			die(EX_DATAERR, "%s: header longer than %zu bytes",
			    li->name, h->max);
	}
}
