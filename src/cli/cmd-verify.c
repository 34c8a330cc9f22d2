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

static int
run(int argc, char **argv)
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
	char buf[NUM_TEXT_MAX];
	struct verify_result r;
	struct meter m;
	struct errbuf e;
	uint64_t seed = 1, orders = 4, threads = 0, max_work = VERIFY_MAX_WORK;
	bool quiet = false;
	int ch, rc;

	while ((ch = cli_getopt(&cmd_verify, argc, argv, "hq", longopts)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'q':
			quiet = true;
			break;
		case OPT_THREADS:
			if (num_parse_u64(optarg, &threads) != 0 || threads < 1 || threads > 64)
				return cli_usage_error(&cmd_verify, "--threads: got '%s', expected an "
				    "integer from 1 to 64", optarg);
			break;
		case OPT_MAX_WORK:
			if (num_parse_count(optarg, &max_work) != 0 || max_work == 0)
				return cli_usage_error(&cmd_verify, "--max-work: got '%s', expected a "
				    "positive count of operations, such as 2e13 or 20T", optarg);
			break;
		case OPT_SEED:
			if (num_parse_u64(optarg, &seed) != 0)
				return cli_usage_error(&cmd_verify, "--seed: got '%s', expected a "
				    "non-negative integer", optarg);
			break;
		case OPT_ORDERS:
			if (num_parse_u64(optarg, &orders) != 0 || orders < 1 || orders > 1000)
				return cli_usage_error(&cmd_verify, "--orders: got '%s', expected an "
				    "integer from 1 to 1000", optarg);
			break;
		default:
			return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_verify, "expected one TRACE");
	meter_init(&m, "verify", "instructions executed", quiet);
	rc = verify_trace(argv[optind], &(struct verify_opts){ .seed = seed,
	    .orders = (unsigned)orders, .threads = (unsigned)threads, .max_work = max_work,
	    .progress = meter_progress(&m) }, &r, &e);
	meter_done(&m);
	if (rc != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (!(r.max_err <= VERIFY_TOLERANCE)) {
		cli_error("%s: FAILED: max abs error %.3g (limit %.0e) in order %u of %u (seed "
		    "%llu): %s", argv[optind], r.max_err, VERIFY_TOLERANCE, r.worst_order + 1,
		    r.orders, (unsigned long long)seed, r.where);
		return EXIT_ERROR;
	}
	printf("%s: ok: %s instructions in %u order%s (seed %llu), max abs error %.3g "
	    "(limit %.0e)\n", argv[optind], num_group(r.instructions, buf), r.orders,
	    r.orders == 1 ? "" : "s", (unsigned long long)seed, r.max_err, VERIFY_TOLERANCE);
	return EXIT_OK;
}

const struct cmd cmd_verify = {
	"verify", "execute a trace on real data and check it computes exact attention", run, usage,
};
