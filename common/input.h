/*
 * input: the one loop of every program that reads messages (hdrparse,
 * mimeunpack), as mblaze's blaze822_loop.
 *
 * Each argument is taken the same way:
 *   "-"            standard input, as a FILE;
 *   a directory    a Maildir: the messages of cur/ and new/, in the
 *                  order of mdir_list() (mdir.h), each named DIR/cur/NAME;
 *   a FILE         one message, named FILE, unless its first line
 *                  (after a byte order mark) starts with "From ": then it
 *                  is an mboxrd mailbox and every message in it is read,
 *                  the Nth (from 1) named FILE:N, with the "From " lines
 *                  taken off and ">From " lines unquoted (mboxin, mbox.h).
 * No argument at all is "-".  INPUT_MBOX and INPUT_ONE (an MDA's
 * input) take every argument as that, whatever its first line; with
 * them a message's bytes reach the callback exactly as mboxin gives
 * them (a byte order mark is dropped at the start of the input only).
 * Either way memory stays bounded: lines stream through the reader's
 * buffer, and nothing holds a whole message or mailbox.
 *
 * For each message the callback gets a struct input_msg: its name for
 * output (raw bytes: quote it under the safe-text rule, rec.h), the file
 * it is in, its index in an mbox, and a msgin reader (msg.h) positioned
 * at its first byte and ending at its last.  With INPUT_HEADER the loop
 * reads the header itself (as msg_header() does, on threads for a
 * Maildir: hdrq.h) and the callback gets it instead of the reader.
 *
 * The loop says what goes wrong with the input itself, naming it under
 * the safe-text rule: a file that cannot be opened (66), a directory
 * that is not a Maildir (66), a read error (74, and the rest of that
 * file is not read).  It keeps the worst of those in status, by
 * ex_worse() (util.h); what the callback finds wrong is the callback's.
 * The callback must not keep pointers into an input_msg.
 */
#ifndef YUBIN_INPUT_H
#define YUBIN_INPUT_H

#include <stddef.h>

#include "msg.h"
#include "util.h"

#define INPUT_HEADER 1  /* read only the header of each message */
#define INPUT_MBOX   2  /* every argument is an mbox, read as a stream:
                         * nothing is looked at ahead, and input whose
                         * first line is not a "From " line is not an
                         * mbox (65, "NAME: not an mbox ...") */
#define INPUT_ONE    4  /* every argument is one message, never split;
                         * a leading "From " line is taken off */

struct input_msg {
	const char *name;       /* FILE, DIR/cur/NAME, or FILE:N */
	const char *file;       /* the argument or DIR/cur/NAME; "-" is stdin */
	unsigned long index;    /* N in an mbox, from 1; 0 for a whole file */
	int several;            /* it is from a Maildir or an mbox, which may
	                           hold several messages */
	struct msgin *in;       /* the message (not with INPUT_HEADER) */
	const char *hdr;        /* INPUT_HEADER: the header, */
	size_t hdrlen;          /* capped at hdrmax */
	int truncated;          /* the header passed hdrmax */
	const char *from;       /* its "From " line, without the LF (capped
	                           at 1000 bytes), or "" */
	size_t fromlen;
};

typedef void input_fn(void *arg, const struct input_msg *m);

struct input {
	int flags;              /* INPUT_HEADER, INPUT_MBOX, INPUT_ONE, 0 */
	size_t hdrmax;          /* INPUT_HEADER: the cap of a header */
	input_fn *fn;
	void *arg;
	int status;             /* the worst input error, or 0 */
	const char *stdin_name; /* stdin in names and messages; NULL: "-" */
};

/* Read every message of argv[0..argc) (stdin if argc is 0), calling
 * in->fn for each; in->status says how the input went. */
void input_loop(struct input *in, int argc, char **argv);

#endif
