/* lu.c - sparse left-looking LU of a simplex basis + product-form updates
 * (see lu.h for the mathematics). */
#include <math.h>
#include <string.h>

#include "lp/lu.h"
#include "util/util.h"

#define LU_SINGULAR_TOL 1e-11
#define LU_THRESHOLD 0.1   /* relative threshold of partial pivoting */
#define ETA_DROP 1e-14

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
    double *xw, *tmp;
    int *stack, *spos, *topo, *mark, *rowcount, *order, *cnt;
    int stamp;
    /* row-wise copies for BTRAN: Ut row s = (step k > s, U[s,k]);
     * Lt row s = (step p < s, L entry of column p in row row_of_step[s]) */
    size_t *ut_start, *lt_start;
    int *ut_idx, *lt_idx;
    double *ut_val, *lt_val;
    size_t t_cap;
    /* eta file */
    int n_eta, eta_cap;
    int *eta_r;
    double *eta_piv;
    size_t *eta_start;
    int *eta_idx;
    double *eta_val;
    size_t eta_nz_cap;
};

nms__lu *nms__lu_create(int m)
{
    nms__lu *lu = nms__calloc(1, sizeof *lu);
    if (!lu)
        return NULL;
    size_t mm = (size_t)m + 1;
    lu->m = m;
    lu->lcap = lu->ucap = 4 * mm;
    lu->lstart = nms__malloc_array(mm, sizeof(size_t));
    lu->ustart = nms__malloc_array(mm, sizeof(size_t));
    lu->lrow = nms__malloc_array(lu->lcap, sizeof(int));
    lu->lval = nms__malloc_array(lu->lcap, sizeof(double));
    lu->ustep = nms__malloc_array(lu->ucap, sizeof(int));
    lu->uval = nms__malloc_array(lu->ucap, sizeof(double));
    lu->udiag = nms__malloc_array(mm, sizeof(double));
    lu->row_of_step = nms__malloc_array(mm, sizeof(int));
    lu->col_of_step = nms__malloc_array(mm, sizeof(int));
    lu->pinv = nms__malloc_array(mm, sizeof(int));
    lu->xw = nms__calloc(mm, sizeof(double));
    lu->tmp = nms__calloc(mm, sizeof(double));
    lu->stack = nms__malloc_array(mm, sizeof(int));
    lu->spos = nms__malloc_array(mm, sizeof(int));
    lu->topo = nms__malloc_array(mm, sizeof(int));
    lu->mark = nms__calloc(mm, sizeof(int));
    lu->rowcount = nms__malloc_array(mm, sizeof(int));
    lu->order = nms__malloc_array(mm, sizeof(int));
    lu->cnt = nms__malloc_array(mm + 1, sizeof(int));
    lu->ut_start = nms__calloc(mm + 1, sizeof(size_t));
    lu->lt_start = nms__calloc(mm + 1, sizeof(size_t));
    lu->eta_cap = 64;
    lu->eta_nz_cap = 16 * mm;
    lu->eta_r = nms__malloc_array((size_t)lu->eta_cap, sizeof(int));
    lu->eta_piv = nms__malloc_array((size_t)lu->eta_cap, sizeof(double));
    lu->eta_start = nms__malloc_array((size_t)lu->eta_cap + 1, sizeof(size_t));
    lu->eta_idx = nms__malloc_array(lu->eta_nz_cap, sizeof(int));
    lu->eta_val = nms__malloc_array(lu->eta_nz_cap, sizeof(double));
    if (!lu->lstart || !lu->ustart || !lu->lrow || !lu->lval || !lu->ustep ||
        !lu->uval || !lu->udiag || !lu->row_of_step || !lu->col_of_step ||
        !lu->pinv || !lu->xw || !lu->tmp || !lu->stack || !lu->spos ||
        !lu->topo || !lu->mark || !lu->rowcount || !lu->order || !lu->cnt ||
        !lu->eta_r || !lu->eta_piv || !lu->eta_start || !lu->eta_idx ||
        !lu->eta_val || !lu->ut_start || !lu->lt_start) {
        nms__lu_free(lu);
        return NULL;
    }
    lu->eta_start[0] = 0;
    return lu;
}

