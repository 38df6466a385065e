/*
 * mimeunpack: take a MIME message apart.
 *
 * Files, Maildirs and mboxes come through the one input loop (input.h),
 * a message at a time.  The message is streamed through the mime parser
 * (common/mime.h); each mode is a set of callbacks.  Nothing holds a
 * whole part in memory except -t, which must convert a text part's
 * charset in one go (a stateful charset such as ISO-2022-JP cannot be
 * cut at any byte): it keeps at most TEXT_MAX bytes of the part being
 * read, and of one text/html part held until its alternative ends.
 *
 * Attachments are written with openat(O_CREAT | O_EXCL | O_NOFOLLOW)
 * relative to a descriptor of DIR, so a name planted in DIR (a file or
 * a symlink) is never overwritten or followed: a free "-N" variant of
 * the name is found instead (fresh.h), in time that does not grow with
 * the number of files of that name.
 *
 * Only leaves are listed and written: a container has no bytes of its
 * own that the parser hands over, so a line for it would carry no size.
 * uuencoded blocks in text/plain bodies (still common from old mailers)
 * count as attachments for -x and -O.
 *
 * A message/rfc822 part that a selector names itself is asked of the
 * parser whole (mime_cb.whole): it is then a leaf whose data are the
 * encapsulated message, written as NAME.eml.  Its name may come from its
 * Subject, which is in those data: they are held (at most EML_HOLD
 * bytes) until the end of the nested header, and only then is the file
 * created.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charset.h"
#include "codec.h"
#include "fresh.h"
#include "hdr.h"
#include "input.h"
#include "json.h"
#include "mime.h"
#include "rec.h"
#include "rfc2047.h"
#include "safename.h"
#include "usage.h"
#include "util.h"

#define TEXT_MAX   (8u << 20)   /* one text part for -t */
#define EML_HOLD   (64u << 10)  /* a nested header held to name a .eml */
#define SUBJ_MAX   200          /* bytes of a Subject used as a name */
#define JSON_MAX   (1u << 20)   /* one -j line; fields are far shorter */
#define WBUF       (64u << 10)  /* -x writes in pieces of this size */

enum mode { M_NONE, M_LIST, M_EXTRACT, M_OUTPUT, M_TEXT };

static struct {
	enum mode mode;
	const char *dir;
	char **sel;
	size_t nsel;
	int json;
	int names;              /* several arguments: name each message */
} opt = { M_NONE, ".", NULL, 0, 0, 0 };

/* An open container, for -t: is it an alternative, did it have plain? */
struct box {
	int alt, plain;
	struct buf html;        /* text/html held until the end of alt */
};

static struct {
	const char *file;       /* the input's name, for warnings */
	const char *msgname;    /* the message's name for output, or NULL */
	int dirfd;              /* -x: DIR */
	struct fresh *fresh;    /* -x: the names taken in DIR */
	int fd;                 /* -x: the file being written, or -1 */
	char name[SAFENAME_MAX + 1];
	int cur;                /* the current leaf is selected */
	int csgiven;            /* -l: its charset is the message's */
	int uu;                 /* scanning it for uuencoded blocks */
	int uucur;              /* the current block is selected */
	const struct mime_part *pt; /* the current leaf, for uu_event */
	struct uu_scan scan;
	int ismsg;              /* the root header has a field */
	int eml;                /* -x of a message part: naming it */
	struct buf hold;        /* its data until the name is known */
	unsigned long long written; /* bytes in the current file */
	int done;               /* something was printed or written */
	int status;             /* the worst error so far */
	struct buf text;        /* -t: the current text part */
	int textkind;           /* -t: 0 skip, 1 plain, 2 html */
	struct box box[64];
	int nbox;
} st;

static const char *const synopsis[] = {
	"[-l | -x | -O | -t] [-j] [-s selector]... [-d dir] [file ...]",
	"-h | --help | -V | --version",
	NULL
};

static void
set_mode(enum mode m)
{
	if (opt.mode != M_NONE && opt.mode != m)
		die(EX_USAGE, "-l, -x, -O and -t exclude each other");
	opt.mode = m;
}

