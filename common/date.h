/*
 * date: RFC 5322 date-time (§3.3) and the obsolete forms of §4.3, plus
 * what real mail carries: two- and three-digit years, zone names (UT,
 * GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT, military letters, and common
 * ones such as JST, CET, CEST, BST, KST, IST), missing seconds, missing
 * weekday, "-0000", comments such as "(JST)", and extra white space.
 */
#ifndef YUBIN_DATE_H
#define YUBIN_DATE_H

#include <stddef.h>

/*
 * Parse (p, n).  On success set *t to seconds since the epoch (UTC) and
 * *zone (if not NULL) to the offset east of UTC in minutes, and return 0.
 * Return -1 if no date can be found.  Two-digit years follow RFC 5322
 * §4.3: 00-49 are 2000-2049, 50-99 are 1950-1999; three-digit years add
 * 1900.  An unknown zone name counts as -0000 (UTC, zone unknown), and
 * so does a missing zone; *zone is then 0.  Also read: RFC 850
 * ("18-Nov-05"), asctime() ("Fri Nov 18 02:00:41 2005") and ISO 8601
 * ("2005-11-18T02:00:41Z").  Invalid values (day 32, 29 Feb 2005, hour
 * 24, minute 60, a zone of 24 hours or more) give -1; second 60 (a leap
 * second) is taken and counts one second past :59, as timegm() does.
 */
int date_parse(const char *p, size_t n, long long *t, int *zone);

/*
 * Format t as "2005-11-18T02:00:41Z" (UTC) into out, which holds 32.
 * Years outside 0-9999 get a sign ("+10000-01-01T00:00:00Z",
 * "-0001-12-31T23:59:59Z"); any long long fits.
 */
void date_iso(long long t, char out[32]);

#endif
