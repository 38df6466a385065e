/*
 * msg: a streaming reader for RFC 5322 messages on a file descriptor.
 *
 * Line ends are normalised: CRLF becomes LF; a bare CR is left alone.
 * A UTF-8 byte order mark at the start of the input is dropped.
 * Memory is bounded by the buffer given at init (lines longer than the
 * buffer are returned in pieces) and by the cap passed to msg_header().
 *
 * The reader does not own the fd.
 */
#ifndef YUBIN_MSG_H
#define YUBIN_MSG_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/*
 * A source of bytes other than a file descriptor (input.c reads one
 * message of an mbox through it): as read(2), up to n bytes into p,
 * 0 at the end, -1 with errno set on an error.  Its line ends are
 * taken as they come: the source has normalised them already (folding
 * again would turn a CR CRLF, kept as CR LF, into a bare LF).
 */
typedef ssize_t msg_src(void *arg, char *p, size_t n);

struct msgin {
	int fd;
	char *buf;
	size_t size;            /* allocated */
	size_t start, end;      /* unread bytes are buf[start..end) */
	int eof;                /* read(2) returned 0 */
	int err;                /* errno of a failed read, or 0 */
	int partial;            /* the last line returned had no LF yet */
	int begun;              /* the byte order mark was looked for */
	int blank;              /* msg_header() ended at the empty line */
	unsigned long long nread; /* bytes consumed from the fd */
	msg_src *src;           /* if set, read from it instead of fd, and
	                           leave its line ends as they are */
	void *srcarg;
	int hdrbody;            /* msg_header() ended at a line that is not
	                           a field (no empty line before the body) */
};

/* bufsize 0 means a default of 64 KiB. */
void msg_init(struct msgin *m, int fd, size_t bufsize);
void msg_free(struct msgin *m);
/* Point the reader at another fd, keeping its buffer (no allocation). */
void msg_reset(struct msgin *m, int fd);

/* Read from src(arg, ...) instead of the fd; keep the buffer. */
void msg_source(struct msgin *m, msg_src *src, void *arg);

/*
 * Does the input start (after a byte order mark) with an mbox "From "
 * line: one that ends within the buffer and that hdr_line() (hdr.h)
 * takes for HDR_FROM, not for a field such as "From : a@b" of the
 * obsolete syntax?  Reads ahead, consumes nothing, and leaves the byte
 * order mark to msg_line()/msg_header().
 */
int msg_fromline(struct msgin *m);

/*
 * The next bytes of the input as they are (no line end normalised, no
 * byte order mark dropped): what is buffered, else one read.  *p is
 * valid until the next call.  Returns the length, 0 at the end, -1 on
 * a read error (m->err).  For a consumer that parses its own lines
 * (the mime parser); not to be mixed with msg_line() in one message,
 * but on a source (msg_source()), whose bytes msg_line() leaves as they
 * are: there msg_read() after a whole line goes on exactly.
 */
ssize_t msg_read(struct msgin *m, const char **p);

/*
 * Does the first line (after a byte order mark) end in CRLF: are these
 * the message's line ends, to be written back so?  Reads ahead within
 * the buffer, consumes nothing; a first line longer than it says no.
 */
int msg_crlf(struct msgin *m);

/*
 * The next line, LF included (normalised).  *p points into the reader's
 * buffer and is valid until the next call.  A line longer than the buffer
 * comes back in pieces; m->partial is set while a piece lacks its LF (the
 * last line of input may also lack it).  Returns the length, 0 at end of
 * input, -1 on a read error (m->err holds errno).
 */
ssize_t msg_line(struct msgin *m, const char **p);

/*
 * Look at the next byte without consuming it: the byte, or -1 at EOF or
 * on error.
 */
int msg_peek(struct msgin *m);

/*
 * Read the header section: every line up to where hdr_line() (hdr.h)
 * ends it: the empty line, which is consumed, or the first line that is
 * neither a field nor a continuation, which is left unread as the first
 * line of the body; or EOF.  Whether a field name alone on its line has
 * its colon on the next line is read ahead within the buffer, which must
 * hold HDR_AHEAD bytes for the rule to be exact (what does not fit in a
 * smaller one is not a field).  A
 * leading mbox "From " line is not part of the header; if fromline is
 * not NULL it receives it (without the LF), else it is dropped.  Returns
 * 0, or -1 on a read error.  If the header (or the From line) passes
 * hdr->max bytes, reading stops there (the input may be endless, e.g.
 * /dev/zero): *truncated is set (if not NULL), hdr holds what fitted,
 * and the reader is left inside the header.  m->blank says whether the
 * header ended at its empty line (not at EOF, a body line or the cap);
 * m->hdrbody whether it ended at a line that is not a field.
 */
int msg_header(struct msgin *m, struct buf *hdr, struct buf *fromline,
    int *truncated);

/*
 * For a reader that streams the header line by line: what the line
 * *l (n bytes, just returned by msg_line()) is to hdr_line(), reading
 * ahead into the unread input when it must (a field name alone on its
 * line).  Then *l is first copied into keep (its cap must hold the
 * line, else the answer is HDR_BODY) and pointed there, since reading
 * ahead may move the buffer.  No other pointer into the buffer may be
 * kept over the call.
 */
int msg_hdrkind(struct msgin *m, const char **l, size_t n, struct buf *keep);

/*
 * Read the header of the file at path only (it stops at the empty line),
 * as msg_header().  Returns 0, or -1 with errno set.
 */
int msg_header_file(const char *path, struct buf *hdr, int *truncated);

#endif
