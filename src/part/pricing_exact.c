/*
 * pricing_exact.c - exact enumeration of 4-channel groups by reduced cost.
 *
 * Channels are taken in the order ord (decreasing column sum, see
 * pview_init).  Every group is reached once: (i, j) are its first two
 * channels in that order, its two strongest (the parallel loop), {k, l}
 * two of the channels after j, visited in the order of
 *
 *     h_k = sum_r max(0, S[r,k] - min(S[r,i], S[r,j])) - pi_k
 *         = v({i,j,k}) - v({i,j}) - pi_k,
 *
 * descending.  By submodularity (part.h, (1)) rc({i,j,k,l}) <= rc({i,j}) +
 * h_k + h_l and rc({i,j,k,l}) <= rc({i,j,k}) + h_l, so sorted h lets whole
 * ranges be skipped.  With a >= b the two largest of the fixed three in a
 * row, adding l costs one max and one add: top2 = a + max(b, S[r,l]).
 *
 * A partial pass (req->parts > 1) takes only the root pairs at positions
 * a < b with (a + b) % parts == part: the parts split the groups, so their
 * lists together are the complete list, but one alone bounds nothing; its
 * chan_ub bounds the rc of its own groups (master.c combines the parts).
 *
 * Before a fourth channel's rows are summed, bounds from the scores in
 * 8-bit and then 16-bit integers (hinge_b, hinge_q in price_kernels.h) cut
 * most of them.  This file is
 * compiled once per instruction set (src/part/local.mk), each time under
 * its own name; pricing_dispatch.c calls the one the CPU runs.
 *
 * Determinism: a group's reported v and rc are recomputed canonically
 * (nms__pp_group_value, nms__pi_sum4); pruning only drops groups that are
 * provably (with a rounding margin) outside the requested set, and the
 * merge sorts by (rc desc, group asc).  So the result is the same for any
 * thread count, schedule and instruction set.
 *
 * Work arrays: C * Rq 16-bit integers and C * Rb bytes (the scores), and
 * per thread 3 * Rp + C doubles, Rq 16-bit integers, Rb bytes, C ints.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/part.h"
#include "part/price_kernels.h"
#include "util/util.h"

#ifndef PRICE_EXACT_NAME /* the build of the portable variant */
#define PRICE_EXACT_NAME nms__price_exact_portable
#endif

typedef struct hk {
    double h;
    int32_t k;
} hk;

