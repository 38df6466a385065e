/*
 * fetchlog_test: unit tests of common/fetchlog.c: how the intents of a
 * killed run are resolved (the token looked for in a Maildir's new/ and
 * cur/, or in an mbox after the recorded offset; a command's never
 * found), and the order of a batch's end (done records durable before
 * any message is told DURABLE; a lost batch is all LOST).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetchlog.h"
#include "t.h"
#include "tfile.h"

#define HDR "# yubin popfetch state 1\n"

static char dir[] = "/tmp/fetchlog_test.XXXXXX";

static void
put(const char *name, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(content, f);
		fclose(f);
	}
}

static void
test_maildir(void)
{
	char md[128], p[160];

	snprintf(md, sizeof md, "%s/Maildir", dir);
	mkdir(md, 0700);
	snprintf(p, sizeof p, "%s/new", md);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/cur", md);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/new/E", md);
	mkdir(p, 0700);
	put("Maildir/new/A", "a\n");
	put("Maildir/cur/B:2,S", "b\n");
	put("Maildir/cur/Cx", "c\n");
	put("Maildir/cur/D", "d\n");
	t_int(fetchlog_maildir_has(md, "A"), 1, "a token in new/ is found");
	t_int(fetchlog_maildir_has(md, "B"), 1,
	    "a token moved to cur/ with flags by a reader is found");
	t_int(fetchlog_maildir_has(md, "D"), 1, "in cur/ without flags too");
	t_int(fetchlog_maildir_has(md, "C"), 0,
	    "a token that only prefixes a name is not found");
	t_int(fetchlog_maildir_has(md, "E"), 0,
	    "a directory in new/ is not a delivered message");
	t_int(fetchlog_maildir_has(md, "Z"), 0, "an absent token");
}

static void
test_mbox_scan(void)
{
	char p[128];
	struct buf b;
	int fd;

	buf_init(&b, SIZE_MAX);
	/* the token straddles the scan's 64 KiB chunks */
	while (b.len < 65536 - 5)
		buf_add(&b, "x", 1);
	buf_add(&b, "id tok.123.host;\n", 17);
	snprintf(p, sizeof p, "%s/mbox", dir);
	put("mbox", b.p);
	fd = open(p, O_RDONLY);
	t_int(fetchlog_mbox_scan(fd, "tok.123.host", 0), 1,
	    "a token across a chunk boundary is found");
	t_int(fetchlog_mbox_scan(fd, "tok.123.host", 65000), 1,
	    "found after an offset before it");
	t_int(fetchlog_mbox_scan(fd, "tok.123.host", 65536), 0,
	    "not found after an offset past it (an older copy)");
	t_int(fetchlog_mbox_scan(fd, "tok.123.host", 1 << 30), 1,
	    "an mbox shorter than the offset is searched from its start");
	t_int(fetchlog_mbox_scan(fd, "tok.124.host", 0), 0,
	    "another token is not found");
	t_int(fetchlog_mbox_scan(fd, "", 0), 0, "an empty token never is");
	close(fd);
	buf_free(&b);
}

static struct fetchlog *
ledger(const char *state, const char *maildir, const char *mbox)
{
	static struct fetchlog fl;

	memset(&fl, 0, sizeof fl);
	fl.st.fd = -1;
	(void)uidstate_parse(&fl.st, state, strlen(state));
	fetchlog_dest(&fl, maildir, mbox, NULL);
	return &fl;
}

static int
done(struct fetchlog *fl, const char *uid)
{
	long long first;

	return fetchlog_done(fl, uid, &first);
}

static void
test_resolve(void)
{
	char md[128], mb[128];
	struct fetchlog *fl;
	const char *s = HDR "I\tu1\tA\t0\nI\tu2\tZ\t0\nD\tu3\t5\n"
	    "I\tu4\ttok.123.host\t0\nI\tu5\ttok.123.host\t65536\n";

	snprintf(md, sizeof md, "%s/Maildir", dir);
	snprintf(mb, sizeof mb, "%s/mbox", dir);
	fl = ledger(s, md, NULL);
	fetchlog_resolve(fl);
	t_ok(done(fl, "u1") && !done(fl, "u2") && done(fl, "u3"),
	    "Maildir: an intent found is delivered, one not found is not");
	fetchlog_free(fl);
	fl = ledger(s, NULL, mb);
	t_int(fl->bmax > 1, 1, "a store's batch holds several messages");
	fetchlog_resolve(fl);
	t_ok(done(fl, "u4") && !done(fl, "u5") && !done(fl, "u1"),
	    "mbox: only a token after the intent's offset counts");
	fetchlog_free(fl);
	fl = ledger(s, NULL, NULL);
	t_int((long long)fl->bmax, 1, "a command's batch is one message");
	fetchlog_resolve(fl);
	t_ok(!done(fl, "u1") && !done(fl, "u4") && done(fl, "u3"),
	    "a command cannot be asked: its intents are not delivered");
	fetchlog_free(fl);
}

static char ends[64];

/* The state file holds uid's done record. */
static int
recorded(const char *path, size_t id)
{
	char rec[32];
	struct buf b;
	int found;

	snprintf(rec, sizeof rec, "D\tv%zu\t", id);
	buf_init(&b, SIZE_MAX);
	t_slurp(path, &b);
	buf_add(&b, "", 1);
	found = strstr(b.p, rec) != NULL;
	buf_free(&b);
	return found;
}

static void
each(void *arg, size_t id, enum fetchlog_end e)
{
	const char *path = arg;
	size_t n = strlen(ends);

	/* a message is told DURABLE only once its done record is in the
	 * file */
	if (e == FETCHLOG_DURABLE && !recorded(path, id))
		e = FETCHLOG_UNRECORDED;
	if (n + 3 < sizeof ends)
		snprintf(ends + n, sizeof ends - n, "%zu%c ", id,
		    "DLU"[e]);
}

