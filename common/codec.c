/*
 * codec: see codec.h.
 *
 * Every coder is a byte-at-a-time state machine, which is what makes the
 * output independent of chunk boundaries.  Speed comes from fast paths
 * that take over while no state is pending: whole 76-column base64 lines
 * and quanta through lookup tables, whole quoted-printable lines when the
 * line end is in view.  A fast path must produce exactly what the slow
 * path would; the unit tests and the fuzzers compare whole-buffer runs
 * against one-byte feeds.
 */
#include "codec.h"

#include <stdint.h>
#include <string.h>

const char *
codec_why(int flag)
{
	switch (flag) {
	case CODEC_SKIPPED:   return "characters outside the alphabet skipped";
	case CODEC_AFTERPAD:  return "data after base64 padding ignored";
	case CODEC_TRUNCATED: return "base64 data ends in the middle of a byte";
	case CODEC_BADESC:    return "'=' not followed by two hex digits";
	case CODEC_BADLEN:    return "uuencoded line shorter than its length";
	case CODEC_NOEND:     return "uuencoded block without an end line";
	case CODEC_NOPAD:     return "base64 data without its '=' padding";
	case CODEC_OUTSIDE:   return "text outside the uuencoded block ignored";
	case CODEC_NOBEGIN:   return "no uuencode begin line, body taken as it is";
	default:              return "malformed encoding";
	}
}

/* Lookup tables, built by the compiler: R256(F) is F(0), ..., F(255). */
#define R4(f, i)   f(i), f((i) + 1), f((i) + 2), f((i) + 3)
#define R16(f, i)  R4(f, i), R4(f, (i) + 4), R4(f, (i) + 8), R4(f, (i) + 12)
#define R64(f, i)  R16(f, i), R16(f, (i) + 16), R16(f, (i) + 32), \
                   R16(f, (i) + 48)
#define R256(f)    R64(f, 0), R64(f, 64), R64(f, 128), R64(f, 192)

/* ---- base64 ------------------------------------------------------ */

#define V_WS  64        /* white space and line ends: skipped silently */
#define V_PAD 65        /* '=' */
#define V_BAD 66        /* anything else */
#define B64V(c) \
	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
	 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
	 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
	 (c) == '+' ? 62 : (c) == '/' ? 63 : (c) == '=' ? V_PAD : \
	 (c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' ? V_WS : V_BAD)

#define B64V8(c) ((unsigned char)B64V(c))    /* quiets clang on dead arms */
static const unsigned char b64val[256] = { R256(B64V8) };

/*
 * The fast path decodes a group of 8 characters into 6 bytes with one
 * 64-bit word: each of eight tables holds a character's sextet already
 * shifted to where its bits land in the 6 output bytes, so a group is
 * eight loads and ORs, and a character outside the alphabet sets B64_BAD,
 * which no valid character touches: one test per group, or per line.
 *
 * On a little-endian machine the word is laid out as the bytes are in
 * memory (byte i of the output is bits 8i..8i+7), so one 8-byte store
 * writes the group; bytes 6 and 7 of the store are overwritten by the next
 * one or lie within the output bound.  Elsewhere the word holds the 48
 * bits in their natural order from bit 63 down, and the bytes are taken
 * out with shifts.  Either way the table is built by the compiler.
 */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define B64_LE 1
#define B64_BAD ((uint64_t)1 << 63)     /* byte 7: never a data byte */
/* Bits 16..63 of v (the 6 bytes, first one highest) into memory order. */
#define B64L(v, i) (((v) >> (56 - 8 * (i)) & 0xff) << (8 * (i)))
#define B64LAY(v) (B64L(v, 0) | B64L(v, 1) | B64L(v, 2) | B64L(v, 3) | \
                   B64L(v, 4) | B64L(v, 5))
#define B64BYTE(w, i) ((char)((w) >> (8 * (i))))
#else
#define B64_BAD ((uint64_t)1)           /* below the 48 data bits */
#define B64LAY(v) (v)
#define B64BYTE(w, i) ((char)((w) >> (56 - 8 * (i))))
#endif
/* Character c at position k (0..7) of a group. */
#define B64G(c, k) (B64V(c) < 64 ? \
	B64LAY((uint64_t)B64V(c) << (58 - 6 * (k))) : B64_BAD)
#define B64G0(c) B64G(c, 0)
#define B64G1(c) B64G(c, 1)
#define B64G2(c) B64G(c, 2)
#define B64G3(c) B64G(c, 3)
#define B64G4(c) B64G(c, 4)
#define B64G5(c) B64G(c, 5)
#define B64G6(c) B64G(c, 6)
#define B64G7(c) B64G(c, 7)
#ifndef __CPPCHECK__
static const uint64_t b64g[8][256] = {
	{ R256(B64G0) }, { R256(B64G1) }, { R256(B64G2) }, { R256(B64G3) },
	{ R256(B64G4) }, { R256(B64G5) }, { R256(B64G6) }, { R256(B64G7) },
};
#else
/* cppcheck (2.10) folds these 2 048 constant expressions for over three
 * minutes, and has nothing to say about them: it reads the declaration */
