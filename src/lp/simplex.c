/*
 * simplex.c - bounded-variable revised simplex on the computational form
 *
 *     A~ x~ - r~ = 0,   lb <= (x~, r~) <= ub,   minimise c~'x~
 *
 * (see lp.h for the scaling).  Variables 0..n-1 are the structural columns,
 * n..n+m-1 the row logicals (column -e_i).  A basis is m variables (head);
 * the others sit at a bound (or at 0 when free).
 *
 * Primal simplex: phase 1 minimises the sum of infeasibilities of the basic
 * variables (costs -1 / +1 / 0 recomputed every iteration), phase 2 the true
 * cost.  Pricing: devex reference weights, updated (with the reduced costs)
 * from the pivot row rho'A, rho = B^{-T} e_r: row by row over the nonzeros
 * of a sparse rho, column by column for a dense one.  Ratio test: Harris
 * two-pass with the primal feasibility tolerance; entering variables may
 * flip between their bounds.  Degeneracy: after a run of zero steps the
 * bounds of the basic variables that sit at a bound are relaxed by small
 * random amounts; the true bounds are restored at the end and the solve
 * continues (dual simplex, then primal) until the unperturbed problem is
 * optimal.
 *
 * Dual simplex (dual.c shares this work area): used whenever the start is
 * primal infeasible (cold starts, bound changes) and on request; the two
 * hand over to each other to clean up after shifts and perturbations.
 * Building with -DNMS_LP_TRACE prints a progress trace on stderr (debugging
 * only; never in a normal build).
 */
#include <math.h>
#include <string.h>
#ifdef NMS_LP_TRACE
#include <stdio.h>
#endif

#include "lp/lp.h"
#include "lp/lu.h"
#include "lp/scale.h"
#include "lp/simplex_work.h"
#include "util/util.h"

#define REFACTOR_EVERY 100
#define DEGEN_TRIGGER 30
/* hand-offs to the dual simplex when phase 1 stalls */
#define PHASE1_HANDOFFS 6
#define DEVEX_RESET 1e7
/* Bases of up to this many rows get exact dual steepest-edge weights (m
 * BTRANs) where they have none, and keep them up to date through primal
 * pivots (one FTRAN more each) and from one solve to the next (with the
 * kept factors).  Before, every solve began with every weight 1: on iris
 * L012 (64 x 128, one thread, 30 s) the first (dual) solve of a search
 * node took 79 iterations on average, 59 with them; weights carried from
 * the last solve but not updated by the primal pivots, 78.  Both builds
 * at once, one thread: the 17 C = 96 layers proven in 159.3 s against
 * 164.5 s; the C = 128 sample (10 layers, 60 s) 110 564 nodes against
 * 103 652, the bounds lower on 5 of the 9 open layers; all 40 C = 128
 * layers at 60 s 514 034 nodes against 487 390, 6 proven against 7, the
 * gap narrower on 18 and wider on 14 of the 32 open in both; the Netlib
 * and set-partitioning LPs the same 157 644 iterations. */
#define DSE_MAX_ROWS 1000

/* ---------------------------------------------------------------- setup */

static signed char nonbasic_status(double lo, double hi)
{
    if (lo == hi)
        return NMS_LP_FIXED;
    if (isfinite(lo))
        return NMS_LP_AT_LOWER;
    if (isfinite(hi))
        return NMS_LP_AT_UPPER;
    return NMS_LP_AT_ZERO;
}

double nms__sx_bound_value(const sx_work *W, int j)
{
    switch (W->stat[j]) {
    case NMS_LP_AT_LOWER:
    case NMS_LP_FIXED: return W->lb[j];
    case NMS_LP_AT_UPPER: return W->ub[j];
    default: return 0.0;
    }
}

/* Make a nonbasic status consistent with the (possibly changed) bounds. */
static signed char fix_status(signed char s, double lo, double hi)
{
    if (lo == hi)
        return NMS_LP_FIXED;
    if (s == NMS_LP_AT_UPPER && isfinite(hi))
        return NMS_LP_AT_UPPER;
    if (s == NMS_LP_AT_LOWER && isfinite(lo))
        return NMS_LP_AT_LOWER;
    return nonbasic_status(lo, hi);
}

/* The work arrays live in one block, lp->work_block, kept from one solve to
 * the next: a search solves thousands of small LPs, and allocating some
 * forty arrays (and a factor object) each time took about 5 % of a
 * one-thread search at C = 128 (malloc and free in perf, iris L012).
 * work_layout places the arrays in the block at base, each at a multiple of
 * 64 bytes, the zero-initialised ones first (their *zero_bytes bytes), and
 * returns the bytes they take; with base NULL it only counts. */
static void *carve(char *base, size_t *off, size_t bytes)
{
    void *p = base ? base + *off : NULL;
    *off += (bytes + 63) / 64 * 64;
    return p;
}

