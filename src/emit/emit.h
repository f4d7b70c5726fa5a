/*
 * emit.h - compressed 2:4 formats (internal).  Specification:
 * shared/formats-24.md; every array below is row-major.
 *
 * The dense matrix A is m x k (m rows = output channels, k = input channels);
 * group g of row r is A[r][4g .. 4g+3].  In a group with nonzero flags
 * f = sum_i [A[r][4g+i] != 0] << i (-0.0 counts as zero) the kept positions
 * i0 < i1 are given by the table below, and the 4-bit code of the group is
 * nib = i0 | i1 << 2:
 *
 *   two nonzeros   {0,1}=0x4 {0,2}=0x8 {0,3}=0xC {1,2}=0x9 {1,3}=0xD {2,3}=0xE
 *   fewer          none, only 2, only 3 -> (2,3)=0xE;  only 1 -> (1,2)=0x9;
 *                  only 0 -> (0,2)=0x8
 *   more than two  refused
 *
 * Value slots always copy A at (i0, i1), bit for bit (so a kept -0.0 stays
 * -0.0 and an empty slot holds the zero that was there).
 *
 * Formats (nms_packed parts, name: dtype, shape):
 *
 *  cutlass  values: dtype of A, m x k/2.   meta: m x nc words in the CUTLASS
 *           reordered storage order (nms__cutlass_meta_offset):
 *             F16 / BF16: I16 words, 4 codes per word, nc = k/16,
 *                         m % 32 == 0, k % 64 == 0
 *             I8:         I32 words, 8 codes per word, nc = k/32,
 *                         m % 16 == 0, k % 128 == 0
 *             F32 (1:2):  unit = column pair (2j, 2j+1) with at most one
 *                         nonzero, code 0x4 (keep 2j) or 0xE (keep 2j+1),
 *                         values[r][j] = A[r][2j + (i0 >> 1)]; I16 words of 4
 *                         codes, nc = k/8, m % 32 == 0, k % 32 == 0
 *           Logical word M[r][c] holds the codes of units c*W .. c*W+W-1 of
 *           row r, the first in bits 3:0.
 *  nm       values: dtype of A, m x k/2.   meta: U8, m x ceil(k/8),
 *           meta[r][b] = nib(r, 2b) | nib(r, 2b+1) << 4 (a missing last group
 *           leaves the high nibble 0).  Any dtype, k % 4 == 0.
 *  csr      indptr: I32 (I64 when nnz > INT32_MAX), m+1, indptr[0] = 0.
 *           indices: I32 (I64 when k > INT32_MAX), nnz, increasing per row.
 *           data: dtype of A, nnz (entries that are not zero; -0.0 is zero).
 *           shape: I64, 2 = {m, k}.  Any dtype and shape (no 2:4 needed).
 *  every    perm (optional): I32, k.  When present the matrix was packed with
 *           its columns permuted (column j = original column perm[j]) and
 *           unpacking restores the original column order.
 */
#ifndef NMS_EMIT_EMIT_H
#define NMS_EMIT_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"
#include "prune/prune.h"

#define NMS__PACKED_MAX_PARTS 5

struct nms_packed {
    nms_format format;
    nms_dtype dtype;   /* element type of the dense matrix                  */
    size_t rows, cols; /* dense matrix shape m x k                          */
    size_t count;      /* number of parts                                   */
    char names[NMS__PACKED_MAX_PARTS][16];
    nms_tensor *parts[NMS__PACKED_MAX_PARTS];
};

/* The 4-bit code of a group from its nonzero flags (bit i = position i),
 * or -1 when more than two positions are nonzero. */
int nms__group_code(unsigned flags);
/* Is a code a valid two-position code (i0 < i1)? */
int nms__code_valid(unsigned code);

/* Mask of the bits that make an element nonzero when set (the sign bit is
 * excluded for floating types), for element sizes 1, 2, 4 and 8. */
uint64_t nms__nonzero_mask(nms_dtype dtype);
/* Load a little-endian element of 1, 2, 4 or 8 bytes as an integer. */
uint64_t nms__load_bits(const unsigned char *p, size_t size);

/* Row kernels.  Encode one row of `units` groups of 4 (pairs = 0) or column
 * pairs (pairs = 1) of elements of es = 1, 2, 4 or 8 bytes: kept values to
 * vals (2 per group, 1 per pair), codes to codes[units].  Returns SIZE_MAX,
 * or the index of the first unit with too many nonzeros (nothing is
 * guaranteed about vals / codes then).  Decode stores the kept values of a
 * row from vals and codes, which must be valid (nms__code_valid; 0x4 / 0xE
 * for pairs), into a row that is already zero (it writes nothing else). */
