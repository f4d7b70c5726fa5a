/* plan_part.c - nms_model_plan_solve: the partition solver (src/part) on the
 * stacked consumers of every channel space. */
#include <stdio.h>
#include <string.h>

#include "structured/model.h"
#include "structured/plan.h"
#include "structured/spec.h"
#include "util/util.h"

void nms_model_plan_options_init(nms_model_plan_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->time_limit_per_space = 60.0;
    opt->gap = 1e-9;
    opt->jobs = 1;
}

typedef struct part_ctx {
    nms_part_options opt;
} part_ctx;

static int solve_with_part(const nms_tensor *scores, void *ctx, nms__space_solution *out,
                           nms_error *err)
{
    const part_ctx *pc = ctx;
    nms_part_result res;
    int st = nms_part_solve(scores, &pc->opt, &res, err);
    if (st != NMS_OK)
        return st;
    out->perm = nms__malloc_array(res.cols, sizeof *out->perm);
    if (!out->perm) {
        nms_part_result_free(&res);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    memcpy(out->perm, res.perm, res.cols * sizeof *out->perm);
    out->value = res.value;
    out->bound = res.bound;
    snprintf(out->status, sizeof out->status, "%s", nms_part_status_name(res.status));
    nms_part_result_free(&res);
    return NMS_OK;
}

int nms_model_plan_solve(const char *model_path, const nms_channel_spec *spec,
                         const nms_model_plan_options *opt, nms_model_plan **out,
                         nms_error *err)
{
    nms_model_plan_options defaults;
    if (!opt) {
        nms_model_plan_options_init(&defaults);
        opt = &defaults;
    }
    if (!model_path || !spec || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_model_plan_solve: NULL argument");
    part_ctx pc;
    nms_part_options_default(&pc.opt);
    if (opt->method && nms_part_method_parse(opt->method, &pc.opt.method) != NMS_OK)
        return nms__fail(err, NMS_ERR_INVALID, "unknown method '%s' (bp, swap or identity)", opt->method);
    pc.opt.time_limit = opt->time_limit_per_space;
    if (opt->gap > 0)
        pc.opt.gap = opt->gap;
    pc.opt.threads = opt->threads;
    pc.opt.interrupt = opt->interrupt;

    nms_safetensors *f;
    nms__model *m;
    nms__binding *b = NULL;
    int st = nms_st_open(model_path, &f, err);
    if (st != NMS_OK)
        return st;
    /* names and shapes first; then only the consumers' data */
    st = nms__model_from_st(f, model_path, 0, &m, err);
    if (st != NMS_OK) {
        nms_st_close(f);
        return st;
    }
    st = nms__spec_bind(spec, m, &b, err);
    for (size_t s = 0; st == NMS_OK && s < b->n; s++)
        for (size_t j = 0; st == NMS_OK && j < b->spaces[s].n; j++)
            if (b->spaces[s].e[j].role == NMS_ROLE_CONSUMER)
                st = nms__model_load_one(m, f, b->spaces[s].e[j].tensor, err);
    nms_st_close(f);
    if (st != NMS_OK && b) {
        nms__binding_free(b);
        b = NULL;
    }
    if (st == NMS_OK) {
        st = nms__plan_solve(m, b, solve_with_part, &pc, opt->jobs, opt->progress, opt->progress_ctx,
                             out, err);
        nms__binding_free(b);
    }
    nms__model_free(m);
    return st;
}
