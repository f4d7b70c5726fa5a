/* check_lp.c - unit tests of the LP solver on small hand-made LPs with known
 * primal and dual solutions, warm starts and the KKT conditions. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"
#include "lp/lp.h" /* internal layout: to split a real LP into column batches */
#include "lp/lu.h"

#define INF HUGE_VAL
#define TOL 1e-7

/* Build an LP from a dense row-major matrix (m x n). */
static nms_lp *build(int maximize, int m, int n, const double *A,
                     const double *rlo, const double *rhi, const double *c,
                     const double *clo, const double *chi)
{
    nms_lp *lp = NULL;
    nms_error err;
    ck_assert_int_eq(nms_lp_create(&lp, &err), NMS_OK);
    nms_lp_set_maximize(lp, maximize);
    ck_assert_int_eq(nms_lp_add_rows(lp, (size_t)m, rlo, rhi, &err), NMS_OK);
    size_t *start = calloc((size_t)n + 1, sizeof *start);
    int32_t *idx = malloc(((size_t)m * n + 1) * sizeof *idx);
    double *val = malloc(((size_t)m * n + 1) * sizeof *val);
    size_t nz = 0;
    for (int j = 0; j < n; j++) {
        start[j] = nz;
        for (int i = 0; i < m; i++)
            if (A[i * n + j] != 0.0) {
                idx[nz] = i;
                val[nz++] = A[i * n + j];
            }
    }
    start[n] = nz;
    ck_assert_int_eq(nms_lp_add_cols(lp, (size_t)n, c, clo, chi, start, idx, val, &err), NMS_OK);
    free(start);
    free(idx);
    free(val);
    return lp;
}

/* Check primal feasibility, d = c - A'y, complementary slackness with the
 * documented signs, and objective = c'x (+offset). */
static void check_kkt(const nms_lp *lp, int m, int n, const double *A,
                      const double *rlo, const double *rhi, const double *c,
                      const double *clo, const double *chi)
{
    double x[64], y[64], d[64], ax[64];
    int maximize = nms_lp_is_maximize(lp);
    ck_assert(m <= 64 && n <= 64);
    nms_lp_get_primal(lp, x);
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_reduced_costs(lp, d);
    nms_lp_get_row_activity(lp, ax);
    double obj = nms_lp_obj_offset(lp);
    for (int j = 0; j < n; j++) {
        double lo = clo ? clo[j] : 0.0, hi = chi ? chi[j] : INF;
        ck_assert_msg(x[j] >= lo - TOL && x[j] <= hi + TOL, "x[%d]=%g not in [%g,%g]", j, x[j], lo, hi);
        double dj = c[j];
        for (int i = 0; i < m; i++)
            dj -= A[i * n + j] * y[i];
        ck_assert_msg(fabs(dj - d[j]) < TOL, "d[%d]=%g, c - A'y = %g", j, d[j], dj);
        double s = maximize ? -d[j] : d[j]; /* min-form reduced cost */
        if (x[j] > lo + TOL)
            ck_assert_msg(s <= TOL, "d[%d]=%g but x above its lower bound", j, d[j]);
        if (x[j] < hi - TOL)
            ck_assert_msg(s >= -TOL, "d[%d]=%g but x below its upper bound", j, d[j]);
        obj += c[j] * x[j];
    }
    for (int i = 0; i < m; i++) {
        double r = 0;
        for (int j = 0; j < n; j++)
            r += A[i * n + j] * x[j];
        ck_assert_msg(fabs(r - ax[i]) < TOL, "row %d activity", i);
        ck_assert_msg(r >= rlo[i] - TOL && r <= rhi[i] + TOL, "row %d = %g not in [%g,%g]", i, r, rlo[i], rhi[i]);
        double s = maximize ? -y[i] : y[i];
        if (r > rlo[i] + TOL)
            ck_assert_msg(s <= TOL, "y[%d]=%g but row above its lower bound", i, y[i]);
        if (r < rhi[i] - TOL)
            ck_assert_msg(s >= -TOL, "y[%d]=%g but row below its upper bound", i, y[i]);
    }
    ck_assert_msg(fabs(obj - nms_lp_objective(lp)) < 1e-7 * (1 + fabs(obj)), "objective");
}

static void solve_ok(nms_lp *lp, int algorithm)
{
    nms_error err;
    nms_lp_options o;
    nms_lp_options_default(&o);
    o.algorithm = algorithm;
    ck_assert_int_eq(nms_lp_solve(lp, &o, &err), NMS_OK);
}

static const int algos[] = {NMS_LP_PRIMAL, NMS_LP_DUAL};

