/*
 * dns: lookups on c-ares (see dns.h for the contract).
 *
 * Layers, bottom up:
 *   - the message parser and the pure helpers (no I/O);
 *   - queries: one packet out, one parsed answer back to a callback,
 *     with the TCP retry of truncated answers and the trace;
 *   - the host cache: A/AAAA of MX and SRV hosts, each asked once, with
 *     every lookup waiting on an entry in its list of waiters;
 *   - jobs: an MX, SRV, TXT or address lookup, which may need several
 *     queries (the implicit MX, the hosts' addresses) before it ends.
 */
#include <sys/select.h>	/* fd_set, which ares.h uses but does not include */

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "util.h"

#define NAME_MAX_P	1024	/* a presented name: 255 bytes, escaped */
#define CACHE_MAX	20000	/* host entries kept before a sweep */
#define CACHE_BUCKETS	4096
#define CNAME_HOPS	8	/* CNAMEs followed inside one answer */
/*
 * Room one UDP answer takes in a socket's receive buffer: c-ares 1.18
 * sends no EDNS, so an answer is at most 512 bytes, which Linux charges
 * about 1283 bytes (measured on loopback: a buffer of the default
 * net.core.rmem_max, 425 984 bytes once the kernel doubles it, holds
 * 332 datagrams of 512 bytes, or 512 of 140 bytes).
 */
#define ANSWER_ROOM	1280
#define WINDOW_MIN	8	/* the window never shrinks below this */
#define UDP_CUT		512	/* what c-ares 1.18 hands on of a UDP answer */

/* ================================================================ */
/* random numbers: the shuffle of equal preferences, query ids       */

static unsigned long long rnd_state;

static unsigned
rnd(void)
{
	int fd;

	if (rnd_state == 0) {
		fd = open("/dev/urandom", O_RDONLY);
		if (fd < 0 || read(fd, &rnd_state, sizeof rnd_state) !=
		    (ssize_t)sizeof rnd_state)
			rnd_state = (unsigned long long)time(NULL) ^
			    ((unsigned long long)getpid() << 32);
		if (fd >= 0)
			close(fd);
		rnd_state |= 1;
	}
	/* xorshift64*: query ids need not be secret from a local attacker
	 * more than c-ares's own; the shuffle needs no more either */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (unsigned)((rnd_state * 2685821657736338717ULL) >> 32);
}

/* ================================================================ */
/* the message parser                                                */

struct rd {
	const unsigned char *p;
	size_t len, off;
};

static int
get16(struct rd *r, unsigned *v)
{
	if (r->len - r->off < 2)
		return -1;
	*v = (unsigned)r->p[r->off] << 8 | r->p[r->off + 1];
	r->off += 2;
	return 0;
}

static int
get32(struct rd *r, unsigned long *v)
{
	unsigned hi, lo;

	if (get16(r, &hi) < 0 || get16(r, &lo) < 0)
		return -1;
	*v = (unsigned long)hi << 16 | lo;
	return 0;
}

/* Append one label, escaped as in zone files (RFC 1035 5.1). */
static int
put_label(struct buf *b, const unsigned char *l, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		if (l[i] <= 0x20 || l[i] >= 0x7f)
			r = buf_printf(b, "\\%03u", l[i]);
		else if (strchr(".\\\"();@$", l[i]) != NULL)
			r = buf_printf(b, "\\%c", l[i]);
		else
			r = buf_addc(b, l[i]);
	}
	return r;
}

/* A possibly compressed name at r->off; r->off moves past it. */
static char *
get_name(struct rd *r)
{
	struct buf b;
	size_t off = r->off, wire = 0;
	int jumps = 0, moved = 0;
	unsigned c;

	buf_init(&b, NAME_MAX_P);
	for (;;) {
		if (off >= r->len)
			goto bad;
		c = r->p[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= r->len || ++jumps > 64)
				goto bad;
			if (!moved)
				r->off = off + 2;
			moved = 1;
			off = (c & 0x3f) << 8 | r->p[off + 1];
			continue;
		}
		if ((c & 0xc0) != 0)
			goto bad;	/* 0x40, 0x80: unknown label types */
		if (c == 0)
			break;
		wire += c + 1;
		if (wire > 254 || off + 1 + c > r->len)
			goto bad;
		if ((b.len > 0 && buf_addc(&b, '.') < 0) ||
		    put_label(&b, r->p + off + 1, c) < 0)
			goto bad;
		off += 1 + c;
	}
	if (!moved)
		r->off = off + 1;
	if (b.p == NULL)		/* the root */
		return xstrdup("");
	return b.p;
bad:
	buf_free(&b);
	return NULL;
}

/* TXT rdata: the joined strings and their quoted form. */
static int
get_txt(const unsigned char *p, size_t n, struct dns_rr *rr)
{
	struct buf j, q;
	size_t i = 0, k;

	buf_init(&j, 65536);
	buf_init(&q, 4 * 65536);
	while (i < n) {
		k = p[i++];
		if (k > n - i)
			goto bad;
		buf_add(&j, p + i, k);
		if (q.len > 0)
			buf_addc(&q, ' ');
		buf_addc(&q, '"');
		for (; k > 0; k--, i++) {
			if (p[i] < 0x20 || p[i] >= 0x7f)
				buf_printf(&q, "\\%03u", p[i]);
			else if (p[i] == '"' || p[i] == '\\')
				buf_printf(&q, "\\%c", p[i]);
			else
				buf_addc(&q, p[i]);
		}
		buf_addc(&q, '"');
	}
	/* RFC 1035 3.3.14 wants one string at least, but an empty rdata
	 * is read as one empty string rather than left NULL for the
	 * callers (the trace, --txt) to trip on */
	if (n == 0)
		buf_adds(&q, "\"\"");
	rr->data = j.p != NULL ? j.p : xstrdup("");
	rr->datalen = j.len;
	rr->txtq = q.p;
	return 0;
bad:
	buf_free(&j);
	buf_free(&q);
	return -1;
}

/* The typed part of one record's rdata (r at its start, n bytes). */
static int
get_rdata(struct rd *r, size_t n, struct dns_rr *rr)
{
	struct rd s = { r->p, r->off + n, r->off };
	char a[INET6_ADDRSTRLEN];

	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (n != (rr->type == DNS_T_A ? 4u : 16u))
			return -1;
		inet_ntop(rr->type == DNS_T_A ? AF_INET : AF_INET6,
		    r->p + r->off, a, sizeof a);
		rr->data = xstrdup(a);
		break;
	case DNS_T_MX:
		if (get16(&s, &rr->pref) < 0)
			return -1;
		/* FALLTHROUGH */
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_PTR:
		if ((rr->data = get_name(&s)) == NULL || s.off != s.len)
			return -1;
		break;
	case DNS_T_SRV:
		if (get16(&s, &rr->pref) < 0 || get16(&s, &rr->weight) < 0 ||
		    get16(&s, &rr->port) < 0 ||
		    (rr->data = get_name(&s)) == NULL || s.off != s.len)
			return -1;
		break;
	case DNS_T_TXT:
		if (get_txt(r->p + r->off, n, rr) < 0)
			return -1;
		break;
	default:
		return 0;
	}
	if (rr->data != NULL && rr->type != DNS_T_TXT)
		rr->datalen = strlen(rr->data);
	return 0;
}

