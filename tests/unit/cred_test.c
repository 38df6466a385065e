/*
 * cred_test: common/cred.c.  The accounts parser (every key, every
 * error message with its line number, which account is chosen), the
 * .netrc reader (quoting, default, macdef, comments, CRLF, no final
 * newline), and the I/O wrappers in a temporary $HOME: file modes,
 * passwordeval (first line, failures, stdin, what the messages show)
 * and the order passwordeval, .netrc, YUBIN_PASSWORD.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cred.h"
#include "t.h"
#include "util.h"

static const char work[] =
    "# yubin accounts\n"
    "account work\n"
    "    smtp  smtp://smtp.example.com:587\n"
    "    pop3  pop3s://pop.example.com\n"
    "    imap  imaps://imap.example.com\n"
    "    user  alice@example.com\n"
    "    from  Alice Example <alice@example.com>\n"
    "    passwordeval  pass show mail/work\n"
    "    cacert /etc/ssl/work-ca.pem\n"
    "\n"
    "account home\n"
    "\tsmtp smtps://mail.example.org\n"
    "\tuser \"bob \\\"the\\\" builder\"   \n"
    "\tauth plain\n"
    "\tstarttls TRY\n"
    "\tpin sha256//AAAA\n"
    "\tmaildir ~/Mail/home\n"
    "default work\n";

static void
str(const char *got, const char *want, const char *what)
{
	if (want == NULL) {
		t_ok(got == NULL, what);
		if (got != NULL)
			printf("#   got:  \"%s\"\n#   want: NULL\n", got);
		return;
	}
	t_str(got, got ? strlen(got) : 0, want, what);
}

static void
test_accounts(void)
{
	struct account a;
	char err[256];

	t_int(cred_parse_accounts(work, strlen(work), NULL, &a, err,
	    sizeof err), 0, "default account");
	str(a.name, "work", "default: name");
	str(a.smtp, "smtp://smtp.example.com:587", "smtp");
	str(a.pop3, "pop3s://pop.example.com", "pop3");
	str(a.imap, "imaps://imap.example.com", "imap");
	str(a.user, "alice@example.com", "user");
	str(a.from, "Alice Example <alice@example.com>", "from: rest of line");
	str(a.passwordeval, "pass show mail/work", "passwordeval: rest of line");
	str(a.cacert, "/etc/ssl/work-ca.pem", "cacert");
	str(a.auth, NULL, "auth not given");
	str(a.starttls, NULL, "starttls not given");
	str(err, "", "no error message");
	cred_free(&a);
	t_ok(a.name == NULL && a.smtp == NULL, "cred_free clears");

	t_int(cred_parse_accounts(work, strlen(work), "home", &a, err,
	    sizeof err), 0, "named account");
	str(a.name, "home", "home: name");
	str(a.smtp, "smtps://mail.example.org", "home: smtps");
	str(a.user, "bob \"the\" builder", "quoted value with escapes");
	str(a.auth, "PLAIN", "auth upper-cased");
	str(a.starttls, "try", "starttls lower-cased");
	str(a.pin, "sha256//AAAA", "pin");
	str(a.maildir, "~/Mail/home", "maildir as written (no I/O here)");
	str(a.passwordeval, NULL, "keys of another account not taken");
	str(a.imap, NULL, "imap not given");
	cred_free(&a);

	t_int(cred_parse_accounts(work, strlen(work), "play", &a, err,
	    sizeof err), 1, "no such account");
	str(err, "no account 'play'", "no such account: message");
	t_ok(a.name == NULL, "no such account: nothing filled");
}

static void
test_choice(void)
{
	static const char one[] = "account solo\n user me\n";
	static const char two[] = "account a\n user x\naccount b\n user y\n";
	static const char crlf[] = "account w\r\n  user u\r\n\r\n# c\r\n";
	static const char noeol[] = "account w\n  from  A B <a@b>  ";
	static const char dflt_first[] = "default b\naccount a\naccount b\n"
	    "  user y\n";
	struct account a;
	char err[256];

	t_int(cred_parse_accounts(one, strlen(one), NULL, &a, err,
	    sizeof err), 0, "only account, no default");
	str(a.name, "solo", "the only one is chosen");
	str(a.user, "me", "its user");
	cred_free(&a);
	t_int(cred_parse_accounts(two, strlen(two), NULL, &a, err,
	    sizeof err), 1, "two accounts, no default");
	str(err, "several accounts and no 'default' line",
	    "two accounts: message");
	t_int(cred_parse_accounts(two, strlen(two), "b", &a, err,
	    sizeof err), 0, "two accounts, one named");
	str(a.user, "y", "second account's user");
	cred_free(&a);
	t_int(cred_parse_accounts("", 0, NULL, &a, err, sizeof err), 1,
	    "empty file");
	str(err, "no account defined", "empty file: message");
	t_int(cred_parse_accounts("# only\n\n", 8, NULL, &a, err,
	    sizeof err), 1, "comments only");
	t_int(cred_parse_accounts(crlf, strlen(crlf), NULL, &a, err,
	    sizeof err), 0, "CRLF lines");
	str(a.user, "u", "CRLF: no CR in the value");
	cred_free(&a);
	t_int(cred_parse_accounts(noeol, strlen(noeol), NULL, &a, err,
	    sizeof err), 0, "no final newline");
	str(a.from, "A B <a@b>", "trailing blanks dropped");
	cred_free(&a);
	t_int(cred_parse_accounts(dflt_first, strlen(dflt_first), NULL, &a,
	    err, sizeof err), 0, "default before the accounts");
	str(a.name, "b", "default before: name");
	str(a.user, "y", "default before: user");
	cred_free(&a);
}

/* in is refused with exactly msg. */
static void
bad(const char *in, const char *msg)
{
	struct account a;
	char err[256], what[200];
	int r;

	memset(err, 'x', sizeof err);
	r = cred_parse_accounts(in, strlen(in), NULL, &a, err, sizeof err);
	snprintf(what, sizeof what, "refused: %s", msg);
	t_int(r, -1, what);
	str(err, msg, what);
	t_ok(a.name == NULL && a.user == NULL, "refused: nothing filled");
}

