/*
 * fuzz_dns: the DNS message parser (dns_msg_parse) on arbitrary bytes,
 * then what mxlookup does with a parsed answer (the trace format, the
 * MX, SRV and address sorts), and the pure name helpers
 * (dns_parse_server, dns_domain_of) on the input as a string.
 *
 * Contracts checked besides crashes, leaks and undefined behaviour:
 *   - a refused message leaves m empty; a parsed one has sections
 *     1 to 3, presented names under 1024 bytes with no NUL, NUL-free
 *     targets whose datalen is their length, A and AAAA data that
 *     inet_pton() reads back, TXT data no longer than its rdata and a
 *     quoted form;
 *   - parsing is deterministic (the same input twice, the same records);
 *   - every record formats for the trace;
 *   - the sorts order as dns.h says (preference, then name; priority,
 *     then heaviest weight; IPv4 before IPv6);
 *   - dns_parse_server and dns_domain_of never write past the caller's
 *     buffer, and what they accept obeys their contract.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void
check_rr(const struct dns_rr *rr)
{
	unsigned char bin[16];

	CHECK(rr->section >= DNS_AN && rr->section <= DNS_AR);
	CHECK(rr->name != NULL && strlen(rr->name) < 1024);
	CHECK(rr->type <= 0xffff && rr->cls <= 0xffff);
	CHECK(rr->ttl <= 0xffffffffUL);
	switch (rr->type) {
	case DNS_T_A:
		CHECK(rr->data != NULL && inet_pton(AF_INET, rr->data, bin) == 1);
		break;
	case DNS_T_AAAA:
		CHECK(rr->data != NULL &&
		    inet_pton(AF_INET6, rr->data, bin) == 1);
		break;
	case DNS_T_MX: case DNS_T_SRV: case DNS_T_CNAME: case DNS_T_NS:
	case DNS_T_PTR:
		CHECK(rr->data != NULL && strlen(rr->data) == rr->datalen &&
		    rr->datalen < 1024);
		break;
	case DNS_T_TXT:
		/* the joined strings lose one length byte each */
		CHECK(rr->data != NULL && rr->txtq != NULL &&
		    rr->datalen < 65536 && rr->data[rr->datalen] == '\0');
		break;
	default:
		CHECK(rr->data == NULL && rr->txtq == NULL);
	}
}

static int
same_msg(const struct dns_msg *a, const struct dns_msg *b)
{
	size_t i;

	if (a->id != b->id || a->rcode != b->rcode || a->tc != b->tc ||
	    a->aa != b->aa || a->qtype != b->qtype || a->nrr != b->nrr ||
	    (a->qname == NULL) != (b->qname == NULL) ||
	    (a->qname && strcmp(a->qname, b->qname) != 0))
		return 0;
	for (i = 0; i < a->nrr; i++) {
		const struct dns_rr *x = &a->rr[i], *y = &b->rr[i];

		if (x->section != y->section || x->type != y->type ||
		    x->ttl != y->ttl || x->pref != y->pref ||
		    x->weight != y->weight || x->port != y->port ||
		    strcmp(x->name, y->name) != 0 ||
		    x->datalen != y->datalen ||
		    (x->data == NULL) != (y->data == NULL) ||
		    (x->data && memcmp(x->data, y->data, x->datalen) != 0))
			return 0;
	}
	return 1;
}

