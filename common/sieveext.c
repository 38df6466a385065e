/*
 * sieveext: the registry tables of sieve.h, the base language and each
 * supported extension: one def per command or test, one handler each
 * (those of imap4flags, body and editheader are in sievemsg.c, those of
 * duplicate and vacation in sievereply.c).
 *
 * Handlers turn the script's request into a struct sieve_action; none
 * does I/O.  Which folder exists and what the duplicate memory holds
 * are asked through the env's callbacks, so -n and the fuzzer run the
 * very same code as a delivery.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "charset.h"
#include "hdr.h"
#include "mime.h"
#include "sieve.h"
#include "sievei.h"

/* ---- small helpers ---------------------------------------------------- */


int
sv_has_tag(const struct sieve_node *n, const char *t)
{
	return sieve_tag(n, t) != NULL;
}

/* The expanded strings of a list argument: malloc'd array. */
struct sieve_str *
sv_expand_list(struct sieve_run *r, const struct sieve_arg *a, size_t *n)
{
	struct sieve_str *v;
	size_t i;

	*n = 0;
	if (a == NULL || a->type != SIEVE_LIST)
		return NULL;
	v = xcalloc(a->n ? a->n : 1, sizeof *v);
	for (i = 0; i < a->n; i++) {
		v[i].p = sieve_str_expand(r, &a->v[i], &v[i].len);
		if (v[i].p == NULL) {
			sv_strs_free(v, i);
			return NULL;
		}
	}
	*n = a->n;
	return v;
}

int
sv_need_ext(const struct sieve_script *s, const struct sieve_node *n,
    const char *tag, const char *ext, char *err, size_t errlen)
{
	if (sieve_tag(n, tag) != NULL && !sieve_requires(s, ext)) {
		snprintf(err, errlen, ":%s needs require \"%s\"", tag, ext);
		return -1;
	}
	return 0;
}

/* ---- control and base commands ---------------------------------------- */

static int
run_nop(struct sieve_run *r, const struct sieve_node *n)
{
	(void)r;
	(void)n;
	return 0;
}

static int
run_stop(struct sieve_run *r, const struct sieve_node *n)
{
	(void)r;
	(void)n;
	return 1;
}

/* imap4flags: the flags of :flags, else the internal variable. */
static char *
flags_for(struct sieve_run *r, const struct sieve_node *n, int *err)
{
	const struct sieve_arg *a = sieve_tag(n, "flags");
	struct sieve_str *v;
	struct buf b;
	size_t k, i;

	*err = 0;
	if (a == NULL)
		return r->flags && *r->flags ? xstrdup(r->flags) : NULL;
	if ((v = sv_expand_list(r, a, &k)) == NULL && a->n > 0) {
		*err = 1;
		return NULL;
	}
	buf_init(&b, SIEVE_MAX_STRING);
	for (i = 0; i < k; i++) {
		if (b.len && v[i].len)
			buf_addc(&b, ' ');
		buf_add(&b, v[i].p, v[i].len);
	}
	sv_strs_free(v, k);
	return b.p;
}

static int
run_keep(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;
	int err;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_KEEP;
	a.flags = flags_for(r, n, &err);
	if (err)
		return -1;
	return sv_action(r, n, &a);
}

static int
run_discard(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_DISCARD;
	return sv_action(r, n, &a);
}

/* A folder name we can map to a file: UTF-8, no '/', no empty or
 * leading-dot component (Maildir++ uses '.' as the separator). */
int
sv_folder_ok(const char *f, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || !utf8_valid(f, n) || f[0] == '.' ||
	    f[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c < 0x20 || c == 0x7f || c == '/' || (c == '.' &&
		    f[i + 1] == '.'))
			return 0;
	}
	return 1;
}

static int
run_fileinto(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;
	size_t len;
	int err;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_FILEINTO;
	if ((a.arg = sv_pos_strn(r, n, 0, &len)) == NULL)
		return -1;
	if (!sv_folder_ok(a.arg, len)) {
		sieve_fail(r, n, "invalid folder name \"%s\"", a.arg);
		free(a.arg);
		return -1;
	}
	if (strcasecmp(a.arg, "INBOX") == 0) {
		free(a.arg);
		a.arg = NULL;
		a.type = SIEVE_KEEP;
	}
	a.copy = sv_has_tag(n, "copy");
	a.create = sv_has_tag(n, "create");
	a.flags = flags_for(r, n, &err);
	if (err) {
		free(a.arg);
		return -1;
	}
	return sv_action(r, n, &a);
}

