/*
 * rfc2047_test: rfc2047_decode, rfc2231_param, rfc2231_value, and the
 * warning flags of rfc2047_decode_w and rfc2231_param_w.
 * Expected values are what Python 3.11's email package (policy.default)
 * gives, except where rfc2047.c documents a deliberate difference
 * (marked "yubin:" below).  Run from tests/unit.
 */
#include <string.h>

#include "charset.h"
#include "rfc2047.h"
#include "t.h"

static void
dec(const char *in, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 4096);
	t_int(rfc2047_decode(in, strlen(in), &b), 0, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	buf_free(&b);
}

static const struct {
	const char *in, *want, *what;
} dvec[] = {
	/* charsets */
	{ "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "ISO-2022-JP" },
	{ "=?shift_jis?B?k/qWe4zqgsyDZYNYg2c=?=",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86"
	    "\xe3\x82\xb9\xe3\x83\x88", "Shift_JIS" },
	{ "=?EUC-JP?B?xvzL3Ljs?=", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "EUC-JP" },
	{ "=?koi8-r?B?8NLJ18XULCDNydI=?=",
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
	    "\xd0\xbc\xd0\xb8\xd1\x80", "KOI8-R" },
	{ "=?windows-1251?Q?=D2=E5=EC=E0_=EF=E8=F1=FC=EC=E0?=",
	    "\xd0\xa2\xd0\xb5\xd0\xbc\xd0\xb0 \xd0\xbf\xd0\xb8\xd1\x81"
	    "\xd1\x8c\xd0\xbc\xd0\xb0", "windows-1251" },
	{ "=?GB18030?B?1tDOxNPKvP4=?=",
	    "\xe4\xb8\xad\xe6\x96\x87\xe9\x82\xae\xe4\xbb\xb6", "GB18030" },
	{ "=?gb2312?B?suLK1A==?=", "\xe6\xb5\x8b\xe8\xaf\x95", "GB2312" },
	{ "=?big5?B?pKSk5bZspfM=?=",
	    "\xe4\xb8\xad\xe6\x96\x87\xe9\x83\xb5\xe4\xbb\xb6", "Big5" },
	{ "=?euc-kr?B?x9Gxub7u?=", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",
	    "EUC-KR" },
	{ "=?iso-8859-1?q?caf=e9?=", "caf\xc3\xa9", "ISO-8859-1" },
	{ "=?ISO-8859-2?B?WmG/87Pm?=", "Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87",
	    "ISO-8859-2" },
	{ "=?iso-8859-15?q?5=A4_=BDuvre?=", "5\xe2\x82\xac \xc5\x93uvre",
	    "ISO-8859-15" },
	{ "=?UtF-8?b?44GC?=", "\xe3\x81\x82", "charset case-insensitive" },
	/* Q */
	{ "=?utf-8?q?caf=c3=a9_au_lait?=", "caf\xc3\xa9 au lait",
	    "Q: '_' and lower-case hex" },
	{ "=?utf-8?Q?a=3d=3Fb?=", "a=?b", "Q: encoded '=' and '?'" },
	{ "=?utf-8?q?=41=4a=4?=", "AJ=4", "Q: a broken =XX stays" },
	{ "=?utf-8?q?hello world?=", "hello world", "Q: raw space kept" },
	{ "=?utf-8?Q?\?=", "", "empty word" },
	{ "a =?utf-8?Q?\?= b", "a  b", "empty word between text" },
	/* white space between words (Python's rules) */
	{ "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", "text between words" },
	{ "=?utf-8?q?a?=  =?utf-8?q?b?=", "ab", "space between words dropped" },
	{ "=?utf-8?q?a?=\t=?utf-8?q?b?=", "ab", "tab between words dropped" },
	{ "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab", "fold between words" },
	{ "=?utf-8?q?a?==?utf-8?q?b?=", "ab", "no space between words" },
	{ "x =?utf-8?q?a?=", "x a", "space before a word kept" },
	{ "=?utf-8?q?a?= x", "a x", "space after a word kept" },
	{ "Re:=?utf-8?Q?x?=y", "Re:xy", "word glued to text" },
	{ "=?iso-8859-1?q?caf=e9?= =?koi8-r?b?wQ==?=",
	    "caf\xc3\xa9\xd0\xb0", "adjacent words, two charsets" },
	/* joined before conversion */
	{ "=?utf-8?B?4w==?= =?utf-8?B?gYI=?=", "\xe3\x81\x82",
	    "UTF-8 character split across B words" },
	{ "=?utf-8?q?=E3=81?= =?UTF-8?q?=82?=", "\xe3\x81\x82",
	    "UTF-8 character split across Q words" },
	{ "=?utf-8?q?=E3?= =?utf-8*en?b?gYI=?=", "\xe3\x81\x82",
	    "split across Q and B, language suffix" },
	{ "=?utf-8?q?=E3?= =?iso-8859-1?q?=E9?=",
	    "\xef\xbf\xbd\xc3\xa9", "no joining across charsets" },
	{ "=?iso-2022-jp?B?GyRCRnw=?= =?iso-2022-jp?B?S1w4bBsoQg==?=",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "ISO-2022-JP shift state across words" },
	{ "=?utf-8?B?5p?= =?utf-8?B?el?=", "\xe6\x97\xa5",
	    "yubin: base64 quantum split across words" },
	{ "=?utf-8?B?YQ?= =?utf-8?B?Yg?=", "ab",
	    "missing padding is not a split quantum" },
	{ "=?utf-8?B?Y2Fmw6k?=", "caf\xc3\xa9", "missing padding" },
	{ "=?utf-8?B?5pel\r\n 5pys?=", "\xe6\x97\xa5\xe6\x9c\xac",
	    "B word broken by a fold" },
	{ "=?utf-8?B?5pe?=", "\xef\xbf\xbd", "truncated character" },
	/* RFC 2231 language */
	{ "=?utf-8*ja?B?44GC?=", "\xe3\x81\x82", "language suffix" },
	{ "=?UTF-8*en-US?Q?hi?=", "hi", "language suffix, Q" },
	/* malformed words stay as written */
	{ "=?utf-8?q?abc", "=?utf-8?q?abc", "unterminated" },
	{ "=?utf-8?q?abc?", "=?utf-8?q?abc?", "unterminated after '?'" },
	{ "=?utf-8?q?a? =", "=?utf-8?q?a? =", "'?' then not '='" },
	{ "=?x-unknown?q?abc?=", "=?x-unknown?q?abc?=",
	    "yubin: unknown charset" },
	{ "=?bad?q?x?= =?utf-8?q?a?=", "=?bad?q?x?= a",
	    "yubin: space after a kept word stays" },
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", "bad encoding letter" },
	{ "=?utf-8?bq?abc?=", "=?utf-8?bq?abc?=", "two encoding letters" },
	{ "=?utf-8?B?a*bc?=", "=?utf-8?B?a*bc?=", "yubin: bad base64" },
	{ "=?utf-8?B?5pel5?=", "=?utf-8?B?5pel5?=", "yubin: 4k+1 base64" },
	{ "=?utf-8?B?YQ==YQ==?=", "=?utf-8?B?YQ==YQ==?=",
	    "yubin: data after padding" },
	{ "=?utf-8?q?a?b?=", "=?utf-8?q?a?b?=", "'?' in the text" },
	{ "=?utf 8?q?a?=", "=?utf 8?q?a?=", "space in the charset" },
	{ "=?utf-8?q?abc =?utf-8?q?def?=", "=?utf-8?q?abc def",
	    "unterminated word then a good one" },
	{ "x =?", "x =?", "'=?' at the end" },
	{ "=?", "=?", "'=?' alone" },
	{ "=?=?utf-8?q?a?=", "=?a", "'=?' before a word" },
	/* text outside words */
	{ "\xe6\x97\xa5\xe6\x9c\xac test", "\xe6\x97\xa5\xe6\x9c\xac test",
	    "raw UTF-8 passes" },
	{ "caf\xe9", "caf\xef\xbf\xbd", "invalid raw byte" },
	{ "caf\xe9 =?utf-8?q?x?=", "caf\xef\xbf\xbd x",
	    "invalid raw byte before a word" },
	{ "a=b?c ?= =", "a=b?c ?= =", "no word, '=' and '?' only" },
	{ "", "", "empty" },
};

static void
test_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof dvec / sizeof dvec[0]; i++)
		dec(dvec[i].in, dvec[i].want, dvec[i].what);
}

