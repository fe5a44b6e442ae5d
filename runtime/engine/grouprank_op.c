/*
 * grouprank_op.c - the TABLEFN operator of KDA's GROUP_RANK:
 *
 *     SELECT STREAM * FROM TABLE(GROUP_RANK(CURSOR(SELECT STREAM ...), 'rankByColumnName',
 *         'rankOutColumnName', 'sortOrder', 'outputOrder', maxIdle, outputMax))
 *
 * A group is a run of rows with the same ROWTIME. It is held until a row of another
 * ROWTIME arrives or a bound passes its ROWTIME (the end of a replay, or the idle clock of
 * a live run: this is how sluice releases an idle group; maxIdle is accepted and checked
 * but the engine has no wall-clock timer per operator, see functions/README.md). Then its
 * rows are ranked by the column, RANK() style: sortOrder 'asc' ranks the smallest value 1,
 * 'desc' the largest; equal values share a rank and the next rank skips (1, 2, 2, 4);
 * NULLs rank after every value, tied among themselves. The rows go out with their columns
 * unchanged, the rank appended, in rank order ('asc': rank 1 first; 'desc': the last rank
 * first), rows of equal rank in arrival order, at most outputMax of them (0: all), with
 * their own ROWTIME.
 *
 * Checkpoints: the held group is rows of one ROWTIME, which a re-read rebuilds;
 * sl_grouprank_state_oldest reports it to the low-water mark.
 */
#include "engine_int.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct grouprank_op {
    sl_operator_t op;
    sl_rows_t buf;      /* the held group */
    int64_t group_rt;   /* its ROWTIME */
    size_t *idx;        /* scratch: row order */
    int32_t *rank;      /* scratch: rank of each row */
    size_t cap;         /* rows the scratch arrays hold */
    sl_batch_t *out;
} grouprank_op_t;

/* The operator being sorted: qsort has no context argument. Per thread, since the daemon
 * runs each application on a thread of its own. */
static _Thread_local const grouprank_op_t *rank_ctx;

/* Compares rows a and b of the group by the ranked column, NULLs last, in sortOrder;
 * 0 when they tie. */
static int rank_key_cmp(const grouprank_op_t *g, size_t a, size_t b)
{
    const sl_pnode_t *n = g->op.node;
    const sl_vec_t *v = &g->buf.cols[n->item_col];
    if (v->null[a] || v->null[b]) return (int)v->null[a] - (int)v->null[b];
    int r;
    switch (sl_type_phys(v->type)) {
    case SL_PHYS_I64: r = (v->v.i[a] > v->v.i[b]) - (v->v.i[a] < v->v.i[b]); break;
    case SL_PHYS_F64: r = (v->v.f[a] > v->v.f[b]) - (v->v.f[a] < v->v.f[b]); break;
    default: {
        sl_str_t x = v->v.s[a], y = v->v.s[b];
        r = (x.len && y.len) ? memcmp(x.p, y.p, x.len < y.len ? x.len : y.len) : 0;
        if (!r) r = (x.len > y.len) - (x.len < y.len);
        break;
    }
    }
    return n->rank_desc ? -r : r;
}

/* Rank order, then arrival (stable). */
static int rank_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int r = rank_key_cmp(rank_ctx, a, b);
    return r ? r : (a > b) - (a < b);
}

