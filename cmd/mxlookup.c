/*
 * mxlookup: find the mail servers of a domain.
 *
 * What dig and host leave to the user, mxlookup does as an MTA would
 * (RFC 5321 5.1): MXs sorted by preference, the implicit MX of a domain
 * without MX records, the null MX of RFC 7505 as a refusal, and a
 * warning for an MX host that is an alias.  Exit codes tell a temporary
 * failure (75) from a missing domain (68) and from a refusal (69).
 *
 * Names read from stdin are looked up concurrently through common/dns
 * with a bounded window of queries in flight, and printed in input
 * order: a result waits in a queue until those before it are printed.
 * The queue is bounded too, so a slow name holds up the reading of new
 * ones rather than letting memory grow.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "json.h"
#include "rec.h"
#include "usage.h"
#include "util.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)
#define QUEUE_MIN	1024	/* names read, not yet printed: at least */
/* The longest NAME, as an argument or as a line of stdin (without its
 * LF): far above a domain's 253 bytes, so that an address with a long
 * local part still passes, and a bound on what one line may hold. */
#define NAME_MAX_IN	4094

enum mode { M_MX, M_SRV, M_TXT };

static struct {
	enum mode mode;
	int addrs;		/* -a */
	int json;		/* -j */
	int trace;		/* --trace */
	int prefix;		/* NAME\t before every line */
	const char *server;	/* -s */
	const char *service;	/* -S, as given */
	const char *srvlabel;	/* "_submission._tcp" */
	int timeout_ms;
	int window;		/* --window */
} opt;

struct item {
	char *arg;		/* the NAME as given */
	char domain[256];
	char *qname;		/* what was asked: domain, or the SRV name */
	int done;
	int bad;		/* a usage-level error, message in why */
	unsigned long line;	/* a bad line of stdin: its number */
	const char *why;
	enum dns_status st;
	struct dns_mx *mx;
	struct dns_srv *srv;
	char **txt;
	size_t *txtlen;
	size_t n;
	int implicit;
	struct item *next;
};

static struct {
	struct dns *dns;
	struct item *head, *tail;
	size_t queued;
	struct buf line, js;
	unsigned long lineno;	/* lines of stdin read */
	int status;
} st;

static const struct {
	const char *name, *label;
} services[] = {
	{ "submission", "_submission._tcp" },
	{ "submissions", "_submissions._tcp" },
	{ "imap", "_imap._tcp" },
	{ "imaps", "_imaps._tcp" },
	{ "pop3", "_pop3._tcp" },
	{ "pop3s", "_pop3s._tcp" },
};

static const char *const synopsis[] = {
	"[-aj] [-s server[:port]] [-S service | --txt] [--timeout sec]\n"
	"[--window n] [--trace] [name ...]",
	"-h | --help | -V | --version",
	NULL
};

static void
fail(int status)
{
	st.status = ex_worse(st.status, status);
}

static void
set_service(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof services / sizeof *services; i++)
		if (strcmp(s, services[i].name) == 0) {
			opt.service = services[i].name;
			opt.srvlabel = services[i].label;
			opt.mode = M_SRV;
			return;
		}
	die(EX_USAGE, "-S %s: not one of submission, submissions, imap, "
	    "imaps, pop3, pop3s", s);
}

static void
set_timeout(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0.01 && v <= 3600))
		die(EX_USAGE, "--timeout %s: not a number of seconds "
		    "(0.01 to 3600)", s);
	opt.timeout_ms = (int)(v * 1000 + 0.5);
}

static void
set_window(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 1 || v > 10000)
		die(EX_USAGE, "--window %s: not a number from 1 to 10000", s);
	opt.window = (int)v;
}

static int
parse_opts(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "trace", no_argument, NULL, 1 },
		{ "timeout", required_argument, NULL, 2 },
		{ "txt", no_argument, NULL, 3 },
		{ "window", required_argument, NULL, 4 },
		USAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "S:Vahjs:";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (c) {
		case 'S': set_service(optarg); break;
		case 'V': version();
		case 'a': opt.addrs = 1; break;
		case 'j': opt.json = 1; break;
		case 's': opt.server = optarg; break;
		case 1: opt.trace = 1; break;
		case 2: set_timeout(optarg); break;
		case 4: set_window(optarg); break;
		case 3:
			if (opt.mode == M_SRV)
				die(EX_USAGE, "-S and --txt exclude each other");
			opt.mode = M_TXT;
			break;
		case 'h': usage_exit(0, synopsis);
		default: usage_opt(c, optstr, argv, synopsis);
		}
	}
	if (opt.mode == M_TXT && opt.service != NULL)
		die(EX_USAGE, "-S and --txt exclude each other");
	if (opt.mode == M_TXT && opt.addrs)
		die(EX_USAGE, "-a goes with MX and SRV lookups, not --txt");
	return optind;
}