/* The MX and SRV records and the addresses, sorted as mxlookup does. */
static void
sorts(const struct dns_msg *m)
{
	struct dns_mx *mx = calloc(m->nrr + 1, sizeof *mx);
	struct dns_srv *srv = calloc(m->nrr + 1, sizeof *srv);
	char **addr = calloc(m->nrr + 1, sizeof *addr);
	size_t i, k, nmx = 0, nsrv = 0, na = 0;
	unsigned long sum, mxsum = 0;
	int shuffle;

	CHECK(mx != NULL && srv != NULL && addr != NULL);
	for (i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];

		if (rr->type == DNS_T_MX) {
			mx[nmx].pref = rr->pref;
			mxsum += rr->pref;
			mx[nmx++].host = rr->data;
		} else if (rr->type == DNS_T_SRV) {
			srv[nsrv].prio = rr->pref;
			srv[nsrv].weight = rr->weight;
			srv[nsrv].port = rr->port;
			srv[nsrv++].host = rr->data;
		} else if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA)
			addr[na++] = rr->data;
	}
	for (shuffle = 0; shuffle < 2; shuffle++) {
		dns_mx_sort(mx, nmx, shuffle);
		for (i = 1; i < nmx; i++)
			CHECK(mx[i - 1].pref < mx[i].pref ||
			    (mx[i - 1].pref == mx[i].pref && (shuffle ||
			    strcasecmp(mx[i - 1].host, mx[i].host) <= 0)));
	}
	/* each (pref, host) once after uniq; the copies kept behind */
	dns_mx_sort(mx, nmx, 0);
	k = dns_mx_uniq(mx, nmx);
	for (i = 0, sum = 0; i < nmx; i++)
		sum += mx[i].pref;
	CHECK(k <= nmx && sum == mxsum);
	for (i = 1; i < k; i++)
		CHECK(mx[i - 1].pref != mx[i].pref ||
		    strcasecmp(mx[i - 1].host, mx[i].host) < 0);
	dns_srv_sort(srv, nsrv);
	for (i = 1; i < nsrv; i++)
		CHECK(srv[i - 1].prio < srv[i].prio ||
		    (srv[i - 1].prio == srv[i].prio &&
		    srv[i - 1].weight >= srv[i].weight));
	dns_addr_sort(addr, na);
	for (i = 1; i < na; i++)
		CHECK(!(strchr(addr[i - 1], ':') != NULL &&
		    strchr(addr[i], ':') == NULL));
	k = dns_addr_uniq(addr, na);
	for (i = 1; i < k; i++)
		CHECK(strcmp(addr[i - 1], addr[i]) != 0);
	k = dns_srv_uniq(srv, nsrv);
	for (i = 1; i < k; i++)
		CHECK(srv[i - 1].prio != srv[i].prio ||
		    srv[i - 1].weight != srv[i].weight ||
		    srv[i - 1].port != srv[i].port ||
		    strcasecmp(srv[i - 1].host, srv[i].host) != 0);
	free(mx);
	free(srv);
	free(addr);
}

static void
message(const uint8_t *data, size_t size)
{
	struct dns_msg m, again;
	struct buf b;
	size_t i;

	if (dns_msg_parse(data, size, &m) < 0) {
		CHECK(m.nrr == 0 && m.rr == NULL && m.qname == NULL);
		CHECK(dns_msg_parse(data, size, &again) < 0);
		return;
	}
	CHECK(size >= 12 && m.id <= 0xffff && m.rcode <= 15);
	CHECK(m.qname == NULL || strlen(m.qname) < 1024);
	CHECK(dns_msg_parse(data, size, &again) == 0 && same_msg(&m, &again));
	dns_msg_free(&again);
	buf_init(&b, 1 << 20);
	for (i = 0; i < m.nrr; i++) {
		check_rr(&m.rr[i]);
		buf_reset(&b);
		CHECK(dns_rr_format(&m.rr[i], &b) == 0);
		CHECK(b.len > 0 && strlen(b.p) == b.len);
	}
	buf_free(&b);
	sorts(&m);
	dns_msg_free(&m);
	CHECK(m.nrr == 0 && m.rr == NULL && m.qname == NULL);
}

static void
names(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[64], dom[256], t[16];
	const char *why, *d, *l;
	unsigned port = 0;
	size_t n;

	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	/* small buffers, so that "does not fit" is reached too */
	if (dns_parse_server(s, host, sizeof host, &port) == 0) {
		n = strlen(host);
		CHECK(n > 0 && n < sizeof host && port >= 1 && port <= 65535);
		CHECK(strstr(s, host) != NULL);
	}
	if ((d = dns_domain_of(s, dom, sizeof dom, &why)) != NULL) {
		CHECK(d == dom && why == NULL);
		n = strlen(d);
		CHECK(n > 0 && n <= 253);
		for (l = d; *l; l++)
			CHECK((unsigned char)*l > ' ' && *l != 0x7f);
		for (l = d; ; l++) {
			const char *dot = strchr(l, '.');

			n = dot ? (size_t)(dot - l) : strlen(l);
			CHECK(n > 0 && n <= 63);
			if (dot == NULL)
				break;
			l = dot;
		}
	} else
		CHECK(why != NULL && *why != '\0');
	if (size >= 2) {
		const char *tn = dns_typename((unsigned)data[0] << 8 | data[1],
		    t, sizeof t);

		CHECK(tn != NULL && *tn != '\0' && strlen(tn) < sizeof t);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	message(data, size);
	names(data, size);
	return 0;
}
