/*
 * charset: see charset.h.
 *
 * Rationale.  Mail names its charsets loosely ("x-sjis", "ks_c_5601-1987",
 * "utf8") and labels text with the narrow standard set while the sender
 * used the vendor superset (Shift_JIS written by CP932, GB2312 written by
 * GBK).  So names go through an alias table onto the widest glibc charset
 * that decodes the well-formed text the same way Python's codecs do.
 * Where the superset would change that mapping (EUC-JP-MS turns 0xA1C1
 * into U+FF5E instead of U+301C), the standard charset is used and the
 * superset only gets the characters the standard one rejects: a
 * per-character fallback.
 *
 * Bad input never stops a conversion: each invalid byte becomes U+FFFD.
 * UTF-8 is validated here rather than by iconv because glibc's decoder
 * stops at the first error and we want Unicode's "maximal subpart"
 * replacement (one U+FFFD per ill-formed subsequence, as Python and the
 * browsers do), and because it is the common case and must be fast.
 */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#define CS_NAMEMAX 40           /* longer names are not charsets */
#define CS_CACHE 16
#define CS_MEMO 32              /* raw spellings remembered by cs_lookup */

static const char cs_fffd[] = "\xef\xbf\xbd";

enum cs_fb {
	FB_NONE,
	FB_CHAR,        /* retry one character (1..4 bytes) in the fallback */
	FB_JIS          /* ISO-2022-JP: a 2-byte JIS X 0208 pair via CP932 */
};

struct cs_alias {
	const char *name;       /* lower case, as it appears in mail */
	const char *to;         /* glibc name; NULL: validate as UTF-8 */
	const char *fb;
	enum cs_fb fbkind;
};

/*
 * Choices (verified against glibc 2.36 and Python 3.11 codecs):
 *  - Shift_JIS: glibc's SHIFT_JIS maps 0x5C to U+00A5, which breaks every
 *    path name; CP932 keeps ASCII and has the NEC/IBM extensions.
 *  - ISO-2022-JP: ISO-2022-JP-2 also reads JIS X 0212 and half-width kana
 *    (ESC ( I); the NEC/IBM rows Windows mailers put in (CP50220) come
 *    from CP932.
 *  - EUC-JP: EUC-JP-MS reads the NEC row 13 and IBM extensions but remaps
 *    a few JIS X 0208 symbols, hence EUC-JP first.
 *  - GB2312/GBK: GB18030 is a superset of both (glibc's own GB2312 also
 *    maps 0xA1A4 to U+00B7, not U+30FB as Python does); EUC-KR: CP949.
 *  - Big5: glibc's BIG5 maps the ETEN rows 0xC6A1-0xC7FC to the private
 *    use area; BIG5-HKSCS decodes them (as the WHATWG Big5 decoder does)
 *    and agrees with Python on the symbols; CP950 adds the euro sign.
 * tests/unit/charset_test.c pins these choices down.
 */
