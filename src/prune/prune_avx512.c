/*
 * prune_avx512.c - 2:4 kernels with AVX-512 F + BW intrinsics; the rule and
 * the outputs are those of prune_kernels.h, byte for byte.  The rank rule
 * of prune_sse41.c (lane i dropped iff at least two of the three other lanes
 * of its group beat it, the partner at distance 3 beating it iff it does not
 * beat that partner) evaluated on signs of key differences, one vpternlog
 * and one conversion to a keep mask per vector (keep_f32 / keep_h16 /
 * keep_i8 below).  16-bit lanes rotate with 64-bit rotates and a dword
 * shuffle, 8-bit lanes with 32-bit rotates, 32-bit lanes with dword
 * shuffles.  Compiled with -mavx512f -mavx512bw -mavx512vl.  Two tables:
 * nms__prune_kernels_avx512 (AVX-512 F + BW + VL) and
 * nms__prune_kernels_avx512_vbmi2, which adds fused prune + nm kernels and
 * nm encoders built on compress instructions (VBMI2; see below) for CPUs
 * that have them, and packs CUTLASS int16 words of 16-bit elements through
 * a step-major block (prune_nm.c; flush16_steps below) instead of the
 * gather reorder of the plain table (flush16).
 */
#include "config.h"

#include <immintrin.h>
#include <string.h>

#include "prune/prune_kernels.h"
#include "prune/prune_nm_tables.h"

#define LOADU(p) _mm512_loadu_si512((const void *)(p))
#define STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))

/* Keep masks by signs of differences instead of compares.  With keys k
 * (lanes of a group i = 0..3), d_s = k_i - C_s - k_(i+s) (s = 1, 2; C_s = 1
 * where i+s wraps to a lower index, which wins ties) is negative iff lane
 * i+s beats lane i; lane i-1 beats i iff d_1 of lane i-1 is not negative.
 * Kept iff at most one of the three beats it: the minority of sign(d_1),
 * sign(d_2), ~sign(rot_3(d_1)), one vpternlog (truth table 0x2b over
 * (d_1, d_2, rot_3(d_1)), bit index 4a + 2b + c), whose sign bits a
 * vpmov*2m (or a compare with zero) turns into the keep mask.  16- and
 * 32-bit keys (< 2^15 / 2^31) cannot overflow; int8 keys |x| - 1 (-1..127)
 * use saturating differences, which keep the sign.  (The earlier form,
 * compares into masks expanded back to vectors for the vpternlog, took four
 * mask conversions per vector instead of one; the dense prune is 8-13 %
 * faster this way on Zen 4.) */
static inline __mmask32 keep_h16(__m512i k)
{
    const __m512i c1 = _mm512_set1_epi64(0x0001000000000000LL);
    const __m512i c2 = _mm512_set1_epi64(0x0001000100000000LL);
    __m512i d1 = _mm512_sub_epi16(_mm512_sub_epi16(k, c1), _mm512_ror_epi64(k, 16));
    __m512i d2 = _mm512_sub_epi16(_mm512_sub_epi16(k, c2), _mm512_shuffle_epi32(k, _MM_PERM_CDAB));
    __m512i r = _mm512_ror_epi64(d1, 48);
    return _mm512_movepi16_mask(_mm512_ternarylogic_epi32(d1, d2, r, 0x2b));
}

static inline __mmask16 keep_f32(__m512i k)
{
    const __m512i c1 = _mm512_set4_epi32(1, 0, 0, 0); /* set4 lists lane 3 first */
    const __m512i c2 = _mm512_set4_epi32(1, 1, 0, 0);
    __m512i d1 = _mm512_sub_epi32(_mm512_sub_epi32(k, c1), _mm512_shuffle_epi32(k, _MM_PERM_ADCB));
    __m512i d2 = _mm512_sub_epi32(_mm512_sub_epi32(k, c2), _mm512_shuffle_epi32(k, _MM_PERM_BADC));
    __m512i r = _mm512_shuffle_epi32(d1, _MM_PERM_CBAD);
    return _mm512_cmplt_epi32_mask(_mm512_ternarylogic_epi32(d1, d2, r, 0x2b), _mm512_setzero_si512());
}

/* x: 64 int8 elements; a = |x| in 0..128 (unsigned), keys a - 1 */
static inline __mmask64 keep_i8(__m512i a)
{
    const __m512i one = _mm512_set1_epi8(1);
    const __m512i c1 = _mm512_set1_epi32(0x02010101); /* 1 + C_1 per lane */
    const __m512i c2 = _mm512_set1_epi32(0x02020101); /* 1 + C_2 */
    __m512i k = _mm512_sub_epi8(a, one);
    __m512i d1 = _mm512_subs_epi8(_mm512_sub_epi8(a, c1), _mm512_ror_epi32(k, 8));
    __m512i d2 = _mm512_subs_epi8(_mm512_sub_epi8(a, c2), _mm512_ror_epi32(k, 16));
    __m512i r = _mm512_ror_epi32(d1, 24);
    return _mm512_movepi8_mask(_mm512_ternarylogic_epi32(d1, d2, r, 0x2b));
}

/* ---- fp32: four groups per vector ------------------------------------ */


