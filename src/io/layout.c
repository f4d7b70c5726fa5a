/*
 * layout.c - the matrix view of weight tensors.
 *
 * A weight tensor has O output channels, I input channels and K kernel
 * positions (K = product of the kernel dims, 1 for a linear layer).  Its
 * matrix M is (O*K) x I, row-major, with
 *     M[o*K + k, i] = T(o, i, k)
 * where the tensor element T(o, i, k) sits, in C order, at flat index
 *     OI   [O, I]          o*I + i               (K = 1)
 *     OIHW [O, I, k...]    (o*I + i)*K + k
 *     HWIO [k..., I, O]    (k*I + i)*O + o
 * A 1-D tensor [n] is the 1 x n matrix (O = K = 1) in every layout.  AUTO
 * means OI for 1-D and 2-D, OIHW for 3-D and more.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "io/convert.h"
#include "io/tensor.h"
#include "util/half.h"
#include "util/util.h"

int nms_layout_parse(const char *name, nms_layout *layout)
{
    static const struct {
        const char *name;
        nms_layout layout;
    } names[] = {
        {"auto", NMS_LAYOUT_AUTO}, {"oi", NMS_LAYOUT_OI},     {"linear", NMS_LAYOUT_OI},
        {"oihw", NMS_LAYOUT_OIHW}, {"pytorch", NMS_LAYOUT_OIHW}, {"torch", NMS_LAYOUT_OIHW},
        {"hwio", NMS_LAYOUT_HWIO}, {"tensorflow", NMS_LAYOUT_HWIO}, {"tf", NMS_LAYOUT_HWIO},
    };
    if (!name || !layout)
        return NMS_ERR_INVALID;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *layout = names[i].layout;
            return NMS_OK;
        }
    return NMS_ERR_INVALID;
}

const char *nms_layout_name(nms_layout layout)
{
    switch (layout) {
    case NMS_LAYOUT_AUTO: return "auto";
    case NMS_LAYOUT_OI: return "oi";
    case NMS_LAYOUT_OIHW: return "oihw";
    case NMS_LAYOUT_HWIO: return "hwio";
    default: return "?";
    }
}

typedef struct dims {
    nms_layout layout; /* resolved: OI, OIHW or HWIO */
    size_t O, I, K;
} dims;

static int matrix_dims(int ndim, const size_t *shape, nms_layout layout, dims *d,
                       nms_error *err)
{
    char buf[200];
    if ((unsigned)layout > NMS_LAYOUT_HWIO)
        return nms__fail(err, NMS_ERR_INVALID, "invalid layout %d", (int)layout);
    if (ndim < 1)
        return nms__fail(err, NMS_ERR_SHAPE, "a scalar has no matrix view");
    if (ndim == 1) {
        d->layout = NMS_LAYOUT_OI;
        d->O = 1;
        d->K = 1;
        d->I = shape[0];
        return NMS_OK;
    }
    if (layout == NMS_LAYOUT_AUTO)
        layout = ndim == 2 ? NMS_LAYOUT_OI : NMS_LAYOUT_OIHW;
    if (layout == NMS_LAYOUT_OI && ndim != 2)
        return nms__fail(err, NMS_ERR_SHAPE, "layout oi needs a 2-D tensor [out, in], not a %d-D one (%s); use layout oihw or hwio",
                         ndim, nms__shape_str(ndim, shape, buf, sizeof buf));
    size_t K = 1;
    d->layout = layout;
    if (layout == NMS_LAYOUT_HWIO) {
        for (int k = 0; k < ndim - 2; k++)
            if (nms__mul_size(K, shape[k], &K))
                return nms__fail(err, NMS_ERR_RANGE, "shape %s overflows", nms__shape_str(ndim, shape, buf, sizeof buf));
        d->I = shape[ndim - 2];
        d->O = shape[ndim - 1];
    } else {
        for (int k = 2; k < ndim; k++)
            if (nms__mul_size(K, shape[k], &K))
                return nms__fail(err, NMS_ERR_RANGE, "shape %s overflows", nms__shape_str(ndim, shape, buf, sizeof buf));
        d->O = shape[0];
        d->I = shape[1];
    }
    d->K = K;
    /* rows = O*K can overflow only for a shape that holds no elements or
     * one that was not checked (nms_matrix_to_tensor's argument) */
    size_t rows;
    if (nms__mul_size(d->O, d->K, &rows))
        return nms__fail(err, NMS_ERR_RANGE, "matrix view of %s overflows", nms__shape_str(ndim, shape, buf, sizeof buf));
    return NMS_OK;
}

