/*
 * smtpmsg: the message mailsend submits (see smtpmsg.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "codec.h"
#include "hdr.h"
#include "hdrenc.h"
#include "msg.h"
#include "rfc2047.h"
#include "smtpmsg.h"

#define HDR_MAX		(1024 * 1024)	/* header bytes held in memory */
#define CHUNK		(64 * 1024)	/* body read size */

/* A seekable fd holding the message: stdin, or a copy of it. */
static int
spool(off_t *start, off_t *end)
{
	struct stat st;
	char tmpl[4096], buf[CHUNK];
	const char *dir = getenv("TMPDIR");
	ssize_t r;
	int fd;

	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) &&
	    (*start = lseek(0, 0, SEEK_CUR)) >= 0) {
		*end = st.st_size;
		return 0;
	}
	snprintf(tmpl, sizeof tmpl, "%s/mailsend.XXXXXX",
	    dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(tmpl)) < 0)
		die(EX_CANTCREAT, "%s:", tmpl);
	unlink(tmpl);
	*start = *end = 0;
	while ((r = read(0, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(EX_IOERR, "reading the message:");
		}
		if (write_all(fd, buf, (size_t)r) < 0)
			die(errno_exit(errno), "%s:", tmpl);
		*end += r;
	}
	return fd;
}

static void
hdr_check(int rc)
{
	if (rc != 0)
		die(EX_DATAERR, "the header is longer than %d bytes", HDR_MAX);
}

/*
 * Read the header by the one rule every yubin reader applies (msg.h,
 * hdr_line()): up to the empty line (consumed) or the first line that
 * is neither a field nor a continuation ("hello" piped in is a body, not
 * a broken header).  A field name whose colon is on the next line is a
 * field, as in hdrparse; a leading byte order mark and mbox "From " line
 * are dropped.
 */
static void
read_header(struct smsg *m)
{
	struct msgin in;
	struct buf h;
	int trunc = 0;

	if (lseek(m->fd, m->start, SEEK_SET) < 0)
		die(EX_IOERR, "reading the message:");
	msg_init(&in, m->fd, 0);
	buf_init(&h, HDR_MAX);
	if (msg_header(&in, &h, NULL, &trunc) < 0)
		die(EX_IOERR, "reading the message:");
	if (trunc)
		die(EX_DATAERR, "the header is longer than %d bytes", HDR_MAX);
	/* the reader's unread bytes are the body's first */
	m->body = m->start + (off_t)(in.nread - (in.end - in.start));
	m->hraw = h.p ? h.p : xstrdup("");
	m->hlen = h.len;
	msg_free(&in);
}

/* The number of line ends in p[0..n). */
static unsigned long
count_lines(const char *p, size_t n)
{
	const char *e = p + n, *nl;
	unsigned long k = 0;

	while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p = nl + 1;
	}
	return k;
}

/*
 * Read the whole message once: a NUL byte anywhere is refused (RFC 5321
 * section 2.3.8 and 4.5.2: SMTP text has none, and without BINARYMIME a
 * NUL may be dropped or cut the message at the server); from the body
 * on, 8-bit data and the CRLF size.
 */
static void
scan_body(struct smsg *m)
{
	char chunk[CHUNK];
	off_t pos = m->start;
	ssize_t r;
	size_t skip;
	unsigned long line = 1;
	const char *z;
	int cr = 0, bol = 1;

	while ((r = pread(m->fd, chunk, sizeof chunk, pos)) != 0) {
		if (r < 0)
			die(EX_IOERR, "reading the message:");
		if ((z = memchr(chunk, '\0', (size_t)r)) != NULL)
			die(EX_DATAERR, "NUL byte in the message, line %lu",
			    line + count_lines(chunk, (size_t)(z - chunk)));
		line += count_lines(chunk, (size_t)r);
		skip = pos >= m->body ? 0 : m->body - pos > r ? (size_t)r :
		    (size_t)(m->body - pos);
		pos += r;
		if (!m->body8 && smtp_has8bit(chunk + skip, (size_t)r - skip))
			m->body8 = 1;
		m->bodysize += smtp_crlf_size(chunk + skip, (size_t)r - skip,
		    &cr, &bol);
	}
	if (!bol)
		m->bodysize += 2;
	m->end = pos;
}

