/*
 * mimew: writing MIME parts (see mimew.h for the contract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charset.h"
#include "codec.h"
#include "mimew.h"
#include "util.h"

#define BOUND_RAND 12           /* random bytes in a boundary */

const char *const mimew_cte_name[] = { "7bit", "8bit", "quoted-printable",
    "base64" };

/* Feed one chunk to the scan (all but UTF-8 validity, see mimew_scan). */
static void
scan_chunk(struct mimew_scan *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			if (s->last == ' ' || s->last == '\t')
				s->trailws = 1;
			s->linelen = 0;
		} else if (++s->linelen > 998)
			s->longline = 1;
		if (c >= 0x80)
			s->ascii = 0;
		if (c == '\0')
			s->nul = 1;
		if (c == '\r')
			s->cr = 1;
		s->last = c;
	}
}

/* How many bytes at the end of (p, n) start a character not complete? */
static size_t
cut_tail(const unsigned char *p, size_t n)
{
	size_t k, need;

	for (k = 1; k <= 3 && k <= n; k++) {
		unsigned char c = p[n - k];

		if ((c & 0xc0) == 0x80)
			continue;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

void
mimew_scan(FILE *fp, const char *what, struct mimew_scan *s, int text)
{
	static char b[MIMEW_CHUNK + 4];
	size_t n, nc = 0, keep;

	memset(s, 0, sizeof(*s));
	s->ascii = s->utf8 = 1;
	s->last = -1;
	while ((n = fread(b + nc, 1, MIMEW_CHUNK, fp)) > 0) {
		scan_chunk(s, b + nc, n);
		if (!text) {
			s->utf8 = 0;
			if (!s->ascii || s->nul || s->cr || s->longline)
				break;
			continue;
		}
		n += nc;
		keep = cut_tail((unsigned char *)b, n);
		if (s->utf8 && !utf8_valid(b, n - keep))
			s->utf8 = 0;
		memmove(b, b + n - keep, keep);
		nc = keep;
	}
	if (ferror(fp))
		die(EX_IOERR, "%s:", what);
	if (nc > 0)
		s->utf8 = 0;
	if (s->last == ' ' || s->last == '\t')
		s->trailws = 1;
	rewind(fp);
}

enum mimew_cte
mimew_choose(const struct mimew_scan *s, int text, int body, int conv,
    int eight)
{
	int clean = !s->nul && !s->cr && !s->longline && !s->trailws;

	if (clean && s->ascii)
		return MIMEW_7BIT;
	if (!text || s->nul || (s->cr && !body))
		return MIMEW_B64;
	if (clean && (s->utf8 || conv) && eight)
		return MIMEW_8BIT;
	return MIMEW_QP;
}


int
mimew_encode(FILE *fp, const char *what, enum mimew_cte cte,
    mimew_sink *sink, void *arg)
{
	static char in[MIMEW_CHUNK],
	    o[QP_ENC_BOUND(MIMEW_CHUNK) + B64_ENC_BOUND(MIMEW_CHUNK)];
	struct b64_enc b;
	struct qp_enc q;
	size_t n, k;
	int last = -1;

	b64_enc_init(&b);
	qp_enc_init(&q, 0);
	while ((n = fread(in, 1, sizeof(in), fp)) > 0) {
		if (cte == MIMEW_B64)
			k = b64_enc_update(&b, in, n, o);
		else if (cte == MIMEW_QP)
			k = qp_enc_update(&q, in, n, o);
		else
			memcpy(o, in, k = n);
		sink(arg, o, k);
		if (k > 0)
			last = (unsigned char)o[k - 1];
	}
	if (ferror(fp))
		die(EX_IOERR, "%s:", what);
	k = cte == MIMEW_B64 ? b64_enc_final(&b, o) :
	    cte == MIMEW_QP ? qp_enc_final(&q, o) : 0;
	sink(arg, o, k);
	if (k > 0)
		last = (unsigned char)o[k - 1];
	return last;
}

/* A line being checked: only its start, as far as a delimiter reaches. */
struct delim {
	const char *bnd;
	size_t bl, n;
	char line[2 + 6 + 80];  /* "--altrel" and the boundary */
	int found;
};

static void
delim_line(struct delim *d)
{
	static const char *pre[] = { "", "alt", "rel", "altrel" };
	size_t i, pl;

	if (d->n < 2 || d->line[0] != '-' || d->line[1] != '-')
		return;
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		pl = strlen(pre[i]);
		if (d->n >= 2 + pl + d->bl &&
		    memcmp(d->line + 2, pre[i], pl) == 0 &&
		    memcmp(d->line + 2 + pl, d->bnd, d->bl) == 0)
			d->found = 1;
	}
}

static void
sink_delim(void *arg, const char *p, size_t n)
{
	struct delim *d = arg;
	const char *nl;
	size_t k, room;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) : n;
		room = sizeof(d->line) - d->n;
		memcpy(d->line + d->n, p, k < room ? k : room);
		d->n += k < room ? k : room;
		if (nl == NULL)
			return;
		delim_line(d);
		d->n = 0;
		p = nl + 1;
		n -= k + 1;
	}
}

