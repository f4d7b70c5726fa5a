/*
 * neon_cross.c - stand-alone driver for the NEON 2:4 kernels, cross-built
 * statically for aarch64 and run under qemu-aarch64 by
 * tests/prune_neon_cross.sh (make check-long).  It compares the NEON kernels
 * with the scalar reference on the same inputs as tests/check_prune.c
 * (identical values and bitmaps, NaN reported) and prints a digest of the
 * scalar outputs, which the script compares with the same driver built for
 * the host without NEON (-DNO_NEON): the reference gives the same bytes on
 * both machines.  The NEON nm encoders are compared with a plain reference
 * encoder written here from formats-24.md (pruned rows, sparse rows with -0.0,
 * and rows with a group of three nonzeros, which must be reported).  Exit 0
 * on success, 1 on a mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prune/prune_kernels.h"
#include "testdata.h"

static int failures;
static uint64_t digest = 1469598103934665603ULL; /* FNV-1a */

static void hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        digest = (digest ^ b[i]) * 1099511628211ULL;
}

static int run(const nms__prune_kernels *k, int dt, const void *in, size_t ng, void *out,
               uint8_t *bits)
{
    switch (dt) {
    case PT_F32: return k->f32(in, ng, out, bits);
    case PT_F16: return k->h16(in, ng, NMS__F16_NAN_ABOVE, out, bits);
    case PT_BF16: return k->h16(in, ng, NMS__BF16_NAN_ABOVE, out, bits);
    default: return k->i8(in, ng, out, bits);
    }
}

static void check(int dt, const unsigned char *in, size_t ng, const char *what)
{
    size_t es = prune_test_elem_size(dt), nb = 4 * ng * es, nbits = (ng + 1) / 2;
    unsigned char *o1 = calloc(nb + 1, 1), *o2 = calloc(nb + 1, 1);
    uint8_t *b1 = calloc(nbits + 1, 1), *b2 = calloc(nbits + 1, 1);
    if (!o1 || !o2 || !b1 || !b2) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    int n1 = run(nms__prune_kernels_scalar(), dt, in, ng, o1, b1);
    hash(o1, nb);
    hash(b1, nbits);
#ifndef NO_NEON
    int n2 = run(nms__prune_kernels_neon(), dt, in, ng, o2, b2);
    if (n1 != n2 || memcmp(o1, o2, nb) != 0 || memcmp(b1, b2, nbits) != 0) {
        if (failures++ < 10)
            fprintf(stderr, "FAIL: neon %s %s, %zu groups: differs from scalar\n",
                    prune_test_dtype_name(dt), what, ng);
    }
#else
    (void)n1;
    (void)o2;
    (void)b2;
#endif
    free(o1);
    free(o2);
    free(b1);
    free(b2);
}

#ifndef NO_NEON
/* Reference nm encoding of one row (groups of 4 elements of es bytes,
 * magnitude mask mm): codes from the nonzero flags (formats-24.md sec. 3),
 * values at the code's positions.  Returns 1 when a group has more than
 * two nonzeros. */
static int ref_encode(const unsigned char *row, size_t es, uint32_t mm, size_t groups,
                      unsigned char *vals, uint8_t *meta)
{
    static const int code_of[16] = {0xE, 0x8, 0x9, 0x4, 0xE, 0x8, 0x9, -1,
                                    0xE, 0xC, 0xD, -1, 0xE, -1, -1, -1};
    int bad = 0;
    memset(meta, 0, (groups + 1) / 2);
    for (size_t g = 0; g < groups; g++) {
        unsigned f = 0;
        for (size_t i = 0; i < 4; i++) {
            uint32_t v = 0;
            memcpy(&v, row + (4 * g + i) * es, es);
            f |= (unsigned)((v & mm) != 0) << i;
        }
        if (code_of[f] < 0) {
            bad = 1;
            continue;
        }
        unsigned c = (unsigned)code_of[f];
        memcpy(vals + 2 * g * es, row + (4 * g + (c & 3)) * es, es);
        memcpy(vals + (2 * g + 1) * es, row + (4 * g + (c >> 2)) * es, es);
        meta[g / 2] |= (uint8_t)(c << (4 * (g % 2)));
    }
    return bad;
}

/* The NEON encoder of dt on a row of ng groups (its leading groups) against
 * the reference; `bad` says whether the row has a group of three. */