static void
test_decode_exact(void)
{
	struct buf b;
	static const char nul[] = "=?utf-8?q?a=00b?=";
	static const char raw[] = "x\0y =?utf-8?q?z?=";

	buf_init(&b, 64);
	t_int(rfc2047_decode(nul, sizeof nul - 1, &b), 0, "NUL: rc");
	t_ok(b.len == 3 && memcmp(b.p, "a\0b", 3) == 0,
	    "a decoded NUL byte is kept");
	buf_reset(&b);
	t_int(rfc2047_decode(raw, sizeof raw - 1, &b), 0, "raw NUL: rc");
	t_ok(b.len == 5 && memcmp(b.p, "x\0y z", 5) == 0,
	    "a raw NUL byte is kept");
	buf_reset(&b);
	t_int(rfc2047_decode("=?utf-8?q?a?=", 4, &b), 0, "length: rc");
	t_str(b.p, b.len, "=?ut", "length is respected");
	buf_free(&b);
}

static void
test_decode_cap(void)
{
	struct buf b;

	buf_init(&b, 4);
	t_int(rfc2047_decode("abcdefgh", 8, &b), -1, "cap: plain text");
	buf_reset(&b);
	t_int(rfc2047_decode("=?utf-8?q?abcdef?=", 18, &b), -1,
	    "cap: decoded word");
	t_ok(b.len <= 4, "cap: never passed");
	buf_reset(&b);
	t_int(rfc2047_decode("abcdef =?utf-8?q?x?=", 20, &b), -1,
	    "cap: text before a word");
	buf_reset(&b);
	t_int(rfc2047_decode("=?utf-8?q?ab?=", 14, &b), 0, "cap: fits");
	t_str(b.p, b.len, "ab", "cap: fits, value");
	buf_free(&b);
}

