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

/* The byte after a line end at p[i] ("\n" or "\r\n"), or 0 if p[i] does
 * not end a line; *cut is set when a CR is the last byte given. */
static size_t
eol(const char *p, size_t n, size_t i, int *cut)
{
	*cut = 0;
	if (p[i] == '\n')
		return i + 1;
	if (p[i] != '\r')
		return 0;
	if (i + 1 == n)
		*cut = 1;
	return i + 1 < n && p[i + 1] == '\n' ? i + 2 : 0;
}

/* Bytes of a field name: printable ASCII but the colon (a CR, LF, NUL
 * or 8-bit byte is no field name).  A table, since every header line
 * is classified by the reader and again by hdr_next(). */
static const unsigned char namebyte[256] = {
#define R8(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1, \
	[c + 4] = 1, [c + 5] = 1, [c + 6] = 1, [c + 7] = 1
	[0x21] = 1, [0x22] = 1, [0x23] = 1, [0x24] = 1, [0x25] = 1,
	[0x26] = 1, [0x27] = 1, R8(0x28), R8(0x30), [0x38] = 1, [0x39] = 1,
	[0x3b] = 1, [0x3c] = 1, [0x3d] = 1, [0x3e] = 1, [0x3f] = 1,
	R8(0x40), R8(0x48), R8(0x50), R8(0x58), R8(0x60), R8(0x68),
	R8(0x70), [0x78] = 1, [0x79] = 1, [0x7a] = 1, [0x7b] = 1,
	[0x7c] = 1, [0x7d] = 1, [0x7e] = 1
#undef R8
};

/*
 * hdr_line(), also saying where a field's name ends (*namelen) and where
 * its colon is (*colon, an offset from p).
 */
static int
classify(const char *p, size_t n, int more, size_t *namelen,
    size_t *colon)
{
	size_t i = 0, k;
	int cut;

	if (n >= HDR_AHEAD) {   /* the colon must come before this */
		n = HDR_AHEAD;
		more = 0;
	}
	if (n == 0)
		return more ? HDR_MORE : HDR_EMPTY;
	if (is_wsp(p[0]))
		return HDR_FOLD;
	if (eol(p, n, 0, &cut))
		return HDR_EMPTY;
	if (cut)
		return more ? HDR_MORE : HDR_BODY;
	while (i < n && namebyte[(unsigned char)p[i]])
		i++;
	if (i == 0)
		return HDR_BODY;
	*namelen = i;
	/* the name, white space, and line ends followed by white space,
	 * up to the colon: anything else is not a field */
	for (k = i;;) {
		while (k < n && is_wsp(p[k]))
			k++;
		if (k == n)
			return more ? HDR_MORE : HDR_BODY;
		if (p[k] == ':') {
			*colon = k;
			return HDR_FIELD;
		}
		if ((k = eol(p, n, k, &cut)) == 0)
			return cut && more ? HDR_MORE : HDR_BODY;
		if (k == n)
			return more ? HDR_MORE : HDR_BODY;
		if (!is_wsp(p[k]))
			return HDR_BODY;
	}
}

int
hdr_line(const char *p, size_t n, int more)
{
	size_t namelen, colon;
	int k = classify(p, n, more, &namelen, &colon);

	/* a second envelope line, as some mbox writers leave: ignored */
	if (k == HDR_BODY && n >= 5 && memcmp(p, "From ", 5) == 0)
		return HDR_FROM;
	return k;
}

int
hdr_next(const char *p, size_t len, size_t *off, struct hdrfield *f)
{
	size_t i = *off, namelen = 0, colon = 0, v, end;
	int k;

	for (;;) {
		k = i < len ? classify(p + i, len - i, 0, &namelen, &colon) :
		    HDR_EMPTY;
		if (k == HDR_EMPTY) {
			*off = len;
			return 0;
		}
		if (k == HDR_FIELD)
			break;
		i = line_end(p, len, i); /* junk or an orphan continuation */
	}
	/* The field runs on over continuation lines. */
	colon += i;
	end = line_end(p, len, colon);
	while (end < len && is_wsp(p[end]))
		end = line_end(p, len, end);
	f->name = p + i;
	f->namelen = namelen;
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
	const char *lf, *cr;
	size_t i = 0, j;

	while (i < n && (is_wsp(v[i]) || v[i] == '\r' || v[i] == '\n'))
		i++;
	while (n > i && (is_wsp(v[n - 1]) || v[n - 1] == '\r' ||
	    v[n - 1] == '\n'))
		n--;
	while (i < n) {
		/* copy a run up to the next CR or LF (memchr: a value may be
		 * long, and is seldom folded) */
		lf = memchr(v + i, '\n', n - i);
		j = lf != NULL ? (size_t)(lf - v) : n;
		if ((cr = memchr(v + i, '\r', j - i)) != NULL)
			j = (size_t)(cr - v);
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