static void
test_errors(void)
{
	struct account a;
	char small[12];

	bad("account a\n  smpt smtp://x\n", "line 2: unknown key 'smpt'");
	bad("account a\n  User u\n", "line 2: unknown key 'User'");
	bad("Account a\n", "line 1: unknown key 'Account'");
	bad("account a\n  user u\n  password hunter2\n",
	    "line 3: no 'password' key: the password comes from "
	    "passwordeval, ~/.netrc or YUBIN_PASSWORD");
	bad("user u\naccount a\n",
	    "line 1: 'user' outside an account (an 'account NAME' line "
	    "comes first)");
	bad("account a\n user u\n\naccount a\n",
	    "line 4: account 'a' defined twice (first at line 1)");
	bad("account a\naccount b\ndefault a\ndefault b\n",
	    "line 4: 'default' given twice (first at line 3)");
	bad("account a\ndefault nope\n",
	    "line 2: default account 'nope' is not defined");
	bad("account a\n user u\n user v\n",
	    "line 3: 'user' given twice in one account");
	bad("account a\n user\n", "line 2: 'user' needs a value");
	bad("account a\n user   \n", "line 2: 'user' needs a value");
	bad("account a\n from \"\"\n", "line 2: 'from' needs a value");
	bad("account\n", "line 1: 'account' needs a value");
	bad("account a\n from \"Al <a@b>\n", "line 2: unterminated quote");
	bad("account a\n from \"Al\\\"\n", "line 2: unterminated quote");
	bad("account a\n from \"Al\" <a@b>\n",
	    "line 2: text after the closing quote");
	bad("account a\n smtp pop3://x\n",
	    "line 2: smtp wants a smtp:// or smtps:// URL, not 'pop3://x'");
	bad("account a\n pop3 pop.example.com\n",
	    "line 2: pop3 wants a pop3:// or pop3s:// URL, not "
	    "'pop.example.com'");
	bad("account a\n imap imaps://\n",
	    "line 2: imap wants a imap:// or imaps:// URL, not 'imaps://'");
	bad("account a\n starttls maybe\n",
	    "line 2: starttls wants yes, try or no, not 'maybe'");
	bad("account a\n auth PLAIN LOGIN\n",
	    "line 2: auth wants one SASL mechanism name such as PLAIN, not "
	    "'PLAIN LOGIN'");
	bad("account a\n from A\rB\n", "line 2: control character 0x0d");
	bad("account a\n\n\n user a\001\n", "line 4: control character 0x01");
	/* An error in another account is still an error. */
	bad("account a\naccount b\n  smpt x\ndefault a\n",
	    "line 3: unknown key 'smpt'");
	/* A NUL byte, which strlen() would hide. */
	{
		static const char nul[] = "account a\n user a\0b\n";
		char err[80];

		t_int(cred_parse_accounts(nul, sizeof nul - 1, NULL, &a, err,
		    sizeof err), -1, "NUL byte refused");
		str(err, "line 2: control character 0x00", "NUL byte: message");
	}
	/* The message is cut to fit, always terminated. */
	t_int(cred_parse_accounts("account a\n smpt x\n", 18, NULL, &a, small,
	    sizeof small), -1, "small error buffer");
	str(small, "line 2: unk", "small error buffer: cut");
	t_int(cred_parse_accounts("account a\n smpt x\n", 18, NULL, &a, NULL,
	    0), -1, "no error buffer");
	/* '#' in a value is not a comment. */
	t_int(cred_parse_accounts("account a\n passwordeval cat f # x\n", 34,
	    NULL, &a, small, sizeof small), 0, "# inside a value");
	str(a.passwordeval, "cat f # x", "# inside a value: kept");
	cred_free(&a);
}

