/* plan_nopart.c - TEMPORARY: nms_model_plan_solve before the partition
 * solver (src/part) is in the build.  Replaced by plan_part.c. */
#include <string.h>

#include "structured/plan.h"
#include "util/util.h"

void nms_model_plan_options_init(nms_model_plan_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->time_limit_per_space = 60.0;
    opt->gap = 1e-9;
    opt->jobs = 1;
}

int nms_model_plan_solve(const char *model_path, const nms_channel_spec *spec,
                         const nms_model_plan_options *opt, nms_model_plan **out,
                         nms_error *err)
{
    (void)model_path;
    (void)spec;
    (void)opt;
    (void)out;
    return nms__fail(err, NMS_ERR_UNSUPPORTED,
                     "model plan: the partition solver is not in this build yet");
}
