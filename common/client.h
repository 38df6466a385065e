/*
 * client: what every network program (mailsend, popfetch, imapls) does
 * before it speaks its protocol: the options they share, the account,
 * the password, and the session's struct net_opts.
 *
 * Order of precedence: the command line, then the account (-a NAME, or
 * the default one of the accounts file), then net's defaults.  With -S
 * URL or --mx no account applies: the file is not even read, so that an
 * account's password, user, CA file and sender never go to a server
 * named by hand and its passwordeval never runs.
 *
 * The password is looked up only when a user is known, by
 * cred_password() (passwordeval, .netrc, YUBIN_PASSWORD); none found is
 * 78, since going on unauthenticated would only move the failure to the
 * server.  client_close() overwrites it.
 */
#ifndef YUBIN_CLIENT_H
#define YUBIN_CLIENT_H

#include <getopt.h>

#include "cred.h"
#include "net.h"

struct client {
	/* the command line */
	const char *url, *account, *user, *auth, *netrc, *cacert, *pin;
	const char *helo;
	int insecure, allow_plaintext, trace, explain;
	int starttls;		/* enum net_starttls, or -1: not given */
	int mx;			/* mailsend --mx: no account, no server */
	long timeout;
	/* client_load(), client_resolve() */
	struct account acct;
	char *pass;
	struct net_opts no;
};

/* The long options client_opt() takes; put CLIENT_LONGOPTS in the
 * program's struct option table.  Codes from 0x1000 on are ours. */
enum {
	CLIENT_O_AUTH = 0x1000, CLIENT_O_NETRC, CLIENT_O_CACERT,
	CLIENT_O_INSECURE, CLIENT_O_PIN, CLIENT_O_STARTTLS, CLIENT_O_PLAIN,
	CLIENT_O_TIMEOUT, CLIENT_O_TRACE, CLIENT_O_EXPLAIN, CLIENT_O_HELO
};
#define CLIENT_LONGOPTS \
	{ "auth", required_argument, NULL, CLIENT_O_AUTH }, \
	{ "netrc-file", required_argument, NULL, CLIENT_O_NETRC }, \
	{ "cacert", required_argument, NULL, CLIENT_O_CACERT }, \
	{ "insecure", no_argument, NULL, CLIENT_O_INSECURE }, \
	{ "pin", required_argument, NULL, CLIENT_O_PIN }, \
	{ "starttls", required_argument, NULL, CLIENT_O_STARTTLS }, \
	{ "allow-plaintext", no_argument, NULL, CLIENT_O_PLAIN }, \
	{ "timeout", required_argument, NULL, CLIENT_O_TIMEOUT }, \
	{ "trace", no_argument, NULL, CLIENT_O_TRACE }, \
	{ "explain", no_argument, NULL, CLIENT_O_EXPLAIN }, \
	{ "helo", required_argument, NULL, CLIENT_O_HELO }

void client_init(struct client *c);

/*
 * Take option ch (a CLIENT_O_* code, or -a, -S, -u) with its argument.
 * Returns 1 if it was one of ours, 0 if not; a bad value dies with 64.
 */
int client_opt(struct client *c, int ch, const char *arg);

/* A number from lo to hi for option what, or die with 64. */
long client_number(const char *s, const char *what, long lo, long hi);

/*
 * After the options: check that -S, -a and --mx exclude each other (64)
 * and load the account (see the top); dies with cred_load()'s status.
 * c->acct is all NULL when none applies.
 */
void client_load(struct client *c);

/*
 * Fill c->no for protocol proto (enum net_proto): the URL (-S, else the
 * account's for proto), user, mechanism, CA file, pin and STARTTLS
 * policy, and the password when there is a user.  Dies with 78 when
 * there is no server or no password, or with cred_password()'s status.
 * With --mx only the options are set (the caller sets url per host).
 */
void client_resolve(struct client *c, int proto);

/* net_open(&c->no). */
struct net *client_open(struct client *c, int *ex);

/* Wipe the password, free the account. */
void client_close(struct client *c);

/*
 * --mx: the servers of a domain, tried in order: each MX host's
 * addresses, looked up when that host is reached (a host never tried is
 * never looked up).  client_mx_open() returns 0, or after a warning 68
 * (no such domain, or NODATA), 69 (null MX, RFC 7505) or dns_exit()'s
 * status.  client_mx_next() sets url ("smtp://HOST:PORT") and resolve
 * (for CURLOPT_RESOLVE, net_opts.resolve) and returns 1, or 0 when no
 * address is left; a host whose addresses cannot be found is warned
 * about and passed over.
 */
struct dns;
struct dns_mx;
struct client_mx {
	struct dns *d;
	struct dns_mx *mx;
	size_t nmx, i;		/* i: the host after the current one */
	char **addrs;
	size_t na, j;
	long port;
	char url[600], resolve[700];
};
int client_mx_open(struct client_mx *x, struct dns *d, const char *domain,
    long port);
int client_mx_next(struct client_mx *x);
void client_mx_close(struct client_mx *x);

/* The host of a URL, malloc'd (brackets of an IPv6 address removed). */
char *client_url_host(const char *url);

#endif
