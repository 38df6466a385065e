/*
 * spool_test: common/spool.c with a tiny memory cap, so that the move
 * to a temporary file, the replay in chunks and the reuse after a reset
 * are all crossed.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "spool.h"
#include "t.h"

struct sink {
	struct buf b;
	size_t biggest;
	int fail_at;            /* fail the nth call (1-based), 0: never */
	int calls;
};

static int
to_sink(void *arg, const char *p, size_t n)
{
	struct sink *k = arg;

	if (++k->calls == k->fail_at)
		return -1;
	if (n > k->biggest)
		k->biggest = n;
	return buf_add(&k->b, p, n);
}

static void
replay(struct spool *sp, struct sink *k, int fail_at)
{
	buf_reset(&k->b);
	k->biggest = 0;
	k->calls = 0;
	k->fail_at = fail_at;
	t_int(spool_replay(sp, to_sink, k), fail_at ? -1 : 0,
	    fail_at ? "replay stopped by its sink" : "replay");
}

int
main(void)
{
	static const char text[] = "From a\nline two\nline three\nend\n";
	struct spool sp;
	struct sink k;
	size_t i;

	buf_init(&k.b, 4096);
	spool_init(&sp, 10);
	t_int(spool_write(&sp, "From ", 5), 0, "5 bytes under a cap of 10");
	t_int(spool_infile(&sp), 0, "... stay in memory");
	replay(&sp, &k, 0);
	t_str(k.b.p, k.b.len, "From ", "... and come back");
	spool_reset(&sp);
	for (i = 0; i < sizeof text - 1; i += 3)
		spool_write(&sp, text + i, sizeof text - 1 - i < 3 ?
		    sizeof text - 1 - i : 3);
	t_int((long long)spool_len(&sp), (long long)sizeof text - 1,
	    "length past the cap");
	t_int(spool_infile(&sp), 1, "... in a temporary file");
	replay(&sp, &k, 0);
	t_str(k.b.p, k.b.len, text, "the bytes in order");
	t_int(k.biggest <= 10, 1, "in chunks of the cap at most");
	replay(&sp, &k, 0);
	t_str(k.b.p, k.b.len, text, "a second replay gives the same");
	replay(&sp, &k, 2);
	t_int(spool_write(&sp, "more\n", 5), 0, "writing after a replay");
	replay(&sp, &k, 0);
	t_str(k.b.p, k.b.len, "From a\nline two\nline three\nend\nmore\n",
	    "... appends");
	spool_reset(&sp);
	t_int((long long)spool_len(&sp), 0, "reset empties");
	replay(&sp, &k, 0);
	t_int((long long)k.b.len, 0, "... nothing to replay");
	spool_write(&sp, "abc", 3);
	replay(&sp, &k, 0);
	t_str(k.b.p, k.b.len, "abc", "reused after a reset");
	spool_free(&sp);

	/* spool_fd: the whole spool readable from its fd, from byte 0,
	 * however much was in memory and whoever read the fd before */
	spool_init(&sp, 4);
	spool_write(&sp, "ab", 2);
	{
		char got[16];
		ssize_t n;
		int fd = spool_fd(&sp);

		n = fd >= 0 ? read(fd, got, sizeof got) : -1;
		t_str(got, n > 0 ? (size_t)n : 0, "ab",
		    "spool_fd: what was in memory is in the file");
		spool_write(&sp, "cdefg", 5);
		fd = spool_fd(&sp);
		n = fd >= 0 ? read(fd, got, sizeof got) : -1;
		t_str(got, n > 0 ? (size_t)n : 0, "abcdefg",
		    "spool_fd again: all of it, from the start");
	}
	spool_free(&sp);

	/* spool_map: one piece of memory, in memory or from the file */
	spool_init(&sp, 4);
	{
		const char *p = NULL;
		size_t n = 99;

		t_int(spool_map(&sp, &p, &n), 0, "spool_map of nothing");
		t_str(p, n, "", "... is empty");
		spool_unmap(&sp);
		spool_write(&sp, "abc", 3);
		t_int(spool_map(&sp, &p, &n), 0, "spool_map in memory");
		t_str(p, n, "abc", "... the bytes");
		t_int(spool_infile(&sp), 0, "... and no file made for it");
		spool_unmap(&sp);
		spool_write(&sp, "defgh", 5);
		t_int(spool_map(&sp, &p, &n), 0, "spool_map past the cap");
		t_str(p, n, "abcdefgh", "... the file and the memory tail");
		t_int(spool_map(&sp, &p, &n), 0, "spool_map twice");
		t_str(p, n, "abcdefgh", "... the same");
		spool_reset(&sp);       /* unmaps */
		spool_write(&sp, "xy", 2);
		t_int(spool_map(&sp, &p, &n), 0, "spool_map after a reset");
		t_str(p, n, "xy", "... only the new bytes");
	}
	spool_free(&sp);            /* unmaps (ASan: no leak) */

	setenv("TMPDIR", "/nonexistent/yubin", 1);
	spool_init(&sp, 4);
	t_int(spool_write(&sp, "abcd", 4), 0, "up to the cap needs no file");
	errno = 0;
	t_int(spool_write(&sp, "e", 1), -1, "past it, no TMPDIR: -1");
	t_int(errno, ENOENT, "... with errno set");
	errno = 0;
	t_int(spool_fd(&sp), -1, "spool_fd, no TMPDIR: -1");
	spool_free(&sp);
	buf_free(&k.b);
	return t_done();
}
