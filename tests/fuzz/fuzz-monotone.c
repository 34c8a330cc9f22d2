/*
 * libFuzzer target for the replay's first property: more of a resource
 * never makes the same trace more than 1% slower.  The bytes choose a
 * dataflow, an NPU (a preset with its L1 size and ports, DRAM bandwidth,
 * DMA channels and L0 fill rate changed), a workload and a whole tiling;
 * the plan is replayed on that NPU and on it with one resource doubled.
 * test-replay.c checks the same on the presets' default tilings.  Vector
 * lanes are left out, for the reason given there.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eval.h"
#include "schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NEED 32			/* bytes: the choices below, then one per parameter */
#define MAX_INSTR 20000		/* plans past this take too long for a fuzzer */

/* The NPU the bytes describe: a preset with its memory system changed. */
static void
fuzz_npu(const uint8_t *d, struct npu *n)
{
	*n = npu_preset_at(d[0] % npu_preset_count())->npu;
	n->l1.capacity_bytes = (uint64_t)64 * 1024 * (1 + d[1] % 16);
	n->l1.read_bytes_per_cycle = 32u << (d[2] % 5);
	n->l1.write_bytes_per_cycle = 32u << (d[3] % 5);
	n->dram.bandwidth_gbs = 4.0 * (1 + d[4] % 64);
	n->dma.channels = 1 + d[5] % 4;
	if (n->l0.a_bytes > 0)
		n->l0.load_bytes_per_cycle = 64u << (d[6] % 3);
}

/* A whole tiling from one byte per parameter; 0 if it is not one the dataflow takes. */
static int
fuzz_tiling(const struct sched *s, const uint8_t *d, struct tiling *t)
{
	unsigned i;

	for (i = 0; i < s->nparams; i++) {
		const struct sched_tparam *p = &s->params[i];
		int64_t v;
		unsigned nc = 0;
		if (p->choices != NULL) {
			while (p->choices[nc] != NULL)
				nc++;
			v = nc ? d[i] % nc : 0;
		} else {
			v = 8 * (1 + d[i] % 32);	/* tiles of 8 to 256 */
			if (v < p->min)
				v = p->min;
			if (v > p->max)
				v = p->max;
		}
		t->v[i] = v;
		t->set[i] = true;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	const struct sched *s;
	struct workload w;
	struct tiling t = { { 0 }, { false } };
	struct sched_fit f;
	struct errbuf e;
	struct npu n, g;
	char spec[128];
	unsigned q, k, m;
	uint64_t base, grown;

	if (size < NEED + SCHED_MAX_PARAMS)
		return 0;
	s = sched_at(d[7] % sched_count());
	fuzz_npu(d, &n);
	q = 16 + (d[8] | d[9] << 8) % 497;
	k = 16 + (d[10] | d[11] << 8) % 497;
	snprintf(spec, sizeof spec, "b=1,h=%u,q=%u,k=%u,d=%u,causal=%u", 1 + d[12] % 4, q, k,
	    16u << (d[13] % 3), (d[14] & 1) && q <= k);
	if (wl_parse(spec, &w, &e) != 0 || !fuzz_tiling(s, d + NEED, &t) ||
	    s->fit(&n, &w, &t, &f, &e) != 0 || f.l1_bytes > n.l1.capacity_bytes ||
	    sched_min_instructions(s, &w, &t) > MAX_INSTR)
		return 0;
	if ((base = eval_replayed(s, &n, &n, &w, &t, &e)) == UINT64_MAX)
		return 0;
	for (m = 0; m < 5; m++) {
		g = n;
		switch (m) {
		case 0: g.dram.bandwidth_gbs *= 2; break;
		case 1: g.l1.read_bytes_per_cycle *= 2; g.l1.write_bytes_per_cycle *= 2; break;
		case 2: g.l1.capacity_bytes *= 2; break;
		case 3: g.l0.load_bytes_per_cycle *= 2; break;
		default: g.dma.channels *= 2; break;
		}
		grown = eval_replayed(s, &n, &g, &w, &t, &e);
		if (grown == UINT64_MAX || grown > base + base / 100) {
			fprintf(stderr, "%s on %s (%s), change %u: %llu -> %llu cycles\n", s->name,
			    n.name, spec, m, (unsigned long long)base, (unsigned long long)grown);
			__builtin_trap();
		}
	}
	return 0;
}
