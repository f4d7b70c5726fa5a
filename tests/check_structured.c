/* check_structured.c - channel specs, consistent permutations, 2:4 pruning of
 * consumers, and structured pruning with compaction, on small models checked
 * with a reference forward evaluator. */
#include <check.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/tensor.h"
#include "structured/apply.h"
#include "structured/axis_ops.h"
#include "structured/elem.h"
#include "util/half.h"
#include "structured/guess.h"
#include "structured/plan.h"
#include "part/objective.h"
#include "structured/shrink.h"
#include "structured/spec.h"
#include "structured/fixtures.h"
#include "util/util.h"

#define EQF(a, b) ck_assert_msg((a) == (b), "%g != %g", (double)(a), (double)(b))

static const fx_kind all_kinds[] = {FX_MLP, FX_CONV, FX_RESIDUAL, FX_FLAT_CHW, FX_FLAT_HWC, FX_DEPTHWISE};

static nms_channel_spec *parse_ok(const char *text)
{
    nms_channel_spec *spec = NULL;
    nms_error err;
    int st = nms_spec_parse(text, strlen(text), "test.spec", &spec, &err);
    ck_assert_msg(st == NMS_OK, "parse failed: %s", err.text);
    return spec;
}

/* Parse + bind must fail with `status` on `line`, message containing `needle`. */
static void expect_spec_error(const nms__model *m, const char *text, int status, long line,
                              const char *needle)
{
    nms_channel_spec *spec = NULL;
    nms__binding *b = NULL;
    nms_error err;
    memset(&err, 0, sizeof err);
    int st = nms_spec_parse(text, strlen(text), "test.spec", &spec, &err);
    if (st == NMS_OK) {
        st = nms__spec_bind(spec, m, &b, &err);
        nms__binding_free(b);
        nms_spec_free(spec);
    }
    ck_assert_msg(st == status, "status %d (wanted %d) for:\n%s\nmessage: %s", st, status, text, err.text);
    ck_assert_msg(err.line == line, "line %ld (wanted %ld): %s", err.line, line, err.text);
    ck_assert_msg(strstr(err.text, needle) != NULL, "'%s' not in message '%s'", needle, err.text);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "test.spec:%ld:", line);
    if (line > 0)
        ck_assert_msg(strncmp(err.text, prefix, strlen(prefix)) == 0, "message '%s' does not start with %s",
                      err.text, prefix);
}

static nms__binding *bind_ok(const nms__model *m, const char *text)
{
    nms_channel_spec *spec = parse_ok(text);
    nms__binding *b = NULL;
    nms_error err;
    int st = nms__spec_bind(spec, m, &b, &err);
    ck_assert_msg(st == NMS_OK, "bind failed: %s", err.text);
    /* the binding borrows space names from the spec: keep it alive by leaking
       into a static list would be ugly; copy instead */
    for (size_t s = 0; s < b->n; s++)
        b->spaces[s].name = nms__strdup(b->spaces[s].name);
    nms_spec_free(spec);
    return b;
}

static void unbind(nms__binding *b)
{
    for (size_t s = 0; s < b->n; s++)
        nms__free((char *)b->spaces[s].name);
    nms__binding_free(b);
}

/* ------------------------------------------------------------------ */

START_TEST(spec_parse_and_bind)
{
    nms_channel_spec *spec = parse_ok(fx_spec_text(FX_CONV));
    ck_assert_uint_eq(nms_spec_space_count(spec), 2);
    ck_assert_str_eq(nms_spec_space_name(spec, 1), "c2");
    ck_assert_uint_eq(nms_spec_entry_count(spec, 0), 7);
    const char *name;
    int axis;
    nms_channel_role role;
    nms_layout layout;
    long line;
    ck_assert_int_eq(nms_spec_entry(spec, 1, 0, &name, &axis, &role, &layout, &line), NMS_OK);
    ck_assert_str_eq(name, "conv2.weight");
    ck_assert_int_eq(axis, -1);
    ck_assert_int_eq(role, NMS_ROLE_PRODUCER);
    ck_assert_int_eq(layout, NMS_LAYOUT_HWIO);
    ck_assert_int_eq(line, 10);
    ck_assert_int_eq(nms_spec_entry(spec, 1, 99, NULL, NULL, NULL, NULL, NULL), NMS_ERR_INVALID);

    /* formatting round-trips, and can carry new channel counts */
    char *text = NULL, *text2 = NULL;
    size_t counts[2] = {0, 8};
    ck_assert_int_eq(nms_spec_format(spec, counts, &text, NULL), NMS_OK);
    ck_assert_msg(strstr(text, "space c1 8\n  producer conv1.weight:0 oihw\n") &&
                  strstr(text, "space c2 8\n  producer conv2.weight hwio\n"), "%s", text);
    nms_channel_spec *again = parse_ok(text);
    ck_assert_int_eq(nms_spec_format(again, counts, &text2, NULL), NMS_OK);
    ck_assert_str_eq(text, text2);
    nms_free(text);
    nms_free(text2);
    nms_spec_free(again);
    again = parse_ok(fx_spec_text(FX_FLAT_HWC));
    ck_assert_int_eq(nms_spec_format(again, NULL, &text, NULL), NMS_OK);
    ck_assert_msg(strstr(text, "  consumer fc1.weight oi flatten=hwc:9\n"), "%s", text);
    nms_free(text);
    nms_spec_free(again);

    nms__model *m = fx_build(FX_CONV, 1, 0);
    nms__binding *b = NULL;
    nms_error err;
    ck_assert_int_eq(nms__spec_bind(spec, m, &b, &err), NMS_OK);
    ck_assert_uint_eq(b->n, 2);
    ck_assert_uint_eq(b->spaces[0].channels, 8);
    ck_assert_uint_eq(b->spaces[1].channels, 12);
    ck_assert_int_eq(b->spaces[1].e[0].axis, 3); /* HWIO output axis */
    ck_assert_int_eq(b->spaces[0].e[6].axis, 2); /* HWIO input axis */
    nms__binding_free(b);
    nms_spec_free(spec);
    nms__model_free(m);
}
END_TEST

