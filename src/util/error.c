/* error.c - status names and filling caller-owned nms_error structs. */
#include <stdio.h>
#include <string.h>

#include "util/util.h"

const char *nms_version(void) { return NMS_VERSION_STRING; }

const char *nms_strerror(int status)
{
    switch (status) {
    case NMS_OK: return "success";
    case NMS_ERR_NOMEM: return "out of memory";
    case NMS_ERR_INVALID: return "invalid argument";
    case NMS_ERR_IO: return "input/output error";
    case NMS_ERR_FORMAT: return "malformed file";
    case NMS_ERR_UNSUPPORTED: return "unsupported";
    case NMS_ERR_RANGE: return "size or value out of range";
    case NMS_ERR_NONFINITE: return "NaN or infinity in data";
    case NMS_ERR_SHAPE: return "shape mismatch";
    case NMS_ERR_NUMERIC: return "numerical trouble";
    case NMS_ERR_INTERRUPTED: return "interrupted";
    case NMS_ERR_NOTFOUND: return "not found";
    case NMS_ERR_INTERNAL: return "internal error";
    default: return "unknown status";
    }
}

int nms__vfail(nms_error *err, int status, const char *fmt, va_list ap)
{
    if (err) {
        err->status = status;
        err->line = 0;
        err->column = 0;
        err->source[0] = '\0';
        vsnprintf(err->text, sizeof err->text, fmt, ap);
    }
    return status;
}

int nms__fail(nms_error *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nms__vfail(err, status, fmt, ap);
    va_end(ap);
    return status;
}

int nms__fail_at(nms_error *err, int status, const char *source, long line,
                 long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nms__vfail(err, status, fmt, ap);
    va_end(ap);
    if (err) {
        snprintf(err->source, sizeof err->source, "%s", source ? source : "");
        err->line = line;
        err->column = column;
    }
    return status;
}

void nms__error_prefix(nms_error *err, const char *prefix)
{
    char old[sizeof err->text];
    if (!err || !prefix)
        return;
    memcpy(old, err->text, sizeof old);
    size_t plen = strlen(prefix), cap = sizeof err->text - 1, n = 0;
    for (size_t i = 0; i < plen && n < cap; i++)
        err->text[n++] = prefix[i];
    for (const char *sep = ": "; *sep && n < cap; sep++)
        err->text[n++] = *sep;
    for (size_t i = 0; old[i] && n < cap; i++)
        err->text[n++] = old[i];
    err->text[n] = '\0';
}
