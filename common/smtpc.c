/*
 * smtpc: one SMTP transaction as a state machine (see smtpc.h).
 *
 * The model is OpenSMTPD's smtp_client.c: the protocol steps and their
 * order live here, what a reply means to the user lives in the program.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpc.h"
#include "util.h"

#define CHUNK	(64 * 1024)

static const char *const names[SMTPC_NSTATES] = {
	"READY", "MAIL", "RCPT", "DATA", "BODY", "RSET", "QUIT", "CLOSED"
};

const char *
smtpc_state_name(enum smtpc_state s)
{
	return (unsigned)s < SMTPC_NSTATES ? names[s] : "?";
}

static void
enter(struct smtpc *c, enum smtpc_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	if (c->trace)
		fprintf(stderr, "* state: %s\n", names[s]);
}

int
smtpc_open(struct smtpc *c, const struct net_opts *no, struct smtp_ext *e,
    int *opened)
{
	struct net *n;
	const char *b;
	size_t blen;
	int ex = 0;

	*opened = 0;
	if ((n = net_open(no, &ex)) == NULL)
		return ex;
	*opened = 1;
	b = net_banner(n, &blen);
	if (smtp_ehlo_parse(b, blen, e) != 0) {
		warn("%s: malformed EHLO reply", no->url);
		net_close(n);
		return EX_PROTOCOL;
	}
	smtpc_init(c, n, e->flags, no->trace);
	return 0;
}

void
smtpc_init(struct smtpc *c, struct net *n, unsigned ext, int trace)
{
	memset(c, 0, sizeof *c);
	c->n = n;
	c->ext = ext;
	c->trace = trace;
	c->state = SMTPC_READY;
	if (trace)
		fprintf(stderr, "* state: %s\n", names[SMTPC_READY]);
}

/* ---- commands ---- */

const char *
smtpc_notify_check(const char *s)
{
	char buf[64], *w, *save = NULL;
	int never = 0, other = 0;

	if (strlen(s) >= sizeof buf)
		return "bad value";
	strcpy(buf, s);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(w, "never") == 0)
			never = 1;
		else if (strcasecmp(w, "success") == 0 ||
		    strcasecmp(w, "failure") == 0 || strcasecmp(w, "delay") == 0)
			other = 1;
		else
			return "want never or a list of success, failure, delay";
	}
	if (never && other)
		return "never cannot be combined with others";
	return never || other ? NULL : "empty";
}

int
smtpc_addr_ok(const char *a)
{
	const unsigned char *p;

	if (*a == '\0' || strlen(a) > 900)
		return 0;
	for (p = (const unsigned char *)a; *p; p++)
		if (*p < 32 || *p == 127 || *p == '<' || *p == '>')
			return 0;
	return 1;
}

static void
smtpc_cmd_ok(int rc)
{
	if (rc != 0)
		die(EX_SOFTWARE, "building an SMTP command failed");
}

void
smtpc_mail_cmd(struct buf *b, const char *sender, unsigned ext,
    const struct smtpc_env *v)
{
	char x[400];

	smtpc_cmd_ok(buf_printf(b, "MAIL FROM:<%s>", sender));
	if (v->body8 && (ext & SMTP_EXT_8BITMIME))
		smtpc_cmd_ok(buf_adds(b, " BODY=8BITMIME"));
	if (v->utf8 && (ext & SMTP_EXT_SMTPUTF8))
		smtpc_cmd_ok(buf_adds(b, " SMTPUTF8"));
	if (ext & SMTP_EXT_SIZE)
		smtpc_cmd_ok(buf_printf(b, " SIZE=%llu", v->size));
	if (ext & SMTP_EXT_DSN) {
		if (v->ret != NULL)
			smtpc_cmd_ok(buf_printf(b, " RET=%s",
			    strcasecmp(v->ret, "full") ? "HDRS" : "FULL"));
		if (v->envid != NULL && smtp_xtext(v->envid,
		    strlen(v->envid), x, sizeof x) != (size_t)-1)
			smtpc_cmd_ok(buf_printf(b, " ENVID=%s", x));
	}
	smtpc_cmd_ok(buf_adds(b, "\r\n"));
}

