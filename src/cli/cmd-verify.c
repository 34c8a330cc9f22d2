/* mastrace verify: does a trace compute exact attention? */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "meter.h"
#include "num.h"
#include "verify.h"

#define VERIFY_TOLERANCE 1e-4

static void
usage(FILE *f)
{
	fputs("Usage: mastrace verify [--seed N] [--orders K] [--threads N] [--max-work N]\n"
	    "                       [-q] TRACE\n"
	    "\n"
	    "Execute every instruction of TRACE on fp32 data (random Q, K and V of the\n"
	    "trace's workload) following its semantics and buffer regions: once in trace\n"
	    "order and K-1 times in random orders that keep each unit's program order\n"
	    "and every dependency.  Compare O with attention computed plainly; the\n"
	    "trace passes when the largest error is at most 1e-4.  A missing dependency\n"
	    "or an overwrite before the last read shows up as a wrong or NaN output.\n"
	    "Spill and fill traffic of a replayed trace is executed too.  A run that\n"
	    "would take more than --max-work operations (multiply-adds, or elements\n"
	    "stepped or moved) is refused before it starts, with the estimate.\n"
	    "\n"
	    "Options:\n"
	    "      --seed N       seed of the data and the orders (default 1)\n"
	    "      --orders K     orders to run, 1 to 1000 (default 4)\n"
	    "      --threads N    orders run at once, 1 to 64 (default: one per processor)\n"
	    "      --max-work N   the most operations to run, e.g. 2e13 or 20T (default\n"
	    "                     4.4T, a few minutes on two cores)\n"
	    "  -q, --quiet        no progress line on a terminal\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-verify(1).\n", f);
}

struct options {
	const char *path;
	struct verify_opts v;
	bool quiet;
};

/* An integer option from lo to hi (hi 0: no bound). */
static int
count_opt(const char *option, const char *arg, uint64_t lo, uint64_t hi, uint64_t *v)
{
	if (num_parse_u64(arg, v) == 0 && *v >= lo && (hi == 0 || *v <= hi))
		return 0;
	if (hi == 0)
		return cli_usage_error(&cmd_verify, "%s: got '%s', expected a non-negative integer",
		    option, arg);
	return cli_usage_error(&cmd_verify, "%s: got '%s', expected an integer from %llu to %llu",
	    option, arg, (unsigned long long)lo, (unsigned long long)hi);
}

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_SEED = 256, OPT_ORDERS, OPT_THREADS, OPT_MAX_WORK };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "orders", required_argument, NULL, OPT_ORDERS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-work", required_argument, NULL, OPT_MAX_WORK },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct options *o = opts;
	uint64_t orders = 4, threads = 0;
	int ch, rc = 0;

	o->v.seed = 1;
	o->v.max_work = VERIFY_MAX_WORK;
	while (rc == 0 && (ch = cli_getopt(&cmd_verify, argc, argv, "hq", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 'q': o->quiet = true; break;
		case OPT_THREADS: rc = count_opt("--threads", optarg, 1, 64, &threads); break;
		case OPT_SEED: rc = count_opt("--seed", optarg, 0, 0, &o->v.seed); break;
		case OPT_ORDERS: rc = count_opt("--orders", optarg, 1, 1000, &orders); break;
		case OPT_MAX_WORK:
			if (num_parse_count(optarg, &o->v.max_work) != 0 || o->v.max_work == 0)
				rc = cli_usage_error(&cmd_verify, "--max-work: got '%s', expected a "
				    "positive count of operations, such as 2e13 or 20T", optarg);
			break;
		default: return EXIT_ERROR;
		}
	}
	if (rc != 0)
		return EXIT_ERROR;
	if (argc - optind != 1)
		return cli_usage_error(&cmd_verify, "expected one TRACE");
	o->path = argv[optind];
	o->v.orders = (unsigned)orders;
	o->v.threads = (unsigned)threads;
	return 0;
}

static int
act(void *opts, const char *command)
{
	struct options *o = opts;
	char buf[NUM_TEXT_MAX];
	struct verify_result r;
	struct meter m;
	struct errbuf e;
	int rc;

	(void)command;
	meter_init(&m, "verify", "instructions executed", o->quiet);
	o->v.progress = meter_progress(&m);
	rc = verify_trace(o->path, &o->v, &r, &e);
	meter_done(&m);
	if (rc != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (!(r.max_err <= VERIFY_TOLERANCE)) {
		cli_error("%s: FAILED: max abs error %.3g (limit %.0e) in order %u of %u (seed "
		    "%llu): %s", o->path, r.max_err, VERIFY_TOLERANCE, r.worst_order + 1,
		    r.orders, (unsigned long long)o->v.seed, r.where);
		return EXIT_ERROR;
	}
	printf("%s: ok: %s instructions in %u order%s (seed %llu), max abs error %.3g "
	    "(limit %.0e)\n", o->path, num_group(r.instructions, buf), r.orders,
	    r.orders == 1 ? "" : "s", (unsigned long long)o->v.seed, r.max_err, VERIFY_TOLERANCE);
	return EXIT_OK;
}

const struct cmd cmd_verify = {
	"verify", "execute a trace on real data and check it computes exact attention",
	sizeof(struct options), parse, act, usage,
};
