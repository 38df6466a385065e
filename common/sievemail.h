/*
 * sievemail: the messages Sieve actions send, composed in one place for
 * maildeliver (sieveact.c hands them to the sendmail program) and for
 * the conformance runner (tests/conformance/svtest.c keeps them for
 * test_message :smtp), so that Pigeonhole's suite judges these bytes.
 * No I/O: each call appends to a struct buf.
 *
 *   the vacation reply (RFC 5230 section 5, RFC 3834 section 3):
 *     From      :from, else the user's address the message named
 *               (sieve_action.me), else the user's own address;
 *     To        the sender as the message names it (a From, Sender,
 *               Reply-To, Resent-From or Resent-Sender field holding
 *               the envelope sender, with its display name), else
 *               <envelope sender>;
 *     Subject   :subject, else "Auto: " and the original subject; at
 *               most 256 code points (past that, 255 and U+2026);
 *     Date, In-Reply-To (the Message-ID), References (the original's
 *     References, then its Message-ID: every id), Auto-Submitted:
 *     auto-replied (vacation), Precedence: bulk, MIME-Version; without
 *     :mime a text/plain UTF-8 body.  Its envelope sender is <>
 *     (RFC 5230 section 5.1), its recipient the envelope sender.
 *
 *   the redirected message (RFC 5228 section 4.2): the header as it
 *     stood when the redirect ran (sieve_action.hdr: editheader's
 *     changes up to then), without Return-Path, and on top
 *     "X-Sieve-Redirected-From: <ME>" where ME is the user's address
 *     (sievemail_me()), as Pigeonhole writes it; then the body as it
 *     came.  Its envelope sender is the original one.
 *
 *   loop detection (Pigeonhole's, adopted so that two users who
 *     redirect to each other, one with Pigeonhole and one with yubin,
 *     stop at the second hop): a message whose X-Sieve-Redirected-From
 *     names one of the user's addresses (email, rcpt, orig_rcpt) is not
 *     redirected again (sievemail_loop()), and kept instead
 *     (sievemail_unloop()).
 */
#ifndef YUBIN_SIEVEMAIL_H
#define YUBIN_SIEVEMAIL_H

#include <stddef.h>
#include <time.h>

#include "sieve.h"
#include "util.h"

struct sievemail_user {
	const char *email;      /* the user's own address (--user-email),
	                           or NULL */
	const char *rcpt;       /* the final recipient (-R, $RECIPIENT) */
	const char *orig_rcpt;  /* the original one ($ORIGINAL_RECIPIENT) */
	const char *redirect_from;      /* --redirect-from, or NULL */
};

/* The user's address: email, else rcpt, else orig_rcpt; NULL if none. */
const char *sievemail_me(const struct sievemail_user *u);

/*
 * The header action a sees, its empty line excluded: its snapshot, else
 * the message's own (msg up to bodyoff).  The stores (a == NULL) see
 * the result's final header.
 */
void sievemail_header(const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, const char **h,
    size_t *hl);

/* The whole vacation reply of action a to a message with header (h, hl),
 * LF line ends, dated now. */
void sievemail_vacation(const struct sievemail_user *u,
    const struct sieve_action *a, const char *h, size_t hl, time_t now,
    struct buf *out);

/*
 * The envelope sender of a redirect of a message from sender ("" or
 * "<>": the null sender), as --redirect-from says (Pigeonhole's
 * sieve_redirect_envelope_from): "sender" (the default) keeps it,
 * "recipient" is rcpt, "orig_recipient" orig_rcpt (else rcpt),
 * "user_email" email (else rcpt), "<address>" that address, "<>" the
 * null sender.  A message from the null sender is redirected from it
 * whatever the setting (no bounce may answer a bounce).  Returns "" for
 * the null sender; NULL if the setting is none of these.
 */
const char *sievemail_redirect_sender(const struct sievemail_user *u,
    const char *sender, char *buf, size_t buflen);

/* 1 if the header (h, hl) was already redirected by this user. */
int sievemail_loop(const struct sievemail_user *u, const char *h, size_t hl);

/*
 * Every redirect of res that would loop becomes a discard, and the
 * message is kept (an implicit keep added unless a store to INBOX is
 * there): Pigeonhole drops it, but the user may hold no other copy.
 * Returns how many; why then names the first.
 */
size_t sievemail_unloop(const struct sievemail_user *u,
    struct sieve_result *res, const char *msg, char *why, size_t whylen);

/* The header of the redirected message, its empty line included; the
 * body follows unchanged. */
void sievemail_redirect_hdr(const struct sievemail_user *u, const char *h,
    size_t hl, struct buf *out);

#endif
