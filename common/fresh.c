/*
 * fresh: see fresh.h.  The table is open addressing on the variant-0
 * name, doubled at half load; it holds one entry per distinct name, so
 * it grows with the attachments written, never with their copies.
 */
#include "fresh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define RACES 64        /* variants taken under us before giving up */

struct entry {
	char *name;             /* variant 0; NULL if the slot is empty */
	unsigned next;          /* the variant to try first */
};

struct fresh {
	int dirfd;
	struct entry *tab;
	size_t size, used;      /* size is a power of two */
};

/* One variant of the name being placed. */
struct want {
	const char *name, *section, *type;
	char *out;
};

struct fresh *
fresh_new(int dirfd)
{
	struct fresh *f = xcalloc(1, sizeof *f);

	f->dirfd = dirfd;
	f->size = 64;
	f->tab = xcalloc(f->size, sizeof *f->tab);
	return f;
}

void
fresh_free(struct fresh *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->size; i++)
		free(f->tab[i].name);
	free(f->tab);
	free(f);
}

static size_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037u;     /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static struct entry *
slot(struct entry *tab, size_t size, const char *name)
{
	size_t i = hash(name) & (size - 1);

	while (tab[i].name != NULL && strcmp(tab[i].name, name) != 0)
		i = (i + 1) & (size - 1);
	return &tab[i];
}

static void
grow(struct fresh *f)
{
	struct entry *old = f->tab;
	size_t i, n = f->size;

	f->size *= 2;
	f->tab = xcalloc(f->size, sizeof *f->tab);
	for (i = 0; i < n; i++)
		if (old[i].name != NULL)
			*slot(f->tab, f->size, old[i].name) = old[i];
	free(old);
}

/* The entry of a variant-0 name, made (next 0) if new. */
static struct entry *
lookup(struct fresh *f, const char *name)
{
	struct entry *e;

	if (2 * (f->used + 1) > f->size)
		grow(f);
	e = slot(f->tab, f->size, name);
	if (e->name == NULL) {
		e->name = xstrdup(name);
		e->next = 0;
		f->used++;
	}
	return e;
}

/* Is variant n there already (a file, a directory, any symlink)? */
static int
taken(struct fresh *f, const struct want *w, unsigned n)
{
	struct stat sb;

	safename(w->name, w->section, w->type, n, w->out);
	return fstatat(f->dirfd, w->out, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * A free variant >= from, or FRESH_MAX + 1 if none is: gallop past the
 * taken ones, then bisect between the last taken and the first free.
 */
static unsigned
free_variant(struct fresh *f, const struct want *w, unsigned from)
{
	unsigned lo = from, hi, step = 1;

	if (from > FRESH_MAX || !taken(f, w, from))
		return from;
	for (;;) {              /* lo is taken */
		if (FRESH_MAX - lo < step)
			step = FRESH_MAX - lo;
		if (step == 0)
			return FRESH_MAX + 1;
		hi = lo + step;
		if (!taken(f, w, hi))
			break;
		lo = hi;
		step *= 2;
	}
	while (hi - lo > 1) {   /* lo taken, hi free */
		unsigned mid = lo + (hi - lo) / 2;

		if (taken(f, w, mid))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

int
fresh_create(struct fresh *f, const char *name, const char *section,
    const char *type, char *out)
{
	struct want w = { name, section, type, out };
	struct entry *e;
	unsigned n;
	int fd, race;

	safename(name, section, type, 0, out);
	e = lookup(f, out);
	for (race = 0, n = e->next; race < RACES; race++, n++) {
		n = free_variant(f, &w, n);
		if (n > FRESH_MAX)
			break;
		safename(name, section, type, n, out);
		fd = openat(f->dirfd, out, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			e->next = n + 1;
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}
