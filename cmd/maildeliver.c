/*
 * maildeliver: deliver a message into a Maildir or an mbox file (an MDA).
 *
 * The contract with the caller (an MTA, popfetch -p, a shell) is the exit
 * status: 0 means every message is on stable storage; anything else means
 * nothing of the failed message is left behind, and 75 says "try again".
 * The delivery itself lives in common/: one message goes through
 * deliver.h (which commits a message to N destinations together, for
 * the rules of -r), a -s stream through store.h's batches; the input
 * through input.h's loop, as every program reads messages.  This file
 * adds the envelope fields (Return-Path, -A) and says what happened.
 *
 * The message is streamed line by line, header included: nothing caps
 * the size of a header or a body, and memory stays at the reader's and
 * the store's buffers.  A Maildir message streams into its tmp/ file; an
 * mbox message is spooled (spool.h) and the mbox locked only to append
 * it, so a stalled producer holds no lock.
 *
 * -s delivers a whole mbox stream, so it syncs in batches: the files of
 * a batch are written to tmp/, made durable together, then renamed into
 * new/, and new/ is fsync'd once.  No message is in new/ before its bytes
 * are on disk.  See BATCH below for the measurements.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "hdr.h"
#include "input.h"
#include "msg.h"
#include "rec.h"
#include "sieve.h"
#include "sieveact.h"
#include "spool.h"
#include "store.h"
#include "usage.h"
#include "util.h"

/*
 * BATCH: messages made durable together with -s.  Measured on ext4 on a
 * virtio disk: 2000 messages (7.8 MB) into an empty Maildir, strategies
 * interleaved, median ms of 5 to 9 runs per column.  Other test suites
 * shared the machine, so the columns differ; the ranking did not.
 *                                                     A      B      C
 *   mdeliver -M (fsync per file, new/ never synced)  582   1715    900
 *   batch 1: fdatasync, rename, fsync new/ each      755      -      -
 *   batch 128: fdatasync each                        411   1408      -
 *   batch 128: sync_file_range, fdatasync each       245   1261      -
 *   batch 128: syncfs, then fdatasync each (this)      -    672    336
 *   batch 128: syncfs alone                          146    594      -
 *   no syncing at all (the floor, not an option)      91      -      -
 * One syncfs is one journal commit for the whole batch, and it holds up
 * best when other programs sync too; the fdatasync after it costs a
 * little and is kept for its error reporting (see store.c).  Batches of
 * 32 were slower, of 512 no faster, and hold more files open.
 */
#define BATCH 128

/*
 * -r holds each message whole for the rules: in memory up to RULES_MEM,
 * beyond that in a temporary file (spool.h).  Its own copy, whatever
 * stdin is: bytes that a writer of a pipe or of the file could still
 * change must not differ between the tests and the delivery.  Most mail
 * fits: one message of the Sieve bench (3 KiB) took 9 system calls
 * fewer than through a temporary file (strace -c).
 */
#define RULES_MEM ((size_t)1 << 20)

struct opts {
	const char *sender;     /* -f, or NULL */
	char **fields;          /* -A */
	int nfields;
	int mbox, create, split, dryrun, verbose;
	const char *rules;      /* -r */
	int check;              /* --check */
	const char *rcpt;       /* -R, else $RECIPIENT */
	const char *orig_rcpt;  /* $ORIGINAL_RECIPIENT */
	const char *env_sender; /* $SENDER: the envelope only */
	const char *sendmail;   /* --sendmail */
	const char *pipe_dir;   /* --pipe-dir */
	const char *state_dir;  /* --state-dir */
	const char *separator;  /* --separator */
	const char *user_email; /* --user-email */
	const char *redirect_from;      /* --redirect-from */
};

/* Where the messages go: one message through dv, a -s stream through s. */
struct run {
	const struct opts *o;
	const char *dest;
	struct deliver dv;
	struct store s;
	unsigned long delivered;        /* made durable */
	unsigned long count;            /* delivered or queued */
	struct sieve_script *script;    /* -r, or NULL if it did not compile */
	struct spool msg;               /* -r: the message, as it is stored */
	unsigned long long added;       /* -r: octets of write_envelope() */
};

