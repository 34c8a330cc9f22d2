/* num: strict parsing of numbers and booleans from text. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"

int
num_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull skips leading space and accepts a sign: refuse both. */
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
num_parse_double(const char *s, double *out)
{
	double v;
	char *end;

	if (s == NULL || *s == '\0' || !(*s == '-' || *s == '+' || *s == '.' ||
	    (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	/* Hex floats, "inf" and "nan" are not sizes anybody means to write. */
	if (errno != 0 || *end != '\0' || !isfinite(v) || strpbrk(s, "xXnN") != NULL)
		return -1;
	*out = v;
	return 0;
}

int
num_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

bool
num_looks_numeric(const char *s)
{
	double d;

	return num_parse_double(s, &d) == 0;
}
