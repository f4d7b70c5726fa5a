/*
 * price_kernels.h - the row loops of the exact pricing (pricing_exact.c),
 * inline, in the instruction set the including file is compiled for
 * (AVX-512F + BW, AVX2, or portable C; pricing_exact.c is compiled once per
 * set and pricing_dispatch.c picks one at run time).
 *
 * For a pair {i, j} with p1_r >= p2_r its two scores in row r, a third
 * channel k and a fourth l (scores x), over the Rp rows (a positive
 * multiple of 4, padding rows zero):
 *
 *   hinge_sum:  sum_r max(0, x_r - p2_r) = v({i,j,k}) - v({i,j}).
 *   triple_rows: b_r = max(p2_r, min(p1_r, x_r)), the second largest of
 *               the three scores; stores b and returns sum_r max(p1_r, x_r)
 *               (the largest) and sum_r b_r.
 *   max_sum:    sum_r max(b_r, x_r), so that v({i,j,k,l}) = sum a + max_sum.
 *   top2_add:   sum_r top2(a_r, b_r, x_r) = max(a_r, x_r) + max(b_r,
 *               min(a_r, x_r)) for a_r >= b_r the top two of a set (the
 *               heuristic pricing, pricing_heur.c), summed in four lanes
 *               (lane r % 4, then (l0 + l1) + (l2 + l3)) in every variant,
 *               so the heuristic's choices are the same on every CPU.
 *   hinge_q:    U = sum_r max(0, xq_r - bq_r) over 16-bit integers below
 *               2^15 (n a multiple of 32, padding zero).  With
 *               xq = ceil(sc x) and bq = floor(sc b) for a power of two sc
 *               (exact scaling), max(0, x - b) <= max(0, xq - bq) / sc row
 *               by row, so sum_r max(b_r, x_r) <= sum_r b_r + U / sc: a
 *               bound on the whole group from a quarter of the bytes,
 *               without rounding, that cuts most fourth channels before
 *               max_sum.  Integer sums in 32-bit lanes, flushed to 64 bits
 *               every HINGE_Q_CHUNK rows (lane sums stay below 2^31).
 *   hinge_b:    the same over 8-bit integers (n a multiple of 64, padding
 *               zero), half the bytes of hinge_q, for a cheaper first
 *               test: with a cap T = 255 / sc8 (sc8 a power of two),
 *               max(0, x - b) <= max(0, min(x, T) - min(b, T)) + max(0, x - T),
 *               so with xb = min(255, ceil(sc8 x)), bb = min(255, floor(sc8 b))
 *               and the channel's excess E = sum_r ceil(max(0, sc8 x_r - 255)),
 *               sum_r max(0, x_r - b_r) <= (hinge_b + E) / sc8.  Sums of
 *               absolute differences, in 64-bit lanes.
 *   quantize_b: the triple's b for those tests, bq_r = floor(sc b_r) and
 *               (bb non-NULL) bb_r = min(255, floor(sc8 b_r)), b_r >= 0;
 *               the same integers in every variant (truncation).
 *
 * The variants sum doubles in different orders (rounding differs in the
 * last bits); the caller keeps a margin in its thresholds and recomputes
 * every group it reports canonically, so its results do not depend on the
 * variant.
 */
#ifndef NMS_PART_PRICE_KERNELS_H
#define NMS_PART_PRICE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "part/part.h"

/* nms__price_exact and nms__price_heuristic (part.h) for each instruction
 * set: pricing_exact.c and pricing_heur.c compiled with -mavx2 /
 * -mavx512f -mavx512bw (HAVE_AVX2 / HAVE_AVX512) or for any CPU. */
typedef int nms__price_exact_fn(const nms__pp *p, const nms__price_req *req, nms__price_res *res,
                                nms_error *err);
typedef int nms__price_heuristic_fn(const nms__pp *p, const double *pi, double thr, size_t k, int threads,
                                    nms__col **cols, size_t *n, const nms__ctl *ctl, nms_error *err);
nms__price_exact_fn nms__price_exact_portable, nms__price_exact_avx2, nms__price_exact_avx512;
nms__price_heuristic_fn nms__price_heuristic_portable, nms__price_heuristic_avx2, nms__price_heuristic_avx512;

typedef struct nms__pricing_variant {
    nms__price_exact_fn *exact;
    nms__price_heuristic_fn *heuristic;
} nms__pricing_variant;
/* The variants built that this CPU runs, portable first, the widest last
 * (the one nms__price_exact and nms__price_heuristic call); returns how
 * many (1 to 3). */
size_t nms__pricing_variants(nms__pricing_variant v[3]);

