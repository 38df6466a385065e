/*
 * msg_test: where a header ends, the one rule (hdr_line) and the
 * readers that apply it: hdr_next over a buffer, msg_header and
 * msg_hdrkind over a stream, with buffers small enough that the read
 * ahead has to refill them.  Every case also runs with CRLF line ends.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hdr.h"
#include "msg.h"
#include "util.h"
#include "t.h"

static char *
crlf(const char *s)
{
	char *o = xmalloc(2 * strlen(s) + 1), *q = o;

	for (; *s; s++) {
		if (*s == '\n')
			*q++ = '\r';
		*q++ = *s;
	}
	*q = '\0';
	return o;
}

static void
line_is(const char *s, int more, int want, const char *what)
{
	char name[200], *c = crlf(s);

	snprintf(name, sizeof name, "hdr_line: %s", what);
	t_int(hdr_line(s, strlen(s), more), want, name);
	snprintf(name, sizeof name, "hdr_line: %s (CRLF)", what);
	t_int(hdr_line(c, strlen(c), more), want, name);
	free(c);
}

static void
t_line(void)
{
	line_is("Subject: x\n", 1, HDR_FIELD, "a field");
	line_is("Subject : x\n", 1, HDR_FIELD, "white space before the colon");
	line_is(" more\n", 1, HDR_FOLD, "a continuation");
	line_is("\tmore\n", 1, HDR_FOLD, "a continuation with a tab");
	line_is("\nbody", 1, HDR_EMPTY, "the empty line");
	line_is("", 0, HDR_EMPTY, "the end of input");
	line_is("", 1, HDR_MORE, "nothing yet");
	line_is("the body starts here\n", 1, HDR_BODY, "a line of text");
	line_is(": x\n", 1, HDR_BODY, "a colon without a name");
	line_is("\xef\xbb\xbf" "From: a\n", 1, HDR_BODY, "a byte order mark");
	line_is("From a@b Mon\n", 1, HDR_FROM, "a From_ line past the first");
	line_is(">From a@b Mon\n", 1, HDR_BODY, "a quoted From_ line");
	line_is("From \n : x\n", 1, HDR_FIELD, "'From ' and its colon folded");
	line_is("From \nTo: x\n", 1, HDR_FROM, "'From ' alone");
	line_is("From\n : <a@b>\n", 1, HDR_FIELD, "a name, its colon folded");
	line_is("From \n \n\t: <a@b>\n", 1, HDR_FIELD,
	    "... over a blank continuation");
	line_is("From\n", 1, HDR_MORE, "a name alone: undecided");
	line_is("From\n", 0, HDR_BODY, "a name alone at the end");
	line_is("From\n \n", 1, HDR_MORE, "a name and a blank fold");
	line_is("From\nTo: b\n", 1, HDR_BODY, "a name, then a field");
	line_is("From\n more\n", 1, HDR_BODY, "a name, then a fold of text");
	line_is("From\n\n", 1, HDR_BODY, "a name, then the empty line");
	line_is("Subject", 1, HDR_MORE, "a name cut short");
	t_int(hdr_line("From\r", 5, 1), HDR_MORE, "hdr_line: a CR cut short");
	t_int(hdr_line("From\rx: y\n", 10, 1), HDR_BODY,
	    "hdr_line: a bare CR after a name");
	t_int(hdr_line("\r", 1, 0), HDR_BODY, "hdr_line: a bare CR at the end");
	{
		struct buf b;
		int i;

		buf_init(&b, 4 * HDR_AHEAD);
		buf_adds(&b, "X\n");
		for (i = 0; i < 100; i++)
			buf_adds(&b, " \n");
		buf_adds(&b, " : y\n");
		t_int(hdr_line(b.p, b.len, 1), HDR_FIELD,
		    "hdr_line: a colon after 100 blank folds");
		buf_reset(&b);
		buf_adds(&b, "X\n");
		for (i = 0; i < HDR_AHEAD / 2; i++)
			buf_adds(&b, " \n");
		buf_adds(&b, " : y\n");
		t_int(hdr_line(b.p, b.len, 1), HDR_BODY,
		    "hdr_line: a colon further than HDR_AHEAD");
		t_int(hdr_line(b.p, HDR_AHEAD, 1), HDR_BODY,
		    "hdr_line: HDR_AHEAD bytes without a colon decide");
		buf_free(&b);
	}
}

/* "Name=value|" for every field hdr_next finds, values unfolded. */
static char *
fields(const char *h)
{
	struct buf out, v;
	struct hdrfield f;
	size_t off = 0;

	buf_init(&out, 4096);
	buf_init(&v, 4096);
	buf_add(&out, "", 0);
	while (hdr_next(h, strlen(h), &off, &f)) {
		buf_reset(&v);
		hdr_unfold(f.val, f.vallen, &v);
		buf_printf(&out, "%.*s=%s|", (int)f.namelen, f.name,
		    v.p ? v.p : "");
	}
	buf_free(&v);
	return out.p;
}

