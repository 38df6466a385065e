/*
 * mailsend: submit a message over SMTP; sendmail-compatible.
 *
 * libcurl opens the session (connect, TLS or STARTTLS, SASL) through
 * common/net and common/client; from MAIL FROM on common/smtpc speaks
 * SMTP itself, so that it can pipeline (RFC 2920), pass ESMTP parameters
 * libcurl has no API for (BODY=8BITMIME, DSN, SMTPUTF8) and report every
 * recipient's reply.  common/smtpmsg reads the message once (bounded
 * memory) and streams it; common/rcpt keeps the recipients with their
 * replies and batches a session's transactions.  This file is the
 * policy: options, envelope, recipients, and what each reply means.
 *
 * Line ends are made CRLF and lines dot-stuffed by common/smtp's encoder
 * and nowhere else: whatever the input holds, no bare CR or LF reaches
 * the wire and nothing in the message can end the DATA phase early.
 *
 * The exit status is the worst outcome over all recipients (see
 * ex_worse()): 0 only if every recipient was accepted and the message
 * queued.
 */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "client.h"
#include "dns.h"
#include "hdr.h"
#include "net.h"
#include "pop3.h"
#include "rcpt.h"
#include "rec.h"
#include "smtp.h"
#include "smtpc.h"
#include "smtpmsg.h"
#include "util.h"

struct opts {
	int t, verbose, dryrun, downgrade, popb4;
	const char *from, *fullname, *dns;
	const char *notify, *ret, *envid;
	long mxport;
	struct client c;	/* -S, -a, -u, --trace and the like */
};

static struct opts opt;
static struct rcpts rl;		/* the recipients, and their replies */

static void
usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s [-tiv] [-f from] [-F name] [-S url | -a account "
	    "| --mx] [-u user]\n"
	    "       [-N never|success,failure,delay] [-R full|hdrs] "
	    "[-V envid] [--dry-run]\n"
	    "       [--downgrade] [--auth mech] [--netrc-file file] "
	    "[--cacert file] [--insecure]\n"
	    "       [--pin sha256//...] [--starttls=yes|try|no] "
	    "[--allow-plaintext]\n"
	    "       [--timeout sec] [--trace] [--explain] [--helo name] "
	    "[--mx-port port]\n"
	    "       [--dns server[:port]] [--pop-before-smtp] [recipient ...] < message\n"
	    "       %s -h | --version\n", progname, progname);
	if (status)
		exit(status);
	out_close();
	exit(0);
}

/* ---- options ---- */

static void
sendmail_b(const char *arg)
{
	if (strcmp(arg, "m") == 0)
		return;
	die(EX_USAGE, "-b%s: not supported (only -bm, deliver a message); "
	    "mailsend has no queue, daemon or SMTP-on-stdin mode", arg);
}

enum {
	O_DRYRUN = 256, O_DOWNGRADE, O_MX, O_MXPORT, O_DNS, O_VERSION, O_HELP,
	O_POPB4
};

