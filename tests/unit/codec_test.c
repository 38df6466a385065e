/*
 * codec_test: base64, quoted-printable and uuencode from common/codec.
 *
 * Expected values come from RFC 4648 and from Python's base64 and
 * binascii.b2a_uu, pasted here as literals.  Random tests use a fixed
 * seed, so every run checks the same inputs.  Each coder is also fed the
 * same input whole, one byte at a time and in random pieces: the outputs
 * must be identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "t.h"
#include "qpcheck.h"

static uint64_t rng = 42;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* A coder seen through one interface, so chunking tests can share code. */
enum kind { B64D, B64E, QPD, QPE };

static union {
	struct b64_dec bd;
	struct b64_enc be;
	struct qp_dec qd;
	struct qp_enc qe;
} st;

static int
kflags(enum kind k)
{
	return k == B64D ? st.bd.flags : k == QPD ? st.qd.flags : 0;
}

static size_t
kbound(enum kind k, size_t n)
{
	switch (k) {
	case B64D: return B64_DEC_BOUND(n);
	case B64E: return B64_ENC_BOUND(n);
	case QPD:  return QP_DEC_BOUND(n);
	default:   return QP_ENC_BOUND(n);
	}
}

static size_t
kupdate(enum kind k, const char *in, size_t n, char *out)
{
	switch (k) {
	case B64D: return b64_dec_update(&st.bd, in, n, out);
	case B64E: return b64_enc_update(&st.be, in, n, out);
	case QPD:  return qp_dec_update(&st.qd, in, n, out);
	default:   return qp_enc_update(&st.qe, in, n, out);
	}
}

static size_t
kfinal(enum kind k, char *out)
{
	switch (k) {
	case B64D: return b64_dec_final(&st.bd, out);
	case B64E: return b64_enc_final(&st.be, out);
	case QPD:  return qp_dec_final(&st.qd, out);
	default:   return qp_enc_final(&st.qe, out);
	}
}

/*
 * Run coder k with options opts over in, in pieces of `step` bytes
 * (0: random pieces).  Returns the output in a malloc'd buffer (*outlen);
 * *bounded is cleared if any call wrote more than its bound.
 */
static char *
code(enum kind k, int opts, const char *in, size_t n, size_t step,
    size_t *outlen, int *bounded)
{
	char *out = malloc(QP_ENC_BOUND(n) + QP_ENC_FINAL_MAX + 64);
	size_t o = 0, i = 0, m, w;

	switch (k) {
	case B64D: b64_dec_init(&st.bd); break;
	case B64E: b64_enc_init(&st.be); break;
	case QPD:  qp_dec_init(&st.qd); break;
	default:   qp_enc_init(&st.qe, opts); break;
	}
	while (i < n) {
		m = step ? step : 1 + rnd() % 200;
		if (m > n - i)
			m = n - i;
		w = kupdate(k, in + i, m, out + o);
		if (w > kbound(k, m))
			*bounded = 0;
		o += w;
		i += m;
	}
	w = kfinal(k, out + o);
	if (w > (k == B64D ? B64_DEC_FINAL_MAX : k == B64E ?
	    B64_ENC_FINAL_MAX : k == QPD ? QP_DEC_FINAL_MAX : QP_ENC_FINAL_MAX))
		*bounded = 0;
	*outlen = o + w;
	return out;
}

/* Code a C string whole, and check the result and the flags. */
static void
check(enum kind k, int opts, const char *in, size_t n, const char *want,
    size_t wantlen, int flags, const char *what)
{
	int bounded = 1;
	size_t on;
	char *o = code(k, opts, in, n, n ? n : 1, &on, &bounded);
	int ok = on == wantlen && memcmp(o, want, on) == 0;

	t_ok(ok && kflags(k) == flags && bounded, what);
	if (!ok)
		printf("#   got:  \"%.*s\"\n#   want: \"%.*s\"\n", (int)on, o,
		    (int)wantlen, want);
	if (kflags(k) != flags)
		printf("#   flags %#x, want %#x\n", kflags(k), flags);
	free(o);
}

#define CHECK(k, in, want, flags) \
	check(k, 0, in, sizeof(in) - 1, want, sizeof(want) - 1, flags, \
	    #k " " #in)
#define CHECKO(k, opts, in, want) \
	check(k, opts, in, sizeof(in) - 1, want, sizeof(want) - 1, 0, \
	    #k " " #opts " " #in)

/* Whole, byte by byte and in random pieces: the same output and flags. */
static int
same_chunked(enum kind k, int opts, const char *in, size_t n)
{
	int bounded = 1, f1, f2, f3, ok;
	size_t n1, n2, n3;
	char *o1 = code(k, opts, in, n, n ? n : 1, &n1, &bounded);
	char *o2, *o3;

	f1 = kflags(k);
	o2 = code(k, opts, in, n, 1, &n2, &bounded);
	f2 = kflags(k);
	o3 = code(k, opts, in, n, 0, &n3, &bounded);
	f3 = kflags(k);
	ok = bounded && n1 == n2 && n1 == n3 && memcmp(o1, o2, n1) == 0 &&
	    memcmp(o1, o3, n1) == 0 && f1 == f2 && f1 == f3;
	free(o1);
	free(o2);
	free(o3);
	return ok;
}

/* ---- base64 ------------------------------------------------------ */

/* An independent, obvious encoder to check the fast one against. */
static size_t
ref_b64(const unsigned char *p, size_t n, char *o)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, k = 0, col = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t x = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			x |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			x |= p[i + 2];
		o[k++] = a[x >> 18];
		o[k++] = a[x >> 12 & 63];
		o[k++] = i + 1 < n ? a[x >> 6 & 63] : '=';
		o[k++] = i + 2 < n ? a[x & 63] : '=';
		if ((col += 4) == 76 || i + 3 >= n) {
			o[k++] = '\n';
			col = 0;
		}
	}
	return k;
}