static const char *const synopsis[] = {
	"[-cmnsv] [-f sender] [-A 'Field: value']... dest < message",
	"[-cmnsv] [-f sender] [-R rcpt] [-A 'Field: value']... -r rules\n"
	"[--sendmail prog] [--pipe-dir dir] [--state-dir dir]\n"
	"[--separator chars] [--user-email addr] [--redirect-from from]\n"
	"dest < message",
	"--check -r rules",
	"-h | --help | -V | --version",
	NULL
};

/* -f: one pair of angle brackets is taken off; no control characters. */
static const char *
check_sender(char *s)
{
	size_t n = strlen(s), i;

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 32 || s[i] == 127)
			die(EX_USAGE, "-f: control character in sender");
	return s;
}

/*
 * An envelope address from -R or the environment: the rules put it in
 * headers (X-Sieve-Redirected-From, a vacation From) and in the
 * sendmail's arguments (--redirect-from), so no control character.
 */
static void
check_envelope(const char *what, const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			die(EX_USAGE, "%s: control character in address",
			    what);
}

/* --user-email: a bare local@domain, nothing a header could not hold. */
static int
check_email(const char *s, int quiet)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p <= 32 || *p == 127 || *p == '<' ||
		    *p == '>' || *p == ',')
			break;
	if (*p == '\0' && strchr(s, '@') != NULL)
		return 0;
	if (!quiet)
		die(EX_USAGE, "--user-email %s: not an address", s);
	return -1;
}

/* --redirect-from: a keyword of sievemail.h, <address> or <>. */
static void
check_redirect_from(const char *s)
{
	static const char *const words[] = {"sender", "recipient",
	    "orig_recipient", "user_email", "<>"};
	size_t i, n = strlen(s);
	char *a;
	int ok;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(s, words[i]) == 0)
			return;
	ok = n > 2 && s[0] == '<' && s[n - 1] == '>';
	if (ok) {
		a = xstrndup(s + 1, n - 2);
		ok = check_email(a, 1) == 0;
		free(a);
	}
	if (!ok)
		die(EX_USAGE, "--redirect-from %s: not sender, recipient, "
		    "orig_recipient, user_email, <address> or <>", s);
}

/* -A 'Field: value': a valid field name, a colon, no line ends. */
static void
check_field(const char *f)
{
	const char *c = strchr(f, ':'), *p;

	if (c == NULL || c == f)
		die(EX_USAGE, "-A %s: not a 'Field: value'", f);
	for (p = f; p < c; p++)
		if (*p <= 32 || *p >= 127)
			die(EX_USAGE, "-A %s: bad field name", f);
	if (strpbrk(c, "\r\n") != NULL)
		die(EX_USAGE, "-A: line end in the field value");
}

/* Is this first line of a field (hdr_line()) a Return-Path field? */
static int
is_return_path(const char *p, size_t n)
{
	static const char name[] = "Return-Path";
	size_t k = sizeof name - 1;

	return n > k && strcaseeqn(p, k, name) && p[k] != '\0' &&
	    strchr(": \t\r\n", p[k]) != NULL;
}

/* The sender named by a "From " line (from, without its LF), or NULL. */
static const char *
from_sender(const char *from, size_t len)
{
	static char sender[1000];
	const char *p;
	size_t n;

	if (len <= 5)
		return NULL;
	p = from + 5;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof sender)
		return NULL;
	memcpy(sender, p, n);
	sender[n] = '\0';
	return sender;
}

static void
delivered(const char *path, void *arg)
{
	struct run *r = arg;

	/* an mbox is named once, however many messages went into it */
	if (r->o->verbose && (!r->o->mbox || r->delivered == 0)) {
		rec_outs(path);         /* DEST is the user's, any bytes */
		outc('\n');
	}
	r->delivered++;
}

/* ---- one message to dv, or to the -s batch ---- */

static int
put(struct run *r, const char *p, size_t n)
{
	if (r->o->rules)
		return spool_write(&r->msg, p, n);
	return r->o->split ? store_write(&r->s, p, n) :
	    deliver_write(&r->dv, p, n);
}

static int
puts_(struct run *r, const char *str)
{
	return put(r, str, strlen(str));
}

static const char *
why(const struct run *r)
{
	if (r->o->rules)
		return "-r: cannot spool the message";
	return r->o->split ? store_error(&r->s) : deliver_error(&r->dv);
}

