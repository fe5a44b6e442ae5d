/*
 * tablefn_op.c - the TABLEFN operator: KDA's analytic table functions over a cursor,
 *
 *     SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ...), ...))
 *     ... RANDOM_CUT_FOREST_WITH_EXPLANATION(...) / HOTSPOTS(...)
 *
 * One operator per query instance holds one model: a forest (functions/rcf.h) or a
 * HOTSPOTS detector (functions/hotspots.h), built from the configuration the planner
 * checked (planner/bind_tablefn.c). Each input batch is passed through unchanged (the
 * output batch aliases the input's vectors, ROWTIME included) with the function's columns
 * appended; the adapters of functions/tablefn.h compute them a batch at a time, in row
 * order, so the model sees the stream exactly as it arrives: each row is scored before it
 * is learnt. Rows are never held back, so bounds pass straight through.
 *
 * Run-time options (environment, read when the engine is built; see runtime/README.md):
 *   SLUICE_RCF_SEED     the forests' seed (an unsigned integer; default 1). The output of
 *                       a forest is a function of its seed and its input only, so a replay
 *                       gives the same scores; set a different seed to see another draw.
 *   SLUICE_RCF_THREADS  threads per forest (1..64, default 1); the scores do not depend
 *                       on it.
 *
 * Checkpoints (runtime/app/README.md, "Models across a stop"). The model depends on the
 * whole history, so the low-water re-read of a resume cannot rebuild it; the checkpoint
 * saves it instead (state.c, sl_engine_models_save):
 *   - sl_tablefn_snapshot writes the model's exact image (sl_rcf_snapshot, PRNG states
 *     included; sl_hotspots_snapshot) after the position (ROWTIME, count at that ROWTIME)
 *     in this operator's input of the last row the model saw. Output ROWTIMEs upstream
 *     never decrease, so the pair is a position in the operator's row sequence, as the
 *     sinks' suppression marks are in theirs (engine.c).
 *   - sl_tablefn_restore takes the image back into a freshly built operator, and the rows
 *     up to that position - which the resume's re-read produces again, and the model has
 *     learnt already - bypass the model: they are passed through with the values of a row
 *     that is not learnt (ANOMALY_SCORE 0 and an all-zero explanation, as in warm-up; the
 *     current HOTSPOTS_RESULT). The sinks suppress those rows anyway; only a stateful
 *     operator downstream that is rebuilt from them sees the placeholders. The first row
 *     past the position is scored by the restored model, so that the scores after a
 *     resume are those of an uninterrupted run.
 *   - sl_tablefn_fingerprint keys the image: a changed function, parameter, seed or input
 *     column type gives another fingerprint, and the saved model is not loaded.
 */
#include "engine_int.h"

#include "alloc.h"
#include "tablefn.h"

#include <stdlib.h>
#include <string.h>

/* The operator's state. */
typedef struct tablefn_op {
    sl_operator_t op;
    sl_rcf_t *forest;       /* RCF, RCF_EXPLAIN */
    sl_hotspots_t *hs;      /* HOTSPOTS */
    char **names;           /* the scored columns' names, for ANOMALY_EXPLANATION (owned) */
    int nin;                /* columns passed through */
    int nadd;               /* columns appended (1 or 2) */
    sl_vec_t *cols;         /* the output's vectors: nin aliases, then nadd owned */
    size_t cap;             /* rows allocated in the owned vectors */
    sl_arena_t *arena;      /* strings of the appended columns, reset per batch */
    sl_vec_t *view;         /* scratch: the input's vectors from the first learnt row */
    uint64_t fingerprint;   /* see sl_tablefn_fingerprint */
    /* The position of the last row the model saw (INT64_MIN: none yet), and, after a
     * restore, the position up to which re-read rows bypass the model (skip_rt INT64_MIN:
     * none; skip_seen counts the rows at skip_rt bypassed so far). */
    int64_t mark_rt, mark_n;
    int64_t skip_rt, skip_n, skip_seen;
} tablefn_op_t;

/* Grows the owned vectors to hold n rows. */
static void tablefn_reserve(tablefn_op_t *t, size_t n)
{
    if (n <= t->cap) return;
    size_t cap = t->cap ? t->cap : SL_BATCH_CAP;
    while (cap < n) cap *= 2;
    for (int k = 0; k < t->nadd; k++) {
        sl_vec_t *v = &t->cols[t->nin + k];
        sl_type_t ty = v->type;
        sl_vec_free(v);
        sl_vec_alloc(v, ty, cap);
    }
    t->cap = cap;
}

/*
 * The number of leading rows of b that bypass the model: those at or before the position
 * a restored model had reached. Ends the bypass at the first row past it.
 */