/* ---- output ---- */

static void
line_start(const struct item *it)
{
	buf_reset(&st.line);
	if (opt.prefix) {
		rec_fields(&st.line, it->arg);
		buf_addc(&st.line, '\t');
	}
}

static void
line_end(void)
{
	buf_addc(&st.line, '\n');
	out(st.line.p, st.line.len);
}

static void
js_start(const struct item *it)
{
	buf_reset(&st.js);
	json_kstrs(&st.js, "name", it->arg);
	json_kstrs(&st.js, "domain", it->domain);
}

static void
js_end(void)
{
	json_end(&st.js);
	buf_addc(&st.js, '\n');
	out(st.js.p, st.js.len);
}

static void
js_addrs(char **addr, size_t n)
{
	size_t i;

	if (!opt.addrs)
		return;
	json_karr(&st.js, "addrs");
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(&st.js, ',');
		json_strs(&st.js, addr[i]);
	}
	buf_addc(&st.js, ']');
}

/* A failed name: a message, its exit status, and with -j an object. */
static void
report(const struct item *it, int status, const char *code,
    const char *msg)
{
	warn("%s: %s", it->arg, msg);
	fail(status);
	if (!opt.json)
		return;
	js_start(it);
	json_kstrs(&st.js, "error", code);
	json_kstrs(&st.js, "message", msg);
	json_knum(&st.js, "status", (unsigned)status);
	js_end();
}

/* A line of stdin that holds no name to ask: said with its number, as
 * its text may be anything. */
static void
bad_line(const struct item *it)
{
	warn("stdin:%lu: %s: skipped", it->line, it->why);
	fail(EX_DATAERR);
	if (!opt.json)
		return;
	buf_reset(&st.js);
	json_knum(&st.js, "line", it->line);
	json_kstrs(&st.js, "error", "badline");
	json_kstrs(&st.js, "message", it->why);
	json_knum(&st.js, "status", EX_DATAERR);
	js_end();
}

static void
lookup_failed(const struct item *it)
{
	static const char *code[] = { "ok", "nxdomain", "nodata", "servfail",
	    "timeout", "error" };
	char msg[512];
	int status = dns_exit(it->st);

	if (opt.mode == M_MX && it->st == DNS_NODATA)
		snprintf(msg, sizeof msg, "no MX and no address record "
		    "(NODATA): no mail can be delivered there");
	else if (opt.mode != M_MX && (it->st == DNS_NODATA ||
	    it->st == DNS_NXDOMAIN)) {
		snprintf(msg, sizeof msg, "no %s record at %s: %s",
		    opt.mode == M_SRV ? "SRV" : "TXT", it->qname,
		    dns_strstatus(it->st));
		status = 1;	/* nothing found */
	} else
		snprintf(msg, sizeof msg, "%s", dns_strstatus(it->st));
	report(it, status, code[it->st], msg);
}

/* Warnings about one MX or SRV host; with -a a failed address lookup
 * makes the output incomplete, which the exit status says. */
static void
host_warnings(const struct item *it, const char *what, const char *host,
    int cname, enum dns_status ast)
{
	if (cname)
		warn("%s: %s host %s is an alias (CNAME); RFC 5321 5.1 and "
		    "RFC 2181 10.3 want the canonical name", it->arg, what,
		    host);
	if (ast == DNS_NXDOMAIN)
		warn("%s: %s host %s does not exist (NXDOMAIN)", it->arg,
		    what, host);
	else if (ast == DNS_NODATA && opt.addrs)
		warn("%s: %s host %s has no address", it->arg, what, host);
	else if (ast != DNS_OK && ast != DNS_NODATA && ast != DNS_NXDOMAIN) {
		warn("%s: addresses of %s host %s: %s", it->arg, what, host,
		    dns_strstatus(ast));
		if (opt.addrs)
			fail(dns_exit(ast));
	}
}

/* The tail of a line: "\tADDRESS" once per address with -a. */
static void
host_lines(const struct item *it, char **addr, size_t naddr)
{
	size_t head = st.line.len, i;

	(void)it;
	if (!opt.addrs) {
		line_end();
		return;
	}
	buf_addc(&st.line, '\t');
	head = st.line.len;
	if (naddr == 0)
		line_end();
	for (i = 0; i < naddr; i++) {
		st.line.len = head;
		buf_adds(&st.line, addr[i]);
		line_end();
	}
}

