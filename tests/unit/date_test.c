/*
 * date_test: unit tests of common/date.c.  Expected values agree with
 * Python's email.utils.parsedate_to_datetime except where date.c
 * documents a deliberate difference; those cases say so.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "t.h"
#include "util.h"

/* The input as a one-line TAP description: CR, LF, TAB escaped. */
static const char *
desc(const char *in, size_t n)
{
	static char d[128];
	size_t i, k = 0;

	for (i = 0; i < n && k + 3 < sizeof d; i++) {
		char c = in[i];

		if (c == '\r' || c == '\n' || c == '\t' || c == '\0') {
			d[k++] = '\\';
			d[k++] = c == '\r' ? 'r' : c == '\n' ? 'n' :
			    c == '\t' ? 't' : '0';
		} else {
			d[k++] = c;
		}
	}
	d[k] = '\0';
	return d;
}

/* in parses to the UTC time iso with the zone (minutes east). */
static void
ok_zone(const char *in, const char *iso, int zone)
{
	long long t = 0;
	int z = -9999, r = date_parse(in, strlen(in), &t, &z);
	char got[32], what[160];

	date_iso(t, got);
	snprintf(what, sizeof what, "%s", desc(in, strlen(in)));
	t_int(r, 0, what);
	t_str(r == 0 ? got : "", r == 0 ? strlen(got) : 0, iso, what);
	snprintf(what, sizeof what, "%s: zone", desc(in, strlen(in)));
	t_int(z, zone, what);
}

static void
ok(const char *in, const char *iso)
{
	long long t = 0;
	int r = date_parse(in, strlen(in), &t, NULL);
	char got[32];

	date_iso(t, got);
	t_str(r == 0 ? got : "(failed)", r == 0 ? strlen(got) : 8, iso,
	    desc(in, strlen(in)));
}

static void
bad_n(const char *in, size_t n)
{
	long long t = 42;
	char what[160];

	snprintf(what, sizeof what, "rejected: %s", desc(in, n));
	t_int(date_parse(in, n, &t, NULL), -1, what);
}

static void
bad(const char *in)
{
	bad_n(in, strlen(in));
}

static void
test_rfc(void)
{
	ok_zone("Fri, 18 Nov 2005 02:00:41 +0000", "2005-11-18T02:00:41Z", 0);
	ok_zone("Fri, 18 Nov 2005 11:00:41 +0900", "2005-11-18T02:00:41Z",
	    540);
	ok_zone("Thu, 17 Nov 2005 21:00:41 -0500", "2005-11-18T02:00:41Z",
	    -300);
	ok_zone("Fri, 18 Nov 2005 07:30:41 +0530", "2005-11-18T02:00:41Z",
	    330);
	ok("Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z");
	ok("Thu, 29 Feb 2024 00:30:00 +0100", "2024-02-28T23:30:00Z");
	ok("Sat, 1 Jan 2000 00:00:00 +1400", "1999-12-31T10:00:00Z");
	ok("Tue, 19 Jan 2038 03:14:08 +0000", "2038-01-19T03:14:08Z");
	ok("Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z");
	ok("Sat, 1 Jan 1600 00:00:00 +0000", "1600-01-01T00:00:00Z");
}

