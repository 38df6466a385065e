/*
 * fetchlog: the exactly-once ledger of a fetch (see fetchlog.h).
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "fetchlog.h"
#include "lock.h"
#include "maildir.h"
#include "util.h"

/* $XDG_STATE_HOME/yubin/PROG, else ~/.local/state/yubin/PROG; NULL
 * when neither is set. */
static char *
state_dir(const char *prog)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	struct buf b;

	buf_init(&b, SIZE_MAX);
	if (x != NULL && *x == '/')
		(void)buf_printf(&b, "%s/yubin/%s", x, prog);
	else if (h != NULL && *h != '\0')
		(void)buf_printf(&b, "%s/.local/state/yubin/%s", h, prog);
	else
		buf_free(&b);
	return b.p;
}

/* "user@host" as a file name: no '/', no leading '.'. */
static char *
mailbox_key(const char *user, const char *host)
{
	struct buf b;
	size_t i;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s@%s", user, host);
	for (i = 0; i < b.len; i++)
		if (b.p[i] == '/' || (unsigned char)b.p[i] < 0x20 ||
		    (i == 0 && b.p[i] == '.'))
			b.p[i] = '_';
	return b.p;
}

int
fetchlog_open(struct fetchlog *fl, const char *prog, const char *user,
    const char *host, const char *path)
{
	char *dir = state_dir(prog), *key, *def;

	fl->prog = prog;
	struct buf lp;
	pid_t holder;
	int r = -1;

	if (dir == NULL)
		return fserr_set(&fl->fe, EX_CONFIG, 0, "neither "
		    "XDG_STATE_HOME nor HOME is set; give --state");
	key = mailbox_key(user, host);
	def = path_join(dir, key);
	buf_init(&lp, SIZE_MAX);
	(void)buf_printf(&lp, "%s.lock", def);
	/* the lock is held until exit: its fd stays open */
	if (lock_run(lp.p, &holder, &fl->fe) >= 0)
		r = uidstate_load(&fl->st, path ? path : def, &fl->fe);
	else if (holder != 0)
		(void)fserr_set(&fl->fe, EX_TEMPFAIL, 0, "%s is being fetched "
		    "by process %ld (lock %s); try later", key, (long)holder,
		    lp.p);
	free(dir);
	free(key);
	free(def);
	buf_free(&lp);
	return r;
}

/*
 * The store takes batches (common/store: one syncfs and one fsync of
 * new/ for all): the ledger flushes them itself, after their intents are
 * durable, so the store's own batch is one larger than the ledger's and
 * never flushes on its own.
 */
#define BATCH	64

/* The store's report of a durable message: its path, in batch order. */
static void
delivered(const char *path, void *arg)
{
	struct fetchlog *fl = arg;

	if (fl->cbi < fl->nbatch && fl->delivered != NULL)
		fl->delivered(fl->arg, fl->batch[fl->cbi++].id, path);
}

void
fetchlog_dest(struct fetchlog *fl, const char *maildir, const char *mbox,
    struct store_conf *sc)
{
	fl->maildir = maildir;
	fl->mbox = mbox;
	maildir_hostname(fl->host, sizeof fl->host);
	/* a command: the done record right after each, which cannot be
	 * asked after a crash: the duplicate window is one message */
	fl->bmax = !maildir && !mbox ? 1 : store_batch_max(BATCH + 1) - 1;
	if (fl->bmax == 0)
		fl->bmax = 1;
	if (sc != NULL) {
		sc->batch = (unsigned)fl->bmax + 1;
		sc->delivered = delivered;
		sc->arg = fl;
	}
}

void
fetchlog_live(struct fetchlog *fl, const char *uid)
{
	struct uident *u = uidstate_find(&fl->st, uid, strlen(uid));

	if (u != NULL)
		u->live = 1;
}

