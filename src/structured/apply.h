/*
 * apply.h - permute (and optionally 2:4-prune) a whole model in memory
 * (internal).
 *
 * For every bound space s with permutation p_s (C_s entries, position j
 * holds original channel p_s[j]) and every entry (tensor T, axis a) of s:
 *     T'[.., j, ..] = T[.., p_s[j], ..]      along axis a.
 * Producers, biases, params, alphas and consumers all move together, so for
 * y = W2 f(W1 x + b1) with W1's rows, b1 and W2's columns permuted alike the
 * function is unchanged (f acts elementwise).  Axes of different spaces are
 * different axes, so the order in which spaces are applied does not matter.
 * With prune_24, every consumer is then pruned to 2:4 along its input axis:
 * in each group of 4 the two largest |w| stay, ties to the lower index (the
 * pruning kernels of src/prune for F32 / F16 / BF16 / I8, nms__axis_prune24
 * with the same rule for other dtypes); C_s must be a multiple of 4.
 */
#ifndef NMS_STRUCTURED_APPLY_H
#define NMS_STRUCTURED_APPLY_H

#include <stdint.h>

#include "structured/model.h"
#include "structured/spec.h"

/* perms[s] may be NULL: that space keeps its order (and is still pruned). */
int nms__model_apply_perms(nms__model *m, const nms__binding *b,
                           const int32_t *const *perms, int prune_24,
                           nms_error *err);

#endif /* NMS_STRUCTURED_APPLY_H */
