/*
 * pricing_dispatch.c - nms__price_exact and nms__price_heuristic (part.h):
 * the variants of pricing_exact.c and pricing_heur.c for the instruction
 * sets the running CPU supports.  All variants return the same groups,
 * bounds and flags.
 */
#include "config.h"
#include "part/price_kernels.h"
#include "util/cpu.h"

int nms__price_exact(const nms__pp *p, const nms__price_req *req, nms__price_res *res, nms_error *err)
{
    unsigned cpu = nms__cpu_features();
    (void)cpu;
#ifdef HAVE_AVX512
    if (cpu & NMS__CPU_AVX512)
        return nms__price_exact_avx512(p, req, res, err);
#endif
#ifdef HAVE_AVX2
    if (cpu & NMS__CPU_AVX2)
        return nms__price_exact_avx2(p, req, res, err);
#endif
    return nms__price_exact_portable(p, req, res, err);
}

int nms__price_heuristic(NMS__PRICE_HEUR_ARGS)
{
    unsigned cpu = nms__cpu_features();
    (void)cpu;
#ifdef HAVE_AVX512
    if (cpu & NMS__CPU_AVX512)
        return nms__price_heuristic_avx512(p, pi, thr, k, threads, cols, n, ctl, err);
#endif
#ifdef HAVE_AVX2
    if (cpu & NMS__CPU_AVX2)
        return nms__price_heuristic_avx2(p, pi, thr, k, threads, cols, n, ctl, err);
#endif
    return nms__price_heuristic_portable(p, pi, thr, k, threads, cols, n, ctl, err);
}
