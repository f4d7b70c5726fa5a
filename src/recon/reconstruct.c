/* reconstruct.c - nms_reconstruct(): validation, the working (permuted,
 * double precision) copy of the problem, the method drivers for a Gram
 * matrix and for an empirical Fisher, and the report.  The mathematics is in
 * recon_internal.h. */
#include <math.h>
#include <string.h>

#include "io/tensor.h"
#include "recon/linalg.h"
#include "recon/recon_internal.h"
#include "util/util.h"

#define IHT_ROW_BLOCK 16

static const char *const method_names[] = {"magnitude", "wanda", "backsolve",
                                           "obs", "iht"};

const char *nms_recon_method_name(nms_recon_method method)
{
    if ((int)method < 0 || (int)method >= (int)(sizeof method_names / sizeof *method_names))
        return NULL;
    return method_names[method];
}

int nms_recon_method_parse(const char *name, nms_recon_method *method)
{
    for (int i = 0; i < (int)(sizeof method_names / sizeof *method_names); i++)
        if (name && strcmp(name, method_names[i]) == 0) {
            *method = (nms_recon_method)i;
            return NMS_OK;
        }
    return NMS_ERR_INVALID;
}

void nms_recon_options_init(nms_recon_options *o)
{
    memset(o, 0, sizeof *o);
    o->method = NMS_RECON_IHT;
    o->damp = 0.01;
    o->iht_iters = 10;
    o->iht_rounds = 1;
    o->swap_limit = 256;
    o->perm = NULL;
    o->mask = NULL;
}

static double get_elem(const nms_tensor *t, size_t i)
{
    if (t->dtype == NMS_DTYPE_F32) {
        float v;
        memcpy(&v, t->data + i * sizeof v, sizeof v);
        return (double)v;
    }
    double v;
    memcpy(&v, t->data + i * sizeof v, sizeof v);
    return v;
}

static int check_float_matrix(const nms_tensor *t, const char *what, nms_error *err)
{
    if (t->ndim != 2)
        return nms__fail(err, NMS_ERR_SHAPE, "reconstruct: %s must be 2-D, got %d-D", what, t->ndim);
    if (t->dtype != NMS_DTYPE_F32 && t->dtype != NMS_DTYPE_F64)
        return nms__fail(err, NMS_ERR_UNSUPPORTED, "reconstruct: %s must be float32 or float64, got %s",
                         what, nms_dtype_name(t->dtype));
    for (size_t i = 0; i < t->numel; i++)
        if (!isfinite(get_elem(t, i)))
            return nms__fail(err, NMS_ERR_NONFINITE, "reconstruct: %s element %zu (row %zu, column %zu) is not finite",
                             what, i, i / t->shape[1], i % t->shape[1]);
    return NMS_OK;
}

/* ---------------------------------------------------------------------- */
/* Gram matrix                                                            */
/* ---------------------------------------------------------------------- */

typedef struct gram_problem {
    size_t rows, cols;
    const double *w;  /* rows x cols */
    const double *h;  /* cols x cols */
    const double *hd; /* damped */
    const double *sqrt_diag; /* cols: sqrt(H_jj) */
} gram_problem;

static void score_mask_rows(const gram_problem *pb, int use_h, unsigned char *keep, double *x)
{
    size_t C = pb->cols;
    for (size_t r = 0; r < pb->rows; r++) {
        const double *w = pb->w + r * C;
        for (size_t g = 0; g < C; g += 4) {
            double s[4];
            for (size_t k = 0; k < 4; k++)
                s[k] = fabs(w[g + k]) * (use_h ? pb->sqrt_diag[g + k] : 1.0);
            nms__top2_mask(s, 4, keep + r * C + g);
        }
        for (size_t j = 0; j < C; j++)
            x[r * C + j] = keep[r * C + j] ? w[j] : 0.0;
    }
}

/* Backsolve every row on keep.  Returns NMS_OK, NMS_ERR_NOMEM, or
 * NMS_ERR_NUMERIC (with *bad_row). */
