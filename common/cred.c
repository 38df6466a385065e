/*
 * cred: the accounts file, .netrc and passwords (see cred.h and
 * yubin-accounts.5).
 *
 * Why our own .netrc reader: the one in Debian's libcurl 7.88 crashes
 * when the URL carries a user and a machine entry with another login is
 * followed by more entries (doc/libcurl.md 4).  Reading it ourselves
 * also lets us refuse a .netrc that others can read, as ftp(1) does.
 *
 * Secrets (passwords from .netrc, passwordeval or the environment) are
 * held only in malloc'd buffers that are zeroed before they are freed;
 * the file and pipe buffers they passed through are zeroed too.
 */
#include "cred.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sysexits.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "spawn.h"
#include "util.h"

#define CRED_FILE_MAX	(1024 * 1024)	/* accounts file or .netrc */
#define CRED_PASS_MAX	4096		/* first line of passwordeval */

/* ---- the accounts file ---- */

enum { K_SMTP, K_POP3, K_IMAP, K_USER, K_FROM, K_PASSWORDEVAL, K_CACERT,
	K_AUTH, K_PIN, K_STARTTLS, K_MAILDIR, K_POPB4SMTP, K_N };

static const struct {
	const char *name;
	size_t off;
} keys[K_N] = {
	{ "smtp", offsetof(struct account, smtp) },
	{ "pop3", offsetof(struct account, pop3) },
	{ "imap", offsetof(struct account, imap) },
	{ "user", offsetof(struct account, user) },
	{ "from", offsetof(struct account, from) },
	{ "passwordeval", offsetof(struct account, passwordeval) },
	{ "cacert", offsetof(struct account, cacert) },
	{ "auth", offsetof(struct account, auth) },
	{ "pin", offsetof(struct account, pin) },
	{ "starttls", offsetof(struct account, starttls) },
	{ "maildir", offsetof(struct account, maildir) },
	{ "pop_before_smtp", offsetof(struct account, pop_before_smtp) },
};

struct names {			/* accounts seen so far, for duplicates */
	char **v;
	long *line;
	size_t n;
};

struct aparse {
	char *err;
	size_t errsz;
	long line;
	struct names names;
	char *dflt;		/* the "default" line's name */
	long dflt_line;
	const char *want;	/* pass 2: the account to fill */
	struct account *a;
};

