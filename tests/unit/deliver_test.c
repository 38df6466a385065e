/*
 * deliver_test: common/deliver.c — one message into three destinations
 * (two Maildirs and an mbox) is all there or not there at all.
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

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	buf_free(&b);
	return t_done();
}
