/*
 * util: see util.h.  Kept deliberately small; anything that knows about
 * mail lives in its own module.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "yubin";

void
setprogname(const char *argv0)
{
	const char *s;

	/*
	 * Every program writes files or stdout: a file size limit must
	 * fail the write (EFBIG, a clear error, the partial file removed),
	 * not kill the process half-way with SIGXFSZ.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argv0 == NULL || *argv0 == '\0')
		return;
	s = strrchr(argv0, '/');
	progname = s ? s + 1 : argv0;
}

static void __attribute__((format(printf, 1, 0)))
vmsg(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", errtext(saved));
	fputc('\n', stderr);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
warn_badopt(const char *optstring)
{
	const char *o = strchr(optstring, optopt);

	if (optopt != '?' && o != NULL && o[1] == ':')
		warn("option -%c needs an argument", optopt);
	else if (optopt != '?')
		warn("unknown option -%c", optopt);
}

void
version(void)
{
	printf("%s (yubin) %s\n", progname, YUBIN_VERSION);
	out_close();
	exit(0);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die(EX_TEMPFAIL, "out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		die(EX_TEMPFAIL, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die(EX_TEMPFAIL, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t need;

	if (n > b->max || b->len > b->max - n)
		return -1;
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < need)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return buf_add(b, small, (size_t)n);
	{
		char *big = xmalloc((size_t)n + 1);
		int r;

		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		r = buf_add(b, big, (size_t)n);
		free(big);
		return r;
	}
}

int
strcaseeqn(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		if (b[i] == '\0' || tolower((unsigned char)a[i]) !=
		    tolower((unsigned char)b[i]))
			return 0;
	}
	return b[i] == '\0';
}

const char *
memcasemem(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t i, j;

	if (nn == 0)
		return h;
	for (i = 0; i + nn <= hn; i++) {
		for (j = 0; j < nn; j++)
			if (tolower((unsigned char)h[i + j]) !=
			    tolower((unsigned char)n[j]))
				break;
		if (j == nn)
			return h + i;
	}
	return NULL;
}

int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {           /* no progress: do not spin on it */
			errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

void
out(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n)
		die(EX_IOERR, "stdout:");
}

void
outs(const char *s)
{
	out(s, strlen(s));
}

void
outc(int c)
{
	if (putchar(c) == EOF)
		die(EX_IOERR, "stdout:");
}

void
out_close(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EX_IOERR, "stdout:");
	if (fclose(stdout) == EOF)
		die(EX_IOERR, "stdout:");
}

const char *
errtext(int err)
{
	/* only where musl's words differ from glibc's; the rest are alike */
	static const struct {
		int err;
		const char *text;
	} t[] = {
		{EIO, "Input/output error"},
		{ECHILD, "No child processes"},
		{ENOMEM, "Cannot allocate memory"},
		{EBUSY, "Device or resource busy"},
		{EXDEV, "Invalid cross-device link"},
		{EMFILE, "Too many open files"},
		{ENOTTY, "Inappropriate ioctl for device"},
		{ESPIPE, "Illegal seek"},
		{EDOM, "Numerical argument out of domain"},
		{ERANGE, "Numerical result out of range"},
		{EDEADLK, "Resource deadlock avoided"},
		{ENAMETOOLONG, "File name too long"},
		{ELOOP, "Too many levels of symbolic links"},
		{EOVERFLOW, "Value too large for defined data type"},
		{EILSEQ, "Invalid or incomplete multibyte or wide character"},
		{EOPNOTSUPP, "Operation not supported"},
#ifdef EDQUOT
		{EDQUOT, "Disk quota exceeded"},
#endif
		{ETIMEDOUT, "Connection timed out"},
		{EINPROGRESS, "Operation now in progress"},
		{ECONNABORTED, "Software caused connection abort"},
		{ENETUNREACH, "Network is unreachable"},
		{EHOSTUNREACH, "No route to host"},
		{EADDRINUSE, "Address already in use"},
		{EADDRNOTAVAIL, "Cannot assign requested address"},
		{EISCONN, "Transport endpoint is already connected"},
		{ENOTCONN, "Transport endpoint is not connected"},
		{EMSGSIZE, "Message too long"},
		{ENOTSOCK, "Socket operation on non-socket"},
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].err == err)
			return t[i].text;
	return strerror(err);
}

int
errno_exit(int err)
{
	switch (err) {
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
	case EFBIG:
	case EIO:
	case EAGAIN:
	case EINTR:
	case ENOMEM:
	case ENFILE:
	case EMFILE:
	case ETIMEDOUT:
		return EX_TEMPFAIL;
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case EEXIST:
	case ELOOP:
	case ENAMETOOLONG:
		return EX_CANTCREAT;
	default:
		return EX_IOERR;
	}
}

/* DESIGN.md's order, worst first: a permanent failure beats a temporary
 * one, since a retry would not mend it.  A code not listed (71, 72: the
 * system failed us) ranks with 70, internal, just after it. */
static int
ex_rank(int c)
{
	static const int order[] = { EX_USAGE, EX_CONFIG, EX_SOFTWARE,
	    EX_NOPERM, EX_UNAVAILABLE, EX_NOUSER, EX_NOHOST, EX_DATAERR,
	    EX_NOINPUT, EX_CANTCREAT, EX_IOERR, EX_PROTOCOL, EX_TEMPFAIL, 1,
	    0 };
	int i;

	for (i = 0; i < (int)(sizeof order / sizeof *order); i++)
		if (order[i] == c)
			return 2 * i;
	return 2 * 2 + 1;
}

int
ex_worse(int a, int b)
{
	return ex_rank(b) < ex_rank(a) ? b : a;
}
