/*
 * explain: one-line comments on server replies, for --explain in class.
 *
 * Pure functions over (buf, len), no I/O.  Each returns the comment
 * (without the leading "#   ") in buf, NUL-terminated, or NULL when
 * there is nothing useful to say (a continuation line of a multi-line
 * reply, for instance).  The comment names the RFC section, e.g.
 * "354: go ahead, end the data with <CRLF>.<CRLF> (RFC 5321 §4.3.2)".
 *
 * Coverage: every SMTP reply code of RFC 5321 §4.2 and the enhanced
 * status codes of RFC 3463 that Postfix sends; POP3 +OK/-ERR with the
 * response codes of RFC 2449 and RFC 3206; IMAP tagged and untagged
 * responses (OK, NO, BAD, PREAUTH, BYE, CAPABILITY, LIST, FLAGS, EXISTS,
 * RECENT, FETCH, SEARCH, ...) and their response codes (RFC 3501, RFC
 * 5530).
 *
 * The line may end in CRLF, LF or nothing.  The comment is cut to sz - 1
 * bytes; sz 0 gives NULL.  Text copied from the reply into the comment
 * is printable ASCII only (anything else becomes '?'), the rest is
 * ASCII and "§" in UTF-8.
 *
 * SMTP: a multi-line reply is explained on its last line (the one with
 * a space after the code), which ends the reply and is the one a client
 * acts on; continuation lines ("550-...") give NULL.  The exception is
 * the EHLO reply: "250-host" says EHLO was accepted, and each keyword
 * line (250-PIPELINING, 250-SIZE n, 250-AUTH ..., also on the last line)
 * is explained with its RFC.  A code with an enhanced status code gives
 * both: "550 5.1.1: mailbox unavailable (...); 5.1.1 bad destination
 * mailbox address (RFC 5321 §4.2.3, RFC 3463 §3.2)".  A line that is
 * not a reply gives a comment saying so.
 * POP3: +OK/-ERR (with [CODE]), the APOP greeting, CAPA lines, the "."
 * terminator, "+ " challenges and LIST/UIDL listing lines ("N SIZE",
 * "N UID") are explained; anything else may be message text and gives
 * NULL, so do not pass message text.
 * IMAP: untagged data of extensions not known gives NULL; a line that
 * is neither tagged OK/NO/BAD, "* ..." nor "+" gives a comment saying
 * it is not a valid response.
 */
#ifndef YUBIN_EXPLAIN_H
#define YUBIN_EXPLAIN_H

#include <stddef.h>

const char *explain_smtp(const char *line, size_t len, char *buf, size_t sz);
const char *explain_pop3(const char *line, size_t len, char *buf, size_t sz);
const char *explain_imap(const char *line, size_t len, char *buf, size_t sz);

#endif
