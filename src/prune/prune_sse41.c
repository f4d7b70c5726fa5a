/*
 * prune_sse41.c - 2:4 kernels with SSE4.1 (+SSSE3) intrinsics; the rule and
 * the outputs are those of prune_kernels.h, byte for byte.
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

static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
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
            d[u] = drop_f32(k);
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
        found |= nms__prune_f32_scalar(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                                       bits ? bits + g / 2 : NULL);
    return found;
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

static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above,
                     void *out, uint8_t *bits)
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
        __m128i d0 = drop_h16(k0), d1 = drop_h16(k1);
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
        found |= nms__prune_h16_scalar(src + 8 * g, ngroups - g, nan_above,
                                       dst ? dst + 8 * g : NULL, bits ? bits + g / 2 : NULL);
    return found;
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

static int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
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
        __m128i d = drop_i8(_mm_xor_si128(_mm_abs_epi8(x), bias));
        if (dst)
            STOREU(dst + 4 * g, _mm_blendv_epi8(x, zero, d));
        if (bits) {
            unsigned m = ~(unsigned)_mm_movemask_epi8(d) & 0xffffu;
            bits[g / 2] = (uint8_t)m;
            bits[g / 2 + 1] = (uint8_t)(m >> 8);
        }
    }
    if (g < ngroups)
        nms__prune_i8_scalar(src + 4 * g, ngroups - g, dst ? dst + 4 * g : NULL,
                             bits ? bits + g / 2 : NULL);
    return 0;
}

const nms__prune_kernels *nms__prune_kernels_sse41(void)
{
    static const nms__prune_kernels kernels = {"sse4.1", prune_f32, prune_h16, prune_i8,
                                               NULL, NULL, NULL,
                                               nms__prune12_f32_scalar, nms__prune12_h16_scalar,
                                               nms__prune12_i8_scalar};
    return &kernels;
}
