/*
 * mimepack: compose a MIME message from a text body and attachments.
 *
 * Every input is read twice, in CHUNK-sized pieces: once to choose the
 * transfer encoding (7bit needs ASCII, short lines, no NUL or CR; text
 * that is not 7bit goes quoted-printable, anything else base64), once to
 * encode it.  Standard input cannot be read twice, so it is spooled to a
 * temporary file first.  Memory stays bounded whatever the sizes.
 *
 * Attachments keep their bytes exactly: text with CR in it goes base64,
 * since quoted-printable text mode would turn CRLF into LF.  The body,
 * being text for people, may have its CRLF turned into LF that way.
 *
 * Every file is opened, and every header value checked, before the first
 * byte is written, so a failing run leaves no half message behind.
 * Header values with CR or LF are refused (exit 65): a line break in a
 * -s or -H argument is the classic header injection.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "charset.h"
#include "codec.h"
#include "hdrenc.h"
#include "util.h"

#define CHUNK    65536
#define HDR_MAX  (4u << 20)
#define BOUND_RAND 12           /* random bytes in a boundary */

enum cte { CTE_7BIT, CTE_8BIT, CTE_QP, CTE_B64 };
static const char *cte_name[] = { "7bit", "8bit", "quoted-printable",
    "base64" };

/* What the first pass learnt about one input. */
struct scan {
	int ascii, utf8, nul, cr, trailws, longline;
	size_t linelen;
	int last;               /* the last byte, or -1 */
};

struct part {
	const char *path;       /* "-" for stdin, NULL for no body */
	FILE *fp;
	const char *type;       /* forced, or NULL */
	const char *name;       /* for the disposition, or NULL */
	char mtype[256];        /* the Content-Type value */
	int isbody;             /* body text or its HTML: no disposition */
	enum cte cte;
};

static struct {
	const char *subject, *from, *textfile, *html, *boundary, *date, *msgid;
	const char **to, **cc, **bcc, **hdr;
	size_t nto, ncc, nbcc, nhdr;
	struct part *att;
	size_t natt;
	int crlf, eight, stdin_used;
} opt;

static magic_t magic;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-8] [-s subject] [-f from] [-t to]... [-c cc]... "
	    "[-b bcc]...\n"
	    "       [-M htmlfile] "
	    "[-H 'Field: value']... [-T textfile] "
	    "[-a file[:type[:name]]]...\n"
	    "       [--boundary str] [--date date] [--message-id id] "
	    "[--crlf]\n"
	    "       %s -V\n", progname, progname);
	exit(EX_USAGE);
}

/* Write to stdout, LF as CRLF with --crlf. */
static void
emit(const char *p, size_t n)
{
	const char *e = p + n, *nl;

	if (!opt.crlf) {
		out(p, n);
		return;
	}
	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL) {
			out(p, (size_t)(e - p));
			return;
		}
		out(p, (size_t)(nl - p));
		out("\r\n", 2);
	}
}

static void
emits(const char *s)
{
	emit(s, strlen(s));
}

static void
push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* FILE[:TYPE[:NAME]]; a FILE that exists with colons in it wins. */
static void
add_att(char *arg)
{
	struct part *a;
	char *c;

	opt.att = xrealloc(opt.att, (opt.natt + 1) * sizeof(*opt.att));
	a = &opt.att[opt.natt++];
	memset(a, 0, sizeof(*a));
	a->path = arg;
	if (access(arg, F_OK) == 0 || (c = strchr(arg, ':')) == NULL)
		return;
	*c++ = '\0';
	a->type = c;
	if ((c = strchr(c, ':')) != NULL) {
		*c++ = '\0';
		a->name = c;
	}
	if (*a->type == '\0')
		a->type = NULL;
}

