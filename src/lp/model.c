/* model.c - the nms_lp handle: building the model, options, results. */
#include <math.h>
#include <string.h>

#include "lp/lp.h"
#include "lp/lu.h"
#include "util/util.h"

const char *nms_lp_status_name(nms_lp_status s)
{
    switch (s) {
    case NMS_LP_UNSOLVED: return "unsolved";
    case NMS_LP_OPTIMAL: return "optimal";
    case NMS_LP_INFEASIBLE: return "infeasible";
    case NMS_LP_UNBOUNDED: return "unbounded";
    case NMS_LP_ITERATION_LIMIT: return "iteration limit";
    case NMS_LP_TIME_LIMIT: return "time limit";
    case NMS_LP_NUMERICAL: return "numerical trouble";
    case NMS_LP_INTERRUPTED: return "interrupted";
    default: return "unknown";
    }
}

void nms_lp_options_default(nms_lp_options *opt)
{
    if (!opt)
        return;
    opt->primal_feas_tol = 1e-7;
    opt->dual_feas_tol = 1e-9;
    opt->pivot_tol = 1e-7;
    opt->time_limit = 0.0;
    opt->iteration_limit = 0;
    opt->algorithm = NMS_LP_AUTO;
    opt->scaling = 1;
    opt->interrupt = NULL;
    opt->tick = NULL;
    opt->tick_ctx = NULL;
}

