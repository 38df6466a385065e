/*
 * mime_test: the MIME part-tree parser of common/mime.
 *
 * Each message is parsed and its events written into a string, one line
 * per begin and end, the decoded data between them:
 *   [SECTION TYPE CHARSET ENCODING DISPOSITION FILENAME k=KIND d=DEPTH]
 *   DATA
 *   <SECTION SIZE FLAGS>
 * Structures and payloads were checked against Python's email package
 * (msg.walk(), get_payload(decode=True)).  Every message is also parsed
 * with CRLF line ends and one byte at a time, and the events compared;
 * and each time the copy (cb.out) must be the message itself, line ends
 * as LF, so that a program rewriting with the walker loses no byte.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "util.h"
#include "t.h"

static struct buf ev, cp;

static void
on_begin(void *arg, const struct mime_part *pt)
{
	(void)arg;
	buf_printf(&ev, "[%s %s %s %s %s %s k=%d d=%d]", pt->section,
	    pt->type, pt->charset, pt->encoding, pt->disposition,
	    pt->filename, pt->kind, pt->depth);
}

static void
on_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	(void)arg;
	(void)pt;
	buf_add(&ev, p, n);
}

static void
on_end(void *arg, const struct mime_part *pt)
{
	(void)arg;
	buf_printf(&ev, "<%s %llu %d>", pt->section, pt->size, pt->flags);
}

static void
on_out(void *arg, const struct mime_part *pt, int what, const char *p,
    size_t n)
{
	(void)arg;
	(void)pt;
	(void)what;
	buf_add(&cp, p, n);
}

static const struct mime_cb cb = { on_begin, on_data, on_end, NULL, NULL,
    on_out };

/* The copy of msg must be msg (a byte order mark at its start dropped). */
static void
check_copy(const char *msg, const char *name)
{
	if (strncmp(msg, "\xef\xbb\xbf", 3) == 0)
		msg += 3;
	t_str(cp.p ? cp.p : "", cp.len, msg, name);
}

/* Parse s in pieces of step bytes (0: whole); the events as a string. */
static char *
run(const char *s, size_t n, size_t step, const struct mime_limits *lim,
    int *flags)
{
	struct mime *m = mime_new(&cb, lim);
	size_t i, k;

	buf_reset(&ev);
	buf_reset(&cp);
	for (i = 0; i < n; i += k) {
		k = step && step < n - i ? step : n - i;
		mime_feed(m, s + i, k);
	}
	*flags = mime_end(m);
	mime_free(m);
	return xstrdup(ev.p ? ev.p : "");
}

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

/* The events of msg must be want, with whole, bytewise and CRLF input. */
static void
check(const char *what, const char *msg, const char *want, int wflags,
    const struct mime_limits *lim)
{
	char name[200], *got, *g1, *c, *gc;
	int f, f1, fc;

	got = run(msg, strlen(msg), 0, lim, &f);
	snprintf(name, sizeof name, "%s: events", what);
	t_str(got, strlen(got), want, name);
	snprintf(name, sizeof name, "%s: the copy is the message", what);
	check_copy(msg, name);
	snprintf(name, sizeof name, "%s: flags", what);
	t_int(f, wflags, name);
	g1 = run(msg, strlen(msg), 1, lim, &f1);
	snprintf(name, sizeof name, "%s: 1-byte chunks", what);
	t_ok(strcmp(g1, got) == 0 && f1 == f, name);
	snprintf(name, sizeof name, "%s: 1-byte chunks: the copy", what);
	check_copy(msg, name);
	c = crlf(msg);
	gc = run(c, strlen(c), 7, lim, &fc);
	snprintf(name, sizeof name, "%s: CRLF", what);
	t_ok(strcmp(gc, got) == 0 && fc == f, name);
	snprintf(name, sizeof name, "%s: CRLF: the copy, with LF", what);
	check_copy(msg, name);
	free(got);
	free(g1);
	free(c);
	free(gc);
}