static int backsolve_rows(const gram_problem *pb, const unsigned char *keep, double *x, long *bad_row)
{
    size_t C = pb->cols, kmax = 0;
    for (size_t r = 0; r < pb->rows; r++) {
        size_t k = 0;
        for (size_t j = 0; j < C; j++)
            k += keep[r * C + j] != 0;
        if (k > kmax)
            kmax = k;
    }
    int status = NMS_OK;
    long bad = -1, R = (long)pb->rows;
    int par = (double)R * (double)kmax * (double)kmax * (double)kmax > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel if(par)")
    {
        double *work = nms__malloc_array(kmax * kmax + kmax + 1, sizeof *work);
        if (!work) {
            NMS_RECON_OMP("omp critical(nms_recon_status)")
            status = NMS_ERR_NOMEM;
        }
        NMS_RECON_OMP("omp for schedule(dynamic, 1)")
        for (long r = 0; r < R; r++) {
            if (!work)
                continue;
            size_t o = (size_t)r * C;
            if (nms__gram_row_backsolve(pb->hd, C, pb->w + o, keep + o, x + o, work)) {
                NMS_RECON_OMP("omp critical(nms_recon_status)")
                {
                    if (status == NMS_OK || (status == NMS_ERR_NUMERIC && r < bad)) {
                        status = NMS_ERR_NUMERIC;
                        bad = r;
                    }
                }
            }
        }
        nms__free(work);
    }
    *bad_row = bad;
    return status;
}

static int obs_rows(const gram_problem *pb, unsigned char *keep, double *x, nms_error *err)
{
    size_t C = pb->cols;
    double *a = nms__malloc_array(C * C, sizeof *a);
    double *u = nms__malloc_array(C * C, sizeof *u);
    if (!a || !u) {
        nms__free(a);
        nms__free(u);
        return nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (OBS, %zu x %zu)", C, C);
    }
    memcpy(a, pb->hd, C * C * sizeof *a);
    int rc = nms__chol_upper_of_inverse(a, C, u);
    nms__free(a);
    if (rc) {
        nms__free(u);
        return nms__fail(err, NMS_ERR_NUMERIC,
                         "reconstruct: the damped H is not positive definite (pivot %d); raise damp", rc);
    }
    long R = (long)pb->rows;
    int par = (double)R * (double)C * (double)C > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel for schedule(dynamic, 4) if(par)")
    for (long r = 0; r < R; r++) {
        size_t o = (size_t)r * C;
        nms__gram_row_obs(u, C, pb->w + o, x + o, keep + o);
    }
    nms__free(u);
    return NMS_OK;
}

static int numeric_fail(nms_error *err, long row)
{
    return nms__fail(err, NMS_ERR_NUMERIC,
                     "reconstruct: the damped H restricted to the kept columns of row %ld is not positive definite; raise damp",
                     row);
}

/* Per-row damped objective. */
static void row_objectives(const gram_problem *pb, const double *a, const double *x, double *out)
{
    long R = (long)pb->rows;
    size_t C = pb->cols;
    int par = (double)R * (double)C * (double)C > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel for schedule(dynamic, 4) if(par)")
    for (long r = 0; r < R; r++)
        out[r] = nms__gram_row_quad(a, C, pb->w + (size_t)r * C, x + (size_t)r * C);
}

