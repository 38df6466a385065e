/*
 * mbox: see mbox.h.
 */
#include "mbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FROM_MAX        1000    /* cap of a "From " line kept by mboxin */

static const char FROM_[] = "From ";

/* ---- the format ---- */

int
mbox_fromline(char *buf, size_t n, const char *sender, time_t t)
{
	char date[64];
	struct tm tm;
	size_t o, len;
	int r;

	if (sender == NULL || *sender == '\0')
		sender = "MAILER-DAEMON";
	len = strlen(sender);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		return -1;
	r = snprintf(buf, n, "From %s %s\n", sender, date);
	if (r < 0 || (size_t)r >= n)
		return -1;
	/* the sender must stay one word, or readers take it for the date */
	for (o = 5; o < 5 + len; o++) {
		unsigned char c = (unsigned char)buf[o];

		if (c <= ' ' || c == 127)
			buf[o] = '_';
	}
	return r;
}

int
mbox_boundary(const char *w, size_t n, size_t pos)
{
	size_t p = pos, k;

	if (pos > 2 || pos > n)
		return 0;
	if (pos == n)
		return 1;
	if (pos > 0 && w[pos - 1] == '\r' && w[pos] == '\r')
		p++;            /* the gap after a bare CR: "\r\n\n" */
	for (k = 0; k < 2 && p < n && w[p] == '\n'; k++)
		p++;
	if (n - p < 5 || memcmp(w + p, FROM_, 5) != 0)
		return 0;
	if (p == 0)
		return 1;
	return p >= 2 && w[p - 1] == '\n' && w[p - 2] == '\n';
}


/* ---- mboxrd quoting ---- */

/*
 * States: Q_MID inside a line; Q_BOL + k at a line start, holding back
 * q->gt '>' characters and then k bytes of "From " until we know whether
 * the line needs one more '>'.
 */
enum { Q_BOL = 0, Q_MID = 6 };

static int
emit_gt(size_t gt, mboxrd_emit *emit, void *arg)
{
	static const char many[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";

	while (gt > 0) {
		size_t k = gt < sizeof many - 1 ? gt : sizeof many - 1;

		if (emit(arg, many, k) < 0)
			return -1;
		gt -= k;
	}
	return 0;
}

/* Give back the bytes held at a line start that turned out harmless. */
static int
release(struct mboxrd_q *q, mboxrd_emit *emit, void *arg)
{
	int k = q->state - Q_BOL;

	if (emit_gt(q->gt, emit, arg) < 0 ||
	    (k > 0 && emit(arg, FROM_, (size_t)k) < 0))
		return -1;
	q->gt = 0;
	q->state = Q_MID;
	return 0;
}

int
mboxrd_quote(struct mboxrd_q *q, const char *p, size_t n,
    mboxrd_emit *emit, void *arg)
{
	size_t i = 0, start = 0;

	while (i < n) {
		int k = q->state - Q_BOL;
		const char *lf;

		if (q->state == Q_MID) {
			if ((lf = memchr(p + i, '\n', n - i)) == NULL) {
				i = n;
				break;
			}
			i = (size_t)(lf - p) + 1;
			/* most lines cannot be a From line: keep the span */
			if (i < n && p[i] != '>' && p[i] != 'F')
				continue;
			if (emit(arg, p + start, i - start) < 0)
				return -1;
			start = i;
			q->state = Q_BOL;
			q->gt = 0;
		} else if (k == 0 && p[i] == '>') {
			q->gt++;
			start = ++i;
		} else if (p[i] == FROM_[k]) {
			start = ++i;
			if (++q->state - Q_BOL < 5)
				continue;
			if (emit(arg, ">", 1) < 0 || emit_gt(q->gt, emit, arg) < 0 ||
			    emit(arg, FROM_, 5) < 0)
				return -1;
			q->gt = 0;
			q->state = Q_MID;
		} else if (release(q, emit, arg) < 0) {
			return -1;      /* p[i] is looked at again in Q_MID */
		}
	}
	if (q->state == Q_MID && i > start &&
	    emit(arg, p + start, i - start) < 0)
		return -1;
	return 0;
}

int
mboxrd_quote_end(struct mboxrd_q *q, mboxrd_emit *emit, void *arg)
{
	int r = 0;

	if (q->state != Q_MID)
		r = release(q, emit, arg);
	q->state = Q_BOL;
	q->gt = 0;
	return r;
}

int
mboxrd_quoted(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '>')
		i++;
	return i > 0 && n - i >= 5 && memcmp(p + i, FROM_, 5) == 0;
}

