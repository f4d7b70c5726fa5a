/* plan.c - model plans in memory and as PLAN.json. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/atomic_file.h"
#include "io/json_write.h"
#include "structured/axis_ops.h"
#include "structured/plan.h"
#include "util/util.h"

int nms_model_plan_create(nms_model_plan **out, nms_error *err)
{
    nms_model_plan *p = nms__calloc(1, sizeof *p);
    if (!p)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    *out = p;
    return NMS_OK;
}

void nms_model_plan_free(nms_model_plan *plan)
{
    if (!plan)
        return;
    for (size_t k = 0; k < plan->n; k++) {
        nms__free(plan->spaces[k].space);
        nms__free(plan->spaces[k].perm);
        nms__free(plan->spaces[k].status);
    }
    nms__free(plan->spaces);
    nms__free(plan);
}

size_t nms_model_plan_count(const nms_model_plan *plan) { return plan ? plan->n : 0; }

long nms__plan_find(const nms_model_plan *plan, const char *name)
{
    for (size_t k = 0; k < plan->n; k++)
        if (strcmp(plan->spaces[k].space, name) == 0)
            return (long)k;
    return -1;
}

int nms_model_plan_add(nms_model_plan *plan, const nms_space_plan *sp, nms_error *err)
{
    if (!sp->space || !*sp->space || !sp->perm || sp->channels == 0)
        return nms__fail(err, NMS_ERR_INVALID, "a plan space needs a name, channels and a permutation");
    if (nms__plan_find(plan, sp->space) >= 0)
        return nms__fail(err, NMS_ERR_INVALID, "space '%s' is already in the plan", sp->space);
    int st = nms_perm_check(sp->perm, sp->channels, err);
    if (st != NMS_OK) {
        nms__error_prefix(err, sp->space);
        return st;
    }
    if (plan->n == plan->cap) {
        size_t cap = plan->cap ? 2 * plan->cap : 8;
        nms__space_plan *p = nms__realloc_array(plan->spaces, cap, sizeof *p);
        if (!p)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
        plan->spaces = p;
        plan->cap = cap;
    }
    nms__space_plan *d = &plan->spaces[plan->n];
    memset(d, 0, sizeof *d);
    d->space = nms__strdup(sp->space);
    d->status = nms__strdup(sp->status ? sp->status : "unknown");
    d->perm = nms__malloc_array(sp->channels, sizeof *d->perm);
    if (!d->space || !d->status || !d->perm) {
        nms__free(d->space);
        nms__free(d->status);
        nms__free(d->perm);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    memcpy(d->perm, sp->perm, sp->channels * sizeof *d->perm);
    d->channels = sp->channels;
    d->consumers = sp->consumers;
    d->rows = sp->rows;
    d->value = sp->value;
    d->bound = sp->bound;
    d->gap = sp->gap;
    d->identity_value = sp->identity_value;
    d->seconds = sp->seconds;
    plan->n++;
    return NMS_OK;
}

int nms_model_plan_get(const nms_model_plan *plan, size_t i, nms_space_plan *out,
                       nms_error *err)
{
    if (!plan || i >= plan->n)
        return nms__fail(err, NMS_ERR_INVALID, "plan space %zu does not exist", i);
    const nms__space_plan *s = &plan->spaces[i];
    out->space = s->space;
    out->channels = s->channels;
    out->consumers = s->consumers;
    out->rows = s->rows;
    out->perm = s->perm;
    out->value = s->value;
    out->bound = s->bound;
    out->gap = s->gap;
    out->identity_value = s->identity_value;
    out->seconds = s->seconds;
    out->status = s->status;
    return NMS_OK;
}

/* ---- JSON output ---- */

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Shortest round-trip text, '.' as decimal point whatever the locale. */
static void put_number(FILE *f, double v)
{
    char buf[32];
    fputs(nms__jw_format_double(v, buf), f);
}

