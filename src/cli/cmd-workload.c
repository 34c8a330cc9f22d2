/* mastrace workload: list and show attention workloads. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "cmd.h"
#include "json.h"
#include "npu.h"
#include "num.h"
#include "workload.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace workload list\n"
	    "       mastrace workload show [--seq N] [--npu NAME|FILE] [--format text|json]\n"
	    "                              [SPEC]\n"
	    "\n"
	    "List the workload presets, or show one workload's shape, its work and\n"
	    "its compulsory DRAM traffic.  SPEC is a preset name, a preset name\n"
	    "followed by ,key=value changes, or key=value pairs alone\n"
	    "(b, h, q, k, s, d, dqk, dv, bytes, causal); the default is "
	    WL_DEFAULT_PRESET ".\n"
	    "\n"
	    "Options:\n"
	    "      --seq N            set both the query and the key length to N\n"
	    "      --npu NAME|FILE    also show the ideal MAC and DRAM time bounds\n"
	    "                         on this NPU (a preset or an INI file)\n"
	    "      --format FMT       show as text (default) or json\n"
	    "  -h, --help             show this help and exit\n"
	    "\n"
	    "See mastrace-workload(1).\n", f);
}

static int
do_list(void)
{
	const struct wl_preset *p;
	char spec[WL_SPEC_MAX];
	size_t i;

	for (i = 0; i < wl_preset_count(); i++) {
		p = wl_preset_at(i);
		wl_format(&p->wl, spec, sizeof spec);
		printf("%-11s %s%s\n", p->name, spec,
		    strcmp(p->name, WL_DEFAULT_PRESET) == 0 ? " (default)" : "");
		printf("%-11s %s\n", "", p->summary);
	}
	return EXIT_OK;
}

static double
mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* Time a bound of `cycles` takes at the NPU clock, in microseconds. */
static double
usec(const struct npu *n, double cycles)
{
	return cycles / n->clock_mhz;
}

static void
show_bounds(const struct workload *w, const struct npu *n)
{
	struct bounds b;

	bounds_ideal(w, n, &b);
	printf("\nideal bounds on npu '%s' (%u MHz); no schedule can beat them:\n",
	    n->name, (unsigned)n->clock_mhz);
	printf("  %-15s %.0f cycles (%.1f us): %llu MACs at %llu per cycle\n", "MAC",
	    b.mac_cycles, usec(n, b.mac_cycles), (unsigned long long)b.macs,
	    (unsigned long long)npu_macs_per_cycle(n));
	printf("  %-15s %.0f cycles (%.1f us): %llu bytes at %.4g bytes per cycle\n", "DRAM",
	    b.dram_cycles, usec(n, b.dram_cycles), (unsigned long long)b.bytes,
	    npu_dram_bytes_per_cycle(n));
	printf("  %-15s %s (arithmetic intensity %.1f MACs/byte, machine balance %.1f)\n",
	    "bound by", b.mac_bound ? "MAC" : "DRAM", b.intensity, b.balance);
}

static void
show_json(const struct workload *w, const struct npu *n)
{
	char canon[WL_SPEC_MAX];
	struct bounds b;

	wl_format(w, canon, sizeof canon);
	printf("{\"workload\": ");
	json_string(stdout, w->name);
	printf(", \"spec\": ");
	json_string(stdout, canon);
	printf(", \"batch\": %u, \"heads\": %u, \"q_len\": %u, \"k_len\": %u, \"d_qk\": %u, "
	    "\"d_v\": %u, \"elem_bytes\": %u, \"causal\": %s, \"scores\": %llu, "
	    "\"macs_qk\": %llu, \"macs_pv\": %llu, \"compulsory_bytes\": %llu",
	    (unsigned)w->batch, (unsigned)w->heads, (unsigned)w->q_len, (unsigned)w->k_len,
	    (unsigned)w->d_qk, (unsigned)w->d_v, (unsigned)w->elem_bytes,
	    w->causal ? "true" : "false", (unsigned long long)wl_score_pairs(w),
	    (unsigned long long)wl_macs_qk(w), (unsigned long long)wl_macs_pv(w),
	    (unsigned long long)wl_compulsory_bytes(w));
	if (n != NULL) {
		bounds_ideal(w, n, &b);
		printf(", \"bounds\": {\"npu\": ");
		json_string(stdout, n->name);
		printf(", \"clock_mhz\": %u, \"mac_cycles\": %.0f, \"dram_cycles\": %.0f, "
		    "\"intensity_macs_per_byte\": %.3f, \"balance_macs_per_byte\": %.3f, "
		    "\"bound_by\": \"%s\"}", (unsigned)n->clock_mhz, b.mac_cycles, b.dram_cycles,
		    b.intensity, b.balance, b.mac_bound ? "mac" : "dram");
	}
	printf("}\n");
}

