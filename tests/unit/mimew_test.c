/*
 * mimew_test: unit tests of common/mimew.c (choosing, encoding and
 * delimiter-checking a MIME part) and common/msg.c (a message's
 * header read from a stream by the one rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "mimew.h"
#include "t.h"
#include "util.h"

static FILE *
file_of(const char *p, size_t n)
{
	FILE *fp = tmpfile();

	if (fp == NULL || fwrite(p, 1, n, fp) != n)
		abort();
	rewind(fp);
	return fp;
}

static enum mimew_cte
cte_of(const char *p, int text, int body, int eight)
{
	struct mimew_scan s;
	FILE *fp = file_of(p, strlen(p));
	enum mimew_cte c;

	mimew_scan(fp, "t", &s, text);
	c = mimew_choose(&s, text, body, 0, eight);
	t_int(ftell(fp), 0, "the scan rewinds its file");
	fclose(fp);
	return c;
}

static void
sink_buf(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
}

static int
delim(const char *p, enum mimew_cte cte, const char *bnd)
{
	FILE *fp = file_of(p, strlen(p));
	int r = mimew_delim_in(fp, "t", cte, bnd);

	fclose(fp);
	return r;
}

static void
test_choose(void)
{
	t_int(cte_of("plain\n", 1, 0, 0), MIMEW_7BIT, "ASCII text is 7bit");
	t_int(cte_of("caf\xc3\xa9\n", 1, 0, 0), MIMEW_QP,
	    "UTF-8 text without -8 is quoted-printable");
	t_int(cte_of("caf\xc3\xa9\n", 1, 0, 1), MIMEW_8BIT,
	    "UTF-8 text with -8 is 8bit");
	t_int(cte_of("a\r\nb\n", 1, 0, 0), MIMEW_B64,
	    "an attachment with CR keeps its bytes: base64");
	t_int(cte_of("a\r\nb\n", 1, 1, 0), MIMEW_QP,
	    "the body with CR may go quoted-printable");
	t_int(cte_of("x\xff", 0, 0, 0), MIMEW_B64, "8-bit non-text is base64");
	t_int(cte_of("trailing \n", 1, 0, 0), MIMEW_QP,
	    "trailing white space is not 7bit");
}

static void
test_encode(void)
{
	struct buf b;
	FILE *fp = file_of("caf\xc3\xa9\n", 6);
	int last;

	buf_init(&b, 1024);
	last = mimew_encode(fp, "t", MIMEW_QP, sink_buf, &b);
	t_str(b.p, b.len, "caf=C3=A9\n", "quoted-printable through the sink");
	t_int(last, '\n', "the last byte written is returned");
	fclose(fp);
	buf_free(&b);
}

static void
test_delim(void)
{
	t_int(delim("a\n--B\n", MIMEW_7BIT, "B"), 1,
	    "a line that is the delimiter is found");
	t_int(delim("a\n--Bx\n", MIMEW_7BIT, "B"), 1,
	    "a line that starts like the delimiter is found");
	t_int(delim("a\n--altrelB\n", MIMEW_7BIT, "B"), 1,
	    "a nested multipart's delimiter is found");
	t_int(delim("a\n--Bx", MIMEW_7BIT, "B"), 1,
	    "a last line without LF is checked");
	t_int(delim("a\n x--B\n", MIMEW_7BIT, "B"), 0,
	    "a delimiter not at the start of a line is none");
	t_int(delim("a\n--B\n", MIMEW_B64, "B"), 0,
	    "base64 cannot write a delimiter");
	t_int(delim("--B=X\n", MIMEW_QP, "B=X"), 0,
	    "the part is checked encoded: '=' goes out as =3D");
	t_int(delim("--B=\n", MIMEW_QP, "B=3D"), 1,
	    "an encoded line that starts like the delimiter is found");
}

static void
test_cid(void)
{
	char d[64], *c;

	c = mimew_cid("logo pic.png", "example.org");
	t_str(c, strlen(c), "logo_pic.png@example.org",
	    "a space in a Content-ID name is _");
	free(c);
	c = mimew_cid(".caf\xc3\xa9..png", "x");
	t_str(c, strlen(c), "_caf_._png@x",
	    "one _ for a UTF-8 character; no leading or double dot");
	free(c);
	t_int(mimew_id_domain("<a@example.org>", d, sizeof(d)), 1,
	    "a plain Message-ID domain is taken");
	t_str(d, strlen(d), "example.org", "the domain without its >");
	t_int(mimew_id_domain("<a@[1.2.3.4]>", d, sizeof(d)), 0,
	    "a domain literal is not a plain domain");
}

/* What mimewrap reads a message with (msg.h): its line ends, its
 * header, where that ended. */
static void
test_msgin(void)
{
	static const char m[] = "From x\r\nSubject: a\r\n b\r\nbody\r\n";
	struct msgin in;
	struct buf h;
	FILE *fp = file_of(m, sizeof(m) - 1);
	const char *p;
	ssize_t n;
	int trunc;

	buf_init(&h, 4096);
	msg_init(&in, fileno(fp), 0);
	t_int(msg_crlf(&in), 1, "a CRLF message is said to be one");
	t_int(msg_header(&in, &h, NULL, &trunc), 0, "the header is read");
	t_str(h.p, h.len, "Subject: a\n b\n",
	    "the header without its From line, CRLF taken as LF");
	t_int(in.hdrbody, 1, "it ended at a line that is not a field");
	n = msg_line(&in, &p);
	t_str(p, (size_t)n, "body\n",
	    "the line that ended the header is the body's");
	t_int(msg_line(&in, &p), 0, "then the end");
	msg_free(&in);
	buf_free(&h);
	fclose(fp);
}

int
main(void)
{
	test_choose();
	test_encode();
	test_delim();
	test_cid();
	test_msgin();
	return t_done();
}
