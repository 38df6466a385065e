/*
 * fuzz_sieve: sieve_compile on arbitrary bytes, as a user's rules file
 * is arbitrary input to maildeliver.
 *
 * Checks that a compile either gives a script or an error of the form
 * "NAME:LINE:COL: message" (never an empty one), and that compiling the
 * same bytes twice gives the same answer (the registry and the parser
 * keep no state between scripts).  sieve_compile_all() on the same bytes
 * agrees, and gives one "f:..." line per error, SIEVE_MAX_ERRORS at
 * most, the first the same as sieve_compile()'s: the parser's recovery
 * after an error must neither loop nor lose its place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve.h"
#include "util.h"

/* The lines of sieve_compile_all() against rc and err; abort if wrong. */
static void
check_all(const uint8_t *data, size_t size, int rc, const char *err)
{
	struct sieve_script *s;
	struct buf e;
	unsigned n = 99, lines = 0;
	size_t i, start = 0;

	buf_init(&e, 1 << 20);
	if (sieve_compile_all("f", (const char *)data, size, &s, &e, &n) != rc)
		abort();
	if (rc == 0) {
		if (n != 0 || e.len != 0)
			abort();
		sieve_free(s);
		buf_free(&e);
		return;
	}
	for (i = 0; i < e.len; i++) {
		if (e.p[i] != '\n')
			continue;
		if (e.p[start] != 'f' || e.p[start + 1] != ':')
			abort();
		/* err may be cut short by its size, a line never */
		if (lines == 0 && (strlen(err) > i - start ||
		    memcmp(err, e.p, strlen(err)) != 0))
			abort();
		lines++;
		start = i + 1;
	}
	if (n == 0 || start != e.len || lines != (n < SIEVE_MAX_ERRORS ? n :
	    SIEVE_MAX_ERRORS))
		abort();
	buf_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sieve_script *s, *s2;
	char err[512], err2[512];
	int rc, rc2;

	rc = sieve_compile("f", (const char *)data, size, &s, err, sizeof err);
	rc2 = sieve_compile("f", (const char *)data, size, &s2, err2,
	    sizeof err2);
	if (rc != rc2)
		abort();
	if (rc < 0) {
		if (s != NULL || strncmp(err, "f:", 2) != 0 ||
		    strchr(err + 2, ':') == NULL || strcmp(err, err2) != 0)
			abort();
		check_all(data, size, rc, err);
		return 0;
	}
	if (s == NULL)
		abort();
	sieve_free(s);
	sieve_free(s2);
	check_all(data, size, rc, "");
	return 0;
}
