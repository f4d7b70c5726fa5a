/*
 * check_prune.c - the 2:4 pruning kernels and API.
 *
 *  - hand-computed groups (ties, zeros, -0.0, subnormals, infinities, -128);
 *  - the scalar reference against an independent oracle that ranks real
 *    magnitudes (decoded floats, not integer keys);
 *  - every SIMD variant this host runs against the scalar one: identical
 *    values and bitmaps on random and adversarial data, every length
 *    0..130 groups and larger, unaligned pointers, in place, one output only;
 *  - NaN rejection (kernels and API, naming row and column);
 *  - permutation on the fly (permuted and original order) against an
 *    explicit permuted copy, and the kept magnitude against nms_kept_value;
 *  - tensor layouts (OIHW, HWIO) against an explicit matrix;
 *  - errors, and variant selection (API and NMS_PRUNE_VARIANT).
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "nmsparse.h"
#include "prune/prune.h"
#include "prune/testdata.h"

static const nms_dtype api_dtype[PT_DTYPE_COUNT] = {NMS_DTYPE_F32, NMS_DTYPE_F16,
                                                    NMS_DTYPE_BF16, NMS_DTYPE_I8};

/* The kernel of a dtype and pattern (2:4 or 1:2). */
static int run_kernel_p(const nms__prune_kernels *k, nms_prune_pattern pattern, int dtype,
                        const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return nms__prune_call(k, api_dtype[dtype], pattern, in, ngroups, out, bits);
}

static int run_kernel(const nms__prune_kernels *k, int dtype, const void *in, size_t ngroups,
                      void *out, uint8_t *bits)
{
    return run_kernel_p(k, NMS_PATTERN_2_4, dtype, in, ngroups, out, bits);
}

/* ---- an independent oracle on decoded magnitudes ---------------------- */

static double magnitude(int dtype, const void *buf, size_t i)
{
    const unsigned char *p = buf;
    switch (dtype) {
    case PT_F32: {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return fabs((double)f);
    }
    case PT_F16: {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        int e = (h >> 10) & 0x1f, m = h & 0x3ff;
        if (e == 31)
            return m ? (double)NAN : (double)INFINITY;
        return e ? ldexp(1024 + m, e - 25) : ldexp(m, -24);
    }
    case PT_BF16: {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        uint32_t b = (uint32_t)h << 16;
        float f;
        memcpy(&f, &b, 4);
        return fabs((double)f);
    }
    default:
        return fabs((double)(signed char)p[i]);
    }
}

/* Keep the first largest, then the first largest of the rest. */
static unsigned oracle_nibble(int dtype, const void *buf, size_t g)
{
    double m[4];
    for (int i = 0; i < 4; i++)
        m[i] = magnitude(dtype, buf, 4 * g + (size_t)i);
    int a = 0;
    for (int i = 1; i < 4; i++)
        if (m[i] > m[a])
            a = i;
    int b = a == 0 ? 1 : 0;
    for (int i = 0; i < 4; i++)
        if (i != a && m[i] > m[b])
            b = i;
    return (1u << a) | (1u << b);
}

/* 1:2: in each pair the first largest. */
static unsigned oracle_nibble_12(int dtype, const void *buf, size_t g)
{
    unsigned nib = 0;
    for (int j = 0; j < 2; j++) {
        double a = magnitude(dtype, buf, 4 * g + 2 * (size_t)j);
        double b = magnitude(dtype, buf, 4 * g + 2 * (size_t)j + 1);
        nib |= (b > a ? 2u : 1u) << (2 * j);
    }
    return nib;
}

static unsigned nibble(const uint8_t *bits, size_t g)
{
    return (bits[g / 2] >> (4 * (g % 2))) & 0xf;
}

/* ---- hand-computed groups ----------------------------------------------- */

static void prune_f32_group(const float in[4], float out[4], uint8_t mask[4])
{
    nms_error err;
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F32, 1, 4, in, NULL, 0, NMS_PRUNE_AUTO,
                                         out, mask, &err), NMS_OK);
    float out2[4];
    uint8_t mask2[4];
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F32, 1, 4, in, NULL, 0, NMS_PRUNE_SCALAR,
                                         out2, mask2, &err), NMS_OK);
    ck_assert_mem_eq(out, out2, sizeof out2);
    ck_assert_mem_eq(mask, mask2, sizeof mask2);
}

static void expect_f32(float a, float b, float c, float d, const char *keep)
{
    float in[4] = {a, b, c, d}, out[4];
    uint8_t mask[4];
    prune_f32_group(in, out, mask);
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(mask[i] == (keep[i] == '1'), "group [%g %g %g %g]: mask[%d] = %d, want %s",
                      (double)a, (double)b, (double)c, (double)d, i, mask[i], keep);
        uint32_t want = 0, got;
        if (mask[i])
            memcpy(&want, &in[i], 4);
        memcpy(&got, &out[i], 4);
        ck_assert_uint_eq(got, want); /* kept bit for bit, dropped = +0 */
    }
}

START_TEST(test_hand_cases)
{
    expect_f32(1.0f, -3.0f, 2.0f, 0.5f, "0110");
    expect_f32(0.0f, 0.0f, 0.0f, 0.0f, "1100");
    expect_f32(-0.0f, 0.0f, 0.0f, 0.0f, "1100");   /* kept -0.0 stays -0.0 */
    expect_f32(0.0f, 0.0f, 0.0f, -0.0f, "1100");   /* dropped -0.0 becomes +0 */
    expect_f32(0.0f, -0.0f, 0.0f, 5.0f, "1001");
    expect_f32(5.0f, 5.0f, 5.0f, 5.0f, "1100");
    expect_f32(-5.0f, 5.0f, -5.0f, 5.0f, "1100");
    expect_f32(1.0f, 2.0f, 2.0f, 2.0f, "0110");
    expect_f32(3.0f, 1.0f, -3.0f, 1.0f, "1010");
    expect_f32(1.0f, 1.0f, 2.0f, 1.0f, "1010");
    expect_f32(INFINITY, 1e38f, -INFINITY, 3.0f, "1010");
    expect_f32(1e-45f, 0.0f, 3e-45f, -1e-45f, "1010"); /* subnormals */
    expect_f32(-1e-45f, 1e-45f, 0.0f, 0.0f, "1100");

    /* int8: |-128| = 128 beats 127 */
    int8_t i8[8] = {-128, 127, -127, 127, 1, -1, 1, -1}, o8[8];
    uint8_t m8[8];
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_I8, 2, 4, i8, NULL, 0, NMS_PRUNE_AUTO, o8,
                                         m8, NULL), NMS_OK);
    const int8_t want8[8] = {-128, 127, 0, 0, 1, -1, 0, 0};
    ck_assert_mem_eq(o8, want8, 8);
    int8_t i8b[4] = {0, 127, -128, -127}, o8b[4];
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_I8, 1, 4, i8b, NULL, 0, NMS_PRUNE_AUTO, o8b,
                                         NULL, NULL), NMS_OK);
    const int8_t want8b[4] = {0, 127, -128, 0};
    ck_assert_mem_eq(o8b, want8b, 4);

    /* fp16: 1, -1, 2, smallest subnormal -> keep 2 and 0 */
    uint16_t h[4] = {0x3c00, 0xbc00, 0x4000, 0x0001}, ho[4];
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F16, 1, 4, h, NULL, 0, NMS_PRUNE_AUTO, ho,
                                         NULL, NULL), NMS_OK);
    const uint16_t wanth[4] = {0x3c00, 0, 0x4000, 0};
    ck_assert_mem_eq(ho, wanth, sizeof wanth);
    /* bf16: -inf, subnormal, -0, largest finite -> keep 0 and 3 */
    uint16_t b[4] = {0xff80, 0x0001, 0x8000, 0x7f7f}, bo[4];
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_BF16, 1, 4, b, NULL, 0, NMS_PRUNE_AUTO, bo,
                                         NULL, NULL), NMS_OK);
    const uint16_t wantb[4] = {0xff80, 0, 0, 0x7f7f};
    ck_assert_mem_eq(bo, wantb, sizeof wantb);
}
END_TEST

/* ---- scalar reference vs oracle ---------------------------------------- */

START_TEST(test_scalar_matches_oracle)
{
    const size_t ngroups = 4096;
    unsigned char *in = malloc(ngroups * 16), *out = malloc(ngroups * 16);
    uint8_t *bits = malloc(ngroups / 2);
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(bits);
    for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
        for (int pat = -1; pat < 2 * PT_PATTERN_COUNT; pat++) {
            size_t n = ngroups;
            nms_prune_pattern pattern = pat >= PT_PATTERN_COUNT ? NMS_PATTERN_1_2 : NMS_PATTERN_2_4;
            if (pat < 0)
                n = prune_test_fill_all_combinations(dt, in, ngroups);
            else
                prune_test_fill(dt, pat % PT_PATTERN_COUNT, 7, in, 4 * n);
            ck_assert_int_eq(run_kernel_p(nms__prune_kernels_scalar(), pattern, dt, in, n, out, bits), 0);
            size_t es = prune_test_elem_size(dt);
            for (size_t g = 0; g < n; g++) {
                unsigned want = pattern == NMS_PATTERN_1_2 ? oracle_nibble_12(dt, in, g)
                                                           : oracle_nibble(dt, in, g);
                ck_assert_msg(nibble(bits, g) == want, "%s %s %s group %zu: nibble %x, oracle %x",
                              nms_prune_pattern_name(pattern), prune_test_dtype_name(dt),
                              pat < 0 ? "combinations" : prune_test_pattern_name(pat % PT_PATTERN_COUNT), g,
                              nibble(bits, g), want);
                for (size_t i = 0; i < 4; i++) {
                    size_t e = 4 * g + i;
                    static const unsigned char zero[4] = {0, 0, 0, 0};
                    const void *expect = (want >> i & 1) ? (const void *)(in + e * es) : zero;
                    ck_assert(memcmp(out + e * es, expect, es) == 0);
                }
            }
        }
    }
    free(in);
    free(out);
    free(bits);
}
END_TEST

/* ---- every variant vs scalar -------------------------------------------- */

static int n_variants_tested;

