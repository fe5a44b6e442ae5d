/*
 * ops.c - the stateless and merging operators: SOURCE, MAP (filter + project), STREAM and
 * UNION ALL (merge by ROWTIME), DISTINCT, ORDER BY; plus row storage and hashing shared by
 * the stateful operators (window.c, join.c).
 */
#include "engine_int.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- fan-out -------------------------------------------------------------------------- */

/* Emits a batch to every reader; see engine_int.h. */
void sl_op_emit(sl_operator_t *op, const sl_batch_t *b)
{
    if (!b->n) return;
    for (int i = 0; i < op->nout; i++) op->outs[i].op->vt->push(op->outs[i].op, op->outs[i].port, b);
}

/* Emits a bound; see engine_int.h. */
void sl_op_emit_bound(sl_operator_t *op, int64_t t)
{
    if (t <= op->bound_out) return;
    op->bound_out = t;
    for (int i = 0; i < op->nout; i++) op->outs[i].op->vt->bound(op->outs[i].op, op->outs[i].port, t);
}

/* ---- rows and hashing ----------------------------------------------------------------- */

/* Initializes a row store; see engine_int.h. */
void sl_rows_init(sl_rows_t *r, int ncols, const sl_pcol_t *cols)
{
    memset(r, 0, sizeof *r);
    r->ncols = ncols;
    r->cols = SL_NEWN(sl_vec_t, ncols ? ncols : 1);
    for (int i = 0; i < ncols; i++) r->cols[i].type = cols[i].type;
    r->arena = sl_arena_new(0);
}

/* Grows a row store to hold want rows. */
static void rows_grow(sl_rows_t *r, size_t want)
{
    if (want <= r->cap) return;
    size_t cap = r->cap ? r->cap * 2 : 64;
    while (cap < want) cap *= 2;
    for (int c = 0; c < r->ncols; c++) {
        sl_vec_t *v = &r->cols[c];
        size_t w = sl_type_phys(v->type) == SL_PHYS_STR ? sizeof(sl_str_t) : 8;
        v->v.raw = sl_realloc(v->v.raw, cap * w);
        v->null = sl_realloc(v->null, cap);
    }
    r->rowtime = sl_realloc(r->rowtime, cap * sizeof(int64_t));
    r->cap = cap;
}

/* Appends a row; see engine_int.h. */
size_t sl_rows_append(sl_rows_t *r, const sl_batch_t *b, size_t i)
{
    rows_grow(r, r->n + 1);
    for (int c = 0; c < r->ncols; c++) sl_vec_copy_row(&r->cols[c], r->n, &b->cols[c], i, r->arena);
    r->rowtime[r->n] = b->rowtime[i];
    return r->n++;
}

/* Moves the live rows' strings into a fresh arena. */
static void rows_compact(sl_rows_t *r)
{
    sl_arena_t *fresh = sl_arena_new(0);
    for (int c = 0; c < r->ncols; c++) {
        sl_vec_t *v = &r->cols[c];
        if (sl_type_phys(v->type) != SL_PHYS_STR) continue;
        for (size_t i = 0; i < r->n; i++)
            if (!v->null[i] && v->v.s[i].len) {
                char *p = sl_arena_alloc(fresh, v->v.s[i].len);
                memcpy(p, v->v.s[i].p, v->v.s[i].len);
                v->v.s[i].p = p;
            }
    }
    sl_arena_free(r->arena);
    r->arena = fresh;
}

/* Drops leading rows; see engine_int.h. */
void sl_rows_drop_front(sl_rows_t *r, size_t k)
{
    if (!k) return;
    if (k > r->n) k = r->n;
    size_t rest = r->n - k;
    for (int c = 0; c < r->ncols; c++) {
        sl_vec_t *v = &r->cols[c];
        size_t w = sl_type_phys(v->type) == SL_PHYS_STR ? sizeof(sl_str_t) : 8;
        memmove(v->v.raw, (char *)v->v.raw + k * w, rest * w);
        memmove(v->null, v->null + k, rest);
    }
    memmove(r->rowtime, r->rowtime + k, rest * sizeof(int64_t));
    r->n = rest;
    /* Strings of dropped rows stay in the arena until it is mostly garbage. */
    if (sl_arena_used(r->arena) > (1u << 20) && sl_arena_used(r->arena) > 64 * (r->n + 1) * 4)
        rows_compact(r);
    if (!r->n) sl_arena_reset(r->arena);
}

