/* mtr-read: stream instructions out of a .mtr file, checking every byte. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mtr-codec.h"
#include "mtr.h"
#include "openin.h"

struct mtr_reader {
	struct trace_reader base;
	FILE *f;
	bool own;
	char *name;
	uint64_t off;			/* file offset of the next byte */
	uint32_t crc;			/* of every byte read, while crc_ok */
	bool crc_ok;			/* false after a seek */
	unsigned major, minor;
	struct mtr_maps maps;
	struct mtr_ctx *ctx;
	z_stream z;
	bool z_ready;
	uint8_t *raw, *comp;
	size_t raw_cap, comp_cap;	/* grown to the largest block seen */
	const uint8_t *rp, *rend;
	uint32_t left;			/* instructions left in the current block */
	uint64_t block_off;		/* file offset of the current block */
	uint64_t blocks, raw_bytes;
	bool decode;			/* false: inflate only (benchmark baseline) */
	bool checksums;			/* false: corrupt data goes on to be decoded */
	bool done;
};

static bool
magic_matches(const unsigned char *p, size_t n)
{
	return n >= 8 && memcmp(p, MTR_MAGIC, 8) == 0;
}

static int
read_exact(struct mtr_reader *r, void *buf, size_t n, const char *what, struct errbuf *e)
{
	size_t got = fread(buf, 1, n, r->f);

	if (got != n) {
		if (ferror(r->f))
			return errbuf_set(e, "%s: byte %llu: read error: %s", r->name,
			    (unsigned long long)(r->off + got), strerror(errno));
		return errbuf_set(e, "%s: byte %llu: file ends inside %s, expected %zu more "
		    "bytes (truncated?)", r->name, (unsigned long long)(r->off + got), what,
		    n - got);
	}
	if (r->crc_ok)
		r->crc = (uint32_t)crc32(r->crc, buf, (uInt)n);
	r->off += n;
	return 0;
}

/* Buffers grow to the largest block so far: small traces stay small. */
static int
grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (p == NULL)
		return -1;
	*buf = p;
	*cap = need;
	return 0;
}

static int
read_block(struct mtr_reader *r, const uint8_t *magic, struct errbuf *e)
{
	uint8_t hdr[MTR_BLOCK_HEADER_SIZE - 4];
	uint32_t count, raw_len, comp_len, crc;
	int zr;

	r->block_off = r->off - 4;
	if (read_exact(r, hdr, sizeof hdr, "a block header", e) != 0)
		return -1;
	(void)magic;
	count = mtr_get_u32(hdr);
	raw_len = mtr_get_u32(hdr + 4);
	comp_len = mtr_get_u32(hdr + 8);
	crc = mtr_get_u32(hdr + 12);
	if (count == 0 || count > MTR_BLOCK_INSTR || raw_len > MTR_BLOCK_RAW_MAX ||
	    raw_len < 4ull * count || comp_len > compressBound(MTR_BLOCK_RAW_MAX) + 64 ||
	    comp_len == 0)
		return errbuf_set(e, "%s: byte %llu: block header claims %u instructions in %u "
		    "bytes compressed to %u, expected 1 to %u instructions of at least 4 bytes "
		    "each in at most %u bytes", r->name, (unsigned long long)r->block_off,
		    count, raw_len, comp_len, MTR_BLOCK_INSTR, MTR_BLOCK_RAW_MAX);
	if (grow(&r->raw, &r->raw_cap, raw_len) != 0 || grow(&r->comp, &r->comp_cap, comp_len) != 0)
		return errbuf_set(e, "%s: out of memory", r->name);
	if (read_exact(r, r->comp, comp_len, "block data", e) != 0)
		return -1;
	if (r->checksums && (uint32_t)crc32(0, r->comp, comp_len) != crc)
		return errbuf_set(e, "%s: byte %llu: block checksum mismatch, the data is "
		    "corrupt", r->name, (unsigned long long)r->block_off);
	inflateReset(&r->z);
	r->z.next_in = r->comp;
	r->z.avail_in = comp_len;
	r->z.next_out = r->raw;
	r->z.avail_out = raw_len;
	zr = inflate(&r->z, Z_FINISH);
	if (zr != Z_STREAM_END || r->z.total_out != raw_len || r->z.avail_in != 0)
		return errbuf_set(e, "%s: byte %llu: block data is corrupt (%s), expected %u "
		    "deflated bytes that inflate to %u", r->name,
		    (unsigned long long)r->block_off,
		    zr == Z_STREAM_END ? "wrong length" : r->z.msg ? r->z.msg : "truncated",
		    comp_len, raw_len);
	r->rp = r->raw;
	r->rend = r->raw + raw_len;
	r->left = count;
	r->blocks++;
	r->raw_bytes += raw_len;
	mtr_ctx_reset(r->ctx);
	return 0;
}

