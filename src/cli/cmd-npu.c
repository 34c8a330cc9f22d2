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

enum action { LIST, SHOW, CHECK };

struct options {
	enum action action;
	bool json;
	char **files;		/* show: one NAME or FILE; check: nfiles FILEs */
	int nfiles;
};

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const actions[] = { "list", "show", "check", NULL };
	struct options *o = opts;
	const char *fmt = NULL;
	int ch, a;

	while ((ch = cli_getopt(&cmd_npu, argc, argv, "h", longopts)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return CLI_DONE;
		}
		if (ch != OPT_FORMAT ||
		    cli_report_format(&cmd_npu, "--format", "ini", optarg, &o->json) != 0)
			return EXIT_ERROR;
		fmt = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cli_usage_error(&cmd_npu, "expected an action: list, show or check");
	for (a = 0; actions[a] != NULL && strcmp(argv[0], actions[a]) != 0; a++)
		;
	if (actions[a] == NULL)
		return cli_usage_error(&cmd_npu, "unknown action '%s', expected list, show or "
		    "check", argv[0]);
	o->action = (enum action)a;
	if (fmt != NULL && o->action != SHOW)
		return cli_usage_error(&cmd_npu, "%s: takes no --format", argv[0]);
	if (o->action == LIST && argc != 1)
		return cli_usage_error(&cmd_npu, "list: unexpected argument '%s'", argv[1]);
	if (o->action == SHOW && argc != 2)
		return cli_usage_error(&cmd_npu, "show: expected one NAME or FILE");
	if (o->action == CHECK && argc < 2)
		return cli_usage_error(&cmd_npu, "check: expected at least one FILE");
	o->files = argv + 1;
	o->nfiles = argc - 1;
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;

	(void)command;
	switch (o->action) {
	case LIST: return do_list();
	case SHOW: return do_show(o->files[0], o->json);
	default: return do_check(o->nfiles, o->files);
	}
}

const struct cmd cmd_npu = {
	"npu", "list, show and check NPU descriptions", sizeof(struct options), parse, act,
	usage,
};
