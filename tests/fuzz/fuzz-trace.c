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
	/*
	 * Checksums stop almost every mutation at the first block: the last
	 * byte's top bit turns them off, so the decoder behind them is fuzzed
	 * too (half the inputs; the checked path keeps the other half).
	 */
	if (data[size - 1] & 0x80)
		rc = mtr_reader_open_unchecked(f, "fuzz", true, &r, &e);
	else
		rc = mtr_reader_open_stream(f, "fuzz", true, &r, &e);
#else
	rc = text_reader_open_stream(f, "fuzz", true, &r, &e);
#endif
	if (rc != 0) {
		if (strncmp(e.msg, "fuzz", 4) != 0)
			__builtin_trap();	/* every message names the file */
		return 0;
	}
#ifdef FUZZ_MTR
	/*
	 * A viewer jumps before reading anything: seek by time or by number to
	 * what the input's last bytes say, through an index nothing has checked.
	 */
	if (size >= 9) {
		uint64_t to = 0, total;
		unsigned i;
		for (i = 0; i < 8; i++)
			to = to << 8 | data[size - 9 + i];
		rc = data[size - 1] & 1 ? trace_seek_time(r, to, &e) :
		    trace_seek(r, to % 200000, &e);
		if (rc != 0 && strncmp(e.msg, "fuzz", 4) != 0)
			__builtin_trap();
		if (rc == 0 && trace_total(r, &total, &e) != 0 && strncmp(e.msg, "fuzz", 4) != 0)
			__builtin_trap();
		if (rc != 0) {
			r->ops->close(r);
			return 0;
		}
	}
#endif
	while ((rc = r->ops->next(r, &in, &e)) == 1)
		if (isa_check(in, why, sizeof why) != 0)
			__builtin_trap();	/* readers return only valid instructions */
	if (rc < 0 && strncmp(e.msg, "fuzz", 4) != 0)
		__builtin_trap();
	r->ops->close(r);
	return 0;
}
