/* prune_dispatch.c - naming, choosing and checking the kernel variants. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "prune/prune.h"
#include "util/cpu.h"
#include "util/util.h"

static const char *const variant_names[NMS_PRUNE_VARIANT_COUNT] = {
    "auto", "scalar", "sse4.1", "avx2", "avx512", "neon",
};

const char *nms_prune_variant_name(nms_prune_variant variant)
{
    return (unsigned)variant < NMS_PRUNE_VARIANT_COUNT ? variant_names[variant] : "?";
}

int nms_prune_variant_parse(const char *name, nms_prune_variant *variant)
{
    if (!name)
        return NMS_ERR_INVALID;
    for (int v = 0; v < NMS_PRUNE_VARIANT_COUNT; v++)
        if (strcasecmp(name, variant_names[v]) == 0) {
            *variant = (nms_prune_variant)v;
            return NMS_OK;
        }
    if (strcasecmp(name, "sse41") == 0) {
        *variant = NMS_PRUNE_SSE41;
        return NMS_OK;
    }
    return NMS_ERR_INVALID;
}

const nms__prune_kernels *nms__prune_kernels_get(nms_prune_variant variant)
{
    unsigned cpu = nms__cpu_features();
    (void)cpu;
    switch (variant) {
    case NMS_PRUNE_SCALAR:
        return nms__prune_kernels_scalar();
#ifdef HAVE_SSE41
    case NMS_PRUNE_SSE41:
        return (cpu & NMS__CPU_SSE41) ? nms__prune_kernels_sse41() : NULL;
#endif
#ifdef HAVE_AVX2
    case NMS_PRUNE_AVX2:
        return (cpu & NMS__CPU_AVX2) ? nms__prune_kernels_avx2() : NULL;
#endif
#ifdef HAVE_AVX512
    case NMS_PRUNE_AVX512:
        if (!(cpu & NMS__CPU_AVX512))
            return NULL;
        if ((cpu & NMS__CPU_AVX512VBMI2) && nms__prune_kernels_avx512_vbmi2())
            return nms__prune_kernels_avx512_vbmi2();
        return nms__prune_kernels_avx512();
#endif
#ifdef HAVE_NEON
    case NMS_PRUNE_NEON:
        return (cpu & NMS__CPU_NEON) ? nms__prune_kernels_neon() : NULL;
#endif
    default:
        return NULL;
    }
}

int nms_prune_variant_supported(nms_prune_variant variant)
{
    return variant == NMS_PRUNE_AUTO || nms__prune_kernels_get(variant) != NULL;
}

static nms_prune_variant best_variant(void)
{
    static const nms_prune_variant preference[] = {
        NMS_PRUNE_AVX512, NMS_PRUNE_AVX2, NMS_PRUNE_SSE41, NMS_PRUNE_NEON,
    };
    for (size_t i = 0; i < sizeof preference / sizeof preference[0]; i++)
        if (nms__prune_kernels_get(preference[i]))
            return preference[i];
    return NMS_PRUNE_SCALAR;
}

int nms_prune_variant_resolve(nms_prune_variant requested,
                              nms_prune_variant *used, nms_error *err)
{
    nms_prune_variant v = requested;
    if ((unsigned)v >= NMS_PRUNE_VARIANT_COUNT)
        return nms__fail(err, NMS_ERR_INVALID, "invalid pruning kernel variant %d", (int)v);
    if (v == NMS_PRUNE_AUTO) {
        const char *env = getenv("NMS_PRUNE_VARIANT");
        if (env && *env) {
            if (nms_prune_variant_parse(env, &v) != NMS_OK)
                return nms__fail(err, NMS_ERR_INVALID,
                                 "NMS_PRUNE_VARIANT=%s: unknown pruning kernel variant "
                                 "(auto, scalar, sse4.1, avx2, avx512, neon)", env);
        }
        if (v == NMS_PRUNE_AUTO)
            v = best_variant();
        else if (!nms__prune_kernels_get(v))
            return nms__fail(err, NMS_ERR_UNSUPPORTED,
                             "NMS_PRUNE_VARIANT=%s: this build or CPU does not support "
                             "the %s pruning kernels", env, nms_prune_variant_name(v));
    } else if (!nms__prune_kernels_get(v)) {
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "this build or CPU does not support the %s pruning kernels",
                         nms_prune_variant_name(v));
    }
    *used = v;
    return NMS_OK;
}
