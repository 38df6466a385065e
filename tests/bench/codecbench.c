/*
 * codecbench: throughput of common/codec on data held in memory.
 *
 * Build and run from the top of the tree:
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Icommon \
 *       tests/bench/codecbench.c common/codec.c common/util.c \
 *       -o build/codecbench && build/codecbench [-s] [-m MIB] [-c CHUNK]
 *       [-w FILE] [-R FILE] [-T FILE] [-Q FILE]
 *   build/codecbench [-s] -p b64d|b64e|qpd|qpe < IN > OUT
 *
 * -s takes the scalar decoders where the CPU has AVX2 (codec_simd(0)).
 *
 * base64: MIB MiB (default 256) of random bytes, encoded in 76-column
 * lines with LF, then decoded.  quoted-printable: MIB MiB of text-like
 * data (words, punctuation, some UTF-8, lines of 40-100 characters),
 * encoded and decoded.  The coders are fed CHUNK bytes at a time (default
 * 64 KiB, as a streaming reader would).  Each figure is the best of three
 * runs, counts the bytes fed in, and is measured in CPU time so that other
 * load on the machine disturbs it less (the wall time is shown too).  -w FILE also writes the base64 text
 * there, for comparison with `time base64 -d < FILE > /dev/null`.  So that
 * other coders can be timed on the very same data: -R FILE writes the
 * random bytes (the base64 encoder's input), -T FILE the text (the
 * quoted-printable encoder's input) and -Q FILE its quoted-printable
 * encoding (the decoder's input).
 *
 * -p CODER is a filter instead, to be timed as a whole process against
 * another whole process (coreutils `base64 -d < IN > OUT`): it reads
 * standard input 64 KiB at a time, codes it and writes standard output,
 * as mimeunpack's streaming decoder does; no figure is printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "util.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef size_t update_fn(void *st, const char *in, size_t n, char *out);
typedef size_t final_fn(void *st, char *out);
typedef void init_fn(void *st);

static void b64d_init(void *st) { b64_dec_init(st); }
static void b64e_init(void *st) { b64_enc_init(st); }
static void qpd_init(void *st) { qp_dec_init(st); }
static void qpe_init(void *st) { qp_enc_init(st, 0); }
static size_t b64d_up(void *st, const char *in, size_t n, char *out)
{ return b64_dec_update(st, in, n, out); }
static size_t b64e_up(void *st, const char *in, size_t n, char *out)
{ return b64_enc_update(st, in, n, out); }
static size_t qpd_up(void *st, const char *in, size_t n, char *out)
{ return qp_dec_update(st, in, n, out); }
static size_t qpe_up(void *st, const char *in, size_t n, char *out)
{ return qp_enc_update(st, in, n, out); }
static size_t b64d_fin(void *st, char *out) { return b64_dec_final(st, out); }
static size_t b64e_fin(void *st, char *out) { return b64_enc_final(st, out); }
static size_t qpd_fin(void *st, char *out) { return qp_dec_final(st, out); }
static size_t qpe_fin(void *st, char *out) { return qp_enc_final(st, out); }

struct coder {
	const char *name;
	init_fn *init;
	update_fn *update;
	final_fn *final;
};

static union {
	struct b64_dec bd;
	struct b64_enc be;
	struct qp_dec qd;
	struct qp_enc qe;
} state;

/* Run c over in[0..n) in chunks into out; the output length. */
static size_t
run(const struct coder *c, const char *in, size_t n, size_t chunk,
    char *out)
{
	size_t i, o = 0;

	c->init(&state);
	for (i = 0; i < n; i += chunk)
		o += c->update(&state, in + i, n - i < chunk ? n - i : chunk,
		    out + o);
	return o + c->final(&state, out + o);
}

static size_t
timed(const struct coder *c, const char *in, size_t n, size_t chunk,
    char *out)
{
	double best = 1e9, wall = 1e9;
	size_t o = 0;

	for (int k = 0; k < 3; k++) {
		double t = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		double w = clock_s(CLOCK_MONOTONIC);

		o = run(c, in, n, chunk, out);
		t = clock_s(CLOCK_PROCESS_CPUTIME_ID) - t;
		w = clock_s(CLOCK_MONOTONIC) - w;
		if (t < best)
			best = t;
		if (w < wall)
			wall = w;
	}
	printf("%-14s %8.1f MB/s  (%zu bytes in, %zu out, %.3f s CPU, "
	    "%.3f s wall)\n", c->name, (double)n / best / 1e6, n, o, best,
	    wall);
	return o;
}

