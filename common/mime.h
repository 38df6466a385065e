/*
 * mime: a streaming parser of the MIME part tree (RFC 2045, 2046).
 *
 * A push parser: feed the message in chunks of any size with mime_feed()
 * and finish with mime_end(); the events are the same however the input
 * is split.  Events go to three callbacks:
 *   begin  a part starts; its header block and the parsed fields are set
 *          (for an x-uuencode part only once its begin line is read,
 *          whose NAME is then the file name if the header gave none);
 *   data   decoded body bytes of a leaf part (base64, quoted-printable,
 *          7bit, 8bit, binary); never called for containers;
 *   end    the part is over; size and flags are final.
 * Every entity gets a begin and an end, containers included, and they
 * nest: a part's children begin and end between its own begin and end.
 *
 * Numbering follows IMAP (RFC 3501 §6.4.5): a non-multipart message's
 * body is "1"; a multipart's children are "1", "2", ... and theirs
 * "1.1", ...; the root multipart is "".  A message/rfc822 (or
 * message/global) part "N" is walked as a nested message: if that
 * message is a multipart, its entity has section "N" too (one level
 * deeper) and its children are "N.1", "N.2"; if not, its body is "N.1".
 * One in base64 or quoted-printable (MIME_W_MSGENC) is numbered the
 * same: its decoded bytes are streamed into a nested parser whose
 * events come renumbered, under the same limits.
 *
 * Line ends are normalised as by msg_line(): CRLF becomes LF, a bare CR
 * is data.  The line end before a delimiter belongs to the delimiter.
 * A delimiter line is "--" boundary, optionally "--", then optional
 * white space; failing that, white space and other text (RFC 2046
 * §5.1.1, munpack; not Python's email; MIME_W_DELIMTEXT).  It is
 * matched against every open multipart, innermost first, so an inner
 * part can be ended by an outer boundary.  Delimiter
 * lines longer than MIME_LINEMAX are not recognised.  A header ends as
 * hdr_line() (hdr.h) says: at the empty line, or before the first line
 * that is neither a field nor a continuation, which then starts the body
 * (MIME_W_HDRLINE on the part).  A UTF-8 byte order mark at the start of
 * the message is dropped.
 *
 * A multipart none of whose delimiters comes (a wrong boundary, or one
 * longer than MIME_LINEMAX) would lose its body: it gets one child, a
 * text/plain part (section "N.1", no header, charset "") holding the
 * first MIME_PREMAX bytes of that body, before its end
 * (MIME_W_NODELIM on the multipart, instead of MIME_W_NOEND).  The body
 * is held until then, which is why only so much of it.
 *
 * uuencoded blocks in text/plain are not decoded here: run the data of
 * such parts through uu_scan (codec.h).  x-uuencode (also x-uue,
 * uuencode, uue) as a transfer encoding is decoded: the part's data are
 * its first block, as in Python's email; text around the block is
 * dropped (CODEC_OUTSIDE), and a body without a begin line is given as
 * it is (CODEC_NOBEGIN), held until then up to 64 KiB.
 *
 * Memory is bounded by the limits: one header buffer of maxhdr bytes, a
 * stack of maxdepth + 1 entities, small fixed buffers, the text of at
 * most one multipart before its first delimiter (MIME_PREMAX) and of one
 * x-uuencode part before its begin line (64 KiB).  The parser owns
 * everything a struct mime_part points to; it is valid during the
 * callback only.
 *
 * The copy, for a program that rewrites a message as it streams
 * (mailsend --downgrade, mimepack -w): with cb.out set, the walker
 * writes the whole message through it, line ends normalised as above,
 * each piece tagged: MIME_OUT_HDR a part's header block and its empty
 * line, MIME_OUT_BODY a leaf's body as it stands (not decoded),
 * MIME_OUT_DELIM and MIME_OUT_CLOSE a delimiter line and its line end
 * (its multipart's close delimiter for MIME_OUT_CLOSE; a client may
 * write new parts before it), MIME_OUT_TEXT all else (the line end
 * before a delimiter, preamble, epilogue, an mbox From_ line, and
 * everything after MIME_W_PARTS).  A client that calls mime_rewrite()
 * in a part's begin writes that part's header, and a leaf's body,
 * itself (from begin's hdr and the data events; a delimiter is copied
 * only after the ends of the parts it closes); the walker still writes
 * the delimiters, preamble and epilogue.  Not rewritable: a header over
 * maxhdr (MIME_W_HDRTRUNC: it is copied as it comes), an x-uuencode
 * part, the text part made of a multipart without delimiters (its
 * bytes were copied as the multipart's text), and the parts inside a
 * base64 or quoted-printable message/rfc822 (copied as its body; take
 * message parts whole to see none).  A byte order mark at the start is
 * dropped.  The copy holds no more than the walk does: bodies stream,
 * only a header is held.
 */
