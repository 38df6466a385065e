/*
 * fuzz_route: route_received on arbitrary Received values, as hdrparse
 * -R follows the route of a hostile message.
 *
 * Checks what route.h promises beyond crashes: each of FROM, BY and
 * WITH lies inside the input, before its last ';', and is one token (no
 * white space, no '('); an absent one is NULL with length 0; the time is
 * set only when the text after the last ';' parses as a date, and then
 * equals what date_parse gives for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_token(const char *t, size_t len, const char *p, size_t end)
{
	size_t i;

	if (t == NULL) {
		if (len != 0)
			abort();
		return;
	}
	if (t < p || (size_t)(t - p) > end || len > end - (size_t)(t - p))
		abort();
	for (i = 0; i < len; i++)
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' ||
		    t[i] == '\n' || t[i] == '(')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct route_hop h;
	size_t end = size, semi;
	long long t;

	route_received(p, size, &h);
	while (end > 0 && p[end - 1] != ';')
		end--;
	semi = end;
	if (end > 0)
		end--;                  /* tokens end before the ';' */
	else
		end = size;
	check_token(h.from, h.fromlen, p, end);
	check_token(h.by, h.bylen, p, end);
	check_token(h.with, h.withlen, p, end);
	if (semi == 0) {
		if (h.timeok)
			abort();
	} else if (h.timeok != (date_parse(p + semi, size - semi, &t,
	    NULL) == 0) || (h.timeok && t != h.time))
		abort();
	return 0;
}
