/*
 * durable_test: common/durable.c — atomic replace leaves the old file or
 * the new one, never a mix or a leftover; mkdir -p and its errors.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "t.h"
#include "tfile.h"

static char dir[] = "/tmp/durable_test.XXXXXX";

int
main(void)
{
	struct fserr e;
	struct buf b;
	struct stat st;
	char *f, *deep, *sub, *p, cmd[64];

	if (mkdtemp(dir) == NULL)
		return 2;
	buf_init(&b, 1 << 20);
	memset(&e, 0, sizeof e);
	f = path_join(dir, "file");

	t_int(durable_replace(f, "one\n", 4, 0600, &e), 0, "replace a "
	    "missing file");
	t_slurp(f, &b);
	t_str(b.p, b.len, "one\n", "... holds the new bytes");
	t_int(durable_replace(f, "two, longer\n", 12, 0600, &e), 0,
	    "replace an existing file");
	t_slurp(f, &b);
	t_str(b.p, b.len, "two, longer\n", "... holds exactly the new bytes");
	t_int(stat(f, &st) == 0 ? (long long)(st.st_mode & 0777) : -1, 0600,
	    "... with the mode asked for");
	t_int(t_count_files(dir), 1, "... and leaves no temporary file");

	/* a rename that fails (a directory in the way) keeps the old */
	sub = path_join(dir, "sub");
	mkdir(sub, 0700);
	p = path_join(sub, "x");
	mkdir(p, 0700);
	free(p);
	p = path_join(sub, "x");
	t_int(durable_replace(p, "new\n", 4, 0600, &e), -1, "a failed "
	    "replace returns -1");
	t_ok(strncmp(e.msg, p, strlen(p)) == 0, "... its error names the "
	    "path");
	t_int(t_count_files(sub), 1, "... and leaves no temporary file behind");
	t_ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "... nor touches what "
	    "was there");
	free(p);

	deep = path_join(dir, "a/b/c");
	t_int(durable_mkdirs(deep, &e), 0, "mkdir -p three levels");
	t_ok(stat(deep, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700, "... mode 0700");
	t_int(durable_mkdirs(deep, &e), 0, "mkdir -p of an existing "
	    "directory");
	p = path_join(f, "below");
	memset(&e, 0, sizeof e);
	t_int(durable_mkdirs(p, &e), -1, "mkdir -p below a file fails");
	t_int(e.ex, EX_CANTCREAT, "... with 73");
	t_ok(strstr(e.msg, "Not a directory") != NULL, "... saying why");
	free(p);

	p = path_dir("a/b/c");
	t_str(p, strlen(p), "a/b", "path_dir of a relative path");
	free(p);
	p = path_dir("c");
	t_str(p, strlen(p), ".", "path_dir of a bare name");
	free(p);
	p = path_dir("/c");
	t_str(p, strlen(p), "/", "path_dir below the root");
	free(p);
	t_int(durable_sync_dir(dir), 0, "fsync a directory");
	t_int(durable_sync_dir(f), -1, "fsync of a file as a directory "
	    "fails");

	free(f);
	free(deep);
	free(sub);
	buf_free(&b);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return t_done();
}
