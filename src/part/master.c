/*
 * master.c - column generation for the root of the set-partitioning LP
 *
 *     max  sum_S v(S) x_S   s.t.  sum_{S ni i} x_S = 1  (i < C),  x >= 0
 *
 * over a growing pool of groups, with the simplex of src/lp (warm
 * re-solves after adding columns).  Duals pi (row duals of the maximisation:
 * v(S) - pi(S) <= 0 for every pool column at an optimum).  Pricing: the
 * dual-guided heuristic first; when it finds nothing, exact enumeration
 * (pricing_exact.c), whose per-channel maxima u give the Lagrangian bound
 * sum pi + B(u) (part.h (3)) -- valid for any pi, so LP inaccuracy
 * can only weaken it, never invalidate it.  A complete round also lists
 * every group above its final threshold, which gives the packing bound
 * (pack_bound.h), reported when lower (at 160 x 960 the first round's
 * bound 8510.67 -> 8510.08).  With exact_parts > 1, partial
 * exact passes (1/exact_parts of the root pairs each, in turn) come between
 * complete rounds: the LP moves after each, and once every part has had a
 * pass, the passes' per-channel maxima, each at its own duals, bound the
 * partitions at the current duals too (pass_bound.h: a bound to report
 * before the first complete round ends, or where none fits); and the
 * heuristic comes back after every exact pricing that added columns.
 *
 * The pool keeps one copy of each group (hash set on the packed indices).
 * The (pi, u, max rc) of the best complete round is what the caller gets,
 * so the reduced-cost enumeration after us uses a certified pair.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "part/part.h"
#include "util/util.h"

typedef struct pool {
    nms__col *c;
    size_t n, cap;
    uint64_t *keys;   /* open addressing, 0 = empty; key = packed group + 1 */
    size_t kcap;
} pool;

static uint64_t key_of(const int32_t g[4])
{
    return (((uint64_t)g[0] << 48) | ((uint64_t)g[1] << 32) | ((uint64_t)g[2] << 16) | (uint64_t)g[3]) + 1;
}

static size_t hash_slot(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)(k & (cap - 1));
}

static int pool_has(const pool *pl, uint64_t k)
{
    for (size_t s = hash_slot(k, pl->kcap);; s = (s + 1) & (pl->kcap - 1)) {
        if (pl->keys[s] == k)
            return 1;
        if (!pl->keys[s])
            return 0;
    }
}

/* Add a column unless present; returns 1 added, 0 present, -1 no memory. */
static int pool_add(pool *pl, const nms__col *c)
{
    uint64_t k = key_of(c->g);
    if ((pl->n + 1) * 2 > pl->kcap) {
        size_t nk = pl->kcap ? pl->kcap * 2 : 1024;
        uint64_t *keys = nms__calloc(nk, sizeof *keys);
        if (!keys)
            return -1;
        for (size_t q = 0; q < pl->kcap; q++)
            if (pl->keys[q]) {
                size_t s = hash_slot(pl->keys[q], nk);
                while (keys[s])
                    s = (s + 1) & (nk - 1);
                keys[s] = pl->keys[q];
            }
        nms__free(pl->keys);
        pl->keys = keys;
        pl->kcap = nk;
    }
    if (pool_has(pl, k))
        return 0;
    if (pl->n == pl->cap) {
        size_t nc = pl->cap ? pl->cap * 2 : 256;
        nms__col *q = nms__realloc_array(pl->c, nc, sizeof *q);
        if (!q)
            return -1;
        pl->c = q;
        pl->cap = nc;
    }
    pl->c[pl->n++] = *c;
    size_t s = hash_slot(k, pl->kcap);
    while (pl->keys[s])
        s = (s + 1) & (pl->kcap - 1);
    pl->keys[s] = k;
    return 1;
}

static int stopped(const nms__cg *cg)
{
    const nms__ctl c = {cg->deadline, cg->interrupt, NULL, NULL};
    return nms__ctl_stop(&c);
}

int nms__lp_add_groups(nms_lp *lp, const nms__col *cols, size_t n, nms_error *err)
{
    if (!n)
        return NMS_OK;
    double *cost = nms__malloc_array(n, sizeof *cost), *val = nms__malloc_array(4 * n, sizeof *val);
    size_t *start = nms__malloc_array(n + 1, sizeof *start);
    int32_t *idx = nms__malloc_array(4 * n, sizeof *idx);
    int st = NMS_OK;
    if (!cost || !val || !start || !idx) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory adding LP columns");
        goto out;
    }
    for (size_t q = 0; q < n; q++) {
        cost[q] = cols[q].v;
        start[q] = 4 * q;
        for (int k = 0; k < 4; k++) {
            idx[4 * q + (size_t)k] = cols[q].g[k];
            val[4 * q + (size_t)k] = 1.0;
        }
    }
    start[n] = 4 * n;
    st = nms_lp_add_cols(lp, n, cost, NULL, NULL, start, idx, val, err); /* bounds [0, inf) */
