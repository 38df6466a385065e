/*
 * sieveact: see sieveact.h for the order of the steps and why.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "durable.h"
#include "mdkw.h"
#include "sieveact.h"
#include "sievestate.h"
#include "spawn.h"
#include "util.h"

static int
say(char *why, size_t n, int ex, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
say(char *why, size_t n, int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return ex;
}

char *
sieveact_folder(const struct sieveact *c, const char *folder)
{
	char *dir, *p, *name;

	if (strcasecmp(folder, "INBOX") == 0)
		return xstrdup(c->dest);
	if (!c->mbox) {
		name = xmalloc(strlen(folder) + 2);
		sprintf(name, ".%s", folder);
		/* INBOX is one name in any case (RFC 3501 section 5.1), so
		 * is the INBOX of "INBOX.Junk" */
		if (strncasecmp(folder, "INBOX.", 6) == 0)
			memcpy(name + 1, "INBOX", 5);
		p = path_join(c->dest, name);
		free(name);
		return p;
	}
	dir = path_dir(c->dest);
	p = path_join(dir, folder);
	free(dir);
	return p;
}

int
sieveact_exists(void *arg, const char *folder)
{
	const struct sieveact *c = arg;
	char *p = sieveact_folder(c, folder), *nd;
	struct stat st;
	int ok;

	if (c->mbox) {
		ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	} else {
		nd = path_join(p, "new");
		ok = stat(nd, &st) == 0 && S_ISDIR(st.st_mode);
		free(nd);
	}
	free(p);
	return ok;
}

static char *
state_path(const struct sieveact *c, const char *kind)
{
	return path_join(c->state_dir, kind);
}

int
sieveact_seen(void *arg, const char *key, size_t n)
{
	const struct sieveact *c = arg;
	char *p;
	int seen;

	if (c->state_dir == NULL)
		return 0;
	p = state_path(c, strncmp(key, "vacation", 8) == 0 ? "vacation" :
	    "duplicate");
	seen = sstate_seen(p, key, n, time(NULL));
	free(p);
	return seen;
}

void
sieveact_mdflags(const char *imap, char *out, size_t n)
{
	static const struct { const char *name; char c; } map[] = {
		{"\\Seen", 'S'}, {"\\Answered", 'R'}, {"\\Flagged", 'F'},
		{"\\Deleted", 'T'}, {"\\Draft", 'D'},
	};
	size_t k = 0, i;
	const char *p = imap ? imap : "";

	while (*p) {
		size_t l = strcspn(p, " ");

		for (i = 0; i < sizeof map / sizeof map[0]; i++)
			if (strlen(map[i].name) == l &&
			    strncasecmp(p, map[i].name, l) == 0 &&
			    memchr(out, map[i].c, k) == NULL && k + 1 < n)
				out[k++] = map[i].c;
		p += l;
		while (*p == ' ')
			p++;
	}
	out[k] = 0;
}

/*
 * The header of the message as stored (a == NULL: the final header) or
 * as redirect or pipe a sends it (sievemail.h), its empty line
 * included, into b; the body follows as it came (res->bodyoff).
 */
static void
compose_hdr(const struct sieveact *c, const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, struct buf *b)
{
	const char *h;
	size_t hl;

	sievemail_header(res, a, msg, &h, &hl);
	if (a == NULL) {
		buf_add(b, h, hl);
		buf_addc(b, '\n');
	} else if (a->type == SIEVE_REDIRECT) {
		sievemail_redirect_hdr(&c->user, h, hl, b);
	} else {
		/* a pipe: the header without Return-Path */
		struct sievemail_user none;

		memset(&none, 0, sizeof none);
		sievemail_redirect_hdr(&none, h, hl, b);
	}
}

static int
put_deliver(void *arg, const void *p, size_t n)
{
	return deliver_write(arg, p, n);
}

/* The stores' copy: the message as it came when no editheader changed
 * its header. */
