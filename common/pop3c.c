/*
 * pop3c: the client side of a POP3 session (see pop3c.h).
 *
 * The protocol steps and their order live here, what a reply means to
 * the user lives in the program.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "pop3c.h"
#include "rec.h"
#include "util.h"

static const char *const names[POP3C_NSTATES] = {
	"GREETING", "CAPA", "STLS", "AUTH", "TRANSACTION", "UPDATE", "CLOSED"
};

const char *
pop3c_state_name(enum pop3c_state s)
{
	return (unsigned)s < POP3C_NSTATES ? names[s] : "?";
}

static void
enter(struct pop3_client *c, enum pop3c_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	if (c->trace)
		fprintf(stderr, "* state: %s\n", names[s]);
}

/* After net_open(): trace the login states (STLS when stls: TLS came
 * by STLS), learn CAPA; enter TRANSACTION when authed (libcurl logged
 * in), else stay in AUTH for user(). */
static void
open_session(struct pop3_client *c, struct net *n, int stls, int authed,
    int trace)
{
	const char *b;
	size_t blen;

	memset(c, 0, sizeof *c);
	c->n = n;
	c->trace = trace;
	c->tls = net_tls(n);
	c->state = POP3C_CLOSED;
	/* libcurl took the session through these; the trace above shows
	 * their dialogue */
	enter(c, POP3C_GREETING);
	enter(c, POP3C_CAPA);
	if (stls)
		enter(c, POP3C_STLS);
	enter(c, POP3C_AUTH);
	b = net_banner(n, &blen);
	c->capa = pop3_capa(b, blen);
	if (authed)
		enter(c, POP3C_TRANSACTION);
}

/* One command and its status line, one at a time (login). */
static int
step(struct pop3_client *c, const char *cmd, const char *arg,
    struct pop3_reply *r)
{
	const char *line;
	struct buf b;
	size_t len;
	int ex;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s %s\r\n", cmd, arg);
	ex = net_send(c->n, b.p, b.len);
	memset(b.p, 0, b.len);		/* the PASS line held the password */
	buf_free(&b);
	if (ex == 0 && (ex = net_getline(c->n, &line, &len)) == 0 &&
	    pop3_reply_parse(line, len, r) != 0)
		ex = EX_PROTOCOL;
	if (ex != 0)
		enter(c, POP3C_CLOSED);
	return ex;
}

/* USER and PASS (RFC 1939 §7): 0 (TRANSACTION), or pop3_exit(r, 1)
 * with r the refusal, or net's status, or 78. */
static int
user(struct pop3_client *c, const char *u, const char *pass,
    struct pop3_reply *r)
{
	int ex;

	if (strpbrk(u, "\r\n") != NULL || strpbrk(pass, "\r\n") != NULL ||
	    strlen(u) > 200 || strlen(pass) > 200) {
		warn("a user name or password with a line break, or over 200 "
		    "bytes, cannot go in USER/PASS");
		return EX_CONFIG;
	}
	if ((ex = step(c, "USER", u, r)) != 0)
		return ex;
	if (r->ok && (ex = step(c, "PASS", pass, r)) != 0)
		return ex;
	if (!r->ok)
		return pop3_exit(r, 1);
	enter(c, POP3C_TRANSACTION);
	return 0;
}

int
pop3c_login(struct pop3_client *c, const struct net_opts *opts,
    const char *server, int trace)
{
	struct net_opts no = *opts;
	struct pop3_reply rep;
	struct net *n;
	int ex = 0, usr = no.auth && strcasecmp(no.auth, "USER") == 0;

	if (usr) {
		if (!no.allow_plaintext && (no.starttls != NET_STARTTLS_YES &&
		    strncasecmp(no.url, "pop3s:", 6) != 0)) {
			warn("%s: USER/PASS would send the password in clear "
			    "text (STLS not required); give --allow-plaintext "
			    "to allow it", no.url);
			return EX_NOPERM;
		}
		no.user = NULL;
		no.auth = NULL;
	}
	if ((n = net_open(&no, &ex)) == NULL)
		return ex;
	open_session(c, n, net_tls(n) && strncasecmp(no.url, "pop3s:", 6),
	    !usr, trace);
	c->server = server;
	if (!usr)
		return 0;
	if (!net_tls(n) && !no.allow_plaintext) {
		warn("%s: no TLS: the password will not go in clear text "
		    "(--allow-plaintext)", no.url);
		(void)pop3c_quit(c);
		return EX_NOPERM;
	}
	ex = user(c, opts->user, opts->pass ? opts->pass : "", &rep);
	if (ex != 0) {
		if (c->state != POP3C_CLOSED)
			warn("%s: login refused: %s", no.url, rep.text);
		(void)pop3c_quit(c);
	}
	return ex;
}

/* The message numbered num: the servers list in the same order, so the
 * one after the last found is tried first. */
