/* mtr-write: stream instructions into a compressed, indexed .mtr file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mtr-codec.h"
#include "mtr.h"
#include "outfile.h"

struct index_entry {
	uint64_t first, offset;
	uint64_t t0, t1;		/* the block's first start and last end */
};

struct mtr_writer {
	struct trace_writer base;
	struct outfile out;
	struct mtr_ctx ctx;
	z_stream z;
	bool z_ready;
	uint8_t *raw, *comp;
	size_t raw_len, comp_cap;
	uint32_t block_instr;
	uint64_t offset;		/* bytes written so far */
	uint32_t crc;			/* of every byte written so far */
	struct index_entry *index;
	size_t nindex, index_cap;
	uint64_t block_t0, block_t1;	/* of the block being filled */
};

static int
emit(struct mtr_writer *w, const void *p, size_t n, struct errbuf *e)
{
	if (fwrite(p, 1, n, w->out.f) != n)
		return errbuf_set(e, "%s: write error", w->out.path ? w->out.path : "output");
	w->crc = (uint32_t)crc32(w->crc, p, (uInt)n);
	w->offset += n;
	return 0;
}

static int
flush_block(struct mtr_writer *w, struct errbuf *e)
{
	uint8_t hdr[MTR_BLOCK_HEADER_SIZE];
	struct index_entry *grown;
	int zr;

	if (w->block_instr == 0)
		return 0;
	if (w->nindex == w->index_cap) {
		size_t cap = w->index_cap ? w->index_cap * 2 : 64;
		grown = realloc(w->index, cap * sizeof *grown);
		if (grown == NULL)
			return errbuf_set(e, "%s: out of memory", w->out.path);
		w->index = grown;
		w->index_cap = cap;
	}
	w->index[w->nindex].first = w->base.count - w->block_instr;
	w->index[w->nindex].offset = w->offset;
	w->index[w->nindex].t0 = w->block_t0;
	w->index[w->nindex].t1 = w->block_t1;
	w->nindex++;

	deflateReset(&w->z);
	w->z.next_in = w->raw;
	w->z.avail_in = (uInt)w->raw_len;
	w->z.next_out = w->comp;
	w->z.avail_out = (uInt)w->comp_cap;
	zr = deflate(&w->z, Z_FINISH);
	if (zr != Z_STREAM_END)
		return errbuf_set(e, "%s: zlib deflate failed (%d)", w->out.path, zr);
	memcpy(hdr, MTR_BLOCK_MAGIC, 4);
	mtr_put_u32(hdr + 4, w->block_instr);
	mtr_put_u32(hdr + 8, (uint32_t)w->raw_len);
	mtr_put_u32(hdr + 12, (uint32_t)w->z.total_out);
	/* the compressed bytes are checked, before inflating, and are far fewer */
	mtr_put_u32(hdr + 16, (uint32_t)crc32(0, w->comp, (uInt)w->z.total_out));
	if (emit(w, hdr, sizeof hdr, e) != 0 || emit(w, w->comp, w->z.total_out, e) != 0)
		return -1;
	w->raw_len = 0;
	w->block_instr = 0;
	/* every block starts from a blank context, so a reader can begin at any block */
	mtr_ctx_reset(&w->ctx);
	return 0;
}

static int
mtr_write(struct trace_writer *tw, const struct isa_instr *in, struct errbuf *e)
{
	struct mtr_writer *w = (struct mtr_writer *)tw;
	char why[512];

	if (in->id != tw->count)
		return errbuf_set(e, "%s: instruction %llu has id %llu, expected %llu (ids "
		    "count up from 0)", w->out.path, (unsigned long long)tw->count,
		    (unsigned long long)in->id, (unsigned long long)tw->count);
	if (isa_check(in, why, sizeof why) != 0)
		return errbuf_set(e, "%s: instruction %llu: %s", w->out.path,
		    (unsigned long long)in->id, why);
	w->raw_len += mtr_encode(&w->ctx, in, w->raw + w->raw_len);
	{
		/* the times a viewer draws: replayed where there are any */
		uint64_t t0 = in->replayed ? in->rep_start : in->plan_start;
		uint64_t t1 = in->replayed ? in->rep_end : in->plan_end;
		if (w->block_instr == 0 || t0 < w->block_t0)
			w->block_t0 = t0;
		if (w->block_instr == 0 || t1 > w->block_t1)
			w->block_t1 = t1;
	}
	w->block_instr++;
	tw->count++;
	if (w->block_instr >= MTR_BLOCK_INSTR || w->raw_len >= MTR_BLOCK_RAW_FLUSH)
		return flush_block(w, e);
	return 0;
}

static void
writer_free(struct mtr_writer *w)
{
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w->raw);
	free(w->comp);
	free(w->index);
	free(w);
}

