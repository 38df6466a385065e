/*
 * pop3: the POP3 client (RFC 1939) as pure parsers and a state machine.
 *
 * Parsers (pure, (buf, len), no I/O, no allocation):
 *   pop3_reply_parse()  one status line: +OK or -ERR, the response code
 *                       of RFC 2449 §8 / RFC 3206 in brackets, the text
 *                       (made printable: controls, DEL and bad UTF-8
 *                       become '?'), bounded by POP3_TEXT_MAX
 *   pop3_ml_decode()    the body of a multi-line response as it streams:
 *                       dot-unstuffed, CRLF turned into LF, the final
 *                       "." CRLF found; it keeps only a few bytes of
 *                       state, so a RETR of any size is never held whole
 *   pop3_listing()      one "N ARG" line of LIST or UIDL (RFC 1939 §7:
 *                       a unique id is 1 to 70 bytes of 0x21..0x7E)
 *   pop3_capa()         the capabilities (RFC 2449 §5) in the lines
 *                       libcurl saw at login
 *   pop3_exit()         one reply's sysexits code; the one place that
 *                       says what -ERR and its codes mean to a caller
 *
 * The state machine (struct pop3) runs on a session net_open() has
 * already taken through GREETING, CAPA, STLS and AUTH (libcurl does
 * those, doc/libcurl.md 2.1; net traces them, secrets as ********);
 * pop3_open() traces those states as it finds them done and enters
 * TRANSACTION.  Commands are queued with pop3_cmd() and sent at once
 * when the server offers PIPELINING (RFC 2449 §6.6), so a window of
 * them is in flight, bounded by the bytes their replies are expected to
 * hold (pop3_cmd()'s expect); without PIPELINING each command waits for
 * the previous reply.  Replies come back in order through
 * pop3_reply(); a multi-line body then streams through pop3_body().
 * A caller reads every multi-line body it asked for before the next
 * reply.  pop3_quit() sends QUIT (UPDATE: the server deletes what was DELEd
 * only now, RFC 1939 §6) and reads its reply.  Every change of state is
 * traced as "* state: NAME".
 */
#ifndef YUBIN_POP3_H
#define YUBIN_POP3_H

#include <stddef.h>

#include "net.h"

#define POP3_TEXT_MAX	512	/* RFC 2449 §4: a reply line is at most
				   512 bytes, CRLF included */
#define POP3_UID_MAX	70	/* RFC 1939 §7 */

/* Response codes (RFC 2449 §8, RFC 3206); hierarchical ones by prefix. */
enum pop3_rcode {
	POP3_RC_NONE, POP3_RC_IN_USE, POP3_RC_LOGIN_DELAY, POP3_RC_SYS_TEMP,
	POP3_RC_SYS_PERM, POP3_RC_AUTH, POP3_RC_OTHER
};

struct pop3_reply {
	int ok;				/* +OK: 1, -ERR: 0 */
	enum pop3_rcode rc;
	char text[POP3_TEXT_MAX];	/* after "+OK "/"-ERR ", printable */
	size_t textlen;
};

/* One status line without its CRLF (a CR left in it is taken off).
 * 0, or -1: neither +OK nor -ERR, or longer than POP3_TEXT_MAX. */
int pop3_reply_parse(const char *p, size_t len, struct pop3_reply *r);

/*
 * The sysexits code of a reply, given what was asked (login: the
 * authorization phase).  +OK 0; [AUTH] 77; [IN-USE], [LOGIN-DELAY],
 * [SYS/TEMP] 75; [SYS/PERM] 69; another -ERR 77 at login, else 69 (the
 * server refused that command: RETR of a message another session
 * deleted); a malformed reply (r NULL) 76.
 */
int pop3_exit(const struct pop3_reply *r, int login);

/* The decoder of a multi-line body. */
struct pop3_ml {
	int st;				/* where in a line we are */
	int done;			/* the final "." was read */
	unsigned long long out;		/* bytes produced so far */
};

void pop3_ml_init(struct pop3_ml *m);
/*
 * Decode up to len bytes of (in, len) into out, which must hold len + 1
 * bytes (a CR held back from the previous call may come out now).
 * Returns the bytes of in consumed: all of them, or fewer when the
 * terminating line "." CRLF ended inside (m->done set; what follows is
 * the next reply's).  *outlen gets the bytes written.  A line "." ends
 * on CRLF or a bare LF; a lone CR inside a line is kept.
 */
