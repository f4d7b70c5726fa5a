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
 * With prune_24, every consumer is then pruned to 2:4 along its input axis
 * (see axis_ops.h); C_s must be a multiple of 4 for those spaces.
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
