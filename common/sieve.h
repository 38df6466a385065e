/*
 * sieve: a Sieve interpreter (RFC 5228 and extensions) for maildeliver -r.
 *
 * Two halves:
 *   sieve_compile()  pure: (buf, len) of a script in, an AST out, or an
 *                    error "FILE:LINE:COL: message" (no I/O, bounded
 *                    memory, see the limits below);
 *   sieve_run()      evaluates the AST against one message held in
 *                    memory (header and body as bytes) and an envelope,
 *                    and gives the list of actions to carry out (struct
 *                    sieve_result).  It does no I/O of its own: whether
 *                    a folder exists and what the duplicate memory holds
 *                    are asked through callbacks of struct sieve_env.
 * Carrying the actions out (deliveries, redirects, vacation replies,
 * pipes) is the caller's business (maildeliver); the result says which
 * ones, in the order the script asked for them, after the implicit keep
 * rules of RFC 5228 §2.10.2.
 *
 * A runtime error (RFC 5228 §2.10.6) makes sieve_run() return -1 with
 * res->error set: every action is dropped and the result is the implicit
 * keep alone, without flags.
 *
 * Limits (each a compile error or a runtime error, never a crash):
 *   SIEVE_MAX_SCRIPT   bytes of a script
 *   SIEVE_MAX_STRING   bytes of one string, as written or after variable
 *                      expansion, and of one variable's value (a longer
 *                      value is cut, at a UTF-8 character, not an error;
 *                      env->maxvar may set a lower limit)
 *   SIEVE_MAX_BLOCKS   nesting of blocks, and SIEVE_MAX_TESTS of tests
 *                      (Pigeonhole's limits, as SIEVE_MAX_ARGS and
 *                      SIEVE_MAX_IDENT)
 *   SIEVE_MAX_ARGS     arguments of one command or test
 *   SIEVE_MAX_IDENT    characters of a command, test or tag name
 *   SIEVE_MAX_NODES    commands and tests in a script
 *   SIEVE_MAX_LIST     strings in one string list
 *   SIEVE_MAX_VARS     variables set in one run
 *   SIEVE_MAX_REDIRECT redirects per message (as Pigeonhole's default)
 *   SIEVE_MAX_ACTIONS  actions per message, after merging (the same)
 *   SIEVE_MAX_STEPS    tests, commands and string comparisons in one run
 *   SIEVE_MAX_SECONDS  CPU seconds of one run (checked between steps;
 *                      regular expressions are matched against at most
 *                      SIEVE_MAX_REGEXIN bytes, and back-references are
 *                      refused at compile time, so one match is bounded)
 *   SIEVE_MAX_REGEX    bytes of one regular expression; with
 *   SIEVE_MAX_REGEXDUP the copies its {n,m} bounds may make, and no
 *                      quantifier right after another ("a++"), so that
 *                      regcomp() itself stays small
 *   SIEVE_MAX_DEPTH    nesting of groups in a regular expression
 *   SIEVE_MAX_ERRORS   compile errors given with their text (all are
 *                      counted)
 *
 * The registry.  Every command and test is a struct sieve_def, found by
 * name when the script is compiled; the base language and the supported
 * extensions are registered by sieve_init().  A test-only extension
 * (vnd.dovecot.testsuite) registers its own table without touching ours:
 *
 *     static const struct sieve_tagdef mytags[] = {{"index", 'n', 0}, {0}};
 *     static int my_run(struct sieve_run *r, const struct sieve_node *n);
 *     static const struct sieve_def mydefs[] = {
 *         {"test_fail", SIEVE_CMD, "vnd.dovecot.testsuite", "s", 0,
 *          NULL, my_run, NULL},
 *     };
 *     sieve_register("vnd.dovecot.testsuite", mydefs, 1);
 *
 * after sieve_init() and before sieve_compile().  A script may then
 * `require "vnd.dovecot.testsuite"`.  A def's handler reads its
 * arguments with sieve_pos()/sieve_tag()/sieve_str_expand(), evaluates
 * tests with sieve_test(), runs blocks with sieve_block(), and reaches
 * its own state through sieve_run_user().  Names must not clash with a
 * registered one (sieve_register returns -1).
 *
 * Memory: a struct sieve_script owns the whole AST (sieve_free()); a
 * struct sieve_result owns its actions (sieve_result_free()).
 */
