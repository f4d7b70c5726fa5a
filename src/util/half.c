/* half.c - narrowing double -> 16/8-bit floats, correctly rounded (see half.h). */
#include <math.h>

#include "util/half.h"

/* A binary float format with `mbits` stored mantissa bits, exponent bias
 * `bias`, smallest normal exponent emin = 1 - bias and largest emax.  x is
 * rounded to nearest even; returns the bits without the sign, or -1 when the
 * rounded magnitude exceeds the largest finite value `max_code` encodes. */
static long encode_magnitude(double a, int mbits, int bias, int emax, long max_code)
{
    int emin = 1 - bias;
    if (a == 0.0)
        return 0;
    int e2;
    (void)frexp(a, &e2);
    int e = e2 - 1; /* a = 1.f * 2^e */
    if (e < emin)
        e = emin;
    if (e > emax + 1)
        return -1;
    /* n = a / 2^(e - mbits), rounded; exact scaling by a power of two
     * (a is at most 2^(emax+2), so nothing overflows or underflows here) */
    double n = nearbyint(ldexp(a, mbits - e));
    long one = 1L << mbits;
    if (n >= (double)(2 * one)) { /* rounding carried into the next binade */
        n /= 2;
        e++;
    }
    long code;
    if (n < (double)one) /* subnormal (only when e == emin) */
        code = (long)n;
    else
        code = ((long)(e + bias) << mbits) | ((long)n - one);
    return code > max_code ? -1 : code;
}

static int encode(double x, int mbits, int ebits, int has_inf, long max_code,
                  unsigned long nan_code, unsigned long *out)
{
    int bias = (1 << (ebits - 1)) - 1;
    unsigned long sign = signbit(x) ? 1UL << (mbits + ebits) : 0;
    unsigned long inf = ((1UL << ebits) - 1) << mbits;
    if (isnan(x)) {
        *out = sign | nan_code;
        return 0;
    }
    double a = fabs(x);
    long code = isinf(x) ? -1 : encode_magnitude(a, mbits, bias, (int)(max_code >> mbits) - bias, max_code);
    if (code < 0) {
        if (!has_inf)
            return -1;
        *out = sign | inf;
        return 0;
    }
    *out = sign | (unsigned long)code;
    return 0;
}

int nms__f64_to_f16(double x, uint16_t *out)
{
    unsigned long v;
    encode(x, 10, 5, 1, 0x7bff, 0x7e00, &v);
    *out = (uint16_t)v;
    return 0;
}

int nms__f64_to_bf16(double x, uint16_t *out)
{
    unsigned long v;
    encode(x, 7, 8, 1, 0x7f7f, 0x7fc0, &v);
    *out = (uint16_t)v;
    return 0;
}

int nms__f64_to_e5m2(double x, uint8_t *out)
{
    unsigned long v;
    encode(x, 2, 5, 1, 0x7b, 0x7e, &v);
    *out = (uint8_t)v;
    return 0;
}

int nms__f64_to_e4m3(double x, uint8_t *out)
{
    unsigned long v;
    if (encode(x, 3, 4, 0, 0x7e, 0x7f, &v))
        return -1;
    *out = (uint8_t)v;
    return 0;
}

double nms__u64_to_f64_round_odd(uint64_t u)
{
    int bits = 0;
    for (uint64_t t = u; t; t >>= 1)
        bits++;
    if (bits <= 53)
        return (double)u;
    int shift = bits - 53;
    uint64_t kept = u >> shift;
    if (u & ((UINT64_C(1) << shift) - 1))
        kept |= 1;
    return ldexp((double)kept, shift);
}
