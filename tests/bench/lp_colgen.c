/* lp_colgen.c - column generation on a channel-partition master problem, to
 * time warm-started primal re-solves (the partition solver's use of the LP).
 *
 *   max sum_S v(S) x_S   s.t.  sum_{S ni i} x_S = 1  (i < C),  x >= 0
 *   v(S) = sum_r top2(|W[r, S]|) over random W (R x C), S a 4-subset.
 *
 * Start: the C/4 identity groups.  Each round: solve (warm), read the duals
 * pi, enumerate every 4-subset, add the (up to) K with the largest
 * v(S) - pi(S) > 1e-9; stop when none.  Prints per round the LP iterations
 * and seconds, and at the end totals and the LP bound.
 * Usage: lp_colgen [C=64] [R=64] [K=100] [seed=1]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nmsparse.h"

static double now(void);
#include <time.h>
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct { double red; int s[4]; } cand;

static int cmp_cand(const void *a, const void *b)
{
    double x = ((const cand *)a)->red, y = ((const cand *)b)->red;
    return x < y ? 1 : x > y ? -1 : 0;
}

int main(int argc, char **argv)
{
    int C = argc > 1 ? atoi(argv[1]) : 64, R = argc > 2 ? atoi(argv[2]) : 64;
    int K = argc > 3 ? atoi(argv[3]) : 100;
    unsigned seed = argc > 4 ? (unsigned)atoi(argv[4]) : 1u;
    if (C < 8 || C % 4 || R < 1 || K < 1)
        return 2;
    double *W = malloc((size_t)R * C * sizeof *W);
    for (int k = 0; k < R * C; k++) {
        seed = seed * 1664525u + 1013904223u;
        W[k] = fabs(((double)(seed >> 8) / 16777216.0 - 0.5) * 2.0);
    }
    nms_lp *lp;
    nms_lp_create(&lp, NULL);
    nms_lp_set_maximize(lp, 1);
    double *one = malloc((size_t)C * sizeof *one);
    for (int i = 0; i < C; i++)
        one[i] = 1.0;
    nms_lp_add_rows(lp, (size_t)C, one, one, NULL);
    double *pi = malloc((size_t)C * sizeof *pi);
    cand *best = malloc((size_t)(K + 1) * sizeof *best);
    size_t st[2] = {0, 4};
    double val[4] = {1, 1, 1, 1};
    for (int g = 0; g < C / 4; g++) {
        int32_t idx[4] = {4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3};
        double v = 0;
        for (int r = 0; r < R; r++) {
            double a[4];
            for (int t = 0; t < 4; t++) a[t] = W[r * C + idx[t]];
            double m1 = 0, m2 = 0;
            for (int t = 0; t < 4; t++) {
                if (a[t] > m1) { m2 = m1; m1 = a[t]; } else if (a[t] > m2) m2 = a[t];
            }
            v += m1 + m2;
        }
        nms_lp_add_cols(lp, 1, &v, NULL, NULL, st, idx, val, NULL);
    }
    double t_lp = 0, t_price = 0;
    long its = 0;
    int round;
    for (round = 0;; round++) {
        double t0 = now();
        nms_error err;
        if (nms_lp_solve(lp, NULL, &err)) {
            fprintf(stderr, "solve: %s\n", err.text);
            return 1;
        }
        double t1 = now();
        t_lp += t1 - t0;
        its += nms_lp_iterations(lp);
        if (nms_lp_get_status(lp) != NMS_LP_OPTIMAL) {
            fprintf(stderr, "round %d: status %s\n", round, nms_lp_status_name(nms_lp_get_status(lp)));
            return 1;
        }
        nms_lp_get_row_duals(lp, pi);
        int nb = 0;
        for (int a = 0; a < C; a++)
            for (int b = a + 1; b < C; b++)
                for (int c = b + 1; c < C; c++)
                    for (int d = c + 1; d < C; d++) {
                        double red = -(pi[a] + pi[b] + pi[c] + pi[d]), v = 0;
                        for (int r = 0; r < R; r++) {
                            const double *w = W + (size_t)r * C;
                            double x[4] = {w[a], w[b], w[c], w[d]}, m1 = 0, m2 = 0;
                            for (int t = 0; t < 4; t++) {
                                if (x[t] > m1) { m2 = m1; m1 = x[t]; } else if (x[t] > m2) m2 = x[t];
                            }
                            v += m1 + m2;
                        }
                        red += v;
                        if (red <= 1e-9 || (nb == K && red <= best[K - 1].red))
                            continue;
                        int p = nb < K ? nb++ : K - 1;
                        best[p].red = red;
                        best[p].s[0] = a; best[p].s[1] = b; best[p].s[2] = c; best[p].s[3] = d;
                        qsort(best, (size_t)nb, sizeof *best, cmp_cand);
                    }
        t_price += now() - t1;
        printf("round %3d  cols %7zu  lp %10.4f s  it %6ld  obj %.10g  new %d\n", round,
               nms_lp_num_cols(lp), t1 - t0, nms_lp_iterations(lp), nms_lp_objective(lp), nb);
        if (nb == 0)
            break;
        for (int k = 0; k < nb; k++) {
            int32_t idx[4] = {best[k].s[0], best[k].s[1], best[k].s[2], best[k].s[3]};
            double v = best[k].red;
            for (int t = 0; t < 4; t++)
                v += pi[idx[t]];
            nms_lp_add_cols(lp, 1, &v, NULL, NULL, st, idx, val, NULL);
        }
    }
    printf("C=%d R=%d K=%d: %d rounds, %zu columns, LP %.3f s (%ld iterations), pricing %.3f s, LP bound %.10g\n",
           C, R, K, round + 1, nms_lp_num_cols(lp), t_lp, its, t_price, nms_lp_objective(lp));
    nms_lp_free(lp);
    free(W); free(one); free(pi); free(best);
    return 0;
}
