/*
 * fuzz_hdrq: the read-ahead header queue of common/hdrq.
 *
 * hdrq parses nothing itself: it reads headers on worker threads and
 * hands them out in order.  Its contract is that what hdrq_next() gives
 * for message i is what msg_header() reads from that file alone, in the
 * order of the list, with the same cap, whatever the threads do.  The
 * input gives the number of messages (1 to 40: one to five batches of
 * 8, so the workers and the ring of batches come into play), the cap,
 * one message whose file is missing, where the caller stops early, and,
 * split at NUL bytes, the files' contents.  Checks:
 *   - each result equals the reference (bytes, truncated), in order;
 *   - a missing file is err ENOENT with openerr set, and the messages
 *     after it still come;
 *   - exactly n results, then 0;
 *   - stopping early and freeing the queue returns (no worker waits for
 *     ever on a slot the caller never releases).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hdrq.h"
#include "mdir.h"
#include "msg.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXMSG 40

static char dir[] = "/tmp/fuzz_hdrq.XXXXXX";
static int dfd = -1;
static char names[MAXMSG][8];

/* What msg_header() reads of file i alone (hdr has the same cap). */
static int
reference(size_t i, struct buf *hdr, int *trunc)
{
	struct msgin m;
	int fd, r;

	buf_reset(hdr);
	fd = openat(dfd, names[i], O_RDONLY);
	if (fd < 0)
		return -1;
	msg_init(&m, fd, 4096);
	r = msg_header(&m, hdr, NULL, trunc);
	msg_free(&m);
	close(fd);
	return r;
}

/* Leave nothing in /tmp. */
static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < MAXMSG; i++)
		unlinkat(dfd, names[i], 0);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdir_msg msg[MAXMSG];
	struct hdrq_res res;
	struct hdrq *q;
	struct buf want;
	size_t n, cap, missing, stop, i, k, start = 4;
	int trunc, fd;

	if (size < 4)
		return 0;
	if (dfd < 0) {
		if (mkdtemp(dir) == NULL ||
		    (dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
			abort();
		for (i = 0; i < MAXMSG; i++)
			snprintf(names[i], sizeof names[i], "m%02zu", i);
		atexit(cleanup);
	}
	n = 1 + data[0] % MAXMSG;
	cap = (size_t)data[1] * 16;
	missing = data[2];              /* >= n: none */
	stop = data[3] < 0x80 ? n : data[3] % (n + 1);
	for (i = 0; i < n; i++) {
		for (k = start; k < size && data[k] != 0; k++)
			;
		unlinkat(dfd, names[i], 0);
		if (i != missing) {
			fd = openat(dfd, names[i], O_WRONLY | O_CREAT |
			    O_TRUNC, 0600);
			if (fd < 0 || write(fd, data + start, k - start) !=
			    (ssize_t)(k - start) || close(fd) < 0)
				abort();
		}
		start = k < size ? k + 1 : size;
		msg[i].path = names[i];
		msg[i].name = names[i];
		msg[i].dirfd = dfd;
	}

	buf_init(&want, cap);
	q = hdrq_new(msg, n, cap);
	for (i = 0; i < stop; i++) {
		if (hdrq_next(q, &res) != 1)
			abort();
		if (i == missing) {
			if (res.err != ENOENT || !res.openerr || res.len != 0)
				abort();
			continue;
		}
		if (reference(i, &want, &trunc) != 0)
			abort();
		if (res.err != 0 || res.openerr || res.hdr == NULL ||
		    res.truncated != trunc ||
		    res.len != want.len ||
		    (want.len && memcmp(res.hdr, want.p, want.len) != 0))
			abort();
	}
	if (stop == n && hdrq_next(q, &res) != 0)
		abort();
	hdrq_free(q);
	buf_free(&want);
	return 0;
}