static int prune_f32(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    __m512i kmax = _mm512_setzero_si512(); /* NaN iff some key > 0x7f800000 */
    size_t g = 0;
    for (; g + 8 <= ngroups; g += 8) {
        __m512i x0 = LOADU(src + 16 * g), x1 = LOADU(src + 16 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        kmax = _mm512_max_epi32(kmax, _mm512_max_epi32(k0, k1));
        __mmask16 keep0 = keep_f32(k0), keep1 = keep_f32(k1);
        if (dst) {
            STOREU(dst + 16 * g, _mm512_maskz_mov_epi32(keep0, x0));
            STOREU(dst + 16 * g + 64, _mm512_maskz_mov_epi32(keep1, x1));
        }
        if (bits) {
            uint32_t m = (uint32_t)_cvtmask16_u32(keep0) | (uint32_t)_cvtmask16_u32(keep1) << 16;
            memcpy(bits + g / 2, &m, 4);
        }
    }
    int found = _mm512_cmpgt_epi32_mask(kmax, _mm512_set1_epi32((int)NMS__F32_NAN_ABOVE)) != 0;
    if (g < ngroups)
        found |= nms__prune_f32_scalar(src + 16 * g, ngroups - g, dst ? dst + 16 * g : NULL,
                                       bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- fp16 / bf16: eight groups per vector --------------------------- */


static int prune_h16(const void *in, size_t ngroups, uint16_t nan_above,
                     void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    __m512i kmax = _mm512_setzero_si512();
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64);
        __m512i k0 = _mm512_and_si512(x0, absmask), k1 = _mm512_and_si512(x1, absmask);
        kmax = _mm512_max_epi16(kmax, _mm512_max_epi16(k0, k1));
        __mmask32 keep0 = keep_h16(k0), keep1 = keep_h16(k1);
        if (dst) {
            STOREU(dst + 8 * g, _mm512_maskz_mov_epi16(keep0, x0));
            STOREU(dst + 8 * g + 64, _mm512_maskz_mov_epi16(keep1, x1));
        }
        if (bits) {
            uint64_t m = (uint64_t)_cvtmask32_u32(keep0) | (uint64_t)_cvtmask32_u32(keep1) << 32;
            memcpy(bits + g / 2, &m, 8);
        }
    }
    int found = _mm512_cmpgt_epi16_mask(kmax, _mm512_set1_epi16((short)nan_above)) != 0;
    if (g < ngroups)
        found |= nms__prune_h16_scalar(src + 8 * g, ngroups - g, nan_above,
                                       dst ? dst + 8 * g : NULL, bits ? bits + g / 2 : NULL);
    return found;
}

/* ---- int8: sixteen groups per vector --------------------------------- */


static int prune_i8(const void *in, size_t ngroups, void *out, uint8_t *bits)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t g = 0;
    for (; g + 16 <= ngroups; g += 16) {
        __m512i x = LOADU(src + 4 * g);
        __mmask64 keep = keep_i8(_mm512_abs_epi8(x));
        if (dst)
            STOREU(dst + 4 * g, _mm512_maskz_mov_epi8(keep, x));
        if (bits) {
            uint64_t m = _cvtmask64_u64(keep);
            memcpy(bits + g / 2, &m, 8);
        }
    }
    if (g < ngroups)
        nms__prune_i8_scalar(src + 4 * g, ngroups - g, dst ? dst + 4 * g : NULL,
                             bits ? bits + g / 2 : NULL);
    return 0;
}

/* ---- nm encoder of 16-bit elements (nms_pack's fast path) ----------------
 * Eight groups (one 512-bit vector) per step, with no table lookups in
 * general registers: the 32 nonzero flags (a mask register) are broadcast
 * and shifted so that 32-bit lane k holds group k's flags f_k; vpermt2w
 * looks up i0(f_k) / i1(f_k) for output lanes 2k / 2k+1 (the index of the
 * odd lane is f_k + 16: the second table), adding 4k gives the element
 * each output lane takes, and one vpermw gathers the 16 kept values.  The
 * codes come from the same f_k (vpermw of the code table), and each meta
 * byte code(2b) | code(2b+1) << 4 is assembled in its 64-bit lane.  (With
 * the 2:4 prune in the same loop this was slower on AMD Zen 4 than the AVX2
 * fused kernel, which the AVX-512 variant therefore uses for pruning.) */

#define T16(M) M(0), M(1), M(2), M(3), M(4), M(5), M(6), M(7), M(8), M(9), M(10), M(11), \
               M(12), M(13), M(14), M(15)
#define NM_OVER2(f) ((f) == 7 || (f) == 11 || (f) == 13 || (f) == 14 || (f) == 15)

static size_t nm16(const void *row, size_t groups, void *vals, uint8_t *meta, uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    const __m256i t_i0 = _mm256_setr_epi16(T16(NM_I0)), t_i1 = _mm256_setr_epi16(T16(NM_I1));
    const __m256i t_code = _mm256_setr_epi16(T16(NM_CODE)), t_over2 = _mm256_setr_epi16(T16(NM_OVER2));
    const __m256i shifts = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const __m256i base = _mm256_setr_epi16(0, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28);
    const __m256i nib = _mm256_set1_epi32(15), second = _mm256_set1_epi32(0x00100000);
    const __m256i lo4 = _mm256_set1_epi64x(0x0f), hi4 = _mm256_set1_epi64x(0xf0);
    __m256i acc = _mm256_setzero_si256();
    size_t g = 0;
    for (; g + 8 <= groups; g += 8) {
        __m512i x = LOADU(src + 8 * g);
        uint32_t m = (uint32_t)_mm512_test_epi16_mask(x, absmask); /* 8 flag nibbles */
        __m256i f = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32((int)m), shifts), nib);
        __m256i idx = _mm256_or_si256(_mm256_or_si256(f, _mm256_slli_epi32(f, 16)), second);
        __m256i pos = _mm256_add_epi16(_mm256_permutex2var_epi16(t_i0, idx, t_i1), base);
        __m512i v = _mm512_permutexvar_epi16(_mm512_castsi256_si512(pos), x);
        _mm256_storeu_si256((__m256i *)(void *)(dst + 4 * g), _mm512_castsi512_si256(v));
        acc = _mm256_or_si256(acc, _mm256_permutexvar_epi16(f, t_over2));
        /* 64-bit lane b: code(2b) in bits 0..3, code(2b+1) in bits 32..35 */
        __m256i c = _mm256_permutexvar_epi16(f, t_code);
        __m256i mb = _mm256_or_si256(_mm256_and_si256(c, lo4),
                                     _mm256_and_si256(_mm256_srli_epi64(c, 28), hi4));
        uint32_t mw = (uint32_t)_mm_cvtsi128_si32(_mm256_cvtepi64_epi8(mb));
        memcpy(meta + g / 2, &mw, 4);
    }
    *over2 |= (uint32_t)!_mm256_testz_si256(acc, acc);
    return g;
}

