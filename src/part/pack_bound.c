/*
 * pack_bound.c - the packing bound of pack_bound.h: the packing LP over the
 * listed groups with the simplex of src/lp, and the bound from its row
 * duals.
 */
#include <math.h>

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
    nms__col *listed = nms__malloc_array(m, sizeof *listed); /* v = w */
    double *lo = nms__malloc_array(C, sizeof *lo), *hi = nms__malloc_array(C, sizeof *hi);
    double *y = nms__malloc_array(C, sizeof *y);
    nms_lp *lp = NULL;
    int st = NMS_OK;
    if (!listed || !lo || !hi || !y) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the packing bound");
        goto out;
    }
    size_t k = 0;
    for (size_t q = 0; q < n; q++) {
        if (!(cols[q].rc > t))
            continue;
        listed[k] = cols[q];
        listed[k].v = cols[q].rc - t;
        k++;
    }
    for (size_t i = 0; i < C; i++) {
        lo[i] = -HUGE_VAL;
        hi[i] = 1.0;
    }
    if ((st = nms_lp_create(&lp, err)) != NMS_OK)
        goto out;
    nms_lp_set_maximize(lp, 1);
    if ((st = nms_lp_add_rows(lp, C, lo, hi, err)) != NMS_OK ||
        (st = nms__lp_add_groups(lp, listed, m, err)) != NMS_OK)
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
        double d = listed[q].v;
        for (int a = 0; a < 4; a++)
            d -= y[listed[q].g[a]];
        if (d > viol)
            viol = d;
    }
    /* a relative 1e-12 for the rounding of these sums */
    *bound = G * t + sumy + G * viol + 1e-12 * (fabs(G * t) + sumy + G * viol);
out:
    nms_lp_free(lp);
    nms__free(listed);
    nms__free(lo);
    nms__free(hi);
    nms__free(y);
    return st;
}
