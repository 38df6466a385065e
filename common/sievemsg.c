/*
 * sievemsg: the Sieve extensions that look at or change the message
 * itself: imap4flags (RFC 5232), body (RFC 5173) and editheader
 * (RFC 5293).  Their tables are in sieveext.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "charset.h"
#include "hdr.h"
#include "hdrenc.h"
#include "mime.h"
#include "sieve.h"
#include "sievei.h"

/* ---- imap4flags (RFC 5232) -------------------------------------------- */

/* Add the flags of (p, n) (space-separated) to b unless there already. */
static void
flags_add(struct buf *b, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;
		const char *q;
		size_t bl;

		while (i < n && p[i] == ' ')
			i++;
		s = i;
		while (i < n && p[i] != ' ')
			i++;
		e = i;
		if (e == s)
			continue;
		/* already there (case-insensitively)? */
		q = b->p ? b->p : "";
		bl = b->len;
		{
			size_t j = 0;
			int found = 0;

			while (j < bl && !found) {
				size_t t = j;

				while (t < bl && q[t] != ' ')
					t++;
				if (t - j == e - s &&
				    strncasecmp(q + j, p + s, e - s) == 0)
					found = 1;
				j = t + 1;
			}
			if (found)
				continue;
		}
		if (b->len)
			buf_addc(b, ' ');
		buf_add(b, p + s, e - s);
	}
}

static void
flags_remove(struct buf *b, const char *p, size_t n)
{
	struct buf o;
	size_t j = 0;
	const char *q;

	buf_init(&o, SIEVE_MAX_STRING);
	q = b->p ? b->p : "";
	while (j < b->len) {
		size_t t = j, i = 0;
		int drop = 0;

		while (t < b->len && q[t] != ' ')
			t++;
		while (i < n && !drop) {
			size_t s;

			while (i < n && p[i] == ' ')
				i++;
			s = i;
			while (i < n && p[i] != ' ')
				i++;
			if (i > s && i - s == t - j &&
			    strncasecmp(p + s, q + j, t - j) == 0)
				drop = 1;
		}
		if (!drop && t > j) {
			if (o.len)
				buf_addc(&o, ' ');
			buf_add(&o, q + j, t - j);
		}
		j = t + 1;
	}
	buf_free(b);
	*b = o;
}

int
sv_run_flags(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *list = sieve_pos(n, n->npos - 1);
	struct sieve_str *v;
	struct buf b;
	char *varname = NULL;
	const char *cur;
	size_t k, i;
	int rc;

	if (n->npos == 2 && (varname = sv_pos_str(r, n, 0)) == NULL)
		return -1;
	if ((v = sv_expand_list(r, list, &k)) == NULL && r->err != NULL) {
		free(varname);
		return -1;
	}
	buf_init(&b, SIEVE_MAX_STRING);
	if (varname != NULL) {
		const struct sv_var *x = sv_get_var(r, varname);

		cur = x ? x->val : "";
	} else {
		cur = r->flags ? r->flags : "";
	}
	if (strcmp(n->name, "setflag") != 0)
		flags_add(&b, cur, strlen(cur));
	for (i = 0; i < k; i++) {
		if (strcmp(n->name, "removeflag") == 0)
			flags_remove(&b, v[i].p, v[i].len);
		else
			flags_add(&b, v[i].p, v[i].len);
	}
	sv_strs_free(v, k);
	if (varname != NULL) {
		rc = sv_set_var(r, varname, b.p ? b.p : "", b.len);
		free(varname);
		buf_free(&b);
		return rc;
	}
	free(r->flags);
	r->flags = b.p ? b.p : xstrdup("");
	return 0;
}

/* The flags of a list of flag strings, each once (case-insensitively):
 * "A B", "b" gives A, B. */