#ifndef YUBIN_SIEVE_H
#define YUBIN_SIEVE_H

#include <stddef.h>
#include <regex.h>

#include "util.h"

#define SIEVE_MAX_SCRIPT   (8u << 20)
#define SIEVE_MAX_STRING   (1u << 20)
#define SIEVE_MAX_DEPTH    64
#define SIEVE_MAX_BLOCKS   32
#define SIEVE_MAX_TESTS    32
#define SIEVE_MAX_ARGS     32
#define SIEVE_MAX_IDENT    32
#define SIEVE_MAX_ERRORS   10
#define SIEVE_MAX_NODES    200000
#define SIEVE_MAX_LIST     10000
#define SIEVE_MAX_VARS     1000
#define SIEVE_MAX_REDIRECT 4
#define SIEVE_MAX_ACTIONS  32
#define SIEVE_MAX_STEPS    10000000UL
#define SIEVE_MAX_SECONDS  5
#define SIEVE_MAX_REGEXIN  (64u << 10)
#define SIEVE_MAX_REGEX    4096         /* bytes of one expression */
#define SIEVE_MAX_REGEXDUP 1000         /* copies its {n,m} may ask for */
#define SIEVE_MAX_MATCHVARS 64          /* ${0} .. ${63} */

/* argument types (sieve_arg.type) */
#define SIEVE_NUM  1
#define SIEVE_LIST 2            /* a string is a list of one, bracket 0 */
#define SIEVE_TAG  3

struct sieve_str {
	char *p;                /* NUL-terminated, may hold NUL bytes */
	size_t len;
	char *src;              /* as written (quoted), for traces */
};

struct sieve_arg {
	int type;
	unsigned line, col;
	unsigned long long num; /* SIEVE_NUM, K/M/G applied */
	char *tag;              /* SIEVE_TAG: the name without ':' */
	struct sieve_str *v;    /* SIEVE_LIST */
	size_t n;
	int bracket;            /* written as [ ... ] */
	char *src;              /* SIEVE_NUM: as written ("10K") */
};

struct sieve_def;

struct sieve_node {
	const struct sieve_def *def;
	char *name;
	unsigned line, col;
	struct sieve_arg *args; /* as written, tags included */
	unsigned nargs;
	struct sieve_node **tests;      /* a test or a test list */
	unsigned ntests;
	int testlist;           /* written as ( ... ) */
	int hasblock;
	struct sieve_node *block;       /* first command of { ... } */
	struct sieve_node *next;        /* next command of its block */
	/* filled by the checker */
	int pos[8];             /* indexes of the positional args, -1 */
	unsigned npos;
	int match;              /* SIEVE_M_* */
	int rel;                /* SIEVE_R_* with :count/:value */
	int cmp;                /* SIEVE_C_* */
	int part;               /* SIEVE_A_* */
	regex_t *re;            /* compiled keys of :regex (when constant) */
	size_t nre;
};

#define SIEVE_M_IS 0
#define SIEVE_M_CONTAINS 1
#define SIEVE_M_MATCHES 2
#define SIEVE_M_REGEX 3
#define SIEVE_M_COUNT 4
#define SIEVE_M_VALUE 5

#define SIEVE_R_GT 0
#define SIEVE_R_GE 1
#define SIEVE_R_LT 2
#define SIEVE_R_LE 3
#define SIEVE_R_EQ 4
#define SIEVE_R_NE 5

#define SIEVE_C_CASEMAP 0       /* the default, RFC 5228 §2.7.3 */
#define SIEVE_C_OCTET 1
#define SIEVE_C_NUMERIC 2

#define SIEVE_A_ALL 0
#define SIEVE_A_LOCAL 1
#define SIEVE_A_DOMAIN 2
#define SIEVE_A_USER 3
#define SIEVE_A_DETAIL 4

struct sieve_script {
	struct sieve_node *first;
	char **req;             /* the extensions required */
	size_t nreq;
	unsigned nnodes;
	char *name;             /* for messages */
	void *pool;             /* internal: the arena */
	struct sieve_node **re; /* internal: nodes holding regex_t */
	size_t nre;
};

