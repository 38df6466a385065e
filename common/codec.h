/*
 * codec: streaming base64, quoted-printable and uuencode.
 *
 * Each coder is a small struct owned by the caller (the stack is fine);
 * nothing here allocates or does I/O.  Feed it chunks of any size with
 * X_update() and finish with X_final(): the output is the same however
 * the input is split, down to one byte at a time.
 *
 * Output goes to a buffer the caller provides.  It must have room for the
 * bound given for that call: X_BOUND(inlen) bytes for X_update(),
 * X_FINAL_MAX for X_final().  Both return the number of bytes written.
 * Nothing is NUL-terminated.
 *
 * Decoders never fail.  Bad input is decoded as well as it can be, and a
 * CODEC_* bit in st->flags records what was wrong, so that the caller can
 * warn once per part (codec_why() names a bit).  Decoders take LF or CRLF
 * line ends.  Encoders write LF; the caller turns it into CRLF on the wire.
 */
#ifndef YUBIN_CODEC_H
#define YUBIN_CODEC_H

#include <stddef.h>

/* What a decoder tolerated, in st->flags (they accumulate). */
#define CODEC_SKIPPED   0x01    /* characters outside the alphabet skipped */
#define CODEC_AFTERPAD  0x02    /* data after base64 '=' padding: ignored */
#define CODEC_TRUNCATED 0x04    /* input ended inside a base64 byte */
#define CODEC_BADESC    0x08    /* QP '=' not followed by hex: kept as is */
#define CODEC_BADLEN    0x10    /* uuencoded line shorter than its length */
#define CODEC_NOEND     0x20    /* uuencoded block without its "end" line */
#define CODEC_NOPAD     0x40    /* base64 data ended without its '=' padding */
/* x-uuencode as a transfer encoding (mime.c): */
#define CODEC_OUTSIDE   0x80    /* text outside the block: not data */
#define CODEC_NOBEGIN   0x100   /* no begin line: the body as it is */
#define CODEC_LAST      CODEC_NOBEGIN /* the highest bit, for loops */

/* A short English phrase for one CODEC_* bit, for warnings. */
const char *codec_why(int flag);

/*
 * base64 (RFC 2045 §6.8).
 *
 * Decoding skips white space and line breaks anywhere, skips (and flags)
 * stray characters, and needs no padding (its absence at the end is
 * flagged, CODEC_NOPAD: RFC 2045 asks for it).  The '=' padding that
 * completes a quantum ("xy==", "xyz=") ends the data, as RFC 2045 §6.8
 * allows and as Python's email (binascii) decodes it: whatever follows is
 * never decoded, even another padded piece ("aGk=aGk=" is "hi"), because
 * content hidden behind the padding is read differently by different
 * decoders.  Anything after it but white space and '=' sets
 * CODEC_AFTERPAD.
 */
struct b64_dec {
	unsigned long acc;      /* the sextets of the quantum so far */
	int n;                  /* how many of them (0..3) */
	int padded;             /* one '=' after 2 sextets: one more ends */
	int done;               /* padding seen: the data are over */
	int flags;              /* CODEC_* */
};

#define B64_DEC_BOUND(n)   ((n) / 4 * 3 + 8)
#define B64_DEC_FINAL_MAX  2

/*
 * Whether the base64 and quoted-printable decoders may use the CPU's
 * vector instructions (AVX2 on x86-64, where the CPU has it; the default).  Returns the previous
 * setting.  For tests and benchmarks, which compare the two paths: the
 * output is the same either way.  Not for use while another thread is
 * decoding.
 */
int codec_simd(int on);

void b64_dec_init(struct b64_dec *st);
size_t b64_dec_update(struct b64_dec *st, const char *in, size_t len,
    char *out);
size_t b64_dec_final(struct b64_dec *st, char *out);

/*
 * Encoding writes lines of 76 characters, each ended by LF; the last line
 * is shorter, padded with '=' and also ended by LF.  Empty input gives
 * empty output.
 */
struct b64_enc {
	unsigned char pend[3];  /* bytes waiting for a whole quantum */
	int npend;
	int col;                /* characters on the current line */
};

#define B64_LINE           76
#define B64_ENC_BOUND(n)   ((n) / 3 * 4 + (n) / 57 + 6)
#define B64_ENC_FINAL_MAX  5

void b64_enc_init(struct b64_enc *st);
size_t b64_enc_update(struct b64_enc *st, const char *in, size_t len,
    char *out);
size_t b64_enc_final(struct b64_enc *st, char *out);

/*
 * quoted-printable (RFC 2045 §6.7).
 *
 * Decoding: "=XX" in either case gives the byte; '=' at the end of a line,
 * white space after it allowed, is a soft break; white space (and CR) at
 * the end of a line is removed; a hard line break, LF or CRLF, comes out as
 * LF.  An '=' not followed by two hex digits is kept as it is
 * (CODEC_BADESC).  A run of more than QP_WSMAX spaces is passed on early,
 * so a line that ends in one keeps part of it.
 */