static int
exit_code(const struct run *r)
{
	if (r->o->rules)
		return EX_TEMPFAIL;
	return r->o->split ? store_exit(&r->s) : deliver_exit(&r->dv);
}

static void
drop(struct run *r)
{
	if (r->o->rules)
		spool_reset(&r->msg);
	else if (r->o->split)
		store_abort(&r->s);
	else
		deliver_abort(&r->dv);
}

/* The envelope fields on top: Return-Path first (RFC 5321 §4.4). */
static int
write_envelope(struct run *r, const struct opts *o)
{
	int i;

	if (o->sender && (puts_(r, "Return-Path: <") < 0 ||
	    puts_(r, o->sender) < 0 || puts_(r, ">\n") < 0))
		return -1;
	for (i = 0; i < o->nfields; i++)
		if (puts_(r, o->fields[i]) < 0 || puts_(r, "\n") < 0)
			return -1;
	return 0;
}

static int
begin(struct run *r, const char *sender)
{
	/* -r: the message is held whole for the rules (filter()) */
	if (r->o->rules) {
		spool_reset(&r->msg);
		return 0;
	}
	return r->o->split ? store_begin(&r->s, sender) :
	    deliver_begin(&r->dv, sender);
}

/* ---- -r: the Sieve rules (sieve.h runs them, sieveact.h acts) ---- */

static double lock_timeout(void);
static double env_secs(const char *name, double dflt);

/* Read and compile the rules; NULL (the error said) if they do not. */
static struct sieve_script *
compile_rules(const char *path)
{
	struct sieve_script *s;
	struct buf b;
	struct buf errs;
	char chunk[65536];
	size_t n;
	unsigned nerr = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		die(EX_CONFIG, "%s:", path);
	buf_init(&b, SIEVE_MAX_SCRIPT + 1);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	if (ferror(f))
		die(EX_CONFIG, "%s:", path);
	fclose(f);
	buf_init(&errs, 1 << 16);
	if (sieve_compile_all(path, b.p ? b.p : "", b.len, &s, &errs,
	    &nerr) < 0) {
		/* every error, up to SIEVE_MAX_ERRORS, FILE:LINE:COL each */
		fwrite(errs.p ? errs.p : "", 1, errs.len, stderr);
		if (nerr > SIEVE_MAX_ERRORS)
			fprintf(stderr, "%s: %u more errors\n", path,
			    nerr - SIEVE_MAX_ERRORS);
		s = NULL;
	}
	buf_free(&errs);
	buf_free(&b);
	return s;
}

/* The state directory: --state-dir, else $XDG_STATE_HOME/yubin/sieve,
 * else ~/.local/state/yubin/sieve; NULL without a home (no memory). */
static char *
state_dir(const struct opts *o)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	struct buf b;

	if (o->state_dir)
		return xstrdup(o->state_dir);
	buf_init(&b, 8192);
	if (x && *x == '/')
		buf_printf(&b, "%s/yubin/sieve", x);
	else if (h && *h == '/')
		buf_printf(&b, "%s/.local/state/yubin/sieve", h);
	else
		return NULL;
	return b.p;
}

/* The result of a script that did not compile: the implicit keep. */
static void
keep_result(struct sieve_result *res)
{
	memset(res, 0, sizeof *res);
	res->a = xcalloc(1, sizeof *res->a);
	res->a[0].type = SIEVE_KEEP;
	res->a[0].implicit = 1;
	res->n = 1;
}

static void
filter_conf(struct run *r, const char *sender, struct sieveact *act,
    char *sd)
{
	const struct opts *o = r->o;

	memset(act, 0, sizeof *act);
	act->dest = r->dest;
	act->mbox = o->mbox;
	act->create = o->create;
	act->lock_timeout = lock_timeout();
	act->pipe_timeout = env_secs("YUBIN_PIPE_TIMEOUT", 60);
	act->sendmail = o->sendmail;
	act->pipe_dir = o->pipe_dir;
	act->state_dir = sd;
	act->sender = o->sender ? o->sender : o->env_sender ? o->env_sender :
	    sender;
	act->user.email = o->user_email;
	act->user.rcpt = o->rcpt;
	act->user.orig_rcpt = o->orig_rcpt;
	act->user.redirect_from = o->redirect_from;
	act->verbose = o->verbose;
}

