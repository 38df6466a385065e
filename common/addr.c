/*
 * addr: see addr.h.
 *
 * Address fields are where mail gets creative, and a parser that gives
 * up at the first surprise loses the recipients after it.  So this one
 * is hand-written: a lexer turns the raw value into tokens (a quoted
 * string, a domain literal or an encoded word is one token; folds and
 * comments are white space), each list element is recognised by the
 * first special after its leading words (':' group, '<' name-addr, '@'
 * addr-spec), and whatever cannot be understood is skipped up to the
 * next ',' or ';'.  Nothing recurses, so no input can exhaust the stack.
 *
 * Parse first, decode after: rfc2047_decode() sees a display name only
 * once the lexer has found the token boundaries in the raw text, so an
 * encoded comma or quote ("=?UTF-8?Q?M=C3=BCller=2C_Hans?=") cannot
 * split an address.
 *
 * Python's email package (policy.default, msg['to'].addresses) is the
 * reference.  Where yubin differs, it does so on purpose:
 *  - a comment after the addr-spec ("a@x.test (Alice)") names the
 *    address when there is no display name, as in nmh and mblaze;
 *    Python gives "".
 *  - white space between two adjacent encoded words of a display name is
 *    dropped (RFC 2047 §6.2); Python keeps one space.  A comment or a
 *    quote mark between them parts them, and there both keep it.
 *  - encoded words in a local part or a domain stay encoded: RFC 2047 §5
 *    forbids them there, and decoding would change where mail goes.
 *  - ';' outside a group separates addresses, as Outlook writes them
 *    ("a@x.test; b@y.test"); Python drops what follows the first one.
 *  - "name:" inside a group closes it and opens another; Python takes
 *    "name" for a local part.
 *  - an element without a usable address (garbage, "<>", "a@x.", "a@",
 *    "a@x@y") is skipped, where Python returns an address "<>";
 *    an empty quoted local part is written '""@x', not "@x".
 *  - what is skipped, and what Python forgives (a missing '>', an
 *    unclosed comment or quote), is noted in the list's nbad and bad:
 *    "a@x b@y" yields a@x alone, and a sender must not lose b@y unseen.
 *  - NUL bytes are dropped: they cannot live in a C string.
 */
#include "addr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2047.h"
#include "util.h"

enum tok_type { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPECIAL };

/* Where the lexer stands, and what the CFWS it skipped held. */
struct lexpos {
	size_t i;
	int sp;                 /* white space or a comment skipped */
	int cmt;                /* ... and a comment: its content is */
	size_t cb, ce;          /* s[cb..ce) */
};

struct lex {
	const char *s;          /* the unfolded value */
	size_t n;
	struct lexpos at;
	int open;               /* a comment, quoted string or domain
				   literal ran to the end unclosed */
};

struct tok {
	enum tok_type type;
	char c;                 /* T_SPECIAL: which one */
	size_t b, e;            /* text: inside the quotes or brackets */
	size_t next;            /* just past the token */
	struct lexpos pre;      /* the CFWS before it */
};

struct mbox {
	struct buf phrase;      /* display name, decoded */
	struct buf seg;         /* ... its segment not yet decoded */
	struct buf local;       /* local part, unquoted */
	struct buf domain;
	int has_domain;
	int cmt;                /* a comment after the addr-spec: */
	size_t cb, ce;          /* its content */
};

struct parser {
	struct lex lx;
	struct addrlist *l;
	struct mbox m;
	struct buf scratch;     /* route domains, thrown away */
	char *group;            /* current group's name, or NULL */
	int group_used;         /* ... shared by a member: not ours to free */
	int full;               /* ADDR_MAX reached */
	int cut;                /* this element is not read whole */
};

static int
addr_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5322 specials and white space: what ends an atom. */
static int
addr_is_atom_end(char c)
{
	return c != '\0' && strchr("()<>@,:;.\\\"[] \t", c) != NULL;
}

static int
addr_is_special(const struct tok *t, char c)
{
	return t->type == T_SPECIAL && t->c == c;
}

/* Does the token end a list element? */
static int
addr_ends_element(const struct tok *t)
{
	return t->type == T_END || addr_is_special(t, ',') ||
	    addr_is_special(t, ';');
}

