/*
 * prune_nm.c - prune and pack to the generic values + metadata layout in one
 * pass (formats-24.md sec. 4), without materialising the pruned matrix.
 *
 * For each row (gathered through the permutation when there is one) the
 * kernel writes the pruned row into an L1-resident scratch row; then every
 * group g of the pruned row gives
 *     flags  = bit i set iff element i is nonzero (magnitude bits: -0.0 is
 *              zero; int8: any bit),
 *     code   = CODE_OF_FLAGS[flags] (exactly two flags: their positions;
 *              fewer: the PyTorch table 0000/0001/0010 -> (2,3),
 *              0100 -> (1,2), 1000 -> (0,2), read position 0 first),
 *     values[r][2g], values[r][2g+1] = pruned[4g + (code & 3)], pruned[4g + (code >> 2)],
 *     meta[r][g / 2] |= code << 4 * (g % 2).
 * These are the bytes nms_pack(NMS_FORMAT_NM) writes for the pruned matrix
 * (tests/check_prune.c compares them).  Arrays: values rows x cols/2
 * elements, meta rows x ceil(cols/8) bytes.
 *
 * nms_prune_24_cutlass writes the same values (the CUTLASS values array is
 * the nm one); its logical metadata word M[r][c] is the nm meta row read
 * little-endian as 16-bit (F16 / BF16: 4 codes) or 32-bit (I8: 8 codes)
 * words, so each row's nm meta goes to a scratch row and its words are
 * stored at their reordered offsets (formats-24.md sec. 3, see
 * cutlass_in_chunk): the nm meta of a reorder block of 32 (int16) / 16
 * (int32) rows goes to a scratch, which is written out reordered when the
 * block is complete.  Arrays: values rows x cols/2 elements, meta rows x nc
 * words (nc = cols/16 int16 or cols/32 int32).
 */
#include <string.h>

#include "config.h"
#include "prune/prune.h"
#include "util/util.h"

/* code = i0 | i1 << 2, indexed by the nonzero flags of a pruned group
 * (at most two flags set; the other entries are never used). */
static const uint8_t code_of_flags[16] = {
    0xE, 0x8, 0x9, 0x4, 0xE, 0x8, 0x9, 0xE, 0xE, 0xC, 0xD, 0xE, 0xE, 0xE, 0xE, 0xE,
};

/* 16-bit elements: a group is one little-endian uint64. */
static inline unsigned code16(uint64_t v)
{
    /* lane high bit set iff the lane's magnitude bits are nonzero
     * (0x7fff + 0x7fff does not carry out of a lane) */
    uint64_t t = v & UINT64_C(0x7fff7fff7fff7fff);
    uint64_t m = ((t + UINT64_C(0x7fff7fff7fff7fff)) & UINT64_C(0x8000800080008000)) >> 15;
    /* gather bits 0, 16, 32, 48 into bits 48..51 (no cross-term carries) */
    return code_of_flags[(unsigned)((m * UINT64_C(0x0001000200040008)) >> 48) & 15u];
}

static inline uint32_t pick16(uint64_t v, unsigned code)
{
    return (uint32_t)(uint16_t)(v >> (16 * (code & 3u))) |
           (uint32_t)(uint16_t)(v >> (16 * (code >> 2))) << 16;
}

static void encode_16(const unsigned char *row, size_t groups, unsigned char *vals,
                      uint8_t *meta, int use_avx2)
{
    size_t g = 0;
#ifdef HAVE_AVX2
    if (use_avx2)
        g = nms__prune_nm16_avx2(row, groups, vals, meta);
#else
    (void)use_avx2;
#endif
    for (; g + 2 <= groups; g += 2) {
        uint64_t v[2];
        memcpy(v, row + 8 * g, 16);
        unsigned c0 = code16(v[0]), c1 = code16(v[1]);
        uint64_t out = (uint64_t)pick16(v[0], c0) | (uint64_t)pick16(v[1], c1) << 32;
        memcpy(vals + 4 * g, &out, 8);
        meta[g / 2] = (uint8_t)(c0 | c1 << 4);
    }
    if (g < groups) {
        uint64_t v;
        memcpy(&v, row + 8 * g, 8);
        unsigned c = code16(v);
        uint32_t out = pick16(v, c);
        memcpy(vals + 4 * g, &out, 4);
        meta[g / 2] = (uint8_t)c;
    }
}

static void encode_32(const unsigned char *row, size_t groups, unsigned char *vals,
                      uint8_t *meta, int use_avx2)
{
    size_t g = 0;
#ifdef HAVE_AVX2
    if (use_avx2)
        g = nms__prune_nm32_avx2(row, groups, vals, meta);
#else
    (void)use_avx2;
#endif
    for (; g < groups; g++) {
        uint32_t x[4];
        memcpy(x, row + 16 * g, 16);
        unsigned flags = (unsigned)((x[0] & 0x7fffffffu) != 0) |
                         (unsigned)((x[1] & 0x7fffffffu) != 0) << 1 |
                         (unsigned)((x[2] & 0x7fffffffu) != 0) << 2 |
                         (unsigned)((x[3] & 0x7fffffffu) != 0) << 3;
        unsigned code = code_of_flags[flags];
        uint32_t out[2] = {x[code & 3u], x[code >> 2]};
        memcpy(vals + 8 * g, out, 8);
        if (g % 2 == 0)
            meta[g / 2] = (uint8_t)code;
        else
            meta[g / 2] = (uint8_t)(meta[g / 2] | code << 4);
    }
}

