/*
 * deliver_test: common/deliver.c — one message into three destinations
 * (two Maildirs and an mbox) is all there or not there at all; Maildir
 * flags land the copy in cur/NAME:2,FLAGS; a dry run touches nothing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver.h"
#include "t.h"
#include "tfile.h"

static char dir[] = "/tmp/deliver_test.XXXXXX";
static char ma[128], mb[128], mbox[128];

static int
count(const char *d, const char *sub)
{
	char p[200];

	snprintf(p, sizeof p, "%s/%s", d, sub);
	return t_count_files(p);
}

/* The one file in d/new, read whole. */
static void
read_new(const char *d, struct buf *b)
{
	char p[400];
	DIR *dp;
	struct dirent *e;

	buf_reset(b);
	p[0] = '\0';
	snprintf(p, sizeof p, "%s/new", d);
	if ((dp = opendir(p)) == NULL)
		return;
	p[0] = '\0';
	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.')
			snprintf(p, sizeof p, "%s/new/%s", d, e->d_name);
	closedir(dp);
	if (p[0])
		t_slurp(p, b);
}

static int
one(struct deliver_to *to, unsigned n, const char *msg)
{
	struct deliver dv;
	int r;

	if (deliver_open(&dv, to, n, 1, 1) < 0 ||
	    deliver_begin(&dv, "a@b") < 0)
		r = -2;
	else if (deliver_write(&dv, msg, strlen(msg)) < 0)
		r = -3;
	else
		r = deliver_commit(&dv);
	deliver_close(&dv);
	return r;
}

/* The Sieve actions' flags (addflag, fileinto :flags) in Maildir names. */
static void
test_flags(struct buf *b)
{
	static const char msg[] = "Subject: f\n\nflagged\n";
	struct deliver_to to[3];
	struct deliver dv;
	const char *w;
	char want[300];
	size_t n;
	int c0 = count(ma, "cur"), n1 = count(mb, "new");

	if (n1 < 0)
		n1 = 0;         /* main() took mb/new away; -c makes it again */
	memset(to, 0, sizeof to);
	to[0].path = ma;
	to[0].flags = "SFS";
	to[1].path = mb;
	to[1].flags = "";
	to[2].mbox = 1;
	to[2].path = mbox;
	if (deliver_open(&dv, to, 3, DELIVER_CREATE, 1) < 0 ||
	    deliver_begin(&dv, NULL) < 0 ||
	    deliver_write(&dv, msg, strlen(msg)) < 0) {
		t_ok(0, "flags: deliver_open/begin/write");
		deliver_close(&dv);
		return;
	}
	t_ok(deliver_written(&dv, 0) == NULL, "nothing is written before "
	    "the commit");
	t_int(deliver_commit(&dv), 0, "a copy with flags commits with the "
	    "others");
	w = deliver_written(&dv, 0);
	snprintf(want, sizeof want, "%s/cur/", ma);
	n = w ? strlen(w) : 0;
	t_ok(n > strlen(want) + 5 && strncmp(w, want, strlen(want)) == 0 &&
	    strcmp(w + n - 5, ":2,FS") == 0, "... lands in cur/NAME:2,FS "
	    "(sorted, once each)");
	t_int(count(ma, "cur"), c0 + 1, "... one file in cur/");
	if (w) {
		t_slurp(w, b);
		t_str(b->p, b->len, msg, "... holding the message");
	}
	snprintf(want, sizeof want, "%s/new/", mb);
	w = deliver_written(&dv, 1);
	t_ok(w && strncmp(w, want, strlen(want)) == 0 && !strchr(w +
	    strlen(want), ':'), "empty flags: new/, no info");
	t_int(count(mb, "new"), n1 + 1, "... one more file in new/");
	w = deliver_written(&dv, 2);
	t_str(w ? w : "", w ? strlen(w) : 0, mbox, "the mbox copy's path is "
	    "the mbox");
	deliver_close(&dv);

	to[0].flags = "\\Seen";
	t_int(deliver_open(&dv, to, 3, DELIVER_CREATE, 1), -1, "flags that "
	    "are not letters are refused");
	t_int(deliver_exit(&dv), EX_USAGE, "... as a usage error");
	deliver_close(&dv);
}

