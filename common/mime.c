/*
 * mime: a streaming parser of the MIME part tree.
 *
 * Why it works line by line without holding lines: a delimiter line is
 * short and starts with "--", so only such lines are held (up to
 * MIME_LINEMAX bytes) until their LF; any other line streams through.
 * The LF that ends a body line is held back too ("pend"), because it
 * belongs to the delimiter if one comes next (RFC 2046 §5.1.1).
 *
 * The open entities form a stack, the root at index 0; the depth of an
 * entity is its index.  The mode says what the bytes of the current line
 * are: the header of the top entity, its body, or text to skip (the
 * preamble or epilogue of a multipart, or everything after the part-count
 * limit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "hdr.h"
#include "mime.h"
#include "rfc2047.h"
#include "util.h"

#define CHUNK   4096            /* decoder input per call */
#define VALMAX  8192            /* an unfolded field value */
#define NAME_CUT 0x1000         /* in nameflags, with the RFC2047_W_* and
                                   RFC2231_W_* bits: the name's field
                                   passed VALMAX */
#define NSTR    7               /* strings of a mime_part */

enum mode { M_HEADER, M_BODY, M_SKIP, M_DONE };
enum enc { E_RAW, E_B64, E_QP, E_UU };
/* x-uuencode: before the begin line, in the block, after it, or no
 * begin line came in time and the body is passed on as it is */
enum uus { UU_BEFORE, UU_INSIDE, UU_AFTER, UU_RAW };
#define UU_HOLD (64u << 10)     /* text held while no begin line came */

struct ent {
	struct mime_part pt;
	char *sec;
	char *str[NSTR];        /* type, charset, ... as in mime_part */
	char *boundary;         /* MIME_MULTIPART only */
	size_t blen;
	int closed;             /* its close delimiter was seen */
	int digest;             /* multipart/digest: children default */
	int msgbody;            /* the body of a message: numbered late */
	int nameflags;          /* RFC2047_W_*, RFC2231_W_* of the file
	                           name taken (filename= over name=) */
	unsigned long nkids;
	struct buf pre;         /* MIME_MULTIPART: its body until a child */
	enum enc enc;
	struct b64_dec b64;
	struct qp_dec qp;
	struct uu_scan *uu;     /* E_UU */
	enum uus uus;
	int uuflags;            /* CODEC_* of the block and around it */
	struct buf hold;        /* E_UU: the text before the begin line */
	int late;               /* E_UU: begin not yet called */
	int rewrite;            /* the client writes its header and body */
	struct mime *sub;       /* an encoded MIME_MESSAGE: its parser */
	struct fwd *fwd;        /* and what its events need */
};

/* The events of a nested parser, renumbered into its parent's tree. */
struct fwd {
	struct mime *m;         /* the parent */
	char *base;             /* the message part's section */
	int depth;              /* its depth + 1 */
};

struct mime {
	struct mime_cb cb;
	struct mime_limits lim;
	struct ent *st;         /* the stack, maxdepth + 1 entries */
	int n;                  /* entities on it */
	int nopen;              /* open multiparts on it */
	enum mode mode;
	unsigned long nparts;
	int flags;              /* of every part so far */
	struct buf hdr;         /* the header of the top entity */
	size_t hline;           /* where the current header line starts */
	size_t hname;           /* where a field name waiting for its colon
	                           starts (hdr_line said HDR_MORE) */
	int hwait;              /* such a name is waiting */
	int hfull;              /* hdr reached its cap */
	int cr;                 /* a CR not yet known to start CRLF */
	int pend;               /* an LF held back before a possible delimiter */
	int pass;               /* the rest of this line streams through */
	int first;              /* on the first line of the message */
	int freeing;            /* in mime_free(): no new parts */
	struct buf eline;       /* the empty line that ended the header (it
	                           may hold white space), for the copy */
	int noput;              /* bytes fed again: out has had them */
	struct ent *inbegin;    /* whose begin is running (mime_rewrite) */
	size_t llen;            /* bytes of the current line so far */
	size_t lbn;
	char lb[MIME_LINEMAX];  /* its start */
};


static char *
join(const char *base, unsigned long k)
{
	size_t n = strlen(base) + 24;
	char *s = xmalloc(n);

	if (*base)
		snprintf(s, n, "%s.%lu", base, k);
	else
		snprintf(s, n, "%lu", k);
	return s;
}

static struct ent *
top(struct mime *m)
{
	return &m->st[m->n - 1];
}

/*
 * The copy (cb.out): what the walker itself writes.  A rewritten part's
 * header and body are left to the client.
 */
static void
put(struct mime *m, int what, const char *p, size_t n)
{
	struct ent *e = m->n > 0 ? top(m) : NULL;

	if (m->cb.out == NULL || n == 0 || m->noput)
		return;
	if (what != MIME_OUT_TEXT && e != NULL && e->rewrite)
		return;
	m->cb.out(m->cb.arg, what == MIME_OUT_BODY && e ? &e->pt : NULL,
	    what, p, n);
}

static void
emit(struct mime *m, const char *p, size_t n)
{
	struct ent *e = top(m);

	if (n == 0)
		return;
	if (e->sub) {                   /* a decoded message: parse it */
		mime_feed(e->sub, p, n);
		return;
	}
	e->pt.size += n;
	if (m->cb.data)
		m->cb.data(m->cb.arg, &e->pt, p, n);
}

/*
 * x-uuencode as a transfer encoding (RFC 1341's x-uuencode, Netscape,
 * Eudora, Pine): the part's data are those of its first block, as in
 * Python's email.  Text before the begin line and anything after the
 * end line (text, a second block) is not part of the file: it is
 * dropped, flagged CODEC_OUTSIDE unless blank.  A body without a begin
 * line is given as it is (CODEC_NOBEGIN), as Python does: the text is
 * held until the begin line, at most UU_HOLD bytes, and then passed on.
 */