static void
split_flags(const struct sieve_str *in, size_t n, struct sieve_str **out,
    size_t *nout)
{
	struct buf b;
	size_t i, j;

	buf_init(&b, SIEVE_MAX_STRING);
	for (i = 0; i < n; i++)
		flags_add(&b, in[i].p, in[i].len);
	for (i = 0; i < b.len; i = j + 1) {
		struct sieve_str f;

		for (j = i; j < b.len && b.p[j] != ' '; j++)
			;
		f.p = xstrndup(b.p + i, j - i);
		f.len = j - i;
		f.src = NULL;
		sv_push(out, nout, f);
	}
	buf_free(&b);
}

int
sv_run_hasflag(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *vars = NULL, *vals = NULL, *raw = NULL, *keys = NULL;
	size_t nvars = 0, nv = 0, i, nraw = 0, nk = 0, nkeys = 0;
	struct sieve_arg ka;
	int rc;

	if (n->npos == 2 && (vars = sv_expand_list(r, sieve_pos(n, 0),
	    &nvars)) == NULL && r->err != NULL)
		return -1;
	for (i = 0; i < (n->npos == 2 ? nvars : 1); i++) {
		const char *s;
		size_t j = 0, len;

		if (n->npos == 2) {
			const struct sv_var *x = sv_get_var(r, vars[i].p);

			s = x ? x->val : "";
		} else {
			s = r->flags ? r->flags : "";
		}
		len = strlen(s);
		(void)j;
		{
			struct sieve_str f;

			f.p = xstrndup(s, len);
			f.len = len;
			f.src = NULL;
			sv_push(&raw, &nraw, f);
		}
	}
	sv_strs_free(vars, nvars);
	/* values and keys alike are sets of flags (RFC 5232 §4) */
	split_flags(raw, nraw, &vals, &nv);
	sv_strs_free(raw, nraw);
	if ((keys = sv_expand_list(r, sieve_pos(n, n->npos - 1), &nk)) == NULL &&
	    r->err != NULL) {
		sv_strs_free(vals, nv);
		return -1;
	}
	memset(&ka, 0, sizeof ka);
	ka.type = SIEVE_LIST;
	split_flags(keys, nk, &ka.v, &nkeys);
	ka.n = nkeys;
	sv_strs_free(keys, nk);
	rc = sv_match_keys(r, n, vals, nv, &ka, 0);
	sv_strs_free(ka.v, nkeys);
	sv_strs_free(vals, nv);
	return rc;
}

/* ---- body (RFC 5173) -------------------------------------------------- */

#define BODY_DEPTH 64

struct bodyctx {
	struct sieve_run *r;
	const struct sieve_arg *types;  /* :content, or NULL for :text */
	struct sieve_str *v;
	size_t nv;
	struct buf cur;
	int take, html, msghdr;
	const char *charset;
	char cs[64];
	/* the open entities, for a multipart's prologue and epilogue
	 * (RFC 5173 §5.2: the text the walker gives between its begin and
	 * its first child, and after its last child) */
	struct bodyent {
		int multi, kids;
		struct buf pre, epi;
	} ent[BODY_DEPTH];
	int nent;               /* open, some past BODY_DEPTH untracked */
};

static int
type_wanted(const struct bodyctx *c, const char *type)
{
	size_t i;

	if (c->types == NULL)
		return strncmp(type, "text/", 5) == 0 ||
		    strcmp(type, "application/xhtml+xml") == 0;
	for (i = 0; i < c->types->n; i++) {
		const char *t = c->types->v[i].p;
		size_t tl = c->types->v[i].len;

		if (tl == 0)
			return 1;
		if (memchr(t, '/', tl) != NULL && strchr(strchr(t, '/') + 1,
		    '/') != NULL)
			continue;       /* "text/plain/x" is no type */
		if (memchr(t, '/', tl) ? strcasecmp(t, type) == 0 :
		    strncasecmp(t, type, tl) == 0 && type[tl] == '/')
			return 1;
	}
	return 0;
}

/* Is the part's Content-Type, as written, one type/subtype ("text/
 * plain/x" is not, and :text does not take it, as Pigeonhole)? */
