/* alloc.c - allocation wrappers with overflow-checked sizes. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int nms__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return -1;
    *out = a * b;
    return 0;
}

int nms__add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return -1;
    *out = a + b;
    return 0;
}

void *nms__malloc(size_t size) { return malloc(size ? size : 1); }

void *nms__calloc(size_t n, size_t size)
{
    if (n == 0 || size == 0)
        return calloc(1, 1);
    if (n > SIZE_MAX / size)
        return NULL;
    return calloc(n, size);
}

void *nms__realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }

void *nms__malloc_array(size_t n, size_t size)
{
    size_t total;
    if (nms__mul_size(n, size, &total))
        return NULL;
    return nms__malloc(total);
}

void *nms__realloc_array(void *p, size_t n, size_t size)
{
    size_t total;
    if (nms__mul_size(n, size, &total))
        return NULL;
    return nms__realloc(p, total);
}

void nms__free(void *p) { free(p); }

void nms_free(void *p) { free(p); }

char *nms__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = nms__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
