/*
 * safetext: untrusted text made fit to print, under the safe-text rule
 * of DESIGN.md.  '\' is written "\\", TAB "\t", LF "\n", CR "\r", every
 * other byte below 0x20 and 0x7F "\xHH", and each ill-formed UTF-8
 * sequence U+FFFD.  So the text is always one line, and valid text can
 * be recovered exactly.  For diagnostics that quote a message, a
 * server or a file name.
 */
#ifndef YUBIN_SAFETEXT_H
#define YUBIN_SAFETEXT_H

#include <stddef.h>

#include "util.h"

/*
 * Append (p, n) to out under the rule.  When n is over max, only the
 * first max bytes (backed off to a character boundary) are shown,
 * followed by "...", so that a diagnostic stays one short line whatever
 * the input.  Returns 0, or -1 if out's cap was reached (out then holds
 * a prefix).
 */
int safetext(struct buf *out, const char *p, size_t n, size_t max);

/* A malloc'd C string of (p, n) under the rule, as safetext(). */
char *safetext_dup(const char *p, size_t n, size_t max);

#endif
