/* lu_factor.c - sparse LU of a simplex basis by Markowitz pivoting with a
 * threshold (see lu.h for the mathematics and lu_struct.h for the factors'
 * layout). */
#include <limits.h>
#include <math.h>

#include "lp/lu_struct.h"
#include "util/util.h"

#define LU_SINGULAR_TOL 1e-11
#define LU_THRESHOLD 0.1 /* an entry at least this times its column's largest can pivot */
#define LU_CANCEL 1e-14  /* a sum this small relative to its terms is a cancellation */
#define LU_DENSE 32      /* longer columns (and over m/10) are factored last */
#define LU_SEARCH 4      /* Markowitz search: columns and rows looked at */

/* List x under count c (in), take it off its list (out), or move it to
 * count c when it is listed under another (relist). */
static void list_in(nms__lu_counts *L, int c, int x)
{
    L->next[x] = L->head[c];
    L->prev[x] = -1;
    if (L->head[c] >= 0)
        L->prev[L->head[c]] = x;
    L->head[c] = x;
    L->in[x] = c;
}

static void list_out(nms__lu_counts *L, int x)
{
    if (L->in[x] < 0)
        return;
    if (L->prev[x] >= 0)
        L->next[L->prev[x]] = L->next[x];
    else
        L->head[L->in[x]] = L->next[x];
    if (L->next[x] >= 0)
        L->prev[L->next[x]] = L->prev[x];
    L->in[x] = -1;
}

static void relist(nms__lu_counts *L, int c, int x)
{
    if (L->in[x] == c)
        return;
    list_out(L, x);
    list_in(L, c, x);
}

/* Take column j out of row i's pattern. */
static void row_forget(nms__lu *lu, int i, int j)
{
    int *c = lu->ar_col[i], n = lu->ar_len[i];
    for (int t = 0; t < n; t++)
        if (c[t] == j) {
            c[t] = c[n - 1];
            lu->ar_len[i] = n - 1;
            return;
        }
}

/* Position of row i in column j (it is there). */
static int col_find(const nms__lu *lu, int j, int i)
{
    const int *r = lu->ac_row[j];
    int t = 0;
    while (r[t] != i)
        t++;
    return t;
}

/* The largest |entry| of column j, kept until the column changes. */
static double col_max(nms__lu *lu, int j)
{
    double mx = lu->cmax[j];
    if (mx >= 0.0)
        return mx;
    mx = 0.0;
    for (int t = 0; t < lu->ac_len[j]; t++) {
        double a = fabs(lu->ac_val[j][t]);
        if (a > mx)
            mx = a;
    }
    return lu->cmax[j] = mx;
}

/* Column j has no acceptable pivot: it leaves the active submatrix. */
static void drop_col(nms__lu *lu, int j)
{
    for (int t = 0; t < lu->ac_len[j]; t++) {
        int i = lu->ac_row[j][t];
        row_forget(lu, i, j);
        relist(&lu->rows, lu->ar_len[i], i);
    }
    lu->ac_len[j] = 0;
    list_out(&lu->cols, j);
}

/* The best pivot candidate so far: fewest (r - 1)(c - 1), then the largest
 * relative size |a_ij| / max_i' |a_i'j|. */
typedef struct {
    long cost;
    double rel;
    int row, col;
} pivot;

static void consider(pivot *b, long cost, double rel, int i, int j)
{
    if (cost < b->cost || (cost == b->cost && rel > b->rel)) {
        b->cost = cost;
        b->rel = rel;
        b->row = i;
        b->col = j;
    }
}

/* Markowitz search: the pivot (*pp, *pq) with the fewest (r - 1)(c - 1)
 * among entries at least LU_THRESHOLD times their column's largest, looking
 * at columns and rows in order of their counts and stopping after
 * LU_SEARCH of them once a pivot is found, or when no entry left can cost
 * less.  Columns without an acceptable pivot are dropped and written to
 * sing_pos.  0 when a pivot was found, 1 when no column is left. */
