/*
 * fuzz_smtp: the SMTP reply parser (whole buffers and line by line,
 * multi-line and malformed replies), the EHLO keyword reader and the
 * DATA encoder on arbitrary bytes.
 *
 * Contracts checked besides crashes and undefined behaviour: feeding
 * the lines one by one gives the same verdict, code and text as parsing
 * the buffer; a done reply has a code in 200..559 and text of the
 * length it claims, NUL-terminated, with no control byte, DEL, C1
 * control or malformed UTF-8 (they became '?'); the encoder's output
 * is the same however the input is split, never holds a bare CR or LF,
 * never holds a line "." before the terminator, and ends in CRLF "."
 * CRLF.  The multipart
 * downgrade gives the same output however its input is split, and,
 * when its scan pass found nothing wrong, emits no 8-bit byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Written apart from smtp.c's check on purpose: printable ASCII and
 * well-formed UTF-8 (RFC 3629 table) of U+00A0 and up, nothing else. */
static int
printable(const char *t, size_t n)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i = 0, k, j;
	unsigned long cp;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if (u[i] >= 0xc0 && u[i] < 0xe0)
			k = 2, cp = u[i] & 0x1f;
		else if (u[i] >= 0xe0 && u[i] < 0xf0)
			k = 3, cp = u[i] & 0x0f;
		else if (u[i] >= 0xf0 && u[i] < 0xf8)
			k = 4, cp = u[i] & 0x07;
		else
			return 0;
		if (n - i < k)
			return 0;
		for (j = 1; j < k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + j] & 0x3f);
		}
		if (cp < 0xa0 || (k == 3 && cp < 0x800) ||
		    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k;
	}
	return 1;
}

static void
replies(const char *p, size_t n)
{
	struct smtp_reply a, b;
	size_t used, off = 0, len;
	const char *nl;
	int rc, rc2 = SMTP_MORE;

	while (off < n) {
		rc = smtp_reply_parse(p + off, n - off, &a, &used);
		/* the same reply, line by line */
		smtp_reply_init(&b);
		{
			size_t o = off;

			rc2 = SMTP_MORE;
			while (o < n && rc2 == SMTP_MORE) {
				nl = memchr(p + o, '\n', n - o);
				if (nl == NULL)
					break;
				len = (size_t)(nl - (p + o));
				rc2 = smtp_reply_line(&b, p + o, len);
				o += len + 1;
			}
		}
		if (rc != rc2)
			abort();
		if (rc != SMTP_DONE)
			break;
		if (a.code < 200 || a.code > 559 || a.code != b.code ||
		    a.textlen >= SMTP_TEXT_MAX || a.text[a.textlen] != '\0' ||
		    a.textlen != b.textlen ||
		    memcmp(a.text, b.text, a.textlen) != 0 ||
		    strcmp(a.enh, b.enh) != 0 || used == 0 ||
		    used > n - off)
			abort();
		if (!printable(a.text, a.textlen))
			abort();
		if (a.enh[0] != '\0' &&
		    smtp_enhanced(a.enh, strlen(a.enh), a.code) !=
		    strlen(a.enh))
			abort();
		off += used;
	}
}

static void
encoder(const char *p, size_t n)
{
	struct smtp_enc st;
	char *whole = malloc(SMTP_ENC_BOUND(n) + SMTP_ENC_FINAL_MAX);
	char *split = malloc(SMTP_ENC_BOUND(n) + SMTP_ENC_FINAL_MAX + 2 * n);
	size_t w, s = 0, i, step;

	smtp_enc_init(&st);
	w = smtp_enc_update(&st, p, n, whole);
	w += smtp_enc_final(&st, whole + w);
	smtp_enc_init(&st);
	step = n ? (unsigned char)p[0] % 7 + 1 : 1;
	for (i = 0; i < n; i += step)
		s += smtp_enc_update(&st, p + i, n - i < step ? n - i : step,
		    split + s);
	s += smtp_enc_final(&st, split + s);
	if (w != s || memcmp(whole, split, w) != 0 || st.out != w)
		abort();
	if (w < 3 || memcmp(whole + w - 3, ".\r\n", 3) != 0 ||
	    (w > 3 && memcmp(whole + w - 5, "\r\n", 2) != 0))
		abort();
	for (i = 0; i < w; i++) {
		if (whole[i] == '\r' && (i + 1 >= w || whole[i + 1] != '\n'))
			abort();
		if (whole[i] == '\n' && (i == 0 || whole[i - 1] != '\r'))
			abort();
		/* a line "." CRLF only at the very end */
		if (whole[i] == '.' && (i == 0 || whole[i - 1] == '\n') &&
		    i + 2 < w && whole[i + 1] == '\r' && i + 3 != w)
			abort();
	}
	free(whole);
	free(split);
}

struct out {
	char *p;
	size_t n, cap;
};

static void
collect(void *arg, const char *p, size_t n)
{
	struct out *o = arg;

	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2;
		o->p = realloc(o->p, o->cap);
		if (o->p == NULL)
			abort();
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static struct smtp_dg g;

/* Returns 1 if the scan passed; o gets the write pass's output. */
static int
dg(const char *p, size_t n, size_t step, struct out *o)
{
	size_t i;

	smtp_dg_start(&g, "b", 1, NULL, NULL);
	for (i = 0; i < n; i += step)
		smtp_dg_feed(&g, p + i, n - i < step ? n - i : step);
	if (smtp_dg_end(&g) != NULL)
		return 0;
	smtp_dg_start(&g, "b", 0, collect, o);
	for (i = 0; i < n; i += step)
		smtp_dg_feed(&g, p + i, n - i < step ? n - i : step);
	if (smtp_dg_end(&g) != NULL)
		abort();
	return 1;
}

static void
downgrade(const char *p, size_t n)
{
	struct out a = { 0 }, b = { 0 };
	int ra, rb;

	ra = dg(p, n, n ? n : 1, &a);
	rb = dg(p, n, n ? (unsigned char)p[n - 1] % 13 + 1 : 1, &b);
	if (ra != rb || a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0))
		abort();
	if (ra && smtp_has8bit(a.p ? a.p : "", a.n))
		abort();
	free(a.p);
	free(b.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct smtp_ext e;
	char x[64];

	replies(p, size);
	if (smtp_ehlo_parse(p, size, &e) == 0 &&
	    strlen(e.auth) >= sizeof e.auth)
		abort();
	encoder(p, size);
	downgrade(p, size);
	if (smtp_xtext(p, size, x, sizeof x) != (size_t)-1 &&
	    strlen(x) > sizeof x - 1)
		abort();
	return 0;
}
