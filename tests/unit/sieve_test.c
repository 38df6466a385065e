/*
 * sieve_test: unit tests of common/sieve*.c: the lexer and parser (errors
 * as FILE:LINE:COL), and runs whose -n trace and RESULT lines are
 * compared byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "sieve.h"
#include "t.h"
#include "util.h"

static const char *msg1 =
    "Return-Path: <a@x.test>\n"
    "From: Alice <alice@x.test>\n"
    "To: bob+lists@example.com, carol@y.test\n"
    "Subject: [yubin] =?UTF-8?Q?caf=C3=A9?= news\n"
    "List-Id: Yubin list <yubin.lists.example.org>\n"
    "Message-ID: <m1@x.test>\n"
    "X-Spam-Score: 12\n"
    "\n"
    "Hello body secret.\n";

static const char *seen_key;
static const char *env_from = "a@x.test";

static int
seen(void *arg, const char *key, size_t n)
{
	(void)arg;
	return seen_key != NULL && strlen(seen_key) == n &&
	    memcmp(key, seen_key, n) == 0;
}

/* Compile and run; the trace, the RESULT lines and an error line. */
static char *
run(const char *script, const char *msg)
{
	struct sieve_script *s;
	struct sieve_env env;
	struct sieve_result res;
	struct buf b;
	char err[512];

	buf_init(&b, 1 << 24);
	if (sieve_compile("t.sieve", script, strlen(script), &s, err,
	    sizeof err) < 0) {
		buf_printf(&b, "COMPILE %s\n", err);
		return b.p;
	}
	memset(&env, 0, sizeof env);
	env.msg = msg;
	env.len = strlen(msg);
	env.from = env_from;
	env.to = "bob+lists@example.com";
	env.trace = &b;
	env.duplicate_seen = seen;
	if (sieve_run(s, &env, &res) < 0)
		buf_printf(&b, "ERROR %s\n", res.error);
	sieve_result_print(&res, &b);
	if (res.hdr != NULL)
		buf_printf(&b, "HDR %.*s", (int)res.hdrlen, res.hdr);
	sieve_result_free(&res);
	sieve_free(s);
	return b.p ? b.p : xstrdup("");
}

static void
is(const char *script, const char *msg, const char *want, const char *what)
{
	char *got = run(script, msg);

	t_str(got, strlen(got), want, what);
	free(got);
}

static void
compile_error(const char *script, const char *want, const char *what)
{
	struct sieve_script *s;
	char err[512];
	int rc = sieve_compile("t.sieve", script, strlen(script), &s, err,
	    sizeof err);

	t_int(rc, -1, what);
	if (rc == 0) {
		sieve_free(s);
		return;
	}
	t_str(err, strlen(err), want, what);
}

static void
lexer(void)
{
	is("require \"fileinto\";\r\nfileinto text: # c\r\n..A\r\n.B\r\n.\r\n;",
	    msg1, "ACTION fileinto \".A\r\n.B\r\n\"\n"
	    "ERROR t.sieve:2:1: invalid folder name "
	    "\".A\\x0d\\x0a.B\\x0d\\x0a\"\n"
	    "RESULT keep\n", "a text: string: CRLF kept, only a leading .. unstuffed");
	compile_error("keep", "t.sieve:1:5: expected ';' or '{'",
	    "a missing ';' at the end");
	compile_error("/* open", "t.sieve:1:1: unterminated comment",
	    "an unterminated comment");
	compile_error("if true {\nkeep;\n", "t.sieve:3:1: missing '}' at the end",
	    "a missing brace");
	compile_error("fileinto \"x\";",
	    "t.sieve:1:1: fileinto needs require \"fileinto\"",
	    "fileinto without require");
	compile_error("require \"nosuch\";",
	    "t.sieve:1:9: unsupported extension \"nosuch\"",
	    "an unknown extension");
	compile_error("if size :over 99999999999999999999K { keep; }",
	    "t.sieve:1:15: number too large", "a number too large");
	compile_error("if anyof() { keep; }", "t.sieve:1:10: expected a test",
	    "anyof with an empty list");
	compile_error("require \"encoded-character\";\n"
	    "keep :flags \"x\";",
	    "t.sieve:2:1: :flags needs require \"imap4flags\"",
	    "a tag without its extension");
	compile_error("require \"encoded-character\";\n"
	    "if header \"s\" \"${unicode:D800}\" { keep; }",
	    "t.sieve:2:15: invalid unicode character in encoded-character",
	    "a surrogate in encoded-character");
	compile_error("require \"regex\";\n"
	    "if header :regex \"s\" \"(a)\\\\1\" { keep; }",
	    "t.sieve:2:22: invalid regex \"(a)\\\\1\": back-references are not "
	    "supported", "a back-reference refused");
	compile_error("elsif true { keep; }",
	    "t.sieve:1:1: elsif without a preceding if", "elsif alone");
	compile_error("keep;\nrequire \"fileinto\";",
	    "t.sieve:2:1: require must come before other commands",
	    "require after a command");
}