void
smtpc_rcpt_cmd(struct buf *b, const char *a, unsigned ext,
    const struct smtpc_env *v)
{
	static char x[3 * 1000 + 1];
	size_t i;

	smtpc_cmd_ok(buf_printf(b, "RCPT TO:<%s>", a));
	if ((ext & SMTP_EXT_DSN) && v->notify != NULL) {
		smtpc_cmd_ok(buf_adds(b, " NOTIFY="));
		for (i = 0; v->notify[i]; i++)
			smtpc_cmd_ok(buf_addc(b,
			    toupper((unsigned char)v->notify[i])));
		/* ORCPT is "rfc822;" xtext; a UTF-8 address needs utf-8-addr
		 * (RFC 6533), which we do not send. */
		if (!smtp_has8bit(a, strlen(a)) && smtp_xtext(a, strlen(a), x,
		    sizeof x) != (size_t)-1)
			smtpc_cmd_ok(buf_printf(b, " ORCPT=rfc822;%s", x));
	}
	smtpc_cmd_ok(buf_adds(b, "\r\n"));
}

/* ---- the DATA stream ---- */

struct wire {
	struct smtp_enc enc;
	struct net *n;		/* NULL: to stdout, CRLF as LF */
	int err;
	unsigned long long total;	/* for the progress bar, or 0 */
	int shown;		/* percent last shown */
	char out[SMTP_ENC_BOUND(CHUNK) + SMTP_ENC_FINAL_MAX];
};

static void
progress(struct wire *w, int done)
{
	int pc;

	if (w->total == 0)
		return;
	pc = done ? 100 : (int)(w->enc.out * 100 / w->total);
	if (pc > 100)
		pc = 100;
	if (pc == w->shown && !done)
		return;
	w->shown = pc;
	fprintf(stderr, "\r%s: sending %3d%% of %.1f MB%s", progname, pc,
	    w->total / 1e6, done ? "\n" : "");
}

static void
wire_emit(struct wire *w, const char *p, size_t n)
{
	size_t i, s = 0;

	if (w->err)
		return;
	if (w->n != NULL) {
		w->err = net_send_data(w->n, p, n);
		progress(w, 0);
		return;
	}
	/* stdout: the encoder makes every line end CRLF; print LF */
	for (i = 0; i < n; i++)
		if (p[i] == '\r') {
			out(p + s, i - s);
			s = i + 1;
		}
	out(p + s, n - s);
}

static void
wire_sink(void *arg, const char *p, size_t n)
{
	struct wire *w = arg;
	size_t k;

	while (n > 0) {
		k = n > CHUNK ? CHUNK : n;
		wire_emit(w, w->out, smtp_enc_update(&w->enc, p, k, w->out));
		p += k;
		n -= k;
	}
}

/* The message and the final dot.  Returns 0 or a net error. */
static int
send_message(struct wire *w, smtpc_source *source, void *arg)
{
	smtp_enc_init(&w->enc);
	source(arg, wire_sink, w);
	wire_emit(w, w->out, smtp_enc_final(&w->enc, w->out));
	return w->err;
}

/* The transaction's commands: MAIL and the RCPTs, each CRLF-ended. */
static struct buf *
commands(const struct smtpc_tx *tx, unsigned ext)
{
	struct buf *b = xcalloc(tx->k + 1, sizeof *b);
	size_t i;

	buf_init(&b[0], SIZE_MAX);
	smtpc_mail_cmd(&b[0], tx->sender, ext, tx->env);
	for (i = 0; i < tx->k; i++) {
		buf_init(&b[i + 1], SIZE_MAX);
		smtpc_rcpt_cmd(&b[i + 1], tx->addr(tx->arg, i), ext, tx->env);
	}
	return b;
}

static void
commands_free(struct buf *b, size_t k)
{
	size_t i;

	for (i = 0; i <= k; i++)
		buf_free(&b[i]);
	free(b);
}

void
smtpc_print(const struct smtpc_tx *tx, unsigned ext)
{
	static struct wire w;
	struct buf *b = commands(tx, ext);
	size_t i;

	w.n = NULL;
	for (i = 0; i <= tx->k; i++)
		wire_emit(&w, b[i].p, b[i].len);
	wire_emit(&w, "DATA\r\n", 6);
	commands_free(b, tx->k);
	send_message(&w, tx->source, tx->arg);
}

/* ---- replies ---- */

