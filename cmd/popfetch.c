/*
 * popfetch: move mail from a POP3 mailbox into a Maildir, an mbox or an
 * MDA, each message exactly once, also across crashes; made for cron.
 *
 * The order that makes it exactly once (see the man page, EXACTLY ONCE):
 *   1. RETR; the state file gets "I UID TOKEN" (an intent: TOKEN is
 *      the Maildir file name, or the id in the Received field of an
 *      mbox copy), fsync'd together with the previous message's "D"
 *   2. the message streams into the destination; deliver_commit()
 *      makes it durable (or the -p command exits 0)
 *   3. "D UID DATE" is appended to the state file, fsync'd
 *   4. only then DELE (committed by the server at QUIT)
 * A run killed anywhere is followed by one that finds either the D
 * record (the message is never fetched again; it is deleted unless -k)
 * or an intent, which it resolves by looking for TOKEN in the
 * destination.  A message whose UID is in the state file is never
 * delivered again.
 *
 * The ledger of that order is common/fetchlog; the session, with its
 * window of pipelined commands, common/pop3c.  This file says what to
 * fetch, where it goes and what each reply means to the user.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "fetchlog.h"
#include "pop3c.h"
#include "rec.h"
#include "spawn.h"
#include "spool.h"
#include "store.h"
#include "usage.h"
#include "util.h"

static const char *const synopsis[] = {
	"[-S url | -a account] [-u user] [-kAlqv] [-d maildir | -m mbox |\n"
	"-p command] [--state file] [--limit n] [--max-size bytes]\n"
	"[--filter command] [--delete-after days] [--check] [--trace]\n"
	"[--explain] [network options]",
	"-h | --help | -V | --version",
	NULL
};

enum {
	O_STATE = 0x2000, O_LIMIT, O_MAXSIZE, O_FILTER, O_DELAFTER, O_CHECK
};

struct opts {
	struct client c;
	int keep, list, check, verbose, quiet;
	long limit, delete_after;
	unsigned long long maxsize;
	const char *maildir, *mbox, *pipe, *state, *filter;
};

enum act { A_NONE, A_FETCHED, A_DELETED, A_KEPT, A_SKIPPED, A_FILTERED };
static const char *const actnames[] = {
	"", "fetched", "deleted", "kept", "skipped", "filtered"
};

struct msg {
	struct pop3c_msg l;	/* number, size, UIDL */
	enum act act;
	char *dest;		/* where it went, for -v */
};

/* One run: the session, the messages, the ledger. */
struct run {
	struct opts *o;
	struct pop3_client p;
	struct msg *m;
	size_t nm;
	struct fetchlog fl;
	struct store sto;
	char server[256];
	int ex;
	/* progress */
	struct timeval t0;
	size_t done, planned;
	unsigned long long bytes, total;
	int shown;
};

/* ---- options ---- */

static void
parse(struct opts *o, int argc, char **argv)
{
	static const char optstr[] = "a:AS:u:kld:m:p:qvhV";
	static const struct option lopts[] = {
		CLIENT_LONGOPTS, USAGE_LONGOPTS,
		{ "state", required_argument, NULL, O_STATE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "max-size", required_argument, NULL, O_MAXSIZE },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "delete-after", required_argument, NULL, O_DELAFTER },
		{ "check", no_argument, NULL, O_CHECK },
		{ NULL, 0, NULL, 0 }
	};
	int ch, dests = 0;

	client_init(&o->c);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		if (client_opt(&o->c, ch, optarg))
			continue;
		switch (ch) {
		case 'A': o->c.auth = "APOP"; break;
		case 'k': o->keep = 1; break;
		case 'l': o->list = 1; break;
		case 'd': o->maildir = optarg; dests++; break;
		case 'm': o->mbox = optarg; dests++; break;
		case 'p': o->pipe = optarg; dests++; break;
		case 'q': o->quiet = 1; o->verbose = 0; break;
		case 'v': o->verbose = 1; o->quiet = 0; break;
		case 'h': usage_exit(0, synopsis);
		case 'V': version();
		case O_STATE: o->state = optarg; break;
		case O_LIMIT:
			o->limit = client_number(optarg, "--limit", 1,
			    1000000000L);
			break;
		case O_MAXSIZE:
			o->maxsize = (unsigned long long)client_number(optarg,
			    "--max-size", 1, 0x7fffffffL * 1024L);
			break;
		case O_FILTER: o->filter = optarg; break;
		case O_DELAFTER:
			o->delete_after = client_number(optarg,
			    "--delete-after", 0, 100000);
			o->delete_after++;	/* 0 days is a value */
			break;
		case O_CHECK: o->check = 1; break;
		default: usage_opt(ch, optstr, argv, synopsis);
		}
	}
	if (optind < argc) {
		warn("unexpected argument: %s", argv[optind]);
		usage_exit(EX_USAGE, synopsis);
	}
	if (dests > 1)
		die(EX_USAGE, "-d, -m and -p exclude each other");
	if (o->delete_after && !o->keep)
		die(EX_USAGE, "--delete-after needs -k (without -k every "
		    "message is deleted once fetched)");
	if (o->list + o->check > 1)
		die(EX_USAGE, "-l and --check exclude each other");
}

