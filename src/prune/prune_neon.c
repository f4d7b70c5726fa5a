/*
 * prune_neon.c - 2:4 kernels with AArch64 NEON (Advanced SIMD) intrinsics;
 * the rule and the outputs are those of prune_kernels.h, byte for byte.
 * Same method as prune_sse41.c (b_s = R_s + C_s > K for s = 1, 2 with
 * unsigned compares, b_3 = ~rot_3(b_1), drop iff d = b_1 + b_2 - rot_3(b_1)
 * is negative).  Rotations: vext
 * for 32-bit lanes (one group per vector), 64-bit / 32-bit shift-and-insert
 * for 16-bit / 8-bit lanes.  NEON has no movemask: the bitmap is built by
 * and-ing the keep lanes with their bit weights and adding across the vector.
 */
#include <arm_neon.h>
#include <string.h>

#include "prune/prune_kernels.h"
#include "prune/prune_nm_tables.h"

/* ---- fp32: one group per vector -------------------------------------- */

static inline uint32x4_t drop_f32(uint32x4_t k)
{
    static const uint32_t c1v[4] = {0, 0, 0, 1}, c2v[4] = {0, 0, 1, 1};
    uint32x4_t b1 = vcgtq_u32(vaddq_u32(vextq_u32(k, k, 1), vld1q_u32(c1v)), k);
    uint32x4_t b2 = vcgtq_u32(vaddq_u32(vextq_u32(k, k, 2), vld1q_u32(c2v)), k);
    int32x4_t d = vreinterpretq_s32_u32(vsubq_u32(vaddq_u32(b1, b2), vextq_u32(b1, b1, 3)));
    return vcltzq_s32(d);
}

/* 1:2: lane i is dropped when its pair partner beats it */
static inline uint32x4_t drop12_f32(uint32x4_t k)
{
    static const uint32_t cv[4] = {0, 1, 0, 1};
    return vcgtq_u32(vaddq_u32(vrev64q_u32(k), vld1q_u32(cv)), k);
}

/* The loops, shared by 2:4 and 1:2 (drop and scalar tail are constants). */
typedef uint32x4_t (*drop32_fn)(uint32x4_t);
typedef uint16x8_t (*drop16_fn)(uint16x8_t);
typedef uint8x16_t (*drop8_fn)(uint8x16_t);

static inline int prune_f32_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                 drop32_fn drop, nms__prune_f32_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    static const uint32_t weights_v[4] = {1, 2, 4, 8};
    const uint32x4_t weights = vld1q_u32(weights_v);
    const uint32x4_t absmask = vdupq_n_u32(0x7fffffffu);
    uint32x4_t kmax = vdupq_n_u32(0);
    size_t g = 0;
    for (; g + 2 <= ngroups; g += 2) {
        uint32x4_t x0 = vreinterpretq_u32_u8(vld1q_u8(src + 16 * g));
        uint32x4_t x1 = vreinterpretq_u32_u8(vld1q_u8(src + 16 * g + 16));
        uint32x4_t k0 = vandq_u32(x0, absmask), k1 = vandq_u32(x1, absmask);
        kmax = vmaxq_u32(kmax, vmaxq_u32(k0, k1));
        uint32x4_t d0 = drop(k0), d1 = drop(k1);
        if (dst) {
            vst1q_u8(dst + 16 * g, vreinterpretq_u8_u32(vbicq_u32(x0, d0)));
            vst1q_u8(dst + 16 * g + 16, vreinterpretq_u8_u32(vbicq_u32(x1, d1)));
        }
        if (bits) {
            uint32_t n0 = vaddvq_u32(vbicq_u32(weights, d0));
            uint32_t n1 = vaddvq_u32(vbicq_u32(weights, d1));
            bits[g / 2] = (uint8_t)(n0 | n1 << 4);
        }
    }
    int found = vmaxvq_u32(kmax) > NMS__F32_NAN_ABOVE;
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

/* lane i takes lane (i+s) mod 4 of its 64-bit group */
static inline uint16x8_t rot16(uint16x8_t k, int s)
{
    uint64x2_t q = vreinterpretq_u64_u16(k);
    switch (s) {
    case 1: q = vsliq_n_u64(vshrq_n_u64(q, 16), q, 48); break;
    case 2: q = vsliq_n_u64(vshrq_n_u64(q, 32), q, 32); break;
    default: q = vsliq_n_u64(vshrq_n_u64(q, 48), q, 16); break;
    }
    return vreinterpretq_u16_u64(q);
}