static int
read_reply(struct net *n, struct smtp_reply *r)
{
	const char *l;
	size_t len;
	int rc;

	smtp_reply_init(r);
	for (;;) {
		if ((rc = net_getline(n, &l, &len)) != 0)
			return rc;
		rc = smtp_reply_line(r, l, len);
		if (rc == SMTP_DONE)
			return 0;
		if (rc == SMTP_BAD) {
			char shown[201];
			size_t i;

			/* what the server sent is not ours to print raw */
			for (i = 0; i < len && i < sizeof shown - 1; i++)
				shown[i] = l[i] >= 0x20 && l[i] < 0x7f ? l[i] :
				    '?';
			shown[i] = '\0';
			warn("malformed reply from the server: %s", shown);
			return EX_PROTOCOL;
		}
	}
}

/* Send s (if any), flush, read the reply into *r: 0 or a net error. */
static int
step(struct smtpc *c, const char *s, size_t len, struct smtp_reply *r)
{
	int rc;

	if ((len > 0 && (rc = net_send(c->n, s, len))) ||
	    (rc = net_flush(c->n)) || (rc = read_reply(c->n, r)))
		return rc;
	return 0;
}

static enum smtpc_result
lost(struct smtpc *c, struct smtpc_tx *tx, int rc, enum smtpc_result res)
{
	tx->ex = rc;
	enter(c, SMTPC_CLOSED);
	return res;
}

/* A refusal of the whole transaction: a 421 closes the session. */
static enum smtpc_result
refused(struct smtpc *c, enum smtpc_result res, const struct smtp_reply *r)
{
	enter(c, r->code == 421 ? SMTPC_CLOSED : SMTPC_READY);
	return res;
}

static void
rcpt_reply(struct smtpc_tx *tx, size_t i, const struct smtp_reply *r,
    size_t *n452)
{
	tx->on_rcpt(tx->arg, i, r);
	tx->ok += r->code / 100 == 2;
	*n452 += r->code == 452;
}

/* Without PIPELINING: MAIL and each RCPT wait for their reply. */
static enum smtpc_result
envelope_lockstep(struct smtpc *c, struct smtpc_tx *tx, const struct buf *b,
    size_t *n452)
{
	size_t i;
	int rc;

	enter(c, SMTPC_MAIL);
	if ((rc = step(c, b[0].p, b[0].len, &tx->r)))
		return lost(c, tx, rc, SMTPC_LOST);
	if (tx->r.code != 250)
		return refused(c, SMTPC_MAIL_REFUSED, &tx->r);
	enter(c, SMTPC_RCPT);
	for (i = 0; i < tx->k; i++) {
		if ((rc = step(c, b[i + 1].p, b[i + 1].len, &tx->r)))
			return lost(c, tx, rc, SMTPC_LOST);
		rcpt_reply(tx, i, &tx->r, n452);
		if (tx->r.code == 421)
			return lost(c, tx, EX_TEMPFAIL, SMTPC_RCPT_421);
	}
	if (tx->ok == 0)
		return SMTPC_NOBODY;
	enter(c, SMTPC_DATA);
	if ((rc = net_send(c->n, "DATA\r\n", 6)) || (rc = net_flush(c->n)))
		return lost(c, tx, rc, SMTPC_LOST);
	return SMTPC_SENT;
}

/* With PIPELINING (RFC 2920): MAIL, the RCPTs and DATA in one write,
 * then their replies in order. */
static enum smtpc_result
envelope_pipelined(struct smtpc *c, struct smtpc_tx *tx, const struct buf *b,
    size_t *n452)
{
	struct smtp_reply x;
	size_t i;
	int rc;

	enter(c, SMTPC_MAIL);
	for (i = 0; i <= tx->k; i++)
		if ((rc = net_send(c->n, b[i].p, b[i].len)))
			return lost(c, tx, rc, SMTPC_LOST);
	if ((rc = net_send(c->n, "DATA\r\n", 6)) || (rc = net_flush(c->n)) ||
	    (rc = read_reply(c->n, &tx->r)))
		return lost(c, tx, rc, SMTPC_LOST);
	if (tx->r.code != 250) {
		/* unless the server is gone, the RCPT and DATA replies
		 * still come, in order */
		for (i = 0; tx->r.code != 421 && i <= tx->k; i++)
			if ((rc = read_reply(c->n, &x)))
				return lost(c, tx, rc, SMTPC_LOST);
		return refused(c, SMTPC_MAIL_REFUSED, &tx->r);
	}
	enter(c, SMTPC_RCPT);
	for (i = 0; i < tx->k; i++) {
		if ((rc = read_reply(c->n, &tx->r)))
			return lost(c, tx, rc, SMTPC_LOST);
		rcpt_reply(tx, i, &tx->r, n452);
		if (tx->r.code == 421)
			return lost(c, tx, EX_TEMPFAIL, SMTPC_RCPT_421);
	}
	enter(c, SMTPC_DATA);
	return SMTPC_SENT;
}

