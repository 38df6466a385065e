/*
 * ftype: what an open file holds, by libmagic (see ftype.h).
 */
#include <magic.h>
#include <stdio.h>
#include <string.h>

#include "ftype.h"
#include "util.h"

static magic_t magic;

/* libmagic's answer for the open file (flags MAGIC_MIME_*), or NULL. */
static const char *
sniff(FILE *fp, int flags)
{
	const char *r;

	if (magic == NULL && ((magic = magic_open(flags)) == NULL ||
	    magic_load(magic, NULL) == -1)) {
		warn("libmagic: cannot load its database");
		return NULL;
	}
	magic_setflags(magic, flags);
	rewind(fp);
	r = magic_descriptor(magic, fileno(fp));
	rewind(fp);
	return r;
}

const char *
ftype_type(FILE *fp)
{
	return sniff(fp, MAGIC_MIME_TYPE);
}

const char *
ftype_charset(FILE *fp)
{
	const char *cs = sniff(fp, MAGIC_MIME_ENCODING);

	if (cs == NULL || strcmp(cs, "binary") == 0 ||
	    strcmp(cs, "unknown-8bit") == 0 || strpbrk(cs, " ;\"") != NULL)
		return "unknown-8bit";
	return cs;
}
