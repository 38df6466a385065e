/*
 * charset: legacy charsets to UTF-8 through iconv(3).
 *
 * iconv descriptors are cached per charset name (opening one costs more
 * than converting a header), so these functions are not thread-safe.
 * Charset names are matched case-insensitively and common aliases are
 * mapped to what glibc knows (e.g. "shift_jis" and "x-sjis" to CP932,
 * "ks_c_5601-1987" to CP949, "gb2312" to GB18030, "iso-2022-jp" to a
 * superset that takes JIS X 0212 too).
 */
#ifndef YUBIN_CHARSET_H
#define YUBIN_CHARSET_H

#include <stddef.h>

#include "util.h"

/*
 * Append (p, n), in charset (cs, cslen), converted to UTF-8 to out.
 * Bytes that are invalid in the charset become U+FFFD and conversion goes
 * on.  US-ASCII and UTF-8 input is validated the same way without iconv.
 * Returns 0; -1 if out's cap was reached; -2 if the charset is unknown
 * (nothing appended).
 */
int charset_to_utf8(const char *cs, size_t cslen, const char *p, size_t n,
    struct buf *out);

/* Is (p, n) well-formed UTF-8 (RFC 3629: no overlongs, no surrogates)? */
int utf8_valid(const char *p, size_t n);

/* Is the charset name known to iconv (after alias mapping)? */
int charset_known(const char *cs, size_t cslen);

/* Release cached descriptors (for leak checkers). */
void charset_cleanup(void);

#endif
