/*
 * util.h - internal helpers shared by every module of libnmsparse.
 *
 * Errors: nms__fail() fills a caller-owned nms_error (which may be NULL)
 * with a status and a printf-style message and returns the status, so a
 * failing path reads `return nms__fail(err, NMS_ERR_FORMAT, "%s: ...", path)`.
 *
 * Sizes: nms__mul_size() / nms__add_size() compute a*b and a+b in size_t and
 * report overflow instead of wrapping; every allocation whose size comes from
 * a file goes through them (or through nms__malloc_array()).
 *
 * Memory: nms__malloc / nms__calloc / nms__realloc / nms__free wrap the C
 * allocator; nms__malloc_array(n, size) returns NULL both on overflow of n*size
 * and on exhaustion.  Zero-size requests return a valid unique pointer.
 *
 * Internal symbols use the `nms__` prefix; the shared library exports only
 * `nms_[a-z]*` (see Makefile.am).
 */
#ifndef NMS_UTIL_H
#define NMS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

#if defined(__GNUC__) || defined(__clang__)
#define NMS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define NMS_UNUSED __attribute__((unused))
#else
#define NMS_PRINTF(fmt, args)
#define NMS_UNUSED
#endif

/* Fill err (if not NULL) and return status. */
int nms__fail(nms_error *err, int status, const char *fmt, ...) NMS_PRINTF(3, 4);
int nms__vfail(nms_error *err, int status, const char *fmt, va_list ap) NMS_PRINTF(3, 0);
/* Same, also recording source file, line and column (0 = unknown). */
int nms__fail_at(nms_error *err, int status, const char *source, long line,
                 long column, const char *fmt, ...) NMS_PRINTF(6, 7);
/* Prefix an already-filled error message with "prefix: ". */
void nms__error_prefix(nms_error *err, const char *prefix);

/* Checked size arithmetic: return 0 on success, -1 on overflow. */
int nms__mul_size(size_t a, size_t b, size_t *out);
int nms__add_size(size_t a, size_t b, size_t *out);

void *nms__malloc(size_t size);
void *nms__calloc(size_t n, size_t size);
void *nms__realloc(void *p, size_t size);
void *nms__malloc_array(size_t n, size_t size);
void *nms__realloc_array(void *p, size_t n, size_t size);
void nms__free(void *p);
/* strdup through nms__malloc. */
char *nms__strdup(const char *s);

/* Seconds on a monotonic clock. */
double nms__now(void);
/* Pause the calling thread (about that long; a signal may end it early). */
void nms__sleep(double seconds);

#endif /* NMS_UTIL_H */
