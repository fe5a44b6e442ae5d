/*
 * window.c - the aggregating operators:
 *   AGG tumbling  GROUP BY with a STEP/FLOOR(ROWTIME) key: a hash table of the groups of the
 *                 open window (ROWTIME is non-decreasing, so only one is open), emitted in
 *                 first-seen order when a row or a bound reaches the window's end, with
 *                 ROWTIME = the window's end;
 *   AGG stagger   WINDOWED BY STAGGER: per partition key a window opened by its first row
 *                 and closed RANGE later (by a row of the same key or a bound), emitted with
 *                 ROWTIME = open + RANGE;
 *   WINDOW        sliding OVER (RANGE INTERVAL | ROWS n PRECEDING): per partition a buffer
 *                 of the rows in the frame and running aggregates; expired rows are
 *                 subtracted (inverse) or, for MIN/MAX, the aggregate is recomputed over
 *                 the buffer. One output row per input row.
 * Aggregate states come from the function registry (init/step/inverse/final). The frame
 * functions (LAG, FIRST_VALUE, LAST_VALUE, NTH_VALUE) keep no state: they read one row of
 * the same per-partition frame buffer, NULLs included (see frame_read).
 */
#include "engine_int.h"

#include "alloc.h"
#include "hindex.h"

#include <math.h>
#include <string.h>

/* ---- AGG ------------------------------------------------------------------------------ */

/* An AGG's state. Groups are kept in first-seen order: their keys in `keys` (an owned
 * row store over the key columns) and their aggregate states in one array. */
typedef struct agg_op {
    sl_operator_t op;
    int nkeys, naggs;
    int *keycols;         /* 0..nkeys-1 */
    size_t stride;        /* bytes of all aggregate states of one group */
    size_t *off;          /* offset of each aggregate's state in a group's block */
    sl_rows_t keys;       /* group keys; rowtime holds the window end of each group */
    int64_t *open_ms;     /* stagger: when each group's window opened */
    char *states;         /* ngroups * stride */
    size_t states_cap;    /* groups the states array holds */
    uint64_t *ghash;      /* hash of each group */
    sl_hindex_t hx;
    int64_t cur_end;      /* tumbling: end of the open window (INT64_MIN: none) */
    int64_t min_end;      /* stagger: the earliest end among open groups */
    sl_batch_t *out;
    sl_vec_t *argv;       /* per aggregate: its argument vector of the current batch */
    uint64_t *rh;         /* per row hashes of the current batch */
    /* Stagger, for checkpoints: windows closed (emitted) lately, by key hash and end; and,
     * after a resume, those closed before the stop, whose re-read rows are dropped. */
    struct closed_win { uint64_t hash; int64_t end; } *closed;
    size_t nclosed, capclosed;
    sl_hindex_t dx;          /* resume: key hash -> slot in done[] */
    int64_t *done;        /* resume: end of the key's window emitted before the stop */
    uint64_t *dhash;      /* resume: its key hash */
    size_t ndone, capdone;
    int64_t done_max;     /* the latest of them: later rows need no lookup */
} agg_op_t;

/* The window end of a time-key value (tumbling). */
static int64_t tumble_end(const sl_pnode_t *n, int64_t key)
{
    if (n->step_ms) return key + n->step_ms;
    if (n->floor_unit) return sl_fn_next_ts(key, n->floor_unit);
    return key + 1;
}

/* Frees what the states of group g own. */
static void agg_destroy_group(agg_op_t *a, size_t g)
{
    const sl_pnode_t *n = a->op.node;
    for (int k = 0; k < a->naggs; k++)
        if (n->aggs[k].fn->agg->destroy)
            n->aggs[k].fn->agg->destroy(&n->aggs[k].ctx, a->states + g * a->stride + a->off[k]);
}

/* Emits the groups in `which` (indexes, in order) and removes them. */
static void agg_emit_groups(agg_op_t *a, const size_t *which, size_t nw)
{
    const sl_pnode_t *n = a->op.node;
    sl_batch_t *o = a->out;
    sl_batch_reset(o);
    for (size_t w = 0; w < nw; w++) {
        size_t g = which[w];
        for (int c = 0; c < a->nkeys; c++) sl_vec_copy_row(&o->cols[c], o->n, &a->keys.cols[c], g, NULL);
        for (int k = 0; k < a->naggs; k++)
            n->aggs[k].fn->agg->final(&n->aggs[k].ctx, a->states + g * a->stride + a->off[k],
                                      &o->cols[a->nkeys + k], o->n);
        o->rowtime[o->n++] = a->keys.rowtime[g];
        if (o->n == o->cap || w + 1 == nw) {
            sl_op_emit(&a->op, o);
            sl_batch_reset(o);
        }
    }
}

