/* fxtool.c - helper for tests/cli_model.sh: writes the fixture models as
 * safetensors files with their specs, and compares two models' outputs
 * with the reference evaluator.
 *
 *   fxtool write DIR            DIR/{mlp,conv,residual}.safetensors + .spec,
 *                               and *_zero.safetensors (alpha exactly 0 for
 *                               channels c % 3 == 1)
 *   fxtool compare KIND A B     prints the largest |output difference| of A
 *                               and B over 32 random inputs (KIND: mlp, conv,
 *                               residual); exit 1 when a model cannot be run
 *   fxtool check24 FILE TENSOR AXIS   exit 0 when TENSOR has at most 2 non-zeros
 *                               in every group of 4 along AXIS (and prints
 *                               the number of groups)
 *   fxtool same A B NAME         exit 0 when tensor NAME has the same dtype,
 *                               shape and bytes in models A and B
 *   fxtool abs-sum FILE NAME     prints the sum of |w| over tensor NAME
 *   fxtool assemble OUT NAME=FILE.npy ...   a safetensors model from .npy
 *                               files, in the order given
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "io/tensor.h"
#include "structured/elem.h"

static const struct {
    const char *name;
    fx_kind kind;
} kinds[] = {{"mlp", FX_MLP}, {"conv", FX_CONV}, {"residual", FX_RESIDUAL}};

static int kind_of(const char *name, fx_kind *k)
{
    for (size_t i = 0; i < 3; i++)
        if (strcmp(name, kinds[i].name) == 0) {
            *k = kinds[i].kind;
            return 0;
        }
    return -1;
}

static int load(const char *path, nms__model **m)
{
    nms_safetensors *f;
    nms_error err;
    if (nms_st_open(path, &f, &err) != NMS_OK ||
        (nms__model_from_st(f, path, 1, m, &err) != NMS_OK && (nms_st_close(f), 1))) {
        fprintf(stderr, "fxtool: %s\n", err.text);
        return -1;
    }
    nms_st_close(f);
    return 0;
}

static int write_all(const char *dir)
{
    char path[4096];
    nms_error err;
    for (size_t i = 0; i < 3; i++)
        for (int zero = 0; zero < 2; zero++) {
            nms__model *m = fx_build(kinds[i].kind, 17 + (unsigned)i, zero ? 3 : 0);
            nms__model_set_metadata(m, "format", "pt", NULL);
            snprintf(path, sizeof path, "%s/%s%s.safetensors", dir, kinds[i].name, zero ? "_zero" : "");
            if (nms__model_write(m, path, &err) != NMS_OK) {
                fprintf(stderr, "fxtool: %s\n", err.text);
                return 1;
            }
            nms__model_free(m);
        }
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s.spec", dir, kinds[i].name);
        FILE *f = fopen(path, "w");
        if (!f || fputs(fx_spec_text(kinds[i].kind), f) < 0 || fclose(f) != 0)
            return 1;
    }
    return 0;
}

static int compare(const char *kind_name, const char *a, const char *b)
{
    fx_kind kind;
    nms__model *ma, *mb;
    if (kind_of(kind_name, &kind) || load(a, &ma) || load(b, &mb))
        return 1;
    double x[128], ya[8], yb[8], worst = 0;
    unsigned rng = 4242;
    for (int k = 0; k < 32; k++) {
        for (size_t i = 0; i < fx_input_size(kind); i++)
            x[i] = fx_uniform(&rng, -1, 1);
        if (fx_forward(ma, kind, x, ya) || fx_forward(mb, kind, x, yb)) {
            fprintf(stderr, "fxtool: a model cannot be evaluated as %s\n", kind_name);
            return 1;
        }
        double d = fx_max_diff(ya, yb, fx_output_size(kind));
        if (d > worst)
            worst = d;
    }
    printf("%.3e\n", worst);
    nms__model_free(ma);
    nms__model_free(mb);
    return 0;
}

static int check24(const char *path, const char *tensor, int axis)
{
    nms__model *m;
    if (load(path, &m))
        return 1;
    long i = nms__model_find(m, tensor);
    if (i < 0 || axis >= m->ndim[i])
        return 1;
    const nms_tensor *t = m->tensors[i];
    size_t outer = 1, inner = 1, n = t->shape[axis], groups = 0;
    for (int k = 0; k < axis; k++)
        outer *= t->shape[k];
    for (int k = axis + 1; k < t->ndim; k++)
        inner *= t->shape[k];
    int ok = n % 4 == 0;
    for (size_t o = 0; o < outer && ok; o++)
        for (size_t g = 0; g < n; g += 4)
            for (size_t in = 0; in < inner; in++, groups++) {
                int nz = 0;
                for (size_t q = 0; q < 4; q++)
                    nz += nms__elem_get(t->data, t->dtype, (o * n + g + q) * inner + in) != 0.0;
                if (nz > 2)
                    ok = 0;
            }
    printf("%zu groups\n", groups);
    nms__model_free(m);
    return ok ? 0 : 1;
}

static int same(const char *a, const char *b, const char *name)
{
    nms__model *ma, *mb;
    if (load(a, &ma) || load(b, &mb))
        return 2;
    long i = nms__model_find(ma, name), j = nms__model_find(mb, name);
    int eq = i >= 0 && j >= 0 && ma->tensors[i]->dtype == mb->tensors[j]->dtype &&
             ma->tensors[i]->ndim == mb->tensors[j]->ndim &&
             ma->tensors[i]->nbytes == mb->tensors[j]->nbytes &&
             memcmp(ma->tensors[i]->shape, mb->tensors[j]->shape, sizeof ma->tensors[i]->shape) == 0 &&
             memcmp(ma->tensors[i]->data, mb->tensors[j]->data, ma->tensors[i]->nbytes) == 0;
    nms__model_free(ma);
    nms__model_free(mb);
    return eq ? 0 : 1;
}

static int abs_sum(const char *path, const char *name)
{
    nms__model *m;
    if (load(path, &m))
        return 1;
    long i = nms__model_find(m, name);
    if (i < 0)
        return 1;
    double s = 0;
    for (size_t k = 0; k < m->tensors[i]->numel; k++)
        s += fabs(nms__elem_get(m->tensors[i]->data, m->tensors[i]->dtype, k));
    printf("%.17g\n", s);
    nms__model_free(m);
    return 0;
}

static int assemble(const char *out, int n, char **items)
{
    nms__model *m;
    nms_error err;
    if (nms__model_create(out, &m, &err) != NMS_OK)
        return 1;
    for (int i = 0; i < n; i++) {
        char *eq = strchr(items[i], '=');
        nms_tensor *t;
        if (!eq) {
            fprintf(stderr, "fxtool: expected NAME=FILE.npy, got '%s'\n", items[i]);
            return 2;
        }
        *eq = '\0';
        if (nms_npy_read(eq + 1, &t, &err) != NMS_OK || nms__model_add(m, items[i], t, &err) != NMS_OK) {
            fprintf(stderr, "fxtool: %s\n", err.text);
            return 1;
        }
    }
    int rc = nms__model_write(m, out, &err) == NMS_OK ? 0 : 1;
    if (rc)
        fprintf(stderr, "fxtool: %s\n", err.text);
    nms__model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "abs-sum") == 0)
        return abs_sum(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "same") == 0)
        return same(argv[2], argv[3], argv[4]);
    if (argc >= 3 && strcmp(argv[1], "assemble") == 0)
        return assemble(argv[2], argc - 3, argv + 3);
    if (argc == 3 && strcmp(argv[1], "write") == 0)
        return write_all(argv[2]);
    if (argc == 5 && strcmp(argv[1], "compare") == 0)
        return compare(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "check24") == 0)
        return check24(argv[2], argv[3], atoi(argv[4]));
    fprintf(stderr, "usage: fxtool write DIR | compare KIND A B | check24 FILE TENSOR AXIS\n");
    return 2;
}