/*
 * One mailbox of RFC 5322 ("a@b", "Name <a@b>", comments and blanks
 * allowed), as redirect and vacation :from take it: its addr-spec,
 * malloc'd, or NULL if the string is not exactly one valid address (an
 * 8-bit local part included, as Pigeonhole has it).  The result has no
 * control character and never starts with '-', so it is safe as an
 * argument to sendmail (never given to a shell).
 */
/*
 * Without '<', s is a bare addr-spec: two words in a row with no '.' or
 * '@' between ("Name a@b", "a b@c") are no address, though our lenient
 * addr_parse() would take one from them (RFC 5322 3.4.1; Pigeonhole
 * refuses them too).
 */
static int
bare_words_adjacent(const char *s)
{
	int prev_word = 0, depth = 0;

	if (strchr(s, '<') != NULL)
		return 0;
	while (*s) {
		if (depth > 0 || *s == '(') {
			/* a comment, nested, and a quoted pair in it */
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
			s++;
		} else if (*s == ' ' || *s == '\t') {
			s++;
		} else if (strchr(".@", *s) != NULL) {
			prev_word = 0;
			s++;
		} else {
			if (prev_word)
				return 1;
			if (*s == '"') {
				for (s++; *s && *s != '"'; s++)
					if (*s == '\\' && s[1])
						s++;
				if (*s)
					s++;
			} else {
				while (*s && !strchr(" \t.@(\"", *s))
					s++;
			}
			prev_word = 1;
		}
	}
	return 0;
}

char *
sv_one_address(const char *given, size_t n)
{
	struct addrlist l;
	char *a = NULL, *s;
	size_t i;

	/* a NUL would cut the address short: "a@b\0c" is not "a@b" */
	if (memchr(given, 0, n) != NULL)
		return NULL;
	s = xstrdup(given);

	/*
	 * A line end is white space here, as Pigeonhole reads it (FWS of
	 * RFC 5322); kept, addr_parse() would unfold "a\r\nb@c" into
	 * another address, "ab@c".  Any other control byte is no address.
	 */
	for (i = 0; s[i]; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			s[i] = ' ';
		else if (((unsigned char)s[i] < ' ' && s[i] != '\t') ||
		    s[i] == 0x7f)
			break;
	}
	if (s[i] != 0 || bare_words_adjacent(s)) {
		free(s);
		return NULL;
	}
	memset(&l, 0, sizeof l);
	addr_parse(s, strlen(s), &l);
	free(s);
	if (l.n == 1 && l.nbad == 0 && l.v[0].group == NULL &&
	    sv_addr_valid(l.v[0].addr) && l.v[0].addr[0] != '-' &&
	    strlen(l.v[0].addr) <= 320) {
		const char *at = strrchr(l.v[0].addr, '@');

		a = l.v[0].addr;
		/* a blank can only be inside a quoted local part: no
		 * harm in an argv element */
		for (i = 0; a[i]; i++)
			if ((unsigned char)a[i] < ' ' || a[i] == 0x7f)
				break;
		if (a[i] == 0 && sv_domain_ok(at + 1, strlen(at + 1)))
			a = xstrdup(a);
		else
			a = NULL;
	}
	addr_free(&l);
	return a;
}

static int
run_redirect(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_REDIRECT;
	char *given;
	size_t len;

	if ((given = sv_pos_strn(r, n, 0, &len)) == NULL)
		return -1;
	if ((a.arg = sv_one_address(given, len)) == NULL) {
		sieve_fail(r, n, "invalid redirect address \"%s\"", given);
		free(given);
		return -1;
	}
	free(given);
	a.copy = sv_has_tag(n, "copy");
	return sv_action(r, n, &a);
}

static int
run_reject(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;

	memset(&a, 0, sizeof a);
	a.type = strcmp(n->name, "ereject") == 0 ? SIEVE_EREJECT :
	    SIEVE_REJECT;
	if ((a.arg = sv_pos_str(r, n, 0)) == NULL)
		return -1;
	return sv_action(r, n, &a);
}

/* Any control byte (a NUL included) in (s, n)? */
static int
has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return 1;
	return 0;
}

/* A pipe program argument: no line end and no NUL (which would cut it
 * short), as Pigeonhole's sieve_extprogram_arg_is_valid() has it. */
static int
pipe_arg_ok(const char *s, size_t n)
{
	return memchr(s, '\r', n) == NULL && memchr(s, '\n', n) == NULL &&
	    memchr(s, 0, n) == NULL;
}

/* vnd.dovecot.pipe: a bare program name, resolved by the caller in its
 * --pipe-dir; never a path, never a shell. */