/* Empties a row store. */
void sl_rows_clear(sl_rows_t *r)
{
    r->n = 0;
    sl_arena_reset(r->arena);
}

/* Frees a row store. */
void sl_rows_free(sl_rows_t *r)
{
    for (int c = 0; c < r->ncols; c++) {
        sl_free(r->cols[c].v.raw);
        sl_free(r->cols[c].null);
    }
    sl_free(r->cols);
    sl_free(r->rowtime);
    sl_arena_free(r->arena);
    memset(r, 0, sizeof *r);
}

/* ---- SOURCE: passes decoded batches and bounds on --------------------------------------- */

/* Source push: the engine hands it decoded batches. */
static void source_push(sl_operator_t *op, int port, const sl_batch_t *b) { sl_op_emit(op, b); }
/* Source bound. */
static void source_bound(sl_operator_t *op, int port, int64_t t) { sl_op_emit_bound(op, t); }
/* Nothing to free. */
static void plain_close(sl_operator_t *op) {}

static const sl_op_vt_t source_vt = {source_push, source_bound, plain_close};

/* ---- MAP ------------------------------------------------------------------------------ */

/* A MAP's state. */
typedef struct map_op {
    sl_operator_t op;
    sl_prog_t *prog;       /* results: exprs[0..ncols-1], then filter, then rowtime */
    int filter_ix, rowtime_ix; /* result indexes, -1 when absent */
    sl_batch_t *out;       /* gathered output (owned vectors) */
    sl_batch_t view;       /* zero-copy output over the program's results */
    sl_vec_t *view_cols;
    bool check_not_null;   /* feeds a stream: NOT NULL columns are enforced */
    bool check_order;      /* AS ROWTIME: rows going back in time are errors */
    int64_t last_rowtime;
    uint8_t *keep;
    sl_buf_t tmp;
} map_op_t;