static size_t work_layout(sx_work *W, char *base, size_t m, size_t n, size_t nnz, size_t *zero_bytes)
{
    size_t M1 = m + 1, N1 = m + n + 1, off = 0;
    W->rs = carve(base, &off, (M1 + 1) * sizeof(int));
    W->tau = carve(base, &off, M1 * sizeof(double));
    W->x = carve(base, &off, N1 * sizeof(double));
    W->cb = carve(base, &off, M1 * sizeof(double));
    W->y = carve(base, &off, M1 * sizeof(double));
    W->d = carve(base, &off, N1 * sizeof(double));
    W->alpha = carve(base, &off, M1 * sizeof(double));
    W->rho = carve(base, &off, M1 * sizeof(double));
    W->rho_kept = carve(base, &off, M1 * sizeof(double));
    W->arow = carve(base, &off, N1 * sizeof(double));
    W->arow_mark = carve(base, &off, N1);
    *zero_bytes = off; /* the others are written before they are read */
    W->cs = carve(base, &off, (n + 1) * sizeof(int));
    W->ri = carve(base, &off, (nnz + 1) * sizeof(int));
    W->va = carve(base, &off, (nnz + 1) * sizeof(double));
    W->ci = carve(base, &off, (nnz + 1) * sizeof(int));
    W->rv = carve(base, &off, (nnz + 1) * sizeof(double));
    W->rscale = carve(base, &off, M1 * sizeof(double));
    W->cscale = carve(base, &off, (n + 1) * sizeof(double));
    W->lb = carve(base, &off, N1 * sizeof(double));
    W->ub = carve(base, &off, N1 * sizeof(double));
    W->lb0 = carve(base, &off, N1 * sizeof(double));
    W->ub0 = carve(base, &off, N1 * sizeof(double));
    W->c = carve(base, &off, N1 * sizeof(double));
    W->corig = carve(base, &off, N1 * sizeof(double));
    W->wr = carve(base, &off, M1 * sizeof(double));
    W->stat = carve(base, &off, N1);
    W->head = carve(base, &off, M1 * sizeof(int));
    W->pos = carve(base, &off, N1 * sizeof(int));
    W->arow_idx = carve(base, &off, N1 * sizeof(int));
    W->w = carve(base, &off, N1 * sizeof(double));
    W->cand = carve(base, &off, N1 * sizeof(int));
    W->cand_v = carve(base, &off, N1 * sizeof(double));
    W->bstart = carve(base, &off, M1 * sizeof(int));
    W->sing_pos = carve(base, &off, M1 * sizeof(int));
    W->sing_row = carve(base, &off, M1 * sizeof(int));
    W->bcap = nnz + M1; /* B's columns: at most every nonzero and a logical per row */
    W->brow = carve(base, &off, W->bcap * sizeof(int));
    W->bval = carve(base, &off, W->bcap * sizeof(double));
    return off;
}

/* The end of a solve: the block stays in lp, and the factor object, unless
 * keep_factors kept it with its factors, goes back to lp as the spare. */
static void work_free(sx_work *W, nms_lp *lp)
{
    nms__lp_spare_lu(lp, W->lu);
    W->lu = NULL;
}

/* The factors kept from the last solve fit when they hold the same basic
 * variables made with the same scale factors (columns are never changed in
 * place; anything else that would change B drops them, see lp.h).  Then
 * they replace the fresh factor object, with their order of positions, and
 * x_B is computed from them: the solve starts as just factored. */
static void adopt_kept_factors(sx_work *W, nms_lp *lp)
{
    int m = W->m, n = W->n;
    if (!lp->lu_cache || !W->warm)
        return;
    for (int k = 0; k < m; k++) {
        int h = lp->lu_head[k], j = h >= 0 ? h : n + (-1 - h);
        double sc = h >= 0 ? W->cscale[h] : 1.0;
        if (h >= n || j >= W->N || W->stat[j] != NMS_LP_BASIC || sc != lp->lu_bscale[k])
            return;
    }
    for (int i = 0; i < m; i++)
        if (W->rscale[i] != lp->lu_rscale[i])
            return;
    for (int k = 0; k < m; k++) { /* the same set (m distinct basics): take the order */
        int h = lp->lu_head[k], j = h >= 0 ? h : n + (-1 - h);
        W->head[k] = j;
        W->pos[j] = k;
    }
    W->lu = lp->lu_cache;
    lp->lu_cache = NULL;
    if (lp->lu_wr) {
        memcpy(W->wr, lp->lu_wr, (size_t)m * sizeof *W->wr);
        W->wr_exact = 1;
    }
    nms__sx_compute_xb(W);
    W->just_factored = 1;
}

/* Keep the final factors, with their updates, for the next solve (see
 * adopt_kept_factors) when the solve ended optimal; else drop them. */
static void keep_factors(sx_work *W, nms_lp *lp, nms_lp_status st)
{
    int m = W->m, n = W->n;
    nms__lp_drop_lu(lp);
    if (st != NMS_LP_OPTIMAL)
        return;
    lp->lu_head = nms__malloc_array((size_t)m + 1, sizeof *lp->lu_head);
    lp->lu_rscale = nms__malloc_array((size_t)m + 1, sizeof *lp->lu_rscale);
    lp->lu_bscale = nms__malloc_array((size_t)m + 1, sizeof *lp->lu_bscale);
    if (!lp->lu_head || !lp->lu_rscale || !lp->lu_bscale) {
        nms__lp_drop_lu(lp); /* only a speed-up: no error */
        return;
    }
    for (int k = 0; k < m; k++) {
        int j = W->head[k];
        lp->lu_head[k] = j < n ? j : -1 - (j - n);
        lp->lu_bscale[k] = j < n ? W->cscale[j] : 1.0;
    }
    for (int i = 0; i < m; i++)
        lp->lu_rscale[i] = W->rscale[i];
    if (W->wr_exact && (lp->lu_wr = nms__malloc_array((size_t)m + 1, sizeof *lp->lu_wr)) != NULL)
        memcpy(lp->lu_wr, W->wr, (size_t)m * sizeof *W->wr);
    lp->lu_cache = W->lu;
    W->lu = NULL;
}

