/* source.c - pread()-based or in-memory random access to input bytes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "io/source.h"
#include "util/util.h"

static int slurp(nms__source *s, int fd, const char *path, nms_error *err)
{
    size_t cap = 65536, len = 0;
    unsigned char *buf = nms__malloc(cap);
    if (!buf)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
    for (;;) {
        if (len == cap) {
            size_t ncap;
            unsigned char *nb;
            if (nms__mul_size(cap, 2, &ncap) || !(nb = nms__realloc(buf, ncap))) {
                nms__free(buf);
                return nms__fail_at(err, NMS_ERR_NOMEM, path, 0, 0, "%s: out of memory", path);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            nms__free(buf);
            return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: read error: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    s->owned = buf;
    s->mem = buf;
    s->size = len;
    return NMS_OK;
}

int nms__source_open_file(nms__source *s, const char *path, nms_error *err)
{
    memset(s, 0, sizeof *s);
    s->name = path;
    s->fd = -1;
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: is a directory", path);
    }
    if (S_ISREG(st.st_mode)) {
        s->fd = fd;
        s->size = (uint64_t)st.st_size;
        return NMS_OK;
    }
    int rc = slurp(s, fd, path, err);
    close(fd);
    return rc;
}

void nms__source_open_mem(nms__source *s, const void *data, size_t size,
                          const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->fd = -1;
    s->mem = data;
    s->size = size;
}

int nms__source_read(const nms__source *s, uint64_t offset, void *buf,
                     size_t len, nms_error *err)
{
    if (offset > s->size || len > s->size - offset)
        return nms__fail_at(err, NMS_ERR_FORMAT, s->name, 0, 0,
                            "%s: truncated: needs %zu bytes at offset %llu but the file holds %llu",
                            s->name, len, (unsigned long long)offset, (unsigned long long)s->size);
    if (s->fd < 0) {
        if (len)
            memcpy(buf, s->mem + offset, len);
        return NMS_OK;
    }
    unsigned char *p = buf;
    while (len > 0) {
        size_t chunk = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len;
        ssize_t n = pread(s->fd, p, chunk, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nms__fail_at(err, NMS_ERR_IO, s->name, 0, 0, "%s: read error: %s", s->name, strerror(errno));
        if (n == 0)
            return nms__fail_at(err, NMS_ERR_IO, s->name, 0, 0, "%s: the file shrank while being read", s->name);
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return NMS_OK;
}

void nms__source_close(nms__source *s)
{
    if (s->fd >= 0)
        close(s->fd);
    nms__free(s->owned);
    s->fd = -1;
    s->owned = NULL;
    s->mem = NULL;
}
