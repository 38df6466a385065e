/*
 * hdrq: read the headers of many messages ahead, on worker threads, and
 * hand them out in order.
 *
 * Scanning a Maildir costs one open, read and close per message; those
 * system calls are nearly all the time a header tool spends, and one
 * thread waits for each in turn.  A few threads issuing them at once,
 * into a small ring of buffers, let a multi-core machine overlap them
 * while the caller parses and prints in the original order.
 *
 * Memory: a ring of a few dozen headers, each capped by the caller (a
 * buffer that grew past 256 KiB is released before it is reused).
 * With one CPU (or if threads cannot be made) everything happens in
 * hdrq_next(), in the caller's thread.
 */
#ifndef YUBIN_HDRQ_H
#define YUBIN_HDRQ_H

#include <stddef.h>

#include "mdir.h"
#include "util.h"

struct hdrq;

struct hdrq_res {
	const char *hdr;        /* the header, as msg_header() reads it; */
	size_t len;             /* valid until the next hdrq_next() */
	int truncated;          /* it passed the cap */
	int err;                /* 0, or the errno of a failure */
	int openerr;            /* the failure was in open(2), not read(2) */
};

/*
 * Start reading the headers of msg[0..n) (which must outlive the
 * queue), each capped at max bytes.
 */
struct hdrq *hdrq_new(const struct mdir_msg *msg, size_t n, size_t max);

/*
 * The next message's header, in the order of msg: fills *r and returns
 * 1, or returns 0 after the last one.
 */
int hdrq_next(struct hdrq *q, struct hdrq_res *r);

/* Stop the threads and release everything. */
void hdrq_free(struct hdrq *q);

#endif
