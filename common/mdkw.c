/*
 * mdkw: see mdkw.h for the file, the lock and what is left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "durable.h"
#include "mdkw.h"
#include "util.h"

#define FILE_MAX (64u << 10)    /* Dovecot's file is 26 short lines */

static void
names_free(char **names)
{
	size_t i;

	for (i = 0; i < MDKW_MAX; i++) {
		free(names[i]);
		names[i] = NULL;
	}
}

/* Read path's "N name" lines into names; a missing file is empty.
 * 0, or -1 (errno) if it cannot be read. */
static int
load(const char *path, char **names)
{
	char *p = xmalloc(FILE_MAX), *line, *end;
	ssize_t k;
	size_t n = 0;
	int fd = open(path, O_RDONLY);

	names_free(names);
	if (fd < 0) {
		free(p);
		return errno == ENOENT ? 0 : -1;
	}
	while (n < FILE_MAX - 1 && (k = read(fd, p + n, FILE_MAX - 1 - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			close(fd);
			free(p);
			return -1;
		}
		n += (size_t)k;
	}
	close(fd);
	p[n] = 0;
	for (line = p; *line; line = *end ? end + 1 : end) {
		char *sp;
		unsigned long i;

		end = line + strcspn(line, "\n");
		i = strtoul(line, &sp, 10);
		if (sp == line || *sp != ' ' || i >= MDKW_MAX || names[i] ||
		    end == sp + 1)
			continue;
		names[i] = xstrndup(sp + 1, (size_t)(end - sp - 1));
	}
	free(p);
	return 0;
}

/* An IMAP atom (RFC 3501 section 9: flag-keyword). */
static int
atom(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)k[i] <= 32 || (unsigned char)k[i] >= 127 ||
		    strchr("(){%*\"\\]", k[i]) != NULL)
			return 0;
	return n > 0;
}

static int
find(char **names, const char *k, size_t n)
{
	int i;

	for (i = 0; i < MDKW_MAX; i++)
		if (names[i] && strlen(names[i]) == n &&
		    strncasecmp(names[i], k, n) == 0)
			return i;
	return -1;
}

/* Take the dot-lock: its fd, or -1 when held through every try. */
static int
lock(const char *path)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i, fd = -1;

	for (i = 0; i < MDKW_TRIES && fd < 0; i++) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0 ||
		    errno != EEXIST)
			break;
		nanosleep(&ts, NULL);
	}
	return fd;
}

/* Write names to the locked fd and put it in place of path. */
static int
store(int fd, const char *lockp, const char *path, const char *dir,
    char **names)
{
	struct buf b;
	int i, rc;

	buf_init(&b, FILE_MAX);
	for (i = 0; i < MDKW_MAX; i++)
		if (names[i])
			buf_printf(&b, "%d %s\n", i, names[i]);
	rc = write_all(fd, b.p ? b.p : "", b.len);
	buf_free(&b);
	if (rc < 0 || fdatasync(fd) < 0) {
		close(fd);
		unlink(lockp);
		return -1;
	}
	if (close(fd) < 0 || rename(lockp, path) < 0) {
		unlink(lockp);
		return -1;
	}
	durable_sync_dir(dir);
	return 0;
}

/* Each keyword of flags (not a system flag), in turn. */
static const char *
next(const char **p, size_t *n)
{
	const char *k;

	for (;;) {
		while (**p == ' ')
			(*p)++;
		if (**p == 0)
			return NULL;
		k = *p;
		*n = strcspn(k, " ");
		*p += *n;
		if (*k != '\\')
			return k;
	}
}

int
mdkw_letters(const char *maildir, const char *flags, char *out)
{
	char *names[MDKW_MAX] = {0}, *path, *lockp;
	const char *p, *k;
	size_t n, o = 0;
	int dropped = 0, need = 0, added = 0, fd, i;

	path = path_join(maildir, "dovecot-keywords");
	lockp = xmalloc(strlen(path) + 6);
	sprintf(lockp, "%s.lock", path);
	load(path, names);
	for (p = flags ? flags : ""; (k = next(&p, &n)) != NULL; )
		need |= atom(k, n) && find(names, k, n) < 0;
	if (need && (fd = lock(lockp)) >= 0) {
		/* read again under the lock: Dovecot may have added some */
		if (load(path, names) == 0)
			for (p = flags; (k = next(&p, &n)) != NULL; ) {
				if (!atom(k, n) || find(names, k, n) >= 0)
					continue;
				for (i = 0; i < MDKW_MAX && names[i]; i++)
					;
				if (i < MDKW_MAX) {
					names[i] = xstrndup(k, n);
					added = 1;
				}
			}
		if (!added) {
			close(fd);
			unlink(lockp);
		} else if (store(fd, lockp, path, maildir, names) < 0) {
			/* only what the file holds has a letter */
			load(path, names);
		}
	}
	for (p = flags ? flags : ""; (k = next(&p, &n)) != NULL; ) {
		if (!atom(k, n) || (i = find(names, k, n)) < 0)
			dropped++;
		else if (memchr(out, 'a' + i, o) == NULL)
			out[o++] = (char)('a' + i);
	}
	out[o] = 0;
	free(path);
	free(lockp);
	names_free(names);
	return dropped;
}
