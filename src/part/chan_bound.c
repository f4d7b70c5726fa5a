/* chan_bound.c - the per-channel Lagrangian bound B (chan_bound.h). */
#include <stdlib.h>
#include <string.h>

#include "part/chan_bound.h"

static int desc(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

void nms__chan_bound(const double *u, size_t C, double *s, double *bound, double *rest)
{
    memcpy(s, u, C * sizeof *s);
    qsort(s, C, sizeof *s, desc);
    double r = 0.0;
    for (size_t q = 3; q + 4 < C; q += 4)
        r += s[q];
    if (rest)
        *rest = r;
    if (bound)
        *bound = C >= 4 ? r + s[C - 1] : 0.0;
}