/* Evaluates a batch, drops filtered rows, reports error rows, emits the rest. */
static void map_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    map_op_t *m = (map_op_t *)op;
    const sl_pnode_t *n = op->node;
    const sl_pnode_t *in = op->eng->plan->nodes[n->inputs[0]];
    sl_prog_eval(m->prog, b);
    size_t kept = 0;
    bool all = true;
    const sl_vec_t *f = m->filter_ix >= 0 ? sl_prog_result(m->prog, m->filter_ix) : NULL;
    const sl_vec_t *rt = m->rowtime_ix >= 0 ? sl_prog_result(m->prog, m->rowtime_ix) : NULL;
    for (size_t i = 0; i < b->n; i++) {
        uint8_t k = 1;
        const char *why = NULL, *name = NULL;
        if (f) {
            if (f->null[i] == SL_NULL_ERROR) k = 2;
            else if (f->null[i] || !f->v.i[i]) k = 0;
        }
        if (k) {
            for (int c = 0; c < n->ncols; c++) {
                const sl_vec_t *v = sl_prog_result(m->prog, c);
                if (v->null[i] == SL_NULL_ERROR) {
                    k = 2;
                    break;
                }
                if (m->check_not_null && v->null[i] && n->cols[c].type.not_null) {
                    k = 3;
                    why = n->cols[c].name;
                    break;
                }
            }
            if (rt && k == 1) {
                if (rt->null[i]) k = 4;
                else if (m->check_order && rt->v.i[i] < m->last_rowtime) k = 5;
                else m->last_rowtime = rt->v.i[i];
            }
        }
        if (k >= 2) {
            sl_buf_reset(&m->tmp);
            sl_row_json(&m->tmp, b, i, in->cols, false);
            char msg[256];
            if (k == 2) {
                const char *em = sl_prog_row_error(m->prog, i, &name);
                snprintf(msg, sizeof msg, "%s", em ? em : "evaluation error");
            } else if (k == 3) {
                name = "NotNullViolation";
                snprintf(msg, sizeof msg, "column %s is NOT NULL but the row gives NULL", why);
            } else if (k == 4) {
                name = "NullRowtime";
                snprintf(msg, sizeof msg, "the expression AS ROWTIME is NULL");
            } else {
                name = "OutOfOrderRowtime";
                snprintf(msg, sizeof msg, "ROWTIME goes back in time (rows must be in ROWTIME order)");
            }
            sl_engine_error(op->eng, name ? name : "EvaluationError", msg, b->rowtime[i], m->tmp.p,
                            m->tmp.len, n->name);
            k = 0;
        }
        m->keep[i] = k;
        if (k) kept++;
        else all = false;
    }
    if (!kept) return;
    if (all && !rt) {
        for (int c = 0; c < n->ncols; c++) m->view_cols[c] = *sl_prog_result(m->prog, c);
        m->view.n = b->n;
        m->view.rowtime = b->rowtime;
        sl_op_emit(op, &m->view);
        return;
    }
    sl_batch_t *o = m->out;
    o->n = 0;
    for (int c = 0; c < n->ncols; c++) {
        const sl_vec_t *v = sl_prog_result(m->prog, c);
        sl_vec_t *d = &o->cols[c];
        size_t j = 0;
        switch (sl_type_phys(v->type)) {
        case SL_PHYS_I64:
            for (size_t i = 0; i < b->n; i++)
                if (m->keep[i]) d->v.i[j] = v->v.i[i], d->null[j++] = v->null[i];
            break;
        case SL_PHYS_F64:
            for (size_t i = 0; i < b->n; i++)
                if (m->keep[i]) d->v.f[j] = v->v.f[i], d->null[j++] = v->null[i];
            break;
        case SL_PHYS_STR:
            for (size_t i = 0; i < b->n; i++)
                if (m->keep[i]) d->v.s[j] = v->v.s[i], d->null[j++] = v->null[i];
            break;
        }
    }
    size_t j = 0;
    for (size_t i = 0; i < b->n; i++)
        if (m->keep[i]) o->rowtime[j++] = rt ? rt->v.i[i] : b->rowtime[i];
    o->n = j;
    sl_op_emit(op, o);
}

/* MAP bound: passed on (an AS ROWTIME override makes no promise stronger than its input). */
static void map_bound(sl_operator_t *op, int port, int64_t t) { sl_op_emit_bound(op, t); }

/* Frees a MAP. */
static void map_close(sl_operator_t *op)
{
    map_op_t *m = (map_op_t *)op;
    sl_prog_free(m->prog);
    sl_batch_free(m->out);
    sl_free(m->view_cols);
    sl_free(m->keep);
    sl_buf_free(&m->tmp);
}

static const sl_op_vt_t map_vt = {map_push, map_bound, map_close};

/* Builds a MAP. */
static sl_operator_t *map_new(sl_engine_t *e, const sl_pnode_t *n)
{
    map_op_t *m = SL_NEW(map_op_t);
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    int nx = n->ncols;
    sl_expr_t **xs = SL_NEWN(sl_expr_t *, nx + 2);
    for (int i = 0; i < n->ncols; i++) xs[i] = n->exprs[i];
    m->filter_ix = m->rowtime_ix = -1;
    if (n->filter) {
        m->filter_ix = nx;
        xs[nx++] = n->filter;
    }
    if (n->rowtime) {
        m->rowtime_ix = nx;
        xs[nx++] = n->rowtime;
    }
    m->prog = sl_prog_new(xs, nx, in->cols, in->ncols);
    sl_free(xs);
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    m->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    m->view_cols = SL_NEWN(sl_vec_t, n->ncols ? n->ncols : 1);
    m->view.ncols = n->ncols;
    m->view.cols = m->view_cols;
    m->view.cap = SL_BATCH_CAP;
    m->keep = sl_calloc(SL_BATCH_CAP, 1);
    m->last_rowtime = INT64_MIN;
    m->check_order = n->rowtime != NULL;
    for (int i = 0; i < e->plan->nnodes; i++) {
        const sl_pnode_t *r = e->plan->nodes[i];
        for (int k = 0; k < r->ninputs; k++)
            if (r->inputs[k] == n->id && r->kind == SL_PN_STREAM) m->check_not_null = true;
            else if (r->inputs[k] == n->id && r->kind == SL_PN_SORT && r->within_ms) m->check_order = false;
    }
    return &m->op;
}

