/*
 * simd.h - what the CPU offers beyond the baseline, for the few hot loops that use it.
 *
 * Code with SIMD paths is compiled with per-function target attributes (the rest of the
 * binary stays baseline x86-64 or whatever the platform is) and chooses the path at run
 * time with sl_have_avx2(). Every SIMD path has a portable scalar twin that gives the same
 * result; tests run both (SLUICE_NO_SIMD=1 in the environment forces the scalar ones).
 */
#ifndef SL_SIMD_H
#define SL_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SL_HAVE_X86_SIMD 1
#else
#define SL_HAVE_X86_SIMD 0
#endif

/* base64 decoding with AVX2 (common/base64.c). */
#define SL_B64_AVX2 SL_HAVE_X86_SIMD

/*
 * Byte masks: bit i % 64 of word i / 64 of m1 is set when p[i] == c1, of m2 when
 * p[i] == c2, for i < n; the bits from n up to the end of the last word are 0. m1 and m2
 * hold (n + 63) / 64 words. Reads exactly n bytes of p.
 */
void sl_mask2(const char *p, size_t n, char c1, char c2, uint64_t *m1, uint64_t *m2);

/* True when the CPU runs AVX2 and SLUICE_NO_SIMD is not set (checked once). */
extern int sl_simd_avx2_state; /* private: -1 unknown, 0 no, 1 yes */
bool sl_simd_check_avx2(void);
static inline bool sl_have_avx2(void)
{
    int v = __atomic_load_n(&sl_simd_avx2_state, __ATOMIC_RELAXED);
    return v >= 0 ? v == 1 : sl_simd_check_avx2();
}

#endif