/* ---- fused 2:4 prune + nm encode with compresses (VBMI2 table) -------------
 * For CPUs with AVX-512 VBMI2 (vpcompressw / vpcompressb), BMI1/2 and
 * POPCNT; the functions carry their own target attribute, so the rest of
 * this file still runs on AVX-512 CPUs without VBMI2 (dispatch picks the
 * table by CPUID).  Per 16 groups: the keep mask K of the 2:4 rule (mask
 * register), the nonzero flags of the kept elements nz = K & (x != 0) moved
 * to a general register, then
 *   - nz has 32 bits set (every group keeps two nonzeros, the usual case for
 *     dense weights): then nz = K, the values are x compressed by K (still
 *     in mask registers), the codes nm_codes16(nz);
 *   - otherwise nm_select16 gives the codes and the selection S of the two
 *     elements each group's values are read from; S may hold elements
 *     outside K only in a group with fewer than two nonzero kept elements,
 *     where every dropped element is +-0 (two kept ones beat it), so the
 *     pruned vector (dropped lanes +0, as the portable encoder reads) is
 *     compressed by S.
 * Measured on AMD Zen 4, 1 MB, one thread (prune_bench, dense random data,
 * medians of 5 runs): fused nm fp32 2.50x memcpy (AVX2 kernel) -> 1.89x,
 * fp16 3.46x -> 1.97x, int8 6.11x -> 2.31x; with half of the elements zero
 * most blocks take the general branch: 2.51x, 2.86x, 3.86x. */
#if (defined(__clang__) && __clang_major__ >= 6) || \
    (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 8)
#define NMS_VBMI2_KERNELS 1
#define VBMI2_FN __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi2,bmi,bmi2,popcnt")))

/* The empty asm keeps the flag word in a general register: GCC otherwise
 * moves parts of nm_select16 into mask registers (k <-> GPR moves measured
 * 15 % slower on Zen 4). */
#define IN_GPR(v) __asm__("" : "+r"(v))
#define ALL_GROUPS_TWO(nz) (__builtin_popcountll(nz) == 32)
#define STORE256(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), _mm512_castsi512_si256(v))

/* The 8 meta bytes of step s (16 groups) go to meta + s * step: 8 for the
 * nm layout, 64 for a CUTLASS step-major block (prune_nm.c). */
#define INLINE_VBMI2_FN VBMI2_FN __attribute__((always_inline)) static inline

/* keep_h16 on keys with the ties built in: v = (2 * key + t) ^ 0x8000
 * with t = 1 at positions 0 and 1 of a group, 0 at 2 and 3 (x + x is 2 *
 * key, the sign shifted out; its bit 0 is 0, so one xor adds t and
 * flips bit 15), read as signed.  Position j beats i iff v_j > v_i: ties of
 * keys go to the higher t, and between equal t (positions 0, 1 or 2, 3) to
 * the lower index through the equal difference (0 is "not beaten", and the
 * lower of the two is the one comparing against its successor).  The
 * differences need 17 bits, so they are saturating (vpsubsw keeps the
 * sign and is 0 only for equal v), and need no tie constants: one
 * subtraction fewer per difference than keep_h16.  v is returned for the
 * NaN (v > 2 * nan_above + 1 - 0x8000) and zero (v < -0x7ffe) tests. */
INLINE_VBMI2_FN __mmask32 keep_h16_v(__m512i x, __m512i *v)
{
    const __m512i tie = _mm512_set1_epi64((long long)0x8000800080018001ULL);
    __m512i w = _mm512_xor_si512(_mm512_add_epi16(x, x), tie);
    __m512i d1 = _mm512_subs_epi16(w, _mm512_ror_epi64(w, 16));
    __m512i d2 = _mm512_subs_epi16(w, _mm512_shuffle_epi32(w, _MM_PERM_CDAB));
    __m512i r = _mm512_ror_epi64(d1, 48);
    *v = w;
    return _mm512_movepi16_mask(_mm512_ternarylogic_epi32(d1, d2, r, 0x2b));
}

/* Groups g .. g1-1 (a multiple of 16 of them) the general way: per 16
 * groups the nonzero flags of the kept elements decide the branch (see
 * above).  Returns the updated maximum of keep_h16_v's v (for the NaN
 * test); *mixed is set when a step had a group with fewer than two nonzero
 * kept elements. */