static void
deep(void)
{
	struct buf b;
	int i;
	char *got;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 100; i++)
		buf_adds(&b, "if true {");
	for (i = 0; i < 100; i++)
		buf_adds(&b, "}");
	compile_error(b.p, "t.sieve:1:297: blocks nested deeper than 32",
	    "deep nesting is a compile error");
	buf_reset(&b);
	buf_adds(&b, "if ");
	for (i = 0; i < 100; i++)
		buf_adds(&b, "not ");
	buf_adds(&b, "true { keep; }");
	compile_error(b.p, "t.sieve:1:132: tests nested deeper than 32",
	    "deep tests are a compile error");
	buf_free(&b);
	/* a 1 MiB string is refused, not a crash */
	buf_init(&b, 3 << 20);
	buf_adds(&b, "keep;\nif header \"s\" \"");
	for (i = 0; i < (1 << 20) + 1; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\" { keep; }");
	compile_error(b.p, "t.sieve:2:15: string longer than 1048576 bytes",
	    "a string over 1 MiB");
	buf_free(&b);
	/* ${} doubling: a variable is cut at the limit (RFC 5229 §3), a
	 * string argument past it is a runtime error */
	got = run("require \"variables\";\nset \"a\" \"0123456789abcdef\";\n"
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set \"a\" \"${a}${a}\"; "
	    "set \"a\" \"${a}${a}\"; set :length \"n\" \"${a}\";\n"
	    "if not string \"${n}\" \"1048576\" { stop; }\n"
	    "if string \"${a}${a}\" \"\" { stop; } discard;", msg1);
	t_ok(strstr(got, "ERROR t.sieve: a string grew longer than 1048576 "
	    "bytes\nRESULT keep\n") != NULL, "${} doubling stops at 1 MiB");
	free(got);
}

