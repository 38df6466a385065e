/*
 * explain: one-line comments on server replies, for --explain (see
 * explain.h).
 *
 * Everything is a table lookup written into the caller's buffer with
 * snprintf, so the output is bounded by sz and nothing is allocated.
 * Bytes copied from the reply into the comment (a keyword's argument, a
 * tag, a response code) are limited in length and anything but
 * printable ASCII becomes '?', so a hostile server cannot put escape
 * sequences on the user's terminal through the comment.
 *
 * Multi-line SMTP replies are explained on their last line (the one
 * with a space after the code): that is the line a client acts on, and
 * RFC 5321 4.2.1 says only it ends the reply.  Continuation lines give
 * NULL, except the lines of an EHLO reply, where each keyword is an
 * extension worth naming.
 */
#include "explain.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *b;
	size_t sz, n;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n + 1 >= o->sz)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->b + o->n, o->sz - o->n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	o->n += (size_t)k;
	if (o->n >= o->sz)
		o->n = o->sz - 1;
}

/* Copy at most max bytes of reply text, printable ASCII only. */
static void
put_clean(struct out *o, const char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max && o->n + 1 < o->sz; i++) {
		unsigned char c = (unsigned char)p[i];

		o->b[o->n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < n && o->n + 4 < o->sz) {
		memcpy(o->b + o->n, "...", 3);
		o->n += 3;
	}
	o->b[o->n] = '\0';
}

/* " (RFC 3501 §7.1.1, §7.1)": the second RFC's number only when new. */
static void
put_refs(struct out *o, const char *r1, const char *r2)
{
	const char *sp = strstr(r1, "§");

	if (r2 == NULL || strcmp(r1, r2) == 0)
		put(o, " (%s)", r1);
	else if (sp != NULL && strncmp(r1, r2, (size_t)(sp - r1)) == 0 &&
	    r2[sp - r1] != '\0')
		put(o, " (%s, %s)", r1, r2 + (sp - r1));
	else
		put(o, " (%s, %s)", r1, r2);
}

static const char *
start(struct out *o, char *buf, size_t sz)
{
	o->b = buf;
	o->sz = sz;
	o->n = 0;
	if (sz > 0)
		buf[0] = '\0';
	return sz > 0 ? buf : NULL;
}

/* Drop the line end: CRLF, LF or a lone CR. */
static size_t
chomp(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return n;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Does the word (p, n) equal s, ASCII case aside? */
static int
word_is(const char *p, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || upper((unsigned char)p[i]) !=
		    upper((unsigned char)s[i]))
			return 0;
	return s[i] == '\0';
}

/* Length of the word at p: up to a space (or one of stop). */
static size_t
wordlen(const char *p, size_t n, const char *stop)
{
	size_t i;

	for (i = 0; i < n && p[i] != ' ' && strchr(stop, p[i]) == NULL; i++)
		;
	return i;
}

/* ---- SMTP ---- */

struct code {
	int code;
	const char *text, *ref;
};

/* RFC 5321 4.2.2 and 4.2.3, RFC 4954 6, RFC 3207 4, RFC 7504 3 (521)
 * and 4 (556). */
