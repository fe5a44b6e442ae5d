/*
 * hindex.h - the engine's open-addressing index from a 64-bit hash to a slot number (a
 * group, a partition, a closed window), private to runtime/engine.
 *
 * The index stores each entry's hash beside its slot, so a probe compares hashes without
 * touching the entries; equal hashes are only candidates, and the caller resolves them with
 * its own key comparison. Linear probing, a power-of-two capacity, no deletion (callers
 * rebuild instead). Everything is static inline: the grouping loops of window.c's AGG and
 * partial.c run a lookup per row, and must not pay a call for it.
 *
 * A lookup, then an insert where the probe ended:
 *     size_t pos = sl_hx_start(h, hash);
 *     for (int32_t s; (s = sl_hx_next(h, hash, &pos)) >= 0;)
 *         if (same key as entry s) return s;
 *     sl_hx_put_at(h, pos, hash, new_slot);
 */
#ifndef SL_HINDEX_H
#define SL_HINDEX_H

#include "alloc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sl_hindex {
    size_t cap;    /* power of two; 0 before the first sl_hx_reset */
    size_t n;      /* entries */
    uint64_t *hash;
    int32_t *slot; /* -1 = empty */
} sl_hindex_t;

/* Empties the index, keeping its capacity. */
static inline void sl_hx_clear(sl_hindex_t *h)
{
    memset(h->slot, 0xff, h->cap * sizeof(int32_t));
    h->n = 0;
}

/* Empties the index and sizes it for at least want entries at most half full (64 slots at
 * the least). */
static inline void sl_hx_reset(sl_hindex_t *h, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2) cap *= 2;
    if (cap != h->cap) {
        sl_free(h->hash);
        sl_free(h->slot);
        h->hash = sl_malloc(cap * sizeof(uint64_t));
        h->slot = sl_malloc(cap * sizeof(int32_t));
        h->cap = cap;
    }
    sl_hx_clear(h);
}

/* Where the probe for hash starts. The index must have a capacity. */
static inline size_t sl_hx_start(const sl_hindex_t *h, uint64_t hash)
{
    return hash & (h->cap - 1);
}

/* The next slot along the probe from *pos whose hash equals hash, with *pos moved past it;
 * -1 at the end of the probe, with *pos at the empty position where hash would go. */
static inline int32_t sl_hx_next(const sl_hindex_t *h, uint64_t hash, size_t *pos)
{
    size_t m = h->cap - 1, s = *pos;
    int32_t v;
    for (; (v = h->slot[s]) >= 0; s = (s + 1) & m)
        if (h->hash[s] == hash) {
            *pos = (s + 1) & m;
            return v;
        }
    *pos = s;
    return -1;
}

/* Stores slot under hash at pos, the empty position a probe for hash ended at. */
static inline void sl_hx_put_at(sl_hindex_t *h, size_t pos, uint64_t hash, int32_t slot)
{
    h->hash[pos] = hash;
    h->slot[pos] = slot;
    h->n++;
}

/* Inserts slot under hash (no duplicate check). */
static inline void sl_hx_put(sl_hindex_t *h, uint64_t hash, int32_t slot)
{
    size_t m = h->cap - 1, s = hash & m;
    while (h->slot[s] >= 0) s = (s + 1) & m;
    sl_hx_put_at(h, s, hash, slot);
}

/* Indexes entry `count` of an array whose hashes are hashes[0..count]: when that would
 * take the index past half full, it is first rebuilt, at least twice as large, from the
 * entries before it. */
static inline void sl_hx_append(sl_hindex_t *h, const uint64_t *hashes, size_t count)
{
    if (h->n * 2 + 2 > h->cap) {
        sl_hx_reset(h, (count + 1) * 2);
        for (size_t x = 0; x < count; x++) sl_hx_put(h, hashes[x], (int32_t)x);
    }
    sl_hx_put(h, hashes[count], (int32_t)count);
}

/* Frees the index's arrays. */
static inline void sl_hx_free(sl_hindex_t *h)
{
    sl_free(h->hash);
    sl_free(h->slot);
}

#endif
