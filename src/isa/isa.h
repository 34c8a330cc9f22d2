/* isa: the instructions a trace is made of, and the trace stream interfaces. */
#ifndef MASTRACE_ISA_H
#define MASTRACE_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "errbuf.h"
#include "npu.h"
#include "workload.h"

/*
 * Units.  A unit code is an index: MAC, VEC, the L1<->L0 move engine (MTE),
 * then one code per DMA channel.  Names: mac, vec, mte, dma0 ... dma63.
 */
enum {
	ISA_UNIT_MAC = 0,
	ISA_UNIT_VEC = 1,
	ISA_UNIT_MTE = 2,
	ISA_UNIT_DMA0 = 3,
};
#define ISA_MAX_DMA 64
#define ISA_NUNITS (ISA_UNIT_DMA0 + ISA_MAX_DMA)

enum isa_op {
	ISA_OP_LOAD,		/* dma: DRAM -> L1 */
	ISA_OP_STORE,		/* dma: L1 -> DRAM */
	ISA_OP_SPILL,		/* dma: L1 -> DRAM, inserted by a replay */
	ISA_OP_FILL,		/* dma: DRAM -> L1, inserted by a replay */
	ISA_OP_MOVE,		/* mte: L1 <-> L0A/L0B/L0C */
	ISA_OP_MATMUL,		/* mac: dst (+)= src0 x src1 (x src1^T with transb) */
	ISA_OP_VMAX,		/* vec: row max (merged with a running max if acc) */
	ISA_OP_VEXP,		/* vec: exp(scale * (x - row max)) */
	ISA_OP_VSUM,		/* vec: row sum (added to a running sum if acc) */
	ISA_OP_VDIV,		/* vec: divide rows by their sums */
	ISA_OP_VSCALE,		/* vec: multiply rows by a per-row factor */
	ISA_OP_VRESCALE,	/* vec: online softmax, scale O and l by exp(m_old - m_new) */
	ISA_OP_BARRIER,		/* any unit: waits for its dependencies, takes no time */
	ISA_OP_ALLOC,		/* any unit: a buffer region comes to life */
	ISA_OP_FREE,		/* any unit: a buffer region dies */
	ISA_OP_OVERWRITE,	/* any unit: a region's old data dies as new data takes it */
	ISA_NOPS
};

enum isa_buf { ISA_BUF_DRAM, ISA_BUF_L1, ISA_BUF_L0A, ISA_BUF_L0B, ISA_BUF_L0C, ISA_NBUFS };

/* What a region holds, for people and for functional verification. */
enum isa_tensor {
	ISA_T_NONE, ISA_T_Q, ISA_T_K, ISA_T_V, ISA_T_S, ISA_T_P, ISA_T_O, ISA_T_M, ISA_T_L,
	ISA_NTENSORS
};

/* Why a replayed instruction started later than it could have. */
enum isa_cause {
	ISA_CAUSE_NONE, ISA_CAUSE_DEP, ISA_CAUSE_UNIT, ISA_CAUSE_DRAM, ISA_CAUSE_DMA,
	ISA_CAUSE_PORT, ISA_CAUSE_SPACE, ISA_NCAUSES
};

#define ISA_F_ACC    0x01u	/* accumulate into dst / merge with running value */
#define ISA_F_TRANSB 0x02u	/* matmul: use src1 transposed (Q K^T) */
#define ISA_F_MASK   0x04u	/* the tile crosses the causal diagonal */
#define ISA_F_FIRST  0x08u	/* first tile of its row block */
#define ISA_F_LAST   0x10u	/* last tile of its row block */
#define ISA_F_INSERTED 0x20u	/* a barrier a replay inserted (like its SPILL and FILL) */
#define ISA_NFLAGS 6

/*
 * Bounds on an instruction's sizes and times, so that no product or sum in
 * the cost model, the replay or the statistics can wrap 64 bits: a side of
 * a tile is at most a workload's longest sequence, a matmul at most a whole
 * workload's MACs, and times leave room for every cost added to them.
 */
#define ISA_MAX_DIM   (1ull << 24)	/* m, n, k */
#define ISA_MAX_MACS  (1ull << 53)	/* m * n * k of one matmul */
#define ISA_MAX_ELEMS (1ull << 48)	/* m * n of one vector instruction */
#define ISA_MAX_BYTES (1ull << 48)	/* bytes moved or touched */
#define ISA_MAX_END   (1ull << 60)	/* the end (addr + size) of a region */
#define ISA_MAX_TIME  (1ull << 62)	/* planned and replayed cycles */

/*
 * A replay gives spilled data DRAM addresses from here up, far above any
 * workload's tensors, so that spill traffic never aliases them; verify
 * keeps this area apart from the tensors' memory.
 */
