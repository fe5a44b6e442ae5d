/*
 * partial.c - partial aggregation of a tumbling GROUP BY on the threads that decode an
 * input; see engine.h ("Partial aggregation").
 *
 * When an input feeds nothing but SOURCE -> [MAP] -> tumbling AGG (aggregates that merge),
 * a decoding thread can run the MAP and the grouping itself over the rows it decoded: it
 * folds them into partial groups, one run of groups per window in ROWTIME order, and the
 * engine's thread merges the runs into the AGG's open window (window.c, sl_agg_absorb)
 * instead of pushing every row through. The engine's thread then touches a few hundred
 * groups per chunk instead of every row, and the rows never cross between cores.
 *
 * The fold is exact only when the rows would have reached the AGG unchanged and in the same
 * windows; a partial is "failed" (the caller pushes the decoded batches instead) whenever
 * the rows step outside what the proof below covers:
 *   - the MAP raised a row error (those become error_stream rows on the normal path);
 *   - ROWTIME goes back within the rows (the engine would clamp it);
 *   - a row lies outside its own window (ROWTIME >= window end), or the window key is NULL;
 *   - a new window starts before the previous one ends, or before the previous row's
 *     ROWTIME passes the previous window's end.
 * Under those conditions the AGG's row-at-a-time rule ("a row whose window end differs
 * from the open one's closes it when its ROWTIME reached that end") closes a window exactly
 * when the next run begins, so merging run by run gives the same groups, the same
 * first-seen order and the same emission points. sl_engine_push_partial checks the one
 * condition that involves earlier rows (ROWTIME continuing from the input's last one and
 * the open window), and falls back too when it does not hold.
 *
 * Floating-point SUM and AVG add per-chunk subtotals, so their last digits may differ from
 * a row-at-a-time sum (as in any parallel engine); the result is still deterministic for a
 * given dump, since chunking is.
 */
#include "engine_int.h"

#include "alloc.h"
#include "expr.h"

#include <string.h>

/* The AGG an input's rows go to alone, and the MAP in between (or NULL); false when the
 * input's operators are shaped any other way. */
static bool shape(sl_engine_t *e, int input, sl_operator_t **agg_op, const sl_pnode_t **map)
{
    sl_operator_t *src = sl_engine_source_op(e, input);
    if (!src || src->nout != 1) return false;
    sl_operator_t *op = src->outs[0].op;
    *map = NULL;
    if (op->node && op->node->kind == SL_PN_MAP) {
        if (op->nout != 1 || op->node->rowtime) return false;
        *map = op->node;
        op = op->outs[0].op;
    }
    if (!op->node || op->node->kind != SL_PN_AGG || op->node->win != SL_WIN_TUMBLING) return false;
    for (int q = 0; q < op->node->naggs; q++)
        if (!op->node->aggs[q].fn->agg || !op->node->aggs[q].fn->agg->merge) return false;
    *agg_op = op;
    return true;
}

/* See engine.h. */
sl_partial_t *sl_partial_new(sl_engine_t *e, int input)
{
    sl_operator_t *agg_op;
    const sl_pnode_t *map;
    if (!shape(e, input, &agg_op, &map)) return NULL;
    const sl_pnode_t *n = agg_op->node;
    sl_partial_t *p = SL_NEW(sl_partial_t);
    p->agg_op = agg_op;
    p->map = map;
    p->agg = n;
    p->input = input;
    p->filter_ix = -1;
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    p->nin = in->ncols;
    if (map) {
        const sl_pnode_t *src = e->plan->nodes[map->inputs[0]];
        int nx = map->ncols;
        sl_expr_t **xs = SL_NEWN(sl_expr_t *, nx + 1);
        for (int i = 0; i < map->ncols; i++) xs[i] = map->exprs[i];
        if (map->filter) {
            p->filter_ix = nx;
            xs[nx++] = map->filter;
        }
        p->prog = sl_prog_new(xs, nx, src->cols, src->ncols);
        sl_free(xs);
    }
    p->incols = SL_NEWN(sl_vec_t, p->nin ? p->nin : 1);
    p->nkeys = n->nkeys;
    p->naggs = n->naggs;
    p->off = SL_NEWN(size_t, n->naggs ? n->naggs : 1);
    for (int q = 0; q < n->naggs; q++) {
        p->off[q] = p->stride;
        p->stride += (n->aggs[q].fn->agg->state_size + 15) & ~(size_t)15;
    }
    if (!p->stride) p->stride = 16;
    sl_rows_init(&p->keys, n->nkeys, in->cols);
    sl_hx_reset(&p->hx, 128);
    sl_partial_reset(p);
    return p;
}

/* Frees the aggregate states of every group. */
static void destroy_states(sl_partial_t *p)
{
    for (size_t g = 0; g < p->keys.n; g++)
        for (int q = 0; q < p->naggs; q++)
            if (p->agg->aggs[q].fn->agg->destroy)
                p->agg->aggs[q].fn->agg->destroy(&p->agg->aggs[q].ctx, p->states + g * p->stride + p->off[q]);
}

/* See engine.h. */
void sl_partial_reset(sl_partial_t *p)
{
    destroy_states(p);
    sl_rows_clear(&p->keys);
    p->nwins = 0;
    p->failed = false;
    p->nrows = 0;
    p->first_rowtime = p->last_rowtime = INT64_MIN;
    sl_hx_clear(&p->hx);
}

/* See engine.h. */
void sl_partial_free(sl_partial_t *p)
{
    if (!p) return;
    destroy_states(p);
    sl_rows_free(&p->keys);
    sl_prog_free(p->prog);
    sl_free(p->incols);
    sl_free(p->off);
    sl_free(p->states);
    sl_free(p->ghash);
    sl_hx_free(&p->hx);
    sl_free(p->wins);
    sl_free(p->gid);
    sl_free(p);
}