static void
netrc_ok(const char *in, size_t n, const char *host, const char *user,
    const char *wlogin, const char *wpass, const char *what)
{
	char *login = (char *)"unset", *pass = (char *)"unset";
	int r = cred_parse_netrc(in, n, host, user, &login, &pass);

	t_int(r, 0, what);
	if (r != 0)
		return;
	str(login, wlogin, what);
	str(pass, wpass, what);
	free(login);
	cred_wipe(pass);
}

static void
netrc_none(const char *in, const char *host, const char *user,
    const char *what)
{
	char *login = (char *)"unset", *pass = (char *)"unset";

	t_int(cred_parse_netrc(in, strlen(in), host, user, &login, &pass), 1,
	    what);
	t_ok(login == NULL && pass == NULL, what);
}

#define NETRC(in, host, user, l, p, what) \
	netrc_ok(in, strlen(in), host, user, l, p, what)

static void
test_netrc(void)
{
	static const char basic[] =
	    "machine mail.example.com login alice password s3cret\n"
	    "machine mail.example.com login bob password b0b\n"
	    "machine other.example.com\n  login alice\n  password other\n"
	    "default login anon password guest\n";
	static const char quoted[] =
	    "machine h login \"a b\" password \"with \\\"quotes\\\" and "
	    "spaces\"\nmachine t login u password \"tab\\there\\n\\\\\"\n";
	static const char macdef[] =
	    "macdef init\nmachine h login evil password bad\nquit\n\n"
	    "machine h login alice password good\n";
	static const char crlf[] =
	    "machine h\r\nlogin alice\r\npassword crlf\r\n";
	static const char comments[] =
	    "# machine h login alice password commented\n"
	    "machine h login alice # not a comment here\n"
	    "  password \"#hash\"\n";
	static const char nodefault[] =
	    "default login d password dd\nmachine h login alice password aa\n";
	static const char nopass[] =
	    "machine h login alice\nmachine h login alice password later\n";
	static const char nologin[] = "machine h password anyuser\n";
	static const char account[] =
	    "machine h login alice account password password real\n";

	NETRC(basic, "mail.example.com", "alice", "alice", "s3cret",
	    "first machine, login given");
	NETRC(basic, "mail.example.com", "bob", "bob", "b0b",
	    "second entry for the same host");
	NETRC(basic, "MAIL.Example.COM", "bob", "bob", "b0b",
	    "host compared without case");
	NETRC(basic, "mail.example.com", NULL, "alice", "s3cret",
	    "no user: first entry for the host, with its login");
	NETRC(basic, "other.example.com", "alice", "alice", "other",
	    "tokens across newlines");
	NETRC("machine h login a password p\ndefault password any\n", "h",
	    "carol", "carol", "any", "host matches, login does not: default");
	netrc_none(basic, "mail.example.com", "carol",
	    "default with another login does not fit");
	NETRC(basic, "nowhere.example", NULL, "anon", "guest",
	    "no machine: default");
	netrc_none(basic, "mail.example.com", "Alice",
	    "login compared with case (default's login differs)");
	netrc_none("machine h login a password b\n", "x", NULL,
	    "no match, no default");
	NETRC(quoted, "h", "a b", "a b", "with \"quotes\" and spaces",
	    "quoted login and password with spaces");
	NETRC(quoted, "t", "u", "u", "tab\there\n\\", "\\t \\n \\\\ escapes");
	NETRC(macdef, "h", "alice", "alice", "good",
	    "macdef body skipped up to the empty line");
	netrc_none("macdef x\nmachine h login a password p\n", "h", "a",
	    "macdef without an empty line runs to the end");
	NETRC("macdef x\r\nmachine h password p\r\n\r\nmachine h login a "
	    "password q", "h", "a", "a", "q", "macdef ends at a CRLF empty line");
	NETRC(crlf, "h", "alice", "alice", "crlf", "CRLF line ends");
	NETRC("machine h login alice password last", "h", "alice", "alice",
	    "last", "no final newline");
	NETRC(comments, "h", "alice", "alice", "#hash",
	    "comment lines; # as a value");
	NETRC(nodefault, "h", "alice", "alice", "aa",
	    "a later machine beats an earlier default");
	NETRC(nopass, "h", "alice", "alice", "later",
	    "an entry without a password is passed over");
	NETRC(nologin, "h", "zed", "zed", "anyuser",
	    "an entry without a login fits any user");
	{
		char *login = (char *)"unset", *pass = NULL;

		t_int(cred_parse_netrc(nologin, strlen(nologin), "h", NULL,
		    &login, &pass), 0, "no login, no user");
		t_ok(login == NULL, "no login, no user: login NULL");
		cred_wipe(pass);
	}
	NETRC(account, "h", "alice", "alice", "real",
	    "account's value is skipped, even 'password'");
	NETRC("MACHINE h LOGIN a PASSWORD up", "h", "a", "a", "up",
	    "keywords without case");
	NETRC("machine h port 25 login a password p", "h", "a", "a", "p",
	    "unknown keyword skipped");
	netrc_none("machine h login a password", "h", "a",
	    "password keyword at the end");
	NETRC("machine h login a password \"unterminated", "h", "a", "a",
	    "unterminated", "unterminated quote runs to the end");
	netrc_none("", "h", NULL, "empty file");
	{
		static const char nul[] = "machine h login a password p\0q\n";

		netrc_ok(nul, sizeof nul - 1, "h", "a", "a", "p",
		    "NUL ends nothing but C strings");
	}
}