/* Emits and drops every group (tumbling: the whole open window). */
static void agg_flush_all(agg_op_t *a)
{
    size_t ng = a->keys.n;
    if (ng) {
        size_t *which = SL_NEWN(size_t, ng);
        for (size_t g = 0; g < ng; g++) which[g] = g;
        agg_emit_groups(a, which, ng);
        sl_free(which);
        for (size_t g = 0; g < ng; g++) agg_destroy_group(a, g);
    }
    sl_rows_clear(&a->keys);
    sl_hx_reset(&a->hx, 64);
    a->cur_end = INT64_MIN;
}

/* Stagger: remembers a window that was emitted, for the next checkpoint. */
static void agg_remember_closed(agg_op_t *a, uint64_t hash, int64_t end)
{
    if (a->nclosed == a->capclosed) {
        a->capclosed = a->capclosed ? a->capclosed * 2 : 64;
        a->closed = sl_realloc(a->closed, a->capclosed * sizeof *a->closed);
    }
    a->closed[a->nclosed++] = (struct closed_win){hash, end};
}

/* Stagger after a resume: true when row i (key hash h, ROWTIME t) belongs to its key's
 * window that was emitted before the stop (it is being re-read only to rebuild others). */
static bool agg_already_done(agg_op_t *a, uint64_t h, int64_t t)
{
    if (!a->ndone) return false;
    if (t >= a->done_max) {
        a->ndone = 0; /* past every such window */
        return false;
    }
    size_t pos = sl_hx_start(&a->dx, h);
    int32_t at = sl_hx_next(&a->dx, h, &pos); /* keyed by the hash alone */
    return at >= 0 && t < a->done[at];
}

/* Stagger: emits and drops the groups whose window ended at or before t, by end time. */
static void agg_close_until(agg_op_t *a, int64_t t)
{
    if (a->min_end > t) return;
    size_t ng = a->keys.n, nw = 0;
    size_t *which = SL_NEWN(size_t, ng ? ng : 1);
    for (size_t g = 0; g < ng; g++)
        if (a->keys.rowtime[g] <= t) which[nw++] = g;
    /* Order by end time, then first-seen (insertion sort: few groups close at once). */
    for (size_t i = 1; i < nw; i++) {
        size_t x = which[i], j = i;
        while (j > 0 && a->keys.rowtime[which[j - 1]] > a->keys.rowtime[x]) {
            which[j] = which[j - 1];
            j--;
        }
        which[j] = x;
    }
    agg_emit_groups(a, which, nw);
    /* Compact the survivors and rebuild the index. */
    uint8_t *gone = sl_calloc(ng ? ng : 1, 1);
    for (size_t w = 0; w < nw; w++) {
        gone[which[w]] = 1;
        agg_destroy_group(a, which[w]);
        agg_remember_closed(a, a->ghash[which[w]], a->keys.rowtime[which[w]]);
    }
    sl_rows_t keep;
    sl_rows_init(&keep, a->nkeys, a->op.eng->plan->nodes[a->op.node->inputs[0]]->cols);
    sl_batch_t view = {0};
    view.ncols = a->nkeys;
    view.cols = a->keys.cols;
    view.rowtime = a->keys.rowtime;
    size_t j = 0;
    a->min_end = INT64_MAX;
    sl_hx_reset(&a->hx, ng - nw + 1);
    for (size_t g = 0; g < ng; g++) {
        if (gone[g]) continue;
        sl_rows_append(&keep, &view, g);
        memmove(a->states + j * a->stride, a->states + g * a->stride, a->stride);
        a->ghash[j] = a->ghash[g];
        a->open_ms[j] = a->open_ms[g];
        sl_hx_put(&a->hx, a->ghash[j], (int32_t)j);
        if (a->keys.rowtime[g] < a->min_end) a->min_end = a->keys.rowtime[g];
        j++;
    }
    sl_rows_free(&a->keys);
    a->keys = keep;
    sl_free(gone);
    sl_free(which);
}

