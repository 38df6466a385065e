/*
 * pop3c_test: unit tests of common/pop3c.c's pure parts: the state
 * names --trace shows, the bytes each command's reply is expected to
 * hold, the window (bounded by bytes and by commands, closed without
 * PIPELINING), and the queue after a stop (only DELEs still go out).
 */
#include <stdio.h>
#include <string.h>

#include "pop3c.h"
#include "t.h"

static void
test_names(void)
{
	const char *want[] = { "GREETING", "CAPA", "STLS", "AUTH",
	    "TRANSACTION", "UPDATE", "CLOSED" };
	int i, ok = 1;

	for (i = 0; i < POP3C_NSTATES; i++)
		ok &= strcmp(pop3c_state_name((enum pop3c_state)i), want[i]) ==
		    0;
	t_ok(ok, "the state names, in order");
	t_str(pop3c_state_name(POP3C_NSTATES), 1, "?", "past the end: ?");
}

static void
test_window(void)
{
	static struct pop3_client c;

	t_int((long long)pop3c_expect(POP3C_RETR, 1000), 1064,
	    "RETR: the message and its status line");
	t_int((long long)pop3c_expect(POP3C_TOP, 100000), 8256,
	    "TOP: the header, at most 8 KiB counted");
	t_int((long long)pop3c_expect(POP3C_TOP, 100), 164,
	    "TOP: a small one");
	t_int((long long)pop3c_expect(POP3C_DELE, 1 << 30), 32,
	    "DELE: a status line, whatever the size");
	memset(&c, 0, sizeof c);
	t_int(pop3c_room(&c, 1ULL << 40), 1,
	    "nothing in flight: any command may go");
	c.count = 1;
	c.inflight = 10;
	t_int(pop3c_room(&c, 32), 0, "without PIPELINING: one at a time");
	c.capa = POP3_CAPA_PIPELINING;
	t_int(pop3c_room(&c, POP3C_WINDOW - 10), 1,
	    "PIPELINING: up to the window's bytes");
	t_int(pop3c_room(&c, POP3C_WINDOW - 9), 0, "not one byte more");
	c.count = POP3C_QMAX;
	t_int(pop3c_room(&c, 0), 0, "nor more commands than the queue holds");
}

static void
push(struct pop3_client *c, enum pop3c_kind k, unsigned long num, size_t id)
{
	struct pop3c_msg m;

	memset(&m, 0, sizeof m);
	m.num = num;
	m.size = 10;
	pop3c_push(c, k, &m, id);
}

static void
test_stop(void)
{
	static struct pop3_client c;
	char got[64];
	size_t i, n = 0;

	memset(&c, 0, sizeof c);
	push(&c, POP3C_RETR, 1, 0);
	push(&c, POP3C_DELE, 7, 6);
	push(&c, POP3C_TOP, 2, 1);
	push(&c, POP3C_RETR, 3, 2);
	push(&c, POP3C_DELE, 4, 3);
	for (i = 0; i < 70; i++)	/* the queue grows */
		push(&c, POP3C_RETR, 100 + i, 100 + i);
	t_int((long long)c.ntodo, 75, "75 commands queued");
	c.itodo = 1;			/* the first one was sent */
	pop3c_stop(&c);
	for (i = c.itodo; i < c.ntodo && n + 8 < sizeof got; i++)
		n += (size_t)snprintf(got + n, sizeof got - n, "%d:%lu ",
		    (int)c.todo[i].kind, c.todo[i].num);
	t_str(got, n, "3:7 3:4 ", "after a stop only the DELEs are left");
	t_int(c.stop, 1, "stopped");
	t_int((long long)c.todo[c.itodo].expect, 32, "a DELE's expect kept");
	pop3c_free(&c);
	t_ok(c.todo == NULL && c.ntodo == 0, "freed");
}

int
main(void)
{
	test_names();
	test_window();
	test_stop();
	return t_done();
}
