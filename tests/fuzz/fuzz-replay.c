/*
 * libFuzzer target for the replay: every text trace the reader accepts
 * replays to a result or to one explained error.  L1 is cut to 4 KiB and the
 * look-ahead to 8 instructions so that evictions are common, and the replay
 * is built with its self-check: its index of next uses must agree with a
 * scan of the window.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz-input.h"
#include "replay.h"
#include "stats.h"
#include "trace-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern unsigned long replay_self_check_failures;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader *r;
	struct replay_opts o;
	struct stats st;
	struct errbuf e;
	struct npu n;
	FILE *f;
	int rc;

	if ((f = fuzz_input(data, size)) == NULL)
		return 0;
	if (text_reader_open_stream(f, "fuzz", true, &r, &e) != 0)
		return 0;
	n = r->hdr.npu;
	n.l1.capacity_bytes = 4096;
	replay_opts_default(&o);
	o.window = 8;
	if (stats_init(&st, &n) != 0) {
		r->ops->close(r);
		return 0;
	}
	e.msg[0] = '\0';
	replay_self_check_failures = 0;
	rc = replay_run(r, "fuzz", &n, &o, NULL, &st, &e);
	if (rc != 0 && e.msg[0] == '\0')
		__builtin_trap();	/* every failure says why */
	if (replay_self_check_failures != 0)
		__builtin_trap();	/* the use index disagreed with the window */
	if (rc == 0) {
		struct stats_bound b;
		stats_finish(&st, &e);
		stats_bound(&st, &b);
		/* the bound is what no replay can beat: this one included */
		if (b.cycles > st.makespan)
			__builtin_trap();
	}
	stats_free(&st);
	r->ops->close(r);
	return 0;
}