START_TEST(spec_errors_name_the_line)
{
    nms__model *m = fx_build(FX_MLP, 1, 0);
    /* syntax */
    expect_spec_error(m, "space a\n  producer fc1.weight:0\n  frobnicate x\n", NMS_ERR_FORMAT, 3, "unknown keyword 'frobnicate'");
    expect_spec_error(m, "# hi\nproducer fc1.weight:0\n", NMS_ERR_FORMAT, 2, "before the first 'space'");
    expect_spec_error(m, "space a\nspace a\n", NMS_ERR_FORMAT, 2, "already defined on line 1");
    expect_spec_error(m, "space a 0\n", NMS_ERR_FORMAT, 1, "not a positive integer");
    expect_spec_error(m, "space a\n producer fc1.weight:x\n", NMS_ERR_FORMAT, 2, "is not an axis number");
    expect_spec_error(m, "space a\n producer fc1.weight:0 nhwc\n", NMS_ERR_FORMAT, 2, "unknown option 'nhwc'");
    expect_spec_error(m, "space a\n bias fc1.bias:0 oihw\n", NMS_ERR_FORMAT, 2, "only meaningful for producers");
    expect_spec_error(m, "space a\n\n# nothing\nspace b\n producer fc1.weight\n", NMS_ERR_FORMAT, 1, "lists no tensors");
    expect_spec_error(m, "# empty\n", NMS_ERR_FORMAT, 0, "no 'space' line");
    /* binding */
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n consumer fc9.weight:1\n", NMS_ERR_NOTFOUND, 3,
                      "tensor 'fc9.weight' is not in fixture");
    expect_spec_error(m, "space h1\n producer fc1.weight:1\n consumer fc2.weight:1\n", NMS_ERR_INVALID, 2,
                      "its output channels are axis 0");
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n consumer fc2.weight:0\n", NMS_ERR_INVALID, 3,
                      "its input channels are axis 1");
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n bias fc1.bias:1\n consumer fc2.weight\n", NMS_ERR_INVALID, 3,
                      "axis 1 of 'fc1.bias' is out of range");
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n consumer fc3.weight:1\n", NMS_ERR_SHAPE, 3,
                      "'fc3.weight' has 12 channels on axis 1 but space 'h1' has 16 (from 'fc1.weight' on line 2)");
    expect_spec_error(m, "space h1 12\n producer fc1.weight:0\n consumer fc2.weight:1\n", NMS_ERR_SHAPE, 2,
                      "declared with 12 on line 1");
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n bias fc2.bias\n consumer fc2.weight\n", NMS_ERR_SHAPE, 3,
                      "'fc2.bias' has 12 channels");
    expect_spec_error(m, "space h1\n producer fc1.weight:0\n consumer fc2.weight:1\nspace h1b\n producer fc1.weight:0\n consumer fc2.weight\n",
                      NMS_ERR_INVALID, 5, "fc1.weight:0 is already in space 'h1' (line 2)");
    expect_spec_error(m, "space h1\n bias fc1.bias\n consumer fc2.weight:1\n", NMS_ERR_INVALID, 1, "has no producer");
    expect_spec_error(m, "space h1\n producer fc1.weight\n bias fc1.bias\n", NMS_ERR_INVALID, 1, "has no consumer");
    expect_spec_error(m, "space h1\n producer fc1.weight\n alpha fc1.alpha\n alpha fc1.bias\n consumer fc2.weight\n",
                      NMS_ERR_INVALID, 4, "already has an alpha (line 3)");
    expect_spec_error(m, "space h1\n producer fc1.bias\n consumer fc2.weight\n", NMS_ERR_INVALID, 2,
                      "a producer or consumer is a weight of 2 or more axes");
    expect_spec_error(m, "space h1\n producer fc1.weight oihw\n consumer fc2.weight\n", NMS_ERR_INVALID, 2,
                      "has 2 axes");
    expect_spec_error(m, "space h1\n producer fc1.weight\n consumer fc2.weight flatten=chw:3\n", NMS_ERR_SHAPE, 3,
                      "'fc2.weight' has 16 entries on axis 1: not a whole number of channels of 3 positions");
    expect_spec_error(m, "space h1\n producer fc1.weight\n consumer fc2.weight flatten=chw:2\n", NMS_ERR_SHAPE, 3,
                      "'fc2.weight' has 8 channels on axis 1 but space 'h1' has 16");
    expect_spec_error(m, "space h1\n producer fc1.weight flatten=chw:2\n", NMS_ERR_FORMAT, 2,
                      "flatten is only meaningful for consumers");
    expect_spec_error(m, "space h1\n consumer fc2.weight flatten=cwh:2\n", NMS_ERR_FORMAT, 2,
                      "expected flatten=chw:K or flatten=hwc:K");
    nms__model_free(m);
}
END_TEST

START_TEST(half_and_bf16_conversions)
{
    /* every finite half round-trips through float */
    for (unsigned h = 0; h < 0x10000u; h++) {
        if ((h & 0x7c00u) == 0x7c00u)
            continue;
        float f = nms__f16_to_f32((uint16_t)h);
        ck_assert_uint_eq(nms__f32_to_f16(f), h);
    }
    EQF(nms__f16_to_f32(0x3c00u), 1.0f);
    EQF(nms__f16_to_f32(0x0001u), ldexpf(1.0f, -24));
    ck_assert_uint_eq(nms__f32_to_f16(65520.0f), 0x7c00u);          /* rounds to inf */
    ck_assert_uint_eq(nms__f32_to_f16(1.0f + ldexpf(1, -11)), 0x3c00u); /* tie to even */
    ck_assert_uint_eq(nms__f32_to_bf16(1.0f), 0x3f80u);
    EQF(nms__bf16_to_f32(0xbf80u), -1.0f);
}
END_TEST

/* ------------------------------------------------------------------ */

static void random_perm(int32_t *p, size_t n, unsigned *rng)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int32_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)fx_uniform(rng, 0, (double)(i + 1));
        int32_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