int
fetchlog_done(struct fetchlog *fl, const char *uid, long long *first)
{
	struct uident *u = uidstate_find(&fl->st, uid, strlen(uid));

	if (u == NULL || !u->done)
		return 0;
	*first = u->first;
	return 1;
}

static int
is_file(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
fetchlog_maildir_has(const char *dir, const char *name)
{
	struct dirent *de;
	struct buf b;
	size_t nl = strlen(name);
	DIR *d;
	int found;

	buf_init(&b, SIZE_MAX);
	(void)buf_printf(&b, "%s/new/%s", dir, name);
	found = is_file(b.p);
	buf_reset(&b);
	(void)buf_printf(&b, "%s/cur", dir);
	if (!found && (d = opendir(b.p)) != NULL) {
		while (!found && (de = readdir(d)) != NULL)
			found = strncmp(de->d_name, name, nl) == 0 &&
			    (de->d_name[nl] == '\0' || de->d_name[nl] == ':');
		closedir(d);
	}
	buf_free(&b);
	return found;
}

int
fetchlog_mbox_scan(int fd, const char *token, long long off)
{
	static char buf[65536 + 1100];	/* tokens are at most 1 KiB */
	size_t tl = strlen(token), keep = 0;
	ssize_t n;
	struct stat st;
	int found = 0;

	if (tl == 0 || tl > 1024)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size >= off)
		(void)lseek(fd, (off_t)off, SEEK_SET);
	else
		(void)lseek(fd, 0, SEEK_SET);
	while (!found && (n = read(fd, buf + keep, 65536)) > 0) {
		size_t len = keep + (size_t)n, i;

		for (i = 0; i + tl <= len && !found; i++)
			found = memcmp(buf + i, token, tl) == 0;
		keep = len < tl ? len : tl;
		memmove(buf, buf + len - keep, keep);
	}
	return found;
}

/*
 * The mbox under its locks: taking them first cuts back what a killed
 * append left (lock.h), which must not count as delivered.  An mbox
 * that cannot be locked now counts as not holding the token (fetched
 * again: never lost).
 */
static int
mbox_has(struct fetchlog *fl, const char *token, long long off)
{
	struct mboxlock l;
	struct fserr e;
	int found = 0;

	if (path_dangling(fl->mbox) || access(fl->mbox, F_OK) != 0)
		return 0;
	lock_init(&l, fl->mbox, fl->host, 0, &e);
	if (lock_take(&l, 0) == 0) {
		found = fetchlog_mbox_scan(l.fd, token, off);
		lock_release(&l);
	} else {
		warn("%s", e.msg);
	}
	lock_free(&l);
	return found;
}

void
fetchlog_resolve(struct fetchlog *fl)
{
	size_t i;
	int got;

	for (i = 0; i < fl->st.n; i++) {
		struct uident *u = &fl->st.e[i];

		if (u->done || u->token == NULL)
			continue;
		/* a command cannot be asked: not delivered (the message
		 * may come twice, never lost) */
		got = fl->mbox ? mbox_has(fl, u->token, u->off) :
		    fl->maildir ? fetchlog_maildir_has(fl->maildir, u->token) :
		    0;
		if (got) {
			u->done = 1;
			u->first = (long long)time(NULL);
		}
	}
}

int
fetchlog_settle(struct fetchlog *fl)
{
	size_t i;
	int stale;

	fetchlog_resolve(fl);
	stale = fl->st.dirty;
	for (i = 0; i < fl->st.n; i++)
		stale |= !fl->st.e[i].live;
	if (stale && uidstate_compact(&fl->st) < 0)
		return -1;
	return 0;
}

/* Tell each message how the batch ended, and empty it. */
static void
end(struct fetchlog *fl, enum fetchlog_end e)
{
	size_t i, n = fl->nbatch;

	fl->nbatch = 0;
	for (i = 0; i < n; i++)
		fl->each(fl->arg, fl->batch[i].id, e);
}

