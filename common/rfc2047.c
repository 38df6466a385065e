/*
 * rfc2047: see rfc2047.h.
 *
 * Rationale.  The reference is what Python's email package
 * (email.policy.default) shows for a Subject or a parameter, because
 * that is what a differential test can check and what most tools agree
 * on; mail in the wild is judged by how MUAs display it, not by the RFC.
 * Where yubin differs on purpose:
 *  - adjacent words in one charset are joined before conversion, so a
 *    character, an ISO-2022-JP shift state or a base64 quantum split
 *    across words survives (Python decodes each word alone; it only
 *    rescues split UTF-8, by accident of its surrogateescape handling);
 *  - a word with an unknown charset, with characters outside the base64
 *    alphabet, or of 4k+1 base64 characters, is kept as written (Python
 *    decodes the first as ASCII, skips bad characters, shows the encoded
 *    text for the last);
 *  - RFC 2231 parameters: "name*" wins over "name" (Python takes the
 *    first), an unquoted value runs on to the next ';' unless what
 *    follows the space looks like "attr=" or a comment
 *    ("name=my file.pdf" gives "my file.pdf", Python "my"), and
 *    continuations start at the lowest index present.
 * Decoded words are copied exactly, control characters and NUL bytes
 * included: sanitising for a terminal is the caller's business.
 */
#include "rfc2047.h"

#include <string.h>

#include "charset.h"
#include "codec.h"

#define EW_CSMAX 64             /* longer charset fields are not words */
#define EW_CHUNK 256            /* decoded bytes batched per buf_add */

static int
is_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Base64 by table, as this runs per byte: 0..63 a digit, B64_LWSP white
 * space (a fold inside the word), B64_PAD '=', -1 anything else.
 */
#define B64_LWSP 64
#define B64_PAD 65
static const signed char b64_tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, 64, 64, -1, -1, 64, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	64, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, 65, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};

static int
hex_val(char c)
{
	return codec_hexval((unsigned char)c);
}

/* ASCII case-insensitive equality of two counted strings. */
static int
ci_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/* ---- encoded words ------------------------------------------------ */

struct ew {
	size_t start, end;      /* "=?" up to and including "?=" */
	const char *cs;         /* charset, language suffix removed */
	size_t cslen;
	int b;                  /* B rather than Q */
	const char *txt;        /* encoded text */
	size_t txtlen;
	size_t nd;              /* B: base64 characters, */
	int pad;                /* and whether '=' padding followed */
	int bad;                /* not a word: RFC2047_W_* if it began
	                           like one ("=?charset?"), else 0 */
};

/*
 * Adjacent words in one charset, decoded to bytes but not yet converted.
 * A base64 quantum may run on into the next word (carry).
 */
struct ew_run {
	const char *p;          /* the whole input */
	struct buf raw;
	const char *cs;         /* NULL: no run */
	size_t cslen;
	size_t start, end;      /* the run's words in p */
	unsigned acc;           /* base64 bits not yet a byte */
	int nbits;
	int carry;
	int flags;              /* RFC2047_W_* seen so far */
	int want;               /* the caller asked for them */
};

/* Offset of the next "=?" at or after i, or n. */
static size_t
ew_find(const char *p, size_t n, size_t i)
{
	const char *q;

	while (i + 1 < n && (q = memchr(p + i, '=', n - i - 1)) != NULL) {
		i = (size_t)(q - p);
		if (p[i + 1] == '?')
			return i;
		i++;
	}
	return n;
}

/*
 * B text: base64 characters, white space (from a fold inside the word),
 * then optional '=' padding.  Sets *ndata to the number of base64
 * characters and *pad if there was padding; -1 if malformed.
 */
static int
b64_check(const char *t, size_t n, size_t *ndata, int *pad)
{
	size_t i;

	*ndata = 0;
	*pad = 0;
	for (i = 0; i < n; i++) {
		int v = b64_tab[(unsigned char)t[i]];

		if (v == B64_LWSP)
			continue;
		if (v == B64_PAD) {
			*pad = 1;
			continue;
		}
		if (*pad || v < 0)
			return -1;
		(*ndata)++;
	}
	return 0;
}

