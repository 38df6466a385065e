/*
 * usage: see usage.h.
 */
#include "usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
usage_exit(int status, const char *const synopsis[])
{
	FILE *f = status ? stderr : stdout;
	const char *s;
	size_t i;
	int indent = (int)strlen("usage: ") + (int)strlen(progname) + 1;

	for (i = 0; synopsis[i] != NULL; i++) {
		fprintf(f, "%*s%s ", (int)strlen("usage: "),
		    i == 0 ? "usage: " : "", progname);
		for (s = synopsis[i]; *s != '\0'; s++) {
			putc(*s, f);
			if (*s == '\n')
				fprintf(f, "%*s", indent, "");
		}
		putc('\n', f);
	}
	if (status)
		exit(status);
	out_close();
	exit(0);
}

/*
 * getopt_long leaves optind past a long option it refuses, so
 * argv[optind - 1] is that option as given; a short one is named by
 * optopt alone (it may sit inside a cluster such as -aZ).
 */
static void
warn_wrong(const char *optstring, char *const argv[])
{
	const char *arg = argv[optind - 1];
	const char *eq;

	if (optopt > ' ' && optopt < 0x7f) {
		warn_badopt(optstring);
		return;
	}
	eq = strchr(arg, '=');
	if (optopt == 0)
		warn("unknown option %.*s", eq ? (int)(eq - arg) :
		    (int)strlen(arg), arg);
	else if (eq != NULL)
		warn("option %.*s takes no argument", (int)(eq - arg), arg);
	else
		warn("option %s needs an argument", arg);
}

void
usage_opt(int c, const char *optstring, char *const argv[],
    const char *const synopsis[])
{
	if (c == USAGE_HELP)
		usage_exit(0, synopsis);
	if (c == USAGE_VERSION)
		version();
	warn_wrong(optstring, argv);
	usage_exit(EX_USAGE, synopsis);
}
