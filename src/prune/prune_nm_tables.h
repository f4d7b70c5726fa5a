/*
 * prune_nm_tables.h - lookup tables of the SIMD nm encoders (internal; each
 * including file gets its own static copy).
 *
 * A group's nonzero flags f (bit i = position i nonzero, at most two set)
 * give its code nib = i0 | i1 << 2 (NM_CODE: two flags -> their positions;
 * none, only 2 or only 3 -> (2,3); only 1 -> (1,2); only 0 -> (0,2);
 * formats-24.md sec. 3).  Tables indexed by the 8 flag bits of a pair of
 * groups (f & 15 = first group, f >> 4 = second):
 *   nm_shuffle[f][16]  byte shuffle of 8 16-bit elements (two groups) that
 *                      puts the four kept elements in bytes 0..7; byte 8
 *                      is nm_meta[f] (so the shuffled bytes 8..15 are
 *                      junk), bytes 9..15 are -128;
 *   nm_meta[f]         the meta byte code(first) | code(second) << 4;
 *   nm_idx8[f]         4 byte indices (one uint32, byte 0 first) picking the
 *                      kept bytes of 8 8-bit elements (two groups);
 * and by the 4 flag bits of one group:
 *   nm_shuffle32[f][16] byte shuffle of 4 32-bit elements putting the two
 *                      kept ones in bytes 0..7.
 */
#ifndef NMS_PRUNE_NM_TABLES_H
#define NMS_PRUNE_NM_TABLES_H

#include <stdint.h>

#define NM_CODE(n)                                                                        \
    ((n) == 3 ? 0x4 : (n) == 5 ? 0x8 : (n) == 6 ? 0x9 : (n) == 9 ? 0xC : (n) == 10 ? 0xD \
     : (n) == 1 ? 0x8 : (n) == 2 ? 0x9 : 0xE)
#define NM_I0(n) (NM_CODE(n) & 3)
#define NM_I1(n) (NM_CODE(n) >> 2)
#define NM_SHUF(f)                                                                         \
    {2 * NM_I0((f) & 15), 2 * NM_I0((f) & 15) + 1, 2 * NM_I1((f) & 15), 2 * NM_I1((f) & 15) + 1, \
     8 + 2 * NM_I0((f) >> 4), 9 + 2 * NM_I0((f) >> 4), 8 + 2 * NM_I1((f) >> 4),          \
     9 + 2 * NM_I1((f) >> 4), NM_SBYTE(NM_META(f)), -128, -128, -128, -128, -128, -128, -128}
#define NM_SBYTE(b) (((b) ^ 0x80) - 0x80) /* 0..255 as a signed char */
#define NM_SHUF4(f) NM_SHUF(f), NM_SHUF((f) + 1), NM_SHUF((f) + 2), NM_SHUF((f) + 3)
#define NM_SHUF16(f) NM_SHUF4(f), NM_SHUF4((f) + 4), NM_SHUF4((f) + 8), NM_SHUF4((f) + 12)
#define NM_META(f) (NM_CODE((f) & 15) | NM_CODE((f) >> 4) << 4)
#define NM_META4(f) NM_META(f), NM_META((f) + 1), NM_META((f) + 2), NM_META((f) + 3)
#define NM_META16(f) NM_META4(f), NM_META4((f) + 4), NM_META4((f) + 8), NM_META4((f) + 12)

static const signed char nm_shuffle[256][16] = {
    NM_SHUF16(0),   NM_SHUF16(16),  NM_SHUF16(32),  NM_SHUF16(48),
    NM_SHUF16(64),  NM_SHUF16(80),  NM_SHUF16(96),  NM_SHUF16(112),
    NM_SHUF16(128), NM_SHUF16(144), NM_SHUF16(160), NM_SHUF16(176),
    NM_SHUF16(192), NM_SHUF16(208), NM_SHUF16(224), NM_SHUF16(240),
};
static const unsigned char nm_meta[256] = {
    NM_META16(0),   NM_META16(16),  NM_META16(32),  NM_META16(48),
    NM_META16(64),  NM_META16(80),  NM_META16(96),  NM_META16(112),
    NM_META16(128), NM_META16(144), NM_META16(160), NM_META16(176),
    NM_META16(192), NM_META16(208), NM_META16(224), NM_META16(240),
};


