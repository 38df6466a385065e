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
 * Commands are pipelined when the server offers PIPELINING: RETRs go
 * out within a window of bytes (common/pop3), the DELE of a message
 * goes out with the next message's intent, so a run of N messages is a
 * handful of round trips plus the transfer.
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
#include "lock.h"
#include "pop3.h"
#include "rec.h"
#include "spawn.h"
#include "store.h"
#include "uidstate.h"
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
	unsigned long num;
	unsigned long long size;
	char uid[POP3_UID_MAX + 1];
	enum act act;
	char *dest;		/* where it went, for -v */
};

enum op_kind { OP_TOP, OP_RETR, OP_DELE };
struct op {
	enum op_kind kind;
	size_t m;
};

/* One run: the session, the messages, the queue of commands. */
struct run {
	struct opts *o;
	struct pop3 p;
	struct msg *m;
	size_t nm;
	struct op *todo, *fly;	/* to send; sent, in reply order */
	size_t ntodo, itodo, cap, fhead, nfly;
	struct uidstate st;
	struct fserr fe;
	struct store sto;
	size_t *batch;		/* delivered or queued in the store, D
				   record not yet durable */
	size_t nbatch, bmax, cbi;
	char host[260], server[256], with[8];
	int ex, stop;
	unsigned long tokq;
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

/* $XDG_STATE_HOME/yubin/popfetch, else ~/.local/state/yubin/popfetch. */
static char *
state_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	struct buf b;

	buf_init(&b, SIZE_MAX);
	if (x != NULL && *x == '/')
		(void)buf_printf(&b, "%s/yubin/popfetch", x);
	else if (h != NULL && *h != '\0')
		(void)buf_printf(&b, "%s/.local/state/yubin/popfetch", h);
	else
		die(EX_CONFIG, "neither XDG_STATE_HOME nor HOME is set; "
		    "give --state");
	return b.p;
}

/* "user@host" as a file name: no '/', no leading '.'. */
static char *
mailbox_key(const char *user, const char *host)
{
	struct buf b;
	size_t i;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s@%s", user, host);
	for (i = 0; i < b.len; i++)
		if (b.p[i] == '/' || (unsigned char)b.p[i] < 0x20 ||
		    (i == 0 && b.p[i] == '.'))
			b.p[i] = '_';
	return b.p;
}

/* ---- the listing ---- */

/* The message numbered num: the servers list in the same order, so the
 * one after the last found is tried first (a mailbox of 100 000
 * messages must not cost 10^10 comparisons). */
static struct msg *
by_num(struct run *r, unsigned long num, size_t *hint)
{
	size_t i;

	if (*hint < r->nm && r->m[*hint].num == num)
		return &r->m[(*hint)++];
	for (i = 0; i < r->nm; i++)
		if (r->m[i].num == num) {
			*hint = i + 1;
			return &r->m[i];
		}
	return NULL;
}

/* Read a UIDL or LIST listing into r->m: 0, or an exit status. */
static int
listing(struct run *r, int uidl)
{
	const char *l, *a;
	size_t len, al, cap = r->nm, hint = 0;
	unsigned long num;
	struct msg *m;
	int k;

	while ((k = pop3_listline(&r->p, &l, &len)) == 1) {
		if (pop3_listing(l, len, &num, &a, &al) != 0) {
			char *q = rec_quote_dup(l, len, 80);

			warn("%s: a malformed %s line: %s", r->server,
			    uidl ? "UIDL" : "LIST", q);
			free(q);
			continue;
		}
		if (uidl) {
			if (r->nm == cap) {
				cap = cap ? cap * 2 : 64;
				r->m = xrealloc(r->m, cap * sizeof *r->m);
			}
			memset(&r->m[r->nm], 0, sizeof *r->m);
			r->m[r->nm].num = num;
			memcpy(r->m[r->nm].uid, a, al);
			r->nm++;
		} else if ((m = by_num(r, num, &hint)) != NULL) {
			m->size = strtoull(a, NULL, 10);
		}
	}
	return k == 0 ? 0 : -k;
}