static int work_init(sx_work *W, nms_lp *lp, const nms_lp_options *opt)
{
    memset(W, 0, sizeof *W);
    int m = (int)lp->m, n = (int)lp->n, N = m + n;
    size_t nnz = lp->nnz;
    W->m = m;
    W->n = n;
    W->N = N;
    W->opt = opt;
    W->tol_p = opt->primal_feas_tol;
    W->tol_d = opt->dual_feas_tol;
    W->tol_piv = opt->pivot_tol;
    W->rng = 12345u;
    size_t zero_bytes, need = work_layout(W, NULL, (size_t)m, (size_t)n, nnz, &zero_bytes);
    if (need > lp->work_block_bytes) {
        nms__free(lp->work_block);
        lp->work_block_bytes = 0;
        if (!(lp->work_block = nms__malloc(need + need / 4))) /* room for a few more columns */
            return -1;
        lp->work_block_bytes = need + need / 4;
    }
    work_layout(W, lp->work_block, (size_t)m, (size_t)n, nnz, &zero_bytes);
    memset(lp->work_block, 0, zero_bytes);
    /* scaling */
    if (opt->scaling) {
        if (nms__lp_scale(lp->m, lp->n, lp->col_start, lp->row_index,
                          lp->value, W->rscale, W->cscale))
            return -1;
    } else {
        for (int i = 0; i < m; i++) W->rscale[i] = 1.0;
        for (int j = 0; j < n; j++) W->cscale[j] = 1.0;
    }
    double sgn = lp->maximize ? -1.0 : 1.0;
    /* scaled CSC */
    size_t p0 = 0;
    for (int j = 0; j < n; j++) {
        W->cs[j] = (int)p0;
        for (size_t p = lp->col_start[j]; p < lp->col_start[j + 1]; p++) {
            int i = lp->row_index[p];
            W->ri[p0] = i;
            W->va[p0] = lp->value[p] * W->rscale[i] * W->cscale[j];
            W->rs[i + 1]++;
            p0++;
        }
    }
    W->cs[n] = (int)p0;
    /* row-wise copy */
    for (int i = 0; i < m; i++)
        W->rs[i + 1] += W->rs[i];
    {
        int *fill = W->bstart; /* temporary */
        for (int i = 0; i < m; i++)
            fill[i] = W->rs[i];
        for (int j = 0; j < n; j++)
            for (int p = W->cs[j]; p < W->cs[j + 1]; p++) {
                int i = W->ri[p];
                W->ci[fill[i]] = j;
                W->rv[fill[i]++] = W->va[p];
            }
    }
    for (int j = 0; j < n; j++) {
        double s = W->cscale[j];
        W->lb0[j] = lp->col_lo[j] / s;
        W->ub0[j] = lp->col_hi[j] / s;
        W->c[j] = sgn * lp->cost[j] * s;
    }
    for (int i = 0; i < m; i++) {
        double s = W->rscale[i];
        W->lb0[n + i] = lp->row_lo[i] * s;
        W->ub0[n + i] = lp->row_hi[i] * s;
        W->c[n + i] = 0.0;
    }
    memcpy(W->lb, W->lb0, (size_t)N * sizeof(double));
    memcpy(W->ub, W->ub0, (size_t)N * sizeof(double));
    for (int j = 0; j < N; j++)
        W->w[j] = 1.0;
    for (int i = 0; i < m; i++)
        W->wr[i] = 1.0;
    memcpy(W->corig, W->c, (size_t)N * sizeof(double));
    /* basis: warm if consistent, else slack basis */
    int nbasic = 0;
    if (lp->has_basis) {
        for (int j = 0; j < n; j++) {
            W->stat[j] = lp->col_stat[j];
            nbasic += W->stat[j] == NMS_LP_BASIC;
        }
        for (int i = 0; i < m; i++) {
            W->stat[n + i] = lp->row_stat[i];
            nbasic += W->stat[n + i] == NMS_LP_BASIC;
        }
    }
    if (!lp->has_basis || nbasic != m) {
        for (int j = 0; j < n; j++)
            W->stat[j] = nonbasic_status(W->lb[j], W->ub[j]);
        for (int i = 0; i < m; i++)
            W->stat[n + i] = NMS_LP_BASIC;
        W->warm = 0;
    } else {
        W->warm = 1;
    }
    W->wr_exact = !W->warm && m <= DSE_MAX_ROWS; /* B = -I: every weight 1 */
    int k = 0;
    for (int j = 0; j < N; j++) {
        if (W->stat[j] == NMS_LP_BASIC) {
            W->head[k] = j;
            W->pos[j] = k++;
        } else {
            W->pos[j] = -1;
            W->stat[j] = fix_status(W->stat[j], W->lb[j], W->ub[j]);
            W->x[j] = nms__sx_bound_value(W, j);
        }
    }
    adopt_kept_factors(W, lp);
    if (!W->lu && !(W->lu = nms__lp_take_lu(lp))) /* not adopted: factored afresh */
        return -1;
    return 0;
}

/* ---------------------------------------------------------- linear algebra */

/* x_B from B x_B = -N x_N. */
void nms__sx_compute_xb(sx_work *W)
{
    int m = W->m, n = W->n;
    double *r = W->alpha;
    for (int i = 0; i < m; i++)
        r[i] = 0.0;
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0 || W->x[j] == 0.0)
            continue;
        double v = W->x[j];
        if (j < n) {
            for (int p = W->cs[j]; p < W->cs[j + 1]; p++)
                r[W->ri[p]] -= W->va[p] * v;
        } else {
            r[j - n] += v;
        }
    }
    nms__lu_ftran(W->lu, r);
    for (int k = 0; k < m; k++)
        W->x[W->head[k]] = r[k];
}

/* Factor the basis, replacing singular columns by slacks.  -1 = no memory. */
int nms__sx_refactor(sx_work *W)
{
    int m = W->m, n = W->n;
    for (int attempt = 0; attempt < 4; attempt++) {
        int nz = 0;
        for (int k = 0; k < m; k++) {
            int j = W->head[k];
            W->bstart[k] = nz;
            if (j < n) {
                for (int p = W->cs[j]; p < W->cs[j + 1]; p++) {
                    W->brow[nz] = W->ri[p];
                    W->bval[nz++] = W->va[p];
                }
            } else {
                W->brow[nz] = j - n;
                W->bval[nz++] = -1.0;
            }
        }
        W->bstart[m] = nz;
        int nsing = 0;
        if (nms__lu_factor(W->lu, W->bstart, W->brow, W->bval, &nsing,
                           W->sing_pos, W->sing_row))
            return -1;
        W->n_refactor++;
        if (nsing == 0)
            break;
        for (int s = 0; s < nsing; s++) {
            int k = W->sing_pos[s];
            int j = W->head[k];
            int jn = n + W->sing_row[s];
            W->pos[j] = -1;
            W->stat[j] = nonbasic_status(W->lb[j], W->ub[j]);
            W->x[j] = nms__sx_bound_value(W, j);
            W->head[k] = jn;
            W->pos[jn] = k;
            W->stat[jn] = NMS_LP_BASIC;
        }
        W->n_singular += nsing;
        W->wr_exact = 0; /* other basic columns */
    }
    nms__sx_compute_xb(W);
    return 0;
}

