/* num: strict parsing of numbers and booleans from text. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
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
num_parse_count(const char *s, uint64_t *out)
{
	static const char suffixes[] = "kMGTPE";
	char buf[64];
	const char *at;
	double v, scale = 1;
	size_t n;

	if (num_parse_u64(s, out) == 0)
		return 0;
	if (s == NULL || (n = strlen(s)) == 0 || n >= sizeof buf || s[0] == '-')
		return -1;
	memcpy(buf, s, n + 1);
	if ((at = strchr(suffixes, buf[n - 1])) != NULL && buf[n - 1] != '\0') {
		for (ptrdiff_t i = 0; i <= at - suffixes; i++)
			scale *= 1000;
		buf[n - 1] = '\0';
	}
	if (num_parse_double(buf, &v) != 0 || v < 0 || v * scale >= 18446744073709551616.0)
		return -1;
	*out = (uint64_t)(v * scale);
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
	for (i = 0; i < ARRAY_LEN(yes); i++) {
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

const char *
num_group(uint64_t v, char buf[NUM_TEXT_MAX])
{
	char digits[20];
	size_t n = (size_t)(num_u64_digits(digits, v) - digits), i, o = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *
num_duration(double seconds, char buf[NUM_TEXT_MAX])
{
	static const struct { double scale; const char *unit; } units[] = {
		{ 1.0, "s" }, { 1e-3, "ms" }, { 1e-6, "us" }, { 1e-9, "ns" },
	};
	size_t i;

	for (i = 0; i + 1 < ARRAY_LEN(units); i++)
		if (seconds >= units[i].scale)
			break;
	if (seconds >= 1000.0)	/* minutes and hours read better as seconds here */
		i = 0;
	snprintf(buf, NUM_TEXT_MAX, "%.3f %s", seconds / units[i].scale, units[i].unit);
	return buf;
}