static void outputs(const nms__model *m, fx_kind kind, unsigned seed, size_t ninputs, double *y)
{
    double x[128];
    unsigned rng = seed;
    for (size_t k = 0; k < ninputs; k++) {
        for (size_t i = 0; i < fx_input_size(kind); i++)
            x[i] = fx_uniform(&rng, -1, 1);
        ck_assert_int_eq(fx_forward(m, kind, x, y + k * fx_output_size(kind)), 0);
    }
}

START_TEST(apply_keeps_the_function)
{
    fx_kind kind = all_kinds[_i];
    nms__model *m = fx_build(kind, 7, 0), *p;
    nms_error err;
    nms__binding *b = bind_ok(m, fx_spec_text(kind));
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    int32_t perm[2][64];
    const int32_t *perms[2] = {perm[0], perm[1]};
    unsigned rng = 99;
    int moved = 0;
    for (size_t s = 0; s < b->n; s++) {
        random_perm(perm[s], b->spaces[s].channels, &rng);
        for (size_t j = 0; j < b->spaces[s].channels; j++)
            moved += perm[s][j] != (int32_t)j;
    }
    ck_assert_int_gt(moved, 0);
    ck_assert_int_eq(nms__model_apply_perms(p, b, perms, 0, &err), NMS_OK);

    double y0[20 * 8], y1[20 * 8];
    outputs(m, kind, 5, 20, y0);
    outputs(p, kind, 5, 20, y1);
    double d = fx_max_diff(y0, y1, 20 * fx_output_size(kind));
    ck_assert_msg(d <= 1e-6, "outputs differ by %g after permutation", d);

    /* the weights really moved, and the outputs are not trivial */
    int changed = 0;
    for (size_t i = 0; i < m->count; i++)
        changed += memcmp(nms_tensor_cdata(m->tensors[i]), nms_tensor_cdata(p->tensors[i]),
                          nms_tensor_nbytes(m->tensors[i])) != 0;
    ck_assert_int_gt(changed, 3);
    ck_assert(fabs(y0[0]) + fabs(y0[1]) > 1e-3);

    /* a wrong permutation of a consumer only breaks the function: the test can fail */
    nms__binding one = *b;
    one.n = 1;
    nms__bound_space sp = b->spaces[0];
    size_t keep_n = sp.n;
    for (size_t j = 0; j < sp.n; j++)
        if (sp.e[j].role == NMS_ROLE_CONSUMER) {
            sp.e = &b->spaces[0].e[j];
            sp.n = 1;
            break;
        }
    ck_assert_uint_lt(sp.n, keep_n);
    one.spaces = &sp;
    ck_assert_int_eq(nms__model_apply_perms(p, &one, perms, 0, &err), NMS_OK);
    outputs(p, kind, 5, 20, y1);
    ck_assert_msg(fx_max_diff(y0, y1, 20 * fx_output_size(kind)) > 1e-3, "inconsistent permutation not detected");

    unbind(b);
    nms__model_free(m);
    nms__model_free(p);
}
END_TEST

START_TEST(apply_rejects_bad_permutations)
{
    nms__model *m = fx_build(FX_MLP, 3, 0);
    nms__binding *b = bind_ok(m, fx_spec_text(FX_MLP));
    int32_t p1[16], p2[12];
    for (int i = 0; i < 16; i++)
        p1[i] = i;
    for (int i = 0; i < 12; i++)
        p2[i] = 11 - i;
    p2[3] = p2[4]; /* duplicate */
    const int32_t *perms[2] = {p1, p2};
    nms_error err;
    ck_assert_int_eq(nms__model_apply_perms(m, b, perms, 0, &err), NMS_ERR_INVALID);
    ck_assert_msg(strncmp(err.text, "h2: ", 4) == 0, "%s", err.text);
    unbind(b);
    nms__model_free(m);
}
END_TEST

START_TEST(prune24_mask_rule)
{
    /* rows of 8 along axis 1 of a [2, 8] tensor; ties keep the lower index */
    static const float w[16] = {1, -3, 2, 0.5f,   2, 2, 2, 2,
                                -1, 1, -1, 1,     0, 0, 5, 0};
    static const float want[16] = {0, -3, 2, 0,   2, 2, 0, 0,
                                   -1, 1, 0, 0,   0, 0, 5, 0};
    size_t shape[2] = {2, 8};
    nms_tensor *t;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &t, NULL), NMS_OK);
    memcpy(nms_tensor_data(t), w, sizeof w);
    ck_assert_int_eq(nms__axis_prune24(t, 1, "t", NULL), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), want, sizeof want), 0);
    /* along axis 0 of the transpose-shaped [8, 2] */
    nms_tensor_free(t);
    size_t shape2[2] = {8, 2};
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape2, &t, NULL), NMS_OK);
    float *d = nms_tensor_data(t);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 8; c++)
            d[c * 2 + r] = w[r * 8 + c];
    ck_assert_int_eq(nms__axis_prune24(t, 0, "t", NULL), NMS_OK);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 8; c++)
            EQF(d[c * 2 + r], want[r * 8 + c]);
    nms_tensor_free(t);
}
END_TEST