#define ISA_SPILL_BASE (1ull << 48)

/* Bytes of an element of L0C: the MAC accumulates in fp32 whatever its inputs. */
#define ISA_ACC_BYTES 4u

/*
 * No instruction: the one value an id field or a link to an instruction
 * (a predecessor, a unit's last, an allocation's last reader) takes when
 * there is none.  Ids count up from 0, so it is never a real one.
 */
#define ISA_ID_NONE UINT64_MAX

#define ISA_MAX_SRC 3
#define ISA_MAX_DST 2
#define ISA_MAX_DEPS 16

struct isa_region {
	uint8_t buf;		/* enum isa_buf */
	uint8_t tensor;		/* enum isa_tensor */
	uint64_t addr;		/* byte offset in the buffer */
	uint64_t size;		/* bytes */
};

/*
 * One instruction.  Ids are dense: the i-th instruction of a trace has id
 * i, and a dependency names an earlier id.  Times are cycles.  The replay
 * fields are meaningful only when `replayed` is set.
 */
struct isa_instr {
	uint64_t id;
	uint8_t unit, op, flags;
	uint8_t nsrc, ndst, ndeps;
	uint32_t b, h;			/* batch, head */
	uint32_t rb, cb, st;		/* row block, column block, sub-tile */
	uint32_t m, n, k;		/* shape: rows, columns, reduction */
	uint64_t bytes;			/* bytes moved or touched */
	struct isa_region src[ISA_MAX_SRC];
	struct isa_region dst[ISA_MAX_DST];
	uint64_t plan_start, plan_end;
	bool replayed;
	uint8_t cause;			/* enum isa_cause */
	uint64_t rep_start, rep_end;
	uint64_t stall;			/* its unit's stalled cycles on its account (idle wait + slowdown) */
	uint64_t stall_on;		/* what it waited for, with cause dep or space */
	uint64_t deps[ISA_MAX_DEPS];	/* last, so that a copy can stop at ndeps */
};

/* Copy an instruction without its unused dependency slots. */
static inline void
isa_copy(struct isa_instr *dst, const struct isa_instr *src)
{
	unsigned d;

	memcpy(dst, src, offsetof(struct isa_instr, deps));	/* a constant size: inlined */
	for (d = 0; d < src->ndeps; d++)
		dst->deps[d] = src->deps[d];
}

/* Does this opcode move data between DRAM and L1 (on a DMA channel)? */
static inline bool
isa_op_is_transfer(unsigned op)
{
	return op == ISA_OP_LOAD || op == ISA_OP_STORE || op == ISA_OP_SPILL || op == ISA_OP_FILL;
}

/* Does this stall cause name the instruction waited for (stall_on)? */
/* Bytes of L1 among regions v[0 .. n): what they take of L1's ports. */
static inline uint64_t
isa_l1_bytes(const struct isa_region *v, unsigned n)
{
	uint64_t b = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (v[i].buf == ISA_BUF_L1)
			b += v[i].size;
	return b;
}

static inline bool
isa_cause_names_producer(unsigned cause)
{
	return cause == ISA_CAUSE_DEP || cause == ISA_CAUSE_SPACE;
}

/* Names used by every format; NULL for codes out of range. */
const char *isa_op_name(unsigned op);
const char *isa_buf_name(unsigned buf);
const char *isa_tensor_name(unsigned t);
const char *isa_cause_name(unsigned c);
const char *isa_flag_name(unsigned bit);	/* bit index 0 .. ISA_NFLAGS-1 */
/* "mac", "vec", "mte", "dma3"; buf must hold 8 bytes */
const char *isa_unit_name(unsigned unit, char *buf, size_t len);

/* Name to code; -1 when unknown. */
int isa_op_code(const char *name);
int isa_buf_code(const char *name);
int isa_tensor_code(const char *name);
int isa_cause_code(const char *name);
int isa_flag_code(const char *name);
int isa_unit_code(const char *name);

/* Can op run on unit? */
bool isa_op_fits_unit(unsigned op, unsigned unit);

/*
 * Structural checks every reader and writer applies: codes in range, the
 * op fits its unit, dependencies name earlier ids, times are ordered, sizes
 * and times within the ISA_MAX_* bounds.  Returns 0, or -1 with the reason
 * (naming the field) in why.
 */
int isa_check(const struct isa_instr *in, char *why, size_t len);
/* Only the ISA_MAX_* bounds of sizes, region ends and times (the part of isa_check() a
 * decoder that checks codes as it goes still needs). */
int isa_check_bounds(const struct isa_instr *in, char *why, size_t len);

/*
 * The common case of those bounds, for decoders' inner loops: every side
 * below 2^16 (so the products cannot pass theirs), every address and size
 * below 2^59, every time below 2^62.  False means "ask isa_check_bounds()".
 */
