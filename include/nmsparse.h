/*
 * nmsparse.h - the public interface of libnmsparse.
 *
 * nmsparse turns dense neural-network weight matrices into 2:4 sparse ones
 * (in every group of 4 consecutive input channels of a row, 2 weights
 * survive), finds input-channel permutations that keep as much magnitude as
 * possible (with a proven bound), and writes the formats sparse hardware
 * accepts.
 *
 * Conventions (they hold for every function below unless it says otherwise):
 *
 *  - Every fallible function returns an int status: NMS_OK (0) on success or a
 *    negative nms_status.  nms_strerror() names a status.
 *  - Functions that can fail take a caller-owned `nms_error *err` as their
 *    last argument.  It may be NULL.  On failure it receives the status and a
 *    complete, human-readable message that names the file (when there is one)
 *    and the problem, e.g. "w.npy: header declares 1200 elements but the file
 *    holds 1196".  On success it is left untouched.
 *  - The library never aborts, exits, or prints.  Out of memory is the status
 *    NMS_ERR_NOMEM.  Sizes read from files are checked for overflow.
 *  - Ownership: an object returned through an `out` pointer belongs to the
 *    caller and is released with the matching *_free / *_close function;
 *    arrays returned through `out` pointers are released with nms_free().
 *    Pointers returned by accessors (names, shapes, data) stay valid until the
 *    object they came from is freed.
 *  - Thread safety: there is no global mutable state.  Distinct objects may be
 *    used from different threads at the same time; one object must not be
 *    modified from two threads at once.  Functions taking const objects may
 *    run concurrently on the same object.
 *  - Results do not depend on the number of threads.
 */
#ifndef NMSPARSE_H
#define NMSPARSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define NMS_VERSION_MAJOR 0
#define NMS_VERSION_MINOR 1
#define NMS_VERSION_PATCH 0
#define NMS_VERSION_STRING "0.1.0"

/* The version of the library actually linked (may differ from the header). */
const char *nms_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

typedef enum nms_status {
    NMS_OK = 0,
    NMS_ERR_NOMEM = -1,       /* out of memory                                */
    NMS_ERR_INVALID = -2,     /* invalid argument or option value             */
    NMS_ERR_IO = -3,          /* a file could not be opened, read or written  */
    NMS_ERR_FORMAT = -4,      /* malformed file contents                      */
    NMS_ERR_UNSUPPORTED = -5, /* well-formed but unsupported (dtype, version) */
    NMS_ERR_RANGE = -6,       /* a size overflows or exceeds a limit          */
    NMS_ERR_NONFINITE = -7,   /* NaN or infinity where a finite value is due  */
    NMS_ERR_SHAPE = -8,       /* shapes do not fit the operation              */
    NMS_ERR_NUMERIC = -9,     /* numerical trouble (singular, not converged)  */
    NMS_ERR_INTERRUPTED = -10,/* stopped on request                           */
    NMS_ERR_NOTFOUND = -11,   /* a named item (tensor, key) does not exist    */
    NMS_ERR_INTERNAL = -12    /* a bug in nmsparse: please report it          */
} nms_status;

/* A static English name for a status ("out of memory", ...).  Never NULL. */
const char *nms_strerror(int status);

/* Caller-owned error details, filled on failure. */
typedef struct nms_error {
    int status;        /* the nms_status returned                            */
    long line;         /* 1-based line in `source`, or 0 when not applicable */
    long column;       /* 1-based column, or 0                               */
    char source[256];  /* file (or "<memory>") the error is about, or ""     */
    char text[768];    /* the complete message, naming file and problem      */
} nms_error;

/* Release an array the library returned through an out pointer. NULL is ok. */
void nms_free(void *p);

/* ------------------------------------------------------------------------ */
/* Element types and tensors                                                */
/* ------------------------------------------------------------------------ */

