/*
 * t.h: a tiny TAP harness for the unit drivers of common/.
 * Each CHECK prints "ok N - what" or "not ok N - what"; t_done() returns
 * the exit status.  Strings are compared with their lengths, so values
 * holding NUL bytes can be checked.
 */
#ifndef YUBIN_T_H
#define YUBIN_T_H

#include <stdio.h>
#include <string.h>

static int t_n, t_fail;

static void
t_ok(int cond, const char *what)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", t_n, what);
}

/* got (gp, gn) against the C string want */
static void
t_str(const char *gp, size_t gn, const char *want, const char *what)
{
	int ok = gp != NULL && gn == strlen(want) && memcmp(gp, want, gn) == 0;

	t_ok(ok, what);
	if (!ok)
		printf("#   got:  \"%.*s\"\n#   want: \"%s\"\n",
		    gp ? (int)gn : 6, gp ? gp : "(null)", want);
}

static void
t_int(long long got, long long want, const char *what)
{
	t_ok(got == want, what);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
}

/*
 * A check that cannot be made here: counted, and said why, as TAP's skip
 * (inline: not every driver has one).
 */
static inline void
t_skip(const char *what, const char *why)
{
	t_n++;
	printf("ok %d - %s # skip %s\n", t_n, what, why);
}

static int
t_done(void)
{
	printf("1..%d\n", t_n);
	return t_fail ? 1 : 0;
}

#endif
