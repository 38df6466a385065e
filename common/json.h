/*
 * json: JSON (RFC 8259) string output for the -j option of every program.
 *
 * Pure: bytes in, an escaped string into a caller's capped buffer.
 */
#ifndef YUBIN_JSON_H
#define YUBIN_JSON_H

#include <stddef.h>

#include "util.h"

/*
 * Append (p, n) to out as a JSON string, quotes included.  '"' and '\'
 * are escaped, control characters (U+0000 to U+001F) become \u00XX, and
 * each byte that is not part of well-formed UTF-8 (RFC 3629) becomes
 * U+FFFD, so the result is always valid JSON in UTF-8.  Returns 0, or -1
 * if out's cap would be passed (out is then left as it was).
 */
int json_str(struct buf *out, const char *p, size_t n);

/* The same for a C string. */
int json_strs(struct buf *out, const char *s);

/*
 * Objects, one member at a time: the one way every program writes its
 * -j records.  json_key() appends the member's name and its colon,
 * opening the object with '{' when out is empty or ends in '[' or ','
 * (the first member, or an object in an array), else after a ','.
 * json_end() closes the object.  The json_k*() functions are json_key()
 * and a value: a string, a C string, a number, true/false, or "[" to
 * start an array whose elements the caller writes, then ']'.  Each
 * returns 0, or -1 if out's cap was passed (what fitted is kept: the
 * caller drops the record).
 */
int json_key(struct buf *out, const char *key);
int json_kstr(struct buf *out, const char *key, const char *p, size_t n);
int json_kstrs(struct buf *out, const char *key, const char *s);
int json_knum(struct buf *out, const char *key, unsigned long long v);
int json_kbool(struct buf *out, const char *key, int v);
int json_karr(struct buf *out, const char *key);
int json_end(struct buf *out);

#endif
