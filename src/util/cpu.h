/*
 * cpu.h - which instruction-set extensions the running CPU *and* operating
 * system support (internal).
 *
 * x86: CPUID leaf 1 / leaf 7 feature bits (leaf 1 ECX: SSSE3, SSE4.1,
 * POPCNT; leaf 7 EBX: AVX2, BMI1/2, AVX-512 F/BW/VL; leaf 7 ECX bit 6:
 * AVX-512 VBMI2), and for AVX / AVX-512 also XCR0
 * (read with XGETBV when OSXSAVE is set) showing that the OS saves the
 * YMM (bits 1-2) and opmask / ZMM (bits 5-7) state.  AArch64: Advanced SIMD
 * is architectural, always present.  Other hosts: no features.
 *
 * The answer is computed once and cached in an atomic int (a benign race:
 * two threads may both compute it, and they store the same value), so the
 * function is cheap and thread-safe.
 */
#ifndef NMS_UTIL_CPU_H
#define NMS_UTIL_CPU_H

#define NMS__CPU_SSE41 0x01u  /* SSE4.1 and SSSE3 */
#define NMS__CPU_AVX2 0x02u   /* AVX2 with OS YMM state */
#define NMS__CPU_AVX512 0x04u /* AVX-512 F + BW + VL with OS ZMM / opmask state */
#define NMS__CPU_NEON 0x08u   /* AArch64 Advanced SIMD */
/* AVX-512 VBMI2 (vpcompressw / vpcompressb) with BMI1, BMI2 and POPCNT, on top of
 * NMS__CPU_AVX512 (Ice Lake, AMD Zen 4 and later; not Skylake-X) */
#define NMS__CPU_AVX512VBMI2 0x10u

/* Bit set of NMS__CPU_* flags. */
unsigned nms__cpu_features(void);

#endif /* NMS_UTIL_CPU_H */
