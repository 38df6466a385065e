/*
 * sievereply: the Sieve extensions with a memory across messages:
 * duplicate (RFC 7352) and vacation (RFC 5230 with the rules of
 * RFC 3834).  Neither keeps state itself: the env's duplicate_seen()
 * answers, and the keys to remember go out in the result, to be
 * recorded once the delivery committed.  Their tables are in sieveext.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "charset.h"
#include "hdr.h"
#include "mime.h"
#include "sieve.h"
#include "sievei.h"

/* ---- duplicate (RFC 7352) --------------------------------------------- */

int
sv_run_duplicate(struct sieve_run *r, const struct sieve_node *n)
{
	struct buf key;
	char *handle = NULL, *uid = NULL, *hname = NULL;
	int err, seen = 0;
	const struct sieve_arg *secs = sieve_tag(n, "seconds");
	struct sieve_result *res = r->res;

	if ((handle = sv_tag_str(r, n, "handle", &err)) == NULL && err)
		return -1;
	if ((uid = sv_tag_str(r, n, "uniqueid", &err)) == NULL && err)
		goto fail;
	if ((hname = sv_tag_str(r, n, "header", &err)) == NULL && err)
		goto fail;
	buf_init(&key, SIEVE_MAX_STRING * 2);
	buf_printf(&key, "duplicate\t%s\t", handle ? handle : "");
	if (uid != NULL) {
		buf_adds(&key, uid);
	} else {
		size_t m;
		struct sieve_str *v = sv_header_values(r, hname ? hname :
		    "message-id", 0, &m);

		if (m == 0) {
			sv_strs_free(v, m);
			buf_free(&key);
			free(handle);
			free(hname);
			return 0;
		}
		buf_add(&key, v[0].p, v[0].len);
		sv_strs_free(v, m);
	}
	if (r->env->duplicate_seen != NULL)
		seen = r->env->duplicate_seen(r->env->arg, key.p, key.len);
	/* marked as seen once the delivery committed (RFC 7352 §3) */
	res->dup = xrealloc(res->dup, (res->ndup + 1) * sizeof *res->dup);
	res->dup[res->ndup].key = key.p;
	res->dup[res->ndup].seconds = secs ? secs->num : 7 * 86400ULL;
	res->ndup++;
	free(handle);
	free(uid);
	free(hname);
	return seen;
fail:
	free(handle);
	free(uid);
	free(hname);
	return -1;
}

/* ---- vacation (RFC 5230, RFC 3834) ------------------------------------ */

static int
field_has(struct sieve_run *r, const char *name, const char *what)
{
	size_t m, i;
	struct sieve_str *v = sv_header_values(r, name, 0, &m);
	int found = 0;

	for (i = 0; i < m && !found; i++)
		found = what == NULL || strncasecmp(v[i].p, what,
		    strlen(what)) == 0;
	sv_strs_free(v, m);
	return found;
}

static int
suppressed(struct sieve_run *r)
{
	size_t m, i;
	struct sieve_str *v = sv_header_values(r, "x-auto-response-suppress",
	    0, &m);
	int yes = 0;

	for (i = 0; i < m && !yes; i++) {
		char *save = NULL, *t;

		for (t = strtok_r(v[i].p, ", \t", &save); t != NULL && !yes;
		    t = strtok_r(NULL, ", \t", &save))
			yes = strcasecmp(t, "all") == 0 ||
			    strcasecmp(t, "oof") == 0;
	}
	sv_strs_free(v, m);
	return yes;
}

/* May we answer at all (RFC 3834 §2, RFC 5230 §4.5)?  *me: which of
 * mine the message named, for the reply's From. */
static int
vacation_allowed(struct sieve_run *r, const char *sender,
    struct sieve_str *mine, size_t nmine, char **me)
{
	const char *at = strrchr(sender, '@');
	size_t ll = at ? (size_t)(at - sender) : strlen(sender), i, f;
	static const char *const lists[] = {"list-id", "list-help",
	    "list-unsubscribe", "list-subscribe", "list-post", "list-owner",
	    "list-archive"};

	if (*sender == 0 || at == NULL)
		return 0;
	if ((ll == 13 && strncasecmp(sender, "MAILER-DAEMON", 13) == 0) ||
	    strncasecmp(sender, "owner-", 6) == 0 ||
	    (ll >= 8 && strncasecmp(at - 8, "-request", 8) == 0) ||
	    (ll >= 6 && strncasecmp(sender, "LISTSERV", 8) == 0))
		return 0;
	for (f = 0; f < r->nf; f++)
		if (strcasecmp(r->f[f].name, "auto-submitted") == 0) {
			struct buf u;
			int no;

			buf_init(&u, 1024);
			hdr_unfold(r->f[f].val, r->f[f].vlen, &u);
			no = u.len >= 2 && strncasecmp(u.p, "no", 2) == 0 &&
			    (u.len == 2 || u.p[2] == ' ' || u.p[2] == ';' ||
			    u.p[2] == '(');
			buf_free(&u);
			if (!no)
				return 0;
		}
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if (field_has(r, lists[i], NULL))
			return 0;
	/* never to oneself */
	for (i = 0; i < nmine; i++)
		if (strcasecmp(sender, mine[i].p) == 0)
			return 0;
	/* Microsoft's opt-out: "All" or "OOF" among its tokens */
	if (suppressed(r))
		return 0;
	if (field_has(r, "precedence", "bulk") ||
	    field_has(r, "precedence", "list") ||
	    field_has(r, "precedence", "junk"))
		return 0;
	/* one of the user's addresses must be a visible recipient */
	for (f = 0; f < r->nf; f++) {
		static const char *const rc[] = {"to", "cc", "bcc",
		    "resent-to", "resent-cc", "resent-bcc"};
		struct addrlist l;
		size_t j, q;
		int hit = 0;

		for (q = 0; q < 6; q++)
			if (strcasecmp(r->f[f].name, rc[q]) == 0)
				break;
		if (q == 6)
			continue;
		memset(&l, 0, sizeof l);
		addr_parse(r->f[f].val, r->f[f].vlen, &l);
		for (j = 0; j < l.n && !hit; j++)
			for (i = 0; i < nmine && !hit; i++)
				if (strcasecmp(l.v[j].addr, mine[i].p) == 0) {
					*me = xstrdup(mine[i].p);
					hit = 1;
				}
		addr_free(&l);
		if (hit)
			return 1;
	}
	return 0;
}