static int
parse_opts(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "boundary", required_argument, NULL, 1 },
		{ "date", required_argument, NULL, 2 },
		{ "message-id", required_argument, NULL, 3 },
		{ "crlf", no_argument, NULL, 4 },
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "8H:M:T:Va:b:c:f:hs:t:";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (c) {
		case '8': opt.eight = 1; break;
		case 'H': push(&opt.hdr, &opt.nhdr, optarg); break;
		case 'M': opt.html = optarg; break;
		case 'T': opt.textfile = optarg; break;
		case 'V': version();
		case 'a': add_att(optarg); break;
		case 'b': push(&opt.bcc, &opt.nbcc, optarg); break;
		case 'c': push(&opt.cc, &opt.ncc, optarg); break;
		case 'f': opt.from = optarg; break;
		case 's': opt.subject = optarg; break;
		case 't': push(&opt.to, &opt.nto, optarg); break;
		case 1: opt.boundary = optarg; break;
		case 2: opt.date = optarg; break;
		case 3: opt.msgid = optarg; break;
		case 4: opt.crlf = 1; break;
		case 'h': usage();
		default:
			/* a long option: optopt is 0 or its value, 1 to 4 */
			if (optopt >= 0 && optopt <= 4)
				warn("bad option %s", argv[optind - 1]);
			else
				warn_badopt(optstr);
			usage();
		}
	}
	return optind;
}

/* --- checking the arguments before any output -------------------- */

static void
no_breaks(const char *what, const char *s)
{
	if (s != NULL && strpbrk(s, "\r\n") != NULL)
		die(EX_DATAERR, "%s: line break in a header value", what);
}

static void
no_breaks_v(const char *what, const char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		no_breaks(what, v[i]);
}

/* The length of the field name of "Name: value", or 0 if it is bad. */
static size_t
field_name(const char *s)
{
	size_t i;

	for (i = 0; s[i] != ':'; i++)
		if (s[i] < 33 || s[i] > 126 || i >= 76)
			return 0;
	return i;
}

static int
is_field(const char *s, const char *name)
{
	size_t n = field_name(s);

	return n > 0 && strcaseeqn(s, n, name);
}

static void
check_args(void)
{
	size_t i;

	no_breaks("-s", opt.subject);
	no_breaks("-f", opt.from);
	no_breaks_v("-t", opt.to, opt.nto);
	no_breaks_v("-c", opt.cc, opt.ncc);
	no_breaks_v("-b", opt.bcc, opt.nbcc);
	no_breaks_v("-H", opt.hdr, opt.nhdr);
	no_breaks("--date", opt.date);
	no_breaks("--message-id", opt.msgid);
	for (i = 0; i < opt.natt; i++) {
		no_breaks("-a", opt.att[i].type);
		no_breaks("-a", opt.att[i].name);
	}
	for (i = 0; i < opt.nhdr; i++) {
		if (field_name(opt.hdr[i]) == 0)
			die(EX_USAGE, "-H %s: not 'Field: value'", opt.hdr[i]);
		if (is_field(opt.hdr[i], "MIME-Version") ||
		    strncasecmp(opt.hdr[i], "Content-", 8) == 0)
			die(EX_USAGE, "-H %s: mimepack writes that field",
			    opt.hdr[i]);
	}
	if (opt.boundary != NULL) {
		size_t n = strlen(opt.boundary);

		if (n == 0 || n > 70 || opt.boundary[n - 1] == ' ' ||
		    strspn(opt.boundary, "0123456789abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ") != n)
			die(EX_USAGE, "--boundary: not a valid boundary");
	}
}

/* --- opening and scanning the inputs ------------------------------ */

/* Copy stdin to a temporary file, so that it can be read twice. */
static FILE *
spool_stdin(void)
{
	static char b[CHUNK];
	FILE *fp;
	size_t n;

	if (opt.stdin_used++)
		die(EX_USAGE, "standard input can be used only once");
	if ((fp = tmpfile()) == NULL)
		die(EX_CANTCREAT, "tmpfile:");
	while ((n = fread(b, 1, sizeof(b), stdin)) > 0)
		if (fwrite(b, 1, n, fp) != n)
			die(EX_IOERR, "spooling stdin:");
	if (ferror(stdin))
		die(EX_IOERR, "stdin:");
	if (fflush(fp) == EOF)
		die(EX_IOERR, "spooling stdin:");
	rewind(fp);
	return fp;
}

