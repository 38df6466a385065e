/*
 * sieveparse: the lexer, parser and checker of sieve.h, and the registry.
 *
 * The grammar is RFC 5228 §8 parsed generically first (commands with
 * arguments, tests and blocks), then each node is checked against its
 * def in the registry: that is what lets an extension add commands with
 * a table and nothing else.  Everything lives in one arena per script,
 * so a compile error anywhere frees it all at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "sieve.h"
#include "sievei.h"

/* ---- arena ------------------------------------------------------------ */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

void *
sv_alloc(struct sieve_script *s, size_t n)
{
	struct chunk *c = s->pool;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > 65536 ? n : 65536;

		c = xmalloc(sizeof *c + sz);
		c->size = sz;
		c->used = 0;
		c->next = s->pool;
		s->pool = c;
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
sv_strndup(struct sieve_script *s, const char *p, size_t n)
{
	char *d = sv_alloc(s, n + 1);

	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

void
sieve_free(struct sieve_script *s)
{
	struct chunk *c, *nx;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nre; i++)
		sv_free_regex(s->re[i]);
	free(s->re);
	for (c = s->pool; c != NULL; c = nx) {
		nx = c->next;
		free(c);
	}
	free(s);
}

/* ---- registry --------------------------------------------------------- */

#define MAXEXT 64
#define MAXTAB 64

static struct {
	const char *ext;
	const struct sieve_def *defs;
	size_t n;
} reg[MAXTAB];
static size_t nreg;

const struct sieve_def *
sv_lookup(const char *name)
{
	size_t i, k;

	/* the first byte first: every node of a script and every def
	 * registered at start-up is looked up here, across ~100 names */
	for (i = 0; i < nreg; i++)
		for (k = 0; k < reg[i].n; k++)
			if (reg[i].defs[k].name[0] == name[0] &&
			    strcmp(reg[i].defs[k].name, name) == 0)
				return &reg[i].defs[k];
	return NULL;
}

int
sieve_register(const char *ext, const struct sieve_def *defs, size_t n)
{
	size_t k;

	if (nreg >= MAXTAB)
		return -1;
	for (k = 0; k < n; k++)
		if (sv_lookup(defs[k].name) != NULL)
			return -1;
	reg[nreg].ext = ext;
	reg[nreg].defs = defs;
	reg[nreg].n = n;
	nreg++;
	return 0;
}

int
sieve_have_ext(const char *ext)
{
	size_t i;

	for (i = 0; i < nreg; i++)
		if (reg[i].ext != NULL && strcmp(reg[i].ext, ext) == 0)
			return 1;
	return 0;
}

const char *
sieve_extensions(void)
{
	static char s[2048];
	size_t i, k = 0;

	s[0] = 0;
	for (i = 0; i < nreg; i++) {
		size_t l;

		if (reg[i].ext == NULL)
			continue;
		l = strlen(reg[i].ext);
		if (k + l + 2 > sizeof s)
			break;
		if (k > 0)
			s[k++] = ' ';
		memcpy(s + k, reg[i].ext, l + 1);
		k += l;
	}
	return s;
}

int
sieve_requires(const struct sieve_script *s, const char *ext)
{
	size_t i;

	for (i = 0; i < s->nreq; i++)
		if (strcmp(s->req[i], ext) == 0)
			return 1;
	return 0;
}

/* ---- lexer ------------------------------------------------------------ */

/*
 * T_ERR is a token the lexer already reported (a number too large, an
 * unterminated string): the parser recovers after it without a second
 * message.  T_GARBAGE is a byte that starts no token; a run of them is
 * reported once, and the parser says where it did not expect it.
 */
enum tok {
	T_EOF, T_ID, T_TAG, T_NUM, T_STR, T_LBRACK, T_RBRACK, T_LPAREN,
	T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_SEMI, T_ERR, T_GARBAGE
};

struct lex {
	struct sieve_script *s;
	const char *p, *end, *start;
	unsigned line;
	const char *linestart;
	/* the current token */
	enum tok t;
	const char *tp;         /* its first byte */
	unsigned tline, tcol;
	char *text;             /* T_ID/T_TAG name, T_STR value */
	size_t textlen;
	char *src;              /* T_STR/T_NUM as written */
	unsigned long long num;
	char *err;              /* the first error */
	size_t errlen;
	struct buf *all;        /* the first SIEVE_MAX_ERRORS, a line each,
	                           or NULL */
	int failed;             /* an error was found */
	int fatal;              /* a limit of the whole script: stop */
	unsigned nerr;          /* errors found (parse and check go on) */
	unsigned depth;         /* tests nested */
	const char *unknown[64];        /* the unknown names reported */
	unsigned nunknown;
};

/*
 * Record one error: the first goes to err, the first SIEVE_MAX_ERRORS
 * to all; every one is counted.  line 0: msg carries its own
 * "NAME:LINE:COL: " already.  Returns -1.
 */
static int
lerr_line(struct lex *l, unsigned line, unsigned col, const char *msg)
{
	char m[768], raw[768];
	size_t i, k = 0;

	if (line == 0)
		snprintf(raw, sizeof raw, "%s", msg);
	else
		snprintf(raw, sizeof raw, "%s:%u:%u: %s", l->s->name, line,
		    col, msg);
	/* one line per error: a line end quoted in a message is escaped */
	for (i = 0; raw[i] != 0 && k + 5 < sizeof m; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '\n' || c == '\r')
			k += (size_t)snprintf(m + k, sizeof m - k, "\\%c",
			    c == '\n' ? 'n' : 'r');
		else if (c < 0x20 && c != '\t')
			k += (size_t)snprintf(m + k, sizeof m - k, "\\x%02x",
			    c);
		else
			m[k++] = (char)c;
	}
	m[k] = 0;
	if (l->nerr == 0)
		snprintf(l->err, l->errlen, "%s", m);
	if (l->all != NULL && l->nerr < SIEVE_MAX_ERRORS)
		buf_printf(l->all, "%s\n", m);
	if (l->nerr < UINT32_MAX)
		l->nerr++;
	l->failed = 1;
	return -1;
}

