/* check_core.c - unit tests for util, tensors, permutation files and the
 * 2:4 objective (hand-checked values and invariances). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsparse.h"
#include "part/objective.h"
#include "util/util.h"
#include "testutil.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static nms_tensor *matrix_f32(size_t rows, size_t cols, const float *values)
{
    size_t shape[2] = {rows, cols};
    nms_tensor *t = NULL;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &t, NULL), NMS_OK);
    memcpy(nms_tensor_data(t), values, rows * cols * sizeof(float));
    return t;
}

/* ---- util ---------------------------------------------------------------- */

START_TEST(test_strerror_and_fail)
{
    nms_error err;
    memset(&err, 0, sizeof err);
    ck_assert_str_eq(nms_strerror(NMS_OK), "success");
    ck_assert_str_eq(nms_strerror(NMS_ERR_NOMEM), "out of memory");
    ck_assert_str_eq(nms_strerror(12345), "unknown status");
    for (int s = NMS_ERR_INTERNAL; s <= NMS_OK; s++)
        ck_assert_str_ne(nms_strerror(s), "unknown status");
    ck_assert_int_eq(nms__fail(&err, NMS_ERR_FORMAT, "%s: bad %d", "x.npy", 7), NMS_ERR_FORMAT);
    ck_assert_int_eq(err.status, NMS_ERR_FORMAT);
    ck_assert_str_eq(err.text, "x.npy: bad 7");
    nms__error_prefix(&err, "model");
    ck_assert_str_eq(err.text, "model: x.npy: bad 7");
    ck_assert_int_eq(nms__fail(NULL, NMS_ERR_IO, "ignored"), NMS_ERR_IO);
    ck_assert_int_eq(nms__fail_at(&err, NMS_ERR_FORMAT, "a.mps", 12, 3, "a.mps:12: oops"), NMS_ERR_FORMAT);
    ck_assert_int_eq(err.line, 12);
    ck_assert_int_eq(err.column, 3);
    ck_assert_str_eq(err.source, "a.mps");
}
END_TEST

START_TEST(test_checked_sizes)
{
    size_t r;
    ck_assert_int_eq(nms__mul_size(SIZE_MAX / 2, 2, &r), 0);
    ck_assert_int_eq(nms__mul_size(SIZE_MAX / 2, 3, &r), -1);
    ck_assert_int_eq(nms__add_size(SIZE_MAX - 1, 1, &r), 0);
    ck_assert_uint_eq(r, SIZE_MAX);
    ck_assert_int_eq(nms__add_size(SIZE_MAX, 1, &r), -1);
    ck_assert_ptr_null(nms__malloc_array(SIZE_MAX / 4, 8));
    void *p = nms__malloc_array(0, 8);
    ck_assert_ptr_nonnull(p);
    nms__free(p);
}
END_TEST

/* ---- tensors ------------------------------------------------------------- */

START_TEST(test_tensor_basics)
{
    size_t shape[4] = {2, 3, 4, 5};
    nms_tensor *t = NULL, *c = NULL;
    nms_error err;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F16, 4, shape, &t, &err), NMS_OK);
    ck_assert_uint_eq(nms_tensor_numel(t), 120);
    ck_assert_uint_eq(nms_tensor_nbytes(t), 240);
    ck_assert_uint_eq(nms_tensor_dim(t, 3), 5);
    ck_assert_uint_eq(nms_tensor_dim(t, 4), 0);
    ((unsigned char *)nms_tensor_data(t))[239] = 0xAB;
    ck_assert_int_eq(nms_tensor_clone(t, &c, &err), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), nms_tensor_cdata(c), 240), 0);
    nms_tensor_free(t);
    nms_tensor_free(c);

    size_t huge[3] = {SIZE_MAX / 2, 4, 2};
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 3, huge, &t, &err), NMS_ERR_RANGE);
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, NMS_MAX_DIMS + 1, shape, &t, &err), NMS_ERR_INVALID);

    nms_dtype d;
    ck_assert_int_eq(nms_dtype_parse("bf16", &d), NMS_OK);
    ck_assert_int_eq(d, NMS_DTYPE_BF16);
    ck_assert_int_eq(nms_dtype_parse("float32", &d), NMS_OK);
    ck_assert_int_eq(d, NMS_DTYPE_F32);
    ck_assert_int_eq(nms_dtype_parse("F8_E4M3", &d), NMS_OK);
    ck_assert_int_eq(nms_dtype_parse("complex64", &d), NMS_ERR_INVALID);
    ck_assert_uint_eq(nms_dtype_size(NMS_DTYPE_I64), 8);
    ck_assert_str_eq(nms_dtype_name(NMS_DTYPE_BF16), "BF16");
}
END_TEST

