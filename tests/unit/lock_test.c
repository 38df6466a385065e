/*
 * lock_test: common/lock.c — the dot-lock journal and the rules that
 * keep a planted lock file from cutting an mbox short or hanging us.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"
#include "t.h"
#include "tfile.h"

static char dir[] = "/tmp/lock_test.XXXXXX";
static char mbox[128], lockp[140];

static void
put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write_all(fd, s, strlen(s)) < 0 || close(fd) < 0)
		exit(2);
}

static long
dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

/* A lock as a dead delivery of ours on this host would leave it. */
static void
plant(long long size)
{
	char buf[256];
	struct stat st;

	if (stat(mbox, &st) < 0)
		exit(2);
	snprintf(buf, sizeof buf, "yubin %ld testhost %llu %llu %lld\n",
	    dead_pid(), (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino, size);
	put(lockp, buf);
}

int
main(void)
{
	static const char two[] = "From a Mon Jan  1 00:00:00 2024\nx\n\n"
	    "From b Mon Jan  1 00:00:00 2024\ny\n\n";
	struct mboxlock l;
	struct fserr e;
	struct stat st;
	char buf[256], cmd[64];
	ssize_t n;
	int fd;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(mbox, sizeof mbox, "%s/sub/mbox", dir);
	snprintf(lockp, sizeof lockp, "%s.lock", mbox);
	memset(&e, 0, sizeof e);

	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 0.2), -1, "a missing directory is not created "
	    "without create");
	t_int(e.ex, EX_CANTCREAT, "... 73");
	lock_free(&l);

	lock_init(&l, mbox, "testhost", 1, &e);
	t_str(l.lockpath, strlen(l.lockpath), lockp, "the dot-lock is "
	    "PATH.lock");
	t_int(lock_take(&l, 0.2), 0, "lock a missing mbox with create");
	t_ok(fstat(l.fd, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    l.created && l.size == 0, "... created, mode 0600, size 0");
	fd = open(lockp, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(cmd, sizeof cmd, "yubin %ld testhost ", (long)getpid());
	t_ok(strncmp(buf, cmd, strlen(cmd)) == 0 &&
	    strcmp(buf + strlen(buf) - 3, " 0\n") == 0, "the dot-lock "
	    "records pid, host and size");
	lock_release(&l);
	t_ok(access(lockp, F_OK) < 0, "release removes the dot-lock");
	lock_free(&l);

	/* a dead delivery of ours: its tail is cut off */
	put(mbox, two);
	plant(35);
	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 2), 0, "a stale lock of a dead delivery is "
	    "broken");
	t_int(t_size(mbox), 35, "... and the mbox cut back to its record");
	t_int(l.size, 35, "... which is the size recorded for us");
	lock_free(&l);

	/* a fake lock: its size is not where a delivery started */
	put(mbox, two);
	plant(20);
	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 2), 0, "a fake lock file is broken");
	t_int(t_size(mbox), (long long)strlen(two), "a fake lock file "
	    "cannot cut the mbox short");
	lock_free(&l);

	/* a lock with a second name is not believed either */
	plant(35);
	snprintf(cmd, sizeof cmd, "%s/other", dir);
	if (link(lockp, cmd) < 0)
		return 2;
	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 2), 0, "a hard-linked lock file is broken");
	t_int(t_size(mbox), (long long)strlen(two), "a hard-linked lock "
	    "file cannot cut the mbox short");
	lock_free(&l);
	unlink(cmd);

	/* a FIFO as the lock: no hang, a timeout */
	if (mkfifo(lockp, 0600) < 0)
		return 2;
	memset(&e, 0, sizeof e);
	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 0.3), -1, "a FIFO named mbox.lock does not "
	    "hang the delivery");
	t_int(e.ex, EX_TEMPFAIL, "... it times out with 75");
	lock_free(&l);
	unlink(lockp);

	/* a hard link to the mbox itself */
	if (link(mbox, cmd) < 0)
		return 2;
	memset(&e, 0, sizeof e);
	lock_init(&l, mbox, "testhost", 0, &e);
	t_int(lock_take(&l, 0.3), -1, "an mbox with two names is refused");
	t_int(e.ex, EX_CANTCREAT, "... 73");
	t_ok(access(lockp, F_OK) < 0, "... and no lock is left behind");
	lock_free(&l);

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return t_done();
}
