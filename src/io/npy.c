/*
 * npy.c - NumPy .npy files, format versions 1.0, 2.0 and 3.0.
 *
 * Layout: "\x93NUMPY", major, minor, then the header length as a little-
 * endian uint16 (1.0) or uint32 (2.0, 3.0), then the header: a Python dict
 * literal  {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and ended by '\n' (ASCII in 1.0 / 2.0, UTF-8 in 3.0),
 * then the raw elements, numel * itemsize bytes, in C order (or Fortran order
 * when fortran_order is True).  Nothing may follow the data.
 *
 * The header parser accepts exactly the three keys, each once, in any order,
 * with an optional trailing comma; shape is a tuple of non-negative integers
 * ("(3,)" for one dimension, "()" for a scalar).  Every size is overflow-
 * checked and compared with the file size before anything is allocated.
 */
#include <stdio.h>
#include <string.h>

#include "io/atomic_file.h"
#include "io/source.h"
#include "io/tensor.h"
#include "util/util.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* Headers beyond this are refused (NumPy itself refuses > 10000 bytes by
 * default); a .npy header with 8 dimensions needs about 200. */
#define NPY_MAX_HEADER ((size_t)1 << 20)

typedef struct npy_header {
    nms_dtype dtype;
    int fortran;
    int ndim;
    size_t shape[NMS_MAX_DIMS];
} npy_header;

/* ---- the header dict -------------------------------------------------- */

typedef struct cursor {
    const char *p, *end;
    const char *name;
    nms_error *err;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int bad(cursor *c, const char *what)
{
    return nms__fail_at(c->err, NMS_ERR_FORMAT, c->name, 0, 0, "%s: malformed .npy header: %s", c->name, what);
}

static int expect(cursor *c, char ch, const char *what)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch)
        return bad(c, what);
    c->p++;
    return NMS_OK;
}

/* A quoted string without escapes, copied into buf (NUL-terminated). */
static int parse_str(cursor *c, char *buf, size_t size)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return bad(c, "expected a quoted string");
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || (unsigned char)*c->p < 0x20)
            return bad(c, "unexpected character in a string");
        if (n + 1 >= size)
            return bad(c, "string too long");
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return bad(c, "unterminated string");
    c->p++;
    buf[n] = '\0';
    return NMS_OK;
}

static int starts(cursor *c, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0;
}

static int parse_bool(cursor *c, int *v)
{
    skip_ws(c);
    if (starts(c, "True")) {
        c->p += 4;
        *v = 1;
    } else if (starts(c, "False")) {
        c->p += 5;
        *v = 0;
    } else
        return bad(c, "'fortran_order' must be True or False");
    return NMS_OK;
}

static int parse_dim(cursor *c, size_t *v)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == '-')
        return nms__fail_at(c->err, NMS_ERR_FORMAT, c->name, 0, 0, "%s: malformed .npy header: negative dimension in 'shape'", c->name);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return bad(c, "expected a dimension in 'shape'");
    if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9')
        return bad(c, "leading zero in a dimension");
    size_t x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (nms__mul_size(x, 10, &x) || nms__add_size(x, (size_t)(*c->p - '0'), &x))
            return nms__fail_at(c->err, NMS_ERR_RANGE, c->name, 0, 0, "%s: a dimension in 'shape' overflows", c->name);
        c->p++;
    }
    if (c->p < c->end && (*c->p == 'L' || *c->p == 'l')) /* Python 2 long */
        c->p++;
    *v = x;
    return NMS_OK;
}

