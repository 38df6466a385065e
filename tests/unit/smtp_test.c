/*
 * smtp_test: unit tests of common/smtp.c: replies, EHLO keywords, the
 * DATA encoder (also fed one byte at a time), xtext; common/rcpt.c:
 * the recipient list and the transactions of a session.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "rcpt.h"
#include "smtp.h"
#include "smtpc.h"
#include "t.h"

static struct smtp_reply r;

static int
parse(const char *s, size_t *used)
{
	return smtp_reply_parse(s, strlen(s), &r, used);
}

static void
test_replies(void)
{
	size_t used;
	int rc;

	rc = parse("250 2.1.5 Ok\r\n", &used);
	t_int(rc, SMTP_DONE, "single line: done");
	t_int(r.code, 250, "single line: code");
	t_str(r.enh, strlen(r.enh), "2.1.5", "single line: enhanced");
	t_str(r.text, r.textlen, "Ok", "single line: text");
	t_int((long long)used, 14, "single line: used");

	rc = parse("250-lab.yubin.test\r\n250-PIPELINING\r\n250 8BITMIME\r\nX",
	    &used);
	t_int(rc, SMTP_DONE, "multi-line: done");
	t_int(r.nlines, 3, "multi-line: 3 lines");
	t_str(r.text, r.textlen, "lab.yubin.test PIPELINING 8BITMIME",
	    "multi-line: text joined");
	t_int((long long)used, 50, "multi-line: stops after the final line");

	rc = parse("550-5.1.1 first\n550 5.1.1 second\n", &used);
	t_int(rc, SMTP_DONE, "LF only, repeated enhanced code");
	t_str(r.text, r.textlen, "first second", "repeated code kept once");
	t_str(r.enh, strlen(r.enh), "5.1.1", "enhanced of the first line");

	rc = parse("250-a\r\n251 b\r\n", &used);
	t_int(rc, SMTP_BAD, "code changes between lines: malformed");
	rc = parse("25x ok\r\n", &used);
	t_int(rc, SMTP_BAD, "non-digit code");
	rc = parse("650 ok\r\n", &used);
	t_int(rc, SMTP_BAD, "first digit 6");
	rc = parse("260 ok\r\n", &used);
	t_int(rc, SMTP_BAD, "second digit 6");
	rc = parse("250_ok\r\n", &used);
	t_int(rc, SMTP_BAD, "bad separator");
	rc = parse("25\r\n", &used);
	t_int(rc, SMTP_BAD, "short line");
	rc = parse("250-more\r\n250-mo", &used);
	t_int(rc, SMTP_MORE, "incomplete: more");
	rc = parse("250\r\n", &used);
	t_int(rc, SMTP_DONE, "bare code is a final line");
	t_str(r.text, r.textlen, "", "bare code: empty text");

	rc = parse("450 5.1.1 mismatched class\r\n", &used);
	t_str(r.enh, strlen(r.enh), "", "class must match the code");
	t_str(r.text, r.textlen, "5.1.1 mismatched class",
	    "mismatched code stays text");
	rc = parse("250 2.0.0 Ok: queued as 4AbC\r\n", &used);
	t_str(r.text, r.textlen, "Ok: queued as 4AbC", "queue id text");
	rc = parse("250 2.0.00000 x\r\n", &used);
	t_str(r.enh, strlen(r.enh), "", "detail of 5 digits is no code");

	smtp_reply_init(&r);
	t_int(smtp_reply_line(&r, "354 go", 6), SMTP_DONE, "line: done");
	t_int(smtp_reply_line(&r, "354 go", 6), SMTP_BAD,
	    "line after the final one");

	/* a hostile server's text: printable after parsing */
	rc = parse("550-5.7.1 a\tb\x1b[31mc\x7f\r\n"
	    "550 5.7.1 \xc2\x9b\xc3\xa9\xff\xe2\x82\r\n", &used);
	t_int(rc, SMTP_DONE, "control bytes: parsed");
	t_str(r.text, r.textlen, "a?b?[31mc? ??\xc3\xa9???",
	    "TAB, ESC, DEL, C1, invalid UTF-8 become '?'; UTF-8 kept");
	t_ok(parse("250 \xed\xa0\x80 \xe0\x80\xaf \xf4\x90\x80\x80"
	    " \xf0\x9f\x98\x80\r\n", &used) == SMTP_DONE &&
	    strcmp(r.text, "??? ??? ???? \xf0\x9f\x98\x80") == 0,
	    "surrogate, overlong, above U+10FFFF: '?'; a 4-byte character kept");
	{
		char big[SMTP_TEXT_MAX + 16];

		memset(big, 'x', sizeof big);
		memcpy(big, "250 ", 4);
		/* a 2-byte character straddling the cap is dropped whole */
		big[4 + SMTP_TEXT_MAX - 2] = '\xc3';
		big[4 + SMTP_TEXT_MAX - 1] = '\xa9';
		memcpy(big + sizeof big - 3, "\r\n", 3);
		rc = parse(big, &used);
		t_int((long long)r.textlen, SMTP_TEXT_MAX - 2,
		    "cap: the sequence is not cut in two");
	}

	t_int((long long)smtp_enhanced("5.7.1 x", 7, 550), 5, "enhanced 5.7.1");
	t_int((long long)smtp_enhanced("5.7.1x", 6, 550), 0, "no space after");
	t_int((long long)smtp_enhanced("3.7.1 x", 7, 0), 0, "class 3");
}