int nms_tensor_matrix_shape(const nms_tensor *t, nms_layout layout,
                            size_t *rows, size_t *cols, nms_error *err)
{
    dims d;
    if (!t)
        return nms__fail(err, NMS_ERR_INVALID, "nms_tensor_matrix_shape: NULL tensor");
    int st = matrix_dims(t->ndim, t->shape, layout, &d, err);
    if (st)
        return st;
    if (rows)
        *rows = d.O * d.K;
    if (cols)
        *cols = d.I;
    return NMS_OK;
}

/* Runs BODY with SRC = tensor flat index, DST = matrix flat index for every
 * element, in matrix order (row by row: the writes are sequential and the
 * reads strided, which caches better than the other way round).  (Found by
 * fuzzing: a shape like [2^20, 2^20, 0] holds nothing, but looping over its
 * other dims would take forever, hence the early exit.) */
#define FOR_EACH_ELEMENT(d, SRC, DST, BODY)                                               \
    do {                                                                                 \
        if ((d).O == 0 || (d).I == 0 || (d).K == 0)                                      \
            break; /* no elements */                                                     \
        size_t DST = 0;                                                                  \
        /* SRC = base + i * step, with base / step by layout */                          \
        size_t step_ = (d).layout == NMS_LAYOUT_HWIO ? (d).O : (d).K;                    \
        for (size_t o_ = 0; o_ < (d).O; o_++)                                            \
            for (size_t k_ = 0; k_ < (d).K; k_++) {                                      \
                size_t base_ = (d).layout == NMS_LAYOUT_HWIO ? k_ * (d).I * (d).O + o_   \
                                                             : o_ * (d).I * (d).K + k_;  \
                for (size_t i_ = 0; i_ < (d).I; i_++, DST++) {                           \
                    size_t SRC = base_ + i_ * step_;                                     \
                    BODY                                                                 \
                }                                                                        \
            }                                                                            \
    } while (0)

/* The same in tensor order (sequential writes when filling a tensor). */
#define FOR_EACH_ELEMENT_TENSOR_ORDER(d, SRC, DST, BODY)                                  \
    do {                                                                                 \
        if ((d).O == 0 || (d).I == 0 || (d).K == 0)                                      \
            break;                                                                       \
        size_t SRC = 0;                                                                  \
        if ((d).layout == NMS_LAYOUT_HWIO) {                                             \
            for (size_t k_ = 0; k_ < (d).K; k_++)                                        \
                for (size_t i_ = 0; i_ < (d).I; i_++)                                    \
                    for (size_t o_ = 0; o_ < (d).O; o_++, SRC++) {                       \
                        size_t DST = (o_ * (d).K + k_) * (d).I + i_;                     \
                        BODY                                                             \
                    }                                                                    \
        } else {                                                                         \
            for (size_t o_ = 0; o_ < (d).O; o_++)                                        \
                for (size_t i_ = 0; i_ < (d).I; i_++)                                    \
                    for (size_t k_ = 0; k_ < (d).K; k_++, SRC++) {                       \
                        size_t DST = (o_ * (d).K + k_) * (d).I + i_;                     \
                        BODY                                                             \
                    }                                                                    \
        }                                                                                \
    } while (0)

