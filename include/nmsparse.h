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
 * `shape` / `ndim` in `layout`, keeping the matrix's dtype (convert it first
 * with nms_tensor_convert to get the original dtype back).  NMS_ERR_SHAPE
 * when the matrix is not 2-D or its shape is not the matrix shape of
 * `shape` in `layout`. */
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

/* Open and validate the header: at most 100 MB, strict JSON (err->line and
 * err->column locate a syntax error inside the header), no duplicate names,
 * each entry exactly {dtype, shape, data_offsets}, dtypes BOOL U8 I8 U16 I16
 * F16 BF16 U32 I32 F32 U64 I64 F64 F8_E4M3 F8_E5M2 (others are
 * NMS_ERR_UNSUPPORTED), data_offsets[1] - data_offsets[0] == numel x dtype
 * size, and - as the reference implementation requires - the tensors tile
 * the data section exactly: no overlap, no gap, no trailing bytes.  Tensor
 * data is read on demand (the file stays open until nms_st_close); several
 * threads may call nms_st_load on one object at once. */
int nms_st_open(const char *path, nms_safetensors **out, nms_error *err);
/* The same over a memory buffer, which is copied. */
int nms_st_open_mem(const void *data, size_t size, const char *name,
                    nms_safetensors **out, nms_error *err);
void nms_st_close(nms_safetensors *f);

/* Tensors are indexed 0..count-1 in the order of their data offsets.  For an
 * index out of range the accessors return NULL, -1 or NMS_DTYPE_COUNT.
 * nms_st_find returns NMS_ERR_NOTFOUND for an unknown name (O(log n)). */
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
 * are stored in the order added, contiguously; "__metadata__" comes first in
 * the header, which is padded with spaces to a multiple of 8 bytes.  Adding
 * a name twice, the name "__metadata__", or a name, key or value that is not
 * valid UTF-8 is NMS_ERR_INVALID; setting a metadata key again replaces its
 * value. */
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
/* A linear program and the state of its simplex solver (src/lp).
 *
 *     minimise (or maximise)   c'x + c0
 *     subject to               L <= A x <= U     (rows)
 *                              l <=   x <= u     (columns)
 *
 * A is stored sparse by columns.  Bounds may be infinite (-HUGE_VAL /
 * HUGE_VAL); lo == hi is an equality row or a fixed column.  The solver is a
 * bounded-variable revised simplex (primal and dual) of our own: geometric
 * scaling, sparse LU of the basis with product-form updates, devex pricing
 * (primal) and dual steepest edge (dual), Harris ratio tests with bound
 * shifting / perturbation (primal) and cost shifting / perturbation (dual)
 * against degeneracy.
 *
 * Warm start: the handle keeps the basis of the last solve.  Columns added or
 * bounds changed after a solve are taken into account by the next solve,
 * which starts from that basis (new columns nonbasic at a finite bound, new
 * rows with their slack basic).
 *
 * Dual sign convention.  For a minimisation, the row dual y_i is the
 * derivative of the optimal objective with respect to the row's active bound
 * (L_i or U_i), and the reduced cost is d_j = c_j - a_j'y (a_j = column j of
 * A).  At an optimum of a minimisation: d_j >= 0 at a lower bound, d_j <= 0
 * at an upper bound, d_j = 0 for basic columns; y_i >= 0 on an active lower
 * row bound, y_i <= 0 on an active upper one.  For a maximisation the same
 * formulas hold with the max objective (y is still the derivative of the
 * optimal (max) objective; at an optimum d_j <= 0 at a lower bound, >= 0 at an
 * upper bound).  So for the set-partitioning master
 * max sum v_S x_S, sum_{S ni i} x_S = 1, the duals pi satisfy
 * v_S - pi(S) <= 0 for all columns and sum_i pi_i = the LP objective.
 *
 * Thread safety: one nms_lp must not be used from two threads at once;
 * distinct handles are independent.
 */
typedef struct nms_lp nms_lp;

/* What the MODEL is after a solve (errors are reported separately). */
typedef enum nms_lp_status {
    NMS_LP_UNSOLVED = 0,     /* not solved since the last change          */
    NMS_LP_OPTIMAL,          /* optimal within the tolerances             */
    NMS_LP_INFEASIBLE,       /* no x satisfies the bounds                 */
    NMS_LP_UNBOUNDED,        /* feasible with an improving ray            */
    NMS_LP_ITERATION_LIMIT,  /* stopped at options.iteration_limit        */
    NMS_LP_TIME_LIMIT,       /* stopped at options.time_limit             */
    NMS_LP_NUMERICAL,        /* numerical trouble the solver could not fix */
    NMS_LP_INTERRUPTED       /* *options.interrupt became non-zero         */
} nms_lp_status;

