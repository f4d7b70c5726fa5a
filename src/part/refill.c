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
 * deadline / interrupt.  A round's new partition replaces the old only
 * when its canonical value is higher by more than a relative 1e-12.
 *
 * Work per round: G^2 group values of O(R) each (rows of the weight matrix
 * in parallel: the result does not depend on the thread count) and O(G^3)
 * for the assignment.  Memory: G^2 doubles.
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

enum { STALE_ROUNDS = 6 };

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

/* One round; returns 1 when perm improved, 0 when not, < 0 on error. */
static int refill_round(const nms__pp *p, int32_t *perm, int m, double *w, int32_t *sigma, int32_t *next,
                        int nthreads, double deadline, volatile int *interrupt, nms_error *err)
{
    const size_t G = p->C / 4;
    const int keep = 4 - m;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthreads)
#else
    (void)nthreads;
#endif
    for (long gl = 0; gl < (long)G; gl++) {
        size_t g = (size_t)gl;
        int32_t grp[4];
        memcpy(grp, perm + 4 * g, (size_t)keep * sizeof *grp);
        for (size_t h = 0; h < G; h++) {
            memcpy(grp + keep, perm + 4 * h + keep, (size_t)m * sizeof *grp);
            w[g * G + h] = nms__pp_group_value(p, grp);
        }
    }
    int done = 0;
    int st = nms__lap_max(w, G, sigma, deadline, interrupt, &done, err);
    if (st)
        return st;
    if (!done)
        return 0;
    double old = 0.0, now = 0.0;
    for (size_t g = 0; g < G; g++) {
        old += w[g * G + g];
        now += w[g * G + (size_t)sigma[g]];
    }
    if (!(now > old + 1e-12 * fabs(old)))
        return 0;
    for (size_t g = 0; g < G; g++) {
        memcpy(next + 4 * g, perm + 4 * g, (size_t)keep * sizeof *next);
        memcpy(next + 4 * g + keep, perm + 4 * (size_t)sigma[g] + keep, (size_t)m * sizeof *next);
    }
    if (!(nms__pp_perm_value(p, next) > nms__pp_perm_value(p, perm) * (1 + 1e-12)))
        return 0;
    memcpy(perm, next, p->C * sizeof *perm);
    return 1;
}

int nms__refill_search(const nms__pp *p, int32_t *perm, unsigned long seed, int threads, double deadline,
                       volatile int *interrupt, nms_error *err)
{
    const size_t G = p->C / 4;
    if (G < 2)
        return NMS_OK;
    size_t nw;
    if (nms__mul_size(G, G, &nw))
        return nms__fail(err, NMS_ERR_RANGE, "refill search: %zu groups are too many", G);
    double *w = nms__malloc_array(nw, sizeof *w);
    int32_t *sigma = nms__malloc_array(G, sizeof *sigma), *next = nms__malloc_array(p->C, sizeof *next);
    int st = NMS_OK;
    if (!w || !sigma || !next) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the refill search (%zu groups)", G);
        goto out;
    }
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
    const int nthreads = 1;
    (void)threads;
#endif
    uint64_t rng = (uint64_t)seed * 0x9FB21C651E98DF25ull + 0x2545F4914F6CDD1Dull;
    double total = nms__pp_perm_value(p, perm);
    for (int round = 0, stale = 0; stale < STALE_ROUNDS; round++) {
        if ((interrupt && *interrupt) || (deadline > 0 && nms__now() > deadline))
            break;
        int m = 1 + round % 2;
        choose_movers(perm, G, m, &rng);
        int r = refill_round(p, perm, m, w, sigma, next, nthreads, deadline, interrupt, err);
        if (r < 0) {
            st = r;
            goto out;
        }
        double now = nms__pp_perm_value(p, perm);
        stale = now > total + 1e-9 * fabs(total) ? 0 : stale + 1;
        total = now;
    }
out:
    nms__free(w);
    nms__free(sigma);
    nms__free(next);
    return st;
}
