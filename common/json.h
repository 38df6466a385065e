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

#endif