static void compare_variant(const nms__prune_kernels *k, nms_prune_pattern pattern, int dt,
                            const unsigned char *in, size_t ngroups, const char *what)
{
    size_t es = prune_test_elem_size(dt), nb = 4 * ngroups * es, nbits = (ngroups + 1) / 2;
    unsigned char *o1 = malloc(nb + 16), *o2 = malloc(nb + 16), *inplace = malloc(nb + 1);
    uint8_t *b1 = malloc(nbits + 8), *b2 = malloc(nbits + 8), *b3 = malloc(nbits + 8);
    ck_assert(o1 && o2 && inplace && b1 && b2 && b3);
    memset(o1, 0xa5, nb + 16);
    memset(o2, 0x5a, nb + 16);
    memset(b1, 0xa5, nbits + 8);
    memset(b2, 0x5a, nbits + 8);
    ck_assert_int_eq(run_kernel_p(nms__prune_kernels_scalar(), pattern, dt, in, ngroups, o1, b1), 0);
    ck_assert_int_eq(run_kernel_p(k, pattern, dt, in, ngroups, o2, b2), 0);
    ck_assert_msg(memcmp(o1, o2, nb) == 0, "%s %s %s %s, %zu groups: values differ from scalar",
                  k->name, nms_prune_pattern_name(pattern), prune_test_dtype_name(dt), what, ngroups);
    ck_assert_msg(memcmp(b1, b2, nbits) == 0, "%s %s %s %s, %zu groups: bitmap differs from scalar",
                  k->name, nms_prune_pattern_name(pattern), prune_test_dtype_name(dt), what, ngroups);
    /* nothing written past the end */
    for (size_t i = nb; i < nb + 16; i++)
        ck_assert_uint_eq(o2[i], 0x5a);
    for (size_t i = nbits; i < nbits + 8; i++)
        ck_assert_uint_eq(b2[i], 0x5a);
    /* one output at a time, and in place (from an odd address) */
    memset(o2, 0, nb);
    ck_assert_int_eq(run_kernel_p(k, pattern, dt, in, ngroups, o2, NULL), 0);
    ck_assert(memcmp(o1, o2, nb) == 0);
    ck_assert_int_eq(run_kernel_p(k, pattern, dt, in, ngroups, NULL, b3), 0);
    ck_assert(memcmp(b1, b3, nbits) == 0);
    memcpy(inplace + 1, in, nb);
    ck_assert_int_eq(run_kernel_p(k, pattern, dt, inplace + 1, ngroups, inplace + 1, NULL), 0);
    ck_assert(memcmp(o1, inplace + 1, nb) == 0);
    free(o1);
    free(o2);
    free(inplace);
    free(b1);
    free(b2);
    free(b3);
}

START_TEST(test_variants_match_scalar)
{
    static const size_t big[] = {255, 256, 257, 1000, 4099, 65536 + 13};
    unsigned char *buf = malloc(4 * 65600 * 4 + 1);
    ck_assert_ptr_nonnull(buf);
    n_variants_tested = 0;
    for (int v = NMS_PRUNE_SSE41; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        const nms__prune_kernels *k = nms__prune_kernels_get((nms_prune_variant)v);
        if (!k) {
            printf("check_prune: variant %s not supported here, skipped\n",
                   nms_prune_variant_name((nms_prune_variant)v));
            continue;
        }
        printf("check_prune: testing variant %s against scalar\n", k->name);
        n_variants_tested++;
        for (int sp = 0; sp < NMS_PATTERN_COUNT; sp++)
        for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
            nms_prune_pattern pt = (nms_prune_pattern)sp;
            size_t n = prune_test_fill_all_combinations(dt, buf + 1, 4096);
            compare_variant(k, pt, dt, buf + 1, n, "combinations");
            for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
                for (size_t ng = 0; ng <= 130; ng++) {
                    prune_test_fill(dt, pat, ng + 1, buf, 4 * ng);
                    compare_variant(k, pt, dt, buf, ng, prune_test_pattern_name(pat));
                    prune_test_fill(dt, pat, ng + 2, buf + 1, 4 * ng); /* unaligned */
                    compare_variant(k, pt, dt, buf + 1, ng, prune_test_pattern_name(pat));
                }
                for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
                    prune_test_fill(dt, pat, 1000 + i, buf + 1, 4 * big[i]);
                    compare_variant(k, pt, dt, buf + 1, big[i], prune_test_pattern_name(pat));
                }
            }
        }
    }
    free(buf);
}
END_TEST

/* ---- NaN ------------------------------------------------------------------ */

START_TEST(test_nan_rejected)
{
    const size_t ngroups = 37, n = 4 * ngroups;
    static const size_t pos[] = {0, 3, 17, 31, 32, 63, 64, 127, 128, 140, 147};
    unsigned char buf[4 * 4 * 37], out[4 * 4 * 37];
    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        const nms__prune_kernels *k = nms__prune_kernels_get((nms_prune_variant)v);
        if (!k)
            continue;
        for (int dt = PT_F32; dt <= PT_BF16; dt++) {
            size_t es = prune_test_elem_size(dt);
            /* infinities alone are fine */
            prune_test_fill(dt, PT_SPECIAL, 3, buf, n);
            ck_assert_int_eq(run_kernel(k, dt, buf, ngroups, out, NULL), 0);
            for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++) {
                for (int which = 0; which < 3; which++) {
                    prune_test_fill(dt, PT_RANDOM, p, buf, n);
                    prune_test_nan(dt, which, buf + pos[p] * es);
                    ck_assert_msg(run_kernel(k, dt, buf, ngroups, out, NULL) == 1,
                                  "%s %s: NaN at %zu not reported", k->name,
                                  prune_test_dtype_name(dt), pos[p]);
                    ck_assert_msg(run_kernel_p(k, NMS_PATTERN_1_2, dt, buf, ngroups, out, NULL) == 1,
                                  "%s %s 1:2: NaN at %zu not reported", k->name,
                                  prune_test_dtype_name(dt), pos[p]);
                    nms_error err;
                    memset(&err, 0, sizeof err);
                    /* as a 4 x 37 matrix: row pos / 37 ... */
                    int st = nms_prune_24_buffer(api_dtype[dt], 1, n, buf, NULL, 0,
                                                 (nms_prune_variant)v, out, NULL, &err);
                    ck_assert_int_eq(st, NMS_ERR_NONFINITE);
                    char want[64];
                    snprintf(want, sizeof want, "NaN at row 0, column %zu ", pos[p]);
                    ck_assert_msg(strstr(err.text, want) != NULL, "message '%s' lacks '%s'",
                                  err.text, want);
                }
            }
        }
    }
    /* the first NaN of a matrix, by row and column */
    float m[3][8] = {{0}};
    m[1][6] = NAN;
    m[2][1] = NAN;
    nms_error err;
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F32, 3, 8, m, NULL, 0, NMS_PRUNE_AUTO, NULL,
                                         (uint8_t *)out, &err), NMS_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(err.text, "NaN at row 1, column 6 "));
    /* with a permutation the original column is named */
    int32_t perm[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F32, 3, 8, m, perm, 0, NMS_PRUNE_AUTO,
                                         out, NULL, &err), NMS_ERR_NONFINITE);
    ck_assert_msg(strstr(err.text, "NaN at row 1, column 6 (position 1 after the permutation)"),
                  "%s", err.text);
    /* tensors name the element */
    size_t shape[4] = {2, 4, 1, 3};
    nms_tensor *t, *p = (nms_tensor *)1;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 4, shape, &t, NULL), NMS_OK);
    float *d = nms_tensor_data(t);
    d[1 * 12 + 2 * 3 + 2] = NAN; /* [1, 2, 0, 2]: row 1*3+2 = 5, column 2 */
    ck_assert_int_eq(nms_prune_24(t, NULL, NULL, &p, NULL, &err), NMS_ERR_NONFINITE);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(err.text, "row 5, column 2 ") && strstr(err.text, "[1, 2, 0, 2]"), "%s",
                  err.text);
    nms_tensor_free(t);
}
END_TEST

/* ---- permutation on the fly ---------------------------------------------- */

START_TEST(test_permutation)
{
    const size_t rows = 7, cols = 36;
    unsigned char in[7 * 36 * 4], permuted[7 * 36 * 4], want[7 * 36 * 4], got[7 * 36 * 4],
        back[7 * 36 * 4];
    uint8_t mask_want[7 * 36], mask_got[7 * 36], mask_back[7 * 36];
    int32_t perm[36];
    uint64_t st = 99;
    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        if (!nms_prune_variant_supported((nms_prune_variant)v))
            continue;
        for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
            size_t es = prune_test_elem_size(dt);
            for (size_t j = 0; j < cols; j++)
                perm[j] = (int32_t)j;
            for (size_t j = cols - 1; j > 0; j--) { /* Fisher-Yates */
                size_t i = (size_t)(prune_test_rand(&st) % (j + 1));
                int32_t tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            prune_test_fill(dt, (int)(st % PT_PATTERN_COUNT), st, in, rows * cols);
            for (size_t r = 0; r < rows; r++)
                for (size_t j = 0; j < cols; j++)
                    memcpy(permuted + (r * cols + j) * es, in + (r * cols + (size_t)perm[j]) * es, es);
            ck_assert_int_eq(nms_prune_24_buffer(api_dtype[dt], rows, cols, permuted, NULL, 0,
                                                 NMS_PRUNE_SCALAR, want, mask_want, NULL), NMS_OK);
            ck_assert_int_eq(nms_prune_24_buffer(api_dtype[dt], rows, cols, in, perm, 0,
                                                 (nms_prune_variant)v, got, mask_got, NULL), NMS_OK);
            ck_assert(memcmp(want, got, rows * cols * es) == 0);
            ck_assert(memcmp(mask_want, mask_got, rows * cols) == 0);
            ck_assert_int_eq(nms_prune_24_buffer(api_dtype[dt], rows, cols, in, perm, 1,
                                                 (nms_prune_variant)v, back, mask_back, NULL), NMS_OK);
            for (size_t r = 0; r < rows; r++)
                for (size_t j = 0; j < cols; j++) {
                    size_t c = (size_t)perm[j];
                    ck_assert(memcmp(back + (r * cols + c) * es, got + (r * cols + j) * es, es) == 0);
                    ck_assert_uint_eq(mask_back[r * cols + c], mask_got[r * cols + j]);
                }
            /* in place with a permutation */
            memcpy(got, in, rows * cols * es);
            ck_assert_int_eq(nms_prune_24_buffer(api_dtype[dt], rows, cols, got, perm, 1,
                                                 (nms_prune_variant)v, got, NULL, NULL), NMS_OK);
            ck_assert(memcmp(got, back, rows * cols * es) == 0);
        }
    }
}
END_TEST

