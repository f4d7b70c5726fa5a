/*
 * part.h - internal interface of the channel partition solver.
 *
 * The problem.  A nonnegative score matrix S (R rows x C columns, C a
 * multiple of 4).  A group is a 4-subset G of {0..C-1}; its value is
 *
 *     v(G) = sum_r top2( S[r, G] )          (two largest of the four)
 *
 * and we maximise sum_g v(G_g) over partitions of the C columns into C/4
 * groups.  v is submodular (it is the weighted rank of a uniform matroid
 * of rank 2, row by row), so for A subset of G:
 *
 *     v(G) <= v(A) + sum_{k in G \ A} ( v(A + k) - v(A) )            (1)
 *
 * which is the bound the exact pricing prunes with.  For sorted a >= b >= c
 * in one row, top2(a, b, c, x) = a + max(b, x).
 *
 * Set-partitioning form: max sum_S v(S) x_S, sum_{S ni i} x_S = 1 (every
 * channel i), x_S in {0,1}.  For any dual vector pi (length C) the reduced
 * cost of S is rc(S) = v(S) - sum_{i in S} pi_i and, since every partition
 * has exactly C/4 groups,
 *
 *     value(P) = sum_i pi_i + sum_{S in P} rc(S)                       (2)
 *     z*       <= sum_i pi_i + (C/4) max(0, max_S rc(S))   (Lagrangian bound)
 *
 * By (2), a partition better than z_inc + delta uses only groups with
 * rc(S) > z_inc + delta - sum pi - (C/4 - 1) max(0, max rc), or sharper
 * with per-channel maxima, (3) below: enumerating those groups and
 * searching partitions among them is exact (bb.c).
 *
 * Storage.  nms__pp keeps S column by column (x[c * Rp + r], Rp = R rounded
 * up to a multiple of 4, padding rows zero), so a group's rows are
 * contiguous.  Every sum over rows uses the same 4-lane pattern
 * (lane r % 4, then (l0 + l1) + (l2 + l3)) so that v(G) is bit-identical
 * wherever it is computed; top2 of a row is exact (one rounded addition of
 * the two largest), whatever order the four values come in.
 *
 * Memory: O(R * C) for the matrix (and the exact pricing's 16-bit copy),
 * O(C^2) for the swap search, O(R + C) per thread in the pricing; never
 * O(C^4).
 */
#ifndef NMS_PART_PART_H
#define NMS_PART_PART_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"
#include "part/chan_bound.h"
#include "part/pack_bound.h"
#include "part/pass_bound.h"

typedef struct nms__pp {
    size_t R, Rp, C;
    double *x;      /* C * Rp, column-major, zero-padded rows */
    double vscale;  /* a size for absolute tolerances: max over c of sum_r S[r,c] * 2 */
} nms__pp;

int nms__pp_init(nms__pp *p, const double *s, size_t R, size_t C, nms_error *err);
void nms__pp_free(nms__pp *p);
/* The problem on the n channels chan[0..n) of p (its channel c = p's chan[c]),
 * with the same rows, so that group values are bit-identical. */
int nms__pp_subset(const nms__pp *p, const int32_t *chan, size_t n, nms__pp *out, nms_error *err);

/* v(G) with the canonical 4-lane row sum. */
double nms__pp_group_value(const nms__pp *p, const int32_t g[4]);
/* sum_g v(G_g) of a permutation (groups = positions 4g..4g+3). */
double nms__pp_perm_value(const nms__pp *p, const int32_t *perm);

/* The next number of the splitmix64 generator with state *s (the window
 * and refill searches' seeded random choices). */
uint64_t nms__splitmix64(uint64_t *s);
/* Shuffle a[0..n) in place (Fisher-Yates, n - 1 draws of nms__splitmix64). */
void nms__shuffle(size_t *a, size_t n, uint64_t *rng);

/* ---- columns (groups) ----------------------------------------------------- */

typedef struct nms__col {
    int32_t g[4];   /* sorted ascending */
    double v;       /* v(G) */
    double rc;      /* v(G) - pi(G) with pi summed in ascending channel order */
} nms__col;

/* Order: rc descending, then g lexicographically ascending: a before b.
 * Inline for the sort's inner loop (col_sort.c). */
