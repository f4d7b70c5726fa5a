/*
 * vec.h - the two dense vector kernels the library shares (the LU's dense
 * etas, the reconstruction's Cholesky and Gram products):
 *
 *     nms__axpy:  y <- y + a x
 *     nms__dot:   x'y = sum_k x_k y_k, in eight partial sums s_j (term k
 *                 in s_(k mod 8), the tail in s_0), added as
 *                 ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)).
 *
 * The order of every addition is fixed by the source, so the results are
 * the same whether or not the compiler vectorises the loops (gcc -O2 does,
 * with SSE2 on x86-64); the eight sums are independent chains of additions.
 */
#ifndef NMS_UTIL_VEC_H
#define NMS_UTIL_VEC_H

#include <stddef.h>

/* y += a x (n doubles; y and x must not overlap). */
void nms__axpy(double *restrict y, double a, const double *restrict x, size_t n);
double nms__dot(const double *x, const double *y, size_t n);

#endif /* NMS_UTIL_VEC_H */
