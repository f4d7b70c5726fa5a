/* c_source_read.c - read back PREFIX.c written by nms_packed_write_c()
 * (layout in c_source.h).  Only that layout is understood: this is a round
 * trip reader, not a C parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/c_source.h"
#include "emit/emit.h"
#include "io/tensor.h"
#include "util/util.h"

static long line_of(const char *text, const char *at)
{
    long line = 1;
    for (const char *q = text; q < at; q++)
        line += *q == '\n';
    return line;
}

static int read_text(const char *path, char **out, nms_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = nms__malloc(cap);
    int st = NMS_OK;
    while (buf) {
        if (len + 1 >= cap) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : nms__realloc(buf, cap * 2);
            if (!nb) {
                nms__free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    if (!buf)
        st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
    else if (ferror(f)) {
        st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: read error", path);
        nms__free(buf);
    } else {
        buf[len] = '\0';
        *out = buf;
    }
    fclose(f);
    return st;
}

static const char *skip_space(const char *q)
{
    while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
        q++;
    return q;
}

/* Parse one constant at *qp into the element at e; 0 on success. */
static int parse_element(const char **qp, nms_dtype dtype, int is_unsigned, unsigned char *e)
{
    const char *q = skip_space(*qp);
    char *end = NULL;
    size_t es = nms_dtype_size(dtype);
    errno = 0;
    if (dtype == NMS_DTYPE_F32) {
        float x = strtof(q, &end);
        if (end == q)
            return -1;
        memcpy(e, &x, 4);
        if (*end == 'f')
            end++;
    } else if (dtype == NMS_DTYPE_F64) {
        double x = strtod(q, &end);
        if (end == q)
            return -1;
        memcpy(e, &x, 8);
    } else {
        uint64_t bits;
        if (*q == '(') { /* (-MAX - 1) */
            long long v = strtoll(q + 1, &end, 10);
            if (end == q + 1 || errno)
                return -1;
            while (*end == 'l' || *end == 'L')
                end++;
            if (strncmp(end, " - 1)", 5) != 0)
                return -1;
            end += 5;
            bits = (uint64_t)(v - 1);
        } else if (is_unsigned) {
            if (*q == '-')
                return -1;
            unsigned long long v = strtoull(q, &end, 0);
            if (end == q || errno)
                return -1;
            if (es < 8 && v >> (8 * es))
                return -1;
            bits = v;
        } else {
            long long v = strtoll(q, &end, 10);
            if (end == q || errno)
                return -1;
            if (es < 8) {
                long long lim = 1ll << (8 * es - 1);
                if (v < -lim || v >= lim)
                    return -1;
            }
            bits = (uint64_t)v;
        }
        while (*end == 'u' || *end == 'U' || *end == 'l' || *end == 'L')
            end++;
        for (size_t i = 0; i < es; i++)
            e[i] = (unsigned char)(bits >> (8 * i));
    }
    *qp = end;
    return 0;
}

