/*
 * smtp: see smtp.h.  Pure functions: the caller does the I/O.
 */
#include "smtp.h"

#include <string.h>

#include "codec.h"
#include "hdr.h"
#include "rfc2047.h"
#include "util.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof *r);
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* 1-3 digits at p[*i]; advance *i.  Returns the count. */
static size_t
digits(const char *p, size_t n, size_t *i)
{
	size_t k = 0;

	while (*i < n && isdig((unsigned char)p[*i]) && k < 4) {
		(*i)++;
		k++;
	}
	return k;
}

size_t
smtp_enhanced(const char *p, size_t n, int code)
{
	size_t i, k;

	if (n < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') ||
	    p[1] != '.')
		return 0;
	if (code != 0 && p[0] - '0' != code / 100)
		return 0;
	i = 2;
	k = digits(p, n, &i);
	if (k < 1 || k > 3 || i >= n || p[i] != '.')
		return 0;
	i++;
	k = digits(p, n, &i);
	if (k < 1 || k > 3)
		return 0;
	if (i < n && p[i] != ' ')
		return 0;
	return i;
}

/*
 * The length of the well-formed UTF-8 sequence at p[0..n) that is not a
 * C1 control (U+0080..U+009F), or 0.  RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t k, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (p[0] == 0xc2)
		lo = 0xa0;		/* U+0080..U+009F: C1 controls */
	else if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

/*
 * Append text to the reply, a space between lines, cut at the cap.  The
 * text comes from a server that may be hostile (any MX in --mx mode) and
 * ends up in TSV lines and on terminals: controls (TAB included), DEL,
 * C1 controls and bytes that are not UTF-8 become '?', so no reply can
 * add columns or send escape sequences.
 */
static void
add_text(struct smtp_reply *r, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, k;

	if (r->textlen > 0 && n > 0 && r->textlen < SMTP_TEXT_MAX - 1)
		r->text[r->textlen++] = ' ';
	while (i < n && r->textlen < SMTP_TEXT_MAX - 1) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			r->text[r->textlen++] = (char)u[i++];
			continue;
		}
		k = u[i] >= 0x80 ? utf8_seq(u + i, n - i) : 0;
		if (k == 0) {
			r->text[r->textlen++] = '?';
			i++;
			continue;
		}
		if (k > SMTP_TEXT_MAX - 1 - r->textlen)
			break;		/* never a sequence cut in two */
		memcpy(r->text + r->textlen, u + i, k);
		r->textlen += k;
		i += k;
	}
	r->text[r->textlen] = '\0';
}

int
smtp_reply_line(struct smtp_reply *r, const char *line, size_t len)
{
	int code, cont;
	size_t e;
	const char *t;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	cont = len > 3 && line[3] == '-';
	if (r->done || r->nlines >= SMTP_LINES_MAX || len < 3)
		return SMTP_BAD;
	if (!isdig((unsigned char)line[0]) || !isdig((unsigned char)line[1]) ||
	    !isdig((unsigned char)line[2]) || line[0] < '2' || line[0] > '5' ||
	    line[1] > '5')
		return SMTP_BAD;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return SMTP_BAD;
	if (r->nlines > 0 && code != r->code)
		return SMTP_BAD;
	r->code = code;
	t = line + 4;
	len = len > 4 ? len - 4 : 0;
	/* Servers repeat the enhanced code on every line; keep it once. */
	e = smtp_enhanced(t, len, code);
	if (e > 0 && e < sizeof r->enh) {
		if (r->nlines == 0) {
			memcpy(r->enh, t, e);
			r->enh[e] = '\0';
		}
		if (r->nlines == 0 || (strlen(r->enh) == e &&
		    memcmp(r->enh, t, e) == 0)) {
			t += e;
			len -= e;
			if (len > 0) {
				t++;
				len--;
			}
		}
	}
	add_text(r, t, len);
	r->nlines++;
	if (cont)
		return SMTP_MORE;
	r->done = 1;
	return SMTP_DONE;
}

int
smtp_reply_parse(const char *p, size_t n, struct smtp_reply *r,
    size_t *used)
{
	size_t off = 0;
	const char *nl;
	int rc;

	smtp_reply_init(r);
	*used = 0;
	while (off < n) {
		nl = memchr(p + off, '\n', n - off);
		if (nl == NULL)
			return SMTP_MORE;
		rc = smtp_reply_line(r, p + off, (size_t)(nl - (p + off)));
		off = (size_t)(nl - p) + 1;
		if (rc != SMTP_MORE) {
			if (rc == SMTP_DONE)
				*used = off;
			return rc;
		}
	}
	return SMTP_MORE;
}