/* Index entries grew a time span in format 1.1. */
static size_t
entry_size(const struct mtr_reader *r)
{
	return r->minor == 0 ? MTR_INDEX_ENTRY_SIZE_1_0 : MTR_INDEX_ENTRY_SIZE;
}

static int
read_tail(struct mtr_reader *r, struct errbuf *e)
{
	uint8_t buf[MTR_FOOTER_SIZE], entry[MTR_INDEX_ENTRY_SIZE];
	uint64_t index_off = r->off - 4, first, offset, prev_first = 0, prev_off = 0;
	uint32_t n, i, icrc = 0, file_crc;
	size_t esize = entry_size(r);

	if (read_exact(r, buf, 4, "the index", e) != 0)
		return -1;
	n = mtr_get_u32(buf);
	if (r->crc_ok && n != r->blocks)
		return errbuf_set(e, "%s: byte %llu: index lists %u blocks, the file has %llu",
		    r->name, (unsigned long long)index_off, n, (unsigned long long)r->blocks);
	for (i = 0; i < n; i++) {
		if (read_exact(r, entry, esize, "the index", e) != 0)
			return -1;
		icrc = (uint32_t)crc32(icrc, entry, (uInt)esize);
		first = mtr_get_u64(entry);
		offset = mtr_get_u64(entry + 8);
		if ((i == 0 && first != 0) || (i > 0 && (first <= prev_first || offset <= prev_off)) ||
		    offset >= index_off)
			return errbuf_set(e, "%s: byte %llu: index entry %u (instruction %llu at "
			    "byte %llu) is out of order or past the index", r->name,
			    (unsigned long long)(r->off - esize), i,
			    (unsigned long long)first, (unsigned long long)offset);
		if (esize > MTR_INDEX_ENTRY_SIZE_1_0 && mtr_get_u64(entry + 16) > mtr_get_u64(entry + 24))
			return errbuf_set(e, "%s: byte %llu: index entry %u spans cycles %llu to "
			    "%llu, expected its start before its end", r->name,
			    (unsigned long long)(r->off - esize), i,
			    (unsigned long long)mtr_get_u64(entry + 16),
			    (unsigned long long)mtr_get_u64(entry + 24));
		prev_first = first;
		prev_off = offset;
	}
	if (read_exact(r, buf, 4, "the index checksum", e) != 0)
		return -1;
	if (r->checksums && mtr_get_u32(buf) != icrc)
		return errbuf_set(e, "%s: byte %llu: index checksum mismatch", r->name,
		    (unsigned long long)(r->off - 4));
	file_crc = r->crc;
	if (read_exact(r, buf, sizeof buf, "the footer", e) != 0)
		return -1;
	if (memcmp(buf, MTR_FOOTER_MAGIC, 4) != 0 || memcmp(buf + 40, MTR_END_MAGIC, 8) != 0)
		return errbuf_set(e, "%s: byte %llu: expected the footer ('MTRF' ... "
		    "'\\x89MTREND\\n')", r->name, (unsigned long long)(r->off - sizeof buf));
	if (r->checksums && mtr_get_u32(buf + 36) != (uint32_t)crc32(0, buf, 36))
		return errbuf_set(e, "%s: byte %llu: footer checksum mismatch", r->name,
		    (unsigned long long)(r->off - sizeof buf));
	if (mtr_get_u64(buf + 8) != r->base.count || mtr_get_u64(buf + 16) != n ||
	    mtr_get_u64(buf + 24) != index_off)
		return errbuf_set(e, "%s: byte %llu: footer says %llu instructions in %llu "
		    "blocks with the index at byte %llu; the file has %llu in %u at byte %llu",
		    r->name, (unsigned long long)(r->off - sizeof buf),
		    (unsigned long long)mtr_get_u64(buf + 8),
		    (unsigned long long)mtr_get_u64(buf + 16),
		    (unsigned long long)mtr_get_u64(buf + 24), (unsigned long long)r->base.count,
		    n, (unsigned long long)index_off);
	if (r->crc_ok && r->checksums && mtr_get_u32(buf + 32) != file_crc)
		return errbuf_set(e, "%s: file checksum mismatch: the file is corrupt", r->name);
	if (fgetc(r->f) != EOF)
		return errbuf_set(e, "%s: byte %llu: unexpected data after the footer",
		    r->name, (unsigned long long)r->off);
	return 0;
}

