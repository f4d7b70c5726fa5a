/* objective.c - kept magnitude of a 2:4 channel grouping, and its bounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "part/objective.h"
#include "util/util.h"

double nms__group_value(const double *s, size_t rows, size_t cols,
                        const int32_t g[4])
{
    double sum = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const double *row = s + r * cols;
        sum += nms__top2_of4(row[g[0]], row[g[1]], row[g[2]], row[g[3]]);
    }
    return sum;
}

double nms__kept_value(const double *s, size_t rows, size_t cols,
                       const int32_t *p)
{
    double sum = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const double *row = s + r * cols;
        for (size_t j = 0; j + 4 <= cols; j += 4) {
            if (p)
                sum += nms__top2_of4(row[p[j]], row[p[j + 1]], row[p[j + 2]], row[p[j + 3]]);
            else
                sum += nms__top2_of4(row[j], row[j + 1], row[j + 2], row[j + 3]);
        }
    }
    return sum;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

double nms__unstructured_bound(const double *s, size_t rows, size_t cols)
{
    double *tmp = nms__malloc_array(cols, sizeof *tmp);
    double sum = 0.0;
    if (!tmp)
        return (double)NAN;
    for (size_t r = 0; r < rows; r++) {
        memcpy(tmp, s + r * cols, cols * sizeof *tmp);
        qsort(tmp, cols, sizeof *tmp, cmp_desc);
        for (size_t j = 0; j < cols / 2; j++)
            sum += tmp[j];
    }
    nms__free(tmp);
    return sum;
}

int nms__abs_scores(const nms_tensor *t, double **out, size_t *rows,
                    size_t *cols, nms_error *err)
{
    if (!t || nms_tensor_ndim(t) != 2)
        return nms__fail(err, NMS_ERR_SHAPE, "scores must be a 2-D matrix");
    nms_dtype dt = nms_tensor_dtype(t);
    if (dt != NMS_DTYPE_F32 && dt != NMS_DTYPE_F64)
        return nms__fail(err, NMS_ERR_UNSUPPORTED, "scores must be float32 or float64, not %s", nms_dtype_name(dt));
    size_t R = nms_tensor_dim(t, 0), C = nms_tensor_dim(t, 1), n = R * C;
    double *s = nms__malloc_array(n, sizeof *s);
    if (!s)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory for a %zu x %zu score matrix", R, C);
    const void *d = nms_tensor_cdata(t);
    for (size_t i = 0; i < n; i++) {
        double v = dt == NMS_DTYPE_F32 ? (double)((const float *)d)[i] : ((const double *)d)[i];
        if (!isfinite(v)) {
            nms__free(s);
            return nms__fail(err, NMS_ERR_NONFINITE, "%s at row %zu, column %zu", isnan(v) ? "NaN" : "infinity", i / C, i % C);
        }
        s[i] = fabs(v);
    }
    *out = s;
    *rows = R;
    *cols = C;
    return NMS_OK;
}

static int load_scores(const nms_tensor *scores, const int32_t *perm, int need_groups,
                       double **s, size_t *R, size_t *C, nms_error *err)
{
    int st = nms__abs_scores(scores, s, R, C, err);
    if (st)
        return st;
    if (need_groups && *C % 4 != 0) {
        nms__free(*s);
        return nms__fail(err, NMS_ERR_SHAPE, "the matrix has %zu columns, not a multiple of 4", *C);
    }
    if (perm && (st = nms_perm_check(perm, *C, err)) != NMS_OK) {
        nms__free(*s);
        return st;
    }
    return NMS_OK;
}

int nms_kept_value(const nms_tensor *scores, const int32_t *perm,
                   double *kept, nms_error *err)
{
    double *s;
    size_t R, C;
    int st = load_scores(scores, perm, 1, &s, &R, &C, err);
    if (st)
        return st;
    *kept = nms__kept_value(s, R, C, perm);
    nms__free(s);
    return NMS_OK;
}

int nms_total_value(const nms_tensor *scores, double *total, nms_error *err)
{
    double *s;
    size_t R, C;
    int st = load_scores(scores, NULL, 0, &s, &R, &C, err);
    if (st)
        return st;
    double sum = 0.0;
    for (size_t i = 0; i < R * C; i++)
        sum += s[i];
    *total = sum;
    nms__free(s);
    return NMS_OK;
}

int nms_unstructured_bound(const nms_tensor *scores, double *bound,
                           nms_error *err)
{
    double *s;
    size_t R, C;
    int st = load_scores(scores, NULL, 0, &s, &R, &C, err);
    if (st)
        return st;
    double b = nms__unstructured_bound(s, R, C);
    nms__free(s);
    if (isnan(b))
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    *bound = b;
    return NMS_OK;
}
