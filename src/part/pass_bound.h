/*
 * pass_bound.h - a Lagrangian bound from partial exact passes taken at
 * different duals (master.c, large C).
 *
 * The partial passes of part p = 0 .. P-1 (part.h: the root pairs with
 * (a + b) mod P = p) split the groups.  Pass p ran at duals pi_p and gave
 * per-channel maxima u_p: u_p,i >= rc_p(S) = v(S) - pi_p(S) for every
 * group S of part p holding i.  For any duals pi, with d = pi_p - pi,
 *
 *     rc(S) = rc_p(S) + sum_{j in S} d_j
 *           <= u_p,i + d_i + (the sum of the three largest d_j, j != i)
 *
 * for i in S (S's other three channels add at most the three largest).
 * The largest of these over p is a per-channel maximum for pi over all
 * groups, so every partition is worth at most sum pi + B(u) (chan_bound.h).
 * The bound is as good as a complete round's when the duals did not move
 * over the passes, and weaker the more they moved (at 160 x 960, one cycle
 * of eight passes: 8641.4 against a complete round's 8515.3, where the
 * unstructured bound is 8802.0).
 */
#ifndef NMS_PART_PASS_BOUND_H
#define NMS_PART_PASS_BOUND_H

#include <stddef.h>

/* The last complete pass of each part: its duals at pi + p*C, its
 * chan_ub at u + p*C, seen[p] once part p has had one. */
typedef struct nms__pass_memory {
    int parts;
    double *pi, *u;      /* parts * C */
    unsigned char *seen; /* parts */
} nms__pass_memory;

/* 0, or nonzero when out of memory (free it in either case). */
int nms__pass_memory_init(nms__pass_memory *m, int parts, size_t C);
void nms__pass_memory_free(nms__pass_memory *m);

/* Keep the duals pi and per-channel maxima u (C each) of a complete pass
 * of part `part`. */
void nms__pass_record(nms__pass_memory *m, int part, const double *pi, const double *u, size_t C);

/* The per-channel maxima u (C, a positive multiple of 4) for duals pi and
 * B(u) (chan_bound.h (3)), s (C) as scratch; returns 0 (and writes
 * nothing) while some part has had no pass. */
int nms__passes_bound(const nms__pass_memory *m, const double *pi, size_t C, double *u, double *s, double *B);

#endif
