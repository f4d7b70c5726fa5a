/* plan_solve.c - solve the partition problem of every channel space, several
 * spaces at a time. */
#include <stdio.h>
#include <string.h>

#include "io/tensor.h"
#include "part/objective.h"
#include "structured/plan.h"
#include "util/util.h"

typedef struct space_job {
    nms__space_solution sol;
    nms_error err;
    int status;
    size_t rows, consumers;
    double identity, seconds;
} space_job;

static int solve_one(const nms__model *m, const nms__bound_space *sp, nms__space_solver solve,
                     void *ctx, space_job *job)
{
    double *s = NULL;
    nms_tensor *t = NULL;
    int st = nms__space_scores(m, sp, &s, &job->rows, &job->consumers, &job->err);
    if (st != NMS_OK)
        return st;
    if (sp->channels % 4) {
        nms__free(s);
        return nms__fail(&job->err, NMS_ERR_SHAPE,
                         "space '%s' has %zu channels: 2:4 groups need a multiple of 4", sp->name,
                         sp->channels);
    }
    if (job->rows == 0) { /* nothing to group: keep the order */
        nms__free(s);
        job->sol.perm = nms__malloc_array(sp->channels, sizeof *job->sol.perm);
        if (!job->sol.perm)
            return nms__fail(&job->err, NMS_ERR_NOMEM, "out of memory");
        for (size_t c = 0; c < sp->channels; c++)
            job->sol.perm[c] = (int32_t)c;
        snprintf(job->sol.status, sizeof job->sol.status, "no_grouped_consumer");
        return NMS_OK;
    }
    size_t shape[2] = {job->rows, sp->channels};
    st = nms_tensor_create(NMS_DTYPE_F64, 2, shape, &t, &job->err);
    if (st == NMS_OK) {
        memcpy(nms_tensor_data(t), s, job->rows * sp->channels * sizeof *s);
        job->identity = nms__kept_value(s, job->rows, sp->channels, NULL);
        double t0 = nms__now();
        st = solve(t, ctx, &job->sol, &job->err);
        job->seconds = nms__now() - t0;
        if (st == NMS_OK) {
            st = nms_perm_check(job->sol.perm, sp->channels, &job->err);
            if (st != NMS_OK)
                nms__error_prefix(&job->err, "the solver returned an invalid permutation");
        }
    }
    if (st != NMS_OK)
        nms__error_prefix(&job->err, sp->name);
    nms_tensor_free(t);
    nms__free(s);
    return st;
}

int nms__plan_solve(const nms__model *m, const nms__binding *b, nms__space_solver solve,
                    void *solver_ctx, int jobs,
                    void (*progress)(size_t done, size_t total, const char *space, void *ctx),
                    void *progress_ctx, nms_model_plan **out, nms_error *err)
{
    space_job *job = nms__calloc(b->n ? b->n : 1, sizeof *job);
    if (!job)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    /* largest spaces first, so that with several jobs the long solves start
       early (results do not depend on the order) */
    size_t *order = nms__malloc_array(b->n ? b->n : 1, sizeof *order);
    if (!order) {
        nms__free(job);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    for (size_t s = 0; s < b->n; s++) {
        size_t k = s;
        while (k > 0 && b->spaces[order[k - 1]].channels < b->spaces[s].channels) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = s;
    }
    size_t done = 0;
    long n = (long)b->n;
    (void)jobs;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs > 0 ? jobs : 1)
#endif
    for (long q = 0; q < n; q++) {
        size_t s = order[q];
        job[s].status = solve_one(m, &b->spaces[s], solve, solver_ctx, &job[s]);
#ifdef _OPENMP
#pragma omp critical(nms_plan_progress)
#endif
        {
            done++;
            if (progress)
                progress(done, b->n, b->spaces[s].name, progress_ctx);
        }
    }
    nms__free(order);
    nms_model_plan *plan = NULL;
    int st = NMS_OK;
    for (size_t s = 0; s < b->n && st == NMS_OK; s++)
        if (job[s].status != NMS_OK) {
            st = job[s].status;
            if (err)
                *err = job[s].err;
        }
    if (st == NMS_OK)
        st = nms_model_plan_create(&plan, err);
    for (size_t s = 0; s < b->n && st == NMS_OK; s++) {
        const space_job *j = &job[s];
        nms_space_plan sp;
        memset(&sp, 0, sizeof sp);
        sp.space = b->spaces[s].name;
        sp.channels = b->spaces[s].channels;
        sp.consumers = j->consumers;
        sp.rows = j->rows;
        sp.perm = j->sol.perm;
        sp.value = j->sol.value;
        sp.bound = j->sol.bound;
        sp.gap = j->sol.value > 0 ? (j->sol.bound - j->sol.value) / j->sol.value : 0.0;
        sp.identity_value = j->identity;
        sp.seconds = j->seconds;
        sp.status = j->sol.status;
        st = nms_model_plan_add(plan, &sp, err);
    }
    for (size_t s = 0; s < b->n; s++)
        nms__free(job[s].sol.perm);
    nms__free(job);
    if (st != NMS_OK) {
        nms_model_plan_free(plan);
        return st;
    }
    *out = plan;
    return NMS_OK;
}
