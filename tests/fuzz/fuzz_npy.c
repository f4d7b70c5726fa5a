/* fuzz_npy.c - libFuzzer target: the .npy reader, then the matrix view and
 * a conversion round trip of whatever it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nms_tensor *t = NULL, *m = NULL, *h = NULL;
    nms_error err;
    if (nms_npy_read_mem(data, size, "fuzz.npy", &t, &err) != NMS_OK)
        return 0;
    for (int layout = NMS_LAYOUT_AUTO; layout <= NMS_LAYOUT_HWIO; layout++) {
        size_t rows, cols;
        if (nms_tensor_matrix_shape(t, (nms_layout)layout, &rows, &cols, &err) != NMS_OK)
            continue;
        if (nms_tensor_to_matrix(t, (nms_layout)layout, &m, &err) == NMS_OK) {
            nms_tensor *back = NULL;
            if (nms_matrix_to_tensor(m, (nms_layout)layout, nms_tensor_ndim(t), nms_tensor_shape(t), &back, &err) !=
                NMS_OK)
                __builtin_trap(); /* the inverse of a view that worked must work */
            nms_tensor_free(back);
            nms_tensor_free(m);
        }
    }
    if (nms_tensor_convert(t, NMS_DTYPE_F16, &h, &err) == NMS_OK) {
        nms_tensor *b = NULL;
        (void)nms_tensor_convert(h, nms_tensor_dtype(t), &b, &err);
        nms_tensor_free(b);
        nms_tensor_free(h);
    }
    nms_tensor_free(t);
    return 0;
}
