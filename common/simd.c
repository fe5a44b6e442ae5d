/*
 * simd.c - run-time CPU feature checks; see simd.h.
 */
#include "simd.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define SL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL_ASAN 1
#endif
#endif
#ifndef SL_ASAN
#define SL_ASAN 0
#endif

#if SL_HAVE_X86_SIMD
#include <immintrin.h>

/* sl_mask2 for 64 bytes at p. */
__attribute__((target("avx2"))) static inline void mask64_avx2(const char *p, __m256i a, __m256i b,
                                                                 uint64_t *m1, uint64_t *m2)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)p), y = _mm256_loadu_si256((const __m256i *)(p + 32));
    uint64_t lo1 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, a));
    uint64_t hi1 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, a));
    uint64_t lo2 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, b));
    uint64_t hi2 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, b));
    *m1 = lo1 | hi1 << 32;
    *m2 = lo2 | hi2 << 32;
}

/* sl_mask2 with AVX2: whole 64-byte blocks from p, the tail through a zeroed copy. A zero
 * byte of the copy can match c1 or c2 only when one of them is NUL; those bits lie at or
 * after n and are cleared. */
__attribute__((target("avx2"))) static void mask2_avx2(const char *p, size_t n, char c1, char c2,
                                                         uint64_t *m1, uint64_t *m2)
{
    __m256i a = _mm256_set1_epi8(c1), b = _mm256_set1_epi8(c2);
    size_t w = 0, i = 0;
    for (; i + 64 <= n; i += 64, w++) mask64_avx2(p + i, a, b, &m1[w], &m2[w]);
    if (i < n) {
        char tail[64];
        const char *t = p + i;
#if !SL_ASAN
        /* 64 bytes from p + i stay inside p + i's page: readable, whatever lies past n. */
        if (((uintptr_t)t & 4095) > 4096 - 64)
#endif
        {
            memset(tail, 0, sizeof tail);
            memcpy(tail, t, n - i);
            t = tail;
        }
        mask64_avx2(t, a, b, &m1[w], &m2[w]);
        uint64_t keep = (UINT64_C(1) << (n - i)) - 1;
        m1[w] &= keep;
        m2[w] &= keep;
    }
}
#endif

/* See simd.h. */
void sl_mask2(const char *p, size_t n, char c1, char c2, uint64_t *m1, uint64_t *m2)
{
#if SL_HAVE_X86_SIMD
    if (sl_have_avx2()) {
        mask2_avx2(p, n, c1, c2, m1, m2);
        return;
    }
#endif
    size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        uint64_t a = 0, b = 0;
        size_t end = (w + 1) * 64 < n ? (w + 1) * 64 : n;
        for (size_t i = w * 64; i < end; i++) {
            a |= (uint64_t)(p[i] == c1) << (i & 63);
            b |= (uint64_t)(p[i] == c2) << (i & 63);
        }
        m1[w] = a;
        m2[w] = b;
    }
}

int sl_simd_avx2_state = -1;

/* See simd.h: the slow half of sl_have_avx2(). Two first callers racing compute the same
 * value twice. */
bool sl_simd_check_avx2(void)
{
    int h = 0;
#if SL_HAVE_X86_SIMD
    __builtin_cpu_init();
    h = __builtin_cpu_supports("avx2") != 0;
#endif
    const char *off = getenv("SLUICE_NO_SIMD");
    if (off && *off && *off != '0') h = 0;
    __atomic_store_n(&sl_simd_avx2_state, h, __ATOMIC_RELAXED);
    return h == 1;
}
