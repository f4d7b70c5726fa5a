/* lu.c - the factorization object: FTRAN, BTRAN and product-form updates
 * (see lu.h and lu_struct.h for the mathematics; the factorization itself
 * is in lu_factor.c). */
#include <math.h>
#include <string.h>

#include "lp/lu_struct.h"
#include "util/util.h"
#include "util/vec.h"

#define ETA_DROP 1e-14

/* The count lists of mm - 1 items: -1 when out of memory (what was
 * allocated is freed with the object). */
static int counts_create(nms__lu_counts *L, size_t mm)
{
    L->head = nms__malloc_array(mm + 1, sizeof(int));
    L->next = nms__malloc_array(mm, sizeof(int));
    L->prev = nms__malloc_array(mm, sizeof(int));
    L->in = nms__malloc_array(mm, sizeof(int));
    return L->head && L->next && L->prev && L->in ? 0 : -1;
}

static void counts_free(nms__lu_counts *L)
{
    nms__free(L->head);
    nms__free(L->next);
    nms__free(L->prev);
    nms__free(L->in);
}

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
    lu->tmp = nms__calloc(mm, sizeof(double));
    lu->ac_row = nms__calloc(mm, sizeof(int *));
    lu->ac_val = nms__calloc(mm, sizeof(double *));
    lu->ac_len = nms__calloc(mm, sizeof(int));
    lu->ac_cap = nms__calloc(mm, sizeof(size_t));
    lu->ar_col = nms__calloc(mm, sizeof(int *));
    lu->ar_len = nms__calloc(mm, sizeof(int));
    lu->ar_cap = nms__calloc(mm, sizeof(size_t));
    lu->uc_step = nms__calloc(mm, sizeof(int *));
    lu->uc_val = nms__calloc(mm, sizeof(double *));
    lu->uc_len = nms__calloc(mm, sizeof(int));
    lu->uc_cap = nms__calloc(mm, sizeof(size_t));
    int counts_ok = counts_create(&lu->cols, mm) == 0 && counts_create(&lu->rows, mm) == 0;
    lu->lmul = nms__calloc(mm, sizeof(double));
    lu->lrows = nms__malloc_array(mm, sizeof(int));
    lu->pos = nms__malloc_array(mm, sizeof(int));
    lu->dense = nms__malloc_array(mm, sizeof(int));
    lu->cmax = nms__malloc_array(mm, sizeof(double));
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
        !lu->pinv || !lu->tmp || !lu->ac_row || !lu->ac_val || !lu->ac_len ||
        !lu->ac_cap || !lu->ar_col || !lu->ar_len || !lu->ar_cap ||
        !lu->uc_step || !lu->uc_val || !lu->uc_len || !lu->uc_cap ||
        !counts_ok ||
        !lu->lmul || !lu->lrows || !lu->pos || !lu->dense || !lu->cmax ||
        !lu->eta_r || !lu->eta_piv || !lu->eta_start || !lu->eta_idx ||
        !lu->eta_val || !lu->ut_start || !lu->lt_start) {
        nms__lu_free(lu);
        return NULL;
    }
    lu->eta_start[0] = 0;
    for (int i = 0; i < m; i++)
        lu->pos[i] = -1;
    return lu;
}

int nms__lu_rows(const nms__lu *lu)
{
    return lu->m;
}

void nms__lu_free(nms__lu *lu)
{
    if (!lu)
        return;
    nms__free(lu->lstart); nms__free(lu->ustart); nms__free(lu->lrow);
    nms__free(lu->lval); nms__free(lu->ustep); nms__free(lu->uval);
    nms__free(lu->udiag); nms__free(lu->row_of_step); nms__free(lu->col_of_step);
    nms__free(lu->pinv); nms__free(lu->tmp);
    for (int k = 0; k < lu->m; k++) {
        if (lu->ac_row) nms__free(lu->ac_row[k]);
        if (lu->ac_val) nms__free(lu->ac_val[k]);
        if (lu->ar_col) nms__free(lu->ar_col[k]);
        if (lu->uc_step) nms__free(lu->uc_step[k]);
        if (lu->uc_val) nms__free(lu->uc_val[k]);
    }
    nms__free(lu->ac_row); nms__free(lu->ac_val); nms__free(lu->ac_len);
    nms__free(lu->ac_cap); nms__free(lu->ar_col); nms__free(lu->ar_len);
    nms__free(lu->ar_cap); nms__free(lu->uc_step); nms__free(lu->uc_val);
    nms__free(lu->uc_len); nms__free(lu->uc_cap);
    counts_free(&lu->cols);
    counts_free(&lu->rows);
    nms__free(lu->lmul); nms__free(lu->lrows); nms__free(lu->pos);
    nms__free(lu->dense);
    nms__free(lu->cmax);
    nms__free(lu->eta_r); nms__free(lu->eta_piv);
    nms__free(lu->eta_start); nms__free(lu->eta_idx); nms__free(lu->eta_val);
    nms__free(lu->ut_start); nms__free(lu->lt_start);
    nms__free(lu->ut_idx); nms__free(lu->ut_val);
    nms__free(lu->lt_idx); nms__free(lu->lt_val);
    nms__free(lu);
}