/* "unsolved", "optimal", "infeasible", "unbounded", "iteration limit",
 * "time limit", "numerical trouble", "interrupted".  Never NULL. */
const char *nms_lp_status_name(nms_lp_status s);

#define NMS_LP_AUTO 0    /* dual if the start is primal infeasible, else primal */
#define NMS_LP_PRIMAL 1  /* primal simplex                                 */
#define NMS_LP_DUAL 2    /* dual simplex (primal when not dual feasible)   */

/* Solver options.  Tolerances apply to the scaled problem. */
typedef struct nms_lp_options {
    double primal_feas_tol;   /* bound violation allowed; default 1e-7      */
    double dual_feas_tol;     /* reduced-cost sign violation; default 1e-9  */
    double pivot_tol;         /* smallest |pivot| in the ratio test; 1e-7   */
    double time_limit;        /* seconds, <= 0 = none (default 0)           */
    long iteration_limit;     /* per solve, <= 0 = none (default 0)         */
    int algorithm;            /* NMS_LP_AUTO (default) / _PRIMAL / _DUAL    */
    int scaling;              /* 1 = geometric + equilibration (default), 0 = off */
    volatile int *interrupt;  /* if non-NULL and becomes non-zero: stop with
                                 NMS_LP_INTERRUPTED (default NULL)          */
    void (*tick)(void *ctx);  /* if non-NULL: called every 16 iterations on
                                 the solving thread, e.g. for progress lines
                                 (default NULL)                             */
    void *tick_ctx;
} nms_lp_options;

/* Fill the defaults listed above. */
void nms_lp_options_default(nms_lp_options *opt);

/* An empty LP (0 rows, 0 columns, minimise).  Free with nms_lp_free(). */
int nms_lp_create(nms_lp **out, nms_error *err);
void nms_lp_free(nms_lp *lp);  /* NULL is ok */

/* 1 = maximise, 0 = minimise (the default). */
int nms_lp_set_maximize(nms_lp *lp, int maximize);
int nms_lp_is_maximize(const nms_lp *lp);
/* The constant c0 added to the objective (default 0). */
int nms_lp_set_obj_offset(nms_lp *lp, double c0);
double nms_lp_obj_offset(const nms_lp *lp);

/* Append n rows lo[k] <= a_k x <= hi[k] (use -HUGE_VAL / HUGE_VAL for none;
 * lo == hi is an equality).  The new rows have no coefficients yet (columns
 * added later fill them).  NMS_ERR_INVALID for lo > hi, NaN, or lo = +inf /
 * hi = -inf. */
int nms_lp_add_rows(nms_lp *lp, size_t n, const double *lo, const double *hi,
                    nms_error *err);

/* Append n columns in CSC form: column k has the entries
 * index[start[k] .. start[k+1]-1] (0-based row numbers, each at most once)
 * with values value[...]; start has n+1 entries, start[0] may be non-zero.
 * cost may be NULL (all 0); lo / hi may be NULL (0 and +inf).  May be called
 * after a solve: the next solve warm-starts from the previous basis, the new
 * columns nonbasic at a finite bound.  Arrays are copied.  Zero values are
 * dropped.  NMS_ERR_INVALID for a row index out of range, a repeated index,
 * a non-finite coefficient or cost, or bad bounds. */
int nms_lp_add_cols(nms_lp *lp, size_t n, const double *cost, const double *lo,
                    const double *hi, const size_t *start,
                    const int32_t *index, const double *value, nms_error *err);

/* Delete the columns j with drop[j] != 0 (drop has num_cols entries); the
 * others keep their order, bounds, costs, basis status and last values.
 * The basis is kept for the next (warm) solve when no deleted column is
 * basic; otherwise the next solve starts from the slack basis. */
int nms_lp_delete_cols(nms_lp *lp, const unsigned char *drop, nms_error *err);

/* Change one column's bounds / cost, or one row's bounds.  The basis is kept
 * for the next (warm) solve. */
int nms_lp_set_col_bounds(nms_lp *lp, size_t col, double lo, double hi,
                          nms_error *err);