static int
run_pipe(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;
	struct sieve_str *v;
	size_t k, i, len;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_PIPE;
	if ((a.arg = sv_pos_strn(r, n, 0, &len)) == NULL)
		return -1;
	if (a.arg[0] == 0 || a.arg[0] == '.' || strchr(a.arg, '/') != NULL ||
	    has_ctl(a.arg, len)) {
		sieve_fail(r, n, "invalid program name \"%s\"", a.arg);
		free(a.arg);
		return -1;
	}
	v = sv_expand_list(r, sieve_pos(n, 1), &k);
	if (v == NULL && r->err != NULL) {
		free(a.arg);
		return -1;
	}
	for (i = 0; i < k; i++)
		if (!pipe_arg_ok(v[i].p, v[i].len)) {
			sieve_fail(r, n, "specified external program argument "
			    "\"%s\" is invalid", v[i].p);
			sv_strs_free(v, k);
			free(a.arg);
			return -1;
		}
	a.argv = xcalloc(k + 1, sizeof *a.argv);
	for (i = 0; i < k; i++)
		a.argv[i] = v[i].p;
	free(v);
	a.copy = sv_has_tag(n, "copy");
	a.try_ = sv_has_tag(n, "try");
	return sv_action(r, n, &a);
}

static int
check_pipe(const struct sieve_script *s, struct sieve_node *n, char *err,
    size_t errlen)
{
	const struct sieve_arg *a = sieve_pos(n, 0);

	const struct sieve_arg *args = sieve_pos(n, 1);
	size_t i;

	if (a && a->n == 1 && (strchr(a->v[0].p, '/') != NULL ||
	    a->v[0].len == 0 || has_ctl(a->v[0].p, a->v[0].len))) {
		snprintf(err, errlen, "invalid program name %s", a->v[0].src);
		return -1;
	}
	for (i = 0; args != NULL && args->type == SIEVE_LIST && i < args->n;
	    i++)
		if (!pipe_arg_ok(args->v[i].p, args->v[i].len)) {
			snprintf(err, errlen, "specified external program "
			    "argument %s is invalid", args->v[i].src);
			return -1;
		}
	return sv_need_ext(s, n, "copy", "copy", err, errlen);
}

/* A constant string (no variable in it) to check at compile time. */
const char *
sv_constant(const struct sieve_script *s, const struct sieve_arg *a)
{
	if (a == NULL || a->type != SIEVE_LIST || a->n != 1)
		return NULL;
	if (sieve_requires(s, "variables") && strstr(a->v[0].p, "${"))
		return NULL;
	return a->v[0].p;
}

static int
check_redirect(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen)
{
	const char *c = sv_constant(s, sieve_pos(n, 0));
	char *a;

	if (sv_need_ext(s, n, "copy", "copy", err, errlen) < 0)
		return -1;
	if (c != NULL) {
		if ((a = sv_one_address(c, sieve_pos(n, 0)->v[0].len)) ==
		    NULL) {
			snprintf(err, errlen, "invalid redirect address %s",
			    sieve_pos(n, 0)->v[0].src);
			return -1;
		}
		free(a);
	}
	return 0;
}

/* Fields whose value is an address list (RFC 5322 and the ones mail
 * software writes), the only ones the address test takes. */
static int
address_field(const char *name)
{
	static const char *const f[] = {
		"from", "sender", "reply-to", "to", "cc", "bcc",
		"resent-from", "resent-sender", "resent-reply-to", "resent-to",
		"resent-cc", "resent-bcc", "return-path", "delivered-to",
		"x-original-to", "x-beenthere", "envelope-to", "errors-to",
		"apparently-to", "mail-followup-to", "mail-reply-to",
		"disposition-notification-to", "return-receipt-to",
		"read-receipt-to", "x-confirm-reading-to",
		"return-receipt-requested", "registered-mail-reply-requested-by",
		"abuse-reports-to", "x-complaints-to", "x-report-abuse-to",
		"x-admin", "for-approval", "for-handling", "for-comment",
	};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		if (strcasecmp(name, f[i]) == 0)
			return 1;
	return 0;
}

static int
check_address(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen)
{
	const struct sieve_arg *a = sieve_pos(n, 0);
	size_t i;

	for (i = 0; a != NULL && i < a->n; i++)
		if (!address_field(a->v[i].p) && !(sieve_requires(s,
		    "variables") && strstr(a->v[i].p, "${"))) {
			snprintf(err, errlen, "field '%s' holds no addresses: "
			    "not allowed in the %s test", a->v[i].p,
			    n->name);
			return -1;
		}
	return 0;
}

