/* cred: placeholder until the readers land (see cred.h). */
#include <stddef.h>
#include <sysexits.h>

#include "cred.h"

int cred_parse_accounts(const char *buf, size_t len, const char *name,
    struct account *a, char *err, size_t errsz)
{ (void)buf; (void)len; (void)name; (void)a; (void)err; (void)errsz; return 1; }
int cred_parse_netrc(const char *buf, size_t len, const char *host,
    const char *user, char **login, char **pass)
{ (void)buf; (void)len; (void)host; (void)user; (void)login; (void)pass; return 1; }
int cred_load(const char *path, const char *name, struct account *a)
{ (void)path; (void)name; (void)a; return EX_SOFTWARE; }
int cred_password(const struct account *a, const char *host,
    const char *user, const char *netrc_file, char **pass)
{ (void)a; (void)host; (void)user; (void)netrc_file; (void)pass; return 1; }
void cred_wipe(char *s) { (void)s; }
void cred_free(struct account *a) { (void)a; }
