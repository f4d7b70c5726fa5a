/*
 * lu.h - sparse LU factorization of a simplex basis, with product-form
 * updates.
 *
 * The basis B is m x m; its column k (k = basis position 0..m-1) is given in
 * sparse form.  nms__lu_factor() computes
 *
 *     B Q = L U,    L = unit lower triangular in pivot order (columns stored),
 *                   U = upper triangular in pivot order (columns stored),
 *
 * where step s pivots basis position col_of_step[s] on row row_of_step[s],
 * right-looking with Markowitz pivoting: each step takes, among the entries
 * a_ij of the active submatrix with |a_ij| >= 0.1 max_i' |a_i'j| (threshold
 * partial pivoting by columns), one of fewest (r_i - 1)(c_j - 1), r and c
 * the counts of its row and column (the fill that step can make), searching
 * the columns and rows of fewest entries first (see choose_pivot), and
 * updates the active submatrix a_ij -= l_i u_j, dropping the sums that
 * cancel (|sum| <= 1e-14 of its terms; 0/1 bases have many).  Columns with more than 32 entries
 * and a tenth of m are left out of that and factored last, left-looking
 * (x = L^-1 b_k over the steps before), so the steps do not update them.
 * Columns without an acceptable pivot (every entry |a| <= 1e-11 after
 * elimination) are reported as singular together with the rows left
 * unpivoted, so the caller can replace them by slack columns and factor
 * again.
 *
 * After a basis change (position r receives a column whose FTRAN is alpha,
 * alpha = B^{-1} a_q, dense m), nms__lu_update() appends an eta matrix
 * E = I + (alpha - e_r) e_r' so that B_new = B E.  FTRAN solves B x = b
 * (b indexed by row, x by basis position), BTRAN solves B' y = c (c by basis
 * position, y by row); both work in place on dense vectors of length m.
 *
 * Arrays: L, U and the eta file grow as needed (sizes in the struct).
 */
#ifndef NMS_LP_LU_H
#define NMS_LP_LU_H

#include <stddef.h>

typedef struct nms__lu nms__lu;

/* A fresh factorization object for m x m bases; NULL when out of memory. */
nms__lu *nms__lu_create(int m);
void nms__lu_free(nms__lu *lu);
/* The m it was made for. */
int nms__lu_rows(const nms__lu *lu);

/* Factor the basis whose column k has entries rows[start[k] .. start[k+1]-1]
 * with values vals[...] (k = 0..m-1).  Returns 0 on success, -1 when out of
 * memory.  *n_singular receives the number of singular columns; their basis
 * positions are written to sing_pos[0..] and the rows left without a pivot to
 * sing_row[0..] (both of length m, caller-owned). */
int nms__lu_factor(nms__lu *lu, const int *start, const int *rows,
                   const double *vals, int *n_singular, int *sing_pos,
                   int *sing_row);

void nms__lu_ftran(nms__lu *lu, double *x);
void nms__lu_btran(nms__lu *lu, double *y);

/* Record the basis change at position r (alpha as above).  -1 when out of
 * memory. */
int nms__lu_update(nms__lu *lu, int r, const double *alpha);
/* Number of eta matrices since the last factorization. */
int nms__lu_num_updates(const nms__lu *lu);
/* Nonzeros in L + U and in the eta file. */
size_t nms__lu_nnz(const nms__lu *lu);
size_t nms__lu_eta_nnz(const nms__lu *lu);

#endif /* NMS_LP_LU_H */