static const struct option lopts[] = {
	{ "dry-run", no_argument, NULL, O_DRYRUN },
	{ "downgrade", no_argument, NULL, O_DOWNGRADE },
	{ "mx", no_argument, NULL, O_MX },
	{ "mx-port", required_argument, NULL, O_MXPORT },
	{ "dns", required_argument, NULL, O_DNS },
	{ "pop-before-smtp", no_argument, NULL, O_POPB4 },
	CLIENT_LONGOPTS,
	{ "version", no_argument, NULL, O_VERSION },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
parse_opts(int argc, char **argv)
{
	/* '+': stop at the first recipient, as sendmail does. */
	static const char optstr[] = "+a:B:b:F:f:hiL:N:o:R:r:S:tu:V:vX:";
	const char *why;
	int c;

	client_init(&opt.c);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		if (client_opt(&opt.c, c, optarg))
			continue;
		switch (c) {
		case 'B': break;	/* -B8BITMIME: decided from the body */
		case 'b': sendmail_b(optarg); break;
		case 'F': opt.fullname = optarg; break;
		case 'f': case 'r': opt.from = optarg; break;
		case 'h': case O_HELP: usage(0); break;
		case 'i': break;	/* dots are always handled */
		case 'L': break;	/* syslog tag: no syslog */
		case 'N':
			if ((why = smtpc_notify_check(optarg)) != NULL)
				die(EX_USAGE, "-N %s: %s", optarg, why);
			opt.notify = optarg;
			break;
		case 'o': break;	/* -oi, -oem, -odi...: ignored */
		case 'R':
			if (strcasecmp(optarg, "full") && strcasecmp(optarg, "hdrs"))
				die(EX_USAGE, "-R %s: want full or hdrs", optarg);
			opt.ret = optarg;
			break;
		case 't': opt.t = 1; break;
		case 'V': opt.envid = optarg; break;
		case 'v': opt.verbose = 1; break;
		case 'X': break;	/* sendmail's traffic log: see --trace */
		case O_DRYRUN: opt.dryrun = 1; break;
		case O_DOWNGRADE: opt.downgrade = 1; break;
		case O_MX: opt.c.mx = 1; break;
		case O_MXPORT:
			opt.mxport = client_number(optarg, "--mx-port", 1,
			    65535);
			break;
		case O_DNS: opt.dns = optarg; break;
		case O_POPB4: opt.popb4 = 1; break;
		case O_VERSION: version(); break;
		default:
			if (optopt >= 256 || optopt == 0)
				warn("unknown or incomplete option %s",
				    argv[optind - 1]);
			else
				warn_badopt(optstr);
			usage(EX_USAGE);
		}
	}
	if (opt.envid != NULL && strlen(opt.envid) > 100)
		die(EX_USAGE, "-V: an envelope id of at most 100 characters");
	return optind;
}

/*
 * POP before SMTP: the account's POP3 login, then QUIT, before the SMTP
 * session (a provider that relays for hosts that just logged in), with
 * the account's user, password and TLS settings.  Only an account's
 * pop3 server: a password goes only where it belongs.
 */
static void
pop_before_smtp(void)
{
	struct net_opts no = opt.c.no;
	int ex;

	if (opt.c.acct.name == NULL || opt.c.acct.pop3 == NULL)
		die(EX_CONFIG, "--pop-before-smtp needs an account with a "
		    "pop3 URL");
	no.url = opt.c.acct.pop3;
	no.helo = NULL;
	if ((ex = pop3_login_quit(&no)) != 0) {
		client_close(&opt.c);
		exit(ex);
	}
}

/* ---- addresses ---- */

static int
nonascii(const char *s)
{
	return smtp_has8bit(s, strlen(s));
}

/*
 * Parse an address list whole or die: a recipient skipped here would
 * never get the message, and nobody would know.  where names the list
 * (a field name, "argument" or "-f") for the message.
 */
static void
parse_list(const char *where, const char *p, size_t n, struct addrlist *l)
{
	char *bad;

	if (addr_parse(p, n, l) < 0)
		die(EX_DATAERR, "%s: more than %d addresses; nothing sent",
		    where, ADDR_MAX);
	if (l->nbad > 0) {
		bad = rec_quote_dup(l->bad, strlen(l->bad), 200);
		die(EX_DATAERR, "%s: bad address '%s'; nothing sent", where,
		    bad);
	}
}

/* Every address of an address list (a field value or an argument). */
static void
add_rcpts(const char *where, const char *p, size_t n)
{
	struct addrlist l = { 0 };
	size_t i;

	parse_list(where, p, n, &l);
	for (i = 0; i < l.n; i++)
		rcpt_add(&rl, l.v[i].addr);
	addr_free(&l);
}

