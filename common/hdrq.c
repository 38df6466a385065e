/*
 * hdrq: see hdrq.h.
 *
 * Workers take batches of HDRQ_BATCH consecutive messages; batch b
 * goes into place b % nring of a ring.  A worker may start on batch b
 * only when the caller has released batch b - nring (released = the
 * caller asked for a message of a later batch), so a slot is never
 * written while the caller still reads it.  All hand-overs go through
 * one mutex, once per batch; the system calls run outside it.
 */
#include "hdrq.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"

#define HDRQ_THREADS 4          /* at most; more buys nothing */
/* A batch costs a hand-over, futex calls when a thread waits: for 20 000
 * messages, batches of 8 made 10 000 of those beside the 60 000 opens,
 * reads and closes; batches of 32 make 2 500. */
#define HDRQ_BATCH 32           /* messages a worker takes at once */
#define HDRQ_PERTHREAD 2        /* batches in the ring per thread */
#define HDRQ_BUFSIZE 4096       /* first read: most headers fit */
#define HDRQ_KEEP (64 * 1024)   /* a bigger header buffer is not kept:
                                   256 slots keep 16 MiB at most, as
                                   64 slots of 256 KiB did */

enum { S_FREE, S_BUSY, S_READY };

struct slot {
	struct msgin in;
	struct buf hdr;
	struct hdrq_res res;
};

struct batch {
	struct slot slot[HDRQ_BATCH];
	size_t idx;             /* the batch number it holds */
	int state;
};

struct hdrq {
	const struct mdir_msg *msg;
	size_t n, nbatch;       /* messages; batches in msg */
	struct batch *ring;
	size_t nring;
	size_t next;            /* next batch for a worker */
	size_t done;            /* batches [0, done) are released */
	size_t cur;             /* next message for the caller (its own) */
	pthread_mutex_t mu;
	pthread_cond_t ready, space;
	pthread_t th[HDRQ_THREADS];
	int nth, stop;
};

/*
 * Read message i into s (no lock held).
 *
 * The listing (mdir.h) left out what is not a regular file, but a name
 * may be replaced by a FIFO or a device between the listing and the
 * open.  O_NONBLOCK keeps the open and the reads of a FIFO from
 * blocking, and the cap bounds the read of a device; what such a file
 * gives (nothing, NUL bytes, EAGAIN, a disk's bytes) is no header ended
 * by its empty line, so only such a header costs an fstat, which
 * refuses anything but a regular file.  One fstat for every message was
 * a fifth more system calls than open, read and close.
 */
static void
read_one(struct hdrq *q, size_t i, struct slot *s)
{
	struct stat sb;
	int fd, r;

	memset(&s->res, 0, sizeof s->res);
	if (s->hdr.cap > HDRQ_KEEP)
		buf_free(&s->hdr);
	fd = openat(q->msg[i].dirfd, q->msg[i].name, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0) {
		s->res.err = errno;
		s->res.openerr = 1;
		return;
	}
	msg_reset(&s->in, fd);
	r = msg_header(&s->in, &s->hdr, NULL, &s->res.truncated);
	if (!s->in.blank && (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))) {
		s->res.err = EINVAL;
		s->res.openerr = 1;
		s->res.truncated = 0;
		buf_reset(&s->hdr);
	} else if (r < 0)
		s->res.err = s->in.err ? s->in.err : EIO;
	close(fd);
	buf_add(&s->hdr, "", 0);        /* hdr.p is never NULL */
	s->res.hdr = s->hdr.p;
	s->res.len = s->hdr.len;
}

static void
read_batch(struct hdrq *q, size_t b, struct batch *bt)
{
	size_t i;

	for (i = 0; i < HDRQ_BATCH && b * HDRQ_BATCH + i < q->n; i++)
		read_one(q, b * HDRQ_BATCH + i, &bt->slot[i]);
}

static void *
worker(void *arg)
{
	struct hdrq *q = arg;
	struct batch *bt;
	size_t b;

	pthread_mutex_lock(&q->mu);
	while (!q->stop && q->next < q->nbatch) {
		b = q->next;
		if (b >= q->done + q->nring) {  /* its place is in use */
			pthread_cond_wait(&q->space, &q->mu);
			continue;
		}
		q->next++;
		bt = &q->ring[b % q->nring];
		bt->idx = b;
		bt->state = S_BUSY;
		pthread_mutex_unlock(&q->mu);
		read_batch(q, b, bt);
		pthread_mutex_lock(&q->mu);
		bt->state = S_READY;
		pthread_cond_broadcast(&q->ready);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static int
ncpu(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 1)
		return n > HDRQ_THREADS ? HDRQ_THREADS : (int)n;
#endif
	return 1;
}

struct hdrq *
hdrq_new(const struct mdir_msg *msg, size_t n, size_t max)
{
	struct hdrq *q = xcalloc(1, sizeof *q);
	size_t i, j;
	int want;

	q->msg = msg;
	q->n = n;
	q->nbatch = (n + HDRQ_BATCH - 1) / HDRQ_BATCH;
	want = ncpu() > 1 && q->nbatch > 1 ? ncpu() : 0;
	q->nring = want ? (size_t)want * HDRQ_PERTHREAD : 1;
	q->ring = xcalloc(q->nring, sizeof *q->ring);
	for (i = 0; i < q->nring; i++) {
		for (j = 0; j < HDRQ_BATCH; j++) {
			msg_init(&q->ring[i].slot[j].in, -1, HDRQ_BUFSIZE);
			buf_init(&q->ring[i].slot[j].hdr, max);
		}
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->ready, NULL);
	pthread_cond_init(&q->space, NULL);
	while (q->nth < want &&
	    pthread_create(&q->th[q->nth], NULL, worker, q) == 0)
		q->nth++;
	return q;
}

/* Wait for batch b to be read (the one before it is released). */
static struct batch *
get_batch(struct hdrq *q, size_t b)
{
	struct batch *bt = &q->ring[b % q->nring];

	if (q->nth == 0) {
		read_batch(q, b, bt);
		return bt;
	}
	pthread_mutex_lock(&q->mu);
	q->done = b;
	pthread_cond_broadcast(&q->space);
	while (!(bt->state == S_READY && bt->idx == b))
		pthread_cond_wait(&q->ready, &q->mu);
	bt->state = S_FREE;
	pthread_mutex_unlock(&q->mu);
	return bt;
}

int
hdrq_next(struct hdrq *q, struct hdrq_res *r)
{
	struct batch *bt;
	size_t b;

	if (q->cur >= q->n)
		return 0;
	b = q->cur / HDRQ_BATCH;
	if (q->cur % HDRQ_BATCH == 0)
		bt = get_batch(q, b);
	else
		bt = &q->ring[b % q->nring];
	*r = bt->slot[q->cur % HDRQ_BATCH].res;
	q->cur++;
	return 1;
}

void
hdrq_free(struct hdrq *q)
{
	size_t i, j;
	int t;

	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->space);
	pthread_mutex_unlock(&q->mu);
	for (t = 0; t < q->nth; t++)
		pthread_join(q->th[t], NULL);
	for (i = 0; i < q->nring; i++) {
		for (j = 0; j < HDRQ_BATCH; j++) {
			msg_free(&q->ring[i].slot[j].in);
			buf_free(&q->ring[i].slot[j].hdr);
		}
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->ready);
	pthread_cond_destroy(&q->space);
	free(q->ring);
	free(q);
}
