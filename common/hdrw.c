/*
 * hdrw: the header fields of a new message (see hdrw.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "hdrenc.h"
#include "hdrw.h"
#include "mimew.h"
#include "rec.h"
#include "util.h"

/* One address of a list: the comma goes with it, so that folding
 * counts it. */
static int
put_addr(struct buf *h, size_t *col, struct buf *w, const struct addr *a,
    int last)
{
	int r;

	buf_reset(w);
	if (*a->name != '\0') {
		if ((r = hdrenc_phrase(h, col, a->name, strlen(a->name))) < 0 ||
		    (r = buf_printf(w, "<%s>", a->addr)) < 0)
			return r;
	} else if ((r = buf_adds(w, a->addr)) < 0)
		return r;
	if ((r = buf_adds(w, last ? "" : ",")) < 0)
		return r;
	return hdrenc_word(h, col, w->p, w->len, 1);
}

int
hdrw_addrs(struct buf *h, const char *name, const char **v, size_t n)
{
	struct addrlist l;
	struct buf w;
	size_t i, j, col;
	int r;

	if (n == 0)
		return 0;
	if ((r = buf_printf(h, "%s:", name)) < 0)
		return r;
	col = strlen(name) + 1;
	buf_init(&w, h->max);
	for (i = 0; i < n && r == 0; i++) {
		memset(&l, 0, sizeof(l));
		/* all or nothing: a dropped address would go unnoticed */
		if (addr_parse(v[i], strlen(v[i]), &l) < 0)
			die(EX_DATAERR, "%s: more than %d addresses", name,
			    ADDR_MAX);
		if (l.nbad > 0)
			die(EX_DATAERR, "%s: bad address '%s'", name,
			    rec_quote_dup(l.bad, strlen(l.bad), 200));
		if (l.n == 0)
			die(EX_DATAERR, "%s: no address in '%s'", name,
			    rec_quote_dup(v[i], strlen(v[i]), 200));
		for (j = 0; j < l.n && r == 0; j++)
			r = put_addr(h, &col, &w, &l.v[j],
			    i + 1 == n && j + 1 == l.n);
		addr_free(&l);
	}
	buf_free(&w);
	return r < 0 ? r : buf_addc(h, '\n');
}

int
hdrw_text(struct buf *h, const char *name, size_t nlen, const char *v)
{
	size_t col = nlen + 1;
	int r;

	if ((r = buf_printf(h, "%.*s:", (int)nlen, name)) < 0 ||
	    (r = hdrenc_text(h, &col, v, strlen(v))) < 0)
		return r;
	return buf_addc(h, '\n');
}

int
hdrw_date(struct buf *h, const char *given)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char d[64], *e;
	struct tm tm;
	time_t t;

	if (given != NULL)
		return hdrw_text(h, "Date", 4, given);
	if (sde != NULL && *sde != '\0') {
		t = (time_t)strtoll(sde, &e, 10);
		if (*e != '\0')
			die(EX_USAGE, "SOURCE_DATE_EPOCH: not a number");
		gmtime_r(&t, &tm);
	} else {
		t = time(NULL);
		localtime_r(&t, &tm);
	}
	strftime(d, sizeof(d), "%a, %d %b %Y %H:%M:%S %z", &tm);
	return buf_printf(h, "Date: %s\n", d);
}

int
hdrw_msgid(struct buf *h, const char *given)
{
	char host[256], r[33];

	if (given != NULL && given[0] == '<')
		return buf_printf(h, "Message-ID: %s\n", given);
	if (given != NULL)
		return buf_printf(h, "Message-ID: <%s>\n", given);
	mimew_host(host, sizeof(host));
	mimew_hex(r, 16);
	return buf_printf(h, "Message-ID: <%s@%s>\n", r, host);
}
