/* stage.c - all-or-nothing writing of several files (see stage.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emit/stage.h"
#include "util/util.h"

int nms__write_all_or_nothing(size_t n, const char *const *paths, nms__stage_writer write,
                              void *ctx, nms_error *err)
{
    char **staged = nms__calloc(n ? n : 1, sizeof *staged);
    if (!staged)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    int st = NMS_OK;
    size_t written = 0, renamed = 0;
    for (size_t i = 0; i < n && st == NMS_OK; i++) {
        size_t len = strlen(paths[i]) + 48;
        staged[i] = nms__malloc(len);
        if (!staged[i]) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(staged[i], len, "%s.stage-%ld", paths[i], (long)getpid());
        st = write(staged[i], i, ctx, err);
        if (st == NMS_OK)
            written = i + 1;
        else
            remove(staged[i]); /* in case the writer left it */
    }
    for (size_t i = 0; i < written && st == NMS_OK; i++) {
        if (rename(staged[i], paths[i]) != 0)
            st = nms__fail_at(err, NMS_ERR_IO, paths[i], 0, 0, "%s: cannot rename into place: %s",
                              paths[i], strerror(errno));
        else
            renamed = i + 1;
    }
    if (st != NMS_OK) {
        for (size_t i = 0; i < renamed; i++)
            remove(paths[i]);
        for (size_t i = renamed; i < written; i++)
            remove(staged[i]);
    }
    for (size_t i = 0; i < n; i++)
        nms__free(staged[i]);
    nms__free(staged);
    return st;
}
