/*
 * svtest: run one of Pigeonhole's tests/NAME.svtest files through our Sieve
 * interpreter, with the vnd.dovecot.testsuite commands and tests as a
 * test-only extension registered through sieve_register().
 *
 *   svtest FILE.svtest      prints, per `test "NAME" { ... }` block,
 *                           "PASS NAME" or "FAIL NAME<tab>why", then
 *                           "END"; exit 0.  A file that does not compile
 *                           prints "COMPILE-ERROR message" and exits 2; a
 *                           runtime error outside a test block prints
 *                           "ERROR message" and exits 3.
 *
 * Paths in test_script_compile are relative to the current directory:
 * tests/conformance/run starts svtest in the file's own directory.
 *
 * What Pigeonhole's testsuite does that this one does not (each makes the
 * blocks that rely on it fail, and run says so by name):
 *   - test_message as both a command and a test: our registry has one kind
 *     per name, so the command form is renamed test_message_cmd when the
 *     file is read (a statement position: after ';', '{', '}' or at the
 *     start);
 *   - test_config_set changes what maildeliver has an input for:
 *     recipient_delimiter (--separator), sieve_user_email (--user-email),
 *     sieve_redirect_envelope_from (--redirect-from),
 *     sieve_pipe_bin_dir/_exec_timeout (--pipe-dir, YUBIN_PIPE_TIMEOUT:
 *     with a bin dir, a pipe runs as maildeliver's, sieveact_pipe()), and
 *     sieve_variables_max_variable_size (the interpreter's env->maxvar);
 *     the other settings (vacation, editheader) are accepted and ignored;
 *   - test_binary_save/load do nothing (we keep no compiled binaries);
 *   - test_result_execute files every store into an in-memory mailbox
 *     named as maildeliver names the folder (sieveact_folder()), with the
 *     flags and keywords it stores, and keeps for test_message :smtp the
 *     redirected messages and vacation replies that maildeliver would
 *     send: composed by the same code (sievemail.h), with the same
 *     envelope; a redirect that would loop is kept instead, as maildeliver
 *     does.  A reject sends nothing
 *     (maildeliver exits 69 and the MTA bounces);
 *   - test_error sees the text of a compile's first SIEVE_MAX_ERRORS errors
 *     only (the rest are counted), after our "FILE:LINE:COL: " prefix.
 *
 * test_set "message" and test_message change the message in the middle of
 * a run.  sieve.h has no call for that, so this module reaches into
 * struct sieve_run through sievei.h (reload()); a public
 * sieve_run_set_message() would remove that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <time.h>

#include "hdr.h"
#include "sieve.h"
#include "sieveact.h"
#include "sievei.h"
#include "sievemail.h"
#include "util.h"

struct rec {
	char *data;
	size_t len;
	char *from, *to;
	char *flags;            /* stored: the action's flags, or NULL */
};

struct box {
	char *name;
	struct rec *m;
	size_t n;
	int created;
};

static struct {
	struct sieve_env env;
	char *msg;
	size_t len;
	char *from, *to, *orig;
	char *email;                    /* sieve_user_email */
	char *rfrom;                    /* sieve_redirect_envelope_from */
	struct sieve_script *script;
	char *cerr;                     /* the last compile, run or
	                                   execution's errors, a line each
	                                   (the first SIEVE_MAX_ERRORS of a
	                                   compile), or NULL */
	unsigned nerr;                  /* how many errors there were */
	char *seps;                     /* recipient_delimiter */
	char *pipedir;                  /* sieve_pipe_bin_dir, or NULL */
	double pipetime;                /* sieve_pipe_exec_timeout (0: none) */
	char *hdr;                      /* the header test_script_run's */
	size_t hdrlen;                  /* editheader left, or NULL */
	struct box *box;
	size_t nbox;
	struct rec *smtp;
	size_t nsmtp;
	size_t executed;                /* actions test_result_execute did */
	int implicit_done;
	char *test;                     /* the current block's name */
	int failed;
	unsigned pass, fail;
} C;

static const char DEFAULT_MSG[] =
    "From: sender@example.com\nTo: recipient@example.org\n"
    "Subject: Frop!\n\nFriep!\n";

/* ---- the message ---------------------------------------------------- */

static void
set_env(void)
{
	C.env.msg = C.msg;
	C.env.len = C.len;
	C.env.from = C.from;
	C.env.to = C.to;
	C.env.orig_to = C.orig ? C.orig : C.to;
	C.env.user_email = C.email;
}

/* The user as maildeliver knows it: --user-email, -R, and
 * $ORIGINAL_RECIPIENT. */