/*
 * Is there a syntactically valid encoded word in a known charset at i?
 * The encoded text ends at its first '?', which must start "?=" (as in
 * Python: "=?utf-8?q?a?b?=" is not a word).  White space inside is
 * allowed, for words broken by a fold.
 */
static int
ew_parse(const char *p, size_t n, size_t i, struct ew *w)
{
	size_t j, e;
	const char *star, *q;

	w->bad = 0;
	for (j = i + 2; j < n && p[j] != '?'; j++)
		if (is_lwsp(p[j]) || j - i > EW_CSMAX)
			return 0;
	/* "=?charset?" was there: from now on a failure is a broken word,
	 * worth a warning, not an innocent "=?" in text */
	w->bad = j > i + 2 && j < n ? RFC2047_W_BADWORD : 0;
	if (j + 2 >= n || p[j + 2] != '?')
		return 0;
	w->b = p[j + 1] == 'b' || p[j + 1] == 'B';
	if (!w->b && p[j + 1] != 'q' && p[j + 1] != 'Q')
		return 0;
	q = j + 3 < n ? memchr(p + j + 3, '?', n - (j + 3)) : NULL;
	e = q != NULL ? (size_t)(q - p) : n;
	if (e + 1 >= n || p[e + 1] != '=')
		return 0;
	w->start = i;
	w->end = e + 2;
	w->cs = p + i + 2;
	w->cslen = j - (i + 2);
	if ((star = memchr(w->cs, '*', w->cslen)) != NULL)
		w->cslen = (size_t)(star - w->cs);      /* RFC 2231 language */
	w->txt = p + j + 3;
	w->txtlen = e - (j + 3);
	w->nd = 0;
	w->pad = 0;
	if (w->b && b64_check(w->txt, w->txtlen, &w->nd, &w->pad) < 0)
		return 0;
	if (!charset_known(w->cs, w->cslen)) {
		w->bad = RFC2047_W_CHARSET;
		return 0;
	}
	w->bad = 0;
	return 1;
}

static int
ew_samecs(const struct ew_run *r, const struct ew *w)
{
	return r->cs != NULL && ci_eq(r->cs, r->cslen, w->cs, w->cslen);
}

/*
 * A B word of 4k+1 characters cannot stand alone; it is whole only as
 * the start of a quantum that the next adjacent B word in the same
 * charset finishes, or as the end of one (carry_in).
 */
static int
ew_whole(const char *p, size_t n, const struct ew *w, int carry_in)
{
	struct ew next;
	size_t i;

	if (!w->b || carry_in)
		return 1;
	if (w->nd % 4 != 1)
		return 1;
	if (w->pad)
		return 0;
	for (i = w->end; i < n && is_lwsp(p[i]); i++)
		;
	if (i + 1 >= n || p[i] != '=' || p[i + 1] != '?' ||
	    !ew_parse(p, n, i, &next))
		return 0;
	return next.b && ci_eq(w->cs, w->cslen, next.cs, next.cslen);
}

/*
 * Base64 with the bits left over carried to the next word.  Leftover
 * bits that are all zero mean the encoder merely dropped the padding
 * ("YQ" is "a"); otherwise the quantum goes on in the next word.  The
 * raw buffer cannot fill: decoded bytes never outnumber input bytes.
 * Bytes are gathered in tmp and appended in chunks, not one by one.
 */
static void
ew_b64(struct ew_run *r, const struct ew *w)
{
	char tmp[EW_CHUNK];
	size_t i, k = 0;
	int pad = 0;

	if (!r->carry) {
		r->acc = 0;
		r->nbits = 0;
	}
	for (i = 0; i < w->txtlen && !pad; i++) {
		int v = b64_tab[(unsigned char)w->txt[i]];

		if (v == B64_LWSP)
			continue;
		if (v == B64_PAD) {
			pad = 1;
			continue;
		}
		r->acc = (r->acc << 6) | (unsigned)v;
		r->nbits += 6;
		if (r->nbits >= 8) {
			r->nbits -= 8;
			tmp[k++] = (char)((r->acc >> r->nbits) & 0xFF);
			if (k == sizeof tmp) {
				buf_add(&r->raw, tmp, k);
				k = 0;
			}
		}
		r->acc &= (1u << r->nbits) - 1;
	}
	buf_add(&r->raw, tmp, k);
	r->carry = !pad && (r->nbits == 6 || (r->nbits > 0 && r->acc != 0));
}

