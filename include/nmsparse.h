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

/* Solve (warm when a basis exists).  Returns NMS_OK when the solver ran,
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
/* ==== structured: declarations above this line ==== */


#ifdef __cplusplus
}
#endif

#endif /* NMSPARSE_H */
