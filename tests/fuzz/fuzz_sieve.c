/*
 * fuzz_sieve: sieve_compile on arbitrary bytes, as a user's rules file
 * is arbitrary input to maildeliver.
 *
 * Checks that a compile either gives a script or an error of the form
 * "NAME:LINE:COL: message" (never an empty one), and that compiling the
 * same bytes twice gives the same answer (the registry and the parser
 * keep no state between scripts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve.h"

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
		return 0;
	}
	if (s == NULL)
		abort();
	sieve_free(s);
	sieve_free(s2);
	return 0;
}
