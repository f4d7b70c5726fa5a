/* packed.c - the nms_packed object: pack / unpack dispatch, parts, accessors. */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

static const char *const format_names[NMS_FORMAT_COUNT] = {"cutlass", "nm", "csr"};

int nms_format_parse(const char *name, nms_format *format)
{
    for (int f = 0; name && f < NMS_FORMAT_COUNT; f++)
        if (strcmp(name, format_names[f]) == 0) {
            *format = (nms_format)f;
            return NMS_OK;
        }
    return NMS_ERR_INVALID;
}

const char *nms_format_name(nms_format format)
{
    return (unsigned)format < NMS_FORMAT_COUNT ? format_names[format] : "?";
}

void nms_pack_options_init(nms_pack_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->perm = NULL;
    opts->perm_len = 0;
    opts->layout = NMS_LAYOUT_AUTO;
    opts->as_dtype = NMS_DTYPE_COUNT;
}

void nms_packed_free(nms_packed *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        nms_tensor_free(p->parts[i]);
    nms__free(p);
}

nms_format nms_packed_format(const nms_packed *p) { return p->format; }
nms_dtype nms_packed_dtype(const nms_packed *p) { return p->dtype; }
size_t nms_packed_rows(const nms_packed *p) { return p->rows; }
size_t nms_packed_cols(const nms_packed *p) { return p->cols; }
size_t nms_packed_count(const nms_packed *p) { return p->count; }

const char *nms_packed_name(const nms_packed *p, size_t index)
{
    return index < p->count ? p->names[index] : NULL;
}

const nms_tensor *nms_packed_part(const nms_packed *p, size_t index)
{
    return index < p->count ? p->parts[index] : NULL;
}

const nms_tensor *nms__packed_get(const nms_packed *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->parts[i];
    return NULL;
}

const nms_tensor *nms_packed_find(const nms_packed *p, const char *name)
{
    return name ? nms__packed_get(p, name) : NULL;
}

int nms__packed_add(nms_packed *p, const char *name, nms_tensor *t, nms_error *err)
{
    if (p->count >= NMS__PACKED_MAX_PARTS || strlen(name) >= sizeof p->names[0]) {
        nms_tensor_free(t);
        return nms__fail(err, NMS_ERR_INTERNAL, "packed matrix: cannot add part '%s'", name);
    }
    strcpy(p->names[p->count], name);
    p->parts[p->count++] = t;
    return NMS_OK;
}

static nms_packed *packed_new(nms_format format, nms_dtype dtype, size_t rows, size_t cols)
{
    nms_packed *p = nms__calloc(1, sizeof *p);
    if (p) {
        p->format = format;
        p->dtype = dtype;
        p->rows = rows;
        p->cols = cols;
    }
    return p;
}

const unsigned char *nms__matrix_row(const nms_tensor *a, size_t r, const int32_t *perm,
                                     unsigned char *buf)
{
    size_t k = a->shape[1], es = nms_dtype_size(a->dtype);
    const unsigned char *row = a->data + r * k * es;
    if (!perm)
        return row;
    switch (es) { /* fixed sizes: plain loads and stores */
    case 1: for (size_t j = 0; j < k; j++) buf[j] = row[perm[j]]; break;
    case 2: for (size_t j = 0; j < k; j++) memcpy(buf + 2 * j, row + 2 * (size_t)perm[j], 2); break;
    case 4: for (size_t j = 0; j < k; j++) memcpy(buf + 4 * j, row + 4 * (size_t)perm[j], 4); break;
    default: for (size_t j = 0; j < k; j++) memcpy(buf + 8 * j, row + 8 * (size_t)perm[j], 8); break;
    }
    return buf;
}

int nms__pack_rows(const nms_tensor *a, nms_dtype dtype, const int32_t *perm,
                   const nms__encode_how *how, nms__pack_layout layout, void *values, void *meta,
                   nms_error *err)
{
    size_t rows = a->shape[0], cols = a->shape[1];
    if (dtype != NMS_DTYPE_F32 && dtype != NMS_DTYPE_F16 && dtype != NMS_DTYPE_BF16 &&
        dtype != NMS_DTYPE_I8) {
        if (!how->prune)
            return NMS__PACK_PORTABLE;
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cannot prune %s elements (F32, F16, BF16 and I8 are supported)",
                         nms_dtype_name(dtype));
    }
    nms_prune_variant used;
    int st = nms_prune_variant_resolve(how->variant, &used, err);
    if (st != NMS_OK)
        return st;
    if (rows == 0 || cols == 0)
        return NMS_OK;
    st = nms__prune_pack(dtype, rows, cols, a->data, perm, nms__prune_kernels_get(used), layout,
                         !how->prune, how->pattern, values, meta, how->prune ? err : NULL);
    return st != NMS_OK && !how->prune ? NMS__PACK_PORTABLE : st;
}