static inline uint16x8_t drop_h16(uint16x8_t k)
{
    static const uint16_t c1v[8] = {0, 0, 0, 1, 0, 0, 0, 1};
    static const uint16_t c2v[8] = {0, 0, 1, 1, 0, 0, 1, 1};
    uint16x8_t b1 = vcgtq_u16(vaddq_u16(rot16(k, 1), vld1q_u16(c1v)), k);
    uint16x8_t b2 = vcgtq_u16(vaddq_u16(rot16(k, 2), vld1q_u16(c2v)), k);
    int16x8_t d = vreinterpretq_s16_u16(vsubq_u16(vaddq_u16(b1, b2), rot16(b1, 3)));
    return vcltzq_s16(d);
}

static inline uint16x8_t drop12_h16(uint16x8_t k)
{
    static const uint16_t cv[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    return vcgtq_u16(vaddq_u16(vrev32q_u16(k), vld1q_u16(cv)), k);
}

static inline int prune_h16_with(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                                 uint8_t *bits, drop16_fn drop, nms__prune_h16_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    static const uint16_t weights_v[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint16x8_t weights = vld1q_u16(weights_v);
    const uint16x8_t absmask = vdupq_n_u16(0x7fff);
    uint16x8_t kmax = vdupq_n_u16(0);
    size_t g = 0;
    for (; g + 2 <= ngroups; g += 2) {
        uint16x8_t x = vreinterpretq_u16_u8(vld1q_u8(src + 8 * g));
        uint16x8_t k = vandq_u16(x, absmask);
        kmax = vmaxq_u16(kmax, k);
        uint16x8_t d = drop(k);
        if (dst)
            vst1q_u8(dst + 8 * g, vreinterpretq_u8_u16(vbicq_u16(x, d)));
        if (bits)
            bits[g / 2] = (uint8_t)vaddvq_u16(vbicq_u16(weights, d));
    }
    int found = vmaxvq_u16(kmax) > nan_above;
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

/* lane i takes lane (i+s) mod 4 of its 32-bit group */
static inline uint8x16_t rot8(uint8x16_t k, int s)
{
    uint32x4_t w = vreinterpretq_u32_u8(k);
    switch (s) {
    case 1: w = vsliq_n_u32(vshrq_n_u32(w, 8), w, 24); break;
    case 2: w = vsliq_n_u32(vshrq_n_u32(w, 16), w, 16); break;
    default: w = vsliq_n_u32(vshrq_n_u32(w, 24), w, 8); break;
    }
    return vreinterpretq_u8_u32(w);
}

/* keys k = |x| in 0..128 (unsigned; +1 cannot wrap) */
static inline uint8x16_t drop_i8(uint8x16_t k)
{
    const uint8x16_t c1 = vreinterpretq_u8_u32(vdupq_n_u32(0x01000000u));
    const uint8x16_t c2 = vreinterpretq_u8_u32(vdupq_n_u32(0x01010000u));
    uint8x16_t b1 = vcgtq_u8(vaddq_u8(rot8(k, 1), c1), k);
    uint8x16_t b2 = vcgtq_u8(vaddq_u8(rot8(k, 2), c2), k);
    return vcltzq_s8(vreinterpretq_s8_u8(vsubq_u8(vaddq_u8(b1, b2), rot8(b1, 3))));
}

static inline uint8x16_t drop12_i8(uint8x16_t k)
{
    const uint8x16_t c = vreinterpretq_u8_u16(vdupq_n_u16(0x0100));
    return vcgtq_u8(vaddq_u8(vrev16q_u8(k), c), k);
}

static inline int prune_i8_with(const void *in, size_t ngroups, void *out, uint8_t *bits,
                                drop8_fn drop, nms__prune_i8_fn tail)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    static const uint8_t weights_v[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                          1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t weights = vld1q_u8(weights_v);
    size_t g = 0;
    for (; g + 4 <= ngroups; g += 4) {
        int8x16_t x = vld1q_s8((const int8_t *)(const void *)(src + 4 * g));
        /* vabsq_s8(-128) wraps to 0x80 = 128 as unsigned: exactly |x| */
        uint8x16_t d = drop(vreinterpretq_u8_s8(vabsq_s8(x)));
        if (dst)
            vst1q_s8((int8_t *)(void *)(dst + 4 * g), vbicq_s8(x, vreinterpretq_s8_u8(d)));
        if (bits) {
            uint8x16_t w = vbicq_u8(weights, d);
            bits[g / 2] = (uint8_t)vaddv_u8(vget_low_u8(w));
            bits[g / 2 + 1] = (uint8_t)vaddv_u8(vget_high_u8(w));
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
 * Flags: nonzero lanes and-ed with their bit weights, added across; values
 * picked with one table lookup (vqtbl1q_u8; the tables' -128 entries read
 * as zero) per pair of groups (16-bit), group (32-bit) or two pairs
 * (8-bit); the over-two check from the flag nibbles. */

/* 16-bit elements, two groups per vector, four per step.  With prune, each
 * vector is first 2:4-pruned in registers (drop_h16, dropped lanes +0) and
 * *flag reports a key above nan_above (NaN); without, *flag reports a group
 * with more than two nonzeros (the same for nm32_loop / nm8_loop). */
static inline size_t nm16_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune, uint16_t nan_above)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    static const uint16_t weights_v[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint16x8_t weights = vld1q_u16(weights_v);
    const uint16x8_t absmask = vdupq_n_u16(0x7fff);
    uint16x8_t kmax = vdupq_n_u16(0);
    uint32_t bad = 0;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        uint8x16_t x0 = vld1q_u8(src + 8 * g), x1 = vld1q_u8(src + 8 * g + 16);
        if (prune) {
            uint16x8_t k0 = vandq_u16(vreinterpretq_u16_u8(x0), absmask);
            uint16x8_t k1 = vandq_u16(vreinterpretq_u16_u8(x1), absmask);
            kmax = vmaxq_u16(kmax, vmaxq_u16(k0, k1));
            x0 = vreinterpretq_u8_u16(vbicq_u16(vreinterpretq_u16_u8(x0), drop_h16(k0)));
            x1 = vreinterpretq_u8_u16(vbicq_u16(vreinterpretq_u16_u8(x1), drop_h16(k1)));
        }
        uint16x8_t nz0 = vtstq_u16(vreinterpretq_u16_u8(x0), absmask);
        uint16x8_t nz1 = vtstq_u16(vreinterpretq_u16_u8(x1), absmask);
        unsigned f0 = vaddvq_u16(vandq_u16(nz0, weights)), f1 = vaddvq_u16(vandq_u16(nz1, weights));
        bad |= nms__over2_nibbles(f0 | f1 << 8);
        uint8x16_t v0 = vqtbl1q_u8(x0, vld1q_u8((const uint8_t *)(const void *)nm_shuffle[f0]));
        uint8x16_t v1 = vqtbl1q_u8(x1, vld1q_u8((const uint8_t *)(const void *)nm_shuffle[f1]));
        vst1q_u8(dst + 4 * g, vcombine_u8(vget_low_u8(v0), vget_low_u8(v1)));
        meta[g / 2] = nm_meta[f0];
        meta[g / 2 + 1] = nm_meta[f1];
    }
    if (prune)
        *flag |= vmaxvq_u16(kmax) > nan_above;
    else
        *flag |= bad;
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

/* 32-bit elements, one group per vector, two per step. */
static inline size_t nm32_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                               uint32_t *flag, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    static const uint32_t weights_v[4] = {1, 2, 4, 8};
    const uint32x4_t weights = vld1q_u32(weights_v);
    const uint32x4_t absmask = vdupq_n_u32(0x7fffffffu);
    uint32x4_t kmax = vdupq_n_u32(0);
    uint32_t bad = 0;
    size_t g = 0;
    for (; g + 2 <= groups; g += 2) {
        uint8x16_t x0 = vld1q_u8(src + 16 * g), x1 = vld1q_u8(src + 16 * g + 16);
        if (prune) {
            uint32x4_t k0 = vandq_u32(vreinterpretq_u32_u8(x0), absmask);
            uint32x4_t k1 = vandq_u32(vreinterpretq_u32_u8(x1), absmask);
            kmax = vmaxq_u32(kmax, vmaxq_u32(k0, k1));
            x0 = vreinterpretq_u8_u32(vbicq_u32(vreinterpretq_u32_u8(x0), drop_f32(k0)));
            x1 = vreinterpretq_u8_u32(vbicq_u32(vreinterpretq_u32_u8(x1), drop_f32(k1)));
        }
        unsigned f0 = vaddvq_u32(vandq_u32(vtstq_u32(vreinterpretq_u32_u8(x0), absmask), weights));
        unsigned f1 = vaddvq_u32(vandq_u32(vtstq_u32(vreinterpretq_u32_u8(x1), absmask), weights));
        unsigned f = f0 | f1 << 4;
        bad |= nms__over2_nibbles(f);
        uint8x16_t v0 = vqtbl1q_u8(x0, vld1q_u8((const uint8_t *)(const void *)nm_shuffle32[f0]));
        uint8x16_t v1 = vqtbl1q_u8(x1, vld1q_u8((const uint8_t *)(const void *)nm_shuffle32[f1]));
        vst1q_u8(dst + 8 * g, vcombine_u8(vget_low_u8(v0), vget_low_u8(v1)));
        meta[g / 2] = nm_meta[f];
    }
    if (prune)
        *flag |= vmaxvq_u32(kmax) > NMS__F32_NAN_ABOVE;
    else
        *flag |= bad;
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

/* 8-bit elements, four groups per vector and step (int8 has no NaN). */
static inline size_t nm8_loop(const void *row, size_t groups, void *vals, uint8_t *meta,
                              uint32_t *flag, int prune)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    static const uint8_t weights_v[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                          1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t weights = vld1q_u8(weights_v);
    uint32_t bad = 0;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        uint8x16_t x = vld1q_u8(src + 4 * g);
        if (prune)
            x = vbicq_u8(x, drop_i8(vreinterpretq_u8_s8(vabsq_s8(vreinterpretq_s8_u8(x)))));
        uint8x16_t w = vandq_u8(vtstq_u8(x, x), weights);
        unsigned f0 = vaddv_u8(vget_low_u8(w)), f1 = vaddv_u8(vget_high_u8(w));
        bad |= nms__over2_nibbles(f0 | f1 << 8);
        uint64_t idx = (uint64_t)nm_idx8[f0] | (uint64_t)(nm_idx8[f1] + 0x08080808u) << 32;
        vst1_u8(dst + 2 * g, vqtbl1_u8(x, vcreate_u8(idx)));
        meta[g / 2] = nm_meta[f0];
        meta[g / 2 + 1] = nm_meta[f1];
    }
    if (!prune)
        *flag |= bad;
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
 * per step: value j = x[2j] when it is nonzero (flag a), else x[2j+1]
 * (vbsl against the pair-swapped vector, then the even lanes); code j =
 * a ? 0x4 : 0xE, i.e. 0xE ^ (a * 0xA) per nibble; a pair with two nonzeros
 * sets *over2. */
static size_t pairs32(const void *row, size_t pairs, void *vals, uint8_t *meta, uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    static const uint32_t weights_v[4] = {1, 2, 4, 8};
    const uint32x4_t weights = vld1q_u32(weights_v);
    const uint32x4_t absmask = vdupq_n_u32(0x7fffffffu);
    uint32x4_t both = vdupq_n_u32(0);
    size_t j = 0;
    for (; j + 8 <= pairs; j += 8) {
        uint32x4_t x[4], nz[4], v[4];
        for (int i = 0; i < 4; i++) {
            x[i] = vreinterpretq_u32_u8(vld1q_u8(src + 8 * j + 16 * i));
            nz[i] = vtstq_u32(x[i], absmask);
            both = vorrq_u32(both, vandq_u32(nz[i], vrev64q_u32(nz[i])));
            v[i] = vbslq_u32(nz[i], x[i], vrev64q_u32(x[i]));
        }
        vst1q_u8(dst + 4 * j, vreinterpretq_u8_u32(vuzp1q_u32(v[0], v[1])));
        vst1q_u8(dst + 4 * j + 16, vreinterpretq_u8_u32(vuzp1q_u32(v[2], v[3])));
        uint32_t a = vaddvq_u32(vandq_u32(vuzp1q_u32(nz[0], nz[1]), weights)) |
                     vaddvq_u32(vandq_u32(vuzp1q_u32(nz[2], nz[3]), weights)) << 4;
        uint32_t mw = nms__pairs_meta8(a);
        uint8_t mb[4] = {(uint8_t)mw, (uint8_t)(mw >> 8), (uint8_t)(mw >> 16), (uint8_t)(mw >> 24)};
        memcpy(meta + j / 2, mb, 4);
    }
    *over2 |= vmaxvq_u32(both) != 0;
    return j;
}

const nms__prune_kernels *nms__prune_kernels_neon(void)
{
    static const nms__prune_kernels kernels = {"neon", prune_f32, prune_h16, prune_i8,
                                               nm16, nm32, nm8, pairs32,
                                               prune12_f32, prune12_h16, prune12_i8,
                                               pnm16, pnm32, pnm8, NULL, NULL,
                                               NULL, NULL, NULL};
    return &kernels;
}
