/* summary: counts, spans, busy cycles and MAC-VEC overlap of a trace. */
#include "config.h"

#include <string.h>

#include "cost.h"
#include "num.h"
#include "overlap.h"
#include "stats.h"
#include "summary.h"

int
summary_read(struct summary *s, struct trace_reader *r, const char *name, struct errbuf *e)
{
	const struct isa_instr *in;
	struct overlap ov, rov;
	struct cost_memo memo;
	uint64_t stretch;
	int rc, bad;

	memset(s, 0, sizeof *s);
	cost_memo_init(&memo, &r->hdr.npu);
	s->plan_lo = s->rep_lo = UINT64_MAX;
	overlap_init(&ov);
	overlap_init(&rov);
	while ((rc = trace_next(r, &in, e)) == 1) {
		uint64_t d = in->plan_end - in->plan_start;
		if (in->unit == ISA_UNIT_MAC || in->unit == ISA_UNIT_VEC) {
			overlap_add(&ov, in->unit == ISA_UNIT_VEC, in->plan_start, in->plan_end);
			if (in->replayed)
				overlap_add(&rov, in->unit == ISA_UNIT_VEC, in->rep_start, in->rep_end);
		}
		s->instructions++;
		s->unit[in->unit].count++;
		num_add_sat(&s->unit[in->unit].busy, d);
		s->op[in->op].count++;
		num_add_sat(&s->op[in->op].busy, d);
		if (in->plan_start < s->plan_lo)
			s->plan_lo = in->plan_start;
		if (in->plan_end > s->plan_hi)
			s->plan_hi = in->plan_end;
		if (in->replayed) {
			s->replayed++;
			stretch = stats_stretch(in, cost_memo_instr(&memo, in));
			num_add_sat(&s->unit[in->unit].rep_busy, in->rep_end - in->rep_start - stretch);
			num_add_sat(&s->op[in->op].rep_busy, in->rep_end - in->rep_start - stretch);
			num_add_sat(&s->unit[in->unit].rep_slowed, stretch);
			num_add_sat(&s->op[in->op].rep_slowed, stretch);
			if (in->rep_start < s->rep_lo)
				s->rep_lo = in->rep_start;
			if (in->rep_end > s->rep_hi)
				s->rep_hi = in->rep_end;
		}
	}
	/* both free their queues */
	bad = overlap_finish(&ov, &s->overlap) != 0;
	bad |= overlap_finish(&rov, &s->rep_overlap) != 0;
	if (rc < 0)
		return -1;
	if (bad)
		return errbuf_set(e, "%s: MAC or VEC instructions overlap each other in time or "
		    "run out of order, expected each unit to run one at a time", name);
	return 0;
}
