/* linalg: the matrix products verify needs, through an optimized BLAS when there is one. */
#ifndef MASTRACE_LINALG_H
#define MASTRACE_LINALG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Row-major C (m x n) = A (m x k) * B, plus C when acc; B is k x n, or
 * n x k read transposed when transb.  With CBLAS these are sgemm and
 * dgemm (which may use threads of their own for large products); without,
 * plain loops, sgemm accumulating in double.  Every size may be zero.
 */
void linalg_sgemm(bool transb, size_t m, size_t n, size_t k, const float *a, const float *b,
    float *c, bool acc);
void linalg_dgemm(bool transb, size_t m, size_t n, size_t k, const double *a, const double *b,
    double *c, bool acc);

/*
 * OpenBLAS picks its kernels for the processor when it is loaded; on one
 * its release does not know (a new Xeon under a hypervisor) it falls back
 * to generic SSE3 kernels, three to four times slower.  This names the
 * OPENBLAS_CORETYPE the processor can run when that happened (the caller
 * may set it and run itself again), or returns NULL when all is well.
 */
const char *linalg_better_core(void);

/* "OpenBLAS 0.3.21 (CBLAS)" or "built-in loops", for reports. */
const char *linalg_backend(void);

#endif