/* Finds the group of row i of b (hash h), creating it with window end `end`. */
static size_t agg_group(agg_op_t *a, const sl_batch_t *b, size_t i, uint64_t h, int64_t end)
{
    size_t pos = sl_hx_start(&a->hx, h);
    for (int32_t g; (g = sl_hx_next(&a->hx, h, &pos)) >= 0;)
        if (sl_row_equal(a->keys.cols, NULL, (size_t)g, b->cols, a->keycols, i, a->nkeys))
            return (size_t)g;
    /* New group. */
    const sl_pnode_t *n = a->op.node;
    size_t g = a->keys.n;
    sl_rows_t *k = &a->keys;
    /* Append the key columns of row i. */
    {
        sl_batch_t view = {0};
        view.ncols = a->nkeys;
        view.cols = b->cols;
        view.rowtime = b->rowtime;
        sl_rows_append(k, &view, i);
        k->rowtime[g] = end;
    }
    if (g + 1 > a->states_cap) {
        a->states_cap = a->states_cap ? a->states_cap * 2 : 64;
        a->states = sl_realloc(a->states, a->states_cap * a->stride);
        a->ghash = sl_realloc(a->ghash, a->states_cap * sizeof(uint64_t));
        a->open_ms = sl_realloc(a->open_ms, a->states_cap * sizeof(int64_t));
    }
    memset(a->states + g * a->stride, 0, a->stride);
    for (int q = 0; q < a->naggs; q++)
        n->aggs[q].fn->agg->init(&n->aggs[q].ctx, a->states + g * a->stride + a->off[q]);
    a->ghash[g] = h;
    a->open_ms[g] = b->rowtime[i];
    sl_hx_append(&a->hx, a->ghash, g);
    if (end < a->min_end) a->min_end = end;
    return g;
}

/* Adds row i to group g's aggregates. */
static inline void agg_step(agg_op_t *a, const sl_batch_t *b, size_t g, size_t i)
{
    const sl_pnode_t *n = a->op.node;
    char *st = a->states + g * a->stride;
    for (int q = 0; q < a->naggs; q++) {
        const sl_pagg_t *pa = &n->aggs[q];
        if (pa->arg < 0) {
            pa->fn->agg->step(&pa->ctx, st + a->off[q], NULL, i);
        } else if (!b->cols[pa->arg].null[i]) {
            pa->fn->agg->step(&pa->ctx, st + a->off[q], &b->cols[pa->arg], i);
        }
    }
}

/* AGG push: assigns rows to groups, closing windows that rows move past. */
static void agg_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    agg_op_t *a = (agg_op_t *)op;
    const sl_pnode_t *n = op->node;
    for (size_t i = 0; i < b->n; i++) a->rh[i] = sl_hash_row(b->cols, a->keycols, a->nkeys, i);
    if (n->win == SL_WIN_TUMBLING) {
        const sl_vec_t *tk = &b->cols[n->time_key];
        for (size_t i = 0; i < b->n; i++) {
            int64_t end = tumble_end(n, tk->v.i[i]);
            if (end != a->cur_end) {
                if (a->keys.n && b->rowtime[i] >= a->cur_end) agg_flush_all(a);
                if (!a->keys.n) a->cur_end = end;
            }
            size_t g = agg_group(a, b, i, a->rh[i], end);
            agg_step(a, b, g, i);
        }
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->rowtime[i];
        if (t >= a->min_end) agg_close_until(a, t);
        if (a->ndone && agg_already_done(a, a->rh[i], t)) continue; /* resume only */
        size_t g = agg_group(a, b, i, a->rh[i], t + n->stagger_ms);
        agg_step(a, b, g, i);
    }
}

/* AGG bound: closes the windows that end at or before it. */
static void agg_bound(sl_operator_t *op, int port, int64_t t)
{
    agg_op_t *a = (agg_op_t *)op;
    if (op->node->win == SL_WIN_TUMBLING) {
        if (a->keys.n && a->cur_end <= t) agg_flush_all(a);
    } else {
        agg_close_until(a, t);
    }
    sl_op_emit_bound(op, t);
}

/* Frees an AGG. */
static void agg_close(sl_operator_t *op)
{
    agg_op_t *a = (agg_op_t *)op;
    for (size_t g = 0; g < a->keys.n; g++) agg_destroy_group(a, g);
    sl_rows_free(&a->keys);
    sl_free(a->states);
    sl_free(a->ghash);
    sl_free(a->open_ms);
    sl_free(a->keycols);
    sl_free(a->off);
    sl_free(a->argv);
    sl_free(a->rh);
    sl_hx_free(&a->hx);
    sl_batch_free(a->out);
    sl_free(a->closed);
    sl_hx_free(&a->dx);
    sl_free(a->done);
    sl_free(a->dhash);
}

static const sl_op_vt_t agg_vt = {agg_push, agg_bound, agg_close};

/* The end of a tumbling window; see engine_int.h. */
int64_t sl_agg_window_end(const sl_pnode_t *n, int64_t key) { return tumble_end(n, key); }

