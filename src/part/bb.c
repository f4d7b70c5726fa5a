/*
 * bb.c - branch-and-price over an explicit pool of groups, Ryan-Foster
 * branching.
 *
 * Problem: max sum_S v(S) x_S over partitions built from pool groups only.
 * A node is a list of decisions (i, j, together) / (i, j, apart); a group is
 * allowed at a node when it holds both or neither of every "together" pair
 * and not both of any "apart" pair.  At each node the master LP (columns: a
 * subset of the pool, plus one artificial column per channel with cost -BIG
 * so every node LP is feasible) is solved and priced against the allowed
 * pool groups (a plain scan of the pool) until no allowed group has
 * positive reduced cost.  The node bound is Lagrangian (part.h (3)) and
 * rigorous for any duals pi: with u_i the largest rc(S) of the allowed
 * groups holding channel i,
 *
 *     best partition at the node <= sum_i pi_i + B(u)
 *
 * (B: every fourth u in decreasing order, chan_bound.h; minus infinity
 * when some channel is in no allowed group).  Nodes with
 * bound <= the target are cut.  Integral LP solutions (without
 * artificials) are partitions.
 *
 * Reduced-cost filtering per node.  With the duals pi and the u of a node's
 * last scan, any partition at the node (or below it) that contains S is
 * worth at most sum pi + rc(S) + (1/4) sum_{i not in S} u_i (chan_bound.h),
 * so a group with rc(S) - (1/4) sum_{i in S} u_i <= target - sum pi -
 * (1/4) sum_i u_i can never be in a partition better than the target
 * there.  The node's children get the list of its surviving groups
 * (shared, reference counted; when it is over 3/4 of the node's own list,
 * the node's list itself, to save memory), so deep nodes scan and price
 * far fewer groups than the pool; LP columns outside a node's list are
 * fixed at zero, and deleted (those not
 * basic, so the basis stays warm) when they are a quarter of it or more.
 *
 * Branching pair: of the pairs (i, j) whose f_ij = sum_{S ni i,j} x_S is
 * fractional, the one with the best pseudo-cost score (see pcost: how far
 * the bound fell from parent to child when the pair was branched on
 * before, per unit of f the decision moved; ties: the lowest pair); near
 * the root (at most SB_DEPTH decisions), the best of the four best-scored
 * by strong branching (see strong_pair).  Open
 * nodes are taken best bound first (ties: the newest), parked nodes (whose
 * cold LP ran out of its iterations, see eval_node) only when no other
 * is open.
 *
 * Scans.  A node first gathers the allowed groups of its list into
 * contiguous arrays (pool index, 16-bit channels, value; its decisions are
 * checked from the first one its list does not already satisfy), so that
 * each pricing scan reads them in order instead of the pool's scattered
 * 32-byte records.  A dive's step gathers from these arrays as the step
 * before it left them (the groups it kept when they make a new list, else
 * all it gathered), checking only its three new decisions, so it reads no
 * pool records and makes no lists, and it scans the same groups as it
 * would from the lists (a plunge into the worker's own child does the
 * same from what its parent left, checking its one new decision): on a
 * 24 x 256 problem (a large window of ssd L005), the search over its
 * 7.45 M enumerated groups made its first 150
 * node and dive evaluations in 8.4 s instead of 11.7 s (one thread, the
 * same evaluations; 8.7 s with a branch in the scan's per-channel maxima).
 *
 * Arrays: per worker, pool-sized stamps and LP flags, the gathered arrays
 * and the filter's flags (21 bytes per group), C*C pair sums; the open-node
 * list with each node's decisions; the pseudo-costs (24 C*C bytes).
 *
 * Order: nodes are evaluated in batches of four, one LP per worker (see
 * BATCH below); a worker first plunges into the "together" child of the node
 * it just evaluated while that child's bound is within the top half of the
 * open gap, otherwise it takes the best open node.  A node carries its
 * parent's final LP basis; a worker that jumps to it starts its LP from
 * that basis (see save_basis and load_basis), so only the branching
 * decision separates the start from the optimum, as in a plunge.
 *
 * Partitions: integral node LPs, and at the nodes of the rounding schedule
 * (see nms__bb_pool) the better of an LP rounding (round_lp) and a dive
 * from the node (dive).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/decisions.h"
#include "part/part.h"
#include "util/util.h"

/* A node's candidate groups: indices into the pool, shared by siblings.
 * They satisfy the first nd decisions of every node using the list (a
 * node's decisions extend its parent's), so only the later ones are
 * checked. */
typedef struct flist {
    size_t n, nd;
    int refs;
    uint32_t idx[];
} flist;

static void flist_release(flist *f)
{
    if (f && --f->refs == 0)
        nms__free(f);
}

typedef struct node {
    double bound;   /* parent's bound */
    long id;
    size_t nd;
    dec *d;
    flist *f;       /* groups that may still matter here; NULL = the whole pool */
    int64_t *basis; /* the parent's final LP basis (C codes, see save_basis), or NULL */
    int parked;     /* its cold LP ran out of its iterations once: taken only when
                     * every open node is parked, then without a limit */
    double pf;      /* the parent's f of the pair of its last decision (pseudo-costs) */
} node;

static void node_drop(node *nd)
{
    nms__free(nd->d);
    nd->d = NULL;
    nms__free(nd->basis);
    nd->basis = NULL;
    flist_release(nd->f);
    nd->f = NULL;
}

typedef struct bbst {
    const nms__pp *p;
    const nms__col *pool;
    size_t n, C;
    nms_lp *lp;
    size_t nlp;             /* LP columns: C artificials, then pool columns */
    size_t *lp2pool;        /* nlp - C entries */
    unsigned char *in_lp;   /* n: 1 = the group is a column of the LP (2: a basic one, within load_basis) */
    uint32_t *okstamp;      /* n: == stamp when allowed at the current node */
    uint32_t stamp;
    double *ub;             /* current LP upper bound per LP column */
    double *x;              /* the LP's primal solution (as ub: lpcap + C) */
    size_t lpcap;
    double big;
} bbst;

static int add_pool_cols(bbst *s, const size_t *which, size_t m, nms_error *err)
{
    if (!m)
        return NMS_OK;
    double *cost = nms__malloc_array(m, sizeof *cost), *hi = nms__malloc_array(m, sizeof *hi);
    double *val = nms__malloc_array(4 * m, sizeof *val);
    size_t *start = nms__malloc_array(m + 1, sizeof *start);
    int32_t *idx = nms__malloc_array(4 * m, sizeof *idx);
    int st = NMS_OK;
    if (s->nlp - s->C + m > s->lpcap) {
        size_t nc = (s->nlp - s->C + m) * 2;
        size_t *q = nms__realloc_array(s->lp2pool, nc, sizeof *q);
        double *u = nms__realloc_array(s->ub, nc + s->C, sizeof *u);
        double *x = nms__realloc_array(s->x, nc + s->C, sizeof *x);
        if (q)
            s->lp2pool = q;
        if (u)
            s->ub = u;
        if (x)
            s->x = x;
        if (!q || !u || !x) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
            goto out;
        }
        s->lpcap = nc;
    }
    if (!cost || !hi || !val || !start || !idx) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    for (size_t q = 0; q < m; q++) {
        const nms__col *c = &s->pool[which[q]];
        cost[q] = c->v;
        hi[q] = HUGE_VAL; /* x <= 1 is implied by the rows; an explicit bound would spoil the duals */
        start[q] = 4 * q;
        for (int k = 0; k < 4; k++) {
            idx[4 * q + (size_t)k] = c->g[k];
            val[4 * q + (size_t)k] = 1.0;
        }
    }
    start[m] = 4 * m;
    if ((st = nms_lp_add_cols(s->lp, m, cost, NULL, hi, start, idx, val, err)) != NMS_OK)
        goto out;
    for (size_t q = 0; q < m; q++) {
        s->lp2pool[s->nlp - s->C] = which[q];
        s->ub[s->nlp] = HUGE_VAL;
        s->in_lp[which[q]] = 1;
        s->nlp++;
    }
