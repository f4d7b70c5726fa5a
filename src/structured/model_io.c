/* model_io.c - models from and to safetensors files. */
#include "structured/model.h"
#include "util/util.h"

int nms__model_from_st(const nms_safetensors *f, const char *source, int with_data,
                       nms__model **out, nms_error *err)
{
    nms__model *m;
    int st = nms__model_create(source, &m, err);
    if (st != NMS_OK)
        return st;
    size_t n = nms_st_count(f);
    for (size_t i = 0; i < n && st == NMS_OK; i++) {
        if (with_data) {
            nms_tensor *t;
            st = nms_st_load(f, i, &t, err);
            if (st == NMS_OK)
                st = nms__model_add(m, nms_st_name(f, i), t, err);
        } else {
            st = nms__model_add_shape(m, nms_st_name(f, i), nms_st_dtype(f, i), nms_st_ndim(f, i),
                                      nms_st_shape(f, i), err);
        }
    }
    size_t meta = nms_st_metadata_count(f);
    for (size_t k = 0; k < meta && st == NMS_OK; k++)
        st = nms__model_set_metadata(m, nms_st_metadata_key(f, k), nms_st_metadata_value(f, k), err);
    if (st != NMS_OK) {
        nms__model_free(m);
        return st;
    }
    *out = m;
    return NMS_OK;
}

int nms__model_load_one(nms__model *m, const nms_safetensors *f, size_t i, nms_error *err)
{
    if (i >= m->count || i >= nms_st_count(f))
        return nms__fail(err, NMS_ERR_INTERNAL, "%s: tensor %zu out of range", m->source, i);
    if (m->tensors[i])
        return NMS_OK;
    return nms_st_load(f, i, &m->tensors[i], err);
}

int nms__model_write(const nms__model *m, const char *path, nms_error *err)
{
    nms_st_writer *w;
    int st = nms_st_writer_create(&w, err);
    if (st != NMS_OK)
        return st;
    for (size_t i = 0; i < m->count && st == NMS_OK; i++) {
        if (!m->tensors[i])
            st = nms__fail(err, NMS_ERR_INTERNAL, "'%s' has no data to write", m->names[i]);
        else
            st = nms_st_writer_add(w, m->names[i], m->tensors[i], err);
    }
    for (size_t k = 0; k < m->meta_count && st == NMS_OK; k++)
        st = nms_st_writer_set_metadata(w, m->meta_keys[k], m->meta_values[k], err);
    if (st == NMS_OK)
        st = nms_st_writer_write(w, path, err);
    nms_st_writer_free(w);
    return st;
}
