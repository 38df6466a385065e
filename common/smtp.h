/*
 * smtp: the pieces of the SMTP protocol that are pure functions over
 * (buf, len): no I/O, no allocation.
 *
 *   replies   RFC 5321 §4.2: "ddd-text" continuation lines and a final
 *             "ddd text" line, with the RFC 3463 enhanced status code
 *             taken from the first line's text when there is one;
 *   EHLO      the keywords of an EHLO reply (RFC 5321 §4.1.1.1) that
 *             mailsend acts on;
 *   data      a streaming encoder from a message as it lies in a file
 *             (LF, CRLF or bare CR line ends) to the DATA stream: CRLF
 *             line ends, dot-stuffed, ended by "." CRLF.  No bare CR or
 *             LF can come out of it, whatever goes in, so a message can
 *             never end the DATA phase early or smuggle a command
 *             (SMTP smuggling);
 *   xtext     RFC 3461 §4 for DSN's ENVID and ORCPT.
 */
#ifndef YUBIN_SMTP_H
#define YUBIN_SMTP_H

#include <stddef.h>

#include "codec.h"

struct mime;

/*
 * A reply, built one line at a time with smtp_reply_line().  The text of
 * all lines is kept (joined by a space, each line's repeated enhanced
 * code removed) up to SMTP_TEXT_MAX - 1 bytes; more is cut, silently.
 * The text is safe to print: controls (TAB too), DEL, C1 controls and
 * bytes that are not well-formed UTF-8 are each replaced by '?'; a
 * UTF-8 sequence is never cut in two.
 */
#define SMTP_TEXT_MAX 1024
#define SMTP_LINES_MAX 4096	/* more lines than this: malformed */

struct smtp_reply {
	int code;		/* 200..559, or 0 before the first line */
	char enh[16];		/* "5.1.1", or "" */
	char text[SMTP_TEXT_MAX]; /* NUL-terminated */
	size_t textlen;
	int nlines;
	int done;		/* the final line was seen */
};

enum { SMTP_MORE = 0, SMTP_DONE = 1, SMTP_BAD = -1 };

void smtp_reply_init(struct smtp_reply *r);

/*
 * Feed one line, without its CRLF (a trailing CR is tolerated).
 * Returns SMTP_MORE after a continuation line, SMTP_DONE after the
 * final line, SMTP_BAD for a malformed line: fewer than three digits, a
 * first digit outside 2-5 or a second outside 0-5, a fourth character
 * that is neither '-' nor ' ', a code that differs from the first
 * line's, a line fed after the final one, or more than SMTP_LINES_MAX
 * lines.  After SMTP_BAD the reply is unusable.
 */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);

/*
 * Parse one whole reply from the start of (p, n), lines ended by LF or
 * CRLF.  Returns SMTP_DONE with *used set to the bytes it took,
 * SMTP_MORE if the buffer ends before the final line (or inside one), or
 * SMTP_BAD.
 */
int smtp_reply_parse(const char *p, size_t n, struct smtp_reply *r,
    size_t *used);

/*
 * An RFC 3463 enhanced status code at the start of (p, n): class 2, 4 or
 * 5 (it must equal code / 100 when code is not 0), subject and detail of
 * 1-3 digits, then a space or the end.  Returns its length (without the
 * space), or 0.
 */
size_t smtp_enhanced(const char *p, size_t n, int code);

/* What an EHLO reply offers. */
#define SMTP_EXT_PIPELINING	0x001	/* RFC 2920 */
#define SMTP_EXT_8BITMIME	0x002	/* RFC 6152 */
#define SMTP_EXT_SMTPUTF8	0x004	/* RFC 6531 */
#define SMTP_EXT_SIZE		0x008	/* RFC 1870 */
#define SMTP_EXT_DSN		0x010	/* RFC 3461 */
#define SMTP_EXT_ENHANCED	0x020	/* ENHANCEDSTATUSCODES, RFC 2034 */
#define SMTP_EXT_STARTTLS	0x040	/* RFC 3207 */
#define SMTP_EXT_AUTH		0x080	/* RFC 4954 (also "AUTH=" of old) */
#define SMTP_EXT_CHUNKING	0x100	/* RFC 3030 */

struct smtp_ext {
	unsigned flags;
	unsigned long long size;	/* SIZE n; 0: no limit given */
	char auth[256];			/* mechanisms, space-separated */
	int ehlo;			/* an EHLO (250) reply was found */
};

/*
 * Read the server lines of a session's login phase in (p, n) (greeting,
 * EHLO replies, STARTTLS, AUTH; LF or CRLF): every 250 reply is an EHLO
 * (or HELO) reply and replaces what an earlier one said, so the EHLO
 * after STARTTLS is the one that counts.  Keywords are matched without
 * regard to case; unknown ones are ignored, and so is a SIZE parameter
 * that is not a number.  Returns 0, or -1 if a reply was malformed (*e
 * then holds what came before it).
 */
