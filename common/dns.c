/* dns: placeholder until the c-ares layer lands (see dns.h). */
#include <stddef.h>
#include <sysexits.h>

#include "dns.h"

struct dns *dns_open(const struct dns_opts *o, int *ex)
{ (void)o; *ex = EX_SOFTWARE; return NULL; }
void dns_close(struct dns *d) { (void)d; }
enum dns_status dns_mx(struct dns *d, const char *domain, int shuffle,
    struct dns_mx **mx, size_t *n, int *implicit)
{ (void)d; (void)domain; (void)shuffle; *mx = NULL; *n = 0; *implicit = 0; return DNS_ERROR; }
void dns_mx_free(struct dns_mx *mx, size_t n) { (void)mx; (void)n; }
enum dns_status dns_addrs(struct dns *d, const char *host, char ***addr, size_t *n)
{ (void)d; (void)host; *addr = NULL; *n = 0; return DNS_ERROR; }
void dns_addrs_free(char **addr, size_t n) { (void)addr; (void)n; }
const char *dns_strstatus(enum dns_status s) { (void)s; return "not implemented"; }
