/*
 * prune_avx2.c - 2:4 kernels with AVX2 intrinsics; the rule and the outputs
 * are those of prune_kernels.h, byte for byte.  Same method as
 * prune_sse41.c (b_s = R_s + C_s > K for s = 1, 2; the drop flag is the sign
 * of d = b_1 + b_2 - rot_3(b_1)) on 256-bit vectors; every in-lane shuffle
 * stays inside a 128-bit half, which holds whole groups.  The 1:2 kernels
 * drop a lane when its pair partner plus C (1 on odd lanes) exceeds it.
 * Compiled with -mavx2.
 */
#include <immintrin.h>
#include <string.h>

#include "prune/prune_kernels.h"
#include "prune/prune_nm_tables.h"

#define LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))

/* ---- fp32: two groups per vector ------------------------------------- */

static inline __m256i drop_f32(__m256i k)
{
    const __m256i c1 = _mm256_setr_epi32(0, 0, 0, 1, 0, 0, 0, 1);
    const __m256i c2 = _mm256_setr_epi32(0, 0, 1, 1, 0, 0, 1, 1);
    __m256i b1 = _mm256_cmpgt_epi32(_mm256_add_epi32(_mm256_shuffle_epi32(k, _MM_SHUFFLE(0, 3, 2, 1)), c1), k);
    __m256i b2 = _mm256_cmpgt_epi32(_mm256_add_epi32(_mm256_shuffle_epi32(k, _MM_SHUFFLE(1, 0, 3, 2)), c2), k);
    __m256i r = _mm256_shuffle_epi32(b1, _MM_SHUFFLE(2, 1, 0, 3));
    return _mm256_sub_epi32(_mm256_add_epi32(b1, b2), r);
}

/* 1:2: lane i is dropped when its pair partner beats it (partner key + 1 on
 * the odd lane, whose partner has the lower index and wins ties). */
static inline __m256i drop12_f32(__m256i k)
{
    const __m256i c = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    return _mm256_cmpgt_epi32(_mm256_add_epi32(_mm256_shuffle_epi32(k, _MM_SHUFFLE(2, 3, 0, 1)), c), k);
}

/* The loops, shared by 2:4 and 1:2 (drop and scalar tail are constants). */
typedef __m256i (*drop_fn)(__m256i);

static inline int prune_f32_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                 drop_fn drop, nms__prune_f32_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m256i absmask = _mm256_set1_epi32(0x7fffffff);
    const __m256i zero = _mm256_setzero_si256();
    __m256i kmax = _mm256_setzero_si256(); /* NaN iff some key > 0x7f800000 */
    size_t g = 0;
    for (; g + 4 <= ngroups; g += 4) {
        __m256i x0 = LOADU(src + 16 * g), x1 = LOADU(src + 16 * g + 32);
        __m256i k0 = _mm256_and_si256(x0, absmask), k1 = _mm256_and_si256(x1, absmask);
        kmax = _mm256_max_epi32(kmax, _mm256_max_epi32(k0, k1));
        __m256i d0 = drop(k0), d1 = drop(k1);
        if (dst) {
            STOREU(dst + 16 * g, _mm256_blendv_epi8(x0, zero, d0));
            STOREU(dst + 16 * g + 32, _mm256_blendv_epi8(x1, zero, d1));
        }
        if (bits) {
            bits[g / 2] = (uint8_t)~_mm256_movemask_ps(_mm256_castsi256_ps(d0));
            bits[g / 2 + 1] = (uint8_t)~_mm256_movemask_ps(_mm256_castsi256_ps(d1));
        }
    }
    __m256i nan = _mm256_cmpgt_epi32(kmax, _mm256_set1_epi32((int)NMS__F32_NAN_ABOVE));
    int found = !_mm256_testz_si256(nan, nan);
    if (g < ngroups)
        found |= tail(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                      bits ? bits + g / 2 : NULL);
    return found;
}

static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32_with(in, ngroups, out, bits, drop_f32, nms__prune_f32_scalar);
}

