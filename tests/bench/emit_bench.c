/* emit_bench.c - pack / unpack throughput of every format and dtype against a
 * plain memcpy of the same input bytes, in the same process and run.
 * Matrices of 1 MB up to NMS_BENCH_MAX_MB (default 1024) MB, 2:4 (1:2 for
 * fp32 cutlass) with two nonzeros per unit.  Times are the best of 3; the
 * memcpy destination is touched beforehand, pack and unpack allocate their
 * outputs as they must. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nmsparse.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    const char *env = getenv("NMS_BENCH_MAX_MB");
    size_t max_mb = env ? strtoul(env, NULL, 10) : 1024;
    static const nms_dtype dts[] = {NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_F32, NMS_DTYPE_I8};
    printf("%-5s %-8s %7s %10s %10s %10s %7s %7s\n", "dtype", "format", "MB", "memcpy_s", "pack_s",
           "unpack_s", "pack/x", "unpk/x");
    for (size_t mb = 1; mb <= max_mb; mb *= 4) {
        for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
            nms_dtype dt = dts[d];
            size_t es = nms_dtype_size(dt), k = 4096;
            size_t m = (mb << 20) / (k * es);
            m -= m % 32;
            if (m == 0)
                m = 32;
            size_t shape[2] = {m, k};
            nms_tensor *t = NULL;
            if (nms_tensor_create(dt, 2, shape, &t, NULL))
                return 1;
            unsigned char *p = nms_tensor_data(t);
            int pairs = dt == NMS_DTYPE_F32;
            for (size_t i = 0; i < m * k; i++) {
                size_t pos = pairs ? i % 2 : i % 4;
                if (pairs ? pos == (i / k) % 2 : (pos == (i / k) % 4 || pos == (i / k + 1) % 4))
                    memset(p + i * es, 0x31, es);
            }
            size_t bytes = nms_tensor_nbytes(t);
            unsigned char *dst = malloc(bytes);
            if (!dst)
                return 1;
            memset(dst, 1, bytes);
            double tm = 1e30;
            for (int rep = 0; rep < 3; rep++) {
                double a = now();
                memcpy(dst, p, bytes);
                double b = now();
                if (b - a < tm)
                    tm = b - a;
            }
            for (int f = 0; f < NMS_FORMAT_COUNT; f++) {
                double tp = 1e30, tu = 1e30;
                nms_error err;
                for (int rep = 0; rep < 3; rep++) {
                    nms_packed *pk = NULL;
                    nms_tensor *back = NULL;
                    double a = now();
                    if (nms_pack(t, (nms_format)f, NULL, &pk, &err)) {
                        fprintf(stderr, "pack: %s\n", err.text);
                        return 1;
                    }
                    double b = now();
                    if (nms_unpack(pk, &back, &err)) {
                        fprintf(stderr, "unpack: %s\n", err.text);
                        return 1;
                    }
                    double c = now();
                    if (memcmp(nms_tensor_cdata(back), p, bytes) != 0) {
                        fprintf(stderr, "round trip differs\n");
                        return 1;
                    }
                    tp = b - a < tp ? b - a : tp;
                    tu = c - b < tu ? c - b : tu;
                    nms_tensor_free(back);
                    nms_packed_free(pk);
                }
                printf("%-5s %-8s %7.1f %10.4f %10.4f %10.4f %7.2f %7.2f\n", nms_dtype_name(dt),
                       nms_format_name((nms_format)f), (double)bytes / 1048576.0, tm, tp, tu,
                       tp / tm, tu / tm);
                fflush(stdout);
            }
            free(dst);
            nms_tensor_free(t);
        }
    }
    return 0;
}
