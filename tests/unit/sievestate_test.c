/*
 * sievestate_test: unit tests of common/sievestate.c, the duplicate and
 * vacation memory: keys seen until they expire, expired lines dropped,
 * a missing file an empty memory, a directory made on the first write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sievestate.h"
#include "t.h"
#include "tfile.h"
#include "util.h"

int
main(void)
{
	char dir[] = "/tmp/sievestate_test.XXXXXX", path[256], line[256];
	char *keys[2] = {"duplicate\t\t<a@x>", "duplicate\t\t<b@x>"};
	size_t lens[2] = {17, 17};
	unsigned long long secs[2] = {100, 10};
	struct fserr e;
	struct buf b;
	FILE *f;
	int n = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/sub/duplicate", dir);
	memset(&e, 0, sizeof e);
	t_int(sstate_seen(path, keys[0], lens[0], 1000), 0,
	    "a missing file remembers nothing");
	t_int(sstate_add(path, keys, lens, secs, 2, 1000, &e), 0,
	    "two keys added, the directory made");
	t_int(sstate_seen(path, keys[0], lens[0], 1050), 1, "a key is seen");
	t_int(sstate_seen(path, keys[1], lens[1], 1010), 0,
	    "a key is forgotten when it expires");
	t_int(sstate_seen(path, "other", 5, 1000), 0, "another key is not");
	t_int(sstate_add(path, keys + 1, lens + 1, secs + 1, 1, 1020, &e), 0,
	    "a key added again");
	buf_init(&b, 1 << 20);
	t_slurp(path, &b);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		n++;
	if (f)
		fclose(f);
	t_int(n, 2, "the file holds one line per live key");
	t_ok(strstr(b.p ? b.p : "", "<a@x>") == NULL,
	    "keys are stored hashed, not as text");
	t_str(b.p, b.len > 2 ? 2 : b.len, "11", "the expiry comes first");
	t_int(sstate_seen(path, keys[1], lens[1], 1025), 1,
	    "the key added again is seen");
	buf_free(&b);
	snprintf(line, sizeof line, "rm -rf '%s'", dir);
	if (system(line) != 0)
		return 1;
	return t_done();
}