static void encode_8(const unsigned char *row, size_t groups, unsigned char *vals,
                     uint8_t *meta, int use_avx2)
{
    size_t g = 0;
#ifdef HAVE_AVX2
    if (use_avx2)
        g = nms__prune_nm8_avx2(row, groups, vals, meta);
#else
    (void)use_avx2;
#endif
    for (; g < groups; g++) {
        const unsigned char *x = row + 4 * g;
        unsigned flags = (unsigned)(x[0] != 0) | (unsigned)(x[1] != 0) << 1 |
                         (unsigned)(x[2] != 0) << 2 | (unsigned)(x[3] != 0) << 3;
        unsigned code = code_of_flags[flags];
        vals[2 * g] = x[code & 3u];
        vals[2 * g + 1] = x[code >> 2];
        if (g % 2 == 0)
            meta[g / 2] = (uint8_t)code;
        else
            meta[g / 2] = (uint8_t)(meta[g / 2] | code << 4);
    }
}

/* Logical CUTLASS metadata word c of row r of an m-row matrix goes to word
 *     (c / 2) * 2m + 2 * (r / G) * G + 2 * d - (d & 1) + 2 * (c & 1)
 * with d = (r % 8) * W + (r % G) / 8 (G, W = 32, 4 for int16 words, 16, 2
 * for int32 words): the specification's reorder (formats-24.md sec. 3) with
 * its parity swap folded in (dr = (r / G) * G + d has the parity of d).  So
 * the G rows of a block own, for each column pair j = c / 2, one contiguous
 * chunk of 2G words (128 bytes for both word sizes) at word j * 2m +
 * 2 * (r / G) * G, chunks 4m bytes apart.
 * The rows of a block are encoded row-major into a scratch (nm meta bytes,
 * sequential stores); when the block is complete each chunk is gathered
 * from it and written whole.  (Storing single words to their places costs
 * a cache miss per word: lines 4m bytes apart alias in the caches; placing
 * them into a destination-ordered scratch costs a store miss per word.) */
static size_t cutlass_in_chunk(size_t r, int word_bits)
{
    size_t g = word_bits == 16 ? 32 : 16, w = word_bits == 16 ? 4 : 2;
    size_t d = (r % 8) * w + (r % g) / 8;
    return 2 * d - (d & 1);
}

/* Write a complete block (first row r0; rows holds its G rows of mb meta
 * bytes each) to the reordered meta. */
static void cutlass_flush(const uint8_t *rows_meta, size_t mb, size_t nc, size_t m, size_t r0,
                          int word_bits, unsigned char *meta)
{
    size_t g = word_bits == 16 ? 32 : 16;
    size_t pos[32];
    for (size_t i = 0; i < g; i++)
        pos[i] = cutlass_in_chunk(i, word_bits);
    for (size_t j = 0; j < nc / 2; j++) {
        union {
            uint16_t w16[64];
            uint32_t w32[32];
            unsigned char bytes[128];
        } chunk;
        if (word_bits == 16) {
            for (size_t i = 0; i < g; i++) {
                const uint8_t *q = rows_meta + i * mb + 4 * j;
                uint16_t a, b;
                memcpy(&a, q, 2);
                memcpy(&b, q + 2, 2);
                chunk.w16[pos[i]] = a;
                chunk.w16[pos[i] + 2] = b;
            }
        } else {
            for (size_t i = 0; i < g; i++) {
                const uint8_t *q = rows_meta + i * mb + 8 * j;
                uint32_t a, b;
                memcpy(&a, q, 4);
                memcpy(&b, q + 4, 4);
                chunk.w32[pos[i]] = a;
                chunk.w32[pos[i] + 2] = b;
            }
        }
        memcpy(meta + (size_t)(word_bits / 8) * (j * 2 * m + 2 * r0), chunk.bytes, 128);
    }
}

/* The shared driver: prune each row into an L1 scratch row, encode values
 * straight into `values` and the nm meta bytes of the row either into
 * meta (cutlass_bits == 0, nm layout) or into a block scratch that is
 * written out as reordered cutlass words of cutlass_bits (16 or 32). */