int nms__prune12_f32_avx2(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32_with(in, ngroups, out, bits, drop12_f32, nms__prune12_f32_scalar);
}

/* ---- fp16 / bf16: four groups per vector ---------------------------- */

static inline __m256i drop_h16(__m256i k)
{
    const __m256i s1 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                                        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    const __m256i s2 = _mm256_setr_epi8(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11,
                                        4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
    const __m256i s3 = _mm256_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13,
                                        6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
    const __m256i c1 = _mm256_set1_epi64x(0x0001000000000000LL);
    const __m256i c2 = _mm256_set1_epi64x(0x0001000100000000LL);
    __m256i b1 = _mm256_cmpgt_epi16(_mm256_add_epi16(_mm256_shuffle_epi8(k, s1), c1), k);
    __m256i b2 = _mm256_cmpgt_epi16(_mm256_add_epi16(_mm256_shuffle_epi8(k, s2), c2), k);
    return _mm256_sub_epi16(_mm256_add_epi16(b1, b2), _mm256_shuffle_epi8(b1, s3));
}

static inline __m256i drop12_h16(__m256i k)
{
    const __m256i c = _mm256_set1_epi32(0x00010000);
    __m256i swapped = _mm256_or_si256(_mm256_slli_epi32(k, 16), _mm256_srli_epi32(k, 16));
    return _mm256_cmpgt_epi16(_mm256_add_epi16(swapped, c), k);
}

static inline int prune_h16_with(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                                 uint8_t *bits, drop_fn drop, nms__prune_h16_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m256i absmask = _mm256_set1_epi16(0x7fff);
    const __m256i zero = _mm256_setzero_si256();
    __m256i kmax = _mm256_setzero_si256();
    size_t g = 0;
    for (; g + 8 <= ngroups; g += 8) {
        __m256i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 32);
        __m256i k0 = _mm256_and_si256(x0, absmask), k1 = _mm256_and_si256(x1, absmask);
        kmax = _mm256_max_epi16(kmax, _mm256_max_epi16(k0, k1));
        __m256i d0 = drop(k0), d1 = drop(k1);
        if (dst) {
            STOREU(dst + 8 * g, _mm256_blendv_epi8(x0, zero, d0));
            STOREU(dst + 8 * g + 32, _mm256_blendv_epi8(x1, zero, d1));
        }
        if (bits) {
            /* packs works per 128-bit half: quads d0.lo d1.lo d0.hi d1.hi,
             * reordered to d0.lo d0.hi d1.lo d1.hi */
            __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi16(d0, d1), _MM_SHUFFLE(3, 1, 2, 0));
            uint32_t m = ~(uint32_t)_mm256_movemask_epi8(p);
            memcpy(bits + g / 2, &m, 4);
        }
    }
    __m256i nan = _mm256_cmpgt_epi16(kmax, _mm256_set1_epi16((short)nan_above));
    int found = !_mm256_testz_si256(nan, nan);
    if (g < ngroups)
        found |= tail(src + 8 * g, ngroups - g, nan_above, dst ? dst + 8 * g : NULL,
                      bits ? bits + g / 2 : NULL);
    return found;
}

static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above, void *out, uint8_t *bits)
{
    return prune_h16_with(in, ngroups, nan_above, out, bits, drop_h16, nms__prune_h16_scalar);
}

int nms__prune12_h16_avx2(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                          uint8_t *bits)
{
    return prune_h16_with(in, ngroups, nan_above, out, bits, drop12_h16, nms__prune12_h16_scalar);
}

/* ---- int8: eight groups per vector ----------------------------------- */

static inline __m256i drop_i8(__m256i k)
{
    const __m256i s1 = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12,
                                        1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    const __m256i s2 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
                                        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i s3 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
                                        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    const __m256i c1 = _mm256_set1_epi32(0x01000000);
    const __m256i c2 = _mm256_set1_epi32(0x01010000);
    __m256i b1 = _mm256_cmpgt_epi8(_mm256_add_epi8(_mm256_shuffle_epi8(k, s1), c1), k);
    __m256i b2 = _mm256_cmpgt_epi8(_mm256_add_epi8(_mm256_shuffle_epi8(k, s2), c2), k);
    return _mm256_sub_epi8(_mm256_add_epi8(b1, b2), _mm256_shuffle_epi8(b1, s3));
}

