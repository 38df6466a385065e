/*
 * maxrss FILE COMMAND [ARG...]: run COMMAND, write its peak resident set
 * size in KiB (wait4's ru_maxrss) to FILE, exit with COMMAND's status.
 *
 * Why a C helper: Linux charges a child with the peak RSS of the image it
 * replaced at exec, so a child forked from Python (10+ MiB) never reports
 * less than Python's size. This helper is ~1 MiB, below anything measured.
 */
#define _DEFAULT_SOURCE
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int st;

	if (argc < 3) {
		fputs("usage: maxrss FILE COMMAND [ARG...]\n", stderr);
		return 64;
	}
	if ((pid = fork()) < 0) {
		perror("maxrss: fork");
		return 71;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("maxrss: wait4");
		return 71;
	}
	if ((out = fopen(argv[1], "w")) == NULL ||
	    fprintf(out, "%ld\n", ru.ru_maxrss) < 0 || fclose(out) != 0) {
		perror(argv[1]);
		return 74;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
