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
 *
 * The tree is mixed [ related [ alternative [ plain, html ], inline ],
 * attachments ], each layer left out when it would hold one part.  An
 * inline part's Content-ID is its name at the Message-ID's domain, so
 * whoever writes the HTML can know it before the message exists, and a
 * deterministic run stays deterministic.
 *
 * -C converts the body and the HTML into a temporary file first, line
 * by line with the shift state reset at each line end; after that they
 * are text like any other.  -w streams the message through: only its
 * header is held.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ftype.h"
#include "hdrenc.h"
#include "hdrw.h"
#include "mimewrap.h"
#include "mimew.h"
#include "rec.h"
#include "recode.h"
#include "usage.h"
#include "util.h"

#define CHUNK    65536
#define HDR_MAX  (4u << 20)

struct part {
	const char *path;       /* "-" for stdin, NULL for no body */
	FILE *fp;
	const char *type;       /* forced, or NULL */
	const char *name;       /* for the disposition, or NULL */
	char mtype[256];        /* the Content-Type value */
	int isbody;             /* body text or its HTML: no disposition */
	int conv;               /* converted to -C's charset */
	char *cid;              /* -i: the Content-ID, without <> */
	enum mimew_cte cte;
};

static struct {
	const char *subject, *from, *textfile, *html, *boundary, *date, *msgid;
	const char **to, **cc, **bcc, **hdr;
	size_t nto, ncc, nbcc, nhdr;
	struct part *att, *inl;
	size_t natt, ninl;
	const char *charset;
	int crlf, eight, stdin_used, wrap;
} opt;