static void
add_sel(char *s)
{
	char *p;

	if (strchr(s, '/') != NULL)
		for (p = s; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	opt.sel = xrealloc(opt.sel, (opt.nsel + 1) * sizeof(*opt.sel));
	opt.sel[opt.nsel++] = s;
}

/* "out/" and "out" name the same DIR: print "out/x", not "out//x". */
static void
trim_slashes(char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
}

static int
parse_opts(int argc, char *argv[])
{
	static const struct option lopts[] = {
		USAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "OVd:hjls:tx";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, lopts, NULL)) != -1) {
		switch (c) {
		case 'O': set_mode(M_OUTPUT); break;
		case 'V': version();
		case 'd': trim_slashes(optarg); opt.dir = optarg; break;
		case 'j': opt.json = 1; break;
		case 'l': set_mode(M_LIST); break;
		case 's': add_sel(optarg); break;
		case 't': set_mode(M_TEXT); break;
		case 'x': set_mode(M_EXTRACT); break;
		case 'h': usage_exit(0, synopsis);
		default: usage_opt(c, optstr, argv, synopsis);
		}
	}
	if (opt.mode == M_NONE)
		opt.mode = M_EXTRACT;
	if (opt.json && opt.mode != M_LIST && opt.mode != M_EXTRACT)
		die(EX_USAGE, "-j goes with -l or -x");
	return optind;
}

static void
fail(int status)
{
	st.status = ex_worse(st.status, status);
}

/* s under the safe-text rule, for a warning; the caller frees it. */
static char *
shown(const char *s)
{
	struct buf b;
	int e = errno;          /* for the warning's errtext */

	buf_init(&b, 4 * strlen(s) + 1);
	rec_fields(&b, s);
	errno = e;
	return b.p;
}

/* ---- selection ---- */

static int
is_number(const char *s)
{
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && !(*s == '.' && s[1] >= '0' &&
		    s[1] <= '9'))
			return 0;
	return 1;
}

/* "2" selects part 2 and every part inside it. */
static int
sel_match(const char *sel, const struct mime_part *pt)
{
	size_t n;

	if (is_number(sel)) {
		n = strlen(sel);
		return strncmp(pt->section, sel, n) == 0 &&
		    (pt->section[n] == '\0' || pt->section[n] == '.');
	}
	if (strchr(sel, '/') != NULL)
		return fnmatch(sel, pt->type, 0) == 0;
	return pt->filename[0] != '\0' && fnmatch(sel, pt->filename, 0) == 0;
}

/* A uuencoded block: only file-name globs select it. */
static int
uu_selected(const char *name)
{
	size_t i;

	if (opt.nsel == 0)
		return 1;
	for (i = 0; i < opt.nsel; i++)
		if (!is_number(opt.sel[i]) && strchr(opt.sel[i], '/') == NULL &&
		    fnmatch(opt.sel[i], name, 0) == 0)
			return 1;
	return 0;
}

static int
is_message(const char *type)
{
	return strcmp(type, "message/rfc822") == 0 ||
	    strcmp(type, "message/global") == 0;
}

/* Does a selector name this part itself (not a part around it)? */
static int
whole(void *arg, const struct mime_part *pt)
{
	size_t i;

	(void)arg;
	if (opt.mode != M_EXTRACT && opt.mode != M_OUTPUT)
		return 0;
	for (i = 0; i < opt.nsel; i++)
		if (is_number(opt.sel[i]) ? strcmp(opt.sel[i], pt->section) == 0
		    : sel_match(opt.sel[i], pt))
			return 1;
	return 0;
}

static int
is_attachment(const struct mime_part *pt)
{
	return pt->filename[0] != '\0' ||
	    strcmp(pt->disposition, "attachment") == 0 ||
	    strncmp(pt->type, "text/", 5) != 0;
}

/* Without -s, -l lists every leaf; -x and -O take the attachments. */
static int
selected(const struct mime_part *pt)
{
	size_t i;

	if (opt.nsel == 0)
		return opt.mode == M_LIST || is_attachment(pt);
	for (i = 0; i < opt.nsel; i++)
		if (sel_match(opt.sel[i], pt))
			return 1;
	return 0;
}

/* ---- warnings and the root ---- */

