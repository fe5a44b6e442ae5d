/*
 * join.c - joins.
 *
 * Stream-stream (JOIN): the two inputs are merged into ROWTIME order (rows wait until the
 * other side's bound passes them). Each side keeps the rows of its window (RANGE INTERVAL
 * PRECEDING; a side without a window keeps only the rows of the current ROWTIME). A new
 * row is paired with the other side's kept rows, ON is evaluated over the pairs a vector at
 * a time, and matches are emitted with ROWTIME = the new (later) row's. A kept row that
 * leaves its window without a match is emitted null-extended when its side is preserved
 * (LEFT/RIGHT/FULL OUTER), with ROWTIME = its window's end.
 *
 * Stream-table (REFJOIN): the reference table is loaded into an in-memory SQLite database
 * (ingest/refdata.h: the file, URL or S3 object decoded with its ReferenceSchema), then read
 * once into row storage with a hash index on the ON equality columns; each stream row
 * probes the index, the full ON is evaluated over the candidate pairs, and LEFT OUTER keeps
 * unmatched rows with NULLs.
 */
#include "engine_int.h"

#include "alloc.h"
#include "refdata.h"

#include <string.h>

/* ---- pair batches: left row ++ right row, ON evaluated over them ---------------------- */

/* Pairs of rows waiting for their ON evaluation. */
typedef struct pairs {
    sl_batch_t *b;        /* left cols ++ right cols */
    sl_prog_t *on;        /* the ON program (NULL: always true) */
    int nleft, nright;
} pairs_t;

/* Writes one side of a pair into row r of the pair batch (NULLs when src is NULL). */
static void pair_side(pairs_t *p, size_t r, int base, int n, const sl_vec_t *src, size_t i)
{
    for (int c = 0; c < n; c++) {
        if (src) sl_vec_copy_row(&p->b->cols[base + c], r, &src[c], i, NULL);
        else p->b->cols[base + c].null[r] = 1;
    }
}

/* Builds the pair machinery of a join node. */
static void pairs_init(pairs_t *p, const sl_pnode_t *n)
{
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    p->b = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    p->nleft = n->left_ncols;
    p->nright = n->ncols - n->left_ncols;
    p->on = n->on ? sl_prog_new((sl_expr_t *const *)&n->on, 1, n->cols, n->ncols) : NULL;
}

/* Frees the pair machinery. */
static void pairs_free(pairs_t *p)
{
    sl_batch_free(p->b);
    sl_prog_free(p->on);
}

/* ---- stream-stream join ---------------------------------------------------------------- */

/* One side of a join: pending rows (not yet in ROWTIME order with the other side) and the
 * rows of its window. */
typedef struct jside {
    sl_rows_t pending;
    int64_t bound;        /* no later row on this port below it */
    sl_rows_t kept;       /* rows of the window, oldest first */
    uint8_t *matched;     /* per kept row */
    size_t mcap;
    int64_t win;          /* RANGE in ms, -1 = current row only */
    bool preserved;       /* outer rows of this side are emitted */
} jside_t;

/* The join's state. */
typedef struct join_op {
    sl_operator_t op;
    jside_t side[2];
    pairs_t pairs;
    size_t *pair_kept;    /* per pair: the other side's kept row */
    sl_batch_t *out;
} join_op_t;

/* Emits the out batch when full (or when force). */
static void join_out_flush(join_op_t *j, bool force)
{
    if (j->out->n && (force || j->out->n == j->out->cap)) {
        sl_op_emit(&j->op, j->out);
        sl_batch_reset(j->out);
    }
}

/* Expires kept rows of side s that no row at or after t can match; emits outer rows. */
static void join_expire(join_op_t *j, int s, int64_t t)
{
    jside_t *sd = &j->side[s];
    int64_t w = sd->win < 0 ? 0 : sd->win;
    size_t k = 0;
    while (k < sd->kept.n && sd->kept.rowtime[k] + w < t) {
        if (sd->preserved && !sd->matched[k]) {
            sl_batch_t *o = j->out;
            size_t r = o->n;
            int base = s == 0 ? 0 : j->pairs.nleft;
            int ob = s == 0 ? j->pairs.nleft : 0;
            int n = s == 0 ? j->pairs.nleft : j->pairs.nright, on = s == 0 ? j->pairs.nright : j->pairs.nleft;
            for (int c = 0; c < n; c++) sl_vec_copy_row(&o->cols[base + c], r, &sd->kept.cols[c], k, NULL);
            for (int c = 0; c < on; c++) o->cols[ob + c].null[r] = 1;
            o->rowtime[r] = sd->kept.rowtime[k] + w;
            o->n++;
            join_out_flush(j, false);
        }
        k++;
    }
    if (k) {
        join_out_flush(j, true);
        sl_rows_drop_front(&sd->kept, k);
        memmove(sd->matched, sd->matched + k, sd->kept.n);
    }
}

