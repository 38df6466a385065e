/*
 * rec: records, one per line, fields separated by TAB, written under the
 * safe-text rule of DESIGN.md:
 *
 *   Text from a message, a server or a file name never reaches the
 *   output raw.  In a TSV field, `\` is written `\\`, TAB `\t`, LF `\n`,
 *   CR `\r`, and every other byte below 0x20 and 0x7F as `\xHH`; invalid
 *   UTF-8 becomes U+FFFD.
 *
 * So a record is always one line with a fixed number of fields, and valid
 * text is recoverable exactly.  Every TSV field of every program goes
 * through rec_field() (or rec_out(), which writes the same bytes); JSON
 * has its own escapes (json.h).  Pure, except rec_out()/rec_outs(),
 * which write to stdout through out() (util.h) and die on a write error.
 */
#ifndef YUBIN_REC_H
#define YUBIN_REC_H

#include <stddef.h>

#include "util.h"

/*
 * Append (p, n) to out as one TSV field, escaped as above.  Invalid UTF-8
 * is replaced per maximal ill-formed subsequence, as utf8_append()
 * (charset.h) does.  Returns 0, or -1 if out's cap would be passed (out
 * is then left as it was).
 */
int rec_field(struct buf *out, const char *p, size_t n);

/* The same for a C string. */
int rec_fields(struct buf *out, const char *s);

/*
 * For diagnostics that quote untrusted text: append (p, n) to out as
 * rec_field() does, but when n is over max only the first max bytes
 * (backed off to a character boundary) are shown, followed by "...", so
 * that a message stays one short line whatever the input.  Returns as
 * rec_field().  rec_quote_dup() returns the same as a malloc'd string.
 */
int rec_quote(struct buf *out, const char *p, size_t n, size_t max);
char *rec_quote_dup(const char *p, size_t n, size_t max);

/* Write (p, n), or the C string s, to stdout as one TSV field. */
void rec_out(const char *p, size_t n);
void rec_outs(const char *s);

/*
 * rec_out() for text the caller knows to be well-formed UTF-8 (what
 * rfc2047_decode() appended when it returned 0): the same bytes, without
 * checking the UTF-8 again.  Text that may be ill-formed must go through
 * rec_out(), or the output would carry it.
 */
void rec_out_utf8(const char *p, size_t n);

#endif