/* -n: every destination checked, the bytes counted, nothing made. */
static void
test_dryrun(void)
{
	static const char msg[] = "Subject: d\n\nFrom x\n";
	char md[160], mx[160], want[200];
	struct deliver_to to[2];
	struct deliver dv;
	const char *d;

	snprintf(md, sizeof md, "%s/C/.F", dir);
	snprintf(mx, sizeof mx, "%s/D/box", dir);
	memset(to, 0, sizeof to);
	to[0].path = md;
	to[1].mbox = 1;
	to[1].path = mx;
	if (deliver_open(&dv, to, 2, DELIVER_CREATE | DELIVER_DRYRUN, 1) < 0 ||
	    deliver_begin(&dv, "a@b") < 0 ||
	    deliver_write(&dv, msg, strlen(msg)) < 0) {
		t_ok(0, "dry run: deliver_open/begin/write");
		deliver_close(&dv);
		return;
	}
	t_int(deliver_commit(&dv), 0, "a dry run commits");
	t_int((long long)deliver_size(&dv, 0), (long long)strlen(msg),
	    "... counting the Maildir copy's bytes");
	/* "From a@b DATE\n" (24-byte date), one '>' and the empty line */
	t_int((long long)deliver_size(&dv, 1), (long long)(strlen(msg) +
	    9 + 24 + 1 + 1 + 1), "... and the mbox copy's, quoting included");
	t_ok(deliver_written(&dv, 0) == NULL, "... writes nothing");
	snprintf(want, sizeof want, "Maildir++ folder .F of %s/C (would be "
	    "created)", dir);
	d = deliver_describe(&dv, 0);
	t_str(d, strlen(d), want, "... says what it would create");
	snprintf(want, sizeof want, "%s/C", dir);
	t_ok(access(want, F_OK) < 0, "... and creates no Maildir");
	snprintf(want, sizeof want, "%s/D", dir);
	t_ok(access(want, F_OK) < 0, "... nor an mbox directory");
	deliver_close(&dv);
}

int
main(void)
{
	static const char msg[] = "Subject: x\n\nFrom here\nbody\n";
	static const char tail[] = "\nSubject: x\n\n>From here\nbody\n\n";
	struct deliver_to to[3];
	struct deliver dv;
	struct buf b;
	char cmd[200];
	long long before;

	if (mkdtemp(dir) == NULL)
		return 2;
	buf_init(&b, 1 << 20);
	memset(to, 0, sizeof to);
	snprintf(ma, sizeof ma, "%s/A", dir);
	snprintf(mb, sizeof mb, "%s/B", dir);
	snprintf(mbox, sizeof mbox, "%s/mbox", dir);
	to[0].mbox = 0;
	to[0].path = ma;
	to[1].mbox = 0;
	to[1].path = mb;
	to[2].mbox = 1;
	to[2].path = mbox;

	t_int(one(to, 3, msg), 0, "one message into two Maildirs and an "
	    "mbox");
	t_int(count(ma, "new") * 10 + count(mb, "new"), 11, "... one copy "
	    "in each new/");
	t_int(count(ma, "tmp") + count(mb, "tmp"), 0, "... none left in "
	    "tmp/");
	read_new(mb, &b);
	t_str(b.p, b.len, msg, "... the Maildir copy is the message");
	before = t_size(mbox);
	t_slurp(mbox, &b);
	t_ok(b.len > 9 && memcmp(b.p, "From a@b ", 9) == 0 &&
	    b.len > sizeof tail && memcmp(b.p + b.len - (sizeof tail - 1),
	    tail, sizeof tail - 1) == 0, "... and the mbox has it, "
	    "mboxrd-quoted, ending in an empty line");

	/* the third fails at commit: the mbox became a directory */
	if (deliver_open(&dv, to, 3, 1, 1) < 0 ||
	    deliver_begin(&dv, "a@b") < 0 ||
	    deliver_write(&dv, msg, strlen(msg)) < 0)
		return 2;
	snprintf(cmd, sizeof cmd, "%s.old", mbox);
	if (rename(mbox, cmd) < 0 || mkdir(mbox, 0700) < 0)
		return 2;
	t_int(deliver_commit(&dv), -1, "a failure on the third destination "
	    "fails the commit");
	t_ok(deliver_exit(&dv) == EX_CANTCREAT ||
	    deliver_exit(&dv) == EX_IOERR, "... with 73 or 74");
	t_int(count(ma, "new") * 10 + count(mb, "new"), 11, "a failure on "
	    "the third leaves no copy visible in the first two");
	t_int(count(ma, "tmp") + count(mb, "tmp"), 0, "... and nothing in "
	    "their tmp/");
	deliver_close(&dv);
	rmdir(mbox);
	if (rename(cmd, mbox) < 0)
		return 2;

	/* the mbox first, then a Maildir whose new/ went away: the mbox
	 * has been appended to and is cut back */
	to[0].mbox = 1;
	to[0].path = mbox;
	to[1].mbox = 0;
	to[1].path = ma;
	to[2].mbox = 0;
	to[2].path = mb;
	if (deliver_open(&dv, to, 3, 1, 1) < 0 ||
	    deliver_begin(&dv, "a@b") < 0 ||
	    deliver_write(&dv, msg, strlen(msg)) < 0)
		return 2;
	snprintf(cmd, sizeof cmd, "rm -rf %s/new", mb);
	if (system(cmd) != 0)
		return 2;
	t_int(deliver_commit(&dv), -1, "a Maildir that fails to publish "
	    "fails the commit");
	t_int(t_size(mbox), before, "a failed commit cuts the mbox copy "
	    "back");
	t_int(count(ma, "new"), 1, "... and takes back the copy already "
	    "in new/");
	t_int(count(ma, "tmp") + count(mb, "tmp"), 0, "... leaving nothing "
	    "in tmp/");
	snprintf(cmd, sizeof cmd, "%s.lock", mbox);
	t_ok(access(cmd, F_OK) < 0, "... nor a lock");
	deliver_close(&dv);

	test_flags(&b);
	test_dryrun();

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	buf_free(&b);
	return t_done();
}
