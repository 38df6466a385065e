/*
 * route: the trace fields of RFC 5321 §4.4 (Received), for following the
 * path a message took.
 *
 * Pure: (buf, len) in, no I/O, no allocation.  The result points into
 * the caller's buffer and is valid as long as it is.
 */
#ifndef YUBIN_ROUTE_H
#define YUBIN_ROUTE_H

#include <stddef.h>

struct route_hop {
	const char *from, *by, *with;   /* the token after each keyword, */
	size_t fromlen, bylen, withlen; /* or NULL and 0 when absent */
	long long time;                 /* the date after the last ';', */
	int timeok;                     /* seconds since the epoch, UTC */
};

/*
 * Parse the value of a Received field (raw: folded or not).  FROM, BY
 * and WITH are the first token after the keywords "from", "by" and "with"
 * (ASCII case-insensitive), comments skipped: "from a.test (b [192.0.2.1])
 * by c.test with ESMTPS id X; Tue, 1 Apr 2025 10:00:00 +0900" gives
 * "a.test", "c.test", "ESMTPS" and the time.  Only the text before the
 * last ';' is searched for keywords; the text after it is parsed with
 * date_parse().  Missing parts are left empty; never fails.
 */
void route_received(const char *p, size_t n, struct route_hop *h);

#endif