/* Evaluates the pending pairs of one new row and emits the matches. Returns whether any
 * pair matched. */
static bool join_eval(join_op_t *j, int s, int64_t t)
{
    pairs_t *p = &j->pairs;
    if (!p->b->n) return false;
    const sl_vec_t *on = NULL;
    if (p->on) {
        sl_prog_eval(p->on, p->b);
        on = sl_prog_result(p->on, 0);
    }
    bool any = false;
    jside_t *other = &j->side[1 - s];
    for (size_t r = 0; r < p->b->n; r++) {
        if (on && (on->null[r] || !on->v.i[r])) continue;
        any = true;
        other->matched[j->pair_kept[r]] = 1;
        sl_batch_t *o = j->out;
        for (int c = 0; c < o->ncols; c++) sl_vec_copy_row(&o->cols[c], o->n, &p->b->cols[c], r, NULL);
        o->rowtime[o->n++] = t;
        join_out_flush(j, false);
    }
    join_out_flush(j, true);
    sl_batch_reset(p->b);
    return any;
}

/* Processes one row (row i of rows `src`) arriving on side s in ROWTIME order. */
static void join_row(join_op_t *j, int s, sl_rows_t *src, size_t i)
{
    int64_t t = src->rowtime[i];
    join_expire(j, 0, t);
    join_expire(j, 1, t);
    jside_t *other = &j->side[1 - s];
    pairs_t *p = &j->pairs;
    bool matched = false;
    int64_t ow = other->win;
    for (size_t k = 0; k < other->kept.n; k++) {
        int64_t r = other->kept.rowtime[k];
        if (ow < 0 ? r != t : r < t - ow) continue;
        size_t x = p->b->n;
        if (s == 0) {
            pair_side(p, x, 0, p->nleft, src->cols, i);
            pair_side(p, x, p->nleft, p->nright, other->kept.cols, k);
        } else {
            pair_side(p, x, 0, p->nleft, other->kept.cols, k);
            pair_side(p, x, p->nleft, p->nright, src->cols, i);
        }
        j->pair_kept[x] = k;
        p->b->n++;
        if (p->b->n == p->b->cap) matched |= join_eval(j, s, t);
    }
    matched |= join_eval(j, s, t);
    /* Keep the row for the other side's later rows. */
    jside_t *me = &j->side[s];
    sl_batch_t view = {0};
    view.ncols = src->ncols;
    view.cols = src->cols;
    view.rowtime = src->rowtime;
    size_t at = sl_rows_append(&me->kept, &view, i);
    if (me->kept.n > me->mcap) {
        me->mcap = me->kept.cap;
        me->matched = sl_realloc(me->matched, me->mcap);
    }
    me->matched[at] = matched;
}

/* Processes pending rows of both sides in ROWTIME order up to the smaller bound. */
static void join_drain(join_op_t *j)
{
    int64_t lim = j->side[0].bound < j->side[1].bound ? j->side[0].bound : j->side[1].bound;
    size_t c[2] = {0, 0};
    for (;;) {
        int best = -1;
        int64_t bt = 0;
        for (int s = 0; s < 2; s++) {
            if (c[s] >= j->side[s].pending.n) continue;
            int64_t t = j->side[s].pending.rowtime[c[s]];
            if (t > lim) continue;
            if (best < 0 || t < bt) best = s, bt = t;
        }
        if (best < 0) break;
        join_row(j, best, &j->side[best].pending, c[best]++);
    }
    for (int s = 0; s < 2; s++) sl_rows_drop_front(&j->side[s].pending, c[s]);
    if (lim > INT64_MIN) {
        join_expire(j, 0, lim);
        join_expire(j, 1, lim);
        sl_op_emit_bound(&j->op, lim);
    }
}