/* y = B^{-T} c_B for the given basic costs, then d_j = c_j - a_j'y for every
 * nonbasic j (c = cost vector of the phase: nonbasic costs are cvec[j]). */
void nms__sx_compute_duals(sx_work *W, const double *cvec_basic_from_cb,
                           const double *cvec)
{
    int m = W->m, n = W->n;
    for (int k = 0; k < m; k++)
        W->y[k] = cvec_basic_from_cb ? cvec_basic_from_cb[k] : cvec[W->head[k]];
    nms__lu_btran(W->lu, W->y);
    for (int j = 0; j < n; j++) {
        if (W->pos[j] >= 0) {
            W->d[j] = 0.0;
            continue;
        }
        double s = cvec ? cvec[j] : 0.0;
        for (int p = W->cs[j]; p < W->cs[j + 1]; p++)
            s -= W->va[p] * W->y[W->ri[p]];
        W->d[j] = s;
    }
    for (int i = 0; i < m; i++) {
        int j = n + i;
        W->d[j] = W->pos[j] >= 0 ? 0.0 : (cvec ? cvec[j] : 0.0) + W->y[i];
    }
}

/* alpha = B^{-1} a_q. */
void nms__sx_ftran_col(sx_work *W, int q)
{
    int m = W->m, n = W->n;
    for (int i = 0; i < m; i++)
        W->alpha[i] = 0.0;
    if (q < n) {
        for (int p = W->cs[q]; p < W->cs[q + 1]; p++)
            W->alpha[W->ri[p]] = W->va[p];
    } else {
        W->alpha[q - n] = -1.0;
    }
    nms__lu_ftran(W->lu, W->alpha);
}

/* Whether variable j belongs in a pivot row: nonbasic and not fixed.  A
 * fixed variable never enters, so its arow_j is not needed for a ratio
 * test; its d_j is left as it is, and is right again at the next full
 * computation of the duals (every refactorisation, and before a solution
 * is stored).  On the partition LPs every logical is fixed (the rows are
 * equalities), and so is every column a branch excludes. */
static inline int in_pivot_row(const int *pos, const signed char *stat, int j)
{
    return pos[j] < 0 && stat[j] != NMS_LP_FIXED;
}

/* The pivot row from a dense rho, in one pass over the columns (each
 * entry summed in its column's order) and then the logicals: arow, its
 * support and mark are rewritten for every variable, so nothing needs
 * clearing first. */
static void pivot_row_dense(sx_work *W)
{
    const int m = W->m, n = W->n, *pos = W->pos, *cs = W->cs, *ri = W->ri;
    const signed char *stat = W->stat;
    const double *va = W->va, *kept = W->rho_kept;
    double *arow = W->arow;
    unsigned char *mark = W->arow_mark;
    int *idx = W->arow_idx, nz = 0;
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        if (in_pivot_row(pos, stat, j))
            for (int p = cs[j]; p < cs[j + 1]; p++)
                s += kept[ri[p]] * va[p];
        arow[j] = s;
        mark[j] = s != 0.0;
        if (s != 0.0)
            idx[nz++] = j;
    }
    for (int i = 0; i < m; i++) {
        int jl = n + i, in_row = kept[i] != 0.0 && in_pivot_row(pos, stat, jl);
        arow[jl] = in_row ? -kept[i] : 0.0;
        mark[jl] = (unsigned char)in_row;
        if (in_row)
            idx[nz++] = jl;
    }
    W->arow_nz = nz;
}

/* The pivot row from a sparse rho, row by row over its kept entries,
 * after clearing the last pivot row's support. */
static void pivot_row_sparse(sx_work *W)
{
    int m = W->m, n = W->n, nz = W->arow_nz;
    /* local copies: the stores below would otherwise make the compiler
     * reload every field of W in the inner loop */
    double *arow = W->arow;
    const double *kept = W->rho_kept, *rv = W->rv;
    unsigned char *mark = W->arow_mark;
    int *idx = W->arow_idx;
    const int *pos = W->pos, *rs = W->rs, *ci = W->ci;
    const signed char *stat = W->stat;
    for (int t = 0; t < nz; t++) {
        int j = idx[t];
        arow[j] = 0.0;
        mark[j] = 0;
    }
    nz = 0;
    for (int i = 0; i < m; i++) {
        double ri = kept[i];
        if (ri == 0.0)
            continue;
        for (int p = rs[i]; p < rs[i + 1]; p++) {
            int j = ci[p];
            if (!in_pivot_row(pos, stat, j))
                continue;
            if (!mark[j]) {
                mark[j] = 1;
                idx[nz++] = j;
            }
            arow[j] += ri * rv[p];
        }
        int jl = n + i;
        if (in_pivot_row(pos, stat, jl)) {
            if (!mark[jl]) {
                mark[jl] = 1;
                idx[nz++] = jl;
            }
            arow[jl] -= ri;
        }
    }
    W->arow_nz = nz;
}

/* Pivot row r: rho = B^{-T} e_r, arow_j = rho'a_j for nonbasic j (sparse,
 * support in arow_idx[0..arow_nz-1], mark[j] = 1 exactly there), from
 * rho_kept, rho with its entries below 1e-14 set to 0.  Row by row when
 * rho is sparse; column by column when a quarter of its entries or more
 * are kept.  On the partition masters rho is dense (86 % of 960
 * rows on movenet L029), and there the row-by-row pass's scattered
 * updates of arow and its support made the warm re-solves 1.8 times as
 * long (54.2 s against 30.3 s over a 56 K-column pool). */