/* After 354: the message, and its final reply. */
static enum smtpc_result
body(struct smtpc *c, struct smtpc_tx *tx, size_t n452)
{
	static struct wire w;
	int rc;

	enter(c, SMTPC_BODY);
	memset(&w.enc, 0, sizeof w.enc);
	w.n = c->n;
	w.err = 0;
	w.shown = -1;
	w.total = tx->progress;
	if ((rc = send_message(&w, tx->source, tx->arg)))
		goto lostdata;
	progress(&w, 1);
	net_data_summary(c->n, w.enc.out);
	/* RFC 2920 §3.1: QUIT may follow the data in the same group;
	 * that saves the last round trip.  Not when a transaction for
	 * more recipients (or those deferred with 452) is to follow. */
	if ((c->ext & SMTP_EXT_PIPELINING) && !tx->more && n452 == 0 &&
	    (rc = net_send(c->n, "QUIT\r\n", 6)) == 0)
		c->quit_sent = 1;
	if (rc || (rc = net_flush(c->n)) || (rc = read_reply(c->n, &tx->r)))
		goto lostdata;
	if (tx->r.code >= 200 && tx->r.code < 400) {
		enter(c, c->quit_sent ? SMTPC_QUIT : SMTPC_READY);
		return SMTPC_SENT;
	}
	return refused(c, SMTPC_MSG_REFUSED, &tx->r);
lostdata:
	if (w.total > 0)
		fputc('\n', stderr);
	return lost(c, tx, EX_TEMPFAIL, SMTPC_LOST_DATA);
}

enum smtpc_result
smtpc_tx(struct smtpc *c, struct smtpc_tx *tx)
{
	struct buf *b = commands(tx, c->ext);
	enum smtpc_result res;
	size_t n452 = 0;
	int rc;

	tx->ok = 0;
	tx->ex = 0;
	smtp_reply_init(&tx->r);
	if (c->ext & SMTP_EXT_PIPELINING)
		res = envelope_pipelined(c, tx, b, &n452);
	else
		res = envelope_lockstep(c, tx, b, &n452);
	commands_free(b, tx->k);
	if (res == SMTPC_NOBODY) {
		/* MAIL was accepted: clear it before the next MAIL */
		if (tx->more) {
			enter(c, SMTPC_RSET);
			if ((rc = step(c, "RSET\r\n", 6, &tx->r)))
				return lost(c, tx, rc, SMTPC_LOST);
		}
		enter(c, SMTPC_READY);
		return res;
	}
	if (res != SMTPC_SENT)
		return res;
	if ((rc = read_reply(c->n, &tx->r)))
		return lost(c, tx, rc, SMTPC_LOST);
	if (tx->r.code != 354)
		return refused(c, SMTPC_DATA_REFUSED, &tx->r);
	if (tx->ok == 0) {
		/* 354 with no recipient (RFC 2920 §3.1): send nothing */
		enter(c, SMTPC_BODY);
		if ((rc = step(c, ".\r\n", 3, &tx->r)))
			return lost(c, tx, rc, SMTPC_LOST);
		enter(c, SMTPC_READY);
		return SMTPC_NOBODY;
	}
	return body(c, tx, n452);
}

void
smtpc_quit(struct smtpc *c)
{
	struct smtp_reply r;

	if (c->state != SMTPC_CLOSED && (c->quit_sent ||
	    (net_send(c->n, "QUIT\r\n", 6) == 0 && net_flush(c->n) == 0))) {
		enter(c, SMTPC_QUIT);
		read_reply(c->n, &r);
	}
	enter(c, SMTPC_CLOSED);
	net_close(c->n);
}