out:
    nms__free(cost);
    nms__free(hi);
    nms__free(val);
    nms__free(start);
    nms__free(idx);
    return st;
}

static int build_lp(bbst *s, nms_error *err)
{
    size_t C = s->C;
    double *ones = nms__malloc_array(C, sizeof *ones), *cost = nms__malloc_array(C, sizeof *cost);
    double *val = nms__malloc_array(C, sizeof *val);
    size_t *start = nms__malloc_array(C + 1, sizeof *start);
    int32_t *idx = nms__malloc_array(C, sizeof *idx);
    int st = NMS_OK;
    if (!ones || !cost || !val || !start || !idx) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    for (size_t i = 0; i < C; i++) {
        ones[i] = 1.0;
        cost[i] = -s->big;
        val[i] = 1.0;
        start[i] = i;
        idx[i] = (int32_t)i;
    }
    start[C] = C;
    if ((st = nms_lp_create(&s->lp, err)) != NMS_OK)
        goto out;
    nms_lp_set_maximize(s->lp, 1);
    if ((st = nms_lp_add_rows(s->lp, C, ones, ones, err)) != NMS_OK ||
        (st = nms_lp_add_cols(s->lp, C, cost, NULL, NULL, start, idx, val, err)) != NMS_OK)
        goto out;
    for (size_t i = 0; i < C; i++)
        s->ub[i] = HUGE_VAL;
    s->nlp = C;
out:
    nms__free(ones);
    nms__free(cost);
    nms__free(val);
    nms__free(start);
    nms__free(idx);
    return st;
}

/* Append group g to the partial partition perm[0..*np) unless it shares a
 * channel with it. */
static void take_if_disjoint(const int32_t g[4], unsigned char *used, int32_t *perm, size_t *np)
{
    if (used[g[0]] || used[g[1]] || used[g[2]] || used[g[3]])
        return;
    for (int k = 0; k < 4; k++) {
        used[g[k]] = 1;
        perm[(*np)++] = g[k];
    }
}

/* LP rounding + local search: take LP columns by decreasing x (ties: lower
 * LP index) while disjoint, then the pool's groups in pool order while
 * disjoint, the leftover channels in index order, then improve with the
 * re-split local search.  Writes a partition to
 * perm and returns its value. */
static double round_lp(bbst *s, const double *x, int32_t *perm, const nms__ctl *ctl)
{
    size_t C = s->C, m = 0, np = 0;
    size_t *ord = NULL;
    unsigned char *used = nms__calloc(C, 1);
    if (!used)
        return -HUGE_VAL;
    ord = nms__malloc_array(s->nlp - C + 1, sizeof *ord);
    if (!ord) {
        nms__free(used);
        return -HUGE_VAL;
    }
    for (size_t k = C; k < s->nlp; k++)
        if (x[k] > 1e-9)
            ord[m++] = k;
    /* insertion sort by x descending (m is small: the LP support) */
    for (size_t a = 1; a < m; a++) {
        size_t v = ord[a], b = a;
        while (b > 0 && x[ord[b - 1]] < x[v]) {
            ord[b] = ord[b - 1];
            b--;
        }
        ord[b] = v;
    }
    for (size_t a = 0; a < m; a++)
        take_if_disjoint(s->pool[s->lp2pool[ord[a] - C]].g, used, perm, &np);
    /* complete with the pool's best disjoint groups (pool order: rc
     * descending at the root; the first 64 C of them, so that a rounding
     * costs O(C) scans, not a pass over millions), the rest in index order */
    size_t scan = s->n < 64 * C ? s->n : 64 * C;
    for (size_t q = 0; q < scan && np + 4 <= C; q++)
        take_if_disjoint(s->pool[q].g, used, perm, &np);
    for (size_t i = 0; i < C; i++)
        if (!used[i])
            perm[np++] = (int32_t)i;
    nms__free(ord);
    nms__free(used);
    if (nms__ls_resplit(s->p, perm, 1, ctl, NULL) != NMS_OK)
        return -HUGE_VAL;
    return nms__pp_perm_value(s->p, perm);
}

/* Delete from the LP the columns not allowed at the current node and not
 * basic (the same optimum: they are fixed at zero), keeping the basis for a
 * warm start. */
static int drop_disallowed_cols(bbst *s, nms_error *err)
{
    size_t C = s->C, kept = C;
    unsigned char *drop = nms__calloc(s->nlp, 1);
    int *stat = nms__malloc_array(s->nlp, sizeof *stat);
    int st = NMS_OK;
    if (!drop || !stat) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    nms_lp_get_basis(s->lp, stat, NULL);
    for (size_t k = C; k < s->nlp; k++) {
        size_t q = s->lp2pool[k - C];
        drop[k] = s->okstamp[q] != s->stamp && stat[k] != NMS_LP_BASIC;
        if (drop[k]) {
            s->in_lp[q] = 0;
            continue;
        }
        s->lp2pool[kept - C] = q;
        s->ub[kept++] = s->ub[k];
    }
    if ((st = nms_lp_delete_cols(s->lp, drop, err)) == NMS_OK)
        s->nlp = kept;
out:
    nms__free(drop);
    nms__free(stat);
    return st;
}

/* Rebuild the LP with only the columns allowed at the current node (the
 * same optimum: the others are fixed at zero), without a basis. */
static int compact_lp(bbst *s, nms_error *err)
{
    size_t C = s->C, m = 0;
    size_t *which = nms__malloc_array(s->nlp - C + 1, sizeof *which);
    if (!which)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
    for (size_t k = C; k < s->nlp; k++) {
        size_t q = s->lp2pool[k - C];
        s->in_lp[q] = 0;
        if (s->okstamp[q] == s->stamp)
            which[m++] = q;
    }
    nms_lp_free(s->lp);
    s->lp = NULL;
    int st = build_lp(s, err);
    if (st == NMS_OK)
        st = add_pool_cols(s, which, m, err);
    nms__free(which);
    return st;
}

/* A basic variable of a node LP as one code: pool group q >= 0, the
 * artificial column of channel i as -1 - i, the logical of row i as
 * -1 - C - i.  A node keeps its parent's final basis this way (C codes, the
 * LP has C rows), so that a worker that jumps to it (its LP holds some other
 * node's columns) starts from that basis instead of its own: the parent's
 * LP differs from the node's only by the branching decision. */
static int save_basis(const bbst *s, int64_t *codes, int *ok, nms_error *err)
{
    size_t C = s->C, nb = 0;
    int *cs = nms__malloc_array(s->nlp, sizeof *cs), *rs = nms__malloc_array(C, sizeof *rs);
    if (!cs || !rs) {
        nms__free(cs);
        nms__free(rs);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
    }
    nms_lp_get_basis(s->lp, cs, rs);
    for (size_t k = 0; k < s->nlp && nb < C; k++)
        if (cs[k] == NMS_LP_BASIC)
            codes[nb++] = k < C ? -1 - (int64_t)k : (int64_t)s->lp2pool[k - C];
    for (size_t i = 0; i < C && nb < C; i++)
        if (rs[i] == NMS_LP_BASIC)
            codes[nb++] = -1 - (int64_t)(C + i);
    nms__free(cs);
    nms__free(rs);
    *ok = nb == C; /* always, after an optimal solve; else the children start cold */
    return NMS_OK;
}