static void
walk_header(struct smsg *m)
{
	struct hdrfield f;
	size_t off = 0;
	struct addrlist l = { 0 };

	buf_init(&m->hdr, HDR_MAX + 4096);
	m->cte_ok = 1;
	while (hdr_next(m->hraw, m->hlen, &off, &f)) {
		if (smtp_has8bit(f.line, f.linelen))
			m->hdr8 = 1;
		if (hdr_is(&f, "bcc") || hdr_is(&f, "resent-bcc"))
			continue;
		if (hdr_is(&f, "from")) {
			m->has_from = 1;
			addr_parse(f.val, f.vallen, &l);
			if (l.n > 0 && m->from_addr == NULL)
				m->from_addr = xstrdup(l.v[0].addr);
			addr_free(&l);
		}
		m->has_date |= hdr_is(&f, "date");
		m->has_msgid |= hdr_is(&f, "message-id");
		m->has_mimever |= hdr_is(&f, "mime-version");
		if (hdr_is(&f, "content-type")) {
			m->has_ctype = 1;
			m->multipart = hdr_value_is(&f, "multipart/");
			m->ctype_text = hdr_value_is(&f, "text/");
			if (m->multipart) {
				struct buf v;

				buf_init(&v, 4096);
				if (rfc2231_param(f.val, f.vallen, "boundary",
				    &v) == 1 && v.len > 0)
					m->boundary = xstrdup(v.p);
				buf_free(&v);
			}
		}
		if (hdr_is(&f, "content-transfer-encoding"))
			m->cte_ok = hdr_value_is(&f, "7bit") ||
			    hdr_value_is(&f, "8bit");
		hdr_check(buf_add(&m->hdr, f.line, f.linelen));
		/* a last field without a line end gets one */
		if (f.linelen > 0 && f.line[f.linelen - 1] != '\n')
			hdr_check(buf_addc(&m->hdr, '\n'));
	}
}

void
smsg_read(struct smsg *m)
{
	memset(m, 0, sizeof *m);
	m->fd = spool(&m->start, &m->end);
	read_header(m);
}

void
smsg_scan(struct smsg *m)
{
	walk_header(m);
	scan_body(m);
}

const char *
smsg_hostname(void)
{
	static char h[256];

	if (gethostname(h, sizeof h - 1) != 0 || h[0] == '\0')
		strcpy(h, "localhost");
	h[sizeof h - 1] = '\0';
	return h;
}