INLINE_VBMI2_FN __m512i pnm16_general(const unsigned char *src, size_t g, size_t g1,
                                      unsigned char *dst, uint8_t *meta, size_t step,
                                      __m512i vmax, int *mixed)
{
    int two = 1;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    for (; g < g1; g += 16) {
        __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64), v0, v1;
        __mmask32 keep0 = keep_h16_v(x0, &v0), keep1 = keep_h16_v(x1, &v1);
        vmax = _mm512_max_epi16(vmax, _mm512_max_epi16(v0, v1));
        __mmask32 nz0 = _mm512_mask_test_epi16_mask(keep0, x0, absmask);
        __mmask32 nz1 = _mm512_mask_test_epi16_mask(keep1, x1, absmask);
        uint64_t nz = (uint64_t)_cvtmask32_u32(nz0) | (uint64_t)_cvtmask32_u32(nz1) << 32;
        IN_GPR(nz);
        uint64_t codes, sel;
        if (ALL_GROUPS_TWO(nz)) {
            /* nz == K here (32 kept, all nonzero): compress by the keep
             * masks themselves, not by nz moved back from a general
             * register (10 % faster on Zen 4); each branch stores (faster
             * than storing after the join) */
            codes = nm_codes16(nz);
            STORE256(dst + 4 * g, _mm512_maskz_compress_epi16(keep0, x0));
            STORE256(dst + 4 * g + 32, _mm512_maskz_compress_epi16(keep1, x1));
        } else {
            two = 0;
            sel = nm_select16(nz, &codes);
            x0 = _mm512_maskz_mov_epi16(keep0, x0);
            x1 = _mm512_maskz_mov_epi16(keep1, x1);
            STORE256(dst + 4 * g, _mm512_maskz_compress_epi16(_cvtu32_mask32((uint32_t)sel), x0));
            STORE256(dst + 4 * g + 32,
                     _mm512_maskz_compress_epi16(_cvtu32_mask32((uint32_t)(sel >> 32)), x1));
        }
        memcpy(meta + g / 16 * step, &codes, 8);
    }
    *mixed |= !two;
    return vmax;
}

/* The first step is done the general way; when one of its groups keeps
 * fewer than two nonzeros (rows with many zeros) the rest of the row is
 * too.  Otherwise the groups are done in spans (PNM16_SPAN groups,
 * doubling up to PNM16_SPAN_MAX), first on the assumption that no element
 * of the span is +-0: then every group keeps two nonzeros, nz = K, and a
 * step needs no nonzero test (two vptestmw and their moves to a general
 * register, about 0.1x memcpy time at 1 MB on Zen 4), only the span's
 * minimum v, tested once.  A span that has a zero is done again the general
 * way (rereading the row: row and vals must not overlap, which pack_rows
 * never makes them), and so is the rest of the row, so a row with zeros
 * costs at most one span more.  Measured at 1 MB on Zen 4, one thread,
 * side by side with the previous kernel (one general loop with keep_h16):
 * dense fp16 / bf16 nm 1.94-1.97x -> 1.89-1.93x memcpy, cutlass 2.01-2.05x
 * -> 1.95-2.00x; 50 % zeros nm 2.84-2.88x -> 2.76-2.78x; 10 % zeros nm
 * 2.00-2.02x -> 2.03-2.04x, cutlass 2.09-2.10x -> 2.12-2.14x. */
#define PNM16_SPAN 32
#define PNM16_SPAN_MAX 512

INLINE_VBMI2_FN size_t pnm16_body(const void *row, size_t groups, uint32_t nan_above, void *vals,
                                  uint8_t *meta, size_t step, uint32_t *nan)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    __m512i vmax = _mm512_set1_epi16(-0x8000);
    size_t g = 0, whole = groups - groups % 16;
    int mixed = 0;
    if (whole > 0) { /* the first step tells rows with many zeros */
        vmax = pnm16_general(src, 0, 16, dst, meta, step, vmax, &mixed);
        g = mixed ? whole : 16;
        if (mixed)
            vmax = pnm16_general(src, 16, whole, dst, meta, step, vmax, &mixed);
    }
    for (size_t span = PNM16_SPAN; g < whole; span = span < PNM16_SPAN_MAX ? 2 * span : span) {
        size_t g0 = g, g1 = whole - g > span ? g + span : whole;
        __m512i vmin = _mm512_set1_epi16(0x7fff);
        for (; g < g1; g += 16) {
            __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64), v0, v1;
            __mmask32 keep0 = keep_h16_v(x0, &v0), keep1 = keep_h16_v(x1, &v1);
            vmax = _mm512_max_epi16(vmax, _mm512_max_epi16(v0, v1));
            vmin = _mm512_min_epi16(vmin, _mm512_min_epi16(v0, v1));
            uint64_t nz = (uint64_t)_cvtmask32_u32(keep0) | (uint64_t)_cvtmask32_u32(keep1) << 32;
            IN_GPR(nz);
            uint64_t codes = nm_codes16(nz);
            STORE256(dst + 4 * g, _mm512_maskz_compress_epi16(keep0, x0));
            STORE256(dst + 4 * g + 32, _mm512_maskz_compress_epi16(keep1, x1));
            memcpy(meta + g / 16 * step, &codes, 8);
        }
        if (_mm512_cmplt_epi16_mask(vmin, _mm512_set1_epi16(-0x7ffe)) != 0) {
            /* a zero: the general way */
            vmax = pnm16_general(src, g0, whole, dst, meta, step, vmax, &mixed);
            g = whole;
        }
    }
    *nan |= _mm512_cmpgt_epi16_mask(vmax, _mm512_set1_epi16((short)(2 * nan_above + 1 - 0x8000))) != 0;
    return g;
}

