/*
 * safename: turn a MIME attachment's file name into a safe name for one
 * directory entry.
 *
 * The name (decoded UTF-8, as from mime_part.filename) is cut to its
 * last path component ('/' and '\' both separate), control characters
 * (bytes below 0x20, 0x7f and the C1 controls U+0080 to U+009F) and each
 * byte that is not part of well-formed UTF-8 become '_', bidi controls
 * (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) are
 * dropped, leading dots become '_', and so does a leading '-'.  An
 * empty name, one of spaces only, "." or ".." is replaced by
 * "part-SECTION.EXT", EXT taken
 * from the part's type (safename_ext).  Variant n > 0 inserts "-n"
 * before the extension ("a.pdf" -> "a-1.pdf") for collisions.  The
 * result is at most SAFENAME_MAX bytes: the stem is cut at a UTF-8
 * character boundary and the extension kept.  Pure: no I/O.
 */
#ifndef YUBIN_SAFENAME_H
#define YUBIN_SAFENAME_H

#define SAFENAME_MAX 255

/*
 * Write variant n of the safe name into out, which must hold
 * SAFENAME_MAX + 1 bytes; returns out.
 */
char *safename(const char *name, const char *section, const char *type,
    unsigned n, char *out);

/* "pdf" for application/pdf ...; "bin" when the type is not in the table. */
const char *safename_ext(const char *type);

#endif