static int choose_pivot(nms__lu *lu, int *pp, int *pq, int *sing_pos, int *nsing)
{
    int m = lu->m, seen = 0;
    pivot b = {LONG_MAX, 0.0, -1, -1};
    while (lu->cols.head[0] >= 0) {
        int j = lu->cols.head[0];
        drop_col(lu, j);
        sing_pos[(*nsing)++] = j;
    }
    for (int c = 1; c <= m; c++) {
        long floor = (long)(c - 1) * (c - 1);
        for (int j = lu->cols.head[c], nx; j >= 0; j = nx) {
            nx = lu->cols.next[j];
            double mx = col_max(lu, j);
            if (mx <= LU_SINGULAR_TOL) {
                drop_col(lu, j);
                sing_pos[(*nsing)++] = j;
                continue;
            }
            for (int t = 0; t < c; t++) {
                double rel = fabs(lu->ac_val[j][t]) / mx;
                int i = lu->ac_row[j][t];
                if (rel >= LU_THRESHOLD)
                    consider(&b, (long)(lu->ar_len[i] - 1) * (c - 1), rel, i, j);
            }
            if (b.row >= 0 && (++seen >= LU_SEARCH || b.cost <= floor))
                goto found;
        }
        if (b.row >= 0 && b.cost <= (long)c * (c - 1))
            goto found;
        for (int i = lu->rows.head[c]; i >= 0; i = lu->rows.next[i]) {
            for (int t = 0; t < c; t++) {
                int j = lu->ar_col[i][t];
                double mx = col_max(lu, j);
                if (mx <= LU_SINGULAR_TOL)
                    continue; /* dropped when its column count comes */
                double rel = fabs(lu->ac_val[j][col_find(lu, j, i)]) / mx;
                if (rel >= LU_THRESHOLD)
                    consider(&b, (long)(c - 1) * (lu->ac_len[j] - 1), rel, i, j);
            }
            if (b.row >= 0 && (++seen >= LU_SEARCH || b.cost <= floor))
                goto found;
        }
        if (b.row >= 0 && b.cost <= (long)c * c)
            goto found;
    }
    if (b.row < 0)
        return 1;
found:
    *pp = b.row;
    *pq = b.col;
    return 0;
}

/* Step s: pivot on (p, q).  Column q below the pivot becomes L's column s,
 * row p becomes U's row s (each entry to its column's U list), and the
 * rest of the active submatrix gets the rank-one update, with fill and
 * exact cancellations.  -1 when out of memory. */
static int eliminate(nms__lu *lu, int p, int q, int s, size_t *lnz)
{
    int nq = lu->ac_len[q], nl = 0;
    double d = lu->ac_val[q][col_find(lu, q, p)];
    if (nms__lu_grow(*lnz + (size_t)nq, &lu->lcap, &lu->lrow, &lu->lval))
        return -1;
    for (int t = 0; t < nq; t++) {
        int i = lu->ac_row[q][t];
        if (i == p)
            continue;
        double l = lu->ac_val[q][t] / d;
        lu->lrow[*lnz] = i;
        lu->lval[(*lnz)++] = l;
        lu->lmul[i] = l;
        lu->lrows[nl++] = i;
        row_forget(lu, i, q);
    }
    lu->ac_len[q] = 0;
    list_out(&lu->cols, q);
    list_out(&lu->rows, p);
    for (int tp = 0; tp < lu->ar_len[p]; tp++) {
        int j = lu->ar_col[p][tp];
        if (j == q)
            continue;
        if (nms__lu_grow((size_t)(lu->ac_len[j] + nl), &lu->ac_cap[j], &lu->ac_row[j],
                         &lu->ac_val[j]) ||
            nms__lu_grow((size_t)(lu->uc_len[j] + 1), &lu->uc_cap[j], &lu->uc_step[j],
                         &lu->uc_val[j]))
            return -1;
        int *cr = lu->ac_row[j];
        double *cv = lu->ac_val[j];
        int n = lu->ac_len[j];
        /* one pass over the column: its positions by row, and row p's entry
         * (it goes to U) replaced by the last */
        for (int t = 0; t < n; t++)
            lu->pos[cr[t]] = t;
        int e = lu->pos[p];
        double u = cv[e];
        lu->pos[p] = -1;
        n--;
        if (e < n) {
            cr[e] = cr[n];
            cv[e] = cv[n];
            lu->pos[cr[e]] = e;
        }
        lu->uc_step[j][lu->uc_len[j]] = s;
        lu->uc_val[j][lu->uc_len[j]++] = u;
        if (nl == 0) {
            for (int t = 0; t < n; t++)
                lu->pos[cr[t]] = -1;
        } else {
            int nfill = n;
            for (int t = 0; t < nl; t++) {
                int i = lu->lrows[t];
                double v = -lu->lmul[i] * u;
                int at = lu->pos[i];
                if (at >= 0) {
                    double old = cv[at], nv = old + v;
                    double scale = fabs(old) > fabs(v) ? fabs(old) : fabs(v);
                    cv[at] = fabs(nv) <= LU_CANCEL * scale ? 0.0 : nv;
                } else {
                    if (nms__lu_grow((size_t)(lu->ar_len[i] + 1), &lu->ar_cap[i], &lu->ar_col[i], NULL))
                        return -1;
                    lu->ar_col[i][lu->ar_len[i]++] = j;
                    cr[nfill] = i;
                    cv[nfill++] = v;
                }
            }
            /* reset the positions, and drop the cancelled entries */
            int kept = 0;
            for (int t = 0; t < nfill; t++) {
                int i = cr[t];
                lu->pos[i] = -1;
                if (cv[t] == 0.0) {
                    row_forget(lu, i, j);
                    continue;
                }
                cr[kept] = i;
                cv[kept++] = cv[t];
            }
            n = kept;
        }
        lu->ac_len[j] = n;
        lu->cmax[j] = -1.0;
        relist(&lu->cols, lu->ac_len[j], j);
    }
    lu->ar_len[p] = 0;
    for (int t = 0; t < nl; t++) {
        int i = lu->lrows[t];
        lu->lmul[i] = 0.0;
        relist(&lu->rows, lu->ar_len[i], i);
    }
    lu->udiag[s] = d;
    lu->pinv[p] = s;
    lu->row_of_step[s] = p;
    lu->col_of_step[s] = q;
    return 0;
}

