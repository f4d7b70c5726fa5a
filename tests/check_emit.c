/* check_emit.c - the 2:4 compressed formats: the specification's worked
 * example and reorder spot values, hand-computed cases for every format and
 * dtype, round trips on random 2:4 data, and rejection of bad input. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "nmsparse.h"

/* ---- helpers ---------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* float -> IEEE half, round to nearest even (normal range is enough here). */
static uint16_t f2h(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t e = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if ((x & 0x7fffffffu) == 0)
        return (uint16_t)sign;
    ck_assert(e > 0 && e < 31);
    uint32_t h = sign | (uint32_t)e << 10 | mant >> 13;
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)h;
}

static nms_tensor *mat(nms_dtype dt, size_t m, size_t k)
{
    size_t shape[2] = {m, k};
    nms_tensor *t = NULL;
    ck_assert_int_eq(nms_tensor_create(dt, 2, shape, &t, NULL), NMS_OK);
    return t;
}

static void set_u16(nms_tensor *t, size_t r, size_t c, uint16_t v)
{
    memcpy((unsigned char *)nms_tensor_data(t) + 2 * (r * nms_tensor_dim(t, 1) + c), &v, 2);
}
static void set_f32(nms_tensor *t, size_t r, size_t c, float v)
{
    memcpy((unsigned char *)nms_tensor_data(t) + 4 * (r * nms_tensor_dim(t, 1) + c), &v, 4);
}
static void set_i8(nms_tensor *t, size_t r, size_t c, int8_t v)
{
    ((int8_t *)nms_tensor_data(t))[r * nms_tensor_dim(t, 1) + c] = v;
}
static uint16_t get_u16(const nms_tensor *t, size_t i)
{
    uint16_t v;
    memcpy(&v, (const unsigned char *)nms_tensor_cdata(t) + 2 * i, 2);
    return v;
}
static uint32_t get_u32(const nms_tensor *t, size_t i)
{
    uint32_t v;
    memcpy(&v, (const unsigned char *)nms_tensor_cdata(t) + 4 * i, 4);
    return v;
}

static nms_packed *pack_ok(const nms_tensor *a, nms_format f)
{
    nms_packed *p = NULL;
    nms_error err;
    int st = nms_pack(a, f, NULL, &p, &err);
    if (st != NMS_OK)
        ck_abort_msg("pack failed: %s", err.text);
    return p;
}

static int pack_fails(const nms_tensor *a, nms_format f, int want, const char *needle)
{
    nms_packed *p = NULL;
    nms_error err;
    memset(&err, 0, sizeof err);
    int st = nms_pack(a, f, NULL, &p, &err);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, want);
    if (needle && !strstr(err.text, needle))
        ck_abort_msg("message '%s' lacks '%s'", err.text, needle);
    return st;
}

static void assert_same_bytes(const nms_tensor *a, const nms_tensor *b)
{
    ck_assert_int_eq(nms_tensor_dtype(a), nms_tensor_dtype(b));
    ck_assert_int_eq(nms_tensor_ndim(a), nms_tensor_ndim(b));
    for (int d = 0; d < nms_tensor_ndim(a); d++)
        ck_assert_uint_eq(nms_tensor_dim(a, d), nms_tensor_dim(b, d));
    ck_assert_uint_eq(nms_tensor_nbytes(a), nms_tensor_nbytes(b));
    ck_assert(memcmp(nms_tensor_cdata(a), nms_tensor_cdata(b), nms_tensor_nbytes(a)) == 0);
}

static nms_tensor *unpack_ok(const nms_packed *p)
{
    nms_tensor *d = NULL;
    nms_error err;
    if (nms_unpack(p, &d, &err) != NMS_OK)
        ck_abort_msg("unpack failed: %s", err.text);
    return d;
}

/* ---- codes and reorder ------------------------------------------------ */

START_TEST(test_group_codes)
{
    /* flags bit i = position i nonzero */
    ck_assert_int_eq(nms__group_code(0x3), 0x4);  /* (0,1) */
    ck_assert_int_eq(nms__group_code(0x5), 0x8);  /* (0,2) */
    ck_assert_int_eq(nms__group_code(0x9), 0xC);  /* (0,3) */
    ck_assert_int_eq(nms__group_code(0x6), 0x9);  /* (1,2) */
    ck_assert_int_eq(nms__group_code(0xA), 0xD);  /* (1,3) */
    ck_assert_int_eq(nms__group_code(0xC), 0xE);  /* (2,3) */
    ck_assert_int_eq(nms__group_code(0x0), 0xE);  /* 0000 -> (2,3) */
    ck_assert_int_eq(nms__group_code(0x8), 0xE);  /* 0001 -> (2,3) */
    ck_assert_int_eq(nms__group_code(0x4), 0xE);  /* 0010 -> (2,3) */
    ck_assert_int_eq(nms__group_code(0x2), 0x9);  /* 0100 -> (1,2) */
    ck_assert_int_eq(nms__group_code(0x1), 0x8);  /* 1000 -> (0,2) */
    ck_assert_int_eq(nms__group_code(0x7), -1);
    ck_assert_int_eq(nms__group_code(0xB), -1);
    ck_assert_int_eq(nms__group_code(0xD), -1);
    ck_assert_int_eq(nms__group_code(0xE), -1);
    ck_assert_int_eq(nms__group_code(0xF), -1);
}
END_TEST

START_TEST(test_reorder_spots)
{
    ck_assert_uint_eq(nms__cutlass_meta_offset(0, 0, 32, 16), 0);
    ck_assert_uint_eq(nms__cutlass_meta_offset(0, 1, 32, 16), 2);
    ck_assert_uint_eq(nms__cutlass_meta_offset(0, 2, 32, 16), 64);
    ck_assert_uint_eq(nms__cutlass_meta_offset(1, 0, 32, 16), 8);
    ck_assert_uint_eq(nms__cutlass_meta_offset(8, 0, 32, 16), 1);
    ck_assert_uint_eq(nms__cutlass_meta_offset(16, 0, 32, 16), 4);
    ck_assert_uint_eq(nms__cutlass_meta_offset(31, 0, 32, 16), 61);
    /* int32 words (G = 16, W = 2), computed by hand from the formula:
     * (0,1): dr 0, dc 1 -> dr 1, dc 0 -> 2;  (1,0): dr 2 -> 4;
     * (8,0): dr 1 -> dr 0, dc 1 -> 1;  (15,0): dr 7*2+1 = 15 -> 14, dc 1 -> 29 */
    ck_assert_uint_eq(nms__cutlass_meta_offset(0, 1, 16, 32), 2);
    ck_assert_uint_eq(nms__cutlass_meta_offset(1, 0, 16, 32), 4);
    ck_assert_uint_eq(nms__cutlass_meta_offset(8, 0, 16, 32), 1);
    ck_assert_uint_eq(nms__cutlass_meta_offset(15, 0, 16, 32), 29);
    ck_assert_uint_eq(nms__cutlass_meta_offset(0, 2, 16, 32), 32);
}
END_TEST