extern const uint64_t b64g[8][256];
#endif

/* A quantum (4 characters, 3 bytes) and a group (8, 6). */
#define QUANTUM(p) (b64g[0][(p)[0]] | b64g[1][(p)[1]] | \
                    b64g[2][(p)[2]] | b64g[3][(p)[3]])
#ifdef B64_LE
/*
 * Half the characters are read one by one, half with one 4-byte load and
 * shifts: read one by one, a character costs two loads, and loads limit
 * the loop.  Measured 8% faster than byte loads alone (AMD Zen 3); one
 * 8-byte load and shifts for all eight was slower than either.
 */
static inline uint64_t
group(const unsigned char *p)
{
	uint32_t x;

	memcpy(&x, p + 4, 4);
	return QUANTUM(p) | b64g[4][x & 0xff] | b64g[5][x >> 8 & 0xff] |
	    b64g[6][x >> 16 & 0xff] | b64g[7][x >> 24];
}
#define GROUP(p)   group(p)
#else
#define GROUP(p)   (QUANTUM(p) | b64g[4][(p)[4]] | b64g[5][(p)[5]] | \
                    b64g[6][(p)[6]] | b64g[7][(p)[7]])
#endif

/* The 3 bytes of a 24-bit value, highest first. */
static void
put3(char *o, uint32_t x)
{
	o[0] = (char)(x >> 16);
	o[1] = (char)(x >> 8);
	o[2] = (char)x;
}

/* The first 3 bytes of a table word. */
static void
putw3(char *o, uint64_t w)
{
	o[0] = B64BYTE(w, 0);
	o[1] = B64BYTE(w, 1);
	o[2] = B64BYTE(w, 2);
}

/* Writes 6 bytes; on little-endian machines 8, the last 2 garbage. */
static void
put6(char *o, uint64_t w)
{
#ifdef B64_LE
	memcpy(o, &w, 8);
#else
	putw3(o, w);
	o[3] = B64BYTE(w, 3);
	o[4] = B64BYTE(w, 4);
	o[5] = B64BYTE(w, 5);
#endif
}

/*
 * The 76 characters of a whole line into its 57 bytes, one test at the
 * end; 0 if one of them is not in the alphabet.  The 9th group's 2 extra
 * bytes are overwritten by the last quantum, so nothing lands past the
 * line's 57 bytes.
 */
static inline int
b64_line(const unsigned char *p, char *o)
{
	uint64_t bad = 0, w;

	for (int k = 0; k < 9; k++) {
		w = GROUP(p + 8 * k);
		bad |= w;
		put6(o + 6 * k, w);
	}
	w = QUANTUM(p + 72);
	bad |= w;
	putw3(o + 54, w);
	return !(bad & B64_BAD);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define B64_AVX2 1
#include <cpuid.h>
#include <immintrin.h>

/*
 * 32 characters into 24 bytes with AVX2, one test for all of them; 0 if
 * one is not in the alphabet.  Stores 32 bytes: the last 8 are garbage,
 * overwritten later or within the output bound (the callers see to it).
 *
 * A character is valid when no bit of lo[its low nibble] is in
 * hi[its high nibble].  The high nibbles fall into five classes by which
 * low nibbles they accept: 0, 1 and 8-f none (bit 0), 2 only b and f
 * ('+', '/'; bit 1), 3 only 0-9 (bit 2), 4 and 6 all but 0 (bit 3), 5
 * and 7 only 0-a (bit 4); lo[l] holds the classes that refuse l.  The
 * sextet is then the character plus an offset chosen by the high nibble,
 * with '/' moved down to slot 1 because '+' holds slot 2.
 */
#define B64_LANES(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) \
	_mm256_setr_epi8(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, \
	    a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)
__attribute__((target("avx2"))) static inline int
b64_avx2(const unsigned char *p, char *o)
{
	const __m256i lut_lo = B64_LANES(0x0b, 0x03, 0x03, 0x03, 0x03, 0x03,
	    0x03, 0x03, 0x03, 0x03, 0x07, 0x15, 0x17, 0x17, 0x17, 0x15);
	const __m256i lut_hi = B64_LANES(0x01, 0x01, 0x02, 0x04, 0x08, 0x10,
	    0x08, 0x10, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
	const __m256i roll = B64_LANES(0, 16, 19, 4, -65, -65, -71, -71,
	    0, 0, 0, 0, 0, 0, 0, 0);
	/* 3 bytes out of each 32-bit word, highest first, per 128-bit lane */
	const __m256i pack = B64_LANES(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13,
	    12, -1, -1, -1, -1);
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i in, hi, v;

	in = _mm256_loadu_si256((const __m256i *)(const void *)p);
	hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nib);
	v = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo,
	    _mm256_and_si256(in, nib)), _mm256_shuffle_epi8(lut_hi, hi));
	if (!_mm256_testz_si256(v, v))
		return 0;
	v = _mm256_add_epi8(in, _mm256_shuffle_epi8(roll, _mm256_add_epi8(hi,
	    _mm256_cmpeq_epi8(in, _mm256_set1_epi8('/')))));
	/* sextets a b c d: a<<6|b and c<<6|d in 16 bits, then 24 in 32 */
	v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
	v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
	v = _mm256_shuffle_epi8(v, pack);
	v = _mm256_permutevar8x32_epi32(v,
	    _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
	_mm256_storeu_si256((__m256i *)(void *)o, v);
	return 1;
}
#endif