static void
t_single(void)
{
	check("single text",
	    "Subject: hi\nContent-Type: text/plain; charset=UTF-8\n\n"
	    "hello\nworld\n",
	    "[1 text/plain utf-8    k=0 d=0]hello\nworld\n<1 12 0>", 0, NULL);
	check("no header at all", "\nbody",
	    "[1 text/plain us-ascii    k=0 d=0]body<1 4 0>", 0, NULL);
	check("empty input", "",
	    "[1 text/plain us-ascii    k=0 d=0]<1 0 0>", 0, NULL);
	check("From_ line and qp",
	    "From a@b Mon Jan  1 00:00:00 2024\n"
	    "Content-Transfer-Encoding: Quoted-Printable\n\n"
	    "caf=C3=A9 =\nau lait  \n",
	    "[1 text/plain us-ascii quoted-printable   k=0 d=0]"
	    "caf\xc3\xa9 au lait\n<1 14 0>", 0, NULL);
}

static const char mixed[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
    "preamble\n"
    "--XX\n"
    "Content-Type: text/plain\n\n"
    "see attached\n"
    "--XX\n"
    "Content-Type: application/octet-stream; name=a.bin\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"data.bin\"\n\n"
    "AQID/f7/\n"
    "aGk=\n"
    "--XX--\n"
    "epilogue\n";

static void
t_mixed(void)
{
	check("mixed", mixed,
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain     k=0 d=1]see attached<1 12 0>"
	    "[2 application/octet-stream  base64 attachment data.bin k=0 d=1]"
	    "\x01\x02\x03\xfd\xfe\xffhi<2 8 0>"
	    "< 0 0>", 0, NULL);
}

static const char nested[] =
    "Content-Type: multipart/mixed; boundary=outer\n\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n\n"
    "--inner\n"
    "Content-Type: text/plain\n\n"
    "plain\n"
    "--inner\n"
    "Content-Type: text/html\n\n"
    "<p>html</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: image/png; name=\"=?UTF-8?B?w6kucG5n?=\"\n"
    "Content-Transfer-Encoding: base64\n\n"
    "iVBO\n"
    "--outer--\n";

static const char rfc822[] =
    "Content-Type: multipart/mixed; boundary=a\n\n"
    "--a\n\n"
    "body one\n"
    "--a\n"
    "Content-Type: message/rfc822\n\n"
    "Subject: inner\n"
    "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\n"
    "in one\n"
    "--b\n"
    "Content-Disposition: attachment;\n"
    " filename*=UTF-8''%E2%82%AC%20rates.txt\n\n"
    "in two\n"
    "--b--\n"
    "--a\n"
    "Content-Type: message/rfc822\n\n"
    "Subject: flat\n\n"
    "flat body\n"
    "--a--\n";

static void
t_nested(void)
{
	check("nested alternative", nested,
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/alternative     k=1 d=1]"
	    "[1.1 text/plain     k=0 d=2]plain<1.1 5 0>"
	    "[1.2 text/html     k=0 d=2]<p>html</p><1.2 11 0>"
	    "<1 0 0>"
	    "[2 image/png  base64  \xc3\xa9.png k=0 d=1]\x89PN<2 3 0>"
	    "< 0 0>", 0, NULL);
	check("message/rfc822", rfc822,
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]body one<1 8 0>"
	    "[2 message/rfc822     k=2 d=1]"
	    "[2 multipart/mixed     k=1 d=2]"
	    "[2.1 text/plain us-ascii    k=0 d=3]in one<2.1 6 0>"
	    "[2.2 text/plain us-ascii  attachment \xe2\x82\xac rates.txt"
	    " k=0 d=3]in two<2.2 6 0>"
	    "<2 0 0><2 0 0>"
	    "[3 message/rfc822     k=2 d=1]"
	    "[3.1 text/plain us-ascii    k=0 d=2]flat body<3.1 9 0>"
	    "<3 0 0>"
	    "< 0 0>", 0, NULL);
}

