/*
 * hll.h - counting distinct items: an exact set of item hashes up to 10,000 items, then a
 * HyperLogLog sketch, for KDA's COUNT_DISTINCT_ITEMS_TUMBLING ("when there are less than
 * or equal to 10,000 items in the window, the function returns an exact count").
 *
 * HyperLogLog (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a
 * near-optimal cardinality estimation algorithm", AofA 2007) with 2^14 registers of 6-bit
 * values held in bytes (16 KB): a 64-bit hash picks a register with its top 14 bits, and
 * the register keeps the largest position of the first 1 bit in the other 50. The
 * estimate is Ertl's improved estimator over the registers' histogram (O. Ertl, "New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017, section 3), which
 * needs no empirical bias correction and no switch to linear counting: relative standard
 * error about 1.04 / sqrt(2^14) = 0.81 % over the whole range.
 *
 * Exactness: below the switch the count is that of distinct 64-bit hashes. sl_hll_hash of
 * an 8-byte item is a bijection (distinct numbers never collide); for longer items two
 * distinct items collide with probability about 2^-64 per pair (< 3e-12 for 10,000 items).
 *
 * Ownership: sl_distinct_new returns a counter the caller frees with sl_distinct_free
 * (NULL is a no-op); not thread-safe.
 */
#ifndef SL_HLL_H
#define SL_HLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_HLL_P          14
#define SL_HLL_REGISTERS  (1u << SL_HLL_P)
#define SL_DISTINCT_EXACT 10000 /* KDA: exact up to this many distinct items */

/* A 64-bit hash of the bytes key[0..len) for the sketches; an 8-byte key is hashed by a
 * bijection of its value. */
uint64_t sl_hll_hash(const void *key, size_t len);

/* ---- the HyperLogLog sketch alone ---- */
typedef struct sl_hll {
    uint8_t reg[SL_HLL_REGISTERS];
} sl_hll_t;

void sl_hll_clear(sl_hll_t *h);
void sl_hll_add(sl_hll_t *h, uint64_t hash);
/* h = the union of h and o (register-wise maximum). */
void sl_hll_merge(sl_hll_t *h, const sl_hll_t *o);
/* The estimated number of distinct hashes added (Ertl's improved estimator). */
double sl_hll_estimate(const sl_hll_t *h);

/* ---- exact, then approximate ---- */
typedef struct sl_distinct sl_distinct_t;

sl_distinct_t *sl_distinct_new(void);
void sl_distinct_free(sl_distinct_t *d);
/* Empties the counter (back to the exact set). */
void sl_distinct_reset(sl_distinct_t *d);
/* Adds an item by its hash (sl_hll_hash). */
void sl_distinct_add(sl_distinct_t *d, uint64_t hash);
/* d = d union o. */
void sl_distinct_merge(sl_distinct_t *d, const sl_distinct_t *o);
/* The number of distinct items: exact while at most SL_DISTINCT_EXACT were added, else the
 * sketch's estimate rounded to the nearest integer. */
int64_t sl_distinct_count(const sl_distinct_t *d);
/* True while the count is exact. */
bool sl_distinct_exact(const sl_distinct_t *d);

#endif