START_TEST(apply_prunes_consumers_only)
{
    nms__model *m = fx_build(FX_RESIDUAL, 11, 0), *p;
    nms__binding *b = bind_ok(m, fx_spec_text(FX_RESIDUAL));
    nms_error err;
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    const int32_t *perms[2] = {NULL, NULL};
    ck_assert_int_eq(nms__model_apply_perms(p, b, perms, 1, &err), NMS_OK);
    const char *consumers[] = {"fc1.weight", "fc2.weight", "fc3.weight"};
    for (int k = 0; k < 3; k++) {
        const nms_tensor *t = p->tensors[nms__model_find(p, consumers[k])];
        const float *v = nms_tensor_cdata(t);
        size_t R = nms_tensor_dim(t, 0), C = nms_tensor_dim(t, 1);
        for (size_t r = 0; r < R; r++)
            for (size_t g = 0; g < C; g += 4) {
                int nz = 0;
                for (int q = 0; q < 4; q++)
                    nz += v[r * C + g + q] != 0.0f;
                ck_assert_int_eq(nz, 2);
            }
    }
    /* fc0 only produces: untouched */
    long i0 = nms__model_find(m, "fc0.weight");
    ck_assert_int_eq(memcmp(nms_tensor_cdata(m->tensors[i0]), nms_tensor_cdata(p->tensors[i0]),
                            nms_tensor_nbytes(m->tensors[i0])), 0);
    unbind(b);
    nms__model_free(m);
    nms__model_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */

START_TEST(shrink_with_zero_alpha_keeps_the_function)
{
    fx_kind kind = all_kinds[_i];
    nms__model *m = fx_build(kind, 21, 3), *p;
    nms__binding *b = bind_ok(m, fx_spec_text(kind));
    nms_error err;
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    nms_shrink_options opt;
    nms_shrink_options_init(&opt);
    nms_shrink_report *r = NULL;
    ck_assert_int_eq(nms__model_shrink(p, b, &opt, &r, &err), NMS_OK);

    double y0[20 * 8], y1[20 * 8];
    outputs(m, kind, 8, 20, y0);
    outputs(p, kind, 8, 20, y1);
    double d = fx_max_diff(y0, y1, 20 * fx_output_size(kind));
    ck_assert_msg(d <= 1e-6, "outputs differ by %g after shrink", d);

    /* channels c % 3 == 1 are gone from every space */
    for (size_t s = 0; s < b->n; s++) {
        size_t C = b->spaces[s].channels, removed = 0;
        for (size_t c = 0; c < C; c++)
            removed += c % 3 == 1;
        ck_assert_uint_eq(r->spaces[s].before, C);
        int has_alpha = 0;
        for (size_t j = 0; j < b->spaces[s].n; j++)
            has_alpha |= b->spaces[s].e[j].role == NMS_ROLE_ALPHA;
        if (!has_alpha) { /* scored by L2 norm: nothing <= 0 */
            ck_assert_uint_eq(r->spaces[s].after, C);
            continue;
        }
        ck_assert_uint_eq(r->spaces[s].after, C - removed);
        for (size_t k = 0; k < r->spaces[s].after; k++)
            ck_assert_int_ne(r->spaces[s].kept[k] % 3, 1);
    }
    ck_assert(r->params_after < r->params_before);
    ck_assert(r->macs_after < r->macs_before);
    uint64_t params, macs;
    nms__model_counts(p, &params, &macs);
    ck_assert_uint_eq(params, r->params_after);
    /* alphas were folded: they are all ones now */
    for (size_t i = 0; i < p->count; i++)
        if (strstr(p->names[i], "alpha")) {
            const float *a = nms_tensor_cdata(p->tensors[i]);
            for (size_t c = 0; c < nms_tensor_numel(p->tensors[i]); c++)
                EQF(a[c], 1.0f);
        }
    /* the integer scalar outside every space is untouched */
    long k = nms__model_find(p, "bn1.num_batches_tracked");
    if (k >= 0)
        ck_assert_int_eq(nms_tensor_ndim(p->tensors[k]), 0);

    /* removing channels whose alpha is not zero does change the function */
    nms__model *q;
    ck_assert_int_eq(nms__model_clone(m, &q, &err), NMS_OK);
    opt.threshold = 0.9;
    nms_shrink_report *r2 = NULL;
    ck_assert_int_eq(nms__model_shrink(q, b, &opt, &r2, &err), NMS_OK);
    outputs(q, kind, 8, 20, y1);
    ck_assert(fx_max_diff(y0, y1, 20 * fx_output_size(kind)) > 1e-4);
    nms_shrink_report_free(r2);
    nms__model_free(q);

    nms_shrink_report_free(r);
    unbind(b);
    nms__model_free(m);
    nms__model_free(p);
}
END_TEST

START_TEST(shrink_by_ratio_removes_the_smallest_norms)
{
    nms__model *m = fx_build(FX_MLP, 5, 0);
    /* spec without alphas: score = L2 norm of fc1 rows / fc2 rows */
    nms__binding *b = bind_ok(m, "space h1\n producer fc1.weight\n bias fc1.bias\n alpha fc1.alpha\n consumer fc2.weight\n"
                                 "space h2\n producer fc2.weight\n bias fc2.bias\n consumer fc3.weight\n");
    nms_error err;
    nms_shrink_options opt;
    nms_shrink_options_init(&opt);
    opt.by_ratio = 1;
    opt.ratio = 0.5;
    opt.multiple = 4;
    nms_shrink_report *r = NULL;
    const nms_tensor *w2 = m->tensors[nms__model_find(m, "fc2.weight")];
    double norms[12];
    for (int o = 0; o < 12; o++) {
        norms[o] = 0;
        for (int i = 0; i < 16; i++)
            norms[o] += pow(((const float *)nms_tensor_cdata(w2))[o * 16 + i], 2);
    }
    nms__model *p;
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    ck_assert_int_eq(nms__model_shrink(p, b, &opt, &r, &err), NMS_OK);
    ck_assert_uint_eq(r->spaces[0].after, 8);
    ck_assert_uint_eq(r->spaces[1].after, 8); /* 12 - 6 = 6, rounded up to 8 */
    ck_assert_int_eq(nms_shrink_report_by_alpha(r, 0), 1);
    ck_assert_int_eq(nms_shrink_report_by_alpha(r, 1), 0);
    /* every kept h2 channel's norm >= every removed one's */
    unsigned char kept[12] = {0};
    for (size_t k = 0; k < 8; k++)
        kept[r->spaces[1].kept[k]] = 1;
    for (int a = 0; a < 12; a++)
        for (int c = 0; c < 12; c++)
            if (kept[a] && !kept[c])
                ck_assert(norms[a] >= norms[c]);
    /* shapes: fc2 lost rows and columns, fc3 columns, fc1 rows */
    ck_assert_uint_eq(nms_tensor_dim(p->tensors[nms__model_find(p, "fc2.weight")], 0), 8);
    ck_assert_uint_eq(nms_tensor_dim(p->tensors[nms__model_find(p, "fc2.weight")], 1), 8);
    ck_assert_uint_eq(nms_tensor_dim(p->tensors[nms__model_find(p, "fc3.weight")], 1), 8);
    ck_assert_uint_eq(nms_tensor_numel(p->tensors[nms__model_find(p, "fc1.alpha")]), 8);
    ck_assert_uint_eq(r->params_before, 16 * 6 + 16 + 16 + 12 * 16 + 12 + 12 + 4 * 12 + 4);
    ck_assert_uint_eq(r->params_after, 8 * 6 + 8 + 8 + 8 * 8 + 8 + 12 + 4 * 8 + 4);
    ck_assert_uint_eq(r->macs_before, 16 * 6 + 12 * 16 + 4 * 12);
    ck_assert_uint_eq(r->macs_after, 8 * 6 + 8 * 8 + 4 * 8);
    /* the kept weights are the original ones, cut out */
    const float *a = nms_tensor_cdata(p->tensors[nms__model_find(p, "fc3.weight")]);
    const float *o3 = nms_tensor_cdata(m->tensors[nms__model_find(m, "fc3.weight")]);
    for (int row = 0; row < 4; row++)
        for (size_t k = 0; k < 8; k++)
            EQF(a[row * 8 + (int)k], o3[row * 12 + r->spaces[1].kept[k]]);
    nms_shrink_report_free(r);
    ck_assert_int_eq(opt.ratio = 1.0, 1.0);
    ck_assert_int_eq(nms__model_shrink(p, b, &opt, &r, &err), NMS_ERR_INVALID);
    unbind(b);
    nms__model_free(m);
    nms__model_free(p);
}
END_TEST

START_TEST(guessed_spec_for_a_sequential_model)
{
    nms__model *m = fx_build(FX_MLP, 4, 0);
    char *text = NULL;
    nms_error err;
    ck_assert_int_eq(nms__spec_guess(m, NMS_LAYOUT_AUTO, &text, &err), NMS_OK);
    ck_assert_msg(strstr(text, "space fc1 16\n  producer fc1.weight:0\n  bias     fc1.bias:0\n"
                               "  alpha    fc1.alpha:0\n  consumer fc2.weight:1\n"), "%s", text);
    ck_assert_msg(strstr(text, "space fc2 12\n"), "%s", text);
    nms__binding *b = bind_ok(m, text);
    ck_assert_uint_eq(b->n, 2);
    unbind(b);
    nms__free(text);
    nms__model_free(m);

    /* conv net: BN roles; conv2 is HWIO, so with the OIHW guess the chain breaks */
    m = fx_build(FX_CONV, 4, 0);
    ck_assert_int_eq(nms__spec_guess(m, NMS_LAYOUT_AUTO, &text, &err), NMS_OK);
    ck_assert_msg(strstr(text, "# no space: 'conv1.weight' has 8 outputs but 'conv2.weight' reads 3 inputs"), "%s", text);
    nms__free(text);
    ck_assert_int_eq(nms__spec_guess(m, NMS_LAYOUT_HWIO, &text, &err), NMS_OK);
    ck_assert_msg(strstr(text, "space conv2 12\n  producer conv2.weight:3 hwio\n  bias     conv2.bias:0\n"
                               "  scale    bn2.weight:0\n  shift    bn2.bias:0\n  param    bn2.running_mean:0\n"
                               "  param    bn2.running_var:0\n  alpha    conv2.alpha:0\n  consumer fc.weight:1\n"),
                  "%s", text);
    nms__free(text);
    nms__model_free(m);

    /* depthwise kernels join the space of the pointwise conv before them */
    m = fx_build(FX_DEPTHWISE, 4, 0);
    ck_assert_int_eq(nms__spec_guess(m, NMS_LAYOUT_AUTO, &text, &err), NMS_OK);
    ck_assert_msg(strstr(text, "space pw1 8\n  producer pw1.weight:0 oihw\n  param    dw.weight:0 ") &&
                  strstr(text, "  bias     pw1.bias:0\n  param    dw.bias:0\n  alpha    dw.alpha:0\n"
                               "  consumer pw2.weight:1 oihw\n\nspace pw2 12\n"), "%s", text);
    b = bind_ok(m, text);
    ck_assert_uint_eq(b->n, 2);
    unbind(b);
    nms__free(text);
    nms__model_free(m);

    /* a conv followed by a linear layer over C * 9 inputs: a flatten */
    m = fx_build(FX_FLAT_CHW, 4, 0);
    ck_assert_int_eq(nms__spec_guess(m, NMS_LAYOUT_AUTO, &text, &err), NMS_OK);
    ck_assert_msg(strstr(text, "space conv1 8\n  producer conv1.weight:0 oihw\n  bias     conv1.bias:0\n"
                               "  alpha    conv1.alpha:0\n  consumer fc1.weight:1 flatten=chw:9"), "%s", text);
    b = bind_ok(m, text);
    ck_assert_uint_eq(b->spaces[0].channels, 8);
    unbind(b);
    nms__free(text);
    nms__model_free(m);
}
END_TEST

/* A stand-in solver for testing the orchestration: the reversed order,
 * valued with the objective, bounded by the unstructured bound. */
static int reverse_solver(const nms_tensor *scores, void *ctx, nms__space_solution *out, nms_error *err)
{
    size_t C = nms_tensor_dim(scores, 1);
    (*(int *)ctx)++;
    out->perm = nms__malloc_array(C, sizeof *out->perm);
    for (size_t j = 0; j < C; j++)
        out->perm[j] = (int32_t)(C - 1 - j);
    ck_assert_int_eq(nms_kept_value(scores, out->perm, &out->value, err), NMS_OK);
    ck_assert_int_eq(nms_unstructured_bound(scores, &out->bound, err), NMS_OK);
    snprintf(out->status, sizeof out->status, "reversed");
    return NMS_OK;
}

static void count_progress(size_t done, size_t total, const char *space, void *ctx)
{
    int *calls = ctx;
    ck_assert_uint_le(done, total);
    ck_assert(space != NULL);
    calls[0]++;
    calls[1] = (int)total;
}

START_TEST(plan_solve_stacks_consumers)
{
    nms__model *m = fx_build(FX_RESIDUAL, 13, 0);
    nms__binding *b = bind_ok(m, fx_spec_text(FX_RESIDUAL));
    nms_error err;
    int solves = 0, progress[2] = {0, 0};
    nms_model_plan *plan = NULL, *plan2 = NULL;
    ck_assert_int_eq(nms__plan_solve(m, b, reverse_solver, &solves, 2, count_progress, progress, &plan, &err), NMS_OK);
    ck_assert_int_eq(solves, 2);
    ck_assert_int_eq(progress[0], 2);
    ck_assert_int_eq(progress[1], 2);
    ck_assert_uint_eq(nms_model_plan_count(plan), 2);
    nms_space_plan sp;
    ck_assert_int_eq(nms_model_plan_get(plan, 0, &sp, &err), NMS_OK);
    ck_assert_str_eq(sp.space, "res");
    ck_assert_uint_eq(sp.channels, 8);
    ck_assert_uint_eq(sp.consumers, 2);
    ck_assert_uint_eq(sp.rows, 12 + 4); /* fc1 and fc3 stacked */
    ck_assert_int_eq(sp.perm[0], 7);
    ck_assert_str_eq(sp.status, "reversed");
    /* identity value = kept value of the stacked |fc1; fc3| in the original order */
    double want = 0;
    const char *names[2] = {"fc1.weight", "fc3.weight"};
    for (int k = 0; k < 2; k++) {
        const nms_tensor *t = m->tensors[nms__model_find(m, names[k])];
        double v;
        ck_assert_int_eq(nms_kept_value(t, NULL, &v, &err), NMS_OK);
        want += v;
    }
    ck_assert_msg(fabs(sp.identity_value - want) <= 1e-9 * want, "%g vs %g", sp.identity_value, want);
    ck_assert(sp.bound >= sp.value);
    ck_assert_double_eq_tol(sp.gap, (sp.bound - sp.value) / sp.value, 1e-15);
    /* one job gives the same plan */
    ck_assert_int_eq(nms__plan_solve(m, b, reverse_solver, &solves, 1, NULL, NULL, &plan2, &err), NMS_OK);
    nms_space_plan sp2;
    for (size_t k = 0; k < 2; k++) {
        ck_assert_int_eq(nms_model_plan_get(plan, k, &sp, &err), NMS_OK);
        ck_assert_int_eq(nms_model_plan_get(plan2, k, &sp2, &err), NMS_OK);
        ck_assert_str_eq(sp.space, sp2.space);
        ck_assert(sp.value == sp2.value && sp.identity_value == sp2.identity_value);
        ck_assert_int_eq(memcmp(sp.perm, sp2.perm, sp.channels * sizeof *sp.perm), 0);
    }
    /* the plan drives apply: same function */
    const int32_t *perms[2];
    ck_assert_int_eq(nms__plan_match(plan, b, perms, "p.json", &err), NMS_OK);
    nms__model *p;
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    ck_assert_int_eq(nms__model_apply_perms(p, b, perms, 0, &err), NMS_OK);
    double y0[10 * 4], y1[10 * 4];
    outputs(m, FX_RESIDUAL, 3, 10, y0);
    outputs(p, FX_RESIDUAL, 3, 10, y1);
    ck_assert(fx_max_diff(y0, y1, 40) <= 1e-6);
    nms__model_free(p);
    nms_model_plan_free(plan2);
    /* a plan missing a space, or with a wrong size, is refused */
    nms_model_plan *small;
    ck_assert_int_eq(nms_model_plan_create(&small, &err), NMS_OK);
    ck_assert_int_eq(nms_model_plan_get(plan, 0, &sp, &err), NMS_OK);
    ck_assert_int_eq(nms_model_plan_add(small, &sp, &err), NMS_OK);
    ck_assert_int_eq(nms_model_plan_add(small, &sp, &err), NMS_ERR_INVALID);
    ck_assert_int_eq(nms__plan_match(small, b, perms, "p.json", &err), NMS_ERR_NOTFOUND);
    ck_assert_str_eq(err.text, "p.json: no permutation for space 'mid' of the spec");
    nms_model_plan_free(small);

    /* PLAN.json round trip: every field and the permutations come back */
    char path[] = "/tmp/nms_plan_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    nms_model_plan *back = NULL;
    ck_assert_int_eq(nms_model_plan_write(plan, path, &err), NMS_OK);
    ck_assert_msg(nms_model_plan_read(path, &back, &err) == NMS_OK, "%s", err.text);
    ck_assert_uint_eq(nms_model_plan_count(back), 2);
    for (size_t k = 0; k < 2; k++) {
        ck_assert_int_eq(nms_model_plan_get(plan, k, &sp, &err), NMS_OK);
        ck_assert_int_eq(nms_model_plan_get(back, k, &sp2, &err), NMS_OK);
        ck_assert_str_eq(sp.space, sp2.space);
        ck_assert_str_eq(sp.status, sp2.status);
        ck_assert_uint_eq(sp.channels, sp2.channels);
        ck_assert_uint_eq(sp.consumers, sp2.consumers);
        ck_assert_uint_eq(sp.rows, sp2.rows);
        ck_assert(sp.value == sp2.value && sp.bound == sp2.bound && sp.gap == sp2.gap);
        ck_assert(sp.identity_value == sp2.identity_value && sp.seconds == sp2.seconds);
        ck_assert_int_eq(memcmp(sp.perm, sp2.perm, sp.channels * sizeof *sp.perm), 0);
    }
    nms_model_plan_free(back);
    /* malformed plans name the place */
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"nmsparse-model-plan\", \"spaces\": [\n {\"space\": \"a\", \"channels\": 4, \"perm\": [0, 1, 2, 4]}]}", f);
    fclose(f);
    ck_assert_int_eq(nms_model_plan_read(path, &back, &err), NMS_ERR_FORMAT);
    ck_assert_msg(strstr(err.text, ":2:") && strstr(err.text, "perm[3] is not a channel index below 4"), "%s", err.text);
    f = fopen(path, "w");
    fputs("{\"format\": \"nmsparse-model-plan\", \"spaces\": [{\"space\": \"a\", \"channels\": 4, \"perm\": [0, 1, 1, 3]}]}", f);
    fclose(f);
    ck_assert_int_eq(nms_model_plan_read(path, &back, &err), NMS_ERR_INVALID);
    f = fopen(path, "w");
    fputs("{\"spaces\": []}", f);
    fclose(f);
    ck_assert_int_eq(nms_model_plan_read(path, &back, &err), NMS_ERR_FORMAT);
    ck_assert_msg(strstr(err.text, "not a model plan"), "%s", err.text);
    unlink(path);
    nms_model_plan_free(plan);
    unbind(b);
    nms__model_free(m);
}
END_TEST

