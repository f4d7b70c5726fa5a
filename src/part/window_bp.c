/*
 * window_bp.c - large neighbourhoods: windows of k groups that are close to
 * each other, each re-partitioned exactly by branch-and-price.
 *
 * Closeness.  For two groups a, b of the partition,
 *
 *     loss(a, b) = v(a) + v(b) - (the best other split of their 8 channels),
 *
 * >= 0 at a re-split optimum (nms__ls_resplit); a small loss means the two
 * groups nearly trade channels.  A window grows from a seed group by adding,
 * k - 1 times, the group with the smallest loss to any group already in it
 * (ties: the lowest index).  Randomly chosen groups rarely interact: on
 * 160 x 960 (movenet L027), in 90 s windows of 8 random groups gained 0.11
 * and windows of 16 nothing, while windows grown this way gained 2.5 in 14 s.
 *
 * Re-partition.  The window's 4k channels form a problem of their own
 * (nms__pp_subset, the same rows); the branch-and-price over the complete
 * pool of its C(4k, 4) groups (bb.c, priced at pi = 0) returns a partition
 * better than the window's current one if there is one (within node_limit
 * nodes), which replaces it when higher by more than a relative 1e-12.
 * The rest of the partition is untouched, so the total only rises.
 *
 * Duals.  With duals pi (optional), a group's deficit is
 *
 *     def(a) = max(0, sum_{i in a} pi_i - v(a)),
 *
 * and a re-partition P of a window W gains
 *
 *     sum_{S in P} v(S) - sum_{a in W} v(a)
 *      <= sum_{a in W} def(a) + sum_{S in P} rc(S)   (rc(S) = v(S) - pi(S);
 *      <= sum_{a in W} def(a) + k max(0, max rc),     equal without the max(0, .))
 *
 * so the gain sits in the groups with a deficit (on 160 x 960 about 60 of
 * the 240 groups of a polished partition hold all of it).  A window then
 * grows by the smallest loss(a, b) - def(b) (the same unit), and seeds are
 * taken by decreasing deficit.  Measured on movenet L027 (160 x 960) from
 * three partitions polished by random windows, with the pool LP's duals:
 * windows of 8, then 12, then 16 groups gained +2.37, +1.71 and +1.83 in
 * 51, 101 and 120 s, where random seeds with loss growth gained +1.18 in
 * 95 s (16 groups) and nothing in 120 s (8 groups).  Seeds by deficit with
 * loss growth alone gained +0.89; growth by loss - 3 def +1.99 in 115 s.
 *
 * Large windows (nms__window_sub_search, k > 16 groups): the window's
 * channels are re-partitioned by the BP method itself (nms__bp_improve:
 * column generation, the restricted master's search and the small windows
 * on the 4k channels), for at most a given number of seconds, from the
 * window's current partition.  Measured on movenet L027 (160 x 960) from
 * the restricted master's partition (8494.244) with the duals of the
 * complete round: windows of 64 groups, 20 s each, reached 8502.443 in
 * 101 s, where the windows of 8 to 16 groups end at 8500.700 (the same
 * start, 108 s).  A 256-channel problem is one the method nearly solves in
 * seconds (its LP converges in about 3 s), so a window is re-partitioned
 * far beyond what exchanges between a few groups reach.
 *
 * Schedule.  Seeds are taken by decreasing deficit, ties (all groups
 * without duals) in a seeded random order; the losses and deficits of the
 * window's groups are recomputed after a change.  A window equal to one
 * solved without a gain since the last change is skipped (it would gain
 * nothing again: seeds inside a window often grow it back).  The search
 * ends when every group has seeded a window since the last gain, or when
 * ctl says stop.  Windows run one after the other (each search uses the
 * threads), and bb.c's result does not depend on the thread count, so
 * neither does this search's.
 *
 * Growing large windows.  After GROW_AFTER large windows in a row without a
 * gain, the windows take GROW_BY groups more (at most half of the groups,
 * so that two windows still differ), with time in proportion, and every
 * group may seed again.  Measured with a scratch driver from the state
 * where a 600 s run starts its large windows (the duals of the complete
 * round), 2 threads: 18 x 1024 ssd L000 (355 s left) 397.630 -> 397.875
 * with windows of 64 groups (the last gain at 101 s), 397.991 when they
 * grow (96 groups then gained five times, from 193 s to 313 s); 24 x 1024
 * ssd L005 (270 s left) 397.588 -> 397.871 (the last gain at 62 s), 397.905
 * when they grow.  On these few-row layers the windows of 64 groups stall
 * (a 24 x 256 window's search is slow per node: 43 nodes in 54 s).  Where
 * they keep gaining, nothing changes: movenet L027 (150 s left) did not
 * grow (8502.226 against 8502.274, the spread of two runs); L029 (120 s)
 * grew only at the deadline (24374.003 against 24374.266: the last window,
 * cut by the deadline, gained in one run only); ssd L023 (140 s) 2678.694
 * against 2678.662.
 *
 * Cost: G^2 / 2 pair losses of 34 splits (O(R) each) once, k G of them after
 * each change; per small window C(4k, 4) group values (1820 for k = 4,
 * 35 960 for k = 8) and a search over them.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/part.h"
#include "util/util.h"

enum {
    WBP_MAX_GROUPS = 16, /* small windows */
    GROW_AFTER = 3,      /* large windows without a gain before they grow */
    GROW_BY = 32         /* groups */
};

