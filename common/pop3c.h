/*
 * pop3c: the client side of a POP3 session (RFC 1939), as a state
 * machine; the replies are parsed by common/pop3 (pure, fuzzed).
 *
 * The shape is smtpc's, and imapls's client is to take the same one:
 * the protocol steps, their order and the window of commands in flight
 * live here; what a reply means to the user (what to report, what to
 * fetch next, what exit status) is the caller's, told through callbacks
 * (struct pop3c_handler) and the sysexits codes of pop3_exit().
 *
 * States (struct pop3_client's state, pop3c_state_name()): GREETING,
 * CAPA, STLS, AUTH, TRANSACTION, UPDATE, CLOSED.  libcurl takes the
 * session through GREETING, CAPA, STLS and AUTH at net_open()
 * (doc/libcurl.md 2.1; net traces that dialogue, secrets as ********);
 * pop3c_login() traces those states as it finds them done and enters
 * TRANSACTION, or speaks USER/PASS itself for --auth USER.  Every change
 * of state is traced with --trace as "* state: NAME", between the C:/S:
 * lines of common/net.
 *
 * The window: commands go out at once when the server offers PIPELINING
 * (RFC 2449 §6.6), so several are in flight, bounded by the bytes their
 * replies are expected to hold (POP3C_WINDOW; pop3c_expect()) and by
 * POP3C_QMAX commands; without PIPELINING each command waits for the
 * previous reply.  Replies come back in order.  A caller queues message
 * commands (TOP, RETR, DELE) with pop3c_push() and runs them with
 * pop3c_transact(); after pop3c_stop() no TOP or RETR goes out any more,
 * only the DELEs queued.  A multi-line body is read (pop3c_body()) by
 * the handler before the next reply.  pop3c_quit() sends QUIT (UPDATE:
 * the server deletes what was DELEd only now, RFC 1939 §6).
 *
 * Memory: the client owns its queue; pop3c_quit() closes the session,
 * pop3c_free() frees the queue.
 */
#ifndef YUBIN_POP3C_H
#define YUBIN_POP3C_H

#include <stddef.h>

#include "net.h"
#include "pop3.h"

enum pop3c_state {
	POP3C_GREETING, POP3C_CAPA, POP3C_STLS, POP3C_AUTH,
	POP3C_TRANSACTION, POP3C_UPDATE, POP3C_CLOSED, POP3C_NSTATES
};

/* The state's name, as the trace shows it. */
const char *pop3c_state_name(enum pop3c_state s);

#define POP3C_WINDOW	(256 * 1024)	/* bytes of replies in flight */
#define POP3C_QMAX	512		/* commands in flight */

enum pop3c_kind { POP3C_OTHER, POP3C_TOP, POP3C_RETR, POP3C_DELE };

/* A command about one message: "TOP num 0", "RETR num", "DELE num". */
struct pop3c_op {
	enum pop3c_kind kind;
	unsigned long num;		/* the message number */
	size_t id;			/* the caller's */
	unsigned long long expect;	/* the bytes its reply should hold */
};

struct pop3_client {
	struct net *n;
	unsigned capa;			/* POP3_CAPA_* */
	enum pop3c_state state;
	int trace;
	const char *server;		/* the host, for messages */
	int tls;			/* the session is encrypted */
	/* commands sent, replies not yet read: a ring */
	struct pop3c_op fly[POP3C_QMAX];
	size_t head, count;
	unsigned long long inflight;	/* sum of their expect */
	int dele;			/* a DELE was sent */
	int stop;			/* no TOP or RETR goes out any more */
	/* message commands not yet sent */
	struct pop3c_op *todo;
	size_t ntodo, itodo, todocap;
};

/*
 * net_open(no) and the login.  For --auth USER (no->auth "USER")
 * libcurl only connects (and does STLS): it picks SASL whenever the
 * server offers it; USER and PASS are then sent here, but never in
 * clear text unless no->allow_plaintext.  The PASS line is traced as
 * ********.  0 (TRANSACTION), or net_open()'s status, or 77 (no TLS),
 * or pop3_exit(r, 1) of the refusal (warned), or 78 for a user or
 * password that cannot go on a command line.
 */
int pop3c_login(struct pop3_client *c, const struct net_opts *no,
    const char *server, int trace);