/*
 * The comment opening at s[i]: set *next past it and return the end of
 * its content.  An unterminated comment runs to the end of the value.
 * Nesting is counted, not recursed: any depth costs neither stack nor
 * memory, so it needs no cap, and a balanced comment of any depth is
 * read right (Python stops with a RecursionError).
 */
static size_t
addr_comment(const struct lex *lx, size_t i, size_t *next)
{
	size_t depth = 0;

	for (; i < lx->n; i++) {
		char c = lx->s[i];

		if (c == '\\')
			i++;
		else if (c == '(')
			depth++;
		else if (c == ')' && depth > 0 && --depth == 0) {
			*next = i + 1;
			return i;
		}
	}
	*next = lx->n;
	return lx->n;
}

/* Skip white space and comments, remembering the first comment. */
static void
addr_cfws(struct lex *lx)
{
	struct lexpos *at = &lx->at;

	while (at->i < lx->n) {
		size_t next, e;

		if (addr_is_wsp(lx->s[at->i])) {
			at->i++;
		} else if (lx->s[at->i] == '(') {
			e = addr_comment(lx, at->i, &next);
			if (e == lx->n)
				lx->open = 1;
			if (!at->cmt) {
				at->cmt = 1;
				at->cb = at->i + 1;
				at->ce = e;
			}
			at->i = next;
		} else {
			break;
		}
		at->sp = 1;
	}
}

/* Index of the first unescaped `close' at or after i, or n. */
static size_t
addr_until(const struct lex *lx, size_t i, char close)
{
	for (; i < lx->n; i++) {
		if (lx->s[i] == '\\')
			i++;
		else if (lx->s[i] == close)
			return i;
	}
	return lx->n;
}

/*
 * Length of the encoded word "=?charset?E?text?=" at s[i], or 0.  Python
 * reads one as a unit even when its text holds specials
 * ("=?utf-8?q?Doe,_John?="), so the lexer must too.
 */
static size_t
addr_ew(const struct lex *lx, size_t i)
{
	const char *s = lx->s;
	size_t j = i + 2, n = lx->n;

	if (n - i < 8 || s[i] != '=' || s[i + 1] != '?')
		return 0;
	while (j < n && s[j] != '?' && !addr_is_wsp(s[j]))
		j++;
	if (j == i + 2 || j + 2 >= n || s[j] != '?' || s[j + 2] != '?')
		return 0;
	if (strchr("bBqQ", s[j + 1]) == NULL || s[j + 1] == '\0')
		return 0;
	for (j += 3; j + 1 < n; j++) {
		if (s[j] == '?')
			return s[j + 1] == '=' ? j + 2 - i : 0;
		if (addr_is_wsp(s[j]))
			return 0;
	}
	return 0;
}

/* Look at the next token without taking it. */
static void
addr_peek(struct lex *lx, struct tok *t)
{
	const char *s = lx->s;
	size_t i, k;

	addr_cfws(lx);
	i = lx->at.i;
	t->pre = lx->at;
	t->b = i;
	t->c = '\0';
	if (i >= lx->n) {
		t->type = T_END;
		t->e = t->next = i;
	} else if (s[i] == '"' || s[i] == '[') {
		t->type = s[i] == '"' ? T_QSTR : T_DLIT;
		t->b = i + 1;
		t->e = addr_until(lx, i + 1, s[i] == '"' ? '"' : ']');
		t->next = t->e < lx->n ? t->e + 1 : t->e;
		if (t->e == lx->n)
			lx->open = 1;
	} else if (addr_is_atom_end(s[i])) {
		t->type = T_SPECIAL;
		t->c = s[i];
		t->e = t->next = i + 1;
	} else {
		k = addr_ew(lx, i);
		if (k == 0)
			for (k = 1; i + k < lx->n && !addr_is_atom_end(s[i + k]);)
				k++;
		t->type = T_ATOM;
		t->e = t->next = i + k;
	}
}

static void
addr_take(struct lex *lx, const struct tok *t)
{
	memset(&lx->at, 0, sizeof lx->at);
	lx->at.i = t->next;
}

