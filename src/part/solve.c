/*
 * solve.c - the partition solver's driver: options, methods, limits,
 * certificate and progress.
 *
 * BP pipeline (part.h has the mathematics):
 *   1. incumbent: group-pair re-split local search from the identity and
 *      from the greedy start; the better one.
 *   2. root column generation (master.c): duals pi, Lagrangian bounds.
 *   3. with delta = max(gap, 1e-10) * z_inc, enumerate every group with
 *      rc(S) > z_inc + delta/2 - sum pi - (C/4 - 1) max(0, max rc): by part.h
 *      (2) any partition worth more than z_inc + delta/2 uses only such
 *      groups.  An exact search among them (exact.c) either finds the best
 *      better partition or proves there is none; the bound is then
 *      max(z) + delta ("search").
 * If a stage cannot finish (time, interrupt, enumeration cap) the best
 * valid bound so far is reported with its kind.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/objective.h"
#include "part/part.h"
#include "util/util.h"

void nms_part_options_default(nms_part_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->method = NMS_PART_BP;
    opt->time_limit = 0.0;
    opt->gap = 1e-9;
    opt->threads = 0;
    opt->seed = 0;
    opt->exact_max_cols = 128;
    opt->enum_cap = 8000000;
    opt->interrupt = NULL;
    opt->progress = NULL;
    opt->progress_ctx = NULL;
    opt->progress_interval = 2.0;
}

int nms_part_method_parse(const char *name, nms_part_method *m)
{
    if (!name)
        return NMS_ERR_INVALID;
    if (!strcmp(name, "bp"))
        *m = NMS_PART_BP;
    else if (!strcmp(name, "swap"))
        *m = NMS_PART_SWAP;
    else if (!strcmp(name, "identity"))
        *m = NMS_PART_IDENTITY;
    else
        return NMS_ERR_INVALID;
    return NMS_OK;
}

const char *nms_part_method_name(nms_part_method m)
{
    switch (m) {
    case NMS_PART_BP: return "bp";
    case NMS_PART_SWAP: return "swap";
    case NMS_PART_IDENTITY: return "identity";
    }
    return "unknown";
}

const char *nms_part_status_name(nms_part_status s)
{
    switch (s) {
    case NMS_PART_OPTIMAL: return "optimal";
    case NMS_PART_GAP_LIMIT: return "gap_limit";
    case NMS_PART_TIME_LIMIT: return "time_limit";
    case NMS_PART_INTERRUPTED: return "interrupted";
    case NMS_PART_HEURISTIC: return "heuristic";
    }
    return "unknown";
}

const char *nms_part_bound_kind_name(nms_part_bound_kind k)
{
    switch (k) {
    case NMS_PART_BOUND_UNSTRUCTURED: return "unstructured";
    case NMS_PART_BOUND_LAGRANGIAN: return "lagrangian";
    case NMS_PART_BOUND_LP: return "lp";
    case NMS_PART_BOUND_SEARCH: return "search";
    }
    return "unknown";
}

void nms_part_result_free(nms_part_result *res)
{
    if (!res)
        return;
    nms__free(res->perm);
    res->perm = NULL;
}

static double rel_gap(double value, double bound)
{
    if (!(bound > value))
        return 0.0;
    double d = fabs(value) > 1e-300 ? fabs(value) : 1.0;
    return (bound - value) / d;
}

typedef struct drv {
    const nms_part_options *opt;
    double t0, last;
    double value, bound;
    long nodes, columns;
    const char *phase; /* of the periodic lines from progress_tick */
    int out_of_time;   /* a step was skipped: it would not have ended by the limit */
} drv;

static void report(drv *d, const char *phase, int improved)
{
    if (!d->opt->progress)
        return;
    double now = nms__now();
    if (!improved && now - d->last < d->opt->progress_interval)
        return;
    d->last = now;
    nms_part_progress pr = {now - d->t0, d->value, d->bound, rel_gap(d->value, d->bound),
                            d->nodes, d->columns, phase};
    d->opt->progress(&pr, d->opt->progress_ctx);
}

