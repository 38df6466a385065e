/*
 * sievei: what the parts of the Sieve interpreter share (sieveparse.c,
 * sieverun.c, sieveext.c); not for callers, who use sieve.h.
 */
#ifndef YUBIN_SIEVEI_H
#define YUBIN_SIEVEI_H

#include <time.h>

#include "sieve.h"

void *sv_alloc(struct sieve_script *s, size_t n);
char *sv_strndup(struct sieve_script *s, const char *p, size_t n);
const struct sieve_def *sv_lookup(const char *name);

/* Compile the constant keys of a :regex node (n->re); 0 or -1 with err. */
int sv_regex_prepare(struct sieve_node *n, char *err, size_t errlen,
    const char *file);
void sv_free_regex(struct sieve_node *n);

struct sv_field {
	char *name;
	char *val;              /* raw value, folds and all */
	size_t vlen;
};

struct sv_var {
	char *name;
	char *val;
	size_t len;
};

struct sieve_run {
	const struct sieve_script *s;
	const struct sieve_env *env;
	struct sieve_result *res;
	int vars;               /* "variables" required */
	struct sv_var *v;
	size_t nv;
	char *mv[SIEVE_MAX_MATCHVARS];
	size_t mvlen[SIEVE_MAX_MATCHVARS];
	char *flags;            /* imap4flags' internal variable */
	struct sv_field *f;
	size_t nf;
	size_t nfixed;          /* the first fields, the MDA's (env->added:
	                           Return-Path, -A): the tests see them,
	                           editheader leaves them first and whole */
	int hdr_changed;
	size_t bodyoff;
	int hasbody;            /* an empty line (or a body line) follows
	                           the header */
	unsigned long steps;
	clock_t t0;             /* CPU time at the start */
	struct timespec w0;     /* CLOCK_MONOTONIC at the start */
	int keep;               /* the implicit keep still stands */
	int nredirect;
	char *err;
	int dup_tracked;
};

/* Trace a test's outcome or an action (-n). */
void sv_trace_test(struct sieve_run *r, const struct sieve_node *n, int res);
void sv_trace_action(struct sieve_run *r, const struct sieve_node *n);
/* Past SIEVE_MAX_SECONDS of CPU: a runtime error, -1.  After each step
 * that can take long by itself (a regexec, a body parse). */
int sv_out_of_time(struct sieve_run *r, const struct sieve_node *n);
/* One more step; -1 (runtime error) past the limits. */
int sv_step(struct sieve_run *r, const struct sieve_node *n);

/* Add an action (the strings are taken over); duplicates are merged. */
int sv_action(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_action *a);
/* Expand positional i (a string); malloc'd or NULL after an error. */
char *sv_pos_str(struct sieve_run *r, const struct sieve_node *n,
    unsigned i);
/* The same, its length (it may hold a NUL) in *len. */
char *sv_pos_strn(struct sieve_run *r, const struct sieve_node *n,
    unsigned i, size_t *len);
/* Expanded copy of a tag's string argument, or NULL (absent or error:
 * *err set). */
char *sv_tag_str(struct sieve_run *r, const struct sieve_node *n,
    const char *tag, int *err);
/* The values of the fields called name, unfolded and decoded (decode 1)
 * or raw-unfolded (0): a malloc'd array of n strings. */
struct sieve_str *sv_header_values(struct sieve_run *r, const char *name,
    int decode, size_t *n);
void sv_strs_free(struct sieve_str *v, size_t n);
/* Match the values against the keys of n's positional argument ki. */
int sv_match_values(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_str *vals, size_t nvals, unsigned ki);
/* The same against keys given (expand: their ${} still to expand). */
int sv_match_keys(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_str *vals, size_t nvals,
    const struct sieve_arg *keys, int expand);
/* The longest value of one variable (env->maxvar, at most
 * SIEVE_MAX_STRING); len cut to max without splitting a UTF-8
 * character; s expanded and cut so for a variable, never an error for
 * its length. */
size_t sv_maxvar(const struct sieve_run *r);
size_t sv_utf8_cut(const char *p, size_t len, size_t max);
char *sv_expand_var(struct sieve_run *r, const struct sieve_str *s,
    size_t *len);
/* Set name to val, cut to sv_maxvar(). */
int sv_set_var(struct sieve_run *r, const char *name, const char *val,
    size_t len);
const struct sv_var *sv_get_var(struct sieve_run *r, const char *name);

/*
 * (Re)load the header fields and where the body starts from env->msg,
 * dropping editheader's changes: for a test runner that swaps the
 * message of a run (vnd.dovecot.testsuite's test_set "message").
 */
void sv_message_load(struct sieve_run *r);

/* ---- shared by sieveext.c, sievemsg.c, sievereply.c ------------------ */

int sv_has_tag(const struct sieve_node *n, const char *t);
/* The expanded strings of a list argument: malloc'd array (*n set). */
struct sieve_str *sv_expand_list(struct sieve_run *r,
    const struct sieve_arg *a, size_t *n);
/* A tag that needs an extension the script did not require: -1. */
int sv_need_ext(const struct sieve_script *s, const struct sieve_node *n,
    const char *tag, const char *ext, char *err, size_t errlen);
/* A folder name (n bytes) we can map to a file. */
int sv_folder_ok(const char *f, size_t n);
/* One RFC 5322 mailbox's addr-spec of (s, n), malloc'd, or NULL. */
char *sv_one_address(const char *s, size_t n);
/* A string argument without variables in it, or NULL. */
const char *sv_constant(const struct sieve_script *s,
    const struct sieve_arg *a);
int sv_addr_valid(const char *a);
int sv_domain_ok(const char *p, size_t n);
void sv_push(struct sieve_str **v, size_t *n, struct sieve_str s);
void sv_push_copy(struct sieve_str **v, size_t *n, const char *p);

sieve_fn sv_run_flags, sv_run_hasflag, sv_run_body, sv_run_addheader,
    sv_run_deleteheader, sv_run_duplicate, sv_run_vacation;
sieve_check_fn sv_check_editheader, sv_check_vacation;

#endif
