/*
 * fuzz_uu: the uuencode scanner of common/codec.
 *
 * The input is scanned whole, one byte at a time and in pieces whose
 * sizes come from the input.  The three runs must report the same events,
 * text, names and data (runs of text may be cut differently).  The text
 * passed through plus what went into blocks can never exceed the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct log {
	char *p;                /* one letter per event, then its bytes */
	size_t n, text, cap;
	char last;
};

static void
add(struct log *l, const void *p, size_t n)
{
	if (l->n + n > l->cap)
		abort();
	memcpy(l->p + l->n, p, n);
	l->n += n;
}

static void
cb(void *arg, enum uu_event ev, const char *p, size_t n)
{
	struct log *l = arg;
	char tag = "TBDE"[ev];

	if (ev == UU_END) {
		unsigned char f = (unsigned char)n;

		add(l, &tag, 1);
		add(l, &f, 1);
	} else {
		if (n == 0 && ev != UU_BEGIN)
			abort();        /* no empty text or data events */
		if (tag != l->last || ev == UU_BEGIN)
			add(l, &tag, 1);
		add(l, p, n);
		if (ev == UU_TEXT)
			l->text += n;
	}
	l->last = tag;
}

static void
run(const char *in, size_t n, size_t step, struct log *l)
{
	struct uu_scan s;
	size_t i = 0, m;

	l->cap = 3 * n + 64;
	l->p = malloc(l->cap);
	l->n = l->text = 0;
	l->last = 0;
	uu_scan_init(&s, cb, l);
	while (i < n) {
		m = step ? step : 1 + (unsigned char)in[i] % 37;
		if (m > n - i)
			m = n - i;
		uu_scan_update(&s, in + i, m);
		i += m;
	}
	uu_scan_final(&s);
	if (l->text > n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct log a, b, c;

	run(in, size, size ? size : 1, &a);
	run(in, size, 1, &b);
	run(in, size, 0, &c);
	if (a.n != b.n || a.n != c.n || memcmp(a.p, b.p, a.n) != 0 ||
	    memcmp(a.p, c.p, a.n) != 0)
		abort();
	free(a.p);
	free(b.p);
	free(c.p);
	return 0;
}