static void
test_obsolete(void)
{
	/* Two-digit years, RFC 5322 §4.3. */
	ok("Fri, 18 Nov 05 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Sat, 1 Jan 00 00:00:00 +0000", "2000-01-01T00:00:00Z");
	ok("Fri, 31 Dec 49 23:59:59 +0000", "2049-12-31T23:59:59Z");
	ok("Thu, 18 Nov 99 02:00:41 +0000", "1999-11-18T02:00:41Z");
	ok("Mon, 1 Jan 69 00:00:00 +0000", "1969-01-01T00:00:00Z");
	/* Deliberate: Python says 2050 and 2068. */
	ok("Sun, 1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z");
	ok("Mon, 1 Jan 68 00:00:00 +0000", "1968-01-01T00:00:00Z");
	/* Deliberate: three digits add 1900 (Python: year 105). */
	ok("Fri, 18 Nov 105 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Thu, 18 Nov 099 02:00:41 +0000", "1999-11-18T02:00:41Z");
	/* Missing seconds, weekday, comma; one-digit hour and day. */
	ok("Fri, 18 Nov 2005 02:00 +0000", "2005-11-18T02:00:00Z");
	ok("18 Nov 2005 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Fri 18 Nov 2005 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Fri,18 Nov 2005 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005 2:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Sat, 5 Nov 2005 2:00 +0000", "2005-11-05T02:00:00Z");
	ok("Sat, 05 Nov 2005 02:00:41 +0000", "2005-11-05T02:00:41Z");
	/* Month names: any case, full. */
	ok("Fri, 18 nov 2005 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Fri, 18 NOV 2005 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Mon, 2 January 2006 02:00:41 +0000", "2006-01-02T02:00:41Z");
	ok("Tue, 5 september 2006 02:00:41 +0000", "2006-09-05T02:00:41Z");
	ok("Tue, 5 Sept 2006 02:00:41 +0000", "2006-09-05T02:00:41Z");
	/* White space, folds, comments. */
	ok("  Fri,  18   Nov\t2005   02:00:41   +0000  ",
	    "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005\r\n 02:00:41\r\n +0000", "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005\n\t02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005 11:00:41 +0900 (JST)", "2005-11-18T02:00:41Z");
	ok("Thu, 17 Nov 2005 18:00:41 -0800 (PST)", "2005-11-18T02:00:41Z");
	ok("(comment) Fri, (a (nested) one) 18 Nov 2005 02:00:41 +0000",
	    "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005 02:00:41+0000", "2005-11-18T02:00:41Z");
	ok("Fri, 18 Nov 2005 02.00.41 +0000", "2005-11-18T02:00:41Z");
	/* RFC 850 and asctime(). */
	ok("Friday, 18-Nov-05 02:00:41 GMT", "2005-11-18T02:00:41Z");
	ok("Fri, 18-Nov-2005 02:00:41 -0100", "2005-11-18T03:00:41Z");
	ok("Fri Nov 18 02:00:41 2005", "2005-11-18T02:00:41Z");
	ok("Nov 18 2005 02:00:41 +0100", "2005-11-18T01:00:41Z");
	/* ISO 8601. */
	ok("2005-11-18 02:00:41 +0000", "2005-11-18T02:00:41Z");
	ok("2005-11-18T11:00:41+09:00", "2005-11-18T02:00:41Z");
	ok("2005-11-18T02:00:41.250Z", "2005-11-18T02:00:41Z");
	/* Leap second: counted, as calendar.timegm() does. */
	ok("Sat, 31 Dec 2005 23:59:60 +0000", "2006-01-01T00:00:00Z");
}

static void
test_zones(void)
{
	static const struct {
		const char *zone;
		const char *iso;
		int off;
	} z[] = {
		{ "UT", "2005-11-18T12:00:00Z", 0 },
		{ "GMT", "2005-11-18T12:00:00Z", 0 },
		{ "UTC", "2005-11-18T12:00:00Z", 0 },
		{ "Z", "2005-11-18T12:00:00Z", 0 },
		{ "gmt", "2005-11-18T12:00:00Z", 0 },
		{ "-0000", "2005-11-18T12:00:00Z", 0 },
		{ "EST", "2005-11-18T17:00:00Z", -300 },
		{ "EDT", "2005-11-18T16:00:00Z", -240 },
		{ "CST", "2005-11-18T18:00:00Z", -360 },
		{ "CDT", "2005-11-18T17:00:00Z", -300 },
		{ "MST", "2005-11-18T19:00:00Z", -420 },
		{ "MDT", "2005-11-18T18:00:00Z", -360 },
		{ "PST", "2005-11-18T20:00:00Z", -480 },
		{ "PDT", "2005-11-18T19:00:00Z", -420 },
		/* Military letters: -0000, RFC 5322 §4.3. */
		{ "A", "2005-11-18T12:00:00Z", 0 },
		{ "M", "2005-11-18T12:00:00Z", 0 },
		{ "y", "2005-11-18T12:00:00Z", 0 },
		/* Deliberate: names Python does not know. */
		{ "JST", "2005-11-18T03:00:00Z", 540 },
		{ "KST", "2005-11-18T03:00:00Z", 540 },
		{ "CET", "2005-11-18T11:00:00Z", 60 },
		{ "CEST", "2005-11-18T10:00:00Z", 120 },
		{ "BST", "2005-11-18T11:00:00Z", 60 },
		{ "IST", "2005-11-18T06:30:00Z", 330 },
		{ "EET", "2005-11-18T10:00:00Z", 120 },
		{ "EEST", "2005-11-18T09:00:00Z", 180 },
		{ "MSK", "2005-11-18T09:00:00Z", 180 },
		{ "HKT", "2005-11-18T04:00:00Z", 480 },
		{ "SGT", "2005-11-18T04:00:00Z", 480 },
		{ "AEST", "2005-11-18T02:00:00Z", 600 },
		{ "AEDT", "2005-11-18T01:00:00Z", 660 },
		{ "XYZ", "2005-11-18T12:00:00Z", 0 },
		{ "GMT+0100", "2005-11-18T11:00:00Z", 60 },
		{ "+0099", "2005-11-18T10:21:00Z", 99 },
		{ "", "2005-11-18T12:00:00Z", 0 },
	};
	size_t i;
	char in[64];

	for (i = 0; i < sizeof z / sizeof z[0]; i++) {
		snprintf(in, sizeof in, "Fri, 18 Nov 2005 12:00:00 %s",
		    z[i].zone);
		ok_zone(in, z[i].iso, z[i].off);
	}
}