static int
write_stored(const struct sieveact *c, struct deliver *dv,
    const struct sieve_result *res, const char *msg, size_t len)
{
	struct buf b;
	int rc;

	if (res->hdr == NULL)
		return put_deliver(dv, msg, len);
	buf_init(&b, (size_t)-1 / 2);
	compose_hdr(c, res, NULL, msg, &b);
	rc = put_deliver(dv, b.p ? b.p : "", b.len);
	buf_free(&b);
	return rc < 0 ? -1 : put_deliver(dv, msg + res->bodyoff,
	    len - res->bodyoff);
}

/*
 * Write (p, n) to fd, non-blocking, before end (a spawn_now() time; 0:
 * no end): 0, or -1 with errno (ETIMEDOUT when end came first).  Each
 * turn writes or waits in poll() for at most the time left.
 */
static int
put_until(int fd, const char *p, size_t n, double end)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		double left = end > 0 ? end - spawn_now() : 1;
		struct pollfd pf;

		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pf.fd = fd;
		pf.events = POLLOUT;
		poll(&pf, 1, end > 0 ? (int)(left * 1000) + 1 : -1);
	}
	return 0;
}

/*
 * The one way a child gets a message (pipe, redirect, vacation): run
 * file with argv, (p1, n1) then (p2, n2) on its stdin, for at most secs
 * seconds if secs > 0 (then it is killed, whether it stopped reading or
 * only not exited).  Its exit status, or -1 (why says which).
 */
static int
feed(const char *file, const char *const argv[], const char *p1,
    size_t n1, const char *p2, size_t n2, double secs, char *why,
    size_t whylen)
{
	struct spawn sp;
	double end;
	int rc, sig;

	if (spawn_to(&sp, file, argv) < 0) {
		snprintf(why, whylen, "%s: %s", file, errtext(errno));
		return -1;
	}
	end = secs > 0 ? spawn_now() + secs : 0;
	fcntl(sp.fd, F_SETFL, fcntl(sp.fd, F_GETFL) | O_NONBLOCK);
	rc = put_until(sp.fd, p1, n1, end);
	if (rc == 0)
		rc = put_until(sp.fd, p2, n2, end);
	if (rc < 0 && errno != ETIMEDOUT && errno != EPIPE) {
		snprintf(why, whylen, "%s: write: %s", file, errtext(errno));
		spawn_wait_until(&sp, end, &sig);
		return -1;
	}
	/* ETIMEDOUT: end has come, so the program is killed here */
	rc = spawn_wait_until(&sp, end, &sig);
	if (rc == -2)
		snprintf(why, whylen, "%s: killed after %g seconds", file,
		    secs);
	else if (rc < 0)
		snprintf(why, whylen, "%s: killed by signal %d", file, sig);
	else if (rc != 0)
		snprintf(why, whylen, "%s: exit %d", file, rc);
	return rc < 0 ? -1 : rc;
}

/* feed() the message as action a sends it. */
static int
feed_msg(const struct sieveact *c, const char *file, const char *const argv[],
    const struct sieve_result *res, const struct sieve_action *a,
    const char *msg, size_t len, char *why, size_t whylen)
{
	struct buf b;
	int rc;

	buf_init(&b, (size_t)-1 / 2);
	compose_hdr(c, res, a, msg, &b);
	rc = feed(file, argv, b.p ? b.p : "", b.len, msg + res->bodyoff,
	    len - res->bodyoff, c->pipe_timeout, why, whylen);
	buf_free(&b);
	return rc;
}

static const char *
sendmail(const struct sieveact *c)
{
	return c->sendmail ? c->sendmail : "mailsend";
}