static struct pop3c_msg *
by_num(struct pop3c_msg *m, size_t n, unsigned long num, size_t *hint)
{
	size_t i;

	if (*hint < n && m[*hint].num == num)
		return &m[(*hint)++];
	for (i = 0; i < n; i++)
		if (m[i].num == num) {
			*hint = i + 1;
			return &m[i];
		}
	return NULL;
}

/* Read a UIDL (uidl 1: the messages) or LIST (their sizes) listing:
 * 0, or net's status. */
static int
listing(struct pop3_client *c, int uidl, struct pop3c_msg **m, size_t *n)
{
	const char *l, *a;
	size_t len, al, cap = *n, hint = 0;
	unsigned long num;
	struct pop3c_msg *e;
	int k;

	while ((k = pop3c_listline(c, &l, &len)) == 1) {
		if (pop3_listing(l, len, &num, &a, &al) != 0) {
			char *q = rec_quote_dup(l, len, 80);

			warn("%s: a malformed %s line: %s", c->server,
			    uidl ? "UIDL" : "LIST", q);
			free(q);
			continue;
		}
		if (uidl) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*m = xrealloc(*m, cap * sizeof **m);
			}
			e = &(*m)[(*n)++];
			memset(e, 0, sizeof *e);
			e->num = num;
			memcpy(e->uid, a, al);
		} else if ((e = by_num(*m, *n, num, &hint)) != NULL) {
			e->size = strtoull(a, NULL, 10);
		}
	}
	return k == 0 ? 0 : -k;
}

int
pop3c_scan(struct pop3_client *c, struct pop3c_msg **m, size_t *n)
{
	struct pop3_reply rep;
	int ex, i;

	*m = NULL;
	*n = 0;
	if ((ex = pop3c_cmd(c, "UIDL", 0)) != 0)
		return ex;
	if (pop3c_room(c, 0) && (ex = pop3c_cmd(c, "LIST", 0)) != 0)
		return ex;
	for (i = 0; i < 2; i++) {
		if (i == 1 && c->count == 0 &&
		    (ex = pop3c_cmd(c, "LIST", 0)) != 0)
			return ex;
		if ((ex = pop3c_reply(c, &rep)) != 0)
			return ex;
		if (!rep.ok) {
			warn("%s: %s refused: %s", c->server, i ? "LIST" :
			    "UIDL", rep.text);
			return pop3_exit(&rep, 0);
		}
		if ((ex = listing(c, i == 0, m, n)) != 0)
			return ex;
	}
	return 0;
}

unsigned long long
pop3c_expect(enum pop3c_kind k, unsigned long long size)
{
	return k == POP3C_RETR ? size + 64 : k == POP3C_TOP ?
	    (size < 8192 ? size : 8192) + 64 : 32;
}

int
pop3c_room(const struct pop3_client *c, unsigned long long expect)
{
	if (c->count == 0)
		return 1;
	if (!(c->capa & POP3_CAPA_PIPELINING) || c->count >= POP3C_QMAX)
		return 0;
	return c->inflight + expect <= POP3C_WINDOW;
}

/* Send op's line; op enters the window. */
static int
send_op(struct pop3_client *c, const char *line, const struct pop3c_op *op)
{
	char buf[600];
	int k;

	k = snprintf(buf, sizeof buf, "%s\r\n", line);
	if (k < 0 || (size_t)k >= sizeof buf)
		die(EX_SOFTWARE, "a POP3 command too long");
	if (c->count >= POP3C_QMAX)
		die(EX_SOFTWARE, "too many POP3 commands in flight");
	if (strncmp(line, "DELE ", 5) == 0)
		c->dele = 1;
	c->fly[(c->head + c->count) % POP3C_QMAX] = *op;
	c->count++;
	c->inflight += op->expect;
	return net_send(c->n, buf, (size_t)k);
}

int
pop3c_cmd(struct pop3_client *c, const char *line, unsigned long long expect)
{
	struct pop3c_op op;

	memset(&op, 0, sizeof op);
	op.kind = POP3C_OTHER;
	op.expect = expect;
	return send_op(c, line, &op);
}

int
pop3c_reply(struct pop3_client *c, struct pop3_reply *r)
{
	const char *line;
	size_t len;
	int ex;

	if (c->count > 0) {
		c->inflight -= c->fly[c->head].expect;
		c->head = (c->head + 1) % POP3C_QMAX;
		c->count--;
	}
	if ((ex = net_getline(c->n, &line, &len)) != 0) {
		enter(c, POP3C_CLOSED);
		return ex;
	}
	if (pop3_reply_parse(line, len, r) != 0) {
		enter(c, POP3C_CLOSED);
		return EX_PROTOCOL;
	}
	return 0;
}

#define CHUNK	(64 * 1024)