/* "[3, 1, 0, 2]" for a flat C-order index. */
static const char *index_str(const nms_tensor *t, size_t flat, char *buf, size_t size)
{
    size_t idx[NMS_MAX_DIMS];
    for (int k = t->ndim - 1; k >= 0; k--) {
        idx[k] = t->shape[k] ? flat % t->shape[k] : 0;
        flat = t->shape[k] ? flat / t->shape[k] : 0;
    }
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < t->ndim && n < size; k++) {
        int w = snprintf(buf + n, size - n, "%s%zu%s", k ? ", " : "[", idx[k], k == t->ndim - 1 ? "]" : "");
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

int nms_tensor_to_matrix(const nms_tensor *t, nms_layout layout,
                         nms_tensor **matrix, nms_error *err)
{
    dims d;
    if (!t || !matrix)
        return nms__fail(err, NMS_ERR_INVALID, "nms_tensor_to_matrix: NULL argument");
    int st = matrix_dims(t->ndim, t->shape, layout, &d, err);
    if (st)
        return st;
    size_t shape[2] = {d.O * d.K, d.I};
    nms_tensor *m;
    if ((st = nms_tensor_create(NMS_DTYPE_F32, 2, shape, &m, err)))
        return st;
    float *out = (float *)(void *)m->data;
    const unsigned char *src = t->data;
    size_t esize = nms_dtype_size(t->dtype);
    size_t bad_src = 0, bad_dst = 0;
    int bad = 0; /* 1 = NaN, 2 = infinity, 3 = finite F64 beyond float */
    /* the common float types get loops without the per-element dispatch */
    if (t->dtype == NMS_DTYPE_F32) {
        FOR_EACH_ELEMENT(d, s, o, {
            float v;
            memcpy(&v, src + 4 * s, 4);
            out[o] = v;
        });
    } else if (t->dtype == NMS_DTYPE_F16) {
        FOR_EACH_ELEMENT(d, s, o, {
            uint16_t h;
            memcpy(&h, src + 2 * s, 2);
            out[o] = nms__f16_to_f32(h);
        });
    } else if (t->dtype == NMS_DTYPE_BF16) {
        FOR_EACH_ELEMENT(d, s, o, {
            uint16_t h;
            memcpy(&h, src + 2 * s, 2);
            out[o] = nms__bf16_to_f32(h);
        });
    } else {
        FOR_EACH_ELEMENT(d, s, o, {
            int overflow;
            float v = nms__load_f32(t->dtype, src + s * esize, &overflow);
            if (overflow && !bad) {
                bad = 3;
                bad_src = s;
                bad_dst = o;
            }
            out[o] = v;
        });
    }
    /* the first non-finite element in matrix order */
    if (!bad)
        FOR_EACH_ELEMENT(d, s, o, {
            if (!bad && !isfinite(out[o])) {
                bad = isnan(out[o]) ? 1 : 2;
                bad_src = s;
                bad_dst = o;
            }
        });
    if (bad) {
        char ib[200];
        const char *what = bad == 1 ? "is NaN" : bad == 2 ? "is infinite" : "is beyond the float32 range";
        index_str(t, bad_src, ib, sizeof ib);
        nms_tensor_free(m);
        return nms__fail(err, bad == 3 ? NMS_ERR_RANGE : NMS_ERR_NONFINITE,
                         "element %s %s (matrix row %zu, column %zu, layout %s)", ib, what, bad_dst / d.I,
                         bad_dst % d.I, nms_layout_name(d.layout));
    }
    *matrix = m;
    return NMS_OK;
}

int nms_matrix_to_tensor(const nms_tensor *matrix, nms_layout layout,
                         int ndim, const size_t *shape, nms_tensor **out,
                         nms_error *err)
{
    dims d;
    char b1[200], b2[200];
    if (!matrix || !out || (ndim > 0 && !shape))
        return nms__fail(err, NMS_ERR_INVALID, "nms_matrix_to_tensor: NULL argument");
    if (matrix->ndim != 2)
        return nms__fail(err, NMS_ERR_SHAPE, "expected a 2-D matrix, got %s",
                         nms__shape_str(matrix->ndim, matrix->shape, b1, sizeof b1));
    if (ndim > NMS_MAX_DIMS)
        return nms__fail(err, NMS_ERR_INVALID, "%d dimensions (at most %d are supported)", ndim, NMS_MAX_DIMS);
    int st = matrix_dims(ndim, shape, layout, &d, err);
    if (st)
        return st;
    if (matrix->shape[0] != d.O * d.K || matrix->shape[1] != d.I)
        return nms__fail(err, NMS_ERR_SHAPE, "a %s matrix does not fit a tensor of shape %s in layout %s (that needs %zux%zu)",
                         nms__shape_str(2, matrix->shape, b1, sizeof b1), nms__shape_str(ndim, shape, b2, sizeof b2),
                         nms_layout_name(d.layout), d.O * d.K, d.I);
    nms_tensor *t;
    if ((st = nms_tensor_create(matrix->dtype, ndim, shape, &t, err)))
        return st;
    size_t esize = nms_dtype_size(matrix->dtype);
    const unsigned char *src = matrix->data;
    unsigned char *dst = t->data;
    /* constant-size copies, which the compiler turns into plain moves */
    switch (esize) {
    case 1: FOR_EACH_ELEMENT_TENSOR_ORDER(d, s, o, { dst[s] = src[o]; }); break;
    case 2: FOR_EACH_ELEMENT_TENSOR_ORDER(d, s, o, { memcpy(dst + 2 * s, src + 2 * o, 2); }); break;
    case 4: FOR_EACH_ELEMENT_TENSOR_ORDER(d, s, o, { memcpy(dst + 4 * s, src + 4 * o, 4); }); break;
    default: FOR_EACH_ELEMENT_TENSOR_ORDER(d, s, o, { memcpy(dst + s * esize, src + o * esize, esize); }); break;
    }
    *out = t;
    return NMS_OK;
}
