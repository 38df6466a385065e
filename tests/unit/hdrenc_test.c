/* hdrenc_test: RFC 2047 and RFC 2231 encoding for output, and folding. */
#include <string.h>

#include "charset.h"
#include "codec.h"
#include "hdrenc.h"
#include "rfc2047.h"
#include "t.h"

/* Every line of s at most HDRENC_COLS long? */
static int
lines_ok(const char *s)
{
	const char *nl;

	for (; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		if ((size_t)(nl - s) > HDRENC_COLS)
			return 0;
	return strlen(s) <= HDRENC_COLS;
}

/* "Subject:" followed by the text encoding of s */
static void
text(const char *s, const char *want, const char *what)
{
	struct buf b;
	size_t col = 8;

	buf_init(&b, 1 << 16);
	buf_adds(&b, "Subject:");
	t_int(hdrenc_text(&b, &col, s, strlen(s)), 0, what);
	t_str(b.p, b.len, want, what);
	t_ok(lines_ok(b.p), "lines at most 78");
	buf_free(&b);
}

static void
phrase(const char *s, const char *want, const char *what)
{
	struct buf b;
	size_t col = 3;

	buf_init(&b, 1 << 16);
	buf_adds(&b, "To:");
	hdrenc_phrase(&b, &col, s, strlen(s));
	t_str(b.p, b.len, want, what);
	buf_free(&b);
}

static void
param(const char *s, const char *want, const char *what)
{
	struct buf b;
	size_t col = strlen("Content-Disposition: attachment");

	buf_init(&b, 1 << 16);
	buf_adds(&b, "Content-Disposition: attachment");
	hdrenc_param(&b, &col, "filename", s, strlen(s));
	t_str(b.p, b.len, want, what);
	t_ok(lines_ok(b.p), "lines at most 78");
	buf_free(&b);
}

/* Each encoded word of a long subject decodes to whole characters. */
static void
whole_chars(void)
{
	const char *s = "日本語のとても長い件名日本語のとても長い件名"
	    "日本語のとても長い件名日本語のとても長い件名";
	struct buf b;
	size_t col = 8;

	buf_init(&b, 1 << 16);
	hdrenc_text(&b, &col, s, strlen(s));
	t_ok(lines_ok(b.p), "long Japanese: lines at most 78");
	t_ok(strstr(b.p, "?=\n =?UTF-8?B?") != NULL, "long Japanese: folded");
	/* 3-byte characters, B: each word must hold a multiple of 3 bytes,
	 * i.e. its base64 text a multiple of 4 characters without padding */
	t_ok(strchr(b.p, '=') == strstr(b.p, "=?") && strstr(b.p, "==") == NULL,
	    "long Japanese: no padding, so no character split");
	buf_free(&b);
}

/* hdrenc_charset: words in ISO-2022-JP each end in ASCII; -2 for text
 * the charset cannot hold; back to UTF-8. */
static void
other_charset(void)
{
	struct buf b;
	size_t col = 8;

	t_int(hdrenc_charset("NO-SUCH-CHARSET-X"), -1, "charset: unknown");
	t_int(hdrenc_charset("ISO-2022-JP"), 0, "charset: ISO-2022-JP");
	text("\xe6\x97\xa5\xe6\x9c\xac",     /* 日本 */
	    "Subject: =?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=", "ISO-2022-JP word");
	text("plain", "Subject: plain", "ASCII stays as is");
	phrase("\xe5\xb1\xb1\xe7\x94\xb0", /* 山田 */
	    "To: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=", "ISO-2022-JP phrase");
	buf_init(&b, 1 << 16);
	t_int(hdrenc_text(&b, &col, "\xe2\x82\xac", 3), -2,
	    "ISO-2022-JP has no euro sign");
	buf_reset(&b);
	t_int(hdrenc_text(&b, &col, "caf\xe9", 4), -2, "not UTF-8");
	buf_free(&b);
	t_int(hdrenc_charset("ISO-8859-1"), 0, "charset: ISO-8859-1");
	text("caf\xc3\xa9", "Subject: =?ISO-8859-1?B?Y2Fm6Q==?=",
	    "ISO-8859-1 word");
	t_int(hdrenc_charset(NULL), 0, "charset: back to UTF-8");
	text("caf\xc3\xa9", "Subject: =?UTF-8?B?Y2Fmw6k=?=", "UTF-8 again");
}

/* A long ISO-2022-JP subject: every word ends in ASCII, lines fit. */
static void
jp_words(void)
{
	const char *s = "日本語のとても長い件名日本語のとても長い件名"
	    "日本語のとても長い件名日本語のとても長い件名";
	struct buf b;
	size_t col = 8, n = 0;
	const char *p;

	hdrenc_charset("ISO-2022-JP");
	buf_init(&b, 1 << 16);
	t_int(hdrenc_text(&b, &col, s, strlen(s)), 0, "long ISO-2022-JP");
	t_ok(lines_ok(b.p), "long ISO-2022-JP: lines at most 78");
	/* each word, decoded, starts with ESC $ B and ends with ESC ( B */
	for (p = b.p; (p = strstr(p, "=?ISO-2022-JP?B?")) != NULL; n++) {
		struct b64_dec d;
		char o[128];
		size_t k;

		p += 16;
		b64_dec_init(&d);
		k = b64_dec_update(&d, p, strcspn(p, "?"), o);
		k += b64_dec_final(&d, o + k);
		t_ok(k > 6 && memcmp(o, "\x1b$B", 3) == 0 &&
		    memcmp(o + k - 3, "\x1b(B", 3) == 0,
		    "long ISO-2022-JP: a word from ESC $ B to ESC ( B");
	}
	t_ok(n >= 3, "long ISO-2022-JP: several words");
	buf_free(&b);
	hdrenc_charset(NULL);
}

/*
 * Values too long for the usual lines: a 1 000-byte phrase that is no
 * atom sequence goes as encoded words, not as a 1 002-byte quoted
 * string; a parameter that needs more sections than a decoder keeps
 * (RFC2231_SECTIONS) gets longer ones, and rfc2231_param reads it whole.
 */
static void
long_values(void)
{
	char v[8001];
	struct buf b, d;
	size_t col, i, nsec = 0;
	const char *l, *nl;

	for (i = 0; i < 1000; i++)
		v[i] = i % 10 == 9 ? '.' : 'a';
	v[1000] = '\0';
	buf_init(&b, 1 << 16);
	col = 3;
	buf_adds(&b, "To:");
	t_int(hdrenc_phrase(&b, &col, v, 1000), 0, "phrase: 1000 bytes");
	t_ok(strncmp(b.p, "To: =?UTF-8?", 12) == 0, "phrase: long one encoded");
	t_ok(lines_ok(b.p), "phrase: long one, lines at most 78");
	buf_reset(&b);

	for (i = 0; i < 8000; i++)
		v[i] = (char)(0x01 + i % 0x1f);         /* all escaped */
	v[8000] = '\0';
	col = strlen("Content-Disposition: attachment");
	buf_adds(&b, "attachment");
	t_int(hdrenc_param(&b, &col, "filename", v, 8000), 0,
	    "param: 8000 control bytes");
	for (l = b.p; (l = strstr(l, " filename*")) != NULL; l++)
		nsec++;
	t_ok(nsec > 1 && nsec <= RFC2231_SECTIONS, "param: at most 100 sections");
	for (l = b.p, i = 0; ; l = nl + 1) {
		nl = strchr(l, '\n');
		if ((nl != NULL ? (size_t)(nl - l) : strlen(l)) > 998)
			i++;
		if (nl == NULL)
			break;
	}
	t_int((long long)i, 0, "param: no line over 998");
	buf_init(&d, 1 << 16);
	t_int(rfc2231_param(b.p, b.len, "filename", &d), 1,
	    "param: long one found");
	t_str(d.p, d.len, v, "param: long one read back whole");
	buf_free(&d);
	buf_free(&b);
}

int
main(void)
{
	char *s;

	t_int(hdrenc_needed("plain", 5), 0, "needed: ASCII");
	t_int(hdrenc_needed("caf\xc3\xa9", 5), 1, "needed: 8-bit");
	t_int(hdrenc_needed("a =?x", 5), 1, "needed: =?");
	t_int(hdrenc_needed("a\tb", 3), 0, "needed: tab is fine");
	t_int(hdrenc_needed("a\x01", 2), 1, "needed: control");
	text("Hello there", "Subject: Hello there", "ASCII as is");
	text("", "Subject: ", "empty");
	text("Caf\xc3\xa9 au lait", "Subject: =?UTF-8?Q?Caf=C3=A9_au_lait?=",
	    "Q when shorter");
	text("\xd0\x96\xd0\xb8\xd0\xb7\xd0\xbd\xd1\x8c",
	    "Subject: =?UTF-8?B?0JbQuNC30L3RjA==?=", "B when shorter");
	text("a=?b?= c", "Subject: =?UTF-8?B?YT0/Yj89IGM=?=",
	    "text that looks encoded is encoded");
	text("aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee "
	    "ffffffffff gggggggggg",
	    "Subject: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee "
	    "ffffffffff\n gggggggggg", "ASCII folded at a space");
	whole_chars();
	other_charset();
	jp_words();
	{
		static char lw[1001];
		struct buf b;
		size_t col = 8;

		memset(lw, 'x', 1000);
		buf_init(&b, 1 << 16);
		hdrenc_text(&b, &col, lw, 1000);
		t_ok(strncmp(b.p, " =?UTF-8?Q?xxx", 14) == 0 && lines_ok(b.p),
		    "a 1000-byte word is encoded and folded");
		buf_free(&b);
	}
	phrase("Alice Example", "To: Alice Example", "phrase: atoms");
	phrase("Bob, Jr.", "To: \"Bob, Jr.\"", "phrase: quoted");
	phrase("a\"b\\c", "To: \"a\\\"b\\\\c\"", "phrase: escapes");
	phrase("D\xc3\xa9""e", "To: =?UTF-8?Q?D=C3=A9e?=", "phrase: Q");
	phrase("a.b (c)", "To: \"a.b (c)\"", "phrase: specials quoted");
	param("a.txt", "Content-Disposition: attachment; filename=\"a.txt\"",
	    "param: ASCII quoted");
	param("a \"b\";c", "Content-Disposition: attachment; "
	    "filename=\"a \\\"b\\\";c\"", "param: quotes escaped");
	param("\xe6\x97\xa5.txt", "Content-Disposition: attachment; "
	    "filename*=UTF-8''%E6%97%A5.txt", "param: RFC 2231");
	param("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x95"
	    "\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab\xe5\x90\x8d.txt",
	    "Content-Disposition: attachment;\n"
	    " filename*0*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E3%83%95"
	    "%E3%82%A1;\n filename*1*=%E3%82%A4%E3%83%AB%E5%90%8D.txt",
	    "param: RFC 2231 continuations, characters whole");
	s = "0123456789012345678901234567890123456789012345678901234567890"
	    "123456789.txt";
	param(s, "Content-Disposition: attachment;\n"
	    " filename*0*=UTF-8''01234567890123456789012345678901234567890123456789012345;\n"
	    " filename*1*=67890123456789.txt",
	    "param: long ASCII name in sections");
	/* decoders (rfc2231_param, Python's email) take "=?...?=" for an
	 * encoded word even in a quoted string: such a name goes escaped */
	param("=?utf-8?q?a?=.txt", "Content-Disposition: attachment;\n "
	    "filename*=UTF-8''%3D%3Futf-8%3Fq%3Fa%3F%3D.txt",
	    "param: \"=?\" is never left in a quoted string");
	param("a=b?c.txt", "Content-Disposition: attachment; "
	    "filename=\"a=b?c.txt\"", "param: '=' and '?' apart stay quoted");
	long_values();
	return t_done();
}
