/* linalg: the matrix products verify needs, through an optimized BLAS when there is one. */
#include "config.h"

#include <string.h>
#include <strings.h>

#ifdef HAVE_CBLAS
#include <cblas.h>
#include <pthread.h>
#endif

#include "linalg.h"

/*
 * BLAS rejects a leading dimension of 0 with a message on stderr, so empty
 * products never reach it: C is cleared (or kept, when accumulating) here.
 */
static bool
empty(size_t m, size_t n, size_t k, void *c, size_t esize, bool acc)
{
	if (m == 0 || n == 0)
		return true;
	if (k > 0)
		return false;
	if (!acc)
		memset(c, 0, m * n * esize);
	return true;
}

#ifdef HAVE_CBLAS

/*
 * OpenBLAS would split each product across threads of its own, which for
 * verify's small tiles costs more in waking and spinning than it saves,
 * and competes with verify's own threads (one per order).  Its default is
 * set once per process: single-threaded.
 */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
serial(void)
{
	openblas_set_num_threads(1);
}

void
linalg_sgemm(bool transb, size_t m, size_t n, size_t k, const float *a, const float *b,
    float *c, bool acc)
{
	if (empty(m, n, k, c, sizeof *c, acc))
		return;
	pthread_once(&once, serial);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, transb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
	    (int)k, 1.0f, a, (int)k, b, transb ? (int)k : (int)n, acc ? 1.0f : 0.0f, c, (int)n);
}

void
linalg_dgemm(bool transb, size_t m, size_t n, size_t k, const double *a, const double *b,
    double *c, bool acc)
{
	if (empty(m, n, k, c, sizeof *c, acc))
		return;
	pthread_once(&once, serial);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, transb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
	    (int)k, 1.0, a, (int)k, b, transb ? (int)k : (int)n, acc ? 1.0 : 0.0, c, (int)n);
}

const char *
linalg_backend(void)
{
	return BLAS_NAME " (CBLAS)";
}

const char *
linalg_better_core(void)
{
	const char *core = openblas_get_corename();

	/* only the generic fallbacks; a core OpenBLAS chose knowingly stays */
	if (core == NULL || (strcasecmp(core, "prescott") != 0 && strcasecmp(core, "core2") != 0 &&
	    strcasecmp(core, "unknown") != 0))
		return NULL;
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
		return "SkylakeX";
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return "Haswell";
#endif
	return NULL;
}

#else

/* The same loops for both precisions; the sum is kept in double. */
#define GEMM_LOOPS(m, n, k, a, b, c, transb, acc, type)					\
	do {										\
		size_t i_, j_, t_;							\
		for (i_ = 0; i_ < (m); i_++)						\
			for (j_ = 0; j_ < (n); j_++) {					\
				double s_ = (acc) ? (c)[i_ * (n) + j_] : 0.0;		\
				for (t_ = 0; t_ < (k); t_++)				\
					s_ += (double)(a)[i_ * (k) + t_] *		\
					    ((transb) ? (b)[j_ * (k) + t_] : (b)[t_ * (n) + j_]); \
				(c)[i_ * (n) + j_] = (type)s_;				\
			}								\
	} while (0)

void
linalg_sgemm(bool transb, size_t m, size_t n, size_t k, const float *a, const float *b,
    float *c, bool acc)
{
	if (!empty(m, n, k, c, sizeof *c, acc))
		GEMM_LOOPS(m, n, k, a, b, c, transb, acc, float);
}

void
linalg_dgemm(bool transb, size_t m, size_t n, size_t k, const double *a, const double *b,
    double *c, bool acc)
{
	if (!empty(m, n, k, c, sizeof *c, acc))
		GEMM_LOOPS(m, n, k, a, b, c, transb, acc, double);
}

const char *
linalg_backend(void)
{
	return "built-in loops (no BLAS found by configure)";
}

const char *
linalg_better_core(void)
{
	return NULL;
}

#endif