static int
check_envelope(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen)
{
	const struct sieve_arg *a = sieve_pos(n, 0);
	size_t i;

	(void)s;
	for (i = 0; a != NULL && i < a->n; i++)
		if (strcasecmp(a->v[i].p, "from") != 0 &&
		    strcasecmp(a->v[i].p, "to") != 0 &&
		    !(sieve_requires(s, "variables") &&
		    strstr(a->v[i].p, "${"))) {
			snprintf(err, errlen, "unknown envelope part %s",
			    a->v[i].src);
			return -1;
		}
	return 0;
}

static int
check_store(const struct sieve_script *s, struct sieve_node *n, char *err,
    size_t errlen)
{
	const char *f = strcmp(n->name, "fileinto") == 0 ?
	    sv_constant(s, sieve_pos(n, 0)) : NULL;

	if (f != NULL && !utf8_valid(f, sieve_pos(n, 0)->v[0].len)) {
		snprintf(err, errlen, "folder name %s is not UTF-8",
		    sieve_pos(n, 0)->v[0].src);
		return -1;
	}
	if (sv_need_ext(s, n, "copy", "copy", err, errlen) < 0 ||
	    sv_need_ext(s, n, "create", "mailbox", err, errlen) < 0 ||
	    sv_need_ext(s, n, "flags", "imap4flags", err, errlen) < 0)
		return -1;
	return 0;
}

/* ---- variables: set (RFC 5229 §4) ------------------------------------- */

static int
varname_ok(const char *s)
{
	size_t i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return i <= 100;
}

static int
check_set(const struct sieve_script *s, struct sieve_node *n, char *err,
    size_t errlen)
{
	const struct sieve_arg *a = sieve_pos(n, 0);

	(void)s;
	if (a && a->n == 1 && !varname_ok(a->v[0].p)) {
		snprintf(err, errlen, "invalid variable name %s", a->v[0].src);
		return -1;
	}
	return 0;
}

/* p escaped into b, up to max bytes: never half a pair or a character */
static void
quotewild(struct buf *b, const char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int esc = p[i] == '*' || p[i] == '?' || p[i] == '\\';

		if (b->len + (size_t)esc + 1 > max) {
			size_t j = i;

			while (j > 0 && i - j < 3 &&
			    ((unsigned char)p[j] & 0xc0) == 0x80)
				j--;
			if (((unsigned char)p[i] & 0xc0) == 0x80 &&
			    ((unsigned char)p[j] & 0xc0) != 0x80) {
				b->len -= i - j;
				b->p[b->len] = 0;
			}
			break;
		}
		if (esc)
			buf_addc(b, '\\');
		buf_addc(b, p[i]);
	}
}

static size_t
utf8_chars(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			k++;
	return k;
}

static int
run_set(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *na = sieve_pos(n, 0);
	char *v, *name;
	size_t len, i;
	struct buf b;
	int rc;

	/* cut to the limit before the modifiers and after (RFC 5229 §3) */
	if ((v = sv_expand_var(r, &sieve_pos(n, 1)->v[0], &len)) == NULL)
		return -1;
	/* modifiers in RFC 5229's order of precedence */
	if (sv_has_tag(n, "lower") || sv_has_tag(n, "upper"))
		for (i = 0; i < len; i++)
			v[i] = (char)(sv_has_tag(n, "lower") ?
			    tolower((unsigned char)v[i]) :
			    toupper((unsigned char)v[i]));
	if (len > 0 && sv_has_tag(n, "lowerfirst"))
		v[0] = (char)tolower((unsigned char)v[0]);
	if (len > 0 && sv_has_tag(n, "upperfirst"))
		v[0] = (char)toupper((unsigned char)v[0]);
	buf_init(&b, SIEVE_MAX_STRING * 2 + 16);
	if (sv_has_tag(n, "quotewildcard"))
		quotewild(&b, v, len, sv_maxvar(r));
	else
		buf_add(&b, v, len);
	free(v);
	if (sv_has_tag(n, "length")) {
		char num[32];
		int k = snprintf(num, sizeof num, "%zu",
		    utf8_chars(b.p ? b.p : "", b.len));

		buf_reset(&b);
		buf_add(&b, num, (size_t)k);
	}
	name = na->v[0].p;
	rc = sv_set_var(r, name, b.p ? b.p : "", b.len);
	buf_free(&b);
	return rc;
}

