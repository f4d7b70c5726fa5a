/*
 * recon_internal.h - weight reconstruction under 2:4 (internal pieces).
 *
 * Problem.  W is R x C (rows = output units, C input channels, C % 4 == 0),
 * stored row-major in double.  With a Gram matrix H (C x C, symmetric PSD,
 * H = X^T X of the layer's calibration inputs) the layer error of a pruned
 * matrix X is
 *     E(X) = tr((W - X) H (W - X)^T) = sum_r (w_r - x_r)^T H (w_r - x_r),
 * so rows are independent.  The solvers minimise it with the damped matrix
 * Hd = H + lambda I, lambda = damp * mean(diag H), subject to the 2:4
 * constraint: in every group {4g..4g+3} of a row at most 2 entries nonzero.
 * A mask `keep` (R x C bytes, 1 = kept) has exactly 2 ones per group.
 *
 * Backsolve (exact optimum for a fixed mask, one row, kept set S, pruned
 * set P):  minimise (w - x)^T Hd (w - x) with x_P = 0.  Setting the gradient
 * on S to zero, Hd_SS (x_S - w_S) - Hd_SP w_P = 0, gives
 *     x_S = w_S + Hd_SS^{-1} Hd_SP w_P,
 * one |S| x |S| Cholesky solve per row.
 *
 * OBS (SparseGPT's sweep, one row): with U upper triangular, Hd^{-1} = U^T U,
 * walk the columns i = 0..C-1; at the start of each group choose the two
 * entries to prune by the smallest x_j^2 / U_jj^2 (x = the current, already
 * updated row); for each column set e = (x_i - q_i) / U_ii (q_i = x_i if
 * kept, else 0), x_i = q_i, x_j -= e U_ij for j > i.  This is the exact OBS
 * update for removing column i given columns < i are frozen; SparseGPT's
 * lazy column blocks only reorder these same operations, so one row at a time
 * gives identical results.  The final weights are then refitted on the OBS
 * mask by a backsolve (never worse).
 *
 * IHT (CHITA-style, a block of rows at a time, each row on its own): from a
 * feasible start x (2:4, refitted), repeat: g = 2 Hd (x - w); the exact
 * unconstrained step along -g is eta* = g.g / (2 g.Hd g); try steps
 * eta = eta* 4^k (k = 0..3), project each z = x - eta g exactly onto 2:4 (the
 * two largest |z| of each group), evaluate f at the projection in closed form
 *     f(P(z)) = f(z) - 2 e.Hd(z - w) + e.Hd e,   e = z - P(z),
 *     f(z) = f(x) - eta g.g + eta^2 g.Hd g,  Hd(z - w) = g/2 - eta Hd g,
 * and take the best if it decreases f; rows with no decreasing step stop.
 * After `iters` steps (or when all rows stopped) the support is refitted by
 * a backsolve; `rounds` such rounds are run.  Each accepted step decreases
 * f strictly and a backsolve never increases it, so the result is never
 * worse than the start.
 *
 * Swap search (the last phase of the iht method, one row): with the row
 * refitted on its support, the exact change of the refitted objective when
 * one kept entry a and one pruned entry b of the same group trade places is
 * available in O(1) from K = Hd_SS^{-1}, Y = K Hd_SP and r = Hd (x - w)
 * (formulas in gram.c); the best strictly improving exchange of the row is
 * applied and K, Y, x, r are updated by rank-one formulas in O(C^2), until
 * no exchange improves (a local optimum for single exchanges) or swap_limit
 * is reached.  Setting K and Y up costs about 1.5 (C/2)^3 per row.  A final
 * backsolve removes rounding drift; a row that ended worse than it started
 * is restored.
 */
#ifndef NMS_RECON_INTERNAL_H
#define NMS_RECON_INTERNAL_H

#include <stddef.h>

/* keep[0..C-1]: 1 for the two largest score[] of each group of 4 (ties go to
 * the lower index), else 0. */
void nms__top2_mask(const double *score, size_t cols, unsigned char *keep);

/* Backsolve one row: x (C) from w (C), keep (C), Hd (C x C).  work: at least
 * C*C/4 + C doubles when the row keeps C/2 entries; in general k*k + k for k
 * kept entries.  Returns 0, or non-zero when Hd_SS is not positive definite. */
