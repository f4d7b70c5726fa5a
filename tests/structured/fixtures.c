/* fixtures.c - test models, specs and a reference forward evaluator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "structured/elem.h"

double fx_uniform(unsigned *state, double lo, double hi)
{
    unsigned x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return lo + (hi - lo) * (double)(x >> 8) / 16777216.0;
}

static void add(nms__model *m, const char *name, nms_dtype dt, int ndim,
                const size_t *shape, unsigned *rng, double lo, double hi)
{
    nms_tensor *t;
    if (nms_tensor_create(dt, ndim, shape, &t, NULL) != NMS_OK)
        abort();
    size_t n = nms_tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        nms__elem_set(nms_tensor_data(t), dt, i, fx_uniform(rng, lo, hi));
    if (nms__model_add(m, name, t, NULL) != NMS_OK)
        abort();
}

static void add_f32(nms__model *m, const char *name, int ndim, size_t d0, size_t d1,
                    size_t d2, size_t d3, unsigned *rng, double lo, double hi)
{
    size_t shape[4] = {d0, d1, d2, d3};
    add(m, name, NMS_DTYPE_F32, ndim, shape, rng, lo, hi);
}

static void add_alpha(nms__model *m, const char *name, size_t n, unsigned *rng, int zero_every)
{
    add_f32(m, name, 1, n, 0, 0, 0, rng, 0.5, 1.5);
    if (zero_every > 0) {
        nms_tensor *t = m->tensors[m->count - 1];
        for (size_t c = 0; c < n; c++)
            if (c % (size_t)zero_every == 1)
                nms__elem_set(nms_tensor_data(t), NMS_DTYPE_F32, c, 0.0);
    }
}

static void add_bn(nms__model *m, const char *prefix, size_t n, unsigned *rng)
{
    char name[64];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add_f32(m, name, 1, n, 0, 0, 0, rng, 0.5, 1.5);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add_f32(m, name, 1, n, 0, 0, 0, rng, -0.5, 0.5);
    snprintf(name, sizeof name, "%s.running_mean", prefix);
    add_f32(m, name, 1, n, 0, 0, 0, rng, -0.3, 0.3);
    snprintf(name, sizeof name, "%s.running_var", prefix);
    add_f32(m, name, 1, n, 0, 0, 0, rng, 0.5, 2.0);
}

nms__model *fx_build(fx_kind kind, unsigned seed, int zero_alpha_every)
{
    nms__model *m;
    unsigned rng = seed * 2654435761u + 12345u;
    if (nms__model_create("fixture", &m, NULL) != NMS_OK)
        abort();
    switch (kind) {
    case FX_MLP:
        add_f32(m, "fc1.weight", 2, 16, 6, 0, 0, &rng, -1, 1);
        add_f32(m, "fc1.bias", 1, 16, 0, 0, 0, &rng, -0.5, 0.5);
        add_alpha(m, "fc1.alpha", 16, &rng, zero_alpha_every);
        add_f32(m, "fc2.weight", 2, 12, 16, 0, 0, &rng, -1, 1);
        add_f32(m, "fc2.bias", 1, 12, 0, 0, 0, &rng, -0.5, 0.5);
        add_alpha(m, "fc2.alpha", 12, &rng, zero_alpha_every);
        add_f32(m, "fc3.weight", 2, 4, 12, 0, 0, &rng, -1, 1);
        add_f32(m, "fc3.bias", 1, 4, 0, 0, 0, &rng, -0.5, 0.5);
        break;
    case FX_CONV: {
        add_f32(m, "conv1.weight", 4, 8, 3, 3, 3, &rng, -1, 1);
        add_bn(m, "bn1", 8, &rng);
        size_t scalar = 0;
        add(m, "bn1.num_batches_tracked", NMS_DTYPE_I64, 0, &scalar, &rng, 0, 1);
        add_alpha(m, "conv1.alpha", 8, &rng, zero_alpha_every);
        add_f32(m, "conv2.weight", 4, 3, 3, 8, 12, &rng, -1, 1);
        add_f32(m, "conv2.bias", 1, 12, 0, 0, 0, &rng, -0.5, 0.5);
        add_bn(m, "bn2", 12, &rng);
        add_alpha(m, "conv2.alpha", 12, &rng, zero_alpha_every);
        add_f32(m, "fc.weight", 2, 5, 12, 0, 0, &rng, -1, 1);
        add_f32(m, "fc.bias", 1, 5, 0, 0, 0, &rng, -0.5, 0.5);
        break;
    }
    case FX_FLAT_CHW:
    case FX_FLAT_HWC:
        if (kind == FX_FLAT_CHW)
            add_f32(m, "conv1.weight", 4, 8, 2, 3, 3, &rng, -1, 1);
        else
            add_f32(m, "conv1.weight", 4, 3, 3, 2, 8, &rng, -1, 1);
        add_f32(m, "conv1.bias", 1, 8, 0, 0, 0, &rng, -0.5, 0.5);
        add_alpha(m, "conv1.alpha", 8, &rng, zero_alpha_every);
        add_f32(m, "fc1.weight", 2, 12, 72, 0, 0, &rng, -1, 1);
        add_f32(m, "fc1.bias", 1, 12, 0, 0, 0, &rng, -0.5, 0.5);
        add_f32(m, "fc2.weight", 2, 4, 12, 0, 0, &rng, -1, 1);
        break;
    case FX_DEPTHWISE:
        add_f32(m, "pw1.weight", 4, 8, 4, 1, 1, &rng, -1, 1);
        add_f32(m, "pw1.bias", 1, 8, 0, 0, 0, &rng, -0.5, 0.5);
        add_f32(m, "dw.weight", 4, 8, 1, 3, 3, &rng, -1, 1);
        add_f32(m, "dw.bias", 1, 8, 0, 0, 0, &rng, -0.5, 0.5);
        add_alpha(m, "dw.alpha", 8, &rng, zero_alpha_every);
        add_f32(m, "pw2.weight", 4, 12, 8, 1, 1, &rng, -1, 1);
        add_f32(m, "fc.weight", 2, 4, 12, 0, 0, &rng, -1, 1);
        break;
    case FX_RESIDUAL:
        add_f32(m, "fc0.weight", 2, 8, 6, 0, 0, &rng, -1, 1);
        add_f32(m, "fc0.bias", 1, 8, 0, 0, 0, &rng, -0.5, 0.5);
        add_alpha(m, "res.alpha", 8, &rng, zero_alpha_every);
        add_f32(m, "fc1.weight", 2, 12, 8, 0, 0, &rng, -1, 1);
        add_f32(m, "fc1.bias", 1, 12, 0, 0, 0, &rng, -0.5, 0.5);
        add_f32(m, "fc2.weight", 2, 8, 12, 0, 0, &rng, -1, 1);
        add_f32(m, "fc2.bias", 1, 8, 0, 0, 0, &rng, -0.5, 0.5);
        add_f32(m, "fc3.weight", 2, 4, 8, 0, 0, &rng, -1, 1);
        add_f32(m, "fc3.bias", 1, 4, 0, 0, 0, &rng, -0.5, 0.5);
        break;
    }
    return m;
}

const char *fx_spec_text(fx_kind kind)
{
    switch (kind) {
    case FX_MLP:
        return "# 3-layer MLP\n"
               "space h1 16\n"
               "  producer fc1.weight:0\n"
               "  bias     fc1.bias:0\n"
               "  alpha    fc1.alpha:0\n"
               "  consumer fc2.weight:1\n"
               "space h2\n"
               "  producer fc2.weight:0\n"
               "  bias     fc2.bias\n"
               "  alpha    fc2.alpha\n"
               "  consumer fc3.weight:1\n";
    case FX_CONV:
        return "space c1 8\n"
               "  producer conv1.weight:0 oihw\n"
               "  scale    bn1.weight:0\n"
               "  shift    bn1.bias:0\n"
               "  param    bn1.running_mean:0\n"
               "  param    bn1.running_var:0\n"
               "  alpha    conv1.alpha:0\n"
               "  consumer conv2.weight:2 hwio\n"
               "space c2 12\n"
               "  producer conv2.weight hwio   # axis 3 by the layout\n"
               "  bias     conv2.bias:0\n"
               "  scale    bn2.weight:0\n"
               "  shift    bn2.bias:0\n"
               "  param    bn2.running_mean:0\n"
               "  param    bn2.running_var:0\n"
               "  alpha    conv2.alpha:0\n"
               "  consumer fc.weight:1\n";
    case FX_RESIDUAL:
        return "space res 8   # the residual stream: two producers, two consumers\n"
               "  producer fc0.weight:0\n"
               "  bias     fc0.bias:0\n"
               "  producer fc2.weight:0\n"
               "  bias     fc2.bias:0\n"
               "  alpha    res.alpha:0\n"
               "  consumer fc1.weight:1\n"
               "  consumer fc3.weight:1\n"
               "space mid 12\n"
               "  producer fc1.weight:0\n"
               "  bias     fc1.bias:0\n"
               "  consumer fc2.weight:1\n";
    case FX_FLAT_CHW:
        return "space c1 8\n"
               "  producer conv1.weight oihw\n"
               "  bias     conv1.bias\n"
               "  alpha    conv1.alpha\n"
               "  consumer fc1.weight:1 flatten=chw:9   # PyTorch x.flatten(1)\n"
               "space h1 12\n"
               "  producer fc1.weight\n"
               "  bias     fc1.bias\n"
               "  consumer fc2.weight\n";
    case FX_DEPTHWISE:
        return "space c 8\n"
               "  producer pw1.weight\n"
               "  bias     pw1.bias\n"
               "  scale    dw.weight:0     # depthwise: one 3x3 kernel per channel\n"
               "  shift    dw.bias\n"
               "  alpha    dw.alpha\n"
               "  consumer pw2.weight\n"
               "space p2 12\n"
               "  producer pw2.weight\n"
               "  consumer fc.weight\n";
    case FX_FLAT_HWC:
        return "space c1 8\n"
               "  producer conv1.weight hwio\n"
               "  bias     conv1.bias\n"
               "  alpha    conv1.alpha\n"
               "  consumer fc1.weight flatten=hwc:9 layout=oi\n"
               "space h1 12\n"
               "  producer fc1.weight\n"
               "  bias     fc1.bias\n"
               "  consumer fc2.weight\n";
    }
    return "";
}

size_t fx_input_size(fx_kind kind)
{
    if (kind == FX_DEPTHWISE)
        return 4 * 5 * 5;
    return kind == FX_CONV ? 3 * 5 * 5 : (kind == FX_FLAT_CHW || kind == FX_FLAT_HWC) ? 2 * 3 * 3 : 6;
}
size_t fx_output_size(fx_kind kind) { return kind == FX_CONV ? 5 : 4; }

/* ---- evaluator ---- */