/* UIDL and LIST, pipelined when the server allows it. */
static int
scan(struct run *r)
{
	struct pop3_reply rep;
	int ex, i;

	if ((ex = pop3_cmd(&r->p, "UIDL", 0)) != 0)
		return ex;
	if (pop3_room(&r->p, 0) && (ex = pop3_cmd(&r->p, "LIST", 0)) != 0)
		return ex;
	for (i = 0; i < 2; i++) {
		if (i == 1 && r->p.count == 0 &&
		    (ex = pop3_cmd(&r->p, "LIST", 0)) != 0)
			return ex;
		if ((ex = pop3_reply(&r->p, &rep)) != 0)
			return ex;
		if (!rep.ok) {
			warn("%s: %s refused: %s", r->server, i ? "LIST" :
			    "UIDL", rep.text);
			return pop3_exit(&rep, 0);
		}
		if ((ex = listing(r, i == 0)) != 0)
			return ex;
	}
	return 0;
}

static void
print_list(const struct run *r)
{
	char n[48];
	size_t i;

	for (i = 0; i < r->nm; i++) {
		snprintf(n, sizeof n, "%lu\t%llu\t", r->m[i].num,
		    r->m[i].size);
		outs(n);
		rec_outs(r->m[i].uid);
		outc('\n');
	}
}

/* ---- the destination ---- */

static int
is_file(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Is the Maildir file NAME in new/ or (moved by a reader) in cur/? */
static int
maildir_has(const char *dir, const char *name)
{
	struct dirent *de;
	struct buf b;
	size_t nl = strlen(name);
	DIR *d;
	int found;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s/new/%s", dir, name);
	found = is_file(b.p);
	buf_reset(&b);
	(void)buf_printf(&b, "%s/cur", dir);
	if (!found && (d = opendir(b.p)) != NULL) {
		while (!found && (de = readdir(d)) != NULL)
			found = strncmp(de->d_name, name, nl) == 0 &&
			    (de->d_name[nl] == '\0' || de->d_name[nl] == ':');
		closedir(d);
	}
	buf_free(&b);
	return found;
}

/* Does the mbox hold TOKEN at or after off?  Read in chunks, with an
 * overlap, so memory stays bounded whatever the mbox's size. */
static int
mbox_scan(int fd, const char *token, long long off)
{
	static char buf[65536 + 1100];	/* tokens are at most 1 KiB */
	size_t tl = strlen(token), keep = 0;
	ssize_t n;
	struct stat st;
	int found = 0;

	if (tl == 0 || tl > 1024)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size >= off)
		(void)lseek(fd, (off_t)off, SEEK_SET);
	else
		(void)lseek(fd, 0, SEEK_SET);
	while (!found && (n = read(fd, buf + keep, 65536)) > 0) {
		size_t len = keep + (size_t)n, i;

		for (i = 0; i + tl <= len && !found; i++)
			found = memcmp(buf + i, token, tl) == 0;
		keep = len < tl ? len : tl;
		memmove(buf, buf + len - keep, keep);
	}
	return found;
}

/*
 * The mbox under its locks: taking them first cuts back what a killed
 * append left (lock.h), which must not count as delivered.  An mbox
 * that cannot be locked now counts as not holding the token (fetched
 * again: never lost).
 */
static int
mbox_has(struct run *r, const char *token, long long off)
{
	struct mboxlock l;
	struct fserr e;
	int found = 0;

	if (path_dangling(r->o->mbox) || access(r->o->mbox, F_OK) != 0)
		return 0;
	lock_init(&l, r->o->mbox, r->host, 0, &e);
	if (lock_take(&l, 0) == 0) {
		found = mbox_scan(l.fd, token, off);
		lock_release(&l);
	} else {
		warn("%s", e.msg);
	}
	lock_free(&l);
	return found;
}

/*
 * The intents a killed run left: delivered (TOKEN found) becomes done;
 * else the entry is dropped and the message fetched again.  -p's
 * command cannot be asked: its intents count as not delivered (the
 * message may come twice, never lost; see the man page).
 */
static void
resolve_intents(struct run *r)
{
	struct opts *o = r->o;
	size_t i;
	int got;

	for (i = 0; i < r->st.n; i++) {
		struct uident *u = &r->st.e[i];

		if (u->done || u->token == NULL)
			continue;
		got = o->pipe ? 0 : o->mbox ? mbox_has(r, u->token, u->off) :
		    maildir_has(o->maildir, u->token);
		if (got) {
			u->done = 1;
			u->first = (long long)time(NULL);
		}
	}
}