static size_t tablefn_bypass(tablefn_op_t *t, const sl_batch_t *b)
{
    size_t k = 0;
    while (t->skip_rt != INT64_MIN && k < b->n) {
        int64_t rt = b->rowtime[k];
        if (rt < t->skip_rt || (rt == t->skip_rt && t->skip_seen < t->skip_n)) {
            if (rt == t->skip_rt) t->skip_seen++;
            k++;
        } else {
            t->skip_rt = INT64_MIN;
        }
    }
    return k;
}

/* Vector v from row k on (a view: same storage). */
static sl_vec_t vec_from(const sl_vec_t *v, size_t k)
{
    sl_vec_t w = *v;
    if (w.v.raw) {
        switch (sl_type_phys(w.type)) {
        case SL_PHYS_I64: w.v.i += k; break;
        case SL_PHYS_F64: w.v.f += k; break;
        case SL_PHYS_STR: w.v.s += k; break;
        }
    }
    if (w.null) w.null += k;
    return w;
}

/* Fills rows [0, k) of the appended columns with the values of a row the model does not
 * learn: score 0 and an all-zero explanation (RCF), the current window's hotspots. */
static void tablefn_fill_bypass(tablefn_op_t *t, size_t k)
{
    const sl_pnode_t *n = t->op.node;
    sl_buf_t json = SL_BUF_INIT;
    if (t->hs) {
        sl_hotspots_format(t->hs, &json);
    } else if (t->nadd > 1) {
        double *zero = SL_NEWN(double, n->nscored ? n->nscored : 1);
        sl_rcf_explain_format(&json, n->nscored, (const char *const *)t->names, zero, zero,
                              n->directionality);
        sl_free(zero);
    }
    sl_str_t str = {sl_arena_strndup(t->arena, json.p ? json.p : "", json.len), (uint32_t)json.len};
    sl_buf_free(&json);
    sl_vec_t *first = &t->cols[t->nin];
    for (size_t i = 0; i < k; i++) {
        if (t->hs) {
            first->v.s[i] = str;
        } else {
            first->v.f[i] = 0;
            if (t->nadd > 1) {
                first[1].v.s[i] = str;
                if (first[1].null) first[1].null[i] = 0;
            }
        }
        if (first->null) first->null[i] = 0;
    }
}

/*
 * Scores (or clusters) every row of b in order and emits b with the results appended.
 * Rows that bypass the model after a restore get placeholders (tablefn_fill_bypass); the
 * rest go through the model, and the last of them is the new mark.
 */
static void tablefn_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    (void)port;
    tablefn_op_t *t = (tablefn_op_t *)op;
    const sl_pnode_t *n = op->node;
    if (!b->n) return;
    tablefn_reserve(t, b->n);
    sl_arena_reset(t->arena);
    for (int c = 0; c < t->nin; c++) t->cols[c] = b->cols[c];
    size_t k = tablefn_bypass(t, b);
    if (k) tablefn_fill_bypass(t, k);
    if (k < b->n) {
        for (int c = 0; c < t->nin; c++) t->view[c] = vec_from(&b->cols[c], k);
        sl_batch_t rest = {.n = b->n - k, .cap = b->cap - k, .ncols = t->nin, .cols = t->view,
                           .rowtime = b->rowtime + k, .arena = b->arena};
        sl_vec_t out[2];
        for (int a = 0; a < t->nadd; a++) out[a] = vec_from(&t->cols[t->nin + a], k);
        if (t->hs)
            sl_tablefn_hotspots_batch(t->hs, &rest, n->scored, n->nscored, &out[0], t->arena);
        else
            sl_tablefn_rcf_batch(t->forest, &rest, n->scored, n->nscored, &out[0],
                                 t->nadd > 1 ? &out[1] : NULL, (const char *const *)t->names,
                                 n->directionality, t->arena);
        int64_t last = b->rowtime[b->n - 1];
        int64_t same = 1;
        while ((size_t)same < b->n - k && b->rowtime[b->n - 1 - same] == last) same++;
        if (last == t->mark_rt) {
            t->mark_n += same;
        } else {
            t->mark_rt = last;
            t->mark_n = same;
        }
    }
    sl_batch_t out = {.n = b->n, .cap = t->cap < b->cap ? t->cap : b->cap, .ncols = n->ncols,
                      .cols = t->cols, .rowtime = b->rowtime, .arena = t->arena};
    sl_op_emit(op, &out);
}

/* Nothing is held back: a bound passes through. */
static void tablefn_bound(sl_operator_t *op, int port, int64_t t)
{
    (void)port;
    sl_op_emit_bound(op, t);
}