void
sv_push_copy(struct sieve_str **v, size_t *n, const char *p)
{
	struct sieve_str s;

	s.p = xstrdup(p);
	s.len = strlen(p);
	s.src = NULL;
	sv_push(v, n, s);
}

/* The user's addresses for RFC 5230 §4.5: the final recipient (a
 * message that came through an alias, to its original recipient only,
 * is not answered, as Pigeonhole does), :from, and mine (:addresses). */
static void
user_addresses(struct sieve_run *r, const char *from, struct sieve_str **mine,
    size_t *nmine)
{
	const char *rcpt = r->env->to ? r->env->to : r->env->orig_to;
	struct addrlist l;
	size_t i;

	if (rcpt != NULL)
		sv_push_copy(mine, nmine, rcpt);
	if (r->env->user_email != NULL)
		sv_push_copy(mine, nmine, r->env->user_email);
	if (from == NULL)
		return;
	memset(&l, 0, sizeof l);
	addr_parse(from, strlen(from), &l);
	for (i = 0; i < l.n; i++)
		sv_push_copy(mine, nmine, l.v[i].addr);
	addr_free(&l);
}

static void
vacation_free(struct sieve_action *a)
{
	free(a->reason);
	free(a->subject);
	free(a->from);
	free(a->handle);
	free(a->me);
}

/* The memory key of a reply: per sender and :handle (or the reply's
 * text, RFC 5230 §4.2). */
static char *
vacation_key(const struct sieve_action *a, const char *sender)
{
	struct buf key;

	buf_init(&key, SIEVE_MAX_STRING * 4);
	buf_printf(&key, "vacation\t%s\t", sender);
	if (a->handle != NULL)
		buf_adds(&key, a->handle);
	else
		buf_printf(&key, "%s\t%s\t%s\t%d", a->reason, a->subject ?
		    a->subject : "", a->from ? a->from : "", a->mime);
	return key.p;
}

int
sv_run_vacation(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;
	struct sieve_str *mine = NULL;
	size_t nmine = 0;
	const char *sender = r->env->from;
	const struct sieve_arg *days = sieve_tag(n, "days");
	const struct sieve_arg *secs = sieve_tag(n, "seconds");
	const struct sieve_arg *fa;
	char *chk = NULL;
	size_t flen = 0;
	int err = 0, ok;

	memset(&a, 0, sizeof a);
	a.type = SIEVE_VACATION;
	if ((a.reason = sv_pos_str(r, n, 0)) == NULL)
		return -1;
	a.subject = sv_tag_str(r, n, "subject", &err);
	if (!err && (fa = sieve_tag(n, "from")) != NULL && fa->n > 0 &&
	    (a.from = sieve_str_expand(r, &fa->v[0], &flen)) == NULL)
		err = 1;
	/* the reply's From: one valid address, never a line end that
	 * would add fields to the reply (a constant one was checked when
	 * the script compiled) */
	if (!err && a.from != NULL && (chk = sv_one_address(a.from,
	    flen)) == NULL) {
		sieve_fail(r, n, "specified :from address \"%s\" is invalid "
		    "for vacation action", a.from);
		err = 1;
	}
	free(chk);
	if (!err)
		a.handle = sv_tag_str(r, n, "handle", &err);
	if (!err && sieve_tag(n, "addresses") != NULL &&
	    (mine = sv_expand_list(r, sieve_tag(n, "addresses"), &nmine)) ==
	    NULL && r->err != NULL)
		err = 1;
	if (err) {
		vacation_free(&a);
		return -1;
	}
	a.mime = sv_has_tag(n, "mime");
	a.seconds = secs ? secs->num : days ? (days->num ? days->num : 1) *
	    86400ULL : 7 * 86400ULL;
	user_addresses(r, a.from, &mine, &nmine);
	ok = sender != NULL && vacation_allowed(r, sender, mine, nmine,
	    &a.me);
	sv_strs_free(mine, nmine);
	if (ok) {
		a.key = vacation_key(&a, sender);
		ok = r->env->duplicate_seen == NULL ||
		    !r->env->duplicate_seen(r->env->arg, a.key,
		    strlen(a.key));
	}
	if (!ok) {
		vacation_free(&a);
		free(a.key);
		return 0;
	}
	a.arg = xstrdup(sender);
	return sv_action(r, n, &a);
}

int
sv_check_vacation(const struct sieve_script *s, struct sieve_node *n,
    char *err, size_t errlen)
{
	const char *from = sv_constant(s, sieve_tag(n, "from"));
	char *a;

	if (sv_need_ext(s, n, "seconds", "vacation-seconds", err, errlen) < 0)
		return -1;
	if (from != NULL) {
		if ((a = sv_one_address(from, sieve_tag(n, "from")->v[0].len))
		    == NULL) {
			snprintf(err, errlen, "specified :from address %s is "
			    "invalid", sieve_tag(n, "from")->v[0].src);
			return -1;
		}
		free(a);
	}
	return 0;
}
