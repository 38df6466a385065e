/*
 * sieven: a stand-in for `maildeliver -n -r` while maildeliver has no
 * Sieve yet, so that tests/interop/sievediff.py can judge the interpreter
 * of common/sieve.* against Pigeonhole now.  It takes maildeliver's
 * arguments and prints what sieve_result_print() gives:
 *
 *   sieven -n -r RULES [-f SENDER] [-R RCPT] [--pipe-dir DIR] DEST < MSG
 *
 * A folder exists when DEST/.NAME is a directory (as for maildeliver);
 * the duplicate memory is empty.  A script that does not compile prints
 * the error on stderr and the implicit keep.  Nothing is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sieve.h"
#include "util.h"

static const char *dest;

static int
exists(void *arg, const char *folder)
{
	char p[4096];
	struct stat st;

	(void)arg;
	if (strcmp(folder, "INBOX") == 0)
		return 1;
	snprintf(p, sizeof p, "%s/.%s", dest, folder);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
slurp(FILE *fp, struct buf *b)
{
	char tmp[8192];
	size_t k;

	while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(b, tmp, k);
}

int
main(int argc, char **argv)
{
	const char *rules = NULL, *from = NULL, *to = NULL;
	struct buf src, msg, out;
	struct sieve_script *s;
	struct sieve_result res;
	struct sieve_env env;
	char err[1024];
	FILE *fp;
	int i;

	setprogname(argv[0]);
	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "-r") == 0)
			rules = argv[++i];
		else if (strcmp(argv[i], "-f") == 0)
			from = argv[++i];
		else if (strcmp(argv[i], "-R") == 0)
			to = argv[++i];
		else if (strcmp(argv[i], "--pipe-dir") == 0)
			i++;
		else if (strcmp(argv[i], "-n") != 0)
			die(64, "unknown argument %s", argv[i]);
	}
	if (rules == NULL || i != argc - 1)
		die(64, "usage: sieven -n -r RULES [-f S] [-R R] DEST < MSG");
	dest = argv[i];
	sieve_init();
	if ((fp = fopen(rules, "rb")) == NULL)
		die(66, "%s: cannot open", rules);
	buf_init(&src, SIEVE_MAX_SCRIPT + 1);
	slurp(fp, &src);
	fclose(fp);
	buf_init(&msg, (size_t)-1 / 2);
	slurp(stdin, &msg);
	buf_init(&out, (size_t)-1 / 2);
	if (sieve_compile(rules, src.p ? src.p : "", src.len, &s, err,
	    sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		printf("RESULT keep\n");
		buf_free(&src);
		buf_free(&msg);
		buf_free(&out);
		return 0;
	}
	memset(&env, 0, sizeof env);
	env.msg = msg.p ? msg.p : "";
	env.len = msg.len;
	env.from = from;
	env.to = to;
	env.orig_to = to;
	env.mailbox_exists = exists;
	if (sieve_run(s, &env, &res) < 0)
		fprintf(stderr, "%s\n", res.error ? res.error : "runtime error");
	sieve_result_print(&res, &out);
	fwrite(out.p ? out.p : "", 1, out.len, stdout);
	sieve_result_free(&res);
	sieve_free(s);
	buf_free(&src);
	buf_free(&msg);
	buf_free(&out);
	return 0;
}
