/*
 * lu_struct.h - the factorization object of lu.h, shared by lu.c (the
 * object, FTRAN, BTRAN and the product-form updates) and lu_factor.c (the
 * Markowitz factorization).
 *
 * After nms__lu_factor, B Q = L U in pivot order: step s pivots basis
 * position col_of_step[s] on row row_of_step[s] (pinv = its inverse); L's
 * column s holds the multipliers l_i (rows i pivoted after s), U's column s
 * the entries U[t, s] for steps t < s, its diagonal udiag[s].  FTRAN runs
 * L's columns in step order, then U's backward; BTRAN runs the row-wise
 * copies (Ut, Lt) the other way.  After k updates, B_k = B E_1 ... E_k with
 * E = I + (alpha - e_r) e_r' (the eta file).
 */
#ifndef NMS_LP_LU_STRUCT_H
#define NMS_LP_LU_STRUCT_H

#include <stddef.h>

#include "lp/lu.h"

/* Items (columns or rows) listed by their count, doubly linked: head[c] is
 * the first item of count c (0..m), next / prev link the items of one
 * count, in[x] is the count item x is listed under (-1: not listed). */
typedef struct nms__lu_counts {
    int *head, *next, *prev, *in;
} nms__lu_counts;

struct nms__lu {
    int m;
    int n_pivots;
    /* L: column s (step) = rows lrow[lstart[s] .. lstart[s+1]-1] */
    size_t *lstart;
    int *lrow;
    double *lval;
    size_t lcap;
    /* U: column s = steps ustep[ustart[s] ..], diagonal udiag[s] */
    size_t *ustart;
    int *ustep;
    double *uval;
    size_t ucap;
    double *udiag;
    int *row_of_step, *col_of_step, *pinv;
    /* work */
    double *tmp;
    /* the active submatrix while factoring: column j holds (row ac_row[j][t],
     * value ac_val[j][t]) for t < ac_len[j]; row i the pattern ar_col[i][t],
     * t < ar_len[i]; column j's entries in rows already eliminated go to its
     * U list (step uc_step[j][t], value uc_val[j][t], t < uc_len[j]) */
    int **ac_row, *ac_len;
    size_t *ac_cap;
    double **ac_val;
    int **ar_col, *ar_len;
    size_t *ar_cap;
    int **uc_step, *uc_len;
    size_t *uc_cap;
    double **uc_val;
    nms__lu_counts cols, rows; /* columns and rows listed by their count */
    double *lmul;   /* the multipliers of the current step, by row */
    int *lrows;     /* the rows of the current step's L column */
    int *pos;       /* position of a row in the column being updated, or -1 */
    int *dense;     /* the dense columns, factored last */
    double *cmax;   /* a column's largest |entry|, or -1 when not known */
    /* row-wise copies for BTRAN: Ut row s = (step k > s, U[s,k]);
     * Lt row s = (step p < s, L entry of column p in row row_of_step[s]) */
    size_t *ut_start, *lt_start;
    int *ut_idx, *lt_idx;
    double *ut_val, *lt_val;
    size_t t_cap;
    /* eta file: eta k pivots on row eta_r[k] (alpha_r = eta_piv[k]); its
     * other entries are eta_val[eta_start[k] ..], either sparse (rows in
     * eta_idx) or, when it keeps more than half of the m entries (B^-1 is
     * nearly dense on the search's bases), dense: m values by row, 0 at
     * row eta_r[k] and at the dropped entries (eta_idx unused; a sparse
     * eta holds at most m - 1 entries, so m entries mean dense). */
    int n_eta, eta_cap;
    int *eta_r;
    double *eta_piv;
    size_t *eta_start;
    int *eta_idx;
    double *eta_val;
    size_t eta_nz_cap;
    size_t eta_nnz; /* entries kept over the eta file (not the dense zeros) */
};

/* Room for need entries in idx (and val, unless NULL: a pattern only);
 * -1 when out of memory. */
int nms__lu_grow(size_t need, size_t *cap, int **idx, double **val);
/* The row-wise copies of U and L for BTRAN; -1 when out of memory. */
int nms__lu_build_transposes(nms__lu *lu);

#endif /* NMS_LP_LU_STRUCT_H */
