/*
 * dns: MX, SRV, TXT and address lookups on c-ares.
 *
 * One channel, many queries in flight (a bounded window), answers by
 * callback; plus synchronous helpers for mailsend --mx.  The record
 * parsing sits behind this header so that c-ares's deprecated ares_parse_*
 * can be replaced without touching the programs.
 *
 * c-ares only carries the packets here: the answers are parsed by
 * dns_msg_parse() below (pure, fuzzable), which also gives what
 * ares_parse_mx_reply() hides: TTLs for --trace, the CNAMEs of the answer
 * and the addresses of the additional section, which spare a query per
 * MX host (only for hosts at or under the domain asked, and only for the
 * lookup that received them: see dns_in_bailiwick()).  A truncated UDP answer (TC=1) is asked again over TCP by this
 * module rather than by c-ares, so that the trace can show it.
 *
 * Memory: every array and string handed to a callback or returned by a
 * synchronous call belongs to the caller, who frees it with the matching
 * dns_*_free().  The host addresses a lookup asks for are kept in a
 * per-handle cache (bounded) so that a batch of domains sharing MX hosts
 * asks for each host once; additional-section addresses never enter it.
 */
#ifndef YUBIN_DNS_H
#define YUBIN_DNS_H

#include <stddef.h>

#include "util.h"

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
	int window;		/* most queries in flight; 0: default */
	int trace;		/* print queries and answers on stderr */
};

#define DNS_TIMEOUT_MS	3000	/* the first try; c-ares doubles it after */
#define DNS_TRIES	2
#define DNS_WINDOW	1000	/* the most queries in flight */

struct dns;

/* NULL with a message and *ex (78 bad server, 70) on failure. */
struct dns *dns_open(const struct dns_opts *o, int *ex);
void dns_close(struct dns *d);

struct dns_mx {
	unsigned pref;
	char *host;		/* "" for a null MX target */
	int cname;		/* the host is an alias (warn: RFC 5321 5.1) */
	/* The host's addresses, A first (AAAA only with DNS_F_ADDRS or
	 * from dns_mx()), and how their lookup went. */
	char **addr;
	size_t naddr;
	enum dns_status astatus;
};

/*
 * MX records of domain, sorted by preference with equal preferences in
 * random order (shuffle != 0) or by name.  An implicit MX (NODATA for MX
 * but the name has an address) is returned as one record, pref 0, host =
 * domain, with *implicit set.  A null MX (also when every MX is ".") is
 * returned as one record with host ""; a "." beside other MXs is dropped,
 * and so are repeated copies of a record.  The caller frees with
 * dns_mx_free().
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
/* The exit status a failed lookup means, the same in every program
 * (DESIGN.md): NXDOMAIN and NODATA 68, SERVFAIL and a timeout 75 (try
 * again), a bad name or a malformed answer 76; DNS_OK 0. */
int dns_exit(enum dns_status s);

/* ---- the batch API: start lookups, then run the loop ---- */

#define DNS_F_SHUFFLE	1	/* equal preferences in random order */
#define DNS_F_ADDRS	2	/* A and AAAA of every host (else A only,
				 * enough to see a CNAME) */

/*
 * Called once per lookup when everything it needs has arrived.  mx (n
 * records, possibly 0 when st != DNS_OK) now belongs to the callee.
 */
typedef void dns_mx_cb(void *arg, enum dns_status st, struct dns_mx *mx,
    size_t n, int implicit);
void dns_mx_start(struct dns *d, const char *domain, unsigned flags,
    dns_mx_cb *cb, void *arg);

/* SRV (RFC 2782), sorted by priority, then weight (heaviest first), then
 * name, each record once.  A target "." (service not offered, RFC 2782)
 * beside others is dropped; alone, or when every target is ".", it is one
 * record with host "". */
struct dns_srv {
	unsigned prio, weight, port;
	char *host;
	int cname;
	char **addr;
	size_t naddr;
	enum dns_status astatus;
};
typedef void dns_srv_cb(void *arg, enum dns_status st, struct dns_srv *srv,
    size_t n);
void dns_srv_start(struct dns *d, const char *name, unsigned flags,
    dns_srv_cb *cb, void *arg);
void dns_srv_free(struct dns_srv *srv, size_t n);

/* TXT: one string per record, its character-strings joined (RFC 7208
 * 3.3); len[i] is the length of txt[i], which may hold any byte.  In the
 * order of the answer, each record once. */
typedef void dns_txt_cb(void *arg, enum dns_status st, char **txt,
    size_t *len, size_t n);
