/*
 * date: see date.h.
 *
 * A small scanner instead of a grammar: real Date fields swap, drop and
 * decorate their parts ("Fri Nov 18 02:00:41 2005", "18-Nov-05",
 * "2:00 EST", "+0900 (JST)"), and the useful answer is the instant they
 * mean.  White space, line ends, commas and comments separate the parts;
 * the order is day month year time zone, or month day [year] time [year]
 * as asctime() writes it, or ISO 8601 "2005-11-18 02:00:41 +0000".
 *
 * The epoch arithmetic is our own (days from the civil date, after Howard
 * Hinnant's algorithm): timegm() is not POSIX and mktime() reads TZ.
 *
 * Python's email.utils.parsedate_to_datetime is the reference; on purpose
 * yubin differs where Python disagrees with RFC 5322 or gives up:
 *  - two-digit years 50-68 are 1950-1968 (RFC 5322 §4.3; Python: 20xx),
 *    three-digit years add 1900 (Python keeps year 105);
 *  - zone names beyond RFC 5322 (JST, CET, ...) get their offsets; Python
 *    takes them, like military letters, as "no zone" (UTC);
 *  - second 60 (a leap second) is accepted and counts as a real second,
 *    so 23:59:60 is the next day's 00:00:00, as calendar.timegm() and
 *    Python's mktime_tz(parsedate_tz()) have it; parsedate_to_datetime
 *    rejects it;
 *  - month names may be abbreviated to any prefix of three letters or
 *    more ("Sept"); a year of five digits or more is refused.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

struct dscan {
	const char *p;
	size_t n, i;
};

struct dtime {
	long long year;
	int mon, day, hour, min, sec;
	int zone;               /* minutes east of UTC */
};

static const char *const date_months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

/* Zone names seen in mail; RFC 5322's first, then common usage. */
static const struct {
	const char *name;
	int off;
} date_zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	{ "AST", -240 }, { "ADT", -180 },       /* Atlantic, as Python */
	{ "AKST", -540 }, { "AKDT", -480 }, { "HST", -600 },
	{ "NST", -210 }, { "NDT", -150 }, { "BRT", -180 }, { "ART", -180 },
	{ "WET", 0 }, { "WEST", 60 }, { "BST", 60 }, { "IST", 330 },
	{ "CET", 60 }, { "CEST", 120 }, { "MET", 60 }, { "MEST", 120 },
	{ "MEZ", 60 }, { "MESZ", 120 }, { "EET", 120 }, { "EEST", 180 },
	{ "WAT", 60 }, { "CAT", 120 }, { "SAST", 120 }, { "EAT", 180 },
	{ "MSK", 180 }, { "MSD", 240 }, { "ICT", 420 }, { "WIB", 420 },
	{ "HKT", 480 }, { "SGT", 480 }, { "PHT", 480 }, { "AWST", 480 },
	{ "JST", 540 }, { "KST", 540 }, { "ACST", 570 }, { "ACDT", 630 },
	{ "AEST", 600 }, { "AEDT", 660 }, { "NZST", 720 }, { "NZDT", 780 },
};

static int
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
date_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
date_at(const struct dscan *s, char c)
{
	return s->i < s->n && s->p[s->i] == c;
}

/* Skip white space (folds too), commas and comments, nested or not. */
static void
date_skip(struct dscan *s)
{
	size_t depth = 0;

	for (; s->i < s->n; s->i++) {
		char c = s->p[s->i];

		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (depth > 0 && c == '\\')
			s->i += s->i + 1 < s->n;
		else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' &&
		    c != '\n' && c != ',')
			return;
	}
}

/* A run of letters: its length (0 if none); *w points at it. */
static size_t
date_word(struct dscan *s, const char **w)
{
	size_t b = s->i;

	while (s->i < s->n && date_is_alpha(s->p[s->i]))
		s->i++;
	*w = s->p + b;
	return s->i - b;
}

/* A run of digits: how many (the value stops growing after nine). */
static int
date_num(struct dscan *s, long long *v)
{
	int nd = 0;

	*v = 0;
	for (; s->i < s->n && date_is_digit(s->p[s->i]); s->i++, nd++)
		if (nd < 9)
			*v = *v * 10 + (s->p[s->i] - '0');
	return nd;
}