/* CSR of the matrix pruned to how->pattern (columns permuted by perm). */
static int csr_of_pruned(const nms_tensor *matrix, const int32_t *perm,
                         const nms__encode_how *how, nms_packed *p, nms_error *err)
{
    nms_prune_options po;
    nms_prune_options_init(&po);
    po.layout = NMS_LAYOUT_OI;
    po.variant = how->variant;
    po.pattern = how->pattern;
    nms_tensor *typed = NULL, *pruned = NULL;
    int st = NMS_OK;
    if (matrix->dtype != p->dtype) /* the bytes taken as p->dtype (same size) */
        st = nms_tensor_create(p->dtype, 2, matrix->shape, &typed, err);
    if (st == NMS_OK && typed && matrix->nbytes)
        memcpy(typed->data, matrix->data, matrix->nbytes);
    if (st == NMS_OK)
        st = nms_prune_24(typed ? typed : matrix, perm, &po, &pruned, NULL, err);
    if (st == NMS_OK)
        st = nms__csr_encode(pruned, NULL, p, err);
    nms_tensor_free(pruned);
    nms_tensor_free(typed);
    return st;
}

/* nms_pack (how->prune 0) and nms_prune_pack (1). */
static int pack_impl(const nms_tensor *tensor, nms_format format, const nms_pack_options *opts,
                     const nms__encode_how *how, nms_packed **out, nms_error *err)
{
    *out = NULL;
    if ((unsigned)format >= NMS_FORMAT_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "pack: unknown format %d", (int)format);
    nms_dtype dtype = tensor->dtype;
    if (opts->as_dtype != NMS_DTYPE_COUNT) {
        if ((unsigned)opts->as_dtype >= NMS_DTYPE_COUNT ||
            nms_dtype_size(opts->as_dtype) != nms_dtype_size(dtype))
            return nms__fail(err, NMS_ERR_INVALID,
                             "pack: cannot take %s elements as %s (element sizes differ)",
                             nms_dtype_name(dtype), nms_dtype_name(opts->as_dtype));
        dtype = opts->as_dtype;
    }

    nms_tensor *view = NULL;
    const nms_tensor *matrix = tensor;
    int st = NMS_OK;
    int is_plain_2d = tensor->ndim == 2 &&
                      (opts->layout == NMS_LAYOUT_AUTO || opts->layout == NMS_LAYOUT_OI);
    if (!is_plain_2d) {
        st = nms__matrix_view_bytes(tensor, opts->layout, &view, err);
        if (st)
            return st;
        matrix = view;
    }
    size_t rows = matrix->shape[0], cols = matrix->shape[1];
    if (opts->perm) {
        if (!how->prune && opts->perm_len != cols) {
            st = nms__fail(err, NMS_ERR_SHAPE, "pack: the permutation has %zu entries, the matrix %zu columns",
                           opts->perm_len, cols);
            goto done;
        }
        if ((st = nms_perm_check(opts->perm, cols, err)) != NMS_OK)
            goto done;
    }

    nms_packed *p = packed_new(format, dtype, rows, cols);
    if (!p) {
        st = nms__fail(err, NMS_ERR_NOMEM, "pack: out of memory");
        goto done;
    }
    switch (format) {
    case NMS_FORMAT_CUTLASS: st = nms__cutlass_encode(matrix, opts->perm, how, p, err); break;
    case NMS_FORMAT_NM: st = nms__nm_encode(matrix, opts->perm, how, p, err); break;
    default:
        st = how->prune ? csr_of_pruned(matrix, opts->perm, how, p, err)
                        : nms__csr_encode(matrix, opts->perm, p, err);
        break;
    }
    if (st == NMS_OK && opts->perm) {
        nms_tensor *pt = NULL;
        st = nms_tensor_create(NMS_DTYPE_I32, 1, &cols, &pt, err);
        if (st == NMS_OK) {
            if (cols)
                memcpy(pt->data, opts->perm, cols * sizeof(int32_t));
            st = nms__packed_add(p, "perm", pt, err);
        }
    }
    if (st != NMS_OK)
        nms_packed_free(p);
    else
        *out = p;
done:
    nms_tensor_free(view);
    return st;
}

