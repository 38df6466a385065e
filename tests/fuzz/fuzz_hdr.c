/*
 * fuzz_hdr: hdr_next, hdr_unfold and hdr_find over an arbitrary header
 * section, and rfc2047_decode of each unfolded value, as hdrparse does;
 * hdr_line, the rule of where a header ends, over its prefixes.
 *
 * Checks beyond crashes: the iterator always advances and stays in the
 * buffer, a field's name and value lie inside its line, an unfolded
 * value has no CR or LF and no surrounding white space, a cap is never
 * passed, and hdr_find agrees with the first match of the iteration.
 * hdr_line answers the same however the input is cut (a streaming
 * reader gets HDR_MORE or the final answer, never another one), and a
 * line it calls a field is the field hdr_next finds there.
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

static void
check_line(const char *p, size_t size)
{
	struct hdrfield f;
	size_t k, off = 0;
	int all = hdr_line(p, size, 0), r;

	if (all == HDR_MORE)
		abort();
	for (k = 0; k <= size; k++) {
		if (k > 128 && k + 2 < HDR_AHEAD)
			k = HDR_AHEAD - 2;
		if (k > size || k > HDR_AHEAD + 1)
			break;
		r = hdr_line(p, k, 1);
		if (r != HDR_MORE && r != all)
			abort();
	}
	if (all == HDR_FIELD && (!hdr_next(p, size, &off, &f) || f.line != p))
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
	check_line(p, size);
	return 0;
}