/* ---- STREAM / UNION ALL: merge ports by ROWTIME --------------------------------------- */

/* A merge's state: rows buffered per port until every port's bound passes them. */
typedef struct merge_op {
    sl_operator_t op;
    int nports;
    sl_rows_t *buf;       /* per port */
    int64_t *bound;       /* per port: no later row below this */
    sl_batch_t *out;
} merge_op_t;

/* Emits buffered rows with ROWTIME <= the smallest port bound, in ROWTIME order. */
static void merge_drain(merge_op_t *m, bool all)
{
    int64_t lim = INT64_MAX;
    if (!all)
        for (int p = 0; p < m->nports; p++)
            if (m->bound[p] < lim) lim = m->bound[p];
    size_t *cur = SL_NEWN(size_t, m->nports);
    sl_batch_t *o = m->out;
    sl_batch_reset(o);
    for (;;) {
        int best = -1;
        int64_t bt = 0;
        for (int p = 0; p < m->nports; p++) {
            if (cur[p] >= m->buf[p].n) continue;
            int64_t t = m->buf[p].rowtime[cur[p]];
            if (t > lim) continue;
            if (best < 0 || t < bt) best = p, bt = t;
        }
        if (best < 0) break;
        sl_rows_t *r = &m->buf[best];
        size_t i = cur[best]++;
        for (int c = 0; c < o->ncols; c++) sl_vec_copy_row(&o->cols[c], o->n, &r->cols[c], i, NULL);
        o->rowtime[o->n++] = bt;
        if (o->n == o->cap) {
            sl_op_emit(&m->op, o);
            sl_batch_reset(o);
        }
    }
    sl_op_emit(&m->op, o);
    sl_batch_reset(o);
    for (int p = 0; p < m->nports; p++) sl_rows_drop_front(&m->buf[p], cur[p]);
    sl_free(cur);
    /* Every port at INT64_MAX (the end of the input) is a bound too: it closes the last
     * windows downstream. sl_op_emit_bound only passes on a bound that advances. */
    if (!all) sl_op_emit_bound(&m->op, lim);
}

/* Merge push: a single port passes through; several buffer. */
static void merge_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    merge_op_t *m = (merge_op_t *)op;
    if (m->nports == 1) {
        sl_op_emit(op, b);
        return;
    }
    for (size_t i = 0; i < b->n; i++) sl_rows_append(&m->buf[port], b, i);
    if (b->n && b->rowtime[b->n - 1] > m->bound[port]) m->bound[port] = b->rowtime[b->n - 1];
    merge_drain(m, false);
}

/* Merge bound: the output bound is the smallest port bound. */
static void merge_bound(sl_operator_t *op, int port, int64_t t)
{
    merge_op_t *m = (merge_op_t *)op;
    if (m->nports <= 1) {
        sl_op_emit_bound(op, t);
        return;
    }
    if (t > m->bound[port]) m->bound[port] = t;
    merge_drain(m, false);
}

/* Frees a merge. */
static void merge_close(sl_operator_t *op)
{
    merge_op_t *m = (merge_op_t *)op;
    for (int p = 0; p < m->nports; p++) sl_rows_free(&m->buf[p]);
    sl_free(m->buf);
    sl_free(m->bound);
    sl_batch_free(m->out);
}

static const sl_op_vt_t merge_vt = {merge_push, merge_bound, merge_close};

