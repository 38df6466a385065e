/*
 * smtp: see smtp.h.  Pure functions: the caller does the I/O.
 */
#include "smtp.h"

#include <string.h>

#include "codec.h"
#include "hdr.h"
#include "mime.h"
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

static const char no8[] = "8-bit data in a message/* part or one with a "
    "binary or unknown encoding";

static void
dg_why(struct smtp_dg *g, const char *why)
{
	if (g->why == NULL)
		g->why = why;
}

/* Which leaves have 8-bit data, where else it is (the scan); or
 * everything as it is but the leaves being re-encoded (the write). */
static void
dg_out(void *arg, const struct mime_part *pt, int what, const char *p,
    size_t n)
{
	struct smtp_dg *g = arg;

	if (!g->scan) {
		g->sink(g->arg, p, n);
		return;
	}
	if (!smtp_has8bit(p, n))
		return;
	if (what == MIME_OUT_HDR)
		dg_why(g, "8-bit data in a part header");
	else if (what != MIME_OUT_BODY || pt->depth == 0)
		dg_why(g, "8-bit data outside the parts");
	else if (mime_enc_uu(pt->encoding))
		dg_why(g, no8);         /* (its begin comes late) */
	else if (g->leaf > SMTP_DG_PARTS)
		dg_why(g, "too many parts");
	else
		g->has8[g->leaf - 1] = 1;
}

static void
dg_begin(void *arg, const struct mime_part *pt)
{
	struct smtp_dg *g = arg;
	struct hdrfield f;
	size_t off = 0;

	if (pt->depth == 0)
		return;
	if (g->scan && smtp_has8bit(pt->hdr, pt->hdrlen))
		dg_why(g, "8-bit data in a part header");
	if (pt->flags & MIME_W_HDRTRUNC)
		dg_why(g, "a part header over 64 KiB");
	if (pt->kind != MIME_LEAF)
		return;
	g->leaf++;
	/* a part taken as text for its depth still holds delimiters */
	g->leafok = strncmp(pt->type, "message/", 8) != 0 &&
	    !(pt->flags & MIME_W_DEPTH) && (pt->encoding[0] == '\0' ||
	    strcmp(pt->encoding, "7bit") == 0 ||
	    strcmp(pt->encoding, "8bit") == 0);
	g->encode = !g->scan && g->leaf <= SMTP_DG_PARTS &&
	    g->has8[g->leaf - 1];
	if (!g->encode)
		return;
	mime_rewrite(g->m);
	while (hdr_next(pt->hdr, pt->hdrlen, &off, &f))
		if (!hdr_is(&f, "content-transfer-encoding"))
			g->sink(g->arg, f.line, f.linelen);
	g->sink(g->arg, "Content-Transfer-Encoding: quoted-printable\n\n", 45);
	qp_enc_init(&g->q, QP_SAFE);
}

/* The body of a leaf being re-encoded (7bit or 8bit: as it stands). */
static void
dg_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	static char enc[QP_ENC_BOUND(4096)];
	struct smtp_dg *g = arg;
	size_t k;

	(void)pt;
	if (!g->encode)
		return;
	while (n > 0) {
		k = n > 4096 ? 4096 : n;
		g->sink(g->arg, enc, qp_enc_update(&g->q, p, k, enc));
		p += k;
		n -= k;
	}
}

static void
dg_end(void *arg, const struct mime_part *pt)
{
	struct smtp_dg *g = arg;
	char fin[QP_ENC_FINAL_MAX];
	size_t n;

	if (pt->depth == 0 || pt->kind != MIME_LEAF)
		return;
	if (g->scan && g->leaf <= SMTP_DG_PARTS && g->has8[g->leaf - 1] &&
	    !g->leafok)
		dg_why(g, no8);
	if (g->encode) {
		n = qp_enc_final(&g->q, fin);
		/* the line end of the delimiter that follows ends the last
		 * line: a soft break there would add an empty one */
		if (!g->eof && n >= 2 && fin[n - 2] == '=' &&
		    fin[n - 1] == '\n')
			n -= 2;
		g->sink(g->arg, fin, n);
	}
	g->encode = 0;
}

/* Message parts are not walked: their 8-bit data cannot be re-encoded. */
static int
dg_whole(void *arg, const struct mime_part *pt)
{
	(void)arg;
	(void)pt;
	return 1;
}

void
smtp_dg_start(struct smtp_dg *g, const char *boundary, int scan,
    smtp_sink *sink, void *arg)
{
	struct mime_cb cb = { dg_begin, dg_data, dg_end, NULL, dg_whole,
	    dg_out };

	if (scan)
		memset(g->has8, 0, sizeof g->has8);
	g->scan = scan;
	g->why = NULL;
	g->leaf = 0;
	g->encode = g->leafok = g->eof = 0;
	g->sink = sink;
	g->arg = arg;
	cb.arg = g;
	g->m = mime_new(&cb, NULL);
	mime_multipart(g->m, boundary);
}

void
smtp_dg_feed(struct smtp_dg *g, const char *p, size_t n)
{
	mime_feed(g->m, p, n);
}

const char *
smtp_dg_end(struct smtp_dg *g)
{
	g->eof = 1;
	mime_end(g->m);
	mime_free(g->m);
	g->m = NULL;
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
