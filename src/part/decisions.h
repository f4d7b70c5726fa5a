/*
 * decisions.h - Ryan-Foster branching decisions and the groups they allow.
 *
 * A decision (i, j, together) keeps the groups that hold both channels i
 * and j or neither; (i, j, apart) keeps those that do not hold both.  A
 * group is allowed by a list of decisions when every one keeps it.
 *
 * Masks.  For many decisions, each channel c gets two bit words per block
 * of 64 decisions: bit q of mi(c) (of mj(c)) is set when c is the i (the
 * j) of decision q of the block.  For a group S let
 *
 *     I = OR_{c in S} mi(c),   J = OR_{c in S} mj(c):
 *
 * bit q of I (of J) says S holds decision q's i (its j).  S breaks a
 * "together" decision q when bit q of I ^ J is set (it holds one of the two
 * channels), and an "apart" one when bit q of I & J is set (it holds both).
 * So a group is checked against a block of 64 decisions with eight lookups
 * and a few bit operations, however many decisions there are; the plain
 * check compares each decision with each of the group's channels.
 */
#ifndef NMS_PART_DECISIONS_H
#define NMS_PART_DECISIONS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dec {
    int32_t i, j;
    int together;
} dec;

/* 1 when every decision of d[0 .. nd) allows group g. */
static inline int allowed(const int32_t g[4], const dec *d, size_t nd)
{
    for (size_t q = 0; q < nd; q++) {
        int hi = 0, hj = 0;
        for (int k = 0; k < 4; k++) {
            hi |= g[k] == d[q].i;
            hj |= g[k] == d[q].j;
        }
        if (d[q].together ? hi != hj : (hi && hj))
            return 0;
    }
    return 1;
}

/* Words of masks for nd decisions over C channels: per block of 64
 * decisions, 2 C channel words (mi(c) at 2 c, mj(c) at 2 c + 1) and one
 * word with bit q set when decision q is "together". */
static inline size_t dec_mask_blocks(size_t nd)
{
    return (nd + 63) / 64;
}

static inline size_t dec_mask_words(size_t nd, size_t C)
{
    return dec_mask_blocks(nd) * (2 * C + 1);
}

/* The masks of d[0 .. nd) over C channels, dec_mask_words(nd, C) words in
 * m (nothing for nd = 0: m may be NULL). */
static inline void dec_masks(const dec *d, size_t nd, size_t C, uint64_t *m)
{
    if (nd == 0)
        return;
    memset(m, 0, dec_mask_words(nd, C) * sizeof *m);
    for (size_t q = 0; q < nd; q++) {
        uint64_t bit = (uint64_t)1 << (q % 64);
        uint64_t *mb = m + (q / 64) * (2 * C + 1);
        mb[2 * (size_t)d[q].i] |= bit;
        mb[2 * (size_t)d[q].j + 1] |= bit;
        if (d[q].together)
            mb[2 * C] |= bit;
    }
}

/* allowed() by the masks m of nb blocks (dec_masks). */
static inline int allowed_by_masks(const uint16_t g[4], const uint64_t *m, size_t nb, size_t C)
{
    for (size_t h = 0; h < nb; h++, m += 2 * C + 1) {
        uint64_t I = m[2 * g[0]] | m[2 * g[1]] | m[2 * g[2]] | m[2 * g[3]];
        uint64_t J = m[2 * g[0] + 1] | m[2 * g[1] + 1] | m[2 * g[2] + 1] | m[2 * g[3] + 1];
        uint64_t tog = m[2 * C];
        if (((I ^ J) & tog) | (I & J & ~tog))
            return 0;
    }
    return 1;
}

#endif
