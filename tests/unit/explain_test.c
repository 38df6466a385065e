/*
 * explain_test: common/explain.c.  Every SMTP reply code of RFC 5321
 * 4.2 (and RFC 4954, RFC 7504), every enhanced status code of RFC 3463
 * and those registered after it, the EHLO keywords, POP3 status lines,
 * response codes and CAPA lines, IMAP status and data responses and
 * response codes (RFC 3501 7, RFC 5530), garbage, and the bounds: the
 * comment is cut to sz, always terminated, and sz 0 gives NULL.
 */
#include <stdlib.h>

#include "explain.h"
#include "t.h"

typedef const char *(*explain_fn)(const char *, size_t, char *, size_t);

/* The line as a one-line TAP description: control bytes as \xNN. */
static const char *
desc(const char *in)
{
	static char d[160];
	size_t k = 0;

	for (; *in && k + 5 < sizeof d; in++) {
		if ((unsigned char)*in < 0x20 || *in == 0x7f)
			k += (size_t)snprintf(d + k, sizeof d - k, "\\x%02x",
			    (unsigned)(unsigned char)*in);
		else
			d[k++] = *in;
	}
	d[k] = '\0';
	return d;
}

static void
is_n(explain_fn f, const char *line, size_t n, const char *want)
{
	char buf[512];
	const char *r;

	memset(buf, 'x', sizeof buf);
	r = f(line, n, buf, sizeof buf);
	if (want == NULL) {
		t_ok(r == NULL, desc(line));
		if (r != NULL)
			printf("#   got:  \"%s\"\n#   want: NULL\n", r);
		return;
	}
	t_str(r, r ? strlen(r) : 0, want, desc(line));
	t_ok(r == NULL || r == buf, "result is the caller's buffer");
}

static void
is(explain_fn f, const char *line, const char *want)
{
	is_n(f, line, strlen(line), want);
}

/* Every reply code: "CODE text" -> "CODE: meaning (RFC)". */
static const struct { const char *line, *want; } smtp_cases[] = {
	{ "211 Some text",
	    "211: system status, or system help reply (RFC 5321 §4.2.3)" },
	{ "214 Some text",
	    "214: help message, for a human reader (RFC 5321 §4.2.3)" },
	{ "220 Some text",
	    "220: service ready (the greeting; after STARTTLS: start the TLS handshake, RFC 3207 §4) (RFC 5321 §4.2.3)" },
	{ "221 Some text",
	    "221: service closing transmission channel (goodbye) (RFC 5321 §4.2.3)" },
	{ "235 Some text",
	    "235: authentication succeeded (RFC 4954 §6)" },
	{ "250 Some text",
	    "250: requested mail action okay, completed (RFC 5321 §4.2.3)" },
	{ "251 Some text",
	    "251: user not local; will forward (RFC 5321 §4.2.3)" },
	{ "252 Some text",
	    "252: cannot VRFY the user, but will accept the message and attempt delivery (RFC 5321 §3.5.3)" },
	{ "334 Some text",
	    "334: server challenge for AUTH (base64); answer with one base64 line (RFC 4954 §4)" },
	{ "354 Some text",
	    "354: go ahead, end the data with <CRLF>.<CRLF> (RFC 5321 §4.3.2)" },
	{ "421 Some text",
	    "421: service not available, closing transmission channel (temporary: try again later) (RFC 5321 §4.2.3)" },
	{ "432 Some text",
	    "432: a password transition is needed (RFC 4954 §6)" },
	{ "450 Some text",
	    "450: mailbox unavailable, e.g. busy or blocked for policy (temporary: try again later) (RFC 5321 §4.2.3)" },
	{ "451 Some text",
	    "451: local error in processing (temporary: try again later) (RFC 5321 §4.2.3)" },
	{ "452 Some text",
	    "452: insufficient system storage, or too many recipients (temporary) (RFC 5321 §4.2.3)" },
	{ "454 Some text",
	    "454: TLS (RFC 3207 §4) or authentication temporarily unavailable (RFC 4954 §6)" },
	{ "455 Some text",
	    "455: server unable to accommodate parameters (temporary) (RFC 5321 §4.2.3)" },
	{ "500 Some text",
	    "500: syntax error, command unrecognized (or line too long) (RFC 5321 §4.2.3)" },
	{ "501 Some text",
	    "501: syntax error in parameters or arguments (RFC 5321 §4.2.3)" },
	{ "502 Some text",
	    "502: command not implemented (RFC 5321 §4.2.3)" },
	{ "503 Some text",
	    "503: bad sequence of commands (RFC 5321 §4.2.3)" },
	{ "504 Some text",
	    "504: command parameter not implemented (RFC 5321 §4.2.3)" },
	{ "521 Some text",
	    "521: this host does not accept mail (RFC 7504 §3)" },
	{ "530 Some text",
	    "530: authentication required (or STARTTLS first, RFC 3207 §4) (RFC 4954 §6)" },
	{ "534 Some text",
	    "534: authentication mechanism is too weak (RFC 4954 §6)" },
	{ "535 Some text",
	    "535: authentication credentials invalid (RFC 4954 §6)" },
	{ "538 Some text",
	    "538: encryption required for the requested authentication mechanism (RFC 4954 §6)" },
	{ "550 Some text",
	    "550: mailbox unavailable (not found, no access, or refused for policy) (RFC 5321 §4.2.3)" },
	{ "551 Some text",
	    "551: user not local; please try <forward-path> (RFC 5321 §4.2.3)" },
	{ "552 Some text",
	    "552: exceeded storage allocation (message too big or mailbox full) (RFC 5321 §4.2.3)" },
	{ "553 Some text",
	    "553: mailbox name not allowed (bad address syntax) (RFC 5321 §4.2.3)" },
	{ "554 Some text",
	    "554: transaction failed (in the greeting: no SMTP service here) (RFC 5321 §4.2.3)" },
	{ "555 Some text",
	    "555: MAIL FROM/RCPT TO parameters not recognized or not implemented (RFC 5321 §4.2.3)" },
	{ "556 Some text",
	    "556: the domain does not accept mail (RFC 7504 §4)" },
};

