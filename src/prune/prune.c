/*
 * prune.c - the 2:4 pruning driver and public API: matrix views of tensors,
 * the permutation applied on the fly (one row gathered at a time, never a
 * permuted copy of the whole tensor), masks, and NaN reports.
 */
#include <stdio.h>
#include <string.h>

#include "io/tensor.h"
#include "prune/prune.h"
#include "util/util.h"

/* Groups per kernel call on contiguous data: bounds the stack bitmap and
 * lets a NaN stop the run early.  Even, so bitmaps stay byte aligned. */
#define CHUNK_GROUPS 8192

void nms_prune_options_init(nms_prune_options *opt)
{
    opt->layout = NMS_LAYOUT_AUTO;
    opt->original_order = 0;
    opt->variant = NMS_PRUNE_AUTO;
    opt->pattern = NMS_PATTERN_2_4;
}

static const char *const pattern_names[NMS_PATTERN_COUNT] = {"2:4", "1:2"};

const char *nms_prune_pattern_name(nms_prune_pattern pattern)
{
    return (unsigned)pattern < NMS_PATTERN_COUNT ? pattern_names[pattern] : "?";
}

int nms_prune_pattern_parse(const char *name, nms_prune_pattern *pattern)
{
    for (int p = 0; name && p < NMS_PATTERN_COUNT; p++)
        if (strcmp(name, pattern_names[p]) == 0) {
            *pattern = (nms_prune_pattern)p;
            return NMS_OK;
        }
    return NMS_ERR_INVALID;
}

int nms__prune_view_of(int ndim, const size_t *shape, nms_layout layout,
                       nms__prune_view *view, nms_error *err)
{
    memset(view, 0, sizeof *view);
    if (ndim < 1)
        return nms__fail(err, NMS_ERR_SHAPE, "a 0-d tensor has no input channels to prune");
    if (ndim == 1) {
        view->rows = 1;
        view->cols = shape[0];
        view->kpos = 1;
        view->row_step = shape[0];
        view->col_step = 1;
        return NMS_OK;
    }
    if (layout == NMS_LAYOUT_AUTO)
        layout = ndim == 2 ? NMS_LAYOUT_OI : NMS_LAYOUT_OIHW;
    size_t k = 1, o, i;
    switch (layout) {
    case NMS_LAYOUT_OI:
        if (ndim != 2)
            return nms__fail(err, NMS_ERR_SHAPE, "layout oi needs a 2-D tensor, not %d-D", ndim);
        o = shape[0];
        i = shape[1];
        view->row_step = i;
        view->kpos_step = 0;
        view->col_step = 1;
        break;
    case NMS_LAYOUT_OIHW:
        o = shape[0];
        i = shape[1];
        for (int d = 2; d < ndim; d++)
            k *= shape[d]; /* cannot overflow: the tensor exists */
        view->row_step = i * k;
        view->kpos_step = 1;
        view->col_step = k;
        break;
    case NMS_LAYOUT_HWIO:
        o = shape[ndim - 1];
        i = shape[ndim - 2];
        for (int d = 0; d < ndim - 2; d++)
            k *= shape[d];
        view->row_step = 1;
        view->kpos_step = i * o;
        view->col_step = o;
        break;
    default:
        return nms__fail(err, NMS_ERR_INVALID, "invalid layout %d", (int)layout);
    }
    view->rows = o * k;
    view->cols = i;
    view->kpos = k;
    return NMS_OK;
}

/* ---- element helpers ------------------------------------------------- */

static int is_prunable(nms_dtype dtype)
{
    return dtype == NMS_DTYPE_F32 || dtype == NMS_DTYPE_F16 || dtype == NMS_DTYPE_BF16 ||
           dtype == NMS_DTYPE_I8;
}

int nms__prune_call(const nms__prune_kernels *kern, nms_dtype dtype, nms_prune_pattern pattern,
                    const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    if (pattern == NMS_PATTERN_1_2) {
        switch (dtype) {
        case NMS_DTYPE_F32: return kern->f32_12(in, ngroups, out, bits);
        case NMS_DTYPE_F16: return kern->h16_12(in, ngroups, NMS__F16_NAN_ABOVE, out, bits);
        case NMS_DTYPE_BF16: return kern->h16_12(in, ngroups, NMS__BF16_NAN_ABOVE, out, bits);
        default: return kern->i8_12(in, ngroups, out, bits);
        }
    }
    switch (dtype) {
    case NMS_DTYPE_F32: return kern->f32(in, ngroups, out, bits);
    case NMS_DTYPE_F16: return kern->h16(in, ngroups, NMS__F16_NAN_ABOVE, out, bits);
    case NMS_DTYPE_BF16: return kern->h16(in, ngroups, NMS__BF16_NAN_ABOVE, out, bits);
    default: return kern->i8(in, ngroups, out, bits);
    }
}