struct sieve_run;

/* A tag a def accepts besides the standard ones of its flags. */
struct sieve_tagdef {
	const char *name;       /* without ':'; NULL ends a table */
	char arg;               /* 0 none, 's' string, 'l' list, 'n' number */
	char group;             /* tags of one group exclude each other */
};

/*
 * Command: return 0 to go on, 1 to stop the script, -1 on a runtime
 * error (after sieve_fail()).  Test: 1 true, 0 false, -1 error.
 */
typedef int sieve_fn(struct sieve_run *r, const struct sieve_node *n);
/* Extra compile-time checks: 0, or -1 after writing a message to err. */
typedef int sieve_check_fn(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen);

#define SIEVE_CMD  1
#define SIEVE_TEST 2
#define SIEVE_NS   3    /* a variables namespace: ${name.x} is no error
                           when its extension is required */

/* sieve_def.flags */
#define SIEVE_F_MATCH 0x01      /* match type and :comparator tags */
#define SIEVE_F_ADDR  0x02      /* :all :localpart :domain (:user :detail) */
#define SIEVE_F_BLOCK 0x04      /* a block follows (if, elsif, else) */
#define SIEVE_F_CTRL  0x08      /* not traced as an ACTION */
#define SIEVE_F_NOVARS 0x40     /* sets no match variables (body) */
#define SIEVE_F_OCTET 0x20      /* default comparator i;octet (string,
                                   as Pigeonhole has it) */

struct sieve_def {
	const char *name;
	int kind;               /* SIEVE_CMD, SIEVE_TEST or SIEVE_NS */
	const char *ext;        /* the require that enables it, NULL: base */
	/*
	 * Positional arguments in order: 's' string, 'l' string list, 'n'
	 * number, 't' one test, 'T' a test list; what follows a '?' is
	 * optional.
	 */
	const char *args;
	unsigned flags;
	const struct sieve_tagdef *tags;
	sieve_fn *run;
	sieve_check_fn *check;
};

/* Register the base language and our extensions (idempotent). */
void sieve_init(void);
/*
 * Add the extension ext (its name for require) with n defs (n may be 0:
 * an extension that only enables something, as a comparator).  The
 * table is borrowed.  0, or -1 if a name is taken or the registry full.
 */
int sieve_register(const char *ext, const struct sieve_def *defs, size_t n);
/* Is ext a registered extension? */
int sieve_have_ext(const char *ext);
/* The space-separated list of supported extensions (static). */
const char *sieve_extensions(void);

/*
 * Compile (p, len); name is the file name for messages.  0 with *out
 * set, or -1 with err set to "NAME:LINE:COL: message", the first error.
 * After a syntax error the parser skips to the end of the command (the
 * next ';', or its block) and goes on, as Pigeonhole's does; a script
 * that does not parse is not checked, one that parses is checked whole.
 */
int sieve_compile(const char *name, const char *p, size_t len,
    struct sieve_script **out, char *err, size_t errlen);
/*
 * The same, and *nerr (if not NULL) the number of errors (0 on
 * success): the parser's, or else the checker's, at most one per
 * command or test, as Pigeonhole counts them.
 */
int sieve_compile_n(const char *name, const char *p, size_t len,
    struct sieve_script **out, char *err, size_t errlen, unsigned *nerr);
/*
 * The same, with the first SIEVE_MAX_ERRORS errors appended to errs, a
 * line "NAME:LINE:COL: message\n" each; *nerr counts them all.
 */
int sieve_compile_all(const char *name, const char *p, size_t len,
    struct sieve_script **out, struct buf *errs, unsigned *nerr);
void sieve_free(struct sieve_script *s);
/* Did the script require ext? */
int sieve_requires(const struct sieve_script *s, const char *ext);