static int iht_rows(const gram_problem *pb, const nms_recon_options *opt, unsigned char *keep, double *x,
                    int *iterations, nms_error *err)
{
    size_t C = pb->cols, R = pb->rows;
    /* start: the better (per row, damped objective) of Wanda + backsolve and
     * OBS + backsolve */
    unsigned char *keep2 = nms__malloc(R * C);
    double *x2 = nms__malloc_array(R * C, sizeof *x2);
    double *f1 = nms__malloc_array(2 * R + 1, sizeof *f1);
    int rc = NMS_OK;
    long bad;
    if (!keep2 || !x2 || !f1) {
        rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory");
        goto done;
    }
    double *f2 = f1 + R;
    score_mask_rows(pb, 1, keep, x);
    if ((rc = backsolve_rows(pb, keep, x, &bad)) != NMS_OK)
        goto fail_bs;
    if ((rc = obs_rows(pb, keep2, x2, err)) != NMS_OK)
        goto done;
    if ((rc = backsolve_rows(pb, keep2, x2, &bad)) != NMS_OK)
        goto fail_bs;
    row_objectives(pb, pb->hd, x, f1);
    row_objectives(pb, pb->hd, x2, f2);
    for (size_t r = 0; r < R; r++)
        if (f2[r] < f1[r]) {
            memcpy(x + r * C, x2 + r * C, C * sizeof *x);
            memcpy(keep + r * C, keep2 + r * C, C);
        }
    int total_steps = 0;
    for (int round = 0; round < opt->iht_rounds; round++) {
        long nblocks = (long)((R + IHT_ROW_BLOCK - 1) / IHT_ROW_BLOCK);
        int nomem = 0, steps = 0;
        int par = (double)R * (double)C * (double)C > NMS_RECON_PAR_MIN;
        (void)par; /* unused without OpenMP */
        NMS_RECON_OMP("omp parallel if(par)")
        {
            double *work = nms__malloc_array(4 * IHT_ROW_BLOCK * C, sizeof *work);
            if (!work) {
                NMS_RECON_OMP("omp atomic write")
                nomem = 1;
            }
            NMS_RECON_OMP("omp for schedule(dynamic, 1) reduction(max: steps)")
            for (long b = 0; b < nblocks; b++) {
                if (!work)
                    continue;
                size_t r0 = (size_t)b * IHT_ROW_BLOCK;
                size_t rb = R - r0 < IHT_ROW_BLOCK ? R - r0 : IHT_ROW_BLOCK;
                int s = nms__gram_rows_iht(pb->hd, C, rb, pb->w + r0 * C, x + r0 * C, keep + r0 * C,
                                           opt->iht_iters, work);
                if (s < 0) {
                    NMS_RECON_OMP("omp atomic write")
                    nomem = 1;
                } else if (s > steps) {
                    steps = s;
                }
            }
            nms__free(work);
        }
        if (nomem) {
            rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (IHT)");
            goto done;
        }
        total_steps += steps;
        /* refit the support */
        if ((rc = backsolve_rows(pb, keep, x, &bad)) != NMS_OK)
            goto fail_bs;
        if (steps == 0)
            break;
    }
    *iterations = total_steps;
    if (opt->swap_limit > 0) {
        long lR = (long)R;
        int nomem = 0;
        int par = (double)R * (double)C * (double)C * (double)C > NMS_RECON_PAR_MIN;
        (void)par; /* unused without OpenMP */
        NMS_RECON_OMP("omp parallel for schedule(dynamic, 1) if(par)")
        for (long r = 0; r < lR; r++) {
            size_t o = (size_t)r * C;
            if (nms__gram_row_swap_search(pb->hd, C, pb->w + o, x + o, keep + o, opt->swap_limit) < 0) {
                NMS_RECON_OMP("omp atomic write")
                nomem = 1;
            }
        }
        if (nomem) {
            rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (swap search)");
            goto done;
        }
        if ((rc = backsolve_rows(pb, keep, x, &bad)) != NMS_OK)
            goto fail_bs;
    }
    goto done;
fail_bs:
    if (rc == NMS_ERR_NUMERIC)
        rc = numeric_fail(err, bad);
    else
        rc = nms__fail(err, rc, "reconstruct: out of memory (backsolve)");
done:
    nms__free(keep2);
    nms__free(x2);
    nms__free(f1);
    return rc;
}

static int solve_gram(const gram_problem *pb, const nms_recon_options *opt, const unsigned char *given_mask,
                      unsigned char *keep, double *x, int *iterations, nms_error *err)
{
    long bad;
    int rc;
    *iterations = 0;
    switch (opt->method) {
    case NMS_RECON_MAGNITUDE:
        score_mask_rows(pb, 0, keep, x);
        return NMS_OK;
    case NMS_RECON_WANDA:
        score_mask_rows(pb, 1, keep, x);
        return NMS_OK;
    case NMS_RECON_BACKSOLVE:
        if (given_mask)
            memcpy(keep, given_mask, pb->rows * pb->cols);
        else
            score_mask_rows(pb, 1, keep, x);
        rc = backsolve_rows(pb, keep, x, &bad);
        break;
    case NMS_RECON_OBS:
        if ((rc = obs_rows(pb, keep, x, err)) != NMS_OK)
            return rc;
        rc = backsolve_rows(pb, keep, x, &bad);
        break;
    case NMS_RECON_IHT:
        return iht_rows(pb, opt, keep, x, iterations, err);
    default:
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: unknown method %d", (int)opt->method);
    }
    if (rc == NMS_ERR_NUMERIC)
        return numeric_fail(err, bad);
    if (rc != NMS_OK)
        return nms__fail(err, rc, "reconstruct: out of memory (backsolve)");
    return NMS_OK;
}

/* ---------------------------------------------------------------------- */
/* Fisher                                                                  */
/* ---------------------------------------------------------------------- */