size_t nms__prune_first_nan(nms_dtype dtype, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t e = 0; e < n; e++) {
        if (dtype == NMS_DTYPE_F32) {
            uint32_t v;
            memcpy(&v, p + 4 * e, 4);
            if ((v & 0x7fffffffu) > NMS__F32_NAN_ABOVE)
                return e;
        } else if (dtype == NMS_DTYPE_F16 || dtype == NMS_DTYPE_BF16) {
            uint16_t v;
            memcpy(&v, p + 2 * e, 2);
            if ((v & 0x7fffu) > (dtype == NMS_DTYPE_F16 ? NMS__F16_NAN_ABOVE : NMS__BF16_NAN_ABOVE))
                return e;
        }
    }
    return n;
}

static size_t elem_offset(const nms__prune_view *v, size_t r, size_t c)
{
    return (r / v->kpos) * v->row_step + (r % v->kpos) * v->kpos_step + c * v->col_step;
}

static int nan_error(nms_error *err, nms_prune_pattern pattern, const nms__prune_view *v,
                     const int32_t *perm, size_t r, size_t j, int ndim, const size_t *shape)
{
    size_t c = perm ? (size_t)perm[j] : j;
    char where[160] = "", index[200] = "";
    if (perm)
        snprintf(where, sizeof where, " (position %zu after the permutation)", j);
    if (ndim > 0) {
        size_t off = elem_offset(v, r, c), idx[NMS_MAX_DIMS];
        for (int d = ndim - 1; d >= 0; d--) {
            idx[d] = shape[d] ? off % shape[d] : 0;
            off = shape[d] ? off / shape[d] : 0;
        }
        size_t n = (size_t)snprintf(index, sizeof index, ", tensor element [");
        for (int d = 0; d < ndim && n < sizeof index; d++)
            n += (size_t)snprintf(index + n, sizeof index - n, "%s%zu", d ? ", " : "", idx[d]);
        if (n < sizeof index)
            snprintf(index + n, sizeof index - n, "]");
    }
    return nms__fail(err, NMS_ERR_NONFINITE,
                     "NaN at row %zu, column %zu%s of the %zu x %zu matrix%s: "
                     "%s pruning cannot rank it (fix or replace NaN first)",
                     r, c, where, v->rows, v->cols, index, nms_prune_pattern_name(pattern));
}

/* Spread a keep bitmap into n bytes 0/1 (n a multiple of 4). */
static void bits_to_bytes(const uint8_t *bits, size_t n, uint8_t *bytes)
{
    static const uint32_t nib_bytes[16] = {
        0x00000000u, 0x00000001u, 0x00000100u, 0x00000101u,
        0x00010000u, 0x00010001u, 0x00010100u, 0x00010101u,
        0x01000000u, 0x01000001u, 0x01000100u, 0x01000101u,
        0x01010000u, 0x01010001u, 0x01010100u, 0x01010101u,
    };
    size_t ng = n / 4, g = 0;
    for (; g + 2 <= ng; g += 2) { /* little-endian host (configure checks) */
        uint8_t b = bits[g / 2];
        uint64_t w = nib_bytes[b & 0xf] | (uint64_t)nib_bytes[b >> 4] << 32;
        memcpy(bytes + 4 * g, &w, 8);
    }
    if (g < ng)
        memcpy(bytes + 4 * g, &nib_bytes[bits[g / 2] & 0xf], 4);
}

void nms__prune_gather(unsigned char *dst, const unsigned char *src, size_t esz, size_t base,
                   size_t step, const int32_t *perm, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        size_t c = perm ? (size_t)perm[j] : j;
        const unsigned char *s = src + (base + c * step) * esz;
        switch (esz) {
        case 4: memcpy(dst + 4 * j, s, 4); break;
        case 2: memcpy(dst + 2 * j, s, 2); break;
        default: dst[j] = *s; break;
        }
    }
}

