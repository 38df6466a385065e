/*
 * rcpt: the recipients of one message and the reply each got, over the
 * transactions and sessions that deliver it (SMTP; common/smtpc runs a
 * transaction, the program decides what each reply means).
 *
 * The list holds each address once (compared byte for byte), at most
 * RCPT_MAX; the strings are the list's.  A recipient's code is 0 until
 * a reply comes, and goes back to 0 when a later transaction or host
 * should try it again.  rcpt_session() batches the transactions of one
 * session; rcpt_outcome() turns the replies into one exit status; the
 * rest serves delivery to each domain's MX hosts (mailsend --mx).
 */
#ifndef YUBIN_RCPT_H
#define YUBIN_RCPT_H

#include <stddef.h>

#include "smtp.h"

#define RCPT_MAX	10000		/* recipients per message */
/* Recipients per transaction: RFC 5321 section 4.5.3.1.8 makes 100 the
 * least a server must accept; more go in further transactions. */
#define RCPT_TX_MAX	100

struct rcpt {
	char *addr;
	int code;		/* 0: no reply (yet) */
	char enh[16];
	char *text;
	int data;		/* code is the DATA reply's, not RCPT's */
};

struct rcpts {
	struct rcpt *v;
	size_t n;
};

/* Append address a unless it is there already.  Dies with 65 when a
 * does not fit MAIL FROM or RCPT TO (smtpc_addr_ok()) or RCPT_MAX is
 * reached: a recipient dropped would never get the message. */
void rcpt_add(struct rcpts *l, const char *a);

/* Recipient p takes reply r (NULL: none, the connection was lost);
 * data: the reply is DATA's (or MAIL's), not its RCPT's. */
void rcpt_set(struct rcpt *p, const struct smtp_reply *r, int data);

/*
 * The message did not go: the recipients of idx[0..k) that RCPT had
 * accepted take the final reply to DATA (r), or no reply at all (r NULL:
 * the connection was lost), so that nothing is reported as sent and
 * another host may be tried for them.
 */
void rcpt_not_sent(struct rcpts *l, const size_t *idx, size_t k,
    const struct smtp_reply *r);

/*
 * One transaction for recipients idx[0..k) of l; more: another follows
 * on this session.  Returns the exit status of the session part (MAIL,
 * DATA, the connection), the recipients' own replies being in l; sets
 * *sent when the message was queued for at least one recipient, *stop
 * when the session cannot go on.
 */
typedef int rcpt_tx_fn(void *arg, size_t *idx, size_t k, int more,
    int *sent, int *stop);

/*
 * The transactions of one session for idx[0..k): RCPT_TX_MAX recipients
 * at a time, each by tx(arg, ...).  A recipient deferred with 452 (too
 * many recipients, RFC 5321 section 4.5.3.1.10) goes in the next
 * transaction, as long as the last one delivered to someone: each
 * transaction makes progress, so the loop ends.  Returns the worst of
 * the transactions' statuses (ex_worse()).
 */
int rcpt_session(struct rcpts *l, const size_t *idx, size_t k,
    rcpt_tx_fn *tx, void *arg);

/*
 * The exit status over the recipients idx[0..k) and the session's (ex).
 * tell: warn about each refusal, once it is final (not a 452 that the
 * next transaction fixed); a DATA refusal was told by the caller.
 */
int rcpt_outcome(const struct rcpts *l, int ex, const size_t *idx, size_t k,
    int tell);

/* The domain of address a (after its last '@'), or "" if it has none. */
const char *rcpt_domain(const char *a);

/* Recipient i and every later one not done whose domain is i's (case
 * ignored), into idx; each is marked done.  Returns how many. */
size_t rcpt_same_domain(const struct rcpts *l, size_t i, char *done,
    size_t *idx);

/* After one host's session ended with status ex: keep in idx[0..k) the
 * recipients for the next host, those deferred (4xx) and, when ex is 75,
 * those the session never got to (no reply).  Returns how many. */
size_t rcpt_again(const struct rcpts *l, size_t *idx, size_t k, int ex);

void rcpt_free(struct rcpts *l);

#endif
