/*
 * addr_test: unit tests of common/addr.c.  Expected values are Python's
 * (email, policy.default) except where addr.c documents a deliberate
 * difference; those cases say so.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "t.h"
#include "util.h"

static struct addrlist l;
static int ret;

/* Parse (p, n) into the fresh list l. */
static void
parse_n(const char *p, size_t n)
{
	addr_free(&l);
	ret = addr_parse(p, n, &l);
}

static void
parse(const char *s)
{
	parse_n(s, strlen(s));
}

static void
check_count(size_t n, size_t ngroups, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s: count", what);
	t_int((long long)l.n, (long long)n, buf);
	snprintf(buf, sizeof buf, "%s: groups", what);
	t_int((long long)l.ngroups, (long long)ngroups, buf);
}

/* Address i: its addr-spec, name and group (NULL: none). */
static void
check(size_t i, const char *addr, const char *name, const char *group,
    const char *what)
{
	char buf[256];
	const struct addr *a = i < l.n ? &l.v[i] : NULL;

	snprintf(buf, sizeof buf, "%s: [%zu] addr", what, i);
	t_str(a ? a->addr : NULL, a ? strlen(a->addr) : 0, addr, buf);
	snprintf(buf, sizeof buf, "%s: [%zu] name", what, i);
	t_str(a ? a->name : NULL, a ? strlen(a->name) : 0, name, buf);
	snprintf(buf, sizeof buf, "%s: [%zu] group", what, i);
	if (group == NULL)
		t_ok(a != NULL && a->group == NULL, buf);
	else
		t_str(a ? a->group : NULL, a && a->group ? strlen(a->group) : 0,
		    group, buf);
}

/* The input as a one-line TAP description: CR, LF, TAB escaped. */
static const char *
desc(const char *in)
{
	static char d[128];
	size_t k = 0;

	for (; *in != '\0' && k + 3 < sizeof d; in++) {
		if (*in == '\r' || *in == '\n' || *in == '\t') {
			d[k++] = '\\';
			d[k++] = *in == '\r' ? 'r' : *in == '\n' ? 'n' : 't';
		} else {
			d[k++] = *in;
		}
	}
	d[k] = '\0';
	return d;
}

/* The elements not read whole: how many, and the first one's text. */
static void
check_bad(size_t nbad, const char *bad, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s: nbad", what);
	t_int((long long)l.nbad, (long long)nbad, buf);
	snprintf(buf, sizeof buf, "%s: bad", what);
	if (bad == NULL)
		t_ok(l.bad == NULL, buf);
	else
		t_str(l.bad, l.bad ? strlen(l.bad) : 0, bad, buf);
}

/* One address and nothing else, read whole. */
static void
one(const char *in, const char *addr, const char *name)
{
	const char *what = desc(in);

	parse(in);
	check_count(1, 0, what);
	check(0, addr, name, NULL, what);
	check_bad(0, NULL, what);
	t_int(ret, 0, what);
}

/* One address, taken from an element that was not read whole. */
static void
one_cut(const char *in, const char *addr, const char *name)
{
	const char *what = desc(in);

	parse(in);
	check_count(1, 0, what);
	check(0, addr, name, NULL, what);
	check_bad(1, in, what);
	t_int(ret, 0, what);
}