size_t pop3_ml_decode(struct pop3_ml *m, const char *in, size_t len,
    char *out, size_t *outlen);

/* "N ARG" of LIST (ARG a size) or UIDL (ARG a unique id): 0 with *num,
 * *arg and *arglen set, or -1 when malformed. */
int pop3_listing(const char *p, size_t len, unsigned long *num,
    const char **arg, size_t *arglen);

enum {
	POP3_CAPA_TOP = 1, POP3_CAPA_UIDL = 2, POP3_CAPA_PIPELINING = 4,
	POP3_CAPA_RESP_CODES = 8, POP3_CAPA_STLS = 16, POP3_CAPA_USER = 32,
	POP3_CAPA_SASL = 64
};
/* The CAPA keywords in (p, len), lines of any kind; 0 when none. */
unsigned pop3_capa(const char *p, size_t len);

/* ---- the state machine ---- */

enum pop3_state {
	POP3_GREETING, POP3_CAPA, POP3_STLS, POP3_AUTH, POP3_TRANSACTION,
	POP3_UPDATE, POP3_CLOSED, POP3_NSTATES
};

const char *pop3_state_name(enum pop3_state s);

#define POP3_WINDOW	(256 * 1024)	/* bytes of replies in flight */
#define POP3_QMAX	512		/* commands in flight */

struct pop3 {
	struct net *n;
	unsigned capa;
	enum pop3_state state;
	int trace;
	/* commands sent, replies not yet read: a ring */
	unsigned long long expect[POP3_QMAX];
	size_t head, count;
	unsigned long long inflight;	/* sum of expect[] */
	int dele;			/* a DELE was sent */
};

/* After net_open(): trace the login states (STLS when stls: TLS came
 * by STLS), learn CAPA; enter TRANSACTION when authed (libcurl logged
 * in), else stay in AUTH for pop3_user(). */
void pop3_open(struct pop3 *c, struct net *n, int stls, int authed,
    int trace);

/*
 * USER and PASS (RFC 1939 §7), sent by us: libcurl prefers SASL
 * whenever the server offers it, so --auth USER cannot be asked of it.
 * The PASS line is traced as ********.  The caller has checked that the
 * session is encrypted or --allow-plaintext was given.  0 (TRANSACTION),
 * or pop3_exit(r, 1) with r the refusal, or net's status, or 78 for a
 * user or password that cannot go on a command line.
 */
int pop3_user(struct pop3 *c, const char *user, const char *pass,
    struct pop3_reply *r);

/* Can another command of expect bytes go out now without waiting?
 * Always when nothing is in flight; with PIPELINING while the window
 * and the queue have room. */
int pop3_room(const struct pop3 *c, unsigned long long expect);

/* Send one command (the line without CRLF); its reply is expected to
 * hold about expect bytes.  The caller checks pop3_room() first.
 * 0, or net's status. */
int pop3_cmd(struct pop3 *c, const char *line, unsigned long long expect);

/* The oldest reply's status line: 0 (r filled), net's status, or 76
 * (malformed; traced as read).  The command leaves the window. */
int pop3_reply(struct pop3 *c, struct pop3_reply *r);

/* Stream a multi-line body after a +OK: sink gets LF-ended, unstuffed
 * data in pieces; a sink returning non-zero stops the delivery, but
 * the body is still read to its end so that the session stays in step
 * (*sinkerr gets the sink's value).  *bytes the decoded size.  0, or
 * net's status. */
typedef int pop3_sink(void *arg, const char *p, size_t n);
int pop3_body(struct pop3 *c, pop3_sink *sink, void *arg,
    unsigned long long *bytes, int *sinkerr);

/* Read one line of a multi-line listing: 1 with (line, len) the line
 * (unstuffed), 0 at the final ".", or -(net's status). */
int pop3_listline(struct pop3 *c, const char **line, size_t *len);

/*
 * POP before SMTP: log in to the POP3 server of no (libcurl's login),
 * QUIT, close.  Some providers let a host that has just logged in relay
 * mail.  0, or net_open()'s status (its message printed).
 */
int pop3_login_quit(const struct net_opts *no);

/* QUIT (UPDATE) and, when a DELE was sent, its reply; then close.
 * Returns 0 when the server said +OK (only then are the DELEs
 * committed), or when no DELE was sent and QUIT went out; else 75. */
int pop3_quit(struct pop3 *c);

#endif
