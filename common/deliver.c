/*
 * deliver: see deliver.h.
 */
#include "deliver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_MEM       ((size_t)1 << 20)  /* an mbox copy in memory */

/* ---- the mbox half of a commit (store.c too) ---- */

int
deliver_mbox_check(const char *path, int create, int *missing,
    struct fserr *e)
{
	struct stat st;
	char *dir;
	int r = 0;

	*missing = 0;
	if (stat(path, &st) == 0)
		return lock_file_ok(path, &st, e);
	if (errno != ENOENT)
		return fserr_set(e, 0, errno, "%s", path);
	if (lock_refuse_dangling(path, e) < 0)
		return -1;
	*missing = 1;
	dir = path_dir(path);
	if (stat(dir, &st) < 0 && !create)
		r = fserr_set(e, EX_CANTCREAT, errno, "%s", dir);
	free(dir);
	return r;
}

/* spool_replay() into the locked mbox. */
static int
append(void *arg, const char *p, size_t n)
{
	struct mboxlock *l = arg;

	if (write_all(l->fd, p, n) < 0)
		return -1;
	lock_touch(l);
	return 0;
}

int
deliver_mbox_append(struct mboxlock *l, struct spool *sp, double timeout,
    struct fserr *e)
{
	const char *gap;
	char *dir;
	int r = 0;

	if (lock_take(l, timeout) < 0)
		return -1;
	gap = mbox_gap(l->fd, l->size);
	if (write_all(l->fd, gap, strlen(gap)) < 0 ||
	    spool_replay(sp, append, l) < 0)
		return fserr_set(e, 0, errno, "%s", l->path);
	if (fsync(l->fd) < 0)
		return fserr_set(e, EX_TEMPFAIL, errno, "%s: fsync", l->path);
	if (l->created) {
		dir = path_dir(l->path);
		if (durable_sync_dir(dir) < 0)
			r = fserr_set(e, EX_TEMPFAIL, errno, "%s: fsync", dir);
		free(dir);
	}
	return r;
}

void
deliver_mbox_undo(struct mboxlock *l)
{
	if (!l->locked)
		return;
	if (ftruncate(l->fd, l->size) == 0)
		fsync(l->fd);
	lock_release(l);
}

/* ---- one message, N destinations ---- */

#define OBUF_SIZE       65536   /* Maildir bytes written at once */

const char *
deliver_error(const struct deliver *dv)
{
	return dv->e.msg;
}

int
deliver_exit(const struct deliver *dv)
{
	return fserr_exit(&dv->e);
}

int
deliver_path(const char *path, char **out, struct fserr *e)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	*out = xstrndup(path, n);
	return n == 0 ? fserr_set(e, EX_USAGE, 0, "empty destination") : 0;
}

void
deliver_describe_as(char *buf, size_t n, int mbox, const char *path,
    const char *root, int would_create)
{
	const char *base;

	if (mbox)
		snprintf(buf, n, "mbox %s", path);
	else if (root) {
		base = strrchr(path, '/');
		snprintf(buf, n, "Maildir++ folder %s of %s",
		    base ? base + 1 : path, root);
	} else
		snprintf(buf, n, "Maildir %s", path);
	if (would_create)
		strncat(buf, " (would be created)", n - strlen(buf) - 1);
}

const char *
deliver_describe(struct deliver *dv, unsigned i)
{
	const struct deliver_dest *d = &dv->d[i];

	deliver_describe_as(dv->desc, sizeof dv->desc, d->mbox, d->path,
	    d->mbox ? NULL : d->md.root,
	    d->missing && (dv->flags & DELIVER_DRYRUN));
	return dv->desc;
}

unsigned long long
deliver_size(const struct deliver *dv, unsigned i)
{
	return dv->d[i].size;
}

const char *
deliver_written(const struct deliver *dv, unsigned i)
{
	return dv->d[i].written;
}