void nms__sx_pivot_row(sx_work *W, int r)
{
    int m = W->m, rho_nz = 0;
    double *rho = W->rho, *kept = W->rho_kept;
    for (int i = 0; i < m; i++)
        rho[i] = 0.0;
    rho[r] = 1.0;
    nms__lu_btran(W->lu, rho);
    for (int i = 0; i < m; i++) {
        kept[i] = fabs(rho[i]) < 1e-14 ? 0.0 : rho[i];
        rho_nz += kept[i] != 0.0;
    }
    if (4 * rho_nz >= m)
        pivot_row_dense(W);
    else
        pivot_row_sparse(W);
}

/* Replace basis position r by q (alpha = ftran of a_q). */
int nms__sx_basis_change(sx_work *W, int r, int q)
{
    int jl = W->head[r];
    W->pos[jl] = -1;
    W->head[r] = q;
    W->pos[q] = r;
    W->stat[q] = NMS_LP_BASIC;
    if (nms__lu_update(W->lu, r, W->alpha))
        return -1;
    return 0;
}

/* Exact dual steepest-edge weights w_k = ||rho_k||^2, rho_k = B^{-T} e_k,
 * where the basis has none (small bases only, see DSE_MAX_ROWS). */
void nms__sx_dse_weights(sx_work *W)
{
    int m = W->m;
    if (W->wr_exact || m > DSE_MAX_ROWS)
        return;
    double *rho = W->tau;
    for (int k = 0; k < m; k++) {
        memset(rho, 0, (size_t)m * sizeof *rho);
        rho[k] = 1.0;
        nms__lu_btran(W->lu, rho);
        double s = 0.0;
        for (int i = 0; i < m; i++)
            s += rho[i] * rho[i];
        W->wr[k] = s > 1e-6 ? s : 1e-6;
    }
    W->wr_exact = 1;
}

/* The weights after the basis change at position r (rho = B^{-T} e_r and
 * alpha = B^{-1} a_q of the basis before it, arq = alpha_r), by Forrest
 * and Goldfarb: with tau = B^{-1} rho,
 *   w_r' = ||rho||^2 / alpha_r^2,
 *   w_i' = w_i - 2 (alpha_i / alpha_r) tau_i + (alpha_i / alpha_r)^2 ||rho||^2. */
void nms__sx_dse_update(sx_work *W, int r, double arq)
{
    double wrr = 0.0;
    for (int i = 0; i < W->m; i++) {
        W->tau[i] = W->rho[i];
        wrr += W->rho[i] * W->rho[i];
    }
    nms__lu_ftran(W->lu, W->tau);
    for (int k = 0; k < W->m; k++) {
        double a = W->alpha[k];
        if (a == 0.0 || k == r)
            continue;
        double ratio = a / arq;
        double v = W->wr[k] + ratio * (ratio * wrr - 2.0 * W->tau[k]);
        W->wr[k] = v > 1e-6 ? v : 1e-6;
    }
    double v = wrr / (arq * arq);
    W->wr[r] = v > 1e-6 ? v : 1e-6;
}

int nms__sx_need_refactor(const sx_work *W)
{
    int u = nms__lu_num_updates(W->lu);
    if (u >= REFACTOR_EVERY)
        return 1;
    return u > 10 && nms__lu_eta_nnz(W->lu) > 2 * nms__lu_nnz(W->lu) + 10 * (size_t)W->m;
}

/* Limits: returns a status other than UNSOLVED when one is hit. */
nms_lp_status nms__sx_check_limits(sx_work *W)
{
    const nms_lp_options *o = W->opt;
    if (o->iteration_limit > 0 && W->iter >= o->iteration_limit)
        return NMS_LP_ITERATION_LIMIT;
    if (o->tick && (W->iter & 15) == 0)
        o->tick(o->tick_ctx);
    if (o->interrupt && *o->interrupt)
        return NMS_LP_INTERRUPTED;
    if (o->time_limit > 0 && (W->iter & 15) == 0 &&
        nms__now() - W->t0 > o->time_limit)
        return NMS_LP_TIME_LIMIT;
    return NMS_LP_UNSOLVED;
}

double nms__sx_rand(sx_work *W)
{
    W->rng = W->rng * 1103515245u + 12345u;
    return (double)((W->rng >> 8) & 0xffffff) / 16777216.0;
}

/* Relax the bounds of basic variables sitting at (or near) a bound. */
void nms__sx_perturb(sx_work *W)
{
    for (int k = 0; k < W->m; k++) {
        int j = W->head[k];
        double xj = W->x[j];
        if (W->lb[j] == W->lb0[j] && isfinite(W->lb[j]) &&
            xj - W->lb[j] <= 1e-6 * (1 + fabs(W->lb[j])))
            W->lb[j] -= (1e-6 + 1e-6 * nms__sx_rand(W)) * (1 + fabs(W->lb[j]));
        if (W->ub[j] == W->ub0[j] && isfinite(W->ub[j]) &&
            W->ub[j] - xj <= 1e-6 * (1 + fabs(W->ub[j])))
            W->ub[j] += (1e-6 + 1e-6 * nms__sx_rand(W)) * (1 + fabs(W->ub[j]));
    }
    W->perturbed = 1;
}

/* Restore the true bounds; nonbasic variables move to them. */
void nms__sx_unperturb(sx_work *W)
{
    for (int j = 0; j < W->N; j++) {
        W->lb[j] = W->lb0[j];
        W->ub[j] = W->ub0[j];
        if (W->pos[j] < 0) {
            W->stat[j] = fix_status(W->stat[j], W->lb[j], W->ub[j]);
            W->x[j] = nms__sx_bound_value(W, j);
        }
    }
    W->perturbed = 0;
    nms__sx_compute_xb(W);
}

/* Sum of bound violations of the basic variables beyond tol. */
double nms__sx_infeasibility(const sx_work *W, int *count)
{
    double s = 0;
    int c = 0;
    for (int k = 0; k < W->m; k++) {
        int j = W->head[k];
        double v = W->x[j];
        if (v < W->lb[j] - W->tol_p) {
            s += W->lb[j] - v;
            c++;
        } else if (v > W->ub[j] + W->tol_p) {
            s += v - W->ub[j];
            c++;
        }
    }
    if (count)
        *count = c;
    return s;
}