/* Ranks the held group, emits it in output order and empties it. */
static void grouprank_flush(grouprank_op_t *g)
{
    const sl_pnode_t *n = g->op.node;
    size_t k = g->buf.n;
    if (!k) return;
    if (k > g->cap) {
        g->cap = k;
        g->idx = sl_realloc(g->idx, k * sizeof *g->idx);
        g->rank = sl_realloc(g->rank, k * sizeof *g->rank);
    }
    for (size_t i = 0; i < k; i++) g->idx[i] = i;
    rank_ctx = g;
    qsort(g->idx, k, sizeof *g->idx, rank_cmp);
    for (size_t j = 0; j < k; j++)
        g->rank[j] = j && !rank_key_cmp(g, g->idx[j - 1], g->idx[j]) ? g->rank[j - 1] : (int32_t)(j + 1);
    /* outputOrder 'desc': ranks from the last, rows of one rank still in arrival order. */
    if (n->output_desc) {
        size_t *tmp = SL_NEWN(size_t, k);
        int32_t *trk = SL_NEWN(int32_t, k);
        size_t o = 0;
        for (size_t end = k; end > 0;) {
            size_t start = end - 1;
            while (start > 0 && g->rank[start - 1] == g->rank[end - 1]) start--;
            for (size_t j = start; j < end; j++, o++) {
                tmp[o] = g->idx[j];
                trk[o] = g->rank[j];
            }
            end = start;
        }
        memcpy(g->idx, tmp, k * sizeof *tmp);
        memcpy(g->rank, trk, k * sizeof *trk);
        sl_free(tmp);
        sl_free(trk);
    }
    size_t m = n->output_max && (size_t)n->output_max < k ? (size_t)n->output_max : k;
    sl_batch_t *o = g->out;
    int nin = n->ncols - 1;
    sl_batch_reset(o);
    for (size_t j = 0; j < m; j++) {
        size_t i = g->idx[j];
        for (int c = 0; c < nin; c++) sl_vec_copy_row(&o->cols[c], o->n, &g->buf.cols[c], i, NULL);
        o->cols[nin].v.i[o->n] = g->rank[j];
        o->cols[nin].null[o->n] = 0;
        o->rowtime[o->n++] = g->buf.rowtime[i];
        if (o->n == o->cap) {
            sl_op_emit(&g->op, o);
            sl_batch_reset(o);
        }
    }
    if (o->n) sl_op_emit(&g->op, o);
    sl_batch_reset(o);
    sl_rows_clear(&g->buf);
}

/* Push: a row of another ROWTIME releases the held group first. */
static void grouprank_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    (void)port;
    grouprank_op_t *g = (grouprank_op_t *)op;
    for (size_t i = 0; i < b->n; i++) {
        if (g->buf.n && b->rowtime[i] != g->group_rt) grouprank_flush(g);
        g->group_rt = b->rowtime[i];
        sl_rows_append(&g->buf, b, i);
    }
}

/* Bound: a bound past the group's ROWTIME (no more rows of it can come) releases it. */
static void grouprank_bound(sl_operator_t *op, int port, int64_t t)
{
    (void)port;
    grouprank_op_t *g = (grouprank_op_t *)op;
    if (g->buf.n && t > g->group_rt) grouprank_flush(g);
    sl_op_emit_bound(op, t);
}

static void grouprank_close(sl_operator_t *op)
{
    grouprank_op_t *g = (grouprank_op_t *)op;
    sl_rows_free(&g->buf);
    sl_free(g->idx);
    sl_free(g->rank);
    sl_batch_free(g->out);
}

static const sl_op_vt_t grouprank_vt = {grouprank_push, grouprank_bound, grouprank_close};

/* The held group's ROWTIME (INT64_MAX: none); see engine_int.h. */
int64_t sl_grouprank_state_oldest(const sl_operator_t *op)
{
    const grouprank_op_t *g = (const grouprank_op_t *)op;
    return g->buf.n ? g->group_rt : INT64_MAX;
}

/* Builds the operator of a GROUP_RANK node; see engine_int.h. */
sl_operator_t *sl_grouprank_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    if (n->ncols != in->ncols + 1 || n->item_col < 0 || n->item_col >= in->ncols) {
        *err = sl_asprintf("%d:%d: the table function's configuration is invalid", n->line, n->col);
        return NULL;
    }
    grouprank_op_t *g = SL_NEW(grouprank_op_t);
    g->op.node = n;
    g->op.vt = &grouprank_vt;
    sl_rows_init(&g->buf, in->ncols, in->cols);
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    g->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return &g->op;
}
