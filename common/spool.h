/*
 * spool: bytes held before they are delivered, in memory up to a cap,
 * then in a temporary file.
 *
 * A delivery that must lock its destination (an mbox) spools what it
 * will append first, so that no lock is held while the producer of the
 * input is slow or stalled: the lock is taken only to copy the spool.
 *
 * spool_write() appends; spool_replay() hands every byte back, in order,
 * in chunks; spool_reset() empties the spool for the next use (a
 * temporary file is kept, truncated).  The temporary file is created
 * with mkstemp(3) in $TMPDIR (default /tmp), mode 0600, and unlinked at
 * once, so it never outlives the process.
 *
 * Errors: functions return 0, or -1 with errno set (of the temporary
 * file's creation, a write or a read).  The spool owns its memory and
 * its file; spool_free() releases both.
 */
#ifndef YUBIN_SPOOL_H
#define YUBIN_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

struct spool {
	/* private */
	char *mem;              /* bytes not yet in the file */
	size_t len, size, cap;  /* used, allocated, the memory cap */
	int fd;                 /* the temporary file, or -1 */
	off_t flen;             /* bytes in the file */
	void *map;              /* spool_map() of the file, or NULL */
	size_t maplen;
};

/* cap: bytes held in memory before a temporary file is used (>= 1). */
void spool_init(struct spool *sp, size_t cap);
void spool_free(struct spool *sp);
int spool_write(struct spool *sp, const void *p, size_t n);
/* Bytes written since the last reset. */
unsigned long long spool_len(const struct spool *sp);
/* Is (some of) the spool in a temporary file? */
int spool_infile(const struct spool *sp);
/*
 * Call emit(arg, p, n) for the bytes in order, in chunks of at most the
 * memory cap.  Returns 0; -1 with errno set on a read error; or -1 from
 * emit (which stops the replay).  The bytes stay spooled.
 */
int spool_replay(struct spool *sp, int (*emit)(void *, const char *, size_t),
    void *arg);
/*
 * The whole spool in its temporary file (made now if it was all in
 * memory), the file's offset at 0: to be handed to a program as its
 * stdin (popfetch -p, spawn_in()).  The fd stays the spool's.  The fd,
 * or -1 with errno set.
 */
int spool_fd(struct spool *sp);
/*
 * The whole spool as one piece of memory in *p, *len, for a reader that
 * needs every byte at once (the rules of maildeliver -r): the memory
 * buffer itself while nothing went to the file, else the file mapped
 * read-only (the bytes still in memory written to it first).  The bytes
 * are the spool's own copy: whatever happens to the input they came
 * from, they do not change.  Valid until spool_unmap(), spool_reset()
 * or spool_free(); no spool_write() in between.  0, or -1 with errno
 * set.
 */
int spool_map(struct spool *sp, const char **p, size_t *len);
void spool_unmap(struct spool *sp);
/* Empty the spool. */
void spool_reset(struct spool *sp);

#endif
