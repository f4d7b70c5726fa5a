/*
 * prune_avx512.c - 2:4 kernels with AVX-512 F + BW intrinsics; the rule and
 * the outputs are those of prune_kernels.h, byte for byte.  Same method as
 * prune_sse41.c (rotations inside each group, beat_s = R_s + C_s > K, drop on
 * majority) with compare results in mask registers: the keep mask is
 * directly the bitmap of prune_kernels.h, and masked moves write the output.
 * 16-bit lanes rotate with a 64-bit rotate, 8-bit lanes with a 32-bit one.
 * Compiled with -mavx512f -mavx512bw -mavx512vl only.
 */
#include <immintrin.h>
#include <string.h>

#include "prune/prune_kernels.h"

#define LOADU(p) _mm512_loadu_si512((const void *)(p))
#define STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))

/* ---- fp32: four groups per vector ------------------------------------ */

static inline __mmask16 keep_f32(__m512i k)
{
    const __m512i c1 = _mm512_set4_epi32(1, 0, 0, 0); /* set4 lists lane 3 first */
    const __m512i c2 = _mm512_set4_epi32(1, 1, 0, 0);
    const __m512i c3 = _mm512_set4_epi32(1, 1, 1, 0);
    __mmask16 b1 = _mm512_cmpgt_epi32_mask(_mm512_add_epi32(_mm512_shuffle_epi32(k, _MM_PERM_ADCB), c1), k);
    __mmask16 b2 = _mm512_cmpgt_epi32_mask(_mm512_add_epi32(_mm512_shuffle_epi32(k, _MM_PERM_BADC), c2), k);
    __mmask16 b3 = _mm512_cmpgt_epi32_mask(_mm512_add_epi32(_mm512_shuffle_epi32(k, _MM_PERM_CBAD), c3), k);
    return (__mmask16)~((b1 & b2) | (b3 & (b1 | b2)));
}

static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    const __m512i nan_above = _mm512_set1_epi32((int)NMS__F32_NAN_ABOVE);
    __mmask16 nan = 0;
    size_t g = 0;
    for (; g + 8 <= ngroups; g += 8) {
        __m512i x0 = LOADU(src + 16 * g), x1 = LOADU(src + 16 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        nan |= _mm512_cmpgt_epi32_mask(k0, nan_above) | _mm512_cmpgt_epi32_mask(k1, nan_above);
        __mmask16 m0 = keep_f32(k0), m1 = keep_f32(k1);
        if (dst) {
            STOREU(dst + 16 * g, _mm512_maskz_mov_epi32(m0, x0));
            STOREU(dst + 16 * g + 64, _mm512_maskz_mov_epi32(m1, x1));
        }
        if (bits) {
            uint32_t m = (uint32_t)m0 | (uint32_t)m1 << 16;
            memcpy(bits + g / 2, &m, 4);
        }
    }
    int found = nan != 0;
    if (g < ngroups)
        found |= nms__prune_f32_scalar(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                                       bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- fp16 / bf16: eight groups per vector --------------------------- */

static inline __mmask32 keep_h16(__m512i k)
{
    const __m512i c1 = _mm512_set1_epi64(0x0001000000000000LL);
    const __m512i c2 = _mm512_set1_epi64(0x0001000100000000LL);
    const __m512i c3 = _mm512_set1_epi64(0x0001000100010000LL);
    __mmask32 b1 = _mm512_cmpgt_epi16_mask(_mm512_add_epi16(_mm512_ror_epi64(k, 16), c1), k);
    __mmask32 b2 = _mm512_cmpgt_epi16_mask(_mm512_add_epi16(_mm512_ror_epi64(k, 32), c2), k);
    __mmask32 b3 = _mm512_cmpgt_epi16_mask(_mm512_add_epi16(_mm512_ror_epi64(k, 48), c3), k);
    return (__mmask32)~((b1 & b2) | (b3 & (b1 | b2)));
}

static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above_bits,
                     void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    const __m512i nan_above = _mm512_set1_epi16((short)nan_above_bits);
    __mmask32 nan = 0;
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        nan |= _mm512_cmpgt_epi16_mask(k0, nan_above) | _mm512_cmpgt_epi16_mask(k1, nan_above);
        __mmask32 m0 = keep_h16(k0), m1 = keep_h16(k1);
        if (dst) {
            STOREU(dst + 8 * g, _mm512_maskz_mov_epi16(m0, x0));
            STOREU(dst + 8 * g + 64, _mm512_maskz_mov_epi16(m1, x1));
        }
        if (bits) {
            uint64_t m = (uint64_t)m0 | (uint64_t)m1 << 32;
            memcpy(bits + g / 2, &m, 8);
        }
    }
    int found = nan != 0;
    if (g < ngroups)
        found |= nms__prune_h16_scalar(src + 8 * g, ngroups - g, nan_above_bits,
                                       dst ? dst + 8 * g : NULL, bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- int8: sixteen groups per vector --------------------------------- */

static inline __mmask64 keep_i8(__m512i k)
{
    /* k = |x| as unsigned bytes 0..128; +1 cannot wrap */
    const __m512i c1 = _mm512_set1_epi32(0x01000000);
    const __m512i c2 = _mm512_set1_epi32(0x01010000);
    const __m512i c3 = _mm512_set1_epi32(0x01010100);
    __mmask64 b1 = _mm512_cmpgt_epu8_mask(_mm512_add_epi8(_mm512_ror_epi32(k, 8), c1), k);
    __mmask64 b2 = _mm512_cmpgt_epu8_mask(_mm512_add_epi8(_mm512_ror_epi32(k, 16), c2), k);
    __mmask64 b3 = _mm512_cmpgt_epu8_mask(_mm512_add_epi8(_mm512_ror_epi32(k, 24), c3), k);
    return (__mmask64)~((b1 & b2) | (b3 & (b1 | b2)));
}

static int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x = LOADU(src + 4 * g);
        __mmask64 m = keep_i8(_mm512_abs_epi8(x));
        if (dst)
            STOREU(dst + 4 * g, _mm512_maskz_mov_epi8(m, x));
        if (bits) {
            uint64_t mm = (uint64_t)m;
            memcpy(bits + g / 2, &mm, 8);
        }
    }
    if (g < ngroups)
        nms__prune_i8_scalar(src + 4 * g, ngroups - g, dst ? dst + 4 * g : NULL,
                             bits ? bits + g / 2 : NULL);
    return 0;
}

const nms__prune_kernels nms__prune_kernels_avx512 = {"avx512", prune_f32, prune_h16, prune_i8};