static const struct code smtp_codes[] = {
	{ 211, "system status, or system help reply", "RFC 5321 §4.2.3" },
	{ 214, "help message, for a human reader", "RFC 5321 §4.2.3" },
	{ 220, "service ready (the greeting; after STARTTLS: start the TLS "
	    "handshake, RFC 3207 §4)", "RFC 5321 §4.2.3" },
	{ 221, "service closing transmission channel (goodbye)",
	    "RFC 5321 §4.2.3" },
	{ 235, "authentication succeeded", "RFC 4954 §6" },
	{ 250, "requested mail action okay, completed", "RFC 5321 §4.2.3" },
	{ 251, "user not local; will forward", "RFC 5321 §4.2.3" },
	{ 252, "cannot VRFY the user, but will accept the message and "
	    "attempt delivery", "RFC 5321 §3.5.3" },
	{ 334, "server challenge for AUTH (base64); answer with one base64 "
	    "line", "RFC 4954 §4" },
	{ 354, "go ahead, end the data with <CRLF>.<CRLF>",
	    "RFC 5321 §4.3.2" },
	{ 421, "service not available, closing transmission channel "
	    "(temporary: try again later)", "RFC 5321 §4.2.3" },
	{ 432, "a password transition is needed", "RFC 4954 §6" },
	{ 450, "mailbox unavailable, e.g. busy or blocked for policy "
	    "(temporary: try again later)", "RFC 5321 §4.2.3" },
	{ 451, "local error in processing (temporary: try again later)",
	    "RFC 5321 §4.2.3" },
	{ 452, "insufficient system storage, or too many recipients "
	    "(temporary)", "RFC 5321 §4.2.3" },
	{ 454, "TLS (RFC 3207 §4) or authentication temporarily "
	    "unavailable", "RFC 4954 §6" },
	{ 455, "server unable to accommodate parameters (temporary)",
	    "RFC 5321 §4.2.3" },
	{ 500, "syntax error, command unrecognized (or line too long)",
	    "RFC 5321 §4.2.3" },
	{ 501, "syntax error in parameters or arguments", "RFC 5321 §4.2.3" },
	{ 502, "command not implemented", "RFC 5321 §4.2.3" },
	{ 503, "bad sequence of commands", "RFC 5321 §4.2.3" },
	{ 504, "command parameter not implemented", "RFC 5321 §4.2.3" },
	{ 521, "this host does not accept mail", "RFC 7504 §3" },
	{ 530, "authentication required (or STARTTLS first, RFC 3207 §4)",
	    "RFC 4954 §6" },
	{ 534, "authentication mechanism is too weak", "RFC 4954 §6" },
	{ 535, "authentication credentials invalid", "RFC 4954 §6" },
	{ 538, "encryption required for the requested authentication "
	    "mechanism", "RFC 4954 §6" },
	{ 550, "mailbox unavailable (not found, no access, or refused for "
	    "policy)", "RFC 5321 §4.2.3" },
	{ 551, "user not local; please try <forward-path>",
	    "RFC 5321 §4.2.3" },
	{ 552, "exceeded storage allocation (message too big or mailbox "
	    "full)", "RFC 5321 §4.2.3" },
	{ 553, "mailbox name not allowed (bad address syntax)",
	    "RFC 5321 §4.2.3" },
	{ 554, "transaction failed (in the greeting: no SMTP service here)",
	    "RFC 5321 §4.2.3" },
	{ 555, "MAIL FROM/RCPT TO parameters not recognized or not "
	    "implemented", "RFC 5321 §4.2.3" },
	{ 556, "the domain does not accept mail", "RFC 7504 §4" },
};

/* RFC 5321 4.2.1: what the first two digits say on their own. */
static const char *const smtp_first[] = {
	NULL, NULL, "positive completion", "positive intermediate",
	"transient negative completion (try again later)",
	"permanent negative completion",
};
static const char *const smtp_second[] = {
	"syntax", "information", "connections", "unspecified",
	"unspecified", "mail system",
};

struct esc {
	int subject, detail;
	const char *text, *ref;	/* ref NULL: RFC 3463 §3.(subject+1) */
};

/* RFC 3463 3 and the codes registered since (RFC 5248 registry). */
static const struct esc esc_codes[] = {
	{ 0, 0, "other undefined status", NULL },
	{ 1, 0, "other address status", NULL },
	{ 1, 1, "bad destination mailbox address", NULL },
	{ 1, 2, "bad destination system address", NULL },
	{ 1, 3, "bad destination mailbox address syntax", NULL },
	{ 1, 4, "destination mailbox address ambiguous", NULL },
	{ 1, 5, "destination address valid", NULL },
	{ 1, 6, "destination mailbox has moved, no forwarding address",
	    NULL },
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
	{ 7, 16, "message is too big for the specified priority",
	    "RFC 6710" },
	{ 7, 17, "mailbox owner has changed", "RFC 7293" },
	{ 7, 18, "domain owner has changed", "RFC 7293" },
	{ 7, 19, "RRVS test cannot be completed", "RFC 7293" },
	{ 7, 20, "no passing DKIM signature found", "RFC 7372" },
	{ 7, 21, "no acceptable DKIM signature found", "RFC 7372" },
	{ 7, 22, "no valid author-matched DKIM signature found",
	    "RFC 7372" },
	{ 7, 23, "SPF validation failed", "RFC 7372" },
	{ 7, 24, "SPF validation error", "RFC 7372" },
	{ 7, 25, "reverse DNS validation failed", "RFC 7372" },
	{ 7, 26, "multiple authentication checks failed", "RFC 7372" },
	{ 7, 27, "sender address has null MX", "RFC 7505" },
};

static const char *const esc_subjects[] = {
	"other or undefined status", "addressing status", "mailbox status",
	"mail system status", "network and routing status",
	"mail delivery protocol status", "message content or media status",
	"security or policy status",
};