static void
test_ehlo(void)
{
	struct smtp_ext e;
	const char *b =
	    "220 lab ESMTP\r\n"
	    "250-lab\r\n250-STARTTLS\r\n250 SIZE 10\r\n"
	    "220 2.0.0 Ready to start TLS\r\n"
	    "250-lab.yubin.test\r\n250-pipelining\r\n250-SIZE 1048576\r\n"
	    "250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=LOGIN CRAM-MD5\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	    "250-SMTPUTF8\r\n250 CHUNKING\r\n"
	    "235 2.7.0 Authentication successful\r\n";

	t_int(smtp_ehlo_parse(b, strlen(b), &e), 0, "ehlo: parsed");
	t_int(e.flags, SMTP_EXT_PIPELINING | SMTP_EXT_8BITMIME |
	    SMTP_EXT_SMTPUTF8 | SMTP_EXT_SIZE | SMTP_EXT_DSN |
	    SMTP_EXT_ENHANCED | SMTP_EXT_AUTH | SMTP_EXT_CHUNKING,
	    "ehlo: the last EHLO counts (no STARTTLS after TLS)");
	t_int((long long)e.size, 1048576, "ehlo: SIZE");
	t_str(e.auth, strlen(e.auth), "PLAIN LOGIN CRAM-MD5",
	    "ehlo: AUTH and AUTH= merged");

	b = "220 x\n250-x\n250-SIZE\n250 STARTTLS\n";
	t_int(smtp_ehlo_parse(b, strlen(b), &e), 0, "ehlo LF: parsed");
	t_int(e.flags, SMTP_EXT_SIZE | SMTP_EXT_STARTTLS, "ehlo: SIZE bare");
	t_int((long long)e.size, 0, "ehlo: SIZE without number: no limit");
	b = "220 x\n250-x\n250 SIZE 99999999999999999999999\n";
	smtp_ehlo_parse(b, strlen(b), &e);
	t_int((long long)e.size, 0, "ehlo: SIZE overflow: no limit");
	b = "220 x\n250 helo only\n";
	smtp_ehlo_parse(b, strlen(b), &e);
	t_int(e.ehlo && e.flags == 0, 1, "HELO-style reply: no keywords");
	b = "220 x\n250-x\n2x0 bad\n";
	t_int(smtp_ehlo_parse(b, strlen(b), &e), -1, "ehlo: malformed");
}