static const char *const synopsis[] = {
	"[-8] [-s subject] [-f from] [-t to]... [-c cc]... [-b bcc]...\n"
	"[-M htmlfile] [-H 'Field: value']... [-T textfile]\n"
	"[-a file[:type[:name]]]... [-i file[:type[:name]]]... [-C charset]\n"
	"[--boundary str] [--date date] [--message-id id] [--crlf]",
	"-w [-8] [-a file[:type[:name]]]... [-i file[:type[:name]]]...\n"
	"[--boundary str] [--crlf] < message",
	"-h | --help | -V | --version",
	NULL
};

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
add_att(struct part **v, size_t *nv, char *arg)
{
	struct part *a;
	char *c;

	*v = xrealloc(*v, (*nv + 1) * sizeof(**v));
	a = &(*v)[(*nv)++];
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
		USAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "8C:H:M:T:Va:b:c:f:hi:s:t:w";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (c) {
		case '8': opt.eight = 1; break;
		case 'C': opt.charset = optarg; break;
		case 'H': push(&opt.hdr, &opt.nhdr, optarg); break;
		case 'M': opt.html = optarg; break;
		case 'T': opt.textfile = optarg; break;
		case 'V': version();
		case 'a': add_att(&opt.att, &opt.natt, optarg); break;
		case 'i': add_att(&opt.inl, &opt.ninl, optarg); break;
		case 'w': opt.wrap = 1; break;
		case 'b': push(&opt.bcc, &opt.nbcc, optarg); break;
		case 'c': push(&opt.cc, &opt.ncc, optarg); break;
		case 'f': opt.from = optarg; break;
		case 's': opt.subject = optarg; break;
		case 't': push(&opt.to, &opt.nto, optarg); break;
		case 1: opt.boundary = optarg; break;
		case 2: opt.date = optarg; break;
		case 3: opt.msgid = optarg; break;
		case 4: opt.crlf = 1; break;
		case 'h': usage_exit(0, synopsis);
		default: usage_opt(c, optstr, argv, synopsis);
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

/* -w adds parts to a message: it has its own header and text. */
static void
check_wrap(void)
{
	if (opt.subject || opt.from || opt.nto || opt.ncc || opt.nbcc ||
	    opt.nhdr || opt.textfile || opt.html || opt.date || opt.msgid ||
	    opt.charset)
		die(EX_USAGE, "-w takes only -8, -a, -i, --boundary and --crlf");
	if (opt.natt + opt.ninl == 0)
		die(EX_USAGE, "-w: nothing to add (no -a or -i)");
}

/* A charset name goes into the header as a token. */
static void
check_charset(void)
{
	size_t n = strlen(opt.charset);

	if (n == 0 || n > 40 || strspn(opt.charset, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:+") != n)
		die(EX_USAGE, "-C %s: not a charset name", opt.charset);
	if (hdrenc_charset(opt.charset) == -1)
		die(EX_USAGE, "-C %s: charset unknown to iconv", opt.charset);
}

static void
check_args(void)
{
	size_t i;

	if (opt.wrap)
		check_wrap();
	else if (opt.ninl > 0 && opt.html == NULL)
		die(EX_USAGE, "-i needs -M: only HTML can refer to an inline "
		    "part");
	if (opt.charset != NULL)
		check_charset();
	for (i = 0; i < opt.ninl; i++) {
		no_breaks("-i", opt.inl[i].type);
		no_breaks("-i", opt.inl[i].name);
		if (strcmp(opt.inl[i].path, "-") == 0 && opt.inl[i].name == NULL)
			die(EX_USAGE, "-i -: give it a name (-i -:TYPE:NAME)");
	}
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

/* --- types ---------------------------------------------------------- */

static int
is_text(const char *type)
{
	return strncasecmp(type, "text/", 5) == 0;
}

/* The charset to declare for text: what the scan knows, else libmagic. */
static const char *
charset_of(FILE *fp, const struct mimew_scan *s)
{
	if (s->ascii)
		return "us-ascii";
	if (s->utf8)
		return "utf-8";
	return ftype_charset(fp);
}

/* Fill a->mtype and a->cte; the body is text/plain. */
static void
type_part(struct part *a, int body)
{
	const char *t = a->type;
	char tb[sizeof(a->mtype)];
	struct mimew_scan s;
	int n;

	if (t == NULL)
		t = ftype_type(a->fp);
	if (t == NULL || strchr(t, '/') == NULL || strpbrk(t, "\r\n\"") != NULL)
		t = "application/octet-stream";
	/* libmagic's answer lives in its buffer, until the next call */
	if ((size_t)snprintf(tb, sizeof(tb), "%s", t) >= sizeof(tb))
		die(EX_USAGE, "%s: type too long", a->path);
	mimew_scan(a->fp, a->path != NULL ? a->path : "stdin", &s,
	    is_text(tb));
	a->cte = mimew_choose(&s, is_text(tb), body, a->conv, opt.eight);
	if (is_text(tb) && strchr(tb, ';') == NULL)
		n = snprintf(a->mtype, sizeof(a->mtype), "%s; charset=%s", tb,
		    a->conv ? opt.charset : charset_of(a->fp, &s));
	else
		n = snprintf(a->mtype, sizeof(a->mtype), "%s", tb);
	if ((size_t)n >= sizeof(a->mtype))
		die(EX_USAGE, "%s: type too long", a->path);
}

/* --- the header --------------------------------------------------- */

static void
hdr_check(int r)
{
	if (r == -1)
		die(EX_DATAERR, "header longer than %u bytes", HDR_MAX);
	if (r == -2)
		die(EX_DATAERR, "header text not UTF-8 or not representable "
		    "in %s", opt.charset);
}

/* "; filename=...", which check_name() has tried already. */
static void
put_filename(struct buf *h, size_t *col, const char *name)
{
	hdr_check(hdrenc_param(h, col, "filename", name, strlen(name)));
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
write_header(const char *ctype, const char *boundary, enum mimew_cte cte)
{
	struct buf h;
	size_t i, n;

	buf_init(&h, HDR_MAX);
	if (!have_field("Date"))
		hdr_check(hdrw_date(&h, opt.date));
	if (opt.from != NULL)
		hdr_check(hdrw_addrs(&h, "From", &opt.from, 1));
	hdr_check(hdrw_addrs(&h, "To", opt.to, opt.nto));
	hdr_check(hdrw_addrs(&h, "Cc", opt.cc, opt.ncc));
	hdr_check(hdrw_addrs(&h, "Bcc", opt.bcc, opt.nbcc));
	if (opt.subject != NULL)
		hdr_check(hdrw_text(&h, "Subject", 7, opt.subject));
	if (!have_field("Message-ID"))
		hdr_check(hdrw_msgid(&h, opt.msgid));
	for (i = 0; i < opt.nhdr; i++) {
		n = field_name(opt.hdr[i]);
		hdr_check(hdrw_text(&h, opt.hdr[i], n,
		    opt.hdr[i] + n + 1 + strspn(opt.hdr[i] + n + 1, " \t")));
	}
	hdr_check(buf_adds(&h, "MIME-Version: 1.0\n"));
	if (boundary != NULL)
		hdr_check(buf_printf(&h, "Content-Type: %s;\n boundary=\"%s\"\n%s",
		    ctype, boundary, cte == MIMEW_8BIT ?
		    "Content-Transfer-Encoding: 8bit\n" : ""));
	else
		hdr_check(buf_printf(&h, "Content-Type: %s\n"
		    "Content-Transfer-Encoding: %s\n", ctype, mimew_cte_name[cte]));
	emit(h.p, h.len);
	buf_free(&h);
}

/* --- the body ----------------------------------------------------- */

static void
sink_emit(void *arg, const char *p, size_t n)
{
	(void)arg;
	emit(p, n);
}

static int
put_content(FILE *fp, const char *what, enum mimew_cte cte)
{
	return mimew_encode(fp, what, cte, sink_emit, NULL);
}

/*
 * RFC 2046 §5.1.1: no part may hold a line that a reader could take for
 * a delimiter (mimew_delim_in, which knows the "alt", "rel" and "altrel"
 * of put_child).  Only a boundary that is not our random one is checked
 * (--boundary, or the one of a message -w adds to).  Against --boundary
 * a part that fails is refused before the first byte is written
 * (DESIGN.md): the caller chose the boundary and can choose another.
 * Against the boundary of the message -w adds to, nobody can: the part
 * goes base64 instead.
 */
static void
check_delim(struct part *a, const char *bnd, int refuse)
{
	const char *what = a->path != NULL ? a->path : "stdin";
	int found;

	if (a->fp == NULL)
		return;
	found = mimew_delim_in(a->fp, what, a->cte, bnd);
	if (found && refuse)
		die(EX_DATAERR, "%s: a line starts like the delimiter --%s "
		    "(RFC 2046 5.1.1): choose another --boundary", what,
		    rec_quote_dup(bnd, strlen(bnd), 80));
	if (found)
		a->cte = MIMEW_B64;
}

static void
check_delims(struct part *v, size_t n, const char *bnd, int refuse)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_delim(&v[i], bnd, refuse);
}

static void
put_part(const struct part *a, const char *boundary)
{
	struct buf h;
	size_t col;

	buf_init(&h, HDR_MAX);
	hdr_check(buf_printf(&h, "--%s\nContent-Type: %s\n"
	    "Content-Transfer-Encoding: %s\n", boundary, a->mtype,
	    mimew_cte_name[a->cte]));
	if (a->cid != NULL) {
		hdr_check(buf_printf(&h, "Content-ID: <%s>\n", a->cid));
		hdr_check(buf_adds(&h, "Content-Disposition: inline"));
		col = strlen("Content-Disposition: inline");
		put_filename(&h, &col, a->name);
		hdr_check(buf_addc(&h, '\n'));
	} else if (a->name != NULL) {
		hdr_check(buf_adds(&h, "Content-Disposition: attachment"));
		col = strlen("Content-Disposition: attachment");
		put_filename(&h, &col, a->name);
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

/* --- inline parts and their Content-ID ---------------------------- */

/* The Message-ID's domain: --message-id, -H, else the host name. */
static void
cid_domain(char *d, size_t size, const char *wrapid)
{
	size_t i;

	if (wrapid != NULL && mimew_id_domain(wrapid, d, size))
		return;
	if (opt.msgid != NULL && mimew_id_domain(opt.msgid, d, size))
		return;
	for (i = 0; i < opt.nhdr; i++)
		if (is_field(opt.hdr[i], "Message-ID") &&
		    mimew_id_domain(opt.hdr[i], d, size))
			return;
	mimew_host(d, size);
	/* a host name with odd characters cannot be an id-right */
	if (strspn(d, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(d))
		snprintf(d, size, "localhost");
}

/*
 * Refuse a name the header cannot carry before anything is written: a
 * half-written message on stdout would be sent as it is by a mailsend
 * at the other end of the pipe.  With a cap this far away, -1 means a
 * name too long for RFC2231_SECTIONS sections of a line each.
 */
static void
check_name(const char *name)
{
	struct buf t;
	size_t col = strlen("Content-Disposition: attachment");

	buf_init(&t, HDR_MAX);
	if (hdrenc_param(&t, &col, "filename", name, strlen(name)) == -1)
		die(EX_DATAERR, "attachment name of %zu bytes: too long for a "
		    "MIME header", strlen(name));
	buf_free(&t);
}

static void
prepare_inline(const char *wrapid)
{
	char dom[256];
	size_t i, j;

	cid_domain(dom, sizeof(dom), wrapid);
	for (i = 0; i < opt.ninl; i++) {
		struct part *a = &opt.inl[i];

		if (a->name == NULL)
			a->name = base_name(a->path);
		check_name(a->name);
		a->cid = mimew_cid(a->name, dom);
		for (j = 0; j < i; j++)
			if (strcmp(opt.inl[j].cid, a->cid) == 0)
				die(EX_USAGE, "-i %s: Content-ID <%s> taken "
				    "already", a->path, a->cid);
		type_part(a, 0);
	}
}

/* --- preparing the inputs ------------------------------------------ */

static void
open_parts(void)
{
	size_t i;

	for (i = 0; i < opt.natt; i++)
		opt.att[i].fp = open_input(opt.att[i].path);
	for (i = 0; i < opt.ninl; i++)
		opt.inl[i].fp = open_input(opt.inl[i].path);
}

static void
type_attachments(void)
{
	size_t i;

	for (i = 0; i < opt.natt; i++) {
		struct part *a = &opt.att[i];

		if (a->name == NULL && strcmp(a->path, "-") != 0)
			a->name = base_name(a->path);
		if (a->name != NULL)
			check_name(a->name);
		type_part(a, 0);
	}
}

/* The body or its HTML, converted with -C. */
static void
type_text(struct part *a, const char *what)
{
	if (opt.charset != NULL) {
		if ((a->fp = recode_file(a->fp, what, opt.charset)) == NULL)
			die(EX_OSERR, "-C %s:", opt.charset);
		a->conv = 1;
	}
	type_part(a, 1);
}

/* Open and type every input: the body, its HTML, the parts. */
static void
prepare(struct part *body, struct part *html)
{
	open_parts();
	memset(html, 0, sizeof(*html));
	if (opt.html != NULL) {
		html->fp = open_input(html->path = opt.html);
		html->type = "text/html";
		html->isbody = 1;
		type_text(html, opt.html);
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
	type_attachments();
	prepare_inline(NULL);
	type_text(body, opt.textfile != NULL ? opt.textfile : "body");
}

/* --- the tree -------------------------------------------------------- */

/*
 * multipart/mixed [ multipart/related [ multipart/alternative
 * [ text/plain, text/html ], inline parts ], attachments ]; a layer is
 * left out when it would hold one part.  The outermost multipart has the
 * boundary; the ones inside add "rel" or "alt" in front, so that no
 * delimiter is the start of another.
 */
enum level { L_MIXED, L_RELATED, L_ALT, L_LEAF };

static const char *level_name[] = { "multipart/mixed",
    "multipart/related", "multipart/alternative" };

static int
below(int lv, const struct part *html)
{
	if (lv < L_RELATED && opt.ninl > 0)
		return L_RELATED;
	if (lv < L_ALT && html->fp != NULL)
		return L_ALT;
	return L_LEAF;
}

static int
any_8bit(const struct part *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].cte == MIMEW_8BIT)
			return 1;
	return 0;
}

/* A multipart holding an 8bit part must say so (RFC 2045 §6.4). */
static enum mimew_cte
level_cte(int lv, const struct part *body, const struct part *html)
{
	int e = body->cte == MIMEW_8BIT || html->cte == MIMEW_8BIT;

	if (lv <= L_RELATED)
		e |= any_8bit(opt.inl, opt.ninl);
	if (lv == L_MIXED)
		e |= any_8bit(opt.att, opt.natt);
	return e ? MIMEW_8BIT : MIMEW_7BIT;
}

/* "multipart/related; type=..." wants the type of its first part. */
static void
level_type(char *t, size_t size, int lv, const struct part *html)
{
	if (lv == L_RELATED)
		snprintf(t, size, "%s; type=\"%s\"", level_name[lv],
		    below(lv, html) == L_ALT ? "multipart/alternative" :
		    "text/html");
	else
		snprintf(t, size, "%s", level_name[lv]);
}

static void put_level(int, const char *, struct part *, struct part *);

static void
put_body_part(struct part *body, const char *bnd)
{
	fseek(body->fp, 0, SEEK_END);
	if (ftell(body->fp) > 0 || opt.textfile != NULL) {
		rewind(body->fp);
		put_part(body, bnd);
	}
}

/* The child of a multipart at level lv, under delimiter bnd. */
static void
put_child(int lv, const char *bnd, struct part *body, struct part *html)
{
	char sub[84], t[128];

	if (lv == L_LEAF) {
		put_body_part(body, bnd);
		return;
	}
	snprintf(sub, sizeof(sub), "%s%.67s", lv == L_ALT ? "alt" : "rel",
	    bnd);
	level_type(t, sizeof(t), lv, html);
	emits("--");
	emits(bnd);
	emits("\nContent-Type: ");
	emits(t);
	emits(";\n boundary=\"");
	emits(sub);
	emits("\"\n");
	if (level_cte(lv, body, html) == MIMEW_8BIT)
		emits("Content-Transfer-Encoding: 8bit\n");
	emits("\n");
	put_level(lv, sub, body, html);
}

static void
put_parts(struct part *v, size_t n, const char *bnd)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_part(&v[i], bnd);
}

/* The delimiter that closes a multipart. */
static void
put_close(const char *bnd)
{
	emits("--");
	emits(bnd);
	emits("--\n");
}

/* -w: the parts added to the message, attachments then inline ones. */
static void
put_added(const char *bnd)
{
	put_parts(opt.att, opt.natt, bnd);
	put_parts(opt.inl, opt.ninl, bnd);
}

/* The children of the multipart at level lv and its close delimiter. */
static void
put_level(int lv, const char *bnd, struct part *body, struct part *html)
{
	if (lv == L_ALT) {
		put_part(body, bnd);
		put_part(html, bnd);
	} else {
		put_child(below(lv, html), bnd, body, html);
		if (lv == L_RELATED)
			put_parts(opt.inl, opt.ninl, bnd);
		else
			put_parts(opt.att, opt.natt, bnd);
	}
	put_close(bnd);
}

static void
compose(void)
{
	struct part body, html;
	char bnd[80], t[128];
	int lv, last;

	prepare(&body, &html);
	lv = opt.natt > 0 ? L_MIXED : below(L_MIXED, &html);
	if (opt.boundary != NULL && lv != L_LEAF) {
		check_delim(&body, opt.boundary, 1);
		check_delim(&html, opt.boundary, 1);
		check_delims(opt.att, opt.natt, opt.boundary, 1);
		check_delims(opt.inl, opt.ninl, opt.boundary, 1);
	}
	if (lv == L_LEAF) {
		write_header(body.mtype, NULL, body.cte);
		emits("\n");
		last = put_content(body.fp, "body", body.cte);
		if (last != -1 && last != '\n')
			emits("\n");
		return;
	}
	mimew_boundary(bnd, sizeof(bnd), opt.boundary);
	level_type(t, sizeof(t), lv, &html);
	write_header(t, bnd, level_cte(lv, &body, &html));
	emits("\n");
	put_level(lv, bnd, &body, &html);
}

/* --- -w: parts added to a message ----------------------------------- */

/* The message -w adds to; only its header is held. */
static struct mimewrap msgw;

static void
add_parts(void *arg, const char *bnd)
{
	(void)arg;
	put_added(bnd);
}

static void
wrap(void)
{
	char bnd[80];

	opt.stdin_used = 1;     /* the message: "-a -" cannot have it */
	open_parts();
	type_attachments();
	mimewrap_read(&msgw, STDIN_FILENO, "stdin", opt.crlf, HDR_MAX);
	opt.crlf = msgw.crlf;           /* the message's line ends, kept */
	prepare_inline(msgw.id);
	if (msgw.bnd != NULL) {
		check_delims(opt.att, opt.natt, msgw.bnd, 0);
		check_delims(opt.inl, opt.ninl, msgw.bnd, 0);
	} else if (opt.boundary != NULL) {
		check_delims(opt.att, opt.natt, opt.boundary, 1);
		check_delims(opt.inl, opt.ninl, opt.boundary, 1);
	}
	if (msgw.bnd == NULL)
		mimew_boundary(bnd, sizeof(bnd), opt.boundary);
	mimewrap_write(&msgw, bnd, any_8bit(opt.att, opt.natt) ||
	    any_8bit(opt.inl, opt.ninl), add_parts, NULL, sink_emit, NULL);
	mimewrap_free(&msgw);
}

int
main(int argc, char *argv[])
{
	setprogname(argv[0]);
	if (parse_opts(argc, argv) != argc)
		usage_exit(EX_USAGE, synopsis);
	check_args();
	if (opt.wrap)
		wrap();
	else
		compose();
	hdrenc_charset(NULL);
	out_close();
	return 0;
}
