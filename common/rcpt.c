#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rcpt.h"
#include "smtpc.h"
#include "util.h"

void
rcpt_add(struct rcpts *l, const char *a)
{
	size_t i;

	if (!smtpc_addr_ok(a))
		die(EX_DATAERR, "%s: not a usable recipient address", a);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].addr, a) == 0)
			return;
	if (l->n >= RCPT_MAX)
		die(EX_DATAERR, "more than %d recipients", RCPT_MAX);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	memset(&l->v[l->n], 0, sizeof *l->v);
	l->v[l->n++].addr = xstrdup(a);
}

void
rcpt_set(struct rcpt *p, const struct smtp_reply *r, int data)
{
	p->code = r ? r->code : 0;
	snprintf(p->enh, sizeof p->enh, "%s", r ? r->enh : "");
	free(p->text);
	p->text = xstrdup(r ? r->text : "");
	p->data = data;
}

void
rcpt_not_sent(struct rcpts *l, const size_t *idx, size_t k,
    const struct smtp_reply *r)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (l->v[idx[i]].code / 100 == 2)
			rcpt_set(&l->v[idx[i]], r, 1);
}

int
rcpt_session(struct rcpts *l, const size_t *idx, size_t k, rcpt_tx_fn *tx,
    void *arg)
{
	size_t *q = xcalloc(k ? k : 1, sizeof *q), head = 0, b, i, req;
	int ex = 0, sent, stop = 0;

	memcpy(q, idx, k * sizeof *q);
	while (head < k && !stop) {
		b = k - head > RCPT_TX_MAX ? RCPT_TX_MAX : k - head;
		ex = ex_worse(ex, tx(arg, q + head, b, head + b < k, &sent,
		    &stop));
		req = 0;
		if (sent && !stop)
			for (i = 0; i < b; i++)
				if (l->v[q[head + i]].code == 452) {
					l->v[q[head + i]].code = 0;
					q[head + req++] = q[head + i];
				}
		/* the deferred ones first in the next transaction */
		memmove(q + head + b - req, q + head, req * sizeof *q);
		head += b - req;
	}
	free(q);
	return ex;
}

int
rcpt_outcome(const struct rcpts *l, int ex, const size_t *idx, size_t k,
    int tell)
{
	const struct rcpt *p;
	size_t i;

	for (i = 0; i < k; i++) {
		p = &l->v[idx[i]];
		if (p->code == 0)
			continue;
		ex = ex_worse(ex, smtp_exit(p->code, p->enh, !p->data));
		if (tell && p->code >= 400 && !p->data)
			warn("<%s>: %d %s%s%s", p->addr, p->code, p->enh,
			    *p->enh ? " " : "", p->text);
	}
	return ex;
}

const char *
rcpt_domain(const char *a)
{
	const char *at = strrchr(a, '@');

	return at ? at + 1 : "";
}

size_t
rcpt_same_domain(const struct rcpts *l, size_t i, char *done, size_t *idx)
{
	const char *dom = rcpt_domain(l->v[i].addr);
	size_t j, k = 0;

	for (j = i; j < l->n; j++)
		if (!done[j] && strcasecmp(rcpt_domain(l->v[j].addr), dom) == 0) {
			idx[k++] = j;
			done[j] = 1;
		}
	return k;
}

size_t
rcpt_again(const struct rcpts *l, size_t *idx, size_t k, int ex)
{
	size_t i, n = 0;

	for (i = 0; i < k; i++)
		if (l->v[idx[i]].code / 100 == 4 ||
		    (l->v[idx[i]].code == 0 && ex == EX_TEMPFAIL))
			idx[n++] = idx[i];
	return n;
}

void
rcpt_free(struct rcpts *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].addr);
		free(l->v[i].text);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