static const struct {
	int flag;
	const char *why;
} mime_why[] = {
	{ MIME_W_NOEND, "multipart without its close delimiter" },
	{ MIME_W_DEPTH, "nesting too deep, container taken as text" },
	{ MIME_W_PARTS, "too many parts, parsing stopped" },
	{ MIME_W_HDRTRUNC, "header too long, cut" },
	{ MIME_W_ENCODING, "unknown transfer encoding, taken as binary" },
	{ MIME_W_BOUNDARY, "multipart without boundary, taken as text" },
	{ MIME_W_TYPE, "unparsable Content-Type, default used" },
	{ MIME_W_NODELIM, "multipart boundary never found, body taken as "
	    "text" },
	{ MIME_W_HDRLINE, "header ends without a blank line" },
	{ MIME_W_NOHDR, "message/rfc822 part without a header" },
	{ MIME_W_NUL, "NUL byte in the header" },
	{ MIME_W_DUP, "a Content- field given twice, the first used" },
	{ MIME_W_MSGENC, "message/rfc822 with a transfer encoding other "
	    "than 7bit, 8bit or binary, decoded" },
	{ MIME_W_NAMEWORD, "undecodable encoded word in the file name" },
	{ MIME_W_NAMECS, "unknown charset in the file name" },
	{ MIME_W_NAMEGAP, "RFC 2231 section missing in the file name, name "
	    "cut there" },
	{ MIME_W_NAMEPCT, "bad %XX escape in the file name, kept as it is" },
	{ MIME_W_NAMELONG, "file name too long, cut" },
	{ MIME_W_DELIMTEXT, "a delimiter line has text after the boundary: "
	    "taken as a delimiter (RFC 2046 5.1.1)" },
};

static void
warn_part(const struct mime_part *pt)
{
	char why[1024];
	size_t i, n = 0;
	int f;

	why[0] = '\0';
	for (i = 0; i < sizeof(mime_why) / sizeof(mime_why[0]) &&
	    n < sizeof(why); i++)
		if (pt->flags & mime_why[i].flag)
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s",
			    n ? "; " : "", mime_why[i].why);
	for (f = 1; f <= CODEC_LAST && n < sizeof(why); f <<= 1)
		if (pt->codec & f)
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s",
			    n ? "; " : "", codec_why(f));
	if (why[0] == '\0')
		return;
	if (pt->section[0] == '\0')
		warn("%s: message: %s", st.file, why);
	else
		warn("%s: part %s: %s", st.file, pt->section, why);
}

/* Does the header block hold at least one field? */
static int
has_field(const char *h, size_t n)
{
	struct hdrfield f;
	size_t off = 0;

	return hdr_next(h, n, &off, &f);
}

/* ---- -l ---- */

/* The name of the message for output: one per line when the input
 * holds several messages, so that each line says whose it is. */
static void
name_out(void)
{
	if (st.msgname != NULL) {
		rec_outs(st.msgname);
		outc('\t');
	}
}


static void
json_out(struct buf *b)
{
	json_end(b);
	buf_addc(b, '\n');
	out(b->p, b->len);
	buf_free(b);
}

/*
 * -l shows the charset as the message gives it: the walker assumes
 * us-ascii (RFC 2045 5.2) for a part without a readable Content-Type,
 * which a script could not tell from one that says so.
 */
static int
charset_given(const struct mime_part *pt)
{
	struct hdrfield f;

	return pt->hdr != NULL && !(pt->flags & MIME_W_TYPE) &&
	    hdr_find(pt->hdr, pt->hdrlen, "content-type", &f);
}

static void
list_json(const struct mime_part *pt)
{
	struct buf b;

	buf_init(&b, JSON_MAX);
	if (st.msgname != NULL)
		json_kstrs(&b, "file", st.msgname);
	json_kstrs(&b, "part", pt->section);
	json_kstrs(&b, "type", pt->type);
	json_kstrs(&b, "charset", st.csgiven ? pt->charset : "");
	json_kstrs(&b, "encoding", pt->encoding);
	json_knum(&b, "size", pt->size);
	json_kstrs(&b, "disposition", pt->disposition);
	json_kstrs(&b, "filename", pt->filename);
	json_out(&b);
	st.done = 1;
}