out:
    nms__free(cost);
    nms__free(val);
    nms__free(start);
    nms__free(idx);
    return st;
}

/* A fresh master LP over the whole pool. */
static int master_build(nms_lp **lp, const pool *pl, size_t C, const double *ones, nms_error *err)
{
    int st = nms_lp_create(lp, err);
    if (st)
        return st;
    nms_lp_set_maximize(*lp, 1);
    if ((st = nms_lp_add_rows(*lp, C, ones, ones, err)) != NMS_OK)
        return st;
    return nms__lp_add_groups(*lp, pl->c, pl->n, err);
}

/* Progress while a pricing round or an LP solve runs: the bound so far. */
struct price_tick_arg {
    nms__cg *cg;
    const size_t *columns; /* the pool's size */
};

static void price_tick(void *vctx)
{
    struct price_tick_arg *a = vctx;
    if (a->cg->on_bound)
        a->cg->on_bound(a->cg->ctx, a->cg->bound, (long)*a->columns, a->cg->rounds);
}

int nms__cg_root(const nms__pp *p, nms__cg *cg, nms_error *err)
{
    const size_t C = p->C, G = C / 4;
    pool pl = {0};
    struct price_tick_arg tick_arg = {cg, &pl.n};
    nms_lp *lp = NULL;
    double *pi = nms__malloc_array(C, sizeof *pi), *ones = nms__malloc_array(C, sizeof *ones);
    double *u = nms__malloc_array(C, sizeof *u);
    double *u_sorted = nms__malloc_array(C, sizeof *u_sorted); /* scratch of nms__chan_bound */
    const int parts = cg->exact_parts > 1 && cg->deadline > 0 ? cg->exact_parts : 1;
    nms__pass_memory pm = {0};
    nms__col *hcols = NULL;
    nms__price_res pr;
    int st = NMS_OK;
    memset(&pr, 0, sizeof pr);
    cg->sumpi = 0.0;
    cg->max_rc_ub = HUGE_VAL;
    cg->bound = HUGE_VAL;
    cg->converged = 0;
    cg->lp_value = (double)NAN;
    cg->pool = NULL;
    cg->npool = 0;
    cg->rounds = 0;
    cg->round_seconds = 0.0;
    cg->out_of_time = 0;
    if (!pi || !ones || !u || !u_sorted || (parts > 1 && nms__pass_memory_init(&pm, parts, C))) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in column generation");
        goto out;
    }
    for (size_t i = 0; i < C; i++) {
        ones[i] = 1.0;
        cg->pi[i] = 0.0;
    }
    for (size_t g = 0; g < G; g++) {
        nms__col c;
        memcpy(c.g, cg->init_perm + 4 * g, sizeof c.g);
        nms__sort4(c.g);
        c.v = nms__pp_group_value(p, c.g);
        c.rc = 0.0;
        if (pool_add(&pl, &c) < 0) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in column generation");
            goto out;
        }
    }
    if ((st = master_build(&lp, &pl, C, ones, err)) != NMS_OK)
        goto out;
    const double tol_rc = 1e-9 * p->vscale;
    size_t in_lp = pl.n;
    int use_heur = 1;
    /* With a deadline, exact pricing starts by a third of the time at the
     * latest, even while the heuristic still finds columns (large C: a round
     * takes tens of seconds, and only it gives a tight bound); until the
     * first complete round, only exact pricing runs from then on (passes,
     * then that round when it is due). */
    double t_first_exact = cg->deadline > 0 ? nms__now() + (cg->deadline - nms__now()) / 3.0 : 0.0;
    size_t kexact = 2 * C > 16 ? 2 * C : 16, kheur = C / 2 > 8 ? C / 2 : 8;
    double round_bound = HUGE_VAL; /* the best complete round's bound: its (pi, u) go to the caller */
    int next_part = 0, dry_passes = 0; /* passes in a row that added nothing */
    double last_pass = -1.0;          /* seconds of the last partial pass */
    nms__ctl lp_ctl = {0.0, NULL, price_tick, &tick_arg}; /* progress during the master's LP solves */
    for (;;) {
        if (stopped(cg))
            break;
        nms_lp_options lo;
        nms_lp_options_default(&lo);
        lo.interrupt = cg->interrupt;
        lo.tick = nms__ctl_tick;
        lo.tick_ctx = &lp_ctl;
        /* tighter than the defaults: with 1e-7 the simplex stalls on these
         * degenerate partition masters (C = 128 layers) */
        lo.primal_feas_tol = lo.dual_feas_tol = 1e-9;
        if (!nms__lp_time_left(&lo, cg->deadline))
            break;
        lo.iteration_limit = 10 * (long)(C + pl.n / 4) + 1000; /* a stalled warm start is rebuilt below */
        if ((st = nms_lp_solve(lp, &lo, err)) != NMS_OK)
            goto out;
        if (nms_lp_get_status(lp) != NMS_LP_OPTIMAL && !stopped(cg)) {
            /* A stalled warm start: rebuild the master and solve it cold. */
            nms_lp_free(lp);
            lp = NULL;
            lo.iteration_limit = 0;
            if (!nms__lp_time_left(&lo, cg->deadline))
                break;
            if ((st = master_build(&lp, &pl, C, ones, err)) != NMS_OK ||
                (st = nms_lp_solve(lp, &lo, err)) != NMS_OK)
                goto out;
        }
        if (nms_lp_get_status(lp) != NMS_LP_OPTIMAL)
            break; /* keep the best certified bound so far */
        nms_lp_get_row_duals(lp, pi);
        double sumpi = 0.0;
        for (size_t i = 0; i < C; i++)
            sumpi += pi[i];
        double lpval = nms_lp_objective(lp);
        cg->rounds++;
        size_t nh = 0;
        int no_bound_yet = round_bound == HUGE_VAL; /* no complete round yet */
        int heur_now = use_heur && !(no_bound_yet && t_first_exact > 0 && nms__now() > t_first_exact);
        /* a heuristic round ends early at the first exact round's start */
        nms__ctl hctl = {no_bound_yet && t_first_exact > 0 ? t_first_exact : cg->deadline, cg->interrupt,
                         price_tick, &tick_arg};
        if (heur_now &&
            (st = nms__price_heuristic(p, pi, tol_rc, kheur, cg->threads, &hcols, &nh, &hctl, err)) != NMS_OK)
            goto out;
        size_t added = 0;
        for (size_t q = 0; q < nh; q++) {
            int a = pool_add(&pl, &hcols[q]);
            if (a < 0) {
                st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in column generation");
                goto out;
            }
            added += (size_t)a;
        }
        nms__free(hcols);
        hcols = NULL;
        if (heur_now && added < C / 8 + 1)
            use_heur = 0; /* the heuristic has dried up: exact pricing from now on */
        if (!added) {
            /* A complete round, or a partial pass (part.h) while one is not
             * due: with exact_parts > 1 (large C, a time limit) passes over
             * 1/parts of the root pairs each bring columns, and the LP moves
             * after each; a complete round, the source of the tight bound and
             * of the caller's (pi, u), is due when another pass would not fit before the deadline, when
             * the first one would otherwise not end by the overall limit
             * (1.5 times its estimate), or when a whole cycle of passes found
             * nothing. */
            double t_round = nms__now();
            double full_est = cg->round_seconds > 0.0 ? cg->round_seconds : parts * last_pass;
            int complete = parts == 1 || dry_passes >= parts ||
                           (last_pass >= 0.0 && (t_round + 2.0 * last_pass >= cg->deadline ||
                                                 (no_bound_yet && t_round + 1.5 * full_est >= cg->round_deadline)));
            nms__price_req rq;
            memset(&rq, 0, sizeof rq);
            rq.pi = pi;
            rq.thr = tol_rc;
            rq.k = kexact;
            rq.threads = cg->threads;
            rq.part = next_part;
            rq.chan_ub = u; /* a pass's are copied to pm when it completes */
            rq.ctl.interrupt = cg->interrupt;
            rq.ctl.tick = price_tick;
            rq.ctl.tick_ctx = &tick_arg;
            for (;;) {
                rq.parts = complete ? 1 : parts;
                /* A round that stops early gives nothing: at 160 x 960 a
                 * round takes minutes, and the second one, started before
                 * the deadline, was cut there with its work lost.  So a
                 * round may run on past the deadline (into the restricted
                 * master's search) when it is the first, or when the last
                 * one's duration says it ends before the overall limit.
                 * The first starts only when its estimate (the parts'
                 * passes) says it ends by then: otherwise column generation
                 * ends, and the search gets the time.  Later rounds are
                 * faster than the last one's duration says (the duals
                 * settle), so they start as before (4608 x 256 ssd L024,
                 * 60 s: skipping one that way cost gap 6.5e-4 -> 1.3e-3). */
                int may_run_on = complete && (no_bound_yet || (cg->round_seconds > 0.0 && t_round + cg->round_seconds <= cg->round_deadline));
                rq.ctl.deadline = may_run_on && cg->round_deadline > cg->deadline ? cg->round_deadline : cg->deadline;
                if (complete && no_bound_yet && full_est > 0.0 && rq.ctl.deadline > 0 &&
                    t_round + full_est > rq.ctl.deadline) {
                    cg->out_of_time = 1;
                    break;
                }
                nms__free(pr.cols);
                if ((st = nms__price_exact(p, &rq, &pr, err)) != NMS_OK)
                    goto out;
                if (pr.complete || complete || !no_bound_yet || (cg->interrupt && *cg->interrupt))
                    break;
                /* a pass cut at the deadline before any complete round: the
                 * first complete round now, which may run on (a round takes
                 * at least parts times as long as the cut pass ran) */
                complete = 1;
                full_est = parts * (nms__now() - t_round);
                t_round = nms__now();
            }
            if (cg->out_of_time || !pr.complete)
                break;
            if (complete) {
                cg->round_seconds = nms__now() - t_round;
                double B, P;
                nms__chan_bound(u, C, u_sorted, &B, NULL);
                if ((st = nms__pack_bound(pr.cols, pr.n, C, pr.rest_ub, &P, err)) != NMS_OK)
                    goto out;
                double bound = sumpi + B, reported = sumpi + (P < B ? P : B);
                if (reported < cg->bound)
                    cg->bound = reported;
                if (bound < round_bound) {
                    round_bound = bound;
                    cg->sumpi = sumpi;
                    cg->max_rc_ub = pr.max_rc_ub;
                    memcpy(cg->pi, pi, C * sizeof *pi);
                    memcpy(cg->chan_ub, u, C * sizeof *u);
                }
            } else {
                last_pass = nms__now() - t_round;
                nms__pass_record(&pm, next_part, pi, u, C);
                next_part = (next_part + 1) % parts;
                double B;
                if (nms__passes_bound(&pm, pi, C, u, u_sorted, &B) && sumpi + B < cg->bound)
                    cg->bound = sumpi + B; /* reported only: the caller's (pi, u) are a round's */
            }
            for (size_t q = 0; q < pr.n; q++) {
                int a = pool_add(&pl, &pr.cols[q]);
                if (a < 0) {
                    st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in column generation");
                    goto out;
                }
                added += (size_t)a;
            }
            dry_passes = complete || added ? 0 : dry_passes + 1;
            if (cg->on_bound)
                cg->on_bound(cg->ctx, cg->bound, (long)pl.n, cg->rounds);
            if (complete && !added) { /* no column with rc > tol: the LP relaxation is solved */
                cg->converged = 1;
                cg->lp_value = lpval;
                break;
            }
            if (cg->bound <= cg->z_inc + cg->gap * fabs(cg->z_inc))
                break;
            if (added && parts > 1)
                use_heur = 1; /* new duals: the heuristic may find columns again */
        } else if (cg->on_bound && (cg->rounds % 8) == 0) {
            cg->on_bound(cg->ctx, cg->bound, (long)pl.n, cg->rounds);
        }
        if ((st = nms__lp_add_groups(lp, pl.c + in_lp, pl.n - in_lp, err)) != NMS_OK)
            goto out;
        in_lp = pl.n;
    }
    /* Hand over the pool with reduced costs w.r.t. the certified pi, or the
     * last LP's when no exact pricing round finished (the restricted
     * master's search then still has a meaningful column order). */
    if (!(cg->max_rc_ub < HUGE_VAL) && cg->rounds > 0)
        memcpy(cg->pi, pi, C * sizeof *pi);
    for (size_t q = 0; q < pl.n; q++)
        pl.c[q].rc = pl.c[q].v - nms__pi_sum4(cg->pi, pl.c[q].g);
    nms__col_sort(pl.c, pl.n, cg->threads);
    cg->pool = pl.c;
    cg->npool = pl.n;
    pl.c = NULL;
out:
    nms_lp_free(lp);
    nms__free(pl.c);
    nms__free(pl.keys);
    nms__free(pr.cols);
    nms__free(hcols);
    nms__free(pi);
    nms__free(ones);
    nms__free(u);
    nms__free(u_sorted);
    nms__pass_memory_free(&pm);
    return st;
}
