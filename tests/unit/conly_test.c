/*
 * conly_test: pins what libcurl's CURLOPT_CONNECT_ONLY does for the mail
 * schemes, which common/net.c relies on and libcurl does not document
 * (doc/libcurl.md 2.1, 2.2): the whole login phase runs (greeting,
 * EHLO/CAPA/CAPABILITY, STARTTLS, SASL), the session is left
 * authenticated and inside TLS for curl_easy_send/recv, and libcurl sends
 * no QUIT or LOGOUT of its own, neither before returning nor at cleanup.
 *
 * Raw libcurl here, not net.c, so a libcurl upgrade that changes this
 * fails this test and not only the programs.  Runs against the lab
 * (tests/lab/lab, env from LAB_* variables); without LAB_DIR it skips.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "t.h"

/* what the debug callback saw: client lines, and whether TLS came up */
static char sent[8192];
static size_t sentlen;
static int tls_text;

static int
on_debug(CURL *h, curl_infotype type, char *p, size_t len, void *arg)
{
	(void)h;
	(void)arg;
	if (type == CURLINFO_HEADER_OUT && sentlen + len < sizeof sent) {
		memcpy(sent + sentlen, p, len);
		sentlen += len;
		sent[sentlen] = '\0';
	}
	if (type == CURLINFO_TEXT && len > 21 &&
	    memcmp(p, "SSL connection using ", 21) == 0)
		tls_text = 1;
	return 0;
}

/* Send a whole command. */
static int
sendall(CURL *h, const char *s)
{
	size_t off = 0, n, len = strlen(s);
	curl_socket_t fd;
	struct pollfd pfd;
	CURLcode rc;

	while (off < len) {
		rc = curl_easy_send(h, s + off, len - off, &n);
		if (rc == CURLE_AGAIN) {
			curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd);
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 5000) != 1)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return -1;
		off += n;
	}
	return 0;
}

/*
 * Read until a line starting with final arrives (or 5 s pass); return
 * that line (static), without CRLF, or "".
 */
static const char *
recvfinal(CURL *h, const char *final)
{
	static char buf[65536];
	static char line[1024];
	size_t len = 0, n;
	curl_socket_t fd;
	struct pollfd pfd;
	CURLcode rc;
	char *b, *e;

	for (;;) {
		/* complete lines first */
		for (b = buf; (e = memchr(b, '\n', len - (size_t)(b - buf)));
		    b = e + 1) {
			if (strncmp(b, final, strlen(final)) == 0) {
				n = (size_t)(e - b);
				if (n > 0 && b[n - 1] == '\r')
					n--;
				if (n >= sizeof line)
					n = sizeof line - 1;
				memcpy(line, b, n);
				line[n] = '\0';
				return line;
			}
		}
		if (len == sizeof buf)
			return "";
		rc = curl_easy_recv(h, buf + len, sizeof buf - len, &n);
		if (rc == CURLE_AGAIN) {
			curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd);
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 5000) != 1)
				return "";
			continue;
		}
		if (rc != CURLE_OK || n == 0)
			return "";
		len += n;
	}
}

struct sess {
	const char *name;	/* smtp, pop3, imap */
	const char *url;
	const char *user, *pass;
	const char *tlscmd;	/* what libcurl must have sent: STARTTLS... */
	const char *authcmd;	/* ...and the AUTH command */
	const char *cmd;	/* our command, inside the session */
	const char *ok;		/* the start of its good reply */
	const char *quit, *bye;	/* our QUIT/LOGOUT and its reply */
};