START_TEST(test_max_two_rows)
{
    /* max 3x + 2y  s.t. x + y <= 4, x + 3y <= 6, x, y >= 0:  x = 4, y = 0, 12.
     * y1 = 3, y2 = 0, d = (0, -1). */
    double A[] = {1, 1, 1, 3}, rlo[] = {-INF, -INF}, rhi[] = {4, 6}, c[] = {3, 2};
    nms_lp *lp = build(1, 2, 2, A, rlo, rhi, c, NULL, NULL);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 12.0, 1e-9);
    double x[2], y[2], d[2];
    nms_lp_get_primal(lp, x);
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_reduced_costs(lp, d);
    ck_assert_double_eq_tol(x[0], 4, 1e-9);
    ck_assert_double_eq_tol(x[1], 0, 1e-9);
    ck_assert_double_eq_tol(y[0], 3, 1e-9);
    ck_assert_double_eq_tol(y[1], 0, 1e-9);
    ck_assert_double_eq_tol(d[0], 0, 1e-9);
    ck_assert_double_eq_tol(d[1], -1, 1e-9);
    check_kkt(lp, 2, 2, A, rlo, rhi, c, NULL, NULL);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_min_equality_upper_bound)
{
    /* min 2x1 + 3x2 + x3  s.t. x1 + x2 + x3 = 10, x1 - x2 >= 2, 0 <= x3 <= 4:
     * x = (6, 0, 4), 16; y = (2, 0); d = (0, 1, -1). */
    double A[] = {1, 1, 1, 1, -1, 0}, rlo[] = {10, 2}, rhi[] = {10, INF};
    double c[] = {2, 3, 1}, clo[] = {0, 0, 0}, chi[] = {INF, INF, 4};
    nms_lp *lp = build(0, 2, 3, A, rlo, rhi, c, clo, chi);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 16.0, 1e-9);
    double x[3], y[2], d[3];
    nms_lp_get_primal(lp, x);
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_reduced_costs(lp, d);
    ck_assert_double_eq_tol(x[0], 6, 1e-9);
    ck_assert_double_eq_tol(x[1], 0, 1e-9);
    ck_assert_double_eq_tol(x[2], 4, 1e-9);
    ck_assert_double_eq_tol(y[0], 2, 1e-9);
    ck_assert_double_eq_tol(y[1], 0, 1e-9);
    ck_assert_double_eq_tol(d[1], 1, 1e-9);
    ck_assert_double_eq_tol(d[2], -1, 1e-9);
    int cs[3], rs[2];
    nms_lp_get_basis(lp, cs, rs);
    ck_assert_int_eq(cs[2], NMS_LP_AT_UPPER);
    ck_assert_int_eq(cs[0], NMS_LP_BASIC);
    check_kkt(lp, 2, 3, A, rlo, rhi, c, clo, chi);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_infeasible)
{
    double A[] = {1, 1, 1, 1}, rlo[] = {-INF, 2}, rhi[] = {1, INF}, c[] = {1, 1};
    nms_lp *lp = build(0, 2, 2, A, rlo, rhi, c, NULL, NULL);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_INFEASIBLE);
    nms_lp_free(lp);
    /* infeasible through column bounds: x + y = 5, x <= 1, y <= 2 */
    double A2[] = {1, 1}, rlo2[] = {5}, rhi2[] = {5}, chi2[] = {1, 2};
    lp = build(0, 1, 2, A2, rlo2, rhi2, c, NULL, chi2);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_INFEASIBLE);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_unbounded)
{
    /* min -x  s.t. x - y <= 1, x, y >= 0 */
    double A[] = {1, -1}, rlo[] = {-INF}, rhi[] = {1}, c[] = {-1, 0};
    nms_lp *lp = build(0, 1, 2, A, rlo, rhi, c, NULL, NULL);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_UNBOUNDED);
    nms_lp_free(lp);
    /* free column with cost, no rows touching it */
    double c2[] = {1}, lo2[] = {-INF}, hi2[] = {INF};
    nms_lp *lp2 = NULL;
    nms_lp_create(&lp2, NULL);
    size_t st[] = {0, 0};
    ck_assert_int_eq(nms_lp_add_cols(lp2, 1, c2, lo2, hi2, st, NULL, NULL, NULL), NMS_OK);
    solve_ok(lp2, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp2), NMS_LP_UNBOUNDED);
    nms_lp_free(lp2);
}
END_TEST

START_TEST(test_free_vars)
{
    /* min x + 2y  s.t. x + y >= 3, x - y <= 1, x, y free: (2, 1), 4;
     * y = (1.5, -0.5). */
    double A[] = {1, 1, 1, -1}, rlo[] = {3, -INF}, rhi[] = {INF, 1}, c[] = {1, 2};
    double clo[] = {-INF, -INF}, chi[] = {INF, INF};
    nms_lp *lp = build(0, 2, 2, A, rlo, rhi, c, clo, chi);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 4.0, 1e-9);
    double x[2], y[2];
    nms_lp_get_primal(lp, x);
    nms_lp_get_row_duals(lp, y);
    ck_assert_double_eq_tol(x[0], 2, 1e-9);
    ck_assert_double_eq_tol(x[1], 1, 1e-9);
    ck_assert_double_eq_tol(y[0], 1.5, 1e-9);
    ck_assert_double_eq_tol(y[1], -0.5, 1e-9);
    check_kkt(lp, 2, 2, A, rlo, rhi, c, clo, chi);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_range_row)
{
    /* min -x - 2y s.t. 1 <= x + y <= 2, 0 <= x, y <= 1.5: (0.5, 1.5), -3.5;
     * y_row = -1, d = (0, -1). */
    double A[] = {1, 1}, rlo[] = {1}, rhi[] = {2}, c[] = {-1, -2};
    double clo[] = {0, 0}, chi[] = {1.5, 1.5};
    nms_lp *lp = build(0, 1, 2, A, rlo, rhi, c, clo, chi);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), -3.5, 1e-9);
    double y[1], d[2];
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_reduced_costs(lp, d);
    ck_assert_double_eq_tol(y[0], -1, 1e-9);
    ck_assert_double_eq_tol(d[1], -1, 1e-9);
    check_kkt(lp, 1, 2, A, rlo, rhi, c, clo, chi);
    /* now maximise the same: x = y = 1 ... any with x + y = 1 minimising
     * x + 2y: (1, 0)? max of -x-2y on 1 <= x+y: x=1, y=0, -1. */
    nms_lp_set_maximize(lp, 1);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), -1.0, 1e-9);
    nms_lp_get_row_duals(lp, y);
    ck_assert_double_eq_tol(y[0], -1, 1e-9); /* d(max obj)/d(lower bound 1) */
    check_kkt(lp, 1, 2, A, rlo, rhi, c, clo, chi);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_fixed_and_empty)
{
    /* min 3x + y - z + 0w  s.t. x + y >= 2 (row 0), empty row -1 <= 0 <= 1,
     * x fixed at 0.5, z empty column in [0, 5], w free empty column.
     * x = 0.5, y = 1.5, z = 5: 1.5 + 1.5 - 5 = -2; y_row0 = 1; d_x = 2. */
    double A[] = {1, 1, 0, 0, 0, 0, 0, 0}, rlo[] = {2, -1}, rhi[] = {INF, 1};
    double c[] = {3, 1, -1, 0}, clo[] = {0.5, 0, 0, -INF}, chi[] = {0.5, INF, 5, INF};
    nms_lp *lp = build(0, 2, 4, A, rlo, rhi, c, clo, chi);
    nms_lp_set_obj_offset(lp, 10.0);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 8.0, 1e-9);
    double x[4], y[2], d[4];
    nms_lp_get_primal(lp, x);
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_reduced_costs(lp, d);
    ck_assert_double_eq_tol(x[0], 0.5, 1e-12);
    ck_assert_double_eq_tol(x[1], 1.5, 1e-9);
    ck_assert_double_eq_tol(x[2], 5, 1e-12);
    ck_assert_double_eq_tol(x[3], 0, 1e-12);
    ck_assert_double_eq_tol(y[0], 1, 1e-9);
    ck_assert_double_eq_tol(y[1], 0, 1e-9);
    ck_assert_double_eq_tol(d[0], 2, 1e-9);
    ck_assert_double_eq_tol(d[2], -1, 1e-9);
    check_kkt(lp, 2, 4, A, rlo, rhi, c, clo, chi);
    nms_lp_free(lp);
    /* an empty row that cannot be satisfied */
    double rlo2[] = {2, 1}, rhi2[] = {INF, 2};
    lp = build(0, 2, 4, A, rlo2, rhi2, c, clo, chi);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_INFEASIBLE);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_beale_cycling)
{
    /* Beale's example (cycles with Dantzig + lowest index): optimum -1/20 at
     * x = (1/25, 0, 1, 0). */
    double A[] = {0.25, -60, -0.04, 9, 0.5, -90, -0.02, 3};
    double rlo[] = {-INF, -INF}, rhi[] = {0, 0}, c[] = {-0.75, 150, -0.02, 6};
    double clo[] = {0, 0, 0, 0}, chi[] = {INF, INF, 1, INF};
    nms_lp *lp = build(0, 2, 4, A, rlo, rhi, c, clo, chi);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), -0.05, 1e-9);
    double x[4];
    nms_lp_get_primal(lp, x);
    ck_assert_double_eq_tol(x[0], 0.04, 1e-9);
    ck_assert_double_eq_tol(x[2], 1, 1e-9);
    check_kkt(lp, 2, 4, A, rlo, rhi, c, clo, chi);
    nms_lp_free(lp);
}
END_TEST

