/*
 * rec: see rec.h.  Nearly every field is plain text that comes out as it
 * went in, so rec_out() checks for that first and copies; only a field
 * that needs an escape or a U+FFFD is built in a buffer.
 */
#include "rec.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "charset.h"

#define REC_MAX ((size_t)1 << 30)  /* one field, escaped: 4 bytes a byte */

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
/* Has x a zero byte? (exact: "haszero", Bit Twiddling Hacks) */
#define ZERO_BYTE(x) ((((x) - ONES) & ~(x) & HIGHS) != 0)

/* Is c written as it is (ASCII), when it is below 0x80? */
static int
plain_ascii(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '\\';
}

/* The escape of an ASCII byte that is not plain, into e (5 bytes). */
static size_t
escape(unsigned char c, char *e)
{
	e[0] = '\\';
	switch (c) {
	case '\\': e[1] = '\\'; return 2;
	case '\t': e[1] = 't'; return 2;
	case '\n': e[1] = 'n'; return 2;
	case '\r': e[1] = 'r'; return 2;
	default:
		snprintf(e, 5, "\\x%02x", c);
		return 4;
	}
}

int
rec_field(struct buf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t old = out->len, i = 0, j;
	char e[5];

	while (i < n) {
		for (j = i; j < n && s[j] < 0x80 && plain_ascii(s[j]); j++)
			;
		if (buf_add(out, p + i, j - i) < 0)
			goto full;
		for (i = j; j < n && s[j] >= 0x80; j++)
			;
		/* a run of bytes >= 0x80 ends where the ASCII starts, and
		 * so does every ill-formed subsequence in it */
		if (j > i && utf8_append(p + i, j - i, out) < 0)
			goto full;
		if (j < n && s[j] < 0x80 && !plain_ascii(s[j]) &&
		    buf_add(out, e, escape(s[j++], e)) < 0)
			goto full;
		i = j;
	}
	if (buf_add(out, "", 0) == 0)
		return 0;
full:
	out->len = old;
	if (out->p != NULL)
		out->p[old] = '\0';
	return -1;
}

int
rec_fields(struct buf *out, const char *s)
{
	return rec_field(out, s, strlen(s));
}

int
rec_quote(struct buf *out, const char *p, size_t n, size_t max)
{
	size_t i, shown = n;

	if (n > max) {
		shown = max;
		/* back off a character cut in two: 10xxxxxx continues one */
		for (i = 0; i < 3 && shown > 0 &&
		    ((unsigned char)p[shown] & 0xC0) == 0x80; i++)
			shown--;
	}
	if (rec_field(out, p, shown) < 0)
		return -1;
	return shown < n ? buf_adds(out, "...") : 0;
}

char *
rec_quote_dup(const char *p, size_t n, size_t max)
{
	struct buf b;

	buf_init(&b, REC_MAX);
	(void)rec_quote(&b, p, n, max);
	return b.p != NULL ? b.p : xstrdup("");
}

/* Does (p, n) come out of rec_field() unchanged?  utf8: it is known
 * to be well-formed UTF-8. */
static int
is_plain(const char *p, size_t n, int utf8)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i;
	int high = 0;
	uint64_t x;

	/* eight bytes at a time while none can need an escape: a byte
	 * below 0x20 (an 8-bit one cannot pass for one: ~x), or one equal
	 * to 0x7F or '\\' (a zero byte of x ^ it); each test is exact
	 * about whether there is such a byte, and the loop below looks
	 * at the word that has one */
	for (i = 0; n - i >= 8; i += 8) {
		memcpy(&x, s + i, 8);
		if (((x - ONES * 0x20) & ~x & HIGHS) ||
		    ZERO_BYTE(x ^ (ONES * 0x7f)) || ZERO_BYTE(x ^ (ONES * '\\')))
			break;
		high |= (x & HIGHS) != 0;
	}
	for (; i < n; i++) {
		if (s[i] >= 0x80)
			high = 1;
		else if (!plain_ascii(s[i]))
			return 0;
	}
	return !high || utf8 || utf8_valid(p, n);
}

static void
rec_out_as(const char *p, size_t n, int utf8)
{
	struct buf b;

	if (is_plain(p, n, utf8)) {
		out(p, n);
		return;
	}
	buf_init(&b, REC_MAX);
	if (rec_field(&b, p, n) < 0)
		die(EX_SOFTWARE, "a field of %zu bytes is too long to print",
		    n);
	out(b.p, b.len);
	buf_free(&b);
}

void
rec_out(const char *p, size_t n)
{
	rec_out_as(p, n, 0);
}

void
rec_out_utf8(const char *p, size_t n)
{
	rec_out_as(p, n, 1);
}

void
rec_outs(const char *s)
{
	rec_out(s, strlen(s));
}
