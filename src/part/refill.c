/*
 * refill.c - refill search: take m channels (m = 1 or 2) out of every
 * group and put the G = C/4 sets back optimally, all at once, by one linear
 * assignment (lap.h):
 *
 *     maximise  sum_g v(keep_g + move_sigma(g))  over permutations sigma,
 *
 * keep_g the 4 - m channels group g keeps, move_h the m it gave up.  The
 * identity sigma is the current partition, so the total never falls, and
 * one round makes exchanges among any number of groups at once (cycles of
 * moves that the pairwise re-split cannot reach one step at a time).
 * Rounds alternate m = 1 (one member of each group) and m = 2 (one of the
 * three splits of each group into two pairs), the members chosen by a
 * generator seeded by `seed`; the search ends after STALE_ROUNDS rounds in
 * a row that raised the total by less than a relative 1e-9, or at the
 * deadline / interrupt.  A block's new groups replace the old only when
 * their canonical value is higher by more than a relative 1e-12.
 *
 * Above REFILL_MAX_GROUPS groups (C > 4096) a round refills blocks of that
 * many, the groups shuffled by the same generator each round.
 *
 * Work per round: G B group values of O(R) each (the rows of w in
 * parallel: the result does not depend on the thread count) and O(G B^2)
 * for the assignments, B = min(G, REFILL_MAX_GROUPS).  Memory: B^2 doubles
 * (8 MB at most).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/lap.h"
#include "part/part.h"
#include "util/util.h"

enum { STALE_ROUNDS = 6, REFILL_MAX_GROUPS = 1024 };

/* Reorder each group of perm so that its last m members are the ones that
 * move: a random member (m = 1) or a random one of the three pair splits
 * (m = 2: the pair with member 0 stays). */
static void choose_movers(int32_t *perm, size_t G, int m, uint64_t *rng)
{
    for (size_t g = 0; g < G; g++) {
        int32_t *q = perm + 4 * g;
        int pick = (int)(nms__splitmix64(rng) % (m == 1 ? 4u : 3u));
        int32_t t;
        if (m == 1) { /* member pick to the end */
            t = q[3];
            q[3] = q[pick];
            q[pick] = t;
        } else { /* members 0 and 1 + pick stay */
            t = q[1];
            q[1] = q[1 + pick];
            q[1 + pick] = t;
        }
    }
}

/* Refill the groups grp[0..n) of perm (their last m members move);
 * returns 1 when perm improved, 0 when not, < 0 on error.  w: n * n,
 * sigma: n, next: a copy of perm to build the new groups in.  w holds
 * canonical group values (nms__pp_group_value does not depend on the order
 * of a group's members), so its sums are the blocks' values. */
static int refill_block(const nms__pp *p, int32_t *perm, const size_t *grp, size_t n, int m, double *w,
                        int32_t *sigma, int32_t *next, int nthreads, const nms__ctl *ctl, nms_error *err)
{
    const int keep = 4 - m;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthreads)
#else
    (void)nthreads;
#endif
    for (long al = 0; al < (long)n; al++) {
        size_t a = (size_t)al;
        int32_t g[4];
        memcpy(g, perm + 4 * grp[a], (size_t)keep * sizeof *g);
        for (size_t b = 0; b < n; b++) {
            memcpy(g + keep, perm + 4 * grp[b] + keep, (size_t)m * sizeof *g);
            w[a * n + b] = nms__pp_group_value(p, g);
        }
    }
    int done = 0;
    int st = nms__lap_max(w, n, sigma, ctl, &done, err);
    if (st)
        return st;
    if (!done)
        return 0;
    double old = 0.0, now = 0.0;
    for (size_t a = 0; a < n; a++) {
        old += w[a * n + a];
        now += w[a * n + (size_t)sigma[a]];
    }
    if (!(now > old + 1e-12 * fabs(old)))
        return 0;
    for (size_t a = 0; a < n; a++)
        memcpy(next + 4 * grp[a] + keep, perm + 4 * grp[(size_t)sigma[a]] + keep, (size_t)m * sizeof *next);
    for (size_t a = 0; a < n; a++)
        memcpy(perm + 4 * grp[a], next + 4 * grp[a], 4 * sizeof *perm);
    return 1;
}

int nms__refill_search(const nms__pp *p, int32_t *perm, unsigned long seed, int threads, const nms__ctl *ctl,
                       nms_error *err)
{
    const size_t G = p->C / 4, B = G < REFILL_MAX_GROUPS ? G : REFILL_MAX_GROUPS;
    if (G < 2)
        return NMS_OK;
    double *w = nms__malloc_array(B * B, sizeof *w);
    int32_t *sigma = nms__malloc_array(B, sizeof *sigma), *next = nms__malloc_array(p->C, sizeof *next);
    size_t *order = nms__malloc_array(G, sizeof *order);
    int st = NMS_OK;
    if (!w || !sigma || !next || !order) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the refill search (%zu groups)", G);
        goto out;
    }
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
    const int nthreads = 1;
    (void)threads;
#endif
    for (size_t g = 0; g < G; g++)
        order[g] = g;
    uint64_t rng = (uint64_t)seed * 0x9FB21C651E98DF25ull + 0x2545F4914F6CDD1Dull;
    double total = nms__pp_perm_value(p, perm);
    for (int round = 0, stale = 0; stale < STALE_ROUNDS; round++) {
        if (nms__ctl_stop(ctl))
            break;
        int m = 1 + round % 2;
        choose_movers(perm, G, m, &rng);
        memcpy(next, perm, p->C * sizeof *next);
        if (G > B)
            nms__shuffle(order, G, &rng); /* other blocks every round */
        for (size_t lo = 0; lo < G; lo += B) { /* the last block: what is left, at least 2 groups */
            size_t n = G - lo < B ? G - lo : B;
            if (n < 2)
                break;
            int r = refill_block(p, perm, order + lo, n, m, w, sigma, next, nthreads, ctl, err);
            if (r < 0) {
                st = r;
                goto out;
            }
        }
        double now = nms__pp_perm_value(p, perm);
        stale = now > total + 1e-9 * fabs(total) ? 0 : stale + 1;
        total = now;
    }
out:
    nms__free(order);
    nms__free(w);
    nms__free(sigma);
    nms__free(next);
    return st;
}