static inline __m256i drop12_i8(__m256i k)
{
    const __m256i c = _mm256_set1_epi16(0x0100);
    __m256i swapped = _mm256_or_si256(_mm256_slli_epi16(k, 8), _mm256_srli_epi16(k, 8));
    return _mm256_cmpgt_epi8(_mm256_add_epi8(swapped, c), k);
}

static inline int prune_i8_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                drop_fn drop, nms__prune_i8_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    /* |x| in 0..128 xor 0x80 -> signed -128..0, same order */
    const __m256i bias = _mm256_set1_epi8((char)0x80);
    const __m256i zero = _mm256_setzero_si256();
    size_t g = 0;
    for (; g + 8 <= ngroups; g += 8) {
        __m256i x = LOADU(src + 4 * g);
        __m256i d = drop(_mm256_xor_si256(_mm256_abs_epi8(x), bias));
        if (dst)
            STOREU(dst + 4 * g, _mm256_blendv_epi8(x, zero, d));
        if (bits) {
            uint32_t m = ~(uint32_t)_mm256_movemask_epi8(d);
            memcpy(bits + g / 2, &m, 4);
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

int nms__prune12_i8_avx2(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_i8_with(in, ngroups, out, bits, drop12_i8, nms__prune12_i8_scalar);
}


/* ---- nm encoders (tables and rule in prune_nm_tables.h) ----------------- */

/* Over-two check in the vector domain: p holds one byte per element, -1
 * for a nonzero element (0 else), four consecutive bytes per group; the
 * 32-bit lane of each group becomes minus its nonzero count, and the
 * running minimum is below -2 iff some group has three or four. */
static inline __m256i min_group_count(__m256i acc, __m256i p)
{
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    return _mm256_min_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, p), ones16));
}

static inline uint32_t over2_of(__m256i acc)
{
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi32(_mm256_set1_epi32(-2), acc));
}

/* The fused prune: lanes whose d has the sign bit set (d's other bits
 * vary, see drop_*) become +0 and lose their nonzero flag. */
static inline void drop_lanes(__m256i *x, __m256i *nz, __m256i d)
{
    *x = _mm256_blendv_epi8(*x, _mm256_setzero_si256(), d);
    *nz = _mm256_blendv_epi8(*nz, _mm256_setzero_si256(), d);
}

static inline __m128i shuffle_pair(unsigned f)
{
    return _mm_loadu_si128((const __m128i *)(const void *)nm_shuffle[f]);
}

/* 16-bit elements, eight groups (two vectors) per step.  With prune, each
 * vector is first 2:4-pruned in registers (drop_h16, dropped lanes +0) and
 * *flag reports a key above nan_above (NaN); without, *flag reports a
 * group with more than two nonzeros. */
