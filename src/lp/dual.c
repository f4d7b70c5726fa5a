/*
 * dual.c - bounded dual simplex on the working form of simplex_work.h.
 *
 * Works on a dual feasible basis: every nonbasic j has d_j >= 0 at its lower
 * bound, d_j <= 0 at its upper bound, d_j = 0 when free (within dual_feas_tol).
 * Boxed variables with the wrong sign are flipped to their other bound; the
 * others get their cost shifted (c_j -= d_j) so that d_j = 0 ("cost
 * shifting"); the shifts are removed at the end and, when that leaves the
 * basis dual infeasible, the primal simplex finishes from the (primal
 * feasible) basis.
 *
 * Iteration: leaving row r = the basic variable with the largest squared
 * bound violation divided by its dual steepest-edge weight ||e_r'B^{-1}||^2
 * (exact for the slack basis, 1 as the start guess otherwise); s = +1 when it is below
 * its lower bound (it leaves at the lower bound and gets d_r = t >= 0), -1
 * when above (leaves at the upper bound, d_r = -t <= 0).  Pivot row
 * alpha_r = e_r' B^{-1} [A~ -I]; the reduced costs move as
 * d_j += s t alpha_rj, and the Harris two-pass ratio test picks the entering q
 * with the largest |alpha_rq| among the candidates whose ratio is within the
 * tolerance-relaxed bound.  Primal step: x_q changes by
 * (x_r - bound_r) / alpha_rq and x_B by -alpha times that.
 */
#include <math.h>
#ifdef NMS_LP_TRACE
#include <stdio.h>
#endif

#include "lp/lu.h"
#include "lp/simplex_work.h"

/* Flip boxed nonbasic variables with the wrong reduced-cost sign, shift the
 * costs of the others.  d must be current.  Returns the number of flips. */
static int make_dual_feasible(sx_work *W)
{
    int flips = 0;
    double td = W->tol_d;
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0)
            continue;
        double dj = W->d[j];
        switch (W->stat[j]) {
        case NMS_LP_AT_LOWER:
            if (dj >= -td)
                continue;
            if (isfinite(W->ub[j])) {
                W->stat[j] = NMS_LP_AT_UPPER;
                W->x[j] = W->ub[j];
                flips++;
                continue;
            }
            break;
        case NMS_LP_AT_UPPER:
            if (dj <= td)
                continue;
            if (isfinite(W->lb[j])) {
                W->stat[j] = NMS_LP_AT_LOWER;
                W->x[j] = W->lb[j];
                flips++;
                continue;
            }
            break;
        case NMS_LP_AT_ZERO:
            if (fabs(dj) <= td)
                continue;
            break;
        default:
            continue;
        }
        W->c[j] -= dj;
        W->d[j] = 0.0;
        W->shifted = 1;
    }
    return flips;
}

/* Flip boxed nonbasic variables whose reduced cost has the wrong sign. */
static int flip_boxed(sx_work *W)
{
    int flips = 0;
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0 || !isfinite(W->lb[j]) || !isfinite(W->ub[j]))
            continue;
        if (W->stat[j] == NMS_LP_AT_LOWER && W->d[j] < -W->tol_d) {
            W->stat[j] = NMS_LP_AT_UPPER;
            W->x[j] = W->ub[j];
            flips++;
        } else if (W->stat[j] == NMS_LP_AT_UPPER && W->d[j] > W->tol_d) {
            W->stat[j] = NMS_LP_AT_LOWER;
            W->x[j] = W->lb[j];
            flips++;
        }
    }
    return flips;
}

/* Count nonbasic dual infeasibilities that a bound flip cannot repair. */
int nms__sx_dual_infeasible_count(const sx_work *W)
{
    int cnt = 0;
    double td = W->tol_d;
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0)
            continue;
        double dj = W->d[j];
        switch (W->stat[j]) {
        case NMS_LP_AT_LOWER: cnt += dj < -td && !isfinite(W->ub[j]); break;
        case NMS_LP_AT_UPPER: cnt += dj > td && !isfinite(W->lb[j]); break;
        case NMS_LP_AT_ZERO: cnt += fabs(dj) > td; break;
        default: break;
        }
    }
    return cnt;
}

/* Against dual degeneracy: move every nonbasic reduced cost away from 0 in
 * its feasible direction by a small random amount (relative to the cost
 * size), by changing the costs.  Removed at the end like cost shifts. */