/* Give the LP the basis codes (C of save_basis).  The basic groups the LP
 * lacks are added; the basic groups, artificials and logicals of codes
 * become basic, every other column nonbasic at zero and every other
 * logical fixed (the rows are equalities).  The worker's columns stay: they
 * were priced in near this node's region of the tree, and keeping them
 * took a jump evaluation from 5.5 to 3.1 LP solves (iris L012, 128
 * channels). */
static int load_basis(bbst *s, const int64_t *codes, nms_error *err)
{
    size_t C = s->C, m = 0;
    size_t *which = nms__malloc_array(C, sizeof *which);
    int *cs = NULL, *rs = nms__malloc_array(C, sizeof *rs);
    int st = NMS_OK;
    if (!which || !rs) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    for (size_t t = 0; t < C; t++)
        if (codes[t] >= 0 && !s->in_lp[codes[t]])
            which[m++] = (size_t)codes[t];
    if ((st = add_pool_cols(s, which, m, err)) != NMS_OK)
        goto out;
    if (!(cs = nms__malloc_array(s->nlp, sizeof *cs))) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    for (size_t k = 0; k < s->nlp; k++)
        cs[k] = NMS_LP_AT_LOWER;
    for (size_t i = 0; i < C; i++)
        rs[i] = NMS_LP_FIXED;
    for (size_t t = 0; t < C; t++) {
        int64_t c = codes[t];
        if (c >= 0)
            s->in_lp[c] = 2; /* a mark for the scan below, which clears it */
        else if ((size_t)(-1 - c) < C)
            cs[-1 - c] = NMS_LP_BASIC;
        else
            rs[-1 - c - (int64_t)C] = NMS_LP_BASIC;
    }
    for (size_t k = C; k < s->nlp; k++)
        if (s->in_lp[s->lp2pool[k - C]] == 2) {
            s->in_lp[s->lp2pool[k - C]] = 1;
            cs[k] = NMS_LP_BASIC;
        }
    st = nms_lp_set_basis(s->lp, cs, rs, err);
out:
    nms__free(which);
    nms__free(cs);
    nms__free(rs);
    return st;
}

/* Pseudo-costs: for each pair i < j and each branch t (0 apart, 1
 * together), psi = the mean over the children evaluated so far of
 *
 *     (parent's bound - child's bound) / (f for apart, 1 - f for together),
 *
 * f the pair's co-membership in the parent's LP solution: the fall of the
 * bound per unit of f the decision moves.  A pair not yet branched on
 * gets the mean over all pairs (1 before any child).  Falls to minus
 * infinity (a channel in no allowed group) are left out.  Updated only
 * while a batch's results are applied, in batch order, and read by the
 * workers, so the search stays the same for any thread count. */
typedef struct pcost {
    size_t C;
    double *sum[2];     /* C * C: by i * C + j */
    uint32_t *cnt[2];   /* C * C */
    double gsum[2], gcnt[2];
} pcost;

static double pcost_get(const pcost *pc, size_t i, size_t j, int t)
{
    size_t k = i * pc->C + j;
    if (pc->cnt[t][k])
        return pc->sum[t][k] / pc->cnt[t][k];
    return pc->gcnt[t] > 0 ? pc->gsum[t] / pc->gcnt[t] : 1.0;
}

/* A child made by decision d, from a parent whose f for d's pair was f,
 * fell by fall. */
static void pcost_add(pcost *pc, const dec *d, double f, double fall)
{
    double unit = d->together ? 1.0 - f : f;
    if (!(unit > 1e-6) || !isfinite(fall)) /* fall >= 0: the child's bound is capped by its parent's */
        return;
    double psi = fall / unit;
    size_t k = (size_t)d->i * pc->C + (size_t)d->j; /* i < j: see best_pairs */
    int t = d->together != 0;
    pc->sum[t][k] += psi;
    pc->cnt[t][k]++;
    pc->gsum[t] += psi;
    pc->gcnt[t] += 1.0;
}

/* What eval_node finds out about a node (see there); one struct, so that a
 * dive can keep the node's results aside and put them back whole. */
typedef struct node_result {
    double b;                       /* the rigorous bound */
    int ok_lp;                      /* the LP was solved */
    int parked;                     /* its cold LP ran out of iterations */
    int integral;                   /* the LP solution is a partition (in cur) */
    int32_t bi, bj;                 /* branching pair, -1 = none */
    double bf;                      /* its f */
    flist *child;                   /* the groups its subtree may use, or NULL */
} node_result;

/* One evaluator: its own LP, pool flags and scratch arrays, and the node
 * it evaluates in the current batch with what came out of it. */
typedef struct worker {
    bbst s;
    double *pi, *u, *pairf;         /* C, C, C * C */
    double *u_sorted;               /* C: scratch of nms__chan_bound */
    /* the allowed groups of the node's list, contiguous for the scans:
     * pool index, channels, value (n each; 4n channels) */
    uint32_t *lq;
    uint16_t *lg;
    double *lv;
    double *toprc;                  /* 2C: their reduced costs */
    uint32_t *top;                  /* 2C: the best candidates of a scan (local indices) */
    size_t *which;                  /* 2C: their pool indices */
    int32_t *cur, *rperm;           /* C, C: integral solution, rounding */
    int64_t *basis;                 /* C: the node's final LP basis (save_basis) */
    int basis_ok;                   /* basis holds one */
    int jump;                       /* the node is not the worker's own child: load its basis */
    int diving;                     /* eval_node within a dive: no pair sums, branching pair, basis or
                                     * list for children */
    /* for a dive's next step, or a plunge into the child of the node just
     * evaluated (eval_node): lq, lg, lv hold nwarm groups (SIZE_MAX: none),
     * those of a list of warm_n groups that the first warm_nd decisions
     * allow */
    size_t nwarm, warm_n, warm_nd;
    unsigned char *kept_flag;       /* n: the filter's verdicts on the gathered groups */
    int dived;                      /* the LP is a dive's: the next node loads its basis */
    int32_t *dperm;                 /* C: a dive's partition */
    uint64_t *dmask;                /* the gather's decision masks (dec_masks), mask_words words */
    size_t mask_words;
    nms_error err;
    node nd;
    node_result r;                  /* eval_node's results for nd */
    int st, rounded;
    double vround;
    long want;                      /* id of the child to plunge into, -1 = none */
    const pcost *pc;                /* the search's pseudo-costs (read only here) */
} worker;

/* rc(S) = v(S) - pi(S) in the canonical nms__pi_sum4 order: the scans and
 * the filter after them must agree bit for bit. */
static inline double scan_rc(double v, const uint16_t *g, const double *pi)
{
    return v - (((pi[g[0]] + pi[g[1]]) + pi[g[2]]) + pi[g[3]]);
}

/* The options of a node LP solve: tolerances 1e-9 (see master.c), the
 * control's interrupt, progress lines during a long (cold) solve. */
static void node_lp_options(nms_lp_options *lo, const nms__ctl *ctl)
{
    nms_lp_options_default(lo);
    lo->interrupt = ctl->interrupt;
    lo->tick = nms__ctl_tick;
    lo->tick_ctx = (void *)ctl;
    lo->primal_feas_tol = lo->dual_feas_tol = 1e-9;
}

