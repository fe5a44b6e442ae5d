/*
 * hll.c - the exact set of hashes and the HyperLogLog sketch behind
 * COUNT_DISTINCT_ITEMS_TUMBLING (contract and sources in hll.h).
 */
#include "hll.h"

#include "alloc.h"
#include "hash.h"

#include <math.h>
#include <string.h>

uint64_t sl_hll_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t w;
    if (len == 8) {
        memcpy(&w, p, 8);
        return sl_hash_mix(w ^ 0x9e3779b97f4a7c15ULL);
    }
    uint64_t h = 0x243f6a8885a308d3ULL ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = sl_hash_mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
    }
    w = 0;
    for (size_t j = 0; i + j < len; j++) w |= (uint64_t)p[i + j] << (8 * j);
    return sl_hash_mix(h ^ w ^ 0x5851f42d4c957f2dULL);
}

/* ---- HyperLogLog ---------------------------------------------------------------------- */

#define HLL_Q (64 - SL_HLL_P) /* hash bits left after the register index */

void sl_hll_clear(sl_hll_t *h) { memset(h->reg, 0, sizeof h->reg); }

void sl_hll_add(sl_hll_t *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> HLL_Q);
    uint64_t w = hash << SL_HLL_P;
    uint8_t rho = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(HLL_Q + 1);
    if (rho > h->reg[idx]) h->reg[idx] = rho;
}

void sl_hll_merge(sl_hll_t *h, const sl_hll_t *o)
{
    for (size_t i = 0; i < SL_HLL_REGISTERS; i++)
        if (o->reg[i] > h->reg[i]) h->reg[i] = o->reg[i];
}

/* Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), for the registers still 0. */
static double hll_sigma(double x)
{
    if (x == 1.0) return INFINITY;
    double y = 1.0, z = x, zold;
    do {
        x *= x;
        zold = z;
        z += x * y;
        y += y;
    } while (z != zold);
    return z;
}

/* Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3, for the saturated
 * registers. */
static double hll_tau(double x)
{
    if (x == 0.0 || x == 1.0) return 0.0;
    double y = 1.0, z = 1.0 - x, zold;
    do {
        x = sqrt(x);
        zold = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != zold);
    return z / 3.0;
}

double sl_hll_estimate(const sl_hll_t *h)
{
    double m = SL_HLL_REGISTERS;
    uint32_t c[HLL_Q + 2] = {0};
    for (size_t i = 0; i < SL_HLL_REGISTERS; i++) c[h->reg[i]]++;
    if (c[0] == SL_HLL_REGISTERS) return 0.0;
    double z = m * hll_tau(1.0 - c[HLL_Q + 1] / m);
    for (int k = HLL_Q; k >= 1; k--) z = 0.5 * (z + c[k]);
    z += m * hll_sigma(c[0] / m);
    return m * m / (2.0 * log(2.0)) / z;
}

/* ---- exact, then approximate ---------------------------------------------------------- */

#define SET_SIZE 16384 /* a power of two; holds SL_DISTINCT_EXACT at load 0.61 */

struct sl_distinct {
    uint64_t *set;  /* open addressing; 0 = empty (the hash 0 is has_zero) */
    bool has_zero;
    size_t n;       /* distinct hashes while exact */
    sl_hll_t *hll;  /* non-NULL once more than SL_DISTINCT_EXACT were added */
};

sl_distinct_t *sl_distinct_new(void)
{
    sl_distinct_t *d = SL_NEW(sl_distinct_t);
    d->set = SL_NEWN(uint64_t, SET_SIZE);
    return d;
}

void sl_distinct_free(sl_distinct_t *d)
{
    if (!d) return;
    sl_free(d->set);
    sl_free(d->hll);
    sl_free(d);
}

void sl_distinct_reset(sl_distinct_t *d)
{
    memset(d->set, 0, SET_SIZE * sizeof *d->set);
    d->has_zero = false;
    d->n = 0;
    sl_free(d->hll);
    d->hll = NULL;
}

/* Moves the exact set into a new sketch. */
static void distinct_to_hll(sl_distinct_t *d)
{
    d->hll = SL_NEW(sl_hll_t);
    if (d->has_zero) sl_hll_add(d->hll, 0);
    for (size_t i = 0; i < SET_SIZE; i++)
        if (d->set[i]) sl_hll_add(d->hll, d->set[i]);
}

void sl_distinct_add(sl_distinct_t *d, uint64_t hash)
{
    if (d->hll) {
        sl_hll_add(d->hll, hash);
        return;
    }
    if (!hash) {
        if (d->has_zero) return;
        if (d->n == SL_DISTINCT_EXACT) {
            distinct_to_hll(d);
            sl_hll_add(d->hll, hash);
            return;
        }
        d->has_zero = true;
        d->n++;
        return;
    }
    size_t s = (size_t)(hash >> 32 ^ hash) & (SET_SIZE - 1);
    while (d->set[s]) {
        if (d->set[s] == hash) return;
        s = (s + 1) & (SET_SIZE - 1);
    }
    if (d->n == SL_DISTINCT_EXACT) {
        distinct_to_hll(d);
        sl_hll_add(d->hll, hash);
        return;
    }
    d->set[s] = hash;
    d->n++;
}

void sl_distinct_merge(sl_distinct_t *d, const sl_distinct_t *o)
{
    if (o->hll) {
        if (!d->hll) distinct_to_hll(d);
        sl_hll_merge(d->hll, o->hll);
        return;
    }
    if (o->has_zero) sl_distinct_add(d, 0);
    for (size_t i = 0; i < SET_SIZE; i++)
        if (o->set[i]) sl_distinct_add(d, o->set[i]);
}

int64_t sl_distinct_count(const sl_distinct_t *d)
{
    if (!d->hll) return (int64_t)d->n;
    return (int64_t)llround(sl_hll_estimate(d->hll));
}

bool sl_distinct_exact(const sl_distinct_t *d) { return d->hll == NULL; }
