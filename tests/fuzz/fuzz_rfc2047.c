/*
 * fuzz_rfc2047: rfc2047_decode, rfc2231_param, rfc2231_value and
 * charset_to_utf8 on arbitrary bytes.
 *
 * Besides crashes, it checks what the contracts promise: decoded values
 * are well-formed UTF-8; a cap is never passed; a small cap gives -1
 * exactly when the whole result would not fit, and otherwise the same
 * bytes as a large one (so the cap paths are exercised on every input).
 * The _w variants give the same result as the plain calls, and only
 * the flags rfc2047.h defines (none for a decode without "=?").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG (1 << 20)

static const char *params[] = { "name", "filename", "charset", "n", "" };

/* Charsets with stateful, multi-byte and fallback decoders. */
static const char *charsets[] = {
	"iso-2022-jp", "shift_jis", "euc-jp", "gb2312", "big5", "euc-kr",
	"utf-7", "utf-8", "koi8-r", "windows-1252", "tis-620", "utf-16",
	"iso-2022-kr", "hz-gb-2312", "ibm037", "x-bogus",
};

/* Run f with a large and a small cap and compare the two. */
static void
both(int (*f)(const char *, size_t, const char *, struct buf *),
    const char *p, size_t n, const char *arg, size_t cap, int utf8)
{
	struct buf big, small;
	int rb, rs;

	buf_init(&big, BIG);
	buf_init(&small, cap);
	rb = f(p, n, arg, &big);
	rs = f(p, n, arg, &small);
	if (rb == -1 || big.len > BIG || small.len > cap)
		abort();
	if (utf8 && !utf8_valid(big.p ? big.p : "", big.len))
		abort();
	if ((rs == -1) != (big.len > cap))
		abort();
	if (rs != -1 && (rs != rb || small.len != big.len ||
	    (big.len && memcmp(small.p, big.p, big.len) != 0)))
		abort();
	buf_free(&big);
	buf_free(&small);
}

static int
f_decode(const char *p, size_t n, const char *arg, struct buf *out)
{
	(void)arg;
	return rfc2047_decode(p, n, out);
}

static int
f_param(const char *p, size_t n, const char *arg, struct buf *out)
{
	return rfc2231_param(p, n, arg, out);
}

static int
f_value(const char *p, size_t n, const char *arg, struct buf *out)
{
	(void)arg;
	return rfc2231_value(p, n, out);
}

static int
f_charset(const char *p, size_t n, const char *arg, struct buf *out)
{
	int r = charset_to_utf8(arg, strlen(arg), p, n, out);

	return r == -2 ? 0 : r;
}

#define W_ALL (RFC2047_W_BADWORD | RFC2047_W_CHARSET | RFC2231_W_GAP | \
    RFC2231_W_ESCAPE | RFC2231_W_MANY)

static int
has_ew(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '=' && p[i + 1] == '?')
			return 1;
	return 0;
}

/* The flag variant of decode (arg NULL) or param (arg the name). */
static void
flags_same(const char *p, size_t n, const char *arg)
{
	struct buf a, b;
	int ra, rb, f = 0;

	buf_init(&a, BIG);
	buf_init(&b, BIG);
	ra = arg ? rfc2231_param(p, n, arg, &a) : rfc2047_decode(p, n, &a);
	rb = arg ? rfc2231_param_w(p, n, arg, &b, &f) :
	    rfc2047_decode_w(p, n, &b, &f);
	if (ra != rb || a.len != b.len ||
	    (a.len && memcmp(a.p, b.p, a.len) != 0) || (f & ~W_ALL) != 0)
		abort();
	if (!arg && (f & (RFC2231_W_GAP | RFC2231_W_ESCAPE)))
		abort();
	if (!arg && f != 0 && !has_ew(p, n))
		abort();        /* flags only come with a word's "=?" */
	if (arg && ra == 0 && f != 0)
		abort();        /* an absent parameter has no flags */
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t i, cap = size ? data[0] % 48 : 0;

	both(f_decode, p, size, NULL, cap, 1);
	for (i = 0; i < sizeof params / sizeof params[0]; i++)
		both(f_param, p, size, params[i], cap, 1);
	both(f_value, p, size, NULL, cap, 0);
	flags_same(p, size, NULL);
	flags_same(p, size, params[cap % (sizeof params / sizeof params[0])]);
	if (size > 0) {
		const char *cs = charsets[data[0] % (sizeof charsets /
		    sizeof charsets[0])];

		both(f_charset, p + 1, size - 1, cs, cap, 1);
	}
	return 0;
}