int nms_lp_set_col_cost(nms_lp *lp, size_t col, double cost, nms_error *err);
int nms_lp_set_row_bounds(nms_lp *lp, size_t row, double lo, double hi,
                          nms_error *err);

size_t nms_lp_num_rows(const nms_lp *lp);
size_t nms_lp_num_cols(const nms_lp *lp);
size_t nms_lp_num_nonzeros(const nms_lp *lp);

/* Solve (warm when a basis exists; after an optimal solve the basis's
 * factors are kept, so a re-solve after added columns or changed bounds or
 * costs starts without factoring again).  Returns NMS_OK when the solver ran,
 * whatever the model status (read it with nms_lp_get_status()), or an error
 * status (NMS_ERR_NOMEM, NMS_ERR_INVALID for bad options).  opt NULL means
 * the defaults. */
int nms_lp_solve(nms_lp *lp, const nms_lp_options *opt, nms_error *err);

nms_lp_status nms_lp_get_status(const nms_lp *lp);
/* c'x + c0 at the last solution (meaningful when optimal). */
double nms_lp_objective(const nms_lp *lp);
/* Copy the last solution out: primal x (num_cols values), row duals y
 * (num_rows), reduced costs d (num_cols), row activities Ax (num_rows).
 * Before any solve (or for rows / columns added since) the values are 0.
 * NMS_ERR_INVALID for a NULL argument. */
int nms_lp_get_primal(const nms_lp *lp, double *x);
int nms_lp_get_row_duals(const nms_lp *lp, double *y);
int nms_lp_get_reduced_costs(const nms_lp *lp, double *d);
int nms_lp_get_row_activity(const nms_lp *lp, double *ax);
/* Simplex iterations of the last solve. */
long nms_lp_iterations(const nms_lp *lp);
/* Wall-clock seconds of the last solve. */
double nms_lp_solve_seconds(const nms_lp *lp);

/* Basis status of each column / row (the row's slack variable). */
#define NMS_LP_BASIC 0
#define NMS_LP_AT_LOWER 1
#define NMS_LP_AT_UPPER 2
#define NMS_LP_AT_ZERO 3   /* free nonbasic at 0 */
#define NMS_LP_FIXED 4     /* nonbasic with lo == hi */
/* col_status (num_cols) and row_status (num_rows) may each be NULL. */
int nms_lp_get_basis(const nms_lp *lp, int *col_status, int *row_status);
/* Set the basis the next solve starts from (e.g. one saved with
 * nms_lp_get_basis() for another LP with the same rows).  Exactly num_rows
 * entries of the two arrays must be NMS_LP_BASIC; a nonbasic status that
 * does not fit the bounds is replaced by one that does.  A singular basis is
 * repaired by the solver (slacks replace dependent columns).
 * NMS_ERR_INVALID for a NULL array, an unknown status or a wrong count. */
int nms_lp_set_basis(nms_lp *lp, const int *col_status, const int *row_status,
                     nms_error *err);

/* Names (optional; set by the MPS reader).  NULL when unnamed. */
const char *nms_lp_name(const nms_lp *lp);
const char *nms_lp_row_name(const nms_lp *lp, size_t row);
const char *nms_lp_col_name(const nms_lp *lp, size_t col);

/* Read an MPS file (fixed or free format, detected per file; CRLF ok; .gz
 * when built with zlib).  Sections NAME ROWS COLUMNS RHS RANGES BOUNDS
 * ENDATA, OBJSENSE / OBJSENSE MAX.  Conventions:
 *  - the first N row is the objective; other N rows are dropped;
 *  - an RHS entry r on the objective row is the objective constant:
 *    c0 = +r, i.e. the objective is c'x + r.  This is what glpsol (GLPK 5.0)
 *    computes and what the Netlib reference values with constants (e226:
 *    -25.86492907) assume; some other solvers (CPLEX, HiGHS) use c0 = -r
 *    instead, and the Netlib readme ignores the constant;
 *  - RANGES R on a row with right-hand side b: G row [b, b+|R|], L row
 *    [b-|R|, b], E row [b, b+R] when R > 0 and [b+R, b] when R < 0, N row
 *    ignored;
 *  - BOUNDS UP with a negative value on a column whose lower bound is 0
 *    sets the lower bound to -inf (the usual convention, as GLPK and CPLEX);
 *    MI sets lo = -inf; PL hi = +inf; BV [0, 1]; LI / UI integer bounds
 *    (integrality is ignored: this is an LP reader);
 *  - MARKER INTORG / INTEND lines are accepted and ignored.
 * Errors name the file and line (err->line).  *out is freed with
 * nms_lp_free(). */