static inline size_t nm16_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune, uint16_t nan_above)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m256i absmask = _mm256_set1_epi16(0x7fff);
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero, kmax = zero;
    size_t g = 0;
    for (; g + 8 <= groups; g += 8) {
        __m256i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 32);
        __m256i k0 = _mm256_and_si256(x0, absmask), k1 = _mm256_and_si256(x1, absmask);
        __m256i nz0 = _mm256_cmpgt_epi16(k0, zero), nz1 = _mm256_cmpgt_epi16(k1, zero);
        if (prune) {
            kmax = _mm256_max_epi16(kmax, _mm256_max_epi16(k0, k1));
            drop_lanes(&x0, &nz0, drop_h16(k0));
            drop_lanes(&x1, &nz1, drop_h16(k1));
        }
        /* packs works per 128-bit half: reorder to x0.lo x0.hi x1.lo x1.hi */
        __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi16(nz0, nz1), _MM_SHUFFLE(3, 1, 2, 0));
        if (!prune)
            acc = min_group_count(acc, p);
        uint32_t m = (uint32_t)_mm256_movemask_epi8(p); /* 8 flag nibbles */
        unsigned f0 = m & 0xff, f1 = (m >> 8) & 0xff, f2 = (m >> 16) & 0xff, f3 = m >> 24;
        __m256i s0 = _mm256_inserti128_si256(_mm256_castsi128_si256(shuffle_pair(f0)), shuffle_pair(f1), 1);
        __m256i s1 = _mm256_inserti128_si256(_mm256_castsi128_si256(shuffle_pair(f2)), shuffle_pair(f3), 1);
        /* each half: its two groups' four values in the low 8 bytes */
        __m256i v = _mm256_unpacklo_epi64(_mm256_shuffle_epi8(x0, s0), _mm256_shuffle_epi8(x1, s1));
        STOREU(dst + 4 * g, _mm256_permute4x64_epi64(v, _MM_SHUFFLE(3, 1, 2, 0)));
        /* the meta bytes ride in byte 8 of each shuffle (prune_nm_tables.h):
         * halves [f0 f2 ..] [f1 f3 ..] -> f0 f1 f2 f3 */
        __m256i mb = _mm256_unpackhi_epi8(s0, s1);
        uint32_t mw = (uint32_t)_mm_cvtsi128_si32(
            _mm_unpacklo_epi8(_mm256_castsi256_si128(mb), _mm256_extracti128_si256(mb, 1)));
        memcpy(meta + g / 2, &mw, 4);
    }
    if (prune) {
        __m256i nan = _mm256_cmpgt_epi16(kmax, _mm256_set1_epi16((short)nan_above));
        *flag |= (uint32_t)!_mm256_testz_si256(nan, nan);
    } else {
        *flag |= over2_of(acc);
    }
    return g; /* the caller encodes the remaining groups */
}

size_t nms__prune_nm16_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                            uint32_t *over2)
{
    return nm16_loop(row, groups, vals, meta, over2, 0, 0);
}

size_t nms__prune_pnm16_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                             uint8_t *meta, uint32_t *nan)
{
    return nm16_loop(row, groups, vals, meta, nan, 1, (uint16_t)nan_above);
}

/* The same for 32-bit elements: a pair of groups is one 256-bit vector and
 * the two kept elements of each are picked with one cross-lane permute. */
#define NM_PERM(f)                                                                        \
    {NM_I0((f) & 15), NM_I1((f) & 15), 4 + NM_I0((f) >> 4), 4 + NM_I1((f) >> 4), 0, 0, 0, 0}
#define NM_PERM4(f) NM_PERM(f), NM_PERM((f) + 1), NM_PERM((f) + 2), NM_PERM((f) + 3)
#define NM_PERM16(f) NM_PERM4(f), NM_PERM4((f) + 4), NM_PERM4((f) + 8), NM_PERM4((f) + 12)

static const int32_t nm_permute[256][8] = {
    NM_PERM16(0),   NM_PERM16(16),  NM_PERM16(32),  NM_PERM16(48),
    NM_PERM16(64),  NM_PERM16(80),  NM_PERM16(96),  NM_PERM16(112),
    NM_PERM16(128), NM_PERM16(144), NM_PERM16(160), NM_PERM16(176),
    NM_PERM16(192), NM_PERM16(208), NM_PERM16(224), NM_PERM16(240),
};

/* 32-bit elements, four groups (two vectors) per step (prune and *flag as
 * in nm16_loop).  Over-two check: packs_epi32 makes each group 8 bytes of
 * 0xff per nonzero element, so its byte sum (sad) is 510 x count: above
 * 1020 iff count > 2. */