static int __attribute__((format(printf, 2, 3)))
perr(struct aparse *s, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (s->err == NULL || s->errsz == 0)
		return -1;
	if (s->line > 0)
		n = snprintf(s->err, s->errsz, "line %ld: ", s->line);
	if (n < 0 || (size_t)n >= s->errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
isblank_(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value in [p, e): a quoted string ("..." with backslash taking the
 * next byte as it is) or the rest of the line less trailing blanks.
 * Writes the decoded value to out (room for e - p + 1) when out is not
 * NULL.  Returns its length, -1 for an unterminated quote, -2 for text
 * after the closing one.
 */
static long
value(const char *p, const char *e, char *out)
{
	size_t n = 0;

	if (p < e && *p == '"') {
		for (p++; p < e && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < e)
				p++;
			if (out != NULL)
				out[n] = *p;
			n++;
		}
		if (p == e)
			return -1;
		for (p++; p < e && isblank_((unsigned char)*p); p++)
			;
		if (p != e)
			return -2;
	} else {
		while (e > p && isblank_((unsigned char)e[-1]))
			e--;
		n = (size_t)(e - p);
		if (out != NULL)
			memcpy(out, p, n);
	}
	if (out != NULL)
		out[n] = '\0';
	return (long)n;
}

static int
check_url(struct aparse *s, const char *key, const char *v)
{
	char plain[16], tls[16];
	size_t n;

	snprintf(plain, sizeof plain, "%s://", key);
	snprintf(tls, sizeof tls, "%ss://", key);
	n = strlen(plain);
	if ((strncasecmp(v, plain, n) == 0 && v[n] != '\0') ||
	    (strncasecmp(v, tls, n + 1) == 0 && v[n + 1] != '\0'))
		return 0;
	return perr(s, "%s wants a %s or %s URL, not '%.60s'", key, plain,
	    tls, v);
}

/* Check a value and put it in the form the programs compare with. */
static int
check_value(struct aparse *s, int k, char *v)
{
	char *p;

	switch (k) {
	case K_SMTP:
	case K_POP3:
	case K_IMAP:
		return check_url(s, keys[k].name, v);
	case K_STARTTLS:
	case K_POPB4SMTP:
		for (p = v; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (k == K_POPB4SMTP && strcmp(v, "yes") && strcmp(v, "no"))
			return perr(s, "pop_before_smtp wants yes or no, "
			    "not '%.60s'", v);
		if (k == K_STARTTLS && strcmp(v, "yes") && strcmp(v, "try") &&
		    strcmp(v, "no"))
			return perr(s, "starttls wants yes, try or no, "
			    "not '%.60s'", v);
		return 0;
	case K_AUTH:
		/* RFC 4422 3.1: mechanism names are upper case. */
		for (p = v; *p; p++) {
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
			if (!((*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' ||
			    *p == '_') || p - v >= 20)
				return perr(s, "auth wants one SASL mechanism "
				    "name such as PLAIN, not '%.60s'", v);
		}
		return 0;
	}
	return 0;
}

static int
find_name(const struct names *nm, const char *name)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (strcmp(nm->v[i], name) == 0)
			return (int)i;
	return -1;
}

static void
names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	free(nm->line);
	memset(nm, 0, sizeof *nm);
}

/* "account NAME": note it (pass 1) or start filling it (pass 2). */
static int
do_account(struct aparse *s, char *v, int *in, int *filling)
{
	int i = find_name(&s->names, v);

	*in = 1;
	if (s->want != NULL) {
		*filling = strcmp(v, s->want) == 0;
		if (*filling)
			s->a->name = xstrdup(v);
		return 0;
	}
	if (i >= 0)
		return perr(s, "account '%.60s' defined twice (first at "
		    "line %ld)", v, s->names.line[i]);
	s->names.v = xrealloc(s->names.v, (s->names.n + 1) *
	    sizeof *s->names.v);
	s->names.line = xrealloc(s->names.line, (s->names.n + 1) *
	    sizeof *s->names.line);
	s->names.v[s->names.n] = xstrdup(v);
	s->names.line[s->names.n++] = s->line;
	return 0;
}

static int
do_default(struct aparse *s, const char *v)
{
	if (s->want != NULL)
		return 0;
	if (s->dflt != NULL)
		return perr(s, "'default' given twice (first at line %ld)",
		    s->dflt_line);
	s->dflt = xstrdup(v);
	s->dflt_line = s->line;
	return 0;
}

/* Keywords are lower case, compared exactly. */
static int
word_eq(const char *k, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(w, k, n) == 0;
}

static int
key_index(const char *k, size_t n)
{
	int i;

	for (i = 0; i < K_N; i++)
		if (word_eq(k, n, keys[i].name))
			return i;
	return -1;
}

/* Where a pass is: inside an account, filling it, keys seen in it. */
struct block {
	int in, filling;
	unsigned seen;
};

/* The line [p, e) without its line end: a comment, blank or "key value". */
static int
accounts_line(struct aparse *s, struct block *b, const char *p,
    const char *e)
{
	const char *k, *c;
	char *v;
	long vn;
	int ki, kn, r = 0;

	for (c = p; c < e; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return perr(s, "control character 0x%02x",
			    (unsigned)(unsigned char)*c);
	while (p < e && isblank_((unsigned char)*p))
		p++;
	if (p == e || *p == '#')
		return 0;
	for (k = p; p < e && !isblank_((unsigned char)*p); p++)
		;
	kn = (int)(p - k > 40 ? 40 : p - k);
	ki = key_index(k, (size_t)(p - k));
	if (ki < 0 && !word_eq(k, (size_t)(p - k), "account") &&
	    !word_eq(k, (size_t)(p - k), "default")) {
		if (word_eq(k, (size_t)(p - k), "password"))
			return perr(s, "no 'password' key: the password comes "
			    "from passwordeval, ~/.netrc or YUBIN_PASSWORD");
		return perr(s, "unknown key '%.*s'", kn, k);
	}
	while (p < e && isblank_((unsigned char)*p))
		p++;
	if ((vn = value(p, e, NULL)) < 0)
		return perr(s, vn == -1 ? "unterminated quote" :
		    "text after the closing quote");
	if (vn == 0)
		return perr(s, "'%.*s' needs a value", kn, k);
	v = xmalloc((size_t)vn + 1);
	value(p, e, v);
	if (ki < 0 && k[0] == 'a') {
		r = do_account(s, v, &b->in, &b->filling);
		b->seen = 0;
	} else if (ki < 0) {
		r = do_default(s, v);
	} else if (!b->in) {
		r = perr(s, "'%s' outside an account (an 'account NAME' line "
		    "comes first)", keys[ki].name);
	} else if (b->seen & (1u << ki)) {
		r = perr(s, "'%s' given twice in one account", keys[ki].name);
	} else if ((r = check_value(s, ki, v)) == 0 && b->filling) {
		*(char **)(void *)((char *)s->a + keys[ki].off) = v;
		v = NULL;
	}
	if (ki >= 0)
		b->seen |= 1u << ki;
	free(v);
	return r;
}

/*
 * One pass over the file.  Pass 1 (s->want == NULL) checks everything
 * and collects the account names; pass 2 fills s->a from the block of
 * the account s->want.
 */
static int
accounts_pass(struct aparse *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	struct block b = { 0, 0, 0 };

	for (s->line = 1; p < end; s->line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *e = eol ? eol : end;

		if (e > p && e[-1] == '\r')
			e--;
		if (accounts_line(s, &b, p, e) != 0)
			return -1;
		p = eol ? eol + 1 : end;
	}
	return 0;
}

/* Which account: name, else the default, else the only one. */
static int
choose(struct aparse *s, const char *name)
{
	s->line = 0;
	if (name != NULL) {
		if (find_name(&s->names, name) < 0) {
			perr(s, "no account '%.60s'", name);
			return 1;
		}
		s->want = name;
	} else if (s->dflt != NULL) {
		s->want = s->dflt;
	} else if (s->names.n == 1) {
		s->want = s->names.v[0];
	} else {
		perr(s, s->names.n == 0 ? "no account defined" :
		    "several accounts and no 'default' line");
		return 1;
	}
	return 0;
}

int
cred_parse_accounts(const char *buf, size_t len, const char *name,
    struct account *a, char *err, size_t errsz)
{
	struct aparse s;
	int r;

	memset(a, 0, sizeof *a);
	memset(&s, 0, sizeof s);
	s.err = err;
	s.errsz = errsz;
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	r = accounts_pass(&s, buf, len);
	if (r == 0 && s.dflt != NULL && find_name(&s.names, s.dflt) < 0) {
		s.line = s.dflt_line;
		r = perr(&s, "default account '%.60s' is not defined", s.dflt);
	}
	if (r == 0 && (r = choose(&s, name)) == 0) {
		s.a = a;
		accounts_pass(&s, buf, len);
	}
	free(s.dflt);
	names_free(&s.names);
	return r;
}

void
cred_free(struct account *a)
{
	int i;

	if (a == NULL)
		return;
	free(a->name);
	for (i = 0; i < K_N; i++)
		free(*(char **)(void *)((char *)a + keys[i].off));
	memset(a, 0, sizeof *a);
}

/* ---- .netrc ---- */

struct tok {
	const char *p;
	size_t n;
	int quoted;
};

static int
isnetspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/*
 * The next token from *pp.  A token is a run of non-space bytes or a
 * "quoted string" in which \n, \r, \t stand for those characters and a
 * backslash takes any other byte as it is (as curl reads it).
 * Returns 0 at the end.
 */
static int
next_tok(const char **pp, const char *end, struct tok *t)
{
	const char *p = *pp;

	while (p < end && isnetspace((unsigned char)*p))
		p++;
	if (p == end) {
		*pp = p;
		return 0;
	}
	t->quoted = *p == '"';
	if (t->quoted) {
		t->p = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			p++;
		}
		t->n = (size_t)(p - t->p);
		if (p < end)
			p++;
	} else {
		t->p = p;
		while (p < end && !isnetspace((unsigned char)*p))
			p++;
		t->n = (size_t)(p - t->p);
	}
	*pp = p;
	return 1;
}

/* Byte i of a token, decoded; *adv says how many raw bytes it took. */
static char
tok_byte(const struct tok *t, size_t i, size_t *adv)
{
	char c = t->p[i];

	*adv = 1;
	if (!t->quoted || c != '\\' || i + 1 >= t->n)
		return c;
	*adv = 2;
	c = t->p[i + 1];
	return c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
}

static int
tok_eq(const struct tok *t, const char *s, int icase)
{
	size_t i = 0, adv;

	for (; i < t->n; i += adv, s++) {
		char c = tok_byte(t, i, &adv), d = *s;

		if (d == '\0')
			return 0;
		if (icase) {
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (d >= 'A' && d <= 'Z')
				d = (char)(d - 'A' + 'a');
		}
		if (c != d)
			return 0;
	}
	return *s == '\0';
}

static char *
tok_dup(const struct tok *t)
{
	char *s = xmalloc(t->n + 1);
	size_t i = 0, n = 0, adv;

	for (; i < t->n; i += adv)
		s[n++] = tok_byte(t, i, &adv);
	s[n] = '\0';
	return s;
}

/* Is p at the start of a line (only blanks back to a newline or BOF)? */
static int
at_bol(const char *buf, const char *p)
{
	while (p > buf && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return p == buf || p[-1] == '\n' || p[-1] == '\r';
}

/* Skip a macdef body: the rest of this line, then up to an empty line. */
static const char *
skip_macdef(const char *p, const char *end)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p));

	while (eol != NULL) {
		p = eol + 1;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == p || (eol == p + 1 && *p == '\r'))
			return eol + 1;
	}
	return end;
}

