/* gram.c - per-row 2:4 reconstruction with a Gram matrix: top-2 masks,
 * backsolve, the OBS sweep and IHT.  See recon_internal.h for the maths. */
#include <math.h>
#include <string.h>

#include "recon/linalg.h"
#include "util/util.h"
#include "recon/recon_internal.h"

void nms__top2_mask(const double *score, size_t cols, unsigned char *keep)
{
    for (size_t g = 0; g + 4 <= cols; g += 4) {
        const double *s = score + g;
        /* rank each entry: it survives when fewer than 2 others beat it */
        for (int a = 0; a < 4; a++) {
            int beaten = 0;
            for (int b = 0; b < 4; b++) {
                if (b == a)
                    continue;
                if (s[b] > s[a] || (s[b] == s[a] && b < a))
                    beaten++;
            }
            keep[g + (size_t)a] = beaten < 2;
        }
    }
}

int nms__gram_row_backsolve(const double *hd, size_t cols, const double *w,
                            const unsigned char *keep, double *x, double *work)
{
    size_t k = 0;
    for (size_t j = 0; j < cols; j++)
        k += keep[j] != 0;
    double *a = work;          /* k x k: Hd_SS */
    double *b = work + k * k;  /* k: Hd_SP w_P */
    size_t p = 0;
    for (size_t i = 0; i < cols; i++) {
        if (!keep[i])
            continue;
        const double *hi = hd + i * cols;
        size_t q = 0;
        double s = 0.0;
        for (size_t j = 0; j < cols; j++) {
            if (keep[j])
                a[p * k + q++] = hi[j];
            else
                s += hi[j] * w[j];
        }
        b[p++] = s;
    }
    if (k > 0) {
        int rc = nms__chol_lower(a, k);
        if (rc)
            return rc;
        nms__chol_solve(a, k, b);
    }
    p = 0;
    for (size_t j = 0; j < cols; j++)
        x[j] = keep[j] ? w[j] + b[p++] : 0.0;
    return 0;
}

void nms__gram_row_obs(const double *u, size_t cols, const double *w,
                       double *x, unsigned char *keep)
{
    memcpy(x, w, cols * sizeof *x);
    for (size_t i = 0; i < cols; i++) {
        if (i % 4 == 0) {
            double score[4];
            for (size_t k = 0; k < 4; k++) {
                double d = u[(i + k) * cols + i + k];
                score[k] = x[i + k] * x[i + k] / (d * d);
            }
            nms__top2_mask(score, 4, keep + i);
        }
        const double *ui = u + i * cols;
        double q = keep[i] ? x[i] : 0.0;
        double e = (x[i] - q) / ui[i];
        x[i] = q;
        if (e != 0.0)
            for (size_t j = i + 1; j < cols; j++)
                x[j] -= e * ui[j];
    }
}

double nms__gram_row_quad(const double *a, size_t cols, const double *w,
                          const double *x)
{
    double f = 0.0;
    for (size_t i = 0; i < cols; i++) {
        double di = w[i] - x[i];
        if (di == 0.0)
            continue;
        const double *ai = a + i * cols;
        double s = 0.0;
        for (size_t j = 0; j < cols; j++)
            s += ai[j] * (w[j] - x[j]);
        f += di * s;
    }
    return f;
}

static double dot(const double *a, const double *b, size_t n)
{
    return nms__dot(a, b, n);
}

/* f at the 2:4 projection of z = x - eta g (see recon_internal.h); also
 * returns the projected support in keep_out. */
static double projected_value(const double *hd, size_t cols, const double *x,
                              const double *g, const double *hg, double f,
                              double gg, double ghg, double eta,
                              unsigned char *keep_out, double *zbuf,
                              size_t *pruned)
{
    double score[4];
    for (size_t j = 0; j < cols; j++)
        zbuf[j] = x[j] - eta * g[j];
    size_t np = 0;
    double t = 0.0;
    for (size_t gs = 0; gs < cols; gs += 4) {
        for (size_t k = 0; k < 4; k++)
            score[k] = fabs(zbuf[gs + k]);
        nms__top2_mask(score, 4, keep_out + gs);
        for (size_t k = 0; k < 4; k++) {
            size_t j = gs + k;
            if (!keep_out[j] && zbuf[j] != 0.0) {
                pruned[np++] = j;
                t += zbuf[j] * (0.5 * g[j] - eta * hg[j]);
            }
        }
    }
    double q = 0.0;
    for (size_t a = 0; a < np; a++) {
        const double *ha = hd + pruned[a] * cols;
        double s = 0.0;
        for (size_t b = 0; b < np; b++)
            s += ha[pruned[b]] * zbuf[pruned[b]];
        q += zbuf[pruned[a]] * s;
    }
    double fz = f - eta * gg + eta * eta * ghg;
    return fz - 2.0 * t + q;
}