/* EHLO keywords (RFC 5321 2.2.2 and the registry it points to). */
static const struct kw {
	const char *name, *text, *ref;
} ehlo_kws[] = {
	{ "8BITMIME", "8-bit message bodies are accepted with MAIL FROM:<...> "
	    "BODY=8BITMIME", "RFC 6152" },
	{ "AUTH", "log in with AUTH and one of these SASL mechanisms",
	    "RFC 4954" },
	{ "BINARYMIME", "binary bodies are accepted with BDAT and "
	    "BODY=BINARYMIME", "RFC 3030" },
	{ "CHUNKING", "the message may be sent in BDAT chunks instead of "
	    "DATA", "RFC 3030" },
	{ "DELIVERBY", "MAIL FROM takes BY= to ask for delivery within a "
	    "time", "RFC 2852" },
	{ "DSN", "delivery status notifications: MAIL FROM takes RET= and "
	    "ENVID=, RCPT TO takes NOTIFY= and ORCPT=", "RFC 3461" },
	{ "ENHANCEDSTATUSCODES", "replies carry enhanced status codes such "
	    "as 5.1.1", "RFC 2034, RFC 3463" },
	{ "ETRN", "ETRN asks the server to start its queue for a domain",
	    "RFC 1985" },
	{ "EXPN", "EXPN expands a mailing list", "RFC 5321 §4.1.1.7" },
	{ "HELP", "HELP gives information for a human reader",
	    "RFC 5321 §4.1.1.8" },
	{ "LIMITS", "the server announces limits such as RCPTMAX",
	    "RFC 9422" },
	{ "MT-PRIORITY", "MAIL FROM takes MT-PRIORITY= (message priority)",
	    "RFC 6710" },
	{ "PIPELINING", "commands may be sent in groups without waiting for "
	    "each reply", "RFC 2920" },
	{ "REQUIRETLS", "MAIL FROM takes REQUIRETLS: the message may travel "
	    "only over TLS", "RFC 8689" },
	{ "SIZE", "", "RFC 1870" },	/* text made in smtp_keyword() */
	{ "SMTPUTF8", "UTF-8 addresses and headers are accepted with MAIL "
	    "FROM:<...> SMTPUTF8", "RFC 6531" },
	{ "STARTTLS", "the session can be upgraded to TLS with the STARTTLS "
	    "command", "RFC 3207" },
	{ "VRFY", "VRFY checks whether an address exists",
	    "RFC 5321 §4.1.1.6" },
	{ "XCLIENT", "a proxy may pass on the client's details (Postfix "
	    "extension, no RFC)", "Postfix XCLIENT_README" },
	{ "XFORWARD", "a content filter may pass on the original client's "
	    "details (Postfix extension, no RFC)", "Postfix XFORWARD_README" },
};

static const struct kw *
find_kw(const struct kw *t, size_t n, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word_is(p, len, t[i].name))
			return &t[i];
	return NULL;
}

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

/* An EHLO keyword line: "SIZE 10240000", "AUTH PLAIN LOGIN", ... */
static int
smtp_keyword(struct out *o, const char *p, size_t n)
{
	size_t w = wordlen(p, n, "=");
	const struct kw *k;
	const char *arg;
	size_t an;

	if (w < n && p[w] == '=' && word_is(p, w, "AUTH")) {
		put(o, "AUTH=: the pre-standard form of AUTH, for old clients "
		    "(RFC 4954)");
		return 1;
	}
	if ((k = find_kw(ehlo_kws, NELEM(ehlo_kws), p, w)) == NULL)
		return 0;
	arg = p + w;
	an = n - w;
	while (an > 0 && *arg == ' ') {
		arg++;
		an--;
	}
	put(o, "%s", k->name);
	if (word_is(p, w, "SIZE")) {
		size_t d;

		for (d = 0; d < an && isdig((unsigned char)arg[d]); d++)
			;
		if (d == 0 || (d == 1 && arg[0] == '0'))
			put(o, ": the server announces no fixed size limit; "
			    "MAIL FROM may declare SIZE=");
		else {
			put(o, " ");
			put_clean(o, arg, d, 20);
			put(o, ": messages up to ");
			put_clean(o, arg, d, 20);
			put(o, " bytes are accepted; MAIL FROM may declare "
			    "SIZE=");
		}
	} else if (word_is(p, w, "AUTH") && an > 0) {
		put(o, " ");
		put_clean(o, arg, an, 80);
		put(o, ": %s", k->text);
	} else {
		put(o, ": %s", k->text);
	}
	put(o, " (%s)", k->ref);
	return 1;
}

/* Is (p, n) an enhanced status code "c.s.d" followed by a space or end? */
static size_t
esc_parse(const char *p, size_t n, int *c, int *s, int *d)
{
	size_t i = 0;
	int part, v[3];

	for (part = 0; part < 3; part++) {
		size_t k = 0;

		v[part] = 0;
		while (i < n && isdig((unsigned char)p[i]) && k < 3) {
			v[part] = v[part] * 10 + (p[i++] - '0');
			k++;
		}
		if (k == 0 || (part == 0 && k != 1))
			return 0;
		if (part < 2) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && p[i] != ' ')
		return 0;
	if (v[0] != 2 && v[0] != 4 && v[0] != 5)
		return 0;
	*c = v[0];
	*s = v[1];
	*d = v[2];
	return i;
}