typedef enum nms_dtype {
    NMS_DTYPE_F32 = 0,
    NMS_DTYPE_F64,
    NMS_DTYPE_F16,
    NMS_DTYPE_BF16,
    NMS_DTYPE_I8,
    NMS_DTYPE_U8,
    NMS_DTYPE_I16,
    NMS_DTYPE_U16,
    NMS_DTYPE_I32,
    NMS_DTYPE_U32,
    NMS_DTYPE_I64,
    NMS_DTYPE_U64,
    NMS_DTYPE_BOOL,
    NMS_DTYPE_F8_E4M3,
    NMS_DTYPE_F8_E5M2,
    NMS_DTYPE_COUNT
} nms_dtype;

/* Bytes per element (0 for an invalid dtype). */
size_t nms_dtype_size(nms_dtype dtype);
/* Short name as safetensors spells it: "F32", "BF16", "I8", ... */
const char *nms_dtype_name(nms_dtype dtype);
/* Parse a name: safetensors spelling, or lower case "f32", "fp16", "bf16",
 * "int8", "float32" ... Returns NMS_ERR_INVALID for an unknown name. */
int nms_dtype_parse(const char *name, nms_dtype *dtype);

#define NMS_MAX_DIMS 8

/* A dense, C-ordered (row-major), little-endian n-d array that owns its
 * bytes.  0 <= ndim <= NMS_MAX_DIMS. */
typedef struct nms_tensor nms_tensor;

/* A zero-filled tensor.  NMS_ERR_RANGE when the byte size overflows. */
int nms_tensor_create(nms_dtype dtype, int ndim, const size_t *shape,
                      nms_tensor **out, nms_error *err);
/* A deep copy. */
int nms_tensor_clone(const nms_tensor *t, nms_tensor **out, nms_error *err);
void nms_tensor_free(nms_tensor *t);

nms_dtype nms_tensor_dtype(const nms_tensor *t);
int nms_tensor_ndim(const nms_tensor *t);
size_t nms_tensor_dim(const nms_tensor *t, int axis); /* 0 if out of range */
const size_t *nms_tensor_shape(const nms_tensor *t);
size_t nms_tensor_numel(const nms_tensor *t);
size_t nms_tensor_nbytes(const nms_tensor *t);
void *nms_tensor_data(nms_tensor *t);
const void *nms_tensor_cdata(const nms_tensor *t);

/* Convert element type.  Float targets round to nearest even (correctly:
 * one rounding from the exact source value) and overflow to infinity, except
 * F8_E4M3, which has no infinity: out of its range is NMS_ERR_RANGE.  Integer
 * targets round to nearest even and fail with NMS_ERR_RANGE when out of
 * range.  BOOL targets store 1 for any nonzero value.  NaN / infinity make
 * NMS_ERR_NONFINITE unless the target is a float type. */
int nms_tensor_convert(const nms_tensor *t, nms_dtype to, nms_tensor **out,
                       nms_error *err);

/* ------------------------------------------------------------------------ */
/* Matrix view of weight tensors                                            */
/* ------------------------------------------------------------------------ */

/* How an n-d weight tensor maps to the matrix whose columns are the input
 * channels (the axis that is permuted and grouped by 4) and whose rows are
 * output channels x kernel positions:
 *   NMS_LAYOUT_OI    2-D [out, in]                (linear; default for 2-D)
 *   NMS_LAYOUT_OIHW  [O, I, kernel...] (PyTorch; default for 3-D and 4-D):
 *                    row = o * K + k, K = product of kernel dims
 *   NMS_LAYOUT_HWIO  [kernel..., I, O] (TensorFlow): row = o * K + k
 *   NMS_LAYOUT_AUTO  OI for 1-D and 2-D, OIHW for 3-D and more.
 * A 1-D tensor [n] is one row of n input channels (in every layout); a 2-D
 * tensor in OIHW is OI, in HWIO it is [in, out].  A 0-d tensor has no matrix
 * view (NMS_ERR_SHAPE), nor has a 3-D+ tensor in layout OI. */
typedef enum nms_layout {
    NMS_LAYOUT_AUTO = 0,
    NMS_LAYOUT_OI,
    NMS_LAYOUT_OIHW,
    NMS_LAYOUT_HWIO
} nms_layout;