static int
blank(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++, n--;
	return n == 0;
}

/*
 * The begin of an x-uuencode part waits for its begin line, whose NAME
 * is the part's file name when the header gives none (m->hdr still
 * holds the header: only the next part's start resets it).
 */
static void
uu_begin(struct mime *m, struct ent *e, const char *name, size_t n)
{
	if (!e->late)
		return;
	e->late = 0;
	if (e->str[4][0] == '\0' && name != NULL && n > 0) {
		free(e->str[4]);
		e->str[4] = xstrndup(name, n);
		e->pt.filename = e->str[4];
	}
	if (m->cb.begin && !m->freeing) {
		e->pt.hdr = m->hdr.p ? m->hdr.p : "";
		e->pt.hdrlen = m->hdr.len;
		m->cb.begin(m->cb.arg, &e->pt);
	}
	e->pt.hdr = NULL;
	e->pt.hdrlen = 0;
}

static void
uu_noblock(struct mime *m, struct ent *e)
{
	uu_begin(m, e, NULL, 0);
	e->uus = UU_RAW;
	e->uuflags |= CODEC_NOBEGIN;
	emit(m, e->hold.p, e->hold.len);
	buf_free(&e->hold);
}

static void
uu_ev(void *arg, enum uu_event ev, const char *p, size_t n)
{
	struct mime *m = arg;
	struct ent *e = top(m);

	if (ev == UU_TEXT && e->uus == UU_BEFORE) {
		if (buf_add(&e->hold, p, n) == 0)
			return;
		uu_noblock(m, e);
		emit(m, p, n);
	} else if (ev == UU_TEXT && e->uus == UU_RAW) {
		emit(m, p, n);
	} else if (ev == UU_TEXT || (ev == UU_BEGIN && e->uus != UU_BEFORE)) {
		if (!blank(p, n))
			e->uuflags |= CODEC_OUTSIDE;
	} else if (ev == UU_BEGIN) {
		if (!blank(e->hold.p, e->hold.len))
			e->uuflags |= CODEC_OUTSIDE;
		buf_free(&e->hold);
		e->uus = UU_INSIDE;
		uu_begin(m, e, p, n);
	} else if (ev == UU_DATA && e->uus == UU_INSIDE) {
		emit(m, p, n);
	} else if (ev == UU_END && e->uus == UU_INSIDE) {
		e->uuflags |= (int)n;
		e->uus = UU_AFTER;
	}
}

static void
uu_start(struct mime *m, struct ent *e)
{
	e->enc = E_UU;
	e->uus = UU_BEFORE;
	e->uu = xmalloc(sizeof *e->uu);
	uu_scan_init(e->uu, uu_ev, m);
	buf_init(&e->hold, UU_HOLD);
	e->late = 1;
}

static int
uu_final(struct mime *m, struct ent *e)
{
	if (e->uus != UU_RAW)
		uu_scan_final(e->uu);
	if (e->uus == UU_BEFORE)
		uu_noblock(m, e);
	free(e->uu);
	e->uu = NULL;
	buf_free(&e->hold);
	return e->uuflags;
}

int
mime_enc_uu(const char *enc)
{
	return strcmp(enc, "x-uuencode") == 0 || strcmp(enc, "x-uue") == 0 ||
	    strcmp(enc, "uuencode") == 0 || strcmp(enc, "uue") == 0;
}

/* Body bytes of the current line: decode them, or drop them. */
static void
body(struct mime *m, const char *p, size_t n)
{
	struct ent *e;
	char out[QP_DEC_BOUND(CHUNK)];
	size_t k, w;

	put(m, m->mode == M_BODY ? MIME_OUT_BODY : MIME_OUT_TEXT, p, n);
	if (m->mode == M_SKIP && m->n > 0) {
		e = top(m);
		/* a multipart's text before its first delimiter: kept in
		 * case none comes */
		if (e->pt.kind == MIME_MULTIPART && e->nkids == 0 &&
		    !e->closed && e->pre.len < MIME_PREMAX) {
			if (e->pre.max == 0)
				buf_init(&e->pre, MIME_PREMAX);
			if (n > MIME_PREMAX - e->pre.len)
				n = MIME_PREMAX - e->pre.len;
			buf_add(&e->pre, p, n);
		}
	}
	if (m->mode != M_BODY)
		return;
	e = top(m);
	for (k = 0; !e->pt.rawtext && k < n; k++)
		e->pt.rawtext = !strchr(" \t\r\n", p[k]) || p[k] == '\0';
	if (e->enc == E_RAW || (e->enc == E_UU && e->uus == UU_RAW)) {
		emit(m, p, n);
		return;
	}
	if (e->enc == E_UU) {
		uu_scan_update(e->uu, p, n);
		return;
	}
	while (n > 0) {
		k = n < CHUNK ? n : CHUNK;
		if (e->enc == E_B64)
			w = b64_dec_update(&e->b64, p, k, out);
		else
			w = qp_dec_update(&e->qp, p, k, out);
		emit(m, out, w);
		p += k;
		n -= k;
	}
}

static int has_fields(const char *, size_t);

/*
 * A message/rfc822 part in base64, quoted-printable or x-uuencode (RFC
 * 2046 §5.2.1 forbids it, but it is seen) is decoded and streamed into a
 * parser of its own, whose parts are renumbered as if the message were
 * walked in place: its section becomes the prefix, its depth the base.
 * The limits go on where the parent's stand, and the parts it sees count
 * against the parent's.
 */