START_TEST(test_degenerate_assignment)
{
    /* 4x4 assignment (massively degenerate), max sum of w_ij x_ij:
     * rows = 8 equalities, optimum by enumeration of the 24 permutations. */
    double w[4][4] = {{7, 3, 9, 1}, {2, 8, 4, 6}, {5, 5, 1, 9}, {6, 2, 7, 3}};
    double A[8 * 16] = {0}, rlo[8], rhi[8], c[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            int k = i * 4 + j;
            A[i * 16 + k] = 1;
            A[(4 + j) * 16 + k] = 1;
            c[k] = w[i][j];
        }
    for (int r = 0; r < 8; r++)
        rlo[r] = rhi[r] = 1;
    double best = -1;
    int p[4];
    for (p[0] = 0; p[0] < 4; p[0]++)
        for (p[1] = 0; p[1] < 4; p[1]++)
            for (p[2] = 0; p[2] < 4; p[2]++)
                for (p[3] = 0; p[3] < 4; p[3]++) {
                    if (p[0] == p[1] || p[0] == p[2] || p[0] == p[3] || p[1] == p[2] ||
                        p[1] == p[3] || p[2] == p[3])
                        continue;
                    double s = w[0][p[0]] + w[1][p[1]] + w[2][p[2]] + w[3][p[3]];
                    if (s > best)
                        best = s;
                }
    nms_lp *lp = build(1, 8, 16, A, rlo, rhi, c, NULL, NULL);
    solve_ok(lp, algos[_i]);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), best, 1e-9);
    check_kkt(lp, 8, 16, A, rlo, rhi, c, NULL, NULL);
    nms_lp_free(lp);
}
END_TEST

/* ---- warm start on a set-partitioning master ---- */

typedef struct {
    int C, ncols;
    int (*sets)[4];
    double *v;
} sp_cols;

