/*
 * smtpmsg: the message mailsend submits, read once and sent from a file.
 *
 * The message is read once into a seekable file (stdin itself when it is
 * a regular file, else a temporary copy in $TMPDIR, unlinked at once):
 * SIZE and BODY must be declared before the data is sent, so the body is
 * scanned first and then streamed from the file.  Only the header is
 * held in memory (at most 1 MiB, else 65); memory stays bounded
 * whatever the size of the body.  The header is read by msg_header()
 * (the one rule of hdr_line()).
 *
 * A NUL byte anywhere is refused (65, naming the line: RFC 5321 §2.3.8;
 * without BINARYMIME a NUL may be dropped or cut the message).  Errors
 * die() with a sysexits code.
 *
 * --downgrade (RFC 6152 §3): a single text part is re-encoded as
 * quoted-printable, a multipart one part by part (smtp_dg in smtp.h);
 * the header gets the matching Content-Transfer-Encoding.
 */
#ifndef YUBIN_SMTPMSG_H
#define YUBIN_SMTPMSG_H

#include <sys/types.h>

#include "smtp.h"
#include "util.h"

struct smsg {
	int fd;
	off_t start;		/* first byte of the message in fd */
	off_t body;		/* first byte of the body in fd */
	off_t end;
	char *hraw;		/* the header as read (LF line ends) */
	size_t hlen;
	struct buf hdr;		/* the header to send, with our fields */
	int body8;		/* the body holds 8-bit bytes */
	int hdr8;		/* a header field holds non-ASCII */
	unsigned long long bodysize;	/* CRLF size of the body */
	int has_from, has_date, has_msgid, has_mimever, has_ctype;
	int multipart, ctype_text, cte_ok;	/* for --downgrade */
	char *from_addr;	/* first address of From, or NULL */
	char *boundary;		/* of a multipart message, or NULL */
};

/* How the body goes out: as it is, or re-encoded for --downgrade. */
enum { SMSG_ASIS, SMSG_QP, SMSG_MULTI };

/* What the message needs from a server. */
struct smsg_need {
	int body8, utf8, dsn;
	unsigned long long size;	/* bytes, CRLF, before stuffing */
	int downgrade;			/* SMSG_* */
};

/* Spool standard input and read the header into m->hraw. */
void smsg_read(struct smsg *m);
/* Then: the fields to send (Bcc and Resent-Bcc dropped) into m->hdr,
 * what the header lacks, and the body's 8-bit data and size. */
void smsg_scan(struct smsg *m);
/* Date, Message-ID and From (sender with display name name, or none)
 * when the message has none. */
void smsg_add_fields(struct smsg *m, const char *sender, const char *name);
/* This host's name, for $USER@host and Message-ID. */
const char *smsg_hostname(void);
/* The sender of last resort, malloc'd: $USER (else $LOGNAME, else the
 * user's passwd name, else nobody) @ this host. */
char *smsg_local_sender(void);

/*
 * Check the message against what the server at where offers (e):
 * 8BITMIME (else, with downgrade, plan one: *h becomes dh), SMTPUTF8,
 * SIZE; nd->size is set.  Returns 0, or 65 or 69 after a warning.
 */
int smsg_fit(const struct smsg *m, const struct smtp_ext *e,
    struct smsg_need *nd, int downgrade, struct buf *dh,
    const struct buf **h, const char *where);
/* Can the body be downgraded?  SMSG_QP or SMSG_MULTI with the new header
 * in dh, or SMSG_ASIS after a warning naming where. */
int smsg_plan(const struct smsg *m, struct buf *dh, const char *where);
/* The SIZE of the message with header h, body as mode. */
unsigned long long smsg_size(const struct smsg *m, const struct buf *h,
    int mode);
/* Stream the body to sink, as mode. */
void smsg_body(const struct smsg *m, int mode, smtp_sink *sink, void *arg);

/* The source smtpc_tx() wants: header h, the empty line, the body. */
struct smsg_src {
	const struct smsg *m;
	const struct buf *h;
	int mode;
};
void smsg_write(void *arg, smtp_sink *sink, void *sinkarg);

#endif
