/* export-opts: the exporter's options, formats, time arguments, tracks and annotation keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "export-int.h"
#include "num.h"

const char *const export_key_names[EK_N_KEYS] = {
	[EK_ID] = "id", [EK_OP] = "op", [EK_UNIT] = "unit", [EK_BATCH] = "batch",
	[EK_HEAD] = "head", [EK_ROW_BLOCK] = "row_block", [EK_COL_BLOCK] = "col_block",
	[EK_SUB_TILE] = "sub_tile", [EK_M] = "m", [EK_N] = "n", [EK_K] = "k",
	[EK_BYTES] = "bytes", [EK_MACS] = "macs", [EK_VEC_OPS] = "vec_ops",
	[EK_FLAGS] = "flags", [EK_SRC0] = "src0", [EK_SRC1] = "src1", [EK_SRC2] = "src2",
	[EK_DST0] = "dst0", [EK_DST1] = "dst1", [EK_DEPS] = "deps",
	[EK_PLAN_START] = "plan_start_cycle", [EK_PLAN_END] = "plan_end_cycle",
	[EK_START] = "start_cycle", [EK_END] = "end_cycle", [EK_CYCLES] = "cycles",
	[EK_BUSY] = "busy_cycles", [EK_STALL] = "stall_cycles", [EK_CAUSE] = "stall_cause",
	[EK_WAITED_FOR] = "waited_for", [EK_REQUESTED] = "requested_bytes_per_cycle",
	[EK_GRANTED] = "granted_bytes_per_cycle", [EK_VICTIM] = "victim",
	[EK_FOR] = "made_room_for",
};

const char *
export_track_name(unsigned t, char *buf, size_t len)
{
	char unit[8];

	if (t == EXPORT_TRK_ROOT)
		return "trace";
	if (t < EXPORT_TRK_SPILLS)
		return isa_unit_name(t - EXPORT_TRK_UNIT0, buf, len);
	if (t == EXPORT_TRK_SPILLS)
		return "spills and fills";
	if (t == EXPORT_TRK_L1)
		return "L1 resident";
	if (t == EXPORT_TRK_DRAM)
		return "DRAM bandwidth";
	if (t < EXPORT_TRK_LANE0)
		snprintf(buf, len, "%s utilisation", isa_unit_name(t - EXPORT_TRK_UTIL0, unit,
		    sizeof unit));
	else
		snprintf(buf, len, "%s #%u", isa_unit_name((t - EXPORT_TRK_LANE0) /
		    (EXPORT_LANES - 1), unit, sizeof unit), (t - EXPORT_TRK_LANE0) % (EXPORT_LANES - 1) + 2);
	return buf;
}

int
export_track_rank(unsigned t)
{
	const int units = ISA_NUNITS * EXPORT_LANES;

	if (t == EXPORT_TRK_ROOT)
		return 0;
	if (t < EXPORT_TRK_SPILLS)
		return 1 + (int)(t - EXPORT_TRK_UNIT0) * EXPORT_LANES;
	if (t >= EXPORT_TRK_LANE0)
		return 1 + (int)((t - EXPORT_TRK_LANE0) / (EXPORT_LANES - 1)) * EXPORT_LANES +
		    (int)((t - EXPORT_TRK_LANE0) % (EXPORT_LANES - 1)) + 1;
	return 1 + units + (int)(t - EXPORT_TRK_SPILLS);
}

const char *
export_track_unit(unsigned t)
{
	if (t == EXPORT_TRK_L1)
		return "bytes";
	if (t == EXPORT_TRK_DRAM)
		return "GB/s";
	return t > EXPORT_TRK_DRAM && t < EXPORT_TRK_LANE0 ? "%" : NULL;
}

void
export_opts_default(struct export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = EXPORT_FMT_PERFETTO;
	o->flows = EXPORT_FLOWS_CRITICAL;
}

int
export_time_parse(const char *s, struct export_time *t, char *why, size_t len)
{
	static const struct { const char *suffix; double us; } units[] = {
		{ "ns", 1e-3 }, { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 },
	};
	char *end;
	double v;
	size_t i;

	memset(t, 0, sizeof *t);
	if (num_parse_u64(s, &t->n) == 0) {
		t->set = t->cycles = true;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !(v >= 0) || v > 1e15) {
		snprintf(why, len, "got '%s', expected cycles or a time such as 150us", s);
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(units); i++)
		if (strcmp(end, units[i].suffix) == 0) {
			t->set = true;
			t->us = v * units[i].us;
			return 0;
		}
	snprintf(why, len, "got '%s', expected cycles or a number with a unit: ns, us, ms or s", s);
	return -1;
}

uint64_t
export_time_cycles(const struct export_time *t, uint32_t clock_mhz, uint64_t dflt)
{
	double c;

	if (!t->set)
		return dflt;
	if (t->cycles)
		return t->n;
	c = t->us * clock_mhz;
	return c >= 1.8e19 ? UINT64_MAX : (uint64_t)(c + 0.5);
}

enum export_format
export_format_named(const char *name)
{
	if (strcmp(name, "perfetto") == 0)
		return EXPORT_FMT_PERFETTO;
	if (strcmp(name, "json") == 0)
		return EXPORT_FMT_JSON;
	if (strcmp(name, "csv") == 0)
		return EXPORT_FMT_CSV;
	if (strcmp(name, "text") == 0)
		return EXPORT_FMT_TEXT;
	return EXPORT_FMT_UNKNOWN;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && strncmp(s + n - k, suffix, k) == 0;
}

enum export_format
export_format_for_path(const char *path, bool *gzip)
{
	size_t n = strlen(path);

	*gzip = ends_with(path, n, ".gz");
	if (*gzip)
		n -= 3;
	if (ends_with(path, n, ".pftrace") || ends_with(path, n, ".perfetto-trace") ||
	    ends_with(path, n, ".pb"))
		return EXPORT_FMT_PERFETTO;
	if (ends_with(path, n, ".json"))
		return EXPORT_FMT_JSON;
	if (ends_with(path, n, ".csv"))
		return EXPORT_FMT_CSV;
	if (ends_with(path, n, ".mtt") || ends_with(path, n, ".txt"))
		return EXPORT_FMT_TEXT;
	return EXPORT_FMT_UNKNOWN;
}

