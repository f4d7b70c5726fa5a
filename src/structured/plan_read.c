/* plan_read.c - reading PLAN.json (format in plan.h) with the strict JSON
 * reader of src/io. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/json.h"
#include "structured/plan.h"
#include "util/util.h"

static int read_all(const char *path, char **text, size_t *len, nms_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = nms__malloc(cap);
    while (buf) {
        if (n == cap) {
            char *p = cap > SIZE_MAX / 2 ? NULL : nms__realloc(buf, cap * 2);
            if (!p) {
                nms__free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        nms__free(buf);
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: read error", path);
    }
    *text = buf;
    *len = n;
    return NMS_OK;
}

#define AT(v, ...) nms__fail_at(err, NMS_ERR_FORMAT, path, (v)->line, (v)->column, __VA_ARGS__)

static double number_or(const nms__json *obj, const char *key, double dflt)
{
    const nms__json *v = nms__json_get(obj, key);
    return v && v->type == NMS__JSON_NUMBER ? v->number : dflt;
}

/* An informational count: a non-negative integer below 2^53, else 0. */
static size_t count_or_zero(double v)
{
    return v >= 0 && v < 9007199254740992.0 && v <= (double)SIZE_MAX && v == floor(v) ? (size_t)v : 0;
}

static int read_space(const nms__json *o, const char *path, nms_model_plan *plan, nms_error *err)
{
    if (o->type != NMS__JSON_OBJECT)
        return AT(o, "%s:%ld:%ld: a space must be an object", path, o->line, o->column);
    const nms__json *name = nms__json_get(o, "space"), *ch = nms__json_get(o, "channels"),
                    *perm = nms__json_get(o, "perm"), *status = nms__json_get(o, "status");
    uint64_t c, v;
    if (!name || name->type != NMS__JSON_STRING || !*name->str || strlen(name->str) != name->len)
        return AT(o, "%s:%ld:%ld: a space needs a \"space\" name", path, o->line, o->column);
    if (!ch || nms__json_u64(ch, &c) || c == 0 || c > INT32_MAX)
        return AT(o, "%s:%ld:%ld: space '%s' needs a positive integer \"channels\"", path, o->line,
                  o->column, name->str);
    if (!perm || perm->type != NMS__JSON_ARRAY || perm->count != c)
        return AT(perm ? perm : o, "%s:%ld:%ld: space '%s': \"perm\" must be an array of %llu channel indices",
                  path, (perm ? perm : o)->line, (perm ? perm : o)->column, name->str, (unsigned long long)c);
    int32_t *p = nms__malloc_array((size_t)c, sizeof *p);
    if (!p)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < c; j++) {
        const nms__json *it = &perm->items[j];
        if (nms__json_u64(it, &v) || v >= c) {
            nms__free(p);
            return AT(it, "%s:%ld:%ld: space '%s': perm[%zu] is not a channel index below %llu", path,
                      it->line, it->column, name->str, j, (unsigned long long)c);
        }
        p[j] = (int32_t)v;
    }
    nms_space_plan sp;
    memset(&sp, 0, sizeof sp);
    sp.space = name->str;
    sp.channels = (size_t)c;
    sp.perm = p;
    sp.consumers = count_or_zero(number_or(o, "consumers", 0));
    sp.rows = count_or_zero(number_or(o, "rows", 0));
    sp.value = number_or(o, "value", 0);
    sp.bound = number_or(o, "bound", 0);
    sp.gap = number_or(o, "gap", 0);
    sp.identity_value = number_or(o, "identity_value", 0);
    sp.seconds = number_or(o, "seconds", 0);
    sp.status = status && status->type == NMS__JSON_STRING ? status->str : "unknown";
    int st = nms_model_plan_add(plan, &sp, err);
    nms__free(p);
    if (st != NMS_OK)
        nms__error_prefix(err, path);
    return st;
}

int nms_model_plan_read(const char *path, nms_model_plan **out, nms_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int st = read_all(path, &text, &len, err);
    if (st != NMS_OK)
        return st;
    nms__json *root = NULL;
    st = nms__json_parse(text, len, path, &root, err);
    nms__free(text);
    if (st != NMS_OK)
        return st;
    nms_model_plan *plan = NULL;
    const nms__json *fmt = root->type == NMS__JSON_OBJECT ? nms__json_get(root, "format") : NULL;
    const nms__json *spaces = root->type == NMS__JSON_OBJECT ? nms__json_get(root, "spaces") : NULL;
    if (!fmt || fmt->type != NMS__JSON_STRING || strcmp(fmt->str, "nmsparse-model-plan") != 0)
        st = AT(root, "%s: not a model plan (\"format\": \"nmsparse-model-plan\" is missing)", path);
    else if (!spaces || spaces->type != NMS__JSON_ARRAY)
        st = AT(root, "%s: \"spaces\" must be an array", path);
    if (st == NMS_OK)
        st = nms_model_plan_create(&plan, err);
    for (size_t k = 0; st == NMS_OK && k < spaces->count; k++)
        st = read_space(&spaces->items[k], path, plan, err);
    nms__json_free(root);
    if (st != NMS_OK) {
        nms_model_plan_free(plan);
        return st;
    }
    *out = plan;
    return NMS_OK;
}
