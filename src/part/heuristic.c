/*
 * heuristic.c - primal heuristics for the channel partition problem:
 * greedy start, group-pair re-split local search, and the classic
 * best-improving channel-swap search.  All deterministic (fixed scan order,
 * ties to the lowest index); improvements must exceed a relative 1e-12 so
 * rounding cannot make them cycle.
 */
#include <math.h>
#include <string.h>

#include "part/part.h"
#include "util/util.h"

/* sum_r top2 over the n (<= 4) channels g[0..n). */
static double set_value(const nms__pp *p, const int32_t *g, int n)
{
    if (n == 4)
        return nms__pp_group_value(p, g);
    double sum = 0.0;
    for (size_t r = 0; r < p->R; r++) {
        double a = 0.0, b = 0.0;
        for (int q = 0; q < n; q++) {
            double x = p->x[(size_t)g[q] * p->Rp + r];
            if (x > a) {
                b = a;
                a = x;
            } else if (x > b) {
                b = x;
            }
        }
        sum += a + b;
    }
    return sum;
}

int nms__greedy_start(const nms__pp *p, int32_t *perm, const nms__ctl *ctl, nms_error *err)
{
    size_t C = p->C;
    unsigned char *used = nms__calloc(C, 1);
    double *colsum = nms__malloc_array(C, sizeof *colsum);
    if (!used || !colsum) {
        nms__free(used);
        nms__free(colsum);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the greedy start");
    }
    for (size_t c = 0; c < C; c++) {
        double s = 0.0;
        for (size_t r = 0; r < p->R; r++)
            s += p->x[c * p->Rp + r];
        colsum[c] = s;
    }
    for (size_t g = 0; g < C / 4; g++) {
        int32_t grp[4];
        size_t best = C;
        for (size_t c = 0; c < C; c++)
            if (!used[c] && (best == C || colsum[c] > colsum[best]))
                best = c;
        grp[0] = (int32_t)best;
        used[best] = 1;
        int late = nms__ctl_stop(ctl); /* out of time: plain index order */
        for (int n = 1; n < 4; n++) {
            if (late) {
                size_t c = 0;
                while (used[c])
                    c++;
                grp[n] = (int32_t)c;
                used[c] = 1;
                continue;
            }
            double bv = -1.0;
            size_t bc = C;
            for (size_t c = 0; c < C; c++) {
                if (used[c])
                    continue;
                grp[n] = (int32_t)c;
                double v = set_value(p, grp, n + 1);
                if (v > bv) {
                    bv = v;
                    bc = c;
                }
            }
            grp[n] = (int32_t)bc;
            used[bc] = 1;
        }
        memcpy(perm + 4 * g, grp, sizeof grp);
    }
    nms__free(used);
    nms__free(colsum);
    return NMS_OK;
}

double nms__best_split8(const nms__pp *p, const int32_t ch[8], int other, int32_t out[8])
{
    double best = -1.0;
    for (int a = 1; a < 8; a++)
        for (int b = a + 1; b < 8; b++)
            for (int c = b + 1; c < 8; c++) {
                if (other && c == 3) /* a, b, c = 1, 2, 3: the split as given */
                    continue;
                int32_t g1[4] = {ch[0], ch[a], ch[b], ch[c]}, g2[4];
                int n2 = 0;
                for (int q = 1; q < 8; q++)
                    if (q != a && q != b && q != c)
                        g2[n2++] = ch[q];
                double v = nms__pp_group_value(p, g1) + nms__pp_group_value(p, g2);
                if (v > best) {
                    best = v;
                    if (out) {
                        memcpy(out, g1, sizeof g1);
                        memcpy(out + 4, g2, sizeof g2);
                    }
                }
            }
    return best;
}

int nms__ls_resplit(const nms__pp *p, int32_t *perm, int threads, const nms__ctl *ctl, nms_error *err)
{
    /* Sequential: a speculative parallel version (same moves) burnt twice the
     * processor time at barriers for little wall-clock gain. */
    (void)threads;
    size_t G = p->C / 4;
    double *gv = nms__malloc_array(G, sizeof *gv);
    long *mod = nms__malloc_array(G, sizeof *mod);
    if (!gv || !mod) {
        nms__free(gv);
        nms__free(mod);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the local search");
    }
    for (size_t g = 0; g < G; g++) {
        gv[g] = nms__pp_group_value(p, perm + 4 * g);
        mod[g] = 0;
    }
    for (long pass = 1;; pass++) {
        int changed = 0;
        for (size_t g = 0; g < G; g++) {
            for (size_t h = g + 1; h < G; h++) {
                if (mod[g] < pass - 1 && mod[h] < pass - 1)
                    continue;
                if (nms__ctl_stop(ctl))
                    goto done;
                int32_t ch[8], out[8];
                memcpy(ch, perm + 4 * g, 4 * sizeof *ch);
                memcpy(ch + 4, perm + 4 * h, 4 * sizeof *ch);
                double old = gv[g] + gv[h];
                double v = nms__best_split8(p, ch, 0, out);
                if (v > old + 1e-12 * old + 1e-300) {
                    memcpy(perm + 4 * g, out, 4 * sizeof *out);
                    memcpy(perm + 4 * h, out + 4, 4 * sizeof *out);
                    gv[g] = nms__pp_group_value(p, out);
                    gv[h] = nms__pp_group_value(p, out + 4);
                    mod[g] = mod[h] = pass;
                    changed = 1;
                }
            }
        }
        if (!changed)
            break;
    }
done:
    nms__free(gv);
    nms__free(mod);
    return NMS_OK;
}