static void
list_end(const struct mime_part *pt)
{
	if (opt.json) {
		list_json(pt);
		return;
	}
	name_out();
	rec_outs(pt->section);
	outc('\t');
	rec_outs(pt->type);
	outc('\t');
	rec_outs(st.csgiven ? pt->charset : "");
	outc('\t');
	rec_outs(pt->encoding);
	printf("\t%llu\t", pt->size);
	rec_outs(pt->disposition);
	outc('\t');
	rec_outs(pt->filename);
	outc('\n');
	st.done = 1;
}

/* ---- -x ---- */

static struct {
	const char *section, *type;
} cur;


/* A name the sender gave that is not written as given: say so, since a
 * path in it may be an attack. */
static void
warn_renamed(const char *filename, const char *section)
{
	char safe[SAFENAME_MAX + 1], *a, *b;

	if (filename[0] == '\0')
		return;
	safename(filename, section, "", 0, safe);
	if (strcmp(safe, filename) == 0)
		return;
	a = shown(filename);
	b = shown(safe);
	warn("%s: part %s: unsafe file name \"%s\" written as \"%s\"",
	    st.file, section, a, b);
	free(a);
	free(b);
}

static void
extract_begin(const char *filename, const char *section, const char *type)
{
	cur.section = section;
	cur.type = type;
	st.written = 0;
	st.fd = fresh_create(st.fresh, filename, section, type, st.name);
	if (st.fd >= 0)
		return;
	if (errno == EEXIST)
		die(EX_CANTCREAT, "%s/%s: too many files of that name",
		    opt.dir, st.name);
	die(EX_CANTCREAT, "%s/%s:", opt.dir, st.name);
}

/* A partial file is worse than none: remove it, then die. */
static void __attribute__((noreturn))
extract_fail(void)
{
	int e = errno;

	close(st.fd);
	unlinkat(st.dirfd, st.name, 0);
	errno = e;
	die(EX_IOERR, "%s/%s:", opt.dir, st.name);
}

/* The decoder hands over a line at a time: gather it into WBUF bytes
 * per write(2), or the system calls cost more than the decoding. */
static struct {
	char b[WBUF];
	size_t n;
} wb;

static void
extract_flush(void)
{
	if (wb.n > 0 && write_all(st.fd, wb.b, wb.n) < 0)
		extract_fail();
	wb.n = 0;
}

static void
extract_write(const char *p, size_t n)
{
	if (n == 0)
		return;         /* p may be NULL: an empty held message */
	st.written += n;
	if (n <= sizeof(wb.b) - wb.n) {
		memcpy(wb.b + wb.n, p, n);
		wb.n += n;
		return;
	}
	extract_flush();
	if (n >= sizeof(wb.b)) {
		if (write_all(st.fd, p, n) < 0)
			extract_fail();
	} else {
		memcpy(wb.b, p, n);
		wb.n = n;
	}
}

static void
extract_end(void)
{
	struct buf b, path;

	extract_flush();
	if (close(st.fd) < 0) {
		st.fd = -1;
		extract_fail();
	}
	st.fd = -1;
	st.done = 1;
	if (!opt.json) {
		rec_outs(opt.dir);
		outc('/');
		rec_outs(st.name);
		outc('\n');
		return;
	}
	buf_init(&b, JSON_MAX);
	buf_init(&path, JSON_MAX);
	buf_printf(&path, "%s/%s", opt.dir, st.name);
	json_kstrs(&b, "part", cur.section);
	json_kstrs(&b, "path", path.p);
	json_kstrs(&b, "type", cur.type);
	json_knum(&b, "size", st.written);
	json_out(&b);
	buf_free(&path);
}

/* ---- -x of a message part: NAME.eml ---- */

/* The decoded Subject of the held header, '/' and '\\' made '_', plus
 * ".eml"; "" if there is none. */
