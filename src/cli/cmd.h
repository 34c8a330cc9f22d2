/* cmd: the subcommands of the mastrace program. */
#ifndef MASTRACE_CMD_H
#define MASTRACE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "npu.h"
#include "schedule.h"
#include "workload.h"

/* Exit statuses, documented in mastrace(1). */
#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_TROUBLE 2	/* diff: could not compare */

/*
 * A command parses its options into a struct of its own, then acts on
 * it: main() gives parse() a zeroed struct of opts_size bytes on the
 * heap, and calls act() when parse() returns 0.  parse() returns
 * CLI_DONE when it did all there was to do (--help, --list), else the
 * exit status of the usage error it reported.
 */
#define CLI_DONE (-1)

struct cmd {
	const char *name;
	const char *summary;
	size_t opts_size;
	/* argv[0] is the command's name */
	int (*parse)(int argc, char **argv, void *opts);
	/*
	 * The exit status.  `command` is the command line as given, joined
	 * before parse() reordered it, for the headers of traces it writes.
	 */
	int (*act)(void *opts, const char *command);
	/* the full --help text */
	void (*usage)(FILE *f);
};

extern const struct cmd cmd_npu;
extern const struct cmd cmd_workload;
extern const struct cmd cmd_info;
extern const struct cmd cmd_convert;
extern const struct cmd cmd_schedule;
extern const struct cmd cmd_verify;
extern const struct cmd cmd_replay;
extern const struct cmd cmd_stats;
extern const struct cmd cmd_export;
extern const struct cmd cmd_diff;
extern const struct cmd cmd_compare;
extern const struct cmd cmd_view;

/*
 * Messages follow one convention, documented in mastrace(1):
 * "mastrace: COMMAND: FILE: PLACE: what was expected", once.
 */

/* The subcommand that runs, whose name prefixes every message. */
void cli_set_command(const struct cmd *c);

/* Print "mastrace: COMMAND: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "mastrace: COMMAND: warning: MESSAGE" on stderr. */
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * getopt_long() for subcommands, in GNU order (options may follow operands).
 * Reports unknown, ambiguous and incomplete options as "mastrace: NAME: ..."
 * plus a pointer to --help and returns -2 then (the caller returns EXIT_ERROR).
 * main() resets getopt before a subcommand runs.
 */
int cli_getopt(const struct cmd *c, int argc, char **argv, const char *shortopts,
    const void *longopts);

/* "mastrace: NAME: MESSAGE" and the --help pointer; returns EXIT_ERROR. */
int cli_usage_error(const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A report's format option (--format, --stats): `plain` ("text", "ini") or
 * "json", setting *json; anything else is a usage error (EXIT_ERROR).
 */
int cli_report_format(const struct cmd *c, const char *option, const char *plain, const char *arg,
    bool *json);

/*
 * A positive count (num_parse_count(): 2000000, 2e9, 4G) for an option
 * such as --max-instructions; anything else is a usage error (EXIT_ERROR).
 */
int cli_parse_count(const struct cmd *c, const char *option, const char *arg, uint64_t *v);

/* ---- the options commands share (opts.c) ----
 * Each reports what is wrong as the convention says (a usage error with
 * the --help pointer for a malformed option, a plain error for a file
 * that cannot be used) and returns EXIT_ERROR; 0 on success.
 */
int cli_parse_sched(const struct cmd *c, const char *option, const char *arg,
    const struct sched **out);
/* "-s mas,flat": every name known, none twice, at most max. */
int cli_parse_sched_list(const struct cmd *c, const char *arg, const struct sched **out,
    unsigned max, unsigned *n);
/* --seq N, from 1 to WL_MAX_SEQ; lists: none twice. */
int cli_parse_seq(const struct cmd *c, const char *arg, uint64_t *seq);
int cli_parse_seq_list(const struct cmd *c, const char *arg, uint64_t *seq, unsigned max,
    unsigned *n);
/*
 * "-w bert-base,vit-b16,b=2,h=4" or "all": presets and shapes split at
 * commas, a piece with '=' belonging to the workload before it; none
 * twice (by shape), at most max, appended to wl[*n].
 */
int cli_parse_workload_list(const struct cmd *c, const char *arg, struct workload *wl,
    unsigned max, unsigned *n);
/* -w SPEC with --seq N (NULL: as the spec says) into w. */
int cli_workload(const struct cmd *c, const char *spec, const char *seq, struct workload *w);
/* --npu: a preset or an INI file. */
int cli_npu(const char *arg, struct npu *n);
/* -t TILING for dataflow s (NULL or "": nothing asked); option prefixes the message. */
int cli_parse_tiling(const struct cmd *c, const char *option, const struct sched *s,
    const char *text, struct tiling *t);
/* -j N, threads from 1 to 256. */
int cli_parse_jobs(const struct cmd *c, const char *arg, unsigned *jobs);
/* One of names (NULL-terminated): its index in *index. */
int cli_parse_choice(const struct cmd *c, const char *option, const char *arg,
    const char *const *names, int *index);
/*
 * The next comma-separated piece of *p into buf: 1 with *p past it, 0 at
 * the end, -1 for an empty piece or one longer than len - 1.
 */
int cli_next_piece(const char **p, char *buf, size_t len);

/* "mastrace ARGV..." for a trace's header; call before getopt reorders argv. */
void cli_join_args(int argc, char **argv, char *buf, size_t len);

/*
 * Flush and close standard output; a failed write (a full disk, a closed
 * pipe) is reported and returns -1, so that the command exits 1.  After a
 * command that failed (and said why), it is not reported again.
 */
int cli_close_stdout(bool failed);
/*
 * Flush standard output now (a command whose exit status depends on it);
 * a failure is reported once, here or by cli_close_stdout(), and returns -1.
 */
int cli_flush_stdout(void);

/*
 * Refuse an output that is one of the command's inputs under any name
 * (the same path, ./path, a symlink, a hard link: outfile_same_file()):
 * reports it and returns EXIT_ERROR, else 0.  NULL inputs are skipped,
 * and so is a NULL output.
 */
int cli_refuse_input(const char *out, const char *const *in, size_t n);
/* The file an --npu argument names, or NULL for a preset (or no argument). */
const char *cli_npu_file(const char *arg);

#endif
