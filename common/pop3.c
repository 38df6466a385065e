/*
 * pop3: POP3 replies and the client state machine (see pop3.h).
 *
 * The shape is smtpc's: the protocol steps and their order live here,
 * what a reply means to the user lives in the program.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "pop3.h"
#include "util.h"

/* ---- replies ---- */

/* Length of a well-formed UTF-8 sequence of U+00A0 and up at p, or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned long cp;
	size_t k, j;

	if (p[0] >= 0xc2 && p[0] < 0xe0)
		k = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] < 0xf0)
		k = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] < 0xf5)
		k = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (j = 1; j < k; j++) {
		if ((p[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[j] & 0x3f);
	}
	if (cp < 0xa0 || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Server text made printable: it may reach a terminal (warn()). */
static size_t
clean(char *dst, const char *src, size_t n)
{
	const unsigned char *u = (const unsigned char *)src;
	size_t i = 0, o = 0, k;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			dst[o++] = (char)u[i++];
		} else if (u[i] >= 0x80 && (k = utf8_seq(u + i, n - i)) > 0) {
			memcpy(dst + o, u + i, k);
			o += k;
			i += k;
		} else {
			dst[o++] = '?';
			i++;
		}
	}
	dst[o] = '\0';
	return o;
}

static const struct {
	const char *name;
	enum pop3_rcode rc;
} rcodes[] = {
	{ "IN-USE", POP3_RC_IN_USE },
	{ "LOGIN-DELAY", POP3_RC_LOGIN_DELAY },
	{ "SYS/TEMP", POP3_RC_SYS_TEMP },
	{ "SYS/PERM", POP3_RC_SYS_PERM },
	{ "AUTH", POP3_RC_AUTH },
};

/* "[CODE...]" at the start of text: which code; hierarchical codes
 * (AUTH/EXPIRED, SYS/TEMP/DISK) count as their known prefix. */
static enum pop3_rcode
rcode(const char *p, size_t n)
{
	const char *rb;
	size_t i, w, k;

	if (n < 3 || p[0] != '[' || (rb = memchr(p, ']', n)) == NULL)
		return POP3_RC_NONE;
	p++;
	w = (size_t)(rb - p);
	for (i = 0; i < sizeof rcodes / sizeof rcodes[0]; i++) {
		k = strlen(rcodes[i].name);
		if (w >= k && strncasecmp(p, rcodes[i].name, k) == 0 &&
		    (w == k || p[k] == '/' || p[k] == ' '))
			return rcodes[i].rc;
	}
	return POP3_RC_OTHER;
}

int
pop3_reply_parse(const char *p, size_t len, struct pop3_reply *r)
{
	size_t skip;

	memset(r, 0, sizeof *r);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len + 2 > POP3_TEXT_MAX)
		return -1;
	if (len >= 3 && memcmp(p, "+OK", 3) == 0 && (len == 3 || p[3] == ' '))
		r->ok = 1, skip = 3;
	else if (len >= 4 && memcmp(p, "-ERR", 4) == 0 &&
	    (len == 4 || p[4] == ' '))
		r->ok = 0, skip = 4;
	else
		return -1;
	if (skip < len)
		skip++;
	r->rc = rcode(p + skip, len - skip);
	r->textlen = clean(r->text, p + skip, len - skip);
	return 0;
}

int
pop3_exit(const struct pop3_reply *r, int login)
{
	if (r == NULL)
		return EX_PROTOCOL;
	if (r->ok)
		return 0;
	switch (r->rc) {
	case POP3_RC_AUTH:
		return EX_NOPERM;
	case POP3_RC_IN_USE:
	case POP3_RC_LOGIN_DELAY:
	case POP3_RC_SYS_TEMP:
		return EX_TEMPFAIL;
	case POP3_RC_SYS_PERM:
		return EX_UNAVAILABLE;
	default:
		return login ? EX_NOPERM : EX_UNAVAILABLE;
	}
}

/* ---- multi-line bodies ---- */

enum { ML_BOL, ML_MID, ML_CR, ML_DOT, ML_DOTCR };

void
pop3_ml_init(struct pop3_ml *m)
{
	memset(m, 0, sizeof *m);
	m->st = ML_BOL;
}