static int prune_pack(nms_dtype dtype, size_t rows, size_t cols, const unsigned char *in,
                      const int32_t *perm, nms_prune_variant used, unsigned char *vals,
                      unsigned char *meta, int cutlass_bits, nms_error *err)
{
    int st = NMS_OK;
    const nms__prune_kernels *kern = nms__prune_kernels_get(used);
    /* the AVX2 encoder serves the AVX2 and AVX-512 variants */
    int use_avx2 = used == NMS_PRUNE_AVX2 || used == NMS_PRUNE_AVX512;
    size_t es = nms_dtype_size(dtype), groups = cols / 4, mb = (groups + 1) / 2;
    unsigned char *pruned = nms__malloc_array(cols, es);
    unsigned char *gathered = perm ? nms__malloc_array(cols, es) : NULL;
    size_t nc = cutlass_bits ? mb / (size_t)(cutlass_bits / 8) : 0;
    size_t block_rows = cutlass_bits == 16 ? 32 : 16;
    uint8_t *mscratch = cutlass_bits ? nms__malloc_array(block_rows, mb) : NULL;
    if (!pruned || (perm && !gathered) || (cutlass_bits && !mscratch)) {
        nms__free(pruned);
        nms__free(gathered);
        nms__free(mscratch);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < rows; r++) {
        const unsigned char *src = in + r * cols * es;
        if (perm) {
            nms__prune_gather(gathered, in, es, r * cols, 1, perm, cols);
            src = gathered;
        }
        if (nms__prune_call(kern, dtype, src, groups, pruned, NULL)) {
            size_t j = nms__prune_first_nan(dtype, src, cols);
            st = nms__fail(err, NMS_ERR_NONFINITE,
                           "NaN at row %zu, column %zu of the %zu x %zu matrix: 2:4 pruning "
                           "cannot rank it (fix or replace NaN first)",
                           r, perm ? (size_t)perm[j] : j, rows, cols);
            break;
        }
        unsigned char *v = vals + r * (cols / 2) * es;
        uint8_t *m = cutlass_bits ? mscratch + (r % block_rows) * mb : meta + r * mb;
        if (es == 2)
            encode_16(pruned, groups, v, m, use_avx2);
        else if (es == 4)
            encode_32(pruned, groups, v, m, use_avx2);
        else
            encode_8(pruned, groups, v, m, use_avx2);
        if (cutlass_bits) {
        if (cutlass_bits && (r + 1) % block_rows == 0)
            cutlass_flush(mscratch, mb, nc, rows, r + 1 - block_rows, cutlass_bits, meta);
        }
    }
    nms__free(mscratch);
    nms__free(gathered);
    nms__free(pruned);
    return st;
}

/* Checks shared by both entry points. */
static int prune_pack_check(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                            const int32_t *perm, nms_prune_variant variant, const void *values,
                            const void *meta, nms_prune_variant *used, size_t *n, nms_error *err)
{
    int st;
    if (dtype != NMS_DTYPE_F32 && dtype != NMS_DTYPE_F16 && dtype != NMS_DTYPE_BF16 &&
        dtype != NMS_DTYPE_I8)
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cannot 2:4-prune %s elements (F32, F16, BF16 and I8 are supported)",
                         nms_dtype_name(dtype));
    if ((st = nms_prune_variant_resolve(variant, used, err)) != NMS_OK)
        return st;
    if (nms__mul_size(rows, cols, n) != 0)
        return nms__fail(err, NMS_ERR_RANGE, "%zu x %zu elements overflow", rows, cols);
    if (cols % 4 != 0)
        return nms__fail(err, NMS_ERR_SHAPE,
                         "the matrix has %zu input channels (columns), not a multiple of 4", cols);
    if (*n == 0)
        return NMS_OK;
    if (!in || !values || !meta)
        return nms__fail(err, NMS_ERR_INVALID, "missing input, values or meta buffer");
    if (perm && (st = nms_perm_check(perm, cols, err)) != NMS_OK) {
        nms__error_prefix(err, "permutation");
        return st;
    }
    return NMS_OK;
}

int nms_prune_24_nm(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                    const int32_t *perm, nms_prune_variant variant, void *values,
                    uint8_t *meta, nms_error *err)
{
    nms_prune_variant used;
    size_t n;
    int st = prune_pack_check(dtype, rows, cols, in, perm, variant, values, meta, &used, &n, err);
    if (st != NMS_OK || n == 0)
        return st;
    return prune_pack(dtype, rows, cols, in, perm, used, values, meta, 0, err);
}

int nms_prune_24_cutlass(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                         const int32_t *perm, nms_prune_variant variant, void *values,
                         void *meta, nms_error *err)
{
    nms_prune_variant used;
    size_t n;
    if (dtype == NMS_DTYPE_F32)
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cutlass: fp32 (TF32) sparsity is 1:2, which a 2:4 prune does not "
                         "produce; use the nm layout (nms_prune_24_nm) for fp32");
    int st = prune_pack_check(dtype, rows, cols, in, perm, variant, values, meta, &used, &n, err);
    if (st != NMS_OK)
        return st;
    size_t rmul = dtype == NMS_DTYPE_I8 ? 16 : 32, cmul = dtype == NMS_DTYPE_I8 ? 128 : 64;
    if (rows % rmul != 0 || cols % cmul != 0)
        return nms__fail(err, NMS_ERR_SHAPE,
                         "cutlass: a %s matrix needs rows %% %zu == 0 and columns %% %zu == 0 "
                         "(got %zu x %zu)", nms_dtype_name(dtype), rmul, cmul, rows, cols);
    if (n == 0)
        return NMS_OK;
    return prune_pack(dtype, rows, cols, in, perm, used, values, meta,
                      dtype == NMS_DTYPE_I8 ? 32 : 16, err);
}
