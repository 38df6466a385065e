/*
 * fuzz_hdr: hdr_next, hdr_unfold and hdr_find over an arbitrary header
 * section, and rfc2047_decode of each unfolded value, as hdrparse does.
 *
 * Checks beyond crashes: the iterator always advances and stays in the
 * buffer, a field's name and value lie inside its line, an unfolded
 * value has no CR or LF and no surrounding white space, a cap is never
 * passed, and hdr_find agrees with the first match of the iteration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *names[] = { "subject", "from", "content-type", "x" };

static int
inside(const char *a, size_t an, const char *b, size_t bn)
{
	return a >= b && an <= bn && (size_t)(a - b) <= bn - an;
}

static void
check_unfold(const struct hdrfield *f, size_t cap)
{
	struct buf v, d;
	int r;

	buf_init(&v, cap);
	r = hdr_unfold(f->val, f->vallen, &v);
	if (v.len > cap || (r == 0 && v.len > f->vallen))
		abort();
	if (r == 0 && v.len > 0 && (memchr(v.p, '\n', v.len) ||
	    memchr(v.p, '\r', v.len) || v.p[0] == ' ' || v.p[0] == '\t' ||
	    v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		abort();
	buf_init(&d, cap);
	if (rfc2047_decode(v.p ? v.p : "", v.len, &d) == 0 && d.len > cap)
		abort();
	buf_free(&d);
	buf_free(&v);
}

static void
check_find(const char *p, size_t size, const char *name)
{
	struct hdrfield f, g;
	size_t off = 0;
	int found = 0, r;

	while (hdr_next(p, size, &off, &g))
		if (hdr_is(&g, name)) {
			found = 1;
			break;
		}
	r = hdr_find(p, size, name, &f);
	if (r != found || (r && (f.name != g.name || f.vallen != g.vallen)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct hdrfield f;
	size_t off = 0, prev, i, cap = size ? (size_t)data[size - 1] * 4 : 0;

	for (;;) {
		prev = off;
		if (!hdr_next(p, size, &off, &f))
			break;
		if (off <= prev || off > size || f.namelen == 0 ||
		    !inside(f.line, f.linelen, p, size) ||
		    !inside(f.name, f.namelen, f.line, f.linelen) ||
		    !inside(f.val, f.vallen, f.line, f.linelen))
			abort();
		check_unfold(&f, cap);
	}
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		check_find(p, size, names[i]);
	return 0;
}
