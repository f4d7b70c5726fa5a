/* shrink.c - score channels, fold structure parameters, cut channels out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/tensor.h"
#include "structured/axis_ops.h"
#include "structured/elem.h"
#include "structured/shrink.h"
#include "util/util.h"

void nms_shrink_options_init(nms_shrink_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->multiple = 1;
}

void nms__model_counts(const nms__model *m, uint64_t *params, uint64_t *macs)
{
    uint64_t p = 0, x = 0;
    for (size_t i = 0; i < m->count; i++) {
        uint64_t n = 1;
        for (int k = 0; k < m->ndim[i]; k++)
            n *= m->shape[i][k];
        p += n;
        if (m->ndim[i] >= 2)
            x += n;
    }
    *params = p;
    *macs = x;
}

void nms_shrink_report_free(nms_shrink_report *r)
{
    if (!r)
        return;
    for (size_t s = 0; s < r->n; s++) {
        nms__free(r->spaces[s].name);
        nms__free(r->spaces[s].kept);
    }
    nms__free(r->spaces);
    nms__free(r);
}

typedef struct scored {
    double score;
    int32_t index;
} scored;

static int by_score_then_index(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* score[c] for one space. */
static int score_space(const nms__model *m, const nms__bound_space *sp, double *score,
                       int *by_alpha, nms_error *err)
{
    size_t C = sp->channels;
    *by_alpha = 0;
    for (size_t j = 0; j < sp->n; j++) {
        const nms__bound_entry *e = &sp->e[j];
        if (e->role != NMS_ROLE_ALPHA)
            continue;
        const nms_tensor *t = m->tensors[e->tensor];
        if (!nms__elem_readable(t->dtype))
            return nms__fail(err, NMS_ERR_UNSUPPORTED, "alpha '%s': dtype %s is not supported",
                             e->name, nms_dtype_name(t->dtype));
        for (size_t c = 0; c < C; c++) {
            double v = nms__elem_get(t->data, t->dtype, c);
            if (!isfinite(v))
                return nms__fail(err, NMS_ERR_NONFINITE, "alpha '%s': value %zu is NaN or infinite",
                                 e->name, c);
            score[c] = fabs(v);
        }
        *by_alpha = 1;
        return NMS_OK;
    }
    memset(score, 0, C * sizeof *score);
    for (size_t j = 0; j < sp->n; j++) {
        const nms__bound_entry *e = &sp->e[j];
        if (e->role == NMS_ROLE_PRODUCER) {
            int st = nms__axis_sqnorm(m->tensors[e->tensor], e->axis, score, e->name, err);
            if (st != NMS_OK)
                return st;
        }
    }
    for (size_t c = 0; c < C; c++)
        score[c] = sqrt(score[c]);
    return NMS_OK;
}

/* Choose kept channels (increasing) from the scores. */
static int choose(const double *score, size_t C, const nms_shrink_options *opt,
                  int32_t *kept, size_t *n_kept, nms_error *err)
{
    scored *v = nms__malloc_array(C, sizeof *v);
    unsigned char *keep = nms__calloc(C, 1);
    if (!v || !keep) {
        nms__free(v);
        nms__free(keep);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < C; c++) {
        v[c].score = score[c];
        v[c].index = (int32_t)c;
    }
    qsort(v, C, sizeof *v, by_score_then_index);
    size_t removed;
    if (opt->by_ratio) {
        removed = (size_t)floor(opt->ratio * (double)C);
    } else {
        removed = 0;
        while (removed < C && v[removed].score <= opt->threshold)
            removed++;
    }
    size_t keepn = C - removed, mult = opt->multiple ? opt->multiple : 1;
    if (keepn < 1)
        keepn = 1;
    if (keepn % mult)
        keepn += mult - keepn % mult;
    if (keepn > C)
        keepn = C;
    /* keep the keepn highest-scored channels: the tail of the sorted order */
    for (size_t k = C - keepn; k < C; k++)
        keep[v[k].index] = 1;
    size_t n = 0;
    for (size_t c = 0; c < C; c++)
        if (keep[c])
            kept[n++] = (int32_t)c;
    *n_kept = n;
    nms__free(v);
    nms__free(keep);
    return NMS_OK;
}

static int fold_alpha(nms__model *m, const nms__bound_space *sp, nms_error *err)
{
    const nms__bound_entry *alpha = NULL;
    for (size_t j = 0; j < sp->n; j++)
        if (sp->e[j].role == NMS_ROLE_ALPHA)
            alpha = &sp->e[j];
    if (!alpha)
        return NMS_OK;
    nms_tensor *a = m->tensors[alpha->tensor];
    double *s = nms__malloc_array(sp->channels, sizeof *s);
    if (!s)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t c = 0; c < sp->channels; c++)
        s[c] = nms__elem_get(a->data, a->dtype, c);
    int st = NMS_OK, has_bn = 0;
    for (size_t j = 0; j < sp->n; j++)
        if (sp->e[j].role == NMS_ROLE_SCALE || sp->e[j].role == NMS_ROLE_SHIFT)
            has_bn = 1;
    for (size_t j = 0; j < sp->n && st == NMS_OK; j++) {
        const nms__bound_entry *e = &sp->e[j];
        int target = has_bn ? (e->role == NMS_ROLE_SCALE || e->role == NMS_ROLE_SHIFT)
                            : (e->role == NMS_ROLE_PRODUCER || e->role == NMS_ROLE_BIAS);
        if (target)
            st = nms__axis_scale(m->tensors[e->tensor], e->axis, s, e->name, err);
    }
    if (st == NMS_OK) {
        if (!nms__elem_writable(a->dtype))
            st = nms__fail(err, NMS_ERR_UNSUPPORTED, "alpha '%s': cannot write %s values",
                           alpha->name, nms_dtype_name(a->dtype));
        for (size_t c = 0; st == NMS_OK && c < sp->channels; c++)
            nms__elem_set(a->data, a->dtype, c, 1.0);
    }
    nms__free(s);
    return st;
}