static int
type_sane(const struct mime_part *pt)
{
	struct hdrfield f;
	size_t i, slashes = 0;

	if (pt->hdr == NULL || !hdr_find(pt->hdr, pt->hdrlen, "content-type",
	    &f))
		return 1;
	for (i = 0; i < f.vallen && f.val[i] != ';'; i++)
		slashes += f.val[i] == '/';
	return slashes <= 1;
}

static void
body_begin(void *arg, const struct mime_part *pt)
{
	struct bodyctx *c = arg;

	if (c->nent > 0 && c->nent <= BODY_DEPTH) {
		struct bodyent *up = &c->ent[c->nent - 1];

		up->kids++;
		buf_reset(&up->epi);    /* a line end before a delimiter */
	}
	if (c->nent < BODY_DEPTH) {
		struct bodyent *e = &c->ent[c->nent];

		e->multi = pt->kind == MIME_MULTIPART && c->types != NULL &&
		    type_wanted(c, pt->type);
		e->kids = 0;
		buf_init(&e->pre, 16u << 20);
		buf_init(&e->epi, 16u << 20);
	}
	c->nent++;
	if (pt->kind != MIME_LEAF)
		return;
	c->take = type_wanted(c, pt->type) && (c->types != NULL ||
	    type_sane(pt));
	c->html = c->types == NULL && (strcmp(pt->type, "text/html") == 0 ||
	    strcmp(pt->type, "application/xhtml+xml") == 0);
	c->msghdr = pt->kind == MIME_LEAF &&
	    strcmp(pt->type, "message/rfc822") == 0;
	snprintf(c->cs, sizeof c->cs, "%s", pt->charset);
	buf_init(&c->cur, 16u << 20);
}

static void
body_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	struct bodyctx *c = arg;

	(void)pt;
	if (c->take)
		buf_add(&c->cur, p, n);
}

/* text/html as text: tags dropped (enough for :contains). */
static void
strip_tags(struct buf *b)
{
	size_t i, k = 0;
	int in = 0;

	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '<')
			in = 1;
		else if (b->p[i] == '>' && in)
			in = 0;
		else if (!in)
			b->p[k++] = b->p[i];
	}
	b->len = k;
	if (b->p)
		b->p[k] = 0;
}

/* A message/rfc822 part's content is its header (RFC 5173 §5, as
 * Pigeonhole has it): cut at the empty line, the last LF kept. */
static void
cut_header(struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->p[i] == '\n' && (i + 1 == b->len || b->p[i + 1] == '\n')) {
			b->len = i + 1;
			b->p[b->len] = 0;
			return;
		}
}

/* :content "message/rfc822": that part whole, not walked. */
static int
body_whole(void *arg, const struct mime_part *pt)
{
	struct bodyctx *c = arg;

	return c->types != NULL && type_wanted(c, pt->type);
}

/* The walker's own text: a multipart's prologue, epilogue, and the
 * line ends before its delimiters (dropped at the next child). */
static void
body_out(void *arg, const struct mime_part *pt, int what, const char *p,
    size_t n)
{
	struct bodyctx *c = arg;
	struct bodyent *e;

	(void)pt;
	if (what != MIME_OUT_TEXT || c->nent == 0 || c->nent > BODY_DEPTH)
		return;
	e = &c->ent[c->nent - 1];
	if (e->multi)
		buf_add(e->kids == 0 ? &e->pre : &e->epi, p, n);
}

/* Text pushed as a value with CRLF line ends: the walker gives LF,
 * but a line break in a key is CRLF (RFC 5228 §2.4.2), and so are the
 * lines of a message (RFC 5322), as Pigeonhole sees them in a message
 * given with CRLF.  b is consumed. */
static void
push_text(struct bodyctx *c, struct buf *b)
{
	struct sieve_str s;
	struct buf o;
	size_t i;

	buf_init(&o, (size_t)-1 / 2);
	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '\n')
			buf_addc(&o, '\r');
		buf_addc(&o, b->p[i]);
	}
	buf_free(b);
	s.p = o.p ? o.p : xstrdup("");
	s.len = o.len;
	s.src = NULL;
	sv_push(&c->v, &c->nv, s);
}

