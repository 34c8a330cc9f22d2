/*
 * export-sink: what the exporter core hands each output format.  Private
 * to export/export-*.c: the core decides what is shown, when and where;
 * a sink only encodes it.
 */
#ifndef MASTRACE_EXPORT_SINK_H
#define MASTRACE_EXPORT_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "export.h"
#include "isa.h"
#include "zout.h"

/*
 * Tracks: the trace's root, one per unit, the spills and fills, the
 * counters, then the extra lanes of units whose instructions overlap (a
 * hand-made trace may have them; a replay never does).  Perfetto and JSON
 * number them the same way; export_track_rank() gives the display order.
 */
#define EXPORT_LANES 4	/* a unit's own track and three more */
enum {
	EXPORT_TRK_ROOT = 0,
	EXPORT_TRK_UNIT0 = 1,					/* + unit code */
	EXPORT_TRK_SPILLS = EXPORT_TRK_UNIT0 + ISA_NUNITS,
	EXPORT_TRK_L1,						/* counter: bytes */
	EXPORT_TRK_DRAM,					/* counter: GB/s */
	EXPORT_TRK_UTIL0,					/* counter: % busy, + unit code */
	EXPORT_TRK_LANE0 = EXPORT_TRK_UTIL0 + ISA_NUNITS,	/* + unit * 3 + lane - 1 */
	EXPORT_NTRACKS = EXPORT_TRK_LANE0 + ISA_NUNITS * (EXPORT_LANES - 1)
};

static inline bool
export_track_is_counter(unsigned t)
{
	return t >= EXPORT_TRK_L1 && t < EXPORT_TRK_LANE0;
}

/* The track of a unit's lane (0: its own). */
static inline unsigned
export_track_lane(unsigned unit, unsigned lane)
{
	return lane == 0 ? EXPORT_TRK_UNIT0 + unit :
	    EXPORT_TRK_LANE0 + unit * (EXPORT_LANES - 1) + lane - 1;
}

/* Display order: units with their lanes, spills, L1, DRAM, utilisation. */
int export_track_rank(unsigned t);

/* A track's name ("mac", "L1 resident", "dma2 utilisation") into buf. */
const char *export_track_name(unsigned t, char *buf, size_t len);
/* The unit a counter counts in ("bytes", "GB/s", "%"), NULL for slice tracks. */
const char *export_track_unit(unsigned t);

/* Annotation keys: one fixed list, so Perfetto can intern them once. */
enum export_key {
	EK_ID, EK_OP, EK_UNIT, EK_BATCH, EK_HEAD, EK_ROW_BLOCK, EK_COL_BLOCK, EK_SUB_TILE,
	EK_M, EK_N, EK_K, EK_BYTES, EK_MACS, EK_VEC_OPS, EK_FLAGS,
	EK_SRC0, EK_SRC1, EK_SRC2, EK_DST0, EK_DST1, EK_DEPS,
	EK_PLAN_START, EK_PLAN_END, EK_START, EK_END, EK_CYCLES, EK_BUSY,
	EK_STALL, EK_CAUSE, EK_WAITED_FOR, EK_REQUESTED, EK_GRANTED,
	EK_VICTIM, EK_FOR,
	EK_N_KEYS
};
extern const char *const export_key_names[EK_N_KEYS];

enum export_arg_type { EA_U64, EA_DBL, EA_STR };

struct export_arg {
	uint8_t key;		/* enum export_key */
	uint8_t type;		/* enum export_arg_type */
	union { uint64_t u; double d; const char *s; } v;
};

#define EXPORT_MAX_ARGS 40
#define EXPORT_MAX_FLOWS 64

/* One slice (t1 > t0) or instant (t1 == t0) on a unit or the spills track. */
struct export_event {
	unsigned track;
	uint64_t t0, t1;		/* cycles */
	uint64_t ns0, ns1;		/* the same, in nanoseconds */
	const char *name;
	const char *cat;		/* "mac", "vec", "mte", "dma", "replay" */
	const struct isa_instr *in;	/* the instruction; NULL for a spill or fill marker */
	const struct export_arg *args;
	unsigned nargs;
	const uint64_t *flow_out, *flow_in;	/* flows leaving and ending here */
	unsigned nflow_out, nflow_in;
};

struct export_sink_ops {
	/*
	 * The header is the trace's; `title` names the root track; `part`
	 * numbers the traces written into one output (export_opts.part).
	 */
	void *(*open)(struct zout *z, const struct trace_header *h, const char *title,
	    unsigned part, struct errbuf *e);
	void (*event)(void *s, const struct export_event *ev);
	void (*counter)(void *s, unsigned track, uint64_t cycle, uint64_t ns, double value);
	/* write what is left; 0 or -1 with the reason.  Frees s. */
	int (*close)(void *s, struct errbuf *e);
	void (*abort)(void *s);		/* frees s */
};

extern const struct export_sink_ops export_sink_perfetto;
extern const struct export_sink_ops export_sink_json;
extern const struct export_sink_ops export_sink_csv;

/* Nanoseconds of a cycle at clock_mhz, rounded, from the absolute count. */
static inline uint64_t
export_ns(uint32_t clock_mhz, uint64_t cycle)
{
	unsigned __int128 c = cycle;
	return (uint64_t)((c * 2000u + clock_mhz) / (2u * clock_mhz));
}

#endif
