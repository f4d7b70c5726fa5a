/*
 * scale.h - row and column scaling of an LP matrix.
 *
 * Finds R (m) and C (n), powers of 2, so that the entries of R A C are close
 * to 1 in magnitude: a few passes of geometric-mean scaling
 * (R_i = 1 / sqrt(min_j |a_ij C_j| * max_j |a_ij C_j|), then the same for
 * columns) followed by equilibration of the columns (largest |entry| = 1).
 * A is CSC: col_start (n+1), row_index / value (nnz).  Empty rows and
 * columns get scale 1, and so does everything when every |entry| is 1 (the
 * passes would find exactly that).
 */
#ifndef NMS_LP_SCALE_H
#define NMS_LP_SCALE_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0, or -1 when out of memory. */
int nms__lp_scale(size_t m, size_t n, const size_t *col_start,
                  const int32_t *row_index, const double *value,
                  double *rscale, double *cscale);

#endif /* NMS_LP_SCALE_H */
