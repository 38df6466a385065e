/*
 * net: a mail session opened by libcurl (CONNECT_ONLY) and then spoken by
 * us.  See net.h for the contract and doc/libcurl.md 1 and 2 for why.
 *
 * States of a session, as the trace shows them:
 *   LOGIN  libcurl runs greeting, EHLO/CAPA/CAPABILITY, STARTTLS, SASL;
 *          its debug callback feeds the trace, its header callback the
 *          banner;
 *   OPEN   our own commands through net_send()/net_getline().
 * The redaction state (in_auth) spans both, so a program that does its
 * own AUTH after net_open() is redacted the same way.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "codec.h"
#include "explain.h"
#include "net.h"
#include "util.h"

#define LINE_MAX_BYTES	(64 * 1024)	/* net_getline's cap */
#define BANNER_MAX	(64 * 1024)
#define OUT_CHUNK	(64 * 1024)	/* flush net_send_data beyond this */

struct net {
	CURL *h;
	curl_socket_t fd;
	int proto;
	int tls;		/* TLS is up */
	int trace, explain;
	long timeout_ms;
	char where[300];	/* "host:port" for messages */
	struct buf banner;	/* login-phase server lines, CRLF kept */
	struct buf out;		/* net_send()/net_send_data() not yet written */
	struct buf tline;	/* a partial line net_send() has not traced */
	char *in;		/* received, not yet consumed: in[ipos..ilen) */
	size_t ipos, ilen, icap;
	size_t lastlen;		/* length (with EOL) of the line last returned */
	/* login-phase bookkeeping from the debug callback */
	int in_auth;		/* redact client lines until a final reply */
	int auth_sent;		/* an AUTH/LOGIN/PASS/APOP command went out */
	int starttls_sent;	/* STARTTLS/STLS went out, reply not yet seen */
	char last[512];		/* the last server line of the login phase */
	char mech[32];		/* the SASL mechanism asked for */
	/* libcurl's CURLOPT_ERRORBUFFER: it writes there on any later
	 * failure (curl_easy_recv/send too), so it lives as long as the
	 * handle, never on a stack frame */
	char err[CURL_ERROR_SIZE];
};

static const char *const schemes[] = {
	"smtp", "smtps", "pop3", "pop3s", "imap", "imaps"
};

int
net_url_proto(const char *url)
{
	size_t i, n;

	if (url == NULL)
		return -1;
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		n = strlen(schemes[i]);
		if (strncasecmp(url, schemes[i], n) == 0 &&
		    strncmp(url + n, "://", 3) == 0)
			return (int)(i / 2);
	}
	return -1;
}

/* Whether the URL's scheme is the implicit-TLS one (smtps, pop3s, imaps). */
static int
url_implicit_tls(const char *url)
{
	const char *c = strstr(url, "://");

	return c != NULL && c > url && (c[-1] == 's' || c[-1] == 'S');
}

/* --- trace ------------------------------------------------------------ */

/* Whether b is a UTF-8 continuation byte in [lo, hi]. */
static int
cont(unsigned char b, unsigned char lo, unsigned char hi)
{
	return b >= lo && b <= hi;
}

/*
 * The length of the character at p (n > 0 bytes left) if it may be shown
 * as it is, else 0 (show one '?' for its first byte).  Not shown: C0
 * controls but TAB, DEL, the C1 controls U+0080..U+009F (raw or UTF-8
 * encoded: terminals act on CSI, U+009B, too), and anything that is not
 * well-formed UTF-8 (RFC 3629 section 4), so a hostile server cannot
 * drive the terminal that shows the trace or a message.
 */
static size_t
shown_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return (c < 0x20 && c != '\t') || c == 0x7f ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && cont(p[1], c == 0xc2 ? 0xa0 : 0x80, 0xbf) ?
		    2 : 0;
	if (c >= 0xe0 && c <= 0xef)
		return n >= 3 && cont(p[1], c == 0xe0 ? 0xa0 : 0x80,
		    c == 0xed ? 0x9f : 0xbf) && cont(p[2], 0x80, 0xbf) ? 3 : 0;
	if (c >= 0xf0 && c <= 0xf4)
		return n >= 4 && cont(p[1], c == 0xf0 ? 0x90 : 0x80,
		    c == 0xf4 ? 0x8f : 0xbf) && cont(p[2], 0x80, 0xbf) &&
		    cont(p[3], 0x80, 0xbf) ? 4 : 0;
	return 0;
}

/* How many bytes one '?' stands for where shown_len() says 0: a whole
 * UTF-8 encoded C1 control, else one byte. */
static size_t
hidden_len(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0xc2 && cont(p[1], 0x80, 0x9f) ? 2 : 1;
}

/* Copy (p, n) into dst (sz > 0), made safe by shown_len(); a character
 * that does not fit is left out whole.  Returns the length. */
static size_t
safe_copy(char *dst, size_t sz, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = shown_len(u + i, n - i);
		if (o + (k ? k : 1) >= sz)
			break;
		if (k == 0) {
			dst[o++] = '?';
			i += hidden_len(u + i, n - i);
		} else {
			memcpy(dst + o, p + i, k);
			o += k;
			i += k;
		}
	}
	dst[o] = '\0';
	return o;
}

