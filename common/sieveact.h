/*
 * sieveact: carry out the actions of a Sieve result (sieve.h) for one
 * message: the stores through deliver.h, redirect and vacation through
 * a sendmail program, pipe through a program of an allow-listed
 * directory, the duplicate and vacation memory through sievestate.h.
 *
 * The order, so that a failure never half-delivers:
 *   1. every pipe program is resolved in pipe_dir (a bare name, a
 *      regular executable file there); one that is not is a runtime
 *      error: the result becomes the implicit keep into DEST alone;
 *   2. every folder without :create must exist, else 75 and nothing done;
 *   3. every store copy is written to tmp/ (deliver_begin/write); the
 *      keywords among its flags get their letters from the Maildir's
 *      dovecot-keywords (mdkw.h: one left out is a warning);
 *   4. redirects and pipes run (the message on their stdin, no shell,
 *      each killed if not done within pipe_timeout;
 *      as sievemail.h composes it: the header as it stood when the
 *      action ran; a redirect that would loop is not sent and the
 *      message kept instead, with a warning);
 *      one that fails (not 0; a pipe with :try excepted) aborts the
 *      stores: 75, nothing visible;
 *   5. deliver_commit(): every copy made visible together, or none (75);
 *   6. vacation replies are sent (within pipe_timeout each; a failure
 *      is a warning: the delivery is done), then the duplicate and
 *      vacation keys recorded.
 * A redirect that succeeded before a failed commit is sent again when
 * the MTA retries: a duplicate, never a loss.  reject/ereject give 69
 * with the reason on stderr and deliver nothing.
 *
 * Folders: "INBOX" is DEST; "A.B" of a Maildir DEST is its Maildir++
 * folder DEST/.A.B (the INBOX of "Inbox.B" in any case: DEST/.INBOX.B);
 * of an mbox DEST, the mbox file A.B beside DEST.
 *
 * Returns the exit status (0, 69, 75, 73, 74...); a message for stderr
 * is in why when it is not 0.
 */
#ifndef YUBIN_SIEVEACT_H
#define YUBIN_SIEVEACT_H

#include <stddef.h>

#include "sieve.h"
#include "sievemail.h"

struct sieveact {
	const char *dest;
	int mbox;               /* DEST is an mbox file */
	int create;             /* -c: DEST may be created */
	double lock_timeout;
	const char *sendmail;   /* redirect, vacation: "mailsend" by default */
	const char *pipe_dir;   /* NULL: every pipe is refused */
	double pipe_timeout;    /* seconds a pipe program, or the sendmail
	                           of a redirect or vacation, may run; 0:
	                           no limit */
	const char *state_dir;  /* duplicate and vacation memory */
	const char *sender;     /* envelope sender; "" for <>; NULL unknown */
	struct sievemail_user user;     /* vacation From:, redirect loops */
	int verbose;            /* print each path written */
};

int sieveact_run(const struct sieveact *c, struct sieve_result *res,
    const char *msg, size_t len, char *why, size_t whylen);

/* Run the pipe action a (its program in c->pipe_dir, for at most
 * c->pipe_timeout seconds): its exit status, or -1; why says why not 0. */
int sieveact_pipe(const struct sieveact *c, const struct sieve_result *res,
    const struct sieve_action *a, const char *msg, size_t len, char *why,
    size_t whylen);
/* The path of folder, malloc'd. */
char *sieveact_folder(const struct sieveact *c, const char *folder);
/* sieve_env callbacks; arg is the struct sieveact. */
int sieveact_exists(void *arg, const char *folder);
int sieveact_seen(void *arg, const char *key, size_t n);
/* Maildir info letters of IMAP flags ("\\Seen \\Flagged" -> "FS"). */
void sieveact_mdflags(const char *imap, char *out, size_t n);

#endif