static const struct cs_alias cs_aliases[] = {
	{ "", NULL, NULL, FB_NONE },
	{ "us-ascii", NULL, NULL, FB_NONE },
	{ "ascii", NULL, NULL, FB_NONE },
	{ "ansi_x3.4-1968", NULL, NULL, FB_NONE },
	{ "iso646-us", NULL, NULL, FB_NONE },
	{ "utf-8", NULL, NULL, FB_NONE },
	{ "utf8", NULL, NULL, FB_NONE },
	{ "unknown-8bit", NULL, NULL, FB_NONE },      /* as Python */
	{ "shift_jis", "CP932", NULL, FB_NONE },
	{ "shift-jis", "CP932", NULL, FB_NONE },
	{ "sjis", "CP932", NULL, FB_NONE },
	{ "x-sjis", "CP932", NULL, FB_NONE },
	{ "ms_kanji", "CP932", NULL, FB_NONE },
	{ "csshiftjis", "CP932", NULL, FB_NONE },
	{ "windows-31j", "CP932", NULL, FB_NONE },
	{ "cp932", "CP932", NULL, FB_NONE },
	{ "iso-2022-jp", "ISO-2022-JP-2", "CP932", FB_JIS },
	{ "csiso2022jp", "ISO-2022-JP-2", "CP932", FB_JIS },
	{ "iso-2022-jp-1", "ISO-2022-JP-2", "CP932", FB_JIS },
	{ "iso-2022-jp-2", "ISO-2022-JP-2", "CP932", FB_JIS },
	{ "euc-jp", "EUC-JP", "EUC-JP-MS", FB_CHAR },
	{ "x-euc-jp", "EUC-JP", "EUC-JP-MS", FB_CHAR },
	{ "eucjp", "EUC-JP", "EUC-JP-MS", FB_CHAR },
	{ "gb2312", "GB18030", NULL, FB_NONE },
	{ "csgb2312", "GB18030", NULL, FB_NONE },
	{ "euc-cn", "GB18030", NULL, FB_NONE },
	{ "gbk", "GB18030", NULL, FB_NONE },
	{ "x-gbk", "GB18030", NULL, FB_NONE },
	{ "cp936", "GB18030", NULL, FB_NONE },
	{ "windows-936", "GB18030", NULL, FB_NONE },
	{ "big5", "BIG5-HKSCS", "CP950", FB_CHAR },
	{ "x-x-big5", "BIG5-HKSCS", "CP950", FB_CHAR },
	{ "csbig5", "BIG5-HKSCS", "CP950", FB_CHAR },
	{ "big5-hkscs", "BIG5-HKSCS", "CP950", FB_CHAR },
	{ "ks_c_5601-1987", "CP949", NULL, FB_NONE },
	{ "ks_c_5601-1989", "CP949", NULL, FB_NONE },
	{ "ks_c_5601", "CP949", NULL, FB_NONE },
	{ "ksc5601", "CP949", NULL, FB_NONE },
	{ "euc-kr", "CP949", NULL, FB_NONE },
	{ "cseuckr", "CP949", NULL, FB_NONE },
	{ "x-windows-949", "CP949", NULL, FB_NONE },
	{ "iso-8859-8-i", "ISO-8859-8", NULL, FB_NONE },
	{ "iso-8859-8-e", "ISO-8859-8", NULL, FB_NONE },
	{ "iso-8859-6-i", "ISO-8859-6", NULL, FB_NONE },
	{ "iso-8859-6-e", "ISO-8859-6", NULL, FB_NONE },
	{ "unicode-1-1-utf-7", "UTF-7", NULL, FB_NONE },
	{ "x-mac-roman", "MACINTOSH", NULL, FB_NONE },
	{ "tis-620", "TIS-620", "CP874", FB_CHAR },
};

struct cs_entry {
	char name[CS_NAMEMAX + 1];      /* glibc name: the cache key */
	iconv_t cd;
	iconv_t fb;                     /* per-character fallback, or -1 */
	enum cs_fb fbkind;
	int ascii_ok;   /* printable ASCII, TAB, CR, LF convert to themselves */
	unsigned long stamp;            /* last use, for LRU; 0: free */
	unsigned long gen;              /* which opening of this slot */
};

/*
 * A raw name exactly as it came (case, quotes and all) and what
 * cs_lookup made of it.  Mail repeats the same few spellings, so the
 * common lookup is a length check and a memcmp instead of normalising,
 * the alias table and the cache search.  An iconv result holds only
 * while its slot keeps the opening it was made with (gen): the LRU may
 * have closed the slot or reused it for another charset.
 */
struct cs_memo {
	char raw[CS_NAMEMAX];
	size_t len;             /* 0: unused ("" is never memoised) */
	int kind;               /* cs_lookup's 0 or 1 */
	struct cs_entry *e;
	unsigned long gen;
};

static struct cs_entry cs_cache[CS_CACHE];
static unsigned long cs_clock, cs_gen;
static struct cs_memo cs_memo[CS_MEMO];
static size_t cs_memo_next;     /* round robin: cheap, and fair enough */

/* ---- UTF-8 -------------------------------------------------------- */

/*
 * Length of the well-formed sequence at s (RFC 3629, Unicode table 3-7),
 * or 0 with *bad set to the length of the maximal ill-formed subpart.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;      /* overlong */
		else if (c == 0xED)
			hi = 0x9F;      /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;      /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

int
utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k, bad;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i, &bad)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

int
utf8_append(const char *p, size_t n, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, run = 0, k, bad;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i, &bad)) > 0) {
			i += k;
			continue;
		}
		if (buf_add(out, p + run, i - run) < 0 ||
		    buf_add(out, cs_fffd, 3) < 0)
			return -1;
		i += bad;
		run = i;
	}
	return buf_add(out, p + run, n - run);
}

/* ---- names and the descriptor cache ------------------------------- */

/*
 * Lower-case the name into key, without surrounding white space and
 * quotes.  Returns -1 for what cannot be a charset name: too long, or
 * holding characters that iconv_open would read as options ("//IGNORE").
 */