int nms_pack(const nms_tensor *tensor, nms_format format, const nms_pack_options *opts,
             nms_packed **out, nms_error *err)
{
    nms_pack_options defaults;
    if (!opts) {
        nms_pack_options_init(&defaults);
        opts = &defaults;
    }
    nms__encode_how how = {opts->variant, 0, NMS_PATTERN_2_4};
    return pack_impl(tensor, format, opts, &how, out, err);
}

int nms_prune_pack(const nms_tensor *w, const int32_t *perm, nms_format format,
                   const nms_prune_options *opt, nms_packed **out, nms_error *err)
{
    nms_prune_options defaults;
    if (!opt) {
        nms_prune_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    if (!w)
        return nms__fail(err, NMS_ERR_INVALID, "no tensor to prune");
    if ((unsigned)opt->pattern >= NMS_PATTERN_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "invalid pruning pattern %d", (int)opt->pattern);
    nms_pack_options po;
    nms_pack_options_init(&po);
    po.perm = perm;
    po.layout = opt->layout;
    po.variant = opt->variant;
    nms__encode_how how = {opt->variant, 1, opt->pattern};
    return pack_impl(w, format, &po, &how, out, err);
}

int nms_unpack(const nms_packed *p, nms_tensor **matrix, nms_error *err)
{
    *matrix = NULL;
    size_t shape[2] = {p->rows, p->cols};
    nms_tensor *dense = NULL;
    int st = nms_tensor_create(p->dtype, 2, shape, &dense, err);
    if (st)
        return st;
    switch (p->format) {
    case NMS_FORMAT_CUTLASS: st = nms__cutlass_decode(p, dense, err); break;
    case NMS_FORMAT_NM: st = nms__nm_decode(p, dense, err); break;
    case NMS_FORMAT_CSR: st = nms__csr_decode(p, dense, err); break;
    default: st = nms__fail(err, NMS_ERR_INVALID, "unpack: unknown format"); break;
    }
    const nms_tensor *perm = nms__packed_get(p, "perm");
    if (st == NMS_OK && perm) {
        /* dense holds column j = original column perm[j]: scatter back. */
        const int32_t *pv = (const int32_t *)(const void *)perm->data;
        if (nms_perm_check(pv, p->cols, err) != NMS_OK) {
            nms__error_prefix(err, "packed matrix: part 'perm'");
            if (err)
                err->status = NMS_ERR_FORMAT;
            st = NMS_ERR_FORMAT;
        } else {
            nms_tensor *orig = NULL;
            st = nms_tensor_create(p->dtype, 2, shape, &orig, err);
            if (st == NMS_OK) {
                size_t es = nms_dtype_size(p->dtype);
                for (size_t r = 0; r < p->rows; r++)
                    for (size_t j = 0; j < p->cols; j++)
                        memcpy(orig->data + (r * p->cols + (size_t)pv[j]) * es,
                               dense->data + (r * p->cols + j) * es, es);
                nms_tensor_free(dense);
                dense = orig;
            }
        }
    }
    if (st != NMS_OK) {
        nms_tensor_free(dense);
        return st;
    }
    *matrix = dense;
    return NMS_OK;
}

/* The parts each format needs, in file order. */
static const char *const cutlass_parts[] = {"values", "meta", NULL};
static const char *const csr_parts[] = {"indptr", "indices", "data", "shape", NULL};

static const char *const *required_parts(nms_format format)
{
    return format == NMS_FORMAT_CSR ? csr_parts : cutlass_parts;
}

static int find_index(size_t count, const char *const *names, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

static int check_2d(const nms_tensor *t, const char *name, nms_error *err)
{
    if (t->ndim != 2)
        return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: part '%s' must be 2-D, not %d-D",
                         name, t->ndim);
    return NMS_OK;
}

static int check_1d(const nms_tensor *t, const char *name, nms_error *err)
{
    if (t->ndim != 1)
        return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: part '%s' must be 1-D, not %d-D",
                         name, t->ndim);
    return NMS_OK;
}