/* -t: every address of To, Cc and Bcc is a recipient. */
static void
header_rcpts(const struct smsg *m)
{
	struct hdrfield f;
	size_t off = 0;
	char *name;

	while (hdr_next(m->hraw, m->hlen, &off, &f))
		if (hdr_is(&f, "to") || hdr_is(&f, "cc") || hdr_is(&f, "bcc")) {
			name = rec_quote_dup(f.name, f.namelen, 80);
			add_rcpts(name, f.val, f.vallen);
			free(name);
		}
}

/* The display name of the first address of l, if it has one. */
static void
display_name(const struct addrlist *l, char **name)
{
	if (l->n > 0 && l->v[0].name != NULL && *l->v[0].name != '\0')
		*name = xstrdup(l->v[0].name);
}

/* The envelope sender: -f, the From address, the account's from,
 * $USER@hostname.  *name: the display name that came with -f or the
 * account's from (for the From field we add), else NULL. */
static char *
envelope_sender(const struct smsg *m, const char *acct_from, char **name)
{
	struct addrlist l = { 0 };
	char *s;
	size_t n;

	if (opt.from != NULL) {
		n = strlen(opt.from);
		if (n >= 2 && opt.from[0] == '<' && opt.from[n - 1] == '>')
			return xstrndup(opt.from + 1, n - 2);
		parse_list("-f", opt.from, n, &l);
		if (l.n > 1)
			die(EX_DATAERR, "-f: one address, not %zu", l.n);
		s = xstrdup(l.n > 0 ? l.v[0].addr : opt.from);
		display_name(&l, name);
		addr_free(&l);
		return s;
	}
	if (m->from_addr != NULL)
		return xstrdup(m->from_addr);
	if (acct_from != NULL) {
		addr_parse(acct_from, strlen(acct_from), &l);
		if (l.n > 0) {
			s = xstrdup(l.v[0].addr);
			display_name(&l, name);
			addr_free(&l);
			return s;
		}
		addr_free(&l);
	}
	return smsg_local_sender();
}

/* The envelope's ESMTP parameters for what the message needs. */
static struct smtpc_env
env_of(const struct smsg_need *nd)
{
	struct smtpc_env v = { 0 };

	v.body8 = nd->body8 && !nd->downgrade;
	v.utf8 = nd->utf8;
	v.size = nd->size;
	v.ret = opt.ret;
	v.envid = opt.envid;
	v.notify = opt.notify;
	return v;
}

/* A whole envelope for "any server": what --dry-run shows. */
#define EVERY	(SMTP_EXT_PIPELINING | SMTP_EXT_8BITMIME | \
	SMTP_EXT_SMTPUTF8 | SMTP_EXT_SIZE | SMTP_EXT_DSN)

/* On a terminal, a message over 1 MB shows how far it has gone. */
#define PROGRESS_MIN (1024 * 1024)

/* ---- a session ---- */

/* -v: one record on stderr, its fields under the safe-text rule. */
static void
report(const char *what, const struct smtp_reply *r)
{
	struct buf b;

	if (!opt.verbose)
		return;
	buf_init(&b, 4 * (strlen(what) + sizeof r->text + sizeof r->enh) + 64);
	rec_fields(&b, what);
	buf_printf(&b, "\t%d\t", r->code);
	rec_fields(&b, r->enh);
	buf_addc(&b, '\t');
	rec_fields(&b, r->text);
	fprintf(stderr, "%s\n", b.p);
	buf_free(&b);
}

/* What a transaction needs; src first: it is smsg_write()'s argument. */
struct txctx {
	struct smsg_src src;
	size_t *idx;
	struct smtpc *c;
	const struct smsg_need *nd;
	const char *sender;
};

static const char *
tx_addr(void *arg, size_t i)
{
	const struct txctx *t = arg;

	return rl.v[t->idx[i]].addr;
}

