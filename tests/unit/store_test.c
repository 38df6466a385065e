/*
 * store_test: the pure parts of common/store.c (mboxrd quoting across
 * chunk boundaries, Maildir names, "From " lines), the mbox reader on
 * small buffers, and a delivery round trip in a temporary directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "t.h"
#include "tfile.h"

static int
to_buf(void *arg, const char *p, size_t n)
{
	return buf_add(arg, p, n);
}

/* Quote in, cut into chunks of size step (0: every split in two). */
static void
quote_in_chunks(const char *in, size_t step, size_t cut, struct buf *out)
{
	struct mboxrd_q q = { 0, 0 };
	size_t n = strlen(in), i;

	buf_reset(out);
	if (step == 0) {
		mboxrd_quote(&q, in, cut, to_buf, out);
		mboxrd_quote(&q, in + cut, n - cut, to_buf, out);
	} else {
		for (i = 0; i < n; i += step)
			mboxrd_quote(&q, in + i, n - i < step ? n - i : step,
			    to_buf, out);
	}
	mboxrd_quote_end(&q, to_buf, out);
}

static void
test_quote(void)
{
	static const char in[] =
	    "From a\n>From b\n>>From c\nFrom\nFro\n>Fro\nxFrom d\n"
	    ">>>\n\nFrom e\nFFrom f\n>F\n>>From";
	static const char want[] =
	    ">From a\n>>From b\n>>>From c\nFrom\nFro\n>Fro\nxFrom d\n"
	    ">>>\n\n>From e\nFFrom f\n>F\n>>From";
	struct buf out;
	size_t cut, step;
	int bad = 0;

	buf_init(&out, 4096);
	quote_in_chunks(in, strlen(in), 0, &out);
	t_str(out.p, out.len, want, "mboxrd quoting in one chunk");
	for (cut = 0; cut <= strlen(in); cut++) {
		quote_in_chunks(in, 0, cut, &out);
		if (out.len != strlen(want) || memcmp(out.p, want, out.len))
			bad++;
	}
	t_int(bad, 0, "mboxrd quoting split at every position");
	for (bad = 0, step = 1; step < 9; step++) {
		quote_in_chunks(in, step, 0, &out);
		if (out.len != strlen(want) || memcmp(out.p, want, out.len))
			bad++;
	}
	t_int(bad, 0, "mboxrd quoting in chunks of 1..8 bytes");
	quote_in_chunks(">>Fro", 1, 0, &out);
	t_str(out.p, out.len, ">>Fro", "held bytes released at the end");
	quote_in_chunks("From ", 2, 0, &out);
	t_str(out.p, out.len, ">From ", "a bare \"From \" at the end");
	buf_free(&out);
}

static void
test_quoted(void)
{
	t_int(mboxrd_quoted(">From x\n", 8), 1, ">From is quoted");
	t_int(mboxrd_quoted(">>>From x\n", 10), 1, ">>>From is quoted");
	t_int(mboxrd_quoted("From x\n", 7), 0, "From is a separator");
	t_int(mboxrd_quoted(">Fromx\n", 7), 0, ">Fromx is not quoted");
	t_int(mboxrd_quoted(">From", 5), 0, ">From without space");
}

static void
test_names(void)
{
	char b[128];
	int n;

	n = maildir_escape_host(b, sizeof b, "a/b:c.example");
	t_str(b, n < 0 ? 0 : (size_t)n, "a\\057b\\072c.example",
	    "host name escaping");
	t_int(maildir_escape_host(b, 6, "a/b"), -1, "escaping overflow");
	n = maildir_uniqname(b, sizeof b, 1700000000LL, 42, 1234, 7, "host");
	t_str(b, n < 0 ? 0 : (size_t)n, "1700000000.M42P1234Q7.host",
	    "unique name");
	t_int(maildir_uniqname(b, 10, 1700000000LL, 42, 1234, 7, "host"), -1,
	    "unique name overflow");
}