static inline int nms__col_before(const nms__col *a, const nms__col *b)
{
    if (a->rc != b->rc)
        return a->rc > b->rc;
    for (int i = 0; i < 4; i++)
        if (a->g[i] != b->g[i])
            return a->g[i] < b->g[i];
    return 0;
}
/* The same order for qsort. */
int nms__col_cmp(const void *a, const void *b);
/* Sort c[0..n) into nms__col_cmp order with up to threads threads
 * (col_sort.c); the same result for any thread count. */
void nms__col_sort(nms__col *c, size_t n, int threads);
/* Sort the 4 indices of g ascending. */
void nms__sort4(int32_t g[4]);
/* pi(G) summed in ascending order of the (sorted) channels. */
double nms__pi_sum4(const double *pi, const int32_t g[4]);

/* ---- limits and progress of the long steps -------------------------------- */

/* What every long step (pricing, the heuristics, the assignment) checks
 * now and then: the deadline (nms__now() time, 0 = none), the interrupt
 * flag (NULL = none), and tick (NULL = none), the driver's progress
 * callback, which prints a line when its interval has passed. */
typedef struct nms__ctl {
    double deadline;
    volatile int *interrupt;
    void (*tick)(void *ctx);
    void *tick_ctx;
} nms__ctl;

/* 1 when the step must stop (interrupt or deadline).  Calls tick first
 * when on the thread that started the step (inside a parallel region,
 * thread 0: the one that may call back into the driver).  ctl may be
 * NULL (never stop). */
int nms__ctl_stop(const nms__ctl *ctl);
/* Only the tick part of nms__ctl_stop; vctl is a const nms__ctl * (or
 * NULL), so that it can be an LP solve's tick (nms_lp_options). */
void nms__ctl_tick(void *vctl);
/* Inside a parallel region: 1 on the thread that called it. */
int nms__on_calling_thread(void);

/* ---- exact pricing ---------------------------------------------------------- */

typedef struct nms__price_req {
    const double *pi;      /* C duals; NULL = all zero */
    double thr;            /* report only groups with rc > thr */
    size_t k;              /* top-k mode: the k best (k >= 1) */
    int collect_all;       /* instead: every group with rc > thr, at most cap */
    size_t cap;
    /* collect_all over the cap: when rc_top > thr, collect every group with
     * rc > thr_m instead, for the smallest level m of
     * thr_m = rc_top - (rc_top - thr) 2^(-m/2), m = 0..NMS__PRICE_LEVELS-1,
     * that holds at most cap groups (res->thr_used says which).  That
     * level is a property of the problem, not of the schedule.  Otherwise
     * (or over the cap at every level) the search stops: cap_exceeded. */
    double rc_top;         /* >= max rc; the levels approach it */
    int threads;           /* 0 = OpenMP default */
    nms__ctl ctl;          /* deadline, interrupt, progress */
    const unsigned char *forbid; /* C*C, forbid[i*C+j] != 0: i, j never together; NULL = none */
    double *chan_ub;       /* C or NULL: on a complete run, chan_ub[i] >= max rc of the groups
                            * holding i (see chan_bound.h); on a partial pass, of
                            * the pass's groups holding i */
    /* parts > 1: a partial pass over the root pairs (positions a < b in
     * the enumeration's order) with (a + b) % parts == part only; it gives
     * the best columns among their groups and no bound of its own
     * (max_rc_ub stays HUGE_VAL): the parts split the groups, so the
     * caller combines the passes' chan_ub (master.c) */
    int parts, part;
} nms__price_req;

typedef struct nms__price_res {
    nms__col *cols;        /* n columns, nms__col_cmp order, none when not complete; nms__free */
    size_t n;
    double max_rc_ub;      /* an upper bound on max_S rc(S) (exact when > thr) */
    int complete;          /* 0: stopped by deadline / interrupt / cap */
    int cap_exceeded;      /* more than cap groups even at the last level */
    double thr_used;       /* the threshold the columns are complete above */
    double rest_ub;        /* complete (and not a partial pass): every group not in cols has
                            * rc <= rest_ub (the final threshold with the rounding margin);
                            * HUGE_VAL otherwise */
} nms__price_res;