static void
param(const char *in, const char *name, int rc, const char *want,
    const char *what)
{
	struct buf b;

	buf_init(&b, 4096);
	t_int(rfc2231_param(in, strlen(in), name, &b), rc, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	buf_free(&b);
}

static const struct {
	const char *in, *name, *want, *what;
} pvec[] = {
	{ "text/plain; charset=UTF-8", "charset", "UTF-8", "simple" },
	{ "text/plain; CharSet=\"utf-8\"", "charset", "utf-8",
	    "quoted, name case-insensitive" },
	{ "a/b; c=\"quoted \\\"x\\\" ; y\"", "c", "quoted \"x\" ; y",
	    "quoted pairs, ';' inside quotes" },
	{ "a/b; name*0*=utf-8''%E3%81%82; name*1*=%E3%81%84", "name",
	    "\xe3\x81\x82\xe3\x81\x84", "continuations in order" },
	{ "a/b; name*1*=%E3%81%84; name*0*=utf-8''%E3%81%82", "name",
	    "\xe3\x81\x82\xe3\x81\x84", "continuations out of order" },
	{ "a/b; name*0*=utf-8''%E3; name*1*=%81%82", "name", "\xe3\x81\x82",
	    "a character split across continuations" },
	{ "a/b; filename*=iso-8859-1'en'%E9t%E9.txt", "filename",
	    "\xc3\xa9t\xc3\xa9.txt", "charset and language" },
	{ "a/b; name*0*=us-ascii'en'a%42; name*1*=c", "name", "aBc",
	    "language, ASCII" },
	{ "a/b; name*=\"utf-8''%E3%81%82\"", "name", "\xe3\x81\x82",
	    "extended value in quotes" },
	{ "a/b; name*=''%E3%81%82", "name", "\xe3\x81\x82",
	    "no charset: UTF-8" },
	{ "a/b; name*=x-foo''abc%41", "name", "abcA",
	    "unknown charset: UTF-8" },
	{ "a/b; name*=%E3%81%82", "name", "\xe3\x81\x82",
	    "no apostrophes at all" },
	{ "a/b; name*=utf-8''100%; x=1", "name", "100%", "a lone '%'" },
	{ "a/b; name*0*=utf-8''%E3%81%82; name*1=%41", "name",
	    "\xe3\x81\x82%41", "plain segment is literal" },
	{ "a/b; name*0=abc; name*1=\"def\"", "name", "abcdef",
	    "plain continuations" },
	{ "a/b; name*0=\"a\"; name*2=\"c\"", "name", "a",
	    "a gap ends the value" },
	{ "a/b; name*0=\"a\"; name*0=\"x\"; name*1=\"b\"", "name", "ab",
	    "duplicate index: first wins" },
	{ "a/b; name*1=\"b\"; name*2=\"c\"", "name", "bc",
	    "yubin: no index 0" },
	{ "a/b; name=a; name*=utf-8''b", "name", "b",
	    "yubin: name* preferred" },
	{ "a/b; name*=utf-8''b; name=a", "name", "b",
	    "name* preferred, either order" },
	{ "a/b; name=\"=?utf-8?B?44GC?=\"", "name", "\xe3\x81\x82",
	    "RFC 2047 in a quoted value" },
	{ "a/b; name==?utf-8?B?44GC?=", "name", "\xe3\x81\x82",
	    "RFC 2047 in a token" },
	{ "a/b; name=\"=?iso-8859-1?q?caf=e9?= =?iso-8859-1?q?.txt?=\"",
	    "name", "caf\xc3\xa9.txt", "RFC 2047, two words" },
	{ "a/b; NAME=v", "name", "v", "upper-case name" },
	{ "a/b (c); (c2) name = v (c3)", "name", "v", "comments" },
	{ "a/b; name=us-ascii (Plain text)", "name", "us-ascii",
	    "comment after a value" },
	{ "text/plain charset=utf-8", "charset", "utf-8", "missing ';'" },
	{ "a/b; x=1 name=v", "name", "v", "missing ';' between params" },
	{ "a/b;; name=v;", "name", "v", "stray ';'" },
	{ "a/b; name=\"unterminated", "name", "unterminated",
	    "unterminated quote" },
	{ "a/b; name=my file.pdf", "name", "my file.pdf",
	    "yubin: unquoted value with a space" },
	{ "a/b; filename=a; name=b", "name", "b", "name is not filename" },
	{ "a/b; name=\"caf\xe9\"", "name", "caf\xef\xbf\xbd",
	    "raw 8-bit value: U+FFFD" },
	{ "a/b; name=\"\"", "name", "", "empty quoted value" },
	{ "a/b; name=", "name", "", "empty value at the end" },
	{ "filename=x.pdf", "filename", "x.pdf", "no leading value" },
};

static void
test_param(void)
{
	size_t i;

	for (i = 0; i < sizeof pvec / sizeof pvec[0]; i++)
		param(pvec[i].in, pvec[i].name, 1, pvec[i].want, pvec[i].what);
	param("text/plain; charset=x", "name", 0, "", "missing: 0");
	param("text/plain; xname=x; name", "name", 0, "",
	    "missing: lone word, longer name");
	param("", "name", 0, "", "missing: empty input");
	param("a/b; name*x=1; name*1*2=2", "name", 0, "",
	    "bad section suffixes are other names");
}

static void
test_param_segments(void)
{
	struct buf in, b;
	int i;

	buf_init(&in, 1 << 16);
	buf_init(&b, 4096);
	buf_adds(&in, "a/b");
	for (i = 149; i >= 0; i--)
		buf_printf(&in, "; name*%d=%c", i, i < 100 ? 'x' : 'y');
	t_int(rfc2231_param(in.p, in.len, "name", &b), 1, "150 segments");
	t_ok(b.len == 100 && strspn(b.p, "x") == 100,
	    "segments capped at 100, the lowest indexes kept");
	buf_free(&in);
	buf_free(&b);

	buf_init(&b, 3);
	t_int(rfc2231_param("a/b; name=abcd", 14, "name", &b), -1,
	    "cap: plain");
	buf_reset(&b);
	t_int(rfc2231_param("a/b; name*=utf-8''%E3%81%82A", 28, "name", &b),
	    -1, "cap: extended");
	buf_free(&b);
}

static void
value(const char *in, int rc, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 16);
	t_int(rfc2231_value(in, strlen(in), &b), rc, what);
	if (rc == 0)
		t_str(b.p ? b.p : "", b.len, want, what);
	buf_free(&b);
}