int nms__gram_rows_iht(const double *hd, size_t cols, size_t rb,
                       const double *w, double *x, unsigned char *keep,
                       int iters, double *work)
{
    double *d = work;                  /* rb x C: x - w                  */
    double *hdd = work + rb * cols;    /* rb x C: Hd (x - w)             */
    double *g = work + 2 * rb * cols;  /* rb x C: gradient 2 Hd (x - w)  */
    double *hg = work + 3 * rb * cols; /* rb x C: Hd g                   */
    double *z = nms__malloc_array(cols, sizeof *z);
    size_t *pruned = nms__malloc_array(cols, sizeof *pruned);
    unsigned char *ktry = nms__malloc(cols + rb);
    unsigned char *kbest = nms__malloc(cols);
    int steps = 0;
    if (!z || !pruned || !ktry || !kbest) {
        steps = -1;
        goto done;
    }
    unsigned char *active = ktry + cols;
    memset(active, 1, rb);
    for (int it = 0; it < iters; it++) {
        for (size_t i = 0; i < rb * cols; i++)
            d[i] = x[i] - w[i];
        nms__rows_times_sym(d, rb, cols, hd, hdd);
        for (size_t i = 0; i < rb * cols; i++)
            g[i] = 2.0 * hdd[i];
        nms__rows_times_sym(g, rb, cols, hd, hg);
        int moved = 0;
        for (size_t r = 0; r < rb; r++) {
            if (!active[r])
                continue;
            size_t o = r * cols;
            double f = dot(d + o, hdd + o, cols);
            double gg = dot(g + o, g + o, cols);
            double ghg = dot(g + o, hg + o, cols);
            if (!(gg > 0.0) || !(ghg > 0.0)) {
                active[r] = 0;
                continue;
            }
            double eta0 = gg / (2.0 * ghg);
            double best = f, best_eta = 0.0;
            for (int k = 0; k < 4; k++) {
                double eta = eta0 * ldexp(1.0, 2 * k);
                double v = projected_value(hd, cols, x + o, g + o, hg + o, f,
                                           gg, ghg, eta, ktry, z, pruned);
                /* demand a relative decrease so rounding cannot cycle */
                if (v < best - 1e-12 * f) {
                    best = v;
                    best_eta = eta;
                    memcpy(kbest, ktry, cols);
                }
            }
            if (best_eta == 0.0) {
                active[r] = 0;
                continue;
            }
            for (size_t j = 0; j < cols; j++)
                x[o + j] = kbest[j] ? x[o + j] - best_eta * g[o + j] : 0.0;
            memcpy(keep + o, kbest, cols);
            moved = 1;
        }
        if (!moved)
            break;
        steps++;
    }
done:
    nms__free(z);
    nms__free(pruned);
    nms__free(ktry);
    nms__free(kbest);
    return steps;
}

/*
 * Exact swap local search on one row (see recon_internal.h).  Notation: S
 * kept columns (slot i holds column sidx[i]), P pruned columns (slot j holds
 * pidx[j]), m = |S|, q = |P|.  Invariants, for the current optimum x on S:
 *   K = Hd_SS^{-1}            (m x m)
 *   Y = K Hd_SP               (m x q)
 *   r = Hd (x - w)            (zero on S; kept for P)
 * Swap "prune a (slot i), keep b (slot j)", both in one group:
 *   v = Y[:, j], s = Hd_bb - Hd_bS v         (Schur complement of b)
 *   freeing b: delta = -r_b / s, f drops by r_b^2 / s,
 *              x_S -= v delta, x_b = delta,   K+ = [[K + v v^T/s, -v/s], [., 1/s]]
 *   fixing a:  f rises by x+_a^2 / K+_aa, x -= K+[:, a] x+_a / K+_aa,
 *              K' = K+ - K+[:, a] K+[a, :] / K+_aa  (a removed)
 * so the change of f is exact: -r_b^2/s + (x_a + v_i r_b/s)^2 / (K_ii + v_i^2/s).
 * Each pass takes the best strictly improving swap of the whole row.
 */