/* A dense column k (more than LU_DENSE entries and a tenth of m), left out
 * of the Markowitz steps, whose every pivot would have had to update it:
 * factored after them, left-looking.  x = L^-1 b_k over the steps so far
 * gives U's column (x at pivoted rows) and the rest; the pivot is the
 * largest entry of the rest, L's column the rest divided by it.  Singular
 * when the rest is all below LU_SINGULAR_TOL.  -1 when out of memory. */
static int finish_dense(nms__lu *lu, int k, int *ns, size_t *lnz, int *sing_pos,
                        int *nsing)
{
    int m = lu->m, s = *ns;
    double *x = lu->tmp;
    for (int i = 0; i < m; i++)
        x[i] = 0.0;
    for (int t = 0; t < lu->ac_len[k]; t++)
        x[lu->ac_row[k][t]] = lu->ac_val[k][t];
    for (int t = 0; t < s; t++) {
        double v = x[lu->row_of_step[t]];
        if (v == 0.0)
            continue;
        for (size_t e = lu->lstart[t]; e < lu->lstart[t + 1]; e++)
            x[lu->lrow[e]] -= lu->lval[e] * v;
    }
    int piv = -1, nu = 0, nl = 0;
    for (int i = 0; i < m; i++) {
        if (x[i] == 0.0)
            continue;
        if (lu->pinv[i] >= 0) {
            nu++;
        } else {
            nl++;
            if (piv < 0 || fabs(x[i]) > fabs(x[piv]))
                piv = i;
        }
    }
    if (piv < 0 || fabs(x[piv]) <= LU_SINGULAR_TOL) {
        sing_pos[(*nsing)++] = k;
        return 0;
    }
    if (nms__lu_grow((size_t)nu, &lu->uc_cap[k], &lu->uc_step[k], &lu->uc_val[k]) ||
        nms__lu_grow(*lnz + (size_t)nl, &lu->lcap, &lu->lrow, &lu->lval))
        return -1;
    double d = x[piv];
    lu->uc_len[k] = 0;
    for (int i = 0; i < m; i++) {
        if (x[i] == 0.0 || i == piv)
            continue;
        if (lu->pinv[i] >= 0) {
            lu->uc_step[k][lu->uc_len[k]] = lu->pinv[i];
            lu->uc_val[k][lu->uc_len[k]++] = x[i];
        } else {
            lu->lrow[*lnz] = i;
            lu->lval[(*lnz)++] = x[i] / d;
        }
    }
    lu->udiag[s] = d;
    lu->pinv[piv] = s;
    lu->row_of_step[s] = piv;
    lu->col_of_step[s] = k;
    *ns = s + 1;
    lu->lstart[s + 1] = *lnz;
    return 0;
}