/*
 * Merges a partial aggregate (partial.c) into a tumbling AGG; see engine_int.h. Run by
 * run: a run of another window closes the open one first (its first row's ROWTIME is past
 * the open window's end: partial.c guarantees it between runs, the check below before the
 * first), then each partial group merges into its group, created in first-seen order.
 */
bool sl_agg_absorb(sl_operator_t *op, const sl_partial_t *p)
{
    agg_op_t *a = (agg_op_t *)op;
    const sl_pnode_t *n = op->node;
    if (!p->nwins) return true;
    if (a->keys.n && a->cur_end != p->wins[0].end && p->wins[0].first_rowtime < a->cur_end)
        return false;
    sl_batch_t view = {0};
    view.ncols = p->nkeys;
    view.cols = p->keys.cols;
    view.rowtime = p->keys.rowtime;
    view.n = p->keys.n;
    for (size_t w = 0; w < p->nwins; w++) {
        const sl_partial_win_t *pw = &p->wins[w];
        if (a->keys.n && a->cur_end != pw->end) agg_flush_all(a);
        if (!a->keys.n) a->cur_end = pw->end;
        for (size_t k = pw->first; k < pw->first + pw->n; k++) {
            size_t before = a->keys.n;
            size_t g = agg_group(a, &view, k, p->ghash[k], pw->end);
            /* A new group: its oldest row is no older than the run's first (the low-water
             * mark of checkpoints reads open_ms). */
            if (a->keys.n > before) a->open_ms[g] = pw->first_rowtime;
            char *dst = a->states + g * a->stride;
            const char *src = p->states + k * p->stride;
            for (int q = 0; q < a->naggs; q++)
                n->aggs[q].fn->agg->merge(&n->aggs[q].ctx, dst + a->off[q], src + p->off[q]);
        }
    }
    return true;
}

/* Builds an AGG. */
sl_operator_t *sl_agg_op_new(sl_engine_t *e, const sl_pnode_t *n)
{
    agg_op_t *a = SL_NEW(agg_op_t);
    a->op.vt = &agg_vt;
    a->nkeys = n->nkeys;
    a->naggs = n->naggs;
    a->keycols = SL_NEWN(int, n->nkeys ? n->nkeys : 1);
    for (int i = 0; i < n->nkeys; i++) a->keycols[i] = i;
    a->off = SL_NEWN(size_t, n->naggs ? n->naggs : 1);
    for (int q = 0; q < n->naggs; q++) {
        a->off[q] = a->stride;
        a->stride += (n->aggs[q].fn->agg->state_size + 15) & ~(size_t)15;
    }
    if (!a->stride) a->stride = 16;
    sl_rows_init(&a->keys, n->nkeys, e->plan->nodes[n->inputs[0]]->cols);
    sl_hx_reset(&a->hx, 64);
    a->cur_end = INT64_MIN;
    a->min_end = INT64_MAX;
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    a->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    a->rh = SL_NEWN(uint64_t, SL_BATCH_CAP);
    return &a->op;
}

/* ---- WINDOW (sliding) ----------------------------------------------------------------- */

/* One partition of one sliding aggregate: the rows in its frame (ROWTIME and argument) and
 * the running state. */
typedef struct wpart {
    sl_rows_t rows;       /* one column: the argument (or nothing for COUNT(*)) */
    size_t head;          /* first row still in the frame */
    char *state;
} wpart_t;

/* One sliding aggregate's partitions. */
typedef struct wagg {
    const sl_pagg_t *pa;
    sl_rows_t keys;       /* partition keys, one row per partition */
    wpart_t *parts;
    size_t nparts, cap;
    uint64_t *phash;
    sl_hindex_t hx;
    sl_vec_t out;         /* result vector of the current batch */
    sl_pcol_t argcol;     /* the argument column's type, for the row store */
    sl_arena_t *arena;    /* frame functions: strings of `out` (reset per batch) */
} wagg_t;

/* The WINDOW's state. */
typedef struct window_op {
    sl_operator_t op;
    int nin_cols;
    wagg_t *aggs;
    sl_batch_t view;
    sl_vec_t *view_cols;
} window_op_t;

