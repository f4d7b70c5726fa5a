/*
 * prune_fixture.c - helper for tests/cli_prune.sh (public API only):
 *
 *   prune_fixture npy DTYPE SHAPE SEED OUT.npy     random finite data, SHAPE
 *                                                  like 8x16 or 4x8x3x3; DTYPE
 *                                                  f32 f16 i8 or u16 (bf16 bits)
 *   prune_fixture model SEED OUT.safetensors       a small model (see below)
 *   prune_fixture values DTYPE SHAPE OUT.npy V...  given values: decimal for f32
 *                                                  and i8, bit patterns (0x3c00)
 *                                                  for f16 / u16
 *   prune_fixture dump FILE [NAME]                 a tensor's raw bytes to stdout
 *   prune_fixture check24 FILE [NAME] [LAYOUT]     exit 0 iff every group of 4
 *                                                  input channels has <= 2
 *                                                  nonzeros; prints nonzeros
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"

static uint64_t state;
static uint64_t next(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int die(const nms_error *err)
{
    fprintf(stderr, "prune_fixture: %s\n", err->text);
    return 1;
}

/* Random finite values with plenty of ties and zeros. */
static void fill(nms_tensor *t)
{
    unsigned char *p = nms_tensor_data(t);
    size_t n = nms_tensor_numel(t);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next();
        int small = (int)(r % 9) - 4; /* -4..4: ties and zeros */
        switch (nms_tensor_dtype(t)) {
        case NMS_DTYPE_F32: {
            float f = (r >> 8) % 4 ? (float)small * 0.25f : (float)((int64_t)(r >> 16) % 100000) * 1e-5f;
            memcpy(p + 4 * i, &f, 4);
            break;
        }
        case NMS_DTYPE_F16:
        case NMS_DTYPE_BF16:
        case NMS_DTYPE_U16: {
            uint16_t h = (uint16_t)(r >> 20);
            int bf = nms_tensor_dtype(t) != NMS_DTYPE_F16;
            if ((h & 0x7fff) > (bf ? 0x7f80 : 0x7c00))
                h &= 0xbfff; /* no NaN */
            if ((r >> 8) % 3 == 0)
                h = (uint16_t)((r >> 12) % 2 ? 0x8000 : 0); /* +-0 */
            memcpy(p + 2 * i, &h, 2);
            break;
        }
        default:
            p[i] = (unsigned char)((r >> 8) % 3 ? (unsigned)small : (unsigned)(r >> 24));
            break;
        }
    }
}

static int make(nms_dtype dt, int ndim, const size_t *shape, nms_tensor **t)
{
    nms_error err;
    if (nms_tensor_create(dt, ndim, shape, t, &err) != NMS_OK)
        return die(&err);
    fill(*t);
    return 0;
}

static int parse_dtype_shape(char **argv, nms_dtype *dt, size_t *shape, int *ndim)
{
    if (!strcmp(argv[0], "u16"))
        *dt = NMS_DTYPE_U16;
    else if (nms_dtype_parse(argv[0], dt) != NMS_OK)
        return fprintf(stderr, "bad dtype\n"), 2;
    *ndim = 0;
    for (char *s = argv[1]; *s && *ndim < NMS_MAX_DIMS; (*ndim)++) {
        shape[*ndim] = strtoul(s, &s, 10);
        if (*s == 'x')
            s++;
    }
    return 0;
}

static int cmd_npy(char **argv)
{
    nms_dtype dt;
    nms_error err;
    size_t shape[NMS_MAX_DIMS];
    int ndim;
    if (parse_dtype_shape(argv, &dt, shape, &ndim))
        return 2;
    state = strtoull(argv[2], NULL, 10);
    nms_tensor *t;
    if (make(dt, ndim, shape, &t))
        return 1;
    int rc = nms_npy_write(argv[3], t, &err) == NMS_OK ? 0 : die(&err);
    nms_tensor_free(t);
    return rc;
}

static int cmd_values(int argc, char **argv)
{
    nms_dtype dt;
    nms_error err;
    size_t shape[NMS_MAX_DIMS];
    int ndim;
    nms_tensor *t;
    if (parse_dtype_shape(argv, &dt, shape, &ndim))
        return 2;
    if (nms_tensor_create(dt, ndim, shape, &t, &err) != NMS_OK)
        return die(&err);
    size_t n = nms_tensor_numel(t);
    if ((size_t)(argc - 3) != n) {
        nms_tensor_free(t);
        return fprintf(stderr, "prune_fixture: %zu values needed\n", n), 2;
    }
    unsigned char *p = nms_tensor_data(t);
    for (size_t i = 0; i < n; i++) {
        const char *v = argv[3 + i];
        if (dt == NMS_DTYPE_F32) {
            float f = strtof(v, NULL);
            memcpy(p + 4 * i, &f, 4);
        } else if (nms_dtype_size(dt) == 2) {
            uint16_t h = (uint16_t)strtoul(v, NULL, 0);
            memcpy(p + 2 * i, &h, 2);
        } else {
            p[i] = (unsigned char)(signed char)strtol(v, NULL, 10);
        }
    }
    int rc = nms_npy_write(argv[2], t, &err) == NMS_OK ? 0 : die(&err);
    nms_tensor_free(t);
    return rc;
}

