/*
 * packed_out.h - the output side shared by `nmsparse pack` and `nmsparse
 * prune --format`: the format argument (cutlass, nm, csr, or c with the
 * layout of --c-format inside the C source) and writing a packed matrix:
 *   PREFIX.<part>.npy for every part (bf16 values as uint16 bits), or every
 *   part as a tensor of one NAME.safetensors file, or (c) PREFIX.h and
 *   PREFIX.c; all outputs appear or none (nms_packed_write*).
 * Then a one-line summary on stdout unless quiet, e.g.
 *   "cutlass: 64 x 128 F16 -> w.values.npy (64x64 F16) w.meta.npy (64x8 I16)".
 */
#ifndef NMS_CLI_PACKED_OUT_H
#define NMS_CLI_PACKED_OUT_H

#include "nmsparse.h"

/* Check --format F [--c-format C] [--symbol S] with -o OUT for command cmd
 * ("pack", "prune"): *fmt is the packed layout, *to_c whether C source is
 * written.  0, or CLI_EXIT_USAGE after printing the problem. */
int cli_pack_format(const char *cmd, const char *format, const char *c_format,
                    const char *symbol, const char *out, nms_format *fmt, int *to_c);

/* Write p as described above; 0 or the exit status of the failure (the
 * message, naming the file, is printed). */
int cli_write_packed(const nms_packed *p, const char *out, int to_c, const char *symbol,
                     int quiet);

#endif /* NMS_CLI_PACKED_OUT_H */
