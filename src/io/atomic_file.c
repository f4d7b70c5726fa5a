/* atomic_file.c - temporary file + rename, so outputs are never partial. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "util/util.h"

int nms__write_file_atomic(const char *path, nms__file_writer write, void *ctx,
                           nms_error *err)
{
    size_t len = strlen(path);
    char *tmp = nms__malloc(len + sizeof ".tmp.XXXXXX");
    if (!tmp)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        nms__free(tmp);
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot create: %s", path, strerror(e));
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp);
        nms__free(tmp);
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(e));
    }
    if (err)
        err->status = NMS_OK;
    int rc = write(f, ctx);
    int st = NMS_OK;
    if (rc != 0)
        st = (err && err->status < 0) ? err->status
                                      : nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: write failed: %s", path, strerror(errno));
    if (fflush(f) != 0 && st == NMS_OK)
        st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: write failed: %s", path, strerror(errno));
    if (fclose(f) != 0 && st == NMS_OK)
        st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: write failed: %s", path, strerror(errno));
    if (st == NMS_OK) {
        /* mkstemp creates 0600; give the file the usual permissions. */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
        if (rename(tmp, path) != 0)
            st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot rename into place: %s", path, strerror(errno));
    }
    if (st != NMS_OK)
        unlink(tmp);
    nms__free(tmp);
    return st;
}
