/*
 * lp.h - the LP model held by an nms_lp handle, and the solver entry point.
 *
 * Model (user space):   min/max c'x + c0  s.t.  L <= A x <= U,  l <= x <= u
 *   m rows, n columns; A in CSC: column j = rows row_index[col_start[j] ..
 *   col_start[j+1]-1], values value[...]; arrays sized by capacities
 *   (row_lo, row_hi, row_stat, y, ax: m;  col_lo, col_hi, cost, col_stat, x,
 *   d: n;  col_start: n+1;  row_index, value: nnz).
 *
 * Basis (kept between solves for warm starts): col_stat / row_stat hold
 * NMS_LP_BASIC, NMS_LP_AT_LOWER, ... (row_stat is the status of the row's
 * logical variable r_i = a_i x).  has_basis = 0 means "start from the slack
 * basis".
 *
 * The solver (simplex.c) works on the scaled computational form
 *     A~ x~ - r~ = 0,   A~ = R A C,  x~ = x / C,  r~ = R r,  c~ = s C c
 * with s = -1 for maximisation (it always minimises), and maps the solution
 * back: x = C x~, y = s R y~, d = s d~ / C.
 */
#ifndef NMS_LP_LP_H
#define NMS_LP_LP_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

struct nms_lp {
    int maximize;
    double obj_offset;
    size_t m, n, nnz;
    size_t cap_rows, cap_cols, cap_nnz;
    double *row_lo, *row_hi;
    double *col_lo, *col_hi, *cost;
    size_t *col_start;
    int32_t *row_index;
    double *value;
    signed char *col_stat, *row_stat;
    int has_basis;
    /* The factors of the last optimal basis, kept for the next solve
     * (simplex.c): lu_head[k] is the variable in position k of the factors
     * (column j >= 0, or -1 - i for the logical of row i), lu_rscale the row
     * scale factors (m) and lu_bscale the scale factor of each position's
     * column (m; 1 for logicals) they were made with; lu_wr the basis's
     * dual steepest-edge weights by position, or NULL when the solve did
     * not have them (simplex_work.h).  NULL when there is none; dropped
     * when rows are added, columns deleted (unless the indices can be
     * mapped) or a basis is set. */
    struct nms__lu *lu_cache;
    int *lu_head;
    double *lu_rscale, *lu_bscale, *lu_wr;
    /* Storage kept for the next solve, so that a search's many short solves
     * do not allocate afresh: lu_spare, a factor object no solve holds (of
     * lu_spare's own row count; its contents are not used, a solve factors
     * before it reads it), and work_block, the simplex's work arrays in one
     * block of work_block_bytes (simplex.c).  NULL when there is none. */
    struct nms__lu *lu_spare;
    void *work_block;
    size_t work_block_bytes;
    /* last solution */
    nms_lp_status status;
    double objective;
    double *x, *d, *y, *ax;
    long iterations;
    double solve_seconds;
    /* names (optional) */
    char *name;
    char **row_names, **col_names;
};

/* Run the simplex on lp (opt already validated).  Fills the solution part.
 * Returns NMS_OK or an error status (NOMEM). */
int nms__lp_simplex(nms_lp *lp, const nms_lp_options *opt, nms_error *err);

/* Drop the kept factors (lu_cache and its arrays; the factor object
 * itself is kept as lu_spare when that is empty). */
void nms__lp_drop_lu(nms_lp *lp);

/* A factor object for lp's bases: lu_spare when it has lp's row count,
 * else a fresh one; NULL when out of memory. */
struct nms__lu *nms__lp_take_lu(nms_lp *lp);

/* Give a factor object no solve holds back to lp (as lu_spare when that is
 * empty, else freed); NULL is ignored. */
void nms__lp_spare_lu(nms_lp *lp, struct nms__lu *lu);

/* Grow the row / column / nonzero capacities to at least the given sizes. */
int nms__lp_reserve(nms_lp *lp, size_t rows, size_t cols, size_t nnz);

#endif /* NMS_LP_LP_H */
