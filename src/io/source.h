/*
 * source.h - random-access reading of a file or a memory buffer (internal).
 *
 * A source is `size` bytes, either a regular file read with pread() (so that
 * several threads may read one source at once) or a memory buffer (borrowed,
 * or owned when a non-regular file such as a pipe was read whole).  Readers
 * check every length they take from a file against `size` BEFORE allocating,
 * so a lying header cannot make them allocate more than the file holds.
 */
#ifndef NMS_IO_SOURCE_H
#define NMS_IO_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

typedef struct nms__source {
    const char *name;          /* for messages (borrowed)                  */
    int fd;                    /* >= 0 for a regular file                  */
    const unsigned char *mem;  /* the bytes, when fd < 0                   */
    unsigned char *owned;      /* == mem when the source owns the buffer   */
    uint64_t size;             /* total bytes                              */
} nms__source;

/* Open a file (regular: kept open; otherwise read whole into memory). */
int nms__source_open_file(nms__source *s, const char *path, nms_error *err);
/* A borrowed buffer. */
void nms__source_open_mem(nms__source *s, const void *data, size_t size,
                          const char *name);
/* Read exactly len bytes at offset (offset + len <= size, else NMS_ERR_FORMAT
 * "truncated").  A short read from a file (it shrank) is NMS_ERR_IO. */
int nms__source_read(const nms__source *s, uint64_t offset, void *buf,
                     size_t len, nms_error *err);
void nms__source_close(nms__source *s);

#endif /* NMS_IO_SOURCE_H */