/* RFC 3463 3.1-3.8 and the later registrations, typed from the RFCs. */
static const struct {
	int s, d;
	const char *text, *ref;
} esc[] = {
	{ 0, 0, "other undefined status", NULL },
	{ 1, 0, "other address status", NULL },
	{ 1, 1, "bad destination mailbox address", NULL },
	{ 1, 2, "bad destination system address", NULL },
	{ 1, 3, "bad destination mailbox address syntax", NULL },
	{ 1, 4, "destination mailbox address ambiguous", NULL },
	{ 1, 5, "destination address valid", NULL },
	{ 1, 6, "destination mailbox has moved, no forwarding address", NULL },
	{ 1, 7, "bad sender's mailbox address syntax", NULL },
	{ 1, 8, "bad sender's system address", NULL },
	{ 1, 9, "message relayed to non-compliant mailer", "RFC 3886" },
	{ 1, 10, "recipient address has null MX", "RFC 7505" },
	{ 2, 0, "other or undefined mailbox status", NULL },
	{ 2, 1, "mailbox disabled, not accepting messages", NULL },
	{ 2, 2, "mailbox full", NULL },
	{ 2, 3, "message length exceeds administrative limit", NULL },
	{ 2, 4, "mailing list expansion problem", NULL },
	{ 3, 0, "other or undefined mail system status", NULL },
	{ 3, 1, "mail system full", NULL },
	{ 3, 2, "system not accepting network messages", NULL },
	{ 3, 3, "system not capable of selected features", NULL },
	{ 3, 4, "message too big for system", NULL },
	{ 3, 5, "system incorrectly configured", NULL },
	{ 3, 6, "requested priority was changed", "RFC 6710" },
	{ 4, 0, "other or undefined network or routing status", NULL },
	{ 4, 1, "no answer from host", NULL },
	{ 4, 2, "bad connection", NULL },
	{ 4, 3, "directory server failure", NULL },
	{ 4, 4, "unable to route", NULL },
	{ 4, 5, "mail system congestion", NULL },
	{ 4, 6, "routing loop detected", NULL },
	{ 4, 7, "delivery time expired", NULL },
	{ 5, 0, "other or undefined protocol status", NULL },
	{ 5, 1, "invalid command", NULL },
	{ 5, 2, "syntax error", NULL },
	{ 5, 3, "too many recipients", NULL },
	{ 5, 4, "invalid command arguments", NULL },
	{ 5, 5, "wrong protocol version", NULL },
	{ 5, 6, "authentication exchange line is too long", "RFC 4954 §6" },
	{ 6, 0, "other or undefined media error", NULL },
	{ 6, 1, "media not supported", NULL },
	{ 6, 2, "conversion required and prohibited", NULL },
	{ 6, 3, "conversion required but not supported", NULL },
	{ 6, 4, "conversion with loss performed", NULL },
	{ 6, 5, "conversion failed", NULL },
	{ 6, 6, "message content not available", "RFC 4468" },
	{ 6, 7, "non-ASCII addresses not permitted for that sender or "
	    "recipient", "RFC 6531" },
	{ 6, 8, "UTF-8 string reply is required, but not permitted by the "
	    "client", "RFC 6531" },
	{ 6, 9, "UTF-8 header message cannot be transferred to one or more "
	    "recipients", "RFC 6531" },
	{ 7, 0, "other or undefined security status", NULL },
	{ 7, 1, "delivery not authorized, message refused", NULL },
	{ 7, 2, "mailing list expansion prohibited", NULL },
	{ 7, 3, "security conversion required but not possible", NULL },
	{ 7, 4, "security features not supported", NULL },
	{ 7, 5, "cryptographic failure", NULL },
	{ 7, 6, "cryptographic algorithm not supported", NULL },
	{ 7, 7, "message integrity failure", NULL },
	{ 7, 8, "authentication credentials invalid", "RFC 4954 §6" },
	{ 7, 9, "authentication mechanism is too weak", "RFC 4954 §6" },
	{ 7, 10, "encryption needed", "RFC 5248" },
	{ 7, 11, "encryption required for requested authentication "
	    "mechanism", "RFC 4954 §6" },
	{ 7, 12, "a password transition is needed", "RFC 4954 §6" },
	{ 7, 13, "user account disabled", "RFC 5248" },
	{ 7, 14, "trust relationship required", "RFC 5248" },
	{ 7, 15, "priority level is too low", "RFC 6710" },
	{ 7, 16, "message is too big for the specified priority", "RFC 6710" },
	{ 7, 17, "mailbox owner has changed", "RFC 7293" },
	{ 7, 18, "domain owner has changed", "RFC 7293" },
	{ 7, 19, "RRVS test cannot be completed", "RFC 7293" },
	{ 7, 20, "no passing DKIM signature found", "RFC 7372" },
	{ 7, 21, "no acceptable DKIM signature found", "RFC 7372" },
	{ 7, 22, "no valid author-matched DKIM signature found", "RFC 7372" },
	{ 7, 23, "SPF validation failed", "RFC 7372" },
	{ 7, 24, "SPF validation error", "RFC 7372" },
	{ 7, 25, "reverse DNS validation failed", "RFC 7372" },
	{ 7, 26, "multiple authentication checks failed", "RFC 7372" },
	{ 7, 27, "sender address has null MX", "RFC 7505" },
};

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static void
test_smtp_codes(void)
{
	size_t i;
	char line[64], want[512], ref[32];

	for (i = 0; i < NELEM(smtp_cases); i++)
		is(explain_smtp, smtp_cases[i].line, smtp_cases[i].want);
	/* every enhanced code, under 550, 451 and 250 */
	for (i = 0; i < NELEM(esc); i++) {
		if (esc[i].ref)
			snprintf(ref, sizeof ref, "%s", esc[i].ref);
		else
			snprintf(ref, sizeof ref, "RFC 3463 §3.%d", esc[i].s + 1);
		snprintf(line, sizeof line, "550 5.%d.%d Rejected\r\n",
		    esc[i].s, esc[i].d);
		snprintf(want, sizeof want, "550 5.%d.%d: mailbox unavailable "
		    "(not found, no access, or refused for policy); 5.%d.%d "
		    "%s (RFC 5321 §4.2.3, %s)", esc[i].s, esc[i].d, esc[i].s,
		    esc[i].d, esc[i].text, ref);
		is(explain_smtp, line, want);
	}
	is(explain_smtp, "451 4.3.5 Server configuration error",
	    "451 4.3.5: local error in processing (temporary: try again "
	    "later); 4.3.5 system incorrectly configured (RFC 5321 §4.2.3, "
	    "RFC 3463 §3.4)");
	is(explain_smtp, "250 2.0.0 Ok: queued as 4Xb1c2",
	    "250 2.0.0: requested mail action okay, completed; 2.0.0 other "
	    "undefined status (RFC 5321 §4.2.3, RFC 3463 §3.1)");
	is(explain_smtp, "250 2.1.5 Ok",
	    "250 2.1.5: requested mail action okay, completed; 2.1.5 "
	    "destination address valid (RFC 5321 §4.2.3, RFC 3463 §3.2)");
	is(explain_smtp, "235 2.7.0 Authentication successful",
	    "235 2.7.0: authentication succeeded; 2.7.0 other or undefined "
	    "security status (RFC 4954 §6, RFC 3463 §3.8)");
	/* the enhanced code saying what the reply code said, under the
	 * same reference: said once */
	is(explain_smtp, "535 5.7.8 Error: authentication failed: bad",
	    "535 5.7.8: authentication credentials invalid (RFC 4954 §6)");
	is(explain_smtp, "534 5.7.9 Please use a stronger mechanism",
	    "534 5.7.9: authentication mechanism is too weak (RFC 4954 §6)");
	is(explain_smtp, "552 5.3.4 Message size exceeds fixed limit",
	    "552 5.3.4: exceeded storage allocation (message too big or "
	    "mailbox full); 5.3.4 message too big for system (RFC 5321 "
	    "§4.2.3, RFC 3463 §3.4)");
	is(explain_smtp, "554 5.7.1 <a@b>: Relay access denied",
	    "554 5.7.1: transaction failed (in the greeting: no SMTP service "
	    "here); 5.7.1 delivery not authorized, message refused (RFC 5321 "
	    "§4.2.3, RFC 3463 §3.8)");
	is(explain_smtp, "530 5.7.0 Must issue a STARTTLS command first",
	    "530 5.7.0: authentication required (or STARTTLS first, RFC 3207 "
	    "§4); 5.7.0 other or undefined security status (RFC 4954 §6, "
	    "RFC 3463 §3.8)");
	/* registered subject, unregistered detail; unregistered subject */
	is(explain_smtp, "550 5.1.99 x",
	    "550 5.1.99: mailbox unavailable (not found, no access, or "
	    "refused for policy); 5.1.99 addressing status, detail 99 not "
	    "registered (RFC 5321 §4.2.3, RFC 3463 §3.2)");
	is(explain_smtp, "550 5.9.1 x",
	    "550 5.9.1: mailbox unavailable (not found, no access, or "
	    "refused for policy); 5.9.1 subject 9 not registered (RFC 5321 "
	    "§4.2.3, RFC 3463 §2)");
	is(explain_smtp, "451 5.1.1 odd",
	    "451 5.1.1: local error in processing (temporary: try again "
	    "later); 5.1.1 bad destination mailbox address (its class 5 "
	    "differs from the reply's) (RFC 5321 §4.2.3, RFC 3463 §3.2)");
	/* not enhanced codes: class 3, four digits, no space after */
	is(explain_smtp, "550 3.1.1 x",
	    "550: mailbox unavailable (not found, no access, or refused for "
	    "policy) (RFC 5321 §4.2.3)");
	is(explain_smtp, "550 5.1.1234 x",
	    "550: mailbox unavailable (not found, no access, or refused for "
	    "policy) (RFC 5321 §4.2.3)");
	is(explain_smtp, "550 5.1.1: x",
	    "550: mailbox unavailable (not found, no access, or refused for "
	    "policy) (RFC 5321 §4.2.3)");
	is(explain_smtp, "550 5.1.1",
	    "550 5.1.1: mailbox unavailable (not found, no access, or refused "
	    "for policy); 5.1.1 bad destination mailbox address (RFC 5321 "
	    "§4.2.3, RFC 3463 §3.2)");
	/* unregistered reply codes: the digits' meaning */
	is(explain_smtp, "299 x",
	    "299: unregistered code: 2yz positive completion, x9z not "
	    "defined (RFC 5321 §4.2.1)");
	is(explain_smtp, "320 x",
	    "320: unregistered code: 3yz positive intermediate, x2z "
	    "connections (RFC 5321 §4.2.1)");
	is(explain_smtp, "413 x",
	    "413: unregistered code: 4yz transient negative completion (try "
	    "again later), x1z information (RFC 5321 §4.2.1)");
	is(explain_smtp, "509 x",
	    "509: unregistered code: 5yz permanent negative completion, x0z "
	    "syntax (RFC 5321 §4.2.1)");
}

