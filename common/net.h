/*
 * net: a mail session that libcurl opens and we then speak ourselves.
 *
 * libcurl does the parts that are easy to get dangerously wrong (connect,
 * implicit TLS or STARTTLS with its injection checks, certificate
 * verification, SASL) with CURLOPT_CONNECT_ONLY: for smtp, pop3 and imap
 * URLs that runs the whole login phase and skips only the transfer
 * (doc/libcurl.md 2.1; tests/net.bats pins it).  After net_open() the
 * program sends its own commands with net_send() and reads replies with
 * net_getline(), so it can pipeline, and the trace shows exactly what was
 * said.
 *
 * The trace (--trace) goes to stderr as "C: line" and "S: line"; the
 * login phase is taken from libcurl's debug callback with AUTH, LOGIN,
 * PASS and APOP lines and their SASL continuations shown as ********.
 * Message data is summarised ("C: [4211 bytes of message data]") with
 * net_data_summary().  With --explain every server line gets a comment
 * from explain.h under it.  When TLS comes up the trace has one line
 * "* TLS TLSv1.3 / CIPHER" (libcurl's account of the handshake).
 * Server text in the trace and in messages is shown with C0 and C1
 * controls (raw or UTF-8 encoded), DEL and bytes that are not UTF-8 as
 * '?', so a server cannot drive the terminal.  In IMAP the redaction
 * after AUTHENTICATE lasts until the tagged reply (an untagged line may
 * come before the next "+"); in SMTP "334-" and "334 " are both
 * challenges.
 * Client lines are traced when net_send() is given them, which for a
 * pipelined batch is before the replies.
 */
#ifndef YUBIN_NET_H
#define YUBIN_NET_H

#include <stddef.h>

enum net_proto { NET_SMTP, NET_POP3, NET_IMAP };

/* --starttls=yes|try|no; ignored for smtps, pop3s and imaps. */
enum net_starttls { NET_STARTTLS_YES, NET_STARTTLS_TRY, NET_STARTTLS_NO };

struct net_opts {
	const char *url;	/* smtp[s]://host[:port], pop3[s]://, imap[s]:// */
	const char *helo;	/* SMTP EHLO name; NULL: this host's FQDN */
	const char *user;	/* NULL: no authentication */
	const char *pass;	/* password, or OAuth token for XOAUTH2 */
	const char *auth;	/* PLAIN, LOGIN, CRAM-MD5, XOAUTH2,
				   OAUTHBEARER, APOP; NULL: PLAIN inside
				   TLS (APOP never by default) */
	const char *cacert;	/* --cacert FILE: trusted instead of the
				   system's CAs (CA file and CA path) */
	const char *pin;	/* --pin sha256//BASE64[;sha256//...] */
	const char *resolve;	/* "host:port:addr" for CURLOPT_RESOLVE, or
				   NULL (mailsend --mx resolves through
				   common/dns, not the system resolver) */
	int insecure;		/* --insecure: no certificate verification */
	int starttls;		/* enum net_starttls */
	int allow_plaintext;	/* --allow-plaintext */
	int opportunistic;	/* --mx: STARTTLS if offered, unverified,
				   clear text otherwise; never with a
				   password */
	long timeout;		/* seconds, connect and idle; 0: 60 */
	int trace;		/* --trace */
	int explain;		/* --explain (implies trace) */
};

struct net;

/*
 * Open a session.  On failure print one clear message (naming the host
 * and, for TLS, what was wrong: self-signed, expired, wrong host name,
 * pin mismatch, STARTTLS not offered) and return NULL with *ex set:
 *   75  connect refused, timeout, connection lost, SMTP 4xx, POP3 or
 *       IMAP [SYS/TEMP], [IN-USE], [UNAVAILABLE], POP3 [LOGIN-DELAY]
 *   68  host name not found
 *   69  SMTP service refused: a 5xx greeting ("554 no SMTP service
 *       here"), or EHLO and HELO refused with 5xx
 *   77  authentication refused, certificate verification failed, pin
 *       mismatch, a password that would go over clear text without
 *       --allow-plaintext (checked before connecting), the mechanism
 *       asked for not offered (the message names those that are and
 *       suggests --auth)
 *   76  STARTTLS required but not offered, garbage from the server
 *   78  unreadable --cacert, bad --pin syntax
 *   64  bad URL or scheme, a user or password inside the URL, APOP for
 *       anything but POP3
 * With o->user set, a server that offers no way to log in (libcurl would
 * silently go on unauthenticated) is 76.  Messages go through warn():
 * "PROG: host:port: what happened"; before the URL is parsed, only
 * "scheme://host:port" of it is shown, everything up to its last '@'
 * cut out as "***@" (a URL with an '@' is refused: 64).
 */
struct net *net_open(const struct net_opts *o, int *ex);

/*
 * Every server line libcurl saw during the login phase, CRLF kept, in
 * order: the greeting, the EHLO/CAPA/CAPABILITY replies (the last EHLO
 * after STARTTLS is the one that counts).  Lets a program learn
 * PIPELINING, 8BITMIME, SIZE, DSN, SMTPUTF8 and so on.
 */
const char *net_banner(const struct net *n, size_t *len);

/* Whether TLS is up (implicit or after STARTTLS). */
int net_tls(const struct net *n);

/*
 * Send len bytes.  Each complete line is traced as "C: ..." (redacted
 * when it is an AUTH, LOGIN, PASS or APOP command).  Returns 0, or a
 * sysexits code (75 lost connection or timeout) after printing why.
 */
int net_send(struct net *n, const void *p, size_t len);
/* Send message data: not traced line by line (see net_data_summary). */
int net_send_data(struct net *n, const void *p, size_t len);
/* Trace "C: [N bytes of message data]". */
void net_data_summary(struct net *n, unsigned long long bytes);
/* Push out anything net_send() and net_send_data() buffered (one write
 * for a pipelined batch; net_send_data() also flushes every 64 KiB, and
 * net_getline() and net_read() flush before they wait). */
int net_flush(struct net *n);

/*
 * Read one line from the server.  *line points into the session's
 * buffer (valid until the next call), *len excludes the CRLF or LF.
 * The line is traced (and explained with --explain).  Returns 0, or a
 * sysexits code after printing why: 75 for a timeout or a closed
 * connection, 76 for a line over 64 KiB.
 */
int net_getline(struct net *n, const char **line, size_t *len);
/* Read exactly len raw bytes (IMAP literals), untraced. */
int net_read(struct net *n, void *p, size_t len);
/*
 * The bytes already received, untraced (a POP3 multi-line body that a
 * decoder consumes as it streams): *p and *len (at least 1) point into
 * the session's buffer, reading more first when it is empty.
 * net_consume() takes k of them.  0, or fill's status as net_getline().
 */
int net_peek(struct net *n, const char **p, size_t *len);
void net_consume(struct net *n, size_t k);

/* Close: the caller has sent QUIT or LOGOUT itself (libcurl does not
 * for connect-only handles, doc/libcurl.md 2.2). */
void net_close(struct net *n);

/* The protocol a URL names, or -1. */
int net_url_proto(const char *url);

#endif
