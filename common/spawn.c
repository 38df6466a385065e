/*
 * spawn: see spawn.h.
 */
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/*
 * In the child: the command starts as it would from a shell.  An ignored
 * signal stays ignored across exec, and our programs ignore SIGPIPE and
 * SIGXFSZ for their own writes; a command such as head(1) upstream of a
 * pipe, or one that relies on the file size limit, expects the defaults.
 */
static void __attribute__((noreturn))
run(const char *file, const char *const argv[])
{
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	/* execvp does not change argv; its prototype predates const */
	execvp(file, (char *const *)argv);
	_exit(127);
}

/* In the child: the pipe becomes stdin (to) or stdout; a child we
 * read from gets /dev/null as stdin, never our own stdin. */
static void
child(const char *file, const char *const argv[], int fds[2], int to)
{
	int mine = to ? fds[0] : fds[1], target = to ? 0 : 1;

	if (!to) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul > 0) {
			dup2(nul, 0);
			close(nul);
		}
	}
	if (mine != target) {
		dup2(mine, target);
		close(mine);
	}
	close(to ? fds[1] : fds[0]);
	run(file, argv);
}

static int
start(struct spawn *sp, const char *file, const char *const argv[], int to)
{
	int fds[2], err;

	sp->pid = -1;
	sp->fd = -1;
	if (pipe(fds) < 0)
		return -1;
	if ((sp->pid = fork()) < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		errno = err;
		return -1;
	}
	if (sp->pid == 0)
		child(file, argv, fds, to);
	close(to ? fds[0] : fds[1]);
	sp->fd = to ? fds[1] : fds[0];
	return 0;
}

int
spawn_from(struct spawn *sp, const char *file, const char *const argv[])
{
	return start(sp, file, argv, 0);
}

int
spawn_to(struct spawn *sp, const char *file, const char *const argv[])
{
	return start(sp, file, argv, 1);
}

int
spawn_in(struct spawn *sp, const char *file, const char *const argv[], int fd)
{
	pid_t parent = getpid();

	sp->fd = -1;
	if ((sp->pid = fork()) < 0)
		return -1;
	if (sp->pid == 0) {
#ifdef __linux__
		/* killed with us: a command still running when popfetch
		 * dies would finish a delivery that the next run, finding
		 * no done record, makes again (SIGTERM, so that an MDA can
		 * undo what it began); and if we died before this line,
		 * deliver nothing */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 &&
		    getppid() != parent)
			_exit(75);
#else
		(void)parent;
#endif
		if (fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		run(file, argv);
	}
	return 0;
}

int
spawn_sh(struct spawn *sp, const char *cmd, int fd)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	return fd < 0 ? spawn_to(sp, "/bin/sh", argv) :
	    spawn_in(sp, "/bin/sh", argv, fd);
}

int
spawn_reap(struct spawn *sp, const char *cmd)
{
	int sig, st = spawn_wait(sp, &sig);

	if (st < 0)
		warn("%s: %s", cmd, sig ? strsignal(sig) : "wait failed");
	return st;
}

int
spawn_write(void *arg, const char *p, size_t n)
{
	struct spawn *sp = arg;

	if (sp->fd >= 0 && write_all(sp->fd, p, n) < 0) {
		close(sp->fd);
		sp->fd = -1;
	}
	return 0;
}

int
spawn_wait(struct spawn *sp, int *sig)
{
	int status;

	*sig = 0;
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	if (sp->pid <= 0)
		return -1;
	while (waitpid(sp->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	sp->pid = -1;
	if (WIFSIGNALED(status)) {
		*sig = WTERMSIG(status);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double
spawn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
spawn_wait_until(struct spawn *sp, double end, int *sig)
{
	int status;
	pid_t k;

	if (end <= 0 || sp->pid <= 0)
		return spawn_wait(sp, sig);
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	/* bounded by end: a poll every 10 ms */
	while ((k = waitpid(sp->pid, &status, WNOHANG)) == 0 ||
	    (k < 0 && errno == EINTR)) {
		struct timespec ts = {0, 10000000L};

		if (spawn_now() >= end) {
			kill(sp->pid, SIGKILL);
			spawn_wait(sp, sig);
			return -2;
		}
		nanosleep(&ts, NULL);
	}
	*sig = 0;
	if (k < 0)
		return -1;
	sp->pid = -1;
	if (WIFSIGNALED(status)) {
		*sig = WTERMSIG(status);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ssize_t
spawn_slurp(int fd, char *buf, size_t cap, int *over)
{
	char chunk[512];
	volatile char *v = chunk;
	size_t got = 0, i;
	ssize_t k;

	*over = 0;
	for (;;) {
		if (got < cap)
			k = read(fd, buf + got, cap - got);
		else
			k = read(fd, chunk, sizeof chunk);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (got < cap)
			got += (size_t)k;
		else
			*over = 1;
	}
	for (i = 0; i < sizeof chunk; i++)
		v[i] = 0;
	return k < 0 ? -1 : (ssize_t)got;
}
