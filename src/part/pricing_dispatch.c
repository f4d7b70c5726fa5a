/*
 * pricing_dispatch.c - nms__price_exact and nms__price_heuristic (part.h):
 * the variants of pricing_exact.c and pricing_heur.c for the instruction
 * sets the running CPU supports.  All variants return the same groups,
 * bounds and flags.
 */
#include "config.h"
#include "part/price_kernels.h"
#include "util/cpu.h"

size_t nms__pricing_variants(nms__pricing_variant v[3])
{
    size_t n = 0;
    unsigned cpu = nms__cpu_features();
    (void)cpu;
    v[n++] = (nms__pricing_variant){nms__price_exact_portable, nms__price_heuristic_portable};
#ifdef HAVE_AVX2
    if (cpu & NMS__CPU_AVX2)
        v[n++] = (nms__pricing_variant){nms__price_exact_avx2, nms__price_heuristic_avx2};
#endif
#ifdef HAVE_AVX512
    if (cpu & NMS__CPU_AVX512)
        v[n++] = (nms__pricing_variant){nms__price_exact_avx512, nms__price_heuristic_avx512};
#endif
    return n;
}

int nms__price_exact(const nms__pp *p, const nms__price_req *req, nms__price_res *res, nms_error *err)
{
    nms__pricing_variant v[3];
    return v[nms__pricing_variants(v) - 1].exact(p, req, res, err);
}

int nms__price_heuristic(const nms__pp *p, const double *pi, double thr, size_t k, int threads, nms__col **cols,
                         size_t *n, const nms__ctl *ctl, nms_error *err)
{
    nms__pricing_variant v[3];
    return v[nms__pricing_variants(v) - 1].heuristic(p, pi, thr, k, threads, cols, n, ctl, err);
}