START_TEST(plan_with_flattened_consumers)
{
    nms_error err;
    int solves = 0;
    for (int hwc = 0; hwc < 2; hwc++) {
        fx_kind kind = hwc ? FX_FLAT_HWC : FX_FLAT_CHW;
        nms__model *m = fx_build(kind, 2, 0);
        nms__binding *b = bind_ok(m, fx_spec_text(kind));
        nms_model_plan *plan = NULL;
        ck_assert_int_eq(nms__plan_solve(m, b, reverse_solver, &solves, 1, NULL, NULL, &plan, &err), NMS_OK);
        nms_space_plan sp;
        ck_assert_int_eq(nms_model_plan_get(plan, 0, &sp, &err), NMS_OK);
        ck_assert_str_eq(sp.space, "c1");
        if (hwc) {
            /* fc1 column k*8 + c: rows (o, k) = 12 * 9, columns the 8 channels */
            ck_assert_uint_eq(sp.rows, 12 * 9);
            ck_assert_uint_eq(sp.consumers, 1);
            ck_assert_str_eq(sp.status, "reversed");
            const nms_tensor *w = m->tensors[nms__model_find(m, "fc1.weight")];
            const float *v = nms_tensor_cdata(w);
            double want = 0;
            for (int o = 0; o < 12; o++)
                for (int k = 0; k < 9; k++)
                    for (int g = 0; g < 8; g += 4) {
                        double a[4];
                        for (int q = 0; q < 4; q++)
                            a[q] = fabs(v[o * 72 + k * 8 + g + q]);
                        want += nms__top2_of4(a[0], a[1], a[2], a[3]);
                    }
            ck_assert_msg(fabs(sp.identity_value - want) <= 1e-9 * want, "%g vs %g", sp.identity_value, want);
        } else {
            ck_assert_uint_eq(sp.rows, 0);
            ck_assert_str_eq(sp.status, "no_grouped_consumer");
            ck_assert_int_eq(sp.perm[3], 3);
        }
        nms_model_plan_free(plan);
        unbind(b);
        nms__model_free(m);
    }
}
END_TEST

