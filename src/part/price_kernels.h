/*
 * price_kernels.h - the row loops of the exact pricing (pricing_exact.c),
 * inline, in the instruction set the including file is compiled for
 * (AVX-512F, AVX2, or portable C; pricing_exact.c is compiled once per
 * set and pricing_dispatch.c picks one at run time).
 *
 * For a pair {i, j} with p1_r >= p2_r its two scores in row r, and then a
 * third channel k (scores x), the loops compute, over the Rp rows (a
 * positive multiple of 4, padding rows zero), in blocks of
 * PRICE_BLOCK rows:
 *
 *   hinge_blocks:  g_t = sum_{r in block t} max(0, x_r - p2_r), stored as
 *                  suffix sums g[t] = sum_{t' >= t} g_t' (g[nb] = 0); returns
 *                  g[0] = v({i,j,k}) - v({i,j}).
 *   triple_rows:   a_r = max(p1_r, x_r), b_r = max(p2_r, min(p1_r, x_r))
 *                  (the two largest of the three scores); stores b, the
 *                  suffix sums bs[t] of b per block, and returns sum a and
 *                  sum b.
 *   sum_max:       for a fourth channel (scores x), s = sum_r max(b_r, x_r),
 *                  so that v({i,j,k,l}) = sum a + s.  After every block t
 *                  but the last, the rows after it add at most
 *                  bs[t+1] + gl[t+1] (gl: hinge_blocks of l, since
 *                  max(b, x) <= b + max(0, x - p2)); when
 *                  s_t + bs[t+1] + gl[t+1] < lim it stops and returns 0,
 *                  otherwise it returns 1 with the full s.
 *
 * The variants sum in different orders (rounding differs in the last
 * bits); the caller keeps a margin in its thresholds and recomputes every
 * group it reports canonically, so its results do not depend on the
 * variant.
 */
#ifndef NMS_PART_PRICE_KERNELS_H
#define NMS_PART_PRICE_KERNELS_H

#include <stddef.h>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "part/part.h"

/* nms__price_exact (part.h) for each instruction set; pricing_exact.c
 * compiled with -mavx2 / -mavx512f (HAVE_AVX2 / HAVE_AVX512) or for any
 * CPU. */
int nms__price_exact_portable(const nms__pp *p, const nms__price_req *req, nms__price_res *res,
                              nms_error *err);
int nms__price_exact_avx2(const nms__pp *p, const nms__price_req *req, nms__price_res *res, nms_error *err);
int nms__price_exact_avx512(const nms__pp *p, const nms__price_req *req, nms__price_res *res,
                            nms_error *err);

#define PRICE_BLOCK 32

#if defined(__AVX512F__)

static inline double hinge_blocks(const double *x, const double *p2, size_t Rp, size_t nb, double *g)
{
    const __m512d zero = _mm512_setzero_pd();
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        __m512d acc = zero;
        for (; r + 8 <= end; r += 8)
            acc = _mm512_add_pd(acc, _mm512_max_pd(zero, _mm512_sub_pd(_mm512_loadu_pd(x + r), _mm512_loadu_pd(p2 + r))));
        if (r < end) {
            __mmask8 m = (__mmask8)((1u << (end - r)) - 1u);
            acc = _mm512_add_pd(acc, _mm512_max_pd(zero, _mm512_sub_pd(_mm512_maskz_loadu_pd(m, x + r),
                                                                       _mm512_maskz_loadu_pd(m, p2 + r))));
        }
        g[t] = _mm512_reduce_add_pd(acc);
    }
    g[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        g[t] += g[t + 1];
    return g[0];
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, size_t nb,
                               double *b, double *bs, double *A, double *Bsum)
{
    __m512d asum = _mm512_setzero_pd();
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        __m512d bacc = _mm512_setzero_pd();
        for (; r < end; r += 8) {
            __mmask8 m = end - r >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (end - r)) - 1u);
            __m512d v1 = _mm512_maskz_loadu_pd(m, p1 + r), v2 = _mm512_maskz_loadu_pd(m, p2 + r);
            __m512d vx = _mm512_maskz_loadu_pd(m, x + r);
            __m512d bb = _mm512_max_pd(v2, _mm512_min_pd(v1, vx));
            _mm512_mask_storeu_pd(b + r, m, bb);
            asum = _mm512_add_pd(asum, _mm512_max_pd(v1, vx));
            bacc = _mm512_add_pd(bacc, bb);
        }
        bs[t] = _mm512_reduce_add_pd(bacc);
    }
    bs[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        bs[t] += bs[t + 1];
    *A = _mm512_reduce_add_pd(asum);
    *Bsum = bs[0];
}

