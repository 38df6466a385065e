/*
 * client: the setup shared by the network programs (see client.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dns.h"
#include "util.h"

void
client_init(struct client *c)
{
	memset(c, 0, sizeof *c);
	c->starttls = -1;
}

long
client_number(const char *s, const char *what, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die(EX_USAGE, "%s %s: want a number from %ld to %ld", what, s,
		    lo, hi);
	return v;
}

static int
starttls_arg(const char *s)
{
	if (strcmp(s, "yes") == 0)
		return NET_STARTTLS_YES;
	if (strcmp(s, "try") == 0)
		return NET_STARTTLS_TRY;
	if (strcmp(s, "no") == 0)
		return NET_STARTTLS_NO;
	die(EX_USAGE, "--starttls=%s: want yes, try or no", s);
}

int
client_opt(struct client *c, int ch, const char *arg)
{
	switch (ch) {
	case 'a': c->account = arg; break;
	case 'S': c->url = arg; break;
	case 'u': c->user = arg; break;
	case CLIENT_O_AUTH: c->auth = arg; break;
	case CLIENT_O_NETRC: c->netrc = arg; break;
	case CLIENT_O_CACERT: c->cacert = arg; break;
	case CLIENT_O_INSECURE: c->insecure = 1; break;
	case CLIENT_O_PIN: c->pin = arg; break;
	case CLIENT_O_STARTTLS: c->starttls = starttls_arg(arg); break;
	case CLIENT_O_PLAIN: c->allow_plaintext = 1; break;
	case CLIENT_O_TIMEOUT:
		c->timeout = client_number(arg, "--timeout", 1, 86400);
		break;
	case CLIENT_O_TRACE: c->trace = 1; break;
	case CLIENT_O_EXPLAIN: c->explain = c->trace = 1; break;
	case CLIENT_O_HELO: c->helo = arg; break;
	default: return 0;
	}
	return 1;
}

void
client_load(struct client *c)
{
	int ex;

	if (c->mx + (c->url != NULL) + (c->account != NULL) > 1)
		die(EX_USAGE, "-S, -a and --mx exclude each other");
	memset(&c->acct, 0, sizeof c->acct);
	if (!c->mx && c->url == NULL &&
	    (ex = cred_load(NULL, c->account, &c->acct)) != 0)
		exit(ex);
}

char *
client_url_host(const char *url)
{
	const char *p = strstr(url, "://"), *e;

	p = p ? p + 3 : url;
	if (*p == '[') {
		e = strchr(p, ']');
		return e ? xstrndup(p + 1, (size_t)(e - p - 1)) : xstrdup(p);
	}
	e = p + strcspn(p, ":/");
	return xstrndup(p, (size_t)(e - p));
}

static void
password(struct client *c)
{
	char *host = client_url_host(c->no.url);
	int rc = cred_password(&c->acct, host, c->no.user, c->netrc, &c->pass);

	/* a user with no password is a configuration to mend: going on
	 * unauthenticated would only move the failure to the server */
	if (rc == 1)
		die(EX_CONFIG, "no password for %s at %s: none from "
		    "passwordeval, ~/.netrc or --netrc-file, or YUBIN_PASSWORD; "
		    "nothing sent", c->no.user, host);
	free(host);
	if (rc != 0)
		exit(rc);
	c->no.pass = c->pass;
}

void
client_resolve(struct client *c, int proto)
{
	struct account *a = &c->acct;
	const char *aurl = proto == NET_SMTP ? a->smtp : proto == NET_POP3 ?
	    a->pop3 : a->imap;

	memset(&c->no, 0, sizeof c->no);
	c->no.helo = c->helo;
	c->no.cacert = c->cacert ? c->cacert : a->cacert;
	c->no.pin = c->pin ? c->pin : a->pin;
	c->no.insecure = c->insecure;
	c->no.starttls = c->starttls >= 0 ? c->starttls : a->starttls ?
	    starttls_arg(a->starttls) : NET_STARTTLS_YES;
	c->no.allow_plaintext = c->allow_plaintext;
	c->no.timeout = c->timeout;
	c->no.trace = c->trace;
	c->no.explain = c->explain;
	if (c->mx)
		return;
	c->no.url = c->url ? c->url : aurl;
	if (c->no.url == NULL && a->name == NULL)
		die(EX_CONFIG, "no server: give -S URL, -a ACCOUNT%s, or write "
		    "an accounts file with a default account",
		    proto == NET_SMTP ? " or --mx" : "");
	if (c->no.url == NULL)
		die(EX_CONFIG, "account %s has no %s URL", a->name,
		    proto == NET_SMTP ? "smtp" : proto == NET_POP3 ? "pop3" :
		    "imap");
	c->no.user = c->user ? c->user : a->user;
	c->no.auth = c->auth ? c->auth : a->auth;
	if (c->no.user != NULL)
		password(c);
}

struct net *
client_open(struct client *c, int *ex)
{
	return net_open(&c->no, ex);
}

void
client_close(struct client *c)
{
	if (c->pass != NULL)
		cred_wipe(c->pass);
	c->pass = NULL;
	c->no.pass = NULL;
	cred_free(&c->acct);
}

int
client_mx_open(struct client_mx *x, struct dns *d, const char *dom,
    long port)
{
	enum dns_status s;
	int implicit;

	memset(x, 0, sizeof *x);
	x->d = d;
	x->port = port;
	s = dns_mx(d, dom, 1, &x->mx, &x->nmx, &implicit);
	if (s == DNS_NXDOMAIN) {
		warn("%s: no such domain", dom);
		return dns_exit(s);
	}
	if (s != DNS_OK) {
		warn("%s: MX lookup failed: %s", dom, dns_strstatus(s));
		return dns_exit(s);
	}
	if (x->nmx == 1 && x->mx[0].host[0] == '\0') {
		warn("%s accepts no mail (null MX, RFC 7505)", dom);
		client_mx_close(x);
		return EX_UNAVAILABLE;
	}
	return 0;
}

int
client_mx_next(struct client_mx *x)
{
	const char *h;
	enum dns_status s;

	while (x->addrs == NULL || x->j >= x->na) {
		if (x->addrs != NULL)
			dns_addrs_free(x->addrs, x->na);
		x->addrs = NULL;
		if (x->i >= x->nmx)
			return 0;
		h = x->mx[x->i++].host;
		if (*h == '\0')
			continue;
		if ((s = dns_addrs(x->d, h, &x->addrs, &x->na)) != DNS_OK) {
			warn("%s: %s", h, dns_strstatus(s));
			x->addrs = NULL;
			continue;
		}
		x->j = 0;
	}
	h = x->mx[x->i - 1].host;
	snprintf(x->url, sizeof x->url, "smtp://%s:%ld", h, x->port);
	/* CURLOPT_RESOLVE wants an IPv6 address bracketed */
	snprintf(x->resolve, sizeof x->resolve, strchr(x->addrs[x->j], ':') ?
	    "%s:%ld:[%s]" : "%s:%ld:%s", h, x->port, x->addrs[x->j]);
	x->j++;
	return 1;
}

void
client_mx_close(struct client_mx *x)
{
	if (x->addrs != NULL)
		dns_addrs_free(x->addrs, x->na);
	if (x->mx != NULL)
		dns_mx_free(x->mx, x->nmx);
	x->addrs = NULL;
	x->mx = NULL;
}