/* The Received field of this hop (RFC 5321 §4.4; "with" POP3 or POP3S
 * as popfetch names the hop), with TOKEN as its id. */
static void
received(const struct run *r, const char *token, struct buf *b)
{
	char d[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S %z", &tm);
	(void)buf_printf(b, "Received: from %s\n\tby %s (yubin popfetch) "
	    "with %s\n\tid %s;\n\t%s\n", r->server, r->host, r->with,
	    token, d);
}

/* A token for an mbox copy or a command: unique on this host. */
static void
make_token(struct run *r, char *t, size_t n)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(t, n, "%lld.M%ldP%ldQ%lu.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), ++r->tokq, r->host);
}

struct cmdsink {
	struct spawn sp;
	int err;
};

static int
to_cmd(void *arg, const char *p, size_t n)
{
	struct cmdsink *s = arg;

	/* a command that stops reading may still exit 0: its call */
	if (!s->err && write_all(s->sp.fd, p, n) < 0)
		s->err = errno;
	return 0;
}

static int
to_store(void *arg, const char *p, size_t n)
{
	struct run *r = arg;

	return store_write(&r->sto, p, n) < 0 ? store_exit(&r->sto) : 0;
}

static int
discard(void *arg, const char *p, size_t n)
{
	(void)arg;
	(void)p;
	(void)n;
	return 0;
}

static int
run_cmd(struct run *r, const char *cmd, struct spawn *sp)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	if (spawn_to(sp, "/bin/sh", argv) < 0) {
		warn("%s: cannot run:", cmd);
		r->ex = ex_worse(r->ex, EX_OSERR);
		return -1;
	}
	return 0;
}

/* The exit status of a command, or -1 after a warning. */
static int
reap(struct spawn *sp, const char *cmd)
{
	int sig, st = spawn_wait(sp, &sig);

	if (st < 0)
		warn("%s: %s", cmd, sig ? strsignal(sig) : "wait failed");
	return st;
}

/* The store's report of a durable message: its path, in batch order. */
static void
delivered(const char *path, void *arg)
{
	struct run *r = arg;

	if (r->cbi < r->nbatch)
		r->m[r->batch[r->cbi++]].dest = xstrdup(path);
}

/* The batch was dropped (a failed write drops every queued message of
 * its batch): its messages stay on the server, fetched again next run. */
static void
batch_lost(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nbatch; i++)
		r->m[r->batch[i]].act = A_KEPT;
	r->nbatch = 0;
}

static void
fail(struct run *r, const char *msg, int ex)
{
	warn("%s", msg);
	r->ex = ex_worse(r->ex, ex);
	if (ex == EX_TEMPFAIL)
		r->stop = 1;
}

/*
 * Make the batch durable, in the order of EXACTLY ONCE: its intents
 * (the store's messages are still in tmp/ or the spool), the messages,
 * their D records; then their DELEs may go.  A -p batch has only D
 * records to write: the commands have run.
 */
static void
flush(struct run *r)
{
	size_t i;

	if (r->nbatch == 0)
		return;
	if (!r->o->pipe) {
		if (uidstate_sync(&r->st) < 0) {
			store_abort(&r->sto);
			batch_lost(r);
			fail(r, r->fe.msg, fserr_exit(&r->fe));
			return;
		}
		r->cbi = 0;
		if (store_flush(&r->sto) < 0) {
			batch_lost(r);
			fail(r, store_error(&r->sto), store_exit(&r->sto));
			return;
		}
	}
	for (i = 0; i < r->nbatch; i++)
		uidstate_add(&r->st, 'D', r->m[r->batch[i]].uid, NULL,
		    (long long)time(NULL));
	if (uidstate_sync(&r->st) < 0) {
		/* delivered, not recorded: the intents find them next run;
		 * no DELE now */
		r->nbatch = 0;
		fail(r, r->fe.msg, fserr_exit(&r->fe));
		return;
	}
	for (i = 0; i < r->nbatch; i++)
		if (!r->o->keep) {
			r->todo[r->ntodo].kind = OP_DELE;
			r->todo[r->ntodo++].m = r->batch[i];
		}
	r->nbatch = 0;
}

