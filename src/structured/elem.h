/*
 * elem.h - reading and writing single tensor elements as double (internal).
 *
 * get: every numeric dtype (F32, F64, F16, BF16, I8..U64, BOOL); fp8 are not
 * supported (nms__elem_readable() says which).  set: float dtypes only
 * (F32, F64, F16, BF16), rounding to nearest even (nms__elem_writable()).
 * `i` is an element index into a dense array of that dtype.
 */
#ifndef NMS_STRUCTURED_ELEM_H
#define NMS_STRUCTURED_ELEM_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

int nms__elem_readable(nms_dtype dt);
int nms__elem_writable(nms_dtype dt);
double nms__elem_get(const void *data, nms_dtype dt, size_t i);
void nms__elem_set(void *data, nms_dtype dt, size_t i, double v);

#endif /* NMS_STRUCTURED_ELEM_H */
