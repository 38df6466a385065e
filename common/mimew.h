/*
 * mimew: writing MIME parts: choosing a part's transfer encoding,
 * encoding it as a stream, checking it against a multipart delimiter,
 * and the random names a writer needs (boundaries, Content-IDs).
 *
 * Everything here reads an input in MIMEW_CHUNK pieces from a FILE the
 * caller owns and rewinds it afterwards, so memory stays bounded
 * whatever the size of the part; a stream that cannot seek (a pipe) has
 * to be spooled to a file first.  The chunk buffers are static: these
 * functions are not thread-safe.  A read error dies (EX_IOERR, naming
 * what); /dev/urandom failing dies (EX_OSERR).  Output is LF-terminated;
 * the caller turns LF into CRLF on the wire.
 */
#ifndef YUBIN_MIMEW_H
#define YUBIN_MIMEW_H

#include <stddef.h>
#include <stdio.h>

#define MIMEW_CHUNK 65536

enum mimew_cte { MIMEW_7BIT, MIMEW_8BIT, MIMEW_QP, MIMEW_B64 };

/* The Content-Transfer-Encoding value of each, lower case. */
extern const char *const mimew_cte_name[];

/* What the first pass learnt about one input. */
struct mimew_scan {
	int ascii, utf8, nul, cr, trailws, longline;
	size_t linelen;
	int last;               /* the last byte, or -1 */
};

/*
 * Scan all of fp into *s and rewind it.  If !text only "7bit or base64?"
 * is asked, so the scan stops at the first byte that rules out 7bit (a
 * big binary attachment is then not read twice) and s->utf8 is 0.
 */
void mimew_scan(FILE *fp, const char *what, struct mimew_scan *s, int text);

/*
 * The encoding for a part scanned into *s: 7bit for clean ASCII; base64
 * for what is not text, has NUL, or has CR and is not the body (the
 * body, text for people, may have its CRLF turned into LF by
 * quoted-printable); 8bit when allowed (eight) for clean UTF-8 or text
 * converted to a declared charset (conv); else quoted-printable.
 */
enum mimew_cte mimew_choose(const struct mimew_scan *s, int text, int body,
    int conv, int eight);

/* Where encoded output goes, a piece at a time. */
typedef void mimew_sink(void *arg, const char *p, size_t n);

/*
 * Encode all of fp (from where it is) in cte into sink.  Returns the
 * last byte given to the sink, or -1 if none.  Does not rewind.
 */
int mimew_encode(FILE *fp, const char *what, enum mimew_cte cte,
    mimew_sink *sink, void *arg);

/*
 * RFC 2046 §5.1.1: no part may hold a line that a reader could take for
 * a delimiter.  1 if fp encoded in cte has a line that starts with "--"
 * and the boundary bnd, or "--alt", "--rel" or "--altrel" and bnd (the
 * delimiters of the multiparts nested under bnd; readers match them as
 * a prefix of the line), else 0.  The part is checked as it will be
 * written, encoded, in one more streaming pass; base64 never writes
 * '-', so a base64 part is 0 without being read.  Rewinds fp.
 */
int mimew_delim_in(FILE *fp, const char *what, enum mimew_cte cte,
    const char *bnd);

/* nbytes (at most 32) random bytes from /dev/urandom as 2*nbytes hex
 * digits and a NUL in d. */
void mimew_hex(char *d, size_t nbytes);

/* given in bnd, or if NULL a new random boundary "=_yubin_HEX" (at most
 * 33 bytes); truncated to size. */
void mimew_boundary(char *bnd, size_t size, const char *given);

/* The host name for a generated Message-ID; "localhost" if unusable. */
void mimew_host(char *host, size_t size);

/* The domain of a Message-ID ("<x@dom>") into d, if it is a plain one
 * (letters, digits, '.', '-'): 1, else 0. */
int mimew_id_domain(const char *id, char *d, size_t size);

/*
 * A Content-ID NAME@DOMAIN, without <>, in memory the caller frees: the
 * part's name with everything but letters, digits, '-', '_' and '.' as
 * '_' (one for a whole UTF-8 character; so that cid:NAME@DOMAIN needs
 * no %-escapes), a '.' at either end or after another '.' too.
 */
char *mimew_cid(const char *name, const char *dom);

#endif