static int
mtr_next(struct trace_reader *tr, const struct isa_instr **out, struct errbuf *e)
{
	struct mtr_reader *r = (struct mtr_reader *)tr;
	const struct isa_instr *in;
	uint8_t magic[4];
	char why[512];
	const uint8_t *at;

	while (r->left == 0) {
		if (r->done)
			return 0;
		if (r->rp != r->rend)
			return errbuf_set(e, "%s: byte %llu: block holds %zu bytes after its last "
			    "instruction", r->name, (unsigned long long)r->block_off,
			    (size_t)(r->rend - r->rp));
		if (read_exact(r, magic, 4, "the next block or the index", e) != 0)
			return -1;
		if (memcmp(magic, MTR_BLOCK_MAGIC, 4) == 0) {
			if (read_block(r, magic, e) != 0)
				return -1;
			if (!r->decode) {
				tr->count += r->left;
				r->left = 0;
				r->rp = r->rend;
			}
		} else if (memcmp(magic, MTR_INDEX_MAGIC, 4) == 0) {
			if (read_tail(r, e) != 0)
				return -1;
			r->done = true;
			return 0;
		} else {
			return errbuf_set(e, "%s: byte %llu: expected a block ('MTRB') or the "
			    "index ('MTRI'), got bytes %02x %02x %02x %02x", r->name,
			    (unsigned long long)(r->off - 4), magic[0], magic[1], magic[2],
			    magic[3]);
		}
	}
	at = r->rp;
	in = mtr_decode(r->ctx, &r->maps, &r->rp, r->rend, tr->count, why, sizeof why);
	if (in == NULL)
		return errbuf_set(e, "%s: byte %llu: instruction %llu (record byte %zu of the "
		    "block): %s", r->name, (unsigned long long)r->block_off,
		    (unsigned long long)tr->count, (size_t)(at - r->raw), why);
	r->left--;
	tr->count++;
	*out = in;
	return 1;
}

static void
mtr_close(struct trace_reader *tr)
{
	struct mtr_reader *r = (struct mtr_reader *)tr;

	if (r == NULL)
		return;
	if (r->z_ready)
		inflateEnd(&r->z);
	if (r->own && r->f != NULL)
		fclose(r->f);
	free(r->name);
	free(r->ctx);
	free(r->raw);
	free(r->comp);
	free(r);
}

static int mtr_seek_time(struct trace_reader *tr, uint64_t cycle, struct errbuf *e);
static int mtr_total(struct trace_reader *tr, uint64_t *count, struct errbuf *e);

static const struct trace_reader_ops mtr_reader_ops = {
	mtr_next, mtr_close, mtr_reader_seek, mtr_seek_time, mtr_total,
};

static int
read_header(struct mtr_reader *r, struct errbuf *e)
{
	uint8_t pre[MTR_PREAMBLE_SIZE], crc[4], *hdr;
	uint32_t hlen;
	int rc;

	if (read_exact(r, pre, sizeof pre, "the file header", e) != 0)
		return -1;
	if (!magic_matches(pre, 8))
		return errbuf_set(e, "%s: byte 0: not a mastrace trace, expected the .mtr "
		    "magic \\x89MTR\\r\\n\\x1a\\n", r->name);
	r->major = pre[8] | (unsigned)pre[9] << 8;
	r->minor = pre[10] | (unsigned)pre[11] << 8;
	if (r->major != MTR_VERSION_MAJOR)
		return errbuf_set(e, "%s: byte 8: format version %u.%u, expected %d.x (%s)",
		    r->name, r->major, r->minor, MTR_VERSION_MAJOR,
		    r->major > MTR_VERSION_MAJOR ? "written by a newer mastrace" :
		    "an old format this mastrace does not read");
	if (r->minor > MTR_VERSION_MINOR)
		return errbuf_set(e, "%s: byte 10: format version %u.%u, expected at most %d.%d "
		    "(written by a newer mastrace)", r->name, r->major, r->minor,
		    MTR_VERSION_MAJOR, MTR_VERSION_MINOR);
	hlen = mtr_get_u32(pre + 12);
	if (hlen > MTR_HEADER_MAX)
		return errbuf_set(e, "%s: byte 12: header length %u, expected at most %u",
		    r->name, hlen, MTR_HEADER_MAX);
	hdr = malloc(hlen ? hlen : 1);
	if (hdr == NULL)
		return errbuf_set(e, "%s: out of memory", r->name);
	if (read_exact(r, hdr, hlen, "the header", e) != 0 ||
	    read_exact(r, crc, 4, "the header checksum", e) != 0) {
		free(hdr);
		return -1;
	}
	if (r->checksums && mtr_get_u32(crc) != (uint32_t)crc32(0, hdr, hlen)) {
		free(hdr);
		return errbuf_set(e, "%s: byte %u: header checksum mismatch, the header is "
		    "corrupt", r->name, MTR_PREAMBLE_SIZE + hlen);
	}
	rc = mtr_header_decode(hdr, hlen, r->name, MTR_PREAMBLE_SIZE, &r->base.hdr, &r->maps, e);
	free(hdr);
	return rc;
}