void nms__lu_free(nms__lu *lu)
{
    if (!lu)
        return;
    nms__free(lu->lstart); nms__free(lu->ustart); nms__free(lu->lrow);
    nms__free(lu->lval); nms__free(lu->ustep); nms__free(lu->uval);
    nms__free(lu->udiag); nms__free(lu->row_of_step); nms__free(lu->col_of_step);
    nms__free(lu->pinv); nms__free(lu->xw); nms__free(lu->tmp);
    nms__free(lu->stack); nms__free(lu->spos); nms__free(lu->topo);
    nms__free(lu->mark); nms__free(lu->rowcount); nms__free(lu->order);
    nms__free(lu->cnt); nms__free(lu->eta_r); nms__free(lu->eta_piv);
    nms__free(lu->eta_start); nms__free(lu->eta_idx); nms__free(lu->eta_val);
    nms__free(lu->ut_start); nms__free(lu->lt_start);
    nms__free(lu->ut_idx); nms__free(lu->ut_val);
    nms__free(lu->lt_idx); nms__free(lu->lt_val);
    nms__free(lu);
}

static int grow(size_t need, size_t *cap, int **idx, double **val)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap * 2;
    if (nc < need)
        nc = need;
    int *ni = nms__realloc_array(*idx, nc, sizeof(int));
    if (!ni)
        return -1;
    *idx = ni;
    double *nv = nms__realloc_array(*val, nc, sizeof(double));
    if (!nv)
        return -1;
    *val = nv;
    *cap = nc;
    return 0;
}

/* Rows reachable from the pattern of column k through L: topo[top..m-1] in
 * an order where every pivoted row precedes the rows its L column touches. */
static int reach(nms__lu *lu, const int *rows, int nz)
{
    int m = lu->m, top = m;
    int stamp = ++lu->stamp;
    for (int t = 0; t < nz; t++) {
        int i0 = rows[t];
        if (lu->mark[i0] == stamp)
            continue;
        int head = 0;
        lu->stack[0] = i0;
        lu->mark[i0] = stamp;
        lu->spos[0] = -1;
        while (head >= 0) {
            int i = lu->stack[head];
            int p = lu->pinv[i];
            int pushed = 0;
            if (p >= 0) {
                size_t a = lu->lstart[p], b = lu->lstart[p + 1];
                size_t q = lu->spos[head] < 0 ? a : a + (size_t)lu->spos[head];
                for (; q < b; q++) {
                    int r = lu->lrow[q];
                    if (lu->mark[r] != stamp) {
                        lu->mark[r] = stamp;
                        lu->spos[head] = (int)(q - a + 1);
                        head++;
                        lu->stack[head] = r;
                        lu->spos[head] = -1;
                        pushed = 1;
                        break;
                    }
                }
            }
            if (!pushed) {
                head--;
                lu->topo[--top] = i;
            }
        }
    }
    return top;
}

/* Row-wise copies of U and L (see the struct) for the scatter BTRAN. */
static int build_transposes(nms__lu *lu)
{
    int m = lu->m;
    size_t unz = lu->ustart[m], lnz = lu->lstart[m];
    size_t need = unz > lnz ? unz : lnz;
    if (need + 1 > lu->t_cap) {
        size_t cap = need + 1 + need / 2;
        nms__free(lu->ut_idx); nms__free(lu->ut_val);
        nms__free(lu->lt_idx); nms__free(lu->lt_val);
        lu->ut_idx = nms__malloc_array(cap, sizeof(int));
        lu->lt_idx = nms__malloc_array(cap, sizeof(int));
        lu->ut_val = nms__malloc_array(cap, sizeof(double));
        lu->lt_val = nms__malloc_array(cap, sizeof(double));
        if (!lu->ut_idx || !lu->lt_idx || !lu->ut_val || !lu->lt_val) {
            lu->t_cap = 0;
            return -1;
        }
        lu->t_cap = cap;
    }
    size_t *us = lu->ut_start, *ls = lu->lt_start;
    for (int s = 0; s <= m; s++)
        us[s] = ls[s] = 0;
    for (size_t e = 0; e < unz; e++)
        us[lu->ustep[e] + 1]++;
    for (size_t e = 0; e < lnz; e++)
        ls[lu->pinv[lu->lrow[e]] + 1]++;
    for (int s = 0; s < m; s++) {
        us[s + 1] += us[s];
        ls[s + 1] += ls[s];
    }
    /* fill, using the *_start of the next row as a moving cursor */
    for (int k = 0; k < m; k++)
        for (size_t e = lu->ustart[k]; e < lu->ustart[k + 1]; e++) {
            size_t q = us[lu->ustep[e]]++;
            lu->ut_idx[q] = k;
            lu->ut_val[q] = lu->uval[e];
        }
    for (int p = 0; p < m; p++)
        for (size_t e = lu->lstart[p]; e < lu->lstart[p + 1]; e++) {
            size_t q = ls[lu->pinv[lu->lrow[e]]]++;
            lu->lt_idx[q] = p;
            lu->lt_val[q] = lu->lval[e];
        }
    for (int s = m; s > 0; s--) {
        us[s] = us[s - 1];
        ls[s] = ls[s - 1];
    }
    us[0] = ls[0] = 0;
    return 0;
}