static void
next_is(const char *h, const char *want, const char *what)
{
	char name[200], *c = crlf(h), *g;

	g = fields(h);
	snprintf(name, sizeof name, "hdr_next: %s", what);
	t_str(g, strlen(g), want, name);
	free(g);
	g = fields(c);
	snprintf(name, sizeof name, "hdr_next: %s (CRLF)", what);
	t_str(g, strlen(g), want, name);
	free(g);
	free(c);
}

static void
t_next(void)
{
	next_is("From\n : <any@attack.com>\nTo: b\n\nx: y\n",
	    "From=<any@attack.com>|To=b|", "a name split from its colon");
	next_is("Subject : a\n b\nFrom\t:c\n",
	    "Subject=a b|From=c|", "white space before colons, a fold");
	next_is(" orphan\nA: 1\njunk\nB: 2\n", "A=1|B=2|",
	    "junk in a header read elsewhere is skipped");
}

/* msg_header over a pipe holding s, with a buffer of size bytes; the
 * header, then "|", then the rest of the input as msg_line gives it. */
static char *
header(const char *s, size_t size, struct buf *from)
{
	struct msgin m;
	struct buf h, out;
	const char *p;
	ssize_t n;
	int fd[2], trunc = 0;

	if (pipe(fd) < 0 || write(fd[1], s, strlen(s)) != (ssize_t)strlen(s))
		return xstrdup("pipe failed");
	close(fd[1]);
	msg_init(&m, fd[0], size);
	buf_init(&h, 4096);
	buf_init(&out, 4096);
	if (msg_header(&m, &h, from, &trunc) < 0)
		buf_adds(&out, "error");
	buf_add(&out, h.p ? h.p : "", h.len);
	buf_addc(&out, '|');
	while ((n = msg_line(&m, &p)) > 0)
		buf_add(&out, p, (size_t)n);
	msg_free(&m);
	close(fd[0]);
	buf_free(&h);
	return out.p;
}

static void
header_is(const char *s, size_t size, const char *want, const char *what)
{
	char name[200], *c = crlf(s), *g;

	g = header(s, size, NULL);
	snprintf(name, sizeof name, "msg_header, %zu-byte buffer: %s", size,
	    what);
	t_str(g, strlen(g), want, name);
	free(g);
	g = header(c, size, NULL);
	snprintf(name, sizeof name, "msg_header, %zu-byte buffer: %s (CRLF)",
	    size, what);
	t_str(g, strlen(g), want, name);
	free(g);
	free(c);
}

static void
t_header(void)
{
	static const size_t sizes[] = { 8, 16, 4096 };
	size_t i;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t z = sizes[i];

		header_is("From: a\nSubject: s\nthe body\nPS: more\n", z,
		    "From: a\nSubject: s\n|the body\nPS: more\n",
		    "a text line ends the header, unread");
		header_is("From\n : <x@y>\nTo: b\n\nbody\n", z,
		    "From\n : <x@y>\nTo: b\n|body\n",
		    "a name split from its colon is read ahead");
		header_is("\xef\xbb\xbf" "Subject: s\n\nbody\n", z,
		    "Subject: s\n|body\n", "a byte order mark is dropped");
		header_is("From: a\nSubject", z, "From: a\n|Subject",
		    "a name alone at the end is body");
		header_is("From a@b Mon\nA: 1\n\nb\n", z, "A: 1\n|b\n",
		    "the From_ line is not header");
		header_is("From a@b Mon\nFrom c@d Tue\nA: 1\n\nb\n", z,
		    "From c@d Tue\nA: 1\n|b\n",
		    "a second From_ line does not end the header");
	}
	/* a name followed by more blank folds than the buffer holds */
	header_is("Name\n \n \n : x\n\nb\n", 8, "|Name\n \n \n : x\n\nb\n",
	    "read ahead no further than the buffer");
	header_is("Name\n \n \n : x\n\nb\n", 64, "Name\n \n \n : x\n|b\n",
	    "... which decides a name with blank folds");
}

