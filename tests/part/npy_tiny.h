/* npy_tiny.h - a private reader for the test data only: .npy v1.0, '<f4',
 * C order, 2-D.  The library and CLI use nms_npy_read instead. */
#ifndef NMS_TEST_NPY_TINY_H
#define NMS_TEST_NPY_TINY_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"

/* Returns a 2-D F32 tensor or NULL. */
static nms_tensor *npy_tiny_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char pre[10];
    nms_tensor *t = NULL;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) || pre[6] != 1) {
        fclose(f);
        return NULL;
    }
    size_t hl = (size_t)pre[8] | ((size_t)pre[9] << 8);
    char *h = calloc(hl + 1, 1);
    if (!h || fread(h, 1, hl, f) != hl || !strstr(h, "'<f4'") || !strstr(h, "'fortran_order': False")) {
        free(h);
        fclose(f);
        return NULL;
    }
    const char *sh = strstr(h, "'shape': (");
    size_t dims[2] = {0, 0};
    if (sh && sscanf(sh + 10, "%zu, %zu)", &dims[0], &dims[1]) == 2 &&
        nms_tensor_create(NMS_DTYPE_F32, 2, dims, &t, NULL) == NMS_OK) {
        if (fread(nms_tensor_data(t), 4, dims[0] * dims[1], f) != dims[0] * dims[1]) {
            nms_tensor_free(t);
            t = NULL;
        }
    }
    free(h);
    fclose(f);
    return t;
}
#endif