static void check_encoder(int dt, const unsigned char *row, size_t ng, const char *what)
{
    const nms__prune_kernels *k = nms__prune_kernels_neon();
    size_t es = prune_test_elem_size(dt);
    uint32_t mm = dt == PT_F32 ? 0x7fffffffu : dt == PT_I8 ? 0xffu : 0x7fffu;
    nms__nm_encode_fn enc = es == 4 ? k->nm32 : es == 2 ? k->nm16 : k->nm8;
    unsigned char *v1 = calloc(2 * ng * es + 16, 1), *v2 = calloc(2 * ng * es + 16, 1);
    uint8_t *m1 = calloc(ng / 2 + 8, 1), *m2 = calloc(ng / 2 + 8, 1);
    if (!v1 || !v2 || !m1 || !m2) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    uint32_t over2 = 0;
    size_t done = enc(row, ng, v2, m2, &over2);
    int bad = ref_encode(row, es, mm, done, v1, m1);
    if (done > ng || (ng - done) >= 8 || (over2 != 0) != bad ||
        (!bad && (memcmp(v1, v2, 2 * done * es) != 0 || memcmp(m1, m2, done / 2) != 0))) {
        if (failures++ < 10)
            fprintf(stderr, "FAIL: neon nm encoder %s %s, %zu groups (%zu encoded, over2 %u, "
                            "reference %d)\n", prune_test_dtype_name(dt), what, ng, done,
                    (unsigned)over2, bad);
    }
    free(v1);
    free(v2);
    free(m1);
    free(m2);
}
#endif

int main(void)
{
    size_t cap = 4 * 70000 * 4 + 1;
    unsigned char *buf = malloc(cap), *out = malloc(cap);
    if (!buf || !out)
        return 1;
    size_t cases = 0;
    for (int dt = 0; dt < PT_DTYPE_COUNT; dt++) {
        size_t n = prune_test_fill_all_combinations(dt, buf, 4096);
        check(dt, buf, n, "combinations");
        cases++;
        for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
            for (size_t ng = 0; ng <= 70; ng++) {
                prune_test_fill(dt, pat, ng + 1, buf + 1, 4 * ng);
                check(dt, buf + 1, ng, prune_test_pattern_name(pat));
                cases++;
            }
            prune_test_fill(dt, pat, 99, buf, 4 * 65549);
            check(dt, buf, 65549, prune_test_pattern_name(pat));
            cases++;
        }
#ifndef NO_NEON
        /* nm encoders: pruned rows, sparse rows with signed zeros, and
         * rows with one group of three nonzeros */
        for (size_t ng = 0; ng <= 64; ng += 1) {
            size_t es = prune_test_elem_size(dt);
            for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
                prune_test_fill(dt, pat, 500 + ng, buf, 4 * ng);
                run(nms__prune_kernels_scalar(), dt, buf, ng, out + 1, NULL);
                check_encoder(dt, out + 1, ng, "pruned");
                for (size_t e = 0; e < 4 * ng; e++) { /* zero 3 in 4, half as -0.0 */
                    if (e % 4 == ng % 4)
                        continue;
                    memset(out + 1 + e * es, 0, es);
                    if (dt != PT_I8 && (e & 1))
                        out[1 + e * es + es - 1] = 0x80;
                }
                check_encoder(dt, out + 1, ng, "sparse");
                if (ng > 0) {
                    memcpy(out + 1, buf, 4 * ng * es); /* unpruned: bad groups likely */
                    check_encoder(dt, out + 1, ng, "unpruned");
                }
                cases += 3;
            }
        }
        if (dt != PT_I8) { /* a NaN anywhere is reported */
            size_t es = prune_test_elem_size(dt);
            for (size_t pos = 0; pos < 4 * 37; pos += 7) {
                for (int which = 0; which < 3; which++) {
                    prune_test_fill(dt, PT_RANDOM, pos, buf, 4 * 37);
                    prune_test_nan(dt, which, buf + pos * es);
                    if (run(nms__prune_kernels_neon(), dt, buf, 37, out, NULL) != 1 && failures++ < 10)
                        fprintf(stderr, "FAIL: neon %s: NaN at %zu not reported\n",
                                prune_test_dtype_name(dt), pos);
                }
            }
        }
#endif
    }
    printf("cases %zu failures %d digest %016llx\n", cases, failures, (unsigned long long)digest);
    free(buf);
    free(out);
    return failures ? 1 : 0;
}
