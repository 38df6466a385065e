/*
 * fuzz_json: json_str on arbitrary bytes, as every program's -j prints
 * header values and file names taken from hostile messages.
 *
 * Checks that the output is one JSON string (RFC 8259 section 7) and
 * nothing more, by decoding it with a strict decoder of its own; that it
 * decodes to the input with each byte that is not part of well-formed
 * UTF-8 replaced by U+FFFD, as json.h promises; and that a cap too small
 * gives -1 and leaves the buffer as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The length of the well-formed UTF-8 character at p (RFC 3629 table
 * 3-7), or 0: written apart from charset.c so that the two can differ. */
static size_t
wf(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* What the output must decode to. */
static unsigned char *
expected(const unsigned char *p, size_t n, size_t *outlen)
{
	unsigned char *e = malloc(3 * n + 1);
	size_t i = 0, o = 0, k;

	if (e == NULL)
		abort();
	while (i < n) {
		k = wf(p + i, n - i);
		if (k == 0) {
			memcpy(e + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(e + o, p + i, k);
			o += k;
			i += k;
		}
	}
	*outlen = o;
	return e;
}

static int
hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Put code point u as UTF-8 at d; returns the length. */
static size_t
put(unsigned char *d, unsigned u)
{
	if (u < 0x80) {
		d[0] = (unsigned char)u;
		return 1;
	}
	if (u < 0x800) {
		d[0] = (unsigned char)(0xc0 | u >> 6);
		d[1] = (unsigned char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		d[0] = (unsigned char)(0xe0 | u >> 12);
		d[1] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
		d[2] = (unsigned char)(0x80 | (u & 0x3f));
		return 3;
	}
	d[0] = (unsigned char)(0xf0 | u >> 18);
	d[1] = (unsigned char)(0x80 | (u >> 12 & 0x3f));
	d[2] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
	d[3] = (unsigned char)(0x80 | (u & 0x3f));
	return 4;
}

/* Decode the JSON string (p, n), which must be exactly one string, into
 * d (room for n bytes); abort on anything RFC 8259 does not allow. */
static size_t
decode(const char *p, size_t n, unsigned char *d)
{
	size_t i = 1, o = 0, k;
	unsigned u, lo;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"')
		abort();
	if (!utf8_valid(p, n))
		abort();
	while (i < n - 1) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == '"')
			abort();
		if (c != '\\') {
			d[o++] = c;
			i++;
			continue;
		}
		if (i + 1 >= n - 1)
			abort();
		switch (p[i + 1]) {
		case '"': case '\\': case '/':
			d[o++] = (unsigned char)p[i + 1]; i += 2; continue;
		case 'b': d[o++] = '\b'; i += 2; continue;
		case 'f': d[o++] = '\f'; i += 2; continue;
		case 'n': d[o++] = '\n'; i += 2; continue;
		case 'r': d[o++] = '\r'; i += 2; continue;
		case 't': d[o++] = '\t'; i += 2; continue;
		case 'u': break;
		default: abort();
		}
		if (i + 6 > n - 1 || hex4(p + i + 2, &u) != 0)
			abort();
		i += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			abort();                /* a lone low surrogate */
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 6 > n - 1 || p[i] != '\\' || p[i + 1] != 'u' ||
			    hex4(p + i + 2, &lo) != 0 || lo < 0xdc00 ||
			    lo > 0xdfff)
				abort();
			i += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		k = put(d + o, u);
		o += k;
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf big, small;
	unsigned char *e, *d;
	size_t elen, dlen, cap;

	buf_init(&big, 8 * size + 16);
	if (json_str(&big, (const char *)data, size) != 0)
		abort();
	e = expected(data, size, &elen);
	d = malloc(big.len + 1);
	if (d == NULL)
		abort();
	dlen = decode(big.p, big.len, d);
	if (dlen != elen || memcmp(d, e, elen) != 0)
		abort();

	/* a cap: -1 exactly when the whole string does not fit, and then
	 * the buffer holds what it held before ("x") */
	cap = size > 0 ? data[0] % (big.len + 2) : 0;
	buf_init(&small, cap + 1);
	if (buf_add(&small, "x", 1) != 0)
		abort();
	if (json_str(&small, (const char *)data, size) == -1) {
		if (big.len + 1 <= cap + 1 || small.len != 1 ||
		    small.p[0] != 'x')
			abort();
	} else if (small.len != big.len + 1 ||
	    memcmp(small.p + 1, big.p, big.len) != 0)
		abort();
	buf_free(&small);
	buf_free(&big);
	free(d);
	free(e);
	return 0;
}