static nms__model *read_model(const char *path)
{
    nms_safetensors *f;
    nms__model *m;
    nms_error err;
    ck_assert_msg(nms_st_open(path, &f, &err) == NMS_OK, "%s", err.text);
    ck_assert_int_eq(nms__model_from_st(f, path, 1, &m, &err), NMS_OK);
    nms_st_close(f);
    return m;
}

/* The public file-level API end to end: write a model, validate, plan with
 * the partition solver, apply, shrink -- as the CLI does. */
START_TEST(public_api_end_to_end)
{
    fx_kind kind = all_kinds[_i];
    char dir[] = "/tmp/nms_model_XXXXXX", in[256], out[256], small[256];
    ck_assert(mkdtemp(dir) != NULL);
    snprintf(in, sizeof in, "%s/in.safetensors", dir);
    snprintf(out, sizeof out, "%s/out.safetensors", dir);
    snprintf(small, sizeof small, "%s/small.safetensors", dir);
    nms_error err;
    nms__model *m = fx_build(kind, 31, 3);
    ck_assert_int_eq(nms__model_write(m, in, &err), NMS_OK);

    nms_channel_spec *spec;
    const char *text = fx_spec_text(kind);
    ck_assert_int_eq(nms_spec_parse(text, strlen(text), "fx.spec", &spec, &err), NMS_OK);
    ck_assert_msg(nms_spec_validate(spec, in, &err) == NMS_OK, "%s", err.text);
    char *guess = NULL;
    ck_assert_int_eq(nms_spec_guess(in, NMS_LAYOUT_AUTO, &guess, &err), NMS_OK);
    ck_assert(strstr(guess, "# Channel spec for ") != NULL);
    nms_free(guess);

    nms_model_plan_options popt;
    nms_model_plan_options_init(&popt);
    popt.time_limit_per_space = 30;
    popt.jobs = 2;
    nms_model_plan *plan = NULL;
    ck_assert_msg(nms_model_plan_solve(in, spec, &popt, &plan, &err) == NMS_OK, "%s", err.text);
    ck_assert_uint_eq(nms_model_plan_count(plan), nms_spec_space_count(spec));
    for (size_t k = 0; k < nms_model_plan_count(plan); k++) {
        nms_space_plan sp;
        ck_assert_int_eq(nms_model_plan_get(plan, k, &sp, &err), NMS_OK);
        ck_assert_str_eq(sp.space, nms_spec_space_name(spec, k));
        if (sp.rows > 0) {
            ck_assert_str_eq(sp.status, "optimal");
            ck_assert(sp.value >= sp.identity_value * (1 - 1e-12));
            ck_assert(sp.bound >= sp.value * (1 - 1e-12));
        }
    }
    ck_assert_msg(nms_model_apply(in, spec, plan, NULL, out, &err) == NMS_OK, "%s", err.text);
    nms__model *p = read_model(out);
    double y0[16 * 8], y1[16 * 8];
    outputs(m, kind, 12, 16, y0);
    outputs(p, kind, 12, 16, y1);
    ck_assert(fx_max_diff(y0, y1, 16 * fx_output_size(kind)) <= 1e-6);
    nms__model_free(p);

    nms_shrink_report *r = NULL;
    ck_assert_msg(nms_model_shrink(in, spec, NULL, small, &r, &err) == NMS_OK, "%s", err.text);
    uint64_t pb, pa;
    nms_shrink_report_totals(r, &pb, &pa, NULL, NULL);
    ck_assert(pa < pb);
    p = read_model(small);
    outputs(p, kind, 12, 16, y1);
    ck_assert(fx_max_diff(y0, y1, 16 * fx_output_size(kind)) <= 1e-6);
    nms__model_free(p);
    nms_shrink_report_free(r);

    /* errors: a model without the spec's tensors; no output left behind */
    nms__model *other = fx_build(kind == FX_MLP ? FX_CONV : FX_MLP, 1, 0);
    ck_assert_int_eq(nms__model_write(other, in, &err), NMS_OK);
    unlink(out);
    ck_assert_int_eq(nms_model_apply(in, spec, plan, NULL, out, &err), NMS_ERR_NOTFOUND);
    ck_assert(strncmp(err.text, "fx.spec:", 8) == 0);
    ck_assert(access(out, F_OK) != 0);
    nms__model_free(other);

    unlink(in);
    unlink(small);
    rmdir(dir);
    nms_model_plan_free(plan);
    nms_spec_free(spec);
    nms__model_free(m);
}
END_TEST