static void
t_boundaries(void)
{
	check("prefix boundaries",
	    "Content-Type: multipart/mixed; boundary=abc\n\n"
	    "--abc\n"
	    "Content-Type: multipart/mixed; boundary=abcd\n\n"
	    "--abcd\n\n"
	    "x\n--abcde\n--abc-\n"
	    "--abcd--\n"
	    "--abc\n\n"
	    "y\n"
	    "--abc--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/mixed     k=1 d=1]"
	    "[1.1 text/plain us-ascii    k=0 d=2]x\n--abcde\n--abc-<1.1 16 0>"
	    "<1 0 0>"
	    "[2 text/plain us-ascii    k=0 d=1]y<2 1 0>"
	    "< 0 0>", 0, NULL);
	check("transport padding",
	    "Content-Type: multipart/mixed; boundary=p\n\n"
	    "--p \t \n\n"
	    "one\n"
	    "--p  \n\n"
	    "two\n"
	    "--p--\t\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]one<1 3 0>"
	    "[2 text/plain us-ascii    k=0 d=1]two<2 3 0>"
	    "< 0 0>", 0, NULL);
	/* RFC 2046 5.1.1: "--p x" and "--p-- x" are delimiters, flagged
	 * (Python's email takes them as text); "--p--x" and "--pq" are no
	 * near misses (another boundary could look so) */
	check("text after the boundary: a delimiter, flagged",
	    "Content-Type: multipart/mixed; boundary=p\n\n"
	    "--p\n\n"
	    "one\n--p--x\n--pq\n"
	    "--p x\n\n"
	    "two\n"
	    "--p-- x\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]"
	    "one\n--p--x\n--pq<1 15 0>"
	    "[2 text/plain us-ascii    k=0 d=1]two<2 3 0>"
	    "< 0 524288>", MIME_W_DELIMTEXT, NULL);
	check("missing final boundary",
	    "Content-Type: multipart/mixed; boundary=m\n\n"
	    "--m\n\n"
	    "one\n"
	    "--m\n"
	    "Content-Type: multipart/related; boundary=n\n\n"
	    "--n\n\n"
	    "two\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]one<1 3 0>"
	    "[2 multipart/related     k=1 d=1]"
	    "[2.1 text/plain us-ascii    k=0 d=2]two\n<2.1 4 0>"
	    "<2 0 1>< 0 1>", MIME_W_NOEND, NULL);
	check("outer boundary closes inner part",
	    "Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\n"
	    "Content-Type: multipart/mixed; boundary=i\n\n"
	    "--i\n\n"
	    "in\n"
	    "--o\n\n"
	    "out\n"
	    "--o--",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/mixed     k=1 d=1]"
	    "[1.1 text/plain us-ascii    k=0 d=2]in<1.1 2 0>"
	    "<1 0 1>"
	    "[2 text/plain us-ascii    k=0 d=1]out<2 3 0>"
	    "< 0 0>", MIME_W_NOEND, NULL);
	check("no newline before delimiter",
	    "Content-Type: multipart/mixed; boundary=z\n\n"
	    "--z\n\n"
	    "abc--z\n"
	    "--z\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "YWJj\n"
	    "--z--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]abc--z<1 6 0>"
	    "[2 text/plain us-ascii base64   k=0 d=1]abc<2 3 0>"
	    "< 0 0>", 0, NULL);
	check("empty part and blank lines kept",
	    "Content-Type: multipart/mixed; boundary=e\n\n"
	    "--e\n"
	    "--e\n\n"
	    "\n\nx\n\n\n"
	    "--e--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]<1 0 0>"
	    "[2 text/plain us-ascii    k=0 d=1]\n\nx\n\n<2 5 0>"
	    "< 0 0>", 0, NULL);
}

