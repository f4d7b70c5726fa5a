/* tensor.c - creating, copying and inspecting nms_tensor objects. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "io/tensor.h"
#include "util/util.h"

static const struct {
    const char *name;
    size_t size;
} dtype_info[NMS_DTYPE_COUNT] = {
    [NMS_DTYPE_F32] = {"F32", 4},   [NMS_DTYPE_F64] = {"F64", 8},
    [NMS_DTYPE_F16] = {"F16", 2},   [NMS_DTYPE_BF16] = {"BF16", 2},
    [NMS_DTYPE_I8] = {"I8", 1},     [NMS_DTYPE_U8] = {"U8", 1},
    [NMS_DTYPE_I16] = {"I16", 2},   [NMS_DTYPE_U16] = {"U16", 2},
    [NMS_DTYPE_I32] = {"I32", 4},   [NMS_DTYPE_U32] = {"U32", 4},
    [NMS_DTYPE_I64] = {"I64", 8},   [NMS_DTYPE_U64] = {"U64", 8},
    [NMS_DTYPE_BOOL] = {"BOOL", 1}, [NMS_DTYPE_F8_E4M3] = {"F8_E4M3", 1},
    [NMS_DTYPE_F8_E5M2] = {"F8_E5M2", 1},
};

size_t nms_dtype_size(nms_dtype dtype)
{
    return (unsigned)dtype < NMS_DTYPE_COUNT ? dtype_info[dtype].size : 0;
}

const char *nms_dtype_name(nms_dtype dtype)
{
    return (unsigned)dtype < NMS_DTYPE_COUNT ? dtype_info[dtype].name : "?";
}

int nms_dtype_parse(const char *name, nms_dtype *dtype)
{
    static const struct {
        const char *alias;
        nms_dtype dtype;
    } aliases[] = {
        {"f32", NMS_DTYPE_F32},  {"fp32", NMS_DTYPE_F32},  {"float32", NMS_DTYPE_F32},
        {"f64", NMS_DTYPE_F64},  {"fp64", NMS_DTYPE_F64},  {"float64", NMS_DTYPE_F64},
        {"f16", NMS_DTYPE_F16},  {"fp16", NMS_DTYPE_F16},  {"float16", NMS_DTYPE_F16},
        {"half", NMS_DTYPE_F16}, {"bfloat16", NMS_DTYPE_BF16}, {"int8", NMS_DTYPE_I8},
        {"uint8", NMS_DTYPE_U8}, {"int16", NMS_DTYPE_I16}, {"uint16", NMS_DTYPE_U16},
        {"int32", NMS_DTYPE_I32}, {"uint32", NMS_DTYPE_U32}, {"int64", NMS_DTYPE_I64},
        {"uint64", NMS_DTYPE_U64}, {"bool", NMS_DTYPE_BOOL},
    };
    if (!name)
        return NMS_ERR_INVALID;
    for (int d = 0; d < NMS_DTYPE_COUNT; d++)
        if (strcasecmp(name, dtype_info[d].name) == 0) {
            *dtype = (nms_dtype)d;
            return NMS_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) {
            *dtype = aliases[i].dtype;
            return NMS_OK;
        }
    return NMS_ERR_INVALID;
}

int nms__shape_size(nms_dtype dtype, int ndim, const size_t *shape,
                    size_t *numel, size_t *nbytes)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        if (nms__mul_size(n, shape[i], &n))
            return -1;
    if (nms__mul_size(n, nms_dtype_size(dtype), nbytes))
        return -1;
    *numel = n;
    return 0;
}

const char *nms__shape_str(int ndim, const size_t *shape, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (ndim == 0) {
        snprintf(buf, size, "scalar");
        return buf;
    }
    for (int i = 0; i < ndim && used < size; i++) {
        int n = snprintf(buf + used, size - used, i ? "x%zu" : "%zu", shape[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

int nms_tensor_create(nms_dtype dtype, int ndim, const size_t *shape,
                      nms_tensor **out, nms_error *err)
{
    size_t numel, nbytes;
    if ((unsigned)dtype >= NMS_DTYPE_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "invalid dtype %d", (int)dtype);
    if (ndim < 0 || ndim > NMS_MAX_DIMS)
        return nms__fail(err, NMS_ERR_INVALID, "%d dimensions (at most %d are supported)", ndim, NMS_MAX_DIMS);
    if (nms__shape_size(dtype, ndim, shape, &numel, &nbytes))
        return nms__fail(err, NMS_ERR_RANGE, "tensor size overflows");
    nms_tensor *t = nms__calloc(1, sizeof *t);
    if (!t)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    t->data = nms__calloc(nbytes ? nbytes : 1, 1);
    if (!t->data) {
        nms__free(t);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory for a tensor of %zu bytes", nbytes);
    }
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->numel = numel;
    t->nbytes = nbytes;
    *out = t;
    return NMS_OK;
}

int nms_tensor_clone(const nms_tensor *t, nms_tensor **out, nms_error *err)
{
    int st = nms_tensor_create(t->dtype, t->ndim, t->shape, out, err);
    if (st == NMS_OK && t->nbytes)
        memcpy((*out)->data, t->data, t->nbytes);
    return st;
}

void nms_tensor_free(nms_tensor *t)
{
    if (t) {
        nms__free(t->data);
        nms__free(t);
    }
}

nms_dtype nms_tensor_dtype(const nms_tensor *t) { return t->dtype; }
int nms_tensor_ndim(const nms_tensor *t) { return t->ndim; }
size_t nms_tensor_dim(const nms_tensor *t, int axis)
{
    return axis >= 0 && axis < t->ndim ? t->shape[axis] : 0;
}
const size_t *nms_tensor_shape(const nms_tensor *t) { return t->shape; }
size_t nms_tensor_numel(const nms_tensor *t) { return t->numel; }
size_t nms_tensor_nbytes(const nms_tensor *t) { return t->nbytes; }
void *nms_tensor_data(nms_tensor *t) { return t->data; }
const void *nms_tensor_cdata(const nms_tensor *t) { return t->data; }
