/*
 * addr: RFC 5322 address lists (§3.4) with the obsolete syntax of §4.4.
 *
 * The raw field is parsed first and decoded afterwards, so an encoded
 * comma ("=?UTF-8?Q?M=C3=BCller=2C_Hans?= <h@x.test>") stays inside one
 * display name.  Handles quoted strings with commas, comments, groups
 * ("undisclosed-recipients:;", "team: a@x.test, b@y.test;"), obsolete
 * routes ("<@a.test,@b.test:u@c.test>"), bare addr-specs without angle
 * brackets, and garbage (skipped, never a crash).  An element without a
 * usable address ("<>", "a@", "a@x@y") is skipped; ';' outside a group
 * separates addresses, as Outlook writes them.  Python's email package
 * (policy.default) is the reference; addr.c lists where it differs.
 *
 * Nothing is skipped silently: every element not read whole (garbage,
 * no usable address, text after the address as in "a@x b@y", a missing
 * '>', a comment, quoted string or domain literal left open) is counted
 * in nbad, and the first one's text is kept, so that a caller can refuse
 * the list (mailsend, mimepack) or warn (hdrparse).
 */
#ifndef YUBIN_ADDR_H
#define YUBIN_ADDR_H

#include <stddef.h>

#define ADDR_MAX 10000          /* addresses per field, against bombs */

struct addr {
	char *addr;     /* addr-spec "local@domain", CFWS removed; the local
			   part keeps its quotes if it needs them; may be a
			   bare local part; never NULL */
	char *name;     /* display name, unquoted, RFC 2047-decoded UTF-8;
			   when there is none, the text of a comment after
			   the addr-spec ("a@x.test (Alice)"); "" if neither */
	char *group;    /* display name of the group it belongs to, decoded,
			   or NULL outside a group; the members of one
			   group share one string (addr_free knows) */
};

struct addrlist {
	struct addr *v;
	size_t n;
	size_t ngroups;         /* groups seen, empty ones included */
	size_t nbad;            /* elements not read whole */
	char *bad;              /* the first one's text, unfolded, white
				   space trimmed; NULL if nbad is 0 */
};

/*
 * Parse the raw value (folded or not) of an address field and append
 * the mailboxes to *l (which must start zeroed).  Returns 0, or -1 if
 * ADDR_MAX was reached (the first ADDR_MAX are kept, the rest is not
 * read).  All strings are owned by the list.  An element that cannot be
 * read whole is skipped as far as the next ',' or ';' and noted in
 * nbad and bad: a caller that must not lose an address checks nbad.
 */
int addr_parse(const char *p, size_t n, struct addrlist *l);
void addr_free(struct addrlist *l);

#endif
