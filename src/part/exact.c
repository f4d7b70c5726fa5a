/*
 * exact.c - exact search for the best partition among an enumerated pool
 * of groups.
 *
 * Given groups S with reduced costs rc(S) (w.r.t. some pi), find a
 * partition of {0..C-1} into pool groups maximising sum rc(S) (equivalently
 * the value, part.h (2)).  Depth-first: the lowest uncovered channel c must
 * be covered by a group whose smallest channel is c (every smaller channel
 * is already covered), so groups are indexed by their smallest channel and
 * tried in rc order.  Bound for a partial partition: its rc plus, for every
 * uncovered channel i, share(i) = max over pool groups containing i of
 * rc(S) / 4 (a group's rc is the sum of its channels' quarter shares).
 * A node is cut when that bound is <= the best sum found (or the target).
 *
 * Arrays: start[C + 1] / idx[n] (groups by smallest channel), share[C],
 * covered[C], stack of C / 4 choices.
 */
#include <math.h>
#include <string.h>

#include "part/part.h"
#include "util/util.h"

typedef struct sp {
    const nms__col *cols;
    size_t C;
    const size_t *start, *idx;
    const double *share;
    unsigned char *covered;
    size_t *choice, *best_choice;
    double best;
    int found, stop;
    long nodes;
    double deadline;
    volatile int *interrupt;
} sp;

static void dfs(sp *s, size_t depth, size_t lowest, double cur, double rem)
{
    while (lowest < s->C && s->covered[lowest])
        lowest++;
    if (lowest == s->C) {
        if (cur > s->best) {
            s->best = cur;
            s->found = 1;
            memcpy(s->best_choice, s->choice, depth * sizeof *s->choice);
        }
        return;
    }
    if (s->stop)
        return;
    if ((++s->nodes & 4095) == 0 &&
        ((s->interrupt && *s->interrupt) || (s->deadline > 0 && nms__now() > s->deadline))) {
        s->stop = 1;
        return;
    }
    for (size_t q = s->start[lowest]; q < s->start[lowest + 1]; q++) {
        const nms__col *c = &s->cols[s->idx[q]];
        if (s->covered[c->g[1]] || s->covered[c->g[2]] || s->covered[c->g[3]])
            continue;
        double r = rem - s->share[c->g[0]] - s->share[c->g[1]] - s->share[c->g[2]] - s->share[c->g[3]];
        if (cur + c->rc + r <= s->best)
            continue;
        for (int k = 0; k < 4; k++)
            s->covered[c->g[k]] = 1;
        s->choice[depth] = s->idx[q];
        dfs(s, depth + 1, lowest + 1, cur + c->rc, r);
        for (int k = 0; k < 4; k++)
            s->covered[c->g[k]] = 0;
        if (s->stop)
            return;
    }
}

int nms__sp_search(const nms__pp *p, const nms__col *cols, size_t n,
                   double best_rc, double deadline, volatile int *interrupt,
                   int32_t *perm, int *found, double *found_rc,
                   int *complete, long *nodes, nms_error *err)
{
    size_t C = p->C;
    size_t *start = nms__calloc(C + 2, sizeof *start);
    size_t *idx = nms__malloc_array(n ? n : 1, sizeof *idx);
    double *share = nms__malloc_array(C, sizeof *share);
    unsigned char *covered = nms__calloc(C, 1);
    size_t *choice = nms__malloc_array(C / 4 + 1, sizeof *choice);
    size_t *best_choice = nms__malloc_array(C / 4 + 1, sizeof *best_choice);
    int st = NMS_OK;
    *found = 0;
    *complete = 0;
    if (!start || !idx || !share || !covered || !choice || !best_choice) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the partition search (%zu groups)", n);
        goto out;
    }
    for (size_t i = 0; i < C; i++)
        share[i] = -HUGE_VAL;
    for (size_t q = 0; q < n; q++) {
        start[cols[q].g[0] + 1]++;
        for (int k = 0; k < 4; k++)
            if (cols[q].rc / 4 > share[cols[q].g[k]])
                share[cols[q].g[k]] = cols[q].rc / 4;
    }
    double rem = 0.0;
    for (size_t i = 0; i < C; i++) {
        if (share[i] == -HUGE_VAL) { /* a channel no pool group covers: no partition */
            *complete = 1;
            goto out;
        }
        rem += share[i];
        start[i + 1] += start[i];
    }
    /* cols are in rc-descending order, so a stable bucket fill keeps it. */
    {
        size_t *tmp = nms__malloc_array(C, sizeof *tmp);
        if (!tmp) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the partition search");
            goto out;
        }
        memcpy(tmp, start, C * sizeof *tmp);
        for (size_t q = 0; q < n; q++)
            idx[tmp[cols[q].g[0]]++] = q;
        nms__free(tmp);
    }
    sp s = {cols, C, start, idx, share, covered, choice, best_choice, best_rc, 0, 0, 0,
            deadline, interrupt};
    dfs(&s, 0, 0, 0.0, rem);
    *nodes += s.nodes;
    *complete = !s.stop;
    if (s.found) {
        *found = 1;
        *found_rc = s.best;
        for (size_t g = 0; g < C / 4; g++)
            memcpy(perm + 4 * g, cols[best_choice[g]].g, 4 * sizeof(int32_t));
    }
out:
    nms__free(start);
    nms__free(idx);
    nms__free(share);
    nms__free(covered);
    nms__free(choice);
    nms__free(best_choice);
    return st;
}