static int stop_requested(const nms_part_options *o, double deadline)
{
    const nms__ctl c = {deadline, o->interrupt, NULL, NULL};
    return nms__ctl_stop(&c);
}

/* A periodic progress line from inside a long step (nms__ctl.tick). */
static void progress_tick(void *vd)
{
    drv *d = vd;
    report(d, d->phase, 0);
}

/* The limits of a step of the run, with periodic progress lines of phase.
 * The phase is kept in d, so make the control just before its step (the
 * last one made names the lines). */
static nms__ctl step_ctl(drv *d, double deadline, const char *phase)
{
    d->phase = phase;
    nms__ctl c = {deadline, d->opt->interrupt, progress_tick, d};
    return c;
}

typedef struct cgctx {
    drv *d;
    double *bound;
    nms_part_bound_kind *kind;
} cgctx;

static void on_bound(void *vctx, double bound, long columns, long rounds)
{
    cgctx *c = vctx;
    int improved = 0;
    (void)rounds;
    c->d->columns = columns;
    if (bound < *c->bound) {
        *c->bound = bound;
        *c->kind = NMS_PART_BOUND_LAGRANGIAN;
        c->d->bound = bound;
        improved = 1;
    }
    report(c->d, "pricing", improved);
}

/* Local improvement of perm: window re-optimisation (groups of 4) and the
 * re-split local search; above exact_max_cols also the refill search
 * (exchanges among all groups at once), and with max_window > 0 the windows
 * of related groups re-partitioned by branch-and-price (window_bp.c), all in
 * turn until a turn gains less than a relative 1e-9, with a progress line
 * after each step that gained (a turn takes tens of seconds at C = 1024).
 * The windows improve the restricted master's partitions (movenet L027:
 * +2.9 and +4.6 in 6.7 and 9.1 s) much more than the heuristics' (+2, which the search
 * then overtakes), so only the former get them, and the heuristics when
 * nothing follows them (no time limit): the heuristic phase stays short,
 * which matters with short time limits.  Up to exact_max_cols the
 * search decides and the start matters little (measured: four C = 96
 * layers, no faster proofs, one lost), so those runs are as before.
 * After a complete exact round the windows get column generation's duals
 * pi (window_bp.c: they go where the partition falls short of the LP).
 * Without one (NULL) the duals were not tested against every group: at
 * 60 s, L027's windows from the duals of half a minute's column generation
 * reached 8470.196, against 8470.945 without them. */
enum {
    STEP_REFILL,    /* large C only */
    STEP_WINDOW,
    STEP_RESPLIT,
    STEP_WINDOW_BP, /* large C only */
    /* windows of 8 groups: on 160 x 960 as much gain as 12 or 16 in a
     * fraction of the time; a node limit bounds a window's search */
    WINDOW_BP_GROUPS = 8,
    /* where nothing follows and time is left, a turn that gains nothing
     * moves on to windows of 4 groups more, up to 16 (L027 from the
     * restricted master's search, polished: 12 groups +0.40 in 27 s, 16
     * groups +0.98 in 120 s, where 8 gained 0.27 in 120 s) */
    WINDOW_BP_MAX_GROUPS = 16,
    WINDOW_BP_NODES = 100,
    /* large windows (window_bp.c): 64 groups, 20 s each (10 s gained less
     * on L027: 8502.046 in 150 s against 8502.443 in 101 s), more groups
     * with time in proportion where they stop gaining */
    WINDOW_SUB_GROUPS = 64,
    WINDOW_SUB_SECONDS = 20
};

/* 1 when the large windows run on C channels with seconds left: C >= 512
 * (two windows or more, so that a window's own run has none) and two
 * windows' time. */
