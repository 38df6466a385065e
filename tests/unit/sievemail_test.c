/*
 * sievemail_test: unit tests of common/sievemail.c, the messages Sieve
 * actions send: the header a redirect sees (editheader's changes up to
 * the action), the redirected header, loop detection, the redirect's
 * envelope sender, and the vacation reply's fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sieve.h"
#include "sievemail.h"
#include "t.h"
#include "util.h"

static const char MSG[] =
    "Return-Path: <a@x.test>\n"
    "From: \"Carol\" <carol@y.test>\n"
    "To: bob@example.com\n"
    "Subject: lunch?\n"
    "Message-ID: <p1@y.test>\n"
    "\n"
    "Shall we?\n";

/* Run script against MSG; the result in res. */
static int
run(const char *script, struct sieve_result *res)
{
	struct sieve_script *s;
	struct sieve_env env;
	char err[256];
	int v;

	if (sieve_compile("t", script, strlen(script), &s, err,
	    sizeof err) < 0) {
		printf("# %s\n", err);
		return -1;
	}
	memset(&env, 0, sizeof env);
	env.msg = MSG;
	env.len = sizeof MSG - 1;
	env.from = "carol@y.test";
	env.to = "bob@example.com";
	v = sieve_run(s, &env, res);
	sieve_free(s);
	return v;
}

static void
redirected(void)
{
	struct sieve_result res;
	struct sievemail_user u;
	const char *h;
	size_t hl;
	struct buf b;

	memset(&u, 0, sizeof u);
	u.rcpt = "bob@example.com";
	t_int(run("require [\"editheader\", \"copy\"];\n"
	    "addheader \"X-A\" \"1\"; redirect :copy \"fw@example.net\";\n"
	    "deleteheader \"X-A\"; addheader \"X-B\" \"2\";\n", &res), 0,
	    "a redirect between two edits runs");
	t_int(res.n, 2, "a redirect and the implicit keep");
	buf_init(&b, 1 << 16);
	sievemail_header(&res, &res.a[0], MSG, &h, &hl);
	sievemail_redirect_hdr(&u, h, hl, &b);
	t_str(b.p, b.len, "X-Sieve-Redirected-From: bob@example.com\n"
	    "X-A: 1\nFrom: \"Carol\" <carol@y.test>\nTo: bob@example.com\n"
	    "Subject: lunch?\nMessage-ID: <p1@y.test>\n\n",
	    "the redirect has the header of its time, no Return-Path");
	sievemail_header(&res, NULL, MSG, &h, &hl);
	t_ok(memcasemem(h, hl, "X-B: 2", 6) != NULL &&
	    memcasemem(h, hl, "X-A:", 4) == NULL, "a store has the final header");
	buf_free(&b);
	sieve_result_free(&res);

	t_int(run("redirect \"fw@example.net\";\n", &res), 0,
	    "a plain redirect runs");
	buf_init(&b, 1 << 16);
	sievemail_header(&res, &res.a[0], MSG, &h, &hl);
	memset(&u, 0, sizeof u);
	sievemail_redirect_hdr(&u, h, hl, &b);
	t_str(b.p, b.len, "From: \"Carol\" <carol@y.test>\n"
	    "To: bob@example.com\nSubject: lunch?\nMessage-ID: <p1@y.test>\n\n",
	    "unchanged: the message's header; no user, no field");
	buf_free(&b);
	sieve_result_free(&res);
}

static void
loops(void)
{
	struct sievemail_user u;
	static const char h1[] = "X-Sieve-Redirected-From: <Me@Example.org>\n"
	    "From: a@b\n\n";
	static const char h2[] = "From: a@b\n"
	    "X-Sieve-Redirected-From: other@example.org\n\n";

	memset(&u, 0, sizeof u);
	t_int(sievemail_loop(&u, h1, sizeof h1 - 1), 0,
	    "no user address: no loop");
	u.orig_rcpt = "me@example.org";
	t_int(sievemail_loop(&u, h1, sizeof h1 - 1), 1,
	    "the original recipient, in any case, is a loop");
	t_int(sievemail_loop(&u, h2, sizeof h2 - 1), 0,
	    "another user's field is not");
	u.orig_rcpt = NULL;
	u.email = "other@example.org";
	t_int(sievemail_loop(&u, h2, sizeof h2 - 1), 1,
	    "a later field naming --user-email is");
}