/* Rebuilds the hash index (twice as large) over the current window's groups. */
static void rehash(sl_partial_t *p)
{
    const sl_partial_win_t *w = &p->wins[p->nwins - 1];
    sl_hx_reset(&p->hx, p->hx.cap);
    for (size_t g = w->first; g < w->first + w->n; g++) sl_hx_put(&p->hx, p->ghash[g], (int32_t)g);
}

/* The group of row i (hash h) in the current window, created when new. */
static size_t group_of(sl_partial_t *p, const sl_batch_t *view, size_t i, uint64_t h)
{
    sl_partial_win_t *w = &p->wins[p->nwins - 1];
    size_t pos = sl_hx_start(&p->hx, h);
    for (int32_t g; (g = sl_hx_next(&p->hx, h, &pos)) >= 0;)
        if (sl_row_equal(p->keys.cols, NULL, (size_t)g, view->cols, NULL, i, p->nkeys))
            return (size_t)g;
    size_t g = sl_rows_append(&p->keys, view, i);
    p->keys.rowtime[g] = w->end;
    if (g + 1 > p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->states = sl_realloc(p->states, p->cap * p->stride);
        p->ghash = sl_realloc(p->ghash, p->cap * sizeof(uint64_t));
    }
    char *st = p->states + g * p->stride;
    memset(st, 0, p->stride);
    for (int q = 0; q < p->naggs; q++) p->agg->aggs[q].fn->agg->init(&p->agg->aggs[q].ctx, st + p->off[q]);
    p->ghash[g] = h;
    sl_hx_put_at(&p->hx, pos, h, (int32_t)g);
    w->n++;
    if (p->hx.n * 2 > p->hx.cap) rehash(p);
    return g;
}

/* Starts the run of window `end` at a row of ROWTIME t. */
static void new_window(sl_partial_t *p, int64_t end, int64_t t)
{
    if (p->nwins == p->wcap) {
        p->wcap = p->wcap ? p->wcap * 2 : 8;
        p->wins = sl_realloc(p->wins, p->wcap * sizeof *p->wins);
    }
    p->wins[p->nwins++] = (sl_partial_win_t){end, t, p->keys.n, 0};
    sl_hx_clear(&p->hx);
}

/* See engine.h. */
bool sl_partial_add(sl_partial_t *p, const sl_batch_t *b)
{
    if (p->failed || !b->n) return !p->failed;
    const sl_pnode_t *n = p->agg;
    if (b->n > p->gidcap) {
        p->gidcap = b->n;
        p->gid = sl_realloc(p->gid, p->gidcap * sizeof *p->gid);
    }
    const sl_vec_t *filter = NULL;
    if (p->prog) {
        sl_prog_eval(p->prog, b);
        if (sl_prog_error(p->prog)) goto fail; /* row errors: the MAP reports them */
        for (int c = 0; c < p->nin; c++) p->incols[c] = *sl_prog_result(p->prog, c);
        if (p->filter_ix >= 0) filter = sl_prog_result(p->prog, p->filter_ix);
        for (int c = 0; c < p->nin; c++) {
            if (!p->map->cols[c].type.not_null) continue;
            for (size_t i = 0; i < b->n; i++)
                if (p->incols[c].null[i]) goto fail; /* a NOT NULL violation: reported there */
        }
    } else {
        for (int c = 0; c < p->nin; c++) p->incols[c] = b->cols[c];
    }
    sl_batch_t view = {0};
    view.ncols = p->nin;
    view.cols = p->incols;
    view.rowtime = b->rowtime;
    view.n = b->n;
    const sl_vec_t *tk = &p->incols[n->time_key];
    int64_t last_key = 0, last_end = 0;
    bool have_key = false;
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->rowtime[i];
        if (t < p->last_rowtime) goto fail; /* the engine would clamp it */
        if (!p->nrows++) p->first_rowtime = t;
        p->last_rowtime = t;
        p->gid[i] = SL_AGG_SKIP;
        if (filter && (filter->null[i] || !filter->v.i[i])) continue;
        if (tk->null[i]) goto fail;
        if (!have_key || tk->v.i[i] != last_key) { /* one window end per run of equal keys */
            have_key = true;
            last_key = tk->v.i[i];
            last_end = sl_agg_window_end(n, last_key);
        }
        int64_t end = last_end;
        if (t >= end) goto fail; /* a row outside its own window */
        if (!p->nwins || end != p->wins[p->nwins - 1].end) {
            if (p->nwins) {
                int64_t prev = p->wins[p->nwins - 1].end;
                if (end < prev || t < prev) goto fail;
            }
            new_window(p, end, t);
        }
        uint64_t h = sl_hash_row(p->incols, NULL, n->nkeys, i);
        p->gid[i] = (uint32_t)group_of(p, &view, i, h);
    }
    /* Then each aggregate over the whole batch: one call per batch where the aggregate
     * steps many rows at once, else one per row (groups exist now: the states array no
     * longer moves). */
    for (int q = 0; q < n->naggs; q++) {
        const sl_pagg_t *pa = &n->aggs[q];
        const sl_vec_t *arg = pa->arg < 0 ? NULL : &p->incols[pa->arg];
        char *base = p->states + p->off[q];
        if (pa->fn->agg->step_rows) {
            pa->fn->agg->step_rows(&pa->ctx, base, p->stride, p->gid, arg, b->n);
            continue;
        }
        for (size_t i = 0; i < b->n; i++)
            if (p->gid[i] != SL_AGG_SKIP && !(arg && arg->null[i]))
                pa->fn->agg->step(&pa->ctx, base + p->gid[i] * p->stride, arg, i);
    }
    return true;
fail:
    p->failed = true;
    return false;
}
