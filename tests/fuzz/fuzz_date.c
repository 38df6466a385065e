/*
 * fuzz_date: date_parse and date_iso on arbitrary bytes.
 *
 * Besides crashes and undefined behaviour, it checks the contracts: the
 * zone pointer is optional and changes nothing; a parsed time lies
 * within years 0-9999 give or take a day of zone offset; the zone is
 * under 24 hours; date_iso always fits and ends in 'Z'; and for years
 * 0-9999 date_iso's output parses back to the same instant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define YEAR0 (-62167219200LL)          /* 0000-01-01T00:00:00Z */
#define YEAR10000 253402300800LL        /* 10000-01-01T00:00:00Z */

static void
check_iso(long long t)
{
	char out[32];
	size_t n;
	long long back;
	int zone;

	memset(out, 'x', sizeof out);
	date_iso(t, out);
	n = strnlen(out, sizeof out);
	if (n == sizeof out || n < 20 || out[n - 1] != 'Z')
		abort();
	if (t < YEAR0 || t >= YEAR10000)
		return;
	if (n != 20 || date_parse(out, n, &back, &zone) != 0 || back != t ||
	    zone != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	long long t = 0, t2 = 0, raw;
	int zone = 0, r;

	r = date_parse(p, size, &t, &zone);
	if (date_parse(p, size, &t2, NULL) != r || (r == 0 && t2 != t))
		abort();
	if (r == 0) {
		if (t < YEAR0 - 86400 || t >= YEAR10000 + 86400 ||
		    zone <= -24 * 60 || zone >= 24 * 60)
			abort();
		check_iso(t);
	} else if (r != -1) {
		abort();
	}
	if (size >= sizeof raw) {
		memcpy(&raw, data, sizeof raw);
		check_iso(raw);
	}
	return 0;
}