static int
do_show(const char *spec, const char *seq, const char *npu_arg, bool json)
{
	struct workload w;
	struct npu n;
	char canon[WL_SPEC_MAX];
	uint64_t pairs;

	if (cli_workload(&cmd_workload, spec, seq, &w) != 0 ||
	    (npu_arg != NULL && cli_npu(npu_arg, &n) != 0))
		return EXIT_ERROR;
	if (json) {
		show_json(&w, npu_arg != NULL ? &n : NULL);
		return EXIT_OK;
	}
	wl_format(&w, canon, sizeof canon);
	pairs = wl_score_pairs(&w);
	printf("workload %s\n", w.name);
	printf("  %-15s %s\n", "spec", canon);
	printf("  %-15s %u x %u heads\n", "batch x heads", (unsigned)w.batch, (unsigned)w.heads);
	printf("  %-15s %u queries x %u keys%s\n", "lengths", (unsigned)w.q_len,
	    (unsigned)w.k_len, w.causal ? ", causal" : "");
	printf("  %-15s %u (QK^T), %u (PV)\n", "head dims", (unsigned)w.d_qk, (unsigned)w.d_v);
	printf("  %-15s %u bytes\n", "element", (unsigned)w.elem_bytes);
	printf("  %-15s %llu (%.2f MiB as %u-byte elements)\n", "scores", (unsigned long long)pairs,
	    mib(pairs * w.elem_bytes), (unsigned)w.elem_bytes);
	printf("  %-15s %llu (QK^T %llu, PV %llu)\n", "MACs",
	    (unsigned long long)(wl_macs_qk(&w) + wl_macs_pv(&w)),
	    (unsigned long long)wl_macs_qk(&w), (unsigned long long)wl_macs_pv(&w));
	printf("  %-15s %llu bytes (%.2f MiB): Q, K, V read once, O written once\n",
	    "DRAM minimum", (unsigned long long)wl_compulsory_bytes(&w),
	    mib(wl_compulsory_bytes(&w)));
	if (npu_arg != NULL)
		show_bounds(&w, &n);
	return EXIT_OK;
}

struct options {
	bool list, json;
	const char *spec, *seq, *npu;
};

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_SEQ = 256, OPT_NPU, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "npu", required_argument, NULL, OPT_NPU },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	struct options *o = opts;
	const char *fmt = NULL;
	int ch;

	while ((ch = cli_getopt(&cmd_workload, argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case OPT_SEQ: o->seq = optarg; break;
		case OPT_NPU: o->npu = optarg; break;
		case OPT_FORMAT:
			if (cli_report_format(&cmd_workload, "--format", "text", optarg,
			    &o->json) != 0)
				return EXIT_ERROR;
			fmt = optarg;
			break;
		default: return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cli_usage_error(&cmd_workload, "expected an action: list or show");
	if (strcmp(argv[0], "list") == 0) {
		if (argc != 1)
			return cli_usage_error(&cmd_workload, "list: unexpected argument '%s'",
			    argv[1]);
		if (o->seq != NULL || o->npu != NULL || fmt != NULL)
			return cli_usage_error(&cmd_workload, "list: takes no options");
		o->list = true;
		return 0;
	}
	if (strcmp(argv[0], "show") != 0)
		return cli_usage_error(&cmd_workload, "unknown action '%s', expected list or show",
		    argv[0]);
	if (argc > 2)
		return cli_usage_error(&cmd_workload, "show: expected at most one SPEC");
	o->spec = argc == 2 ? argv[1] : WL_DEFAULT_PRESET;
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;

	(void)command;
	return o->list ? do_list() : do_show(o->spec, o->seq, o->npu, o->json);
}

const struct cmd cmd_workload = {
	"workload", "list and show attention workloads", sizeof(struct options), parse, act,
	usage,
};