int nms__gram_row_backsolve(const double *hd, size_t cols, const double *w,
                            const unsigned char *keep, double *x, double *work);

/* OBS sweep on one row (no refit): u = upper Cholesky of Hd^{-1} (C x C),
 * writes x (C) and keep (C). */
void nms__gram_row_obs(const double *u, size_t cols, const double *w,
                       double *x, unsigned char *keep);

/* f(x) = (x - w)^T A (x - w) for one row; A is C x C. */
double nms__gram_row_quad(const double *a, size_t cols, const double *w,
                          const double *x);

/* IHT steps for rb rows (w, x, keep: rb x C).  x must be 2:4 with keep its
 * support.  At most `iters` steps; returns the number of steps in which at
 * least one row moved.  work: 4 * rb * C doubles. */
int nms__gram_rows_iht(const double *hd, size_t cols, size_t rb,
                       const double *w, double *x, unsigned char *keep,
                       int iters, double *work);
/* (returns -1 when out of memory) */

/* Exact swap local search on one row (after a backsolve: x optimal on its
 * support keep).  Repeatedly applies the best strictly improving exchange of
 * one kept and one pruned entry of the same group, with the objective change
 * computed exactly from K = Hd_SS^{-1} and Y = K Hd_SP, both updated by rank
 * one formulas (see gram.c); at most max_swaps exchanges.  Returns the number
 * of exchanges, -1 when out of memory.  x stays 2:4 on keep; it is exact up
 * to rounding (the caller refits by a backsolve). */
int nms__gram_row_swap_search(const double *hd, size_t cols, const double *w,
                              double *x, unsigned char *keep, int max_swaps);

/* OpenMP pragmas that vanish (without unknown-pragma warnings) when OpenMP
 * is off. */
#ifdef _OPENMP
#define NMS_RECON_OMP(x) _Pragma(x)
#else
#define NMS_RECON_OMP(x)
#endif
/* Parallel regions run only for more than this many flops of work (thread
 * start-up and barriers cost more than small problems). */
#define NMS_RECON_PAR_MIN 2e6

/*
 * Empirical Fisher (low rank).  A = G / sqrt(n) is n x p (p = R*C, weights
 * row-major in the working column order), H = A^T A, Hd = H + lambda I.
 *   f(x) = (x - w)^T Hd (x - w) = ||A d||^2 + lambda ||d||^2,  d = x - w.
 * Backsolve on a support S (P its complement; d_P = -w_P):
 *   minimise ||A_S d_S + u||^2 + lambda ||d_S||^2, u = A_P d_P, so
 *   d_S = -(A_S^T A_S + lambda I)^{-1} A_S^T u
 *       = -A_S^T (A_S A_S^T + lambda I_n)^{-1} u        (push-through / Woodbury)
 * one n x n Cholesky solve; the p x p matrix is never formed.
 * IHT: g = 2 (A^T A d + lambda d), g.Hd g = ||A g||^2 + lambda ||g||^2, the
 * steps and projection of the Gram case, with f at each trial point
 * evaluated directly (one product with A).  Parallel loops split over
 * samples or over weights, never over a sum, so results do not depend on
 * the number of threads.
 */
typedef struct nms__fisher {
    size_t n, rows, cols, p; /* p = rows * cols */
    const double *a;         /* n x p */
    double lambda;
} nms__fisher;

/* out (n) = A v (v: p). */
void nms__fisher_av(const nms__fisher *fi, const double *v, double *out);
/* out (p) = A^T u (u: n). */
void nms__fisher_atu(const nms__fisher *fi, const double *u, double *out);
/* ||A (x - w)||^2 + lam ||x - w||^2; tmp: p + n doubles. */
double nms__fisher_quad(const nms__fisher *fi, double lam, const double *w,
                        const double *x, double *tmp);
/* x (p) = backsolve on keep (p); 0, -1 out of memory, >0 not PD. */
int nms__fisher_backsolve(const nms__fisher *fi, const double *w,
                          const unsigned char *keep, double *x);
/* IHT steps on all weights (x, keep: p; x 2:4 per row with keep its
 * support).  Returns the steps taken, -1 out of memory. */
int nms__fisher_iht(const nms__fisher *fi, const double *w, double *x,
                    unsigned char *keep, int iters);

#endif /* NMS_RECON_INTERNAL_H */