static char *
eml_subject(void)
{
	struct hdrfield f;
	struct buf v, d;
	size_t i;
	char *s;

	if (!hdr_find(st.hold.p, st.hold.len, "subject", &f))
		return xstrdup("");
	buf_init(&v, EML_HOLD);
	buf_init(&d, 4 * EML_HOLD);
	hdr_unfold(f.val, f.vallen, &v);
	if (v.len > 0)
		rfc2047_decode(v.p, v.len, &d);
	for (i = 0; i < d.len; i++)
		if (d.p[i] == '/' || d.p[i] == '\\')
			d.p[i] = '_';
	if (d.len > SUBJ_MAX)   /* cut at a character, for safename */
		for (d.len = SUBJ_MAX; d.len > 0 &&
		    ((unsigned char)d.p[d.len] & 0xc0) == 0x80; d.len--)
			;
	s = d.len > 0 ? xmalloc(d.len + 5) : xstrdup("");
	if (d.len > 0) {
		memcpy(s, d.p, d.len);
		memcpy(s + d.len, ".eml", 5);
	}
	buf_free(&v);
	buf_free(&d);
	return s;
}

/* The name is known (or never will be): create the file, flush. */
static void
eml_open(const struct mime_part *pt)
{
	char *name;

	st.eml = 0;
	warn_renamed(pt->filename, pt->section);
	name = pt->filename[0] != '\0' ? xstrdup(pt->filename) : eml_subject();
	extract_begin(name, pt->section, pt->type);
	free(name);
	extract_write(st.hold.p, st.hold.len);
	buf_reset(&st.hold);
}

/* Does the held text have an empty line in it at or after from? */
static int
hold_ended(size_t from)
{
	size_t i;

	if (st.hold.len > 0 && st.hold.p[0] == '\n')
		return 1;
	for (i = from; i + 1 < st.hold.len; i++)
		if (st.hold.p[i] == '\n' && st.hold.p[i + 1] == '\n')
			return 1;
	return 0;
}

/* Hold the message's bytes until its header has ended. */
static void
eml_data(const struct mime_part *pt, const char *p, size_t n)
{
	size_t from = st.hold.len > 0 ? st.hold.len - 1 : 0;
	int full = buf_add(&st.hold, p, n) < 0;

	if (!full && !hold_ended(from))
		return;
	eml_open(pt);
	if (full)
		extract_write(p, n);
}

/* ---- -t ---- */

static struct box *
alt_box(void)
{
	int i;

	for (i = st.nbox - 1; i >= 0; i--)
		if (st.box[i].alt)
			return &st.box[i];
	return NULL;
}

static void
box_push(const struct mime_part *pt)
{
	struct box *b;

	if (st.nbox == (int)(sizeof(st.box) / sizeof(st.box[0])))
		die(EX_SOFTWARE, "%s: nesting too deep", st.file);
	b = &st.box[st.nbox++];
	b->alt = strcmp(pt->type, "multipart/alternative") == 0;
	b->plain = 0;
	buf_init(&b->html, TEXT_MAX);
}

static void
text_out(const char *p, size_t n)
{
	if (n == 0)
		return;
	out(p, n);
	if (p[n - 1] != '\n')
		outc('\n');
	st.done = 1;
}

/* An alternative without text/plain: its text/html is the text. */
static void
box_pop(void)
{
	struct box *b = &st.box[--st.nbox];

	if (b->alt && !b->plain)
		text_out(b->html.p, b->html.len);
	buf_free(&b->html);
}

static void
text_begin(const struct mime_part *pt)
{
	struct box *b = alt_box();

	st.textkind = 0;
	buf_reset(&st.text);
	if (strcmp(pt->disposition, "attachment") == 0)
		return;
	if (strcmp(pt->type, "text/plain") == 0) {
		st.textkind = 1;
		if (b != NULL)
			b->plain = 1;
	} else if (strcmp(pt->type, "text/html") == 0)
		st.textkind = 2;
}

static void
text_plain(const struct mime_part *pt)
{
	struct buf u;
	const char *cs = pt->charset;

	buf_init(&u, 4 * (size_t)TEXT_MAX);
	if (charset_to_utf8(cs, strlen(cs), st.text.p, st.text.len, &u) == -2) {
		char *c = shown(cs);

		warn("%s: part %s: unknown charset %s, taken as UTF-8",
		    st.file, pt->section, c);
		free(c);
		utf8_append(st.text.p, st.text.len, &u);
	}
	text_out(u.p, u.len);
	buf_free(&u);
}

