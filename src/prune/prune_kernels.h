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
 * The 1:2 kernels (pattern 1:2, e.g. for the fp32 / TF32 CUTLASS layout)
 * run on the same groups of 4 seen as two pairs (4g, 4g+1), (4g+2, 4g+3)
 * and keep one element per pair: the larger key, ties to the lower index
 * (so position 2j is kept iff key_2j >= key_2j+1).  Same outputs and NaN
 * report as above, with two kept elements per group.
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

/* Nonzero iff some nibble of m (bit i of a nibble = position i of a group
 * is nonzero) has three or four bits set: a group with more than two
 * nonzeros, which the nm / CUTLASS encoders cannot represent. */
static inline uint32_t nms__over2_nibbles(uint32_t m)
{
    uint32_t a = m & 0x11111111u, b = (m >> 1) & 0x11111111u;
    uint32_t c = (m >> 2) & 0x11111111u, d = (m >> 3) & 0x11111111u;
    return (a & b & (c | d)) | (c & d & (a | b));
}

/* CUTLASS 1:2 metadata of eight pairs: bit k of a says that element 2k of
 * pair k is the nonzero one (code 0x4), else element 2k+1 is (code 0xE);
 * nibble k of the result is pair k's code, i.e. 0xE ^ (a_k * 0xA). */
static inline uint32_t nms__pairs_meta8(uint32_t a)
{
    a = (a | a << 12) & 0x000F000Fu; /* spread bit k of a to bit 4k */
    a = (a | a << 6) & 0x03030303u;
    a = (a | a << 3) & 0x11111111u;
    return 0xEEEEEEEEu ^ (a * 0xAu);
}

/* nm encoders of a row with at most two nonzeros per group (see prune_nm.c
 * for the bytes): encode the first groups (a multiple of the encoder's
 * step: 4, 8 or 16) and return how many.  *over2 is
 * or-ed with a nonzero value when one of those groups has more than two
 * nonzeros (its values and code are then unspecified).  AVX2 (also used by
 * the AVX-512 variant) and SSE4.1 (SSSE3 shuffles). */
typedef size_t (*nms__nm_encode_fn)(const void *row, size_t groups, void *vals, uint8_t *meta,
                                    uint32_t *over2);
/* Fused 2:4 prune + nm encode of the first groups of a row (a multiple of
 * the kernel's step, 2 to 16 groups, so always even; returns how many): the
 * bytes the prune kernel followed by the nm encoder give, without the
 * pruned row in memory.  *nan is or-ed with a
 * nonzero value when a key exceeds nan_above (the F16 / BF16 threshold;
 * ignored for 32- and 8-bit elements); the outputs are then unspecified. */
typedef size_t (*nms__prune_nm_fn)(const void *row, size_t groups, uint32_t nan_above,
                                   void *vals, uint8_t *meta, uint32_t *nan);

/* CUTLASS metadata reorder of one complete block of nm meta rows (see
 * prune_nm.c, cutlass_flush): rows_meta holds the block's G rows of mb
 * bytes (G = 32 for 16-bit words, 16 for 32-bit words), nc words per row,
 * m rows in the matrix, r0 the block's first row; meta is the reordered
 * word array.  Returns 0 when it did not run (then the caller's portable
 * reorder does). */
typedef int (*nms__cutlass_flush_fn)(const uint8_t *rows_meta, size_t mb, size_t nc, size_t m,
                                     size_t r0, unsigned char *meta);

/* CUTLASS int16 words through a step-major block (see prune_nm.c,
 * "step-major block"): the same values and nm meta bytes as the nm
 * functions above, but the 8 meta bytes of step s (groups 16s .. 16s+15:
 * logical words 4s .. 4s+3) are stored at meta + s * step instead of
 * meta + 8s.  They encode the first groups of the row, a multiple of 16,
 * and return how many. */
typedef size_t (*nms__nm_encode_steps_fn)(const void *row, size_t groups, void *vals,
                                          uint8_t *meta, size_t step, uint32_t *over2);
/* (The fused kernel may read part of the row twice after writing its
 * values: row and vals must not overlap.) */
typedef size_t (*nms__prune_nm_steps_fn)(const void *row, size_t groups, uint32_t nan_above,
                                         void *vals, uint8_t *meta, size_t step, uint32_t *nan);
/* A complete step-major block (32 rows, first row r0, of an m-row matrix)
 * to the reordered int16 words: `block` holds four quarters of nsteps * 64
 * bytes, the 8 meta bytes of step s of the block's row i at
 * nms__cutlass_step_place(i, nsteps) + 64 * s.  The slots let the flush build each chunk
 * with in-lane unpacks (see flush16_steps in prune_avx512.c): row i =
 * 8a + 4h + l (a = 0..3, h = 0..1, l = 0..3) sits in slot 8a + 2l + h. */
typedef void (*nms__cutlass_steps_flush_fn)(const uint8_t *block, size_t nsteps, size_t m,
                                            size_t r0, unsigned char *meta);
