/*
 * dns_test: unit tests of the pure parts of common/dns.c: server and
 * name splitting, sorting, the message parser and the trace format.
 * The lookups themselves are tested against NSD in tests/mxlookup.bats.
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "t.h"
#include "util.h"

static void
server(const char *in, const char *host, unsigned port)
{
	char h[64];
	unsigned p = 0;
	int r = dns_parse_server(in, h, sizeof h, &p);

	t_int(r, 0, in);
	if (r == 0) {
		t_str(h, strlen(h), host, in);
		t_int(p, port, in);
	}
}

static void
bad_server(const char *in)
{
	char h[64];
	unsigned p;

	t_int(dns_parse_server(in, h, sizeof h, &p), -1, in);
}

static void
domain(const char *in, const char *want, const char *why)
{
	char buf[256];
	const char *w, *d = dns_domain_of(in, buf, sizeof buf, &w);

	if (want != NULL)
		t_str(d, d ? strlen(d) : 0, want, in);
	else {
		t_ok(d == NULL, in);
		t_str(w, w ? strlen(w) : 0, why, in);
	}
}

static void
servers(void)
{
	server("127.0.0.1", "127.0.0.1", 53);
	server("127.0.0.1:10053", "127.0.0.1", 10053);
	server("[::1]:5353", "::1", 5353);
	server("[::1]", "::1", 53);
	server("::1", "::1", 53);			/* bare IPv6: no port */
	server("2001:db8::53", "2001:db8::53", 53);
	server("localhost:65535", "localhost", 65535);
	bad_server("");
	bad_server(":53");
	bad_server("127.0.0.1:");
	bad_server("127.0.0.1:0");
	bad_server("127.0.0.1:65536");
	bad_server("127.0.0.1:53x");
	bad_server("127.0.0.1:-1");
	bad_server("[::1");
	bad_server("[::1]53");
	bad_server("[]:53");
	bad_server("[::1]:");
	bad_server("a-very-long-host-name-that-does-not-fit-in-the-"
	    "caller-buffer.example");
}

static void
domains(void)
{
	domain("example.com", "example.com", NULL);
	domain("example.com.", "example.com", NULL);
	domain("alice@example.com", "example.com", NULL);
	domain("\"a@b\"@example.com", "example.com", NULL);
	domain("Example.COM", "Example.COM", NULL);
	domain("alice@", NULL, "empty domain");
	domain("", NULL, "empty domain");
	domain(".", NULL, "empty domain");
	domain("bob@[192.0.2.1]", NULL, "an address literal has no MX");
	domain("a..b", NULL, "empty label");
	domain(".a", NULL, "empty label");
	domain("a b.example", NULL, "space or control character in the name");
	domain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxx.example", NULL, "label longer than 63 bytes");
}

static struct dns_mx
mx(unsigned pref, const char *host)
{
	struct dns_mx m;

	memset(&m, 0, sizeof m);
	m.pref = pref;
	m.host = (char *)host;
	return m;
}

