/*
 * fuzz_pop3: the POP3 reply parser, the multi-line decoder, LIST/UIDL
 * lines and CAPA on arbitrary bytes (multi-line, dot-stuffed, malformed,
 * huge lines).
 *
 * Contracts checked besides crashes and undefined behaviour: a parsed
 * reply's text is NUL-terminated, shorter than POP3_TEXT_MAX, and holds
 * no control byte or DEL; the decoder gives the same output and stops
 * at the same byte however its input is split, never writes more than
 * it was fed plus one held-back CR, and after its end has consumed a line "." ending the input it was given; a
 * listing's argument lies inside the line, 1 to 70 visible bytes.
 * popfetch's state file parser (also fed with a valid header first)
 * gives strictly sorted, unique, NUL-terminated UIDs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "uidstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
lines(const char *p, size_t n)
{
	struct pop3_reply r;
	const char *nl, *a;
	unsigned long num;
	size_t l, al, i;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		l = nl ? (size_t)(nl - p) : n;
		if (pop3_reply_parse(p, l, &r) == 0) {
			if (r.textlen >= POP3_TEXT_MAX ||
			    r.text[r.textlen] != '\0' ||
			    strlen(r.text) != r.textlen)
				abort();
			for (i = 0; i < r.textlen; i++)
				if ((unsigned char)r.text[i] < 0x20 ||
				    r.text[i] == 0x7f)
					abort();
			(void)pop3_exit(&r, (int)(l & 1));
		}
		if (pop3_listing(p, l, &num, &a, &al) == 0 &&
		    (a < p || a + al > p + l || al == 0 ||
		    al > POP3_UID_MAX || num == 0))
			abort();
		if (nl == NULL)
			break;
		p += l + 1;
		n -= l + 1;
	}
}

static void
body(const char *p, size_t n)
{
	struct pop3_ml a, b;
	char *o1 = malloc(n + 1), *o2 = malloc(2 * n + 2);
	size_t u1, l1, u2 = 0, l2 = 0, k, i, step, got;

	pop3_ml_init(&a);
	u1 = pop3_ml_decode(&a, p, n, o1, &l1);
	if (u1 > n || l1 > n + 1)
		abort();
	pop3_ml_init(&b);
	step = n ? (unsigned char)p[0] % 5 + 1 : 1;
	for (i = 0; i < n && !b.done; i += got) {
		k = n - i < step ? n - i : step;
		got = pop3_ml_decode(&b, p + i, k, o2 + l2, &k);
		l2 += k;
		u2 += got;
		if (got == 0)
			abort();
	}
	if (a.done != b.done || u1 != u2 || l1 != l2 ||
	    (l1 && memcmp(o1, o2, l1) != 0) || a.out != l1)
		abort();
	if (a.done && !(u1 >= 2 && p[u1 - 1] == '\n' &&
	    (p[u1 - 2] == '.' || (u1 >= 3 && p[u1 - 2] == '\r' &&
	    p[u1 - 3] == '.'))))
		abort();
	free(o1);
	free(o2);
}

static void
state(const char *p, size_t n)
{
	static const char h[] = "# yubin popfetch state 1\n";
	struct uidstate s;
	char *b = malloc(n + sizeof h);
	size_t i;

	memcpy(b, h, sizeof h - 1);
	memcpy(b + sizeof h - 1, p, n);
	memset(&s, 0, sizeof s);
	s.fd = -1;
	(void)uidstate_parse(&s, p, n);
	uidstate_free(&s);
	memset(&s, 0, sizeof s);
	s.fd = -1;
	if (uidstate_parse(&s, b, n + sizeof h - 1) != 0)
		abort();
	for (i = 0; i < s.n; i++) {
		if (memchr(s.e[i].uid, '\0', sizeof s.e[i].uid) == NULL ||
		    (i > 0 && strcmp(s.e[i - 1].uid, s.e[i].uid) >= 0) ||
		    uidstate_find(&s, s.e[i].uid, strlen(s.e[i].uid)) !=
		    &s.e[i])
			abort();
	}
	uidstate_free(&s);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	lines(p, size);
	body(p, size);
	(void)pop3_capa(p, size);
	state(p, size);
	return 0;
}