static int parse_shape(cursor *c, npy_header *h)
{
    int st = expect(c, '(', "'shape' must be a tuple");
    if (st)
        return st;
    h->ndim = 0;
    skip_ws(c);
    if (c->p < c->end && *c->p == ')') {
        c->p++;
        return NMS_OK;
    }
    for (;;) {
        size_t d = 0;
        if ((st = parse_dim(c, &d)))
            return st;
        if (h->ndim == NMS_MAX_DIMS)
            return nms__fail_at(c->err, NMS_ERR_UNSUPPORTED, c->name, 0, 0,
                                "%s: more than %d dimensions are not supported", c->name, NMS_MAX_DIMS);
        h->shape[h->ndim++] = d;
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            if (h->ndim == 1)
                return bad(c, "a one-dimensional 'shape' needs a trailing comma, as in (3,)");
            c->p++;
            return NMS_OK;
        }
        if ((st = expect(c, ',', "expected ',' or ')' in 'shape'")))
            return st;
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            return NMS_OK;
        }
    }
}

static int parse_descr(cursor *c, const char *d, nms_dtype *dtype)
{
    static const struct {
        const char *code;
        nms_dtype dtype;
    } codes[] = {
        {"f4", NMS_DTYPE_F32}, {"f8", NMS_DTYPE_F64}, {"f2", NMS_DTYPE_F16},
        {"i1", NMS_DTYPE_I8},  {"u1", NMS_DTYPE_U8},  {"i2", NMS_DTYPE_I16},
        {"u2", NMS_DTYPE_U16}, {"i4", NMS_DTYPE_I32}, {"u4", NMS_DTYPE_U32},
        {"i8", NMS_DTYPE_I64}, {"u8", NMS_DTYPE_U64}, {"b1", NMS_DTYPE_BOOL},
    };
    char order = d[0];
    if (order == '<' || order == '>' || order == '|' || order == '=') {
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
            if (strcmp(d + 1, codes[i].code) == 0) {
                if (order == '>' && nms_dtype_size(codes[i].dtype) > 1)
                    return nms__fail_at(c->err, NMS_ERR_UNSUPPORTED, c->name, 0, 0,
                                        "%s: big-endian data ('%s') is not supported; convert with numpy: a.astype(a.dtype.newbyteorder('<'))",
                                        c->name, d);
                *dtype = codes[i].dtype;
                return NMS_OK;
            }
    }
    return nms__fail_at(c->err, NMS_ERR_UNSUPPORTED, c->name, 0, 0,
                        "%s: unsupported .npy dtype '%s' (supported: <f4 <f8 <f2 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8 |b1)",
                        c->name, d);
}

static int parse_header(const char *text, size_t len, const char *name,
                        npy_header *h, nms_error *err)
{
    cursor c = {text, text + len, name, err};
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    int st = expect(&c, '{', "expected '{'");
    if (st)
        return st;
    for (;;) {
        skip_ws(&c);
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        char key[32];
        if ((st = parse_str(&c, key, sizeof key)) || (st = expect(&c, ':', "expected ':' after a key")))
            return st;
        if (strcmp(key, "descr") == 0) {
            char d[32];
            if (seen_descr++)
                return bad(&c, "duplicate key 'descr'");
            skip_ws(&c);
            if (c.p < c.end && (*c.p == '[' || *c.p == '('))
                return nms__fail_at(err, NMS_ERR_UNSUPPORTED, name, 0, 0, "%s: structured .npy dtypes are not supported", name);
            if ((st = parse_str(&c, d, sizeof d)) || (st = parse_descr(&c, d, &h->dtype)))
                return st;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (seen_fortran++)
                return bad(&c, "duplicate key 'fortran_order'");
            if ((st = parse_bool(&c, &h->fortran)))
                return st;
        } else if (strcmp(key, "shape") == 0) {
            if (seen_shape++)
                return bad(&c, "duplicate key 'shape'");
            if ((st = parse_shape(&c, h)))
                return st;
        } else {
            return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0, "%s: malformed .npy header: unexpected key '%s'", name, key);
        }
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if ((st = expect(&c, '}', "expected ',' or '}'")))
            return st;
        break;
    }
    skip_ws(&c);
    if (c.p != c.end)
        return bad(&c, "unexpected text after the dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0, "%s: malformed .npy header: missing key '%s'", name,
                            !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
    return NMS_OK;
}

/* ---- reading ----------------------------------------------------------- */

