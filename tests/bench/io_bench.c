/* io_bench.c - throughput of the readers, writers and the matrix view on a
 * conv-shaped weight tensor [512, 1024, 3, 3] (18 MB as F32), against a
 * memcpy of the same bytes in the same run.  Files go to $TMPDIR (or /tmp)
 * and are removed.  Each time is the best of 3. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nmsparse.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define BEST_OF_3(label, bytes, code)                                                          \
    do {                                                                                       \
        double best = 1e30;                                                                    \
        for (int rep = 0; rep < 3; rep++) {                                                    \
            double t0 = now();                                                                 \
            code;                                                                              \
            double dt = now() - t0;                                                            \
            if (dt < best)                                                                     \
                best = dt;                                                                     \
        }                                                                                      \
        printf("%-34s %9.2f ms %8.0f MB/s\n", label, best * 1e3, (double)(bytes) / best / 1e6); \
    } while (0)

#define CHECK(call)                                                                            \
    do {                                                                                       \
        if ((call) != NMS_OK) {                                                                \
            fprintf(stderr, "io_bench: %s\n", err.text);                                       \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

int main(void)
{
    const char *base = getenv("TMPDIR");
    char dir[256], npy[300], st[300];
    snprintf(dir, sizeof dir, "%s/io_bench.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(npy, sizeof npy, "%s/w.npy", dir);
    snprintf(st, sizeof st, "%s/w.safetensors", dir);
    nms_error err;
    size_t shape[4] = {512, 1024, 3, 3};
    nms_tensor *w, *h, *b, *m, *r;
    CHECK(nms_tensor_create(NMS_DTYPE_F32, 4, shape, &w, &err));
    float *x = nms_tensor_data(w);
    for (size_t i = 0; i < nms_tensor_numel(w); i++)
        x[i] = (float)((i * 2654435761u) % 2001) * 1e-3f - 1.0f;
    size_t bytes = nms_tensor_nbytes(w), n = nms_tensor_numel(w);
    unsigned char *copy = malloc(bytes);
    memset(copy, 1, bytes);
    printf("tensor F32 512x1024x3x3: %zu elements, %.1f MB\n", n, (double)bytes / 1e6);
    BEST_OF_3("memcpy", bytes, memcpy(copy, x, bytes));
    BEST_OF_3("convert F32 -> F16", bytes, {
        CHECK(nms_tensor_convert(w, NMS_DTYPE_F16, &h, &err));
        nms_tensor_free(h);
    });
    BEST_OF_3("convert F32 -> BF16", bytes, {
        CHECK(nms_tensor_convert(w, NMS_DTYPE_BF16, &b, &err));
        nms_tensor_free(b);
    });
    CHECK(nms_tensor_convert(w, NMS_DTYPE_F16, &h, &err));
    CHECK(nms_tensor_convert(w, NMS_DTYPE_BF16, &b, &err));
    BEST_OF_3("matrix view F32 oihw", bytes, {
        CHECK(nms_tensor_to_matrix(w, NMS_LAYOUT_OIHW, &m, &err));
        nms_tensor_free(m);
    });
    BEST_OF_3("matrix view F32 hwio", bytes, {
        CHECK(nms_tensor_to_matrix(w, NMS_LAYOUT_HWIO, &m, &err));
        nms_tensor_free(m);
    });
    BEST_OF_3("matrix view F16 oihw (F32 bytes)", bytes, {
        CHECK(nms_tensor_to_matrix(h, NMS_LAYOUT_OIHW, &m, &err));
        nms_tensor_free(m);
    });
    BEST_OF_3("matrix view BF16 oihw (F32 bytes)", bytes, {
        CHECK(nms_tensor_to_matrix(b, NMS_LAYOUT_OIHW, &m, &err));
        nms_tensor_free(m);
    });
    CHECK(nms_tensor_to_matrix(w, NMS_LAYOUT_OIHW, &m, &err));
    BEST_OF_3("matrix -> tensor oihw", bytes, {
        CHECK(nms_matrix_to_tensor(m, NMS_LAYOUT_OIHW, 4, shape, &r, &err));
        nms_tensor_free(r);
    });
    nms_tensor_free(m);
    BEST_OF_3("npy write", bytes, CHECK(nms_npy_write(npy, w, &err)));
    BEST_OF_3("npy read", bytes, {
        CHECK(nms_npy_read(npy, &r, &err));
        nms_tensor_free(r);
    });
    BEST_OF_3("safetensors write (F32+F16+BF16)", bytes * 2, {
        nms_st_writer *sw;
        CHECK(nms_st_writer_create(&sw, &err));
        CHECK(nms_st_writer_add(sw, "w.f32", w, &err));
        CHECK(nms_st_writer_add(sw, "w.f16", h, &err));
        CHECK(nms_st_writer_add(sw, "w.bf16", b, &err));
        CHECK(nms_st_writer_write(sw, st, &err));
        nms_st_writer_free(sw);
    });
    BEST_OF_3("safetensors open + load all", bytes * 2, {
        nms_safetensors *f;
        CHECK(nms_st_open(st, &f, &err));
        for (size_t i = 0; i < nms_st_count(f); i++) {
            CHECK(nms_st_load(f, i, &r, &err));
            nms_tensor_free(r);
        }
        nms_st_close(f);
    });
    nms_tensor_free(h);
    nms_tensor_free(b);
    nms_tensor_free(w);
    free(copy);
    unlink(npy);
    unlink(st);
    rmdir(dir);
    return 0;
}
