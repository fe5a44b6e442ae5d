/*
 * engine_int.h - what the files of runtime/engine share: the operator vtable, the engine's
 * state, row storage for operators that keep rows, and the error_stream entry point.
 *
 * An operator is PostgreSQL's PlanState adapted to push-based streaming: the engine calls
 *     push(op, port, batch)  rows arrive on an input port (the batch is borrowed for the
 *                            call only: copy what you keep)
 *     bound(op, port, t)     no later row on that port has ROWTIME < t
 *     close(op)              free the state
 * and an operator passes results on with sl_op_emit() / sl_op_emit_bound(), which fan out
 * to every reader. Output ROWTIMEs are non-decreasing per operator, and an operator never
 * emits a row with ROWTIME below a bound it has emitted.
 */
#ifndef SL_ENGINE_INT_H
#define SL_ENGINE_INT_H

#include "bytes.h"
#include "decode.h"
#include "engine.h"
#include "expr.h"
#include "hash.h"
#include "hindex.h"

#include <sqlite3.h>
#include <string.h>

typedef struct sl_operator sl_operator_t;

/* The entry points of an operator kind. */
typedef struct sl_op_vt {
    void (*push)(sl_operator_t *op, int port, const sl_batch_t *b);
    void (*bound)(sl_operator_t *op, int port, int64_t t);
    void (*close)(sl_operator_t *op);
} sl_op_vt_t;

/* A reader of an operator's output: which operator, on which of its ports. */
typedef struct sl_op_edge {
    sl_operator_t *op;
    int port;
} sl_op_edge_t;

/* The common head of every operator (subtypes embed it first). */
struct sl_operator {
    const sl_op_vt_t *vt;
    const sl_pnode_t *node;  /* the plan node it runs (NULL for sinks) */
    sl_engine_t *eng;
    int nout;
    sl_op_edge_t *outs;      /* readers (owned array) */
    int nin;                 /* input ports */
    int64_t bound_out;       /* the last bound emitted */
};

/* The engine. */
struct sl_engine {
    const sl_plan_t *plan;
    sl_engine_opts_t opts;
    int nops;
    sl_operator_t **ops;           /* one per plan node, by node id */
    int nsinks;
    sl_operator_t **sinks;         /* output sinks (own their state) */
    /* Per application input: its source operators (one per in-app stream _001..) and
     * decoding state. */
    int ninputs;
    struct sl_input_state *inputs;
    bool print_errors_json;  /* error_stream is selected: error rows go to `out` */
    sl_operator_t *error_sink;     /* the sink of error_stream when selected, else NULL */
    int64_t rows_out, errors;
    sl_buf_t line;           /* scratch for formatting one output line */
    sqlite3 *refdb;          /* reference tables (in memory) */
    bool replaying;          /* records are being re-read to rebuild state: no error rows */
    char *failure;           /* the first hard output failure (heap), or NULL */
};

/* Sends a batch to every reader of op. */
void sl_op_emit(sl_operator_t *op, const sl_batch_t *b);
/* Sends a bound to every reader of op (only when it advances). */
void sl_op_emit_bound(sl_operator_t *op, int64_t t);

/* Reports one error row: name (ERROR_NAME), message, the offending data's ROWTIME, the
 * data (hex-encoded into DATA_ROW) and the pump (may be NULL). */
void sl_engine_error(sl_engine_t *e, const char *name, const char *msg, int64_t data_rowtime,
                     const void *data, size_t len, const char *pump);
/* Formats row i of b as a JSON object (column names from cols) into out. */
void sl_row_json(sl_buf_t *out, const sl_batch_t *b, size_t i, const sl_pcol_t *cols, bool rowtime);

/* Builds the operator of a plan node. */
sl_operator_t *sl_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
/* The stateful operators (window.c, join.c). */
sl_operator_t *sl_agg_op_new(sl_engine_t *e, const sl_pnode_t *n);
sl_operator_t *sl_window_op_new(sl_engine_t *e, const sl_pnode_t *n);
sl_operator_t *sl_join_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
sl_operator_t *sl_refjoin_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
/* RANDOM_CUT_FOREST(_WITH_EXPLANATION) and HOTSPOTS (tablefn_op.c). */
sl_operator_t *sl_tablefn_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
/* TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING (tumblefn_op.c; sl_tablefn_op_new
 * hands their nodes over). */
