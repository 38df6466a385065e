/*
 * recode: UTF-8 text into another charset (see recode.h).
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "charset.h"
#include "recode.h"
#include "util.h"

static void
conv_die(const char *cs, const char *what, unsigned long line,
    const char *p, size_t n)
{
	unsigned char c = (unsigned char)*p;
	size_t l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	if (l <= n && utf8_valid(p, l))
		die(EX_DATAERR, "%s: line %lu: a character not representable "
		    "in %s", what, line, cs);
	die(EX_DATAERR, "%s: line %lu: not UTF-8", what, line);
}

/* Convert [*pp, end) to fp; stop early (EINVAL) at a character cut by
 * the end of the buffer, the caller keeps it for the next read. */
static void
conv_seg(const char *cs, iconv_t cd, char **pp, char *end, FILE *fp,
    const char *what, unsigned long line)
{
	char o[4096], *op;
	size_t il, ol, r;

	while (*pp < end) {
		op = o;
		ol = sizeof(o);
		il = (size_t)(end - *pp);
		r = iconv(cd, pp, &il, &op, &ol);
		if (fwrite(o, 1, (size_t)(op - o), fp) != (size_t)(op - o))
			die(EX_IOERR, "converting %s:", what);
		if (r != (size_t)-1 || errno == EINVAL)
			return;
		if (errno != E2BIG)
			conv_die(cs, what, line, *pp, (size_t)(end - *pp));
	}
}

/* Back to the initial shift state (ISO-2022-JP: ESC ( B). */
static void
conv_reset(iconv_t cd, FILE *fp)
{
	char o[64], *op = o;
	size_t ol = sizeof(o);

	iconv(cd, NULL, NULL, &op, &ol);
	fwrite(o, 1, (size_t)(op - o), fp);
}

FILE *
recode_file(FILE *in, const char *what, const char *cs)
{
	static char b[RECODE_CHUNK];
	iconv_t cd = iconv_open(cs, "UTF-8");
	unsigned long line = 1;
	size_t have = 0, n;
	char *p, *e, *nl;
	FILE *fp;

	if (cd == (iconv_t)-1)
		return NULL;
	if ((fp = tmpfile()) == NULL) {
		int saved = errno;

		iconv_close(cd);
		errno = saved;
		return NULL;
	}
	while ((n = fread(b + have, 1, sizeof(b) - have, in)) > 0) {
		for (p = b, e = b + have + n; p < e; p = nl + 1, line++) {
			nl = memchr(p, '\n', (size_t)(e - p));
			conv_seg(cs, cd, &p, nl != NULL ? nl : e, fp, what, line);
			if (nl == NULL)
				break;
			if (p < nl)
				conv_die(cs, what, line, p, (size_t)(nl - p));
			conv_reset(cd, fp);
			putc('\n', fp);
		}
		have = (size_t)(e - p);
		memmove(b, p, have);
	}
	if (ferror(in))
		die(EX_IOERR, "%s:", what);
	if (have > 0)
		conv_die(cs, what, line, b, have);
	conv_reset(cd, fp);
	iconv_close(cd);
	if (fflush(fp) == EOF || ferror(fp))
		die(EX_IOERR, "converting %s:", what);
	fclose(in);
	rewind(fp);
	return fp;
}

