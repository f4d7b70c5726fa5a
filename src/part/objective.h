/*
 * objective.h - the 2:4 kept-magnitude objective.
 *
 * For a nonnegative score matrix S (R x C, row-major doubles) and a column
 * permutation p (position j holds original column p[j]; positions 4g..4g+3
 * form group g = {p[4g], .., p[4g+3]}):
 *
 *     v(G)    = sum_r top2( S[r, G] )                 (two largest of 4)
 *     kept(p) = sum_g v(G_g)
 *
 * and the unstructured bound  U = sum_r (sum of the C/2 largest S[r, :]),
 * which no permutation can exceed (each row keeps exactly C/2 entries under
 * any 2:4 mask).  All sums are accumulated in double.
 */
#ifndef NMS_PART_OBJECTIVE_H
#define NMS_PART_OBJECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

/* Two largest of four nonnegative values, summed. */
static inline double nms__top2_of4(double a, double b, double c, double d)
{
    double hi1 = a > b ? a : b, lo1 = a > b ? b : a;
    double hi2 = c > d ? c : d, lo2 = c > d ? d : c;
    /* top2 = max(hi1 + hi2, hi1 + lo1, hi2 + lo2) */
    double s = hi1 + hi2, t = hi1 + lo1, u = hi2 + lo2;
    double m = s > t ? s : t;
    return m > u ? m : u;
}

/* v(G) for the group of original columns g[0..3] of the R x C matrix s. */
double nms__group_value(const double *s, size_t rows, size_t cols,
                        const int32_t g[4]);

/* kept(p); p == NULL means identity. */
double nms__kept_value(const double *s, size_t rows, size_t cols,
                       const int32_t *p);

/* The unstructured bound U. */
double nms__unstructured_bound(const double *s, size_t rows, size_t cols);

/* Absolute scores |S| of a 2-D F32 / F64 tensor as a freshly allocated
 * row-major double matrix (nms__free).  NaN / inf are NMS_ERR_NONFINITE
 * with the row and column in the message. */
int nms__abs_scores(const nms_tensor *t, double **out, size_t *rows,
                    size_t *cols, nms_error *err);

#endif /* NMS_PART_OBJECTIVE_H */