/* loss(a, b) for a != b (HUGE_VAL on the diagonal). */
static double pair_loss(const nms__pp *p, const int32_t *perm, const double *gv, size_t a, size_t b)
{
    if (a == b)
        return HUGE_VAL;
    int32_t ch[8];
    memcpy(ch, perm + 4 * a, 4 * sizeof *ch);
    memcpy(ch + 4, perm + 4 * b, 4 * sizeof *ch);
    return gv[a] + gv[b] - nms__best_split8(p, ch, 1, NULL);
}

/* All losses (initial = 1), or those of the groups rows[0..n) with every
 * other group.  Each row is computed in parallel, then mirrored. */
static void update_losses(const nms__pp *p, const int32_t *perm, const double *gv, double *loss,
                          const size_t *rows, size_t n, int initial, int threads, const nms__ctl *ctl)
{
    size_t G = p->C / 4;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#else
    (void)threads;
#endif
    for (size_t q = 0; q < n; q++) {
        size_t a = rows[q];
        if (nms__ctl_stop(ctl)) /* the caller stops too; the matrix is not used again */
            continue;
        for (size_t b = initial ? a : 0; b < G; b++)
            loss[a * G + b] = pair_loss(p, perm, gv, a, b);
    }
    if (nms__ctl_stop(ctl))
        return;
    for (size_t q = 0; q < n; q++) {
        size_t a = rows[q];
        for (size_t b = initial ? a : 0; b < G; b++)
            loss[b * G + a] = loss[a * G + b];
    }
}

/* def(a) of group a of perm (0 without duals). */
static double deficit(const int32_t *perm, const double *pi, size_t a, double va)
{
    if (!pi)
        return 0.0;
    double d = -va;
    for (int j = 0; j < 4; j++)
        d += pi[perm[4 * a + j]];
    return d > 0.0 ? d : 0.0;
}

/* The next seed: the group not seeded since the last gain with the largest
 * deficit, ties by the random order read cyclically from position from
 * (the one after the last seed); G when every group was. */
static size_t next_seed(const double *def, const size_t *rank, const unsigned char *seeded, size_t G,
                        size_t from)
{
    size_t best = G, best_at = G;
    for (size_t h = 0; h < G; h++) {
        size_t at = (rank[h] + G - from) % G;
        if (!seeded[h] && (best == G || def[h] > def[best] || (def[h] == def[best] && at < best_at))) {
            best = h;
            best_at = at;
        }
    }
    return best;
}