static int
to_fd(void *arg, const char *p, size_t n)
{
	return write_all(*(int *)arg, p, n) < 0 ? errno_exit(errno) : 0;
}

/* An unlinked file in $TMPDIR (or /tmp), or -1 after a warning. */
static int
tmpfile_fd(void)
{
	const char *d = getenv("TMPDIR");
	struct buf b;
	int fd;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s/popfetch.XXXXXX", d && *d == '/' ? d : "/tmp");
	if ((fd = mkstemp(b.p)) < 0)
		warn("%s:", b.p);
	else
		unlink(b.p);
	buf_free(&b);
	return fd;
}

/*
 * RETR's body into the -p command: first whole into a file, then the
 * command runs with the file as its stdin, so that it never gets a
 * message cut short (see spawn_in()).  0 delivered, else the status.
 */
static int
to_pipe(struct run *r, struct msg *m, struct buf *rb)
{
	const char *argv[] = { "sh", "-c", r->o->pipe, NULL };
	unsigned long long got;
	struct spawn sp;
	int ex, serr, st, fd = tmpfile_fd(), dummy;

	if (fd >= 0 && (serr = to_fd(&fd, rb->p, rb->len)) == 0)
		ex = pop3_body(&r->p, to_fd, &fd, &got, &serr);
	else
		ex = pop3_body(&r->p, discard, NULL, &got, &dummy), serr =
		    fd < 0 ? EX_TEMPFAIL : serr;
	if (ex != 0 || serr != 0) {
		if (fd >= 0)
			close(fd);
		if (ex == 0)
			warn("message %s: a temporary file:", m->uid);
		return ex ? ex : serr;
	}
	r->bytes += got;
	if (lseek(fd, 0, SEEK_SET) < 0 || spawn_in(&sp, "/bin/sh", argv,
	    fd) < 0) {
		warn("%s: cannot run:", r->o->pipe);
		close(fd);
		return EX_OSERR;
	}
	close(fd);
	if ((st = reap(&sp, r->o->pipe)) != 0) {
		if (st > 0)
			warn("%s: message %s: the command exited %d",
			    r->o->pipe, m->uid, st);
		return st == EX_TEMPFAIL ? EX_TEMPFAIL : st > 0 ?
		    EX_UNAVAILABLE : EX_SOFTWARE;
	}
	m->dest = xstrdup(r->o->pipe);
	return 0;
}

/* RETR's body into the store, queued in the batch.  0, or the status
 * (the batch is then lost: see batch_lost()). */
static int
to_dest(struct run *r, struct msg *m, struct buf *rb, const char *token,
    long long off)
{
	unsigned long long got;
	int ex, serr = 0, dummy;

	uidstate_add(&r->st, 'I', m->uid, token, off);
	if (store_write(&r->sto, rb->p, rb->len) < 0)
		serr = store_exit(&r->sto);
	if (serr == 0)
		ex = pop3_body(&r->p, to_store, r, &got, &serr);
	else
		ex = pop3_body(&r->p, discard, NULL, &got, &dummy);
	if (ex != 0) {
		store_abort(&r->sto);
		return ex;
	}
	if (serr != 0 || store_commit(&r->sto) < 0) {
		warn("%s", store_error(&r->sto));
		return store_exit(&r->sto);
	}
	r->bytes += got;
	return 0;
}

/* After RETR's +OK: the message into the destination. */
static int
deliver_msg(struct run *r, size_t mi)
{
	struct opts *o = r->o;
	struct msg *m = &r->m[mi];
	char token[300];
	struct buf rb;
	struct stat st;
	unsigned long long got;
	long long off = 0;
	int ex, serr;

	if (o->pipe) {
		make_token(r, token, sizeof token);
	} else if (store_begin(&r->sto, NULL) < 0) {
		warn("%s", store_error(&r->sto));
		ex = store_exit(&r->sto);
		(void)pop3_body(&r->p, discard, NULL, &got, &serr);
		return ex;
	} else if (o->mbox) {
		make_token(r, token, sizeof token);
		if (stat(o->mbox, &st) == 0)
			off = (long long)st.st_size;
	} else {
		snprintf(token, sizeof token, "%s", store_name(&r->sto));
	}
	buf_init(&rb, SIZE_MAX);
	received(r, token, &rb);
	ex = o->pipe ? to_pipe(r, m, &rb) : to_dest(r, m, &rb, token, off);
	buf_free(&rb);
	if (ex != 0 && !o->pipe)
		batch_lost(r);
	return ex;
}

