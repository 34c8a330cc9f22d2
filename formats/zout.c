/* zout: buffered, optionally gzip-compressed output through outfile. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "num.h"
#include "outfile.h"
#include "zout.h"

#define ZOUT_BUF (256u * 1024)

struct zout {
	struct zout_buf b;		/* first: zout_write() in zout.h reaches it */
	struct outfile out;
	const char *name;		/* for messages */
	bool gzip, failed;
	z_stream zs;
	struct errbuf err;		/* the first failure */
	unsigned char data[ZOUT_BUF];
	unsigned char zbuf[ZOUT_BUF];
};

static void
fail(struct zout *z, const char *what)
{
	if (!z->failed)
		errbuf_set(&z->err, "%s: %s", z->name, what);
	z->failed = true;
}

/* Hand the buffer to the file, through deflate when compressing. */
static void
drain(struct zout *z, bool finish)
{
	if (z->failed) {
		z->b.len = 0;	/* the output is lost already: drop what comes */
		return;
	}
	if (!z->gzip) {
		if (z->b.len > 0 && fwrite(z->b.buf, 1, z->b.len, z->out.f) != z->b.len)
			fail(z, strerror(errno));
		z->b.len = 0;
		return;
	}
	z->zs.next_in = z->b.buf;
	z->zs.avail_in = (uInt)z->b.len;
	for (;;) {
		int rc;
		size_t have;

		z->zs.next_out = z->zbuf;
		z->zs.avail_out = ZOUT_BUF;
		rc = deflate(&z->zs, finish ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR) {
			fail(z, "gzip compression failed");
			break;
		}
		have = ZOUT_BUF - z->zs.avail_out;
		if (have > 0 && fwrite(z->zbuf, 1, have, z->out.f) != have) {
			fail(z, strerror(errno));
			break;
		}
		if (finish ? rc == Z_STREAM_END : z->zs.avail_in == 0)
			break;
	}
	z->b.len = 0;
}

struct zout *
zout_open(const char *path, bool gzip, struct errbuf *e)
{
	struct zout *z = calloc(1, sizeof *z);

	if (z == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	z->b.buf = z->data;
	z->b.cap = ZOUT_BUF;
	z->name = strcmp(path, "-") == 0 ? "standard output" : path;
	z->gzip = gzip;
	/* level 1: gzip at the speed of the exporters; traces compress well even so */
	if (gzip && deflateInit2(&z->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		errbuf_set(e, "out of memory");
		return NULL;
	}
	if (outfile_open(&z->out, path, e) != 0) {
		if (gzip)
			deflateEnd(&z->zs);
		free(z);
		return NULL;
	}
	return z;
}

void
zout_write_slow(struct zout *z, const void *p, size_t n)
{
	const unsigned char *s = p;

	z->b.bytes += n;
	while (n > 0) {
		size_t room = ZOUT_BUF - z->b.len, k = n < room ? n : room;
		memcpy(z->b.buf + z->b.len, s, k);
		z->b.len += k;
		s += k;
		n -= k;
		if (z->b.len == ZOUT_BUF)
			drain(z, false);
	}
}

void
zout_printf(struct zout *z, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(z, "cannot format output");
		return;
	}
	if ((size_t)n < sizeof line) {
		zout_write(z, line, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);
		if (big == NULL) {
			fail(z, "out of memory");
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		zout_write(z, big, (size_t)n);
		free(big);
	}
}

void
zout_u64(struct zout *z, uint64_t v)
{
	char d[20];

	if (ZOUT_BUF - z->b.len >= sizeof d) {	/* the common case: straight into the buffer */
		char *end = num_u64_digits((char *)z->b.buf + z->b.len, v);
		size_t n = (size_t)(end - (char *)z->b.buf) - z->b.len;
		z->b.len += n;
		z->b.bytes += n;
		return;
	}
	zout_write(z, d, (size_t)(num_u64_digits(d, v) - d));
}

int
zout_check(const struct zout *z, struct errbuf *e)
{
	if (!z->failed)
		return 0;
	*e = z->err;
	return -1;
}

unsigned long long
zout_bytes(const struct zout *z)
{
	return z->b.bytes;
}

int
zout_close(struct zout *z, struct errbuf *e)
{
	int rc;

	drain(z, true);
	if (z->gzip)
		deflateEnd(&z->zs);
	if (z->failed) {
		*e = z->err;
		outfile_abort(&z->out);
		free(z);
		return -1;
	}
	rc = outfile_commit(&z->out, e);
	free(z);
	return rc;
}

void
zout_abort(struct zout *z)
{
	if (z == NULL)
		return;
	if (z->gzip)
		deflateEnd(&z->zs);
	outfile_abort(&z->out);
	free(z);
}
