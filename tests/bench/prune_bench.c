/*
 * prune_bench.c - 2:4 pruning throughput against memcpy of the same bytes.
 *
 * For each matrix size (bytes of input), dtype and kernel variant this host
 * supports: the best-of-N time of nms_prune_24_buffer (input -> pruned
 * output, no permutation; optionally also the 0/1 mask) and of memcpy(out, in,
 * bytes) between the same two buffers, measured alternately in the same
 * process.  Prints one table row per case: GB/s of input for both and the
 * ratio prune time / memcpy time (the goal is <= 2 for fp16 and fp32).
 *
 * Usage: prune_bench [--sizes MB,MB,...] [--dtypes f32,f16,bf16,i8]
 *                    [--variants scalar,avx2,...] [--mask] [--pack]
 *                    [--min-time S]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nmsparse.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x123456789abcdefULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random finite weights-like values: random signs, exponents near 1. */
static void fill(nms_dtype dt, void *buf, size_t bytes)
{
    unsigned char *p = buf;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t r = next();
        if (dt == NMS_DTYPE_F32)
            r = (r & 0x83ffffff83ffffffULL) | 0x3800000038000000ULL;
        else if (dt == NMS_DTYPE_F16)
            r = (r & 0x83ff83ff83ff83ffULL) | 0x3000300030003000ULL;
        else if (dt == NMS_DTYPE_BF16)
            r = (r & 0x807f807f807f807fULL) | 0x3c003c003c003c00ULL;
        memcpy(p + i, &r, 8);
    }
}