/* ------------------------------------------------------------ primal */

/* Entering variable by devex pricing; -1 if none.  *dir = +1 / -1. */
static int price(sx_work *W, int *dir)
{
    int best = -1;
    double bestv = 0.0, td = W->tol_d;
    for (int j = 0; j < W->N; j++) {
        if (W->pos[j] >= 0)
            continue;
        double dj = W->d[j];
        int s;
        switch (W->stat[j]) {
        case NMS_LP_AT_LOWER: if (dj >= -td) continue; s = 1; break;
        case NMS_LP_AT_UPPER: if (dj <= td) continue; s = -1; break;
        case NMS_LP_AT_ZERO: if (fabs(dj) <= td) continue; s = dj < 0 ? 1 : -1; break;
        default: continue;
        }
        double v = dj * dj / W->w[j];
        if (v > bestv) {
            bestv = v;
            best = j;
            *dir = s;
        }
    }
    return best;
}

/* Target bound of basic variable j when it moves with rate delta (per unit
 * step); returns 0 when it does not block. */
static int block_target(const sx_work *W, int j, double delta, int phase1,
                        double *target)
{
    double xj = W->x[j], tol = W->tol_p;
    if (delta < 0) {
        if (phase1 && xj > W->ub[j] + tol) {
            *target = W->ub[j];
            return 1;
        }
        if (phase1 && xj < W->lb[j] - tol)
            return 0;
        if (!isfinite(W->lb[j]))
            return 0;
        *target = W->lb[j];
        return 1;
    }
    if (phase1 && xj < W->lb[j] - tol) {
        *target = W->lb[j];
        return 1;
    }
    if (phase1 && xj > W->ub[j] + tol)
        return 0;
    if (!isfinite(W->ub[j]))
        return 0;
    *target = W->ub[j];
    return 1;
}

/* Harris two-pass ratio test.  Returns the leaving position, -1 for a bound
 * flip of q, -2 when unbounded.  *theta = step length, *target = leaving
 * variable's new value. */
static int ratio_test(sx_work *W, int q, int dir, int phase1, double *theta,
                      double *target)
{
    int m = W->m;
    double tmax = HUGE_VAL, tol = W->tol_p;
    for (int k = 0; k < m; k++) {
        double a = W->alpha[k];
        if (fabs(a) < W->tol_piv)
            continue;
        int j = W->head[k];
        double delta = -dir * a, t;
        if (!block_target(W, j, delta, phase1, &t))
            continue;
        double r = (fabs(W->x[j] - t) + tol) / fabs(delta);
        if (delta < 0 ? W->x[j] < t : W->x[j] > t)
            r = tol / fabs(delta);
        if (r < tmax)
            tmax = r;
    }
    double range = W->ub[q] - W->lb[q];
    if (isfinite(range) && range <= tmax) {
        *theta = range;
        return -1;
    }
    if (tmax == HUGE_VAL)
        return -2;
    int best = -1;
    double besta = 0.0, bestr = 0.0, bestt = 0.0;
    for (int k = 0; k < m; k++) {
        double a = W->alpha[k];
        if (fabs(a) < W->tol_piv)
            continue;
        int j = W->head[k];
        double delta = -dir * a, t;
        if (!block_target(W, j, delta, phase1, &t))
            continue;
        double r = (W->x[j] - t) / -delta;
        if (r <= tmax && fabs(a) > besta) {
            besta = fabs(a);
            best = k;
            bestr = r;
            bestt = t;
        }
    }
    if (best < 0)
        return -2;
    *theta = bestr > 0 ? bestr : 0.0;
    *target = bestt;
    return best;
}

static void set_phase1_costs(sx_work *W)
{
    for (int k = 0; k < W->m; k++) {
        int j = W->head[k];
        double v = W->x[j];
        W->cb[k] = v < W->lb[j] - W->tol_p ? -1.0 : v > W->ub[j] + W->tol_p ? 1.0 : 0.0;
    }
}

