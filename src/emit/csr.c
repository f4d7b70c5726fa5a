/* csr.c - compressed sparse rows (see emit.h): indptr[m+1], indices[nnz]
 * increasing within each row, data[nnz] (zeros, including -0.0, not stored),
 * shape {m, k}.  Works for any matrix, 2:4 or not. */
#include <string.h>

#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

static void store_index(unsigned char *base, size_t i, int wide, uint64_t v)
{
    if (wide) {
        int64_t x = (int64_t)v;
        memcpy(base + 8 * i, &x, 8);
    } else {
        int32_t x = (int32_t)v;
        memcpy(base + 4 * i, &x, 4);
    }
}

/* Reads an I32 / I64 entry; negative values come back as > any valid index. */
static uint64_t load_index(const nms_tensor *t, size_t i)
{
    if (t->dtype == NMS_DTYPE_I64) {
        int64_t x;
        memcpy(&x, t->data + 8 * i, 8);
        return x < 0 ? UINT64_MAX : (uint64_t)x;
    }
    int32_t x;
    memcpy(&x, t->data + 4 * i, 4);
    return x < 0 ? UINT64_MAX : (uint64_t)x;
}

/* Nonzeros of a row of k elements of T: count, or (fill) append their column
 * indices and values at position n.  Fixed-size loads compile to plain
 * loads. */
#define DEFINE_CSR_ROW(T, SUFFIX)                                                          \
    static size_t count_##SUFFIX(const unsigned char *row, size_t k, T mask)              \
    {                                                                                      \
        size_t n = 0;                                                                      \
        for (size_t j = 0; j < k; j++) {                                                   \
            T x;                                                                           \
            memcpy(&x, row + j * sizeof(T), sizeof(T));                                    \
            n += (x & mask) != 0;                                                          \
        }                                                                                  \
        return n;                                                                          \
    }                                                                                      \
    static size_t fill_##SUFFIX(const unsigned char *row, size_t k, T mask, size_t n,    \
                                unsigned char *indices, int wide, unsigned char *data)     \
    {                                                                                      \
        for (size_t j = 0; j < k; j++) {                                                   \
            T x;                                                                           \
            memcpy(&x, row + j * sizeof(T), sizeof(T));                                    \
            if ((x & mask) == 0)                                                           \
                continue;                                                                  \
            store_index(indices, n, wide, j);                                              \
            memcpy(data + n * sizeof(T), &x, sizeof(T));                                   \
            n++;                                                                           \
        }                                                                                  \
        return n;                                                                          \
    }

DEFINE_CSR_ROW(uint8_t, 1)
DEFINE_CSR_ROW(uint16_t, 2)
DEFINE_CSR_ROW(uint32_t, 4)
DEFINE_CSR_ROW(uint64_t, 8)

static size_t count_row(const unsigned char *row, size_t k, size_t es, uint64_t mask)
{
    switch (es) {
    case 1: return count_1(row, k, (uint8_t)mask);
    case 2: return count_2(row, k, (uint16_t)mask);
    case 4: return count_4(row, k, (uint32_t)mask);
    default: return count_8(row, k, mask);
    }
}

static size_t fill_row(const unsigned char *row, size_t k, size_t es, uint64_t mask, size_t n,
                       unsigned char *indices, int wide, unsigned char *data)
{
    switch (es) {
    case 1: return fill_1(row, k, (uint8_t)mask, n, indices, wide, data);
    case 2: return fill_2(row, k, (uint16_t)mask, n, indices, wide, data);
    case 4: return fill_4(row, k, (uint32_t)mask, n, indices, wide, data);
    default: return fill_8(row, k, mask, n, indices, wide, data);
    }
}