/* ---- the transaction ---- */

static void
push(struct run *r, enum op_kind k, size_t m)
{
	r->todo[r->ntodo].kind = k;
	r->todo[r->ntodo++].m = m;
}

static unsigned long long
expect(const struct run *r, const struct op *op)
{
	unsigned long long s = r->m[op->m].size;

	return op->kind == OP_RETR ? s + 64 : op->kind == OP_TOP ?
	    (s < 8192 ? s : 8192) + 64 : 32;
}

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
	struct cmdsink cs;
	unsigned long long got;
	int ex, serr, st;

	if (run_cmd(r, r->o->filter, &cs.sp) < 0) {
		(void)pop3_body(&r->p, discard, NULL, &got, &serr);
		return -1;
	}
	cs.err = 0;
	ex = pop3_body(&r->p, to_cmd, &cs, &got, &serr);
	st = reap(&cs.sp, r->o->filter);
	if (ex != 0) {
		r->ex = ex_worse(r->ex, ex);
		r->stop = 1;
		return -1;
	}
	if (st < 0 || st > 2) {
		if (st > 2)
			warn("%s: message %s: the filter exited %d",
			    r->o->filter, r->m[mi].uid, st);
		r->ex = ex_worse(r->ex, EX_SOFTWARE);
		return -1;
	}
	return st;
}

/* What a reply to op means. */
static int
handle(struct run *r, const struct op *op)
{
	struct pop3_reply rep;
	struct msg *m = &r->m[op->m];
	unsigned long long got;
	int ex, serr;

	if ((ex = pop3_reply(&r->p, &rep)) != 0)
		return ex;
	if (!rep.ok) {
		warn("%s: message %lu (%s): %s refused: %s", r->server,
		    m->num, m->uid, op->kind == OP_DELE ? "DELE" :
		    op->kind == OP_TOP ? "TOP" : "RETR", rep.text);
		r->ex = ex_worse(r->ex, pop3_exit(&rep, 0));
		if (op->kind != OP_DELE)
			m->act = A_KEPT;
		return 0;
	}
	if (op->kind == OP_DELE)
		return 0;
	if (op->kind == OP_TOP) {
		switch (filter(r, op->m)) {
		case 0: push(r, OP_RETR, op->m); break;
		case 1: m->act = A_FILTERED; push(r, OP_DELE, op->m); break;
		default: m->act = A_SKIPPED; break;
		}
		return r->p.state == POP3_TRANSACTION ? 0 : r->ex;
	}
	if (r->stop) {		/* in flight when the run stopped */
		m->act = A_KEPT;
		return pop3_body(&r->p, discard, NULL, &got, &serr);
	}
	ex = deliver_msg(r, op->m);
	if (r->p.state != POP3_TRANSACTION)
		return ex ? ex : EX_TEMPFAIL;
	if (ex != 0) {
		m->act = A_KEPT;
		r->ex = ex_worse(r->ex, ex);
		if (ex == EX_TEMPFAIL)
			r->stop = 1;
		return 0;
	}
	m->act = A_FETCHED;
	r->done++;
	r->batch[r->nbatch++] = op->m;
	progress(r, 0);
	return 0;
}

/* After a stop (75): what is left to send is only the DELEs of durable
 * messages; RETRs and TOPs never go out. */
static void
drop_fetches(struct run *r)
{
	size_t i, o = r->itodo;

	for (i = r->itodo; i < r->ntodo; i++)
		if (r->todo[i].kind == OP_DELE)
			r->todo[o++] = r->todo[i];
	r->ntodo = o;
}

