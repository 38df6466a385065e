/*
 * fetchlog: the ledger that makes a fetch exactly once (popfetch; man
 * popfetch(1), EXACTLY ONCE): each message fetched by its unique id is
 * delivered once, also when a run is killed at any instant (power loss
 * included, on a file system that honours fsync(2)).
 *
 * The records are common/uidstate's state file.  The order, per message:
 *   1. fetchlog_begin() queues an intent "I UID TOKEN OFFSET" (TOKEN is
 *      the Maildir file name, or the id the caller writes into the
 *      Received field of an mbox copy) and the message streams through
 *      fetchlog_write() into the store, unseen (Maildir tmp/, the mbox
 *      batch's spool); fetchlog_commit() queues it in the batch
 *   2. fetchlog_flush(): the intents are fsync'd before the messages can
 *      become visible;
 *   3. the store's batch is made durable and visible (with a command:
 *      steps 2 and 3 are the command exiting 0);
 *   4. a done record "D UID DATE" for each, fsync'd;
 *   5. only then may the caller send DELE (told FETCHLOG_DURABLE).
 * A message delivered by a command (the caller runs it) is queued with
 * fetchlog_queue() once the command has taken it.
 * Steps 2 to 4 run for a batch of up to fetchlog.bmax messages (64; 1
 * with a command).  A message leaves the server only after step 4, so
 * nothing is lost.
 *
 * Recovery (fetchlog_settle()): an entry with a done record is never
 * delivered again; an intent without one (the last run was killed
 * between steps 2 and 4) is looked for in the destination: the Maildir
 * file in new/ or cur/, or the id in the mbox after the size it had when
 * the intent was written (searched under the mbox's locks, so what a
 * killed append left is cut back first and does not count).  Found, the
 * message counts as delivered; not found, it is fetched again.
 *
 * The remaining windows (the man page's):
 *   - a command cannot be asked whether it delivered: killed after the
 *     command exited 0 and before the done record was fsync'd, the
 *     message comes again (at least once, never lost); a command still
 *     running is sent SIGTERM when we die (spawn_in());
 *   - a Maildir message deleted or moved out of new/ and cur/ between
 *     the killed run and the next is fetched again;
 *   - another -d or -m between a killed run and the next searches the
 *     new destination: the message in flight may come twice;
 *   - the UIDL is the server's promise (RFC 1939 §7).
 *
 * Errors: fetchlog_open() and fetchlog_settle() return -1 with fl->fe
 * set; fetchlog_flush() warns and returns the sysexits code.
 * Memory: fetchlog_free() frees the batch and the state.
 */
#ifndef YUBIN_FETCHLOG_H
#define YUBIN_FETCHLOG_H

#include <stddef.h>
#include <sys/types.h>

#include "durable.h"
#include "store.h"
#include "uidstate.h"

/* How a queued message ended its batch. */
enum fetchlog_end {
	FETCHLOG_DURABLE,	/* delivered and recorded: DELE may go */
	FETCHLOG_LOST,		/* the batch was dropped: on the server
				   still, fetched again next run */
	FETCHLOG_UNRECORDED	/* delivered, its done record not durable:
				   the intent finds it next run; no DELE */
};

struct fetchlog_item {
	size_t id;		/* the caller's */
	char uid[71];
};

struct fetchlog {
	struct uidstate st;
	struct fserr fe;
	/* the destination: a Maildir, an mbox, or neither (a command,
	 * which cannot be asked) */
	const char *maildir, *mbox;
	struct store *sto;	/* open on one of them, or NULL */
	char host[260];
	const char *prog;	/* fetchlog_open()'s */
	char token[300];	/* the last message's */
	unsigned long tokq;
	/* delivered or queued in the store, done record not yet durable */
	struct fetchlog_item *batch;
	size_t nbatch, bmax, cbi;
	/* the caller's: how each message's batch ended; the store's
	 * report of a durable message, with its path (may be NULL) */
	void (*each)(void *arg, size_t id, enum fetchlog_end end);
	void (*delivered)(void *arg, size_t id, const char *path);
	void *arg;
};

/*
 * The state file of user@host, under its run lock (held until exit):
 * both in $XDG_STATE_HOME/yubin/PROG (else ~/.local/state/yubin/PROG),
 * named USER@HOST (a '/', a control or a leading '.' made '_') and
 * USER@HOST.lock; path, when not NULL, is the state file instead (the
 * lock stays there).  0, or -1 with fl->fe set (75 when another process
 * holds the lock, 78 when neither variable is set).
 */
int fetchlog_open(struct fetchlog *fl, const char *prog, const char *user,
    const char *host, const char *path);

/* The destination (maildir or mbox, or both NULL for a command): the
 * batch size, and for a store the conf's batch and delivered callback
 * (sc may be NULL).  fl->sto is then set by the caller to the store
 * opened with sc, or stays NULL. */
void fetchlog_dest(struct fetchlog *fl, const char *maildir,
    const char *mbox, struct store_conf *sc);

/* uid is on the server: its entry is kept at compaction. */
void fetchlog_live(struct fetchlog *fl, const char *uid);

/* Is uid delivered?  *first: when it was first recorded. */
int fetchlog_done(struct fetchlog *fl, const char *uid, long long *first);

/*
 * Resolve the intents a killed run left (see above), and compact the
 * state file when it holds anything else than one done record per
 * live entry (so that appends never follow a torn line).  0 or -1.
 */
int fetchlog_settle(struct fetchlog *fl);

/* The intents only (fetchlog_settle()'s first step). */
void fetchlog_resolve(struct fetchlog *fl);

/* Is the Maildir file name in dir's new/ or (moved by a reader) cur/? */
int fetchlog_maildir_has(const char *dir, const char *name);
/* Does fd hold token at or after off (from the start when the file is
 * shorter)?  Read in chunks: memory stays bounded. */
int fetchlog_mbox_scan(int fd, const char *token, long long off);

/*
 * Step 1 for uid: its token (fl->token: the Maildir file's name, or a
 * unique id on this host for an mbox or a command); with a store, the
 * message begun in it and its intent queued.  hdr gets the Received
 * field of this hop (RFC 5321 §4.4) with the token as its id: "from
 * FROM by HOST (yubin PROG) with WITH", which the caller writes first
 * (an mbox copy is found by it).  0, or the store's status (warned;
 * nothing begun).
 */
int fetchlog_begin(struct fetchlog *fl, const char *uid, const char *from,
    const char *with, struct buf *hdr);

/* A pop3c_sink (arg: fl): bytes of the message begun into the store.
 * 0, or the store's status. */
int fetchlog_write(void *fl, const char *p, size_t n);

/*
 * The message's end: ex the status of its transfer (0: whole), werr
 * fetchlog_write()'s.  Queued in the batch (id: the caller's), or
 * aborted: then the store's batch is dropped (FETCHLOG_LOST for each).
 * 0, ex, or the store's status (warned).
 */
int fetchlog_commit(struct fetchlog *fl, size_t id, const char *uid,
    int ex, int werr);

/* uid (the caller's id) is delivered or queued in the store. */
void fetchlog_queue(struct fetchlog *fl, size_t id, const char *uid);

/* Is the batch full? */
int fetchlog_full(const struct fetchlog *fl);

/*
 * Steps 2 to 4 for the batch (without a store: the done records only);
 * fl->each is told how each message ended.  0, or the sysexits code
 * (warned).
 */
int fetchlog_flush(struct fetchlog *fl);

void fetchlog_free(struct fetchlog *fl);

#endif
