/*
 * prune_sse41.c - 2:4 kernels with SSE4.1 (+SSSE3) intrinsics; the rule and
 * the outputs are those of prune_kernels.h, byte for byte (2:4 and 1:2).
 *
 * Method (shared by every SIMD file).  Keys K (integer magnitudes, see
 * prune_kernels.h) sit in vector lanes, one group per 4 consecutive lanes.
 * R_s is K rotated inside each group so lane i holds the key of lane
 * (i+s) mod 4.  The partner (i+s) mod 4 has a lower index exactly on the
 * "wrap" lanes i >= 4-s, where a tie also beats; there we add 1 to R_s (keys
 * are far below the lane maximum unless they are NaN, which is reported
 * anyway), so in every lane, as a 0 / -1 mask,
 *     b_s = (R_s + C_s > K),   C_s = 1 on wrap lanes, 0 elsewhere.
 * The order is total, so the partner at distance 3 beats lane i exactly when
 * lane i does not beat it: b_3 = ~rot_3(b_1).  Hence
 *     rank = -b_1 - b_2 + 1 + rot_3(b_1)  and  drop  <=>  rank >= 2
 *          <=>  d = b_1 + b_2 - rot_3(b_1) < 0,
 * and d in {-2..1} has the sign bit set in every byte exactly when the lane
 * is dropped, so blendv / movemask use d directly.  Compiled with -msse4.1.
 */
#include <smmintrin.h>
#include <string.h>

#include "prune/prune_kernels.h"
#include "prune/prune_nm_tables.h"

#define LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define STOREU(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))

/* ---- fp32: one group per vector -------------------------------------- */

static inline __m128i drop_f32(__m128i k)
{
    const __m128i c1 = _mm_setr_epi32(0, 0, 0, 1);
    const __m128i c2 = _mm_setr_epi32(0, 0, 1, 1);
    __m128i b1 = _mm_cmpgt_epi32(_mm_add_epi32(_mm_shuffle_epi32(k, _MM_SHUFFLE(0, 3, 2, 1)), c1), k);
    __m128i b2 = _mm_cmpgt_epi32(_mm_add_epi32(_mm_shuffle_epi32(k, _MM_SHUFFLE(1, 0, 3, 2)), c2), k);
    __m128i r = _mm_shuffle_epi32(b1, _MM_SHUFFLE(2, 1, 0, 3));
    return _mm_sub_epi32(_mm_add_epi32(b1, b2), r);
}

/* 1:2: lane i is dropped when its pair partner beats it (partner key + 1 on
 * the odd lane, whose partner has the lower index and wins ties); a 0 / -1
 * mask, which blendv / movemask read like d above. */
static inline __m128i drop12_f32(__m128i k)
{
    const __m128i c = _mm_setr_epi32(0, 1, 0, 1);
    return _mm_cmpgt_epi32(_mm_add_epi32(_mm_shuffle_epi32(k, _MM_SHUFFLE(2, 3, 0, 1)), c), k);
}

/* The loops, shared by 2:4 and 1:2 (drop and scalar tail are constants). */
typedef __m128i (*drop_fn)(__m128i);

static inline int prune_f32_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                 drop_fn drop, nms__prune_f32_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m128i absmask = _mm_set1_epi32(0x7fffffff);
    const __m128i zero = _mm_setzero_si128();
    __m128i kmax = _mm_setzero_si128(); /* NaN iff some key > 0x7f800000 */
    size_t g = 0;
    for (; g + 4 <= ngroups; g += 4) {
        __m128i x[4], d[4];
        for (int u = 0; u < 4; u++) {
            x[u] = LOADU(src + 16 * (g + (size_t)u));
            __m128i k = _mm_and_si128(x[u], absmask);
            kmax = _mm_max_epi32(kmax, k);
            d[u] = drop(k);
        }
        if (dst)
            for (int u = 0; u < 4; u++)
                STOREU(dst + 16 * (g + (size_t)u), _mm_blendv_epi8(x[u], zero, d[u]));
        if (bits) {
            unsigned m = 0;
            for (int u = 0; u < 4; u++)
                m |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(d[u])) << (4 * u);
            m = ~m & 0xffffu;
            bits[g / 2] = (uint8_t)m;
            bits[g / 2 + 1] = (uint8_t)(m >> 8);
        }
    }
    __m128i nan = _mm_cmpgt_epi32(kmax, _mm_set1_epi32((int)NMS__F32_NAN_ABOVE));
    int found = !_mm_testz_si128(nan, nan);
    if (g < ngroups)
        found |= tail(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                      bits ? bits + g / 2 : NULL);
    return found;
}

