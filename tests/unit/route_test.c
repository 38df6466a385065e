/*
 * route_test: unit tests of common/route.c (Received fields).
 */
#include <string.h>

#include "date.h"
#include "route.h"
#include "t.h"

/* in gives FROM, BY, WITH and the time (iso, or "" for none). */
static void
ok(const char *in, const char *from, const char *by, const char *with,
    const char *iso)
{
	struct route_hop h;
	char t[32] = "", d[64];
	size_t i;

	/* the input, on one line and cut short, names the test */
	for (i = 0; in[i] != '\0' && i + 1 < sizeof d; i++)
		d[i] = in[i] == '\r' || in[i] == '\n' || in[i] == '\t' ?
		    ' ' : in[i];
	d[i] = '\0';
	route_received(in, strlen(in), &h);
	if (h.timeok)
		date_iso(h.time, t);
	t_str(h.from ? h.from : "", h.fromlen, from, d);
	t_str(h.by ? h.by : "", h.bylen, by, "  by");
	t_str(h.with ? h.with : "", h.withlen, with, "  with");
	t_int(h.timeok, *iso != '\0', "  a time");
	t_str(t, strlen(t), iso, "  time");
}

int
main(void)
{
	ok("from a.test (b.test [192.0.2.1]) by c.test (Postfix) with ESMTPS"
	    " id X for <u@c.test>; Tue, 1 Apr 2025 10:00:00 +0900",
	    "a.test", "c.test", "ESMTPS", "2025-04-01T01:00:00Z");
	ok("from x\r\n\tby y\r\n\twith SMTP;\r\n\tTue, 1 Apr 2025 10:00:00 JST",
	    "x", "y", "SMTP", "2025-04-01T01:00:00Z");
	ok("by mail.test (Postfix, from userid 1000) id 4AB; "
	    "Tue, 1 Apr 2025 12:00:30 +0000",
	    "", "mail.test", "", "2025-04-01T12:00:30Z");
	ok("FROM a (nested (comment) with x) BY b WITH c", "a", "b", "c", "");
	ok("from [192.0.2.1](helo=x) by b.test; garbage", "[192.0.2.1]",
	    "b.test", "", "");
	ok("from a (unterminated comment by b", "a", "", "", "");
	ok("", "", "", "", "");
	ok("from", "", "", "", "");
	ok(";;;", "", "", "", "");
	ok("from a by b with c (x; y); Tue, 1 Apr 2025 12:00:00 -0000 (UTC)",
	    "a", "b", "c", "2025-04-01T12:00:00Z");
	return t_done();
}
