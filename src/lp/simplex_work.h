/*
 * simplex_work.h - the working area shared by the primal and dual simplex.
 *
 * Computational form (scaled, always minimising):
 *     [A~  -I] (x~, r~) = 0,   lb <= (x~, r~) <= ub,   min c'(x~, r~)
 * N = n + m variables: j < n structural column j of A~, j = n + i the logical
 * of row i (column -e_i, cost 0).
 *
 * Arrays (sizes):  cs (n+1), ri / va (nnz)      A~ by columns
 *                  rs (m+1), ci / rv (nnz)      A~ by rows
 *                  rscale (m), cscale (n)       R and C
 *                  lb, ub (N)   working bounds (maybe perturbed)
 *                  lb0, ub0 (N) true scaled bounds
 *                  c (N)        phase-2 costs (maybe shifted), corig (N) true
 *                  x (N) values
 *                  stat (N)     NMS_LP_BASIC / AT_LOWER / ...
 *                  head (m)     basic variable of each position; pos (N) its
 *                               position or -1
 *                  y (m) duals, d (N) reduced costs, cb (m) phase-1 costs
 *                  alpha (m) FTRAN'd entering column; rho (m) BTRAN'd unit,
 *                               rho_kept (m) its entries of 1e-14 or more
 *                  arow (N) pivot row, support arow_idx[0..arow_nz)
 *                  w (N) devex weights
 *                  cand, cand_v (N) the dual ratio test's candidates: j
 *                               and the distance its d_j can move
 */
#ifndef NMS_LP_SIMPLEX_WORK_H
#define NMS_LP_SIMPLEX_WORK_H

#include "lp/lu.h"
#include "nmsparse.h"

typedef struct sx_work {
    const nms_lp_options *opt;
    int m, n, N;
    int *cs, *ri;
    double *va;
    int *rs, *ci;
    double *rv;
    double *rscale, *cscale;
    double *lb, *ub, *lb0, *ub0, *c, *corig, *x;
    double *wr;            /* dual steepest-edge weights by basis position (m) */
    int wr_exact;          /* wr are ||e_k' B^{-1}||^2 of this basis (computed,
                            * kept with the factors, or updated from such):
                            * then the primal updates them too */
    double *tau;           /* work (m) of the weights: B^{-1} rho for their
                            * update, B^{-T} e_k when computed exactly */
    int shifted;           /* costs c differ from corig (dual cost shifting) */
    signed char *stat;
    int *head, *pos;
    double *cb, *y, *d, *alpha, *rho, *rho_kept, *arow, *w;
    int *arow_idx;
    int arow_nz;
    int *cand;
    double *cand_v;
    unsigned char *arow_mark;
    nms__lu *lu;
    int *bstart, *brow;
    double *bval;
    size_t bcap;
    int *sing_pos, *sing_row;
    long iter;
    double t0;
    double tol_p, tol_d, tol_piv;
    int perturbed, perturb_allowed, warm;
    int just_factored;     /* basis factored, x_B computed, no pivot since */
    int handoffs;          /* primal <-> dual switches in this solve */
    int shift_rounds;      /* primal phase-1 bound shifts in this solve */
    int cost_perturbed;    /* dual: costs perturbed against degeneracy */
    long n_refactor, n_singular;
    unsigned rng;
} sx_work;

double nms__sx_bound_value(const sx_work *W, int j);
void nms__sx_compute_xb(sx_work *W);
int nms__sx_refactor(sx_work *W);
void nms__sx_compute_duals(sx_work *W, const double *cb, const double *cvec);
void nms__sx_ftran_col(sx_work *W, int q);
void nms__sx_pivot_row(sx_work *W, int r);
int nms__sx_basis_change(sx_work *W, int r, int q);
int nms__sx_need_refactor(const sx_work *W);
void nms__sx_dse_weights(sx_work *W);
void nms__sx_dse_update(sx_work *W, int r, double arq);
nms_lp_status nms__sx_check_limits(sx_work *W);
double nms__sx_rand(sx_work *W);
void nms__sx_perturb(sx_work *W);
void nms__sx_unperturb(sx_work *W);
double nms__sx_infeasibility(const sx_work *W, int *count);

nms_lp_status nms__sx_primal(sx_work *W, int *oom);
nms_lp_status nms__sx_dual(sx_work *W, int *oom);
int nms__sx_dual_infeasible_count(const sx_work *W);

#endif /* NMS_LP_SIMPLEX_WORK_H */