static void
body_end(void *arg, const struct mime_part *pt)
{
	struct bodyctx *c = arg;
	struct sieve_str s;
	struct buf u;

	if (c->nent > 0 && --c->nent < BODY_DEPTH) {
		struct bodyent *e = &c->ent[c->nent];

		if (e->multi && e->pre.len > 0)
			push_text(c, &e->pre);
		if (e->multi && e->epi.len > 0)
			push_text(c, &e->epi);
		buf_free(&e->pre);
		buf_free(&e->epi);
	}
	if (pt->kind != MIME_LEAF)
		return;
	/* a transfer encoding we cannot undo: no text to search */
	if (c->types == NULL && (pt->flags & MIME_W_ENCODING))
		c->take = 0;
	if (c->take) {
		if (c->html)
			strip_tags(&c->cur);
		if (c->msghdr)
			cut_header(&c->cur);
		buf_init(&u, 16u << 20);
		if (strncmp(pt->type, "text/", 5) != 0 || charset_to_utf8(c->cs,
		    strlen(c->cs), c->cur.p ? c->cur.p : "", c->cur.len,
		    &u) == -2) {
			buf_free(&u);
			u = c->cur;
			c->cur.p = NULL;
		}
		if (strncmp(pt->type, "text/", 5) == 0 || c->msghdr) {
			push_text(c, &u);
		} else {
			s.p = u.p ? u.p : xstrdup("");
			s.len = u.len;
			s.src = NULL;
			sv_push(&c->v, &c->nv, s);
		}
	}
	buf_free(&c->cur);
	c->take = 0;
}

int
sv_run_body(struct sieve_run *r, const struct sieve_node *n)
{
	struct bodyctx c;
	int rc;

	memset(&c, 0, sizeof c);
	c.r = r;
	if (!r->hasbody) {
		/* a header alone: the set is empty (RFC 5173 §5) */
	} else if (sv_has_tag(n, "raw")) {
		struct sieve_str s;

		s.p = xstrndup(r->env->msg + r->res->bodyoff,
		    r->env->len - r->res->bodyoff);
		s.len = r->env->len - r->res->bodyoff;
		s.src = NULL;
		sv_push(&c.v, &c.nv, s);
	} else {
		struct mime_cb cb;
		struct mime *m;
		size_t nt = 0;
		struct sieve_str *tv = NULL;
		struct sieve_arg ta;

		if (sv_has_tag(n, "content")) {
			tv = sv_expand_list(r, sieve_tag(n, "content"), &nt);
			if (tv == NULL && r->err != NULL)
				return -1;
			memset(&ta, 0, sizeof ta);
			ta.type = SIEVE_LIST;
			ta.v = tv;
			ta.n = nt;
			c.types = &ta;
		}
		memset(&cb, 0, sizeof cb);
		cb.begin = body_begin;
		cb.data = body_data;
		cb.end = body_end;
		cb.whole = body_whole;
		cb.out = body_out;
		cb.arg = &c;
		m = mime_new(&cb, NULL);
		mime_feed(m, r->env->msg, r->env->len);
		mime_end(m);
		mime_free(m);
		while (c.nent > 0)      /* (mime_end() ends every part) */
			if (--c.nent < BODY_DEPTH) {
				buf_free(&c.ent[c.nent].pre);
				buf_free(&c.ent[c.nent].epi);
			}
		buf_free(&c.cur);
		sv_strs_free(tv, nt);
		if (sv_out_of_time(r, n) < 0) {
			sv_strs_free(c.v, c.nv);
			return -1;
		}
	}
	rc = sv_match_values(r, n, c.v, c.nv, 0);
	sv_strs_free(c.v, c.nv);
	return rc;
}

/* ---- editheader (RFC 5293) -------------------------------------------- */