/* ---- objective ----------------------------------------------------------- */

/* Row 0 = 1..8, row 1 = 8..1 with signs: groups {0..3}, {4..7}. */
static const float small[16] = {1, -2, 3, 4, 5, 6, -7, 8,
                                -8, 7, 6, 5, 4, -3, 2, 1};

START_TEST(test_objective_hand_checked)
{
    nms_tensor *m = matrix_f32(2, 8, small);
    double kept, total, bound;
    ck_assert_int_eq(nms_kept_value(m, NULL, &kept, NULL), NMS_OK);
    /* row0: top2{1,2,3,4}=7, top2{5,6,7,8}=15; row1: 15, 7 */
    ck_assert_double_eq(kept, 44.0);
    ck_assert_int_eq(nms_total_value(m, &total, NULL), NMS_OK);
    ck_assert_double_eq(total, 72.0);
    ck_assert_int_eq(nms_unstructured_bound(m, &bound, NULL), NMS_OK);
    ck_assert_double_eq(bound, 52.0); /* 5+6+7+8 per row */
    /* Interleave large and small: groups {0,4,1,5}, {2,6,3,7}. */
    int32_t p[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    ck_assert_int_eq(nms_kept_value(m, p, &kept, NULL), NMS_OK);
    /* row0: {1,5,2,6} -> 11, {3,7,4,8} -> 15; row1: {8,4,7,3} -> 15, {6,2,5,1} -> 11 */
    ck_assert_double_eq(kept, 52.0);
    nms_tensor_free(m);
}
END_TEST

START_TEST(test_objective_invariances)
{
    enum { R = 7, C = 16 };
    float v[R * C];
    srand(1234);
    for (int i = 0; i < R * C; i++)
        v[i] = (float)(rand() % 2001 - 1000) / 37.0f;
    nms_tensor *m = matrix_f32(R, C, v);
    int32_t p[C] = {3, 9, 1, 14, 0, 7, 12, 5, 15, 2, 8, 11, 6, 13, 4, 10};
    double base;
    ck_assert_int_eq(nms_kept_value(m, p, &base, NULL), NMS_OK);
    /* Reorder within every group. */
    int32_t q[C];
    for (int g = 0; g < C / 4; g++)
        for (int k = 0; k < 4; k++)
            q[4 * g + k] = p[4 * g + (3 - k + g) % 4];
    double kept;
    ck_assert_int_eq(nms_kept_value(m, q, &kept, NULL), NMS_OK);
    ck_assert_double_eq_tol(kept, base, 1e-9);
    /* Reorder the groups themselves. */
    const int order[4] = {2, 0, 3, 1};
    for (int g = 0; g < C / 4; g++)
        for (int k = 0; k < 4; k++)
            q[4 * g + k] = p[4 * order[g] + k];
    ck_assert_int_eq(nms_kept_value(m, q, &kept, NULL), NMS_OK);
    ck_assert_double_eq_tol(kept, base, 1e-9);
    /* Any permutation lies between 0 and the unstructured bound, and a
     * direct evaluation of the groups agrees. */
    double bound, direct = 0;
    ck_assert_int_eq(nms_unstructured_bound(m, &bound, NULL), NMS_OK);
    ck_assert(base <= bound + 1e-9);
    double s[R * C];
    for (int i = 0; i < R * C; i++)
        s[i] = fabs((double)v[i]);
    for (int g = 0; g < C / 4; g++)
        direct += nms__group_value(s, R, C, p + 4 * g);
    ck_assert_double_eq_tol(direct, base, 1e-9);
    nms_tensor_free(m);
}
END_TEST

START_TEST(test_top2_all_orders)
{
    const double vals[4] = {0.5, 3.0, 3.0, 1.25};
    int idx[4] = {0, 1, 2, 3};
    /* all 24 orderings give 6.0 */
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 4; c++)
                for (int d = 0; d < 4; d++) {
                    if (a == b || a == c || a == d || b == c || b == d || c == d)
                        continue;
                    ck_assert_double_eq(nms__top2_of4(vals[idx[a]], vals[idx[b]], vals[idx[c]], vals[idx[d]]), 6.0);
                }
}
END_TEST