/* Finds or creates the partition of row i for aggregate w. */
static wpart_t *wpart_of(wagg_t *w, const sl_batch_t *b, size_t i)
{
    const sl_pagg_t *pa = w->pa;
    uint64_t h = sl_hash_row(b->cols, pa->part, pa->npart, i);
    /* The probe written out rather than with sl_hx_next: with the iterator GCC lays this
     * function's hashing loop out worse (+6% instructions in wpart_of, callgrind on
     * tests/bench/query/sliding.sql). */
    size_t m = w->hx.cap - 1, s = h & m;
    while (w->hx.slot[s] >= 0) {
        if (w->hx.hash[s] == h) {
            size_t p = (size_t)w->hx.slot[s];
            if (sl_row_equal(w->keys.cols, NULL, p, b->cols, pa->part, i, pa->npart)) return &w->parts[p];
        }
        s = (s + 1) & m;
    }
    size_t p = w->nparts++;
    if (p >= w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->parts = sl_realloc(w->parts, w->cap * sizeof(wpart_t));
        w->phash = sl_realloc(w->phash, w->cap * sizeof(uint64_t));
    }
    sl_batch_t view = {0};
    view.ncols = pa->npart;
    sl_vec_t kv[16];
    for (int k = 0; k < pa->npart && k < 16; k++) kv[k] = b->cols[pa->part[k]];
    view.cols = kv;
    view.rowtime = b->rowtime;
    sl_rows_append(&w->keys, &view, i);
    wpart_t *wp = &w->parts[p];
    memset(wp, 0, sizeof *wp);
    sl_rows_init(&wp->rows, pa->arg >= 0 ? 1 : 0, &w->argcol);
    if (!pa->frame_fn) {
        wp->state = sl_calloc(1, pa->fn->agg->state_size ? pa->fn->agg->state_size : 1);
        pa->fn->agg->init(&pa->ctx, wp->state);
    }
    w->phash[p] = h;
    sl_hx_append(&w->hx, w->phash, p);
    return wp;
}

/*
 * Finds, in the frame rows lo..hi of a buffer column v, the count-th row (count >= 1)
 * met when walking from `from` towards `to` (both inside lo..hi, to inclusive), counting
 * only non-NULL rows when skip_nulls. Returns its index, or -1 when the walk leaves the
 * frame first. Without skip_nulls this is arithmetic; with it a scan of the frame.
 */
static ptrdiff_t frame_walk(const sl_vec_t *v, ptrdiff_t from, ptrdiff_t to, int64_t count,
                            bool skip_nulls)
{
    ptrdiff_t dir = to >= from ? 1 : -1;
    if (!skip_nulls) {
        int64_t span = (int64_t)(dir > 0 ? to - from : from - to); /* rows after `from` */
        return count - 1 <= span ? from + dir * (ptrdiff_t)(count - 1) : -1;
    }
    for (ptrdiff_t k = from;; k += dir) {
        if (!v->null[k] && --count == 0) return k;
        if (k == to) return -1;
    }
}

/*
 * Writes into row i of w->out the value of a frame function for the row just appended at
 * `at` of partition wp; the frame is rows wp->head..at, oldest first, and the current
 * row is always in it.
 *   LAG(x, n, d)       the row n before the current one (n = 0: the current row). With
 *                      IGNORE NULLS, rows before the current one whose x is NULL are not
 *                      counted. No such row in the frame: d of the current row, or NULL.
 *                      A NULL x of the row found is returned as NULL (d does not replace
 *                      it).
 *   FIRST_VALUE(x)     the frame's first row; IGNORE NULLS: its first non-NULL x.
 *   LAST_VALUE(x)      the current row; IGNORE NULLS: the frame's last non-NULL x.
 *   NTH_VALUE(x, n)    the nth row from the frame's first (FROM FIRST) or from the current
 *                      row backwards (FROM LAST); IGNORE NULLS counts non-NULL rows only.
 *   EXP_AVG(x, h)      the average of the frame's non-NULL x, each weighted by 2^-k where
 *                      k = floor(age / h), age = the current ROWTIME minus the row's: the
 *                      frame is cut into half-life intervals back from the current row,
 *                      and each interval weighs half the next newer one (KDA: "the most
 *                      recent subwindow carries double the weight of the middle one").
 *                      NULL when no x is non-NULL. A scan of the frame per row.
 * A missing row gives NULL (LAG: its default). Strings are copied into w->arena, as the
 * buffer may drop rows before the batch is emitted.
 */
