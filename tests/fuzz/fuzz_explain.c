/*
 * fuzz_explain: explain_smtp, explain_pop3 and explain_imap on each
 * line of arbitrary bytes, with buffers of every small size and one
 * large one.
 *
 * Besides crashes, it checks what explain.h promises and what the
 * terminal needs: the result is NULL or the caller's buffer, holds
 * fewer than sz bytes and its NUL, nothing past sz is written, and the
 * comment holds no control character or byte from the reply that is not
 * printable ASCII (the only non-ASCII text is the "§" of the tables).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef const char *(*explain_fn)(const char *, size_t, char *, size_t);

static void
check(explain_fn f, const char *p, size_t n, size_t sz)
{
	char buf[600];
	const char *r;
	size_t i, len;

	/* sz bytes and a guard of 16 after them */
	memset(buf, 0x5a, sz + 16);
	r = f(p, n, buf, sz);
	if (r == NULL) {
		for (i = 1; i < sz + 16; i++)
			if (buf[i] != 0x5a)
				abort();
		return;
	}
	if (r != buf || sz == 0)
		abort();
	len = strlen(buf);
	if (len >= sz)
		abort();
	for (i = sz; i < sz + 16; i++)
		if (buf[i] != 0x5a)
			abort();
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)buf[i + 1] == 0xa7) {
			i++;
			continue;
		}
		/* a cut may end between the two bytes of "§" */
		if (c == 0xc2 && i + 1 == len && len == sz - 1)
			continue;
		if (c < 0x20 || c >= 0x7f)
			abort();
	}
}

static const explain_fn fns[] = { explain_smtp, explain_pop3,
    explain_imap };

/* Each line with the large buffer and one small size picked by it. */
static void
line(const char *p, size_t n)
{
	size_t k;

	for (k = 0; k < 3; k++) {
		check(fns[k], p, n, 512);
		check(fns[k], p, n, 1 + (n > 0 ? (unsigned char)p[0] % 80 : 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	size_t k, sz;

	for (k = 0; k < 3; k++)
		for (sz = 0; sz < 90; sz += 7)
			check(fns[k], p, size, sz);
	/* the first 64 lines: what matters is their content, not number */
	for (k = 0; p < end && k < 64; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		line(p, n);
		p += n;
	}
	return 0;
}