START_TEST(test_objective_errors)
{
    float v[8] = {1, 2, 3, 4, 5, 6, 7, NAN};
    nms_tensor *m = matrix_f32(1, 8, v);
    nms_error err;
    double kept;
    ck_assert_int_eq(nms_kept_value(m, NULL, &kept, &err), NMS_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(err.text, "column 7"));
    nms_tensor_free(m);
    float w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    m = matrix_f32(1, 6, w);
    ck_assert_int_eq(nms_kept_value(m, NULL, &kept, &err), NMS_ERR_SHAPE);
    nms_tensor_free(m);
    m = matrix_f32(2, 4, w);
    int32_t bad[4] = {0, 1, 1, 3};
    ck_assert_int_eq(nms_kept_value(m, bad, &kept, &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "twice"));
    nms_tensor_free(m);
}
END_TEST

/* ---- permutation files ----------------------------------------------------- */

START_TEST(test_perm_round_trip)
{
    char path[400];
    int32_t p[8] = {7, 0, 3, 5, 1, 6, 2, 4}, *q = NULL;
    size_t n = 0;
    nms_error err;
    make_tmpdir_named("check_core");
    snprintf(path, sizeof path, "%s/p.txt", tmpdir);
    ck_assert_int_eq(nms_perm_write(path, p, 8, &err), NMS_OK);
    ck_assert_int_eq(nms_perm_read(path, 8, &q, &n, &err), NMS_OK);
    ck_assert_uint_eq(n, 8);
    ck_assert_int_eq(memcmp(p, q, sizeof p), 0);
    nms_free(q);
    /* comments, blank lines, CRLF, surrounding spaces are accepted */
    write_text(path, "# a permutation\r\n 2\r\n\r\n0\r\n  3 \r\n1\r\n");
    ck_assert_int_eq(nms_perm_read(path, 0, &q, &n, &err), NMS_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(q[0], 2);
    ck_assert_int_eq(q[3], 1);
    nms_free(q);
    /* an invalid permutation is never written */
    int32_t dup[4] = {0, 1, 1, 2};
    snprintf(path, sizeof path, "%s/dup.txt", tmpdir);
    ck_assert_int_eq(nms_perm_write(path, dup, 4, &err), NMS_ERR_INVALID);
    ck_assert_int_eq(access(path, F_OK), -1);
    remove_tmpdir();
}
END_TEST

START_TEST(test_perm_bad_files)
{
    static const struct {
        const char *text;
        size_t expected;
        int status;
        const char *needle;
    } cases[] = {
        {"0\n1\n2\n2\n", 0, NMS_ERR_INVALID, "twice"},
        {"0\n1\n2\n4\n", 0, NMS_ERR_INVALID, "outside"},
        {"0\n1\nx\n3\n", 0, NMS_ERR_FORMAT, ":3:"},
        {"0\n-1\n", 0, NMS_ERR_FORMAT, ":2:"},
        {"0 1\n", 0, NMS_ERR_FORMAT, ":1:"},
        {"1.5\n", 0, NMS_ERR_FORMAT, ":1:"},
        {"99999999999999999999\n", 0, NMS_ERR_FORMAT, ":1:"},
        {"", 0, NMS_ERR_FORMAT, "no column"},
        {"# only a comment\n", 0, NMS_ERR_FORMAT, "no column"},
        {"0\n1\n2\n3\n", 8, NMS_ERR_SHAPE, "8 columns"},
    };
    char path[400];
    make_tmpdir_named("check_core");
    snprintf(path, sizeof path, "%s/bad.txt", tmpdir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t *q = NULL;
        size_t n = 0;
        nms_error err;
        memset(&err, 0, sizeof err);
        write_text(path, cases[i].text);
        ck_assert_int_eq(nms_perm_read(path, cases[i].expected, &q, &n, &err), cases[i].status);
        ck_assert_ptr_null(q);
        ck_assert_msg(strstr(err.text, cases[i].needle) != NULL, "case %zu: '%s' lacks '%s'", i, err.text, cases[i].needle);
        ck_assert_msg(strstr(err.text, "bad.txt") != NULL, "case %zu: message does not name the file: %s", i, err.text);
    }
    int32_t *q = NULL;
    size_t n;
    nms_error err;
    ck_assert_int_eq(nms_perm_read("/nonexistent/dir/p.txt", 0, &q, &n, &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "/nonexistent/dir/p.txt"));
    remove_tmpdir();
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("util");
    tcase_add_test(tc, test_strerror_and_fail);
    tcase_add_test(tc, test_checked_sizes);
    tcase_add_test(tc, test_tensor_basics);
    suite_add_tcase(s, tc);
    tc = tcase_create("objective");
    tcase_add_test(tc, test_objective_hand_checked);
    tcase_add_test(tc, test_objective_invariances);
    tcase_add_test(tc, test_top2_all_orders);
    tcase_add_test(tc, test_objective_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("perm");
    tcase_add_test(tc, test_perm_round_trip);
    tcase_add_test(tc, test_perm_bad_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(core_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