static void
runs(void)
{
	is("if header :contains \"subject\" \"[yubin]\" { keep; }", msg1,
	    "TEST header :contains \"subject\" \"[yubin]\" -> true\n"
	    "ACTION keep\nRESULT keep\n", "the example of the issue");
	is("require [\"fileinto\", \"regex\", \"variables\"];\n"
	    "if header :regex \"list-id\" \"<([a-z]+)\\\\.lists\" {\n"
	    "  fileinto \"Lists.${1}\"; stop;\n}\n", msg1,
	    "TEST header :regex \"list-id\" \"<([a-z]+)\\\\.lists\" -> true\n"
	    "ACTION fileinto \"Lists.${1}\"\nACTION stop\n"
	    "RESULT fileinto \"Lists.yubin\"\n", "a list folder by :regex");
	is("require [\"fileinto\", \"variables\"];\n"
	    "if header :matches \"list-id\" \"*<*.*>\" {\n"
	    "  fileinto \"L.${2}\"; }\n", msg1,
	    "TEST header :matches \"list-id\" \"*<*.*>\" -> true\n"
	    "ACTION fileinto \"L.${2}\"\n"
	    "RESULT fileinto \"L.yubin\"\n", ":matches takes the shortest");
	is("if header :is \"subject\" \"[yubin] caf\xc3\xa9 news\" "
	    "{ discard; }", msg1,
	    "TEST header :is \"subject\" \"[yubin] caf\xc3\xa9 news\" -> true\n"
	    "ACTION discard\nRESULT discard\n", "the header is decoded");
	is("require [\"envelope\", \"subaddress\", \"fileinto\"];\n"
	    "if envelope :detail \"to\" \"lists\" { fileinto \"plus\"; }",
	    msg1, "TEST envelope :detail \"to\" \"lists\" -> true\n"
	    "ACTION fileinto \"plus\"\nRESULT fileinto \"plus\"\n",
	    "subaddress :detail of the envelope");
	is("if address :domain \"to\" \"y.test\" { keep; } "
	    "elsif true { discard; }", msg1,
	    "TEST address :domain \"to\" \"y.test\" -> true\n"
	    "ACTION keep\nRESULT keep\n", "address :domain, elsif skipped");
	is("require [\"relational\", \"comparator-i;ascii-numeric\", "
	    "\"fileinto\", \"imap4flags\"];\n"
	    "if header :value \"ge\" :comparator \"i;ascii-numeric\" "
	    "\"x-spam-score\" \"10\" { addflag \"\\\\Seen\"; "
	    "fileinto :copy \"Spam\"; }", msg1,
	    "COMPILE t.sieve:2:93: :copy needs require \"copy\"\n",
	    ":copy needs copy");
	is("require [\"relational\", \"comparator-i;ascii-numeric\", "
	    "\"fileinto\", \"imap4flags\", \"copy\"];\n"
	    "if header :value \"ge\" :comparator \"i;ascii-numeric\" "
	    "\"x-spam-score\" \"10\" { addflag [\"\\\\Seen\", \"\\\\Flagged\"];"
	    " fileinto :copy \"Spam\"; }", msg1,
	    "TEST header :value \"ge\" :comparator \"i;ascii-numeric\" "
	    "\"x-spam-score\" \"10\" -> true\n"
	    "ACTION addflag [\"\\\\Seen\", \"\\\\Flagged\"]\n"
	    "ACTION fileinto :copy \"Spam\"\n"
	    "RESULT fileinto \"Spam\" flags \"\\\\Seen \\\\Flagged\"\n"
	    "RESULT keep flags \"\\\\Seen \\\\Flagged\"\n",
	    "relational, flags and :copy keep the implicit keep");
	is("require \"duplicate\";\nif duplicate { discard; }", msg1,
	    "TEST duplicate -> false\nRESULT keep\n", "a first message");
	seen_key = "duplicate\t\t<m1@x.test>";
	is("require \"duplicate\";\nif duplicate { discard; }", msg1,
	    "TEST duplicate -> true\nACTION discard\nRESULT discard\n",
	    "a duplicate by Message-ID");
	seen_key = NULL;
	is("require \"reject\";\nreject \"go away\";", msg1,
	    "ACTION reject \"go away\"\nRESULT reject \"go away\"\n",
	    "reject");
	is("require [\"reject\", \"fileinto\"];\nfileinto \"a\"; "
	    "reject \"no\";", msg1,
	    "ACTION fileinto \"a\"\nACTION reject \"no\"\n"
	    "ERROR t.sieve:2:15: reject conflicts with other actions\n"
	    "RESULT keep\n", "reject with fileinto is a runtime error");
	is("require \"fileinto\";\nfileinto \"../x\";", msg1,
	    "ACTION fileinto \"../x\"\n"
	    "ERROR t.sieve:2:1: invalid folder name \"../x\"\nRESULT keep\n",
	    "a folder name leaving DEST is a runtime error");
	is("require \"body\";\nif body :text :contains \"secret\" { discard; }",
	    msg1, "TEST body :text :contains \"secret\" -> true\n"
	    "ACTION discard\nRESULT discard\n", "body :text");
	is("require [\"editheader\"];\naddheader \"X-A\" \"1\";\n"
	    "if header :is \"x-a\" \"1\" { keep; }",
	    "Subject: s\n\nb\n",
	    "ACTION addheader \"X-A\" \"1\"\n"
	    "TEST header :is \"x-a\" \"1\" -> true\nACTION keep\n"
	    "RESULT keep\nHDR X-A: 1\nSubject: s\n",
	    "addheader is seen by the header test");
	is("require \"vacation\";\nvacation \"away\";",
	    "From: a@x.test\nTo: bob+lists@example.com\n\nx\n",
	    "ACTION vacation \"away\"\nRESULT vacation \"a@x.test\"\n"
	    "RESULT keep\n", "vacation answers the sender");
	is("require \"vacation\";\nvacation \"away\";",
	    "From: a@x.test\nTo: bob+lists@example.com\n"
	    "Precedence: bulk\n\nx\n",
	    "ACTION vacation \"away\"\nRESULT keep\n",
	    "no vacation reply to bulk mail");
	is("require \"vnd.dovecot.pipe\";\npipe \"prog\" [\"-a\"];", msg1,
	    "ACTION pipe \"prog\" [\"-a\"]\nRESULT pipe \"prog\"\n",
	    "pipe cancels the implicit keep");
	compile_error("require \"vnd.dovecot.pipe\";\npipe \"/bin/sh\";",
	    "t.sieve:2:1: invalid program name \"/bin/sh\"",
	    "a pipe program with a path does not compile");
	is("require [\"variables\"];\nset :upper :length \"x\" \"abc\";\n"
	    "if string :is \"${x}\" \"3\" { discard; }", msg1,
	    "ACTION set :upper :length \"x\" \"abc\"\n"
	    "TEST string :is \"${x}\" \"3\" -> true\nACTION discard\n"
	    "RESULT discard\n", "set modifiers");
	is("require \"variables\";\nset \"a\" text:\nx\n.\n;\n"
	    "if string :is \"${a}\" \"x\n\" { discard; }", msg1,
	    "ACTION set \"a\" \"x\r\n\"\n"
	    "TEST string :is \"${a}\" \"x\r\n\" -> true\nACTION discard\n"
	    "RESULT discard\n",
	    "a line end in a quoted string is CRLF, as in a text: string");
	is("require \"encoded-character\";\n"
	    "if header :contains \"subject\" \"${hex: 79 75}bin\" { discard; }",
	    msg1, "TEST header :contains \"subject\" \"${hex: 79 75}bin\" -> true\n"
	    "ACTION discard\nRESULT discard\n", "encoded-character hex");
	is("if anyof (false, size :over 10) { discard; }", msg1,
	    "TEST false -> false\nTEST size :over 10 -> true\n"
	    "TEST anyof (false, size :over 10) -> true\n"
	    "ACTION discard\nRESULT discard\n", "anyof traces each test");
}