int nms_lp_read_mps(const char *path, nms_lp **out, nms_error *err);

/* Write the last solution as text: status, objective, then one line per
 * column "name value reduced_cost" and per row "name activity dual".  The
 * file is written atomically. */
int nms_lp_write_solution(const nms_lp *lp, const char *path, nms_error *err);
/* ==== lp: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* channel partition solver (src/part) */
/* The channel partition solver: a permutation of the input channels (columns)
 * of a score matrix maximising the 2:4 kept magnitude (nms_kept_value),
 * with a certificate: a proven upper bound on the best possible value.
 *
 * Methods:
 *   NMS_PART_BP        (default) heuristics (greedy, group-pair re-split
 *                      local search), then column generation on the
 *                      set-partitioning LP (exact pricing by enumeration with
 *                      bounds), then an exact search over every group whose
 *                      reduced cost could still appear in a better partition.
 *                      Proves optimality when it finishes.  Over enum_cap
 *                      groups, the search runs over the groups above a
 *                      raised threshold (see "search" below).  For cols above
 *                      exact_max_cols only the heuristics run and the bound is
 *                      the unstructured one, unless a time limit gives the
 *                      time for the rest.
 *   NMS_PART_SWAP      the classic channel-swap search (best improving swap of
 *                      two channels in different groups, until none), from the
 *                      identity.  Bound: unstructured.
 *   NMS_PART_IDENTITY  no permutation.  Bound: unstructured.
 *
 * Bound kinds (what the reported bound rests on):
 *   "unstructured"  sum over rows of the cols/2 largest scores;
 *   "lagrangian"    sum_i pi_i + (1/4) sum_i u_i, u_i >= the largest
 *                   v(S) - pi(S) of the groups S holding channel i (from an
 *                   exact pricing; never weaker than
 *                   sum pi + (cols/4) max(0, max_S (v(S) - pi(S)))), for the
 *                   dual vector pi with the best such bound;
 *   "lp"            the same when column generation converged (= the LP
 *                   relaxation value, up to 1e-10 relative);
 *   "search"        a completed search over every group of reduced cost above
 *                   the threshold that any better partition needs: bound =
 *                   value + gap tolerance x value; or, when the search was
 *                   cut short or its pool was cut at a raised threshold t,
 *                   the larger of its best open node and
 *                   sum pi + t + (1/4)(sum u - its 4 smallest entries).
 * Results (perm, value, bound, status) do not depend on the thread count,
 * except where a time limit or interrupt cuts the run short. */
typedef enum nms_part_method {
    NMS_PART_BP = 0,
    NMS_PART_SWAP,
    NMS_PART_IDENTITY
} nms_part_method;
int nms_part_method_parse(const char *name, nms_part_method *m); /* "bp" "swap" "identity" */
const char *nms_part_method_name(nms_part_method m);

typedef enum nms_part_status {
    NMS_PART_OPTIMAL = 0,   /* gap <= 1e-9 (relative)                         */
    NMS_PART_GAP_LIMIT,     /* gap <= the requested tolerance (> 1e-9)        */
    NMS_PART_TIME_LIMIT,    /* stopped by the time limit (or the next step
                             * would not have ended by it)                    */
    NMS_PART_INTERRUPTED,   /* stopped because *interrupt became non-zero     */
    NMS_PART_HEURISTIC      /* swap / identity / large-C heuristics: no proof */
} nms_part_status;
const char *nms_part_status_name(nms_part_status s); /* "optimal", "gap_limit", ... */

typedef enum nms_part_bound_kind {
    NMS_PART_BOUND_UNSTRUCTURED = 0,
    NMS_PART_BOUND_LAGRANGIAN,
    NMS_PART_BOUND_LP,
    NMS_PART_BOUND_SEARCH
} nms_part_bound_kind;
const char *nms_part_bound_kind_name(nms_part_bound_kind k);

/* Progress report, passed to the callback (valid during the call only). */
typedef struct nms_part_progress {
    double seconds;     /* since the start */
    double value;       /* incumbent */
    double bound;       /* best proven upper bound */
    double gap;         /* (bound - value) / max(|value|, tiny) */
    long nodes;         /* search nodes so far */
    long columns;       /* columns in the master */
    const char *phase;  /* "heuristic", "pricing", "search", "done" */
} nms_part_progress;

