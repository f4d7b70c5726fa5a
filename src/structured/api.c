/* api.c - the public whole-model functions: open the model file, bind the
 * spec, run the in-memory operation, write the result. */
#include <string.h>

#include "structured/apply.h"
#include "structured/guess.h"
#include "structured/model.h"
#include "structured/plan.h"
#include "structured/shrink.h"
#include "structured/spec.h"
#include "util/util.h"

/* Open `path` and read it (all data, or names and shapes only). */
static int load_model(const char *path, int with_data, nms__model **out, nms_error *err)
{
    nms_safetensors *f;
    int st = nms_st_open(path, &f, err);
    if (st != NMS_OK)
        return st;
    st = nms__model_from_st(f, path, with_data, out, err);
    nms_st_close(f);
    return st;
}

static int load_and_bind(const char *path, const nms_channel_spec *spec, int with_data,
                         nms__model **m, nms__binding **b, nms_error *err)
{
    if (!path || !spec)
        return nms__fail(err, NMS_ERR_INVALID, "a model path and a spec are required");
    int st = load_model(path, with_data, m, err);
    if (st != NMS_OK)
        return st;
    st = nms__spec_bind(spec, *m, b, err);
    if (st != NMS_OK) {
        nms__model_free(*m);
        *m = NULL;
    }
    return st;
}

int nms_spec_validate(const nms_channel_spec *spec, const char *model_path, nms_error *err)
{
    nms__model *m;
    nms__binding *b;
    int st = load_and_bind(model_path, spec, 0, &m, &b, err);
    if (st != NMS_OK)
        return st;
    nms__binding_free(b);
    nms__model_free(m);
    return NMS_OK;
}

int nms_spec_guess(const char *model_path, nms_layout layout, char **text, nms_error *err)
{
    nms__model *m;
    if (!model_path || !text)
        return nms__fail(err, NMS_ERR_INVALID, "nms_spec_guess: NULL argument");
    int st = load_model(model_path, 0, &m, err);
    if (st != NMS_OK)
        return st;
    st = nms__spec_guess(m, layout, text, err);
    nms__model_free(m);
    return st;
}

int nms_model_apply(const char *model_path, const nms_channel_spec *spec,
                    const nms_model_plan *plan, const nms_model_apply_options *opt,
                    const char *out_path, nms_error *err)
{
    nms__model *m;
    nms__binding *b;
    if (!plan || !out_path)
        return nms__fail(err, NMS_ERR_INVALID, "nms_model_apply: a plan and an output path are required");
    int st = load_and_bind(model_path, spec, 1, &m, &b, err);
    if (st != NMS_OK)
        return st;
    const int32_t **perms = nms__calloc(b->n ? b->n : 1, sizeof *perms);
    if (!perms)
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    if (st == NMS_OK)
        st = nms__plan_match(plan, b, perms, "plan", err);
    if (st == NMS_OK)
        st = nms__model_apply_perms(m, b, (const int32_t *const *)perms, opt ? opt->prune_24 : 0, err);
    if (st == NMS_OK)
        st = nms__model_write(m, out_path, err);
    nms__free(perms);
    nms__binding_free(b);
    nms__model_free(m);
    return st;
}

int nms_model_shrink(const char *model_path, const nms_channel_spec *spec,
                     const nms_shrink_options *opt, const char *out_path,
                     nms_shrink_report **report, nms_error *err)
{
    nms__model *m;
    nms__binding *b;
    nms_shrink_options defaults;
    nms_shrink_report *r = NULL;
    if (!out_path)
        return nms__fail(err, NMS_ERR_INVALID, "nms_model_shrink: an output path is required");
    if (!opt) {
        nms_shrink_options_init(&defaults);
        opt = &defaults;
    }
    int st = load_and_bind(model_path, spec, 1, &m, &b, err);
    if (st != NMS_OK)
        return st;
    st = nms__model_shrink(m, b, opt, &r, err);
    if (st == NMS_OK)
        st = nms__model_write(m, out_path, err);
    if (st == NMS_OK && report)
        *report = r;
    else
        nms_shrink_report_free(r);
    nms__binding_free(b);
    nms__model_free(m);
    return st;
}