/* The kept magnitude equals the objective of src/part for the same perm. */
START_TEST(test_kept_value_matches_objective)
{
    const size_t rows = 13, cols = 24;
    size_t shape[2] = {rows, cols};
    nms_tensor *w, *p;
    int32_t perm[24];
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &w, NULL), NMS_OK);
    prune_test_fill(PT_F32, PT_TIES, 5, nms_tensor_data(w), rows * cols);
    float *d = nms_tensor_data(w);
    uint64_t st = 3;
    for (size_t i = 0; i < rows * cols; i++)
        d[i] = (float)(prune_test_rand(&st) % 7) - 3.0f; /* ties, exact sums */
    for (size_t j = 0; j < cols; j++)
        perm[j] = (int32_t)((j * 5) % cols);
    for (int use_perm = 0; use_perm < 2; use_perm++) {
        nms_prune_options opt;
        nms_prune_options_init(&opt);
        opt.original_order = 1;
        ck_assert_int_eq(nms_prune_24(w, use_perm ? perm : NULL, &opt, &p, NULL, NULL), NMS_OK);
        double kept = 0, sum = 0;
        ck_assert_int_eq(nms_kept_value(w, use_perm ? perm : NULL, &kept, NULL), NMS_OK);
        const float *q = nms_tensor_cdata(p);
        size_t nonzero_groups_ok = 0;
        for (size_t i = 0; i < rows * cols; i++)
            sum += fabs((double)q[i]);
        ck_assert_double_eq(sum, kept);
        /* each group (in permuted order) has at most two nonzeros */
        for (size_t r = 0; r < rows; r++)
            for (size_t g = 0; g < cols / 4; g++) {
                int nz = 0;
                for (int i = 0; i < 4; i++) {
                    size_t c = use_perm ? (size_t)perm[4 * g + (size_t)i] : 4 * g + (size_t)i;
                    nz += q[r * cols + c] != 0.0f;
                }
                nonzero_groups_ok += nz <= 2;
            }
        ck_assert_uint_eq(nonzero_groups_ok, rows * cols / 4);
        nms_tensor_free(p);
    }
    nms_tensor_free(w);
}
END_TEST

/* ---- tensor layouts ------------------------------------------------------ */

static void check_layout(nms_layout layout, int ndim, const size_t *shape, int use_perm)
{
    nms_tensor *w, *p, *m;
    nms__prune_view view;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F16, ndim, shape, &w, NULL), NMS_OK);
    size_t n = nms_tensor_numel(w);
    prune_test_fill(PT_F16, PT_RANDOM, (uint64_t)layout * 10 + (uint64_t)use_perm, nms_tensor_data(w), n);
    ck_assert_int_eq(nms__prune_view_of(ndim, shape, layout, &view, NULL), NMS_OK);
    size_t rows = view.rows, cols = view.cols;
    ck_assert_uint_eq(rows * cols, n);
    int32_t perm[64];
    for (size_t j = 0; j < cols; j++)
        perm[j] = (int32_t)((j * 5 + 1) % cols); /* 5 is coprime to every cols used */
    /* explicit matrix from the layout definition */
    uint16_t *mat = malloc(n * 2), *mp = malloc(n * 2);
    uint8_t *mm = malloc(n);
    const uint16_t *src = nms_tensor_cdata(w);
    ck_assert(mat && mp && mm);
    size_t o_count = shape[layout == NMS_LAYOUT_HWIO ? ndim - 1 : 0];
    size_t k_count = rows / o_count;
    for (size_t o = 0; o < o_count; o++)
        for (size_t k = 0; k < k_count; k++)
            for (size_t c = 0; c < cols; c++) {
                size_t off = layout == NMS_LAYOUT_HWIO ? k * cols * o_count + c * o_count + o
                                                       : o * cols * k_count + c * k_count + k;
                mat[(o * k_count + k) * cols + c] = src[off];
            }
    for (int orig = 0; orig < 2; orig++) {
        nms_prune_options opt;
        nms_prune_options_init(&opt);
        opt.layout = layout;
        opt.original_order = orig;
        ck_assert_int_eq(nms_prune_24(w, use_perm ? perm : NULL, &opt, &p, &m, NULL), NMS_OK);
        ck_assert_int_eq(nms_tensor_ndim(p), ndim);
        ck_assert_int_eq(nms_tensor_dtype(m), NMS_DTYPE_U8);
        ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F16, rows, cols, mat,
                                             use_perm ? perm : NULL, orig, NMS_PRUNE_SCALAR, mp,
                                             mm, NULL), NMS_OK);
        const uint16_t *pd = nms_tensor_cdata(p);
        const uint8_t *md = nms_tensor_cdata(m);
        for (size_t o = 0; o < o_count; o++)
            for (size_t k = 0; k < k_count; k++)
                for (size_t c = 0; c < cols; c++) {
                    size_t off = layout == NMS_LAYOUT_HWIO ? k * cols * o_count + c * o_count + o
                                                           : o * cols * k_count + c * k_count + k;
                    size_t e = (o * k_count + k) * cols + c;
                    ck_assert_uint_eq(pd[off], mp[e]);
                    ck_assert_uint_eq(md[off], mm[e]);
                }
        nms_tensor_free(p);
        nms_tensor_free(m);
    }
    free(mat);
    free(mp);
    free(mm);
    nms_tensor_free(w);
}

START_TEST(test_layouts)
{
    const size_t oihw[4] = {3, 8, 2, 3}, hwio[4] = {2, 3, 8, 5}, oi[2] = {5, 12}, io[2] = {8, 3},
                 k1[4] = {4, 16, 1, 1};
    for (int use_perm = 0; use_perm < 2; use_perm++) {
        check_layout(NMS_LAYOUT_OIHW, 4, oihw, use_perm);
        check_layout(NMS_LAYOUT_HWIO, 4, hwio, use_perm);
        check_layout(NMS_LAYOUT_OI, 2, oi, use_perm);
        check_layout(NMS_LAYOUT_OIHW, 4, k1, use_perm);
        check_layout(NMS_LAYOUT_HWIO, 2, io, use_perm);
    }
    /* AUTO is OI for 2-D and OIHW for 4-D */
    nms__prune_view a, b;
    ck_assert_int_eq(nms__prune_view_of(4, oihw, NMS_LAYOUT_AUTO, &a, NULL), NMS_OK);
    ck_assert_int_eq(nms__prune_view_of(4, oihw, NMS_LAYOUT_OIHW, &b, NULL), NMS_OK);
    ck_assert_mem_eq(&a, &b, sizeof a);
    ck_assert_uint_eq(a.rows, 18);
    ck_assert_uint_eq(a.cols, 8);
}
END_TEST

/* ---- errors and variant selection ------------------------------------------ */

START_TEST(test_errors)
{
    size_t shape[2] = {2, 6};
    nms_tensor *w, *p = NULL, *m = NULL;
    nms_error err;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &w, NULL), NMS_OK);
    ck_assert_int_eq(nms_prune_24(w, NULL, NULL, &p, &m, &err), NMS_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.text, "not a multiple of 4"));
    nms_tensor_free(w);
    shape[1] = 8;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F64, 2, shape, &w, NULL), NMS_OK);
    ck_assert_int_eq(nms_prune_24(w, NULL, NULL, &p, NULL, &err), NMS_ERR_UNSUPPORTED);
    nms_tensor_free(w);
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &w, NULL), NMS_OK);
    ck_assert_int_eq(nms_prune_24(w, NULL, NULL, NULL, NULL, &err), NMS_ERR_INVALID);
    int32_t bad[8] = {0, 1, 2, 3, 4, 5, 6, 6};
    ck_assert_int_eq(nms_prune_24(w, bad, NULL, &p, NULL, &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "permutation"));
    ck_assert_ptr_null(p);
    nms_prune_options opt;
    nms_prune_options_init(&opt);
    opt.layout = NMS_LAYOUT_OI;
    nms_tensor_free(w);
    size_t s4[4] = {2, 4, 1, 1};
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 4, s4, &w, NULL), NMS_OK);
    ck_assert_int_eq(nms_prune_24(w, NULL, &opt, &p, NULL, &err), NMS_ERR_SHAPE);
    nms_tensor_free(w);
}
END_TEST

START_TEST(test_variant_selection)
{
    nms_prune_variant v, best;
    nms_error err;
    unsetenv("NMS_PRUNE_VARIANT");
    ck_assert_int_eq(nms_prune_variant_resolve(NMS_PRUNE_AUTO, &best, &err), NMS_OK);
    ck_assert_int_ne(best, NMS_PRUNE_AUTO);
    ck_assert(nms_prune_variant_supported(best));
    static const nms_prune_variant preference[] = {NMS_PRUNE_AVX512, NMS_PRUNE_AVX2,
                                                   NMS_PRUNE_SSE41, NMS_PRUNE_NEON,
                                                   NMS_PRUNE_SCALAR};
    for (size_t i = 0; i < sizeof preference / sizeof preference[0]; i++)
        if (nms_prune_variant_supported(preference[i])) {
            ck_assert_int_eq(best, preference[i]);
            break;
        }
    printf("check_prune: automatic variant here: %s\n", nms_prune_variant_name(best));
    setenv("NMS_PRUNE_VARIANT", "scalar", 1);
    ck_assert_int_eq(nms_prune_variant_resolve(NMS_PRUNE_AUTO, &v, &err), NMS_OK);
    ck_assert_int_eq(v, NMS_PRUNE_SCALAR);
    /* an explicit request wins over the environment */
    ck_assert_int_eq(nms_prune_variant_resolve(best, &v, &err), NMS_OK);
    ck_assert_int_eq(v, best);
    setenv("NMS_PRUNE_VARIANT", "bogus", 1);
    ck_assert_int_eq(nms_prune_variant_resolve(NMS_PRUNE_AUTO, &v, &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "NMS_PRUNE_VARIANT=bogus"));
    float x[4] = {1, 2, 3, 4};
    ck_assert_int_eq(nms_prune_24_buffer(NMS_DTYPE_F32, 1, 4, x, NULL, 0, NMS_PRUNE_AUTO, x, NULL,
                                         &err), NMS_ERR_INVALID);
    unsetenv("NMS_PRUNE_VARIANT");
    for (int i = 0; i < NMS_PRUNE_VARIANT_COUNT; i++) {
        nms_prune_variant parsed;
        ck_assert_int_eq(nms_prune_variant_parse(nms_prune_variant_name((nms_prune_variant)i), &parsed), NMS_OK);
        ck_assert_int_eq(parsed, i);
        if (!nms_prune_variant_supported((nms_prune_variant)i))
            ck_assert_int_eq(nms_prune_variant_resolve((nms_prune_variant)i, &v, &err),
                             NMS_ERR_UNSUPPORTED);
    }
    ck_assert_int_eq(nms_prune_variant_parse("sse41", &v), NMS_OK);
    ck_assert_int_eq(v, NMS_PRUNE_SSE41);
    ck_assert_int_eq(nms_prune_variant_parse("mmx", &v), NMS_ERR_INVALID);
    ck_assert_str_eq(nms_prune_variant_name((nms_prune_variant)99), "?");
}
END_TEST

/* ---- real layers beside the project ---------------------------------------- */

/* Every variant gives the same bytes on real weights (as F32, F16 and BF16),
 * and the kept magnitude of the F32 result equals nms_kept_value(). */