/* Strong branching at the nodes with at most SB_DEPTH decisions: of the
 * SB_PAIRS pairs with the best pseudo-cost scores, the one whose children's LPs
 * fall most (the product of the two falls).  A child's LP is the node's LP
 * columns without those the decision forbids, solved from the node's basis
 * for at most SB_ITERATIONS iterations (no pricing): an estimate, used only
 * to choose.  Measured (5 slow C = 96 layers, 60 s; the baseline from the
 * previous build's run a session earlier), before the pseudo-costs: depth 8
 * and 4 pairs proved all five in 109 s together against 161 s with the
 * closest pair alone; with it at every node, two of them were not proven.
 * With the pseudo-costs, depth 8 made smaller trees than depth 4 (36 660
 * nodes against 46 491 for the five) but took longer (47.9 s against
 * 43.9 s); depth 12 (with the candidates closest to 1/2) took 112.6 s. */
enum { SB_DEPTH = 4, SB_PAIRS = 4, SB_ITERATIONS = 100 };

/* The at most K (<= SB_PAIRS) fractional pairs i < j (f = pairf[i * C + j])
 * with the best pseudo-cost scores, best first (ties: the lower pair), to
 * ci, cj; returns how many.  The score is the product of the two children's
 * estimated falls, f psi_apart and (1 - f) psi_together, each at least eps.
 * Before any child was evaluated every psi is 1: the pairs closest to 1/2. */
static size_t best_pairs(const double *pairf, const pcost *pc, double eps, size_t K, int32_t *ci, int32_t *cj)
{
    size_t C = pc->C, nc = 0;
    double cs[SB_PAIRS];
    for (size_t i = 0; i < C; i++)
        for (size_t j = i + 1; j < C; j++) {
            double f = pairf[i * C + j];
            if (!(f > 1e-6 && f < 1 - 1e-6))
                continue;
            double da = f * pcost_get(pc, i, j, 0), dt = (1.0 - f) * pcost_get(pc, i, j, 1);
            double score = (da > eps ? da : eps) * (dt > eps ? dt : eps);
            if (nc == K && score <= cs[nc - 1])
                continue;
            size_t pos = nc < K ? nc++ : nc - 1;
            while (pos > 0 && cs[pos - 1] < score) {
                cs[pos] = cs[pos - 1];
                ci[pos] = ci[pos - 1];
                cj[pos] = cj[pos - 1];
                pos--;
            }
            cs[pos] = score;
            ci[pos] = (int32_t)i;
            cj[pos] = (int32_t)j;
        }
    return nc;
}