int
pop3c_body(struct pop3_client *c, pop3c_sink *sink, void *arg,
    unsigned long long *bytes, int *sinkerr)
{
	static char out[CHUNK + 1];
	struct pop3_ml m;
	const char *p;
	size_t len, used, olen;
	int ex;

	pop3_ml_init(&m);
	*sinkerr = 0;
	while (!m.done) {
		if ((ex = net_peek(c->n, &p, &len)) != 0) {
			enter(c, POP3C_CLOSED);
			return ex;
		}
		if (len > CHUNK)
			len = CHUNK;
		used = pop3_ml_decode(&m, p, len, out, &olen);
		net_consume(c->n, used);
		if (olen > 0 && *sinkerr == 0)
			*sinkerr = sink(arg, out, olen);
	}
	*bytes = m.out;
	if (c->trace)
		fprintf(stderr, "S: [%llu bytes of message data]\nS: .\n",
		    m.out);
	return 0;
}

int
pop3c_discard(void *arg, const char *p, size_t n)
{
	(void)arg;
	(void)p;
	(void)n;
	return 0;
}

int
pop3c_listline(struct pop3_client *c, const char **line, size_t *len)
{
	int ex;

	if ((ex = net_getline(c->n, line, len)) != 0) {
		enter(c, POP3C_CLOSED);
		return -ex;
	}
	if (*len >= 1 && (*line)[0] == '.') {
		if (*len == 1)
			return 0;
		(*line)++;
		(*len)--;
	}
	return 1;
}

void
pop3c_push(struct pop3_client *c, enum pop3c_kind k,
    const struct pop3c_msg *m, size_t id)
{
	struct pop3c_op *op;

	if (c->ntodo == c->todocap) {
		c->todocap = c->todocap ? c->todocap * 2 : 64;
		c->todo = xrealloc(c->todo, c->todocap * sizeof *c->todo);
	}
	op = &c->todo[c->ntodo++];
	op->kind = k;
	op->num = m->num;
	op->id = id;
	op->expect = pop3c_expect(k, m->size);
}

void
pop3c_stop(struct pop3_client *c)
{
	size_t i, o = c->itodo;

	c->stop = 1;
	for (i = c->itodo; i < c->ntodo; i++)
		if (c->todo[i].kind == POP3C_DELE)
			c->todo[o++] = c->todo[i];
	c->ntodo = o;
}

int
pop3c_transact(struct pop3_client *c, const struct pop3c_handler *h)
{
	struct pop3_reply rep;
	struct pop3c_op op;
	int ex;

	for (;;) {
		if (c->stop)
			pop3c_stop(c);	/* what was queued since */
		while (c->itodo < c->ntodo &&
		    pop3c_room(c, c->todo[c->itodo].expect)) {
			char cmd[64];

			op = c->todo[c->itodo++];
			snprintf(cmd, sizeof cmd, op.kind == POP3C_TOP ?
			    "TOP %lu 0" : op.kind == POP3C_RETR ? "RETR %lu" :
			    "DELE %lu", op.num);
			if ((ex = send_op(c, cmd, &op)) != 0)
				return ex;
		}
		if (h->idle(h->arg, c->count ? &c->fly[c->head] : NULL))
			continue;
		if (c->count == 0)
			return 0;
		op = c->fly[c->head];
		if ((ex = pop3c_reply(c, &rep)) != 0 ||
		    (ex = h->reply(h->arg, &op, &rep)) != 0)
			return ex;
	}
}

int
pop3c_quit(struct pop3_client *c)
{
	struct pop3_reply r;
	int ex = EX_TEMPFAIL;

	if (c->state == POP3C_TRANSACTION || c->state == POP3C_AUTH) {
		/* replies still owed are read first: they are in order */
		while (c->count > 0)
			if (pop3c_reply(c, &r) != 0)
				break;
		if (c->state != POP3C_CLOSED && pop3c_cmd(c, "QUIT", 0) == 0) {
			enter(c, POP3C_UPDATE);
			/* with nothing to commit the reply says nothing: a
			 * round trip saved */
			if (!c->dele)
				ex = net_flush(c->n);
			else if (pop3c_reply(c, &r) == 0 && r.ok)
				ex = 0;
		}
	}
	enter(c, POP3C_CLOSED);
	net_close(c->n);
	c->n = NULL;
	return ex;
}

int
pop3c_login_quit(const struct net_opts *no)
{
	struct pop3_client c;
	struct net *n;
	int ex = 0;

	if ((n = net_open(no, &ex)) == NULL)
		return ex;
	open_session(&c, n, net_tls(n) &&
	    strncasecmp(no->url, "pop3s:", 6) != 0, 1,
	    no->trace || no->explain);
	(void)pop3c_quit(&c);
	return 0;
}

void
pop3c_free(struct pop3_client *c)
{
	free(c->todo);
	c->todo = NULL;
	c->ntodo = c->itodo = c->todocap = 0;
}