static void
print_mx(const struct item *it)
{
	size_t i;

	if (it->n == 1 && *it->mx[0].host == '\0') {
		report(it, EX_UNAVAILABLE, "nullmx", "null MX (MX 0 .): the "
		    "domain accepts no mail (RFC 7505)");
		return;
	}
	for (i = 0; i < it->n; i++) {
		const struct dns_mx *m = &it->mx[i];

		host_warnings(it, "MX", m->host, m->cname, m->astatus);
		if (opt.json) {
			js_start(it);
			json_knum(&st.js, "pref", m->pref);
			json_kstrs(&st.js, "host", m->host);
			js_addrs(m->addr, m->naddr);
			json_kbool(&st.js, "implicit", it->implicit);
			json_kbool(&st.js, "cname", m->cname);
			js_end();
			continue;
		}
		line_start(it);
		buf_printf(&st.line, "%u\t", m->pref);
		rec_fields(&st.line, m->host);
		host_lines(it, m->addr, m->naddr);
	}
}

static void
print_srv(const struct item *it)
{
	size_t i;

	if (it->n == 1 && *it->srv[0].host == '\0') {
		char msg[512];

		snprintf(msg, sizeof msg, "%s: SRV target \".\": the service "
		    "is not offered (RFC 2782, RFC 6186)", it->qname);
		report(it, EX_UNAVAILABLE, "notoffered", msg);
		return;
	}
	for (i = 0; i < it->n; i++) {
		const struct dns_srv *s = &it->srv[i];

		host_warnings(it, "SRV", s->host, s->cname, s->astatus);
		if (opt.json) {
			js_start(it);
			json_kstrs(&st.js, "service", opt.service);
			json_knum(&st.js, "priority", s->prio);
			json_knum(&st.js, "weight", s->weight);
			json_knum(&st.js, "port", s->port);
			json_kstrs(&st.js, "host", s->host);
			js_addrs(s->addr, s->naddr);
			json_kbool(&st.js, "cname", s->cname);
			js_end();
			continue;
		}
		line_start(it);
		buf_printf(&st.line, "%u\t%u\t%u\t", s->prio, s->weight,
		    s->port);
		rec_fields(&st.line, s->host);
		host_lines(it, s->addr, s->naddr);
	}
}

/* TXT: one record a line, its strings joined, under the safe-text rule
 * (rec.h): controls would break the record in two or reach a terminal. */
static void
print_txt(const struct item *it)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		if (opt.json) {
			js_start(it);
			json_kstr(&st.js, "txt", it->txt[i], it->txtlen[i]);
			js_end();
			continue;
		}
		line_start(it);
		rec_field(&st.line, it->txt[i], it->txtlen[i]);
		line_end();
	}
}

static void
print_item(const struct item *it)
{
	if (it->line)
		bad_line(it);
	else if (it->bad)
		report(it, EX_DATAERR, "badname", it->why);
	else if (it->st != DNS_OK)
		lookup_failed(it);
	else if (opt.mode == M_MX)
		print_mx(it);
	else if (opt.mode == M_SRV)
		print_srv(it);
	else
		print_txt(it);
}

static void
item_free(struct item *it)
{
	dns_mx_free(it->mx, it->mx ? it->n : 0);
	dns_srv_free(it->srv, it->srv ? it->n : 0);
	if (it->txt)
		dns_txt_free(it->txt, it->txtlen, it->n);
	free(it->qname);
	free(it->arg);
	free(it);
}

/* Print and drop the finished items at the head of the queue. */
static void
flush(void)
{
	struct item *it;

	while ((it = st.head) != NULL && it->done) {
		print_item(it);
		st.head = it->next;
		if (st.head == NULL)
			st.tail = NULL;
		st.queued--;
		item_free(it);
	}
	if (fflush(stdout) == EOF)
		die(EX_IOERR, "stdout:");
}

/* ---- lookups ---- */

static void
got_mx(void *arg, enum dns_status s, struct dns_mx *mx, size_t n,
    int implicit)
{
	struct item *it = arg;

	it->st = s;
	it->mx = mx;
	it->n = n;
	it->implicit = implicit;
	it->done = 1;
}

static void
got_srv(void *arg, enum dns_status s, struct dns_srv *srv, size_t n)
{
	struct item *it = arg;

	it->st = s;
	it->srv = srv;
	it->n = n;
	it->done = 1;
}

static void
got_txt(void *arg, enum dns_status s, char **txt, size_t *len, size_t n)
{
	struct item *it = arg;

	it->st = s;
	it->txt = txt;
	it->txtlen = len;
	it->n = n;
	it->done = 1;
}