/* -d's default: $MAILDIR, else ~/Maildir. */
static char *
default_maildir(void)
{
	const char *m = getenv("MAILDIR"), *h = getenv("HOME");

	if (m != NULL && *m != '\0')
		return xstrdup(m);
	if (h == NULL || *h == '\0')
		die(EX_CONFIG, "no -d, and neither MAILDIR nor HOME is set");
	return path_join(h, "Maildir");
}

/* ---- the listing ---- */

/* The mailbox's messages, as UIDL and LIST give them. */
static int
scan(struct run *r)
{
	struct pop3c_msg *l;
	size_t i;
	int ex = pop3c_scan(&r->p, &l, &r->nm);

	r->m = xcalloc(r->nm + 1, sizeof *r->m);
	for (i = 0; i < r->nm; i++)
		r->m[i].l = l[i];
	free(l);
	return ex;
}

static void
print_list(const struct run *r)
{
	char n[48];
	size_t i;

	for (i = 0; i < r->nm; i++) {
		snprintf(n, sizeof n, "%lu\t%llu\t", r->m[i].l.num,
		    r->m[i].l.size);
		outs(n);
		rec_outs(r->m[i].l.uid);
		outc('\n');
	}
}

/* ---- the destination ---- */

/* A failure of this run: 75 stops the fetching (the DELEs of what is
 * durable still go). */
static void
fail(struct run *r, int ex)
{
	r->ex = ex_worse(r->ex, ex);
	if (ex == EX_TEMPFAIL)
		pop3c_stop(&r->p);
}

/* How a message's batch ended (common/fetchlog). */
static void
batch_end(void *arg, size_t id, enum fetchlog_end end)
{
	struct run *r = arg;
	struct msg *m = &r->m[id];

	if (end == FETCHLOG_LOST)
		m->act = A_KEPT;	/* on the server: fetched next run */
	else if (end == FETCHLOG_DURABLE && !r->o->keep)
		pop3c_push(&r->p, POP3C_DELE, &m->l, id);
}

static void
flush(struct run *r)
{
	int ex = fetchlog_flush(&r->fl);

	if (ex != 0)
		fail(r, ex);
}

/* The store's report of a durable message, for -v. */
static void
delivered(void *arg, size_t id, const char *path)
{
	struct run *r = arg;

	r->m[id].dest = xstrdup(path);
}

static int spool_err;	/* why the -p spool failed, for the warning */

/* A temporary file we cannot make or fill is this host's trouble of
 * the moment: 75 (the run stops, the message stays on the server). */
static int
to_spool(void *arg, const char *p, size_t n)
{
	if (spool_write(arg, p, n) == 0)
		return 0;
	spool_err = errno;
	return EX_TEMPFAIL;
}

/*
 * The -p command, with the message spooled whole (sp) as its stdin, so
 * that it never gets a message cut short (see spawn_in()).  ex: the
 * transfer's status; werr: the spool's.  0 delivered, else the status.
 */
