/* net: placeholder until the session layer lands (see net.h). */
#include <stddef.h>
#include <sysexits.h>

#include "net.h"

struct net *
net_open(const struct net_opts *o, int *ex)
{
	(void)o;
	*ex = EX_SOFTWARE;
	return NULL;
}

const char *
net_banner(const struct net *n, size_t *len)
{
	(void)n;
	*len = 0;
	return "";
}

int net_tls(const struct net *n) { (void)n; return 0; }
int net_send(struct net *n, const void *p, size_t len)
{ (void)n; (void)p; (void)len; return EX_SOFTWARE; }
int net_send_data(struct net *n, const void *p, size_t len)
{ (void)n; (void)p; (void)len; return EX_SOFTWARE; }
void net_data_summary(struct net *n, unsigned long long bytes)
{ (void)n; (void)bytes; }
int net_flush(struct net *n) { (void)n; return EX_SOFTWARE; }
int net_getline(struct net *n, const char **line, size_t *len)
{ (void)n; *line = ""; *len = 0; return EX_SOFTWARE; }
int net_read(struct net *n, void *p, size_t len)
{ (void)n; (void)p; (void)len; return EX_SOFTWARE; }
void net_close(struct net *n) { (void)n; }
int net_url_proto(const char *url) { (void)url; return -1; }