static int
redirect(const struct sieveact *c, const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, size_t len, char *why,
    size_t whylen)
{
	char buf[1024];
	const char *sender = sievemail_redirect_sender(&c->user, c->sender ?
	    c->sender : "", buf, sizeof buf);
	const char *argv[] = {sendmail(c), "-i", "-f", "<>", "--", a->arg,
	    NULL};

	if (sender == NULL) {
		snprintf(why, whylen, "--redirect-from %s: not a setting",
		    c->user.redirect_from);
		return -1;
	}
	if (*sender)
		argv[3] = sender;

	return feed_msg(c, argv[0], argv, res, a, msg, len, why, whylen);
}

/* Resolve a pipe program in pipe_dir: malloc'd path, or NULL. */
static char *
pipe_prog(const struct sieveact *c, const char *name)
{
	struct stat st;
	char *p;

	if (c->pipe_dir == NULL || strchr(name, '/') != NULL || *name == '.')
		return NULL;
	p = path_join(c->pipe_dir, name);
	if (stat(p, &st) < 0 || !S_ISREG(st.st_mode) || access(p, X_OK) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

int
sieveact_pipe(const struct sieveact *c, const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, size_t len, char *why,
    size_t whylen)
{
	char *prog = pipe_prog(c, a->arg);
	const char **argv;
	size_t n = 0, i;
	int rc;

	if (prog == NULL)
		return say(why, whylen, -1, "pipe \"%s\": not an executable "
		    "file in %s", a->arg, c->pipe_dir ? c->pipe_dir :
		    "--pipe-dir (none given)");
	while (a->argv && a->argv[n])
		n++;
	argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = a->arg;
	for (i = 0; i < n; i++)
		argv[i + 1] = a->argv[i];
	rc = feed_msg(c, prog, argv, res, a, msg, len, why, whylen);
	free(argv);
	free(prog);
	return rc;
}

static int
vacation(const struct sieveact *c, const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, char *why, size_t whylen)
{
	const char *argv[] = {sendmail(c), "-i", "-f", "<>", "--", a->arg,
	    NULL};
	struct buf b;
	char w[256];
	int rc;
	const char *h;
	size_t hl;

	buf_init(&b, SIEVE_MAX_STRING * 4);
	sievemail_header(res, a, msg, &h, &hl);
	sievemail_vacation(&c->user, a, h, hl, time(NULL), &b);
	rc = feed(argv[0], argv, b.p ? b.p : "", b.len, "", 0,
	    c->pipe_timeout, w, sizeof w);
	buf_free(&b);
	if (rc != 0)
		snprintf(why, whylen, "vacation reply to %s failed: %s",
		    a->arg, w);
	return rc;
}

/* Step 6: remember what duplicate and vacation saw. */
static void
remember(const struct sieveact *c, const struct sieve_result *res,
    const unsigned char *sent)
{
	struct fserr e;
	size_t i, n = 0;
	char **k;
	size_t *l;
	unsigned long long *s;
	char *p;

	if (c->state_dir == NULL)
		return;
	k = xcalloc(res->ndup + res->n + 1, sizeof *k);
	l = xcalloc(res->ndup + res->n + 1, sizeof *l);
	s = xcalloc(res->ndup + res->n + 1, sizeof *s);
	for (i = 0; i < res->ndup; i++, n++) {
		k[n] = res->dup[i].key;
		l[n] = strlen(k[n]);
		s[n] = res->dup[i].seconds;
	}
	memset(&e, 0, sizeof e);
	p = state_path(c, "duplicate");
	if (sstate_add(p, k, l, s, n, time(NULL), &e) < 0)
		warn("%s", e.msg);
	free(p);
	for (i = 0, n = 0; i < res->n; i++)
		if (res->a[i].type == SIEVE_VACATION && sent[i]) {
			k[n] = res->a[i].key;
			l[n] = strlen(k[n]);
			s[n] = res->a[i].seconds;
			n++;
		}
	p = state_path(c, "vacation");
	if (sstate_add(p, k, l, s, n, time(NULL), &e) < 0)
		warn("%s", e.msg);
	free(p);
	free(k);
	free(l);
	free(s);
}

/* Steps 1, 2: pipes resolvable, folders there.  0, or an exit status
 * (-1: a refused pipe, made a runtime error by the caller). */
static int
precheck(const struct sieveact *c, const struct sieve_result *res,
    char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct sieve_action *a = &res->a[i];
		char *p;

		if (a->type == SIEVE_PIPE) {
			if ((p = pipe_prog(c, a->arg)) == NULL) {
				snprintf(why, whylen, "pipe \"%s\": not an "
				    "executable program in %s", a->arg,
				    c->pipe_dir ? c->pipe_dir :
				    "--pipe-dir (none given)");
				return -1;
			}
			free(p);
		}
		if (a->type == SIEVE_FILEINTO && !a->create &&
		    !sieveact_exists((void *)c, a->arg))
			return say(why, whylen, EX_TEMPFAIL, "fileinto \"%s\": "
			    "no such folder (and no :create)", a->arg);
	}
	return 0;
}

static int
open_stores(const struct sieveact *c, const struct sieve_result *res,
    struct deliver *dv, unsigned *nstores, char *why, size_t whylen)
{
	struct deliver_to *to = xcalloc(res->n + 1, sizeof *to);
	char (*fl)[64] = xcalloc(res->n + 1, sizeof *fl);
	char **paths = xcalloc(res->n + 1, sizeof *paths);
	unsigned n = 0, i;
	int dest_missing = 0, rc = 0;
	struct stat st;

	for (i = 0; i < res->n; i++) {
		const struct sieve_action *a = &res->a[i];

		if (a->type != SIEVE_KEEP && a->type != SIEVE_FILEINTO)
			continue;
		paths[n] = a->type == SIEVE_KEEP ? xstrdup(c->dest) :
		    sieveact_folder(c, a->arg);

		to[n].mbox = c->mbox;
		to[n].path = paths[n];
		sieveact_mdflags(a->flags, fl[n], sizeof fl[n]);
		to[n].flags = fl[n];
		n++;
	}
	*nstores = n;
	/* DEST itself is made only with -c, folders with :create (or
	 * when they exist, checked before) */
	dest_missing = stat(c->dest, &st) < 0;
	if (n > 0 && deliver_open(dv, to, n, dest_missing && !c->create ? 0 :
	    DELIVER_CREATE, c->lock_timeout) < 0) {
		rc = say(why, whylen, deliver_exit(dv), "%s",
		    deliver_error(dv));
		deliver_close(dv);
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(fl);
	free(to);
	return rc;
}

/* The keywords among a store's flags: their letters from its Maildir's
 * dovecot-keywords (mdkw.h), now that every Maildir exists. */
static void
keywords(const struct sieveact *c, const struct sieve_result *res,
    struct deliver *dv)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct sieve_action *a = &res->a[i];
		char kw[MDKW_MAX + 1], all[64 + MDKW_MAX], *path;
		int lost;

		if (a->type != SIEVE_KEEP && a->type != SIEVE_FILEINTO)
			continue;
		if (!c->mbox && a->flags != NULL) {
			path = a->type == SIEVE_KEEP ? xstrdup(c->dest) :
			    sieveact_folder(c, a->arg);
			lost = mdkw_letters(path, a->flags, kw);
			sieveact_mdflags(a->flags, all, 64);
			strcat(all, kw);
			if (*kw)
				deliver_set_flags(dv, n, all);
			if (lost > 0)
				warn("%s: %d keyword%s not stored (past 26, not "
				    "an IMAP atom, or dovecot-keywords locked)",
				    path, lost, lost == 1 ? "" : "s");
			free(path);
		}
		n++;
	}
}