VBMI2_FN static size_t pnm16_vbmi2(const void *row, size_t groups, uint32_t nan_above,
                                   void *vals, uint8_t *meta, uint32_t *nan)
{
    return pnm16_body(row, groups, nan_above, vals, meta, 8, nan);
}

VBMI2_FN static size_t pnm16_steps_vbmi2(const void *row, size_t groups, uint32_t nan_above,
                                         void *vals, uint8_t *meta, size_t step, uint32_t *nan)
{
    return pnm16_body(row, groups, nan_above, vals, meta, step, nan);
}

/* fp32: four vectors (16 groups) per step, written out (not as a loop,
 * which GCC kept in memory). */
#define F32_KEEP(i)                                                                       \
    __m512i x##i = LOADU(src + 16 * g + 64 * (i));                                        \
    __m512i k##i = _mm512_and_si512(x##i, absmask);                                       \
    kmax = _mm512_max_epu32(kmax, k##i);                                                  \
    __mmask16 keep##i = keep_f32(k##i);                                                   \
    __mmask16 nz##i = _mm512_mask_test_epi32_mask(keep##i, x##i, absmask);                \
    nz |= (uint64_t)_cvtmask16_u32(nz##i) << (16 * (i))
#define F32_PRUNE(i) x##i = _mm512_maskz_mov_epi32(keep##i, x##i)
#define F32_STORE(i) \
    STORE256(dst + 8 * g + 32 * (i), _mm512_maskz_compress_epi32(_cvtu32_mask16((uint32_t)(sel >> (16 * (i)))), x##i))
#define F32_STORE_NZ(i) STORE256(dst + 8 * g + 32 * (i), _mm512_maskz_compress_epi32(keep##i, x##i))

VBMI2_FN static size_t pnm32_vbmi2(const void *row, size_t groups, uint32_t nan_above,
                                   void *vals, uint8_t *meta, uint32_t *nan)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    __m512i kmax = _mm512_setzero_si512();
    size_t g = 0;
    (void)nan_above;
    for (; g + 16 <= groups; g += 16) {
        uint64_t nz = 0;
        F32_KEEP(0);
        F32_KEEP(1);
        F32_KEEP(2);
        F32_KEEP(3);
        IN_GPR(nz);
        uint64_t codes, sel;
        if (ALL_GROUPS_TWO(nz)) {
            codes = nm_codes16(nz);
            F32_STORE_NZ(0);
            F32_STORE_NZ(1);
            F32_STORE_NZ(2);
            F32_STORE_NZ(3);
        } else {
            sel = nm_select16(nz, &codes);
            F32_PRUNE(0);
            F32_PRUNE(1);
            F32_PRUNE(2);
            F32_PRUNE(3);
            F32_STORE(0);
            F32_STORE(1);
            F32_STORE(2);
            F32_STORE(3);
        }
        memcpy(meta + g / 2, &codes, 8);
    }
    *nan |= _mm512_cmpgt_epu32_mask(kmax, _mm512_set1_epi32((int)NMS__F32_NAN_ABOVE)) != 0;
    return g;
}

/* int8: sixteen groups per vector; no -0, so the selection is compressed
 * straight from the input in both branches (selected elements outside K
 * are 0). */
VBMI2_FN static size_t pnm8_vbmi2(const void *row, size_t groups, uint32_t nan_above,
                                  void *vals, uint8_t *meta, uint32_t *nan)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    size_t g = 0;
    (void)nan_above;
    (void)nan;
    for (; g + 16 <= groups; g += 16) {
        __m512i x = LOADU(src + 4 * g);
        __mmask64 keep = keep_i8(_mm512_abs_epi8(x));
        __mmask64 nzm = _mm512_mask_test_epi8_mask(keep, x, x);
        uint64_t nz = _cvtmask64_u64(nzm);
        IN_GPR(nz);
        uint64_t codes;
        if (ALL_GROUPS_TWO(nz)) {
            codes = nm_codes16(nz);
            STORE256(dst + 2 * g, _mm512_maskz_compress_epi8(keep, x));
        } else {
            uint64_t sel = nm_select16(nz, &codes);
            STORE256(dst + 2 * g, _mm512_maskz_compress_epi8(_cvtu64_mask64(sel), x));
        }
        memcpy(meta + g / 2, &codes, 8);
    }
    return g;
}
/* ---- nm encoders of already pruned rows (nms_pack), with compresses --------
 * The flags are every element's nonzero flag (the row is not pruned here);
 * a group with three or four is reported through *over2 (then the bytes are
 * unspecified), otherwise the same two branches as the fused kernels, with
 * the values compressed straight from the row: the portable encoder copies
 * the selected elements as they are (a selected -0.0 stays -0.0). */
static inline uint64_t over2_nibbles64(uint64_t m)
{
    const uint64_t ones = UINT64_C(0x1111111111111111);
    uint64_t ab = m & (m >> 1) & ones, cd = (m >> 2) & (m >> 3) & ones;
    uint64_t a_b = (m | m >> 1) & ones, c_d = (m >> 2 | m >> 3) & ones;
    return (ab & c_d) | (cd & a_b);
}

/* bad collects over2_nibbles64 in a register: or-ing into *over2 every
 * step kept it in memory (it may alias meta), a store-to-load chain through
 * the loop (nm fp16 nms_pack at 1 MB: 12 % of the encoder's time). */
#define ENC_CODES(nz, codes, sel, all_two)                                                \
    do {                                                                                  \
        bad |= over2_nibbles64(nz);                                                       \
        all_two = ALL_GROUPS_TWO(nz);                                                     \
        if (all_two)                                                                      \
            codes = nm_codes16(nz);                                                       \
        else                                                                              \
            sel = nm_select16(nz, &codes);                                                \
    } while (0)

INLINE_VBMI2_FN size_t enc16_body(const void *row, size_t groups, void *vals, uint8_t *meta,
                                  size_t step, uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m512i absmask = _mm512_set1_epi16(0x7fff);
    uint64_t bad = 0;
    size_t g = 0;
    for (; g + 16 <= groups; g += 16) {
        __m512i x0 = LOADU(src + 8 * g), x1 = LOADU(src + 8 * g + 64);
        __mmask32 nz0 = _mm512_test_epi16_mask(x0, absmask), nz1 = _mm512_test_epi16_mask(x1, absmask);
        uint64_t nz = (uint64_t)_cvtmask32_u32(nz0) | (uint64_t)_cvtmask32_u32(nz1) << 32;
        IN_GPR(nz);
        uint64_t codes, sel = 0;
        int all_two;
        ENC_CODES(nz, codes, sel, all_two);
        if (all_two) {
            STORE256(dst + 4 * g, _mm512_maskz_compress_epi16(nz0, x0));
            STORE256(dst + 4 * g + 32, _mm512_maskz_compress_epi16(nz1, x1));
        } else {
            STORE256(dst + 4 * g, _mm512_maskz_compress_epi16(_cvtu32_mask32((uint32_t)sel), x0));
            STORE256(dst + 4 * g + 32,
                     _mm512_maskz_compress_epi16(_cvtu32_mask32((uint32_t)(sel >> 32)), x1));
        }
        memcpy(meta + g / 16 * step, &codes, 8);
    }
    *over2 |= bad != 0;
    return g;
}

VBMI2_FN static size_t enc16_vbmi2(const void *row, size_t groups, void *vals, uint8_t *meta,
                                   uint32_t *over2)
{
    return enc16_body(row, groups, vals, meta, 8, over2);
}

VBMI2_FN static size_t enc16_steps_vbmi2(const void *row, size_t groups, void *vals,
                                         uint8_t *meta, size_t step, uint32_t *over2)
{
    return enc16_body(row, groups, vals, meta, step, over2);
}

#define E32_LOAD(i)                                                                        \
    __m512i x##i = LOADU(src + 16 * g + 64 * (i));                                         \
    __mmask16 nz##i = _mm512_test_epi32_mask(x##i, absmask);                               \
    nz |= (uint64_t)_cvtmask16_u32(nz##i) << (16 * (i))
#define E32_STORE_NZ(i) STORE256(dst + 8 * g + 32 * (i), _mm512_maskz_compress_epi32(nz##i, x##i))

VBMI2_FN static size_t enc32_vbmi2(const void *row, size_t groups, void *vals, uint8_t *meta,
                                   uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    uint64_t bad = 0;
    size_t g = 0;
    for (; g + 16 <= groups; g += 16) {
        uint64_t nz = 0;
        E32_LOAD(0);
        E32_LOAD(1);
        E32_LOAD(2);
        E32_LOAD(3);
        IN_GPR(nz);
        uint64_t codes, sel = 0;
        int all_two;
        ENC_CODES(nz, codes, sel, all_two);
        if (all_two) {
            E32_STORE_NZ(0);
            E32_STORE_NZ(1);
            E32_STORE_NZ(2);
            E32_STORE_NZ(3);
        } else {
            F32_STORE(0);
            F32_STORE(1);
            F32_STORE(2);
            F32_STORE(3);
        }
        memcpy(meta + g / 2, &codes, 8);
    }
    *over2 |= bad != 0;
    return g;
}

VBMI2_FN static size_t enc8_vbmi2(const void *row, size_t groups, void *vals, uint8_t *meta,
                                  uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    uint64_t bad = 0;
    size_t g = 0;
    for (; g + 16 <= groups; g += 16) {
        __m512i x = LOADU(src + 4 * g);
        __mmask64 nzm = _mm512_test_epi8_mask(x, x);
        uint64_t nz = _cvtmask64_u64(nzm);
        IN_GPR(nz);
        uint64_t codes, sel = 0;
        int all_two;
        ENC_CODES(nz, codes, sel, all_two);
        STORE256(dst + 2 * g, _mm512_maskz_compress_epi8(all_two ? nzm : _cvtu64_mask64(sel), x));
        memcpy(meta + g / 2, &codes, 8);
    }
    *over2 |= bad != 0;
    return g;
}
/* 1:2 pairs of 32-bit elements (CUTLASS fp32), 32 pairs (four vectors) per
 * step.  In the 64-bit nonzero mask nz, bit 2k is pair k's flag a (x[2k]
 * nonzero) and bit 2k+1 its flag b; a pair with both sets *over2; the
 * value is x[2k] when a, else x[2k+1] (selection a | !a << 1 per pair, one
 * compress per vector); the meta bytes are nms__pairs_meta8 of the a flags
 * gathered to one bit per pair (pext), eight pairs (4 bytes) at a time.
 * (1 MB fp32 nms_pack cutlass on Zen 4: 2.31x memcpy with the AVX2
 * encoder, 1.88x with this one.) */
#define P32_LOAD(i)                                                                        \
    __m512i x##i = LOADU(src + 8 * j + 64 * (i));                                          \
    nz |= (uint64_t)_cvtmask16_u32(_mm512_test_epi32_mask(x##i, absmask)) << (16 * (i))
#define P32_STORE(i)                                                                       \
    STORE256(dst + 4 * j + 32 * (i),                                                       \
             _mm512_maskz_compress_epi32(_cvtu32_mask16((uint32_t)(sel >> (16 * (i)))), x##i))

VBMI2_FN static size_t pairs32_vbmi2(const void *row, size_t pairs, void *vals, uint8_t *meta,
                                     uint32_t *over2)
{
    const unsigned char *src = row;
    unsigned char *dst = vals;
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    const uint64_t even = UINT64_C(0x5555555555555555);
    uint64_t both = 0;
    size_t j = 0;
    for (; j + 32 <= pairs; j += 32) {
        uint64_t nz = 0;
        P32_LOAD(0);
        P32_LOAD(1);
        P32_LOAD(2);
        P32_LOAD(3);
        IN_GPR(nz);
        both |= nz & (nz >> 1) & even;
        uint64_t sel = (nz & even) | ((~nz & even) << 1);
        P32_STORE(0);
        P32_STORE(1);
        P32_STORE(2);
        P32_STORE(3);
        uint32_t a = (uint32_t)_pext_u64(nz, even);
        for (size_t t = 0; t < 4; t++) {
            uint32_t mw = nms__pairs_meta8((a >> (8 * t)) & 0xffu);
            memcpy(meta + j / 2 + 4 * t, &mw, 4);
        }
    }
    *over2 |= both != 0;
    return j;
}
#endif /* VBMI2 kernels */

/* ---- CUTLASS metadata reorder (prune_nm.c, cutlass_flush) ---------------
 * A block's chunk j (128 bytes) takes, from each of its G rows i, the two
 * words of column pair j (4 bytes at rows_meta + i*mb + 4j for 16-bit
 * words, 8 bytes at + 8j for 32-bit ones) and puts word 2j at position
 * pos(d) = 2d - (d & 1) and word 2j+1 at pos(d) + 2, d = (i % 8) * W +
 * (i % G) / 8 (G, W = 32, 4 or 16, 2), i.e. row i(d) = (d % W) * 8 + d / W.
 * So chunk positions 4e .. 4e+3 hold (word 2j of row i(2e), of row
 * i(2e+1), word 2j+1 of row i(2e), of row i(2e+1)): two gathers (rows
 * i(2e) and rows i(2e+1)) and two two-source permutes per chunk, instead of
 * 2G scalar moves.  Byte offsets i*mb must fit the gathers' int32 indices
 * (else return 0: the portable reorder runs). */
static int flush16(const uint8_t *rows_meta, size_t mb, size_t nc, size_t m, size_t r0,
                   unsigned char *meta)
{
    if (mb > (size_t)0x7fffffff / 32)
        return 0;
    int32_t off0[16], off1[16];
    uint16_t p_lo[32], p_hi[32];
    for (int e = 0; e < 16; e++) {
        int d0 = 2 * e, d1 = 2 * e + 1;
        off0[e] = (int32_t)((size_t)((d0 % 4) * 8 + d0 / 4) * mb);
        off1[e] = (int32_t)((size_t)((d1 % 4) * 8 + d1 / 4) * mb);
    }
    for (int k = 0; k < 32; k++) { /* word k of the low / high 64 bytes */
        int e = k / 4, q = k % 4;
        int w = q == 0 ? 2 * e : q == 1 ? 32 + 2 * e : q == 2 ? 2 * e + 1 : 33 + 2 * e;
        p_lo[k] = (uint16_t)w;
        p_hi[k] = (uint16_t)(w + 16); /* e + 8: word indices + 16 */
    }
    const __m512i i0 = LOADU(off0), i1 = LOADU(off1), lo = LOADU(p_lo), hi = LOADU(p_hi);
    for (size_t j = 0; j < nc / 2; j++) {
        __m512i v0 = _mm512_i32gather_epi32(i0, (const void *)(rows_meta + 4 * j), 1);
        __m512i v1 = _mm512_i32gather_epi32(i1, (const void *)(rows_meta + 4 * j), 1);
        unsigned char *dst = meta + 2 * (j * 2 * m + 2 * r0);
        STOREU(dst, _mm512_permutex2var_epi16(v0, lo, v1));
        STOREU(dst + 64, _mm512_permutex2var_epi16(v0, hi, v1));
    }
    return 1;
}

/* A step-major block (prune_nm.c) to the reordered words.  Chunk 2s+c
 * (c = 0, 1: column pair 2s+c, words 2c and 2c+1 of each row's step s)
 * is, by 16-byte segments b = 0..7 (see cutlass_in_chunk: d = 4b + a for
 * row 8a+b), word 2c of row b, of row b+8, word 2c+1 of row b, of row
 * b+8, then the same four of rows b+16 and b+24.  With row i = 8a + 4h + l
 * in slot 8a + 2l + h (nms__cutlass_step_slot), slots 8a .. 8a+7 of step s
 * being the 64 bytes at a * 64 * nsteps + 64 * s (nms__cutlass_step_place),
 * seen as vectors V_a (a = 0..3: lane l holds slots 8a + 2l and 8a + 2l +
 * 1), vpunpck{l,h}wd(V_0, V_1) (h = 0, 1) has in lane l
 * rows 4h+l and 4h+l+8 interleaved word by word: the first half of
 * segment 4h+l of chunk 2s, then that of chunk 2s+1; the same of V_2, V_3
 * gives the second halves (rows +16, +24), and vpunpck{l,h}qdq of the two
 * assemble segments 4h .. 4h+3 of chunk 2s (low qwords) and 2s+1 (high):
 * eight in-lane unpacks per 256 bytes.  (Two-source word permutes from
 * slots in row order took twice the time on Zen 4; flush16 above gathers
 * from row-major nm bytes.) */
static void flush16_steps(const uint8_t *block, size_t nsteps, size_t m, size_t r0,
                          unsigned char *meta)
{
    const size_t quarter = 64 * nsteps; /* bytes of rows 8a .. 8a+7 */
    for (size_t s = 0; s < nsteps; s++) {
        const uint8_t *src = block + 64 * s;
        __m512i v0 = LOADU(src), v1 = LOADU(src + quarter), v2 = LOADU(src + 2 * quarter),
                v3 = LOADU(src + 3 * quarter);
        __m512i p0 = _mm512_unpacklo_epi16(v0, v1), q0 = _mm512_unpacklo_epi16(v2, v3);
        __m512i p1 = _mm512_unpackhi_epi16(v0, v1), q1 = _mm512_unpackhi_epi16(v2, v3);
        unsigned char *c0 = meta + 2 * (2 * s * 2 * m + 2 * r0), *c1 = c0 + 4 * m;
        STOREU(c0, _mm512_unpacklo_epi64(p0, q0));
        STOREU(c0 + 64, _mm512_unpacklo_epi64(p1, q1));
        STOREU(c1, _mm512_unpackhi_epi64(p0, q0));
        STOREU(c1 + 64, _mm512_unpackhi_epi64(p1, q1));
    }
}

static int flush32(const uint8_t *rows_meta, size_t mb, size_t nc, size_t m, size_t r0,
                   unsigned char *meta)
{
    if (mb > (size_t)0x7fffffff / 16)
        return 0;
    int32_t off0[8], off1[8];
    uint32_t p_lo[16], p_hi[16];
    for (int e = 0; e < 8; e++) {
        int d0 = 2 * e, d1 = 2 * e + 1;
        off0[e] = (int32_t)((size_t)((d0 % 2) * 8 + d0 / 2) * mb);
        off1[e] = (int32_t)((size_t)((d1 % 2) * 8 + d1 / 2) * mb);
    }
    for (int k = 0; k < 16; k++) {
        int e = k / 4, q = k % 4;
        int w = q == 0 ? 2 * e : q == 1 ? 16 + 2 * e : q == 2 ? 2 * e + 1 : 17 + 2 * e;
        p_lo[k] = (uint32_t)w;
        p_hi[k] = (uint32_t)(w + 8);
    }
    const __m256i i0 = _mm256_loadu_si256((const __m256i *)(const void *)off0);
    const __m256i i1 = _mm256_loadu_si256((const __m256i *)(const void *)off1);
    const __m512i lo = LOADU(p_lo), hi = LOADU(p_hi);
    for (size_t j = 0; j < nc / 2; j++) {
        __m512i v0 = _mm512_i32gather_epi64(i0, (const void *)(rows_meta + 8 * j), 1);
        __m512i v1 = _mm512_i32gather_epi64(i1, (const void *)(rows_meta + 8 * j), 1);
        unsigned char *dst = meta + 4 * (j * 2 * m + 2 * r0);
        STOREU(dst, _mm512_permutex2var_epi32(v0, lo, v1));
        STOREU(dst + 64, _mm512_permutex2var_epi32(v0, hi, v1));
    }
    return 1;
}

const nms__prune_kernels *nms__prune_kernels_avx512(void)
{
    /* the AVX2 nm encoders and 1:2 kernels (-mavx512f implies AVX2) */
    static const nms__prune_kernels kernels = {
        "avx512", prune_f32, prune_h16, prune_i8,
#ifdef HAVE_AVX2
        nm16, nms__prune_nm32_avx2, nms__prune_nm8_avx2,
        nms__prune_pairs32_avx2,
        nms__prune12_f32_avx2, nms__prune12_h16_avx2, nms__prune12_i8_avx2,
        nms__prune_pnm16_avx2, nms__prune_pnm32_avx2, nms__prune_pnm8_avx2,
#else
        nm16, NULL, NULL, NULL,
        nms__prune12_f32_scalar, nms__prune12_h16_scalar, nms__prune12_i8_scalar,
        NULL, NULL, NULL,
#endif
        flush16, flush32,
        /* no step-major cutlass: its kernels are the VBMI2 ones */
        NULL, NULL, NULL,
    };
    return &kernels;
}

const nms__prune_kernels *nms__prune_kernels_avx512_vbmi2(void)
{
#ifdef NMS_VBMI2_KERNELS
    /* as above, with the fused kernels that use compresses */
    static const nms__prune_kernels kernels = {
        "avx512", prune_f32, prune_h16, prune_i8,
#ifdef HAVE_AVX2
        enc16_vbmi2, enc32_vbmi2, enc8_vbmi2,
        pairs32_vbmi2,
        nms__prune12_f32_avx2, nms__prune12_h16_avx2, nms__prune12_i8_avx2,
        pnm16_vbmi2, pnm32_vbmi2, pnm8_vbmi2,
#else
        enc16_vbmi2, enc32_vbmi2, enc8_vbmi2, pairs32_vbmi2,
        nms__prune12_f32_scalar, nms__prune12_h16_scalar, nms__prune12_i8_scalar,
        pnm16_vbmi2, pnm32_vbmi2, pnm8_vbmi2,
#endif
        flush16, flush32,
        /* CUTLASS int16 words of 16-bit elements: step-major (1 MB fp16
         * prune + cutlass 2.24x -> 2.05x memcpy, nms_pack 2.19x -> 1.8x on
         * Zen 4, against flush16; words written straight at their places,
         * four 2-byte stores a step, measured 2.28x) */
        enc16_steps_vbmi2, pnm16_steps_vbmi2, flush16_steps,
    };
    return &kernels;
#else
    return NULL;
#endif
}
