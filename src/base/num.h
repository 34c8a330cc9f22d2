/* num: strict parsing of numbers and booleans from text. */
#ifndef MASTRACE_NUM_H
#define MASTRACE_NUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * These accept exactly one number and nothing else (no sign for unsigned
 * values, no trailing text, no empty string), unlike strtoul() and friends,
 * which silently accept "-4" as a huge unsigned value and "12abc" as 12.
 * They return 0 on success and -1 if the text is not such a number or does
 * not fit; they never print and never set errno for the caller to inspect.
 */
int num_parse_u64(const char *s, uint64_t *out);
int num_parse_double(const char *s, double *out);
int num_parse_bool(const char *s, bool *out);
/*
 * A count that may be large: an integer, or a decimal number with a
 * suffix k, M, G, T, P or E (powers of 1000: "4.4T", "2e12"), rounded
 * down; at most 2^64 - 1.
 */
int num_parse_count(const char *s, uint64_t *out);

/* Does s look like a (possibly negative or fractional) number at all? */
bool num_looks_numeric(const char *s);

static inline bool
num_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/*
 * Totals of a trace's instructions: each term is bounded (ISA_MAX_*), but a
 * long or hand-made trace can still add up past 64 bits; such a total stays
 * at UINT64_MAX instead of wrapping to a small, plausible number.
 */
static inline void
num_add_sat(uint64_t *acc, uint64_t v)
{
	if (__builtin_add_overflow(*acc, v, acc))
		*acc = UINT64_MAX;
}

/* a x b, or UINT64_MAX past it. */
static inline uint64_t
num_mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* The same as a value: a + b, or UINT64_MAX past it. */
static inline uint64_t
num_sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/*
 * Text for people: v with its digits grouped by thousands ("4,398,180,728,832"),
 * and a duration in the unit that reads best ("3.524 s", "570.028 us",
 * "12 ns"), each written to buf and returned.  Machine formats (JSON, CSV)
 * keep raw numbers.
 */
#define NUM_TEXT_MAX 32
const char *num_group(uint64_t v, char buf[NUM_TEXT_MAX]);
const char *num_duration(double seconds, char buf[NUM_TEXT_MAX]);

/*
 * Decimal digits of v at p (room for 20), without a terminator; returns the
 * end.  Exporters write hundreds of numbers per instruction, where printf's
 * format parsing costs more than everything else together.
 */
static inline char *
num_u64_digits(char *p, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char tmp[20];
	unsigned n = 20;

	while (v >= 100) {	/* two digits per division */
		unsigned r = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--n] = pairs[r + 1];
		tmp[--n] = pairs[r];
	}
	if (v >= 10) {
		tmp[--n] = pairs[v * 2 + 1];
		tmp[--n] = pairs[v * 2];
	} else {
		tmp[--n] = (char)('0' + v);
	}
	memcpy(p, tmp + n, 20 - n);
	return p + (20 - n);
}

#endif