static void
on_rcpt(void *arg, size_t i, const struct smtp_reply *r)
{
	struct txctx *t = arg;
	struct rcpt *p = &rl.v[t->idx[i]];

	rcpt_set(p, r, 0);
	report(p->addr, r);
}

/* A transaction for k recipients, t->idx[0..k). */
static void
tx_init(struct smtpc_tx *tx, struct txctx *t, const struct smtpc_env *v,
    const char *sender, size_t k)
{
	memset(tx, 0, sizeof *tx);
	tx->sender = sender;
	tx->k = k;
	tx->addr = tx_addr;
	tx->env = v;
	tx->source = smsg_write;
	tx->arg = t;
	tx->on_rcpt = on_rcpt;
}

static void
refusal(const char *what, const struct smtp_reply *r)
{
	warn("%s: %d %s%s%s", what, r->code, r->enh, *r->enh ? " " : "",
	    r->text);
}

/* One transaction of a session (a rcpt_tx_fn, see rcpt_session()):
 * what each reply means, told on stderr, and for which recipients. */
static int
transaction(void *arg, size_t *idx, size_t k, int more, int *sent,
    int *stop)
{
	struct txctx *t = arg;
	struct smtpc *c = t->c;
	const struct smsg_need *nd = t->nd;
	const char *sender = t->sender;
	struct smtpc_env v = env_of(nd);
	struct smtpc_tx tx;
	enum smtpc_result res;
	size_t i;
	int ex = 0;

	t->idx = idx;
	tx_init(&tx, t, &v, sender, k);
	tx.more = more;
	tx.progress = isatty(2) && !opt.c.trace && nd->size >= PROGRESS_MIN ?
	    nd->size : 0;
	res = smtpc_tx(c, &tx);
	*sent = res == SMTPC_SENT;
	*stop = !(*sent || res == SMTPC_NOBODY ||
	    (res == SMTPC_DATA_REFUSED && tx.ok == 0));
	switch (res) {
	case SMTPC_SENT:
		report("DATA", &tx.r);
		break;
	case SMTPC_NOBODY:
		break;
	case SMTPC_MAIL_REFUSED:
		report("MAIL", &tx.r);
		if (!opt.verbose) {
			char what[1100];

			snprintf(what, sizeof what, "MAIL FROM:<%s> refused",
			    sender);
			refusal(what, &tx.r);
		}
		/* the recipients take the reply, told once, here */
		for (i = 0; i < k; i++)
			rcpt_set(&rl.v[idx[i]], &tx.r, 1);
		ex = smtp_exit(tx.r.code, tx.r.enh, 0);
		break;
	case SMTPC_DATA_REFUSED:
	case SMTPC_MSG_REFUSED:
		report("DATA", &tx.r);
		if (res == SMTPC_DATA_REFUSED && tx.ok == 0) {
			*stop = c->state == SMTPC_CLOSED;
			break;		/* the recipients say it all */
		}
		if (res == SMTPC_DATA_REFUSED)
			refusal("DATA refused", &tx.r);
		else if (!opt.verbose)
			refusal("message refused", &tx.r);
		rcpt_not_sent(&rl, idx, k, &tx.r);
		ex = smtp_exit(tx.r.code, tx.r.enh, 0);
		break;
	case SMTPC_LOST_DATA:
		warn("the connection was lost during DATA: the message was "
		    "not sent");
		/* FALLTHROUGH */
	case SMTPC_RCPT_421:
	case SMTPC_LOST:
		/* those accepted and those not asked yet are deferred */
		rcpt_not_sent(&rl, idx, k, NULL);
		ex = tx.ex;
		break;
	}
	return ex;
}

/*
 * Open a session, run the transactions for idx[0..k), close.  Returns
 * the session's exit status; *opened says whether a session was opened,
 * *unfit that the server cannot take this message at all (malformed
 * EHLO, no 8BITMIME or SMTPUTF8 when needed, SIZE too small).
 */
