/*
 * safetext: see safetext.h.
 *
 * UTF-8 repair comes first (utf8_append), escaping second: the escapes
 * are ASCII, so the order cannot make an escape out of a bad sequence.
 */
#include "safetext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "charset.h"

static int
safetext_byte(struct buf *out, unsigned char c)
{
	char x[8];

	switch (c) {
	case '\\': return buf_adds(out, "\\\\");
	case '\t': return buf_adds(out, "\\t");
	case '\n': return buf_adds(out, "\\n");
	case '\r': return buf_adds(out, "\\r");
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(x, sizeof x, "\\x%02x", c);
		return buf_adds(out, x);
	}
	return buf_addc(out, c);
}

int
safetext(struct buf *out, const char *p, size_t n, size_t max)
{
	struct buf u;
	size_t i, shown = n;
	int r = 0;

	if (n > max) {
		shown = max;
		/* back off a character cut in two: 10xxxxxx continues one */
		for (i = 0; i < 3 && shown > 0 &&
		    ((unsigned char)p[shown] & 0xC0) == 0x80; i++)
			shown--;
	}
	/* repair at most triples the size (a stray byte becomes U+FFFD) */
	buf_init(&u, shown < SIZE_MAX / 4 ? 3 * shown + 16 : SIZE_MAX / 2);
	(void)utf8_append(p, shown, &u);
	for (i = 0; i < u.len && r == 0; i++)
		r = safetext_byte(out, (unsigned char)u.p[i]);
	if (r == 0 && shown < n)
		r = buf_adds(out, "...");
	buf_free(&u);
	return r;
}

char *
safetext_dup(const char *p, size_t n, size_t max)
{
	struct buf b;

	buf_init(&b, SIZE_MAX / 2);
	(void)safetext(&b, p, n, max);
	return b.p != NULL ? b.p : xstrdup("");
}