/*
 * Run the rules on the message held in r->msg and carry out what they
 * say, or with -n print it.  A failure exits with its status here: the
 * rules' actions are all done or none.
 */
static int
filter(struct run *r, const char *sender)
{
	const struct opts *o = r->o;
	struct sieveact act;
	struct sieve_env env;
	struct sieve_result res;
	struct buf trace;
	char why[1024], *sd;
	const char *msg;
	size_t len;
	int rc = 0;

	if (spool_map(&r->msg, &msg, &len) < 0)
		return -1;
	sd = state_dir(o);
	filter_conf(r, sender, &act, sd);
	memset(&env, 0, sizeof env);
	env.msg = msg;
	env.len = len;
	env.added = r->added <= len ? (size_t)r->added : 0;
	env.from = act.sender;
	env.to = o->rcpt;
	env.orig_to = o->orig_rcpt;
	env.user_email = o->user_email;
	env.subseps = o->separator;
	env.mailbox_exists = sieveact_exists;
	env.duplicate_seen = sieveact_seen;
	env.arg = &act;
	buf_init(&trace, (size_t)-1 / 2);
	env.trace = o->dryrun ? &trace : NULL;
	if (r->script == NULL)
		keep_result(&res);
	else if (sieve_run(r->script, &env, &res) < 0)
		warn("%s; the message is kept in %s", res.error, r->dest);
	if (o->dryrun) {
		sieve_result_print(&res, &trace);
		out(trace.p ? trace.p : "", trace.len);
	} else if ((rc = sieveact_run(&act, &res, env.msg, env.len, why,
	    sizeof why)) != 0) {
		warn("%s", why);        /* reject: the reason, for the bounce */
	}
	sieve_result_free(&res);
	buf_free(&trace);
	spool_reset(&r->msg);
	free(sd);
	if (rc != 0)
		exit(rc);
	r->delivered++;
	return 0;
}

/* Commit the message; say where it went (-v) or would go (-n). */
static int
commit(struct run *r, const char *sender)
{
	unsigned long long size;
	const char *desc;

	if (r->o->rules)
		return filter(r, sender);
	if (r->o->split) {
		/* -v: store.h's callback names it once it is durable */
		if (store_commit(&r->s) < 0)
			return -1;
		size = store_msgsize(&r->s);
		desc = store_describe(&r->s);
	} else {
		if (deliver_commit(&r->dv) < 0)
			return -1;
		if (!r->o->dryrun)
			delivered(deliver_written(&r->dv, 0), r);
		size = deliver_size(&r->dv, 0);
		desc = deliver_describe(&r->dv, 0);
	}
	if (r->o->dryrun)
		printf("would deliver %llu bytes from %s to %s\n", size,
		    sender ? sender : "MAILER-DAEMON", desc);
	return 0;
}

enum { D_OK, D_EMPTY, D_READ, D_STORE };

/*
 * Deliver the message m.  With -f, Return-Path fields of the header
 * (and their continuation lines) make way for ours; the header ends
 * where hdr_line() says, as for every other reader.
 */
static int
deliver(struct run *r, const struct input_msg *m)
{
	static struct buf keep;         /* a line msg_hdrkind() read past */
	const struct opts *o = r->o;
	const char *p, *sender;
	ssize_t n;
	int inhdr = 1, skip = 0, bol = 1;

	if (keep.max == 0)
		buf_init(&keep, 1 << 20);
	if ((n = msg_line(m->in, &p)) <= 0)
		return n < 0 ? D_READ : D_EMPTY;
	sender = o->sender ? o->sender : from_sender(m->from, m->fromlen);
	if (begin(r, sender) < 0 || write_envelope(r, o) < 0)
		return D_STORE;
	if (r->o->rules)
		r->added = spool_len(&r->msg);
	do {
		if (inhdr && bol) {
			int k = msg_hdrkind(m->in, &p, (size_t)n, &keep);

			if (k == HDR_EMPTY || k == HDR_BODY)
				inhdr = skip = 0;
			else if (k != HDR_FOLD)
				skip = k == HDR_FIELD && o->sender &&
				    is_return_path(p, (size_t)n);
		}
		if (!skip && put(r, p, (size_t)n) < 0)
			return D_STORE;
		bol = !m->in->partial;
	} while (inhdr && (n = msg_line(m->in, &p)) > 0);
	/* the body as it comes: input.h's reader leaves the bytes alone,
	 * so chunks are exact, and cost no line splitting */
	if (!inhdr)
		while ((n = msg_read(m->in, &p)) > 0)
			if (put(r, p, (size_t)n) < 0)
				return D_STORE;
	if (n < 0) {
		drop(r);
		return D_READ;
	}
	return commit(r, sender) < 0 ? D_STORE : D_OK;
}