#ifndef YUBIN_MIME_H
#define YUBIN_MIME_H

#include <stddef.h>

#define MIME_LINEMAX 1024       /* longest delimiter line recognised */

/* mime_part.kind */
#define MIME_LEAF      0        /* has body data */
#define MIME_MULTIPART 1        /* children are parts */
#define MIME_MESSAGE   2        /* message/rfc822: one child, a message */

/* mime_part.flags: what was wrong (they also accumulate in mime_end()) */
#define MIME_W_NOEND    0x001   /* multipart without its close delimiter */
#define MIME_W_DEPTH    0x002   /* nesting limit: container taken as text */
#define MIME_W_PARTS    0x004   /* part-count limit: parsing stopped */
#define MIME_W_HDRTRUNC 0x008   /* header longer than maxhdr: cut */
#define MIME_W_ENCODING 0x010   /* unknown transfer encoding: as binary */
#define MIME_W_BOUNDARY 0x020   /* multipart without boundary: as text */
#define MIME_W_TYPE     0x040   /* unparsable Content-Type: default used */
#define MIME_W_DECODE   0x080   /* the decoder complained (see codec) */
#define MIME_W_NODELIM  0x100   /* multipart whose boundary never came:
                                   its body is given as a text part */
#define MIME_W_HDRLINE  0x200   /* the header ended at a line that is not
                                   a field: no empty line before the body */
#define MIME_W_NOHDR    0x400   /* message/rfc822 whose message has no
                                   header field */
#define MIME_W_NUL      0x800   /* a NUL byte in the header (the field
                                   strings end there) */
#define MIME_W_DUP      0x1000  /* Content-Type, -Transfer-Encoding or
                                   -Disposition twice: the first used */
#define MIME_W_MSGENC   0x2000  /* message/rfc822 (or global) in base64,
                                   quoted-printable or x-uuencode:
                                   decoded, walked */
/* The file name taken (filename=, else name=) was malformed; it is given
 * as best it could be read (see rfc2047.h): */
#define MIME_W_NAMEWORD 0x4000  /* an encoded word that does not decode */
#define MIME_W_NAMECS   0x8000  /* an unknown charset */
#define MIME_W_NAMEGAP  0x10000 /* an RFC 2231 section missing: cut */
#define MIME_W_NAMEPCT  0x20000 /* a bad RFC 2231 %XX escape */
#define MIME_W_NAMELONG 0x40000 /* its field longer than 8 KiB unfolded,
                                   or more than RFC2231_SECTIONS
                                   sections: cut */
#define MIME_W_DELIMTEXT 0x80000 /* a line "--boundary text": taken
                                   as a delimiter (RFC 2046 §5.1.1) */
#define MIME_PREMAX     (1u << 20) /* body of such a multipart kept */