static void
t_defaults(void)
{
	check("no boundary param",
	    "Content-Type: multipart/mixed\n\n--x\nhi\n",
	    "[1 text/plain     k=0 d=0]--x\nhi\n<1 7 32>",
	    MIME_W_BOUNDARY, NULL);
	check("digest default",
	    "Content-Type: multipart/digest; boundary=d\n\n"
	    "--d\n\n"
	    "Subject: s\n\n"
	    "m1\n"
	    "--d--\n",
	    "[ multipart/digest     k=1 d=0]"
	    "[1 message/rfc822     k=2 d=1]"
	    "[1.1 text/plain us-ascii    k=0 d=2]m1<1.1 2 0>"
	    "<1 0 0>< 0 0>", 0, NULL);
	check("unknown encoding, broken type",
	    "Content-Type: garbage\n"
	    "Content-Transfer-Encoding: x-foo\n\n"
	    "raw\n",
	    "[1 text/plain us-ascii x-foo   k=0 d=0]raw\n<1 4 80>",
	    MIME_W_ENCODING | MIME_W_TYPE, NULL);
}

static void
t_limits(void)
{
	struct mime_limits lim = { 0, 2, 0 };
	struct mime_limits few = { 0, 0, 3 };
	struct mime_limits small = { 40, 0, 0 };

	check("depth limit",
	    "Content-Type: multipart/mixed; boundary=1\n\n"
	    "--1\n"
	    "Content-Type: multipart/mixed; boundary=2\n\n"
	    "--2\n"
	    "Content-Type: multipart/mixed; boundary=3\n\n"
	    "--3\n\n"
	    "deep\n"
	    "--3--\n"
	    "--2--\n"
	    "--1--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/mixed     k=1 d=1]"
	    "[1.1 text/plain     k=0 d=2]--3\n\ndeep\n--3--<1.1 15 2>"
	    "<1 0 0>< 0 0>", MIME_W_DEPTH, &lim);
	check("part-count limit",
	    "Content-Type: multipart/mixed; boundary=c\n\n"
	    "--c\n\none\n--c\n\ntwo\n--c\n\nthree\n--c--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]one<1 3 0>"
	    "[2 text/plain us-ascii    k=0 d=1]two<2 3 0>"
	    "< 0 4>", MIME_W_PARTS, &few);
	check("header cap",
	    "Subject: 0123456789012345678901234567890123456789\n"
	    "Content-Type: text/html\n\nx\n",
	    "[1 text/plain us-ascii    k=0 d=0]x\n<1 2 8>",
	    MIME_W_HDRTRUNC, &small);
}

/* A body line far longer than any buffer, and one starting with "--". */
static void
t_longlines(void)
{
	size_t n = 300000, i;
	char *msg = xmalloc(n + 200), *want = xmalloc(n + 200), *got;
	int f;

	strcpy(msg, "Content-Type: multipart/mixed; boundary=L\n\n--L\n\n--");
	i = strlen(msg);
	memset(msg + i, 'L', n);
	strcpy(msg + i + n, "\n--L--\n");
	strcpy(want, "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]--");
	i = strlen(want);
	memset(want + i, 'L', n);
	sprintf(want + i + n, "<1 %zu 0>< 0 0>", n + 2);
	got = run(msg, strlen(msg), 0, NULL, &f);
	t_ok(strcmp(got, want) == 0, "long line starting with --");
	free(got);
	got = run(msg, strlen(msg), 1000, NULL, &f);
	t_ok(strcmp(got, want) == 0, "long line in 1000-byte chunks");
	free(got);
	free(msg);
	free(want);
}

static char got_id[100], got_desc[100];

static void
on_begin_id(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (pt->kind == MIME_LEAF) {
		snprintf(got_id, sizeof got_id, "%s", pt->id);
		snprintf(got_desc, sizeof got_desc, "%s", pt->description);
	}
}