static void
fail(struct run *r, int status, const char *msg) __attribute__((noreturn));

/* Undo the open batch, say what was delivered before, exit.  A NULL
 * msg: the input loop has said what went wrong. */
static void
fail(struct run *r, int status, const char *msg)
{
	drop(r);
	if (r->o->split && r->delivered > 0)
		warn("%s: %lu message%s delivered before the error",
		    r->dest, r->delivered, r->delivered == 1 ? "" : "s");
	if (msg)
		die(status, "%s", msg);
	exit(status);
}

/* input_loop()'s callback: one message of stdin. */
static void
on_msg(void *arg, const struct input_msg *m)
{
	struct run *r = arg;
	char msg[300];

	switch (deliver(r, m)) {
	case D_OK:
		r->count++;
		break;
	case D_EMPTY:
		if (r->o->split)
			warn("stdin: message %lu is empty, skipped", m->index);
		break;
	case D_READ:
		snprintf(msg, sizeof msg, "stdin: %s", errtext(m->in->err));
		fail(r, EX_IOERR, msg);
	default:
		fail(r, exit_code(r), why(r));
	}
}

/* Deliver every message of stdin (one without -s). */
static void
deliver_all(struct run *r)
{
	struct input in;

	memset(&in, 0, sizeof in);
	in.flags = r->o->split ? INPUT_MBOX : INPUT_ONE;
	in.fn = on_msg;
	in.arg = r;
	in.stdin_name = "stdin";
	input_loop(&in, 0, NULL);
	if (in.status != 0)
		fail(r, in.status, NULL);
	if (r->o->split && !r->o->rules && store_flush(&r->s) < 0)
		fail(r, store_exit(&r->s), store_error(&r->s));
}

/* "maildeliver -s -m box < box" would read its own output forever. */
static void
check_not_stdin(const char *dest)
{
	struct stat in, out;

	if (fstat(STDIN_FILENO, &in) == 0 && stat(dest, &out) == 0 &&
	    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
		die(EX_USAGE, "%s: the destination is also the input", dest);
}

/* Seconds from the environment variable name, dflt if unset. */
static double
env_secs(const char *name, double dflt)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (v == NULL || *v == '\0')
		return dflt;
	d = strtod(v, &end);
	if (*end != '\0' || !(d > 0))
		die(EX_CONFIG, "%s: not a positive number: %s", name, v);
	return d;
}

static double
lock_timeout(void)
{
	return env_secs("YUBIN_LOCK_TIMEOUT", 30);
}

/* -s: batches into DEST (store.h). */
static int
open_batch(struct run *r)
{
	struct store_conf c;

	memset(&c, 0, sizeof c);
	c.kind = r->o->mbox ? STORE_MBOX : STORE_MAILDIR;
	c.flags = (r->o->create ? STORE_CREATE : 0) |
	    (r->o->dryrun ? STORE_DRYRUN : 0);
	c.batch = store_batch_max(BATCH);
	c.lock_timeout = lock_timeout();
	c.delivered = delivered;
	c.arg = r;
	return store_open(&r->s, r->dest, &c);
}

/* One message into DEST (deliver.h, with one destination). */
static int
open_one(struct run *r)
{
	struct deliver_to to;

	memset(&to, 0, sizeof to);
	to.mbox = r->o->mbox;
	to.path = r->dest;
	return deliver_open(&r->dv, &to, 1,
	    (r->o->create ? DELIVER_CREATE : 0) |
	    (r->o->dryrun ? DELIVER_DRYRUN : 0), lock_timeout());
}