static void
rr_free(struct dns_rr *rr)
{
	free(rr->name);
	free(rr->data);
	free(rr->txtq);
}

static int
get_rr(struct rd *r, int section, struct dns_rr *rr)
{
	unsigned n;

	memset(rr, 0, sizeof *rr);
	rr->section = section;
	if ((rr->name = get_name(r)) == NULL || get16(r, &rr->type) < 0 ||
	    get16(r, &rr->cls) < 0 || get32(r, &rr->ttl) < 0 ||
	    get16(r, &n) < 0 || n > r->len - r->off ||
	    get_rdata(r, n, rr) < 0) {
		rr_free(rr);
		return -1;
	}
	r->off += n;
	return 0;
}

int
dns_msg_parse(const void *p, size_t len, struct dns_msg *m)
{
	struct rd r = { p, len, 0 };
	unsigned flags, count[4], i, qt, qc;
	size_t k;
	int sec;

	memset(m, 0, sizeof *m);
	if (get16(&r, &m->id) < 0 || get16(&r, &flags) < 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (get16(&r, &count[i]) < 0)
			return -1;
	m->tc = (flags >> 9) & 1;
	m->aa = (flags >> 10) & 1;
	m->rcode = flags & 0xf;
	for (i = 0; i < count[0]; i++) {
		char *q = get_name(&r);

		if (q == NULL || get16(&r, &qt) < 0 || get16(&r, &qc) < 0) {
			free(q);
			goto bad;
		}
		if (i == 0) {
			m->qname = q;
			m->qtype = qt;
		} else
			free(q);
	}
	/* each record takes at least 11 bytes: no absurd allocation */
	k = (size_t)count[1] + count[2] + count[3];
	if (k > (len - r.off) / 11)
		goto bad;
	m->rr = xcalloc(k ? k : 1, sizeof *m->rr);
	for (sec = DNS_AN; sec <= DNS_AR; sec++)
		for (i = 0; i < count[sec]; i++) {
			if (get_rr(&r, sec, &m->rr[m->nrr]) < 0)
				goto bad;
			m->nrr++;
		}
	return 0;
bad:
	dns_msg_free(m);
	return -1;
}

void
dns_msg_free(struct dns_msg *m)
{
	size_t i;

	for (i = 0; i < m->nrr; i++)
		rr_free(&m->rr[i]);
	free(m->rr);
	free(m->qname);
	memset(m, 0, sizeof *m);
}

const char *
dns_typename(unsigned type, char *buf, size_t bufsz)
{
	static const struct { unsigned t; const char *s; } names[] = {
		{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
		{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" }, { DNS_T_MX, "MX" },
		{ DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
		{ DNS_T_SRV, "SRV" }, { 41, "OPT" }, { 46, "RRSIG" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].t == type)
			return names[i].s;
	snprintf(buf, bufsz, "TYPE%u", type);
	return buf;
}

static const char *
dotted(const char *name)
{
	return *name ? name : ".";
}

int
dns_rr_format(const struct dns_rr *rr, struct buf *out)
{
	char t[16];
	int r;

	r = buf_printf(out, "%s %s ", dotted(rr->name),
	    dns_typename(rr->type, t, sizeof t));
	if (r < 0)
		return -1;
	switch (rr->type) {
	case DNS_T_MX:
		r = buf_printf(out, "%u %s", rr->pref, dotted(rr->data));
		break;
	case DNS_T_SRV:
		r = buf_printf(out, "%u %u %u %s", rr->pref, rr->weight,
		    rr->port, dotted(rr->data));
		break;
	case DNS_T_TXT:
		r = buf_adds(out, rr->txtq);
		break;
	case DNS_T_A: case DNS_T_AAAA:
	case DNS_T_CNAME: case DNS_T_NS: case DNS_T_PTR:
		r = buf_adds(out, dotted(rr->data));
		break;
	default:
		r = buf_adds(out, "...");
	}
	return r < 0 ? -1 : buf_printf(out, " (ttl %lu)", rr->ttl);
}

/* ================================================================ */
/* pure helpers                                                      */

static int
parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
dns_parse_server(const char *s, char *host, size_t hostsz, unsigned *port)
{
	const char *h = s, *e, *c;
	size_t n;

	*port = 53;
	if (*s == '[') {
		h = s + 1;
		if ((e = strchr(h, ']')) == NULL)
			return -1;
		if (e[1] == ':') {
			if (parse_port(e + 2, port) < 0)
				return -1;
		} else if (e[1] != '\0')
			return -1;
	} else if ((c = strchr(s, ':')) != NULL && strchr(c + 1, ':') == NULL) {
		e = c;			/* HOST:PORT */
		if (parse_port(c + 1, port) < 0)
			return -1;
	} else
		e = s + strlen(s);	/* HOST, or a bare IPv6 address */
	n = (size_t)(e - h);
	if (n == 0 || n >= hostsz)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
}

const char *
dns_domain_of(const char *arg, char *buf, size_t bufsz, const char **why)
{
	const char *d = strrchr(arg, '@'), *l;
	size_t n;

	d = d ? d + 1 : arg;
	n = strlen(d);
	if (n > 0 && d[n - 1] == '.' && !(n > 1 && d[n - 2] == '\\'))
		n--;
	*why = NULL;
	if (n == 0)
		*why = "empty domain";
	else if (*d == '[')
		*why = "an address literal has no MX";
	else if (n > 253 || n >= bufsz)
		*why = "domain name too long";
	if (*why)
		return NULL;
	memcpy(buf, d, n);
	buf[n] = '\0';
	for (l = buf; ; ) {
		const char *dot = strchr(l, '.');
		size_t ln = dot ? (size_t)(dot - l) : strlen(l);

		if (ln == 0 || ln > 63) {
			*why = ln ? "label longer than 63 bytes" : "empty label";
			return NULL;
		}
		if (dot == NULL)
			break;
		l = dot + 1;
	}
	for (l = buf; *l; l++)
		if ((unsigned char)*l <= ' ' || *l == 0x7f) {
			*why = "space or control character in the name";
			return NULL;
		}
	return buf;
}

static int
mx_cmp(const void *a, const void *b)
{
	const struct dns_mx *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcasecmp(x->host, y->host);
}

/* Copies that differ in letter case only come out in one order, so that
 * dns_mx_uniq() keeps the same one whatever qsort() does. */
static int
mx_order(const void *a, const void *b)
{
	const struct dns_mx *x = a, *y = b;
	int r = mx_cmp(a, b);

	return r != 0 ? r : strcmp(x->host, y->host);
}

void
dns_mx_sort(struct dns_mx *mx, size_t n, int shuffle)
{
	size_t i, j, k;
	struct dns_mx t;

	if (n > 1)
		qsort(mx, n, sizeof *mx, mx_order);
	if (!shuffle)
		return;
	/* Fisher-Yates within each run of equal preference (RFC 5321 5.1:
	 * spread the load over equal MXs) */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && mx[j].pref == mx[i].pref; j++)
			;
		for (k = j - 1; k > i; k--) {
			size_t r = i + rnd() % (k - i + 1);

			t = mx[k];
			mx[k] = mx[r];
			mx[r] = t;
		}
	}
}

static int
srv_cmp(const void *a, const void *b)
{
	const struct dns_srv *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (strcasecmp(x->host, y->host) != 0)
		return strcasecmp(x->host, y->host);
	return x->port < y->port ? -1 : x->port > y->port;
}

static int
srv_order(const void *a, const void *b)
{
	const struct dns_srv *x = a, *y = b;
	int r = srv_cmp(a, b);

	return r != 0 ? r : strcmp(x->host, y->host);
}

void
dns_srv_sort(struct dns_srv *srv, size_t n)
{
	if (n > 1)
		qsort(srv, n, sizeof *srv, srv_order);
}

/*
 * Drop the copies of a record from a sorted array.  The swaps keep
 * [0, k) the records kept and [k, i] the copies dropped, so that nothing
 * is lost for the caller to free.
 */
static size_t
uniq(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	union { struct dns_mx mx; struct dns_srv srv; char *s; } t;
	char *a = base;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k > 0 && cmp(a + (k - 1) * size, a + i * size) == 0)
			continue;
		memcpy(&t, a + k * size, size);
		memmove(a + k * size, a + i * size, size);
		memcpy(a + i * size, &t, size);
		k++;
	}
	return k;
}