/*
 * Print "P: " and the line made safe by shown_len(), in one write where
 * it fits: stderr is unbuffered, and a write per character made long
 * traces slow and let another writer's output land inside a line.
 */
static void
trace_line(const char *pfx, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	char out[1024];
	size_t i = 0, o, k;

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	o = strlen(pfx);
	memcpy(out, pfx, o);
	while (i < n) {
		k = shown_len(u + i, n - i);
		if (o + (k ? k : 1) + 1 > sizeof out) {
			fwrite(out, 1, o, stderr);
			o = 0;
		}
		if (k == 0) {
			out[o++] = '?';
			i += hidden_len(u + i, n - i);
		} else {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		}
	}
	out[o++] = '\n';
	fwrite(out, 1, o, stderr);
}

/* The length of the word at p (up to a space), or n. */
static size_t
wordlen(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] != ' ')
		i++;
	return i;
}

/*
 * Trace a client line.  A command that carries a secret shows its verb,
 * its mechanism or user name, and ******** for the rest; every client line
 * after an AUTH until the server's final reply is a SASL response and
 * shows as ********.
 */
static void
trace_client(struct net *n, const char *p, size_t len)
{
	size_t off = 0, w, shown;
	int secret = 0, more = 0;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (n->in_auth) {
		if (n->trace)
			fputs("C: ********\n", stderr);
		return;
	}
	if (n->proto == NET_IMAP) {		/* skip the tag */
		w = wordlen(p, len);
		if (w < len)
			off = w + 1;
	}
	w = wordlen(p + off, len - off);
	shown = off + w;
	if (strcaseeqn(p + off, w, "AUTH") ||
	    strcaseeqn(p + off, w, "AUTHENTICATE")) {
		secret = more = 1;	/* verb and mechanism shown */
		if (shown < len)
			shown += 1 + wordlen(p + shown + 1, len - shown - 1);
	} else if (strcaseeqn(p + off, w, "LOGIN") ||
	    strcaseeqn(p + off, w, "PASS")) {
		secret = 1;
		/* IMAP LOGIN user {n}: the password follows on its own line */
		more = len > 0 && p[len - 1] == '}';
	} else if (strcaseeqn(p + off, w, "APOP")) {
		secret = 1;		/* the user name is no secret */
		if (shown < len)
			shown += 1 + wordlen(p + shown + 1, len - shown - 1);
	}
	if (secret) {
		n->auth_sent = 1;
		n->in_auth = more;
		if (n->trace) {
			fputs("C: ", stderr);
			fwrite(p, 1, shown, stderr);
			fputs(shown < len ? " ********\n" : "\n", stderr);
		}
		return;
	}
	if (strcaseeqn(p + off, w, "STARTTLS") || strcaseeqn(p + off, w, "STLS"))
		n->starttls_sent = 1;
	if (n->trace)
		trace_line("C: ", p, len);
}

/* Whether a server line is a continuation request (SASL challenge);
 * an SMTP "334-" line is one too (a multi-line challenge goes on). */
static int
is_continuation(int proto, const char *p, size_t len)
{
	if (proto == NET_SMTP)
		return len >= 3 && memcmp(p, "334", 3) == 0 &&
		    (len == 3 || p[3] == ' ' || p[3] == '-' || p[3] == '\r' ||
		    p[3] == '\n');
	return len >= 1 && p[0] == '+' && (len == 1 || p[1] == ' ' ||
	    p[1] == '\r' || p[1] == '\n');
}

/* Whether a server reply line is positive (2xx, 3xx, +OK, tagged OK). */
static int
is_positive(int proto, const char *p, size_t len)
{
	size_t w;

	if (proto == NET_SMTP)
		return len >= 1 && (p[0] == '2' || p[0] == '3');
	if (proto == NET_POP3)
		return len >= 3 && memcmp(p, "+OK", 3) == 0;
	w = wordlen(p, len);
	return w + 3 <= len && strncasecmp(p + w + 1, "OK", 2) == 0;
}

static void
trace_server(struct net *n, const char *p, size_t len)
{
	char buf[512];
	const char *e = NULL;
	size_t l = len;

	while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r'))
		l--;
	/* the SASL exchange ends with the final reply; in IMAP that is the
	 * tagged line: an untagged "* OK [ALERT] ..." or "* CAPABILITY" may
	 * come before the next "+", and the client answers that "+" */
	if (n->in_auth && !is_continuation(n->proto, p, l) &&
	    !(n->proto == NET_IMAP && l >= 1 && p[0] == '*'))
		n->in_auth = 0;
	if (n->starttls_sent) {
		n->starttls_sent = 0;
		if (is_positive(n->proto, p, l))
			n->tls = 1;
	}
	if (!n->trace)
		return;
	trace_line("S: ", p, l);
	if (!n->explain)
		return;
	if (n->proto == NET_SMTP)
		e = explain_smtp(p, l, buf, sizeof buf);
	else if (n->proto == NET_POP3)
		e = explain_pop3(p, l, buf, sizeof buf);
	else
		e = explain_imap(p, l, buf, sizeof buf);
	if (e != NULL)
		fprintf(stderr, "#   %s\n", e);
}