/* Fortran order -> C order: src holds element (i0..i{n-1}) at
 * sum_k i_k prod_{l<k} shape[l]; dst is C ordered. */
static void fortran_to_c(const unsigned char *src, unsigned char *dst, int ndim,
                         const size_t *shape, size_t numel, size_t esize)
{
    size_t fstride[NMS_MAX_DIMS], idx[NMS_MAX_DIMS] = {0};
    size_t s = 1, off = 0;
    for (int k = 0; k < ndim; k++) {
        fstride[k] = s;
        s *= shape[k];
    }
    for (size_t j = 0; j < numel; j++) {
        memcpy(dst + j * esize, src + off * esize, esize);
        for (int k = ndim - 1; k >= 0; k--) { /* advance the C-order index */
            if (++idx[k] < shape[k]) {
                off += fstride[k];
                break;
            }
            off -= (idx[k] - 1) * fstride[k];
            idx[k] = 0;
        }
    }
}

static int read_npy(const nms__source *src, nms_tensor **out, nms_error *err)
{
    const char *name = src->name;
    unsigned char pre[12];
    size_t prelen;
    if (src->size < 10)
        return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0, "%s: too short for a .npy file (%llu bytes)", name,
                            (unsigned long long)src->size);
    int st = nms__source_read(src, 0, pre, 10, err);
    if (st)
        return st;
    if (memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0, "%s: not a .npy file (no \\x93NUMPY magic)", name);
    unsigned major = pre[6], minor = pre[7];
    size_t hlen;
    if (major == 1 && minor == 0) {
        prelen = 10;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if ((major == 2 || major == 3) && minor == 0) {
        prelen = 12;
        if (src->size < 12 || (st = nms__source_read(src, 10, pre + 10, 2, err)))
            return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0, "%s: truncated .npy preamble", name);
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else {
        return nms__fail_at(err, NMS_ERR_UNSUPPORTED, name, 0, 0, "%s: unsupported .npy format version %u.%u (1.0, 2.0 and 3.0 are)",
                            name, major, minor);
    }
    if (hlen > src->size - prelen)
        return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0,
                            "%s: truncated: the header length is %zu bytes but only %llu follow the preamble", name, hlen,
                            (unsigned long long)(src->size - prelen));
    if (hlen > NPY_MAX_HEADER)
        return nms__fail_at(err, NMS_ERR_RANGE, name, 0, 0, "%s: .npy header of %zu bytes is too long", name, hlen);
    char *text = nms__malloc(hlen);
    if (!text)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", name);
    npy_header h;
    memset(&h, 0, sizeof h);
    st = nms__source_read(src, prelen, text, hlen, err);
    if (!st)
        st = parse_header(text, hlen, name, &h, err);
    nms__free(text);
    if (st)
        return st;

    size_t numel, nbytes;
    char shp[200];
    if (nms__shape_size(h.dtype, h.ndim, h.shape, &numel, &nbytes))
        return nms__fail_at(err, NMS_ERR_RANGE, name, 0, 0, "%s: shape %s overflows", name,
                            nms__shape_str(h.ndim, h.shape, shp, sizeof shp));
    uint64_t have = src->size - prelen - hlen;
    if ((uint64_t)nbytes != have)
        return nms__fail_at(err, NMS_ERR_FORMAT, name, 0, 0,
                            "%s: header declares %zu elements (%zu bytes) but the file holds %llu bytes", name, numel,
                            nbytes, (unsigned long long)have);
    nms_tensor *t;
    if ((st = nms_tensor_create(h.dtype, h.ndim, h.shape, &t, err))) {
        nms__error_prefix(err, name);
        return st;
    }
    if (!h.fortran || h.ndim < 2) {
        st = nms__source_read(src, prelen + hlen, t->data, nbytes, err);
    } else {
        unsigned char *tmp = nms__malloc(nbytes);
        if (!tmp)
            st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", name);
        else if (!(st = nms__source_read(src, prelen + hlen, tmp, nbytes, err)))
            fortran_to_c(tmp, t->data, h.ndim, h.shape, numel, nms_dtype_size(h.dtype));
        nms__free(tmp);
    }
    if (st) {
        nms_tensor_free(t);
        return st;
    }
    *out = t;
    return NMS_OK;
}

