/*
 * hdr: see hdr.h.  Tolerance is the point: mail in the wild breaks every
 * rule of RFC 5322 §2.2, and a reader that crashes or stops early on a bad
 * line loses the fields after it.
 */
#include "hdr.h"

#include <string.h>

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* End of the physical line starting at i: index just past its LF. */
static size_t
line_end(const char *p, size_t len, size_t i)
{
	const char *lf = memchr(p + i, '\n', len - i);

	return lf ? (size_t)(lf - p) + 1 : len;
}

static int
is_blank_line(const char *p, size_t len, size_t i)
{
	if (i < len && p[i] == '\n')
		return 1;
	return i + 1 < len && p[i] == '\r' && p[i + 1] == '\n';
}

/* Is p[i..e) a "name:" line?  Sets the name and the colon position. */
static int
field_start(const char *p, size_t i, size_t e, struct hdrfield *f,
    size_t *colon)
{
	const char *c = memchr(p + i, ':', e - i);
	size_t j, n;

	if (c == NULL || c == p + i)
		return 0;
	j = (size_t)(c - p);
	n = j;
	while (n > i && is_wsp(p[n - 1]))      /* obs-optional: "Subject :" */
		n--;
	if (n == i)
		return 0;
	/* printable ASCII only: this also rejects a CR or LF before the colon */
	for (size_t k = i; k < n; k++) {
		unsigned char ch = (unsigned char)p[k];

		if (ch <= 32 || ch >= 127)
			return 0;
	}
	f->name = p + i;
	f->namelen = n - i;
	*colon = j;
	return 1;
}

int
hdr_next(const char *p, size_t len, size_t *off, struct hdrfield *f)
{
	size_t i = *off, e, colon, v, end;

	for (;;) {
		if (i >= len || is_blank_line(p, len, i)) {
			*off = len;
			return 0;
		}
		e = line_end(p, len, i);
		if (!is_wsp(p[i]) && field_start(p, i, e, f, &colon))
			break;
		i = e;          /* junk or an orphan continuation: skip it */
	}
	/* The field runs on over continuation lines. */
	end = e;
	while (end < len && is_wsp(p[end]))
		end = line_end(p, len, end);
	v = colon + 1;
	f->val = p + v;
	f->vallen = end - v;
	while (f->vallen > 0 && (f->val[f->vallen - 1] == '\n' ||
	    f->val[f->vallen - 1] == '\r'))
		f->vallen--;
	f->line = p + i;
	f->linelen = end - i;
	*off = end;
	return 1;
}

int
hdr_is(const struct hdrfield *f, const char *name)
{
	return strcaseeqn(f->name, f->namelen, name);
}

int
hdr_value_is(const struct hdrfield *f, const char *s)
{
	size_t i = 0, n = strlen(s);

	while (i < f->vallen && (is_wsp(f->val[i]) || f->val[i] == '\r' ||
	    f->val[i] == '\n'))
		i++;
	return f->vallen - i >= n && strcaseeqn(f->val + i, n, s);
}

int
hdr_unfold(const char *v, size_t n, struct buf *out)
{
	size_t i = 0, j;

	while (i < n && (is_wsp(v[i]) || v[i] == '\r' || v[i] == '\n'))
		i++;
	while (n > i && (is_wsp(v[n - 1]) || v[n - 1] == '\r' ||
	    v[n - 1] == '\n'))
		n--;
	while (i < n) {
		/* copy a run up to the next CR or LF */
		for (j = i; j < n && v[j] != '\r' && v[j] != '\n'; j++)
			;
		if (buf_add(out, v + i, j - i) < 0) {
			/* the prefix: as much of the run as fits */
			buf_add(out, v + i, out->max - out->len);
			return -1;
		}
		i = j;
		while (i < n && (v[i] == '\r' || v[i] == '\n'))
			i++;
	}
	return 0;
}

int
hdr_find(const char *p, size_t len, const char *name, struct hdrfield *f)
{
	size_t off = 0;

	while (hdr_next(p, len, &off, f))
		if (hdr_is(f, name))
			return 1;
	return 0;
}