/* Hand each line of (p, len) to fn. */
static void
each_line(struct net *n, const char *p, size_t len,
    void (*fn)(struct net *, const char *, size_t))
{
	const char *nl;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		size_t l = nl ? (size_t)(nl - p) + 1 : len;
		fn(n, p, l);
		p += l;
		len -= l;
	}
}

/* libcurl's debug callback, during the login phase only. */
static int
on_debug(CURL *h, curl_infotype type, char *p, size_t len, void *arg)
{
	struct net *n = arg;
	static const char tlsmsg[] = "SSL connection using ";

	(void)h;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		each_line(n, p, len, trace_client);
		break;
	case CURLINFO_HEADER_IN:
		each_line(n, p, len, trace_server);
		break;
	case CURLINFO_TEXT:
		/* one informative line for class: which TLS was agreed */
		if (n->trace && len > sizeof tlsmsg - 1 &&
		    memcmp(p, tlsmsg, sizeof tlsmsg - 1) == 0)
			trace_line("* TLS ", p + sizeof tlsmsg - 1,
			    len - (sizeof tlsmsg - 1));
		break;
	default:
		break;
	}
	return 0;
}

/* libcurl's header callback: every login-phase server line. */
static size_t
on_header(char *p, size_t size, size_t nitems, void *arg)
{
	struct net *n = arg;
	size_t len = size * nitems, l = len;

	(void)buf_add(&n->banner, p, len);	/* capped: a huge banner is cut */
	while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r'))
		l--;
	/* it may end up in a message: made safe like the trace */
	(void)safe_copy(n->last, sizeof n->last, p, l);
	return len;
}

/* --- opening ---------------------------------------------------------- */

/* This host's fully qualified name, for EHLO. */
static void
fqdn(char *name, size_t sz)
{
	struct addrinfo hints, *ai = NULL;

	if (gethostname(name, sz) != 0 || name[0] == '\0') {
		snprintf(name, sz, "localhost");
		return;
	}
	name[sz - 1] = '\0';
	if (strchr(name, '.') != NULL)
		return;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(name, NULL, &hints, &ai) == 0 && ai != NULL &&
	    ai->ai_canonname != NULL && strchr(ai->ai_canonname, '.') != NULL)
		snprintf(name, sz, "%s", ai->ai_canonname);
	if (ai != NULL)
		freeaddrinfo(ai);
}

/* sha256//BASE64(44 chars)[;sha256//...] */
static int
pin_ok(const char *pin)
{
	const char *p = pin;
	size_t k;

	for (;;) {
		if (strncmp(p, "sha256//", 8) != 0)
			return 0;
		p += 8;
		for (k = 0; p[k] != '\0' && p[k] != ';'; k++)
			if (!(p[k] >= 'A' && p[k] <= 'Z') &&
			    !(p[k] >= 'a' && p[k] <= 'z') &&
			    !(p[k] >= '0' && p[k] <= '9') &&
			    p[k] != '+' && p[k] != '/' && p[k] != '=')
				return 0;
		if (k != 44)
			return 0;
		p += k;
		if (*p == '\0')
			return 1;
		p++;
	}
}

