/* npu: the parameterized edge NPU that schedules are planned and replayed on. */
#ifndef MASTRACE_NPU_H
#define MASTRACE_NPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"

#define NPU_NAME_MAX 64
/* "description = " and the text fit the INI line limit (198 characters) */
#define NPU_DESC_MAX 185

enum npu_mac_kind {
	NPU_MAC_CUBE,		/* m x k x n MACs per cycle, operands from L0A/L0B */
	NPU_MAC_SYSTOLIC,	/* k x n weight-stationary array, one row of A per cycle */
};

/*
 * Every quantity carries its unit in its name.  Capacities are bytes here
 * and KiB in INI files; bandwidths of on-chip ports are bytes per core
 * cycle; DRAM bandwidth is GB/s (10^9 bytes per second) because that is
 * how memory parts are sold.  A zero L0 size means the NPU has no such
 * buffer and the MAC unit reads its operands from L1.
 */
struct npu {
	char name[NPU_NAME_MAX];
	char description[NPU_DESC_MAX];
	uint32_t clock_mhz;
	struct {
		enum npu_mac_kind kind;
		uint32_t m, k, n;
		uint32_t pipeline_cycles;
	} mac;
	struct {
		uint32_t lanes;
		uint32_t pipeline_cycles;
		/* cycles to process one vector of `lanes` elements */
		uint32_t max_cycles, add_cycles, mul_cycles, exp_cycles, div_cycles;
	} vec;
	struct {
		uint64_t capacity_bytes;
		uint32_t banks;
		uint32_t read_bytes_per_cycle, write_bytes_per_cycle;
	} l1;
	struct {
		uint64_t a_bytes, b_bytes, c_bytes;
		uint32_t load_bytes_per_cycle;
	} l0;
	struct {
		double bandwidth_gbs;
		uint32_t latency_ns;
		uint32_t burst_bytes;
	} dram;
	struct {
		uint32_t channels;
	} dma;
	struct {
		double mac_pj, vec_op_pj, l0_byte_pj, l1_byte_pj, dram_byte_pj;
		double static_mw;
	} energy;
};

/* A compiled-in NPU with the provenance of its numbers. */
struct npu_preset {
	const char *name;
	const char *summary;	/* one line for `npu list` */
	const char *sources;	/* where the numbers come from; which are assumed */
	struct npu npu;
};

/* The compiled-in presets, in the order `npu list` shows; NULL past the end or for no such name. */
size_t npu_preset_count(void);
const struct npu_preset *npu_preset_at(size_t i);
const struct npu_preset *npu_preset_find(const char *name);
#define NPU_DEFAULT_PRESET "edge"

/* Load and fully validate an INI description; errors say FILE:LINE: ... */
int npu_load_file(const char *path, struct npu *out, struct errbuf *e);
/* The same from an open stream; `fname` is only used in messages. */
int npu_load_stream(FILE *f, const char *fname, struct npu *out, struct errbuf *e);

/*
 * What every --npu option takes: a preset name, or else a file path.
 * Preset names contain no '/' or '.', so "./edge" always means a file.
 */
int npu_resolve(const char *arg, struct npu *out, struct errbuf *e);

/*
 * Building an NPU key by key, for readers of formats that carry an NPU as
 * "section.key = value" pairs (INI files, trace headers).  `line` is where
 * the key was found, for messages; it must be positive.
 */
#define NPU_MAX_KEYS 48
struct npu_builder {
	struct npu npu;
	unsigned key_line[NPU_MAX_KEYS];
	unsigned first_line;
	bool based;
};
void npu_builder_init(struct npu_builder *b);
/* Returns 0, or -1 with the reason, without a location, in why. */
int npu_builder_set(struct npu_builder *b, const char *section, const char *key,
    const char *value, unsigned line, char *why, size_t len);
/* Missing keys and cross-key rules; messages start with `where`. */
int npu_builder_finish(const struct npu_builder *b, const char *where, struct npu *out,
    struct errbuf *e);

/* Every key of n as its section, name and formatted value, in file order. */
size_t npu_key_count(void);
void npu_key_get(const struct npu *n, size_t i, const char **section, const char **name,
    char *value, size_t len);

/* Check every parameter's range and the cross-parameter rules. */
int npu_validate(const struct npu *n, struct errbuf *e);

/* Write a complete INI description that npu_load_file() accepts back. */
int npu_write_ini(FILE *f, const struct npu *n, const char *sources);

/* "cube" or "systolic", as the INI file spells it. */
const char *npu_mac_kind_name(enum npu_mac_kind kind);
/* "16x16x16 cube, L1 256 KiB, DRAM 25.6 GB/s, 1000 MHz" */
void npu_summary(const struct npu *n, char *buf, size_t len);
uint64_t npu_macs_per_cycle(const struct npu *n);
double npu_dram_bytes_per_cycle(const struct npu *n);
bool npu_has_l0(const struct npu *n);

#endif