/* dst[base + idx(j) * step] = src[j]. */
static void scatter(unsigned char *dst, const unsigned char *src, size_t esz, size_t base,
                    size_t step, const int32_t *perm, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        size_t c = perm ? (size_t)perm[j] : j;
        unsigned char *d = dst + (base + c * step) * esz;
        switch (esz) {
        case 4: memcpy(d, src + 4 * j, 4); break;
        case 2: memcpy(d, src + 2 * j, 2); break;
        default: *d = src[j]; break;
        }
    }
}

/* The whole array is one contiguous run of groups. */
static int run_flat(const nms__prune_kernels *kern, nms_dtype dtype, nms_prune_pattern pattern,
                    const nms__prune_view *v,
                    const unsigned char *in, unsigned char *out, uint8_t *mask, int ndim,
                    const size_t *shape, nms_error *err)
{
    size_t esz = nms_dtype_size(dtype);
    size_t total = v->rows * v->cols / 4;
    uint8_t bits[CHUNK_GROUPS / 2];
    for (size_t g = 0; g < total; g += CHUNK_GROUPS) {
        size_t n = total - g < CHUNK_GROUPS ? total - g : CHUNK_GROUPS;
        const unsigned char *src = in + 4 * g * esz;
        if (nms__prune_call(kern, dtype, pattern, src, n, out ? out + 4 * g * esz : NULL,
                            mask ? bits : NULL)) {
            size_t e = 4 * g + nms__prune_first_nan(dtype, src, 4 * n);
            return nan_error(err, pattern, v, NULL, e / v->cols, e % v->cols, ndim, shape);
        }
        if (mask)
            bits_to_bytes(bits, 4 * n, mask + 4 * g);
    }
    return NMS_OK;
}

int nms__prune_run(const nms__prune_kernels *kern, nms_dtype dtype, nms_prune_pattern pattern,
                   const nms__prune_view *v, const void *in_, const int32_t *perm,
                   int original_order, void *out_, uint8_t *mask, int ndim,
                   const size_t *shape, nms_error *err)
{
    const unsigned char *in = in_;
    unsigned char *out = out_;
    size_t esz = nms_dtype_size(dtype);
    if (v->cols % 4 != 0)
        return nms__fail(err, NMS_ERR_SHAPE,
                         "the matrix has %zu input channels (columns), not a multiple of 4",
                         v->cols);
    if (v->rows == 0 || v->cols == 0 || (!out && !mask))
        return NMS_OK;
    if (perm) {
        int st = nms_perm_check(perm, v->cols, err);
        if (st != NMS_OK) {
            nms__error_prefix(err, "permutation");
            return st;
        }
    }
    int contiguous = v->col_step == 1;
    if (contiguous && !perm && v->kpos == 1 && v->row_step == v->cols)
        return run_flat(kern, dtype, pattern, v, in, out, mask, ndim, shape, err);

    /* One row at a time: gather when the row is strided or permuted, write
     * directly when the output row is contiguous in position order. */
    int direct_in = contiguous && !perm;
    int direct_out = contiguous && (!perm || !original_order);
    const int32_t *out_perm = original_order ? perm : NULL;
    size_t ngroups = v->cols / 4;
    unsigned char *row_in = NULL, *row_out = NULL;
    uint8_t *bits = NULL;
    int st = NMS_OK;
    if (!direct_in)
        row_in = nms__malloc_array(v->cols, esz);
    if (!direct_out && out)
        row_out = nms__malloc_array(v->cols, esz);
    if (mask)
        bits = nms__malloc(ngroups / 2 + 1 + v->cols);
    if ((!direct_in && !row_in) || (!direct_out && out && !row_out) || (mask && !bits)) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        goto done;
    }
    uint8_t *mask_row = bits ? bits + ngroups / 2 + 1 : NULL;
    for (size_t r = 0; r < v->rows; r++) {
        size_t base = elem_offset(v, r, 0);
        const unsigned char *src = in + base * esz;
        if (!direct_in) {
            nms__prune_gather(row_in, in, esz, base, v->col_step, perm, v->cols);
            src = row_in;
        }
        unsigned char *dst = NULL;
        if (out)
            dst = direct_out ? out + base * esz : row_out;
        if (nms__prune_call(kern, dtype, pattern, src, ngroups, dst, bits)) {
            st = nan_error(err, pattern, v, perm, r, nms__prune_first_nan(dtype, src, v->cols), ndim, shape);
            goto done;
        }
        if (out && !direct_out)
            scatter(out, row_out, esz, base, v->col_step, out_perm, v->cols);
        if (mask) {
            if (direct_out) {
                bits_to_bytes(bits, v->cols, mask + base);
            } else {
                bits_to_bytes(bits, v->cols, mask_row);
                scatter(mask, mask_row, 1, base, v->col_step, out_perm, v->cols);
            }
        }
    }