/*
 * A later part of an alternative is the better one (RFC 2046 5.1.4):
 * once a part inside a nested alternative gave text, the HTML that the
 * alternatives around it hold as their fallback is not wanted any more.
 * Dropping it keeps one HTML part in memory at most, however deep the
 * nesting.
 */
static void
drop_outer_html(const struct box *b)
{
	int i;

	for (i = 0; i < st.nbox && &st.box[i] != b; i++)
		buf_free(&st.box[i].html);
}

/* Hand the part just read to b, without a copy: the buffers swap. */
static void
hold_html(struct box *b)
{
	struct buf t = b->html;

	b->html = st.text;
	st.text = t;
	buf_reset(&st.text);
	drop_outer_html(b);
}

static void
text_end(const struct mime_part *pt)
{
	struct box *b = alt_box();

	if (st.textkind == 1) {
		text_plain(pt);
		if (b != NULL)
			drop_outer_html(b);
	} else if (st.textkind == 2 && b == NULL)
		text_out(st.text.p, st.text.len);
	else if (st.textkind == 2 && !b->plain)
		hold_html(b);
	st.textkind = 0;
}

/* ---- uuencoded blocks in text/plain, for -x and -O ---- */

static void
uu_block_begin(const char *p, size_t n)
{
	char *name = xstrndup(p, n);

	st.uucur = uu_selected(name);
	if (st.uucur && opt.mode == M_EXTRACT) {
		warn_renamed(name, st.pt->section);
		extract_begin(name, st.pt->section, "application/octet-stream");
	}
	free(name);
}

static void
uu_block_end(int flags)
{
	int f;

	for (f = 1; f <= CODEC_LAST; f <<= 1)
		if (flags & f)
			warn("%s: part %s: %s", st.file,
			    st.pt->section, codec_why(f));
	if (st.uucur && opt.mode == M_EXTRACT)
		extract_end();
	else if (st.uucur)
		st.done = 1;
	st.uucur = 0;
}

static void
uu_event(void *arg, enum uu_event ev, const char *p, size_t n)
{
	(void)arg;
	if (ev == UU_BEGIN)
		uu_block_begin(p, n);
	else if (ev == UU_DATA && st.uucur && opt.mode == M_EXTRACT)
		extract_write(p, n);
	else if (ev == UU_DATA && st.uucur && opt.mode == M_OUTPUT)
		out(p, n);
	else if (ev == UU_END)
		uu_block_end((int)n);
}

static void
uu_start(const struct mime_part *pt)
{
	if (opt.mode != M_EXTRACT && opt.mode != M_OUTPUT)
		return;
	st.uu = 1;
	st.uucur = 0;
	st.pt = pt;
	uu_scan_init(&st.scan, uu_event, NULL);
}

/* ---- the callbacks ---- */

static void
on_begin(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (pt->depth == 0)
		st.ismsg = has_field(pt->hdr, pt->hdrlen);
	if (!st.ismsg)
		return;
	if (pt->kind != MIME_LEAF) {
		if (opt.mode == M_TEXT)
			box_push(pt);
		return;
	}
	if (opt.mode == M_TEXT) {
		text_begin(pt);
		return;
	}
	st.cur = selected(pt);
	st.csgiven = opt.mode == M_LIST && charset_given(pt);
	if (st.cur && opt.mode == M_EXTRACT && is_message(pt->type)) {
		st.eml = 1;
		buf_reset(&st.hold);
	} else if (st.cur && opt.mode == M_EXTRACT) {
		warn_renamed(pt->filename, pt->section);
		extract_begin(pt->filename, pt->section, pt->type);
	}
	else if (!st.cur && strcmp(pt->type, "text/plain") == 0 &&
	    strcmp(pt->disposition, "attachment") != 0 &&
	    !mime_enc_uu(pt->encoding))
		uu_start(pt);
}