/* Names (any case): "auto", "oi" ("linear"), "oihw" ("pytorch", "torch"),
 * "hwio" ("tensorflow", "tf").  NMS_ERR_INVALID for anything else. */
int nms_layout_parse(const char *name, nms_layout *layout);
const char *nms_layout_name(nms_layout layout);

/* The rows x cols float32 matrix of a weight tensor (any dtype; integers
 * are converted to the nearest float).  Fails with NMS_ERR_NONFINITE on NaN /
 * infinity and NMS_ERR_RANGE on an F64 value beyond the float32 range, the
 * message naming the first bad element by tensor index and matrix row and
 * column.  *matrix is a new 2-D F32 tensor owned by the caller. */
int nms_tensor_to_matrix(const nms_tensor *t, nms_layout layout,
                         nms_tensor **matrix, nms_error *err);
/* The matrix shape a tensor would have, without converting. */
int nms_tensor_matrix_shape(const nms_tensor *t, nms_layout layout,
                            size_t *rows, size_t *cols, nms_error *err);
/* The inverse: scatter a rows x cols matrix (any dtype) back into a tensor of
 * `shape` / `ndim` in `layout`, keeping the matrix's dtype. */
int nms_matrix_to_tensor(const nms_tensor *matrix, nms_layout layout,
                         int ndim, const size_t *shape, nms_tensor **out,
                         nms_error *err);

/* ------------------------------------------------------------------------ */
/* .npy files (NumPy format 1.0 / 2.0 / 3.0)                                 */
/* ------------------------------------------------------------------------ */

/* Read dtypes <f4 <f8 <f2 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8 |b1 (and '<' or '='
 * byte orders of little-endian data), C or Fortran order (returned C
 * ordered), 0-d to NMS_MAX_DIMS-d.  Big-endian ('>f4'), structured and other
 * dtypes are NMS_ERR_UNSUPPORTED; a malformed header, or data whose length is
 * not exactly numel x itemsize, is NMS_ERR_FORMAT ("w.npy: header declares N
 * elements (B bytes) but the file holds M bytes"); a shape whose size
 * overflows is NMS_ERR_RANGE.  Nothing is allocated beyond what the file
 * holds.  *out is owned by the caller. */
int nms_npy_read(const char *path, nms_tensor **out, nms_error *err);
/* The same from memory; `name` is used in messages. */
int nms_npy_read_mem(const void *data, size_t size, const char *name,
                     nms_tensor **out, nms_error *err);
/* Write version 1.0 (2.0 if the header needs it), C order.  The file is
 * written to a temporary name and renamed: never left half-written.
 * bfloat16 / fp8 (which .npy cannot name) are NMS_ERR_UNSUPPORTED. */
int nms_npy_write(const char *path, const nms_tensor *t, nms_error *err);

/* ------------------------------------------------------------------------ */
/* safetensors files                                                        */
/* ------------------------------------------------------------------------ */

typedef struct nms_safetensors nms_safetensors;

/* Open and validate the header (strict JSON, offsets inside the file, no
 * overlaps, sizes matching dtype x shape).  Tensor data is read on demand. */
int nms_st_open(const char *path, nms_safetensors **out, nms_error *err);
/* The same over a memory buffer, which is copied. */
int nms_st_open_mem(const void *data, size_t size, const char *name,
                    nms_safetensors **out, nms_error *err);
void nms_st_close(nms_safetensors *f);

/* Tensors are indexed 0..count-1 in the order of their data offsets. */
size_t nms_st_count(const nms_safetensors *f);
const char *nms_st_name(const nms_safetensors *f, size_t index);
int nms_st_find(const nms_safetensors *f, const char *name, size_t *index);
nms_dtype nms_st_dtype(const nms_safetensors *f, size_t index);
int nms_st_ndim(const nms_safetensors *f, size_t index);
const size_t *nms_st_shape(const nms_safetensors *f, size_t index);
/* Load one tensor's data (bytes copied exactly). */
int nms_st_load(const nms_safetensors *f, size_t index, nms_tensor **out,
                nms_error *err);
