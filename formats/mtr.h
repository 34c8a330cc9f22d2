/* mtr: the native binary trace format (see mastrace-trace(5)). */
#ifndef MASTRACE_MTR_H
#define MASTRACE_MTR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "isa.h"

/* Start a .mtr file; it appears under `path` only when close() succeeds. */
int mtr_writer_open(const char *path, const struct trace_header *h,
    struct trace_writer **out, struct errbuf *e);

/* Open a .mtr file, its header and index checked; instructions come one by one. */
int mtr_reader_open(const char *path, struct trace_reader **out, struct errbuf *e);
/* Read from an open stream (a pipe works; seeking needs a file); name is for messages. */
int mtr_reader_open_stream(FILE *f, const char *name, bool close_f,
    struct trace_reader **out, struct errbuf *e);

/*
 * The same without checking checksums: a damaged file is decoded as far as
 * its structure allows (every field is still range-checked), which lets a
 * fuzzer reach the decoder behind the checksums.
 */
int mtr_reader_open_unchecked(FILE *f, const char *name, bool close_f,
    struct trace_reader **out, struct errbuf *e);

/* Position so the next instruction returned is number `index`, via the index. */
int mtr_reader_seek(struct trace_reader *r, uint64_t index, struct errbuf *e);

struct mtr_stats {
	unsigned major, minor;		/* format version of the file */
	uint64_t blocks;		/* blocks read so far */
	uint64_t raw_bytes;		/* record bytes after inflating */
};
void mtr_reader_stats(const struct trace_reader *r, struct mtr_stats *s);

/* Inflate every block of a file without decoding records (the benchmark's baseline). */
int mtr_inflate_only(const char *path, uint64_t *raw_bytes, struct errbuf *e);

#endif
