/* mastrace verify: does a trace compute exact attention? */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "num.h"
#include "verify.h"

#define VERIFY_TOLERANCE 1e-4

static void
usage(FILE *f)
{
	fputs("Usage: mastrace verify [--seed N] [--orders K] TRACE\n"
	    "\n"
	    "Execute every instruction of TRACE on fp32 data (random Q, K and V of the\n"
	    "trace's workload) following its semantics and buffer regions: once in trace\n"
	    "order and K-1 times in random orders that keep each unit's program order\n"
	    "and every dependency.  Compare O with attention computed plainly; the\n"
	    "trace passes when the largest error is at most 1e-4.  A missing dependency\n"
	    "or an overwrite before the last read shows up as a wrong or NaN output.\n"
	    "\n"
	    "Options:\n"
	    "      --seed N       seed of the data and the orders (default 1)\n"
	    "      --orders K     orders to run, 1 to 1000 (default 4)\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-verify(1).\n", f);
}

static int
run(int argc, char **argv)
{
	enum { OPT_SEED = 256, OPT_ORDERS };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "orders", required_argument, NULL, OPT_ORDERS },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_result r;
	struct errbuf e;
	uint64_t seed = 1, orders = 4;
	int ch;

	while ((ch = cli_getopt(&cmd_verify, argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
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
	if (verify_trace(argv[optind], seed, (unsigned)orders, &r, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (!(r.max_err <= VERIFY_TOLERANCE)) {
		cli_error("%s: FAILED: max abs error %.3g (limit %.0e) in order %u of %u (seed "
		    "%llu): %s", argv[optind], r.max_err, VERIFY_TOLERANCE, r.worst_order + 1,
		    r.orders, (unsigned long long)seed, r.where);
		return EXIT_ERROR;
	}
	printf("%s: ok: %llu instructions in %u orders (seed %llu), max abs error %.3g "
	    "(limit %.0e)\n", argv[optind], (unsigned long long)r.instructions, r.orders,
	    (unsigned long long)seed, r.max_err, VERIFY_TOLERANCE);
	return EXIT_OK;
}

const struct cmd cmd_verify = {
	"verify", "execute a trace on real data and check it computes exact attention", run, usage,
};
