/*
 * safename: safe directory entries from attachment names (safename.h).
 *
 * Everything works on a copy of at most NAMECAP bytes: a longer name is
 * cut before it is sanitised, which keeps the work and the stack bounded
 * (the extension of such a name is lost only if it lies past NAMECAP).
 */
#include <stdio.h>
#include <string.h>

#include "charset.h"
#include "safename.h"

#define NAMECAP 1024
#define EXTMAX  16      /* a longer ".tail" is not taken as an extension */

static const struct {
	const char *type, *ext;
} exts[] = {
	{ "text/plain", "txt" },
	{ "text/html", "html" },
	{ "application/pdf", "pdf" },
	{ "image/png", "png" },
	{ "image/jpeg", "jpg" },
	{ "image/gif", "gif" },
	{ "application/zip", "zip" },
	{ "message/rfc822", "eml" },
	{ "message/global", "eml" },
};

const char *
safename_ext(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(type, exts[i].type) == 0)
			return exts[i].ext;
	return "bin";
}

/* Length of the well-formed UTF-8 character at p, or 0. */
static size_t
utf8_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n, i;

	n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 :
	    c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	for (i = 1; i < n; i++)
		if (p[i] == '\0')
			return 0;
	return n > 0 && utf8_valid(p, n) ? n : 0;
}

/* The code point of the well-formed UTF-8 character at p, len bytes. */
static unsigned long
code_point(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned long c = len == 2 ? u[0] & 0x1f : len == 3 ? u[0] & 0x0f :
	    u[0] & 0x07;
	size_t i;

	for (i = 1; i < len; i++)
		c = c << 6 | (u[i] & 0x3f);
	return c;
}

/*
 * A bidi control turns the name around on the screen ("gpj.exe" shown
 * as "exe.jpg" with U+202E): it is dropped.
 */
static int
is_bidi(unsigned long c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Append the character at p (len bytes, 0 or 1 if not UTF-8) to out. */
static size_t
put_char(const char *p, size_t len, char *out, size_t n)
{
	unsigned char c = (unsigned char)*p;
	unsigned long cp;

	if (len <= 1) {
		out[n++] = (len == 1 && c >= 0x20 && c != 0x7f) ? *p : '_';
		return n;
	}
	cp = code_point(p, len);
	if (is_bidi(cp))
		return n;
	if (cp < 0xa0) {                /* a C1 control */
		out[n++] = '_';
		return n;
	}
	memcpy(out + n, p, len);
	return n + len;
}

/* Is s empty or only spaces? */
static int
blank(const char *s)
{
	return s[strspn(s, " ")] == '\0';
}

/* The last path component of name, sanitised, into out (NAMECAP + 1). */
static void
basename_clean(const char *name, char *out)
{
	const char *p, *s = name;
	size_t n = 0, len;

	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	for (p = s; *p != '\0' && n + 4 <= NAMECAP; p += len ? len : 1) {
		len = utf8_len(p);
		n = put_char(p, len, out, n);
	}
	out[n] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0 || blank(out)) {
		out[0] = '\0';
		return;
	}
	for (n = 0; out[n] == '.'; n++)
		out[n] = '_';
	if (out[0] == '-')      /* not an option to the next command */
		out[0] = '_';
}

/* Where the extension starts (at its '.'), or the end of s. */
static size_t
ext_start(const char *s)
{
	const char *dot = strrchr(s, '.');
	size_t len = strlen(s);

	if (dot == NULL || dot == s || len - (size_t)(dot - s) > EXTMAX + 1)
		return len;
	return (size_t)(dot - s);
}

/* Cut n back so that s[0..n) does not end inside a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

char *
safename(const char *name, const char *section, const char *type,
    unsigned n, char *out)
{
	char base[NAMECAP + 1], suffix[16];
	size_t e, stem, room;

	basename_clean(name, base);
	if (base[0] == '\0')
		snprintf(base, sizeof(base), "part-%s.%s",
		    section[0] != '\0' ? section : "0", safename_ext(type));
	suffix[0] = '\0';
	if (n > 0)
		snprintf(suffix, sizeof(suffix), "-%u", n);
	e = ext_start(base);
	room = SAFENAME_MAX - strlen(base + e) - strlen(suffix);
	stem = e;
	if (stem > room)
		stem = utf8_cut(base, room);
	memcpy(out, base, stem);
	strcpy(out + stem, suffix);
	strcat(out + stem, base + e);
	return out;
}
