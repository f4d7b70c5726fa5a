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
 * and rows with a group of three nonzeros, which must be reported).  The 1:2
 * kernels are compared with the scalar 1:2 ones like the 2:4 kernels; the
 * fused 2:4 prune + nm kernels with the scalar prune followed by the
 * reference encoder (and NaN must be reported); the fp32 1:2 pairs encoder
 * with a reference pairs encoder written here (1:2-pruned, sparse and
 * unpruned rows; a pair with two nonzeros must be reported).  Exit 0 on
 * success, 1 on a mismatch.
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

/* pattern 0: 2:4, 1: 1:2 */
static int run_p(const nms__prune_kernels *k, int pattern, int dt, const void *in, size_t ng,
                 void *out, uint8_t *bits)
{
    switch (dt) {
    case PT_F32: return (pattern ? k->f32_12 : k->f32)(in, ng, out, bits);
    case PT_F16: return (pattern ? k->h16_12 : k->h16)(in, ng, NMS__F16_NAN_ABOVE, out, bits);
    case PT_BF16: return (pattern ? k->h16_12 : k->h16)(in, ng, NMS__BF16_NAN_ABOVE, out, bits);
    default: return (pattern ? k->i8_12 : k->i8)(in, ng, out, bits);
    }
}

#ifndef NO_NEON
static int run(const nms__prune_kernels *k, int dt, const void *in, size_t ng, void *out,
               uint8_t *bits)
{
    return run_p(k, 0, dt, in, ng, out, bits);
}
#endif

static void check(int dt, const unsigned char *in, size_t ng, const char *what)
{
    size_t es = prune_test_elem_size(dt), nb = 4 * ng * es, nbits = (ng + 1) / 2;
    unsigned char *o1 = calloc(nb + 1, 1), *o2 = calloc(nb + 1, 1);
    uint8_t *b1 = calloc(nbits + 1, 1), *b2 = calloc(nbits + 1, 1);
    if (!o1 || !o2 || !b1 || !b2) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int pattern = 0; pattern < 2; pattern++) {
        int n1 = run_p(nms__prune_kernels_scalar(), pattern, dt, in, ng, o1, b1);
        hash(o1, nb);
        hash(b1, nbits);
#ifndef NO_NEON
        int n2 = run_p(nms__prune_kernels_neon(), pattern, dt, in, ng, o2, b2);
        if (n1 != n2 || memcmp(o1, o2, nb) != 0 || memcmp(b1, b2, nbits) != 0) {
            if (failures++ < 10)
                fprintf(stderr, "FAIL: neon %s %s %s, %zu groups: differs from scalar\n",
                        pattern ? "1:2" : "2:4", prune_test_dtype_name(dt), what, ng);
        }
#else
        (void)n1;
        (void)o2;
        (void)b2;
        (void)what;
#endif
    }
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

/* Reference (1) and kernel (2) outputs: values and meta bytes, zeroed. */
typedef struct outs {
    unsigned char *v1, *v2;
    uint8_t *m1, *m2;
} outs;

static outs outs_alloc(size_t vbytes, size_t mbytes)
{
    outs o = {calloc(vbytes, 1), calloc(vbytes, 1), calloc(mbytes, 1), calloc(mbytes, 1)};
    if (!o.v1 || !o.v2 || !o.m1 || !o.m2) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return o;
}

static void outs_free(outs *o)
{
    free(o->v1);
    free(o->v2);
    free(o->m1);
    free(o->m2);
}

/* The NEON encoder of dt on a row of ng groups (its leading groups) against
 * the reference; `bad` says whether the row has a group of three. */
static void check_encoder(int dt, const unsigned char *row, size_t ng, const char *what)
{
    const nms__prune_kernels *k = nms__prune_kernels_neon();
    size_t es = prune_test_elem_size(dt);
    uint32_t mm = prune_test_mag_mask(dt);
    nms__nm_encode_fn enc = es == 4 ? k->nm32 : es == 2 ? k->nm16 : k->nm8;
    outs o = outs_alloc(2 * ng * es + 16, ng / 2 + 8);
    unsigned char *v1 = o.v1, *v2 = o.v2;
    uint8_t *m1 = o.m1, *m2 = o.m2;
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
    outs_free(&o);
}

/* The fused 2:4 prune + nm kernel of dt on a row of ng groups against the
 * scalar prune followed by the reference encoder, over the groups it
 * encodes (all but fewer than one step, an even number).  nan_at: element
 * index of a planted NaN, or SIZE_MAX. */
static void check_fused(int dt, const unsigned char *row, size_t ng, size_t nan_at, const char *what)
{
    const nms__prune_kernels *k = nms__prune_kernels_neon();
    size_t es = prune_test_elem_size(dt);
    uint32_t mm = prune_test_mag_mask(dt);
    uint32_t nan_above = dt == PT_F16 ? NMS__F16_NAN_ABOVE : dt == PT_BF16 ? NMS__BF16_NAN_ABOVE : 0;
    nms__prune_nm_fn fused = es == 4 ? k->pnm32 : es == 2 ? k->pnm16 : k->pnm8;
    unsigned char *pruned = calloc(4 * ng * es + 16, 1);
    outs o = outs_alloc(2 * ng * es + 16, ng / 2 + 8);
    unsigned char *v1 = o.v1, *v2 = o.v2;
    uint8_t *m1 = o.m1, *m2 = o.m2;
    if (!pruned) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    uint32_t nan = 0;
    size_t done = fused(row, ng, nan_above, v2, m2, &nan);
    int want_nan = nan_at < 4 * done;
    int bad = 0;
    if (nan_at == (size_t)-1) {
        run(nms__prune_kernels_scalar(), dt, row, ng, pruned, NULL);
        bad = ref_encode(pruned, es, mm, done, v1, m1);
    }
    if (done > ng || ng - done >= 4 || done % 2 != 0 || bad || (nan != 0) != want_nan ||
        (nan_at == (size_t)-1 && (memcmp(v1, v2, 2 * done * es) != 0 || memcmp(m1, m2, done / 2) != 0))) {
        if (failures++ < 10)
            fprintf(stderr, "FAIL: neon fused prune+nm %s %s, %zu groups (%zu encoded, nan %u, "
                            "planted at %zu)\n", prune_test_dtype_name(dt), what, ng, done,
                    (unsigned)nan, nan_at);
    }
    free(pruned);
    outs_free(&o);
}