/* The window of k groups grown from seed (win[0] = seed): each step adds
 * the group h with the smallest min_{a in window} loss(a, h) - def(h). */
static void grow_window(const double *loss, const double *def, size_t G, size_t seed, int k, size_t *win,
                        double *near)
{
    for (size_t h = 0; h < G; h++)
        near[h] = loss[seed * G + h] - def[h];
    win[0] = seed;
    near[seed] = -HUGE_VAL; /* in the window */
    for (int n = 1; n < k; n++) {
        size_t best = G;
        for (size_t h = 0; h < G; h++)
            if (near[h] > -HUGE_VAL && (best == G || near[h] < near[best]))
                best = h;
        win[n] = best;
        near[best] = -HUGE_VAL;
        for (size_t h = 0; h < G; h++)
            if (near[h] > -HUGE_VAL && loss[best * G + h] - def[h] < near[h])
                near[h] = loss[best * G + h] - def[h];
    }
}

/* The window's new partition cand of q (its channels chan, from the groups
 * win of perm) replaces the old one, worth old, when valid and higher by
 * more than a relative 1e-12; returns 1 when perm changed. */
static int adopt(const nms__pp *q, const int32_t *cand, double old, const int32_t *chan, const size_t *win,
                 int32_t *perm)
{
    if (nms_perm_check(cand, q->C, NULL) != NMS_OK || !(nms__pp_perm_value(q, cand) > old + 1e-12 * fabs(old)))
        return 0;
    for (size_t c = 0; c < q->C; c++)
        perm[4 * win[c / 4] + c % 4] = chan[cand[c]];
    return 1;
}

/* The window's problem q: its channels chan (groups win[0..k) of perm, in
 * order, the same rows) and id, the identity on them (the window's current
 * partition in q's numbering). */
static int window_problem(const nms__pp *p, const int32_t *perm, const size_t *win, int k, int32_t *chan,
                          int32_t *id, nms__pp *q, nms_error *err)
{
    for (int g = 0; g < k; g++)
        memcpy(chan + 4 * g, perm + 4 * win[g], 4 * sizeof *chan);
    for (size_t c = 0; c < 4 * (size_t)k; c++)
        id[c] = (int32_t)c;
    return nms__pp_subset(p, chan, 4 * (size_t)k, q, err);
}

/* Re-partition the channels of groups win[0..k) of perm (k <= 16) over all
 * their groups; *changed = 1 when perm changed. */
static int solve_window(const nms__pp *p, int32_t *perm, const size_t *win, int k, long node_limit,
                        int threads, const nms__ctl *ctl, int *changed, nms_error *err)
{
    size_t n = 4 * (size_t)k, npool = 0;
    int32_t chan[4 * WBP_MAX_GROUPS], cand[4 * WBP_MAX_GROUPS], id[4 * WBP_MAX_GROUPS];
    for (size_t a = 0; a + 3 < n; a++) /* C(n, 4) */
        npool += (n - a - 1) * (n - a - 2) * (n - a - 3) / 6;
    *changed = 0;
    nms__pp q;
    int st = window_problem(p, perm, win, k, chan, id, &q, err);
    if (st)
        return st;
    nms__col *pool = nms__malloc_array(npool, sizeof *pool);
    if (!pool) {
        nms__pp_free(&q);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search (%zu groups)", npool);
    }
    size_t i = 0;
    for (int32_t a = 0; a < (int32_t)n; a++)
        for (int32_t b = a + 1; b < (int32_t)n; b++)
            for (int32_t c = b + 1; c < (int32_t)n; c++)
                for (int32_t d = c + 1; d < (int32_t)n; d++) {
                    nms__col *col = &pool[i++];
                    col->g[0] = a;
                    col->g[1] = b;
                    col->g[2] = c;
                    col->g[3] = d;
                }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
    for (size_t j = 0; j < npool; j++) {
        pool[j].v = nms__pp_group_value(&q, pool[j].g);
        pool[j].rc = pool[j].v; /* priced at pi = 0 */
    }
    nms__col_sort(pool, npool, threads);
    double old = nms__pp_perm_value(&q, id);
    double target = old + 1e-12 * fabs(old);
    int found = 0, complete = 0;
    double fv = 0.0, ob = 0.0;
    long nodes = 0;
    st = nms__bb_pool(&q, pool, npool, target, threads, ctl, node_limit, NULL, NULL, cand, &found, &fv,
                          &complete, &ob, &nodes, err);
    if (!st && found)
        *changed = adopt(&q, cand, old, chan, win, perm);
    nms__free(pool);
    nms__pp_free(&q);
    return st;
}

