/*
 * cred: accounts file, .netrc and passwords, for the network programs.
 *
 * The accounts file ($XDG_CONFIG_HOME/yubin/accounts, default
 * ~/.config/yubin/accounts; format in yubin-accounts.5) names servers,
 * users and where the password comes from.  Passwords are never taken
 * from argv.  Order: the account's passwordeval (first line of the
 * command's output), else ~/.netrc or --netrc-file (our own reader: the
 * one in Debian's libcurl 7.88 crashes, doc/libcurl.md 4), else the
 * environment variable YUBIN_PASSWORD.
 *
 * The parsers take (buf, len) and do no I/O; cred_load() and
 * cred_password() are the thin I/O wrappers.
 */
#ifndef YUBIN_CRED_H
#define YUBIN_CRED_H

#include <stddef.h>

struct account {
	char *name;
	char *smtp, *pop3, *imap;	/* URLs */
	char *user;
	char *from;			/* "Name <addr>" for mailsend */
	char *passwordeval;		/* shell command */
	char *cacert;
	char *auth;			/* SASL mechanism */
	char *pin;
	char *starttls;			/* yes|try|no */
	char *maildir;			/* popfetch target */
	char *pop_before_smtp;		/* yes|no: mailsend logs in to pop3
					   first */
};

/*
 * Parse an accounts file held in (buf, len) and fill *a with the account
 * called name (NULL: the one named by "default", else the only one).
 * Returns 0, 1 if there is no such account, or -1 with a message in
 * err (with the line number) for a syntax error.  The whole file is
 * checked whichever account is asked for.  On 1 err says why too ("no
 * account 'x'", "several accounts and no 'default' line"), without a
 * line number.  Values are malloc'd, owned by *a (cred_free); keys not
 * given are NULL; starttls is one of "yes", "try", "no" and auth is
 * upper case.
 */
int cred_parse_accounts(const char *buf, size_t len, const char *name,
    struct account *a, char *err, size_t errsz);

/*
 * Find the password for (host, user) in a .netrc held in (buf, len):
 * "machine HOST login USER password PW", "default", quoted tokens,
 * "macdef" skipped.  If user is NULL the entry's login is returned too.
 * Returns 0 with malloc'd *login and *pass, or 1 if nothing matched.
 */
int cred_parse_netrc(const char *buf, size_t len, const char *host,
    const char *user, char **login, char **pass);

/*
 * Load account name from path (NULL: the default place).  Returns 0, or
 * a sysexits code after printing why (78 for syntax or a missing named
 * account, 66 when the file is missing and an account was asked for).
 * With name NULL, a missing default file, an empty one or several
 * accounts without a "default" line give 0 with a->name NULL (no
 * account: every field NULL).  A file that is not ours or is writable by
 * group or others is refused with 78 (it names commands we run).  "~/"
 * at the start of cacert and maildir is replaced by $HOME/.
 */
int cred_load(const char *path, const char *name, struct account *a);

/*
 * The .netrc entry for (host, user) (user NULL: the first entry for
 * host) read from netrc_file (NULL: ~/.netrc, which may be missing).
 * Returns 0 with malloc'd *pass and *login (login may be NULL; *login
 * is NULL when user is NULL and the entry names no login), 1 if nothing
 * matched, 66 when netrc_file is missing, 78 when the file that holds
 * the password can be read by group or others (as ftp(1) refuses it).
 */
int cred_netrc(const char *netrc_file, const char *host, const char *user,
    char **login, char **pass);

/*
 * The password for user at host: passwordeval, then netrc_file (NULL:
 * ~/.netrc), then $YUBIN_PASSWORD.  Returns 0 with a malloc'd *pass, 1
 * if none was found, or a sysexits code (78 passwordeval failed).
 * a may be NULL; user NULL means a->user.  An account with passwordeval
 * uses only that: if the command fails (non-zero exit, signal, empty
 * first line) the result is 78, with a message that never shows what
 * it printed.  Free *pass with cred_wipe().
 */
int cred_password(const struct account *a, const char *host,
    const char *user, const char *netrc_file, char **pass);

/* Overwrite with zeros and free. */
void cred_wipe(char *secret);
void cred_free(struct account *a);

#endif