static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32_with(in, ngroups, out, bits, drop_f32, nms__prune_f32_scalar);
}

static int prune12_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32_with(in, ngroups, out, bits, drop12_f32, nms__prune12_f32_scalar);
}

/* ---- fp16 / bf16: two groups per vector ----------------------------- */

static inline __m128i drop_h16(__m128i k)
{
    /* byte shuffles rotating the 16-bit lanes inside each 64-bit group */
    const __m128i s1 = _mm_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    const __m128i s2 = _mm_setr_epi8(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
    const __m128i s3 = _mm_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
    const __m128i c1 = _mm_setr_epi16(0, 0, 0, 1, 0, 0, 0, 1);
    const __m128i c2 = _mm_setr_epi16(0, 0, 1, 1, 0, 0, 1, 1);
    __m128i b1 = _mm_cmpgt_epi16(_mm_add_epi16(_mm_shuffle_epi8(k, s1), c1), k);
    __m128i b2 = _mm_cmpgt_epi16(_mm_add_epi16(_mm_shuffle_epi8(k, s2), c2), k);
    return _mm_sub_epi16(_mm_add_epi16(b1, b2), _mm_shuffle_epi8(b1, s3));
}

static inline __m128i drop12_h16(__m128i k)
{
    __m128i swapped = _mm_or_si128(_mm_slli_epi32(k, 16), _mm_srli_epi32(k, 16));
    return _mm_cmpgt_epi16(_mm_add_epi16(swapped, _mm_set1_epi32(0x00010000)), k);
}

static inline int prune_h16_with(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                                 uint8_t *bits, drop_fn drop, nms__prune_h16_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m128i absmask = _mm_set1_epi16(0x7fff);
    const __m128i zero = _mm_setzero_si128();
    __m128i kmax = _mm_setzero_si128();
    size_t g = 0;
    for (; g + 4 <= ngroups; g += 4) {
        __m128i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 16);
        __m128i k0 = _mm_and_si128(x0, absmask), k1 = _mm_and_si128(x1, absmask);
        kmax = _mm_max_epi16(kmax, _mm_max_epi16(k0, k1));
        __m128i d0 = drop(k0), d1 = drop(k1);
        if (dst) {
            STOREU(dst + 8 * g, _mm_blendv_epi8(x0, zero, d0));
            STOREU(dst + 8 * g + 16, _mm_blendv_epi8(x1, zero, d1));
        }
        if (bits) {
            unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_packs_epi16(d0, d1)) & 0xffffu;
            bits[g / 2] = (uint8_t)m;
            bits[g / 2 + 1] = (uint8_t)(m >> 8);
        }
    }
    __m128i nan = _mm_cmpgt_epi16(kmax, _mm_set1_epi16((short)nan_above));
    int found = !_mm_testz_si128(nan, nan);
    if (g < ngroups)
        found |= tail(src + 8 * g, ngroups - g, nan_above, dst ? dst + 8 * g : NULL,
                      bits ? bits + g / 2 : NULL);
    return found;
}

static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above, void *out, uint8_t *bits)
{
    return prune_h16_with(in, ngroups, nan_above, out, bits, drop_h16, nms__prune_h16_scalar);
}

static int prune12_h16(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                       uint8_t *bits)
{
    return prune_h16_with(in, ngroups, nan_above, out, bits, drop12_h16, nms__prune12_h16_scalar);
}

/* ---- int8: four groups per vector ------------------------------------ */

static inline __m128i drop_i8(__m128i k)
{
    const __m128i s1 = _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    const __m128i s2 = _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m128i s3 = _mm_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    const __m128i c1 = _mm_set1_epi32(0x01000000);
    const __m128i c2 = _mm_set1_epi32(0x01010000);
    __m128i b1 = _mm_cmpgt_epi8(_mm_add_epi8(_mm_shuffle_epi8(k, s1), c1), k);
    __m128i b2 = _mm_cmpgt_epi8(_mm_add_epi8(_mm_shuffle_epi8(k, s2), c2), k);
    return _mm_sub_epi8(_mm_add_epi8(b1, b2), _mm_shuffle_epi8(b1, s3));
}