static int
deliver(struct net_opts *no, const struct smsg *m, struct smsg_need nd,
    const char *sender, size_t *idx, size_t k, int *opened, int *unfit)
{
	struct smtp_ext e;
	struct buf dh = { 0 };
	struct smtpc c;
	struct txctx t = { { m, NULL, 0 }, NULL, &c, &nd, sender };
	int ex = 0;

	*opened = *unfit = 0;
	if ((ex = smtpc_open(&c, no, &e, opened)) != 0) {
		*unfit = *opened;
		return ex;
	}
	ex = smsg_fit(m, &e, &nd, opt.downgrade, &dh, &t.src.h, no->url);
	t.src.mode = nd.downgrade;
	if (ex == 0)
		ex = rcpt_session(&rl, idx, k, transaction, &t);
	else
		*unfit = 1;
	smtpc_quit(&c);
	if (dh.p != NULL)
		buf_free(&dh);
	return ex;
}

/* ---- --mx ---- */

/* Deliver to one domain's MX hosts; idx[0..k) are its recipients.
 * Recipients a host defers (4xx), or all of them when it cannot be
 * reached, the message is lost on the way or the host cannot take this
 * message (see deliver()), go on to the next address and host. */
static int
mx_domain(struct dns *d, struct net_opts *no, const struct smsg *m,
    struct smsg_need nd, const char *sender, const char *dom, size_t *idx,
    size_t k)
{
	struct client_mx x;
	size_t left = k, *todo;
	int ex = EX_TEMPFAIL, opened, unfit, st, unfitex = 0;

	if ((st = client_mx_open(&x, d, dom, opt.mxport ? opt.mxport : 25L)))
		return st;
	todo = xcalloc(k, sizeof *todo);
	memcpy(todo, idx, k * sizeof *todo);
	while (left > 0 && client_mx_next(&x)) {
		no->url = x.url;
		no->resolve = x.resolve;
		st = deliver(no, m, nd, sender, todo, left, &opened, &unfit);
		if (!opened && st == EX_TEMPFAIL)
			continue;	/* next address or host */
		if (unfit) {
			/* another MX may offer what this one lacks */
			unfitex = ex_worse(unfitex, st);
			continue;
		}
		ex = st;
		left = rcpt_again(&rl, todo, left, st);
		if (st != EX_TEMPFAIL && st != 0)
			break;		/* a permanent refusal */
	}
	free(todo);
	client_mx_close(&x);
	if (left > 0 && ex == 0)
		ex = EX_TEMPFAIL;
	if (left == 0 && ex == EX_TEMPFAIL)
		ex = 0;
	/* every host failed for someone: the worst of the reasons */
	if (left > 0)
		ex = ex_worse(ex, unfitex);
	return rcpt_outcome(&rl, ex, idx, k, !opt.verbose);
}

static int
send_mx(struct net_opts *no, const struct smsg *m, struct smsg_need nd,
    const char *sender)
{
	struct dns_opts dopts = { 0 };
	struct dns *d;
	size_t *idx = xcalloc(rl.n, sizeof *idx), i, k;
	char *done = xcalloc(rl.n, 1);
	const char *dom;
	int ex = 0, dex;

	dopts.server = opt.dns;
	dopts.trace = opt.c.trace;
	if ((d = dns_open(&dopts, &dex)) == NULL)
		return dex;
	no->opportunistic = 1;
	no->starttls = NET_STARTTLS_TRY;
	for (i = 0; i < rl.n; i++) {
		if (done[i])
			continue;
		dom = rcpt_domain(rl.v[i].addr);
		if (*dom == '\0') {
			warn("<%s>: no domain to look up", rl.v[i].addr);
			ex = ex_worse(ex, EX_NOUSER);
			done[i] = 1;
			continue;
		}
		k = rcpt_same_domain(&rl, i, done, idx);
		ex = ex_worse(ex, mx_domain(d, no, m, nd, sender, dom, idx, k));
	}
	dns_close(d);
	free(idx);
	free(done);
	return ex;
}