static unsigned rng_next(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static sp_cols make_cols(int C, int ncols, unsigned seed)
{
    sp_cols sc;
    sc.C = C;
    sc.ncols = ncols;
    sc.sets = malloc((size_t)ncols * sizeof *sc.sets);
    sc.v = malloc((size_t)ncols * sizeof *sc.v);
    for (int k = 0; k < ncols; k++) {
        if (k < C / 4) { /* the identity partition keeps the master feasible */
            for (int t = 0; t < 4; t++)
                sc.sets[k][t] = 4 * k + t;
        } else {
            int chosen[64] = {0};
            for (int t = 0; t < 4; t++) {
                int e;
                do e = (int)(rng_next(&seed) % (unsigned)C); while (chosen[e]);
                chosen[e] = 1;
                sc.sets[k][t] = e;
            }
        }
        sc.v[k] = 1.0 + (double)(rng_next(&seed) % 1000) / 100.0;
    }
    return sc;
}

static void add_sp_cols(nms_lp *lp, const sp_cols *sc, int from, int to)
{
    int n = to - from;
    size_t *start = malloc(((size_t)n + 1) * sizeof *start);
    int32_t *idx = malloc((size_t)n * 4 * sizeof *idx);
    double *val = malloc((size_t)n * 4 * sizeof *val);
    double *lo = malloc((size_t)n * sizeof *lo), *hi = malloc((size_t)n * sizeof *hi);
    for (int k = 0; k < n; k++) {
        start[k] = (size_t)k * 4;
        for (int t = 0; t < 4; t++) {
            idx[k * 4 + t] = sc->sets[from + k][t];
            val[k * 4 + t] = 1.0;
        }
        lo[k] = 0;
        hi[k] = INF;
    }
    start[n] = (size_t)n * 4;
    ck_assert_int_eq(nms_lp_add_cols(lp, (size_t)n, sc->v + from, lo, hi, start, idx, val, NULL), NMS_OK);
    free(start); free(idx); free(val); free(lo); free(hi);
}

static nms_lp *sp_master(int C)
{
    nms_lp *lp = NULL;
    ck_assert_int_eq(nms_lp_create(&lp, NULL), NMS_OK);
    nms_lp_set_maximize(lp, 1);
    double one[64];
    for (int i = 0; i < C; i++)
        one[i] = 1.0;
    ck_assert_int_eq(nms_lp_add_rows(lp, (size_t)C, one, one, NULL), NMS_OK);
    return lp;
}

static void check_sp_duals(const nms_lp *lp, const sp_cols *sc, int ncols)
{
    double pi[64], x[4096], sum = 0, act[64] = {0};
    nms_lp_get_row_duals(lp, pi);
    nms_lp_get_primal(lp, x);
    for (int i = 0; i < sc->C; i++)
        sum += pi[i];
    ck_assert_double_eq_tol(sum, nms_lp_objective(lp), 1e-7);
    for (int k = 0; k < ncols; k++) {
        double red = sc->v[k];
        for (int t = 0; t < 4; t++) {
            red -= pi[sc->sets[k][t]];
            act[sc->sets[k][t]] += x[k];
        }
        ck_assert_msg(red <= 1e-7, "column %d has v - pi(S) = %g > 0", k, red);
        ck_assert(x[k] >= -1e-9);
    }
    for (int i = 0; i < sc->C; i++)
        ck_assert_double_eq_tol(act[i], 1.0, 1e-9);
}

START_TEST(test_warm_start_columns)
{
    int C = 32, total = 2000;
    sp_cols sc = make_cols(C, total, 777u);
    nms_lp *warm = sp_master(C);
    int have = 0;
    long warm_iters = 0;
    for (int round = 0; have < total; round++) {
        int add = round == 0 ? 40 : 60 + round * 10;
        if (have + add > total)
            add = total - have;
        add_sp_cols(warm, &sc, have, have + add);
        have += add;
        solve_ok(warm, NMS_LP_PRIMAL);
        ck_assert_int_eq(nms_lp_get_status(warm), NMS_LP_OPTIMAL);
        warm_iters += nms_lp_iterations(warm);
        check_sp_duals(warm, &sc, have);
        /* the same columns solved cold */
        nms_lp *cold = sp_master(C);
        add_sp_cols(cold, &sc, 0, have);
        solve_ok(cold, NMS_LP_PRIMAL);
        ck_assert_int_eq(nms_lp_get_status(cold), NMS_LP_OPTIMAL);
        ck_assert_double_eq_tol(nms_lp_objective(warm), nms_lp_objective(cold),
                                1e-8 * (1 + fabs(nms_lp_objective(cold))));
        nms_lp_free(cold);
    }
    ck_assert(warm_iters > 0);
    /* branching: fix a fractional or basic column to 0, warm re-solve == cold */
    double x[2000];
    nms_lp_get_primal(warm, x);
    int fixcol = -1;
    for (int k = 0; k < total; k++)
        if (x[k] > 0.5) { fixcol = k; break; }
    ck_assert(fixcol >= 0);
    ck_assert_int_eq(nms_lp_set_col_bounds(warm, (size_t)fixcol, 0, 0, NULL), NMS_OK);
    for (int a = 0; a < 2; a++) {
        solve_ok(warm, algos[a]);
        ck_assert_int_eq(nms_lp_get_status(warm), NMS_LP_OPTIMAL);
        nms_lp *cold = sp_master(C);
        add_sp_cols(cold, &sc, 0, total);
        nms_lp_set_col_bounds(cold, (size_t)fixcol, 0, 0, NULL);
        solve_ok(cold, NMS_LP_PRIMAL);
        ck_assert_double_eq_tol(nms_lp_objective(warm), nms_lp_objective(cold),
                                1e-8 * (1 + fabs(nms_lp_objective(cold))));
        nms_lp_free(cold);
    }
    nms_lp_get_primal(warm, x);
    ck_assert_double_eq_tol(x[fixcol], 0.0, 1e-12);
    nms_lp_free(warm);
    free(sc.sets);
    free(sc.v);
}
END_TEST

/* A set-partitioning master with total random columns, solved optimal. */
static nms_lp *solved_sp_master(int C, int total, unsigned seed, sp_cols *sc)
{
    *sc = make_cols(C, total, seed);
    nms_lp *lp = sp_master(C);
    add_sp_cols(lp, sc, 0, total);
    solve_ok(lp, NMS_LP_PRIMAL);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    return lp;
}

/* Deleting columns: the nonbasic ones keep the basis (a warm re-solve takes
 * no iteration and keeps the optimum); deleting a basic one gives the
 * optimum of the LP built without it.  The kept columns' data move with
 * them (checked through the primal values against a fresh LP). */
/* One LP solved, then grown by a row and a column and solved again: the
 * storage its first solve left (the work block, a spare factor object of
 * the old row count) must not leak into the second.  max x0 + x1 + 5 x2,
 * x0 + x1 + x2 <= 4, x2 <= 1 (the new row), x0 <= 3: the optimum is 8,
 * as for the same LP built whole. */
START_TEST(test_grow_after_solve)
{
    nms_error err;
    const double A1[] = {1, 1}, r1lo[] = {-HUGE_VAL}, r1hi[] = {4}, c1[] = {1, 1}, lo[] = {0, 0, 0},
                 hi[] = {3, HUGE_VAL, HUGE_VAL};
    nms_lp *lp = build(1, 1, 2, A1, r1lo, r1hi, c1, lo, hi);
    ck_assert_int_eq(nms_lp_solve(lp, NULL, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 4.0, 1e-9);
    const double r2lo[] = {-HUGE_VAL}, r2hi[] = {1}, c2[] = {5}, v2[] = {1, 1};
    const size_t start[] = {0, 2};
    const int32_t idx[] = {0, 1};
    ck_assert_int_eq(nms_lp_add_rows(lp, 1, r2lo, r2hi, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_add_cols(lp, 1, c2, lo, hi + 1, start, idx, v2, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_solve(lp, NULL, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 8.0, 1e-9);
    const double A[] = {1, 1, 1, 0, 0, 1}, rlo[] = {-HUGE_VAL, -HUGE_VAL}, rhi[] = {4, 1}, c[] = {1, 1, 5};
    nms_lp *whole = build(1, 2, 3, A, rlo, rhi, c, lo, hi);
    ck_assert_int_eq(nms_lp_solve(whole, NULL, &err), NMS_OK);
    ck_assert_double_eq_tol(nms_lp_objective(whole), nms_lp_objective(lp), 1e-9);
    nms_lp_free(lp);
    nms_lp_free(whole);
}
END_TEST

START_TEST(test_delete_cols)
{
    int C = 32, total = 600;
    sp_cols sc;
    nms_lp *lp = solved_sp_master(C, total, 4242u, &sc);
    double z = nms_lp_objective(lp);
    int stat[600];
    unsigned char drop[600] = {0};
    int map[600], kept = 0; /* new index -> original column */
    nms_lp_get_basis(lp, stat, NULL);
    int basic = -1;
    for (int k = 0; k < total; k++) {
        if (stat[k] == NMS_LP_BASIC && basic < 0 && k >= C / 4)
            basic = k; /* kept for the second part */
        drop[k] = stat[k] != NMS_LP_BASIC && k % 3 != 0 && k >= C / 4;
        if (!drop[k])
            map[kept++] = k;
    }
    ck_assert(basic >= 0 && kept < total - 100);
    ck_assert_int_eq(nms_lp_delete_cols(lp, drop, NULL), NMS_OK);
    ck_assert_uint_eq(nms_lp_num_cols(lp), (size_t)kept);
    /* the factors kept from the solve follow their columns to the new
     * indices (lp.h): each position still names a basic variable */
    ck_assert_ptr_nonnull(lp->lu_cache);
    for (int k = 0; k < C; k++) {
        int h = lp->lu_head[k];
        ck_assert_int_eq(h >= 0 ? lp->col_stat[h] : lp->row_stat[-1 - h], NMS_LP_BASIC);
    }
    ck_assert_uint_eq(nms_lp_num_nonzeros(lp), 4 * (size_t)kept);
    solve_ok(lp, NMS_LP_PRIMAL);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_int_eq(nms_lp_iterations(lp), 0);
    ck_assert_double_eq_tol(nms_lp_objective(lp), z, 1e-9 * (1 + fabs(z)));
    /* the kept columns, in order, as a fresh LP: same primal solution */
    sp_cols kc = sc;
    kc.ncols = kept;
    kc.sets = malloc((size_t)kept * sizeof *kc.sets);
    kc.v = malloc((size_t)kept * sizeof *kc.v);
    for (int k = 0; k < kept; k++) {
        memcpy(kc.sets[k], sc.sets[map[k]], sizeof kc.sets[k]);
        kc.v[k] = sc.v[map[k]];
    }
    check_sp_duals(lp, &kc, kept);
    /* now a basic column: the warm solve starts again and equals cold */
    unsigned char drop2[600] = {0};
    int nb = -1;
    for (int k = 0; k < kept; k++)
        if (map[k] == basic)
            nb = k;
    ck_assert(nb >= 0);
    drop2[nb] = 1;
    ck_assert_int_eq(nms_lp_delete_cols(lp, drop2, NULL), NMS_OK);
    for (int k = nb; k + 1 < kept; k++) {
        memcpy(kc.sets[k], kc.sets[k + 1], sizeof kc.sets[k]);
        kc.v[k] = kc.v[k + 1];
    }
    kc.ncols = --kept;
    for (int a = 0; a < 2; a++) {
        solve_ok(lp, algos[a]);
        ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
        nms_lp *cold = sp_master(C);
        add_sp_cols(cold, &kc, 0, kept);
        solve_ok(cold, NMS_LP_PRIMAL);
        ck_assert_double_eq_tol(nms_lp_objective(lp), nms_lp_objective(cold),
                                1e-8 * (1 + fabs(nms_lp_objective(cold))));
        nms_lp_free(cold);
    }
    check_sp_duals(lp, &kc, kept);
    ck_assert_int_eq(nms_lp_delete_cols(NULL, drop, NULL), NMS_ERR_INVALID);
    ck_assert_int_eq(nms_lp_delete_cols(lp, NULL, NULL), NMS_ERR_INVALID);
    nms_lp_free(lp);
    free(kc.sets);
    free(kc.v);
    free(sc.sets);
    free(sc.v);
}
END_TEST

/* A basis saved from one LP and set on another with the same rows and
 * columns (added in another order of calls): the solve starts optimal (no
 * iteration) at the same objective; with one column fixed to zero the
 * warm solve from that basis equals a cold one.  Bad arguments: errors. */
START_TEST(test_set_basis)
{
    int C = 32, total = 500;
    sp_cols sc;
    nms_lp *a = solved_sp_master(C, total, 9191u, &sc);
    ck_assert(nms_lp_iterations(a) > 0);
    int cs[500], rs[32];
    nms_lp_get_basis(a, cs, rs);
    nms_lp *b = sp_master(C);
    add_sp_cols(b, &sc, 0, 200);
    add_sp_cols(b, &sc, 200, total);
    ck_assert_int_eq(nms_lp_set_basis(b, cs, rs, NULL), NMS_OK);
    solve_ok(b, NMS_LP_PRIMAL);
    ck_assert_int_eq(nms_lp_get_status(b), NMS_LP_OPTIMAL);
    ck_assert_int_eq(nms_lp_iterations(b), 0);
    ck_assert_double_eq_tol(nms_lp_objective(b), nms_lp_objective(a), 1e-9 * (1 + fabs(nms_lp_objective(a))));
    /* fix a basic column with x > 0 at zero, from the saved basis again */
    double x[500];
    nms_lp_get_primal(a, x);
    int fix = -1;
    for (int k = 0; k < total && fix < 0; k++)
        if (cs[k] == NMS_LP_BASIC && x[k] > 1e-6)
            fix = k;
    ck_assert(fix >= 0);
    nms_lp *c = sp_master(C);
    add_sp_cols(c, &sc, 0, total);
    nms_lp_set_col_bounds(c, (size_t)fix, 0, 0, NULL);
    nms_lp *cold = sp_master(C);
    add_sp_cols(cold, &sc, 0, total);
    nms_lp_set_col_bounds(cold, (size_t)fix, 0, 0, NULL);
    solve_ok(cold, NMS_LP_PRIMAL);
    for (int al = 0; al < 2; al++) {
        ck_assert_int_eq(nms_lp_set_basis(c, cs, rs, NULL), NMS_OK);
        solve_ok(c, algos[al]);
        ck_assert_int_eq(nms_lp_get_status(c), NMS_LP_OPTIMAL);
        ck_assert_double_eq_tol(nms_lp_objective(c), nms_lp_objective(cold),
                                1e-8 * (1 + fabs(nms_lp_objective(cold))));
    }
    /* errors: NULL, a wrong count, an unknown status */
    ck_assert_int_eq(nms_lp_set_basis(b, NULL, rs, NULL), NMS_ERR_INVALID);
    int bad = cs[fix];
    cs[fix] = NMS_LP_AT_LOWER;
    ck_assert_int_eq(nms_lp_set_basis(b, cs, rs, NULL), NMS_ERR_INVALID);
    cs[fix] = 9;
    ck_assert_int_eq(nms_lp_set_basis(b, cs, rs, NULL), NMS_ERR_INVALID);
    cs[fix] = bad;
    nms_lp_free(a);
    nms_lp_free(b);
    nms_lp_free(c);
    nms_lp_free(cold);
    free(sc.sets);
    free(sc.v);
}
END_TEST

static void count_tick(void *ctx)
{
    ++*(long *)ctx;
}

START_TEST(test_errors_and_limits)
{
    nms_lp *lp = NULL;
    nms_error err;
    ck_assert_int_eq(nms_lp_create(&lp, &err), NMS_OK);
    double lo[] = {1}, hi[] = {0};
    ck_assert_int_eq(nms_lp_add_rows(lp, 1, lo, hi, &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "invalid bounds"));
    double lo2[] = {0}, hi2[] = {1};
    ck_assert_int_eq(nms_lp_add_rows(lp, 1, lo2, hi2, &err), NMS_OK);
    size_t st[] = {0, 1};
    int32_t idx[] = {3};
    double val[] = {1};
    ck_assert_int_eq(nms_lp_add_cols(lp, 1, NULL, NULL, NULL, st, idx, val, &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "out of range"));
    ck_assert_int_eq(nms_lp_num_cols(lp), 0);
    nms_lp_options o;
    nms_lp_options_default(&o);
    o.primal_feas_tol = -1;
    ck_assert_int_eq(nms_lp_solve(lp, &o, &err), NMS_ERR_INVALID);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_UNSOLVED);
    ck_assert_str_eq(nms_lp_status_name(NMS_LP_OPTIMAL), "optimal");
    nms_lp_free(lp);
    nms_lp_free(NULL);
    /* iteration limit and interrupt on the assignment-like master */
    sp_cols sc = make_cols(32, 500, 99u);
    lp = sp_master(32);
    add_sp_cols(lp, &sc, 0, 500);
    nms_lp_options_default(&o);
    o.iteration_limit = 3;
    ck_assert_int_eq(nms_lp_solve(lp, &o, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_ITERATION_LIMIT);
    ck_assert_int_le(nms_lp_iterations(lp), 3);
    volatile int stop = 1;
    nms_lp_options_default(&o);
    o.interrupt = &stop;
    ck_assert_int_eq(nms_lp_solve(lp, &o, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_INTERRUPTED);
    stop = 0;
    long ticks = 0;
    o.tick = count_tick;
    o.tick_ctx = &ticks;
    ck_assert_int_eq(nms_lp_solve(lp, &o, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    /* the tick: at least once per 16 iterations */
    ck_assert_msg(nms_lp_iterations(lp) >= 32 && ticks >= nms_lp_iterations(lp) / 16, "%ld ticks in %ld iterations",
                  ticks, nms_lp_iterations(lp));
    nms_lp_free(lp);
    free(sc.sets);
    free(sc.v);
}
END_TEST

/* Warm start on a real set-partitioning LP (air03 of MIPLIB, from the shared
 * data): its rows, then its columns in 4 batches with a solve after each; the
 * last solve must equal the reference optimum (and a cold solve). */
START_TEST(test_warm_start_air03)
{
    const char *dir = getenv("NMS_SHARED_DATA");
    char path[4096];
    if (!dir || !*dir) {
        printf("test_warm_start_air03: NMS_SHARED_DATA unset, skipped\n");
        return;
    }
    snprintf(path, sizeof path, "%s/lp/setpart/air03.mps.gz", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("test_warm_start_air03: %s absent, skipped\n", path);
        return;
    }
    fclose(f);
    nms_lp *full = NULL;
    nms_error err;
    int rc = nms_lp_read_mps(path, &full, &err);
    if (rc == NMS_ERR_UNSUPPORTED) { /* built without zlib */
        printf("test_warm_start_air03: no zlib, skipped\n");
        return;
    }
    ck_assert_msg(rc == NMS_OK, "%s", err.text);
    nms_lp *lp = NULL;
    ck_assert_int_eq(nms_lp_create(&lp, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_add_rows(lp, full->m, full->row_lo, full->row_hi, &err), NMS_OK);
    size_t n = full->n, done = 0;
    long warm_its = 0;
    for (int b = 1; b <= 4; b++) {
        size_t upto = n * (size_t)b / 4;
        ck_assert_int_eq(nms_lp_add_cols(lp, upto - done, full->cost + done, full->col_lo + done,
                                         full->col_hi + done, full->col_start + done,
                                         full->row_index, full->value, &err), NMS_OK);
        done = upto;
        ck_assert_int_eq(nms_lp_solve(lp, NULL, &err), NMS_OK);
        /* the first batches may be infeasible: every row must be covered */
        nms_lp_status st = nms_lp_get_status(lp);
        ck_assert(st == NMS_LP_OPTIMAL || st == NMS_LP_INFEASIBLE);
        if (b > 1)
            warm_its += nms_lp_iterations(lp);
    }
    ck_assert_int_eq(nms_lp_get_status(lp), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), 338864.25, 1e-6 * 338864.25);
    ck_assert_int_eq(nms_lp_solve(full, NULL, &err), NMS_OK);
    ck_assert_int_eq(nms_lp_get_status(full), NMS_LP_OPTIMAL);
    ck_assert_double_eq_tol(nms_lp_objective(lp), nms_lp_objective(full), 1e-7 * 338864.25);
    /* duals of the warm solve: d = c - A'y >= 0 for every column at 0 */
    double *y = malloc(full->m * sizeof *y), *x = malloc(n * sizeof *x);
    nms_lp_get_row_duals(lp, y);
    nms_lp_get_primal(lp, x);
    for (size_t j = 0; j < n; j++) {
        double d = full->cost[j];
        for (size_t p = full->col_start[j]; p < full->col_start[j + 1]; p++)
            d -= full->value[p] * y[full->row_index[p]];
        if (x[j] <= 1e-9)
            ck_assert_msg(d >= -1e-6, "column %zu: reduced cost %g at lower bound", j, d);
    }
    free(y);
    free(x);
    printf("test_warm_start_air03: optimum %.10g, warm re-solves %ld iterations, cold %ld\n",
           nms_lp_objective(lp), warm_its, nms_lp_iterations(full));
    nms_lp_free(lp);
    nms_lp_free(full);
}
END_TEST

/* ---------------------------------------------------------------- LU */

static unsigned lu_rng = 12345u;
static double lu_rand(void)
{
    lu_rng = lu_rng * 1103515245u + 12345u;
    return (double)((lu_rng >> 8) & 0xffffff) / 16777216.0;
}

/* A sparse m x m matrix as columns (start, rows, vals) and dense (A, row
 * major).  kind 0: column-dominant diagonal (nonsingular) with up to five
 * other entries per column, rows permuted, and, when m is large, a few
 * dense columns (over a tenth of m: the factorization leaves them for
 * last); kind 1: 0/1 columns of four ones on a permuted identity, as the
 * partition master's bases. */
static void lu_matrix(int m, int kind, int *start, int *rows, double *vals, double *A)
{
    int *perm = malloc((size_t)m * sizeof *perm);
    for (int i = 0; i < m; i++)
        perm[i] = i;
    for (int i = m - 1; i > 0; i--) {
        int k = (int)(lu_rand() * (i + 1)), t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
    }
    memset(A, 0, (size_t)m * m * sizeof *A);
    for (int k = 0; k < m; k++) {
        int dense = kind == 0 && m >= 60 && k % 17 == 3;
        int extra = dense ? m / 2 : kind == 0 ? (int)(lu_rand() * 6) : 3;
        A[perm[k] * m + k] = kind == 0 ? 8.0 + lu_rand() : 1.0;
        for (int e = 0; e < extra; e++) {
            int i = (int)(lu_rand() * m);
            if (i != perm[k])
                A[i * m + k] = kind == 0 ? 2.0 * lu_rand() - 1.0 : 1.0;
        }
    }
    int nz = 0;
    for (int k = 0; k < m; k++) {
        start[k] = nz;
        for (int i = 0; i < m; i++)
            if (A[i * m + k] != 0.0) {
                rows[nz] = i;
                vals[nz++] = A[i * m + k];
            }
    }
    start[m] = nz;
    free(perm);
}

/* max |B x - b| after FTRAN and max |B' y - c| after BTRAN, random b, c. */
static double lu_residual(nms__lu *lu, int m, const double *A)
{
    double *b = malloc((size_t)m * sizeof *b), *x = malloc((size_t)m * sizeof *x);
    double err = 0.0;
    for (int i = 0; i < m; i++)
        b[i] = x[i] = 2.0 * lu_rand() - 1.0;
    nms__lu_ftran(lu, x);
    for (int i = 0; i < m; i++) {
        double s = -b[i];
        for (int k = 0; k < m; k++)
            s += A[i * m + k] * x[k];
        err = fmax(err, fabs(s));
    }
    for (int k = 0; k < m; k++)
        b[k] = x[k] = 2.0 * lu_rand() - 1.0;
    nms__lu_btran(lu, x);
    for (int k = 0; k < m; k++) {
        double s = -b[k];
        for (int i = 0; i < m; i++)
            s += A[i * m + k] * x[i];
        err = fmax(err, fabs(s));
    }
    free(b);
    free(x);
    return err;
}

/* Factor, solve, update: FTRAN and BTRAN solve the factored matrix, and
 * after each product-form update the matrix with the new column; a
 * duplicated column is reported singular with a row left unpivoted, and
 * with a unit column there instead the factorization is exact again.  The
 * Markowitz order keeps L + U small on the 0/1 bases. */
START_TEST(test_lu_factor_solve_update)
{
    const int sizes[] = {1, 5, 40, 96, 130};
    for (int kind = 0; kind < 2; kind++)
        for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
            int m = sizes[t];
            int *start = malloc(((size_t)m + 1) * sizeof *start);
            int *rows = malloc((size_t)m * m * sizeof *rows);
            double *vals = malloc((size_t)m * m * sizeof *vals);
            double *A = malloc((size_t)m * m * sizeof *A);
            int *sing_pos = malloc((size_t)m * sizeof *sing_pos);
            int *sing_row = malloc((size_t)m * sizeof *sing_row);
            double *alpha = malloc((size_t)m * sizeof *alpha);
            lu_matrix(m, kind, start, rows, vals, A);
            nms__lu *lu = nms__lu_create(m);
            ck_assert_ptr_nonnull(lu);
            int nsing = -1;
            ck_assert_int_eq(nms__lu_factor(lu, start, rows, vals, &nsing, sing_pos, sing_row), 0);
            if (kind == 1 && nsing > 0) { /* a random 0/1 basis may be singular: skip it */
                nms__lu_free(lu);
                free(start); free(rows); free(vals); free(A);
                free(sing_pos); free(sing_row); free(alpha);
                continue;
            }
            ck_assert_int_eq(nsing, 0);
            ck_assert_msg(lu_residual(lu, m, A) < 1e-9, "m %d kind %d: residual %g", m, kind,
                          lu_residual(lu, m, A));
            if (kind == 1 && m >= 96) /* B has 4m nonzeros */
                ck_assert_msg(nms__lu_nnz(lu) < (size_t)(3 * 4 * m), "m %d: L + U hold %zu", m,
                              nms__lu_nnz(lu));
            /* updates: column r becomes a random sparse column */
            for (int u = 0; u < 12; u++) {
                int r = (int)(lu_rand() * m);
                for (int i = 0; i < m; i++)
                    A[i * m + r] = 0.0;
                A[((r + u) % m) * m + r] = 4.0 + lu_rand();
                for (int e = 0; e < 3; e++)
                    A[(int)(lu_rand() * m) * m + r] += lu_rand();
                for (int i = 0; i < m; i++)
                    alpha[i] = A[i * m + r];
                nms__lu_ftran(lu, alpha);
                if (fabs(alpha[r]) < 1e-3) /* would be (nearly) singular: put it back */
                    break;
                ck_assert_int_eq(nms__lu_update(lu, r, alpha), 0);
                ck_assert_msg(lu_residual(lu, m, A) < 1e-8, "m %d kind %d update %d: residual %g",
                              m, kind, u, lu_residual(lu, m, A));
            }
            /* column src duplicated into column m - 1 (src = 3 is one of the
             * dense columns, left for last, when there are any) */
            if (m >= 5) {
                int src = kind == 0 && m >= 60 ? 3 : 0;
                lu_matrix(m, kind, start, rows, vals, A);
                int nz0 = start[src + 1] - start[src];
                int base = start[m - 1];
                ck_assert_int_le(base + nz0, m * m);
                for (int e = 0; e < nz0; e++) {
                    rows[base + e] = rows[start[src] + e];
                    vals[base + e] = vals[start[src] + e];
                }
                start[m] = base + nz0;
                ck_assert_int_eq(nms__lu_factor(lu, start, rows, vals, &nsing, sing_pos, sing_row), 0);
                ck_assert_int_ge(nsing, 1);
                int named = 0;
                for (int q = 0; q < nsing; q++)
                    named |= sing_pos[q] == src || sing_pos[q] == m - 1;
                ck_assert_msg(named, "m %d kind %d: the duplicate is not among %d singular columns",
                              m, kind, nsing);
                /* the caller's repair: unit columns on the rows left */
                int *s2 = malloc(((size_t)m + 1) * sizeof *s2);
                int *r2 = malloc((size_t)m * m * sizeof *r2);
                double *v2 = malloc((size_t)m * m * sizeof *v2);
                memset(A, 0, (size_t)m * m * sizeof *A);
                int nz = 0;
                for (int k = 0; k < m; k++) {
                    s2[k] = nz;
                    int sk = -1;
                    for (int q = 0; q < nsing; q++)
                        if (sing_pos[q] == k)
                            sk = q;
                    if (sk >= 0) {
                        r2[nz] = sing_row[sk];
                        v2[nz++] = 1.0;
                        A[sing_row[sk] * m + k] = 1.0;
                    } else {
                        for (int e = start[k]; e < start[k + 1]; e++) {
                            r2[nz] = rows[e];
                            v2[nz++] = vals[e];
                            A[rows[e] * m + k] = vals[e];
                        }
                    }
                }
                s2[m] = nz;
                ck_assert_int_eq(nms__lu_factor(lu, s2, r2, v2, &nsing, sing_pos, sing_row), 0);
                ck_assert_int_eq(nsing, 0);
                ck_assert_msg(lu_residual(lu, m, A) < 1e-9, "m %d kind %d repaired: residual %g",
                              m, kind, lu_residual(lu, m, A));
                free(s2); free(r2); free(v2);
            }
            nms__lu_free(lu);
            free(start); free(rows); free(vals); free(A);
            free(sing_pos); free(sing_row); free(alpha);
        }
}
END_TEST

static Suite *lp_suite(void)
{
    Suite *s = suite_create("lp");
    TCase *tc = tcase_create("hand");
    tcase_add_loop_test(tc, test_max_two_rows, 0, 2);
    tcase_add_loop_test(tc, test_min_equality_upper_bound, 0, 2);
    tcase_add_loop_test(tc, test_infeasible, 0, 2);
    tcase_add_loop_test(tc, test_unbounded, 0, 2);
    tcase_add_loop_test(tc, test_free_vars, 0, 2);
    tcase_add_loop_test(tc, test_range_row, 0, 2);
    tcase_add_loop_test(tc, test_fixed_and_empty, 0, 2);
    tcase_add_loop_test(tc, test_beale_cycling, 0, 2);
    tcase_add_loop_test(tc, test_degenerate_assignment, 0, 2);
    tcase_add_test(tc, test_warm_start_columns);
    tcase_add_test(tc, test_delete_cols);
    tcase_add_test(tc, test_grow_after_solve);
    tcase_add_test(tc, test_set_basis);
    tcase_add_test(tc, test_errors_and_limits);
    tcase_add_test(tc, test_warm_start_air03);
    tcase_add_test(tc, test_lu_factor_solve_update);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
