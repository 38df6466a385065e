/*
 * sievestate: the memory of Sieve's duplicate test (RFC 7352) and of
 * vacation's :days (RFC 5230): which keys were seen, until when.
 *
 * One file per kind of memory, lines "EXPIRY HASH\n" (EXPIRY in seconds
 * since the epoch, HASH the 64-bit FNV-1a of the key in hex): keys are
 * script text and addresses, so only their hashes are written.  A file
 * that does not exist is an empty memory; a line that does not parse
 * is dropped.  sstate_add() rewrites the file with durable_replace()
 * under an fcntl lock on PATH.lock, so two deliveries never lose each
 * other's keys; expired lines and, past SSTATE_MAX lines, the oldest
 * ones go.  sstate_seen() reads without a lock (it sees the old file or
 * the new one, never a mix).
 */
#ifndef YUBIN_SIEVESTATE_H
#define YUBIN_SIEVESTATE_H

#include <stddef.h>
#include <time.h>

#include "durable.h"

#define SSTATE_MAX 100000       /* lines kept */

/* Was key seen, with an expiry after now?  1 or 0 (also 0 on errors). */
int sstate_seen(const char *path, const char *key, size_t n, time_t now);
/*
 * Remember keys[i] (lens[i] bytes) until now + secs[i].  The directory
 * of path is made if missing.  0, or -1 with e set.
 */
int sstate_add(const char *path, char *const *keys, const size_t *lens,
    const unsigned long long *secs, size_t n, time_t now, struct fserr *e);

#endif
