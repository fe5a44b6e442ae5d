/*
 * topk.c - Space-Saving (contract in topk.h).
 *
 * Counters live in one array that grows by doubling up to the capacity; a min-heap of
 * counter indexes ordered by (count, sequence) finds the counter to replace, and an
 * open-addressing index (linear probing, backward-shift deletion) finds an item's counter
 * by hash and bytes. An add is O(log capacity); a result sorts the monitored items.
 */
#include "topk.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#define TK_INLINE 16 /* keys up to this many bytes are kept in the counter */

typedef struct tk_counter {
    uint64_t hash;
    int64_t count, error;
    uint64_t seq;      /* when the item took this counter */
    size_t len;
    size_t heap_cap;   /* bytes allocated at key (0: key is inl) */
    char *key;         /* inl, or a heap buffer */
    char inl[TK_INLINE];
    size_t pos;        /* index in the heap */
} tk_counter_t;

struct sl_topk {
    size_t capacity;     /* counters at most */
    size_t alloc;        /* counters allocated */
    size_t n;            /* counters in use (= heap size) */
    tk_counter_t *c;
    size_t *heap;        /* counter indexes, a min-heap by (count, seq) */
    int32_t *slot;       /* index: counter number or -1 */
    size_t mask;         /* index size - 1 */
    uint64_t next_seq;
    int64_t total;
    bool replaced;
};

size_t sl_topk_capacity_for(int64_t k)
{
    if (k < 1) k = 1;
    if (k > SL_TOPK_MAX_K) k = SL_TOPK_MAX_K;
    size_t c = (size_t)k * 4;
    return c < 10000 ? 10000 : c;
}

/* True when counter a comes before b in the heap: smaller count, then older. */
static bool tk_less(const tk_counter_t *a, const tk_counter_t *b)
{
    return a->count < b->count || (a->count == b->count && a->seq < b->seq);
}

static void tk_swap(sl_topk_t *t, size_t i, size_t j)
{
    size_t a = t->heap[i], b = t->heap[j];
    t->heap[i] = b;
    t->heap[j] = a;
    t->c[b].pos = i;
    t->c[a].pos = j;
}

static void tk_sift_up(sl_topk_t *t, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!tk_less(&t->c[t->heap[i]], &t->c[t->heap[p]])) break;
        tk_swap(t, i, p);
        i = p;
    }
}

static void tk_sift_down(sl_topk_t *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && tk_less(&t->c[t->heap[l]], &t->c[t->heap[m]])) m = l;
        if (r < t->n && tk_less(&t->c[t->heap[r]], &t->c[t->heap[m]])) m = r;
        if (m == i) return;
        tk_swap(t, i, m);
        i = m;
    }
}

/* The index slot holding counter ci's item, or the empty slot where it would go. */
static size_t tk_find(const sl_topk_t *t, const void *key, size_t len, uint64_t hash)
{
    size_t s = (size_t)hash & t->mask;
    for (;; s = (s + 1) & t->mask) {
        int32_t ci = t->slot[s];
        if (ci < 0) return s;
        const tk_counter_t *c = &t->c[ci];
        if (c->hash == hash && c->len == len && (len == 0 || !memcmp(c->key, key, len))) return s;
    }
}

