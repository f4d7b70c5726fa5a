/* model.c - an ordered list of named tensors in memory. */
#include <string.h>

#include "io/tensor.h"
#include "structured/model.h"
#include "util/util.h"

int nms__model_create(const char *source, nms__model **out, nms_error *err)
{
    nms__model *m = nms__calloc(1, sizeof *m);
    if (!m || !(m->source = nms__strdup(source ? source : "<memory>"))) {
        nms__free(m);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    *out = m;
    return NMS_OK;
}

void nms__model_free(nms__model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++) {
        nms__free(m->names[i]);
        nms_tensor_free(m->tensors[i]);
    }
    for (size_t k = 0; k < m->meta_count; k++) {
        nms__free(m->meta_keys[k]);
        nms__free(m->meta_values[k]);
    }
    nms__free(m->names);
    nms__free(m->dtype);
    nms__free(m->ndim);
    nms__free(m->shape);
    nms__free(m->tensors);
    nms__free(m->meta_keys);
    nms__free(m->meta_values);
    nms__free(m->source);
    nms__free(m);
}

long nms__model_find(const nms__model *m, const char *name)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->names[i], name) == 0)
            return (long)i;
    return -1;
}

static int grow(nms__model *m)
{
    if (m->count < m->cap)
        return 0;
    size_t cap = m->cap ? 2 * m->cap : 16;
    char **names = nms__realloc_array(m->names, cap, sizeof *names);
    if (names)
        m->names = names;
    nms_dtype *dtype = nms__realloc_array(m->dtype, cap, sizeof *dtype);
    if (dtype)
        m->dtype = dtype;
    int *ndim = nms__realloc_array(m->ndim, cap, sizeof *ndim);
    if (ndim)
        m->ndim = ndim;
    size_t(*shape)[NMS_MAX_DIMS] = nms__realloc_array(m->shape, cap, sizeof *shape);
    if (shape)
        m->shape = shape;
    nms_tensor **tensors = nms__realloc_array(m->tensors, cap, sizeof *tensors);
    if (tensors)
        m->tensors = tensors;
    if (!names || !dtype || !ndim || !shape || !tensors)
        return -1;
    m->cap = cap;
    return 0;
}

static int add_entry(nms__model *m, const char *name, nms_dtype dtype, int ndim,
                     const size_t *shape, nms_tensor *t, nms_error *err)
{
    if (nms__model_find(m, name) >= 0) {
        nms_tensor_free(t);
        return nms__fail(err, NMS_ERR_INVALID, "%s: tensor '%s' appears twice", m->source, name);
    }
    char *copy = nms__strdup(name);
    if (!copy || grow(m)) {
        nms__free(copy);
        nms_tensor_free(t);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    size_t i = m->count++;
    m->names[i] = copy;
    m->dtype[i] = dtype;
    m->ndim[i] = ndim;
    memset(m->shape[i], 0, sizeof m->shape[i]);
    for (int k = 0; k < ndim; k++)
        m->shape[i][k] = shape[k];
    m->tensors[i] = t;
    return NMS_OK;
}

int nms__model_add(nms__model *m, const char *name, nms_tensor *t, nms_error *err)
{
    return add_entry(m, name, t->dtype, t->ndim, t->shape, t, err);
}

int nms__model_add_shape(nms__model *m, const char *name, nms_dtype dtype,
                         int ndim, const size_t *shape, nms_error *err)
{
    if (ndim < 0 || ndim > NMS_MAX_DIMS)
        return nms__fail(err, NMS_ERR_INVALID, "%s: '%s' has %d axes", m->source, name, ndim);
    return add_entry(m, name, dtype, ndim, shape, NULL, err);
}

int nms__model_set_metadata(nms__model *m, const char *key, const char *value,
                            nms_error *err)
{
    if (m->meta_count == m->meta_cap) {
        size_t cap = m->meta_cap ? 2 * m->meta_cap : 8;
        char **k = nms__realloc_array(m->meta_keys, cap, sizeof *k);
        if (k)
            m->meta_keys = k;
        char **v = nms__realloc_array(m->meta_values, cap, sizeof *v);
        if (v)
            m->meta_values = v;
        if (!k || !v)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        m->meta_cap = cap;
    }
    char *k = nms__strdup(key), *v = nms__strdup(value);
    if (!k || !v) {
        nms__free(k);
        nms__free(v);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    m->meta_keys[m->meta_count] = k;
    m->meta_values[m->meta_count] = v;
    m->meta_count++;
    return NMS_OK;
}

int nms__model_clone(const nms__model *m, nms__model **out, nms_error *err)
{
    nms__model *c;
    int st = nms__model_create(m->source, &c, err);
    if (st != NMS_OK)
        return st;
    for (size_t i = 0; st == NMS_OK && i < m->count; i++) {
        if (m->tensors[i]) {
            nms_tensor *t;
            st = nms_tensor_clone(m->tensors[i], &t, err);
            if (st == NMS_OK)
                st = nms__model_add(c, m->names[i], t, err);
        } else {
            st = nms__model_add_shape(c, m->names[i], m->dtype[i], m->ndim[i], m->shape[i], err);
        }
    }
    for (size_t k = 0; st == NMS_OK && k < m->meta_count; k++)
        st = nms__model_set_metadata(c, m->meta_keys[k], m->meta_values[k], err);
    if (st != NMS_OK) {
        nms__model_free(c);
        return st;
    }
    *out = c;
    return NMS_OK;
}