/* Month 1-12 for a name or a prefix of three letters or more, or 0. */
static int
date_month(const char *w, size_t len)
{
	size_t m, k;

	if (len < 3)
		return 0;
	for (m = 0; m < 12; m++) {
		const char *name = date_months[m];

		if (len > strlen(name))
			continue;
		for (k = 0; k < len && (w[k] | 0x20) == name[k]; k++)
			;
		if (k == len)
			return (int)m + 1;
	}
	return 0;
}

/* An hour or minute: one or two digits, into *v. */
static int
date_2dig(struct dscan *s, int *v)
{
	long long x;
	int nd = date_num(s, &x);

	*v = (int)x;
	return nd >= 1 && nd <= 2 ? 0 : -1;
}

/*
 * hour ":" minute [":" second]; '.' as the separator is tolerated (some
 * MUAs write it; Python takes it too), and a fraction of a second is
 * dropped.
 */
static int
date_time(struct dscan *s, struct dtime *d)
{
	char sep;
	long long frac;

	date_skip(s);
	if (date_2dig(s, &d->hour) < 0 || s->i >= s->n)
		return -1;
	sep = s->p[s->i];
	if (sep != ':' && sep != '.')
		return -1;
	s->i++;
	if (date_2dig(s, &d->min) < 0)
		return -1;
	d->sec = 0;
	if (date_at(s, sep) && s->i + 1 < s->n &&
	    date_is_digit(s->p[s->i + 1])) {
		s->i++;
		if (date_2dig(s, &d->sec) < 0)
			return -1;
		if (date_at(s, '.') && s->i + 1 < s->n &&
		    date_is_digit(s->p[s->i + 1])) {
			s->i++;
			(void)date_num(s, &frac);
		}
	}
	return 0;
}

/*
 * A year, windowed as RFC 5322 §4.3 says: one or two digits are
 * 1950-2049, three digits add 1900.
 */
static int
date_year(struct dscan *s, struct dtime *d)
{
	int nd;

	date_skip(s);
	if (date_at(s, '-'))            /* RFC 850: "18-Nov-05" */
		s->i++;
	nd = date_num(s, &d->year);
	if (nd == 0 || nd > 4)
		return -1;
	if (nd <= 2)
		d->year += d->year < 50 ? 2000 : 1900;
	else if (nd == 3)
		d->year += 1900;
	return 0;
}

/* Is the next thing a number followed by ':' (a time, not a year)? */
static int
date_time_next(struct dscan *s)
{
	size_t i;

	date_skip(s);
	for (i = s->i; i < s->n && date_is_digit(s->p[i]); i++)
		;
	return i > s->i && i < s->n && s->p[i] == ':';
}

/* The year and time, in either order ("2005 02:00" or "02:00 2005"). */
static int
date_year_time(struct dscan *s, struct dtime *d)
{
	if (date_time_next(s))
		return date_time(s, d) < 0 ? -1 : date_year(s, d);
	return date_year(s, d) < 0 ? -1 : date_time(s, d);
}

/* day ["-"] month, after the day of the week if any. */
static int
date_day_month(struct dscan *s, struct dtime *d)
{
	const char *w;
	size_t len;

	if (date_2dig(s, &d->day) < 0)
		return -1;
	date_skip(s);
	if (date_at(s, '-'))
		s->i++;
	len = date_word(s, &w);
	d->mon = date_month(w, len);
	return d->mon ? 0 : -1;
}

/* ISO 8601: "2005-11-18" then "T" or white space. */
static int
date_iso_date(struct dscan *s, struct dtime *d)
{
	if (date_num(s, &d->year) != 4 || !date_at(s, '-'))
		return -1;
	s->i++;
	if (date_2dig(s, &d->mon) < 0 || !date_at(s, '-'))
		return -1;
	s->i++;
	if (date_2dig(s, &d->day) < 0)
		return -1;
	if (date_at(s, 'T') || date_at(s, 't'))
		s->i++;
	return date_time(s, d);
}

/* Is an ISO 8601 date ("2005-11-18") next? */
static int
date_iso_next(const struct dscan *s)
{
	size_t i = s->i;

	while (i < s->n && i - s->i < 5 && date_is_digit(s->p[i]))
		i++;
	return i - s->i == 4 && i < s->n && s->p[i] == '-';
}

