/* zout: a buffered output file, gzip-compressed when asked, that appears only when complete. */
#ifndef MASTRACE_ZOUT_H
#define MASTRACE_ZOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

struct zout;

/*
 * Open `path` ("-" for standard output) through outfile, compressing with
 * gzip when `gzip` is set.  Writes are buffered; the first failure is kept
 * and reported by zout_close().
 */
struct zout *zout_open(const char *path, bool gzip, struct errbuf *e);
void zout_write_slow(struct zout *z, const void *p, size_t n);
/* The buffer's state, public so that small writes are a copy, not a call. */
struct zout_buf {
	unsigned char *buf;
	size_t len, cap;
	unsigned long long bytes;
};

static inline void
zout_write(struct zout *z, const void *p, size_t n)
{
	struct zout_buf *b = (struct zout_buf *)z;	/* the first member of struct zout */

	if (b->cap - b->len > n) {
		__builtin_memcpy(b->buf + b->len, p, n);
		b->len += n;
		b->bytes += n;
		return;
	}
	zout_write_slow(z, p, n);
}
/* Formatted output, into the same stream. */
void zout_printf(struct zout *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A string, without its terminator. */
static inline void
zout_puts(struct zout *z, const char *s)
{
	zout_write(z, s, __builtin_strlen(s));
}
/* v in decimal. */
void zout_u64(struct zout *z, uint64_t v);
/* -1 with the reason once a write has failed (what follows is dropped), else 0. */
int zout_check(const struct zout *z, struct errbuf *e);
/* Bytes given to zout_write() so far (before compression). */
unsigned long long zout_bytes(const struct zout *z);
/* Flush, finish the gzip stream and commit the file; 0 or -1 with the reason.  Frees z. */
int zout_close(struct zout *z, struct errbuf *e);
/* Discard: nothing is left under the name.  Frees z; NULL is fine. */
void zout_abort(struct zout *z);

#endif
