/* scale.c - geometric-mean + equilibration scaling (see scale.h). */
#include <math.h>

#include "lp/scale.h"
#include "util/util.h"

static double pow2_round(double s)
{
    if (!(s > 0) || !isfinite(s))
        return 1.0;
    int e;
    double f = frexp(s, &e); /* s = f * 2^e, f in [0.5, 1) */
    if (f < 0.70710678118654752)
        e--;
    return ldexp(1.0, e);
}

int nms__lp_scale(size_t m, size_t n, const size_t *col_start,
                  const int32_t *row_index, const double *value,
                  double *rscale, double *cscale)
{
    double *rmin = nms__malloc_array(m + 1, sizeof(double));
    double *rmax = nms__malloc_array(m + 1, sizeof(double));
    if (!rmin || !rmax) {
        nms__free(rmin);
        nms__free(rmax);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        rscale[i] = 1.0;
    for (size_t j = 0; j < n; j++)
        cscale[j] = 1.0;
    /* every |entry| = 1 (set partitioning, covering): the passes below
     * would give 1 everywhere */
    size_t nnz = col_start[n] - col_start[0], ones = 0;
    for (size_t p = col_start[0]; p < col_start[n]; p++)
        ones += fabs(value[p]) == 1.0;
    if (ones == nnz) {
        nms__free(rmin);
        nms__free(rmax);
        return 0;
    }
    for (int pass = 0; pass < 6; pass++) {
        for (size_t i = 0; i < m; i++) {
            rmin[i] = HUGE_VAL;
            rmax[i] = 0.0;
        }
        for (size_t j = 0; j < n; j++)
            for (size_t p = col_start[j]; p < col_start[j + 1]; p++) {
                double a = fabs(value[p]) * cscale[j];
                size_t i = (size_t)row_index[p];
                if (a < rmin[i]) rmin[i] = a;
                if (a > rmax[i]) rmax[i] = a;
            }
        for (size_t i = 0; i < m; i++)
            if (rmax[i] > 0)
                rscale[i] = 1.0 / sqrt(rmin[i] * rmax[i]);
        for (size_t j = 0; j < n; j++) {
            double lo = HUGE_VAL, hi = 0.0;
            for (size_t p = col_start[j]; p < col_start[j + 1]; p++) {
                double a = fabs(value[p]) * rscale[row_index[p]];
                if (a < lo) lo = a;
                if (a > hi) hi = a;
            }
            if (hi > 0)
                cscale[j] = 1.0 / sqrt(lo * hi);
        }
    }
    for (size_t i = 0; i < m; i++)
        rscale[i] = pow2_round(rscale[i]);
    for (size_t j = 0; j < n; j++) {
        double hi = 0.0;
        for (size_t p = col_start[j]; p < col_start[j + 1]; p++) {
            double a = fabs(value[p]) * rscale[row_index[p]];
            if (a > hi) hi = a;
        }
        cscale[j] = hi > 0 ? pow2_round(1.0 / hi) : 1.0;
    }
    nms__free(rmin);
    nms__free(rmax);
    return 0;
}