static void
fwd_part(const struct fwd *f, const struct mime_part *pt,
    struct mime_part *c, char **sec)
{
	size_t n = strlen(f->base) + strlen(pt->section) + 2;

	*c = *pt;
	*sec = xmalloc(n);
	if (pt->section[0] != '\0')
		snprintf(*sec, n, "%s.%s", f->base, pt->section);
	else
		snprintf(*sec, n, "%s", f->base);
	c->section = *sec;
	c->depth += f->depth;
}

static void
fwd_begin(void *arg, const struct mime_part *pt)
{
	struct fwd *f = arg;
	struct mime_part c;
	char *sec;

	f->m->nparts++;
	if (pt->depth == 0 && !has_fields(pt->hdr, pt->hdrlen))
		top(f->m)->pt.flags |= MIME_W_NOHDR;    /* as in hdr_done() */
	if (!f->m->cb.begin)
		return;
	fwd_part(f, pt, &c, &sec);
	f->m->cb.begin(f->m->cb.arg, &c);
	free(sec);
}

static void
fwd_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	struct fwd *f = arg;
	struct mime_part c;
	char *sec;

	if (!f->m->cb.data)
		return;
	fwd_part(f, pt, &c, &sec);
	f->m->cb.data(f->m->cb.arg, &c, p, n);
	free(sec);
}

static void
fwd_end(void *arg, const struct mime_part *pt)
{
	struct fwd *f = arg;
	struct mime_part c;
	char *sec;

	if (!f->m->cb.end)
		return;
	fwd_part(f, pt, &c, &sec);
	f->m->cb.end(f->m->cb.arg, &c);
	free(sec);
}

static int
fwd_whole(void *arg, const struct mime_part *pt)
{
	struct fwd *f = arg;
	struct mime_part c;
	char *sec;
	int r;

	if (!f->m->cb.whole)
		return 0;
	fwd_part(f, pt, &c, &sec);
	r = f->m->cb.whole(f->m->cb.arg, &c);
	free(sec);
	return r;
}

static void
sub_start(struct mime *m, struct ent *e)
{
	struct mime_cb cb = { fwd_begin, fwd_data, fwd_end, NULL, fwd_whole,
	    NULL };
	struct mime_limits lim = m->lim;
	int depth = m->lim.maxdepth - (e->pt.depth + 1);
	unsigned long parts = m->lim.maxparts - m->nparts;

	e->fwd = xmalloc(sizeof *e->fwd);
	e->fwd->m = m;
	e->fwd->base = xstrdup(e->sec);
	e->fwd->depth = e->pt.depth + 1;
	cb.arg = e->fwd;
	/* 0 would mean the default: set the real limits after */
	lim.maxdepth = depth > 0 ? depth : 1;
	lim.maxparts = parts > 0 ? parts : 1;
	e->sub = mime_new(&cb, &lim);
	e->sub->lim.maxdepth = depth;
	e->sub->lim.maxparts = parts;
	e->sub->first = 0;      /* a "From " line is the header's, not mbox's */
}

static void
sub_end(struct mime *m, struct ent *e)
{
	struct mime *sub = e->sub;
	int f = 0;

	e->sub = NULL;
	if (!m->freeing)
		f = mime_end(sub);
	m->flags |= f;
	/* the limit reached inside stops the walk outside too (start()) */
	e->pt.flags |= f & MIME_W_PARTS;
	mime_free(sub);
	free(e->fwd->base);
	free(e->fwd);
	e->fwd = NULL;
}

static void finish(struct mime *, int);

/* The top multipart ends without a child: its body becomes one. */
static void
orphan(struct mime *m)
{
	struct ent *e = top(m), *c;
	int i;

	m->nparts++;
	c = &m->st[m->n++];
	memset(c, 0, sizeof *c);
	c->pt.depth = m->n - 1;
	c->sec = join(e->sec, ++e->nkids);
	c->str[0] = xstrdup("text/plain");
	for (i = 1; i < NSTR; i++)
		c->str[i] = xstrdup("");
	c->pt.kind = MIME_LEAF;
	c->enc = E_RAW;
	c->pt.section = c->sec;
	c->pt.type = c->str[0];
	c->pt.charset = c->pt.encoding = c->pt.disposition = c->str[1];
	c->pt.filename = c->str[4];
	c->pt.id = c->str[5];
	c->pt.description = c->str[6];
	c->pt.hdr = "";
	if (m->cb.begin)
		m->cb.begin(m->cb.arg, &c->pt);
	c->pt.hdr = NULL;
	emit(m, e->pre.p, e->pre.len);
	finish(m, 0);
}