int nms__lu_factor(nms__lu *lu, const int *start, const int *rows,
                   const double *vals, int *n_singular, int *sing_pos,
                   int *sing_row)
{
    int m = lu->m;
    int ns = 0, nsing = 0, nd = 0;
    lu->n_eta = 0;
    lu->eta_nnz = 0;
    lu->eta_start[0] = 0;
    for (int c = 0; c <= m; c++)
        lu->cols.head[c] = lu->rows.head[c] = -1;
    for (int i = 0; i < m; i++) {
        lu->pinv[i] = -1;
        lu->ar_len[i] = 0;
        lu->rows.in[i] = -1;
    }
    /* the active submatrix: B, duplicates summed, zeros left out */
    for (int k = 0; k < m; k++) {
        int nz = start[k + 1] - start[k], n = 0;
        lu->uc_len[k] = 0;
        lu->cols.in[k] = -1;
        if (nms__lu_grow((size_t)nz, &lu->ac_cap[k], &lu->ac_row[k], &lu->ac_val[k]))
            return -1;
        int *cr = lu->ac_row[k];
        double *cv = lu->ac_val[k];
        for (int p = start[k]; p < start[k + 1]; p++) {
            int i = rows[p];
            if (lu->pos[i] >= 0) {
                cv[lu->pos[i]] += vals[p];
            } else {
                lu->pos[i] = n;
                cr[n] = i;
                cv[n++] = vals[p];
            }
        }
        int kept = 0;
        for (int t = 0; t < n; t++) {
            int i = cr[t];
            lu->pos[i] = -1;
            if (cv[t] == 0.0)
                continue;
            cr[kept] = i;
            cv[kept++] = cv[t];
        }
        lu->ac_len[k] = kept;
        lu->cmax[k] = -1.0;
        if (kept > LU_DENSE && kept * 10 > m) {
            lu->dense[nd++] = k; /* factored last, see finish_dense */
            continue;
        }
        for (int t = 0; t < kept; t++) {
            int i = cr[t];
            if (nms__lu_grow((size_t)(lu->ar_len[i] + 1), &lu->ar_cap[i], &lu->ar_col[i], NULL))
                return -1;
            lu->ar_col[i][lu->ar_len[i]++] = k;
        }
        relist(&lu->cols, lu->ac_len[k], k);
    }
    for (int i = 0; i < m; i++)
        relist(&lu->rows, lu->ar_len[i], i);
    size_t lnz = 0;
    lu->lstart[0] = 0;
    for (;;) {
        int p, q;
        if (choose_pivot(lu, &p, &q, sing_pos, &nsing))
            break;
        if (eliminate(lu, p, q, ns, &lnz))
            return -1;
        ns++;
        lu->lstart[ns] = lnz;
    }
    for (int t = 0; t < nd; t++)
        if (finish_dense(lu, lu->dense[t], &ns, &lnz, sing_pos, &nsing))
            return -1;
    /* U by columns of steps: column t = the U list of col_of_step[t] */
    size_t unz = 0;
    for (int t = 0; t < ns; t++)
        unz += (size_t)lu->uc_len[lu->col_of_step[t]];
    if (nms__lu_grow(unz, &lu->ucap, &lu->ustep, &lu->uval))
        return -1;
    unz = 0;
    lu->ustart[0] = 0;
    for (int t = 0; t < ns; t++) {
        int j = lu->col_of_step[t];
        for (int e = 0; e < lu->uc_len[j]; e++) {
            lu->ustep[unz] = lu->uc_step[j][e];
            lu->uval[unz++] = lu->uc_val[j][e];
        }
        lu->ustart[t + 1] = unz;
    }
    lu->n_pivots = ns;
    *n_singular = nsing;
    if (nsing == 0 && nms__lu_build_transposes(lu))
        return -1;
    if (nsing > 0) {
        int c = 0;
        for (int i = 0; i < m && c < nsing; i++)
            if (lu->pinv[i] < 0)
                sing_row[c++] = i;
    }
    return 0;
}

