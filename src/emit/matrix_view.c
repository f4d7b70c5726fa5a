/* matrix_view.c - the rows x cols matrix of a weight tensor in its own dtype
 * (bytes copied, no conversion).  Columns are the input channels I, rows are
 * o * K + k with K the product of the kernel dims:
 *   OI   [O, I]          (a 1-D [n] tensor is one row of n)
 *   OIHW [O, I, K...]    element (o, i, k) -> matrix (o*K + k, i)
 *   HWIO [K..., I, O]    element (k, i, o) -> matrix (o*K + k, i)
 *   AUTO OI for 1-D / 2-D, OIHW for 3-D and more.
 * The same mapping as nms_tensor_to_matrix() (src/io/layout.c), without the
 * conversion to float32. */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

int nms__matrix_view_bytes(const nms_tensor *t, nms_layout layout, nms_tensor **out,
                           nms_error *err)
{
    int nd = t->ndim;
    *out = NULL;
    size_t rows, cols;
    /* Shape checks and messages shared with nms_tensor_to_matrix (src/io). */
    int st = nms_tensor_matrix_shape(t, layout, &rows, &cols, err);
    if (st)
        return st;
    if (layout == NMS_LAYOUT_AUTO || nd == 1)
        layout = nd <= 2 ? NMS_LAYOUT_OI : NMS_LAYOUT_OIHW;
    size_t shape[2] = {rows, cols};
    if ((st = nms_tensor_create(t->dtype, 2, shape, out, err)))
        return st;
    size_t es = nms_dtype_size(t->dtype);
    if (layout == NMS_LAYOUT_OI) {
        if (t->nbytes)
            memcpy((*out)->data, t->data, t->nbytes);
        return NMS_OK;
    }
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
    unsigned char *dst = (*out)->data;
    for (size_t o = 0; o < O; o++)
        for (size_t k = 0; k < K; k++)
            for (size_t i = 0; i < I; i++) {
                size_t src = layout == NMS_LAYOUT_OIHW ? (o * I + i) * K + k : (k * I + i) * O + o;
                memcpy(dst + ((o * K + k) * I + i) * es, t->data + src * es, es);
            }
    return NMS_OK;
}
