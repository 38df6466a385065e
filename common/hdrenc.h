/*
 * hdrenc: encode header text for output (RFC 2047, RFC 2231) and fold it
 * at HDRENC_COLS columns.
 *
 * Every function appends to a struct buf and keeps *col, the column the
 * output has reached on its current line (0 after a line break), so that
 * calls can be chained on one field: start with *col = strlen("Name: ").
 * Folding writes "\n " (LF, the caller turns it into CRLF on the wire),
 * and only ever before white space, so unfolding gives the text back.
 * Input is UTF-8; an encoded word never splits a UTF-8 character (bytes
 * that are not valid UTF-8 are taken one at a time).  Each returns 0, or
 * -1 if the buffer's cap was reached (the buffer then holds a prefix).
 * Nothing here checks for CR or LF in the input: the caller rejects those
 * (they would be encoded, but a header value with a line break is almost
 * always an injection attempt).
 *
 * hdrenc_charset() makes the encoded words of hdrenc_text and
 * hdrenc_phrase use another charset (through iconv): each word is then
 * "=?CHARSET?B?...?=", converted on its own and ended in the initial
 * shift state, so no character or escape sequence spans two words (what
 * ISO-2022-JP needs).  Those two functions then also return -2 when the
 * text cannot be represented in the charset (or is not UTF-8).  This
 * setting is global: the functions are not thread-safe.
 */
#ifndef YUBIN_HDRENC_H
#define YUBIN_HDRENC_H

#include <stddef.h>

#include "util.h"

#define HDRENC_COLS 78

/* Encoded words in charset cs from now on; NULL for UTF-8 again.
 * Returns 0, or -1 if iconv does not know cs (the setting is then
 * UTF-8).  cs must be a short token; it is copied. */
int hdrenc_charset(const char *cs);

/* Does (p, n) need RFC 2047 encoding as header text (non-ASCII or
 * control bytes, or a "=?" that a decoder would take for a word)? */
int hdrenc_needed(const char *p, size_t n);

/*
 * Unstructured text (Subject, comments): as is, folded at spaces, when
 * hdrenc_needed() says no and no word is longer than 900 bytes (a line
 * must stay under 998); otherwise the whole value as a run of encoded
 * words "=?UTF-8?B?...?=" or "=?UTF-8?Q?...?=", whichever is shorter,
 * one per line, each at most 75 characters.
 */
int hdrenc_text(struct buf *b, size_t *col, const char *p, size_t n);

/*
 * A display name (an RFC 5322 phrase): an atom sequence as is, other
 * ASCII as a quoted string ('"' and '\' escaped) when that is at most
 * 900 bytes, non-ASCII or longer as encoded words (Q with the restricted
 * phrase alphabet of RFC 2047 §5 (3), or B).
 */
int hdrenc_phrase(struct buf *b, size_t *col, const char *p, size_t n);

/*
 * "; NAME=VALUE" for a parameter (e.g. filename): a quoted string when
 * the value is printable ASCII without "=?" and fits on a line;
 * otherwise RFC 2231, NAME*=UTF-8''%XX..., split into NAME*0*=,
 * NAME*1*=, ... sections on lines of their own when it does not fit.
 * ("=?" inside a quoted string is taken for an RFC 2047 word by many
 * decoders, rfc2231_param and Python's among them.)  At most
 * RFC2231_SECTIONS sections: a longer value gets longer lines, and one
 * that would pass 998 bytes a line even so (about 96 000 bytes once
 * escaped) gives -1, as for the cap.  name must be a short token.
 */
int hdrenc_param(struct buf *b, size_t *col, const char *name,
    const char *p, size_t n);

/* Append s, folding first ("\n ") if it would pass HDRENC_COLS and the
 * line already holds something beyond its indent.  sp: put one space
 * before s (the space the fold replaces). */
int hdrenc_word(struct buf *b, size_t *col, const char *s, size_t n,
    int sp);

#endif