static FILE *
open_input(const char *path)
{
	struct stat st;
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return spool_stdin();
	if ((fp = fopen(path, "rb")) == NULL)
		die(EX_NOINPUT, "%s:", path);
	if (fstat(fileno(fp), &st) == -1)
		die(EX_IOERR, "%s:", path);
	if (S_ISDIR(st.st_mode))
		die(EX_NOINPUT, "%s: is a directory", path);
	return fp;
}

/* Feed one chunk to the scan (all but UTF-8 validity, see scan_file). */
static void
scan_chunk(struct scan *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			if (s->last == ' ' || s->last == '\t')
				s->trailws = 1;
			s->linelen = 0;
		} else if (++s->linelen > 998)
			s->longline = 1;
		if (c >= 0x80)
			s->ascii = 0;
		if (c == '\0')
			s->nul = 1;
		if (c == '\r')
			s->cr = 1;
		s->last = c;
	}
}

/* How many bytes at the end of (p, n) start a character not complete? */
static size_t
cut_tail(const unsigned char *p, size_t n)
{
	size_t k, need;

	for (k = 1; k <= 3 && k <= n; k++) {
		unsigned char c = p[n - k];

		if ((c & 0xc0) == 0x80)
			continue;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

static void
scan_file(FILE *fp, const char *what, struct scan *s)
{
	static char b[CHUNK + 4];
	size_t n, nc = 0, keep;

	memset(s, 0, sizeof(*s));
	s->ascii = s->utf8 = 1;
	s->last = -1;
	while ((n = fread(b + nc, 1, CHUNK, fp)) > 0) {
		scan_chunk(s, b + nc, n);
		n += nc;
		keep = cut_tail((unsigned char *)b, n);
		if (s->utf8 && !utf8_valid(b, n - keep))
			s->utf8 = 0;
		memmove(b, b + n - keep, keep);
		nc = keep;
	}
	if (ferror(fp))
		die(EX_IOERR, "%s:", what);
	if (nc > 0)
		s->utf8 = 0;
	if (s->last == ' ' || s->last == '\t')
		s->trailws = 1;
	rewind(fp);
}

static enum cte
choose(const struct scan *s, int text, int body)
{
	int clean = !s->nul && !s->cr && !s->longline && !s->trailws;

	if (clean && s->ascii)
		return CTE_7BIT;
	if (!text || s->nul || (s->cr && !body))
		return CTE_B64;
	if (clean && s->utf8 && opt.eight)
		return CTE_8BIT;
	return CTE_QP;
}

/* --- types ---------------------------------------------------------- */

/* libmagic's answer for the open file (flags MAGIC_MIME_*), or NULL. */
static const char *
sniff(FILE *fp, int flags)
{
	const char *r;

	if (magic == NULL && ((magic = magic_open(flags)) == NULL ||
	    magic_load(magic, NULL) == -1)) {
		warn("libmagic: cannot load its database");
		return NULL;
	}
	magic_setflags(magic, flags);
	rewind(fp);
	r = magic_descriptor(magic, fileno(fp));
	rewind(fp);
	return r;
}

static int
is_text(const char *type)
{
	return strncasecmp(type, "text/", 5) == 0;
}

/* The charset to declare for text: what the scan knows, else libmagic. */
static const char *
charset_of(FILE *fp, const struct scan *s)
{
	const char *cs;

	if (s->ascii)
		return "us-ascii";
	if (s->utf8)
		return "utf-8";
	cs = sniff(fp, MAGIC_MIME_ENCODING);
	if (cs == NULL || strcmp(cs, "binary") == 0 ||
	    strcmp(cs, "unknown-8bit") == 0 || strpbrk(cs, " ;\"") != NULL)
		return "unknown-8bit";
	return cs;
}

/* Fill a->mtype and a->cte; the body is text/plain. */
static void
type_part(struct part *a, int body)
{
	const char *t = a->type;
	char tb[sizeof(a->mtype)];
	struct scan s;
	int n;

	scan_file(a->fp, a->path != NULL ? a->path : "stdin", &s);
	if (t == NULL)
		t = sniff(a->fp, MAGIC_MIME_TYPE);
	if (t == NULL || strchr(t, '/') == NULL || strpbrk(t, "\r\n\"") != NULL)
		t = "application/octet-stream";
	/* libmagic's answer lives in its buffer, until the next call */
	if ((size_t)snprintf(tb, sizeof(tb), "%s", t) >= sizeof(tb))
		die(EX_USAGE, "%s: type too long", a->path);
	a->cte = choose(&s, is_text(tb), body);
	if (is_text(tb) && strchr(tb, ';') == NULL)
		n = snprintf(a->mtype, sizeof(a->mtype), "%s; charset=%s", tb,
		    charset_of(a->fp, &s));
	else
		n = snprintf(a->mtype, sizeof(a->mtype), "%s", tb);
	if ((size_t)n >= sizeof(a->mtype))
		die(EX_USAGE, "%s: type too long", a->path);
}

/* --- the header --------------------------------------------------- */

static void
hex(char *d, size_t nbytes)
{
	unsigned char r[32];
	FILE *fp;
	size_t i;

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	if ((fp = fopen("/dev/urandom", "rb")) == NULL ||
	    fread(r, 1, nbytes, fp) != nbytes)
		die(EX_OSERR, "/dev/urandom:");
	fclose(fp);
	for (i = 0; i < nbytes; i++)
		sprintf(d + 2 * i, "%02x", r[i]);
}

static void
hdr_check(int r)
{
	if (r == -1)
		die(EX_DATAERR, "header longer than %u bytes", HDR_MAX);
}

/* "Name: a, b, c" from address lists; display names encoded.  The
 * comma goes with its address, so that folding counts it. */
static void
field_addrs(struct buf *h, const char *name, const char **v, size_t n)
{
	struct addrlist l;
	struct buf w;
	size_t i, j, col;

	if (n == 0)
		return;
	hdr_check(buf_printf(h, "%s:", name));
	col = strlen(name) + 1;
	buf_init(&w, HDR_MAX);
	for (i = 0; i < n; i++) {
		memset(&l, 0, sizeof(l));
		addr_parse(v[i], strlen(v[i]), &l);
		if (l.n == 0)
			die(EX_DATAERR, "%s: no address in '%s'", name, v[i]);
		for (j = 0; j < l.n; j++) {
			struct addr *a = &l.v[j];
			int last = i + 1 == n && j + 1 == l.n;

			buf_reset(&w);
			if (*a->name != '\0') {
				hdr_check(hdrenc_phrase(h, &col, a->name,
				    strlen(a->name)));
				hdr_check(buf_printf(&w, "<%s>", a->addr));
			} else
				hdr_check(buf_adds(&w, a->addr));
			hdr_check(buf_adds(&w, last ? "" : ","));
			hdr_check(hdrenc_word(h, &col, w.p, w.len, 1));
		}
		addr_free(&l);
	}
	buf_free(&w);
	hdr_check(buf_addc(h, '\n'));
}

static void
field_text(struct buf *h, const char *name, size_t nlen, const char *v)
{
	size_t col = nlen + 1;

	hdr_check(buf_printf(h, "%.*s:", (int)nlen, name));
	hdr_check(hdrenc_text(h, &col, v, strlen(v)));
	hdr_check(buf_addc(h, '\n'));
}

static int
have_field(const char *name)
{
	size_t i;

	for (i = 0; i < opt.nhdr; i++)
		if (is_field(opt.hdr[i], name))
			return 1;
	return 0;
}

static void
field_date(struct buf *h)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char d[64], *e;
	struct tm tm;
	time_t t;

	if (opt.date != NULL) {
		field_text(h, "Date", 4, opt.date);
		return;
	}
	if (sde != NULL && *sde != '\0') {
		t = (time_t)strtoll(sde, &e, 10);
		if (*e != '\0')
			die(EX_USAGE, "SOURCE_DATE_EPOCH: not a number");
		gmtime_r(&t, &tm);
	} else {
		t = time(NULL);
		localtime_r(&t, &tm);
	}
	strftime(d, sizeof(d), "%a, %d %b %Y %H:%M:%S %z", &tm);
	hdr_check(buf_printf(h, "Date: %s\n", d));
}

static void
field_msgid(struct buf *h)
{
	char host[256], r[33];

	if (opt.msgid != NULL) {
		if (opt.msgid[0] == '<')
			hdr_check(buf_printf(h, "Message-ID: %s\n", opt.msgid));
		else
			hdr_check(buf_printf(h, "Message-ID: <%s>\n",
			    opt.msgid));
		return;
	}
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0' ||
	    strpbrk(host, "<>@ ") != NULL)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	hex(r, 16);
	hdr_check(buf_printf(h, "Message-ID: <%s@%s>\n", r, host));
}