/* Strong branching among the nc pairs ci, cj: sets w->r.bi, w->r.bj. */
static int strong_pair(worker *w, const int32_t *ci, const int32_t *cj, size_t nc, const nms__ctl *ctl)
{
    bbst *s = &w->s;
    size_t C = s->C;
    int *cs = nms__malloc_array(s->nlp, sizeof *cs), *rs = nms__malloc_array(C, sizeof *rs);
    unsigned char *fixed = nms__calloc(s->nlp, 1);
    int st = NMS_OK;
    if (!cs || !rs || !fixed) {
        st = nms__fail(&w->err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    nms_lp_get_basis(s->lp, cs, rs);
    double parent = nms_lp_objective(s->lp), best = -1.0, eps = 1e-9 * s->p->vscale;
    for (size_t c = 0; c < nc && st == NMS_OK; c++) {
        double score = 1.0;
        for (int t = 0; t < 2 && st == NMS_OK; t++) {
            for (size_t k = C; k < s->nlp && st == NMS_OK; k++) {
                if (s->ub[k] == 0.0)
                    continue;
                dec dc = {ci[c], cj[c], t};
                if (!allowed(s->pool[s->lp2pool[k - C]].g, &dc, 1)) {
                    fixed[k] = 1;
                    st = nms_lp_set_col_bounds(s->lp, k, 0.0, 0.0, &w->err);
                }
            }
            nms_lp_options lo;
            node_lp_options(&lo, ctl);
            lo.iteration_limit = SB_ITERATIONS;
            if (st == NMS_OK)
                st = nms_lp_solve(s->lp, &lo, &w->err);
            nms_lp_status ls = nms_lp_get_status(s->lp);
            double child = ls == NMS_LP_OPTIMAL || ls == NMS_LP_ITERATION_LIMIT ? nms_lp_objective(s->lp) : -HUGE_VAL;
            for (size_t k = C; k < s->nlp && st == NMS_OK; k++)
                if (fixed[k]) {
                    fixed[k] = 0;
                    st = nms_lp_set_col_bounds(s->lp, k, 0.0, HUGE_VAL, &w->err);
                }
            if (st == NMS_OK)
                st = nms_lp_set_basis(s->lp, cs, rs, &w->err);
            double d = parent - child;
            score *= d > eps ? (d < HUGE_VAL ? d : 1e300) : eps;
        }
        if (score > best) {
            best = score;
            w->r.bi = ci[c];
            w->r.bj = cj[c];
        }
    }
out:
    nms__free(cs);
    nms__free(rs);
    nms__free(fixed);
    return st;
}

/* Evaluate the worker's node: column generation over the allowed groups
 * of its list F (NULL = the whole pool).  Sets w->r.b (the rigorous bound),
 * w->r.integral (with the partition in w->cur), a branching pair w->r.bi, w->r.bj
 * and, when the node is neither cut nor integral, w->r.child: the groups of F
 * its subtree may still use (reduced-cost filtering, see the top of this
 * file).  w->r.ok_lp = 0 if the LP could not be solved; w->r.parked = 1 too
 * when that was the cold solve's iteration limit (nodes not yet parked
 * have one: one degenerate LP must not hold up the search for minutes). */
static int eval_node(worker *w, double target, const nms__ctl *ctl)
{
    bbst *s = &w->s;
    const dec *d = w->nd.d;
    size_t nd = w->nd.nd;
    const flist *F = w->nd.f;
    double *pi = w->pi, *u = w->u, *pairf = w->pairf, *lv = w->lv, *toprc = w->toprc;
    uint32_t *lq = w->lq, *top = w->top;
    uint16_t *lg = w->lg;
    nms_error *err = &w->err;
    size_t C = s->C, G = C / 4, n = F ? F->n : s->n;
    int st;
    w->r = (node_result){.b = HUGE_VAL, .bi = -1, .bj = -1};
    if (++s->stamp == 0) { /* wrapped: clear the stamps */
        memset(s->okstamp, 0, s->n * sizeof *s->okstamp);
        s->stamp = 1;
    }
    /* gather the allowed groups: from the node's list, or in a dive's step
     * and in a plunge (the worker's own child, no dive since: see
     * worker_run) from what the step or the parent kept, in place (no pool
     * records; the same groups in the same order as the list); the
     * decisions the source does not already satisfy are checked, by their
     * masks (decisions.h: a node that keeps its parent's list re-checks
     * every decision since the list was made).  Plunges gathered from the
     * list before: both builds at once, one thread, 30 s, ssd L004, iris L012,
     * L016 (the same trees), 30 264 nodes against 28 995 over two runs. */
    const int warm = (w->diving || !w->jump) && w->nwarm != SIZE_MAX;
    size_t na = 0, m = warm ? w->nwarm : n, d0 = warm ? w->warm_nd : F ? F->nd : 0;
    if (warm)
        n = w->warm_n;
    size_t nb = dec_mask_blocks(nd - d0), words = dec_mask_words(nd - d0, C);
    if (words > w->mask_words) {
        uint64_t *dm = nms__realloc_array(w->dmask, words, sizeof *dm);
        if (!dm)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        w->dmask = dm;
        w->mask_words = words;
    }
    dec_masks(d + d0, nd - d0, C, w->dmask);
    for (size_t t = 0; t < m; t++) {
        size_t q;
        uint16_t g[4];
        double v;
        if (warm) {
            q = lq[t];
            for (int k = 0; k < 4; k++)
                g[k] = lg[4 * t + (size_t)k];
            v = lv[t];
        } else {
            q = F ? F->idx[t] : t;
            for (int k = 0; k < 4; k++)
                g[k] = (uint16_t)s->pool[q].g[k];
            v = s->pool[q].v;
        }
        if (!allowed_by_masks(g, w->dmask, nb, C))
            continue;
        s->okstamp[q] = s->stamp;
        lq[na] = (uint32_t)q;
        for (int k = 0; k < 4; k++)
            lg[4 * na + (size_t)k] = g[k];
        lv[na++] = v;
    }
    w->nwarm = SIZE_MAX;
    size_t lp_ok = 0;
    for (size_t k = C; k < s->nlp; k++)
        lp_ok += s->okstamp[s->lp2pool[k - C]] == s->stamp;
    if (s->nlp - C > 2 * C && 4 * lp_ok < 3 * (s->nlp - C) && (st = drop_disallowed_cols(s, err)) != NMS_OK)
        return st;
    for (size_t k = C; k < s->nlp; k++) {
        double hi = s->okstamp[s->lp2pool[k - C]] == s->stamp ? HUGE_VAL : 0.0;
        if (hi != s->ub[k]) {
            if ((st = nms_lp_set_col_bounds(s->lp, k, 0.0, hi, err)) != NMS_OK)
                return st;
            s->ub[k] = hi;
        }
    }
    double best_bound = HUGE_VAL, sumpi = 0.0;
    for (int it = 0; it < 1000; it++) {
        if (nms__ctl_stop(ctl)) /* the node's LP grows by pricing: progress lines meanwhile */
            return NMS_OK;
        nms_lp_options lo;
        node_lp_options(&lo, ctl);
        lo.iteration_limit = 10 * (long)(C + s->nlp / 4) + 1000;
        if (!nms__lp_time_left(&lo, ctl->deadline))
            return NMS_OK;
        if ((st = nms_lp_solve(s->lp, &lo, err)) != NMS_OK)
            return st;
        if (nms_lp_get_status(s->lp) == NMS_LP_ITERATION_LIMIT) {
            /* a stalled warm start: rebuild this node's LP and solve it cold,
             * in the time left; a node not parked yet gets 20 iterations per
             * column (movenet L021, 96 x 576: one cold node LP of 576 rows
             * and 7 K columns ran 340 s, 650 K iterations, and held up the
             * search until the time limit) */
            lo.iteration_limit = 0;
            if (!nms__lp_time_left(&lo, ctl->deadline))
                return NMS_OK;
            if ((st = compact_lp(s, err)) != NMS_OK)
                return st;
            if (!w->nd.parked)
                lo.iteration_limit = 20 * (long)s->nlp;
            if ((st = nms_lp_solve(s->lp, &lo, err)) != NMS_OK)
                return st;
            if (nms_lp_get_status(s->lp) == NMS_LP_ITERATION_LIMIT) {
                w->r.parked = 1;
                return NMS_OK;
            }
        }
        if (nms_lp_get_status(s->lp) != NMS_LP_OPTIMAL)
            return NMS_OK;
        nms_lp_get_row_duals(s->lp, pi);
        sumpi = 0.0;
        for (size_t i = 0; i < C; i++)
            sumpi += pi[i];
        /* the scan: rc (the canonical nms__pi_sum4 order), per-channel
         * maxima u, and the 2C best groups with rc > tol not in the LP
         * (ties: the earlier) in top[] */
        double tol = 1e-9 * s->p->vscale;
        size_t nt = 0, want = 2 * C;
        for (size_t i = 0; i < C; i++)
            u[i] = -HUGE_VAL; /* stays so when no allowed group holds i: no partition here */
        /* ufloor <= every u[i] (their minimum every 256 groups): a group
         * below it raises none, and most groups are (the same u; both
         * builds at once, one thread, the same trees: movenet L037 proven
         * in 12.2 and 11.6 s against 12.4 and 12.6 s, nodes in 30 s iris
         * L012 6 679 against 6 132, L020 3 282 against 2 717, ssd L004
         * 6 755 against 6 341) */
        double ufloor = -HUGE_VAL;
        for (size_t t = 0; t < na; t++) {
            const uint16_t *g = lg + 4 * t;
            double rc = scan_rc(lv[t], g, pi);
            if (rc > ufloor)
                for (int k = 0; k < 4; k++) /* no branch: the compares are unpredictable */
                    u[g[k]] = rc > u[g[k]] ? rc : u[g[k]];
            if ((t & 255) == 255) {
                ufloor = u[0];
                for (size_t i = 1; i < C; i++)
                    ufloor = u[i] < ufloor ? u[i] : ufloor;
            }
            if (rc > tol && (nt < want || rc > toprc[want - 1]) && !s->in_lp[lq[t]]) {
                size_t pos = nt < want ? nt++ : want - 1;
                while (pos > 0 && toprc[pos - 1] < rc) {
                    top[pos] = top[pos - 1];
                    toprc[pos] = toprc[pos - 1];
                    pos--;
                }
                top[pos] = (uint32_t)t;
                toprc[pos] = rc;
            }
        }
        double b;
        nms__chan_bound(u, C, w->u_sorted, &b, NULL); /* part.h (3) */
        b += sumpi;
        if (b < best_bound)
            best_bound = b;
        if (best_bound <= target || nt == 0)
            break;
        for (size_t k = 0; k < nt; k++)
            w->which[k] = lq[top[k]];
        if ((st = add_pool_cols(s, w->which, nt, err)) != NMS_OK)
            return st;
    }
    w->r.ok_lp = 1;
    w->r.b = best_bound;
    if (best_bound <= target)
        return NMS_OK;
    /* pi and u are the duals and per-channel maxima of the last scan: a
     * partition here holding S is worth at most
     * sum pi + rc(S) + B(u without S)
     *     <= sum pi + rc(S) + (1/4) sum_{i not in S} u_i   (chan_bound.h).
     * The exact B(u without S), from prefix sums of the sorted u, kept the
     * same groups (iris L020: no decision of 2.1e8 differed in 20 s) at a
     * quarter of the node rate.  When they make a new list, the survivors
     * are packed at the front of lq, lg and lv (the scans are over), where a
     * dive's next step reads them; otherwise a dive's next step reads all
     * the groups gathered here, as it would the list they came from. */
    double usum = 0.0;
    for (size_t i = 0; i < C; i++)
        usum += u[i];
    double keep = target - sumpi - 0.25 * usum - 1e-9 * s->p->vscale;
    unsigned char *kf = w->kept_flag;
    size_t nkept = 0;
    for (size_t t = 0; t < na; t++) {
        const uint16_t *g = lg + 4 * t;
        kf[t] = scan_rc(lv[t], g, pi) - 0.25 * (u[g[0]] + u[g[1]] + u[g[2]] + u[g[3]]) > keep;
        nkept += kf[t];
    }
    /* a new list unless hardly smaller (the subtree then keeps this node's
     * list, to save memory) */
    const int new_list = 4 * nkept <= 3 * n;
    if (new_list) {
        for (size_t t = 0, k = 0; t < na; t++)
            if (kf[t]) {
                lq[k] = lq[t];
                memmove(lg + 4 * k, lg + 4 * t, 4 * sizeof *lg);
                lv[k++] = lv[t];
            }
    }
    w->nwarm = new_list ? nkept : na;
    w->warm_n = new_list ? nkept : n;
    w->warm_nd = nd;
    flist *kept = NULL;
    if (new_list && !w->diving) { /* a dive's steps make no lists: each reads the arrays */
        kept = nms__malloc(sizeof *kept + (nkept ? nkept : 1) * sizeof kept->idx[0]);
        if (!kept)
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        kept->n = nkept;
        kept->nd = nd;
        kept->refs = 1;
        memcpy(kept->idx, lq, nkept * sizeof kept->idx[0]);
    }
    w->r.child = kept;
    /* Primal solution: integral? pair sums for branching. */
    double *x = s->x;
    nms_lp_get_primal(s->lp, x);
    int art = 0, frac = 0;
    for (size_t i = 0; i < C; i++)
        if (x[i] > 1e-7)
            art = 1;
    for (size_t k = C; k < s->nlp; k++)
        if (x[k] > 1e-7 && x[k] < 1 - 1e-7)
            frac = 1;
    if (!art && !frac) {
        size_t g = 0;
        for (size_t k = C; k < s->nlp && g < G; k++)
            if (x[k] > 0.5) {
                memcpy(w->cur + 4 * g, s->pool[s->lp2pool[k - C]].g, 4 * sizeof(int32_t));
                g++;
            }
        w->r.integral = g == G;
        if (w->r.integral)
            return NMS_OK;
    }
    if (w->diving) /* a dive needs x only */
        return NMS_OK;
    memset(pairf, 0, C * C * sizeof *pairf);
    for (size_t k = C; k < s->nlp; k++) {
        if (x[k] <= 1e-9)
            continue;
        const int32_t *g = s->pool[s->lp2pool[k - C]].g;
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                pairf[(size_t)g[a] * C + (size_t)g[b]] += x[k];
    }
    int32_t ci[SB_PAIRS], cj[SB_PAIRS];
    size_t nc = best_pairs(pairf, w->pc, 1e-9 * s->p->vscale, nd <= SB_DEPTH ? SB_PAIRS : 1, ci, cj);
    if (nc) {
        w->r.bi = ci[0];
        w->r.bj = cj[0];
    }
    if (nc > 1 && (st = strong_pair(w, ci, cj, nc, ctl)) != NMS_OK)
        return st;
    if (nc)
        w->r.bf = pairf[(size_t)w->r.bi * C + (size_t)w->r.bj];
    w->basis_ok = 0;
    return w->r.bi >= 0 ? save_basis(s, w->basis, &w->basis_ok, err) : NMS_OK;
}

static void worker_free(worker *w)
{
    nms_lp_free(w->s.lp);
    nms__free(w->s.lp2pool);
    nms__free(w->s.ub);
    nms__free(w->s.in_lp);
    nms__free(w->s.okstamp);
    nms__free(w->pi);
    nms__free(w->u);
    nms__free(w->s.x);
    nms__free(w->pairf);
    nms__free(w->lq);
    nms__free(w->lg);
    nms__free(w->lv);
    nms__free(w->kept_flag);
    nms__free(w->toprc);
    nms__free(w->top);
    nms__free(w->which);
    nms__free(w->cur);
    nms__free(w->basis);
    nms__free(w->rperm);
    nms__free(w->dperm);
    nms__free(w->dmask);
    nms__free(w->u_sorted);
}

static int worker_init(worker *w, const nms__pp *p, const nms__col *pool, size_t n, nms_error *err)
{
    size_t C = p->C;
    memset(w, 0, sizeof *w);
    w->want = -1;
    w->nwarm = SIZE_MAX;
    w->s.p = p;
    w->s.pool = pool;
    w->s.n = n;
    w->s.C = C;
    w->s.big = 10.0 * p->vscale + 1.0;
    w->s.in_lp = nms__calloc(n + 1, 1);
    w->s.okstamp = nms__calloc(n + 1, sizeof *w->s.okstamp);
    w->s.lpcap = 256;
    w->s.lp2pool = nms__malloc_array(w->s.lpcap, sizeof *w->s.lp2pool);
    w->s.ub = nms__malloc_array(w->s.lpcap + C, sizeof *w->s.ub);
    w->s.x = nms__malloc_array(w->s.lpcap + C, sizeof *w->s.x);
    w->pi = nms__malloc_array(C, sizeof *w->pi);
    w->u = nms__malloc_array(C, sizeof *w->u);
    w->u_sorted = nms__malloc_array(C, sizeof *w->u_sorted);
    w->pairf = nms__malloc_array(C * C, sizeof *w->pairf);
    w->lq = nms__malloc_array(n + 1, sizeof *w->lq);
    w->lg = nms__malloc_array(4 * n + 4, sizeof *w->lg);
    w->lv = nms__malloc_array(n + 1, sizeof *w->lv);
    w->kept_flag = nms__malloc(n + 1);
    w->toprc = nms__malloc_array(2 * C + 1, sizeof *w->toprc);
    size_t seed = n < 4 * C ? n : 4 * C;
    w->top = nms__malloc_array(2 * C + 1, sizeof *w->top);
    w->which = nms__malloc_array(seed > 2 * C ? seed : 2 * C + 1, sizeof *w->which);
    w->cur = nms__malloc_array(C, sizeof *w->cur);
    w->basis = nms__malloc_array(C, sizeof *w->basis);
    w->rperm = nms__malloc_array(C, sizeof *w->rperm);
    w->dperm = nms__malloc_array(C, sizeof *w->dperm);
    if (!w->s.in_lp || !w->s.okstamp || !w->s.lp2pool || !w->s.ub || !w->s.x || !w->pi || !w->u || !w->pairf ||
        !w->lq || !w->lg || !w->lv || !w->kept_flag || !w->toprc || !w->top || !w->which || !w->cur || !w->basis || !w->rperm || !w->dperm ||
        !w->u_sorted)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound (%zu groups)", n);
    int st = build_lp(&w->s, err);
    if (st)
        return st;
    /* seed the LP with the best-rc pool groups (pool is in rc order) */
    for (size_t q = 0; q < seed; q++)
        w->which[q] = q;
    return add_pool_cols(&w->s, w->which, seed, err);
}

/* Diving from the node just evaluated: fix the LP column with the largest
 * fractional x (three "together" decisions leave it the only allowed group
 * holding any of its channels) and evaluate again, over the groups the last
 * step kept (still in the worker's arrays, see eval_node), until the LP is
 * integral (a partition, then improved by the re-split local search), its
 * bound falls to the target, or C/4 steps.
 * The node's own results are kept.  Writes the partition to w->dperm and
 * its value to *v (-inf: none). */
static int dive(worker *w, double target, const nms__ctl *ctl, double *v)
{
    bbst *s = &w->s;
    size_t C = s->C, G = C / 4;
    *v = -HUGE_VAL;
    node nd = w->nd;
    /* the node's results, its list of groups included, are kept aside while
     * the dive runs and put back whole at the end (a dive's steps make no
     * lists: each reads what the step before it kept) */
    node_result kept = w->r;
    w->r.child = NULL;
    dec *d = nms__malloc_array(nd.nd + 3 * G + 1, sizeof *d);
    if (!d) {
        w->r = kept;
        return nms__fail(&w->err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
    }
    if (nd.nd)
        memcpy(d, nd.d, nd.nd * sizeof *d);
    node step = {kept.b, nd.id, nd.nd, d, kept.child ? kept.child : nd.f, NULL, 0, 0.0};
    int st = NMS_OK;
    w->diving = 1;
    w->dived = 1;
    for (size_t t = 0; t < G && !nms__ctl_stop(ctl); t++) {
        const double *x = s->x;
        size_t kb = 0;
        for (size_t k = C; k < s->nlp; k++)
            if (x[k] > 1e-7 && x[k] < 1 - 1e-7 && (!kb || x[k] > x[kb]))
                kb = k;
        if (!kb)
            break;
        const int32_t *g = s->pool[s->lp2pool[kb - C]].g;
        for (int a = 1; a < 4; a++)
            d[step.nd++] = (dec){g[0], g[a], 1};
        w->nd = step;
        if ((st = eval_node(w, target, ctl)) != NMS_OK || !w->r.ok_lp || w->r.b <= target)
            break;
        if (w->r.integral) {
            memcpy(w->dperm, w->cur, C * sizeof *w->dperm);
            if ((st = nms__ls_resplit(s->p, w->dperm, 1, ctl, &w->err)) == NMS_OK)
                *v = nms__pp_perm_value(s->p, w->dperm);
            break;
        }
    }
    nms__free(d);
    w->diving = 0;
    w->nd = nd;
    w->r = kept;
    return st;
}

/* Evaluate w->nd against target; when asked, round the LP solution and
 * dive from it (the better of the two partitions). */
static void worker_run(worker *w, double target, int want_round, const nms__ctl *ctl)
{
    w->rounded = 0;
    if (w->dived) /* the LP is a dive's: start from the node's basis */
        w->jump = 1;
    w->dived = 0;
    if (w->jump && w->nd.basis && (w->st = load_basis(&w->s, w->nd.basis, &w->err)) != NMS_OK)
        return;
    w->st = eval_node(w, target, ctl);
    if (w->st || !w->r.ok_lp || w->r.integral || w->r.b <= target || !want_round)
        return;
    w->vround = round_lp(&w->s, w->s.x, w->rperm, ctl);
    w->rounded = 1;
    double vd;
    if ((w->st = dive(w, w->vround > target ? w->vround : target, ctl, &vd)) == NMS_OK && vd > w->vround) {
        memcpy(w->rperm, w->dperm, w->s.C * sizeof *w->rperm);
        w->vround = vd;
    }
}

/* Nodes are evaluated in batches of BATCH (the best open ones), each by
 * its own worker, in parallel when threads allow; a batch sees the target
 * of its start and its results are applied in batch order, so the search
 * is the same for any thread count.  The threads take the workers one at a
 * time (node times vary widely), so with two threads and four workers one
 * long node does not leave a thread idle for the whole batch.  A batch runs
 * on at most as many threads as there are processors: more only compete
 * for them (the calling thread spins while it waits; movenet L037 on two
 * processors took 8.97 s with 7 threads against 7.30 s with 2). */
enum { BATCH = 4 };
/* A worker plunges into its own child while the child's bound is at least
 * best - PLUNGE (best - target): its LP basis is warm there. */
#define PLUNGE 0.5

/* The order in which open nodes are taken: not parked before parked, then
 * the larger bound, then the newer (ids are unique: a total order, so the
 * nodes taken do not depend on where they sit in the list). */
static int node_first(const node *a, const node *b)
{
    if (a->parked != b->parked)
        return a->parked < b->parked;
    if (a->bound != b->bound)
        return a->bound > b->bound;
    return a->id > b->id;
}

static int is_taken(size_t q, const size_t *taken, size_t n)
{
    for (size_t t = 0; t < n; t++)
        if (taken[t] == q)
            return 1;
    return 0;
}

static int cmp_index_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int nms__bb_pool(const nms__pp *p, const nms__col *pool, size_t n, double target,
                 int threads, const nms__ctl *ctl, long node_limit,
                 void (*tick)(void *ctx, double best_open, double target, long nodes),
                 void *tick_ctx, int32_t *perm, int *found, double *found_value,
                 int *complete, double *open_bound, long *nodes, nms_error *err)
{
    size_t C = p->C;
    *found = 0;
    *complete = 0;
    *open_bound = HUGE_VAL;
    if (n > UINT32_MAX)
        return nms__fail(err, NMS_ERR_RANGE, "branch-and-bound pool of %zu groups is too large", n);
    if (C > 65536) /* the scans keep channels in 16 bits */
        return nms__fail(err, NMS_ERR_RANGE, "branch-and-bound over %zu channels is too large", C);
    worker W[BATCH];
    memset(W, 0, sizeof W);
    pcost pc = {.C = C};
    node *open = NULL;
    size_t nopen = 0, capopen = 0;
    long next_id = 0;
    int st = NMS_OK;
    for (int w = 0; w < BATCH; w++) {
        if ((st = worker_init(&W[w], p, pool, n, err)) != NMS_OK)
            goto out;
        W[w].pc = &pc;
    }
    for (int t = 0; t < 2; t++) {
        pc.sum[t] = nms__calloc(C * C, sizeof *pc.sum[t]);
        pc.cnt[t] = nms__calloc(C * C, sizeof *pc.cnt[t]);
        if (!pc.sum[t] || !pc.cnt[t]) {
            st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
            goto out;
        }
    }
    open = nms__malloc_array(16, sizeof *open);
    capopen = 16;
    if (!open) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
        goto out;
    }
    open[0].bound = HUGE_VAL;
    open[0].id = next_id++;
    open[0].nd = 0;
    open[0].d = NULL;
    open[0].f = NULL;
    open[0].parked = 0;
    open[0].basis = NULL;
    open[0].pf = 0.0;
    nopen = 1;
#ifdef _OPENMP
    int nthreads = threads > 0 ? threads : omp_get_max_threads();
    if (nthreads > BATCH)
        nthreads = BATCH;
    int procs = omp_get_num_procs(); /* see BATCH */
    if (nthreads > procs)
        nthreads = procs;
#else
    (void)threads;
#endif
    long count = 0;
    int gave_up = 0;
    /* LP rounding (round_lp) and a dive at the first 20 nodes, then at every 10th, the
     * interval doubling after each 10 roundings in a row that found nothing
     * (up to 640): in a long proof it rarely finds anything, and on tall
     * matrices its re-split costs more than the node's LP (movenet L020,
     * 576 x 96: a third of the search's time) */
    long next_round = 0;
    int round_fails = 0;
    double cut_at = -HUGE_VAL; /* the target of the last cut: every open node is above it */
    while (nopen && !gave_up) {
        /* one pass over the open nodes: cut those the target has overtaken
         * (when it rose since the last cut), the best bound, and the
         * 2 BATCH first in the order of taking (node_first), enough for the
         * workers left after the plunges */
        const int cut = target > cut_at;
        size_t kept = 0, top[2 * BATCH], ntop = 0;
        double best = -HUGE_VAL;
        for (size_t q = 0; q < nopen; q++) {
            if (cut && open[q].bound <= target) {
                node_drop(&open[q]);
                continue;
            }
            open[kept] = open[q];
            if (open[kept].bound > best)
                best = open[kept].bound;
            if (ntop < 2 * BATCH || node_first(&open[kept], &open[top[ntop - 1]])) {
                size_t pos = ntop < 2 * BATCH ? ntop++ : ntop - 1;
                for (; pos > 0 && node_first(&open[kept], &open[top[pos - 1]]); pos--)
                    top[pos] = top[pos - 1];
                top[pos] = kept;
            }
            kept++;
        }
        nopen = kept;
        cut_at = target;
        if (!nopen)
            break;
        if (tick) /* best first: it bounds every open node */
            tick(tick_ctx, best, target, count);
        if (nms__ctl_stop(ctl) || (node_limit > 0 && count >= node_limit)) {
            gave_up = 1; /* the open nodes stay open, for the bound */
            break;
        }
        /* the batch: each worker first plunges into the child it made last
         * (its LP is warm there; children are added last, so searched from
         * the end) while that child's bound stays in the top part of the
         * gap, then the best open nodes (node_first); the nodes taken leave
         * the list at the end */
        int act[BATCH] = {0}, nb = 0;
        size_t taken[BATCH], ntaken = 0, next = 0;
        for (int w = 0; w < BATCH; w++) {
            if (W[w].want < 0)
                continue;
            for (size_t q = nopen; q-- > 0;)
                if (open[q].id == W[w].want) {
                    if (open[q].bound >= best - PLUNGE * (best - target)) {
                        W[w].nd = open[q];
                        W[w].jump = 0;
                        taken[ntaken++] = q;
                        act[w] = 1;
                        nb++;
                    }
                    break;
                }
            W[w].want = -1;
        }
        for (int w = 0; w < BATCH; w++) {
            if (act[w] || (node_limit > 0 && count + nb >= node_limit))
                continue;
            while (next < ntop && is_taken(top[next], taken, ntaken))
                next++;
            if (next == ntop)
                break;
            W[w].nd = open[top[next]];
            W[w].jump = 1;
            taken[ntaken++] = top[next++];
            act[w] = 1;
            nb++;
        }
        qsort(taken, ntaken, sizeof *taken, cmp_index_desc);
        for (size_t t = 0; t < ntaken; t++) /* from the last: the indices stay valid */
            open[taken[t]] = open[--nopen];
        int want_round[BATCH];
        for (int w = 0; w < BATCH; w++) {
            long k = count + w + 1;
            want_round[w] = act[w] && (k <= 20 || k >= next_round);
            if (want_round[w] && k > 20)
                next_round = k + (10L << (round_fails / 10 < 6 ? round_fails / 10 : 6));
        }
        int running = nb; /* workers not done yet */
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) if (nb > 1 && nthreads > 1)
#endif
        {
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
            for (int w = 0; w < BATCH; w++) {
                if (!act[w])
                    continue;
                worker_run(&W[w], target, want_round[w], ctl);
#ifdef _OPENMP
#pragma omp atomic update
#endif
                running--;
            }
            /* The calling thread waits for the others with progress lines (a
             * node's LP can take minutes): spinning at first (nodes take
             * milliseconds), then in pauses of a millisecond. */
            double t_wait = nms__now();
            for (;;) {
                int left;
#ifdef _OPENMP
#pragma omp atomic read
#endif
                left = running;
                if (!left || !nms__on_calling_thread())
                    break;
                nms__ctl_tick((void *)ctl);
                if (nms__now() - t_wait > 0.05)
                    nms__sleep(0.001);
            }
        }
        /* apply the results in batch order */
        for (int w = 0; w < BATCH; w++) {
            if (!act[w])
                continue;
            worker *wk = &W[w];
            node nd = wk->nd;
            wk->nd.d = NULL;
            wk->nd.f = NULL;
            wk->nd.basis = NULL;
            if (st || gave_up) { /* an earlier worker failed or gave up: keep the node open */
                flist_release(wk->r.child);
                open[nopen++] = nd;
                continue;
            }
            if (wk->st) {
                flist_release(wk->r.child);
                node_drop(&nd);
                st = wk->st;
                if (err)
                    *err = wk->err;
                continue;
            }
            count++;
            if (wk->r.child) { /* the node's own reduced list: valid for it and its subtree */
                flist_release(nd.f);
                nd.f = wk->r.child;
            }
            if (!wk->r.ok_lp) {
                nd.parked |= wk->r.parked;
                open[nopen++] = nd;
                if (!wk->r.parked)
                    gave_up = 1;
                continue;
            }
            double b = wk->r.b > nd.bound ? nd.bound : wk->r.b;
            if (nd.nd) /* its LP was solved (parked nodes did not get here) */
                pcost_add(&pc, &nd.d[nd.nd - 1], nd.pf, nd.bound - b);
            if (b <= target) {
                node_drop(&nd);
                continue;
            }
            if (wk->rounded)
                round_fails = wk->vround > target ? 0 : round_fails + 1;
            if (wk->rounded && wk->vround > target) {
                target = wk->vround;
                *found = 1;
                *found_value = wk->vround;
                memcpy(perm, wk->rperm, C * sizeof *perm);
                if (b <= target) {
                    node_drop(&nd);
                    continue;
                }
            }
            if (wk->r.integral) {
                double v = 0.0;
                for (size_t g = 0; g < C / 4; g++)
                    v += nms__pp_group_value(p, wk->cur + 4 * g);
                if (v > target) {
                    target = v;
                    *found = 1;
                    *found_value = v;
                    memcpy(perm, wk->cur, C * sizeof *perm);
                }
                node_drop(&nd);
                continue;
            }
            if (wk->r.bi < 0) { /* cannot branch: give up on a proof */
                open[nopen++] = nd;
                gave_up = 1;
                continue;
            }
            if (nopen + 2 + BATCH > capopen) {
                size_t nc = capopen * 2 + 2 + BATCH;
                node *q = nms__realloc_array(open, nc, sizeof *q);
                if (!q) {
                    node_drop(&nd);
                    st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
                    continue;
                }
                open = q;
                capopen = nc;
            }
            for (int t = 0; t < 2; t++) {
                node ch;
                ch.bound = b;
                ch.id = next_id++;
                ch.nd = nd.nd + 1;
                ch.d = nms__malloc_array(ch.nd, sizeof *ch.d);
                if (!ch.d) {
                    st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
                    break;
                }
                if (nd.nd)
                    memcpy(ch.d, nd.d, nd.nd * sizeof *ch.d);
                ch.d[nd.nd].i = wk->r.bi;
                ch.d[nd.nd].j = wk->r.bj;
                ch.d[nd.nd].together = t == 1; /* "together" explored first (newest) */
                ch.f = nd.f;
                ch.parked = 0;
                ch.pf = wk->r.bf;
                ch.basis = NULL;
                if (wk->basis_ok) {
                    ch.basis = nms__malloc_array(C, sizeof *ch.basis);
                    if (!ch.basis) {
                        nms__free(ch.d);
                        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in branch-and-bound");
                        break;
                    }
                    memcpy(ch.basis, wk->basis, C * sizeof *ch.basis);
                }
                if (ch.f)
                    ch.f->refs++;
                open[nopen++] = ch;
                if (t == 1)
                    wk->want = ch.id;
            }
            node_drop(&nd);
        }
        if (st)
            goto out;
    }
    *nodes += count;
    *complete = !gave_up;
    double ob = -HUGE_VAL;
    for (size_t q = 0; q < nopen; q++)
        if (open[q].bound > ob)
            ob = open[q].bound;
    *open_bound = ob;
out:
    for (size_t q = 0; q < nopen; q++)
        node_drop(&open[q]);
    nms__free(open);
    for (int w = 0; w < BATCH; w++) {
        node_drop(&W[w].nd);
        worker_free(&W[w]);
    }
    for (int t = 0; t < 2; t++) {
        nms__free(pc.sum[t]);
        nms__free(pc.cnt[t]);
    }
    return st;
}
