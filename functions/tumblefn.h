/*
 * tumblefn.h - the KDA rules of the tumbling table functions TOP_K_ITEMS_TUMBLING and
 * COUNT_DISTINCT_ITEMS_TUMBLING, between SQL and their algorithms (topk.h, hll.h), for the
 * operator that runs `SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'col',
 * K, windowSize))` (runtime/engine/tumblefn_op.c):
 *   - the arguments' ranges and messages (K 1..100000, windowSize 1..3600 seconds);
 *   - how a column's value becomes an item (its bytes: 8 for numbers, booleans, dates and
 *     times, the characters for strings; -0.0 counts as 0.0 and every NaN as one NaN) and
 *     back into an output value.
 * A NULL is not an item: it is neither counted nor ranked (as SQL's aggregates skip NULL).
 * Errors are static messages without position (the planner adds it).
 */
#ifndef SL_TUMBLEFN_H
#define SL_TUMBLEFN_H

#include "arena.h"
#include "batch.h"
#include "hll.h"
#include "topk.h"

#include <stddef.h>
#include <stdint.h>

#define SL_TUMBLEFN_MAX_WINDOW 3600 /* seconds */

/* NULL when K is in 1..100000, else the message ("TOP_K_ITEMS_TUMBLING: K must be ..."). */
const char *sl_tumblefn_check_k(int64_t k);
/* NULL when windowSize (seconds) is in 1..3600, else the message; fn is the SQL name. */
const char *sl_tumblefn_check_window(const char *fn, int64_t seconds);

/*
 * The item of row i of v: sets *key to its bytes (in *scratch for numbers, in the string's
 * storage for strings) and returns their length. The row must not be NULL.
 */
size_t sl_tumblefn_item(const sl_vec_t *v, size_t i, const void **key, uint64_t *scratch);

/* Adds the non-NULL values of rows [from, to) of v to a summary / a distinct counter. */
void sl_tumblefn_topk_add(sl_topk_t *t, const sl_vec_t *v, size_t from, size_t to);
void sl_tumblefn_distinct_add(sl_distinct_t *d, const sl_vec_t *v, size_t from, size_t to);

/* Writes an item back as row `row` of out (the column's type); strings are copied into
 * arena. */
void sl_tumblefn_put_item(sl_vec_t *out, size_t row, const void *key, size_t len,
                          sl_arena_t *arena);

#endif