static int parse_part(const char *path, const char *text, const char **qp, char *name,
                      nms_tensor **out, nms_error *err)
{
    const char *q = *qp;
    char dname[16];
    int ndim = 0, used = 0;
    if (sscanf(q, "/* part %15[a-z]: %15[A-Z0-9_] %d%n", name, dname, &ndim, &used) != 3 ||
        ndim < 1 || ndim > 2)
        return nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                            "%s:%ld: malformed part line", path, line_of(text, q));
    q += used;
    size_t shape[2] = {0, 0};
    for (int d = 0; d < ndim; d++) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(q, &end, 10);
        if (end == q || errno || v > SIZE_MAX)
            return nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                                "%s:%ld: malformed part shape", path, line_of(text, q));
        shape[d] = (size_t)v;
        q = end;
    }
    nms_dtype dtype;
    if (nms_dtype_parse(dname, &dtype) != NMS_OK)
        return nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                            "%s:%ld: unknown dtype '%s'", path, line_of(text, q), dname);
    int st = nms_tensor_create(dtype, ndim, shape, out, err);
    if (st)
        return st;
    const char *ctype = nms__c_type(name, dtype);
    int is_unsigned = ctype[0] == 'u';
    const char *open = strstr(q, "= {");
    if (!open) {
        st = nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                          "%s:%ld: part '%s' has no initializer", path, line_of(text, q), name);
        goto fail;
    }
    q = open + 3;
    size_t es = nms_dtype_size(dtype);
    for (size_t i = 0; i < (*out)->numel; i++) {
        if (parse_element(&q, dtype, is_unsigned, (*out)->data + i * es) != 0 ||
            *(q = skip_space(q)) != ',') {
            st = nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                              "%s:%ld: part '%s': element %zu is malformed or missing", path,
                              line_of(text, q), name, i);
            goto fail;
        }
        q++;
    }
    q = skip_space(q);
    if ((*out)->numel == 0 && *q == '0')
        q = skip_space(q + 1);
    if (*q != '}') {
        st = nms__fail_at(err, NMS_ERR_FORMAT, path, line_of(text, q), 0,
                          "%s:%ld: part '%s' has more elements than its shape", path,
                          line_of(text, q), name);
        goto fail;
    }
    *qp = q;
    return NMS_OK;
fail:
    nms_tensor_free(*out);
    *out = NULL;
    return st;
}

int nms_packed_read_c(const char *prefix, nms_packed **out, nms_error *err)
{
    *out = NULL;
    size_t len = strlen(prefix) + 3;
    char *path = nms__malloc(len);
    if (!path)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    snprintf(path, len, "%s.c", prefix);
    char *text = NULL;
    int st = read_text(path, &text, err);
    if (st) {
        nms__free(path);
        return st;
    }
    char fname[16], dname[16];
    size_t rows, cols;
    nms_format format;
    nms_dtype dtype;
    const char *names[NMS__PACKED_MAX_PARTS];
    char name_buf[NMS__PACKED_MAX_PARTS][16];
    nms_tensor *parts[NMS__PACKED_MAX_PARTS] = {NULL};
    size_t count = 0;
    if (sscanf(text, "/* nmsparse-c: format=%15[a-z] dtype=%15[A-Z0-9_] rows=%zu cols=%zu */", fname,
               dname, &rows, &cols) != 4 ||
        nms_format_parse(fname, &format) != NMS_OK || nms_dtype_parse(dname, &dtype) != NMS_OK) {
        st = nms__fail_at(err, NMS_ERR_FORMAT, path, 1, 0,
                          "%s: not a C source written by nmsparse (no 'nmsparse-c:' first line)", path);
        goto done;
    }
    for (const char *q = strstr(text, "/* part "); q; q = strstr(q, "/* part ")) {
        if (count == NMS__PACKED_MAX_PARTS) {
            st = nms__fail(err, NMS_ERR_FORMAT, "%s: too many parts", path);
            goto done;
        }
        if ((st = parse_part(path, text, &q, name_buf[count], &parts[count], err)))
            goto done;
        names[count] = name_buf[count];
        count++;
    }
    st = nms_packed_create(format, dtype, count, names, (const nms_tensor *const *)parts, out, err);
    if (st != NMS_OK) {
        nms__error_prefix(err, path);
        if (st == NMS_ERR_INVALID) { /* inconsistent file contents */
            st = NMS_ERR_FORMAT;
            if (err)
                err->status = st;
        }
    } else if ((*out)->rows != rows || (*out)->cols != cols) {
        nms_packed_free(*out);
        *out = NULL;
        st = nms__fail(err, NMS_ERR_FORMAT, "%s: parts do not match rows=%zu cols=%zu", path, rows,
                       cols);
    }
done:
    for (size_t i = 0; i < count; i++)
        nms_tensor_free(parts[i]);
    nms__free(text);
    nms__free(path);
    return st;
}
