/*
 * safetensors.c - reading and writing safetensors files.
 *
 * Layout: N (8 bytes, little-endian uint64), then N bytes of a UTF-8 JSON
 * object (possibly padded with trailing spaces), then the data section:
 *   { "__metadata__": { "key": "value", ... },            (optional)
 *     "name": { "dtype": "F32", "shape": [3, 4], "data_offsets": [b, e] }, ... }
 * A tensor's bytes are data[b, e) (offsets relative to the data section),
 * little-endian, C order, e - b = numel * size(dtype).
 *
 * Validation (the same rules as the reference implementation): the header is
 * at most 100 MB and fits in the file; it is strict JSON (json.h) with no
 * duplicate names; every entry has exactly dtype / shape / data_offsets;
 * metadata values are strings; sizes are overflow-checked; and the tensors,
 * sorted by offset, tile the data section exactly: the first begins at 0,
 * each begins where the previous ends (no overlap, no gap), and the last ends
 * at the end of the file.  Nothing is allocated from a size in the header
 * before it has been checked against the file size, and the parsed header
 * may take at most 16 MiB + 32 x its length in memory (a realistic header
 * takes ~11 x; "[0,0,0,...]" padding would take ~56 x and is refused).
 *
 * Tensor data is read on demand with pread() (nms_st_load may be called from
 * several threads at once on one file).
 */
#include <stdlib.h>
#include <string.h>

#include "io/atomic_file.h"
#include "io/json.h"
#include "io/json_write.h"
#include "io/source.h"
#include "io/tensor.h"
#include "util/util.h"

#define ST_MAX_HEADER ((uint64_t)100000000)
/* memory the parsed header may take: BASE + FACTOR x header bytes */
#define ST_JSON_BUDGET_BASE ((size_t)16 << 20)
#define ST_JSON_BUDGET_FACTOR ((size_t)32)

typedef struct st_entry {
    char *name;
    nms_dtype dtype;
    int ndim;
    size_t shape[NMS_MAX_DIMS];
    uint64_t begin, end;
    size_t header_order;
} st_entry;

struct nms_safetensors {
    nms__source src;
    char *path;              /* owned copy; src.name points here */
    unsigned char *copy;     /* nms_st_open_mem: the owned copy of the bytes */
    uint64_t data_start;     /* 8 + N */
    size_t count;
    st_entry *t;             /* count entries, in offset order */
    size_t *by_name;         /* indices into t, sorted by name */
    size_t meta_count;
    char **meta_keys, **meta_values;
};

static const struct {
    const char *name;
    nms_dtype dtype;
} st_dtypes[] = {
    {"BOOL", NMS_DTYPE_BOOL}, {"U8", NMS_DTYPE_U8},       {"I8", NMS_DTYPE_I8},
    {"U16", NMS_DTYPE_U16},   {"I16", NMS_DTYPE_I16},     {"F16", NMS_DTYPE_F16},
    {"BF16", NMS_DTYPE_BF16}, {"U32", NMS_DTYPE_U32},     {"I32", NMS_DTYPE_I32},
    {"F32", NMS_DTYPE_F32},   {"U64", NMS_DTYPE_U64},     {"I64", NMS_DTYPE_I64},
    {"F64", NMS_DTYPE_F64},   {"F8_E4M3", NMS_DTYPE_F8_E4M3}, {"F8_E5M2", NMS_DTYPE_F8_E5M2},
};

void nms_st_close(nms_safetensors *f)
{
    if (!f)
        return;
    nms__source_close(&f->src);
    for (size_t i = 0; i < f->count; i++)
        nms__free(f->t[i].name);
    for (size_t i = 0; i < f->meta_count; i++) {
        nms__free(f->meta_keys[i]);
        nms__free(f->meta_values[i]);
    }
    nms__free(f->t);
    nms__free(f->by_name);
    nms__free(f->meta_keys);
    nms__free(f->meta_values);
    nms__free(f->copy);
    nms__free(f->path);
    nms__free(f);
}

/* ---- header ------------------------------------------------------------- */

static int entry_fail(nms_safetensors *f, nms_error *err, int status, const nms__json *at,
                      const char *tensor, const char *what)
{
    return nms__fail_at(err, status, f->path, at ? at->line : 0, at ? at->column : 0, "%s: tensor '%.200s': %s",
                        f->path, tensor, what);
}