/* Re-partition the channels of groups win[0..k) of perm by the BP method
 * (nms__bp_improve) until min(ctl's deadline, now + seconds); *changed = 1
 * when perm changed. */
static int solve_window_sub(const nms__pp *p, int32_t *perm, const size_t *win, int k, double seconds,
                            int threads, const nms__ctl *ctl, int *changed, nms_error *err)
{
    size_t n = 4 * (size_t)k;
    *changed = 0;
    int32_t *chan = nms__malloc_array(n, sizeof *chan), *cand = nms__malloc_array(n, sizeof *cand);
    if (!chan || !cand) {
        nms__free(chan);
        nms__free(cand);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search (%zu channels)", n);
    }
    nms__pp q;
    int st = window_problem(p, perm, win, k, chan, cand, &q, err);
    if (!st) {
        double old = nms__pp_perm_value(&q, cand), deadline = nms__now() + seconds;
        nms__ctl sub = *ctl;
        if (sub.deadline <= 0 || deadline < sub.deadline)
            sub.deadline = deadline;
        st = nms__bp_improve(&q, cand, threads, &sub, err);
        if (!st)
            *changed = adopt(&q, cand, old, chan, win, perm);
        nms__pp_free(&q);
    }
    nms__free(chan);
    nms__free(cand);
    return st;
}

/* 1 when the window win[0..k) (any order) is one of tried[0..ntried)
 * (sorted, k entries each); otherwise it is added, sorted. */
static int tried_before(size_t *tried, size_t *ntried, const size_t *win, int k)
{
    size_t *w = tried + *ntried * (size_t)k;
    memcpy(w, win, (size_t)k * sizeof *w);
    for (int a = 1; a < k; a++) /* insertion sort: k is small */
        for (int b = a; b > 0 && w[b - 1] > w[b]; b--) {
            size_t t = w[b];
            w[b] = w[b - 1];
            w[b - 1] = t;
        }
    for (size_t q = 0; q < *ntried; q++)
        if (!memcmp(tried + q * (size_t)k, w, (size_t)k * sizeof *w))
            return 1;
    (*ntried)++;
    return 0;
}

/* The search of both kinds: window_seconds = 0 re-partitions each window
 * by solve_window, > 0 by solve_window_sub. */