/* Frees the model and the owned vectors. */
static void tablefn_close(sl_operator_t *op)
{
    tablefn_op_t *t = (tablefn_op_t *)op;
    sl_rcf_free(t->forest);
    sl_hotspots_free(t->hs);
    for (int k = 0; k < t->nadd; k++) sl_vec_free(&t->cols[t->nin + k]);
    sl_free(t->cols);
    sl_free(t->view);
    for (int k = 0; t->names && k < op->node->nscored; k++) sl_free(t->names[k]);
    sl_free(t->names);
    sl_arena_free(t->arena);
}

static const sl_op_vt_t tablefn_vt = {tablefn_push, tablefn_bound, tablefn_close};

/*
 * Reads an unsigned integer option from the environment into *v. Returns false (and
 * leaves *v) when it is unset; sets *err when it is set but malformed or above max.
 */
static bool env_uint(const char *name, unsigned long long max, unsigned long long *v, char **err)
{
    const char *s = getenv(name);
    if (!s || !*s) return false;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || *s == '-' || x > max) {
        *err = sl_asprintf("%s='%s' is not an integer between 0 and %llu", name, s, max);
        return false;
    }
    *v = x;
    return true;
}

/* FNV-1a over n bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}
#define FNV(h, v) ((h) = fnv((h), &(v), sizeof(v)))

/*
 * The fingerprint of node n's model (see sl_tablefn_fingerprint): the function's SQL name;
 * the input's column types; the scored columns; the configuration field by field (the
 * forest's thread count excluded: scores do not depend on it), with `seed` the seed the
 * forest actually uses (SLUICE_RCF_SEED included).
 */
static uint64_t tablefn_fingerprint_of(sl_engine_t *e, const sl_pnode_t *n, uint64_t seed)
{
    static const char *const names[] = {
#define SL_TFN_NAME(name, sql) sql,
        SL_TABLEFNS(SL_TFN_NAME)
#undef SL_TFN_NAME
    };
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *fn = n->tfn >= 0 && n->tfn < SL_TFN_COUNT ? names[n->tfn] : "?";
    h = fnv(h, fn, strlen(fn) + 1);
    FNV(h, in->ncols);
    for (int c = 0; c < in->ncols; c++) {
        const sl_type_t *ty = &in->cols[c].type;
        FNV(h, ty->id);
        FNV(h, ty->prec);
        FNV(h, ty->scale);
        FNV(h, ty->len);
    }
    FNV(h, n->nscored);
    for (int k = 0; k < n->nscored; k++) FNV(h, n->scored[k]);
    if (n->tfn == SL_TFN_HOTSPOTS) {
        const sl_hotspots_config_t *c = &n->hotspots;
        FNV(h, c->dims);
        FNV(h, c->window_size);
        FNV(h, c->scan_radius);
        FNV(h, c->min_points);
    } else {
        const sl_rcf_config_t *c = &n->rcf;
        uint8_t kda = c->kda_compat, dir = n->directionality;
        FNV(h, c->dims);
        FNV(h, c->trees);
        FNV(h, c->sample_size);
        FNV(h, c->time_decay);
        FNV(h, c->shingle_size);
        FNV(h, seed);
        FNV(h, kda);
        FNV(h, dir);
    }
    return h;
}

/* The model's fingerprint; see engine_int.h. */
uint64_t sl_tablefn_fingerprint(const sl_operator_t *op)
{
    return ((const tablefn_op_t *)op)->fingerprint;
}

/*
 * The model's image; see engine_int.h. Layout: the mark (ROWTIME, count; int64 each,
 * native order), then sl_rcf_snapshot's or sl_hotspots_snapshot's bytes.
 */
void sl_tablefn_snapshot(const sl_operator_t *op, sl_buf_t *out)
{
    const tablefn_op_t *t = (const tablefn_op_t *)op;
    sl_buf_append(out, &t->mark_rt, sizeof t->mark_rt);
    sl_buf_append(out, &t->mark_n, sizeof t->mark_n);
    if (t->hs)
        sl_hotspots_snapshot(t->hs, out);
    else
        sl_rcf_snapshot(t->forest, out);
}

/* True when two forest configurations describe the same model (threads aside). */
static bool rcf_same_model(const sl_rcf_config_t *a, const sl_rcf_config_t *b)
{
    return a->dims == b->dims && a->trees == b->trees && a->sample_size == b->sample_size &&
           a->time_decay == b->time_decay && a->shingle_size == b->shingle_size &&
           a->seed == b->seed && a->kda_compat == b->kda_compat;
}