/* ---- the writer ---- */

/* The message's own bytes: also remember the last one. */
static int
msg_emit(void *arg, const char *p, size_t n)
{
	struct mboxw *w = arg;

	if (n > 0)
		w->last = (unsigned char)p[n - 1];
	return w->emit(w->arg, p, n);
}

int
mboxw_begin(struct mboxw *w, const char *sender, time_t t,
    mboxrd_emit *emit, void *arg)
{
	char line[1200];
	int n;

	memset(w, 0, sizeof *w);
	w->last = -1;
	w->emit = emit;
	w->arg = arg;
	n = mbox_fromline(line, sizeof line, sender, t);
	if (n < 0)
		n = mbox_fromline(line, sizeof line, NULL, t);
	return emit(arg, line, (size_t)n);
}

int
mboxw_write(struct mboxw *w, const char *p, size_t n)
{
	return mboxrd_quote(&w->q, p, n, msg_emit, w);
}

int
mboxw_end(struct mboxw *w)
{
	const char *eol = "";

	if (mboxrd_quote_end(&w->q, msg_emit, w) < 0)
		return -1;
	/*
	 * A message without a final LF gets one.  After a bare CR it would
	 * make a CRLF, which readers (msg_line() too) take for a line end,
	 * losing the CR: there the line end added is a CRLF.
	 */
	if (w->last == '\r')
		eol = "\r\n";
	else if (w->last != -1 && w->last != '\n')
		eol = "\n";
	if (w->emit(w->arg, eol, strlen(eol)) < 0 ||
	    w->emit(w->arg, "\n", 1) < 0)
		return -1;
	return 0;
}

/* What to write before the first "From " line so that it starts a line
 * after an empty line, whatever the mbox ends with. */
const char *
mbox_gap(int fd, off_t size)
{
	char end[2];
	off_t off = size >= 2 ? size - 2 : 0;
	ssize_t n;

	if (size == 0)
		return "";
	n = pread(fd, end, 2, off);
	/* as in mboxw_end(): an LF after a bare CR would swallow it */
	if (n > 0 && end[n - 1] == '\r')
		return "\r\n\n";
	if (n <= 0 || end[n - 1] != '\n')
		return "\n\n";
	return n == 2 && end[0] != '\n' ? "\n" : "";
}


/* ---- reading mbox streams ---- */

enum { MBOXIN_START, MBOXIN_MSG, MBOXIN_ATFROM, MBOXIN_EOF };

void
mboxin_init(struct mboxin *r, struct msgin *m, int split)
{
	memset(r, 0, sizeof *r);
	r->m = m;
	r->split = split;
	r->bol = 1;
	r->state = MBOXIN_START;
	buf_init(&r->from, FROM_MAX);
}

void
mboxin_free(struct mboxin *r)
{
	buf_free(&r->from);
}

static ssize_t
raw_line(struct mboxin *r, const char **p, int *bol, int *partial)
{
	ssize_t n;

	if (r->stash) {
		*p = r->stash;
		*bol = r->stashbol;
		*partial = r->stashpartial;
		r->stash = NULL;
		return r->stashn;
	}
	n = msg_line(r->m, p);
	*bol = r->bol;
	*partial = n > 0 && r->m->partial;
	if (n > 0)
		r->bol = !*partial;
	return n;
}

static int
is_from(const char *p, ssize_t n, int bol)
{
	return bol && n >= 5 && memcmp(p, FROM_, 5) == 0;
}

/* Keep a "From " line (all its pieces) without the LF, capped. */
static int
take_from(struct mboxin *r, const char *p, ssize_t n, int partial)
{
	int bol;

	buf_reset(&r->from);
	for (;;) {
		size_t k = (size_t)n, room = r->from.max - r->from.len;

		if (!partial && k > 0 && p[k - 1] == '\n')
			k--;
		buf_add(&r->from, p, k < room ? k : room);
		if (!partial)
			return 0;
		if ((n = raw_line(r, &p, &bol, &partial)) <= 0)
			return n < 0 ? -1 : 0;
	}
}