int nms__csr_encode(const nms_tensor *a, const int32_t *perm, nms_packed *p, nms_error *err)
{
    size_t m = a->shape[0], k = a->shape[1], es = nms_dtype_size(p->dtype);
    uint64_t mask = nms__nonzero_mask(p->dtype);
    size_t nnz = 0; /* a permutation does not change a row's count */
    for (size_t r = 0; r < m; r++)
        nnz += count_row(a->data + r * k * es, k, es, mask);
    unsigned char *buf = perm ? nms__malloc_array(k, es) : NULL;
    if (perm && !buf)
        return nms__fail(err, NMS_ERR_NOMEM, "csr: out of memory");
    int wide_ptr = nnz > (size_t)INT32_MAX, wide_idx = k > (size_t)INT32_MAX;
    size_t pshape[1] = {m + 1}, ishape[1] = {nnz}, two = 2;
    nms_tensor *indptr = NULL, *indices = NULL, *data = NULL, *shape = NULL;
    int st;
    if ((st = nms_tensor_create(wide_ptr ? NMS_DTYPE_I64 : NMS_DTYPE_I32, 1, pshape, &indptr, err)) ||
        (st = nms_tensor_create(wide_idx ? NMS_DTYPE_I64 : NMS_DTYPE_I32, 1, ishape, &indices, err)) ||
        (st = nms_tensor_create(p->dtype, 1, ishape, &data, err)) ||
        (st = nms_tensor_create(NMS_DTYPE_I64, 1, &two, &shape, err)))
        goto fail;
    size_t n = 0;
    store_index(indptr->data, 0, wide_ptr, 0);
    for (size_t r = 0; r < m; r++) {
        n = fill_row(nms__matrix_row(a, r, perm, buf), k, es, mask, n, indices->data, wide_idx,
                     data->data);
        store_index(indptr->data, r + 1, wide_ptr, n);
    }
    int64_t dims[2] = {(int64_t)m, (int64_t)k};
    memcpy(shape->data, dims, sizeof dims);
    if ((st = nms__packed_add(p, "indptr", indptr, err))) {
        indptr = NULL;
        goto fail;
    }
    indptr = NULL;
    if ((st = nms__packed_add(p, "indices", indices, err))) {
        indices = NULL;
        goto fail;
    }
    indices = NULL;
    if ((st = nms__packed_add(p, "data", data, err))) {
        data = NULL;
        goto fail;
    }
    data = NULL;
    nms__free(buf);
    return nms__packed_add(p, "shape", shape, err);
fail:
    nms__free(buf);
    nms_tensor_free(indptr);
    nms_tensor_free(indices);
    nms_tensor_free(data);
    nms_tensor_free(shape);
    return st;
}

int nms__csr_decode(const nms_packed *p, nms_tensor *dense, nms_error *err)
{
    size_t m = p->rows, k = p->cols, es = nms_dtype_size(p->dtype);
    const nms_tensor *indptr = nms__packed_get(p, "indptr");
    const nms_tensor *indices = nms__packed_get(p, "indices");
    const nms_tensor *data = nms__packed_get(p, "data");
    if (!indptr || !indices || !data)
        return nms__fail(err, NMS_ERR_FORMAT, "csr: indptr, indices and data are all needed");
    if ((indptr->dtype != NMS_DTYPE_I32 && indptr->dtype != NMS_DTYPE_I64) ||
        (indices->dtype != NMS_DTYPE_I32 && indices->dtype != NMS_DTYPE_I64))
        return nms__fail(err, NMS_ERR_FORMAT, "csr: indptr and indices must be int32 or int64");
    if (indptr->ndim != 1 || indptr->numel != m + 1 || indices->ndim != 1 || data->ndim != 1 ||
        nms_dtype_size(data->dtype) != es)
        return nms__fail(err, NMS_ERR_FORMAT,
                         "csr: indptr must have %zu entries and data elements of %zu bytes", m + 1, es);
    size_t nnz = indices->numel;
    if (data->numel != nnz)
        return nms__fail(err, NMS_ERR_FORMAT, "csr: %zu indices but %zu data values", nnz,
                         data->numel);
    if (load_index(indptr, 0) != 0)
        return nms__fail(err, NMS_ERR_FORMAT, "csr: indptr[0] is not 0");
    if (load_index(indptr, m) != (uint64_t)nnz)
        return nms__fail(err, NMS_ERR_FORMAT, "csr: indptr[%zu] is not the entry count %zu", m, nnz);
    uint64_t start = 0;
    for (size_t r = 0; r < m; r++) {
        uint64_t end = load_index(indptr, r + 1);
        if (end < start || end > nnz)
            return nms__fail(err, NMS_ERR_FORMAT, "csr: indptr decreases or overruns at row %zu", r);
        for (uint64_t n = start; n < end; n++) {
            uint64_t j = load_index(indices, (size_t)n);
            if (j >= k)
                return nms__fail(err, NMS_ERR_FORMAT, "csr: row %zu: column index out of range", r);
            if (n > start && j <= load_index(indices, (size_t)n - 1))
                return nms__fail(err, NMS_ERR_FORMAT,
                                 "csr: row %zu: column indices not strictly increasing", r);
            memcpy(dense->data + (r * k + (size_t)j) * es, data->data + (size_t)n * es, es);
        }
        start = end;
    }
    return NMS_OK;
}