static const nms_tensor *get(const nms__model *m, const char *name)
{
    long i = nms__model_find(m, name);
    return i < 0 ? NULL : m->tensors[i];
}

static double at(const nms_tensor *t, size_t i)
{
    return nms__elem_get(nms_tensor_cdata(t), nms_tensor_dtype(t), i);
}

/* z = W h + b (W: [O, I]); returns O or 0 on shape trouble */
static size_t linear(const nms__model *m, const char *w, const char *b, const double *h,
                     size_t in, double *z)
{
    const nms_tensor *W = get(m, w), *B = b ? get(m, b) : NULL;
    if (!W || nms_tensor_ndim(W) != 2 || nms_tensor_dim(W, 1) != in)
        return 0;
    size_t out = nms_tensor_dim(W, 0);
    for (size_t o = 0; o < out; o++) {
        double s = B ? at(B, o) : 0.0;
        for (size_t i = 0; i < in; i++)
            s += at(W, o * in + i) * h[i];
        z[o] = s;
    }
    return out;
}

static void scale_by(const nms__model *m, const char *alpha, double *z, size_t n)
{
    const nms_tensor *a = get(m, alpha);
    if (a)
        for (size_t c = 0; c < n; c++)
            z[c] *= at(a, c);
}

static void relu(double *z, size_t n)
{
    for (size_t i = 0; i < n; i++)
        z[i] = z[i] > 0 ? z[i] : 0;
}