static inline __m128i drop12_i8(__m128i k)
{
    __m128i swapped = _mm_or_si128(_mm_slli_epi16(k, 8), _mm_srli_epi16(k, 8));
    return _mm_cmpgt_epi8(_mm_add_epi8(swapped, _mm_set1_epi16(0x0100)), k);
}

static inline int prune_i8_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                drop_fn drop, nms__prune_i8_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    /* |x| is 0..128 as an unsigned byte; xor 0x80 maps it monotonically to
     * the signed range -128..0 that _mm_cmpgt_epi8 orders. */
    const __m128i bias = _mm_set1_epi8((char)0x80);
    const __m128i zero = _mm_setzero_si128();
    size_t g = 0;
    for (; g + 4 <= ngroups; g += 4) {
        __m128i x = LOADU(src + 4 * g);
        __m128i d = drop(_mm_xor_si128(_mm_abs_epi8(x), bias));
        if (dst)
            STOREU(dst + 4 * g, _mm_blendv_epi8(x, zero, d));
        if (bits) {
            unsigned m = ~(unsigned)_mm_movemask_epi8(d) & 0xffffu;
            bits[g / 2] = (uint8_t)m;
            bits[g / 2 + 1] = (uint8_t)(m >> 8);
        }
    }
    if (g < ngroups)
        tail(src + 4 * g, ngroups - g, dst ? dst + 4 * g : NULL, bits ? bits + g / 2 : NULL);
    return 0;
}

static int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_i8_with(in, ngroups, out, bits, drop_i8, nms__prune_i8_scalar);
}

static int prune12_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_i8_with(in, ngroups, out, bits, drop12_i8, nms__prune12_i8_scalar);
}

/* ---- nm encoders (same bytes as prune_nm.c's portable ones) ------------
 * Flags from vector compares and a byte movemask, values picked with one
 * byte shuffle per pair of groups (tables in prune_nm_tables.h), and the
 * over-two check kept in the vector domain: p holds one byte per element
 * (-1 nonzero, 0 zero), four per group; maddubs + madd turn each group's
 * 32-bit lane into minus its nonzero count, whose running minimum is below
 * -2 iff some group has three or four. */

static inline __m128i min_group_count(__m128i acc, __m128i p)
{
    return _mm_min_epi32(acc, _mm_madd_epi16(_mm_maddubs_epi16(_mm_set1_epi8(1), p),
                                             _mm_set1_epi16(1)));
}

static inline uint32_t over2_of(__m128i acc)
{
    return (uint32_t)_mm_movemask_epi8(_mm_cmpgt_epi32(_mm_set1_epi32(-2), acc));
}

/* 16-bit elements, four groups (two vectors) per step.  With prune, each
 * vector is first 2:4-pruned in registers (drop_h16, dropped lanes +0) and
 * *flag reports a key above nan_above (NaN); without, *flag reports a group
 * with more than two nonzeros (the same for nm32_loop / nm8_loop). */
static inline size_t nm16_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune, uint16_t nan_above)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m128i absmask = _mm_set1_epi16(0x7fff);
    const __m128i zero = _mm_setzero_si128();
    __m128i acc = zero, kmax = zero;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        __m128i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 16);
        __m128i k0 = _mm_and_si128(x0, absmask), k1 = _mm_and_si128(x1, absmask);
        if (prune) {
            kmax = _mm_max_epu16(kmax, _mm_max_epu16(k0, k1));
            __m128i d0 = drop_h16(k0), d1 = drop_h16(k1);
            x0 = _mm_blendv_epi8(x0, zero, d0);
            x1 = _mm_blendv_epi8(x1, zero, d1);
            k0 = _mm_blendv_epi8(k0, zero, d0);
            k1 = _mm_blendv_epi8(k1, zero, d1);
        }
        __m128i p = _mm_packs_epi16(_mm_cmpgt_epi16(k0, zero), _mm_cmpgt_epi16(k1, zero));
        if (!prune)
            acc = min_group_count(acc, p);
        unsigned m = (unsigned)_mm_movemask_epi8(p), f0 = m & 0xff, f1 = m >> 8;
        __m128i s0 = LOADU(nm_shuffle[f0]), s1 = LOADU(nm_shuffle[f1]);
        STOREU(dst + 4 * g, _mm_unpacklo_epi64(_mm_shuffle_epi8(x0, s0), _mm_shuffle_epi8(x1, s1)));
        /* the meta bytes ride in byte 8 of each shuffle (prune_nm_tables.h) */
        uint16_t mw = (uint16_t)_mm_extract_epi16(_mm_unpackhi_epi8(s0, s1), 0);
        memcpy(meta + g / 2, &mw, 2);
    }
    if (prune)
        *flag |= (uint32_t)!_mm_testz_si128(_mm_cmpgt_epi16(kmax, _mm_set1_epi16((short)nan_above)),
                                            _mm_set1_epi8(-1));
    else
        *flag |= over2_of(acc);
    return g;
}

