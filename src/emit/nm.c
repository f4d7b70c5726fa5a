/* nm.c - generic 2:4 values + one metadata byte per two groups, no reorder
 * (see emit.h): values m x k/2, meta U8 m x ceil(k/8). */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

static int check_cols(size_t k, nms_error *err)
{
    if (k % 4 != 0)
        return nms__fail(err, NMS_ERR_SHAPE, "nm: the column count %zu is not a multiple of 4", k);
    return NMS_OK;
}

int nms__nm_encode(const nms_tensor *a, const int32_t *perm, const nms__encode_how *how,
                   nms_packed *p, nms_error *err)
{
    size_t m = a->shape[0], k = a->shape[1];
    int st = check_cols(k, err);
    if (st)
        return st;
    size_t es = nms_dtype_size(p->dtype), groups = k / 4, mb = (groups + 1) / 2;
    uint64_t mask = nms__nonzero_mask(p->dtype);
    size_t vshape[2] = {m, k / 2}, mshape[2] = {m, mb};
    nms_tensor *values = NULL, *meta = NULL;
    if ((st = nms_tensor_create(p->dtype, 2, vshape, &values, err)))
        return st;
    if ((st = nms_tensor_create(NMS_DTYPE_U8, 2, mshape, &meta, err))) {
        nms_tensor_free(values);
        return st;
    }
    uint8_t *codes = NULL;
    unsigned char *buf = NULL;
    st = nms__pack_rows(a, p->dtype, perm, how, NMS__PACK_NM, values->data, meta->data, err);
    if (st != NMS__PACK_PORTABLE)
        goto done;
    st = NMS_OK;
    memset(meta->data, 0, meta->nbytes); /* the portable encoder or-s codes in */
    codes = nms__malloc(groups);
    buf = perm ? nms__malloc_array(k, es) : NULL;
    if (!codes || (perm && !buf))
        st = nms__fail(err, NMS_ERR_NOMEM, "nm: out of memory");
    for (size_t r = 0; r < m && st == NMS_OK; r++) {
        unsigned char *mrow = meta->data + r * mb;
        size_t bad = nms__encode_row(0, es, mask, nms__matrix_row(a, r, perm, buf), groups,
                                     values->data + r * (k / 2) * es, codes);
        if (bad != SIZE_MAX) {
            st = nms__fail(err, NMS_ERR_INVALID,
                           "nm: row %zu, group %zu (columns %zu..%zu) has more than two "
                           "nonzeros; the input must already be 2:4 sparse",
                           r, bad, 4 * bad, 4 * bad + 3);
            break;
        }
        for (size_t g = 0; g < groups; g++)
            mrow[g / 2] |= (unsigned char)(codes[g] << (4 * (g % 2)));
    }
done:
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

int nms__nm_decode(const nms_packed *p, nms_tensor *dense, nms_error *err)
{
    size_t m = p->rows, k = p->cols;
    int st = check_cols(k, err);
    if (st)
        return st;
    size_t es = nms_dtype_size(p->dtype), groups = k / 4, mb = (groups + 1) / 2;
    const nms_tensor *values = nms__packed_get(p, "values");
    const nms_tensor *meta = nms__packed_get(p, "meta");
    if (!values || !meta || values->ndim != 2 || values->shape[0] != m ||
        values->shape[1] != k / 2 || nms_dtype_size(values->dtype) != es)
        return nms__fail(err, NMS_ERR_FORMAT, "nm: values must be %zu x %zu elements of %zu bytes",
                         m, k / 2, es);
    if (meta->ndim != 2 || meta->shape[0] != m || meta->shape[1] != mb ||
        nms_dtype_size(meta->dtype) != 1)
        return nms__fail(err, NMS_ERR_FORMAT, "nm: meta must be %zu x %zu bytes", m, mb);
    uint8_t *codes = nms__malloc(groups);
    if (!codes)
        return nms__fail(err, NMS_ERR_NOMEM, "nm: out of memory");
    for (size_t r = 0; r < m; r++) {
        const unsigned char *mrow = meta->data + r * mb;
        for (size_t g = 0; g < groups; g++) {
            unsigned code = (mrow[g / 2] >> (4 * (g % 2))) & 15u;
            if (!nms__code_valid(code)) {
                nms__free(codes);
                return nms__fail(err, NMS_ERR_FORMAT, "nm: row %zu, group %zu has invalid code 0x%X",
                                 r, g, code);
            }
            codes[g] = (uint8_t)code;
        }
        if (groups % 2 == 1 && (mrow[mb - 1] >> 4) != 0) {
            nms__free(codes);
            return nms__fail(err, NMS_ERR_FORMAT,
                             "nm: row %zu: the unused high nibble of the last meta byte is not 0", r);
        }
        nms__decode_row(0, es, values->data + r * (k / 2) * es, codes, groups,
                        dense->data + r * k * es);
    }
    nms__free(codes);
    return NMS_OK;
}