/* The "__metadata__" string map: count, i-th key / value (NULL if none). */
size_t nms_st_metadata_count(const nms_safetensors *f);
const char *nms_st_metadata_key(const nms_safetensors *f, size_t i);
const char *nms_st_metadata_value(const nms_safetensors *f, size_t i);

/* Writing: collect named tensors (borrowed: they must outlive the write)
 * and metadata, then write atomically (temporary file + rename).  Tensors
 * are stored in the order added. */
typedef struct nms_st_writer nms_st_writer;
int nms_st_writer_create(nms_st_writer **out, nms_error *err);
int nms_st_writer_add(nms_st_writer *w, const char *name,
                      const nms_tensor *t, nms_error *err);
int nms_st_writer_set_metadata(nms_st_writer *w, const char *key,
                               const char *value, nms_error *err);
int nms_st_writer_write(nms_st_writer *w, const char *path, nms_error *err);
void nms_st_writer_free(nms_st_writer *w);

/* ------------------------------------------------------------------------ */
/* Permutations of input channels                                           */
/* ------------------------------------------------------------------------ */

/* A permutation p of n columns: position j holds original column p[j];
 * positions 4g..4g+3 form group g.  Files are text, one 0-based original
 * column index per line, in position order ('#' starts a comment line). */

/* NMS_OK when p is a permutation of 0..n-1, else NMS_ERR_INVALID with the
 * first offending position in the message. */
int nms_perm_check(const int32_t *p, size_t n, nms_error *err);
/* Read a permutation file.  When expected_n > 0 the length must equal it.
 * *perm is released with nms_free(). */
int nms_perm_read(const char *path, size_t expected_n, int32_t **perm,
                  size_t *n, nms_error *err);
int nms_perm_write(const char *path, const int32_t *p, size_t n,
                   nms_error *err);

/* ------------------------------------------------------------------------ */
/* The 2:4 objective                                                        */
/* ------------------------------------------------------------------------ */

/* For a rows x cols matrix S of scores (2-D tensor F32 or F64; the absolute
 * value of each entry is used, so a weight matrix can be passed directly),
 * cols a multiple of 4, and a permutation p (NULL = identity):
 *   kept(p) = sum over rows r and groups g of the two largest |S[r, p[4g+k]]|
 * computed in double.  NMS_ERR_NONFINITE on NaN / infinity. */
int nms_kept_value(const nms_tensor *scores, const int32_t *perm,
                   double *kept, nms_error *err);
/* Sum of all |S| (the denominator of kept fractions). */
int nms_total_value(const nms_tensor *scores, double *total, nms_error *err);
/* The unstructured bound: sum over rows of the cols/2 largest |S[r, :]|.
 * No permutation can keep more. */
int nms_unstructured_bound(const nms_tensor *scores, double *bound,
                           nms_error *err);

