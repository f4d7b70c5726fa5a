/*
 * convert.c - element-type conversion of tensors (nms_tensor_convert).
 *
 * Each element is read as an exact value: a double for float sources (every
 * F16 / BF16 / F8 / F32 / F64 value is a double), a signed or unsigned 64-bit
 * integer for integer and bool sources.  It is then written into the target:
 *   float targets:  correctly rounded to nearest even (one rounding only:
 *                   F64 -> F16 goes straight from double; 64-bit integers
 *                   beyond 2^53 pass through a round-to-odd double first);
 *                   overflow gives infinity (F8_E4M3, which has none, fails
 *                   with NMS_ERR_RANGE);
 *   integer targets: rounded to nearest even, NMS_ERR_RANGE when outside the
 *                   target's range, NMS_ERR_NONFINITE for NaN / infinity;
 *   BOOL:           1 for any nonzero value, 0 for zero (NaN fails).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/convert.h"
#include "io/tensor.h"
#include "util/half.h"
#include "util/util.h"

typedef struct value {
    int kind; /* 0 = float (d), 1 = signed (i), 2 = unsigned (u) */
    double d;
    int64_t i;
    uint64_t u;
} value;

static int is_float_dtype(nms_dtype d)
{
    return d == NMS_DTYPE_F32 || d == NMS_DTYPE_F64 || d == NMS_DTYPE_F16 || d == NMS_DTYPE_BF16 ||
           d == NMS_DTYPE_F8_E4M3 || d == NMS_DTYPE_F8_E5M2;
}

static value load(nms_dtype d, const unsigned char *p)
{
    value v = {0, 0.0, 0, 0};
    switch (d) {
    case NMS_DTYPE_F32: {
        float f;
        memcpy(&f, p, 4);
        v.d = (double)f;
        break;
    }
    case NMS_DTYPE_F64: memcpy(&v.d, p, 8); break;
    case NMS_DTYPE_F16: {
        uint16_t h;
        memcpy(&h, p, 2);
        v.d = (double)nms__f16_to_f32(h);
        break;
    }
    case NMS_DTYPE_BF16: {
        uint16_t h;
        memcpy(&h, p, 2);
        v.d = (double)nms__bf16_to_f32(h);
        break;
    }
    case NMS_DTYPE_F8_E4M3: v.d = (double)nms__e4m3_to_f32(p[0]); break;
    case NMS_DTYPE_F8_E5M2: v.d = (double)nms__e5m2_to_f32(p[0]); break;
    case NMS_DTYPE_I8: v.kind = 1; v.i = (int8_t)p[0]; break;
    case NMS_DTYPE_I16: { int16_t x; memcpy(&x, p, 2); v.kind = 1; v.i = x; break; }
    case NMS_DTYPE_I32: { int32_t x; memcpy(&x, p, 4); v.kind = 1; v.i = x; break; }
    case NMS_DTYPE_I64: { int64_t x; memcpy(&x, p, 8); v.kind = 1; v.i = x; break; }
    case NMS_DTYPE_U8: v.kind = 2; v.u = p[0]; break;
    case NMS_DTYPE_BOOL: v.kind = 2; v.u = p[0] != 0; break;
    case NMS_DTYPE_U16: { uint16_t x; memcpy(&x, p, 2); v.kind = 2; v.u = x; break; }
    case NMS_DTYPE_U32: { uint32_t x; memcpy(&x, p, 4); v.kind = 2; v.u = x; break; }
    case NMS_DTYPE_U64: { uint64_t x; memcpy(&x, p, 8); v.kind = 2; v.u = x; break; }
    default: break;
    }
    return v;
}

/* A double that a later single rounding into F16 / BF16 / F8 rounds
 * correctly (exact for |x| <= 2^53, round-to-odd beyond). */
static double narrow_source(const value *v)
{
    if (v->kind == 0)
        return v->d;
    if (v->kind == 2)
        return nms__u64_to_f64_round_odd(v->u);
    if (v->i >= 0)
        return nms__u64_to_f64_round_odd((uint64_t)v->i);
    return -nms__u64_to_f64_round_odd(0 - (uint64_t)v->i);
}

enum { STORE_OK = 0, STORE_RANGE = 1, STORE_NONFINITE = 2 };

static int store_float(nms_dtype d, const value *v, unsigned char *p)
{
    switch (d) {
    case NMS_DTYPE_F64: {
        double x = v->kind == 0 ? v->d : v->kind == 1 ? (double)v->i : (double)v->u;
        memcpy(p, &x, 8);
        return STORE_OK;
    }
    case NMS_DTYPE_F32: {
        float x = v->kind == 0 ? (float)v->d : v->kind == 1 ? (float)v->i : (float)v->u;
        memcpy(p, &x, 4);
        return STORE_OK;
    }
    case NMS_DTYPE_F16: {
        uint16_t h;
        nms__f64_to_f16(narrow_source(v), &h);
        memcpy(p, &h, 2);
        return STORE_OK;
    }
    case NMS_DTYPE_BF16: {
        uint16_t h;
        nms__f64_to_bf16(narrow_source(v), &h);
        memcpy(p, &h, 2);
        return STORE_OK;
    }
    case NMS_DTYPE_F8_E5M2: nms__f64_to_e5m2(narrow_source(v), p); return STORE_OK;
    case NMS_DTYPE_F8_E4M3: return nms__f64_to_e4m3(narrow_source(v), p) ? STORE_RANGE : STORE_OK;
    default: return STORE_RANGE;
    }
}