/* A message of the mailbox, as UIDL and LIST gave it. */
struct pop3c_msg {
	unsigned long num;
	unsigned long long size;	/* LIST's, 0 when it had none */
	char uid[POP3_UID_MAX + 1];
};

/*
 * UIDL then LIST (pipelined when the server allows it): the messages,
 * in UIDL's order, into *m (malloc'd, the caller's) and *n, each size
 * matched by its number (in step with UIDL's order, so that a mailbox
 * of 100 000 messages costs no 10^10 comparisons); a malformed line is
 * warned about and skipped.  0, or pop3_exit() of a refusal (warned),
 * or net's status.
 */
int pop3c_scan(struct pop3_client *c, struct pop3c_msg **m, size_t *n);

/* The bytes a reply to a command of this kind about a message of size
 * bytes is expected to hold. */
unsigned long long pop3c_expect(enum pop3c_kind k, unsigned long long size);

/* Can another command of expect bytes go out now without waiting?
 * Always when nothing is in flight; with PIPELINING while the window
 * and the queue have room. */
int pop3c_room(const struct pop3_client *c, unsigned long long expect);

/* Send one command (the line without CRLF); its reply is expected to
 * hold about expect bytes.  The caller checks pop3c_room() first.
 * 0, or net's status. */
int pop3c_cmd(struct pop3_client *c, const char *line,
    unsigned long long expect);

/* The oldest reply's status line: 0 (r filled), net's status, or 76
 * (malformed; traced as read).  The command leaves the window. */
int pop3c_reply(struct pop3_client *c, struct pop3_reply *r);

/* Stream a multi-line body after a +OK: sink gets LF-ended, unstuffed
 * data in pieces; a sink returning non-zero stops the delivery, but
 * the body is still read to its end so that the session stays in step
 * (*sinkerr gets the sink's value).  *bytes the decoded size.  0, or
 * net's status. */
typedef int pop3c_sink(void *arg, const char *p, size_t n);
int pop3c_body(struct pop3_client *c, pop3c_sink *sink, void *arg,
    unsigned long long *bytes, int *sinkerr);
/* A sink that drops what it gets. */
int pop3c_discard(void *arg, const char *p, size_t n);

/* Read one line of a multi-line listing: 1 with (line, len) the line
 * (unstuffed), 0 at the final ".", or -(net's status). */
int pop3c_listline(struct pop3_client *c, const char **line, size_t *len);

/* Queue a command about message m (id: the caller's). */
void pop3c_push(struct pop3_client *c, enum pop3c_kind k,
    const struct pop3c_msg *m, size_t id);

/* From now on only the DELEs queued go out: the TOPs and RETRs not yet
 * sent are dropped (those in flight still get their replies). */
void pop3c_stop(struct pop3_client *c);

/* What the caller decides, per reply and between replies. */
struct pop3c_handler {
	/*
	 * Before a reply is read; next is the command it answers, NULL
	 * when nothing is in flight.  Returns 1 when it queued commands
	 * or stopped (the window is then looked at again), else 0.
	 */
	int (*idle)(void *arg, const struct pop3c_op *next);
	/*
	 * The reply r to op; after a +OK to TOP or RETR the handler reads
	 * the body (pop3c_body()).  0 to go on, else a status that ends
	 * pop3c_transact().
	 */
	int (*reply)(void *arg, const struct pop3c_op *op,
	    const struct pop3_reply *r);
	void *arg;
};

/* Send what the window allows, read one reply, until nothing is queued
 * nor in flight.  0, net's status, or the handler's. */
int pop3c_transact(struct pop3_client *c, const struct pop3c_handler *h);

/*
 * POP before SMTP: log in to the POP3 server of no (libcurl's login),
 * QUIT, close.  Some providers let a host that has just logged in relay
 * mail.  0, or net_open()'s status (its message printed).
 */
int pop3c_login_quit(const struct net_opts *no);

/* QUIT (UPDATE) and, when a DELE was sent, its reply; then close.
 * Returns 0 when the server said +OK (only then are the DELEs
 * committed), or when no DELE was sent and QUIT went out; else 75. */
int pop3c_quit(struct pop3_client *c);

void pop3c_free(struct pop3_client *c);

#endif