size_t
pop3_ml_decode(struct pop3_ml *m, const char *in, size_t len, char *out,
    size_t *outlen)
{
	size_t i, o = 0;
	char c;

	for (i = 0; i < len && !m->done; i++) {
		c = in[i];
		switch (m->st) {
		case ML_BOL:
			if (c == '.') {
				m->st = ML_DOT;
				continue;
			}
			break;
		case ML_DOT:
			if (c == '\r') {
				m->st = ML_DOTCR;
				continue;
			}
			if (c == '\n') {
				m->done = 1;
				continue;
			}
			break;		/* ".." or ".x": the dot was stuffing */
		case ML_DOTCR:
			if (c == '\n') {
				m->done = 1;
				continue;
			}
			out[o++] = '\r';	/* ".\rx": a CR inside a line */
			m->st = ML_MID;
			break;
		case ML_CR:
			if (c == '\n')
				break;
			out[o++] = '\r';
			m->st = ML_MID;
			break;
		default:
			break;
		}
		if (c == '\r') {
			m->st = ML_CR;
		} else if (c == '\n') {
			out[o++] = '\n';
			m->st = ML_BOL;
		} else {
			out[o++] = c;
			m->st = ML_MID;
		}
	}
	m->out += o;
	*outlen = o;
	return i;
}

int
pop3_listing(const char *p, size_t len, unsigned long *num, const char **arg,
    size_t *arglen)
{
	size_t i = 0, j;
	unsigned long v = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9') {
		if (v > 999999999UL)
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
		i++;
	}
	if (i == 0 || v == 0 || i >= len || p[i] != ' ')
		return -1;
	i++;
	for (j = i; j < len && (unsigned char)p[j] > 0x20 &&
	    (unsigned char)p[j] < 0x7f; j++)
		;
	if (j == i || j - i > POP3_UID_MAX)
		return -1;
	/* RFC 2449 allows more after a space (LIST); ignore it */
	if (j < len && p[j] != ' ')
		return -1;
	*num = v;
	*arg = p + i;
	*arglen = j - i;
	return 0;
}

unsigned
pop3_capa(const char *p, size_t len)
{
	static const struct {
		const char *kw;
		unsigned bit;
	} kws[] = {
		{ "TOP", POP3_CAPA_TOP }, { "UIDL", POP3_CAPA_UIDL },
		{ "PIPELINING", POP3_CAPA_PIPELINING },
		{ "RESP-CODES", POP3_CAPA_RESP_CODES },
		{ "STLS", POP3_CAPA_STLS }, { "USER", POP3_CAPA_USER },
		{ "SASL", POP3_CAPA_SASL },
	};
	const char *nl;
	size_t l, w, i;
	unsigned f = 0;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		l = nl ? (size_t)(nl - p) : len;
		for (w = 0; w < l && p[w] != ' ' && p[w] != '\r'; w++)
			;
		for (i = 0; i < sizeof kws / sizeof kws[0]; i++)
			if (strcaseeqn(p, w, kws[i].kw))
				f |= kws[i].bit;
		if (nl == NULL)
			break;
		p += l + 1;
		len -= l + 1;
	}
	return f;
}

/* ---- the state machine ---- */

static const char *const names[POP3_NSTATES] = {
	"GREETING", "CAPA", "STLS", "AUTH", "TRANSACTION", "UPDATE", "CLOSED"
};

const char *
pop3_state_name(enum pop3_state s)
{
	return (unsigned)s < POP3_NSTATES ? names[s] : "?";
}

static void
enter(struct pop3 *c, enum pop3_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	if (c->trace)
		fprintf(stderr, "* state: %s\n", names[s]);
}

void
pop3_open(struct pop3 *c, struct net *n, int stls, int authed, int trace)
{
	const char *b;
	size_t blen;

	memset(c, 0, sizeof *c);
	c->n = n;
	c->trace = trace;
	c->state = POP3_CLOSED;
	/* libcurl took the session through these; the trace above shows
	 * their dialogue */
	enter(c, POP3_GREETING);
	enter(c, POP3_CAPA);
	if (stls)
		enter(c, POP3_STLS);
	enter(c, POP3_AUTH);
	b = net_banner(n, &blen);
	c->capa = pop3_capa(b, blen);
	if (authed)
		enter(c, POP3_TRANSACTION);
}

/* One command and its status line, one at a time (login). */
static int
step(struct pop3 *c, const char *cmd, const char *arg, struct pop3_reply *r)
{
	const char *line;
	struct buf b;
	size_t len;
	int ex;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s %s\r\n", cmd, arg);
	ex = net_send(c->n, b.p, b.len);
	memset(b.p, 0, b.len);		/* the PASS line held the password */
	buf_free(&b);
	if (ex == 0 && (ex = net_getline(c->n, &line, &len)) == 0 &&
	    pop3_reply_parse(line, len, r) != 0)
		ex = EX_PROTOCOL;
	if (ex != 0)
		enter(c, POP3_CLOSED);
	return ex;
}

int
pop3_user(struct pop3 *c, const char *user, const char *pass,
    struct pop3_reply *r)
{
	int ex;

