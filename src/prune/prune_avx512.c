/*
 * prune_avx512.c - 2:4 kernels with AVX-512 F + BW intrinsics; the rule and
 * the outputs are those of prune_kernels.h, byte for byte.  Same method as
 * prune_sse41.c: b_s = R_s + C_s > K for s = 1, 2 (compares into masks,
 * expanded to 0 / -1 lanes), b_3 = ~rot_3(b_1), and the drop lanes are the
 * majority of b_1, b_2, b_3, one vpternlog.  16-bit lanes rotate with a
 * 64-bit rotate, 8-bit lanes with a 32-bit one.  (A variant that kept b_s in
 * mask registers and rotated them in general registers was 30 % slower on
 * AMD Zen 4 because of the k <-> GPR moves.)  Compiled with -mavx512f
 * -mavx512bw -mavx512vl.
 */
#include "config.h"

#include <immintrin.h>
#include <string.h>

#include "prune/prune_kernels.h"

#define LOADU(p) _mm512_loadu_si512((const void *)(p))
#define STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))

/* drop = majority(b1, b2, ~r) with r = rot3(b1): vpternlog truth table
 * over (a, b, c) = (b1, b2, r), bit index 4a + 2b + c. */
#define MAJ_A_B_NOTC 0xd4

/* ---- fp32: four groups per vector ------------------------------------ */

static inline __m512i drop_f32(__m512i k)
{
    const __m512i c1 = _mm512_set4_epi32(1, 0, 0, 0); /* set4 lists lane 3 first */
    const __m512i c2 = _mm512_set4_epi32(1, 1, 0, 0);
    const __m512i ones = _mm512_set1_epi32(-1);
    __mmask16 m1 = _mm512_cmpgt_epi32_mask(_mm512_add_epi32(_mm512_shuffle_epi32(k, _MM_PERM_ADCB), c1), k);
    __mmask16 m2 = _mm512_cmpgt_epi32_mask(_mm512_add_epi32(_mm512_shuffle_epi32(k, _MM_PERM_BADC), c2), k);
    __m512i b1 = _mm512_maskz_mov_epi32(m1, ones), b2 = _mm512_maskz_mov_epi32(m2, ones);
    __m512i r = _mm512_shuffle_epi32(b1, _MM_PERM_CBAD);
    return _mm512_ternarylogic_epi32(b1, b2, r, MAJ_A_B_NOTC);
}

