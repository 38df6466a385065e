/*
 * safename_test: unit tests of common/safename.c, the names mimeunpack -x
 * writes.
 */
#include <string.h>

#include "safename.h"
#include "t.h"

static void
ok(const char *name, unsigned n, const char *want, const char *what)
{
	char out[SAFENAME_MAX + 1];

	safename(name, "2", "application/pdf", n, out);
	t_str(out, strlen(out), want, what);
}

int
main(void)
{
	char longname[600], out[SAFENAME_MAX + 1];

	ok("report.pdf", 0, "report.pdf", "a plain name is kept");
	ok("report.pdf", 3, "report-3.pdf", "variant 3 before the extension");
	ok("../../etc/passwd", 0, "passwd", "the last component only");
	ok("..\\x.bat", 0, "x.bat", "a backslash separates too");
	ok("a\tb\x1b.txt", 0, "a_b_.txt", "controls become _");
	ok(".hidden", 0, "_hidden", "a leading dot becomes _");
	ok("", 0, "part-2.pdf", "no name: part-SECTION.EXT");
	ok("..", 0, "part-2.pdf", "..: part-SECTION.EXT");
	ok("caf\xe9.txt", 0, "caf_.txt", "a byte that is not UTF-8 is _");
	ok("invoice\xe2\x80\xae" "fdp.exe", 0, "invoicefdp.exe",
	    "U+202E (right-to-left override) is dropped");
	ok("\xe2\x81\xa6" "a\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c.txt", 0, "a.txt",
	    "U+2066, U+2069, U+200F, U+061C are dropped");
	ok("\xe2\x80\xae", 0, "part-2.pdf",
	    "a name of bidi controls only is no name");
	ok("a\xc2\x9b" "31m.txt", 0, "a_31m.txt", "a C1 control (CSI) is _");
	ok("-rf", 0, "_rf", "a leading - becomes _");
	ok("-", 0, "_", "a lone - becomes _");
	ok("a-b.txt", 0, "a-b.txt", "a - inside is kept");
	ok("   ", 0, "part-2.pdf", "only spaces: part-SECTION.EXT");
	ok("  a b ", 0, "  a b ", "spaces around text are kept");
	ok("\xe4\xbc\x9a\xe8\xad\xb0.pdf", 1, "\xe4\xbc\x9a\xe8\xad\xb0-1.pdf",
	    "UTF-8 kept, variant 1");
	memset(longname, 'x', 590);
	memcpy(longname + 590, ".pdf", 5);
	safename(longname, "1", "", 12345, out);
	t_int((long long)strlen(out), SAFENAME_MAX, "a long name is cut to 255");
	t_ok(strcmp(out + SAFENAME_MAX - 10, "-12345.pdf") == 0,
	    "a long name keeps its suffix and extension");
	return t_done();
}
