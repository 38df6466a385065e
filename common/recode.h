/*
 * recode: UTF-8 text into another charset, through iconv(3), as a
 * stream (charset.h goes the other way, for what is read).
 *
 * The text is converted line by line, each line ended in the initial
 * shift state, as RFC 1468 asks of ISO-2022-JP, so that a line can be
 * read alone.  Memory stays bounded whatever the size: input is read in
 * RECODE_CHUNK pieces and a character cut by a piece is kept for the
 * next.  Not thread-safe (static buffer).
 */
#ifndef YUBIN_RECODE_H
#define YUBIN_RECODE_H

#include <stdio.h>

#define RECODE_CHUNK 65536

/*
 * The text of in (UTF-8) in charset cs, in a new temporary file,
 * rewound; the caller owns it.  in is read to its end and closed.
 * NULL, errno set and in untouched, if iconv does not know cs or no
 * temporary file can be made.  Dies with EX_DATAERR, naming what and
 * the line, on input that is not UTF-8 or a character cs cannot
 * represent; with EX_IOERR on a read or write error.
 */
FILE *recode_file(FILE *in, const char *what, const char *cs);

#endif