int
fetchlog_begin(struct fetchlog *fl, const char *uid, const char *from,
    const char *with, struct buf *hdr)
{
	char *t = fl->token, d[64];
	size_t n = sizeof fl->token;
	struct timeval tv;
	struct stat st;
	long long off = 0;
	time_t now = time(NULL);
	struct tm tm;

	if (fl->sto != NULL && store_begin(fl->sto, NULL) < 0) {
		warn("%s", store_error(fl->sto));
		return store_exit(fl->sto);
	}
	if (fl->sto != NULL && !fl->mbox) {
		snprintf(t, n, "%s", store_name(fl->sto));
	} else {
		gettimeofday(&tv, NULL);
		snprintf(t, n, "%lld.M%ldP%ldQ%lu.%s", (long long)tv.tv_sec,
		    (long)tv.tv_usec, (long)getpid(), ++fl->tokq, fl->host);
		if (fl->mbox && stat(fl->mbox, &st) == 0)
			off = (long long)st.st_size;
	}
	if (fl->sto != NULL)
		uidstate_add(&fl->st, 'I', uid, t, off);
	localtime_r(&now, &tm);
	strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S %z", &tm);
	(void)buf_printf(hdr, "Received: from %s\n\tby %s (yubin %s) "
	    "with %s\n\tid %s;\n\t%s\n", from, fl->host, fl->prog, with, t, d);
	return 0;
}

int
fetchlog_write(void *arg, const char *p, size_t n)
{
	struct fetchlog *fl = arg;

	return store_write(fl->sto, p, n) < 0 ? store_exit(fl->sto) : 0;
}

int
fetchlog_commit(struct fetchlog *fl, size_t id, const char *uid, int ex,
    int werr)
{
	if (ex != 0) {
		store_abort(fl->sto);
	} else if (werr != 0 || store_commit(fl->sto) < 0) {
		warn("%s", store_error(fl->sto));
		ex = store_exit(fl->sto);
	}
	if (ex != 0)
		end(fl, FETCHLOG_LOST);
	else
		fetchlog_queue(fl, id, uid);
	return ex;
}

void
fetchlog_queue(struct fetchlog *fl, size_t id, const char *uid)
{
	struct fetchlog_item *it;

	if (fl->nbatch % BATCH == 0)
		fl->batch = xrealloc(fl->batch, (fl->nbatch + BATCH) *
		    sizeof *fl->batch);
	it = &fl->batch[fl->nbatch++];
	it->id = id;
	snprintf(it->uid, sizeof it->uid, "%s", uid);
}

int
fetchlog_full(const struct fetchlog *fl)
{
	return fl->nbatch >= fl->bmax;
}

int
fetchlog_flush(struct fetchlog *fl)
{
	struct store *sto = fl->sto;
	size_t i;
	int ex;

	if (fl->nbatch == 0)
		return 0;
	if (sto != NULL) {
		if (uidstate_sync(&fl->st) < 0) {
			store_abort(sto);
			warn("%s", fl->fe.msg);
			end(fl, FETCHLOG_LOST);
			return fserr_exit(&fl->fe);
		}
		fl->cbi = 0;
		if (store_flush(sto) < 0) {
			warn("%s", store_error(sto));
			end(fl, FETCHLOG_LOST);
			return store_exit(sto);
		}
	}
	for (i = 0; i < fl->nbatch; i++)
		uidstate_add(&fl->st, 'D', fl->batch[i].uid, NULL,
		    (long long)time(NULL));
	if (uidstate_sync(&fl->st) < 0) {
		warn("%s", fl->fe.msg);
		ex = fserr_exit(&fl->fe);
		end(fl, FETCHLOG_UNRECORDED);
		return ex;
	}
	end(fl, FETCHLOG_DURABLE);
	return 0;
}

void
fetchlog_free(struct fetchlog *fl)
{
	free(fl->batch);
	fl->batch = NULL;
	fl->nbatch = 0;
	uidstate_free(&fl->st);
}