/* ---- the I/O wrappers, in a temporary HOME ---- */

static char dir[64];

static void
put(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die(EX_IOERR, "%s:", path);
	if (chmod(path, mode) < 0)
		die(EX_IOERR, "%s:", path);
}

/* stderr goes to a file while the wrappers run, so it can be checked. */
static int saved_err = -1;

static void
capture(void)
{
	char path[256];
	int fd;

	fflush(stderr);
	snprintf(path, sizeof path, "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved_err = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void
captured(const char *want, const char *what)
{
	char path[256], got[1024];
	size_t n;
	FILE *f;

	fflush(stderr);
	dup2(saved_err, 2);
	close(saved_err);
	snprintf(path, sizeof path, "%s/stderr", dir);
	f = fopen(path, "r");
	n = f ? fread(got, 1, sizeof got - 1, f) : 0;
	if (f)
		fclose(f);
	got[n] = '\0';
	str(got, want, what);
}

static void
test_load(void)
{
	struct account a;
	char path[256], want[1024];
	int r;

	snprintf(path, sizeof path, "%s/.config", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/.config/yubin", dir);
	mkdir(path, 0700);
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");

	capture();
	r = cred_load(NULL, NULL, &a);
	captured("", "no file, no name: silent");
	t_int(r, 0, "no file, no name: 0");
	t_ok(a.name == NULL, "no file, no name: no account");
	capture();
	r = cred_load(NULL, "work", &a);
	snprintf(want, sizeof want, "cred_test: %s/.config/yubin/accounts: "
	    "no such file (see yubin-accounts(5))\n", dir);
	captured(want, "no file, named account: message");
	t_int(r, EX_NOINPUT, "no file, named account: 66");

	put(".config/yubin/accounts", work, 0644);
	r = cred_load(NULL, NULL, &a);
	t_int(r, 0, "default place, world-readable is fine");
	str(a.name, "work", "default place: default account");
	cred_free(&a);
	r = cred_load(NULL, "home", &a);
	snprintf(want, sizeof want, "%s/Mail/home", dir);
	str(a.maildir, want, "~/ in maildir becomes $HOME/");
	cred_free(&a);

	capture();
	r = cred_load(NULL, "play", &a);
	snprintf(want, sizeof want, "cred_test: %s/.config/yubin/accounts: "
	    "no account 'play'\n", dir);
	captured(want, "missing account: message");
	t_int(r, EX_CONFIG, "missing account: 78");

	put("xdg-accounts", "account a\n  usr x\n", 0600);
	snprintf(path, sizeof path, "%s/xdg-accounts", dir);
	capture();
	r = cred_load(path, NULL, &a);
	snprintf(want, sizeof want, "cred_test: %s: line 2: unknown key "
	    "'usr'\n", path);
	captured(want, "syntax error: message with path and line");
	t_int(r, EX_CONFIG, "syntax error: 78");

	put("xdg-accounts", "account a\naccount b\n", 0600);
	t_int(cred_load(path, NULL, &a), 0,
	    "several accounts, no default, no name: 0");
	t_ok(a.name == NULL, "several accounts, no name: no account");

	snprintf(path, sizeof path, "%s/xdg", dir);
	mkdir(path, 0700);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof path, "%s/xdg/yubin", dir);
	mkdir(path, 0700);
	put("xdg/yubin/accounts", "account x\n user fromxdg\n", 0600);
	t_int(cred_load(NULL, NULL, &a), 0, "XDG_CONFIG_HOME");
	str(a.user, "fromxdg", "XDG_CONFIG_HOME: read there");
	cred_free(&a);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	t_int(cred_load(NULL, NULL, &a), 0, "relative XDG_CONFIG_HOME");
	str(a.name, "work", "relative XDG_CONFIG_HOME ignored");
	cred_free(&a);
	unsetenv("XDG_CONFIG_HOME");

	put(".config/yubin/accounts", work, 0664);
	snprintf(path, sizeof path, "%s/.config/yubin/accounts", dir);
	capture();
	r = cred_load(NULL, NULL, &a);
	snprintf(want, sizeof want, "cred_test: %s: writable by group or "
	    "others, who could make passwordeval run their commands; chmod "
	    "go-w %s\n", path, path);
	captured(want, "group-writable: message");
	t_int(r, EX_CONFIG, "group-writable accounts file: 78");
	put(".config/yubin/accounts", work, 0600);
	if (geteuid() == 0 && chown(path, 1, 1) == 0) {
		capture();
		r = cred_load(NULL, NULL, &a);
		snprintf(want, sizeof want, "cred_test: %s: belongs to uid 1, "
		    "not to you: not used\n", path);
		captured(want, "someone else's file: message");
		t_int(r, EX_CONFIG, "someone else's file: 78");
		if (chown(path, 0, 0) != 0)
			die(EX_IOERR, "chown:");
	} else {
		t_ok(1, "# skip someone else's file needs root");
		t_ok(1, "# skip someone else's file needs root");
	}
	snprintf(path, sizeof path, "%s", dir);
	capture();
	r = cred_load(path, "x", &a);
	snprintf(want, sizeof want, "cred_test: %s: not a regular file\n",
	    path);
	captured(want, "a directory: message");
	t_int(r, EX_CONFIG, "a directory: 78");
}

/* passwordeval cmd gives (r, pass) and exactly msg on stderr. */
static void
eval(const char *cmd, int want_r, const char *want_pass, const char *msg,
    const char *what)
{
	struct account a;
	char *pass = (char *)"unset";
	int r;

	memset(&a, 0, sizeof a);
	a.name = (char *)"work";
	a.passwordeval = (char *)cmd;
	capture();
	r = cred_password(&a, "h", "alice", NULL, &pass);
	captured(msg, what);
	t_int(r, want_r, what);
	if (want_pass != NULL) {
		str(r == 0 ? pass : NULL, want_pass, what);
		if (r == 0)
			cred_wipe(pass);
	} else {
		t_ok(pass == NULL, what);
	}
}

static void
test_password(void)
{
	char *pass = NULL, *login = NULL, path[256], want[1024];
	struct account a;
	int r;

	setenv("HOME", dir, 1);
	unsetenv("YUBIN_PASSWORD");
	eval("printf 'pw one\\nsecond\\n'", 0, "pw one", "",
	    "passwordeval: first line");
	eval("printf 'nonl'", 0, "nonl", "", "passwordeval: no newline");
	eval("printf 'crlf\\r\\n'", 0, "crlf", "", "passwordeval: CR dropped");
	eval("cat; echo fromstdin", 0, "fromstdin", "",
	    "passwordeval: stdin is /dev/null");
	eval("head -c 100000 /dev/zero | tr '\\0' x; echo", 78, NULL,
	    "cred_test: account work: passwordeval printed a first line "
	    "longer than 4096 bytes\n", "passwordeval: long line");
	/* the cap is 4096 bytes of password: a CRLF line of exactly that
	 * is fine, one byte more is not, with or without the CR */
	{
		char want4096[4097];

		memset(want4096, 'x', 4096);
		want4096[4096] = '\0';
		eval("head -c 4096 /dev/zero | tr '\\0' x; printf '\\r\\n'",
		    0, want4096, "", "passwordeval: 4096 bytes and CRLF");
		eval("head -c 4096 /dev/zero | tr '\\0' x; printf '\\n'",
		    0, want4096, "", "passwordeval: 4096 bytes and LF");
		eval("head -c 4096 /dev/zero | tr '\\0' x; printf '\\r'",
		    0, want4096, "", "passwordeval: 4096 bytes and CR, no LF");
		eval("head -c 4097 /dev/zero | tr '\\0' x; printf '\\r\\n'",
		    78, NULL, "cred_test: account work: passwordeval printed "
		    "a first line longer than 4096 bytes\n",
		    "passwordeval: 4097 bytes and CRLF");
		eval("head -c 4097 /dev/zero | tr '\\0' x; printf '\\n'",
		    78, NULL, "cred_test: account work: passwordeval printed "
		    "a first line longer than 4096 bytes\n",
		    "passwordeval: 4097 bytes and LF");
		eval("head -c 4096 /dev/zero | tr '\\0' x; printf 'y\\r\\n'",
		    78, NULL, "cred_test: account work: passwordeval printed "
		    "a first line longer than 4096 bytes\n",
		    "passwordeval: 4097 bytes, last not a CR");
	}
	eval("echo; echo late", 78, NULL,
	    "cred_test: account work: passwordeval printed no password\n",
	    "passwordeval: empty first line");
	eval("true", 78, NULL,
	    "cred_test: account work: passwordeval printed no password\n",
	    "passwordeval: no output");
	eval("echo leaked; exit 3", 78, NULL,
	    "cred_test: account work: passwordeval failed (exit status 3)\n",
	    "passwordeval: exit status, output not shown");
	eval("echo leaked; kill -TERM $$", 78, NULL,
	    "cred_test: account work: passwordeval killed by signal 15\n",
	    "passwordeval: signal");
	eval("no-such-command-here 2>/dev/null", 78, NULL,
	    "cred_test: account work: passwordeval failed (exit status "
	    "127)\n", "passwordeval: command not found");
	eval("printf 'a\\0b\\n'", 78, NULL,
	    "cred_test: account work: passwordeval printed a NUL byte\n",
	    "passwordeval: NUL byte");
	/* a large output after the first line is read and dropped */
	eval("echo big; head -c 1000000 /dev/zero", 0, "big", "",
	    "passwordeval: large output drained");

	/* No passwordeval: .netrc, then YUBIN_PASSWORD. */
	memset(&a, 0, sizeof a);
	a.name = (char *)"n";
	a.user = (char *)"alice";
	setenv("YUBIN_PASSWORD", "fromenv", 1);
	t_int(cred_password(&a, "h", NULL, NULL, &pass), 0, "no .netrc: env");
	str(pass, "fromenv", "no .netrc: YUBIN_PASSWORD");
	cred_wipe(pass);
	put(".netrc", "machine h login alice password \"net rc\"\n", 0600);
	t_int(cred_password(&a, "h", NULL, NULL, &pass), 0, ".netrc");
	str(pass, "net rc", ".netrc before YUBIN_PASSWORD, a->user used");
	cred_wipe(pass);
	/* read once, the variable is gone: children do not inherit it */
	t_ok(getenv("YUBIN_PASSWORD") == NULL, "YUBIN_PASSWORD unset once read");
	setenv("YUBIN_PASSWORD", "fromenv", 1);
	t_int(cred_password(&a, "other", NULL, NULL, &pass), 0,
	    ".netrc without the host");
	str(pass, "fromenv", ".netrc without the host: env");
	cred_wipe(pass);
	unsetenv("YUBIN_PASSWORD");
	t_int(cred_password(&a, "other", NULL, NULL, &pass), 1,
	    "nothing found: 1");
	t_ok(pass == NULL, "nothing found: NULL");
	setenv("YUBIN_PASSWORD", "", 1);
	t_int(cred_password(NULL, "other", "x", NULL, &pass), 1,
	    "empty YUBIN_PASSWORD is none");
	unsetenv("YUBIN_PASSWORD");

	t_int(cred_netrc(NULL, "h", NULL, &login, &pass), 0, "cred_netrc");
	str(login, "alice", "cred_netrc: login");
	str(pass, "net rc", "cred_netrc: password");
	free(login);
	cred_wipe(pass);

	put(".netrc", "machine h login alice password open\n", 0640);
	snprintf(path, sizeof path, "%s/.netrc", dir);
	capture();
	r = cred_password(&a, "h", NULL, NULL, &pass);
	snprintf(want, sizeof want, "cred_test: %s: holds a password and is "
	    "readable by others; chmod 600 %s\n", path, path);
	captured(want, "readable .netrc: message");
	t_int(r, EX_CONFIG, "readable .netrc with the password: 78");
	t_ok(pass == NULL, "readable .netrc: no password");
	t_int(cred_password(&a, "elsewhere", NULL, NULL, &pass), 1,
	    "readable .netrc without a match: not refused");

	put("my-netrc", "machine h login alice password mine\n", 0600);
	snprintf(path, sizeof path, "%s/my-netrc", dir);
	t_int(cred_password(&a, "h", NULL, path, &pass), 0, "--netrc-file");
	str(pass, "mine", "--netrc-file: read");
	cred_wipe(pass);
	snprintf(path, sizeof path, "%s/missing-netrc", dir);
	capture();
	r = cred_password(&a, "h", NULL, path, &pass);
	snprintf(want, sizeof want, "cred_test: %s: No such file or "
	    "directory\n", path);
	captured(want, "missing --netrc-file: message");
	t_int(r, EX_NOINPUT, "missing --netrc-file: 66");

	/* passwordeval is the only source when given. */
	put(".netrc", "machine h login alice password netrc\n", 0600);
	setenv("YUBIN_PASSWORD", "env", 1);
	a.passwordeval = (char *)"exit 1";
	capture();
	r = cred_password(&a, "h", NULL, NULL, &pass);
	captured("cred_test: account n: passwordeval failed (exit status 1)\n",
	    "failed passwordeval: no fallback, message");
	t_int(r, EX_CONFIG, "failed passwordeval: no fallback");
	unsetenv("YUBIN_PASSWORD");
}

/*
 * Before any password: dumpable, as a process normally is; once one is
 * held: no core file (RLIMIT_CORE 0, soft and hard) and, on Linux, not
 * dumpable.  Runs first, so the "before" is true.
 */
static void
test_protect(void)
{
	struct rlimit rl;
	char *pass = NULL;

#ifdef __linux__
	t_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, "dumpable before");
#endif
	unsetenv("YUBIN_PASSWORD");
	t_int(cred_password(NULL, NULL, "x", NULL, &pass), 1,
	    "no password found");
#ifdef __linux__
	t_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1,
	    "no password: still dumpable");
#endif
	setenv("YUBIN_PASSWORD", "s3cret", 1);
	t_int(cred_password(NULL, NULL, "x", NULL, &pass), 0, "env password");
	str(pass, "s3cret", "env password read");
	cred_wipe(pass);
	t_ok(getenv("YUBIN_PASSWORD") == NULL, "YUBIN_PASSWORD unset");
	t_ok(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
	    rl.rlim_max == 0, "RLIMIT_CORE 0 once a password is held");
#ifdef __linux__
	t_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0,
	    "not dumpable once a password is held");