static void fisher_score_mask(const nms__fisher *fi, const double *w, const double *sqrt_diag, unsigned char *keep,
                              double *x)
{
    for (size_t j = 0; j < fi->p; j += 4) {
        double s[4];
        for (size_t k = 0; k < 4; k++)
            s[k] = fabs(w[j + k]) * (sqrt_diag ? sqrt_diag[j + k] : 1.0);
        nms__top2_mask(s, 4, keep + j);
        for (size_t k = 0; k < 4; k++)
            x[j + k] = keep[j + k] ? w[j + k] : 0.0;
    }
}

static int fisher_backsolve_checked(const nms__fisher *fi, const double *w, const unsigned char *keep, double *x,
                                    nms_error *err)
{
    int rc = nms__fisher_backsolve(fi, w, keep, x);
    if (rc < 0)
        return nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (Fisher backsolve)");
    if (rc > 0)
        return nms__fail(err, NMS_ERR_NUMERIC,
                         "reconstruct: A_S A_S^T + lambda I is not positive definite (pivot %d); raise damp", rc);
    return NMS_OK;
}

static int solve_fisher(const nms__fisher *fi, const double *w, const double *sqrt_diag,
                        const nms_recon_options *opt, const unsigned char *given_mask, unsigned char *keep,
                        double *x, int *iterations, nms_error *err)
{
    int rc;
    *iterations = 0;
    switch (opt->method) {
    case NMS_RECON_MAGNITUDE:
        fisher_score_mask(fi, w, NULL, keep, x);
        return NMS_OK;
    case NMS_RECON_WANDA:
        fisher_score_mask(fi, w, sqrt_diag, keep, x);
        return NMS_OK;
    case NMS_RECON_BACKSOLVE:
        if (given_mask)
            memcpy(keep, given_mask, fi->p);
        else
            fisher_score_mask(fi, w, sqrt_diag, keep, x);
        return fisher_backsolve_checked(fi, w, keep, x, err);
    case NMS_RECON_OBS:
        return nms__fail(err, NMS_ERR_INVALID,
                         "reconstruct: method obs needs a Gram matrix (H); with a Fisher use iht or backsolve");
    case NMS_RECON_IHT:
        fisher_score_mask(fi, w, sqrt_diag, keep, x);
        if ((rc = fisher_backsolve_checked(fi, w, keep, x, err)) != NMS_OK)
            return rc;
        for (int round = 0; round < opt->iht_rounds; round++) {
            int s = nms__fisher_iht(fi, w, x, keep, opt->iht_iters);
            if (s < 0)
                return nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (Fisher IHT)");
            *iterations += s;
            if ((rc = fisher_backsolve_checked(fi, w, keep, x, err)) != NMS_OK)
                return rc;
            if (s == 0)
                break;
        }
        return NMS_OK;
    default:
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: unknown method %d", (int)opt->method);
    }
}

/* ---------------------------------------------------------------------- */
/* Public entry                                                            */
/* ---------------------------------------------------------------------- */

