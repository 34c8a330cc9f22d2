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
	const struct workload *w;
	struct verify_result res;
	struct trace_reader *r;
	struct errbuf e;
	FILE *f;
	int rc;

	if ((f = fuzz_input(data, size)) == NULL)
		return 0;
	if (text_reader_open_stream(f, "fuzz", true, &r, &e) != 0)
		return 0;
	/* the reference attention costs the workload's MACs: keep each input quick */
	w = &r->hdr.wl;
	if ((uint64_t)w->batch * w->heads * w->q_len * w->k_len * (w->d_qk + w->d_v) > (1u << 22)) {
		r->ops->close(r);
		return 0;
	}
	e.msg[0] = '\0';
	rc = verify_reader(r, "fuzz", &(struct verify_opts){ .seed = 1, .orders = 2, .threads = 1 },
	    &res, &e);
	if (rc != 0 && strncmp(e.msg, "fuzz", 4) != 0)
		__builtin_trap();	/* every failure names the trace and says why */
	r->ops->close(r);
	return 0;
}
