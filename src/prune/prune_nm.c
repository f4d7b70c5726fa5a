/*
 * prune_nm.c - prune and pack to the generic values + metadata layout in one
 * pass (formats-24.md sec. 4), without materialising the pruned matrix.
 *
 * For each row (gathered through the permutation when there is one) a
 * fused kernel (AVX2 / AVX-512) prunes and encodes the leading groups in
 * registers; the other groups are pruned into an L1-resident scratch row
 * and encoded from there.  Every group g of the pruned row gives
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
 * block is complete (row-major nm bytes, or for the AVX-512 VBMI2 table
 * laid out for a cheaper write-out: see STEP_BYTES).  Arrays: values rows x cols/2 elements, meta rows x nc
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
 *
 * Inputs of 4 MB and more are split over OpenMP threads in blocks of 32
 * rows (whole reorder blocks); rows are independent, so the bytes do not
 * depend on the thread count, and on any error the serial pass runs to
 * report the first one.
 */
#include <string.h>

#include "config.h"
#include "prune/prune.h"

#ifdef _OPENMP
#include <omp.h>
#endif
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
 * bytes each) to the reordered meta, with the kernel table's reorder when it
 * has one. */
static void cutlass_flush(const nms__prune_kernels *kern, const uint8_t *rows_meta, size_t mb,
                          size_t nc, size_t m, size_t r0, int word_bits, unsigned char *meta)
{
    nms__cutlass_flush_fn simd = word_bits == 16 ? kern->flush16 : kern->flush32;
    if (simd && simd(rows_meta, mb, nc, m, r0, meta))
        return;
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

/* Step-major packing of int16 CUTLASS words (kernel tables with
 * flush16_steps: AVX-512 VBMI2).  A row's nm meta bytes come in steps of 8
 * (16 groups: logical words 4s .. 4s+3, column pairs 2s and 2s+1); the
 * kernels store step s of the block's row i at s * STEP_BYTES +
 * nms__cutlass_step_place(i, nsteps) of the block scratch (four quarters
 * of 8 rows, each step-major), so that when the block is complete the 32
 * rows' words of two chunks are four 64-byte vectors, which the table's
 * flush reorders with eight unpacks.  The kernels still make one 8-byte
 * store per step, as in the nm layout, only 64 bytes apart: a row's 8-byte
 * stores go to consecutive lines, spread over all L1 sets (with the
 * earlier 256-byte steps of all 32 rows they fell into a quarter of the
 * sets).  (At 1 MB on Zen 4 the gather reorder of row-major nm bytes,
 * flush16, cost about 0.3x memcpy time, this flush about 0.05x: it is
 * bound by its 64 KB of stores per MB of fp16; writing the block out part
 * by part between the next block's rows, or slab by slab within its last
 * row, measured no faster.)  Groups the kernels leave are encoded to nm
 * bytes in a row scratch and copied to their steps (cols % 64 == 0 for
 * this layout: whole steps). */
#define STEP_BYTES 64

/* What every row of one nms__prune_pack call shares. */
typedef struct pack_job {
    nms_dtype dtype;
    size_t rows, cols, es, groups, mb, vrow, nc, block_rows;
    const unsigned char *in;
    const int32_t *perm;
    const nms__prune_kernels *kern;
    int verify, pairs, cutlass_bits;
    nms_prune_pattern pattern;
    nms__prune_nm_fn fused; /* fused prune + encode of this element size, or NULL */
    /* step-major cutlass packing: set with the encoder, and the fused
     * kernel when pruning 2:4 */
    int steps;
    nms__nm_encode_steps_fn enc_steps;
    nms__prune_nm_steps_fn fused_steps;
    uint32_t nan_above;
    unsigned char *vals, *meta;
} pack_job;

/* Per-thread scratch: a pruned row, a gathered row, a reorder block (nm
 * meta rows, or for step-major packing the block in step order) and for
 * step-major packing a row of nm meta bytes. */
typedef struct pack_scratch {
    unsigned char *pruned, *gathered;
    uint8_t *mscratch, *mrow;
} pack_scratch;

static void scratch_free(pack_scratch *sc)
{
    nms__free(sc->pruned);
    nms__free(sc->gathered);
    nms__free(sc->mscratch);
    nms__free(sc->mrow);
    sc->pruned = sc->gathered = sc->mscratch = sc->mrow = NULL;
}

static int scratch_alloc(const pack_job *j, pack_scratch *sc)
{
    sc->pruned = j->verify ? NULL : nms__malloc_array(j->cols, j->es);
    sc->gathered = j->perm ? nms__malloc_array(j->cols, j->es) : NULL;
    sc->mscratch = j->cutlass_bits ? nms__malloc_array(j->block_rows, j->mb) : NULL;
    sc->mrow = j->steps ? nms__malloc(j->mb) : NULL;
    if ((!j->verify && !sc->pruned) || (j->perm && !sc->gathered) ||
        (j->cutlass_bits && !sc->mscratch) || (j->steps && !sc->mrow)) {
        scratch_free(sc);
        return NMS_ERR_NOMEM;
    }
    return NMS_OK;
}

/* Rows r0 .. r1-1 (whole reorder blocks for cutlass).  Per row: gather
 * through the permutation if any; unless verifying, prune (the fused kernel
 * prunes and encodes the leading groups in registers, the rest is pruned
 * into the scratch row); encode values straight into `vals` and the nm meta
 * bytes either into meta (nm layout) or into the block scratch, written out
 * as reordered cutlass words when the block is complete.  err may be NULL. */
static int pack_rows(const pack_job *j, size_t r0, size_t r1, pack_scratch *sc, nms_error *err)
{
    size_t es = j->es, groups = j->groups;
    for (size_t r = r0; r < r1; r++) {
        const unsigned char *src = j->in + r * j->cols * es;
        if (j->perm) {
            nms__prune_gather(sc->gathered, j->in, es, r * j->cols, 1, j->perm, j->cols);
            src = sc->gathered;
        }
        unsigned char *v = j->vals + r * j->vrow;
        uint8_t *m = j->steps          ? sc->mrow
                     : j->cutlass_bits ? sc->mscratch + (r % j->block_rows) * j->mb
                                       : j->meta + r * j->mb;
        /* steps: the place of the row's step 0 in the block scratch */
        uint8_t *ms = j->steps ? sc->mscratch + nms__cutlass_step_place(r % 32, j->mb / 8) : NULL;
        size_t skip = 0; /* leading groups already pruned and encoded */
        if (!j->verify) {
            uint32_t nan = 0;
            if (j->fused_steps)
                skip = j->fused_steps(src, groups, j->nan_above, v, ms, STEP_BYTES, &nan);
            else if (j->fused)
                skip = j->fused(src, groups, j->nan_above, v, m, &nan);
            if (skip < groups)
                nan |= (uint32_t)nms__prune_call(j->kern, j->dtype, j->pattern, src + 4 * skip * es,
                                                 groups - skip, sc->pruned, NULL);
            if (nan) {
                size_t c = nms__prune_first_nan(j->dtype, src, j->cols);
                return nms__fail(err, NMS_ERR_NONFINITE,
                                 "NaN at row %zu, column %zu of the %zu x %zu matrix: %s pruning "
                                 "cannot rank it (fix or replace NaN first)",
                                 r, j->perm ? (size_t)j->perm[c] : c, j->rows, j->cols,
                                 nms_prune_pattern_name(j->pattern));
            }
            src = sc->pruned;
        }
        /* units: groups, or pairs for 1:2 (`skip` is 0 there); `done` of
         * them are encoded, src points at the first one not yet */
        size_t units = j->pairs ? j->cols / 2 : groups, done = skip;
        uint32_t over2 = 0; /* stays 0 when the fused kernel did the whole row */
        if (j->enc_steps && done < groups) { /* groups of 16-bit elements */
            size_t n = j->enc_steps(src, groups - done, v + done * 2 * es, ms + done / 16 * STEP_BYTES,
                                    STEP_BYTES, &over2);
            src += n * 4 * es;
            done += n;
        }
        v += done * 2 * es; /* a group's (a pair's) values: half its elements */
        m += done / 2;
        size_t left = units - done;
        if (left > 0 && j->pairs)
            over2 |= encode_pairs_32(j->kern, src, left, v, m);
        else if (left > 0 && es == 2)
            over2 |= encode_16(j->kern, src, left, v, m);
        else if (left > 0 && es == 4)
            over2 |= encode_32(j->kern, src, left, v, m);
        else if (left > 0)
            over2 |= encode_8(j->kern, src, left, v, m);
        if (over2) /* only when verifying: a pruned row never has */
            return nms__fail(err, NMS_ERR_INVALID, "row %zu has a %s with more than %s nonzero%s", r,
                             j->pairs ? "column pair" : "group", j->pairs ? "one" : "two",
                             j->pairs ? "" : "s");
        for (size_t s = done / 16; j->steps && s < j->mb / 8; s++)
            memcpy(ms + s * STEP_BYTES, sc->mrow + 8 * s, 8);
        if (j->cutlass_bits && (r + 1) % j->block_rows == 0) {
            size_t first = r + 1 - j->block_rows;
            if (j->steps)
                j->kern->flush16_steps(sc->mscratch, j->mb / 8, j->rows, first, j->meta);
            else
                cutlass_flush(j->kern, sc->mscratch, j->mb, j->nc, j->rows, first, j->cutlass_bits,
                              j->meta);
        }
    }
    return NMS_OK;
}

/* Inputs of at least this many bytes are split over OpenMP threads, in
 * blocks of PARALLEL_BLOCK_ROWS rows (a multiple of both reorder blocks);
 * every row's bytes are the same whichever thread writes them.  (At 1 MB a
 * single thread takes 50-70 us here, about what starting or waking a team
 * costs, and two threads measured no faster on the shared 2-core host.)
 * Blocks are handed out dynamically: with a static split, one thread
 * descheduled by other load stalled the whole call (16 MB: 6x slower). */
#define PARALLEL_MIN_BYTES ((size_t)4 << 20)
#define PARALLEL_BLOCK_ROWS 32

/* The job's fused kernel, and the step-major kernels when the table has
 * them (see STEP_BYTES). */
static void choose_kernels(pack_job *j, nms__pack_layout layout)
{
    const nms__prune_kernels *kern = j->kern;
    j->fused = NULL;
    j->fused_steps = NULL;
    j->enc_steps = NULL;
    if (!j->verify && !j->pairs && j->pattern == NMS_PATTERN_2_4)
        j->fused = j->es == 2 ? kern->pnm16 : j->es == 4 ? kern->pnm32 : kern->pnm8;
    j->steps = layout == NMS__PACK_CUTLASS16 && j->es == 2 && kern->flush16_steps;
    if (j->steps) {
        j->enc_steps = kern->enc16_steps;
        j->fused_steps = j->fused ? kern->pnm16_steps : NULL;
        j->fused = NULL; /* its nm bytes would be row-major */
    }
}

int nms__prune_pack(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                    const int32_t *perm, const nms__prune_kernels *kern, nms__pack_layout layout,
                    int verify, nms_prune_pattern pattern, void *vals, void *meta,
                    nms_error *err)
{
    pack_job j;
    memset(&j, 0, sizeof j);
    j.dtype = dtype;
    j.rows = rows;
    j.cols = cols;
    j.in = in;
    j.perm = perm;
    j.kern = kern;
    j.verify = verify;
    j.pattern = pattern;
    j.vals = vals;
    j.meta = meta;
    j.pairs = layout == NMS__PACK_CUTLASS_PAIRS;
    j.cutlass_bits = layout == NMS__PACK_NM ? 0 : layout == NMS__PACK_CUTLASS32 ? 32 : 16;
    j.es = nms_dtype_size(dtype);
    j.groups = cols / 4;
    /* nm meta bytes per row: two codes per byte (pair codes for 1:2) */
    j.mb = j.pairs ? cols / 4 : (j.groups + 1) / 2;
    j.vrow = cols / 2 * j.es;
    j.nc = j.cutlass_bits ? j.mb / (size_t)(j.cutlass_bits / 8) : 0;
    j.block_rows = j.cutlass_bits == 32 ? 16 : 32;
    choose_kernels(&j, layout);
    j.nan_above = dtype == NMS_DTYPE_F16 ? NMS__F16_NAN_ABOVE
                  : dtype == NMS_DTYPE_BF16 ? NMS__BF16_NAN_ABOVE : 0;
#ifdef _OPENMP
    if (rows * cols * j.es >= PARALLEL_MIN_BYTES && rows >= 2 * PARALLEL_BLOCK_ROWS &&
        omp_get_max_threads() > 1) {
        long nblocks = (long)((rows + PARALLEL_BLOCK_ROWS - 1) / PARALLEL_BLOCK_ROWS);
        int failed = 0;
#pragma omp parallel reduction(| : failed)
        {
            pack_scratch sc;
            failed = scratch_alloc(&j, &sc) != NMS_OK;
#pragma omp for schedule(dynamic, 1)
            for (long b = 0; b < nblocks; b++) {
                size_t r0 = (size_t)b * PARALLEL_BLOCK_ROWS;
                size_t r1 = r0 + PARALLEL_BLOCK_ROWS < rows ? r0 + PARALLEL_BLOCK_ROWS : rows;
                if (!failed)
                    failed = pack_rows(&j, r0, r1, &sc, NULL) != NMS_OK;
            }
            scratch_free(&sc);
        }
        if (!failed)
            return NMS_OK;
        /* a NaN, a group breaking the pattern or no memory: the serial pass
         * below reports the first one, as with one thread */
    }
#endif
    pack_scratch sc;
    if (scratch_alloc(&j, &sc) != NMS_OK)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    int st = pack_rows(&j, 0, rows, &sc, err);
    scratch_free(&sc);
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