static void frame_read(wagg_t *w, const wpart_t *wp, size_t at, const sl_batch_t *b, size_t i)
{
    const sl_pagg_t *pa = w->pa;
    const sl_vec_t *v = &wp->rows.cols[0];
    ptrdiff_t lo = (ptrdiff_t)wp->head, hi = (ptrdiff_t)at, k = -1;
    bool skip = pa->ignore_nulls;
    switch (pa->frame_fn) {
    case SL_FRAME_LAG:
        if (pa->nth == 0) k = hi;
        else if (hi > lo) k = frame_walk(v, hi - 1, lo, pa->nth, skip);
        if (k < 0 && pa->dflt >= 0) {
            sl_vec_copy_row(&w->out, i, &b->cols[pa->dflt], i, NULL);
            return;
        }
        break;
    case SL_FRAME_FIRST: k = frame_walk(v, lo, hi, 1, skip); break;
    case SL_FRAME_LAST: k = frame_walk(v, hi, lo, 1, skip); break;
    case SL_FRAME_NTH:
        k = pa->from_last ? frame_walk(v, hi, lo, pa->nth, skip) : frame_walk(v, lo, hi, pa->nth, skip);
        break;
    case SL_FRAME_EXP_AVG: {
        /* Newest first; weights are taken relative to the newest non-NULL row's interval
         * (weight 1), so old frames cannot underflow to a zero sum. */
        double num = 0, den = 0;
        int64_t now = wp->rows.rowtime[at], k0 = -1;
        for (ptrdiff_t j = hi; j >= lo; j--) {
            if (v->null[j]) continue;
            int64_t age = (now - wp->rows.rowtime[j]) / pa->nth; /* in half-lives */
            if (k0 < 0) k0 = age;
            double wt = ldexp(1.0, age - k0 > 1074 ? -1074 : -(int)(age - k0));
            num += wt * v->v.f[j];
            den += wt;
        }
        w->out.null[i] = k0 < 0;
        if (k0 >= 0) w->out.v.f[i] = num / den;
        return;
    }
    case SL_FRAME_NONE: break;
    }
    if (k < 0) {
        w->out.null[i] = 1;
        return;
    }
    sl_vec_copy_row(&w->out, i, v, (size_t)k, w->arena);
}

/* True when the oldest buffered row `head` of r has left the frame of a row at time t. */
static bool frame_expired(const sl_pagg_t *pa, const sl_rows_t *r, size_t head, int64_t t)
{
    return pa->rows ? (int64_t)(r->n - head) > pa->range : r->rowtime[head] < t - pa->range;
}

/* Adds row i to partition wp of w (a frame function), expires what left the frame, and
 * writes the result. */
static void frame_row(wagg_t *w, wpart_t *wp, const sl_batch_t *b, size_t i)
{
    const sl_pagg_t *pa = w->pa;
    sl_rows_t *r = &wp->rows;
    while (wp->head < r->n && frame_expired(pa, r, wp->head, b->rowtime[i])) wp->head++;
    sl_batch_t view = {0};
    view.ncols = 1;
    view.cols = &b->cols[pa->arg];
    view.rowtime = b->rowtime;
    size_t at = sl_rows_append(r, &view, i);
    frame_read(w, wp, at, b, i);
    if (wp->head >= 256 && wp->head * 2 >= r->n) {
        sl_rows_drop_front(r, wp->head);
        wp->head = 0;
    }
}

/* Adds row i to partition wp of w, expires what left the frame, writes the result. */
static void wagg_row(wagg_t *w, wpart_t *wp, const sl_batch_t *b, size_t i)
{
    const sl_pagg_t *pa = w->pa;
    if (pa->frame_fn) {
        frame_row(w, wp, b, i);
        return;
    }
    const sl_agg_ops_t *ops = pa->fn->agg;
    sl_rows_t *r = &wp->rows;
    /* Expire first (the new row is always in its own frame), so a frame that empties
     * restarts its sums from exactly zero. */
    int64_t t = b->rowtime[i];
    bool recompute = false;
    const sl_vec_t *kv = pa->arg >= 0 ? &r->cols[0] : NULL;
    while (wp->head < r->n) {
        if (!frame_expired(pa, r, wp->head, t)) break;
        if (!kv || !kv->null[wp->head]) {
            if (ops->inverse) ops->inverse(&pa->ctx, wp->state, kv, wp->head);
            else recompute = true;
        }
        wp->head++;
    }
    if (wp->head == r->n && ops->inverse) {
        if (ops->destroy) ops->destroy(&pa->ctx, wp->state);
        memset(wp->state, 0, ops->state_size);
        ops->init(&pa->ctx, wp->state);
        recompute = false;
    }
    /* Append (NULL arguments are kept in the buffer so ROWS counts them, but not added). */
    sl_batch_t view = {0};
    view.ncols = pa->arg >= 0 ? 1 : 0;
    view.cols = pa->arg >= 0 ? &b->cols[pa->arg] : NULL;
    view.rowtime = b->rowtime;
    size_t at = sl_rows_append(r, &view, i);
    const sl_vec_t *av = pa->arg >= 0 ? &r->cols[0] : NULL;
    if (recompute) {
        if (ops->destroy) ops->destroy(&pa->ctx, wp->state);
        memset(wp->state, 0, ops->state_size);
        ops->init(&pa->ctx, wp->state);
        for (size_t k = wp->head; k < at; k++)
            if (!av || !av->null[k]) ops->step(&pa->ctx, wp->state, av, k);
    }
    if (!av || !av->null[at]) ops->step(&pa->ctx, wp->state, av, at);
    ops->final(&pa->ctx, wp->state, &w->out, i);
    /* Drop expired rows from the buffer now and then (keeps memory bounded by the frame). */
    if (wp->head >= 256 && wp->head * 2 >= r->n) {
        sl_rows_drop_front(r, wp->head);
        wp->head = 0;
        if (!ops->inverse) {
            /* MIN/MAX states may point into nothing of the buffer (they own copies). */
        }
    }
}