done:
    nms__free(row_in);
    nms__free(row_out);
    nms__free(bits);
    return st;
}

/* ---- public API ------------------------------------------------------ */

static int get_kernels(nms_prune_variant variant, const nms__prune_kernels **kern,
                       nms_error *err)
{
    nms_prune_variant used;
    int st = nms_prune_variant_resolve(variant, &used, err);
    if (st != NMS_OK)
        return st;
    *kern = nms__prune_kernels_get(used);
    if (!*kern)
        return nms__fail(err, NMS_ERR_INTERNAL, "no kernels for variant %s",
                         nms_prune_variant_name(used));
    return NMS_OK;
}

static int check_dtype(nms_dtype dtype, nms_error *err)
{
    if (!is_prunable(dtype))
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "cannot 2:4-prune %s elements (F32, F16, BF16 and I8 are supported)",
                         nms_dtype_name(dtype));
    return NMS_OK;
}

int nms_prune_24(const nms_tensor *w, const int32_t *perm,
                 const nms_prune_options *opt, nms_tensor **pruned,
                 nms_tensor **mask, nms_error *err)
{
    nms_prune_options defaults;
    nms_tensor *p = NULL, *m = NULL;
    const nms__prune_kernels *kern;
    nms__prune_view view;
    int st;
    if (pruned)
        *pruned = NULL;
    if (mask)
        *mask = NULL;
    if (!w)
        return nms__fail(err, NMS_ERR_INVALID, "no tensor to prune");
    if (!pruned && !mask)
        return nms__fail(err, NMS_ERR_INVALID, "neither a pruned tensor nor a mask was requested");
    if (!opt) {
        nms_prune_options_init(&defaults);
        opt = &defaults;
    }
    if ((unsigned)opt->pattern >= NMS_PATTERN_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "invalid pruning pattern %d", (int)opt->pattern);
    if ((st = check_dtype(w->dtype, err)) != NMS_OK ||
        (st = get_kernels(opt->variant, &kern, err)) != NMS_OK ||
        (st = nms__prune_view_of(w->ndim, w->shape, opt->layout, &view, err)) != NMS_OK)
        return st;
    if (view.cols % 4 != 0)
        return nms__fail(err, NMS_ERR_SHAPE,
                         "%zu input channels (columns of the %zu x %zu matrix) are not a "
                         "multiple of 4", view.cols, view.rows, view.cols);
    if (pruned && (st = nms_tensor_create(w->dtype, w->ndim, w->shape, &p, err)) != NMS_OK)
        return st;
    if (mask && (st = nms_tensor_create(NMS_DTYPE_U8, w->ndim, w->shape, &m, err)) != NMS_OK) {
        nms_tensor_free(p);
        return st;
    }
    st = nms__prune_run(kern, w->dtype, opt->pattern, &view, w->data, perm, opt->original_order,
                        p ? p->data : NULL, m ? m->data : NULL, w->ndim, w->shape, err);
    if (st != NMS_OK) {
        nms_tensor_free(p);
        nms_tensor_free(m);
        return st;
    }
    if (pruned)
        *pruned = p;
    if (mask)
        *mask = m;
    return NMS_OK;
}

int nms_prune_24_buffer(nms_dtype dtype, size_t rows, size_t cols,
                        const void *in, const int32_t *perm,
                        int original_order, nms_prune_variant variant,
                        void *out, uint8_t *mask, nms_error *err)
{
    const nms__prune_kernels *kern;
    size_t n;
    int st;
    if ((st = check_dtype(dtype, err)) != NMS_OK || (st = get_kernels(variant, &kern, err)) != NMS_OK)
        return st;
    if (nms__mul_size(rows, cols, &n) != 0)
        return nms__fail(err, NMS_ERR_RANGE, "%zu x %zu elements overflow", rows, cols);
    if (n && !in)
        return nms__fail(err, NMS_ERR_INVALID, "no input buffer");
    nms__prune_view view = {rows, cols, 1, cols, 0, 1};
    return nms__prune_run(kern, dtype, NMS_PATTERN_2_4, &view, in, perm, original_order, out, mask,
                          0, NULL, err);
}