/* Send what the window allows, read one reply, until nothing is left. */
static int
transact(struct run *r)
{
	struct op *op;
	int ex;

	for (;;) {
		if (r->stop)
			drop_fetches(r);
		while (r->itodo < r->ntodo &&
		    pop3_room(&r->p, expect(r, &r->todo[r->itodo]))) {
			char cmd[64];

			op = &r->todo[r->itodo++];
			snprintf(cmd, sizeof cmd, op->kind == OP_TOP ?
			    "TOP %lu 0" : op->kind == OP_RETR ? "RETR %lu" :
			    "DELE %lu", r->m[op->m].num);
			if ((ex = pop3_cmd(&r->p, cmd, expect(r, op))) != 0)
				return ex;
			r->fly[(r->fhead + r->nfly++) % r->cap] = *op;
		}
		/* a batch ends when full, or when no RETR reply is next */
		if (r->nbatch > 0 && (r->nbatch >= r->bmax || r->stop ||
		    r->nfly == 0 || r->fly[r->fhead].kind != OP_RETR)) {
			flush(r);
			continue;
		}
		if (r->nfly == 0)
			return 0;
		op = &r->fly[r->fhead];
		r->fhead = (r->fhead + 1) % r->cap;
		r->nfly--;
		if ((ex = handle(r, op)) != 0)
			return ex;
	}
}

/* What to do with each message, before any command is sent. */
static int
plan(struct run *r)
{
	struct opts *o = r->o;
	long long now = (long long)time(NULL);
	long fetch = 0;
	size_t i, fresh = 0;
	struct uident *u;

	for (i = 0; i < r->nm; i++) {
		struct msg *m = &r->m[i];

		u = uidstate_find(&r->st, m->uid, strlen(m->uid));
		if (u != NULL && u->done) {
			if (o->keep && !(o->delete_after && now - u->first >
			    (o->delete_after - 1) * 86400LL))
				m->act = A_KEPT;
			else {
				m->act = A_DELETED;
				push(r, OP_DELE, i);
			}
			continue;
		}
		fresh++;
		if (o->check)
			continue;
		if (o->maxsize && m->size > o->maxsize) {
			m->act = A_SKIPPED;
			continue;
		}
		if (o->limit && fetch >= o->limit)
			continue;
		fetch++;
		r->planned++;
		r->total += m->size;
		push(r, o->filter ? OP_TOP : OP_RETR, i);
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
		rec_outs(m->uid);
		snprintf(n, sizeof n, "\t%llu\t", m->size);
		outs(n);
		outs(actnames[m->act]);
		outc('\t');
		rec_outs(m->act == A_FETCHED ? m->dest : "-");
		outc('\n');
	}
}

/* ---- the story ---- */

/*
 * Open the session: libcurl logs in (SASL, APOP), except for --auth
 * USER, which we speak ourselves after it has done STLS: libcurl
 * picks SASL whenever the server offers it.
 */
