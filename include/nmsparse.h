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
/* ==== emit: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* weight reconstruction (src/recon) */
/*
 * Given a layer's weights W (R x C, rows = output units, C input channels,
 * C % 4 == 0) and its Gram matrix H = X^T X (C x C, symmetric PSD, from the
 * calibration inputs X of the layer), choose a 2:4 mask and the surviving
 * weights W^ so that the output error
 *     E(W^) = tr((W - W^) H (W - W^)^T)
 * is small.  Relative errors are E(W^) / tr(W H W^T).
 *
 * With an empirical Fisher instead (CHITA's setting) G is n x p, p = R*C,
 * one row per sample holding the gradient with respect to W flattened
 * row-major; then H = G^T G / n is p x p and couples all weights of the
 * layer: E(W^) = ||G vec(W - W^)||^2 / n.  The p x p matrix is never formed
 * (the solvers use G through Woodbury's identity: n x n systems).
 *
 * Damping: the solvers minimise the error for H + lambda I with
 * lambda = damp * mean(diag H); reported errors use H itself.
 *
 * Convolutions: the matrix view of a conv kernel [O, I, kh, kw] (see
 * nms_tensor_to_matrix: row o*K + k, column i, K = kh*kw) is, in memory, the
 * O x (K*I) matrix whose column k*I + i is input channel i at kernel position
 * k (row-major over kh, kw).  Pass that O x (K*I) matrix with H of size
 * (K*I) x (K*I): H[(k,i),(k',i')] = sum over output pixels of
 * x[i at offset k] x[i' at offset k'] (the im2col Gram in the same order), so
 * groups of 4 run along input channels at each kernel position when I % 4 == 0.
 * Passing the (O*K) x I view with an I x I H instead ignores the coupling
 * between kernel positions (H then has to be the Gram of the input channels
 * summed over kernel positions).
 *
 * Permutation: perm (length C, position j holds original column perm[j])
 * forms the 2:4 groups from the permuted columns: the problem solved is
 * (W P, P^T H P) (H permuted to match).  Outputs are always returned in the
 * ORIGINAL column order (so the layer computes with them unchanged); they
 * are 2:4 after applying the permutation.  With a Fisher G, perm (length C)
 * is applied to the columns of every row.
 */
typedef enum nms_recon_method {
    NMS_RECON_MAGNITUDE = 0, /* keep top-2 |w| per group, no update          */
    NMS_RECON_WANDA,         /* keep top-2 |w_ij| sqrt(H_jj), no update      */
    NMS_RECON_BACKSOLVE,     /* a given mask (default: the Wanda mask), then
                                the exact optimal surviving weights           */
    NMS_RECON_OBS,           /* SparseGPT-style sequential OBS mask selection
                                and updates, refitted by a backsolve (Gram
                                only)                                         */
    NMS_RECON_IHT            /* CHITA-style iterative hard thresholding with
                                exact 2:4 projection and line search, from the
                                best of Wanda+backsolve and OBS, backsolve on
                                the final support, then (H only) an exact
                                swap local search (default)                   */
} nms_recon_method;

/* "magnitude", "wanda", "backsolve", "obs", "iht"; NULL for a bad value. */
const char *nms_recon_method_name(nms_recon_method method);
/* NMS_ERR_INVALID for an unknown name. */
int nms_recon_method_parse(const char *name, nms_recon_method *method);

typedef struct nms_recon_options {
    nms_recon_method method; /* default NMS_RECON_IHT                         */
    double damp;             /* default 0.01; >= 0                             */
    int iht_iters;           /* IHT steps per round, default 10               */
    int iht_rounds;          /* IHT rounds (each ends with a backsolve), def. 1 */
    /* IHT with H only: after the IHT rounds, an exact local search applies
     * the best improving exchange of a kept and a pruned weight of the same
     * group (objective change computed exactly, support refitted), at most
     * swap_limit exchanges per row; 0 turns it off.  Default 256. */
    int swap_limit;
    const int32_t *perm;     /* NULL = identity; else length C (borrowed)      */
    /* Backsolve only: the mask to refit, R x C bytes (non-zero = kept) in
     * the original column order, any number kept per row (borrowed).  NULL =
     * the Wanda mask. */
    const unsigned char *mask;
} nms_recon_options;

/* Fill the defaults above. */
void nms_recon_options_init(nms_recon_options *options);

typedef struct nms_recon_report {
    double error;             /* E(W^) with H (undamped)                     */
    double rel_error;         /* error / base                                */
    double base;              /* tr(W H W^T): error of pruning everything     */
    double magnitude_error;   /* E of magnitude 2:4 pruning, same input/perm  */
    double magnitude_rel_error;
    double objective;         /* E(W^) with the damped H (what was minimised) */
    double lambda;            /* damp * mean(diag H)                          */
    int iterations;           /* IHT steps taken (0 for other methods)        */
    double seconds;           /* wall time                                    */
} nms_recon_report;

/* Reconstruct.  W: 2-D R x C, F32 or F64, finite.  Exactly one of H (2-D
 * C x C, F32 or F64, symmetric up to rounding) and G (2-D n x R*C) is
 * non-NULL.  options NULL = defaults.  Outputs (each may be NULL when not
 * wanted; freed with nms_tensor_free): *w_out the pruned, updated weights
 * (R x C, the dtype of W), *mask_out the mask (R x C, NMS_DTYPE_BOOL), both
 * in original column order; *report the numbers above.
 * Errors: NMS_ERR_SHAPE (sizes do not fit, C % 4 != 0), NMS_ERR_INVALID (bad
 * option, perm not a permutation, obs with G), NMS_ERR_NONFINITE,
 * NMS_ERR_NUMERIC (the damped H is not positive definite: raise damp),
 * NMS_ERR_NOMEM.  Work memory: about R*C + C*C doubles plus (C/2)^2 per
 * thread for H; for G, n*p + n*n doubles. */
int nms_reconstruct(const nms_tensor *W, const nms_tensor *H,
                    const nms_tensor *G, const nms_recon_options *options,
                    nms_tensor **w_out, nms_tensor **mask_out,
                    nms_recon_report *report, nms_error *err);

/* ==== recon: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* whole models and structured pruning (src/structured) */
/* ==== structured: declarations above this line ==== */


#ifdef __cplusplus
}
#endif

#endif /* NMSPARSE_H */