START_TEST(test_reorder_is_permutation)
{
    static const struct { size_t m, nc; int bits; } cases[] = {
        {32, 4, 16}, {64, 8, 16}, {96, 2, 16}, {16, 4, 32}, {48, 6, 32}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        size_t m = cases[t].m, nc = cases[t].nc, n = m * nc;
        unsigned char *seen = calloc(n, 1);
        for (size_t r = 0; r < m; r++)
            for (size_t c = 0; c < nc; c++) {
                size_t o = nms__cutlass_meta_offset(r, c, m, cases[t].bits);
                ck_assert_uint_lt(o, n);
                ck_assert_int_eq(seen[o], 0);
                seen[o] = 1;
            }
        free(seen);
    }
}
END_TEST

/* ---- cutlass hand cases ----------------------------------------------- */

START_TEST(test_worked_example_fp16)
{
    static const float row[16] = {0, .1669f, 0, .1017f, -2.13f, 0, 0, -.329f,
                                  0, 2.793f, -.9917f, 0, 2.361f, 0, -.686f, 0};
    nms_tensor *a = mat(NMS_DTYPE_F16, 32, 64);
    for (size_t c = 0; c < 16; c++)
        set_u16(a, 0, c, f2h(row[c]));
    /* row 8: codes 4, 8, C, 9 -> word 0x9C84 at storage offset 1 */
    static const int row8_pos[4][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}};
    for (size_t g = 0; g < 4; g++)
        for (int i = 0; i < 2; i++)
            set_u16(a, 8, 4 * g + (size_t)row8_pos[g][i], f2h(1.0f + (float)g));
    nms_packed *p = pack_ok(a, NMS_FORMAT_CUTLASS);
    const nms_tensor *values = nms_packed_find(p, "values");
    const nms_tensor *meta = nms_packed_find(p, "meta");
    ck_assert_int_eq(nms_tensor_dtype(values), NMS_DTYPE_F16);
    ck_assert_uint_eq(nms_tensor_dim(values, 0), 32);
    ck_assert_uint_eq(nms_tensor_dim(values, 1), 32);
    ck_assert_int_eq(nms_tensor_dtype(meta), NMS_DTYPE_I16);
    ck_assert_uint_eq(nms_tensor_dim(meta, 0), 32);
    ck_assert_uint_eq(nms_tensor_dim(meta, 1), 4); /* nc = k/16 */
    ck_assert_uint_eq(get_u16(meta, 0), 0x89CD);
    ck_assert_uint_eq(get_u16(meta, 1), 0x9C84);
    for (size_t i = 2; i < 32 * 4; i++)
        ck_assert_uint_eq(get_u16(meta, i), 0xEEEE); /* empty groups -> (2,3) */
    static const float kept[8] = {.1669f, .1017f, -2.13f, -.329f, 2.793f, -.9917f, 2.361f, -.686f};
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq(get_u16(values, i), f2h(kept[i]));
    nms_tensor *back = unpack_ok(p);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

START_TEST(test_bf16_signed_zeros_and_sparse_groups)
{
    nms_tensor *a = mat(NMS_DTYPE_BF16, 32, 64);
    /* group 0: only position 1 nonzero, a -0.0 at 2: (1,2), the -0.0 is kept */
    set_u16(a, 0, 1, 0x3f80);
    set_u16(a, 0, 2, 0x8000);
    /* group 1: only position 0 nonzero -> (0,2) */
    set_u16(a, 0, 4, 0x4000);
    /* group 2: only position 3 -> (2,3) */
    set_u16(a, 0, 11, 0xc040);
    /* group 3: -0.0 at 0 and 1 (zeros) and 2.0 at 2 -> (2,3); the -0.0s are not stored */
    set_u16(a, 0, 12, 0x8000);
    set_u16(a, 0, 13, 0x8000);
    set_u16(a, 0, 14, 0x4000);
    nms_packed *p = pack_ok(a, NMS_FORMAT_CUTLASS);
    const nms_tensor *values = nms_packed_find(p, "values");
    const nms_tensor *meta = nms_packed_find(p, "meta");
    ck_assert_int_eq(nms_tensor_dtype(values), NMS_DTYPE_BF16);
    ck_assert_uint_eq(get_u16(meta, 0), 0xEE89); /* codes 9, 8, E, E */
    static const uint16_t want[8] = {0x3f80, 0x8000, 0x4000, 0x0000, 0x0000, 0xc040, 0x4000, 0x0000};
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq(get_u16(values, i), want[i]);
    nms_tensor *back = unpack_ok(p);
    /* identical except the unstored -0.0s of group 3, which come back +0 */
    set_u16(a, 0, 12, 0);
    set_u16(a, 0, 13, 0);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

START_TEST(test_int8_words)
{
    nms_tensor *a = mat(NMS_DTYPE_I8, 16, 128);
    /* row 0, groups 0..7: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3) none only-3
     * -> codes 4 8 C 9 D E E E -> int32 word 0xEEED9C84 at offset 0 */
    static const int pos[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
    for (size_t g = 0; g < 6; g++) {
        set_i8(a, 0, 4 * g + (size_t)pos[g][0], (int8_t)(-128 + (int)g));
        set_i8(a, 0, 4 * g + (size_t)pos[g][1], (int8_t)(127 - (int)g));
    }
    set_i8(a, 0, 31, 5);
    /* row 1, group 0 (0,3) -> word 0xEEEEEEEC at offset 4; row 8 -> offset 1 */
    set_i8(a, 1, 0, 1);
    set_i8(a, 1, 3, 2);
    set_i8(a, 8, 1, 7);   /* only 1 -> (1,2) -> 0xEEEEEEE9 */
    nms_packed *p = pack_ok(a, NMS_FORMAT_CUTLASS);
    const nms_tensor *meta = nms_packed_find(p, "meta");
    const nms_tensor *values = nms_packed_find(p, "values");
    ck_assert_int_eq(nms_tensor_dtype(meta), NMS_DTYPE_I32);
    ck_assert_uint_eq(nms_tensor_dim(meta, 1), 4); /* nc = k/32 */
    ck_assert_uint_eq(get_u32(meta, 0), 0xEEED9C84u);
    ck_assert_uint_eq(get_u32(meta, 4), 0xEEEEEEECu);
    ck_assert_uint_eq(get_u32(meta, 1), 0xEEEEEEE9u);
    const int8_t *v = nms_tensor_cdata(values);
    ck_assert_int_eq(v[0], -128);
    ck_assert_int_eq(v[1], 127);
    ck_assert_int_eq(v[10], -123);
    ck_assert_int_eq(v[11], 122);
    ck_assert_int_eq(v[14], 0);
    ck_assert_int_eq(v[15], 5);
    nms_tensor *back = unpack_ok(p);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

START_TEST(test_fp32_pairs)
{
    nms_tensor *a = mat(NMS_DTYPE_F32, 32, 32);
    /* pairs of row 0: (1,0) -> 0x4 keeps col 0; (0,2) -> 0xE keeps col 3;
     * (0,0) -> 0xE; (-0,0) -> 0xE keeps col 7 (+0); then (0,-0) keeps -0.0 */
    set_f32(a, 0, 0, 1.0f);
    set_f32(a, 0, 3, 2.0f);
    set_f32(a, 0, 6, -0.0f);
    set_f32(a, 0, 9, -0.0f);
    set_f32(a, 0, 10, -3.5f);
    nms_packed *p = pack_ok(a, NMS_FORMAT_CUTLASS);
    const nms_tensor *meta = nms_packed_find(p, "meta");
    const nms_tensor *values = nms_packed_find(p, "values");
    ck_assert_int_eq(nms_tensor_dtype(meta), NMS_DTYPE_I16);
    ck_assert_uint_eq(nms_tensor_dim(meta, 1), 4); /* nc = k/8 */
    ck_assert_uint_eq(nms_tensor_dim(values, 1), 16);
    ck_assert_uint_eq(get_u16(meta, 0), 0xEEE4);
    ck_assert_uint_eq(get_u16(meta, 2), 0xEE4E); /* word (0,1) -> offset 2 */
    ck_assert_uint_eq(get_u32(values, 0), 0x3f800000u);
    ck_assert_uint_eq(get_u32(values, 1), 0x40000000u);
    ck_assert_uint_eq(get_u32(values, 2), 0);
    ck_assert_uint_eq(get_u32(values, 3), 0);
    ck_assert_uint_eq(get_u32(values, 4), 0x80000000u);
    ck_assert_uint_eq(get_u32(values, 5), 0xc0600000u);
    nms_tensor *back = unpack_ok(p);
    set_f32(a, 0, 6, 0.0f); /* the unstored -0.0 comes back +0 */
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

START_TEST(test_cutlass_rejects)
{
    nms_tensor *a = mat(NMS_DTYPE_F16, 32, 64);
    set_u16(a, 3, 20, 0x3c00);
    set_u16(a, 3, 21, 0x3c00);
    set_u16(a, 3, 23, 0x3c00);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_INVALID, "row 3, group 5");
    pack_fails(a, NMS_FORMAT_NM, NMS_ERR_INVALID, "row 3, group 5");
    nms_tensor_free(a);

    a = mat(NMS_DTYPE_F16, 16, 64);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_SHAPE, "16 x 64");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_BF16, 32, 32);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_SHAPE, "columns % 64");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_I8, 16, 64);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_SHAPE, "columns % 128");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_I8, 8, 128);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_SHAPE, "rows % 16");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_F32, 32, 16);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_SHAPE, "columns % 32");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_U16, 32, 64);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_UNSUPPORTED, "bf16");
    nms_tensor_free(a);
    a = mat(NMS_DTYPE_F64, 32, 64);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_UNSUPPORTED, "F64");
    nms_tensor_free(a);

    /* fp32 that is 2:4 but not 1:2 */
    a = mat(NMS_DTYPE_F32, 32, 32);
    set_f32(a, 5, 8, 1.0f);
    set_f32(a, 5, 9, 2.0f);
    pack_fails(a, NMS_FORMAT_CUTLASS, NMS_ERR_INVALID, "row 5, column pair 4");
    /* the same matrix is fine for nm (generic 2:4) */
    nms_packed *p = pack_ok(a, NMS_FORMAT_NM);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

