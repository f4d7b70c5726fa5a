/* emit_gen.c - fixtures for tests/cli_pack.sh, written with the library:
 *   emit_gen random DTYPE M K SEED OUT [pairs|reverse]
 *       random 2:4 matrix (pairs: 1:2 per column pair; reverse: the same
 *       matrix with its columns reversed), kept elements have nonzero
 *       magnitude; OUT .npy or .safetensors (tensors "w" and a 1-D "bias")
 *   emit_gen dense DTYPE M K OUT     every element nonzero (not 2:4)
 *   emit_gen example OUT             fp16 32 x 64, row 0 = the worked example
 *                                    of formats-24.md, the rest zero
 *   emit_gen prune IN DTYPE OUT [pairs]
 *       IN (.npy, any dtype) converted to DTYPE, viewed as its (2-D) matrix,
 *       and pruned: the two largest magnitudes of each group of 4 (pairs: the
 *       larger of each column pair) survive, ties to the lower index; the
 *       columns are cut to a multiple of 4.  A test-only pruner, so that
 *       real matrices can be packed.
 * DTYPE: f32 f16 bf16 u16 i8 ... (nms_dtype_parse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"

static uint64_t state;
static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t magnitude_mask(nms_dtype dt)
{
    switch (dt) {
    case NMS_DTYPE_F32: return 0x7fffffffu;
    case NMS_DTYPE_F16:
    case NMS_DTYPE_BF16: return 0x7fffu;
    case NMS_DTYPE_F64: return 0x7fffffffffffffffull;
    default: return ~0ull;
    }
}

/* A random nonzero element that is also finite for float types. */
static void random_element(nms_dtype dt, unsigned char *e)
{
    size_t es = nms_dtype_size(dt);
    for (;;) {
        uint64_t v = rnd();
        if (dt == NMS_DTYPE_F32) { /* exponent kept away from inf/nan */
            v = (v & 0x807fffffu) | ((64 + rnd() % 128) << 23);
        } else if (dt == NMS_DTYPE_F16) {
            v = (v & 0x83ffu) | ((1 + rnd() % 29) << 10);
        } else if (dt == NMS_DTYPE_BF16 || dt == NMS_DTYPE_U16) {
            v = (v & 0x807fu) | ((64 + rnd() % 128) << 7);
        }
        if ((v & magnitude_mask(dt)) == 0 || (es < 8 && (v & ((1ull << (8 * es)) - 1)) == 0))
            continue;
        memcpy(e, &v, es); /* little-endian host */
        return;
    }
}

static int write_out(const char *path, const nms_tensor *t)
{
    nms_error err;
    size_t n = strlen(path);
    if (n > 12 && strcmp(path + n - 12, ".safetensors") == 0) {
        nms_st_writer *w = NULL;
        nms_tensor *bias = NULL;
        size_t len = 4;
        if (nms_st_writer_create(&w, &err) || nms_tensor_create(NMS_DTYPE_F32, 1, &len, &bias, &err) ||
            nms_st_writer_add(w, "bias", bias, &err) || nms_st_writer_add(w, "w", t, &err) ||
            nms_st_writer_write(w, path, &err)) {
            fprintf(stderr, "emit_gen: %s\n", err.text);
            return 1;
        }
        nms_st_writer_free(w);
        nms_tensor_free(bias);
        return 0;
    }
    if (nms_npy_write(path, t, &err)) {
        fprintf(stderr, "emit_gen: %s\n", err.text);
        return 1;
    }
    return 0;
}

static uint16_t f2h(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    if ((x & 0x7fffffffu) == 0)
        return (uint16_t)sign;
    uint32_t e = ((x >> 23) & 0xff) - 127 + 15, mant = x & 0x7fffffu;
    uint32_t h = sign | e << 10 | mant >> 13, rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)h;
}

/* Magnitude key of an element: for IEEE-style floats the magnitude bits
 * compare as unsigned integers; for integers the absolute value. */
static uint64_t magnitude_key(nms_dtype dt, const unsigned char *e)
{
    size_t es = nms_dtype_size(dt);
    uint64_t v = 0;
    memcpy(&v, e, es);
    switch (dt) {
    case NMS_DTYPE_F32: case NMS_DTYPE_F16: case NMS_DTYPE_BF16: case NMS_DTYPE_F64:
        return v & magnitude_mask(dt);
    case NMS_DTYPE_I8: { int8_t x = (int8_t)v; return (uint64_t)(x < 0 ? -(int)x : x); }
    case NMS_DTYPE_I16: { int16_t x = (int16_t)v; return (uint64_t)(x < 0 ? -(int)x : x); }
    case NMS_DTYPE_I32: { int32_t x = (int32_t)v; return x < 0 ? (uint64_t)0 - (uint64_t)(int64_t)x : (uint64_t)x; }
    default: return v;
    }
}