static int window_search(const nms__pp *p, int32_t *perm, int k, const double *pi, long node_limit,
                         double window_seconds, unsigned long seed, int threads, const nms__ctl *ctl,
                         nms_error *err)
{
    size_t G = p->C / 4;
    if ((size_t)k > G)
        k = (int)G;
    if (k < 2)
        return NMS_OK;
    const nms__ctl none = {0.0, NULL, NULL, NULL};
    if (!ctl)
        ctl = &none; /* bb.c wants one */
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#endif
    size_t GG;
    if (nms__mul_size(G, G, &GG))
        return nms__fail(err, NMS_ERR_RANGE, "too many groups (%zu) for the window search", G);
    double *loss = nms__malloc_array(GG, sizeof *loss);
    double *gv = nms__malloc_array(G, sizeof *gv);
    double *near = nms__malloc_array(G, sizeof *near);
    double *def = nms__malloc_array(G, sizeof *def);
    size_t *order = nms__malloc_array(G, sizeof *order);
    size_t *rank = nms__malloc_array(G, sizeof *rank);
    unsigned char *seeded = nms__calloc(G, 1);
    /* large windows grow up to half of the groups; small ones, and windows
     * that start above half, keep their size */
    const int k_max = window_seconds > 0 && (size_t)k <= G / 2 ? (int)(G / 2) : k;
    const double seconds_per_group = window_seconds / k;
    int fails = 0; /* windows in a row without a gain */
    size_t *win = nms__malloc_array((size_t)k_max, sizeof *win), ntried = 0;
    size_t *tried = nms__malloc_array((G + 1) * (size_t)k_max, sizeof *tried); /* at most G + 1 windows per change */
    int st = NMS_OK;
    if (!loss || !gv || !near || !def || !order || !rank || !seeded || !win || !tried) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search (%zu groups)", G);
        goto out;
    }
    for (size_t g = 0; g < G; g++) {
        gv[g] = nms__pp_group_value(p, perm + 4 * g);
        def[g] = deficit(perm, pi, g, gv[g]);
        order[g] = g;
    }
    update_losses(p, perm, gv, loss, order, G, 1, threads, ctl);
    if (nms__ctl_stop(ctl))
        goto out;
    uint64_t rng = (uint64_t)seed * 0x2545F4914F6CDD1Dull + 0x5851F42D4C957F2Dull;
    nms__shuffle(order, G, &rng);
    for (size_t r = 0; r < G; r++)
        rank[order[r]] = r;
    size_t seed_group;
    for (size_t from = 0; (seed_group = next_seed(def, rank, seeded, G, from)) < G;) {
        if (nms__ctl_stop(ctl))
            break;
        seeded[seed_group] = 1;
        from = (rank[seed_group] + 1) % G;
        grow_window(loss, def, G, seed_group, k, win, near);
        if (tried_before(tried, &ntried, win, k))
            continue;
        int changed;
        st = window_seconds > 0 ? solve_window_sub(p, perm, win, k, window_seconds, threads, ctl, &changed, err)
                                : solve_window(p, perm, win, k, node_limit, threads, ctl, &changed, err);
        if (st)
            break;
        fails = changed ? 0 : fails + 1;
        if (fails >= GROW_AFTER && k + GROW_BY <= k_max) {
            k += GROW_BY;
            window_seconds = seconds_per_group * k;
            fails = 0;
            ntried = 0; /* the windows tried had the old size */
            memset(seeded, 0, G);
        }
        if (changed) {
            ntried = 0;
            for (int g = 0; g < k; g++) {
                gv[win[g]] = nms__pp_group_value(p, perm + 4 * win[g]);
                def[win[g]] = deficit(perm, pi, win[g], gv[win[g]]);
            }
            update_losses(p, perm, gv, loss, win, (size_t)k, 0, threads, ctl);
            memset(seeded, 0, G);
            seeded[seed_group] = 1; /* its window was just solved */
        }
    }
out:
    nms__free(loss);
    nms__free(gv);
    nms__free(near);
    nms__free(def);
    nms__free(order);
    nms__free(rank);
    nms__free(seeded);
    nms__free(win);
    nms__free(tried);
    return st;
}

int nms__window_bp_search(const nms__pp *p, int32_t *perm, int k, const double *pi, long node_limit,
                          unsigned long seed, int threads, const nms__ctl *ctl, nms_error *err)
{
    return window_search(p, perm, k < WBP_MAX_GROUPS ? k : WBP_MAX_GROUPS, pi, node_limit, 0.0, seed, threads,
                         ctl, err);
}

int nms__window_sub_search(const nms__pp *p, int32_t *perm, int k, const double *pi, double window_seconds,
                           unsigned long seed, int threads, const nms__ctl *ctl, nms_error *err)
{
    if (!(window_seconds > 0))
        return NMS_OK; /* only with a time per window */
    return window_search(p, perm, k, pi, 0, window_seconds, seed, threads, ctl, err);
}