static int write_plan(FILE *f, void *ctx)
{
    const nms_model_plan *plan = ctx;
    fputs("{\n  \"format\": \"nmsparse-model-plan\",\n  \"version\": 1,\n  \"spaces\": [", f);
    for (size_t k = 0; k < plan->n; k++) {
        const nms__space_plan *s = &plan->spaces[k];
        fputs(k ? ",\n    {" : "\n    {", f);
        fputs("\"space\": ", f);
        put_string(f, s->space);
        fprintf(f, ", \"channels\": %zu, \"consumers\": %zu, \"rows\": %zu,\n     \"value\": ",
                s->channels, s->consumers, s->rows);
        put_number(f, s->value);
        fputs(", \"bound\": ", f);
        put_number(f, s->bound);
        fputs(", \"gap\": ", f);
        put_number(f, s->gap);
        fputs(", \"identity_value\": ", f);
        put_number(f, s->identity_value);
        fputs(", \"seconds\": ", f);
        put_number(f, s->seconds);
        fputs(", \"status\": ", f);
        put_string(f, s->status);
        fputs(",\n     \"perm\": [", f);
        for (size_t j = 0; j < s->channels; j++)
            fprintf(f, j ? (j % 16 ? ", %d" : ",\n              %d") : "%d", (int)s->perm[j]);
        fputs("]}", f);
    }
    fputs(plan->n ? "\n  ]\n}\n" : "]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

int nms_model_plan_write(const nms_model_plan *plan, const char *path, nms_error *err)
{
    return nms__write_file_atomic(path, write_plan, (void *)plan, err);
}

/* ---- stacked scores ---- */

/* Consumers whose 2:4 groups run across channels.  After a chw flatten a
 * group of 4 lies inside one channel's positions, whatever the order. */
static int scored(const nms__bound_entry *e)
{
    return e->role == NMS_ROLE_CONSUMER && (e->flatten == 1 || e->flatten_minor);
}

int nms__space_scores(const nms__model *m, const nms__bound_space *sp, double **scores,
                      size_t *rows, size_t *consumers, nms_error *err)
{
    size_t total = 0, k = 0;
    for (size_t j = 0; j < sp->n; j++)
        if (scored(&sp->e[j])) {
            if (nms__add_size(total, nms__axis_rows(m->tensors[sp->e[j].tensor], sp->e[j].axis,
                                                    sp->e[j].flatten), &total))
                return nms__fail(err, NMS_ERR_RANGE, "space '%s': stacked matrix too large", sp->name);
            k++;
        }
    size_t cells;
    if (nms__mul_size(total, sp->channels, &cells))
        return nms__fail(err, NMS_ERR_RANGE, "space '%s': stacked matrix too large", sp->name);
    double *s = nms__malloc_array(cells, sizeof *s);
    if (!s)
        return nms__fail(err, NMS_ERR_NOMEM, "space '%s': out of memory for a %zu x %zu score matrix",
                         sp->name, total, sp->channels);
    size_t row0 = 0;
    for (size_t j = 0; j < sp->n; j++) {
        const nms__bound_entry *e = &sp->e[j];
        if (!scored(e))
            continue;
        const nms_tensor *t = m->tensors[e->tensor];
        int st = nms__axis_scores(t, e->axis, e->flatten, s, row0, e->name, err);
        if (st != NMS_OK) {
            nms__free(s);
            return st;
        }
        row0 += nms__axis_rows(t, e->axis, e->flatten);
    }
    *scores = s;
    *rows = total;
    *consumers = k;
    return NMS_OK;
}

int nms__plan_match(const nms_model_plan *plan, const nms__binding *b, const int32_t **perms,
                    const char *plan_source, nms_error *err)
{
    const char *src = plan_source ? plan_source : "plan";
    for (size_t s = 0; s < b->n; s++) {
        long k = nms__plan_find(plan, b->spaces[s].name);
        if (k < 0)
            return nms__fail(err, NMS_ERR_NOTFOUND, "%s: no permutation for space '%s' of the spec",
                             src, b->spaces[s].name);
        if (plan->spaces[k].channels != b->spaces[s].channels)
            return nms__fail(err, NMS_ERR_SHAPE,
                             "%s: space '%s' has %zu channels in the plan but %zu in the model",
                             src, b->spaces[s].name, plan->spaces[k].channels, b->spaces[s].channels);
        perms[s] = plan->spaces[k].perm;
    }
    for (size_t k = 0; k < plan->n; k++) {
        size_t s = 0;
        while (s < b->n && strcmp(b->spaces[s].name, plan->spaces[k].space) != 0)
            s++;
        if (s == b->n)
            return nms__fail(err, NMS_ERR_NOTFOUND, "%s: space '%s' is not in the spec", src,
                             plan->spaces[k].space);
    }
    return NMS_OK;
}
