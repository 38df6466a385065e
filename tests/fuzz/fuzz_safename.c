/*
 * fuzz_safename: safename on arbitrary attachment names, as mimeunpack
 * -x calls it with a name taken from a hostile message.
 *
 * Checks what safename.h promises, since the result becomes a file name
 * in the user's directory: never empty, "." or "..", at most SAFENAME_MAX
 * bytes, no '/' or '\', no control byte, no bidi control, no leading
 * dot or '-', not only spaces, well-formed UTF-8; and variants 1, 2 and 3 differ from one another, so that
 * mimeunpack's O_EXCL loop always finds a free name in the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "safename.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *sections[] = { "1", "2.1", "", "1.2.3.4.5.6.7.8" };
static const char *types[] = {
	"application/pdf", "text/plain", "", "x/unknown", "message/rfc822",
};

static void
check(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SAFENAME_MAX || s[0] == '.' || s[0] == '-' ||
	    s[strspn(s, " ")] == '\0')
		abort();
	if (strstr(s, "\xe2\x80\xae") != NULL ||     /* U+202E */
	    strstr(s, "\xe2\x81\xa6") != NULL ||     /* U+2066 */
	    strstr(s, "\xc2\x9b") != NULL)            /* U+009B CSI */
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			abort();
	}
	if (!utf8_valid(s, n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[4][SAFENAME_MAX + 1 + 8], *name;
	const char *section, *type;
	unsigned v;
	size_t k;

	if (size < 1)
		return 0;
	section = sections[data[0] % 4];
	type = types[(data[0] >> 2) % 5];
	name = malloc(size);
	if (name == NULL)
		return 0;
	memcpy(name, data + 1, size - 1);       /* a C string: NUL ends it */
	name[size - 1] = '\0';
	for (v = 0; v < 4; v++) {
		/* a guard past the promised size catches an overrun that
		 * ASan would not (the array is larger than the promise) */
		memset(out[v], 'G', sizeof out[v]);
		safename(name, section, type, v, out[v]);
		for (k = SAFENAME_MAX + 1; k < sizeof out[v]; k++)
			if (out[v][k] != 'G')
				abort();
		check(out[v]);
	}
	if (strcmp(out[1], out[2]) == 0 || strcmp(out[1], out[3]) == 0 ||
	    strcmp(out[2], out[3]) == 0)
		abort();
	free(name);
	return 0;
}