static void
mtr_abort(struct trace_writer *tw)
{
	struct mtr_writer *w = (struct mtr_writer *)tw;

	outfile_abort(&w->out);
	writer_free(w);
}

static int
mtr_close(struct trace_writer *tw, struct errbuf *e)
{
	struct mtr_writer *w = (struct mtr_writer *)tw;
	uint8_t buf[MTR_FOOTER_SIZE], entry[MTR_INDEX_ENTRY_SIZE];
	uint64_t index_offset;
	uint32_t icrc;
	size_t i;

	if (flush_block(w, e) != 0)
		goto fail;
	index_offset = w->offset;
	memcpy(buf, MTR_INDEX_MAGIC, 4);
	mtr_put_u32(buf + 4, (uint32_t)w->nindex);
	if (emit(w, buf, 8, e) != 0)
		goto fail;
	icrc = 0;
	for (i = 0; i < w->nindex; i++) {
		mtr_put_u64(entry, w->index[i].first);
		mtr_put_u64(entry + 8, w->index[i].offset);
		mtr_put_u64(entry + 16, w->index[i].t0);
		mtr_put_u64(entry + 24, w->index[i].t1);
		icrc = (uint32_t)crc32(icrc, entry, sizeof entry);
		if (emit(w, entry, sizeof entry, e) != 0)
			goto fail;
	}
	mtr_put_u32(buf, icrc);
	if (emit(w, buf, 4, e) != 0)
		goto fail;

	memcpy(buf, MTR_FOOTER_MAGIC, 4);
	mtr_put_u32(buf + 4, 0);
	mtr_put_u64(buf + 8, tw->count);
	mtr_put_u64(buf + 16, w->nindex);
	mtr_put_u64(buf + 24, index_offset);
	mtr_put_u32(buf + 32, w->crc);
	mtr_put_u32(buf + 36, (uint32_t)crc32(0, buf, 36));
	memcpy(buf + 40, MTR_END_MAGIC, 8);
	if (emit(w, buf, sizeof buf, e) != 0)
		goto fail;
	if (outfile_commit(&w->out, e) != 0) {
		writer_free(w);
		return -1;
	}
	writer_free(w);
	return 0;
fail:
	mtr_abort(tw);
	return -1;
}

static const struct trace_writer_ops mtr_writer_ops = { mtr_write, mtr_close, mtr_abort };

int
mtr_writer_open(const char *path, const struct trace_header *h, struct trace_writer **out,
    struct errbuf *e)
{
	struct mtr_writer *w;
	uint8_t pre[MTR_PREAMBLE_SIZE], crc[4], *hdr = NULL;
	size_t hlen;

	w = calloc(1, sizeof *w);
	if (w == NULL)
		return errbuf_set(e, "%s: out of memory", path);
	w->base.ops = &mtr_writer_ops;
	w->raw = malloc(MTR_BLOCK_RAW_MAX);
	w->comp_cap = deflateBound(NULL, MTR_BLOCK_RAW_MAX) + 64;
	w->comp = malloc(w->comp_cap);
	if (w->raw == NULL || w->comp == NULL || mtr_header_encode(h, &hdr, &hlen) != 0) {
		writer_free(w);
		return errbuf_set(e, "%s: out of memory", path);
	}
	/* raw deflate: the blocks carry their own CRC-32 */
	if (deflateInit2(&w->z, MTR_ZLIB_LEVEL, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(hdr);
		writer_free(w);
		return errbuf_set(e, "%s: zlib initialisation failed", path);
	}
	w->z_ready = true;
	if (outfile_open(&w->out, path, e) != 0) {
		free(hdr);
		writer_free(w);
		return -1;
	}
	memcpy(pre, MTR_MAGIC, 8);
	pre[8] = MTR_VERSION_MAJOR & 0xff;
	pre[9] = MTR_VERSION_MAJOR >> 8;
	pre[10] = MTR_VERSION_MINOR & 0xff;
	pre[11] = MTR_VERSION_MINOR >> 8;
	mtr_put_u32(pre + 12, (uint32_t)hlen);
	mtr_put_u32(crc, (uint32_t)crc32(0, hdr, (uInt)hlen));
	if (hlen > MTR_HEADER_MAX || emit(w, pre, sizeof pre, e) != 0 ||
	    emit(w, hdr, hlen, e) != 0 || emit(w, crc, 4, e) != 0) {
		if (hlen > MTR_HEADER_MAX)
			errbuf_set(e, "%s: header of %zu bytes, the limit is %u", path, hlen,
			    MTR_HEADER_MAX);
		free(hdr);
		mtr_abort(&w->base);
		return -1;
	}
	free(hdr);
	*out = &w->base;
	return 0;
}