/* Q: '_' is a space, "=XX" in either case a byte, a lone '=' itself.
 * CR and LF are fold residue; spaces are kept, as Python does. */
static void
ew_q(struct ew_run *r, const struct ew *w)
{
	const char *t = w->txt;
	char tmp[EW_CHUNK];
	size_t i, n = w->txtlen, k = 0;

	r->carry = 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)t[i];

		if (c == '_')
			c = ' ';
		else if (c == '\r' || c == '\n')
			continue;
		else if (c == '=' && i + 2 < n && hex_val(t[i + 1]) >= 0 &&
		    hex_val(t[i + 2]) >= 0) {
			c = hex_val(t[i + 1]) << 4 | hex_val(t[i + 2]);
			i += 2;
		}
		tmp[k++] = (char)c;
		if (k == sizeof tmp) {
			buf_add(&r->raw, tmp, k);
			k = 0;
		}
	}
	buf_add(&r->raw, tmp, k);
}

/* Convert the run's bytes and end it. */
static int
run_flush(struct ew_run *r, struct buf *out)
{
	const char *raw = r->raw.p != NULL ? r->raw.p : "";
	int k;

	if (r->cs == NULL)
		return 0;
	/* bytes that are not UTF-8 in a UTF-8 word become U+FFFD: the word
	 * did not decode (other charsets' converters do not say); a pass
	 * over the bytes, made only for a caller that takes the flags */
	if (r->want && (ci_eq(r->cs, r->cslen, "utf-8", 5) ||
	    ci_eq(r->cs, r->cslen, "utf8", 4)) &&
	    !utf8_valid(raw, r->raw.len))
		r->flags |= RFC2047_W_BADWORD;
	k = charset_to_utf8(r->cs, r->cslen, raw, r->raw.len, out);
	if (k == -2)    /* iconv_open failed this time (EMFILE, ENOMEM) */
		k = utf8_append(r->p + r->start, r->end - r->start, out);
	buf_reset(&r->raw);
	r->cs = NULL;
	r->carry = 0;
	return k < 0 ? -1 : 0;
}

/* Add a word; the caller has checked that it is adjacent to the run. */
static int
run_add(struct ew_run *r, const struct ew *w, struct buf *out)
{
	if (!ew_samecs(r, w)) {
		if (run_flush(r, out) < 0)
			return -1;
		r->cs = w->cs;
		r->cslen = w->cslen;
		r->start = w->start;
	}
	r->end = w->end;
	if (w->b)
		ew_b64(r, w);
	else
		ew_q(r, w);
	return 0;
}

static int
all_lwsp(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lwsp(p[i]))
			return 0;
	return 1;
}

/* The decoder proper, once "=?" has been seen. */
static int
ew_decode(const char *p, size_t n, struct ew_run *r, struct buf *out)
{
	struct ew w;
	size_t i = 0, j, text = 0;
	int adj;

	while ((j = ew_find(p, n, i)) < n) {
		i = j + 1;
		if (!ew_parse(p, n, j, &w)) {
			r->flags |= w.bad;
			continue;
		}
		adj = r->cs != NULL && all_lwsp(p + text, j - text);
		if (!ew_whole(p, n, &w, adj && ew_samecs(r, &w) && r->carry)) {
			r->flags |= RFC2047_W_BADWORD;
			continue;
		}
		if (!adj && (run_flush(r, out) < 0 ||
		    utf8_append(p + text, j - text, out) < 0))
			return -1;
		if (run_add(r, &w, out) < 0)
			return -1;
		i = text = w.end;
	}
	if (run_flush(r, out) < 0)
		return -1;
	return utf8_append(p + text, n - text, out);
}

int
rfc2047_decode(const char *p, size_t n, struct buf *out)
{
	return rfc2047_decode_w(p, n, out, NULL);
}

