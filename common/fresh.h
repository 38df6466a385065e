/*
 * fresh: create a file under a fresh name in a directory, for
 * mimeunpack -x: variant 0 of the safe name (safename.h), else the
 * first free "-N" variant, never overwriting and never following a
 * symlink (openat with O_CREAT | O_EXCL | O_NOFOLLOW).
 *
 * Many files of one name must not cost a probe per earlier file each:
 * the table remembers, per variant-0 name, the variant after the last
 * one created, and a search for a free variant (a directory that already
 * holds name-1 ... name-K from an earlier run) gallops (1, 2, 4, ...)
 * and then bisects, so K files cost O(log K) probes, not O(K).  The
 * variant found is free when probed; if another process takes it first,
 * O_EXCL refuses and the next one is tried, a bounded number of times.
 * Variants go up to FRESH_MAX, far beyond any directory's size.
 */
#ifndef YUBIN_FRESH_H
#define YUBIN_FRESH_H

#include "safename.h"

#define FRESH_MAX 2000000000u

struct fresh;

/* A table for the directory open as dirfd (not owned). */
struct fresh *fresh_new(int dirfd);
void fresh_free(struct fresh *f);

/*
 * Create the file for an attachment named name (decoded, as given by the
 * sender; see safename()), mode 0644, write-only: the descriptor, with
 * the name used in out (SAFENAME_MAX + 1 bytes).  Returns -1 with errno
 * set on failure (EEXIST if every variant up to FRESH_MAX is taken, or
 * if others kept taking the free ones); out then holds the name tried
 * last.
 */
int fresh_create(struct fresh *f, const char *name, const char *section,
    const char *type, char *out);

#endif
