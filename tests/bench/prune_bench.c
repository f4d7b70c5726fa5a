/*
 * prune_bench.c - 2:4 prune (+ pack) throughput against memcpy of the same
 * input bytes, in the same process and run.
 *
 * For each matrix size (bytes of input; 4096 columns), dtype and kernel
 * variant this host supports, one repeat measures, back to back and in this
 * order:
 *     memcpy   memcpy(dst, in, bytes)
 *     prune    nms_prune_24_buffer(in -> dst), the pruned dense matrix
 *     nm       nms_prune_24_nm(in -> values, meta), fused prune + pack
 *     cutlass  nms_prune_24_cutlass(in -> values, meta) (F16 / BF16 / I8;
 *              F32's CUTLASS layout is 1:2, so not applicable)
 * and the repeats are interleaved over the variants (repeat 1 of every
 * variant, then repeat 2, ...), so slow phases of a loaded machine hit all
 * of them alike.  Every destination (dst; values and meta alias dst, which
 * is at least as large) is allocated and written once before timing, so no
 * measurement pays page faults.  Reported: best-of-repeats memcpy seconds
 * (the best over the whole size x dtype row set) and each operation's best
 * time divided by it (goal: <= 2 for fp16 and fp32).  memcpy runs on one
 * thread; the library splits inputs of 4 MB and more over OpenMP threads
 * (OMP_NUM_THREADS, printed in the header): run with OMP_NUM_THREADS=1 for
 * single-thread ratios.
 *
 * With --pack: also nms_pack() of the already pruned matrix (pruned once
 * before timing), nm and cutlass (F32: its 1:2-pruned matrix, CUTLASS's
 * fp32 layout).  nms_pack allocates its output tensors on every call, so
 * page faults are included; for scale, "alloc_cpy" times malloc + memcpy +
 * free of the same bytes (the cost of a fresh destination).
 *
 * With --zeros P: P percent of the elements (chosen at random) are +0, so
 * that groups keep fewer than two nonzeros (the kernels' slower branch).
 *
 * Usage: prune_bench [--sizes MB,MB,...] [--dtypes f32,f16,bf16,i8]
 *                    [--variants scalar,avx2,...] [--reps N] [--pack]
 *                    [--zeros P]
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

/* Set about pct percent of the elements of es bytes to +0. */
static void zero_some(void *buf, size_t bytes, size_t es, int pct)
{
    unsigned char *p = buf;
    for (size_t i = 0; i + es <= bytes; i += es)
        if ((int)(next() % 100) < pct)
            memset(p + i, 0, es);
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

enum { OP_PRUNE, OP_NM, OP_CUTLASS, OP_PACK_NM, OP_PACK_CUTLASS, OP_ALLOC_CPY, OP_COUNT };

static void die(const char *what, const nms_error *err)
{
    fprintf(stderr, "prune_bench: %s: %s\n", what, err->text);
    exit(1);
}

/* One timed operation; returns seconds. */
static double run_op(int op, nms_dtype dt, nms_prune_variant var, size_t rows, size_t cols,
                     const unsigned char *in, unsigned char *dst, const nms_tensor *pruned_t,
                     const nms_tensor *pruned12_t)
{
    nms_error err;
    size_t es = nms_dtype_size(dt);
    unsigned char *vals = dst, *meta = dst + rows * cols * es / 2;
    (void)dt;
    double t0 = now();
    switch (op) {
    case OP_PRUNE:
        if (nms_prune_24_buffer(dt, rows, cols, in, NULL, 0, var, dst, NULL, &err) != NMS_OK)
            die("prune", &err);
        break;
    case OP_NM:
        if (nms_prune_24_nm(dt, rows, cols, in, NULL, var, vals, meta, &err) != NMS_OK)
            die("prune_24_nm", &err);
        break;
    case OP_CUTLASS:
        if (nms_prune_24_cutlass(dt, rows, cols, in, NULL, var, vals, meta, &err) != NMS_OK)
            die("prune_24_cutlass", &err);
        break;
    case OP_ALLOC_CPY: {
        size_t bytes = rows * cols * es;
        unsigned char *fresh = malloc(bytes);
        if (!fresh) {
            fprintf(stderr, "prune_bench: out of memory\n");
            exit(1);
        }
        memcpy(fresh, in, bytes);
        double t = now() - t0;
        __asm__ volatile("" : : "r"(fresh) : "memory"); /* keep the copy */
        free(fresh);
        return t;
    }
    default: {
        nms_packed *pk = NULL;
        nms_pack_options po;
        nms_pack_options_init(&po);
        po.variant = var;
        if (nms_pack(op == OP_PACK_NM ? pruned_t : pruned12_t,
                     op == OP_PACK_NM ? NMS_FORMAT_NM : NMS_FORMAT_CUTLASS, &po, &pk, &err) != NMS_OK)
            die("nms_pack", &err);
        double t = now() - t0;
        nms_packed_free(pk);
        return t;
    }
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *sizes = "1,16,256,1024", *dtypes = NULL, *variants = NULL;
    int reps_opt = 0, with_pack = 0, zeros = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
            sizes = argv[++i];
        else if (!strcmp(argv[i], "--dtypes") && i + 1 < argc)
            dtypes = argv[++i];
        else if (!strcmp(argv[i], "--variants") && i + 1 < argc)
            variants = argv[++i];
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps_opt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pack"))
            with_pack = 1;
        else if (!strcmp(argv[i], "--zeros") && i + 1 < argc)
            zeros = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--sizes MB,...] [--dtypes f32,...] [--variants v,...] "
                            "[--reps N] [--pack] [--zeros P]\n", argv[0]);
            return 2;
        }
    }
    static const nms_dtype dts[] = {NMS_DTYPE_F32, NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_I8};
    static const char *const dt_names[] = {"f32", "f16", "bf16", "i8"};
    const size_t cols = 4096;
    int vars[NMS_PRUNE_VARIANT_COUNT], nvars = 0;
    for (int v = NMS_PRUNE_SCALAR; v < NMS_PRUNE_VARIANT_COUNT; v++)
        if (nms_prune_variant_supported((nms_prune_variant)v) &&
            in_list(variants, nms_prune_variant_name((nms_prune_variant)v)))
            vars[nvars++] = v;
    const char *omp = getenv("OMP_NUM_THREADS");
    printf("# ratios = best time / best memcpy time of the same input bytes (memcpy: 1 thread,\n"
           "# library: OMP_NUM_THREADS=%s); repeats interleaved over variants and operations;\n"
           "# destinations pre-faulted; %d %% of the elements zero\n",
           omp && *omp ? omp : "(unset: all cores)", zeros);
    printf("%-7s %-5s %-8s %5s %10s %7s %7s %8s%s\n", "MB", "dtype", "variant", "reps", "memcpy_us",
           "prune", "nm", "cutlass", with_pack ? " pack_nm pack_cut alloc_cpy" : "");
    for (const char *s = sizes; *s;) {
        double mb = strtod(s, NULL);
        const char *comma = strchr(s, ',');
        s = comma ? comma + 1 : s + strlen(s);
        /* whole reorder blocks of 32 rows at every dtype */
        size_t bytes = (size_t)(mb * 1048576.0) / (cols * 4 * 32) * (cols * 4 * 32);
        if (bytes == 0)
            continue;
        int reps = reps_opt > 0 ? reps_opt : (mb >= 512 ? 3 : mb >= 64 ? 5 : 15);
        void *in_p = NULL, *dst_p = NULL;
        if (posix_memalign(&in_p, 4096, bytes) || posix_memalign(&dst_p, 4096, bytes)) {
            fprintf(stderr, "cannot allocate 2 x %g MB\n", mb);
            return 1;
        }
        unsigned char *in = in_p, *dst = dst_p;
        memset(dst, 0, bytes); /* fault the destination pages in before timing */
        for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
            if (!in_list(dtypes, dt_names[d]))
                continue;
            nms_dtype dt = dts[d];
            size_t es = nms_dtype_size(dt), rows = bytes / (cols * es);
            fill(dt, in, bytes);
            zero_some(in, bytes, nms_dtype_size(dt), zeros);
            nms_tensor *pruned_t = NULL, *pruned12_t = NULL;
            if (with_pack) {
                /* the inputs of nms_pack: the 2:4-pruned matrix and (for
                 * cutlass F32) the 1:2-pruned one */
                size_t shape[2] = {rows, cols};
                nms_error err;
                nms_tensor *w = NULL;
                nms_prune_options po;
                nms_prune_options_init(&po);
                if (nms_tensor_create(dt, 2, shape, &w, &err) != NMS_OK)
                    die("tensor", &err);
                memcpy(nms_tensor_data(w), in, bytes);
                if (nms_prune_24(w, NULL, &po, &pruned_t, NULL, &err) != NMS_OK)
                    die("prune", &err);
                po.pattern = dt == NMS_DTYPE_F32 ? NMS_PATTERN_1_2 : NMS_PATTERN_2_4;
                if (nms_prune_24(w, NULL, &po, &pruned12_t, NULL, &err) != NMS_OK)
                    die("prune", &err);
                nms_tensor_free(w);
            }
            double best_cpy = 1e30, best[NMS_PRUNE_VARIANT_COUNT][OP_COUNT];
            for (int v = 0; v < nvars; v++)
                for (int o = 0; o < OP_COUNT; o++)
                    best[v][o] = 1e30;
            for (int r = 0; r < reps; r++) {
                for (int v = 0; v < nvars; v++) {
                    for (int o = 0; o < OP_COUNT; o++) {
                        if (o == OP_CUTLASS && dt == NMS_DTYPE_F32)
                            continue;
                        if ((o == OP_PACK_NM || o == OP_PACK_CUTLASS) && !with_pack)
                            continue;
                        if (o == OP_ALLOC_CPY && (!with_pack || v > 0))
                            continue;
                        double t0 = now();
                        memcpy(dst, in, bytes);
                        double tc = now() - t0;
                        if (tc < best_cpy)
                            best_cpy = tc;
                        double t = run_op(o, dt, (nms_prune_variant)vars[v], rows, cols, in, dst,
                                          pruned_t, pruned12_t);
                        if (t < best[v][o])
                            best[v][o] = t;
                    }
                }
            }
            for (int v = 0; v < nvars; v++) {
                printf("%-7g %-5s %-8s %5d %10.1f %7.2f %7.2f", (double)bytes / 1048576.0,
                       dt_names[d], nms_prune_variant_name((nms_prune_variant)vars[v]), reps,
                       best_cpy * 1e6, best[v][OP_PRUNE] / best_cpy, best[v][OP_NM] / best_cpy);
                if (dt == NMS_DTYPE_F32)
                    printf(" %8s", "1:2 n/a");
                else
                    printf(" %8.2f", best[v][OP_CUTLASS] / best_cpy);
                if (with_pack)
                    printf(" %7.2f %8.2f %9.2f", best[v][OP_PACK_NM] / best_cpy,
                           best[v][OP_PACK_CUTLASS] / best_cpy, best[0][OP_ALLOC_CPY] / best_cpy);
                printf("\n");
            }
            fflush(stdout);
            nms_tensor_free(pruned_t);
            nms_tensor_free(pruned12_t);
        }
        free(in);
        free(dst);
    }
    return 0;
}
