/*
 * pack_bound.h - a Lagrangian bound from the columns of a complete exact
 * pricing round, tighter than the per-channel one (chan_bound.h).
 *
 * For duals pi every partition P is worth sum pi + sum_{S in P} rc(S)
 * (part.h (2)).  A complete round lists every group with rc(S) > t (t its
 * final threshold, with the rounding margin), so every other group has
 * rc(S) <= t, and with w(S) = rc(S) - t for the listed groups,
 *
 *     sum_{S in P} rc(S) <= (C/4) t + sum_{S in P, listed} w(S)
 *                        <= (C/4) t + W,
 *
 * W the best packing (disjoint listed groups) by weight w.  W is at most
 * the value of the packing LP
 *
 *     max sum_S w(S) x_S   s.t.  sum_{S ni i} x_S <= 1 (every channel i),  x >= 0,
 *
 * and, for any y >= 0, at most sum_i y_i + (C/4) max(0, max_S (w(S) - y(S)))
 * (a packing holds at most C/4 groups and covers each channel once).  So
 * with y the LP's row duals (clipped at 0, so that rounding cannot make
 * the bound invalid)
 *
 *     z* <= sum pi + (C/4) t + sum_i y_i + (C/4) max(0, max_S (w(S) - y(S))).
 *
 * The per-channel bound B(u) relaxes the same packing: it lets any four
 * channels form a group worth the smallest of their u.  Where the listed
 * groups overlap (near the LP optimum a few hundred positive groups share
 * their channels), the packing is much smaller.
 */
#ifndef NMS_PART_PACK_BOUND_H
#define NMS_PART_PACK_BOUND_H

#include <stddef.h>

#include "nmsparse.h"

struct nms__col;

/* The bound above on max_P sum_{S in P} rc(S) for C channels (a positive
 * multiple of 4), from the n listed groups cols (rc w.r.t. the duals) of a
 * round above whose threshold t every group is listed: *bound (HUGE_VAL
 * when t is not finite or the packing LP was not solved).  Returns NMS_OK
 * or an error (out of memory). */
int nms__pack_bound(const struct nms__col *cols, size_t n, size_t C, double t, double *bound, nms_error *err);

#endif