/* the filter of -p: stdin through c to stdout */
static int
filter(const struct coder *c)
{
	static char in[65536], out[QP_ENC_BOUND(65536) + QP_ENC_FINAL_MAX];
	size_t n, o;

	c->init(&state);
	while ((n = fread(in, 1, sizeof in, stdin)) > 0) {
		o = c->update(&state, in, n, out);
		if (fwrite(out, 1, o, stdout) != o)
			die(EX_IOERR, "standard output:");
	}
	if (ferror(stdin))
		die(EX_IOERR, "standard input:");
	o = c->final(&state, out);
	if (fwrite(out, 1, o, stdout) != o || fflush(stdout) != 0)
		die(EX_IOERR, "standard output:");
	return 0;
}

static void
save(const char *file, const char *p, size_t n)
{
	FILE *f;

	if (file == NULL)
		return;
	if ((f = fopen(file, "w")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0)
		die(EX_CANTCREAT, "%s:", file);
}

static void
text(char *p, size_t n)
{
	static const char *extra[] = { ", ", ". ", "\xc3\xa9", "\xe2\x80\x94",
	    "=", "\t", "  ", "!" };
	size_t i = 0, col = 0;

	while (i + 8 < n) {
		uint64_t r = next();

		if (col > 40 + r % 60) {
			p[i++] = '\n';
			col = 0;
		} else if (r % 16 == 0) {
			const char *e = extra[(r >> 4) % 8];

			memcpy(p + i, e, strlen(e));
			i += strlen(e);
			col += strlen(e);
		} else {
			size_t w = 1 + (r >> 8) % 8;

			for (size_t j = 0; j < w; j++)
				p[i + j] = (char)('a' + (r >> (16 + 4 * j)) % 26);
			p[i + w] = ' ';
			i += w + 1;
			col += w + 1;
		}
	}
	while (i < n)
		p[i++] = '\n';
}

int
main(int argc, char **argv)
{
	static const struct coder b64e = { "base64 encode", b64e_init,
	    b64e_up, b64e_fin };
	static const struct coder b64d = { "base64 decode", b64d_init,
	    b64d_up, b64d_fin };
	static const struct coder qpe = { "qp encode", qpe_init, qpe_up,
	    qpe_fin };
	static const struct coder qpd = { "qp decode", qpd_init, qpd_up,
	    qpd_fin };
	size_t mib = 256, chunk = 65536, n, en, dn;
	const char *wfile = NULL, *rfile = NULL, *tfile = NULL, *qfile = NULL;
	const char *filt = NULL;
	char *raw, *enc, *dec;
	int ch;

	setprogname(argv[0]);
	while ((ch = getopt(argc, argv, "c:m:p:sw:Q:R:T:")) != -1) {
		switch (ch) {
		case 'c': chunk = strtoul(optarg, NULL, 10); break;
		case 'm': mib = strtoul(optarg, NULL, 10); break;
		case 'p': filt = optarg; break;
		case 's': codec_simd(0); break;     /* the scalar decoders */
		case 'w': wfile = optarg; break;
		case 'Q': qfile = optarg; break;
		case 'R': rfile = optarg; break;
		case 'T': tfile = optarg; break;
		default:
			fprintf(stderr, "usage: codecbench [-s] [-m MIB] [-c CHUNK] "
			    "[-w FILE] [-R FILE] [-T FILE] [-Q FILE]\n"
			    "       codecbench [-s] -p b64d|b64e|qpd|qpe\n");
			return EX_USAGE;
		}
	}
	if (filt != NULL) {
		const struct coder *c = strcmp(filt, "b64d") == 0 ? &b64d :
		    strcmp(filt, "b64e") == 0 ? &b64e :
		    strcmp(filt, "qpd") == 0 ? &qpd :
		    strcmp(filt, "qpe") == 0 ? &qpe : NULL;

		if (c == NULL)
			die(EX_USAGE, "-p %s: not b64d, b64e, qpd or qpe", filt);
		return filter(c);
	}
	if (chunk == 0 || mib == 0)
		die(EX_USAGE, "-c and -m must be positive");
	n = mib << 20;
	raw = xmalloc(n);
	enc = xmalloc(QP_ENC_BOUND(n) + QP_ENC_FINAL_MAX);
	dec = xmalloc(n + QP_WSMAX + 16);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = next();

		memcpy(raw + i, &r, n - i < 8 ? n - i : 8);
	}
	save(rfile, raw, n);
	en = timed(&b64e, raw, n, chunk, enc);
	dn = timed(&b64d, enc, en, chunk, dec);
	if (dn != n || memcmp(raw, dec, n) != 0)
		die(EX_SOFTWARE, "base64 round trip differs");
	save(wfile, enc, en);
	text(raw, n);
	save(tfile, raw, n);
	en = timed(&qpe, raw, n, chunk, enc);
	save(qfile, enc, en);
	dn = timed(&qpd, enc, en, chunk, dec);
	if (dn != n || memcmp(raw, dec, n) != 0)
		die(EX_SOFTWARE, "quoted-printable round trip differs");
	return 0;
}
