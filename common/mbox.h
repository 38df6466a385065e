/*
 * mbox: the mboxrd format, written and read.  Nothing here opens,
 * locks or syncs a file (lock.h and store.h do): the functions work on
 * buffers and on callbacks, or on a struct msgin for reading, and their
 * results are owned by the caller (struct mboxin owns its "From " line
 * buffer until mboxin_free()).
 *
 * Functions returning int give 0 (or a length) on success and -1 on
 * failure, unless said otherwise.
 */
#ifndef YUBIN_MBOX_H
#define YUBIN_MBOX_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "msg.h"
#include "util.h"

/*
 * The mbox separator "From SENDER DATE\n", DATE as asctime(3) in local
 * time.  SENDER is made one word (white space and controls become '_');
 * NULL or empty gives MAILER-DAEMON.  Returns the length, or -1.
 */
int mbox_fromline(char *buf, size_t n, const char *sender, time_t t);

/*
 * May a stale dot-lock's record cut the mbox back to offset off?  w holds
 * n bytes of the mbox read from off - pos, where pos is min(off, 2) (so
 * pos < 2 means w starts at the start of the file).  1 when off is the
 * end of the file, or where a delivery of ours started: at most two
 * newlines (what it added to end the mbox with an empty line; after a
 * bare CR, a CR first) and then "From ", at the start of the file or
 * after an empty line.  Else 0.
 */
int mbox_boundary(const char *w, size_t n, size_t pos);

/*
 * mboxrd quoting as a resumable state machine: feed the message in
 * chunks of any size; every line matching ^>*From gets one more '>'.
 * emit(arg, p, n) receives the output and returns 0 or -1 (which stops
 * the quoting and is returned).  Start from a zeroed struct mboxrd_q;
 * call mboxrd_quote_end() at the end of the message to release bytes
 * held back (a last line such as ">>Fro" without LF).
 */
struct mboxrd_q {
	int state;
	size_t gt;
};
typedef int mboxrd_emit(void *arg, const char *p, size_t n);
int mboxrd_quote(struct mboxrd_q *q, const char *p, size_t n,
    mboxrd_emit *emit, void *arg);
int mboxrd_quote_end(struct mboxrd_q *q, mboxrd_emit *emit, void *arg);
/* For a line start: 1 if p (length n) matches ^>+From (drop one '>'). */
int mboxrd_quoted(const char *p, size_t n);

/*
 * The mboxrd writer: one message as an mbox holds it.  mboxw_begin()
 * emits the "From " line (sender, time t; a sender too long for it
 * gives MAILER-DAEMON); mboxw_write() the message quoted; mboxw_end()
 * the bytes the quoting held back, an LF if the message lacks one (a
 * CRLF after a bare CR, which an LF alone would turn into a line end),
 * and the empty line that ends the message.  Every byte goes to emit;
 * each function returns 0, or emit's -1.  The writer keeps no memory.
 */
struct mboxw {
	struct mboxrd_q q;
	int last;               /* last byte of the message, or -1 */
	mboxrd_emit *emit;
	void *arg;
};
int mboxw_begin(struct mboxw *w, const char *sender, time_t t,
    mboxrd_emit *emit, void *arg);
int mboxw_write(struct mboxw *w, const char *p, size_t n);
int mboxw_end(struct mboxw *w);

/*
 * What to write before appending to fd, an mbox of size bytes, so that
 * the first "From " line starts a line after an empty line: "", "\n",
 * "\n\n", or "\r\n\n" after a bare CR.  A static string.
 */
const char *mbox_gap(int fd, off_t size);

/*
 * Reading messages from a stream.  With split, the stream is an mboxrd
 * mailbox: messages start at "From " lines, the empty line before each
 * "From " line (and at the end) is dropped, and ^>+From lines lose one
 * '>'.  Without split, the stream is one message: only a leading "From "
 * line is taken off.  from receives each message's "From " line (no LF,
 * capped at 1000 bytes), empty when there was none.
 */
struct mboxin {
	struct msgin *m;
	int split;
	struct buf from;
	int state;              /* MBOXIN_* in mbox.c */
	int bol;                /* the next raw line starts a line */
	int held;               /* an empty line held back */
	const char *stash;      /* a line read ahead, still in m's buffer */
	ssize_t stashn;
	int stashbol, stashpartial;
	int partial;            /* the last line returned lacks its LF */
	int owe;                /* a '>' taken off a line not yet known to
	                         * match ^>+From (its first piece ended too
	                         * soon to tell) */
	char pre[4];            /* "From " held back meanwhile */
	size_t npre;
	char out[5];            /* a '>' given back, then pre */
};

void mboxin_init(struct mboxin *r, struct msgin *m, int split);
void mboxin_free(struct mboxin *r);
/*
 * Go to the next message (skipping what is left of the current one).
 * Returns 1, 0 at the end of the stream, -1 on a read error (r->m->err),
 * -2 when a split stream does not start with a "From " line.
 */
int mboxin_next(struct mboxin *r);
/*
 * The next line of the current message, LF included, as msg_line();
 * r->partial is set for a piece without its LF.  0 at the end of the
 * message, -1 on a read error.
 */
ssize_t mboxin_line(struct mboxin *r, const char **p);

#endif
