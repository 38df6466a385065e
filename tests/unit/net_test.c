/*
 * net_test: common/net.c, two ways.
 *
 * Without arguments: TAP checks that need no server (URL schemes, the
 * refusals net_open() makes before connecting).
 *
 * With arguments: a small client for tests/net.bats.
 *   net_test [-u USER] [-a MECH] [-c CACERT] [-p PIN] [-k] [-s yes|try|no]
 *            [-P] [-O] [-t SEC] [-H HELO] [-R HOST:PORT:ADDR] [-T] [-E] URL
 * The password comes from the environment variable NET_TEST_PASS (never
 * argv).  After net_open() the script on stdin is run, one step a line:
 *   > TEXT    net_send TEXT CRLF (buffered)
 *   < N       read N lines, print each to stdout
 *   D N       net_send_data N bytes of message data ("x" lines, CRLF),
 *             then net_data_summary
 *   L N       net_send_data one line of N "y" bytes and CRLF
 *   F         net_flush
 *   B         print the login banner to stdout
 *   S         print "tls=0" or "tls=1"
 *   R N       net_read N raw bytes, print them
 * Exit: net_open()'s code, the first failing step's code, else 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "net.h"
#include "t.h"
#include "util.h"

static int
offline(void)
{
	struct net_opts o;
	int ex;

	(void)t_str;
	t_int(net_url_proto("smtp://h"), NET_SMTP, "smtp scheme");
	t_int(net_url_proto("SMTPS://h:465"), NET_SMTP, "smtps, any case");
	t_int(net_url_proto("pop3s://h"), NET_POP3, "pop3s scheme");
	t_int(net_url_proto("imap://h/INBOX"), NET_IMAP, "imap scheme");
	t_int(net_url_proto("http://h"), -1, "http is not ours");
	t_int(net_url_proto("smtp:/h"), -1, "no ://");
	t_int(net_url_proto(NULL), -1, "NULL");

	memset(&o, 0, sizeof o);
	o.url = "ftp://127.0.0.1:1/";
	t_ok(net_open(&o, &ex) == NULL && ex == EX_USAGE, "bad scheme: 64");
	o.url = "smtp://127.0.0.1:1";
	o.user = "alice";
	o.pass = "secret";
	o.starttls = NET_STARTTLS_NO;
	t_ok(net_open(&o, &ex) == NULL && ex == EX_NOPERM,
	    "password, --starttls=no: 77 before connecting");
	o.starttls = NET_STARTTLS_TRY;
	t_ok(net_open(&o, &ex) == NULL && ex == EX_NOPERM,
	    "password, --starttls=try: 77 before connecting");
	o.starttls = NET_STARTTLS_YES;
	o.opportunistic = 1;
	t_ok(net_open(&o, &ex) == NULL && ex == EX_NOPERM,
	    "password with opportunistic TLS: 77");
	o.opportunistic = 0;
	o.pin = "sha256//short";
	t_ok(net_open(&o, &ex) == NULL && ex == EX_CONFIG, "bad --pin: 78");
	o.pin = NULL;
	o.cacert = "/nonexistent/ca.pem";
	t_ok(net_open(&o, &ex) == NULL && ex == EX_CONFIG,
	    "missing --cacert: 78");
	o.cacert = NULL;
	o.auth = "APOP";
	t_ok(net_open(&o, &ex) == NULL && ex == EX_USAGE, "APOP over SMTP: 64");
	o.auth = NULL;
	o.url = "smtp://alice:pw@127.0.0.1:1";
	t_ok(net_open(&o, &ex) == NULL && ex == EX_USAGE,
	    "credentials in the URL: 64");
	return t_done();
}

static int
script(struct net *n)
{
	char line[8192], *buf;
	const char *l;
	size_t len, k, i;
	long cnt;
	int r = 0;

	while (r == 0 && fgets(line, sizeof line - 2, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		cnt = line[0] && line[1] ? strtol(line + 2, NULL, 10) : 0;
		switch (line[0]) {
		case '>':	/* "> TEXT", or ">" alone for an empty line */
			k = line[1] != '\0' ? 2 : 1;
			len = strlen(line + k);
			line[k + len] = '\r';
			line[k + len + 1] = '\n';
			r = net_send(n, line + k, len + 2);
			break;
		case '<':
			while (r == 0 && cnt-- > 0) {
				r = net_getline(n, &l, &len);
				if (r == 0)
					printf("%.*s\n", (int)len, l);
			}
			break;
		case 'D':
			for (k = 0; r == 0 && k < (size_t)cnt; k += 40) {
				char x[40];
				size_t m = (size_t)cnt - k < 40 ? (size_t)cnt - k : 40;
				memset(x, 'x', m);
				if (m >= 2) {
					x[m - 2] = '\r';
					x[m - 1] = '\n';
				}
				r = net_send_data(n, x, m);
			}
			net_data_summary(n, (unsigned long long)cnt);
			break;
		case 'L':
			buf = xmalloc((size_t)cnt + 2);
			memset(buf, 'y', (size_t)cnt);
			memcpy(buf + cnt, "\r\n", 2);
			r = net_send_data(n, buf, (size_t)cnt + 2);
			free(buf);
			break;
		case 'F':
			r = net_flush(n);
			break;
		case 'B':
			l = net_banner(n, &len);
			for (i = 0; i < len; i++)
				if (l[i] != '\r')
					putchar(l[i]);
			break;
		case 'S':
			printf("tls=%d\n", net_tls(n));
			break;
		case 'R':
			buf = xmalloc((size_t)cnt + 1);
			r = net_read(n, buf, (size_t)cnt);
			if (r == 0)
				fwrite(buf, 1, (size_t)cnt, stdout);
			free(buf);
			break;
		default:
			break;
		}
		fflush(stdout);
	}
	return r;
}

int
main(int argc, char **argv)
{
	struct net_opts o;
	struct net *n;
	int c, ex;

	setprogname(argv[0]);
	if (argc == 1)
		return offline();
	memset(&o, 0, sizeof o);
	while ((c = getopt(argc, argv, "u:a:c:p:ks:POt:H:R:TE")) != -1) {
		switch (c) {
		case 'u': o.user = optarg; break;
		case 'a': o.auth = optarg; break;
		case 'c': o.cacert = optarg; break;
		case 'p': o.pin = optarg; break;
		case 'k': o.insecure = 1; break;
		case 's':
			o.starttls = strcmp(optarg, "no") == 0 ? NET_STARTTLS_NO :
			    strcmp(optarg, "try") == 0 ? NET_STARTTLS_TRY :
			    NET_STARTTLS_YES;
			break;
		case 'P': o.allow_plaintext = 1; break;
		case 'O': o.opportunistic = 1; break;
		case 't': o.timeout = atol(optarg); break;
		case 'H': o.helo = optarg; break;
		case 'R': o.resolve = optarg; break;
		case 'T': o.trace = 1; break;
		case 'E': o.explain = 1; break;
		default: return EX_USAGE;
		}
	}
	if (optind != argc - 1)
		return EX_USAGE;
	o.url = argv[optind];
	o.pass = getenv("NET_TEST_PASS");
	if ((n = net_open(&o, &ex)) == NULL)
		return ex;
	ex = script(n);
	net_close(n);
	return ex;
}