#define NMS__PRICE_LEVELS 40
/* Level m: rc_top - (rc_top - thr) 2^(-m/2), computed in one place (the
 * pricing variants are compiled with different instruction sets and could
 * round a fused multiply-add differently). */
double nms__price_level(double rc_top, double thr, int m);

/* Per-channel Lagrangian bound (3): with u_i >= max_{S ni i} rc(S),
 * z* <= sum pi + B(u), B the sum of every fourth u in decreasing order
 * (chan_bound.h); never weaker than (C/4) max rc and much stronger while a
 * few channels hold all the positive reduced cost (duals far from optimal,
 * large C).  A partition holding any group of rc <= t is worth at most
 * sum pi + t + rest(u) (nms__chan_bound). */

int nms__price_exact(const nms__pp *p, const nms__price_req *req,
                     nms__price_res *res, nms_error *err);

/* Dual-guided heuristic pricing: from every channel, grow a group greedily
 * by reduced cost and improve it by single exchanges (the seed channel
 * stays in its group).  Returns at most k
 * distinct groups with rc > thr, nms__col_cmp order.  Deterministic.
 * ctl (may be NULL) is checked before each seed: at the deadline or
 * interrupt the round ends early (the seeds not reached give nothing). */
int nms__price_heuristic(const nms__pp *p, const double *pi, double thr,
                         size_t k, int threads, nms__col **cols, size_t *n,
                         const nms__ctl *ctl, nms_error *err);
/* An LP solve's time limit is relative to its start: set lo->time_limit to
 * the time left before deadline (0 = no deadline: unchanged).  Returns 0
 * when no time is left. */
int nms__lp_time_left(nms_lp_options *lo, double deadline);

/* ---- primal heuristics (heuristic.c) ----------------------------------------- */

/* The best split of the 8 channels ch[] into two groups of 4 (other = 1:
 * the best but the given one, ch[0..4) and ch[4..8)); returns its value and
 * writes the groups to out[0..8) (out may be NULL). */
double nms__best_split8(const nms__pp *p, const int32_t ch[8], int other, int32_t out[8]);

/* Greedy start: repeatedly open a group with the unassigned channel of
 * largest column sum and add the channel that raises v most, three times. */
int nms__greedy_start(const nms__pp *p, int32_t *perm, const nms__ctl *ctl, nms_error *err);
/* Exchange local search: for pairs of groups, the best of the 35 splits of
 * their 8 channels (covers every 2-swap); first improvement in a fixed
 * order; pairs are re-examined only when one of their groups changed.
 * Improves perm in place.  Returns NMS_OK (stops when ctl says so).
 * threads is reserved (the search is sequential). */
int nms__ls_resplit(const nms__pp *p, int32_t *perm, int threads, const nms__ctl *ctl, nms_error *err);
/* The classic channel-swap search (NVIDIA ASP style): repeatedly apply the
 * best improving swap of two channels in different groups until none. */
int nms__swap_search(const nms__pp *p, int32_t *perm, const nms__ctl *ctl, nms_error *err);

/* Windows of k related groups (2 <= k <= 16), each re-partitioned exactly
 * by branch-and-price over all its groups (window_bp.c; at most node_limit
 * nodes each, 0 = no limit); improves perm in place.  With duals pi (length
 * C; NULL = none) the windows start at and grow towards the groups whose
 * value falls short of their duals.  Deterministic for a seed, whatever
 * the thread count. */
int nms__window_bp_search(const nms__pp *p, int32_t *perm, int k, const double *pi, long node_limit,
                          unsigned long seed, int threads, const nms__ctl *ctl, nms_error *err);
/* Large windows: as nms__window_bp_search, windows of k groups (any k),
 * each re-partitioned by nms__bp_improve for at most window_seconds (> 0;
 * the time makes it depend on the machine and the thread count).  After
 * windows without a gain they grow, up to half of the groups, with time in
 * proportion (window_bp.c). */
int nms__window_sub_search(const nms__pp *p, int32_t *perm, int k, const double *pi, double window_seconds,
                           unsigned long seed, int threads, const nms__ctl *ctl, nms_error *err);
/* The BP method of solve.c (local searches, root column generation, the
 * restricted master's search, the windows) on p from the partition perm,
 * which it replaces by the best partition found, until ctl's deadline
 * (> 0) or interrupt; ctl's tick is called on the way.  For large windows. */