static void perturb_costs(sx_work *W)
{
    double cmax = 0.0;
    for (int j = 0; j < W->n; j++)
        if (fabs(W->corig[j]) > cmax)
            cmax = fabs(W->corig[j]);
    double base = 5e-7 * (cmax < 1.0 ? 1.0 : cmax > 1e3 ? 1e3 : cmax);
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0 || W->stat[j] == NMS_LP_FIXED)
            continue;
        double e = base * (1.0 + nms__sx_rand(W)) * (j < W->n ? 1.0 : 0.5);
        if (W->stat[j] == NMS_LP_AT_LOWER) {
            W->c[j] += e;
            W->d[j] += e;
        } else if (W->stat[j] == NMS_LP_AT_UPPER) {
            W->c[j] -= e;
            W->d[j] -= e;
        }
    }
    W->shifted = 1;
    W->cost_perturbed = 1;
}

/* y and d again from the factors, made dual feasible; x_B again when
 * asked (xb) or when boxed variables were flipped. */
static void recompute(sx_work *W, int xb)
{
    nms__sx_compute_duals(W, NULL, W->c);
    if (make_dual_feasible(W) || xb)
        nms__sx_compute_xb(W);
}

/* Fresh factors (x_B with them), then recompute. */
static int refresh(sx_work *W)
{
    if (!W->just_factored && nms__sx_refactor(W))
        return -1;
    W->just_factored = 0;
    recompute(W, 0);
    return 0;
}