/* Append p[0..n) with its quoted pairs undone. */
static void
addr_unescape(const char *p, size_t n, struct buf *b)
{
	const char *bs;

	while (n > 0 && (bs = memchr(p, '\\', n)) != NULL) {
		buf_add(b, p, (size_t)(bs - p));
		n -= (size_t)(bs - p) + 1;
		p = bs + 1;
		if (n == 0)
			break;
		buf_addc(b, *p);
		p++;
		n--;
	}
	buf_add(b, p, n);
}

/* Append the text of a word: a quoted string's content unquoted. */
static void
addr_tok_text(const struct lex *lx, const struct tok *t, struct buf *b)
{
	if (t->type == T_QSTR)
		addr_unescape(lx->s + t->b, t->e - t->b, b);
	else if (t->type == T_SPECIAL)
		buf_addc(b, t->c);
	else
		buf_add(b, lx->s + t->b, t->e - t->b);
}

/* Words of a phrase or local part: atoms, quoted strings, dots. */
static int
addr_is_word(const struct tok *t)
{
	return t->type == T_ATOM || t->type == T_QSTR ||
	    addr_is_special(t, '.') || addr_is_special(t, '\\');
}

/* Decode the pending segment of the display name into it. */
static void
addr_flush(struct mbox *m)
{
	if (m->seg.len > 0)
		(void)rfc2047_decode(m->seg.p, m->seg.len, &m->phrase);
	buf_reset(&m->seg);
}

/*
 * Add a word to the display name.  CFWS between two words becomes one
 * space, dots included ("John Q. Public"), as Python joins them.  The
 * encoded words are decoded a segment at a time: a run of atoms with
 * only white space between them, or one quoted string.  Within a segment
 * the white space between two encoded words goes (RFC 2047 §6.2); at a
 * comment or a quote mark the words are not adjacent and it stays, as
 * in Python.
 */
static void
addr_phrase_word(const struct lex *lx, struct mbox *m, const struct tok *t,
    int first, int prevq)
{
	if (!first && (t->pre.cmt || t->type == T_QSTR || prevq)) {
		addr_flush(m);
		if (t->pre.sp)
			buf_addc(&m->phrase, ' ');
	} else if (!first && t->pre.sp) {
		buf_addc(&m->seg, ' ');
	}
	addr_tok_text(lx, t, &m->seg);
}

/*
 * Take a run of words.  Add it to m's display name if ph is set (see
 * above) and to its local part (no space next to a dot: "john . doe" is
 * "john.doe", as in Python).  Return the number of words; *stop is the
 * token after them, not taken.
 */
static size_t
addr_words(struct lex *lx, struct mbox *m, int ph, struct tok *stop)
{
	size_t k;
	int dot, prevdot = 1, prevq = 0;

	for (k = 0;; k++) {
		addr_peek(lx, stop);
		if (!addr_is_word(stop))
			break;
		dot = addr_is_special(stop, '.');
		if (ph)
			addr_phrase_word(lx, m, stop, k == 0, prevq);
		if (k > 0 && stop->pre.sp && !prevdot && !dot)
			buf_addc(&m->local, ' ');
		addr_tok_text(lx, stop, &m->local);
		prevdot = dot;
		prevq = stop->type == T_QSTR;
		addr_take(lx, stop);
	}
	if (ph)
		addr_flush(m);
	return k;
}

/* A domain literal, white space dropped and quoted pairs undone. */
static void
addr_dlit(const struct lex *lx, const struct tok *t, struct buf *d)
{
	size_t i;

	buf_addc(d, '[');
	for (i = t->b; i < t->e; i++) {
		if (lx->s[i] == '\\' && i + 1 < t->e)
			i++;
		else if (addr_is_wsp(lx->s[i]))
			continue;
		buf_addc(d, lx->s[i]);
	}
	buf_addc(d, ']');
}

/*
 * domain = dot-atom / domain-literal / obs-domain: atoms and dots with
 * CFWS anywhere, which is dropped ("x . test" is "x.test").  A trailing
 * dot fails, as in Python.  The CFWS after the domain is left unread so
 * that the caller sees its comment.  Returns 0 or -1.
 */
