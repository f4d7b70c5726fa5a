/* json.c - the strict JSON reader described in json.h. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"
#include "util/util.h"

typedef struct parser {
    const unsigned char *p, *end;
    const unsigned char *line_start;
    long line;
    int depth;
    size_t used, budget; /* bytes allocated for the tree so far, and the cap */
    const char *name;
    nms_error *err;
} parser;

/* Account for n more bytes of tree; -1 (and the error filled) when over. */
static int spend(parser *ps, size_t n)
{
    if (ps->budget && (nms__add_size(ps->used, n, &ps->used) || ps->used > ps->budget)) {
        nms__fail_at(ps->err, NMS_ERR_RANGE, ps->name, ps->line, 0,
                     "%s: the JSON text needs more than %zu bytes of memory (limit for this input)", ps->name,
                     ps->budget);
        return -1;
    }
    return 0;
}

static long column_of(const parser *ps, const unsigned char *at)
{
    return (long)(at - ps->line_start) + 1;
}

static int fail_at(parser *ps, const unsigned char *at, int status, const char *what)
{
    long col = column_of(ps, at);
    return nms__fail_at(ps->err, status, ps->name, ps->line, col, "%s:%ld:%ld: %s", ps->name, ps->line, col, what);
}

static int unexpected(parser *ps, const char *expected)
{
    char msg[160];
    if (ps->p >= ps->end)
        snprintf(msg, sizeof msg, "unexpected end of text (expected %s)", expected);
    else if (*ps->p >= 0x20 && *ps->p < 0x7f)
        snprintf(msg, sizeof msg, "unexpected character '%c' (expected %s)", *ps->p, expected);
    else
        snprintf(msg, sizeof msg, "unexpected byte 0x%02x (expected %s)", *ps->p, expected);
    return fail_at(ps, ps->p, NMS_ERR_FORMAT, msg);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end) {
        unsigned char c = *ps->p;
        if (c == '\n') {
            ps->p++;
            ps->line++;
            ps->line_start = ps->p;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            ps->p++;
        } else {
            break;
        }
    }
}

/* ---- strings ------------------------------------------------------------ */

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

size_t nms__utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && s[1] < 0xa0) /* overlong */
            return 0;
        if (c == 0xed && s[1] >= 0xa0) /* UTF-16 surrogate */
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && s[1] < 0x90) /* overlong */
            return 0;
        if (c == 0xf4 && s[1] >= 0x90) /* beyond U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ps->p at the opening quote.  The decoded text is never longer than the
 * literal, so one allocation of the literal's length suffices. */
static int parse_string(parser *ps, nms__json *v)
{
    const unsigned char *start = ps->p++;
    const unsigned char *q = ps->p;
    /* find the closing quote (validation happens while decoding) */
    while (q < ps->end && *q != '"') {
        if (*q == '\\' && q + 1 < ps->end)
            q++;
        q++;
    }
    if (q >= ps->end)
        return fail_at(ps, start, NMS_ERR_FORMAT, "unterminated string");
    if (spend(ps, (size_t)(q - ps->p) + 16))
        return NMS_ERR_RANGE;
    char *out = nms__malloc((size_t)(q - ps->p) + 1);
    if (!out)
        return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
    size_t n = 0;
    while (ps->p < q) {
        unsigned char c = *ps->p;
        if (c < 0x20) {
            nms__free(out);
            return fail_at(ps, ps->p, NMS_ERR_FORMAT, "control character in a string (escape it)");
        }
        if (c == '\\') {
            const unsigned char *esc = ps->p;
            unsigned char e = ps->p[1];
            ps->p += 2;
            switch (e) {
            case '"': out[n++] = '"'; break;
            case '\\': out[n++] = '\\'; break;
            case '/': out[n++] = '/'; break;
            case 'b': out[n++] = '\b'; break;
            case 'f': out[n++] = '\f'; break;
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            case 'u': {
                unsigned cp, lo;
                if (q - ps->p < 4 || hex4(ps->p, &cp)) {
                    nms__free(out);
                    return fail_at(ps, esc, NMS_ERR_FORMAT, "\\u must be followed by 4 hex digits");
                }
                ps->p += 4;
                if (cp >= 0xdc00 && cp <= 0xdfff) {
                    nms__free(out);
                    return fail_at(ps, esc, NMS_ERR_FORMAT, "lone low surrogate in a \\u escape");
                }
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (q - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) ||
                        lo < 0xdc00 || lo > 0xdfff) {
                        nms__free(out);
                        return fail_at(ps, esc, NMS_ERR_FORMAT, "high surrogate not followed by a low surrogate");
                    }
                    ps->p += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                n += put_utf8(out + n, cp);
                break;
            }
            default:
                nms__free(out);
                return fail_at(ps, esc, NMS_ERR_FORMAT, "invalid escape in a string");
            }
            continue;
        }
        size_t k = nms__utf8_len(ps->p, (size_t)(q - ps->p));
        if (k == 0) {
            nms__free(out);
            return fail_at(ps, ps->p, NMS_ERR_FORMAT, "invalid UTF-8 in a string");
        }
        memcpy(out + n, ps->p, k);
        n += k;
        ps->p += k;
    }
    ps->p = q + 1;
    out[n] = '\0';
    v->type = NMS__JSON_STRING;
    v->str = out;
    v->len = n;
    return NMS_OK;
}

