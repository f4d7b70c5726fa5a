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

/* Convert element type.  Float targets round to nearest even; integer
 * targets round to nearest and fail with NMS_ERR_RANGE when out of range.
 * NaN / infinity make NMS_ERR_NONFINITE unless the target is a float type. */
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
 *   NMS_LAYOUT_AUTO  OI for 1-D and 2-D, OIHW for 3-D and 4-D.
 * A 1-D tensor [n] is one row of n input channels. */
typedef enum nms_layout {
    NMS_LAYOUT_AUTO = 0,
    NMS_LAYOUT_OI,
    NMS_LAYOUT_OIHW,
    NMS_LAYOUT_HWIO
} nms_layout;

int nms_layout_parse(const char *name, nms_layout *layout); /* "oi", ... */
const char *nms_layout_name(nms_layout layout);

/* The rows x cols float32 matrix of a weight tensor (any numeric dtype).
 * Fails with NMS_ERR_NONFINITE (naming the first bad element) on NaN / inf. */
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
 * ordered), 0-d to NMS_MAX_DIMS-d. */
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
/* ==== recon: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* whole models and structured pruning (src/structured) */
/*
 * Whole models.  A channel spec (text format: docs/channel-spec.md) names
 * every channel space of a model and each `tensor:axis` that runs over it,
 * with its role.  With it nmsparse can permute a model's channels so that it
 * still computes the same function (nms_model_apply), find those
 * permutations (nms_model_plan_solve), and remove whole channels
 * (nms_model_shrink, structured pruning as in PSP).
 */
typedef enum nms_channel_role {
    NMS_ROLE_PRODUCER = 0, /* weight; the OUTPUT axis makes the channels    */
    NMS_ROLE_BIAS,         /* added to the producers' output               */
    NMS_ROLE_SCALE,        /* batch-norm gamma after the producer          */
    NMS_ROLE_SHIFT,        /* batch-norm beta after the producer           */
    NMS_ROLE_PARAM,        /* other per-channel tensor (batch-norm mean and
                              variance, depthwise kernels)                 */
    NMS_ROLE_ALPHA,        /* PSP structure parameter: multiplies the channel
                              just before its activation (after the batch
                              norm when there is one)                      */
    NMS_ROLE_CONSUMER      /* weight; the INPUT axis reads the channels       */
} nms_channel_role;

typedef struct nms_channel_spec nms_channel_spec;

/* Parse a spec from memory (`size` bytes; `source` names it in messages)
 * or from a file.  Syntax errors are NMS_ERR_FORMAT with err->line set and
 * the message "SOURCE:LINE: ...".  *out is released with nms_spec_free(). */
int nms_spec_parse(const char *text, size_t size, const char *source,
                   nms_channel_spec **out, nms_error *err);
int nms_spec_read(const char *path, nms_channel_spec **out, nms_error *err);
void nms_spec_free(nms_channel_spec *spec);

/* Check a spec against a model: every tensor exists, every axis is in range
 * and is the layout's output axis (producers) / input axis (consumers),
 * every entry of a space has the same channel count (and the count written
 * on the space line), no tensor axis is in two spaces, every space has a
 * producer and a consumer, at most one alpha.  Errors name the spec line:
 * NMS_ERR_NOTFOUND (unknown tensor), NMS_ERR_INVALID (axis, role),
 * NMS_ERR_SHAPE (sizes). */
int nms_spec_validate(const nms_channel_spec *spec, const char *model_path,
                      nms_error *err);

/* Spaces of a spec (in file order) and their entries. */
size_t nms_spec_space_count(const nms_channel_spec *spec);
const char *nms_spec_space_name(const nms_channel_spec *spec, size_t space);
size_t nms_spec_entry_count(const nms_channel_spec *spec, size_t space);
/* Entry j of a space: tensor name, axis (-1 when the spec leaves it to the
 * role's default), role, layout (NMS_LAYOUT_AUTO when not written), line.
 * Any out pointer may be NULL.  NMS_ERR_INVALID when out of range. */
int nms_spec_entry(const nms_channel_spec *spec, size_t space, size_t j,
                   const char **tensor, int *axis, nms_channel_role *role,
                   nms_layout *layout, long *line);

/* A starting spec for a plainly sequential model (a safetensors file), as
 * text (nms_free): weights (2 or more axes) in the file's order; when a
 * weight's output count equals the next weight's input count, a space with
 * the first as producer and the second as consumer, plus the tensors of one
 * axis of that size that lie between them or share the producer's module
 * (name up to the last '.'): bias, batch-norm scale / shift / param, alpha.
 * 2-D weights are OI; others use `layout` (NMS_LAYOUT_AUTO = OIHW).  The
 * user must check it (residual connections are not detected). */
int nms_spec_guess(const char *model_path, nms_layout layout, char **text,
                   nms_error *err);

/* ---- plans: one permutation per channel space ---- */
typedef struct nms_model_plan nms_model_plan;

typedef struct nms_space_plan {
    const char *space;       /* space name                                */
    size_t channels;         /* C                                         */
    size_t consumers;        /* consumer tensors stacked into the problem */
    size_t rows;             /* rows of the stacked matrix                */
    const int32_t *perm;     /* C entries: position j holds channel perm[j] */
    double value;            /* kept |w| under perm                       */
    double bound;            /* proven upper bound                        */
    double gap;              /* (bound - value) / value, 0 when value = 0 */
    double identity_value;   /* kept |w| in the original order            */
    double seconds;
    const char *status;      /* "optimal", "time_limit", ... from the solver */
} nms_space_plan;

