/*
 * fuzz_charset: legacy charsets to UTF-8 (common/charset).
 *
 * The first byte picks a charset name from a list (the aliases mail
 * uses, glibc names, odd spellings with case, quotes and blanks, names
 * iconv does not know); the second sets a cap; the rest is the text.
 * Checks, against the contract in charset.h:
 *   - utf8_append() gives valid UTF-8, the input itself when
 *     utf8_valid() says it is valid, and exactly what a reference
 *     decoder written here from Unicode 15 table 3-7 gives (one U+FFFD
 *     per maximal ill-formed subpart);
 *   - charset_to_utf8() returns 0 or -2; -2 appends nothing and agrees
 *     with charset_known(); 0 appends valid UTF-8; the UTF-8 family is
 *     utf8_append(); ISO-8859-1 maps each byte to its code point;
 *   - under a cap it returns 0 with the whole result, or -1 with a
 *     prefix of it;
 *   - a second call gives the same bytes (the descriptor cache and the
 *     memo keep no state from one text to the next).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"utf-8", "UTF8", " \"us-ascii\" ", "", "unknown-8bit",
	"iso-8859-1", "ISO-8859-15", "windows-1252", "koi8-r",
	"shift_jis", "x-sjis", "euc-jp", "iso-2022-jp", "gb2312", "big5",
	"ks_c_5601-1987", "utf-16", "utf-16le", "utf-32", "utf-7",
	"unicode-1-1-utf-7", "hz-gb-2312", "tis-620", "ibm037", "UTF+8",
	"x-mac-roman", "iso-8859-8-i", "x-no-such-charset", "utf-8//ignore",
	"iso-8859-1\t",
};
#define NNAMES (sizeof names / sizeof *names)

/* Unicode 15 table 3-7: the second byte's range for each lead byte. */
static int
second_range(unsigned c, unsigned *lo, unsigned *hi, size_t *len)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		*len = 2;
	else if (c == 0xE0)
		*lo = 0xA0, *len = 3;
	else if (c == 0xED)
		*hi = 0x9F, *len = 3;
	else if (c >= 0xE1 && c <= 0xEF)
		*len = 3;
	else if (c == 0xF0)
		*lo = 0x90, *len = 4;
	else if (c == 0xF4)
		*hi = 0x8F, *len = 4;
	else if (c >= 0xF1 && c <= 0xF3)
		*len = 4;
	else
		return 0;
	return 1;
}

/* The reference: copy well-formed sequences, replace each maximal
 * subpart (the longest prefix of a well-formed sequence, at least one
 * byte) by U+FFFD. */
static size_t
reference(const unsigned char *s, size_t n, char *out)
{
	size_t i = 0, o = 0, len, k;
	unsigned lo, hi;

	while (i < n) {
		if (s[i] < 0x80) {
			out[o++] = (char)s[i++];
			continue;
		}
		if (!second_range(s[i], &lo, &hi, &len)) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		for (k = 1; k < len && i + k < n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				break;
			lo = 0x80;
			hi = 0xBF;
		}
		if (k == len) {
			memcpy(out + o, s + i, len);
			o += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		i += k;
	}
	return o;
}

static void
check_utf8(const char *p, size_t n)
{
	struct buf b;
	char *want = malloc(3 * n + 1);
	size_t wn = reference((const unsigned char *)p, n, want);

	buf_init(&b, 3 * n + 16);
	if (utf8_append(p, n, &b) != 0 || !utf8_valid(b.p ? b.p : "", b.len))
		abort();
	if (b.len != wn || (wn > 0 && memcmp(b.p, want, wn) != 0))
		abort();
	if (utf8_valid(p, n) != (b.len == n && (n == 0 ||
	    memcmp(b.p, p, n) == 0)))
		abort();
	buf_free(&b);
	free(want);
}

/* ISO-8859-1: byte b is U+00bb. */
static void
check_latin1(const char *p, size_t n, const struct buf *got)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x80) {
			if (o >= got->len || got->p[o++] != (char)c)
				abort();
		} else if (o + 2 > got->len ||
		    (unsigned char)got->p[o++] != (0xC0 | c >> 6) ||
		    (unsigned char)got->p[o++] != (0x80 | (c & 0x3F)))
			abort();
	}
	if (o != got->len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cs, *p;
	struct buf full, again, capped;
	size_t n, cap;
	int r, r2;

	if (size < 2)
		return 0;
	cs = names[data[0] % NNAMES];
	cap = 1 + (size_t)data[1] * 3;
	p = (const char *)data + 2;
	n = size - 2;

	check_utf8(p, n);

	/* glibc may make up to 4 bytes of a byte (or 3 of U+FFFD), and a
	 * stateful decoder a little more: 8 per byte is ample */
	buf_init(&full, 8 * n + 64);
	buf_init(&again, 8 * n + 64);
	buf_init(&capped, cap);
	r = charset_to_utf8(cs, strlen(cs), p, n, &full);
	if (r != 0 && r != -2)
		abort();
	if ((r == -2) != !charset_known(cs, strlen(cs)))
		abort();
	if (r == -2) {
		if (full.len != 0)
			abort();
		goto out;
	}
	if (!utf8_valid(full.p ? full.p : "", full.len))
		abort();
	if (strcmp(cs, "utf-8") == 0 || strcmp(cs, "UTF8") == 0 ||
	    strcmp(cs, "") == 0 || strcmp(cs, "unknown-8bit") == 0) {
		struct buf u;

		buf_init(&u, 3 * n + 16);
		utf8_append(p, n, &u);
		if (u.len != full.len || (u.len && memcmp(u.p, full.p, u.len)))
			abort();
		buf_free(&u);
	}
	if (strncmp(cs, "iso-8859-1", 10) == 0)
		check_latin1(p, n, &full);
	r2 = charset_to_utf8(cs, strlen(cs), p, n, &again);
	if (r2 != 0 || again.len != full.len ||
	    (full.len && memcmp(again.p, full.p, full.len) != 0))
		abort();
	r2 = charset_to_utf8(cs, strlen(cs), p, n, &capped);
	if (r2 == 0 ? capped.len != full.len : r2 != -1 ||
	    capped.len > full.len || capped.len > cap)
		abort();
	if (capped.len && memcmp(capped.p, full.p, capped.len) != 0)
		abort();
out:
	buf_free(&full);
	buf_free(&again);
	buf_free(&capped);
	return 0;
}
