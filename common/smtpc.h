/*
 * smtpc: the client side of an SMTP transaction, as a state machine.
 *
 * After net_open() (libcurl: connect, TLS, EHLO, AUTH) the session is
 * READY.  smtpc_tx() runs one transaction: MAIL, the RCPTs, DATA, the
 * message, its final reply; with PIPELINING (RFC 2920) MAIL, the RCPTs
 * and DATA go in one write and the replies are read in order.  What to
 * do with a reply (how to report it, what exit status it means) is the
 * caller's: each RCPT reply goes to tx->on_rcpt, and the result says
 * which step ended the transaction, with its reply in tx->r.
 *
 * Every change of state is traced with --trace as "* state: NAME"
 * (smtpc_state_name()), between the C:/S: lines of common/net.
 *
 * The message is written by tx->source through a sink that makes the
 * DATA stream (common/smtp's encoder: CRLF, dot-stuffing, the final
 * dot); nothing the message holds can end the DATA phase early.
 */
#ifndef YUBIN_SMTPC_H
#define YUBIN_SMTPC_H

#include <stddef.h>

#include "net.h"
#include "smtp.h"
#include "util.h"

enum smtpc_state {
	SMTPC_READY,		/* between transactions */
	SMTPC_MAIL,		/* MAIL FROM sent */
	SMTPC_RCPT,		/* the RCPTs sent */
	SMTPC_DATA,		/* DATA sent, 354 awaited */
	SMTPC_BODY,		/* the message going out, final reply awaited */
	SMTPC_RSET,		/* RSET after a transaction with no recipient */
	SMTPC_QUIT,		/* QUIT sent */
	SMTPC_CLOSED,		/* lost, closed by a 421, or after QUIT */
	SMTPC_NSTATES
};

/* The state's name, as the trace shows it. */
const char *smtpc_state_name(enum smtpc_state s);

struct smtpc {
	struct net *n;		/* NULL: print the commands and data on
				   stdout, LF line ends (--dry-run) */
	unsigned ext;		/* SMTP_EXT_* the server offers */
	enum smtpc_state state;
	int quit_sent;		/* QUIT went out with the data */
	int trace;
};

void smtpc_init(struct smtpc *c, struct net *n, unsigned ext, int trace);

/*
 * net_open(no), then what the EHLO reply offers into *e, and
 * smtpc_init().  Returns 0, or net_open()'s status (*opened 0), or 76
 * for a malformed EHLO reply (*opened 1, the session closed).
 */
int smtpc_open(struct smtpc *c, const struct net_opts *no,
    struct smtp_ext *e, int *opened);

/*
 * The envelope's ESMTP parameters; each goes out only when the server
 * offers its extension (ext).  Commands are built into buffers without a
 * cap (buf_init with SIZE_MAX): a command cut short would go out as two;
 * a failed append dies with 70.
 */
struct smtpc_env {
	int body8;			/* BODY=8BITMIME */
	int utf8;			/* SMTPUTF8 */
	unsigned long long size;	/* SIZE= */
	const char *ret, *envid, *notify;	/* DSN, or NULL */
};

/* Is s a NOTIFY value (RFC 3461 §4.1: never, or a list of success,
 * failure, delay)?  NULL, or why not. */
const char *smtpc_notify_check(const char *s);

/* Is a fit for MAIL FROM or RCPT TO: 1 to 900 bytes, no controls, no
 * angle brackets (nothing that could end the command or the path)? */
int smtpc_addr_ok(const char *a);

/* "MAIL FROM:<sender> params" CRLF, appended to b. */
void smtpc_mail_cmd(struct buf *b, const char *sender, unsigned ext,
    const struct smtpc_env *v);
/* "RCPT TO:<addr> NOTIFY= ORCPT=" CRLF (ORCPT only for an ASCII addr). */
void smtpc_rcpt_cmd(struct buf *b, const char *addr, unsigned ext,
    const struct smtpc_env *v);

/* Writes the message (header, empty line, body, LF or CRLF) to sink. */
typedef void smtpc_source(void *arg, smtp_sink *sink, void *sinkarg);

/* How a transaction ended. */
enum smtpc_result {
	SMTPC_SENT,		/* the message was accepted (tx->r) */
	SMTPC_NOBODY,		/* no recipient accepted: nothing sent */
	SMTPC_MAIL_REFUSED,	/* tx->r: the reply to MAIL */
	SMTPC_DATA_REFUSED,	/* tx->r: the reply to DATA, not 354 */
	SMTPC_MSG_REFUSED,	/* tx->r: the final reply after the data */
	SMTPC_RCPT_421,		/* a RCPT got 421: the server is closing */
	SMTPC_LOST,		/* the connection was lost: tx->ex */
	SMTPC_LOST_DATA		/* ... while the message went out */
};

/* The address of recipient i. */
typedef const char *smtpc_addr_fn(void *arg, size_t i);

struct smtpc_tx {
	const char *sender;
	size_t k;		/* recipients */
	smtpc_addr_fn *addr;	/* (arg, i): recipient i's address */
	const struct smtpc_env *env;
	int more;		/* another transaction follows (no QUIT
				   with the data) */
	smtpc_source *source;
	void *arg;
	unsigned long long progress;	/* the size, to show a progress bar
					   on stderr; 0: none */
	void (*on_rcpt)(void *arg, size_t i, const struct smtp_reply *r);
	/* out */
	struct smtp_reply r;
	size_t ok;		/* recipients accepted */
	int ex;			/* SMTPC_LOST*: the sysexits code */
};

/* One transaction; c->state is READY or CLOSED after it. */
enum smtpc_result smtpc_tx(struct smtpc *c, struct smtpc_tx *tx);

/* --dry-run: the commands the transaction would send to a server
 * offering ext, then the data, on stdout with LF line ends. */
void smtpc_print(const struct smtpc_tx *tx, unsigned ext);

/* QUIT (unless it went with the data or the server is gone), read its
 * reply, close the session. */
void smtpc_quit(struct smtpc *c);

#endif