static void
test_smtp_lines(void)
{
	static const char *const ehlo[][2] = {
		{ "250-mail.example.com\r\n", "250-mail.example.com: EHLO "
		    "accepted; the lines that follow name the extensions the "
		    "server offers (RFC 5321 §4.1.1.1)" },
		{ "250-PIPELINING\r\n", "PIPELINING: commands may be sent in "
		    "groups without waiting for each reply (RFC 2920)" },
		{ "250-SIZE 10240000\r\n", "SIZE 10240000: messages up to "
		    "10240000 bytes are accepted; MAIL FROM may declare SIZE= "
		    "(RFC 1870)" },
		{ "250-SIZE\r\n", "SIZE: the server announces no fixed size "
		    "limit; MAIL FROM may declare SIZE= (RFC 1870)" },
		{ "250-SIZE 0\r\n", "SIZE: the server announces no fixed size "
		    "limit; MAIL FROM may declare SIZE= (RFC 1870)" },
		{ "250-VRFY\r\n", "VRFY: VRFY checks whether an address exists "
		    "(RFC 5321 §4.1.1.6)" },
		{ "250-ETRN\r\n", "ETRN: ETRN asks the server to start its "
		    "queue for a domain (RFC 1985)" },
		{ "250-EXPN\r\n", "EXPN: EXPN expands a mailing list (RFC 5321 "
		    "§4.1.1.7)" },
		{ "250-HELP\r\n", "HELP: HELP gives information for a human "
		    "reader (RFC 5321 §4.1.1.8)" },
		{ "250-STARTTLS\r\n", "STARTTLS: the session can be upgraded to "
		    "TLS with the STARTTLS command (RFC 3207)" },
		{ "250-AUTH PLAIN LOGIN\r\n", "AUTH PLAIN LOGIN: log in with "
		    "AUTH and one of these SASL mechanisms (RFC 4954)" },
		{ "250-AUTH=PLAIN LOGIN\r\n", "AUTH=: the pre-standard form of "
		    "AUTH, for old clients (RFC 4954)" },
		{ "250-ENHANCEDSTATUSCODES\r\n", "ENHANCEDSTATUSCODES: replies "
		    "carry enhanced status codes such as 5.1.1 (RFC 2034, RFC "
		    "3463)" },
		{ "250-8BITMIME\r\n", "8BITMIME: 8-bit message bodies are "
		    "accepted with MAIL FROM:<...> BODY=8BITMIME (RFC 6152)" },
		{ "250-DSN\r\n", "DSN: delivery status notifications: MAIL FROM "
		    "takes RET= and ENVID=, RCPT TO takes NOTIFY= and ORCPT= "
		    "(RFC 3461)" },
		{ "250-SMTPUTF8\r\n", "SMTPUTF8: UTF-8 addresses and headers are "
		    "accepted with MAIL FROM:<...> SMTPUTF8 (RFC 6531)" },
		{ "250-BINARYMIME\r\n", "BINARYMIME: binary bodies are accepted "
		    "with BDAT and BODY=BINARYMIME (RFC 3030)" },
		{ "250-DELIVERBY 300\r\n", "DELIVERBY: MAIL FROM takes BY= to "
		    "ask for delivery within a time (RFC 2852)" },
		{ "250-REQUIRETLS\r\n", "REQUIRETLS: MAIL FROM takes REQUIRETLS: "
		    "the message may travel only over TLS (RFC 8689)" },
		{ "250-MT-PRIORITY MIXER\r\n", "MT-PRIORITY: MAIL FROM takes "
		    "MT-PRIORITY= (message priority) (RFC 6710)" },
		{ "250-LIMITS RCPTMAX=100\r\n", "LIMITS: the server announces "
		    "limits such as RCPTMAX (RFC 9422)" },
		{ "250-XCLIENT NAME ADDR\r\n", "XCLIENT: a proxy may pass on the "
		    "client's details (Postfix extension, no RFC) (Postfix "
		    "XCLIENT_README)" },
		{ "250-XFORWARD NAME\r\n", "XFORWARD: a content filter may pass "
		    "on the original client's details (Postfix extension, no "
		    "RFC) (Postfix XFORWARD_README)" },
		{ "250 CHUNKING\r\n", "CHUNKING: the message may be sent in BDAT "
		    "chunks instead of DATA (RFC 3030)" },
		{ "250-pipelining\r\n", "PIPELINING: commands may be sent in "
		    "groups without waiting for each reply (RFC 2920)" },
	};
	size_t i;

	for (i = 0; i < NELEM(ehlo); i++)
		is(explain_smtp, ehlo[i][0], ehlo[i][1]);
	/* multi-line: the last line only */
	is(explain_smtp, "550-5.1.1 The email account that you tried", NULL);
	is(explain_smtp, "550-5.1.1 to reach does not exist.", NULL);
	is(explain_smtp, "550 5.1.1 Please try again.",
	    "550 5.1.1: mailbox unavailable (not found, no access, or refused "
	    "for policy); 5.1.1 bad destination mailbox address (RFC 5321 "
	    "§4.2.3, RFC 3463 §3.2)");
	is(explain_smtp, "250-some text", NULL);
	is(explain_smtp, "220-mail.example.com ESMTP", NULL);
	is(explain_smtp, "250 mail.example.com",
	    "250: requested mail action okay, completed (RFC 5321 §4.2.3)");
	/* the line end does not matter; no text is fine */
	is(explain_smtp, "221 2.0.0 Bye\n",
	    "221 2.0.0: service closing transmission channel (goodbye); "
	    "2.0.0 other undefined status (RFC 5321 §4.2.3, RFC 3463 §3.1)");
	is(explain_smtp, "221 2.0.0 Bye",
	    "221 2.0.0: service closing transmission channel (goodbye); "
	    "2.0.0 other undefined status (RFC 5321 §4.2.3, RFC 3463 §3.1)");
	is(explain_smtp, "354\r\n",
	    "354: go ahead, end the data with <CRLF>.<CRLF> (RFC 5321 "
	    "§4.3.2)");
	/* garbage */
	static const char bad[] = "not a valid SMTP reply: a reply starts "
	    "with a three-digit code and a space or '-' (RFC 5321 §4.2)";
	is(explain_smtp, "", bad);
	is(explain_smtp, "\r\n", bad);
	is(explain_smtp, "25", bad);
	is(explain_smtp, "hello world", bad);
	is(explain_smtp, "150 x", bad);
	is(explain_smtp, "650 x", bad);
	is(explain_smtp, "2x0 x", bad);
	is(explain_smtp, "2500 x", bad);
	is(explain_smtp, "250:x", bad);
	/* hostile bytes never reach the comment */
	is(explain_smtp, "250-SIZE 12\033[2J", "SIZE 12: messages up to 12 "
	    "bytes are accepted; MAIL FROM may declare SIZE= (RFC 1870)");
	is(explain_smtp, "250-AUTH PLAIN\033]0;x\007",
	    "AUTH PLAIN?]0;x?: log in with AUTH and one of these SASL "
	    "mechanisms (RFC 4954)");
}