int
rfc2047_decode_w(const char *p, size_t n, struct buf *out, int *flags)
{
	struct ew_run r;
	int rc;

	if (ew_find(p, n, 0) == n)      /* the common case: no allocation */
		return utf8_append(p, n, out);
	memset(&r, 0, sizeof r);
	r.p = p;
	r.want = flags != NULL;
	buf_init(&r.raw, n + 1);
	rc = ew_decode(p, n, &r, out);
	buf_free(&r.raw);
	if (flags != NULL)
		*flags |= r.flags;
	return rc;
}

/* ---- RFC 2231 parameters ------------------------------------------ */

struct param {
	const char *name;       /* attribute without its section suffix */
	size_t namelen;
	long section;           /* name*N: N; else -1 */
	int ext;                /* a trailing '*': charset'lang'%XX */
	const char *val;        /* raw value, quotes included */
	size_t vallen;
};

/* RFC 2045 token characters, for attribute names. */
static int
is_attr(char c)
{
	return c > 0x20 && c < 0x7F && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Past the quoted string at i (p[i] == '"'); n if unterminated. */
static size_t
skip_quoted(const char *p, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return n;
}

/* Past the (nested) comment at i (p[i] == '('); n if unterminated. */
static size_t
skip_comment(const char *p, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

static size_t
skip_cfws(const char *p, size_t n, size_t i)
{
	while (i < n) {
		if (is_lwsp(p[i]))
			i++;
		else if (p[i] == '(')
			i = skip_comment(p, n, i);
		else
			break;
	}
	return i;
}

/* Does "attr =" follow at i (after white space)?  Then a ';' is missing. */
static int
attr_follows(const char *p, size_t n, size_t i)
{
	size_t j;

	while (i < n && is_lwsp(p[i]))
		i++;
	for (j = i; j < n && is_attr(p[j]); j++)
		;
	if (j == i)
		return 0;
	while (j < n && is_lwsp(p[j]))
		j++;
	return j < n && p[j] == '=';
}

/*
 * End of the leading value ("text/plain"): the first ';', or white space
 * before "attr=" when the ';' is missing.  Only the first white space of
 * a run is looked at, which keeps this linear.
 */
static size_t
head_end(const char *p, size_t n)
{
	size_t i;

	if (attr_follows(p, n, 0))
		return 0;               /* no value, only parameters */
	for (i = 0; i < n; i++) {
		if (p[i] == ';')
			return i;
		if (p[i] == '"')
			i = skip_quoted(p, n, i) - 1;
		else if (p[i] == '(')
			i = skip_comment(p, n, i) - 1;
		else if (is_lwsp(p[i]) && i > 0 && !is_lwsp(p[i - 1]) &&
		    attr_follows(p, n, i))
			return i;
	}
	return n;
}

/*
 * End of an unquoted value: the next ';', or white space followed by a
 * comment or by "attr=" (a missing ';').  Other white space is part of
 * the value: "name=my file.pdf" is what its sender meant.
 */
static size_t
value_end(const char *p, size_t n, size_t start)
{
	size_t i, j;

	for (i = start; i < n && p[i] != ';'; i++) {
		if (!is_lwsp(p[i]) || (i > start && is_lwsp(p[i - 1])))
			continue;
		for (j = i; j < n && is_lwsp(p[j]); j++)
			;
		if (j == n || p[j] == '(' || attr_follows(p, n, j))
			break;
	}
	while (i > start && is_lwsp(p[i - 1]))
		i--;
	return i;
}

/* Split "name*3*" into name, section 3, extended. */
static void
param_section(struct param *pr, const char *a, size_t alen)
{
	const char *star = memchr(a, '*', alen);
	size_t i, k;
	long sec = 0;

	pr->name = a;
	pr->namelen = alen;
	pr->section = -1;
	pr->ext = 0;
	if (star == NULL)
		return;
	k = (size_t)(star - a);
	for (i = k + 1; i < alen && i < k + 7 && a[i] >= '0' && a[i] <= '9';
	    i++)
		sec = sec * 10 + (a[i] - '0');
	if (i < alen && !(a[i] == '*' && i + 1 == alen))
		return;         /* "name*x", "name*1*2": never matches */
	pr->namelen = k;
	pr->ext = a[alen - 1] == '*';
	if (i > k + 1)
		pr->section = sec;
}

/* The next "attr=value" at or after *ip; junk in between is skipped. */
static int
param_next(const char *p, size_t n, size_t *ip, struct param *pr)
{
	size_t i = *ip, a, v;

	for (;;) {
		while ((i = skip_cfws(p, n, i)) < n && p[i] == ';')
			i++;
		if (i >= n)
			return 0;
		for (a = i; i < n && is_attr(p[i]); i++)
			;
		if (i == a) {           /* a stray '"', '=', '/' ... */
			i = p[i] == '"' ? skip_quoted(p, n, i) : i + 1;
			continue;
		}
		v = skip_cfws(p, n, i);
		if (v >= n || p[v] != '=')
			continue;       /* a lone word */
		param_section(pr, p + a, i - a);
		i = skip_cfws(p, n, v + 1);
		v = i;
		i = i < n && p[i] == '"' ? skip_quoted(p, n, i) :
		    value_end(p, n, i);
		pr->val = p + v;
		pr->vallen = i - v;
		*ip = i;
		return 1;
	}
}

/* Append the value without its quotes and quoted-pair backslashes. */
static int
param_unquote(const struct param *pr, struct buf *b)
{
	const char *v = pr->val;
	size_t n = pr->vallen, i, run;

	if (n == 0 || v[0] != '"')
		return buf_add(b, v, n);
	if (n >= 2 && v[n - 1] == '"' && skip_quoted(v, n, 0) == n)
		n--;
	for (i = run = 1; i < n; i++) {
		if (v[i] != '\\' || i + 1 >= n)
			continue;
		if (buf_add(b, v + run, i - run) < 0)
			return -1;
		run = ++i;
	}
	return buf_add(b, v + run, n - run);
}

/* Percent-decoding of extended values; a bad escape stays as it is
 * (RFC2231_W_ESCAPE). */
static int
pct_decode(const char *s, size_t n, struct buf *b, int *flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && hex_val(s[i + 1]) >= 0 &&
		    hex_val(s[i + 2]) >= 0) {
			c = hex_val(s[i + 1]) << 4 | hex_val(s[i + 2]);
			i += 2;
		} else if (c == '%')
			*flags |= RFC2231_W_ESCAPE;
		if (buf_addc(b, c) < 0)
			return -1;
	}
	return 0;
}

