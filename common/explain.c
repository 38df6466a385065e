/* explain: placeholder until the tables land (see explain.h). */
#include <stddef.h>

#include "explain.h"

const char *explain_smtp(const char *l, size_t n, char *b, size_t sz)
{ (void)l; (void)n; (void)b; (void)sz; return NULL; }
const char *explain_pop3(const char *l, size_t n, char *b, size_t sz)
{ (void)l; (void)n; (void)b; (void)sz; return NULL; }
const char *explain_imap(const char *l, size_t n, char *b, size_t sz)
{ (void)l; (void)n; (void)b; (void)sz; return NULL; }