/* What the script runs against. */
struct sieve_env {
	const char *msg;        /* the whole message, LF line ends */
	size_t len;
	size_t added;           /* octets the MDA put on top (Return-Path,
	                           -A fields): the size test leaves them out */
	const char *from;       /* envelope sender ("" for <>), or NULL */
	const char *to;         /* envelope recipient, or NULL */
	const char *orig_to;    /* original recipient, or NULL */
	const char *user_email; /* the user's own address, if other than
	                           to (vacation, RFC 5230 4.5), or NULL */
	char subsep;            /* subaddress separator, 0 for '+' */
	const char *subseps;    /* or a set of them (as Postfix's
	                           recipient_delimiter), if not NULL */
	/* Does folder exist?  NULL: none but INBOX does. */
	int (*mailbox_exists)(void *arg, const char *folder);
	/* Was the duplicate id (handle, id) seen within its period?  NULL:
	 * never. */
	int (*duplicate_seen)(void *arg, const char *key, size_t keylen);
	void *arg;
	struct buf *trace;      /* -n: TEST/ACTION lines appended, or NULL */
	void *user;             /* for registered extensions */
	size_t maxvar;          /* bytes of one variable's value (cut at a
	                           character, RFC 5229 §3); 0 or more than
	                           SIEVE_MAX_STRING: SIEVE_MAX_STRING */
};

/* result actions */
#define SIEVE_KEEP 1
#define SIEVE_FILEINTO 2
#define SIEVE_REDIRECT 3
#define SIEVE_DISCARD 4
#define SIEVE_REJECT 5
#define SIEVE_EREJECT 6
#define SIEVE_VACATION 7
#define SIEVE_PIPE 8

struct sieve_action {
	int type;
	char *arg;              /* folder, address, reason, vacation "to",
	                           program */
	char *flags;            /* keep/fileinto: space-separated, or NULL */
	int copy, create, implicit, try_;
	char **argv;            /* pipe: its arguments; NULL-terminated */
	/* vacation */
	char *from, *subject, *reason, *handle;
	int mime;
	unsigned long long seconds;
	char *key;              /* memory key (vacation) */
	char *me;               /* vacation: the user's address the message
	                           named (RFC 5230 4.5), or NULL */
	/* redirect, pipe, vacation: the header as editheader had left it
	 * when the action ran (RFC 5293 section 6), or NULL if unchanged
	 * by then; the stores take the final one (sieve_result.hdr) */
	char *hdr;
	size_t hdrlen;
};

struct sieve_result {
	struct sieve_action *a;
	size_t n;
	char *error;            /* the runtime error, or NULL */
	/* duplicate ids to record once the delivery committed */
	struct sieve_dup { char *key; unsigned long long seconds; } *dup;
	size_t ndup;
	/* the header as editheader left it, or NULL if unchanged */
	char *hdr;
	size_t hdrlen;
	size_t bodyoff;         /* where the body starts in env->msg */
};

/*
 * Run s against env.  0 with res filled, or -1 on a runtime error (res
 * then holds the implicit keep and res->error the message).
 */
int sieve_run(const struct sieve_script *s, const struct sieve_env *env,
    struct sieve_result *res);
void sieve_result_free(struct sieve_result *res);
/* Append the RESULT lines of res to b. */
void sieve_result_print(const struct sieve_result *res, struct buf *b);

/* --- for handlers of registered defs ---------------------------------- */

/* The i-th positional argument, or NULL. */
const struct sieve_arg *sieve_pos(const struct sieve_node *n, unsigned i);
/* The tag's argument (or the tag itself if it takes none), or NULL. */
const struct sieve_arg *sieve_tag(const struct sieve_node *n,
    const char *tag);
/* A string with ${...} expanded (when variables is required); malloc'd,
 * or NULL after a runtime error (sieve_fail() done). */
char *sieve_str_expand(struct sieve_run *r, const struct sieve_str *s,
    size_t *len);
/* Evaluate a test: 1, 0 or -1. */
int sieve_test(struct sieve_run *r, const struct sieve_node *t);
/* Run the commands from first on: 0, 1 (stop) or -1. */
int sieve_block(struct sieve_run *r, const struct sieve_node *first);
/* Record a runtime error; returns -1. */
int sieve_fail(struct sieve_run *r, const struct sieve_node *n,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const struct sieve_env *sieve_run_env(const struct sieve_run *r);
void *sieve_run_user(const struct sieve_run *r);
/* Match value against the keys as n's match type and comparator say:
 * 1, 0, or -1. */
int sieve_match(struct sieve_run *r, const struct sieve_node *n,
    const char *val, size_t vlen, const struct sieve_arg *keys);

#endif