static int
cs_normalise(const char *cs, size_t n, char key[CS_NAMEMAX + 1])
{
	size_t i;

	while (n > 0 && (*cs == ' ' || *cs == '\t' || *cs == '"')) {
		cs++;
		n--;
	}
	while (n > 0 && (cs[n - 1] == ' ' || cs[n - 1] == '\t' ||
	    cs[n - 1] == '"'))
		n--;
	if (n > CS_NAMEMAX)
		return -1;
	for (i = 0; i < n; i++) {
		char c = cs[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ':' || c == '+'))
			return -1;
		key[i] = c;
	}
	key[n] = '\0';
	return 0;
}

static const struct cs_alias *
cs_alias(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof cs_aliases / sizeof cs_aliases[0]; i++)
		if (strcmp(cs_aliases[i].name, key) == 0)
			return &cs_aliases[i];
	return NULL;
}

/*
 * Does printable ASCII pass through unchanged?  False for EBCDIC, UTF-16,
 * UTF-7 ('+'), HZ ('~') and glibc's SHIFT_JIS (0x5C); true for ISO-2022-JP,
 * whose escapes are control characters and so never take the fast path.
 */
static int
cs_probe(iconv_t cd)
{
	char in[98], outb[256], *ip = in, *op = outb;
	size_t il = sizeof in, ol = sizeof outb, i, r;

	for (i = 0; i < 95; i++)
		in[i] = (char)(0x20 + i);
	memcpy(in + 95, "\t\r\n", 3);
	iconv(cd, NULL, NULL, NULL, NULL);
	r = iconv(cd, &ip, &il, &op, &ol);
	iconv(cd, NULL, NULL, NULL, NULL);
	return r != (size_t)-1 && il == 0 && (size_t)(op - outb) == sizeof in &&
	    memcmp(in, outb, sizeof in) == 0;
}

static void
cs_close(struct cs_entry *e)
{
	if (e->cd != (iconv_t)-1)
		iconv_close(e->cd);
	if (e->fb != (iconv_t)-1)
		iconv_close(e->fb);
	e->cd = e->fb = (iconv_t)-1;
	e->stamp = 0;
}

static struct cs_entry *
cs_slot(void)
{
	struct cs_entry *e = &cs_cache[0];
	size_t i;

	for (i = 1; i < CS_CACHE; i++)
		if (cs_cache[i].stamp < e->stamp)
			e = &cs_cache[i];
	if (e->stamp != 0)
		cs_close(e);
	return e;
}

/*
 * The cache entry for a glibc name, opened on first use; NULL if iconv
 * does not know it.  Unknown names are not cached: a failed iconv_open
 * costs ~0.1 us, while evicting a good entry costs ~50 us when it comes
 * back (glibc unloads a gconv module with its last descriptor).  That is
 * also the worst case: a value cycling through more than CS_CACHE
 * charsets pays it for every word.
 */
static struct cs_entry *
cs_entry(const char *name, const struct cs_alias *a)
{
	struct cs_entry *e;
	iconv_t cd;
	size_t i;

	for (i = 0; i < CS_CACHE; i++) {
		e = &cs_cache[i];
		if (e->stamp != 0 && strcmp(e->name, name) == 0) {
			e->stamp = ++cs_clock;
			return e;
		}
	}
	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return NULL;
	e = cs_slot();
	strcpy(e->name, name);
	e->stamp = ++cs_clock;
	e->gen = ++cs_gen;
	e->cd = cd;
	e->ascii_ok = cs_probe(cd);
	e->fb = (iconv_t)-1;
	e->fbkind = FB_NONE;
	if (a != NULL && a->fb != NULL &&
	    (e->fb = iconv_open("UTF-8", a->fb)) != (iconv_t)-1)
		e->fbkind = a->fbkind;
	return e;
}

/* The memoised result for a raw name: 0 or 1 as cs_lookup, -1 if none. */
static int
cs_memo_get(const char *cs, size_t cslen, struct cs_entry **ep)
{
	struct cs_memo *m;
	size_t i;

	for (i = 0; i < CS_MEMO; i++) {
		m = &cs_memo[i];
		if (m->len != cslen || memcmp(m->raw, cs, cslen) != 0)
			continue;
		if (m->kind == 0)
			return 0;
		if (m->e->stamp == 0 || m->e->gen != m->gen) {
			m->len = 0;     /* closed or reused since */
			return -1;
		}
		m->e->stamp = ++cs_clock;       /* as cs_entry would */
		*ep = m->e;
		return 1;
	}
	return -1;
}

