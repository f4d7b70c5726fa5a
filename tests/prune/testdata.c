/* testdata.c - deterministic adversarial inputs for the 2:4 kernel tests. */
#include "testdata.h"

#include <string.h>

uint64_t prune_test_rand(uint64_t *state)
{
    /* splitmix64 */
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

size_t prune_test_elem_size(int dtype)
{
    static const size_t sz[PT_DTYPE_COUNT] = {4, 2, 2, 1};
    return sz[dtype];
}

uint32_t prune_test_mag_mask(int dtype)
{
    return dtype == PT_F32 ? 0x7fffffffu : dtype == PT_I8 ? 0xffu : 0x7fffu;
}

const char *prune_test_dtype_name(int dtype)
{
    static const char *const names[PT_DTYPE_COUNT] = {"f32", "f16", "bf16", "i8"};
    return names[dtype];
}

const char *prune_test_pattern_name(int pattern)
{
    static const char *const names[PT_PATTERN_COUNT] = {"random", "ties", "special", "equal-groups"};
    return names[pattern];
}

/* Adversarial magnitudes (sign bit clear) per dtype. */
static const uint32_t special_f32[] = {
    0x00000000, 0x00000001, 0x00000002, 0x007fffff, 0x00800000, 0x00800001,
    0x3f800000, 0x3f800001, 0x7f7fffff, 0x7f800000,
};
static const uint32_t special_f16[] = {
    0x0000, 0x0001, 0x0002, 0x03ff, 0x0400, 0x0401, 0x3c00, 0x3c01, 0x7bff, 0x7c00,
};
static const uint32_t special_bf16[] = {
    0x0000, 0x0001, 0x0002, 0x007f, 0x0080, 0x0081, 0x3f80, 0x3f81, 0x7f7f, 0x7f80,
};
static const int special_i8[] = {0, 1, -1, 2, -2, 126, 127, -127, -128, 64};

static void put(int dtype, void *buf, size_t i, uint32_t bits)
{
    unsigned char *p = buf;
    switch (dtype) {
    case PT_F32: memcpy(p + 4 * i, &bits, 4); break;
    case PT_F16:
    case PT_BF16: {
        uint16_t h = (uint16_t)bits;
        memcpy(p + 2 * i, &h, 2);
        break;
    }
    default: p[i] = (unsigned char)bits; break;
    }
}

static uint32_t sign_bit(int dtype)
{
    return dtype == PT_F32 ? 0x80000000u : 0x8000u;
}

static uint32_t no_nan(int dtype, uint32_t bits)
{
    switch (dtype) {
    case PT_F32: return (bits & 0x7fffffffu) > 0x7f800000u ? bits & 0xbfffffffu : bits;
    case PT_F16: bits &= 0xffff; return (bits & 0x7fff) > 0x7c00 ? bits & 0xbfff : bits;
    case PT_BF16: bits &= 0xffff; return (bits & 0x7fff) > 0x7f80 ? bits & 0xbfff : bits;
    default: return bits & 0xff;
    }
}

/* The k-th special value (any sign) of a dtype; 20 of them for floats. */
static uint32_t special(int dtype, unsigned k)
{
    switch (dtype) {
    case PT_F32: return special_f32[k % 10] | (k >= 10 ? sign_bit(dtype) : 0);
    case PT_F16: return special_f16[k % 10] | (k >= 10 ? sign_bit(dtype) : 0);
    case PT_BF16: return special_bf16[k % 10] | (k >= 10 ? sign_bit(dtype) : 0);
    default: return (uint32_t)(unsigned char)(signed char)special_i8[k % 10];
    }
}

void prune_test_fill(int dtype, int pattern, uint64_t seed, void *buf, size_t n)
{
    uint64_t st = seed * 0x2545f4914f6cdd1dULL + (uint64_t)dtype * 131 + (uint64_t)pattern;
    uint32_t mag = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = prune_test_rand(&st);
        uint32_t bits;
        switch (pattern) {
        case PT_RANDOM:
            bits = no_nan(dtype, (uint32_t)r);
            break;
        case PT_TIES: /* three magnitudes (including zero), random signs */
            bits = special(dtype, (unsigned)(r % 3) * 3); /* 0, 3rd, 6th special */
            if (dtype == PT_I8)
                bits = (uint32_t)(unsigned char)(signed char)((int)(r % 3) * ((r >> 8) & 1 ? -1 : 1));
            else if ((r >> 8) & 1)
                bits |= sign_bit(dtype);
            break;
        case PT_SPECIAL:
            bits = special(dtype, (unsigned)(r % 20));
            break;
        default: /* PT_EQUAL_GROUPS */
            if (i % 4 == 0)
                mag = (uint32_t)(r >> 32);
            if (dtype == PT_I8) {
                int m = (int)(mag % 129); /* 0..128 */
                int v = (r & 1) && m < 128 ? m : -m;
                bits = (uint32_t)(unsigned char)(signed char)v;
            } else {
                bits = no_nan(dtype, mag) & ~sign_bit(dtype);
                if ((mag >> 3) % 4 == 0)
                    bits = 0; /* all-zero groups, with -0.0 */
                if (r & 1)
                    bits |= sign_bit(dtype);
            }
            break;
        }
        put(dtype, buf, i, bits);
    }
}

size_t prune_test_fill_all_combinations(int dtype, void *buf, size_t max_groups)
{
    /* 8 values: +0, -0, smallest subnormal, a normal, its negative, the
     * largest finite, -inf (i8: 0, 1, -1, 127, -127, -128, 64, -64) */
    uint32_t alpha[8];
    if (dtype == PT_I8) {
        static const int v[8] = {0, 1, -1, 127, -127, -128, 64, -64};
        for (int k = 0; k < 8; k++)
            alpha[k] = (uint32_t)(unsigned char)(signed char)v[k];
    } else {
        uint32_t s = sign_bit(dtype);
        alpha[0] = special(dtype, 0);
        alpha[1] = special(dtype, 0) | s;
        alpha[2] = special(dtype, 1);
        alpha[3] = special(dtype, 6);
        alpha[4] = special(dtype, 6) | s;
        alpha[5] = special(dtype, 8);
        alpha[6] = special(dtype, 9) | s;
        alpha[7] = special(dtype, 4);
    }
    size_t n = 0;
    for (unsigned code = 0; code < 8 * 8 * 8 * 8 && n < max_groups; code++, n++)
        for (int i = 0; i < 4; i++)
            put(dtype, buf, 4 * n + (size_t)i, alpha[(code >> (3 * i)) & 7]);
    return n;
}

void prune_test_nan(int dtype, int which, void *elem)
{
    static const uint32_t nan_f32[3] = {0x7fc00000u, 0x7f800001u, 0xffffffffu};
    static const uint32_t nan_f16[3] = {0x7e00u, 0x7c01u, 0xfe00u};
    static const uint32_t nan_bf16[3] = {0x7fc0u, 0x7f81u, 0xffc0u};
    switch (dtype) {
    case PT_F32: put(dtype, elem, 0, nan_f32[which]); break;
    case PT_F16: put(dtype, elem, 0, nan_f16[which]); break;
    case PT_BF16: put(dtype, elem, 0, nan_bf16[which]); break;
    default: break;
    }
}