static void
senders(void)
{
	struct sievemail_user u;
	char buf[64];
	const char *s;

	memset(&u, 0, sizeof u);
	u.rcpt = "bob@example.com";
	u.orig_rcpt = "bob@alias.example";
	t_str(sievemail_redirect_sender(&u, "a@x", buf, sizeof buf), 3, "a@x",
	    "default: the sender");
	u.redirect_from = "orig_recipient";
	s = sievemail_redirect_sender(&u, "a@x", buf, sizeof buf);
	t_str(s, strlen(s), "bob@alias.example", "orig_recipient");
	u.redirect_from = "user_email";
	s = sievemail_redirect_sender(&u, "a@x", buf, sizeof buf);
	t_str(s, strlen(s), "bob@example.com",
	    "user_email without one: the recipient");
	u.redirect_from = "<fw@example.org>";
	s = sievemail_redirect_sender(&u, "a@x", buf, sizeof buf);
	t_str(s, strlen(s), "fw@example.org", "<address>");
	s = sievemail_redirect_sender(&u, "<>", buf, sizeof buf);
	t_str(s, strlen(s), "", "a null sender stays null");
	u.redirect_from = "<>";
	s = sievemail_redirect_sender(&u, "a@x", buf, sizeof buf);
	t_str(s, strlen(s), "", "<>: the null sender");
	u.redirect_from = "nobody";
	t_ok(sievemail_redirect_sender(&u, "a@x", buf, sizeof buf) == NULL,
	    "an unknown setting is NULL");
	u.redirect_from = "<a-very-long-address-that-does-not-fit-in-the-"
	    "buffer@example.org>";
	t_ok(sievemail_redirect_sender(&u, "a@x", buf, 63) == NULL,
	    "an address longer than the buffer is NULL, not cut");
	s = sievemail_redirect_sender(&u, "a@x", buf, 64);
	t_str(s, s ? strlen(s) : 0, "a-very-long-address-that-does-not-fit-"
	    "in-the-buffer@example.org", "one that just fits is whole");
}

static void
vacation(void)
{
	struct sieve_result res;
	struct sievemail_user u;
	const char *h;
	size_t hl;
	struct buf b;

	memset(&u, 0, sizeof u);
	u.rcpt = "bob@example.com";
	t_int(run("require \"vacation\";\nvacation :subject \"=?utf-8?q?"
	    "G=C3=BCnter?=\" \"away\";\n", &res), 0, "vacation runs");
	t_int(res.a[0].type, SIEVE_VACATION, "and answers");
	buf_init(&b, 1 << 16);
	sievemail_header(&res, &res.a[0], MSG, &h, &hl);
	sievemail_vacation(&u, &res.a[0], h, hl, 0, &b);
	t_ok(strncmp(b.p, "From: bob@example.com\n"
	    "To: \"Carol\" <carol@y.test>\n"
	    "Subject: =?UTF-8?Q?G=C3=BCnter?=\nDate: ", 79) == 0,
	    "From the address the message named, To quoted, Subject decoded "
	    "and encoded once");
	t_ok(strstr(b.p, "\nIn-Reply-To: <p1@y.test>\n"
	    "References: <p1@y.test>\n"
	    "Auto-Submitted: auto-replied (vacation)\n") != NULL,
	    "In-Reply-To, References, Auto-Submitted");
	buf_free(&b);
	sieve_result_free(&res);
}

int
main(void)
{
	sieve_init();
	redirected();
	loops();
	senders();
	vacation();
	return t_done();
}