static int large_windows_fit(size_t C, double seconds)
{
    return C >= 2 * 4 * WINDOW_SUB_GROUPS && seconds >= 2 * WINDOW_SUB_SECONDS;
}

/* A progress line when perm is worth more than the run's value so far;
 * returns 1 then. */
static int report_if_higher(drv *d, const nms__pp *p, const int32_t *perm)
{
    double v = nms__pp_perm_value(p, perm);
    if (!(v > d->value))
        return 0;
    d->value = v;
    report(d, "heuristic", 1);
    return 1;
}

/* Progress of a step that changes perm only between its calls back (the
 * large windows): each periodic line reads perm's value, so that a gain is
 * reported within the progress interval. */
typedef struct progress_of_perm {
    drv *d;
    const nms__pp *p;
    const int32_t *perm;
} progress_of_perm;

static void perm_progress(void *vpp)
{
    progress_of_perm *pp = vpp;
    drv *d = pp->d;
    if (!d->opt->progress || nms__now() - d->last < d->opt->progress_interval)
        return;
    if (!report_if_higher(d, pp->p, pp->perm))
        report(d, "heuristic", 0);
}

static int improve_partition(const nms__pp *p, int32_t *perm, const nms_part_options *o, double deadline,
                             int max_window, const double *pi, drv *d, nms_error *err)
{
    const int large = p->C > o->exact_max_cols;
    const int last = large && max_window > 0 ? STEP_WINDOW_BP : STEP_RESPLIT;
    int window = WINDOW_BP_GROUPS, more;
    const nms__ctl ctl = step_ctl(d, deadline, "heuristic");
    double before;
    unsigned long turn = 0;
    /* where the windows end a run with a time limit of two large windows
     * or more, the large ones first (window_bp.c: movenet L027 8494.244 ->
     * 8502.443 in 101 s, where the small ones end at 8500.700); the small
     * ones then have what is left */
    if (large && max_window == WINDOW_BP_MAX_GROUPS && deadline > 0 && large_windows_fit(p->C, deadline - nms__now())) {
        progress_of_perm pp = {d, p, perm};
        const nms__ctl sub = {deadline, o->interrupt, perm_progress, &pp};
        int st = nms__window_sub_search(p, perm, WINDOW_SUB_GROUPS, pi, WINDOW_SUB_SECONDS, o->seed, o->threads,
                                        &sub, err);
        if (st)
            return st;
        report_if_higher(d, p, perm);
    }
    do {
        before = nms__pp_perm_value(p, perm);
        for (int step = large ? STEP_REFILL : STEP_WINDOW; step <= last; step++) {
            unsigned long seed = o->seed + turn;
            int st;
            if (step == STEP_REFILL)
                st = nms__refill_search(p, perm, seed, o->threads, &ctl, err);
            else if (step == STEP_WINDOW)
                st = nms__window_search(p, perm, 4, seed, o->threads, &ctl, err);
            else if (step == STEP_RESPLIT)
                st = nms__ls_resplit(p, perm, o->threads, &ctl, err);
            else
                st = nms__window_bp_search(p, perm, window, pi, WINDOW_BP_NODES, seed, o->threads, &ctl, err);
            if (st)
                return st;
            report_if_higher(d, p, perm);
        }
        turn++;
        more = large && nms__pp_perm_value(p, perm) > before + 1e-9 * fabs(before);
        if (!more && last == STEP_WINDOW_BP && window + 4 <= max_window) {
            window += 4;
            more = 1;
        }
    } while (more && !stop_requested(o, deadline));
    return NMS_OK;
}

/* Progress from inside the branch-and-price.  With a complete pool
 * (certified = 1), max(best open bound, floor) bounds every partition. */
typedef struct tickctx {
    drv *d;
    int certified;
    double start;   /* the search's first target: not a partition's value */
    double floor;
    long base_nodes;
} tickctx;