int nms__lu_grow(size_t need, size_t *cap, int **idx, double **val)
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
    if (val) {
        double *nv = nms__realloc_array(*val, nc, sizeof(double));
        if (!nv)
            return -1;
        *val = nv;
    }
    *cap = nc;
    return 0;
}

/* Row-wise copies of U and L (see the struct) for the scatter BTRAN. */
int nms__lu_build_transposes(nms__lu *lu)
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

/* Eta k is stored dense when it fills m slots: a sparse one holds at most
 * m - 1 entries (never its pivot row). */
static int eta_is_dense(const nms__lu *lu, int k)
{
    return lu->eta_start[k + 1] - lu->eta_start[k] == (size_t)lu->m;
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
        if (eta_is_dense(lu, k)) {
            nms__axpy(x, -xr, lu->eta_val + lu->eta_start[k], (size_t)m);
            continue;
        }
        for (size_t e = lu->eta_start[k]; e < lu->eta_start[k + 1]; e++)
            x[lu->eta_idx[e]] -= lu->eta_val[e] * xr;
    }
}

void nms__lu_btran(nms__lu *lu, double *y)
{
    int m = lu->m;
    double *tmp = lu->tmp;
    const int *ei = lu->eta_idx;
    const double *ev = lu->eta_val;
    for (int k = lu->n_eta - 1; k >= 0; k--) {
        size_t e = lu->eta_start[k], end = lu->eta_start[k + 1];
        int r = lu->eta_r[k];
        if (eta_is_dense(lu, k)) {
            y[r] = (y[r] - nms__dot(ev + e, y, (size_t)m)) / lu->eta_piv[k];
            continue;
        }
        /* four partial sums: with one, each term waited for the one before;
         * both builds at once, one thread: the C = 128 sample (30 s) 7.82 ms
         * per node against 8.39, the 17 C = 96 layers 2.17 against 2.36
         * (other trees: other rounding); Netlib and set partitioning
         * (reference.tsv but cycle, both builds at once) 43.6 s against
         * 48.0 s, every objective within 1e-6, cycle 0.9 s against 1.2 s */
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (; e + 4 <= end; e += 4) {
            s0 += ev[e] * y[ei[e]];
            s1 += ev[e + 1] * y[ei[e + 1]];
            s2 += ev[e + 2] * y[ei[e + 2]];
            s3 += ev[e + 3] * y[ei[e + 3]];
        }
        for (; e < end; e++)
            s0 += ev[e] * y[ei[e]];
        y[r] = (y[r] - ((s0 + s1) + (s2 + s3))) / lu->eta_piv[k];
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
    if (nms__lu_grow(nz + (size_t)m, &lu->eta_nz_cap, &lu->eta_idx, &lu->eta_val))
        return -1;
    int kept = 0;
    for (int i = 0; i < m; i++)
        kept += i != r && fabs(alpha[i]) > ETA_DROP;
    int dense = 2 * kept > m;
    for (int i = 0; i < m; i++) {
        int keep = i != r && fabs(alpha[i]) > ETA_DROP;
        if (dense) {
            lu->eta_val[nz++] = keep ? alpha[i] : 0.0;
        } else if (keep) {
            lu->eta_idx[nz] = i;
            lu->eta_val[nz++] = alpha[i];
        }
    }
    lu->eta_nnz += (size_t)kept;
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

size_t nms__lu_eta_nnz(const nms__lu *lu) { return lu->eta_nnz; }

