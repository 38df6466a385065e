/*
 * hdrparse: read the header fields of messages.
 *
 * Built to scan whole Maildirs: only the header of each message is read
 * (input.h with INPUT_HEADER: msg_header stops at the empty line, and a
 * Maildir's headers are read ahead on threads), into one buffer that
 * every message reuses; stdout is fully buffered.  An mbox is read
 * whole, since its messages start anywhere.  Fields are found with hdr_next and
 * decoded only when they are printed or matched.
 *
 * Addresses are parsed from the raw value and decoded afterwards
 * (addr_parse), never the other way round, so that an encoded comma
 * ("=?UTF-8?Q?M=C3=BCller=2C_Hans?=") stays inside its display name.
 *
 * Every value, field name and file name printed is a TSV field under
 * the safe-text rule (rec.h): a header or a file name may carry any
 * byte, and a CR or an escape sequence must not reach a terminal or
 * break a record into two.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "charset.h"
#include "date.h"
#include "hdr.h"
#include "input.h"
#include "json.h"
#include "rec.h"
#include "rfc2047.h"
#include "route.h"
#include "usage.h"
#include "util.h"

#define HDR_MAX  (1 << 20)      /* header bytes kept per message */
#define VAL_MAX  (4 << 20)      /* one decoded value */
#define JSON_MAX (64 << 20)     /* one -j record: 1 MiB of header, escaped */

enum mode {
	M_LIST = 1,     /* no -h: every field, "Name: value" */
	M_TEXT,         /* -h: the values of some fields */
	M_ADDR,         /* -A */
	M_DATE,         /* -D */
	M_PARAM,        /* -p */
	M_ROUTE,        /* -R */
	M_JSON,         /* -j */
	M_QUIET         /* -m alone: only the exit status */
};

struct match {
	const char *field;
	regex_t re;
	int negate;     /* FIELD!~REGEX */
};

static struct {
	enum mode mode;
	char **field;           /* -h, split at ':' */
	size_t *fieldlen;       /* their lengths: most fields differ there */
	size_t nfield;
	struct match *match;    /* -m */
	size_t nmatch;
	const char *param;      /* -p */
	int names;              /* -N */
	int raw;                /* -r */
	int shownames;          /* -H, or several inputs */
} opt;

static struct {
	struct buf unf, val, json;
	struct buf shown;       /* a file name for a warning */
	struct route_hop *hop;
	size_t nhop, hopalloc;
	int found;              /* a value was printed */
	int matched;            /* a message passed every -m */
	int status;             /* the worst error so far, or 0 */
	int utf8;               /* st.val is well-formed UTF-8, decoded */
} st;

/* -h is the field list: --help alone asks for the usage. */
static const char *const synopsis[] = {
	"[-ADHNRjr] [-h field[:field...]] [-p param]\n"
	"[-m 'field~regex' | -m 'field!~regex']... [file | dir ...]",
	"--help | -V | --version",
	NULL
};

static void
fail(int status)
{
	st.status = ex_worse(st.status, status);
}

/* A file name for a warning, under the safe-text rule: valid until the
 * next call. */
static const char *
shown(const char *file)
{
	int e = errno;          /* for the warning's errtext */

	buf_reset(&st.shown);
	if (rec_fields(&st.shown, file) < 0 || st.shown.p == NULL)
		file = "(a file name too long to show)";
	else
		file = st.shown.p;
	errno = e;
	return file;
}

/* -h a:b:c */
static void
add_fields(char *arg)
{
	char *s;
	size_t n = opt.nfield;

	for (s = strtok(arg, ":"); s != NULL; s = strtok(NULL, ":")) {
		opt.field = xrealloc(opt.field,
		    (opt.nfield + 1) * sizeof *opt.field);
		opt.field[opt.nfield++] = s;
	}
	if (opt.nfield == n)
		die(EX_USAGE, "-h: no field name");
}

