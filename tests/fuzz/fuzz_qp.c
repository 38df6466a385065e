/*
 * fuzz_qp: the quoted-printable coder of common/codec.
 *
 * The input is decoded whole and in pieces whose sizes come from the
 * input; both must agree.  Every call writes into a heap buffer of exactly
 * its documented bound, so ASan catches a bound that is too small.  Then
 * the input is encoded with the options in its first byte: the output
 * must obey RFC 2045 (lines of 76 at most, printable ASCII, no white space
 * before a line end, with QP_SAFE no "." or "From " line), encoding in
 * pieces must agree, and decoding must give the input back (in text mode
 * with CRLF turned into LF).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "../unit/qpcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode (opts < 0) or encode in pieces of `step` bytes (0: varying). */
static char *
run(int opts, const char *in, size_t n, size_t step, size_t *outlen,
    int *flags)
{
	char *out = malloc(QP_ENC_BOUND(n) + QP_ENC_FINAL_MAX), *tmp;
	struct qp_dec d;
	struct qp_enc e;
	size_t i = 0, o = 0, m, w;

	qp_dec_init(&d);
	qp_enc_init(&e, opts < 0 ? 0 : opts);
	while (i < n) {
		m = step ? step : 1 + (unsigned char)in[i] % 23;
		if (m > n - i)
			m = n - i;
		tmp = malloc(opts >= 0 ? QP_ENC_BOUND(m) : QP_DEC_BOUND(m));
		w = opts >= 0 ? qp_enc_update(&e, in + i, m, tmp) :
		    qp_dec_update(&d, in + i, m, tmp);
		memcpy(out + o, tmp, w);
		free(tmp);
		o += w;
		i += m;
	}
	tmp = malloc(opts >= 0 ? QP_ENC_FINAL_MAX : QP_DEC_FINAL_MAX);
	w = opts >= 0 ? qp_enc_final(&e, tmp) : qp_dec_final(&d, tmp);
	memcpy(out + o, tmp, w);
	free(tmp);
	*outlen = o + w;
	*flags = d.flags;
	return out;
}


static int
same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	int opts = size > 0 ? data[0] & (QP_BINARY | QP_SAFE) : 0;
	size_t n1, n2, n3, en, en1, dn, wn = 0;
	int f1, f2, f3, fe;
	char *o1 = run(-1, in, size, size ? size : 1, &n1, &f1);
	char *o2 = run(-1, in, size, 1, &n2, &f2);
	char *o3 = run(-1, in, size, 0, &n3, &f3);
	char *e, *e1, *d, *want = malloc(size + 1), *o4;
	size_t n4;
	int f4, was;

	/* and the scalar fast paths, which AVX2 would otherwise hide */
	was = codec_simd(0);
	o4 = run(-1, in, size, size ? size : 1, &n4, &f4);
	codec_simd(was);
	if (!same(o4, n4, o1, n1) || f4 != f1)
		abort();
	free(o4);
	if (!same(o1, n1, o2, n2) || !same(o1, n1, o3, n3) || f1 != f2 ||
	    f1 != f3)
		abort();
	e = run(opts, in, size, 0, &en, &fe);
	e1 = run(opts, in, size, 1, &en1, &fe);
	if (!same(e, en, e1, en1) || !qp_wellformed(e, en, opts))
		abort();
	d = run(-1, e, en, 0, &dn, &fe);
	for (size_t i = 0; i < size; i++)
		if ((opts & QP_BINARY) || !(in[i] == '\r' && i + 1 < size &&
		    in[i + 1] == '\n'))
			want[wn++] = in[i];
	if (!same(d, dn, want, wn) || fe != 0)
		abort();
	free(o1);
	free(o2);
	free(o3);
	free(e);
	free(e1);
	free(d);
	free(want);
	return 0;
}