static int
addr_domain(struct lex *lx, struct buf *d)
{
	struct tok t;
	struct lexpos save;

	addr_peek(lx, &t);
	if (t.type == T_DLIT) {
		addr_dlit(lx, &t, d);
		addr_take(lx, &t);
		return 0;
	}
	if (t.type != T_ATOM)
		return -1;
	for (;;) {
		buf_add(d, lx->s + t.b, t.e - t.b);
		addr_take(lx, &t);
		save = lx->at;
		addr_peek(lx, &t);
		if (t.type == T_ATOM && !t.pre.sp)
			continue;       /* an encoded word glued to text */
		if (!addr_is_special(&t, '.')) {
			lx->at = save;
			return 0;
		}
		addr_take(lx, &t);
		addr_peek(lx, &t);
		if (t.type != T_ATOM)
			return -1;
		buf_addc(d, '.');
	}
}

/* Keep the first comment after the addr-spec: the CFWS before t. */
static void
addr_note_comment(struct mbox *m, const struct tok *t)
{
	if (m->cmt || !t->pre.cmt)
		return;
	m->cmt = 1;
	m->cb = t->pre.cb;
	m->ce = t->pre.ce;
}

/*
 * The local part is taken and t is the token after it: read "@" domain,
 * or nothing (a bare local part, which Python accepts too).  Returns 0,
 * or -1 if there is no usable address.
 */
static int
addr_spec_rest(struct parser *ps, struct tok *t)
{
	struct lex *lx = &ps->lx;
	struct mbox *m = &ps->m;

	m->has_domain = 0;
	if (!addr_is_special(t, '@')) {
		addr_note_comment(m, t);
		return m->local.len > 0 ? 0 : -1;
	}
	addr_take(lx, t);
	if (addr_domain(lx, &m->domain) < 0)
		return -1;
	m->has_domain = 1;
	addr_peek(lx, t);
	addr_note_comment(m, t);
	return addr_is_special(t, '@') ? -1 : 0;
}

/*
 * obs-route ("@a.test,@b.test:", RFC 5322 §4.4) is read and thrown away:
 * source routes are dead (RFC 5321 Appendix C).  Returns 0 or -1.
 */
static int
addr_route(struct parser *ps)
{
	struct lex *lx = &ps->lx;
	struct tok t;

	for (;;) {
		addr_peek(lx, &t);
		if (t.type != T_SPECIAL)
			return -1;
		addr_take(lx, &t);
		if (t.c == ':')
			return 0;
		if (t.c == '@') {
			buf_reset(&ps->scratch);
			if (addr_domain(lx, &ps->scratch) < 0)
				return -1;
		} else if (t.c != ',') {
			return -1;
		}
	}
}

/*
 * After '<': [obs-route] addr-spec [">"].  A missing '>' is forgiven, as
 * Python does.  Returns 0, or -1 if there is no usable address ("<>").
 */
static int
addr_angle(struct parser *ps)
{
	struct lex *lx = &ps->lx;
	struct tok t;

	addr_peek(lx, &t);
	if ((addr_is_special(&t, '@') || addr_is_special(&t, ',')) &&
	    addr_route(ps) < 0)
		return -1;
	buf_reset(&ps->m.local);
	if (addr_words(lx, &ps->m, 0, &t) == 0)
		return -1;
	if (addr_spec_rest(ps, &t) < 0)
		return -1;
	if (addr_is_special(&t, '>')) {
		addr_take(lx, &t);
		addr_peek(lx, &t);
		addr_note_comment(&ps->m, &t);
	} else {
		ps->cut = 1;
	}
	return 0;
}

/*
 * A fresh string holding (p, n) decoded.  Decoding at most triples the
 * size (a stray byte becomes U+FFFD), so the cap does not bind; if it
 * did, a truncated name would still beat none.
 */
static char *
addr_decode(const char *p, size_t n)
{
	struct buf b;

	buf_init(&b, n < SIZE_MAX / 8 ? 4 * n + 64 : SIZE_MAX / 2);
	(void)rfc2047_decode(p, n, &b);
	return b.p != NULL ? b.p : xstrdup("");
}