/* Queue NAME (or, with why set, a bad line) and start its lookup. */
static void
start(const char *arg, const char *why)
{
	struct item *it = xcalloc(1, sizeof *it);
	unsigned flags = opt.addrs ? DNS_F_ADDRS : 0;
	size_t n;

	it->arg = xstrdup(arg);
	if (st.tail)
		st.tail->next = it;
	else
		st.head = it;
	st.tail = it;
	st.queued++;
	if (why != NULL) {
		it->line = st.lineno;
		it->why = why;
		it->bad = it->done = 1;
		return;
	}
	/* an argument may be longer than a line (up to 128 KiB): the same
	 * bound for both, which also keeps a record within st.line's cap */
	if (strlen(arg) > NAME_MAX_IN)
		it->why = "name longer than " STR(NAME_MAX_IN) " bytes";
	else
		dns_domain_of(arg, it->domain, sizeof it->domain, &it->why);
	if (it->why != NULL) {
		it->bad = it->done = 1;
		return;
	}
	if (opt.mode == M_SRV) {
		n = strlen(opt.srvlabel) + strlen(it->domain) + 2;
		it->qname = xmalloc(n);
		snprintf(it->qname, n, "%s.%s", opt.srvlabel, it->domain);
		dns_srv_start(st.dns, it->qname, flags, got_srv, it);
	} else {
		it->qname = xstrdup(it->domain);
		if (opt.mode == M_MX)
			dns_mx_start(st.dns, it->qname, flags, got_mx, it);
		else
			dns_txt_start(st.dns, it->qname, got_txt, it);
	}
}

/*
 * Read one line of stdin into buf (NAME_MAX_IN + 1 bytes), to its end
 * whatever its length: 1 if a line was read (*why set if it cannot be a
 * name), 0 at the end of the input.  A line too long or with a NUL byte
 * costs that line only, not the names after it.
 */
static int
read_line(char *buf, size_t *len, const char **why)
{
	int c;
	size_t n = 0;

	*why = NULL;
	while ((c = getchar_unlocked()) != EOF && c != '\n') {
		if (c == '\0')
			*why = "NUL byte in the line";
		else if (n < NAME_MAX_IN)
			buf[n++] = (char)c;
		else if (*why == NULL)
			*why = "line longer than " STR(NAME_MAX_IN) " bytes";
	}
	if (ferror(stdin))
		die(EX_IOERR, "stdin:");
	buf[n] = '\0';
	*len = n;
	return c != EOF || n > 0 || *why != NULL;
}

/* One name a line; blank lines and "#" comments (whatever their length)
 * are skipped. */
static int
next_name(char *buf, const char **why)
{
	char *s, *e;
	size_t n;

	while (read_line(buf, &n, why)) {
		st.lineno++;
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '#' || (*s == '\0' && *why == NULL &&
		    s == buf + n))
			continue;
		for (e = buf + n; e > s && strchr(" \t\r", e[-1]); e--)
			;
		*e = '\0';
		if (*s == '\0' && *why == NULL)
			continue;
		memmove(buf, s, (size_t)(e - s) + 1);
		return 1;
	}
	return 0;
}

static void
run(char **names, int nnames)
{
	char line[NAME_MAX_IN + 1];
	const char *why = NULL;
	int i = 0, more = 1;
	/* room for the names held up behind a slow one: 8 windows */
	size_t qmax = 8 * (size_t)(opt.window ? opt.window : DNS_WINDOW);

	if (qmax < QUEUE_MIN)
		qmax = QUEUE_MIN;
	while (more || st.head != NULL) {
		while (more && dns_inflight(st.dns) < dns_window(st.dns) &&
		    st.queued < qmax) {
			if (names != NULL)
				more = i < nnames;
			else
				more = next_name(line, &why);
			if (more)
				start(names ? names[i++] : line, why);
		}
		flush();
		if (st.head != NULL)
			dns_step(st.dns);
	}
}

int
main(int argc, char *argv[])
{
	struct dns_opts o;
	int i, ex;

	setprogname(argv[0]);
	i = parse_opts(argc, argv);
	opt.prefix = argc - i != 1;
	memset(&o, 0, sizeof o);
	o.server = opt.server;
	o.timeout_ms = opt.timeout_ms;
	o.trace = opt.trace;
	o.window = opt.window;
	if ((st.dns = dns_open(&o, &ex)) == NULL)
		return ex;
	/* caps no record can reach, so that none is ever cut short: a TXT
	 * record of 65 535 bytes printed as \DDD each, or as \u00XX in
	 * JSON, after a NAME of NAME_MAX_IN bytes */
	buf_init(&st.line, NAME_MAX_IN + 4 * 65536 + 16);
	buf_init(&st.js, 2 * NAME_MAX_IN * 6 + 6 * 65536 + 256);
	run(argc > i ? argv + i : NULL, argc - i);
	dns_close(st.dns);
	buf_free(&st.line);
	buf_free(&st.js);
	out_close();
	return st.status;
}
