/* report.c - the partition result as a JSON report file. */
#include <math.h>
#include <stdio.h>

#include "io/atomic_file.h"
#include "io/json_write.h"
#include "util/util.h"

typedef struct rctx {
    const nms_part_result *r;
    const char *input;
    const char *method;
} rctx;

static int write_json(FILE *f, void *vctx)
{
    const rctx *c = vctx;
    const nms_part_result *r = c->r;
    nms__json_writer w;
    nms__jw_init_file(&w, f, 1);
    nms__jw_begin_object(&w);
    nms__jw_key(&w, "format");
    nms__jw_string(&w, "nmsparse-permute-report");
    nms__jw_key(&w, "version");
    nms__jw_int(&w, 1);
    if (c->input) {
        nms__jw_key(&w, "input");
        nms__jw_string(&w, c->input);
    }
    if (c->method) {
        nms__jw_key(&w, "method");
        nms__jw_string(&w, c->method);
    }
    nms__jw_key(&w, "status");
    nms__jw_string(&w, nms_part_status_name(r->status));
    nms__jw_key(&w, "value");
    nms__jw_double(&w, r->value);
    nms__jw_key(&w, "bound");
    nms__jw_double(&w, r->bound);
    nms__jw_key(&w, "bound_kind");
    nms__jw_string(&w, nms_part_bound_kind_name(r->bound_kind));
    nms__jw_key(&w, "gap");
    nms__jw_double(&w, r->gap);
    nms__jw_key(&w, "identity_value");
    nms__jw_double(&w, r->identity_value);
    nms__jw_key(&w, "unstructured_bound");
    nms__jw_double(&w, r->unstructured_bound);
    nms__jw_key(&w, "lp_bound");
    if (isnan(r->lp_bound))
        nms__jw_null(&w);
    else
        nms__jw_double(&w, r->lp_bound);
    nms__jw_key(&w, "seconds");
    nms__jw_double(&w, r->seconds);
    nms__jw_key(&w, "cpu_seconds");
    nms__jw_double(&w, r->cpu_seconds);
    nms__jw_key(&w, "nodes");
    nms__jw_int(&w, r->nodes);
    nms__jw_key(&w, "columns");
    nms__jw_int(&w, r->columns);
    nms__jw_key(&w, "pricing_rounds");
    nms__jw_int(&w, r->pricing_rounds);
    nms__jw_key(&w, "enumerated");
    nms__jw_int(&w, r->enumerated);
    nms__jw_key(&w, "threads");
    nms__jw_int(&w, r->threads);
    nms__jw_key(&w, "rows");
    nms__jw_uint(&w, r->rows);
    nms__jw_key(&w, "cols");
    nms__jw_uint(&w, r->cols);
    nms__jw_key(&w, "perm");
    nms__jw_begin_array(&w);
    for (size_t j = 0; r->perm && j < r->cols; j++)
        nms__jw_int(&w, r->perm[j]);
    nms__jw_end_array(&w);
    nms__jw_end_object(&w);
    return nms__jw_finish(&w);
}

int nms_part_report_write(const char *path, const nms_part_result *res,
                          const char *input, const char *method, nms_error *err)
{
    if (!path || !res)
        return nms__fail(err, NMS_ERR_INVALID, "nms_part_report_write: NULL argument");
    rctx c = {res, input, method};
    return nms__write_file_atomic(path, write_json, &c, err);
}