/* Pop the top entity, ending it. */
static void
finish(struct mime *m, int why)
{
	struct ent *e = top(m);
	char out[QP_DEC_FINAL_MAX + B64_DEC_FINAL_MAX];
	int i;

	if (e->pt.kind == MIME_MULTIPART && e->nkids == 0 && !e->closed &&
	    !(why & MIME_W_PARTS) && !m->freeing &&
	    m->nparts < m->lim.maxparts) {
		e->pt.flags |= MIME_W_NODELIM;
		if (e->pre.len > 0)
			orphan(m);
		e = top(m);
	}
	if ((e->pt.kind == MIME_LEAF || e->sub) && e->enc != E_RAW) {
		if (e->enc == E_B64) {
			emit(m, out, b64_dec_final(&e->b64, out));
			e->pt.codec = e->b64.flags;
		} else if (e->enc == E_UU) {
			e->pt.codec = uu_final(m, e);
		} else {
			emit(m, out, qp_dec_final(&e->qp, out));
			e->pt.codec = e->qp.flags;
		}
		if (e->pt.codec)
			e->pt.flags |= MIME_W_DECODE;
	}
	if (e->sub)
		sub_end(m, e);
	if (e->pt.kind == MIME_MULTIPART && !e->closed) {
		m->nopen--;
		e->pt.flags |= (why & MIME_W_PARTS) ? why :
		    (e->pt.flags & MIME_W_NODELIM) ? 0 : MIME_W_NOEND;
	} else
		e->pt.flags |= why;
	m->flags |= e->pt.flags;
	e->pt.hdr = NULL;
	e->pt.hdrlen = 0;
	if (e->pt.section && m->cb.end)
		m->cb.end(m->cb.arg, &e->pt);
	free(e->sec);
	free(e->boundary);
	buf_free(&e->pre);
	free(e->uu);
	buf_free(&e->hold);
	if (e->sub)
		sub_end(m, e);
	for (i = 0; i < NSTR; i++)
		free(e->str[i]);
	memset(e, 0, sizeof *e);
	m->n--;
}

/* A new entity in header mode: a child of the top, or the root. */
static void
start(struct mime *m, int msgbody)
{
	struct ent *e, *parent = m->n > 0 ? top(m) : NULL;

	if (++m->nparts > m->lim.maxparts) {
		while (m->n > 0)
			finish(m, MIME_W_PARTS);
		m->flags |= MIME_W_PARTS;
		m->mode = M_DONE;
		return;
	}
	e = &m->st[m->n++];
	memset(e, 0, sizeof *e);
	e->pt.depth = m->n - 1;
	e->msgbody = msgbody;
	if (!msgbody) {
		e->sec = join(parent->sec, ++parent->nkids);
		buf_free(&parent->pre);
	}
	m->mode = M_HEADER;
	buf_reset(&m->hdr);
	m->hline = 0;
	m->hwait = 0;
	m->hfull = 0;
	buf_reset(&m->eline);
}

/* The unfolded value of the first field called name into v; 0 if none,
 * 1, or FIELD_CUT if it passed v's cap (VALMAX) and was cut there. */
#define FIELD_CUT 2
static int
field(struct mime *m, const char *name, struct buf *v)
{
	struct hdrfield f;

	buf_reset(v);
	if (!hdr_find(m->hdr.p, m->hdr.len, name, &f))
		return 0;
	return hdr_unfold(f.val, f.vallen, v) == -1 ? FIELD_CUT : 1;
}

/* A copy of b's contents as a C string ("" for an unused buf). */
static char *
bstr(const struct buf *b)
{
	return xstrdup(b->p ? b->p : "");
}

