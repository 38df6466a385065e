/*
 * sievemail: see sievemail.h for what each message holds and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "codec.h"
#include "hdr.h"
#include "hdrenc.h"
#include "rfc2047.h"
#include "sievemail.h"

/* Code points of a reply's subject (Pigeonhole's default): a reply to
 * a subject of 100 KB is not 100 KB of header. */
#define SUBJECT_MAX 256

const char *
sievemail_me(const struct sievemail_user *u)
{
	if (u->email != NULL && *u->email)
		return u->email;
	if (u->rcpt != NULL && *u->rcpt)
		return u->rcpt;
	return u->orig_rcpt != NULL && *u->orig_rcpt ? u->orig_rcpt : NULL;
}

void
sievemail_header(const struct sieve_result *res, const struct sieve_action *a,
    const char *msg, const char **h, size_t *hl)
{
	if (a != NULL && a->hdr != NULL) {
		*h = a->hdr;
		*hl = a->hdrlen;
	} else if (a == NULL && res->hdr != NULL) {
		*h = res->hdr;
		*hl = res->hdrlen;
	} else {
		/* hdr_next() stops at the empty line */
		*h = msg;
		*hl = res->bodyoff;
	}
}

/*
 * At most max code points: past that, the first max - 1 and an ellipsis
 * (U+2026), as Pigeonhole's sieve_vacation_max_subject_codepoints.
 */
static void
cap(struct buf *t, size_t max)
{
	size_t i, cps = 0, cut = 0;

	for (i = 0; i < t->len; i++)
		if (((unsigned char)t->p[i] & 0xC0) != 0x80) {
			if (++cps == max)
				cut = i;
			if (cps > max)
				break;
		}
	if (cps <= max)
		return;
	t->len = cut;
	buf_adds(t, "\xE2\x80\xA6");
}

/* "Subject: " the script's, else "Auto: " and the original one,
 * decoded and encoded again (RFC 2047), line ends made blanks, at most
 * SUBJECT_MAX code points. */
static void
subject(struct buf *b, const char *mine, const char *orig, size_t olen)
{
	struct buf t;
	size_t col = 8, i;

	buf_init(&t, 65536);
	if (mine != NULL) {
		/* a :subject may hold encoded words already: the same text
		 * either way */
		rfc2047_decode(mine, strlen(mine), &t);
	} else {
		buf_adds(&t, "Auto: ");
		rfc2047_decode(orig, olen, &t);
	}
	for (i = 0; i < t.len; i++)
		if (t.p[i] == '\r' || t.p[i] == '\n')
			t.p[i] = ' ';
	cap(&t, SUBJECT_MAX);
	buf_adds(b, "Subject:");
	hdrenc_text(b, &col, t.p ? t.p : "", t.len);
	buf_addc(b, '\n');
	buf_free(&t);
}

/* A display name: quoted when it is ASCII (as Pigeonhole writes it),
 * else encoded words (RFC 2047). */
static void
phrase(struct buf *b, size_t *col, const char *name)
{
	const char *p;

	if (*name == 0)
		return;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p >= 127)
			break;
	if (*p != 0 || strlen(name) > 900) {
		hdrenc_phrase(b, col, name, strlen(name));
		return;
	}
	buf_adds(b, " \"");
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* "To:" the sender as the message names it, else the bare envelope
 * address. */
static void
reply_to(struct buf *b, const char *h, size_t hl, const char *sender)
{
	static const char *const names[] = {"from", "sender", "reply-to",
	    "resent-from", "resent-sender"};
	size_t i, j, off;
	struct hdrfield f;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		for (off = 0; hdr_next(h, hl, &off, &f); ) {
			struct addrlist l;

			if (!hdr_is(&f, names[i]))
				continue;
			memset(&l, 0, sizeof l);
			addr_parse(f.val, f.vallen, &l);
			for (j = 0; j < l.n; j++)
				if (strcasecmp(l.v[j].addr, sender) == 0) {
					size_t col = 3;

					buf_adds(b, "To:");
					phrase(b, &col, l.v[j].name);
					buf_printf(b, " <%s>\n", l.v[j].addr);
					addr_free(&l);
					return;
				}
			addr_free(&l);
		}
	}
	buf_printf(b, "To: <%s>\n", sender);
}

/* "From: " and the address on one line: a line end in :from (white
 * space to the address parser, sieve.h) or in --user-email becomes one
 * blank, so it can add no field to the reply. */