START_TEST(test_real_layers)
{
    const char *base = getenv("NMS_SHARED_DATA");
    char dir[1024], path[2048];
    if (!base) {
        printf("check_prune: NMS_SHARED_DATA unset, real layers skipped\n");
        return;
    }
    snprintf(dir, sizeof dir, "%s/real", base);
    DIR *d = opendir(dir);
    if (!d) {
        printf("check_prune: %s absent, real layers skipped\n", dir);
        return;
    }
    const char *lng = getenv("NMS_CHECK_LONG");
    int max_files = lng && !strcmp(lng, "1") ? 1000 : 12, files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && files < max_files) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".npy") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        nms_tensor *w, *m = NULL;
        nms_error err;
        ck_assert_msg(nms_npy_read(path, &w, &err) == NMS_OK, "%s", err.text);
        size_t rows, cols;
        if (nms_tensor_dtype(w) != NMS_DTYPE_F32 || nms_tensor_ndim(w) != 2 ||
            nms_tensor_matrix_shape(w, NMS_LAYOUT_AUTO, &rows, &cols, NULL) != NMS_OK ||
            cols % 4 != 0) {
            nms_tensor_free(w);
            continue;
        }
        files++;
        ck_assert_int_eq(nms_tensor_to_matrix(w, NMS_LAYOUT_AUTO, &m, &err), NMS_OK);
        static const nms_dtype as[3] = {NMS_DTYPE_F32, NMS_DTYPE_F16, NMS_DTYPE_BF16};
        for (int t = 0; t < 3; t++) {
            nms_tensor *x, *ref = NULL;
            ck_assert_int_eq(nms_tensor_convert(m, as[t], &x, &err), NMS_OK);
            for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                if (!nms_prune_variant_supported((nms_prune_variant)v))
                    continue;
                nms_prune_options opt;
                nms_prune_options_init(&opt);
                opt.variant = (nms_prune_variant)v;
                nms_tensor *p;
                ck_assert_int_eq(nms_prune_24(x, NULL, &opt, &p, NULL, &err), NMS_OK);
                if (!ref) {
                    ref = p;
                    continue;
                }
                ck_assert_msg(memcmp(nms_tensor_cdata(p), nms_tensor_cdata(ref), nms_tensor_nbytes(p)) == 0,
                              "%s as %s: variant %s differs from scalar", e->d_name,
                              nms_dtype_name(as[t]), nms_prune_variant_name((nms_prune_variant)v));
                nms_tensor_free(p);
            }
            if (as[t] == NMS_DTYPE_F32) {
                double kept, sum = 0;
                const float *q = nms_tensor_cdata(ref);
                ck_assert_int_eq(nms_kept_value(x, NULL, &kept, NULL), NMS_OK);
                for (size_t i = 0; i < rows * cols; i++)
                    sum += fabs((double)q[i]);
                ck_assert_msg(fabs(sum - kept) <= 1e-9 * kept, "%s: kept %.17g, objective %.17g",
                              e->d_name, sum, kept);
            }
            nms_tensor_free(ref);
            nms_tensor_free(x);
        }
        nms_tensor_free(m);
        nms_tensor_free(w);
    }
    closedir(d);
    printf("check_prune: %d real layers checked\n", files);
    ck_assert_int_gt(files, 0);
}
END_TEST

/* ---- prune + pack (nm) in one pass ------------------------------------------ */

/* nms_prune_24_nm gives the bytes of nms_pack(NM) on the pruned matrix. */
START_TEST(test_prune_nm_matches_pack)
{
    static const size_t shapes[][2] = {{3, 4}, {5, 12}, {16, 64}, {7, 36}, {2, 1028}};
    uint64_t st = 11;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], shape[2] = {rows, cols};
        for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
            size_t es = prune_test_elem_size(dt), mb = (cols / 4 + 1) / 2;
            for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
                for (int use_perm = 0; use_perm < 2; use_perm++) {
                    nms_tensor *w, *p;
                    nms_packed *pk;
                    nms_error err;
                    int32_t *perm = malloc(cols * sizeof *perm);
                    ck_assert_ptr_nonnull(perm);
                    for (size_t j = 0; j < cols; j++)
                        perm[j] = (int32_t)j;
                    for (size_t j = cols - 1; use_perm && j > 0; j--) {
                        size_t i = (size_t)(prune_test_rand(&st) % (j + 1));
                        int32_t tmp = perm[i];
                        perm[i] = perm[j];
                        perm[j] = tmp;
                    }
                    ck_assert_int_eq(nms_tensor_create(api_dtype[dt], 2, shape, &w, NULL), NMS_OK);
                    prune_test_fill(dt, pat, st++, nms_tensor_data(w), rows * cols);
                    /* reference: prune (permuted order), then pack */
                    ck_assert_int_eq(nms_prune_24(w, use_perm ? perm : NULL, NULL, &p, NULL, &err), NMS_OK);
                    ck_assert_msg(nms_pack(p, NMS_FORMAT_NM, NULL, &pk, &err) == NMS_OK, "%s", err.text);
                    const nms_tensor *pv = nms_packed_find(pk, "values"), *pm = nms_packed_find(pk, "meta");
                    ck_assert_ptr_nonnull(pv);
                    ck_assert_ptr_nonnull(pm);
                    ck_assert_uint_eq(nms_tensor_nbytes(pv), rows * cols / 2 * es);
                    ck_assert_uint_eq(nms_tensor_nbytes(pm), rows * mb);
                    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                        if (!nms_prune_variant_supported((nms_prune_variant)v))
                            continue;
                        unsigned char *vals = malloc(rows * cols / 2 * es + 1);
                        uint8_t *meta = malloc(rows * mb + 1);
                        ck_assert(vals && meta);
                        memset(meta, 0xff, rows * mb + 1);
                        ck_assert_int_eq(nms_prune_24_nm(api_dtype[dt], rows, cols, nms_tensor_cdata(w),
                                                         use_perm ? perm : NULL, (nms_prune_variant)v,
                                                         vals, meta, &err), NMS_OK);
                        ck_assert_msg(memcmp(vals, nms_tensor_cdata(pv), nms_tensor_nbytes(pv)) == 0,
                                      "%s %s %zux%zu perm %d variant %s: values differ from nms_pack",
                                      prune_test_dtype_name(dt), prune_test_pattern_name(pat), rows,
                                      cols, use_perm, nms_prune_variant_name((nms_prune_variant)v));
                        ck_assert_msg(memcmp(meta, nms_tensor_cdata(pm), rows * mb) == 0,
                                      "%s %s %zux%zu: meta differs from nms_pack",
                                      prune_test_dtype_name(dt), prune_test_pattern_name(pat), rows, cols);
                        ck_assert_uint_eq(meta[rows * mb], 0xff);
                        free(vals);
                        free(meta);
                    }
                    nms_packed_free(pk);
                    nms_tensor_free(p);
                    nms_tensor_free(w);
                    free(perm);
                }
            }
        }
    }
    /* NaN names row and original column */
    float x[2][8] = {{0}};
    x[1][5] = NAN;
    int32_t perm[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    float vals[8];
    uint8_t meta[2];
    nms_error err;
    ck_assert_int_eq(nms_prune_24_nm(NMS_DTYPE_F32, 2, 8, x, perm, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_NONFINITE);
    ck_assert_msg(strstr(err.text, "NaN at row 1, column 5 "), "%s", err.text);
    ck_assert_int_eq(nms_prune_24_nm(NMS_DTYPE_F64, 2, 8, x, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_UNSUPPORTED);
    ck_assert_int_eq(nms_prune_24_nm(NMS_DTYPE_F32, 2, 6, x, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_SHAPE);
}
END_TEST

/* ---- prune + pack (cutlass) in one pass -------------------------------------- */

/* Zero (+0 or -0) about 3 in 4 elements so that many groups keep fewer than
 * two nonzeros (the table's codes, copied signed zeros). */
static void sparsify(int dt, unsigned char *buf, size_t n, uint64_t *st)
{
    size_t es = prune_test_elem_size(dt);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = prune_test_rand(st);
        if (r % 4 == 0)
            continue;
        memset(buf + i * es, 0, es);
        if (dt != PT_I8 && (r & 16))
            buf[i * es + es - 1] = 0x80; /* -0.0 */
    }
}

/* nms_prune_24_cutlass gives the bytes of nms_pack(CUTLASS) on the pruned
 * matrix, for every variant, with and without a permutation; it writes
 * every byte of values and meta and nothing beyond. */
START_TEST(test_prune_cutlass_matches_pack)
{
    static const size_t shapes[][2] = {{32, 64}, {32, 128}, {64, 256}, {96, 192}, {16, 128}, {48, 384}};
    uint64_t st = 29;
    int checked = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], shape[2] = {rows, cols};
        for (int dt = PT_F16; dt < PT_DTYPE_COUNT; dt++) {
            size_t es = prune_test_elem_size(dt);
            size_t rmul = dt == PT_I8 ? 16 : 32, cmul = dt == PT_I8 ? 128 : 64;
            size_t wbytes = dt == PT_I8 ? 4 : 2, nc = cols / (dt == PT_I8 ? 32 : 16);
            if (rows % rmul || cols % cmul)
                continue;
            /* the patterns, then a mostly-zero one, then all adversarial combinations */
            for (int pat = 0; pat < PT_PATTERN_COUNT + 2; pat++) {
                for (int use_perm = 0; use_perm < 2; use_perm++) {
                    nms_tensor *w, *p;
                    nms_packed *pk;
                    nms_error err;
                    int32_t *perm = malloc(cols * sizeof *perm);
                    ck_assert_ptr_nonnull(perm);
                    for (size_t j = 0; j < cols; j++)
                        perm[j] = (int32_t)j;
                    for (size_t j = cols - 1; use_perm && j > 0; j--) {
                        size_t i = (size_t)(prune_test_rand(&st) % (j + 1));
                        int32_t tmp = perm[i];
                        perm[i] = perm[j];
                        perm[j] = tmp;
                    }
                    ck_assert_int_eq(nms_tensor_create(api_dtype[dt], 2, shape, &w, NULL), NMS_OK);
                    unsigned char *wd = nms_tensor_data(w);
                    if (pat < PT_PATTERN_COUNT) {
                        prune_test_fill(dt, pat, st++, wd, rows * cols);
                    } else if (pat == PT_PATTERN_COUNT) {
                        prune_test_fill(dt, PT_RANDOM, st++, wd, rows * cols);
                        sparsify(dt, wd, rows * cols, &st);
                    } else {
                        size_t g = prune_test_fill_all_combinations(dt, wd, rows * cols / 4);
                        if (g < rows * cols / 4)
                            prune_test_fill(dt, PT_SPECIAL, st++, wd + 4 * g * es, rows * cols - 4 * g);
                    }
                    ck_assert_int_eq(nms_prune_24(w, use_perm ? perm : NULL, NULL, &p, NULL, &err), NMS_OK);
                    ck_assert_msg(nms_pack(p, NMS_FORMAT_CUTLASS, NULL, &pk, &err) == NMS_OK, "%s", err.text);
                    const nms_tensor *pv = nms_packed_find(pk, "values"), *pm = nms_packed_find(pk, "meta");
                    ck_assert_ptr_nonnull(pv);
                    ck_assert_ptr_nonnull(pm);
                    ck_assert_uint_eq(nms_tensor_nbytes(pv), rows * cols / 2 * es);
                    ck_assert_uint_eq(nms_tensor_nbytes(pm), rows * nc * wbytes);
                    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                        if (!nms_prune_variant_supported((nms_prune_variant)v))
                            continue;
                        size_t vb = rows * cols / 2 * es, mbytes = rows * nc * wbytes;
                        unsigned char *vals = malloc(vb + 1), *meta = malloc(mbytes + 1);
                        ck_assert(vals && meta);
                        memset(vals, 0xa5, vb + 1);
                        memset(meta, 0x5a, mbytes + 1);
                        ck_assert_int_eq(nms_prune_24_cutlass(api_dtype[dt], rows, cols, nms_tensor_cdata(w),
                                                              use_perm ? perm : NULL, (nms_prune_variant)v,
                                                              vals, meta, &err), NMS_OK);
                        ck_assert_msg(memcmp(vals, nms_tensor_cdata(pv), vb) == 0,
                                      "%s pattern %d %zux%zu perm %d variant %s: values differ from nms_pack",
                                      prune_test_dtype_name(dt), pat, rows, cols, use_perm,
                                      nms_prune_variant_name((nms_prune_variant)v));
                        ck_assert_msg(memcmp(meta, nms_tensor_cdata(pm), mbytes) == 0,
                                      "%s pattern %d %zux%zu perm %d variant %s: meta differs from nms_pack",
                                      prune_test_dtype_name(dt), pat, rows, cols, use_perm,
                                      nms_prune_variant_name((nms_prune_variant)v));
                        ck_assert_uint_eq(vals[vb], 0xa5);
                        ck_assert_uint_eq(meta[mbytes], 0x5a);
                        free(vals);
                        free(meta);
                        checked++;
                    }
                    nms_packed_free(pk);
                    nms_tensor_free(p);
                    nms_tensor_free(w);
                    free(perm);
                }
            }
        }
    }
    ck_assert_int_gt(checked, 0);
}
END_TEST

