/*
 * linein: a stream read a line at a time, with bytes read ahead given
 * back, and the header of a message read from it by the rule of every
 * yubin reader (hdr_line, hdr.h): for a program that copies a message
 * through (mimepack -w) and must hold only its header.
 *
 * The caller owns the struct linein (static is best: it holds a
 * LINEIN_CHUNK buffer) and the FILE; linein_free() frees what the
 * reader allocated.  Memory stays bounded: a line longer than the
 * caller's buffer comes in pieces, and what is given back is capped.
 * Read errors die (EX_IOERR, naming the stream).  Not thread-safe.
 */
#ifndef YUBIN_LINEIN_H
#define YUBIN_LINEIN_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

#define LINEIN_CHUNK 65536

struct linein {
	FILE *fp;
	const char *name;       /* for messages, e.g. "stdin" */
	int crlf;               /* drop the CR of a CRLF line end */
	char in[LINEIN_CHUNK];
	size_t r, w;            /* in[r, w) not yet returned */
	struct buf back;        /* bytes given back, read again first */
	size_t backr;
};

/* Start reading fp; crlf as the field above (linein_header may set it). */
void linein_init(struct linein *li, FILE *fp, const char *name, int crlf);

/*
 * One line into b, with its LF, or its next size bytes if it is longer
 * (NUL bytes are data); with li->crlf the CR of a CRLF end is dropped.
 * Returns the number of bytes, 0 at the end.  b is not NUL-terminated.
 */
size_t linein_get(struct linein *li, char *b, size_t size);

/*
 * The next bytes as they are (no CR dropped), up to size, for a reader
 * that splits lines itself (mime.h); 0 at the end.
 */
size_t linein_read(struct linein *li, char *b, size_t size);

/*
 * The header of the message, without its empty line, appended to h: up
 * to the empty line, or up to the first line that is neither a field
 * nor a continuation, which is the body's first and is given back (and
 * warned about: text written straight after the header is not lost).
 * An mbox "From " line is skipped and a UTF-8 byte order mark before the
 * header dropped.  If the first line ends in CRLF, li->crlf is set: the
 * message's line ends, to be kept.  A header longer than h's cap dies
 * (EX_DATAERR).
 */
void linein_header(struct linein *li, struct buf *h);

void linein_free(struct linein *li);

#endif
