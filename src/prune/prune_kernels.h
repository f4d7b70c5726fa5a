/*
 * prune_kernels.h - the 2:4 pruning kernels (internal): one scalar reference
 * and one implementation per instruction set, all computing the same bytes.
 *
 * The rule.  A run of `ngroups` groups of 4 consecutive elements x[4g+i]
 * (i = 0..3) is pruned group by group.  Each element gets a magnitude key
 *
 *     fp32        key = bits & 0x7fffffff        (NaN iff key > 0x7f800000)
 *     fp16        key = bits & 0x7fff            (NaN iff key > 0x7c00)
 *     bf16        key = bits & 0x7fff            (NaN iff key > 0x7f80)
 *     int8        key = |x| in 0..128            (|-128| = 128, no overflow)
 *
 * For IEEE formats (sign-magnitude, biased exponent) comparing these integer
 * keys is the same as comparing |x| as real numbers, including subnormals and
 * infinities, and -0.0 gets the key 0 of +0.0.  In a group, element j beats
 * element i when  key_j > key_i, or key_j == key_i and j < i  (ties go to the
 * lower index).  rank_i = number of elements beating i; element i is kept iff
 * rank_i < 2.  Exactly two elements of every group are kept; a group of four
 * equal magnitudes (all zeros, say) keeps positions 0 and 1.
 *
 * Outputs (each may be NULL):
 *   out[4g+i]  = x[4g+i] bit for bit when kept, all-zero bytes (+0) when
 *                dropped.  out has 4*ngroups elements; it may be the same
 *                pointer as in (in-place), but must not overlap it otherwise.
 *   bits       = keep bitmap, LSB first: bit e of the run (byte e/8, bit e%8)
 *                is 1 iff element e is kept.  Group g is the nibble
 *                (bits[g/2] >> 4*(g%2)) & 0xF.  ceil(ngroups/2) bytes are
 *                written; an unused high nibble is written as 0.
 *
 * Floating-point kernels return 1 when a NaN was met (then both outputs are
 * unspecified and the caller locates the NaN itself), else 0.  Pointers need
 * no particular alignment.  Kernels do not allocate and hold no state.
 */
#ifndef NMS_PRUNE_KERNELS_H
#define NMS_PRUNE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define NMS__F32_NAN_ABOVE 0x7f800000u
#define NMS__F16_NAN_ABOVE 0x7c00u
#define NMS__BF16_NAN_ABOVE 0x7f80u

/* 32-bit IEEE elements (fp32). */
typedef int (*nms__prune_f32_fn)(const void *in, size_t ngroups, void *out,
                                 uint8_t *bits);
/* 16-bit IEEE elements: fp16 (nan_above = 0x7c00) or bf16 (0x7f80). */
typedef int (*nms__prune_h16_fn)(const void *in, size_t ngroups,
                                 uint16_t nan_above, void *out, uint8_t *bits);
/* int8 elements (cannot hold NaN; always returns 0). */
typedef int (*nms__prune_i8_fn)(const void *in, size_t ngroups, void *out,
                                uint8_t *bits);

typedef struct nms__prune_kernels {
    const char *name;
    nms__prune_f32_fn f32;
    nms__prune_h16_fn h16;
    nms__prune_i8_fn i8;
} nms__prune_kernels;

/* The scalar reference (always built).  The SIMD kernels call these for
 * their tails, always at an even group offset so `bits` stays byte aligned. */
int nms__prune_f32_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);
int nms__prune_h16_scalar(const void *in, size_t ngroups, uint16_t nan_above,
                          void *out, uint8_t *bits);
int nms__prune_i8_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);

/* The kernel tables (functions, not exported variables, so that sanitizer
 * builds add no non-nms_ symbols).  Defined only when built: config.h
 * HAVE_SSE41 / HAVE_AVX2 / HAVE_AVX512 / HAVE_NEON, or the NEON cross test. */
const nms__prune_kernels *nms__prune_kernels_scalar(void);
const nms__prune_kernels *nms__prune_kernels_sse41(void);
const nms__prune_kernels *nms__prune_kernels_avx2(void);
const nms__prune_kernels *nms__prune_kernels_avx512(void);
const nms__prune_kernels *nms__prune_kernels_neon(void);

/* nm packing of a pruned 16-bit row (see prune_nm.c for the bytes): encodes
 * the first groups (a multiple of 4) and returns how many; AVX2 only (also
 * used by the AVX-512 variant). */
size_t nms__prune_nm16_avx2(const void *row, size_t groups, void *vals, uint8_t *meta);
/* The same for 32-bit rows (a multiple of 2 groups). */
size_t nms__prune_nm32_avx2(const void *row, size_t groups, void *vals, uint8_t *meta);
/* The same for 8-bit rows (a multiple of 8 groups). */
size_t nms__prune_nm8_avx2(const void *row, size_t groups, void *vals, uint8_t *meta);

#endif /* NMS_PRUNE_KERNELS_H */
