/* files.c - packed matrices in files: PREFIX.NAME.npy per part, or one
 * .safetensors file with a tensor per part (metadata "format" = the format
 * name), and nms_unpack_file(). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "emit/emit.h"
#include "emit/stage.h"
#include "io/tensor.h"
#include "util/util.h"

static int is_safetensors(const char *path)
{
    size_t n = strlen(path), m = strlen(".safetensors");
    return n > m && strcasecmp(path + n - m, ".safetensors") == 0;
}

/* PREFIX.NAME.npy, allocated. */
static char *part_path(const char *prefix, const char *name)
{
    size_t len = strlen(prefix) + strlen(name) + 6;
    char *p = nms__malloc(len);
    if (p)
        snprintf(p, len, "%s.%s.npy", prefix, name);
    return p;
}

/* .npy cannot name bfloat16 / fp8: write their bit patterns as U16 / U8. */
static int npy_write_bits(const char *path, const nms_tensor *t, nms_error *err)
{
    nms_tensor view = *t;
    if (view.dtype == NMS_DTYPE_BF16)
        view.dtype = NMS_DTYPE_U16;
    else if (view.dtype == NMS_DTYPE_F8_E4M3 || view.dtype == NMS_DTYPE_F8_E5M2)
        view.dtype = NMS_DTYPE_U8;
    return nms_npy_write(path, &view, err);
}

static int stage_part(const char *path, size_t i, void *ctx, nms_error *err)
{
    const nms_packed *p = ctx;
    return npy_write_bits(path, p->parts[i], err);
}

int nms_packed_write(const nms_packed *p, const char *prefix, nms_error *err)
{
    int st;
    if (is_safetensors(prefix)) {
        nms_st_writer *w = NULL;
        if ((st = nms_st_writer_create(&w, err)))
            return st;
        st = nms_st_writer_set_metadata(w, "format", nms_format_name(p->format), err);
        if (st == NMS_OK)
            st = nms_st_writer_set_metadata(w, "producer", "nmsparse " NMS_VERSION_STRING, err);
        for (size_t i = 0; i < p->count && st == NMS_OK; i++)
            st = nms_st_writer_add(w, p->names[i], p->parts[i], err);
        if (st == NMS_OK)
            st = nms_st_writer_write(w, prefix, err);
        nms_st_writer_free(w);
        return st;
    }
    char *paths[NMS__PACKED_MAX_PARTS] = {NULL};
    st = NMS_OK;
    for (size_t i = 0; i < p->count && st == NMS_OK; i++)
        if (!(paths[i] = part_path(prefix, p->names[i])))
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    if (st == NMS_OK)
        st = nms__write_all_or_nothing(p->count, (const char *const *)paths, stage_part, (void *)p, err);
    if (st == NMS_OK && !nms__packed_get(p, "perm")) {
        /* A PREFIX.perm.npy from an earlier run would be applied by the
         * reader to this output: it belongs to the set, so remove it. */
        char *stale = part_path(prefix, "perm");
        if (stale)
            remove(stale);
        nms__free(stale);
    }
    for (size_t i = 0; i < p->count; i++)
        nms__free(paths[i]);
    return st;
}

static const char *const *parts_of(nms_format format)
{
    static const char *const vm[] = {"values", "meta", NULL};
    static const char *const csr[] = {"indptr", "indices", "data", "shape", NULL};
    return format == NMS_FORMAT_CSR ? csr : vm;
}

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int read_safetensors(const char *path, nms_format format, size_t *count,
                            const char **names, nms_tensor **parts, nms_error *err)
{
    nms_safetensors *f = NULL;
    int st = nms_st_open(path, &f, err);
    if (st)
        return st;
    for (size_t i = 0; i < nms_st_metadata_count(f); i++)
        if (strcmp(nms_st_metadata_key(f, i), "format") == 0 &&
            strcmp(nms_st_metadata_value(f, i), nms_format_name(format)) != 0) {
            st = nms__fail_at(err, NMS_ERR_FORMAT, path, 0, 0, "%s: holds format %s, not %s", path,
                              nms_st_metadata_value(f, i), nms_format_name(format));
            goto done;
        }
    const char *const *need = parts_of(format);
    for (size_t j = 0;; j++) {
        const char *name = need[j] ? need[j] : "perm";
        size_t index;
        if (nms_st_find(f, name, &index) != NMS_OK) {
            if (!need[j])
                break; /* perm is optional */
            st = nms__fail_at(err, NMS_ERR_NOTFOUND, path, 0, 0, "%s: no tensor '%s' (format %s)",
                              path, name, nms_format_name(format));
            goto done;
        }
        if ((st = nms_st_load(f, index, &parts[*count], err)))
            goto done;
        names[(*count)++] = name;
        if (!need[j])
            break;
    }
done:
    nms_st_close(f);
    return st;
}