/* Builds a STREAM or UNION merge. */
static sl_operator_t *merge_new(sl_engine_t *e, const sl_pnode_t *n)
{
    merge_op_t *m = SL_NEW(merge_op_t);
    m->nports = n->ninputs;
    m->buf = SL_NEWN(sl_rows_t, m->nports ? m->nports : 1);
    m->bound = SL_NEWN(int64_t, m->nports ? m->nports : 1);
    for (int p = 0; p < m->nports; p++) {
        sl_rows_init(&m->buf[p], n->ncols, n->cols);
        m->bound[p] = INT64_MIN;
    }
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    m->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return &m->op;
}

/* ---- DISTINCT: the first of equal rows with the same ROWTIME ------------------------- */

/* DISTINCT's state: the distinct rows of the current ROWTIME. */
typedef struct distinct_op {
    sl_operator_t op;
    sl_rows_t seen;
    int64_t cur_rowtime;
    uint64_t *hashes;
    sl_batch_t *out;
} distinct_op_t;

/* Keeps rows not seen yet at their ROWTIME. */
static void distinct_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    distinct_op_t *d = (distinct_op_t *)op;
    sl_batch_t *o = d->out;
    sl_batch_reset(o);
    for (size_t i = 0; i < b->n; i++) {
        if (b->rowtime[i] != d->cur_rowtime) {
            sl_rows_clear(&d->seen);
            d->cur_rowtime = b->rowtime[i];
        }
        uint64_t h = sl_hash_row(b->cols, NULL, b->ncols, i);
        bool dup = false;
        for (size_t k = 0; k < d->seen.n && !dup; k++)
            if (d->hashes[k] == h && sl_row_equal(d->seen.cols, NULL, k, b->cols, NULL, i, b->ncols))
                dup = true;
        if (dup) continue;
        size_t k = sl_rows_append(&d->seen, b, i);
        if (k >= 1 && (k & (k - 1)) == 0) d->hashes = sl_realloc(d->hashes, sizeof(uint64_t) * k * 2);
        if (!d->hashes) d->hashes = sl_malloc(sizeof(uint64_t) * 2);
        d->hashes[k] = h;
        for (int c = 0; c < o->ncols; c++) sl_vec_copy_row(&o->cols[c], o->n, &b->cols[c], i, NULL);
        o->rowtime[o->n++] = b->rowtime[i];
    }
    sl_op_emit(op, o);
}

/* Passes bounds on. */
static void distinct_bound(sl_operator_t *op, int port, int64_t t) { sl_op_emit_bound(op, t); }

/* Frees a DISTINCT. */
static void distinct_close(sl_operator_t *op)
{
    distinct_op_t *d = (distinct_op_t *)op;
    sl_rows_free(&d->seen);
    sl_free(d->hashes);
    sl_batch_free(d->out);
}

static const sl_op_vt_t distinct_vt = {distinct_push, distinct_bound, distinct_close};

/* ---- ORDER BY: sort runs of the leading time key; ORDER BY ... WITHIN: bounded reorder - */

/* ORDER BY's state. */
typedef struct sort_op {
    sl_operator_t op;
    sl_rows_t buf;        /* rows not emitted yet */
    int64_t max_seen;     /* WITHIN: the largest leading key seen */
    int64_t last_out;     /* WITHIN: the last leading key emitted */
    sl_batch_t *out;
} sort_op_t;

/* The operator being sorted: qsort has no context argument. Per thread, since the daemon
 * runs each application on a thread of its own. */
static _Thread_local const sort_op_t *sort_ctx;

/* The leading key of buffered row i (-1 column = ROWTIME). */
static int64_t sort_key0(const sort_op_t *s, size_t i)
{
    int c = s->op.node->sort_cols[0];
    return c < 0 ? s->buf.rowtime[i] : s->buf.cols[c].v.i[i];
}