/* Scratch space for assembling one parameter value. */
struct pval {
	struct buf raw;         /* the bytes, before charset conversion */
	struct buf tmp;         /* one segment, unquoted */
	char cs[EW_CSMAX + 1];
	size_t cslen;
	int ext;                /* some segment was extended */
	int flags;              /* RFC2047_W_*, RFC2231_W_* */
};

/* Add one segment; `first' segments of extended values carry
 * "charset'language'" in front. */
static int
pval_add(struct pval *v, const struct param *pr, int first)
{
	const char *s, *q1, *q2;
	size_t n;

	buf_reset(&v->tmp);
	if (param_unquote(pr, &v->tmp) < 0)
		return -1;
	s = v->tmp.p != NULL ? v->tmp.p : "";
	n = v->tmp.len;
	if (!pr->ext)
		return buf_add(&v->raw, s, n);
	v->ext = 1;
	if (first && (q1 = memchr(s, '\'', n)) != NULL &&
	    (q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s))) != NULL) {
		v->cslen = (size_t)(q1 - s);
		if (v->cslen > EW_CSMAX)
			v->cslen = 0;   /* no charset is that long: UTF-8 */
		memcpy(v->cs, s, v->cslen);
		n -= (size_t)(q2 + 1 - s);
		s = q2 + 1;
	}
	return pct_decode(s, n, &v->raw, &v->flags);
}

/* Convert the assembled bytes: extended values by their charset (UTF-8
 * if none or unknown), plain ones as UTF-8 with RFC 2047 words. */
static int
pval_finish(struct pval *v, struct buf *out)
{
	const char *raw = v->raw.p != NULL ? v->raw.p : "";
	int k;

	if (!v->ext)
		return rfc2047_decode_w(raw, v->raw.len, out, &v->flags);
	/* no charset ("''") is allowed (RFC 2231 §4); a wrong one is not */
	if (v->cslen > 0 && !charset_known(v->cs, v->cslen))
		v->flags |= RFC2047_W_CHARSET;
	k = charset_to_utf8(v->cs, v->cslen, raw, v->raw.len, out);
	if (k == -2)
		k = utf8_append(raw, v->raw.len, out);
	return k;
}

