/*
 * chan_bound.h - the Lagrangian bound from per-channel maxima of the
 * reduced cost (part.h (2)).
 *
 * For duals pi, a partition P is worth sum pi + sum_{S in P} rc(S).  With
 * u_i >= max_{S ni i} rc(S), a group's rc is at most the smallest u of its
 * four channels, so
 *
 *     value(P) <= sum pi + B(u),   B(u) = max over partitions Q of the
 *                                         channels of sum_{T in Q} min_{i in T} u_i.
 *
 * B is solved by sorting: with s_1 >= s_2 >= ... >= s_C the u in
 * decreasing order, the consecutive quadruples are a best Q (a group's
 * min is at most its fourth largest u), so
 *
 *     B(u) = s_4 + s_8 + ... + s_C                                    (3)
 *
 * the tightest bound that u alone gives.  It is never weaker than the
 * average (1/4) sum_i u_i (s_4m is at most the mean of s_4m-3 .. s_4m),
 * and much stronger when fewer than four channels hold a large u.
 *
 * A partition holding a group S is worth at most sum pi + rc(S) + B(u
 * without S's channels).  Removing channels lowers every order statistic,
 * so for every S that is at most
 *
 *     rest(u) = s_4 + s_8 + ... + s_(C-4).
 */
#ifndef NMS_PART_CHAN_BOUND_H
#define NMS_PART_CHAN_BOUND_H

#include <stddef.h>

/* B(u) and rest(u) of C values (C a multiple of 4; -HUGE_VAL allowed: no
 * group holds that channel), with s (C doubles) as scratch.  Either output
 * may be NULL. */
void nms__chan_bound(const double *u, size_t C, double *s, double *bound, double *rest);

#endif