/* Encode s whole and byte by byte; both must give want. */
static void
enc(const char *s, size_t n, const char *want, const char *what)
{
	struct smtp_enc st;
	char *out = malloc(SMTP_ENC_BOUND(n) + SMTP_ENC_FINAL_MAX);
	char *out1 = malloc(SMTP_ENC_BOUND(n) + SMTP_ENC_FINAL_MAX + n * 2);
	size_t o, o1 = 0, i;
	char buf[256];

	smtp_enc_init(&st);
	o = smtp_enc_update(&st, s, n, out);
	o += smtp_enc_final(&st, out + o);
	t_str(out, o, want, what);
	snprintf(buf, sizeof buf, "%s (byte by byte)", what);
	smtp_enc_init(&st);
	for (i = 0; i < n; i++)
		o1 += smtp_enc_update(&st, s + i, 1, out1 + o1);
	o1 += smtp_enc_final(&st, out1 + o1);
	t_str(out1, o1, want, buf);
	snprintf(buf, sizeof buf, "%s (out count)", what);
	t_int((long long)st.out, (long long)o1, buf);
	free(out);
	free(out1);
}

#define ENC(s, want, what) enc(s, sizeof(s) - 1, want, what)

static void
test_encoder(void)
{
	ENC("a\nb\n", "a\r\nb\r\n.\r\n", "LF to CRLF");
	ENC("a\r\nb\r\n", "a\r\nb\r\n.\r\n", "CRLF kept");
	ENC("a\nb", "a\r\nb\r\n.\r\n", "no final newline");
	ENC("", ".\r\n", "empty");
	ENC(".\n..\n.x\nx.\n", "..\r\n...\r\n..x\r\nx.\r\n.\r\n",
	    "dot-stuffing");
	ENC(".", "..\r\n.\r\n", "a lone dot without newline");
	ENC("a\rb\r\n", "ab\r\n.\r\n", "bare CR dropped");
	ENC("a\r\r\n.\r", "a\r\n..\r\n.\r\n", "CR CR LF, trailing CR");
	ENC("x\r\n.\r\nQUIT\r\n", "x\r\n..\r\nQUIT\r\n.\r\n",
	    "smuggling attempt CRLF.CRLF stuffed");
	ENC("x\n.\rMAIL\n", "x\r\n..MAIL\r\n.\r\n",
	    "LF.CR: CR dropped, dot stays stuffed");
	ENC("x\r.\r\n", "x.\r\n.\r\n",
	    "CR.CRLF is not a line end");
}

static void
test_size(void)
{
	int cr = 0, bol = 1;
	unsigned long long s;

	s = smtp_crlf_size("a\nb\r\nc\rd", 8, &cr, &bol);
	t_int((long long)s, 8, "crlf size: LF 2, CRLF 2, bare CR 0");
	t_int(bol, 0, "crlf size: not at bol");
	cr = 0;
	s = smtp_crlf_size("x\r", 2, &cr, &bol);
	s += smtp_crlf_size("\n", 1, &cr, &bol);
	t_int((long long)s, 3, "crlf size: CR and LF split between calls");
	t_int(bol, 1, "crlf size: at bol");
}

static void
test_xtext(void)
{
	char out[64];
	size_t n;

	n = smtp_xtext("a+b=c d\xc3\xa9", 9, out, sizeof out);
	t_str(out, n, "a+2Bb+3Dc+20d+C3+A9", "xtext");
	t_int((long long)smtp_xtext("+++", 3, out, 9), -1, "xtext: too small");
	n = smtp_xtext("+++", 3, out, 10);
	t_str(out, n, "+2B+2B+2B", "xtext: just fits");
	t_int(smtp_has8bit("abc", 3), 0, "7bit");
	t_int(smtp_has8bit("ab\x80", 3), 1, "8bit");
}

struct out {
	char b[8192];
	size_t n;
};

