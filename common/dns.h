/*
 * dns: MX, SRV, TXT and address lookups on c-ares.
 *
 * One channel, many queries in flight (a bounded window), answers by
 * callback; plus synchronous helpers for mailsend --mx.  The record
 * parsing sits behind this header so that c-ares's deprecated ares_parse_*
 * can be replaced without touching the programs.
 */
#ifndef YUBIN_DNS_H
#define YUBIN_DNS_H

#include <stddef.h>

enum dns_status {
	DNS_OK,
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of that type */
	DNS_SERVFAIL,		/* server failure or refused */
	DNS_TIMEOUT,
	DNS_ERROR		/* anything else (bad name, no memory) */
};

struct dns_opts {
	const char *server;	/* "HOST[:PORT]" or NULL: /etc/resolv.conf */
	int timeout_ms;		/* per try; 0: default */
	int tries;		/* 0: default */
	int window;		/* queries in flight; 0: default */
	int trace;		/* print queries and answers on stderr */
};

struct dns;

/* NULL with a message and *ex (78 bad server, 70) on failure. */
struct dns *dns_open(const struct dns_opts *o, int *ex);
void dns_close(struct dns *d);

struct dns_mx {
	unsigned pref;
	char *host;		/* "" for a null MX target */
	int cname;		/* the host is an alias (warn: RFC 5321 5.1) */
};

/*
 * MX records of domain, sorted by preference with equal preferences in
 * random order (shuffle != 0) or by name.  An implicit MX (NODATA for MX
 * but the name has an address) is returned as one record, pref 0, host =
 * domain, with *implicit set.  A null MX is returned as one record with
 * host "".  The caller frees with dns_mx_free().
 */
enum dns_status dns_mx(struct dns *d, const char *domain, int shuffle,
    struct dns_mx **mx, size_t *n, int *implicit);
void dns_mx_free(struct dns_mx *mx, size_t n);

/* A then AAAA addresses of host as text ("192.0.2.1", "2001:db8::1"). */
enum dns_status dns_addrs(struct dns *d, const char *host, char ***addr,
    size_t *n);
void dns_addrs_free(char **addr, size_t n);

/* A short text for a status ("NXDOMAIN", "timed out", ...). */
const char *dns_strstatus(enum dns_status s);

#endif