static inline int sum_max(const double *b, const double *x, size_t Rp, const double *bs, const double *gl,
                          double lim, double *s)
{
    __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
    size_t r0 = 0;
    for (; r0 + PRICE_BLOCK < Rp; r0 += PRICE_BLOCK) { /* blocks with rows after them */
        acc0 = _mm512_add_pd(acc0, _mm512_max_pd(_mm512_loadu_pd(b + r0), _mm512_loadu_pd(x + r0)));
        acc1 = _mm512_add_pd(acc1, _mm512_max_pd(_mm512_loadu_pd(b + r0 + 8), _mm512_loadu_pd(x + r0 + 8)));
        acc0 = _mm512_add_pd(acc0, _mm512_max_pd(_mm512_loadu_pd(b + r0 + 16), _mm512_loadu_pd(x + r0 + 16)));
        acc1 = _mm512_add_pd(acc1, _mm512_max_pd(_mm512_loadu_pd(b + r0 + 24), _mm512_loadu_pd(x + r0 + 24)));
        size_t t = r0 / PRICE_BLOCK;
        if (_mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1)) + bs[t + 1] + gl[t + 1] < lim)
            return 0;
    }
    size_t r = r0;
    for (; r + 8 <= Rp; r += 8) /* the last block */
        acc0 = _mm512_add_pd(acc0, _mm512_max_pd(_mm512_loadu_pd(b + r), _mm512_loadu_pd(x + r)));
    if (r < Rp) {
        __mmask8 m = (__mmask8)((1u << (Rp - r)) - 1u);
        acc1 = _mm512_add_pd(acc1, _mm512_max_pd(_mm512_maskz_loadu_pd(m, b + r), _mm512_maskz_loadu_pd(m, x + r)));
    }
    *s = _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1));
    return 1;
}

#elif defined(__AVX2__)