static int
to_pipe(struct run *r, struct msg *m, struct spool *sp, int ex, int werr)
{
	struct spawn cmd;
	int st, fd = -1;

	if (ex == 0 && werr == 0 && (fd = spool_fd(sp)) < 0) {
		spool_err = errno;
		werr = EX_TEMPFAIL;
	}
	if (ex != 0 || werr != 0) {
		errno = spool_err;
		if (ex == 0)
			warn("message %s: a temporary file:", m->l.uid);
		return ex ? ex : werr;
	}
	if (spawn_sh(&cmd, r->o->pipe, fd) < 0) {
		warn("%s: cannot run:", r->o->pipe);
		return EX_OSERR;
	}
	if ((st = spawn_reap(&cmd, r->o->pipe)) != 0) {
		if (st > 0)
			warn("%s: message %s: the command exited %d",
			    r->o->pipe, m->l.uid, st);
		return st == EX_TEMPFAIL ? EX_TEMPFAIL : st > 0 ?
		    EX_UNAVAILABLE : EX_SOFTWARE;
	}
	m->dest = xstrdup(r->o->pipe);
	fetchlog_queue(&r->fl, (size_t)(m - r->m), m->l.uid);
	return 0;
}

/* After RETR's +OK: the message, after its Received field, into the
 * store or the -p command's spool; queued in the ledger's batch. */
static int
deliver_msg(struct run *r, size_t mi)
{
	struct msg *m = &r->m[mi];
	struct buf rb;
	struct spool sp;
	unsigned long long got;
	pop3c_sink *sink = r->o->pipe ? to_spool : fetchlog_write;
	void *arg = r->o->pipe ? (void *)&sp : &r->fl;
	int ex, werr, dummy;

	buf_init(&rb, SIZE_MAX);
	if ((ex = fetchlog_begin(&r->fl, m->l.uid, r->server, r->p.tls ?
	    "POP3S" : "POP3", &rb)) != 0) {
		buf_free(&rb);
		(void)pop3c_body(&r->p, pop3c_discard, NULL, &got, &dummy);
		return ex;
	}
	spool_init(&sp, 64 * 1024);
	if ((werr = sink(arg, rb.p, rb.len)) != 0)
		ex = pop3c_body(&r->p, pop3c_discard, NULL, &got, &dummy);
	else
		ex = pop3c_body(&r->p, sink, arg, &got, &werr);
	buf_free(&rb);
	ex = r->o->pipe ? to_pipe(r, m, &sp, ex, werr) :
	    fetchlog_commit(&r->fl, mi, m->l.uid, ex, werr);
	spool_free(&sp);
	if (ex == 0)
		r->bytes += got;
	return ex;
}

/* ---- the transaction ---- */

static void
progress(struct run *r, int end)
{
	struct timeval now;
	double el;

	if (r->o->quiet || r->o->c.trace || !isatty(2))
		return;
	if (end) {
		if (r->shown)
			fputc('\n', stderr);
		return;
	}
	gettimeofday(&now, NULL);
	el = (double)(now.tv_sec - r->t0.tv_sec) +
	    (now.tv_usec - r->t0.tv_usec) / 1e6;
	if (el < 1.0)
		return;
	r->shown = 1;
	fprintf(stderr, "\r%s: %zu of %zu messages, %.1f of %.1f MB",
	    progname, r->done, r->planned, r->bytes / 1e6, r->total / 1e6);
}

/* --filter on TOP's header: 0 fetch, 1 delete, 2 skip, else -1. */
static int
filter(struct run *r, size_t mi)
{
	struct spawn cmd;
	unsigned long long got;
	int ex, serr, st;

	if (spawn_sh(&cmd, r->o->filter, -1) < 0) {
		warn("%s: cannot run:", r->o->filter);
		r->ex = ex_worse(r->ex, EX_OSERR);
		(void)pop3c_body(&r->p, pop3c_discard, NULL, &got, &serr);
		return -1;
	}
	/* a filter that stops reading may still exit 0: its call */
	ex = pop3c_body(&r->p, spawn_write, &cmd, &got, &serr);
	st = spawn_reap(&cmd, r->o->filter);
	if (ex != 0) {
		r->ex = ex_worse(r->ex, ex);
		pop3c_stop(&r->p);
		return -1;
	}
	if (st < 0 || st > 2) {
		if (st > 2)
			warn("%s: message %s: the filter exited %d",
			    r->o->filter, r->m[mi].l.uid, st);
		r->ex = ex_worse(r->ex, EX_SOFTWARE);
		return -1;
	}
	return st;
}

