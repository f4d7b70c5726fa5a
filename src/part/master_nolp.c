/* master_nolp.c - TEMPORARY stand-in for master.c until src/lp lands:
 * duals from the incumbent (pi_i = v(G(i)) / 4) and one exact pricing. */
#include <math.h>
#include <string.h>

#include "part/part.h"
#include "util/util.h"

int nms__cg_root(const nms__pp *p, nms__cg *cg, nms_error *err)
{
    size_t C = p->C, G = C / 4;
    memset(&cg->pool, 0, sizeof cg->pool);
    cg->npool = 0;
    cg->converged = 0;
    cg->lp_value = NAN;
    cg->rounds = 1;
    cg->sumpi = 0.0;
    for (size_t g = 0; g < G; g++) {
        double v = nms__pp_group_value(p, cg->init_perm + 4 * g);
        for (int k = 0; k < 4; k++)
            cg->pi[cg->init_perm[4 * g + (size_t)k]] = v / 4;
        cg->sumpi += v;
    }
    nms__price_req rq;
    memset(&rq, 0, sizeof rq);
    rq.pi = cg->pi;
    rq.thr = 0.0;
    rq.k = 1;
    rq.threads = cg->threads;
    rq.deadline = cg->deadline;
    rq.interrupt = cg->interrupt;
    nms__price_res pr;
    int st = nms__price_exact(p, &rq, &pr, err);
    if (st)
        return st;
    nms__free(pr.cols);
    cg->max_rc_ub = pr.max_rc_ub;
    cg->bound = pr.complete ? cg->sumpi + (double)G * (pr.max_rc_ub > 0 ? pr.max_rc_ub : 0) : HUGE_VAL;
    cg->pool = nms__malloc_array(G, sizeof *cg->pool);
    if (!cg->pool)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < G; g++) {
        memcpy(cg->pool[g].g, cg->init_perm + 4 * g, 4 * sizeof(int32_t));
        nms__sort4(cg->pool[g].g);
        cg->pool[g].v = nms__pp_group_value(p, cg->pool[g].g);
        cg->pool[g].rc = cg->pool[g].v - nms__pi_sum4(cg->pi, cg->pool[g].g);
    }
    cg->npool = G;
    return NMS_OK;
}
