/*
 * charset_test: charset_to_utf8, utf8_valid, utf8_append.
 * Vectors were made with Python 3.11 codecs and iconv(1); each expected
 * string is the exact UTF-8.  Run from tests/unit.
 */
#include <string.h>

#include "charset.h"
#include "t.h"

/* Compare with an expected value that may hold NUL bytes. */
static void
t_mem(const char *gp, size_t gn, const char *want, size_t wn,
    const char *what)
{
	t_ok(gp != NULL && gn == wn && memcmp(gp, want, wn) == 0, what);
}

/* Convert a C string and check the result and return value. */
static void
conv(const char *cs, const char *in, const char *want, const char *what)
{
	struct buf b;
	int r;

	buf_init(&b, 4096);
	r = charset_to_utf8(cs, strlen(cs), in, strlen(in), &b);
	t_int(r, 0, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	buf_free(&b);
}

static const struct {
	const char *cs, *in, *want;
} vec[] = {
	/* the charsets the project must handle */
	{ "UTF-8", "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
	{ "ISO-2022-JP", "\x1b$BF|K\\8l\x1b(B",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "Shift_JIS", "\x93\xfa\x96{\x8c\xea\x82\xcc\x83" "e\x83X\x83g",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86"
	    "\xe3\x82\xb9\xe3\x83\x88" },
	{ "EUC-JP", "\xc6\xfc\xcb\xdc\xb8\xec",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2",
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
	    "\xd0\xbc\xd0\xb8\xd1\x80" },
	{ "koi8-u", "\xbd\xc1\xce\xcf\xcb",
	    "\xd2\x90\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xba" },
	{ "windows-1250", "P\xf8\xedli\x9a", "P\xc5\x99\xc3\xadli\xc5\xa1" },
	{ "windows-1251", "\xd2\xe5\xec\xe0 \xef\xe8\xf1\xfc\xec\xe0",
	    "\xd0\xa2\xd0\xb5\xd0\xbc\xd0\xb0 \xd0\xbf\xd0\xb8\xd1\x81"
	    "\xd1\x8c\xd0\xbc\xd0\xb0" },
	{ "windows-1252", "\x93q\x94 \x96 d",
	    "\xe2\x80\x9cq\xe2\x80\x9d \xe2\x80\x93 d" },
	{ "ISO-8859-1", "caf\xe9", "caf\xc3\xa9" },
	{ "iso-8859-2", "Za\xbf\xf3\xb3\xe6",
	    "Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87" },
	{ "iso-8859-5", "\xbf\xe0\xd8\xd2\xd5\xe2",
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
	{ "iso-8859-7", "\xc5\xeb\xeb\xe7\xed\xe9\xea\xdc",
	    "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba"
	    "\xce\xac" },
	{ "iso-8859-15", "5\xa4 \xbduvre", "5\xe2\x82\xac \xc5\x93uvre" },
	{ "GB18030", "\xd6\xd0\xce\xc4\xd3\xca\xbc\xfe",
	    "\xe4\xb8\xad\xe6\x96\x87\xe9\x82\xae\xe4\xbb\xb6" },
	{ "gb2312", "\xb2\xe2\xca\xd4", "\xe6\xb5\x8b\xe8\xaf\x95" },
	{ "Big5", "\xa4\xa4\xa4\xe5\xb6l\xa5\xf3",
	    "\xe4\xb8\xad\xe6\x96\x87\xe9\x83\xb5\xe4\xbb\xb6" },
	{ "EUC-KR", "\xc7\xd1\xb1\xb9\xbe\xee",
	    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4" },
	{ "UTF-7", "Hi +Jjo-", "Hi \xe2\x98\xba" },
	/* aliases */
	/* glibc reads "UTF+8" as UTF-8 and passes an over-long sequence
	 * (past U+10FFFF) through; the output must still be UTF-8 */
	{ "UTF+8", "a\xf8\x98\x98\x98\x98" "b",
	    "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "b" },
	{ "sjis", "\x93\xfa", "\xe6\x97\xa5" },
	{ "x-sjis", "\x93\xfa", "\xe6\x97\xa5" },
	{ "MS_Kanji", "\x93\xfa", "\xe6\x97\xa5" },
	{ "csShiftJIS", "\x93\xfa", "\xe6\x97\xa5" },
	{ "gbk", "\x81\x40", "\xe4\xb8\x82" },          /* GBK only */
	{ "x-gbk", "\x81\x40", "\xe4\xb8\x82" },
	{ "gb2312", "\x81\x40", "\xe4\xb8\x82" },       /* labelled narrow */
	{ "ks_c_5601-1987", "\xc7\xd1", "\xed\x95\x9c" },
	{ "euc-kr", "\x81\x41", "\xea\xb0\x82" },       /* UHC only */
	{ "iso-8859-8-i", "\xf9\xec\xe5\xed",
	    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" },
	{ "utf8", "\xc3\xa9", "\xc3\xa9" },
	{ "unicode-1-1-utf-7", "+Jjo-", "\xe2\x98\xba" },
	{ " \"UTF-8\" ", "ok", "ok" },
	{ "iSo-8859-1", "\xe9", "\xc3\xa9" },
	/* the supersets and fallbacks chosen in charset.c */
	{ "shift_jis", "\\~", "\\~" },  /* CP932: ASCII stays ASCII */
	{ "shift_jis", "\x87\x40", "\xe2\x91\xa0" },    /* NEC (1) */
	{ "shift_jis", "\x81\x60", "\xef\xbd\x9e" },    /* CP932: U+FF5E */
	{ "euc-jp", "\xa1\xc1", "\xe3\x80\x9c" },       /* JIS: U+301C */
	{ "euc-jp", "\xad\xa1", "\xe2\x91\xa0" },       /* via EUC-JP-MS */
	{ "euc-jp", "\x8f\xb0\xa1", "\xe4\xb8\x82" },   /* JIS X 0212 */
	{ "iso-2022-jp", "\x1b$B!A\x1b(B", "\xe3\x80\x9c" },
	{ "iso-2022-jp", "\x1b$B-!\x1b(B", "\xe2\x91\xa0" },    /* CP50220 */
	{ "iso-2022-jp", "\x1b$By!\x1b(B", "\xe7\xba\x8a" },    /* IBM ext */
	{ "iso-2022-jp", "\x1b$(D0!\x1b(B", "\xe4\xb8\x82" },   /* 0212 */
	{ "iso-2022-jp", "\x1b(I12\x1b(B", "\xef\xbd\xb1\xef\xbd\xb2" },
	{ "iso-2022-jp", "plain", "plain" },
	{ "big5", "\xa3\xe1", "\xe2\x82\xac" },         /* euro, CP950 */
	{ "big5", "\xc6\xa1", "\xe2\x91\xa0" },         /* ETEN, HKSCS */
	{ "IBM037", "\xc1\xc2", "AB" },                 /* not ASCII-based */
	{ "IBM037", "A", "\xc2\xa0" },
	{ "tis-620", "\x80", "\xe2\x82\xac" },          /* via CP874 */
	/* invalid bytes become U+FFFD and conversion goes on */
	{ "windows-1252", "a\x81" "b", "a\xef\xbf\xbd" "b" },
	{ "shift_jis", "a\x82", "a\xef\xbf\xbd" },      /* truncated */
	{ "shift_jis", "\xa0z", "\xef\xbf\xbdz" },
	{ "euc-jp", "\xff" "a\xc6\xfc", "\xef\xbf\xbd" "a\xe6\x97\xa5" },
	{ "gb18030", "\x81", "\xef\xbf\xbd" },
	{ "iso-2022-jp", "\x1b$B\"/F|\x1b(Bx",         /* unassigned pair */
	    "\xef\xbf\xbd\xe6\x97\xa5x" },
	{ "iso-2022-jp", "a\x1b$B\x80\x1b(Bb", "a\xef\xbf\xbd" "b" },
	{ "iso-2022-jp", "ab\x1b", "ab\xef\xbf\xbd" },
	{ "iso-2022-jp", "\x1b$BF", "\xef\xbf\xbd" },
	{ "utf-8", "a\xe3\x81" "b\xff", "a\xef\xbf\xbd" "b\xef\xbf\xbd" },
	{ "us-ascii", "caf\xc3\xa9 \xe9", "caf\xc3\xa9 \xef\xbf\xbd" },
	{ "", "\xc3\xa9", "\xc3\xa9" },
	{ "unknown-8bit", "caf\xe9", "caf\xef\xbf\xbd" },
	{ "UTF-7", "+", "\xef\xbf\xbd" },
};

static void
test_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		char what[128];

		snprintf(what, sizeof what, "vector %zu (%s)", i, vec[i].cs);
		conv(vec[i].cs, vec[i].in, vec[i].want, what);
	}
}

static void
test_utf8_valid(void)
{
	t_int(utf8_valid("", 0), 1, "valid: empty");
	t_int(utf8_valid("a\0b", 3), 1, "valid: NUL is a character");
	t_int(utf8_valid("\xc2\xb0\xe6\x97\xa5\xf0\x9f\x98\x80", 9), 1,
	    "valid: 2, 3 and 4 bytes");
	t_int(utf8_valid("\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7), 1,
	    "valid: U+FFFF and U+10FFFF");
	t_int(utf8_valid("\xc0\x80", 2), 0, "invalid: overlong NUL");
	t_int(utf8_valid("\xc1\xbf", 2), 0, "invalid: overlong 2-byte");
	t_int(utf8_valid("\xe0\x80\xaf", 3), 0, "invalid: overlong 3-byte");
	t_int(utf8_valid("\xf0\x8f\xbf\xbf", 4), 0, "invalid: overlong 4-byte");
	t_int(utf8_valid("\xed\xa0\x80", 3), 0, "invalid: surrogate");
	t_int(utf8_valid("\xed\x9f\xbf", 3), 1, "valid: U+D7FF");
	t_int(utf8_valid("\xf4\x90\x80\x80", 4), 0, "invalid: > U+10FFFF");
	t_int(utf8_valid("\xf5\x80\x80\x80", 4), 0, "invalid: F5 lead");
	t_int(utf8_valid("\xe3\x81", 2), 0, "invalid: truncated");
	t_int(utf8_valid("\x80", 1), 0, "invalid: lone continuation");
	t_int(utf8_valid("\xe3\x81\x82", 2), 0, "length is respected");
}

static void
append(const char *in, size_t n, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 1024);
	t_int(utf8_append(in, n, &b), 0, what);
	t_str(b.p ? b.p : "", b.len, want, what);
	buf_free(&b);
}

static void
test_utf8_append(void)
{
	append("a\xe3\x81" "b", 4, "a\xef\xbf\xbd" "b",
	    "append: truncated 3-byte is one U+FFFD");
	append("\xed\xa0\x80x", 4,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx",
	    "append: surrogate is three U+FFFD (as Python)");
	append("\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd",
	    "append: C0 80 is two U+FFFD");
	append("\xf0\x9f\x98", 3, "\xef\xbf\xbd", "append: truncated at end");
	append("\xf4\x90\x80\x80", 4,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "append: above U+10FFFF");
	append("ok \xe6\x97\xa5", 6, "ok \xe6\x97\xa5", "append: valid kept");
	{
		struct buf b;

		buf_init(&b, 64);
		utf8_append("a\0\xff", 3, &b);
		t_mem(b.p, b.len, "a\0\xef\xbf\xbd", 5, "append: NUL kept");
		buf_free(&b);
	}
}

static void
test_unknown(void)
{
	struct buf b;

	buf_init(&b, 64);
	buf_adds(&b, "x");
	t_int(charset_to_utf8("x-no-such", 9, "abc", 3, &b), -2,
	    "unknown charset: -2");
	t_str(b.p, b.len, "x", "unknown charset: nothing appended");
	t_int(charset_to_utf8("UTF-8//IGNORE", 13, "a", 1, &b), -2,
	    "iconv options are not charset names");
	t_int(charset_to_utf8("utf-8 x", 7, "a", 1, &b), -2, "inner space");
	t_int(charset_known("ISO-8859-1", 10), 1, "known: ISO-8859-1");
	t_int(charset_known("Shift_JIS", 9), 1, "known: Shift_JIS");
	t_int(charset_known("", 0), 1, "known: empty (as US-ASCII)");
	t_int(charset_known("nonsense", 8), 0, "not known: nonsense");
	t_int(charset_known("iso-8859-1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    44), 0, "not known: too long");
	t_int(charset_known("utf-8, junk", 5), 1, "length is respected (in)");
	t_int(charset_known("nonsense;utf-8", 8), 0,
	    "length is respected (out)");
	buf_free(&b);
}

static void
test_nul_and_cap(void)
{
	struct buf b;

	buf_init(&b, 64);
	t_int(charset_to_utf8("koi8-r", 6, "a\0\xc1", 3, &b), 0, "NUL: rc");
	t_mem(b.p, b.len, "a\0\xd0\xb0", 4, "NUL converted like any byte");
	buf_free(&b);

	buf_init(&b, 5);
	t_int(charset_to_utf8("koi8-r", 6, "\xc1\xc1\xc1", 3, &b), -1,
	    "cap: iconv path");
	t_ok(b.len <= 5, "cap: never passed");
	buf_reset(&b);
	t_int(charset_to_utf8("koi8-r", 6, "abcdef", 6, &b), -1,
	    "cap: ASCII fast path");
	buf_reset(&b);
	t_int(charset_to_utf8("utf-8", 5, "abc\xff", 4, &b), -1,
	    "cap: UTF-8 path");
	t_str(b.p, b.len, "abc", "cap: UTF-8 prefix kept");
	buf_reset(&b);
	t_int(charset_to_utf8("koi8-r", 6, "", 0, &b), 0, "empty input");
	t_int((long long)b.len, 0, "empty input: nothing");
	buf_free(&b);

	/* found by fuzz_charset: under a cap, glibc's pass-through of an
	 * over-long sequence ("UTF+8") reached the output unrepaired */
	buf_init(&b, 12);
	t_int(charset_to_utf8("UTF+8", 5, "\x80\xf8\x98\x98\x98\x98"
	    "\xff\xff\xff\xff", 10, &b), -1, "cap: UTF+8 rc");
	t_str(b.p, b.len, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "cap: UTF+8 prefix is of the repaired text");
	buf_free(&b);
}

/* More charsets than cache slots, twice round, then after a cleanup. */
static void
test_cache(void)
{
	static const char *names[] = {
		"iso-8859-1", "iso-8859-2", "iso-8859-3", "iso-8859-4",
		"iso-8859-5", "iso-8859-6", "iso-8859-7", "iso-8859-9",
		"iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15",
		"koi8-r", "koi8-u", "windows-1250", "windows-1251",
		"windows-1252", "cp866", "euc-jp", "iso-2022-jp",
	};
	size_t i, round, ok = 0;
	struct buf b;

	buf_init(&b, 64);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			buf_reset(&b);
			if (charset_to_utf8(names[i], strlen(names[i]),
			    "a\tb", 3, &b) == 0 && b.len == 3 &&
			    memcmp(b.p, "a\tb", 3) == 0)
				ok++;
		}
		if (round == 1)
			charset_cleanup();
	}
	t_int((long long)ok, 3 * (long long)(sizeof names / sizeof names[0]),
	    "cache: eviction and cleanup");
	buf_free(&b);
	conv("euc-jp", "\xad\xa1", "\xe2\x91\xa0", "cache: fallback reopened");
}

int
main(void)
{
	test_vectors();
	test_utf8_valid();
	test_utf8_append();
	test_unknown();
	test_nul_and_cap();
	test_cache();
	charset_cleanup();
	return t_done();
}
