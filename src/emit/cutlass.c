/* cutlass.c - the CUTLASS / PyTorch semi-structured layout (see emit.h):
 * values m x k/2 and reordered int16 / int32 metadata words. */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

/* Per-dtype layout: 1:2 or 2:4, word size, shape requirements. */
typedef struct cutlass_kind {
    int pairs;          /* 1: F32 (1:2 units of 2 columns); 0: 2:4 groups of 4 */
    int word_bits;      /* 16 or 32 */
    size_t row_multiple, col_multiple;
} cutlass_kind;

static int cutlass_kind_of(nms_dtype dtype, cutlass_kind *kind, nms_error *err)
{
    switch (dtype) {
    case NMS_DTYPE_F16:
    case NMS_DTYPE_BF16: *kind = (cutlass_kind){0, 16, 32, 64}; return NMS_OK;
    case NMS_DTYPE_I8: *kind = (cutlass_kind){0, 32, 16, 128}; return NMS_OK;
    case NMS_DTYPE_F32: *kind = (cutlass_kind){1, 16, 32, 32}; return NMS_OK;
    case NMS_DTYPE_U16:
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cutlass: uint16 is not a CUTLASS element type (for bfloat16 bit "
                         "patterns, take the input as bf16)");
    default:
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cutlass: element type %s is not supported (fp16, bf16, fp32, int8)",
                         nms_dtype_name(dtype));
    }
}

/* Units per row, codes per word and words per row (nc) of an m x k matrix. */
static void cutlass_dims(const cutlass_kind *kind, size_t k, size_t *units,
                         size_t *per_word, size_t *nc)
{
    *units = kind->pairs ? k / 2 : k / 4;
    *per_word = (size_t)kind->word_bits / 4;
    *nc = *units / *per_word;
}

static int check_shape(nms_dtype dtype, const cutlass_kind *kind, size_t m, size_t k,
                       nms_error *err)
{
    if (m % kind->row_multiple != 0 || k % kind->col_multiple != 0)
        return nms__fail(err, NMS_ERR_SHAPE,
                         "cutlass: a %s matrix must have rows %% %zu == 0 and columns %% %zu == 0; "
                         "this one is %zu x %zu",
                         nms_dtype_name(dtype), kind->row_multiple, kind->col_multiple, m, k);
    size_t units, per_word, nc;
    cutlass_dims(kind, k, &units, &per_word, &nc);
    if (nc % 2 != 0)
        return nms__fail(err, NMS_ERR_SHAPE, "cutlass: %zu metadata words per row is odd", nc);
    return NMS_OK;
}

static void store_word(unsigned char *meta, size_t index, int word_bits, uint32_t word)
{
    if (word_bits == 16) {
        uint16_t w = (uint16_t)word;
        memcpy(meta + 2 * index, &w, 2);
    } else {
        memcpy(meta + 4 * index, &word, 4);
    }
}

static uint32_t load_word(const unsigned char *meta, size_t index, int word_bits)
{
    if (word_bits == 16) {
        uint16_t w;
        memcpy(&w, meta + 2 * index, 2);
        return w;
    }
    uint32_t w;
    memcpy(&w, meta + 4 * index, 4);
    return w;
}

int nms__cutlass_encode(const nms_tensor *a, const int32_t *perm, const nms__encode_how *how,
                        nms_packed *p, nms_error *err)
{
    cutlass_kind kind;
    int st = cutlass_kind_of(p->dtype, &kind, err);
    if (st)
        return st;
    size_t m = a->shape[0], k = a->shape[1];
    if ((st = check_shape(p->dtype, &kind, m, k, err)))
        return st;
    if (how->prune && kind.pairs && how->pattern != NMS_PATTERN_1_2)
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cutlass: fp32 (TF32) sparsity is 1:2 (one nonzero per column pair), "
                         "which a 2:4 prune does not produce; prune with the pattern 1:2");
    size_t units, per_word, nc;
    cutlass_dims(&kind, k, &units, &per_word, &nc);
    size_t es = nms_dtype_size(p->dtype);
    uint64_t mask = nms__nonzero_mask(p->dtype);

    size_t vshape[2] = {m, k / 2}, mshape[2] = {m, nc};
    nms_tensor *values = NULL, *meta = NULL;
    if ((st = nms_tensor_create(p->dtype, 2, vshape, &values, err)))
        return st;
    if ((st = nms_tensor_create(kind.word_bits == 16 ? NMS_DTYPE_I16 : NMS_DTYPE_I32, 2, mshape,
                                &meta, err))) {
        nms_tensor_free(values);
        return st;
    }
    /* The words of one reorder block of G rows (G = 32 for int16 words, 16
     * for int32; m % G == 0) are collected row-major and stored when the
     * block is complete, column pair by column pair: the block's words of a
     * column pair fill one contiguous 128-byte span of the reordered meta,
     * while one row's words lie 4m bytes apart (storing them row by row
     * misses the cache on every word). */
    size_t block = kind.word_bits == 16 ? 32 : 16;
    uint8_t *codes = NULL;
    unsigned char *buf = NULL;
    uint32_t *words = NULL;
    st = nms__pack_rows(a, p->dtype, perm, how,
                        kind.pairs ? NMS__PACK_CUTLASS_PAIRS
                                   : kind.word_bits == 32 ? NMS__PACK_CUTLASS32 : NMS__PACK_CUTLASS16,
                        values->data, meta->data, err);
    if (st != NMS__PACK_PORTABLE)
        goto done;
    st = NMS_OK;
    codes = nms__malloc(units);
    buf = perm ? nms__malloc_array(k, es) : NULL;
    words = nms__malloc_array(block * nc, sizeof *words);
    if (!codes || (perm && !buf) || !words)
        st = nms__fail(err, NMS_ERR_NOMEM, "cutlass: out of memory");
    for (size_t r = 0; r < m && st == NMS_OK; r++) {
        const unsigned char *row = nms__matrix_row(a, r, perm, buf);
        unsigned char *vrow = values->data + r * (k / 2) * es;
        size_t bad = nms__encode_row(kind.pairs, es, mask, row, units, vrow, codes);
        if (bad != SIZE_MAX && kind.pairs) {
            st = nms__fail(err, NMS_ERR_INVALID,
                           "cutlass: row %zu, column pair %zu (columns %zu..%zu) has two nonzeros; "
                           "fp32 (TF32) sparsity is 1:2, so a 2:4 fp32 matrix is not a valid operand",
                           r, bad, 2 * bad, 2 * bad + 1);
        } else if (bad != SIZE_MAX) {
            st = nms__fail(err, NMS_ERR_INVALID,
                           "cutlass: row %zu, group %zu (columns %zu..%zu) has more than two "
                           "nonzeros; the input must already be 2:4 sparse",
                           r, bad, 4 * bad, 4 * bad + 3);
        }
        for (size_t c = 0; c < nc && st == NMS_OK; c++) {
            uint32_t word = 0;
            for (size_t t = 0; t < per_word; t++)
                word |= (uint32_t)codes[c * per_word + t] << (4 * t);
            words[(r % block) * nc + c] = word;
        }
        if (st == NMS_OK && (r + 1) % block == 0) {
            size_t r0 = r + 1 - block;
            for (size_t c = 0; c < nc; c++)
                for (size_t i = 0; i < block; i++)
                    store_word(meta->data, nms__cutlass_meta_offset(r0 + i, c, m, kind.word_bits),
                               kind.word_bits, words[i * nc + c]);
        }
    }
