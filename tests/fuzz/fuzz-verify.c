/*
 * libFuzzer target for verify: every text trace the reader accepts is run
 * on real numbers to a result or to one explained error, whatever its
 * regions, sizes and dependencies say.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-input.h"
#include "trace-text.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_result res;
	struct trace_reader *r;
	struct errbuf e;
	FILE *f;
	int rc;

	if ((f = fuzz_input(data, size)) == NULL)
		return 0;
	if (text_reader_open_stream(f, "fuzz", true, &r, &e) != 0)
		return 0;
	/*
	 * Each input quick: verify's own work limit, set low, refuses the rest
	 * (and that refusal is exercised too).
	 */
	e.msg[0] = '\0';
	rc = verify_reader(r, "fuzz", &(struct verify_opts){ .seed = 1, .orders = 2, .threads = 1,
	    .max_work = 1u << 24 }, &res, &e);
	if (rc != 0 && strncmp(e.msg, "fuzz", 4) != 0)
		__builtin_trap();	/* every failure names the trace and says why */
	r->ops->close(r);
	return 0;
}
