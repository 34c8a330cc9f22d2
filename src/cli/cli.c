/* cli: error reporting and option parsing shared by the subcommands. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mastrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mastrace %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mastrace %s --help' for more information.\n", c->name);
	return EXIT_ERROR;
}

int
cli_getopt(const struct cmd *c, int argc, char **argv, const char *shortopts,
    const void *longopts)
{
	char opts[64];
	const char *arg;
	int ch;

	/* GNU order: options may follow operands; ":" makes a missing value give ':' */
	snprintf(opts, sizeof opts, ":%s", shortopts);
	opterr = 0;
	ch = getopt_long(argc, argv, opts, longopts, NULL);
	if (ch != '?' && ch != ':')
		return ch;
	/* glibc sets optopt for short options and for long ones with a value */
	arg = argv[optind - 1];
	if (strncmp(arg, "--", 2) == 0)
		cli_usage_error(c, ch == ':' ? "option '%s' needs a value" :
		    "unknown option '%s'", arg);
	else
		cli_usage_error(c, ch == ':' ? "option '-%c' needs a value" :
		    "unknown option '-%c'", optopt);
	return -2;
}
