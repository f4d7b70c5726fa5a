/*
 * prune.h - the 2:4 pruning driver (internal): variant dispatch and the
 * strided matrix view the public functions run on.
 *
 * Matrix view of a dense C-ordered tensor (see nms_layout in nmsparse.h):
 * element (r, c) of the rows x cols matrix (c = input channel) lives at
 * element offset
 *     offset(r, c) = (r / K) * row_step + (r % K) * kpos_step + c * col_step
 * with K the number of kernel positions:
 *     OI   [O, I]          K = 1,  row_step = I,   kpos_step = 0,     col_step = 1
 *     OIHW [O, I, k...]    K = prod k, row_step = I*K, kpos_step = 1, col_step = K
 *     HWIO [k..., I, O]    K = prod k, row_step = 1, kpos_step = I*O, col_step = O
 *     1-D  [n]             one row: K = 1, row_step = n, col_step = 1
 * With a permutation p, position j of a row reads column p[j]; the output
 * writes position j at column j (permuted order) or p[j] (original order) of
 * the same view, so an output tensor has the input's shape (permuted order
 * permutes the input-channel axis).
 */
#ifndef NMS_PRUNE_PRUNE_H
#define NMS_PRUNE_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"
#include "prune/prune_kernels.h"

/* The kernels of a concrete (non-AUTO) variant, or NULL when that variant
 * is not compiled in or the CPU / OS cannot run it. */
const nms__prune_kernels *nms__prune_kernels_get(nms_prune_variant variant);

typedef struct nms__prune_view {
    size_t rows, cols;
    size_t kpos;      /* K */
    size_t row_step, kpos_step, col_step;
} nms__prune_view;

/* The view of a tensor shape in a layout; NMS_ERR_SHAPE when it does not fit. */
int nms__prune_view_of(int ndim, const size_t *shape, nms_layout layout,
                       nms__prune_view *view, nms_error *err);

/* Prune through a view.  in / out / mask (out, mask may be NULL) are dense
 * arrays with the view's offsets; out may equal in.  shape/ndim are used only
 * to name the tensor index of a NaN (ndim 0 = omit). */
int nms__prune_run(const nms__prune_kernels *kern, nms_dtype dtype, nms_prune_pattern pattern,
                   const nms__prune_view *view, const void *in,
                   const int32_t *perm, int original_order, void *out,
                   uint8_t *mask, int ndim, const size_t *shape, nms_error *err);

/* The kernel of `dtype` (F32, F16, BF16, I8) and pattern on ngroups
 * contiguous groups; returns 1 when a NaN was met (see prune_kernels.h). */
int nms__prune_call(const nms__prune_kernels *kern, nms_dtype dtype, nms_prune_pattern pattern,
                    const void *in, size_t ngroups, void *out, uint8_t *bits);
/* Index of the first NaN among n elements of `dtype`, or n. */
size_t nms__prune_first_nan(nms_dtype dtype, const void *data, size_t n);
/* dst[j] = src[base + idx(j) * step] (elements of esz bytes) for j < n,
 * idx(j) = perm ? perm[j] : j. */
void nms__prune_gather(unsigned char *dst, const unsigned char *src, size_t esz, size_t base,
                       size_t step, const int32_t *perm, size_t n);

/* Pack a row-major rows x cols matrix `in` of dtype (F32, F16, BF16, I8;
 * cols % 4 == 0, shape rules of the layout already checked), its columns
 * permuted by perm (NULL or a checked permutation; packed column j is
 * column perm[j]), into caller-owned values (rows x cols/2 elements) and
 * meta (see prune_nm.c):
 *   NMS__PACK_NM              nm bytes, rows x ceil(cols/8)
 *   NMS__PACK_CUTLASS16 / 32  CUTLASS reordered int16 / int32 words of 2:4
 *                             group codes (rows % 32 / 16 == 0)
 *   NMS__PACK_CUTLASS_PAIRS   CUTLASS fp32: reordered int16 words of 1:2
 *                             pair codes, rows x cols/8 (rows % 32 == 0)
 * verify 0: prune each row first to `pattern` with kern (PAIRS needs 1:2);
 *   NMS_ERR_NONFINITE on a NaN (naming row and column).
 * verify 1: the input must already have at most two nonzeros per group (one
 *   per pair); the bytes are then those of nms_pack's portable encoders, and
 *   otherwise NMS_ERR_INVALID (naming only the row; outputs unspecified).
 * NMS_ERR_NOMEM.  Allocates a few rows of scratch. */
typedef enum nms__pack_layout {
    NMS__PACK_NM,
    NMS__PACK_CUTLASS16,
    NMS__PACK_CUTLASS32,
    NMS__PACK_CUTLASS_PAIRS
} nms__pack_layout;
int nms__prune_pack(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                    const int32_t *perm, const nms__prune_kernels *kern, nms__pack_layout layout,
                    int verify, nms_prune_pattern pattern, void *values, void *meta,
                    nms_error *err);

#endif /* NMS_PRUNE_PRUNE_H */
