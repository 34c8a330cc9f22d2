/* libFuzzer target for the trace readers: -DFUZZ_MTR for .mtr, else text. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-input.h"
#include "mtr.h"
#include "trace-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	struct errbuf e;
	char why[512];
	FILE *f;
	int rc;

	if ((f = fuzz_input(data, size)) == NULL)
		return 0;
	e.msg[0] = '\0';
#ifdef FUZZ_MTR
	rc = mtr_reader_open_stream(f, "fuzz", true, &r, &e);
#else
	rc = text_reader_open_stream(f, "fuzz", true, &r, &e);
#endif
	if (rc != 0) {
		if (strncmp(e.msg, "fuzz", 4) != 0)
			__builtin_trap();	/* every message names the file */
		return 0;
	}
	while ((rc = r->ops->next(r, &in, &e)) == 1)
		if (isa_check(in, why, sizeof why) != 0)
			__builtin_trap();	/* readers return only valid instructions */
	if (rc < 0 && strncmp(e.msg, "fuzz", 4) != 0)
		__builtin_trap();
	r->ops->close(r);
	return 0;
}