/* Removes the entry at index slot s (backward-shift deletion keeps probe runs whole). */
static void tk_unindex(sl_topk_t *t, size_t s)
{
    size_t i = s, j = s;
    for (;;) {
        j = (j + 1) & t->mask;
        if (t->slot[j] < 0) break;
        size_t home = (size_t)t->c[t->slot[j]].hash & t->mask;
        /* The entry at j may move to i when its home is not in (i, j] cyclically. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i] = -1;
}

/* Sizes the index for the allocated counters (load at most 1/2) and re-inserts them. */
static void tk_reindex(sl_topk_t *t)
{
    size_t size = 16;
    while (size < t->alloc * 2) size *= 2;
    if (size - 1 != t->mask || !t->slot) {
        sl_free(t->slot);
        t->slot = sl_malloc(size * sizeof *t->slot);
        t->mask = size - 1;
    }
    memset(t->slot, 0xff, size * sizeof *t->slot);
    for (size_t i = 0; i < t->n; i++) {
        size_t s = (size_t)t->c[i].hash & t->mask;
        while (t->slot[s] >= 0) s = (s + 1) & t->mask;
        t->slot[s] = (int32_t)i;
    }
}

/* Grows the counters (doubling, up to the capacity). */
static void tk_grow(sl_topk_t *t)
{
    size_t a = t->alloc * 2;
    if (a > t->capacity) a = t->capacity;
    t->c = sl_realloc(t->c, a * sizeof *t->c);
    memset(t->c + t->alloc, 0, (a - t->alloc) * sizeof *t->c);
    t->heap = sl_realloc(t->heap, a * sizeof *t->heap);
    t->alloc = a;
    /* Keys kept inline moved with the array. */
    for (size_t i = 0; i < t->n; i++)
        if (!t->c[i].heap_cap) t->c[i].key = t->c[i].inl;
    tk_reindex(t);
}

sl_topk_t *sl_topk_new(size_t capacity)
{
    sl_topk_t *t = SL_NEW(sl_topk_t);
    t->capacity = capacity ? capacity : 1;
    t->alloc = t->capacity < 64 ? t->capacity : 64;
    t->c = SL_NEWN(tk_counter_t, t->alloc);
    t->heap = SL_NEWN(size_t, t->alloc);
    tk_reindex(t);
    return t;
}

void sl_topk_free(sl_topk_t *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->alloc; i++)
        if (t->c[i].heap_cap) sl_free(t->c[i].key);
    sl_free(t->c);
    sl_free(t->heap);
    sl_free(t->slot);
    sl_free(t);
}

void sl_topk_reset(sl_topk_t *t)
{
    t->n = 0;
    t->total = 0;
    t->next_seq = 0;
    t->replaced = false;
    memset(t->slot, 0xff, (t->mask + 1) * sizeof *t->slot);
}

/* Makes counter c hold the key's bytes. */
static void tk_set_key(tk_counter_t *c, const void *key, size_t len)
{
    if (len <= TK_INLINE) {
        if (!c->heap_cap) c->key = c->inl;
    } else if (c->heap_cap < len) {
        if (c->heap_cap) sl_free(c->key);
        c->key = sl_malloc(len);
        c->heap_cap = len;
    }
    if (len) memcpy(c->key, key, len);
    c->len = len;
}

void sl_topk_add(sl_topk_t *t, const void *key, size_t len, uint64_t hash)
{
    t->total++;
    size_t s = tk_find(t, key, len, hash);
    if (t->slot[s] >= 0) {
        tk_counter_t *c = &t->c[t->slot[s]];
        c->count++;
        tk_sift_down(t, c->pos);
        return;
    }
    if (t->n == t->alloc && t->alloc < t->capacity) {
        tk_grow(t);
        s = tk_find(t, key, len, hash);
    }
    if (t->n < t->alloc) {
        size_t ci = t->n++;
        tk_counter_t *c = &t->c[ci];
        tk_set_key(c, key, len);
        c->hash = hash;
        c->count = 1;
        c->error = 0;
        c->seq = t->next_seq++;
        t->slot[s] = (int32_t)ci;
        c->pos = t->n - 1;
        t->heap[c->pos] = ci;
        tk_sift_up(t, c->pos);
        return;
    }
    /* Full: the item of the smallest (count, sequence) gives its counter up. */
    size_t ci = t->heap[0];
    tk_counter_t *c = &t->c[ci];
    tk_unindex(t, tk_find(t, c->key, c->len, c->hash));
    int64_t m = c->count;
    tk_set_key(c, key, len);
    c->hash = hash;
    c->count = m + 1;
    c->error = m;
    c->seq = t->next_seq++;
    t->replaced = true;
    t->slot[tk_find(t, key, len, hash)] = (int32_t)ci;
    tk_sift_down(t, 0);
}

int64_t sl_topk_total(const sl_topk_t *t) { return t->total; }
size_t sl_topk_size(const sl_topk_t *t) { return t->n; }
bool sl_topk_exact(const sl_topk_t *t) { return !t->replaced; }

/* For sorting a result: count descending, then sequence ascending. */
typedef struct tk_rank {
    int64_t count;
    uint64_t seq;
    size_t ci;
} tk_rank_t;

static int tk_rank_cmp(const void *pa, const void *pb)
{
    const tk_rank_t *a = pa, *b = pb;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t sl_topk_result(const sl_topk_t *t, size_t k, sl_topk_item_t *out)
{
    if (!t->n || !k) return 0;
    tk_rank_t *r = SL_NEWN(tk_rank_t, t->n);
    for (size_t i = 0; i < t->n; i++) r[i] = (tk_rank_t){t->c[i].count, t->c[i].seq, i};
    qsort(r, t->n, sizeof *r, tk_rank_cmp);
    size_t m = k < t->n ? k : t->n;
    for (size_t i = 0; i < m; i++) {
        const tk_counter_t *c = &t->c[r[i].ci];
        out[i] = (sl_topk_item_t){c->key, c->len, c->count, c->error};
    }
    sl_free(r);
    return m;
}