static void
test_names(void)
{
	one("=?UTF-8?Q?M=C3=BCller=2C_Hans?= <h@x.test>", "h@x.test",
	    "M\xc3\xbcller, Hans");
	one("=?utf-8?q?Doe,_John?= <d@x.test>", "d@x.test", "Doe, John");
	one("Name <a@b.test>", "a@b.test", "Name");
	one("John Q. Public <jqp@x.test>", "jqp@x.test", "John Q. Public");
	one("John   Q.\r\n  Public <jqp@x.test>", "jqp@x.test",
	    "John Q. Public");
	one("Joe . Bloggs <a@x.test>", "a@x.test", "Joe . Bloggs");
	one("\"Jo\\\"hn \\\\ x\" <j@x.test>", "j@x.test", "Jo\"hn \\ x");
	one("\"  spaced  \" <a@x.test>", "a@x.test", "  spaced  ");
	one("\"a\"\"b\" <a@x.test>", "a@x.test", "ab");
	one("\"\" Joe <a@x.test>", "a@x.test", " Joe");
	/* Encoded words inside quotes are decoded, as Python does. */
	one("\"=?UTF-8?Q?M=C3=BCller?=\" <m@x.test>", "m@x.test",
	    "M\xc3\xbcller");
	one("\"a =?UTF-8?Q?M=C3=BCller?= b\" <m@x.test>", "m@x.test",
	    "a M\xc3\xbcller b");
	/* An unterminated encoded word stays as it is. */
	one("=?UTF-8?Q?broken <b@x.test>", "b@x.test", "=?UTF-8?Q?broken");
	one("=?UTF-8?Q?M=C3=BCller?= Smith <a@x.test>", "a@x.test",
	    "M\xc3\xbcller Smith");
	/* Deliberate: RFC 2047 §6.2 drops the space; Python keeps it. */
	one("=?UTF-8?Q?a?= =?UTF-8?Q?b?= <a@x.test>", "a@x.test", "ab");
	/* ... but a comment parts the words, as in Python. */
	one("=?UTF-8?Q?a?= (c) =?UTF-8?Q?b?= <a@x.test>", "a@x.test", "a b");
	one("M\xc3\xbcller <m@x.test>", "m@x.test", "M\xc3\xbcller");
	one("\"Joe:\" <a@x.test>", "a@x.test", "Joe:");
}

static void
test_comments(void)
{
	/* Deliberate: the comment names the address (Python: ""). */
	one("a@x.test (Alice)", "a@x.test", "Alice");
	one("a@x.test ( Alice  Smith )", "a@x.test", "Alice  Smith");
	one("<a@x.test> (Alice)", "a@x.test", "Alice");
	one("a@x.test (Alice (Work))", "a@x.test", "Alice (Work)");
	one("a@x.test (=?UTF-8?Q?J=C3=B6rg?=)", "a@x.test", "J\xc3\xb6rg");
	one("a@x.test (a\\)b)", "a@x.test", "a)b");
	one("(Alice) a@x.test", "a@x.test", "");
	one("Bob <bob@x.test> (Bob's comment)", "bob@x.test", "Bob");
	one("Alice (c1 (nested (deeper)) c2) Smith <a@x.test>", "a@x.test",
	    "Alice Smith");
	one("\"\" <a@x.test> (Alice)", "a@x.test", "Alice");
	one("john (c) . doe @ x.test", "john.doe@x.test", "");
}

static void
test_groups(void)
{
	parse("team: a@x.test, \"B\" <b@y.test>;");
	check_count(2, 1, "group with two members");
	check(0, "a@x.test", "", "team", "group with two members");
	check(1, "b@y.test", "B", "team", "group with two members");
	t_ok(l.n == 2 && l.v[0].group == l.v[1].group, "members share a name");

	parse("undisclosed-recipients:;");
	check_count(0, 1, "empty group");
	parse("g: ;, :;, team: (nobody);");
	check_count(0, 3, "three empty groups");

	parse("a@x.test, g: b@y.test;, c@z.test");
	check_count(3, 1, "group in the middle");
	check(0, "a@x.test", "", NULL, "group in the middle");
	check(1, "b@y.test", "", "g", "group in the middle");
	check(2, "c@z.test", "", NULL, "group in the middle");

	parse("=?UTF-8?Q?Gr=C3=BCn?=: a@x.test");
	check_count(1, 1, "unterminated group, encoded name");
	check(0, "a@x.test", "", "Gr\xc3\xbcn", "unterminated group");

	/* Deliberate: a group inside a group starts a new one. */
	parse("g1: a@x.test, g2: b@y.test;");
	check_count(2, 2, "nested group");
	check(0, "a@x.test", "", "g1", "nested group");
	check(1, "b@y.test", "", "g2", "nested group");
}