/* The model with every F32 tensor converted to `dt` (round to nearest). */
static nms__model *converted(const nms__model *m, nms_dtype dt)
{
    nms__model *c;
    ck_assert_int_eq(nms__model_create("converted", &c, NULL), NMS_OK);
    for (size_t i = 0; i < m->count; i++) {
        const nms_tensor *t = m->tensors[i];
        nms_tensor *u;
        nms_dtype to = t->dtype == NMS_DTYPE_F32 ? dt : t->dtype;
        ck_assert_int_eq(nms_tensor_create(to, t->ndim, t->shape, &u, NULL), NMS_OK);
        if (to == t->dtype)
            memcpy(u->data, t->data, t->nbytes);
        else
            for (size_t k = 0; k < t->numel; k++)
                nms__elem_set(u->data, to, k, nms__elem_get(t->data, t->dtype, k));
        ck_assert_int_eq(nms__model_add(c, m->names[i], u, NULL), NMS_OK);
    }
    return c;
}

START_TEST(half_precision_models)
{
    static const nms_dtype dts[] = {NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_F64};
    nms_dtype dt = dts[_i];
    nms__model *m32 = fx_build(FX_CONV, 9, 3), *m = converted(m32, dt), *p;
    nms__binding *b = bind_ok(m, fx_spec_text(FX_CONV));
    nms_error err;
    double y0[10 * 5], y1[10 * 5];
    outputs(m, FX_CONV, 2, 10, y0);
    /* permutation: exact in any dtype */
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    int32_t p1[8] = {3, 1, 7, 0, 2, 6, 5, 4}, p2[12] = {11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    const int32_t *perms[2] = {p1, p2};
    ck_assert_int_eq(nms__model_apply_perms(p, b, perms, 0, &err), NMS_OK);
    outputs(p, FX_CONV, 2, 10, y1);
    ck_assert(fx_max_diff(y0, y1, 50) <= 1e-6);
    /* 2:4 pruning of the consumers in this dtype */
    ck_assert_msg(nms__model_apply_perms(p, b, perms, 1, &err) == NMS_OK, "%s", err.text);
    const nms_tensor *fc = p->tensors[nms__model_find(p, "fc.weight")];
    ck_assert_int_eq(fc->dtype, dt);
    for (size_t r = 0; r < 5; r++)
        for (size_t g = 0; g < 12; g += 4) {
            int nz = 0;
            for (size_t q = 0; q < 4; q++)
                nz += nms__elem_get(fc->data, dt, r * 12 + g + q) != 0.0;
            ck_assert_int_eq(nz, 2);
        }
    nms__model_free(p);
    /* shrink: folding alpha rounds to the dtype; removed channels had alpha 0 */
    ck_assert_int_eq(nms__model_clone(m, &p, &err), NMS_OK);
    nms_shrink_options opt;
    nms_shrink_options_init(&opt);
    nms_shrink_report *r = NULL;
    ck_assert_int_eq(nms__model_shrink(p, b, &opt, &r, &err), NMS_OK);
    ck_assert_uint_eq(r->spaces[0].after, 5);
    outputs(p, FX_CONV, 2, 10, y1);
    double tol = dt == NMS_DTYPE_F64 ? 1e-9 : dt == NMS_DTYPE_F16 ? 1e-2 : 5e-2;
    ck_assert_msg(fx_max_diff(y0, y1, 50) <= tol, "%g", fx_max_diff(y0, y1, 50));
    nms_shrink_report_free(r);
    nms__model_free(p);
    unbind(b);
    nms__model_free(m);
    nms__model_free(m32);
}
END_TEST

static Suite *structured_suite(void)
{
    Suite *s = suite_create("structured");
    TCase *tc = tcase_create("spec");
    tcase_add_test(tc, spec_parse_and_bind);
    tcase_add_test(tc, spec_errors_name_the_line);
    tcase_add_test(tc, half_and_bf16_conversions);
    tcase_add_test(tc, guessed_spec_for_a_sequential_model);
    suite_add_tcase(s, tc);
    tc = tcase_create("apply");
    tcase_add_loop_test(tc, apply_keeps_the_function, 0, 6);
    tcase_add_test(tc, apply_rejects_bad_permutations);
    tcase_add_test(tc, prune24_mask_rule);
    tcase_add_test(tc, apply_prunes_consumers_only);
    tcase_add_test(tc, plan_solve_stacks_consumers);
    tcase_add_test(tc, plan_with_flattened_consumers);
    tcase_add_loop_test(tc, half_precision_models, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("shrink");
    tcase_add_loop_test(tc, shrink_with_zero_alpha_keeps_the_function, 0, 6);
    tcase_add_loop_test(tc, public_api_end_to_end, 0, 6);
    tcase_add_test(tc, shrink_by_ratio_removes_the_smallest_norms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(structured_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
