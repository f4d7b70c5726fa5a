/* lap.c - dense linear assignment by shortest augmenting paths (lap.h). */
#include <math.h>
#include <stdlib.h>

#include "part/lap.h"
#include "util/util.h"

int nms__lap_max(const double *w, size_t n, int32_t *sigma, const nms__ctl *ctl, int *done, nms_error *err)
{
    /* 1-based arrays as in the textbook form: column 0 is the virtual
     * column the new row starts from; row_of[j] = the row holding column j */
    double *u = nms__calloc(n + 1, sizeof *u), *v = nms__calloc(n + 1, sizeof *v);
    double *minv = nms__malloc_array(n + 1, sizeof *minv);
    size_t *row_of = nms__calloc(n + 1, sizeof *row_of), *way = nms__calloc(n + 1, sizeof *way);
    unsigned char *used = nms__malloc_array(n + 1, 1);
    int st = NMS_OK;
    *done = 0;
    if (!u || !v || !minv || !row_of || !way || !used) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in a %zu x %zu assignment", n, n);
        goto out;
    }
    for (size_t i = 1; i <= n; i++) {
        if (nms__ctl_stop(ctl))
            goto out;
        row_of[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= n; j++) {
            minv[j] = HUGE_VAL;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = row_of[j0], j1 = 0;
            const double *wr = w + (i0 - 1) * n;
            double delta = HUGE_VAL;
            for (size_t j = 1; j <= n; j++) {
                if (used[j])
                    continue;
                double cur = -wr[j - 1] - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                /* among equal distances a free column first: it ends the
                 * path (tied weights, e.g. quantized scores, then cost
                 * O(n) a row instead of a walk through the assigned ones) */
                if (minv[j] < delta || (minv[j] == delta && row_of[j] == 0 && row_of[j1] != 0)) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            if (j1 == 0) { /* only with NaN in w */
                st = nms__fail(err, NMS_ERR_INVALID, "assignment: the weights are not numbers");
                goto out;
            }
            for (size_t j = 0; j <= n; j++) {
                if (used[j]) {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (row_of[j0] != 0);
        do { /* augment along the path */
            size_t j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        } while (j0);
    }
    for (size_t j = 1; j <= n; j++)
        sigma[row_of[j] - 1] = (int32_t)(j - 1);
    *done = 1;
out:
    nms__free(u);
    nms__free(v);
    nms__free(minv);
    nms__free(row_of);
    nms__free(way);
    nms__free(used);
    return st;
}