enum { E_NONE, E_HOST, E_OTHER, E_DEFAULT };	/* what an entry is for */

struct entry {
	int kind;
	struct tok login, pass;
	int has_login, has_pass;
};

static int
entry_ok(const struct entry *en, const char *user)
{
	if ((en->kind != E_HOST && en->kind != E_DEFAULT) || !en->has_pass)
		return 0;
	return user == NULL || !en->has_login || tok_eq(&en->login, user, 0);
}

static int
entry_give(const struct entry *en, const char *user, char **login,
    char **pass)
{
	if (login != NULL)
		*login = en->has_login ? tok_dup(&en->login) :
		    user != NULL ? xstrdup(user) : NULL;
	*pass = tok_dup(&en->pass);
	return 0;
}

/*
 * An entry ends: is it the machine entry we want?  A fitting default
 * entry is kept aside, to be used only if no machine entry fits.
 */
static int
entry_end(const struct entry *en, struct entry *dflt, const char *user)
{
	if (!entry_ok(en, user))
		return 0;
	if (en->kind == E_HOST)
		return 1;
	if (dflt->kind == E_NONE)
		*dflt = *en;
	return 0;
}

int
cred_parse_netrc(const char *buf, size_t len, const char *host,
    const char *user, char **login, char **pass)
{
	const char *p = buf, *end = buf + len;
	struct entry en, dflt;
	struct tok t, v;

	memset(&en, 0, sizeof en);
	memset(&dflt, 0, sizeof dflt);
	memset(&t, 0, sizeof t);
	if (login != NULL)
		*login = NULL;
	*pass = NULL;
	while (next_tok(&p, end, &t)) {
		if (!t.quoted && t.n > 0 && t.p[0] == '#' && at_bol(buf, t.p)) {
			const char *eol = memchr(t.p, '\n',
			    (size_t)(end - t.p));

			p = eol ? eol + 1 : end;
			continue;
		}
		if (tok_eq(&t, "machine", 1) || tok_eq(&t, "default", 1)) {
			if (entry_end(&en, &dflt, user))
				return entry_give(&en, user, login, pass);
			memset(&en, 0, sizeof en);
			en.kind = E_DEFAULT;
			if (tok_eq(&t, "machine", 1))
				en.kind = next_tok(&p, end, &v) &&
				    host != NULL && tok_eq(&v, host, 1) ?
				    E_HOST : E_OTHER;
		} else if (tok_eq(&t, "login", 1) || tok_eq(&t, "password", 1)) {
			int is_login = tok_eq(&t, "login", 1);

			if (!next_tok(&p, end, &v))
				break;
			if (is_login && !en.has_login) {
				en.login = v;
				en.has_login = 1;
			} else if (!is_login && !en.has_pass) {
				en.pass = v;
				en.has_pass = 1;
			}
		} else if (tok_eq(&t, "account", 1)) {
			next_tok(&p, end, &v);
		} else if (tok_eq(&t, "macdef", 1)) {
			/* the name, then the body up to an empty line */
			next_tok(&p, end, &v);
			p = skip_macdef(p, end);
		}
		/* anything else is skipped, as curl and ftp(1) do */
	}
	if (entry_end(&en, &dflt, user))
		return entry_give(&en, user, login, pass);
	if (dflt.kind == E_DEFAULT)
		return entry_give(&dflt, user, login, pass);
	return 1;
}