static int
lerr(struct lex *l, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
lerr(struct lex *l, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	char m[512];

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return lerr_line(l, line, col, m);
}

static unsigned
col_of(const struct lex *l, const char *p)
{
	return (unsigned)(p - l->linestart) + 1;
}

static void
newline(struct lex *l, const char *after)
{
	l->line++;
	l->linestart = after;
}

/* Skip white space and comments; -1 on an unterminated comment. */
static int
skip_ws(struct lex *l)
{
	while (l->p < l->end) {
		char c = *l->p;

		if (c == '\n') {
			l->p++;
			newline(l, l->p);
		} else if (c == ' ' || c == '\t' || c == '\r') {
			l->p++;
		} else if (c == '#') {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else if (c == '/' && l->p + 1 < l->end && l->p[1] == '*') {
			unsigned line = l->line, col = col_of(l, l->p);

			l->p += 2;
			for (;;) {
				if (l->p + 1 >= l->end) {
					l->p = l->end;
					return lerr(l, line, col,
					    "unterminated comment");
				}
				if (*l->p == '*' && l->p[1] == '/')
					break;
				if (*l->p == '\n')
					newline(l, l->p + 1);
				l->p++;
			}
			l->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

static int
isid(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

/*
 * A CR not followed by LF inside a string: RFC 5228 2.4.2 and 8.1 know
 * line ends only as CRLF, and such a CR is no line end, a text no mail
 * could carry as it is.  An error, as Pigeonhole's lexer has it (with
 * its words); the string is read to its end first, so that the parser
 * goes on after it with no second error.
 */
static int
stray_cr(struct lex *l, unsigned line, unsigned col, const char *kind)
{
	return lerr(l, line, col, "found stray carriage-return (CR) "
	    "character in %s string started at line %u", kind, l->tline);
}

/* A string over the limit is read to its end all the same, so that the
 * parser goes on after it. */
static int
lex_quoted(struct lex *l, struct buf *b)
{
	int big = 0;
	unsigned crline = 0, crcol = 0;

	l->p++;
	for (;;) {
		char c;

		if (l->p >= l->end)
			return lerr(l, l->tline, l->tcol,
			    "unterminated string");
		{
			/* a run of plain bytes in one piece */
			const char *q = l->p;

			while (q < l->end && *q != '"' && *q != '\\' &&
			    *q != '\n' && *q != '\r')
				q++;
			if (q > l->p) {
				if (!big && buf_add(b, l->p,
				    (size_t)(q - l->p)) < 0)
					big = 1;
				l->p = q;
				continue;
			}
		}
		c = *l->p++;
		if (c == '"' && crline)
			return stray_cr(l, crline, crcol, "quoted");
		if (c == '"' && big)
			return lerr(l, l->tline, l->tcol,
			    "string longer than %u bytes", SIEVE_MAX_STRING);
		if (c == '"')
			return 0;
		if (c == '\\') {
			if (l->p >= l->end)
				continue;
			c = *l->p++;
		}
		/*
		 * A line end in a quoted string is CRLF, whatever the file
		 * has, as in a text: string (RFC 5228 2.4.2; Pigeonhole does
		 * the same): the two forms of one text compare equal.
		 */
		if (c == '\r' && l->p < l->end && *l->p == '\n')
			continue;
		if (c == '\r' && crline == 0) {
			crline = l->line;
			crcol = col_of(l, l->p - 1);
		}
		if (c == '\n') {
			newline(l, l->p);
			if (!big && buf_addc(b, '\r') < 0)
				big = 1;
		}
		if (!big && buf_addc(b, c) < 0)
			big = 1;
	}
}

/* "text:" already consumed; up to and including the line ".". */
static int
lex_multiline(struct lex *l, struct buf *b)
{
	int big = 0;
	unsigned crline = 0, crcol = 0;

	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t'))
		l->p++;
	if (l->p < l->end && *l->p == '#')
		while (l->p < l->end && *l->p != '\n')
			l->p++;
	if (l->p < l->end && *l->p == '\r')
		l->p++;
	if (l->p >= l->end || *l->p != '\n')
		return lerr(l, l->line, col_of(l, l->p),
		    "text: must be followed by a line end");
	l->p++;
	newline(l, l->p);
	for (;;) {
		const char *e = memchr(l->p, '\n', (size_t)(l->end - l->p));
		const char *q = l->p, *cr;
		size_t n;

		if (e == NULL)
			return lerr(l, l->tline, l->tcol,
			    "unterminated multi-line string");
		n = (size_t)(e - q);
		if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' &&
		    q[1] == '\r')) {
			l->p = e + 1;
			newline(l, l->p);
			if (crline)
				return stray_cr(l, crline, crcol,
				    "multi-line");
			if (big)
				return lerr(l, l->tline, l->tcol,
				    "string longer than %u bytes",
				    SIEVE_MAX_STRING);
			return 0;
		}
		/* RFC 5228 §2.4.2: a leading ".." stands for "." */
		if (n > 1 && q[0] == '.' && q[1] == '.') {
			q++;
			n--;
		}
		/* every line of the string ends in CRLF, whatever the
		 * script file has (RFC 5228 §2.4.2, as Pigeonhole does) */
		if (n > 0 && q[n - 1] == '\r')
			n--;
		if (crline == 0 && (cr = memchr(q, '\r', n)) != NULL) {
			crline = l->line;
			crcol = col_of(l, cr);
		}
		if (!big && (buf_add(b, q, n) < 0 ||
		    buf_add(b, "\r\n", 2) < 0))
			big = 1;
		l->p = e + 1;
		newline(l, l->p);
	}
}

static int
lex_number(struct lex *l)
{
	unsigned long long v = 0, m = 1;
	const char *q = l->p;
	int big = 0;

	/* all the digits are read even so: the parser goes on after */
	while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
		unsigned d = (unsigned)(*l->p++ - '0');

		if (v > (UINT64_MAX - d) / 10)
			big = 1;
		else
			v = v * 10 + d;
	}
	if (l->p < l->end) {
		switch (*l->p) {
		case 'K': case 'k': m = 1ULL << 10; l->p++; break;
		case 'M': case 'm': m = 1ULL << 20; l->p++; break;
		case 'G': case 'g': m = 1ULL << 30; l->p++; break;
		}
	}
	if (big || v > UINT64_MAX / m)
		return lerr(l, l->tline, l->tcol, "number too large");
	l->num = v * m;
	l->src = sv_strndup(l->s, q, (size_t)(l->p - q));
	l->t = T_NUM;
	return 0;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An identifier or tag longer than SIEVE_MAX_IDENT is an error token. */
static int
id_length(struct lex *l)
{
	if (strlen(l->text) > SIEVE_MAX_IDENT) {
		lerr(l, l->tline, l->tcol, "%s%s longer than %u characters",
		    l->t == T_TAG ? "tag :" : "identifier ", l->text,
		    SIEVE_MAX_IDENT);
		l->t = T_ERR;
	}
	return 0;
}

/*
 * The next token into l->t.  A lexical error is reported here and
 * becomes T_ERR (or T_GARBAGE), past the bad input, so that the parser
 * can go on; the return value is always 0.
 */
static int
next(struct lex *l)
{
	struct buf b;
	char c;
	enum tok prev = l->t;

	if (skip_ws(l) < 0) {
		l->t = T_ERR;
		return 0;
	}
	l->tp = l->p;
	l->tline = l->line;
	l->tcol = col_of(l, l->p);
	if (l->p >= l->end) {
		l->t = T_EOF;
		return 0;
	}
	c = *l->p;
	switch (c) {
	case '[': l->t = T_LBRACK; l->p++; return 0;
	case ']': l->t = T_RBRACK; l->p++; return 0;
	case '(': l->t = T_LPAREN; l->p++; return 0;
	case ')': l->t = T_RPAREN; l->p++; return 0;
	case '{': l->t = T_LBRACE; l->p++; return 0;
	case '}': l->t = T_RBRACE; l->p++; return 0;
	case ',': l->t = T_COMMA; l->p++; return 0;
	case ';': l->t = T_SEMI; l->p++; return 0;
	}
	if (c >= '0' && c <= '9') {
		if (lex_number(l) < 0)
			l->t = T_ERR;
		return 0;
	}
	if (c == '"' || (l->end - l->p >= 5 && memcmp(l->p, "text:", 5) == 0 &&
	    (l->end - l->p == 5 || !isid((unsigned char)l->p[5], 0)))) {
		int r;

		buf_init(&b, SIEVE_MAX_STRING);
		if (c == '"') {
			r = lex_quoted(l, &b);
		} else {
			l->p += 5;
			r = lex_multiline(l, &b);
		}
		if (r == 0) {
			l->text = sv_strndup(l->s, b.p ? b.p : "", b.len);
			l->textlen = b.len;
			l->t = T_STR;
		} else {
			l->t = T_ERR;
		}
		buf_free(&b);
		return 0;
	}
	if (c == ':' && l->p + 1 < l->end &&
	    isid((unsigned char)l->p[1], 1)) {
		const char *q = ++l->p;

		while (l->p < l->end && isid((unsigned char)*l->p, 0))
			l->p++;
		l->text = sv_strndup(l->s, q, (size_t)(l->p - q));
		lower(l->text);
		l->t = T_TAG;
		return id_length(l);
	}
	if (isid((unsigned char)c, 1)) {
		const char *q = l->p;

		while (l->p < l->end && isid((unsigned char)*l->p, 0))
			l->p++;
		l->text = sv_strndup(l->s, q, (size_t)(l->p - q));
		lower(l->text);    /* identifiers are case-insensitive */
		l->t = T_ID;
		return id_length(l);
	}
	/* a run of bytes that start no token is one error */
	l->p++;
	l->t = T_GARBAGE;
	if (prev == T_GARBAGE)
		return 0;
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		lerr(l, l->tline, l->tcol, "unexpected byte 0x%02x",
		    (unsigned char)c);
	else
		lerr(l, l->tline, l->tcol, "unexpected character '%c'", c);
	return 0;
}

/* ---- parser ----------------------------------------------------------- */

static struct sieve_node *parse_test(struct lex *l);

/* Quote (p, n) as a Sieve quoted string. */
static char *
quote(struct sieve_script *s, const char *p, size_t n)
{
	size_t i, k = 0, extra = 0;
	char *d;

	for (i = 0; i < n; i++)
		if (p[i] == '"' || p[i] == '\\')
			extra++;
	d = sv_alloc(s, n + extra + 3);
	d[k++] = '"';
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			d[k++] = '\\';
		d[k++] = p[i];
	}
	d[k++] = '"';
	d[k] = 0;
	return d;
}

/*
 * A syntax error at the current token.  After T_ERR the lexer has said
 * it already, so only the parse fails.
 */
static int
perr(struct lex *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct lex *l, const char *fmt, ...)
{
	va_list ap;
	char m[512];

	if (l->t == T_ERR) {
		l->failed = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return lerr_line(l, l->tline, l->tcol, m);
}

static int
nodecount(struct lex *l)
{
	if (++l->s->nnodes > SIEVE_MAX_NODES) {
		l->fatal = 1;
		return lerr(l, l->tline, l->tcol,
		    "more than %u commands and tests", SIEVE_MAX_NODES);
	}
	return 0;
}

static void
add_str(struct lex *l, struct sieve_arg *a, size_t *cap)
{
	if (a->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct sieve_str *v = sv_alloc(l->s, nc * sizeof *v);

		if (a->n)
			memcpy(v, a->v, a->n * sizeof *v);
		a->v = v;
		*cap = nc;
	}
	a->v[a->n].p = l->text;
	a->v[a->n].len = l->textlen;
	a->v[a->n].src = quote(l->s, l->text, l->textlen);
	a->n++;
}

/* A string list "[" ... "]" (current token is '['). */
static int
parse_list(struct lex *l, struct sieve_arg *a)
{
	size_t cap = 0;

	a->bracket = 1;
	for (;;) {
		next(l);
		if (l->t != T_STR)
			return perr(l, "a string list holds strings only");
		if (a->n >= SIEVE_MAX_LIST)
			return perr(l, "more than %u strings in a list",
			    SIEVE_MAX_LIST);
		add_str(l, a, &cap);
		next(l);
		if (l->t == T_RBRACK)
			return next(l);
		if (l->t != T_COMMA)
			return perr(l, "expected ',' or ']' in a string list");
	}
}

/* Arguments up to (not including) a test, test list, ';' or '{'. */
static int
parse_args(struct lex *l, struct sieve_node *n)
{
	size_t cap = 0;

	for (;;) {
		struct sieve_arg *a;
		size_t scap = 0;

		if (l->t != T_STR && l->t != T_NUM && l->t != T_TAG &&
		    l->t != T_LBRACK)
			return 0;
		if (n->nargs >= SIEVE_MAX_ARGS)
			return perr(l, "more than %u arguments for %s",
			    SIEVE_MAX_ARGS, n->name);
		if (n->nargs == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct sieve_arg *v = sv_alloc(l->s, nc * sizeof *v);

			if (n->nargs)
				memcpy(v, n->args, n->nargs * sizeof *v);
			n->args = v;
			cap = nc;
		}
		a = &n->args[n->nargs++];
		a->line = l->tline;
		a->col = l->tcol;
		switch (l->t) {
		case T_STR:
			a->type = SIEVE_LIST;
			add_str(l, a, &scap);
			break;
		case T_NUM:
			a->type = SIEVE_NUM;
			a->num = l->num;
			a->src = l->src;
			break;
		case T_TAG:
			a->type = SIEVE_TAG;
			a->tag = l->text;
			break;
		default:
			a->type = SIEVE_LIST;
			if (parse_list(l, a) < 0)
				return -1;
			continue;
		}
		next(l);
	}
}

static void
add_test(struct lex *l, struct sieve_node *n, struct sieve_node *t,
    size_t *cap)
{
	if (n->ntests == *cap) {
		size_t nc = *cap ? *cap * 2 : 2;
		struct sieve_node **v = sv_alloc(l->s, nc * sizeof *v);

		if (n->ntests)
			memcpy(v, n->tests, n->ntests * sizeof *v);
		n->tests = v;
		*cap = nc;
	}
	n->tests[n->ntests++] = t;
}

/* After the arguments: an optional test or test list. */
static int
parse_tests(struct lex *l, struct sieve_node *n)
{
	struct sieve_node *t;
	size_t cap = 0;

	if (l->t == T_ID) {
		if ((t = parse_test(l)) == NULL)
			return -1;
		add_test(l, n, t, &cap);
		return 0;
	}
	if (l->t != T_LPAREN)
		return 0;
	n->testlist = 1;
	for (;;) {
		next(l);
		if (l->t != T_ID)
			return perr(l, "expected a test");
		if ((t = parse_test(l)) == NULL)
			return -1;
		add_test(l, n, t, &cap);
		if (l->t == T_RPAREN)
			return next(l);
		if (l->t != T_COMMA)
			return perr(l, "expected ',' or ')' in a test list");
	}
}

static struct sieve_node *
new_node(struct lex *l)
{
	struct sieve_node *n;

	if (nodecount(l) < 0)
		return NULL;
	n = sv_alloc(l->s, sizeof *n);
	n->name = l->text;
	n->line = l->tline;
	n->col = l->tcol;
	return n;
}

static struct sieve_node *
parse_test(struct lex *l)
{
	struct sieve_node *n = NULL;

	if (l->depth >= SIEVE_MAX_TESTS)
		perr(l, "tests nested deeper than %u", SIEVE_MAX_TESTS);
	else if ((n = new_node(l)) != NULL) {
		l->depth++;
		next(l);
		if (parse_args(l, n) < 0 || parse_tests(l, n) < 0)
			n = NULL;
		l->depth--;
	}
	return n;
}

/*
 * Error recovery, as Pigeonhole's parser has it: skip what is left of
 * the structure that failed, up to its end token (not consumed), the
 * structures nested in it skipped whole.  ';' ends a command, '}' a
 * block; a '{' also ends a command (its block is parsed).  1 at the end
 * token, 0 at the end of an enclosing structure or of the script.
 */
static int
prio(enum tok t)
{
	switch (t) {
	case T_LBRACE: case T_RBRACE: return 3;
	case T_SEMI: return 2;
	case T_LPAREN: case T_RPAREN: return 1;
	case T_LBRACK: case T_RBRACK: return 0;
	default: return -1;
	}
}

static int
recover(struct lex *l, enum tok end)
{
	static const enum tok open[] = {T_LBRACK, T_LPAREN, T_EOF, T_LBRACE};
	static const enum tok close[] = {T_RBRACK, T_RPAREN, T_SEMI, T_RBRACE};
	int p = prio(end);
	size_t nest = 1;

	/* each turn consumes a token: bounded by the script's length */
	while (l->t != T_EOF && prio(l->t) <= p) {
		if (l->t == open[p] && l->t != T_EOF) {
			nest++;
		} else if (l->t == close[p] && --nest == 0) {
			return 1;
		}
		next(l);
	}
	return end == T_SEMI && l->t == T_LBRACE;
}

/*
 * Commands into *first up to something that starts none ('}', the end):
 * 1 there, 0 lost after an error (recovery found no end), -1 a limit of
 * the whole script.  An error in a command skips the rest of it, so that
 * the next ones are parsed and their errors reported too.
 */
static int
parse_commands(struct lex *l, struct sieve_node **first, unsigned depth)
{
	struct sieve_node **tail = first;
	int r = 1;

	while (r > 0 && l->t == T_ID) {
		struct sieve_node *n;

		if ((n = new_node(l)) == NULL)
			return -1;
		*tail = n;
		tail = &n->next;
		next(l);
		r = parse_args(l, n) == 0 && parse_tests(l, n) == 0;
		if (l->fatal)
			return -1;
		if (r && l->t != T_SEMI && l->t != T_LBRACE) {
			perr(l, "expected ';' or '{'");
			r = 0;
		}
		if (r == 0 && (r = recover(l, T_SEMI)) == 0)
			return 0;
		if (l->t == T_SEMI) {
			next(l);
			continue;
		}
		if (depth + 1 > SIEVE_MAX_BLOCKS) {
			lerr(l, l->tline, l->tcol,
			    "blocks nested deeper than %u", SIEVE_MAX_BLOCKS);
			next(l);
			if ((r = recover(l, T_RBRACE)) > 0)
				next(l);
			continue;
		}
		next(l);        /* the '{' */
		n->hasblock = 1;
		if ((r = parse_commands(l, &n->block, depth + 1)) < 0)
			return -1;
		if (r > 0 && l->t != T_RBRACE) {
			if (l->t == T_EOF)
				perr(l, "missing '}' at the end");
			else
				perr(l, "expected a command or '}'");
		}
		if (r > 0 && l->t == T_RBRACE)
			next(l);
		else if ((r = recover(l, T_RBRACE)) > 0)
			next(l);
	}
	return r;
}

/* ---- encoded-character (RFC 5228 §2.4.2.4) ---------------------------- */


static void
put_utf8(struct buf *b, unsigned long u)
{
	if (u < 0x80) {
		buf_addc(b, (int)u);
	} else if (u < 0x800) {
		buf_addc(b, (int)(0xc0 | u >> 6));
		buf_addc(b, (int)(0x80 | (u & 0x3f)));
	} else if (u < 0x10000) {
		buf_addc(b, (int)(0xe0 | u >> 12));
		buf_addc(b, (int)(0x80 | ((u >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (u & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | u >> 18));
		buf_addc(b, (int)(0x80 | ((u >> 12) & 0x3f)));
		buf_addc(b, (int)(0x80 | ((u >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (u & 0x3f)));
	}
}

/*
 * Decode one "${hex:...}" or "${unicode:...}" at p (p[0..1] is "${"):
 * the bytes consumed, 0 if it is not one (left literal), -1 for a
 * code point out of range (a compile error, as Pigeonhole has it).
 */
static long
enc_one(const char *p, const char *end, struct buf *out)
{
	const char *q = p + 2;
	int uni, bad = 0;
	unsigned nitems = 0;
	struct buf tmp;

	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (end - q >= 4 && strncasecmp(q, "hex:", 4) == 0) {
		uni = 0;
		q += 4;
	} else if (end - q >= 8 && strncasecmp(q, "unicode:", 8) == 0) {
		uni = 1;
		q += 8;
	} else {
		return 0;
	}
	buf_init(&tmp, 1 << 16);
	for (;;) {
		unsigned long v = 0;
		unsigned nd = 0;
		int sep = 0;

		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' ||
		    *q == '\n')) {
			q++;
			sep = 1;
		}
		if (q < end && *q == '}' && nitems > 0)
			break;
		if (q >= end)
			goto literal;
		if (nitems > 0 && !sep)
			goto literal;
		while (q < end && codec_hexval((unsigned char)*q) >= 0) {
			v = v * 16 +
			    (unsigned long)codec_hexval((unsigned char)*q++);
			if (++nd > (uni ? 8u : 2u))
				goto literal;
		}
		if (nd == 0)
			goto literal;
		if (uni) {
			/* an error only once the '}' is seen: unterminated,
			 * it is no encoded character at all */
			if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
				bad = 1;
			else
				put_utf8(&tmp, v);
		} else {
			buf_addc(&tmp, (int)v);
		}
		nitems++;
	}
	if (bad) {
		buf_free(&tmp);
		return -1;
	}
	buf_add(out, tmp.p, tmp.len);
	buf_free(&tmp);
	return (long)(q + 1 - p);
literal:
	buf_free(&tmp);
	return 0;
}

static int
enc_decode(struct lex *l, struct sieve_str *s, unsigned line, unsigned col)
{
	struct buf b;
	size_t i;

	for (i = 0; i + 1 < s->len; i++)
		if (s->p[i] == '$' && s->p[i + 1] == '{')
			break;
	if (i + 1 >= s->len)
		return 0;
	buf_init(&b, SIEVE_MAX_STRING);
	for (i = 0; i < s->len; ) {
		long k = 0;

		if (s->p[i] == '$' && i + 1 < s->len && s->p[i + 1] == '{')
			k = enc_one(s->p + i, s->p + s->len, &b);
		if (k < 0) {
			buf_free(&b);
			return lerr(l, line, col,
			    "invalid unicode character in encoded-character");
		}
		if (k == 0) {
			buf_addc(&b, s->p[i]);
			i++;
		} else {
			i += (size_t)k;
		}
	}
	s->p = sv_strndup(l->s, b.p ? b.p : "", b.len);
	s->len = b.len;
	buf_free(&b);
	return 0;
}

/* ---- checker ---------------------------------------------------------- */

static const struct sieve_tagdef std_match[] = {
	{"is", 0, 'm'}, {"contains", 0, 'm'}, {"matches", 0, 'm'},
	{"regex", 0, 'm'}, {"count", 's', 'm'}, {"value", 's', 'm'},
	{"comparator", 's', 'c'}, {NULL, 0, 0}
};
static const struct sieve_tagdef std_addr[] = {
	{"all", 0, 'a'}, {"localpart", 0, 'a'}, {"domain", 0, 'a'},
	{"user", 0, 'a'}, {"detail", 0, 'a'}, {NULL, 0, 0}
};

static const struct sieve_tagdef *
find_tag(const struct sieve_tagdef *t, const char *name)
{
	for (; t != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int
relop(const char *s)
{
	static const char *const ops[] = {"gt", "ge", "lt", "le", "eq", "ne"};
	int i;

	for (i = 0; i < 6; i++)
		if (strcasecmp(s, ops[i]) == 0)
			return i;
	return -1;
}

/* A standard tag: its effect on n, or -1 after an error. */
static int
std_tag(struct lex *l, struct sieve_node *n, const struct sieve_arg *a,
    const struct sieve_arg *val)
{
	const char *t = a->tag;
	const struct sieve_script *s = l->s;

	if (strcmp(t, "is") == 0)
		n->match = SIEVE_M_IS;
	else if (strcmp(t, "contains") == 0)
		n->match = SIEVE_M_CONTAINS;
	else if (strcmp(t, "matches") == 0)
		n->match = SIEVE_M_MATCHES;
	else if (strcmp(t, "regex") == 0) {
		if (!sieve_requires(s, "regex"))
			goto noext;
		n->match = SIEVE_M_REGEX;
	} else if (strcmp(t, "count") == 0 || strcmp(t, "value") == 0) {
		if (!sieve_requires(s, "relational"))
			goto noext;
		n->match = t[0] == 'c' ? SIEVE_M_COUNT : SIEVE_M_VALUE;
		if (val->n != 1 || (n->rel = relop(val->v[0].p)) < 0)
			return lerr(l, val->line, val->col,
			    "invalid relational operator");
	} else if (strcmp(t, "comparator") == 0) {
		const char *c = val->n == 1 ? val->v[0].p : "";

		if (strcasecmp(c, "i;octet") == 0)
			n->cmp = SIEVE_C_OCTET;
		else if (strcasecmp(c, "i;ascii-casemap") == 0)
			n->cmp = SIEVE_C_CASEMAP;
		else if (strcasecmp(c, "i;ascii-numeric") == 0 &&
		    sieve_requires(s, "comparator-i;ascii-numeric"))
			n->cmp = SIEVE_C_NUMERIC;
		else
			return lerr(l, val->line, val->col,
			    "unknown comparator %s", val->n == 1 ?
			    val->v[0].src : "");
	} else if (strcmp(t, "all") == 0) {
		n->part = SIEVE_A_ALL;
	} else if (strcmp(t, "localpart") == 0) {
		n->part = SIEVE_A_LOCAL;
	} else if (strcmp(t, "domain") == 0) {
		n->part = SIEVE_A_DOMAIN;
	} else if (strcmp(t, "user") == 0 || strcmp(t, "detail") == 0) {
		if (!sieve_requires(s, "subaddress"))
			goto noext;
		n->part = t[0] == 'u' ? SIEVE_A_USER : SIEVE_A_DETAIL;
	}
	return 0;
noext:
	return lerr(l, a->line, a->col, "tag :%s needs require \"%s\"", t,
	    strcmp(t, "user") == 0 || strcmp(t, "detail") == 0 ?
	    "subaddress" : strcmp(t, "regex") == 0 ? "regex" : "relational");
}

static int
arg_fits(char want, const struct sieve_arg *a)
{
	switch (want) {
	/* ["x"] is a list, even of one (as Pigeonhole has it) */
	case 's': return a->type == SIEVE_LIST && a->n == 1 && !a->bracket;
	case 'l': return a->type == SIEVE_LIST;
	case 'n': return a->type == SIEVE_NUM;
	}
	return 0;
}

static const char *
argname(char c)
{
	switch (c) {
	case 's': return "a string";
	case 'l': return "a string list";
	case 'n': return "a number";
	case 't': return "a test";
	case 'T': return "a test list";
	}
	return "?";
}

static int check_node(struct lex *l, struct sieve_node *n, int kind);

/* The def of tag a of n, standard ones first; *std set for those. */
static const struct sieve_tagdef *
tag_def(const struct sieve_node *n, const struct sieve_arg *a, int *std)
{
	const struct sieve_def *d = n->def;
	const struct sieve_tagdef *td = NULL;

	*std = 1;
	if ((d->flags & SIEVE_F_MATCH) &&
	    (td = find_tag(std_match, a->tag)) != NULL)
		return td;
	if ((d->flags & SIEVE_F_ADDR) &&
	    (td = find_tag(std_addr, a->tag)) != NULL)
		return td;
	*std = 0;
	return find_tag(d->tags, a->tag);
}

static const char *
kindname(const struct sieve_node *n)
{
	return n->def->kind == SIEVE_CMD ? "command" : "test";
}

/*
 * Is this the first time key (an unknown name) is reported?  A typo is
 * said once, not at every use, as Pigeonhole does.
 */
static int
once(struct lex *l, const char *key)
{
	unsigned i;

	for (i = 0; i < l->nunknown; i++)
		if (strcmp(l->unknown[i], key) == 0)
			return 0;
	if (l->nunknown < sizeof l->unknown / sizeof l->unknown[0])
		l->unknown[l->nunknown++] = key;
	return 1;
}

/* The tagged arguments of n, noting where its positional ones are:
 * tags come first (RFC 5228 §2.6.2), one of each group at most. */
static int
check_tags(struct lex *l, struct sieve_node *n)
{
	char groups[16];
	unsigned ng = 0, i, k;

	for (i = 0; i < 8; i++)
		n->pos[i] = -1;
	n->cmp = n->def->flags & SIEVE_F_OCTET ? SIEVE_C_OCTET :
	    SIEVE_C_CASEMAP;
	/* an unknown tag first, wherever it is, and once per command name */
	for (i = 0; i < n->nargs; i++) {
		const struct sieve_arg *a = &n->args[i];
		int std;

		if (a->type == SIEVE_TAG && tag_def(n, a, &std) == NULL) {
			size_t len = strlen(n->name) + strlen(a->tag) + 2;
			char *key = sv_alloc(l->s, len);

			snprintf(key, len, "%s:%s", n->name, a->tag);
			if (once(l, key))
				lerr(l, a->line, a->col, "unknown tagged "
				    "argument ':%s' for the %s %s (reported "
				    "once)", a->tag, n->name, kindname(n));
			return -1;
		}
	}
	for (i = 0; i < n->nargs; i++) {
		struct sieve_arg *a = &n->args[i];
		const struct sieve_tagdef *td;
		int std;

		if (a->type == SIEVE_TAG && n->npos > 0)
			return lerr(l, a->line, a->col, "unexpected tag ':%s' "
			    "after the positional arguments of the %s %s",
			    a->tag, n->name, kindname(n));
		if (a->type != SIEVE_TAG) {
			if (n->npos >= 8)
				return lerr(l, a->line, a->col,
				    "too many arguments for %s", n->name);
			n->pos[n->npos++] = (int)i;
			continue;
		}
		if ((td = tag_def(n, a, &std)) == NULL)
			return -1;
		for (k = 0; td->group && k < ng; k++)
			if (groups[k] == td->group)
				return lerr(l, a->line, a->col, "tag :%s "
				    "conflicts with an earlier tag", a->tag);
		if (td->group && ng < sizeof groups)
			groups[ng++] = td->group;
		if (td->arg && (i + 1 >= n->nargs ||
		    !arg_fits(td->arg, &n->args[i + 1])))
			return lerr(l, a->line, a->col, "tag :%s needs %s",
			    a->tag, argname(td->arg));
		if (td->arg)
			i++;
		if (std && std_tag(l, n, a, td->arg ? &n->args[i] : NULL) < 0)
			return -1;
	}
	return 0;
}

/* What the i-th positional argument of n is, for messages: " (...)". */
static const char *
poslabel(const struct sieve_node *n, unsigned i)
{
	static const struct {
		const char *name, *label[2];
	} t[] = {
		{"header", {" (header names)", " (key list)"}},
		{"address", {" (header list)", " (key list)"}},
		{"envelope", {" (envelope part)", " (key list)"}},
		{"string", {" (source)", " (key list)"}},
		{"exists", {" (header names)", ""}},
		{"fileinto", {" (folder)", ""}},
		{"redirect", {" (address)", ""}},
	};
	size_t k;

	for (k = 0; i < 2 && k < sizeof t / sizeof t[0]; k++)
		if (strcmp(t[k].name, n->name) == 0)
			return t[k].label[i];
	return "";
}

/* The positional arguments of n against its def's spec. */
static int
check_positional(struct lex *l, struct sieve_node *n)
{
	const char *spec = n->def->args ? n->def->args : "";
	unsigned i = 0, k, need = 0;
	int opt = 0;

	for (k = 0; spec[k] != 0; k++)
		if (spec[k] == '?')
			break;
		else if (spec[k] != 't' && spec[k] != 'T')
			need++;
	for (k = 0; spec[k] != 0; k++) {
		char c = spec[k];

		if (c == '?') {
			opt = 1;
		} else if (c == 't' || c == 'T') {
			continue;
		} else if (i >= n->npos) {
			if (opt)
				break;
			return lerr(l, n->line, n->col, "the %s %s requires %u "
			    "positional argument%s, but %u %s specified",
			    n->name, kindname(n), need, need == 1 ? "" : "s",
			    n->npos, n->npos == 1 ? "is" : "are");
		} else if (!arg_fits(c, &n->args[n->pos[i]])) {
			const struct sieve_arg *a = &n->args[n->pos[i]];

			return lerr(l, a->line, a->col, "the %s %s expects %s "
			    "as argument %u%s, but %s was found", n->name,
			    kindname(n), argname(c), i + 1, poslabel(n, i),
			    a->type == SIEVE_NUM ? "a number" : a->n == 1 &&
			    !a->bracket ? "a string" : "a string list");
		} else {
			i++;
		}
	}
	if (i < n->npos)
		return lerr(l, n->args[n->pos[i]].line,
		    n->args[n->pos[i]].col, "too many arguments for %s",
		    n->name);
	return 0;
}

/* Is name a tag n takes (written without its ':')? */
static int
takes_tag(const struct sieve_node *n, const char *name)
{
	struct sieve_arg a;
	int std;

	memset(&a, 0, sizeof a);
	a.tag = (char *)name;
	return tag_def(n, &a, &std) != NULL;
}

/*
 * The tests of n against its def.  A test where none is taken is most
 * likely a missing ';' (or a tag without its ':'): said so, as Pigeonhole
 * does.
 */
static int
check_subtests(struct lex *l, struct sieve_node *n)
{
	const char *spec = n->def->args ? n->def->args : "";
	const char *t = strpbrk(spec, "tT");
	const struct sieve_def *d;

	if (t == NULL) {
		if (n->ntests == 0)
			return 0;
		d = sv_lookup(n->tests[0]->name);
		if (d != NULL && d->ext != NULL && !sieve_requires(l->s, d->ext))
			d = NULL;
		if (d != NULL && d->kind == SIEVE_TEST)
			return lerr(l, n->tests[0]->line, n->tests[0]->col,
			    "the %s %s accepts no sub-tests, but tests are "
			    "specified", n->name, kindname(n));
		if (d == NULL && takes_tag(n, n->tests[0]->name))
			return lerr(l, n->tests[0]->line, n->tests[0]->col,
			    "missing colon ':' before ':%s' tag in %s %s",
			    n->tests[0]->name, n->name, kindname(n));
		return lerr(l, n->tests[0]->line, n->tests[0]->col,
		    "missing semicolon ';' after %s %s", n->name,
		    kindname(n));
	}
	if (n->ntests == 0) {
		if (t > spec && memchr(spec, '?', (size_t)(t - spec)) != NULL)
			return 0;
		return lerr(l, n->line, n->col, "%s needs %s", n->name,
		    argname(*t));
	}
	if ((*t == 't') != !n->testlist)
		return lerr(l, n->line, n->col, "%s needs %s", n->name,
		    argname(*t));
	return 0;
}

/* The tagged arguments of n, then its positional ones against the def. */
static int
check_args(struct lex *l, struct sieve_node *n)
{
	if (check_tags(l, n) < 0 || check_positional(l, n) < 0)
		return -1;
	if (n->cmp == SIEVE_C_NUMERIC && (n->match == SIEVE_M_CONTAINS ||
	    n->match == SIEVE_M_MATCHES || n->match == SIEVE_M_REGEX))
		return lerr(l, n->line, n->col, "comparator i;ascii-numeric "
		    "cannot do :%s", n->match == SIEVE_M_CONTAINS ?
		    "contains" : n->match == SIEVE_M_MATCHES ? "matches" :
		    "regex");
	return 0;
}

/* Is (p, n) the name of a namespace of a required extension? */
static int
namespace_ok(const struct lex *l, const char *p, size_t n)
{
	char name[SIEVE_MAX_IDENT + 1];
	const struct sieve_def *d;
	size_t i;

	if (n > SIEVE_MAX_IDENT)
		return 0;
	for (i = 0; i < n; i++)
		name[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' :
		    p[i]);
	name[n] = 0;
	d = sv_lookup(name);
	return d != NULL && d->kind == SIEVE_NS &&
	    (d->ext == NULL || sieve_requires(l->s, d->ext));
}

/*
 * A reference "${ns.name}" in s names a namespace (RFC 5229 3): one
 * no required extension gives is an error.  0, or -1 after it.
 */
static int
check_namespace(struct lex *l, const struct sieve_str *s, unsigned line,
    unsigned col)
{
	size_t i, k;

	for (i = 0; i + 2 < s->len; i++) {
		const char *p = s->p + i + 2;
		size_t dot = 0;

		if (s->p[i] != '$' || s->p[i + 1] != '{' || !isid(*p, 1))
			continue;
		for (k = 0; i + 2 + k < s->len && (isid(p[k], 0) ||
		    (p[k] == '.' && k > 0 && p[k - 1] != '.')); k++)
			if (p[k] == '.' && dot == 0)
				dot = k;
		if (dot > 0 && i + 2 + k < s->len && p[k] == '}' &&
		    p[k - 1] != '.' && !namespace_ok(l, p, dot))
			return lerr(l, line, col, "unknown variables namespace "
			    "'%.*s' in ${%.*s}", (int)dot, p, (int)k, p);
	}
	return 0;
}

static int
check_strings(struct lex *l, struct sieve_node *n)
{
	unsigned i;
	size_t k;
	int enc = sieve_requires(l->s, "encoded-character");
	int vars = sieve_requires(l->s, "variables");

	for (i = 0; i < n->nargs && (enc || vars); i++)
		for (k = 0; n->args[i].type == SIEVE_LIST &&
		    k < n->args[i].n; k++) {
			if (enc && enc_decode(l, &n->args[i].v[k],
			    n->args[i].line, n->args[i].col) < 0)
				return -1;
			if (vars && check_namespace(l, &n->args[i].v[k],
			    n->args[i].line, n->args[i].col) < 0)
				return -1;
		}
	return 0;
}

static int
check_node(struct lex *l, struct sieve_node *n, int kind)
{
	const struct sieve_def *d = sv_lookup(n->name);
	unsigned i;
	int rc = 0;

	if (d != NULL && d->kind == SIEVE_NS)
		d = NULL;

	if (d == NULL || (d->ext != NULL && !sieve_requires(l->s, d->ext))) {
		/* a missing require, as a typo, is said at the first use */
		if (!once(l, n->name))
			return -1;
		if (d != NULL)
			return lerr(l, n->line, n->col,
			    "%s needs require \"%s\"", n->name, d->ext);
		return lerr(l, n->line, n->col, "unknown %s '%s'",
		    kind == SIEVE_CMD ? "command" : "test", n->name);
	}
	if (d->kind != kind)
		return lerr(l, n->line, n->col, "attempted to use %s '%s' "
		    "as a %s", d->kind == SIEVE_CMD ? "command" : "test",
		    n->name, kind == SIEVE_CMD ? "command" : "test");
	n->def = d;
	/*
	 * As Pigeonhole: bad arguments are one error, and a test where none
	 * is taken another (a missing ';' may be the cause of both); then
	 * the tests are checked, if the def takes any.
	 */
	if (check_strings(l, n) < 0)
		rc = -1;
	else if (check_args(l, n) < 0) {
		(void)check_subtests(l, n);
		rc = -1;
	}
	else if (check_subtests(l, n) < 0)
		rc = -1;
	else if ((d->flags & SIEVE_F_BLOCK) && !n->hasblock)
		rc = lerr(l, n->line, n->col, "%s needs a block", n->name);
	else if (!(d->flags & SIEVE_F_BLOCK) && n->hasblock)
		rc = lerr(l, n->line, n->col, "%s takes no block", n->name);
	if (d->args != NULL && strpbrk(d->args, "tT") != NULL)
		for (i = 0; i < n->ntests; i++)
			if (check_node(l, n->tests[i], SIEVE_TEST) < 0)
				rc = -1;
	if (rc < 0)
		return -1;
	if (n->match == SIEVE_M_REGEX) {
		char e[512];

		if (sv_regex_prepare(n, e, sizeof e, l->s->name) < 0)
			return lerr_line(l, 0, 0, e);
	}
	if (n->re != NULL) {
		l->s->re = xrealloc(l->s->re, (l->s->nre + 1) *
		    sizeof *l->s->re);
		l->s->re[l->s->nre++] = n;
	}
	if (d->check != NULL) {
		char e[256];

		if (d->check(l->s, n, e, sizeof e) < 0)
			return lerr(l, n->line, n->col, "%s", e);
	}
	return 0;
}

/* Room for one more required extension in the arena. */
static char **
xrealloc_req(struct sieve_script *s)
{
	char **v;

	if (s->nreq % 16 != 0)
		return s->req;
	v = sv_alloc(s, (s->nreq + 16) * sizeof *v);
	if (s->nreq)
		memcpy(v, s->req, s->nreq * sizeof *v);
	return v;
}

static int
check_require(struct lex *l, struct sieve_node *n)
{
	size_t k;
	unsigned i;
	int rc = 0;

	if (n->nargs != 1 || n->args[0].type != SIEVE_LIST)
		return lerr(l, n->line, n->col, "require needs a string list");
	if (n->ntests)
		return lerr(l, n->tests[0]->line, n->tests[0]->col,
		    "require command takes no tests, but one is specified");
	if (n->hasblock)
		return lerr(l, n->line, n->col, "require takes no block");
	/* each extension we do not have is an error of its own */
	for (k = 0; k < n->args[0].n; k++) {
		const char *e = n->args[0].v[k].p;

		if (!sieve_have_ext(e)) {
			rc = lerr(l, n->args[0].line, n->args[0].col,
			    "unsupported extension %s", n->args[0].v[k].src);
			continue;
		}
		for (i = 0; i < l->s->nreq; i++)
			if (strcmp(l->s->req[i], e) == 0)
				break;
		if (i < l->s->nreq)
			continue;
		l->s->req = xrealloc_req(l->s);
		l->s->req[l->s->nreq++] = (char *)e;
	}
	/* RFC 6131: vacation-seconds implies vacation */
	if (sieve_requires(l->s, "vacation-seconds") &&
	    !sieve_requires(l->s, "vacation")) {
		l->s->req = xrealloc_req(l->s);
		l->s->req[l->s->nreq++] = (char *)"vacation";
	}
	return rc;
}

/* Check every command from first on; after an error it goes on, so
 * that every error is counted (the first one is the message). */
static int
check_block(struct lex *l, struct sieve_node *first, int top)
{
	struct sieve_node *n, *prev = NULL;
	int started = 0, rc = 0;

	for (n = first; n != NULL; prev = n, n = n->next) {
		if (strcmp(n->name, "require") == 0) {
			n->def = sv_lookup("require");
			if (!top || started)
				rc = lerr(l, n->line, n->col,
				    "require must come before other commands");
			else if (check_require(l, n) < 0)
				rc = -1;
			continue;
		}
		started = 1;
		if ((strcmp(n->name, "elsif") == 0 ||
		    strcmp(n->name, "else") == 0) && (prev == NULL ||
		    (strcmp(prev->name, "if") != 0 &&
		    strcmp(prev->name, "elsif") != 0))) {
			rc = lerr(l, n->line, n->col,
			    "%s without a preceding if", n->name);
			n->def = sv_lookup(n->name);
		} else if (check_node(l, n, SIEVE_CMD) < 0) {
			rc = -1;
		}
		/* the block of a command that takes none is not looked at */
		if (n->hasblock && n->def != NULL &&
		    (n->def->flags & SIEVE_F_BLOCK) &&
		    check_block(l, n->block, 0) < 0)
			rc = -1;
	}
	return rc;
}

int
sieve_compile(const char *name, const char *p, size_t len,
    struct sieve_script **out, char *err, size_t errlen)
{
	return sieve_compile_n(name, p, len, out, err, errlen, NULL);
}

/*
 * Parse, then check: a script that does not parse is not checked (as
 * Pigeonhole has it), so the errors are those of one phase.
 */
static int
compile(const char *name, const char *p, size_t len,
    struct sieve_script **out, char *err, size_t errlen, struct buf *all,
    unsigned *nerr)
{
	struct sieve_script *s = xcalloc(1, sizeof *s);
	struct lex l;

	sieve_init();
	memset(&l, 0, sizeof l);
	l.s = s;
	l.p = l.start = l.linestart = p;
	l.end = p + len;
	l.line = 1;
	l.err = err;
	l.errlen = errlen;
	l.all = all;
	s->name = sv_strndup(s, name ? name : "script",
	    strlen(name ? name : "script"));
	if (len > SIEVE_MAX_SCRIPT) {
		lerr(&l, 1, 1, "script longer than %u bytes", SIEVE_MAX_SCRIPT);
		goto fail;
	}
	next(&l);
	if (parse_commands(&l, &s->first, 0) > 0 && !l.failed &&
	    l.t != T_EOF)
		perr(&l, l.t == T_RBRACE ? "unexpected '}'" :
		    "expected a command");
	if (l.failed || check_block(&l, s->first, 1) < 0)
		goto fail;
	*out = s;
	if (nerr != NULL)
		*nerr = 0;
	return 0;
fail:
	sieve_free(s);
	*out = NULL;
	if (nerr != NULL)
		*nerr = l.nerr ? l.nerr : 1;
	return -1;
}

int
sieve_compile_n(const char *name, const char *p, size_t len,
    struct sieve_script **out, char *err, size_t errlen, unsigned *nerr)
{
	return compile(name, p, len, out, err, errlen, NULL, nerr);
}

int
sieve_compile_all(const char *name, const char *p, size_t len,
    struct sieve_script **out, struct buf *errs, unsigned *nerr)
{
	char err[8];

	return compile(name, p, len, out, err, sizeof err, errs, nerr);
}
