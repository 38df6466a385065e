/*
 * hdrw: the header fields of a new message, written into a struct buf
 * the caller owns: address lists, free text, Date and Message-ID.
 *
 * Text is UTF-8 and encoded by hdrenc (RFC 2047, in hdrenc_charset()'s
 * charset) and folded; each field ends in LF (the caller turns it into
 * CRLF on the wire).  Nothing checks for CR or LF in a value: the
 * caller refuses those first (a line break in a value is the classic
 * header injection).  Each returns 0, or what hdrenc returned: -1 if the
 * buffer's cap was reached, -2 if the text cannot be represented in the
 * charset; the buffer then holds a prefix of the field.
 */
#ifndef YUBIN_HDRW_H
#define YUBIN_HDRW_H

#include <stddef.h>

#include "util.h"

/*
 * "Name: a, b, c" from the n address lists in v, display names encoded;
 * nothing if n is 0.  All or nothing: a list with a bad address, no
 * address or more than ADDR_MAX (addr.h) dies (EX_DATAERR, naming the
 * field and quoting the address under the safe-text rule), since a
 * dropped address would go unnoticed.
 */
int hdrw_addrs(struct buf *h, const char *name, const char **v, size_t n);

/* "Name: value", the name the first nlen bytes of name, the value as
 * unstructured text. */
int hdrw_text(struct buf *h, const char *name, size_t nlen, const char *v);

/*
 * "Date: " and given as text, or if given is NULL the time now in local
 * time, or $SOURCE_DATE_EPOCH in UTC when set (reproducible builds; not
 * a number dies with EX_USAGE).
 */
int hdrw_date(struct buf *h, const char *given);

/* "Message-ID: <given>" (given with or without its <>), or if given is
 * NULL a random one at this host (mimew_host, mimew.h). */
int hdrw_msgid(struct buf *h, const char *given);

#endif