/* The name from the comment: unquoted, trimmed, decoded. */
static char *
addr_comment_name(struct parser *ps)
{
	struct mbox *m = &ps->m;
	struct buf *b = &ps->scratch;
	size_t i = 0, e;

	buf_reset(b);
	addr_unescape(ps->lx.s + m->cb, m->ce - m->cb, b);
	e = b->len;
	while (i < e && addr_is_wsp(b->p[i]))
		i++;
	while (e > i && addr_is_wsp(b->p[e - 1]))
		e--;
	return addr_decode(b->p + i, e - i);
}

/*
 * The addr-spec as Python writes it: the local part quoted when it holds
 * a special or white space (dots excepted), or when it is empty.
 */
static char *
addr_spec_string(struct parser *ps)
{
	struct mbox *m = &ps->m;
	struct buf *b = &ps->scratch;
	size_t i;
	int quote = m->local.len == 0;

	for (i = 0; i < m->local.len && !quote; i++)
		quote = m->local.p[i] != '.' && addr_is_atom_end(m->local.p[i]);
	buf_reset(b);
	if (quote)
		buf_addc(b, '"');
	for (i = 0; i < m->local.len; i++) {
		if (quote && (m->local.p[i] == '"' || m->local.p[i] == '\\'))
			buf_addc(b, '\\');
		buf_addc(b, m->local.p[i]);
	}
	if (quote)
		buf_addc(b, '"');
	if (m->has_domain) {
		buf_addc(b, '@');
		buf_add(b, m->domain.p, m->domain.len);
	}
	return xstrndup(b->p, b->len);
}

/*
 * The list grows by doubling from 16, so its capacity follows from n and
 * struct addrlist needs no field for it.
 */
static void
addr_grow(struct addrlist *l)
{
	if (l->n == 0)
		l->v = xcalloc(16, sizeof *l->v);
	else if (l->n >= 16 && (l->n & (l->n - 1)) == 0)
		l->v = xrealloc(l->v, 2 * l->n * sizeof *l->v);
}

/* Append the mailbox just parsed. */
static void
addr_add(struct parser *ps)
{
	struct addrlist *l = ps->l;
	struct addr *a;

	if (l->n >= ADDR_MAX) {
		ps->full = 1;
		return;
	}
	addr_grow(l);
	a = &l->v[l->n++];
	a->addr = addr_spec_string(ps);
	a->name = xstrndup(ps->m.phrase.p ? ps->m.phrase.p : "",
	    ps->m.phrase.len);
	if (a->name[0] == '\0' && ps->m.cmt) {
		free(a->name);
		a->name = addr_comment_name(ps);
	}
	a->group = ps->group;
	ps->group_used |= ps->group != NULL;
}

static void
addr_group_close(struct parser *ps)
{
	if (!ps->group_used)
		free(ps->group);
	ps->group = NULL;
	ps->group_used = 0;
}

/* "name:" seen: a group starts (one without ';' before it ends). */
static void
addr_group_open(struct parser *ps)
{
	addr_group_close(ps);
	ps->group = xstrndup(ps->m.phrase.p ? ps->m.phrase.p : "",
	    ps->m.phrase.len);
	ps->l->ngroups++;
}

/*
 * Skip to the end of the element: garbage, or what follows an address.
 * Returns the number of tokens skipped.
 */
static size_t
addr_skip(struct lex *lx)
{
	struct tok t;
	size_t k;

	for (k = 0;; k++) {
		addr_peek(lx, &t);
		if (addr_ends_element(&t))
			return k;
		addr_take(lx, &t);
	}
}

/* Note the element s[b..e) as not read whole (see addr.h). */
static void
addr_note_bad(struct parser *ps, size_t b, size_t e)
{
	const char *s = ps->lx.s;

	ps->l->nbad++;
	if (ps->l->bad != NULL)
		return;
	while (b < e && addr_is_wsp(s[b]))
		b++;
	while (e > b && addr_is_wsp(s[e - 1]))
		e--;
	ps->l->bad = xstrndup(s + b, e - b);
}