/* ------------------------------------------------------------------------ */
/* .npy, safetensors, JSON, conversions, matrix view (src/io) */
/* ==== io: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* LP solver (src/lp) */
/* ==== lp: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* channel partition solver (src/part) */
/* ==== part: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* 2:4 pruning kernels (src/prune) */
/* ==== prune: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* compressed-format emitters (src/emit) */
/* A 2:4 sparse matrix in a compressed format (see formats-24.md in the
 * source distribution for the exact bytes):
 *   NMS_FORMAT_CUTLASS  CUTLASS / PyTorch semi-structured: parts "values"
 *       (m x k/2, the matrix's dtype) and "meta" (m x nc int16 words for
 *       F16 / BF16 / F32, int32 words for I8, in CUTLASS's reordered storage
 *       order).  F32 is 1:2 (one nonzero per column pair), as the TF32 path
 *       requires; a 2:4-but-not-1:2 F32 matrix is refused.  Shapes:
 *       F16 / BF16 m % 32 == 0, k % 64 == 0; I8 m % 16, k % 128; F32 m % 32,
 *       k % 32.
 *   NMS_FORMAT_NM       generic: "values" (m x k/2) and "meta" (U8,
 *       m x ceil(k/8), one byte per two groups, low nibble first, no
 *       reorder).  Any dtype, k % 4 == 0.
 *   NMS_FORMAT_CSR      "indptr" (I32, or I64 when nnz > INT32_MAX, m+1),
 *       "indices" (I32 / I64, nnz, increasing within a row), "data" (nnz,
 *       the matrix's dtype; zeros, including -0.0, are not stored) and
 *       "shape" (I64 {m, k}).  Any matrix: 2:4 is not required.
 * With a permutation, a part "perm" (I32, k) is added: column j of the
 * packed matrix is original column perm[j], and nms_unpack() restores the
 * original order.
 * In cutlass and nm, a group of 4 (or, for cutlass F32, a pair) with more
 * nonzeros than the format keeps is refused with NMS_ERR_INVALID naming the
 * row and group.  Groups with fewer nonzeros get the codes of the
 * specification; stored values are copied bit for bit.  Unstored zeros come
 * back as +0 (a -0.0 the format does not store loses its sign); everything
 * else round-trips exactly. */
typedef enum nms_format {
    NMS_FORMAT_CUTLASS = 0,
    NMS_FORMAT_NM,
    NMS_FORMAT_CSR,
    NMS_FORMAT_COUNT
} nms_format;

/* "cutlass", "nm", "csr" (NMS_ERR_INVALID for anything else). */
int nms_format_parse(const char *name, nms_format *format);
const char *nms_format_name(nms_format format); /* "?" if invalid */

typedef struct nms_pack_options {
    /* NULL (default): columns as they are.  Else a permutation of the k
     * columns (column j of the packed matrix = column perm[j]); borrowed.
     * perm_len must equal k (NMS_ERR_SHAPE otherwise). */
    const int32_t *perm;
    size_t perm_len;
    /* How an n-d tensor maps to the matrix (default NMS_LAYOUT_AUTO). */
    nms_layout layout;
    /* NMS_DTYPE_COUNT (default): the tensor's dtype.  Otherwise a dtype of
     * the same element size the bytes are taken as, e.g. NMS_DTYPE_BF16 for
     * bfloat16 values read from .npy as U16 bit patterns. */
    nms_dtype as_dtype;
} nms_pack_options;

void nms_pack_options_init(nms_pack_options *opts);

typedef struct nms_packed nms_packed;

/* Compress a weight tensor (its matrix view; opts may be NULL for the
 * defaults).  Errors: NMS_ERR_INVALID (more nonzeros than the format keeps,
 * bad permutation), NMS_ERR_SHAPE (shape requirements above),
 * NMS_ERR_UNSUPPORTED (dtype the format does not take), NMS_ERR_NOMEM.
 * *out is released with nms_packed_free(). */
int nms_pack(const nms_tensor *tensor, nms_format format,
             const nms_pack_options *opts, nms_packed **out, nms_error *err);
/* The dense rows x cols matrix (dtype nms_packed_dtype()), in the original
 * column order when a permutation was stored.  Every part is validated
 * (NMS_ERR_FORMAT for inconsistent parts, invalid codes, unsorted indices). */
int nms_unpack(const nms_packed *p, nms_tensor **matrix, nms_error *err);
void nms_packed_free(nms_packed *p);

nms_format nms_packed_format(const nms_packed *p);
nms_dtype nms_packed_dtype(const nms_packed *p);
size_t nms_packed_rows(const nms_packed *p);
size_t nms_packed_cols(const nms_packed *p);
/* The parts, in file order: cutlass / nm "values", "meta"; csr "indptr",
 * "indices", "data", "shape"; then "perm" if present. */