static int
run_string(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *v;
	size_t k, i, m = 0;
	int rc;

	if ((v = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	/* RFC 5229 §5: empty strings are not values for :count */
	if (n->match == SIEVE_M_COUNT)
		for (i = 0; i < k; i++)
			if (v[i].len > 0)
				v[m++] = v[i];
			else
				free(v[i].p);
	else
		m = k;
	rc = sv_match_values(r, n, v, m, 1);
	sv_strs_free(v, m);
	return rc;
}

/* ---- tests ------------------------------------------------------------ */

static int
run_true(struct sieve_run *r, const struct sieve_node *n)
{
	(void)r;
	return strcmp(n->name, "true") == 0;
}

static int
run_not(struct sieve_run *r, const struct sieve_node *n)
{
	int v = sieve_test(r, n->tests[0]);

	return v < 0 ? -1 : !v;
}

static int
run_allany(struct sieve_run *r, const struct sieve_node *n)
{
	int any = strcmp(n->name, "anyof") == 0;
	unsigned i;

	for (i = 0; i < n->ntests; i++) {
		int v = sieve_test(r, n->tests[i]);

		if (v < 0)
			return -1;
		if (v == any)
			return any;
	}
	return !any;
}

static int
run_exists(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *names;
	size_t k, i, j;
	int ok = 1;

	if ((names = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	for (i = 0; i < k && ok; i++) {
		for (j = 0; j < r->nf; j++)
			if (strcasecmp(r->f[j].name, names[i].p) == 0)
				break;
		ok = j < r->nf;
	}
	sv_strs_free(names, k);
	return ok;
}

static int
run_header(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *names, *vals = NULL;
	size_t k, i, nv = 0;
	int rc;

	if ((names = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	for (i = 0; i < k; i++) {
		size_t m, j;
		struct sieve_str *v = sv_header_values(r, names[i].p, 1, &m);

		vals = xrealloc(vals, (nv + m + 1) * sizeof *vals);
		for (j = 0; j < m; j++)
			vals[nv++] = v[j];
		free(v);
	}
	sv_strs_free(names, k);
	rc = sv_match_values(r, n, vals, nv, 1);
	sv_strs_free(vals, nv);
	return rc;
}

/*
 * The size of the message in octets as it was given (RFC 5228 §5.9; an
 * MTA hands an MDA LF line ends, and Pigeonhole's sieve-test counts the
 * octets of its input as they are, so both agree on the same file),
 * with editheader's changes: a changed header counts each field as
 * "Name:value" and the line end the message's first line has.
 */
static unsigned long long
msg_size(const struct sieve_run *r)
{
	unsigned long long k;
	size_t i;

	const char *lf;
	unsigned eol;

	if (!r->hdr_changed)
		return r->env->len - r->env->added;
	/* the fields end as the message's first line does */
	lf = memchr(r->env->msg, '\n', r->env->len);
	eol = lf != NULL && lf > r->env->msg && lf[-1] == '\r' ? 2 : 1;
	k = eol + (r->env->len - r->bodyoff);
	for (i = 0; i < r->nf; i++)
		k += strlen(r->f[i].name) + 1 + r->f[i].vlen + eol;
	return k;
}

static int
run_size(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *lim = sieve_pos(n, 0);
	unsigned long long sz = msg_size(r);

	if (sv_has_tag(n, "over"))
		return sz > lim->num;
	return sz < lim->num;
}

static int
check_size(const struct sieve_script *s, struct sieve_node *n, char *err,
    size_t errlen)
{
	(void)s;
	if (!sv_has_tag(n, "over") && !sv_has_tag(n, "under")) {
		snprintf(err, errlen, "size needs :over or :under");
		return -1;
	}
	return 0;
}

/* The part of an address the test asks for, or -1 if it has none. */
static int
addr_part(const struct sieve_run *r, const struct sieve_node *n,
    const char *a, struct sieve_str *out)
{
	const char *at = strrchr(a, '@');
	size_t llen = at ? (size_t)(at - a) : strlen(a);
	char one[2] = {r->env->subsep ? r->env->subsep : '+', 0};
	const char *seps = r->env->subseps ? r->env->subseps : one;
	const char *s;
	size_t k;

	switch (n->part) {
	case SIEVE_A_ALL:
		out->p = xstrdup(a);
		break;
	case SIEVE_A_LOCAL:
		out->p = xstrndup(a, llen);
		break;
	case SIEVE_A_DOMAIN:
		if (at == NULL)
			return -1;
		out->p = xstrdup(at + 1);
		break;
	case SIEVE_A_USER:
		k = strcspn(a, seps);
		out->p = xstrndup(a, k < llen ? k : llen);
		break;
	default:
		k = strcspn(a, seps);
		if (k >= llen)
			return -1;
		s = a + k;
		out->p = xstrndup(s + 1, llen - (size_t)(s + 1 - a));
		break;
	}
	out->len = strlen(out->p);
	out->src = NULL;
	return 0;
}

/* An address with a local part of ASCII and a domain. */
int
sv_addr_valid(const char *a)
{
	const char *at = strrchr(a, '@');
	const char *p;

	if (at == NULL || at == a || at[1] == 0)
		return 0;
	for (p = a; p < at; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

void
sv_push(struct sieve_str **v, size_t *n, struct sieve_str s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static int
run_address(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *names, *vals = NULL;
	size_t k, i, nv = 0;
	int rc;

	if ((names = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	for (i = 0; i < k; i++) {
		size_t f;

		for (f = 0; f < r->nf; f++) {
			struct addrlist l;
			size_t j, good;

			if (strcasecmp(r->f[f].name, names[i].p) != 0)
				continue;
			memset(&l, 0, sizeof l);
			addr_parse(r->f[f].val, r->f[f].vlen, &l);
			for (j = 0, good = 0; j < l.n; j++) {
				struct sieve_str s;

				if (!sv_addr_valid(l.v[j].addr))
					continue;
				good++;
				if (addr_part(r, n, l.v[j].addr, &s) == 0)
					sv_push(&vals, &nv, s);
			}
			/* a field without a valid address is matched
			 * whole by :all, by nothing else (RFC 5228 §5.1,
			 * as Pigeonhole does) */
			if (good == 0 && n->part == SIEVE_A_ALL) {
				struct buf u;
				struct sieve_str s;

				buf_init(&u, SIEVE_MAX_STRING);
				hdr_unfold(r->f[f].val, r->f[f].vlen, &u);
				s.p = u.p ? u.p : xstrdup("");
				s.len = u.len;
				s.src = NULL;
				sv_push(&vals, &nv, s);
			}
			addr_free(&l);
		}
	}
	sv_strs_free(names, k);
	rc = sv_match_values(r, n, vals, nv, 1);
	sv_strs_free(vals, nv);
	return rc;
}

static int
atext(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL) ||
	    c >= 0x80;
}

/* A domain of RFC 5321: labels of letters, digits and '-', or a
 * literal in brackets.  (p, n). */
int
sv_domain_ok(const char *p, size_t n)
{
	size_t i, label = 0;

	if (n >= 2 && p[0] == '[' && p[n - 1] == ']')
		return 1;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)p[i]) || p[i] == '-' ||
		    p[i] == '_' || (unsigned char)p[i] >= 0x80) {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/*
 * An envelope path (RFC 5321 §4.1.2) as the MTA gave it: angle brackets
 * and a source route are taken off.  0 with *out "local@domain", the
 * bare "local" (as "<MAILER-DAEMON>"), or "" for the null path; -1 if it
 * does not parse (then no address part of it matches anything).
 */
static int
env_path(const char *in, char **out)
{
	size_t n = strlen(in), i;
	const char *p = in, *at;

	if (n > 0 && p[0] == '<') {
		if (p[n - 1] != '>')
			return -1;
		p++;
		n -= 2;
	} else if (n > 0 && p[n - 1] == '>') {
		return -1;
	}
	if (n > 0 && p[0] == '@') {
		/* a source route: "@d1,@d2:" */
		const char *colon = memchr(p, ':', n), *q = p;

		if (colon == NULL)
			return -1;
		while (q < colon) {
			const char *e;

			if (*q != '@')
				return -1;
			q++;
			e = memchr(q, ',', (size_t)(colon - q));
			if (e == NULL)
				e = colon;
			if (!sv_domain_ok(q, (size_t)(e - q)))
				return -1;
			q = e < colon ? e + 1 : colon;
		}
		n -= (size_t)(colon + 1 - p);
		p = colon + 1;
	}
	if (n == 0) {
		*out = xstrdup("");
		return 0;
	}
	/* local-part: a dot-string or a quoted string */
	i = 0;
	if (p[0] == '"') {
		for (i = 1; i < n && p[i] != '"'; i++)
			if (p[i] == '\\')
				i++;
		if (i >= n)
			return -1;
		i++;
	} else {
		/* dots anywhere, as Japanese phone carriers write them
		 * and Pigeonhole takes them */
		while (i < n && (atext((unsigned char)p[i]) || p[i] == '.'))
			i++;
		if (i == 0)
			return -1;
	}
	at = p + i;
	if (i == n) {
		*out = xstrndup(p, n);
		return 0;
	}
	if (*at != '@' || !sv_domain_ok(at + 1, n - i - 1))
		return -1;
	*out = xstrndup(p, n);
	return 0;
}

static int
run_envelope(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *names, *vals = NULL;
	size_t k, i, nv = 0;
	int rc;

	if ((names = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	for (i = 0; i < k; i++) {
		const char *e = NULL;
		char *path;
		struct sieve_str s;

		if (strcasecmp(names[i].p, "from") == 0)
			e = r->env->from;
		else if (strcasecmp(names[i].p, "to") == 0)
			e = r->env->to ? r->env->to : r->env->orig_to;
		if (e == NULL || env_path(e, &path) < 0)
			continue;
		if (*path == 0) {
			/* the null path is "" whatever the address part
			 * (RFC 5228 §5.4) */
			s.p = path;
			s.len = 0;
			s.src = NULL;
			sv_push(&vals, &nv, s);
			continue;
		}
		if (addr_part(r, n, path, &s) == 0)
			sv_push(&vals, &nv, s);
		free(path);
	}
	sv_strs_free(names, k);
	rc = sv_match_values(r, n, vals, nv, 1);
	sv_strs_free(vals, nv);
	return rc;
}

static int
run_mailboxexists(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_str *v;
	size_t k, i;
	int ok = 1;

	if ((v = sv_expand_list(r, sieve_pos(n, 0), &k)) == NULL &&
	    r->err != NULL)
		return -1;
	for (i = 0; i < k && ok; i++) {
		if (strcasecmp(v[i].p, "INBOX") == 0)
			continue;
		ok = sv_folder_ok(v[i].p, v[i].len) && r->env->mailbox_exists != NULL &&
		    r->env->mailbox_exists(r->env->arg, v[i].p);
	}
	sv_strs_free(v, k);
	return ok;
}

/* ---- the tables ------------------------------------------------------- */

static const struct sieve_tagdef t_keep[] = {{"flags", 'l', 0}, {0, 0, 0}};
static const struct sieve_tagdef t_fileinto[] = {
	{"copy", 0, 0}, {"create", 0, 0}, {"flags", 'l', 0}, {0, 0, 0}
};
static const struct sieve_tagdef t_redirect[] = {{"copy", 0, 0}, {0, 0, 0}};
static const struct sieve_tagdef t_size[] = {
	{"over", 0, 'o'}, {"under", 0, 'o'}, {0, 0, 0}
};
static const struct sieve_tagdef t_set[] = {
	{"lower", 0, 'c'}, {"upper", 0, 'c'}, {"lowerfirst", 0, 'f'},
	{"upperfirst", 0, 'f'}, {"quotewildcard", 0, 'q'}, {"length", 0, 'l'},
	{0, 0, 0}
};
static const struct sieve_tagdef t_body[] = {
	{"raw", 0, 't'}, {"content", 'l', 't'}, {"text", 0, 't'}, {0, 0, 0}
};
static const struct sieve_tagdef t_addheader[] = {{"last", 0, 0}, {0, 0, 0}};
static const struct sieve_tagdef t_deleteheader[] = {
	{"index", 'n', 0}, {"last", 0, 0}, {0, 0, 0}
};
static const struct sieve_tagdef t_duplicate[] = {
	{"handle", 's', 0}, {"header", 's', 'u'}, {"uniqueid", 's', 'u'},
	{"seconds", 'n', 0}, {"last", 0, 0}, {0, 0, 0}
};
static const struct sieve_tagdef t_vacation[] = {
	{"days", 'n', 'd'}, {"seconds", 'n', 'd'}, {"subject", 's', 0},
	{"from", 's', 0}, {"addresses", 'l', 0}, {"mime", 0, 0},
	{"handle", 's', 0}, {0, 0, 0}
};
static const struct sieve_tagdef t_pipe[] = {
	{"copy", 0, 0}, {"try", 0, 0}, {0, 0, 0}
};

#define CTRL SIEVE_F_CTRL
#define M SIEVE_F_MATCH
#define A SIEVE_F_ADDR

static const struct sieve_def base[] = {
	{"require", SIEVE_CMD, NULL, "l", CTRL, NULL, run_nop, NULL},
	{"if", SIEVE_CMD, NULL, "t", CTRL | SIEVE_F_BLOCK, NULL, run_nop,
	    NULL},
	{"elsif", SIEVE_CMD, NULL, "t", CTRL | SIEVE_F_BLOCK, NULL, run_nop,
	    NULL},
	{"else", SIEVE_CMD, NULL, "", CTRL | SIEVE_F_BLOCK, NULL, run_nop,
	    NULL},
	{"stop", SIEVE_CMD, NULL, "", 0, NULL, run_stop, NULL},
	{"keep", SIEVE_CMD, NULL, "", 0, t_keep, run_keep, check_store},
	{"discard", SIEVE_CMD, NULL, "", 0, NULL, run_discard, NULL},
	{"redirect", SIEVE_CMD, NULL, "s", 0, t_redirect, run_redirect,
	    check_redirect},
	{"true", SIEVE_TEST, NULL, "", 0, NULL, run_true, NULL},
	{"false", SIEVE_TEST, NULL, "", 0, NULL, run_true, NULL},
	{"not", SIEVE_TEST, NULL, "t", 0, NULL, run_not, NULL},
	{"allof", SIEVE_TEST, NULL, "T", 0, NULL, run_allany, NULL},
	{"anyof", SIEVE_TEST, NULL, "T", 0, NULL, run_allany, NULL},
	{"exists", SIEVE_TEST, NULL, "l", 0, NULL, run_exists, NULL},
	{"header", SIEVE_TEST, NULL, "ll", M, NULL, run_header, NULL},
	{"address", SIEVE_TEST, NULL, "ll", M | A, NULL, run_address,
	    check_address},
	{"size", SIEVE_TEST, NULL, "n", 0, t_size, run_size, check_size},
};
static const struct sieve_def d_fileinto[] = {
	{"fileinto", SIEVE_CMD, "fileinto", "s", 0, t_fileinto, run_fileinto,
	    check_store},
};
static const struct sieve_def d_envelope[] = {
	{"envelope", SIEVE_TEST, "envelope", "ll", M | A, NULL, run_envelope,
	    check_envelope},
};
static const struct sieve_def d_mailbox[] = {
	{"mailboxexists", SIEVE_TEST, "mailbox", "l", 0, NULL,
	    run_mailboxexists, NULL},
};
static const struct sieve_def d_variables[] = {
	{"set", SIEVE_CMD, "variables", "ss", 0, t_set, run_set, check_set},
	{"string", SIEVE_TEST, "variables", "ll", M | SIEVE_F_OCTET, NULL,
	    run_string, NULL},
};
static const struct sieve_def d_imap4flags[] = {
	{"setflag", SIEVE_CMD, "imap4flags", "l?l", 0, NULL, sv_run_flags, NULL},
	{"addflag", SIEVE_CMD, "imap4flags", "l?l", 0, NULL, sv_run_flags, NULL},
	{"removeflag", SIEVE_CMD, "imap4flags", "l?l", 0, NULL, sv_run_flags,
	    NULL},
	{"hasflag", SIEVE_TEST, "imap4flags", "l?l", M, NULL, sv_run_hasflag,
	    NULL},
};
static const struct sieve_def d_body[] = {
	{"body", SIEVE_TEST, "body", "l", M | SIEVE_F_NOVARS, t_body,
	    sv_run_body, NULL},
};
static const struct sieve_def d_editheader[] = {
	{"addheader", SIEVE_CMD, "editheader", "ss", 0, t_addheader,
	    sv_run_addheader, sv_check_editheader},
	{"deleteheader", SIEVE_CMD, "editheader", "s?l", M, t_deleteheader,
	    sv_run_deleteheader, sv_check_editheader},
};
static const struct sieve_def d_duplicate[] = {
	{"duplicate", SIEVE_TEST, "duplicate", "", 0, t_duplicate,
	    sv_run_duplicate, NULL},
};
static const struct sieve_def d_vacation[] = {
	{"vacation", SIEVE_CMD, "vacation", "s", 0, t_vacation, sv_run_vacation,
	    sv_check_vacation},
};
static const struct sieve_def d_reject[] = {
	{"reject", SIEVE_CMD, "reject", "s", 0, NULL, run_reject, NULL},
};
static const struct sieve_def d_ereject[] = {
	{"ereject", SIEVE_CMD, "ereject", "s", 0, NULL, run_reject, NULL},
};
static const struct sieve_def d_pipe[] = {
	{"pipe", SIEVE_CMD, "vnd.dovecot.pipe", "s?l", 0, t_pipe, run_pipe,
	    check_pipe},
};

#define REG(ext, t) sieve_register(ext, t, sizeof t / sizeof t[0])

void
sieve_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	REG(NULL, base);
	REG("fileinto", d_fileinto);
	REG("envelope", d_envelope);
	REG("mailbox", d_mailbox);
	REG("variables", d_variables);
	REG("imap4flags", d_imap4flags);
	REG("body", d_body);
	REG("editheader", d_editheader);
	REG("duplicate", d_duplicate);
	REG("vacation", d_vacation);
	REG("reject", d_reject);
	REG("ereject", d_ereject);
	REG("vnd.dovecot.pipe", d_pipe);
	sieve_register("copy", NULL, 0);
	sieve_register("vacation-seconds", NULL, 0);
	sieve_register("regex", NULL, 0);
	sieve_register("relational", NULL, 0);
	sieve_register("subaddress", NULL, 0);
	sieve_register("encoded-character", NULL, 0);
	sieve_register("comparator-i;ascii-numeric", NULL, 0);
	sieve_register("comparator-i;octet", NULL, 0);
	sieve_register("comparator-i;ascii-casemap", NULL, 0);
}