static void
write_header(const char *ctype, const char *boundary, enum cte cte)
{
	struct buf h;
	size_t i, n;

	buf_init(&h, HDR_MAX);
	if (!have_field("Date"))
		field_date(&h);
	if (opt.from != NULL)
		field_addrs(&h, "From", &opt.from, 1);
	field_addrs(&h, "To", opt.to, opt.nto);
	field_addrs(&h, "Cc", opt.cc, opt.ncc);
	field_addrs(&h, "Bcc", opt.bcc, opt.nbcc);
	if (opt.subject != NULL)
		field_text(&h, "Subject", 7, opt.subject);
	if (!have_field("Message-ID"))
		field_msgid(&h);
	for (i = 0; i < opt.nhdr; i++) {
		n = field_name(opt.hdr[i]);
		field_text(&h, opt.hdr[i], n,
		    opt.hdr[i] + n + 1 + strspn(opt.hdr[i] + n + 1, " \t"));
	}
	hdr_check(buf_adds(&h, "MIME-Version: 1.0\n"));
	if (boundary != NULL)
		hdr_check(buf_printf(&h, "Content-Type: %s;\n boundary=\"%s\"\n%s",
		    ctype, boundary, cte == CTE_8BIT ?
		    "Content-Transfer-Encoding: 8bit\n" : ""));
	else
		hdr_check(buf_printf(&h, "Content-Type: %s\n"
		    "Content-Transfer-Encoding: %s\n", ctype, cte_name[cte]));
	emit(h.p, h.len);
	buf_free(&h);
}