/* -m FIELD~REGEX or FIELD!~REGEX */
static void
add_match(char *arg)
{
	struct match *m;
	char *t = strchr(arg, '~'), msg[256];
	int err;

	if (t == NULL)
		die(EX_USAGE, "-m %s: not FIELD~REGEX", arg);
	opt.match = xrealloc(opt.match, (opt.nmatch + 1) * sizeof *m);
	m = &opt.match[opt.nmatch];
	m->negate = t > arg && t[-1] == '!';
	*(m->negate ? t - 1 : t) = '\0';      /* arg is the field name */
	m->field = arg;
	if (*arg == '\0')
		die(EX_USAGE, "-m: no field name before '~'");
	err = regcomp(&m->re, t + 1, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (err != 0) {
		regerror(err, &m->re, msg, sizeof msg);
		die(EX_USAGE, "-m %s: %s", t + 1, msg);
	}
	opt.nmatch++;
}

static void
set_mode(enum mode m)
{
	if (opt.mode != 0 && opt.mode != m)
		die(EX_USAGE, "-A, -D, -p, -R and -j exclude each other");
	opt.mode = m;
}

/* Note the length of each field name, for selected(). */
static void
finish_fields(void)
{
	size_t i;

	opt.fieldlen = xmalloc(opt.nfield * sizeof *opt.fieldlen);
	for (i = 0; i < opt.nfield; i++)
		opt.fieldlen[i] = strlen(opt.field[i]);
}

/* The mode when none of -A -D -p -R -j was given, and the checks. */
static void
finish_opts(void)
{
	static char *addrs[] = { "from", "sender", "reply-to", "to", "cc",
	    "bcc" };
	static char *date[] = { "date" }, *ctype[] = { "content-type" };

	if (opt.raw && opt.mode != 0)
		die(EX_USAGE, "-r goes with plain values only");
	if (opt.mode == M_ROUTE && opt.nfield > 0)
		die(EX_USAGE, "-R reads the Received fields; no -h with it");
	if (opt.mode == 0 && opt.nfield > 0)
		opt.mode = M_TEXT;
	else if (opt.mode == 0)
		opt.mode = opt.nmatch > 0 ? M_QUIET : M_LIST;
	if (opt.nfield > 0)
		return;
	if (opt.mode == M_ADDR) {
		opt.field = addrs;
		opt.nfield = sizeof addrs / sizeof *addrs;
	} else if (opt.mode == M_DATE || opt.mode == M_PARAM) {
		opt.field = opt.mode == M_DATE ? date : ctype;
		opt.nfield = 1;
	}
}

static int
parse_opts(int argc, char *argv[])
{
	static const struct option lopts[] = {
		USAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "ADHNRVh:jm:p:r";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (c) {
		case 'A': set_mode(M_ADDR); break;
		case 'D': set_mode(M_DATE); break;
		case 'H': opt.shownames = 1; break;
		case 'N': opt.names = 1; break;
		case 'R': set_mode(M_ROUTE); break;
		case 'V': version();
		case 'h': add_fields(optarg); break;
		case 'j': set_mode(M_JSON); break;
		case 'm': add_match(optarg); break;
		case 'p': set_mode(M_PARAM); opt.param = optarg; break;
		case 'r': opt.raw = 1; break;
		default: usage_opt(c, optstr, argv, synopsis);
		}
	}
	finish_opts();
	finish_fields();
	return optind;
}

/* ---- values ---- */

/* Replace control characters but TAB with spaces, in place: a regex
 * (-m) sees one line, and a NUL would end the string it is given. */
static void
oneline(struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (((unsigned char)b->p[i] < 0x20 && b->p[i] != '\t') ||
		    b->p[i] == 0x7f)
			b->p[i] = ' ';
}

/* Unfold f into st.unf and, unless raw, decode it into st.val. */
static struct buf *
value(const struct hdrfield *f, int raw)
{
	buf_reset(&st.unf);
	hdr_unfold(f->val, f->vallen, &st.unf);
	if (raw)
		return &st.unf;
	buf_reset(&st.val);
	st.utf8 = rfc2047_decode(st.unf.p, st.unf.len, &st.val) == 0;
	return &st.val;
}

/* ---- -m ---- */

/* Does any occurrence of the field match (or, negated, none)? */
static int
match_one(const struct match *m, const char *h, size_t len)
{
	struct hdrfield f;
	struct buf *v;
	size_t off = 0;

	while (hdr_next(h, len, &off, &f)) {
		if (!hdr_is(&f, m->field))
			continue;
		v = value(&f, 0);
		oneline(v);
		if (regexec(&m->re, v->p, 0, NULL, 0) == 0)
			return !m->negate;
	}
	return m->negate;
}

static int
match_all(const char *h, size_t len)
{
	size_t i;

	for (i = 0; i < opt.nmatch; i++)
		if (!match_one(&opt.match[i], h, len))
			return 0;
	return 1;
}

/* ---- output, one function per mode ---- */

static void
prefix(const char *file, const struct hdrfield *f)
{
	if (opt.shownames) {
		rec_outs(file);
		outc('\t');
	}
	if (f != NULL && (opt.names || opt.mode == M_LIST)) {
		rec_out(f->name, f->namelen);
		outs(": ");
	}
}

static void
print_text(const char *file, const struct hdrfield *f)
{
	struct buf *v = value(f, opt.raw);

	prefix(file, f);
	if (v == &st.val && st.utf8)
		rec_out_utf8(v->p, v->len);
	else
		rec_out(v->p, v->len);
	outc('\n');
	st.found = 1;
}

static void
print_addrs(const char *file, const struct hdrfield *f)
{
	struct addrlist l;
	size_t i;

	memset(&l, 0, sizeof l);
	if (addr_parse(f->val, f->vallen, &l) < 0)
		warn("%s: %.*s: more than %d addresses, the rest ignored",
		    shown(file), (int)f->namelen, f->name, ADDR_MAX);
	if (l.nbad > 0) {
		char *bad = rec_quote_dup(l.bad, strlen(l.bad), 200);

		warn("%s: %.*s: %zu address(es) not read whole, the "
		    "first: '%s'", shown(file), (int)f->namelen, f->name,
		    l.nbad, bad);
		free(bad);
	}
	for (i = 0; i < l.n; i++) {
		prefix(file, f);
		rec_outs(l.v[i].addr);
		outc('\t');
		rec_outs(l.v[i].name);
		outc('\n');
		st.found = 1;
	}
	addr_free(&l);
}

static void
print_date(const char *file, const struct hdrfield *f)
{
	struct buf *v = value(f, 1);
	char iso[32];
	long long t;

	if (date_parse(v->p, v->len, &t, NULL) < 0) {
		buf_reset(&st.json);
		rec_field(&st.json, v->p, v->len);
		warn("%s: %.*s: not a date: %s", shown(file), (int)f->namelen,
		    f->name, st.json.p);
		return;
	}
	date_iso(t, iso);
	prefix(file, f);
	outs(iso);
	outc('\n');
	st.found = 1;
}

static void
print_param(const char *file, const struct hdrfield *f)
{
	struct buf *u = value(f, 1);

	buf_reset(&st.val);
	if (rfc2231_param(u->p, u->len, opt.param, &st.val) == 0)
		return;
	prefix(file, f);
	rec_out(st.val.p, st.val.len);
	outc('\n');
	st.found = 1;
}

static int
selected(const struct hdrfield *f)
{
	size_t i;

	if (opt.nfield == 0)
		return 1;
	for (i = 0; i < opt.nfield; i++)
		if (f->namelen == opt.fieldlen[i] && hdr_is(f, opt.field[i]))
			return 1;
	return 0;
}

static void
print_fields(const char *file, const char *h, size_t len)
{
	struct hdrfield f;
	size_t off = 0;

	while (hdr_next(h, len, &off, &f)) {
		if (!selected(&f))
			continue;
		switch (opt.mode) {
		case M_ADDR: print_addrs(file, &f); break;
		case M_DATE: print_date(file, &f); break;
		case M_PARAM: print_param(file, &f); break;
		default: print_text(file, &f); break;
		}
	}
}

/* -R: TIME FROM BY WITH DELAY, the oldest hop (the last field) first. */
static void
print_hop(const char *file, const struct route_hop *h,
    const struct route_hop *prev)
{
	char num[32];

	prefix(file, NULL);
	if (h->timeok) {
		date_iso(h->time, num);
		outs(num);
	}
	outc('\t');
	rec_out(h->from, h->fromlen);
	outc('\t');
	rec_out(h->by, h->bylen);
	outc('\t');
	rec_out(h->with, h->withlen);
	outc('\t');
	if (prev != NULL && prev->timeok && h->timeok) {
		snprintf(num, sizeof num, "%lld", h->time - prev->time);
		outs(num);
	}
	outc('\n');
	st.found = 1;
}

static void
print_route(const char *file, const char *h, size_t len)
{
	struct hdrfield f;
	size_t off = 0, i;

	st.nhop = 0;
	while (hdr_next(h, len, &off, &f)) {
		if (!hdr_is(&f, "received"))
			continue;
		if (st.nhop == st.hopalloc) {
			st.hopalloc = st.hopalloc ? 2 * st.hopalloc : 16;
			st.hop = xrealloc(st.hop, st.hopalloc * sizeof *st.hop);
		}
		route_received(f.val, f.vallen, &st.hop[st.nhop++]);
	}
	for (i = st.nhop; i-- > 0;)
		print_hop(file, &st.hop[i],
		    i + 1 < st.nhop ? &st.hop[i + 1] : NULL);
}

/*
 * One JSON record per message, built in st.json (json.h) and written
 * whole; a record over JSON_MAX is left out with a warning, never cut.
 */
static void
print_json(const char *file, const char *h, size_t len)
{
	struct hdrfield f;
	struct buf *j = &st.json;
	struct buf *v;
	size_t off = 0;
	int bad = 0, first = 1;

	buf_reset(j);
	bad |= json_kstrs(j, "file", file);
	bad |= json_karr(j, "fields");
	while (hdr_next(h, len, &off, &f)) {
		if (!selected(&f))
			continue;
		if (!first)
			bad |= buf_addc(j, ',');
		first = 0;
		bad |= json_kstr(j, "name", f.name, f.namelen);
		v = value(&f, 0);       /* st.unf holds the raw value */
		bad |= json_kstr(j, "raw", st.unf.p, st.unf.len);
		bad |= json_kstr(j, "value", v->p, v->len);
		bad |= json_end(j);
		st.found = 1;
	}
	bad |= buf_adds(j, "]");
	bad |= json_end(j);
	bad |= buf_addc(j, '\n');
	if (bad) {
		warn("%s: a record too long for JSON was left out",
		    shown(file));
		fail(EX_DATAERR);
		return;
	}
	out(j->p, j->len);
}

/* ---- input ---- */

/* The story for one message. */
static void
message(const char *file, const char *h, size_t len)
{
	if (!match_all(h, len))
		return;
	st.matched = 1;
	switch (opt.mode) {
	case M_QUIET:
		if (opt.shownames) {
			rec_outs(file);
			outc('\n');
		}
		break;
	case M_ROUTE: print_route(file, h, len); break;
	case M_JSON: print_json(file, h, len); break;
	default: print_fields(file, h, len); break;
	}
}

/* A header over the cap is bad data: a part of it could print a field
 * the rest would have contradicted, and the input may have no end. */
static void
header(const char *file, const char *h, size_t len, int truncated)
{
	if (truncated) {
		warn("%s: header longer than %d bytes", shown(file), HDR_MAX);
		fail(EX_DATAERR);
		return;
	}
	message(file, h, len);
}

static void
on_msg(void *arg, const struct input_msg *m)
{
	(void)arg;
	header(m->name, m->hdr, m->hdrlen, m->truncated);
}

static void
setup(void)
{
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	buf_init(&st.unf, HDR_MAX);
	buf_init(&st.val, VAL_MAX);
	buf_init(&st.json, JSON_MAX);
	buf_init(&st.shown, JSON_MAX);
	/* allocate now, so that p is a string even when nothing is added */
	buf_add(&st.unf, "", 0);
	buf_add(&st.val, "", 0);
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < opt.nmatch; i++)
		regfree(&opt.match[i].re);
	buf_free(&st.unf);
	buf_free(&st.val);
	buf_free(&st.json);
	buf_free(&st.shown);
	free(st.hop);
	free(opt.fieldlen);
	charset_cleanup();
}

static int
exit_status(void)
{
	if (st.status != 0)
		return st.status;
	if (opt.nmatch > 0)
		return st.matched ? 0 : 1;
	if (opt.mode == M_LIST || (opt.mode == M_JSON && opt.nfield == 0))
		return 0;
	return st.found ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct input in = { INPUT_HEADER, HDR_MAX, on_msg, NULL, 0, NULL };
	int i;

	setprogname(argv[0]);
	i = parse_opts(argc, argv);
	argc -= i;
	argv += i;
	opt.shownames |= argc > 1;
	setup();
	input_loop(&in, argc, argv);
	fail(in.status);
	cleanup();
	out_close();
	return exit_status();
}
