/*
 * input: see input.h.  An mbox message reaches the callback through a
 * msgin of its own whose source is mboxin_line() (mbox.h): the
 * programs read one message the same way whatever holds it, and the
 * mboxrd rules live in one place.
 */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hdrq.h"
#include "mdir.h"
#include "rec.h"
#include "mbox.h"

#define INBUF (64u << 10)       /* each reader's buffer; > HDR_AHEAD */
#define HDRBUF 4096             /* with INPUT_HEADER: most headers fit,
                                   and a small first read copies less */
#define NAME_MAX_SHOWN 4096     /* a name quoted in a warning */

struct loop {
	struct input *in;
	struct msgin file;      /* the file or stdin */
	struct msgin one;       /* one message of an mbox */
	struct buf hdr;         /* INPUT_HEADER */
	struct buf name;        /* FILE:N */
	struct buf from;        /* the message's "From " line */
	struct mboxin box;
	const char *pend;       /* the rest of a line for one's source */
	size_t pendlen;
	int boxend;             /* mboxin_line() said the message ended */
};

static void
fail(struct loop *l, int status)
{
	l->in->status = ex_worse(l->in->status, status);
}

/* warn("NAME: what"), NAME quoted; a what ending in ':' adds errno. */
static void
warn_in(const char *name, const char *what)
{
	char *q;
	int e = errno;

	q = rec_quote_dup(name, strlen(name), NAME_MAX_SHOWN);
	errno = e;
	if (strcmp(what, ":") == 0)
		warn("%s:", q);
	else
		warn("%s%s", q, what);
	free(q);
}

/* Hand one message to the callback; a read error is the loop's to say. */
static int
give(struct loop *l, struct input_msg *m, struct msgin *r)
{
	if (l->in->flags & INPUT_HEADER) {
		if (msg_header(r, &l->hdr, NULL, &m->truncated) < 0) {
			errno = r->err;
			warn_in(m->name, ":");
			fail(l, EX_IOERR);
			return -1;
		}
		m->hdr = l->hdr.p;
		m->hdrlen = l->hdr.len;
	} else
		m->in = r;
	l->in->fn(l->in->arg, m);
	if (r->err == 0)
		return 0;
	errno = r->err;
	warn_in(m->name, ":");
	fail(l, EX_IOERR);
	return -1;
}

/*
 * one's source: the current mbox message, as many lines as fit and are
 * at hand (read() is not called for more while the reader holds none),
 * so that one's reader refills once per buffer rather than per line.
 */
static ssize_t
box_src(void *arg, char *p, size_t n)
{
	struct loop *l = arg;
	size_t k, got = 0;
	ssize_t r;

	while (got < n) {
		if (l->pendlen == 0) {
			if (l->boxend || (got > 0 &&
			    l->file.start == l->file.end))
				break;
			r = mboxin_line(&l->box, &l->pend);
			if (r < 0) {
				if (got > 0)    /* said at the next call */
					break;
				errno = l->file.err;
				return -1;
			}
			if (r == 0) {
				l->boxend = 1;
				break;
			}
			l->pendlen = (size_t)r;
		}
		k = l->pendlen < n - got ? l->pendlen : n - got;
		memcpy(p + got, l->pend, k);
		l->pend += k;
		l->pendlen -= k;
		got += k;
	}
	return (ssize_t)got;
}

/*
 * Every message of an mbox (split), or the one message of a stream
 * whose leading "From " line is not part of it (INPUT_ONE).
 */
static void
read_mbox(struct loop *l, const char *file, int split)
{
	struct input_msg m;
	unsigned long i;
	int r;

	mboxin_init(&l->box, &l->file, split);
	for (i = 1; (r = mboxin_next(&l->box)) > 0; i++) {
		memset(&m, 0, sizeof m);
		m.name = m.file = file;
		if (split) {
			buf_reset(&l->name);
			if (buf_printf(&l->name, "%s:%lu", file, i) < 0)
				die(EX_SOFTWARE, "a file name too long");
			m.name = l->name.p;
			m.index = i;
			m.several = 1;
		}
		/* copied: reading the message to its end reads the next
		 * "From " line into box.from */
		buf_reset(&l->from);
		buf_add(&l->from, l->box.from.p, l->box.from.len);
		m.from = l->from.len ? l->from.p : "";
		m.fromlen = l->from.len;
		l->pendlen = 0;
		l->boxend = 0;
		msg_source(&l->one, box_src, l);
		/* an MDA delivers the bytes as they are; a BOM was the
		 * stream's, not the message's */
		l->one.begun = (l->in->flags & (INPUT_MBOX | INPUT_ONE)) != 0;
		if (give(l, &m, &l->one) < 0 || !split)
			break;
	}
	if (r == -2) {
		warn_in(file, ": not an mbox (no \"From \" line first)");
		fail(l, EX_DATAERR);
	} else if (r < 0 && l->one.err == 0) {
		errno = l->file.err;
		warn_in(file, ":");
		fail(l, EX_IOERR);
	}
	mboxin_free(&l->box);
}