static int
fail(int *ex, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(int *ex, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn("%s", msg);
	*ex = code;
	return -1;
}

static int
complain(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a message, return code. */
static int
complain(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn("%s", msg);
	return code;
}

/*
 * The URL for a message: scheme://host:port only.  A password someone
 * put in the URL must not reach the terminal or a log, and it may hold
 * '/', '?' or '#' unencoded, so no parser can be trusted to find where
 * it ends: everything up to the last '@' of the whole URL is cut out
 * (make_url() refuses any URL with an '@', so nothing is lost).
 */
static const char *
shown_url(const char *url, char *buf, size_t sz)
{
	const char *h, *at;
	char tmp[512];

	if (url == NULL)
		return "(no URL)";
	h = strstr(url, "://");
	h = h ? h + 3 : url;
	at = strrchr(h, '@');
	snprintf(tmp, sizeof tmp, "%.*s%s%.*s", (int)(h - url), url,
	    at ? "***@" : "", (int)strcspn(at ? at + 1 : h, "/?#"),
	    at ? at + 1 : h);
	(void)safe_copy(buf, sz, tmp, strlen(tmp));
	return buf;
}

/* Checks that need no network: URL, pin, CA file, clear-text passwords. */
static int
precheck(const struct net_opts *o, int *ex)
{
	int implicit;
	char ub[512];
	const char *u = shown_url(o->url, ub, sizeof ub);

	if (net_url_proto(o->url) < 0)
		return fail(ex, EX_USAGE, "%s: not an smtp, smtps, pop3, pop3s, "
		    "imap or imaps URL", u);
	implicit = url_implicit_tls(o->url);
	if (o->pin != NULL && !pin_ok(o->pin))
		return fail(ex, EX_CONFIG, "--pin %s: want sha256//BASE64 "
		    "(44 characters), several joined with ';'", o->pin);
	if (o->cacert != NULL && access(o->cacert, R_OK) != 0)
		return fail(ex, EX_CONFIG, "--cacert %s: %s", o->cacert,
		    errtext(errno));
	if (o->auth != NULL && strcasecmp(o->auth, "APOP") == 0 &&
	    net_url_proto(o->url) != NET_POP3)
		return fail(ex, EX_USAGE, "APOP is for POP3 only");
	if (o->pass == NULL || o->pass[0] == '\0' || implicit)
		return 0;
	if (o->opportunistic)
		return fail(ex, EX_NOPERM, "%s: refusing to send a password "
		    "with opportunistic TLS (unverified or none)", u);
	if (o->starttls != NET_STARTTLS_YES && !o->allow_plaintext)
		return fail(ex, EX_NOPERM, "%s: refusing to send the password "
		    "when it may go in clear text (--starttls=%s); use "
		    "--allow-plaintext to permit it", u,
		    o->starttls == NET_STARTTLS_TRY ? "try" : "no");
	return 0;
}

/*
 * Rebuild the URL with our path: the EHLO name for SMTP, nothing for POP3
 * and IMAP (a path would only matter to the skipped transfer).  Refuse
 * credentials in the URL: they belong to -u and the password sources.
 */
static char *
make_url(const struct net_opts *o, struct net *n, int *ex)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *user = NULL, *res = NULL, *url;
	char name[256], path[300], ub[512];

	if (u == NULL)
		return fail(ex, EX_OSERR, "out of memory"), NULL;
	/* an '@' anywhere: a user (and a password, which may hold '#', '?'
	 * or '/' and so fool any parser about where the host is) */
	if (strchr(strstr(o->url, "://") + 3, '@') != NULL) {
		fail(ex, EX_USAGE, "%s: no user or password in the URL, please "
		    "(use -u and a password source)", shown_url(o->url, ub,
		    sizeof ub));
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		fail(ex, EX_USAGE, "%s: bad URL", shown_url(o->url, ub,
		    sizeof ub));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		/* the URL is not echoed: it may hold a password */
		fail(ex, EX_USAGE, "%s: no user or password in the URL, please "
		    "(use -u and a password source)", host);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	snprintf(n->where, sizeof n->where, "%s:%s", host, port ? port : "?");
	if (n->proto == NET_SMTP) {
		if (o->helo != NULL)
			snprintf(name, sizeof name, "%s", o->helo);
		else
			fqdn(name, sizeof name);
		snprintf(path, sizeof path, "/%s", name);
	} else {
		snprintf(path, sizeof path, "/");
	}
	if (curl_url_set(u, CURLUPART_PATH, path, CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		fail(ex, EX_USAGE, "%s: bad URL", shown_url(o->url, ub,
		    sizeof ub));
		goto out;
	}
	res = xstrdup(url);
	curl_free(url);
out:
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return res;
}

static void
curl_global(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

/* Set the options; 0 or an EX_ code.  Secrets go only into libcurl. */
static int
setup(struct net *n, const struct net_opts *o, const char *url,
    struct curl_slist **res)
{
	CURL *h = n->h;
	int implicit = url_implicit_tls(o->url);
	long ssl = CURLUSESSL_ALL;
	char lo[64];
	CURLcode rc = CURLE_OK;

	if (!implicit && o->opportunistic)
		ssl = CURLUSESSL_TRY;
	else if (!implicit && o->starttls == NET_STARTTLS_TRY)
		ssl = CURLUSESSL_TRY;
	else if (!implicit && o->starttls == NET_STARTTLS_NO)
		ssl = CURLUSESSL_NONE;
#define SET(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps,pop3,pop3s,imap,imaps");
	SET(CURLOPT_CONNECT_ONLY, 1L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TCP_NODELAY, 1L);
	SET(CURLOPT_USE_SSL, ssl);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_CONNECTTIMEOUT_MS, n->timeout_ms);
	SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, (n->timeout_ms + 999) / 1000);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, n);
	/* always: the debug callback tracks AUTH and STARTTLS as well */
	SET(CURLOPT_DEBUGFUNCTION, on_debug);
	SET(CURLOPT_DEBUGDATA, n);
	SET(CURLOPT_VERBOSE, 1L);
	if (o->cacert != NULL) {
		/* instead of the system's CAs: the built-in CA path
		 * (/etc/ssl/certs on Debian) would be searched as well */
		SET(CURLOPT_CAINFO, o->cacert);
		SET(CURLOPT_CAPATH, NULL);
	}
	if (o->insecure || o->opportunistic) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->pin != NULL)
		SET(CURLOPT_PINNEDPUBLICKEY, o->pin);
	if (o->resolve != NULL) {
		*res = curl_slist_append(NULL, o->resolve);
		SET(CURLOPT_RESOLVE, *res);
	}
	if (o->user != NULL) {
		const char *mech = o->auth ? o->auth : "PLAIN";
		int bearer = strcasecmp(mech, "XOAUTH2") == 0 ||
		    strcasecmp(mech, "OAUTHBEARER") == 0;

		SET(CURLOPT_USERNAME, o->user);
		if (o->pass != NULL)
			SET(bearer ? CURLOPT_XOAUTH2_BEARER : CURLOPT_PASSWORD,
			    o->pass);
		snprintf(lo, sizeof lo, "AUTH=%s%s",
		    strcasecmp(mech, "APOP") == 0 ? "+" : "", mech);
		SET(CURLOPT_LOGIN_OPTIONS, lo);
		SET(CURLOPT_SASL_IR, 1L);
	}
#undef SET
	if (rc != CURLE_OK) {
		warn("%s: libcurl refused an option: %s", n->where,
		    curl_easy_strerror(rc));
		return EX_SOFTWARE;
	}
	return 0;
}

