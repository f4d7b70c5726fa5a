/* elem.c - single-element access by dtype (16-bit floats via util/half.h). */
#include <string.h>

#include "structured/elem.h"
#include "util/half.h"

int nms__elem_readable(nms_dtype dt)
{
    return dt != NMS_DTYPE_F8_E4M3 && dt != NMS_DTYPE_F8_E5M2 && (unsigned)dt < NMS_DTYPE_COUNT;
}

int nms__elem_writable(nms_dtype dt)
{
    return dt == NMS_DTYPE_F32 || dt == NMS_DTYPE_F64 || dt == NMS_DTYPE_F16 || dt == NMS_DTYPE_BF16;
}

#define LOAD(type)                                                        \
    do {                                                                  \
        type v_;                                                          \
        memcpy(&v_, (const unsigned char *)data + i * sizeof(type), sizeof(type)); \
        return (double)v_;                                                \
    } while (0)

double nms__elem_get(const void *data, nms_dtype dt, size_t i)
{
    switch (dt) {
    case NMS_DTYPE_F32: LOAD(float);
    case NMS_DTYPE_F64: LOAD(double);
    case NMS_DTYPE_I8: LOAD(int8_t);
    case NMS_DTYPE_U8: LOAD(uint8_t);
    case NMS_DTYPE_BOOL: LOAD(uint8_t);
    case NMS_DTYPE_I16: LOAD(int16_t);
    case NMS_DTYPE_U16: LOAD(uint16_t);
    case NMS_DTYPE_I32: LOAD(int32_t);
    case NMS_DTYPE_U32: LOAD(uint32_t);
    case NMS_DTYPE_I64: LOAD(int64_t);
    case NMS_DTYPE_U64: LOAD(uint64_t);
    case NMS_DTYPE_F16: {
        uint16_t h;
        memcpy(&h, (const unsigned char *)data + 2 * i, 2);
        return (double)nms__f16_to_f32(h);
    }
    case NMS_DTYPE_BF16: {
        uint16_t h;
        memcpy(&h, (const unsigned char *)data + 2 * i, 2);
        return (double)nms__bf16_to_f32(h);
    }
    default:
        return 0.0;
    }
}

void nms__elem_set(void *data, nms_dtype dt, size_t i, double v)
{
    unsigned char *p = data;
    switch (dt) {
    case NMS_DTYPE_F32: {
        float f = (float)v;
        memcpy(p + 4 * i, &f, 4);
        break;
    }
    case NMS_DTYPE_F64:
        memcpy(p + 8 * i, &v, 8);
        break;
    case NMS_DTYPE_F16: {
        uint16_t h = nms__f32_to_f16((float)v);
        memcpy(p + 2 * i, &h, 2);
        break;
    }
    case NMS_DTYPE_BF16: {
        uint16_t h = nms__f32_to_bf16((float)v);
        memcpy(p + 2 * i, &h, 2);
        break;
    }
    default:
        break;
    }
}