nms_lp_status nms__sx_primal(sx_work *W, int *oom)
{
    int n = W->n;
    /* fresh: just factored; confirmed: x and d just computed again from the
     * factors (see q < 0) */
    int fresh = 0, confirmed = 0, dphase = 0, degen = 0, restarts = 0, p1_stall = 0;
    double best_sinf = HUGE_VAL;
    *oom = 0;
    if (!W->just_factored && nms__sx_refactor(W)) {
        *oom = 1;
        return NMS_LP_NUMERICAL;
    }
    W->just_factored = 0;
    fresh = 1;
    for (;;) {
        nms_lp_status lim = nms__sx_check_limits(W);
        if (lim != NMS_LP_UNSOLVED)
            return lim;
        if (nms__sx_need_refactor(W)) {
            if (nms__sx_refactor(W)) {
                *oom = 1;
                return NMS_LP_NUMERICAL;
            }
            fresh = 1;
            dphase = 0;
        }
        int ninf;
        double sinf = nms__sx_infeasibility(W, &ninf), maxinf = 0.0;
        if (ninf > 0) {
            for (int k = 0; k < W->m; k++) {
                int j = W->head[k];
                double v = W->x[j], e = v < W->lb[j] ? W->lb[j] - v : v > W->ub[j] ? v - W->ub[j] : 0.0;
                if (e > maxinf)
                    maxinf = e;
            }
            if (sinf < best_sinf * (1.0 - 1e-9) - 1e-14) {
                best_sinf = sinf;
                p1_stall = 0;
            } else {
                p1_stall++;
            }
        }
        if (ninf > 0 && (maxinf < 1e-5 || (p1_stall >= 100 && maxinf < 1e-2)) &&
            (W->shift_rounds < 20 || (p1_stall >= 100 && W->handoffs >= PHASE1_HANDOFFS))) {
            /* tiny leftover infeasibilities (often an artefact of the
             * tolerances) make phase 1 cycle: shift the violated bounds to
             * the current values instead; the true bounds come back at the
             * end and the dual simplex repairs what remains.  After 20
             * shifts, only once phase 1 has stalled and can no longer hand
             * over: Netlib degen3 otherwise alternated for ever between a
             * phase 2 step leaving two variables 1.2e-7 out of bounds and a
             * phase 1 step taking them back */
            for (int k = 0; k < W->m; k++) {
                int j = W->head[k];
                if (W->x[j] < W->lb[j] - W->tol_p)
                    W->lb[j] = W->x[j];
                else if (W->x[j] > W->ub[j] + W->tol_p)
                    W->ub[j] = W->x[j];
            }
            W->perturbed = 1;
            W->shift_rounds++;
            ninf = 0;
            dphase = 0;
            p1_stall = 0;
            best_sinf = HUGE_VAL;
        }
        if (ninf > 0 && p1_stall >= 500 && W->handoffs < PHASE1_HANDOFFS) {
            /* phase 1 makes no progress (tolerance-level cycling): let the
             * dual simplex, which works on the infeasibilities directly,
             * take over */
            W->handoffs++;
            return nms__sx_dual(W, oom);
        }
        int phase1 = ninf > 0;
        if (phase1) {
            set_phase1_costs(W);
            nms__sx_compute_duals(W, W->cb, NULL);
            dphase = 1;
        } else if (dphase != 2) {
            nms__sx_compute_duals(W, NULL, W->c);
            dphase = 2;
        }
        int dir = 1;
        int q = price(W, &dir);
#ifdef NMS_LP_TRACE
        if (W->iter % 500 == 0) {
            double obj = 0, sinf = nms__sx_infeasibility(W, NULL);
            for (int j = 0; j < W->N; j++) obj += W->corig[j] * W->x[j];
            fprintf(stderr, "P it %ld ph %d obj %.10g inf %.3g (%d) pert %d degen %d q %d\n",
                    W->iter, phase1 ? 1 : 2, obj, sinf, ninf, W->perturbed, degen, q);
        }
#endif
        if (q < 0) {
            if (!fresh && !confirmed) {
                /* confirm: x_B and the duals again from the factors (with
                 * their updates), free of the drift of the incremental
                 * updates of x and d, and price again; the factors are
                 * not made anew (the eta file's size rule does that; a
                 * failed ratio test below still refactors) */
                nms__sx_compute_xb(W);
                confirmed = 1;
                dphase = 0;
                continue;
            }
            if (phase1) {
                if (W->perturbed) {
                    nms__sx_unperturb(W);
                    dphase = 0;
                    continue;
                }
                if (!fresh) { /* infeasible only on fresh factors */
                    if (nms__sx_refactor(W)) {
                        *oom = 1;
                        return NMS_LP_NUMERICAL;
                    }
                    fresh = 1;
                    dphase = 0;
                    continue;
                }
                return NMS_LP_INFEASIBLE;
            }
            if (W->perturbed) {
                nms__sx_unperturb(W);
                dphase = 0;
                int nbad = 0;
                nms__sx_infeasibility(W, &nbad);
                if (nbad > 0 && W->handoffs < 4) {
                    /* optimal basis of the perturbed problem: dual feasible,
                     * slightly primal infeasible -> dual simplex */
                    W->handoffs++;
                    return nms__sx_dual(W, oom);
                }
                if (nbad > 0)
                    W->perturb_allowed = 0;
                continue;
            }
            return NMS_LP_OPTIMAL;
        }
        nms__sx_ftran_col(W, q);
        double theta = 0.0, target = 0.0;
        int r = ratio_test(W, q, dir, phase1, &theta, &target);
        if (r == -2) {
            if (!fresh && restarts < 5) {
                restarts++;
                if (nms__sx_refactor(W)) {
                    *oom = 1;
                    return NMS_LP_NUMERICAL;
                }
                fresh = 1;
                dphase = 0;
                continue;
            }
            if (phase1)
                return NMS_LP_NUMERICAL;
            if (W->perturbed) {
                nms__sx_unperturb(W);
                dphase = 0;
                continue;
            }
            return NMS_LP_UNBOUNDED;
        }
#ifdef NMS_LP_TRACE
        if (W->iter > 5000 && W->iter < 5007)
            fprintf(stderr, "  it %ld q %d dir %d d %.3g r %d theta %.3g alpha_r %.3g stat %d x %.6g lb %.6g ub %.6g\n", W->iter, q, dir, W->d[q], r, theta, r >= 0 ? W->alpha[r] : 0.0, W->stat[q], W->x[q], W->lb[q], W->ub[q]);
#endif
        W->iter++;
        fresh = confirmed = 0;
        /* move */
        double step = dir * theta;
        if (step != 0.0) {
            W->x[q] += step;
            for (int k = 0; k < W->m; k++)
                if (W->alpha[k] != 0.0)
                    W->x[W->head[k]] -= W->alpha[k] * step;
        }
        if (r == -1) {
            /* bound flip */
            W->stat[q] = W->stat[q] == NMS_LP_AT_LOWER ? NMS_LP_AT_UPPER : NMS_LP_AT_LOWER;
            W->x[q] = nms__sx_bound_value(W, q);
            degen = 0;
            continue;
        }
        if (theta <= 1e-12) {
            if (++degen >= DEGEN_TRIGGER && W->perturb_allowed) {
                nms__sx_perturb(W);
                degen = 0;
            }
        } else {
            degen = 0;
        }
        int jl = W->head[r];
        double ar = W->alpha[r];
        /* pivot row for devex and the reduced-cost update */
        nms__sx_pivot_row(W, r);
        if (W->wr_exact)
            nms__sx_dse_update(W, r, ar);
        double wq = W->w[q];
        if (wq > DEVEX_RESET) {
            for (int j = 0; j < W->N; j++)
                W->w[j] = 1.0;
            wq = 1.0;
        }
        double thd = W->d[q] / ar, wq_ar2 = wq / (ar * ar);
        {
            const double *arow = W->arow;
            const int *idx = W->arow_idx;
            double *w = W->w, *d = W->d;
            int nz = W->arow_nz;
            for (int t = 0; t < nz; t++) {
                int j = idx[t];
                if (j == q)
                    continue;
                double a = arow[j], wn = a * a * wq_ar2; /* (arow_j / ar)^2 wq */
                if (wn > w[j])
                    w[j] = wn;
                if (dphase == 2)
                    d[j] -= thd * a;
            }
        }
        W->w[jl] = wq / (ar * ar) > 1.0 ? wq / (ar * ar) : 1.0;
        if (dphase == 2) {
            W->d[jl] = -thd;
            W->d[q] = 0.0;
        }
        /* leaving variable to its bound.  The Harris test may have moved it
         * up to the tolerance past the bound: rather than snapping it back
         * (which silently changes the other basic values and can make the
         * method loop), shift the bound to where it is; the true bounds are
         * restored at the end (see nms__sx_unperturb) */
        if (target == W->lb[jl] && W->x[jl] < target) {
            W->lb[jl] = W->x[jl];
            target = W->x[jl];
            W->perturbed = 1;
        } else if (target == W->ub[jl] && W->x[jl] > target) {
            W->ub[jl] = W->x[jl];
            target = W->x[jl];
            W->perturbed = 1;
        }
        W->x[jl] = target;
        if (nms__sx_basis_change(W, r, q)) {
            *oom = 1;
            return NMS_LP_NUMERICAL;
        }
        if (W->lb[jl] == W->ub[jl])
            W->stat[jl] = NMS_LP_FIXED;
        else if (target == W->lb[jl])
            W->stat[jl] = NMS_LP_AT_LOWER;
        else
            W->stat[jl] = NMS_LP_AT_UPPER;
        (void)n;
    }
}

