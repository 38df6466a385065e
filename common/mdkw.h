/*
 * mdkw: the IMAP keywords of Maildir messages, kept as Dovecot keeps
 * them, so that a reader shows what a Sieve script set.  The file
 * dovecot-keywords of a Maildir holds lines "N keyword" (N from 0 to
 * 25); a message carries keyword N as the info letter 'a' + N of its
 * name (cur/NAME:2,FSab).
 *
 * mdkw_letters() gives the letters of the keywords in a space-separated
 * flag list (system flags, "\Seen" and the like, are not keywords),
 * adding to the file those it lacks.  The file is changed under
 * Dovecot's own dot-lock: dovecot-keywords.lock is made with O_EXCL,
 * written, synced and renamed over the file, as Dovecot's
 * file_dotlock_replace() does, so neither side loses the other's
 * keywords.  Keywords match without regard to case (RFC 3501 section
 * 2.3.2).
 *
 * A keyword that finds no letter is left out and counted in the return
 * value: 26 letters already in use, a name that is not an IMAP atom, a
 * lock held through every try (MDKW_TRIES, as Dovecot, which gives up
 * at once), or a write that failed (the message is worth more than its
 * keywords; the caller warns).  Nothing else is ever written.
 */
#ifndef YUBIN_MDKW_H
#define YUBIN_MDKW_H

#include <stddef.h>

#define MDKW_MAX 26
#define MDKW_TRIES 20           /* 10 ms apart */

/* The letters into out (at least MDKW_MAX + 1 bytes), NUL-terminated;
 * returns how many keywords were left out. */
int mdkw_letters(const char *maildir, const char *flags, char *out);

#endif