int nms__bp_improve(const nms__pp *p, int32_t *perm, int threads, const nms__ctl *ctl, nms_error *err);
/* Window re-optimisation (window.c): passes over shuffled windows of k
 * groups (2 <= k <= 4), each re-partitioned exactly; improves perm in
 * place.  Deterministic for a seed, whatever the thread count. */
int nms__window_search(const nms__pp *p, int32_t *perm, int k, unsigned long seed, int threads,
                       const nms__ctl *ctl, nms_error *err);

/* Refill search (refill.c): every round takes one member (or one pair) out
 * of every group and puts them back by an optimal linear assignment;
 * improves perm in place.  Deterministic for a seed, whatever the thread
 * count. */
int nms__refill_search(const nms__pp *p, int32_t *perm, unsigned long seed, int threads,
                       const nms__ctl *ctl, nms_error *err);

/* ---- column generation at the root (master.c) ------------------------------- */

/* Append the groups cols[0..n) to lp as columns: cost v, bounds [0, inf),
 * a 1 in the row of each of the four channels (the master LP, the packing
 * LP of pack_bound.h). */
int nms__lp_add_groups(nms_lp *lp, const nms__col *cols, size_t n, nms_error *err);

/* Solves  max sum_S v(S) x_S  s.t.  sum_{S ni i} x_S = 1,  x >= 0  over a pool
 * of groups grown by pricing (heuristic first, exact when the heuristic finds
 * nothing), with the LP solver of src/lp.  Every exact pricing round gives
 * the valid bound (3) with its per-channel maxima.  Stops when no group has
 * rc > tol (converged: the LP relaxation is solved), when the bound meets the
 * incumbent within the gap, or at the deadline / interrupt. */
typedef struct nms__cg {
    /* in */
    const int32_t *init_perm;   /* C: a partition, its groups seed the pool */
    double z_inc;               /* incumbent value */
    double gap;                 /* relative tolerance to stop early */
    double deadline;
    double round_deadline;      /* an exact round may run until then (past deadline): the first
                                 * one always, a later one when the last round's duration says
                                 * it ends by then */
    volatile int *interrupt;
    int threads;
    int exact_parts;            /* > 1 (with a deadline): partial exact passes between complete
                                 * rounds (master.c); solve.c sets 8 above exact_max_cols */
    void (*on_bound)(void *ctx, double bound, long columns, long rounds);
    void *ctx;
    /* out */
    double *pi;                 /* C duals of the last LP solve (caller allocates) */
    double sumpi;
    double max_rc_ub;           /* exact-pricing upper bound on max rc for pi (HUGE_VAL if none) */
    double *chan_ub;            /* C (caller allocates): per-channel max rc bounds for pi, (3) */
    double bound;               /* best Lagrangian bound (3) seen (HUGE_VAL if none) */
    int converged;
    double lp_value;            /* LP objective of the last solve */
    nms__col *pool;             /* the master's columns, rc w.r.t. pi (nms__free) */
    size_t npool;
    long rounds;
    double round_seconds;       /* the last complete exact round's duration (0 if none) */
    int out_of_time;            /* ended because the first complete round would not end in time */
} nms__cg;

int nms__cg_root(const nms__pp *p, nms__cg *cg, nms_error *err);

/* ---- branch-and-price over an explicit pool (bb.c) --------------------------- */

/* Best partition built from pool[0..n) (v valid; pool in nms__col_cmp
 * order for the pi it was priced with) worth more than target.  On a
 * complete run, no pool partition is worth more than max(target, found);
 * otherwise *open_bound bounds the open nodes (-HUGE_VAL if none).
 * tick (may be NULL) is called before each node with the best open bound,
 * the current target (best value found) and the nodes of this call; ctl
 * (not NULL) also while a node's LP grows and while a rounding searches. */
int nms__bb_pool(const nms__pp *p, const nms__col *pool, size_t n, double target,
                 int threads, const nms__ctl *ctl, long node_limit,
                 void (*tick)(void *ctx, double best_open, double target, long nodes),
                 void *tick_ctx, int32_t *perm, int *found, double *found_value,
                 int *complete, double *open_bound, long *nodes, nms_error *err);

#endif /* NMS_PART_PART_H */
