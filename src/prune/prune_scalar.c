/* prune_scalar.c - the scalar reference 2:4 and 1:2 kernels (rules in
 * prune_kernels.h). */
#include <string.h>

#include "prune/prune_kernels.h"

/* The keep nibble of one group.  j beats i when k_j > k_i, or k_j == k_i
 * and j < i; rank_i counts the elements beating i; keep iff rank_i < 2.
 * Written out so the compiler makes it branch-free. */
static inline unsigned keep_nibble(uint32_t k0, uint32_t k1, uint32_t k2, uint32_t k3)
{
    unsigned r0 = (unsigned)(k1 > k0) + (k2 > k0) + (k3 > k0);
    unsigned r1 = (unsigned)(k0 >= k1) + (k2 > k1) + (k3 > k1);
    unsigned r2 = (unsigned)(k0 >= k2) + (k1 >= k2) + (k3 > k2);
    unsigned r3 = (unsigned)(k0 >= k3) + (k1 >= k3) + (k2 >= k3);
    return (unsigned)(r0 < 2) | (unsigned)(r1 < 2) << 1 | (unsigned)(r2 < 2) << 2 |
           (unsigned)(r3 < 2) << 3;
}

/* 1:2: the keep nibble of two pairs (k0, k1), (k2, k3): the larger of each
 * pair, ties to the lower index. */
static inline unsigned keep_nibble_12(uint32_t k0, uint32_t k1, uint32_t k2, uint32_t k3)
{
    return (unsigned)(k0 >= k1) | (unsigned)(k1 > k0) << 1 | (unsigned)(k2 >= k3) << 2 |
           (unsigned)(k3 > k2) << 3;
}

/* Store the nibble of group g (counted from the start of `bits`). */
static void put_nibble(uint8_t *bits, size_t g, unsigned nib)
{
    if (g % 2 == 0)
        bits[g / 2] = (uint8_t)nib;
    else
        bits[g / 2] = (uint8_t)(bits[g / 2] | (nib << 4));
}

typedef unsigned (*keep_fn)(uint32_t, uint32_t, uint32_t, uint32_t);

static inline int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits,
                            keep_fn keep)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    int nan = 0;
    for (size_t g = 0; g < ngroups; g++) {
        uint32_t v[4], k[4];
        memcpy(v, src + 16 * g, sizeof v);
        for (int i = 0; i < 4; i++) {
            k[i] = v[i] & 0x7fffffffu;
            nan |= k[i] > NMS__F32_NAN_ABOVE;
        }
        unsigned nib = keep(k[0], k[1], k[2], k[3]);
        if (dst) {
            for (int i = 0; i < 4; i++) /* branch-free: random masks mispredict */
                v[i] &= (uint32_t)0 - (nib >> i & 1);
            memcpy(dst + 16 * g, v, sizeof v);
        }
        if (bits)
            put_nibble(bits, g, nib);
    }
    return nan;
}

static inline int prune_h16(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                            uint8_t *bits, keep_fn keep)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    int nan = 0;
    for (size_t g = 0; g < ngroups; g++) {
        uint16_t v[4];
        uint32_t k[4];
        memcpy(v, src + 8 * g, sizeof v);
        for (int i = 0; i < 4; i++) {
            k[i] = v[i] & 0x7fffu;
            nan |= k[i] > nan_above;
        }
        unsigned nib = keep(k[0], k[1], k[2], k[3]);
        if (dst) {
            for (int i = 0; i < 4; i++)
                v[i] &= (uint16_t)(0u - (nib >> i & 1));
            memcpy(dst + 8 * g, v, sizeof v);
        }
        if (bits)
            put_nibble(bits, g, nib);
    }
    return nan;
}

static inline int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits,
                           keep_fn keep)
{
    const signed char *src = in;
    signed char *dst = out;
    for (size_t g = 0; g < ngroups; g++) {
        signed char v[4];
        uint32_t k[4];
        memcpy(v, src + 4 * g, sizeof v);
        for (int i = 0; i < 4; i++)
            k[i] = (uint32_t)(v[i] < 0 ? -(int)v[i] : (int)v[i]); /* |-128| = 128 */
        unsigned nib = keep(k[0], k[1], k[2], k[3]);
        if (dst) {
            for (int i = 0; i < 4; i++)
                v[i] = (signed char)(v[i] & (signed char)(0u - (nib >> i & 1)));
            memcpy(dst + 4 * g, v, sizeof v);
        }
        if (bits)
            put_nibble(bits, g, nib);
    }
    return 0;
}

/* The 2:4 reference and the 1:2 one (constant keep functions: inlined). */
int nms__prune_f32_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32(in, ngroups, out, bits, keep_nibble);
}

int nms__prune_h16_scalar(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                          uint8_t *bits)
{
    return prune_h16(in, ngroups, nan_above, out, bits, keep_nibble);
}

int nms__prune_i8_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_i8(in, ngroups, out, bits, keep_nibble);
}

int nms__prune12_f32_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_f32(in, ngroups, out, bits, keep_nibble_12);
}

int nms__prune12_h16_scalar(const void *in, size_t ngroups, uint16_t nan_above, void *out,
                            uint8_t *bits)
{
    return prune_h16(in, ngroups, nan_above, out, bits, keep_nibble_12);
}

int nms__prune12_i8_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    return prune_i8(in, ngroups, out, bits, keep_nibble_12);
}

const nms__prune_kernels *nms__prune_kernels_scalar(void)
{
    static const nms__prune_kernels kernels = {
        "scalar", nms__prune_f32_scalar, nms__prune_h16_scalar, nms__prune_i8_scalar,
        NULL, NULL, NULL, NULL,
        nms__prune12_f32_scalar, nms__prune12_h16_scalar, nms__prune12_i8_scalar,
        NULL, NULL, NULL,
        NULL, NULL,
        NULL, NULL, NULL,
    };
    return &kernels;
}