int nms__lu_factor(nms__lu *lu, const int *start, const int *rows,
                   const double *vals, int *n_singular, int *sing_pos,
                   int *sing_row)
{
    int m = lu->m;
    int ns = 0, nsing = 0;
    lu->n_eta = 0;
    lu->eta_start[0] = 0;
    for (int i = 0; i < m; i++) {
        lu->rowcount[i] = 0;
        lu->pinv[i] = -1;
    }
    for (int k = 0; k < m; k++)
        for (int p = start[k]; p < start[k + 1]; p++)
            lu->rowcount[rows[p]]++;
    /* columns shortest first (counting sort, stable) */
    for (int c = 0; c <= m; c++)
        lu->cnt[c] = 0;
    for (int k = 0; k < m; k++) {
        int c = start[k + 1] - start[k];
        lu->cnt[c > m ? m : c]++;
    }
    for (int c = 0, acc = 0; c <= m; c++) {
        int t = lu->cnt[c];
        lu->cnt[c] = acc;
        acc += t;
    }
    for (int k = 0; k < m; k++) {
        int c = start[k + 1] - start[k];
        lu->order[lu->cnt[c > m ? m : c]++] = k;
    }
    size_t lnz = 0, unz = 0;
    lu->lstart[0] = 0;
    lu->ustart[0] = 0;
    for (int t = 0; t < m; t++) {
        int k = lu->order[t];
        int nz = start[k + 1] - start[k];
        const int *cr = rows + start[k];
        const double *cv = vals + start[k];
        int top = reach(lu, cr, nz);
        for (int q = top; q < m; q++)
            lu->xw[lu->topo[q]] = 0.0;
        for (int q = 0; q < nz; q++)
            lu->xw[cr[q]] += cv[q];
        for (int q = top; q < m; q++) {
            int i = lu->topo[q];
            int p = lu->pinv[i];
            double v = lu->xw[i];
            if (p < 0 || v == 0.0)
                continue;
            for (size_t e = lu->lstart[p]; e < lu->lstart[p + 1]; e++)
                lu->xw[lu->lrow[e]] -= lu->lval[e] * v;
        }
        double maxabs = 0.0;
        for (int q = top; q < m; q++) {
            int i = lu->topo[q];
            if (lu->pinv[i] < 0 && fabs(lu->xw[i]) > maxabs)
                maxabs = fabs(lu->xw[i]);
        }
        if (maxabs <= LU_SINGULAR_TOL) {
            sing_pos[nsing++] = k;
            for (int q = top; q < m; q++)
                lu->xw[lu->topo[q]] = 0.0;
            continue;
        }
        int piv = -1;
        double pabs = 0.0;
        for (int q = top; q < m; q++) {
            int i = lu->topo[q];
            double a = fabs(lu->xw[i]);
            if (lu->pinv[i] >= 0 || a < LU_THRESHOLD * maxabs)
                continue;
            if (piv < 0 || lu->rowcount[i] < lu->rowcount[piv] ||
                (lu->rowcount[i] == lu->rowcount[piv] && a > pabs)) {
                piv = i;
                pabs = a;
            }
        }
        /* room for this column in U and L */
        size_t need = (size_t)(m - top);
        if (grow(unz + need, &lu->ucap, &lu->ustep, &lu->uval) ||
            grow(lnz + need, &lu->lcap, &lu->lrow, &lu->lval))
            return -1;
        double d = lu->xw[piv];
        for (int q = top; q < m; q++) {
            int i = lu->topo[q];
            double v = lu->xw[i];
            lu->xw[i] = 0.0;
            if (v == 0.0 || i == piv)
                continue;
            if (lu->pinv[i] >= 0) {
                lu->ustep[unz] = lu->pinv[i];
                lu->uval[unz++] = v;
            } else {
                lu->lrow[lnz] = i;
                lu->lval[lnz++] = v / d;
            }
        }
        lu->udiag[ns] = d;
        lu->pinv[piv] = ns;
        lu->row_of_step[ns] = piv;
        lu->col_of_step[ns] = k;
        ns++;
        lu->lstart[ns] = lnz;
        lu->ustart[ns] = unz;
    }
    lu->n_pivots = ns;
    *n_singular = nsing;
    if (nsing == 0 && build_transposes(lu))
        return -1;
    if (nsing > 0) {
        int c = 0;
        for (int i = 0; i < m && c < nsing; i++)
            if (lu->pinv[i] < 0)
                sing_row[c++] = i;
    }
    return 0;
}