int
deliver_open(struct deliver *dv, const struct deliver_to *to, unsigned n,
    int flags, double lock_timeout)
{
	int create = (flags & DELIVER_CREATE) != 0;
	unsigned i;

	memset(dv, 0, sizeof *dv);
	dv->d = xcalloc(n ? n : 1, sizeof *dv->d);
	dv->flags = flags;
	dv->lock_timeout = lock_timeout;
	dv->obuf = xmalloc(OBUF_SIZE);
	for (i = 0; i < n; i++) {
		struct deliver_dest *d = &dv->d[i];

		dv->n = i + 1;          /* what deliver_close() undoes */
		d->mbox = to[i].mbox;
		d->m.fd = d->lk.fd = d->lk.lockfd = -1;
		d->md.tmpfd = d->md.newfd = d->md.curfd = -1;
		if (deliver_path(to[i].path, &d->path, &dv->e) < 0)
			return -1;
		if (!d->mbox && to[i].flags && (strlen(to[i].flags) >=
		    sizeof d->flags || maildir_flags(d->flags, to[i].flags) < 0))
			return fserr_set(&dv->e, EX_USAGE, 0, "%s: Maildir flags "
			    "must be letters", d->path);
		if (d->mbox) {
			/* the lock's name; a Maildir asks for its own */
			if (dv->host[0] == '\0')
				maildir_hostname(dv->host, sizeof dv->host);
			lock_init(&d->lk, d->path, dv->host, create, &dv->e);
			spool_init(&d->sp, SPOOL_MEM);
			d->spooled = 1;
			if (deliver_mbox_check(d->path, create, &d->missing,
			    &dv->e) < 0)
				return -1;
		} else {
			if (maildir_open(&d->md, d->path, create, &dv->e) < 0)
				return -1;
			d->missing = d->md.missing;
		}
	}
	return 0;
}

/* mboxrd_emit into a destination's spool (a dry run counts only). */
static int
to_spool(void *arg, const char *p, size_t n)
{
	struct deliver_dest *d = arg;

	d->size += n;
	return d->dry ? 0 : spool_write(&d->sp, p, n);
}

static int
dest_fail(struct deliver *dv, struct deliver_dest *d)
{
	int err = errno;

	if (!dv->e.ex)
		fserr_set(&dv->e, d->mbox ? EX_TEMPFAIL : 0, err, "%s%s%s",
		    d->path, d->mbox ? ": spooling the message" : "/tmp/",
		    d->mbox || d->m.name == NULL ? "" : d->m.name);
	deliver_abort(dv);
	return -1;
}

int
deliver_begin(struct deliver *dv, const char *sender)
{
	int dry = (dv->flags & DELIVER_DRYRUN) != 0;
	time_t now = time(NULL);
	unsigned i;

	if (dv->inmsg)
		deliver_abort(dv);
	dv->e.ex = 0;
	dv->e.msg[0] = '\0';
	dv->inmsg = 1;
	dv->olen = 0;
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		d->size = 0;
		free(d->written);
		d->written = NULL;
		if (d->mbox) {
			d->dry = dry;
			if (mboxw_begin(&d->w, sender, now, to_spool, d) < 0)
				return dest_fail(dv, d);
			continue;
		}
		if (dry)
			continue;
		if ((d->md.tmpfd < 0 && maildir_create(&d->md) < 0) ||
		    maildir_tmp(&d->md, &d->m) < 0) {
			deliver_abort(dv);
			return -1;
		}
		d->m.flags = d->flags;
	}
	return 0;
}

int
deliver_set_flags(struct deliver *dv, unsigned i, const char *f)
{
	struct deliver_dest *d;

	if (i >= dv->n || (d = &dv->d[i])->mbox)
		return 0;
	if (strlen(f) >= sizeof d->flags || maildir_flags(d->flags, f) < 0)
		return fserr_set(&dv->e, EX_USAGE, 0, "%s: Maildir flags "
		    "must be letters", d->path);
	return 0;
}

