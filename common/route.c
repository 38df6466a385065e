/*
 * route: see route.h.  Received fields are written by every MTA in its
 * own dialect; the parser only trusts the three keywords and the final
 * ';', which RFC 5321 §4.4 and RFC 5322 §3.6.7 both guarantee, and skips
 * everything else (comments, "id", "for", "via", vendor extensions).
 */
#include "route.h"

#include <string.h>

#include "date.h"
#include "util.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip white space and (nested) comments from i; return the new index. */
static size_t
skip_cfws(const char *p, size_t i, size_t n)
{
	for (;;) {
		int depth = 0;

		while (i < n && is_space(p[i]))
			i++;
		if (i >= n || p[i] != '(')
			return i;
		for (; i < n; i++) {
			if (p[i] == '\\' && i + 1 < n)
				i++;
			else if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && --depth == 0)
				break;
		}
		if (i < n)
			i++;            /* past the closing parenthesis */
	}
}

/* End of the token starting at i: white space or a comment ends it. */
static size_t
token_end(const char *p, size_t i, size_t n)
{
	while (i < n && !is_space(p[i]) && p[i] != '(')
		i++;
	return i;
}

/* The slot a keyword token fills, or NULL if it is not a keyword. */
static const char **
keyword(struct route_hop *h, const char *t, size_t len, size_t **lenp)
{
	if (strcaseeqn(t, len, "from") && h->from == NULL) {
		*lenp = &h->fromlen;
		return &h->from;
	}
	if (strcaseeqn(t, len, "by") && h->by == NULL) {
		*lenp = &h->bylen;
		return &h->by;
	}
	if (strcaseeqn(t, len, "with") && h->with == NULL) {
		*lenp = &h->withlen;
		return &h->with;
	}
	return NULL;
}

void
route_received(const char *p, size_t n, struct route_hop *h)
{
	size_t i, e, end = n, *lenp;
	const char **slot;

	memset(h, 0, sizeof *h);
	while (end > 0 && p[end - 1] != ';')
		end--;
	if (end > 0) {
		h->timeok = date_parse(p + end, n - end, &h->time, NULL) == 0;
		end--;          /* keywords only before the ';' */
	} else
		end = n;
	for (i = skip_cfws(p, 0, end); i < end; i = skip_cfws(p, e, end)) {
		e = token_end(p, i, end);
		slot = keyword(h, p + i, e - i, &lenp);
		if (slot == NULL)
			continue;
		i = skip_cfws(p, e, end);
		e = token_end(p, i, end);
		*slot = p + i;
		*lenp = e - i;
	}
}
