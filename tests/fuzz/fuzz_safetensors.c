/* fuzz_safetensors.c - libFuzzer target: the safetensors reader; every
 * tensor of an accepted file is looked up by name, loaded and viewed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nmsparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nms_safetensors *f = NULL;
    nms_error err;
    if (nms_st_open_mem(data, size, "fuzz.safetensors", &f, &err) != NMS_OK)
        return 0;
    size_t n = nms_st_count(f);
    for (size_t i = 0; i < n; i++) {
        size_t idx;
        if (nms_st_find(f, nms_st_name(f, i), &idx) != NMS_OK || idx != i)
            __builtin_trap(); /* names are unique, so lookup finds the same tensor */
        nms_tensor *t = NULL, *m = NULL;
        if (nms_st_load(f, i, &t, &err) != NMS_OK)
            __builtin_trap(); /* a validated header guarantees the bytes exist */
        if (nms_tensor_ndim(t) != nms_st_ndim(f, i) || nms_tensor_dtype(t) != nms_st_dtype(f, i))
            __builtin_trap();
        if (nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err) == NMS_OK)
            nms_tensor_free(m);
        nms_tensor_free(t);
    }
    for (size_t i = 0; i < nms_st_metadata_count(f); i++)
        if (!nms_st_metadata_key(f, i) || !nms_st_metadata_value(f, i))
            __builtin_trap();
    nms_st_close(f);
    return 0;
}