/* One EHLO keyword line (the text after "250-" or "250 "). */
static void
ehlo_keyword(struct smtp_ext *e, const char *p, size_t n)
{
	static const struct {
		const char *kw;
		unsigned flag;
	} kws[] = {
		{ "PIPELINING", SMTP_EXT_PIPELINING },
		{ "8BITMIME", SMTP_EXT_8BITMIME },
		{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
		{ "DSN", SMTP_EXT_DSN },
		{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCED },
		{ "STARTTLS", SMTP_EXT_STARTTLS },
		{ "CHUNKING", SMTP_EXT_CHUNKING },
	};
	size_t k, i, w, len;
	unsigned long long v;

	for (k = 0; k < n && p[k] != ' ' && p[k] != '='; k++)
		;
	for (i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (strcaseeqn(p, k, kws[i].kw)) {
			e->flags |= kws[i].flag;
			return;
		}
	if (strcaseeqn(p, k, "SIZE")) {
		e->flags |= SMTP_EXT_SIZE;
		v = 0;
		for (i = k + 1; i < n && isdig((unsigned char)p[i]); i++) {
			if (v > (~0ULL - 9) / 10)
				return;		/* absurd: no limit */
			v = v * 10 + (unsigned)(p[i] - '0');
		}
		if (k < n && i == n)
			e->size = v;
		return;
	}
	if (!strcaseeqn(p, k, "AUTH"))
		return;
	e->flags |= SMTP_EXT_AUTH;
	/* Both "AUTH A B" and the old "AUTH=A B": merge, no duplicates. */
	for (i = k; i < n; i = w) {
		while (i < n && (p[i] == ' ' || p[i] == '='))
			i++;
		for (w = i; w < n && p[w] != ' '; w++)
			;
		len = w - i;
		if (len == 0 || memcasemem(e->auth, strlen(e->auth), p + i,
		    len) != NULL)
			continue;
		k = strlen(e->auth);
		if (k + len + 2 > sizeof e->auth)
			return;
		if (k > 0)
			e->auth[k++] = ' ';
		memcpy(e->auth + k, p + i, len);
		e->auth[k + len] = '\0';
	}
}

int
smtp_ehlo_parse(const char *p, size_t n, struct smtp_ext *e)
{
	struct smtp_ext cur;
	struct smtp_reply r;
	size_t off = 0, len;
	const char *nl;
	int rc, first = 1;

	memset(e, 0, sizeof *e);
	smtp_reply_init(&r);
	memset(&cur, 0, sizeof cur);
	while (off < n) {
		nl = memchr(p + off, '\n', n - off);
		len = nl ? (size_t)(nl - (p + off)) : n - off;
		rc = smtp_reply_line(&r, p + off, len);
		if (rc == SMTP_BAD)
			return -1;
		/* Keywords: every line of a 250 reply but the first. */
		if (r.code == 250 && !first && len >= 4) {
			size_t k = len;

			if (p[off + k - 1] == '\r')
				k--;
			ehlo_keyword(&cur, p + off + 4, k > 4 ? k - 4 : 0);
		}
		first = 0;
		if (rc == SMTP_DONE) {
			if (r.code == 250) {
				cur.ehlo = 1;
				*e = cur;
			}
			memset(&cur, 0, sizeof cur);
			smtp_reply_init(&r);
			first = 1;
		}
		off += len + (nl != NULL);
	}
	return 0;
}

void
smtp_enc_init(struct smtp_enc *st)
{
	memset(st, 0, sizeof *st);
	st->bol = 1;
}

size_t
smtp_enc_update(struct smtp_enc *st, const char *in, size_t len, char *out)
{
	char *o = out;
	size_t i;
	int c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (st->cr) {
			st->cr = 0;
			if (c == '\n') {
				*o++ = '\r';
				*o++ = '\n';
				st->bol = 1;
				st->in_lines++;
				continue;
			}
			/* A bare CR is dropped: it was never a line end. */
		}
		if (c == '\r') {
			st->cr = 1;
			continue;
		}
		if (c == '\n') {
			*o++ = '\r';
			*o++ = '\n';
			st->bol = 1;
			st->in_lines++;
			continue;
		}
		if (st->bol && c == '.')
			*o++ = '.';
		st->bol = 0;
		*o++ = (char)c;
	}
	st->out += (size_t)(o - out);
	return (size_t)(o - out);
}

size_t
smtp_enc_final(struct smtp_enc *st, char *out)
{
	char *o = out;

	/* A pending CR is bare: dropped like the others. */
	st->cr = 0;
	if (!st->bol) {
		*o++ = '\r';
		*o++ = '\n';
		st->in_lines++;
	}
	memcpy(o, ".\r\n", 3);
	o += 3;
	st->bol = 1;
	st->out += (size_t)(o - out);
	return (size_t)(o - out);
}

unsigned long long
smtp_crlf_size(const char *p, size_t n, int *cr, int *bol)
{
	unsigned long long s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (*cr) {
			*cr = 0;
			if (p[i] == '\n') {
				s += 2;
				*bol = 1;
				continue;
			}
		}
		if (p[i] == '\r') {
			*cr = 1;
		} else if (p[i] == '\n') {
			s += 2;
			*bol = 1;
		} else {
			s++;
			*bol = 0;
		}
	}
	return s;
}

