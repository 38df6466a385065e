/*
 * json_test: unit tests of common/json.c.
 */
#include <string.h>

#include "json.h"
#include "t.h"
#include "util.h"

static void
ok(const char *in, size_t n, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	t_int(json_str(&b, in, n), 0, what);
	t_str(b.p, b.len, want, what);
	buf_free(&b);
}

int
main(void)
{
	struct buf b;

	ok("", 0, "\"\"", "empty");
	ok("plain text", 10, "\"plain text\"", "plain");
	ok("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash");
	ok("a\tb\nc\0d\x1f\x7f", 9, "\"a\\u0009b\\u000ac\\u0000d\\u001f\x7f\"",
	    "controls; DEL is kept");
	ok("\xe4\xbc\x9a\xe8\xad\xb0", 6, "\"\xe4\xbc\x9a\xe8\xad\xb0\"",
	    "UTF-8 kept");
	ok("caf\xe9!", 5, "\"caf\xef\xbf\xbd!\"", "a Latin-1 byte");
	ok("\xe4\xbc", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "a cut sequence");
	ok("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "overlong");
	ok("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	    "a surrogate");
	ok("\xf4\x90\x80\x80", 4,
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	    "past U+10FFFF");
	ok("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"", "4-byte kept");

	/* one object writer: separators and nesting decided in json.c */
	buf_init(&b, 1 << 10);
	json_kstrs(&b, "file", "a\tb");
	json_knum(&b, "size", 18446744073709551615ull);
	json_kbool(&b, "ok", 1);
	json_karr(&b, "fields");
	json_kstr(&b, "name", "X", 1);
	json_end(&b);
	buf_addc(&b, ',');
	json_kstrs(&b, "name", "Y");
	json_end(&b);
	buf_addc(&b, ']');
	json_kbool(&b, "no", 0);
	json_end(&b);
	t_str(b.p, b.len, "{\"file\":\"a\\u0009b\",\"size\":"
	    "18446744073709551615,\"ok\":true,\"fields\":[{\"name\":\"X\"},"
	    "{\"name\":\"Y\"}],\"no\":false}", "an object with an array of objects");
	buf_free(&b);
	buf_init(&b, 10);
	t_int(json_kstrs(&b, "key", "a long value"), -1, "cap: a member refused");
	buf_free(&b);

	buf_init(&b, 8);
	buf_adds(&b, "ab");
	t_int(json_strs(&b, "0123456789"), -1, "cap: refused");
	t_str(b.p, b.len, "ab", "cap: buffer as it was");
	buf_free(&b);
	return t_done();
}