static int read_npys(const char *prefix, nms_format format, size_t *count, const char **names,
                     nms_tensor **parts, nms_error *err)
{
    const char *const *need = parts_of(format);
    int st = NMS_OK;
    for (size_t j = 0; st == NMS_OK; j++) {
        const char *name = need[j] ? need[j] : "perm";
        char *path = part_path(prefix, name);
        if (!path)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        if (need[j] || file_exists(path)) {
            st = nms_npy_read(path, &parts[*count], err);
            if (st == NMS_OK)
                names[(*count)++] = name;
        }
        nms__free(path);
        if (!need[j])
            break;
    }
    return st;
}

int nms_packed_read(const char *prefix, nms_format format, nms_dtype dtype,
                    nms_packed **out, nms_error *err)
{
    *out = NULL;
    if ((unsigned)format >= NMS_FORMAT_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "unknown format %d", (int)format);
    const char *names[NMS__PACKED_MAX_PARTS];
    nms_tensor *parts[NMS__PACKED_MAX_PARTS] = {NULL};
    size_t count = 0;
    int st = is_safetensors(prefix) ? read_safetensors(prefix, format, &count, names, parts, err)
                                    : read_npys(prefix, format, &count, names, parts, err);
    if (st == NMS_OK) {
        st = nms_packed_create(format, dtype, count, names, (const nms_tensor *const *)parts, out, err);
        if (st != NMS_OK)
            nms__error_prefix(err, prefix);
        if (st == NMS_ERR_INVALID) { /* inconsistent file contents */
            st = NMS_ERR_FORMAT;
            if (err)
                err->status = st;
        }
    }
    for (size_t i = 0; i < count; i++)
        nms_tensor_free(parts[i]);
    return st;
}

void nms_unpack_options_init(nms_unpack_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->dtype = NMS_DTYPE_COUNT;
    opts->tensor_name = NULL;
    opts->ndim = 0;
    opts->shape = NULL;
    opts->layout = NMS_LAYOUT_AUTO;
}

int nms_unpack_file(const char *prefix, nms_format format, int c_source,
                    const nms_unpack_options *opts, const char *out_path, nms_error *err)
{
    nms_unpack_options defaults;
    if (!opts) {
        nms_unpack_options_init(&defaults);
        opts = &defaults;
    }
    nms_dtype dtype = opts->dtype;
    nms_packed *p = NULL;
    int st = c_source ? nms_packed_read_c(prefix, &p, err)
                      : nms_packed_read(prefix, format, dtype, &p, err);
    if (st)
        return st;
    if (c_source && dtype != NMS_DTYPE_COUNT) {
        if ((unsigned)dtype >= NMS_DTYPE_COUNT || nms_dtype_size(dtype) != nms_dtype_size(p->dtype)) {
            nms_packed_free(p);
            return nms__fail(err, NMS_ERR_INVALID, "%s values cannot be taken as %s",
                             nms_dtype_name(p->dtype), nms_dtype_name(dtype));
        }
        p->dtype = dtype;
    }
    nms_tensor *m = NULL;
    st = nms_unpack(p, &m, err);
    nms_packed_free(p);
    if (st) {
        nms__error_prefix(err, prefix);
        return st;
    }
    if (opts->ndim > 0) {
        nms_tensor *t = NULL;
        st = nms_matrix_to_tensor(m, opts->layout, opts->ndim, opts->shape, &t, err);
        nms_tensor_free(m);
        if (st)
            return st;
        m = t;
    }
    if (is_safetensors(out_path)) {
        nms_st_writer *w = NULL;
        if ((st = nms_st_writer_create(&w, err)) == NMS_OK) {
            st = nms_st_writer_add(w, opts->tensor_name ? opts->tensor_name : "weight", m, err);
            if (st == NMS_OK)
                st = nms_st_writer_write(w, out_path, err);
            nms_st_writer_free(w);
        }
    } else {
        st = npy_write_bits(out_path, m, err);
    }
    nms_tensor_free(m);
    return st;
}