static void
cs_memo_put(const char *cs, size_t cslen, int kind, struct cs_entry *e)
{
	struct cs_memo *m = &cs_memo[cs_memo_next];

	if (cslen == 0 || cslen > CS_NAMEMAX)
		return;
	cs_memo_next = (cs_memo_next + 1) % CS_MEMO;
	memcpy(m->raw, cs, cslen);
	m->len = cslen;
	m->kind = kind;
	m->e = e;
	m->gen = e != NULL ? e->gen : 0;
}

/*
 * Resolve a charset name.  Returns 1 and sets *ep for an iconv charset,
 * 0 for the UTF-8 family (validated without iconv), -1 if unknown.
 * Unknown names are not memoised, for the reason given at cs_entry.
 */
static int
cs_lookup(const char *cs, size_t cslen, struct cs_entry **ep)
{
	char key[CS_NAMEMAX + 1];
	const struct cs_alias *a;
	struct cs_entry *e;
	int k;

	if ((k = cs_memo_get(cs, cslen, ep)) >= 0)
		return k;
	if (cs_normalise(cs, cslen, key) < 0)
		return -1;
	a = cs_alias(key);
	if (a != NULL && a->to == NULL) {
		cs_memo_put(cs, cslen, 0, NULL);
		return 0;
	}
	e = cs_entry(a != NULL ? a->to : key, a);
	/* a C library other than glibc (musl: maildeliver, see Makefile)
	 * may not know our superset's name (CP932, ISO-2022-JP-2, CP874)
	 * but know the charset the mail names */
	if (e == NULL && a != NULL)
		e = cs_entry(key, NULL);
	if (e == NULL)
		return -1;
	cs_memo_put(cs, cslen, 1, e);
	*ep = e;
	return 1;
}

int
charset_known(const char *cs, size_t cslen)
{
	struct cs_entry *e;

	return cs_lookup(cs, cslen, &e) >= 0;
}

void
charset_cleanup(void)
{
	size_t i;

	for (i = 0; i < CS_CACHE; i++)
		if (cs_cache[i].stamp != 0)
			cs_close(&cs_cache[i]);
	memset(cs_memo, 0, sizeof cs_memo);
}

/* ---- conversion --------------------------------------------------- */

/* What the recovery after an invalid byte needs to know. */
struct cs_conv {
	struct cs_entry *e;
	const char *p;
	size_t n;
	size_t scan;    /* ISO-2022-JP: escapes seen up to here, */
	int jis0208;    /* and whether G0 is JIS X 0208 there */
	int dbcs;       /* or any other 2-byte set */
};

/*
 * Convert (p, n) with cd into out, appending nothing on failure: the
 * fallback accepts a character only if cd takes all of it.  Returns 2 if
 * converted, 1 if (p, n) is the start of a longer character, 0 if not a
 * character, -1 if out's cap was reached.
 */
static int
cs_try(iconv_t cd, const char *p, size_t n, struct buf *out)
{
	char tmp[64], *ip = (char *)p, *op = tmp;
	size_t il = n, ol = sizeof tmp;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		return errno == EINVAL ? 1 : 0;
	if (op == tmp)          /* an escape or shift alone: no character */
		return 0;
	return buf_add(out, tmp, (size_t)(op - tmp)) < 0 ? -1 : 2;
}

/* Follow the ISO 2022 designations of G0 up to offset `to'. */
static void
cs_jis_scan(struct cs_conv *c, size_t to)
{
	const char *p = c->p;
	size_t i;

	for (i = c->scan; i < to; i++) {
		if (p[i] != '\033' || i + 2 >= c->n)
			continue;
		if (p[i + 1] == '(') {                  /* 94-char set */
			c->jis0208 = c->dbcs = 0;
		} else if (p[i + 1] == '$') {           /* 94^2-char set */
			c->jis0208 = p[i + 2] == '@' || p[i + 2] == 'B';
			c->dbcs = 1;
		}
	}
	c->scan = to > c->scan ? to : c->scan;
}