/* 3x3 conv, pad 1, on [I, H, W]; hwio says the kernel layout. */
static size_t conv(const nms__model *m, const char *w, const char *b, int hwio,
                   const double *x, size_t in, size_t H, size_t Wd, double *y)
{
    const nms_tensor *K = get(m, w), *B = b ? get(m, b) : NULL;
    if (!K || nms_tensor_ndim(K) != 4)
        return 0;
    size_t out = nms_tensor_dim(K, hwio ? 3 : 0);
    if (nms_tensor_dim(K, hwio ? 2 : 1) != in)
        return 0;
    for (size_t o = 0; o < out; o++)
        for (size_t r = 0; r < H; r++)
            for (size_t c = 0; c < Wd; c++) {
                double s = B ? at(B, o) : 0.0;
                for (size_t i = 0; i < in; i++)
                    for (size_t kr = 0; kr < 3; kr++)
                        for (size_t kc = 0; kc < 3; kc++) {
                            long rr = (long)r + (long)kr - 1, cc = (long)c + (long)kc - 1;
                            if (rr < 0 || cc < 0 || rr >= (long)H || cc >= (long)Wd)
                                continue;
                            size_t k = hwio ? ((kr * 3 + kc) * in + i) * out + o
                                            : ((o * in + i) * 3 + kr) * 3 + kc;
                            s += at(K, k) * x[(i * H + (size_t)rr) * Wd + (size_t)cc];
                        }
                y[(o * H + r) * Wd + c] = s;
            }
    return out;
}

