/*
 * fuzz_store: the pure part of common/store, mboxrd both ways.
 *
 * The input (after two bytes of parameters) is split at NUL bytes into
 * up to four messages.  Checks, against store.h:
 *   - mboxrd_quote() in pieces whose sizes come from the input gives the
 *     same bytes as in one piece, and exactly one '>' more on each line
 *     matching ^>*From (and nothing else changed);
 *   - mboxrd_quoted() says so of each quoted line;
 *   - the messages written as an mbox the way store.c writes one (its
 *     From_ line from mbox_fromline(), the quoted message, an LF if it
 *     lacks one (a CRLF after a bare CR), an empty line) and read back
 *     with mboxin (split) come back byte for byte, with their senders,
 *     in a reader buffer whose size comes from the input (so that long
 *     runs of '>' cross its seams);
 *   - mbox_fromline() makes one word of any sender (no blank nor
 *     control between "From " and the date) and maildir_escape_host()
 *     leaves no '/' or ':'.
 * CRs before an LF are changed to 'x' first: the reader makes CRLF LF,
 * which the writer's caller (msg_line) has done already.  A CR that
 * ends a message is kept: the writer ends it with CRLF, so the CR must
 * come back, then the LF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "store.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NMSG 4

static int
emit(void *arg, const char *p, size_t n)
{
	return buf_add(arg, p, n);
}

/* mboxrd-quote (p, n) into out, in pieces of `step` (0: varying). */
static void
quote(const char *p, size_t n, size_t step, struct buf *out)
{
	struct mboxrd_q q;
	size_t i = 0, m;

	memset(&q, 0, sizeof q);
	while (i < n) {
		m = step ? step : 1 + (unsigned char)p[i] % 7;
		if (m > n - i)
			m = n - i;
		if (mboxrd_quote(&q, p + i, m, emit, out) < 0)
			abort();
		i += m;
	}
	if (mboxrd_quote_end(&q, emit, out) < 0)
		abort();
}

/* Does the line at p (n bytes, up to its LF) match ^>*From ? */
static int
from_line(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '>')
		i++;
	return n - i >= 5 && memcmp(p + i, "From ", 5) == 0;
}

/* The quoted text must be the input with one '>' before each line
 * that matches ^>*From, and mboxrd_quoted() must say which. */
static void
check_quoted(const char *p, size_t n, const struct buf *q)
{
	size_t i = 0, o = 0, len;
	const char *lf;

	while (i < n) {
		lf = memchr(p + i, '\n', n - i);
		len = lf != NULL ? (size_t)(lf - (p + i)) + 1 : n - i;
		if (from_line(p + i, len)) {
			if (o >= q->len || q->p[o] != '>' ||
			    !mboxrd_quoted(q->p + o, len + 1))
				abort();
			o++;
		} else if (o + len <= q->len && mboxrd_quoted(q->p + o, len))
			abort();
		if (o + len > q->len || memcmp(q->p + o, p + i, len) != 0)
			abort();
		o += len;
		i += len;
	}
	if (o != q->len)
		abort();
}

static int fd = -1;

static void
roundtrip(char *const *msg, const size_t *len, size_t nmsg, size_t bufsize)
{
	static const char *senders[NMSG] = { "alice@x.test", "",
	    "a b\tc\r\n@x", NULL };
	struct buf mbox, q;
	struct msgin m;
	struct mboxin r;
	char line[1200], path[] = "/tmp/fuzz_store.XXXXXX";
	const char *l;
	ssize_t k;
	size_t i, j;
	int fl;

	buf_init(&mbox, 1 << 22);
	for (i = 0; i < nmsg; i++) {
		fl = mbox_fromline(line, sizeof line, senders[i], 86400 * i);
		if (fl < 0 || buf_add(&mbox, line, (size_t)fl) < 0)
			abort();
		for (j = 5; line[j] != ' '; j++)
			if ((unsigned char)line[j] < ' ' || line[j] == 127)
				abort();
		buf_init(&q, 1 << 21);
		quote(msg[i], len[i], 0, &q);
		buf_add(&mbox, q.p, q.len);
		if (len[i] > 0 && msg[i][len[i] - 1] == '\r')
			buf_add(&mbox, "\r\n", 2);
		else if (len[i] > 0 && msg[i][len[i] - 1] != '\n')
			buf_add(&mbox, "\n", 1);
		buf_add(&mbox, "\n", 1);
		buf_free(&q);
	}
	if (fd < 0) {
		if ((fd = mkstemp(path)) < 0)
			abort();
		unlink(path);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, mbox.p, mbox.len, 0) !=
	    (ssize_t)mbox.len || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	msg_init(&m, fd, bufsize);
	mboxin_init(&r, &m, 1);
	for (i = 0; i < nmsg; i++) {
		struct buf got;

		if (mboxin_next(&r) != 1)
			abort();
		fl = mbox_fromline(line, sizeof line, senders[i], 86400 * i);
		if (r.from.len != (size_t)fl - 1 ||
		    memcmp(r.from.p, line, r.from.len) != 0)
			abort();
		buf_init(&got, 1 << 21);
		while ((k = mboxin_line(&r, &l)) > 0)
			buf_add(&got, l, (size_t)k);
		if (k < 0)
			abort();
		/* the writer ends every message with an LF */
		if (got.len != len[i] + (len[i] > 0 &&
		    msg[i][len[i] - 1] != '\n') ||
		    (len[i] && memcmp(got.p, msg[i], len[i]) != 0) ||
		    (got.len && got.p[got.len - 1] != '\n'))
			abort();
		buf_free(&got);
	}
	if (mboxin_next(&r) != 0)
		abort();
	mboxin_free(&r);
	msg_free(&m);
	buf_free(&mbox);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *msg[NMSG], host[1200];
	size_t n, len[NMSG], nmsg = 0, i, start = 0, step, bufsize;
	struct buf a, b;

	if (size < 2)
		return 0;
	step = 1 + data[0] % 16;
	/* the reader needs a From_ line's "From " in its first piece */
	bufsize = 64 + (size_t)data[1] * 64;
	n = size - 2;
	in = malloc(n + 1);
	memcpy(in, data + 2, n);
	for (i = 0; i + 1 < n; i++)
		if (in[i] == '\r' && in[i + 1] == '\n')
			in[i] = 'x';

	buf_init(&a, 1 << 21);
	buf_init(&b, 1 << 21);
	quote(in, n, 0, &a);
	quote(in, n, step, &b);
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0))
		abort();
	check_quoted(in, n, &a);
	buf_free(&a);
	buf_free(&b);

	for (i = 0; i <= n && nmsg < NMSG; i++)
		if (i == n || in[i] == '\0') {
			msg[nmsg] = in + start;
			len[nmsg++] = i - start;
			start = i + 1;
		}
	roundtrip(msg, len, nmsg, bufsize);

	/* the host part of a Maildir name */
	in[n < 1000 ? n : 1000] = '\0';
	if (maildir_escape_host(host, sizeof host, in) >= 0 &&
	    strpbrk(host, "/:") != NULL)
		abort();
	free(in);
	return 0;
}
