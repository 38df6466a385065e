/*
 * fuzz_rec: rec_field on arbitrary bytes, as every program writes header
 * values, file names and server replies into its TSV records.
 *
 * Checks the safe-text rule of rec.h: the field holds no TAB, LF, CR,
 * other byte below 0x20 or DEL, and is well-formed UTF-8; unescaping
 * it (\\ \t \n \r \xHH) gives back the input exactly when the input is
 * well-formed UTF-8; and a cap too small gives -1 and leaves the buffer
 * as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* Undo the escapes of (p, n) into out (n bytes at most); its length. */
static size_t
unescape(const char *p, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != '\\') {
			out[k++] = p[i];
			continue;
		}
		if (++i >= n)
			abort();        /* a lone backslash at the end */
		switch (p[i]) {
		case '\\': out[k++] = '\\'; break;
		case 't': out[k++] = '\t'; break;
		case 'n': out[k++] = '\n'; break;
		case 'r': out[k++] = '\r'; break;
		case 'x':
			if (i + 2 >= n)
				abort();
			if (hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
				abort();
			out[k++] = (char)(hexval(p[i + 1]) << 4 |
			    hexval(p[i + 2]));
			i += 2;
			break;
		default:
			abort();
		}
	}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct buf b, small;
	size_t i, k;
	char *back;

	buf_init(&b, 4 * size + 16);
	if (rec_field(&b, in, size) < 0)
		abort();
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
	if (!utf8_valid(b.p ? b.p : "", b.len))
		abort();
	if (utf8_valid(in, size)) {
		back = malloc(b.len + 1);
		if (back == NULL)
			abort();
		k = unescape(b.p ? b.p : "", b.len, back);
		if (k != size || memcmp(back, in, size) != 0)
			abort();
		free(back);
	}
	if (b.len > 0) {
		buf_init(&small, b.len - 1);
		buf_add(&small, "", 0);
		if (rec_field(&small, in, size) != -1 || small.len != 0)
			abort();
		buf_free(&small);
	}
	buf_free(&b);
	return 0;
}
