/*
 * fuzz_rfc2047: rfc2047_decode, rfc2231_param, rfc2231_value and
 * charset_to_utf8 on arbitrary bytes.
 *
 * Besides crashes, it checks what the contracts promise: decoded values
 * are well-formed UTF-8; a cap is never passed; a small cap gives -1
 * exactly when the whole result would not fit, and otherwise the same
 * bytes as a large one (so the cap paths are exercised on every input).
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t i, cap = size ? data[0] % 48 : 0;

	both(f_decode, p, size, NULL, cap, 1);
	for (i = 0; i < sizeof params / sizeof params[0]; i++)
		both(f_param, p, size, params[i], cap, 1);
	both(f_value, p, size, NULL, cap, 0);
	if (size > 0) {
		const char *cs = charsets[data[0] % (sizeof charsets /
		    sizeof charsets[0])];

		both(f_charset, p + 1, size - 1, cs, cap, 1);
	}
	return 0;
}