static int
others(const struct sieveact *c, const struct sieve_result *res,
    const char *msg, size_t len, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct sieve_action *a = &res->a[i];
		int rc = 0;

		if (a->type == SIEVE_REDIRECT)
			rc = redirect(c, res, a, msg, len, why, whylen);
		else if (a->type == SIEVE_PIPE)
			rc = sieveact_pipe(c, res, a, msg, len, why, whylen);
		else
			continue;
		if (rc != 0 && !(a->type == SIEVE_PIPE && a->try_))
			return EX_TEMPFAIL;
		if (rc != 0)
			warn("%s (pipe :try: going on)", why);
		if (c->verbose) {
			printf("%s %s\n", a->type == SIEVE_PIPE ? "pipe" :
			    "redirect", a->arg);
		}
	}
	return 0;
}

static void
keep_only(struct sieve_result *res)
{
	struct sieve_action *a = res->a;
	size_t i;

	for (i = 0; i < res->n; i++) {
		free(a[i].arg);
		free(a[i].flags);
		free(a[i].from);
		free(a[i].subject);
		free(a[i].reason);
		free(a[i].handle);
		free(a[i].key);
		free(a[i].me);
		free(a[i].hdr);
		if (a[i].argv) {
			char **p;

			for (p = a[i].argv; *p; p++)
				free(*p);
			free(a[i].argv);
		}
	}
	memset(a, 0, sizeof *a);
	a[0].type = SIEVE_KEEP;
	a[0].implicit = 1;
	res->n = 1;
	free(res->hdr);
	res->hdr = NULL;
	res->ndup = 0;
}