static void
sorting(void)
{
	struct dns_mx m[5];
	struct dns_srv s[4];
	char *a[5] = { "2001:db8::2", "192.0.2.10", "2001:db8::10",
	    "192.0.2.9", "10.0.0.1" };
	int i, seen_first_c = 0, seen_first_a = 0, groups_ok = 1;

	m[0] = mx(20, "c.example");
	m[1] = mx(10, "b.example");
	m[2] = mx(20, "a.example");
	m[3] = mx(5, "z.example");
	m[4] = mx(10, "A2.example");
	dns_mx_sort(m, 5, 0);
	t_str(m[0].host, strlen(m[0].host), "z.example", "sort: lowest first");
	t_str(m[1].host, strlen(m[1].host), "A2.example",
	    "sort: equal preference by name, case-insensitive");
	t_str(m[2].host, strlen(m[2].host), "b.example", "sort: then b");
	t_str(m[3].host, strlen(m[3].host), "a.example", "sort: 20 a");
	t_str(m[4].host, strlen(m[4].host), "c.example", "sort: 20 c");

	/* shuffle: preferences stay in order, ties come out both ways */
	for (i = 0; i < 200; i++) {
		dns_mx_sort(m, 5, 1);
		if (m[0].pref != 5 || m[1].pref != 10 || m[2].pref != 10 ||
		    m[3].pref != 20 || m[4].pref != 20)
			groups_ok = 0;
		seen_first_c += strcmp(m[3].host, "c.example") == 0;
		seen_first_a += strcmp(m[3].host, "a.example") == 0;
	}
	t_ok(groups_ok, "shuffle: preference order kept");
	t_ok(seen_first_a > 20 && seen_first_c > 20,
	    "shuffle: each of two equal MXs comes first sometimes");

	memset(s, 0, sizeof s);
	s[0].prio = 10; s[0].weight = 5; s[0].host = "b";
	s[1].prio = 0; s[1].weight = 1; s[1].host = "c";
	s[2].prio = 10; s[2].weight = 60; s[2].host = "a";
	s[3].prio = 0; s[3].weight = 1; s[3].host = "b";
	dns_srv_sort(s, 4);
	t_str(s[0].host, 1, "b", "srv: priority 0, same weight, by name");
	t_str(s[1].host, 1, "c", "srv: then c");
	t_str(s[2].host, 1, "a", "srv: priority 10, heaviest first");
	t_str(s[3].host, 1, "b", "srv: then the lighter");

	dns_addr_sort(a, 5);
	t_str(a[0], strlen(a[0]), "10.0.0.1", "addr: IPv4 first, numeric");
	t_str(a[1], strlen(a[1]), "192.0.2.9", "addr: .9 before .10");
	t_str(a[2], strlen(a[2]), "192.0.2.10", "addr: .10");
	t_str(a[3], strlen(a[3]), "2001:db8::2", "addr: then IPv6, ::2");
	t_str(a[4], strlen(a[4]), "2001:db8::10", "addr: ::10");
}

/* A repeated record is kept once, whatever the letter case; the copies
 * dropped are all behind the count, none lost (the caller frees them). */
static void
duplicates(void)
{
	struct dns_mx m[6];
	struct dns_srv s[3];
	char *a[4] = { "192.0.2.1", "2001:db8::1", "192.0.2.1", "2001:db8::1" };
	size_t n, i, p10, p20;

	m[0] = mx(10, "mx1.example");
	m[1] = mx(20, "mx2.example");
	m[2] = mx(10, "MX1.example");
	m[3] = mx(10, "mx1.example");
	m[4] = mx(30, "mx1.example");
	m[5] = mx(20, "mx2.example");
	dns_mx_sort(m, 6, 0);
	n = dns_mx_uniq(m, 6);
	t_int((long long)n, 3, "mx uniq: three distinct (pref, host)");
	t_str(m[0].host, strlen(m[0].host), "MX1.example",
	    "mx uniq: the same copy kept whatever the sort (byte order)");
	t_int(m[1].pref, 20, "mx uniq: then 20");
	t_int(m[2].pref, 30, "mx uniq: the same host at another preference "
	    "stays");
	for (i = 0, p10 = p20 = 0; i < 6; i++) {
		p10 += m[i].pref == 10;
		p20 += m[i].pref == 20;
	}
	t_ok(p10 == 3 && p20 == 2, "mx uniq: the copies are kept behind");
	t_int((long long)dns_mx_uniq(m, 0), 0, "mx uniq: empty");

	memset(s, 0, sizeof s);
	s[0].prio = 0; s[0].weight = 1; s[0].port = 587; s[0].host = "a";
	s[1].prio = 0; s[1].weight = 1; s[1].port = 587; s[1].host = "A";
	s[2].prio = 0; s[2].weight = 1; s[2].port = 465; s[2].host = "a";
	dns_srv_sort(s, 3);
	t_int((long long)dns_srv_uniq(s, 3), 2,
	    "srv uniq: another port is another record");

	dns_addr_sort(a, 4);
	t_int((long long)dns_addr_uniq(a, 4), 2, "addr uniq: one of each");
	t_str(a[1], strlen(a[1]), "2001:db8::1", "addr uniq: IPv6 second");
}

/* An answer for yubin.test MX: two MXs, one with a compressed name,
 * a null MX is tested apart; an A in the additional section. */
