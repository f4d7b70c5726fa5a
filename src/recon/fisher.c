/* fisher.c - 2:4 reconstruction with a low-rank empirical Fisher
 * H = A^T A (A = G / sqrt(n)): products with A, the Woodbury backsolve and
 * IHT.  See recon_internal.h for the maths. */
#include <math.h>
#include <string.h>

#include "recon/linalg.h"
#include "recon/recon_internal.h"
#include "util/util.h"

void nms__fisher_av(const nms__fisher *fi, const double *v, double *out)
{
    long n = (long)fi->n;
    int par = (double)fi->n * (double)fi->p > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel for schedule(static) if(par)")
    for (long s = 0; s < n; s++) {
        const double *as = fi->a + (size_t)s * fi->p;
        double acc = 0.0;
        for (size_t j = 0; j < fi->p; j++)
            acc += as[j] * v[j];
        out[s] = acc;
    }
}

void nms__fisher_atu(const nms__fisher *fi, const double *u, double *out)
{
    const size_t chunk = 4096;
    long nchunks = (long)((fi->p + chunk - 1) / chunk);
    int par = nchunks > 1 && (double)fi->n * (double)fi->p > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel for schedule(static) if(par)")
    for (long c = 0; c < nchunks; c++) {
        size_t j0 = (size_t)c * chunk;
        size_t j1 = j0 + chunk < fi->p ? j0 + chunk : fi->p;
        for (size_t j = j0; j < j1; j++)
            out[j] = 0.0;
        for (size_t s = 0; s < fi->n; s++) {
            const double *as = fi->a + s * fi->p;
            double us = u[s];
            for (size_t j = j0; j < j1; j++)
                out[j] += as[j] * us;
        }
    }
}

double nms__fisher_quad(const nms__fisher *fi, double lam, const double *w,
                        const double *x, double *tmp)
{
    double *d = tmp, *u = tmp + fi->p;
    double dd = 0.0;
    for (size_t j = 0; j < fi->p; j++) {
        d[j] = x[j] - w[j];
        dd += d[j] * d[j];
    }
    nms__fisher_av(fi, d, u);
    double uu = 0.0;
    for (size_t s = 0; s < fi->n; s++)
        uu += u[s] * u[s];
    return uu + lam * dd;
}

int nms__fisher_backsolve(const nms__fisher *fi, const double *w,
                          const unsigned char *keep, double *x)
{
    size_t n = fi->n, p = fi->p;
    double *m = nms__malloc_array(n * n + n + p, sizeof *m);
    if (!m)
        return -1;
    double *u = m + n * n, *v = u + n;
    /* u = A_P d_P = -A (w restricted to P) */
    for (size_t j = 0; j < p; j++)
        v[j] = keep[j] ? 0.0 : -w[j];
    nms__fisher_av(fi, v, u);
    /* M = A_S A_S^T + lambda I (lower triangle, then mirrored) */
    long ln = (long)n;
    int par = (double)n * (double)n * (double)p > NMS_RECON_PAR_MIN;
    (void)par; /* unused without OpenMP */
    NMS_RECON_OMP("omp parallel for schedule(dynamic, 1) if(par)")
    for (long s = 0; s < ln; s++) {
        const double *as = fi->a + (size_t)s * p;
        for (long t = 0; t <= s; t++) {
            const double *at = fi->a + (size_t)t * p;
            double acc = 0.0;
            for (size_t j = 0; j < p; j++)
                if (keep[j])
                    acc += as[j] * at[j];
            m[(size_t)s * n + (size_t)t] = acc;
        }
        m[(size_t)s * n + (size_t)s] += fi->lambda;
    }
    for (size_t s = 0; s < n; s++)
        for (size_t t = s + 1; t < n; t++)
            m[s * n + t] = m[t * n + s];
    int rc = nms__chol_lower(m, n);
    if (rc) {
        nms__free(m);
        return rc;
    }
    nms__chol_solve(m, n, u);
    /* d_S = -A_S^T y */
    nms__fisher_atu(fi, u, v);
    for (size_t j = 0; j < p; j++)
        x[j] = keep[j] ? w[j] - v[j] : 0.0;
    nms__free(m);
    return 0;
}

int nms__fisher_iht(const nms__fisher *fi, const double *w, double *x,
                    unsigned char *keep, int iters)
{
    size_t n = fi->n, p = fi->p;
    double *buf = nms__malloc_array(4 * p + 2 * n, sizeof *buf);
    unsigned char *ktry = nms__malloc(2 * p);
    int steps = 0;
    if (!buf || !ktry) {
        nms__free(buf);
        nms__free(ktry);
        return -1;
    }
    double *d = buf, *g = buf + p, *y = buf + 2 * p, *tmp = buf + 3 * p;
    double *u = tmp + p; /* n; tmp spans p + n */
    unsigned char *kbest = ktry + p;
    double lam = fi->lambda;
    for (int it = 0; it < iters; it++) {
        double dd = 0.0;
        for (size_t j = 0; j < p; j++) {
            d[j] = x[j] - w[j];
            dd += d[j] * d[j];
        }
        nms__fisher_av(fi, d, u);
        double f = lam * dd;
        for (size_t s = 0; s < n; s++)
            f += u[s] * u[s];
        nms__fisher_atu(fi, u, g);
        double gg = 0.0;
        for (size_t j = 0; j < p; j++) {
            g[j] = 2.0 * (g[j] + lam * d[j]);
            gg += g[j] * g[j];
        }
        nms__fisher_av(fi, g, u);
        double ghg = lam * gg;
        for (size_t s = 0; s < n; s++)
            ghg += u[s] * u[s];
        if (!(gg > 0.0) || !(ghg > 0.0))
            break;
        double eta0 = gg / (2.0 * ghg), best = f, best_eta = 0.0;
        for (int k = 0; k < 4; k++) {
            double eta = eta0 * ldexp(1.0, 2 * k), score[4];
            for (size_t j = 0; j < p; j += 4) {
                for (size_t q = 0; q < 4; q++)
                    score[q] = fabs(x[j + q] - eta * g[j + q]);
                nms__top2_mask(score, 4, ktry + j);
                for (size_t q = 0; q < 4; q++)
                    y[j + q] = ktry[j + q] ? x[j + q] - eta * g[j + q] : 0.0;
            }
            double v = nms__fisher_quad(fi, lam, w, y, tmp);
            if (v < best - 1e-12 * f) {
                best = v;
                best_eta = eta;
                memcpy(kbest, ktry, p);
            }
        }
        if (best_eta == 0.0)
            break;
        for (size_t j = 0; j < p; j++)
            x[j] = kbest[j] ? x[j] - best_eta * g[j] : 0.0;
        memcpy(keep, kbest, p);
        steps++;
    }
    nms__free(buf);
    nms__free(ktry);
    return steps;
}