sl_operator_t *sl_tumblefn_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
/* GROUP_RANK (grouprank_op.c; sl_tablefn_op_new hands its nodes over). */
sl_operator_t *sl_grouprank_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err);
/*
 * The oldest input ROWTIME an operator's state still holds (state.c gathers them into the
 * engine's low-water mark), or INT64_MAX when it holds none. One function per file that owns
 * operator state, dispatching on the node kind; kinds without state answer INT64_MAX.
 */
int64_t sl_window_state_oldest(const sl_operator_t *op); /* window.c: AGG, WINDOW */
int64_t sl_join_state_oldest(const sl_operator_t *op);   /* join.c: JOIN */
int64_t sl_ops_state_oldest(const sl_operator_t *op);    /* ops.c: STREAM/UNION, SORT, DISTINCT */
int64_t sl_tumblefn_state_oldest(const sl_operator_t *op); /* tumblefn_op.c: tumbling TABLEFN */
int64_t sl_grouprank_state_oldest(const sl_operator_t *op); /* grouprank_op.c: GROUP_RANK */
/* Stagger windows emitted lately (window.c): sl_window_state_save appends a "%state NODE
 * HASH END" line per window closed after `from` (and forgets older ones);
 * sl_window_state_load, on resume, makes the operator drop re-read rows of that key
 * before END. Other operators ignore both. */
void sl_window_state_save(sl_operator_t *op, int64_t from, sl_buf_t *out);
void sl_window_state_load(sl_operator_t *op, uint64_t hash, int64_t end);
/*
 * Model state: what a re-read of the input cannot rebuild, because it was learnt from the
 * whole history (tablefn_op.c: RANDOM_CUT_FOREST's forest, HOTSPOTS' window). state.c
 * saves it with a checkpoint and loads it on resume (engine.h, sl_engine_models_save), by
 * node kind as for sl_*_state_oldest; only TABLEFN has any (RCF and HOTSPOTS: not the
 * tumbling ones or GROUP_RANK, whose rows a re-read rebuilds). For a TABLEFN operator:
 *   sl_tablefn_fingerprint  a hash of everything the model's meaning depends on (the
 *                           function, its parameters and seed, the scored columns and the
 *                           input's column types): a saved model is loaded only into the
 *                           operator of the same plan node id and fingerprint
 *   sl_tablefn_snapshot     appends an image of the model, with the position in the
 *                           operator's input of the last row it learnt, to out
 *   sl_tablefn_restore      replaces the model by such an image and makes the input rows
 *                           up to that position bypass it (a resume re-reads them: they
 *                           were learnt already); false with *err (heap), the operator
 *                           unchanged, when the bytes are not a valid image
 */
uint64_t sl_tablefn_fingerprint(const sl_operator_t *op);
void sl_tablefn_snapshot(const sl_operator_t *op, sl_buf_t *out);
bool sl_tablefn_restore(sl_operator_t *op, const void *data, size_t len, char **err);
/* The error_stream's columns (for printing error rows as a stream). */
extern const sl_pcol_t sl_error_cols[7];

/* ---- owned row storage for operators that keep rows ---------------------------------- */

/* A growable columnar store of rows with owned strings (a batch that keeps growing). */
typedef struct sl_rows {
    int ncols;
    size_t n, cap;
    sl_vec_t *cols;   /* owned storage of cap rows */
    int64_t *rowtime;
    sl_arena_t *arena; /* string bytes */
} sl_rows_t;

void sl_rows_init(sl_rows_t *r, int ncols, const sl_pcol_t *cols);
/* Appends row i of b (strings copied). Returns the new row's index. */
size_t sl_rows_append(sl_rows_t *r, const sl_batch_t *b, size_t i);
/* Drops the first k rows (shifting the rest); the arena is compacted when it is mostly
 * garbage. */
void sl_rows_drop_front(sl_rows_t *r, size_t k);
void sl_rows_clear(sl_rows_t *r);
void sl_rows_free(sl_rows_t *r);

/* The n < 8 bytes at p as one word, reading only those bytes (overlapping 4-byte loads, or
 * the first, middle and last byte): together with n, different bytes give different words. */
static inline uint64_t sl_short_word(const unsigned char *p, uint32_t n)
{
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a << 32 | b;
    }
    if (n) return (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1];
    return 0;
}


/* Hash of row i over the given columns of b (NULLs hash alike); inline, as grouping and
 * joins call it per row. */
