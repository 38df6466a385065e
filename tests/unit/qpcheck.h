/*
 * qpcheck.h: is a quoted-printable encoding well formed (RFC 2045 6.7)?
 * Shared by the unit driver and the fuzz harness, so that both hold the
 * encoder to the same rules.
 */
#ifndef YUBIN_QPCHECK_H
#define YUBIN_QPCHECK_H

#include <stddef.h>
#include <string.h>

#include "codec.h"

static int
hexup(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Lines <= 76, only printable ASCII, no white space before a LF. */
static int
qp_wellformed(const char *p, size_t n, int opts)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			if (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'))
				return 0;
			if ((opts & QP_SAFE) && col == 1 && p[i - 1] == '.')
				return 0;
			col = 0;
			continue;
		}
		if ((c < ' ' && c != '\t') || c > '~' || ++col > QP_LINE)
			return 0;
		if (c == '=' && !(i + 1 < n && p[i + 1] == '\n') &&
		    !(i + 2 < n && hexup(p[i + 1]) && hexup(p[i + 2])))
			return 0;
		if ((opts & QP_SAFE) && col == 1 && n - i >= 5 &&
		    memcmp(p + i, "From ", 5) == 0)
			return 0;
	}
	return n == 0 || p[n - 1] == '\n';
}

#endif
