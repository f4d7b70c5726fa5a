/* codes.c - group codes, zero tests and the CUTLASS metadata reorder (see emit.h). */
#include <string.h>

#include "emit/emit.h"

int nms__group_code(unsigned flags)
{
    /* Indexed by flags (bit i = position i nonzero); -1 = more than two. */
    static const signed char code_of_flags[16] = {
        0xE, /* 0000 none          -> (2,3) */
        0x8, /* only 0             -> (0,2) */
        0x9, /* only 1             -> (1,2) */
        0x4, /* {0,1}                       */
        0xE, /* only 2             -> (2,3) */
        0x8, /* {0,2}                       */
        0x9, /* {1,2}                       */
        -1,  /* {0,1,2}                     */
        0xE, /* only 3             -> (2,3) */
        0xC, /* {0,3}                       */
        0xD, /* {1,3}                       */
        -1,  /* {0,1,3}                     */
        0xE, /* {2,3}                       */
        -1,  /* {0,2,3}                     */
        -1,  /* {1,2,3}                     */
        -1,  /* {0,1,2,3}                   */
    };
    return code_of_flags[flags & 15u];
}

int nms__code_valid(unsigned code)
{
    return code < 16 && (code & 3u) < (code >> 2);
}

uint64_t nms__nonzero_mask(nms_dtype dtype)
{
    switch (dtype) {
    case NMS_DTYPE_F64: return UINT64_C(0x7fffffffffffffff);
    case NMS_DTYPE_F32: return UINT64_C(0x7fffffff);
    case NMS_DTYPE_F16:
    case NMS_DTYPE_BF16: return UINT64_C(0x7fff);
    case NMS_DTYPE_F8_E4M3:
    case NMS_DTYPE_F8_E5M2: return UINT64_C(0x7f);
    default: break;
    }
    size_t size = nms_dtype_size(dtype);
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

uint64_t nms__load_bits(const unsigned char *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

size_t nms__cutlass_meta_offset(size_t r, size_t c, size_t m, int word_bits)
{
    size_t group = word_bits == 16 ? 32 : 16;
    size_t width = word_bits == 16 ? 4 : 2;
    size_t dr = (r / group) * group + (r % 8) * width + (r % group) / 8;
    size_t dc = c;
    if (dr % 2 == 0 && dc % 2 == 1) {
        dr += 1;
        dc -= 1;
    } else if (dr % 2 == 1 && dc % 2 == 0) {
        dr -= 1;
        dc += 1;
    }
    return (dc / 2) * (2 * m) + dr * 2 + dc % 2;
}

/* Row kernels, one instance per element size (fixed-size memcpy compiles to
 * plain loads and stores).  ZERO_MASK selects the magnitude bits. */
#define DEFINE_ROW_KERNELS(T, SUFFIX)                                                      \
    static size_t encode24_##SUFFIX(const unsigned char *row, size_t groups, T mask,      \
                                    unsigned char *vals, uint8_t *codes)                  \
    {                                                                                      \
        for (size_t g = 0; g < groups; g++) {                                              \
            const unsigned char *grp = row + 4 * g * sizeof(T);                            \
            T x0, x1, x2, x3; /* scalars: no indexed stack array */                        \
            memcpy(&x0, grp, sizeof(T));                                                   \
            memcpy(&x1, grp + sizeof(T), sizeof(T));                                       \
            memcpy(&x2, grp + 2 * sizeof(T), sizeof(T));                                   \
            memcpy(&x3, grp + 3 * sizeof(T), sizeof(T));                                   \
            unsigned flags = (unsigned)((x0 & mask) != 0) |                                \
                             (unsigned)((x1 & mask) != 0) << 1 |                           \
                             (unsigned)((x2 & mask) != 0) << 2 |                           \
                             (unsigned)((x3 & mask) != 0) << 3;                            \
            int code = nms__group_code(flags);                                             \
            if (code < 0)                                                                  \
                return g;                                                                  \
            memcpy(vals + 2 * g * sizeof(T), grp + ((unsigned)code & 3u) * sizeof(T),     \
                   sizeof(T));                                                             \
            memcpy(vals + (2 * g + 1) * sizeof(T), grp + ((unsigned)code >> 2) * sizeof(T),\
                   sizeof(T));                                                             \
            codes[g] = (uint8_t)code;                                                      \
        }                                                                                  \
        return SIZE_MAX;                                                                   \
    }                                                                                      \
    static size_t encode12_##SUFFIX(const unsigned char *row, size_t pairs, T mask,       \
                                    unsigned char *vals, uint8_t *codes)                  \
    {                                                                                      \
        for (size_t j = 0; j < pairs; j++) {                                               \
            T x[2];                                                                        \
            memcpy(x, row + 2 * j * sizeof(T), sizeof x);                                  \
            int a = (x[0] & mask) != 0, b = (x[1] & mask) != 0;                            \
            if (a && b)                                                                    \
                return j;                                                                  \
            memcpy(vals + j * sizeof(T), &x[a ? 0 : 1], sizeof(T));                        \
            codes[j] = a ? 0x4 : 0xE;                                                      \
        }                                                                                  \
        return SIZE_MAX;                                                                   \
    }                                                                                      \
    static void decode24_##SUFFIX(const unsigned char *vals, const uint8_t *codes,        \
                                  size_t groups, unsigned char *row)                       \
    {                                                                                      \
        for (size_t g = 0; g < groups; g++) {                                              \
            unsigned char *grp = row + 4 * g * sizeof(T);                                  \
            memcpy(grp + (codes[g] & 3u) * sizeof(T), vals + 2 * g * sizeof(T), sizeof(T));\
            memcpy(grp + (codes[g] >> 2) * sizeof(T), vals + (2 * g + 1) * sizeof(T),      \
                   sizeof(T));                                                             \
        }                                                                                  \
    }                                                                                      \
    static void decode12_##SUFFIX(const unsigned char *vals, const uint8_t *codes,        \
                                  size_t pairs, unsigned char *row)                        \
    {                                                                                      \
        for (size_t j = 0; j < pairs; j++)                                                 \
            memcpy(row + (2 * j + ((codes[j] & 3u) >> 1)) * sizeof(T), vals + j * sizeof(T),\
                   sizeof(T));                                                             \
    }