#define QP_WSMAX 128

struct qp_dec {
	int state;              /* inside an "=XX"?  see codec.c */
	int hex;                /* the first digit after '=' */
	size_t nws;
	char ws[QP_WSMAX];      /* white space not yet known to be trailing */
	int flags;              /* CODEC_* */
};

#define QP_DEC_BOUND(n)    ((n) + QP_WSMAX + 2)
#define QP_DEC_FINAL_MAX   2

void qp_dec_init(struct qp_dec *st);
size_t qp_dec_update(struct qp_dec *st, const char *in, size_t len,
    char *out);
size_t qp_dec_final(struct qp_dec *st, char *out);

/*
 * Encoding: no output line is longer than 76 characters (soft breaks
 * "=" LF); '=', control characters and 8-bit bytes become "=XX"; a space
 * or tab before a line break becomes "=20" or "=09".  In text mode LF and
 * CRLF are hard line breaks (written LF) and a lone CR is "=0D".  If the
 * input does not end with a line break, the output ends with a soft break,
 * so that it always ends with LF.
 *
 * QP_BINARY: CR and LF are data, "=0D" and "=0A"; there are no hard breaks.
 * QP_SAFE: for transports that mangle them, a line "." becomes "=2E" and
 * "From " at the start of a line "=46rom ".  A '.', 'F' or '-' that lands
 * at the start of a line after a soft break is always encoded, so that a
 * soft break cannot put a MIME delimiter ("--boundary") at a line start
 * that the text did not have.
 */
#define QP_BINARY 0x01
#define QP_SAFE   0x02
#define QP_LINE   76

struct qp_enc {
	int opts;               /* QP_BINARY, QP_SAFE */
	int col;                /* characters on the current output line */
	int ws;                 /* a space or tab not yet written, or 0 */
	int cr;                 /* a CR not yet known to start CRLF */
	char hold[4];           /* "F", "Fr", "Fro", "From" or "." */
	int nhold;              /* at the start of a line, not yet written */
};

#define QP_ENC_BOUND(n)    (3 * (n) + (n) / 12 + 32)
#define QP_ENC_FINAL_MAX   32

void qp_enc_init(struct qp_enc *st, int opts);
size_t qp_enc_update(struct qp_enc *st, const char *in, size_t len,
    char *out);
size_t qp_enc_final(struct qp_enc *st, char *out);

/*
 * uuencode: a scanner that finds "begin MODE NAME" ... "end" blocks in a
 * stream (a line matching ^begin [0-7]{3,4} .+$ opens one), decodes them
 * and passes every other line through untouched.  It serves both the
 * x-uuencode transfer encoding and uuencoded blocks inside text/plain.
 *
 * Results go to a callback rather than to an output buffer, since there
 * are several kinds of them:
 *   UU_TEXT   p, n: bytes outside any block, line ends included, as read;
 *   UU_BEGIN  p, n: the NAME of a new block (not NUL-terminated, not
 *             sanitised: it is untrusted); st->mode holds MODE;
 *   UU_DATA   p, n: decoded bytes of the current block;
 *   UU_END    p is NULL, n holds the CODEC_* flags of the block.
 * p points into the scanner and is valid during the call only.
 *
 * Tolerated: a missing "end" (the block ends at a length-0 line, at a line
 * that is not uuencoded, or at the end of input: CODEC_NOEND), lines
 * shorter than their length character says (what is there is decoded:
 * CODEC_BADLEN), characters after the data of a line, CRLF.
 * Lines longer than UU_LINEMAX are never part of a block and never a
 * "begin" line; they pass through.
 */
#define UU_LINEMAX 1024

enum uu_event { UU_TEXT, UU_BEGIN, UU_DATA, UU_END };
typedef void uu_cb(void *arg, enum uu_event ev, const char *p, size_t n);

struct uu_scan {
	uu_cb *cb;
	void *arg;
	int state;              /* outside, inside a block, ... see codec.c */
	unsigned mode;          /* MODE of the current block */
	int bflags;             /* CODEC_* of the current block */
	int flags;              /* CODEC_* of every block so far */
	size_t len;
	char line[UU_LINEMAX];  /* the current line, up to its LF */
};

void uu_scan_init(struct uu_scan *st, uu_cb *cb, void *arg);
void uu_scan_update(struct uu_scan *st, const char *in, size_t len);
void uu_scan_final(struct uu_scan *st);

/* The value of a hexadecimal digit (either case), or -1: the one table
 * of QP, RFC 2047 Q, RFC 2231 %XX and Sieve's encoded-character. */
int codec_hexval(int c);

#endif
