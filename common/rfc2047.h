/*
 * rfc2047: encoded words (RFC 2047) and MIME parameters with RFC 2231
 * extensions.  Pure: (buf, len) in, UTF-8 into a caller's capped buffer.
 */
#ifndef YUBIN_RFC2047_H
#define YUBIN_RFC2047_H

#include <stddef.h>

#include "util.h"

/*
 * Decode the encoded words in an unfolded unstructured value (Subject,
 * a display name, a comment) and append the result, in UTF-8, to out.
 *  - B and Q encodings, any charset charset_to_utf8() knows;
 *  - the RFC 2231 language suffix "=?utf-8*ja?B?...?=" is ignored;
 *  - linear white space (SP, TAB, CR, LF) between two adjacent encoded
 *    words is dropped; other white space is copied;
 *  - an encoded word not delimited by white space is decoded anyway
 *    (common in the wild: "Re:=?utf-8?Q?...?=");
 *  - white space inside a word (a fold in the middle of it) is skipped
 *    in B text and kept in Q text, as Python does;
 *  - a word that is malformed (bad base64, unknown charset, bad
 *    encoding letter, unterminated) is copied as it is;
 *  - adjacent words in one charset are joined before conversion, so a
 *    character, an ISO-2022-JP shift or a base64 quantum split across
 *    words survives;
 *  - raw 8-bit text outside encoded words (RFC 6532) is copied; if it
 *    is not valid UTF-8, each maximal invalid sequence becomes U+FFFD.
 * The result is exact: control characters and NUL bytes that a word
 * decodes to are kept (sanitising for display is the caller's job).
 * Without "=?" in the input, nothing is allocated.
 * Returns 0, or -1 if out's cap was reached (out then holds a prefix).
 * What it appends when it returns 0 is well-formed UTF-8, whatever the
 * input (rec_out_utf8() in rec.h counts on it).
 */
int rfc2047_decode(const char *p, size_t n, struct buf *out);

/*
 * What was wrong in a value; the decoders still give their best effort
 * (the same bytes as without flags) and OR these into *flags.
 */
#define RFC2047_W_BADWORD 0x01  /* "=?charset?" that is not a decodable
                                   word (bad base64, encoding letter or
                                   length, no "?="; bytes that are not
                                   UTF-8 in a UTF-8 word): kept as is */
#define RFC2047_W_CHARSET 0x02  /* an unknown charset: the word is kept
                                   as is, an RFC 2231 value read as UTF-8 */
#define RFC2231_W_GAP     0x04  /* a continuation missing (no name*0, or
                                   name*2 without name*1): value cut */
#define RFC2231_W_ESCAPE  0x08  /* '%' not followed by two hex digits in
                                   an extended value: kept as is */
#define RFC2231_W_MANY    0x10  /* more continuations than
                                   RFC2231_SECTIONS: value cut */

/* rfc2047_decode(), ORing RFC2047_W_* into *flags (if not NULL). */
int rfc2047_decode_w(const char *p, size_t n, struct buf *out, int *flags);

/*
 * Find MIME parameter `name' in a structured value such as a
 * Content-Type or Content-Disposition value ("text/plain; charset=x").
 * Handles quoted strings with quoted pairs, RFC 2231 continuations
 * (name*0=, name*1*=; in any order, up to 100, joined up to the first
 * gap), charset and language (name*=utf-8'ja'%E3...), and RFC 2047 words
 * inside a plain value (not standard, but common).  Names are matched
 * case-insensitively; "name*" is preferred to "name".  Comments, missing
 * or doubled ';' and unterminated quotes are tolerated.  An extended
 * value without a known charset is taken as UTF-8.
 * The decoded UTF-8 value is appended to out.  Returns 1 if found,
 * 0 if not, -1 if out's cap was reached.
 */
int rfc2231_param(const char *p, size_t n, const char *name,
    struct buf *out);

/* The continuations of one parameter rfc2231_param keeps (the lowest
 * sections; a bound against headers of thousands); hdrenc_param never
 * writes more. */
#define RFC2231_SECTIONS 100

/* rfc2231_param(), ORing RFC2047_W_* and RFC2231_W_* into *flags (if not
 * NULL); nothing is added if the parameter is not found. */
int rfc2231_param_w(const char *p, size_t n, const char *name,
    struct buf *out, int *flags);

/*
 * The part of a structured value before its first ';', without white
 * space and comments, lower-cased into out (e.g. "text/plain"); empty if
 * the value starts with a parameter.  Returns 0 or -1 (cap).
 */
int rfc2231_value(const char *p, size_t n, struct buf *out);

#endif