int
mboxin_next(struct mboxin *r)
{
	const char *p;
	ssize_t n;
	int bol, partial;

	for (;;) {
		switch (r->state) {
		case MBOXIN_ATFROM:
			r->state = MBOXIN_MSG;
			return 1;
		case MBOXIN_EOF:
			return 0;
		case MBOXIN_MSG:
			while ((n = mboxin_line(r, &p)) > 0)
				;
			if (n < 0)
				return -1;
			continue;
		default:
			break;
		}
		/* MBOXIN_START */
		buf_reset(&r->from);
		do
			n = raw_line(r, &p, &bol, &partial);
		while (r->split && n == 1 && bol && p[0] == '\n');
		if (n < 0)
			return -1;
		r->state = MBOXIN_MSG;
		if (n > 0 && is_from(p, n, bol))
			return take_from(r, p, n, partial) < 0 ? -1 : 1;
		if (r->split && n == 0) {
			r->state = MBOXIN_EOF;
			return 0;
		}
		if (r->split)
			return -2;
		if (n > 0) {
			r->stash = p;
			r->stashn = n;
			r->stashbol = bol;
			r->stashpartial = partial;
		}
		return 1;
	}
}

/*
 * mboxrd unquoting of a line l that starts with '>' (the piece at its
 * start, or a later piece while r->owe).  A line longer than the
 * reader's buffer comes in pieces, and the first may end inside the
 * run of '>' or inside the "From " after it.  Then one '>' is taken off
 * at once (r->owe), and given back should the line turn out not to
 * match ^>+From: every byte returned meanwhile is a '>', so where the
 * '>' goes back among them does not matter.  The bytes of "From " seen
 * meanwhile wait in r->pre.  Returns the length of the piece to return
 * (*p set), or 0 to read on.
 */
static ssize_t
unquote(struct mboxin *r, const char *l, size_t n, int partial,
    const char **p)
{
	size_t a = 0, i, m = r->npre, k = 0;
	int first = !r->owe;

	if (m == 0)
		while (a < n && l[a] == '>')
			a++;
	for (i = a; m < 5 && i < n && l[i] == FROM_[m]; i++)
		m++;
	*p = l;
	r->partial = partial;
	if (m < 5 && i == n) {
		/* undecided: a piece without its LF */
		memcpy(r->pre + r->npre, l + a, n - a);
		r->npre = m;
		r->owe = 1;
		if (first) {
			(*p)++;
			a--;
		}
		return (ssize_t)a;
	}
	if (first) {
		if (m < 5)
			return (ssize_t)n;
		(*p)++;
		return (ssize_t)n - 1;
	}
	r->owe = 0;
	if (m < 5)
		r->out[k++] = '>';
	memcpy(r->out + k, r->pre, r->npre);
	k += r->npre;
	r->npre = 0;
	if (k == 0)
		return (ssize_t)n;
	r->stash = l;
	r->stashn = (ssize_t)n;
	r->stashbol = 0;
	r->stashpartial = partial;
	*p = r->out;
	r->partial = 1;
	return (ssize_t)k;
}

ssize_t
mboxin_line(struct mboxin *r, const char **p)
{
	const char *l;
	ssize_t n;
	int bol, partial;

	if (r->state != MBOXIN_MSG)
		return 0;
	for (;;) {
		n = raw_line(r, &l, &bol, &partial);
		if (r->owe && n == 0) {
			/* the input ends inside a ^>+From prefix */
			r->out[0] = '>';
			memcpy(r->out + 1, r->pre, r->npre);
			*p = r->out;
			n = (ssize_t)r->npre + 1;
			r->owe = 0;
			r->npre = 0;
			r->partial = 1;
			return n;
		}
		if (r->owe && n > 0) {
			if ((n = unquote(r, l, (size_t)n, partial, p)) > 0)
				return n;
			continue;
		}
		if (n <= 0) {
			if (n == 0)
				r->state = MBOXIN_EOF;
			return n;       /* a held empty line ends the mbox */
		}
		if (!r->split)
			break;
		if (is_from(l, n, bol)) {
			r->held = 0;
			r->state = MBOXIN_ATFROM;
			return take_from(r, l, n, partial) < 0 ? -1 : 0;
		}
		if (bol && !partial && n == 1 && l[0] == '\n') {
			if (!r->held) {
				r->held = 1;
				continue;
			}
			*p = "\n";      /* give back the older one */
			r->partial = 0;
			return 1;
		}
		if (r->held) {
			r->stash = l;
			r->stashn = n;
			r->stashbol = bol;
			r->stashpartial = partial;
			r->held = 0;
			*p = "\n";
			r->partial = 0;
			return 1;
		}
		if (bol && l[0] == '>') {
			if ((n = unquote(r, l, (size_t)n, partial, p)) > 0)
				return n;
			continue;
		}
		break;
	}
	*p = l;
	r->partial = partial;
	return n;
}