/* The fields deleteheader leaves alone (RFC 5293 §6: Received must not
 * be deleted; Auto-Submitted too, as Pigeonhole). */
static int
protected_field(const char *name)
{
	return strcasecmp(name, "received") == 0 ||
	    strcasecmp(name, "auto-submitted") == 0;
}

static int
fieldname_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 200)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    s[i] == ':')
			return 0;
	return 1;
}

int
sv_check_editheader(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen)
{
	const char *name = sv_constant(s, sieve_pos(n, 0));
	const struct sieve_arg *v = sieve_pos(n, 1);

	if (name != NULL && !fieldname_ok(name, sieve_pos(n, 0)->v[0].len)) {
		snprintf(err, errlen, "specified field name %s is invalid",
		    sieve_pos(n, 0)->v[0].src);
		return -1;
	}
	if (sieve_tag(n, "last") != NULL && sieve_tag(n, "index") == NULL &&
	    strcmp(n->name, "deleteheader") == 0) {
		snprintf(err, errlen, "deleteheader :last needs :index");
		return -1;
	}
	if (strcmp(n->name, "addheader") == 0 && v != NULL && v->n == 1 &&
	    memchr(v->v[0].p, 0, v->v[0].len) != NULL) {
		snprintf(err, errlen, "specified value %s is invalid",
		    v->v[0].src);
		return -1;
	}
	return 0;
}

/*
 * One line of an added value (no line end), from its leading blank on,
 * folded at spaces before column HDRENC_COLS.  The words from the first
 * to the last that is not 7-bit text (hdrenc_needed) or too long for a
 * line (over 900 bytes) go as encoded words, through hdrenc_text, as
 * Pigeonhole encodes that span (it writes a long run as it is, past the
 * 998-octet limit); the words around it stay as they are.
 */
static void
add_line(struct buf *b, size_t *col, const char *p, size_t n)
{
	size_t i, w, s0 = n, e0 = 0, from;

	for (i = 0; i <= n; i = w + 1) {
		for (w = i; w < n && p[w] != ' '; w++)
			;
		if (hdrenc_needed(p + i, w - i) || w - i > 900) {
			if (s0 == n)
				s0 = i;
			e0 = w;
		}
	}
	if (s0 == n) {
		hdrenc_text(b, col, p, n);
		return;
	}
	/* the span starts after a space (or at 0) and ends before one */
	from = s0 > 0 ? s0 - 1 : 0;
	if (s0 > 0)
		hdrenc_text(b, col, p, from);
	hdrenc_text(b, col, p + s0, e0 - s0);
	if (e0 < n)
		hdrenc_text(b, col, p + e0 + 1, n - e0 - 1);
}

/*
 * The value of an added field as it is stored, from its leading blank
 * on; val (vl bytes, no NUL) is freed.  As Pigeonhole writes it: each
 * line end, with the blanks and line ends around it, becomes one fold
 * "\n\t" (none at the end), so that no line of the header is empty or
 * blank; each line is then folded at spaces (add_line), words that
 * are not ASCII text (RFC 5293 §4) or hold a control byte as encoded
 * words, never raw bytes in the header.
 */
static char *
fold_value(const char *name, char *val, size_t vl, size_t *outlen)
{
	struct buf b;
	size_t i, j, col = strlen(name) + 1;

	buf_init(&b, SIEVE_MAX_STRING * 4);
	for (i = 0; i < vl; i = j) {
		for (j = i; j < vl && val[j] != '\r' && val[j] != '\n'; j++)
			;
		/* trailing blanks before a line end go with the fold */
		if (j < vl)
			while (j > i && (val[j - 1] == ' ' || val[j - 1] == '\t'))
				j--;
		add_line(&b, &col, val + i, j - i);
		for (; j < vl && strchr(" \t\r\n", val[j]) != NULL; j++)
			;
		if (j < vl) {
			buf_addc(&b, '\n');
			col = 0;
		}
	}
	free(val);
	/* hdrenc folds with "\n "; Pigeonhole's folds are "\n\t" */
	for (i = 1; i < b.len; i++)
		if (b.p[i - 1] == '\n' && b.p[i] == ' ')
			b.p[i] = '\t';
	if (b.p == NULL)
		buf_addc(&b, ' ');
	*outlen = b.len;
	return b.p;
}

