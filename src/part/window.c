/*
 * window.c - window re-optimisation: the best re-partition of the channels
 * of k groups (a window, at most 4 groups = 16 channels), found exactly by
 * dynamic programming over the window's channel subsets:
 *
 *     f(0) = 0,
 *     f(M) = max over 4-subsets T of M that contain the lowest channel of M
 *            of  v(T) + f(M \ T),
 *
 * for the masks M with |M| a multiple of 4.  Every partition of M is
 * reached exactly once (the group of the lowest channel is chosen first),
 * so f(full window) is the window's optimum and the chain of choices its
 * partition.  The rest of the partition is untouched, so the total can
 * only rise.
 *
 * Windows: each pass shuffles the groups with a generator seeded by `seed`
 * and cuts the order into consecutive windows of k.  Windows of one pass
 * are disjoint, hence independent: they run in parallel and the result does
 * not depend on the thread count.  A window's new groups replace the old
 * only when their value (canonical nms__pp_group_value, summed in window
 * order) is higher by more than a relative 1e-12.  The search ends after
 * three passes in a row that raised the total by less than a relative 1e-9,
 * or when ctl says stop.
 *
 * Work per window of 16 channels: C(16,4) = 1820 group values, O(R) each,
 * and about 0.8 M steps of the recursion.  Memory per thread: 2^16 doubles
 * and 2^16 16-bit choices.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/part.h"
#include "util/util.h"

enum { WIN_MAX_GROUPS = 4, WIN_MAX_CH = 4 * WIN_MAX_GROUPS };

typedef struct winbuf {
    double *f;        /* 2^16: group values (|M| = 4) and f(M) */
    uint16_t *choice; /* 2^16: the group T chosen for M */
} winbuf;

static int popcount16(unsigned m)
{
    int c = 0;
    for (; m; m &= m - 1)
        c++;
    return c;
}

/* Re-partition the channels of groups grp[0..ng) of perm optimally;
 * returns 1 when perm changed. */
static int solve_window(const nms__pp *p, int32_t *perm, const size_t *grp, int ng, winbuf *w)
{
    int n = 4 * ng;
    int32_t ch[WIN_MAX_CH];
    double old = 0.0;
    for (int a = 0; a < ng; a++) {
        memcpy(ch + 4 * a, perm + 4 * grp[a], 4 * sizeof *ch);
        old += nms__pp_group_value(p, perm + 4 * grp[a]);
    }
    unsigned full = (1u << n) - 1;
    /* values of all 4-subsets */
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            for (int c = b + 1; c < n; c++)
                for (int d = c + 1; d < n; d++) {
                    int32_t g[4] = {ch[a], ch[b], ch[c], ch[d]};
                    unsigned t = (1u << a) | (1u << b) | (1u << c) | (1u << d);
                    nms__sort4(g);
                    w->f[t] = nms__pp_group_value(p, g);
                    w->choice[t] = (uint16_t)t; /* a group of 4 is its own choice */
                }
    /* f over masks of 8, 12, 16 channels (masks of 4 are done above) */
    for (unsigned m = 1; m <= full; m++) {
        int pc = popcount16(m);
        if (pc % 4 || pc == 4)
            continue;
        unsigned low = m & (~m + 1), rest = m ^ low;
        int bits[WIN_MAX_CH], nb = 0;
        for (int q = 0; q < n; q++)
            if (rest >> q & 1u)
                bits[nb++] = q;
        double best = -HUGE_VAL;
        uint16_t bc = 0;
        for (int a = 0; a < nb; a++)
            for (int b = a + 1; b < nb; b++)
                for (int c = b + 1; c < nb; c++) {
                    unsigned t = low | 1u << bits[a] | 1u << bits[b] | 1u << bits[c];
                    double v = w->f[t] + w->f[m ^ t];
                    if (v > best) {
                        best = v;
                        bc = (uint16_t)t;
                    }
                }
        w->f[m] = best;
        w->choice[m] = bc;
    }
    /* the chain of choices, in window order */
    int32_t out[WIN_MAX_CH];
    double nv = 0.0;
    unsigned m = full;
    for (int a = 0; a < ng; a++) {
        unsigned t = w->choice[m];
        int k = 0;
        for (int q = 0; q < n; q++)
            if (t >> q & 1u)
                out[4 * a + k++] = ch[q];
        nms__sort4(out + 4 * a);
        nv += nms__pp_group_value(p, out + 4 * a);
        m ^= t;
    }
    if (!(nv > old + 1e-12 * fabs(old)))
        return 0;
    for (int a = 0; a < ng; a++)
        memcpy(perm + 4 * grp[a], out + 4 * a, 4 * sizeof *out);
    return 1;
}

int nms__window_search(const nms__pp *p, int32_t *perm, int k, unsigned long seed, int threads,
                       const nms__ctl *ctl, nms_error *err)
{
    size_t G = p->C / 4;
    if (k > WIN_MAX_GROUPS)
        k = WIN_MAX_GROUPS;
    if (G < 2 || k < 2)
        return NMS_OK;
    size_t *order = nms__malloc_array(G, sizeof *order);
    if (!order)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search");
    for (size_t g = 0; g < G; g++)
        order[g] = g;
    uint64_t rng = (uint64_t)seed * 0x2545F4914F6CDD1Dull + 0x5851F42D4C957F2Dull;
    size_t nwin = (G + (size_t)k - 1) / (size_t)k;
    int stale = 0, failed = 0;
    double total = nms__pp_perm_value(p, perm);
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
#endif
    while (stale < 3 && !failed) {
        if (nms__ctl_stop(ctl))
            break;
        nms__shuffle(order, G, &rng);
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
#endif
        {
            winbuf w;
            w.f = nms__malloc_array((size_t)1 << WIN_MAX_CH, sizeof *w.f);
            w.choice = nms__malloc_array((size_t)1 << WIN_MAX_CH, sizeof *w.choice);
            if (!w.f || !w.choice) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
                failed = 1;
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (size_t q = 0; q < nwin; q++) {
                if (!w.f || !w.choice || nms__ctl_stop(ctl))
                    continue;
                size_t lo = q * (size_t)k, hi = lo + (size_t)k < G ? lo + (size_t)k : G;
                if (hi - lo >= 2)
                    solve_window(p, perm, order + lo, (int)(hi - lo), &w);
            }
            nms__free(w.f);
            nms__free(w.choice);
        }
        double now = nms__pp_perm_value(p, perm);
        stale = now > total + 1e-9 * fabs(total) ? 0 : stale + 1;
        total = now;
    }
    nms__free(order);
    if (failed)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search");
    return NMS_OK;
}
