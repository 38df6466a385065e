/*
 * json: see json.h.  Mail headers carry whatever bytes their senders
 * wrote, while jq and every JSON parser reject invalid UTF-8, hence the
 * replacement: a consumer gets a readable value rather than an error.
 */
#include "json.h"

#include <string.h>

/* Length of the well-formed UTF-8 sequence at s, or 0 if there is none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) ||    /* overlong */
	    (s[0] == 0xed && s[1] >= 0xa0) ||   /* surrogate */
	    (s[0] == 0xf0 && s[1] < 0x90) ||    /* overlong */
	    (s[0] == 0xf4 && s[1] >= 0x90))     /* past U+10FFFF */
		return 0;
	return len;
}

/* Append one character at s (of length len, 0 if invalid), escaped. */
static int
json_char(struct buf *out, const unsigned char *s, size_t len)
{
	if (len == 0)
		return buf_adds(out, "\xef\xbf\xbd");
	if (s[0] == '"' || s[0] == '\\') {
		char esc[2] = { '\\', (char)s[0] };

		return buf_add(out, esc, 2);
	}
	if (s[0] < 0x20)
		return buf_printf(out, "\\u%04x", s[0]);
	return buf_add(out, s, len);
}

/* Is the character at s (len bytes, 0 if invalid) copied as it is? */
static int
plain(const unsigned char *s, size_t len)
{
	return len > 0 && s[0] >= 0x20 && s[0] != '"' && s[0] != '\\';
}

int
json_str(struct buf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t old = out->len, i = 0, j, len;

	if (buf_addc(out, '"') < 0)
		return -1;
	/* s[i..j) is a run of plain characters not yet copied */
	for (j = 0; j < n; j += len ? len : 1) {
		len = utf8_seq(s + j, n - j);
		if (plain(s + j, len))
			continue;
		if (buf_add(out, s + i, j - i) < 0 ||
		    json_char(out, s + j, len) < 0)
			goto full;
		i = j + (len ? len : 1);
	}
	if (buf_add(out, s + i, n - i) == 0 && buf_addc(out, '"') == 0)
		return 0;
full:
	out->len = old;
	if (out->p)
		out->p[old] = '\0';
	return -1;
}

int
json_strs(struct buf *out, const char *s)
{
	return json_str(out, s, strlen(s));
}

int
json_key(struct buf *out, const char *key)
{
	char last = out->len > 0 ? out->p[out->len - 1] : '\0';
	int open = out->len == 0 || last == '[' || last == ',';

	if (buf_addc(out, open ? '{' : ',') < 0 || json_strs(out, key) < 0)
		return -1;
	return buf_addc(out, ':');
}

int
json_kstr(struct buf *out, const char *key, const char *p, size_t n)
{
	if (json_key(out, key) < 0)
		return -1;
	return json_str(out, p, n);
}

int
json_kstrs(struct buf *out, const char *key, const char *s)
{
	return json_kstr(out, key, s, strlen(s));
}

int
json_knum(struct buf *out, const char *key, unsigned long long v)
{
	if (json_key(out, key) < 0)
		return -1;
	return buf_printf(out, "%llu", v);
}

int
json_kbool(struct buf *out, const char *key, int v)
{
	if (json_key(out, key) < 0)
		return -1;
	return buf_adds(out, v ? "true" : "false");
}

int
json_karr(struct buf *out, const char *key)
{
	if (json_key(out, key) < 0)
		return -1;
	return buf_addc(out, '[');
}

int
json_end(struct buf *out)
{
	return buf_addc(out, '}');
}
