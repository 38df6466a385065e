/*
 * pop3_test: unit tests of common/pop3.c: status lines and response
 * codes, their exit statuses, the multi-line decoder (also fed one byte
 * at a time), LIST/UIDL lines and CAPA.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "pop3.h"
#include "t.h"

static struct pop3_reply r;

static int
parse(const char *s)
{
	return pop3_reply_parse(s, strlen(s), &r);
}

static void
test_replies(void)
{
	char big[600];

	t_int(parse("+OK Dovecot ready.\r"), 0, "+OK: parsed");
	t_int(r.ok, 1, "+OK: ok");
	t_str(r.text, r.textlen, "Dovecot ready.", "+OK: text, CR dropped");
	t_int(parse("+OK"), 0, "bare +OK");
	t_int((long long)r.textlen, 0, "bare +OK: no text");
	t_int(parse("-ERR [AUTH] Authentication failed."), 0, "-ERR [AUTH]");
	t_int(r.ok, 0, "-ERR: not ok");
	t_int(r.rc, POP3_RC_AUTH, "-ERR [AUTH]: the code");
	t_int(pop3_exit(&r, 1), EX_NOPERM, "[AUTH] is 77");
	t_int(parse("-ERR [IN-USE] Mailbox locked"), 0, "[IN-USE]");
	t_int(pop3_exit(&r, 1), EX_TEMPFAIL, "[IN-USE] is 75");
	t_int(parse("-ERR [LOGIN-DELAY] wait"), 0, "[LOGIN-DELAY]");
	t_int(pop3_exit(&r, 1), EX_TEMPFAIL, "[LOGIN-DELAY] is 75");
	t_int(parse("-ERR [SYS/TEMP/DISK] full"), 0, "[SYS/TEMP/DISK]");
	t_int(r.rc, POP3_RC_SYS_TEMP, "hierarchical code by its prefix");
	t_int(pop3_exit(&r, 0), EX_TEMPFAIL, "[SYS/TEMP] is 75");
	t_int(parse("-ERR [SYS/PERM] gone"), 0, "[SYS/PERM]");
	t_int(pop3_exit(&r, 0), EX_UNAVAILABLE, "[SYS/PERM] is 69");
	t_int(parse("-ERR [AUTHX] x"), 0, "[AUTHX]");
	t_int(r.rc, POP3_RC_OTHER, "[AUTHX] is not [AUTH]");
	t_int(parse("-ERR no such message"), 0, "plain -ERR");
	t_int(pop3_exit(&r, 0), EX_UNAVAILABLE, "plain -ERR on a command: 69");
	t_int(pop3_exit(&r, 1), EX_NOPERM, "plain -ERR at login: 77");
	t_int(pop3_exit(NULL, 0), EX_PROTOCOL, "malformed: 76");
	t_int(parse("+OKAY"), -1, "+OKAY is no reply");
	t_int(parse("OK"), -1, "OK is no reply");
	t_int(parse(""), -1, "empty line is no reply");
	t_int(parse("-ERR a\x1b[2Jb\xff"), 0, "controls in the text");
	t_str(r.text, r.textlen, "a?[2Jb?", "controls and bad UTF-8 become ?");
	t_int(parse("+OK caf\xc3\xa9"), 0, "UTF-8 text");
	t_str(r.text, r.textlen, "caf\xc3\xa9", "UTF-8 kept");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "+OK ", 4);
	t_int(parse(big), -1, "a status line over 512 bytes");
	big[510] = '\0';
	t_int(parse(big), 0, "a status line of 510 bytes (+ CRLF = 512)");
}

/* decode (in) whole, then one byte at a time; both must give want and
 * stop at the same place */
static void
ml(const char *in, size_t inlen, const char *want, size_t used_want,
    const char *what)
{
	struct pop3_ml m;
	char *out = malloc(inlen + 2), *o2 = malloc(inlen * 2 + 2);
	size_t ol, used, i, n2 = 0, k;
	int same = 1;

	pop3_ml_init(&m);
	used = pop3_ml_decode(&m, in, inlen, out, &ol);
	t_str(out, ol, want, what);
	t_int((long long)used, (long long)used_want, "consumed up to the dot");
	pop3_ml_init(&m);
	for (i = 0; i < inlen && !m.done; i++) {
		if (pop3_ml_decode(&m, in + i, 1, o2 + n2, &k) != 1)
			same = 0;
		n2 += k;
	}
	t_ok(same && n2 == ol && memcmp(out, o2, ol) == 0 && i == used,
	    "byte by byte: the same");
	free(out);
	free(o2);
}

#define ML(s, want, used, what) ml(s, sizeof s - 1, want, used, what)

static void
test_ml(void)
{
	ML("a\r\nb\r\n.\r\n+OK next", "a\nb\n", 9, "CRLF to LF, stop at the dot");
	ML("..\r\n.x\r\n...\r\n.\r\n", ".\nx\n..\n", 16, "dot-unstuffing");
	ML(".\r\n", "", 3, "empty body");
	ML("a\rb\r\n.\r\n", "a\rb\n", 8, "a lone CR is kept");
	ML("a\r\r\n.\r\n", "a\r\n", 7, "CR CR LF");
	ML("a\n.\n", "a\n", 4, "bare LF ends lines and the dot");
	ML(".\rx\r\n.\r\n", "\rx\n", 8, "dot, CR, x");
	ML("abc", "abc", 3, "no end yet");
}

static void
test_listing(void)
{
	unsigned long n;
	const char *a;
	size_t al;

	t_int(pop3_listing("1 0000000157d6c0c3", 18, &n, &a, &al), 0, "UIDL line");
	t_int((long long)n, 1, "UIDL: number");
	t_str(a, al, "0000000157d6c0c3", "UIDL: uid");
	t_int(pop3_listing("12 4711 extra", 13, &n, &a, &al), 0, "LIST line with more");
	t_str(a, al, "4711", "LIST: size");
	t_int(pop3_listing("0 x", 3, &n, &a, &al), -1, "message 0");
	t_int(pop3_listing("1 ", 2, &n, &a, &al), -1, "no uid");
	t_int(pop3_listing("1 a\tb", 5, &n, &a, &al), -1, "a TAB in the uid");
	t_int(pop3_listing("x 1", 3, &n, &a, &al), -1, "no number");
	t_int(pop3_listing("99999999999 1", 13, &n, &a, &al), -1, "huge number");
	{
		char l[80];

		memset(l, 'u', sizeof l);
		l[0] = '1';
		l[1] = ' ';
		t_int(pop3_listing(l, 72, &n, &a, &al), 0, "uid of 70 bytes");
		t_int(pop3_listing(l, 73, &n, &a, &al), -1, "uid of 71 bytes");
	}
}

static void
test_capa(void)
{
	const char *b = "+OK Dovecot ready. <1.2@h>\r\n+OK\r\nCAPA\r\nTOP\r\n"
	    "UIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n"
	    "USER\r\nSASL PLAIN LOGIN\r\n.\r\n";
	unsigned f = pop3_capa(b, strlen(b));

	t_int(f, POP3_CAPA_TOP | POP3_CAPA_UIDL | POP3_CAPA_RESP_CODES |
	    POP3_CAPA_PIPELINING | POP3_CAPA_STLS | POP3_CAPA_USER |
	    POP3_CAPA_SASL, "Dovecot's CAPA");
	t_int(pop3_capa("+OK\r\nPIPELININGX\r\n", 18), 0, "a longer word");
	t_int(pop3_capa("", 0), 0, "nothing");
}

int
main(void)
{
	test_replies();
	test_ml();
	test_listing();
	test_capa();
	return t_done();
}