/* Whether the last login-phase line says "try again later". */
static int
temporary(const struct net *n)
{
	long code = 0;

	curl_easy_getinfo(n->h, CURLINFO_RESPONSE_CODE, &code);
	if (n->proto == NET_SMTP)
		return code >= 400 && code < 500;
	/* RFC 2449 8.1.1: LOGIN-DELAY refuses a login that came too soon */
	return strstr(n->last, "[SYS/TEMP]") != NULL ||
	    strstr(n->last, "[IN-USE]") != NULL ||
	    strstr(n->last, "[LOGIN-DELAY]") != NULL ||
	    strstr(n->last, "[UNAVAILABLE]") != NULL;
}

/* The SMTP reply code of the last login-phase line, or 0. */
static long
smtp_code(const struct net *n)
{
	long code = 0;

	curl_easy_getinfo(n->h, CURLINFO_RESPONSE_CODE, &code);
	if (code == 0 && n->last[0] >= '1' && n->last[0] <= '5' &&
	    n->last[1] >= '0' && n->last[1] <= '9' &&
	    n->last[2] >= '0' && n->last[2] <= '9')
		code = strtol(n->last, NULL, 10);
	return code;
}

/* Append the word (p, len) to buf (sz bytes, a C string), space first. */
static void
add_word(char *buf, size_t sz, const char *p, size_t len)
{
	size_t o = strlen(buf);

	if (len == 0 || o + 1 + len >= sz)
		return;
	if (o > 0)
		buf[o++] = ' ';
	o += safe_copy(buf + o, sz - o, p, len);
}

/*
 * A refused bearer token: XOAUTH2 servers answer with a challenge that
 * holds a JSON error (RFC 7628 3.2.2, and Google's XOAUTH2), which
 * libcurl 7.88 leaves unanswered, so the last line is "334 eyJ..."
 * (SMTP) or "+ eyJ..." (IMAP, POP3) rather than a final refusal.  Puts
 * the decoded JSON into buf, printable ASCII only; 0 if the last line is
 * not such a challenge.
 */
static int
bearer_error(const struct net *n, char *buf, size_t sz)
{
	const char *p = n->last;
	char dec[B64_DEC_BOUND(sizeof n->last) + B64_DEC_FINAL_MAX];
	struct b64_dec d;
	size_t len, i, k = 0;

	if (strncmp(p, "334 ", 4) == 0)
		p += 4;
	else if (strncmp(p, "+ ", 2) == 0)
		p += 2;
	else
		return 0;
	b64_dec_init(&d);
	len = b64_dec_update(&d, p, strlen(p), dec);
	len += b64_dec_final(&d, dec + len);
	if (d.flags != 0 && d.flags != CODEC_NOPAD)
		return 0;
	if (len == 0 || dec[0] != '{')
		return 0;
	for (i = 0; i < len && k + 1 < sz; i++)
		if (dec[i] >= ' ' && dec[i] < 127)
			buf[k++] = dec[i];
	buf[k] = '\0';
	return 1;
}

/*
 * The SASL mechanisms the server's last capability list offers, as
 * words in buf: SMTP "250-AUTH m...", POP3 CAPA "SASL m...", IMAP the
 * "AUTH=m" atoms of CAPABILITY (the last list counts: after STARTTLS).
 */
static void
offered_mechs(const struct net *n, char *buf, size_t sz)
{
	const char *p = n->banner.p, *end, *nl, *w;
	size_t l, i, j, k;

	buf[0] = '\0';
	if (p == NULL)
		return;
	for (end = p + n->banner.len; p < end; p += l + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		k = l > 0 && p[l - 1] == '\r' ? l - 1 : l;
		if (n->proto == NET_SMTP && k >= 9 && (memcmp(p, "250-", 4) ==
		    0 || memcmp(p, "250 ", 4) == 0) &&
		    strncasecmp(p + 4, "AUTH ", 5) == 0) {
			buf[0] = '\0';
			add_word(buf, sz, p + 9, k - 9);
		} else if (n->proto == NET_POP3 && k >= 5 &&
		    strncasecmp(p, "SASL ", 5) == 0) {
			buf[0] = '\0';
			add_word(buf, sz, p + 5, k - 5);
		} else if (n->proto == NET_IMAP &&
		    memcasemem(p, k, " AUTH=", 6) != NULL) {
			buf[0] = '\0';
			for (i = 0; i < k; i++) {
				if (i > 0 && p[i - 1] != ' ' && p[i - 1] != '[')
					continue;
				if (k - i < 5 || strncasecmp(p + i, "AUTH=", 5))
					continue;
				w = p + i + 5;
				for (j = 0; w + j < p + k && w[j] != ' ' &&
				    w[j] != ']'; j++)
					;
				add_word(buf, sz, w, j);
			}
		}
	}
}