static void
test_bad(void)
{
	bad("");
	bad("   ");
	bad("hello");
	bad("Fri, 18 Nov 2005");
	bad("Fri, 32 Nov 2005 02:00:41 +0000");
	bad("Fri, 31 Nov 2005 02:00:41 +0000");
	bad("Tue, 29 Feb 2005 02:00:41 +0000");
	bad("Mon, 29 Feb 1900 02:00:41 +0000");
	bad("Fri, 0 Nov 2005 02:00:41 +0000");
	bad("Fri, 18 Nov 2005 24:00:00 +0000");
	bad("Fri, 18 Nov 2005 25:00:41 +0000");
	bad("Fri, 18 Nov 2005 02:60:41 +0000");
	bad("Fri, 18 Nov 2005 02:00:61 +0000");
	bad("Fri, 18 Foo 2005 02:00:41 +0000");
	bad("Fri, 18 Nov 20051 02:00:41 +0000");
	bad("Fri, 18 Nov 2005 02:00:41 +2400");
	bad("Fri, 18 Nov 2005 02:00:41 +12345");
	bad("Fri, 18 Nov 2005 002:00:41 +0000");
	bad("2005-13-01 00:00:00 +0000");
	bad("2005-11-31 00:00:00 +0000");
	bad("(Fri, 18 Nov 2005 02:00:41 +0000");
	bad_n("Fri, 18 Nov\0 2005 02:00:41 +0000", 32);
}

static void
iso(long long t, const char *want)
{
	char got[32], what[64];

	date_iso(t, got);
	snprintf(what, sizeof what, "date_iso(%lld)", t);
	t_str(got, strlen(got), want, what);
}

static void
test_iso(void)
{
	char got[32];

	iso(0, "1970-01-01T00:00:00Z");
	iso(-1, "1969-12-31T23:59:59Z");
	iso(1132279241, "2005-11-18T02:00:41Z");
	iso(951782400, "2000-02-29T00:00:00Z");
	iso(253402300799LL, "9999-12-31T23:59:59Z");
	iso(253402300800LL, "+10000-01-01T00:00:00Z");
	iso(-62135596800LL, "0001-01-01T00:00:00Z");
	iso(-62167219200LL, "0000-01-01T00:00:00Z");
	iso(-62167219201LL, "-0001-12-31T23:59:59Z");
	date_iso(LLONG_MAX, got);
	t_ok(strlen(got) < 32 && got[0] == '+' && got[strlen(got) - 1] == 'Z',
	    "date_iso(LLONG_MAX) fits");
	date_iso(LLONG_MIN, got);
	t_ok(strlen(got) < 32 && got[0] == '-' && got[strlen(got) - 1] == 'Z',
	    "date_iso(LLONG_MIN) fits");
}

/* A 1 MB value of each kind: no crash, no date. */
static void
test_big(void)
{
	size_t n = 1 << 20;
	char *p = xmalloc(n);
	long long t;
	static const char fill[] = "(9 ,:-+aZ";
	size_t k;

	for (k = 0; k < sizeof fill - 1; k++) {
		memset(p, fill[k], n);
		t_int(date_parse(p, n, &t, NULL), -1, "1 MB value");
	}
	memset(p, ' ', n);
	memcpy(p + n - 32, "Fri, 18 Nov 2005 02:00:41 +0000", 31);
	t_int(date_parse(p, n, &t, NULL), 0, "1 MB of white space first");
	t_int(t, 1132279241, "1 MB of white space first: value");
	free(p);
}

int
main(void)
{
	test_rfc();
	test_obsolete();
	test_zones();
	test_bad();
	test_iso();
	test_big();
	return t_done();
}
