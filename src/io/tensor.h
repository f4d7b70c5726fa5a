/*
 * tensor.h - the layout of nms_tensor (internal).
 *
 * A tensor is a dense C-ordered array: element (i0, .., i{n-1}) lives at byte
 * offset  size(dtype) * sum_k i_k * prod_{l>k} shape[l].  numel is the product
 * of the shape (1 for a 0-d tensor); nbytes = numel * size(dtype), checked
 * for overflow when the tensor is created.
 */
#ifndef NMS_IO_TENSOR_H
#define NMS_IO_TENSOR_H

#include "nmsparse.h"

struct nms_tensor {
    nms_dtype dtype;
    int ndim;
    size_t shape[NMS_MAX_DIMS];
    size_t numel;
    size_t nbytes;
    unsigned char *data;
};

/* numel and nbytes of a shape, overflow-checked (0 on success, -1 on overflow). */
int nms__shape_size(nms_dtype dtype, int ndim, const size_t *shape,
                    size_t *numel, size_t *nbytes);

/* Format a shape as "64x32x3x3" ("scalar" for 0-d) into buf. */
const char *nms__shape_str(int ndim, const size_t *shape, char *buf, size_t size);

#endif /* NMS_IO_TENSOR_H */