size_t
dns_mx_uniq(struct dns_mx *mx, size_t n)
{
	return uniq(mx, n, sizeof *mx, mx_cmp);
}

size_t
dns_srv_uniq(struct dns_srv *srv, size_t n)
{
	return uniq(srv, n, sizeof *srv, srv_cmp);
}

static int
addr_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	unsigned char bx[16], by[16];
	int fx = strchr(x, ':') != NULL, fy = strchr(y, ':') != NULL;

	if (fx != fy)
		return fx - fy;
	if (inet_pton(fx ? AF_INET6 : AF_INET, x, bx) != 1 ||
	    inet_pton(fy ? AF_INET6 : AF_INET, y, by) != 1)
		return strcmp(x, y);
	return memcmp(bx, by, fx ? 16 : 4);
}

void
dns_addr_sort(char **addr, size_t n)
{
	if (n > 1)
		qsort(addr, n, sizeof *addr, addr_cmp);
}

size_t
dns_addr_uniq(char **addr, size_t n)
{
	return uniq(addr, n, sizeof *addr, addr_cmp);
}

const char *
dns_strstatus(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return "ok";
	case DNS_NXDOMAIN: return "no such domain (NXDOMAIN)";
	case DNS_NODATA: return "no record of that type (NODATA)";
	case DNS_SERVFAIL: return "server failure (SERVFAIL)";
	case DNS_TIMEOUT: return "no answer from the DNS server (timed out)";
	case DNS_ERROR: break;
	}
	return "bad name or malformed answer";
}

int
dns_exit(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return 0;
	case DNS_NXDOMAIN: case DNS_NODATA: return EX_NOHOST;
	case DNS_SERVFAIL: case DNS_TIMEOUT: return EX_TEMPFAIL;
	case DNS_ERROR: break;
	}
	return EX_PROTOCOL;
}

/* ================================================================ */
/* the handle and its queries                                        */

struct entry;

struct dns {
	ares_channel udp, tcp;		/* tcp: made at the first TC=1 */
	/* the last UDP datagram read, whole (see sk_recvfrom) */
	unsigned char dgram[65536];
	size_t dgramlen;
	int have_tcp;
	struct ares_options ao;
	int mask;
	char csv[128];			/* "IP:PORT" for c-ares, or "" */
	struct dns_opts o;
	size_t inflight;
	size_t cwnd;			/* the window now, <= maxwnd */
	size_t maxwnd;			/* o.window, or what the socket holds */
	unsigned long sent;		/* queries sent, to number them */
	unsigned long recover;		/* losses of queries numbered below
					 * this are already answered for */
	struct entry *bucket[CACHE_BUCKETS];
	size_t nentry;
};

typedef void query_cb(void *arg, enum dns_status st, struct dns_msg *m);

struct query {
	struct dns *d;
	char *name;
	unsigned type;
	int tcp;
	unsigned long seq;		/* d->sent when it left */
	query_cb *cb;
	void *arg;
};

static void query_send(struct dns *d, const char *name, unsigned type,
    int tcp, query_cb *cb, void *arg);

static void
trace(struct dns *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(struct dns *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->o.trace)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * c-ares calls this for each socket it opens, after setting its receive
 * buffer.  c-ares 1.18 reads every answer through one UDP socket, and
 * answers that arrive while we are busy (sending the rest of the window,
 * or descheduled) wait in its buffer: more answers in flight than the
 * buffer holds are dropped by the kernel, each costing a timeout.  So
 * the window is capped at what the buffer holds: with Debian's default
 * net.core.rmem_max (208 KiB, doubled by the kernel) that is 332
 * queries; with 4 MiB, the 1000 of DNS_WINDOW.
 */
static int
sock_opened(ares_socket_t s, int type, void *arg)
{
	struct dns *d = arg;
	int v = 0;
	socklen_t l = sizeof v;
	size_t fit;

	if (type != SOCK_DGRAM ||
	    getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l) < 0 || v <= 0)
		return 0;
	fit = (size_t)v / ANSWER_ROOM;
	if (fit < WINDOW_MIN)
		fit = WINDOW_MIN;
	/* no trace line: it would differ from one machine to the next */
	if (fit < d->maxwnd)
		d->maxwnd = fit;
	if (d->cwnd > d->maxwnd)
		d->cwnd = d->maxwnd;
	return 0;
}

/*
 * The sockets are ours, for one reason: c-ares 1.18 reads a UDP answer
 * of up to 4097 bytes but, sending no EDNS, hands on only its first 512
 * (process_answer), even without the TC bit, where dig takes the answer
 * whole.  So each datagram is read here into d->dgram, whole, and
 * query_done() takes that copy instead of the cut one.  c-ares sets no
 * option on sockets it did not make: non-blocking, close-on-exec and the
 * receive buffer are set here.
 */
