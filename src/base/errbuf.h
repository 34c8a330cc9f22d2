/* errbuf: the one place a failing library call leaves its explanation. */
#ifndef MASTRACE_ERRBUF_H
#define MASTRACE_ERRBUF_H

#include <stddef.h>

#define ERRBUF_SIZE 1024

/*
 * Library functions that can fail take a struct errbuf * and return -1 after
 * filling it.  The message is one line without a trailing newline, already
 * carrying its context (file, line or offset, field, value, what was
 * expected), so the caller prints it as is.
 */
struct errbuf {
	char msg[ERRBUF_SIZE];
};

/* Set the message; always returns -1 so callers can `return errbuf_set(...)`. */
int errbuf_set(struct errbuf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Put "prefix: " in front of the message already there; returns -1. */
int errbuf_prefix(struct errbuf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
