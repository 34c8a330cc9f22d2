/* export: a trace as Perfetto, Chrome JSON, CSV or text, for viewers and scripts. */
#ifndef MASTRACE_EXPORT_H
#define MASTRACE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"
#include "isa.h"
#include "progress.h"

enum export_format {
	EXPORT_FMT_UNKNOWN,
	EXPORT_FMT_PERFETTO,	/* native protobuf TrackEvent (.pftrace) */
	EXPORT_FMT_JSON,	/* Chrome trace-event JSON (.json) */
	EXPORT_FMT_CSV,		/* one row per instruction (.csv) */
	EXPORT_FMT_TEXT,	/* the lossless text trace format (.mtt) */
};

/* Which dependencies become flow arrows. */
enum export_flows { EXPORT_FLOWS_CRITICAL, EXPORT_FLOWS_ALL, EXPORT_FLOWS_NONE };

/* A time on the command line: cycles, or a duration the NPU clock turns into cycles. */
struct export_time {
	bool set;
	bool cycles;		/* n is a cycle count; else us is microseconds */
	uint64_t n;
	double us;
};

/* "1200" (cycles), "1.5us", "200ns", "3ms", "1s"; 0, or -1 with the reason in why. */
int export_time_parse(const char *s, struct export_time *t, char *why, size_t len);
/* A time in cycles at the NPU clock (saturating); `dflt` when unset. */
uint64_t export_time_cycles(const struct export_time *t, uint32_t clock_mhz, uint64_t dflt);

struct export_opts {
	enum export_format format;
	bool gzip;		/* compress the output with gzip */
	bool planned;		/* export planned times even where replayed ones exist */
	enum export_flows flows;
	struct export_time from, to;	/* the window: instructions running in [from, to) */
	struct export_time util_window;	/* per utilisation sample; unset: one microsecond */
	const struct progress *progress;	/* export_file(): instructions read, all passes */
	/*
	 * Several traces in one Perfetto output (diff's combined trace):
	 * export_file() writes into `into`, an output the caller opened and
	 * closes, ignoring its `out`; `part` keeps each trace's tracks, flows
	 * and packet sequence apart, and `label` starts its root track's name.
	 */
	struct zout *into;
	unsigned part;
	const char *label;
};

/* Perfetto, critical-path flows, the whole trace. */
void export_opts_default(struct export_opts *o);

/* "perfetto", "json", "csv", "text"; UNKNOWN otherwise. */
enum export_format export_format_named(const char *name);
/*
 * By the output's name: .pftrace (and .perfetto-trace, .pb), .json, .csv,
 * .mtt, each optionally followed by .gz (then *gzip is set).  UNKNOWN when
 * the name says nothing.
 */
enum export_format export_format_for_path(const char *path, bool *gzip);
/* The formats and their extensions, for messages. */
#define EXPORT_FORMATS "perfetto (.pftrace), json (.json), csv (.csv) or text (.mtt)"

/* What an export wrote, for messages and benchmarks. */
struct export_counts {
	uint64_t read, slices, instants, counters, flows, spills, fills;
	uint64_t flows_lost;		/* --flows all: producers too far back to draw */
	uint64_t late;			/* counter changes shown late (see the man page) */
	unsigned long long bytes;	/* before compression */
};
/*
 * Export the trace `in` ("-" for standard input) to `out` ("-" for standard
 * output).  Critical-path flows read the input twice, so they need a file.
 * On failure nothing is left under `out`.  What it wrote goes to c.  0, or
 * -1 with the reason in e.
 */
int export_file(const char *in, const char *out, const struct export_opts *o,
    struct export_counts *c, struct errbuf *e);

/*
 * Exporting as a trace is made, from a scheduler's output or a replay's
 * observer, with no file in between: export_new() takes the header the
 * trace would carry, export_push() each instruction in id order (checked
 * like a reader's), export_finish() commits the output.  The critical path
 * needs the whole trace first, so flows are all or none here; the output
 * is opened at the first instruction (it tells planned from replayed).
 */
struct export;
struct replay_observer;
struct export *export_new(const char *out, const struct trace_header *h, const struct export_opts *o,
    struct export_counts *counts, struct errbuf *e);
int export_push(struct export *x, const struct isa_instr *in, struct errbuf *e);
/* An observer of a replay: its instructions, and its own L1 level and DRAM use as counters. */
void export_observer(struct replay_observer *ob, struct export *x);
/* Commit the output; 0 or -1 with the reason (then nothing is left).  Frees x. */
int export_finish(struct export *x, struct errbuf *e);
/* Discard the output and free x; NULL is fine. */
void export_abort(struct export *x);

/*
 * A series of values as a Perfetto counter track named `name` (in `unit`)
 * under a root track `root` of its own, written into z beside the parts
 * export_file() wrote there (`part` after theirs): v[i] holds from ns[i].
 */
struct zout;
int export_perfetto_series(struct zout *z, unsigned part, const char *root, const char *name,
    const char *unit, const uint64_t *ns, const double *v, size_t n, struct errbuf *e);

#endif