/* Explain a certificate verification failure in words. */
static void
tls_verify_msg(const struct net *n, char *buf, size_t sz, const char *err)
{
	long vr = 0;

	/* libcurl checks the name itself after OpenSSL's chain check, and
	 * then leaves no useful verify result: go by its message */
	curl_easy_getinfo(n->h, CURLINFO_SSL_VERIFYRESULT, &vr);
	if (strstr(err, "host name") != NULL || vr == X509_V_ERR_HOSTNAME_MISMATCH ||
	    vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(buf, sz, "certificate is for another host (wrong host "
		    "name): it does not match %.*s",
		    (int)(strrchr(n->where, ':') - n->where), n->where);
	else if (vr != X509_V_OK)
		snprintf(buf, sz, "%s", X509_verify_cert_error_string(vr));
	else
		snprintf(buf, sz, "%s", err);
}

/* Map a failed login phase to a message and a sysexits code. */
static int
open_error(struct net *n, CURLcode rc, const char *err)
{
	char why[512];
	const char *w = n->where;
	const char *e = err[0] ? err : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return complain(EX_NOHOST, "%s: host name not found", w);
	case CURLE_COULDNT_CONNECT:
		return complain(EX_TEMPFAIL, "%s: cannot connect: %s", w, e);
	case CURLE_OPERATION_TIMEDOUT:
		return complain(EX_TEMPFAIL, "%s: timed out after %ld s "
		    "(%s)", w, (n->timeout_ms + 999) / 1000,
		    n->last[0] ? "during login" : "no greeting");
	case CURLE_PEER_FAILED_VERIFICATION:
		tls_verify_msg(n, why, sizeof why, e);
		return complain(EX_NOPERM, "%s: TLS certificate "
		    "verification failed: %s", w, why);
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return complain(EX_NOPERM, "%s: TLS: the server's public key "
		    "does not match --pin", w);
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return complain(EX_CONFIG, "%s: TLS: bad certificate "
		    "file: %s", w, e);
	case CURLE_USE_SSL_FAILED:
		return complain(EX_PROTOCOL, "%s: STARTTLS not offered "
		    "(or refused); refusing to continue without TLS", w);
	case CURLE_SSL_CONNECT_ERROR:
		return complain(EX_PROTOCOL, "%s: TLS handshake failed: %s",
		    w, e);
	case CURLE_LOGIN_DENIED:
		if (!n->auth_sent) {
			/* libcurl gave up before any AUTH: none of the
			 * server's mechanisms is the one asked for */
			offered_mechs(n, why, sizeof why);
			if (why[0] == '\0')
				return complain(EX_NOPERM, "%s: the server offers "
				    "no SASL mechanism; %s was asked for", w,
				    n->mech);
			return complain(EX_NOPERM, "%s: the server offers AUTH "
			    "%s, not %s: choose one of them with --auth", w,
			    why, n->mech);
		}
		if (temporary(n))
			return complain(EX_TEMPFAIL, "%s: authentication "
			    "failed for now: %s", w, n->last);
		if (bearer_error(n, why, sizeof why))
			return complain(EX_NOPERM, "%s: authentication refused: "
			    "the server did not accept the %s token: %s", w,
			    n->mech, why);
		return complain(EX_NOPERM, "%s: authentication refused%s%s",
		    w, n->last[0] ? ": " : "", n->last);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return complain(EX_USAGE, "%s: %s", w, e);
	case CURLE_OUT_OF_MEMORY:
		return complain(EX_OSERR, "%s: out of memory", w);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return complain(EX_TEMPFAIL, "%s: connection lost during "
		    "login: %s", w, e);
	default:
		if (temporary(n))
			return complain(EX_TEMPFAIL, "%s: %s", w, n->last);
		/* a 5xx greeting (554 "no SMTP service here") or EHLO and
		 * HELO refused: service refused permanently */
		if (n->proto == NET_SMTP && smtp_code(n) >= 500 &&
		    smtp_code(n) <= 599)
			return complain(EX_UNAVAILABLE, "%s: the server refuses "
			    "service: %s", w, n->last);
		return complain(EX_PROTOCOL, "%s: %s%s%s", w, e,
		    n->last[0] ? "; last reply: " : "", n->last);
	}
}