/* ---- classic channel swap ------------------------------------------------ */

typedef struct swapst {
    const nms__pp *p;
    int32_t *perm;   /* C: groups at 4g..4g+3 */
    int32_t *pos;    /* C: position of channel c in perm */
    double *gv;      /* G */
    double *D;       /* C*C: gain of swapping channels a, b (a < b), -inf if same group */
} swapst;

static double swap_gain(const swapst *s, int32_t a, int32_t b)
{
    int32_t pa = s->pos[a], pb = s->pos[b];
    int32_t ga = pa / 4, gb = pb / 4;
    if (ga == gb)
        return -HUGE_VAL;
    int32_t g1[4], g2[4];
    memcpy(g1, s->perm + 4 * ga, sizeof g1);
    memcpy(g2, s->perm + 4 * gb, sizeof g2);
    g1[pa % 4] = b;
    g2[pb % 4] = a;
    return nms__pp_group_value(s->p, g1) + nms__pp_group_value(s->p, g2) - s->gv[ga] - s->gv[gb];
}

int nms__swap_search(const nms__pp *p, int32_t *perm, const nms__ctl *ctl, nms_error *err)
{
    size_t C = p->C, G = C / 4, CC;
    if (nms__mul_size(C, C, &CC))
        return nms__fail(err, NMS_ERR_RANGE, "too many channels (%zu)", C);
    swapst s = {p, perm, nms__malloc_array(C, sizeof(int32_t)), nms__malloc_array(G, sizeof(double)),
                nms__malloc_array(CC, sizeof(double))};
    if (!s.pos || !s.gv || !s.D) {
        nms__free(s.pos);
        nms__free(s.gv);
        nms__free(s.D);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the swap search (C = %zu)", C);
    }
    for (size_t j = 0; j < C; j++)
        s.pos[perm[j]] = (int32_t)j;
    for (size_t g = 0; g < G; g++)
        s.gv[g] = nms__pp_group_value(p, perm + 4 * g);
    for (size_t a = 0; a < C; a++) {
        if (nms__ctl_stop(ctl))
            goto done;
        for (size_t b = a + 1; b < C; b++)
            s.D[a * C + b] = swap_gain(&s, (int32_t)a, (int32_t)b);
    }
    for (;;) {
        double best = 0.0;
        size_t ba = C, bb = C;
        for (size_t a = 0; a < C; a++)
            for (size_t b = a + 1; b < C; b++)
                if (s.D[a * C + b] > best) {
                    best = s.D[a * C + b];
                    ba = a;
                    bb = b;
                }
        if (ba == C)
            break;
        int32_t pa = s.pos[ba], pb = s.pos[bb], ga = pa / 4, gb = pb / 4;
        double old = s.gv[ga] + s.gv[gb];
        if (!(best > 1e-12 * old + 1e-300))
            break;
        if (nms__ctl_stop(ctl))
            break;
        perm[pa] = (int32_t)bb;
        perm[pb] = (int32_t)ba;
        s.pos[ba] = pb;
        s.pos[bb] = pa;
        s.gv[ga] = nms__pp_group_value(p, perm + 4 * ga);
        s.gv[gb] = nms__pp_group_value(p, perm + 4 * gb);
        int32_t touched[8];
        memcpy(touched, perm + 4 * ga, 4 * sizeof(int32_t));
        memcpy(touched + 4, perm + 4 * gb, 4 * sizeof(int32_t));
        for (int q = 0; q < 8; q++) {
            size_t a = (size_t)touched[q];
            for (size_t b = 0; b < C; b++) {
                if (b == a)
                    continue;
                size_t lo = a < b ? a : b, hi = a < b ? b : a;
                s.D[lo * C + hi] = swap_gain(&s, (int32_t)lo, (int32_t)hi);
            }
        }
    }
done:
    nms__free(s.pos);
    nms__free(s.gv);
    nms__free(s.D);
    return NMS_OK;
}
