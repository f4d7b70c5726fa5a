/* guess.c - write a starting channel spec for a sequential model. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "structured/guess.h"
#include "structured/spec.h"
#include "util/util.h"

typedef struct text_buf {
    char *s;
    size_t len, cap;
    int failed;
} text_buf;

static void put(text_buf *b, const char *fmt, ...) NMS_PRINTF(2, 3);

static void put(text_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *p = nms__realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
}

/* Length of the module prefix of a name (up to the last '.'), 0 if none. */
static size_t prefix_len(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? (size_t)(dot - name) : 0;
}

static const char *last_part(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

static int same_module(const char *a, const char *b)
{
    size_t la = prefix_len(a), lb = prefix_len(b);
    return la == lb && la > 0 && strncmp(a, b, la) == 0;
}

static int is_bn_module(const nms__model *m, const char *name)
{
    static const char *const stats[] = {"running_mean", "running_var", "moving_mean", "moving_variance"};
    for (size_t i = 0; i < m->count; i++)
        if (same_module(m->names[i], name))
            for (size_t k = 0; k < 4; k++)
                if (strcmp(last_part(m->names[i]), stats[k]) == 0)
                    return 1;
    return 0;
}

static int is_weight(const nms__model *m, size_t i)
{
    return m->ndim[i] >= 2 && !strstr(m->names[i], "alpha");
}

static size_t numel_of(const nms__model *m, size_t i)
{
    size_t n = 1;
    for (int k = 0; k < m->ndim[i]; k++)
        n *= m->shape[i][k];
    return n;
}

/* The channel axis of a depthwise kernel of C channels ([C, 1, kh, kw] in
 * OIHW, [kh, kw, C, 1] in HWIO), or -1 when t is not one. */
static int depthwise_axis(const nms__model *m, size_t t, nms_layout layout, size_t C)
{
    if (m->ndim[t] < 3)
        return -1;
    nms_layout l = layout == NMS_LAYOUT_AUTO ? NMS_LAYOUT_OIHW : layout;
    int o = nms__layout_out_axis(l, m->ndim[t]), i = nms__layout_in_axis(l, m->ndim[t]);
    if (m->shape[t][o] == C && m->shape[t][i] == 1)
        return o;
    if (m->shape[t][i] == C && m->shape[t][o] == 1)
        return i;
    return -1;
}

static const char *role_for(const nms__model *m, size_t producer, size_t t)
{
    const char *name = m->names[t], *last = last_part(name);
    if (strstr(name, "alpha"))
        return "alpha";
    int is_bias = strcmp(last, "bias") == 0 || strcmp(last, "beta") == 0;
    if (same_module(name, m->names[producer]) && is_bias)
        return "bias";
    if (is_bn_module(m, name)) {
        if (strcmp(last, "weight") == 0 || strcmp(last, "gamma") == 0)
            return "scale";
        if (is_bias)
            return "shift";
    }
    return "param";
}

int nms__spec_guess(const nms__model *m, nms_layout layout, char **text, nms_error *err)
{
    text_buf b = {0};
    size_t *w = nms__malloc_array(m->count ? m->count : 1, sizeof *w), nw = 0;
    unsigned char *used = nms__calloc(m->count ? m->count : 1, 1);
    if (!w || !used) {
        nms__free(w);
        nms__free(used);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->count; i++)
        if (is_weight(m, i))
            w[nw++] = i;
    put(&b, "# Channel spec for %s, written by 'nmsparse model spec' (format: docs/channel-spec.md).\n"
            "# It assumes a plainly sequential model in the file's tensor order: check it, and add\n"
            "# residual connections, concatenations and grouped convs by hand.\n",
        m->source);
    size_t spaces = 0;
    for (size_t k = 0; k + 1 < nw; k++) {
        size_t A = w[k];
        nms_layout la0 = m->ndim[A] == 2 ? NMS_LAYOUT_OI : (layout == NMS_LAYOUT_AUTO ? NMS_LAYOUT_OIHW : layout);
        size_t C0 = m->shape[A][nms__layout_out_axis(la0, m->ndim[A])];
        /* depthwise convs right after A: per-channel, the space goes on */
        size_t kb = k + 1, dw_first = kb;
        while (kb + 1 < nw && depthwise_axis(m, w[kb], layout, C0) >= 0)
            kb++;
        size_t B = w[kb];
        nms_layout la = m->ndim[A] == 2 ? NMS_LAYOUT_OI : (layout == NMS_LAYOUT_AUTO ? NMS_LAYOUT_OIHW : layout);
        nms_layout lb = m->ndim[B] == 2 ? NMS_LAYOUT_OI : (layout == NMS_LAYOUT_AUTO ? NMS_LAYOUT_OIHW : layout);
        int oa = nms__layout_out_axis(la, m->ndim[A]), ib = nms__layout_in_axis(lb, m->ndim[B]);
        size_t C = m->shape[A][oa], flatten = 1;
        /* a conv followed by a linear layer reading C * K inputs: a flatten */
        if (m->ndim[A] >= 3 && m->ndim[B] == 2 && C > 0 && m->shape[B][ib] > C &&
            m->shape[B][ib] % C == 0)
            flatten = m->shape[B][ib] / C;
        if (flatten == 1 && C != m->shape[B][ib]) {
            put(&b, "\n# no space: '%s' has %zu outputs but '%s' reads %zu inputs\n", m->names[A], C,
                m->names[B], m->shape[B][ib]);
            continue;
        }
        size_t pl = prefix_len(m->names[A]);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(pl ? pl : strlen(m->names[A])), m->names[A]);
        /* the module name is the space name; the weight's full name if a
           module holds two weights */
        if (k > 0 && same_module(m->names[w[k - 1]], m->names[A]))
            snprintf(name, sizeof name, "%s", m->names[A]);
        put(&b, "\nspace %s %zu\n", name, C);
        const char *lw = la == NMS_LAYOUT_OI ? "" : la == NMS_LAYOUT_HWIO ? " hwio" : " oihw";
        put(&b, "  producer %s:%d%s\n", m->names[A], oa, lw);
        for (size_t d = dw_first; d < kb; d++)
            put(&b, "  param    %s:%d   # depthwise (scale, with its bias as shift, if alpha follows it)\n",
                m->names[w[d]], depthwise_axis(m, w[d], layout, C));
        for (size_t t = 0; t < m->count; t++) {
            if (is_weight(m, t) || used[t] || m->ndim[t] < 1)
                continue;
            int between = t > A && t < B;
            int fits = (m->ndim[t] == 1 && m->shape[t][0] == C) ||
                       (strstr(m->names[t], "alpha") && numel_of(m, t) == C);
            /* B's own bias belongs to B's output space, wherever it lies */
            if (!fits || same_module(m->names[t], m->names[B]) ||
                !(between || same_module(m->names[t], m->names[A])))
                continue;
            int axis = 0;
            while (m->shape[t][axis] != C)
                axis++;
            put(&b, "  %-8s %s:%d\n", role_for(m, A, t), m->names[t], axis);
            used[t] = 1;
        }
        lw = lb == NMS_LAYOUT_OI ? "" : lb == NMS_LAYOUT_HWIO ? " hwio" : " oihw";
        if (flatten > 1)
            put(&b, "  consumer %s:%d flatten=%s:%zu   # check: %zu positions per channel\n", m->names[B], ib,
                la == NMS_LAYOUT_HWIO ? "hwc" : "chw", flatten, flatten);
        else
            put(&b, "  consumer %s:%d%s\n", m->names[B], ib, lw);
        spaces++;
        k = kb - 1; /* B opens the next space */
    }
    if (spaces == 0)
        put(&b, "\n# no channel space found: no weight's outputs match the next weight's inputs\n");
    nms__free(w);
    nms__free(used);
    if (b.failed) {
        nms__free(b.s);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    *text = b.s;
    return NMS_OK;
}
