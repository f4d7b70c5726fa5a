/*
 * stage.h - write several output files all or nothing.
 *
 * Each of the n files is first written completely to a staging name
 * "<path>.stage-<pid>" (by the caller's function, which should itself write
 * atomically, e.g. with nms__write_file_atomic or nms_npy_write); only when
 * all n succeeded are they renamed to their final paths.  On any failure every
 * staged file is removed, and files already renamed are removed again, so no
 * partial set of outputs is left behind.
 */
#ifndef NMS_EMIT_STAGE_H
#define NMS_EMIT_STAGE_H

#include <stddef.h>

#include "nmsparse.h"

/* Write output i to `path` (a staging name); return NMS_OK or a status with
 * err filled. */
typedef int (*nms__stage_writer)(const char *path, size_t i, void *ctx, nms_error *err);

int nms__write_all_or_nothing(size_t n, const char *const *paths, nms__stage_writer write,
                              void *ctx, nms_error *err);

#endif /* NMS_EMIT_STAGE_H */