static int parse_entry(nms_safetensors *f, const char *name, const nms__json *v, st_entry *e,
                       nms_error *err)
{
    char msg[300];
    if (v->type != NMS__JSON_OBJECT)
        return entry_fail(f, err, NMS_ERR_FORMAT, v, name, "expected an object with dtype, shape and data_offsets");
    for (size_t i = 0; i < v->count; i++) {
        const char *k = v->keys[i].str;
        if (strcmp(k, "dtype") && strcmp(k, "shape") && strcmp(k, "data_offsets")) {
            snprintf(msg, sizeof msg, "unexpected field \"%.100s\"", k);
            return entry_fail(f, err, NMS_ERR_FORMAT, &v->keys[i], name, msg);
        }
    }
    const nms__json *dt = nms__json_get(v, "dtype"), *sh = nms__json_get(v, "shape"),
                    *off = nms__json_get(v, "data_offsets");
    if (!dt || !sh || !off)
        return entry_fail(f, err, NMS_ERR_FORMAT, v, name,
                          !dt ? "missing \"dtype\"" : !sh ? "missing \"shape\"" : "missing \"data_offsets\"");
    if (dt->type != NMS__JSON_STRING)
        return entry_fail(f, err, NMS_ERR_FORMAT, dt, name, "\"dtype\" must be a string");
    size_t k;
    for (k = 0; k < sizeof st_dtypes / sizeof st_dtypes[0]; k++)
        if (strcmp(dt->str, st_dtypes[k].name) == 0 && strlen(st_dtypes[k].name) == dt->len)
            break;
    if (k == sizeof st_dtypes / sizeof st_dtypes[0]) {
        snprintf(msg, sizeof msg, "unsupported dtype \"%.40s\"", dt->str);
        return entry_fail(f, err, NMS_ERR_UNSUPPORTED, dt, name, msg);
    }
    e->dtype = st_dtypes[k].dtype;
    if (sh->type != NMS__JSON_ARRAY)
        return entry_fail(f, err, NMS_ERR_FORMAT, sh, name, "\"shape\" must be an array of integers");
    if (sh->count > NMS_MAX_DIMS) {
        snprintf(msg, sizeof msg, "%zu dimensions (at most %d are supported)", sh->count, NMS_MAX_DIMS);
        return entry_fail(f, err, NMS_ERR_UNSUPPORTED, sh, name, msg);
    }
    e->ndim = (int)sh->count;
    for (size_t d = 0; d < sh->count; d++) {
        uint64_t x;
        if (nms__json_u64(&sh->items[d], &x))
            return entry_fail(f, err, NMS_ERR_FORMAT, &sh->items[d], name,
                              "\"shape\" must hold non-negative integers below 2^64");
        if (x > SIZE_MAX)
            return entry_fail(f, err, NMS_ERR_RANGE, &sh->items[d], name, "a dimension is too large");
        e->shape[d] = (size_t)x;
    }
    size_t numel, nbytes;
    if (nms__shape_size(e->dtype, e->ndim, e->shape, &numel, &nbytes))
        return entry_fail(f, err, NMS_ERR_RANGE, sh, name, "the shape's size overflows");
    if (off->type != NMS__JSON_ARRAY || off->count != 2 || nms__json_u64(&off->items[0], &e->begin) ||
        nms__json_u64(&off->items[1], &e->end))
        return entry_fail(f, err, NMS_ERR_FORMAT, off, name,
                          "\"data_offsets\" must be [begin, end] with non-negative integers");
    if (e->end < e->begin)
        return entry_fail(f, err, NMS_ERR_FORMAT, off, name, "\"data_offsets\" end before begin");
    if (e->end - e->begin != (uint64_t)nbytes) {
        char shp[200];
        snprintf(msg, sizeof msg, "data_offsets span %llu bytes but %s %s needs %zu",
                 (unsigned long long)(e->end - e->begin), st_dtypes[k].name,
                 nms__shape_str(e->ndim, e->shape, shp, sizeof shp), nbytes);
        return entry_fail(f, err, NMS_ERR_FORMAT, off, name, msg);
    }
    return NMS_OK;
}