#define NM_IDX8(f)                                                                        \
    ((uint32_t)NM_I0((f) & 15) | (uint32_t)NM_I1((f) & 15) << 8 |                         \
     (uint32_t)(4 + NM_I0((f) >> 4)) << 16 | (uint32_t)(4 + NM_I1((f) >> 4)) << 24)
#define NM_IDX8_4(f) NM_IDX8(f), NM_IDX8((f) + 1), NM_IDX8((f) + 2), NM_IDX8((f) + 3)
#define NM_IDX8_16(f) NM_IDX8_4(f), NM_IDX8_4((f) + 4), NM_IDX8_4((f) + 8), NM_IDX8_4((f) + 12)

static const uint32_t nm_idx8[256] = {
    NM_IDX8_16(0),   NM_IDX8_16(16),  NM_IDX8_16(32),  NM_IDX8_16(48),
    NM_IDX8_16(64),  NM_IDX8_16(80),  NM_IDX8_16(96),  NM_IDX8_16(112),
    NM_IDX8_16(128), NM_IDX8_16(144), NM_IDX8_16(160), NM_IDX8_16(176),
    NM_IDX8_16(192), NM_IDX8_16(208), NM_IDX8_16(224), NM_IDX8_16(240),
};

#define NM_SHUF32(f)                                                                      \
    {4 * NM_I0(f), 4 * NM_I0(f) + 1, 4 * NM_I0(f) + 2, 4 * NM_I0(f) + 3, 4 * NM_I1(f),   \
     4 * NM_I1(f) + 1, 4 * NM_I1(f) + 2, 4 * NM_I1(f) + 3, -128, -128, -128, -128, -128, \
     -128, -128, -128}
static const signed char nm_shuffle32[16][16] = {
    NM_SHUF32(0),  NM_SHUF32(1),  NM_SHUF32(2),  NM_SHUF32(3),  NM_SHUF32(4),  NM_SHUF32(5),
    NM_SHUF32(6),  NM_SHUF32(7),  NM_SHUF32(8),  NM_SHUF32(9),  NM_SHUF32(10), NM_SHUF32(11),
    NM_SHUF32(12), NM_SHUF32(13), NM_SHUF32(14), NM_SHUF32(15),
};

/* The same rule on 16 groups at once in a 64-bit word (SWAR, general
 * registers).  nm_codes16: sel holds exactly two set bits per nibble (the
 * positions i0 < i1 a group's values are read from, group g in bits
 * 4g..4g+3); returns the 16 codes i0 | i1 << 2, group g in bits 4g..4g+3
 * (= 8 nm meta bytes, little-endian): code = S + 3 - 2 [S == 0011] -
 * [S == 1100] (the six S values 3, 5, 6, 9, A, C map to 4, 8, 9, C, D, E;
 * no carries between nibbles). */
static inline uint64_t nm_codes16(uint64_t sel)
{
    const uint64_t ones = UINT64_C(0x1111111111111111);
    uint64_t t = sel & (sel >> 1);
    return sel + 3 * ones - (((t & ones) << 1) + ((t >> 2) & ones));
}

/* nz holds the nonzero flags of groups 0..15 of a pruned run (at most two
 * set per nibble).  Returns the selection S: per nibble the two positions
 * (i0, i1) the group's values are read from (nz itself when two flags are
 * set; {0,2}, {1,2} for a lone flag 0 / 1; {2,3} otherwise), and stores
 * nm_codes16(S) in *codes.  With count = nibble popcount (two SWAR steps)
 * and lt2 = count < 2: S = nz | lt2 << 2 | (lt2 and neither flag 0 nor 1) << 3.
 * (When nz has 32 bits set, every nibble has two: S = nz.) */
static inline uint64_t nm_select16(uint64_t nz, uint64_t *codes)
{
    const uint64_t ones = UINT64_C(0x1111111111111111);
    uint64_t c2 = nz - ((nz >> 1) & UINT64_C(0x5555555555555555));
    uint64_t c4 = (c2 & UINT64_C(0x3333333333333333)) + ((c2 >> 2) & UINT64_C(0x3333333333333333));
    uint64_t lt2 = ((c4 >> 1) & ones) ^ ones;
    uint64_t f01 = (nz | nz >> 1) & ones;
    uint64_t s = nz | lt2 << 2 | (lt2 & (f01 ^ ones)) << 3;
    *codes = nm_codes16(s);
    return s;
}

#endif /* NMS_PRUNE_NM_TABLES_H */
