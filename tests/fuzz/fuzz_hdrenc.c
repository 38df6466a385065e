/*
 * fuzz_hdrenc: hdrenc_text, hdrenc_phrase and hdrenc_param on arbitrary
 * bytes, as mimepack encodes a subject, a display name or a file name,
 * and our own decoders on what they wrote.
 *
 * Checks beyond crashes: no line passes 998 bytes (RFC 5322 section
 * 2.1.1), the first one counted from the starting column; an encoded
 * word is at most 75 characters (RFC 2047 section 2); and for input that
 * is well-formed UTF-8 without line breaks the value comes back whole:
 * the subject through rfc2047_decode, the file name through
 * rfc2231_param, the display name through addr_parse (there only when it
 * has no white space that an RFC 5322 phrase would not keep: runs,
 * leading or trailing white space, control characters).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "charset.h"
#include "hdrenc.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG (1 << 20)

/* Line lengths and encoded-word lengths of the output. */
static void
check_lines(const char *p, size_t n, size_t col)
{
	size_t i, start = 0, w;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\n')
			continue;
		if (col + (i - start) > 998)
			abort();
		col = 0;
		start = i + 1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '=' || p[i + 1] != '?')
			continue;
		/* "=?cs?X?text?=": the word ends at the second "?=" after
		 * the charset and the encoding letter */
		w = i + 2;
		while (w < n && p[w] != '?')
			w++;
		w += 3;                 /* "?X?" */
		while (w + 1 < n && !(p[w] == '?' && p[w + 1] == '='))
			w++;
		if (w + 2 - i > 75)
			abort();
		i = w + 1;
	}
}

/* Unfold: a line break followed by white space goes, the space stays. */
static size_t
unfold(char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if (!(p[i] == '\n' && i + 1 < n &&
		    (p[i + 1] == ' ' || p[i + 1] == '\t')))
			p[o++] = p[i];
	return o;
}

/* May (p, n) be a phrase that survives addr_parse unchanged? */
static int
plain_phrase(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == ' ' || p[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f || (c == ' ' && i + 1 < n && p[i + 1] == ' '))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out, dec;
	const char *in;
	size_t n, col, len;
	int mode, clean, r;

	if (size < 2)
		return 0;
	mode = data[0] % 3;
	col = data[1] % 40;
	in = (const char *)data + 2;
	n = size - 2;
	/* the callers reject values with line breaks before they encode */
	clean = !memchr(in, '\n', n) && !memchr(in, '\r', n) &&
	    utf8_valid(in, n);
	buf_init(&out, BIG);
	buf_init(&dec, BIG);
	if (mode == 0) {
		r = hdrenc_text(&out, &col, in, n);
	} else if (mode == 1) {
		r = hdrenc_phrase(&out, &col, in, n);
	} else {
		if (buf_adds(&out, "attachment") != 0)
			abort();
		col = strlen("Content-Disposition: attachment");
		r = hdrenc_param(&out, &col, "filename", in, n);
	}
	if (r != 0)
		abort();
	check_lines(out.p ? out.p : "", out.len,
	    mode == 2 ? strlen("Content-Disposition: ") : data[1] % 40);
	if (!clean || out.p == NULL)
		goto done;
	len = out.len = unfold(out.p, out.len);
	if (mode == 0) {
		/* the caller wrote "Subject:"; each word brings its space */
		if (rfc2047_decode(out.p, len, &dec) != 0)
			abort();
		if (dec.len != n + 1 || dec.p[0] != ' ' ||
		    (n > 0 && memcmp(dec.p + 1, in, n) != 0))
			abort();
	} else if (mode == 1) {
		struct addrlist l = { 0 };

		if (!plain_phrase(in, n) || memchr(in, '\0', n))
			goto done;
		if (buf_adds(&out, " <a@x.test>") != 0)
			abort();
		len = out.len;
		if (addr_parse(out.p, len, &l) != 0 || l.n != 1 ||
		    strlen(l.v[0].name) != n || memcmp(l.v[0].name, in, n) != 0)
			abort();
		addr_free(&l);
	} else {
		if (memchr(in, '\0', n))
			goto done;
		if (rfc2231_param(out.p, len, "filename", &dec) != 1)
			abort();
		if (dec.len != n || (n > 0 && memcmp(dec.p, in, n) != 0))
			abort();
	}
done:
	buf_free(&dec);
	buf_free(&out);
	return 0;
}