int nms_packed_create(nms_format format, nms_dtype dtype, size_t count,
                      const char *const *names, const nms_tensor *const *parts,
                      nms_packed **out, nms_error *err)
{
    *out = NULL;
    if ((unsigned)format >= NMS_FORMAT_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "packed matrix: unknown format %d", (int)format);
    const char *const *need = required_parts(format);
    for (size_t i = 0; i < count; i++) {
        if (!names[i] || !parts[i])
            return nms__fail(err, NMS_ERR_INVALID, "packed matrix: part %zu has no name or tensor", i);
        int known = strcmp(names[i], "perm") == 0;
        for (size_t j = 0; need[j]; j++)
            known |= strcmp(names[i], need[j]) == 0;
        if (!known)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: unexpected part '%s' for format %s",
                             names[i], nms_format_name(format));
        if (find_index(i, names, names[i]) >= 0)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: part '%s' given twice", names[i]);
    }
    for (size_t j = 0; need[j]; j++)
        if (find_index(count, names, need[j]) < 0)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: format %s needs a part '%s'",
                             nms_format_name(format), need[j]);

    /* Shape of the dense matrix and its dtype. */
    size_t rows = 0, cols = 0;
    nms_dtype stored;
    int st;
    if (format == NMS_FORMAT_CSR) {
        const nms_tensor *indptr = parts[find_index(count, names, "indptr")];
        const nms_tensor *shape = parts[find_index(count, names, "shape")];
        const nms_tensor *data = parts[find_index(count, names, "data")];
        if ((st = check_1d(shape, "shape", err)) || (st = check_1d(indptr, "indptr", err)) ||
            (st = check_1d(data, "data", err)))
            return st;
        if (shape->dtype != NMS_DTYPE_I64 || shape->numel != 2)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: part 'shape' must be 2 int64 values");
        int64_t dims[2];
        memcpy(dims, shape->data, sizeof dims);
        if (dims[0] < 0 || dims[1] < 0 || (uint64_t)dims[0] > SIZE_MAX || (uint64_t)dims[1] > SIZE_MAX)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: bad shape {%lld, %lld}",
                             (long long)dims[0], (long long)dims[1]);
        rows = (size_t)dims[0];
        cols = (size_t)dims[1];
        size_t cells;
        if (nms__mul_size(rows, cols, &cells))
            return nms__fail(err, NMS_ERR_RANGE, "packed matrix: shape %zu x %zu overflows", rows, cols);
        if (indptr->numel != rows + 1)
            return nms__fail(err, NMS_ERR_FORMAT,
                             "packed matrix: indptr has %zu entries, the shape needs %zu",
                             indptr->numel, rows + 1);
        stored = data->dtype;
    } else {
        const nms_tensor *values = parts[find_index(count, names, "values")];
        const nms_tensor *meta = parts[find_index(count, names, "meta")];
        if ((st = check_2d(values, "values", err)) || (st = check_2d(meta, "meta", err)))
            return st;
        rows = values->shape[0];
        if (nms__mul_size(values->shape[1], 2, &cols))
            return nms__fail(err, NMS_ERR_RANGE, "packed matrix: values too wide");
        if (meta->shape[0] != rows)
            return nms__fail(err, NMS_ERR_FORMAT, "packed matrix: values have %zu rows, meta %zu",
                             rows, meta->shape[0]);
        stored = values->dtype;
        if (format == NMS_FORMAT_CUTLASS && stored == NMS_DTYPE_U16)
            stored = NMS_DTYPE_BF16;
    }
    if (dtype == NMS_DTYPE_COUNT)
        dtype = stored;
    if ((unsigned)dtype >= NMS_DTYPE_COUNT || nms_dtype_size(dtype) != nms_dtype_size(stored))
        return nms__fail(err, NMS_ERR_INVALID, "packed matrix: values of %s cannot be taken as %s",
                         nms_dtype_name(stored), nms_dtype_name(dtype));
    int pi = find_index(count, names, "perm");
    if (pi >= 0) {
        const nms_tensor *perm = parts[pi];
        if ((st = check_1d(perm, "perm", err)))
            return st;
        if (perm->dtype != NMS_DTYPE_I32 || perm->numel != cols)
            return nms__fail(err, NMS_ERR_FORMAT,
                             "packed matrix: part 'perm' must be %zu int32 values", cols);
    }

    nms_packed *p = packed_new(format, dtype, rows, cols);
    if (!p)
        return nms__fail(err, NMS_ERR_NOMEM, "packed matrix: out of memory");
    /* Store in canonical order: required parts, then perm. */
    for (size_t j = 0; need[j] || pi >= 0; j++) {
        const char *name = need[j] ? need[j] : "perm";
        nms_tensor *copy = NULL;
        if ((st = nms_tensor_clone(parts[find_index(count, names, name)], &copy, err)) ||
            (st = nms__packed_add(p, name, copy, err))) {
            nms_packed_free(p);
            return st;
        }
        if (!need[j])
            break;
    }
    *out = p;
    return NMS_OK;
}
