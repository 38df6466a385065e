/*
 * ftype: what an open file holds, by libmagic: its media type and, for
 * text that is neither ASCII nor UTF-8, its charset.
 *
 * The file is read from its start and rewound; the caller owns it.  The
 * strings returned are libmagic's or constants: valid until the next
 * call, not to be freed.  If libmagic's database cannot be loaded, that
 * is warned about and the answers are the unknown ones.  Programs
 * using this link with -lmagic.  Not thread-safe (one magic handle).
 */
#ifndef YUBIN_FTYPE_H
#define YUBIN_FTYPE_H

#include <stdio.h>

/* libmagic's "type/subtype", or NULL if it has none; checking that it
 * is fit for a header is the caller's. */
const char *ftype_type(FILE *fp);

/* The charset of 8-bit text, fit to be a parameter value, or
 * "unknown-8bit" (also for libmagic's "binary"). */
const char *ftype_charset(FILE *fp);

#endif