static void
test_flush(void)
{
	char path[128], lock[160], md[128], t[300], want[900];
	struct buf hdr;
	struct store_conf sc;
	struct store sto;
	struct fetchlog fl;

	struct fetchlog fl2;
	struct stat st;
	pid_t pid;
	int wst;

	snprintf(path, sizeof path, "%s/yubin/t/_u_v@h", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	snprintf(md, sizeof md, "%s/Inbox", dir);
	setenv("XDG_STATE_HOME", dir, 1);
	memset(&fl, 0, sizeof fl);
	t_int(fetchlog_open(&fl, "t", ".u/v", "h", NULL), 0, "opened");
	t_ok(stat(lock, &st) == 0,
	    "the lock in XDG_STATE_HOME, the key made a file name");
	/* the run lock is per process: another process asks */
	if ((pid = fork()) == 0) {
		memset(&fl2, 0, sizeof fl2);
		if (fetchlog_open(&fl2, "t", ".u/v", "h", NULL) == 0)
			_exit(0);
		_exit(strstr(fl2.fe.msg, "_u_v@h is being fetched by "
		    "process") == fl2.fe.msg ? fserr_exit(&fl2.fe) : 1);
	}
	t_int(pid > 0 && waitpid(pid, &wst, 0) == pid && WIFEXITED(wst) ?
	    WEXITSTATUS(wst) : -1, 75,
	    "another run on the same mailbox: 75, saying who holds it");
	fl.each = each;
	fl.arg = path;

	/* a command: the done records only */
	fetchlog_dest(&fl, NULL, NULL, NULL);
	fetchlog_queue(&fl, 1, "v1");
	t_int(fetchlog_full(&fl), 1, "a command's batch is full at one");
	fetchlog_queue(&fl, 2, "v2");
	ends[0] = '\0';
	t_int(fetchlog_flush(&fl), 0, "flushed");
	t_str(ends, strlen(ends), "1D 2D ", "each message DURABLE, in order");
	t_int((long long)fl.nbatch, 0, "the batch is empty after");
	t_ok(recorded(path, 1) && recorded(path, 2),
	    "the done records are in the file");
	ends[0] = '\0';
	t_int(fetchlog_flush(&fl), 0, "nothing to flush");
	t_str(ends, strlen(ends), "", "no message told");

	/* a Maildir: the intent names the file; a transfer cut short
	 * drops the whole batch of the store */
	memset(&sc, 0, sizeof sc);
	fetchlog_dest(&fl, md, NULL, &sc);
	sc.kind = STORE_MAILDIR;
	sc.flags = STORE_CREATE;
	t_int(store_open(&sto, md, &sc), 0, "a Maildir store");
	fl.sto = &sto;
	buf_init(&hdr, SIZE_MAX);
	t_int(fetchlog_begin(&fl, "v3", "pop.example", "POP3S", &hdr), 0,
	    "begun");
	snprintf(t, sizeof t, "%s", fl.token);
	snprintf(want, sizeof want, "Received: from pop.example\n\tby %s "
	    "(yubin t) with POP3S\n\tid %s;\n\t", fl.host, t);
	t_ok(hdr.len > strlen(want) && memcmp(hdr.p, want, strlen(want)) == 0,
	    "the Received field names the hop and has the token as its id");
	buf_free(&hdr);
	t_int(fetchlog_write(&fl, "a\n", 2), 0, "written");
	t_int(fetchlog_commit(&fl, 3, "v3", 0, 0), 0, "queued");
	buf_init(&hdr, SIZE_MAX);
	t_int(fetchlog_begin(&fl, "v4", "h", "POP3", &hdr), 0,
	    "another begun");
	t_int(fetchlog_write(&fl, "b\n", 2), 0, "written");
	ends[0] = '\0';
	t_int(fetchlog_commit(&fl, 4, "v4", 75, 0), 75,
	    "a transfer cut short");
	t_str(ends, strlen(ends), "3L ", "the batch before it is LOST");
	t_int(recorded(path, 3), 0, "and not recorded");
	t_int(fetchlog_maildir_has(md, t), 0, "and not in the Maildir");

	t_int(fetchlog_begin(&fl, "v5", "h", "POP3", &hdr), 0, "begun");
	buf_free(&hdr);
	snprintf(t, sizeof t, "%s", fl.token);
	t_int(fetchlog_write(&fl, "c\n", 2), 0, "written");
	t_int(fetchlog_commit(&fl, 5, "v5", 0, 0), 0, "queued");
	t_int(fetchlog_maildir_has(md, t), 0, "unseen before the flush");
	ends[0] = '\0';
	t_int(fetchlog_flush(&fl), 0, "flushed");
	t_str(ends, strlen(ends), "5D ", "DURABLE after the flush");
	t_int(fetchlog_maildir_has(md, t), 1, "in new/ under its token");
	store_close(&sto);
	fetchlog_free(&fl);
	{
		char rec[400];
		struct buf b;

		snprintf(rec, sizeof rec, "I\tv5\t%s\t0\nD\tv5\t", t);
		buf_init(&b, SIZE_MAX);
		t_slurp(path, &b);
		buf_add(&b, "", 1);
		t_ok(strstr(b.p, rec) != NULL,
		    "the intent, with the Maildir name, then the done record");
		buf_free(&b);
	}
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_maildir();
	test_mbox_scan();
	test_resolve();
	test_flush();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		t_ok(0, "cleanup");
	return t_done();
}