static const unsigned char answer[] = {
	0x12, 0x34, 0x85, 0x00, 0, 1, 0, 2, 0, 0, 0, 1,
	/* 12: question yubin.test MX IN */
	5, 'y', 'u', 'b', 'i', 'n', 4, 't', 'e', 's', 't', 0, 0, 15, 0, 1,
	/* 28: answer 1: ptr to 12, MX, IN, ttl 300, rdlen 8: 10 mx1.<12> */
	0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 44, 0, 8,
	0, 10, 3, 'm', 'x', '1', 0xc0, 12,
	/* 48: answer 2: 20 "a.b\.c" + root: escapes in a label */
	0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 10,
	0, 20, 1, 'a', 3, 'b', '.', 'c', 0xc0, 12,
	/* additional: mx1.yubin.test A 127.0.0.1: ptr to 42 */
	0xc0, 42, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 127, 0, 0, 1,
};

static void
parse(void)
{
	struct dns_msg m;
	struct buf b;
	unsigned char p[sizeof answer];
	size_t i;
	int fails = 0;

	t_int(dns_msg_parse(answer, sizeof answer, &m), 0, "parse: ok");
	t_int(m.id, 0x1234, "parse: id");
	t_int(m.aa, 1, "parse: AA");
	t_int(m.tc, 0, "parse: TC");
	t_int(m.rcode, 0, "parse: rcode");
	t_str(m.qname, strlen(m.qname), "yubin.test", "parse: qname");
	t_int(m.qtype, DNS_T_MX, "parse: qtype");
	t_int((long long)m.nrr, 3, "parse: 3 records");
	buf_init(&b, 4096);
	for (i = 0; i < m.nrr; i++) {
		dns_rr_format(&m.rr[i], &b);
		buf_addc(&b, '\n');
	}
	t_str(b.p, b.len,
	    "yubin.test MX 10 mx1.yubin.test (ttl 300)\n"
	    "yubin.test MX 20 a.b\\.c.yubin.test (ttl 60)\n"
	    "mx1.yubin.test A 127.0.0.1 (ttl 300)\n", "parse: format");
	t_int(m.rr[2].section, DNS_AR, "parse: additional section");
	dns_msg_free(&m);

	/* every truncation of the answer is refused, never overread */
	for (i = 0; i < sizeof answer; i++)
		if (dns_msg_parse(answer, i, &m) == 0) {
			fails++;
			dns_msg_free(&m);
		}
	t_int(fails, 0, "parse: every cut answer refused");

	/* a compression loop: answer 1's owner points at itself */
	memcpy(p, answer, sizeof p);
	p[29] = 28;
	t_int(dns_msg_parse(p, sizeof p, &m), -1, "parse: pointer loop");
	/* an rdlength past the end */
	memcpy(p, answer, sizeof p);
	p[39] = 200;
	t_int(dns_msg_parse(p, sizeof p, &m), -1, "parse: rdlength too long");
	/* the MX name shorter than its rdlength says */
	memcpy(p, answer, sizeof p);
	p[39] = 9;
	t_int(dns_msg_parse(p, sizeof p, &m), -1, "parse: rdata not used up");
	/* a count of records that cannot fit */
	memcpy(p, answer, sizeof p);
	p[6] = 0xff;
	t_int(dns_msg_parse(p, sizeof p, &m), -1, "parse: absurd count");
	buf_free(&b);
}

static void
parse_more(void)
{
	/* null MX, TXT with two strings and a quote, AAAA, SRV ".",
	 * TC and NXDOMAIN in the header */
	static const unsigned char msg[] = {
		0, 1, 0x83, 0x03, 0, 0, 0, 4, 0, 0, 0, 0,
		1, 'n', 0, 0, 15, 0, 1, 0, 0, 0, 5, 0, 3, 0, 0, 0,
		1, 't', 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 9,
		    3, 'a', '"', 'b', 4, 'c', 'd', 0x01, 'e',
		1, 'v', 0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16,
		    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 's', 0, 0, 33, 0, 1, 0, 0, 0, 5, 0, 7,
		    0, 0, 0, 0, 0, 0, 0,
	};
	struct dns_msg m;
	struct buf b;
	size_t i;

	t_int(dns_msg_parse(msg, sizeof msg, &m), 0, "parse2: ok");
	t_int(m.tc, 1, "parse2: TC");
	t_int(m.rcode, 3, "parse2: NXDOMAIN");
	t_ok(m.qname == NULL, "parse2: no question");
	t_str(m.rr[0].data, m.rr[0].datalen, "", "parse2: null MX is \"\"");
	t_str(m.rr[1].data, m.rr[1].datalen, "a\"bcd\001e",
	    "parse2: TXT strings joined");
	t_str(m.rr[3].data, m.rr[3].datalen, "", "parse2: SRV target .");
	buf_init(&b, 4096);
	for (i = 0; i < m.nrr; i++) {
		dns_rr_format(&m.rr[i], &b);
		buf_addc(&b, '\n');
	}
	t_str(b.p, b.len,
	    "n MX 0 . (ttl 5)\n"
	    "t TXT \"a\\\"b\" \"cd\\001e\" (ttl 5)\n"
	    "v AAAA 2001:db8::1 (ttl 5)\n"
	    "s SRV 0 0 0 . (ttl 5)\n", "parse2: format");
	buf_free(&b);
	dns_msg_free(&m);
}