static int hk_cmp(const void *pa, const void *pb)
{
    const hk *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h > b->h ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

/* Indices 0..n-1 by decreasing key (ties: lower index first). */
static int order_desc(const double *key, size_t n, int32_t *ord)
{
    hk *t = nms__malloc_array(n, sizeof *t);
    if (!t)
        return -1;
    for (size_t q = 0; q < n; q++) {
        t[q].h = key[q];
        t[q].k = (int32_t)q;
    }
    qsort(t, n, sizeof *t, hk_cmp);
    for (size_t q = 0; q < n; q++)
        ord[q] = t[q].k;
    nms__free(t);
    return 0;
}

/* The enumeration's view of the scores.
 *   ord: the channels by decreasing column sum, so that the root pair
 *        {i, j} of a group is its two strongest channels and the bounds
 *        h_k = sum max(0, x_k - min(x_i, x_j)) are tight (on 128 x 512, a
 *        round 2.5 times faster than in index order);
 *   xq:  the scores in 16-bit integers rounded up, xq = ceil(x * sc)
 *        (C x Rq, Rq = Rp rounded up to 32, padding 0), sc the power of
 *        two with 2^14 <= sc max(x) < 2^15 (scaling by it is exact; half
 *        that when ceil(sc max(x)) would be 2^15), for
 *        the bound of hinge_q (price_kernels.h);
 *   xb, ex: the scores in 8 bits for the cheaper first test of hinge_b
 *        (price_kernels.h): xb = min(255, ceil(sc8 x)) (C x Rb, Rb = Rp
 *        rounded up to 64, padding 0) and each channel's excess
 *        ex = sum_r max(0, ceil(sc8 x) - 255), sc8 the power of two with
 *        255 / sc8 in [T, 2T) for T = four times the mean positive score
 *        (a cap near the top percent of the scores: a finer grid for the
 *        rest, and a small excess); NULL when Rb is not less than the
 *        bytes of a 16-bit row (few rows: no saving). */
typedef struct pview {
    int32_t *ord;
    uint16_t *xq;
    size_t Rq;
    double sc;
    uint8_t *xb;
    uint64_t *ex;
    size_t Rb;
    double sc8;
} pview;

static void pview_free(pview *v)
{
    nms__free(v->ord);
    nms__free(v->xq);
    nms__free(v->xb);
    nms__free(v->ex);
}

/* The 8-bit view of pview (xb, ex, sc8); -1 when out of memory. */
static int pview_init_bytes(const nms__pp *p, pview *v)
{
    const size_t C = p->C, Rp = p->Rp, Rb = (Rp + 63) / 64 * 64;
    v->Rb = Rb;
    if (Rb >= 2 * v->Rq)
        return 0;
    double sum = 0.0;
    size_t npos = 0;
    for (size_t q = 0; q < C * Rp; q++)
        if (p->x[q] > 0.0) {
            sum += p->x[q];
            npos++;
        }
    if (!npos)
        return 0;
    double y = 255.0 / (4.0 * sum / (double)npos);
    if (!(y < 0x1p1000)) /* scores near the underflow limit: no byte view */
        return 0;
    v->sc8 = ldexp(1.0, ilogb(y));
    v->xb = nms__calloc(C * Rb, sizeof *v->xb);
    v->ex = nms__calloc(C, sizeof *v->ex);
    if (!v->xb || !v->ex)
        return -1;
    for (size_t c = 0; c < C; c++)
        for (size_t r = 0; r < Rp; r++) {
            double xc = ceil(p->x[c * Rp + r] * v->sc8); /* exact: sc8 a power of two */
            v->xb[c * Rb + r] = (uint8_t)(xc > 255.0 ? 255.0 : xc);
            if (xc > 255.0)
                v->ex[c] += (uint64_t)(xc - 255.0);
        }
    return 0;
}

static int pview_init(const nms__pp *p, pview *v)
{
    const size_t C = p->C, Rp = p->Rp, Rq = (Rp + 31) / 32 * 32;
    memset(v, 0, sizeof *v);
    v->Rq = Rq;
    v->ord = nms__malloc_array(C, sizeof *v->ord);
    v->xq = nms__calloc(C * Rq, sizeof *v->xq);
    double *key = nms__malloc_array(C, sizeof *key);
    int st = !v->ord || !v->xq || !key;
    double xmax = 0.0;
    if (!st) {
        for (size_t c = 0; c < C; c++) {
            key[c] = 0.0;
            for (size_t r = 0; r < Rp; r++) {
                key[c] += p->x[c * Rp + r];
                if (p->x[c * Rp + r] > xmax)
                    xmax = p->x[c * Rp + r];
            }
        }
        st = order_desc(key, C, v->ord);
    }
    if (!st) {
        /* 2^14 <= sc xmax < 2^15, halved when ceil(sc xmax) would reach
         * 2^15 (hinge_q's madd is signed) */
        v->sc = xmax > 0.0 ? ldexp(1.0, 14 - ilogb(xmax)) : 1.0;
        if (ceil(xmax * v->sc) > 32767.0)
            v->sc *= 0.5;
        for (size_t c = 0; c < C; c++)
            for (size_t r = 0; r < Rp; r++)
                v->xq[c * Rq + r] = (uint16_t)ceil(p->x[c * Rp + r] * v->sc);
        st = pview_init_bytes(p, v);
    }
    nms__free(key);
    if (st) {
        pview_free(v);
        return -1;
    }
    return 0;
}

/* Collect mode: count a group of reduced cost rc at every level it clears
 * and raise the shared *level while its count is over the cap.  Returns 1
 * when the group is above the level (keep it), 0 when below, -1 when even
 * the last level holds more than cap groups. */
static int count_and_raise(double rc, const double *lev, size_t *count, int nl, size_t cap,
                           volatile int *level)
{
    int L = *level;
    if (!(rc > lev[L]))
        return 0;
    for (int m = L; m < nl && rc > lev[m]; m++) {
#ifdef _OPENMP
#pragma omp atomic update
#endif
        count[m]++;
    }
    size_t c;
#ifdef _OPENMP
#pragma omp atomic read
#endif
    c = count[L];
    if (c <= cap)
        return 1;
    int over = 0;
#ifdef _OPENMP
#pragma omp critical(nms_price_level)
#endif
    for (;;) {
#ifdef _OPENMP
#pragma omp atomic read
#endif
        c = count[*level];
        if (c <= cap)
            break;
        if (*level == nl - 1) {
            over = 1;
            break;
        }
        *level = *level + 1;
    }
    return over ? -1 : rc > lev[*level];
}

typedef struct tbuf {
    nms__col *c;
    size_t n, cap;
} tbuf;

/* top-k insert: keep c[0..n) sorted by nms__col_cmp, n <= k. */
static void topk_insert(tbuf *t, size_t k, const nms__col *x)
{
    if (t->n == k && nms__col_cmp(x, &t->c[k - 1]) >= 0)
        return;
    size_t pos = t->n < k ? t->n : k - 1;
    while (pos > 0 && nms__col_cmp(x, &t->c[pos - 1]) < 0) {
        t->c[pos] = t->c[pos - 1];
        pos--;
    }
    t->c[pos] = *x;
    if (t->n < k)
        t->n++;
}

static int list_push(tbuf *t, const nms__col *x)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 256;
        nms__col *q = nms__realloc_array(t->c, nc, sizeof *q);
        if (!q)
            return -1;
        t->c = q;
        t->cap = nc;
    }
    t->c[t->n++] = *x;
    return 0;
}