/* Content-ID, Content-Description; a whole file through mime_fd(). */
static void
t_fields(void)
{
	struct mime_cb c2 = { on_begin_id, NULL, NULL, NULL, NULL, NULL };
	struct mime *m = mime_new(&c2, NULL);
	const char msg[] = "Content-ID: <x@y>\n"
	    "Content-Description: =?ISO-8859-1?Q?caf=E9?= list\n\nbody";
	int fd, f = -1;

	mime_feed(m, msg, sizeof msg - 1);
	t_int(mime_end(m), 0, "fields: flags");
	mime_free(m);
	t_str(got_id, strlen(got_id), "<x@y>", "Content-ID");
	t_str(got_desc, strlen(got_desc), "caf\xc3\xa9 list",
	    "Content-Description decoded");
	buf_reset(&ev);
	fd = open("../data/mime/prefix.eml", O_RDONLY);
	t_int(mime_fd(fd, &cb, NULL, &f), 0, "mime_fd");
	close(fd);
	t_str(ev.p, ev.len,
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/mixed     k=1 d=1]"
	    "[1.1 text/plain us-ascii    k=0 d=2]x\n--abcde\n--abc-<1.1 16 0>"
	    "<1 0 0>"
	    "[2 text/plain  quoted-printable  \xc3\xa9.png k=0 d=1]"
	    "caf\xc3\xa9 au lait<2 13 0>< 0 0>", "mime_fd on prefix.eml");
	t_int(f, 0, "mime_fd flags");
}

/* The whole callback: take part 2 whole, walk part 3. */
static int
whole2(void *arg, const struct mime_part *pt)
{
	(void)arg;
	return strcmp(pt->section, "2") == 0;
}

static void
t_whole(void)
{
	struct mime_cb cw = { on_begin, on_data, on_end, NULL, whole2,
	    NULL };
	const char *want =
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain us-ascii    k=0 d=1]body one<1 8 0>"
	    "[2 message/rfc822     k=0 d=1]"
	    "Subject: inner\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n\nin one\n--b\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=UTF-8''%E2%82%AC%20rates.txt\n\n"
	    "in two\n--b--<2 160 0>"
	    "[3 message/rfc822     k=2 d=1]"
	    "[3.1 text/plain us-ascii    k=0 d=2]flat body<3.1 9 0>"
	    "<3 0 0>"
	    "< 0 0>";
	char *c = crlf(rfc822);
	size_t step, i, k, n;
	struct mime *m;
	const char *in;

	for (step = 0; step < 3; step++) {
		in = step == 2 ? c : rfc822;
		n = strlen(in);
		m = mime_new(&cw, NULL);
		buf_reset(&ev);
		for (i = 0; i < n; i += k) {
			k = step == 1 ? 1 : n - i;
			mime_feed(m, in + i, k);
		}
		t_int(mime_end(m), 0, "whole: flags");
		mime_free(m);
		t_str(ev.p, ev.len, want, step == 0 ? "whole: events" :
		    step == 1 ? "whole: 1-byte chunks" : "whole: CRLF");
	}
	free(c);
}

/* What interop found: a boundary that never comes, a header line that
 * is not a field, a nested message without a header. */