int
sieveact_run(const struct sieveact *c, struct sieve_result *res,
    const char *msg, size_t len, char *why, size_t whylen)
{
	struct deliver dv;
	unsigned nstores = 0, i;
	unsigned char *sent;
	int rc;

	for (i = 0; i < res->n; i++)
		if (res->a[i].type == SIEVE_REJECT ||
		    res->a[i].type == SIEVE_EREJECT)
			return say(why, whylen, EX_UNAVAILABLE, "%s",
			    res->a[i].arg);
	if ((rc = precheck(c, res, why, whylen)) < 0) {
		warn("%s; runtime error: the message is kept in %s", why,
		    c->dest);
		keep_only(res);
		rc = 0;
	}
	if (rc != 0)
		return rc;
	if (sievemail_unloop(&c->user, res, msg, why, whylen) > 0)
		warn("%s in %s", why, c->dest);
	memset(&dv, 0, sizeof dv);
	if ((rc = open_stores(c, res, &dv, &nstores, why, whylen)) != 0)
		return rc;
	if (nstores > 0 && (deliver_begin(&dv, c->sender && *c->sender ?
	    c->sender : NULL) < 0 ||
	    write_stored(c, &dv, res, msg, len) < 0)) {
		rc = say(why, whylen, deliver_exit(&dv), "%s",
		    deliver_error(&dv));
		deliver_close(&dv);
		return rc;
	}
	if (nstores > 0)
		keywords(c, res, &dv);
	if ((rc = others(c, res, msg, len, why, whylen)) != 0) {
		if (nstores > 0) {
			deliver_abort(&dv);
			deliver_close(&dv);
		}
		return rc;
	}
	if (nstores > 0) {
		if (deliver_commit(&dv) < 0) {
			rc = say(why, whylen, deliver_exit(&dv), "%s",
			    deliver_error(&dv));
			deliver_close(&dv);
			return rc;
		}
		for (i = 0; c->verbose && i < nstores; i++)
			printf("%s\n", deliver_written(&dv, i));
		deliver_close(&dv);
	}
	sent = xcalloc(res->n + 1, 1);
	for (i = 0; i < res->n; i++)
		if (res->a[i].type == SIEVE_VACATION) {
			char w[512];

			if (vacation(c, res, &res->a[i], msg, w, sizeof w) == 0)
				sent[i] = 1;
			else
				warn("%s", w);
		}
	remember(c, res, sent);
	free(sent);
	return 0;
}