static void on_tick(void *vctx, double best_open, double target, long nodes)
{
    tickctx *t = vctx;
    int improved = 0;
    t->d->nodes = t->base_nodes + nodes;
    if (target > t->d->value && target > t->start) {
        t->d->value = target;
        improved = 1;
    }
    if (t->certified) { /* the bound falls a little at almost every node: periodic lines only */
        double b = best_open > t->floor ? best_open : t->floor;
        if (b < t->d->bound)
            t->d->bound = b;
    }
    report(t->d, "search", improved);
}

/* The BP method on an initialised problem; perm holds the incumbent on entry
 * and on return.  Fills bound / kind / counters in res.  Each step runs
 * while time is left: root column generation, the restricted master's short
 * search, reduced-cost enumeration (above enum_cap at a raised threshold)
 * and the branch-and-price over the enumerated pool. */
static int solve_bp(const nms__pp *p, const nms_part_options *o, double deadline, double polish,
                    int32_t *perm, drv *d, nms_part_result *res, nms_error *err)
{
    size_t C = p->C;
    int st = NMS_OK;
    double z = nms__pp_perm_value(p, perm);
    nms__cg cg;
    memset(&cg, 0, sizeof cg);
    cg.pi = nms__malloc_array(C, sizeof *cg.pi);
    cg.chan_ub = nms__malloc_array(C, sizeof *cg.chan_ub);
    int32_t *cand = nms__malloc_array(C, sizeof *cand);
    double *u_sorted = nms__malloc_array(C, sizeof *u_sorted); /* scratch of nms__chan_bound */
    nms__price_res pr;
    memset(&pr, 0, sizeof pr);
    if (!cg.pi || !cg.chan_ub || !cand || !u_sorted) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the partition solver");
        goto out;
    }
    cgctx cctx = {d, &res->bound, &res->bound_kind};
    cg.init_perm = perm;
    cg.z_inc = z;
    cg.gap = o->gap;
    /* at most half the time left, so that the restricted master's search
     * below has time too (large C: column generation may not converge) */
    cg.deadline = deadline > 0 ? nms__now() + 0.5 * (deadline - nms__now()) : 0.0;
    cg.round_deadline = deadline; /* a bound is worth more than the steps after it */
    cg.interrupt = o->interrupt;
    cg.threads = o->threads;
    /* large C: a complete exact round takes minutes, so partial passes
     * between rounds (master.c; only with a time limit) */
    cg.exact_parts = C > o->exact_max_cols ? 8 : 1;
    cg.on_bound = on_bound;
    cg.ctx = &cctx;
    if ((st = nms__cg_root(p, &cg, err)) != NMS_OK)
        goto out;
    res->pricing_rounds = cg.rounds;
    res->columns = (long)cg.npool;
    d->out_of_time = cg.out_of_time;
    d->columns = res->columns;
    if (cg.converged) {
        res->lp_bound = cg.lp_value;
        if (cg.bound <= res->bound) {
            res->bound = cg.bound;
            res->bound_kind = NMS_PART_BOUND_LP;
        }
    }
    if (cg.bound < res->bound) {
        res->bound = cg.bound;
        res->bound_kind = NMS_PART_BOUND_LAGRANGIAN;
    }
    d->bound = res->bound;
    report(d, "pricing", 1);
    int certified = cg.max_rc_ub < HUGE_VAL;
    int windows_share = 0; /* the windows have the search's second half */
    if (rel_gap(z, res->bound) <= o->gap || stop_requested(o, deadline))
        goto out;

    /* Restricted master as an integer program: a better partition among
     * the pool's columns by a short branch-and-price (not a proof); with
     * no certified duals nothing follows it, so it runs until the limit
     * (at large C less the reserve for improving its partition). */
    {
        int found = 0, complete = 0;
        double fv = 0.0, ob;
        long nn = 0;
        tickctx tc = {d, 0, z + 1e-12 * fabs(z), z + 1e-12 * fabs(z), 0};
        /* large C: the search leaves `polish` seconds (at most half of the
         * time left) for improve_partition on the partition it finds; without
         * certified duals nothing else follows */
        int windows_last = C > o->exact_max_cols && !certified; /* they end the run, up to the largest */
        double search_end = deadline;
        if (C > o->exact_max_cols && deadline > 0) {
            double now = nms__now(), half = now + 0.5 * (deadline - now);
            search_end = deadline - polish > half ? deadline - polish : half;
            /* with certified duals, when the enumeration could not follow
             * the search, the windows (guided by the duals) take its second
             * half: at C = 960 the search finds its partitions early, and
             * the windows lift them faster than it goes on; where the large
             * windows run, its last three quarters (movenet L027: 8502.443
             * after 101 s of them, 8500.568 after 20 s) */
            if (certified && search_end + cg.round_seconds > deadline) {
                search_end = large_windows_fit(C, 0.75 * (deadline - now)) ? now + 0.25 * (deadline - now) : half;
                windows_share = 1;
            }
        }
        const nms__ctl ctl = step_ctl(d, search_end, "search");
        st = nms__bb_pool(p, cg.pool, cg.npool, z + 1e-12 * fabs(z), o->threads, &ctl, certified ? 50 : 0,
                          on_tick, &tc, cand, &found, &fv, &complete, &ob, &nn, err);
        if (st)
            goto out;
        res->nodes += nn;
        if (nms__now() < search_end) /* it ended by itself: the enumeration may follow */
            windows_share = 0;
        int better = found && nms_perm_check(cand, C, NULL) == NMS_OK && nms__pp_perm_value(p, cand) > z;
        if (better)
            memcpy(perm, cand, C * sizeof *perm);
        /* local improvement again from the new partition: a better z
         * makes the enumeration below smaller (movenet L020, 576 x 96:
         * 1.42 M -> 1.10 M groups; iris L010: 6.3 M -> 5.4 M); at large C
         * when nothing follows also when the search ended early with nothing
         * better (its pool's LP at the incumbent: 256 x 1024 with a 120 s
         * limit), so that the windows have the time left */
        if (better || (windows_last && !stop_requested(o, deadline))) {
            int max_window = windows_last ? WINDOW_BP_MAX_GROUPS : WINDOW_BP_GROUPS;
            if ((st = improve_partition(p, perm, o, deadline, max_window, certified ? cg.pi : NULL, d, err)) !=
                NMS_OK)
                goto out;
            z = nms__pp_perm_value(p, perm);
            d->value = z;
            d->nodes = res->nodes;
            report(d, "search", 1);
        }
    }
    if (rel_gap(z, res->bound) <= o->gap || stop_requested(o, deadline) || !certified)
        goto out;

    /* Reduced-cost enumeration + branch-and-price over the enumerated pool.
     * An enumeration cut short gives nothing, so none starts when the time
     * left is less than the last exact round took (large C: it would only
     * run past the limit, by a second at 256 x 1024).  Large C: the windows,
     * up to the largest, have the time left instead. */
    if (deadline > 0 && (windows_share || nms__now() + cg.round_seconds > deadline)) {
        d->out_of_time = 1;
        if (C > o->exact_max_cols)
            st = improve_partition(p, perm, o, deadline, WINDOW_BP_MAX_GROUPS, cg.pi, d, err);
        goto out;
    }
    {
        double delta = (o->gap > 1e-10 ? o->gap : 1e-10) * fabs(z);
        double M = cg.max_rc_ub > 0 ? cg.max_rc_ub : 0.0;
        double rest;
        nms__chan_bound(cg.chan_ub, C, u_sorted, NULL, &rest); /* part.h (3) */
        double target = z + 0.5 * delta;
        nms__price_req rq;
        memset(&rq, 0, sizeof rq);
        rq.pi = cg.pi;
        rq.thr = target - cg.sumpi - rest;
        rq.collect_all = 1;
        rq.cap = o->enum_cap;
        rq.rc_top = M;
        rq.threads = o->threads;
        rq.ctl = step_ctl(d, deadline, "pricing");
        if ((st = nms__price_exact(p, &rq, &pr, err)) != NMS_OK)
            goto out;
        res->enumerated = (long)pr.n;
        if (!pr.complete || pr.cap_exceeded)
            goto out;
        /* Over the cap, the pool holds the groups with rc > thr_used only:
         * by part.h (3) a partition with any other group is worth at most
         * floor = sum pi + thr_used + rest.  The search below finds
         * the best pool partition, and the bound is max(floor, its bound). */
        double floor = target;
        if (pr.thr_used > rq.thr)
            floor = cg.sumpi + pr.thr_used + rest + 1e-12 * fabs(z);
        int found = 0, complete = 0;
        double fv = 0.0, ob = HUGE_VAL;
        tickctx tc = {d, 1, target, floor, res->nodes};
        const nms__ctl ctl = step_ctl(d, deadline, "search");
        st = nms__bb_pool(p, pr.cols, pr.n, target, o->threads, &ctl, 0, on_tick, &tc, cand,
                          &found, &fv, &complete, &ob, &res->nodes, err);
        if (st)
            goto out;
        double zbest = z;
        if (found && nms_perm_check(cand, C, NULL) == NMS_OK && nms__pp_perm_value(p, cand) > z) {
            memcpy(perm, cand, C * sizeof *perm);
            zbest = nms__pp_perm_value(p, cand);
        }
        /* Partitions outside the pool are worth <= target; inside, the
         * search cut nodes at its running target (target, then the value of
         * what it found), so they are worth <= that (complete) or <= the best
         * open node. */
        double proven = target;
        if (found && fv > proven)
            proven = fv;
        if (zbest > proven)
            proven = zbest;
        double b = complete ? proven + 0.5 * delta : (ob > proven ? ob : proven);
        if (b < floor)
            b = floor;
        if (b < zbest)
            b = zbest;
        if (b < res->bound) {
            res->bound = b;
            res->bound_kind = NMS_PART_BOUND_SEARCH;
        }
        z = zbest;
        d->value = z;
        d->bound = res->bound;
        d->nodes = res->nodes;
        report(d, "search", 1);
    }
