/*
 * spawn_test: common/spawn.c — no shell between us and the program,
 * exit statuses and signals reported as they were, the bounded read
 * draining the rest so that the writer never dies of SIGPIPE.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"
#include "t.h"

/* Run file argv, read at most cap bytes of its output; the status. */
static int
run(const char *file, const char *const argv[], char *buf, size_t cap,
    ssize_t *got, int *over, int *sig)
{
	struct spawn sp;

	if (spawn_from(&sp, file, argv) < 0)
		return -100;
	*got = spawn_slurp(sp.fd, buf, cap, over);
	return spawn_wait(&sp, sig);
}

int
main(void)
{
	static const char *const lit[] = { "printf", "%s", "$HOME;`id`",
	    NULL };
	static const char *const ex3[] = { "sh", "-c", "exit 3", NULL };
	static const char *const term[] = { "sh", "-c", "kill -TERM $$",
	    NULL };
	static const char *const big[] = { "sh", "-c", "head -c 200000 "
	    "/dev/zero || exit 9", NULL };
	static const char *const none[] = { "no-such-program-yubin", NULL };
	static const char *const in[] = { "sh", "-c", "read x; [ \"$x\" = "
	    "fed ] && exit 7; exit 1", NULL };
	static const char *const stdin0[] = { "sh", "-c", "cat", NULL };
	char buf[64];
	ssize_t got;
	int over, sig, st;
	struct spawn sp;

	st = run("printf", lit, buf, sizeof buf, &got, &over, &sig);
	t_int(st, 0, "printf exits 0");
	t_str(buf, got > 0 ? (size_t)got : 0, "$HOME;`id`", "no shell: "
	    "argv reaches the program as written");
	t_int(over, 0, "... and nothing was cut");

	t_int(run("sh", ex3, buf, sizeof buf, &got, &over, &sig), 3,
	    "an exit status is returned as it is");
	t_int(sig, 0, "... with no signal");
	t_int(run("sh", term, buf, sizeof buf, &got, &over, &sig), -1,
	    "a program killed by a signal gives -1");
	t_int(sig, SIGTERM, "... and the signal");

	st = run("sh", big, buf, 10, &got, &over, &sig);
	t_int(got, 10, "the bounded read keeps cap bytes");
	t_int(over, 1, "... says there was more");
	t_int(st, 0, "... and drains the rest: the writer does not die of "
	    "SIGPIPE");

	t_int(run("no-such-program-yubin", none, buf, sizeof buf, &got,
	    &over, &sig), 127, "a program that cannot be run exits 127");

	t_int(run("sh", stdin0, buf, sizeof buf, &got, &over, &sig), 0,
	    "a program we read from ...");
	t_int(got, 0, "... reads /dev/null, not our stdin");

	if (spawn_to(&sp, "sh", in) < 0)
		return 2;
	t_int(write_all(sp.fd, "fed\n", 4), 0, "spawn_to: write to its "
	    "stdin");
	t_int(spawn_wait(&sp, &sig), 7, "... which it read");

	/* a shell command that stops reading: the rest is dropped, no
	 * SIGPIPE, its exit status is what it says */
	signal(SIGPIPE, SIG_IGN);
	if (spawn_sh(&sp, "head -c 1 >/dev/null; exit 3", -1) < 0)
		return 2;
	{
		static char mb[1 << 20];
		int i, all = 1;

		for (i = 0; i < 4; i++)
			all &= spawn_write(&sp, mb, sizeof mb) == 0;
		t_ok(all, "spawn_write: a reader that stops is not an error");
		t_int(sp.fd, -1, "... the pipe closed once a write failed");
	}
	t_int(spawn_reap(&sp, "t"), 3, "spawn_sh and spawn_reap: its status");

	{
		static const char *const slow[] = { "sleep", "5", NULL };
		double t0 = spawn_now();

		if (spawn_to(&sp, "sleep", slow) < 0)
			return 2;
		t_int(spawn_wait_until(&sp, t0 + 0.2, &sig), -2,
		    "spawn_wait_until: a program past its deadline gives -2");
		t_ok(spawn_now() - t0 < 2, "... at the deadline, not at its "
		    "end");
		t_int(sig, SIGKILL, "... killed and reaped");
		if (spawn_to(&sp, "sh", ex3) < 0)
			return 2;
		t_int(spawn_wait_until(&sp, spawn_now() + 5, &sig), 3,
		    "... one that ends in time gives its status");
	}
	return t_done();
}
