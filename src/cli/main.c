/* mastrace: dispatch to the subcommands. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "cmd.h"
#include "linalg.h"
#include "outfile.h"

static const struct cmd *const cmds[] = {
	&cmd_compare,
	&cmd_npu,
	&cmd_workload,
	&cmd_schedule,
	&cmd_verify,
	&cmd_replay,
	&cmd_stats,
	&cmd_export,
	&cmd_diff,
	&cmd_view,
	&cmd_info,
	&cmd_convert,
};

#define NCMDS ARRAY_LEN(cmds)

static void
usage(FILE *f)
{
	size_t i;

	fputs("Usage: mastrace [--help] [--version] COMMAND [ARGS]\n"
	    "\n"
	    "Plan, verify, replay and export instruction traces of exact attention\n"
	    "(MAS-Attention, FLAT and other dataflows) on a parameterized edge NPU.\n"
	    "\n"
	    "Commands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "show the help of a command");
	fputs("\n"
	    "Options:\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n"
	    "\n"
	    "Run 'mastrace help COMMAND' for a command's options; see mastrace(1).\n", f);
}

static void
short_usage(void)
{
	fputs("Usage: mastrace [--help] [--version] COMMAND [ARGS]\n"
	    "Try 'mastrace --help' for the list of commands.\n", stderr);
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i]->name, name) == 0)
			return cmds[i];
	return NULL;
}

static int
help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		cli_error("help: expected one command name, got %d", argc - 1);
		return EXIT_ERROR;
	}
	c = find_cmd(argv[1]);
	if (c == NULL) {
		cli_error("help: unknown command '%s'", argv[1]);
		short_usage();
		return EXIT_ERROR;
	}
	c->usage(stdout);
	return EXIT_OK;
}

/*
 * verify's products run through OpenBLAS, which picks its kernels when the
 * program loads.  Where it fell back to generic ones on a processor it does
 * not know, the program runs itself again, once, with OPENBLAS_CORETYPE
 * naming kernels the processor has (see mastrace-verify(1)).
 */
static void
blas_tune(char **whole)
{
	const char *core;

	if (getenv("OPENBLAS_CORETYPE") != NULL || (core = linalg_better_core()) == NULL)
		return;
	if (setenv("OPENBLAS_CORETYPE", core, 1) != 0)
		return;
	fflush(NULL);
	execv("/proc/self/exe", whole);
	unsetenv("OPENBLAS_CORETYPE");	/* no /proc: go on with the kernels there are */
}

/* Parse, then act: what every command does with its own options struct. */
static int
run_cmd(const struct cmd *c, int argc, char **argv)
{
	char command[1024];
	void *opts;
	int rc;

	cli_join_args(argc, argv, command, sizeof command);	/* before getopt reorders argv */
	if ((opts = calloc(1, c->opts_size ? c->opts_size : 1)) == NULL) {
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	rc = c->parse(argc, argv, opts);
	if (rc == 0)
		rc = c->act(opts, command);
	else if (rc == CLI_DONE)
		rc = EXIT_OK;
	free(opts);
	return rc;
}

static int
run(int argc, char **argv)
{
	char **whole = argv;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("mastrace %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				cli_error("unknown option '%s'", argv[optind - 1]);
			else
				cli_error("unknown option '-%c'", optopt);
			short_usage();
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		cli_error("no command given");
		short_usage();
		return EXIT_ERROR;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* full getopt reset for the subcommand's own options */
	if (strcmp(argv[0], "help") == 0)
		return help(argc, argv);
	c = find_cmd(argv[0]);
	if (c == NULL) {
		cli_error("unknown command '%s'", argv[0]);
		short_usage();
		return EXIT_ERROR;
	}
	cli_set_command(c);
	if (c == &cmd_verify)
		blas_tune(whole);
	return run_cmd(c, argc, argv);
}

/*
 * SIGINT, SIGTERM, SIGHUP: remove the temporaries of outputs not yet
 * complete (only where O_TMPFILE is missing; unnamed ones go with the
 * process), then die of the signal as if nothing had caught it.
 */
static void
on_signal(int sig)
{
	outfile_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);	/* nohup's SIG_IGN stays */
}

int
main(int argc, char **argv)
{
	int rc;

	catch_signals();
	rc = run(argc, argv);
	/* a command that failed has said why; a lost report is then not news */
	if (cli_close_stdout(rc != EXIT_OK) != 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}
