/* spec.c - parsing channel specs and binding them to a model's tensors. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structured/spec.h"
#include "util/util.h"

static const char *const role_names[] = {
    [NMS_ROLE_PRODUCER] = "producer", [NMS_ROLE_BIAS] = "bias",
    [NMS_ROLE_SCALE] = "scale",       [NMS_ROLE_SHIFT] = "shift",
    [NMS_ROLE_PARAM] = "param",       [NMS_ROLE_ALPHA] = "alpha",
    [NMS_ROLE_CONSUMER] = "consumer",
};

const char *nms__role_name(nms_channel_role role)
{
    return (unsigned)role <= NMS_ROLE_CONSUMER ? role_names[role] : "?";
}

static const char *layout_word(nms_layout layout)
{
    return layout == NMS_LAYOUT_HWIO ? "hwio" : layout == NMS_LAYOUT_OI ? "oi" : "oihw";
}

int nms__layout_in_axis(nms_layout layout, int ndim)
{
    return layout == NMS_LAYOUT_HWIO ? ndim - 2 : 1;
}

int nms__layout_out_axis(nms_layout layout, int ndim)
{
    return layout == NMS_LAYOUT_HWIO ? ndim - 1 : 0;
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

void nms_spec_free(nms_channel_spec *spec)
{
    if (!spec)
        return;
    for (size_t s = 0; s < spec->n; s++) {
        nms__spec_space *sp = &spec->spaces[s];
        for (size_t j = 0; j < sp->n; j++)
            nms__free(sp->e[j].tensor);
        nms__free(sp->e);
        nms__free(sp->name);
    }
    nms__free(spec->spaces);
    nms__free(spec->source);
    nms__free(spec);
}

#define MAX_TOKENS 8

/* Split a line (NUL-terminated, comment already cut) at whitespace. */
static int tokenize(char *line, char **tok, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        tok[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int parse_size(const char *s, size_t *out)
{
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > (unsigned long long)SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_role(const char *s, nms_channel_role *role)
{
    for (int r = 0; r <= NMS_ROLE_CONSUMER; r++)
        if (strcmp(s, role_names[r]) == 0) {
            *role = (nms_channel_role)r;
            return 0;
        }
    return -1;
}

static int add_space(nms_channel_spec *spec, const char *name, size_t declared,
                     long line, nms_error *err)
{
    if (spec->n == spec->cap) {
        size_t cap = spec->cap ? 2 * spec->cap : 8;
        nms__spec_space *p = nms__realloc_array(spec->spaces, cap, sizeof *p);
        if (!p)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        spec->spaces = p;
        spec->cap = cap;
    }
    nms__spec_space *sp = &spec->spaces[spec->n];
    memset(sp, 0, sizeof *sp);
    sp->name = nms__strdup(name);
    if (!sp->name)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    sp->declared = declared;
    sp->line = line;
    spec->n++;
    return NMS_OK;
}

static int add_entry(nms__spec_space *sp, const nms__spec_entry *e, nms_error *err)
{
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 8;
        nms__spec_entry *p = nms__realloc_array(sp->e, cap, sizeof *p);
        if (!p)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        sp->e = p;
        sp->cap = cap;
    }
    sp->e[sp->n] = *e;
    sp->e[sp->n].tensor = nms__strdup(e->tensor);
    if (!sp->e[sp->n].tensor)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    sp->n++;
    return NMS_OK;
}

#define SYNTAX(...) nms__fail_at(err, NMS_ERR_FORMAT, src, lineno, 0, __VA_ARGS__)

/* One non-empty line, already tokenized. */
static int parse_line(nms_channel_spec *spec, char **tok, int ntok,
                      const char *src, long lineno, nms_error *err)
{
    if (strcmp(tok[0], "space") == 0) {
        size_t declared = 0;
        if (ntok < 2 || ntok > 3)
            return SYNTAX("%s:%ld: expected 'space NAME [CHANNELS]'", src, lineno);
        if (ntok == 3 && parse_size(tok[2], &declared))
            return SYNTAX("%s:%ld: channel count '%s' is not a positive integer", src, lineno, tok[2]);
        for (size_t s = 0; s < spec->n; s++)
            if (strcmp(spec->spaces[s].name, tok[1]) == 0)
                return SYNTAX("%s:%ld: space '%s' is already defined on line %ld", src, lineno,
                              tok[1], spec->spaces[s].line);
        return add_space(spec, tok[1], declared, lineno, err);
    }

    nms__spec_entry e;
    memset(&e, 0, sizeof e);
    e.axis = -1;
    e.layout = NMS_LAYOUT_AUTO;
    e.line = lineno;
    if (parse_role(tok[0], &e.role))
        return SYNTAX("%s:%ld: unknown keyword '%s' (expected space, producer, bias, "
                      "scale, shift, param, alpha or consumer)", src, lineno, tok[0]);
    if (spec->n == 0)
        return SYNTAX("%s:%ld: '%s' before the first 'space' line", src, lineno, tok[0]);
    if (ntok < 2)
        return SYNTAX("%s:%ld: expected '%s TENSOR[:AXIS] [oi|oihw|hwio] [flatten=chw:K|hwc:K]'",
                      src, lineno, tok[0]);
    if (ntok > 4)
        return SYNTAX("%s:%ld: unexpected '%s' after the options", src, lineno, tok[4]);

    char *name = tok[1];
    char *colon = strrchr(name, ':');
    if (colon) {
        const char *a = colon + 1;
        char *end;
        long axis;
        errno = 0;
        axis = (*a && isdigit((unsigned char)*a)) ? strtol(a, &end, 10) : -1;
        if (axis < 0 || errno || *end || axis >= NMS_MAX_DIMS)
            return SYNTAX("%s:%ld: axis '%s' of '%.*s' is not an axis number 0..%d", src, lineno, a,
                          (int)(colon - name), name, NMS_MAX_DIMS - 1);
        e.axis = (int)axis;
        *colon = '\0';
    }
    if (!*name)
        return SYNTAX("%s:%ld: empty tensor name", src, lineno);
    for (int k = 2; k < ntok; k++) {
        const char *l = tok[k];
        if (strncmp(l, "flatten=", 8) == 0) {
            const char *v = l + 8;
            if (e.flatten)
                return SYNTAX("%s:%ld: flatten given twice", src, lineno);
            if (strncmp(v, "chw:", 4) == 0)
                e.flatten_minor = 0;
            else if (strncmp(v, "hwc:", 4) == 0)
                e.flatten_minor = 1;
            else
                return SYNTAX("%s:%ld: '%s': expected flatten=chw:K or flatten=hwc:K", src, lineno, l);
            if (parse_size(v + 4, &e.flatten))
                return SYNTAX("%s:%ld: '%s': K (positions per channel) must be a positive integer",
                              src, lineno, l);
            if (e.role != NMS_ROLE_CONSUMER)
                return SYNTAX("%s:%ld: flatten is only meaningful for consumers, not for a %s", src,
                              lineno, tok[0]);
            continue;
        }
        if (strncmp(l, "layout=", 7) == 0)
            l += 7;
        if (e.layout != NMS_LAYOUT_AUTO)
            return SYNTAX("%s:%ld: layout given twice", src, lineno);
        if (strcmp(l, "oi") == 0)
            e.layout = NMS_LAYOUT_OI;
        else if (strcmp(l, "oihw") == 0)
            e.layout = NMS_LAYOUT_OIHW;
        else if (strcmp(l, "hwio") == 0)
            e.layout = NMS_LAYOUT_HWIO;
        else
            return SYNTAX("%s:%ld: unknown option '%s' (expected a layout oi, oihw, hwio or "
                          "flatten=chw:K / hwc:K)", src, lineno, tok[k]);
        if (e.role != NMS_ROLE_PRODUCER && e.role != NMS_ROLE_CONSUMER)
            return SYNTAX("%s:%ld: a layout is only meaningful for producers and consumers, "
                          "not for a %s", src, lineno, tok[0]);
    }
    e.tensor = name;
    return add_entry(&spec->spaces[spec->n - 1], &e, err);
}

int nms__spec_parse(const char *text, size_t size, const char *source,
                    nms_channel_spec **out, nms_error *err)
{
    const char *src = source ? source : "<memory>";
    nms_channel_spec *spec = nms__calloc(1, sizeof *spec);
    char *line = NULL;
    size_t line_cap = 0;
    int st = NMS_OK;
    if (!spec || !(spec->source = nms__strdup(src))) {
        nms__free(spec);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    long lineno = 0;
    size_t pos = 0;
    while (pos < size && st == NMS_OK) {
        size_t start = pos;
        while (pos < size && text[pos] != '\n')
            pos++;
        size_t len = pos - start;
        if (pos < size)
            pos++; /* the newline */
        lineno++;
        if (len + 1 > line_cap) {
            char *p = nms__realloc(line, len + 1);
            if (!p) {
                st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
                break;
            }
            line = p;
            line_cap = len + 1;
        }
        memcpy(line, text + start, len);
        line[len] = '\0';
        if (memchr(line, '\0', len)) {
            st = nms__fail_at(err, NMS_ERR_FORMAT, src, lineno, 0, "%s:%ld: NUL byte in a text file", src, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *tok[MAX_TOKENS];
        int ntok = tokenize(line, tok, MAX_TOKENS);
        if (ntok == 0)
            continue;
        if (ntok > MAX_TOKENS) {
            st = nms__fail_at(err, NMS_ERR_FORMAT, src, lineno, 0, "%s:%ld: too many words", src, lineno);
            break;
        }
        st = parse_line(spec, tok, ntok, src, lineno, err);
    }
    nms__free(line);
    if (st == NMS_OK && spec->n == 0)
        st = nms__fail_at(err, NMS_ERR_FORMAT, src, 0, 0, "%s: no 'space' line: the spec names no channel space", src);
    for (size_t s = 0; st == NMS_OK && s < spec->n; s++)
        if (spec->spaces[s].n == 0)
            st = nms__fail_at(err, NMS_ERR_FORMAT, src, spec->spaces[s].line, 0,
                              "%s:%ld: space '%s' lists no tensors", src, spec->spaces[s].line,
                              spec->spaces[s].name);
    if (st != NMS_OK) {
        nms_spec_free(spec);
        return st;
    }
    *out = spec;
    return NMS_OK;
}

/* ------------------------------------------------------------------ */
/* binding                                                             */

void nms__binding_free(nms__binding *b)
{
    if (!b)
        return;
    for (size_t s = 0; s < b->n; s++)
        nms__free(b->spaces[s].e);
    nms__free(b->spaces);
    nms__free(b);
}

#define BAD(status, line, ...) nms__fail_at(err, status, src, line, 0, __VA_ARGS__)

static int bind_entry(const nms_channel_spec *spec, const nms__spec_entry *e,
                      const nms__model *m, nms__bound_entry *be, nms_error *err)
{
    const char *src = spec->source;
    long idx = nms__model_find(m, e->tensor);
    if (idx < 0)
        return BAD(NMS_ERR_NOTFOUND, e->line, "%s:%ld: tensor '%s' is not in %s", src, e->line,
                   e->tensor, m->source);
    int ndim = m->ndim[idx];
    int is_weight = e->role == NMS_ROLE_PRODUCER || e->role == NMS_ROLE_CONSUMER;
    nms_layout layout = e->layout;
    if (is_weight) {
        if (ndim < 2)
            return BAD(NMS_ERR_INVALID, e->line,
                       "%s:%ld: %s '%s' has %d axis; a producer or consumer is a weight of 2 or "
                       "more axes (list per-channel tensors as bias, scale, shift, param or alpha)",
                       src, e->line, nms__role_name(e->role), e->tensor, ndim);
        if (layout == NMS_LAYOUT_AUTO)
            layout = ndim == 2 ? NMS_LAYOUT_OI : NMS_LAYOUT_OIHW;
        if (layout == NMS_LAYOUT_OI && ndim != 2)
            return BAD(NMS_ERR_INVALID, e->line, "%s:%ld: layout oi needs a 2-D tensor but '%s' has %d axes",
                       src, e->line, e->tensor, ndim);
        if (layout != NMS_LAYOUT_OI && ndim < 3)
            return BAD(NMS_ERR_INVALID, e->line, "%s:%ld: layout %s needs 3 or more axes but '%s' has %d axes",
                       src, e->line, layout_word(layout), e->tensor, ndim);
    }
    int axis = e->axis;
    if (axis < 0) {
        if (e->role == NMS_ROLE_PRODUCER)
            axis = nms__layout_out_axis(layout, ndim);
        else if (e->role == NMS_ROLE_CONSUMER)
            axis = nms__layout_in_axis(layout, ndim);
        else
            axis = 0;
    }
    if (axis >= ndim)
        return BAD(NMS_ERR_INVALID, e->line, "%s:%ld: axis %d of '%s' is out of range: the tensor has %d axis%s",
                   src, e->line, axis, e->tensor, ndim, ndim == 1 ? "" : "es");
    if (is_weight) {
        int want = e->role == NMS_ROLE_PRODUCER ? nms__layout_out_axis(layout, ndim)
                                                : nms__layout_in_axis(layout, ndim);
        if (axis != want)
            return BAD(NMS_ERR_INVALID, e->line,
                       "%s:%ld: %s '%s' uses axis %d, but in layout %s its %s channels are axis %d",
                       src, e->line, nms__role_name(e->role), e->tensor, axis, layout_word(layout),
                       e->role == NMS_ROLE_PRODUCER ? "output" : "input", want);
    }
    be->tensor = (size_t)idx;
    be->name = m->names[idx];
    be->axis = axis;
    be->role = e->role;
    be->layout = layout;
    be->line = e->line;
    be->flatten = e->flatten ? e->flatten : 1;
    be->flatten_minor = e->flatten_minor;
    if (e->flatten && m->shape[idx][axis] % e->flatten)
        return BAD(NMS_ERR_SHAPE, e->line,
                   "%s:%ld: '%s' has %zu entries on axis %d: not a whole number of channels of %zu "
                   "positions (flatten)", src, e->line, e->tensor, m->shape[idx][axis], axis, e->flatten);
    return NMS_OK;
}

int nms__spec_bind(const nms_channel_spec *spec, const nms__model *m,
                   nms__binding **out, nms_error *err)
{
    const char *src = spec->source;
    nms__binding *b = nms__calloc(1, sizeof *b);
    int st = NMS_OK;
    if (!b || !(b->spaces = nms__calloc(spec->n, sizeof *b->spaces))) {
        nms__free(b);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    b->n = spec->n;
    for (size_t s = 0; s < spec->n && st == NMS_OK; s++) {
        const nms__spec_space *sp = &spec->spaces[s];
        nms__bound_space *bs = &b->spaces[s];
        bs->name = sp->name;
        bs->line = sp->line;
        bs->e = nms__calloc(sp->n, sizeof *bs->e);
        if (!bs->e) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
            break;
        }
        bs->n = sp->n;
        size_t channels = sp->declared;
        long size_line = sp->line;
        const char *size_from = NULL;
        int producers = 0, consumers = 0, alphas = 0;
        long first_alpha = 0;
        for (size_t j = 0; j < sp->n && st == NMS_OK; j++) {
            const nms__spec_entry *e = &sp->e[j];
            nms__bound_entry *be = &bs->e[j];
            st = bind_entry(spec, e, m, be, err);
            if (st != NMS_OK)
                break;
            size_t n = m->shape[be->tensor][be->axis] / be->flatten;
            if (channels == 0) {
                channels = n;
                size_line = e->line;
                size_from = e->tensor;
            } else if (n != channels) {
                if (size_from)
                    st = BAD(NMS_ERR_SHAPE, e->line,
                             "%s:%ld: '%s' has %zu channels on axis %d but space '%s' has %zu "
                             "(from '%s' on line %ld)", src, e->line, e->tensor, n, be->axis,
                             sp->name, channels, size_from, size_line);
                else
                    st = BAD(NMS_ERR_SHAPE, e->line,
                             "%s:%ld: '%s' has %zu channels on axis %d but space '%s' is declared "
                             "with %zu on line %ld", src, e->line, e->tensor, n, be->axis,
                             sp->name, channels, size_line);
                break;
            }
            if (e->role == NMS_ROLE_PRODUCER)
                producers++;
            else if (e->role == NMS_ROLE_CONSUMER)
                consumers++;
            else if (e->role == NMS_ROLE_ALPHA) {
                if (alphas++) {
                    st = BAD(NMS_ERR_INVALID, e->line,
                             "%s:%ld: space '%s' already has an alpha (line %ld); at most one "
                             "structure parameter per space", src, e->line, sp->name, first_alpha);
                    break;
                }
                first_alpha = e->line;
                size_t numel = 1;
                for (int k = 0; k < m->ndim[be->tensor]; k++)
                    numel *= m->shape[be->tensor][k];
                if (numel != n) {
                    st = BAD(NMS_ERR_SHAPE, e->line,
                             "%s:%ld: alpha '%s' must hold one value per channel (%zu) but has %zu",
                             src, e->line, e->tensor, n, numel);
                    break;
                }
            }
            /* the same tensor axis twice, in this or an earlier space */
            for (size_t t = 0; t <= s && st == NMS_OK; t++) {
                const nms__bound_space *os = &b->spaces[t];
                size_t upto = t == s ? j : os->n;
                for (size_t k = 0; k < upto; k++)
                    if (os->e[k].tensor == be->tensor && os->e[k].axis == be->axis) {
                        st = BAD(NMS_ERR_INVALID, e->line,
                                 "%s:%ld: %s:%d is already in space '%s' (line %ld)", src, e->line,
                                 e->tensor, be->axis, os->name, os->e[k].line);
                        break;
                    }
            }
        }
        if (st != NMS_OK)
            break;
        bs->channels = channels;
        if (!producers)
            st = BAD(NMS_ERR_INVALID, sp->line,
                     "%s:%ld: space '%s' has no producer: changing its channels would change what "
                     "the model takes as input", src, sp->line, sp->name);
        else if (!consumers)
            st = BAD(NMS_ERR_INVALID, sp->line,
                     "%s:%ld: space '%s' has no consumer: changing its channels would change what "
                     "the model outputs", src, sp->line, sp->name);
    }
    if (st != NMS_OK) {
        nms__binding_free(b);
        return st;
    }
    *out = b;
    return NMS_OK;
}

int nms__entry_axis_index(const nms__bound_entry *e, size_t C, const int32_t *ch,
                          size_t m, int32_t **out, nms_error *err)
{
    size_t K = e->flatten, n;
    if (nms__mul_size(m, K, &n) || n > INT32_MAX)
        return nms__fail(err, NMS_ERR_RANGE, "'%s': axis too long", e->name);
    int32_t *idx = nms__malloc_array(n ? n : 1, sizeof *idx);
    if (!idx)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < m; j++)
        for (size_t k = 0; k < K; k++) {
            if (e->flatten_minor)
                idx[k * m + j] = (int32_t)(k * C + (size_t)ch[j]);
            else
                idx[j * K + k] = (int32_t)((size_t)ch[j] * K + k);
        }
    *out = idx;
    return NMS_OK;
}

/* ------------------------------------------------------------------ */
/* public accessors                                                    */

int nms_spec_parse(const char *text, size_t size, const char *source,
                   nms_channel_spec **out, nms_error *err)
{
    if (!text && size)
        return nms__fail(err, NMS_ERR_INVALID, "nms_spec_parse: NULL text");
    return nms__spec_parse(text ? text : "", size, source, out, err);
}

int nms_spec_read(const char *path, nms_channel_spec **out, nms_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = nms__malloc(cap);
    int st = NMS_OK;
    while (buf) {
        if (len == cap) {
            char *p = cap > SIZE_MAX / 2 ? NULL : nms__realloc(buf, cap * 2);
            if (!p) {
                nms__free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (!buf)
        st = nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
    else if (ferror(f))
        st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: read error", path);
    fclose(f);
    if (st == NMS_OK)
        st = nms__spec_parse(buf, len, path, out, err);
    nms__free(buf);
    return st;
}

size_t nms_spec_space_count(const nms_channel_spec *spec) { return spec ? spec->n : 0; }

const char *nms_spec_space_name(const nms_channel_spec *spec, size_t space)
{
    return spec && space < spec->n ? spec->spaces[space].name : NULL;
}

size_t nms_spec_entry_count(const nms_channel_spec *spec, size_t space)
{
    return spec && space < spec->n ? spec->spaces[space].n : 0;
}

int nms_spec_entry(const nms_channel_spec *spec, size_t space, size_t j,
                   const char **tensor, int *axis, nms_channel_role *role,
                   nms_layout *layout, long *line)
{
    if (!spec || space >= spec->n || j >= spec->spaces[space].n)
        return NMS_ERR_INVALID;
    const nms__spec_entry *e = &spec->spaces[space].e[j];
    if (tensor)
        *tensor = e->tensor;
    if (axis)
        *axis = e->axis;
    if (role)
        *role = e->role;
    if (layout)
        *layout = e->layout;
    if (line)
        *line = e->line;
    return NMS_OK;
}

/* ------------------------------------------------------------------ */
/* formatting                                                          */

typedef struct out_buf {
    char *s;
    size_t len, cap;
    int failed;
} out_buf;

static void emit(out_buf *b, const char *fmt, ...) NMS_PRINTF(2, 3);

static void emit(out_buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->failed)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->len + (size_t)n + 1 < b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = nms__realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int nms_spec_format(const nms_channel_spec *spec, const size_t *channels, char **text,
                    nms_error *err)
{
    out_buf b = {NULL, 0, 0, 0};
    if (!spec || !text)
        return nms__fail(err, NMS_ERR_INVALID, "nms_spec_format: NULL argument");
    emit(&b, "# nmsparse channel spec (docs/channel-spec.md)\n");
    for (size_t s = 0; s < spec->n; s++) {
        const nms__spec_space *sp = &spec->spaces[s];
        size_t c = channels && channels[s] ? channels[s] : sp->declared;
        emit(&b, "\nspace %s", sp->name);
        if (c)
            emit(&b, " %zu", c);
        emit(&b, "\n");
        for (size_t j = 0; j < sp->n; j++) {
            const nms__spec_entry *e = &sp->e[j];
            emit(&b, "  %-8s %s", nms__role_name(e->role), e->tensor);
            if (e->axis >= 0)
                emit(&b, ":%d", e->axis);
            if (e->layout != NMS_LAYOUT_AUTO)
                emit(&b, " %s", layout_word(e->layout));
            if (e->flatten)
                emit(&b, " flatten=%s:%zu", e->flatten_minor ? "hwc" : "chw", e->flatten);
            emit(&b, "\n");
        }
    }
    if (b.failed) {
        nms__free(b.s);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    *text = b.s;
    return NMS_OK;
}
