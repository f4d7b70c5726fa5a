/* fuzz_perm.c - libFuzzer target: the permutation-file reader (through
 * fmemopen, as nms_perm_read reads a FILE). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/perm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!f)
        return 0;
    int32_t *p = NULL;
    size_t n = 0;
    nms_error err;
    size_t expected = size > 1 ? data[0] % 8 : 0; /* sometimes insist on a length */
    if (nms__perm_read_stream(f, "fuzz.perm", expected, &p, &n, &err) == NMS_OK) {
        if (nms_perm_check(p, n, &err) != NMS_OK || (expected && n != expected))
            __builtin_trap();
        nms_free(p);
    }
    fclose(f);
    return 0;
}
