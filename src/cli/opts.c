/* opts: the options several commands share (-s, -w, --seq, --npu, -t, -j, --format), parsed one way. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "num.h"

int
cli_parse_sched(const struct cmd *c, const char *option, const char *arg,
    const struct sched **out)
{
	char names[SCHED_NAMES_MAX];

	if ((*out = sched_find(arg)) != NULL)
		return 0;
	sched_names(names, sizeof names);
	return cli_usage_error(c, "%s: unknown scheduler '%s', expected %s", option, arg, names);
}

int
cli_next_piece(const char **p, char *buf, size_t len)
{
	size_t n;

	if (*p == NULL)
		return 0;
	n = strcspn(*p, ",");
	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = (*p)[n] == '\0' ? NULL : *p + n + 1;
	return 1;
}

int
cli_parse_sched_list(const struct cmd *c, const char *arg, const struct sched **out,
    unsigned max, unsigned *n)
{
	char name[64];
	const char *p = arg;
	unsigned i;
	int rc;

	*n = 0;
	while ((rc = cli_next_piece(&p, name, sizeof name)) == 1) {
		const struct sched *s;
		if (cli_parse_sched(c, "-s", name, &s) != 0)
			return EXIT_ERROR;
		for (i = 0; i < *n; i++)
			if (out[i] == s)
				return cli_usage_error(c, "-s: '%s' is named twice", name);
		if (*n == max)
			return cli_usage_error(c, "-s: more than %u dataflows", max);
		out[(*n)++] = s;
	}
	if (rc < 0)
		return cli_usage_error(c, "-s: got '%s', expected dataflows separated by commas", arg);
	return 0;
}

static int
seq_value(const char *arg, uint64_t *seq)
{
	return num_parse_u64(arg, seq) != 0 || *seq < 1 || *seq > WL_MAX_SEQ ? -1 : 0;
}

int
cli_parse_seq(const struct cmd *c, const char *arg, uint64_t *seq)
{
	if (seq_value(arg, seq) == 0)
		return 0;
	return cli_usage_error(c, "--seq: got '%s', expected an integer from 1 to %u", arg,
	    WL_MAX_SEQ);
}

int
cli_parse_seq_list(const struct cmd *c, const char *arg, uint64_t *seq, unsigned max,
    unsigned *n)
{
	char num[32];
	const char *p = arg;
	unsigned i;
	int rc;

	*n = 0;
	while ((rc = cli_next_piece(&p, num, sizeof num)) == 1) {
		if (*n == max)
			return cli_usage_error(c, "--seq: more than %u lengths", max);
		if (cli_parse_seq(c, num, &seq[*n]) != 0)
			return EXIT_ERROR;
		for (i = 0; i < *n; i++)
			if (seq[i] == seq[*n])
				return cli_usage_error(c, "--seq: %s is given twice", num);
		(*n)++;
	}
	if (rc < 0)
		return cli_usage_error(c, "--seq: got '%s', expected lengths separated by commas", arg);
	return 0;
}

int
cli_workload(const struct cmd *c, const char *spec, const char *seq, struct workload *w)
{
	struct errbuf e;
	uint64_t n;

	if (wl_parse(spec, w, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (seq == NULL)
		return 0;
	if (cli_parse_seq(c, seq, &n) != 0)
		return EXIT_ERROR;
	if (wl_set_seq(w, n, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	return 0;
}

int
cli_npu(const char *arg, struct npu *n)
{
	struct errbuf e;

	if (npu_resolve(arg, n, &e) == 0)
		return 0;
	cli_error("%s", e.msg);
	return EXIT_ERROR;
}

int
cli_parse_tiling(const struct cmd *c, const char *option, const struct sched *s,
    const char *text, struct tiling *t)
{
	struct errbuf e;

	if (sched_parse_tiling(s, text ? text : "", t, &e) == 0)
		return 0;
	return cli_usage_error(c, "%s%s%s", option ? option : "", option ? ": " : "", e.msg);
}

int
cli_parse_jobs(const struct cmd *c, const char *arg, unsigned *jobs)
{
	uint64_t v;

	if (num_parse_u64(arg, &v) != 0 || v < 1 || v > 256)
		return cli_usage_error(c, "-j: got '%s', expected a number of threads from 1 to 256",
		    arg);
	*jobs = (unsigned)v;
	return 0;
}

int
cli_parse_choice(const struct cmd *c, const char *option, const char *arg,
    const char *const *names, int *index)
{
	char list[256];
	size_t used = 0;
	int i, n;

	for (n = 0; names[n] != NULL; n++)
		if (strcmp(arg, names[n]) == 0) {
			*index = n;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; i < n && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i == 0 ? "" :
		    i + 1 < n ? ", " : " or ", names[i]);
	return cli_usage_error(c, "%s: got '%s', expected %s", option, arg, list);
}

static int
add_workload(const struct cmd *c, const char *spec, struct workload *wl, unsigned max,
    unsigned *n)
{
	char a[WL_SPEC_MAX], b[WL_SPEC_MAX];
	struct errbuf e;
	unsigned i;

	if (*n == max)
		return cli_usage_error(c, "-w: more than %u workloads", max);
	if (wl_parse(spec, &wl[*n], &e) != 0)
		return cli_usage_error(c, "%s", e.msg);
	/* a row twice would weigh twice in the means */
	wl_format(&wl[*n], a, sizeof a);
	for (i = 0; i < *n; i++) {
		wl_format(&wl[i], b, sizeof b);
		if (strcmp(a, b) == 0)
			return cli_usage_error(c, "-w: '%s' is the workload '%s' again (%s); name each "
			    "once", spec, wl[i].name, a);
	}
	(*n)++;
	return 0;
}

int
cli_parse_workload_list(const struct cmd *c, const char *arg, struct workload *wl,
    unsigned max, unsigned *n)
{
	char spec[512], piece[512];
	const char *p = arg;
	size_t len, used = 0, i;
	int rc;

	if (strcmp(arg, "all") == 0) {
		for (i = 0; i < wl_preset_count(); i++)
			if (add_workload(c, wl_preset_at(i)->name, wl, max, n) != 0)
				return EXIT_ERROR;
		return 0;
	}
	spec[0] = '\0';
	while ((rc = cli_next_piece(&p, piece, sizeof piece)) == 1) {
		len = strlen(piece);
		if (strchr(piece, '=') == NULL && used > 0) {
			if (add_workload(c, spec, wl, max, n) != 0)
				return EXIT_ERROR;
			used = 0;
		}
		if (used + len + 2 > sizeof spec)
			return cli_usage_error(c, "-w: '%s' is too long", arg);
		used += (size_t)snprintf(spec + used, sizeof spec - used, "%s%s", used ? "," : "",
		    piece);
	}
	if (rc < 0)
		return cli_usage_error(c, "-w: got '%s', expected workloads separated by single "
		    "commas", arg);
	return add_workload(c, spec, wl, max, n);
}
