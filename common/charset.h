/*
 * charset: legacy charsets to UTF-8 through iconv(3).
 *
 * iconv descriptors are cached per charset name (opening one costs more
 * than converting a header), so these functions are not thread-safe.
 * Charset names are matched case-insensitively and common aliases are
 * mapped to what glibc knows (e.g. "shift_jis" and "x-sjis" to CP932,
 * "ks_c_5601-1987" to CP949, "gb2312" to GB18030, "iso-2022-jp" to a
 * superset that takes JIS X 0212 too).  Where a superset would change
 * the mapping of well-formed text, the standard charset is used and the
 * vendor one only decodes what it rejects (EUC-JP then EUC-JP-MS;
 * ISO-2022-JP then the NEC/IBM rows of CP932).  Where the C library does
 * not know the superset (musl has no CP932), the charset named is used.
 * The table and the reasons are in charset.c.
 */
#ifndef YUBIN_CHARSET_H
#define YUBIN_CHARSET_H

#include <stddef.h>

#include "util.h"

/*
 * Append (p, n), in charset (cs, cslen), converted to UTF-8 to out.
 * Bytes that are invalid in the charset become U+FFFD and conversion goes
 * on.  US-ASCII, UTF-8, "" and "unknown-8bit" input is validated without
 * iconv, as UTF-8 (see utf8_append): 8-bit text labelled ASCII is common
 * and usually UTF-8.  The name may
 * carry surrounding white space or quotes.  NUL bytes are converted like
 * any other.  Returns 0; -1 if out's cap was reached (out then holds a
 * prefix of the result); -2 if the charset is unknown (nothing appended).
 */
int charset_to_utf8(const char *cs, size_t cslen, const char *p, size_t n,
    struct buf *out);

/* Is (p, n) well-formed UTF-8 (RFC 3629: no overlongs, no surrogates)? */
int utf8_valid(const char *p, size_t n);

/*
 * Append (p, n) to out, replacing each maximal ill-formed subsequence
 * (Unicode 15 §3.9, what Python's "replace" and browsers do) with U+FFFD:
 * "\xE3\x81A" gives U+FFFD "A", "\xED\xA0\x80" three U+FFFD.
 * Returns 0, or -1 if out's cap was reached (out then holds a prefix).
 */
int utf8_append(const char *p, size_t n, struct buf *out);

/* Is the charset name known to iconv (after alias mapping)? */
int charset_known(const char *cs, size_t cslen);

/* Release cached descriptors (for leak checkers). */
void charset_cleanup(void);

#endif