static inline bool
isa_surely_in_bounds(const struct isa_instr *in)
{
	uint64_t big = in->bytes >> 48 | in->plan_end >> 62 | (in->m | in->n | in->k) >> 16;
	unsigned i;

	if (in->replayed)
		big |= in->rep_end >> 62;
	for (i = 0; i < in->nsrc && i < ISA_MAX_SRC; i++)
		big |= (in->src[i].addr | in->src[i].size) >> 59;
	for (i = 0; i < in->ndst && i < ISA_MAX_DST; i++)
		big |= (in->dst[i].addr | in->dst[i].size) >> 59;
	return big == 0;
}

/* The self-describing header every trace carries. */
struct trace_header {
	char tool[64];			/* "mastrace 0.1.0" */
	struct npu npu;
	struct workload wl;
	char sched[32];			/* dataflow name; "" if unknown */
	char tiling[256];		/* "key=value,..." */
	char command[1024];		/* the command line that made the trace */
	char replay[1024];		/* the replays that retimed it, " | " between; "" for a plan */
	/*
	 * Which models the last replay ran (TRACE_MODEL_* bits, with
	 * TRACE_MODELS_RECORDED), or 0: a plan, or a replay written before
	 * the field existed (then only its command line in `replay` tells).
	 */
	unsigned models;
};

enum {
	TRACE_MODEL_DRAM = 1,		/* transfers shared DRAM bandwidth */
	TRACE_MODEL_PORTS = 2,		/* units shared L1's ports */
	TRACE_MODEL_CAPACITY = 4,	/* L1 held what was allocated, overflow spilled */
	TRACE_MODELS_RECORDED = 8,
};
/* "dram,ports,capacity", "none", or "" when not recorded; into buf of at least 24. */
void trace_models_format(unsigned models, char *buf, size_t len);
/* The inverse: 0 and the bits in *models, or -1 for anything else. */
int trace_models_parse(const char *text, unsigned *models);

/* Fill a header with this tool's version and the given models. */
void trace_header_init(struct trace_header *h, const struct npu *n,
    const struct workload *w);

/*
 * Streams of instructions.  Writers validate and number what they are
 * given; readers validate what they return.  A writer's output appears
 * under its final name only when close() succeeds.
 */
struct trace_writer {
	const struct trace_writer_ops *ops;
	uint64_t count;			/* instructions written so far */
};

struct trace_writer_ops {
	int (*write)(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e);
	int (*close)(struct trace_writer *w, struct errbuf *e);	/* commit and free */
	void (*abort)(struct trace_writer *w);				/* discard and free */
};

struct trace_reader {
	const struct trace_reader_ops *ops;
	const char *name;		/* for messages: the file, or "standard input" */
	struct trace_header hdr;
	uint64_t count;			/* instructions returned so far */
};

struct trace_reader_ops {
	/* 1 and *out set, 0 at a clean end, -1 on error; *out lives until the next call */
	int (*next)(struct trace_reader *r, const struct isa_instr **out, struct errbuf *e);
	void (*close)(struct trace_reader *r);
	/* random access, NULL where the format has none (then the wrappers below say so) */
	int (*seek)(struct trace_reader *r, uint64_t index, struct errbuf *e);
	int (*seek_time)(struct trace_reader *r, uint64_t cycle, struct errbuf *e);
	int (*total)(struct trace_reader *r, uint64_t *count, struct errbuf *e);
};

static inline int
trace_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	return w->ops->write(w, in, e);
}

static inline int
trace_next(struct trace_reader *r, const struct isa_instr **out, struct errbuf *e)
{
	return r->ops->next(r, out, e);
}

/* Commit (the output appears) or abort (nothing is left); both free the writer. */
static inline int
trace_close_write(struct trace_writer *w, struct errbuf *e)
{
	return w->ops->close(w, e);
}

static inline void
trace_abort_write(struct trace_writer *w)
{
	if (w != NULL)
		w->ops->abort(w);
}

/* Close a reader and free it; NULL is nothing to close. */
static inline void
trace_close_read(struct trace_reader *r)
{
	if (r != NULL)
		r->ops->close(r);
}

/*
 * Random access.  After a seek the next instruction returned is number
 * `index`; after a seek by time it is the first of the first stretch of
 * the trace that runs past `cycle` (replayed times where there are any, else
 * planned): nothing before it is still running then.  trace_total() gives
 * the number of instructions without reading them.  A reader without an
 * index (text, a pipe) answers -1 with a message saying so.
 */
int trace_seek(struct trace_reader *r, uint64_t index, struct errbuf *e);
int trace_seek_time(struct trace_reader *r, uint64_t cycle, struct errbuf *e);
int trace_total(struct trace_reader *r, uint64_t *count, struct errbuf *e);

#endif