#if defined(__AVX2__) /* also in the AVX-512 build: four lanes are one ymm */
static inline double top2_add(const double *a, const double *b, const double *x, size_t Rp)
{
    __m256d acc = _mm256_setzero_pd();
    for (size_t r = 0; r < Rp; r += 4) {
        __m256d va = _mm256_loadu_pd(a + r), vx = _mm256_loadu_pd(x + r);
        __m256d lo = _mm256_min_pd(vx, va); /* a > x ? x : a */
        acc = _mm256_add_pd(acc, _mm256_add_pd(_mm256_max_pd(vx, va), _mm256_max_pd(lo, _mm256_loadu_pd(b + r))));
    }
    __m128d l01 = _mm256_castpd256_pd128(acc), l23 = _mm256_extractf128_pd(acc, 1);
    return _mm_cvtsd_f64(_mm_add_sd(_mm_hadd_pd(l01, l01), _mm_hadd_pd(l23, l23)));
}
#else
static inline double top2_add(const double *a, const double *b, const double *x, size_t Rp)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t r = 0; r < Rp; r += 4)
        for (int l = 0; l < 4; l++) {
            double hi = a[r + l] > x[r + l] ? a[r + l] : x[r + l];
            double lo = a[r + l] > x[r + l] ? x[r + l] : a[r + l];
            s[l] += hi + (b[r + l] > lo ? b[r + l] : lo);
        }
    return (s[0] + s[1]) + (s[2] + s[3]);
}
#endif

#define HINGE_Q_CHUNK 32768

/* quantize_b over rows [r, Rp), one at a time (the vector variants' tails) */
static inline void quantize_b_rows(const double *b, size_t r, size_t Rp, double sc, uint16_t *bq, double sc8,
                                   uint8_t *bb)
{
    for (; r < Rp; r++) {
        bq[r] = (uint16_t)(int32_t)(b[r] * sc);
        if (bb)
            bb[r] = (uint8_t)(int32_t)(b[r] * sc8 < 255.0 ? b[r] * sc8 : 255.0);
    }
}

#if defined(__AVX512F__) && defined(__AVX512BW__)

static inline __mmask8 rows_mask(size_t left)
{
    return left >= 8 ? (__mmask8)0xff : (__mmask8)((1u << left) - 1u);
}

static inline double hinge_sum(const double *x, const double *p2, size_t Rp)
{
    const __m512d zero = _mm512_setzero_pd();
    __m512d acc = zero;
    for (size_t r = 0; r < Rp; r += 8) {
        __mmask8 m = rows_mask(Rp - r);
        acc = _mm512_add_pd(acc, _mm512_max_pd(zero, _mm512_sub_pd(_mm512_maskz_loadu_pd(m, x + r),
                                                                   _mm512_maskz_loadu_pd(m, p2 + r))));
    }
    return _mm512_reduce_add_pd(acc);
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, double *b,
                               double *A, double *Bsum)
{
    __m512d asum = _mm512_setzero_pd(), bsum = _mm512_setzero_pd();
    for (size_t r = 0; r < Rp; r += 8) {
        __mmask8 m = rows_mask(Rp - r);
        __m512d v1 = _mm512_maskz_loadu_pd(m, p1 + r), v2 = _mm512_maskz_loadu_pd(m, p2 + r);
        __m512d vx = _mm512_maskz_loadu_pd(m, x + r);
        __m512d bb = _mm512_max_pd(v2, _mm512_min_pd(v1, vx));
        _mm512_mask_storeu_pd(b + r, m, bb);
        asum = _mm512_add_pd(asum, _mm512_max_pd(v1, vx));
        bsum = _mm512_add_pd(bsum, bb);
    }
    *A = _mm512_reduce_add_pd(asum);
    *Bsum = _mm512_reduce_add_pd(bsum);
}

static inline double max_sum(const double *b, const double *x, size_t Rp)
{
    __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
    size_t r = 0;
    for (; r + 16 <= Rp; r += 16) {
        acc0 = _mm512_add_pd(acc0, _mm512_max_pd(_mm512_loadu_pd(b + r), _mm512_loadu_pd(x + r)));
        acc1 = _mm512_add_pd(acc1, _mm512_max_pd(_mm512_loadu_pd(b + r + 8), _mm512_loadu_pd(x + r + 8)));
    }
    for (; r < Rp; r += 8) {
        __mmask8 m = rows_mask(Rp - r);
        acc0 = _mm512_add_pd(acc0, _mm512_max_pd(_mm512_maskz_loadu_pd(m, b + r), _mm512_maskz_loadu_pd(m, x + r)));
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1));
}

