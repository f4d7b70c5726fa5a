/*
 * perm.h - reading permutation files from a stream (internal).
 *
 * The format (see nms_perm_read): text, one 0-based original column index
 * per line, in position order; blank lines and lines starting with '#' are
 * skipped; lines are at most 255 bytes; NUL bytes are an error.  The result
 * (n entries, released with nms_free) is checked to be a permutation of
 * 0..n-1, and n == expected_n when expected_n > 0.  `path` names the source
 * in messages.  Used by nms_perm_read and by the fuzz target.
 */
#ifndef NMS_IO_PERM_H
#define NMS_IO_PERM_H

#include <stdint.h>
#include <stdio.h>

#include "nmsparse.h"

int nms__perm_read_stream(FILE *f, const char *path, size_t expected_n,
                          int32_t **perm, size_t *n, nms_error *err);

#endif /* NMS_IO_PERM_H */
