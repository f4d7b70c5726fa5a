/* fuzz_json.c - libFuzzer target: the strict JSON reader.  Whatever it
 * accepts is written back with the JSON writer, parsed again, and must come
 * out the same (numbers beyond the double range excepted: they become null). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/json.h"
#include "io/json_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_value(nms__json_writer *w, const nms__json *v)
{
    switch (v->type) {
    case NMS__JSON_NULL: nms__jw_null(w); break;
    case NMS__JSON_FALSE: nms__jw_bool(w, 0); break;
    case NMS__JSON_TRUE: nms__jw_bool(w, 1); break;
    case NMS__JSON_NUMBER: nms__jw_double(w, v->number); break;
    case NMS__JSON_STRING: nms__jw_string_n(w, v->str, v->len); break;
    case NMS__JSON_ARRAY:
        nms__jw_begin_array(w);
        for (size_t i = 0; i < v->count; i++)
            write_value(w, &v->items[i]);
        nms__jw_end_array(w);
        break;
    case NMS__JSON_OBJECT:
        nms__jw_begin_object(w);
        for (size_t i = 0; i < v->count; i++) {
            /* keys with NUL bytes cannot pass through nms__jw_key */
            nms__jw_key(w, v->keys[i].str);
            write_value(w, &v->items[i]);
        }
        nms__jw_end_object(w);
        break;
    }
}

static int has_nul_key(const nms__json *v)
{
    for (size_t i = 0; i < v->count && (v->type == NMS__JSON_ARRAY || v->type == NMS__JSON_OBJECT); i++) {
        if (v->type == NMS__JSON_OBJECT && strlen(v->keys[i].str) != v->keys[i].len)
            return 1;
        if (has_nul_key(&v->items[i]))
            return 1;
    }
    return 0;
}

static int same(const nms__json *a, const nms__json *b)
{
    if (a->type == NMS__JSON_NUMBER && !isfinite(a->number))
        return b->type == NMS__JSON_NULL;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case NMS__JSON_NUMBER: return a->number == b->number;
    case NMS__JSON_STRING: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case NMS__JSON_ARRAY:
    case NMS__JSON_OBJECT:
        if (a->count != b->count)
            return 0;
        for (size_t i = 0; i < a->count; i++) {
            if (a->type == NMS__JSON_OBJECT && !same(&a->keys[i], &b->keys[i]))
                return 0;
            if (!same(&a->items[i], &b->items[i]))
                return 0;
        }
        return 1;
    default: return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nms__json *v = NULL, *again = NULL;
    nms_error err;
    if (nms__json_parse((const char *)data, size, "fuzz.json", &v, &err) != 0)
        return 0;
    (void)nms__json_get(v, "dtype");
    uint64_t u;
    (void)nms__json_u64(v, &u);
    if (!has_nul_key(v)) {
        nms__json_writer w;
        nms__jw_init_mem(&w, size & 1);
        write_value(&w, v);
        if (nms__jw_finish(&w) != 0)
            __builtin_trap();
        if (nms__json_parse(w.buf, w.len, "rewritten", &again, &err) != 0 || !same(v, again))
            __builtin_trap();
        nms__json_free(again);
        nms__jw_free_mem(&w);
    }
    nms__json_free(v);
    return 0;
}
