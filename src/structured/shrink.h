/*
 * shrink.h - structured pruning with compaction (PSP) in memory (internal).
 *
 * Per bound space s with C channels:
 *   score[c] = |alpha[c]|                      if s has an alpha entry
 *            = sqrt(sum over producers P of sum P[.., c, ..]^2)   otherwise
 *   removed  = { c : score[c] <= threshold }                     (threshold mode)
 *            = the floor(ratio * C) lowest scores, ties removing the
 *              lower index first                                   (ratio mode)
 *   kept count is rounded up to a multiple of `multiple` (at most C) and is
 *   at least max(1, multiple) when C allows; the kept channels stay in order.
 * Then alphas are folded, alpha[c] := 1 afterwards: when the space has
 * scale / shift entries (a batch norm), G[c] *= alpha[c] and S[c] *= alpha[c]
 * for each of them -- exact since alpha (g z_hat + beta) = (alpha g) z_hat +
 * alpha beta; otherwise P[.., c, ..] *= alpha[c] for every producer P and
 * B[c] *= alpha[c] for every bias B -- exact since alpha (P x + B).  Finally every entry of every space
 * is cut to its kept channels (nms__axis_select).  All scores are taken from
 * the model as given, before any space is changed.
 *
 * Report: parameters = sum of numel over all tensors; multiply-adds per
 * output position = sum of numel over tensors of ndim >= 2.
 */
#ifndef NMS_STRUCTURED_SHRINK_H
#define NMS_STRUCTURED_SHRINK_H

#include <stdint.h>

#include "structured/model.h"
#include "structured/spec.h"

typedef struct nms__shrink_space {
    char *name;
    size_t before, after;
    int32_t *kept;          /* after entries, increasing */
    int scored_by_alpha;
} nms__shrink_space;

struct nms_shrink_report {
    uint64_t params_before, params_after, macs_before, macs_after;
    size_t n;
    nms__shrink_space *spaces;
};

int nms__model_shrink(nms__model *m, const nms__binding *b,
                      const nms_shrink_options *opt, nms_shrink_report **report,
                      nms_error *err);

/* Totals of a model (see above). */
void nms__model_counts(const nms__model *m, uint64_t *params, uint64_t *macs);

#endif /* NMS_STRUCTURED_SHRINK_H */
