/* cli: error reporting, option parsing and standard output shared by the subcommands. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "npu.h"
#include "num.h"
#include "outfile.h"

/*
 * The subcommand running, for the "mastrace: COMMAND: " prefix.  This is
 * the program's state, not the library's: one command runs per process.
 */
static const struct cmd *current;
/* a write error on standard output already reported (once is the convention) */
static bool stdout_reported;

void
cli_set_command(const struct cmd *c)
{
	current = c;
}

static void
prefix(void)
{
	fputs("mastrace: ", stderr);
	if (current != NULL)
		fprintf(stderr, "%s: ", current->name);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_warning(const char *fmt, ...)
{
	va_list ap;

	prefix();
	fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mastrace: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mastrace %s --help' for more information.\n", c->name);
	return EXIT_ERROR;
}

/* The long options "--NAME" abbreviates, joined in buf; how many there are. */
static int
candidates(const struct option *opts, const char *arg, char *buf, size_t len)
{
	size_t n = strcspn(arg + 2, "=");
	size_t used = 0;
	int count = 0;

	buf[0] = '\0';
	for (; opts->name != NULL; opts++) {
		if (strncmp(opts->name, arg + 2, n) != 0)
			continue;
		if (opts->name[n] == '\0')
			return 1;	/* an exact name is never ambiguous */
		count++;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s'--%s'",
			    count > 1 ? ", " : "", opts->name);
	}
	return count;
}

int
cli_getopt(const struct cmd *c, int argc, char **argv, const char *shortopts,
    const void *longopts)
{
	char opts[64], names[256];
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
	if (strncmp(arg, "--", 2) != 0)
		cli_usage_error(c, ch == ':' ? "option '-%c' needs a value" :
		    "unknown option '-%c'", optopt);
	else if (ch == ':')
		cli_usage_error(c, "option '%s' needs a value", arg);
	else if (candidates(longopts, arg, names, sizeof names) > 1)
		cli_usage_error(c, "option '%.*s' is ambiguous; it could be %s",
		    (int)strcspn(arg, "="), arg, names);
	else
		cli_usage_error(c, "unknown option '%s'", arg);
	return -2;
}

static void
stdout_error(int err)
{
	if (!stdout_reported)
		cli_error("standard output: write error: %s", strerror(err));
	stdout_reported = true;
}

int
cli_flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	stdout_error(errno ? errno : EIO);
	return -1;
}

int
cli_close_stdout(bool failed)
{
	int err = 0;

	stdout_reported |= failed;
	/* as GNU's close_stdout: output lost to a full disk or a closed pipe is an error */
	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && err == 0)
		err = errno;
	if (err == 0 && !stdout_reported)
		return 0;
	if (err != 0)
		stdout_error(err);
	return -1;
}

int
cli_refuse_input(const char *out, const char *const *in, size_t n)
{
	size_t i;

	for (i = 0; out != NULL && i < n; i++)
		if (in[i] != NULL && outfile_same_file(out, in[i])) {
			if (strcmp(out, in[i]) == 0)
				cli_error("%s: is an input of this command; write the output under "
				    "another name", out);
			else
				cli_error("%s: is the input %s under another name; write the output "
				    "under another name", out, in[i]);
			return EXIT_ERROR;
		}
	return 0;
}

void
cli_join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "mastrace");
	int i;

	for (i = 0; i < argc && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, " %s", argv[i]);
}

int
cli_report_format(const struct cmd *c, const char *option, const char *plain, const char *arg,
    bool *json)
{
	if (strcmp(arg, "json") == 0 || strcmp(arg, plain) == 0) {
		*json = strcmp(arg, "json") == 0;
		return 0;
	}
	return cli_usage_error(c, "%s: got '%s', expected %s or json", option, arg, plain);
}

const char *
cli_npu_file(const char *arg)
{
	return arg == NULL || npu_preset_find(arg) != NULL ? NULL : arg;
}

int
cli_parse_count(const struct cmd *c, const char *option, const char *arg, uint64_t *v)
{
	if (num_parse_count(arg, v) == 0 && *v > 0)
		return 0;
	return cli_usage_error(c, "%s: got '%s', expected a positive count such as 2000000, "
	    "2e9 or 4G", option, arg);
}
