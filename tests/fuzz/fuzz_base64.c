/*
 * fuzz_base64: the base64 coder of common/codec.
 *
 * The input is decoded whole and in pieces whose sizes come from the
 * input itself; both must agree, byte for byte and flag for flag.  Every
 * call writes into a heap buffer of exactly its documented bound, so ASan
 * catches a bound that is too small.  Then the input is encoded (lines of
 * 76 at most) and decoded back to itself.  Where the padding ended the
 * data, more base64 after the input must change neither bytes nor flags
 * (beyond CODEC_AFTERPAD).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int done;        /* the last decode stopped at the padding */

/* Decode (enc = 0) or encode in pieces of `step` bytes (0: varying). */
static char *
run(int enc, const char *in, size_t n, size_t step, size_t *outlen,
    int *flags)
{
	char *out = malloc(n / 3 * 4 + n / 57 + 16), *tmp;
	struct b64_dec d;
	struct b64_enc e;
	size_t i = 0, o = 0, m, w;

	b64_dec_init(&d);
	b64_enc_init(&e);
	while (i < n) {
		m = step ? step : 1 + (unsigned char)in[i] % 23;
		if (m > n - i)
			m = n - i;
		tmp = malloc(enc ? B64_ENC_BOUND(m) : B64_DEC_BOUND(m));
		w = enc ? b64_enc_update(&e, in + i, m, tmp) :
		    b64_dec_update(&d, in + i, m, tmp);
		memcpy(out + o, tmp, w);
		free(tmp);
		o += w;
		i += m;
	}
	tmp = malloc(enc ? B64_ENC_FINAL_MAX : B64_DEC_FINAL_MAX);
	w = enc ? b64_enc_final(&e, tmp) : b64_dec_final(&d, tmp);
	memcpy(out + o, tmp, w);
	free(tmp);
	*outlen = o + w;
	*flags = d.flags;
	done = d.done;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t n1, n2, n3, en, dn, col = 0;
	int f1, f2, f3, fe;
	char *o1 = run(0, in, size, size ? size : 1, &n1, &f1);
	char *o2 = run(0, in, size, 1, &n2, &f2);
	char *o3 = run(0, in, size, 0, &n3, &f3);
	char *e, *d, *o4;
	size_t n4;
	int f4, was;

	/* and the scalar fast paths, which AVX2 would otherwise hide */
	was = codec_simd(0);
	o4 = run(0, in, size, size ? size : 1, &n4, &f4);
	codec_simd(was);
	if (n4 != n1 || memcmp(o4, o1, n1) != 0 || f4 != f1)
		abort();
	free(o4);
	if (n1 != n2 || n1 != n3 || memcmp(o1, o2, n1) != 0 ||
	    memcmp(o1, o3, n1) != 0 || f1 != f2 || f1 != f3)
		abort();
	if (done) {
		char *more = malloc(size + 9), *o5;
		size_t n5;
		int f5;

		memcpy(more, in, size);
		memcpy(more + size, "\nQUJDRA==", 9);
		o5 = run(0, more, size + 9, 0, &n5, &f5);
		if (n5 != n1 || memcmp(o5, o1, n1) != 0 ||
		    (f5 | CODEC_AFTERPAD) != (f1 | CODEC_AFTERPAD))
			abort();
		free(o5);
		free(more);
	}
	e = run(1, in, size, 0, &en, &fe);
	for (size_t i = 0; i < en; i++) {
		col = e[i] == '\n' ? 0 : col + 1;
		if (col > B64_LINE)
			abort();
	}
	if (en > 0 && e[en - 1] != '\n')
		abort();
	d = run(0, e, en, 0, &dn, &fe);
	if (dn != size || memcmp(d, in, size) != 0 || fe != 0)
		abort();
	free(o1);
	free(o2);
	free(o3);
	free(e);
	free(d);
	return 0;
}