static void
from_line(struct buf *b, const char *from)
{
	const char *p;
	size_t start, col = 5;
	struct addrlist l;

	/* a non-ASCII display name goes as encoded words (RFC 2047), as
	 * Pigeonhole writes it, not as raw 8-bit bytes */
	for (p = from; *p && (unsigned char)*p < 0x80; p++)
		;
	memset(&l, 0, sizeof l);
	if (*p != 0 && addr_parse(from, strlen(from), &l) == 0 &&
	    l.n == 1 && l.nbad == 0 && l.v[0].group == NULL &&
	    *l.v[0].name != 0) {
		buf_adds(b, "From:");
		phrase(b, &col, l.v[0].name);
		buf_printf(b, " <%s>\n", l.v[0].addr);
		addr_free(&l);
		return;
	}
	addr_free(&l);
	buf_adds(b, "From: ");
	start = b->len;
	for (p = from; *p; p++) {
		if (*p != '\r' && *p != '\n') {
			buf_addc(b, *p);
			continue;
		}
		while (p[1] == '\r' || p[1] == '\n' || p[1] == ' ' ||
		    p[1] == '\t')
			p++;
		if (b->len > start && p[1] != 0)
			buf_addc(b, ' ');
	}
	buf_addc(b, '\n');
}

/* The white-space separated words of (p, n), each after one blank,
 * folded between them before column HDRENC_COLS: a long References
 * (a thread of many messages) must not make a line past the 998 octets
 * of RFC 5322; Pigeonhole folds it too. */
static void
words(struct buf *b, size_t *col, const char *p, size_t n)
{
	size_t i = 0, j;

	for (;;) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n)
			return;
		for (j = i; j < n && p[j] != ' ' && p[j] != '\t'; j++)
			;
		hdrenc_word(b, col, p + i, j - i, 1);
		i = j;
	}
}

/* Has text a line of more than the 998 octets RFC 5322 allows? */
static int
long_line(const char *text)
{
	size_t n = 0;

	for (; text && *text; text++)
		if (*text == '\n')
			n = 0;
		else if (++n > 998)
			return 1;
	return 0;
}

/* A reason with such a line, as quoted-printable (RFC 2045 6.7), which
 * breaks it with soft line breaks: an 8bit body may not hold it (Pigeonhole
 * sends it as it is). */
static void
reason_qp(struct buf *b, const char *text)
{
	struct qp_enc q;
	size_t n = strlen(text);
	char *out = xmalloc(QP_ENC_BOUND(n) + QP_ENC_FINAL_MAX);
	size_t k;

	buf_adds(b, "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n");
	qp_enc_init(&q, 0);
	k = qp_enc_update(&q, text, n, out);
	k += qp_enc_final(&q, out + k);
	buf_add(b, out, k);
	free(out);
}

/* The unfolded value of the first field called name, in out. */
static void
value(const char *h, size_t hl, const char *name, struct buf *out)
{
	struct hdrfield f;

	if (hdr_find(h, hl, name, &f))
		hdr_unfold(f.val, f.vallen, out);
}

void
sievemail_vacation(const struct sievemail_user *u,
    const struct sieve_action *a, const char *h, size_t hl, time_t now,
    struct buf *b)
{
	struct buf subj, mid, refs;
	const char *me = sievemail_me(u);
	char date[64];
	struct tm tm;
	size_t col;

	buf_init(&subj, 4096);
	buf_init(&mid, 4096);
	buf_init(&refs, 1 << 16);
	value(h, hl, "subject", &subj);
	value(h, hl, "message-id", &mid);
	value(h, hl, "references", &refs);
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
	from_line(b, a->from ? a->from : a->me ? a->me : me ? me :
	    "MAILER-DAEMON");
	reply_to(b, h, hl, a->arg);
	subject(b, a->subject, subj.p ? subj.p : "", subj.len);
	buf_printf(b, "Date: %s\n", date);
	/* References: the original's, then its Message-ID (RFC 5322
	 * section 3.6.4) */
	if (mid.len) {
		buf_adds(b, "In-Reply-To:");
		col = 12;
		words(b, &col, mid.p, mid.len);
		buf_adds(b, "\nReferences:");
		col = 11;
		words(b, &col, refs.p ? refs.p : "", refs.len);
		words(b, &col, mid.p, mid.len);
		buf_addc(b, '\n');
	}
	buf_adds(b, "Auto-Submitted: auto-replied (vacation)\n"
	    "Precedence: bulk\nMIME-Version: 1.0\n");
	if (!a->mime && long_line(a->reason))
		reason_qp(b, a->reason);
	else {
		if (!a->mime)
			buf_adds(b, "Content-Type: text/plain; charset=utf-8\n"
			    "Content-Transfer-Encoding: 8bit\n\n");
		buf_adds(b, a->reason ? a->reason : "");
	}
	if (b->len && b->p[b->len - 1] != '\n')
		buf_addc(b, '\n');
	buf_free(&subj);
	buf_free(&mid);
	buf_free(&refs);
}