/* What the reply rep to op means. */
static int
on_reply(void *arg, const struct pop3c_op *op, const struct pop3_reply *rep)
{
	struct run *r = arg;
	struct msg *m = &r->m[op->id];
	unsigned long long got;
	int ex, serr;

	if (!rep->ok) {
		warn("%s: message %lu (%s): %s refused: %s", r->server,
		    m->l.num, m->l.uid, op->kind == POP3C_DELE ? "DELE" :
		    op->kind == POP3C_TOP ? "TOP" : "RETR", rep->text);
		r->ex = ex_worse(r->ex, pop3_exit(rep, 0));
		if (op->kind != POP3C_DELE)
			m->act = A_KEPT;
		return 0;
	}
	if (op->kind == POP3C_DELE)
		return 0;
	if (op->kind == POP3C_TOP) {
		switch (filter(r, op->id)) {
		case 0:
			pop3c_push(&r->p, POP3C_RETR, &m->l, op->id);
			break;
		case 1:
			m->act = A_FILTERED;
			pop3c_push(&r->p, POP3C_DELE, &m->l, op->id);
			break;
		default: m->act = A_SKIPPED; break;
		}
		return r->p.state == POP3C_TRANSACTION ? 0 : r->ex;
	}
	if (r->p.stop) {	/* in flight when the run stopped */
		m->act = A_KEPT;
		return pop3c_body(&r->p, pop3c_discard, NULL, &got, &serr);
	}
	ex = deliver_msg(r, op->id);
	if (r->p.state != POP3C_TRANSACTION)
		return ex ? ex : EX_TEMPFAIL;
	if (ex != 0) {
		m->act = A_KEPT;
		fail(r, ex);
		return 0;
	}
	m->act = A_FETCHED;
	r->done++;
	progress(r, 0);
	return 0;
}

/* Before a reply: a batch ends when full, or when no RETR reply is
 * next (its DELEs then go out with the next commands). */
static int
on_idle(void *arg, const struct pop3c_op *next)
{
	struct run *r = arg;

	if (r->fl.nbatch == 0 || !(fetchlog_full(&r->fl) || r->p.stop ||
	    next == NULL || next->kind != POP3C_RETR))
		return 0;
	flush(r);
	return 1;
}

/* What to do with each message, before any command is sent. */
static int
plan(struct run *r)
{
	struct opts *o = r->o;
	long long now = (long long)time(NULL), first;
	long fetch = 0;
	size_t i, fresh = 0;

	for (i = 0; i < r->nm; i++) {
		struct msg *m = &r->m[i];

		if (fetchlog_done(&r->fl, m->l.uid, &first)) {
			if (o->keep && !(o->delete_after && now - first >
			    (o->delete_after - 1) * 86400LL))
				m->act = A_KEPT;
			else {
				m->act = A_DELETED;
				pop3c_push(&r->p, POP3C_DELE, &m->l, i);
			}
			continue;
		}
		fresh++;
		if (o->check)
			continue;
		if (o->maxsize && m->l.size > o->maxsize) {
			m->act = A_SKIPPED;
			continue;
		}
		if (o->limit && fetch >= o->limit)
			continue;
		fetch++;
		r->planned++;
		r->total += m->l.size;
		pop3c_push(&r->p, o->filter ? POP3C_TOP : POP3C_RETR, &m->l,
		    i);
	}
	return fresh > 0;
}