out:
    nms__free(pr.cols);
    nms__free(cg.pi);
    nms__free(cg.chan_ub);
    nms__free(cg.pool);
    nms__free(cand);
    nms__free(u_sorted);
    return st;
}

/* The BP method from the partition perm (the identity for a run, a
 * window's partition for nms__bp_improve): the re-split search from it and
 * from the greedy start, the better one improved, then solve_bp (above
 * exact_max_cols only with a time limit).  alt: C entries of scratch. */
static int bp_method(const nms__pp *p, const nms_part_options *opt, double deadline, int32_t *perm, int32_t *alt,
                     drv *d, nms_part_result *res, nms_error *err)
{
    const nms__ctl ctl = step_ctl(d, deadline, "heuristic");
    int st;
    if ((st = nms__ls_resplit(p, perm, opt->threads, &ctl, err)) != NMS_OK ||
        (st = nms__greedy_start(p, alt, &ctl, err)) != NMS_OK ||
        (st = nms__ls_resplit(p, alt, opt->threads, &ctl, err)) != NMS_OK)
        return st;
    if (nms__pp_perm_value(p, alt) > nms__pp_perm_value(p, perm))
        memcpy(perm, alt, p->C * sizeof *perm);
    double polish = nms__now();
    /* the windows only when nothing follows (large C, no time limit) */
    if ((st = improve_partition(p, perm, opt, deadline, deadline > 0 ? 0 : WINDOW_BP_GROUPS, NULL, d, err)) != NMS_OK)
        return st;
    /* the windows take about twice the local searches' time (L027) */
    polish = 3.0 * (nms__now() - polish);
    d->value = nms__pp_perm_value(p, perm);
    report(d, "heuristic", 1);
    /* above exact_max_cols, only with a time limit: the rest of the time
     * goes to the root column generation, for a Lagrangian (or LP) bound */
    int exact = p->C <= opt->exact_max_cols;
    if ((exact || deadline > 0) && !stop_requested(opt, deadline))
        return solve_bp(p, opt, deadline, polish, perm, d, res, err);
    return NMS_OK;
}