size_t nms_packed_count(const nms_packed *p);
const char *nms_packed_name(const nms_packed *p, size_t index);
const nms_tensor *nms_packed_part(const nms_packed *p, size_t index);
/* The part called `name`, or NULL. */
const nms_tensor *nms_packed_find(const nms_packed *p, const char *name);

/* Assemble a packed matrix from parts (copied), e.g. read by other tools.
 * `dtype` is the dense dtype (NMS_DTYPE_COUNT: that of "values" / "data";
 * for cutlass, U16 values are taken as BF16).  Shapes are checked here; codes
 * and indices by nms_unpack(). */
int nms_packed_create(nms_format format, nms_dtype dtype, size_t count,
                      const char *const *names, const nms_tensor *const *parts,
                      nms_packed **out, nms_error *err);

/* Files.  When `prefix` ends in ".safetensors" every part goes into that one
 * file as a tensor of the part's name (BF16 values keep their dtype there);
 * otherwise each part is written to PREFIX.NAME.npy (BF16 as U16 bit
 * patterns).  All files are written to temporary names first and renamed
 * only when all were written: on failure no output is left behind.  Without
 * a "perm" part, a PREFIX.perm.npy left by an earlier run is removed (the
 * reader would otherwise apply it). */
int nms_packed_write(const nms_packed *p, const char *prefix, nms_error *err);
/* Read what nms_packed_write() wrote ("perm" is read when present).  `dtype`
 * as in nms_packed_create(). */
int nms_packed_read(const char *prefix, nms_format format, nms_dtype dtype,
                    nms_packed **out, nms_error *err);

/* C source for firmware: PREFIX.h and PREFIX.c (both written atomically, or
 * neither).  PREFIX.c holds the parts as `static const` arrays in the
 * matrix's dtype (F16 / BF16 as uint16_t bit patterns, F32 as float, meta
 * as uint8_t / uint16_t / uint32_t, indices as int32_t / int64_t), aligned to
 * 16 bytes where the compiler supports it, and one exported const
 * descriptor `SYMBOL` pointing at them; PREFIX.h declares its type, shape
 * macros (SYMBOL_ROWS, SYMBOL_COLS, ...), and a comment giving the format
 * and the permutation.  SYMBOL is `symbol`, or (NULL) the file name of
 * PREFIX made a C identifier.  The code is C99 and compiles without warnings
 * under -std=c99 -Wall -Wextra -pedantic.  Non-finite float values are
 * NMS_ERR_NONFINITE (C99 has no portable literal for them). */
int nms_packed_write_c(const nms_packed *p, const char *prefix,
                       const char *symbol, nms_error *err);
/* Read back PREFIX.c as written by nms_packed_write_c(). */
int nms_packed_read_c(const char *prefix, nms_packed **out, nms_error *err);

/* Unpack files to a dense file in one call: read what nms_packed_write()
 * (or, with c_source set, nms_packed_write_c()) wrote under `prefix`, unpack,
 * optionally scatter the matrix back into an n-d tensor, and write
 * `out_path` atomically: .safetensors (one tensor) or .npy (BF16 as U16 bit
 * patterns).  opts may be NULL for the defaults. */
typedef struct nms_unpack_options {
    nms_dtype dtype;         /* as in nms_packed_read(); default NMS_DTYPE_COUNT */
    const char *tensor_name; /* tensor name in a .safetensors output; NULL = "weight" */
    int ndim;                /* 0 (default): write the rows x cols matrix; else the */
    const size_t *shape;     /* tensor of this shape whose matrix view in `layout` */
    nms_layout layout;       /* it is (nms_matrix_to_tensor)                        */
} nms_unpack_options;
void nms_unpack_options_init(nms_unpack_options *opts);
int nms_unpack_file(const char *prefix, nms_format format, int c_source,
                    const nms_unpack_options *opts, const char *out_path,
                    nms_error *err);
/* ==== emit: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* weight reconstruction (src/recon) */
/* ==== recon: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* whole models and structured pruning (src/structured) */
/* ==== structured: declarations above this line ==== */


#ifdef __cplusplus
}
#endif

#endif /* NMSPARSE_H */