	if (strpbrk(user, "\r\n") != NULL || strpbrk(pass, "\r\n") != NULL ||
	    strlen(user) > 200 || strlen(pass) > 200) {
		warn("a user name or password with a line break, or over 200 "
		    "bytes, cannot go in USER/PASS");
		return EX_CONFIG;
	}
	if ((ex = step(c, "USER", user, r)) != 0)
		return ex;
	if (r->ok && (ex = step(c, "PASS", pass, r)) != 0)
		return ex;
	if (!r->ok)
		return pop3_exit(r, 1);
	enter(c, POP3_TRANSACTION);
	return 0;
}

int
pop3_room(const struct pop3 *c, unsigned long long expect)
{
	if (c->count == 0)
		return 1;
	if (!(c->capa & POP3_CAPA_PIPELINING) || c->count >= POP3_QMAX)
		return 0;
	return c->inflight + expect <= POP3_WINDOW;
}

int
pop3_cmd(struct pop3 *c, const char *line, unsigned long long expect)
{
	char buf[600];
	int k;

	k = snprintf(buf, sizeof buf, "%s\r\n", line);
	if (k < 0 || (size_t)k >= sizeof buf)
		die(EX_SOFTWARE, "a POP3 command too long");
	if (c->count >= POP3_QMAX)
		die(EX_SOFTWARE, "too many POP3 commands in flight");
	if (strncmp(line, "DELE ", 5) == 0)
		c->dele = 1;
	c->expect[(c->head + c->count) % POP3_QMAX] = expect;
	c->count++;
	c->inflight += expect;
	return net_send(c->n, buf, (size_t)k);
}

int
pop3_reply(struct pop3 *c, struct pop3_reply *r)
{
	const char *line;
	size_t len;
	int ex;

	if (c->count > 0) {
		c->inflight -= c->expect[c->head];
		c->head = (c->head + 1) % POP3_QMAX;
		c->count--;
	}
	if ((ex = net_getline(c->n, &line, &len)) != 0) {
		enter(c, POP3_CLOSED);
		return ex;
	}
	if (pop3_reply_parse(line, len, r) != 0) {
		enter(c, POP3_CLOSED);
		return EX_PROTOCOL;
	}
	return 0;
}

#define CHUNK	(64 * 1024)

int
pop3_body(struct pop3 *c, pop3_sink *sink, void *arg,
    unsigned long long *bytes, int *sinkerr)
{
	static char out[CHUNK + 1];
	struct pop3_ml m;
	const char *p;
	size_t len, used, olen;
	int ex;

	pop3_ml_init(&m);
	*sinkerr = 0;
	while (!m.done) {
		if ((ex = net_peek(c->n, &p, &len)) != 0) {
			enter(c, POP3_CLOSED);
			return ex;
		}
		if (len > CHUNK)
			len = CHUNK;
		used = pop3_ml_decode(&m, p, len, out, &olen);
		net_consume(c->n, used);
		if (olen > 0 && *sinkerr == 0)
			*sinkerr = sink(arg, out, olen);
	}
	*bytes = m.out;
	if (c->trace)
		fprintf(stderr, "S: [%llu bytes of message data]\nS: .\n",
		    m.out);
	return 0;
}

int
pop3_listline(struct pop3 *c, const char **line, size_t *len)
{
	int ex;

	if ((ex = net_getline(c->n, line, len)) != 0) {
		enter(c, POP3_CLOSED);
		return -ex;
	}
	if (*len >= 1 && (*line)[0] == '.') {
		if (*len == 1)
			return 0;
		(*line)++;
		(*len)--;
	}
	return 1;
}

int
pop3_quit(struct pop3 *c)
{
	struct pop3_reply r;
	int ex = EX_TEMPFAIL;

	if (c->state == POP3_TRANSACTION || c->state == POP3_AUTH) {
		/* replies still owed are read first: they are in order */
		while (c->count > 0)
			if (pop3_reply(c, &r) != 0)
				break;
		if (c->state != POP3_CLOSED && pop3_cmd(c, "QUIT", 0) == 0) {
			enter(c, POP3_UPDATE);
			/* with nothing to commit the reply says nothing: a
			 * round trip saved */
			if (!c->dele)
				ex = net_flush(c->n);
			else if (pop3_reply(c, &r) == 0 && r.ok)
				ex = 0;
		}
	}
	enter(c, POP3_CLOSED);
	net_close(c->n);
	c->n = NULL;
	return ex;
}

int
pop3_login_quit(const struct net_opts *no)
{
	struct pop3 c;
	struct net *n;
	int ex = 0;

	if ((n = net_open(no, &ex)) == NULL)
		return ex;
	pop3_open(&c, n, net_tls(n) && strncasecmp(no->url, "pop3s:", 6) != 0,
	    1, no->trace || no->explain);
	(void)pop3_quit(&c);
	return 0;
}
