/*
 * hdrenc: RFC 2047 encoded words and RFC 2231 parameters for output.
 *
 * Text that needs encoding is encoded whole rather than word by word:
 * the output is a little longer than it could be, but the rules for
 * where encoded words may stand (and for the white space between them,
 * which decoders drop) never come into play.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "charset.h"
#include "hdrenc.h"
#include "rfc2047.h"

#define EW_MAX   75             /* RFC 2047 §2: an encoded word */
#define EW_OVER  12             /* "=?UTF-8?Q?" and "?=" */
#define WORD_MAX 900            /* longer unbroken text gets encoded */

static const char hexd[] = "0123456789ABCDEF";

int
hdrenc_needed(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return 1;
		if (c == '=' && i + 1 < n && p[i + 1] == '?')
			return 1;
	}
	return 0;
}

int
hdrenc_word(struct buf *b, size_t *col, const char *s, size_t n, int sp)
{
	if (sp && n > 0 && *col > 1 && *col + 1 + n > HDRENC_COLS) {
		if (buf_adds(b, "\n") == -1)
			return -1;
		*col = 0;
	}
	if (sp && buf_addc(b, ' ') == -1)
		return -1;
	*col += (size_t)sp + n;
	return buf_add(b, s, n);
}

/* The length of the UTF-8 character at p, or 1 for a stray byte. */
static size_t
charlen(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];
	size_t l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	if (l > n || !utf8_valid(p, l))
		return 1;
	return l;
}

/* May c stand for itself in a Q-encoded word in a phrase (§5 (3))? */
static int
qsafe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!*+-/", c) != NULL;
}

static size_t
qcost(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += qsafe((unsigned char)p[i]) || p[i] == ' ' ? 1 : 3;
	return k;
}

static size_t
bcost(size_t n)
{
	return (n + 2) / 3 * 4;
}

static void
put_b(struct buf *w, const unsigned char *p, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addc(w, a[v >> 18 & 63]);
		buf_addc(w, a[v >> 12 & 63]);
		buf_addc(w, i + 1 < n ? a[v >> 6 & 63] : '=');
		buf_addc(w, i + 2 < n ? a[v & 63] : '=');
	}
}

static void
put_q(struct buf *w, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ' ')
			buf_addc(w, '_');
		else if (qsafe(c))
			buf_addc(w, (char)c);
		else {
			buf_addc(w, '=');
			buf_addc(w, hexd[c >> 4]);
			buf_addc(w, hexd[c & 15]);
		}
	}
}

/* How many bytes of (p, n), whole characters, fit in room characters
 * of encoded text?  At least one character. */
static size_t
fill(const char *p, size_t n, int useb, size_t room)
{
	size_t k = 0, l;

	while (k < n) {
		l = charlen(p + k, n - k);
		if (k > 0 && (useb ? bcost(k + l) : qcost(p, k + l)) > room)
			break;
		k += l;
	}
	return k;
}

/* The charset of hdrenc_charset(), or none. */
static struct {
	iconv_t cd;
	char name[64];
	int on;
} cs;

int
hdrenc_charset(const char *name)
{
	if (cs.on)
		iconv_close(cs.cd);
	cs.on = 0;
	if (name == NULL)
		return 0;
	if (strlen(name) >= sizeof(cs.name) ||
	    (cs.cd = iconv_open(name, "UTF-8")) == (iconv_t)-1)
		return -1;
	snprintf(cs.name, sizeof(cs.name), "%s", name);
	cs.on = 1;
	return 0;
}

/* Convert (p, n) from the initial shift state back to it, into o (size
 * *on); *on becomes the length.  -2: not representable, -1: no room. */