int
main(int argc, char *argv[])
{
	enum { O_CHECK = 1, O_SENDMAIL, O_PIPEDIR, O_STATEDIR, O_SEP,
	    O_EMAIL, O_RFROM };
	static const struct option lopts[] = {
		USAGE_LONGOPTS,
		{ "check", no_argument, NULL, O_CHECK },
		{ "sendmail", required_argument, NULL, O_SENDMAIL },
		{ "pipe-dir", required_argument, NULL, O_PIPEDIR },
		{ "state-dir", required_argument, NULL, O_STATEDIR },
		{ "separator", required_argument, NULL, O_SEP },
		{ "user-email", required_argument, NULL, O_EMAIL },
		{ "redirect-from", required_argument, NULL, O_RFROM },
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "A:cf:hmnr:R:svV";
	struct opts o;
	struct run r;
	struct sigaction sa;
	int ch;

	setprogname(argv[0]);
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.fields = xcalloc((size_t)argc, sizeof *o.fields);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (ch) {
		case 'A':
			check_field(optarg);
			o.fields[o.nfields++] = optarg;
			break;
		case 'c':
			o.create = 1;
			break;
		case 'f':
			o.sender = check_sender(optarg);
			break;
		case 'h':
			usage_exit(0, synopsis);
		case 'm':
			o.mbox = 1;
			break;
		case 'n':
			o.dryrun = 1;
			break;
		case 'r':
			o.rules = optarg;
			break;
		case 'R':
			o.rcpt = optarg;
			break;
		case O_CHECK:
			o.check = 1;
			break;
		case O_SENDMAIL:
			o.sendmail = optarg;
			break;
		case O_PIPEDIR:
			o.pipe_dir = optarg;
			break;
		case O_STATEDIR:
			o.state_dir = optarg;
			break;
		case O_SEP:
			if (*optarg == 0 || strchr(optarg, '@') != NULL)
				die(EX_USAGE, "--separator: characters other "
				    "than '@'");
			o.separator = optarg;
			break;
		case O_EMAIL:
			check_email(optarg, 0);
			o.user_email = optarg;
			break;
		case O_RFROM:
			check_redirect_from(optarg);
			o.redirect_from = optarg;
			break;
		case 's':
			o.split = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'V':
			version();
		default:
			usage_opt(ch, optstr, argv, synopsis);
		}
	}
	if (o.check) {
		/* --check -r FILE: compile only */
		if (o.rules == NULL || argc - optind > 1)
			usage_exit(EX_USAGE, synopsis);
		free(o.fields);
		if ((r.script = compile_rules(o.rules)) == NULL)
			exit(EX_CONFIG);
		sieve_free(r.script);
		return 0;
	}
	if (argc - optind != 1)
		usage_exit(EX_USAGE, synopsis);
	if (o.rules) {
		/* the envelope as Postfix's local(8) and pipe(8) set it */
		const char *e;

		if (o.rcpt == NULL && (e = getenv("RECIPIENT")) && *e)
			o.rcpt = e;
		if ((e = getenv("ORIGINAL_RECIPIENT")) && *e)
			o.orig_rcpt = e;
		o.env_sender = getenv("SENDER");
		check_envelope(o.rcpt == getenv("RECIPIENT") ? "$RECIPIENT" :
		    "-R", o.rcpt);
		check_envelope("$ORIGINAL_RECIPIENT", o.orig_rcpt);
		check_envelope("$SENDER", o.env_sender);
	}
	if (o.mbox)
		check_not_stdin(argv[optind]);

	/*
	 * A closed stdout must fail a write (EPIPE): a signal would kill us
	 * half-way.  SIGXFSZ is ignored by setprogname().
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	r.o = &o;
	r.dest = argv[optind];
	if (o.rules) {
		/* a script that does not compile: every message kept */
		r.script = compile_rules(o.rules);
		spool_init(&r.msg, RULES_MEM);
		deliver_all(&r);
		if (r.count == 0)
			die(EX_DATAERR, "stdin: %s", o.split ? "no messages" :
			    "empty message");
		sieve_free(r.script);
		spool_free(&r.msg);
		free(o.fields);
		out_close();
		return 0;
	}
	if ((o.split ? open_batch(&r) : open_one(&r)) < 0)
		die(o.split ? store_exit(&r.s) : deliver_exit(&r.dv), "%s",
		    o.split ? store_error(&r.s) : deliver_error(&r.dv));
	deliver_all(&r);
	if (r.count == 0)
		die(EX_DATAERR, "stdin: %s", o.split ? "no messages" :
		    "empty message");
	if (o.split)
		store_close(&r.s);
	else
		deliver_close(&r.dv);
	free(o.fields);
	out_close();
	return 0;
}