START_TEST(test_as_dtype_bf16)
{
    /* U16 bit patterns taken as bf16: the same bytes as a BF16 matrix. */
    nms_tensor *a = mat(NMS_DTYPE_U16, 32, 64), *b = mat(NMS_DTYPE_BF16, 32, 64);
    for (size_t r = 0; r < 32; r++)
        for (size_t g = 0; g < 16; g++) {
            uint16_t v = (uint16_t)(rnd() | 1u);
            set_u16(a, r, 4 * g + r % 4, v);
            set_u16(b, r, 4 * g + r % 4, v);
        }
    nms_pack_options o;
    nms_pack_options_init(&o);
    o.as_dtype = NMS_DTYPE_BF16;
    nms_packed *p = NULL;
    ck_assert_int_eq(nms_pack(a, NMS_FORMAT_CUTLASS, &o, &p, NULL), NMS_OK);
    nms_packed *q = pack_ok(b, NMS_FORMAT_CUTLASS);
    ck_assert_int_eq(nms_packed_dtype(p), NMS_DTYPE_BF16);
    assert_same_bytes(nms_packed_find(p, "values"), nms_packed_find(q, "values"));
    assert_same_bytes(nms_packed_find(p, "meta"), nms_packed_find(q, "meta"));
    o.as_dtype = NMS_DTYPE_F32; /* size differs */
    nms_packed *bad = NULL;
    ck_assert_int_eq(nms_pack(a, NMS_FORMAT_CUTLASS, &o, &bad, NULL), NMS_ERR_INVALID);
    nms_packed_free(p);
    nms_packed_free(q);
    nms_tensor_free(a);
    nms_tensor_free(b);
}
END_TEST

/* ---- nm and csr hand cases -------------------------------------------- */

START_TEST(test_nm_hand)
{
    nms_tensor *a = mat(NMS_DTYPE_F32, 2, 12);
    /* row 0: [0,1,0,2 | 3,0,0,0 | 0,0,0,0] -> codes D, 8, E -> bytes 0x8D, 0x0E */
    set_f32(a, 0, 1, 1.0f);
    set_f32(a, 0, 3, 2.0f);
    set_f32(a, 0, 4, 3.0f);
    /* row 1: [4,5,0,0 | 0,0,6,7 | 0,8,-9,0] -> codes 4, E, 9 -> 0xE4, 0x09 */
    set_f32(a, 1, 0, 4.0f);
    set_f32(a, 1, 1, 5.0f);
    set_f32(a, 1, 6, 6.0f);
    set_f32(a, 1, 7, 7.0f);
    set_f32(a, 1, 9, 8.0f);
    set_f32(a, 1, 10, -9.0f);
    nms_packed *p = pack_ok(a, NMS_FORMAT_NM);
    const nms_tensor *meta = nms_packed_find(p, "meta");
    const nms_tensor *values = nms_packed_find(p, "values");
    ck_assert_int_eq(nms_tensor_dtype(meta), NMS_DTYPE_U8);
    ck_assert_uint_eq(nms_tensor_dim(meta, 1), 2);
    const uint8_t *mb = nms_tensor_cdata(meta);
    ck_assert_uint_eq(mb[0], 0x8D);
    ck_assert_uint_eq(mb[1], 0x0E);
    ck_assert_uint_eq(mb[2], 0xE4);
    ck_assert_uint_eq(mb[3], 0x09);
    static const float want[12] = {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, -9};
    const float *v = nms_tensor_cdata(values);
    for (size_t i = 0; i < 12; i++)
        ck_assert(v[i] == want[i]);
    nms_tensor *back = unpack_ok(p);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);

    /* nm is the un-reordered cutlass word stream read little-endian */
    nms_tensor *h = mat(NMS_DTYPE_F16, 32, 64);
    for (size_t r = 0; r < 32; r++)
        for (size_t c = 0; c < 64; c++)
            if (rnd() % 2)
                set_u16(h, r, c, 0x3c00);
    for (size_t r = 0; r < 32; r++)  /* make it 2:4 */
        for (size_t g = 0; g < 16; g++)
        {
            size_t x = rnd() % 4;
            set_u16(h, r, 4 * g + x, 0);
            set_u16(h, r, 4 * g + (x + 2) % 4, 0);
        }
    nms_packed *c = pack_ok(h, NMS_FORMAT_CUTLASS), *n = pack_ok(h, NMS_FORMAT_NM);
    const nms_tensor *cm = nms_packed_find(c, "meta");
    const uint8_t *nb = nms_tensor_cdata(nms_packed_find(n, "meta"));
    for (size_t r = 0; r < 32; r++)
        for (size_t w = 0; w < 4; w++) {
            uint16_t word = get_u16(cm, nms__cutlass_meta_offset(r, w, 32, 16));
            ck_assert_uint_eq(word & 0xff, nb[r * 8 + 2 * w]);
            ck_assert_uint_eq(word >> 8, nb[r * 8 + 2 * w + 1]);
        }
    assert_same_bytes(nms_packed_find(c, "values"), nms_packed_find(n, "values"));
    nms_packed_free(c);
    nms_packed_free(n);
    nms_tensor_free(h);
}
END_TEST

