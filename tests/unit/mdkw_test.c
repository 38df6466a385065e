/*
 * mdkw_test: unit tests of common/mdkw.c, Dovecot's dovecot-keywords:
 * letters of known keywords in any case, new ones appended, the 26th
 * the last, lines that are not "N name" skipped, system flags and names
 * that are not atoms left out, and a held lock that changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdkw.h"
#include "t.h"
#include "util.h"

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
}

static char *
get(const char *path)
{
	static char b[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(b, 1, sizeof b - 1, f);
		fclose(f);
	}
	b[n] = 0;
	return b;
}

int
main(void)
{
	char dir[] = "/tmp/mdkw_test.XXXXXX", kw[MDKW_MAX + 1], path[256],
	    lockp[256];
	struct buf all;
	int i;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/dovecot-keywords", dir);
	snprintf(lockp, sizeof lockp, "%s/dovecot-keywords.lock", dir);

	t_int(mdkw_letters(dir, "\\Seen \\Flagged", kw), 0,
	    "system flags are not keywords");
	t_str(kw, strlen(kw), "", "and have no letter here");
	t_ok(access(path, F_OK) < 0, "no file for no keyword");

	put(path, "garbage\n1 Work\n30 Far\n1 Dup\n0 \n");
	t_int(mdkw_letters(dir, "work  New bad\"name", kw), 1,
	    "a name that is not an atom is left out");
	t_str(kw, strlen(kw), "ba", "Work in any case is b, New takes a");
	t_str(get(path), strlen(get(path)), "0 New\n1 Work\n",
	    "the file: the lines it could read, and the new one");
	t_ok(access(lockp, F_OK) < 0, "the lock is gone");

	put(lockp, "");
	t_int(mdkw_letters(dir, "Work Other", kw), 1,
	    "a held lock leaves the new keyword out");
	t_str(kw, strlen(kw), "b", "the known one keeps its letter");
	t_str(get(path), strlen(get(path)), "0 New\n1 Work\n",
	    "and the file is untouched");
	unlink(lockp);

	buf_init(&all, 4096);
	for (i = 0; i < 30; i++)
		buf_printf(&all, "%sk%d", i ? " " : "", i);
	t_int(mdkw_letters(dir, all.p, kw), 6,
	    "26 letters: 24 more fit, 6 are left out");
	t_int((long long)strlen(kw), 24, "24 letters");
	t_ok(strstr(get(path), "\n25 k23\n") != NULL &&
	    strstr(get(path), "k24") == NULL, "the 26th line is the last");
	buf_free(&all);

	unlink(path);
	rmdir(dir);
	return t_done();
}