struct mime_part {
	const char *section;    /* "1", "2.1"; "" for the root multipart */
	int depth;              /* 0 for the message itself */
	int kind;               /* MIME_LEAF, MIME_MULTIPART, MIME_MESSAGE */
	const char *hdr;        /* the raw header block, without the empty */
	size_t hdrlen;          /* line; begin only (NULL, 0 at end) */
	/* Fields as C strings, "" when absent (a NUL inside cuts them). */
	const char *type;       /* lower-cased "type/subtype", never "" */
	const char *charset;    /* lower-cased */
	const char *encoding;   /* lower-cased, as given ("" if none) */
	const char *disposition; /* lower-cased "inline", "attachment" */
	const char *filename;   /* UTF-8, decoded, NOT sanitised */
	const char *id;         /* Content-ID, unfolded */
	const char *description; /* Content-Description, decoded */
	unsigned long long size; /* decoded bytes so far (final at end) */
	int flags;              /* MIME_W_* (final at end) */
	int codec;              /* CODEC_* of the decoder (final at end) */
	int rawtext;            /* the raw body of a leaf has a byte other
	                           than white space (so data is there even
	                           if size stays 0) */
};

struct mime_cb {
	void (*begin)(void *arg, const struct mime_part *pt);
	void (*data)(void *arg, const struct mime_part *pt, const char *p,
	    size_t n);
	void (*end)(void *arg, const struct mime_part *pt);
	void *arg;
	/*
	 * Optional, asked for each message/rfc822 or message/global part
	 * (kind MIME_MESSAGE) just before its begin: nonzero takes the part
	 * whole.  It is then not walked but is a MIME_LEAF whose data are
	 * the encapsulated message's bytes, header and body, line ends
	 * normalised to LF (those of a base64 or quoted-printable one
	 * decoded).
	 */
	int (*whole)(void *arg, const struct mime_part *pt);
	/* Optional, the copy (see above); pt is the leaf for
	 * MIME_OUT_BODY, the multipart for a delimiter, else NULL. */
	void (*out)(void *arg, const struct mime_part *pt, int what,
	    const char *p, size_t n);
};

/* the pieces of the copy */
#define MIME_OUT_HDR  0
#define MIME_OUT_BODY 1
#define MIME_OUT_TEXT 2
#define MIME_OUT_DELIM 3
#define MIME_OUT_CLOSE 4

/* Limits; 0 in a field means its default. */
struct mime_limits {
	size_t maxhdr;          /* bytes of one part's header: 64 KiB */
	int maxdepth;           /* nesting of containers: 32 */
	unsigned long maxparts; /* entities, containers included: 10000 */
};

struct mime;

/*
 * A parser; cb is copied, lim may be NULL.  mime_free() makes no more
 * callbacks (call mime_end() first to get the ends).
 */
struct mime *mime_new(const struct mime_cb *cb, const struct mime_limits *lim);
void mime_free(struct mime *m);

/* Is the lower-cased transfer encoding one of the uuencode names? */
int mime_enc_uu(const char *enc);

/*
 * Before the first mime_feed(): what follows is the body of a
 * multipart/mixed with this boundary (the root, section ""), not a
 * message; for a program that has read the header itself.
 */
void mime_multipart(struct mime *m, const char *boundary);

/* In a begin callback: the client writes this part's header (and, if
 * it is a leaf, its body) instead of the copy. */
void mime_rewrite(struct mime *m);

/* Parse n more bytes of the message. */
void mime_feed(struct mime *m, const char *p, size_t n);

/*
 * End of input: close every open part (an unclosed multipart gets
 * MIME_W_NOEND).  Returns the OR of every part's flags.  The parser is
 * then ready for a new message.
 */
int mime_end(struct mime *m);

/*
 * Read fd to its end in 64 KiB reads and parse it.  Returns 0 and sets
 * *flags (if not NULL) as mime_end() does, or -1 on a read error with
 * errno set (the parts seen so far have been ended).
 */
int mime_fd(int fd, const struct mime_cb *cb, const struct mime_limits *lim,
    int *flags);

#endif