/* Join push: rows wait in their side's queue. */
static void join_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    join_op_t *j = (join_op_t *)op;
    for (size_t i = 0; i < b->n; i++) sl_rows_append(&j->side[port].pending, b, i);
    if (b->n && b->rowtime[b->n - 1] > j->side[port].bound) j->side[port].bound = b->rowtime[b->n - 1];
    join_drain(j);
}

/* Join bound. */
static void join_bound(sl_operator_t *op, int port, int64_t t)
{
    join_op_t *j = (join_op_t *)op;
    if (t > j->side[port].bound) j->side[port].bound = t;
    join_drain(j);
}

/* Frees a join. */
static void join_close(sl_operator_t *op)
{
    join_op_t *j = (join_op_t *)op;
    for (int s = 0; s < 2; s++) {
        sl_rows_free(&j->side[s].pending);
        sl_rows_free(&j->side[s].kept);
        sl_free(j->side[s].matched);
    }
    pairs_free(&j->pairs);
    sl_free(j->pair_kept);
    sl_batch_free(j->out);
}

static const sl_op_vt_t join_vt = {join_push, join_bound, join_close};

/* Builds a stream-stream join; see engine_int.h. */
sl_operator_t *sl_join_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    join_op_t *j = SL_NEW(join_op_t);
    j->op.vt = &join_vt;
    for (int s = 0; s < 2; s++) {
        const sl_pnode_t *in = e->plan->nodes[n->inputs[s]];
        sl_rows_init(&j->side[s].pending, in->ncols, in->cols);
        sl_rows_init(&j->side[s].kept, in->ncols, in->cols);
        j->side[s].bound = INT64_MIN;
        j->side[s].win = s == 0 ? n->win_left : n->win_right;
    }
    j->side[0].preserved = n->join_type == SL_JOIN_LEFT_OUTER || n->join_type == SL_JOIN_FULL_OUTER;
    j->side[1].preserved = n->join_type == SL_JOIN_RIGHT_OUTER || n->join_type == SL_JOIN_FULL_OUTER;
    pairs_init(&j->pairs, n);
    j->pair_kept = SL_NEWN(size_t, SL_BATCH_CAP);
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    j->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return &j->op;
}

/* ---- stream-table join ------------------------------------------------------------------ */

/* The table join's state. */
typedef struct refjoin_op {
    sl_operator_t op;
    sl_rows_t table;      /* the reference rows */
    size_t hcap;          /* hash index over the key columns: open addressing */
    uint64_t *hh;
    int64_t *hslot;       /* table row, -1 empty */
    pairs_t pairs;
    size_t *pair_in;      /* per pair: its input row */
    uint8_t *pair_null;   /* per pair: a null-extended candidate */
    sl_batch_t *out;
} refjoin_op_t;

/* Evaluates pending pairs and emits them in input order: an input row's matches, or its
 * null-extended row for LEFT OUTER when none matched. */
static void refjoin_eval(refjoin_op_t *j, const sl_batch_t *in)
{
    pairs_t *p = &j->pairs;
    if (!p->b->n) return;
    const sl_vec_t *on = NULL;
    if (p->on) {
        sl_prog_eval(p->on, p->b);
        on = sl_prog_result(p->on, 0);
    }
    bool outer = j->op.node->join_type == SL_JOIN_LEFT_OUTER;
    sl_batch_t *o = j->out;
    size_t r = 0;
    while (r < p->b->n) {
        size_t row = j->pair_in[r], e = r;
        bool any = false;
        while (e < p->b->n && j->pair_in[e] == row) e++;
        for (size_t k = r; k < e; k++) {
            bool ok = !j->pair_null[k] && (!on || (!on->null[k] && on->v.i[k]));
            if (!ok) continue;
            any = true;
            for (int c = 0; c < o->ncols; c++) sl_vec_copy_row(&o->cols[c], o->n, &p->b->cols[c], k, NULL);
            o->rowtime[o->n++] = in->rowtime[row];
            if (o->n == o->cap) {
                sl_op_emit(&j->op, o);
                sl_batch_reset(o);
            }
        }
        if (!any && outer) {
            for (int c = 0; c < p->nleft; c++) sl_vec_copy_row(&o->cols[c], o->n, &in->cols[c], row, NULL);
            for (int c = 0; c < p->nright; c++) o->cols[p->nleft + c].null[o->n] = 1;
            o->rowtime[o->n++] = in->rowtime[row];
            if (o->n == o->cap) {
                sl_op_emit(&j->op, o);
                sl_batch_reset(o);
            }
        }
        r = e;
    }
    sl_batch_reset(p->b);
}