/* Compares two buffered rows by the ORDER BY keys, then by arrival (stable). */
static int sort_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const sort_op_t *s = sort_ctx;
    const sl_pnode_t *n = s->op.node;
    for (int k = 0; k < n->nsort; k++) {
        int c = n->sort_cols[k], r = 0;
        if (c < 0) {
            r = (s->buf.rowtime[a] > s->buf.rowtime[b]) - (s->buf.rowtime[a] < s->buf.rowtime[b]);
        } else {
            const sl_vec_t *v = &s->buf.cols[c];
            if (v->null[a] || v->null[b]) r = (int)v->null[a] - (int)v->null[b];
            else if (sl_type_phys(v->type) == SL_PHYS_I64) r = (v->v.i[a] > v->v.i[b]) - (v->v.i[a] < v->v.i[b]);
            else if (sl_type_phys(v->type) == SL_PHYS_F64) r = (v->v.f[a] > v->v.f[b]) - (v->v.f[a] < v->v.f[b]);
            else {
                sl_str_t x = v->v.s[a], y = v->v.s[b];
                r = (x.len && y.len) ? memcmp(x.p, y.p, x.len < y.len ? x.len : y.len) : 0;
                if (!r) r = (x.len > y.len) - (x.len < y.len);
            }
        }
        if (n->sort_desc[k]) r = -r;
        if (r) return r;
    }
    return (a > b) - (a < b);
}

/* Sorts the first k buffered rows and emits them (ROWTIME kept non-decreasing). */
static void sort_emit(sort_op_t *s, size_t k)
{
    if (!k) return;
    size_t *idx = SL_NEWN(size_t, k);
    for (size_t i = 0; i < k; i++) idx[i] = i;
    sort_ctx = s;
    qsort(idx, k, sizeof *idx, sort_cmp);
    sl_batch_t *o = s->out;
    sl_batch_reset(o);
    int64_t hi = INT64_MIN;
    for (size_t i = 0; i < k; i++)
        if (s->buf.rowtime[i] > hi) hi = s->buf.rowtime[i];
    for (size_t j = 0; j < k; j++) {
        size_t i = idx[j];
        for (int c = 0; c < o->ncols; c++) sl_vec_copy_row(&o->cols[c], o->n, &s->buf.cols[c], i, NULL);
        o->rowtime[o->n++] = s->op.node->within_ms ? sort_key0(s, i) : hi;
        if (o->n == o->cap) {
            sl_op_emit(&s->op, o);
            sl_batch_reset(o);
        }
    }
    sl_op_emit(&s->op, o);
    sl_batch_reset(o);
    sl_free(idx);
    sl_rows_drop_front(&s->buf, k);
}

/* WITHIN: emits, sorted, the buffered rows whose leading key is at most lim. */
static void sort_due(sort_op_t *s, int64_t lim)
{
    size_t k = 0;
    for (size_t i = 0; i < s->buf.n; i++) k += sort_key0(s, i) <= lim;
    if (!k) return;
    /* Move the due rows to the front (stable), then emit them sorted. */
    sl_rows_t tmp;
    sl_rows_init(&tmp, s->buf.ncols, s->op.node->cols);
    sl_batch_t view = {0};
    view.ncols = s->buf.ncols;
    view.cols = s->buf.cols;
    view.rowtime = s->buf.rowtime;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->buf.n; i++)
            if ((sort_key0(s, i) <= lim) == (pass == 0)) sl_rows_append(&tmp, &view, i);
    sl_rows_free(&s->buf);
    s->buf = tmp;
    sort_emit(s, k);
}

/* Buffers rows; emits runs whose leading key is complete. */
static void sort_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    sort_op_t *s = (sort_op_t *)op;
    const sl_pnode_t *n = op->node;
    int c0 = n->sort_cols[0];
    for (size_t i = 0; i < b->n; i++) {
        int64_t key = c0 < 0 ? b->rowtime[i] : b->cols[c0].v.i[i];
        bool null = c0 >= 0 && b->cols[c0].null[i];
        if (!n->within_ms) {
            if (s->buf.n && sort_key0(s, 0) != key) sort_emit(s, s->buf.n);
            sl_rows_append(&s->buf, b, i);
            continue;
        }
        if (null || key < s->last_out) continue; /* NULL or later than WITHIN: discarded */
        sl_rows_append(&s->buf, b, i);
        if (key <= s->max_seen) continue;
        s->max_seen = key;
        int64_t lim = key - n->within_ms;
        if (lim <= s->last_out) continue;
        sort_due(s, lim);
        s->last_out = lim;
    }
}

