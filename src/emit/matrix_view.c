/* matrix_view.c - the rows x cols matrix of a weight tensor in its own dtype
 * (bytes copied, no conversion).  Columns are the input channels I, rows are
 * o * K + k with K the product of the kernel dims:
 *   OI   [O, I]          (a 1-D [n] tensor is one row of n)
 *   OIHW [O, I, K...]    element (o, i, k) -> matrix (o*K + k, i)
 *   HWIO [K..., I, O]    element (k, i, o) -> matrix (o*K + k, i)
 *   AUTO OI for 1-D / 2-D, OIHW for 3-D / 4-D. */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

int nms__matrix_view_bytes(const nms_tensor *t, nms_layout layout, nms_tensor **out,
                           nms_error *err)
{
    int nd = t->ndim;
    *out = NULL;
    if (layout == NMS_LAYOUT_AUTO) {
        if (nd == 1 || nd == 2)
            layout = NMS_LAYOUT_OI;
        else if (nd == 3 || nd == 4)
            layout = NMS_LAYOUT_OIHW;
        else
            return nms__fail(err, NMS_ERR_SHAPE,
                             "a %d-D tensor has no default matrix view (give a layout)", nd);
    }
    size_t shape[2];
    size_t es = nms_dtype_size(t->dtype);
    if (layout == NMS_LAYOUT_OI) {
        if (nd != 1 && nd != 2)
            return nms__fail(err, NMS_ERR_SHAPE, "layout oi needs a 1-D or 2-D tensor, not %d-D", nd);
        shape[0] = nd == 1 ? 1 : t->shape[0];
        shape[1] = nd == 1 ? t->shape[0] : t->shape[1];
        int st = nms_tensor_create(t->dtype, 2, shape, out, err);
        if (st == NMS_OK && t->nbytes)
            memcpy((*out)->data, t->data, t->nbytes);
        return st;
    }
    if ((layout != NMS_LAYOUT_OIHW && layout != NMS_LAYOUT_HWIO) || nd < 2)
        return nms__fail(err, NMS_ERR_SHAPE, "the layout does not fit a %d-D tensor", nd);
    size_t O, I, K = 1;
    if (layout == NMS_LAYOUT_OIHW) {
        O = t->shape[0];
        I = t->shape[1];
        for (int d = 2; d < nd; d++)
            K *= t->shape[d];
    } else {
        O = t->shape[nd - 1];
        I = t->shape[nd - 2];
        for (int d = 0; d < nd - 2; d++)
            K *= t->shape[d];
    }
    shape[0] = O * K; /* no overflow: O*I*K elements already exist */
    shape[1] = I;
    int st = nms_tensor_create(t->dtype, 2, shape, out, err);
    if (st)
        return st;
    unsigned char *dst = (*out)->data;
    for (size_t o = 0; o < O; o++)
        for (size_t k = 0; k < K; k++)
            for (size_t i = 0; i < I; i++) {
                size_t src = layout == NMS_LAYOUT_OIHW ? (o * I + i) * K + k : (k * I + i) * O + o;
                memcpy(dst + ((o * K + k) * I + i) * es, t->data + src * es, es);
            }
    return NMS_OK;
}