static int prune_file(const char *in, const char *dtype, const char *out, int pairs)
{
    nms_error err;
    nms_tensor *t = NULL, *c = NULL, *m = NULL;
    nms_dtype dt;
    if (nms_dtype_parse(dtype, &dt) || nms_npy_read(in, &t, &err) ||
        nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err) || nms_tensor_convert(m, dt, &c, &err)) {
        fprintf(stderr, "emit_gen prune: %s: %s\n", in, err.text);
        return 1;
    }
    size_t rows = nms_tensor_dim(c, 0), cols = nms_tensor_dim(c, 1), k = cols - cols % 4;
    size_t es = nms_dtype_size(dt), shape[2] = {rows, k}, unit = pairs ? 2 : 4;
    nms_tensor *o = NULL;
    if (nms_tensor_create(dt, 2, shape, &o, &err))
        return 1;
    const unsigned char *src = nms_tensor_cdata(c);
    unsigned char *dst = nms_tensor_data(o);
    for (size_t r = 0; r < rows; r++)
        for (size_t g = 0; g < k / unit; g++) {
            const unsigned char *grp = src + (r * cols + g * unit) * es;
            size_t best = 0, second = unit;
            for (size_t i = 1; i < unit; i++)
                if (magnitude_key(dt, grp + i * es) > magnitude_key(dt, grp + best * es))
                    best = i;
            if (!pairs)
                for (size_t i = 0; i < unit; i++)
                    if (i != best && (second == unit || magnitude_key(dt, grp + i * es) >
                                                            magnitude_key(dt, grp + second * es)))
                        second = i;
            memcpy(dst + (r * k + g * unit + best) * es, grp + best * es, es);
            if (second < unit)
                memcpy(dst + (r * k + g * unit + second) * es, grp + second * es, es);
        }
    if (dt == NMS_DTYPE_BF16) { /* .npy cannot name bfloat16: its bits as U16 */
        nms_tensor *u = NULL;
        if (nms_tensor_create(NMS_DTYPE_U16, 2, shape, &u, &err))
            return 1;
        memcpy(nms_tensor_data(u), nms_tensor_cdata(o), nms_tensor_nbytes(o));
        nms_tensor_free(o);
        o = u;
    }
    int rc = write_out(out, o);
    nms_tensor_free(o);
    nms_tensor_free(c);
    nms_tensor_free(m);
    nms_tensor_free(t);
    return rc;
}

int main(int argc, char **argv)
{
    nms_tensor *t = NULL;
    if (argc >= 5 && strcmp(argv[1], "prune") == 0)
        return prune_file(argv[2], argv[3], argv[4], argc > 5 && strcmp(argv[5], "pairs") == 0);
    if (argc == 3 && strcmp(argv[1], "example") == 0) {
        static const float row[16] = {0, .1669f, 0, .1017f, -2.13f, 0, 0, -.329f,
                                      0, 2.793f, -.9917f, 0, 2.361f, 0, -.686f, 0};
        size_t shape[2] = {32, 64};
        if (nms_tensor_create(NMS_DTYPE_F16, 2, shape, &t, NULL))
            return 1;
        uint16_t *d = nms_tensor_data(t);
        for (int c = 0; c < 16; c++)
            d[c] = f2h(row[c]);
        int rc = write_out(argv[2], t);
        nms_tensor_free(t);
        return rc;
    }
    if (argc < 6) {
        fputs("usage: emit_gen random DTYPE M K SEED OUT [pairs|reverse] | dense DTYPE M K OUT | "
              "example OUT\n", stderr);
        return 2;
    }
    nms_dtype dt;
    if (nms_dtype_parse(argv[2], &dt))
        return 2;
    size_t shape[2] = {strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10)};
    if (nms_tensor_create(dt, 2, shape, &t, NULL))
        return 1;
    size_t m = shape[0], k = shape[1], es = nms_dtype_size(dt);
    unsigned char *d = nms_tensor_data(t);
    const char *out;
    if (strcmp(argv[1], "dense") == 0) {
        for (size_t i = 0; i < m * k; i++)
            random_element(dt, d + i * es);
        out = argv[5];
    } else {
        state = strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
        out = argv[6];
        const char *mode = argc > 7 ? argv[7] : "";
        size_t unit = strcmp(mode, "pairs") == 0 ? 2 : 4;
        for (size_t r = 0; r < m; r++)
            for (size_t g = 0; g < k / unit; g++) {
                size_t want = rnd() % (unit == 2 ? 2 : 3);
                for (size_t n = 0; n < want; n++)
                    random_element(dt, d + (r * k + g * unit + rnd() % unit) * es);
            }
        if (strcmp(mode, "reverse") == 0)
            for (size_t r = 0; r < m; r++)
                for (size_t j = 0; j < k / 2; j++) {
                    unsigned char tmp[8];
                    unsigned char *x = d + (r * k + j) * es, *y = d + (r * k + k - 1 - j) * es;
                    memcpy(tmp, x, es);
                    memcpy(x, y, es);
                    memcpy(y, tmp, es);
                }
    }
    int rc = write_out(out, t);
    nms_tensor_free(t);
    return rc;
}
