/*
 * testdata.h - deterministic test inputs for the 2:4 pruning kernels, shared
 * by the Check suite (tests/check_prune.c) and the cross-built NEON driver
 * (tests/prune/neon_cross.c).  Elements are raw little-endian bit patterns of
 * the dtype (4, 2, 2 or 1 bytes); no generator produces NaN.
 */
#ifndef NMS_TESTS_PRUNE_TESTDATA_H
#define NMS_TESTS_PRUNE_TESTDATA_H

#include <stddef.h>
#include <stdint.h>

enum prune_test_dtype { PT_F32, PT_F16, PT_BF16, PT_I8, PT_DTYPE_COUNT };
enum prune_test_pattern {
    PT_RANDOM,       /* uniformly random bit patterns (NaN remapped)          */
    PT_TIES,         /* few distinct magnitudes: ties everywhere               */
    PT_SPECIAL,      /* +-0, subnormals, smallest/largest normals, +-inf, -128 */
    PT_EQUAL_GROUPS, /* each group: one magnitude with random signs            */
    PT_PATTERN_COUNT
};

size_t prune_test_elem_size(int dtype);
/* The bits of an element that are its magnitude (a nonzero element has one set). */
uint32_t prune_test_mag_mask(int dtype);
const char *prune_test_dtype_name(int dtype);
const char *prune_test_pattern_name(int pattern);
/* Fill n elements. */
void prune_test_fill(int dtype, int pattern, uint64_t seed, void *buf, size_t n);
/* Every group of 4 drawn from a small alphabet of adversarial values:
 * writes min(max_groups, alphabet^4) groups and returns how many. */
size_t prune_test_fill_all_combinations(int dtype, void *buf, size_t max_groups);
/* A quiet NaN, a signalling NaN and a negative NaN bit pattern (index 0..2). */
void prune_test_nan(int dtype, int which, void *elem);

uint64_t prune_test_rand(uint64_t *state);

#endif