static void
test_b64_vectors(void)
{
	/* RFC 4648 §10 */
	CHECK(B64E, "", "", 0);
	CHECK(B64E, "f", "Zg==\n", 0);
	CHECK(B64E, "fo", "Zm8=\n", 0);
	CHECK(B64E, "foo", "Zm9v\n", 0);
	CHECK(B64E, "foob", "Zm9vYg==\n", 0);
	CHECK(B64E, "fooba", "Zm9vYmE=\n", 0);
	CHECK(B64E, "foobar", "Zm9vYmFy\n", 0);
	CHECK(B64D, "", "", 0);
	CHECK(B64D, "Zg==", "f", 0);
	CHECK(B64D, "Zm8=", "fo", 0);
	CHECK(B64D, "Zm9v", "foo", 0);
	CHECK(B64D, "Zm9vYg==", "foob", 0);
	CHECK(B64D, "Zm9vYmE=", "fooba", 0);
	CHECK(B64D, "Zm9vYmFy", "foobar", 0);
	CHECK(B64E, "\x00", "AA==\n", 0);
	CHECK(B64E, "\xff\xfe", "//4=\n", 0);
	CHECK(B64D, "+/+/", "\xfb\xff\xbf", 0);
	/* 57 bytes make exactly one full line */
	CHECK(B64E, "0123456789012345678901234567890123456789012345678901234567",
	    "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3"
	    "ODkwMTIzNDU2\nNw==\n", 0);
}

static void
test_b64_allbytes(void)
{
	static const char want[] =
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
	    "MDEyMzQ1Njc4\nOTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f"
	    "YGFiY2RlZmdoaWprbG1ub3Bx\ncnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
	    "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq\nq6ytrq+wsbKztLW2t7i5uru8vb6/"
	    "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj\n5OXm5+jp6uvs7e7v"
	    "8PHy8/T19vf4+fr7/P3+/w==\n";
	char all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	check(B64E, 0, all, 256, want, sizeof want - 1, 0,
	    "base64: bytes 0..255 encode as Python's encodebytes");
	check(B64D, 0, want, sizeof want - 1, all, 256, 0,
	    "base64: and decode back");
	t_ok(same_chunked(B64E, 0, all, 256) &&
	    same_chunked(B64D, 0, want, sizeof want - 1),
	    "base64: 0..255 the same in any pieces");
}

static void
test_b64_tolerance(void)
{
	CHECK(B64D, "Zm9v\r\nYmFy\r\n", "foobar", 0);
	CHECK(B64D, " Zm\t9v\nY mF\ny ", "foobar", 0);
	CHECK(B64D, "Zm9vYg", "foob", CODEC_NOPAD);
	CHECK(B64D, "Zm9vYmE", "fooba", CODEC_NOPAD);
	CHECK(B64D, "SGVsbG8gd29ybGQ", "Hello world", CODEC_NOPAD);
	CHECK(B64D, "Zm9vYg=", "foob", CODEC_NOPAD);
	CHECK(B64D, "Zm9v!Ym*Fy", "foobar", CODEC_SKIPPED);
	CHECK(B64D, "Zm9v\x80YmFy\xff", "foobar", CODEC_SKIPPED);
	CHECK(B64D, "=Zm9v", "foo", CODEC_SKIPPED);
	CHECK(B64D, "Zg===", "f", 0);
	CHECK(B64D, "Zm9vY", "foo", CODEC_TRUNCATED);
	/* an '=' after one sextet pads nothing: skipped, data go on */
	CHECK(B64D, "Zm9vY=Zm9v", "foo\x61\x99\xbd",
	    CODEC_SKIPPED | CODEC_TRUNCATED);
}

/*
 * Padding ends the data (Python's email decodes these the same): what
 * follows it is never decoded, only flagged, whatever it looks like.
 */
static void
test_b64_afterpad(void)
{
	CHECK(B64D, "aGVsbG8=\nPotentially malicious content\n", "hello",
	    CODEC_AFTERPAD);
	CHECK(B64D, "aGk=aGk=", "hi", CODEC_AFTERPAD);
	CHECK(B64D, "Zg==\nZm8=\n", "f", CODEC_AFTERPAD);
	CHECK(B64D, "aGVsbG8=\r\n\r\n  \t\n", "hello", 0);
	CHECK(B64D, "Zg==\n==\n=", "f", 0);
	CHECK(B64D, "aG=\n=\nZm9v", "h", CODEC_AFTERPAD);
	/* one '=' after two sextets is half a padding: data cancel it */
	CHECK(B64D, "aG=k", "hi", CODEC_SKIPPED | CODEC_NOPAD);
	CHECK(B64D, "aG=", "h", CODEC_NOPAD);
	CHECK(B64D, "-- \n", "", CODEC_SKIPPED);
}

