/* cpu.c - run-time CPU feature detection, computed once (see cpu.h). */
#include "util/cpu.h"

#include <stdatomic.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define NMS_CPU_X86 1

static unsigned long long read_xcr0(void)
{
    unsigned eax, edx;
    /* xgetbv with ecx = 0, spelled as bytes for old assemblers */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static unsigned detect(void)
{
    unsigned a, b, c, d, features = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1, popcnt = (c >> 23) & 1;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (sse41 && ssse3)
        features |= NMS__CPU_SSE41;
    if (!osxsave || !avx)
        return features;
    unsigned long long xcr0 = read_xcr0();
    int ymm_os = (xcr0 & 0x6) == 0x6;
    int zmm_os = (xcr0 & 0xe6) == 0xe6;
    if (__get_cpuid_max(0, 0) < 7)
        return features;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    if (avx2 && ymm_os)
        features |= NMS__CPU_AVX2;
    int bmi1 = (b >> 3) & 1, bmi2 = (b >> 8) & 1, vbmi2 = (c >> 6) & 1;
    if (avx512f && avx512bw && avx512vl && zmm_os) {
        features |= NMS__CPU_AVX512;
        if (vbmi2 && bmi1 && bmi2 && popcnt)
            features |= NMS__CPU_AVX512VBMI2;
    }
    return features;
}
#elif defined(__aarch64__)
static unsigned detect(void) { return NMS__CPU_NEON; }
#else
static unsigned detect(void) { return 0; }
#endif

/* 0 = not yet computed; otherwise features | KNOWN. */
#define KNOWN 0x80000000u
static atomic_uint cached_features; /* zero-initialised */

unsigned nms__cpu_features(void)
{
    unsigned v = atomic_load_explicit(&cached_features, memory_order_acquire);
    if (!v) {
        v = detect() | KNOWN;
        atomic_store_explicit(&cached_features, v, memory_order_release);
    }
    return v & ~KNOWN;
}
