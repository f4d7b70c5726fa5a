/* json_write.c - the streaming JSON writer described in json_write.h. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"
#include "io/json_write.h"
#include "util/util.h"

static void emit(nms__json_writer *w, const char *s, size_t n)
{
    if (w->error || n == 0)
        return;
    if (w->f) {
        if (fwrite(s, 1, n, w->f) != n)
            w->error = 1;
        return;
    }
    size_t need;
    if (nms__add_size(w->len, n + 1, &need)) {
        w->error = 1;
        return;
    }
    if (need > w->cap) {
        size_t ncap = w->cap ? w->cap : 256;
        while (ncap < need)
            if (nms__mul_size(ncap, 2, &ncap)) {
                w->error = 1;
                return;
            }
        char *nb = nms__realloc(w->buf, ncap);
        if (!nb) {
            w->error = 1;
            return;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void emits(nms__json_writer *w, const char *s) { emit(w, s, strlen(s)); }

static void newline_indent(nms__json_writer *w, int level)
{
    emit(w, "\n", 1);
    for (int i = 0; i < level; i++)
        emit(w, "  ", 2);
}

/* Before any value: commas, indentation, and checks that a value is due. */
static int before_value(nms__json_writer *w)
{
    if (w->error)
        return -1;
    if (w->depth == 0) {
        if (w->done) {
            w->error = 1;
            return -1;
        }
        return 0;
    }
    if (w->kind[w->depth - 1] == 'o') {
        if (!w->want_value) {
            w->error = 1; /* a value where a key is due */
            return -1;
        }
        w->want_value = 0;
        return 0;
    }
    if (w->count[w->depth - 1]++)
        emit(w, ",", 1);
    if (w->pretty)
        newline_indent(w, w->depth);
    return 0;
}

static void after_value(nms__json_writer *w)
{
    if (w->depth == 0)
        w->done = 1;
}

void nms__jw_init_file(nms__json_writer *w, FILE *f, int pretty)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->pretty = pretty;
}

void nms__jw_init_mem(nms__json_writer *w, int pretty)
{
    memset(w, 0, sizeof *w);
    w->pretty = pretty;
}

static void begin(nms__json_writer *w, char kind)
{
    if (before_value(w))
        return;
    if (w->depth == NMS__JW_MAX_DEPTH) {
        w->error = 1;
        return;
    }
    emit(w, kind == 'o' ? "{" : "[", 1);
    w->kind[w->depth] = kind;
    w->count[w->depth] = 0;
    w->depth++;
}

static void end(nms__json_writer *w, char kind)
{
    if (w->error)
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->want_value) {
        w->error = 1;
        return;
    }
    w->depth--;
    if (w->pretty && w->count[w->depth])
        newline_indent(w, w->depth);
    emit(w, kind == 'o' ? "}" : "]", 1);
    after_value(w);
}

void nms__jw_begin_object(nms__json_writer *w) { begin(w, 'o'); }
void nms__jw_end_object(nms__json_writer *w) { end(w, 'o'); }
void nms__jw_begin_array(nms__json_writer *w) { begin(w, 'a'); }
void nms__jw_end_array(nms__json_writer *w) { end(w, 'a'); }

static void write_escaped(nms__json_writer *w, const char *s, size_t n)
{
    emit(w, "\"", 1);
    size_t run = 0; /* bytes copied through unchanged */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            } else if (c >= 0x80) {
                size_t k = nms__utf8_len((const unsigned char *)s + i, n - i);
                if (k == 0) {
                    esc = "\\ufffd"; /* not UTF-8: the replacement character */
                } else {
                    run += k;
                    i += k - 1;
                    continue;
                }
            }
        }
        if (esc) {
            emit(w, s + i - run, run);
            run = 0;
            emits(w, esc);
        } else {
            run++;
        }
    }
    emit(w, s + n - run, run);
    emit(w, "\"", 1);
}

void nms__jw_key(nms__json_writer *w, const char *key)
{
    if (w->error)
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != 'o' || w->want_value) {
        w->error = 1;
        return;
    }
    if (w->count[w->depth - 1]++)
        emit(w, ",", 1);
    if (w->pretty)
        newline_indent(w, w->depth);
    write_escaped(w, key, strlen(key));
    emits(w, w->pretty ? ": " : ":");
    w->want_value = 1;
}

void nms__jw_string_n(nms__json_writer *w, const char *s, size_t n)
{
    if (before_value(w))
        return;
    write_escaped(w, s, n);
    after_value(w);
}

void nms__jw_string(nms__json_writer *w, const char *s) { nms__jw_string_n(w, s, strlen(s)); }

const char *nms__jw_format_double(double x, char *buf)
{
    if (!isfinite(x)) {
        strcpy(buf, "null");
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* the locale's decimal point -> '.' (it may be several bytes) */
    const char *dp = localeconv()->decimal_point;
    if (dp && strcmp(dp, ".") != 0 && *dp) {
        char *at = strstr(buf, dp);
        if (at) {
            size_t dl = strlen(dp);
            *at = '.';
            memmove(at + 1, at + dl, strlen(at + dl) + 1);
        }
    }
    return buf;
}

void nms__jw_double(nms__json_writer *w, double x)
{
    char buf[32];
    if (before_value(w))
        return;
    emits(w, nms__jw_format_double(x, buf));
    after_value(w);
}

void nms__jw_int(nms__json_writer *w, long long x)
{
    char buf[32];
    if (before_value(w))
        return;
    snprintf(buf, sizeof buf, "%lld", x);
    emits(w, buf);
    after_value(w);
}

void nms__jw_uint(nms__json_writer *w, unsigned long long x)
{
    char buf[32];
    if (before_value(w))
        return;
    snprintf(buf, sizeof buf, "%llu", x);
    emits(w, buf);
    after_value(w);
}

void nms__jw_bool(nms__json_writer *w, int b)
{
    if (before_value(w))
        return;
    emits(w, b ? "true" : "false");
    after_value(w);
}

void nms__jw_null(nms__json_writer *w)
{
    if (before_value(w))
        return;
    emits(w, "null");
    after_value(w);
}

void nms__jw_raw(nms__json_writer *w, const char *s, size_t n) { emit(w, s, n); }

int nms__jw_finish(nms__json_writer *w)
{
    if (w->error || w->depth != 0 || !w->done)
        return -1;
    if (w->pretty)
        emit(w, "\n", 1);
    return w->error ? -1 : 0;
}

void nms__jw_free_mem(nms__json_writer *w)
{
    nms__free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}