/* The buffered bytes into every Maildir copy. */
static int
flush_maildirs(struct deliver *dv)
{
	unsigned i;

	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (!d->mbox && !(dv->flags & DELIVER_DRYRUN) &&
		    write_all(d->m.fd, dv->obuf, dv->olen) < 0)
			return dest_fail(dv, d);
	}
	dv->olen = 0;
	return 0;
}

int
deliver_write(struct deliver *dv, const void *p, size_t n)
{
	unsigned i;

	if (!dv->inmsg)
		return fserr_set(&dv->e, EX_SOFTWARE, 0, "write outside a "
		    "message");
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (d->mbox) {
			if (mboxw_write(&d->w, p, n) < 0)
				return dest_fail(dv, d);
		} else
			d->size += n;
	}
	while (n > 0) {
		size_t k = OBUF_SIZE - dv->olen;

		if (k > n)
			k = n;
		memcpy(dv->obuf + dv->olen, p, k);
		dv->olen += k;
		p = (const char *)p + k;
		n -= k;
		if (dv->olen == OBUF_SIZE && flush_maildirs(dv) < 0)
			return -1;
	}
	return 0;
}

/* Where each copy went, for deliver_written(). */
static void
written(struct deliver *dv)
{
	unsigned i;

	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (d->mbox) {
			d->written = xstrdup(d->path);
			spool_reset(&d->sp);
			lock_release(&d->lk);
		} else {
			d->written = maildir_msgpath(&d->md, &d->m);
			free(d->m.name);
			d->m.name = NULL;
		}
	}
}

int
deliver_commit(struct deliver *dv)
{
	unsigned i, pub;

	if (!dv->inmsg)
		return fserr_set(&dv->e, EX_SOFTWARE, 0, "commit outside a "
		    "message");
	if (flush_maildirs(dv) < 0)
		return -1;
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (d->mbox && mboxw_end(&d->w) < 0)
			return dest_fail(dv, d);
	}
	if (dv->flags & DELIVER_DRYRUN) {
		dv->inmsg = 0;
		return 0;
	}
	/* durable everywhere, visible nowhere */
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (d->mbox ? deliver_mbox_append(&d->lk, &d->sp,
		    dv->lock_timeout, &dv->e) : maildir_sync(&d->md, &d->m, 1)) {
			deliver_abort(dv);
			return -1;
		}
	}
	for (pub = 0; pub < dv->n; pub++) {
		struct deliver_dest *d = &dv->d[pub];

		if (!d->mbox && maildir_publish(&d->md, &d->m, 1) < 0)
			break;
	}
	if (pub < dv->n) {
		/* take back the copies already in new/ */
		for (i = 0; i < pub; i++)
			if (!dv->d[i].mbox)
				maildir_unpublish(&dv->d[i].md, &dv->d[i].m, 1);
		deliver_abort(dv);
		return -1;
	}
	written(dv);
	dv->inmsg = 0;
	return 0;
}

void
deliver_abort(struct deliver *dv)
{
	unsigned i;

	dv->olen = 0;
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (dv->flags & DELIVER_DRYRUN)
			continue;
		if (d->mbox) {
			deliver_mbox_undo(&d->lk);
			spool_reset(&d->sp);
		} else
			maildir_drop(&d->md, &d->m, 1);
	}
	dv->inmsg = 0;
}

void
deliver_close(struct deliver *dv)
{
	unsigned i;

	if (dv->inmsg)
		deliver_abort(dv);
	for (i = 0; i < dv->n; i++) {
		struct deliver_dest *d = &dv->d[i];

		if (d->mbox) {
			if (d->spooled)
				spool_free(&d->sp);
			lock_free(&d->lk);
		} else
			maildir_close(&d->md);
		free(d->path);
		free(d->written);
	}
	free(dv->d);
	free(dv->obuf);
	dv->d = NULL;
	dv->obuf = NULL;
	dv->n = 0;
}