static void
session(const struct sess *s, const char *ca)
{
	char what[200];
	const char *r;
	unsigned char rec[3] = { 0, 0, 0 };
	curl_socket_t fd = CURL_SOCKET_BAD;
	struct pollfd pfd;
	size_t mark;
	CURL *h = curl_easy_init();
	CURLcode rc;

	sentlen = 0;
	sent[0] = '\0';
	tls_text = 0;
	curl_easy_setopt(h, CURLOPT_URL, s->url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, s->pass);
	curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, "AUTH=PLAIN");
	curl_easy_setopt(h, CURLOPT_SASL_IR, 1L);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	rc = curl_easy_perform(h);
	snprintf(what, sizeof what, "%s: CONNECT_ONLY perform returns 0", s->name);
	t_int(rc, CURLE_OK, what);

	snprintf(what, sizeof what, "%s: libcurl sent %s", s->name, s->tlscmd);
	t_ok(strstr(sent, s->tlscmd) != NULL, what);
	snprintf(what, sizeof what, "%s: libcurl sent %s", s->name, s->authcmd);
	t_ok(strstr(sent, s->authcmd) != NULL, what);
	snprintf(what, sizeof what, "%s: libcurl says TLS is up", s->name);
	t_ok(tls_text, what);
	snprintf(what, sizeof what, "%s: no QUIT or LOGOUT during the login",
	    s->name);
	t_ok(strstr(sent, "QUIT") == NULL && strstr(sent, "LOGOUT") == NULL,
	    what);

	/* authenticated and ours: a command that needs the login works */
	/* the reply on the wire is a TLS application-data record, not text */
	r = "";
	if (sendall(h, s->cmd) == 0 &&
	    curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5000) == 1)
			(void)recv(fd, rec, sizeof rec, MSG_PEEK);
		r = recvfinal(h, s->ok);
	}
	snprintf(what, sizeof what, "%s: the reply comes in a TLS record",
	    s->name);
	t_ok(rec[0] == 0x17 && rec[1] == 0x03 && rec[2] == 0x03, what);
	snprintf(what, sizeof what, "%s: %.*s gets %s", s->name,
	    (int)strcspn(s->cmd, "\r"), s->cmd, s->ok);
	t_ok(strncmp(r, s->ok, strlen(s->ok)) == 0, what);
	if (r[0] == '\0')
		printf("#   no such reply\n");

	r = sendall(h, s->quit) == 0 ? recvfinal(h, s->bye) : "";
	snprintf(what, sizeof what, "%s: our own %.*s gets %s", s->name,
	    (int)strcspn(s->quit, "\r"), s->quit, s->bye);
	t_ok(strncmp(r, s->bye, strlen(s->bye)) == 0, what);

	mark = sentlen;
	curl_easy_cleanup(h);
	snprintf(what, sizeof what, "%s: cleanup sends nothing", s->name);
	t_int((long long)sentlen, (long long)mark, what);
}

int
main(void)
{
	const char *ca = getenv("LAB_CA");
	char u1[200], u2[200], u3[200];
	struct sess s[3];

	(void)t_str;

	if (getenv("LAB_DIR") == NULL || ca == NULL ||
	    getenv("LAB_SUBMISSION_PORT") == NULL) {
		printf("1..0 # SKIP no lab\n");
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(u1, sizeof u1, "smtp://127.0.0.1:%s/client.test",
	    getenv("LAB_SUBMISSION_PORT"));
	snprintf(u2, sizeof u2, "pop3://127.0.0.1:%s/", getenv("LAB_POP3_PORT"));
	snprintf(u3, sizeof u3, "imap://127.0.0.1:%s/", getenv("LAB_IMAP_PORT"));
	/* the submission port answers 530 to MAIL without TLS and AUTH */
	s[0] = (struct sess){ "smtp", u1, "alice", "alicepw", "STARTTLS",
	    "AUTH PLAIN ", "MAIL FROM:<alice@yubin.test>\r\n", "250 ",
	    "QUIT\r\n", "221 " };
	s[1] = (struct sess){ "pop3", u2, "bob", "bobpw", "STLS",
	    "AUTH PLAIN ", "STAT\r\n", "+OK ", "QUIT\r\n", "+OK Logging out" };
	s[2] = (struct sess){ "imap", u3, "carol", "c a\"r\\ol", "STARTTLS",
	    "AUTHENTICATE PLAIN ", "t1 SELECT INBOX\r\n", "t1 OK ",
	    "t2 LOGOUT\r\n", "t2 OK " };
	session(&s[0], ca);
	session(&s[1], ca);
	session(&s[2], ca);
	curl_global_cleanup();
	return t_done();
}