static void
test_b64_random(void)
{
	int ok_ref = 1, ok_rt = 1, ok_chunk = 1, ok_lines = 1;

	for (int round = 0; round < 300; round++) {
		size_t n = round < 100 ? (size_t)round : rnd() % 5000;
		unsigned char *in = malloc(n + 1);
		char *ref = malloc(B64_ENC_BOUND(n) + 8), *e, *d;
		size_t en, dn, rn, i, col = 0;
		int bounded = 1;

		for (i = 0; i < n; i++)
			in[i] = (unsigned char)rnd();
		rn = ref_b64(in, n, ref);
		e = code(B64E, 0, (char *)in, n, 0, &en, &bounded);
		ok_ref &= en == rn && memcmp(e, ref, en) == 0;
		for (i = 0; i < en; i++) {
			col = e[i] == '\n' ? 0 : col + 1;
			ok_lines &= col <= 76;
		}
		d = code(B64D, 0, e, en, 0, &dn, &bounded);
		ok_rt &= dn == n && memcmp(d, in, n) == 0 &&
		    st.bd.flags == 0 && bounded;
		ok_chunk &= same_chunked(B64E, 0, (char *)in, n) &&
		    same_chunked(B64D, 0, e, en);
		free(in);
		free(ref);
		free(e);
		free(d);
	}
	t_ok(ok_ref, "base64: random data encodes like the reference");
	t_ok(ok_lines, "base64: no encoded line longer than 76");
	t_ok(ok_rt, "base64: random data round trip, random pieces");
	t_ok(ok_chunk, "base64: whole, 1-byte and random pieces agree");
}

/* Random junk around base64: pieces must not change the output. */
static void
test_b64_junk(void)
{
	static const char alpha[] = "AZaz09+/==  \t\r\n\n!-.\x80";
	int ok = 1;

	for (int round = 0; round < 500; round++) {
		size_t n = rnd() % 300;
		char *in = malloc(n + 1);

		for (size_t i = 0; i < n; i++)
			in[i] = rnd() % 4 ? (char)"QUJD"[rnd() % 4] :
			    alpha[rnd() % (sizeof alpha - 1)];
		ok &= same_chunked(B64D, 0, in, n);
		free(in);
	}
	t_ok(ok, "base64: junky input, whole and in pieces agree");
}

/*
 * The decoder's fast path (whole 76-column lines, groups of 8 and quanta
 * of 4 characters through tables) must give way to the careful loop at
 * every kind of irregularity, wherever it falls.  The text: 3 lines of
 * random data, LF or CRLF, 171 bytes.  Expected outputs are known without
 * the decoder: an insertion of white space or of a stray character leaves
 * the bytes as they were.  '=' changes them, so there the slow path (fed
 * one byte at a time, which never reaches the fast path) is the judge.
 */
#define FP_BYTES 171

static size_t
fp_text(const unsigned char *raw, int crlf, char *t)
{
	char *e = malloc(B64_ENC_BOUND(FP_BYTES) + B64_ENC_FINAL_MAX);
	struct b64_enc en;
	size_t n, k = 0;

	b64_enc_init(&en);
	n = b64_enc_update(&en, (const char *)raw, FP_BYTES, e);
	n += b64_enc_final(&en, e + n);
	for (size_t i = 0; i < n; i++) {
		if (e[i] == '\n' && crlf)
			t[k++] = '\r';
		t[k++] = e[i];
	}
	free(e);
	return k;
}

/* Decode in pieces of step bytes (0: random); compare with want. */
static int
fp_check(const char *in, size_t n, size_t step, const char *want,
    size_t wantlen, int flags)
{
	int bounded = 1, ok;
	size_t on;
	char *o = code(B64D, 0, in, n, step, &on, &bounded);

	ok = bounded && on == wantlen && memcmp(o, want, on) == 0 &&
	    st.bd.flags == flags;
	free(o);
	return ok;
}

