/*
 * tfile.h: reading back what the storage modules wrote, for the unit
 * drivers of common/ (store, durable, lock, deliver).  Each helper
 * answers -1 (or an empty buffer) for a file that is not there, so a
 * test's expected value alone decides.
 */
#ifndef YUBIN_TFILE_H
#define YUBIN_TFILE_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define T_UNUSED __attribute__((unused))

/* The whole of path into out (out emptied first). */
static T_UNUSED void
t_slurp(const char *path, struct buf *out)
{
	char b[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	buf_reset(out);
	while (fd >= 0 && (n = read(fd, b, sizeof b)) > 0)
		buf_add(out, b, (size_t)n);
	if (fd >= 0)
		close(fd);
}

/* Entries of dir not starting with '.', or -1. */
static T_UNUSED int
t_count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The size of path, or -1. */
static T_UNUSED long long
t_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

#endif