const char *
sievemail_redirect_sender(const struct sievemail_user *u, const char *sender,
    char *buf, size_t buflen)
{
	const char *how = u->redirect_from, *p = NULL;
	size_t n;

	if (sender == NULL || *sender == 0 || strcmp(sender, "<>") == 0)
		return "";
	if (how == NULL || strcmp(how, "sender") == 0)
		return sender;
	if (strcmp(how, "recipient") == 0)
		p = u->rcpt;
	else if (strcmp(how, "orig_recipient") == 0)
		p = u->orig_rcpt && *u->orig_rcpt ? u->orig_rcpt : u->rcpt;
	else if (strcmp(how, "user_email") == 0)
		p = u->email && *u->email ? u->email : u->rcpt;
	else if ((n = strlen(how)) >= 2 && how[0] == '<' && how[n - 1] == '>' &&
	    n - 1 <= buflen) {
		memcpy(buf, how + 1, n - 2);
		buf[n - 2] = 0;
		return buf;
	} else
		return NULL;
	/* nothing known to send from: the message's own sender */
	return p && *p ? p : sender;
}

int
sievemail_loop(const struct sievemail_user *u, const char *h, size_t hl)
{
	const char *mine[3];
	size_t off = 0, i, k;
	struct hdrfield f;
	int loop = 0;

	mine[0] = u->email;
	mine[1] = u->rcpt;
	mine[2] = u->orig_rcpt;
	while (!loop && hdr_next(h, hl, &off, &f)) {
		struct addrlist l;

		if (!hdr_is(&f, "x-sieve-redirected-from"))
			continue;
		memset(&l, 0, sizeof l);
		addr_parse(f.val, f.vallen, &l);
		for (i = 0; i < l.n && !loop; i++)
			for (k = 0; k < 3 && !loop; k++)
				loop = mine[k] != NULL && strcasecmp(mine[k],
				    l.v[i].addr) == 0;
		addr_free(&l);
	}
	return loop;
}

void
sievemail_redirect_hdr(const struct sievemail_user *u, const char *h,
    size_t hl, struct buf *out)
{
	const char *me = sievemail_me(u);
	size_t off = 0;
	struct hdrfield f;

	/* as Pigeonhole writes it: the bare address */
	if (me != NULL && strpbrk(me, "\r\n") == NULL)
		buf_printf(out, "X-Sieve-Redirected-From: %s\n", me);
	while (hdr_next(h, hl, &off, &f))
		if (!hdr_is(&f, "return-path"))
			buf_add(out, f.line, f.linelen);
	buf_addc(out, '\n');
}

size_t
sievemail_unloop(const struct sievemail_user *u, struct sieve_result *res,
    const char *msg, char *why, size_t whylen)
{
	size_t i, n = 0;
	int kept = 0;
	const char *h;
	size_t hl;

	for (i = 0; i < res->n; i++) {
		struct sieve_action *a = &res->a[i];

		kept |= a->type == SIEVE_KEEP || (a->type == SIEVE_FILEINTO &&
		    strcasecmp(a->arg, "INBOX") == 0);
		if (a->type != SIEVE_REDIRECT)
			continue;
		sievemail_header(res, a, msg, &h, &hl);
		if (!sievemail_loop(u, h, hl))
			continue;
		if (n++ == 0)
			snprintf(why, whylen, "redirect to %s: "
			    "X-Sieve-Redirected-From names this user: a mail "
			    "loop; the message is kept instead", a->arg);
		a->type = SIEVE_DISCARD;
	}
	if (n > 0 && !kept) {
		res->a = xrealloc(res->a, (res->n + 1) * sizeof *res->a);
		memset(&res->a[res->n], 0, sizeof res->a[0]);
		res->a[res->n].type = SIEVE_KEEP;
		res->a[res->n].implicit = 1;
		res->n++;
	}
	return n;
}
