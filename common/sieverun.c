/*
 * sieverun: the evaluation half of sieve.h: variables, matching,
 * control flow, the action list and its implicit keep, the -n trace.
 *
 * The header is copied into a list of fields once per run, so that
 * editheader can change what later tests see without touching the
 * message; the body is only ever read from env->msg.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"
#include "rfc2047.h"
#include "sieve.h"
#include "sievei.h"

/* ---- errors and limits ------------------------------------------------ */

int
sieve_fail(struct sieve_run *r, const struct sieve_node *n, const char *fmt,
    ...)
{
	char m[512];
	va_list ap;
	struct buf b;
	size_t i;

	if (r->err != NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	buf_init(&b, 4096);
	if (n != NULL)
		buf_printf(&b, "%s:%u:%u: ", r->s->name, n->line, n->col);
	else
		buf_printf(&b, "%s: ", r->s->name);
	/* the text quotes script strings and message bytes: a line end
	 * or other control byte in it would forge lines of the log */
	for (i = 0; m[i]; i++)
		if ((unsigned char)m[i] < ' ' || m[i] == 0x7f)
			buf_printf(&b, "\\x%02x", (unsigned char)m[i]);
		else
			buf_addc(&b, m[i]);
	r->err = b.p ? b.p : xstrdup(m);
	return -1;
}

/*
 * The CPU clock is a system call (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)),
 * and a script of many :regex tests asks after each one: 400 calls in
 * one run of the bench's 2 000-rule script.  The CPU time of a run
 * cannot be more than the wall time it took (the rules run on one
 * thread), and CLOCK_MONOTONIC is read in the vDSO, without a system
 * call: the CPU clock is only read once that much wall time has passed.
 */
int
sv_out_of_time(struct sieve_run *r, const struct sieve_node *n)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == 0 &&
	    now.tv_sec - r->w0.tv_sec < SIEVE_MAX_SECONDS)
		return 0;
	if (clock() - r->t0 > (clock_t)SIEVE_MAX_SECONDS * CLOCKS_PER_SEC)
		return sieve_fail(r, n, "more than %d seconds of CPU",
		    SIEVE_MAX_SECONDS);
	return 0;
}

/* The clock is read every 1024 steps, and after each regexec(), the one
 * step that can take long by itself. */
int
sv_step(struct sieve_run *r, const struct sieve_node *n)
{
	if (r->err != NULL)
		return -1;
	if (++r->steps > SIEVE_MAX_STEPS)
		return sieve_fail(r, n, "more than %lu steps", SIEVE_MAX_STEPS);
	if ((r->steps & 1023) == 0)
		return sv_out_of_time(r, n);
	return 0;
}

const struct sieve_env *
sieve_run_env(const struct sieve_run *r)
{
	return r->env;
}

void *
sieve_run_user(const struct sieve_run *r)
{
	return r->env->user;
}

const struct sieve_arg *
sieve_pos(const struct sieve_node *n, unsigned i)
{
	if (i >= n->npos || n->pos[i] < 0)
		return NULL;
	return &n->args[n->pos[i]];
}

const struct sieve_arg *
sieve_tag(const struct sieve_node *n, const char *tag)
{
	unsigned i;

	for (i = 0; i < n->nargs; i++) {
		if (n->args[i].type != SIEVE_TAG ||
		    strcmp(n->args[i].tag, tag) != 0)
			continue;
		if (i + 1 < n->nargs && n->args[i + 1].type != SIEVE_TAG) {
			/* a positional right after a tag without argument
			 * is not its argument */
			unsigned k;

			for (k = 0; k < n->npos; k++)
				if (n->pos[k] == (int)i + 1)
					return &n->args[i];
			return &n->args[i + 1];
		}
		return &n->args[i];
	}
	return NULL;
}

/* ---- variables (RFC 5229) --------------------------------------------- */