int
mimew_delim_in(FILE *fp, const char *what, enum mimew_cte cte,
    const char *bnd)
{
	struct delim d;

	if (cte == MIMEW_B64)
		return 0;
	memset(&d, 0, sizeof(d));
	d.bnd = bnd;
	d.bl = strlen(bnd);
	if (d.bl > 80)
		d.bl = 80;
	mimew_encode(fp, what, cte, sink_delim, &d);
	delim_line(&d);
	rewind(fp);
	return d.found;
}

void
mimew_hex(char *d, size_t nbytes)
{
	unsigned char r[32];
	FILE *fp;
	size_t i;

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	if ((fp = fopen("/dev/urandom", "rb")) == NULL ||
	    fread(r, 1, nbytes, fp) != nbytes)
		die(EX_OSERR, "/dev/urandom:");
	fclose(fp);
	for (i = 0; i < nbytes; i++)
		sprintf(d + 2 * i, "%02x", r[i]);
}

void
mimew_boundary(char *bnd, size_t size, const char *given)
{
	char r[2 * BOUND_RAND + 1];

	if (given == NULL) {
		mimew_hex(r, BOUND_RAND);
		snprintf(bnd, size, "=_yubin_%s", r);
	} else
		snprintf(bnd, size, "%s", given);
}

void
mimew_host(char *host, size_t size)
{
	if (gethostname(host, size) < 0 || host[0] == '\0' ||
	    strpbrk(host, "<>@ ") != NULL)
		snprintf(host, size, "localhost");
	host[size - 1] = '\0';
}

int
mimew_id_domain(const char *id, char *d, size_t size)
{
	const char *at = strrchr(id, '@');
	size_t n;

	if (at == NULL)
		return 0;
	n = strcspn(++at, ">");
	if (n == 0 || n >= size || strspn(at, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
		return 0;
	memcpy(d, at, n);
	d[n] = '\0';
	return 1;
}

char *
mimew_cid(const char *name, const char *dom)
{
	size_t n = strlen(name), i, k = 0, l;
	char *c = xmalloc(n + strlen(dom) + 3);

	for (i = 0; i < n; i += l) {
		char ch = name[i];
		unsigned char u = (unsigned char)ch;

		/* one '_' for a whole UTF-8 character */
		l = u >= 0xf0 ? 4 : u >= 0xe0 ? 3 : u >= 0xc0 ? 2 : 1;
		if (l > n - i || !utf8_valid(name + i, l))
			l = 1;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.') || (ch == '.' && (k == 0 || i + 1 == n ||
		    c[k - 1] == '.')))
			ch = '_';
		c[k++] = ch;
	}
	if (k == 0)
		c[k++] = '_';
	sprintf(c + k, "@%s", dom);
	return c;
}