/* The specification's worked example: an fp16 row [0, .1669, 0, .1017 |
 * -2.13, 0, 0, -.329 | 0, 2.793, -.9917, 0 | 2.361, 0, -.686, 0] (already
 * 2:4) has codes D, C, 9, 8: logical word M[0][0] = 0x89CD at offset 0.
 * Row 8's first word goes to offset 1 and row 31's to 61 (m = 32). */
START_TEST(test_prune_cutlass_worked_example)
{
    static const uint16_t ex[16] = {0x0000, 0x3157, 0x0000, 0x2e82, 0xc043, 0x0000, 0x0000, 0xb544,
                                    0x0000, 0x4196, 0xbbef, 0x0000, 0x40b9, 0x0000, 0xb97d, 0x0000};
    const size_t rows = 32, cols = 64;
    uint16_t *a = calloc(rows * cols, 2), *vals = malloc(rows * cols), *meta = malloc(rows * 4 * 2);
    ck_assert(a && vals && meta);
    memcpy(a, ex, sizeof ex);           /* row 0 */
    memcpy(a + 8 * cols, ex, sizeof ex);  /* row 8 */
    memcpy(a + 31 * cols, ex, sizeof ex); /* row 31 */
    nms_error err;
    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        if (!nms_prune_variant_supported((nms_prune_variant)v))
            continue;
        ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F16, rows, cols, a, NULL, (nms_prune_variant)v,
                                              vals, meta, &err), NMS_OK);
        ck_assert_uint_eq(meta[0], 0x89CD);
        ck_assert_uint_eq(meta[1], 0x89CD);
        ck_assert_uint_eq(meta[61], 0x89CD);
        ck_assert_uint_eq(meta[2], 0xEEEE); /* row 0, word 1: empty groups -> (2,3) */
        ck_assert_uint_eq(vals[0], 0x3157);
        ck_assert_uint_eq(vals[1], 0x2e82);
        ck_assert_uint_eq(vals[2], 0xc043);
        ck_assert_uint_eq(vals[3], 0xb544);
        ck_assert_uint_eq(vals[6], 0x40b9);
        ck_assert_uint_eq(vals[7], 0xb97d);
    }
    /* errors: fp32 (1:2), shapes, NaN */
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F32, rows, cols, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.text, "1:2"), "%s", err.text);
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F16, 16, cols, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_SHAPE);
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F16, rows, 32, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_SHAPE);
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_I8, 16, 64, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_SHAPE);
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F64, rows, cols, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_UNSUPPORTED);
    a[5 * cols + 7] = 0x7e00; /* NaN at row 5, column 7 */
    ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F16, rows, cols, a, NULL, NMS_PRUNE_AUTO, vals, meta, &err),
                     NMS_ERR_NONFINITE);
    ck_assert_msg(strstr(err.text, "NaN at row 5, column 7 "), "%s", err.text);
    free(a);
    free(vals);
    free(meta);
}
END_TEST


/* ---- nms_pack fast path, nms_prune_pack, 1:2 ----------------------------- */

enum { REF_NM, REF_CUT16, REF_CUT32, REF_PAIRS };

static uint32_t ref_load(const unsigned char *p, size_t es)
{
    uint32_t v = 0;
    memcpy(&v, p, es); /* little-endian host */
    return v;
}

/* Reference packer written from formats-24.md (plain loops, no shared code
 * with the library): values and meta of a rows x cols matrix whose columns
 * are permuted by perm (NULL: identity).  Returns -1, or the flat index
 * r * units + u of the first group (pair) with too many nonzeros. */
static long ref_pack(int dt, int kind, size_t rows, size_t cols, const unsigned char *a,
                     const int32_t *perm, unsigned char *vals, unsigned char *meta)
{
    static const int code_of[16] = {0xE, 0x8, 0x9, 0x4, 0xE, 0x8, 0x9, -1,
                                    0xE, 0xC, 0xD, -1, 0xE, -1, -1, -1};
    size_t es = prune_test_elem_size(dt);
    int pairs = kind == REF_PAIRS;
    size_t units = pairs ? cols / 2 : cols / 4, per_word = kind == REF_CUT32 ? 8 : 4;
    size_t nc = units / per_word, mb = (cols / 4 + 1) / 2;
    unsigned char *row = malloc(cols * es + 1);
    int *codes = malloc((units + 1) * sizeof *codes);
    ck_assert(row && codes);
    if (kind == REF_NM)
        memset(meta, 0, rows * mb);
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < cols; j++)
            memcpy(row + j * es, a + (r * cols + (perm ? (size_t)perm[j] : j)) * es, es);
        for (size_t u = 0; u < units; u++) {
            unsigned char *v = vals + (r * (cols / 2) + (pairs ? u : 2 * u)) * es;
            if (pairs) {
                int x0 = (ref_load(row + 2 * u * es, es) & prune_test_mag_mask(dt)) != 0;
                int x1 = (ref_load(row + (2 * u + 1) * es, es) & prune_test_mag_mask(dt)) != 0;
                if (x0 && x1) {
                    free(row);
                    free(codes);
                    return (long)(r * units + u);
                }
                /* flags (a, a, b, b) through the group table */
                codes[u] = code_of[(unsigned)(x0 | x0 << 1 | x1 << 2 | x1 << 3)];
                memcpy(v, row + (2 * u + (size_t)((codes[u] & 3) >> 1)) * es, es);
                continue;
            }
            unsigned flags = 0;
            for (size_t i = 0; i < 4; i++)
                flags |= (unsigned)((ref_load(row + (4 * u + i) * es, es) & prune_test_mag_mask(dt)) != 0) << i;
            if (code_of[flags] < 0) {
                free(row);
                free(codes);
                return (long)(r * units + u);
            }
            codes[u] = code_of[flags];
            memcpy(v, row + (4 * u + (size_t)(codes[u] & 3)) * es, es);
            memcpy(v + es, row + (4 * u + (size_t)(codes[u] >> 2)) * es, es);
        }
        if (kind == REF_NM) {
            for (size_t u = 0; u < units; u++)
                meta[r * mb + u / 2] |= (unsigned char)(codes[u] << (4 * (u % 2)));
            continue;
        }
        size_t g = kind == REF_CUT32 ? 16 : 32, w = kind == REF_CUT32 ? 2 : 4;
        for (size_t c = 0; c < nc; c++) {
            uint32_t word = 0;
            for (size_t t = 0; t < per_word; t++)
                word |= (uint32_t)codes[c * per_word + t] << (4 * t);
            size_t dr = (r / g) * g + (r % 8) * w + (r % g) / 8, dc = c;
            if (dr % 2 == 0 && dc % 2 == 1) {
                dr++;
                dc--;
            } else if (dr % 2 == 1 && dc % 2 == 0) {
                dr--;
                dc++;
            }
            size_t off = (dc / 2) * (2 * rows) + 2 * dr + dc % 2;
            if (kind == REF_CUT32) {
                memcpy(meta + 4 * off, &word, 4);
            } else {
                uint16_t h = (uint16_t)word;
                memcpy(meta + 2 * off, &h, 2);
            }
        }
    }
    free(row);
    free(codes);
    return -1;
}

/* A random matrix that already satisfies 2:4 (pairs 0) or 1:2 (pairs 1):
 * per group (pair) a random number of nonzeros at random places, the other
 * slots +0 or -0.0; groups with 0 and 1 nonzeros are frequent. */
static void fill_sparse(int dt, int pairs, unsigned char *buf, size_t n, uint64_t *st)
{
    size_t es = prune_test_elem_size(dt);
    prune_test_fill(dt, PT_RANDOM, prune_test_rand(st), buf, n);
    for (size_t e = 0; e < n; e++) /* no zero among the "nonzeros" */
        if ((ref_load(buf + e * es, es) & prune_test_mag_mask(dt)) == 0)
            buf[e * es] = 1;
    size_t unit = pairs ? 2 : 4;
    for (size_t u = 0; u < n / unit; u++) {
        uint64_t r = prune_test_rand(st);
        unsigned keep = (unsigned)(r % (pairs ? 2 : 3)); /* 0 .. max nonzeros */
        unsigned first = (unsigned)(r >> 8) % (unsigned)unit, second = (unsigned)(r >> 16) % (unsigned)unit;
        for (unsigned i = 0; i < unit; i++) {
            int nonzero = (keep >= 1 && i == first) || (keep >= 2 && i == second);
            if (nonzero)
                continue;
            unsigned char *p = buf + (u * unit + i) * es;
            memset(p, 0, es);
            if (dt != PT_I8 && (r >> (24 + i)) & 1)
                p[es - 1] = 0x80; /* -0.0 */
        }
    }
}