/*
 * Decode whole quanta of valid characters, a line or a group at a time,
 * stepping over line ends between quanta.  Stops before anything else;
 * returns the new input position.  What it writes past *op on a failed
 * attempt is garbage within the output bound, overwritten later: at most
 * 8 bytes for 8 characters read, 32 for 32 with AVX2 (tried only with at
 * least 44 characters left, so B64_DEC_BOUND still holds).
 *
 * Where the next line starts is found by a branch, not computed from the
 * line end just read, so that the next line need not wait for that load.
 *
 * simd is a constant: b64_fast() and b64_fast_avx2() are this function
 * compiled twice.  With AVX2 a line is two blocks of 32 and the scalar
 * group and quantum of b64_line's end; the second block's 8 garbage bytes
 * are the ones that group overwrites.
 */
static inline __attribute__((always_inline)) const unsigned char *
b64_fast_body(const unsigned char *p, const unsigned char *end, char **op,
    int simd)
{
	char *o = *op;

	for (;;) {
		for (;;) {
			ptrdiff_t n;

			if (end - p >= 77 && p[76] == '\n')
				n = 77;
			else if (end - p >= 78 && p[76] == '\r' &&
			    p[77] == '\n')
				n = 78;
			else
				break;
#ifdef B64_AVX2
			if (simd) {
				uint64_t w1, w2;

				if (!b64_avx2(p, o) || !b64_avx2(p + 32, o + 24))
					break;
				w1 = GROUP(p + 64);
				w2 = QUANTUM(p + 72);
				if ((w1 | w2) & B64_BAD)
					break;
				put6(o + 48, w1);
				putw3(o + 54, w2);
			} else
#endif
			if (!b64_line(p, o))
				break;
			p += n;
			o += 57;
		}
#ifdef B64_AVX2
		while (simd && end - p >= 44 && b64_avx2(p, o)) {
			p += 32;
			o += 24;
		}
#endif
		while (end - p >= 8) {
			uint64_t w = GROUP(p);

			if (w & B64_BAD)
				break;
			put6(o, w);
			p += 8;
			o += 6;
		}
		while (end - p >= 4) {
			uint64_t w = QUANTUM(p);

			if (w & B64_BAD)
				break;
			putw3(o, w);
			p += 4;
			o += 3;
		}
		if (p == end || (*p != '\n' && *p != '\r'))
			break;
		p++;
	}
	*op = o;
	return p;
}

static const unsigned char *
b64_fast(const unsigned char *p, const unsigned char *end, char **op)
{
	return b64_fast_body(p, end, op, 0);
}

/*
 * Whether the decoders take their AVX2 paths: -1 until a decoder first
 * asks.  Not a constructor: on a virtual machine each cpuid instruction
 * traps to the hypervisor, and a program that never decodes (maildeliver
 * delivering a message) should not pay for it at every start; nor
 * __builtin_cpu_supports(), whose libgcc part is such a constructor.
 * Threads (hdrparse's readers) may race to set it: they store the same
 * value, and the accesses are atomic.
 */
#ifdef B64_AVX2
static int use_avx2 = -1;

/* AVX2 in the CPU, and the YMM registers saved by the kernel (XCR0). */
static int
cpu_avx2(void)
{
	unsigned a, b, c, d, lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return 0;
	__asm__ volatile ("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	(void)hi;
	if ((lo & 6) != 6)
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_AVX2) != 0;
}

static int
avx2(void)
{
	int v = __atomic_load_n(&use_avx2, __ATOMIC_RELAXED);

	if (v < 0) {
		v = cpu_avx2();
		__atomic_store_n(&use_avx2, v, __ATOMIC_RELAXED);
	}
	return v;
}

__attribute__((target("avx2"))) static const unsigned char *
b64_fast_avx2(const unsigned char *p, const unsigned char *end, char **op)
{
	return b64_fast_body(p, end, op, 1);
}
#endif

int
codec_simd(int on)
{
#ifdef B64_AVX2
	int was = avx2();

	__atomic_store_n(&use_avx2, on && cpu_avx2(), __ATOMIC_RELAXED);
	return was;
#else
	(void)on;
	return 0;
#endif
}

void
b64_dec_init(struct b64_dec *st)
{
	memset(st, 0, sizeof *st);
}

/* Write out a quantum of 2 or 3 sextets (missing padding, or at '='). */
static size_t
b64_flush(struct b64_dec *st, char *out)
{
	size_t n = 0;

	if (st->n == 1)
		st->flags |= CODEC_TRUNCATED;
	else if (st->n == 2) {
		out[0] = (char)(st->acc >> 4);
		n = 1;
	} else if (st->n == 3) {
		out[0] = (char)(st->acc >> 10);
		out[1] = (char)(st->acc >> 2);
		n = 2;
	}
	st->acc = 0;
	st->n = 0;
	return n;
}