int nms_lp_create(nms_lp **out, nms_error *err)
{
    if (!out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_create: out is NULL");
    nms_lp *lp = nms__calloc(1, sizeof *lp);
    if (!lp || !(lp->col_start = nms__calloc(1, sizeof(size_t)))) {
        nms__free(lp);
        return nms__fail(err, NMS_ERR_NOMEM, "nms_lp_create: out of memory");
    }
    lp->cap_cols = 0;
    *out = lp;
    return NMS_OK;
}

struct nms__lu *nms__lp_take_lu(nms_lp *lp)
{
    nms__lu *lu = lp->lu_spare;
    lp->lu_spare = NULL;
    if (lu && nms__lu_rows(lu) == (int)lp->m)
        return lu;
    nms__lu_free(lu);
    return nms__lu_create((int)lp->m);
}

void nms__lp_spare_lu(nms_lp *lp, struct nms__lu *lu)
{
    if (!lp->lu_spare)
        lp->lu_spare = lu;
    else
        nms__lu_free(lu);
}

void nms__lp_drop_lu(nms_lp *lp)
{
    nms__lp_spare_lu(lp, lp->lu_cache);
    nms__free(lp->lu_head);
    nms__free(lp->lu_rscale);
    nms__free(lp->lu_bscale);
    nms__free(lp->lu_wr);
    lp->lu_cache = NULL;
    lp->lu_head = NULL;
    lp->lu_rscale = lp->lu_bscale = lp->lu_wr = NULL;
}

void nms_lp_free(nms_lp *lp)
{
    if (!lp)
        return;
    nms__lp_drop_lu(lp);
    nms__lu_free(lp->lu_spare);
    nms__free(lp->work_block);
    nms__free(lp->row_lo); nms__free(lp->row_hi);
    nms__free(lp->col_lo); nms__free(lp->col_hi); nms__free(lp->cost);
    nms__free(lp->col_start); nms__free(lp->row_index); nms__free(lp->value);
    nms__free(lp->col_stat); nms__free(lp->row_stat);
    nms__free(lp->x); nms__free(lp->d); nms__free(lp->y); nms__free(lp->ax);
    if (lp->row_names)
        for (size_t i = 0; i < lp->m; i++)
            nms__free(lp->row_names[i]);
    if (lp->col_names)
        for (size_t j = 0; j < lp->n; j++)
            nms__free(lp->col_names[j]);
    nms__free(lp->row_names); nms__free(lp->col_names);
    nms__free(lp->name);
    nms__free(lp);
}

static int grow_d(double **p, size_t cap)
{
    double *q = nms__realloc_array(*p, cap, sizeof(double));
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int grow_names(char ***p, size_t old, size_t cap)
{
    if (!*p)
        return 0;
    char **q = nms__realloc_array(*p, cap, sizeof(char *));
    if (!q)
        return -1;
    for (size_t i = old; i < cap; i++)
        q[i] = NULL;
    *p = q;
    return 0;
}

int nms__lp_reserve(nms_lp *lp, size_t rows, size_t cols, size_t nnz)
{
    if (rows > lp->cap_rows) {
        size_t cap = lp->cap_rows * 2 > rows ? lp->cap_rows * 2 : rows;
        if (grow_d(&lp->row_lo, cap) || grow_d(&lp->row_hi, cap) ||
            grow_d(&lp->y, cap) || grow_d(&lp->ax, cap) ||
            grow_names(&lp->row_names, lp->cap_rows, cap))
            return -1;
        signed char *s = nms__realloc(lp->row_stat, cap);
        if (!s)
            return -1;
        lp->row_stat = s;
        lp->cap_rows = cap;
    }
    if (cols > lp->cap_cols) {
        size_t cap = lp->cap_cols * 2 > cols ? lp->cap_cols * 2 : cols;
        if (grow_d(&lp->col_lo, cap) || grow_d(&lp->col_hi, cap) ||
            grow_d(&lp->cost, cap) || grow_d(&lp->x, cap) ||
            grow_d(&lp->d, cap) || grow_names(&lp->col_names, lp->cap_cols, cap))
            return -1;
        signed char *s = nms__realloc(lp->col_stat, cap);
        if (!s)
            return -1;
        lp->col_stat = s;
        size_t *cs = nms__realloc_array(lp->col_start, cap + 1, sizeof(size_t));
        if (!cs)
            return -1;
        lp->col_start = cs;
        lp->cap_cols = cap;
    }
    if (nnz > lp->cap_nnz) {
        size_t cap = lp->cap_nnz * 2 > nnz ? lp->cap_nnz * 2 : nnz;
        int32_t *ri = nms__realloc_array(lp->row_index, cap, sizeof(int32_t));
        if (!ri)
            return -1;
        lp->row_index = ri;
        if (grow_d(&lp->value, cap))
            return -1;
        lp->cap_nnz = cap;
    }
    return 0;
}

int nms_lp_set_maximize(nms_lp *lp, int maximize)
{
    if (!lp)
        return NMS_ERR_INVALID;
    if (lp->maximize != (maximize != 0)) {
        lp->maximize = maximize != 0;
        lp->status = NMS_LP_UNSOLVED;
    }
    return NMS_OK;
}

int nms_lp_is_maximize(const nms_lp *lp) { return lp ? lp->maximize : 0; }

int nms_lp_set_obj_offset(nms_lp *lp, double c0)
{
    if (!lp || !isfinite(c0))
        return NMS_ERR_INVALID;
    lp->obj_offset = c0;
    return NMS_OK;
}

double nms_lp_obj_offset(const nms_lp *lp) { return lp ? lp->obj_offset : 0.0; }

static int bad_bounds(double lo, double hi)
{
    return isnan(lo) || isnan(hi) || lo > hi || lo == HUGE_VAL || hi == -HUGE_VAL;
}

int nms_lp_add_rows(nms_lp *lp, size_t n, const double *lo, const double *hi,
                    nms_error *err)
{
    if (!lp || (n > 0 && (!lo || !hi)))
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_add_rows: NULL argument");
    for (size_t k = 0; k < n; k++)
        if (bad_bounds(lo[k], hi[k]))
            return nms__fail(err, NMS_ERR_INVALID,
                             "nms_lp_add_rows: row %zu has invalid bounds [%g, %g]",
                             lp->m + k, lo[k], hi[k]);
    size_t total;
    if (nms__add_size(lp->m, n, &total) || total > (size_t)INT32_MAX - 1)
        return nms__fail(err, NMS_ERR_RANGE, "nms_lp_add_rows: too many rows");
    if (n > 0)
        nms__lp_drop_lu(lp); /* the factors are of the old row count */
    if (nms__lp_reserve(lp, total, lp->n, lp->nnz))
        return nms__fail(err, NMS_ERR_NOMEM, "nms_lp_add_rows: out of memory");
    for (size_t k = 0; k < n; k++) {
        size_t i = lp->m + k;
        lp->row_lo[i] = lo[k];
        lp->row_hi[i] = hi[k];
        lp->row_stat[i] = NMS_LP_BASIC;
        lp->y[i] = 0.0;
        lp->ax[i] = 0.0;
    }
    lp->m = total;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

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

int nms_lp_add_cols(nms_lp *lp, size_t n, const double *cost, const double *lo,
                    const double *hi, const size_t *start,
                    const int32_t *index, const double *value, nms_error *err)
{
    if (!lp || (n > 0 && !start))
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_add_cols: NULL argument");
    if (n == 0)
        return NMS_OK;
    if (start[n] < start[0] || (start[n] > start[0] && (!index || !value)))
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_add_cols: bad start array");
    size_t total, nzt;
    if (nms__add_size(lp->n, n, &total) || total > (size_t)INT32_MAX - 1 ||
        nms__add_size(lp->nnz, start[n] - start[0], &nzt))
        return nms__fail(err, NMS_ERR_RANGE, "nms_lp_add_cols: too many columns");
    for (size_t k = 0; k < n; k++) {
        double l = lo ? lo[k] : 0.0, h = hi ? hi[k] : HUGE_VAL;
        if (start[k + 1] < start[k])
            return nms__fail(err, NMS_ERR_INVALID,
                             "nms_lp_add_cols: start[%zu] < start[%zu]", k + 1, k);
        if (bad_bounds(l, h))
            return nms__fail(err, NMS_ERR_INVALID,
                             "nms_lp_add_cols: column %zu has invalid bounds [%g, %g]",
                             lp->n + k, l, h);
        if (cost && !isfinite(cost[k]))
            return nms__fail(err, NMS_ERR_INVALID,
                             "nms_lp_add_cols: column %zu has a non-finite cost",
                             lp->n + k);
    }
    if (nms__lp_reserve(lp, lp->m, total, nzt))
        return nms__fail(err, NMS_ERR_NOMEM, "nms_lp_add_cols: out of memory");
    /* validate indices while copying; use ax as a scratch marker is unsafe, so
     * check duplicates with a per-column scan through a stamp in row_stat-free
     * memory: a temporary array. */
    int32_t *seen = NULL;
    if (lp->m > 0) {
        seen = nms__malloc_array(lp->m, sizeof(int32_t));
        if (!seen)
            return nms__fail(err, NMS_ERR_NOMEM, "nms_lp_add_cols: out of memory");
        for (size_t i = 0; i < lp->m; i++)
            seen[i] = -1;
    }
    size_t nz = lp->nnz;
    for (size_t k = 0; k < n; k++) {
        size_t j = lp->n + k;
        lp->col_start[j] = nz;
        for (size_t p = start[k]; p < start[k + 1]; p++) {
            int32_t r = index[p];
            double v = value[p];
            if (r < 0 || (size_t)r >= lp->m || seen[r] == (int32_t)k || !isfinite(v)) {
                nms__free(seen);
                lp->col_start[lp->n] = lp->nnz;
                if (r < 0 || (size_t)r >= lp->m)
                    return nms__fail(err, NMS_ERR_INVALID,
                                     "nms_lp_add_cols: column %zu: row index %ld out of range (%zu rows)",
                                     j, (long)r, lp->m);
                if (!isfinite(v))
                    return nms__fail(err, NMS_ERR_INVALID,
                                     "nms_lp_add_cols: column %zu: non-finite coefficient", j);
                return nms__fail(err, NMS_ERR_INVALID,
                                 "nms_lp_add_cols: column %zu: row %ld given twice", j, (long)r);
            }
            seen[r] = (int32_t)k;
            if (v == 0.0)
                continue;
            lp->row_index[nz] = r;
            lp->value[nz++] = v;
        }
    }
    nms__free(seen);
    for (size_t k = 0; k < n; k++) {
        size_t j = lp->n + k;
        double l = lo ? lo[k] : 0.0, h = hi ? hi[k] : HUGE_VAL;
        lp->col_lo[j] = l;
        lp->col_hi[j] = h;
        lp->cost[j] = cost ? cost[k] : 0.0;
        lp->col_stat[j] = nonbasic_status(l, h);
        lp->x[j] = 0.0;
        lp->d[j] = 0.0;
    }
    lp->n = total;
    lp->nnz = nz;
    lp->col_start[total] = nz;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

/* The kept factors' columns (all basic, none deleted) to their indices
 * after deleting the columns marked in drop. */
static void remap_kept_factors(nms_lp *lp, const unsigned char *drop)
{
    size_t *newj = nms__malloc_array(lp->n + 1, sizeof *newj);
    if (!newj) {
        nms__lp_drop_lu(lp); /* only a speed-up */
        return;
    }
    for (size_t j = 0, t = 0; j < lp->n; j++)
        newj[j] = drop[j] ? 0 : t++;
    for (size_t k = 0; k < lp->m; k++)
        if (lp->lu_head[k] >= 0)
            lp->lu_head[k] = (int)newj[lp->lu_head[k]];
    nms__free(newj);
}

int nms_lp_delete_cols(nms_lp *lp, const unsigned char *drop, nms_error *err)
{
    if (!lp || !drop)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_delete_cols: NULL argument");
    int basic_dropped = 0;
    for (size_t j = 0; j < lp->n; j++)
        basic_dropped |= drop[j] && lp->col_stat[j] == NMS_LP_BASIC;
    if (basic_dropped) {
        lp->has_basis = 0;
        nms__lp_drop_lu(lp);
    } else if (lp->lu_cache) {
        remap_kept_factors(lp, drop);
    }
    size_t kept = 0, nz = 0;
    for (size_t j = 0; j < lp->n; j++) {
        size_t p0 = lp->col_start[j], p1 = lp->col_start[j + 1];
        if (drop[j]) {
            if (lp->col_names)
                nms__free(lp->col_names[j]);
            continue;
        }
        lp->col_start[kept] = nz; /* nz <= p0: moving down is safe */
        memmove(lp->row_index + nz, lp->row_index + p0, (p1 - p0) * sizeof *lp->row_index);
        memmove(lp->value + nz, lp->value + p0, (p1 - p0) * sizeof *lp->value);
        nz += p1 - p0;
        lp->col_lo[kept] = lp->col_lo[j];
        lp->col_hi[kept] = lp->col_hi[j];
        lp->cost[kept] = lp->cost[j];
        lp->col_stat[kept] = lp->col_stat[j];
        lp->x[kept] = lp->x[j];
        lp->d[kept] = lp->d[j];
        if (lp->col_names)
            lp->col_names[kept] = lp->col_names[j];
        kept++;
    }
    if (lp->col_names)
        for (size_t j = kept; j < lp->n; j++)
            lp->col_names[j] = NULL;
    lp->n = kept;
    lp->nnz = nz;
    lp->col_start[kept] = nz;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

int nms_lp_set_col_bounds(nms_lp *lp, size_t col, double lo, double hi,
                          nms_error *err)
{
    if (!lp || col >= lp->n)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_set_col_bounds: no column %zu", col);
    if (bad_bounds(lo, hi))
        return nms__fail(err, NMS_ERR_INVALID,
                         "nms_lp_set_col_bounds: invalid bounds [%g, %g]", lo, hi);
    lp->col_lo[col] = lo;
    lp->col_hi[col] = hi;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

int nms_lp_set_col_cost(nms_lp *lp, size_t col, double cost, nms_error *err)
{
    if (!lp || col >= lp->n || !isfinite(cost))
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_set_col_cost: bad column or cost");
    lp->cost[col] = cost;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

int nms_lp_set_row_bounds(nms_lp *lp, size_t row, double lo, double hi,
                          nms_error *err)
{
    if (!lp || row >= lp->m)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_set_row_bounds: no row %zu", row);
    if (bad_bounds(lo, hi))
        return nms__fail(err, NMS_ERR_INVALID,
                         "nms_lp_set_row_bounds: invalid bounds [%g, %g]", lo, hi);
    lp->row_lo[row] = lo;
    lp->row_hi[row] = hi;
    lp->status = NMS_LP_UNSOLVED;
    return NMS_OK;
}

size_t nms_lp_num_rows(const nms_lp *lp) { return lp ? lp->m : 0; }
size_t nms_lp_num_cols(const nms_lp *lp) { return lp ? lp->n : 0; }
size_t nms_lp_num_nonzeros(const nms_lp *lp) { return lp ? lp->nnz : 0; }

int nms_lp_solve(nms_lp *lp, const nms_lp_options *opt, nms_error *err)
{
    nms_lp_options def;
    if (!lp)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_solve: lp is NULL");
    if (!opt) {
        nms_lp_options_default(&def);
        opt = &def;
    }
    if (!(opt->primal_feas_tol > 0 && opt->primal_feas_tol < 1) ||
        !(opt->dual_feas_tol > 0 && opt->dual_feas_tol < 1) ||
        !(opt->pivot_tol > 0 && opt->pivot_tol < 1) || isnan(opt->time_limit) ||
        opt->algorithm < NMS_LP_AUTO || opt->algorithm > NMS_LP_DUAL)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_solve: invalid options");
    return nms__lp_simplex(lp, opt, err);
}

nms_lp_status nms_lp_get_status(const nms_lp *lp)
{
    return lp ? lp->status : NMS_LP_UNSOLVED;
}

double nms_lp_objective(const nms_lp *lp) { return lp ? lp->objective : 0.0; }

int nms_lp_get_primal(const nms_lp *lp, double *x)
{
    if (!lp || !x)
        return NMS_ERR_INVALID;
    if (lp->n)
        memcpy(x, lp->x, lp->n * sizeof *x);
    return NMS_OK;
}

int nms_lp_get_row_duals(const nms_lp *lp, double *y)
{
    if (!lp || !y)
        return NMS_ERR_INVALID;
    if (lp->m)
        memcpy(y, lp->y, lp->m * sizeof *y);
    return NMS_OK;
}

int nms_lp_get_reduced_costs(const nms_lp *lp, double *d)
{
    if (!lp || !d)
        return NMS_ERR_INVALID;
    if (lp->n)
        memcpy(d, lp->d, lp->n * sizeof *d);
    return NMS_OK;
}

int nms_lp_get_row_activity(const nms_lp *lp, double *ax)
{
    if (!lp || !ax)
        return NMS_ERR_INVALID;
    if (lp->m)
        memcpy(ax, lp->ax, lp->m * sizeof *ax);
    return NMS_OK;
}

long nms_lp_iterations(const nms_lp *lp) { return lp ? lp->iterations : 0; }
double nms_lp_solve_seconds(const nms_lp *lp) { return lp ? lp->solve_seconds : 0.0; }

int nms_lp_get_basis(const nms_lp *lp, int *col_status, int *row_status)
{
    if (!lp)
        return NMS_ERR_INVALID;
    if (col_status)
        for (size_t j = 0; j < lp->n; j++)
            col_status[j] = lp->col_stat[j];
    if (row_status)
        for (size_t i = 0; i < lp->m; i++)
            row_status[i] = lp->row_stat[i];
    return NMS_OK;
}

int nms_lp_set_basis(nms_lp *lp, const int *col_status, const int *row_status,
                     nms_error *err)
{
    if (!lp || !col_status || !row_status)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_set_basis: NULL argument");
    size_t basic = 0;
    for (size_t k = 0; k < lp->n + lp->m; k++) {
        int v = k < lp->n ? col_status[k] : row_status[k - lp->n];
        if (v < NMS_LP_BASIC || v > NMS_LP_FIXED)
            return nms__fail(err, NMS_ERR_INVALID, "nms_lp_set_basis: unknown status %d", v);
        basic += v == NMS_LP_BASIC;
    }
    if (basic != lp->m)
        return nms__fail(err, NMS_ERR_INVALID,
                         "nms_lp_set_basis: %zu basic variables for %zu rows", basic, lp->m);
    for (size_t j = 0; j < lp->n; j++)
        lp->col_stat[j] = (signed char)col_status[j];
    for (size_t i = 0; i < lp->m; i++)
        lp->row_stat[i] = (signed char)row_status[i];
    lp->has_basis = 1;
    lp->status = NMS_LP_UNSOLVED;
    nms__lp_drop_lu(lp);
    return NMS_OK;
}

const char *nms_lp_name(const nms_lp *lp) { return lp ? lp->name : NULL; }

const char *nms_lp_row_name(const nms_lp *lp, size_t row)
{
    return lp && lp->row_names && row < lp->m ? lp->row_names[row] : NULL;
}

const char *nms_lp_col_name(const nms_lp *lp, size_t col)
{
    return lp && lp->col_names && col < lp->n ? lp->col_names[col] : NULL;
}