START_TEST(test_csr_hand)
{
    nms_tensor *a = mat(NMS_DTYPE_F32, 3, 5);
    set_f32(a, 0, 1, 3.0f);
    set_f32(a, 0, 4, -1.0f);
    set_f32(a, 1, 2, -0.0f); /* a zero: not stored */
    set_f32(a, 2, 0, 0.5f);
    set_f32(a, 2, 1, 0.25f);
    set_f32(a, 2, 2, 7.0f); /* not 2:4: csr does not care */
    nms_packed *p = pack_ok(a, NMS_FORMAT_CSR);
    ck_assert_uint_eq(nms_packed_count(p), 4);
    const nms_tensor *ip = nms_packed_find(p, "indptr"), *ix = nms_packed_find(p, "indices");
    const nms_tensor *d = nms_packed_find(p, "data"), *sh = nms_packed_find(p, "shape");
    ck_assert_int_eq(nms_tensor_dtype(ip), NMS_DTYPE_I32);
    ck_assert_int_eq(nms_tensor_dtype(ix), NMS_DTYPE_I32);
    ck_assert_int_eq(nms_tensor_dtype(sh), NMS_DTYPE_I64);
    static const int32_t want_ip[4] = {0, 2, 2, 5}, want_ix[5] = {1, 4, 0, 1, 2};
    static const float want_d[5] = {3, -1, 0.5f, 0.25f, 7};
    ck_assert_uint_eq(nms_tensor_numel(ix), 5);
    ck_assert(memcmp(nms_tensor_cdata(ip), want_ip, sizeof want_ip) == 0);
    ck_assert(memcmp(nms_tensor_cdata(ix), want_ix, sizeof want_ix) == 0);
    ck_assert(memcmp(nms_tensor_cdata(d), want_d, sizeof want_d) == 0);
    const int64_t *s = nms_tensor_cdata(sh);
    ck_assert_int_eq(s[0], 3);
    ck_assert_int_eq(s[1], 5);
    nms_tensor *back = unpack_ok(p);
    set_f32(a, 1, 2, 0.0f);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST


START_TEST(test_nm_csr_hand_other_dtypes)
{
    /* int8 nm: row [-128,0,0,127 | 0,0,0,0] -> codes C, E -> meta 0xEC,
     * values [-128, 127, 0, 0] */
    nms_tensor *a = mat(NMS_DTYPE_I8, 1, 8);
    set_i8(a, 0, 0, -128);
    set_i8(a, 0, 3, 127);
    nms_packed *p = pack_ok(a, NMS_FORMAT_NM);
    const uint8_t *mb = nms_tensor_cdata(nms_packed_find(p, "meta"));
    const int8_t *v = nms_tensor_cdata(nms_packed_find(p, "values"));
    ck_assert_uint_eq(mb[0], 0xEC);
    ck_assert_int_eq(v[0], -128);
    ck_assert_int_eq(v[1], 127);
    ck_assert_int_eq(v[2], 0);
    ck_assert_int_eq(v[3], 0);
    nms_packed_free(p);
    /* int8 csr: indptr {0, 2}, indices {0, 3}, data {-128, 127} */
    p = pack_ok(a, NMS_FORMAT_CSR);
    const int32_t *ip = nms_tensor_cdata(nms_packed_find(p, "indptr"));
    const int32_t *ix = nms_tensor_cdata(nms_packed_find(p, "indices"));
    const int8_t *d = nms_tensor_cdata(nms_packed_find(p, "data"));
    ck_assert_int_eq(ip[0], 0);
    ck_assert_int_eq(ip[1], 2);
    ck_assert_int_eq(ix[0], 0);
    ck_assert_int_eq(ix[1], 3);
    ck_assert_int_eq(d[0], -128);
    ck_assert_int_eq(d[1], 127);
    ck_assert_int_eq(nms_tensor_dtype(nms_packed_find(p, "data")), NMS_DTYPE_I8);
    nms_packed_free(p);
    nms_tensor_free(a);

    /* bf16 nm / csr: -0.0 (0x8000) is a zero, 0x0001 (a denormal) is not:
     * row [0x8000, 0x0001, 0, 0xbf80] -> flags {1,3} -> code D */
    a = mat(NMS_DTYPE_BF16, 1, 4);
    set_u16(a, 0, 0, 0x8000);
    set_u16(a, 0, 1, 0x0001);
    set_u16(a, 0, 3, 0xbf80);
    p = pack_ok(a, NMS_FORMAT_NM);
    ck_assert_uint_eq(((const uint8_t *)nms_tensor_cdata(nms_packed_find(p, "meta")))[0], 0x0D);
    ck_assert_uint_eq(get_u16(nms_packed_find(p, "values"), 0), 0x0001);
    ck_assert_uint_eq(get_u16(nms_packed_find(p, "values"), 1), 0xbf80);
    nms_packed_free(p);
    p = pack_ok(a, NMS_FORMAT_CSR);
    ck_assert_uint_eq(nms_tensor_numel(nms_packed_find(p, "data")), 2);
    ck_assert_uint_eq(get_u16(nms_packed_find(p, "data"), 0), 0x0001);
    ck_assert_uint_eq(get_u16(nms_packed_find(p, "data"), 1), 0xbf80);
    nms_packed_free(p);
    /* as U16 (no float meaning) 0x8000 is nonzero: three nonzeros */
    nms_tensor *u = mat(NMS_DTYPE_U16, 1, 4);
    memcpy(nms_tensor_data(u), nms_tensor_cdata(a), 8);
    pack_fails(u, NMS_FORMAT_NM, NMS_ERR_INVALID, "row 0, group 0");
    nms_tensor_free(u);
    nms_tensor_free(a);

    /* nm needs k % 4 == 0 */
    a = mat(NMS_DTYPE_F32, 2, 6);
    pack_fails(a, NMS_FORMAT_NM, NMS_ERR_SHAPE, "multiple of 4");
    nms_tensor_free(a);
}
END_TEST

/* ---- round trips ------------------------------------------------------ */

/* A random m x k matrix of dtype dt: in every group (or, pairs = 1, every
 * column pair) up to `keep` random positions get random nonzero-magnitude
 * bits, the rest +0. */
static nms_tensor *random_sparse(nms_dtype dt, size_t m, size_t k, int pairs)
{
    nms_tensor *a = mat(dt, m, k);
    size_t es = nms_dtype_size(dt), unit = pairs ? 2 : 4;
    uint64_t mask = nms__nonzero_mask(dt);
    unsigned char *d = nms_tensor_data(a);
    for (size_t r = 0; r < m; r++)
        for (size_t g = 0; g < k / unit; g++) {
            size_t want = rnd() % (pairs ? 2 : 3);
            for (size_t n = 0; n < want; n++) {
                size_t pos = g * unit + rnd() % unit;
                uint64_t v;
                do
                    v = rnd();
                while ((v & mask) == 0);
                memcpy(d + (r * k + pos) * es, &v, es);
            }
        }
    return a;
}

static void round_trip(nms_dtype dt, size_t m, size_t k, nms_format f, int pairs)
{
    nms_tensor *a = random_sparse(dt, m, k, pairs);
    nms_packed *p = pack_ok(a, f);
    ck_assert_int_eq(nms_packed_dtype(p), dt);
    ck_assert_uint_eq(nms_packed_rows(p), m);
    ck_assert_uint_eq(nms_packed_cols(p), k);
    nms_tensor *back = unpack_ok(p);
    assert_same_bytes(a, back);

    /* the same through the public part list and nms_packed_create */
    const char *names[NMS__PACKED_MAX_PARTS];
    const nms_tensor *parts[NMS__PACKED_MAX_PARTS];
    size_t n = nms_packed_count(p);
    for (size_t i = 0; i < n; i++) {
        names[n - 1 - i] = nms_packed_name(p, i); /* any order */
        parts[n - 1 - i] = nms_packed_part(p, i);
    }
    nms_packed *q = NULL;
    nms_error err;
    if (nms_packed_create(f, NMS_DTYPE_COUNT, n, names, parts, &q, &err) != NMS_OK)
        ck_abort_msg("create: %s", err.text);
    nms_tensor *back2 = unpack_ok(q);
    assert_same_bytes(a, back2);

    /* with a random permutation: unpack restores the original order */
    int32_t *perm = malloc(k * sizeof *perm);
    for (size_t j = 0; j < k; j++)
        perm[j] = (int32_t)j;
    for (size_t j = k; j > 1; j--) {
        size_t i = rnd() % j;
        int32_t t = perm[j - 1];
        perm[j - 1] = perm[i];
        perm[i] = t;
    }
    /* make a matrix that is 2:4 after permutation: b[:, perm[j]] = a[:, j] */
    nms_tensor *b = mat(dt, m, k);
    size_t es = nms_dtype_size(dt);
    for (size_t r = 0; r < m; r++)
        for (size_t j = 0; j < k; j++)
            memcpy((unsigned char *)nms_tensor_data(b) + (r * k + (size_t)perm[j]) * es,
                   (const unsigned char *)nms_tensor_cdata(a) + (r * k + j) * es, es);
    nms_pack_options o;
    nms_pack_options_init(&o);
    o.perm = perm;
    o.perm_len = k;
    nms_packed *pp = NULL;
    if (nms_pack(b, f, &o, &pp, &err) != NMS_OK)
        ck_abort_msg("pack with perm: %s", err.text);
    /* the packed parts equal those of a (which is b in permuted order) */
    assert_same_bytes(nms_packed_part(pp, 0), nms_packed_part(p, 0));
    assert_same_bytes(nms_packed_part(pp, 1), nms_packed_part(p, 1));
    ck_assert_ptr_nonnull(nms_packed_find(pp, "perm"));
    nms_tensor *back3 = unpack_ok(pp);
    assert_same_bytes(b, back3);

    nms_tensor_free(back3);
    nms_packed_free(pp);
    nms_tensor_free(b);
    free(perm);
    nms_tensor_free(back2);
    nms_packed_free(q);
    nms_tensor_free(back);
    nms_packed_free(p);
    nms_tensor_free(a);
}

START_TEST(test_round_trips_cutlass)
{
    round_trip(NMS_DTYPE_F16, 64, 128, NMS_FORMAT_CUTLASS, 0);
    round_trip(NMS_DTYPE_BF16, 32, 192, NMS_FORMAT_CUTLASS, 0);
    round_trip(NMS_DTYPE_I8, 48, 256, NMS_FORMAT_CUTLASS, 0);
    round_trip(NMS_DTYPE_F32, 64, 96, NMS_FORMAT_CUTLASS, 1);
}
END_TEST

START_TEST(test_round_trips_nm_csr)
{
    for (int dt = 0; dt < NMS_DTYPE_COUNT; dt++) {
        round_trip((nms_dtype)dt, 7, 20, NMS_FORMAT_NM, 0);
        round_trip((nms_dtype)dt, 5, 36, NMS_FORMAT_CSR, 0);
        round_trip((nms_dtype)dt, 9, 13, NMS_FORMAT_CSR, 0);
    }
    round_trip(NMS_DTYPE_F32, 0, 8, NMS_FORMAT_NM, 0);
    round_trip(NMS_DTYPE_F32, 0, 8, NMS_FORMAT_CSR, 0);
}
END_TEST

START_TEST(test_repack_is_stable_with_signed_zeros)
{
    /* Random bits everywhere (signed zeros included) in 2:4 positions:
     * pack(unpack(pack(A))) == pack(A). */
    static const nms_dtype dts[] = {NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_F32};
    for (size_t t = 0; t < 3; t++) {
        nms_dtype dt = dts[t];
        int pairs = dt == NMS_DTYPE_F32;
        nms_tensor *a = random_sparse(dt, 32, 64, pairs);
        size_t es = nms_dtype_size(dt);
        unsigned char *d = nms_tensor_data(a);
        for (size_t i = 0; i < 32 * 64; i++) /* sprinkle -0.0 over zeros */
            if (nms__load_bits(d + i * es, es) == 0 && rnd() % 3 == 0)
                d[i * es + es - 1] = 0x80;
        for (int f = 0; f < 2; f++) {
            nms_packed *p = pack_ok(a, (nms_format)f);
            nms_tensor *back = unpack_ok(p);
            nms_packed *q = pack_ok(back, (nms_format)f);
            assert_same_bytes(nms_packed_part(p, 0), nms_packed_part(q, 0));
            assert_same_bytes(nms_packed_part(p, 1), nms_packed_part(q, 1));
            /* every element is equal as a number (only zero signs may differ) */
            const unsigned char *b = nms_tensor_cdata(back);
            uint64_t mask = nms__nonzero_mask(dt);
            for (size_t i = 0; i < 32 * 64; i++) {
                uint64_t x = nms__load_bits(d + i * es, es), y = nms__load_bits(b + i * es, es);
                ck_assert(x == y || ((x & mask) == 0 && (y & mask) == 0));
            }
            nms_packed_free(q);
            nms_tensor_free(back);
            nms_packed_free(p);
        }
        nms_tensor_free(a);
    }
}
END_TEST

/* ---- decoding bad parts ----------------------------------------------- */

START_TEST(test_decode_rejects)
{
    nms_tensor *a = random_sparse(NMS_DTYPE_F16, 32, 64, 0);
    nms_packed *p = pack_ok(a, NMS_FORMAT_CUTLASS);
    nms_tensor *meta = p->parts[1], *out = NULL;
    nms_error err;
    uint16_t bad = 0xEE3E; /* code 3 = (3,0): invalid */
    memcpy(nms_tensor_data(meta), &bad, 2);
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(err.text, "invalid code 0x3"));
    nms_packed_free(p);

    p = pack_ok(a, NMS_FORMAT_NM);
    ((uint8_t *)nms_tensor_data(p->parts[1]))[5] = 0xF5; /* codes 5, F */
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    nms_packed_free(p);

    /* fp32 meta must hold 0x4 / 0xE only */
    nms_tensor *f = random_sparse(NMS_DTYPE_F32, 32, 32, 1);
    p = pack_ok(f, NMS_FORMAT_CUTLASS);
    uint16_t w8 = 0xEEE8;
    memcpy(nms_tensor_data(p->parts[1]), &w8, 2);
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    nms_packed_free(p);
    nms_tensor_free(f);

    /* csr: unsorted indices, index out of range, bad indptr */
    nms_tensor *c = mat(NMS_DTYPE_F32, 2, 8);
    set_f32(c, 0, 1, 1.0f);
    set_f32(c, 0, 5, 2.0f);
    set_f32(c, 1, 7, 3.0f);
    p = pack_ok(c, NMS_FORMAT_CSR);
    int32_t *ix = nms_tensor_data(p->parts[1]);
    ix[0] = 5, ix[1] = 1;
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    ix[0] = 1, ix[1] = 5, ix[2] = 8;
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    ix[2] = 7;
    ((int32_t *)nms_tensor_data(p->parts[0]))[1] = 4;
    ck_assert_int_eq(nms_unpack(p, &out, &err), NMS_ERR_FORMAT);
    ((int32_t *)nms_tensor_data(p->parts[0]))[1] = 2;
    nms_tensor *ok = unpack_ok(p);
    assert_same_bytes(c, ok);
    nms_tensor_free(ok);

    /* nms_packed_create: missing / foreign / mismatched parts */
    const char *names[2] = {"indptr", "indices"};
    const nms_tensor *parts[2] = {p->parts[0], p->parts[1]};
    nms_packed *q = NULL;
    ck_assert_int_eq(nms_packed_create(NMS_FORMAT_CSR, NMS_DTYPE_COUNT, 2, names, parts, &q, &err),
                     NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "'data'"));
    names[1] = "values";
    ck_assert_int_eq(nms_packed_create(NMS_FORMAT_CSR, NMS_DTYPE_COUNT, 2, names, parts, &q, &err),
                     NMS_ERR_FORMAT);
    nms_packed_free(p);
    nms_tensor_free(c);

    p = pack_ok(a, NMS_FORMAT_CUTLASS);
    const char *vm[2] = {"values", "meta"};
    const nms_tensor *wrong[2] = {p->parts[0], p->parts[0]}; /* meta of values' shape */
    ck_assert_int_eq(nms_packed_create(NMS_FORMAT_CUTLASS, NMS_DTYPE_COUNT, 2, vm, wrong, &q, &err),
                     NMS_OK);
    ck_assert_int_eq(nms_unpack(q, &out, &err), NMS_ERR_FORMAT);
    nms_packed_free(q);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST


