/*
 * fuzz_mime: the MIME part-tree parser of common/mime.
 *
 * The input is parsed whole and in three chunks split at points taken
 * from its first bytes; the events (recorded as a string) must agree.
 * Every event is checked as it comes: begins and ends nest and match,
 * depth is the nesting level, section numbers follow IMAP (the children
 * of a multipart S are S.1, S.2 ...; a message/rfc822 part S holds one
 * message, numbered S if it is a multipart and S.1 if not), only leaves
 * get data, and the data adds up to the size given at the end.
 * Some message/rfc822 parts are taken whole (mime_cb.whole), by a bit
 * of the input.  The copy (mime_cb.out) must be the input, CRLF as LF,
 * a byte order mark at its start dropped or, if its first line passed
 * the header cap before the mark was looked at, kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXD 8

static struct {
	char sec[MAXD + 1][512];
	int kind[MAXD + 1];
	unsigned long kids[MAXD + 1];
	unsigned long long got[MAXD + 1];
	int n;
	struct buf log;
	struct buf copy;
} S;

static void
on_out(void *arg, const struct mime_part *pt, int what, const char *p,
    size_t n)
{
	(void)arg;
	/* a body is a leaf's (or a coded message part's, walked apart) */
	if (what == MIME_OUT_BODY && (pt == NULL ||
	    pt->kind == MIME_MULTIPART))
		abort();
	if ((what == MIME_OUT_DELIM || what == MIME_OUT_CLOSE) &&
	    (pt == NULL || pt->kind != MIME_MULTIPART))
		abort();
	buf_add(&S.copy, p, n);
}

/* The input as the copy must be, with its byte order mark or not. */
static void
check_copy(const char *in, size_t n)
{
	struct buf w;
	size_t i, k;

	buf_init(&w, (size_t)1 << 26);
	for (i = 0; i < n; i++)
		if (in[i] != '\r' || i + 1 == n || in[i + 1] != '\n')
			buf_add(&w, in + i, 1);
	/* one leading mark may be dropped, never more: the copy is the
	 * input or the input without its first three bytes (which must
	 * then be a mark; a second mark after it is kept, as text) */
	k = w.len >= 3 && memcmp(w.p, "\xef\xbb\xbf", 3) == 0 &&
	    S.copy.len + 3 == w.len ? 3 : 0;
	if (S.copy.len != w.len - k ||
	    (w.len > k && memcmp(S.copy.p, w.p + k, w.len - k) != 0))
		abort();
	buf_free(&w);
}

static void
expect(const struct mime_part *pt)
{
	char want[512];
	int i = S.n - 1;

	if (S.n == 0) {
		snprintf(want, sizeof want, "%s",
		    pt->kind == MIME_MULTIPART ? "" : "1");
	} else if (S.kind[i] == MIME_MULTIPART) {
		S.kids[i]++;
		snprintf(want, sizeof want, *S.sec[i] ? "%s.%lu" : "%s%lu",
		    S.sec[i], S.kids[i]);
	} else if (S.kind[i] == MIME_MESSAGE && S.kids[i]++ == 0) {
		snprintf(want, sizeof want, pt->kind == MIME_MULTIPART ?
		    "%s" : *S.sec[i] ? "%s.1" : "%s1", S.sec[i]);
	} else
		abort();                /* a leaf or a second message */
	if (strcmp(want, pt->section) != 0)
		abort();
}

static void
on_begin(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (S.n > MAXD || pt->depth != S.n || pt->hdr == NULL ||
	    pt->type[0] == '\0' || strchr(pt->type, '/') == NULL)
		abort();
	expect(pt);
	snprintf(S.sec[S.n], sizeof S.sec[0], "%s", pt->section);
	S.kind[S.n] = pt->kind;
	S.kids[S.n] = 0;
	S.got[S.n] = 0;
	S.n++;
	buf_printf(&S.log, "[%s %s %s %s %s %s %s %s]", pt->section,
	    pt->type, pt->charset, pt->encoding, pt->disposition,
	    pt->filename, pt->id, pt->description);
}

static void
on_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	(void)arg;
	if (S.n == 0 || pt->kind != MIME_LEAF || n == 0 ||
	    strcmp(pt->section, S.sec[S.n - 1]) != 0)
		abort();
	S.got[S.n - 1] += n;
	buf_add(&S.log, p, n);
}

static void
on_end(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (S.n == 0 || strcmp(pt->section, S.sec[S.n - 1]) != 0 ||
	    pt->size != S.got[S.n - 1] || pt->hdr != NULL)
		abort();
	if (pt->kind == MIME_MESSAGE && S.kids[S.n - 1] != 1 &&
	    !(pt->flags & MIME_W_PARTS))
		abort();
	S.n--;
	buf_printf(&S.log, "<%s %llu %d %d>", pt->section, pt->size,
	    pt->flags, pt->codec);
}

/* Which message parts to take whole: a bit of the input per section
 * length, so the same parts in every run of one input. */
static int whole_mask;

static int
whole(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (pt->kind != MIME_MESSAGE)
		abort();
	return whole_mask >> (strlen(pt->section) % 8) & 1;
}

static char *
run(const char *in, size_t n, size_t a, size_t b, size_t *len, int *flags)
{
	static const struct mime_cb cb = { on_begin, on_data, on_end, NULL,
	    whole, on_out };
	struct mime_limits lim = { 4096, MAXD, 200 };
	struct mime *m = mime_new(&cb, &lim);
	char *out;

	S.n = 0;
	buf_reset(&S.log);
	buf_reset(&S.copy);
	mime_feed(m, in, a);
	mime_feed(m, in + a, b - a);
	mime_feed(m, in + b, n - b);
	*flags = mime_end(m);
	mime_free(m);
	if (S.n != 0)
		abort();
	check_copy(in, n);
	*len = S.log.len;
	out = xmalloc(S.log.len + 1);
	memcpy(out, S.log.p ? S.log.p : "", S.log.len);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t a = 0, b = 0, n1, n2, t;
	int f1, f2;
	char *o1, *o2;

	if (S.log.max == 0) {
		buf_init(&S.log, (size_t)1 << 26);
		buf_init(&S.copy, (size_t)1 << 26);
	}
	whole_mask = size >= 5 ? data[4] : 0;
	if (size >= 4) {
		a = (data[0] | (size_t)data[1] << 8) % (size + 1);
		b = (data[2] | (size_t)data[3] << 8) % (size + 1);
		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
	}
	o1 = run(in, size, 0, 0, &n1, &f1);
	o2 = run(in, size, a, b, &n2, &f2);
	if (n1 != n2 || memcmp(o1, o2, n1) != 0 || f1 != f2)
		abort();
	free(o1);
	free(o2);
	return 0;
}