/* An empty plan, and adding a space to it (perm copied; status copied). */
int nms_model_plan_create(nms_model_plan **out, nms_error *err);
int nms_model_plan_add(nms_model_plan *plan, const nms_space_plan *space,
                       nms_error *err);
void nms_model_plan_free(nms_model_plan *plan);
size_t nms_model_plan_count(const nms_model_plan *plan);
/* Space i; the pointers stay valid until the plan is freed. */
int nms_model_plan_get(const nms_model_plan *plan, size_t i,
                       nms_space_plan *out, nms_error *err);
/* PLAN.json: {"format": "nmsparse-model-plan", "version": 1, "spaces": [
 * {"space", "channels", "consumers", "rows", "value", "bound", "gap",
 *  "identity_value", "seconds", "status", "perm": [...]}, ...]}.
 * Written atomically. */
int nms_model_plan_write(const nms_model_plan *plan, const char *path,
                         nms_error *err);
int nms_model_plan_read(const char *path, nms_model_plan **out,
                        nms_error *err);

/* Solving: for every space, the 2:4 partition problem of its consumers'
 * input channels (all consumers' rows stacked: S = |[T_1; T_2; ...]|), with
 * the partition solver (nms_part_solve).  Spaces are solved `jobs` at a time;
 * the plan lists them in spec order.  Every space needs a channel count that
 * is a multiple of 4. */
typedef struct nms_model_plan_options {
    double time_limit_per_space; /* seconds per space; <= 0 = none (default 60) */
    double gap;                  /* relative gap to stop at (default 1e-9)    */
    int jobs;                    /* spaces solved at once (default 1)         */
    int threads;                 /* solver threads per space (0 = default)    */
    const char *method;          /* "bp" (default), "swap", "identity"        */
    volatile int *interrupt;     /* set non-zero: running and remaining solves
                                    stop early with their best permutation
                                    and certificate (status "interrupted")   */
    /* Called after each space (serialised; any thread): spaces done, total,
     * the space just finished.  May be NULL. */
    void (*progress)(size_t done, size_t total, const char *space, void *ctx);
    void *progress_ctx;
} nms_model_plan_options;
void nms_model_plan_options_init(nms_model_plan_options *opt);
int nms_model_plan_solve(const char *model_path, const nms_channel_spec *spec,
                         const nms_model_plan_options *opt,
                         nms_model_plan **out, nms_error *err);

/* ---- apply: permute every tensor of each space, optionally prune 2:4 ---- */
typedef struct nms_model_apply_options {
    int prune_24;      /* 0 (default): permute only.  1: then prune every
                          consumer to 2:4 along its input axis (keep the two
                          largest |w| of each group of 4, ties to the lower
                          index). */
} nms_model_apply_options;

/* Read `model_path`, permute, write `out_path` atomically.  Every space of
 * the spec must have a permutation of its size in the plan, and every plan
 * space must be in the spec.  Tensors outside the spec (and the metadata)
 * are copied byte for byte; tensor order is kept.  opt NULL = defaults. */
int nms_model_apply(const char *model_path, const nms_channel_spec *spec,
                    const nms_model_plan *plan,
                    const nms_model_apply_options *opt, const char *out_path,
                    nms_error *err);

/* ---- shrink: structured pruning (PSP) with compaction ---- */
typedef struct nms_shrink_options {
    int by_ratio;      /* 0: remove channels whose score <= threshold.
                          1: remove floor(ratio * C) lowest-scored channels
                          of every space (ties: lower index removed first). */
    double threshold;  /* default 0 (removes channels with alpha == 0)   */
    double ratio;      /* in [0, 1), default 0                           */
    size_t multiple;   /* keep a multiple of this many channels per space
                          (rounding the kept count up), default 1; 4 keeps
                          consumers ready for 2:4 */
} nms_shrink_options;
void nms_shrink_options_init(nms_shrink_options *opt);

/* The score of channel c: |alpha[c]| when the space has an alpha entry,
 * else the L2 norm of all producers' output slices W[c, ...].  Alphas are
 * folded (then set to 1) into the scale and shift entries of their space
 * when it has any (alpha * (gamma * z_hat + beta)), else into producers and
 * biases (alpha * (W x + b)); removed channels are cut from every tensor of
 * their space, and the result written atomically.  A space always keeps at
 * least one channel (or `multiple`). */
typedef struct nms_shrink_report nms_shrink_report;
int nms_model_shrink(const char *model_path, const nms_channel_spec *spec,
                     const nms_shrink_options *opt, const char *out_path,
                     nms_shrink_report **report, nms_error *err);
void nms_shrink_report_free(nms_shrink_report *r);
/* Totals: parameters = elements of all tensors; multiply-adds per output
 * position = elements of every tensor of 2 or more axes (each taken as a
 * linear or convolution weight: per token, per output pixel). */
void nms_shrink_report_totals(const nms_shrink_report *r,
                              uint64_t *params_before, uint64_t *params_after,
                              uint64_t *macs_before, uint64_t *macs_after);
size_t nms_shrink_report_count(const nms_shrink_report *r);
/* Space i: name, channels before and after; kept[k] (length *after) lists
 * the kept original channels in order.  Pointers valid until freed. */
int nms_shrink_report_space(const nms_shrink_report *r, size_t i,
                            const char **space, size_t *before, size_t *after,
                            const int32_t **kept);
/* ==== structured: declarations above this line ==== */


#ifdef __cplusplus
}
#endif

#endif /* NMSPARSE_H */