static void
t_malformed(void)
{
	check("boundary never found: the body is a text part",
	    "Content-Type: multipart/mixed; boundary=x\n\nhello\n--y\nbody\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 text/plain     k=0 d=1]hello\n--y\nbody\n<1 15 0>"
	    "< 0 256>", MIME_W_NODELIM, NULL);
	check("nested multipart without its delimiters, ended by the outer",
	    "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
	    "Content-Type: multipart/mixed; boundary=b\n\ninner\n--a--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 multipart/mixed     k=1 d=1]"
	    "[1.1 text/plain     k=0 d=2]inner<1.1 5 0>"
	    "<1 0 256>< 0 0>", MIME_W_NODELIM, NULL);
	check("empty multipart without delimiters: no part",
	    "Content-Type: multipart/mixed; boundary=x\n\n",
	    "[ multipart/mixed     k=1 d=0]< 0 256>", MIME_W_NODELIM, NULL);
	check("a line without a colon ends the header, its text is body",
	    "From: a@b\nno colon here\nSubject: s\n\nbody",
	    "[1 text/plain us-ascii    k=0 d=0]no colon here\nSubject: s\n"
	    "\nbody<1 30 512>", MIME_W_HDRLINE, NULL);
	check("a part's header ends at a text line, the text is its body",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\nand this line is text\n--b\n\n"
	    "two\n--b--\n",
	    "[ multipart/mixed     k=1 d=0][1 text/plain     k=0 d=1]"
	    "and this line is text<1 21 512>[2 text/plain us-ascii    k=0 d=1]"
	    "two<2 3 0>< 0 0>", MIME_W_HDRLINE, NULL);
	check("a field name whose colon is on the next line is a field",
	    "Content-Type\n : text/html\n\nbody",
	    "[1 text/html     k=0 d=0]body<1 4 0>", 0, NULL);
	check("... over blank continuation lines too",
	    "Content-Type \n \n\t: text/html\nSubject: s\n\nbody",
	    "[1 text/html     k=0 d=0]body<1 4 0>", 0, NULL);
	check("a field name alone, then a field: the name is body",
	    "From: a@b\nSubject\nTo: c@d\n\nbody",
	    "[1 text/plain us-ascii    k=0 d=0]Subject\nTo: c@d\n\nbody"
	    "<1 21 512>", MIME_W_HDRLINE, NULL);
	check("a field name alone, then a fold without a colon: body",
	    "From: a@b\nSubject\n more\n\nbody",
	    "[1 text/plain us-ascii    k=0 d=0]Subject\n more\n\nbody"
	    "<1 19 512>", MIME_W_HDRLINE, NULL);
	check("a field name alone at the end of input: body",
	    "From: a@b\nSubject",
	    "[1 text/plain us-ascii    k=0 d=0]Subject<1 7 512>",
	    MIME_W_HDRLINE, NULL);
	check("a field name alone at the end, with its line end: body",
	    "From: a@b\nSubject\n",
	    "[1 text/plain us-ascii    k=0 d=0]Subject\n<1 8 512>",
	    MIME_W_HDRLINE, NULL);
	check("a field name alone before a delimiter: the part's body",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\nname\n--b--\n",
	    "[ multipart/mixed     k=1 d=0][1 text/plain     k=0 d=1]"
	    "name<1 4 512>< 0 0>", MIME_W_HDRLINE, NULL);
	check("a text line starting a body that ends without its line end",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n--b-",
	    "[ multipart/mixed     k=1 d=0][1 text/plain     k=0 d=1]"
	    "--b-<1 4 512>< 0 1>", MIME_W_HDRLINE | MIME_W_NOEND, NULL);
	check("a message/rfc822 whose header ends at a text line",
	    "Content-Type: message/rfc822\n\nSubject: in\ntext\n",
	    "[1 message/rfc822     k=2 d=0][1.1 text/plain us-ascii    k=0 d=1]"
	    "text\n<1.1 5 512><1 0 0>", MIME_W_HDRLINE, NULL);
	check("a message/rfc822 whose header ends at its first line",
	    "Content-Type: message/rfc822\n\ntext",
	    "[1 message/rfc822     k=2 d=0][1.1 text/plain us-ascii    k=0 d=1]"
	    "text<1.1 4 512><1 0 1024>", MIME_W_HDRLINE | MIME_W_NOHDR, NULL);
	check("a second From_ line does not end the header",
	    "From a@b Mon Jan  1 00:00:00 2024\n"
	    "From c@d Mon Jan  1 00:00:00 2024\n"
	    "Content-Type: text/html\n\nbody",
	    "[1 text/html     k=0 d=0]body<1 4 0>", 0, NULL);
	check("a UTF-8 byte order mark before the first field is dropped",
	    "\xef\xbb\xbf" "Content-Type: text/html\n\nbody",
	    "[1 text/html     k=0 d=0]body<1 4 0>", 0, NULL);
	check("a byte order mark before an mbox From_ line is dropped",
	    "\xef\xbb\xbf" "From a@b Mon Jan  1 00:00:00 2024\n"
	    "Content-Type: text/html\n\nbody",
	    "[1 text/html     k=0 d=0]body<1 4 0>", 0, NULL);
	check("a byte order mark later on is text",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "\xef\xbb\xbf" "Content-Type: text/html\n\nx\n--b--\n",
	    "[ multipart/mixed     k=1 d=0][1 text/plain us-ascii    k=0 d=1]"
	    "\xef\xbb\xbf" "Content-Type: text/html\n\nx<1 29 512>< 0 0>",
	    MIME_W_HDRLINE, NULL);
	check("folded field and 'Name :' are fields",
	    "Subject: a\n b\nX-Old : y\n\nbody",
	    "[1 text/plain us-ascii    k=0 d=0]body<1 4 0>", 0, NULL);
	{
		static const char nul[] = "Content-Type: text/plain; "
		    "name=\"n\0ul.bin\"\n\nx";
		char *got;
		int f;

		got = run(nul, sizeof nul - 1, 0, NULL, &f);
		t_str(got, strlen(got), "[1 text/plain    n k=0 d=0]"
		    "x<1 1 2048>", "NUL in the header: flagged, name cut");
		t_int(f, MIME_W_NUL, "NUL in the header: flags");
		free(got);
	}
	check("two Content-Type fields: the first, flagged",
	    "Content-Type: text/html\nContent-Type: text/plain\n\nx",
	    "[1 text/html     k=0 d=0]x<1 1 4096>", MIME_W_DUP, NULL);
	check("message/rfc822 in base64: decoded and walked, flagged",
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n",
	    "[1 message/rfc822  base64   k=2 d=0]"
	    "[1.1 text/plain us-ascii    k=0 d=1]y\n<1.1 2 0>"
	    "<1 0 8192>", MIME_W_MSGENC, NULL);
	/* numbered as the same message in 7bit would be */
	check("a multipart message in base64 is walked like one in 7bit",
	    "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "U3ViamVjdDogeApDb250ZW50LVR5cGU6IG11bHRpcGFydC9taXhlZDsgYm91"
	    "bmRhcnk9egoKLS16CgpvbmUKLS16Cgp0d28KLS16LS0K\n--o--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 message/rfc822  base64   k=2 d=1]"
	    "[1 multipart/mixed     k=1 d=2]"
	    "[1.1 text/plain us-ascii    k=0 d=3]one<1.1 3 0>"
	    "[1.2 text/plain us-ascii    k=0 d=3]two<1.2 3 0>"
	    "<1 0 0><1 0 8192>< 0 0>", MIME_W_MSGENC, NULL);
	check("and its parts count against the limit",
	    "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "U3ViamVjdDogeApDb250ZW50LVR5cGU6IG11bHRpcGFydC9taXhlZDsgYm91"
	    "bmRhcnk9egoKLS16CgpvbmUKLS16Cgp0d28KLS16LS0K\n--o\n\nlast\n"
	    "--o--\n",
	    "[ multipart/mixed     k=1 d=0]"
	    "[1 message/rfc822  base64   k=2 d=1]"
	    "[1 multipart/mixed     k=1 d=2]"
	    "[1.1 text/plain us-ascii    k=0 d=3]one<1.1 3 0>"
	    "<1 0 4><1 0 8196>< 0 4>", MIME_W_MSGENC | MIME_W_PARTS,
	    &(struct mime_limits){ 0, 0, 4 });
	/* x-uuencode: Python's email gives b'hi\n', b'hi\n' and the raw
	 * body for these */
	check("x-uuencode: the first block, named by its begin line",
	    "Content-Transfer-Encoding: x-uuencode\n\n"
	    "begin 644 hi.txt\n#:&D*\n`\nend\n",
	    "[1 text/plain us-ascii x-uuencode  hi.txt k=0 d=0]hi\n"
	    "<1 3 0>", 0, NULL);
	check("uuencode: text around the block and a second block dropped",
	    "Content-Type: application/octet-stream; name=a.bin\n"
	    "Content-Transfer-Encoding: UUENCODE\n\n"
	    "intro\n\nbegin 644 hi.txt\n#:&D*\n`\nend\n"
	    "begin 644 yo.txt\n\">6\\ \n`\nend\n",
	    "[1 application/octet-stream  uuencode  a.bin k=0 d=0]hi\n"
	    "<1 3 128>", MIME_W_DECODE, NULL);
	check("x-uue without a begin line: the body as it is",
	    "Content-Transfer-Encoding: x-uue\n\nno block\n here\n",
	    "[1 text/plain us-ascii x-uue   k=0 d=0]no block\n here\n"
	    "<1 15 128>", MIME_W_DECODE, NULL);
	check("message/rfc822 in quoted-printable without a header",
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n\nbody=3D\n",
	    "[1 message/rfc822  quoted-printable   k=2 d=0]"
	    "[1.1 text/plain us-ascii    k=0 d=1]body=\n<1.1 6 0>"
	    "<1 0 9216>", MIME_W_MSGENC | MIME_W_NOHDR, NULL);
	check("message/rfc822 in x-uuencode: decoded and walked too",
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: x-uuencode\n\n"
	    "begin 644 m.eml\n.4W5B:F5C=#H@>`H*>0H`\n`\nend\n",
	    "[1 message/rfc822  x-uuencode  m.eml k=2 d=0]"
	    "[1.1 text/plain us-ascii    k=0 d=1]y\n<1.1 2 0>"
	    "<1 0 8192>", MIME_W_MSGENC, NULL);
	check("message/rfc822 without a header",
	    "Content-Type: message/rfc822\n\n",
	    "[1 message/rfc822     k=2 d=0]"
	    "[1.1 text/plain us-ascii    k=0 d=1]<1.1 0 0><1 0 1024>",
	    MIME_W_NOHDR, NULL);
}