static void
test_fromline(void)
{
	char b[200];
	int n;

	setenv("TZ", "UTC", 1);
	tzset();
	n = mbox_fromline(b, sizeof b, NULL, 0);
	t_str(b, n < 0 ? 0 : (size_t)n,
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n",
	    "From line, unknown sender, day padded");
	n = mbox_fromline(b, sizeof b, "alice@example.org", 1700000000);
	t_str(b, n < 0 ? 0 : (size_t)n,
	    "From alice@example.org Tue Nov 14 22:13:20 2023\n",
	    "From line with a sender");
	n = mbox_fromline(b, sizeof b, "a b\tc", 1700000000);
	t_str(b, n < 0 ? 0 : (size_t)n,
	    "From a_b_c Tue Nov 14 22:13:20 2023\n",
	    "sender made one word");
	t_int(mbox_fromline(b, 20, "alice", 0), -1, "From line overflow");
}

/* A file holding s, opened for reading. */
static int
file_with(const char *s)
{
	FILE *f = tmpfile();
	int fd;

	fputs(s, f);
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Read every message of s; messages joined with "|", From lines "@". */
static void
read_mbox(const char *s, int split, size_t bufsize, struct buf *out)
{
	struct msgin m;
	struct mboxin r;
	const char *p;
	ssize_t n;
	int fd = file_with(s), res;

	buf_reset(out);
	msg_init(&m, fd, bufsize);
	mboxin_init(&r, &m, split);
	while ((res = mboxin_next(&r)) > 0) {
		buf_adds(out, "@");
		buf_add(out, r.from.p ? r.from.p : "", r.from.len);
		buf_adds(out, "|");
		while ((n = mboxin_line(&r, &p)) > 0)
			buf_add(out, p, (size_t)n);
		buf_adds(out, "|");
	}
	if (res < 0)
		buf_printf(out, "ERR%d", res);
	mboxin_free(&r);
	msg_free(&m);
	close(fd);
}

static void
test_mboxin(void)
{
	static const char mbox[] =
	    "From a Thu Jan  1 00:00:00 1970\nS: 1\n\n>From x\n>>From y\n\n"
	    "From b Thu Jan  1 00:00:00 1970\r\nS: 2\r\n\r\nbody\r\n\r\n\r\n"
	    "From c Thu Jan  1 00:00:00 1970\nS: 3\n\nlast\n\n";
	static const char want[] =
	    "@From a Thu Jan  1 00:00:00 1970|S: 1\n\nFrom x\n>From y\n|"
	    "@From b Thu Jan  1 00:00:00 1970|S: 2\n\nbody\n\n|"
	    "@From c Thu Jan  1 00:00:00 1970|S: 3\n\nlast\n|";
	struct buf out;

	buf_init(&out, 65536);
	read_mbox(mbox, 1, 0, &out);
	t_str(out.p, out.len, want, "mbox split, unquoted, CRLF to LF");
	read_mbox(mbox, 1, 16, &out);
	t_str(out.p, out.len, want, "mbox split with a 16-byte buffer");
	read_mbox("\n\nno from line\n", 1, 0, &out);
	t_str(out.p, out.len, "ERR-2", "not an mbox");
	read_mbox("", 1, 0, &out);
	t_str(out.p, out.len, "", "empty mbox: no message");
	read_mbox("From a\nS: 1\n\nFrom b\n>From c\n", 0, 0, &out);
	t_str(out.p, out.len, "@From a|S: 1\n\nFrom b\n>From c\n|",
	    "one message: only the leading From line comes off");
	read_mbox("S: 1\n\nbody", 0, 0, &out);
	t_str(out.p, out.len, "@|S: 1\n\nbody|", "one message, no From line");
	buf_free(&out);
}

/*
 * A ^>+From line longer than the reader's buffer: exactly one '>' comes
 * off, wherever the buffer's seam cuts the run of '>' or the "From "
 * after it; any other line keeps all its '>'.
 */
static void
test_mboxin_long_quote(void)
{
	static const char *tail[] = { "From x\n", "From ", "From", "Fro\n",
	    "Fr", "From\n", "x\n", "", ">" };
	static const size_t bufsize[] = { 16, 64, 67, 71, 72 };
	struct buf in, want, out;
	size_t g, t, b, k;
	int bad = 0;

	buf_init(&in, 1 << 20);
	buf_init(&want, 1 << 20);
	buf_init(&out, 1 << 20);
	for (b = 0; b < sizeof bufsize / sizeof *bufsize; b++)
		for (t = 0; t < sizeof tail / sizeof *tail; t++)
			for (g = 1; g < 3 * bufsize[b]; g++) {
				buf_reset(&in);
				buf_reset(&want);
				buf_adds(&in, "From a\nS: 1\n\n");
				buf_adds(&want, "@From a|S: 1\n\n");
				for (k = 0; k < g; k++)
					buf_adds(&in, ">");
				for (k = strncmp(tail[t], "From ", 5) == 0;
				    k < g; k++)
					buf_adds(&want, ">");
				buf_adds(&in, tail[t]);
				buf_adds(&want, tail[t]);
				buf_adds(&want, "|");
				buf_addc(&in, '\0');
				read_mbox(in.p, 1, bufsize[b], &out);
				if (out.len != want.len ||
				    memcmp(out.p, want.p, out.len) != 0) {
					if (!bad++)
						printf("# %zu '>' then \"%s\", "
						    "buffer %zu\n", g, tail[t],
						    bufsize[b]);
				}
			}
	t_int(bad, 0, "a long >>>From line loses exactly one '>' at any "
	    "buffer seam");
	/* 67 '>' with a 64-byte buffer; 70000 with the default one */
	for (b = 0; b < 2; b++) {
		g = b == 0 ? 67 : 70000;
		buf_reset(&in);
		buf_reset(&want);
		buf_adds(&in, "From a\n");
		buf_adds(&want, "@From a|");
		for (k = 0; k < g; k++)
			buf_adds(&in, ">");
		for (k = 1; k < g; k++)
			buf_adds(&want, ">");
		buf_adds(&in, "From x\n");
		buf_adds(&want, "From x\n|");
		buf_addc(&in, '\0');
		read_mbox(in.p, 1, b == 0 ? 64 : 0, &out);
		t_int(out.len == want.len &&
		    memcmp(out.p, want.p, out.len) == 0, 1, b == 0 ?
		    "67 '>' then From: 66 come back (64-byte buffer)" :
		    "70000 '>' then From: 69999 come back (default buffer)");
	}
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

static int ndelivered;

static void
count(const char *path, void *arg)
{
	(void)path;
	(void)arg;
	ndelivered++;
}

static void
test_deliver(void)
{
	char dir[] = "/tmp/store_test.XXXXXX", path[400], mbox[300];
	struct store_conf c;
	struct store s;
	struct buf got;
	int i;

	if (mkdtemp(dir) == NULL) {
		t_ok(0, "mkdtemp");
		return;
	}
	buf_init(&got, 65536);
	memset(&c, 0, sizeof c);
	c.kind = STORE_MAILDIR;
	snprintf(path, sizeof path, "%s/M/.Sub", dir);
	t_int(store_open(&s, path, &c), -1, "missing Maildir refused");
	t_int(store_exit(&s), EX_CANTCREAT, "... with 73");
	store_close(&s);
	c.flags = STORE_CREATE;
	c.batch = 3;
	c.delivered = count;
	t_int(store_open(&s, path, &c), 0, "Maildir++ folder created");
	for (i = 0; i < 4; i++) {
		store_begin(&s, NULL);
		store_puts(&s, "S: x\n\nFrom body\n");
		store_commit(&s);
	}
	t_int(ndelivered, 3, "a batch of 3 delivered at the third commit");
	store_begin(&s, NULL);
	store_puts(&s, "half");
	store_abort(&s);
	snprintf(path, sizeof path, "%s/M/.Sub/tmp", dir);
	t_int(t_count_files(path), 0, "abort drops the batch from tmp/");
	store_close(&s);
	snprintf(path, sizeof path, "%s/M/.Sub/new", dir);
	t_int(t_count_files(path), 3, "three messages in new/");
	snprintf(path, sizeof path, "%s/M/.Sub/maildirfolder", dir);
	t_int(access(path, F_OK), 0, "maildirfolder marker");
	snprintf(path, sizeof path, "%s/M/new", dir);
	t_int(t_count_files(path), 0, "the parent is a Maildir");

	c.kind = STORE_MBOX;
	c.batch = 1;
	snprintf(mbox, sizeof mbox, "%s/mbox", dir);
	t_int(store_open(&s, mbox, &c), 0, "mbox opened");
	store_begin(&s, "a@b");
	store_puts(&s, "S: 1\n\nFrom x\nno newline");
	t_int(store_commit(&s), 0, "mbox commit");
	store_begin(&s, NULL);
	store_puts(&s, "S: 2\n\n>From y\n");
	store_abort(&s);
	store_close(&s);
	t_slurp(mbox, &got);
	t_int(got.len > 5 && memcmp(got.p, "From a@b ", 9) == 0, 1,
	    "From line first");
	{
		const char *body = strchr(got.p, '\n');

		t_str(body ? body + 1 : "", body ? strlen(body + 1) : 0,
		    "S: 1\n\n>From x\nno newline\n\n",
		    "quoted, LF added, empty line after, abort undone");
	}
	snprintf(path, sizeof path, "%s.lock", mbox);
	t_int(access(path, F_OK), -1, "dot-lock removed");

	/* a bare CR at the end: the line end added must not swallow it */
	unlink(mbox);
	t_int(store_open(&s, mbox, &c), 0, "mbox opened again");
	store_begin(&s, "a@b");
	store_puts(&s, "S: 3\n\nends in CR\r");
	t_int(store_commit(&s), 0, "mbox commit, bare CR at the end");
	store_close(&s);
	t_slurp(mbox, &got);
	{
		const char *body = memchr(got.p, '\n', got.len);
		char *text = strndup(got.p, got.len);
		static const char back[] = "|S: 3\n\nends in CR\r\n|";
		size_t k = sizeof back - 1;

		t_str(body ? body + 1 : "", body ? got.len -
		    (size_t)(body + 1 - got.p) : 0, "S: 3\n\nends in CR\r\r\n\n",
		    "a message ending in a bare CR gets CRLF, not LF");
		read_mbox(text, 1, 0, &got);
		t_int(got.len > k && memcmp(got.p + got.len - k, back, k) == 0,
		    1, "a message ending in a bare CR reads back with its CR");
		free(text);
	}
	buf_free(&got);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		t_ok(0, "cleanup");
}

/* mbox_boundary(): w is the mbox from off - pos on. */
static void
test_boundary(void)
{
	static const struct {
		const char *w;
		size_t pos;
		int want;
		const char *what;
	} t[] = {
		{ "From a", 0, 1, "the start of the file" },
		{ "", 0, 1, "the end of an empty file" },
		{ "\n\n", 2, 1, "the end of the file" },
		{ "\n\nFrom a", 2, 1, "after an empty line" },
		{ "x\n\nFrom a", 2, 1, "after a last line (gap \"\\n\")" },
		{ "xx\n\nFrom a", 2, 1, "after no final newline (gap \"\\n\\n\")" },
		{ "x\n\nFrom a", 1, 1, "a one-byte file, gap \"\\n\\n\"" },
		{ "x\n\n\nFrom a", 1, 0, "three newlines of gap are not ours" },
		{ "\n\n\n\n\nFrom a", 2, 0, "nor after an empty line" },
		{ "xxFrom a", 2, 0, "From in mid-line" },
		{ "x\nFrom a", 2, 0, "From after a line, not an empty one" },
		{ "ab\ncdef", 2, 0, "in the middle of a message (byte 70)" },
		{ "\nFrom a", 0, 0, "an empty first line is not ours" },
		{ "x\r\r\n\nFrom a", 2, 1, "after a bare CR (gap \"\\r\\n\\n\")" },
		{ "\r\r\n\nFrom a", 1, 1, "a one-byte file of a CR" },
		{ "xx\r\n\nFrom a", 2, 0, "no CR of gap after other than a CR" },
		{ "x\r\r\nFrom a", 2, 0, "a CR gap needs its empty line" },
		{ "x\r\r\n\n\nFrom a", 2, 0, "nor three newlines after a CR" },
		{ "\n\nFrom", 2, 0, "From without its space" },
		{ "\n\nFrom a", 3, 0, "pos past 2" },
		{ "\n", 2, 0, "pos past the window" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		t_int(mbox_boundary(t[i].w, strlen(t[i].w), t[i].pos),
		    t[i].want, t[i].what);
}

int
main(void)
{
	test_boundary();
	test_quote();
	test_quoted();
	test_names();
	test_fromline();
	test_mboxin();
	test_mboxin_long_quote();
	test_deliver();
	return t_done();
}