/* At the end of input (+infinity), everything left is emitted. */
static void sort_bound(sl_operator_t *op, int port, int64_t t)
{
    sort_op_t *s = (sort_op_t *)op;
    if (t == INT64_MAX) sort_emit(s, s->buf.n);
    if (!s->buf.n) sl_op_emit_bound(op, t);
}

/* Frees an ORDER BY. */
static void sort_close(sl_operator_t *op)
{
    sort_op_t *s = (sort_op_t *)op;
    sl_rows_free(&s->buf);
    sl_batch_free(s->out);
}

static const sl_op_vt_t sort_vt = {sort_push, sort_bound, sort_close};

/* ---- construction --------------------------------------------------------------------- */


/* An output batch for a node's columns. */
static sl_batch_t *node_batch(const sl_pnode_t *n)
{
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    sl_batch_t *b = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return b;
}

/* Builds the operator of a node; see engine_int.h. */
sl_operator_t *sl_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    sl_operator_t *op = NULL;
    switch (n->kind) {
    case SL_PN_SOURCE:
        op = SL_NEW(sl_operator_t);
        op->vt = &source_vt;
        break;
    case SL_PN_MAP:
        op = map_new(e, n);
        op->vt = &map_vt;
        break;
    case SL_PN_STREAM:
    case SL_PN_UNION:
        op = merge_new(e, n);
        op->vt = &merge_vt;
        break;
    case SL_PN_DISTINCT: {
        distinct_op_t *d = SL_NEW(distinct_op_t);
        sl_rows_init(&d->seen, n->ncols, n->cols);
        d->cur_rowtime = INT64_MIN;
        d->out = node_batch(n);
        op = &d->op;
        op->vt = &distinct_vt;
        break;
    }
    case SL_PN_SORT: {
        sort_op_t *s = SL_NEW(sort_op_t);
        sl_rows_init(&s->buf, n->ncols, n->cols);
        s->max_seen = s->last_out = INT64_MIN;
        s->out = node_batch(n);
        op = &s->op;
        op->vt = &sort_vt;
        break;
    }
    case SL_PN_AGG: op = sl_agg_op_new(e, n); break;
    case SL_PN_WINDOW: op = sl_window_op_new(e, n); break;
    case SL_PN_JOIN: op = sl_join_op_new(e, n, err); break;
    case SL_PN_REFJOIN: op = sl_refjoin_op_new(e, n, err); break;
    case SL_PN_TABLEFN: op = sl_tablefn_op_new(e, n, err); break;
    }
    if (!op) return NULL;
    op->node = n;
    op->eng = e;
    op->nin = n->ninputs;
    op->bound_out = INT64_MIN;
    return op;
}

/* ---- state reporting (checkpoints) ------------------------------------------------------ */

/* The oldest ROWTIME held by the row-buffering operators of this file: rows of a merge
 * waiting for the other ports' bounds, rows of an ORDER BY run not emitted yet, and the
 * rows DISTINCT remembers at the current ROWTIME; see engine_int.h. */
int64_t sl_ops_state_oldest(const sl_operator_t *op)
{
    int64_t oldest = INT64_MAX;
    switch (op->node->kind) {
    case SL_PN_STREAM:
    case SL_PN_UNION: {
        const merge_op_t *m = (const merge_op_t *)op;
        for (int p = 0; p < m->nports; p++)
            if (m->buf[p].n && m->buf[p].rowtime[0] < oldest) oldest = m->buf[p].rowtime[0];
        break;
    }
    case SL_PN_SORT: {
        const sort_op_t *s = (const sort_op_t *)op;
        for (size_t i = 0; i < s->buf.n; i++)
            if (s->buf.rowtime[i] < oldest) oldest = s->buf.rowtime[i];
        break;
    }
    case SL_PN_DISTINCT: {
        const distinct_op_t *d = (const distinct_op_t *)op;
        if (d->seen.n) oldest = d->cur_rowtime;
        break;
    }
    default: break;
    }
    return oldest;
}