/*
 * The slow path: one character.  The '=' that completes a quantum ends
 * the data, as in Python's binascii: "xy==" and "xyz=" do, a lone '='
 * after two sextets waits for its second one (a sextet instead cancels
 * it, CODEC_SKIPPED), and an '=' where no padding can be is skipped.
 */
static size_t
b64_dec_byte(struct b64_dec *st, unsigned char c, char *out)
{
	unsigned v = b64val[c];

	if (v < 64) {
		if (st->padded) {       /* "xy=" then data: the '=' was junk */
			st->flags |= CODEC_SKIPPED;
			st->padded = 0;
		}
		st->acc = st->acc << 6 | v;
		if (++st->n < 4)
			return 0;
		put3(out, (uint32_t)st->acc);
		st->acc = 0;
		st->n = 0;
		return 3;
	}
	if (v == V_PAD) {
		if (st->n < 2) {        /* no quantum to pad */
			st->flags |= CODEC_SKIPPED;
			return 0;
		}
		if (st->n == 2 && !st->padded) {
			st->padded = 1;
			return 0;
		}
		st->padded = 0;
		st->done = 1;
		return b64_flush(st, out);
	}
	if (v == V_BAD)
		st->flags |= CODEC_SKIPPED;
	return 0;
}

/* After the padding: nothing is decoded; anything but white space and
 * more '=' is flagged. */
static void
b64_after(struct b64_dec *st, const unsigned char *p,
    const unsigned char *end)
{
	for (; p < end && !(st->flags & CODEC_AFTERPAD); p++)
		if (b64val[*p] != V_WS && b64val[*p] != V_PAD)
			st->flags |= CODEC_AFTERPAD;
}

size_t
b64_dec_update(struct b64_dec *st, const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	char *o = out;

	while (p < end && !st->done) {
		if (st->n == 0) {
#ifdef B64_AVX2
			if (avx2())
				p = b64_fast_avx2(p, end, &o);
			else
#endif
				p = b64_fast(p, end, &o);
			if (p == end)
				break;
		}
		o += b64_dec_byte(st, *p++, o);
	}
	if (st->done)
		b64_after(st, p, end);
	return (size_t)(o - out);
}