/* ---- I/O wrappers ---- */

void
cred_wipe(char *secret)
{
	volatile char *p = secret;

	if (secret == NULL)
		return;
	while (*p != '\0')
		*p++ = '\0';
	free(secret);
}

static void
wipe_n(void *b, size_t n)
{
	volatile unsigned char *p = b;

	while (n-- > 0)
		*p++ = 0;
}

/*
 * Read a whole regular file of at most CRED_FILE_MAX bytes.  Returns 0
 * with a malloc'd *buf (NUL-terminated) and its stat, -1 with errno set
 * for open(2) failures (the caller decides what a missing file means),
 * or a sysexits code after a message.
 */
static int
slurp(const char *path, char **buf, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOCTTY);
	size_t n = 0;
	ssize_t r;
	char *b;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		warn("%s:", path);
		close(fd);
		return EX_IOERR;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > CRED_FILE_MAX) {
		if (!S_ISREG(st->st_mode))
			warn("%s: not a regular file", path);
		else
			warn("%s: larger than %d bytes", path, CRED_FILE_MAX);
		close(fd);
		return EX_CONFIG;
	}
	b = xmalloc((size_t)st->st_size + 1);
	while (n < (size_t)st->st_size &&
	    (r = read(fd, b + n, (size_t)st->st_size - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			warn("%s:", path);
			wipe_n(b, n);
			free(b);
			close(fd);
			return EX_IOERR;
		}
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static const char *
home(void)
{
	const char *h = getenv("HOME");

	return h != NULL && *h == '/' ? h : NULL;
}

/* $XDG_CONFIG_HOME/yubin/accounts, else ~/.config/yubin/accounts. */
static char *
accounts_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = home();
	char *s;
	size_t n;

	/* The XDG spec says relative paths are to be ignored. */
	if (x != NULL && *x == '/') {
		n = strlen(x) + sizeof "/yubin/accounts";
		s = xmalloc(n);
		snprintf(s, n, "%s/yubin/accounts", x);
	} else if (h != NULL) {
		n = strlen(h) + sizeof "/.config/yubin/accounts";
		s = xmalloc(n);
		snprintf(s, n, "%s/.config/yubin/accounts", h);
	} else {
		return NULL;
	}
	return s;
}

/* "~/x" in cacert and maildir means $HOME/x, as in a shell. */
static void
tilde(char **field)
{
	const char *h = home();
	char *s;
	size_t n;

	if (*field == NULL || strncmp(*field, "~/", 2) != 0 || h == NULL)
		return;
	n = strlen(h) + strlen(*field);
	s = xmalloc(n);
	snprintf(s, n, "%s%s", h, *field + 1);
	free(*field);
	*field = s;
}

/*
 * The accounts file names commands (passwordeval) that we run, and the
 * servers the password goes to: anyone who can write to it can take the
 * password.  So it must belong to us (or root) and be writable by no one
 * else, as ssh(1) asks of its config.  Reading is harmless: it holds no
 * password.
 */
static int
accounts_safe(const char *path, const struct stat *st)
{
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		warn("%s: belongs to uid %ld, not to you: not used", path,
		    (long)st->st_uid);
		return EX_CONFIG;
	}
	if (st->st_mode & 022) {
		warn("%s: writable by group or others, who could make "
		    "passwordeval run their commands; chmod go-w %s", path,
		    path);
		return EX_CONFIG;
	}
	return 0;
}