/* Table join push: probe, evaluate, emit in order. */
static void refjoin_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    refjoin_op_t *j = (refjoin_op_t *)op;
    const sl_pnode_t *n = op->node;
    pairs_t *p = &j->pairs;
    sl_batch_reset(j->out);
    for (size_t i = 0; i < b->n; i++) {
        if (p->b->n + 64 > p->b->cap) refjoin_eval(j, b);
        uint64_t h = sl_hash_row(b->cols, n->probe_cols, n->nprobe, i);
        size_t m = j->hcap - 1, s = h & m;
        bool cand = false;
        bool key_null = false;
        for (int k = 0; k < n->nprobe; k++) key_null |= b->cols[n->probe_cols[k]].null[i] != 0;
        while (!key_null && j->hslot[s] >= 0) {
            if (j->hh[s] == h) {
                size_t t = (size_t)j->hslot[s];
                if (sl_row_equal(b->cols, n->probe_cols, i, j->table.cols, n->table_cols, t, n->nprobe)) {
                    if (p->b->n == p->b->cap) refjoin_eval(j, b);
                    size_t x = p->b->n++;
                    pair_side(p, x, 0, p->nleft, b->cols, i);
                    pair_side(p, x, p->nleft, p->nright, j->table.cols, t);
                    j->pair_in[x] = i;
                    j->pair_null[x] = 0;
                    cand = true;
                }
            }
            s = (s + 1) & m;
        }
        if (!cand) {
            if (p->b->n == p->b->cap) refjoin_eval(j, b);
            size_t x = p->b->n++;
            pair_side(p, x, 0, p->nleft, b->cols, i);
            pair_side(p, x, p->nleft, p->nright, NULL, 0);
            j->pair_in[x] = i;
            j->pair_null[x] = 1;
        }
    }
    refjoin_eval(j, b);
    sl_op_emit(op, j->out);
    sl_batch_reset(j->out);
}

/* Table join bound: passed on. */
static void refjoin_bound(sl_operator_t *op, int port, int64_t t) { sl_op_emit_bound(op, t); }

/* Frees a table join. */
static void refjoin_close(sl_operator_t *op)
{
    refjoin_op_t *j = (refjoin_op_t *)op;
    sl_rows_free(&j->table);
    sl_free(j->hh);
    sl_free(j->hslot);
    pairs_free(&j->pairs);
    sl_free(j->pair_in);
    sl_free(j->pair_null);
    sl_batch_free(j->out);
}

static const sl_op_vt_t refjoin_vt = {refjoin_push, refjoin_bound, refjoin_close};

/* Reads the loaded SQLite table into row storage (values converted to the column types). */
static bool read_table(sqlite3 *db, const char *table, sl_rows_t *rows, const sl_pcol_t *cols,
                       int ncols, char **err)
{
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        *err = sl_asprintf("reference table %s: %s", table, sqlite3_errmsg(db));
        return false;
    }
    sl_batch_t *one = NULL;
    {
        sl_type_t *types = SL_NEWN(sl_type_t, ncols ? ncols : 1);
        for (int i = 0; i < ncols; i++) types[i] = cols[i].type;
        one = sl_batch_new(ncols, types, 1);
        sl_free(types);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sl_batch_reset(one);
        one->n = 1;
        one->rowtime[0] = 0;
        for (int c = 0; c < ncols; c++) {
            sl_vec_t *v = &one->cols[c];
            int ct = sqlite3_column_type(st, c);
            v->null[0] = ct == SQLITE_NULL;
            if (ct == SQLITE_NULL) continue;
            if (ct == SQLITE_INTEGER && sl_type_phys(v->type) == SL_PHYS_I64 && v->type.id != SL_T_DECIMAL) {
                v->v.i[0] = sqlite3_column_int64(st, c);
            } else if (sl_type_phys(v->type) == SL_PHYS_F64) {
                v->v.f[0] = sqlite3_column_double(st, c);
            } else if (ct == SQLITE_BLOB && sl_type_phys(v->type) == SL_PHYS_STR) {
                int n = sqlite3_column_bytes(st, c);
                char *p = sl_arena_alloc(one->arena, (size_t)n + 1);
                memcpy(p, sqlite3_column_blob(st, c), (size_t)n);
                v->v.s[0] = (sl_str_t){p, (uint32_t)n};
            } else {
                const char *txt = (const char *)sqlite3_column_text(st, c);
                int n = sqlite3_column_bytes(st, c);
                if (!sl_value_parse(v, 0, txt, (size_t)n, one->arena)) v->null[0] = 1;
            }
        }
        sl_rows_append(rows, one, 0);
    }
    sqlite3_finalize(st);
    sl_batch_free(one);
    if (rc != SQLITE_DONE) {
        *err = sl_asprintf("reference table %s: %s", table, sqlite3_errmsg(db));
        return false;
    }
    return true;
}