/* ---- numbers ------------------------------------------------------------ */

static int is_digit(const parser *ps, const unsigned char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

static int parse_number(parser *ps, nms__json *v)
{
    const unsigned char *s = ps->p, *q = ps->p;
    if (*q == '-')
        q++;
    if (!is_digit(ps, q))
        return fail_at(ps, q, NMS_ERR_FORMAT, "a number needs digits");
    if (*q == '0') {
        q++;
        if (is_digit(ps, q))
            return fail_at(ps, s, NMS_ERR_FORMAT, "leading zero in a number");
    } else {
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q))
            return fail_at(ps, q, NMS_ERR_FORMAT, "digits must follow the decimal point");
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(ps, q))
            return fail_at(ps, q, NMS_ERR_FORMAT, "digits must follow the exponent");
        while (is_digit(ps, q))
            q++;
    }
    size_t n = (size_t)(q - s);
    if (spend(ps, n + 16))
        return NMS_ERR_RANGE;
    char *lit = nms__malloc(n + 1);
    if (!lit)
        return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
    memcpy(lit, s, n);
    lit[n] = '\0';
    /* strtod follows LC_NUMERIC; give it the locale's decimal point */
    char *tmp = nms__malloc(n + 8);
    if (!tmp) {
        nms__free(lit);
        return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
    }
    const char *dp = localeconv()->decimal_point;
    size_t dpl = dp ? strlen(dp) : 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (lit[i] == '.' && dpl >= 1 && dpl <= 4) {
            memcpy(tmp + k, dp, dpl);
            k += dpl;
        } else {
            tmp[k++] = lit[i];
        }
    }
    tmp[k] = '\0';
    v->number = strtod(tmp, NULL);
    nms__free(tmp);
    v->type = NMS__JSON_NUMBER;
    v->str = lit;
    v->len = n;
    ps->p = q;
    return NMS_OK;
}

/* ---- values ------------------------------------------------------------- */

static int parse_value(parser *ps, nms__json *v);

static int grow(nms__json **arr, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 2;
    nms__json *a = nms__realloc_array(*arr, ncap, sizeof **arr);
    if (!a)
        return -1;
    *arr = a;
    *cap = ncap;
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    const nms__json *x = *(const nms__json *const *)a, *y = *(const nms__json *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->str, y->str, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Duplicate keys: sort pointers to the keys and compare neighbours. */
static int check_duplicates(parser *ps, const nms__json *obj)
{
    if (obj->count < 2)
        return NMS_OK;
    const nms__json **k = nms__malloc_array(obj->count, sizeof *k);
    if (!k)
        return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
    for (size_t i = 0; i < obj->count; i++)
        k[i] = &obj->keys[i];
    qsort(k, obj->count, sizeof *k, key_cmp);
    int st = NMS_OK;
    for (size_t i = 1; i < obj->count; i++)
        if (key_cmp(&k[i - 1], &k[i]) == 0) {
            const nms__json *later = k[i]->line > k[i - 1]->line ||
                                             (k[i]->line == k[i - 1]->line && k[i]->column > k[i - 1]->column)
                                         ? k[i] : k[i - 1];
            char msg[200];
            snprintf(msg, sizeof msg, "duplicate key \"%.100s\"", later->str);
            st = nms__fail_at(ps->err, NMS_ERR_FORMAT, ps->name, later->line, later->column, "%s:%ld:%ld: %s",
                              ps->name, later->line, later->column, msg);
            break;
        }
    nms__free(k);
    return st;
}

static int parse_container(parser *ps, nms__json *v, int is_object)
{
    size_t cap = 0;
    int st;
    v->type = is_object ? NMS__JSON_OBJECT : NMS__JSON_ARRAY;
    if (++ps->depth > NMS__JSON_MAX_DEPTH)
        return fail_at(ps, ps->p, NMS_ERR_RANGE, "nesting deeper than 64 levels");
    ps->p++; /* '{' or '[' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == (is_object ? '}' : ']')) {
        ps->p++;
        ps->depth--;
        return NMS_OK;
    }
    for (;;) {
        size_t old_cap = cap;
        if (v->count + 1 > cap &&
            spend(ps, (cap ? cap : 2) * sizeof(nms__json) * (is_object ? 2 : 1)))
            return NMS_ERR_RANGE;
        if (grow(&v->items, &cap, v->count + 1))
            return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
        if (is_object) {
            if (cap != old_cap) {
                nms__json *nk = nms__realloc_array(v->keys, cap, sizeof *nk);
                if (!nk)
                    return nms__fail(ps->err, NMS_ERR_NOMEM, "%s: out of memory", ps->name);
                v->keys = nk;
            }
            nms__json *key = &v->keys[v->count];
            memset(key, 0, sizeof *key);
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return unexpected(ps, v->count ? "a key string (no trailing comma)" : "a key string or '}'");
            key->line = ps->line;
            key->column = column_of(ps, ps->p);
            /* the value slot is counted only once the key is complete, so
             * the cleanup below frees exactly what was built */
            nms__json *item = &v->items[v->count];
            memset(item, 0, sizeof *item);
            if ((st = parse_string(ps, key)))
                return st;
            v->count++;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return unexpected(ps, "':' after a key");
            ps->p++;
            if ((st = parse_value(ps, item)))
                return st;
        } else {
            nms__json *item = &v->items[v->count];
            memset(item, 0, sizeof *item);
            v->count++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ']' && v->count > 1)
                return fail_at(ps, ps->p, NMS_ERR_FORMAT, "trailing comma in an array");
            if ((st = parse_value(ps, item)))
                return st;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == (is_object ? '}' : ']')) {
            ps->p++;
            break;
        }
        return unexpected(ps, is_object ? "',' or '}'" : "',' or ']'");
    }
    ps->depth--;
    return is_object ? check_duplicates(ps, v) : NMS_OK;
}