/* Sort continuations by index; equal indexes keep their order, so the
 * first of two duplicates wins. */
static void
seg_sort(struct param *s, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct param t = s[i];

		for (j = i; j > 0 && s[j - 1].section > t.section; j--)
			s[j] = s[j - 1];
		s[j] = t;
	}
}

/* Keep a continuation; past the limit, keep the lowest indexes.
 * Returns 1 when one was dropped. */
static int
seg_keep(struct param *s, size_t *n, const struct param *pr)
{
	size_t i, hi = 0;

	if (*n < RFC2231_SECTIONS) {
		s[(*n)++] = *pr;
		return 0;
	}
	for (i = 1; i < *n; i++)
		if (s[i].section > s[hi].section)
			hi = i;
	if (pr->section < s[hi].section)
		s[hi] = *pr;
	return 1;
}

/* Join the continuations from the lowest index up to the first gap. */
static int
pval_segs(struct pval *v, struct param *s, size_t n)
{
	size_t i;
	long want;

	seg_sort(s, n);
	want = s[0].section;
	if (want != 0)
		v->flags |= RFC2231_W_GAP;      /* no name*0 */
	for (i = 0; i < n; i++) {
		if (s[i].section == want - 1)
			continue;               /* duplicate */
		if (s[i].section != want) {
			v->flags |= RFC2231_W_GAP;
			break;
		}
		if (pval_add(v, &s[i], s[i].section == 0) < 0)
			return -1;
		want++;
	}
	return 0;
}

/* Which form of the parameter to use: name* > name*N > name. */
static int
param_pick(struct pval *v, const struct param *ext1, const struct param *plain,
    struct param *seg, size_t nseg)
{
	if (ext1 != NULL)
		return pval_add(v, ext1, 1);
	if (nseg > 0)
		return pval_segs(v, seg, nseg);
	return plain != NULL ? pval_add(v, plain, 1) : 0;
}

int
rfc2231_param(const char *p, size_t n, const char *name, struct buf *out)
{
	return rfc2231_param_w(p, n, name, out, NULL);
}

int
rfc2231_param_w(const char *p, size_t n, const char *name, struct buf *out,
    int *flags)
{
	struct param pr, ext1, plain, seg[RFC2231_SECTIONS];
	struct pval v;
	size_t i = head_end(p, n), nseg = 0;
	int have_ext = 0, have_plain = 0, rc, many = 0;

	while (param_next(p, n, &i, &pr)) {
		if (!strcaseeqn(pr.name, pr.namelen, name))
			continue;
		if (pr.section >= 0)
			many |= seg_keep(seg, &nseg, &pr);
		else if (pr.section < 0 && pr.ext && !have_ext++)
			ext1 = pr;
		else if (pr.section < 0 && !pr.ext && !have_plain++)
			plain = pr;
	}
	if (!have_ext && !have_plain && nseg == 0)
		return 0;
	memset(&v, 0, sizeof v);
	buf_init(&v.raw, n + 1);
	buf_init(&v.tmp, n + 1);
	rc = param_pick(&v, have_ext ? &ext1 : NULL, have_plain ? &plain : NULL,
	    seg, nseg);
	/* only when the sections were used, and all the kept ones joined */
	if (many && !have_ext && nseg > 0 && !(v.flags & RFC2231_W_GAP))
		v.flags |= RFC2231_W_MANY;
	if (rc == 0)
		rc = pval_finish(&v, out);
	buf_free(&v.raw);
	buf_free(&v.tmp);
	if (flags != NULL)
		*flags |= v.flags;
	return rc < 0 ? -1 : 1;
}

int
rfc2231_value(const char *p, size_t n, struct buf *out)
{
	size_t e = head_end(p, n), i = skip_cfws(p, e, 0), j;

	while (i < e) {
		for (j = i; j < e && !is_lwsp(p[j]) && p[j] != '('; j++)
			;
		for (; i < j; i++) {
			char c = p[i];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (buf_addc(out, c) < 0)
				return -1;
		}
		i = skip_cfws(p, e, j);
	}
	return 0;
}