int nms__model_shrink(nms__model *m, const nms__binding *b,
                      const nms_shrink_options *opt, nms_shrink_report **report,
                      nms_error *err)
{
    if (opt->by_ratio && !(opt->ratio >= 0.0 && opt->ratio < 1.0))
        return nms__fail(err, NMS_ERR_INVALID, "ratio %g is not in [0, 1)", opt->ratio);
    if (!opt->by_ratio && !isfinite(opt->threshold))
        return nms__fail(err, NMS_ERR_INVALID, "threshold is not finite");
    nms_shrink_report *r = nms__calloc(1, sizeof *r);
    if (!r || !(r->spaces = nms__calloc(b->n ? b->n : 1, sizeof *r->spaces))) {
        nms__free(r);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    r->n = b->n;
    nms__model_counts(m, &r->params_before, &r->macs_before);
    int st = NMS_OK;
    /* 1. scores and choices, all from the model as given */
    for (size_t s = 0; s < b->n && st == NMS_OK; s++) {
        const nms__bound_space *sp = &b->spaces[s];
        nms__shrink_space *rs = &r->spaces[s];
        double *score = nms__malloc_array(sp->channels, sizeof *score);
        rs->name = nms__strdup(sp->name);
        rs->kept = nms__malloc_array(sp->channels, sizeof *rs->kept);
        rs->before = sp->channels;
        if (!score || !rs->name || !rs->kept)
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        if (st == NMS_OK)
            st = score_space(m, sp, score, &rs->scored_by_alpha, err);
        if (st == NMS_OK)
            st = choose(score, sp->channels, opt, rs->kept, &rs->after, err);
        nms__free(score);
    }
    /* 2. fold structure parameters */
    for (size_t s = 0; s < b->n && st == NMS_OK; s++)
        st = fold_alpha(m, &b->spaces[s], err);
    /* 3. cut */
    for (size_t s = 0; s < b->n && st == NMS_OK; s++) {
        const nms__bound_space *sp = &b->spaces[s];
        const nms__shrink_space *rs = &r->spaces[s];
        if (rs->after == rs->before)
            continue;
        for (size_t j = 0; j < sp->n && st == NMS_OK; j++) {
            const nms__bound_entry *e = &sp->e[j];
            if (e->flatten == 1) {
                st = nms__axis_select(m->tensors[e->tensor], e->axis, rs->kept, rs->after, err);
            } else {
                int32_t *idx;
                st = nms__entry_axis_index(e, sp->channels, rs->kept, rs->after, &idx, err);
                if (st == NMS_OK)
                    st = nms__axis_select(m->tensors[e->tensor], e->axis, idx, rs->after * e->flatten, err);
                nms__free(idx);
            }
            if (st == NMS_OK)
                m->shape[e->tensor][e->axis] = rs->after * e->flatten;
        }
    }
    if (st != NMS_OK) {
        nms_shrink_report_free(r);
        return st;
    }
    nms__model_counts(m, &r->params_after, &r->macs_after);
    *report = r;
    return NMS_OK;
}

void nms_shrink_report_totals(const nms_shrink_report *r,
                              uint64_t *params_before, uint64_t *params_after,
                              uint64_t *macs_before, uint64_t *macs_after)
{
    if (params_before)
        *params_before = r->params_before;
    if (params_after)
        *params_after = r->params_after;
    if (macs_before)
        *macs_before = r->macs_before;
    if (macs_after)
        *macs_after = r->macs_after;
}

size_t nms_shrink_report_count(const nms_shrink_report *r) { return r ? r->n : 0; }

int nms_shrink_report_by_alpha(const nms_shrink_report *r, size_t i)
{
    return r && i < r->n ? r->spaces[i].scored_by_alpha : 0;
}

int nms_shrink_report_space(const nms_shrink_report *r, size_t i,
                            const char **space, size_t *before, size_t *after,
                            const int32_t **kept)
{
    if (!r || i >= r->n)
        return NMS_ERR_INVALID;
    if (space)
        *space = r->spaces[i].name;
    if (before)
        *before = r->spaces[i].before;
    if (after)
        *after = r->spaces[i].after;
    if (kept)
        *kept = r->spaces[i].kept;
    return NMS_OK;
}
