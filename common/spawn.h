/*
 * spawn: run a program without a shell, with one pipe to it or from it
 * (passwordeval, popfetch -p, Sieve "pipe", --sendmail).
 *
 * spawn_from() runs file with argv (execvp(3): a file without '/' is
 * looked up in PATH; no shell, so nothing in argv is interpreted) with
 * its stdout on a pipe and its stdin on /dev/null; sp->fd is the read
 * end.  spawn_to() gives it a pipe on its stdin instead, its stdout
 * being ours; sp->fd is the write end.  stderr is always ours, so the
 * program can say what went wrong.  A caller that wants a shell passes
 * "/bin/sh", {"sh", "-c", cmd, NULL} itself.  Both return 0, or -1 with
 * errno set (pipe or fork failed; nothing to wait for).  A program that
 * cannot be executed exits 127.
 *
 * spawn_wait() closes sp->fd if still open and reaps the child
 * (retrying on EINTR): it returns the exit status 0..255, or -1 with
 * *sig the signal that killed it, or -1 with *sig 0 if waiting failed.
 *
 * spawn_slurp() is the bounded read: at most cap bytes of fd into buf,
 * then it reads (and discards) to the end, so that the writer never
 * dies of SIGPIPE; *over is set when there was more.  The discarded
 * bytes pass through a stack buffer that is zeroed after use (the
 * output may be a secret).  Returns the bytes kept, or -1 (errno).
 *
 * No memory is allocated; the struct holds only the pid and the fd.
 */
#ifndef YUBIN_SPAWN_H
#define YUBIN_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

struct spawn {
	pid_t pid;
	int fd;                 /* our end of the pipe, or -1 */
};

int spawn_from(struct spawn *sp, const char *file, const char *const argv[]);
int spawn_to(struct spawn *sp, const char *file, const char *const argv[]);
/*
 * Run file with fd as its stdin and no pipe (sp->fd is -1): popfetch -p
 * hands a command the message in a whole file, so that popfetch killed
 * meanwhile cannot leave the command reading a message cut short (which
 * an MDA would take for the whole message).  On Linux the program gets
 * SIGTERM when the caller dies (PR_SET_PDEATHSIG, kept across exec), so
 * that a killed popfetch does not leave a delivery running that its
 * next run would repeat.  fd stays open in the caller.  0, or -1 with
 * errno (fork failed).
 */
int spawn_in(struct spawn *sp, const char *file, const char *const argv[],
    int fd);
int spawn_wait(struct spawn *sp, int *sig);
/*
 * spawn_wait() with a deadline: end is a spawn_now() time (0: none).
 * A program still running then is killed (SIGKILL) and reaped: -2.
 * (Only the program itself: a child it started lives on.)
 */
int spawn_wait_until(struct spawn *sp, double end, int *sig);
/* Seconds on the monotonic clock. */
double spawn_now(void);
/* A shell command line: "/bin/sh -c cmd" with spawn_to() when fd < 0,
 * else with spawn_in() on fd. */
int spawn_sh(struct spawn *sp, const char *cmd, int fd);
/* spawn_wait(), with a warning naming cmd when the program was killed
 * by a signal or could not be waited for: 0..255, or -1. */
int spawn_reap(struct spawn *sp, const char *cmd);
/* A sink into the stdin of a program started by spawn_to() (arg: the
 * struct spawn): once a write fails (the program stopped reading, which
 * is its call: its exit status tells), the pipe is closed and later
 * bytes are dropped.  Always 0. */
int spawn_write(void *sp, const char *p, size_t n);
ssize_t spawn_slurp(int fd, char *buf, size_t cap, int *over);

#endif