static inline size_t nms__cutlass_step_slot(size_t i)
{
    return 8 * (i / 8) + 2 * (i % 4) + (i % 8) / 4;
}
/* Where step 0 of row i (0..31) of a step-major block of nsteps steps goes:
 * the block is four quarters of nsteps * 64 bytes (rows 8a .. 8a+7 in
 * quarter a), step s of the quarter at s * 64, its row i at 8 * (slot % 8)
 * (slot = nms__cutlass_step_slot(i)); so consecutive steps of a row are 64
 * bytes apart. */
static inline size_t nms__cutlass_step_place(size_t i, size_t nsteps)
{
    size_t slot = nms__cutlass_step_slot(i);
    return slot / 8 * 64 * nsteps + 8 * (slot % 8);
}

typedef struct nms__prune_kernels {
    const char *name;
    nms__prune_f32_fn f32;
    nms__prune_h16_fn h16;
    nms__prune_i8_fn i8;
    /* nm encoders of 16-, 32- and 8-bit elements; NULL: the portable C one */
    nms__nm_encode_fn nm16, nm32, nm8;
    /* encoder of 1:2 pairs of 32-bit elements (CUTLASS fp32; see prune_nm.c);
     * its count is of pairs, not groups (a multiple of 8 is encoded) */
    nms__nm_encode_fn pairs32;
    /* 1:2 kernels (never NULL: a variant without its own uses the scalar ones) */
    nms__prune_f32_fn f32_12;
    nms__prune_h16_fn h16_12;
    nms__prune_i8_fn i8_12;
    /* fused 2:4 prune + nm encoders (16-, 32-, 8-bit); NULL: prune, then encode */
    nms__prune_nm_fn pnm16, pnm32, pnm8;
    /* CUTLASS reorder of 16- / 32-bit metadata words; NULL: the portable one */
    nms__cutlass_flush_fn flush16, flush32;
    /* CUTLASS int16 words through a step-major block (see above); all
     * three or none (NULL): enc16_steps encodes pruned (or verified) rows,
     * pnm16_steps is the fused 2:4 prune + encode */
    nms__nm_encode_steps_fn enc16_steps;
    nms__prune_nm_steps_fn pnm16_steps;
    nms__cutlass_steps_flush_fn flush16_steps;
} nms__prune_kernels;

/* The scalar reference (always built).  The SIMD kernels call these for
 * their tails, always at an even group offset so `bits` stays byte aligned. */
int nms__prune_f32_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);
int nms__prune_h16_scalar(const void *in, size_t ngroups, uint16_t nan_above,
                          void *out, uint8_t *bits);
int nms__prune_i8_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);
int nms__prune12_f32_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);
int nms__prune12_h16_scalar(const void *in, size_t ngroups, uint16_t nan_above,
                            void *out, uint8_t *bits);
int nms__prune12_i8_scalar(const void *in, size_t ngroups, void *out, uint8_t *bits);
/* The AVX2 1:2 kernels (also used by the AVX-512 variant). */
int nms__prune12_f32_avx2(const void *in, size_t ngroups, void *out, uint8_t *bits);
int nms__prune12_h16_avx2(const void *in, size_t ngroups, uint16_t nan_above,
                          void *out, uint8_t *bits);
int nms__prune12_i8_avx2(const void *in, size_t ngroups, void *out, uint8_t *bits);

/* The kernel tables (functions, not exported variables, so that sanitizer
 * builds add no non-nms_ symbols).  Defined only when built: config.h
 * HAVE_SSE41 / HAVE_AVX2 / HAVE_AVX512 / HAVE_NEON, or the NEON cross test. */
const nms__prune_kernels *nms__prune_kernels_scalar(void);
const nms__prune_kernels *nms__prune_kernels_sse41(void);
const nms__prune_kernels *nms__prune_kernels_avx2(void);
const nms__prune_kernels *nms__prune_kernels_avx512(void);
/* The AVX-512 table with the fused kernels that need VBMI2 + BMI1/2 (the
 * CPU must have NMS__CPU_AVX512VBMI2); NULL when the compiler cannot build
 * them.  nms__prune_kernels_get(NMS_PRUNE_AVX512) returns it when it can. */
const nms__prune_kernels *nms__prune_kernels_avx512_vbmi2(void);
const nms__prune_kernels *nms__prune_kernels_neon(void);

size_t nms__prune_nm16_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                            uint32_t *over2);
size_t nms__prune_nm32_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                            uint32_t *over2);
size_t nms__prune_nm8_avx2(const void *row, size_t groups, void *vals, uint8_t *meta,
                           uint32_t *over2);
size_t nms__prune_pairs32_avx2(const void *row, size_t pairs, void *vals, uint8_t *meta,
                               uint32_t *over2);
size_t nms__prune_pnm16_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                             uint8_t *meta, uint32_t *nan);
size_t nms__prune_pnm32_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                             uint8_t *meta, uint32_t *nan);
size_t nms__prune_pnm8_avx2(const void *row, size_t groups, uint32_t nan_above, void *vals,
                            uint8_t *meta, uint32_t *nan);

#endif /* NMS_PRUNE_KERNELS_H */