static inline size_t nm32_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m256i absmask = _mm256_set1_epi32(0x7fffffff);
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero, kmax = zero;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        __m256i x0 = LOADU(src + 16 * g), x1 = LOADU(src + 16 * g + 32);
        __m256i k0 = _mm256_and_si256(x0, absmask), k1 = _mm256_and_si256(x1, absmask);
        __m256i nz0 = _mm256_cmpgt_epi32(k0, zero), nz1 = _mm256_cmpgt_epi32(k1, zero);
        if (prune) {
            kmax = _mm256_max_epi32(kmax, _mm256_max_epi32(k0, k1));
            drop_lanes(&x0, &nz0, drop_f32(k0));
            drop_lanes(&x1, &nz1, drop_f32(k1));
        } else {
            acc = _mm256_max_epu16(acc, _mm256_sad_epu8(_mm256_packs_epi32(nz0, nz1), zero));
        }
        unsigned f0 = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(nz0));
        unsigned f1 = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(nz1));
        __m256i v0 = _mm256_permutevar8x32_epi32(x0, LOADU(nm_permute[f0]));
        __m256i v1 = _mm256_permutevar8x32_epi32(x1, LOADU(nm_permute[f1]));
        STOREU(dst + 8 * g, _mm256_inserti128_si256(v0, _mm256_castsi256_si128(v1), 1));
        uint16_t mw = (uint16_t)(nm_meta[f0] | nm_meta[f1] << 8);
        memcpy(meta + g / 2, &mw, 2);
    }
    if (prune) {
        __m256i nan = _mm256_cmpgt_epi32(kmax, _mm256_set1_epi32((int)NMS__F32_NAN_ABOVE));
        *flag |= (uint32_t)!_mm256_testz_si256(nan, nan);
    } else {
        *flag |= (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi16(acc, _mm256_set1_epi16(1020)));
    }
    return g;
}

size_t nms__prune_nm32_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                            uint32_t *over2)
{
    return nm32_loop(row, groups, vals, meta, over2, 0);
}

size_t nms__prune_pnm32_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                             uint8_t *meta, uint32_t *nan)
{
    (void)nan_above;
    return nm32_loop(row, groups, vals, meta, nan, 1);
}

/* The same for 8-bit elements: 32 bytes = 8 groups = 4 pairs of groups.
 * Per pair (8 flag bits, one byte of the byte movemask) a 4-byte shuffle
 * picks i0, i1 of each group; two pairs fill the low 8 bytes of a 128-bit
 * half, and the halves are joined by one cross-lane permute. */

static inline size_t nm8_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                              uint32_t *over2, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero;
    size_t g = 0;
    for (; g + 8 <= groups; g += 8) {
        __m256i x = LOADU(src + 4 * g);
        __m256i p = _mm256_xor_si256(_mm256_cmpeq_epi8(x, zero), _mm256_set1_epi8(-1));
        if (prune) { /* keys |x| xor 0x80, as in prune_i8 */
            __m256i d = drop_i8(_mm256_xor_si256(_mm256_abs_epi8(x), _mm256_set1_epi8((char)0x80)));
            drop_lanes(&x, &p, d);
        } else {
            acc = min_group_count(acc, p);
        }
        uint32_t m = (uint32_t)_mm256_movemask_epi8(p); /* nonzero flags */
        unsigned f0 = m & 0xff, f1 = (m >> 8) & 0xff, f2 = (m >> 16) & 0xff, f3 = m >> 24;
        uint64_t lo = (uint64_t)nm_idx8[f0] | (uint64_t)(nm_idx8[f1] + 0x08080808u) << 32;
        uint64_t hi = (uint64_t)nm_idx8[f2] | (uint64_t)(nm_idx8[f3] + 0x08080808u) << 32;
        /* high 8 bytes of each half: 0x80 = zero (ignored after the permute) */
        __m256i shuf = _mm256_set_epi64x((long long)UINT64_C(0x8080808080808080), (long long)hi,
                                         (long long)UINT64_C(0x8080808080808080), (long long)lo);
        __m256i picked = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(x, shuf), _MM_SHUFFLE(3, 1, 2, 0));
        _mm_storeu_si128((__m128i *)(void *)(dst + 2 * g), _mm256_castsi256_si128(picked));
        uint32_t mw = (uint32_t)nm_meta[f0] | (uint32_t)nm_meta[f1] << 8 |
                      (uint32_t)nm_meta[f2] << 16 | (uint32_t)nm_meta[f3] << 24;
        memcpy(meta + g / 2, &mw, 4);
    }
    if (!prune)
        *over2 |= over2_of(acc);
    return g;
}

