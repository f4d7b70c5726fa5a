/*
 * model.h - a whole model in memory: an ordered list of named tensors plus
 * the file's string metadata (internal).
 *
 * A model is what a safetensors file holds: n named, dense, C-ordered
 * tensors (kept in the file's data order) and m (key, value) metadata
 * strings.  Every name is unique.  Tensors may be absent (NULL) in a
 * "shape-only" model, built to validate a spec without reading data; the
 * dtype / ndim / shape arrays are always filled.
 *
 * Arrays (all of length count): names[i] (owned), dtype[i], ndim[i],
 * shape[i][0..ndim[i]-1], tensors[i] (owned, may be NULL).
 * Metadata arrays of length meta_count: meta_keys[k], meta_values[k] (owned).
 */
#ifndef NMS_STRUCTURED_MODEL_H
#define NMS_STRUCTURED_MODEL_H

#include <stddef.h>

#include "nmsparse.h"

typedef struct nms__model {
    char *source;                 /* file name for messages ("<memory>") */
    size_t count, cap;
    char **names;
    nms_dtype *dtype;
    int *ndim;
    size_t (*shape)[NMS_MAX_DIMS];
    nms_tensor **tensors;
    size_t meta_count, meta_cap;
    char **meta_keys;
    char **meta_values;
} nms__model;

/* An empty model; `source` names it in messages (copied). */
int nms__model_create(const char *source, nms__model **out, nms_error *err);
void nms__model_free(nms__model *m);

/* Append a tensor under `name`.  The model takes ownership of t (also on
 * failure, when it frees t).  Duplicate names are NMS_ERR_INVALID. */
int nms__model_add(nms__model *m, const char *name, nms_tensor *t,
                   nms_error *err);
/* Append a shape-only entry (no data). */
int nms__model_add_shape(nms__model *m, const char *name, nms_dtype dtype,
                         int ndim, const size_t *shape, nms_error *err);
int nms__model_set_metadata(nms__model *m, const char *key, const char *value,
                            nms_error *err);

/* Index of `name`, or -1 when absent. */
long nms__model_find(const nms__model *m, const char *name);

/* A deep copy (tensors included). */
int nms__model_clone(const nms__model *m, nms__model **out, nms_error *err);

/* Read every tensor (with_data != 0) or only names and shapes from an open
 * safetensors file. */
int nms__model_from_st(const nms_safetensors *f, const char *source,
                       int with_data, nms__model **out, nms_error *err);
/* Load the data of tensor i of a shape-only model read from f (no-op when
 * loaded already). */
int nms__model_load_one(nms__model *m, const nms_safetensors *f, size_t i,
                        nms_error *err);
/* Write every tensor, in order, with the metadata, atomically. */
int nms__model_write(const nms__model *m, const char *path, nms_error *err);

#endif /* NMS_STRUCTURED_MODEL_H */
