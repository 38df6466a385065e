/*
 * uidstate_test: unit tests of common/uidstate.c: the state file's
 * parser (records, the last one of a UID winning, intents, torn and
 * malformed lines), lookups, and a load/append/compact round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uidstate.h"
#include "t.h"

#define HDR "# yubin popfetch state 1\n"

static void
test_parse(void)
{
	struct uidstate s;
	struct uident *u;
	const char *f = HDR "D\tu1\t100\nI\tu2\ttok2\t7\nI\tu3\ttok3\t0\n"
	    "D\tu3\t300\nD\tu1\t150\nbogus line\nD\tu4\t4";

	memset(&s, 0, sizeof s);
	s.fd = -1;
	t_int(uidstate_parse(&s, f, strlen(f)), 0, "parsed");
	t_int((long long)s.n, 3, "three uids (u4's line is torn)");
	u = uidstate_find(&s, "u1", 2);
	t_ok(u && u->done && u->first == 100, "u1: done, first seen kept");
	u = uidstate_find(&s, "u2", 2);
	t_ok(u && !u->done && strcmp(u->token, "tok2") == 0 && u->off == 7,
	    "u2: an intent with its token and offset");
	u = uidstate_find(&s, "u3", 2);
	t_ok(u && u->done && u->first == 300, "u3: the D after the I wins");
	t_ok(uidstate_find(&s, "u4", 2) == NULL, "u4: a torn line is ignored");
	t_ok(uidstate_find(&s, "u", 1) == NULL, "no prefix match");
	t_int(s.dirty, 1, "duplicates, intents, junk: to be compacted");
	uidstate_free(&s);

	memset(&s, 0, sizeof s);
	s.fd = -1;
	t_int(uidstate_parse(&s, "D\tu1\t1\n", 7), -1, "no header: refused");
	t_int(uidstate_parse(&s, "", 0), 0, "empty: no state");
	f = HDR "D\tu1\t1\n";
	t_int(uidstate_parse(&s, f, strlen(f)), 0, "clean file");
	t_int(s.dirty, 0, "clean: nothing to compact");
	uidstate_free(&s);
	memset(&s, 0, sizeof s);
	s.fd = -1;
	f = HDR "D\tu\t1\t2\nD\tu 1\t1\nD\tu\tx\nI\tu\t\t1\n";
	t_int(uidstate_parse(&s, f, strlen(f)), 0, "malformed records");
	t_int((long long)s.n, 0, "none kept");
	uidstate_free(&s);
}

static void
test_file(void)
{
	char dir[] = "/tmp/uidstate_test.XXXXXX", path[64], buf[256];
	struct uidstate s;
	struct fserr e;
	FILE *fp;
	size_t n;

	if (mkdtemp(dir) == NULL) {
		t_skip("file round trip", "mkdtemp failed");
		return;
	}
	snprintf(path, sizeof path, "%s/a/b/state", dir);
	t_int(uidstate_load(&s, path, &e), 0, "a missing file is an empty state");
	uidstate_add(&s, 'I', "u1", "name1", 0);
	uidstate_add(&s, 'D', "u1", NULL, 42);
	t_int(uidstate_compact(&s), 0, "compact writes the header");
	uidstate_add(&s, 'D', "u2", NULL, 43);
	t_int(uidstate_sync(&s), 0, "appended");
	uidstate_free(&s);
	fp = fopen(path, "r");
	n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
	if (fp)
		fclose(fp);
	/* records queued before a compaction follow it */
	t_str(buf, n, HDR "I\tu1\tname1\t0\nD\tu1\t42\nD\tu2\t43\n",
	    "the header, then the records");
	t_int(uidstate_load(&s, path, &e), 0, "loaded again");
	t_ok(uidstate_find(&s, "u2", 2) != NULL, "u2 is known");
	t_ok(uidstate_find(&s, "u1", 2) != NULL, "u1 is known");
	/* live: 0 for both (the caller marks what the server lists) */
	t_int(uidstate_compact(&s), 0, "compact drops what left the server");
	uidstate_free(&s);
	fp = fopen(path, "r");
	n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
	if (fp)
		fclose(fp);
	t_str(buf, n, HDR, "only the header left");
	snprintf(buf, sizeof buf, "rm -rf %s", dir);
	if (system(buf) != 0)
		t_ok(0, "cleanup");
}

int
main(void)
{
	test_parse();
	test_file();
	return t_done();
}