static int32_t *random_perm(size_t cols, int shuffle, uint64_t *st)
{
    int32_t *perm = malloc(cols * sizeof *perm);
    ck_assert_ptr_nonnull(perm);
    for (size_t j = 0; j < cols; j++)
        perm[j] = (int32_t)j;
    for (size_t j = cols - 1; shuffle && j > 0; j--) {
        size_t i = (size_t)(prune_test_rand(st) % (j + 1));
        int32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return perm;
}

/* Compare a packed matrix with ref_pack of the same matrix. */
static void expect_ref(const nms_packed *pk, int dt, int kind, size_t rows, size_t cols,
                       const unsigned char *a, const int32_t *perm, const char *what)
{
    size_t es = prune_test_elem_size(dt), vb = rows * cols / 2 * es;
    size_t mbytes = kind == REF_NM ? rows * ((cols / 4 + 1) / 2)
                    : kind == REF_PAIRS ? rows * cols / 4 : rows * cols / 8;
    unsigned char *vals = malloc(vb + 1), *meta = malloc(mbytes + 1);
    ck_assert(vals && meta);
    ck_assert_int_eq(ref_pack(dt, kind, rows, cols, a, perm, vals, meta), -1);
    const nms_tensor *pv = nms_packed_find(pk, "values"), *pm = nms_packed_find(pk, "meta");
    ck_assert(pv && pm);
    ck_assert_uint_eq(nms_tensor_nbytes(pv), vb);
    ck_assert_uint_eq(nms_tensor_nbytes(pm), mbytes);
    ck_assert_msg(memcmp(nms_tensor_cdata(pv), vals, vb) == 0, "%s: values differ from the reference", what);
    ck_assert_msg(memcmp(nms_tensor_cdata(pm), meta, mbytes) == 0, "%s: meta differs from the reference", what);
    free(vals);
    free(meta);
}

/* nms_pack of an input that already satisfies the pattern (the SIMD fast
 * path, every variant) gives the reference bytes: nm and cutlass, every
 * dtype, groups with 0 / 1 / 2 nonzeros, -0.0 in empty slots, permutation;
 * and a group with too many nonzeros is refused naming its row and group. */
START_TEST(test_pack_fast_matches_reference)
{
    static const size_t shapes[][2] = {{32, 128}, {64, 256}, {96, 384}, {32, 1152}};
    uint64_t st = 77;
    int checked = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], shape[2] = {rows, cols};
        for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
            for (int kind = REF_NM; kind <= REF_PAIRS; kind++) {
                nms_format fmt = kind == REF_NM ? NMS_FORMAT_NM : NMS_FORMAT_CUTLASS;
                if (kind != REF_NM && kind != (dt == PT_F32 ? REF_PAIRS : dt == PT_I8 ? REF_CUT32 : REF_CUT16))
                    continue;
                for (int use_perm = 0; use_perm < 2; use_perm++) {
                    nms_tensor *w;
                    ck_assert_int_eq(nms_tensor_create(api_dtype[dt], 2, shape, &w, NULL), NMS_OK);
                    unsigned char *wd = nms_tensor_data(w);
                    fill_sparse(dt, kind == REF_PAIRS, wd, rows * cols, &st);
                    int32_t *perm = NULL;
                    if (use_perm) {
                        /* permute whole groups (pairs) so the permuted matrix stays sparse */
                        size_t unit = kind == REF_PAIRS ? 2 : 4;
                        int32_t *gp = random_perm(cols / unit, 1, &st);
                        perm = malloc(cols * sizeof *perm);
                        ck_assert_ptr_nonnull(perm);
                        for (size_t j = 0; j < cols; j++)
                            perm[j] = gp[j / unit] * (int32_t)unit + (int32_t)(j % unit);
                        free(gp);
                    }
                    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                        if (!nms_prune_variant_supported((nms_prune_variant)v))
                            continue;
                        nms_pack_options po;
                        nms_pack_options_init(&po);
                        po.variant = (nms_prune_variant)v;
                        po.perm = perm;
                        po.perm_len = perm ? cols : 0;
                        nms_packed *pk;
                        nms_error err;
                        ck_assert_msg(nms_pack(w, fmt, &po, &pk, &err) == NMS_OK, "%s", err.text);
                        char what[128];
                        snprintf(what, sizeof what, "%s %s %zux%zu perm %d variant %s",
                                 prune_test_dtype_name(dt), nms_format_name(fmt), rows, cols,
                                 use_perm, nms_prune_variant_name((nms_prune_variant)v));
                        expect_ref(pk, dt, kind, rows, cols, wd, perm, what);
                        nms_packed_free(pk);
                        checked++;
                        /* one group (pair) too many, at a place that depends on v:
                         * refused, naming row and group (pair) */
                        size_t es = prune_test_elem_size(dt), unit = kind == REF_PAIRS ? 2 : 4;
                        size_t units = cols / unit;
                        size_t r = (size_t)(prune_test_rand(&st) % rows);
                        size_t u = v % 2 ? units - 1 : (size_t)(prune_test_rand(&st) % units);
                        size_t col0 = u * unit;
                        unsigned char save[16];
                        /* the nonzero positions of the bad unit: a pair, or each
                         * group of three or four nonzeros in turn (bit i =
                         * position i; the unit's other elements are zero) */
                        static const unsigned bad_groups[] = {0x7, 0xB, 0xD, 0xE, 0xF};
                        unsigned bad = kind == REF_PAIRS ? 0x3u : bad_groups[checked % 5];
                        /* with perm, the bad group is at packed columns col0.. */
                        for (size_t i = 0; i < unit; i++) {
                            size_t c = perm ? (size_t)perm[col0 + i] : col0 + i;
                            unsigned char *e = wd + (r * cols + c) * es;
                            memcpy(save + i * es, e, es);
                            memset(e, 0, es);
                            if (bad >> i & 1u)
                                e[0] = 0x11; /* nonzero in every dtype */
                        }
                        ck_assert_int_eq(nms_pack(w, fmt, &po, &pk, &err), NMS_ERR_INVALID);
                        char want[96];
                        snprintf(want, sizeof want, "row %zu, %s %zu ", r,
                                 kind == REF_PAIRS ? "column pair" : "group", u);
                        ck_assert_msg(strstr(err.text, want), "%s: '%s' lacks '%s'", what, err.text, want);
                        for (size_t i = 0; i < unit; i++) {
                            size_t c = perm ? (size_t)perm[col0 + i] : col0 + i;
                            memcpy(wd + (r * cols + c) * es, save + i * es, es);
                        }
                    }
                    free(perm);
                    nms_tensor_free(w);
                }
            }
        }
    }
    ck_assert_int_gt(checked, 0);
}
END_TEST

/* nms_prune_pack = nms_prune_24 (original order) then nms_pack with the
 * same permutation, byte for byte, for every format, pattern and variant;
 * the cutlass / nm bytes also equal the reference packer's.  cutlass F32
 * needs 1:2. */
START_TEST(test_prune_pack_matches_two_steps)
{
    static const size_t shapes[][2] = {{32, 128}, {64, 384}};
    static const nms_format fmts[] = {NMS_FORMAT_NM, NMS_FORMAT_CUTLASS, NMS_FORMAT_CSR};
    uint64_t st = 5;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], shape[2] = {rows, cols};
        for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
            for (int pat = 0; pat < PT_PATTERN_COUNT + 1; pat++) {
                nms_tensor *w;
                ck_assert_int_eq(nms_tensor_create(api_dtype[dt], 2, shape, &w, NULL), NMS_OK);
                unsigned char *wd = nms_tensor_data(w);
                if (pat < PT_PATTERN_COUNT) {
                    prune_test_fill(dt, pat, st++, wd, rows * cols);
                } else {
                    size_t g = prune_test_fill_all_combinations(dt, wd, rows * cols / 4);
                    if (g < rows * cols / 4)
                        prune_test_fill(dt, PT_TIES, st++, wd + 4 * g * prune_test_elem_size(dt),
                                        rows * cols - 4 * g);
                }
                for (int use_perm = 0; use_perm < 2; use_perm++) {
                    int32_t *perm = use_perm ? random_perm(cols, 1, &st) : NULL;
                    for (int sp = 0; sp < NMS_PATTERN_COUNT; sp++) {
                        for (size_t fi = 0; fi < sizeof fmts / sizeof fmts[0]; fi++) {
                            nms_format fmt = fmts[fi];
                            nms_prune_options po;
                            nms_prune_options_init(&po);
                            po.pattern = (nms_prune_pattern)sp;
                            po.original_order = 1;
                            nms_tensor *pruned;
                            nms_error err;
                            ck_assert_int_eq(nms_prune_24(w, perm, &po, &pruned, NULL, &err), NMS_OK);
                            nms_pack_options pko;
                            nms_pack_options_init(&pko);
                            pko.perm = perm;
                            pko.perm_len = perm ? cols : 0;
                            nms_packed *two = NULL;
                            int st2 = nms_pack(pruned, fmt, &pko, &two, &err);
                            int f32_24_cutlass = dt == PT_F32 && fmt == NMS_FORMAT_CUTLASS &&
                                                 sp == NMS_PATTERN_2_4;
                            if (f32_24_cutlass) {
                                /* a 2:4 fp32 matrix is (almost surely) not 1:2 */
                                ck_assert_int_eq(st2, NMS_ERR_INVALID);
                            } else {
                                ck_assert_msg(st2 == NMS_OK, "%s", err.text);
                            }
                            for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                                if (!nms_prune_variant_supported((nms_prune_variant)v))
                                    continue;
                                po.variant = (nms_prune_variant)v;
                                nms_packed *one = NULL;
                                int st1 = nms_prune_pack(w, perm, fmt, &po, &one, &err);
                                if (f32_24_cutlass) {
                                    ck_assert_int_eq(st1, NMS_ERR_UNSUPPORTED);
                                    ck_assert_msg(strstr(err.text, "1:2"), "%s", err.text);
                                    ck_assert_ptr_null(one);
                                    continue;
                                }
                                ck_assert_msg(st1 == NMS_OK, "%s", err.text);
                                ck_assert_uint_eq(nms_packed_count(one), nms_packed_count(two));
                                for (size_t i = 0; i < nms_packed_count(two); i++) {
                                    const nms_tensor *a = nms_packed_part(one, i), *b = nms_packed_part(two, i);
                                    ck_assert_str_eq(nms_packed_name(one, i), nms_packed_name(two, i));
                                    ck_assert_int_eq(nms_tensor_dtype(a), nms_tensor_dtype(b));
                                    ck_assert_uint_eq(nms_tensor_nbytes(a), nms_tensor_nbytes(b));
                                    ck_assert_msg(memcmp(nms_tensor_cdata(a), nms_tensor_cdata(b),
                                                         nms_tensor_nbytes(b)) == 0,
                                                  "%s %s pattern %s perm %d variant %s: part %s differs",
                                                  prune_test_dtype_name(dt), nms_format_name(fmt),
                                                  nms_prune_pattern_name((nms_prune_pattern)sp), use_perm,
                                                  nms_prune_variant_name((nms_prune_variant)v),
                                                  nms_packed_name(two, i));
                                }
                                if (fmt != NMS_FORMAT_CSR && v == NMS_PRUNE_SCALAR) {
                                    int kind = fmt == NMS_FORMAT_NM ? REF_NM
                                               : dt == PT_F32 ? REF_PAIRS : dt == PT_I8 ? REF_CUT32 : REF_CUT16;
                                    expect_ref(one, dt, kind, rows, cols, nms_tensor_cdata(pruned), perm,
                                               "nms_prune_pack");
                                }
                                nms_packed_free(one);
                            }
                            nms_packed_free(two);
                            nms_tensor_free(pruned);
                        }
                    }
                    free(perm);
                }
                nms_tensor_free(w);
            }
        }
    }
}
END_TEST

