/*
 * tumblefn.c - KDA rules of TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING
 * (contract in tumblefn.h).
 */
#include "tumblefn.h"

#include <math.h>
#include <string.h>

const char *sl_tumblefn_check_k(int64_t k)
{
    if (k < 1 || k > SL_TOPK_MAX_K) return "TOP_K_ITEMS_TUMBLING: K must be between 1 and 100000";
    return NULL;
}

const char *sl_tumblefn_check_window(const char *fn, int64_t seconds)
{
    if (seconds >= 1 && seconds <= SL_TUMBLEFN_MAX_WINDOW) return NULL;
    if (!strcmp(fn, "TOP_K_ITEMS_TUMBLING"))
        return "TOP_K_ITEMS_TUMBLING: windowSize must be between 1 and 3600 seconds";
    return "COUNT_DISTINCT_ITEMS_TUMBLING: windowSize must be between 1 and 3600 seconds";
}

size_t sl_tumblefn_item(const sl_vec_t *v, size_t i, const void **key, uint64_t *scratch)
{
    switch (sl_type_phys(v->type)) {
    case SL_PHYS_STR:
        *key = v->v.s[i].p;
        return v->v.s[i].len;
    case SL_PHYS_F64: {
        double d = v->v.f[i];
        if (d == 0.0) d = 0.0;      /* -0.0 is 0.0 */
        if (isnan(d)) d = NAN;      /* one NaN */
        memcpy(scratch, &d, sizeof d);
        break;
    }
    default: memcpy(scratch, &v->v.i[i], sizeof *scratch); break;
    }
    *key = scratch;
    return sizeof *scratch;
}

void sl_tumblefn_topk_add(sl_topk_t *t, const sl_vec_t *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (v->null && v->null[i]) continue;
        const void *key;
        uint64_t scratch;
        size_t len = sl_tumblefn_item(v, i, &key, &scratch);
        sl_topk_add(t, key, len, sl_hll_hash(key, len));
    }
}

void sl_tumblefn_distinct_add(sl_distinct_t *d, const sl_vec_t *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (v->null && v->null[i]) continue;
        const void *key;
        uint64_t scratch;
        size_t len = sl_tumblefn_item(v, i, &key, &scratch);
        sl_distinct_add(d, sl_hll_hash(key, len));
    }
}

void sl_tumblefn_put_item(sl_vec_t *out, size_t row, const void *key, size_t len,
                          sl_arena_t *arena)
{
    switch (sl_type_phys(out->type)) {
    case SL_PHYS_STR:
        out->v.s[row] = (sl_str_t){len ? sl_arena_strndup(arena, key, len) : "", (uint32_t)len};
        break;
    case SL_PHYS_F64: memcpy(&out->v.f[row], key, sizeof(double)); break;
    default: memcpy(&out->v.i[row], key, sizeof(int64_t)); break;
    }
    if (out->null) out->null[row] = 0;
}
