/*
 * topk.h - the most frequent items of a stream in bounded memory: the Space-Saving
 * algorithm (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k
 * Elements in Data Streams", ICDT 2005), for KDA's TOP_K_ITEMS_TUMBLING.
 *
 * A summary of `capacity` counters. An item already monitored has its counter incremented;
 * a new item takes a free counter (count 1, error 0) or, when all are taken, replaces the
 * item of the smallest count m: count m + 1, error m. Hence, over N items added:
 *   - while at most `capacity` distinct items were added, every count is exact (error 0);
 *   - otherwise each monitored item's count c and error e satisfy
 *         c - e <= true frequency <= c,   e <= min count <= N / capacity,
 *     and every item whose true frequency exceeds N / capacity is monitored.
 * Ties are broken by a sequence number given when an item takes its counter, so results
 * depend only on the order of the items added: the summary evicts the counter of the
 * smallest (count, sequence) and sl_topk_result orders by count descending, then by
 * sequence (the item that took its counter first comes first; in the exact regime, the
 * item seen first).
 *
 * Items are byte strings (copied). Ownership: sl_topk_new returns a summary the caller
 * frees with sl_topk_free (NULL is a no-op); not thread-safe.
 */
#ifndef SL_TOPK_H
#define SL_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* KDA's range of K. */
#define SL_TOPK_MAX_K 100000

typedef struct sl_topk sl_topk_t;

/* One monitored item, as sl_topk_result returns it. key points into the summary and is
 * valid until its next add or reset. */
typedef struct sl_topk_item {
    const void *key;
    size_t len;
    int64_t count; /* estimated frequency (exact when error is 0) */
    int64_t error; /* overestimation bound: count - error <= true frequency */
} sl_topk_item_t;

/*
 * The counters sluice gives TOP_K_ITEMS_TUMBLING for a K: max(4 K, 10000). Exact for up to
 * that many distinct values in a window; beyond it, counts are high by at most N / capacity
 * (N the window's rows), i.e. at most 1/(4K) of the window.
 */
size_t sl_topk_capacity_for(int64_t k);

/* A new empty summary of capacity counters (at least 1). */
sl_topk_t *sl_topk_new(size_t capacity);
void sl_topk_free(sl_topk_t *t);
/* Forgets every item (the counters stay allocated). */
void sl_topk_reset(sl_topk_t *t);

/* Adds one occurrence of the item key[0..len), whose 64-bit hash is hash (any hash that
 * equal keys share). */
void sl_topk_add(sl_topk_t *t, const void *key, size_t len, uint64_t hash);

/* Items added since the last reset (N), and items monitored. */
int64_t sl_topk_total(const sl_topk_t *t);
size_t sl_topk_size(const sl_topk_t *t);
/* True while every count is exact (no counter was ever replaced since the reset). */
bool sl_topk_exact(const sl_topk_t *t);

/*
 * Writes the min(k, size) items of the largest counts into out (room for k), by count
 * descending, then by sequence; returns how many.
 */
size_t sl_topk_result(const sl_topk_t *t, size_t k, sl_topk_item_t *out);

#endif