int
sv_run_addheader(struct sieve_run *r, const struct sieve_node *n)
{
	char *name, *val;
	size_t nl, vl;
	struct sv_field f;

	if ((name = sv_pos_strn(r, n, 0, &nl)) == NULL)
		return -1;
	if ((val = sieve_str_expand(r, &sieve_pos(n, 1)->v[0], &vl)) ==
	    NULL) {
		free(name);
		return -1;
	}
	if (memchr(val, 0, vl) != NULL) {
		sieve_fail(r, n, "specified value for field \"%s\" is "
		    "invalid", name);
		free(name);
		free(val);
		return -1;
	}
	if (!fieldname_ok(name, nl)) {
		sieve_fail(r, n, "specified field name \"%s\" is invalid", name);
		free(name);
		free(val);
		return -1;
	}
	/* a protected field may be added, as Pigeonhole allows (RFC 5293
	 * §6 leaves additions to local policy): only its deletion is
	 * refused */
	val = fold_value(name, val, vl, &vl);
	f.name = name;
	f.val = val;
	f.vlen = vl;
	r->f = xrealloc(r->f, (r->nf + 1) * sizeof *r->f);
	if (sv_has_tag(n, "last")) {
		r->f[r->nf] = f;
	} else {
		/* first, but below the MDA's fields: Return-Path stays the
		 * first line, as where the MDA adds it after the script */
		memmove(r->f + r->nfixed + 1, r->f + r->nfixed,
		    (r->nf - r->nfixed) * sizeof *r->f);
		r->f[r->nfixed] = f;
	}
	r->nf++;
	r->hdr_changed = 1;
	return 0;
}

int
sv_run_deleteheader(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *idx = sieve_tag(n, "index");
	const struct sieve_arg *pats = sieve_pos(n, 1);
	char *name;
	size_t i, count = 0, total = 0, k = 0, nl;

	if ((name = sv_pos_strn(r, n, 0, &nl)) == NULL)
		return -1;
	/* as Pigeonhole: no field has such a name, so the script is wrong */
	if (!fieldname_ok(name, nl)) {
		sieve_fail(r, n, "specified field name \"%s\" is invalid", name);
		free(name);
		return -1;
	}
	if (protected_field(name)) {
		free(name);
		return 0;
	}
	/* the MDA's fields are not the message's to edit: neither
	 * deleted nor counted by :index */
	for (i = r->nfixed; i < r->nf; i++)
		if (strcasecmp(r->f[i].name, name) == 0)
			total++;
	for (i = k = r->nfixed; i < r->nf; i++) {
		int del = 1;

		if (strcasecmp(r->f[i].name, name) != 0) {
			r->f[k++] = r->f[i];
			continue;
		}
		count++;
		if (idx != NULL) {
			size_t want = sv_has_tag(n, "last") ?
			    (idx->num <= total ? total - idx->num + 1 : 0) :
			    idx->num;

			del = count == want;
		}
		if (del && pats != NULL) {
			struct buf u;
			struct sieve_str v;
			int m;

			buf_init(&u, SIEVE_MAX_STRING);
			hdr_unfold(r->f[i].val, r->f[i].vlen, &u);
			v.p = u.p ? u.p : "";
			v.len = u.len;
			v.src = NULL;
			m = sv_match_values(r, n, &v, 1, 1);
			buf_free(&u);
			if (m < 0) {
				free(name);
				return -1;
			}
			del = m;
		}
		if (del) {
			free(r->f[i].name);
			free(r->f[i].val);
			r->hdr_changed = 1;
		} else {
			r->f[k++] = r->f[i];
		}
	}
	r->nf = k;
	free(name);
	return 0;
}
