/*
 * lap.h - the dense linear assignment problem.
 *
 * Given an n x n matrix w (row-major), find a permutation sigma of
 * {0..n-1} maximising
 *
 *     sum_i w[i][sigma(i)].
 *
 * Solved by shortest augmenting paths with potentials (the Hungarian
 * method in the Jonker-Volgenant form): rows are added one at a time; for
 * each, a Dijkstra-like scan over the columns with reduced costs
 * c[i][j] - u_i - v_j >= 0 (c = -w, minimised) finds the cheapest
 * augmenting path, and the potentials keep every reduced cost nonnegative.
 * O(n^3) time, O(n) memory besides w.  Deterministic: among columns at
 * equal distance a free one first, then the lowest index.
 */
#ifndef NMS_PART_LAP_H
#define NMS_PART_LAP_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"
#include "part/part.h"

/* sigma[i] = the column of row i.  Returns NMS_OK, or an error (no memory),
 * or NMS_OK with *done = 0 when ctl said stop first (sigma then untouched);
 * ctl is checked once per row and may be NULL. */
int nms__lap_max(const double *w, size_t n, int32_t *sigma, const nms__ctl *ctl, int *done, nms_error *err);

#endif /* NMS_PART_LAP_H */