static int literal(parser *ps, nms__json *v, const char *word, nms__json_type type)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return unexpected(ps, "a value");
    ps->p += n;
    v->type = type;
    return NMS_OK;
}

static int parse_value(parser *ps, nms__json *v)
{
    skip_ws(ps);
    v->line = ps->line;
    v->column = column_of(ps, ps->p);
    v->type = NMS__JSON_NULL;
    if (ps->p >= ps->end)
        return unexpected(ps, "a value");
    switch (*ps->p) {
    case '{': return parse_container(ps, v, 1);
    case '[': return parse_container(ps, v, 0);
    case '"': return parse_string(ps, v);
    case 't': return literal(ps, v, "true", NMS__JSON_TRUE);
    case 'f': return literal(ps, v, "false", NMS__JSON_FALSE);
    case 'n': return literal(ps, v, "null", NMS__JSON_NULL);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps, v);
        return unexpected(ps, "a value");
    }
}

static void free_contents(nms__json *v)
{
    nms__free(v->str);
    if (v->type == NMS__JSON_ARRAY || v->type == NMS__JSON_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            free_contents(&v->items[i]);
            if (v->keys)
                free_contents(&v->keys[i]);
        }
    }
    nms__free(v->items);
    nms__free(v->keys);
}

void nms__json_free(nms__json *v)
{
    if (v) {
        free_contents(v);
        nms__free(v);
    }
}

int nms__json_parse(const char *text, size_t len, const char *name,
                    nms__json **out, nms_error *err)
{
    return nms__json_parse_budget(text, len, name, 0, out, err);
}

int nms__json_parse_budget(const char *text, size_t len, const char *name,
                           size_t max_bytes, nms__json **out, nms_error *err)
{
    parser ps;
    ps.p = (const unsigned char *)text;
    ps.end = ps.p + len;
    ps.line_start = ps.p;
    ps.line = 1;
    ps.depth = 0;
    ps.used = sizeof(nms__json);
    ps.budget = max_bytes;
    ps.name = name ? name : "<json>";
    ps.err = err;
    if (!text && len)
        return nms__fail(err, NMS_ERR_INVALID, "nms__json_parse: NULL text");
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        return fail_at(&ps, ps.p, NMS_ERR_FORMAT, "byte-order mark before JSON text");
    nms__json *v = nms__calloc(1, sizeof *v);
    if (!v)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", ps.name);
    int st = parse_value(&ps, v);
    if (!st) {
        skip_ws(&ps);
        if (ps.p < ps.end)
            st = fail_at(&ps, ps.p, NMS_ERR_FORMAT, "unexpected text after the JSON value");
    }
    if (st) {
        nms__json_free(v);
        return st;
    }
    *out = v;
    return NMS_OK;
}

const nms__json *nms__json_get(const nms__json *obj, const char *key)
{
    if (!obj || obj->type != NMS__JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->count; i++)
        if (obj->keys[i].len == n && memcmp(obj->keys[i].str, key, n) == 0)
            return &obj->items[i];
    return NULL;
}

int nms__json_u64(const nms__json *v, uint64_t *out)
{
    if (!v || v->type != NMS__JSON_NUMBER || v->len == 0 || v->str[0] == '-')
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->str[i];
        if (c < '0' || c > '9')
            return -1;
        if (x > (UINT64_MAX - (c - '0')) / 10)
            return -1;
        x = x * 10 + (c - '0');
    }
    *out = x;
    return 0;
}

int nms__utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    while (n > 0) {
        size_t k = nms__utf8_len(p, n);
        if (k == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

const char *nms__json_type_name(nms__json_type t)
{
    switch (t) {
    case NMS__JSON_NULL: return "null";
    case NMS__JSON_FALSE:
    case NMS__JSON_TRUE: return "boolean";
    case NMS__JSON_NUMBER: return "number";
    case NMS__JSON_STRING: return "string";
    case NMS__JSON_ARRAY: return "array";
    case NMS__JSON_OBJECT: return "object";
    }
    return "?";
}