static void
test_pop3(void)
{
	static const char *const cases[][2] = {
		{ "+OK Dovecot (Debian) ready.\r\n", "+OK: positive response, "
		    "the command succeeded (RFC 1939 §3)" },
		{ "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
		    "+OK: ready; the <...> timestamp in the greeting allows "
		    "APOP login (RFC 1939 §7)" },
		{ "+OK <not a stamp>", "+OK: positive response, the command "
		    "succeeded (RFC 1939 §3)" },
		{ "+OK", "+OK: positive response, the command succeeded (RFC "
		    "1939 §3)" },
		{ "-ERR", "-ERR: negative response, the command failed (RFC "
		    "1939 §3)" },
		{ "-ERR no such message", "-ERR: negative response, the "
		    "command failed (RFC 1939 §3)" },
		{ "-ERR [IN-USE] Mailbox locked", "-ERR: negative response, the "
		    "command failed; [IN-USE] the mailbox is in use (locked by "
		    "another session); try later (RFC 1939 §3, RFC 2449 "
		    "§8.1.2)" },
		{ "-ERR [LOGIN-DELAY] wait", "-ERR: negative response, the "
		    "command failed; [LOGIN-DELAY] logged in too recently; wait "
		    "before the next login (RFC 1939 §3, RFC 2449 §8.1.1)" },
		{ "-ERR [SYS/TEMP] try later", "-ERR: negative response, the "
		    "command failed; [SYS/TEMP] a temporary system error, not "
		    "your credentials; try later (RFC 1939 §3, RFC 3206 §4)" },
		{ "-ERR [SYS/PERM] broken", "-ERR: negative response, the "
		    "command failed; [SYS/PERM] a system error that needs an "
		    "administrator, not your credentials (RFC 1939 §3, RFC 3206 "
		    "§4)" },
		{ "-ERR [AUTH] Authentication failed.", "-ERR: negative "
		    "response, the command failed; [AUTH] the credentials were "
		    "refused (wrong user name or password, or not allowed) (RFC "
		    "1939 §3, RFC 3206 §5)" },
		{ "-ERR [AUTH/EXPIRED] x", "-ERR: negative response, the "
		    "command failed; [AUTH/EXPIRED] the credentials were "
		    "refused (wrong user name or password, or not allowed) (RFC "
		    "1939 §3, RFC 3206 §5)" },
		{ "-ERR [SYS/OTHER] x", "-ERR: negative response, the command "
		    "failed; [SYS/OTHER] a response code this explainer does "
		    "not know (RFC 1939 §3, RFC 2449 §8)" },
		{ "-ERR [in-use] lower case", "-ERR: negative response, the "
		    "command failed; [in-use] the mailbox is in use (locked by "
		    "another session); try later (RFC 1939 §3, RFC 2449 "
		    "§8.1.2)" },
		{ "-ERR [unterminated", "-ERR: negative response, the command "
		    "failed (RFC 1939 §3)" },
		{ "+OK [UTF8] x", "+OK: positive response, the command "
		    "succeeded; [UTF8] the response text is UTF-8 (RFC 1939 §3, "
		    "RFC 6856)" },
		{ "TOP", "TOP: TOP fetches the headers and the first lines of a "
		    "message (RFC 2449 §6.1)" },
		{ "USER", "USER: login with USER and PASS is possible (RFC 2449 "
		    "§6.2)" },
		{ "SASL PLAIN LOGIN", "SASL PLAIN LOGIN: AUTH with one of these "
		    "SASL mechanisms (RFC 2449 §6.3)" },
		{ "RESP-CODES", "RESP-CODES: -ERR replies carry response codes "
		    "in brackets (RFC 2449 §6.4)" },
		{ "LOGIN-DELAY 900", "LOGIN-DELAY 900: the minimum number of "
		    "seconds between logins (RFC 2449 §6.5)" },
		{ "PIPELINING", "PIPELINING: commands may be sent in groups "
		    "without waiting for each reply (RFC 2449 §6.6)" },
		{ "EXPIRE NEVER", "EXPIRE NEVER: how many days the server keeps "
		    "messages once retrieved (NEVER: kept) (RFC 2449 §6.7)" },
		{ "UIDL", "UIDL: UIDL gives each message a unique id that stays "
		    "across sessions (RFC 2449 §6.8)" },
		{ "IMPLEMENTATION Dovecot", "IMPLEMENTATION Dovecot: the name of "
		    "the server software (RFC 2449 §6.9)" },
		{ "STLS\r\n", "STLS: the session can be upgraded to TLS with "
		    "STLS (RFC 2595 §4)" },
		{ "AUTH-RESP-CODE", "AUTH-RESP-CODE: failed logins say [AUTH] "
		    "when the credentials are at fault (RFC 3206 §6)" },
		{ "UTF8 USER", "UTF8 USER: UTF8 switches to UTF-8 user names and "
		    "messages (RFC 6856)" },
		{ "LANG", "LANG: LANG chooses the language of the response "
		    "texts (RFC 6856)" },
		{ ".\r\n", ".: end of the multi-line response (RFC 1939 §3)" },
		{ "1 1205", "message 1: 1205 octets (LIST, RFC 1939 §5)" },
		{ "2 whqtswO00WBw418f9t5JxYwZ", "message 2: unique id "
		    "whqtswO00WBw418f9t5JxYwZ (UIDL, RFC 1939 §7)" },
		{ "+ ", "+: server challenge for AUTH (base64); answer with one "
		    "base64 line (RFC 5034 §4)" },
		{ "+ VXNlcm5hbWU6", "+: server challenge for AUTH (base64); "
		    "answer with one base64 line (RFC 5034 §4)" },
		/* data and garbage: nothing to say */
		{ "hello world", NULL },
		{ "", NULL },
		{ "..", NULL },
		{ "+OKAY", NULL },
		{ "-ERROR", NULL },
		{ "1 two words", NULL },
		{ "1 ", NULL },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		is(explain_pop3, cases[i][0], cases[i][1]);
}

static void
test_imap(void)
{
	static const char *const cases[][2] = {
		{ "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
		    "IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n",
		    "* OK: information from the server; [CAPABILITY IMAP4rev1 "
		    "SASL-IR LOGIN-REFER...] the server's capabilities, sent "
		    "along (RFC 3501 §7.1.1, §7.1)" },
		{ "a1 OK [CAPABILITY IMAP4rev1] Logged in", "a1 OK: command a1 "
		    "completed; [CAPABILITY IMAP4rev1] the server's "
		    "capabilities, sent along (RFC 3501 §7.1.1, §7.1)" },
		{ "a1 OK Logout completed.", "a1 OK: command a1 completed (RFC "
		    "3501 §7.1.1)" },
		{ "a2 NO [AUTHENTICATIONFAILED] Authentication failed.",
		    "a2 NO: command a2 failed; [AUTHENTICATIONFAILED] wrong "
		    "user name or password, or similar (RFC 3501 §7.1.2, RFC "
		    "5530 §3)" },
		{ "a3 BAD Error in IMAP command", "a3 BAD: command a3 was not "
		    "understood (protocol or syntax error) (RFC 3501 §7.1.3)" },
		{ "* NO [ALERT] disk full", "* NO: a warning from the server; "
		    "[ALERT] a message the user must be shown (RFC 3501 §7.1.2, "
		    "§7.1)" },
		{ "* BAD garbled", "* BAD: an error not tied to one command (RFC "
		    "3501 §7.1.3)" },
		{ "* PREAUTH ready", "* PREAUTH: greeting: already logged in, no "
		    "LOGIN needed (RFC 3501 §7.1.4)" },
		{ "* BYE Logging out", "* BYE: the server is closing the "
		    "connection (RFC 3501 §7.1.5)" },
		{ "* BYE", "* BYE: the server is closing the connection (RFC "
		    "3501 §7.1.5)" },
		{ "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN",
		    "* CAPABILITY: what the server supports; STARTTLS: can "
		    "switch to TLS; LOGINDISABLED: no LOGIN before TLS; AUTH=: "
		    "the SASL mechanisms for AUTHENTICATE (RFC 3501 §7.2.1)" },
		{ "* CAPABILITY IMAP4rev1 IDLE", "* CAPABILITY: what the server "
		    "supports (RFC 3501 §7.2.1)" },
		{ "* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST: a mailbox: "
		    "its attributes, hierarchy delimiter and name (RFC 3501 "
		    "§7.2.2)" },
		{ "* LSUB () \"/\" INBOX", "* LSUB: a subscribed mailbox: "
		    "attributes, delimiter, name (RFC 3501 §7.2.3)" },
		{ "* STATUS INBOX (MESSAGES 2 UNSEEN 1)", "* STATUS: counts for "
		    "a mailbox, without selecting it (RFC 3501 §7.2.4)" },
		{ "* SEARCH 1 2 3", "* SEARCH: the numbers of the 3 messages "
		    "that matched (RFC 3501 §7.2.5)" },
		{ "* SEARCH 42", "* SEARCH: the numbers of the 1 message that "
		    "matched (RFC 3501 §7.2.5)" },
		{ "* SEARCH", "* SEARCH: no message matched (RFC 3501 §7.2.5)" },
		{ "* FLAGS (\\Answered \\Flagged)", "* FLAGS: the flags defined "
		    "in this mailbox (RFC 3501 §7.2.6)" },
		{ "* 3 EXISTS", "* 3 EXISTS: 3 messages in the mailbox (RFC "
		    "3501 §7.3.1)" },
		{ "* 1 EXISTS", "* 1 EXISTS: 1 message in the mailbox (RFC 3501 "
		    "§7.3.1)" },
		{ "* 0 RECENT", "* 0 RECENT: 0 messages with the \\Recent flag "
		    "(new to this session) (RFC 3501 §7.3.2)" },
		{ "* 5 EXPUNGE", "* 5 EXPUNGE: message 5 was removed; the "
		    "messages after it move down by one (RFC 3501 §7.4.1)" },
		{ "* 1 FETCH (FLAGS (\\Seen))", "* 1 FETCH: data of message 1 "
		    "(RFC 3501 §7.4.2)" },
		{ "* ENABLED UTF8=ACCEPT", "* ENABLED: the extensions ENABLE "
		    "switched on (RFC 5161 §3.2)" },
		{ "* NAMESPACE ((\"\" \"/\")) NIL NIL", "* NAMESPACE: the "
		    "personal, other users' and shared namespaces (RFC 2342 "
		    "§5)" },
		{ "* ID (\"name\" \"Dovecot\")", "* ID: the server's name and "
		    "version (RFC 2971 §3.2)" },
		{ "* ESEARCH (TAG \"a\") COUNT 3", "* ESEARCH: the result of an "
		    "extended SEARCH (RFC 4731 §3.1)" },
		{ "* QUOTA \"\" (STORAGE 10 512)", "* QUOTA: a quota root's "
		    "resources: usage and limit (RFC 9208 §5.1)" },
		{ "* QUOTAROOT INBOX \"\"", "* QUOTAROOT: the quota roots of a "
		    "mailbox (RFC 9208 §5.2)" },
		{ "* VANISHED 41:43", "* VANISHED: UIDs of messages that were "
		    "expunged (RFC 7162 §3.2.10)" },
		{ "+ idling", "+: continuation request: the server waits for the "
		    "rest of the command, or the answer to AUTHENTICATE (RFC "
		    "3501 §7.5)" },
		{ "+", "+: continuation request: the server waits for the rest "
		    "of the command, or the answer to AUTHENTICATE (RFC 3501 "
		    "§7.5)" },
		{ "* OK [UIDVALIDITY 1700000000] UIDs valid", "* OK: information "
		    "from the server; [UIDVALIDITY 1700000000] UIDs stay valid "
		    "while this number stays the same (RFC 3501 §7.1.1, "
		    "§7.1)" },
		{ "* OK [UIDNEXT 4] Predicted next UID", "* OK: information from "
		    "the server; [UIDNEXT 4] the UID the next message will get "
		    "(RFC 3501 §7.1.1, §7.1)" },
		{ "* OK [UNSEEN 2] First unseen.", "* OK: information from the "
		    "server; [UNSEEN 2] the number of the first unseen message "
		    "(RFC 3501 §7.1.1, §7.1)" },
		{ "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Flags "
		    "permitted.", "* OK: information from the server; "
		    "[PERMANENTFLAGS (\\Deleted \\Seen \\*)] the flags the client "
		    "can change for good (RFC 3501 §7.1.1, §7.1)" },
		{ "a4 OK [READ-WRITE] Select completed", "a4 OK: command a4 "
		    "completed; [READ-WRITE] the mailbox is selected read-write "
		    "(RFC 3501 §7.1.1, §7.1)" },
		{ "a4 OK [READ-ONLY] Examine completed", "a4 OK: command a4 "
		    "completed; [READ-ONLY] the mailbox is selected read-only "
		    "(RFC 3501 §7.1.1, §7.1)" },
		{ "a5 NO [TRYCREATE] Mailbox does not exist", "a5 NO: command a5 "
		    "failed; [TRYCREATE] the target mailbox does not exist; "
		    "CREATE it first (RFC 3501 §7.1.2, §7.1)" },
		{ "a6 NO [BADCHARSET (UTF-8)] x", "a6 NO: command a6 failed; "
		    "[BADCHARSET (UTF-8)] the SEARCH charset is not supported "
		    "(RFC 3501 §7.1.2, §7.1)" },
		{ "* NO [PARSE] bad header", "* NO: a warning from the server; "
		    "[PARSE] a message's header could not be parsed (RFC 3501 "
		    "§7.1.2, §7.1)" },
		{ "a7 NO [UNAVAILABLE] x", "a7 NO: command a7 failed; "
		    "[UNAVAILABLE] a temporary failure on the server side; try "
		    "later (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [AUTHORIZATIONFAILED] x", "a7 NO: command a7 failed; "
		    "[AUTHORIZATIONFAILED] logged in, but not allowed to act as "
		    "that user (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [EXPIRED] x", "a7 NO: command a7 failed; [EXPIRED] the "
		    "credentials have expired (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [PRIVACYREQUIRED] x", "a7 NO: command a7 failed; "
		    "[PRIVACYREQUIRED] this needs an encrypted connection (RFC "
		    "3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [CONTACTADMIN] x", "a7 NO: command a7 failed; "
		    "[CONTACTADMIN] the user should contact the system "
		    "administrator (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [NOPERM] x", "a7 NO: command a7 failed; [NOPERM] no "
		    "permission for this operation (RFC 3501 §7.1.2, RFC 5530 "
		    "§3)" },
		{ "a7 NO [INUSE] x", "a7 NO: command a7 failed; [INUSE] someone "
		    "else is using the mailbox (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [EXPUNGEISSUED] x", "a7 NO: command a7 failed; "
		    "[EXPUNGEISSUED] a message was expunged meanwhile (RFC 3501 "
		    "§7.1.2, RFC 5530 §3)" },
		{ "a7 NO [CORRUPTION] x", "a7 NO: command a7 failed; "
		    "[CORRUPTION] the server found corrupted data (RFC 3501 "
		    "§7.1.2, RFC 5530 §3)" },
		{ "a7 NO [SERVERBUG] x", "a7 NO: command a7 failed; [SERVERBUG] "
		    "a bug in the server (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [CLIENTBUG] x", "a7 NO: command a7 failed; [CLIENTBUG] "
		    "the client did something questionable (RFC 3501 §7.1.2, "
		    "RFC 5530 §3)" },
		{ "a7 NO [CANNOT] x", "a7 NO: command a7 failed; [CANNOT] the "
		    "operation breaks a rule of the server (RFC 3501 §7.1.2, RFC "
		    "5530 §3)" },
		{ "a7 NO [LIMIT] x", "a7 NO: command a7 failed; [LIMIT] a limit "
		    "of the server was reached (RFC 3501 §7.1.2, RFC 5530 §3)" },
		{ "a7 NO [OVERQUOTA] Quota exceeded", "a7 NO: command a7 failed; "
		    "[OVERQUOTA] the user is over quota (RFC 3501 §7.1.2, RFC "
		    "5530 §3)" },
		{ "a7 NO [ALREADYEXISTS] x", "a7 NO: command a7 failed; "
		    "[ALREADYEXISTS] the mailbox already exists (RFC 3501 "
		    "§7.1.2, RFC 5530 §3)" },
		{ "a7 NO [NONEXISTENT] x", "a7 NO: command a7 failed; "
		    "[NONEXISTENT] the mailbox does not exist (RFC 3501 §7.1.2, "
		    "RFC 5530 §3)" },
		{ "a8 OK [APPENDUID 38505 3955] APPEND completed", "a8 OK: "
		    "command a8 completed; [APPENDUID 38505 3955] the "
		    "UIDVALIDITY and UID of the appended message (RFC 3501 "
		    "§7.1.1, RFC 4315 §3)" },
		{ "a8 OK [COPYUID 38505 304,319 3956:3957] Done", "a8 OK: "
		    "command a8 completed; [COPYUID 38505 304,319 3956:3957] "
		    "the UIDs of the copied messages in the target (RFC 3501 "
		    "§7.1.1, RFC 4315 §3)" },
		{ "* NO [UIDNOTSTICKY] x", "* NO: a warning from the server; "
		    "[UIDNOTSTICKY] UIDs in this mailbox do not last across "
		    "sessions (RFC 3501 §7.1.2, RFC 4315 §3)" },
		{ "* OK [HIGHESTMODSEQ 715194045007] x", "* OK: information from "
		    "the server; [HIGHESTMODSEQ 715194045007] the highest "
		    "mod-sequence in the mailbox (RFC 3501 §7.1.1, RFC 7162 "
		    "§3.1.2.1)" },
		{ "* OK [NOMODSEQ] x", "* OK: information from the server; "
		    "[NOMODSEQ] the mailbox keeps no mod-sequences (RFC 3501 "
		    "§7.1.1, RFC 7162 §3.1.2.2)" },
		{ "* OK [CLOSED] x", "* OK: information from the server; "
		    "[CLOSED] the previous mailbox is now closed (RFC 3501 "
		    "§7.1.1, RFC 7162 §3.2.11)" },
		{ "a9 NO [XWHATEVER 1] x", "a9 NO: command a9 failed; "
		    "[XWHATEVER 1] a response code this explainer does not know "
		    "(RFC 3501 §7.1.2, §7.1)" },
		{ "a9 no lower case", "a9 NO: command a9 failed (RFC 3501 "
		    "§7.1.2)" },
		{ "a9 NO [unterminated", "a9 NO: command a9 failed (RFC 3501 "
		    "§7.1.2)" },
		/* untagged data of extensions not known: nothing to say */
		{ "* XYZZY 1", NULL },
		{ "* 3 FOO", NULL },
		{ "* ", NULL },
	};
	static const char bad[] = "not a valid IMAP response: it starts with "
	    "a tag and OK, NO or BAD, with \"* \" or with \"+\" (RFC 3501 §7)";
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		is(explain_imap, cases[i][0], cases[i][1]);
	is(explain_imap, "garbage", bad);
	is(explain_imap, "", bad);
	is(explain_imap, "a7 PREAUTH x", bad);
	is(explain_imap, "a7 BYE x", bad);
	is(explain_imap, "a+ OK x", bad);
	is(explain_imap, "a1 OKAY x", bad);
	is(explain_imap, "*OK x", bad);
	is(explain_imap, "+x", bad);
	is(explain_imap, "a1\033[31m OK x", bad);
	is(explain_imap, "a\001 OK x", bad);
}

static void
test_bounds(void)
{
	static const char line[] = "550 5.1.1 <x@y>: User unknown";
	static const char full[] = "550 5.1.1: mailbox unavailable (not found, "
	    "no access, or refused for policy); 5.1.1 bad destination mailbox "
	    "address (RFC 5321 §4.2.3, RFC 3463 §3.2)";
	char buf[256], small[8];
	size_t n = strlen(line), sz;
	int bad = 0;

	t_ok(explain_smtp(line, n, buf, 0) == NULL, "sz 0: NULL");
	t_ok(explain_pop3("+OK", 3, buf, 0) == NULL, "pop3 sz 0: NULL");
	t_ok(explain_imap("* BYE", 5, buf, 0) == NULL, "imap sz 0: NULL");
	memset(small, 'x', sizeof small);
	t_ok(explain_smtp(line, n, small, 1) == small && small[0] == '\0' &&
	    small[1] == 'x', "sz 1: empty string, nothing beyond");
	/* every size cuts the full comment at sz - 1 bytes */
	for (sz = 1; sz <= sizeof full + 1; sz++) {
		char *b = malloc(sz + 1);
		size_t want = sz - 1 < strlen(full) ? sz - 1 : strlen(full);

		b[sz] = 'Z';
		if (explain_smtp(line, n, b, sz) != b || strlen(b) != want ||
		    memcmp(b, full, want) != 0 || b[sz] != 'Z')
			bad++;
		free(b);
	}
	t_int(bad, 0, "every buffer size: a prefix of the comment, in bounds");
	/* input is (p, len): bytes after len are not read */
	is_n(explain_smtp, "250-SIZE 1000XYZ", 13, "SIZE 1000: messages up "
	    "to 1000 bytes are accepted; MAIL FROM may declare SIZE= (RFC "
	    "1870)");
	is_n(explain_pop3, "-ERR [IN-USE]", 4, "-ERR: negative response, the "
	    "command failed (RFC 1939 §3)");
	is_n(explain_pop3, "+OK\0[IN-USE]", 12, NULL);
	is_n(explain_imap, "* 3 EXISTS", 5, NULL);
	/* long values are cut with "..." */
	is(explain_smtp, "250-AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5 "
	    "SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER GSSAPI NTLM "
	    "EXTERNAL", "AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 "
	    "SCRAM-SHA-256 XOAUTH2 OAUTHBEARER GS...: log in with AUTH and "
	    "one of these SASL mechanisms (RFC 4954)");
}

int
main(void)
{
	test_smtp_codes();
	test_smtp_lines();
	test_pop3();
	test_imap();
	test_bounds();
	return t_done();
}
