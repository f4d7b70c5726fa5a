/*
 * pricing_heur.c - dual-guided heuristic pricing.
 *
 * From every seed channel i: grow S = {i} three times by the channel c
 * maximising v(S + c) - pi_c, then improve S by single exchanges of the
 * three non-seed members (replace one by the non-member that raises
 * v(S) - pi(S) most) until none helps: a good group through every channel.  Row sums for "add c to a set whose row top two are a >= b" use
 * top2 = max(a, x) + max(b, min(a, x)).  Seeds run in parallel; each seed's
 * result lands in its own slot, so the output does not depend on threads.
 * Compiled once per instruction set like pricing_exact.c; the row sums
 * (top2_add) add in the same order in each, so neither does it depend on
 * the CPU.  Work per thread: 2 * Rp doubles.
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

#ifndef PRICE_HEUR_NAME /* the build of the portable variant */
#define PRICE_HEUR_NAME nms__price_heuristic_portable
#endif

/* top two per row of the channels g[0..n) (n <= 3) into a, b. */
static void top2_rows(const nms__pp *p, const int32_t *g, int n, double *a, double *b)
{
    for (size_t r = 0; r < p->Rp; r++) {
        a[r] = 0.0;
        b[r] = 0.0;
    }
    for (int q = 0; q < n; q++) {
        const double *x = p->x + (size_t)g[q] * p->Rp;
        for (size_t r = 0; r < p->Rp; r++) {
            double v = x[r];
            if (v > a[r]) {
                b[r] = a[r];
                a[r] = v;
            } else if (v > b[r]) {
                b[r] = v;
            }
        }
    }
}

/* sum_r top2(a_r, b_r, x_r) for channel c (price_kernels.h). */
static double add_value(const nms__pp *p, const double *a, const double *b, size_t c)
{
    return top2_add(a, b, p->x + c * p->Rp, p->Rp);
}

static int in_set(const int32_t *g, int n, size_t c)
{
    for (int q = 0; q < n; q++)
        if ((size_t)g[q] == c)
            return 1;
    return 0;
}

int PRICE_HEUR_NAME(const nms__pp *p, const double *pi, double thr, size_t k, int threads, nms__col **cols,
                    size_t *n, const nms__ctl *ctl, nms_error *err)
{
    size_t C = p->C;
    nms__col *all = nms__malloc_array(C, sizeof *all);
    volatile int failed = 0, stop = 0;
    *cols = NULL;
    *n = 0;
    if (!all)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in heuristic pricing");
#ifdef _OPENMP
#pragma omp parallel num_threads(threads > 0 ? threads : omp_get_max_threads())
#else
    (void)threads;
#endif
    {
        double *a = nms__malloc_array(2 * p->Rp + 1, sizeof(double));
        double *b = a ? a + p->Rp : NULL;
        if (!a)
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (long si = 0; si < (long)C; si++) {
            if (nms__ctl_stop(ctl))
                stop = 1;
            if (failed || stop) { /* a seed not reached: nothing */
                memset(&all[si], 0, sizeof all[si]);
                all[si].rc = -HUGE_VAL;
                continue;
            }
            int32_t g[4];
            g[0] = (int32_t)si;
            for (int m = 1; m < 4; m++) {
                top2_rows(p, g, m, a, b);
                double best = -HUGE_VAL;
                size_t bc = C;
                for (size_t c = 0; c < C; c++) {
                    if (in_set(g, m, c))
                        continue;
                    double v = add_value(p, a, b, c) - pi[c];
                    if (v > best) {
                        best = v;
                        bc = c;
                    }
                }
                g[m] = (int32_t)bc;
            }
            double cur = nms__pp_group_value(p, g) - nms__pi_sum4(pi, g);
            for (int it = 0; it < 2; it++) {
                double best = cur;
                int bpos = -1;
                size_t bc = C;
                for (int pos = 1; pos < 4; pos++) { /* the seed stays: one group per seed */
                    int32_t rest[3];
                    int m = 0;
                    double pirest = 0.0;
                    for (int q = 0; q < 4; q++)
                        if (q != pos) {
                            rest[m++] = g[q];
                            pirest += pi[g[q]];
                        }
                    top2_rows(p, rest, 3, a, b);
                    for (size_t c = 0; c < C; c++) {
                        if (in_set(g, 4, c))
                            continue;
                        double v = add_value(p, a, b, c) - pirest - pi[c];
                        if (v > best + 1e-12 * fabs(best) + 1e-300) {
                            best = v;
                            bpos = pos;
                            bc = c;
                        }
                    }
                }
                if (bpos < 0)
                    break;
                g[bpos] = (int32_t)bc;
                cur = best;
            }
            nms__col col;
            memcpy(col.g, g, sizeof g);
            nms__sort4(col.g);
            col.v = nms__pp_group_value(p, col.g);
            col.rc = col.v - nms__pi_sum4(pi, col.g);
            all[si] = col;
        }
        nms__free(a);
    }
    if (failed) {
        nms__free(all);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in heuristic pricing");
    }
    qsort(all, C, sizeof *all, nms__col_cmp);
    size_t m = 0;
    for (size_t q = 0; q < C && m < k; q++) {
        if (!(all[q].rc > thr))
            break;
        if (m && memcmp(all[m - 1].g, all[q].g, sizeof all[q].g) == 0)
            continue;
        all[m++] = all[q];
    }
    *cols = all;
    *n = m;
    return NMS_OK;
}