/* True when two HOTSPOTS configurations are the same. */
static bool hotspots_same_model(const sl_hotspots_config_t *a, const sl_hotspots_config_t *b)
{
    return a->dims == b->dims && a->window_size == b->window_size &&
           a->scan_radius == b->scan_radius && a->min_points == b->min_points;
}

/*
 * Takes a model image back; see engine_int.h. The image must also describe the model this
 * operator would build (the fingerprint says so already; this guards against an image
 * filed under the wrong key). The operator keeps its thread count.
 */
bool sl_tablefn_restore(sl_operator_t *op, const void *data, size_t len, char **err)
{
    tablefn_op_t *t = (tablefn_op_t *)op;
    int64_t mark[2];
    if (len < sizeof mark) {
        *err = sl_strdup("truncated model image");
        return false;
    }
    memcpy(mark, data, sizeof mark);
    const char *body = (const char *)data + sizeof mark, *msg = NULL;
    size_t blen = len - sizeof mark;
    if (mark[0] == INT64_MIN ? mark[1] != 0 : mark[1] < 1) {
        *err = sl_strdup("corrupt model image (position)");
        return false;
    }
    if (t->hs) {
        sl_hotspots_t *h = sl_hotspots_restore(body, blen, &msg);
        if (h && !hotspots_same_model(sl_hotspots_config(h), sl_hotspots_config(t->hs)))
            msg = "another HOTSPOTS configuration";
        if (msg) {
            sl_hotspots_free(h);
            *err = sl_strdup(msg);
            return false;
        }
        sl_hotspots_free(t->hs);
        t->hs = h;
    } else {
        const sl_rcf_config_t *cur = sl_rcf_config(t->forest);
        sl_rcf_t *f = sl_rcf_restore(body, blen, cur->threads, &msg);
        if (f && !rcf_same_model(sl_rcf_config(f), cur)) msg = "another RANDOM_CUT_FOREST configuration";
        if (msg) {
            sl_rcf_free(f);
            *err = sl_strdup(msg);
            return false;
        }
        sl_rcf_free(t->forest);
        t->forest = f;
    }
    t->mark_rt = t->skip_rt = mark[0];
    t->mark_n = t->skip_n = mark[1];
    t->skip_seen = 0;
    return true;
}

/* Builds the operator of a TABLEFN node; see engine_int.h. */
sl_operator_t *sl_tablefn_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    if (SL_TFN_TUMBLING(n->tfn)) return sl_tumblefn_op_new(e, n, err);
    if (n->tfn == SL_TFN_GROUP_RANK) return sl_grouprank_op_new(e, n, err);
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    tablefn_op_t *t = SL_NEW(tablefn_op_t);
    t->op.node = n;
    char *msg = NULL;
    t->nin = in->ncols;
    t->nadd = n->ncols - in->ncols;
    t->cols = SL_NEWN(sl_vec_t, n->ncols);
    t->view = SL_NEWN(sl_vec_t, t->nin ? t->nin : 1);
    t->mark_rt = t->skip_rt = INT64_MIN;
    for (int k = 0; k < t->nadd; k++) t->cols[t->nin + k].type = n->cols[t->nin + k].type;
    t->arena = sl_arena_new(64 * 1024);
    if (n->tfn == SL_TFN_HOTSPOTS) {
        t->hs = sl_hotspots_new(&n->hotspots);
    } else {
        sl_rcf_config_t cfg = n->rcf;
        unsigned long long v;
        if (env_uint("SLUICE_RCF_SEED", UINT64_MAX, &v, &msg)) cfg.seed = v;
        if (!msg && env_uint("SLUICE_RCF_THREADS", SL_RCF_MAX_THREADS, &v, &msg))
            cfg.threads = v ? (int)v : 1;
        if (!msg) t->forest = sl_rcf_new(&cfg);
        t->names = SL_NEWN(char *, n->nscored ? n->nscored : 1);
        for (int k = 0; k < n->nscored; k++) {
            const char *nm = in->cols[n->scored[k]].name;
            t->names[k] = nm ? sl_strdup(nm) : sl_asprintf("EXPR$%d", n->scored[k]);
        }
    }
    if (!msg && !t->forest && !t->hs)
        msg = sl_asprintf("%d:%d: the table function's configuration is invalid", n->line, n->col);
    if (msg) {
        *err = msg;
        tablefn_close(&t->op);
        sl_free(t);
        return NULL;
    }
    tablefn_reserve(t, SL_BATCH_CAP);
    t->fingerprint = tablefn_fingerprint_of(e, n, t->forest ? sl_rcf_config(t->forest)->seed : 0);
    t->op.vt = &tablefn_vt;
    return &t->op;
}