static void
report(const struct run *r)
{
	char n[32];
	size_t i;

	for (i = 0; i < r->nm; i++) {
		const struct msg *m = &r->m[i];

		if (m->act == A_NONE || (m->act == A_FETCHED && !m->dest))
			continue;
		rec_outs(m->l.uid);
		snprintf(n, sizeof n, "\t%llu\t", m->l.size);
		outs(n);
		outs(actnames[m->act]);
		outc('\t');
		rec_outs(m->act == A_FETCHED ? m->dest : "-");
		outc('\n');
	}
}

/* ---- the story ---- */

static void
open_dest(struct run *r)
{
	struct opts *o = r->o;
	struct store_conf sc;

	memset(&sc, 0, sizeof sc);
	if (!o->pipe && !o->list && !o->check && o->mbox == NULL &&
	    o->maildir == NULL)
		o->maildir = o->c.acct.maildir ? o->c.acct.maildir :
		    default_maildir();
	fetchlog_dest(&r->fl, o->pipe ? NULL : o->maildir, o->mbox, &sc);
	r->fl.each = batch_end;
	r->fl.delivered = delivered;
	r->fl.arg = r;
	if (o->pipe || o->list || o->check)
		return;
	sc.kind = o->mbox ? STORE_MBOX : STORE_MAILDIR;
	sc.flags = STORE_CREATE;
	/* a batch of 64 messages in memory would cost up to the whole
	 * 1 MiB; a fetch of any size stays within 1 MiB of a small one's
	 * with 256 KiB, and a batch past that goes to a temporary file */
	sc.spool_mem = 256 << 10;
	if (store_open(&r->sto, o->mbox ? o->mbox : o->maildir, &sc) < 0)
		die(store_exit(&r->sto), "%s", store_error(&r->sto));
	r->fl.sto = &r->sto;
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct run r;
	struct pop3c_handler h = { on_idle, on_reply, &r };
	char *host;
	size_t i;
	int ex = 0, news;

	setprogname(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	parse(&o, argc, argv);
	r.o = &o;
	gettimeofday(&r.t0, NULL);
	client_load(&o.c);
	client_resolve(&o.c, NET_POP3);
	if (o.c.no.user == NULL)
		die(EX_CONFIG, "no user: give -u or an account's user");
	host = client_url_host(o.c.no.url);
	snprintf(r.server, sizeof r.server, "%s", host);
	free(host);
	if (!o.list && fetchlog_open(&r.fl, "popfetch", o.c.no.user, r.server,
	    o.state) < 0)
		die(fserr_exit(&r.fl.fe), "%s", r.fl.fe.msg);
	open_dest(&r);
	if ((ex = pop3c_login(&r.p, &o.c.no, r.server,
	    o.c.trace || o.c.explain)) != 0)
		return ex;
	if ((ex = scan(&r)) != 0) {
		(void)pop3c_quit(&r.p);
		return ex;
	}
	if (o.list) {
		print_list(&r);
		(void)pop3c_quit(&r.p);
		out_close();
		return 0;
	}
	/* what a killed run left is resolved before anything is fetched */
	for (i = 0; !o.check && i < r.nm; i++)
		fetchlog_live(&r.fl, r.m[i].l.uid);
	if (!o.check && fetchlog_settle(&r.fl) < 0) {
		warn("%s", r.fl.fe.msg);
		(void)pop3c_quit(&r.p);
		return fserr_exit(&r.fl.fe);
	}
	news = plan(&r);
	if (o.check) {
		(void)pop3c_quit(&r.p);
		return news ? 0 : 1;
	}
	ex = pop3c_transact(&r.p, &h);
	flush(&r);	/* a session lost: what arrived whole is kept */
	progress(&r, 1);
	r.ex = ex_worse(r.ex, ex);
	if (ex == 0 && pop3c_quit(&r.p) != 0)
		r.ex = ex_worse(r.ex, EX_TEMPFAIL);
	else if (ex != 0)
		(void)pop3c_quit(&r.p);
	if (o.verbose)
		report(&r);
	out_close();
	if (!o.pipe)
		store_close(&r.sto);
	fetchlog_free(&r.fl);
	pop3c_free(&r.p);
	client_close(&o.c);
	return r.ex;
}