static inline uint64_t sl_hash_row(const sl_vec_t *cols, const int *which, int n, size_t i)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < n; k++) {
        const sl_vec_t *v = &cols[which ? which[k] : k];
        uint64_t x;
        if (v->null[i]) x = 0x5bd1e995;
        else if (sl_type_phys(v->type) == SL_PHYS_STR) {
            /* 8 bytes at a time, then the tail, mixed with the length. */
            const unsigned char *p = (const unsigned char *)v->v.s[i].p;
            uint32_t len = v->v.s[i].len, j = 0;
            x = len;
            for (; j + 8 <= len; j += 8) {
                uint64_t w;
                memcpy(&w, p + j, 8);
                x = sl_hash_mix(x ^ w);
            }
            x = (x ^ sl_short_word(p + j, len - j)) * 0x9e3779b97f4a7c15ULL;
        } else if (sl_type_phys(v->type) == SL_PHYS_F64) {
            double d = v->v.f[i] == 0.0 ? 0.0 : v->v.f[i];
            memcpy(&x, &d, 8);
        } else {
            x = (uint64_t)v->v.i[i];
        }
        h = sl_hash_mix(h ^ (x + (uint64_t)k));
    }
    return h;
}

/* Equality of row i of a and row j of b over column lists (NULL equals NULL). */
static inline bool sl_row_equal(const sl_vec_t *a, const int *wa, size_t i, const sl_vec_t *b, const int *wb,
                  size_t j, int n)
{
    for (int k = 0; k < n; k++) {
        const sl_vec_t *x = &a[wa ? wa[k] : k], *y = &b[wb ? wb[k] : k];
        if (x->null[i] || y->null[j]) {
            if (!(x->null[i] && y->null[j])) return false;
            continue;
        }
        switch (sl_type_phys(x->type)) {
        case SL_PHYS_I64:
            if (x->v.i[i] != y->v.i[j]) return false;
            break;
        case SL_PHYS_F64:
            if (x->v.f[i] != y->v.f[j]) return false;
            break;
        case SL_PHYS_STR:
            if (x->v.s[i].len != y->v.s[j].len || !sl_mem_eq(x->v.s[i].p, y->v.s[j].p, x->v.s[i].len))
                return false;
            break;
        }
    }
    return true;
}


/* ---- partial aggregation (partial.c, window.c) ---------------------------------------- */

/* A run of groups of one window in a partial, in first-seen order. */
typedef struct sl_partial_win {
    int64_t end;           /* the window's end */
    int64_t first_rowtime; /* ROWTIME of its first row */
    size_t first, n;       /* its groups: first .. first + n - 1 */
} sl_partial_win_t;

/* A partial aggregate of a tumbling AGG's rows (see partial.c). Groups are laid out as the
 * AGG lays its own: keys (rowtime = window end) and a block of aggregate states each. */
struct sl_partial {
    sl_operator_t *agg_op;   /* the engine's AGG: merge target (engine thread only) */
    const sl_pnode_t *map;   /* the MAP between SOURCE and AGG, or NULL */
    const sl_pnode_t *agg;
    int input;
    struct sl_prog *prog;    /* this thread's program of the MAP */
    int filter_ix;           /* result index of the MAP's WHERE, or -1 */
    int nin;                 /* AGG input columns */
    sl_vec_t *incols;        /* per batch: the AGG's input vectors (views) */
    int nkeys, naggs;
    size_t stride;           /* bytes of one group's states */
    size_t *off;             /* offset of each aggregate's state in a block */
    sl_rows_t keys;          /* the groups' keys; rowtime = window end */
    char *states;            /* keys.n blocks */
    uint64_t *ghash;         /* hash of each group's keys (sl_hash_row) */
    size_t cap;              /* groups the states/ghash arrays hold */
    sl_hindex_t hx;          /* the current window's groups by hash */
    sl_partial_win_t *wins;  /* runs, in increasing end order */
    size_t nwins, wcap;
    bool failed;             /* the rows need the normal path */
    size_t nrows;            /* rows folded (before the filter) */
    uint32_t *gid;           /* per row of the batch being folded: its group, or SL_AGG_SKIP */
    size_t gidcap;
    int64_t first_rowtime, last_rowtime;
};

/* The SOURCE operator of an input with one in-app stream, else NULL (engine.c). */
sl_operator_t *sl_engine_source_op(sl_engine_t *e, int input_ix);
/* The end of the tumbling window holding time-key value `key` (window.c). */
int64_t sl_agg_window_end(const sl_pnode_t *n, int64_t key);
/* Merges a partial's runs into a tumbling AGG as pushing its rows would; false (nothing
 * done) when the first run cannot follow the open window (window.c). */
bool sl_agg_absorb(sl_operator_t *agg, const struct sl_partial *p);

#endif