void nms__lu_ftran(nms__lu *lu, double *x)
{
    int m = lu->m;
    double *tmp = lu->tmp;
    for (int s = 0; s < m; s++) {
        double v = x[lu->row_of_step[s]];
        tmp[s] = v;
        if (v == 0.0)
            continue;
        for (size_t e = lu->lstart[s]; e < lu->lstart[s + 1]; e++)
            x[lu->lrow[e]] -= lu->lval[e] * v;
    }
    for (int s = m - 1; s >= 0; s--) {
        double w = tmp[s];
        if (w == 0.0)
            continue;
        w /= lu->udiag[s];
        tmp[s] = w;
        for (size_t e = lu->ustart[s]; e < lu->ustart[s + 1]; e++)
            tmp[lu->ustep[e]] -= lu->uval[e] * w;
    }
    for (int s = 0; s < m; s++)
        x[lu->col_of_step[s]] = tmp[s];
    for (int k = 0; k < lu->n_eta; k++) {
        int r = lu->eta_r[k];
        double xr = x[r];
        if (xr == 0.0)
            continue;
        xr /= lu->eta_piv[k];
        x[r] = xr;
        for (size_t e = lu->eta_start[k]; e < lu->eta_start[k + 1]; e++)
            x[lu->eta_idx[e]] -= lu->eta_val[e] * xr;
    }
}

void nms__lu_btran(nms__lu *lu, double *y)
{
    int m = lu->m;
    double *tmp = lu->tmp;
    for (int k = lu->n_eta - 1; k >= 0; k--) {
        int r = lu->eta_r[k];
        double s = y[r];
        for (size_t e = lu->eta_start[k]; e < lu->eta_start[k + 1]; e++)
            s -= lu->eta_val[e] * y[lu->eta_idx[e]];
        y[r] = s / lu->eta_piv[k];
    }
    for (int s = 0; s < m; s++)
        tmp[s] = y[lu->col_of_step[s]];
    /* U' w = c, forward, scattering row s of U */
    for (int s = 0; s < m; s++) {
        double v = tmp[s];
        if (v == 0.0)
            continue;
        v /= lu->udiag[s];
        tmp[s] = v;
        for (size_t e = lu->ut_start[s]; e < lu->ut_start[s + 1]; e++)
            tmp[lu->ut_idx[e]] -= lu->ut_val[e] * v;
    }
    /* L' y = w, backward, scattering row row_of_step[s] of L */
    for (int s = m - 1; s >= 0; s--) {
        double v = tmp[s];
        y[lu->row_of_step[s]] = v;
        if (v == 0.0)
            continue;
        for (size_t e = lu->lt_start[s]; e < lu->lt_start[s + 1]; e++)
            tmp[lu->lt_idx[e]] -= lu->lt_val[e] * v;
    }
}

int nms__lu_update(nms__lu *lu, int r, const double *alpha)
{
    int m = lu->m;
    if (lu->n_eta + 1 >= lu->eta_cap) {
        int nc = lu->eta_cap * 2;
        int *nr = nms__realloc_array(lu->eta_r, (size_t)nc, sizeof(int));
        if (!nr)
            return -1;
        lu->eta_r = nr;
        double *np = nms__realloc_array(lu->eta_piv, (size_t)nc, sizeof(double));
        if (!np)
            return -1;
        lu->eta_piv = np;
        size_t *ns = nms__realloc_array(lu->eta_start, (size_t)nc + 1, sizeof(size_t));
        if (!ns)
            return -1;
        lu->eta_start = ns;
        lu->eta_cap = nc;
    }
    size_t nz = lu->eta_start[lu->n_eta];
    if (grow(nz + (size_t)m, &lu->eta_nz_cap, &lu->eta_idx, &lu->eta_val))
        return -1;
    for (int i = 0; i < m; i++) {
        if (i == r || fabs(alpha[i]) <= ETA_DROP)
            continue;
        lu->eta_idx[nz] = i;
        lu->eta_val[nz++] = alpha[i];
    }
    lu->eta_r[lu->n_eta] = r;
    lu->eta_piv[lu->n_eta] = alpha[r];
    lu->n_eta++;
    lu->eta_start[lu->n_eta] = nz;
    return 0;
}

int nms__lu_num_updates(const nms__lu *lu) { return lu->n_eta; }

size_t nms__lu_nnz(const nms__lu *lu)
{
    return lu->lstart[lu->n_pivots] + lu->ustart[lu->n_pivots] + (size_t)lu->n_pivots;
}

size_t nms__lu_eta_nnz(const nms__lu *lu) { return lu->eta_start[lu->n_eta]; }