DEFINE_ROW_KERNELS(uint8_t, 1)
DEFINE_ROW_KERNELS(uint16_t, 2)
DEFINE_ROW_KERNELS(uint32_t, 4)
DEFINE_ROW_KERNELS(uint64_t, 8)

size_t nms__encode_row(int pairs, size_t es, uint64_t mask, const unsigned char *row,
                       size_t units, unsigned char *vals, uint8_t *codes)
{
    switch (es) {
    case 1: return (pairs ? encode12_1 : encode24_1)(row, units, (uint8_t)mask, vals, codes);
    case 2: return (pairs ? encode12_2 : encode24_2)(row, units, (uint16_t)mask, vals, codes);
    case 4: return (pairs ? encode12_4 : encode24_4)(row, units, (uint32_t)mask, vals, codes);
    default: return (pairs ? encode12_8 : encode24_8)(row, units, mask, vals, codes);
    }
}

void nms__decode_row(int pairs, size_t es, const unsigned char *vals, const uint8_t *codes,
                     size_t units, unsigned char *row)
{
    switch (es) {
    case 1: (pairs ? decode12_1 : decode24_1)(vals, codes, units, row); break;
    case 2: (pairs ? decode12_2 : decode24_2)(vals, codes, units, row); break;
    case 4: (pairs ? decode12_4 : decode24_4)(vals, codes, units, row); break;
    default: (pairs ? decode12_8 : decode24_8)(vals, codes, units, row); break;
    }
}
