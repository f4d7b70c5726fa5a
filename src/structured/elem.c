/* elem.c - single-element access by dtype, and 16-bit float conversions. */
#include <string.h>

#include "structured/elem.h"

float nms__half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400u));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t nms__float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
    if (exp == 0xff) /* inf / nan */
        return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) { /* subnormal half or zero */
        if (e < -10)
            return sign;
        man |= 0x800000u;
        int shift = 14 - e;
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u)))
        half++; /* may carry into the exponent, up to infinity: correct */
    return (uint16_t)(sign | half);
}

float nms__bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t nms__float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu))
        return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

int nms__elem_readable(nms_dtype dt)
{
    return dt != NMS_DTYPE_F8_E4M3 && dt != NMS_DTYPE_F8_E5M2 && (unsigned)dt < NMS_DTYPE_COUNT;
}

int nms__elem_writable(nms_dtype dt)
{
    return dt == NMS_DTYPE_F32 || dt == NMS_DTYPE_F64 || dt == NMS_DTYPE_F16 || dt == NMS_DTYPE_BF16;
}

#define LOAD(type)                                                        \
    do {                                                                  \
        type v_;                                                          \
        memcpy(&v_, (const unsigned char *)data + i * sizeof(type), sizeof(type)); \
        return (double)v_;                                                \
    } while (0)

double nms__elem_get(const void *data, nms_dtype dt, size_t i)
{
    switch (dt) {
    case NMS_DTYPE_F32: LOAD(float);
    case NMS_DTYPE_F64: LOAD(double);
    case NMS_DTYPE_I8: LOAD(int8_t);
    case NMS_DTYPE_U8: LOAD(uint8_t);
    case NMS_DTYPE_BOOL: LOAD(uint8_t);
    case NMS_DTYPE_I16: LOAD(int16_t);
    case NMS_DTYPE_U16: LOAD(uint16_t);
    case NMS_DTYPE_I32: LOAD(int32_t);
    case NMS_DTYPE_U32: LOAD(uint32_t);
    case NMS_DTYPE_I64: LOAD(int64_t);
    case NMS_DTYPE_U64: LOAD(uint64_t);
    case NMS_DTYPE_F16: {
        uint16_t h;
        memcpy(&h, (const unsigned char *)data + 2 * i, 2);
        return (double)nms__half_to_float(h);
    }
    case NMS_DTYPE_BF16: {
        uint16_t h;
        memcpy(&h, (const unsigned char *)data + 2 * i, 2);
        return (double)nms__bf16_to_float(h);
    }
    default:
        return 0.0;
    }
}

void nms__elem_set(void *data, nms_dtype dt, size_t i, double v)
{
    unsigned char *p = data;
    switch (dt) {
    case NMS_DTYPE_F32: {
        float f = (float)v;
        memcpy(p + 4 * i, &f, 4);
        break;
    }
    case NMS_DTYPE_F64:
        memcpy(p + 8 * i, &v, 8);
        break;
    case NMS_DTYPE_F16: {
        uint16_t h = nms__float_to_half((float)v);
        memcpy(p + 2 * i, &h, 2);
        break;
    }
    case NMS_DTYPE_BF16: {
        uint16_t h = nms__float_to_bf16((float)v);
        memcpy(p + 2 * i, &h, 2);
        break;
    }
    default:
        break;
    }
}
