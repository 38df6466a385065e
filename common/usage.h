/*
 * usage: the one shape of --help, --version and a wrong option.
 *
 * Every program takes --help (the usage on stdout, exit 0) and --version
 * ("NAME (yubin) VERSION" on stdout, exit 0, see version() in util.h);
 * a wrong option warns, prints the usage on stderr and exits 64
 * (DESIGN.md, "Conventions shared by every program").  -h and -V are the
 * program's own: it maps them to usage_exit(0, ...) and version() where
 * the letters are free.
 *
 * A program puts USAGE_LONGOPTS in its getopt_long(3) table, sets
 * opterr = 0, and hands to usage_opt() every value getopt_long returns
 * that it does not handle itself.  Long-only options of a program use
 * values outside printable ASCII (below ' ' or from 0x100), so that a
 * printable optopt always names a short option.
 *
 * A synopsis is a NULL-terminated array of forms, each the arguments
 * after the program's name; a '\n' in a form continues it on the next
 * line, indented under the first argument.
 */
#ifndef YUBIN_USAGE_H
#define YUBIN_USAGE_H

#include <getopt.h>

enum { USAGE_HELP = 0x100, USAGE_VERSION };

#define USAGE_LONGOPTS \
	{ "help", no_argument, NULL, USAGE_HELP }, \
	{ "version", no_argument, NULL, USAGE_VERSION }

/* Print "usage: NAME form" for each form: on stdout and exit 0 when
 * status is 0, else on stderr and exit status. */
void usage_exit(int status, const char *const synopsis[])
    __attribute__((noreturn));

/* Handle what getopt_long returned (c) that the program did not:
 * --help, --version, or a wrong option (warn, usage on stderr, exit 64). */
void usage_opt(int c, const char *optstring, char *const argv[],
    const char *const synopsis[]) __attribute__((noreturn));

#endif