static int parse_metadata(nms_safetensors *f, const nms__json *m, nms_error *err)
{
    if (m->type != NMS__JSON_OBJECT)
        return nms__fail_at(err, NMS_ERR_FORMAT, f->path, m->line, m->column,
                            "%s: \"__metadata__\" must be an object of strings", f->path);
    f->meta_keys = nms__calloc(m->count, sizeof *f->meta_keys);
    f->meta_values = nms__calloc(m->count, sizeof *f->meta_values);
    if (!f->meta_keys || !f->meta_values)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", f->path);
    for (size_t i = 0; i < m->count; i++) {
        const nms__json *k = &m->keys[i], *v = &m->items[i];
        if (v->type != NMS__JSON_STRING)
            return nms__fail_at(err, NMS_ERR_FORMAT, f->path, v->line, v->column,
                                "%s: metadata \"%.100s\" is a %s, not a string", f->path, k->str,
                                nms__json_type_name(v->type));
        if (strlen(k->str) != k->len || strlen(v->str) != v->len)
            return nms__fail_at(err, NMS_ERR_UNSUPPORTED, f->path, k->line, k->column,
                                "%s: metadata \"%.100s\" contains a NUL character", f->path, k->str);
        f->meta_keys[i] = nms__strdup(k->str);
        f->meta_values[i] = nms__strdup(v->str);
        f->meta_count = i + 1;
        if (!f->meta_keys[i] || !f->meta_values[i])
            return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", f->path);
    }
    return NMS_OK;
}

static int cmp_offset(const void *a, const void *b)
{
    const st_entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->header_order < y->header_order ? -1 : x->header_order > y->header_order;
}

static int parse_header(nms_safetensors *f, const char *text, size_t len, nms_error *err)
{
    nms__json *root;
    /* a realistic header takes ~11 bytes of tree per byte of text, one of
     * tiny 8-D tensors ~24: the cap refuses only degenerate headers */
    size_t budget = ST_JSON_BUDGET_BASE;
    if (len <= (SIZE_MAX - budget) / ST_JSON_BUDGET_FACTOR)
        budget += ST_JSON_BUDGET_FACTOR * len;
    int st = nms__json_parse_budget(text, len, f->path, budget, &root, err);
    if (st)
        return st;
    if (root->type != NMS__JSON_OBJECT) {
        st = nms__fail_at(err, NMS_ERR_FORMAT, f->path, root->line, root->column,
                          "%s: the safetensors header must be a JSON object, not a %s", f->path,
                          nms__json_type_name(root->type));
        goto done;
    }
    f->t = nms__calloc(root->count, sizeof *f->t);
    if (!f->t) {
        st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", f->path);
        goto done;
    }
    for (size_t i = 0; i < root->count; i++) {
        const nms__json *key = &root->keys[i];
        if (strcmp(key->str, "__metadata__") == 0) {
            if ((st = parse_metadata(f, &root->items[i], err)))
                goto done;
            continue;
        }
        if (strlen(key->str) != key->len) {
            st = nms__fail_at(err, NMS_ERR_UNSUPPORTED, f->path, key->line, key->column,
                              "%s: a tensor name contains a NUL character", f->path);
            goto done;
        }
        st_entry *e = &f->t[f->count];
        if ((st = parse_entry(f, key->str, &root->items[i], e, err)))
            goto done;
        if (!(e->name = nms__strdup(key->str))) {
            st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", f->path);
            goto done;
        }
        e->header_order = f->count++;
    }
done:
    nms__json_free(root);
    return st;
}

static int cmp_name_ptr(const st_entry *t, size_t a, size_t b)
{
    int c = strcmp(t[a].name, t[b].name);
    return c ? c : (a > b) - (a < b);
}

/* qsort has no context argument: sort (index, base) pairs instead. */
typedef struct name_ref {
    const st_entry *t;
    size_t i;
} name_ref;

static int cmp_name_ref(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    return cmp_name_ptr(x->t, x->i, y->i);
}

static int build_name_index(nms_safetensors *f, nms_error *err)
{
    name_ref *refs = nms__malloc_array(f->count, sizeof *refs);
    f->by_name = nms__malloc_array(f->count, sizeof *f->by_name);
    if (!refs || !f->by_name) {
        nms__free(refs);
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", f->path);
    }
    for (size_t i = 0; i < f->count; i++) {
        refs[i].t = f->t;
        refs[i].i = i;
    }
    qsort(refs, f->count, sizeof *refs, cmp_name_ref);
    for (size_t i = 0; i < f->count; i++)
        f->by_name[i] = refs[i].i;
    nms__free(refs);
    return NMS_OK;
}