size_t
b64_dec_final(struct b64_dec *st, char *out)
{
	if (st->done)
		return 0;
	if (st->n >= 2)
		st->flags |= CODEC_NOPAD;
	return b64_flush(st, out);
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode one quantum of 3 bytes; returns the output position. */
static char *
enc3(const unsigned char *p, char *o)
{
	uint32_t x = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	o[0] = b64chars[x >> 18];
	o[1] = b64chars[x >> 12 & 63];
	o[2] = b64chars[x >> 6 & 63];
	o[3] = b64chars[x & 63];
	return o + 4;
}

void
b64_enc_init(struct b64_enc *st)
{
	memset(st, 0, sizeof *st);
}

static char *
b64_enc_quantum(struct b64_enc *st, const unsigned char *p, char *o)
{
	o = enc3(p, o);
	st->col += 4;
	if (st->col == B64_LINE) {
		*o++ = '\n';
		st->col = 0;
	}
	return o;
}

size_t
b64_enc_update(struct b64_enc *st, const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	char *o = out;

	while (st->npend > 0 && p < end) {
		st->pend[st->npend++] = *p++;
		if (st->npend == 3) {
			o = b64_enc_quantum(st, st->pend, o);
			st->npend = 0;
		}
	}
	while (end - p >= 3) {
		if (st->col == 0 && end - p >= 57) {
			for (int i = 0; i < 19; i++, p += 3)
				o = enc3(p, o);
			*o++ = '\n';
			continue;
		}
		o = b64_enc_quantum(st, p, o);
		p += 3;
	}
	while (p < end)
		st->pend[st->npend++] = *p++;
	return (size_t)(o - out);
}

size_t
b64_enc_final(struct b64_enc *st, char *out)
{
	char *o = out;

	if (st->npend > 0) {
		unsigned char q[3] = { st->pend[0], 0, 0 };

		if (st->npend == 2)
			q[1] = st->pend[1];
		enc3(q, o);
		o[3] = '=';
		if (st->npend == 1)
			o[2] = '=';
		o += 4;
		st->col += 4;
		st->npend = 0;
	}
	if (st->col > 0)
		*o++ = '\n';
	st->col = 0;
	return (size_t)(o - out);
}

/* ---- quoted-printable -------------------------------------------- */

static const char hexdig[] = "0123456789ABCDEF";

#define HEXV(c) \
	((c) >= '0' && (c) <= '9' ? (c) - '0' : \
	 (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 : \
	 (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 : 16)
static const unsigned char hexval[256] = { R256(HEXV) };

int
codec_hexval(int c)
{
	return c < 0 || c > 255 || hexval[c] > 15 ? -1 : hexval[c];
}

/* Decoder: characters that need no thought (not '=', blank, CR, LF). */
#define QPD_PLAIN(c) \
	((c) != '=' && (c) != ' ' && (c) != '\t' && (c) != '\r' && (c) != '\n')
static const unsigned char qpd_plain[256] = { R256(QPD_PLAIN) };

enum { QD_TEXT, QD_EQ, QD_EQ1, QD_EQWS };

void
qp_dec_init(struct qp_dec *st)
{
	memset(st, 0, sizeof *st);
}

static int
qp_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *
qp_flushws(struct qp_dec *st, char *o)
{
	memcpy(o, st->ws, st->nws);
	o += st->nws;
	st->nws = 0;
	return o;
}

/* In text: white space waits until we know whether it ends the line. */
static char *
qp_dec_text(struct qp_dec *st, unsigned char c, char *o)
{
	if (c == '\n') {
		st->nws = 0;
		*o++ = '\n';
	} else if (qp_blank(c)) {
		if (st->nws == QP_WSMAX)
			o = qp_flushws(st, o);
		st->ws[st->nws++] = (char)c;
	} else {
		o = qp_flushws(st, o);
		if (c == '=')
			st->state = QD_EQ;
		else
			*o++ = (char)c;
	}
	return o;
}

/* An '=' that turned out not to start "=XX" or a soft break. */
static char *
qp_bare(struct qp_dec *st, char *o)
{
	st->flags |= CODEC_BADESC;
	*o++ = '=';
	if (st->state == QD_EQ1)
		*o++ = (char)st->hex;
	st->state = QD_TEXT;
	return qp_flushws(st, o);
}

static char *
qp_dec_byte(struct qp_dec *st, unsigned char c, char *o)
{
	switch (st->state) {
	case QD_EQ:
		if (hexval[c] < 16) {
			st->hex = c;
			st->state = QD_EQ1;
			return o;
		}
		/* FALLTHROUGH */
	case QD_EQWS:
		if (c == '\n') {                /* soft line break */
			st->nws = 0;
			st->state = QD_TEXT;
			return o;
		}
		if (qp_blank(c) && st->nws < QP_WSMAX) {
			st->ws[st->nws++] = (char)c;
			st->state = QD_EQWS;
			return o;
		}
		break;
	case QD_EQ1:
		if (hexval[c] < 16) {
			*o++ = (char)(hexval[st->hex] << 4 | hexval[c]);
			st->state = QD_TEXT;
			return o;
		}
		break;
	default:
		return qp_dec_text(st, c, o);
	}
	o = qp_bare(st, o);
	return qp_dec_text(st, c, o);
}

/*
 * The fast path where no line end is in view (the tail of a chunk), in
 * text with no white space pending: plain characters, "=XX", and spaces
 * followed by a plain character.
 */
static const unsigned char *
qp_dec_fast(const unsigned char *p, const unsigned char *end, char **op)
{
	char *o = *op;

	while (p < end) {
		unsigned char c = *p;

		if (qpd_plain[c]) {
			*o++ = (char)c;
			p++;
		} else if (c == '=' && end - p >= 3 && hexval[p[1]] < 16 &&
		    hexval[p[2]] < 16) {
			*o++ = (char)(hexval[p[1]] << 4 | hexval[p[2]]);
			p += 3;
		} else if (c == ' ' && end - p >= 2 && qpd_plain[p[1]]) {
			o[0] = ' ';
			o[1] = (char)p[1];
			o += 2;
			p += 2;
		} else
			break;
	}
	*op = o;
	return p;
}

#ifdef B64_AVX2
/*
 * Copy p.. up to the first '=' or t, 32 bytes at a time; returns where it
 * stopped.  Loads may look past t (never past end), and each store is 32
 * bytes whatever it keeps: that stays within the output bound, as from a
 * clean state a line's output never runs ahead of its input, and a store
 * is made only with 32 bytes of input left.
 */
__attribute__((target("avx2"))) static const unsigned char *
qp_run_avx2(const unsigned char *p, const unsigned char *t,
    const unsigned char *end, char **op)
{
	const __m256i eq = _mm256_set1_epi8('=');
	char *o = *op;

	while (end - p >= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
		uint64_t m = (uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(v, eq));

		if (t - p < 32)
			m |= (uint64_t)1 << (t - p);
		_mm256_storeu_si256((__m256i *)(void *)o, v);
		if (m != 0) {
			int k = __builtin_ctzll(m);

			*op = o + k;
			return p + k;
		}
		p += 32;
		o += 32;
	}
	while (p < t && *p != '=')
		*o++ = (char)*p++;
	*op = o;
	return p;
}
#endif

/*
 * The fast path for a whole line p..lf from a clean state: strip the
 * trailing white space, see whether it ends in a soft break, then copy
 * runs between '='.  Returns NULL, having done nothing, if the line ends
 * in more white space than the slow path would hold back.
 */
static char *
qp_dec_line(struct qp_dec *st, const unsigned char *p,
    const unsigned char *lf, const unsigned char *end, char *o)
{
	const unsigned char *t = lf, *eq;
	int soft;

	while (t > p && qp_blank(t[-1]))
		t--;
	if (lf - t > QP_WSMAX)
		return NULL;
	soft = t > p && t[-1] == '=';
	t -= soft;
	for (;;) {
#ifdef B64_AVX2
		if (avx2())
			eq = qp_run_avx2(p, t, end, &o);
		else
#endif
		{
			if ((eq = memchr(p, '=', (size_t)(t - p))) == NULL)
				eq = t;
			memcpy(o, p, (size_t)(eq - p));
			o += eq - p;
		}
		p = eq;
		if (p == t)
			break;
		if (t - p >= 3 && hexval[p[1]] < 16 && hexval[p[2]] < 16) {
			*o++ = (char)(hexval[p[1]] << 4 | hexval[p[2]]);
			p += 3;
		} else {
			st->flags |= CODEC_BADESC;
			*o++ = '=';
			p++;
		}
	}
	if (!soft)
		*o++ = '\n';
	return o;
}

size_t
qp_dec_update(struct qp_dec *st, const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	const unsigned char *lf;
	char *o = out, *lo;

	while (p < end) {
		if (st->state == QD_TEXT && st->nws == 0) {
			lf = memchr(p, '\n', (size_t)(end - p));
			if (lf && (lo = qp_dec_line(st, p, lf, end, o)) != NULL) {
				o = lo;
				p = lf + 1;
				continue;
			}
			if (lf == NULL) {
				p = qp_dec_fast(p, end, &o);
				if (p == end)
					break;
			}
		}
		o = qp_dec_byte(st, *p++, o);
	}
	return (size_t)(o - out);
}

/* At the end, trailing white space goes and a final '=' is a soft break. */
size_t
qp_dec_final(struct qp_dec *st, char *out)
{
	size_t n = 0;

	if (st->state == QD_EQ1) {
		st->flags |= CODEC_BADESC;
		out[0] = '=';
		out[1] = (char)st->hex;
		n = 2;
	}
	st->state = QD_TEXT;
	st->nws = 0;
	return n;
}

/* Encoder: bytes that stand for themselves (printable ASCII but '='). */
#define QPE_LIT(c) ((c) > ' ' && (c) < 127 && (c) != '=')
static const unsigned char qpe_lit[256] = { R256(QPE_LIT) };
/* ... and, inside a line, blanks too */
#define QPE_MID(c) (QPE_LIT(c) || (c) == ' ' || (c) == '\t')
static const unsigned char qpe_mid[256] = { R256(QPE_MID) };

void
qp_enc_init(struct qp_enc *st, int opts)
{
	memset(st, 0, sizeof *st);
	st->opts = opts;
}

/* Append a token of 1 or 3 characters, breaking the line first if needed. */
static char *
qp_put(struct qp_enc *st, char *o, const char *tok, int n)
{
	if (st->col + n > QP_LINE - 1) {
		*o++ = '=';
		*o++ = '\n';
		st->col = 0;
		/* '-': a soft break must not make "--boundary" a line
		 * start that the text did not have (RFC 2046 5.1.1) */
		if (n == 1 && (st->opts & QP_SAFE) &&
		    (tok[0] == '.' || tok[0] == 'F' || tok[0] == '-'))
			return qp_put(st, o, tok[0] == '.' ? "=2E" :
			    tok[0] == 'F' ? "=46" : "=2D", 3);
	}
	memcpy(o, tok, (size_t)n);
	st->col += n;
	return o + n;
}

static char *
qp_esc(struct qp_enc *st, char *o, unsigned char c)
{
	char tok[3] = { '=', hexdig[c >> 4], hexdig[c & 15] };

	return qp_put(st, o, tok, 3);
}

static char *
qp_lit(struct qp_enc *st, char *o, unsigned char c)
{
	char tok = (char)c;

	if (qpe_lit[c] || c == ' ' || c == '\t')
		return qp_put(st, o, &tok, 1);
	return qp_esc(st, o, c);
}

enum { HOLD_LITERAL, HOLD_EOL, HOLD_SPACE };

/* Write the held start of a line; why says what follows it. */
static char *
qp_unhold(struct qp_enc *st, char *o, int why)
{
	int i = 0;

	if (st->nhold == 1 && st->hold[0] == '.' && why == HOLD_EOL) {
		o = qp_esc(st, o, '.');
		i = 1;
	} else if (st->nhold == 4 && why == HOLD_SPACE) {
		o = qp_esc(st, o, 'F');
		i = 1;
	}
	for (; i < st->nhold; i++)
		o = qp_lit(st, o, (unsigned char)st->hold[i]);
	st->nhold = 0;
	return o;
}

/* The end of a line: a hard break, or the end of the input. */
static char *
qp_eol(struct qp_enc *st, char *o)
{
	o = qp_unhold(st, o, HOLD_EOL);
	if (st->ws) {
		o = qp_esc(st, o, (unsigned char)st->ws);
		st->ws = 0;
	}
	return o;
}

/* Hold "." and a prefix of "From" at the start of a line; 1 if held. */
static int
qp_hold(struct qp_enc *st, unsigned char c)
{
	if (!(st->opts & QP_SAFE))
		return 0;
	if (st->nhold == 0) {
		if (st->col != 0 || st->ws || (c != '.' && c != 'F'))
			return 0;
	} else if (st->hold[0] != 'F' || st->nhold == 4 ||
	    c != (unsigned char)"From"[st->nhold])
		return 0;
	st->hold[st->nhold++] = (char)c;
	return 1;
}

static char *
qp_enc_byte(struct qp_enc *st, unsigned char c, char *o)
{
	int text = !(st->opts & QP_BINARY);

	if (st->cr) {
		st->cr = 0;
		if (c == '\n')
			goto hardbreak;
		o = qp_unhold(st, o, HOLD_LITERAL);
		if (st->ws)
			o = qp_lit(st, o, (unsigned char)st->ws);
		st->ws = 0;
		o = qp_esc(st, o, '\r');
	}
	if (text && c == '\r') {
		st->cr = 1;
		return o;
	}
	if (text && c == '\n')
		goto hardbreak;
	if (c == ' ' || c == '\t') {
		o = qp_unhold(st, o, c == ' ' ? HOLD_SPACE : HOLD_LITERAL);
		if (st->ws)
			o = qp_lit(st, o, (unsigned char)st->ws);
		st->ws = c;
		return o;
	}
	if (st->ws) {
		o = qp_lit(st, o, (unsigned char)st->ws);
		st->ws = 0;
	}
	if (qp_hold(st, c))
		return o;
	o = qp_unhold(st, o, HOLD_LITERAL);
	return qp_lit(st, o, c);

hardbreak:
	o = qp_eol(st, o);
	*o++ = '\n';
	st->col = 0;
	return o;
}

/*
 * The fast path where no line end is in view (binary mode, or the tail of
 * a chunk), with nothing pending and not at the start of a line (where
 * QP_SAFE looks ahead): literal characters, spaces followed by one, and
 * escapes of 8-bit bytes, as long as the line has room.
 */
static const unsigned char *
qp_enc_fast(struct qp_enc *st, const unsigned char *p,
    const unsigned char *end, char **op)
{
	char *o = *op;
	int col = st->col, safe = st->opts & QP_SAFE;

	while (p < end && (col > 0 || !safe)) {
		unsigned char c = *p;

		if (qpe_lit[c] && col < QP_LINE - 1) {
			*o++ = (char)c;
			col++;
			p++;
		} else if (c == ' ' && end - p >= 2 && qpe_lit[p[1]] &&
		    col < QP_LINE - 2) {
			o[0] = ' ';
			o[1] = (char)p[1];
			o += 2;
			col += 2;
			p += 2;
		} else if (c >= 127 && col < QP_LINE - 3) {
			o[0] = '=';
			o[1] = hexdig[c >> 4];
			o[2] = hexdig[c & 15];
			o += 3;
			col += 3;
			p++;
		} else
			break;
	}
	st->col = col;
	*op = o;
	return p;
}

/*
 * The fast path in text mode for a whole line p..lf from a clean state:
 * the line is in view, so QP_SAFE needs no holding back and only the last
 * blank before the line end is special.
 */
static char *
qp_enc_line(struct qp_enc *st, const unsigned char *p,
    const unsigned char *lf, char *o)
{
	const unsigned char *e = lf, *last;
	int col;

	if (e > p && e[-1] == '\r')
		e--;
	last = e > p && (e[-1] == ' ' || e[-1] == '\t') ? e - 1 : e;
	if (st->col == 0 && (st->opts & QP_SAFE) &&
	    ((e - p == 1 && *p == '.') ||
	    (e - p >= 5 && memcmp(p, "From ", 5) == 0)))
		o = qp_esc(st, o, *p++);
	for (col = st->col; p < last; p++) {
		unsigned char c = *p;

		if (qpe_mid[c] && col < QP_LINE - 1) {
			*o++ = (char)c;
			col++;
			continue;
		}
		st->col = col;
		o = qp_lit(st, o, c);
		col = st->col;
	}
	st->col = col;
	if (last < e)
		o = qp_esc(st, o, *last);
	*o++ = '\n';
	st->col = 0;
	return o;
}

size_t
qp_enc_update(struct qp_enc *st, const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	const unsigned char *lf;
	char *o = out;
	int text = !(st->opts & QP_BINARY);

	while (p < end) {
		if (!st->cr && !st->ws && !st->nhold) {
			lf = text ? memchr(p, '\n', (size_t)(end - p)) : NULL;
			if (lf != NULL) {
				o = qp_enc_line(st, p, lf, o);
				p = lf + 1;
				continue;
			}
			p = qp_enc_fast(st, p, end, &o);
			if (p == end)
				break;
		}
		o = qp_enc_byte(st, *p++, o);
	}
	return (size_t)(o - out);
}

size_t
qp_enc_final(struct qp_enc *st, char *out)
{
	char *o = out;

	if (st->cr) {
		st->cr = 0;
		o = qp_unhold(st, o, HOLD_LITERAL);
		if (st->ws)
			o = qp_lit(st, o, (unsigned char)st->ws);
		st->ws = 0;
		o = qp_esc(st, o, '\r');
	}
	o = qp_eol(st, o);
	if (st->col > 0) {
		*o++ = '=';
		*o++ = '\n';
		st->col = 0;
	}
	return (size_t)(o - out);
}

/* ---- uuencode ---------------------------------------------------- */

enum {
	UU_OUT,         /* between blocks: lines are text */
	UU_IN,          /* inside a block: lines are data */
	UU_ZERO,        /* after the length-0 line: "end" expected */
	UU_LONG         /* in a text line too long to buffer */
};

void
uu_scan_init(struct uu_scan *st, uu_cb *cb, void *arg)
{
	memset(st, 0, sizeof *st);
	st->cb = cb;
	st->arg = arg;
}

/* The length of line p without its LF or CRLF. */
static size_t
uu_chomp(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* Is it ^begin [0-7]{3,4} .+$ ?  Sets the mode and the name. */
static int
uu_isbegin(struct uu_scan *st, const char *p, size_t n, size_t *name)
{
	size_t i;
	unsigned mode = 0;

	if (n < 6 || memcmp(p, "begin ", 6) != 0)
		return 0;
	for (i = 6; i < n && i < 10 && p[i] >= '0' && p[i] <= '7'; i++)
		mode = mode << 3 | (unsigned)(p[i] - '0');
	if (i < 9 || i + 1 >= n || p[i] != ' ')
		return 0;
	st->mode = mode;
	*name = i + 1;
	return 1;
}

static int
uu_isend(const char *p, size_t n)
{
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && memcmp(p, "end", 3) == 0;
}

static int
uu_char(char c)
{
	return c >= ' ' && c <= '`';
}

/*
 * Decode one data line: a length character, then groups of four.  Bytes
 * past the length are ignored; a short line gives what is there.
 * Returns 0 if the line is not uuencoded at all.
 */
static int
uu_data(struct uu_scan *st, const char *p, size_t n)
{
	char out[64];
	size_t want, need, have, i, k = 0;
	uint32_t acc = 0;

	if (!uu_char(p[0]))
		return 0;
	want = (size_t)((p[0] - ' ') & 63);
	need = (want + 2) / 3 * 4;
	have = n - 1 < need ? n - 1 : need;
	for (i = 1; i <= have; i++) {
		if (!uu_char(p[i]))
			return 0;
		acc = acc << 6 | (uint32_t)((p[i] - ' ') & 63);
		if (i % 4 == 0) {
			put3(out + k, acc);
			k += 3;
		}
	}
	if (have % 4 >= 2) {            /* a partial group at the end */
		put3(out + k, acc << 6 * (4 - have % 4));
		k += have % 4 * 6 / 8;
	}
	if (k < want)
		st->bflags |= CODEC_BADLEN;
	else
		k = want;
	if (k > 0)
		st->cb(st->arg, UU_DATA, out, k);
	return 1;
}

static void
uu_endblock(struct uu_scan *st, int flags)
{
	st->bflags |= flags;
	st->flags |= st->bflags;
	st->state = UU_OUT;
	st->cb(st->arg, UU_END, NULL, (size_t)st->bflags);
}

/* A whole line (LF included, unless at the end of the input). */
static void
uu_line(struct uu_scan *st, const char *p, size_t len)
{
	size_t n = uu_chomp(p, len), name;

	if (st->state == UU_IN || st->state == UU_ZERO) {
		if (uu_isend(p, n)) {
			uu_endblock(st, 0);
			return;
		}
		if (st->state == UU_IN && (n == 0 || p[0] == '`' || p[0] == ' ')) {
			st->state = UU_ZERO;
			return;
		}
		if (st->state == UU_IN && uu_data(st, p, n))
			return;
		uu_endblock(st, CODEC_NOEND);
	}
	if (uu_isbegin(st, p, n, &name)) {
		st->state = UU_IN;
		st->bflags = 0;
		st->cb(st->arg, UU_BEGIN, p + name, n - name);
	} else
		st->cb(st->arg, UU_TEXT, p, len);
}

void
uu_scan_update(struct uu_scan *st, const char *in, size_t len)
{
	while (len > 0) {
		const char *lf = memchr(in, '\n', len);
		size_t n = lf ? (size_t)(lf - in) + 1 : len;

		if (st->state == UU_LONG) {
			st->cb(st->arg, UU_TEXT, in, n);
			if (lf)
				st->state = UU_OUT;
		} else if (st->len + n <= UU_LINEMAX) {
			memcpy(st->line + st->len, in, n);
			st->len += n;
			if (lf) {
				uu_line(st, st->line, st->len);
				st->len = 0;
			}
		} else {
			/* Too long for data or "begin": pass it through. */
			if (st->state != UU_OUT)
				uu_endblock(st, CODEC_NOEND);
			if (st->len > 0)
				st->cb(st->arg, UU_TEXT, st->line, st->len);
			st->len = 0;
			st->state = UU_LONG;
			continue;
		}
		in += n;
		len -= n;
	}
}

void
uu_scan_final(struct uu_scan *st)
{
	if (st->len > 0 && st->state != UU_LONG)
		uu_line(st, st->line, st->len);
	st->len = 0;
	if (st->state == UU_IN || st->state == UU_ZERO)
		uu_endblock(st, CODEC_NOEND);
	st->state = UU_OUT;
}