static void
addr_mbox_reset(struct mbox *m)
{
	buf_reset(&m->phrase);
	buf_reset(&m->seg);
	buf_reset(&m->local);
	buf_reset(&m->domain);
	m->has_domain = m->cmt = 0;
}

/*
 * One list element.  Its leading words are read both ways, as a phrase
 * and as a local part, and the token after them says which they were.
 */
static void
addr_element(struct parser *ps)
{
	struct lex *lx = &ps->lx;
	struct mbox *m = &ps->m;
	struct tok t;
	size_t nw, start = lx->at.i;
	int ok = 0;

	addr_mbox_reset(m);
	ps->cut = 0;
	nw = addr_words(lx, m, 1, &t);
	if (addr_is_special(&t, ':')) {
		addr_take(lx, &t);
		addr_group_open(ps);
		if (lx->open)
			addr_note_bad(ps, start, lx->n);
		return;
	}
	if (addr_is_special(&t, '<')) {
		addr_take(lx, &t);
		ok = addr_angle(ps) == 0;
	} else if (nw > 0 && (addr_is_special(&t, '@') ||
	    addr_ends_element(&t))) {
		buf_reset(&m->phrase);          /* the words were the local part */
		ok = addr_spec_rest(ps, &t) == 0;
	}
	if (ok)
		addr_add(ps);
	if (addr_skip(lx) > 0 || !ok || ps->cut || lx->open)
		addr_note_bad(ps, start, lx->at.i);
}

/*
 * Drop CR and LF, as Python's policy does when it unfolds (the white
 * space of a fold stays), and NUL, which no C string can carry.
 */
static char *
addr_unfold(const char *p, size_t n, size_t *len)
{
	char *s = xmalloc(n + 1);
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != '\0')
			s[k++] = p[i];
	s[k] = '\0';
	*len = k;
	return s;
}

static void
addr_parser_init(struct parser *ps, struct addrlist *l, const char *p,
    size_t n)
{
	size_t cap;

	memset(ps, 0, sizeof *ps);
	ps->l = l;
	ps->lx.s = addr_unfold(p, n, &ps->lx.n);
	/* Nothing built from the value outgrows twice its size (quoting). */
	cap = n < SIZE_MAX / 4 ? 2 * n + 16 : SIZE_MAX / 2;
	/* Decoding at most triples (a stray byte becomes U+FFFD). */
	buf_init(&ps->m.phrase, cap < SIZE_MAX / 4 ? 2 * cap : cap);
	buf_init(&ps->m.seg, cap);
	buf_init(&ps->m.local, cap);
	buf_init(&ps->m.domain, cap);
	buf_init(&ps->scratch, cap);
}

static void
addr_parser_free(struct parser *ps)
{
	addr_group_close(ps);
	free((char *)ps->lx.s);
	buf_free(&ps->m.phrase);
	buf_free(&ps->m.seg);
	buf_free(&ps->m.local);
	buf_free(&ps->m.domain);
	buf_free(&ps->scratch);
}

int
addr_parse(const char *p, size_t n, struct addrlist *l)
{
	struct parser ps;
	struct tok t;

	addr_parser_init(&ps, l, p, n);
	while (!ps.full) {
		size_t start = ps.lx.at.i;
		int open = ps.lx.open;

		addr_peek(&ps.lx, &t);
		if (t.type == T_END) {
			/* "a@x, (unclosed": a comment ate the element */
			if (ps.lx.open && !open)
				addr_note_bad(&ps, start, ps.lx.n);
			break;
		}
		if (addr_is_special(&t, ',') || addr_is_special(&t, ';')) {
			addr_take(&ps.lx, &t);
			if (t.c == ';')
				addr_group_close(&ps);
			continue;
		}
		addr_element(&ps);
	}
	addr_parser_free(&ps);
	return ps.full ? -1 : 0;
}

void
addr_free(struct addrlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].addr);
		free(l->v[i].name);
		/* Members of one group share its name (see addr.h). */
		if (i == 0 || l->v[i].group != l->v[i - 1].group)
			free(l->v[i].group);
	}
	free(l->v);
	free(l->bad);
	l->v = NULL;
	l->bad = NULL;
	l->n = l->ngroups = l->nbad = 0;
}