static struct sievemail_user
user(void)
{
	struct sievemail_user u;

	u.email = C.email;
	u.rcpt = C.to;
	u.orig_rcpt = C.orig;
	u.redirect_from = C.rfrom;
	return u;
}

/* Make the running script see the current message from here on. */
static void
reload(struct sieve_run *r)
{
	set_env();
	sv_message_load(r);     /* the header and body as every run has them */
}

static char *field(const char *p, size_t len, const char *name);

/* The address in a field's value: inside <...>, else the word with '@'. */
static char *
first_addr(const char *v)
{
	const char *a = strchr(v, '<'), *e;

	if (a != NULL && (e = strchr(a, '>')) != NULL)
		return xstrndup(a + 1, (size_t)(e - a - 1));
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v; *e && *e != ' ' && *e != '\t' && *e != ','; e++)
		;
	return memchr(v, '@', (size_t)(e - v)) ? xstrndup(v, (size_t)(e - v)) :
	    NULL;
}

static char *
addr_of(const char *const *names, const char *dflt)
{
	char *v, *a;

	for (; *names; names++)
		if ((v = field(C.msg, C.len, *names)) != NULL) {
			a = first_addr(v);
			free(v);
			if (a != NULL)
				return a;
		}
	return xstrdup(dflt);
}

/*
 * A new message brings its envelope, as in Pigeonhole's testsuite: the
 * recipient from Envelope-To or To, the sender from Return-Path, Sender
 * or From.
 */
static void
set_msg(const char *p, size_t len)
{
	static const char *const rcpt[] = {"envelope-to", "to", NULL};
	static const char *const snd[] = {"return-path", "sender", "from",
	    NULL};

	free(C.msg);
	C.msg = xstrndup(p, len);
	C.len = len;
	free(C.to);
	free(C.from);
	free(C.orig);
	C.orig = NULL;
	C.to = addr_of(rcpt, "recipient@example.com");
	C.from = addr_of(snd, "sender@example.com");
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* The raw value of the first field called name in (p, len), or NULL. */
static char *
field(const char *p, size_t len, const char *name)
{
	size_t off = 0;
	struct hdrfield f;

	while (hdr_next(p, len, &off, &f))
		if (strcaseeqn(f.name, f.namelen, name)) {
			while (f.vallen && (*f.val == ' ' || *f.val == '\t')) {
				f.val++;
				f.vallen--;
			}
			while (f.vallen && (f.val[f.vallen - 1] == '\n' ||
			    f.val[f.vallen - 1] == '\r'))
				f.vallen--;
			return xstrndup(f.val, f.vallen);
		}
	return NULL;
}

/* ---- mailboxes and the smtp sink ------------------------------------- */

/* A folder is the one maildeliver would write: named by the path
 * sieveact_folder() gives it. */
static struct box *
box_get(const char *folder, int make)
{
	struct sieveact c;
	size_t i;
	char *name;

	memset(&c, 0, sizeof c);
	c.dest = "/Maildir";
	name = sieveact_folder(&c, folder);
	for (i = 0; i < C.nbox; i++)
		if (strcmp(C.box[i].name, name) == 0) {
			free(name);
			return &C.box[i];
		}
	if (!make) {
		free(name);
		return NULL;
	}
	C.box = xrealloc(C.box, (C.nbox + 1) * sizeof *C.box);
	memset(&C.box[C.nbox], 0, sizeof C.box[0]);
	C.box[C.nbox].name = name;
	return &C.box[C.nbox++];
}

static int
mailbox_exists(void *arg, const char *folder)
{
	struct box *b = box_get(folder, 0);

	(void)arg;
	return strcasecmp(folder, "INBOX") == 0 || (b != NULL && b->created);
}

static void
rec_add(struct rec **v, size_t *n, char *data, size_t len, const char *from,
    const char *to)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n].data = data;
	(*v)[*n].len = len;
	(*v)[*n].from = xstrdup(from ? from : "");
	(*v)[*n].to = xstrdup(to ? to : "");
	(*v)[*n].flags = NULL;
	(*n)++;
}

/*
 * The message as the result leaves it: editheader's changes, made by the
 * last test_script_run or by the testsuite script itself, applied.
 */