/* ------------------------------------------------------------ driver */

static void store_solution(sx_work *W, nms_lp *lp, nms_lp_status st)
{
    int m = W->m, n = W->n;
    double sgn = lp->maximize ? -1.0 : 1.0;
    nms__sx_compute_duals(W, NULL, W->c);
#ifdef NMS_LP_TRACE
    {
        double pinf = 0, dinf = 0;
        for (int j = 0; j < W->N; j++) {
            double v = W->x[j];
            if (v < W->lb0[j] - pinf) pinf = W->lb0[j] - v;
            if (v > W->ub0[j] + pinf) pinf = v - W->ub0[j];
            if (W->pos[j] >= 0) continue;
            double dj = W->d[j];
            if (W->stat[j] == NMS_LP_AT_LOWER && -dj > dinf) dinf = -dj;
            if (W->stat[j] == NMS_LP_AT_UPPER && dj > dinf) dinf = dj;
            if (W->stat[j] == NMS_LP_AT_ZERO && fabs(dj) > dinf) dinf = fabs(dj);
        }
        fprintf(stderr, "END status %d pinf %.3g dinf %.3g shifted %d perturbed %d handoffs %d refactors %ld singular %ld\n",
                (int)st, pinf, dinf, W->shifted, W->perturbed, W->handoffs, W->n_refactor, W->n_singular);
    }
#endif
    for (int j = 0; j < n; j++) {
        lp->x[j] = W->x[j] * W->cscale[j];
        lp->d[j] = sgn * W->d[j] / W->cscale[j];
        lp->col_stat[j] = W->stat[j];
    }
    for (int i = 0; i < m; i++) {
        lp->y[i] = sgn * W->y[i] * W->rscale[i];
        lp->row_stat[i] = W->stat[n + i];
    }
    /* row activities and objective from the unscaled data */
    for (int i = 0; i < m; i++)
        lp->ax[i] = 0.0;
    double obj = lp->obj_offset;
    for (int j = 0; j < n; j++) {
        double xj = lp->x[j];
        obj += lp->cost[j] * xj;
        for (size_t p = lp->col_start[j]; p < lp->col_start[j + 1]; p++)
            lp->ax[lp->row_index[p]] += lp->value[p] * xj;
    }
    lp->objective = obj;
    lp->has_basis = 1;
    lp->status = st;
}

int nms__lp_simplex(nms_lp *lp, const nms_lp_options *opt, nms_error *err)
{
    sx_work W;
    double t0 = nms__now();
    if (work_init(&W, lp, opt)) {
        work_free(&W, lp);
        return nms__fail(err, NMS_ERR_NOMEM, "LP solve: out of memory");
    }
    W.t0 = t0;
    W.perturb_allowed = 1;
    int oom = 0;
    nms_lp_status st;
    int use_dual = opt->algorithm == NMS_LP_DUAL;
    if (opt->algorithm == NMS_LP_AUTO) {
        /* dual simplex (with cost shifting when needed) whenever the start
         * is primal infeasible: cold starts, bound changes after a solve; on
         * Netlib it beats our primal phase 1 by 1.5-4x.  Primal simplex
         * when the basis is primal feasible (e.g. columns added to a solved
         * LP: the column-generation path) */
        if (!W.just_factored && nms__sx_refactor(&W)) {
            work_free(&W, lp);
            return nms__fail(err, NMS_ERR_NOMEM, "LP solve: out of memory");
        }
        int ninf = 0;
        W.just_factored = 1;
        nms__sx_infeasibility(&W, &ninf);
        use_dual = ninf > 0;
    }
    if (use_dual)
        st = nms__sx_dual(&W, &oom);
    else
        st = nms__sx_primal(&W, &oom);
    if (oom) {
        work_free(&W, lp);
        return nms__fail(err, NMS_ERR_NOMEM, "LP solve: out of memory");
    }
    store_solution(&W, lp, st);
    keep_factors(&W, lp, st);
    lp->iterations = W.iter;
    lp->solve_seconds = nms__now() - t0;
    work_free(&W, lp);
    return NMS_OK;
}