size_t nms__prune_nm8_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                           uint32_t *over2)
{
    return nm8_loop(row, groups, vals, meta, over2, 0);
}

size_t nms__prune_pnm8_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                            uint8_t *meta, uint32_t *nan)
{
    (void)nan_above;
    return nm8_loop(row, groups, vals, meta, nan, 1);
}

/* 1:2 pairs of 32-bit elements (CUTLASS fp32), eight pairs (two vectors)
 * per step: value j = x[2j] when it is nonzero (flag a), else x[2j+1];
 * code j = a ? 0x4 : 0xE, i.e. 0xE ^ (a * 0xA); a pair with two nonzeros
 * sets *over2. */
size_t nms__prune_pairs32_avx2(const void *row, size_t pairs, void *vals, uint8_t *meta,
                               uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m256i absmask = _mm256_set1_epi32(0x7fffffff);
    const __m256i zero = _mm256_setzero_si256();
    __m256i both = zero;
    size_t j = 0;
    for (; j + 8 <= pairs; j += 8) {
        __m256i x0 = LOADU(src + 8 * j), x1 = LOADU(src + 8 * j + 32);
        __m256i nz0 = _mm256_cmpgt_epi32(_mm256_and_si256(x0, absmask), zero);
        __m256i nz1 = _mm256_cmpgt_epi32(_mm256_and_si256(x1, absmask), zero);
        __m256i sw0 = _mm256_shuffle_epi32(nz0, _MM_SHUFFLE(2, 3, 0, 1));
        __m256i sw1 = _mm256_shuffle_epi32(nz1, _MM_SHUFFLE(2, 3, 0, 1));
        both = _mm256_or_si256(both, _mm256_or_si256(_mm256_and_si256(nz0, sw0),
                                                     _mm256_and_si256(nz1, sw1)));
        /* even lanes: a ? x[2j] : x[2j+1] */
        __m256i r0 = _mm256_blendv_epi8(_mm256_shuffle_epi32(x0, _MM_SHUFFLE(2, 3, 0, 1)), x0, nz0);
        __m256i r1 = _mm256_blendv_epi8(_mm256_shuffle_epi32(x1, _MM_SHUFFLE(2, 3, 0, 1)), x1, nz1);
        __m256 ev = _mm256_shuffle_ps(_mm256_castsi256_ps(r0), _mm256_castsi256_ps(r1), _MM_SHUFFLE(2, 0, 2, 0));
        STOREU(dst + 4 * j, _mm256_permute4x64_epi64(_mm256_castps_si256(ev), _MM_SHUFFLE(3, 1, 2, 0)));
        __m256 ea = _mm256_shuffle_ps(_mm256_castsi256_ps(nz0), _mm256_castsi256_ps(nz1), _MM_SHUFFLE(2, 0, 2, 0));
        uint32_t a = (uint32_t)_mm256_movemask_ps(
            _mm256_castsi256_ps(_mm256_permute4x64_epi64(_mm256_castps_si256(ea), _MM_SHUFFLE(3, 1, 2, 0))));
        uint32_t mw = nms__pairs_meta8(a);
        memcpy(meta + j / 2, &mw, 4);
    }
    *over2 |= (uint32_t)!_mm256_testz_si256(both, both);
    return j;
}

const nms__prune_kernels *nms__prune_kernels_avx2(void)
{
    static const nms__prune_kernels kernels = {
        "avx2", prune_f32, prune_h16, prune_i8,
        nms__prune_nm16_avx2, nms__prune_nm32_avx2, nms__prune_nm8_avx2,
        nms__prune_pairs32_avx2,
        nms__prune12_f32_avx2, nms__prune12_h16_avx2, nms__prune12_i8_avx2,
        nms__prune_pnm16_avx2, nms__prune_pnm32_avx2, nms__prune_pnm8_avx2,
        NULL, NULL,
        NULL, NULL, NULL,
    };
    return &kernels;
}