/* A large window's run reports through the caller's progress (its tick). */
static void tick_caller(const nms_part_progress *pr, void *vctl)
{
    (void)pr;
    nms__ctl_tick(vctl);
}

int nms__bp_improve(const nms__pp *p, int32_t *perm, int threads, const nms__ctl *ctl, nms_error *err)
{
    nms__ctl caller = *ctl;
    nms_part_options o;
    nms_part_options_default(&o);
    o.threads = threads;
    o.interrupt = ctl->interrupt;
    o.progress = tick_caller;
    o.progress_ctx = &caller;
    nms_part_result res;
    memset(&res, 0, sizeof res);
    res.bound = HUGE_VAL; /* no bound yet: the run's certificate is not wanted */
    int32_t *alt = nms__malloc_array(p->C, sizeof *alt);
    if (!alt)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory in the window search (%zu channels)", p->C);
    double t0 = nms__now();
    drv d = {&o, t0, t0, nms__pp_perm_value(p, perm), HUGE_VAL, 0, 0, NULL, 0};
    int st = bp_method(p, &o, ctl->deadline, perm, alt, &d, &res, err);
    nms__free(alt);
    return st;
}

static int gather_scores(const nms_tensor *const *t, size_t count, double **out, size_t *R,
                         size_t *C, nms_error *err)
{
    double *all = NULL;
    size_t rows = 0, cols = 0;
    for (size_t q = 0; q < count; q++) {
        double *s;
        size_t r, c, tot, bytes;
        int st = nms__abs_scores(t[q], &s, &r, &c, err);
        if (st) {
            nms__free(all);
            return st;
        }
        if (q > 0 && c != cols) {
            nms__free(all);
            nms__free(s);
            return nms__fail(err, NMS_ERR_SHAPE, "stacked score matrix %zu has %zu columns, the first has %zu",
                             q, c, cols);
        }
        cols = c;
        if (nms__add_size(rows, r, &tot) || nms__mul_size(tot, cols ? cols : 1, &bytes)) {
            nms__free(all);
            nms__free(s);
            return nms__fail(err, NMS_ERR_RANGE, "stacked score matrices are too large");
        }
        double *na = nms__realloc_array(all, bytes ? bytes : 1, sizeof *na);
        if (!na) {
            nms__free(all);
            nms__free(s);
            return nms__fail(err, NMS_ERR_NOMEM, "out of memory stacking score matrices");
        }
        all = na;
        memcpy(all + rows * cols, s, r * c * sizeof *s);
        rows = tot;
        nms__free(s);
    }
    *out = all;
    *R = rows;
    *C = cols;
    return NMS_OK;
}

