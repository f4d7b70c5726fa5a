/*
 * pass_bound.c - the bound of pass_bound.h from the last pass of each part.
 */
#include <math.h>
#include <string.h>

#include "part/pass_bound.h"
#include "part/chan_bound.h"
#include "util/util.h"

int nms__pass_memory_init(nms__pass_memory *m, int parts, size_t C)
{
    m->parts = parts;
    m->pi = nms__malloc_array((size_t)parts * C, sizeof *m->pi);
    m->u = nms__malloc_array((size_t)parts * C, sizeof *m->u);
    m->seen = nms__calloc((size_t)parts, 1);
    return !m->pi || !m->u || !m->seen;
}

void nms__pass_memory_free(nms__pass_memory *m)
{
    nms__free(m->pi);
    nms__free(m->u);
    nms__free(m->seen);
}

void nms__pass_record(nms__pass_memory *m, int part, const double *pi, const double *u, size_t C)
{
    memcpy(m->pi + (size_t)part * C, pi, C * sizeof *pi);
    memcpy(m->u + (size_t)part * C, u, C * sizeof *u);
    m->seen[part] = 1;
}

int nms__passes_bound(const nms__pass_memory *m, const double *pi, size_t C, double *u, double *s, double *B)
{
    for (int p = 0; p < m->parts; p++)
        if (!m->seen[p])
            return 0;
    for (size_t i = 0; i < C; i++)
        u[i] = -HUGE_VAL;
    for (int p = 0; p < m->parts; p++) {
        const double *pp = m->pi + (size_t)p * C, *up = m->u + (size_t)p * C;
        double top[4] = {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL}; /* the four largest d, descending */
        for (size_t j = 0; j < C; j++) {
            double d = pp[j] - pi[j];
            for (int a = 0; a < 4; a++)
                if (d > top[a]) {
                    for (int b = 3; b > a; b--)
                        top[b] = top[b - 1];
                    top[a] = d;
                    break;
                }
        }
        for (size_t i = 0; i < C; i++) {
            double d = pp[i] - pi[i];
            /* the three largest d_j, j != i: i's own d is replaced by the
             * fourth when it is among the three (with ties the sum is the
             * same whichever copy is taken out) */
            double others = d >= top[2] ? top[0] + top[1] + top[2] - d + top[3] : top[0] + top[1] + top[2];
            double v = up[i] + d + others;
            if (v > u[i])
                u[i] = v;
        }
    }
    nms__chan_bound(u, C, s, B, NULL);
    return 1;
}
