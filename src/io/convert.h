/*
 * convert.h - reading single elements of any dtype (internal).
 *
 * nms__load_f32 returns the element at p (nms_dtype_size(d) bytes, little-
 * endian, unaligned is fine) as the nearest float32 (exact for F32, F16,
 * BF16, F8 and integers up to 2^24).  *overflow is set when a finite value
 * (an F64 beyond FLT_MAX) became infinite.
 */
#ifndef NMS_IO_CONVERT_H
#define NMS_IO_CONVERT_H

#include "nmsparse.h"

float nms__load_f32(nms_dtype d, const void *p, int *overflow);
int nms__dtype_is_float(nms_dtype d);

#endif /* NMS_IO_CONVERT_H */