int nms_reconstruct(const nms_tensor *W, const nms_tensor *H, const nms_tensor *G,
                    const nms_recon_options *options, nms_tensor **w_out, nms_tensor **mask_out,
                    nms_recon_report *report, nms_error *err)
{
    nms_recon_options defaults;
    double t0 = nms__now();
    int rc;
    if (!options) {
        nms_recon_options_init(&defaults);
        options = &defaults;
    }
    if (w_out)
        *w_out = NULL;
    if (mask_out)
        *mask_out = NULL;
    if (!W)
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: no weight matrix");
    if ((H == NULL) == (G == NULL))
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: give exactly one of a Gram matrix H and a Fisher G");
    if (!nms_recon_method_name(options->method))
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: unknown method %d", (int)options->method);
    if (!(options->damp >= 0.0) || !isfinite(options->damp))
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: damp must be a finite number >= 0, got %g",
                         options->damp);
    if (options->iht_iters < 0 || options->iht_rounds < 0 || options->swap_limit < 0)
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: iht_iters, iht_rounds and swap_limit must be >= 0");
    if ((rc = check_float_matrix(W, "W", err)) != NMS_OK)
        return rc;
    size_t R = W->shape[0], C = W->shape[1], p;
    if (C == 0 || R == 0 || C % 4 != 0)
        return nms__fail(err, NMS_ERR_SHAPE, "reconstruct: W is %zu x %zu; need a positive number of rows and of columns, columns a multiple of 4",
                         R, C);
    if (nms__mul_size(R, C, &p))
        return nms__fail(err, NMS_ERR_RANGE, "reconstruct: W is too large");
    const nms_tensor *HG = H ? H : G;
    if ((rc = check_float_matrix(HG, H ? "H" : "G", err)) != NMS_OK)
        return rc;
    if (H && (H->shape[0] != C || H->shape[1] != C))
        return nms__fail(err, NMS_ERR_SHAPE, "reconstruct: H is %zu x %zu but W has %zu columns (H must be %zu x %zu)",
                         H->shape[0], H->shape[1], C, C, C);
    if (G && (G->shape[1] != p || G->shape[0] == 0))
        return nms__fail(err, NMS_ERR_SHAPE,
                         "reconstruct: G is %zu x %zu but W has %zu weights (G must be n x %zu, n >= 1)",
                         G->shape[0], G->shape[1], p, p);
    if (options->perm && (rc = nms_perm_check(options->perm, C, err)) != NMS_OK) {
        nms__error_prefix(err, "reconstruct: perm");
        return rc;
    }
    if (options->mask && options->method != NMS_RECON_BACKSOLVE)
        return nms__fail(err, NMS_ERR_INVALID, "reconstruct: a given mask is only used by the backsolve method");

    /* working copies in the permuted column order */
    int32_t *perm = nms__malloc_array(C, sizeof *perm);
    double *w = nms__malloc_array(p, sizeof *w);
    double *x = nms__malloc_array(p, sizeof *x);
    double *xm = nms__malloc_array(p, sizeof *xm);
    unsigned char *keep = nms__malloc(p);
    unsigned char *keepm = nms__malloc(p);
    unsigned char *given = options->mask ? nms__malloc(p) : NULL;
    double *h = NULL, *hd = NULL, *sd = NULL, *a = NULL, *rowf = NULL;
    nms_tensor *wt = NULL, *mt = NULL;
    nms_recon_report rep;
    memset(&rep, 0, sizeof rep);
    if (!perm || !w || !x || !xm || !keep || !keepm || (options->mask && !given)) {
        rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory");
        goto out;
    }
    for (size_t j = 0; j < C; j++)
        perm[j] = options->perm ? options->perm[j] : (int32_t)j;
    for (size_t r = 0; r < R; r++)
        for (size_t j = 0; j < C; j++) {
            w[r * C + j] = get_elem(W, r * C + (size_t)perm[j]);
            if (given)
                given[r * C + j] = options->mask[r * C + (size_t)perm[j]] != 0;
        }

    int iterations = 0;
    if (H) {
        h = nms__malloc_array(C * C, sizeof *h);
        hd = nms__malloc_array(C * C, sizeof *hd);
        sd = nms__malloc_array(C, sizeof *sd);
        rowf = nms__malloc_array(R, sizeof *rowf);
        if (!h || !hd || !sd || !rowf) {
            rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (H is %zu x %zu)", C, C);
            goto out;
        }
        double tr = 0.0;
        for (size_t i = 0; i < C; i++)
            for (size_t j = 0; j < C; j++) {
                size_t pi = (size_t)perm[i], pj = (size_t)perm[j];
                h[i * C + j] = 0.5 * (get_elem(H, pi * C + pj) + get_elem(H, pj * C + pi));
            }
        for (size_t i = 0; i < C; i++) {
            if (h[i * C + i] < 0.0) {
                rc = nms__fail(err, NMS_ERR_INVALID, "reconstruct: H[%d,%d] = %g is negative: H is not PSD",
                               (int)perm[i], (int)perm[i], h[i * C + i]);
                goto out;
            }
            tr += h[i * C + i];
            sd[i] = sqrt(h[i * C + i]);
        }
        rep.lambda = options->damp * (tr > 0.0 ? tr / (double)C : 1.0);
        memcpy(hd, h, C * C * sizeof *hd);
        for (size_t i = 0; i < C; i++)
            hd[i * C + i] += rep.lambda;
        gram_problem pb = {R, C, w, h, hd, sd};
        if ((rc = solve_gram(&pb, options, given, keep, x, &iterations, err)) != NMS_OK)
            goto out;
        /* magnitude on the same input */
        score_mask_rows(&pb, 0, keepm, xm);
        double *zero = xm; /* reuse after the magnitude error */
        row_objectives(&pb, h, xm, rowf);
        for (size_t r = 0; r < R; r++)
            rep.magnitude_error += rowf[r];
        row_objectives(&pb, h, x, rowf);
        for (size_t r = 0; r < R; r++)
            rep.error += rowf[r];
        row_objectives(&pb, hd, x, rowf);
        for (size_t r = 0; r < R; r++)
            rep.objective += rowf[r];
        memset(zero, 0, p * sizeof *zero);
        row_objectives(&pb, h, zero, rowf);
        for (size_t r = 0; r < R; r++)
            rep.base += rowf[r];
    } else {
        size_t n = G->shape[0], np;
        if (nms__mul_size(n, p, &np)) {
            rc = nms__fail(err, NMS_ERR_RANGE, "reconstruct: G is too large");
            goto out;
        }
        a = nms__malloc_array(np, sizeof *a);
        sd = nms__malloc_array(p + n, sizeof *sd);
        rowf = nms__malloc_array(p + n, sizeof *rowf);
        if (!a || !sd || !rowf) {
            rc = nms__fail(err, NMS_ERR_NOMEM, "reconstruct: out of memory (G is %zu x %zu)", n, p);
            goto out;
        }
        double scale = 1.0 / sqrt((double)n), tr = 0.0;
        memset(sd, 0, p * sizeof *sd);
        for (size_t s = 0; s < n; s++)
            for (size_t r = 0; r < R; r++)
                for (size_t j = 0; j < C; j++) {
                    double v = scale * get_elem(G, s * p + r * C + (size_t)perm[j]);
                    a[s * p + r * C + j] = v;
                    sd[r * C + j] += v * v;
                }
        for (size_t j = 0; j < p; j++) {
            tr += sd[j];
            sd[j] = sqrt(sd[j]);
        }
        nms__fisher fi = {n, R, C, p, a, 0.0};
        fi.lambda = rep.lambda = options->damp * (tr > 0.0 ? tr / (double)p : 1.0);
        if ((rc = solve_fisher(&fi, w, sd, options, given, keep, x, &iterations, err)) != NMS_OK)
            goto out;
        fisher_score_mask(&fi, w, NULL, keepm, xm);
        rep.magnitude_error = nms__fisher_quad(&fi, 0.0, w, xm, rowf);
        rep.error = nms__fisher_quad(&fi, 0.0, w, x, rowf);
        rep.objective = nms__fisher_quad(&fi, fi.lambda, w, x, rowf);
        memset(xm, 0, p * sizeof *xm);
        rep.base = nms__fisher_quad(&fi, 0.0, w, xm, rowf);
    }
    rep.rel_error = rep.base > 0.0 ? rep.error / rep.base : 0.0;
    rep.magnitude_rel_error = rep.base > 0.0 ? rep.magnitude_error / rep.base : 0.0;
    rep.iterations = iterations;

    /* outputs in the original column order */
    if (w_out) {
        size_t shape[2] = {R, C};
        if ((rc = nms_tensor_create(W->dtype, 2, shape, &wt, err)) != NMS_OK)
            goto out;
        for (size_t r = 0; r < R; r++)
            for (size_t j = 0; j < C; j++) {
                size_t dst = r * C + (size_t)perm[j];
                if (W->dtype == NMS_DTYPE_F32) {
                    float v = (float)x[r * C + j];
                    memcpy(wt->data + dst * sizeof v, &v, sizeof v);
                } else {
                    memcpy(wt->data + dst * sizeof(double), &x[r * C + j], sizeof(double));
                }
            }
    }
    if (mask_out) {
        size_t shape[2] = {R, C};
        if ((rc = nms_tensor_create(NMS_DTYPE_BOOL, 2, shape, &mt, err)) != NMS_OK)
            goto out;
        for (size_t r = 0; r < R; r++)
            for (size_t j = 0; j < C; j++)
                mt->data[r * C + (size_t)perm[j]] = keep[r * C + j] ? 1 : 0;
    }
    rep.seconds = nms__now() - t0;
    if (report)
        *report = rep;
    if (w_out) {
        *w_out = wt;
        wt = NULL;
    }
    if (mask_out) {
        *mask_out = mt;
        mt = NULL;
    }
    rc = NMS_OK;
out:
    nms_tensor_free(wt);
    nms_tensor_free(mt);
    nms__free(perm);
    nms__free(w);
    nms__free(x);
    nms__free(xm);
    nms__free(keep);
    nms__free(keepm);
    nms__free(given);
    nms__free(h);
    nms__free(hd);
    nms__free(sd);
    nms__free(a);
    nms__free(rowf);
    return rc;
}