static int
open_stream(FILE *f, const char *name, bool close_f, bool checksums, struct trace_reader **out,
    struct errbuf *e)
{
	struct mtr_reader *r;

	r = calloc(1, sizeof *r);
	if (r == NULL) {
		if (close_f)
			fclose(f);
		return errbuf_set(e, "%s: out of memory", name);
	}
	r->base.ops = &mtr_reader_ops;
	r->f = f;
	r->own = close_f;
	r->crc_ok = true;
	r->decode = true;
	r->checksums = checksums;
	r->name = strdup(name);
	r->base.name = r->name;
	r->ctx = malloc(sizeof *r->ctx);
	if (r->name == NULL || r->ctx == NULL) {
		mtr_close(&r->base);
		return errbuf_set(e, "%s: out of memory", name);
	}
	if (inflateInit2(&r->z, -15) != Z_OK) {
		mtr_close(&r->base);
		return errbuf_set(e, "%s: zlib initialisation failed", name);
	}
	r->z_ready = true;
	if (read_header(r, e) != 0) {
		mtr_close(&r->base);
		return -1;
	}
	*out = &r->base;
	return 0;
}

int
mtr_reader_open_stream(FILE *f, const char *name, bool close_f, struct trace_reader **out,
    struct errbuf *e)
{
	return open_stream(f, name, close_f, true, out, e);
}

int
mtr_reader_open_unchecked(FILE *f, const char *name, bool close_f, struct trace_reader **out,
    struct errbuf *e)
{
	return open_stream(f, name, close_f, false, out, e);
}

int
mtr_reader_open(const char *path, struct trace_reader **out, struct errbuf *e)
{
	FILE *f = openin(path, "a .mtr trace", e);

	if (f == NULL)
		return -1;
	return mtr_reader_open_stream(f, path, true, out, e);
}

/*
 * The footer: instruction and block counts, the index's offset.  It fails
 * on a pipe; the caller puts the file position back or moves it on.
 */
static int
read_footer(struct mtr_reader *r, uint64_t *total, uint64_t *nblocks, uint64_t *index_off,
    struct errbuf *e)
{
	uint8_t foot[MTR_FOOTER_SIZE];

	if (fseeko(r->f, -(off_t)MTR_FOOTER_SIZE, SEEK_END) != 0 ||
	    fread(foot, 1, sizeof foot, r->f) != sizeof foot)
		return errbuf_set(e, "%s: cannot seek: %s", r->name,
		    errno == ESPIPE ? "not a regular file (a pipe is read from the start)" :
		    "no footer");
	if (memcmp(foot, MTR_FOOTER_MAGIC, 4) != 0 ||
	    (r->checksums && mtr_get_u32(foot + 36) != (uint32_t)crc32(0, foot, 36)))
		return errbuf_set(e, "%s: cannot seek: the footer is missing or corrupt", r->name);
	*total = mtr_get_u64(foot + 8);
	*nblocks = mtr_get_u64(foot + 16);
	*index_off = mtr_get_u64(foot + 24);
	return 0;
}

/* A failed look at the footer or index leaves the reader where it was. */
static int
stay(struct mtr_reader *r, off_t here)
{
	if (here >= 0)
		fseeko(r->f, here, SEEK_SET);
	return -1;
}

/*
 * Position at the block the index names for instruction `index` (by_time
 * false) or for cycle `index` (by_time: the first block whose last end is
 * after it; every earlier block ended by then), then step to the
 * instruction itself when seeking by number.
 */
