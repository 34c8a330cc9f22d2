/* mastrace npu: list, show and check NPU descriptions. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "npu.h"
#include "num.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace npu list\n"
	    "       mastrace npu show [--format ini|json] NAME|FILE\n"
	    "       mastrace npu check FILE...\n"
	    "\n"
	    "List the compiled-in NPU presets, print one (or a file, normalized) as a\n"
	    "complete INI description that can be edited and loaded back with\n"
	    "--npu FILE, or check descriptions for errors.\n"
	    "\n"
	    "Options:\n"
	    "      --format FMT  show as an INI file (default) or as JSON\n"
	    "  -h, --help        show this help and exit\n"
	    "\n"
	    "The file format is mastrace-npu(5); see also mastrace-npu(1).\n", f);
}

static int
do_list(void)
{
	const struct npu_preset *p;
	char line[160];
	size_t i;

	for (i = 0; i < npu_preset_count(); i++) {
		p = npu_preset_at(i);
		npu_summary(&p->npu, line, sizeof line);
		printf("%-14s %s%s\n", p->name, line,
		    strcmp(p->name, NPU_DEFAULT_PRESET) == 0 ? " (default)" : "");
		printf("%-14s %s\n", "", p->summary);
	}
	return EXIT_OK;
}

/* Every key, grouped by section, numbers as numbers: the same keys as the INI file. */
static void
show_json(const struct npu *n)
{
	const char *section, *name, *last = NULL;
	char value[512];
	double d;
	size_t k;

	printf("{");
	for (k = 0; k < npu_key_count(); k++) {
		npu_key_get(n, k, &section, &name, value, sizeof value);
		if (last == NULL || strcmp(section, last) != 0) {
			printf("%s\n  \"%s\": {", last == NULL ? "" : "},", section);
			last = section;
		} else {
			printf(", ");
		}
		printf("\"%s\": ", name);
		/* names are strings even when they look like numbers ("1e5") */
		if (strcmp(name, "name") != 0 && strcmp(name, "description") != 0 &&
		    (value[0] == '-' || (value[0] >= '0' && value[0] <= '9')) &&
		    num_parse_double(value, &d) == 0)
			printf("%s", value);
		else
			json_string(stdout, value);
	}
	printf("%s\n}\n", last == NULL ? "" : "}");
}

static int
do_show(const char *arg, bool json)
{
	const struct npu_preset *p = npu_preset_find(arg);
	struct errbuf e;
	struct npu n;

	if (npu_resolve(arg, &n, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (json) {
		show_json(&n);
		return EXIT_OK;
	}
	/* a write error is reported once, as a write error of standard output */
	npu_write_ini(stdout, &n, p != NULL ? p->sources : NULL);
	return cli_flush_stdout() == 0 ? EXIT_OK : EXIT_ERROR;
}

static int
do_check(int argc, char **argv)
{
	struct errbuf e;
	struct npu n;
	char line[160];
	int i, status = EXIT_OK;

	for (i = 0; i < argc; i++) {
		if (npu_load_file(argv[i], &n, &e) != 0) {
			cli_error("%s", e.msg);
			status = EXIT_ERROR;
			continue;
		}
		npu_summary(&n, line, sizeof line);
		printf("%s: ok: '%s', %s\n", argv[i], n.name, line);
	}
	return status;
}

static int
run(int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	const char *action, *fmt = NULL;
	bool json = false;
	int ch;

	while ((ch = cli_getopt(&cmd_npu, argc, argv, "h", longopts)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		if (ch != OPT_FORMAT)
			return EXIT_ERROR;
		if (cli_report_format(&cmd_npu, "--format", "ini", optarg, &json) != 0)
			return EXIT_ERROR;
		fmt = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cli_usage_error(&cmd_npu, "expected an action: list, show or check");
	action = argv[0];
	if (fmt != NULL && strcmp(action, "show") != 0)
		return cli_usage_error(&cmd_npu, "%s: takes no --format", action);
	if (strcmp(action, "list") == 0) {
		if (argc != 1)
			return cli_usage_error(&cmd_npu, "list: unexpected argument '%s'", argv[1]);
		return do_list();
	}
	if (strcmp(action, "show") == 0) {
		if (argc != 2)
			return cli_usage_error(&cmd_npu, "show: expected one NAME or FILE");
		return do_show(argv[1], json);
	}
	if (strcmp(action, "check") == 0) {
		if (argc < 2)
			return cli_usage_error(&cmd_npu, "check: expected at least one FILE");
		return do_check(argc - 1, argv + 1);
	}
	return cli_usage_error(&cmd_npu, "unknown action '%s', expected list, show or check",
	    action);
}

const struct cmd cmd_npu = {
	"npu", "list, show and check NPU descriptions", run, usage,
};