static int swap_eval_and_apply(const double *hd, size_t C, const double *w, double *x, unsigned char *keep,
                               size_t m, size_t q, size_t *sidx, size_t *pidx, size_t *slot_of, double *K,
                               double *Y, double *r, double *buf, double f, double *change)
{
    /* candidates: for every pruned b (slot j) the kept a in its group */
    double best = -1e-12 * f;
    size_t bi = 0, bj = 0;
    int found = 0;
    /* Schur complements s_j = Hd_bb - Hd_bS Y[:, j], accumulated row by row
     * of Y (contiguous) into the scratch buffer */
    double *sv = buf;
    for (size_t j = 0; j < q; j++)
        sv[j] = hd[pidx[j] * C + pidx[j]];
    for (size_t p = 0; p < m; p++) {
        const double *hp = hd + sidx[p] * C, *yp = Y + p * q;
        for (size_t j = 0; j < q; j++)
            sv[j] -= hp[pidx[j]] * yp[j];
    }
    for (size_t j = 0; j < q; j++) {
        size_t b = pidx[j];
        double rb = r[b];
        if (rb == 0.0)
            continue;
        double s = sv[j];
        if (!(s > 0.0))
            continue;
        size_t g0 = b - b % 4;
        for (size_t a = g0; a < g0 + 4; a++) {
            if (!keep[a])
                continue;
            size_t i = slot_of[a];
            double vi = Y[i * q + j];
            double xa = x[a] + vi * rb / s;
            double kaa = K[i * m + i] + vi * vi / s;
            double delta = -rb * rb / s + xa * xa / kaa;
            if (delta < best) {
                best = delta;
                bi = i;
                bj = j;
                found = 1;
            }
        }
    }
    if (!found)
        return 0;
    *change = best;
    size_t a = sidx[bi], b = pidx[bj];
    double *v = buf, *k = buf + m, *u = buf + 2 * m, *ya = buf + 2 * m + q; /* m, m, q, q */
    double *hsa = buf + 2 * m + 2 * q; /* m */
    for (size_t p = 0; p < m; p++)
        v[p] = Y[p * q + bj];
    const double *hb = hd + b * C;
    double s = hb[b];
    for (size_t p = 0; p < m; p++)
        s -= hb[sidx[p]] * v[p];
    double rb = r[b], delta = -rb / s;
    /* x+ (b freed) */
    for (size_t p = 0; p < m; p++)
        x[sidx[p]] -= v[p] * delta;
    double xb = delta;
    /* k = K+[:, a] over S slots (slot bi = a itself) and kb = K+[b, a] */
    double vi = v[bi];
    for (size_t p = 0; p < m; p++)
        k[p] = K[p * m + bi] + v[p] * vi / s;
    double kb = -vi / s, kaa = k[bi];
    /* u = v^T Hd_SP - Hd_bP (over P slots) */
    for (size_t t = 0; t < q; t++)
        u[t] = -hb[pidx[t]];
    for (size_t p = 0; p < m; p++) {
        const double *hp = hd + sidx[p] * C;
        double vp = v[p];
        for (size_t t = 0; t < q; t++)
            u[t] += vp * hp[pidx[t]];
    }
    /* Y+ rows: Y_S + v u / s, row b: -u / s.  Then Y' = Y+ - k Y+_a / kaa.
     * ya = Y+ row a (slot bi). */
    for (size_t t = 0; t < q; t++)
        ya[t] = Y[bi * q + t] + vi * u[t] / s;
    for (size_t p = 0; p < m; p++) {
        if (p == bi)
            continue;
        double *yp = Y + p * q;
        nms__axpy(yp, v[p] / s, u, q);
        nms__axpy(yp, -k[p] / kaa, ya, q);
    }
    {
        double *yp = Y + bi * q; /* slot bi now holds b */
        double dp = kb / kaa;
        for (size_t t = 0; t < q; t++)
            yp[t] = -u[t] / s - dp * ya[t];
    }
    /* K' (slot bi = b) */
    for (size_t p = 0; p < m; p++) {
        if (p == bi)
            continue;
        double *kp = K + p * m;
        double dp = k[p] / kaa;
        nms__axpy(kp, v[p] / s, v, m);
        nms__axpy(kp, -dp, k, m); /* entry bi is overwritten below */
        kp[bi] = -v[p] / s - dp * kb;
    }
    for (size_t t = 0; t < m; t++)
        if (t != bi)
            K[bi * m + t] = K[t * m + bi];
    K[bi * m + bi] = 1.0 / s - kb * kb / kaa;
    /* x' = x+ - K+[:, a] x+_a / kaa; a leaves */
    double xa = x[a], ratio = xa / kaa;
    for (size_t p = 0; p < m; p++)
        if (p != bi)
            x[sidx[p]] -= k[p] * ratio;
    xb -= kb * ratio;
    x[a] = 0.0;
    x[b] = xb;
    keep[a] = 0;
    keep[b] = 1;
    sidx[bi] = b;
    pidx[bj] = a;
    slot_of[b] = bi;
    slot_of[a] = bj;
    /* new column of Y for a (slot bj): K' Hd_{S', a} */
    for (size_t p = 0; p < m; p++)
        hsa[p] = hd[a * C + sidx[p]];
    for (size_t p = 0; p < m; p++)
        Y[p * q + bj] = nms__dot(K + p * m, hsa, m);
    /* r on P: d = x - w into the (now free) v/k scratch, then rows of Hd */
    double *d = buf;
    for (size_t j = 0; j < C; j++)
        d[j] = x[j] - w[j];
    for (size_t t = 0; t < q; t++)
        r[pidx[t]] = nms__dot(hd + pidx[t] * C, d, C);
    return 1;
}