#endif
}

/*
 * cred_wipe frees what it zeroes, so the zeroes can only be seen on the
 * way into free: the Makefile links this driver with -Wl,--wrap=free,
 * and __wrap_free looks at the one block it is told to watch.
 */
void __real_free(void *p);
void __wrap_free(void *p);
static const char *watch;
static size_t watch_n;
static int watch_seen;          /* -1 not freed, 0 freed dirty, 1 zeroed */

void
__wrap_free(void *p)
{
	if (p != NULL && p == watch) {
		watch_seen = 1;
		for (size_t i = 0; i < watch_n; i++)
			if (watch[i] != '\0')
				watch_seen = 0;
		watch = NULL;
	}
	__real_free(p);
}

static void
test_wipe(void)
{
	char *s = xstrdup("secret");

	watch = s;
	watch_n = strlen(s);
	watch_seen = -1;
	cred_wipe(s);
	t_int(watch_seen, 1, "cred_wipe zeroes a secret, then frees it");
	cred_wipe(NULL);
	t_ok(watch == NULL, "cred_wipe(NULL) does nothing");
}

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		warn("could not remove %s", dir);
}

int
main(int argc, char **argv)
{
	(void)argc;
	setprogname("cred_test");
	(void)argv;
	snprintf(dir, sizeof dir, "/tmp/cred_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die(EX_CANTCREAT, "mkdtemp:");
	umask(022);
	test_protect();
	test_accounts();
	test_choice();
	test_errors();
	test_netrc();
	test_load();
	test_password();
	test_wipe();
	cleanup();
	return t_done();
}