void dns_txt_start(struct dns *d, const char *name, dns_txt_cb *cb,
    void *arg);
void dns_txt_free(char **txt, size_t *len, size_t n);

/*
 * Queries in flight, and how many may be: the caller starts lookups only
 * while dns_inflight() < dns_window().  The window starts full, at
 * o->window (DNS_WINDOW by default) or at as many answers as the UDP
 * socket's receive buffer holds, whichever is smaller.  A loss (a query
 * that timed out or had to be sent again) halves it, once per window;
 * it then grows back by one for each answer, as TCP's does in slow
 * start, doubling every round trip while the server keeps up.
 *
 * Why start full rather than small: a batch of 1000 through a server
 * 50 ms away is then one round trip, as for adnshost, which sends
 * everything at once (tests/bench/RESULTS.md, MXLOOKUP, run 4).  The
 * receive-buffer cap is what keeps that safe: before it, thousands of
 * queries fired at once lost answers in our own socket's buffer.
 */
size_t dns_inflight(const struct dns *d);
size_t dns_window(const struct dns *d);
/* Wait for the next answer or timeout and run the callbacks it ends. */
void dns_step(struct dns *d);
/* Run until nothing is in flight. */
void dns_wait(struct dns *d);

/* ---- pure helpers (unit-tested) ---- */

/*
 * "HOST[:PORT]", "[V6]:PORT", "[V6]" or a bare IPv6 address into host
 * (NUL-terminated) and *port (53 when absent).  -1 if malformed.
 */
int dns_parse_server(const char *s, char *host, size_t hostsz,
    unsigned *port);

/*
 * The domain to look up for a command-line NAME: the part after the last
 * '@' of an address, without a final '.'.  Copied into buf; NULL (with a
 * reason in *why) if it is empty, too long, has an empty or over-long
 * label, or is an address literal ("[192.0.2.1]").
 */
const char *dns_domain_of(const char *arg, char *buf, size_t bufsz,
    const char **why);

/*
 * Whether host is domain or a name under it (case-insensitive, by whole
 * labels): only then may the answer for domain give host's addresses in
 * its additional section.  Whoever answers for domain speaks for the
 * names under it, not for another zone's host, and a forwarder passes on
 * whatever additional data it got.
 */
int dns_in_bailiwick(const char *host, const char *domain);

void dns_mx_sort(struct dns_mx *mx, size_t n, int shuffle);
void dns_srv_sort(struct dns_srv *srv, size_t n);
/* IPv4 before IPv6, numerically within each. */
void dns_addr_sort(char **addr, size_t n);
/*
 * After a sort (an MX sort without shuffle): drop the repeated copies of
 * a record, the same preference and host (letter case aside), the same
 * SRV fields, the same address.  RFC 2181 5 wants an RRset to hold each
 * record once; a server or forwarder repeating one must not have a
 * sender try a host twice.  The records kept come first, in order, and
 * the copies dropped after them, for the caller to free; returns how
 * many are kept.
 */
size_t dns_mx_uniq(struct dns_mx *mx, size_t n);
size_t dns_srv_uniq(struct dns_srv *srv, size_t n);
size_t dns_addr_uniq(char **addr, size_t n);

/* ---- the message parser (RFC 1035 4.1) ---- */

enum { DNS_AN = 1, DNS_NS, DNS_AR };	/* sections */
enum { DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
       DNS_T_PTR = 12, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28,
       DNS_T_SRV = 33 };

struct dns_rr {
	int section;
	char *name;		/* presentation form, no final dot; root "" */
	unsigned type, cls;
	unsigned long ttl;
	unsigned pref, weight, port;	/* MX pref; SRV priority, weight, port */
	char *data;		/* target (MX, SRV, CNAME, NS, PTR), address
				 * text (A, AAAA), TXT strings joined; else
				 * NULL */
	size_t datalen;
	char *txtq;		/* TXT as quoted strings, for the trace */
};

struct dns_msg {
	unsigned id, rcode;
	int tc, aa;
	char *qname;
	unsigned qtype;
	struct dns_rr *rr;
	size_t nrr;
};

/* Parse a whole message; 0, or -1 if it is malformed (m then empty). */
int dns_msg_parse(const void *p, size_t len, struct dns_msg *m);
void dns_msg_free(struct dns_msg *m);
/* "MX", "TYPE99" */
const char *dns_typename(unsigned type, char *buf, size_t bufsz);
/* "yubin.test MX 10 mx1.yubin.test (ttl 300)" appended to out. */
int dns_rr_format(const struct dns_rr *rr, struct buf *out);

#endif
