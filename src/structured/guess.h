/*
 * guess.h - a starting channel spec for a plainly sequential model (internal).
 *
 * Weights are the tensors of 2 or more axes whose name has no "alpha", in
 * the model's order.  Layout: `layout` for every weight of 3+ axes, or OIHW
 * when it is AUTO; 2-D weights are OI.  For consecutive weights A, B with
 * out(A) == in(B) = C a space named after A's module (the name up to its last
 * '.') is written: producer A, consumer B, and every tensor of one axis of
 * size C (or "alpha" tensor of C values) that lies between A and B in the
 * model's order or shares A's module, with a role from its last name part:
 *   *alpha*                                   alpha
 *   bias / beta    in A's module              bias
 *   weight / gamma in a batch-norm module     scale   (a module holding a
 *   bias / beta    in a batch-norm module     shift    running_mean,
 *   anything else                             param    running_var,
 *                                                      moving_mean or
 *                                                      moving_variance)
 * Depthwise kernels of C channels right after A ([C, 1, kh, kw] in OIHW,
 * [kh, kw, C, 1] in HWIO) join A's space as params, and the space's consumer
 * is the next weight after them.
 * A conv (3+ axes) followed by a 2-D weight reading C * K inputs is taken as
 * a flatten: the consumer gets flatten=chw:K (OIHW) or flatten=hwc:K (HWIO).
 * Pairs whose sizes do not match are reported as comments.
 */
#ifndef NMS_STRUCTURED_GUESS_H
#define NMS_STRUCTURED_GUESS_H

#include "structured/model.h"

/* *text: NUL-terminated, nms__free. */
int nms__spec_guess(const nms__model *m, nms_layout layout, char **text, nms_error *err);

#endif /* NMS_STRUCTURED_GUESS_H */