char *
smsg_local_sender(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;
	char *s;

	if (u == NULL || *u == '\0')
		u = getenv("LOGNAME");
	if ((u == NULL || *u == '\0') && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	if (u == NULL || *u == '\0')
		u = "nobody";
	s = xmalloc(strlen(u) + strlen(smsg_hostname()) + 2);
	sprintf(s, "%s@%s", u, smsg_hostname());
	return s;
}

void
smsg_add_fields(struct smsg *m, const char *sender, const char *name)
{
	char d[64], rnd[8];
	time_t now = time(NULL);
	struct tm tm;
	size_t col;
	int fd, i;
	unsigned long long r = 0;

	if (!m->has_date) {
		localtime_r(&now, &tm);
		strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S %z", &tm);
		hdr_check(buf_printf(&m->hdr, "Date: %s\n", d));
	}
	if (!m->has_msgid) {
		memset(rnd, 0, sizeof rnd);
		if ((fd = open("/dev/urandom", O_RDONLY)) >= 0) {
			if (read(fd, rnd, sizeof rnd) < 0)
				memset(rnd, 0, sizeof rnd);
			close(fd);
		}
		for (i = 0; i < 8; i++)
			r = r << 8 | (unsigned char)rnd[i];
		gmtime_r(&now, &tm);
		strftime(d, sizeof d, "%Y%m%d%H%M%S", &tm);
		hdr_check(buf_printf(&m->hdr, "Message-ID: <%s.%ld.%llx@%s>\n",
		    d, (long)getpid(), r, smsg_hostname()));
	}
	if (!m->has_from && *sender != '\0') {
		hdr_check(buf_adds(&m->hdr, "From:"));
		if (name != NULL && *name != '\0') {
			if (strpbrk(name, "\r\n") != NULL)
				die(EX_USAGE, "-F: line end in the name");
			col = 5;
			hdr_check(hdrenc_phrase(&m->hdr, &col, name,
			    strlen(name)));
			hdr_check(buf_printf(&m->hdr, " <%s>\n", sender));
		} else {
			hdr_check(buf_printf(&m->hdr, " %s\n", sender));
		}
		if (smtp_has8bit(sender, strlen(sender)))
			m->hdr8 = 1;
	}
}


/*
 * --downgrade: the header gets a quoted-printable (single part) or 7bit
 * (multipart) Content-Transfer-Encoding; a single part also gets
 * MIME-Version and a UTF-8 text/plain Content-Type if it had none.
 */
static void
downgrade_header(const struct smsg *m, struct buf *out, int mode)
{
	struct hdrfield f;
	size_t off = 0;

	buf_init(out, HDR_MAX + 4096);
	while (hdr_next(m->hdr.p, m->hdr.len, &off, &f))
		if (!hdr_is(&f, "content-transfer-encoding"))
			hdr_check(buf_add(out, f.line, f.linelen));
	if (!m->has_mimever)
		hdr_check(buf_adds(out, "MIME-Version: 1.0\n"));
	if (mode == SMSG_MULTI) {
		hdr_check(buf_adds(out, "Content-Transfer-Encoding: 7bit\n"));
		return;
	}
	if (!m->has_ctype)
		hdr_check(buf_adds(out,
		    "Content-Type: text/plain; charset=UTF-8\n"));
	hdr_check(buf_adds(out,
	    "Content-Transfer-Encoding: quoted-printable\n"));
}

static struct smtp_dg dgs;


static void
dg_sink(void *arg, const char *p, size_t n)
{
	smtp_dg_feed(arg, p, n);
}

/* The multipart downgrade's scan (sink NULL) or write pass. */
static const char *
dg_run(const struct smsg *m, int scan, smtp_sink *sink, void *arg)
{
	smtp_dg_start(&dgs, m->boundary ? m->boundary : "", scan, sink, arg);
	smsg_body(m, SMSG_ASIS, dg_sink, &dgs);
	return smtp_dg_end(&dgs);
}

/* Stream the body to sink: as it is, or downgraded (DG_*). */
void
smsg_body(const struct smsg *m, int mode, smtp_sink *sink, void *arg)
{
	static char chunk[CHUNK], enc[QP_ENC_BOUND(CHUNK)];
	struct qp_enc q;
	off_t pos = m->body;
	ssize_t r;
	size_t n;

	if (mode == SMSG_MULTI) {
		dg_run(m, 0, sink, arg);
		return;
	}
	qp_enc_init(&q, QP_SAFE);
	while (pos < m->end && (r = pread(m->fd, chunk, sizeof chunk, pos)) != 0) {
		if (r < 0)
			die(EX_IOERR, "reading the message:");
		pos += r;
		if (mode == SMSG_ASIS) {
			sink(arg, chunk, (size_t)r);
			continue;
		}
		n = qp_enc_update(&q, chunk, (size_t)r, enc);
		sink(arg, enc, n);
	}
	if (mode == SMSG_QP) {
		n = qp_enc_final(&q, enc);
		sink(arg, enc, n);
	}
}

/*
 * Can the body be downgraded, and how?  Returns SMSG_QP or SMSG_MULTI
 * and fills dh with the new header, or SMSG_ASIS after a warning.
 */
int
smsg_plan(const struct smsg *m, struct buf *dh, const char *where)
{
	const char *why;

	if (m->multipart && m->boundary != NULL) {
		if ((why = dg_run(m, 1, NULL, NULL)) != NULL) {
			warn("%s does not offer 8BITMIME, and --downgrade "
			    "cannot re-encode this message: %s", where, why);
			return SMSG_ASIS;
		}
		downgrade_header(m, dh, SMSG_MULTI);
		return SMSG_MULTI;
	}
	if (m->multipart || (m->has_ctype && !m->ctype_text) || !m->cte_ok) {
		warn("%s does not offer 8BITMIME, and --downgrade cannot "
		    "re-encode this message: not a text part with a 7bit or "
		    "8bit encoding", where);
		return SMSG_ASIS;
	}
	downgrade_header(m, dh, SMSG_QP);
	return SMSG_QP;
}

struct sizer {
	unsigned long long n;
	int cr, bol;
};

static void
size_sink(void *arg, const char *p, size_t n)
{
	struct sizer *s = arg;

	s->n += smtp_crlf_size(p, n, &s->cr, &s->bol);
}

/* The SIZE of the message with header h. */
unsigned long long
smsg_size(const struct smsg *m, const struct buf *h, int mode)
{
	struct sizer s = { 0, 0, 1 };

	/* the header, then the empty line */
	s.n = smtp_crlf_size(h->p, h->len, &s.cr, &s.bol) + 2;
	if (mode == SMSG_ASIS)
		return s.n + m->bodysize;
	s.cr = 0;
	s.bol = 1;
	smsg_body(m, mode, size_sink, &s);
	return s.n + (s.bol ? 0 : 2);
}

int
smsg_fit(const struct smsg *m, const struct smtp_ext *e, struct smsg_need *nd,
    int downgrade, struct buf *dh, const struct buf **h, const char *where)
{
	*h = &m->hdr;
	nd->downgrade = 0;
	if (nd->body8 && !(e->flags & SMTP_EXT_8BITMIME)) {
		if (!downgrade) {
			warn("%s does not offer 8BITMIME and the body has 8-bit "
			    "data; --downgrade re-encodes it", where);
			return EX_DATAERR;
		}
		if ((nd->downgrade = smsg_plan(m, dh, where)) == SMSG_ASIS)
			return EX_DATAERR;
		*h = dh;
	}
	if (nd->utf8 && !(e->flags & SMTP_EXT_SMTPUTF8)) {
		warn("%s does not offer SMTPUTF8, needed for non-ASCII "
		    "addresses or header fields", where);
		return EX_DATAERR;
	}
	if (nd->dsn && !(e->flags & SMTP_EXT_DSN))
		warn("%s does not offer DSN: -N, -R and -V ignored", where);
	nd->size = smsg_size(m, *h, nd->downgrade);
	if ((e->flags & SMTP_EXT_SIZE) && e->size > 0 && nd->size > e->size) {
		warn("the message is %llu bytes, %s accepts at most %llu",
		    nd->size, where, e->size);
		return EX_UNAVAILABLE;
	}
	return 0;
}

void
smsg_write(void *arg, smtp_sink *sink, void *sinkarg)
{
	const struct smsg_src *src = arg;

	sink(sinkarg, src->h->p, src->h->len);
	sink(sinkarg, "\n", 1);
	smsg_body(src->m, src->mode, sink, sinkarg);
}

