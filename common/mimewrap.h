/*
 * mimewrap: parts added to an existing message as it streams through
 * (mimepack -w); only its header is held, in a buffer capped at hmax.
 *
 * A multipart/mixed message keeps its header and its parts; the new
 * parts go before its close delimiter (or, if it has none, after its
 * last line, with a close delimiter added).  Its body is copied by the
 * one MIME walker (mime.h), which finds that delimiter as mimeunpack
 * does, line ends as LF.  Any other message becomes
 * multipart/mixed under a new boundary: its old body is the first part
 * and takes its Content- fields with it.  MIME-Version is added where
 * missing.
 *
 * The message is read by the one message reader (msg.h): its header as
 * every yubin reader reads one (a byte order mark and an mbox From_
 * line dropped; a line that is not a field ends it, with a warning, and
 * starts the body).  The caller owns the struct mimewrap and the fd;
 * mimewrap_free() frees the rest.  Read errors and a header over hmax
 * die; output goes to the caller's sink, with LF line ends.
 * Which boundary new parts must not contain is the caller's to check
 * (mimew_delim_in, mimew.h) with w->bnd before anything is written.
 */
#ifndef YUBIN_MIMEWRAP_H
#define YUBIN_MIMEWRAP_H

#include <stdio.h>

#include "msg.h"
#include "mimew.h"
#include "util.h"

struct mimewrap {
	struct msgin in;
	const char *name;       /* of the input, for messages */
	int crlf;               /* the message has CRLF line ends */
	struct buf h;           /* the header, without its empty line */
	char *ct, *cte, *id, *mv;  /* unfolded field values, or NULL */
	char *bnd;              /* multipart/mixed: its boundary, else NULL */
	mimew_sink *out;        /* mimewrap_write()'s, while it runs */
	void *outarg;
};

/* Read the header of the message on fd, named name in messages; crlf:
 * write CRLF line ends (a message whose first line ends so sets it). */
void mimewrap_read(struct mimewrap *w, int fd, const char *name, int crlf,
    size_t hmax);

/* Writes the new parts, each starting with "--" bnd. */
typedef void mimewrap_add_fn(void *arg, const char *bnd);

/*
 * Write the message out with the parts add writes.  newbnd is the
 * boundary of the new multipart/mixed when w->bnd is NULL; eight says
 * that a new part is 8bit (the new multipart must say so, RFC 2045
 * §6.4, as it must when the old body was 8bit or binary).
 */
void mimewrap_write(struct mimewrap *w, const char *newbnd, int eight,
    mimewrap_add_fn *add, void *addarg, mimew_sink *sink, void *sinkarg);

void mimewrap_free(struct mimewrap *w);

#endif