static void
test_value(void)
{
	value("Text/Plain; charset=x", 0, "text/plain", "value: lower-cased");
	value(" multipart/mixed (comment) ;b=1", 0, "multipart/mixed",
	    "value: comment and spaces");
	value("text / plain", 0, "text/plain", "value: spaces around '/'");
	value("attachment", 0, "attachment", "value: alone");
	value("text/plain charset=utf-8", 0, "text/plain",
	    "value: missing ';'");
	value("filename=x.pdf", 0, "", "value: none, only a parameter");
	value("", 0, "", "value: empty");
	value("application/vnd.openxmlformats-officedocument", -1, "",
	    "value: cap");
}

/* Decode with flags: the bytes must be those of the flagless call. */
static void
decw(const char *in, const char *want, int wflags, const char *what)
{
	struct buf b;
	int f = 0;

	buf_init(&b, 4096);
	t_int(rfc2047_decode_w(in, strlen(in), &b, &f), 0, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	t_int(f, wflags, what);
	buf_free(&b);
}

static void
paramw(const char *in, const char *name, const char *want, int wflags,
    const char *what)
{
	struct buf b;
	int f = 0;

	buf_init(&b, 4096);
	t_int(rfc2231_param_w(in, strlen(in), name, &b, &f), 1, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	t_int(f, wflags, what);
	buf_free(&b);
}

static void
test_flags(void)
{
	struct buf b;
	int f;

	/* clean values: no flag */
	decw("=?utf-8?q?caf=C3=A9?= x", "caf\xc3\xa9 x", 0, "w: clean word");
	decw("no words", "no words", 0, "w: plain text");
	decw("a=?b and =? c", "a=?b and =? c", 0,
	    "w: '=?' without a charset is text, not a word");
	paramw("a; filename*0*=utf-8''caf%C3%A9; filename*1=.txt", "filename",
	    "caf\xc3\xa9.txt", 0, "w: clean continuations");
	paramw("a; filename*=''x%41", "filename", "xA", 0,
	    "w: empty charset is allowed");
	/* RFC2047_W_BADWORD */
	decw("=?utf-8?B?!!!?=", "=?utf-8?B?!!!?=", RFC2047_W_BADWORD,
	    "w: bad base64");
	decw("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", RFC2047_W_BADWORD,
	    "w: bad encoding letter");
	decw("=?utf-8?Q?open", "=?utf-8?Q?open", RFC2047_W_BADWORD,
	    "w: no ?=");
	decw("=?utf-8?B?QUJDR?=", "=?utf-8?B?QUJDR?=", RFC2047_W_BADWORD,
	    "w: 4k+1 base64 characters");
	decw("=?utf-8?B?/w==?=", "\xef\xbf\xbd", RFC2047_W_BADWORD,
	    "w: not UTF-8 in a UTF-8 word");
	paramw("a; name=\"=?utf-8?B?!!!?=.bin\"", "name", "=?utf-8?B?!!!?=.bin",
	    RFC2047_W_BADWORD, "w: bad word in a parameter");
	/* RFC2047_W_CHARSET */
	decw("=?no-such?Q?abc?= =?utf-8?q?x?=", "=?no-such?Q?abc?= x",
	    RFC2047_W_CHARSET, "w: unknown charset in a word");
	paramw("a; filename*=no-such-cs''abc%E9.txt", "filename",
	    "abc\xef\xbf\xbd.txt", RFC2047_W_CHARSET,
	    "w: unknown charset in RFC 2231");
	/* RFC2231_W_GAP */
	paramw("a; filename*0=\"zero-\"; filename*2=\"two.txt\"", "filename",
	    "zero-", RFC2231_W_GAP, "w: name*1 missing");
	paramw("a; filename*1=one; filename*2=two", "filename", "onetwo",
	    RFC2231_W_GAP, "w: name*0 missing");
	/* RFC2231_W_ESCAPE */
	paramw("a; filename*0*=utf-8''caf%C3%A9; filename*1*=%ZZ.txt",
	    "filename", "caf\xc3\xa9%ZZ.txt", RFC2231_W_ESCAPE, "w: bad %XX");
	paramw("a; filename*=utf-8''x%4", "filename", "x%4", RFC2231_W_ESCAPE,
	    "w: cut %X");
	/* several at once; flags are ORed into what is there */
	f = RFC2231_W_GAP;
	buf_init(&b, 4096);
	t_int(rfc2231_param_w("a; n*=no-such''%G1", 18, "n", &b, &f), 1,
	    "w: two flags");
	t_int(f, RFC2231_W_GAP | RFC2231_W_ESCAPE | RFC2047_W_CHARSET,
	    "w: two flags ORed in");
	/* not found: nothing added; NULL flags are allowed */
	f = 0;
	t_int(rfc2231_param_w("a; x*1=%G1", 10, "n", &b, &f), 0,
	    "w: absent parameter");
	t_int(f, 0, "w: absent parameter, no flag");
	t_int(rfc2231_param_w("a; n*1=%G1", 10, "n", &b, NULL), 1,
	    "w: NULL flags");
	buf_free(&b);
}

int
main(void)
{
	test_decode();
	test_decode_exact();
	test_decode_cap();
	test_param();
	test_param_segments();
	test_value();
	test_flags();
	charset_cleanup();
	return t_done();
}
