/* bounds: what no schedule of a workload can beat on an NPU. */
#ifndef MASTRACE_BOUNDS_H
#define MASTRACE_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

#include "npu.h"
#include "workload.h"

struct bounds {
	uint64_t macs;			/* QK^T and PV */
	uint64_t bytes;			/* compulsory DRAM traffic: Q, K, V once, O once */
	double mac_cycles;		/* every MAC at the array's peak */
	double dram_cycles;		/* the compulsory bytes at DRAM's peak */
	double intensity;		/* MACs per compulsory byte */
	double balance;			/* the NPU's MACs per DRAM byte */
	bool mac_bound;			/* the MAC bound is the larger */
};

/*
 * The roofline of w on n: its MACs at the array's peak and its compulsory
 * bytes at DRAM's peak, and which of the two is larger.
 */
void bounds_ideal(const struct workload *w, const struct npu *n, struct bounds *b);

#endif