typedef struct nms_part_options {
    nms_part_method method;   /* default NMS_PART_BP */
    double time_limit;        /* seconds; <= 0 = none (default 0) */
    double gap;               /* relative gap tolerance, default 1e-9 */
    int threads;              /* OpenMP threads; 0 = all available (default) */
    unsigned long seed;       /* seed of the window and refill searches' random
                                 choices; default 0 */
    size_t exact_max_cols;    /* above this many columns BP runs only the
                                 heuristics (large-C mode) unless time_limit
                                 is set; default 128 */
    size_t enum_cap;          /* most groups the exact search may hold (about
                                 240 bytes each at the peak); over it, the
                                 groups above a raised threshold;
                                 default 8 000 000 (about 1.9 GB) */
    volatile int *interrupt;  /* non-NULL and set non-zero (e.g. from a signal
                                 handler): stop, return the best so far with
                                 its certificate, status INTERRUPTED */
    /* Called when the incumbent or the bound improves and about every
     * progress_interval seconds (default 2); may be NULL.  From the calling
     * thread only. */
    void (*progress)(const nms_part_progress *p, void *ctx);
    void *progress_ctx;
    double progress_interval;
} nms_part_options;
void nms_part_options_default(nms_part_options *opt);

typedef struct nms_part_result {
    int32_t *perm;            /* cols entries (see Permutations); nms_part_result_free */
    size_t rows, cols;
    double value;             /* kept(perm), as nms_kept_value computes it */
    double bound;             /* proven: no permutation keeps more */
    nms_part_bound_kind bound_kind;
    double gap;               /* (bound - value) / value (0 when value is 0) */
    nms_part_status status;
    double identity_value;
    double unstructured_bound;
    double lp_bound;          /* root LP value when column generation converged, else NaN */
    double seconds;           /* wall clock */
    double cpu_seconds;       /* processor time of the whole process (all threads) */
    long nodes;               /* nodes of the exact search */
    long columns;             /* columns generated into the master */
    long pricing_rounds;
    long enumerated;          /* groups enumerated for the exact search */
    int threads;              /* threads used */
} nms_part_result;

/* Solve for one score matrix (2-D tensor F32/F64, cols a multiple of 4; the
 * absolute value of each entry is the score, so weights may be passed
 * directly).  opt NULL = defaults.  On success *res is filled and owns perm;
 * on failure *res is zeroed. */
int nms_part_solve(const nms_tensor *scores, const nms_part_options *opt,
                   nms_part_result *res, nms_error *err);
/* Several matrices sharing input channels (same cols), solved as one problem:
 * their rows are concatenated (e.g. q, k, v projections). */
int nms_part_solve_stacked(const nms_tensor *const *scores, size_t count,
                           const nms_part_options *opt, nms_part_result *res,
                           nms_error *err);
void nms_part_result_free(nms_part_result *res);
/* Write res as a JSON report to path (atomically): format, version, input
 * and method (when not NULL), status, value, bound, bound_kind, gap,
 * identity_value, unstructured_bound, lp_bound (null if none), seconds,
 * cpu_seconds, nodes, columns, pricing_rounds, enumerated, threads, rows, cols, perm. */
int nms_part_report_write(const char *path, const nms_part_result *res,
                          const char *input, const char *method, nms_error *err);

/* ==== part: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* 2:4 pruning kernels (src/prune) */
/* The pruning rule (stable and documented; the same in every variant).
 * In every group of 4 consecutive input channels of a row of the matrix view
 * (positions 4g..4g+3, after the permutation when one is given) the two
 * elements of largest magnitude |x| are kept:
 *   - ties go to the lower position, so a group of four equal magnitudes
 *     (all zeros, say) keeps positions 0 and 1;
 *   - -0.0 counts as zero (it ties with +0.0);
 *   - subnormals are ordinary small magnitudes, +-infinity the largest;
 *   - int8: |-128| is 128, the largest;
 *   - NaN is rejected with NMS_ERR_NONFINITE naming its row and column.
 * Exactly two of every four are kept.  Kept elements are copied bit for bit
 * (a kept -0.0 stays -0.0); dropped ones become +0 (all-zero bytes).
 * Element types: F32, F16, BF16, I8 (others are NMS_ERR_UNSUPPORTED).
 * A group with fewer than two nonzeros still has a definite mask (e.g. [0 0 0 5]
 * keeps positions 0 and 3); compressors that derive indices from the nonzeros
 * of the pruned tensor (formats-24.md, sec. 3) may name other zero slots,
 * which decodes to the same dense tensor.
 *
 * Kernels: a scalar reference and SIMD variants (SSE4.1, AVX2, AVX-512 F+BW+VL,
 * NEON) producing identical bytes; the best one the CPU and OS support is
 * chosen at run time (detected once, thread-safely).  The environment
 * variable NMS_PRUNE_VARIANT (a variant name) overrides the automatic choice. */
