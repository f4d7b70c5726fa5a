/*
 * pack_bound.c - the packing bound of pack_bound.h: the packing LP over the
 * listed groups with the simplex of src/lp, and the bound from its row
 * duals.
 */
#include <math.h>
#include <string.h>

#include "part/pack_bound.h"
#include "part/part.h"
#include "util/util.h"

int nms__pack_bound(const nms__col *cols, size_t n, size_t C, double t, double *bound, nms_error *err)
{
    const double G = (double)(C / 4);
    *bound = HUGE_VAL;
    if (!isfinite(t))
        return NMS_OK;
    size_t m = 0; /* the groups with w > 0 */
    for (size_t q = 0; q < n; q++)
        m += cols[q].rc > t;
    if (!m) {
        *bound = G * t;
        return NMS_OK;
    }
    double *w = nms__malloc_array(m, sizeof *w), *hi = nms__malloc_array(C, sizeof *hi);
    double *lo = nms__malloc_array(C, sizeof *lo), *y = nms__malloc_array(C, sizeof *y);
    double *val = nms__malloc_array(4 * m, sizeof *val);
    size_t *start = nms__malloc_array(m + 1, sizeof *start);
    int32_t *idx = nms__malloc_array(4 * m, sizeof *idx);
    nms_lp *lp = NULL;
    int st = NMS_OK;
    if (!w || !hi || !lo || !y || !val || !start || !idx) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the packing bound");
        goto out;
    }
    size_t k = 0;
    for (size_t q = 0; q < n; q++) {
        if (!(cols[q].rc > t))
            continue;
        w[k] = cols[q].rc - t;
        start[k] = 4 * k;
        for (int a = 0; a < 4; a++) {
            idx[4 * k + (size_t)a] = cols[q].g[a];
            val[4 * k + (size_t)a] = 1.0;
        }
        k++;
    }
    start[m] = 4 * m;
    for (size_t i = 0; i < C; i++) {
        lo[i] = -HUGE_VAL;
        hi[i] = 1.0;
    }
    if ((st = nms_lp_create(&lp, err)) != NMS_OK)
        goto out;
    nms_lp_set_maximize(lp, 1);
    if ((st = nms_lp_add_rows(lp, C, lo, hi, err)) != NMS_OK ||
        (st = nms_lp_add_cols(lp, m, w, NULL, NULL, start, idx, val, err)) != NMS_OK)
        goto out;
    nms_lp_options lo_opt;
    nms_lp_options_default(&lo_opt);
    if ((st = nms_lp_solve(lp, &lo_opt, err)) != NMS_OK)
        goto out;
    if (nms_lp_get_status(lp) != NMS_LP_OPTIMAL || nms_lp_get_row_duals(lp, y) != NMS_OK)
        goto out; /* no bound: the caller keeps the per-channel one */
    double sumy = 0.0, viol = 0.0;
    for (size_t i = 0; i < C; i++) {
        if (!(y[i] > 0.0))
            y[i] = 0.0;
        sumy += y[i];
    }
    for (size_t q = 0; q < m; q++) {
        double d = w[q];
        for (int a = 0; a < 4; a++)
            d -= y[idx[4 * q + (size_t)a]];
        if (d > viol)
            viol = d;
    }
    /* a relative 1e-12 for the rounding of these sums */
    *bound = G * t + sumy + G * viol + 1e-12 * (fabs(G * t) + sumy + G * viol);
out:
    nms_lp_free(lp);
    nms__free(w);
    nms__free(hi);
    nms__free(lo);
    nms__free(y);
    nms__free(val);
    nms__free(start);
    nms__free(idx);
    return st;
}
