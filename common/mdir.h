/*
 * mdir: the messages of a Maildir, listed for reading.
 *
 * readdir(3) only, no stat(2) per message, and a directory descriptor
 * for openat(2), so that opening each message walks one path component
 * instead of three: listing and reading a folder of tens of thousands
 * of messages costs little more than the open/read/close of each.
 */
#ifndef YUBIN_MDIR_H
#define YUBIN_MDIR_H

#include <dirent.h>
#include <stddef.h>

#include "util.h"

struct mdir_msg {
	const char *path;       /* "DIR/cur/NAME" or "DIR/new/NAME" */
	const char *name;       /* NAME: the end of path */
	int dirfd;              /* DIR/cur or DIR/new, for openat(2) */
};

struct mdir {
	struct mdir_msg *msg;
	size_t n;
	/* private */
	DIR *dir[2];            /* cur, new */
	struct buf pool;        /* owns the strings */
	size_t *off, alloc;     /* offsets into pool while listing */
};

/*
 * List the messages in DIR/cur and DIR/new into *l, sorted by NAME
 * (then by path), which for Maildir names is the order of delivery.
 * Names starting with '.' and everything that is not a regular file
 * (or a symlink to one) are skipped: a FIFO, a device, a directory; an
 * entry that cannot be stat'ed (a dangling symlink) is listed, for its
 * open to report.  A missing cur/ or new/ is not an error.  Returns 0, or -1
 * with errno set if neither can be read (ENOENT if neither exists) or
 * listing fails.  Call mdir_free() afterwards in either case; the
 * directory descriptors stay open until then.
 */
int mdir_list(const char *dir, struct mdir *l);
void mdir_free(struct mdir *l);

#endif