/* Compile and give the error count of sieve_compile_n(). */
static void
nerrors(const char *script, unsigned want, const char *what)
{
	struct sieve_script *s;
	char err[512];
	unsigned n = 99;

	if (sieve_compile_n("t.sieve", script, strlen(script), &s, err,
	    sizeof err, &n) == 0)
		sieve_free(s);
	t_int(n, want, what);
}

/* sieve_compile_all() gives each error a line, the first
 * SIEVE_MAX_ERRORS of them. */
static void
errlist(void)
{
	struct sieve_script *s = NULL;
	struct buf b, e;
	unsigned n = 0, i;

	buf_init(&e, 1 << 16);
	t_int(sieve_compile_all("t.sieve", "keep 1;\nstop 2;", 15, &s, &e,
	    &n), -1, "two errors: no script");
	t_int(n, 2, "two errors counted");
	t_str(e.p, e.len, "t.sieve:1:6: too many arguments for keep\n"
	    "t.sieve:2:6: too many arguments for stop\n", "each on its line");
	buf_init(&b, 1 << 16);
	for (i = 0; i < 25; i++)
		buf_adds(&b, "keep 1;\n");
	buf_reset(&e);
	sieve_compile_all("t.sieve", b.p, b.len, &s, &e, &n);
	t_int(n, 25, "25 errors counted");
	i = 0;
	for (size_t k = 0; k < e.len; k++)
		i += e.p[k] == '\n';
	t_int(i, SIEVE_MAX_ERRORS, "SIEVE_MAX_ERRORS of them given");
	buf_reset(&e);
	sieve_compile_all("t.sieve", "if header :comparator \"x\ny\" \"s\" \"k\" {}",
	    strlen("if header :comparator \"x\ny\" \"s\" \"k\" {}"), &s, &e, &n);
	t_str(e.p, e.len, "t.sieve:1:23: unknown comparator \"x\\r\\ny\"\n",
	    "a line end in a message is escaped: one line per error");
	buf_free(&b);
	buf_free(&e);
}