static void
collect(void *arg, const char *p, size_t n)
{
	struct out *o = arg;

	if (n > sizeof o->b - o->n)
		n = sizeof o->b - o->n;
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static struct smtp_dg g;

/* Scan, then write, feeding step bytes at a time; return why-not. */
static const char *
downgrade(const char *in, const char *bnd, size_t step, struct out *o)
{
	size_t i, n = strlen(in);
	const char *why;

	smtp_dg_start(&g, bnd, 1, NULL, NULL);
	for (i = 0; i < n; i += step)
		smtp_dg_feed(&g, in + i, n - i < step ? n - i : step);
	if ((why = smtp_dg_end(&g)) != NULL)
		return why;
	o->n = 0;
	smtp_dg_start(&g, bnd, 0, collect, o);
	for (i = 0; i < n; i += step)
		smtp_dg_feed(&g, in + i, n - i < step ? n - i : step);
	return smtp_dg_end(&g);
}

static void
why(const char *in, const char *want, const char *what)
{
	struct out o;
	const char *w = downgrade(in, "b", 5, &o);

	t_str(w, w ? strlen(w) : 0, want, what);
}

static void
test_downgrade(void)
{
	static const char in[] =
	    "pre\n--b\nContent-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9=\n"
	    "--b\nContent-Type: multipart/alternative; boundary=\"c\"\n\n"
	    "--c\n\nascii\n--c\nContent-Type: text/html\n\n\xe6\x97\xa5\n"
	    "--c--\n--b--\npost\n";
	static const char want[] =
	    "pre\n--b\nContent-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9=3D\n"
	    "--b\nContent-Type: multipart/alternative; boundary=\"c\"\n\n"
	    "--c\n\nascii\n--c\nContent-Type: text/html\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n=E6=97=A5\n"
	    "--c--\n--b--\npost\n";
	static const char nested[] =
	    "preamble --b\n--b\nContent-Type: multipart/alternative;\n"
	    " boundary=\"c\"\n\ninner preamble\n--c\n"
	    "Content-Type: text/plain; charset=UTF-8\n\n"
	    "\xc3\xa9t\xc3\xa9\n--bx\n--cc\n-- c\n--c--x\n\n"
	    "--c--\ninner epilogue\n--b\n\n--bb\n--b--\nepilogue\n--b\n";
	static const char nwant[] =
	    "preamble --b\n--b\nContent-Type: multipart/alternative;\n"
	    " boundary=\"c\"\n\ninner preamble\n--c\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "=C3=A9t=C3=A9\n--bx\n--cc\n-- c\n--c--x\n\n"
	    "--c--\ninner epilogue\n--b\n\n--bb\n--b--\nepilogue\n--b\n";
	struct out o;
	size_t step;
	char what[100];

	for (step = 1; step <= 64; step *= 4) {
		snprintf(what, sizeof what, "downgrade, fed %zu at a time",
		    step);
		t_ok(downgrade(in, "b", step, &o) == NULL, what);
		t_str(o.b, o.n, want, what);
	}
	why("--b\nContent-Type: message/rfc822\n\nSubject: \xc3\xa9\n--b--\n",
	    "8-bit data in a message/* part or one with a binary or unknown "
	    "encoding", "8-bit message/rfc822 part");
	why("--b\nContent-Transfer-Encoding: binary\n\n\xff\n--b--\n",
	    "8-bit data in a message/* part or one with a binary or unknown "
	    "encoding", "binary part");
	why("pr\xc3\xa9" "amble\n--b\n\nx\n--b--\n",
	    "8-bit data outside the parts", "8-bit preamble");
	why("--b\nSubject: \xc3\xa9\n\nx\n--b--\n",
	    "8-bit data in a part header", "8-bit part header");
	/* "--b trailing" is a delimiter (RFC 2046 5.1.1, MIME_W_DELIMTEXT):
	 * the downgrade walks with mime.c, so it splits where mimeunpack
	 * reads and re-encodes the second part only */
	t_ok(downgrade("--b\nContent-Type: text/plain; charset=UTF-8\n\n"
	    "one\n--b trailing\nContent-Type: text/plain\n\n\xc3\xa9\n"
	    "--b--\n", "b", 3, &o) == NULL, "text after the boundary");
	t_str(o.b, o.n, "--b\nContent-Type: text/plain; charset=UTF-8\n\n"
	    "one\n--b trailing\nContent-Type: text/plain\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n=C3=A9\n--b--\n",
	    "the downgrade splits at a delimiter with text after it");
	/* the walker copies preamble, epilogue and every delimiter of a
	 * nested multipart byte for byte; lines like delimiters stay text */
	for (step = 1; step <= 64; step *= 4) {
		snprintf(what, sizeof what, "a nested downgrade keeps every "
		    "byte around the part it re-encodes, fed %zu", step);
		t_ok(downgrade(nested, "b", step, &o) == NULL, what);
		t_str(o.b, o.n, nwant, what);
	}
	t_ok(downgrade("--b\n\nplain\n--b--\n", "b", 3, &o) == NULL &&
	    o.n == 17 && memcmp(o.b, "--b\n\nplain\n--b--\n", 17) == 0,
	    "7-bit parts pass unchanged");
}

/* smtp_exit(): the one mapping of a reply to an exit status */
static void
test_exit(void)
{
	t_ok(smtp_exit(250, "2.1.0", 1) == 0, "250: 0");
	t_ok(smtp_exit(354, "", 0) == 0, "354: 0");
	t_ok(smtp_exit(452, "4.5.3", 1) == EX_TEMPFAIL, "452: 75");
	t_ok(smtp_exit(550, "5.1.1", 1) == EX_NOUSER, "RCPT 5.1.1: 67");
	t_ok(smtp_exit(550, "5.7.1", 1) == EX_UNAVAILABLE,
	    "RCPT 550 5.7.1 (policy): 69, not 67");
	t_ok(smtp_exit(553, "", 1) == EX_NOUSER, "RCPT 553 without enh: 67");
	t_ok(smtp_exit(550, "5.1.1", 0) == EX_UNAVAILABLE,
	    "MAIL or DATA 5.1.1: 69");
	t_ok(smtp_exit(554, "", 0) == EX_UNAVAILABLE, "554: 69");
}

/* smtpc: the state names --trace shows, the checks before a command */
static void
test_smtpc(void)
{
	t_ok(strcmp(smtpc_state_name(SMTPC_MAIL), "MAIL") == 0 &&
	    strcmp(smtpc_state_name(SMTPC_CLOSED), "CLOSED") == 0 &&
	    strcmp(smtpc_state_name(SMTPC_NSTATES), "?") == 0, "state names");
	t_ok(smtpc_notify_check("never") == NULL &&
	    smtpc_notify_check("SUCCESS,delay") == NULL, "NOTIFY accepted");
	t_ok(smtpc_notify_check("never,failure") != NULL &&
	    smtpc_notify_check(",") != NULL &&
	    smtpc_notify_check("sometimes") != NULL, "NOTIFY refused");
	t_ok(smtpc_addr_ok("a@b") && !smtpc_addr_ok("") &&
	    !smtpc_addr_ok("a>@b") && !smtpc_addr_ok("a\r\n@b"),
	    "a path cannot end the command");
}

static struct smtp_reply
reply(int code, const char *enh)
{
	struct smtp_reply x;

	memset(&x, 0, sizeof x);
	x.code = code;
	snprintf(x.enh, sizeof x.enh, "%s", enh);
	return x;
}

/* A fake server that takes at most cap recipients per transaction and
 * defers the others with 452; sent only if it took someone. */
struct fake {
	struct rcpts *l;
	size_t cap, ntx, most;
};

static int
fake_tx(void *arg, size_t *idx, size_t k, int more, int *sent, int *stop)
{
	struct fake *f = arg;
	struct smtp_reply ok = reply(250, "2.1.5"), full = reply(452, "4.5.3");
	size_t i;

	(void)more;
	f->ntx++;
	if (k > f->most)
		f->most = k;
	for (i = 0; i < k; i++)
		rcpt_set(&f->l->v[idx[i]], i < f->cap ? &ok : &full, 0);
	*sent = f->cap > 0;
	*stop = 0;
	return 0;
}

static void
test_rcpt(void)
{
	struct rcpts l = { 0 };
	struct fake f = { &l, 30, 0, 0 };
	struct smtp_reply gone = reply(554, "5.0.0"), sent = reply(250, "");
	size_t idx[250], i, n250 = 0;
	char a[32];

	for (i = 0; i < 250; i++) {
		snprintf(a, sizeof a, "u%zu@x.test", i);
		rcpt_add(&l, a);
		idx[i] = i;
	}
	rcpt_add(&l, "u7@x.test");
	t_int((long long)l.n, 250, "an address given twice is one recipient");
	t_int(rcpt_session(&l, idx, 250, fake_tx, &f), 0, "452: session ok");
	for (i = 0; i < 250; i++)
		n250 += l.v[i].code == 250;
	t_int((long long)n250, 250, "every one deferred with 452 is sent later");
	t_int((long long)f.most, RCPT_TX_MAX, "at most 100 per transaction");
	t_int((long long)f.ntx, 9, "30 a transaction: 9 transactions");

	f.cap = 0;
	f.ntx = 0;
	l.v[3].code = 0;
	t_int(rcpt_session(&l, idx, 5, fake_tx, &f), 0, "nobody taken");
	t_int((long long)f.ntx, 1, "no progress: no second transaction");
	t_int(l.v[0].code, 452, "the deferral stays");

	rcpt_set(&l.v[0], &sent, 0);
	rcpt_not_sent(&l, idx, 2, &gone);
	t_ok(l.v[0].code == 554 && l.v[0].data && l.v[1].code == 452 &&
	    !l.v[1].data, "not sent: only the accepted take DATA's reply");
	t_int(rcpt_outcome(&l, 0, idx, 2, 0), EX_UNAVAILABLE,
	    "outcome: the worst reply");
	rcpt_free(&l);
}

/* --mx: recipients grouped by domain, and who goes on to the next host */
static void
test_rcpt_mx(void)
{
	struct rcpts l = { 0 };
	struct smtp_reply r451 = reply(451, ""), r550 = reply(550, "");
	char done[4] = { 0 };
	size_t idx[4], k;

	rcpt_add(&l, "a@X.test");
	rcpt_add(&l, "b@y.test");
	rcpt_add(&l, "c@x.TEST");
	rcpt_add(&l, "d@x.test");
	t_str(rcpt_domain("q@r@s.test"), 6, "s.test", "domain: after the last @");
	t_str(rcpt_domain("local"), 0, "", "domain: none");
	k = rcpt_same_domain(&l, 0, done, idx);
	t_ok(k == 3 && idx[0] == 0 && idx[1] == 2 && idx[2] == 3 &&
	    done[0] && !done[1] && done[2] && done[3],
	    "one domain, case ignored, each recipient once");
	rcpt_set(&l.v[0], &r451, 0);
	rcpt_set(&l.v[2], &r550, 0);
	t_int((long long)rcpt_again(&l, idx, 3, 0), 1,
	    "next host: only the deferred");
	t_int((long long)idx[0], 0, "next host: the 451");
	idx[1] = 2;
	idx[2] = 3;
	t_int((long long)rcpt_again(&l, idx, 3, EX_TEMPFAIL), 2,
	    "session lost: the deferred and the never asked");
	rcpt_free(&l);
}

int
main(void)
{
	test_exit();
	test_smtpc();
	test_rcpt();
	test_rcpt_mx();
	test_replies();
	test_ehlo();
	test_encoder();
	test_size();
	test_xtext();
	test_downgrade();
	return t_done();
}
