/*
 * linalg.h - the small dense linear algebra weight reconstruction needs
 * (internal; double precision, row-major, no BLAS).
 *
 * Cholesky: A = L L^T for a symmetric positive definite n x n matrix A.
 *   nms__chol_lower(a, n) overwrites the lower triangle of a (n*n doubles,
 *   row-major; a[i*n+j] for j <= i) with L and zeroes the strict upper
 *   triangle.  Returns 0, or k+1 when the k-th pivot is not positive (A is not
 *   numerically positive definite); a is then garbage.
 *   nms__chol_solve(L, n, b) solves L L^T x = b in place (b: n doubles).
 * Inverse: nms__spd_inverse(a, n, inv) writes A^{-1} (n*n) using the
 *   Cholesky factor; a is overwritten by L.
 * Upper Cholesky of the inverse (what SparseGPT's OBS sweep needs):
 *   nms__chol_upper_of_inverse(a, n, u) writes U (n*n, upper triangular,
 *   zero below) with A^{-1} = U^T U; a is overwritten.
 * Products over a block of rows (rows independent; the result of each row
 *   does not depend on how many rows share the block):
 *   nms__rows_times_sym(x, rb, n, h, y): y[r,:] = x[r,:] H for rb rows,
 *   x, y: rb*n, h: n*n symmetric.
 */
#ifndef NMS_RECON_LINALG_H
#define NMS_RECON_LINALG_H

#include <stddef.h>

#include "util/vec.h" /* nms__axpy, nms__dot */

int nms__chol_lower(double *a, size_t n);
void nms__chol_solve(const double *l, size_t n, double *b);
int nms__spd_inverse(double *a, size_t n, double *inv);
int nms__chol_upper_of_inverse(double *a, size_t n, double *u);
void nms__rows_times_sym(const double *x, size_t rb, size_t n, const double *h,
                         double *y);

#endif /* NMS_RECON_LINALG_H */