static void
test_specs(void)
{
	one("a@x.test", "a@x.test", "");
	one("joe", "joe", "");
	one("foo bar", "\"foo bar\"", "");
	one("<@r1.test,@r2.test:u@c.test>", "u@c.test", "");
	one("Name <@r1.test, @r2.test: u@c.test>", "u@c.test", "Name");
	one("\"john doe\"@x.test", "\"john doe\"@x.test", "");
	one("\"john\"@x.test", "john@x.test", "");
	one("\"a\\\"b\"@x.test", "\"a\\\"b\"@x.test", "");
	one("a.\"b c\"@x.test", "\"a.b c\"@x.test", "");
	one("john doe@x.test", "\"john doe\"@x.test", "");
	one("u@[1.2.3.4]", "u@[1.2.3.4]", "");
	one("u@[ 1.2.3.4 ]", "u@[1.2.3.4]", "");
	one("a @ x . test", "a@x.test", "");
	one("a . b @ x.test", "a.b@x.test", "");
	one("< a @ x . test >", "a@x.test", "");
	one_cut("Joe <j@x.test", "j@x.test", "Joe");
	one("a@X.TEST", "a@X.TEST", "");
	/* Deliberate: no decoding inside an addr-spec (Python decodes). */
	one("=?utf-8?q?J=C3=B6rg?=@x.test", "=?utf-8?q?J=C3=B6rg?=@x.test", "");
	one("a\r\n @x.test", "a@x.test", "");
	one_cut("<a@x.test> trailing garbage", "a@x.test", "");
	one_cut("a@x.test garbage", "a@x.test", "");
	one_cut("\"unterminated <a@x.test>", "\"unterminated <a@x.test>\"",
	    "");
	one_cut("a@[1.2.3.4", "a@[1.2.3.4]", "");
}

static void
test_lists(void)
{
	parse("\"Doe, John\" <j@x.test>, b@y.test");
	check_count(2, 0, "quoted comma");
	check(0, "j@x.test", "Doe, John", NULL, "quoted comma");
	check(1, "b@y.test", "", NULL, "quoted comma");

	parse("a@x.test, , b@y.test,");
	check_count(2, 0, "empty elements");
	check(1, "b@y.test", "", NULL, "empty elements");
	check_bad(0, NULL, "empty elements are no loss");

	parse("Joe <j@x.test, b@y.test");
	check_count(2, 0, "missing > then more");
	check(0, "j@x.test", "Joe", NULL, "missing > then more");
	check(1, "b@y.test", "", NULL, "missing > then more");

	parse("Joe <a@x.test>>, b@y.test");
	check_count(2, 0, "stray >");

	/* Deliberate: ';' separates outside a group (Python drops b). */
	parse("a@x.test; b@y.test");
	check_count(2, 0, "semicolon list");
	check(1, "b@y.test", "", NULL, "semicolon list");

	parse("Joe\r\n Bloggs <j@x.test>,\r\n\tAnn <a@y.test>");
	check_count(2, 0, "folded");
	check(0, "j@x.test", "Joe Bloggs", NULL, "folded");
	check(1, "a@y.test", "Ann", NULL, "folded");
	check_bad(0, NULL, "folded");

	parse("team: a@x.test, \"B\" <b@y.test>;, undisclosed:;, c@z.test");
	check_bad(0, NULL, "groups are no loss");
}

/* What is skipped is never skipped silently (Hardening, item 3). */
static void
test_bad(void)
{
	parse("a@x.test b@y.test");
	check_count(1, 0, "no comma: b dropped");
	check_bad(1, "a@x.test b@y.test", "no comma: b dropped");
	parse("a@x.test (unclosed, b@y.test");
	check_count(1, 0, "unclosed comment eats b");
	check_bad(1, "a@x.test (unclosed, b@y.test", "unclosed comment eats b");
	parse("c@z.test,\r\n a@x.test  b@y.test\t, d@w.test");
	check_count(3, 0, "no comma in the middle");
	check_bad(1, "a@x.test  b@y.test", "no comma in the middle");
	parse("a@x.test, (unclosed b@y.test");
	check_count(1, 0, "unclosed comment alone");
	check_bad(1, "(unclosed b@y.test", "unclosed comment alone");
	parse("Joe <j@x.test, b@y.test");
	check_bad(1, "Joe <j@x.test", "missing > then more");
	parse("Joe <a@x.test>>, b@y.test");
	check_bad(1, "Joe <a@x.test>>", "stray >");
	parse("<>, a@x.test, a@, @b, a@x., a@x@y, [x] y <c@z.test>");
	check_bad(6, "<>", "garbage: each skipped element counted");
	parse("\"abc, b@y.test");
	check_bad(1, "\"abc, b@y.test", "unclosed quote");
	parse("team (x: a@x.test");
	check_bad(1, "team (x: a@x.test", "unclosed comment in a group name");
	parse("a@x.test, b@");
	t_int(ret, 0, "a bad element is not the ADDR_MAX error");
}