static inline uint64_t hinge_q(const uint16_t *x, const uint16_t *b, size_t n)
{
    const __m512i ones = _mm512_set1_epi16(1);
    uint64_t total = 0;
    for (size_t r0 = 0; r0 < n; r0 += HINGE_Q_CHUNK) {
        size_t end = r0 + HINGE_Q_CHUNK < n ? r0 + HINGE_Q_CHUNK : n;
        __m512i acc = _mm512_setzero_si512();
        for (size_t r = r0; r < end; r += 32)
            acc = _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_subs_epu16(_mm512_loadu_si512(x + r),
                                                                            _mm512_loadu_si512(b + r)), ones));
        total += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(acc);
    }
    return total;
}

static inline void quantize_b(const double *b, size_t Rp, double sc, uint16_t *bq, double sc8, uint8_t *bb)
{
    const __m512d vs = _mm512_set1_pd(sc), vs8 = _mm512_set1_pd(sc8), cap = _mm512_set1_pd(255.0);
    size_t r = 0;
    for (; r + 16 <= Rp; r += 16) {
        __m512d b0 = _mm512_loadu_pd(b + r), b1 = _mm512_loadu_pd(b + r + 8);
        __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvttpd_epi32(_mm512_mul_pd(b0, vs))),
                                       _mm512_cvttpd_epi32(_mm512_mul_pd(b1, vs)), 1);
        _mm256_storeu_si256((__m256i *)(bq + r), _mm512_cvtepi32_epi16(q));
        if (bb) {
            __m256i q0 = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_mul_pd(b0, vs8), cap));
            __m256i q1 = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_mul_pd(b1, vs8), cap));
            _mm_storeu_si128((__m128i *)(bb + r),
                             _mm512_cvtepi32_epi8(_mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1)));
        }
    }
    quantize_b_rows(b, r, Rp, sc, bq, sc8, bb);
}

static inline uint64_t hinge_b(const uint8_t *x, const uint8_t *b, size_t n)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc = zero;
    for (size_t r = 0; r < n; r += 64)
        acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_subs_epu8(_mm512_loadu_si512(x + r),
                                                                     _mm512_loadu_si512(b + r)), zero));
    return (uint64_t)_mm512_reduce_add_epi64(acc);
}

#elif defined(__AVX2__)

static inline double hsum4(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

static inline double hinge_sum(const double *x, const double *p2, size_t Rp)
{
    const __m256d zero = _mm256_setzero_pd();
    __m256d acc = zero;
    for (size_t r = 0; r < Rp; r += 4)
        acc = _mm256_add_pd(acc, _mm256_max_pd(zero, _mm256_sub_pd(_mm256_loadu_pd(x + r), _mm256_loadu_pd(p2 + r))));
    return hsum4(acc);
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, double *b,
                               double *A, double *Bsum)
{
    __m256d asum = _mm256_setzero_pd(), bsum = _mm256_setzero_pd();
    for (size_t r = 0; r < Rp; r += 4) {
        __m256d v1 = _mm256_loadu_pd(p1 + r), v2 = _mm256_loadu_pd(p2 + r), vx = _mm256_loadu_pd(x + r);
        __m256d bb = _mm256_max_pd(v2, _mm256_min_pd(v1, vx));
        _mm256_storeu_pd(b + r, bb);
        asum = _mm256_add_pd(asum, _mm256_max_pd(v1, vx));
        bsum = _mm256_add_pd(bsum, bb);
    }
    *A = hsum4(asum);
    *Bsum = hsum4(bsum);
}

static inline double max_sum(const double *b, const double *x, size_t Rp)
{
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    size_t r = 0;
    for (; r + 8 <= Rp; r += 8) {
        acc0 = _mm256_add_pd(acc0, _mm256_max_pd(_mm256_loadu_pd(b + r), _mm256_loadu_pd(x + r)));
        acc1 = _mm256_add_pd(acc1, _mm256_max_pd(_mm256_loadu_pd(b + r + 4), _mm256_loadu_pd(x + r + 4)));
    }
    if (r < Rp)
        acc0 = _mm256_add_pd(acc0, _mm256_max_pd(_mm256_loadu_pd(b + r), _mm256_loadu_pd(x + r)));
    return hsum4(_mm256_add_pd(acc0, acc1));
}

static inline uint64_t hinge_q(const uint16_t *x, const uint16_t *b, size_t n)
{
    const __m256i ones = _mm256_set1_epi16(1);
    uint64_t total = 0;
    for (size_t r0 = 0; r0 < n; r0 += HINGE_Q_CHUNK) {
        size_t end = r0 + HINGE_Q_CHUNK < n ? r0 + HINGE_Q_CHUNK : n;
        __m256i acc = _mm256_setzero_si256();
        for (size_t r = r0; r < end; r += 16) {
            __m256i d = _mm256_subs_epu16(_mm256_loadu_si256((const __m256i *)(x + r)),
                                          _mm256_loadu_si256((const __m256i *)(b + r)));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, ones));
        }
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        total += (uint64_t)(uint32_t)_mm_cvtsi128_si32(s4);
    }
    return total;
}

