/*
 * fuzz_sieverun: compile a script and run it against a message, both
 * from the input (split at the first NUL byte): every script that
 * compiles must run to a result, and a runtime error must leave exactly
 * the implicit keep without flags (RFC 5228 §2.10.6).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
seen(void *arg, const char *key, size_t n)
{
	(void)arg;
	return n % 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nul = memchr(p, 0, size);
	struct sieve_script *s;
	struct sieve_env env;
	struct sieve_result res;
	struct buf trace;
	char err[512];
	size_t slen = nul ? (size_t)(nul - p) : size;
	char *msg;
	size_t i;

	if (sieve_compile("f", p, slen, &s, err, sizeof err) < 0)
		return 0;
	msg = nul ? strndup(nul + 1, size - slen - 1) : strdup("");
	memset(&env, 0, sizeof env);
	env.msg = msg;
	env.len = strlen(msg);
	env.from = "a@x.test";
	env.to = "b+c@y.test";
	env.duplicate_seen = seen;
	buf_init(&trace, 1 << 24);
	env.trace = &trace;
	if (sieve_run(s, &env, &res) < 0) {
		if (res.error == NULL || res.n != 1 ||
		    res.a[0].type != SIEVE_KEEP || res.a[0].flags != NULL)
			abort();
	} else {
		for (i = 0; i < res.n; i++)
			if (res.a[i].type < SIEVE_KEEP ||
			    res.a[i].type > SIEVE_PIPE)
				abort();
	}
	sieve_result_print(&res, &trace);
	sieve_result_free(&res);
	buf_free(&trace);
	sieve_free(s);
	free(msg);
	return 0;
}