static int in_list(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *s = list; *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == n && strncmp(s, name, n) == 0)
            return 1;
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *sizes = "1,16,256,1024", *dtypes = NULL, *variants = NULL;
    double min_time = 0.5;
    int with_mask = 0, with_pack = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
            sizes = argv[++i];
        else if (!strcmp(argv[i], "--dtypes") && i + 1 < argc)
            dtypes = argv[++i];
        else if (!strcmp(argv[i], "--variants") && i + 1 < argc)
            variants = argv[++i];
        else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
            min_time = atof(argv[++i]);
        else if (!strcmp(argv[i], "--mask"))
            with_mask = 1;
        else if (!strcmp(argv[i], "--pack"))
            with_pack = 1;
        else {
            fprintf(stderr, "usage: %s [--sizes MB,...] [--dtypes f32,...] [--variants v,...] "
                            "[--mask] [--pack] [--min-time S]\n", argv[0]);
            return 2;
        }
    }
    static const nms_dtype dts[] = {NMS_DTYPE_F32, NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_I8};
    static const char *const dt_names[] = {"f32", "f16", "bf16", "i8"};
    const size_t cols = 4096;
    printf("%-8s %-5s %-8s %10s %10s %8s%s%s\n", "size", "dtype", "variant", "memcpy", "prune",
           "ratio", with_pack ? "      +nm +cutlass  nm1pass" : "",
           with_mask ? "  (prune writes values + 0/1 mask)" : "");
    printf("%-8s %-5s %-8s %10s %10s %8s%s\n", "", "", "", "GB/s", "GB/s", "t/t_cpy",
           with_pack ? "  t/t_cpy  t/t_cpy  t/t_cpy" : "");
    for (const char *s = sizes; *s;) {
        double mb = strtod(s, NULL);
        const char *comma = strchr(s, ',');
        s = comma ? comma + 1 : s + strlen(s);
        size_t bytes = (size_t)(mb * 1048576.0) / (cols * 4) * (cols * 4);
        if (bytes == 0)
            continue;
        unsigned char *in = malloc(bytes), *out = malloc(bytes);
        uint8_t *mask = NULL;
        nms_tensor *out_t = NULL; /* a tensor over the pruned output, for nms_pack */
        if (!in || !out) {
            fprintf(stderr, "cannot allocate 2 x %g MB\n", mb);
            return 1;
        }
        memset(out, 0, bytes); /* fault the pages in before timing */
        for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
            if (!in_list(dtypes, dt_names[d]))
                continue;
            size_t es = nms_dtype_size(dts[d]), rows = bytes / (cols * es);
            fill(dts[d], in, bytes);
            nms_tensor_free(out_t);
            out_t = NULL;
            if (with_pack) {
                size_t shape[2] = {rows, cols};
                nms_error err;
                if (nms_tensor_create(dts[d], 2, shape, &out_t, &err) != NMS_OK) {
                    fprintf(stderr, "%s\n", err.text);
                    return 1;
                }
            }
            if (with_mask) {
                free(mask);
                mask = malloc(rows * cols);
                if (!mask)
                    return 1;
                memset(mask, 0, rows * cols);
            }
            for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++) {
                nms_prune_variant var = (nms_prune_variant)v;
                if (!nms_prune_variant_supported(var) || !in_list(variants, nms_prune_variant_name(var)))
                    continue;
                double best_p = 1e30, best_c = 1e30, spent = 0;
                int reps = 0;
                while ((spent < min_time || reps < 3) && reps < 50) {
                    double t0 = now();
                    memcpy(out, in, bytes);
                    double t1 = now();
                    nms_error err;
                    if (nms_prune_24_buffer(dts[d], rows, cols, in, NULL, 0, var, out, mask, &err) != NMS_OK) {
                        fprintf(stderr, "prune: %s\n", err.text);
                        return 1;
                    }
                    double t2 = now();
                    if (t1 - t0 < best_c)
                        best_c = t1 - t0;
                    if (t2 - t1 < best_p)
                        best_p = t2 - t1;
                    spent += t2 - t0;
                    reps++;
                }
                printf("%-8s %-5s %-8s %10.2f %10.2f %8.2f", "", dt_names[d],
                       nms_prune_variant_name(var), (double)bytes / best_c * 1e-9,
                       (double)bytes / best_p * 1e-9, best_p / best_c);
                for (int f = 0; with_pack && f < 2; f++) {
                    nms_format fmt = f == 0 ? NMS_FORMAT_NM : NMS_FORMAT_CUTLASS;
                    if (fmt == NMS_FORMAT_CUTLASS && dts[d] == NMS_DTYPE_F32) {
                        printf(" %8s", "1:2");
                        continue;
                    }
                    double best = 1e30, cpy = 1e30;
                    for (int r = 0; r < 3; r++) {
                        nms_error err;
                        nms_packed *pk = NULL;
                        double t0 = now();
                        memcpy(nms_tensor_data(out_t), in, bytes);
                        double t1 = now();
                        if (nms_prune_24_buffer(dts[d], rows, cols, in, NULL, 0, var,
                                                nms_tensor_data(out_t), NULL, &err) != NMS_OK ||
                            nms_pack(out_t, fmt, NULL, &pk, &err) != NMS_OK) {
                            fprintf(stderr, "pack: %s\n", err.text);
                            return 1;
                        }
                        double t2 = now();
                        nms_packed_free(pk);
                        if (t1 - t0 < cpy)
                            cpy = t1 - t0;
                        if (t2 - t1 < best)
                            best = t2 - t1;
                    }
                    printf(" %8.2f", best / cpy);
                }
                if (with_pack) {
                    double best = 1e30, cpy = 1e30;
                    unsigned char *vals = malloc(bytes / 2);
                    uint8_t *meta = malloc(rows * ((cols / 4 + 1) / 2));
                    if (!vals || !meta)
                        return 1;
                    memset(vals, 0, bytes / 2);
                    memset(meta, 0, rows * ((cols / 4 + 1) / 2));
                    for (int r = 0; r < 3; r++) {
                        nms_error err;
                        double t0 = now();
                        memcpy(out, in, bytes);
                        double t1 = now();
                        if (nms_prune_24_nm(dts[d], rows, cols, in, NULL, var, vals, meta, &err) != NMS_OK) {
                            fprintf(stderr, "prune_nm: %s\n", err.text);
                            return 1;
                        }
                        double t2 = now();
                        if (t1 - t0 < cpy)
                            cpy = t1 - t0;
                        if (t2 - t1 < best)
                            best = t2 - t1;
                    }
                    printf(" %8.2f", best / cpy);
                    free(vals);
                    free(meta);
                }
                printf("\n");
                fflush(stdout);
            }
        }
        printf("  ^ %g MB (%zu x %zu elements at f32; best of >= 3 runs)\n", mb, bytes / (cols * 4), cols);
        free(in);
        free(out);
        free(mask);
        mask = NULL;
        nms_tensor_free(out_t);
        out_t = NULL;
    }
    return 0;
}