done:
    nms__free(words);
    nms__free(codes);
    nms__free(buf);
    if (st) {
        nms_tensor_free(values);
        nms_tensor_free(meta);
        return st;
    }
    if ((st = nms__packed_add(p, "values", values, err))) {
        nms_tensor_free(meta);
        return st;
    }
    return nms__packed_add(p, "meta", meta, err);
}

int nms__cutlass_decode(const nms_packed *p, nms_tensor *dense, nms_error *err)
{
    cutlass_kind kind;
    int st = cutlass_kind_of(p->dtype, &kind, err);
    if (st)
        return st;
    size_t m = p->rows, k = p->cols;
    if ((st = check_shape(p->dtype, &kind, m, k, err)))
        return st;
    size_t units, per_word, nc;
    cutlass_dims(&kind, k, &units, &per_word, &nc);
    size_t es = nms_dtype_size(p->dtype);
    const nms_tensor *values = nms__packed_get(p, "values");
    const nms_tensor *meta = nms__packed_get(p, "meta");
    nms_dtype want_meta = kind.word_bits == 16 ? NMS_DTYPE_I16 : NMS_DTYPE_I32;
    if (!values || !meta || values->ndim != 2 || values->shape[0] != m ||
        values->shape[1] != k / 2 || nms_dtype_size(values->dtype) != es)
        return nms__fail(err, NMS_ERR_FORMAT, "cutlass: values must be %zu x %zu elements of %zu bytes",
                         m, k / 2, es);
    if (meta->ndim != 2 || meta->shape[0] != m || meta->shape[1] != nc ||
        nms_dtype_size(meta->dtype) != nms_dtype_size(want_meta))
        return nms__fail(err, NMS_ERR_FORMAT, "cutlass: meta must be %zu x %zu %s words for %s values",
                         m, nc, nms_dtype_name(want_meta), nms_dtype_name(p->dtype));
    uint8_t *codes = nms__malloc(units);
    if (!codes)
        return nms__fail(err, NMS_ERR_NOMEM, "cutlass: out of memory");
    for (size_t r = 0; r < m; r++) {
        for (size_t c = 0; c < nc; c++) {
            size_t off = nms__cutlass_meta_offset(r, c, m, kind.word_bits);
            uint32_t word = load_word(meta->data, off, kind.word_bits);
            for (size_t t = 0; t < per_word; t++) {
                size_t u = c * per_word + t;
                unsigned code = (word >> (4 * t)) & 15u;
                int ok = kind.pairs ? code == 0x4 || code == 0xE : nms__code_valid(code);
                if (!ok) {
                    nms__free(codes);
                    if (kind.pairs)
                        return nms__fail(err, NMS_ERR_FORMAT,
                                         "cutlass: row %zu, column pair %zu has code 0x%X (fp32 needs "
                                         "0x4 or 0xE)", r, u, code);
                    return nms__fail(err, NMS_ERR_FORMAT,
                                     "cutlass: row %zu, group %zu has invalid code 0x%X", r, u, code);
                }
                codes[u] = (uint8_t)code;
            }
        }
        nms__decode_row(kind.pairs, es, values->data + r * (k / 2) * es, codes, units,
                        dense->data + r * k * es);
    }
    nms__free(codes);
    return NMS_OK;
}