/* WINDOW push: one output row per input row, the input's columns plus the aggregates. */
static void window_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    window_op_t *w = (window_op_t *)op;
    const sl_pnode_t *n = op->node;
    for (int q = 0; q < n->naggs; q++) {
        wagg_t *wa = &w->aggs[q];
        if (wa->arena) sl_arena_reset(wa->arena);
        for (size_t i = 0; i < b->n; i++) wagg_row(wa, wpart_of(wa, b, i), b, i);
    }
    for (int c = 0; c < w->nin_cols; c++) w->view_cols[c] = b->cols[c];
    for (int q = 0; q < n->naggs; q++) w->view_cols[w->nin_cols + q] = w->aggs[q].out;
    w->view.n = b->n;
    w->view.rowtime = b->rowtime;
    sl_op_emit(op, &w->view);
}

/* WINDOW bound: passed on (expiry happens as rows arrive; expiry alone emits nothing). */
static void window_bound(sl_operator_t *op, int port, int64_t t) { sl_op_emit_bound(op, t); }

/* Frees a WINDOW. */
static void window_close(sl_operator_t *op)
{
    window_op_t *w = (window_op_t *)op;
    const sl_pnode_t *n = op->node;
    for (int q = 0; q < n->naggs; q++) {
        wagg_t *wa = &w->aggs[q];
        for (size_t p = 0; p < wa->nparts; p++) {
            if (!wa->pa->frame_fn && wa->pa->fn->agg->destroy)
                wa->pa->fn->agg->destroy(&wa->pa->ctx, wa->parts[p].state);
            sl_free(wa->parts[p].state);
            sl_rows_free(&wa->parts[p].rows);
        }
        sl_free(wa->parts);
        sl_free(wa->phash);
        sl_rows_free(&wa->keys);
        sl_hx_free(&wa->hx);
        sl_vec_free(&wa->out);
        sl_arena_free(wa->arena);
    }
    sl_free(w->aggs);
    sl_free(w->view_cols);
}

static const sl_op_vt_t window_vt = {window_push, window_bound, window_close};

/* Builds a WINDOW. */
sl_operator_t *sl_window_op_new(sl_engine_t *e, const sl_pnode_t *n)
{
    window_op_t *w = SL_NEW(window_op_t);
    w->op.vt = &window_vt;
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    w->nin_cols = in->ncols;
    w->aggs = SL_NEWN(wagg_t, n->naggs ? n->naggs : 1);
    for (int q = 0; q < n->naggs; q++) {
        wagg_t *wa = &w->aggs[q];
        wa->pa = &n->aggs[q];
        sl_pcol_t *kc = SL_NEWN(sl_pcol_t, wa->pa->npart ? wa->pa->npart : 1);
        for (int k = 0; k < wa->pa->npart; k++) kc[k].type = in->cols[wa->pa->part[k]].type;
        sl_rows_init(&wa->keys, wa->pa->npart, kc);
        sl_free(kc);
        sl_hx_reset(&wa->hx, 16);
        sl_vec_alloc(&wa->out, wa->pa->ctx.result, SL_BATCH_CAP);
        wa->argcol.type = wa->pa->arg >= 0 ? in->cols[wa->pa->arg].type : sl_type_make(SL_T_BIGINT);
        if (wa->pa->frame_fn) wa->arena = sl_arena_new(0);
    }
    w->view_cols = SL_NEWN(sl_vec_t, n->ncols ? n->ncols : 1);
    w->view.ncols = n->ncols;
    w->view.cols = w->view_cols;
    w->view.cap = SL_BATCH_CAP;
    return &w->op;
}