static inline double hsum4(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

static inline double hinge_blocks(const double *x, const double *p2, size_t Rp, size_t nb, double *g)
{
    const __m256d zero = _mm256_setzero_pd();
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        __m256d acc = zero;
        for (; r < end; r += 4)
            acc = _mm256_add_pd(acc, _mm256_max_pd(zero, _mm256_sub_pd(_mm256_loadu_pd(x + r), _mm256_loadu_pd(p2 + r))));
        g[t] = hsum4(acc);
    }
    g[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        g[t] += g[t + 1];
    return g[0];
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, size_t nb,
                               double *b, double *bs, double *A, double *Bsum)
{
    __m256d asum = _mm256_setzero_pd();
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        __m256d bacc = _mm256_setzero_pd();
        for (; r < end; r += 4) {
            __m256d v1 = _mm256_loadu_pd(p1 + r), v2 = _mm256_loadu_pd(p2 + r), vx = _mm256_loadu_pd(x + r);
            __m256d bb = _mm256_max_pd(v2, _mm256_min_pd(v1, vx));
            _mm256_storeu_pd(b + r, bb);
            asum = _mm256_add_pd(asum, _mm256_max_pd(v1, vx));
            bacc = _mm256_add_pd(bacc, bb);
        }
        bs[t] = hsum4(bacc);
    }
    bs[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        bs[t] += bs[t + 1];
    *A = hsum4(asum);
    *Bsum = bs[0];
}

static inline int sum_max(const double *b, const double *x, size_t Rp, const double *bs, const double *gl,
                          double lim, double *s)
{
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    size_t r0 = 0;
    for (; r0 + PRICE_BLOCK < Rp; r0 += PRICE_BLOCK) { /* blocks with rows after them */
        for (size_t r = r0; r < r0 + PRICE_BLOCK; r += 8) {
            acc0 = _mm256_add_pd(acc0, _mm256_max_pd(_mm256_loadu_pd(b + r), _mm256_loadu_pd(x + r)));
            acc1 = _mm256_add_pd(acc1, _mm256_max_pd(_mm256_loadu_pd(b + r + 4), _mm256_loadu_pd(x + r + 4)));
        }
        size_t t = r0 / PRICE_BLOCK;
        if (hsum4(_mm256_add_pd(acc0, acc1)) + bs[t + 1] + gl[t + 1] < lim)
            return 0;
    }
    for (size_t r = r0; r < Rp; r += 4) /* the last block */
        acc0 = _mm256_add_pd(acc0, _mm256_max_pd(_mm256_loadu_pd(b + r), _mm256_loadu_pd(x + r)));
    *s = hsum4(_mm256_add_pd(acc0, acc1));
    return 1;
}

#else /* portable C: four lanes, (l0 + l1) + (l2 + l3) */

static inline double hinge_blocks(const double *x, const double *p2, size_t Rp, size_t nb, double *g)
{
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        double l[4] = {0, 0, 0, 0};
        for (; r < end; r += 4)
            for (int q = 0; q < 4; q++) {
                double d = x[r + q] - p2[r + q];
                l[q] += d > 0 ? d : 0;
            }
        g[t] = (l[0] + l[1]) + (l[2] + l[3]);
    }
    g[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        g[t] += g[t + 1];
    return g[0];
}

static inline void triple_rows(const double *p1, const double *p2, const double *x, size_t Rp, size_t nb,
                               double *b, double *bs, double *A, double *Bsum)
{
    double asum = 0.0;
    for (size_t t = 0; t < nb; t++) {
        size_t r = t * PRICE_BLOCK, end = r + PRICE_BLOCK < Rp ? r + PRICE_BLOCK : Rp;
        double sb = 0.0;
        for (; r < end; r++) {
            double mid = p1[r] < x[r] ? p1[r] : x[r];
            b[r] = p2[r] > mid ? p2[r] : mid;
            asum += p1[r] > x[r] ? p1[r] : x[r];
            sb += b[r];
        }
        bs[t] = sb;
    }
    bs[nb] = 0.0;
    for (size_t t = nb; t-- > 0;)
        bs[t] += bs[t + 1];
    *A = asum;
    *Bsum = bs[0];
}

static inline int sum_max(const double *b, const double *x, size_t Rp, const double *bs, const double *gl,
                          double lim, double *s)
{
    double m[4] = {0, 0, 0, 0};
    for (size_t r0 = 0; r0 < Rp; r0 += PRICE_BLOCK) {
        size_t end = r0 + PRICE_BLOCK < Rp ? r0 + PRICE_BLOCK : Rp;
        for (size_t r = r0; r < end; r += 4)
            for (int q = 0; q < 4; q++)
                m[q] += b[r + q] > x[r + q] ? b[r + q] : x[r + q];
        size_t t = r0 / PRICE_BLOCK;
        if (end < Rp && (m[0] + m[1]) + (m[2] + m[3]) + bs[t + 1] + gl[t + 1] < lim)
            return 0;
    }
    *s = (m[0] + m[1]) + (m[2] + m[3]);
    return 1;
}

#endif

#endif /* NMS_PART_PRICE_KERNELS_H */