/* Builds a stream-table join: loads the table; see engine_int.h. */
sl_operator_t *sl_refjoin_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    const sl_app_ref_t *ref = &e->plan->app->refs[n->ref_ix];
    if (!e->refdb && sqlite3_open(":memory:", &e->refdb) != SQLITE_OK) {
        *err = sl_strdup("cannot open the in-memory reference database");
        return NULL;
    }
    char *src = NULL;
    if (ref->source && ref->source[0] != '/' && !strstr(ref->source, "://") && e->opts.base_dir)
        src = sl_asprintf("%s/%s", e->opts.base_dir, ref->source);
    char *lerr = NULL;
    int rc = sl_refdata_load(e->refdb, ref->table_name, src ? src : ref->source, &ref->schema, NULL, &lerr);
    sl_free(src);
    if (rc < 0) {
        *err = sl_asprintf("reference table %s: %s", ref->table_name, lerr ? lerr : "load failed");
        sl_free(lerr);
        return NULL;
    }
    refjoin_op_t *j = SL_NEW(refjoin_op_t);
    j->op.vt = &refjoin_vt;
    int nr = n->ncols - n->left_ncols;
    sl_rows_init(&j->table, nr, n->cols + n->left_ncols);
    if (!read_table(e->refdb, ref->table_name, &j->table, n->cols + n->left_ncols, nr, err)) {
        sl_rows_free(&j->table);
        sl_free(j);
        return NULL;
    }
    j->hcap = 64;
    while (j->hcap < j->table.n * 2) j->hcap *= 2;
    j->hh = SL_NEWN(uint64_t, j->hcap);
    j->hslot = sl_malloc(j->hcap * sizeof(int64_t));
    memset(j->hslot, 0xff, j->hcap * sizeof(int64_t));
    for (size_t t = 0; t < j->table.n; t++) {
        uint64_t h = sl_hash_row(j->table.cols, n->table_cols, n->nprobe, t);
        size_t s = h & (j->hcap - 1);
        while (j->hslot[s] >= 0) s = (s + 1) & (j->hcap - 1);
        j->hh[s] = h;
        j->hslot[s] = (int64_t)t;
    }
    pairs_init(&j->pairs, n);
    j->pair_in = SL_NEWN(size_t, SL_BATCH_CAP);
    j->pair_null = SL_NEWN(uint8_t, SL_BATCH_CAP);
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) types[i] = n->cols[i].type;
    j->out = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return &j->op;
}

/* ---- state reporting (checkpoints) ------------------------------------------------------ */

/* The oldest input ROWTIME a stream join holds: the first row waiting on either side, and
 * the first row kept in either side's window; see engine_int.h. */
int64_t sl_join_state_oldest(const sl_operator_t *op)
{
    if (op->node->kind != SL_PN_JOIN) return INT64_MAX;
    const join_op_t *j = (const join_op_t *)op;
    int64_t oldest = INT64_MAX;
    for (int s = 0; s < 2; s++) {
        if (j->side[s].pending.n && j->side[s].pending.rowtime[0] < oldest)
            oldest = j->side[s].pending.rowtime[0];
        if (j->side[s].kept.n && j->side[s].kept.rowtime[0] < oldest)
            oldest = j->side[s].kept.rowtime[0];
    }
    return oldest;
}