/* ---- state reporting (checkpoints) ------------------------------------------------------ */

/*
 * The oldest input ROWTIME the state of an AGG or WINDOW still needs; see engine_int.h.
 *   AGG       the first row of every open group (tumbling: the open window; stagger: each
 *             key's window), so a rebuild re-reads every row of every open window;
 *   WINDOW    per aggregate and partition, the first row still in its frame. A RANGE frame
 *             needs no row older than RANGE before the newest row seen (an idle partition's
 *             stale rows would expire before they could be used), a ROWS frame its n rows.
 */
int64_t sl_window_state_oldest(const sl_operator_t *op)
{
    int64_t oldest = INT64_MAX;
    if (op->node->kind == SL_PN_AGG) {
        const agg_op_t *a = (const agg_op_t *)op;
        for (size_t g = 0; g < a->keys.n; g++)
            if (a->open_ms[g] < oldest) oldest = a->open_ms[g];
        return oldest;
    }
    if (op->node->kind != SL_PN_WINDOW) return INT64_MAX;
    const window_op_t *w = (const window_op_t *)op;
    for (int q = 0; q < op->node->naggs; q++) {
        const wagg_t *wa = &w->aggs[q];
        int64_t first = INT64_MAX, newest = INT64_MIN;
        for (size_t p = 0; p < wa->nparts; p++) {
            const wpart_t *wp = &wa->parts[p];
            if (wp->head >= wp->rows.n) continue;
            if (wp->rows.rowtime[wp->head] < first) first = wp->rows.rowtime[wp->head];
            if (wp->rows.rowtime[wp->rows.n - 1] > newest) newest = wp->rows.rowtime[wp->rows.n - 1];
        }
        if (first != INT64_MAX && !wa->pa->rows && newest - wa->pa->range > first)
            first = newest - wa->pa->range;
        if (first < oldest) oldest = first;
    }
    return oldest;
}

/*
 * Stagger windows and checkpoints; see engine_int.h. A stagger window starts at its key's
 * first row, so re-reading from a point inside a window that was already emitted would
 * open a shifted window for that key. The checkpoint therefore lists the windows emitted
 * lately (key hash, end) that end after the replay start `from`; on resume the re-read rows
 * of those keys before those ends are dropped, and the key's next window opens where it
 * did the first time.
 */
void sl_window_state_save(sl_operator_t *op, int64_t from, sl_buf_t *out)
{
    if (op->node->kind != SL_PN_AGG || op->node->win != SL_WIN_STAGGER) return;
    agg_op_t *a = (agg_op_t *)op;
    size_t j = 0;
    for (size_t k = 0; k < a->nclosed; k++) {
        if (a->closed[k].end <= from) continue; /* from only grows: never needed again */
        a->closed[j++] = a->closed[k];
        sl_buf_printf(out, "%%state %d %llu %lld\n", op->node->id,
                      (unsigned long long)a->closed[k].hash, (long long)a->closed[k].end);
    }
    a->nclosed = j;
}

void sl_window_state_load(sl_operator_t *op, uint64_t hash, int64_t end)
{
    if (op->node->kind != SL_PN_AGG || op->node->win != SL_WIN_STAGGER) return;
    agg_op_t *a = (agg_op_t *)op;
    agg_remember_closed(a, hash, end); /* a stop before the re-read ends keeps it */
    if (end > a->done_max) a->done_max = end;
    if (a->dx.cap) {
        size_t pos = sl_hx_start(&a->dx, hash);
        int32_t at = sl_hx_next(&a->dx, hash, &pos); /* keyed by the hash alone */
        if (at >= 0) {
            if (end > a->done[at]) a->done[at] = end;
            return;
        }
    }
    if (a->ndone == a->capdone) {
        a->capdone = a->capdone ? a->capdone * 2 : 64;
        a->done = sl_realloc(a->done, a->capdone * sizeof *a->done);
        a->dhash = sl_realloc(a->dhash, a->capdone * sizeof *a->dhash);
    }
    a->done[a->ndone] = end;
    a->dhash[a->ndone] = hash;
    a->ndone++;
    if (a->dx.cap < a->ndone * 2 + 2) {
        sl_hx_reset(&a->dx, a->ndone * 2);
        for (size_t k = 0; k < a->ndone; k++) sl_hx_put(&a->dx, a->dhash[k], (int32_t)k);
    } else {
        sl_hx_put(&a->dx, hash, (int32_t)(a->ndone - 1));
    }
}