static void
smtp_code(struct out *o, int code, const char **ref)
{
	size_t i;

	for (i = 0; i < NELEM(smtp_codes); i++)
		if (smtp_codes[i].code == code) {
			put(o, "%s", smtp_codes[i].text);
			*ref = smtp_codes[i].ref;
			return;
		}
	put(o, "unregistered code: %dyz %s, x%dz %s", code / 100,
	    smtp_first[code / 100], code / 10 % 10,
	    code / 10 % 10 < 6 ? smtp_second[code / 10 % 10] : "not defined");
	*ref = "RFC 5321 §4.2.1";
}

/* The enhanced code's meaning, unless it says what the reply code said
 * already (said: the reply code's text). */
static void
smtp_esc(struct out *o, int c, int s, int d, char *ref, size_t refsz,
    const char *said)
{
	size_t i;

	for (i = 0; i < NELEM(esc_codes); i++)
		if (esc_codes[i].subject == s && esc_codes[i].detail == d) {
			if (strcmp(esc_codes[i].text, said) != 0)
				put(o, "; %d.%d.%d %s", c, s, d,
				    esc_codes[i].text);
			if (esc_codes[i].ref != NULL)
				snprintf(ref, refsz, "%s", esc_codes[i].ref);
			else
				snprintf(ref, refsz, "RFC 3463 §3.%d", s + 1);
			return;
		}
	put(o, "; %d.%d.%d ", c, s, d);
	if (s < (int)NELEM(esc_subjects)) {
		put(o, "%s, detail %d not registered", esc_subjects[s], d);
		snprintf(ref, refsz, "RFC 3463 §3.%d", s + 1);
	} else {
		put(o, "subject %d not registered", s);
		snprintf(ref, refsz, "RFC 3463 §2");
	}
}

/* The first line of an EHLO reply names the server: "250-mx.example". */
static int
looks_like_domain(const char *p, size_t n)
{
	size_t w = wordlen(p, n, ""), i;
	int dot = 0;

	if (w == 0 || isdig((unsigned char)p[0]))
		return 0;
	for (i = 0; i < w; i++) {
		char c = p[i];

		if (c == '.')
			dot = 1;
		else if (!(isdig((unsigned char)c) || c == '-' ||
		    (upper((unsigned char)c) >= 'A' &&
		    upper((unsigned char)c) <= 'Z')))
			return 0;
	}
	return dot;
}