nms_lp_status nms__sx_dual(sx_work *W, int *oom)
{
    *oom = 0;
    if (refresh(W)) {
        *oom = 1;
        return NMS_LP_NUMERICAL;
    }
    nms__sx_dse_weights(W);
    int fresh = 1, confirmed = 0, trouble = 0, degen = 0; /* as in the primal */
    for (;;) {
        nms_lp_status lim = nms__sx_check_limits(W);
        if (lim != NMS_LP_UNSOLVED)
            return lim;
        if (nms__sx_need_refactor(W)) {
            if (refresh(W)) {
                *oom = 1;
                return NMS_LP_NUMERICAL;
            }
            fresh = 1;
        }
#ifdef NMS_LP_TRACE
        if (W->iter % 1000 == 0) {
            double obj = 0, sinf = nms__sx_infeasibility(W, NULL);
            for (int j = 0; j < W->N; j++) obj += W->c[j] * W->x[j];
            fprintf(stderr, "D it %ld obj %.12g inf %.3g shifted %d cpert %d handoffs %d degen %d\n",
                    W->iter, obj, sinf, W->shifted, W->cost_perturbed, W->handoffs, degen);
        }
#endif
        /* leaving row */
        int r = -1;
        double best = 0.0;
        for (int k = 0; k < W->m; k++) {
            int j = W->head[k];
            double v = W->x[j], inf;
            if (v < W->lb[j] - W->tol_p)
                inf = W->lb[j] - v;
            else if (v > W->ub[j] + W->tol_p)
                inf = v - W->ub[j];
            else
                continue;
            double sc = inf * inf / W->wr[k];
            if (sc > best) {
                best = sc;
                r = k;
            }
        }
        if (r < 0) {
            if (!fresh && !confirmed) { /* confirm from the factors as they are, as the primal does */
                recompute(W, 1);
                confirmed = 1;
                continue;
            }
            if (W->shifted) {
                for (int j = 0; j < W->N; j++)
                    W->c[j] = W->corig[j];
                W->shifted = 0;
                W->cost_perturbed = 0;
                nms__sx_compute_duals(W, NULL, W->c);
                if (nms__sx_dual_infeasible_count(W) > 0 || W->perturbed ||
                    W->handoffs >= 6) {
                    W->handoffs++;
                    return nms__sx_primal(W, oom);
                }
                /* boxed variables on the wrong bound: flip and go on */
                if (flip_boxed(W) > 0) {
                    W->handoffs++;
                    nms__sx_compute_xb(W);
                    continue;
                }
            }
            if (W->perturbed) {
                W->handoffs++;
                return nms__sx_primal(W, oom);
            }
            return NMS_LP_OPTIMAL;
        }
        int jl = W->head[r];
        double s = W->x[jl] < W->lb[jl] ? 1.0 : -1.0;
        double bound = s > 0 ? W->lb[jl] : W->ub[jl];
        nms__sx_pivot_row(W, r);
        /* Harris ratio test on the reduced costs.  Pass 1 lists the
         * candidates j (d_j moves towards 0 by |alpha_rj| per unit step; v
         * = the distance it can move) and finds tmax = min (v + td) /
         * |alpha_rj|, kept as the fraction tn / tq and compared as
         * products; pass 2 takes the largest |alpha_rj| among the
         * candidates with v / |alpha_rj| <= tmax. */
        double tn = HUGE_VAL, tq = 1.0, td = W->tol_d;
        int nc = 0;
        for (int t = 0; t < W->arow_nz; t++) {
            int j = W->arow_idx[t];
            double a = W->arow[j], sa = s * a, dj = W->d[j], fa = fabs(a), v;
            if (fa < W->tol_piv)
                continue;
            switch (W->stat[j]) {
            case NMS_LP_AT_LOWER: if (sa >= 0) continue; v = dj; break;
            case NMS_LP_AT_UPPER: if (sa <= 0) continue; v = -dj; break;
            case NMS_LP_AT_ZERO: v = fabs(dj); break;
            default: continue;
            }
            W->cand[nc] = j;
            W->cand_v[nc++] = v;
            if ((v + td) * tq < tn * fa) {
                tn = v + td;
                tq = fa;
            }
        }
        if (nc == 0) {
            if (!fresh) {
                if (refresh(W)) {
                    *oom = 1;
                    return NMS_LP_NUMERICAL;
                }
                fresh = 1;
                continue;
            }
            return NMS_LP_INFEASIBLE;
        }
        int q = -1;
        double qa = 0.0, qv = 0.0;
        for (int c = 0; c < nc; c++) {
            int j = W->cand[c];
            double fa = fabs(W->arow[j]), v = W->cand_v[c];
            if (v * tq <= tn * fa && fa > qa) {
                qa = fa;
                q = j;
                qv = v;
            }
        }
        if (q < 0)
            return NMS_LP_NUMERICAL;
        double qt = qv / qa;
        nms__sx_ftran_col(W, q);
        double arq = W->alpha[r];
        if (fabs(arq - W->arow[q]) > 1e-6 * (1.0 + fabs(arq))) {
            /* FTRAN and BTRAN disagree: the factorization is inaccurate */
            if (++trouble > 5)
                return NMS_LP_NUMERICAL;
            if (refresh(W)) {
                *oom = 1;
                return NMS_LP_NUMERICAL;
            }
            fresh = 1;
            continue;
        }
        /* dual step t >= 0 with d_q + s t alpha_rq = 0 */
        double t = -W->d[q] / (s * W->arow[q]);
        if (t < 0 || qt < 0) {
            W->c[q] -= W->d[q];
            W->d[q] = 0.0;
            W->shifted = 1;
            t = 0.0;
        }
        if (t * fabs(W->arow[q]) <= 1e-12) {
            if (++degen >= 30 && !W->cost_perturbed && W->handoffs < 4) {
                perturb_costs(W);
                degen = 0;
            }
        } else {
            degen = 0;
        }
        if (t != 0.0) {
            double st = s * t;
            for (int k = 0; k < W->arow_nz; k++) {
                int j = W->arow_idx[k];
                W->d[j] += st * W->arow[j];
            }
        }
        W->d[q] = 0.0;
        W->d[jl] = s * t;
        /* primal step */
        double dxq = (W->x[jl] - bound) / arq;
        W->x[q] += dxq;
        for (int k = 0; k < W->m; k++)
            if (W->alpha[k] != 0.0)
                W->x[W->head[k]] -= W->alpha[k] * dxq;
        W->x[jl] = bound;
        nms__sx_dse_update(W, r, arq); /* dual steepest-edge weights */
        if (nms__sx_basis_change(W, r, q)) {
            *oom = 1;
            return NMS_LP_NUMERICAL;
        }
        if (W->lb[jl] == W->ub[jl])
            W->stat[jl] = NMS_LP_FIXED;
        else
            W->stat[jl] = s > 0 ? NMS_LP_AT_LOWER : NMS_LP_AT_UPPER;
        W->iter++;
        fresh = confirmed = 0;
    }
}
