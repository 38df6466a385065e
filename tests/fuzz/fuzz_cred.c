/*
 * fuzz_cred: the accounts file parser and the .netrc reader on
 * arbitrary bytes.
 *
 * Besides crashes and leaks, it checks what cred.h promises: the result
 * is -1, 0 or 1; on -1 the message starts with "line N: " and is
 * terminated within its buffer; on 0 an account has a name, its values
 * hold no control character but tab, starttls is yes/try/no, and asking
 * for it by name gives the same account.  The .netrc reader returns 0
 * or 1, a password on 0, and the login asked for when it names one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_value(const char *v)
{
	if (v == NULL)
		return;
	if (*v == '\0')
		abort();
	for (; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			abort();
}

static int
same(const char *x, const char *y)
{
	return (x == NULL && y == NULL) ||
	    (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static void
accounts(const char *p, size_t n)
{
	struct account a, b;
	char err[64];
	int r;

	memset(err, 'x', sizeof err);
	r = cred_parse_accounts(p, n, NULL, &a, err, sizeof err);
	if (memchr(err, '\0', sizeof err) == NULL)
		abort();
	if (r == -1 && strncmp(err, "line ", 5) != 0)
		abort();
	if (r != 0) {
		if ((r != -1 && r != 1) || a.name != NULL || a.smtp != NULL)
			abort();
		return;
	}
	if (a.name == NULL)
		abort();
	check_value(a.name);
	check_value(a.smtp);
	check_value(a.pop3);
	check_value(a.imap);
	check_value(a.user);
	check_value(a.from);
	check_value(a.passwordeval);
	check_value(a.cacert);
	check_value(a.auth);
	check_value(a.pin);
	check_value(a.maildir);
	if (a.starttls != NULL && strcmp(a.starttls, "yes") &&
	    strcmp(a.starttls, "try") && strcmp(a.starttls, "no"))
		abort();
	if (cred_parse_accounts(p, n, a.name, &b, err, sizeof err) != 0 ||
	    !same(a.name, b.name) || !same(a.smtp, b.smtp) ||
	    !same(a.user, b.user) || !same(a.from, b.from) ||
	    !same(a.passwordeval, b.passwordeval) || !same(a.auth, b.auth))
		abort();
	cred_free(&a);
	cred_free(&b);
}

static void
netrc(const char *p, size_t n, const char *host, const char *user)
{
	char *login = NULL, *pass = NULL;
	int r = cred_parse_netrc(p, n, host, user, &login, &pass);

	if (r == 1) {
		if (login != NULL || pass != NULL)
			abort();
		return;
	}
	if (r != 0 || pass == NULL)
		abort();
	if (user != NULL && (login == NULL || strcmp(login, user) != 0))
		abort();
	free(login);
	cred_wipe(pass);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	accounts(p, size);
	netrc(p, size, "h", NULL);
	netrc(p, size, "mail.example.com", "alice");
	return 0;
}
