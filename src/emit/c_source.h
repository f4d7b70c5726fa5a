/*
 * c_source.h - shared pieces of the C source emitter (c_source.c) and its
 * reader (c_source_read.c).
 *
 * PREFIX.c layout (one line each unless noted):
 *   / * nmsparse-c: format=FORMAT dtype=DTYPE rows=M cols=K * /
 *   ... for every part, in nms_packed order:
 *   / * part NAME: DTYPE NDIM DIM0 [DIM1] * /
 *   static const CTYPE SYMBOL_NAME[N] NMSPARSE_ALIGN(16) = {   (N = max(1, numel))
 *       numel constants separated by commas (an empty part: a single 0)
 *   };
 * Constants: float "%.9g" (+ ".0" when needed) and "f"; double "%.17g";
 * unsigned types hex "0x..." with a u / ull suffix for 32 / 64 bits; signed
 * types decimal ("ll" for 64 bits; the minimum as "(-MAX - 1)").
 */
#ifndef NMS_EMIT_C_SOURCE_H
#define NMS_EMIT_C_SOURCE_H

#include "nmsparse.h"

/* The C element type of part `part` stored as `dtype`: float, double,
 * uint16_t for F16 / BF16 / U16 and for I16 meta words, uint32_t for I32
 * meta words, the matching <stdint.h> type otherwise (uint8_t for U8, BOOL,
 * FP8). */
const char *nms__c_type(const char *part, nms_dtype dtype);

#endif /* NMS_EMIT_C_SOURCE_H */