typedef enum nms_prune_variant {
    NMS_PRUNE_AUTO = 0, /* NMS_PRUNE_VARIANT if set, else the best supported */
    NMS_PRUNE_SCALAR,
    NMS_PRUNE_SSE41,
    NMS_PRUNE_AVX2,
    NMS_PRUNE_AVX512,
    NMS_PRUNE_NEON,
    NMS_PRUNE_VARIANT_COUNT
} nms_prune_variant;

/* "auto", "scalar", "sse4.1", "avx2", "avx512", "neon" ("?" if invalid). */
const char *nms_prune_variant_name(nms_prune_variant variant);
/* Parse a name above (also "sse41", case-insensitive); NMS_ERR_INVALID else. */
int nms_prune_variant_parse(const char *name, nms_prune_variant *variant);
/* 1 when the variant was compiled in and this CPU and OS can run it
 * (always 1 for AUTO and SCALAR), else 0. */
int nms_prune_variant_supported(nms_prune_variant variant);
/* The variant a request runs: AUTO becomes NMS_PRUNE_VARIANT from the
 * environment when set and non-empty, else the best supported variant.
 * NMS_ERR_INVALID for an unknown name in the environment, NMS_ERR_UNSUPPORTED
 * when the requested (or environment) variant is not supported here. */
int nms_prune_variant_resolve(nms_prune_variant requested,
                              nms_prune_variant *used, nms_error *err);

/* Sparsity pattern of a prune.  2:4 is the rule above.  1:2 keeps one of
 * each aligned column pair (positions 2j, 2j+1 of a row): the larger |x|,
 * ties to the lower index, -0.0 as zero, NaN rejected -- the pattern of the
 * fp32 (TF32) CUTLASS layout.  A 1:2 result is also 2:4. */
typedef enum nms_prune_pattern {
    NMS_PATTERN_2_4 = 0,
    NMS_PATTERN_1_2,
    NMS_PATTERN_COUNT
} nms_prune_pattern;

/* "2:4", "1:2" ("?" if invalid). */
const char *nms_prune_pattern_name(nms_prune_pattern pattern);
/* Parse "2:4" or "1:2"; NMS_ERR_INVALID else. */
int nms_prune_pattern_parse(const char *name, nms_prune_pattern *pattern);

typedef struct nms_prune_options {
    nms_layout layout;         /* matrix view; default NMS_LAYOUT_AUTO        */
    int original_order;        /* with a permutation: 0 (default) writes the
                                  columns in permuted (deployed) order, 1 maps
                                  the same mask back to the original order    */
    nms_prune_variant variant; /* default NMS_PRUNE_AUTO                      */
    nms_prune_pattern pattern; /* default NMS_PATTERN_2_4                     */
} nms_prune_options;

/* Fill *opt with the defaults above. */
void nms_prune_options_init(nms_prune_options *opt);

/* 2:4-prune a weight tensor w (F32, F16, BF16 or I8; any shape the layout
 * accepts) whose matrix view has cols % 4 == 0.
 *   perm  NULL (identity) or a permutation of the cols input channels:
 *         position j holds original channel perm[j] (see Permutations).  It
 *         is applied on the fly; no permuted copy of w is made.
 *   opt   NULL for the defaults.
 *   pruned (may be NULL) receives a new tensor of w's dtype.  Without perm,
 *         or with original_order, it has w's shape and each element is w's
 *         element or +0.  With perm and !original_order it has w's shape
 *         with the input-channel axis permuted:
 *         pruned[.., j, ..] = w[.., perm[j], ..] or +0.
 *   mask  (may be NULL) receives a new U8 tensor of the same shape and order
 *         as *pruned: 1 where the element is kept, 0 where it is dropped.
 * Errors: NMS_ERR_UNSUPPORTED (dtype), NMS_ERR_SHAPE (cols % 4 != 0 or a
 * layout that does not fit), NMS_ERR_INVALID (perm not a permutation, both
 * outputs NULL), NMS_ERR_NONFINITE (a NaN: the message names the row and
 * column of the matrix view and the tensor index), NMS_ERR_NOMEM.  On
 * failure *pruned and *mask are set to NULL. */
