/*
 * util: the error idiom, allocation, capped growable buffers, careful I/O.
 *
 * die() and warn() print "PROG: message" on stderr; a format that ends in
 * ':' gets ": " and errtext(errno) appended.  die() exits with a sysexits code.
 * Allocation failures die with EX_TEMPFAIL: running out of memory is a
 * condition the caller (an MTA, cron) should retry, not a bounce.
 */
#ifndef YUBIN_UTIL_H
#define YUBIN_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sysexits.h>

#define YUBIN_VERSION "0.1.0"

extern const char *progname;

/*
 * The first call of every program: names it for messages, and ignores
 * SIGXFSZ so that a file size limit fails a write instead of killing.
 */
void setprogname(const char *argv0);
void die(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * After getopt(3) returned '?' with opterr = 0: warn about optopt, naming
 * progname rather than argv[0] as getopt's own messages would.  The
 * caller then prints its usage.
 */
void warn_badopt(const char *optstring);
/* Print "NAME (yubin) VERSION" and exit 0. */
void version(void) __attribute__((noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * A growable byte buffer with a hard cap.  p is always NUL-terminated
 * (the NUL is not counted in len), so it can be handed to functions that
 * want a C string when the content has no NUL bytes.  The buffer owns p.
 */
struct buf {
	char *p;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Append; return 0, or -1 (nothing appended) if the cap would be passed. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addc(struct buf *b, int c);
int buf_adds(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Case-insensitive ASCII comparison of (a, alen) with the C string b. */
int strcaseeqn(const char *a, size_t alen, const char *b);
/* Bounded memmem-like search, ASCII case-insensitive. */
const char *memcasemem(const char *h, size_t hn, const char *n, size_t nn);

/* write(2) until done; -1 on error with errno set. */
int write_all(int fd, const void *p, size_t n);
/* fwrite to stdout, dying with EX_IOERR on failure. */
void out(const void *p, size_t n);
void outs(const char *s);
void outc(int c);
/* Flush and close stdout; die with EX_IOERR if anything was lost. */
void out_close(void);

/*
 * The text of an errno value, in the same words in every program
 * whichever C library it is linked with: glibc's, which Linux users
 * know (maildeliver may be linked with musl, whose texts differ, e.g.
 * "No file descriptors available" for EMFILE).  Use it, not strerror().
 */
const char *errtext(int err);

/* Map an errno from writing to a mailbox to a sysexits code:
 * ENOSPC, EDQUOT, EFBIG, EIO from fsync and the like are temporary (75). */
int errno_exit(int err);

/* The worse of two exit statuses, in DESIGN.md's order (worst first):
 * 64 78 70 77 69 67 68 65 66 73 74 76 75 1 0; any other code (71, 72)
 * just after 70. */
int ex_worse(int a, int b);

#endif