START_TEST(test_decoders_survive_corruption)
{
    /* Random byte corruption of every part: unpack either succeeds or says
     * NMS_ERR_FORMAT; it never reads or writes out of bounds (ASan builds). */
    static const struct { nms_dtype dt; nms_format f; size_t m, k; int pairs; } cases[] = {
        {NMS_DTYPE_F16, NMS_FORMAT_CUTLASS, 32, 64, 0}, {NMS_DTYPE_I8, NMS_FORMAT_CUTLASS, 16, 128, 0},
        {NMS_DTYPE_F32, NMS_FORMAT_CUTLASS, 32, 32, 1}, {NMS_DTYPE_F32, NMS_FORMAT_NM, 5, 12, 0},
        {NMS_DTYPE_I64, NMS_FORMAT_CSR, 6, 10, 0},      {NMS_DTYPE_F16, NMS_FORMAT_CSR, 3, 7, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        nms_tensor *a = random_sparse(cases[c].dt, cases[c].m, cases[c].k, cases[c].pairs);
        nms_pack_options o;
        nms_pack_options_init(&o);
        int32_t perm[128];
        for (size_t j = 0; j < cases[c].k; j++)
            perm[j] = (int32_t)(cases[c].k - 1 - j);
        o.perm = perm;
        o.perm_len = cases[c].k;
        nms_packed *p = NULL;
        ck_assert_int_eq(nms_pack(a, cases[c].f, &o, &p, NULL), NMS_OK);
        for (int trial = 0; trial < 300; trial++) {
            size_t part = rnd() % nms_packed_count(p);
            nms_tensor *t = p->parts[part];
            if (nms_tensor_nbytes(t) == 0)
                continue;
            unsigned char *bytes = nms_tensor_data(t);
            size_t at = rnd() % nms_tensor_nbytes(t);
            unsigned char saved = bytes[at];
            bytes[at] = (unsigned char)rnd();
            nms_tensor *out = NULL;
            nms_error err;
            int st = nms_unpack(p, &out, &err);
            ck_assert_msg(st == NMS_OK || st == NMS_ERR_FORMAT, "status %d: %s", st, err.text);
            ck_assert((st == NMS_OK) == (out != NULL));
            nms_tensor_free(out);
            bytes[at] = saved;
        }
        nms_tensor *back = unpack_ok(p);
        assert_same_bytes(a, back);
        nms_tensor_free(back);
        nms_packed_free(p);
        nms_tensor_free(a);
    }
}
END_TEST

START_TEST(test_c_reader_survives_corruption)
{
    nms_tensor *a = random_sparse(NMS_DTYPE_F32, 4, 8, 0);
    nms_packed *p = pack_ok(a, NMS_FORMAT_NM);
    char dir[] = "/tmp/nmsemitXXXXXX", prefix[128], path[160], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(prefix, sizeof prefix, "%s/w", dir);
    snprintf(path, sizeof path, "%s.c", prefix);
    nms_error err;
    ck_assert_int_eq(nms_packed_write_c(p, prefix, NULL, &err), NMS_OK);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    ck_assert_uint_gt(n, 0);
    static const char junk[] = "x,}{0-/( 9e";
    for (int trial = 0; trial < 200; trial++) {
        size_t at = rnd() % n;
        char saved = text[at];
        text[at] = junk[rnd() % (sizeof junk - 1)];
        size_t len = trial % 5 == 0 ? at : n; /* sometimes truncated too */
        f = fopen(path, "wb");
        ck_assert_uint_eq(fwrite(text, 1, len, f), len);
        fclose(f);
        nms_packed *q = NULL;
        int st = nms_packed_read_c(prefix, &q, &err);
        ck_assert_msg(st == NMS_OK || st == NMS_ERR_FORMAT, "status %d: %s", st, err.text);
        if (st == NMS_OK) {
            nms_tensor *out = NULL;
            st = nms_unpack(q, &out, &err);
            ck_assert(st == NMS_OK || st == NMS_ERR_FORMAT);
            nms_tensor_free(out);
            nms_packed_free(q);
        }
        text[at] = saved;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    nms_packed_free(p);
    nms_tensor_free(a);
}
END_TEST

/* ---- matrix views ----------------------------------------------------- */

START_TEST(test_matrix_views)
{
    /* OIHW [2, 3, 2, 2]: element (o, i, k) -> (o*4 + k, i) */
    size_t s4[4] = {2, 3, 2, 2};
    nms_tensor *t = NULL, *m = NULL;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_I16, 4, s4, &t, NULL), NMS_OK);
    int16_t *v = nms_tensor_data(t);
    for (int i = 0; i < 24; i++)
        v[i] = (int16_t)i;
    ck_assert_int_eq(nms__matrix_view_bytes(t, NMS_LAYOUT_AUTO, &m, NULL), NMS_OK);
    ck_assert_uint_eq(nms_tensor_dim(m, 0), 8);
    ck_assert_uint_eq(nms_tensor_dim(m, 1), 3);
    const int16_t *mv = nms_tensor_cdata(m);
    /* (o=1, i=2, k=3) is flat 1*12 + 2*4 + 3 = 23 -> row 7, col 2 */
    ck_assert_int_eq(mv[7 * 3 + 2], 23);
    /* (o=0, i=1, k=2) = 6 -> row 2, col 1 */
    ck_assert_int_eq(mv[2 * 3 + 1], 6);
    nms_tensor_free(m);
    nms_tensor_free(t);

    size_t h[4] = {1, 2, 3, 4}; /* HWIO: K = 1*2, I = 3, O = 4 */
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_I16, 4, h, &t, NULL), NMS_OK);
    v = nms_tensor_data(t);
    for (int i = 0; i < 24; i++)
        v[i] = (int16_t)i;
    ck_assert_int_eq(nms__matrix_view_bytes(t, NMS_LAYOUT_HWIO, &m, NULL), NMS_OK);
    ck_assert_uint_eq(nms_tensor_dim(m, 0), 8);
    ck_assert_uint_eq(nms_tensor_dim(m, 1), 3);
    mv = nms_tensor_cdata(m);
    /* (k=1, i=2, o=3) is flat (1*3 + 2)*4 + 3 = 23 -> row 3*2 + 1 = 7, col 2 */
    ck_assert_int_eq(mv[7 * 3 + 2], 23);
    /* (k=0, i=1, o=2) = 6 -> row 4, col 1 */
    ck_assert_int_eq(mv[4 * 3 + 1], 6);
    nms_tensor_free(m);
    ck_assert_int_eq(nms__matrix_view_bytes(t, NMS_LAYOUT_OI, &m, NULL), NMS_ERR_SHAPE);
    nms_tensor_free(t);

    /* the same mapping as nms_tensor_to_matrix for every layout and rank */
    static const size_t shapes[][5] = {{7}, {3, 5}, {2, 3, 4}, {2, 3, 2, 2}, {2, 1, 3, 2, 2}};
    static const int ranks[] = {1, 2, 3, 4, 5};
    static const nms_layout layouts[] = {NMS_LAYOUT_AUTO, NMS_LAYOUT_OI, NMS_LAYOUT_OIHW,
                                         NMS_LAYOUT_HWIO};
    for (size_t sh = 0; sh < 5; sh++)
        for (size_t l = 0; l < 4; l++) {
            ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, ranks[sh], shapes[sh], &t, NULL), NMS_OK);
            float *f = nms_tensor_data(t);
            for (size_t i = 0; i < nms_tensor_numel(t); i++)
                f[i] = (float)i + 0.5f;
            nms_tensor *ref = NULL;
            int st_ref = nms_tensor_to_matrix(t, layouts[l], &ref, NULL);
            int st = nms__matrix_view_bytes(t, layouts[l], &m, NULL);
            ck_assert_int_eq(st, st_ref);
            if (st == NMS_OK)
                assert_same_bytes(m, ref);
            nms_tensor_free(m);
            nms_tensor_free(ref);
            m = NULL;
            nms_tensor_free(t);
        }
}
END_TEST