static void
on_data(void *arg, const struct mime_part *pt, const char *p, size_t n)
{
	(void)arg;
	if (!st.ismsg)
		return;
	if (opt.mode == M_TEXT) {
		if (st.textkind != 0 && buf_add(&st.text, p, n) < 0 &&
		    st.textkind > 0) {
			warn("%s: part %s: text longer than %u bytes, cut",
			    st.file, pt->section, TEXT_MAX);
			st.textkind = -st.textkind;
		}
		return;
	}
	if (st.uu) {
		st.pt = pt;
		uu_scan_update(&st.scan, p, n);
	}
	if (!st.cur)
		return;
	if (opt.mode == M_EXTRACT && st.eml)
		eml_data(pt, p, n);
	else if (opt.mode == M_EXTRACT)
		extract_write(p, n);
	else if (opt.mode == M_OUTPUT)
		out(p, n);
}

/* A part taken whose body has data but decodes to nothing: say so, and
 * fail, rather than succeed with no output. */
static void
check_empty(const struct mime_part *pt, int taken)
{
	if (!taken || pt->size > 0 || !pt->rawtext)
		return;
	warn("%s: part %s: the body decodes to nothing", st.file,
	    pt->section);
	fail(EX_DATAERR);
}

static void
on_end(void *arg, const struct mime_part *pt)
{
	(void)arg;
	if (!st.ismsg)
		return;
	warn_part(pt);
	if (pt->kind == MIME_LEAF)
		check_empty(pt, opt.mode == M_TEXT ? st.textkind != 0 :
		    opt.mode != M_LIST && st.cur);
	if (pt->kind != MIME_LEAF) {
		if (opt.mode == M_TEXT)
			box_pop();
		return;
	}
	if (opt.mode == M_TEXT) {
		if (st.textkind < 0)
			st.textkind = -st.textkind;
		text_end(pt);
		return;
	}
	if (st.uu) {
		st.pt = pt;
		uu_scan_final(&st.scan);
		st.uu = 0;
	}
	if (st.cur && opt.mode == M_LIST)
		list_end(pt);
	else if (st.cur && opt.mode == M_EXTRACT) {
		if (st.eml)
			eml_open(pt);
		extract_end();
	}
	else if (st.cur && opt.mode == M_OUTPUT)
		st.done = 1;
	st.cur = 0;
}

/* ---- input ---- */

static void
on_msg(void *arg, const struct input_msg *m)
{
	struct mime_cb cb = { on_begin, on_data, on_end, NULL, whole,
	    NULL };
	struct mime *p;
	const char *b;
	ssize_t n;
	char *q = shown(m->name);

	(void)arg;
	st.file = q;            /* for warnings only */
	st.msgname = opt.names || m->several ? m->name : NULL;
	st.ismsg = 0;
	p = mime_new(&cb, NULL);
	while ((n = msg_read(m->in, &b)) > 0)
		mime_feed(p, b, (size_t)n);
	mime_end(p);
	mime_free(p);
	if (n == 0 && !st.ismsg) {  /* a read error is the loop's to say */
		warn("%s: not a message", q);
		fail(EX_DATAERR);
	}
	st.file = NULL;
	st.msgname = NULL;
	free(q);
}

static void
setup(void)
{
	st.fd = -1;
	st.dirfd = -1;
	if (opt.mode == M_EXTRACT) {
		st.dirfd = open(opt.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st.dirfd < 0)
			die(EX_CANTCREAT, "%s:", opt.dir);
		st.fresh = fresh_new(st.dirfd);
	}
	buf_init(&st.text, TEXT_MAX);
	buf_init(&st.hold, EML_HOLD);
}

static void
cleanup(void)
{
	fresh_free(st.fresh);
	if (st.dirfd >= 0)
		close(st.dirfd);
	buf_free(&st.text);
	buf_free(&st.hold);
	free(opt.sel);
	charset_cleanup();
}

int
main(int argc, char *argv[])
{
	struct input in = { 0, 0, on_msg, NULL, 0, NULL };
	int i;

	setprogname(argv[0]);
	i = parse_opts(argc, argv);
	argc -= i;
	argv += i;
	opt.names = argc > 1;
	setup();
	input_loop(&in, argc, argv);
	fail(in.status);
	cleanup();
	out_close();
	if (st.status != 0)
		return st.status;
	return st.done ? 0 : 1;
}