static void
test_b64_fastpath(void)
{
	unsigned char raw[FP_BYTES];
	char t[400], v[400];
	static const char ws[] = " \t\r\n";
	static const char junk[] = "!-.*\x80\xff\x01";
	int ok_clean = 1, ok_ws = 1, ok_junk = 1, ok_pad = 1, ok_split = 1;
	int ok_lines = 1;

	for (size_t i = 0; i < FP_BYTES; i++)
		raw[i] = (unsigned char)rnd();
	for (int crlf = 0; crlf < 2; crlf++) {
		size_t n = fp_text(raw, crlf, t);

		ok_clean &= n == 231 + 3 * (size_t)crlf &&
		    fp_check(t, n, n, (char *)raw, FP_BYTES, 0);
		/* Every piece size: groups and lines split at every point. */
		for (size_t step = 1; step <= n; step++)
			ok_split &= fp_check(t, n, step, (char *)raw,
			    FP_BYTES, 0);
		for (size_t at = 0; at <= n; at++) {
			/* One character inserted before t[at]. */
			memcpy(v, t, at);
			memcpy(v + at + 1, t + at, n - at);
			for (size_t j = 0; j < sizeof ws - 1; j++) {
				v[at] = ws[j];
				ok_ws &= fp_check(v, n + 1, n + 1,
				    (char *)raw, FP_BYTES, 0) &&
				    fp_check(v, n + 1, 0, (char *)raw,
				    FP_BYTES, 0);
			}
			for (size_t j = 0; j < sizeof junk - 1; j++) {
				v[at] = junk[j];
				ok_junk &= fp_check(v, n + 1, n + 1,
				    (char *)raw, FP_BYTES, CODEC_SKIPPED) &&
				    fp_check(v, n + 1, 0, (char *)raw,
				    FP_BYTES, CODEC_SKIPPED);
			}
			v[at] = '=';
			ok_pad &= same_chunked(B64D, 0, v, n + 1);
			/* '=' in place of a character, too. */
			if (at < n && t[at] != '\n' && t[at] != '\r') {
				memcpy(v, t, n);
				v[at] = '=';
				ok_pad &= same_chunked(B64D, 0, v, n);
			}
		}
	}
	/* Lines of other lengths take the group and quantum loops. */
	for (size_t len = 4; len <= 96; len += 4) {
		char *e = malloc(2 * 4 * FP_BYTES);
		size_t k = 0, col = 0, nn = fp_text(raw, 0, t);

		for (size_t i = 0; i < nn; i++) {
			if (t[i] == '\n')
				continue;
			e[k++] = t[i];
			if (++col == len) {
				e[k++] = '\n';
				col = 0;
			}
		}
		ok_lines &= fp_check(e, k, k, (char *)raw, FP_BYTES, 0) &&
		    fp_check(e, k, 1, (char *)raw, FP_BYTES, 0) &&
		    same_chunked(B64D, 0, e, k);
		free(e);
	}
	t_ok(ok_clean, "base64 fast path: clean LF and CRLF lines decode");
	t_ok(ok_split, "base64 fast path: every piece size, same bytes");
	t_ok(ok_ws, "base64 fast path: white space at every position");
	t_ok(ok_junk, "base64 fast path: a stray byte at every position");
	t_ok(ok_pad, "base64 fast path: '=' at every position, as slow path");
	t_ok(ok_lines, "base64 fast path: lines of 4 to 96 characters");
}

/*
 * The fast path writes 8 bytes for 6: what it writes must stay within the
 * documented bound for the call, whatever the piece sizes.
 */
static void
test_b64_bound(void)
{
	unsigned char raw[FP_BYTES];
	char t[400];
	int ok = 1;

	for (size_t i = 0; i < FP_BYTES; i++)
		raw[i] = (unsigned char)rnd();
	for (int crlf = 0; crlf < 2; crlf++) {
		size_t n = fp_text(raw, crlf, t);

		for (size_t step = 1; step <= n; step++) {
			struct b64_dec d;
			char got[FP_BYTES + 8];
			size_t o = 0;

			b64_dec_init(&d);
			for (size_t i = 0; i < n; i += step) {
				size_t m = n - i < step ? n - i : step;
				size_t b = B64_DEC_BOUND(m), w;
				char *buf = malloc(b + 16);

				memset(buf, 0x5a, b + 16);
				w = b64_dec_update(&d, t + i, m, buf);
				for (size_t j = b; j < b + 16; j++)
					ok &= buf[j] == 0x5a;
				ok &= w <= b && o + w <= FP_BYTES;
				if (o + w <= FP_BYTES)
					memcpy(got + o, buf, w);
				o += w;
				free(buf);
			}
			ok &= b64_dec_final(&d, got) == 0 && o == FP_BYTES &&
			    memcmp(got, raw, FP_BYTES) == 0 && d.flags == 0;
		}
	}
	t_ok(ok, "base64 decoder: nothing written past the bound");
}

/* ---- quoted-printable -------------------------------------------- */