/* Drop the current header line from the header block. */
static void
hcut(struct mime *m)
{
	m->hdr.len = m->hline;
	if (m->hdr.p)
		m->hdr.p[m->hline] = '\0';
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* Is s "type/subtype" with no white space or ';'? */
static int
validtype(const char *s)
{
	const char *sl = strchr(s, '/');

	return sl != NULL && sl != s && sl[1] != '\0' &&
	    strcspn(s, " \t\"()<>@,;:\\[]?=") == strlen(s);
}

/* Content-Type: type, charset, boundary. */
static void
parse_type(struct mime *m, struct ent *e, const struct ent *parent)
{
	struct buf v, o;
	int have;

	buf_init(&v, VALMAX);
	buf_init(&o, VALMAX);
	have = field(m, "content-type", &v);
	if (have)
		rfc2231_value(v.p, v.len, &o);
	if (have && o.p && validtype(o.p)) {
		e->str[0] = bstr(&o);
		buf_reset(&o);
		if (rfc2231_param(v.p, v.len, "charset", &o) == 1)
			e->str[1] = bstr(&o);
		buf_reset(&o);
		if (rfc2231_param(v.p, v.len, "boundary", &o) == 1 && o.len)
			e->boundary = bstr(&o);
	} else {
		if (have)
			e->pt.flags |= MIME_W_TYPE;
		if (parent && parent->digest) {
			e->str[0] = xstrdup("message/rfc822");
		} else {
			e->str[0] = xstrdup("text/plain");
			e->str[1] = xstrdup("us-ascii");
		}
	}
	if (!e->str[1])
		e->str[1] = xstrdup("");
	lower(e->str[1]);
	/* name= is the old place of the file name (RFC 1341) */
	buf_reset(&o);
	e->nameflags = 0;
	if (have && rfc2231_param_w(v.p, v.len, "name", &o, &e->nameflags) == 1) {
		e->str[4] = bstr(&o);
		if (have == FIELD_CUT)
			e->nameflags |= NAME_CUT;
	}
	buf_free(&v);
	buf_free(&o);
}

/* The other fields: encoding, disposition, filename, id, description. */
static void
parse_rest(struct mime *m, struct ent *e)
{
	struct buf v, o;
	int have;

	buf_init(&v, VALMAX);
	buf_init(&o, VALMAX);
	if (field(m, "content-transfer-encoding", &v))
		rfc2231_value(v.p, v.len, &o);
	e->str[2] = bstr(&o);
	buf_reset(&o);
	if ((have = field(m, "content-disposition", &v)) != 0) {
		int nf = 0;

		rfc2231_value(v.p, v.len, &o);
		e->str[3] = bstr(&o);
		buf_reset(&o);
		if (rfc2231_param_w(v.p, v.len, "filename", &o, &nf) == 1) {
			free(e->str[4]);
			e->str[4] = bstr(&o);
			e->nameflags = nf;  /* not name='s any more */
			if (have == FIELD_CUT)
				e->nameflags |= NAME_CUT;
		}
	} else
		e->str[3] = xstrdup("");
	if (!e->str[4])
		e->str[4] = xstrdup("");
	field(m, "content-id", &v);
	e->str[5] = bstr(&v);
	buf_reset(&o);
	if (field(m, "content-description", &v))
		rfc2047_decode(v.p, v.len, &o);
	e->str[6] = bstr(&o);
	buf_free(&v);
	buf_free(&o);
}

static void
settype(struct ent *e, const char *type, int flag)
{
	free(e->str[0]);
	e->str[0] = xstrdup(type);
	e->pt.flags |= flag;
}

/* Decide the kind of e and its transfer decoding. */
static void
classify(struct mime *m, struct ent *e)
{
	const char *t = e->str[0], *enc = e->str[2];
	int deep = e->pt.depth + 1 > m->lim.maxdepth;
	int coded = strcmp(enc, "base64") == 0 ||
	    strcmp(enc, "quoted-printable") == 0 || mime_enc_uu(enc);

	if (strncmp(t, "multipart/", 10) == 0) {
		if (!e->boundary)
			settype(e, "text/plain", MIME_W_BOUNDARY);
		else if (deep)
			settype(e, "text/plain", MIME_W_DEPTH);
		else {
			e->pt.kind = MIME_MULTIPART;
			e->digest = strcmp(t, "multipart/digest") == 0;
			e->blen = strlen(e->boundary);
			return;
		}
	} else if (strcmp(t, "message/rfc822") == 0 ||
	    strcmp(t, "message/global") == 0) {
		if (deep)
			settype(e, "text/plain", MIME_W_DEPTH);
		else if (!coded) {
			e->pt.kind = MIME_MESSAGE;
			return;
		} else {                /* RFC 2046 §5.2.1; see sub_start() */
			e->pt.flags |= MIME_W_MSGENC;
			e->pt.kind = MIME_MESSAGE;
		}
	}
	if (e->pt.kind != MIME_MESSAGE)
		e->pt.kind = MIME_LEAF;
	if (strcmp(enc, "base64") == 0) {
		e->enc = E_B64;
		b64_dec_init(&e->b64);
	} else if (strcmp(enc, "quoted-printable") == 0) {
		e->enc = E_QP;
		qp_dec_init(&e->qp);
	} else if (mime_enc_uu(enc)) {
		uu_start(m, e);
	} else {
		e->enc = E_RAW;
		if (*enc && strcmp(enc, "7bit") && strcmp(enc, "8bit") &&
		    strcmp(enc, "binary"))
			e->pt.flags |= MIME_W_ENCODING;
	}
}

/* Is one of the fields that decide a part given twice? */
static int
dup_fields(const struct buf *h)
{
	static const char *const name[] = { "content-type",
	    "content-transfer-encoding", "content-disposition" };
	int seen[3] = { 0, 0, 0 }, i;
	struct hdrfield f;
	size_t off = 0;

	while (h->len > 0 && hdr_next(h->p, h->len, &off, &f))
		for (i = 0; i < 3; i++)
			if (hdr_is(&f, name[i]) && seen[i]++)
				return 1;
	return 0;
}

static int
has_fields(const char *p, size_t n)
{
	struct hdrfield f;
	size_t off = 0;

	return n > 0 && hdr_next(p, n, &off, &f);
}

/* The file name's RFC2047_W_* and RFC2231_W_* as MIME_W_* bits. */
static int
name_flags(int nf)
{
	int f = 0;

	if (nf & RFC2047_W_BADWORD)
		f |= MIME_W_NAMEWORD;
	if (nf & RFC2047_W_CHARSET)
		f |= MIME_W_NAMECS;
	if (nf & RFC2231_W_GAP)
		f |= MIME_W_NAMEGAP;
	if (nf & RFC2231_W_ESCAPE)
		f |= MIME_W_NAMEPCT;
	if (nf & (RFC2231_W_MANY | NAME_CUT))
		f |= MIME_W_NAMELONG;
	return f;
}

/* The header of the top entity is complete: parse it, begin the part. */
static void
hdr_done(struct mime *m)
{
	struct ent *e = top(m), *parent = m->n > 1 ? e - 1 : NULL;
	struct mime_part *pt = &e->pt;

	if (m->hfull)
		pt->flags |= MIME_W_HDRTRUNC;
	if (m->hdr.len > 0 && memchr(m->hdr.p, '\0', m->hdr.len) != NULL)
		pt->flags |= MIME_W_NUL;
	if (e->msgbody && parent != NULL && !has_fields(m->hdr.p, m->hdr.len))
		parent->pt.flags |= MIME_W_NOHDR;
	if (dup_fields(&m->hdr))
		pt->flags |= MIME_W_DUP;
	parse_type(m, e, parent);
	parse_rest(m, e);
	pt->flags |= name_flags(e->nameflags);
	classify(m, e);
	if (e->msgbody) {
		const char *base = parent ? parent->sec : "";

		e->sec = pt->kind == MIME_MULTIPART ? xstrdup(base) :
		    join(base, 1);
	}
	pt->section = e->sec;
	pt->type = e->str[0];
	pt->charset = e->str[1];
	pt->encoding = e->str[2];
	pt->disposition = e->str[3];
	pt->filename = e->str[4];
	pt->id = e->str[5];
	pt->description = e->str[6];
	pt->hdr = m->hdr.p ? m->hdr.p : "";
	pt->hdrlen = m->hdr.len;
	if (pt->kind == MIME_MESSAGE && m->cb.whole &&
	    m->cb.whole(m->cb.arg, pt))
		pt->kind = MIME_LEAF;   /* a coded one is then decoded */
	if (m->cb.begin && !e->late) {
		m->inbegin = e;
		m->cb.begin(m->cb.arg, pt);
		m->inbegin = NULL;
	}
	if (!m->hfull) {                /* (else it went as it came) */
		put(m, MIME_OUT_HDR, pt->hdr, pt->hdrlen);
		put(m, MIME_OUT_HDR, m->eline.p, m->eline.len);
	}
	buf_reset(&m->eline);
	pt->hdr = NULL;
	pt->hdrlen = 0;
	switch (pt->kind) {
	case MIME_MULTIPART:
		m->nopen++;
		m->mode = M_SKIP;
		break;
	case MIME_MESSAGE:
		if (e->enc != E_RAW) {
			sub_start(m, e);
			m->mode = M_BODY;
		} else
			start(m, 1);
		break;
	default:
		m->mode = M_BODY;
	}
}

/*
 * Is the line (without its LF) a delimiter of an open multipart?
 * Returns its stack index, or -1; *close is set for "--boundary--".
 *
 * A line that is the boundary (and its "--") and white space matches
 * first, innermost multipart first.  Failing that, a line with white
 * space and then other text after the boundary ("--b trailing") is a
 * delimiter too, and the multipart is warned (MIME_W_DELIMTEXT): RFC
 * 2046 §5.1.1 says the boundary need only appear whole at the start of
 * the line, munpack and reformime agree, and taking the line as text
 * (as Python's email does) loses the part that follows into the one
 * before.  Without white space after the boundary, "--bc" is no
 * delimiter of "b": it may be another multipart's boundary.
 */
static int
delimiter(struct mime *m, const char *s, size_t n, int *close)
{
	int i, near = -1, nearclose = 0;

	if (m->nopen == 0 || n < 3 || s[0] != '-' || s[1] != '-')
		return -1;
	for (i = m->n - 1; i >= 0; i--) {
		struct ent *e = &m->st[i];
		size_t k, ws;
		int c;

		if (e->pt.kind != MIME_MULTIPART || e->closed ||
		    n < 2 + e->blen || memcmp(s + 2, e->boundary, e->blen))
			continue;
		k = 2 + e->blen;
		c = n - k >= 2 && s[k] == '-' && s[k + 1] == '-';
		if (c)
			k += 2;
		for (ws = k; k < n && (s[k] == ' ' || s[k] == '\t' ||
		    s[k] == '\r'); k++)
			;
		if (k == n) {
			*close = c;
			return i;
		}
		if (k > ws && near < 0) {
			near = i;
			nearclose = c;
		}
	}
	if (near < 0)
		return -1;
	m->st[near].pt.flags |= MIME_W_DELIMTEXT;
	*close = nearclose;
	return near;
}

/*
 * A delimiter of the multipart at stack index i, the line in lb; nl: 1
 * it ended in LF, 0 not, 2 it has been copied (a header over maxhdr).
 * It is copied after the ends of the parts it closes.
 */
static void
boundary(struct mime *m, int i, int close, int nl)
{
	while (m->mode == M_HEADER)
		hdr_done(m);
	while (m->n - 1 > i)
		finish(m, 0);
	if (nl != 2 && m->cb.out != NULL && !m->noput) {
		if (m->pend)
			put(m, MIME_OUT_TEXT, "\n", 1);
		m->cb.out(m->cb.arg, &m->st[i].pt, close ? MIME_OUT_CLOSE :
		    MIME_OUT_DELIM, m->lb, m->lbn);
		if (nl)
			m->cb.out(m->cb.arg, &m->st[i].pt, close ?
			    MIME_OUT_CLOSE : MIME_OUT_DELIM, "\n", 1);
	}
	m->pend = 0;
	if (m->mode == M_DONE)
		return;
	if (close) {
		m->st[i].closed = 1;
		m->nopen--;
		m->mode = M_SKIP;
	} else
		start(m, 0);
}

static void newline(struct mime *);
static void eat(struct mime *, const char *, size_t);
static void body_end(struct mime *);

/*
 * The header ended before the line at hdr[from] (hdr_line() said
 * HDR_BODY): that line and any after it are the body's first.  Their
 * bytes are taken out of the header and fed again, now as body; with
 * the header over its cap, the current line comes from lb (what lb did
 * not hold of it is lost, and the part says MIME_W_HDRTRUNC).
 */
static void
hdr_body(struct mime *m, size_t from, int eof)
{
	size_t n;
	char *s;

	n = (m->hfull ? m->hline : m->hdr.len) - from;
	s = xmalloc(n + m->lbn + 1);
	if (n > 0)
		memcpy(s, m->hdr.p + from, n);
	if (m->hfull) {
		memcpy(s + n, m->lb, m->lbn);
		n += m->lbn;
		if (!eof)
			s[n++] = '\n';
	}
	m->hline = from;
	hcut(m);
	m->hwait = 0;
	top(m)->pt.flags |= MIME_W_HDRLINE;
	newline(m);
	hdr_done(m);
	m->noput = m->hfull;            /* copied as the header's */
	eat(m, s, n);
	if (eof) {
		body_end(m);
		/* the last line is used up: mime_end() must not read it
		 * again in the header a delimiter there started */
		newline(m);
	}
	m->noput = 0;
	free(s);
}

/* A UTF-8 byte order mark before the first field: dropped (msg.h). */
static void
bom(struct mime *m)
{
	if (m->lbn < 3 || memcmp(m->lb, "\xef\xbb\xbf", 3) != 0)
		return;
	memmove(m->lb, m->lb + 3, m->lbn - 3);
	m->lbn -= 3;
	m->llen -= 3;
	if (!m->hfull) {
		memmove(m->hdr.p + m->hline, m->hdr.p + m->hline + 3,
		    m->hdr.len - m->hline - 3);
		m->hdr.len -= 3;
		m->hdr.p[m->hdr.len] = '\0';
	}
}

/*
 * A complete header line (its LF, if any, consumed; eof: none follows).
 * Returns 1 if the header ended before it (its bytes went to the body).
 */
static int
header_line(struct mime *m, int eof)
{
	int i, close, k;
	size_t from;

	if (m->first && m->n == 1)
		bom(m);
	if (m->llen <= MIME_LINEMAX &&
	    (i = delimiter(m, m->lb, m->llen, &close)) >= 0) {
		hcut(m);
		if (m->hwait && !m->hfull) { /* a name, no colon: body */
			char line[MIME_LINEMAX];
			size_t n = m->lbn;

			memcpy(line, m->lb, n);         /* hdr_body uses lb */
			hdr_body(m, m->hname, 0);
			memcpy(m->lb, line, n);
			m->lbn = m->llen = n;
		}
		boundary(m, i, close, m->hfull ? 2 : !eof);
		return 0;
	}
	if (m->first && m->n == 1 && m->llen >= 5 &&
	    memcmp(m->lb, "From ", 5) == 0) {
		if (!m->hfull)
			put(m, MIME_OUT_TEXT, m->hdr.p + m->hline,
			    m->hdr.len - m->hline);
		hcut(m);                /* an mbox From_ line */
		return 0;
	}
	from = m->hwait ? m->hname : m->hline;
	/* (a name waiting for its colon is looked at again with each line,
	 * but hdr_line() looks no further than HDR_AHEAD bytes) */
	if (m->hfull)
		k = m->llen == 0 ? HDR_EMPTY : hdr_line(m->lb, m->lbn, 0);
	else
		k = m->hdr.len == 0 ? hdr_line("", 0, !eof) :
		    hdr_line(m->hdr.p + from, m->hdr.len - from, !eof);
	switch (k) {
	case HDR_MORE:
		m->hwait = 1;
		m->hname = from;
		break;
	case HDR_BODY:
		hdr_body(m, from, eof);
		return 1;
	case HDR_EMPTY:
		if (m->cb.out && !m->hfull && m->hdr.len > m->hline)
			(void)buf_add(&m->eline, m->hdr.p + m->hline,
			    m->hdr.len - m->hline);
		hcut(m);
		m->hwait = 0;
		hdr_done(m);
		break;
	default:
		m->hwait = 0;
	}
	m->hline = m->hdr.len;
	return 0;
}

/* A header over its cap cannot be held for the copy: it goes on as it
 * comes, rewritten or not. */
static void
hdr_add(struct mime *m, const char *s, size_t n)
{
	if (!m->hfull && buf_add(&m->hdr, s, n) == -1) {
		m->hfull = 1;
		put(m, MIME_OUT_HDR, m->hdr.p, m->hdr.len);
		put(m, MIME_OUT_HDR, s, n);
	} else if (m->hfull)
		put(m, MIME_OUT_HDR, s, n);
}

static void
lb_add(struct mime *m, const char *s, size_t n)
{
	size_t k = MIME_LINEMAX - m->lbn;

	if (k > n)
		k = n;
	memcpy(m->lb + m->lbn, s, k);
	m->lbn += k;
	m->llen += n;
}

static void
newline(struct mime *m)
{
	m->lbn = m->llen = 0;
	m->pass = 0;
	m->first = 0;
}

/* Stop holding the current line: it is body text. */
static void
release(struct mime *m)
{
	if (m->pend)
		body(m, "\n", 1);
	m->pend = 0;
	body(m, m->lb, m->lbn);
	m->pass = 1;
}

/* Header bytes: up to one line.  Returns the bytes used. */
static size_t
eat_header(struct mime *m, const char *s, size_t n)
{
	const char *q = memchr(s, '\n', n);
	size_t k = q ? (size_t)(q - s) : n;

	hdr_add(m, s, q ? k + 1 : k);
	lb_add(m, s, k);
	if (q) {
		header_line(m, 0);
		newline(m);
		return k + 1;
	}
	return k;
}

/*
 * The fast path of eat_body: at the start of a line that cannot be a
 * delimiter, every line up to the last LF before a possible delimiter
 * (one followed by '-', or the chunk's last LF) goes over in one body()
 * call, that LF held back as usual.  The bytes are the same as line by
 * line; the decoder just gets them in larger pieces.  Returns the bytes
 * used, 0 if the slow path must take this line.
 */
static size_t
eat_lines(struct mime *m, const char *s, size_t n)
{
	const char *e = NULL, *q, *end = s + n;

	if (m->pass || m->lbn > 0 || m->llen > 0 || s[0] == '-')
		return 0;
	/* a '-' after an LF: base64 has no '-', so one memchr a chunk */
	for (q = s; m->nopen > 0 &&
	    (q = memchr(q, '-', (size_t)(end - q))) != NULL; q++)
		if (q[-1] == '\n') {
			e = q - 1;
			break;
		}
	if (e == NULL) {
		for (q = end; q > s && q[-1] != '\n'; q--)
			;
		e = q > s ? q - 1 : NULL;
	}
	if (e == NULL)
		return 0;
	if (m->pend)
		body(m, "\n", 1);
	body(m, s, (size_t)(e - s));
	m->pend = 1;
	newline(m);
	return (size_t)(e - s) + 1;
}

/* Body bytes: up to one line.  Returns the bytes used. */
static size_t
eat_body(struct mime *m, const char *s, size_t n)
{
	const char *q;
	size_t k;
	int i, close;

	if ((k = eat_lines(m, s, n)) > 0)
		return k;
	if (!m->pass && (m->nopen == 0 ||
	    (m->lbn < 2 && s[0] != '-'))) {
		release(m);
		return 0;
	}
	q = memchr(s, '\n', n);
	k = q ? (size_t)(q - s) : n;
	if (m->pass) {
		body(m, s, k);
	} else if (m->lbn + k > MIME_LINEMAX) {
		release(m);
		return 0;
	} else if (m->lbn < 2) {
		lb_add(m, s, 1);        /* one '-' at a time */
		return 1;
	} else
		lb_add(m, s, k);
	if (!q)
		return k;
	if (!m->pass) {
		if ((i = delimiter(m, m->lb, m->lbn, &close)) >= 0) {
			boundary(m, i, close, 1);
			newline(m);
			return k + 1;
		}
		release(m);
	}
	m->pend = 1;
	newline(m);
	return k + 1;
}

/* Input with line ends already normalised. */
static void
eat(struct mime *m, const char *s, size_t n)
{
	size_t k;

	while (n > 0 && m->mode != M_DONE) {
		if (m->mode == M_HEADER)
			k = eat_header(m, s, n);
		else
			k = eat_body(m, s, n);
		s += k;
		n -= k;
	}
	if (n > 0)                      /* M_DONE: the rest as it is */
		put(m, MIME_OUT_TEXT, s, n);
}

void
mime_feed(struct mime *m, const char *p, size_t n)
{
	const char *q;
	size_t k;

	if (m->n == 0 && m->mode != M_DONE && m->nparts == 0)
		start(m, 1);
	while (n > 0) {
		if (m->cr) {
			m->cr = 0;
			if (*p != '\n')
				eat(m, "\r", 1);
		}
		q = memchr(p, '\r', n);
		k = q ? (size_t)(q - p) : n;
		eat(m, p, k);
		if (!q)
			return;
		m->cr = 1;
		p += k + 1;
		n -= k + 1;
	}
}

/* The end of input in the body: a line held as a possible delimiter
 * is one, or text. */
static void
body_end(struct mime *m)
{
	int i, close;

	if (m->mode == M_DONE || m->mode == M_HEADER || m->pass ||
	    m->lbn == 0)
		return;
	if ((i = delimiter(m, m->lb, m->lbn, &close)) >= 0)
		boundary(m, i, close, 0);
	else
		release(m);
}

void
mime_multipart(struct mime *m, const char *boundary)
{
	struct buf h;

	buf_init(&h, 2 * strlen(boundary) + 64);  /* it fits */
	(void)buf_adds(&h, "Content-Type: multipart/mixed; boundary=\"");
	for (; *boundary != '\0'; boundary++) {
		if (*boundary == '"' || *boundary == '\\')
			(void)buf_addc(&h, '\\');
		(void)buf_addc(&h, *boundary);
	}
	(void)buf_adds(&h, "\"\n\n");
	m->noput = 1;                   /* not the message's bytes */
	mime_feed(m, h.p, h.len);
	m->noput = 0;
	buf_free(&h);
}

void
mime_rewrite(struct mime *m)
{
	if (m->inbegin != NULL)
		m->inbegin->rewrite = 1;
}

int
mime_end(struct mime *m)
{
	int flags;

	mime_feed(m, "", 0);
	if (m->cr) {
		m->cr = 0;
		eat(m, "\r", 1);
	}
	if (m->mode == M_HEADER) {
		/* lines given to a nested message's header end there too */
		while (header_line(m, 1) && m->mode == M_HEADER &&
		    (m->llen > 0 || m->hwait))
			;
	} else
		body_end(m);
	if (m->pend)
		body(m, "\n", 1);
	while (m->mode == M_HEADER)
		hdr_done(m);
	while (m->n > 0)
		finish(m, 0);
	flags = m->flags;
	m->flags = 0;
	m->nparts = 0;
	m->nopen = 0;
	m->mode = M_HEADER;
	m->pend = m->cr = 0;
	newline(m);
	m->first = 1;
	return flags;
}

struct mime *
mime_new(const struct mime_cb *cb, const struct mime_limits *lim)
{
	struct mime *m = xcalloc(1, sizeof *m);

	m->cb = *cb;
	if (lim)
		m->lim = *lim;
	if (m->lim.maxhdr == 0)
		m->lim.maxhdr = 64 * 1024;
	if (m->lim.maxdepth <= 0)
		m->lim.maxdepth = 32;
	if (m->lim.maxparts == 0)
		m->lim.maxparts = 10000;
	m->st = xcalloc((size_t)m->lim.maxdepth + 1, sizeof *m->st);
	buf_init(&m->hdr, m->lim.maxhdr);
	buf_init(&m->eline, m->lim.maxhdr);
	m->mode = M_HEADER;
	m->first = 1;
	return m;
}

void
mime_free(struct mime *m)
{
	if (m == NULL)
		return;
	m->cb.data = NULL;              /* no events from a parser thrown away */
	m->cb.end = NULL;
	m->freeing = 1;
	while (m->n > 0)
		finish(m, 0);
	buf_free(&m->hdr);
	buf_free(&m->eline);
	free(m->st);
	free(m);
}

int
mime_fd(int fd, const struct mime_cb *cb, const struct mime_limits *lim,
    int *flags)
{
	struct mime *m = mime_new(cb, lim);
	char *b = xmalloc(64 * 1024);
	ssize_t r;
	int f, err = 0;

	while ((r = read(fd, b, 64 * 1024)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		mime_feed(m, b, (size_t)r);
	}
	f = mime_end(m);
	if (flags)
		*flags = f;
	mime_free(m);
	free(b);
	if (err == 0)
		return 0;
	errno = err;
	return -1;
}