int PRICE_EXACT_NAME(const nms__pp *p, const nms__price_req *req, nms__price_res *res, nms_error *err)
{
    const size_t C = p->C, Rp = p->Rp;
    const double *pi = req->pi;
    memset(res, 0, sizeof *res);
    if (C < 4 || C % 4)
        return nms__fail(err, NMS_ERR_SHAPE, "pricing needs a multiple of 4 columns, not %zu", C);
    size_t K = req->collect_all ? 0 : (req->k ? req->k : 1);
    double pimax = 0.0;
    for (size_t i = 0; pi && i < C; i++)
        if (fabs(pi[i]) > pimax)
            pimax = fabs(pi[i]);
    /* Rounding margin: bounds are computed with other summation orders. */
    const double eps = 1e-10 * (p->vscale + 4.0 * pimax);
    const double thr = req->thr;
    /* Threshold levels of the collect mode (part.h); level only rises.
     * Without room to raise (rc_top <= thr, or top-k mode) the one level
     * is thr and passing the cap stops the search. */
    const int NL = req->collect_all && req->rc_top > thr ? NMS__PRICE_LEVELS : 1;
    double lev[NMS__PRICE_LEVELS];
    size_t count[NMS__PRICE_LEVELS];
    for (int m = 0; m < NL; m++) {
        lev[m] = nms__price_level(req->rc_top, thr, m);
        count[m] = 0;
    }
    lev[0] = thr;
    volatile int level = 0;

#ifdef _OPENMP
    const int nthreads = req->threads > 0 ? req->threads : omp_get_max_threads();
#endif
    const long npairs = (long)(C * C);
    volatile int stop = 0, failed = 0;
    tbuf merged = {0, 0, 0};
    /* Per-channel maxima of the rc of the groups evaluated exactly; every
     * other group is below the final threshold (see the end). */
    double *chan_max = req->chan_ub;
    for (size_t i = 0; chan_max && i < C; i++)
        chan_max[i] = -HUGE_VAL;
    pview view;
    if (pview_init(p, &view))
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in exact pricing (C = %zu)", C);
    const int32_t *ord = view.ord;
    const size_t Rq = view.Rq;

#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
#endif
    {
        /* p1, p2: the pair's larger / smaller score per row; b: the
         * triple's second largest */
        double *p1 = nms__malloc_array(3 * Rp, sizeof(double));
        hk *h = nms__malloc_array(C, sizeof *h);
        uint16_t *bq = nms__calloc(Rq, sizeof *bq); /* the triple's b as xq, rounded down */
        uint8_t *bb = view.xb ? nms__calloc(view.Rb, sizeof *bb) : NULL; /* ... as xb */
        double *cmax = chan_max ? nms__malloc_array(C, sizeof *cmax) : NULL;
        for (size_t i = 0; cmax && i < C; i++)
            cmax[i] = -HUGE_VAL;
        tbuf loc = {0, 0, 0};
        if (K) {
            loc.c = nms__malloc_array(K, sizeof *loc.c);
            loc.cap = K;
        }
        if (!p1 || !h || !bq || (view.xb && !bb) || (K && !loc.c) || (chan_max && !cmax))
            failed = 1;
        double *p2 = p1 ? p1 + Rp : NULL, *b = p1 ? p1 + 2 * Rp : NULL;
        long checks = 0;
        int mylevel = 0; /* the level loc was last filtered at */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 8)
#endif
        for (long t = 0; t < npairs; t++) {
            size_t pa = (size_t)t / C, pb = (size_t)t % C; /* positions in ord */
            if (pb <= pa || pb + 2 >= C || failed || stop)
                continue;
            if (req->parts > 1 && (pa + pb) % (size_t)req->parts != (size_t)req->part)
                continue;
            const size_t i = (size_t)ord[pa], j = (size_t)ord[pb];
            if (level != mylevel) { /* drop what the raised level excludes */
                mylevel = level;
                size_t keep = 0;
                for (size_t q = 0; q < loc.n; q++)
                    if (loc.c[q].rc > lev[mylevel])
                        loc.c[keep++] = loc.c[q];
                loc.n = keep;
            }
            if (req->forbid && req->forbid[i * C + j])
                continue;
            if (nms__ctl_stop(&req->ctl))
                stop = 1;
            const double *xi = p->x + i * Rp, *xj = p->x + j * Rp;
            double v2 = 0.0;
            for (size_t r = 0; r < Rp; r++) {
                double hi = xi[r] > xj[r] ? xi[r] : xj[r];
                double lo = xi[r] > xj[r] ? xj[r] : xi[r];
                p1[r] = hi;
                p2[r] = lo;
                v2 += hi + lo;
            }
            double rc2 = v2 - (pi ? pi[i] + pi[j] : 0.0);
            size_t nc = 0;
            double hmax = -HUGE_VAL;
            for (size_t pk = pb + 1; pk < C; pk++) {
                size_t k = (size_t)ord[pk];
                if (req->forbid && (req->forbid[i * C + k] || req->forbid[j * C + k]))
                    continue;
                h[nc].h = hinge_sum(p->x + k * Rp, p2, Rp) - (pi ? pi[k] : 0.0);
                h[nc].k = (int32_t)k;
                if (h[nc].h > hmax)
                    hmax = h[nc].h;
                nc++;
            }
            double thr_eff = lev[level];
            if (K && loc.n == K && loc.c[K - 1].rc > thr_eff)
                thr_eff = loc.c[K - 1].rc;
            /* Only a k with rc2 + h_k + hmax >= thr_eff can be in a group
             * the loops below reach (both break on that sum): sort those. */
            const double hcut = thr_eff - 2.0 * eps - rc2 - hmax;
            size_t nkeep = 0;
            for (size_t q = 0; q < nc; q++)
                if (h[q].h >= hcut)
                    h[nkeep++] = h[q];
            nc = nkeep;
            if (nc < 2)
                continue;
            qsort(h, nc, sizeof *h, hk_cmp);
            if (rc2 + h[0].h + h[1].h < thr_eff - eps)
                continue;
            for (size_t q1 = 0; q1 + 1 < nc; q1++) {
                if (rc2 + h[q1].h + h[q1 + 1].h < thr_eff - eps)
                    break;
                /* a pair's triples can take seconds (large C, a low threshold) */
                if ((++checks & 255) == 0 && nms__ctl_stop(&req->ctl)) {
                    stop = 1;
                    break;
                }
                size_t k = (size_t)h[q1].k;
                double A, Bsum;
                triple_rows(p1, p2, p->x + k * Rp, Rp, b, &A, &Bsum);
                /* floor: b sc >= 0 is exact (sc, sc8 powers of two) */
                quantize_b(b, Rp, view.sc, bq, view.sc8, bb);
                double rc3 = (A + Bsum) - (pi ? pi[i] + pi[j] + pi[k] : 0.0);
                double base = A - (pi ? pi[i] + pi[j] + pi[k] : 0.0);
                for (size_t q2 = q1 + 1; q2 < nc; q2++) {
                    if (rc3 + h[q2].h < thr_eff - eps)
                        break;
                    size_t l = (size_t)h[q2].k;
                    if (req->forbid && req->forbid[k * C + l])
                        continue;
                    const double lim = thr_eff - eps - base + (pi ? pi[l] : 0.0);
                    /* max(0, x - b) <= max(0, xq - bq) / sc row by row; the
                     * test Bsum + hq / sc < lim, with the exact product by
                     * the power of two sc instead of a division; first the
                     * same in 8 bits (hinge_b, with the channel's excess) */
                    if (bb && (double)(hinge_b(view.xb + l * view.Rb, bb, view.Rb) + view.ex[l]) <
                                  (lim - Bsum) * view.sc8)
                        continue;
                    if ((double)hinge_q(view.xq + l * Rq, bq, Rq) < (lim - Bsum) * view.sc)
                        continue;
                    double rcf = base + max_sum(b, p->x + l * Rp, Rp) - (pi ? pi[l] : 0.0);
                    if (rcf < thr_eff - eps)
                        continue;
                    nms__col col;
                    col.g[0] = (int32_t)i;
                    col.g[1] = (int32_t)j;
                    col.g[2] = (int32_t)k;
                    col.g[3] = (int32_t)l;
                    nms__sort4(col.g);
                    col.v = nms__pp_group_value(p, col.g);
                    col.rc = col.v - nms__pi_sum4(pi, col.g);
                    for (int q = 0; cmax && q < 4; q++)
                        if (col.rc > cmax[col.g[q]])
                            cmax[col.g[q]] = col.rc;
                    if (!(col.rc > thr))
                        continue;
                    if (K) {
                        topk_insert(&loc, K, &col);
                        if (loc.n == K && loc.c[K - 1].rc > thr_eff)
                            thr_eff = loc.c[K - 1].rc;
                    } else {
                        int c = count_and_raise(col.rc, lev, count, NL, req->cap, &level);
                        if (c < 0) {
                            stop = 1;
                            break;
                        }
                        if (c == 0)
                            continue;
                        if (lev[level] > thr_eff)
                            thr_eff = lev[level];
                        if (list_push(&loc, &col)) {
                            failed = 1;
                            break;
                        }
                    }
                }
            }
        }
#ifdef _OPENMP
#pragma omp critical(nms_price_merge)
#endif
        {
            for (size_t q = 0; q < loc.n && !failed; q++)
                if (loc.c[q].rc > lev[level] && list_push(&merged, &loc.c[q]))
                    failed = 1;
            for (size_t i = 0; cmax && i < C; i++)
                if (cmax[i] > chan_max[i])
                    chan_max[i] = cmax[i];
        }
        nms__free(cmax);
        nms__free(loc.c);
        nms__free(h);
        nms__free(bq);
        nms__free(bb);
        nms__free(p1);
    }
    pview_free(&view);
    if (failed) {
        nms__free(merged.c);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in exact pricing (C = %zu)", C);
    }
    if (stop) { /* an incomplete list is no use to anyone: do not sort millions */
        merged.n = 0;
    }
    nms__col_sort(merged.c, merged.n, req->threads);
    /* Every group not evaluated exactly was pruned below some thread's
     * running threshold: the level (collect mode) or that thread's k-th best
     * rc (top-k mode), which is at most the k-th best of the merged lists. */
    double t_final = lev[level];
    if (K && merged.n >= K && merged.c[K - 1].rc > t_final)
        t_final = merged.c[K - 1].rc;
    for (size_t i = 0; chan_max && i < C; i++)
        chan_max[i] = (chan_max[i] > t_final ? chan_max[i] : t_final) + eps;
    if (K && merged.n > K)
        merged.n = K;
    res->cols = merged.c;
    res->n = merged.n;
    res->complete = !stop;
    res->cap_exceeded = count[level] > req->cap;
    res->thr_used = lev[level];
    res->max_rc_ub = res->thr_used;
    if (merged.n && merged.c[0].rc > res->thr_used)
        res->max_rc_ub = merged.c[0].rc;
    res->rest_ub = t_final + eps;
    if (!res->complete || req->parts > 1)
        res->max_rc_ub = res->rest_ub = HUGE_VAL;
    if (res->max_rc_ub < HUGE_VAL)
        res->max_rc_ub += eps;
    return NMS_OK;
}