static void
test_garbage(void)
{
	parse("<>, a@x.test, a@, @b, a@x., a@x@y, [x] y <c@z.test>");
	check_count(1, 0, "garbage skipped");
	check(0, "a@x.test", "", NULL, "garbage skipped");
	parse("(unterminated <a@x.test>");
	check_count(0, 0, "unterminated comment");
	parse(",,,;;;:::<<<>>>@@@...)))]]]\\\\");
	t_ok(l.n <= 3, "specials only");
	parse("");
	check_count(0, 0, "empty value");
	parse_n("Jo\0e <a@x\0.test>", 16);
	check_count(1, 0, "NUL bytes");
	check(0, "a@x.test", "Joe", NULL, "NUL bytes dropped");
}

/* Big and deep values: no crash, sane results, in reasonable time. */
static void
test_big(void)
{
	size_t n = 1 << 20, i;
	char *p = xmalloc(n + 64);

	memset(p, '(', n);
	parse_n(p, n);
	check_count(0, 0, "1 MB of (");
	for (i = 0; i < n / 2; i++)
		p[n / 2 + i] = ')';
	memcpy(p + n, " a@x.test", 9);
	parse_n(p, n + 9);
	check_count(1, 0, "comment 512 Ki deep");
	memset(p, '"', n);
	parse_n(p, n);
	t_ok(l.n <= n / 2, "1 MB of \"");
	memset(p, '<', n);
	parse_n(p, n);
	check_count(0, 0, "1 MB of <");
	memset(p, 'a', n);
	memcpy(p + n, " <a@x.test>", 11);
	parse_n(p, n + 11);
	check_count(1, 0, "1 MB name");
	t_int(l.n ? (long long)strlen(l.v[0].name) : 0, (long long)n,
	    "1 MB name: length");
	for (i = 0; i + 4 <= n; i += 4)
		memcpy(p + i, "a@x,", 4);
	parse_n(p, n);
	t_int(ret, -1, "1 MB of addresses: ADDR_MAX");
	free(p);
}

static void
test_max(void)
{
	size_t n = (size_t)(ADDR_MAX + 1) * 12, i;
	char *p = xmalloc(n + 1);
	char one_addr[16];

	for (i = 0; i < ADDR_MAX + 1; i++) {
		snprintf(one_addr, sizeof one_addr, "u%05zu@x.t,", i);
		memcpy(p + i * 12, one_addr, 12);
	}
	parse_n(p, n);
	t_int(ret, -1, "10001 addresses: -1");
	t_int((long long)l.n, ADDR_MAX, "10001 addresses: first 10000 kept");
	check(ADDR_MAX - 1, "u09999@x.t", "", NULL, "10001 addresses: last");
	parse_n(p, n - 12);
	t_int(ret, 0, "10000 addresses: 0");
	t_int((long long)l.n, ADDR_MAX, "10000 addresses: all kept");
	/* Appending to a full list fails and keeps it as it is. */
	t_int(addr_parse("z@z.test", 8, &l), -1, "append to a full list");
	t_int((long long)l.n, ADDR_MAX, "full list unchanged");
	free(p);
}

/* addr_parse appends; groups of two fields stay apart. */
static void
test_append(void)
{
	addr_free(&l);
	addr_parse("g: a@x.test;", 12, &l);
	addr_parse("g: b@x.test;", 12, &l);
	check_count(2, 2, "append two fields");
	t_ok(l.n == 2 && l.v[0].group != l.v[1].group, "two group strings");
}

int
main(void)
{
	test_names();
	test_comments();
	test_groups();
	test_specs();
	test_lists();
	test_garbage();
	test_bad();
	test_big();
	test_max();
	test_append();
	addr_free(&l);
	return t_done();
}
