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
 *
 * CUTLASS fp32 is 1:2: the unit is a column pair (2j, 2j+1) with at most
 * one nonzero, code 0x4 (keep 2j) when x[2j] is nonzero, else 0xE (keep
 * 2j+1), values[r][j] = x[2j] when it is nonzero, else x[2j+1]; the nm-style
 * meta row (two pair codes per byte) read as little-endian 16-bit words is
 * the logical word row (4 pair codes per word, nc = cols/8).
 *
 * The same driver packs an input that already satisfies the pattern
 * (nms_pack's fast path, verify mode): no pruning, the encoders read the
 * input rows and report a group (pair) with too many nonzeros, so the bytes
 * are those of the portable encoder of src/emit whenever it succeeds.
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

/* 16-bit elements: a group is one little-endian uint64; its nonzero flags. */
static inline unsigned flags16(uint64_t v)
{
    /* lane high bit set iff the lane's magnitude bits are nonzero
     * (0x7fff + 0x7fff does not carry out of a lane) */
    uint64_t t = v & UINT64_C(0x7fff7fff7fff7fff);
    uint64_t m = ((t + UINT64_C(0x7fff7fff7fff7fff)) & UINT64_C(0x8000800080008000)) >> 15;
    /* gather bits 0, 16, 32, 48 into bits 48..51 (no cross-term carries) */
    return (unsigned)((m * UINT64_C(0x0001000200040008)) >> 48) & 15u;
}

static inline uint32_t pick16(uint64_t v, unsigned code)
{
    return (uint32_t)(uint16_t)(v >> (16 * (code & 3u))) |
           (uint32_t)(uint16_t)(v >> (16 * (code >> 2))) << 16;
}

/* 1 for the flags of a group with more than two nonzeros (7, 11, 13, 14, 15). */
#define OVER2_FLAGS 0xE880u

/* The encoders return nonzero when a group has more than two nonzeros
 * (a pair two, for encode_pairs_32); the SIMD encoder of `kern` (if any)
 * takes the leading groups. */
static uint32_t encode_16(const nms__prune_kernels *kern, const unsigned char *row,
                          size_t groups, unsigned char *vals, uint8_t *meta)
{
    uint32_t over2 = 0;
    size_t g = kern->nm16 ? kern->nm16(row, groups, vals, meta, &over2) : 0;
    for (; g + 2 <= groups; g += 2) {
        uint64_t v[2];
        memcpy(v, row + 8 * g, 16);
        unsigned f0 = flags16(v[0]), f1 = flags16(v[1]);
        unsigned c0 = code_of_flags[f0], c1 = code_of_flags[f1];
        over2 |= (OVER2_FLAGS >> f0 | OVER2_FLAGS >> f1) & 1u;
        uint64_t out = (uint64_t)pick16(v[0], c0) | (uint64_t)pick16(v[1], c1) << 32;
        memcpy(vals + 4 * g, &out, 8);
        meta[g / 2] = (uint8_t)(c0 | c1 << 4);
    }
    if (g < groups) {
        uint64_t v;
        memcpy(&v, row + 8 * g, 8);
        unsigned f = flags16(v), c = code_of_flags[f];
        over2 |= (OVER2_FLAGS >> f) & 1u;
        uint32_t out = pick16(v, c);
        memcpy(vals + 4 * g, &out, 4);
        meta[g / 2] = (uint8_t)c;
    }
    return over2;
}

static uint32_t encode_32(const nms__prune_kernels *kern, const unsigned char *row,
                          size_t groups, unsigned char *vals, uint8_t *meta)
{
    uint32_t over2 = 0;
    size_t g = kern->nm32 ? kern->nm32(row, groups, vals, meta, &over2) : 0;
    for (; g < groups; g++) {
        uint32_t x[4];
        memcpy(x, row + 16 * g, 16);
        unsigned flags = (unsigned)((x[0] & 0x7fffffffu) != 0) |
                         (unsigned)((x[1] & 0x7fffffffu) != 0) << 1 |
                         (unsigned)((x[2] & 0x7fffffffu) != 0) << 2 |
                         (unsigned)((x[3] & 0x7fffffffu) != 0) << 3;
        unsigned code = code_of_flags[flags];
        over2 |= (OVER2_FLAGS >> flags) & 1u;
        uint32_t out[2] = {x[code & 3u], x[code >> 2]};
        memcpy(vals + 8 * g, out, 8);
        if (g % 2 == 0)
            meta[g / 2] = (uint8_t)code;
        else
            meta[g / 2] = (uint8_t)(meta[g / 2] | code << 4);
    }
    return over2;
}

static uint32_t encode_8(const nms__prune_kernels *kern, const unsigned char *row,
                         size_t groups, unsigned char *vals, uint8_t *meta)
{
    uint32_t over2 = 0;
    size_t g = kern->nm8 ? kern->nm8(row, groups, vals, meta, &over2) : 0;
    for (; g < groups; g++) {
        const unsigned char *x = row + 4 * g;
        unsigned flags = (unsigned)(x[0] != 0) | (unsigned)(x[1] != 0) << 1 |
                         (unsigned)(x[2] != 0) << 2 | (unsigned)(x[3] != 0) << 3;
        unsigned code = code_of_flags[flags];
        over2 |= (OVER2_FLAGS >> flags) & 1u;
        vals[2 * g] = x[code & 3u];
        vals[2 * g + 1] = x[code >> 2];
        if (g % 2 == 0)
            meta[g / 2] = (uint8_t)code;
        else
            meta[g / 2] = (uint8_t)(meta[g / 2] | code << 4);
    }
    return over2;
}

/* 1:2 pairs of 32-bit elements (cols/2 pairs, an even number): flags a, b
 * of x[2j], x[2j+1] give (a, a, b, b) in the group table, i.e. code 0x4
 * (keep 2j) when a, else 0xE; the value is x[2j] when a, else x[2j+1]. */
static uint32_t encode_pairs_32(const nms__prune_kernels *kern, const unsigned char *row,
                                size_t pairs, unsigned char *vals, uint8_t *meta)
{
    uint32_t over2 = 0;
    size_t j = kern->pairs32 ? kern->pairs32(row, pairs, vals, meta, &over2) : 0;
    for (; j < pairs; j += 2) {
        uint32_t x[4];
        memcpy(x, row + 8 * j, 16);
        uint32_t a0 = (x[0] & 0x7fffffffu) != 0, b0 = (x[1] & 0x7fffffffu) != 0;
        uint32_t a1 = (x[2] & 0x7fffffffu) != 0, b1 = (x[3] & 0x7fffffffu) != 0;
        over2 |= (a0 & b0) | (a1 & b1);
        uint32_t out[2] = {a0 ? x[0] : x[1], a1 ? x[2] : x[3]};
        memcpy(vals + 4 * j, out, 8);
        meta[j / 2] = (uint8_t)((a0 ? 0x4u : 0xEu) | (a1 ? 0x4u : 0xEu) << 4);
    }
    return over2;
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

/* The shared driver (see prune.h).  Per row: gather through the
 * permutation if any; unless verifying, prune into an L1 scratch row; encode
 * values straight into `values` and the nm meta bytes either into meta (nm
 * layout) or into a block scratch that is written out as reordered cutlass
 * words when the block is complete. */
int nms__prune_pack(nms_dtype dtype, size_t rows, size_t cols, const void *in_,
                    const int32_t *perm, const nms__prune_kernels *kern, nms__pack_layout layout,
                    int verify, nms_prune_pattern pattern, void *vals_, void *meta_,
                    nms_error *err)
{
    const unsigned char *in = in_;
    unsigned char *vals = vals_, *meta = meta_;
    int st = NMS_OK;
    int pairs = layout == NMS__PACK_CUTLASS_PAIRS;
    int cutlass_bits = layout == NMS__PACK_NM ? 0 : layout == NMS__PACK_CUTLASS32 ? 32 : 16;
    size_t es = nms_dtype_size(dtype), groups = cols / 4;
    /* nm meta bytes per row: two codes per byte (pair codes for 1:2) */
    size_t mb = pairs ? cols / 4 : (groups + 1) / 2;
    size_t vrow = cols / 2 * es;
    unsigned char *pruned = verify ? NULL : nms__malloc_array(cols, es);
    unsigned char *gathered = perm ? nms__malloc_array(cols, es) : NULL;
    size_t nc = cutlass_bits ? mb / (size_t)(cutlass_bits / 8) : 0;
    size_t block_rows = cutlass_bits == 32 ? 16 : 32;
    uint8_t *mscratch = cutlass_bits ? nms__malloc_array(block_rows, mb) : NULL;
    /* the fused prune + encode kernel of this element size, if any */
    nms__prune_nm_fn fused = NULL;
    if (!verify && !pairs && pattern == NMS_PATTERN_2_4)
        fused = es == 2 ? kern->pnm16 : es == 4 ? kern->pnm32 : kern->pnm8;
    uint32_t nan_above = dtype == NMS_DTYPE_F16 ? NMS__F16_NAN_ABOVE
                         : dtype == NMS_DTYPE_BF16 ? NMS__BF16_NAN_ABOVE : 0;
    if ((!verify && !pruned) || (perm && !gathered) || (cutlass_bits && !mscratch)) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < rows; r++) {
        const unsigned char *src = in + r * cols * es;
        if (perm) {
            nms__prune_gather(gathered, in, es, r * cols, 1, perm, cols);
            src = gathered;
        }
        unsigned char *v = vals + r * vrow;
        uint8_t *m = cutlass_bits ? mscratch + (r % block_rows) * mb : meta + r * mb;
        size_t skip = 0; /* leading groups already pruned and encoded */
        if (!verify) {
            uint32_t nan = 0;
            if (fused)
                skip = fused(src, groups, nan_above, v, m, &nan);
            if (skip < groups)
                nan |= (uint32_t)nms__prune_call(kern, dtype, pattern, src + 4 * skip * es,
                                                 groups - skip, pruned, NULL);
            if (nan) {
                size_t j = nms__prune_first_nan(dtype, src, cols);
                st = nms__fail(err, NMS_ERR_NONFINITE,
                               "NaN at row %zu, column %zu of the %zu x %zu matrix: %s pruning "
                               "cannot rank it (fix or replace NaN first)",
                               r, perm ? (size_t)perm[j] : j, rows, cols,
                               nms_prune_pattern_name(pattern));
                break;
            }
            src = pruned;
        }
        v += 2 * skip * es;
        m += skip / 2;
        size_t left = groups - skip;
        uint32_t over2;
        if (pairs)
            over2 = encode_pairs_32(kern, src, cols / 2, v, m);
        else if (es == 2)
            over2 = encode_16(kern, src, left, v, m);
        else if (es == 4)
            over2 = encode_32(kern, src, left, v, m);
        else
            over2 = encode_8(kern, src, left, v, m);
        if (over2) { /* only when verifying: a pruned row never has */
            st = nms__fail(err, NMS_ERR_INVALID, "row %zu has a %s with more than %s nonzero%s", r,
                           pairs ? "column pair" : "group", pairs ? "one" : "two", pairs ? "" : "s");
            break;
        }
        if (cutlass_bits && (r + 1) % block_rows == 0)
            cutlass_flush(mscratch, mb, nc, rows, r + 1 - block_rows, cutlass_bits, meta);
    }
done:
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
    return nms__prune_pack(dtype, rows, cols, in, perm, nms__prune_kernels_get(used), NMS__PACK_NM,
                           0, NMS_PATTERN_2_4, values, meta, err);
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
    return nms__prune_pack(dtype, rows, cols, in, perm, nms__prune_kernels_get(used),
                           dtype == NMS_DTYPE_I8 ? NMS__PACK_CUTLASS32 : NMS__PACK_CUTLASS16, 0,
                           NMS_PATTERN_2_4, values, meta, err);
}