static int check_tiling(nms_safetensors *f, uint64_t data_size, nms_error *err)
{
    uint64_t expected = 0;
    qsort(f->t, f->count, sizeof *f->t, cmp_offset);
    for (size_t i = 0; i < f->count; i++) {
        const st_entry *e = &f->t[i];
        if (e->begin < expected)
            return nms__fail_at(err, NMS_ERR_FORMAT, f->path, 0, 0,
                                "%s: tensor '%.200s' (bytes %llu..%llu) overlaps tensor '%.200s'", f->path, e->name,
                                (unsigned long long)e->begin, (unsigned long long)e->end, f->t[i - 1].name);
        if (e->begin > expected)
            return nms__fail_at(err, NMS_ERR_FORMAT, f->path, 0, 0,
                                "%s: bytes %llu..%llu of the data section belong to no tensor (before '%.200s')",
                                f->path, (unsigned long long)expected, (unsigned long long)e->begin, e->name);
        if (e->end > data_size)
            return nms__fail_at(err, NMS_ERR_FORMAT, f->path, 0, 0,
                                "%s: truncated: tensor '%.200s' ends at byte %llu of the data section, which holds %llu",
                                f->path, e->name, (unsigned long long)e->end, (unsigned long long)data_size);
        expected = e->end;
    }
    if (expected != data_size)
        return nms__fail_at(err, NMS_ERR_FORMAT, f->path, 0, 0,
                            "%s: the last %llu bytes of the file belong to no tensor", f->path,
                            (unsigned long long)(data_size - expected));
    return NMS_OK;
}

static int open_source(nms_safetensors *f, nms_error *err)
{
    unsigned char pre[8];
    const char *path = f->path;
    if (f->src.size < 8)
        return nms__fail_at(err, NMS_ERR_FORMAT, path, 0, 0, "%s: too short for a safetensors file (%llu bytes)", path,
                            (unsigned long long)f->src.size);
    int st = nms__source_read(&f->src, 0, pre, 8, err);
    if (st)
        return st;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | pre[i];
    if (n > f->src.size - 8)
        return nms__fail_at(err, NMS_ERR_FORMAT, path, 0, 0,
                            "%s: the header length is %llu bytes but only %llu follow it (truncated, or not a safetensors file)",
                            path, (unsigned long long)n, (unsigned long long)(f->src.size - 8));
    if (n > ST_MAX_HEADER)
        return nms__fail_at(err, NMS_ERR_RANGE, path, 0, 0, "%s: header of %llu bytes exceeds the 100 MB limit", path,
                            (unsigned long long)n);
    if (n < 2)
        return nms__fail_at(err, NMS_ERR_FORMAT, path, 0, 0, "%s: header of %llu bytes is too short", path,
                            (unsigned long long)n);
    char *text = nms__malloc((size_t)n);
    if (!text)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
    st = nms__source_read(&f->src, 8, text, (size_t)n, err);
    if (!st && text[0] != '{')
        st = nms__fail_at(err, NMS_ERR_FORMAT, path, 1, 1, "%s: the header does not start with '{' (not a safetensors file?)",
                          path);
    if (!st)
        st = parse_header(f, text, (size_t)n, err);
    nms__free(text);
    if (st)
        return st;
    f->data_start = 8 + n;
    if ((st = check_tiling(f, f->src.size - f->data_start, err)))
        return st;
    return build_name_index(f, err);
}

