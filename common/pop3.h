/*
 * pop3: POP3 (RFC 1939) replies, as pure parsers; the session that
 * sends the commands is common/pop3c.
 *
 * Parsers (pure, (buf, len), no I/O, no allocation; fuzzed by
 * tests/fuzz/fuzz_pop3.c):
 *   pop3_reply_parse()  one status line: +OK or -ERR, the response code
 *                       of RFC 2449 §8 / RFC 3206 in brackets, the text
 *                       (made printable: controls, DEL and bad UTF-8
 *                       become '?'), bounded by POP3_TEXT_MAX
 *   pop3_ml_decode()    the body of a multi-line response as it streams:
 *                       dot-unstuffed, CRLF turned into LF, the final
 *                       "." CRLF found; it keeps only a few bytes of
 *                       state, so a RETR of any size is never held whole
 *   pop3_listing()      one "N ARG" line of LIST or UIDL (RFC 1939 §7:
 *                       a unique id is 1 to 70 bytes of 0x21..0x7E)
 *   pop3_capa()         the capabilities (RFC 2449 §5) in the lines
 *                       libcurl saw at login
 *   pop3_exit()         one reply's sysexits code; the one place that
 *                       says what -ERR and its codes mean to a caller
 */
#ifndef YUBIN_POP3_H
#define YUBIN_POP3_H

#include <stddef.h>

#define POP3_TEXT_MAX	512	/* RFC 2449 §4: a reply line is at most
				   512 bytes, CRLF included */
#define POP3_UID_MAX	70	/* RFC 1939 §7 */

/* Response codes (RFC 2449 §8, RFC 3206); hierarchical ones by prefix. */
enum pop3_rcode {
	POP3_RC_NONE, POP3_RC_IN_USE, POP3_RC_LOGIN_DELAY, POP3_RC_SYS_TEMP,
	POP3_RC_SYS_PERM, POP3_RC_AUTH, POP3_RC_OTHER
};

struct pop3_reply {
	int ok;				/* +OK: 1, -ERR: 0 */
	enum pop3_rcode rc;
	char text[POP3_TEXT_MAX];	/* after "+OK "/"-ERR ", printable */
	size_t textlen;
};

/* One status line without its CRLF (a CR left in it is taken off).
 * 0, or -1: neither +OK nor -ERR, or longer than POP3_TEXT_MAX. */
int pop3_reply_parse(const char *p, size_t len, struct pop3_reply *r);

/*
 * The sysexits code of a reply, given what was asked (login: the
 * authorization phase).  +OK 0; [AUTH] 77; [IN-USE], [LOGIN-DELAY],
 * [SYS/TEMP] 75; [SYS/PERM] 69; another -ERR 77 at login, else 69 (the
 * server refused that command: RETR of a message another session
 * deleted); a malformed reply (r NULL) 76.
 */
int pop3_exit(const struct pop3_reply *r, int login);

/* The decoder of a multi-line body. */
struct pop3_ml {
	int st;				/* where in a line we are */
	int done;			/* the final "." was read */
	unsigned long long out;		/* bytes produced so far */
};

void pop3_ml_init(struct pop3_ml *m);
/*
 * Decode up to len bytes of (in, len) into out, which must hold len + 1
 * bytes (a CR held back from the previous call may come out now).
 * Returns the bytes of in consumed: all of them, or fewer when the
 * terminating line "." CRLF ended inside (m->done set; what follows is
 * the next reply's).  *outlen gets the bytes written.  A line "." ends
 * on CRLF or a bare LF; a lone CR inside a line is kept.
 */
size_t pop3_ml_decode(struct pop3_ml *m, const char *in, size_t len,
    char *out, size_t *outlen);

/* "N ARG" of LIST (ARG a size) or UIDL (ARG a unique id): 0 with *num,
 * *arg and *arglen set, or -1 when malformed. */
int pop3_listing(const char *p, size_t len, unsigned long *num,
    const char **arg, size_t *arglen);

enum {
	POP3_CAPA_TOP = 1, POP3_CAPA_UIDL = 2, POP3_CAPA_PIPELINING = 4,
	POP3_CAPA_RESP_CODES = 8, POP3_CAPA_STLS = 16, POP3_CAPA_USER = 32,
	POP3_CAPA_SASL = 64
};
/* The CAPA keywords in (p, len), lines of any kind; 0 when none. */
unsigned pop3_capa(const char *p, size_t len);

#endif