const struct sv_var *
sv_get_var(struct sieve_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nv; i++)
		if (strcasecmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

size_t
sv_maxvar(const struct sieve_run *r)
{
	size_t m = r->env->maxvar;

	return m == 0 || m > SIEVE_MAX_STRING ? SIEVE_MAX_STRING : m;
}

size_t
sv_utf8_cut(const char *p, size_t len, size_t max)
{
	size_t k;

	if (len <= max)
		return len;
	/* back over at most the 3 continuation bytes of one character,
	 * so that bytes that are not UTF-8 still keep their max */
	for (k = 0; k < 3 && max > 0 &&
	    ((unsigned char)p[max] & 0xc0) == 0x80; k++)
		max--;
	return k < 3 || ((unsigned char)p[max] & 0xc0) != 0x80 ? max :
	    max + k;
}

int
sv_set_var(struct sieve_run *r, const char *name, const char *val,
    size_t len)
{
	size_t i;

	/* RFC 5229 §3: a value over the limit is cut, not an error */
	len = sv_utf8_cut(val, len, sv_maxvar(r));
	for (i = 0; i < r->nv; i++)
		if (strcasecmp(r->v[i].name, name) == 0)
			break;
	if (i == r->nv) {
		if (r->nv >= SIEVE_MAX_VARS)
			return sieve_fail(r, NULL, "more than %u variables",
			    SIEVE_MAX_VARS);
		r->v = xrealloc(r->v, (r->nv + 1) * sizeof *r->v);
		r->v[i].name = xstrdup(name);
		r->v[i].val = NULL;
		r->nv++;
	}
	free(r->v[i].val);
	r->v[i].val = xstrndup(val, len);
	r->v[i].len = len;
	return 0;
}

/* "${name}" at p (p[0..1] == "${"): its length, 0 if not a reference. */
static size_t
varref(const char *p, const char *end, char *name, size_t namecap)
{
	const char *q = p + 2;
	size_t k = 0;
	int digits = q < end && isdigit((unsigned char)*q);

	while (q < end && *q != '}') {
		int c = (unsigned char)*q;

		if (digits ? !isdigit(c) : !(isalnum(c) || c == '_' ||
		    (c == '.' && k > 0)))
			return 0;
		if (!digits && k == 0 && isdigit(c))
			return 0;
		if (k + 1 >= namecap)
			return 0;
		name[k++] = (char)c;
		q++;
	}
	if (q >= end || k == 0 || name[k - 1] == '.')
		return 0;
	name[k] = 0;
	return (size_t)(q + 1 - p);
}

/* Add n bytes at p to b; with cap, what passes cap is dropped and
 * *full set (-1 never); without, -1 past b's limit. */
static int
add_capped(struct buf *b, const char *p, size_t n, size_t cap, int *full)
{
	if (cap == 0)
		return buf_add(b, p, n);
	if (b->len + n > cap) {
		n = cap - b->len;
		*full = 1;
	}
	return buf_add(b, p, n);
}

/* The expansion of s; with cap, cut to cap bytes (no error). */
static char *
expand(struct sieve_run *r, const struct sieve_str *s, size_t *len,
    size_t cap)
{
	struct buf b;
	size_t i;
	int full = 0;

	if (!r->vars || memchr(s->p, '$', s->len) == NULL) {
		*len = cap && s->len > cap ? cap : s->len;
		return xstrndup(s->p, *len);
	}
	buf_init(&b, cap ? cap : SIEVE_MAX_STRING);
	for (i = 0; i < s->len && !full; ) {
		char name[128];
		size_t k = 0;

		if (s->p[i] == '$' && i + 1 < s->len && s->p[i + 1] == '{')
			k = varref(s->p + i, s->p + s->len, name, sizeof name);
		if (k == 0) {
			if (add_capped(&b, s->p + i, 1, cap, &full) < 0)
				goto big;
			i++;
			continue;
		}
		i += k;
		if (isdigit((unsigned char)name[0])) {
			/* leading zeroes are allowed (RFC 5229 §3) */
			const char *d = name;
			unsigned long m;

			while (d[0] == '0' && d[1] != 0)
				d++;
			m = strlen(d) < 4 ? strtoul(d, NULL, 10) :
			    SIEVE_MAX_MATCHVARS;
			if (m < SIEVE_MAX_MATCHVARS &&
			    r->mv[m] != NULL && add_capped(&b, r->mv[m],
			    r->mvlen[m], cap, &full) < 0)
				goto big;
		} else {
			const struct sv_var *v = sv_get_var(r, name);

			if (v != NULL && add_capped(&b, v->val, v->len, cap,
			    &full) < 0)
				goto big;
		}
	}
	*len = b.len;
	if (b.p == NULL)
		return xstrdup("");
	return b.p;
big:
	buf_free(&b);
	sieve_fail(r, NULL, "a string grew longer than %u bytes",
	    SIEVE_MAX_STRING);
	return NULL;
}

char *
sieve_str_expand(struct sieve_run *r, const struct sieve_str *s, size_t *len)
{
	return expand(r, s, len, 0);
}

char *
sv_expand_var(struct sieve_run *r, const struct sieve_str *s, size_t *len)
{
	/* 3 bytes more, so that the cut sees the character it splits */
	char *v = expand(r, s, len, sv_maxvar(r) + 3);

	if (v != NULL)
		*len = sv_utf8_cut(v, *len, sv_maxvar(r));
	return v;
}

char *
sv_pos_str(struct sieve_run *r, const struct sieve_node *n, unsigned i)
{
	size_t len;

	return sv_pos_strn(r, n, i, &len);
}

char *
sv_pos_strn(struct sieve_run *r, const struct sieve_node *n, unsigned i,
    size_t *len)
{
	const struct sieve_arg *a = sieve_pos(n, i);

	if (a == NULL || a->type != SIEVE_LIST || a->n < 1) {
		sieve_fail(r, n, "missing argument");
		return NULL;
	}
	return sieve_str_expand(r, &a->v[0], len);
}

char *
sv_tag_str(struct sieve_run *r, const struct sieve_node *n, const char *tag,
    int *err)
{
	const struct sieve_arg *a = sieve_tag(n, tag);
	size_t len;
	char *s;

	*err = 0;
	if (a == NULL || a->type != SIEVE_LIST || a->n < 1)
		return NULL;
	if ((s = sieve_str_expand(r, &a->v[0], &len)) == NULL)
		*err = 1;
	return s;
}

static void
set_matchvars(struct sieve_run *r, char **v, size_t *len, unsigned n)
{
	unsigned i;

	for (i = 0; i < SIEVE_MAX_MATCHVARS; i++) {
		free(r->mv[i]);
		r->mv[i] = NULL;
		r->mvlen[i] = 0;
		if (i < n) {
			r->mv[i] = v[i];
			r->mvlen[i] = len[i];
		}
	}
}

/* ---- comparators and match types -------------------------------------- */

static int
ceq(int cmp, int a, int b)
{
	if (cmp == SIEVE_C_CASEMAP)
		return tolower(a) == tolower(b);
	return a == b;
}

/*
 * :matches with '*' and '?' (and '\' escaping them), capturing each
 * wildcard.  Only the last '*' is ever backtracked into, which gives
 * RFC 5229's captures (every '*' but the last as short as possible)
 * and keeps the work O(|value| * |pattern|).
 */
static int
glob(int cmp, const char *v, size_t vn, const char *p, size_t pn,
    char **cap, size_t *caplen, unsigned *ncap)
{
	size_t vi = 0, pi = 0, star_p = (size_t)-1, star_v = 0;
	unsigned star_w = 0, w = 0;
	size_t wstart[SIEVE_MAX_MATCHVARS + 64], wlen[SIEVE_MAX_MATCHVARS + 64];
	unsigned maxw = sizeof wstart / sizeof wstart[0], i;

	while (vi < vn || pi < pn) {
		if (pi < pn && p[pi] == '*') {
			star_p = pi++;
			star_v = vi;
			star_w = w;
			if (w < maxw) {
				wstart[w] = vi;
				wlen[w] = 0;
			}
			w++;
			continue;
		}
		if (pi < pn && vi < vn) {
			if (p[pi] == '?') {
				if (w < maxw) {
					wstart[w] = vi;
					wlen[w] = 1;
				}
				w++;
				/* a '?' is one octet: both comparators
				 * work on octets (RFC 4790), as
				 * Pigeonhole does */
				vi++;
				pi++;
				continue;
			}
			{
				size_t q = pi;

				if (p[q] == '\\' && q + 1 < pn)
					q++;
				if (ceq(cmp, (unsigned char)p[q],
				    (unsigned char)v[vi])) {
					pi = q + 1;
					vi++;
					continue;
				}
			}
		}
		if (star_p == (size_t)-1 || star_v >= vn)
			return 0;
		star_v++;
		vi = star_v;
		pi = star_p + 1;
		w = star_w + 1;
		if (star_w < maxw)
			wlen[star_w] = star_v - wstart[star_w];
	}
	if (cap != NULL) {
		cap[0] = xstrndup(v, vn);
		caplen[0] = vn;
		for (i = 0; i < w && i + 1 < SIEVE_MAX_MATCHVARS; i++) {
			cap[i + 1] = xstrndup(v + wstart[i], wlen[i]);
			caplen[i + 1] = wlen[i];
		}
		*ncap = i + 1;
	}
	return 1;
}

/* i;ascii-numeric: the leading digits, compared as numbers; a value
 * without one is +infinity (RFC 4790 §9.1). */
static int
numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t la = 0, lb = 0;
	int c;

	while (la < an && isdigit((unsigned char)a[la]))
		la++;
	while (lb < bn && isdigit((unsigned char)b[lb]))
		lb++;
	if (la == 0 || lb == 0)
		return (la == 0) - (lb == 0) ? (la == 0 ? 1 : -1) : 0;
	while (la > 1 && *a == '0') {
		a++;
		la--;
	}
	while (lb > 1 && *b == '0') {
		b++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	c = memcmp(a, b, la);
	return c < 0 ? -1 : c > 0;
}

static int
ordcmp(int cmp, const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (cmp == SIEVE_C_NUMERIC)
		return numcmp(a, an, b, bn);
	for (i = 0; i < an && i < bn; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (cmp == SIEVE_C_CASEMAP) {
			x = tolower(x);
			y = tolower(y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return an == bn ? 0 : an < bn ? -1 : 1;
}

static int
relok(int rel, int c)
{
	switch (rel) {
	case SIEVE_R_GT: return c > 0;
	case SIEVE_R_GE: return c >= 0;
	case SIEVE_R_LT: return c < 0;
	case SIEVE_R_LE: return c <= 0;
	case SIEVE_R_EQ: return c == 0;
	default: return c != 0;
	}
}

static int
contains(int cmp, const char *v, size_t vn, const char *k, size_t kn)
{
	size_t i;

	if (kn == 0)
		return 1;
	if (cmp == SIEVE_C_CASEMAP)
		return memcasemem(v, vn, k, kn) != NULL;
	for (i = 0; i + kn <= vn; i++)
		if (memcmp(v + i, k, kn) == 0)
			return 1;
	return 0;
}

/* Refuse back-references: they make POSIX matching exponential. */
static int
has_backref(const char *p)
{
	for (; *p; p++)
		if (*p == '\\' && p[1] != 0) {
			if (p[1] >= '1' && p[1] <= '9')
				return 1;
			p++;
		}
	return 0;
}

/*
 * Refuse what makes regcomp() itself blow up (glibc builds its automaton
 * by copying): a pattern over SIEVE_MAX_REGEX bytes, a quantifier right
 * after another ("a+++": gigabytes), and bounds {n,m} adding up to more
 * than SIEVE_MAX_REGEXDUP copies.  NULL if sane, else why not.
 */
static const char *
re_insane(const char *p)
{
	unsigned long dup = 0;
	int quant = 0;          /* the previous token was a quantifier */
	int closed = 0;         /* it was a ')' whose group has a {n,m} */
	unsigned char brace[SIEVE_MAX_DEPTH + 1]; /* a group has a {n,m} */
	unsigned depth = 0;
	size_t i, n = strlen(p);

	if (n > SIEVE_MAX_REGEX)
		return "the expression is too long";
	brace[0] = 0;
	for (i = 0; i < n; i++) {
		char c = p[i];
		int was_closed = closed;

		closed = 0;
		if (c == '(') {
			if (depth >= SIEVE_MAX_DEPTH)
				return "groups nested too deep";
			brace[++depth] = 0;
			quant = 0;
		} else if (c == ')' && depth > 0) {
			closed = brace[depth];
			depth--;
			brace[depth] |= closed;
			quant = 0;
		} else if (c == '\\' && i + 1 < n) {
			i++;
			quant = 0;
		} else if (c == '*' || c == '+' || c == '?' || c == '{') {
			if (quant)
				return "a quantifier follows another";
			quant = 1;
			if (c == '{' && was_closed)
				return "repetition bounds nested";
			if (c == '{') {
				brace[depth] = 1;
				unsigned long lo = strtoul(p + i + 1, NULL, 10);
				const char *e = strchr(p + i, '}');
				const char *comma = strchr(p + i, ',');
				unsigned long hi = comma && e && comma < e &&
				    comma[1] != '}' ? strtoul(comma + 1, NULL,
				    10) : lo;

				dup += (hi > lo ? hi : lo) + 1;
				if (dup > SIEVE_MAX_REGEXDUP)
					return "repetition bounds too large";
				if (e != NULL)
					i = (size_t)(e - p);
			}
		} else if (c == '[') {
			/* a bracket expression: up to its ']' */
			size_t k = i + 1;

			if (k < n && p[k] == '^')
				k++;
			if (k < n && p[k] == ']')
				k++;
			while (k < n && p[k] != ']')
				k++;
			i = k;
			quant = 0;
		} else {
			quant = 0;
		}
	}
	return NULL;
}

static int
re_compile(regex_t *re, const char *pat, int cmp, char *err, size_t errlen)
{
	int fl = REG_EXTENDED | (cmp == SIEVE_C_CASEMAP ? REG_ICASE : 0);
	const char *why;
	int rc;

	if (has_backref(pat)) {
		snprintf(err, errlen, "back-references are not supported");
		return -1;
	}
	if ((why = re_insane(pat)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if ((rc = regcomp(re, pat, fl)) != 0) {
		regerror(rc, re, err, errlen);
		regfree(re);
		return -1;
	}
	return 0;
}

int
sv_regex_prepare(struct sieve_node *n, char *err, size_t errlen,
    const char *file)
{
	const struct sieve_arg *k = NULL;
	size_t i;
	int ki = n->npos > 0 ? (int)n->npos - 1 : -1;
	char m[256];

	/* the keys are the last positional argument of every match test */
	if (ki < 0)
		return 0;
	k = &n->args[n->pos[ki]];
	if (k->type != SIEVE_LIST)
		return 0;
	for (i = 0; i < k->n; i++)
		if (memchr(k->v[i].p, '$', k->v[i].len) != NULL ||
		    memchr(k->v[i].p, 0, k->v[i].len) != NULL)
			return 0;       /* compiled when run */
	if (n->cmp == SIEVE_C_NUMERIC) {
		snprintf(err, errlen, "%s:%u:%u: :regex cannot use "
		    "i;ascii-numeric", file, n->line, n->col);
		return -1;
	}
	n->re = xcalloc(k->n ? k->n : 1, sizeof *n->re);
	for (i = 0; i < k->n; i++) {
		if (re_compile(&n->re[i], k->v[i].p, n->cmp, m,
		    sizeof m) < 0) {
			snprintf(err, errlen, "%s:%u:%u: invalid regex %s: %s",
			    file, k->line, k->col, k->v[i].src, m);
			while (i-- > 0)
				regfree(&n->re[i]);
			free(n->re);
			n->re = NULL;
			return -1;
		}
	}
	n->nre = k->n;
	return 0;
}

void
sv_free_regex(struct sieve_node *n)
{
	size_t i;

	for (i = 0; i < n->nre; i++)
		regfree(&n->re[i]);
	free(n->re);
	n->re = NULL;
	n->nre = 0;
}

static int
re_match(struct sieve_run *r, const struct sieve_node *n, size_t ki,
    const char *key, const char *v, size_t vn, int capture)
{
	regex_t tmp, *re;
	regmatch_t pm[SIEVE_MAX_MATCHVARS];
	char e[256], *s;
	int rc;
	unsigned i;

	if (n->re != NULL) {
		re = &n->re[ki];
	} else {
		/* a bad expression made at run time fails the match, as
		 * Pigeonhole has it, rather than the script */
		if (re_compile(&tmp, key, n->cmp, e, sizeof e) < 0)
			return 0;
		re = &tmp;
	}
	if (vn > SIEVE_MAX_REGEXIN)
		vn = SIEVE_MAX_REGEXIN;
	s = xstrndup(v, vn);
	rc = regexec(re, s, SIEVE_MAX_MATCHVARS, pm, 0);
	if (rc == 0 && capture) {
		char *cv[SIEVE_MAX_MATCHVARS];
		size_t cl[SIEVE_MAX_MATCHVARS];

		for (i = 0; i < SIEVE_MAX_MATCHVARS; i++) {
			if (pm[i].rm_so < 0) {
				cv[i] = xstrdup("");
				cl[i] = 0;
				continue;
			}
			cl[i] = (size_t)(pm[i].rm_eo - pm[i].rm_so);
			cv[i] = xstrndup(s + pm[i].rm_so, cl[i]);
		}
		set_matchvars(r, cv, cl, SIEVE_MAX_MATCHVARS);
	}
	free(s);
	if (re == &tmp)
		regfree(&tmp);
	if (sv_out_of_time(r, n) < 0)
		return -1;
	return rc == 0;
}

/* One value against one key (not :count). */
static int
match1(struct sieve_run *r, const struct sieve_node *n, size_t ki,
    const char *key, size_t kn, const char *v, size_t vn)
{
	if (sv_step(r, n) < 0)
		return -1;
	switch (n->match) {
	case SIEVE_M_IS:
		if (n->cmp == SIEVE_C_NUMERIC)
			return numcmp(v, vn, key, kn) == 0;
		return vn == kn && ordcmp(n->cmp, v, vn, key, kn) == 0;
	case SIEVE_M_CONTAINS:
		if (n->cmp == SIEVE_C_NUMERIC)
			return sieve_fail(r, n, "i;ascii-numeric cannot "
			    "do :contains");
		return contains(n->cmp, v, vn, key, kn);
	case SIEVE_M_MATCHES: {
		char *cap[SIEVE_MAX_MATCHVARS];
		size_t cl[SIEVE_MAX_MATCHVARS];
		unsigned nc = 0;
		int ok, capture;

		if (n->cmp == SIEVE_C_NUMERIC)
			return sieve_fail(r, n, "i;ascii-numeric cannot "
			    "do :matches");
		capture = r->vars && !(n->def->flags & SIEVE_F_NOVARS);
		ok = glob(n->cmp, v, vn, key, kn, capture ? cap : NULL, cl,
		    &nc);
		if (ok && capture)
			set_matchvars(r, cap, cl, nc);
		return ok;
	}
	case SIEVE_M_REGEX:
		return re_match(r, n, ki, key, v, vn, r->vars &&
		    !(n->def->flags & SIEVE_F_NOVARS));
	case SIEVE_M_VALUE:
		return relok(n->rel, ordcmp(n->cmp, v, vn, key, kn));
	}
	return 0;
}

int
sv_match_values(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_str *vals, size_t nvals, unsigned ki)
{
	const struct sieve_arg *keys = sieve_pos(n, ki);

	if (keys == NULL || keys->type != SIEVE_LIST)
		return sieve_fail(r, n, "missing key list");
	return sv_match_keys(r, n, vals, nvals, keys, 1);
}

static char *
key_of(struct sieve_run *r, const struct sieve_str *k, int expand,
    size_t *kl)
{
	if (expand)
		return sieve_str_expand(r, k, kl);
	*kl = k->len;
	return xstrndup(k->p, k->len);
}

int
sv_match_keys(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_str *vals, size_t nvals,
    const struct sieve_arg *keys, int expand)
{
	size_t i, k;

	if (n->match == SIEVE_M_COUNT) {
		char num[32];
		int len = snprintf(num, sizeof num, "%zu", nvals);

		for (k = 0; k < keys->n; k++) {
			size_t kl;
			char *key = key_of(r, &keys->v[k], expand, &kl);

			if (key == NULL)
				return -1;
			/* the count is a string compared by the
			 * comparator: "10" < "2" under i;ascii-casemap,
			 * as RFC 5231 §4.1 and Pigeonhole have it */
			if (relok(n->rel, ordcmp(n->cmp, num, (size_t)len,
			    key, kl))) {
				free(key);
				return 1;
			}
			free(key);
		}
		return 0;
	}
	for (k = 0; k < keys->n; k++) {
		size_t kl;
		char *key = key_of(r, &keys->v[k], expand, &kl);

		if (key == NULL)
			return -1;
		for (i = 0; i < nvals; i++) {
			int m = match1(r, n, k, key, kl, vals[i].p,
			    vals[i].len);

			if (m != 0) {
				free(key);
				return m;
			}
		}
		free(key);
	}
	return 0;
}

/* ---- the header ------------------------------------------------------- */

/* Where the header ends (hdr_line(), as every reader): *hend, and where
 * the body starts, after the empty line if there is one: *body.  0 if
 * there is no body at all (a header alone, no empty line after it). */
static int
header_extent(const char *p, size_t len, size_t *hend, size_t *body)
{
	size_t i = 0;

	for (;;) {
		const char *nl;
		size_t next;
		int k = i < len ? hdr_line(p + i, len - i, 0) : HDR_EMPTY;

		nl = i < len ? memchr(p + i, '\n', len - i) : NULL;
		next = nl ? (size_t)(nl - p) + 1 : len;
		if (k == HDR_EMPTY) {
			*hend = i;
			*body = i < len ? next : len;
			return i < len;
		}
		if (k == HDR_BODY) {
			*hend = *body = i;
			return 1;
		}
		i = next;
	}
}

void
sv_message_load(struct sieve_run *r)
{
	const char *p = r->env->msg;
	size_t len, off = 0, cap = 0, i;
	struct hdrfield f;

	for (i = 0; i < r->nf; i++) {
		free(r->f[i].name);
		free(r->f[i].val);
	}
	free(r->f);
	r->f = NULL;
	r->nf = 0;
	r->nfixed = 0;
	r->hdr_changed = 0;
	r->hasbody = header_extent(p, r->env->len, &len, &r->bodyoff);
	r->res->bodyoff = r->bodyoff;
	while (hdr_next(p, len, &off, &f)) {
		if (r->nf == cap) {
			cap = cap ? cap * 2 : 32;
			r->f = xrealloc(r->f, cap * sizeof *r->f);
		}
		r->f[r->nf].name = xstrndup(f.name, f.namelen);
		r->f[r->nf].val = xstrndup(f.val, f.vallen);
		r->f[r->nf].vlen = f.vallen;
		r->nf++;
		if (off <= r->env->added)
			r->nfixed = r->nf;
		if (r->nf >= 100000)
			break;
	}
}

/*
 * hdr_unfold(), with the TAB that starts a continuation line read as a
 * space: "is\n\tfolded" is "is folded".  RFC 5322 unfolding would
 * keep the TAB, but Pigeonhole (and so the user's IMAP server) matches
 * the space, and a script must mean the same in both places.
 */
static void
fold_tabs(const char *v, size_t n, struct buf *u)
{
	char *c;
	size_t j;

	if (memchr(v, '\t', n) == NULL) {
		hdr_unfold(v, n, u);
		return;
	}
	c = xmalloc(n ? n : 1);
	memcpy(c, v, n);
	for (j = 1; j < n; j++)
		if (c[j] == '\t' && c[j - 1] == '\n')
			c[j] = ' ';
	hdr_unfold(c, n, u);
	free(c);
}

struct sieve_str *
sv_header_values(struct sieve_run *r, const char *name, int decode,
    size_t *n)
{
	struct sieve_str *v = NULL;
	size_t i, k = 0;

	for (i = 0; i < r->nf; i++) {
		struct buf u, d;

		if (strcasecmp(r->f[i].name, name) != 0)
			continue;
		buf_init(&u, SIEVE_MAX_STRING);
		fold_tabs(r->f[i].val, r->f[i].vlen, &u);
		v = xrealloc(v, (k + 1) * sizeof *v);
		v[k].src = NULL;
		if (decode) {
			buf_init(&d, SIEVE_MAX_STRING);
			rfc2047_decode(u.p ? u.p : "", u.len, &d);
			buf_free(&u);
			u = d;
		}
		v[k].len = u.len;
		v[k].p = u.p ? u.p : xstrdup("");
		k++;
	}
	*n = k;
	return v;
}

void
sv_strs_free(struct sieve_str *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].p);
	free(v);
}

/* ---- trace (-n) ------------------------------------------------------- */

static void
write_node(struct buf *b, const struct sieve_node *n)
{
	unsigned i;
	size_t k;

	buf_adds(b, n->name);
	for (i = 0; i < n->nargs; i++) {
		const struct sieve_arg *a = &n->args[i];

		buf_addc(b, ' ');
		if (a->type == SIEVE_TAG) {
			buf_printf(b, ":%s", a->tag);
			continue;
		}
		if (a->type == SIEVE_NUM) {
			buf_adds(b, a->src);
			continue;
		}
		if (a->bracket)
			buf_addc(b, '[');
		for (k = 0; k < a->n; k++)
			buf_printf(b, "%s%s", k ? ", " : "", a->v[k].src);
		if (a->bracket)
			buf_addc(b, ']');
	}
	if (n->ntests == 0)
		return;
	buf_adds(b, n->testlist ? " (" : " ");
	for (i = 0; i < n->ntests; i++) {
		if (i)
			buf_adds(b, ", ");
		write_node(b, n->tests[i]);
	}
	if (n->testlist)
		buf_addc(b, ')');
}

void
sv_trace_test(struct sieve_run *r, const struct sieve_node *n, int res)
{
	struct buf *b = r->env->trace;

	if (b == NULL || res < 0)
		return;
	buf_adds(b, "TEST ");
	write_node(b, n);
	buf_adds(b, res ? " -> true\n" : " -> false\n");
}

void
sv_trace_action(struct sieve_run *r, const struct sieve_node *n)
{
	struct buf *b = r->env->trace;

	if (b == NULL)
		return;
	buf_adds(b, "ACTION ");
	write_node(b, n);
	buf_addc(b, '\n');
}

/* ---- control ---------------------------------------------------------- */

int
sieve_test(struct sieve_run *r, const struct sieve_node *t)
{
	int v;

	if (sv_step(r, t) < 0)
		return -1;
	v = t->def->run(r, t);
	if (v < 0 && r->err == NULL)
		sieve_fail(r, t, "%s failed", t->name);
	sv_trace_test(r, t, v);
	return v;
}

int
sieve_block(struct sieve_run *r, const struct sieve_node *n)
{
	int done = 0;   /* a branch of this if-chain ran */

	for (; n != NULL; n = n->next) {
		int v;

		if (sv_step(r, n) < 0)
			return -1;
		if (strcmp(n->name, "require") == 0)
			continue;
		if (strcmp(n->name, "if") == 0)
			done = 0;
		if (strcmp(n->name, "if") == 0 ||
		    strcmp(n->name, "elsif") == 0 ||
		    strcmp(n->name, "else") == 0) {
			if (done)
				continue;
			if (n->ntests > 0) {
				if ((v = sieve_test(r, n->tests[0])) < 0)
					return -1;
				if (!v)
					continue;
			}
			done = 1;
			if ((v = sieve_block(r, n->block)) != 0)
				return v;
			continue;
		}
		if (!(n->def->flags & SIEVE_F_CTRL))
			sv_trace_action(r, n);
		v = n->def->run(r, n);
		if (v < 0 && r->err == NULL)
			sieve_fail(r, n, "%s failed", n->name);
		if (v != 0)
			return v;
	}
	return 0;
}

/* ---- actions ---------------------------------------------------------- */

/* The header as editheader has left it so far, malloc'd. */
static char *
header_text(const struct sieve_run *r, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b, (size_t)-1 / 2);
	for (i = 0; i < r->nf; i++) {
		buf_printf(&b, "%s:", r->f[i].name);
		buf_add(&b, r->f[i].val, r->f[i].vlen);
		buf_addc(&b, '\n');
	}
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

static void
action_free(struct sieve_action *a)
{
	char **p;

	free(a->arg);
	free(a->flags);
	free(a->from);
	free(a->subject);
	free(a->reason);
	free(a->handle);
	free(a->key);
	free(a->me);
	free(a->hdr);
	for (p = a->argv; p != NULL && *p != NULL; p++)
		free(*p);
	free(a->argv);
}

static int
same_folder(const char *a, const char *b)
{
	if (strcasecmp(a, "INBOX") == 0 && strcasecmp(b, "INBOX") == 0)
		return 1;
	return strcmp(a, b) == 0;
}

int
sv_action(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_action *a)
{
	struct sieve_result *res = r->res;
	size_t i;

	for (i = 0; i < res->n; i++) {
		struct sieve_action *o = &res->a[i];
		int ok = (o->type == SIEVE_REJECT || o->type ==
		    SIEVE_EREJECT) && (a->type == SIEVE_KEEP || a->type ==
		    SIEVE_FILEINTO || a->type == SIEVE_REDIRECT ||
		    a->type == SIEVE_VACATION || a->type == SIEVE_REJECT ||
		    a->type == SIEVE_EREJECT);

		if (!ok && (a->type == SIEVE_REJECT || a->type ==
		    SIEVE_EREJECT) && (o->type == SIEVE_KEEP || o->type ==
		    SIEVE_FILEINTO || o->type == SIEVE_REDIRECT ||
		    o->type == SIEVE_VACATION))
			ok = 1;
		if (ok) {
			action_free(a);
			return sieve_fail(r, n, "reject conflicts with "
			    "other actions");
		}
	}
	if (a->type == SIEVE_REDIRECT && ++r->nredirect > SIEVE_MAX_REDIRECT) {
		action_free(a);
		return sieve_fail(r, n, "number of redirect actions exceeds "
		    "policy limit (%d)", SIEVE_MAX_REDIRECT);
	}
	if (res->n >= SIEVE_MAX_ACTIONS) {
		action_free(a);
		return sieve_fail(r, n, "total number of actions exceeds "
		    "policy limit (%d)", SIEVE_MAX_ACTIONS);
	}
	if (!a->copy && a->type != SIEVE_VACATION)
		r->keep = 0;
	for (i = 0; i < res->n; i++) {
		struct sieve_action *o = &res->a[i];
		int stores = (a->type == SIEVE_KEEP || a->type ==
		    SIEVE_FILEINTO) && (o->type == SIEVE_KEEP || o->type ==
		    SIEVE_FILEINTO);

		if (stores && same_folder(a->type == SIEVE_KEEP ? "INBOX" :
		    a->arg, o->type == SIEVE_KEEP ? "INBOX" : o->arg)) {
			/* one store; the later flags win */
			free(o->flags);
			o->flags = a->flags;
			a->flags = NULL;
			o->create |= a->create;
			action_free(a);
			return 0;
		}
		if (o->type == a->type && (a->type == SIEVE_REDIRECT ||
		    a->type == SIEVE_DISCARD || a->type == SIEVE_VACATION) &&
		    (a->arg == NULL || strcmp(a->arg, o->arg) == 0)) {
			action_free(a);
			return 0;
		}
		if (o->type == SIEVE_PIPE && a->type == SIEVE_PIPE &&
		    strcmp(a->arg, o->arg) == 0) {
			sieve_fail(r, n, "pipe to %s twice", a->arg);
			action_free(a);
			return -1;
		}
	}
	if (r->hdr_changed && (a->type == SIEVE_REDIRECT || a->type ==
	    SIEVE_PIPE || a->type == SIEVE_VACATION))
		a->hdr = header_text(r, &a->hdrlen);
	res->a = xrealloc(res->a, (res->n + 1) * sizeof *res->a);
	res->a[res->n++] = *a;
	return 0;
}

/* ---- a run ------------------------------------------------------------ */

static void
run_free(struct sieve_run *r)
{
	size_t i;

	for (i = 0; i < r->nv; i++) {
		free(r->v[i].name);
		free(r->v[i].val);
	}
	free(r->v);
	set_matchvars(r, NULL, NULL, 0);
	for (i = 0; i < r->nf; i++) {
		free(r->f[i].name);
		free(r->f[i].val);
	}
	free(r->f);
	free(r->flags);
	free(r->err);
}

static void
result_clear(struct sieve_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		action_free(&res->a[i]);
	free(res->a);
	for (i = 0; i < res->ndup; i++)
		free(res->dup[i].key);
	free(res->dup);
	free(res->hdr);
	res->a = NULL;
	res->n = 0;
	res->dup = NULL;
	res->ndup = 0;
	res->hdr = NULL;
	res->hdrlen = 0;
}

static void
implicit_keep(struct sieve_result *res, const char *flags)
{
	struct sieve_action a;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_KEEP;
	a.implicit = 1;
	if (flags != NULL && *flags)
		a.flags = xstrdup(flags);
	res->a = xrealloc(res->a, (res->n + 1) * sizeof *res->a);
	res->a[res->n++] = a;
}

static void
header_save(struct sieve_run *r)
{
	if (r->hdr_changed)
		r->res->hdr = header_text(r, &r->res->hdrlen);
}

int
sieve_run(const struct sieve_script *s, const struct sieve_env *env,
    struct sieve_result *res)
{
	struct sieve_run r;
	int v;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.s = s;
	r.env = env;
	r.res = res;
	r.keep = 1;
	r.t0 = clock();
	clock_gettime(CLOCK_MONOTONIC, &r.w0);
	r.vars = sieve_requires(s, "variables");
	sv_message_load(&r);
	v = sieve_block(&r, s->first);
	if (v < 0 || r.err != NULL) {
		result_clear(res);
		res->error = r.err ? r.err : xstrdup("runtime error");
		r.err = NULL;
		implicit_keep(res, NULL);
		run_free(&r);
		return -1;
	}
	if (r.keep)
		implicit_keep(res, r.flags);
	header_save(&r);
	run_free(&r);
	return 0;
}

void
sieve_result_free(struct sieve_result *res)
{
	result_clear(res);
	free(res->error);
	res->error = NULL;
}

static void
put_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

void
sieve_result_print(const struct sieve_result *res, struct buf *b)
{
	static const char *const names[] = {"", "keep", "fileinto",
	    "redirect", "discard", "reject", "ereject", "vacation", "pipe"};
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct sieve_action *a = &res->a[i];

		buf_printf(b, "RESULT %s", names[a->type]);
		if (a->arg != NULL) {
			buf_addc(b, ' ');
			put_quoted(b, a->arg);
		}
		if (a->flags != NULL && *a->flags) {
			buf_adds(b, " flags ");
			put_quoted(b, a->flags);
		}
		buf_addc(b, '\n');
	}
}