static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    __m512i kmax = _mm512_setzero_si512(); /* NaN iff some key > 0x7f800000 */
    size_t g = 0;
    for (; g + 8 <= ngroups; g += 8) {
        __m512i x0 = LOADU(src + 16 * g), x1 = LOADU(src + 16 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        kmax = _mm512_max_epi32(kmax, _mm512_max_epi32(k0, k1));
        __m512i d0 = drop_f32(k0), d1 = drop_f32(k1);
        if (dst) {
            STOREU(dst + 16 * g, _mm512_andnot_si512(d0, x0));
            STOREU(dst + 16 * g + 64, _mm512_andnot_si512(d1, x1));
        }
        if (bits) {
            uint32_t m = (uint32_t)_mm512_testn_epi32_mask(d0, d0) |
                         (uint32_t)_mm512_testn_epi32_mask(d1, d1) << 16;
            memcpy(bits + g / 2, &m, 4);
        }
    }
    int found = _mm512_cmpgt_epi32_mask(kmax, _mm512_set1_epi32((int)NMS__F32_NAN_ABOVE)) != 0;
    if (g < ngroups)
        found |= nms__prune_f32_scalar(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                                       bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- fp16 / bf16: eight groups per vector --------------------------- */

static inline __m512i drop_h16(__m512i k)
{
    const __m512i c1 = _mm512_set1_epi64(0x0001000000000000LL);
    const __m512i c2 = _mm512_set1_epi64(0x0001000100000000LL);
    __mmask32 m1 = _mm512_cmpgt_epi16_mask(_mm512_add_epi16(_mm512_ror_epi64(k, 16), c1), k);
    __mmask32 m2 = _mm512_cmpgt_epi16_mask(_mm512_add_epi16(_mm512_ror_epi64(k, 32), c2), k);
    __m512i b1 = _mm512_movm_epi16(m1), b2 = _mm512_movm_epi16(m2);
    __m512i r = _mm512_ror_epi64(b1, 48);
    return _mm512_ternarylogic_epi32(b1, b2, r, MAJ_A_B_NOTC);
}

static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above,
                     void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    __m512i kmax = _mm512_setzero_si512();
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        kmax = _mm512_max_epi16(kmax, _mm512_max_epi16(k0, k1));
        __m512i d0 = drop_h16(k0), d1 = drop_h16(k1);
        if (dst) {
            STOREU(dst + 8 * g, _mm512_andnot_si512(d0, x0));
            STOREU(dst + 8 * g + 64, _mm512_andnot_si512(d1, x1));
        }
        if (bits) {
            uint64_t m = (uint64_t)_mm512_testn_epi16_mask(d0, d0) |
                         (uint64_t)_mm512_testn_epi16_mask(d1, d1) << 32;
            memcpy(bits + g / 2, &m, 8);
        }
    }
    int found = _mm512_cmpgt_epi16_mask(kmax, _mm512_set1_epi16((short)nan_above)) != 0;
    if (g < ngroups)
        found |= nms__prune_h16_scalar(src + 8 * g, ngroups - g, nan_above,
                                       dst ? dst + 8 * g : NULL, bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- int8: sixteen groups per vector --------------------------------- */

static inline __m512i drop_i8(__m512i k)
{
    /* k = |x| as unsigned bytes 0..128; +1 cannot wrap */
    const __m512i c1 = _mm512_set1_epi32(0x01000000);
    const __m512i c2 = _mm512_set1_epi32(0x01010000);
    __mmask64 m1 = _mm512_cmpgt_epu8_mask(_mm512_add_epi8(_mm512_ror_epi32(k, 8), c1), k);
    __mmask64 m2 = _mm512_cmpgt_epu8_mask(_mm512_add_epi8(_mm512_ror_epi32(k, 16), c2), k);
    __m512i b1 = _mm512_movm_epi8(m1), b2 = _mm512_movm_epi8(m2);
    __m512i r = _mm512_ror_epi32(b1, 24);
    return _mm512_ternarylogic_epi32(b1, b2, r, MAJ_A_B_NOTC);
}

static int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x = LOADU(src + 4 * g);
        __m512i d = drop_i8(_mm512_abs_epi8(x));
        if (dst)
            STOREU(dst + 4 * g, _mm512_andnot_si512(d, x));
        if (bits) {
            uint64_t m = _mm512_testn_epi8_mask(d, d);
            memcpy(bits + g / 2, &m, 8);
        }
    }
    if (g < ngroups)
        nms__prune_i8_scalar(src + 4 * g, ngroups - g, dst ? dst + 4 * g : NULL,
                             bits ? bits + g / 2 : NULL);
    return 0;
}

const nms__prune_kernels *nms__prune_kernels_avx512(void)
{
    /* the AVX2 nm encoders and 1:2 kernels (-mavx512f implies AVX2) */
    static const nms__prune_kernels kernels = {
        "avx512", prune_f32, prune_h16, prune_i8,
#ifdef HAVE_AVX2
        nms__prune_nm16_avx2, nms__prune_nm32_avx2, nms__prune_nm8_avx2,
        nms__prune_pairs32_avx2,
        nms__prune12_f32_avx2, nms__prune12_h16_avx2, nms__prune12_i8_avx2,
        nms__prune_pnm16_avx2, nms__prune_pnm32_avx2, nms__prune_pnm8_avx2,
#else
        NULL, NULL, NULL, NULL,
        nms__prune12_f32_scalar, nms__prune12_h16_scalar, nms__prune12_i8_scalar,
        NULL, NULL, NULL,
#endif
    };
    return &kernels;
}