static size_t nm16(const void *row, size_t groups, void *vals, uint8_t *meta, uint32_t *over2)
{
    return nm16_loop(row, groups, vals, meta, over2, 0, 0);
}

static size_t pnm16(const void *row, size_t groups, uint32_t nan_above, void *vals,
                    uint8_t *meta, uint32_t *nan)
{
    return nm16_loop(row, groups, vals, meta, nan, 1, (uint16_t)nan_above);
}

/* 32-bit elements, four groups (four vectors) per step.  packs_epi32 of
 * two groups gives 8 bytes of 0xff per nonzero element and group, so the
 * byte sum (sad) is 510 x count: above 1020 iff count > 2. */
static inline size_t nm32_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m128i absmask = _mm_set1_epi32(0x7fffffff);
    const __m128i zero = _mm_setzero_si128();
    __m128i acc = zero, kmax = zero;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        __m128i x[4], nz[4];
        unsigned f[4];
        for (int i = 0; i < 4; i++) {
            x[i] = LOADU(src + 16 * (g + (size_t)i));
            __m128i k = _mm_and_si128(x[i], absmask);
            if (prune) {
                kmax = _mm_max_epu32(kmax, k);
                __m128i d = drop_f32(k);
                x[i] = _mm_blendv_epi8(x[i], zero, d);
                k = _mm_blendv_epi8(k, zero, d);
            }
            nz[i] = _mm_cmpgt_epi32(k, zero);
            f[i] = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(nz[i]));
        }
        if (!prune) {
            acc = _mm_max_epu16(acc, _mm_sad_epu8(_mm_packs_epi32(nz[0], nz[1]), zero));
            acc = _mm_max_epu16(acc, _mm_sad_epu8(_mm_packs_epi32(nz[2], nz[3]), zero));
        }
        STOREU(dst + 8 * g, _mm_unpacklo_epi64(_mm_shuffle_epi8(x[0], LOADU(nm_shuffle32[f[0]])),
                                               _mm_shuffle_epi8(x[1], LOADU(nm_shuffle32[f[1]]))));
        STOREU(dst + 8 * g + 16,
               _mm_unpacklo_epi64(_mm_shuffle_epi8(x[2], LOADU(nm_shuffle32[f[2]])),
                                  _mm_shuffle_epi8(x[3], LOADU(nm_shuffle32[f[3]]))));
        uint16_t mw = (uint16_t)(nm_meta[f[0] | f[1] << 4] | nm_meta[f[2] | f[3] << 4] << 8);
        memcpy(meta + g / 2, &mw, 2);
    }
    if (prune)
        *flag |= (uint32_t)!_mm_testz_si128(
            _mm_cmpgt_epi32(kmax, _mm_set1_epi32((int)NMS__F32_NAN_ABOVE)), _mm_set1_epi8(-1));
    else
        *flag |= (uint32_t)_mm_movemask_epi8(_mm_cmpgt_epi16(acc, _mm_set1_epi16(1020)));
    return g;
}

static size_t nm32(const void *row, size_t groups, void *vals, uint8_t *meta, uint32_t *over2)
{
    return nm32_loop(row, groups, vals, meta, over2, 0);
}

static size_t pnm32(const void *row, size_t groups, uint32_t nan_above, void *vals,
                    uint8_t *meta, uint32_t *nan)
{
    (void)nan_above;
    return nm32_loop(row, groups, vals, meta, nan, 1);
}