static int batchnorm(const nms__model *m, const char *p, double *z, size_t C, size_t HW)
{
    char n[64];
    snprintf(n, sizeof n, "%s.weight", p);
    const nms_tensor *g = get(m, n);
    snprintf(n, sizeof n, "%s.bias", p);
    const nms_tensor *b = get(m, n);
    snprintf(n, sizeof n, "%s.running_mean", p);
    const nms_tensor *mu = get(m, n);
    snprintf(n, sizeof n, "%s.running_var", p);
    const nms_tensor *v = get(m, n);
    if (!g || !b || !mu || !v || nms_tensor_numel(g) != C)
        return -1;
    for (size_t c = 0; c < C; c++)
        for (size_t k = 0; k < HW; k++) {
            double *q = &z[c * HW + k];
            *q = at(g, c) * (*q - at(mu, c)) / sqrt(at(v, c) + 1e-5) + at(b, c);
        }
    return 0;
}

int fx_forward(const nms__model *m, fx_kind kind, const double *x, double *y)
{
    double a[4096], b[4096];
    size_t n;
    switch (kind) {
    case FX_MLP:
        if (!(n = linear(m, "fc1.weight", "fc1.bias", x, 6, a)))
            return -1;
        scale_by(m, "fc1.alpha", a, n);
        relu(a, n);
        if (!(n = linear(m, "fc2.weight", "fc2.bias", a, n, b)))
            return -1;
        scale_by(m, "fc2.alpha", b, n);
        relu(b, n);
        return linear(m, "fc3.weight", "fc3.bias", b, n, y) == 4 ? 0 : -1;
    case FX_CONV: {
        const size_t H = 5, W = 5, HW = 25;
        if (!(n = conv(m, "conv1.weight", NULL, 0, x, 3, H, W, a)) || batchnorm(m, "bn1", a, n, HW))
            return -1;
        const nms_tensor *al = get(m, "conv1.alpha");
        for (size_t c = 0; c < n; c++)
            for (size_t k = 0; k < HW; k++)
                a[c * HW + k] *= al ? at(al, c) : 1.0;
        relu(a, n * HW);
        size_t n2 = conv(m, "conv2.weight", "conv2.bias", 1, a, n, H, W, b);
        if (!n2 || batchnorm(m, "bn2", b, n2, HW))
            return -1;
        al = get(m, "conv2.alpha");
        double pooled[256];
        for (size_t c = 0; c < n2; c++) {
            double s = 0;
            for (size_t k = 0; k < HW; k++) {
                double v = b[c * HW + k] * (al ? at(al, c) : 1.0);
                s += v > 0 ? v : 0;
            }
            pooled[c] = s / (double)HW;
        }
        return linear(m, "fc.weight", "fc.bias", pooled, n2, y) == 5 ? 0 : -1;
    }
    case FX_FLAT_CHW:
    case FX_FLAT_HWC: {
        int hwc = kind == FX_FLAT_HWC;
        size_t C = conv(m, "conv1.weight", "conv1.bias", hwc, x, 2, 3, 3, a);
        if (!C)
            return -1;
        const nms_tensor *al = get(m, "conv1.alpha");
        for (size_t c = 0; c < C; c++)
            for (size_t k = 0; k < 9; k++) {
                double v = a[c * 9 + k] * (al ? at(al, c) : 1.0);
                b[hwc ? k * C + c : c * 9 + k] = v > 0 ? v : 0; /* flatten */
            }
        if (!(n = linear(m, "fc1.weight", "fc1.bias", b, C * 9, a)))
            return -1;
        relu(a, n);
        return linear(m, "fc2.weight", NULL, a, n, y) == 4 ? 0 : -1;
    }
    case FX_DEPTHWISE: {
        const nms_tensor *P1 = get(m, "pw1.weight"), *B1 = get(m, "pw1.bias"), *al = get(m, "dw.alpha");
        const nms_tensor *DW = get(m, "dw.weight"), *DB = get(m, "dw.bias"), *P2 = get(m, "pw2.weight");
        if (!P1 || !B1 || !DW || !DB || !P2 || nms_tensor_dim(P1, 1) != 4)
            return -1;
        size_t C = nms_tensor_dim(P1, 0), C2 = nms_tensor_dim(P2, 0);
        if (nms_tensor_dim(DW, 0) != C || nms_tensor_dim(P2, 1) != C)
            return -1;
        for (size_t c = 0; c < C; c++) /* pointwise 1: a[c][p] */
            for (size_t p = 0; p < 25; p++) {
                double s = at(B1, c);
                for (size_t i = 0; i < 4; i++)
                    s += at(P1, c * 4 + i) * x[i * 25 + p];
                a[c * 25 + p] = s > 0 ? s : 0;
            }
        for (size_t c = 0; c < C; c++) /* depthwise 3x3, pad 1 */
            for (size_t r = 0; r < 5; r++)
                for (size_t q = 0; q < 5; q++) {
                    double s = at(DB, c);
                    for (size_t kr = 0; kr < 3; kr++)
                        for (size_t kc = 0; kc < 3; kc++) {
                            long rr = (long)r + (long)kr - 1, cc = (long)q + (long)kc - 1;
                            if (rr >= 0 && cc >= 0 && rr < 5 && cc < 5)
                                s += at(DW, c * 9 + kr * 3 + kc) * a[c * 25 + (size_t)rr * 5 + (size_t)cc];
                        }
                    s *= al ? at(al, c) : 1.0;
                    b[c * 25 + r * 5 + q] = s > 0 ? s : 0;
                }
        double pooled[256];
        for (size_t o = 0; o < C2; o++) { /* pointwise 2, relu, pool */
            double acc = 0;
            for (size_t p = 0; p < 25; p++) {
                double s = 0;
                for (size_t c = 0; c < C; c++)
                    s += at(P2, o * C + c) * b[c * 25 + p];
                acc += s > 0 ? s : 0;
            }
            pooled[o] = acc / 25.0;
        }
        return linear(m, "fc.weight", NULL, pooled, C2, y) == 4 ? 0 : -1;
    }
    case FX_RESIDUAL: {
        double u[4096], h1[4096];
        if (!(n = linear(m, "fc0.weight", "fc0.bias", x, 6, a)))
            return -1;
        scale_by(m, "res.alpha", a, n);
        relu(a, n);
        size_t nm = linear(m, "fc1.weight", "fc1.bias", a, n, u);
        if (!nm)
            return -1;
        relu(u, nm);
        if (linear(m, "fc2.weight", "fc2.bias", u, nm, b) != n)
            return -1;
        scale_by(m, "res.alpha", b, n);
        for (size_t c = 0; c < n; c++)
            h1[c] = a[c] + b[c];
        relu(h1, n);
        return linear(m, "fc3.weight", "fc3.bias", h1, n, y) == 4 ? 0 : -1;
    }
    }
    return -1;
}

double fx_max_diff(const double *a, const double *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > d)
            d = fabs(a[i] - b[i]);
    return d;
}
