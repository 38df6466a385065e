/*
 * hdr: fields of a header section held in memory.
 *
 * Pure parsers over (buf, len): no I/O, no allocation except into a
 * caller's capped struct buf.  Input may use LF or CRLF, hold NUL bytes,
 * raw UTF-8 (RFC 6532), lines over 998 bytes and obsolete syntax
 * (white space before the colon, RFC 5322 §4.5).
 *
 * Where a header ends is one rule, hdr_line(), which every reader of a
 * message applies (msg_header, the mime parser, maildeliver): the empty
 * line, or else the first line that is neither a field nor a
 * continuation, which is then the first line of the body (as Python's
 * email package does).  Unfolding comes before parsing (RFC 5322
 * §2.2.3): a field name whose colon is on the next line ("From" CRLF
 * " : x") is the field "From : x" of the obsolete syntax (§4.5.3).
 * hdr_next() finds fields by the same rule; a line that is neither, in a
 * header read some other way, is skipped.
 */
#ifndef YUBIN_HDR_H
#define YUBIN_HDR_H

#include <stddef.h>

#include "util.h"

struct hdrfield {
	const char *name;       /* field name, trailing white space removed */
	size_t namelen;
	const char *val;        /* raw value after the colon, folds and all, */
	size_t vallen;          /* without the final line end */
	const char *line;       /* the whole raw field, from its first byte */
	size_t linelen;         /* to its final line end (included) */
};

/* How far from the start of its line a field's colon may be (the name,
 * white space, and for a name alone on its line the blank continuations
 * after it); a line whose colon is further is not a field.  RFC 5322
 * lines have at most 998 bytes.  Every reader can look this far ahead,
 * so they all agree. */
#define HDR_AHEAD 1024

/* What a header line is, by hdr_line(). */
#define HDR_MORE  0     /* undecided: the bytes after p[n] are needed */
#define HDR_FIELD 1     /* the first line of a field */
#define HDR_FOLD  2     /* a continuation line (it starts with SP or HTAB) */
#define HDR_EMPTY 3     /* the empty line: the header ends, the body follows */
#define HDR_BODY  4     /* none of these: the header ended before this
                           line, the body's first */
#define HDR_FROM  5     /* a "From " line (an mbox envelope line) that is
                           none of these: not a field, but the header
                           goes on (as Python's email package does) */

/*
 * The line starting at p[0]: p[0..n) holds it and as much of what
 * follows as the caller has; more says whether bytes may follow p[n]
 * (0: the input ends there, and the answer is never HDR_MORE).  A field
 * name alone on its line (white space after it allowed) is a field only
 * if continuation lines follow whose first non-blank one starts, after
 * its white space, with the colon, within HDR_AHEAD bytes; HDR_MORE asks
 * for them.  n == 0
 * without more is HDR_EMPTY (the end of input ends the header).  An
 * mbox "From " line and a byte order mark are the reader's business.
 */
int hdr_line(const char *p, size_t n, int more);

/*
 * Iterate: set *f to the field at or after *off and advance *off past it.
 * Returns 1 for a field, 0 at the end of the header (an empty line or
 * the end of the buffer).
 */
int hdr_next(const char *p, size_t len, size_t *off, struct hdrfield *f);

/* Is the field's name `name' (ASCII case-insensitive)? */
int hdr_is(const struct hdrfield *f, const char *name);
/* Does the raw value start, after white space and folds, with s
 * (ASCII case-insensitive)?  For quick looks at Content-Type and the
 * like without unfolding. */
int hdr_value_is(const struct hdrfield *f, const char *s);

/*
 * Unfold a raw value into out: line ends of folds are removed (the white
 * space after them stays), leading and trailing white space is trimmed.
 * Returns 0, or -1 if out's cap was reached (out then holds a prefix).
 */
int hdr_unfold(const char *v, size_t n, struct buf *out);

/*
 * Find the first field called name; on success *f is set and 1 is
 * returned, else 0.
 */
int hdr_find(const char *p, size_t len, const char *name,
    struct hdrfield *f);

#endif
