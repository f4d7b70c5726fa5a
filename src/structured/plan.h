/*
 * plan.h - model plans: one channel permutation per space, with the
 * certificate of the partition solve that produced it (internal).
 *
 * Space k of a plan: name, C channels, perm[0..C-1] (position j holds
 * original channel perm[j]; positions 4g..4g+3 form 2:4 group g), the kept
 * value under perm, a proven upper bound, gap = (bound - value) / value
 * (0 when value is 0), the identity value, seconds, solver status word.
 *
 * PLAN.json (written by nms_model_plan_write):
 *   {"format": "nmsparse-model-plan", "version": 1,
 *    "spaces": [{"space": "h1", "channels": 16, "consumers": 1, "rows": 12,
 *                "value": .., "bound": .., "gap": .., "identity_value": ..,
 *                "seconds": .., "status": "optimal", "perm": [3, 0, ...]}]}
 * Reading needs "space", "channels" and "perm"; the other fields default to 0
 * / "unknown".
 *
 * The stacked score matrix of a space (nms__space_scores): for consumers
 * T_1..T_k of the space, rows = sum of each consumer's rows (all elements but
 * the input axis), columns = C: S[r, c] = |T_i[.., c, ..]|.  A consumer after
 * a channel-minor (hwc) flatten adds one row per (row, position); one after a
 * chw flatten is left out (its groups of 4 lie within a channel).  A space
 * with no scored consumer keeps the identity (status "no_grouped_consumer").
 */
#ifndef NMS_STRUCTURED_PLAN_H
#define NMS_STRUCTURED_PLAN_H

#include <stdint.h>

#include "structured/model.h"
#include "structured/spec.h"

typedef struct nms__space_plan {
    char *space;
    size_t channels, consumers, rows;
    int32_t *perm;
    double value, bound, gap, identity_value, seconds;
    char *status;
} nms__space_plan;

struct nms_model_plan {
    size_t n, cap;
    nms__space_plan *spaces;
};

/* Index of the space named `name`, or -1. */
long nms__plan_find(const nms_model_plan *plan, const char *name);

/* The stacked |consumer| scores of bound space sp (row-major, nms__free). */
int nms__space_scores(const nms__model *m, const nms__bound_space *sp,
                      double **scores, size_t *rows, size_t *consumers,
                      nms_error *err);

/* Permutations for every space of a binding, from a plan, in binding order
 * (perms[s] borrowed from the plan).  Errors: a spec space missing from the
 * plan, a plan space missing from the spec, a size mismatch. */
int nms__plan_match(const nms_model_plan *plan, const nms__binding *b,
                    const int32_t **perms, const char *plan_source,
                    nms_error *err);

/* One space's solve: the solver fills perm (C entries, nms__malloc'd),
 * value, bound, status.  scores is a rows x C F64 tensor of |w|. */
typedef struct nms__space_solution {
    int32_t *perm;
    double value, bound;
    char status[32];
} nms__space_solution;

typedef int (*nms__space_solver)(const nms_tensor *scores, void *ctx,
                                 nms__space_solution *out, nms_error *err);

/* Solve every space of the binding with `solve`, `jobs` spaces at a time
 * (OpenMP; 1 without it), and collect a plan in spec order.  identity_value,
 * gap, seconds, consumers and rows are filled here.  progress (may be NULL)
 * is called after each space, serialised, with (done, total, space name).
 * On failure the error of the first failing space in spec order is
 * returned. */
int nms__plan_solve(const nms__model *m, const nms__binding *b,
                    nms__space_solver solve, void *solver_ctx, int jobs,
                    void (*progress)(size_t done, size_t total,
                                     const char *space, void *ctx),
                    void *progress_ctx, nms_model_plan **out, nms_error *err);

#endif /* NMS_STRUCTURED_PLAN_H */