int smtp_ehlo_parse(const char *p, size_t n, struct smtp_ext *e);

/*
 * The DATA encoder.  Input may be split anywhere, down to single bytes;
 * the output is the same.  Line ends: LF and CRLF become CRLF; a CR not
 * followed by LF is dropped (see the man page).  A line that starts
 * with '.' gets another '.' (RFC 5321 §4.5.2).  smtp_enc_final() ends
 * the last line if the input did not, then writes "." CRLF.
 */
struct smtp_enc {
	int bol;		/* at the beginning of a line */
	int cr;			/* a CR is pending */
	unsigned long long in_lines;	/* line ends written */
	unsigned long long out;	/* bytes written so far */
};

#define SMTP_ENC_BOUND(n)	(2 * (n) + 2)
#define SMTP_ENC_FINAL_MAX	5

void smtp_enc_init(struct smtp_enc *st);
size_t smtp_enc_update(struct smtp_enc *st, const char *in, size_t len,
    char *out);
size_t smtp_enc_final(struct smtp_enc *st, char *out);

/*
 * The size of (p, n) once its line ends are CRLF as the encoder makes
 * them, without the dot-stuffing and the final "." line (what SIZE=
 * declares, RFC 1870 §3: an estimate is allowed).  Feed chunks through
 * a struct smtp_enc-like state: *cr carries a pending CR between calls,
 * *bol whether the last byte ended a line (start both at 0 and 1).
 */
unsigned long long smtp_crlf_size(const char *p, size_t n, int *cr,
    int *bol);

/*
 * xtext (RFC 3461 §4): '+', '=', and bytes outside '!'..'~' become
 * "+XX".  Writes at most 3 * n + 1 bytes with the NUL into out (size
 * sz); returns the length, or (size_t)-1 if it does not fit.
 */
size_t smtp_xtext(const char *p, size_t n, char *out, size_t sz);

/*
 * The exit status (sysexits, DESIGN.md) a reply means; rcpt: it answered
 * a RCPT.  2xx and 3xx 0, 4xx 75; 5xx 69, except for a RCPT an enhanced
 * code 5.1.x (the address) or, without an enhanced code, 550, 551 and
 * 553: 67.
 */
int smtp_exit(int code, const char *enh, int rcpt);

/* Does (p, n) hold a byte >= 0x80? */
int smtp_has8bit(const char *p, size_t n);

/*
 * The 8BITMIME downgrade of a multipart body (RFC 6152 §3: a client may
 * convert the message to 7 bit): the leaf parts holding 8-bit bytes are
 * re-encoded as quoted-printable and their Content-Transfer-Encoding
 * rewritten; everything else passes byte for byte.
 *
 * It runs over the body twice, fed in chunks of any size (LF or CRLF):
 * a scan pass (smtp_dg_start(g, boundary, 1, ...)) finds the 8-bit
 * leaves, then a write pass (smtp_dg_start(g, boundary, 0, sink, arg))
 * emits the result through sink, with LF line ends where it wrote
 * lines itself.  Both end with smtp_dg_end(), which returns NULL, or
 * (after the scan) why the message cannot be downgraded: 8-bit data in
 * a message/rfc822 (any message/) part or in one with a binary or
 * unknown encoding, outside the parts, in a part header, or too many
 * parts.  When the scan found nothing wrong, the write pass emits no
 * byte >= 0x80.
 *
 * The parts are found by the one MIME walker (mime.h, its copy and
 * rewrite hook), by its rules: a part header ends as hdr_line() says,
 * message parts are not walked, and the walker's limits hold (a part
 * header over 64 KiB cannot be downgraded).  The write pass writes
 * LF line ends.  Keep the struct static (has8 is 4 KB).
 */
#define SMTP_DG_PARTS	4096

typedef void smtp_sink(void *arg, const char *p, size_t n);

struct smtp_dg {
	int scan;
	unsigned char has8[SMTP_DG_PARTS];
	const char *why;
	size_t leaf;			/* leaves seen */
	int encode, leafok, eof;
	struct qp_enc q;
	struct mime *m;
	smtp_sink *sink;
	void *arg;
};

/* boundary: the top-level multipart's; for the write pass the struct
 * must hold the scan pass's results (has8). */
void smtp_dg_start(struct smtp_dg *g, const char *boundary, int scan,
    smtp_sink *sink, void *arg);
void smtp_dg_feed(struct smtp_dg *g, const char *p, size_t n);
const char *smtp_dg_end(struct smtp_dg *g);

#endif