/* ISO-2022-JP: the 2-byte pair at off is not JIS X 0208; try CP932. */
static int
cs_jis_fallback(struct cs_conv *c, size_t off, struct buf *out)
{
	unsigned char j1 = (unsigned char)c->p[off];
	unsigned char j2 = (unsigned char)c->p[off + 1];
	char sj[2];

	if (!c->jis0208 || c->e->fbkind != FB_JIS)
		return 0;
	sj[0] = (char)(((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0));
	sj[1] = (char)(j2 + ((j1 & 1) ? (j2 >= 0x60 ? 0x20 : 0x1F) : 0x7E));
	return cs_try(c->e->fb, sj, 2, out);
}

/*
 * After EILSEQ at off: append what the fallback makes of the character
 * there, or U+FFFD.  Returns the number of bytes consumed, or 0 if out's
 * cap was reached.  A bad pair in a 2-byte ISO 2022 set is skipped whole,
 * as Python does, so that the rest stays in step.
 */
static size_t
cs_recover(struct cs_conv *c, size_t off, struct buf *out)
{
	size_t left = c->n - off, k;
	int r;

	if (c->e->fbkind == FB_JIS) {
		cs_jis_scan(c, off);
		if (c->dbcs && left >= 2 && c->p[off] > 0x20 &&
		    c->p[off] < 0x7F && c->p[off + 1] > 0x20 &&
		    c->p[off + 1] < 0x7F) {
			if ((r = cs_jis_fallback(c, off, out)) < 0)
				return 0;
			if (r != 2 && buf_add(out, cs_fffd, 3) < 0)
				return 0;
			return 2;
		}
	} else if (c->e->fbkind == FB_CHAR) {
		for (k = 1; k <= 4 && k <= left; k++) {
			if ((r = cs_try(c->e->fb, c->p + off, k, out)) < 0)
				return 0;
			if (r == 2)
				return k;
			if (r == 0)
				break;          /* not merely incomplete */
		}
	}
	return buf_add(out, cs_fffd, 3) < 0 ? 0 : 1;
}

static int
cs_iconv(struct cs_entry *e, const char *p, size_t n, struct buf *out)
{
	struct cs_conv c = { e, p, n, 0, 0, 0 };
	char tmp[1024], *ip = (char *)p, *op;
	size_t il = n, ol, r, skip;
	int err;

	iconv(e->cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		op = tmp;
		ol = sizeof tmp;
		r = iconv(e->cd, &ip, &il, &op, &ol);
		err = errno;
		if (buf_add(out, tmp, (size_t)(op - tmp)) < 0)
			return -1;
		if (r != (size_t)-1)
			break;
		if (err == E2BIG && op != tmp)
			continue;
		if (err == EINVAL) {            /* truncated at the end */
			if (buf_add(out, cs_fffd, 3) < 0)
				return -1;
			break;
		}
		if ((skip = cs_recover(&c, (size_t)(ip - p), out)) == 0)
			return -1;
		ip += skip;
		il -= skip;
	}
	op = tmp;
	ol = sizeof tmp;
	iconv(e->cd, NULL, NULL, &op, &ol);
	return buf_add(out, tmp, (size_t)(op - tmp));
}

/* Only printable ASCII, TAB, CR, LF: safe for an ascii_ok charset. */
static int
cs_plain(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 || c > 0x7E) && c != '\t' && c != '\r' &&
		    c != '\n')
			return 0;
	}
	return 1;
}

/*
 * cs_iconv(), holding glibc to our contract: its UTF-8 decoder, reached
 * through aliases such as "UTF+8", passes over-long sequences (code
 * points past U+10FFFF, e.g. F8 98 98 98 98) through unchanged, so what
 * iconv appended is validated, and repaired in the rare case it is bad.
 */
/*
 * The length of (p, n) without a last sequence that is cut short (a
 * lead byte and fewer continuation bytes than it needs): what the cap
 * left of a character whose repair could differ from the whole one's.
 */
static size_t
utf8_whole(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t j, bad;

	for (j = n > 3 ? n - 3 : 0; j < n; j++)
		if (s[j] >= 0xC2 && s[j] <= 0xF4 &&
		    utf8_seq(s + j, n - j, &bad) == 0 && bad == n - j)
			return j;
	return n;
}

static int
cs_checked(struct cs_entry *e, const char *p, size_t n, struct buf *out)
{
	size_t start = out->len, len;
	char *tmp;
	int r = cs_iconv(e, p, n, out), r2;

	len = out->len - start;
	if (len == 0 || utf8_valid(out->p + start, len))
		return r;
	/* repaired under the cap too: "a prefix of the result" is of the
	 * repaired result, never raw bytes the repair would replace */
	if (r < 0)
		len = utf8_whole(out->p + start, len);
	tmp = xstrndup(out->p + start, len);
	out->len = start;
	out->p[start] = '\0';
	r2 = utf8_append(tmp, len, out);
	free(tmp);
	return r < 0 ? -1 : r2;
}

int
charset_to_utf8(const char *cs, size_t cslen, const char *p, size_t n,
    struct buf *out)
{
	struct cs_entry *e = NULL;
	int k = cs_lookup(cs, cslen, &e);

	if (k < 0)
		return -2;
	if (k == 0)
		return utf8_append(p, n, out);
	if (e->ascii_ok && cs_plain(p, n))
		return buf_add(out, p, n);
	return cs_checked(e, p, n, out);
}