struct net *
net_open(const struct net_opts *o, int *ex)
{
	struct net *n;
	struct curl_slist *res = NULL;
	char *url;
	CURLcode rc;
	curl_socket_t fd;

	*ex = 0;
	if (precheck(o, ex) != 0)
		return NULL;
	curl_global();
	n = xcalloc(1, sizeof *n);
	n->proto = net_url_proto(o->url);
	n->trace = o->trace || o->explain;
	n->explain = o->explain;
	/* poll() takes an int of milliseconds */
	n->timeout_ms = (o->timeout > 0 && o->timeout < 2000000 ?
	    o->timeout : o->timeout > 0 ? 2000000 : 60) * 1000L;
	n->tls = url_implicit_tls(o->url);
	n->fd = CURL_SOCKET_BAD;
	snprintf(n->mech, sizeof n->mech, "%s", o->auth ? o->auth :
	    "PLAIN (the default)");
	buf_init(&n->banner, BANNER_MAX);
	buf_init(&n->out, 4 * OUT_CHUNK);
	buf_init(&n->tline, LINE_MAX_BYTES);
	if ((url = make_url(o, n, ex)) == NULL)
		goto bad;
	if ((n->h = curl_easy_init()) == NULL) {
		fail(ex, EX_OSERR, "libcurl: cannot make a handle");
		goto bad;
	}
	*ex = setup(n, o, url, &res);
	free(url);
	if (*ex != 0)
		goto bad;
	n->err[0] = '\0';
	curl_easy_setopt(n->h, CURLOPT_ERRORBUFFER, n->err);
	rc = curl_easy_perform(n->h);
	curl_easy_setopt(n->h, CURLOPT_VERBOSE, 0L);
	curl_slist_free_all(res);
	res = NULL;
	if (rc != CURLE_OK) {
		*ex = open_error(n, rc, n->err);
		goto bad;
	}
	if (o->user != NULL && !n->auth_sent) {
		/* libcurl skips AUTH silently when the server offers none */
		fail(ex, EX_PROTOCOL, "%s: the server offers no way to log in%s",
		    n->where, n->tls ? "" : " without TLS");
		goto bad;
	}
	if (curl_easy_getinfo(n->h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
	    fd == CURL_SOCKET_BAD) {
		fail(ex, EX_TEMPFAIL, "%s: connection lost after login",
		    n->where);
		goto bad;
	}
	n->fd = fd;
	return n;
bad:
	curl_slist_free_all(res);
	net_close(n);
	return NULL;
}

const char *
net_banner(const struct net *n, size_t *len)
{
	*len = n->banner.len;
	return n->banner.p ? n->banner.p : "";
}

int
net_tls(const struct net *n)
{
	return n->tls;
}

/* --- I/O -------------------------------------------------------------- */

/* Overwrite with zeros in a way the compiler may not drop. */
static void
wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;

	while (v != NULL && len-- > 0)
		*v++ = 0;
}

/* Wait until fd is ready for events; 0, or EX_TEMPFAIL after a message. */
static int
wait_fd(struct net *n, short events)
{
	struct pollfd pfd;
	struct timespec t0, t;
	long left = n->timeout_ms;
	int r;

	pfd.fd = n->fd;
	pfd.events = events;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno == EINTR) {
			/* a signal handler (a progress bar's SIGWINCH, a
			 * child's SIGCHLD) must not restart the whole
			 * timeout, or signals that keep coming would make
			 * the wait endless */
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = n->timeout_ms -
			    ((t.tv_sec - t0.tv_sec) * 1000L +
			    (t.tv_nsec - t0.tv_nsec) / 1000000L);
			if (left > 0)
				continue;
			r = 0;
		}
		if (r == 0) {
			warn("%s: timed out after %ld s waiting for the "
			    "server", n->where, n->timeout_ms / 1000);
			return EX_TEMPFAIL;
		}
		warn("%s: poll:", n->where);
		return EX_OSERR;
	}
}

int
net_flush(struct net *n)
{
	size_t off = 0, sent;
	CURLcode rc;
	int r;

	while (off < n->out.len) {
		sent = 0;
		rc = curl_easy_send(n->h, n->out.p + off, n->out.len - off,
		    &sent);
		if (rc == CURLE_AGAIN) {
			if ((r = wait_fd(n, POLLOUT)) != 0)
				return r;
			continue;
		}
		if (rc != CURLE_OK) {
			warn("%s: connection lost while sending: %s", n->where,
			    curl_easy_strerror(rc));
			return EX_TEMPFAIL;
		}
		off += sent;
	}
	/* it may have held a password (PASS, LOGIN, a SASL response) */
	wipe(n->out.p, n->out.len);
	buf_reset(&n->out);
	return 0;
}

/* Append to the output buffer, writing it out when it grows large. */
static int
queue(struct net *n, const void *p, size_t len)
{
	const char *s = p;
	size_t k;
	int r;

	while (len > 0) {
		k = len < OUT_CHUNK ? len : OUT_CHUNK;
		if (buf_add(&n->out, s, k) != 0)
			return EX_SOFTWARE;	/* cannot be: cap > 2 chunks */
		if (n->out.len >= OUT_CHUNK && (r = net_flush(n)) != 0)
			return r;
		s += k;
		len -= k;
	}
	return 0;
}