static inline void quantize_b(const double *b, size_t Rp, double sc, uint16_t *bq, double sc8, uint8_t *bb)
{
    const __m256d vs = _mm256_set1_pd(sc), vs8 = _mm256_set1_pd(sc8), cap = _mm256_set1_pd(255.0);
    size_t r = 0;
    for (; r + 16 <= Rp; r += 16) {
        __m128i q[4], q8[4];
        for (int k = 0; k < 4; k++) {
            __m256d v = _mm256_loadu_pd(b + r + 4 * (size_t)k);
            q[k] = _mm256_cvttpd_epi32(_mm256_mul_pd(v, vs));
            q8[k] = _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_mul_pd(v, vs8), cap));
        }
        /* unsigned saturation: the values are below 2^15 and 256 */
        _mm_storeu_si128((__m128i *)(bq + r), _mm_packus_epi32(q[0], q[1]));
        _mm_storeu_si128((__m128i *)(bq + r + 8), _mm_packus_epi32(q[2], q[3]));
        if (bb)
            _mm_storeu_si128((__m128i *)(bb + r), _mm_packus_epi16(_mm_packus_epi32(q8[0], q8[1]),
                                                                   _mm_packus_epi32(q8[2], q8[3])));
    }
    quantize_b_rows(b, r, Rp, sc, bq, sc8, bb);
}

static inline uint64_t hinge_b(const uint8_t *x, const uint8_t *b, size_t n)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero;
    for (size_t r = 0; r < n; r += 32)
        acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_subs_epu8(_mm256_loadu_si256((const __m256i *)(x + r)),
                                                                     _mm256_loadu_si256((const __m256i *)(b + r))),
                                                    zero));
    __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    return (uint64_t)_mm_cvtsi128_si64(_mm_add_epi64(s2, _mm_unpackhi_epi64(s2, s2)));
}

#else /* portable C: four lanes, (l0 + l1) + (l2 + l3) */

static inline double hinge_sum(const double *x, const double *p2, size_t Rp)
{
    double l[4] = {0, 0, 0, 0};
    for (size_t r = 0; r < Rp; r += 4)
        for (int q = 0; q < 4; q++) {
            double d = x[r + q] - p2[r + q];
            l[q] += d > 0 ? d : 0;
        }
    return (l[0] + l[1]) + (l[2] + l[3]);
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, double *b,
                               double *A, double *Bsum)
{
    double asum = 0.0, bsum = 0.0;
    for (size_t r = 0; r < Rp; r++) {
        double mid = p1[r] < x[r] ? p1[r] : x[r];
        b[r] = p2[r] > mid ? p2[r] : mid;
        asum += p1[r] > x[r] ? p1[r] : x[r];
        bsum += b[r];
    }
    *A = asum;
    *Bsum = bsum;
}

static inline double max_sum(const double *b, const double *x, size_t Rp)
{
    double m[4] = {0, 0, 0, 0};
    for (size_t r = 0; r < Rp; r += 4)
        for (int q = 0; q < 4; q++)
            m[q] += b[r + q] > x[r + q] ? b[r + q] : x[r + q];
    return (m[0] + m[1]) + (m[2] + m[3]);
}

static inline uint64_t hinge_q(const uint16_t *x, const uint16_t *b, size_t n)
{
    uint64_t s = 0;
    for (size_t r = 0; r < n; r++)
        s += x[r] > b[r] ? (uint64_t)(x[r] - b[r]) : 0u;
    return s;
}

static inline void quantize_b(const double *b, size_t Rp, double sc, uint16_t *bq, double sc8, uint8_t *bb)
{
    quantize_b_rows(b, 0, Rp, sc, bq, sc8, bb);
}

static inline uint64_t hinge_b(const uint8_t *x, const uint8_t *b, size_t n)
{
    uint64_t s = 0;
    for (size_t r = 0; r < n; r++)
        s += x[r] > b[r] ? (uint64_t)(x[r] - b[r]) : 0u;
    return s;
}

#endif

#endif /* NMS_PART_PRICE_KERNELS_H */