static int store_int(nms_dtype d, const value *v, unsigned char *p)
{
    static const struct {
        nms_dtype d;
        int is_signed;
        int64_t min;
        uint64_t max;
    } lim[] = {
        {NMS_DTYPE_I8, 1, INT8_MIN, INT8_MAX},       {NMS_DTYPE_U8, 0, 0, UINT8_MAX},
        {NMS_DTYPE_I16, 1, INT16_MIN, INT16_MAX},    {NMS_DTYPE_U16, 0, 0, UINT16_MAX},
        {NMS_DTYPE_I32, 1, INT32_MIN, INT32_MAX},    {NMS_DTYPE_U32, 0, 0, UINT32_MAX},
        {NMS_DTYPE_I64, 1, INT64_MIN, INT64_MAX},    {NMS_DTYPE_U64, 0, 0, UINT64_MAX},
    };
    int neg; /* the value as sign + magnitude */
    uint64_t mag;
    if (d == NMS_DTYPE_BOOL) {
        if (v->kind == 0 && isnan(v->d))
            return STORE_NONFINITE;
        p[0] = v->kind == 0 ? v->d != 0.0 : v->kind == 1 ? v->i != 0 : v->u != 0;
        return STORE_OK;
    }
    if (v->kind == 0) {
        if (!isfinite(v->d))
            return STORE_NONFINITE;
        double r = nearbyint(v->d);
        if (r >= 18446744073709551616.0 || r < -9223372036854775808.0)
            return STORE_RANGE;
        neg = r < 0;
        mag = neg ? (uint64_t)(-(r + 1.0)) + 1 : (uint64_t)r; /* -2^63 fits */
    } else if (v->kind == 1) {
        neg = v->i < 0;
        mag = neg ? 0 - (uint64_t)v->i : (uint64_t)v->i;
    } else {
        neg = 0;
        mag = v->u;
    }
    for (size_t k = 0; k < sizeof lim / sizeof lim[0]; k++) {
        if (lim[k].d != d)
            continue;
        size_t sz = nms_dtype_size(d);
        if (neg && mag != 0) {
            if (!lim[k].is_signed || mag > (uint64_t)(-(lim[k].min + 1)) + 1)
                return STORE_RANGE;
        } else if (mag > lim[k].max) {
            return STORE_RANGE;
        }
        uint64_t bits = neg ? 0 - mag : mag; /* two's complement */
        for (size_t b = 0; b < sz; b++)
            p[b] = (unsigned char)(bits >> (8 * b));
        return STORE_OK;
    }
    return STORE_RANGE;
}

int nms_tensor_convert(const nms_tensor *t, nms_dtype to, nms_tensor **out,
                       nms_error *err)
{
    if (!t || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_tensor_convert: NULL argument");
    if ((unsigned)to >= NMS_DTYPE_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "invalid target dtype %d", (int)to);
    nms_tensor *r;
    int st = nms_tensor_create(to, t->ndim, t->shape, &r, err);
    if (st)
        return st;
    if (to == t->dtype) {
        if (t->nbytes)
            memcpy(r->data, t->data, t->nbytes);
        *out = r;
        return NMS_OK;
    }
    size_t ssz = nms_dtype_size(t->dtype), dsz = nms_dtype_size(to);
    const unsigned char *s = t->data;
    unsigned char *o = r->data;
    int float_target = is_float_dtype(to);
    /* the common fast paths */
    if (to == NMS_DTYPE_F32 && t->dtype == NMS_DTYPE_F16) {
        for (size_t j = 0; j < t->numel; j++) {
            uint16_t h;
            memcpy(&h, s + 2 * j, 2);
            float f = nms__f16_to_f32(h);
            memcpy(o + 4 * j, &f, 4);
        }
    } else if (to == NMS_DTYPE_F32 && t->dtype == NMS_DTYPE_BF16) {
        for (size_t j = 0; j < t->numel; j++) {
            uint16_t h;
            memcpy(&h, s + 2 * j, 2);
            float f = nms__bf16_to_f32(h);
            memcpy(o + 4 * j, &f, 4);
        }
    } else if (t->dtype == NMS_DTYPE_F32 && (to == NMS_DTYPE_F16 || to == NMS_DTYPE_BF16)) {
        for (size_t j = 0; j < t->numel; j++) {
            float f;
            memcpy(&f, s + 4 * j, 4);
            uint16_t h = to == NMS_DTYPE_F16 ? nms__f32_to_f16(f) : nms__f32_to_bf16(f);
            memcpy(o + 2 * j, &h, 2);
        }
    } else {
        for (size_t j = 0; j < t->numel; j++) {
            value v = load(t->dtype, s + j * ssz);
            int rc = float_target ? store_float(to, &v, o + j * dsz) : store_int(to, &v, o + j * dsz);
            if (rc != STORE_OK) {
                char num[64];
                if (v.kind == 0)
                    snprintf(num, sizeof num, "%.17g", v.d);
                else if (v.kind == 1)
                    snprintf(num, sizeof num, "%lld", (long long)v.i);
                else
                    snprintf(num, sizeof num, "%llu", (unsigned long long)v.u);
                nms_tensor_free(r);
                return nms__fail(err, rc == STORE_NONFINITE ? NMS_ERR_NONFINITE : NMS_ERR_RANGE,
                                 "element %zu (%s) %s %s", j, num,
                                 rc == STORE_NONFINITE ? "is not finite and cannot be converted to" : "is out of the range of",
                                 nms_dtype_name(to));
            }
        }
    }
    *out = r;
    return NMS_OK;
}

int nms__dtype_is_float(nms_dtype d) { return is_float_dtype(d); }

float nms__load_f32(nms_dtype d, const void *p, int *overflow)
{
    value v = load(d, p);
    double x = v.kind == 0 ? v.d : v.kind == 1 ? (double)v.i : (double)v.u;
    float f = v.kind == 1 ? (float)v.i : v.kind == 2 ? (float)v.u : (float)x;
    *overflow = isfinite(x) && !isfinite(f);
    return f;
}
