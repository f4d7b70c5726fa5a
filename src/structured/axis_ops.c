/* axis_ops.c - permute, select, scale, measure and 2:4-prune along one axis. */
#include <math.h>
#include <string.h>

#include "io/tensor.h"
#include "structured/axis_ops.h"
#include "structured/elem.h"
#include "util/util.h"

static void view(const nms_tensor *t, int axis, size_t *outer, size_t *n, size_t *inner)
{
    size_t o = 1, in = 1;
    for (int k = 0; k < axis; k++)
        o *= t->shape[k];
    for (int k = axis + 1; k < t->ndim; k++)
        in *= t->shape[k];
    *outer = o;
    *n = t->shape[axis];
    *inner = in;
}

size_t nms__axis_rows(const nms_tensor *t, int axis, size_t split)
{
    size_t o, n, in;
    view(t, axis, &o, &n, &in);
    return o * split * in;
}

int nms__axis_permute(nms_tensor *t, int axis, const int32_t *perm, nms_error *err)
{
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    size_t es = nms_dtype_size(t->dtype), block = inner * es;
    unsigned char *tmp = nms__malloc_array(n, block);
    if (!tmp)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t o = 0; o < outer; o++) {
        unsigned char *base = t->data + o * n * block;
        for (size_t j = 0; j < n; j++)
            memcpy(tmp + j * block, base + (size_t)perm[j] * block, block);
        memcpy(base, tmp, n * block);
    }
    nms__free(tmp);
    return NMS_OK;
}

int nms__axis_select(nms_tensor *t, int axis, const int32_t *keep, size_t m,
                     nms_error *err)
{
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    size_t es = nms_dtype_size(t->dtype), block = inner * es;
    size_t shape[NMS_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[axis] = m;
    nms_tensor *out;
    int st = nms_tensor_create(t->dtype, t->ndim, shape, &out, err);
    if (st != NMS_OK)
        return st;
    for (size_t o = 0; o < outer; o++)
        for (size_t k = 0; k < m; k++)
            memcpy(out->data + (o * m + k) * block, t->data + (o * n + (size_t)keep[k]) * block, block);
    /* swap the contents so the caller's handle stays valid */
    unsigned char *old = t->data;
    t->data = out->data;
    out->data = old;
    t->shape[axis] = m;
    t->numel = out->numel;
    t->nbytes = out->nbytes;
    nms_tensor_free(out);
    return NMS_OK;
}

int nms__axis_scale(nms_tensor *t, int axis, const double *s, const char *name,
                    nms_error *err)
{
    if (!nms__elem_writable(t->dtype))
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "'%s': cannot fold structure parameters into a %s tensor (F32, F64, F16, "
                         "BF16 only)", name, nms_dtype_name(t->dtype));
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t c = 0; c < n; c++)
            for (size_t i = 0; i < inner; i++) {
                size_t k = (o * n + c) * inner + i;
                nms__elem_set(t->data, t->dtype, k, nms__elem_get(t->data, t->dtype, k) * s[c]);
            }
    return NMS_OK;
}

static int check_readable(const nms_tensor *t, const char *name, nms_error *err)
{
    if (!nms__elem_readable(t->dtype))
        return nms__fail(err, NMS_ERR_UNSUPPORTED, "'%s': %s weights are not supported here", name,
                         nms_dtype_name(t->dtype));
    return NMS_OK;
}

static int nonfinite(const char *name, size_t k, nms_error *err)
{
    return nms__fail(err, NMS_ERR_NONFINITE, "'%s': element %zu is NaN or infinite", name, k);
}

int nms__axis_sqnorm(const nms_tensor *t, int axis, double *acc, const char *name,
                     nms_error *err)
{
    int st = check_readable(t, name, err);
    if (st != NMS_OK)
        return st;
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t c = 0; c < n; c++)
            for (size_t i = 0; i < inner; i++) {
                size_t k = (o * n + c) * inner + i;
                double v = nms__elem_get(t->data, t->dtype, k);
                if (!isfinite(v))
                    return nonfinite(name, k, err);
                acc[c] += v * v;
            }
    return NMS_OK;
}

int nms__axis_prune24(nms_tensor *t, int axis, const char *name, nms_error *err)
{
    int st = check_readable(t, name, err);
    if (st != NMS_OK)
        return st;
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    if (n % 4)
        return nms__fail(err, NMS_ERR_SHAPE, "'%s': %zu input channels on axis %d is not a multiple of 4",
                         name, n, axis);
    size_t es = nms_dtype_size(t->dtype);
    for (size_t o = 0; o < outer; o++)
        for (size_t g = 0; g < n; g += 4)
            for (size_t i = 0; i < inner; i++) {
                size_t k[4];
                double a[4];
                for (int q = 0; q < 4; q++) {
                    k[q] = (o * n + g + (size_t)q) * inner + i;
                    a[q] = fabs(nms__elem_get(t->data, t->dtype, k[q]));
                    if (isnan(a[q]))
                        return nonfinite(name, k[q], err);
                }
                /* rank of q = how many others beat it (larger, or equal and lower index) */
                for (int q = 0; q < 4; q++) {
                    int beaten = 0;
                    for (int r = 0; r < 4; r++)
                        if (r != q && (a[r] > a[q] || (a[r] == a[q] && r < q)))
                            beaten++;
                    if (beaten >= 2)
                        memset(t->data + k[q] * es, 0, es);
                }
            }
    return NMS_OK;
}

int nms__axis_scores(const nms_tensor *t, int axis, size_t split, double *s,
                     size_t row0, const char *name, nms_error *err)
{
    int st = check_readable(t, name, err);
    if (st != NMS_OK)
        return st;
    size_t outer, n, inner;
    view(t, axis, &outer, &n, &inner);
    /* [outer, split, n / split, inner] is [outer * split, n / split, inner] */
    outer *= split;
    n /= split;
    for (size_t o = 0; o < outer; o++)
        for (size_t c = 0; c < n; c++)
            for (size_t i = 0; i < inner; i++) {
                size_t k = (o * n + c) * inner + i;
                double v = fabs(nms__elem_get(t->data, t->dtype, k));
                if (!isfinite(v))
                    return nonfinite(name, k, err);
                s[(row0 + o * inner + i) * n + c] = v;
            }
    return NMS_OK;
}
