/* bsearch-u64: where a key goes in an array sorted by a leading uint64_t. */
#ifndef MASTRACE_BSEARCH_U64_H
#define MASTRACE_BSEARCH_U64_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The index of the first of n elements, `stride` bytes apart, whose key
 * (the uint64_t each element starts with) is larger than key; n if none.
 */
static inline size_t
search_after_u64(const void *base, size_t n, size_t stride, uint64_t key)
{
	const unsigned char *p = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t k;
		memcpy(&k, p + mid * stride, sizeof k);
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