/* 8-bit elements, four groups (one vector) per step (int8 has no NaN). */
static inline size_t nm8_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                              uint32_t *flag, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m128i zero = _mm_setzero_si128();
    __m128i acc = zero;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        __m128i x = LOADU(src + 4 * g);
        if (prune) /* keys |x| xor 0x80, as in prune_i8_with */
            x = _mm_blendv_epi8(x, zero, drop_i8(_mm_xor_si128(_mm_abs_epi8(x), _mm_set1_epi8((char)0x80))));
        __m128i p = _mm_xor_si128(_mm_cmpeq_epi8(x, zero), _mm_set1_epi8(-1));
        if (!prune)
            acc = min_group_count(acc, p);
        unsigned m = (unsigned)_mm_movemask_epi8(p), f0 = m & 0xff, f1 = m >> 8;
        uint64_t idx = (uint64_t)nm_idx8[f0] | (uint64_t)(nm_idx8[f1] + 0x08080808u) << 32;
        __m128i v = _mm_shuffle_epi8(x, _mm_cvtsi64_si128((long long)idx));
        _mm_storel_epi64((__m128i *)(void *)(dst + 2 * g), v);
        uint16_t mw = (uint16_t)(nm_meta[f0] | nm_meta[f1] << 8);
        memcpy(meta + g / 2, &mw, 2);
    }
    if (!prune)
        *flag |= over2_of(acc);
    return g;
}

static size_t nm8(const void *row, size_t groups, void *vals, uint8_t *meta, uint32_t *over2)
{
    return nm8_loop(row, groups, vals, meta, over2, 0);
}

static size_t pnm8(const void *row, size_t groups, uint32_t nan_above, void *vals,
                   uint8_t *meta, uint32_t *nan)
{
    (void)nan_above;
    return nm8_loop(row, groups, vals, meta, nan, 1);
}

/* 1:2 pairs of 32-bit elements (CUTLASS fp32), eight pairs (four vectors)
 * per step: value j = x[2j] when it is nonzero (flag a), else x[2j+1];
 * code j = a ? 0x4 : 0xE, i.e. 0xE ^ (a * 0xA) per nibble; a pair with two
 * nonzeros sets *over2.  (The AVX2 encoder on 128-bit vectors.) */
static size_t pairs32(const void *row, size_t pairs, void *vals, uint8_t *meta, uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m128i absmask = _mm_set1_epi32(0x7fffffff);
    const __m128i zero = _mm_setzero_si128();
    __m128i both = zero;
    size_t j = 0;
    for (; j + 8 <= pairs; j += 8) {
        __m128 r[4], nz[4];
        for (int i = 0; i < 4; i++) {
            __m128i x = LOADU(src + 8 * j + 16 * i);
            __m128i n = _mm_cmpgt_epi32(_mm_and_si128(x, absmask), zero);
            both = _mm_or_si128(both, _mm_and_si128(n, _mm_shuffle_epi32(n, _MM_SHUFFLE(2, 3, 0, 1))));
            /* even lanes: a ? x[2j] : x[2j+1] */
            r[i] = _mm_castsi128_ps(_mm_blendv_epi8(_mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)), x, n));
            nz[i] = _mm_castsi128_ps(n);
        }
        STOREU(dst + 4 * j, _mm_castps_si128(_mm_shuffle_ps(r[0], r[1], _MM_SHUFFLE(2, 0, 2, 0))));
        STOREU(dst + 4 * j + 16, _mm_castps_si128(_mm_shuffle_ps(r[2], r[3], _MM_SHUFFLE(2, 0, 2, 0))));
        uint32_t a = (uint32_t)_mm_movemask_ps(_mm_shuffle_ps(nz[0], nz[1], _MM_SHUFFLE(2, 0, 2, 0))) |
                     (uint32_t)_mm_movemask_ps(_mm_shuffle_ps(nz[2], nz[3], _MM_SHUFFLE(2, 0, 2, 0))) << 4;
        uint32_t mw = nms__pairs_meta8(a);
        memcpy(meta + j / 2, &mw, 4);
    }
    *over2 |= (uint32_t)!_mm_testz_si128(both, both);
    return j;
}

const nms__prune_kernels *nms__prune_kernels_sse41(void)
{
    static const nms__prune_kernels kernels = {"sse4.1", prune_f32, prune_h16, prune_i8,
                                               nm16, nm32, nm8, pairs32,
                                               prune12_f32, prune12_h16, prune12_i8,
                                               pnm16, pnm32, pnm8, NULL, NULL,
                                               NULL, NULL, NULL};
    return &kernels;
}