const char *
explain_smtp(const char *line, size_t len, char *buf, size_t sz)
{
	struct out o;
	const char *ref, *text;
	char eref[32];
	size_t n, tn, el, said;
	int code, cont, c, s, d;

	if (start(&o, buf, sz) == NULL)
		return NULL;
	n = chomp(line, len);
	if (n < 3 || line[0] < '2' || line[0] > '5' ||
	    !isdig((unsigned char)line[1]) || !isdig((unsigned char)line[2]) ||
	    (n > 3 && line[3] != ' ' && line[3] != '-')) {
		put(&o, "not a valid SMTP reply: a reply starts with a "
		    "three-digit code and a space or '-' (RFC 5321 §4.2)");
		return buf;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0';
	cont = n > 3 && line[3] == '-';
	text = line + (n > 3 ? 4 : 3);
	tn = n > 3 ? n - 4 : 0;
	if (code == 250 && smtp_keyword(&o, text, tn))
		return buf;
	if (cont) {
		if (code != 250 || !looks_like_domain(text, tn))
			return NULL;
		put(&o, "%d-", code);
		put_clean(&o, text, wordlen(text, tn, ""), 64);
		put(&o, ": EHLO accepted; the lines that follow name the "
		    "extensions the server offers (RFC 5321 §4.1.1.1)");
		return buf;
	}
	el = esc_parse(text, tn, &c, &s, &d);
	put(&o, "%d", code);
	if (el > 0)
		put(&o, " %d.%d.%d", c, s, d);
	put(&o, ": ");
	said = o.n;
	smtp_code(&o, code, &ref);
	if (el > 0) {
		smtp_esc(&o, c, s, d, eref, sizeof eref, buf + said);
		if (c != code / 100)
			put(&o, " (its class %d differs from the reply's)", c);
		put_refs(&o, ref, eref);
	} else {
		put_refs(&o, ref, NULL);
	}
	return buf;
}

/* ---- POP3 ---- */

static const struct kw pop_codes[] = {
	{ "IN-USE", "the mailbox is in use (locked by another session); "
	    "try later", "RFC 2449 §8.1.2" },
	{ "LOGIN-DELAY", "logged in too recently; wait before the next "
	    "login", "RFC 2449 §8.1.1" },
	{ "SYS/TEMP", "a temporary system error, not your credentials; try "
	    "later", "RFC 3206 §4" },
	{ "SYS/PERM", "a system error that needs an administrator, not your "
	    "credentials", "RFC 3206 §4" },
	{ "AUTH", "the credentials were refused (wrong user name or "
	    "password, or not allowed)", "RFC 3206 §5" },
	{ "UTF8", "the response text is UTF-8", "RFC 6856" },
};

static const struct kw pop_capas[] = {
	{ "TOP", "TOP fetches the headers and the first lines of a message",
	    "RFC 2449 §6.1" },
	{ "USER", "login with USER and PASS is possible", "RFC 2449 §6.2" },
	{ "SASL", "AUTH with one of these SASL mechanisms", "RFC 2449 §6.3" },
	{ "RESP-CODES", "-ERR replies carry response codes in brackets",
	    "RFC 2449 §6.4" },
	{ "LOGIN-DELAY", "the minimum number of seconds between logins",
	    "RFC 2449 §6.5" },
	{ "PIPELINING", "commands may be sent in groups without waiting for "
	    "each reply", "RFC 2449 §6.6" },
	{ "EXPIRE", "how many days the server keeps messages once "
	    "retrieved (NEVER: kept)", "RFC 2449 §6.7" },
	{ "UIDL", "UIDL gives each message a unique id that stays across "
	    "sessions", "RFC 2449 §6.8" },
	{ "IMPLEMENTATION", "the name of the server software",
	    "RFC 2449 §6.9" },
	{ "STLS", "the session can be upgraded to TLS with STLS",
	    "RFC 2595 §4" },
	{ "AUTH-RESP-CODE", "failed logins say [AUTH] when the credentials "
	    "are at fault", "RFC 3206 §6" },
	{ "UTF8", "UTF8 switches to UTF-8 user names and messages",
	    "RFC 6856" },
	{ "LANG", "LANG chooses the language of the response texts",
	    "RFC 6856" },
};

/*
 * "[CODE args] text": explain CODE; *ref gets its RFC.  The bracket's
 * content is shown (cut at 40 bytes) since the arguments (UIDNEXT 5)
 * are half the meaning.
 */
static int
resp_code(struct out *o, const char *p, size_t n, const struct kw *t,
    size_t nt, const char *unknown_ref, const char **ref)
{
	const char *rb, *sl;
	const struct kw *k;
	size_t w;

	if (n < 3 || p[0] != '[' || (rb = memchr(p, ']', n)) == NULL)
		return 0;
	p++;
	w = wordlen(p, (size_t)(rb - p), "]");
	if (w == 0)
		return 0;
	/* POP3 codes are hierarchical: SYS/TEMP, AUTH/... */
	k = find_kw(t, nt, p, w);
	if (k == NULL && (sl = memchr(p, '/', w)) != NULL &&
	    !word_is(p, (size_t)(sl - p), "SYS"))
		k = find_kw(t, nt, p, (size_t)(sl - p));
	put(o, "; [");
	put_clean(o, p, (size_t)(rb - p), 40);
	put(o, "] ");
	if (k != NULL) {
		put(o, "%s", k->text);
		*ref = k->ref;
	} else {
		put(o, "a response code this explainer does not know");
		*ref = unknown_ref;
	}
	return 1;
}

/* The greeting's APOP timestamp: "<...@...>" (RFC 1939 7). */
static int
apop_stamp(const char *p, size_t n)
{
	const char *lt = memchr(p, '<', n), *gt;

	if (lt == NULL)
		return 0;
	gt = memchr(lt, '>', n - (size_t)(lt - p));
	return gt != NULL && memchr(lt, '@', (size_t)(gt - lt)) != NULL;
}

/* "N SIZE" of LIST, "N UID" of UIDL. */
static int
pop_listing(struct out *o, const char *p, size_t n)
{
	size_t a = 0, b, i;

	while (a < n && isdig((unsigned char)p[a]))
		a++;
	if (a == 0 || a >= n || p[a] != ' ' || a + 1 >= n)
		return 0;
	b = n - a - 1;
	for (i = a + 1; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return 0;
	for (i = a + 1; i < n && isdig((unsigned char)p[i]); i++)
		;
	put(o, "message ");
	put_clean(o, p, a, 12);
	if (i == n) {
		put(o, ": ");
		put_clean(o, p + a + 1, b, 20);
		put(o, " octets (LIST, RFC 1939 §5)");
	} else {
		put(o, ": unique id ");
		put_clean(o, p + a + 1, b, 70);
		put(o, " (UIDL, RFC 1939 §7)");
	}
	return 1;
}

const char *
explain_pop3(const char *line, size_t len, char *buf, size_t sz)
{
	struct out o;
	const char *ref = NULL, *text;
	size_t n, tn;
	const struct kw *k;
	int ok;

	if (start(&o, buf, sz) == NULL)
		return NULL;
	n = chomp(line, len);
	ok = n >= 3 && memcmp(line, "+OK", 3) == 0 && (n == 3 || line[3] == ' ');
	if (ok || (n >= 4 && memcmp(line, "-ERR", 4) == 0 &&
	    (n == 4 || line[4] == ' '))) {
		text = line + (ok ? 3 : 4);
		tn = n - (ok ? 3 : 4);
		if (tn > 0) {
			text++;
			tn--;
		}
		if (ok && apop_stamp(text, tn)) {
			put(&o, "+OK: ready; the <...> timestamp in the greeting "
			    "allows APOP login (RFC 1939 §7)");
			return buf;
		}
		put(&o, ok ? "+OK: positive response, the command succeeded" :
		    "-ERR: negative response, the command failed");
		if (resp_code(&o, text, tn, pop_codes, NELEM(pop_codes),
		    "RFC 2449 §8", &ref))
			put_refs(&o, "RFC 1939 §3", ref);
		else
			put_refs(&o, "RFC 1939 §3", NULL);
		return buf;
	}
	if (n == 1 && line[0] == '.') {
		put(&o, ".: end of the multi-line response (RFC 1939 §3)");
		return buf;
	}
	if (n >= 1 && line[0] == '+' && (n == 1 || line[1] == ' ')) {
		put(&o, "+: server challenge for AUTH (base64); answer with one "
		    "base64 line (RFC 5034 §4)");
		return buf;
	}
	if ((k = find_kw(pop_capas, NELEM(pop_capas), line,
	    wordlen(line, n, ""))) != NULL) {
		put_clean(&o, line, n, 80);
		put(&o, ": %s (%s)", k->text, k->ref);
		return buf;
	}
	if (pop_listing(&o, line, n))
		return buf;
	/* Message text and other data lines: nothing to say. */
	return NULL;
}

/* ---- IMAP ---- */

static const struct kw imap_codes[] = {
	{ "ALERT", "a message the user must be shown", "RFC 3501 §7.1" },
	{ "BADCHARSET", "the SEARCH charset is not supported",
	    "RFC 3501 §7.1" },
	{ "CAPABILITY", "the server's capabilities, sent along",
	    "RFC 3501 §7.1" },
	{ "PARSE", "a message's header could not be parsed",
	    "RFC 3501 §7.1" },
	{ "PERMANENTFLAGS", "the flags the client can change for good",
	    "RFC 3501 §7.1" },
	{ "READ-ONLY", "the mailbox is selected read-only", "RFC 3501 §7.1" },
	{ "READ-WRITE", "the mailbox is selected read-write",
	    "RFC 3501 §7.1" },
	{ "TRYCREATE", "the target mailbox does not exist; CREATE it first",
	    "RFC 3501 §7.1" },
	{ "UIDNEXT", "the UID the next message will get", "RFC 3501 §7.1" },
	{ "UIDVALIDITY", "UIDs stay valid while this number stays the same",
	    "RFC 3501 §7.1" },
	{ "UNSEEN", "the number of the first unseen message",
	    "RFC 3501 §7.1" },
	{ "UNAVAILABLE", "a temporary failure on the server side; try later",
	    "RFC 5530 §3" },
	{ "AUTHENTICATIONFAILED", "wrong user name or password, or similar",
	    "RFC 5530 §3" },
	{ "AUTHORIZATIONFAILED", "logged in, but not allowed to act as that "
	    "user", "RFC 5530 §3" },
	{ "EXPIRED", "the credentials have expired", "RFC 5530 §3" },
	{ "PRIVACYREQUIRED", "this needs an encrypted connection",
	    "RFC 5530 §3" },
	{ "CONTACTADMIN", "the user should contact the system administrator",
	    "RFC 5530 §3" },
	{ "NOPERM", "no permission for this operation", "RFC 5530 §3" },
	{ "INUSE", "someone else is using the mailbox", "RFC 5530 §3" },
	{ "EXPUNGEISSUED", "a message was expunged meanwhile",
	    "RFC 5530 §3" },
	{ "CORRUPTION", "the server found corrupted data", "RFC 5530 §3" },
	{ "SERVERBUG", "a bug in the server", "RFC 5530 §3" },
	{ "CLIENTBUG", "the client did something questionable",
	    "RFC 5530 §3" },
	{ "CANNOT", "the operation breaks a rule of the server",
	    "RFC 5530 §3" },
	{ "LIMIT", "a limit of the server was reached", "RFC 5530 §3" },
	{ "OVERQUOTA", "the user is over quota", "RFC 5530 §3" },
	{ "ALREADYEXISTS", "the mailbox already exists", "RFC 5530 §3" },
	{ "NONEXISTENT", "the mailbox does not exist", "RFC 5530 §3" },
	{ "APPENDUID", "the UIDVALIDITY and UID of the appended message",
	    "RFC 4315 §3" },
	{ "COPYUID", "the UIDs of the copied messages in the target",
	    "RFC 4315 §3" },
	{ "UIDNOTSTICKY", "UIDs in this mailbox do not last across "
	    "sessions", "RFC 4315 §3" },
	{ "HIGHESTMODSEQ", "the highest mod-sequence in the mailbox",
	    "RFC 7162 §3.1.2.1" },
	{ "NOMODSEQ", "the mailbox keeps no mod-sequences",
	    "RFC 7162 §3.1.2.2" },
	{ "CLOSED", "the previous mailbox is now closed",
	    "RFC 7162 §3.2.11" },
};

/* Untagged data "* NAME ...". */
static const struct kw imap_untagged[] = {
	{ "CAPABILITY", "what the server supports", "RFC 3501 §7.2.1" },
	{ "LIST", "a mailbox: its attributes, hierarchy delimiter and name",
	    "RFC 3501 §7.2.2" },
	{ "LSUB", "a subscribed mailbox: attributes, delimiter, name",
	    "RFC 3501 §7.2.3" },
	{ "STATUS", "counts for a mailbox, without selecting it",
	    "RFC 3501 §7.2.4" },
	{ "SEARCH", "", "RFC 3501 §7.2.5" },	/* counted below */
	{ "FLAGS", "the flags defined in this mailbox", "RFC 3501 §7.2.6" },
	{ "ENABLED", "the extensions ENABLE switched on", "RFC 5161 §3.2" },
	{ "NAMESPACE", "the personal, other users' and shared namespaces",
	    "RFC 2342 §5" },
	{ "ID", "the server's name and version", "RFC 2971 §3.2" },
	{ "ESEARCH", "the result of an extended SEARCH", "RFC 4731 §3.1" },
	{ "QUOTA", "a quota root's resources: usage and limit",
	    "RFC 9208 §5.1" },
	{ "QUOTAROOT", "the quota roots of a mailbox", "RFC 9208 §5.2" },
	{ "VANISHED", "UIDs of messages that were expunged",
	    "RFC 7162 §3.2.10" },
};

/* "* N EXISTS" and friends: the number goes between before and after. */
static const struct {
	const char *name, *before, *after, *ref;
	int noun;		/* "message(s)" after the number */
} imap_numbered[] = {
	{ "EXISTS", "", " in the mailbox", "RFC 3501 §7.3.1", 1 },
	{ "RECENT", "", " with the \\Recent flag (new to this session)",
	    "RFC 3501 §7.3.2", 1 },
	{ "EXPUNGE", "message ", " was removed; the messages after it move "
	    "down by one", "RFC 3501 §7.4.1", 0 },
	{ "FETCH", "data of message ", "", "RFC 3501 §7.4.2", 0 },
};

static const struct {
	const char *name, *tagged, *untagged, *ref;
} imap_status[] = {
	{ "OK", "completed", "information from the server",
	    "RFC 3501 §7.1.1" },
	{ "NO", "failed", "a warning from the server", "RFC 3501 §7.1.2" },
	{ "BAD", "was not understood (protocol or syntax error)",
	    "an error not tied to one command", "RFC 3501 §7.1.3" },
	{ "PREAUTH", NULL, "greeting: already logged in, no LOGIN needed",
	    "RFC 3501 §7.1.4" },
	{ "BYE", NULL, "the server is closing the connection",
	    "RFC 3501 §7.1.5" },
};

static int
is_tag_char(int c)
{
	/* RFC 3501 9: ASTRING-CHAR except "+" */
	return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' &&
	    c != '%' && c != '*' && c != '"' && c != '\\' && c != '+';
}

/* "OK [CODE] text" after the tag or "* ". */
static int
imap_cond(struct out *o, const char *tag, size_t tagn, const char *p,
    size_t n)
{
	size_t w = wordlen(p, n, ""), i;
	const char *ref = NULL, *rest;
	size_t rn;

	for (i = 0; i < NELEM(imap_status); i++)
		if (word_is(p, w, imap_status[i].name))
			break;
	if (i == NELEM(imap_status) || (tag != NULL &&
	    imap_status[i].tagged == NULL))
		return 0;
	rest = p + w;
	rn = n - w;
	if (rn > 0) {
		rest++;
		rn--;
	}
	if (tag != NULL) {
		put_clean(o, tag, tagn, 16);
		put(o, " %s: command ", imap_status[i].name);
		put_clean(o, tag, tagn, 16);
		put(o, " %s", imap_status[i].tagged);
	} else {
		put(o, "* %s: %s", imap_status[i].name,
		    imap_status[i].untagged);
	}
	if (resp_code(o, rest, rn, imap_codes, NELEM(imap_codes),
	    "RFC 3501 §7.1", &ref))
		put_refs(o, imap_status[i].ref, ref);
	else
		put_refs(o, imap_status[i].ref, NULL);
	return 1;
}

/* CAPABILITY: name the items a user meets first. */
static void
imap_capability(struct out *o, const char *p, size_t n)
{
	size_t i = 0, w;
	int tls = 0, nologin = 0, auth = 0;

	put(o, "* CAPABILITY: what the server supports");
	while (i < n) {
		w = wordlen(p + i, n - i, "");
		if (word_is(p + i, w, "STARTTLS"))
			tls = 1;
		else if (word_is(p + i, w, "LOGINDISABLED"))
			nologin = 1;
		else if (w > 5 && word_is(p + i, 5, "AUTH="))
			auth = 1;
		i += w + 1;
	}
	if (tls)
		put(o, "; STARTTLS: can switch to TLS");
	if (nologin)
		put(o, "; LOGINDISABLED: no LOGIN before TLS");
	if (auth)
		put(o, "; AUTH=: the SASL mechanisms for AUTHENTICATE");
	put(o, " (RFC 3501 §7.2.1)");
}

static int
imap_untagged_data(struct out *o, const char *p, size_t n)
{
	size_t w = wordlen(p, n, ""), d, i;
	const struct kw *k;

	for (d = 0; d < n && isdig((unsigned char)p[d]); d++)
		;
	if (d > 0 && d == w && d + 1 < n) {
		const char *q = p + d + 1;
		size_t qn = n - d - 1;

		w = wordlen(q, qn, "");
		for (i = 0; i < NELEM(imap_numbered); i++)
			if (word_is(q, w, imap_numbered[i].name))
				break;
		if (i == NELEM(imap_numbered))
			return 0;
		put(o, "* ");
		put_clean(o, p, d, 12);
		put(o, " %s: %s", imap_numbered[i].name,
		    imap_numbered[i].before);
		put_clean(o, p, d, 12);
		if (imap_numbered[i].noun)
			put(o, " message%s", d == 1 && p[0] == '1' ? "" : "s");
		put(o, "%s (%s)", imap_numbered[i].after, imap_numbered[i].ref);
		return 1;
	}
	if (word_is(p, w, "CAPABILITY")) {
		imap_capability(o, p + w, n - w);
		return 1;
	}
	if ((k = find_kw(imap_untagged, NELEM(imap_untagged), p, w)) == NULL)
		return 0;
	if (word_is(p, w, "SEARCH")) {
		size_t cnt = 0;

		for (i = w; i < n; i++)
			if (isdig((unsigned char)p[i]) &&
			    (i == 0 || p[i - 1] == ' '))
				cnt++;
		if (cnt == 0)
			put(o, "* SEARCH: no message matched (%s)", k->ref);
		else
			put(o, "* SEARCH: the numbers of the %zu message%s "
			    "that matched (%s)", cnt, cnt == 1 ? "" : "s",
			    k->ref);
		return 1;
	}
	put(o, "* %s: %s (%s)", k->name, k->text, k->ref);
	return 1;
}

const char *
explain_imap(const char *line, size_t len, char *buf, size_t sz)
{
	struct out o;
	size_t n, t;

	if (start(&o, buf, sz) == NULL)
		return NULL;
	n = chomp(line, len);
	if (n >= 1 && line[0] == '+' && (n == 1 || line[1] == ' ')) {
		put(&o, "+: continuation request: the server waits for the "
		    "rest of the command, or the answer to AUTHENTICATE "
		    "(RFC 3501 §7.5)");
		return buf;
	}
	if (n >= 2 && line[0] == '*' && line[1] == ' ') {
		if (imap_cond(&o, NULL, 0, line + 2, n - 2) ||
		    imap_untagged_data(&o, line + 2, n - 2))
			return buf;
		/* untagged data of an extension we do not know */
		return NULL;
	}
	for (t = 0; t < n && is_tag_char((unsigned char)line[t]); t++)
		;
	if (t > 0 && t + 1 < n && line[t] == ' ' &&
	    imap_cond(&o, line, t, line + t + 1, n - t - 1))
		return buf;
	o.n = 0;
	buf[0] = '\0';
	put(&o, "not a valid IMAP response: it starts with a tag and OK, NO "
	    "or BAD, with \"* \" or with \"+\" (RFC 3501 §7)");
	return buf;
}