/* layer1.weight F16 64x128 (pruned), layer1.bias F16 64 (copied),
 * conv.weight BF16 16x32x3x3 (pruned), conv8.weight I8 8x16x1x1 (128
 * elements: copied unless named), odd.weight F32 10x30 (30 channels: copied),
 * head.weight F32 40x64 (pruned), steps I32 4 (copied); metadata format=pt. */
static int cmd_model(char **argv)
{
    static const struct {
        const char *name;
        nms_dtype dt;
        int ndim;
        size_t shape[4];
    } spec[] = {
        {"layer1.weight", NMS_DTYPE_F16, 2, {64, 128, 0, 0}},
        {"layer1.bias", NMS_DTYPE_F16, 1, {64, 0, 0, 0}},
        {"conv.weight", NMS_DTYPE_BF16, 4, {16, 32, 3, 3}},
        {"conv8.weight", NMS_DTYPE_I8, 4, {8, 16, 1, 1}},
        {"odd.weight", NMS_DTYPE_F32, 2, {10, 30, 0, 0}},
        {"head.weight", NMS_DTYPE_F32, 2, {40, 64, 0, 0}},
        {"steps", NMS_DTYPE_I32, 1, {4, 0, 0, 0}},
    };
    enum { N = sizeof spec / sizeof spec[0] };
    nms_tensor *t[N] = {0};
    nms_st_writer *w;
    nms_error err;
    int rc = 1;
    state = strtoull(argv[0], NULL, 10);
    if (nms_st_writer_create(&w, &err) != NMS_OK)
        return die(&err);
    if (nms_st_writer_set_metadata(w, "format", "pt", &err) != NMS_OK) {
        rc = die(&err);
        goto done;
    }
    for (int i = 0; i < N; i++) {
        if (make(spec[i].dt, spec[i].ndim, spec[i].shape, &t[i]))
            goto done;
        if (nms_st_writer_add(w, spec[i].name, t[i], &err) != NMS_OK) {
            rc = die(&err);
            goto done;
        }
    }
    rc = nms_st_writer_write(w, argv[1], &err) == NMS_OK ? 0 : die(&err);
done:
    for (int i = 0; i < N; i++)
        nms_tensor_free(t[i]);
    nms_st_writer_free(w);
    return rc;
}

static int load(const char *path, const char *name, nms_tensor **t)
{
    nms_error err;
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".npy"))
        return nms_npy_read(path, t, &err) == NMS_OK ? 0 : die(&err);
    nms_safetensors *f;
    size_t idx = 0;
    if (nms_st_open(path, &f, &err) != NMS_OK)
        return die(&err);
    int rc = 0;
    if (name && nms_st_find(f, name, &idx) != NMS_OK) {
        fprintf(stderr, "prune_fixture: no tensor %s\n", name);
        rc = 1;
    } else if (nms_st_load(f, idx, t, &err) != NMS_OK)
        rc = die(&err);
    nms_st_close(f);
    return rc;
}

static int cmd_dump(int argc, char **argv)
{
    nms_tensor *t;
    if (load(argv[0], argc > 1 ? argv[1] : NULL, &t))
        return 1;
    fwrite(nms_tensor_cdata(t), 1, nms_tensor_nbytes(t), stdout);
    nms_tensor_free(t);
    return 0;
}

static int cmd_check24(int argc, char **argv)
{
    nms_tensor *t, *m;
    nms_error err;
    nms_layout layout = NMS_LAYOUT_AUTO;
    if (argc > 2 && nms_layout_parse(argv[2], &layout) != NMS_OK)
        return 2;
    if (load(argv[0], argc > 1 && argv[1][0] ? argv[1] : NULL, &t))
        return 1;
    /* the pruning mask of an already 2:4 tensor keeps every nonzero */
    nms_prune_options opt;
    nms_prune_options_init(&opt);
    opt.layout = layout;
    if (nms_prune_24(t, NULL, &opt, NULL, &m, &err) != NMS_OK) {
        nms_tensor_free(t);
        return die(&err);
    }
    const unsigned char *d = nms_tensor_cdata(t), *k = nms_tensor_cdata(m);
    size_t es = nms_dtype_size(nms_tensor_dtype(t)), n = nms_tensor_numel(t), nz = 0, lost = 0;
    for (size_t i = 0; i < n; i++) {
        int nonzero = 0;
        for (size_t b = 0; b < es; b++)
            nonzero |= d[i * es + b] != 0;
        nz += (size_t)nonzero;
        lost += (size_t)(nonzero && !k[i]);
    }
    printf("nonzeros %zu of %zu\n", nz, n);
    nms_tensor_free(t);
    nms_tensor_free(m);
    return lost ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && !strcmp(argv[1], "npy"))
        return cmd_npy(argv + 2);
    if (argc >= 5 && !strcmp(argv[1], "values"))
        return cmd_values(argc - 2, argv + 2);
    if (argc >= 4 && !strcmp(argv[1], "model"))
        return cmd_model(argv + 2);
    if (argc >= 3 && !strcmp(argv[1], "dump"))
        return cmd_dump(argc - 2, argv + 2);
    if (argc >= 3 && !strcmp(argv[1], "check24"))
        return cmd_check24(argc - 2, argv + 2);
    fprintf(stderr, "usage: prune_fixture npy|values|model|dump|check24 ...\n");
    return 2;
}