/* 1:2 by hand: ties to the lower index, -0.0 as zero; fp32 1:2 packs to the
 * CUTLASS fp32 layout (codes 0x4 / 0xE). */
START_TEST(test_prune_12_hand)
{
    const size_t rows = 32, cols = 32;
    float *a = calloc(rows * cols, sizeof *a);
    ck_assert_ptr_nonnull(a);
    const float row0[8] = {1.0f, -2.0f, 3.0f, 3.0f, -0.0f, 0.0f, 0.0f, -5.0f};
    memcpy(a, row0, sizeof row0);
    size_t shape[2] = {rows, cols};
    nms_tensor *w, *pruned, *mask;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &w, NULL), NMS_OK);
    memcpy(nms_tensor_data(w), a, rows * cols * sizeof *a);
    nms_prune_options po;
    nms_prune_options_init(&po);
    ck_assert_int_eq(nms_prune_pattern_parse("1:2", &po.pattern), NMS_OK);
    ck_assert_int_eq(po.pattern, NMS_PATTERN_1_2);
    ck_assert_int_eq(nms_prune_pattern_parse("3:4", &po.pattern), NMS_ERR_INVALID);
    ck_assert_str_eq(nms_prune_pattern_name(NMS_PATTERN_2_4), "2:4");
    nms_error err;
    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        if (!nms_prune_variant_supported((nms_prune_variant)v))
            continue;
        po.variant = (nms_prune_variant)v;
        ck_assert_int_eq(nms_prune_24(w, NULL, &po, &pruned, &mask, &err), NMS_OK);
        const float *p = nms_tensor_cdata(pruned);
        const uint8_t *m = nms_tensor_cdata(mask);
        static const uint8_t want_mask[8] = {0, 1, 1, 0, 1, 0, 0, 1};
        ck_assert_mem_eq(m, want_mask, 8);
        ck_assert(p[1] == -2.0f && p[2] == 3.0f && p[7] == -5.0f && p[0] == 0.0f && p[3] == 0.0f);
        uint32_t b4;
        memcpy(&b4, &p[4], 4);
        ck_assert_uint_eq(b4, 0x80000000u); /* kept -0.0 (ties to the lower index) */
        nms_tensor_free(pruned);
        nms_tensor_free(mask);
        nms_packed *pk;
        ck_assert_msg(nms_prune_pack(w, NULL, NMS_FORMAT_CUTLASS, &po, &pk, &err) == NMS_OK, "%s", err.text);
        const uint16_t *meta = nms_tensor_cdata(nms_packed_find(pk, "meta"));
        const float *vals = nms_tensor_cdata(nms_packed_find(pk, "values"));
        /* pairs of row 0: keep 1, keep 2, none (-0.0 and +0: code 0xE, value +0), keep 7:
         * word (0,0) = E | 4 << 4 | E << 8 | E << 12 */
        ck_assert_uint_eq(meta[0], 0xEE4E);
        ck_assert(vals[0] == -2.0f && vals[1] == 3.0f && vals[3] == -5.0f);
        uint32_t v2;
        memcpy(&v2, &vals[2], 4);
        ck_assert_uint_eq(v2, 0); /* x[5] = +0 */
        nms_packed_free(pk);
    }
    nms_tensor_free(w);
    free(a);
}
END_TEST

/* Inputs of 4 MB and more are split over OpenMP threads: the same bytes
 * and the same first error for 1, 2 and 3 threads (fused prune + pack and
 * nms_pack, nm and cutlass). */
START_TEST(test_pack_threads)
{
#ifdef _OPENMP
    const size_t rows = 2048, cols = 1024; /* 4 MB of f16, 8 MB of f32 */
    size_t shape[2] = {rows, cols};
    uint64_t st = 91;
    int saved = omp_get_max_threads();
    for (int dt = PT_F32; dt <= PT_F16; dt++) {
        size_t es = prune_test_elem_size(dt), vb = rows * cols / 2 * es, mbytes = rows * cols / 8;
        nms_tensor *w;
        ck_assert_int_eq(nms_tensor_create(api_dtype[dt], 2, shape, &w, NULL), NMS_OK);
        unsigned char *wd = nms_tensor_data(w);
        prune_test_fill(dt, PT_RANDOM, st++, wd, rows * cols);
        unsigned char *ref_v = malloc(vb), *ref_m = malloc(mbytes), *v = malloc(vb), *m = malloc(mbytes);
        ck_assert(ref_v && ref_m && v && m);
        nms_error err;
        for (int threads = 1; threads <= 3; threads++) {
            omp_set_num_threads(threads);
            unsigned char *tv = threads == 1 ? ref_v : v, *tm = threads == 1 ? ref_m : m;
            ck_assert_int_eq(nms_prune_24_nm(api_dtype[dt], rows, cols, wd, NULL, NMS_PRUNE_AUTO, tv, tm, &err), NMS_OK);
            if (threads > 1) {
                ck_assert_msg(memcmp(ref_v, v, vb) == 0 && memcmp(ref_m, m, mbytes) == 0,
                              "%s: %d threads differ from 1", prune_test_dtype_name(dt), threads);
            }
            if (dt == PT_F16) {
                ck_assert_int_eq(nms_prune_24_cutlass(NMS_DTYPE_F16, rows, cols, wd, NULL, NMS_PRUNE_AUTO,
                                                      v, m, &err), NMS_OK);
                nms_tensor *p;
                nms_packed *pk;
                ck_assert_int_eq(nms_prune_24(w, NULL, NULL, &p, NULL, &err), NMS_OK);
                ck_assert_int_eq(nms_pack(p, NMS_FORMAT_CUTLASS, NULL, &pk, &err), NMS_OK);
                ck_assert(memcmp(nms_tensor_cdata(nms_packed_find(pk, "values")), v, vb) == 0);
                ck_assert(memcmp(nms_tensor_cdata(nms_packed_find(pk, "meta")), m, rows * cols / 16 * 2) == 0);
                expect_ref(pk, dt, REF_CUT16, rows, cols, nms_tensor_cdata(p), NULL, "threads");
                nms_packed_free(pk);
                /* the first bad group of the matrix is named, for any thread count */
                unsigned char *pd = nms_tensor_data(p);
                memset(pd + (300 * cols + 41) * es, 0x11, 3 * es);
                memset(pd + (1450 * cols + 1) * es, 0x11, 3 * es);
                ck_assert_int_eq(nms_pack(p, NMS_FORMAT_NM, NULL, &pk, &err), NMS_ERR_INVALID);
                ck_assert_msg(strstr(err.text, "row 300, group 10 "), "%d threads: %s", threads, err.text);
                nms_tensor_free(p);
            }
        }
        /* the first NaN, for any thread count */
        prune_test_nan(dt, 0, wd + (1400 * cols + 7) * es);
        prune_test_nan(dt, 0, wd + (200 * cols + 900) * es);
        for (int threads = 1; threads <= 3; threads++) {
            omp_set_num_threads(threads);
            ck_assert_int_eq(nms_prune_24_nm(api_dtype[dt], rows, cols, wd, NULL, NMS_PRUNE_AUTO, v, m, &err),
                             NMS_ERR_NONFINITE);
            ck_assert_msg(strstr(err.text, "NaN at row 200, column 900 "), "%s", err.text);
        }
        free(ref_v);
        free(ref_m);
        free(v);
        free(m);
        nms_tensor_free(w);
    }
    omp_set_num_threads(saved);
#else
    printf("check_prune: built without OpenMP, thread test skipped\n");
#endif
}
END_TEST

/* nms_prune_pack of an n-d tensor packs its matrix view: OIHW and HWIO
 * kernels give what nms_prune_24 then nms_pack (same layout) give. */
START_TEST(test_prune_pack_layouts)
{
    static const size_t oihw[4] = {8, 16, 3, 3}, hwio[4] = {3, 3, 16, 8};
    static const nms_layout layouts[2] = {NMS_LAYOUT_OIHW, NMS_LAYOUT_HWIO};
    uint64_t st = 17;
    for (int li = 0; li < 2; li++) {
        nms_tensor *w, *pruned;
        ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F16, 4, li ? hwio : oihw, &w, NULL), NMS_OK);
        prune_test_fill(PT_F16, PT_RANDOM, st++, nms_tensor_data(w), nms_tensor_numel(w));
        nms_prune_options po;
        nms_prune_options_init(&po);
        po.layout = layouts[li];
        nms_error err;
        ck_assert_int_eq(nms_prune_24(w, NULL, &po, &pruned, NULL, &err), NMS_OK);
        nms_pack_options pko;
        nms_pack_options_init(&pko);
        pko.layout = layouts[li];
        nms_packed *two, *one;
        ck_assert_msg(nms_pack(pruned, NMS_FORMAT_NM, &pko, &two, &err) == NMS_OK, "%s", err.text);
        ck_assert_msg(nms_prune_pack(w, NULL, NMS_FORMAT_NM, &po, &one, &err) == NMS_OK, "%s", err.text);
        ck_assert_uint_eq(nms_packed_rows(one), 8 * 9);
        ck_assert_uint_eq(nms_packed_cols(one), 16);
        for (size_t i = 0; i < nms_packed_count(two); i++) {
            const nms_tensor *a = nms_packed_part(one, i), *b = nms_packed_part(two, i);
            ck_assert_uint_eq(nms_tensor_nbytes(a), nms_tensor_nbytes(b));
            ck_assert_msg(memcmp(nms_tensor_cdata(a), nms_tensor_cdata(b), nms_tensor_nbytes(b)) == 0,
                          "layout %d: part %s differs", li, nms_packed_name(two, i));
        }
        nms_packed_free(one);
        nms_packed_free(two);
        nms_tensor_free(pruned);
        nms_tensor_free(w);
    }
}
END_TEST

/* ---- every kernel table through the row driver ---------------------------------
 * nms__prune_pack with each kernel table this host runs (the public variants,
 * plus the AVX-512 table without VBMI2 when the CPU would pick the VBMI2 one,
 * plus a table whose step-major CUTLASS kernels stop early, see below)
 * gives the scalar table's bytes: nm and cutlass layouts, 2:4 and 1:2, rows
 * whose length is not a multiple of any kernel's step, random, tied, special
 * (+-0, subnormals, extremes, infinities), all-equal and sparse (+-0) data
 * and every group of an adversarial alphabet; NaN is reported by all. */