int nms_st_open(const char *path, nms_safetensors **out, nms_error *err)
{
    if (!path || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_open: NULL argument");
    nms_safetensors *f = nms__calloc(1, sizeof *f);
    if (!f || !(f->path = nms__strdup(path))) {
        nms__free(f);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    f->src.fd = -1;
    int st = nms__source_open_file(&f->src, f->path, err);
    if (!st)
        st = open_source(f, err);
    if (st) {
        nms_st_close(f);
        return st;
    }
    *out = f;
    return NMS_OK;
}

int nms_st_open_mem(const void *data, size_t size, const char *name,
                    nms_safetensors **out, nms_error *err)
{
    if ((!data && size) || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_open_mem: NULL argument");
    nms_safetensors *f = nms__calloc(1, sizeof *f);
    if (!f || !(f->path = nms__strdup(name ? name : "<memory>")) || !(f->copy = nms__malloc(size))) {
        if (f)
            nms__free(f->path);
        nms__free(f);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    if (size)
        memcpy(f->copy, data, size);
    nms__source_open_mem(&f->src, f->copy, size, f->path);
    int st = open_source(f, err);
    if (st) {
        nms_st_close(f);
        return st;
    }
    *out = f;
    return NMS_OK;
}

/* ---- queries ------------------------------------------------------------ */

size_t nms_st_count(const nms_safetensors *f) { return f ? f->count : 0; }

const char *nms_st_name(const nms_safetensors *f, size_t index)
{
    return f && index < f->count ? f->t[index].name : NULL;
}

int nms_st_find(const nms_safetensors *f, const char *name, size_t *index)
{
    if (!f || !name)
        return NMS_ERR_INVALID;
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->t[f->by_name[mid]].name, name);
        if (c == 0) {
            if (index)
                *index = f->by_name[mid];
            return NMS_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NMS_ERR_NOTFOUND;
}

nms_dtype nms_st_dtype(const nms_safetensors *f, size_t index)
{
    return f && index < f->count ? f->t[index].dtype : NMS_DTYPE_COUNT;
}

int nms_st_ndim(const nms_safetensors *f, size_t index)
{
    return f && index < f->count ? f->t[index].ndim : -1;
}

const size_t *nms_st_shape(const nms_safetensors *f, size_t index)
{
    return f && index < f->count ? f->t[index].shape : NULL;
}

int nms_st_load(const nms_safetensors *f, size_t index, nms_tensor **out,
                nms_error *err)
{
    if (!f || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_load: NULL argument");
    if (index >= f->count)
        return nms__fail(err, NMS_ERR_INVALID, "%s: tensor index %zu out of range (%zu tensors)", f->path, index,
                         f->count);
    const st_entry *e = &f->t[index];
    nms_tensor *t;
    int st = nms_tensor_create(e->dtype, e->ndim, e->shape, &t, err);
    if (st)
        return st;
    st = nms__source_read(&f->src, f->data_start + e->begin, t->data, t->nbytes, err);
    if (st) {
        nms_tensor_free(t);
        return st;
    }
    *out = t;
    return NMS_OK;
}

size_t nms_st_metadata_count(const nms_safetensors *f) { return f ? f->meta_count : 0; }

const char *nms_st_metadata_key(const nms_safetensors *f, size_t i)
{
    return f && i < f->meta_count ? f->meta_keys[i] : NULL;
}

const char *nms_st_metadata_value(const nms_safetensors *f, size_t i)
{
    return f && i < f->meta_count ? f->meta_values[i] : NULL;
}

/* ---- writer ------------------------------------------------------------- */

typedef struct st_item {
    char *name;
    const nms_tensor *t;
} st_item;

struct nms_st_writer {
    size_t count, cap;
    st_item *items;
    size_t meta_count, meta_cap;
    char **meta_keys, **meta_values;
};

int nms_st_writer_create(nms_st_writer **out, nms_error *err)
{
    if (!out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_writer_create: NULL argument");
    nms_st_writer *w = nms__calloc(1, sizeof *w);
    if (!w)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    *out = w;
    return NMS_OK;
}

void nms_st_writer_free(nms_st_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        nms__free(w->items[i].name);
    for (size_t i = 0; i < w->meta_count; i++) {
        nms__free(w->meta_keys[i]);
        nms__free(w->meta_values[i]);
    }
    nms__free(w->items);
    nms__free(w->meta_keys);
    nms__free(w->meta_values);
    nms__free(w);
}

int nms_st_writer_add(nms_st_writer *w, const char *name,
                      const nms_tensor *t, nms_error *err)
{
    if (!w || !name || !t)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_writer_add: NULL argument");
    if (strcmp(name, "__metadata__") == 0)
        return nms__fail(err, NMS_ERR_INVALID, "a tensor cannot be named \"__metadata__\"");
    if (!nms__utf8_valid(name, strlen(name)))
        return nms__fail(err, NMS_ERR_INVALID, "tensor name '%.200s' is not valid UTF-8", name);
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->items[i].name, name) == 0)
            return nms__fail(err, NMS_ERR_INVALID, "tensor '%.200s' added twice", name);
    if (w->count == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 8;
        st_item *ni = nms__realloc_array(w->items, ncap, sizeof *ni);
        if (!ni)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        w->items = ni;
        w->cap = ncap;
    }
    if (!(w->items[w->count].name = nms__strdup(name)))
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    w->items[w->count++].t = t;
    return NMS_OK;
}

int nms_st_writer_set_metadata(nms_st_writer *w, const char *key,
                               const char *value, nms_error *err)
{
    if (!w || !key || !value)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_writer_set_metadata: NULL argument");
    if (!nms__utf8_valid(key, strlen(key)) || !nms__utf8_valid(value, strlen(value)))
        return nms__fail(err, NMS_ERR_INVALID, "metadata '%.100s' is not valid UTF-8", key);
    char *v = nms__strdup(value);
    if (!v)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < w->meta_count; i++)
        if (strcmp(w->meta_keys[i], key) == 0) {
            nms__free(w->meta_values[i]);
            w->meta_values[i] = v;
            return NMS_OK;
        }
    if (w->meta_count == w->meta_cap) {
        size_t ncap = w->meta_cap ? w->meta_cap * 2 : 8;
        char **nk = nms__realloc_array(w->meta_keys, ncap, sizeof *nk);
        if (nk)
            w->meta_keys = nk;
        char **nv = nk ? nms__realloc_array(w->meta_values, ncap, sizeof *nv) : NULL;
        if (nv)
            w->meta_values = nv;
        if (!nk || !nv) {
            nms__free(v);
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        }
        w->meta_cap = ncap;
    }
    char *k = nms__strdup(key);
    if (!k) {
        nms__free(v);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    w->meta_keys[w->meta_count] = k;
    w->meta_values[w->meta_count++] = v;
    return NMS_OK;
}

typedef struct st_out {
    const nms_st_writer *w;
    unsigned char pre[8];
    const char *header;
    size_t hlen;
} st_out;

static int write_st_bytes(FILE *f, void *ctx)
{
    const st_out *o = ctx;
    if (fwrite(o->pre, 1, 8, f) != 8 || fwrite(o->header, 1, o->hlen, f) != o->hlen)
        return -1;
    for (size_t i = 0; i < o->w->count; i++) {
        const nms_tensor *t = o->w->items[i].t;
        if (t->nbytes && fwrite(t->data, 1, t->nbytes, f) != t->nbytes)
            return -1;
    }
    return 0;
}

int nms_st_writer_write(nms_st_writer *w, const char *path, nms_error *err)
{
    if (!w || !path)
        return nms__fail(err, NMS_ERR_INVALID, "nms_st_writer_write: NULL argument");
    nms__json_writer jw;
    nms__jw_init_mem(&jw, 0);
    nms__jw_begin_object(&jw);
    if (w->meta_count) {
        nms__jw_key(&jw, "__metadata__");
        nms__jw_begin_object(&jw);
        for (size_t i = 0; i < w->meta_count; i++) {
            nms__jw_key(&jw, w->meta_keys[i]);
            nms__jw_string(&jw, w->meta_values[i]);
        }
        nms__jw_end_object(&jw);
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < w->count; i++) {
        const nms_tensor *t = w->items[i].t;
        nms__jw_key(&jw, w->items[i].name);
        nms__jw_begin_object(&jw);
        nms__jw_key(&jw, "dtype");
        nms__jw_string(&jw, nms_dtype_name(t->dtype));
        nms__jw_key(&jw, "shape");
        nms__jw_begin_array(&jw);
        for (int d = 0; d < t->ndim; d++)
            nms__jw_uint(&jw, (unsigned long long)t->shape[d]);
        nms__jw_end_array(&jw);
        nms__jw_key(&jw, "data_offsets");
        nms__jw_begin_array(&jw);
        nms__jw_uint(&jw, (unsigned long long)offset);
        offset += t->nbytes;
        nms__jw_uint(&jw, (unsigned long long)offset);
        nms__jw_end_array(&jw);
        nms__jw_end_object(&jw);
    }
    nms__jw_end_object(&jw);
    int st = NMS_OK;
    if (nms__jw_finish(&jw))
        st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory building the header", path);
    /* pad with spaces so that the data section starts at a multiple of 8 */
    while (!st && jw.len % 8)
        nms__jw_raw(&jw, " ", 1);
    if (!st && jw.error)
        st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory building the header", path);
    if (!st) {
        st_out o;
        o.w = w;
        o.header = jw.buf;
        o.hlen = jw.len;
        for (int i = 0; i < 8; i++)
            o.pre[i] = (unsigned char)((uint64_t)o.hlen >> (8 * i));
        st = nms__write_file_atomic(path, write_st_bytes, &o, err);
    }
    nms__jw_free_mem(&jw);
    return st;
}