int
net_send(struct net *n, const void *p, size_t len)
{
	const char *s = p, *nl;
	size_t l;

	/* trace (and track AUTH) line by line; a partial line waits */
	while (len > 0) {
		nl = memchr(s, '\n', len);
		l = nl ? (size_t)(nl - s) + 1 : len;
		if (nl == NULL) {
			if (buf_add(&n->tline, s, l) != 0) {
				wipe(n->tline.p, n->tline.len);
				buf_reset(&n->tline);	/* absurd; drop it */
			}
		} else if (n->tline.len > 0) {
			(void)buf_add(&n->tline, s, l);
			trace_client(n, n->tline.p, n->tline.len);
			wipe(n->tline.p, n->tline.len);
			buf_reset(&n->tline);
		} else {
			trace_client(n, s, l);
		}
		s += l;
		len -= l;
	}
	return queue(n, p, (size_t)(s - (const char *)p));
}

int
net_send_data(struct net *n, const void *p, size_t len)
{
	return queue(n, p, len);
}

void
net_data_summary(struct net *n, unsigned long long bytes)
{
	if (n->trace)
		fprintf(stderr, "C: [%llu bytes of message data]\n", bytes);
}

/* Read more into the input buffer: 0, or an EX_ code after a message. */
static int
fill(struct net *n)
{
	size_t got;
	CURLcode rc;
	int r;

	if (n->ipos > 0) {
		memmove(n->in, n->in + n->ipos, n->ilen - n->ipos);
		n->ilen -= n->ipos;
		n->ipos = 0;
	}
	if (n->icap - n->ilen < 16384) {
		n->icap = n->icap ? n->icap * 2 : 32768;
		n->in = xrealloc(n->in, n->icap);
	}
	for (;;) {
		got = 0;
		/* first recv, then poll: TLS may hold decrypted bytes the
		 * socket no longer shows */
		rc = curl_easy_recv(n->h, n->in + n->ilen, n->icap - n->ilen,
		    &got);
		if (rc == CURLE_AGAIN) {
			if ((r = wait_fd(n, POLLIN)) != 0)
				return r;
			continue;
		}
		if (rc != CURLE_OK) {
			warn("%s: connection lost: %s", n->where,
			    curl_easy_strerror(rc));
			return EX_TEMPFAIL;
		}
		if (got == 0) {
			warn("%s: the server closed the connection", n->where);
			return EX_TEMPFAIL;
		}
		n->ilen += got;
		return 0;
	}
}

int
net_getline(struct net *n, const char **line, size_t *len)
{
	const char *nl;
	size_t l, scanned = 0;
	int r;

	*line = "";
	*len = 0;
	if (n->out.len > 0 && (r = net_flush(n)) != 0)
		return r;
	for (;;) {
		nl = n->ilen - n->ipos > scanned ? memchr(n->in + n->ipos +
		    scanned, '\n', n->ilen - n->ipos - scanned) : NULL;
		if (nl != NULL)
			break;
		scanned = n->ilen - n->ipos;
		if (scanned > LINE_MAX_BYTES + 1) {	/* + 1: the CR */
			warn("%s: a server line longer than 64 KiB", n->where);
			return EX_PROTOCOL;
		}
		if ((r = fill(n)) != 0)
			return r;
	}
	*line = n->in + n->ipos;
	l = (size_t)(nl - *line);
	n->ipos += l + 1;
	if (l > 0 && (*line)[l - 1] == '\r')
		l--;
	if (l > LINE_MAX_BYTES) {
		warn("%s: a server line longer than 64 KiB", n->where);
		return EX_PROTOCOL;
	}
	*len = l;
	trace_server(n, *line, l);
	return 0;
}

int
net_read(struct net *n, void *p, size_t len)
{
	char *d = p;
	size_t k;
	int r;

	if (n->out.len > 0 && (r = net_flush(n)) != 0)
		return r;
	while (len > 0) {
		if (n->ipos == n->ilen && (r = fill(n)) != 0)
			return r;
		k = n->ilen - n->ipos;
		if (k > len)
			k = len;
		memcpy(d, n->in + n->ipos, k);
		n->ipos += k;
		d += k;
		len -= k;
	}
	return 0;
}

int
net_peek(struct net *n, const char **p, size_t *len)
{
	int r;

	*p = "";
	*len = 0;
	if (n->out.len > 0 && (r = net_flush(n)) != 0)
		return r;
	if (n->ipos == n->ilen && (r = fill(n)) != 0)
		return r;
	*p = n->in + n->ipos;
	*len = n->ilen - n->ipos;
	return 0;
}

void
net_consume(struct net *n, size_t k)
{
	if (k > n->ilen - n->ipos)
		k = n->ilen - n->ipos;
	n->ipos += k;
}

void
net_close(struct net *n)
{
	if (n == NULL)
		return;
	if (n->h != NULL)
		curl_easy_cleanup(n->h);
	/* commands may have carried a password, replies may quote one */
	wipe(n->out.p, n->out.cap);
	wipe(n->tline.p, n->tline.cap);
	wipe(n->in, n->icap);
	buf_free(&n->banner);
	buf_free(&n->out);
	buf_free(&n->tline);
	free(n->in);
	free(n);
}