int nms_prune_24(const nms_tensor *w, const int32_t *perm,
                 const nms_prune_options *opt, nms_tensor **pruned,
                 nms_tensor **mask, nms_error *err);

/* The same on caller-owned memory for a row-major rows x cols matrix `in`
 * (rows * cols elements of dtype, cols % 4 == 0, no alignment needed):
 *   out   NULL or rows * cols elements (permuted column order unless
 *         original_order); may be the same pointer as in (in place);
 *   mask  NULL or rows * cols bytes, 1 kept / 0 dropped, same order as out.
 * Allocates nothing when perm is NULL, else one or two rows of scratch.  On
 * failure (a NaN) the outputs hold partial results. */
int nms_prune_24_buffer(nms_dtype dtype, size_t rows, size_t cols,
                        const void *in, const int32_t *perm,
                        int original_order, nms_prune_variant variant,
                        void *out, uint8_t *mask, nms_error *err);

/* Prune and pack in one pass to the generic values + metadata layout
 * (formats-24.md sec. 4): the bytes nms_pack(NMS_FORMAT_NM) gives for the
 * pruned matrix, without materialising it.  `in` is a row-major rows x cols
 * matrix of dtype (F32, F16, BF16, I8; cols % 4 == 0); perm (NULL or a
 * permutation of the cols columns) is applied on the fly and the packed
 * columns are in permuted order.
 *   values  rows x cols/2 elements of dtype: per group the elements at
 *           positions i0 < i1 (kept ones; for a group left with fewer than
 *           two nonzeros the positions of the specification's table);
 *   meta    rows x ceil(cols/8) bytes: per row, byte b = code(2b) |
 *           code(2b+1) << 4 with code = i0 | i1 << 2 (an unused high nibble
 *           is 0).
 * values and meta must not overlap in (no packing in place: the AVX-512
 * kernels read a stretch of a row again after writing its values).
 * As with nms_pack, a kept -0.0 in a slot the code does not name comes back
 * as +0 on unpacking.  Uses a few rows of scratch (per thread); with SSE4.1,
 * AVX2, AVX-512 and NEON the compaction is vectorised (AVX2 / AVX-512 prune
 * and pack in registers).  Inputs of 4 MB and more are split over OpenMP
 * threads in blocks of rows (OMP_NUM_THREADS); the bytes, and the error
 * reported first, do not depend on the number of threads.  Errors as
 * nms_prune_24_buffer. */
int nms_prune_24_nm(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                    const int32_t *perm, nms_prune_variant variant, void *values,
                    uint8_t *meta, nms_error *err);
/* Prune and pack in one pass to the CUTLASS / PyTorch semi-structured layout
 * (formats-24.md sec. 3): the bytes nms_pack(NMS_FORMAT_CUTLASS) gives for
 * the pruned matrix, written into caller-owned buffers.  dtype F16 / BF16
 * (rows % 32 == 0, cols % 64 == 0) or I8 (rows % 16 == 0, cols % 128 == 0);
 * perm as in nms_prune_24_nm (packed columns in permuted order).
 *   values  rows x cols/2 elements of dtype (as nms_prune_24_nm);
 *   meta    rows x nc words in CUTLASS's reordered storage order: int16 words
 *           (nc = cols/16) for F16 / BF16, int32 words (nc = cols/32) for I8;
 *           every word is written.
 * values and meta must not overlap in (as nms_prune_24_nm).
 * F32 is refused with NMS_ERR_UNSUPPORTED: its CUTLASS layout is 1:2, which
 * a 2:4 prune does not produce (use nms_prune_pack() with the pattern 1:2).  NMS_ERR_SHAPE for the
 * shape rules above; other errors as nms_prune_24_buffer.  Scratch and
 * threads as nms_prune_24_nm; no other allocation. */
int nms_prune_24_cutlass(nms_dtype dtype, size_t rows, size_t cols, const void *in,
                         const int32_t *perm, nms_prune_variant variant, void *values,
                         void *meta, nms_error *err);
