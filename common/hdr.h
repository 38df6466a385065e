/*
 * hdr: fields of a header section held in memory.
 *
 * Pure parsers over (buf, len): no I/O, no allocation except into a
 * caller's capped struct buf.  Input may use LF or CRLF, hold NUL bytes,
 * raw UTF-8 (RFC 6532), lines over 998 bytes and obsolete syntax
 * (white space before the colon, RFC 5322 §4.5).  A line that is neither
 * a field nor a continuation (no colon, or a bad field name) is skipped.
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