static int
conv(const char *p, size_t n, char *o, size_t *on)
{
	char *in = (char *)p, *op = o;
	size_t il = n, ol = *on;

	iconv(cs.cd, NULL, NULL, NULL, NULL);
	if (iconv(cs.cd, &in, &il, &op, &ol) == (size_t)-1)
		return errno == E2BIG ? -1 : -2;
	if (iconv(cs.cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return -1;
	*on = (size_t)(op - o);
	return 0;
}

/* Words in the charset of hdrenc_charset(), always B. */
static int
enc_words_cs(struct buf *b, size_t *col, const char *p, size_t n)
{
	char o[512], ok[512];
	size_t k, l, on, okn, room, over = strlen(cs.name) + 7;
	struct buf w;
	int r = 0, c;

	buf_init(&w, 128);
	while (n > 0 && r == 0) {
		room = *col + 1 + over + 12 > HDRENC_COLS ? EW_MAX :
		    HDRENC_COLS - *col - 1;
		if (room > EW_MAX)
			room = EW_MAX;
		for (k = okn = 0; k < n; k += l) {
			l = charlen(p + k, n - k);
			on = sizeof(o);
			if ((c = conv(p, k + l, o, &on)) == -2) {
				buf_free(&w);
				return -2;
			}
			if (k > 0 && (c == -1 || bcost(on) + over > room))
				break;
			memcpy(ok, o, okn = on);
		}
		buf_reset(&w);
		buf_printf(&w, "=?%s?B?", cs.name);
		put_b(&w, (const unsigned char *)ok, okn);
		buf_adds(&w, "?=");
		r = hdrenc_word(b, col, w.p, w.len, 1);
		p += k;
		n -= k;
	}
	buf_free(&w);
	return r;
}

static int
enc_words(struct buf *b, size_t *col, const char *p, size_t n)
{
	int useb = bcost(n) < qcost(p, n);
	struct buf w;
	size_t k, room;
	int r = 0;

	if (cs.on)
		return enc_words_cs(b, col, p, n);
	buf_init(&w, 128);
	while (n > 0 && r == 0) {
		if (*col + 1 + EW_OVER + 12 > HDRENC_COLS)
			room = EW_MAX;  /* hdrenc_word will fold */
		else
			room = HDRENC_COLS - *col - 1;
		if (room > EW_MAX)
			room = EW_MAX;
		k = fill(p, n, useb, room - EW_OVER);
		buf_reset(&w);
		buf_adds(&w, useb ? "=?UTF-8?B?" : "=?UTF-8?Q?");
		if (useb)
			put_b(&w, (const unsigned char *)p, k);
		else
			put_q(&w, p, k);
		buf_adds(&w, "?=");
		r = hdrenc_word(b, col, w.p, w.len, 1);
		p += k;
		n -= k;
	}
	buf_free(&w);
	return r;
}

/* Is there a word too long for the 998-octet line limit? */
static int
overlong(const char *p, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if ((w = p[i] == ' ' ? 0 : w + 1) > WORD_MAX)
			return 1;
	return 0;
}

int
hdrenc_text(struct buf *b, size_t *col, const char *p, size_t n)
{
	const char *e = p + n, *s;

	if (hdrenc_needed(p, n) || overlong(p, n))
		return enc_words(b, col, p, n);
	do {
		for (s = p; p < e && *p != ' '; p++)
			continue;
		if (hdrenc_word(b, col, s, (size_t)(p - s), 1) == -1)
			return -1;
	} while (p++ < e);
	return 0;
}

static int
atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Is (p, n) atoms separated by single spaces? */
static int
atoms(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == ' ' || p[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!(atext((unsigned char)p[i]) ||
		    (p[i] == ' ' && p[i - 1] != ' ')))
			return 0;
	return 1;
}

int
hdrenc_phrase(struct buf *b, size_t *col, const char *p, size_t n)
{
	struct buf q;
	size_t i;
	int r;

	if (hdrenc_needed(p, n))
		return enc_words(b, col, p, n);
	if (atoms(p, n))
		return hdrenc_text(b, col, p, n);
	buf_init(&q, 2 * n + 3);
	buf_addc(&q, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_addc(&q, '\\');
		buf_addc(&q, p[i]);
	}
	buf_addc(&q, '"');
	/* a quoted string is one word here: too long for a line, it goes
	 * as encoded words, as overlong text does */
	if (q.len > WORD_MAX)
		r = enc_words(b, col, p, n);
	else
		r = hdrenc_word(b, col, q.p, q.len, 1);
	buf_free(&q);
	return r;
}

static int
attrchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$&+-.^_`|~", c));
}

/* Percent-encode whole characters of (p, n) while they fit in room;
 * return the bytes taken (at least one character). */
static size_t
pct(struct buf *w, const char *p, size_t n, size_t room)
{
	size_t k = 0, l, j, cost;

	while (k < n) {
		l = charlen(p + k, n - k);
		cost = l == 1 && attrchar((unsigned char)p[k]) ? 1 : 3 * l;
		if (k > 0 && cost > room)
			break;
		for (j = k; j < k + l; j++) {
			unsigned char c = (unsigned char)p[j];

			if (cost == 1)
				buf_addc(w, (char)c);
			else {
				buf_addc(w, '%');
				buf_addc(w, hexd[c >> 4]);
				buf_addc(w, hexd[c & 15]);
			}
		}
		room = cost > room ? 0 : room - cost;
		k += l;
	}
	return k;
}

/*
 * Write the sections NAME*0*=, NAME*1*=, ... of (p, n) to b, or with b
 * NULL only count them.  wide: the escaped bytes a section may hold, or
 * 0 to fill lines of HDRENC_COLS.  Returns the number of sections, or 0
 * if b's cap was reached or a section would pass 998 bytes.
 */
static size_t
sections(struct buf *b, size_t *col, const char *name, const char *p,
    size_t n, size_t wide)
{
	struct buf w;
	size_t k, sec = 0, room;
	int r = 0;

	buf_init(&w, 3 * n + strlen(name) + 64);
	while (r == 0 && (n > 0 || sec == 0)) {
		if (b != NULL && sec > 0) {
			r = buf_addc(b, ';');
			(*col)++;
		}
		buf_reset(&w);
		buf_printf(&w, "%s*%zu*=%s", name, sec, sec ? "" : "UTF-8''");
		room = wide ? wide : HDRENC_COLS - 2 - w.len - 1;
		if (r == -1 || w.len + room + 3 > 998) {
			r = -1;
			break;
		}
		k = pct(&w, p, n, room);
		if (b != NULL)
			r = hdrenc_word(b, col, w.p, w.len, 1);
		p += k;
		n -= k;
		sec++;
	}
	buf_free(&w);
	return r == 0 ? sec : 0;
}

/*
 * NAME*=UTF-8''%XX... on one line, or NAME*0*=, NAME*1*=, ... sections
 * of a line each.  Decoders keep a bounded number of sections (ours
 * RFC2231_SECTIONS): a value that would need more at HDRENC_COLS gets
 * longer sections, up to the 998 bytes of a line (RFC 5322 section
 * 2.1.1), and one that does not fit even so is refused as too long.
 */
static int
rfc2231(struct buf *b, size_t *col, const char *name, const char *p,
    size_t n)
{
	struct buf w;
	size_t k, esc, wide = 0;
	int r;

	buf_init(&w, 3 * n + strlen(name) + 64);
	buf_printf(&w, "%s*=UTF-8''", name);
	esc = w.len;
	k = pct(&w, p, n, (size_t)-1);
	esc = w.len - esc;
	if (k == n && w.len + 2 <= HDRENC_COLS) {
		r = hdrenc_word(b, col, w.p, w.len, 1);
		buf_free(&w);
		return r;
	}
	buf_free(&w);
	/* a wide section holds at least wide - 11 bytes of escapes, as a
	 * character costs up to 12; a section that would pass 998 bytes
	 * ends it with -1, b holding a prefix, as for the cap */
	if (sections(NULL, col, name, p, n, 0) > RFC2231_SECTIONS)
		wide = esc / RFC2231_SECTIONS + 12;
	return sections(b, col, name, p, n, wide) > 0 ? 0 : -1;
}

int
hdrenc_param(struct buf *b, size_t *col, const char *name, const char *p,
    size_t n)
{
	struct buf q;
	size_t i;
	int r;

	if (buf_addc(b, ';') == -1)
		return -1;
	(*col)++;
	/* what header text would encode (8-bit, controls, and "=?", which
	 * decoders take for the start of an RFC 2047 word even inside a
	 * quoted string: ours and Python's do), and TAB */
	if (hdrenc_needed(p, n) || memchr(p, '\t', n) != NULL)
		return rfc2231(b, col, name, p, n);
	buf_init(&q, 2 * n + strlen(name) + 4);
	buf_printf(&q, "%s=\"", name);
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_addc(&q, '\\');
		buf_addc(&q, p[i]);
	}
	buf_addc(&q, '"');
	if (q.len + 2 > HDRENC_COLS)
		r = rfc2231(b, col, name, p, n);
	else
		r = hdrenc_word(b, col, q.p, q.len, 1);
	buf_free(&q);
	return r;
}
