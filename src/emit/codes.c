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