/* msg_hdrkind as maildeliver uses it: a line read, then judged. */
static void
t_kind(void)
{
	struct msgin m;
	struct buf keep;
	const char *p;
	ssize_t n;
	int fd[2], k, bol = 1;
	static const char s[] = "Return-Path\r\n : <x@y>\r\nA: 1\r\nB\r\nC: 2\r\n";
	char got[64];
	size_t g = 0;

	if (pipe(fd) < 0 || write(fd[1], s, sizeof s - 1) < 0)
		return;
	close(fd[1]);
	msg_init(&m, fd[0], 8);
	buf_init(&keep, 1024);
	while ((n = msg_line(&m, &p)) > 0 && g < sizeof got - 1) {
		if (bol) {
			k = msg_hdrkind(&m, &p, (size_t)n, &keep);
			got[g++] = "MFXEB"[k];
		}
		bol = !m.partial;
	}
	got[g] = '\0';
	t_str(got, g, "FXFBF", "msg_hdrkind: lines judged as they come, "
	    "pieces of lines not");
	msg_free(&m);
	buf_free(&keep);
	close(fd[0]);
}

/* msg_fromline over a pipe holding s, with a buffer of size bytes; it
 * must consume nothing: the first line is read after it. */
static void
fromline_is(const char *s, size_t size, int want, const char *first,
    const char *what)
{
	struct msgin m;
	const char *p;
	ssize_t n;
	int fd[2];

	if (pipe(fd) < 0 || write(fd[1], s, strlen(s)) != (ssize_t)strlen(s)) {
		t_int(0, 1, "pipe failed");
		return;
	}
	close(fd[1]);
	msg_init(&m, fd[0], size);
	t_int(msg_fromline(&m), want, what);
	n = msg_line(&m, &p);
	t_str(p, n > 0 ? (size_t)n : 0, first, what);
	msg_free(&m);
	close(fd[0]);
}

static void
t_fromline(void)
{
	fromline_is("From a@b Mon Jan  1 00:00:00 2024\nS: x\n", 4096, 1,
	    "From a@b Mon Jan  1 00:00:00 2024\n", "an envelope line");
	fromline_is("\xef\xbb\xbf" "From a@b\n", 4096, 1, "From a@b\n",
	    "after a byte order mark, which msg_line drops");
	fromline_is("From : a@b\nS: x\n", 4096, 0, "From : a@b\n",
	    "a field of the obsolete syntax is no envelope line");
	fromline_is("From a@b without its end", 16, 0, "From a@b without",
	    "a From line longer than the buffer is not taken");
	fromline_is("Subject: x\n", 4096, 0, "Subject: x\n", "a field");
	fromline_is("", 4096, 0, "", "empty input");
}

/* A source's bytes, for t_source(). */
struct src {
	const char *p;
	size_t n;
};

static ssize_t
src_read(void *arg, char *p, size_t n)
{
	struct src *s = arg;

	if (n > s->n)
		n = s->n;
	memcpy(p, s->p, n);
	s->p += n;
	s->n -= n;
	return (ssize_t)n;
}

/* input.c feeds an mbox message through a source, its lines already
 * normalised by the mbox reader: folding again lost a CR. */
static void
t_source(void)
{
	static const char in[] = "a\r\nb\n";
	struct src s = { in, sizeof in - 1 };
	struct msgin m;
	const char *p;
	ssize_t n;

	msg_init(&m, -1, 64);
	msg_source(&m, src_read, &s);
	n = msg_line(&m, &p);
	t_str(p, n > 0 ? (size_t)n : 0, "a\r\n", "a source's line ends are "
	    "not folded a second time (CR LF stays)");
	n = msg_line(&m, &p);
	t_str(p, n > 0 ? (size_t)n : 0, "b\n", "... and the next line follows");
	msg_free(&m);
}

int
main(void)
{
	t_source();
	t_fromline();
	t_line();
	t_next();
	t_header();
	t_kind();
	return t_done();
}
