/* fuzz-input: a fuzzer's bytes as a stream, for the readers that take one. */
#ifndef MASTRACE_FUZZ_INPUT_H
#define MASTRACE_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* NULL for an empty input, which fmemopen() refuses, or if it fails. */
static inline FILE *
fuzz_input(const uint8_t *data, size_t size)
{
	return size > 0 ? fmemopen((void *)data, size, "rb") : NULL;
}

#endif