int nms__gram_row_swap_search(const double *hd, size_t cols, const double *w, double *x, unsigned char *keep,
                              int max_swaps)
{
    size_t C = cols, m = 0;
    for (size_t j = 0; j < C; j++)
        m += keep[j] != 0;
    size_t q = C - m;
    if (m == 0 || q == 0 || max_swaps <= 0)
        return 0;
    double *K = nms__malloc_array(m * m + m * q + C + 2 * m + 2 * q + m, sizeof *K);
    size_t *idx = nms__malloc_array(2 * C, sizeof *idx);
    double *x0 = nms__malloc_array(C, sizeof *x0);
    unsigned char *keep0 = nms__malloc(C);
    int swaps = 0;
    if (!K || !idx || !x0 || !keep0) {
        swaps = -1;
        goto done;
    }
    double *Y = K + m * m, *r = Y + m * q, *buf = r + C;
    size_t *sidx = idx, *pidx = idx + m, *slot_of = idx + C;
    memcpy(x0, x, C * sizeof *x0);
    memcpy(keep0, keep, C);
    size_t ns = 0, np = 0;
    for (size_t j = 0; j < C; j++) {
        if (keep[j]) {
            slot_of[j] = ns;
            sidx[ns++] = j;
        } else {
            slot_of[j] = np;
            pidx[np++] = j;
        }
    }
    /* K = Hd_SS^{-1}: factor into Y's space first (m*q >= m*m is not
     * guaranteed, so use a separate pass through the inverse routine). */
    double *tmp = nms__malloc_array(m * m, sizeof *tmp);
    if (!tmp) {
        swaps = -1;
        goto done;
    }
    for (size_t p = 0; p < m; p++)
        for (size_t t = 0; t < m; t++)
            tmp[p * m + t] = hd[sidx[p] * C + sidx[t]];
    if (nms__spd_inverse(tmp, m, K)) {
        nms__free(tmp);
        goto done; /* not positive definite: leave x as it is */
    }
    nms__free(tmp);
    /* Y = K Hd_SP, with Hd_SP gathered contiguously first (the product is
     * then a sequence of vectorisable row updates) */
    double *hsp = nms__malloc_array(m * q, sizeof *hsp);
    if (!hsp) {
        swaps = -1;
        goto done;
    }
    for (size_t t = 0; t < m; t++) {
        const double *ht = hd + sidx[t] * C;
        for (size_t j = 0; j < q; j++)
            hsp[t * q + j] = ht[pidx[j]];
    }
    for (size_t p = 0; p < m; p++) {
        double *yp = Y + p * q;
        memset(yp, 0, q * sizeof *yp);
        const double *kp = K + p * m;
        for (size_t t = 0; t < m; t++)
            nms__axpy(yp, kp[t], hsp + t * q, q);
    }
    nms__free(hsp);
    for (size_t t = 0; t < q; t++) {
        size_t c = pidx[t];
        const double *hc = hd + c * C;
        double acc = 0.0;
        for (size_t j = 0; j < C; j++)
            acc += hc[j] * (x[j] - w[j]);
        r[c] = acc;
    }
    double f0 = nms__gram_row_quad(hd, C, w, x), f = f0, change;
    while (swaps < max_swaps) {
        if (!swap_eval_and_apply(hd, C, w, x, keep, m, q, sidx, pidx, slot_of, K, Y, r, buf, f, &change))
            break;
        f += change; /* tracked for the stopping threshold only */
        swaps++;
    }
    /* rounding drift in K and Y is removed by the caller's final backsolve;
     * never return something worse than the start */
    if (nms__gram_row_quad(hd, C, w, x) > f0) {
        memcpy(x, x0, C * sizeof *x);
        memcpy(keep, keep0, C);
        swaps = 0;
    }
done:
    nms__free(K);
    nms__free(idx);
    nms__free(x0);
    nms__free(keep0);
    return swaps;
}