size_t
smtp_xtext(const char *p, size_t n, char *out, size_t sz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c < '!' || c > '~' || c == '+' || c == '=') {
			if (o + 4 > sz)
				return (size_t)-1;
			out[o++] = '+';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			if (o + 2 > sz)
				return (size_t)-1;
			out[o++] = (char)c;
		}
	}
	if (o + 1 > sz)
		return (size_t)-1;
	out[o] = '\0';
	return o;
}

int
smtp_has8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* ---- the multipart downgrade (see smtp.h) ---- */

enum { DG_BETWEEN, DG_PARTHDR, DG_LEAF };

static void
dg_emit(struct smtp_dg *g, const char *p, size_t n)
{
	static char enc[QP_ENC_BOUND(SMTP_DG_LINE * 64)];
	size_t k;

	if (g->scan) {
		if (!smtp_has8bit(p, n))
			return;
		if (g->state == DG_LEAF && g->leaf > 0 &&
		    g->leaf <= SMTP_DG_PARTS)
			g->has8[g->leaf - 1] = 1;
		else if (g->why == NULL)
			g->why = g->state == DG_LEAF ? "too many parts" :
			    "8-bit data outside the parts";
		return;
	}
	if (!g->encode) {
		g->sink(g->arg, p, n);
		return;
	}
	while (n > 0) {
		k = n > SMTP_DG_LINE * 64 ? SMTP_DG_LINE * 64 : n;
		g->sink(g->arg, enc, qp_enc_update(&g->q, p, k, enc));
		p += k;
		n -= k;
	}
}

static void
dg_endleaf(struct smtp_dg *g)
{
	char fin[QP_ENC_FINAL_MAX];

	if (g->scan && g->state == DG_LEAF && g->leaf > 0 &&
	    g->leaf <= SMTP_DG_PARTS && g->has8[g->leaf - 1] && !g->leafok &&
	    g->why == NULL)
		g->why = "8-bit data in a message/* part or one with a binary "
		    "or unknown encoding";
	if (!g->scan && g->encode)
		g->sink(g->arg, fin, qp_enc_final(&g->q, fin));
	g->encode = 0;
}

/* A part's header is complete: decide, and pass it on. */
static void
dg_parthdr(struct smtp_dg *g)
{
	struct hdrfield f;
	struct buf v;
	size_t off = 0;
	int multi = 0, message = 0, cteok = 1;

	buf_init(&v, SMTP_DG_BMAX + 1);
	while (hdr_next(g->hdr, g->hlen, &off, &f)) {
		if (hdr_is(&f, "content-type")) {
			multi = hdr_value_is(&f, "multipart/");
			message = hdr_value_is(&f, "message/");
			buf_reset(&v);
			if (multi && rfc2231_param(f.val, f.vallen, "boundary",
			    &v) == 1 && v.len > 0 && g->depth < SMTP_DG_DEPTH) {
				memcpy(g->bnd[g->depth], v.p, v.len + 1);
				g->depth++;
			} else {
				multi = 0;
			}
		}
		if (hdr_is(&f, "content-transfer-encoding"))
			cteok = hdr_value_is(&f, "7bit") ||
			    hdr_value_is(&f, "8bit");
	}
	buf_free(&v);
	if (g->scan && smtp_has8bit(g->hdr, g->hlen) && g->why == NULL)
		g->why = "8-bit data in a part header";
	g->state = multi ? DG_BETWEEN : DG_LEAF;
	if (!multi)
		g->leaf++;
	g->leafok = !message && cteok;
	g->encode = !g->scan && !multi && g->leaf <= SMTP_DG_PARTS &&
	    g->has8[g->leaf - 1];
	if (g->scan)
		return;
	if (!g->encode) {
		g->sink(g->arg, g->hdr, g->hlen);
		return;
	}
	off = 0;
	while (hdr_next(g->hdr, g->hlen, &off, &f))
		if (!hdr_is(&f, "content-transfer-encoding"))
			g->sink(g->arg, f.line, f.linelen);
	g->sink(g->arg, "Content-Transfer-Encoding: quoted-printable\n\n", 45);
	qp_enc_init(&g->q, QP_SAFE);
}