/* The host's step-major CUTLASS kernels (nms__prune_kernels.flush16_steps:
 * AVX-512 VBMI2) encode whole rows of a CUTLASS shape, so the driver's
 * path for groups they leave is tried with a copy of their table whose
 * kernels do at most one step (16 groups) a call: the fused kernel's rest
 * is pruned and handed to the encoder, which again does one step, and the
 * portable encoder's nm bytes of the rest are copied to their steps. */
static const nms__prune_kernels *short_steps_base;

static size_t short_pnm16_steps(const void *row, size_t groups, uint32_t nan_above, void *vals,
                                uint8_t *meta, size_t step, uint32_t *nan)
{
    return short_steps_base->pnm16_steps(row, groups < 16 ? groups : 16, nan_above, vals, meta,
                                         step, nan);
}

static size_t short_enc16_steps(const void *row, size_t groups, void *vals, uint8_t *meta,
                                size_t step, uint32_t *over2)
{
    return short_steps_base->enc16_steps(row, groups < 16 ? groups : 16, vals, meta, step, over2);
}

static const nms__prune_kernels *short_steps_table(const nms__prune_kernels *k)
{
    static nms__prune_kernels t;
    short_steps_base = k;
    t = *k;
    t.name = "steps stopping early";
    t.pnm16_steps = short_pnm16_steps;
    t.enc16_steps = short_enc16_steps;
    return &t;
}

#define MAX_HOST_TABLES (NMS_PRUNE_VARIANT_COUNT + 2)
static int host_tables(const nms__prune_kernels **tabs)
{
    int n = 0;
    for (int v = NMS_PRUNE_SSE41; v < NMS_PRUNE_VARIANT_COUNT; v++) {
        const nms__prune_kernels *k = nms__prune_kernels_get((nms_prune_variant)v);
        if (k)
            tabs[n++] = k;
#ifdef HAVE_AVX512
        if (k && v == NMS_PRUNE_AVX512 && k != nms__prune_kernels_avx512())
            tabs[n++] = nms__prune_kernels_avx512();
#endif
        if (k && k->flush16_steps)
            tabs[n++] = short_steps_table(k);
    }
    return n;
}

static void check_tables_on(int dt, size_t rows, size_t cols, const unsigned char *in,
                            const char *what)
{
    const nms__prune_kernels *tabs[MAX_HOST_TABLES];
    int ntabs = host_tables(tabs);
    /* meta: nm (cols/4+1)/2 bytes a row, cutlass cols/8, 1:2 pairs cols/4 */
    size_t es = prune_test_elem_size(dt), nv = rows * cols / 2 * es, mb = cols / 4 + 1;
    unsigned char *v1 = malloc(nv + 1), *v2 = malloc(nv + 1);
    uint8_t *m1 = malloc(rows * mb + 64), *m2 = malloc(rows * mb + 64);
    ck_assert(v1 && v2 && m1 && m2);
    for (int lay = 0; lay < 3; lay++) {
        nms__pack_layout layout = lay == 0 ? NMS__PACK_NM
                                  : dt == PT_I8 ? NMS__PACK_CUTLASS32 : NMS__PACK_CUTLASS16;
        nms_prune_pattern pattern = lay == 2 ? NMS_PATTERN_1_2 : NMS_PATTERN_2_4;
        if (lay == 2 && dt == PT_F32)
            layout = NMS__PACK_CUTLASS_PAIRS;
        else if (lay == 2)
            layout = NMS__PACK_NM;
        if ((layout == NMS__PACK_CUTLASS16 && (rows % 32 || cols % 64)) ||
            (layout == NMS__PACK_CUTLASS32 && (rows % 16 || cols % 128)) ||
            (layout == NMS__PACK_CUTLASS_PAIRS && (rows % 32 || cols % 32)))
            continue;
        memset(v1, 0x5a, nv + 1);
        memset(m1, 0x5a, rows * mb + 64);
        ck_assert_int_eq(nms__prune_pack(api_dtype[dt], rows, cols, in, NULL, nms__prune_kernels_scalar(),
                                         layout, 0, pattern, v1, m1, NULL), NMS_OK);
        for (int t = 0; t < ntabs; t++) {
            memset(v2, 0x5a, nv + 1);
            memset(m2, 0x5a, rows * mb + 64);
            ck_assert_int_eq(nms__prune_pack(api_dtype[dt], rows, cols, in, NULL, tabs[t], layout, 0,
                                             pattern, v2, m2, NULL), NMS_OK);
            ck_assert_msg(memcmp(v1, v2, nv + 1) == 0 && memcmp(m1, m2, rows * mb + 64) == 0,
                          "%s (table %d of %d) %s %s %zux%zu layout %d pattern %s: differs from scalar",
                          tabs[t]->name, t, ntabs, prune_test_dtype_name(dt), what, rows, cols,
                          (int)layout, nms_prune_pattern_name(pattern));
        }
        /* verify mode (nms_pack's path): the matrix pruned to the pattern
         * packs to the same bytes with every table; the unpruned input is
         * accepted or rejected (NMS_ERR_INVALID) as by the scalar table,
         * with the same bytes when accepted */
        unsigned char *pruned = malloc(rows * cols * es);
        ck_assert_ptr_nonnull(pruned);
        ck_assert_int_eq(nms__prune_call(nms__prune_kernels_scalar(), api_dtype[dt], pattern, in,
                                         rows * cols / 4, pruned, NULL), 0);
        for (int t = 0; t < ntabs; t++) {
            memset(v2, 0x5a, nv + 1);
            memset(m2, 0x5a, rows * mb + 64);
            ck_assert_int_eq(nms__prune_pack(api_dtype[dt], rows, cols, pruned, NULL, tabs[t], layout,
                                             1, pattern, v2, m2, NULL), NMS_OK);
            ck_assert_msg(memcmp(v1, v2, nv + 1) == 0 && memcmp(m1, m2, rows * mb + 64) == 0,
                          "%s %s %s %zux%zu layout %d: verify mode differs from scalar prune",
                          tabs[t]->name, prune_test_dtype_name(dt), what, rows, cols, (int)layout);
        }
        memset(v1, 0x5a, nv + 1);
        memset(m1, 0x5a, rows * mb + 64);
        int want = nms__prune_pack(api_dtype[dt], rows, cols, in, NULL, nms__prune_kernels_scalar(),
                                   layout, 1, pattern, v1, m1, NULL);
        for (int t = 0; t < ntabs; t++) {
            memset(v2, 0x5a, nv + 1);
            memset(m2, 0x5a, rows * mb + 64);
            int got = nms__prune_pack(api_dtype[dt], rows, cols, in, NULL, tabs[t], layout, 1,
                                      pattern, v2, m2, NULL);
            ck_assert_msg(got == want, "%s %s %s %zux%zu layout %d: verify status %d, scalar %d",
                          tabs[t]->name, prune_test_dtype_name(dt), what, rows, cols, (int)layout,
                          got, want);
            if (want == NMS_OK)
                ck_assert(memcmp(v1, v2, nv + 1) == 0 && memcmp(m1, m2, rows * mb + 64) == 0);
        }
        free(pruned);
    }
    free(v1);
    free(v2);
    free(m1);
    free(m2);
}

START_TEST(test_tables_fused_match_scalar)
{
    static const size_t shapes[][2] = {{32, 64},  {2, 60},  {3, 68},   {32, 128}, {1, 4},
                                       {5, 252},  {4, 260}, {32, 256}, {2, 4100}, {16, 1024},
                                       /* cutlass with several blocks and column pairs;
                                        * 48 and 80 1:2 pairs: a partial 32-pair step */
                                       {64, 96},  {96, 160}, {64, 192}};
    const nms__prune_kernels *tabs[MAX_HOST_TABLES];
    int ntabs = host_tables(tabs);
    printf("check_prune: %d SIMD kernel tables through the row driver\n", ntabs);
    uint64_t st = 5;
    for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
        size_t es = prune_test_elem_size(dt);
        for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
            size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
            unsigned char *in = malloc(n * es);
            ck_assert_ptr_nonnull(in);
            for (int pat = 0; pat <= PT_PATTERN_COUNT; pat++) {
                prune_test_fill(dt, pat == PT_PATTERN_COUNT ? PT_SPECIAL : pat, st++, in, n);
                if (pat == PT_PATTERN_COUNT)
                    sparsify(dt, in, n, &st);
                check_tables_on(dt, rows, cols, in,
                                pat == PT_PATTERN_COUNT ? "sparse" : prune_test_pattern_name(pat));
            }
            free(in);
        }
        /* every group of the adversarial alphabet, as rows of 1024 */
        unsigned char *all = malloc(4 * 4096 * es);
        ck_assert_ptr_nonnull(all);
        size_t ng = prune_test_fill_all_combinations(dt, all, 4096);
        check_tables_on(dt, ng / 256, 1024, all, "combinations");
        free(all);
        /* NaN in any position of a row is reported by every table */
        if (dt != PT_I8) {
            unsigned char row[4 * 64 * 4], vals[2 * 64 * 4];
            uint8_t meta[64];
            static const size_t pos[] = {0, 5, 63, 64, 130, 255};
            for (int t = 0; t < ntabs; t++)
                for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++) {
                    prune_test_fill(dt, PT_RANDOM, p, row, 256);
                    prune_test_nan(dt, (int)(p % 3), row + pos[p] * es);
                    nms_error err;
                    ck_assert_int_eq(nms__prune_pack(api_dtype[dt], 1, 256, row, NULL, tabs[t],
                                                     NMS__PACK_NM, 0, NMS_PATTERN_2_4, vals, meta,
                                                     &err), NMS_ERR_NONFINITE);
                    char want[48];
                    snprintf(want, sizeof want, "column %zu ", pos[p]);
                    ck_assert_msg(strstr(err.text, want), "%s: %s", tabs[t]->name, err.text);
                }
        }
    }
}
END_TEST

static Suite *prune_suite(void)
{
    Suite *s = suite_create("prune");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_hand_cases);
    tcase_add_test(tc, test_scalar_matches_oracle);
    tcase_add_test(tc, test_variants_match_scalar);
    tcase_add_test(tc, test_nan_rejected);
    tcase_add_test(tc, test_permutation);
    tcase_add_test(tc, test_kept_value_matches_objective);
    tcase_add_test(tc, test_layouts);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_variant_selection);
    tcase_add_test(tc, test_real_layers);
    tcase_add_test(tc, test_prune_nm_matches_pack);
    tcase_add_test(tc, test_prune_cutlass_matches_pack);
    tcase_add_test(tc, test_prune_cutlass_worked_example);
    tcase_add_test(tc, test_pack_fast_matches_reference);
    tcase_add_test(tc, test_prune_pack_matches_two_steps);
    tcase_add_test(tc, test_prune_12_hand);
    tcase_add_test(tc, test_pack_threads);
    tcase_add_test(tc, test_prune_pack_layouts);
    tcase_add_test(tc, test_tables_fused_match_scalar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(prune_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