static int
login(struct run *r)
{
	struct opts *o = r->o;
	struct net_opts no = o->c.no;
	struct pop3_reply rep;
	struct net *n;
	int ex = 0, user = no.auth && strcasecmp(no.auth, "USER") == 0;

	if (user) {
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
	snprintf(r->with, sizeof r->with, "%s", net_tls(n) ? "POP3S" : "POP3");
	pop3_open(&r->p, n, net_tls(n) && strncasecmp(no.url, "pop3s:", 6),
	    !user, o->c.trace || o->c.explain);
	if (!user)
		return 0;
	if (!net_tls(n) && !no.allow_plaintext) {
		warn("%s: no TLS: the password will not go in clear text "
		    "(--allow-plaintext)", no.url);
		(void)pop3_quit(&r->p);
		return EX_NOPERM;
	}
	ex = pop3_user(&r->p, o->c.no.user, o->c.no.pass ? o->c.no.pass : "",
	    &rep);
	if (ex != 0) {
		if (r->p.state != POP3_CLOSED)
			warn("%s: login refused: %s", no.url, rep.text);
		(void)pop3_quit(&r->p);
	}
	return ex;
}

static void
open_state(struct run *r, const char *user, const char *host)
{
	struct opts *o = r->o;
	char *dir = state_dir(), *key = mailbox_key(user, host);
	char *path = path_join(dir, key), msg[1024];
	struct buf lp;
	pid_t holder;
	int fd;

	buf_init(&lp, SIZE_MAX);
	(void)buf_printf(&lp, "%s.lock", path);
	fd = lock_run(lp.p, &holder, &r->fe);
	if (fd < 0 && holder != 0)
		snprintf(msg, sizeof msg, "%s is being fetched by process %ld "
		    "(lock %s); try later", key, (long)holder, lp.p);
	if (o->state) {
		free(path);
		path = xstrdup(o->state);
	}
	free(dir);
	free(key);
	buf_free(&lp);
	/* the lock is held until exit: fd stays open */
	if (fd < 0 || uidstate_load(&r->st, path, &r->fe) < 0) {
		free(path);
		if (fd < 0 && holder != 0)
			die(EX_TEMPFAIL, "%s", msg);
		die(fserr_exit(&r->fe), "%s", r->fe.msg);
	}
	free(path);
}

/*
 * Before fetching: mark the UIDs the server still lists, resolve what a
 * killed run left, and compact the state file when it holds anything
 * else than one D record per message on the server (so that appends
 * never follow a torn line).  0, or the state file's status.
 */
static int
settle(struct run *r)
{
	struct uident *u;
	size_t i;
	int stale;

	for (i = 0; i < r->nm; i++)
		if ((u = uidstate_find(&r->st, r->m[i].uid,
		    strlen(r->m[i].uid))) != NULL)
			u->live = 1;
	resolve_intents(r);
	stale = r->st.dirty;
	for (i = 0; i < r->st.n; i++)
		stale |= !r->st.e[i].live;
	if (stale && uidstate_compact(&r->st) < 0)
		return fserr_exit(&r->fe);
	return 0;
}

/*
 * The store takes batches (common/store: one syncfs and one fsync of
 * new/ for all): popfetch flushes them itself, after their intents are
 * durable, so the store's own batch is one larger than popfetch's and
 * never flushes on its own.
 */
#define BATCH	64

static void
open_dest(struct run *r)
{
	struct opts *o = r->o;
	struct store_conf sc;

	/* -p: the D record right after each command, which cannot be
	 * asked after a crash: the duplicate window is one message */
	r->bmax = o->pipe ? 1 : store_batch_max(BATCH + 1) - 1;
	if (r->bmax == 0)
		r->bmax = 1;
	if (o->pipe || o->list || o->check)
		return;
	if (o->mbox == NULL && o->maildir == NULL)
		o->maildir = o->c.acct.maildir ? o->c.acct.maildir :
		    default_maildir();
	memset(&sc, 0, sizeof sc);
	sc.kind = o->mbox ? STORE_MBOX : STORE_MAILDIR;
	sc.flags = STORE_CREATE;
	sc.batch = (unsigned)r->bmax + 1;
	sc.delivered = delivered;
	sc.arg = r;
	if (store_open(&r->sto, o->mbox ? o->mbox : o->maildir, &sc) < 0)
		die(store_exit(&r->sto), "%s", store_error(&r->sto));
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct run r;
	char *host;
	int ex = 0, news;

	setprogname(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit fails the write (EFBIG, 75), never kills */
	signal(SIGXFSZ, SIG_IGN);
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
	maildir_hostname(r.host, sizeof r.host);
	if (!o.list)
		open_state(&r, o.c.no.user, r.server);
	open_dest(&r);
	if ((ex = login(&r)) != 0)
		return ex;
	if ((ex = scan(&r)) != 0) {
		(void)pop3_quit(&r.p);
		return ex;
	}
	if (o.list) {
		print_list(&r);
		(void)pop3_quit(&r.p);
		out_close();
		return 0;
	}
	if (!o.check && (ex = settle(&r)) != 0) {
		warn("%s", r.fe.msg);
		(void)pop3_quit(&r.p);
		return ex;
	}
	r.cap = r.nm * 3 + 4;
	r.todo = xcalloc(r.cap, sizeof *r.todo);
	r.fly = xcalloc(r.cap, sizeof *r.fly);
	r.batch = xcalloc(r.nm + 1, sizeof *r.batch);
	news = plan(&r);
	if (o.check) {
		(void)pop3_quit(&r.p);
		return news ? 0 : 1;
	}
	ex = transact(&r);
	flush(&r);	/* a session lost: what arrived whole is kept */
	progress(&r, 1);
	r.ex = ex_worse(r.ex, ex);
	if (ex == 0 && pop3_quit(&r.p) != 0)
		r.ex = ex_worse(r.ex, EX_TEMPFAIL);
	else if (ex != 0)
		(void)pop3_quit(&r.p);
	if (o.verbose)
		report(&r);
	out_close();
	if (!o.pipe)
		store_close(&r.sto);
	uidstate_free(&r.st);
	client_close(&o.c);
	return r.ex;
}
