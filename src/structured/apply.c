/* apply.c - consistent channel permutations over every tensor of a space. */
#include <string.h>

#include "io/tensor.h"
#include "structured/apply.h"
#include "structured/axis_ops.h"
#include "util/util.h"

/* 2:4-prune a consumer along its input axis: the pruning kernels (src/prune)
 * for the dtypes they take, the same rule in double precision otherwise. */
static int prune_consumer(nms_tensor *t, const nms__bound_entry *e, nms_error *err)
{
    nms_dtype dt = t->dtype;
    if (dt != NMS_DTYPE_F32 && dt != NMS_DTYPE_F16 && dt != NMS_DTYPE_BF16 && dt != NMS_DTYPE_I8)
        return nms__axis_prune24(t, e->axis, e->name, err);
    nms_prune_options opt;
    nms_prune_options_init(&opt);
    opt.layout = e->layout;
    nms_tensor *pruned = NULL;
    int st = nms_prune_24(t, NULL, &opt, &pruned, NULL, err);
    if (st != NMS_OK) {
        nms__error_prefix(err, e->name);
        return st;
    }
    if (pruned->nbytes != t->nbytes) {
        nms_tensor_free(pruned);
        return nms__fail(err, NMS_ERR_INTERNAL, "'%s': pruned tensor changed size", e->name);
    }
    memcpy(t->data, pruned->data, t->nbytes);
    nms_tensor_free(pruned);
    return NMS_OK;
}

int nms__model_apply_perms(nms__model *m, const nms__binding *b,
                           const int32_t *const *perms, int prune_24,
                           nms_error *err)
{
    int st = NMS_OK;
    for (size_t s = 0; s < b->n && st == NMS_OK; s++) {
        const nms__bound_space *sp = &b->spaces[s];
        if (perms[s]) {
            st = nms_perm_check(perms[s], sp->channels, err);
            if (st != NMS_OK) {
                nms__error_prefix(err, sp->name);
                break;
            }
        }
        for (size_t j = 0; j < sp->n && st == NMS_OK; j++) {
            const nms__bound_entry *e = &sp->e[j];
            nms_tensor *t = m->tensors[e->tensor];
            if (!t)
                return nms__fail(err, NMS_ERR_INTERNAL, "'%s' has no data loaded", e->name);
            if (!perms[s])
                continue;
            if (e->flatten == 1) {
                st = nms__axis_permute(t, e->axis, perms[s], err);
            } else {
                int32_t *idx;
                st = nms__entry_axis_index(e, sp->channels, perms[s], sp->channels, &idx, err);
                if (st == NMS_OK)
                    st = nms__axis_permute(t, e->axis, idx, err);
                nms__free(idx);
            }
        }
    }
    if (!prune_24)
        return st;
    for (size_t s = 0; s < b->n && st == NMS_OK; s++) {
        const nms__bound_space *sp = &b->spaces[s];
        if (sp->channels % 4)
            return nms__fail(err, NMS_ERR_SHAPE,
                             "space '%s' has %zu channels: 2:4 pruning needs a multiple of 4",
                             sp->name, sp->channels);
        for (size_t j = 0; j < sp->n && st == NMS_OK; j++) {
            const nms__bound_entry *e = &sp->e[j];
            if (e->role == NMS_ROLE_CONSUMER)
                st = prune_consumer(m->tensors[e->tensor], e, err);
        }
    }
    return st;
}