/* ---- C source --------------------------------------------------------- */

static int have_tool(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Pack random data, write PREFIX.h / PREFIX.c, compile them warning-free
 * with gcc (and clang) in strict C99, link a driver that dumps every array
 * and compare with the packed bytes, and read the source back. */
static void c_case(nms_dtype dt, size_t m, size_t k, nms_format f, int pairs, int with_perm)
{
    char dir[] = "/tmp/nmsemitXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    nms_tensor *a = random_sparse(dt, m, k, pairs);
    if (dt == NMS_DTYPE_F32 || dt == NMS_DTYPE_F64) { /* finite values only */
        size_t es = nms_dtype_size(dt);
        unsigned char *d = nms_tensor_data(a);
        for (size_t i = 0; i < m * k; i++) {
            double v;
            if (es == 4) {
                float x;
                memcpy(&x, d + 4 * i, 4);
                v = x;
            } else {
                memcpy(&v, d + 8 * i, 8);
            }
            if (!(v - v == 0)) { /* NaN or inf: put a denormal / -1.5 instead */
                if (es == 4) {
                    uint32_t b = 0x00000003u;
                    memcpy(d + 4 * i, &b, 4);
                } else {
                    double x = -1.5;
                    memcpy(d + 8 * i, &x, 8);
                }
            }
        }
    }
    nms_pack_options o;
    nms_pack_options_init(&o);
    int32_t *perm = malloc(k * sizeof *perm);
    for (size_t j = 0; j < k; j++)
        perm[j] = (int32_t)(with_perm ? k - 1 - j : j);
    if (with_perm) {
        o.perm = perm;
        o.perm_len = k;
    }
    nms_packed *p = NULL;
    nms_error err;
    if (nms_pack(a, f, &o, &p, &err) != NMS_OK)
        ck_abort_msg("pack: %s", err.text);
    char prefix[256], cmd[1024];
    snprintf(prefix, sizeof prefix, "%s/7-layer.w", dir);
    if (nms_packed_write_c(p, prefix, NULL, &err) != NMS_OK)
        ck_abort_msg("write_c: %s", err.text);

    static const char *const compilers[] = {"gcc", "clang"};
    for (int c = 0; c < 2; c++) {
        if (!have_tool(compilers[c]))
            continue;
        snprintf(cmd, sizeof cmd,
                 "cd %s && %s -std=c99 -Wall -Wextra -pedantic -Werror -c 7-layer.w.c -o w.o "
                 "2>cc.log || { cat cc.log; exit 1; }",
                 dir, compilers[c]);
        ck_assert_msg(system(cmd) == 0, "%s failed on the generated C", compilers[c]);
    }
    if (have_tool("gcc")) {
        /* a driver dumping every array in order */
        char path[300];
        snprintf(path, sizeof path, "%s/main.c", dir);
        FILE *fd = fopen(path, "w");
        ck_assert_ptr_nonnull(fd);
        fprintf(fd, "#include <stdio.h>\n#include \"7-layer.w.h\"\nint main(void) {\n"
                    "    FILE *f = fopen(\"dump.bin\", \"wb\");\n"
                    "    if (!f || w_7_layer_w.rows != W_7_LAYER_W_ROWS) return 1;\n");
        for (size_t i = 0; i < nms_packed_count(p); i++)
            fprintf(fd, "    fwrite(w_7_layer_w.%s, sizeof *w_7_layer_w.%s, %zu, f);\n",
                    nms_packed_name(p, i), nms_packed_name(p, i),
                    nms_tensor_numel(nms_packed_part(p, i)));
        fprintf(fd, "    return fclose(f) != 0;\n}\n");
        fclose(fd);
        snprintf(cmd, sizeof cmd,
                 "cd %s && gcc -std=c99 -Wall -Wextra -pedantic -Werror main.c w.o -o dump 2>cc.log "
                 "&& ./dump || { cat cc.log; exit 1; }", dir);
        ck_assert_msg(system(cmd) == 0, "driver failed");
        snprintf(path, sizeof path, "%s/dump.bin", dir);
        FILE *fb = fopen(path, "rb");
        ck_assert_ptr_nonnull(fb);
        for (size_t i = 0; i < nms_packed_count(p); i++) {
            const nms_tensor *t = nms_packed_part(p, i);
            size_t n = nms_tensor_nbytes(t);
            unsigned char *buf = malloc(n ? n : 1);
            ck_assert_uint_eq(fread(buf, 1, n, fb), n);
            ck_assert_msg(memcmp(buf, nms_tensor_cdata(t), n) == 0, "part %s differs",
                          nms_packed_name(p, i));
            free(buf);
        }
        ck_assert_int_eq(fgetc(fb), EOF);
        fclose(fb);
    }

    nms_packed *q = NULL;
    if (nms_packed_read_c(prefix, &q, &err) != NMS_OK)
        ck_abort_msg("read_c: %s", err.text);
    ck_assert_uint_eq(nms_packed_count(q), nms_packed_count(p));
    for (size_t i = 0; i < nms_packed_count(p); i++) {
        ck_assert_str_eq(nms_packed_name(q, i), nms_packed_name(p, i));
        assert_same_bytes(nms_packed_part(q, i), nms_packed_part(p, i));
    }
    nms_tensor *back = unpack_ok(q);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(q);
    nms_packed_free(p);
    nms_tensor_free(a);
    free(perm);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_c_source)
{
    c_case(NMS_DTYPE_F16, 32, 64, NMS_FORMAT_CUTLASS, 0, 0);
    c_case(NMS_DTYPE_BF16, 32, 64, NMS_FORMAT_NM, 0, 1);
    c_case(NMS_DTYPE_I8, 16, 128, NMS_FORMAT_CUTLASS, 0, 1);
    c_case(NMS_DTYPE_F32, 32, 32, NMS_FORMAT_CUTLASS, 1, 0);
    c_case(NMS_DTYPE_F32, 5, 12, NMS_FORMAT_NM, 0, 0);
    c_case(NMS_DTYPE_F64, 3, 8, NMS_FORMAT_CSR, 0, 1);
    c_case(NMS_DTYPE_I64, 3, 8, NMS_FORMAT_NM, 0, 0);
    c_case(NMS_DTYPE_I32, 4, 8, NMS_FORMAT_CSR, 0, 0);
    c_case(NMS_DTYPE_U64, 2, 8, NMS_FORMAT_NM, 0, 0);
    c_case(NMS_DTYPE_I16, 2, 8, NMS_FORMAT_NM, 0, 0);
    c_case(NMS_DTYPE_F32, 0, 8, NMS_FORMAT_CSR, 0, 0); /* empty arrays */
}
END_TEST

START_TEST(test_c_source_extremes_and_errors)
{
    /* the minimum signed values and -0.0 survive the trip through C */
    nms_tensor *a = mat(NMS_DTYPE_I32, 1, 4);
    int32_t *v = nms_tensor_data(a);
    v[0] = INT32_MIN;
    v[3] = INT32_MAX;
    nms_packed *p = pack_ok(a, NMS_FORMAT_NM);
    char dir[] = "/tmp/nmsemitXXXXXX", prefix[128], cmd[1024];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(prefix, sizeof prefix, "%s/ext", dir);
    nms_error err;
    ck_assert_int_eq(nms_packed_write_c(p, prefix, "my_weights", &err), NMS_OK);
    nms_packed *q = NULL;
    ck_assert_int_eq(nms_packed_read_c(prefix, &q, &err), NMS_OK);
    nms_tensor *back = unpack_ok(q);
    assert_same_bytes(a, back);
    nms_tensor_free(back);
    nms_packed_free(q);
    nms_packed_free(p);
    nms_tensor_free(a);

    /* a bad symbol, a non-finite value: errors and no files */
    a = mat(NMS_DTYPE_F32, 1, 4);
    p = pack_ok(a, NMS_FORMAT_NM);
    ck_assert_int_eq(nms_packed_write_c(p, prefix, "9bad", &err), NMS_ERR_INVALID);
    nms_packed_free(p);
    float inf = 1e30f;
    inf *= inf;
    memcpy(nms_tensor_data(a), &inf, 4);
    p = pack_ok(a, NMS_FORMAT_NM);
    snprintf(prefix, sizeof prefix, "%s/inf", dir);
    ck_assert_int_eq(nms_packed_write_c(p, prefix, NULL, &err), NMS_ERR_NONFINITE);
    snprintf(cmd, sizeof cmd, "test ! -e %s.h && test ! -e %s.c", prefix, prefix);
    ck_assert_int_eq(system(cmd), 0);
    nms_packed_free(p);
    nms_tensor_free(a);

    /* a truncated source is refused */
    snprintf(cmd, sizeof cmd, "head -c 300 %s/ext.c > %s/cut.c", dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(prefix, sizeof prefix, "%s/cut", dir);
    ck_assert_int_eq(nms_packed_read_c(prefix, &q, &err), NMS_ERR_FORMAT);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *emit_suite(void)
{
    Suite *s = suite_create("emit");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_group_codes);
    tcase_add_test(tc, test_reorder_spots);
    tcase_add_test(tc, test_reorder_is_permutation);
    tcase_add_test(tc, test_worked_example_fp16);
    tcase_add_test(tc, test_bf16_signed_zeros_and_sparse_groups);
    tcase_add_test(tc, test_int8_words);
    tcase_add_test(tc, test_fp32_pairs);
    tcase_add_test(tc, test_cutlass_rejects);
    tcase_add_test(tc, test_as_dtype_bf16);
    tcase_add_test(tc, test_nm_hand);
    tcase_add_test(tc, test_csr_hand);
    tcase_add_test(tc, test_nm_csr_hand_other_dtypes);
    tcase_add_test(tc, test_round_trips_cutlass);
    tcase_add_test(tc, test_round_trips_nm_csr);
    tcase_add_test(tc, test_repack_is_stable_with_signed_zeros);
    tcase_add_test(tc, test_decode_rejects);
    tcase_add_test(tc, test_decoders_survive_corruption);
    tcase_add_test(tc, test_matrix_views);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("c_source");
    tcase_set_timeout(tcc, 120);
    tcase_add_test(tcc, test_c_source);
    tcase_add_test(tcc, test_c_source_extremes_and_errors);
    tcase_add_test(tcc, test_c_reader_survives_corruption);
    suite_add_tcase(s, tcc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(emit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