static ares_socket_t
sk_socket(int af, int type, int proto, void *arg)
{
	struct dns *d = arg;
	int s = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto), v;

	if (s < 0)
		return ARES_SOCKET_BAD;
	v = d->ao.socket_receive_buffer_size;
	if (type == SOCK_DGRAM)
		(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	v = 1;
	if (type == SOCK_STREAM)
		(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
	return s;
}

static int
sk_close(ares_socket_t s, void *arg)
{
	(void)arg;
	return close(s);
}

static int
sk_connect(ares_socket_t s, const struct sockaddr *sa, ares_socklen_t len,
    void *arg)
{
	(void)arg;
	return connect(s, sa, len);
}

/* c-ares processes each datagram before it reads the next one, so one
 * copy is enough; TCP reads come without an address. */
static ares_ssize_t
sk_recvfrom(ares_socket_t s, void *p, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	struct dns *d = arg;
	ssize_t n;

	if (from == NULL)
		return recv(s, p, len, flags);
	d->dgramlen = 0;
	n = recvfrom(s, d->dgram, sizeof d->dgram, flags, from, fromlen);
	if (n <= 0)
		return n;
	d->dgramlen = (size_t)n;
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(p, d->dgram, (size_t)n);
	return n;
}

static ares_ssize_t
sk_sendv(ares_socket_t s, const struct iovec *iov, int n, void *arg)
{
	(void)arg;
	return writev(s, iov, n);
}

static const struct ares_socket_functions sk_funcs = {
	sk_socket, sk_close, sk_connect, sk_recvfrom, sk_sendv
};

static int
channel(struct dns *d, ares_channel *ch, int tcp)
{
	struct ares_options ao = d->ao;
	int r;

	if (tcp)
		ao.flags |= ARES_FLAG_USEVC;
	r = ares_init_options(ch, &ao, d->mask);
	if (r == ARES_SUCCESS) {
		ares_set_socket_functions(*ch, &sk_funcs, d);
		ares_set_socket_callback(*ch, sock_opened, d);
	}
	if (r == ARES_SUCCESS && d->csv[0] != '\0')
		if ((r = ares_set_servers_ports_csv(*ch, d->csv)) != ARES_SUCCESS)
			ares_destroy(*ch);
	if (r != ARES_SUCCESS)
		warn("DNS: %s", ares_strerror(r));
	return r == ARES_SUCCESS ? 0 : -1;
}

/* -s HOST[:PORT] into d->csv; a host name is resolved here, once. */
static int
set_server(struct dns *d, const char *s)
{
	char host[256], a[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	unsigned port;
	struct addrinfo hints, *ai;
	int v6, r;

	if (dns_parse_server(s, host, sizeof host, &port) < 0) {
		warn("%s: not HOST[:PORT] or [IPV6]:PORT", s);
		return -1;
	}
	if (inet_pton(AF_INET, host, bin) == 1)
		v6 = 0;
	else if (inet_pton(AF_INET6, host, bin) == 1)
		v6 = 1;
	else {
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_DGRAM;
		if ((r = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
			warn("DNS server %s: %s", host, gai_strerror(r));
			return -1;
		}
		v6 = ai->ai_family == AF_INET6;
		memcpy(bin, v6 ?
		    (void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr :
		    (void *)&((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr,
		    v6 ? 16 : 4);
		freeaddrinfo(ai);
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, bin, a, sizeof a);
	snprintf(d->csv, sizeof d->csv, v6 ? "[%s]:%u" : "%s:%u", a, port);
	return 0;
}

struct dns *
dns_open(const struct dns_opts *o, int *ex)
{
	static int lib;
	struct dns *d = xcalloc(1, sizeof *d);

	d->o = *o;
	if (d->o.timeout_ms <= 0)
		d->o.timeout_ms = DNS_TIMEOUT_MS;
	if (d->o.tries <= 0)
		d->o.tries = DNS_TRIES;
	if (d->o.window <= 0)
		d->o.window = DNS_WINDOW;
	d->maxwnd = (size_t)d->o.window;
	d->cwnd = d->maxwnd;
	if (!lib && ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		warn("DNS: c-ares failed to start");
		*ex = EX_SOFTWARE;
		free(d);
		return NULL;
	}
	lib = 1;
	/* IGNTC: the truncated answer comes back to us, and query_done()
	 * asks again over TCP where the trace shows it.  NOCHECKRESP: a
	 * SERVFAIL reaches us as such, not as "connection refused". */
	d->ao.flags = ARES_FLAG_IGNTC | ARES_FLAG_NOCHECKRESP |
	    ARES_FLAG_NOSEARCH;
	d->ao.timeout = d->o.timeout_ms;
	d->ao.tries = d->o.tries;
	/* c-ares 1.18 reads every answer through one UDP socket: the
	 * default buffer (about 250 small datagrams) would drop answers
	 * of a wide window arriving at once.  The kernel caps it at
	 * net.core.rmem_max. */
	d->ao.socket_receive_buffer_size = 4 << 20;
	d->mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_RCVBUF;
	if ((o->server != NULL && set_server(d, o->server) < 0) ||
	    channel(d, &d->udp, 0) < 0) {
		*ex = EX_CONFIG;
		free(d);
		return NULL;
	}
	if (o->server != NULL)
		trace(d, "# DNS server %s", d->csv);
	return d;
}

static void cache_clear(struct dns *d, int all);

void
dns_close(struct dns *d)
{
	if (d == NULL)
		return;
	ares_destroy(d->udp);
	if (d->have_tcp)
		ares_destroy(d->tcp);
	cache_clear(d, 1);
	free(d);
}

static enum dns_status
ares_status(int s)
{
	switch (s) {
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:		/* ICMP port unreachable */
		return DNS_TIMEOUT;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
		return DNS_SERVFAIL;
	case ARES_ENOTFOUND:
		return DNS_NXDOMAIN;
	case ARES_ENODATA:
		return DNS_NODATA;
	}
	return DNS_ERROR;
}

static void
trace_answer(struct dns *d, struct query *q, struct dns_msg *m)
{
	struct buf b;
	size_t i;
	char t[16];

	/* room for the longest record: a TXT quoted, four bytes a byte */
	buf_init(&b, 1 << 19);
	for (i = 0; i < m->nrr; i++) {
		if (m->rr[i].section == DNS_NS || m->rr[i].type == 41)
			continue;
		buf_reset(&b);
		dns_rr_format(&m->rr[i], &b);
		trace(d, "A: %s%s", b.p,
		    m->rr[i].section == DNS_AR ? " (additional)" : "");
	}
	buf_free(&b);
	if (m->rcode == 3)
		trace(d, "A: NXDOMAIN (%s %s does not exist)", dotted(q->name),
		    dns_typename(q->type, t, sizeof t));
	else if (m->rcode != 0)
		trace(d, "A: rcode %u%s for %s %s", m->rcode,
		    m->rcode == 2 ? " SERVFAIL" : m->rcode == 5 ? " REFUSED" : "",
		    dotted(q->name), dns_typename(q->type, t, sizeof t));
}

/*
 * Slow start, as TCP's: one more query for each answer, so the window
 * doubles every round trip while the server keeps up, up to maxwnd.  A
 * loss (a query that timed out, or that c-ares had to send again) halves
 * it, once for all the queries that were in flight together (as TCP's
 * fast recovery): a burst of losses, all of them timing out within a
 * few milliseconds, is one sign of congestion, not hundreds.
 */
static void
window_update(struct dns *d, const struct query *q, int status,
    int timeouts)
{
	size_t was = d->cwnd, lo = d->maxwnd < WINDOW_MIN ? d->maxwnd :
	    WINDOW_MIN;

	if (status == ARES_ETIMEOUT || timeouts > 0) {
		if (q->seq < d->recover)
			return;
		d->recover = d->sent;
		d->cwnd = d->cwnd / 2 > lo ? d->cwnd / 2 : lo;
		if (d->cwnd != was)
			trace(d, "# a query was lost: window %zu -> %zu", was,
			    d->cwnd);
	} else if (status == ARES_SUCCESS && d->cwnd < d->maxwnd)
		d->cwnd++;
}

static void
query_done(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct query *q = arg;
	struct dns *d = q->d;
	struct dns_msg m;
	enum dns_status st = DNS_OK;
	char t[16];
	size_t i, n = 0;

	d->inflight--;
	window_update(d, q, status, timeouts);
	if (status == ARES_EDESTRUCTION) {
		free(q->name);
		free(q);
		return;
	}
	memset(&m, 0, sizeof m);
	if (status == ARES_SUCCESS && !q->tcp && alen == UDP_CUT &&
	    d->dgramlen > UDP_CUT && memcmp(abuf, d->dgram, UDP_CUT) == 0) {
		/* the cut copy of a longer datagram: see sk_socket() */
		abuf = d->dgram;
		alen = (int)d->dgramlen;
		trace(d, "# a UDP answer of %d bytes without TC, over the 512 "
		    "of RFC 1035: taken whole, as dig does", alen);
	}
	if (status != ARES_SUCCESS) {
		st = ares_status(status);
		trace(d, "A: %s %s: %s", dotted(q->name),
		    dns_typename(q->type, t, sizeof t), ares_strerror(status));
	} else if (dns_msg_parse(abuf, (size_t)alen, &m) < 0) {
		st = DNS_ERROR;
		trace(d, "A: %s %s: malformed answer (%d bytes)",
		    dotted(q->name), dns_typename(q->type, t, sizeof t), alen);
	} else if (m.tc && !q->tcp) {
		for (i = 0; i < m.nrr; i++)
			n += m.rr[i].section == DNS_AN;
		trace(d, "A: %s %s: truncated (TC=1, %d bytes, %zu records "
		    "over UDP): asking again over TCP", dotted(q->name),
		    dns_typename(q->type, t, sizeof t), alen, n);
		dns_msg_free(&m);
		query_send(d, q->name, q->type, 1, q->cb, q->arg);
		free(q->name);
		free(q);
		return;
	} else {
		trace_answer(d, q, &m);
		if (m.rcode == 3)
			st = DNS_NXDOMAIN;
		else if (m.rcode == 2 || m.rcode == 5)
			st = DNS_SERVFAIL;
		else if (m.rcode != 0)
			st = DNS_ERROR;
	}
	q->cb(q->arg, st, st == DNS_OK ? &m : NULL);
	dns_msg_free(&m);
	free(q->name);
	free(q);
}

static void
query_send(struct dns *d, const char *name, unsigned type, int tcp,
    query_cb *cb, void *arg)
{
	struct query *q = xcalloc(1, sizeof *q);
	unsigned char *buf;
	int len, r;
	char t[16];

	q->d = d;
	q->name = xstrdup(name);
	q->type = type;
	q->tcp = tcp;
	q->cb = cb;
	q->arg = arg;
	q->seq = d->sent++;
	r = ares_create_query(name, 1, (int)type, (unsigned short)rnd(), 1,
	    &buf, &len, 0);
	if (r != ARES_SUCCESS) {
		trace(d, "Q: %s %s: %s", dotted(name),
		    dns_typename(type, t, sizeof t), ares_strerror(r));
		d->inflight++;
		query_done(q, r, 0, NULL, 0);
		return;
	}
	if (tcp && !d->have_tcp) {
		if (channel(d, &d->tcp, 1) < 0) {
			ares_free_string(buf);
			d->inflight++;
			query_done(q, ARES_ESERVFAIL, 0, NULL, 0);
			return;
		}
		d->have_tcp = 1;
	}
	trace(d, "Q: %s %s%s", dotted(name), dns_typename(type, t, sizeof t),
	    tcp ? " (over TCP)" : "");
	d->inflight++;
	ares_send(tcp ? d->tcp : d->udp, buf, len, query_done, q);
	ares_free_string(buf);
}

size_t
dns_inflight(const struct dns *d)
{
	return d->inflight;
}

size_t
dns_window(const struct dns *d)
{
	return d->cwnd < d->maxwnd ? d->cwnd : d->maxwnd;
}

static int
add_fds(ares_channel ch, struct pollfd *pf, ares_channel *owner, int n)
{
	ares_socket_t s[ARES_GETSOCK_MAXNUM];
	/* c-ares's ARES_GETSOCK_WRITABLE shifts 1 into the sign bit of an
	 * int for the 16th socket: test the bits unsigned */
	unsigned bits = (unsigned)ares_getsock(ch, s, ARES_GETSOCK_MAXNUM);
	int i;

	for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short ev = 0;

		if (bits & (1u << i))
			ev |= POLLIN;
		if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
			ev |= POLLOUT;
		if (ev == 0)
			continue;
		pf[n].fd = s[i];
		pf[n].events = ev;
		pf[n].revents = 0;
		owner[n++] = ch;
	}
	return n;
}

void
dns_step(struct dns *d)
{
	struct pollfd pf[2 * ARES_GETSOCK_MAXNUM];
	ares_channel owner[2 * ARES_GETSOCK_MAXNUM];
	struct timeval tv, *tp;
	int n = 0, i, ms = 1000;

	n = add_fds(d->udp, pf, owner, n);
	if (d->have_tcp)
		n = add_fds(d->tcp, pf, owner, n);
	tp = ares_timeout(d->udp, NULL, &tv);
	if (tp != NULL)
		ms = (int)(tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000);
	if (d->have_tcp && (tp = ares_timeout(d->tcp, NULL, &tv)) != NULL &&
	    tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000 < ms)
		ms = (int)(tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000);
	if (poll(pf, (nfds_t)n, ms) < 0 && errno != EINTR)
		die(EX_OSERR, "poll:");
	for (i = 0; i < n; i++)
		if (pf[i].revents != 0)
			ares_process_fd(owner[i],
			    pf[i].revents & (POLLIN | POLLERR | POLLHUP) ?
			    pf[i].fd : ARES_SOCKET_BAD,
			    pf[i].revents & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
	/* timeouts */
	ares_process_fd(d->udp, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (d->have_tcp)
		ares_process_fd(d->tcp, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

void
dns_wait(struct dns *d)
{
	while (d->inflight > 0)
		dns_step(d);
}

/* ================================================================ */
/* answers                                                           */

/*
 * The records of type in the answer section for name, following the
 * CNAMEs the server put there.  *alias is set if one was followed.
 * Returns how many; idx[] (of size m->nrr) gets their indexes.
 */
static size_t
answers(const struct dns_msg *m, const char *name, unsigned type,
    size_t *idx, int *alias)
{
	const char *cur = name;
	size_t i, n = 0;
	int hop;

	*alias = 0;
	for (hop = 0; hop <= CNAME_HOPS; hop++) {
		for (i = 0; i < m->nrr; i++)
			if (m->rr[i].section == DNS_AN &&
			    m->rr[i].type == type &&
			    strcasecmp(m->rr[i].name, cur) == 0)
				idx[n++] = i;
		if (n > 0 || type == DNS_T_CNAME)
			return n;
		for (i = 0; i < m->nrr; i++)
			if (m->rr[i].section == DNS_AN &&
			    m->rr[i].type == DNS_T_CNAME &&
			    strcasecmp(m->rr[i].name, cur) == 0)
				break;
		if (i == m->nrr)
			return 0;
		cur = m->rr[i].data;
		*alias = 1;
	}
	return 0;
}

/* ================================================================ */
/* the host cache                                                    */

struct job;

struct waiter {
	struct job *job;
	struct waiter *next;
};

struct entry {
	char *name;
	struct {
		int state;		/* 0 not asked, 1 asked, 2 known */
		enum dns_status st;
		char **addr;
		size_t n;
		struct waiter *w;
	} t[2];				/* A, AAAA */
	int cname;
	int refs;			/* jobs that will read it */
	struct entry *next;
};

static unsigned
hash(const char *s)
{
	unsigned h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)(*s | 0x20);
	return h % CACHE_BUCKETS;
}

static void
entry_free(struct entry *e)
{
	int k;
	size_t i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < e->t[k].n; i++)
			free(e->t[k].addr[i]);
		free(e->t[k].addr);
	}
	free(e->name);
	free(e);
}

/* Drop the entries no job needs (or all of them). */
static void
cache_clear(struct dns *d, int all)
{
	struct entry **pp, *e;
	size_t b;

	for (b = 0; b < CACHE_BUCKETS; b++)
		for (pp = &d->bucket[b]; (e = *pp) != NULL; ) {
			if (all || (e->refs == 0 && e->t[0].state != 1 &&
			    e->t[1].state != 1)) {
				*pp = e->next;
				entry_free(e);
				d->nentry--;
			} else
				pp = &e->next;
		}
}

static struct entry *
cache_get(struct dns *d, const char *name)
{
	unsigned h = hash(name);
	struct entry *e;

	for (e = d->bucket[h]; e != NULL; e = e->next)
		if (strcasecmp(e->name, name) == 0)
			return e;
	if (d->nentry >= CACHE_MAX)
		cache_clear(d, 0);
	e = xcalloc(1, sizeof *e);
	e->name = xstrdup(name);
	e->next = d->bucket[h];
	d->bucket[h] = e;
	d->nentry++;
	return e;
}

/* Fill entry k of e from the answer to its own query. */
static void
entry_set(struct entry *e, int k, enum dns_status st,
    const struct dns_msg *m)
{
	unsigned type = k ? DNS_T_AAAA : DNS_T_A;
	size_t i, n = 0, *idx;
	int alias = 0;

	e->t[k].state = 2;
	e->t[k].st = st;
	if (m == NULL)
		return;
	idx = xmalloc((m->nrr + 1) * sizeof *idx);
	n = answers(m, e->name, type, idx, &alias);
	if (alias)
		e->cname = 1;
	e->t[k].addr = xcalloc(n ? n : 1, sizeof *e->t[k].addr);
	for (i = 0; i < n; i++)
		e->t[k].addr[i] = xstrdup(m->rr[idx[i]].data);
	e->t[k].n = n;
	if (n == 0)
		e->t[k].st = DNS_NODATA;
	free(idx);
}

/* ================================================================ */
/* jobs                                                              */

enum jobkind { J_MX, J_SRV, J_TXT, J_ADDR };

struct target {
	char **host;
	int *cname;
	char ***addr;
	size_t *naddr;
	enum dns_status *astatus;
	struct entry *e;	/* the cache's entry, if it was asked */
	/* A (0) and AAAA (1) from the additional section of this job's
	 * own answer, which never go into the cache (see want_targets) */
	char **la[2];
	size_t ln[2];
};

struct job {
	struct dns *d;
	enum jobkind kind;
	char *name;
	unsigned flags;
	int pending;
	enum dns_status st;
	int implicit;
	struct dns_mx *mx;
	struct dns_srv *srv;
	size_t n;
	struct target *tg;
	size_t ntg;
	char **txt;
	size_t *txtlen;
	dns_mx_cb *mxcb;		/* J_MX, J_ADDR */
	dns_srv_cb *srvcb;
	dns_txt_cb *txtcb;
	void *arg;
	int done;			/* synchronous callers wait on this */
};

static void job_finish(struct job *j);
static void entry_answer(void *arg, enum dns_status st, struct dns_msg *m);

struct eq {				/* an address query for an entry */
	struct dns *d;
	struct entry *e;
	int k;
};

/* Make sure address type k of e is known or asked; j waits for it. */
static void
entry_want(struct dns *d, struct entry *e, int k, struct job *j)
{
	struct waiter *w;
	struct eq *q;

	if (e->t[k].state == 2)
		return;
	w = xmalloc(sizeof *w);
	w->job = j;
	w->next = e->t[k].w;
	e->t[k].w = w;
	j->pending++;
	if (e->t[k].state == 1)
		return;
	e->t[k].state = 1;
	q = xmalloc(sizeof *q);
	q->d = d;
	q->e = e;
	q->k = k;
	query_send(d, e->name, k ? DNS_T_AAAA : DNS_T_A, 0, entry_answer, q);
}

static void
entry_answer(void *arg, enum dns_status st, struct dns_msg *m)
{
	struct eq *q = arg;
	struct entry *e = q->e;
	struct waiter *w, *next;
	int k = q->k;

	free(q);
	entry_set(e, k, st, m);
	w = e->t[k].w;
	e->t[k].w = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		if (--w->job->pending == 0)
			job_finish(w->job);
		free(w);
	}
}

int
dns_in_bailiwick(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (*domain == '\0')
		return 1;		/* the root holds every name */
	if (h < d || strcasecmp(host + h - d, domain) != 0)
		return 0;
	return h == d || host[h - d - 1] == '.';
}

/*
 * The A (k 0) or AAAA (k 1) records for target t in the additional
 * section, kept in the target: they serve this lookup only.  Put in the
 * shared cache, they would answer for that host in every later lookup,
 * and one domain's answer could then send another domain's mail
 * anywhere (a forwarder passes on whatever additional data it got).
 */
static void
use_additional(struct target *t, int k, const struct dns_msg *m)
{
	unsigned type = k ? DNS_T_AAAA : DNS_T_A;
	size_t i, n = 0;

	for (i = 0; i < m->nrr; i++)
		if (m->rr[i].section == DNS_AR && m->rr[i].type == type &&
		    strcasecmp(m->rr[i].name, *t->host) == 0)
			n++;
	if (n == 0)
		return;
	t->la[k] = xcalloc(n, sizeof *t->la[k]);
	for (i = 0; i < m->nrr; i++)
		if (m->rr[i].section == DNS_AR && m->rr[i].type == type &&
		    strcasecmp(m->rr[i].name, *t->host) == 0)
			t->la[k][t->ln[k]++] = xstrdup(m->rr[i].data);
}

/*
 * Ask for the addresses of every target (pending counts them), unless
 * m, the answer that named them, also gave them for a host in its
 * bailiwick.
 */
static void
want_targets(struct job *j, const struct dns_msg *m)
{
	size_t i;
	int k, nk = (j->flags & DNS_F_ADDRS) ? 2 : 1;

	for (i = 0; i < j->ntg; i++) {
		struct target *t = &j->tg[i];

		if (**t->host == '\0')
			continue;
		if (m != NULL && dns_in_bailiwick(*t->host, j->name))
			for (k = 0; k < nk; k++)
				use_additional(t, k, m);
		for (k = 0; k < nk; k++) {
			if (t->ln[k] > 0)
				continue;
			if (t->e == NULL) {
				t->e = cache_get(j->d, *t->host);
				t->e->refs++;
			}
			entry_want(j->d, t->e, k, j);
		}
	}
}

/* The status of a target's addresses, from its parts. */
static enum dns_status
addr_status(const enum dns_status *st, const size_t *n, int both)
{
	enum dns_status a = st[0], b = both ? st[1] : a;

	if (n[0] + (both ? n[1] : 0) > 0)
		return DNS_OK;
	if (a == DNS_TIMEOUT || b == DNS_TIMEOUT)
		return DNS_TIMEOUT;
	if (a == DNS_SERVFAIL || b == DNS_SERVFAIL)
		return DNS_SERVFAIL;
	if (a == DNS_ERROR || b == DNS_ERROR)
		return DNS_ERROR;
	if (a == DNS_NXDOMAIN && b == DNS_NXDOMAIN)
		return DNS_NXDOMAIN;
	return DNS_NODATA;
}

/* Copy each target's addresses (its own, else the cache's) into its
 * record. */
static void
fill_targets(struct job *j)
{
	size_t i, n, a;
	struct target *t;
	int k, both = (j->flags & DNS_F_ADDRS) != 0, nk = both ? 2 : 1;

	for (i = 0; i < j->ntg; i++) {
		enum dns_status st[2];
		size_t cnt[2];
		char **src[2];

		t = &j->tg[i];
		if (**t->host == '\0') {
			*t->astatus = DNS_NODATA;
			continue;
		}
		*t->cname = t->e != NULL ? t->e->cname : 0;
		n = 0;
		for (k = 0; k < nk; k++) {
			if (t->ln[k] > 0) {
				st[k] = DNS_OK;
				cnt[k] = t->ln[k];
				src[k] = t->la[k];
			} else {
				st[k] = t->e->t[k].st;
				cnt[k] = t->e->t[k].n;
				src[k] = t->e->t[k].addr;
			}
			n += cnt[k];
		}
		*t->astatus = addr_status(st, cnt, both);
		*t->addr = xcalloc(n ? n : 1, sizeof **t->addr);
		*t->naddr = 0;
		for (k = 0; k < nk; k++)
			for (a = 0; a < cnt[k]; a++)
				(*t->addr)[(*t->naddr)++] = xstrdup(src[k][a]);
		dns_addr_sort(*t->addr, *t->naddr);
		n = dns_addr_uniq(*t->addr, *t->naddr);
		for (a = n; a < *t->naddr; a++)
			free((*t->addr)[a]);
		*t->naddr = n;
		for (k = 0; k < 2; k++) {
			for (a = 0; a < t->ln[k]; a++)
				free(t->la[k][a]);
			free(t->la[k]);
		}
		if (t->e != NULL)
			t->e->refs--;
	}
}

static struct job *
job_new(struct dns *d, enum jobkind kind, const char *name, unsigned flags,
    void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->d = d;
	j->kind = kind;
	j->name = xstrdup(name);
	j->flags = flags;
	j->arg = arg;
	j->pending = 1;		/* the first query */
	return j;
}

static void
mx_targets(struct job *j)
{
	size_t i;

	j->tg = xcalloc(j->n ? j->n : 1, sizeof *j->tg);
	for (i = 0; i < j->n; i++) {
		j->tg[i].host = &j->mx[i].host;
		j->tg[i].cname = &j->mx[i].cname;
		j->tg[i].addr = &j->mx[i].addr;
		j->tg[i].naddr = &j->mx[i].naddr;
		j->tg[i].astatus = &j->mx[i].astatus;
	}
	j->ntg = j->n;
}

/* The implicit MX: the domain itself, if it has an address. */
static void
mx_implicit(struct job *j)
{
	j->implicit = 1;
	j->mx = xcalloc(1, sizeof *j->mx);
	j->mx[0].host = xstrdup(j->name);
	j->n = 1;
	mx_targets(j);
	/* both families: any address will do for an implicit MX */
	j->flags |= DNS_F_ADDRS;
	trace(j->d, "# no MX record: the domain itself is the implicit MX "
	    "if it has an address (RFC 5321 5.1)");
	want_targets(j, NULL);
}

static void
mx_answer(void *arg, enum dns_status st, struct dns_msg *m)
{
	struct job *j = arg;
	size_t *idx, i, k;
	int alias;

	j->st = st;
	if (st == DNS_OK) {
		idx = xmalloc((m->nrr + 1) * sizeof *idx);
		k = answers(m, j->name, DNS_T_MX, idx, &alias);
		j->mx = xcalloc(k ? k : 1, sizeof *j->mx);
		for (i = 0; i < k; i++) {
			const struct dns_rr *rr = &m->rr[idx[i]];

			/* RFC 7505 3: "." among other MXs is ignored */
			if (*rr->data == '\0' && k > 1)
				continue;
			j->mx[j->n].pref = rr->pref;
			j->mx[j->n++].host = xstrdup(rr->data);
		}
		free(idx);
		if (k > 0 && j->n == 0) {
			/* every MX is ".": nothing else was offered, so
			 * it is a null MX all the same, not an empty list
			 * (which a sender would retry for ever) */
			j->mx[0].pref = 0;
			j->mx[0].host = xstrdup("");
			j->n = 1;
		}
		if (k == 0) {
			free(j->mx);
			j->mx = NULL;
			mx_implicit(j);
		}
		else {
			dns_mx_sort(j->mx, j->n, 0);
			k = dns_mx_uniq(j->mx, j->n);
			for (i = k; i < j->n; i++)
				free(j->mx[i].host);
			j->n = k;
			if (j->flags & DNS_F_SHUFFLE)
				dns_mx_sort(j->mx, j->n, 1);
			mx_targets(j);
			if (!(j->n == 1 && *j->mx[0].host == '\0'))
				want_targets(j, m);
		}
	}
	if (--j->pending == 0)
		job_finish(j);
}

static void
srv_answer(void *arg, enum dns_status st, struct dns_msg *m)
{
	struct job *j = arg;
	size_t *idx, i, k;
	int alias;

	j->st = st;
	if (st == DNS_OK) {
		idx = xmalloc((m->nrr + 1) * sizeof *idx);
		k = answers(m, j->name, DNS_T_SRV, idx, &alias);
		j->srv = xcalloc(k ? k : 1, sizeof *j->srv);
		j->tg = xcalloc(k ? k : 1, sizeof *j->tg);
		for (i = 0; i < k; i++) {
			const struct dns_rr *rr = &m->rr[idx[i]];
			struct dns_srv *s = &j->srv[j->n];

			/* RFC 2782: "." says the service is not offered;
			 * beside real targets it says nothing (as a null
			 * MX among MXs, RFC 7505 3) */
			if (*rr->data == '\0' && k > 1)
				continue;
			s->prio = rr->pref;
			s->weight = rr->weight;
			s->port = rr->port;
			s->host = xstrdup(rr->data);
			j->n++;
		}
		free(idx);
		if (k > 0 && j->n == 0) {
			/* every target is ".": not offered, said twice */
			j->srv[0].host = xstrdup("");
			j->n = 1;
		}
		if (k == 0)
			j->st = DNS_NODATA;
		dns_srv_sort(j->srv, j->n);
		k = dns_srv_uniq(j->srv, j->n);
		for (i = k; i < j->n; i++)
			free(j->srv[i].host);
		j->n = j->ntg = k;
		for (i = 0; i < k; i++) {
			j->tg[i].host = &j->srv[i].host;
			j->tg[i].cname = &j->srv[i].cname;
			j->tg[i].addr = &j->srv[i].addr;
			j->tg[i].naddr = &j->srv[i].naddr;
			j->tg[i].astatus = &j->srv[i].astatus;
		}
		if (k > 0 && !(k == 1 && *j->srv[0].host == '\0'))
			want_targets(j, m);
	}
	if (--j->pending == 0)
		job_finish(j);
}

/* A repeated copy of a record already taken (RFC 2181 5: an RRset holds
 * each record once).  TXT order may matter to a reader: no sort. */
static int
txt_seen(const struct job *j, const struct dns_rr *rr)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->txtlen[i] == rr->datalen &&
		    memcmp(j->txt[i], rr->data, rr->datalen) == 0)
			return 1;
	return 0;
}

static void
txt_answer(void *arg, enum dns_status st, struct dns_msg *m)
{
	struct job *j = arg;
	size_t *idx, i, k;
	int alias;

	j->st = st;
	if (st == DNS_OK) {
		idx = xmalloc((m->nrr + 1) * sizeof *idx);
		k = answers(m, j->name, DNS_T_TXT, idx, &alias);
		j->txt = xcalloc(k ? k : 1, sizeof *j->txt);
		j->txtlen = xcalloc(k ? k : 1, sizeof *j->txtlen);
		for (i = 0; i < k; i++) {
			const struct dns_rr *rr = &m->rr[idx[i]];

			if (txt_seen(j, rr))
				continue;
			j->txt[j->n] = xmalloc(rr->datalen + 1);
			memcpy(j->txt[j->n], rr->data, rr->datalen + 1);
			j->txtlen[j->n++] = rr->datalen;
		}
		free(idx);
		if (k == 0)
			j->st = DNS_NODATA;
	}
	if (--j->pending == 0)
		job_finish(j);
}

static void
job_finish(struct job *j)
{
	fill_targets(j);
	switch (j->kind) {
	case J_MX:
		if (j->st == DNS_OK && j->implicit &&
		    j->mx[0].astatus != DNS_OK) {
			/* no MX, no address: nothing to deliver to (the
			 * name exists: its MX query said NODATA) */
			j->st = j->mx[0].astatus == DNS_NXDOMAIN ? DNS_NODATA :
			    j->mx[0].astatus;
			dns_mx_free(j->mx, j->n);
			j->mx = NULL;
			j->n = 0;
			j->implicit = 0;
		}
		j->mxcb(j->arg, j->st, j->mx, j->n, j->implicit);
		break;
	case J_ADDR:
		j->mxcb(j->arg, j->mx[0].astatus, j->mx, j->n, 0);
		break;
	case J_SRV:
		j->srvcb(j->arg, j->st, j->srv, j->n);
		break;
	case J_TXT:
		j->txtcb(j->arg, j->st, j->txt, j->txtlen, j->n);
		break;
	}
	free(j->tg);
	free(j->name);
	free(j);
}

void
dns_mx_start(struct dns *d, const char *domain, unsigned flags,
    dns_mx_cb *cb, void *arg)
{
	struct job *j = job_new(d, J_MX, domain, flags, arg);

	j->mxcb = cb;
	query_send(d, domain, DNS_T_MX, 0, mx_answer, j);
}

void
dns_srv_start(struct dns *d, const char *name, unsigned flags,
    dns_srv_cb *cb, void *arg)
{
	struct job *j = job_new(d, J_SRV, name, flags, arg);

	j->srvcb = cb;
	query_send(d, name, DNS_T_SRV, 0, srv_answer, j);
}

void
dns_txt_start(struct dns *d, const char *name, dns_txt_cb *cb, void *arg)
{
	struct job *j = job_new(d, J_TXT, name, 0, arg);

	j->txtcb = cb;
	query_send(d, name, DNS_T_TXT, 0, txt_answer, j);
}

/* The addresses of one host, through the cache. */
static void
addr_start(struct dns *d, const char *host, dns_mx_cb *cb, void *arg)
{
	struct job *j = job_new(d, J_ADDR, host, DNS_F_ADDRS, arg);

	j->mxcb = cb;
	j->mx = xcalloc(1, sizeof *j->mx);
	j->mx[0].host = xstrdup(host);
	j->n = 1;
	mx_targets(j);
	want_targets(j, NULL);
	if (--j->pending == 0)
		job_finish(j);
}

/* ---- the synchronous calls: one job, run to its end ---- */

struct sync {
	int done;
	enum dns_status st;
	struct dns_mx *mx;
	size_t n;
	int implicit;
};

static void
sync_cb(void *arg, enum dns_status st, struct dns_mx *mx, size_t n,
    int implicit)
{
	struct sync *s = arg;

	s->done = 1;
	s->st = st;
	s->mx = mx;
	s->n = n;
	s->implicit = implicit;
}

static void
sync_run(struct dns *d, struct sync *s)
{
	while (!s->done && d->inflight > 0)
		dns_step(d);
	if (!s->done) {			/* cannot happen: a job always ends */
		s->st = DNS_ERROR;
		s->done = 1;
	}
}

enum dns_status
dns_mx(struct dns *d, const char *domain, int shuffle, struct dns_mx **mx,
    size_t *n, int *implicit)
{
	struct sync s;

	memset(&s, 0, sizeof s);
	dns_mx_start(d, domain, DNS_F_ADDRS | (shuffle ? DNS_F_SHUFFLE : 0),
	    sync_cb, &s);
	sync_run(d, &s);
	*mx = s.mx;
	*n = s.n;
	*implicit = s.implicit;
	return s.st;
}

enum dns_status
dns_addrs(struct dns *d, const char *host, char ***addr, size_t *n)
{
	struct sync s;

	memset(&s, 0, sizeof s);
	addr_start(d, host, sync_cb, &s);
	sync_run(d, &s);
	*addr = NULL;
	*n = 0;
	if (s.mx != NULL) {
		*addr = s.mx[0].addr;
		*n = s.mx[0].naddr;
		s.mx[0].addr = NULL;
		s.mx[0].naddr = 0;
		dns_mx_free(s.mx, s.n);
	}
	return s.st;
}

void
dns_addrs_free(char **addr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(addr[i]);
	free(addr);
}

void
dns_mx_free(struct dns_mx *mx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(mx[i].host);
		dns_addrs_free(mx[i].addr, mx[i].naddr);
	}
	free(mx);
}

void
dns_srv_free(struct dns_srv *srv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(srv[i].host);
		dns_addrs_free(srv[i].addr, srv[i].naddr);
	}
	free(srv);
}

void
dns_txt_free(char **txt, size_t *len, size_t n)
{
	dns_addrs_free(txt, n);
	free(len);
}
