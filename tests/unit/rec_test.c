/*
 * rec_test: unit tests of common/rec.c, the safe-text rule for TSV fields.
 */
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "t.h"
#include "util.h"

static void
ok(const char *in, size_t n, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	t_int(rec_field(&b, in, n), 0, what);
	t_str(b.p, b.len, want, what);
	buf_free(&b);
}

int
main(void)
{
	struct buf b;

	ok("", 0, "", "empty");
	ok("plain text", 10, "plain text", "plain");
	ok("a\\b", 3, "a\\\\b", "a backslash doubled");
	ok("a\tb\nc\rd", 7, "a\\tb\\nc\\rd", "TAB, LF and CR escaped");
	ok("\0\x01\x1b[31m\x1f\x7f", 9, "\\x00\\x01\\x1b[31m\\x1f\\x7f",
	    "other controls and DEL as \\xHH");
	ok("\xe4\xbc\x9a\xe8\xad\xb0", 6, "\xe4\xbc\x9a\xe8\xad\xb0",
	    "UTF-8 kept");
	ok("caf\xe9!", 5, "caf\xef\xbf\xbd!", "a Latin-1 byte is U+FFFD");
	ok("\xe3\x81" "A", 3, "\xef\xbf\xbd" "A",
	    "a cut sequence is one U+FFFD");
	ok("\xed\xa0\x80\t", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\\t",
	    "a surrogate, then a TAB");
	ok("\xc2\x85\xe2\x80\xae", 5, "\xc2\x85\xe2\x80\xae",
	    "C1 and bidi controls are valid text: kept");

	buf_init(&b, 8);
	buf_adds(&b, "ab");
	t_int(rec_fields(&b, "0\t1"), 0, "cap: fits");
	t_int(rec_fields(&b, "\t\t"), -1, "cap: refused");
	t_str(b.p, b.len, "ab0\\t1", "cap: buffer as it was");
	buf_free(&b);

	/* rec_quote: the rule, then a cut at a character boundary */
	buf_init(&b, 1 << 20);
	t_int(rec_quote(&b, "a\tb", 3, 10), 0, "quote: short, whole");
	t_str(b.p, b.len, "a\\tb", "quote: short text under the rule");
	buf_reset(&b);
	t_int(rec_quote(&b, "ab\xe4\xbc\x9a", 5, 3), 0, "quote: cut");
	t_str(b.p, b.len, "ab...", "quote: a character is not cut in two");
	buf_free(&b);
	{
		char *q = rec_quote_dup("x\ny", 3, 2);

		t_str(q, strlen(q), "x\\n...", "quote_dup: cut after the escape");
		free(q);
	}
	return t_done();
}
