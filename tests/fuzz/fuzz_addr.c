/*
 * fuzz_addr: addr_parse on arbitrary bytes.
 *
 * Besides crashes, it checks what addr.h promises: at most ADDR_MAX
 * addresses and -1 exactly when the cap was hit; every address has a
 * non-empty addr and a name; names and group names are UTF-8 (they went
 * through rfc2047_decode); an addr-spec, parsed again, gives itself
 * (so the quoting of local parts is right); and parsing appends
 * (a second parse into the same list doubles it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An addr-spec reads back as itself.  Two kinds are left out, where
 * addr.c writes what Python writes although it does not read back:
 * domain literals (their quoted pairs are undone) and anything holding
 * "=?" (text that was not an encoded word where it stood, between white
 * space, can become one once the white space is gone, and an encoded
 * word is read as a unit, specials and all).
 */
static void
check_reparse(const char *spec)
{
	struct addrlist l;

	if (strchr(spec, '[') != NULL || strstr(spec, "=?") != NULL)
		return;
	memset(&l, 0, sizeof l);
	if (addr_parse(spec, strlen(spec), &l) != 0 || l.n != 1 ||
	    strcmp(l.v[0].addr, spec) != 0)
		abort();
	addr_free(&l);
}

static void
check_list(const struct addrlist *l, int r)
{
	size_t i;

	if (l->n > ADDR_MAX || (r == -1 && l->n != ADDR_MAX) ||
	    (r != 0 && r != -1))
		abort();
	for (i = 0; i < l->n; i++) {
		const struct addr *a = &l->v[i];

		if (a->addr == NULL || a->addr[0] == '\0' || a->name == NULL)
			abort();
		if (strpbrk(a->addr, "\r\n") != NULL)
			abort();
		if (!utf8_valid(a->name, strlen(a->name)))
			abort();
		if (a->group != NULL && !utf8_valid(a->group, strlen(a->group)))
			abort();
		if (i < 64)
			check_reparse(a->addr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct addrlist l;
	size_t n1, g1;
	int r;

	memset(&l, 0, sizeof l);
	r = addr_parse(p, size, &l);
	check_list(&l, r);
	n1 = l.n;
	g1 = l.ngroups;
	r = addr_parse(p, size, &l);
	check_list(&l, r);
	if (2 * n1 <= ADDR_MAX && (r != 0 || l.n != 2 * n1 ||
	    l.ngroups != 2 * g1))
		abort();
	addr_free(&l);
	if (l.v != NULL || l.n != 0)
		abort();
	return 0;
}