/* The copy alone, whole and bytewise, where the events do not matter:
 * msg's copy must be want (msg, CRLF as LF). */
static void
copy_only(const char *what, const char *msg, const char *want)
{
	char name[200], *got;
	int f;

	got = run(msg, strlen(msg), 0, NULL, &f);
	free(got);
	snprintf(name, sizeof name, "%s: the copy", what);
	check_copy(want, name);
	got = run(msg, strlen(msg), 1, NULL, &f);
	free(got);
	snprintf(name, sizeof name, "%s: the copy, 1-byte chunks", what);
	check_copy(want, name);
}

/* A header's empty line may hold a CR or white space: copied as it is. */
static void
t_copy(void)
{
	copy_only("a header ended by a line of a lone CR keeps the CR",
	    "Subject: a\r\n\r\r\nbody\r\n", "Subject: a\n\r\nbody\n");
	copy_only("a part header ended by a lone CR keeps it",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\r\r\nx\n--b--\n",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\r\nx\n--b--\n");
	copy_only("a part header ended by white space keeps it",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n \t\nx\n--b--\n",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n \t\nx\n--b--\n");
}

int
main(void)
{
	buf_init(&ev, 1 << 22);
	buf_init(&cp, 1 << 22);
	t_single();
	t_mixed();
	t_nested();
	t_boundaries();
	t_defaults();
	t_limits();
	t_longlines();
	t_fields();
	t_whole();
	t_malformed();
	t_copy();
	buf_free(&ev);
	buf_free(&cp);
	return t_done();
}