/* Everything before the zone. */
static int
date_head(struct dscan *s, struct dtime *d)
{
	const char *w;
	size_t len;

	date_skip(s);
	if (date_iso_next(s))
		return date_iso_date(s, d);
	len = date_word(s, &w);
	if (len > 0 && (d->mon = date_month(w, len)) == 0) {
		date_skip(s);           /* a day of the week, any language */
		len = date_word(s, &w);
		d->mon = date_month(w, len);
		if (len > 0 && d->mon == 0)
			return -1;
	}
	date_skip(s);
	if (d->mon != 0) {              /* "Nov 18 2005 02:00" (asctime) */
		if (date_2dig(s, &d->day) < 0)
			return -1;
	} else if (date_day_month(s, d) < 0) {
		return -1;
	}
	return date_year_time(s, d);
}

/* "+0900" (or "+09:00"): minutes east, or -1 if out of range. */
static int
date_numzone(struct dscan *s, int *zone)
{
	int neg = s->p[s->i] == '-', nd;
	long long v, mm;

	s->i++;
	nd = date_num(s, &v);
	if (nd > 4)
		return -1;
	if (nd == 2 && date_at(s, ':') && s->i + 1 < s->n &&
	    date_is_digit(s->p[s->i + 1])) {
		s->i++;
		if (date_num(s, &mm) != 2)
			return -1;
		v = v * 100 + mm;
	}
	/* hhmm as Python reads it: "+0099" is 99 minutes. */
	v = v / 100 * 60 + v % 100;
	if (v >= 24 * 60)
		return -1;
	*zone = neg ? -(int)v : (int)v;
	return 0;
}

/* A zone name; unknown ones (military letters too) are -0000. */
static int
date_namezone(const char *w, size_t len)
{
	size_t k;

	for (k = 0; k < sizeof date_zones / sizeof date_zones[0]; k++)
		if (strcaseeqn(w, len, date_zones[k].name))
			return date_zones[k].off;
	return 0;
}

/*
 * The zone, if any: numeric, a name, or a name with a number glued on
 * ("GMT+0100").  What follows it is ignored.  Returns 0 or -1.
 */
static int
date_zone(struct dscan *s, struct dtime *d)
{
	const char *w;
	size_t len;

	d->zone = 0;
	date_skip(s);
	len = date_word(s, &w);
	if (len > 0)
		d->zone = date_namezone(w, len);
	if ((date_at(s, '+') || date_at(s, '-')) && s->i + 1 < s->n &&
	    date_is_digit(s->p[s->i + 1]))
		return date_numzone(s, &d->zone);
	return 0;
}

static int
date_leap(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
date_valid(const struct dtime *d)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	if (d->mon < 1 || d->mon > 12 || d->day < 1)
		return 0;
	if (d->day > mdays[d->mon - 1] + (d->mon == 2 && date_leap(d->year)))
		return 0;
	/* Second 60 is a leap second (RFC 5322 §3.3). */
	return d->hour <= 23 && d->min <= 59 && d->sec <= 60;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static long long
date_days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
date_parse(const char *p, size_t n, long long *t, int *zone)
{
	struct dscan s = { p, n, 0 };
	struct dtime d;

	memset(&d, 0, sizeof d);
	if (date_head(&s, &d) < 0 || date_zone(&s, &d) < 0 || !date_valid(&d))
		return -1;
	*t = date_days(d.year, d.mon, d.day) * 86400 + d.hour * 3600LL +
	    d.min * 60LL + d.sec - d.zone * 60LL;
	if (zone != NULL)
		*zone = d.zone;
	return 0;
}

/* The civil date of a day number (Hinnant's civil_from_days). */
static void
date_civil(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * Years outside 0-9999 are written as ISO 8601's expanded years
 * ("+10000", "-0001") rather than clamped: the value stays true, and the
 * whole range of long long fits in 32 bytes.
 */
void
date_iso(long long t, char out[32])
{
	long long days = t / 86400, y;
	long long secs = t % 86400;
	int m, d;
	size_t k;
	char tmp[64];           /* the compiler cannot see that 32 is enough */

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	date_civil(days, &y, &m, &d);
	/* |y| < 3e11 here, so -y cannot overflow. */
	snprintf(tmp, sizeof tmp, "%s%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    y < 0 ? "-" : y > 9999 ? "+" : "", y < 0 ? -y : y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	k = strlen(tmp);
	k = k < 31 ? k : 31;
	memcpy(out, tmp, k);
	out[k] = '\0';
}