/* ==== prune: declarations above this line ==== */

/* ------------------------------------------------------------------------ */
/* compressed-format emitters (src/emit) */
/* A 2:4 sparse matrix in a compressed format (docs/packed-formats.md in the
 * source distribution gives the exact bytes):
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
    /* SIMD kernels of the cutlass / nm fast path (F32, F16, BF16, I8):
     * default NMS_PRUNE_AUTO; every variant gives the same bytes.  An
     * unsupported variant is NMS_ERR_UNSUPPORTED. */
    nms_prune_variant variant;
} nms_pack_options;

void nms_pack_options_init(nms_pack_options *opts);

typedef struct nms_packed nms_packed;

/* Compress a weight tensor (its matrix view; opts may be NULL for the
 * defaults).  Errors: NMS_ERR_INVALID (more nonzeros than the format keeps,
 * bad permutation), NMS_ERR_SHAPE (shape requirements above),
 * NMS_ERR_UNSUPPORTED (dtype the format does not take), NMS_ERR_NOMEM.
 * *out is released with nms_packed_free().  cutlass and nm of F32 / F16 /
 * BF16 / I8 run the vectorised encoders of nms_prune_24_nm (threads as
 * there); the bytes are those of the portable encoder, which also names the
 * row and group of a refused group. */
int nms_pack(const nms_tensor *tensor, nms_format format,
             const nms_pack_options *opts, nms_packed **out, nms_error *err);
/* Prune and pack in one step: the packed matrix nms_pack() gives for the
 * pruned matrix view of w (opt->pattern, 2:4 by default; opt NULL for the
 * defaults; opt->original_order is ignored), with the columns permuted by
 * perm (NULL or a permutation of the input channels, borrowed; recorded as
 * the part "perm", as nms_pack does).  So the result equals nms_prune_24()
 * with opt->original_order = 1 followed by nms_pack() with the same perm,
 * byte for byte.  cutlass and nm prune and encode each row in one pass
 * (no pruned copy of w); csr prunes, then encodes.  cutlass F32 needs
 * opt->pattern NMS_PATTERN_1_2 (else NMS_ERR_UNSUPPORTED).  Errors as
 * nms_prune_24() and nms_pack(). */
int nms_prune_pack(const nms_tensor *w, const int32_t *perm, nms_format format,
                   const nms_prune_options *opt, nms_packed **out, nms_error *err);
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
 * NMS_ERR_NOMEM.  Work memory with H: about 4 R*C + 3 C*C doubles, plus
 * (C/2)^2 per thread for backsolves and C*C/2 per thread for the iht swap
 * search; with G: n*p + n*n + a few p doubles.  Time with H: about
 * R (C/2)^3 / 6 flops per backsolve; the iht swap search about 1.5 R (C/2)^3
 * plus C^2 per exchange (measured: 40 s of CPU time for a 512 x 784 layer). */
int nms_reconstruct(const nms_tensor *W, const nms_tensor *H,
                    const nms_tensor *G, const nms_recon_options *options,
                    nms_tensor **w_out, nms_tensor **mask_out,
                    nms_recon_report *report, nms_error *err);

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
    NMS_ROLE_SCALE,        /* multiplier of the channel's last affine step
                              before its activation: batch-norm gamma, or a
                              depthwise kernel                             */
    NMS_ROLE_SHIFT,        /* its additive term: batch-norm beta, or the
                              depthwise bias                               */
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

/* The spec as text (nms_free), one entry per line with explicit roles,
 * axes (as written), layouts and flatten options.  channels may be NULL;
 * else channels[s] > 0 replaces the count on the line of space s (e.g. the
 * counts after nms_model_shrink, see nms_shrink_report_space), and 0 keeps
 * what the spec says. */
int nms_spec_format(const nms_channel_spec *spec, const size_t *channels,
                    char **text, nms_error *err);

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
    int jobs;                    /* spaces solved at once (default 1).  With
                                    jobs > 1 each solve runs on one thread
                                    (OpenMP nesting is left off): worth it
                                    for many small spaces; one big space is
                                    faster with jobs = 1 and all threads    */
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
/* 1 when space i was scored by its structure parameter, 0 by L2 norms. */
int nms_shrink_report_by_alpha(const nms_shrink_report *r, size_t i);
/* ==== structured: declarations above this line ==== */


#ifdef __cplusplus
}
#endif

#endif /* NMSPARSE_H */