/* The fp32 1:2 pairs encoder on npairs (even) pairs of a row against a
 * reference: value x[2j] when nonzero (magnitude bits) else x[2j+1], code
 * 0x4 / 0xE, two codes a byte; a pair with two nonzeros must be reported. */
static void check_pairs(const unsigned char *row, size_t npairs, const char *what)
{
    const nms__prune_kernels *k = nms__prune_kernels_neon();
    outs o = outs_alloc(4 * npairs + 16, npairs / 2 + 8);
    unsigned char *v1 = o.v1, *v2 = o.v2;
    uint8_t *m1 = o.m1, *m2 = o.m2;
    uint32_t over2 = 0;
    size_t done = k->pairs32(row, npairs, v2, m2, &over2);
    int bad = 0;
    for (size_t j = 0; j < done; j++) {
        uint32_t a, b;
        memcpy(&a, row + 8 * j, 4);
        memcpy(&b, row + 8 * j + 4, 4);
        int fa = (a & 0x7fffffffu) != 0, fb = (b & 0x7fffffffu) != 0;
        bad |= fa && fb;
        memcpy(v1 + 4 * j, fa ? &a : &b, 4);
        m1[j / 2] = (uint8_t)(m1[j / 2] | (fa ? 0x4u : 0xEu) << (4 * (j % 2)));
    }
    if (done > npairs || npairs - done >= 8 || done % 8 != 0 || (over2 != 0) != bad ||
        (!bad && (memcmp(v1, v2, 4 * done) != 0 || memcmp(m1, m2, done / 2) != 0))) {
        if (failures++ < 10)
            fprintf(stderr, "FAIL: neon pairs encoder %s, %zu pairs (%zu encoded, over2 %u, "
                            "reference %d)\n", what, npairs, done, (unsigned)over2, bad);
    }
    outs_free(&o);
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
        /* fused prune + nm: every pattern, sparse rows with signed zeros,
         * the adversarial combinations, a planted NaN */
        {
            size_t es = prune_test_elem_size(dt);
            for (size_t ng = 0; ng <= 66; ng++)
                for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
                    prune_test_fill(dt, pat, 700 + ng, buf + 1, 4 * ng);
                    check_fused(dt, buf + 1, ng, (size_t)-1, prune_test_pattern_name(pat));
                    for (size_t e = 0; e < 4 * ng; e++) {
                        if (e % 3 == ng % 3)
                            continue;
                        memset(buf + 1 + e * es, 0, es);
                        if (dt != PT_I8 && (e & 2))
                            buf[1 + e * es + es - 1] = 0x80;
                    }
                    check_fused(dt, buf + 1, ng, (size_t)-1, "sparse");
                    cases += 2;
                }
            size_t n = prune_test_fill_all_combinations(dt, buf, 4096);
            check_fused(dt, buf, n, (size_t)-1, "combinations");
            cases++;
            for (size_t pos = 0; dt != PT_I8 && pos < 4 * 37; pos += 5) {
                prune_test_fill(dt, PT_RANDOM, pos, buf, 4 * 37);
                prune_test_nan(dt, (int)(pos % 3), buf + pos * es);
                check_fused(dt, buf, 37, pos, "NaN");
                cases++;
            }
        }
        if (dt == PT_F32) { /* 1:2 pairs encoder */
            for (size_t np = 0; np <= 80; np += 2) {
                for (int pat = 0; pat < PT_PATTERN_COUNT; pat++) {
                    prune_test_fill(dt, pat, 900 + np, buf, 2 * np);
                    /* a 1:2-pruned row: np / 2 groups (np pairs) */
                    run_p(nms__prune_kernels_scalar(), 1, dt, buf, np / 2, out + 1, NULL);
                    check_pairs(out + 1, np, "1:2-pruned");
                    for (size_t e = 0; e < 2 * np; e++) { /* zero more, -0.0 too */
                        if (e % 5 == 0) {
                            memset(out + 1 + 4 * e, 0, 4);
                            if (e & 2)
                                out[1 + 4 * e + 3] = 0x80;
                        }
                    }
                    check_pairs(out + 1, np, "sparse");
                    if (np > 0)
                        check_pairs(buf, np, "unpruned");
                    cases += 3;
                }
            }
        }
        if (dt != PT_I8) { /* a NaN anywhere is reported */
            size_t es = prune_test_elem_size(dt);
            for (size_t pos = 0; pos < 4 * 37; pos += 7) {
                for (int which = 0; which < 3; which++) {
                    prune_test_fill(dt, PT_RANDOM, pos, buf, 4 * 37);
                    prune_test_nan(dt, which, buf + pos * es);
                    for (int pattern = 0; pattern < 2; pattern++)
                        if (run_p(nms__prune_kernels_neon(), pattern, dt, buf, 37, out, NULL) != 1 &&
                            failures++ < 10)
                            fprintf(stderr, "FAIL: neon %s %s: NaN at %zu not reported\n",
                                    pattern ? "1:2" : "2:4", prune_test_dtype_name(dt), pos);
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
