/*
 * atomic_file.h - write a file so that it is never left half-written.
 *
 * The content is produced by a callback into a temporary file in the target's
 * directory ("<path>.tmp.XXXXXX"), flushed, and renamed over `path` only when
 * the callback and every write succeeded; otherwise the temporary file is
 * removed and `path` is untouched.
 */
#ifndef NMS_IO_ATOMIC_FILE_H
#define NMS_IO_ATOMIC_FILE_H

#include <stdio.h>

#include "nmsparse.h"

/* The callback returns 0 on success; non-zero aborts the write.  It may fill
 * err itself and return its status; a plain -1 is reported as an I/O error. */
typedef int (*nms__file_writer)(FILE *f, void *ctx);

int nms__write_file_atomic(const char *path, nms__file_writer write, void *ctx,
                           nms_error *err);

#endif /* NMS_IO_ATOMIC_FILE_H */
