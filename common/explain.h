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
 */
#ifndef YUBIN_EXPLAIN_H
#define YUBIN_EXPLAIN_H

#include <stddef.h>

const char *explain_smtp(const char *line, size_t len, char *buf, size_t sz);
const char *explain_pop3(const char *line, size_t len, char *buf, size_t sz);
const char *explain_imap(const char *line, size_t len, char *buf, size_t sz);

#endif
