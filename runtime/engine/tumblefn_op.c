/*
 * tumblefn_op.c - the TABLEFN operator of KDA's tumbling table functions:
 *
 *     SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM ...),
 *                                                    'columnName', K, windowSize))
 *     SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'columnName',
 *                                                             windowSize))
 *
 * Windows tumble as a GROUP BY STEP(ROWTIME BY INTERVAL 'windowSize' SECOND) does
 * (window.c): a row at ROWTIME t belongs to the window [floor(t / w) w, floor(t / w) w + w)
 * (epoch-aligned), only one window is open (ROWTIME never decreases), and it closes when a
 * row or a bound reaches its end. A closed window that received at least one row emits,
 * with ROWTIME = the window's end:
 *   TOP_K           its min(K, distinct values) most frequent non-NULL values of the
 *                   column, one row each (the value, MOST_FREQUENT_VALUES = its count), by
 *                   count descending, ties in order of first appearance in the window;
 *                   Space-Saving with sl_topk_capacity_for(K) counters (functions/topk.h):
 *                   exact while the window's distinct values fit, else counts high by at
 *                   most rows / counters. A window of NULLs only emits nothing.
 *   COUNT_DISTINCT  one row: NUMBER_OF_DISTINCT_ITEMS, the number of distinct non-NULL
 *                   values (functions/hll.h: exact up to 10,000, HyperLogLog beyond); a
 *                   window of NULLs only gives 0.
 * Bounds pass on after the windows they close.
 *
 * Checkpoints: the state is the open window's summary, which the rows of that window
 * rebuild, as for a tumbling GROUP BY: sl_tumblefn_state_oldest reports the window's first
 * row for the low-water mark (state.c), and the resume's re-read builds the window again.
 * There is no model image.
 */
#include "engine_int.h"

#include "alloc.h"
#include "tumblefn.h"

#include <string.h>

typedef struct tumblefn_op {
    sl_operator_t op;
    sl_topk_t *topk;          /* TOPK */
    sl_distinct_t *distinct;  /* DISTINCT */
    sl_topk_item_t *items;    /* TOPK: room for K results */
    int64_t cur_end;          /* the open window's end (INT64_MIN: none open) */
    int64_t first_rt;         /* ROWTIME of its first row */
    int64_t nrows;            /* rows in the open window, NULLs included */
    sl_batch_t *out;
} tumblefn_op_t;

/* The end of the window holding ROWTIME t (floor division: negative times too). */
static int64_t window_end(int64_t t, int64_t w)
{
    int64_t q = t / w;
    if (t % w && t < 0) q--;
    return q * w + w;
}

/* Sends the output batch on when it holds rows. */
static void tumblefn_emit(tumblefn_op_t *t)
{
    if (t->out->n) sl_op_emit(&t->op, t->out);
    sl_batch_reset(t->out);
}

/* Emits the open window's rows and empties it. */
static void tumblefn_flush(tumblefn_op_t *t)
{
    const sl_pnode_t *n = t->op.node;
    sl_batch_t *o = t->out;
    sl_batch_reset(o);
    if (t->topk) {
        size_t m = sl_topk_result(t->topk, (size_t)n->top_k, t->items);
        for (size_t i = 0; i < m; i++) {
            sl_tumblefn_put_item(&o->cols[0], o->n, t->items[i].key, t->items[i].len, o->arena);
            o->cols[1].v.i[o->n] = t->items[i].count;
            o->cols[1].null[o->n] = 0;
            o->rowtime[o->n++] = t->cur_end;
            if (o->n == o->cap) tumblefn_emit(t);
        }
        sl_topk_reset(t->topk);
    } else {
        o->cols[0].v.i[0] = sl_distinct_count(t->distinct);
        o->cols[0].null[0] = 0;
        o->rowtime[o->n++] = t->cur_end;
        sl_distinct_reset(t->distinct);
    }
    tumblefn_emit(t);
    t->cur_end = INT64_MIN;
    t->nrows = 0;
}

/* Adds rows [from, to) of b to the open window. */
static void tumblefn_add(tumblefn_op_t *t, const sl_batch_t *b, size_t from, size_t to)
{
    const sl_vec_t *v = &b->cols[t->op.node->item_col];
    if (t->topk)
        sl_tumblefn_topk_add(t->topk, v, from, to);
    else
        sl_tumblefn_distinct_add(t->distinct, v, from, to);
    t->nrows += (int64_t)(to - from);
}

/* Push: rows join the open window; a row at or past its end closes it first. */
static void tumblefn_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    (void)port;
    tumblefn_op_t *t = (tumblefn_op_t *)op;
    int64_t w = op->node->window_ms;
    size_t i = 0;
    while (i < b->n) {
        if (t->nrows && b->rowtime[i] >= t->cur_end) tumblefn_flush(t);
        if (!t->nrows) {
            t->cur_end = window_end(b->rowtime[i], w);
            t->first_rt = b->rowtime[i];
        }
        size_t j = i + 1;
        while (j < b->n && b->rowtime[j] < t->cur_end) j++;
        tumblefn_add(t, b, i, j);
        i = j;
    }
}

/* Bound: closes the open window when the bound reaches its end, then passes on. */
static void tumblefn_bound(sl_operator_t *op, int port, int64_t bt)
{
    (void)port;
    tumblefn_op_t *t = (tumblefn_op_t *)op;
    if (t->nrows && t->cur_end <= bt) tumblefn_flush(t);
    sl_op_emit_bound(op, bt);
}

static void tumblefn_close(sl_operator_t *op)
{
    tumblefn_op_t *t = (tumblefn_op_t *)op;
    sl_topk_free(t->topk);
    sl_distinct_free(t->distinct);
    sl_free(t->items);
    sl_batch_free(t->out);
}

static const sl_op_vt_t tumblefn_vt = {tumblefn_push, tumblefn_bound, tumblefn_close};

/* The open window's first row (INT64_MAX: none); see engine_int.h. */
int64_t sl_tumblefn_state_oldest(const sl_operator_t *op)
{
    const tumblefn_op_t *t = (const tumblefn_op_t *)op;
    return t->nrows ? t->first_rt : INT64_MAX;
}

/* Builds the operator of a tumbling TABLEFN node; see engine_int.h. */
sl_operator_t *sl_tumblefn_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    (void)e;
    if (n->window_ms <= 0 || (n->tfn == SL_TFN_TOPK && n->top_k < 1)) {
        *err = sl_asprintf("%d:%d: the table function's configuration is invalid", n->line, n->col);
        return NULL;
    }
    tumblefn_op_t *t = SL_NEW(tumblefn_op_t);
    t->op.node = n;
    t->op.vt = &tumblefn_vt;
    t->cur_end = INT64_MIN;
    if (n->tfn == SL_TFN_TOPK) {
        t->topk = sl_topk_new(sl_topk_capacity_for(n->top_k));
        t->items = SL_NEWN(sl_topk_item_t, (size_t)n->top_k);
    } else {
        t->distinct = sl_distinct_new();
    }
    sl_type_t types[2];
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    t->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    return &t->op;
}