int nms_npy_read(const char *path, nms_tensor **out, nms_error *err)
{
    nms__source src;
    if (!path || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_npy_read: NULL argument");
    int st = nms__source_open_file(&src, path, err);
    if (st)
        return st;
    st = read_npy(&src, out, err);
    nms__source_close(&src);
    return st;
}

int nms_npy_read_mem(const void *data, size_t size, const char *name,
                     nms_tensor **out, nms_error *err)
{
    nms__source src;
    if ((!data && size) || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_npy_read_mem: NULL argument");
    nms__source_open_mem(&src, data, size, name ? name : "<memory>");
    return read_npy(&src, out, err);
}

/* ---- writing ----------------------------------------------------------- */

static const char *npy_descr(nms_dtype d)
{
    switch (d) {
    case NMS_DTYPE_F32: return "<f4";
    case NMS_DTYPE_F64: return "<f8";
    case NMS_DTYPE_F16: return "<f2";
    case NMS_DTYPE_I8: return "|i1";
    case NMS_DTYPE_U8: return "|u1";
    case NMS_DTYPE_I16: return "<i2";
    case NMS_DTYPE_U16: return "<u2";
    case NMS_DTYPE_I32: return "<i4";
    case NMS_DTYPE_U32: return "<u4";
    case NMS_DTYPE_I64: return "<i8";
    case NMS_DTYPE_U64: return "<u8";
    case NMS_DTYPE_BOOL: return "|b1";
    default: return NULL;
    }
}

typedef struct npy_out {
    unsigned char pre[12];
    size_t prelen;
    char *header;
    size_t hlen;
    const nms_tensor *t;
} npy_out;

static int write_npy_bytes(FILE *f, void *ctx)
{
    const npy_out *o = ctx;
    if (fwrite(o->pre, 1, o->prelen, f) != o->prelen || fwrite(o->header, 1, o->hlen, f) != o->hlen)
        return -1;
    if (o->t->nbytes && fwrite(o->t->data, 1, o->t->nbytes, f) != o->t->nbytes)
        return -1;
    return 0;
}

int nms_npy_write(const char *path, const nms_tensor *t, nms_error *err)
{
    if (!path || !t)
        return nms__fail(err, NMS_ERR_INVALID, "nms_npy_write: NULL argument");
    const char *descr = npy_descr(t->dtype);
    if (!descr)
        return nms__fail_at(err, NMS_ERR_UNSUPPORTED, path, 0, 0, "%s: .npy cannot store %s tensors (convert to F32 or F16 first)",
                            path, nms_dtype_name(t->dtype));
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < t->ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, i ? ", %zu" : "%zu", t->shape[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", t->ndim == 1 ? "," : "");
    size_t dlen = (size_t)n;
    npy_out o;
    o.t = t;
    /* total = prelen + dict + padding + '\n', a multiple of 64 */
    o.prelen = 10;
    if (10 + dlen + 1 > 65535)
        o.prelen = 12;
    size_t total = (o.prelen + dlen + 1 + 63) / 64 * 64;
    o.hlen = total - o.prelen;
    o.header = nms__malloc(o.hlen);
    if (!o.header)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    memcpy(o.header, dict, dlen);
    memset(o.header + dlen, ' ', o.hlen - dlen - 1);
    o.header[o.hlen - 1] = '\n';
    memcpy(o.pre, NPY_MAGIC, NPY_MAGIC_LEN);
    o.pre[6] = o.prelen == 10 ? 1 : 2;
    o.pre[7] = 0;
    for (size_t i = 0; i < o.prelen - 8; i++)
        o.pre[8 + i] = (unsigned char)(o.hlen >> (8 * i));
    int st = nms__write_file_atomic(path, write_npy_bytes, &o, err);
    nms__free(o.header);
    return st;
}