static int
position(struct mtr_reader *r, bool by_time, uint64_t index, struct errbuf *e)
{
	struct trace_reader *tr = &r->base;
	uint8_t entry[MTR_INDEX_ENTRY_SIZE];
	uint64_t total, nblocks, index_off, best_first = 0, best_off = 0, best_block = 0, i;
	size_t esize = entry_size(r);
	const struct isa_instr *in;
	off_t here = ftello(r->f);
	bool found = false;

	if (by_time && esize == MTR_INDEX_ENTRY_SIZE_1_0)
		return errbuf_set(e, "%s: cannot seek by time: the index of a format 1.0 file has "
		    "no time spans; 'mastrace convert' writes it again with them", r->name);
	if (read_footer(r, &total, &nblocks, &index_off, e) != 0)
		return stay(r, here);
	if (!by_time && index >= total) {
		errbuf_set(e, "%s: cannot seek to instruction %llu, the trace has %llu",
		    r->name, (unsigned long long)index, (unsigned long long)total);
		return stay(r, here);
	}
	if (fseeko(r->f, (off_t)index_off + 8, SEEK_SET) != 0) {
		errbuf_set(e, "%s: cannot seek to the index at byte %llu", r->name,
		    (unsigned long long)index_off);
		return stay(r, here);
	}
	for (i = 0; i < nblocks && !found; i++) {
		if (fread(entry, 1, esize, r->f) != esize) {
			errbuf_set(e, "%s: byte %llu: the index is cut short", r->name,
			    (unsigned long long)(index_off + 8 + i * esize));
			return stay(r, here);
		}
		if (by_time) {
			if (mtr_get_u64(entry + 24) <= index)
				continue;
			found = true;
		} else if (mtr_get_u64(entry) > index) {
			break;
		}
		best_first = mtr_get_u64(entry);
		best_off = mtr_get_u64(entry + 8);
		best_block = i;
	}
	if (by_time && !found) {
		/* nothing runs at or after that cycle: the next read is the end */
		best_first = total;
		best_off = index_off;
		best_block = nblocks;
	}
	if (fseeko(r->f, (off_t)best_off, SEEK_SET) != 0) {
		errbuf_set(e, "%s: cannot seek to byte %llu", r->name, (unsigned long long)best_off);
		return stay(r, here);
	}
	r->crc_ok = false;	/* the whole-file checksum needs every byte in order */
	r->off = best_off;
	r->done = false;
	r->left = 0;
	r->rp = r->rend = NULL;
	r->blocks = best_block;
	tr->count = best_first;
	while (!by_time && tr->count < index) {
		int rc = mtr_next(tr, &in, e);

		if (rc < 0)
			return -1;	/* what was wrong with the block, said by the reader */
		if (rc == 0)
			return errbuf_set(e, "%s: instruction %llu not found after seeking",
			    r->name, (unsigned long long)index);
	}
	return 0;
}

int
mtr_reader_seek(struct trace_reader *tr, uint64_t index, struct errbuf *e)
{
	return position((struct mtr_reader *)tr, false, index, e);
}

static int
mtr_seek_time(struct trace_reader *tr, uint64_t cycle, struct errbuf *e)
{
	return position((struct mtr_reader *)tr, true, cycle, e);
}

static int
mtr_total(struct trace_reader *tr, uint64_t *count, struct errbuf *e)
{
	struct mtr_reader *r = (struct mtr_reader *)tr;
	uint64_t nblocks, index_off;
	off_t here = ftello(r->f);

	if (read_footer(r, count, &nblocks, &index_off, e) != 0)
		return stay(r, here);
	if (here < 0 || fseeko(r->f, here, SEEK_SET) != 0)
		return errbuf_set(e, "%s: cannot seek back to byte %llu", r->name,
		    (unsigned long long)r->off);
	return 0;
}

void
mtr_reader_stats(const struct trace_reader *tr, struct mtr_stats *s)
{
	const struct mtr_reader *r = (const struct mtr_reader *)tr;

	s->major = r->major;
	s->minor = r->minor;
	s->blocks = r->blocks;
	s->raw_bytes = r->raw_bytes;
}

int
mtr_inflate_only(const char *path, uint64_t *raw_bytes, struct errbuf *e)
{
	struct trace_reader *tr;
	const struct isa_instr *in;
	int rc;

	if (mtr_reader_open(path, &tr, e) != 0)
		return -1;
	((struct mtr_reader *)tr)->decode = false;
	while ((rc = mtr_next(tr, &in, e)) == 1)
		;
	*raw_bytes = ((struct mtr_reader *)tr)->raw_bytes;
	mtr_close(tr);
	return rc;
}
