/* mtr-codec: the byte layout shared by the .mtr writer and reader. */
#ifndef MASTRACE_MTR_CODEC_H
#define MASTRACE_MTR_CODEC_H

#include <stdint.h>
#include <string.h>

#include "isa.h"

#define MTR_MAGIC "\x89MTR\r\n\x1a\n"	/* 8 bytes; catches text-mode mangling */
#define MTR_END_MAGIC "\x89MTREND\n"	/* 8 bytes */
#define MTR_VERSION_MAJOR 1
#define MTR_VERSION_MINOR 1	/* 1.1: index entries carry their block's time span */
#define MTR_BLOCK_MAGIC "MTRB"
#define MTR_INDEX_MAGIC "MTRI"
#define MTR_FOOTER_MAGIC "MTRF"

#define MTR_PREAMBLE_SIZE 16		/* magic, major, minor, header length */
#define MTR_BLOCK_HEADER_SIZE 20	/* magic, count, raw length, compressed length, crc */
#define MTR_INDEX_ENTRY_SIZE 32		/* first instruction, file offset, first start, last end */
#define MTR_INDEX_ENTRY_SIZE_1_0 16	/* format 1.0: first instruction, file offset */
#define MTR_FOOTER_SIZE 48

#define MTR_BLOCK_INSTR 65536u		/* a block, and so a restart point, every ... */
#define MTR_BLOCK_RAW_FLUSH (1u << 20)	/* ... or once this many raw bytes are pending */
#define MTR_RECORD_MAX 1024u		/* no record can be longer */
#define MTR_BLOCK_RAW_MAX (MTR_BLOCK_RAW_FLUSH + MTR_RECORD_MAX)
#define MTR_HEADER_MAX (1u << 20)
/* zlib level: records are so regular that level 1 compresses nearly as well, much faster */
#define MTR_ZLIB_LEVEL 1
#define MTR_INDEX_MAX (1u << 26)	/* entries; 2^42 instructions */

/* Header entry tags; tags below 64 must be understood, others may be skipped. */
enum {
	MTR_TAG_TOOL = 1, MTR_TAG_NPU_KEY = 2, MTR_TAG_WL_NAME = 3, MTR_TAG_WL_SPEC = 4,
	MTR_TAG_SCHED = 5, MTR_TAG_TILING = 6, MTR_TAG_COMMAND = 7,
	MTR_TAG_UNITS = 8, MTR_TAG_OPS = 9, MTR_TAG_BUFS = 10, MTR_TAG_TENSORS = 11,
	MTR_TAG_CAUSES = 12, MTR_TAG_FLAGS = 13,
	MTR_TAG_OPTIONAL = 64,
	MTR_TAG_REPLAY = 64,	/* optional: readers that predate it skip it; only when not empty */
	MTR_TAG_MODELS = 65,	/* optional: the models the last replay ran, "dram,ports,capacity" */
};

/* Prediction state of one kind of record. */
struct mtr_slot {
	struct isa_instr last;
	/* the regions before the last change, for double buffers (A, B, A, ...) */
	struct isa_region src2[ISA_MAX_SRC], dst2[ISA_MAX_DST];
	uint8_t nsrc2, ndst2;
	uint64_t period;		/* plan_start step between the last two */
	uint64_t dist[ISA_MAX_DEPS];	/* id - 1 - dep of the last */
	uint64_t rep_delay;		/* rep_start - plan_start of the last */
	uint64_t on_dist;		/* id - stall_on of the last */
};

/*
 * Records are predicted from the last record of the same kind: unit, opcode
 * and flags, so that interleaved streams (QK^T and PV on one MAC) each keep
 * their own history.  Kinds are hashed into a fixed table; a collision only
 * costs compression, as writer and reader collide alike.
 */
#define MTR_SLOTS 256
struct mtr_ctx {
	uint8_t valid[MTR_SLOTS];
	struct mtr_slot slot[MTR_SLOTS];
};

/* File codes to this program's codes, from the header's string tables. */
struct mtr_maps {
	uint8_t unit[256], op[256], buf[256], tensor[256], cause[256];
	uint8_t flag[8];
	bool flags_identity;
};

/* Forget every record kind's previous record: a block starts coding afresh. */
void mtr_ctx_reset(struct mtr_ctx *c);
/* Append in's record to out (MTR_RECORD_MAX bytes free); returns its length. */
size_t mtr_encode(struct mtr_ctx *c, const struct isa_instr *in, uint8_t *out);
/*
 * Decode the record at *p (advanced past it) as instruction `id`.  Returns
 * the instruction, valid until the next call, or NULL with the reason.
 */
const struct isa_instr *mtr_decode(struct mtr_ctx *c, const struct mtr_maps *m,
    const uint8_t **p, const uint8_t *end, uint64_t id, char *why, size_t len);

/* The header payload (tag, length, bytes entries); malloc'd. */
int mtr_header_encode(const struct trace_header *h, uint8_t **out, size_t *len);
/* The header payload found at file offset `base`; messages name fname and file offsets. */
int mtr_header_decode(const uint8_t *p, size_t len, const char *fname, size_t base,
    struct trace_header *h, struct mtr_maps *m, struct errbuf *e);

static inline void
mtr_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
mtr_put_u64(uint8_t *p, uint64_t v)
{
	mtr_put_u32(p, (uint32_t)v);
	mtr_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
mtr_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
mtr_get_u64(const uint8_t *p)
{
	return (uint64_t)mtr_get_u32(p) | (uint64_t)mtr_get_u32(p + 4) << 32;
}

#endif