size_t nms__encode_row(int pairs, size_t es, uint64_t mask, const unsigned char *row,
                       size_t units, unsigned char *vals, uint8_t *codes);
void nms__decode_row(int pairs, size_t es, const unsigned char *vals, const uint8_t *codes,
                     size_t units, unsigned char *row);

/* Index into the reordered meta array of logical word (r, c), for an
 * m-row meta matrix of words of 16 (word_bits = 16) or 32 bits:
 *   G, W = 32, 4 (16-bit) or 16, 2 (32-bit)
 *   dr = (r/G)*G + (r%8)*W + (r%G)/8,  dc = c
 *   (dr even, dc odd) -> dr+1, dc-1;  (dr odd, dc even) -> dr-1, dc+1
 *   offset = (dc/2)*(2m) + 2*dr + dc%2                                     */
size_t nms__cutlass_meta_offset(size_t r, size_t c, size_t m, int word_bits);

/* Row r of the m x k matrix a; with perm (k entries, already checked) the
 * row with its columns permuted, out[j] = a[r][perm[j]], gathered into buf
 * (k elements).  The permutation is applied one row at a time: no copy of
 * the whole matrix. */
const unsigned char *nms__matrix_row(const nms_tensor *a, size_t r, const int32_t *perm,
                                     unsigned char *buf);

/* How the cutlass / nm encoders run.  prune 0 (nms_pack): the matrix must
 * already satisfy the format's pattern; F32 / F16 / BF16 / I8 matrices go
 * through the SIMD packer of src/prune (nms__prune_pack, verify mode) and,
 * when it finds a group with too many nonzeros, through the portable row
 * encoder below, which names the row and group -- the bytes are the same
 * either way.  prune 1 (nms_prune_pack): the matrix is pruned to `pattern`
 * on the fly and packed in the same pass (cutlass F32 needs 1:2). */
typedef struct nms__encode_how {
    nms_prune_variant variant;
    int prune;
    nms_prune_pattern pattern;
} nms__encode_how;

/* Encoders: fill p->parts for a 2-D matrix, its columns permuted by perm
 * (NULL: as they are).
 * Decoders: write the dense m x k matrix (zero elsewhere) into `dense`, an
 * m x k tensor of p->dtype, validating every part (they may come from files
 * written by anyone). */
int nms__cutlass_encode(const nms_tensor *a, const int32_t *perm, const nms__encode_how *how,
                        nms_packed *p, nms_error *err);
int nms__cutlass_decode(const nms_packed *p, nms_tensor *dense, nms_error *err);
int nms__nm_encode(const nms_tensor *a, const int32_t *perm, const nms__encode_how *how,
                   nms_packed *p, nms_error *err);
int nms__nm_decode(const nms_packed *p, nms_tensor *dense, nms_error *err);
int nms__csr_encode(const nms_tensor *a, const int32_t *perm, nms_packed *p,
                       nms_error *err);
int nms__csr_decode(const nms_packed *p, nms_tensor *dense, nms_error *err);

/* The SIMD pack (how->prune 0: verify) or fused prune + pack (1) of
 * src/prune into values / meta (see nms__prune_pack) for the m x k matrix
 * a taken as dtype.  Returns NMS_OK; NMS__PACK_PORTABLE (only when
 * how->prune is 0) when the caller must run the portable encoder (a dtype
 * the kernels do not take, a group with too many nonzeros: the portable
 * encoder names it, or no memory for the scratch rows); or an error filled
 * in err (bad variant; with how->prune: dtype, NaN, no memory). */
#define NMS__PACK_PORTABLE 1
int nms__pack_rows(const nms_tensor *a, nms_dtype dtype, const int32_t *perm,
                   const nms__encode_how *how, nms__pack_layout layout, void *values, void *meta,
                   nms_error *err);

/* Add a part (ownership of t passes to p, also on failure). */
int nms__packed_add(nms_packed *p, const char *name, nms_tensor *t, nms_error *err);
/* The part called name, or NULL. */
const nms_tensor *nms__packed_get(const nms_packed *p, const char *name);

/* The matrix view of a weight tensor in its own dtype (bytes copied, no
 * conversion): rows x cols as documented for nms_layout. */
int nms__matrix_view_bytes(const nms_tensor *t, nms_layout layout,
                           nms_tensor **out, nms_error *err);

#endif /* NMS_EMIT_EMIT_H */