/* Is the line a delimiter?  -1 no, else the depth of its boundary;
 * *close for "--boundary--". */
static int
dg_delim(const struct smtp_dg *g, const char *p, size_t n, int *close)
{
	size_t bl;
	int d;

	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n < 3 || p[0] != '-' || p[1] != '-')
		return -1;
	for (d = g->depth - 1; d >= 0; d--) {
		bl = strlen(g->bnd[d]);
		if (n - 2 < bl || memcmp(p + 2, g->bnd[d], bl) != 0)
			continue;
		if (n - 2 == bl) {
			*close = 0;
			return d;
		}
		if (n - 2 == bl + 2 && p[n - 1] == '-' && p[n - 2] == '-') {
			*close = 1;
			return d;
		}
	}
	return -1;
}

static void
dg_hdradd(struct smtp_dg *g, const char *p, size_t n)
{
	if (n > SMTP_DG_HDRMAX - g->hlen) {
		if (g->why == NULL)
			g->why = "a part header over 64 KiB";
		n = SMTP_DG_HDRMAX - g->hlen;
	}
	memcpy(g->hdr + g->hlen, p, n);
	g->hlen += n;
}

static void
dg_line(struct smtp_dg *g, const char *p, size_t n)
{
	int d, close;

	if (g->state == DG_PARTHDR) {
		dg_hdradd(g, p, n);
		if (n == 1 || (n == 2 && p[0] == '\r')) {
			dg_parthdr(g);
			g->hlen = 0;
		}
		return;
	}
	if ((d = dg_delim(g, p, n, &close)) >= 0) {
		dg_endleaf(g);
		g->depth = d + 1;
		if (!g->scan)
			g->sink(g->arg, p, n);
		if (close)
			g->depth--;
		g->state = close ? DG_BETWEEN : DG_PARTHDR;
		return;
	}
	dg_emit(g, p, n);
}

void
smtp_dg_start(struct smtp_dg *g, const char *boundary, int scan,
    smtp_sink *sink, void *arg)
{
	if (scan)
		memset(g->has8, 0, sizeof g->has8);
	g->scan = scan;
	g->why = NULL;
	g->leaf = 0;
	g->state = DG_BETWEEN;
	g->encode = g->leafok = g->longline = 0;
	g->hlen = g->llen = 0;
	g->sink = sink;
	g->arg = arg;
	g->depth = 0;
	if (strlen(boundary) <= SMTP_DG_BMAX && *boundary != '\0') {
		strcpy(g->bnd[0], boundary);
		g->depth = 1;
	}
}

void
smtp_dg_feed(struct smtp_dg *g, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) + 1 : n;
		if (g->longline || g->llen + k > SMTP_DG_LINE) {
			/* too long to be a delimiter: content as it comes */
			if (g->state == DG_PARTHDR) {
				dg_hdradd(g, g->line, g->llen);
				dg_hdradd(g, p, k);
			} else {
				dg_emit(g, g->line, g->llen);
				dg_emit(g, p, k);
			}
			g->llen = 0;
			g->longline = nl == NULL;
		} else {
			memcpy(g->line + g->llen, p, k);
			g->llen += k;
			if (nl != NULL) {
				dg_line(g, g->line, g->llen);
				g->llen = 0;
			}
		}
		p += k;
		n -= k;
	}
}

const char *
smtp_dg_end(struct smtp_dg *g)
{
	if (g->llen > 0)
		dg_line(g, g->line, g->llen);
	g->llen = 0;
	dg_endleaf(g);
	/* a part header cut short by the end of the body goes as it is */
	if (g->state == DG_PARTHDR && g->scan && g->why == NULL &&
	    smtp_has8bit(g->hdr, g->hlen))
		g->why = "8-bit data in a part header";
	if (g->state == DG_PARTHDR && !g->scan)
		g->sink(g->arg, g->hdr, g->hlen);
	g->hlen = 0;
	return g->why;
}

int
smtp_exit(int code, const char *enh, int rcpt)
{
	if (code >= 200 && code < 400)
		return 0;
	if (code >= 400 && code < 500)
		return EX_TEMPFAIL;
	/* an enhanced code says what was wrong (RFC 3463): 5.1.x is the
	 * address, 5.7.1 a policy; only without one does 550 stand for
	 * "no such user" */
	if (rcpt && *enh != '\0')
		return strncmp(enh, "5.1.", 4) == 0 ? EX_NOUSER :
		    EX_UNAVAILABLE;
	if (rcpt && (code == 550 || code == 551 || code == 553))
		return EX_NOUSER;
	return EX_UNAVAILABLE;
}