int
cred_load(const char *path, const char *name, struct account *a)
{
	char *def = NULL, *buf = NULL, err[256];
	struct stat st;
	size_t len;
	int r;

	memset(a, 0, sizeof *a);
	if (path == NULL && (path = def = accounts_path()) == NULL) {
		if (name == NULL)
			return 0;
		warn("account %s: no accounts file: HOME is not set", name);
		return EX_CONFIG;
	}
	r = slurp(path, &buf, &len, &st);
	if (r < 0) {
		int e = errno;

		if (e == ENOENT && name == NULL && def != NULL)
			r = 0;
		else if (e == ENOENT)
			warn("%s: no such file (see yubin-accounts(5))", path);
		else
			warn("%s:", path);
		r = r == 0 ? 0 : e == ENOENT ? EX_NOINPUT : EX_NOPERM;
	} else if (r == 0 && (r = accounts_safe(path, &st)) == 0) {
		r = cred_parse_accounts(buf, len, name, a, err, sizeof err);
		if (r == 1 && name == NULL) {
			r = 0;	/* no account chosen: a->name stays NULL */
		} else if (r != 0) {
			warn("%s: %s", path, err);
			r = EX_CONFIG;
		}
		tilde(&a->cacert);
		tilde(&a->maildir);
	}
	free(buf);
	free(def);
	return r;
}

