/*
 * half.h - conversions between float32 and the 16- and 8-bit float formats.
 *
 * Formats (sign s, exponent e with bias b, m mantissa bits f):
 *   IEEE binary16 (F16)     1 + 5 + 10, b = 15:  (-1)^s 2^(e-15) (1 + f/2^10),
 *                           subnormal e = 0: 2^-14 f/2^10; e = 31: inf / NaN.
 *   bfloat16 (BF16)         1 + 8 + 7, b = 127: the top 16 bits of a float32.
 *   F8_E5M2                 1 + 5 + 2, b = 15: the top 8 bits of a binary16
 *                           (has inf and NaN, max finite 57344).
 *   F8_E4M3 (OCP "e4m3fn")  1 + 4 + 3, b = 7: no infinity; S.1111.111 is NaN;
 *                           max finite 448; subnormals 2^-6 f/8.
 *
 * Narrowing rounds to nearest, ties to even, and handles subnormals exactly.
 * Overflow gives infinity where the format has one (F16, BF16, E5M2).
 * NaN stays NaN (quiet; the sign and the high payload bits are kept where the
 * format has room).  E4M3 has no infinity: nms__f64_to_e4m3 reports overflow
 * and infinities through its return value.
 *
 * The one-element functions are static inline so that the pruning kernels can
 * use them in their inner loops.
 */
#ifndef NMS_UTIL_HALF_H
#define NMS_UTIL_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t nms__f32_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

static inline float nms__f32_from_bits(uint32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* binary16 -> float32 (exact). */
static inline float nms__f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) /* infinity or NaN (payload kept) */
        return nms__f32_from_bits(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
        if (mant == 0)
            return nms__f32_from_bits(sign);
        /* subnormal: mant * 2^-24; normalise into a float32 normal */
        uint32_t e = 113;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            e--;
        }
        return nms__f32_from_bits(sign | (e << 23) | ((mant & 0x3ffu) << 13));
    }
    return nms__f32_from_bits(sign | ((exp + 112u) << 23) | (mant << 13));
}

/* float32 -> binary16, round to nearest even. */
static inline uint16_t nms__f32_to_f16(float f)
{
    uint32_t x = nms__f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) /* NaN: quiet, keep the top payload bits */
        return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    if (a >= 0x477ff000u) /* >= 65520 (incl. infinity) rounds to infinity */
        return (uint16_t)(sign | 0x7c00u);
    if (a < 0x38800000u) { /* below 2^-14: binary16 subnormal or zero */
        if (a < 0x33000000u) /* <= 2^-25 (a tie with 0 goes to 0) */
            return (uint16_t)sign;
        uint32_t e = a >> 23; /* 102 .. 112 */
        uint32_t mant = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - e; /* value / 2^-24 = mant / 2^shift */
        uint32_t h = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1u)))
            h++; /* may carry into the smallest normal: still correct */
        return (uint16_t)(sign | h);
    }
    uint32_t h = (a - 0x38000000u) >> 13; /* rebias 127 -> 15 */
    uint32_t rem = a & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        h++; /* a carry into the exponent is the right answer */
    return (uint16_t)(sign | h);
}

/* bfloat16 -> float32 (exact). */
static inline float nms__bf16_to_f32(uint16_t b)
{
    return nms__f32_from_bits((uint32_t)b << 16);
}

/* float32 -> bfloat16, round to nearest even. */
static inline uint16_t nms__f32_to_bf16(float f)
{
    uint32_t x = nms__f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) /* NaN: quiet it */
        return (uint16_t)((x >> 16) | 0x0040u);
    x += 0x7fffu + ((x >> 16) & 1u); /* overflow carries into infinity */
    return (uint16_t)(x >> 16);
}

/* F8_E5M2 -> float32 (exact). */
static inline float nms__e5m2_to_f32(uint8_t b)
{
    return nms__f16_to_f32((uint16_t)((unsigned)b << 8));
}

/* F8_E4M3 (e4m3fn) -> float32 (exact). */
static inline float nms__e4m3_to_f32(uint8_t b)
{
    uint32_t sign = (uint32_t)(b & 0x80u) << 24;
    uint32_t exp = (b >> 3) & 0xfu;
    uint32_t mant = b & 0x7u;
    if (exp == 0xf && mant == 0x7)
        return nms__f32_from_bits(sign | 0x7fc00000u);
    if (exp == 0) {
        if (mant == 0)
            return nms__f32_from_bits(sign);
        uint32_t e = 121; /* mant * 2^-9 */
        while (!(mant & 0x8u)) {
            mant <<= 1;
            e--;
        }
        return nms__f32_from_bits(sign | (e << 23) | ((mant & 0x7u) << 20));
    }
    return nms__f32_from_bits(sign | ((exp + 120u) << 23) | (mant << 20));
}

/* Narrowing from double (no double rounding through float32).  Each returns
 * 0, or -1 when the value is out of the format's range (only for E4M3, which
 * has no infinity: |x| > 464 after rounding, or x infinite). */
int nms__f64_to_f16(double x, uint16_t *out);
int nms__f64_to_bf16(double x, uint16_t *out);
int nms__f64_to_e5m2(double x, uint8_t *out);
int nms__f64_to_e4m3(double x, uint8_t *out);
/* float32 -> F8 (exact float32 -> double, so no double rounding). */
static inline int nms__f32_to_e4m3(float f, uint8_t *out) { return nms__f64_to_e4m3((double)f, out); }
static inline int nms__f32_to_e5m2(float f, uint8_t *out) { return nms__f64_to_e5m2((double)f, out); }

/* An integer magnitude as a double rounded to odd (truncate, then set the
 * last bit when anything was lost).  A later round-to-nearest into any
 * format with at most 51 significand bits is then correctly rounded. */
double nms__u64_to_f64_round_odd(uint64_t u);

#endif /* NMS_UTIL_HALF_H */
