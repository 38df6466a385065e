/*
 * mimewrap: parts added to an existing message (see mimewrap.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"
#include "mime.h"
#include "mimewrap.h"
#include "rfc2047.h"
#include "util.h"

static void
put(struct mimewrap *w, const char *p, size_t n)
{
	w->out(w->outarg, p, n);
}

static void
puts_(struct mimewrap *w, const char *s)
{
	put(w, s, strlen(s));
}

/* The unfolded value of field name, or NULL; the caller frees it. */
static char *
get_field(const struct buf *h, const char *name)
{
	struct hdrfield f;
	struct buf v;

	if (h->len == 0 || !hdr_find(h->p, h->len, name, &f))
		return NULL;
	buf_init(&v, h->max);
	hdr_unfold(f.val, f.vallen, &v);
	return v.p != NULL ? v.p : xstrdup("");
}

/* The boundary of a multipart/mixed Content-Type, or NULL. */
static char *
mixed_boundary(const char *ct, size_t max)
{
	struct buf v;

	if (ct == NULL)
		return NULL;
	buf_init(&v, max);
	if (rfc2231_value(ct, strlen(ct), &v) != 0 || v.p == NULL ||
	    strcasecmp(v.p, "multipart/mixed") != 0) {
		buf_free(&v);
		return NULL;
	}
	buf_reset(&v);
	if (rfc2231_param(ct, strlen(ct), "boundary", &v) != 1 ||
	    v.len == 0) {
		buf_free(&v);
		return NULL;
	}
	return v.p;
}

void
mimewrap_read(struct mimewrap *w, int fd, const char *name, int crlf,
    size_t hmax)
{
	int trunc;

	buf_init(&w->h, hmax);
	msg_init(&w->in, fd, 0);
	w->name = name;
	w->crlf = crlf || msg_crlf(&w->in);
	if (msg_header(&w->in, &w->h, NULL, &trunc) < 0)
		die(EX_IOERR, "%s:", name);
	if (trunc)
		die(EX_DATAERR, "%s: header longer than %zu bytes", name, hmax);
	/* text written straight after the header is the body's: said */
	if (w->in.hdrbody)
		warn("%s: header ends without a blank line", name);
	w->ct = get_field(&w->h, "Content-Type");
	w->cte = get_field(&w->h, "Content-Transfer-Encoding");
	w->id = get_field(&w->h, "Message-ID");
	w->mv = get_field(&w->h, "MIME-Version");
	w->bnd = mixed_boundary(w->ct, hmax);
}

/* Copy the header fields; those starting "Content-" only if content. */
static void
put_fields(struct mimewrap *w, int content)
{
	struct hdrfield f;
	size_t off = 0;

	while (w->h.len > 0 && hdr_next(w->h.p, w->h.len, &off, &f))
		if ((strncasecmp(f.line, "Content-", 8) == 0) == content)
			put(w, f.line, f.linelen);
}

/* The delimiter that closes a multipart. */
static void
put_close(struct mimewrap *w, const char *bnd)
{
	puts_(w, "--");
	puts_(w, bnd);
	puts_(w, "--\n");
}

/* wrap_mixed's walk: the new parts go before the close delimiter of
 * the message's multipart (the root); all else is copied. */
struct mixed {
	struct mimewrap *w;
	mimewrap_add_fn *add;
	void *addarg;
	int added;
	int last;               /* the last byte written */
};

static void
mixed_out(void *arg, const struct mime_part *pt, int what, const char *p,
    size_t n)
{
	struct mixed *x = arg;

	if (what == MIME_OUT_CLOSE && pt->depth == 0 && !x->added) {
		x->add(x->addarg, x->w->bnd);
		x->added = 1;
	}
	put(x->w, p, n);
	x->last = (unsigned char)p[n - 1];
}

/*
 * Copy the body, the parts added before its close delimiter, found by
 * the one MIME walker (mime.h) as mimeunpack finds it; no delimiter:
 * add one.  No part-count limit: the walk would stop copying there.
 */
static void
wrap_mixed(struct mimewrap *w, mimewrap_add_fn *add, void *addarg)
{
	struct mime_cb cb = { NULL, NULL, NULL, NULL, NULL, mixed_out };
	struct mime_limits lim = { 0, 0, (unsigned long)-1 };
	struct mixed x = { w, add, addarg, 0, '\n' };
	struct mime *m;
	const char *p;
	ssize_t n;

	cb.arg = &x;
	m = mime_new(&cb, &lim);
	mime_multipart(m, w->bnd);
	while ((n = msg_read(&w->in, &p)) > 0)
		mime_feed(m, p, (size_t)n);
	if (n < 0)
		die(EX_IOERR, "%s:", w->name);
	mime_end(m);
	mime_free(m);
	if (x.added)
		return;
	puts_(w, x.last == '\n' ? "" : "\n");
	add(addarg, w->bnd);
	put_close(w, w->bnd);
}

/* The old body becomes the first part, its Content- fields with it. */
static void
wrap_other(struct mimewrap *w, const char *bnd, int eight,
    mimewrap_add_fn *add, void *addarg)
{
	const char *cte = w->cte, *p;
	ssize_t n;

	puts_(w, "Content-Type: multipart/mixed;\n boundary=\"");
	puts_(w, bnd);
	puts_(w, "\"\n");
	if (cte != NULL && strcasecmp(cte, "binary") == 0)
		puts_(w, "Content-Transfer-Encoding: binary\n");
	else if ((cte != NULL && strcasecmp(cte, "8bit") == 0) || eight)
		puts_(w, "Content-Transfer-Encoding: 8bit\n");
	puts_(w, "\n--");
	puts_(w, bnd);
	puts_(w, "\n");
	put_fields(w, 1);
	puts_(w, "\n");
	/* the message's own line ends: CRLF ones as LF, to be written back */
	while ((n = w->crlf ? msg_line(&w->in, &p) : msg_read(&w->in, &p)) > 0)
		put(w, p, (size_t)n);
	if (n < 0)
		die(EX_IOERR, "%s:", w->name);
	puts_(w, "\n");
	add(addarg, bnd);
	put_close(w, bnd);
}

void
mimewrap_write(struct mimewrap *w, const char *newbnd, int eight,
    mimewrap_add_fn *add, void *addarg, mimew_sink *sink, void *sinkarg)
{
	w->out = sink;
	w->outarg = sinkarg;
	if (w->bnd != NULL && w->h.len > 0)
		put(w, w->h.p, w->h.len);
	else if (w->bnd == NULL)
		put_fields(w, 0);
	if (w->mv == NULL)
		puts_(w, "MIME-Version: 1.0\n");
	if (w->bnd != NULL) {
		puts_(w, "\n");
		wrap_mixed(w, add, addarg);
	} else
		wrap_other(w, newbnd, eight, add, addarg);
}

void
mimewrap_free(struct mimewrap *w)
{
	free(w->ct);
	free(w->cte);
	free(w->id);
	free(w->mv);
	free(w->bnd);
	buf_free(&w->h);
	msg_free(&w->in);
}