static void
read_fd(struct loop *l, const char *file, int fd)
{
	struct input_msg m;

	msg_reset(&l->file, fd);
	if (l->in->flags & (INPUT_MBOX | INPUT_ONE)) {
		read_mbox(l, file, (l->in->flags & INPUT_MBOX) != 0);
		return;
	}
	/* A "From " line that does not end within the buffer is no mbox
	 * (mboxin would read it to its end, which may never come): the
	 * file is one message, whose header reader stops at its cap. */
	if (msg_fromline(&l->file)) {
		read_mbox(l, file, 1);
		return;
	}
	if (l->file.err != 0) {
		errno = l->file.err;
		warn_in(file, ":");
		fail(l, EX_IOERR);
		return;
	}
	memset(&m, 0, sizeof m);
	m.name = m.file = file;
	give(l, &m, &l->file);
}

/* A Maildir's message: one message, never split as an mbox. */
static void
read_one(struct loop *l, const struct mdir_msg *dm)
{
	struct input_msg m;
	int fd;

	fd = openat(dm->dirfd, dm->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn_in(dm->path, ":");
		fail(l, EX_NOINPUT);
		return;
	}
	msg_reset(&l->file, fd);
	memset(&m, 0, sizeof m);
	m.name = m.file = dm->path;
	m.several = 1;
	give(l, &m, &l->file);
	close(fd);
}

/* With INPUT_HEADER, a Maildir's headers are read ahead on threads. */
static void
read_headers(struct loop *l, const struct mdir *d)
{
	struct input_msg m;
	struct hdrq_res r;
	struct hdrq *q;
	size_t i;

	q = hdrq_new(d->msg, d->n, l->in->hdrmax);
	for (i = 0; hdrq_next(q, &r); i++) {
		if (r.err != 0) {
			errno = r.err;
			warn_in(d->msg[i].path, ":");
			fail(l, r.openerr ? EX_NOINPUT : EX_IOERR);
			continue;
		}
		memset(&m, 0, sizeof m);
		m.name = m.file = d->msg[i].path;
		m.several = 1;
		m.hdr = r.hdr;
		m.hdrlen = r.len;
		m.truncated = r.truncated;
		l->in->fn(l->in->arg, &m);
	}
	hdrq_free(q);
}

static void
read_maildir(struct loop *l, const char *dir)
{
	struct mdir d;
	size_t i;

	if (mdir_list(dir, &d) < 0) {
		warn_in(dir, errno == ENOENT ?
		    ": not a Maildir (no cur/ or new/)" : ":");
		fail(l, EX_NOINPUT);
	} else if (l->in->flags & INPUT_HEADER)
		read_headers(l, &d);
	else
		for (i = 0; i < d.n; i++)
			read_one(l, &d.msg[i]);
	mdir_free(&d);
}

static void
read_arg(struct loop *l, const char *arg)
{
	struct stat sb;
	int fd;

	if (strcmp(arg, "-") == 0) {
		read_fd(l, l->in->stdin_name ? l->in->stdin_name : arg,
		    STDIN_FILENO);
		return;
	}
	if (stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		read_maildir(l, arg);
		return;
	}
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn_in(arg, ":");
		fail(l, EX_NOINPUT);
		return;
	}
	read_fd(l, arg, fd);
	close(fd);
}

void
input_loop(struct input *in, int argc, char **argv)
{
	struct loop l;
	size_t size = in->flags & INPUT_HEADER ? HDRBUF : INBUF;
	int i;

	memset(&l, 0, sizeof l);
	l.in = in;
	msg_init(&l.file, STDIN_FILENO, size);
	msg_init(&l.one, -1, size);
	buf_init(&l.hdr, in->hdrmax);
	buf_add(&l.hdr, "", 0);         /* p is a string even when empty */
	buf_init(&l.name, 1 << 20);
	buf_init(&l.from, 1024);        /* mboxin caps it at 1000 */
	if (argc == 0)
		read_arg(&l, "-");
	for (i = 0; i < argc; i++)
		read_arg(&l, argv[i]);
	msg_free(&l.file);
	msg_free(&l.one);
	buf_free(&l.hdr);
	buf_free(&l.name);
	buf_free(&l.from);
}
