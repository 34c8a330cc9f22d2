/* bounds: the roofline of a workload on an NPU. */
#include "config.h"

#include <math.h>

#include "bounds.h"

void
bounds_ideal(const struct workload *w, const struct npu *n, struct bounds *b)
{
	b->macs = wl_macs_qk(w) + wl_macs_pv(w);
	b->bytes = wl_compulsory_bytes(w);
	b->mac_cycles = ceil((double)b->macs / (double)npu_macs_per_cycle(n));
	b->dram_cycles = ceil((double)b->bytes / npu_dram_bytes_per_cycle(n));
	b->intensity = b->bytes ? (double)b->macs / (double)b->bytes : 0.0;
	b->balance = (double)npu_macs_per_cycle(n) / npu_dram_bytes_per_cycle(n);
	b->mac_bound = b->mac_cycles >= b->dram_cycles;
}
