/*
 * axis_ops.h - operations on one axis of a dense tensor (internal).
 *
 * A tensor of shape (d_0, .., d_{n-1}) is viewed along axis a as a 3-D
 * array [outer, n, inner] with outer = d_0 * .. * d_{a-1}, n = d_a,
 * inner = d_{a+1} * .. * d_{n-1}; element (o, c, i) sits at
 * (o * n + c) * inner + i.  Channel c of the axis is the slice t[o, c, i]
 * for all o, i.
 *
 *   permute: out[o, j, i] = t[o, perm[j], i]        perm: n entries
 *   select:  out[o, k, i] = t[o, keep[k], i]         keep: m entries (new d_a = m)
 *   scale:   t[o, c, i] *= s[c]                      s: n entries (float dtypes)
 *   sqnorm:  acc[c] += sum_{o,i} t[o, c, i]^2        acc: n entries
 *   prune24: within every (o, i) and group {4g..4g+3} of c, zero all but the
 *            two largest |t| (ties: the lower index is kept); n % 4 == 0
 *   scores:  rows (o * inner + i), columns c:  S[row0 + r, c] = |t[o, c, i]|
 *            into a row-major double matrix with n columns.  With split > 1
 *            the axis is read as [split, n / split] and the channel is the
 *            minor part: the matrix has n / split columns and outer * split *
 *            inner rows (a consumer after a channel-minor flatten).
 */
#ifndef NMS_STRUCTURED_AXIS_OPS_H
#define NMS_STRUCTURED_AXIS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

/* Rows of the score view (outer * inner). */
size_t nms__axis_rows(const nms_tensor *t, int axis, size_t split);

int nms__axis_permute(nms_tensor *t, int axis, const int32_t *perm, nms_error *err);
int nms__axis_select(nms_tensor *t, int axis, const int32_t *keep, size_t m,
                     nms_error *err);
int nms__axis_scale(nms_tensor *t, int axis, const double *s, const char *name,
                    nms_error *err);
int nms__axis_sqnorm(const nms_tensor *t, int axis, double *acc, const char *name,
                     nms_error *err);
int nms__axis_prune24(nms_tensor *t, int axis, const char *name, nms_error *err);
int nms__axis_scores(const nms_tensor *t, int axis, size_t split, double *s,
                     size_t row0, const char *name, nms_error *err);

#endif /* NMS_STRUCTURED_AXIS_OPS_H */