/* --- the body ----------------------------------------------------- */

/* Encode the whole input; return the last byte written, or -1. */
static int
put_content(FILE *fp, const char *what, enum cte cte)
{
	static char in[CHUNK], o[QP_ENC_BOUND(CHUNK) + B64_ENC_BOUND(CHUNK)];
	struct b64_enc b;
	struct qp_enc q;
	size_t n, k;
	int last = -1;

	b64_enc_init(&b);
	qp_enc_init(&q, 0);
	while ((n = fread(in, 1, sizeof(in), fp)) > 0) {
		if (cte == CTE_B64)
			k = b64_enc_update(&b, in, n, o);
		else if (cte == CTE_QP)
			k = qp_enc_update(&q, in, n, o);
		else
			memcpy(o, in, k = n);
		emit(o, k);
		if (k > 0)
			last = (unsigned char)o[k - 1];
	}
	if (ferror(fp))
		die(EX_IOERR, "%s:", what);
	k = cte == CTE_B64 ? b64_enc_final(&b, o) :
	    cte == CTE_QP ? qp_enc_final(&q, o) : 0;
	emit(o, k);
	if (k > 0)
		last = (unsigned char)o[k - 1];
	return last;
}

static void
put_part(const struct part *a, const char *boundary)
{
	struct buf h;
	size_t col;

	buf_init(&h, HDR_MAX);
	hdr_check(buf_printf(&h, "--%s\nContent-Type: %s\n"
	    "Content-Transfer-Encoding: %s\n", boundary, a->mtype,
	    cte_name[a->cte]));
	if (a->name != NULL) {
		hdr_check(buf_adds(&h, "Content-Disposition: attachment"));
		col = strlen("Content-Disposition: attachment");
		hdr_check(hdrenc_param(&h, &col, "filename", a->name,
		    strlen(a->name)));
		hdr_check(buf_addc(&h, '\n'));
	} else if (!a->isbody)
		hdr_check(buf_adds(&h, "Content-Disposition: attachment\n"));
	hdr_check(buf_addc(&h, '\n'));
	emit(h.p, h.len);
	buf_free(&h);
	put_content(a->fp, a->path ? a->path : "stdin", a->cte);
	emits("\n");
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Open and type every input: the body, its HTML, the attachments. */
static void
prepare(struct part *body, struct part *html)
{
	size_t i;

	for (i = 0; i < opt.natt; i++)
		opt.att[i].fp = open_input(opt.att[i].path);
	memset(html, 0, sizeof(*html));
	if (opt.html != NULL) {
		html->fp = open_input(html->path = opt.html);
		html->type = "text/html";
		html->isbody = 1;
		type_part(html, 1);
	}
	memset(body, 0, sizeof(*body));
	body->type = "text/plain";
	body->isbody = 1;
	if (opt.textfile != NULL)
		body->fp = open_input(body->path = opt.textfile);
	else if (!opt.stdin_used)
		body->fp = open_input("-");
	else if ((body->fp = tmpfile()) == NULL)
		die(EX_CANTCREAT, "tmpfile:");
	for (i = 0; i < opt.natt; i++) {
		struct part *a = &opt.att[i];

		if (a->name == NULL && strcmp(a->path, "-") != 0)
			a->name = base_name(a->path);
		type_part(a, 0);
	}
	type_part(body, 1);
}

/* The body, with its HTML alternative if there is one. */
static void
put_body(struct part *body, struct part *html, const char *bnd)
{
	char alt[84];

	if (html->fp == NULL) {
		fseek(body->fp, 0, SEEK_END);
		if (ftell(body->fp) > 0 || opt.textfile != NULL) {
			rewind(body->fp);
			put_part(body, bnd);
		}
		return;
	}
	if (opt.natt == 0) {
		put_part(body, bnd);
		put_part(html, bnd);
		return;
	}
	/* "alt" first: neither boundary can then begin the other */
	snprintf(alt, sizeof(alt), "alt%.67s", bnd);
	emits("--");
	emits(bnd);
	emits("\nContent-Type: multipart/alternative;\n boundary=\"");
	emits(alt);
	emits("\"\n");
	if (body->cte == CTE_8BIT || html->cte == CTE_8BIT)
		emits("Content-Transfer-Encoding: 8bit\n");
	emits("\n");
	put_part(body, alt);
	put_part(html, alt);
	emits("--");
	emits(alt);
	emits("--\n");
}

static void
make_boundary(char *bnd, size_t size)
{
	char r[2 * BOUND_RAND + 1];

	if (opt.boundary == NULL) {
		hex(r, BOUND_RAND);
		snprintf(bnd, size, "=_yubin_%s", r);
	} else
		snprintf(bnd, size, "%s", opt.boundary);
}

/* A multipart holding an 8bit part must say so (RFC 2045 §6.4). */
static enum cte
outer_cte(const struct part *body, const struct part *html)
{
	size_t i;

	if (body->cte == CTE_8BIT || html->cte == CTE_8BIT)
		return CTE_8BIT;
	for (i = 0; i < opt.natt; i++)
		if (opt.att[i].cte == CTE_8BIT)
			return CTE_8BIT;
	return CTE_7BIT;
}

int
main(int argc, char *argv[])
{
	struct part body, html;
	char bnd[80];
	size_t i;
	int last;

	setprogname(argv[0]);
	if (parse_opts(argc, argv) != argc)
		usage();
	check_args();
	prepare(&body, &html);
	if (opt.natt == 0 && html.fp == NULL) {
		write_header(body.mtype, NULL, body.cte);
		emits("\n");
		last = put_content(body.fp, "body", body.cte);
		if (last != -1 && last != '\n')
			emits("\n");
		out_close();
		return 0;
	}
	make_boundary(bnd, sizeof(bnd));
	write_header(opt.natt > 0 ? "multipart/mixed" : "multipart/alternative",
	    bnd, outer_cte(&body, &html));
	emits("\n");
	put_body(&body, &html, bnd);
	for (i = 0; i < opt.natt; i++)
		put_part(&opt.att[i], bnd);
	emits("--");
	emits(bnd);
	emits("--\n");
	out_close();
	return 0;
}