/* ---- the server from -S, -a or the default account ---- */

static int
send_relay(struct net_opts *no, const struct smsg *m, struct smsg_need nd,
    const char *sender)
{
	size_t *idx = xcalloc(rl.n, sizeof *idx), i;
	int ex, opened, unfit;

	for (i = 0; i < rl.n; i++)
		idx[i] = i;
	ex = deliver(no, m, nd, sender, idx, rl.n, &opened, &unfit);
	ex = rcpt_outcome(&rl, ex, idx, rl.n, !opt.verbose);
	free(idx);
	return ex;
}

/* ---- --dry-run ---- */

static void
dry_run(const struct smsg *m, struct smsg_need *nd, const char *sender)
{
	static struct buf dh;
	struct txctx t = { { m, &m->hdr, SMSG_ASIS }, NULL, NULL, NULL, NULL };
	struct smtp_ext e = { EVERY, 0, "", 1 };
	struct smtpc_env v;
	struct smtpc_tx tx;
	size_t i;
	int ex;

	/* with --downgrade: as to a server without 8BITMIME */
	if (opt.downgrade && nd->body8)
		e.flags &= ~SMTP_EXT_8BITMIME;
	if ((ex = smsg_fit(m, &e, nd, opt.downgrade, &dh, &t.src.h,
	    "the server")) != 0)
		exit(ex);
	t.src.mode = nd->downgrade;
	v = env_of(nd);
	t.idx = xcalloc(rl.n, sizeof *t.idx);
	for (i = 0; i < rl.n; i++)
		t.idx[i] = i;
	tx_init(&tx, &t, &v, sender, rl.n);
	smtpc_print(&tx, e.flags);
	free(t.idx);
	out_close();
}

int
main(int argc, char **argv)
{
	/* static: what is still held at exit stays reachable (LSan) */
	static struct smsg m;
	static char *sender, *name;
	struct smsg_need nd;
	int i, ex;

	setprogname(argv[0]);
	/* a server that goes away must give an error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	i = parse_opts(argc, argv);
	for (; i < argc; i++)
		add_rcpts("argument", argv[i], strlen(argv[i]));
	/* --dry-run too: it shows what the real run would send */
	client_load(&opt.c);

	smsg_read(&m);
	if (opt.t)
		header_rcpts(&m);
	smsg_scan(&m);
	if (rl.n == 0)
		die(EX_USAGE, "no recipients (give them as arguments, or -t)");
	sender = envelope_sender(&m, opt.c.acct.from, &name);
	if (*sender != '\0' && !smtpc_addr_ok(sender))
		die(EX_DATAERR, "%s: not a usable sender address", sender);
	smsg_add_fields(&m, sender, opt.fullname != NULL &&
	    *opt.fullname != '\0' ? opt.fullname : name);

	memset(&nd, 0, sizeof nd);
	nd.body8 = m.body8;
	nd.utf8 = m.hdr8 || nonascii(sender);
	for (size_t r = 0; r < rl.n; r++)
		nd.utf8 |= nonascii(rl.v[r].addr);
	nd.dsn = opt.notify || opt.ret || opt.envid;
	nd.size = smsg_size(&m, &m.hdr, 0);
	if (opt.dryrun) {
		dry_run(&m, &nd, sender);
		return 0;
	}

	client_resolve(&opt.c, NET_SMTP);
	if (opt.popb4 || (opt.c.acct.pop_before_smtp &&
	    strcmp(opt.c.acct.pop_before_smtp, "yes") == 0))
		pop_before_smtp();
	if (opt.c.mx)
		ex = send_mx(&opt.c.no, &m, nd, sender);
	else
		ex = send_relay(&opt.c.no, &m, nd, sender);
	client_close(&opt.c);
	return ex;
}