static void
test_qp_encode(void)
{
	CHECK(QPE, "", "", 0);
	CHECK(QPE, "hello\n", "hello\n", 0);
	CHECK(QPE, "hello", "hello=\n", 0);
	CHECK(QPE, "a=b\n", "a=3Db\n", 0);
	CHECK(QPE, "trailing \n", "trailing=20\n", 0);
	CHECK(QPE, "tab\t\n", "tab=09\n", 0);
	CHECK(QPE, "two  \nx", "two =20\nx=\n", 0);
	CHECK(QPE, "mid space ok\n", "mid space ok\n", 0);
	CHECK(QPE, "end \r\n", "end=20\n", 0);
	CHECK(QPE, "caf\xc3\xa9\n", "caf=C3=A9\n", 0);
	CHECK(QPE, "bell\x07 del\x7f\n", "bell=07 del=7F\n", 0);
	CHECK(QPE, "a\r\nb\r\n", "a\nb\n", 0);
	CHECK(QPE, "a\rb\n", "a=0Db\n", 0);
	CHECK(QPE, "a\r", "a=0D=\n", 0);
	CHECK(QPE, "a \r", "a =0D=\n", 0);
	CHECK(QPE, "\n\n", "\n\n", 0);
	CHECK(QPE, ".\nFrom me\n", ".\nFrom me\n", 0);
	CHECKO(QPE, QP_BINARY, "a\r\nb \n", "a=0D=0Ab =0A=\n");
	CHECKO(QPE, QP_SAFE, ".\n", "=2E\n");
	CHECKO(QPE, QP_SAFE, ".\r\n", "=2E\n");
	CHECKO(QPE, QP_SAFE, ".", "=2E=\n");
	CHECKO(QPE, QP_SAFE, "..\n. \n.x\n", "..\n.=20\n.x\n");
	CHECKO(QPE, QP_SAFE, "From me\n", "=46rom me\n");
	CHECKO(QPE, QP_SAFE, "a\nFrom\nFrog\nFrom\tx\n",
	    "a\nFrom\nFrog\nFrom\tx\n");
	CHECKO(QPE, QP_SAFE, "x From y\n", "x From y\n");
	/* 76 characters: 75 and a soft break, then 1 */
	CHECK(QPE,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\na\n",
	    0);
	/* an escape is never split by a soft break */
	CHECK(QPE,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n=3D\n",
	    0);
	/* a '.' pushed to the start of a line by a soft break */
	CHECKO(QPE, QP_SAFE,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n=2E\n");
	/* ... and a '-': "--boundary" must not become a delimiter line */
	CHECKO(QPE, QP_SAFE,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa--B x\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n=2D-B x\n");
}

static void
test_qp_decode(void)
{
	CHECK(QPD, "", "", 0);
	CHECK(QPD, "a=3Db", "a=b", 0);
	CHECK(QPD, "caf=C3=A9\n", "caf\xc3\xa9\n", 0);
	CHECK(QPD, "caf=c3=a9\n", "caf\xc3\xa9\n", 0);
	CHECK(QPD, "soft=\nbreak\n", "softbreak\n", 0);
	CHECK(QPD, "soft=\r\nbreak\r\n", "softbreak\n", 0);
	CHECK(QPD, "soft= \t\r\nbreak", "softbreak", 0);
	CHECK(QPD, "end=", "end", 0);
	CHECK(QPD, "trail   \nx \t \r\ny  ", "trail\nx\ny", 0);
	CHECK(QPD, "keep  =\nthis", "keep  this", 0);
	CHECK(QPD, "in  side\n", "in  side\n", 0);
	CHECK(QPD, "a=20\n", "a \n", 0);
	CHECK(QPD, "a\r\nb\r\n", "a\nb\n", 0);
	CHECK(QPD, "a\rb", "a\rb", 0);
	CHECK(QPD, "100% = sure\n", "100% = sure\n", CODEC_BADESC);
	CHECK(QPD, "a=zb", "a=zb", CODEC_BADESC);
	CHECK(QPD, "a=4g", "a=4g", CODEC_BADESC);
	CHECK(QPD, "a=4", "a=4", CODEC_BADESC);
	CHECK(QPD, "a==41", "a=A", CODEC_BADESC);
	CHECK(QPD, "8bit \xe9 kept", "8bit \xe9 kept", 0);
}

/* Random text through the encoder: every output line obeys RFC 2045. */
static const char qp_alpha[] = "aZ09.F..FFrom  \t\t\r\n\n\n==\x80\xff\x01";

static char *
qp_random(size_t n)
{
	char *p = malloc(n + 1);
	size_t i = 0;

	while (i < n) {
		if (rnd() % 16 == 0 && n - i >= 5) {
			memcpy(p + i, rnd() % 2 ? "From " : ".\r\n..", 5);
			i += 5;
		} else
			p[i++] = qp_alpha[rnd() % (sizeof qp_alpha - 1)];
	}
	return p;
}


/* Text mode turns CRLF into LF; otherwise the round trip is exact. */
static size_t
crlf_to_lf(const char *in, size_t n, char *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!(in[i] == '\r' && i + 1 < n && in[i + 1] == '\n'))
			o[k++] = in[i];
	return k;
}

static void
test_qp_random(void)
{
	static const int optsets[] = { 0, QP_SAFE, QP_BINARY,
	    QP_BINARY | QP_SAFE };
	int ok_form = 1, ok_rt = 1, ok_chunk = 1;

	for (int round = 0; round < 2000; round++) {
		int opts = optsets[round % 4];
		size_t n = round < 40 ? (size_t)round / 4 : rnd() % 600;
		char *in = qp_random(n), *want = malloc(n + 1), *e, *d;
		size_t en, dn, wn;
		int bounded = 1;

		e = code(QPE, opts, in, n, 0, &en, &bounded);
		ok_form &= qp_wellformed(e, en, opts) && bounded;
		d = code(QPD, 0, e, en, 0, &dn, &bounded);
		wn = opts & QP_BINARY ? n : crlf_to_lf(in, n, want);
		if (opts & QP_BINARY)
			memcpy(want, in, n);
		ok_rt &= dn == wn && memcmp(d, want, dn) == 0 &&
		    st.qd.flags == 0 && bounded;
		ok_chunk &= same_chunked(QPE, opts, in, n) &&
		    same_chunked(QPD, 0, in, n) && same_chunked(QPD, 0, e, en);
		free(in);
		free(want);
		free(e);
		free(d);
	}
	t_ok(ok_form, "qp: encoder lines <= 76, printable, no trailing "
	    "blanks, no \".\" or \"From \" lines with QP_SAFE");
	t_ok(ok_rt, "qp: random text round trip (CRLF becomes LF)");
	t_ok(ok_chunk, "qp: whole, 1-byte and random pieces agree");
}

/* Long runs of blanks go past QP_WSMAX. */
static void
test_qp_longblanks(void)
{
	char in[600];
	int bounded = 1;
	size_t n;
	char *o;

	memset(in, ' ', sizeof in);
	memcpy(in, "x=", 2);
	in[sizeof in - 1] = '\n';
	t_ok(same_chunked(QPD, 0, in, sizeof in) &&
	    same_chunked(QPD, 0, in + 2, sizeof in - 2) &&
	    same_chunked(QPE, 0, in, sizeof in),
	    "qp: long runs of blanks, whole and in pieces agree");
	o = code(QPD, 0, in + 2, sizeof in - 2, 1, &n, &bounded);
	t_int((long long)n, 597 / QP_WSMAX * QP_WSMAX + 1,
	    "qp: a blank run longer than QP_WSMAX keeps whole buffers only");
	free(o);
}

/* ---- uuencode ---------------------------------------------------- */

struct uulog {
	char text[4096], data[4096], name[256], ev[64];
	size_t ntext, ndata, nname, nev;
	int endflags;
};

static void
uu_collect(void *arg, enum uu_event ev, const char *p, size_t n)
{
	struct uulog *l = arg;

	switch (ev) {
	case UU_TEXT:
		memcpy(l->text + l->ntext, p, n);
		l->ntext += n;
		if (l->nev == 0 || l->ev[l->nev - 1] != 'T')
			l->ev[l->nev++] = 'T';
		return;
	case UU_BEGIN:
		memcpy(l->name, p, n);
		l->nname = n;
		l->ev[l->nev++] = 'B';
		return;
	case UU_DATA:
		memcpy(l->data + l->ndata, p, n);
		l->ndata += n;
		if (l->ev[l->nev - 1] != 'D')
			l->ev[l->nev++] = 'D';
		return;
	case UU_END:
		l->endflags = (int)n;
		l->ev[l->nev++] = 'E';
		return;
	}
}

/* Scan in pieces of `step` (0: random); the log in l. */
static unsigned
uu_run(const char *in, size_t n, size_t step, struct uulog *l)
{
	struct uu_scan s;
	size_t i = 0, m;

	memset(l, 0, sizeof *l);
	uu_scan_init(&s, uu_collect, l);
	for (; i < n; i += m) {
		m = step ? step : 1 + rnd() % 40;
		if (m > n - i)
			m = n - i;
		uu_scan_update(&s, in + i, m);
	}
	uu_scan_final(&s);
	return s.mode;
}

static int
uu_same(const struct uulog *a, const struct uulog *b)
{
	return a->ntext == b->ntext && a->ndata == b->ndata &&
	    a->nname == b->nname && a->nev == b->nev &&
	    a->endflags == b->endflags &&
	    memcmp(a->text, b->text, a->ntext) == 0 &&
	    memcmp(a->data, b->data, a->ndata) == 0 &&
	    memcmp(a->name, b->name, a->nname) == 0 &&
	    memcmp(a->ev, b->ev, a->nev) == 0;
}

/* Scan whole and in pieces; check the events, text, name, data, flags. */
static void
uu_check(const char *in, const char *ev, const char *text,
    const char *name, const char *data, size_t ndata, int flags,
    const char *what)
{
	static struct uulog a, b, c;
	size_t n = strlen(in);

	uu_run(in, n, n ? n : 1, &a);
	uu_run(in, n, 1, &b);
	uu_run(in, n, 0, &c);
	t_ok(uu_same(&a, &b) && uu_same(&a, &c) &&
	    a.nev == strlen(ev) && memcmp(a.ev, ev, a.nev) == 0 &&
	    a.ntext == strlen(text) && memcmp(a.text, text, a.ntext) == 0 &&
	    a.nname == strlen(name) && memcmp(a.name, name, a.nname) == 0 &&
	    a.ndata == ndata && memcmp(a.data, data, ndata) == 0 &&
	    a.endflags == flags, what);
	if (a.nev != strlen(ev) || memcmp(a.ev, ev, a.nev) != 0)
		printf("#   events \"%.*s\", want \"%s\"\n", (int)a.nev, a.ev, ev);
	if (a.endflags != flags)
		printf("#   flags %#x, want %#x\n", a.endflags, flags);
}

/* binascii.b2a_uu(b'Hello, world!\n' + bytes(range(40))), 45 a line */
#define UU_L1 "M2&5L;&\\L('=O<FQD(0H``0(#!`4&!P@)\"@L,#0X/$!$2$Q05%A<8&1H;'!T>\n"
#define UU_L2 ")'R`A(B,D)28G\n"
#define UU_S1 "M2&5L;&\\L('=O<FQD(0H  0(#! 4&!P@)\"@L,#0X/$!$2$Q05%A<8&1H;'!T>\n"
#define UU_S2 ")'R A(B,D)28G\n"

static void
test_uu(void)
{
	char data[54];

	memcpy(data, "Hello, world!\n", 14);
	for (int i = 0; i < 40; i++)
		data[14 + i] = (char)i;
	uu_check("begin 644 hello.bin\n" UU_L1 UU_L2 "`\nend\n", "BDE", "",
	    "hello.bin", data, 54, 0, "uu: a block with '`' decodes exactly");
	uu_check("begin 0644 hello.bin\n" UU_S1 UU_S2 " \nend\n", "BDE", "",
	    "hello.bin", data, 54, 0, "uu: old style with spaces");
	uu_check("begin 644 a b.txt\r\n"
	    "M2&5L;&\\L('=O<FQD(0H``0(#!`4&!P@)\"@L,#0X/$!$2$Q05%A<8&1H;'!T>\r\n"
	    ")'R`A(B,D)28G\r\n`\r\nend\r\n", "BDE", "", "a b.txt", data, 54, 0,
	    "uu: CRLF, a name with a space");
	uu_check("Hi,\nhere it is:\n\nbegin 600 x\n" UU_L1 UU_L2 "`\nend\n"
	    "Bye\n", "TBDET", "Hi,\nhere it is:\n\nBye\n", "x", data, 54, 0,
	    "uu: a block inside text; the text passes through");
	uu_check("begin 644 x\n" UU_L1 UU_L2, "BDE", "", "x", data, 54,
	    CODEC_NOEND, "uu: missing end at end of input");
	uu_check("begin 644 x\n" UU_L1 UU_L2 "`\nthanks\n", "BDET", "thanks\n",
	    "x", data, 54, CODEC_NOEND, "uu: missing end, text after");
	uu_check("begin 644 x\n" UU_L1 UU_L2 "thanks\n", "BDET", "thanks\n",
	    "x", data, 54, CODEC_NOEND, "uu: no '`' line nor end, text after");
	uu_check("begin 644 x\n" UU_L1 UU_L2 "end\n", "BDE", "", "x", data, 54,
	    0, "uu: end without a '`' line");
	uu_check("begin 644 x\n" UU_L1 ")'R`A(B,D)28GXYZ!garbage\n`\nend  \n",
	    "BDE", "", "x", data, 54, 0, "uu: trailing garbage on a line");
	uu_check("begin 644 x\n#86)C\n`\nend", "BDE", "", "x", "abc", 3, 0,
	    "uu: no LF after end");
	uu_check("begin 644 x\n&86)C\n`\nend\n", "BDE", "", "x", "abc", 3,
	    CODEC_BADLEN, "uu: line shorter than its length");
	uu_check("begin 644 x\n#86)\n`\nend\n", "BDE", "", "x", "ab", 2,
	    CODEC_BADLEN, "uu: a partial group at the end of a short line");
	uu_check("begin 644 x\n\"86\n`\nend\n", "BDE", "", "x", "a", 1,
	    CODEC_BADLEN, "uu: two characters of a group give one byte");
	uu_check("begin 644 x\n\nend\n", "BE", "", "x", "", 0, 0,
	    "uu: empty file, empty line as the length-0 line");
	uu_check("begin 64 x\nbegin 644x\nbegin 644 \nbegin 64444 x\n"
	    "begin-base64 644 x\n", "T",
	    "begin 64 x\nbegin 644x\nbegin 644 \nbegin 64444 x\n"
	    "begin-base64 644 x\n", "", "", 0, 0,
	    "uu: lines that are not begin lines pass through");
	uu_check("begin 644 a\n#86)C\nbegin 644 b\n#86)C\n`\nend\n", "BDEBDE",
	    "", "b", "abcabc", 6, 0, "uu: a begin ends a block without end");
	/* the block ends at "end": data-like lines after it are text,
	 * never more of the block (as base64 ends at its padding) */
	uu_check("begin 644 x\n#86)C\n`\nend\n#86)C\n", "BDET", "#86)C\n",
	    "x", "abc", 3, 0, "uu: data after the end line are text");
	uu_check("", "", "", "", "", 0, 0, "uu: empty input");
	uu_check("no newline", "T", "no newline", "", "", 0, 0,
	    "uu: text without a line end");
}

static void
test_uu_mode_long(void)
{
	static struct uulog a, b;
	static char in[3000];
	unsigned mode;

	mode = uu_run("begin 0755 x\n`\nend\n", 19, 19, &a);
	t_int(mode, 0755, "uu: the mode is parsed as octal");
	memcpy(in, "begin 644 x\n#86)C\n", 18);
	memset(in + 18, 'A', 2000);
	strcpy(in + 2018, "\n#86)C\nend\ntail\n");
	uu_run(in, strlen(in), strlen(in), &a);
	uu_run(in, strlen(in), 1, &b);
	t_ok(uu_same(&a, &b) && a.ndata == 3 && a.ntext == 2001 + 15 &&
	    a.endflags == CODEC_NOEND,
	    "uu: a line too long for a block ends it and passes through");
}

static void
test_why(void)
{
	t_str(codec_why(CODEC_NOEND), strlen(codec_why(CODEC_NOEND)),
	    "uuencoded block without an end line", "codec_why names a flag");
}

/*
 * The AVX2 paths of the decoders (where the CPU has AVX2) against the
 * scalar ones: the same bytes and flags for every input.  Each call
 * writes into a heap buffer of exactly its bound, so the sanitizer build
 * catches a 32-byte store that reaches past it.  The inputs are encoder
 * output (long valid runs, where the vector code works) with junk, '=',
 * white space, bad escapes and line ends of both kinds dropped in at
 * random places, where it must give way.
 */
static char *
decode_exact(enum kind k, const char *in, size_t n, size_t step,
    size_t *outlen, int *flags)
{
	char *out = malloc(n + 16), *tmp;
	size_t o = 0, i = 0, m, w;

	if (k == B64D)
		b64_dec_init(&st.bd);
	else
		qp_dec_init(&st.qd);
	while (i < n) {
		m = step ? step : 1 + rnd() % 300;
		if (m > n - i)
			m = n - i;
		tmp = malloc(kbound(k, m));
		w = kupdate(k, in + i, m, tmp);
		memcpy(out + o, tmp, w);
		free(tmp);
		o += w;
		i += m;
	}
	tmp = malloc(16);
	w = kfinal(k, tmp);
	memcpy(out + o, tmp, w);
	free(tmp);
	*outlen = o + w;
	*flags = kflags(k);
	return out;
}

static void
test_simd_same(void)
{
	static const char junk[] = "!-=  \t\r\n\n\x80\xff=G=c3";
	int ok = 1, was = codec_simd(1), have = codec_simd(1);

	/* without AVX2 both runs would take the scalar path: no comparison */
	if (!have) {
		codec_simd(was);
		t_skip("decoders: the AVX2 paths give what the scalar ones give",
		    "no AVX2 on this CPU");
		return;
	}
	for (int round = 0; round < 600; round++) {
		enum kind k = round % 2 ? QPD : B64D;
		size_t rawn = rnd() % 4000, n, en, i;
		char *raw = malloc(rawn + 1), *enc, *in;

		for (i = 0; i < rawn; i++)
			raw[i] = k == B64D ? (char)rnd() : rnd() % 5 == 0 ?
			    "= \t\xc3\xa9\n"[rnd() % 6] : (char)('a' + rnd() % 26);
		enc = code(k == B64D ? B64E : QPE, 0, raw, rawn, rawn ? rawn : 1,
		    &en, &(int){ 1 });
		in = malloc(2 * en + 64);
		n = 0;
		for (i = 0; i < en; i++) {
			if (rnd() % 1500 == 0) {        /* junk */
				in[n++] = junk[rnd() % (sizeof junk - 1)];
				if (rnd() % 2)
					in[n++] = junk[rnd() % (sizeof junk - 1)];
			}
			if (enc[i] == '\n' && round % 5 == 1)
				in[n++] = '\r';         /* CRLF */
			if (enc[i] == '\n' && round % 5 == 3 && k == B64D)
				continue;               /* one long run */
			in[n++] = enc[i];
		}
		for (int step = 0; step < 2; step++) {
			size_t an, bn;
			int af, bf;
			uint64_t seed = rng;
			char *a, *b;

			codec_simd(1);
			a = decode_exact(k, in, n, step ? 0 : n, &an, &af);
			rng = seed;             /* the same random pieces */
			codec_simd(0);
			b = decode_exact(k, in, n, step ? 0 : n, &bn, &bf);
			if (an != bn || memcmp(a, b, an) != 0 || af != bf) {
				if (ok)
					printf("#   round %d (%s, %zu bytes, step "
					    "%d): %zu vs %zu bytes, flags %#x vs "
					    "%#x\n", round, k == B64D ? "base64" :
					    "qp", n, step, an, bn, af, bf);
				ok = 0;
			}
			free(a);
			free(b);
		}
		free(raw);
		free(enc);
		free(in);
	}
	codec_simd(was);
	t_ok(ok, "decoders: the AVX2 paths give what the scalar ones give");
}

/*
 * Both decoder paths stop at the padding: a padded piece followed by
 * long valid lines (where the AVX2 and line paths would run) gives the
 * first piece only, whole, in pieces, with and without AVX2.
 */
static void
test_simd_afterpad(void)
{
	int ok = 1, was = codec_simd(1);

	for (int round = 0; round < 60; round++) {
		size_t n1 = 1 + rnd() % 400, n2 = 100 + rnd() % 2000, e1, e2, i;
		char *raw, *a, *b, *in;

		if (n1 % 3 == 0)
			n1++;                   /* so that it is padded */
		raw = malloc(n1 + n2);
		for (i = 0; i < n1 + n2; i++)
			raw[i] = (char)rnd();
		a = code(B64E, 0, raw, n1, n1, &e1, &(int){ 1 });
		b = code(B64E, 0, raw + n1, n2, n2, &e2, &(int){ 1 });
		in = malloc(e1 + e2);
		memcpy(in, a, e1);
		memcpy(in + e1, b, e2);
		if (round % 2) {                /* no line end after '=' */
			memmove(in + e1 - 1, in + e1, e2);
			e1--;
		}
		for (int simd = 0; simd < 2; simd++)
			for (int step = 0; step < 3; step++) {
				size_t on;
				int f;
				char *o;

				codec_simd(simd);
				o = decode_exact(B64D, in, e1 + e2,
				    step == 0 ? e1 + e2 : step == 1 ? 1 : 0,
				    &on, &f);
				ok &= on == n1 && memcmp(o, raw, n1) == 0 &&
				    f == CODEC_AFTERPAD;
				free(o);
			}
		free(raw);
		free(a);
		free(b);
		free(in);
	}
	codec_simd(was);
	t_ok(ok, "base64: the AVX2 and scalar paths both stop at the padding");
}

int
main(void)
{
	test_b64_vectors();
	test_b64_allbytes();
	test_b64_tolerance();
	test_b64_afterpad();
	test_b64_random();
	test_b64_junk();
	test_b64_fastpath();
	test_b64_bound();
	test_qp_encode();
	test_qp_decode();
	test_qp_random();
	test_qp_longblanks();
	test_uu();
	test_uu_mode_long();
	test_why();
	test_simd_same();
	test_simd_afterpad();
	return t_done();
}