static char *
result_msg(struct sieve_run *r, size_t *len)
{
	struct buf b;
	size_t i;

	if (C.hdr == NULL && !r->hdr_changed) {
		*len = C.len;
		return xstrndup(C.msg, C.len);
	}
	buf_init(&b, (size_t)-1 / 2);
	if (C.hdr != NULL) {
		buf_add(&b, C.hdr, C.hdrlen);
	} else {
		for (i = 0; i < r->nf; i++) {
			buf_printf(&b, "%s:", r->f[i].name);
			buf_add(&b, r->f[i].val, r->f[i].vlen);
			buf_addc(&b, '\n');
		}
	}
	buf_addc(&b, '\n');
	if (r->bodyoff <= C.len)
		buf_add(&b, C.msg + r->bodyoff, C.len - r->bodyoff);
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

/*
 * The flags a store keeps, as maildeliver's Maildir keeps them: the
 * system flags its file name's info letters can say (sieveact_mdflags()),
 * and the keywords that are IMAP atoms, each once (mdkw.h; its limit of
 * 26 keywords per folder is not met here).  NULL for none.
 */
static char *
stored_flags(const char *flags)
{
	static const struct { char c; const char *name; } sys[] = {
		{'D', "\\Draft"}, {'F', "\\Flagged"}, {'R', "\\Answered"},
		{'S', "\\Seen"}, {'T', "\\Deleted"}};
	char info[16];
	struct buf b;
	size_t i, n, j;
	const char *p = flags ? flags : "";

	sieveact_mdflags(flags, info, sizeof info);
	buf_init(&b, 1 << 16);
	for (i = 0; i < sizeof sys / sizeof sys[0]; i++)
		if (strchr(info, sys[i].c) != NULL)
			buf_printf(&b, "%s%s", b.len ? " " : "", sys[i].name);
	for (; *p; p += n) {
		int ok = 1;

		while (*p == ' ')
			p++;
		if ((n = strcspn(p, " ")) == 0 || *p == '\\')
			continue;
		for (j = 0; j < n && ok; j++)
			ok = (unsigned char)p[j] > 32 && (unsigned char)p[j] < 127 &&
			    strchr("(){%*\"\\]", p[j]) == NULL;
		for (j = 0; ok && b.p && j + n <= b.len; j++)
			if ((j == 0 || b.p[j - 1] == ' ') && (j + n == b.len ||
			    b.p[j + n] == ' ') && strncasecmp(b.p + j, p, n) == 0)
				ok = 0;
		if (ok) {
			if (b.len)
				buf_addc(&b, ' ');
			buf_add(&b, p, n);
		}
	}
	return b.p;
}

/* What maildeliver sends for redirect or vacation a (sievemail.h). */
static char *
sent_msg(struct sieve_run *r, const struct sieve_action *a, size_t *len)
{
	struct sievemail_user u = user();
	struct sieve_result res;
	const char *h;
	size_t hl;
	struct buf b;

	memset(&res, 0, sizeof res);
	res.bodyoff = r->bodyoff <= C.len ? r->bodyoff : C.len;
	sievemail_header(&res, a, C.msg, &h, &hl);
	buf_init(&b, (size_t)-1 / 2);
	if (a->type == SIEVE_VACATION) {
		sievemail_vacation(&u, a, h, hl, time(NULL), &b);
	} else {
		sievemail_redirect_hdr(&u, h, hl, &b);
		buf_add(&b, C.msg + res.bodyoff, C.len - res.bodyoff);
	}
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

/* ---- the testsuite commands and tests --------------------------------- */

static char *
arg_str(struct sieve_run *r, const struct sieve_node *n, unsigned i)
{
	const struct sieve_arg *a = sieve_pos(n, i);
	size_t len;

	if (a == NULL || a->type != SIEVE_LIST || a->n < 1) {
		sieve_fail(r, n, "missing argument %u", i + 1);
		return NULL;
	}
	return sieve_str_expand(r, &a->v[0], &len);
}

static int
run_test(struct sieve_run *r, const struct sieve_node *n)
{
	char *name = arg_str(r, n, 0);
	int v;

	if (name == NULL)
		return -1;
	free(C.test);
	C.test = name;
	C.failed = 0;
	v = sieve_block(r, n->block);
	if (v < 0 || r->err != NULL) {
		printf("FAIL %s\truntime error: %s\n", name,
		    r->err ? r->err : "?");
		free(r->err);
		r->err = NULL;
		C.fail++;
	} else if (!C.failed) {
		printf("PASS %s\n", name);
		C.pass++;
	}
	free(C.test);
	C.test = NULL;
	return 0;
}

static int
run_fail(struct sieve_run *r, const struct sieve_node *n)
{
	char *why = arg_str(r, n, 0);

	if (why == NULL)
		return -1;
	printf("FAIL %s\t%s\n", C.test ? C.test : "(outside a test)", why);
	free(why);
	C.failed = 1;
	C.fail++;
	return 1;
}

static int
run_set(struct sieve_run *r, const struct sieve_node *n)
{
	char *what = arg_str(r, n, 0), *val;
	size_t vl = 0;
	const struct sieve_arg *a = sieve_pos(n, 1);

	if (what == NULL)
		return -1;
	if (a == NULL || a->type != SIEVE_LIST || a->n < 1 ||
	    (val = sieve_str_expand(r, &a->v[0], &vl)) == NULL) {
		free(what);
		return -1;
	}
	if (strcmp(what, "message") == 0) {
		struct buf crlf;
		size_t i;

		/*
		 * The lines of a text: string end in CRLF (RFC 5228
		 * section 2.4.2; Pigeonhole's size tests count 288 octets
		 * for a text of 275 with LF ends), so the messages set from
		 * one do too.
		 */
		buf_init(&crlf, (size_t)-1 / 2);
		for (i = 0; i < vl; i++) {
			if (val[i] == '\n' && (i == 0 || val[i - 1] != '\r'))
				buf_addc(&crlf, '\r');
			buf_addc(&crlf, val[i]);
		}
		set_msg(crlf.p ? crlf.p : "", crlf.len);
		buf_free(&crlf);
		/* a message that comes in has no flags yet */
		set_str(&r->flags, NULL);
		reload(r);
	} else if (strcmp(what, "envelope.from") == 0) {
		set_str(&C.from, val);
	} else if (strcmp(what, "envelope.to") == 0) {
		set_str(&C.to, val);
	} else if (strcmp(what, "envelope.orig_to") == 0) {
		set_str(&C.orig, val);
	}
	set_env();
	free(what);
	free(val);
	return 0;
}

/* test_message :smtp N / :folder NAME N: 1 found (now current), 0 not. */
static int
message_pick(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *num = sieve_pos(n, 0);
	const struct sieve_arg *folder = sieve_tag(n, "folder");
	unsigned long long i = num ? num->num : 0;
	const struct rec *m = NULL;

	if (folder != NULL) {
		char *name;
		size_t nl;
		struct box *b;

		if (folder->type != SIEVE_LIST || folder->n < 1)
			return sieve_fail(r, n, ":folder needs a name");
		if ((name = sieve_str_expand(r, &folder->v[0], &nl)) == NULL)
			return -1;
		b = box_get(name, 0);
		free(name);
		if (b != NULL && i < b->n)
			m = &b->m[i];
	} else if (i < C.nsmtp) {
		m = &C.smtp[i];
	}
	if (m == NULL)
		return 0;
	set_msg(m->data, m->len);
	if (folder == NULL) {
		set_str(&C.from, m->from);
		set_str(&C.to, m->to);
		set_str(&C.orig, NULL);
	} else {
		/* a stored message brings its flags, for hasflag */
		set_str(&r->flags, m->flags);
	}
	reload(r);
	return 1;
}

static int
run_message_test(struct sieve_run *r, const struct sieve_node *n)
{
	return message_pick(r, n);
}

static int
run_message_cmd(struct sieve_run *r, const struct sieve_node *n)
{
	int v = message_pick(r, n);

	if (v == 0)
		return sieve_fail(r, n, "test_message: no such message");
	return v < 0 ? -1 : 0;
}

static int
run_mailbox_create(struct sieve_run *r, const struct sieve_node *n)
{
	char *name = arg_str(r, n, 0);

	if (name == NULL)
		return -1;
	box_get(name, 1)->created = 1;
	free(name);
	return 0;
}

static int
run_script_compile(struct sieve_run *r, const struct sieve_node *n)
{
	char *path = arg_str(r, n, 0);
	struct buf errs;
	FILE *fp;
	struct buf b;
	char tmp[8192];
	size_t k;
	const char *base;

	if (path == NULL)
		return -1;
	if (C.script != NULL)
		sieve_free(C.script);
	C.script = NULL;
	free(C.cerr);
	C.cerr = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		C.cerr = xstrdup("cannot open the script");
		C.nerr = 1;
		free(path);
		return 0;
	}
	buf_init(&b, SIEVE_MAX_SCRIPT + 1);
	while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(&b, tmp, k);
	fclose(fp);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	C.nerr = 0;
	buf_init(&errs, 1 << 20);
	/* Pigeonhole ends a failed compile with one more error, "parse
	 * failed" or "validation failed": test_error counts it */
	if (sieve_compile_all(base, b.p ? b.p : "", b.len, &C.script, &errs,
	    &C.nerr) < 0) {
		C.script = NULL;
		C.cerr = xstrdup(errs.p ? errs.p : "");
		C.nerr++;
	}
	buf_free(&errs);
	buf_free(&b);
	free(path);
	return C.script != NULL;
}

/*
 * The testsuite's result is the running script's own (r->res), as in
 * Pigeonhole, where test_script_run adds to the interpreter's result:
 * the svtest file's actions and the compiled script's go to one place.
 */
static void
result_drop(struct sieve_run *r)
{
	struct sieve_result *res = r->res;
	size_t bodyoff = res->bodyoff;

	sieve_result_free(res);
	memset(res, 0, sizeof *res);
	res->bodyoff = bodyoff;
	r->keep = 1;
	r->nredirect = 0;
	free(C.hdr);
	C.hdr = NULL;
	C.executed = 0;
	C.implicit_done = 0;
}

/* test_result_reset also empties the outbox (Pigeonhole's smtp reset). */
static void
smtp_drop(void)
{
	size_t i;

	for (i = 0; i < C.nsmtp; i++) {
		free(C.smtp[i].data);
		free(C.smtp[i].from);
		free(C.smtp[i].to);
		free(C.smtp[i].flags);
	}
	free(C.smtp);
	C.smtp = NULL;
	C.nsmtp = 0;
}

static int
run_script_run(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_result res;
	struct sieve_env env;
	size_t i;
	int v;

	if (C.script == NULL)
		return 0;
	if (sieve_tag(n, "append_result") == NULL)
		result_drop(r);
	set_env();
	env = C.env;
	free(C.cerr);
	C.cerr = NULL;
	v = sieve_run(C.script, &env, &res);
	if (v < 0) {
		C.cerr = xstrdup(res.error ? res.error : "runtime error");
		C.nerr = 1;
	}
	r->res->a = xrealloc(r->res->a, (r->res->n + res.n) *
	    sizeof *r->res->a);
	for (i = 0; i < res.n; i++)
		r->res->a[r->res->n++] = res.a[i];
	res.n = 0;
	/* the script's own implicit keep is among its actions */
	r->keep = 0;
	if (res.hdr != NULL) {
		free(C.hdr);
		C.hdr = res.hdr;
		C.hdrlen = res.hdrlen;
		res.hdr = NULL;
	}
	sieve_result_free(&res);
	return v == 0;
}

/*
 * The errors of the last compile, run or execution, each with its text
 * (after "FILE:LINE:COL: "); those past the lines of cerr are counted
 * only.
 */
static int
run_error(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *ix = sieve_tag(n, "index");
	struct sieve_str *v;
	size_t i, nv = 0, total;
	char *all = NULL, *line;
	int m;

	total = C.cerr == NULL ? 0 : C.nerr;
	v = xcalloc(total + 1, sizeof *v);
	if (C.cerr != NULL)
		all = xstrdup(C.cerr);
	line = all;
	for (i = 0; i < total; i++) {
		char *msg = (char *)"";

		if (line != NULL && *line != 0) {
			char *q, *e = strchr(line, '\n');
			int colons = 0;

			if (e != NULL)
				*e = 0;
			for (q = line; *q && colons < 3; q++)
				if (*q == ':')
					colons++;
			msg = colons == 3 ? q + (*q == ' ') : line;
			line = e != NULL ? e + 1 : NULL;
		}
		if (ix != NULL && ix->num != 0 && ix->num != i + 1)
			continue;
		v[nv].p = msg;
		v[nv].len = strlen(v[nv].p);
		nv++;
	}
	m = sv_match_values(r, n, v, nv, 0);
	free(all);
	free(v);
	return m;
}

static const char *
action_name(int type)
{
	switch (type) {
	case SIEVE_KEEP: return "keep";
	case SIEVE_FILEINTO: return "store";
	case SIEVE_REDIRECT: return "redirect";
	case SIEVE_DISCARD: return "discard";
	case SIEVE_REJECT: return "reject";
	case SIEVE_EREJECT: return "ereject";
	case SIEVE_VACATION: return "vacation";
	case SIEVE_PIPE: return "pipe";
	}
	return "?";
}

static int
run_result_action(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *ix = sieve_tag(n, "index");
	struct sieve_str *v;
	size_t i, nv = 0;
	int m;

	v = xcalloc(r->res->n + 1, sizeof *v);
	for (i = 0; i < r->res->n; i++) {
		if (ix != NULL && ix->num != 0 && ix->num != i + 1)
			continue;
		v[nv].p = (char *)action_name(r->res->a[i].type);
		v[nv].len = strlen(v[nv].p);
		nv++;
	}
	m = sv_match_values(r, n, v, nv, 0);
	free(v);
	return m;
}

static int
run_result_reset(struct sieve_run *r, const struct sieve_node *n)
{
	(void)n;
	result_drop(r);
	smtp_drop();
	return 0;
}

/*
 * With sieve_pipe_bin_dir set, a pipe runs as maildeliver's does (its
 * --pipe-dir and YUBIN_PIPE_TIMEOUT): 1 when it fails, the execution
 * then failing with Pigeonhole's words for test_error.
 */
static int
pipe_fails(struct sieve_run *r, const struct sieve_action *a)
{
	struct sieveact act;
	char why[512];
	size_t m;

	if (C.pipedir == NULL)
		return 0;
	memset(&act, 0, sizeof act);
	act.pipe_dir = C.pipedir;
	act.pipe_timeout = C.pipetime;
	if (sieveact_pipe(&act, r->res, a, C.msg, C.len, why,
	    sizeof why) == 0)
		return 0;
	m = strlen(why) + strlen(a->arg) + 64;
	free(C.cerr);
	C.cerr = xmalloc(m);
	snprintf(C.cerr, m, "failed to pipe message to program '%s': %s",
	    a->arg, why);
	/* one error, as maildeliver's one line: the program and why */
	C.nerr = 1;
	C.executed = r->res->n;
	return 1;
}

static int
run_result_execute(struct sieve_run *r, const struct sieve_node *n)
{
	size_t i, len;
	char *data, why[512];
	int kept = 0;
	struct sievemail_user u = user();

	(void)n;
	free(C.cerr);
	C.cerr = NULL;
	/* a redirect that would loop: kept instead, as maildeliver does */
	sievemail_unloop(&u, r->res, C.msg, why, sizeof why);
	/*
	 * A folder that does not exist, without :create, fails the whole
	 * execution before anything is stored (maildeliver: exit 75 and
	 * nothing visible), with Pigeonhole's words for test_error.
	 */
	for (i = C.executed; i < r->res->n; i++) {
		const struct sieve_action *a = &r->res->a[i];

		if (a->type == SIEVE_FILEINTO && !a->create &&
		    !mailbox_exists(NULL, a->arg)) {
			size_t m = strlen(a->arg) * 2 + 64;

			free(C.cerr);
			C.cerr = xmalloc(m);
			snprintf(C.cerr, m, "failed to store into mailbox '%s': "
			    "Mailbox doesn't exist: %s", a->arg, a->arg);
			C.nerr = 1;
			return 0;
		}
	}
	/* as Pigeonhole's, an execution goes on from the last one */
	for (i = 0; i < C.executed && i < r->res->n; i++)
		kept |= r->res->a[i].type == SIEVE_KEEP;
	for (i = C.executed; i <= r->res->n; i++) {
		struct sieve_action implicit, *a = &implicit;
		struct box *b;

		if (i < r->res->n) {
			a = &r->res->a[i];
			kept |= a->type == SIEVE_KEEP;
		} else if (r->keep && !kept && !C.implicit_done) {
			C.implicit_done = 1;
			memset(&implicit, 0, sizeof implicit);
			implicit.type = SIEVE_KEEP;
			implicit.flags = r->flags;
		} else {
			break;
		}

		switch (a->type) {
		case SIEVE_KEEP:
		case SIEVE_FILEINTO:
			b = box_get(a->type == SIEVE_KEEP ? "INBOX" : a->arg, 1);
			data = result_msg(r, &len);
			rec_add(&b->m, &b->n, data, len, C.from, C.to);
			b->m[b->n - 1].flags = stored_flags(a->flags);
			b->created = 1;
			break;
		case SIEVE_REDIRECT: {
			char buf[1024];
			const char *from = sievemail_redirect_sender(&u,
			    C.from, buf, sizeof buf);

			data = sent_msg(r, a, &len);
			rec_add(&C.smtp, &C.nsmtp, data, len, from ? from :
			    C.from, a->arg);
			break;
		}
		case SIEVE_VACATION:
			data = sent_msg(r, a, &len);
			rec_add(&C.smtp, &C.nsmtp, data, len, "", a->arg);
			break;
		case SIEVE_PIPE:
			if (pipe_fails(r, a))
				return 0;
			break;
		default:
			break;
		}
	}
	C.executed = r->res->n;
	return 1;
}

static int
run_config_set(struct sieve_run *r, const struct sieve_node *n)
{
	char *key, *val, cwd[4096];

	/* ${tst.path}: the test file's directory, where svtest runs */
	if (sv_get_var(r, "tst.path") == NULL && getcwd(cwd, sizeof cwd))
		sv_set_var(r, "tst.path", cwd, strlen(cwd));
	key = arg_str(r, n, 0);

	if (key == NULL)
		return -1;
	if ((val = arg_str(r, n, 1)) == NULL) {
		free(key);
		return -1;
	}
	if (strcmp(key, "recipient_delimiter") == 0) {
		free(C.seps);
		C.seps = val;
		C.env.subseps = *val ? val : NULL;
		val = NULL;
	} else if (strcmp(key, "sieve_pipe_bin_dir") == 0) {
		free(C.pipedir);
		C.pipedir = val;
		val = NULL;
	} else if (strcmp(key, "sieve_pipe_exec_timeout") == 0) {
		C.pipetime = strtod(val, NULL);         /* "1s": 1 */
	} else if (strcmp(key, "sieve_variables_max_variable_size") == 0) {
		/* the interpreter's own parameter; "4k" as Pigeonhole */
		char *e;
		unsigned long v = strtoul(val, &e, 10);

		if (*e == 'k' || *e == 'K')
			v *= 1024;
		C.env.maxvar = v;
	} else if (strcmp(key, "sieve_user_email") == 0) {
		/* maildeliver --user-email */
		set_str(&C.email, *val ? val : NULL);
		set_env();
	} else if (strcmp(key, "sieve_redirect_envelope_from") == 0) {
		/* maildeliver --redirect-from, which takes no blanks */
		char *v = val, *e;

		while (*v == ' ')
			v++;
		for (e = v + strlen(v); e > v && e[-1] == ' '; e--)
			;
		*e = 0;
		set_str(&C.rfrom, *v ? v : NULL);
	}
	free(key);
	free(val);
	return 0;
}

static int
run_nothing(struct sieve_run *r, const struct sieve_node *n)
{
	(void)r;
	(void)n;
	return 0;
}

static const struct sieve_tagdef msg_tags[] = {
	{"smtp", 0, 1}, {"folder", 's', 1}, {NULL, 0, 0}};
static const struct sieve_tagdef index_tags[] = {
	{"index", 'n', 0}, {NULL, 0, 0}};
static const struct sieve_tagdef run_tags[] = {
	{"append_result", 0, 0}, {NULL, 0, 0}};
static const struct sieve_tagdef reload_tags[] = {
	{"extension", 's', 0}, {NULL, 0, 0}};

static const struct sieve_def debug_defs[] = {
	{"debug_log", SIEVE_CMD, "vnd.dovecot.debug", "s", SIEVE_F_CTRL, NULL,
	    run_nothing, NULL},
};

#define TS "vnd.dovecot.testsuite"
static const struct sieve_def defs[] = {
	{"test", SIEVE_CMD, TS, "s", SIEVE_F_BLOCK | SIEVE_F_CTRL, NULL,
	    run_test, NULL},
	{"test_fail", SIEVE_CMD, TS, "s", SIEVE_F_CTRL, NULL, run_fail, NULL},
	{"test_set", SIEVE_CMD, TS, "ss", SIEVE_F_CTRL, NULL, run_set, NULL},
	{"test_message", SIEVE_TEST, TS, "n", 0, msg_tags, run_message_test,
	    NULL},
	{"test_message_cmd", SIEVE_CMD, TS, "n", SIEVE_F_CTRL, msg_tags,
	    run_message_cmd, NULL},
	{"test_mailbox_create", SIEVE_CMD, TS, "s", SIEVE_F_CTRL, NULL,
	    run_mailbox_create, NULL},
	{"test_script_compile", SIEVE_TEST, TS, "s", 0, NULL,
	    run_script_compile, NULL},
	{"test_script_run", SIEVE_TEST, TS, "", 0, run_tags, run_script_run,
	    NULL},
	{"test_error", SIEVE_TEST, TS, "l", SIEVE_F_MATCH, index_tags,
	    run_error, NULL},
	{"test_result_action", SIEVE_TEST, TS, "l", SIEVE_F_MATCH, index_tags,
	    run_result_action, NULL},
	{"test_result_reset", SIEVE_CMD, TS, "", SIEVE_F_CTRL, NULL,
	    run_result_reset, NULL},
	{"test_result_execute", SIEVE_TEST, TS, "", 0, NULL,
	    run_result_execute, NULL},
	{"test_config_set", SIEVE_CMD, TS, "ss", SIEVE_F_CTRL, NULL,
	    run_config_set, NULL},
	{"test_config_unset", SIEVE_CMD, TS, "s", SIEVE_F_CTRL, NULL,
	    run_nothing, NULL},
	{"test_config_reload", SIEVE_CMD, TS, "", SIEVE_F_CTRL, reload_tags,
	    run_nothing, NULL},
	{"test_binary_save", SIEVE_CMD, TS, "s", SIEVE_F_CTRL, NULL,
	    run_nothing, NULL},
	{"test_binary_load", SIEVE_CMD, TS, "s", SIEVE_F_CTRL, NULL,
	    run_nothing, NULL},
	/* its variables namespace, ${tst.path} (nothing in it yet) */
	{"tst", SIEVE_NS, TS, NULL, 0, NULL, NULL, NULL},
};

/* ---- main ------------------------------------------------------------ */

/*
 * test_message at a statement position (after ';', '{' or '}', comments,
 * strings and text: blocks skipped) becomes test_message_cmd.
 */
static void
rename_cmds(struct buf *out, const char *p, size_t len)
{
	static const char w[] = "test_message";
	size_t i = 0, k;
	char last = ';';

	while (i < len) {
		if (p[i] == '#' || (p[i] == '/' && i + 1 < len &&
		    p[i + 1] == '*')) {
			const char *e = p[i] == '#' ? memchr(p + i, '\n', len - i) :
			    memcasemem(p + i + 2, len - i - 2, "*/", 2);

			k = e == NULL ? len : (size_t)(e - p) + (p[i] == '#' ? 0 : 2);
			buf_add(out, p + i, k - i);
			i = k;
			continue;
		}
		if (p[i] == '"') {
			for (k = i + 1; k < len && p[k] != '"'; k++)
				if (p[k] == '\\')
					k++;
			k = k < len ? k + 1 : len;
			buf_add(out, p + i, k - i);
			i = k;
			last = '"';
			continue;
		}
		if (len - i >= 5 && memcmp(p + i, "text:", 5) == 0) {
			/* up to a line that is "." alone */
			for (k = i; k < len; k++)
				if (p[k] == '\n' && k + 1 < len && p[k + 1] == '.' &&
				    (k + 2 == len || p[k + 2] == '\n' ||
				    p[k + 2] == '\r'))
					break;
			k = k + 2 < len ? k + 2 : len;
			buf_add(out, p + i, k - i);
			i = k;
			last = '"';
			continue;
		}
		if (len - i > sizeof w - 1 && memcmp(p + i, w, sizeof w - 1) == 0 &&
		    p[i + sizeof w - 1] != '_' &&
		    (last == ';' || last == '{' || last == '}')) {
			buf_adds(out, "test_message_cmd");
			i += sizeof w - 1;
			last = 'x';
			continue;
		}
		buf_addc(out, p[i]);
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			last = p[i];
		i++;
	}
}

int
main(int argc, char **argv)
{
	FILE *fp;
	struct buf raw, src;
	char tmp[8192], err[1024];
	size_t k;
	struct sieve_script *s;
	struct sieve_result res;
	int v;

	setprogname(argv[0]);
	if (argc != 2)
		die(64, "usage: svtest FILE.svtest");
	sieve_init();
	if (sieve_register(TS, defs, sizeof defs / sizeof defs[0]) < 0 ||
	    sieve_register("vnd.dovecot.debug", debug_defs, 1) < 0)
		die(70, "cannot register %s", TS);
	if ((fp = fopen(argv[1], "rb")) == NULL)
		die(66, "%s: cannot open", argv[1]);
	buf_init(&raw, SIEVE_MAX_SCRIPT);
	while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(&raw, tmp, k);
	fclose(fp);
	buf_init(&src, SIEVE_MAX_SCRIPT);
	rename_cmds(&src, raw.p ? raw.p : "", raw.len);
	buf_free(&raw);
	if (sieve_compile(argv[1], src.p ? src.p : "", src.len, &s, err,
	    sizeof err) < 0) {
		printf("COMPILE-ERROR %s\n", err);
		buf_free(&src);
		return 2;
	}
	set_msg(DEFAULT_MSG, sizeof DEFAULT_MSG - 1);
	set_env();
	C.env.mailbox_exists = mailbox_exists;
	v = sieve_run(s, &C.env, &res);
	if (v < 0) {
		printf("ERROR %s\n", res.error ? res.error : "runtime error");
		sieve_result_free(&res);
		sieve_free(s);
		buf_free(&src);
		return 3;
	}
	sieve_result_free(&res);
	printf("END %u passed, %u failed\n", C.pass, C.fail);
	sieve_free(s);
	buf_free(&src);
	return 0;
}