/* What the command printed on its first line. */
struct firstline {
	char *p;		/* CRED_PASS_MAX + 2 bytes */
	size_t n;
	int done, nul, toolong;
};

/* Read to the end, so the command never dies of SIGPIPE. */
static void
read_first_line(int fd, struct firstline *f)
{
	char chunk[512];
	ssize_t k, i;

	while ((k = read(fd, chunk, sizeof chunk)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		for (i = 0; i < k && !f->done; i++) {
			if (chunk[i] == '\n')
				f->done = 1;
			else if (chunk[i] == '\0')
				f->nul = 1;
			else if (f->n < CRED_PASS_MAX + 1)
				f->p[f->n++] = chunk[i];
			else
				f->toolong = 1;
		}
	}
	wipe_n(chunk, sizeof chunk);
	/* the cap is on the password: one byte more is kept for the CR of
	 * a CRLF line, and counts only if it is not that CR */
	if (f->n > 0 && f->p[f->n - 1] == '\r')
		f->n--;
	if (f->n > CRED_PASS_MAX)
		f->toolong = 1;
	f->p[f->n] = '\0';
}

/*
 * Run the account's passwordeval and keep the first line of its output.
 * Its stderr is ours, so pass(1) or gpg(1) can say what went wrong.
 * What it prints on stdout is never shown: it is the secret.
 */
static int
passwordeval(const struct account *a, char **pass)
{
	struct firstline f = { NULL, 0, 0, 0, 0 };
	const char *who = a->name ? a->name : "?";
	/* mailsend's stdin is the message: spawn_from() gives /dev/null */
	const char *argv[] = { "sh", "-c", NULL, NULL };
	struct spawn sp;
	int status, sig;

	argv[2] = a->passwordeval;
	if (spawn_from(&sp, "/bin/sh", argv) < 0) {
		warn("passwordeval:");
		return EX_OSERR;
	}
	f.p = xmalloc(CRED_PASS_MAX + 2);
	read_first_line(sp.fd, &f);
	status = spawn_wait(&sp, &sig);
	if (sig)
		warn("account %s: passwordeval killed by signal %d", who, sig);
	else if (status != 0)
		warn("account %s: passwordeval failed (exit status %d)", who,
		    status);
	else if (f.toolong)
		warn("account %s: passwordeval printed a first line longer "
		    "than %d bytes", who, CRED_PASS_MAX);
	else if (f.nul)
		warn("account %s: passwordeval printed a NUL byte", who);
	else if (f.n == 0)
		warn("account %s: passwordeval printed no password", who);
	else {
		*pass = f.p;
		return 0;
	}
	wipe_n(f.p, CRED_PASS_MAX + 2);
	free(f.p);
	return EX_CONFIG;
}

/* .netrc refused when it holds the password and others can read it. */
int
cred_netrc(const char *netrc_file, const char *host, const char *user,
    char **login, char **pass)
{
	char *path = NULL, *buf;
	const char *h = home();
	struct stat st;
	size_t len, n;
	int r;

	if (login != NULL)
		*login = NULL;
	*pass = NULL;
	if (netrc_file == NULL) {
		if (h == NULL)
			return 1;
		n = strlen(h) + sizeof "/.netrc";
		path = xmalloc(n);
		snprintf(path, n, "%s/.netrc", h);
	}
	r = slurp(netrc_file ? netrc_file : path, &buf, &len, &st);
	if (r < 0) {
		int e = errno;

		if (e == ENOENT && netrc_file == NULL) {
			r = 1;
		} else {
			warn("%s:", netrc_file ? netrc_file : path);
			r = e == ENOENT ? EX_NOINPUT : EX_NOPERM;
		}
	} else if (r == 0) {
		r = cred_parse_netrc(buf, len, host, user, login, pass);
		wipe_n(buf, len);
		free(buf);
		if (r == 0 && (st.st_mode & 077)) {
			warn("%s: holds a password and is readable by others; "
			    "chmod 600 %s", netrc_file ? netrc_file : path,
			    netrc_file ? netrc_file : path);
			cred_wipe(*pass);
			*pass = NULL;
			if (login != NULL) {
				free(*login);
				*login = NULL;
			}
			r = EX_CONFIG;
		}
	}
	free(path);
	return r;
}

/*
 * Once a password is held, a crash must not write it to a core file
 * (nor let a debugger of the same user attach and read it): no core
 * dumps, and on Linux not dumpable at all.  Children inherit the limit,
 * which is no loss for the commands we start.
 */
static void
protect(void)
{
	struct rlimit rl;

	rl.rlim_cur = 0;
	rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
#ifdef __linux__
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static int
find_password(const struct account *a, const char *host,
    const char *user, const char *netrc_file, char **pass)
{
	char *env;
	int r;

	*pass = NULL;
	if (a != NULL && a->passwordeval != NULL)
		return passwordeval(a, pass);
	if (user == NULL && a != NULL)
		user = a->user;
	if (host != NULL &&
	    (r = cred_netrc(netrc_file, host, user, NULL, pass)) != 1)
		return r;
	env = getenv("YUBIN_PASSWORD");
	if (env != NULL && *env != '\0') {
		*pass = xstrdup(env);
		/* taken: children (popfetch -p COMMAND, passwordeval of
		 * another account) must not inherit it; wipe the copy the
		 * environment holds (unsetenv only drops the pointer) */
		wipe_n(env, strlen(env));
		unsetenv("YUBIN_PASSWORD");
		return 0;
	}
	return 1;
}

int
cred_password(const struct account *a, const char *host,
    const char *user, const char *netrc_file, char **pass)
{
	int r = find_password(a, host, user, netrc_file, pass);

	if (r == 0)
		protect();
	return r;
}