/* TXT with one empty string (a zone's TXT "") and TXT with no string
 * at all (rdlength 0, malformed): both used to leave data NULL, which
 * --txt copied from and the trace printed (found by fuzz_dns). */
static void
parse_empty_txt(void)
{
	static const unsigned char msg[] = {
		0, 2, 0x84, 0x00, 0, 0, 0, 2, 0, 0, 0, 0,
		1, 'e', 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 1, 0,
		1, 'z', 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 0,
	};
	struct dns_msg m;
	struct buf b;
	size_t i;

	t_int(dns_msg_parse(msg, sizeof msg, &m), 0, "empty TXT: parsed");
	t_int((long long)m.nrr, 2, "empty TXT: 2 records");
	for (i = 0; i < m.nrr && i < 2; i++) {
		t_ok(m.rr[i].data != NULL, "empty TXT: data is not NULL");
		t_str(m.rr[i].data, m.rr[i].datalen, "", "empty TXT: data \"\"");
	}
	buf_init(&b, 4096);
	for (i = 0; i < m.nrr; i++) {
		t_int(dns_rr_format(&m.rr[i], &b), 0, "empty TXT: formats");
		buf_addc(&b, '\n');
	}
	t_str(b.p, b.len, "e TXT \"\" (ttl 5)\nz TXT \"\" (ttl 5)\n",
	    "empty TXT: trace format");
	buf_free(&b);
	dns_msg_free(&m);
}

/* Which hosts an answer for a domain may give addresses for. */
static void
bailiwick(void)
{
	t_int(dns_in_bailiwick("mx1.yubin.test", "yubin.test"), 1,
	    "bailiwick: under");
	t_int(dns_in_bailiwick("a.b.yubin.test", "yubin.test"), 1,
	    "bailiwick: two labels under");
	t_int(dns_in_bailiwick("yubin.test", "yubin.test"), 1,
	    "bailiwick: the domain itself (implicit MX)");
	t_int(dns_in_bailiwick("MX1.Yubin.TEST", "yubin.test"), 1,
	    "bailiwick: case-insensitive");
	t_int(dns_in_bailiwick("mx1.yubin.test", "evil.test"), 0,
	    "bailiwick: another zone");
	t_int(dns_in_bailiwick("mx1.yubin.test", "b0001.yubin.test"), 0,
	    "bailiwick: a sibling");
	t_int(dns_in_bailiwick("mx.notyubin.test", "yubin.test"), 0,
	    "bailiwick: a suffix that is not a whole label");
	t_int(dns_in_bailiwick("test", "yubin.test"), 0,
	    "bailiwick: the parent");
	t_int(dns_in_bailiwick("mx.test", ""), 1, "bailiwick: the root");
}

int
main(void)
{
	char t[16];

	servers();
	domains();
	sorting();
	duplicates();
	parse();
	parse_more();
	parse_empty_txt();
	bailiwick();
	t_str(dns_typename(DNS_T_AAAA, t, sizeof t), 4, "AAAA", "typename");
	t_str(dns_typename(65, t, sizeof t), 6, "TYPE65", "typename: unknown");
	t_str(dns_strstatus(DNS_NXDOMAIN), strlen(dns_strstatus(DNS_NXDOMAIN)),
	    "no such domain (NXDOMAIN)", "strstatus");
	return t_done();
}