static void
pigeonhole(void)
{
	env_from = "<@relay.test:a@x.test>";
	is("require \"envelope\";\n"
	    "if envelope :localpart :is \"from\" \"a\" { discard; }", msg1,
	    "TEST envelope :localpart :is \"from\" \"a\" -> true\n"
	    "ACTION discard\nRESULT discard\n",
	    "an envelope path loses its brackets and source route");
	env_from = "<>";
	is("require \"envelope\";\n"
	    "if envelope :domain :is \"from\" \"\" { discard; }", msg1,
	    "TEST envelope :domain :is \"from\" \"\" -> true\n"
	    "ACTION discard\nRESULT discard\n",
	    "the null path is \"\" for every address part");
	env_from = "a@@x.test";
	is("require \"envelope\";\n"
	    "if envelope :contains \"from\" \"\" { discard; }", msg1,
	    "TEST envelope :contains \"from\" \"\" -> false\nRESULT keep\n",
	    "a path that does not parse matches nothing");
	env_from = "a@x.test";
	is("require [\"imap4flags\", \"relational\", "
	    "\"comparator-i;ascii-numeric\"];\n"
	    "addflag \"A B a\"; if allof (hasflag :is \"b a\", hasflag :count "
	    "\"eq\" :comparator \"i;ascii-numeric\" \"2\") { discard; }",
	    msg1, "ACTION addflag \"A B a\"\n"
	    "TEST hasflag :is \"b a\" -> true\n"
	    "TEST hasflag :count \"eq\" :comparator \"i;ascii-numeric\" "
	    "\"2\" -> true\n"
	    "TEST allof (hasflag :is \"b a\", hasflag :count \"eq\" "
	    ":comparator \"i;ascii-numeric\" \"2\") -> true\n"
	    "ACTION discard\nRESULT discard\n",
	    "hasflag compares sets of flags, each once");
	is("Require \"fileinto\"; FileInto \"A\";", msg1,
	    "ACTION fileinto \"A\"\nRESULT fileinto \"A\"\n",
	    "identifiers are case-insensitive");
	is("redirect \"Bob <\\\"b\\\"@y.test>\";", msg1,
	    "ACTION redirect \"Bob <\\\"b\\\"@y.test>\"\n"
	    "RESULT redirect \"b@y.test\"\n",
	    "a redirect address is normalised");
	compile_error("redirect \"a@x.test, b@y.test\";",
	    "t.sieve:1:1: invalid redirect address \"a@x.test, b@y.test\"",
	    "two redirect addresses do not compile");
	compile_error("require \"regex\";\n"
	    "if header :regex \"s\" \"([a-z]++++)\" { keep; }",
	    "t.sieve:2:22: invalid regex \"([a-z]++++)\": a quantifier "
	    "follows another", "stacked quantifiers (regcomp took 2 GB)");
	compile_error("require \"regex\";\n"
	    "if header :regex \"s\" \"((a{255}){255}){255}\" { keep; }",
	    "t.sieve:2:22: invalid regex \"((a{255}){255}){255}\": "
	    "repetition bounds nested", "nested bounds (regcomp took 3.5 GB)");
	is("require \"vnd.dovecot.pipe\";\npipe \"p\"; pipe \"p\";", msg1,
	    "ACTION pipe \"p\"\nACTION pipe \"p\"\n"
	    "ERROR t.sieve:2:11: pipe to p twice\nRESULT keep\n",
	    "a pipe twice is an error that names it (a use after free)");
	nerrors("keep 1;\nstop \"x\";\nfrop;\nkeep;", 3,
	    "the checker counts an error per command");
	nerrors("keep", 1, "a syntax error is one error");
	nerrors("keep [\"a\" \"b\"];\nif true { keep }\nfileinto ];\nkeep 1;", 3,
	    "the parser goes on after an error: no check then");
	nerrors("if size :over 99999999999999999999999 { keep; }\n"
	    "frop $$$;", 3, "a lexical error is one, garbage one more");
	nerrors("if true { if true { keep }\nkeep;", 2,
	    "an error in a block, and its end missing");
	errlist();
	nerrors("keep;", 0, "no error");
	is("if size :over 9 { discard; }", "S: x\n\nabc\n",
	    "TEST size :over 9 -> true\nACTION discard\nRESULT discard\n",
	    "size counts the octets as given (10), as sieve-test does");
	is("if size :over 10 { discard; }", "S: x\n\nabc\n",
	    "TEST size :over 10 -> false\nRESULT keep\n",
	    "size does not count LF line ends as CRLF (10, not 13)");
	is("require \"body\"; if body :raw :contains \"\" { discard; }",
	    "Subject: no body\n",
	    "TEST body :raw :contains \"\" -> false\nRESULT keep\n",
	    "a header alone has no body to match");
}

int
main(void)
{
	lexer();
	deep();
	runs();
	pigeonhole();
	return t_done();
}