int nms_part_solve_stacked(const nms_tensor *const *scores, size_t count,
                           const nms_part_options *opt, nms_part_result *res,
                           nms_error *err)
{
    nms_part_options defaults;
    if (!opt) {
        nms_part_options_default(&defaults);
        opt = &defaults;
    }
    if (!res)
        return nms__fail(err, NMS_ERR_INVALID, "nms_part_solve: result is NULL");
    memset(res, 0, sizeof *res);
    if (!scores || count == 0)
        return nms__fail(err, NMS_ERR_INVALID, "nms_part_solve: no score matrix");
    if (!(opt->gap >= 0) || !(opt->time_limit == opt->time_limit))
        return nms__fail(err, NMS_ERR_INVALID, "invalid gap or time limit");
    double t0 = nms__now();
    clock_t c0 = clock();
    double deadline = opt->time_limit > 0 ? t0 + opt->time_limit : 0.0;
    double *s = NULL;
    size_t R = 0, C = 0;
    int st = gather_scores(scores, count, &s, &R, &C, err);
    if (st)
        return st;
    if (C == 0 || C % 4) {
        nms__free(s);
        return nms__fail(err, NMS_ERR_SHAPE, "the matrix has %zu columns, not a positive multiple of 4", C);
    }
    nms__pp p;
    if ((st = nms__pp_init(&p, s, R, C, err)) != NMS_OK) {
        nms__free(s);
        return st;
    }
    int32_t *perm = nms__malloc_array(C, sizeof *perm);
    int32_t *alt = nms__malloc_array(C, sizeof *alt);
    if (!perm || !alt) {
        st = nms__fail(err, NMS_ERR_NOMEM, "out of memory in the partition solver");
        goto fail;
    }
    res->rows = R;
    res->cols = C;
    res->identity_value = nms__kept_value(s, R, C, NULL);
    res->unstructured_bound = nms__unstructured_bound(s, R, C);
    res->lp_bound = (double)NAN;
    res->bound = res->unstructured_bound;
    res->bound_kind = NMS_PART_BOUND_UNSTRUCTURED;
#ifdef _OPENMP
    res->threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
#else
    res->threads = 1;
#endif
    for (size_t j = 0; j < C; j++)
        perm[j] = (int32_t)j;
    drv d = {opt, t0, t0, res->identity_value, res->bound, 0, 0, NULL, 0};
    const nms__ctl ctl = step_ctl(&d, deadline, "heuristic");
    report(&d, "heuristic", 1);
    if (opt->method == NMS_PART_SWAP) {
        if ((st = nms__swap_search(&p, perm, &ctl, err)) != NMS_OK)
            goto fail;
    } else if (opt->method == NMS_PART_BP) {
        if ((st = bp_method(&p, opt, deadline, perm, alt, &d, res, err)) != NMS_OK)
            goto fail;
    }
    res->value = nms__kept_value(s, R, C, perm);
    if (res->bound < res->value) /* rounding: no partition beats the optimum */
        res->bound = res->value;
    res->gap = rel_gap(res->value, res->bound);
    double tol = opt->gap > 1e-9 ? opt->gap : 1e-9;
    int limit_hit = deadline > 0 && (nms__now() > deadline || d.out_of_time);
    if (res->gap <= 1e-9 * (1 + 1e-6))
        res->status = NMS_PART_OPTIMAL;
    else if (res->gap <= tol * (1 + 1e-6))
        res->status = NMS_PART_GAP_LIMIT;
    else if (opt->interrupt && *opt->interrupt)
        res->status = NMS_PART_INTERRUPTED;
    else if (limit_hit)
        res->status = NMS_PART_TIME_LIMIT;
    else
        res->status = NMS_PART_HEURISTIC; /* e.g. the enumeration cap: no proof, no limit hit */
    res->perm = perm;
    res->seconds = nms__now() - t0;
    res->cpu_seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    d.value = res->value;
    d.bound = res->bound;
    d.nodes = res->nodes;
    report(&d, "done", 1);
    nms__free(alt);
    nms__pp_free(&p);
    nms__free(s);
    return NMS_OK;
fail:
    nms__free(perm);
    nms__free(alt);
    nms__pp_free(&p);
    nms__free(s);
    memset(res, 0, sizeof *res);
    return st;
}

int nms_part_solve(const nms_tensor *scores, const nms_part_options *opt,
                   nms_part_result *res, nms_error *err)
{
    const nms_tensor *one[1] = {scores};
    return nms_part_solve_stacked(one, 1, opt, res, err);
}
