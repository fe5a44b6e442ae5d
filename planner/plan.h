/*
 * plan.h - the planner: a parsed KDA application in, an immutable operator DAG out.
 *
 * sl_plan_build() binds every statement of an application (CREATE STREAM, CREATE PUMP,
 * the self-contained CREATE INPUT / REFERENCE TABLE / OUTPUT extension already turned into
 * an sl_app_desc_t) against a catalog of in-app streams, input streams and reference
 * tables; types every expression with the KDA rules (implicit numeric widening, DECIMAL
 * scales, three-valued logic); enforces the KDA validity rules (a streaming GROUP BY needs
 * a ROWTIME-based key, allowed window shapes, UNION ALL only between streams, stream joins
 * need a window); and lowers each query into plan nodes. The result is a DAG of
 * sl_pnode_t in topological order (every node's inputs come before it), read-only once
 * built: the runtime instantiates its own state from it (PostgreSQL's Plan / PlanState
 * split) and EXPLAIN prints it.
 *
 * The logical plan is the bound query itself (sl_expr_t trees over typed relations); the
 * lowering to operators happens as each SELECT is bound, in a fixed shape:
 *     FROM (sources, streams, joins, subqueries, UNION ALL)
 *       -> MAP (WHERE filter + the columns the next operator needs)
 *       -> AGG (tumbling GROUP BY / stagger) or WINDOW (sliding OVER aggregates)
 *       -> MAP (HAVING filter + the select list)  -> DISTINCT -> SORT
 *     pump: -> MAP (casts to the target stream's columns) -> STREAM (merges its pumps)
 *
 * Errors go to the caller's sl_diag_t with the line:col of the AST node at fault.
 *
 * Ownership: the plan owns everything it points to (expressions, names, types) except the
 * sl_app_desc_t it was built against, which the caller keeps alive as long as the plan;
 * sl_plan_free() releases it (NULL is a no-op).
 */
#ifndef SL_PLAN_H
#define SL_PLAN_H

#include "appdesc.h"
#include "buf.h"
#include "parser.h"
#include "registry.h"
#include "tablefn.h"
#include "types.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- bound expressions ---------------------------------------------------------------- */

/* Operators of bound expressions (SL_EX_OP). X(NAME, spelling). */
#define SL_XOPS(X)                                                                     \
    X(ADD, "+") X(SUB, "-") X(MUL, "*") X(DIV, "/") X(NEG, "-") X(CONCAT, "||")         \
    X(EQ, "=") X(NE, "<>") X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=")                \
    X(AND, "AND") X(OR, "OR") X(NOT, "NOT")                                             \
    X(IS_NULL, "IS NULL") X(IS_NOT_NULL, "IS NOT NULL") X(IS_TRUE, "IS TRUE")           \
    X(IS_FALSE, "IS FALSE") X(IS_NOT_TRUE, "IS NOT TRUE") X(IS_NOT_FALSE, "IS NOT FALSE") \
    X(IS_DISTINCT, "IS DISTINCT FROM") X(IS_NOT_DISTINCT, "IS NOT DISTINCT FROM")        \
    X(LIKE, "LIKE") X(NOT_LIKE, "NOT LIKE") X(SIMILAR, "SIMILAR TO")                    \
    X(NOT_SIMILAR, "NOT SIMILAR TO") X(CASE, "CASE") X(COALESCE, "COALESCE")            \
    X(IN, "IN") X(NOT_IN, "NOT IN") X(FLOOR_TO, "FLOOR TO") X(CEIL_TO, "CEIL TO")         \
    X(STEP, "STEP")

typedef enum sl_xop {
#define SL_XOP_ENUM(name, sp) SL_XOP_##name,
    SL_XOPS(SL_XOP_ENUM)
#undef SL_XOP_ENUM
        SL_XOP_COUNT
} sl_xop_t;

typedef enum sl_ex_kind {
    SL_EX_CONST,   /* a literal: null, i, f or s by the physical form of type */
    SL_EX_COL,     /* column col_ix of the operator's input */
    SL_EX_ROWTIME, /* the input row's ROWTIME (qualified: written t.ROWTIME) */
    SL_EX_OP,      /* an operator: op, args */
    SL_EX_CALL,    /* a scalar registry function: fn, call, args */
    SL_EX_CAST,    /* CAST(args[0] AS type) */
    SL_EX_AGG,     /* an aggregate call while binding (never left in a built plan) */
    SL_EX_WINAGG   /* an OVER aggregate while binding (never left in a built plan) */
} sl_ex_kind_t;

/* A bound, typed expression. Trees; each node owns its children. */
typedef struct sl_expr sl_expr_t;
struct sl_expr {
    sl_ex_kind_t kind;
    sl_type_t type;  /* result type */
    int line, col;   /* where it was written */
    int op;          /* SL_EX_OP: sl_xop_t */
    int col_ix;      /* SL_EX_COL */
    bool qualified;  /* SL_EX_ROWTIME: written as t.ROWTIME */
    bool null;       /* SL_EX_CONST: the NULL literal */
    int64_t i;       /* SL_EX_CONST of SL_PHYS_I64 */
    double f;        /* SL_EX_CONST of SL_PHYS_F64 */
    char *s;         /* SL_EX_CONST of SL_PHYS_STR (owned) */
    uint32_t slen;   /* its length */
    int unit;        /* FLOOR_TO / CEIL_TO: SL_FN_UNIT_*; STEP keeps 0 */
    const sl_fn_def_t *fn;   /* SL_EX_CALL, SL_EX_AGG, SL_EX_WINAGG */
    sl_fn_call_info_t call;  /* SL_EX_CALL/AGG: argument types (call.args owned) */
    const sl_ast_t *over;    /* SL_EX_WINAGG: the window spec (borrowed from the AST) */
    int nargs;
    sl_expr_t **args; /* owned */
};

/* ---- plan nodes ----------------------------------------------------------------------- */

/* A column of a node's output: its name as the stream defines it, and its type. */
typedef struct sl_pcol {
    char *name;     /* owned; NULL for an unnamed expression (printed as EXPR$n) */
    sl_type_t type;
    bool hidden;    /* reachable by name but not part of `*` (APPROXIMATE_ARRIVAL_TIME) */
} sl_pcol_t;

/* The frame functions of a WINDOW: instead of folding the frame's rows into a state, they
 * read the value of one row of the frame (NULLs included, unless IGNORE NULLS). */
typedef enum sl_frame_fn {
    SL_FRAME_NONE,  /* a registry aggregate (fn->agg) */
    SL_FRAME_LAG,   /* LAG(x, nth, dflt): the nth row before the current one */
    SL_FRAME_FIRST, /* FIRST_VALUE(x): the frame's first row */
    SL_FRAME_LAST,  /* LAST_VALUE(x): its last (the current row) */
    SL_FRAME_NTH,   /* NTH_VALUE(x, nth) FROM FIRST | FROM LAST */
    SL_FRAME_EXP_AVG /* EXP_AVG(x, half-life nth ms): time-decayed average of the frame */
} sl_frame_fn_t;

/* One aggregate of an AGG or WINDOW node. */
typedef struct sl_pagg {
    const sl_fn_def_t *fn; /* COUNT, SUM, ..., or a frame function */
    int arg;               /* input column of the argument; -1 for COUNT(*) */
    sl_agg_ctx_t ctx;      /* argument and result types */
    /* WINDOW frame functions only. */
    sl_frame_fn_t frame_fn;
    int64_t nth;           /* LAG: the offset (0 = the current row); NTH_VALUE: n >= 1;
                              EXP_AVG: the half-life in ms */
    bool ignore_nulls;     /* IGNORE NULLS: rows whose value is NULL are skipped */
    bool from_last;        /* NTH_VALUE ... FROM LAST: counted back from the current row */
    int dflt;              /* LAG: input column of the default (of type ctx.result), or -1 */
    /* WINDOW only: the sliding frame. */
    bool rows;             /* ROWS n PRECEDING (else RANGE INTERVAL) */
    int64_t range;         /* RANGE width in ms, or the n of ROWS */
    int npart;             /* PARTITION BY columns */
    int *part;             /* their input column indexes (owned) */
} sl_pagg_t;

/* Node kinds. X(NAME, EXPLAIN label). */
#define SL_PNODES(X)                                        \
    X(SOURCE, "source")         /* an application input */   \
    X(STREAM, "stream")         /* an in-app stream */       \
    X(MAP, "map")               /* filter + project */       \
    X(AGG, "aggregate")         /* tumbling / stagger */     \
    X(WINDOW, "sliding window") /* OVER aggregates */        \
    X(UNION, "union all")       /* merge by ROWTIME */       \
    X(JOIN, "stream join")      /* windowed stream join */   \
    X(REFJOIN, "table join")    /* stream-reference lookup */ \
    X(DISTINCT, "distinct")     /* first of equal rows */    \
    X(SORT, "order by")         /* streaming ORDER BY */    \
    X(TABLEFN, "table function") /* TABLE(RANDOM_CUT_FOREST(CURSOR(...), ...)) */

typedef enum sl_pnode_kind {
#define SL_PNODE_ENUM(name, label) SL_PN_##name,
    SL_PNODES(SL_PNODE_ENUM)
#undef SL_PNODE_ENUM
} sl_pnode_kind_t;

/* The kinds of AGG windows. */
typedef enum sl_win_kind {
    SL_WIN_TUMBLING, /* GROUP BY with a STEP/FLOOR(ROWTIME) key */
    SL_WIN_STAGGER   /* WINDOWED BY STAGGER */
} sl_win_kind_t;

/* The table functions of TABLE(f(CURSOR(...), ...)) in FROM (a TABLEFN node). X(NAME, SQL
 * name). The first three pass their cursor's rows through and append their own columns;
 * the tumbling ones emit only their own columns, once per window (SL_TFN_TUMBLING). */
#define SL_TABLEFNS(X)                                                        \
    X(RCF, "RANDOM_CUT_FOREST")                  /* + ANOMALY_SCORE */         \
    X(RCF_EXPLAIN, "RANDOM_CUT_FOREST_WITH_EXPLANATION") /* + ANOMALY_EXPLANATION */ \
    X(HOTSPOTS, "HOTSPOTS")                      /* + HOTSPOTS_RESULT */       \
    X(TOPK, "TOP_K_ITEMS_TUMBLING")              /* item, MOST_FREQUENT_VALUES */ \
    X(DISTINCT, "COUNT_DISTINCT_ITEMS_TUMBLING") /* NUMBER_OF_DISTINCT_ITEMS */ \
    X(GROUP_RANK, "GROUP_RANK")                  /* + the rank column */

typedef enum sl_tfn {
#define SL_TFN_ENUM(name, sql) SL_TFN_##name,
    SL_TABLEFNS(SL_TFN_ENUM)
#undef SL_TFN_ENUM
        SL_TFN_COUNT
} sl_tfn_t;

/* True for the table functions that aggregate tumbling windows (tumblefn_op.c). */
#define SL_TFN_TUMBLING(f) ((f) == SL_TFN_TOPK || (f) == SL_TFN_DISTINCT)
/* True for those that learn a model from the whole history (checkpointed as an image). */
#define SL_TFN_HAS_MODEL(f) ((f) == SL_TFN_RCF || (f) == SL_TFN_RCF_EXPLAIN || (f) == SL_TFN_HOTSPOTS)

/* One node of the DAG. Which fields apply depends on kind (see the comments). */
typedef struct sl_pnode {
    sl_pnode_kind_t kind;
    int id;          /* index in sl_plan_t.nodes */
    char *name;      /* SOURCE/STREAM: the in-app stream; MAP of a pump: the pump */
    int line, col;   /* the SQL it comes from */
    int ninputs;
    int *inputs;     /* node ids (owned); STREAM: one per pump; JOIN: left, right */
    int ncols;
    sl_pcol_t *cols; /* output columns (owned) */

    /* SOURCE */
    int input_ix;    /* index into the app description's inputs */
    /* MAP */
    sl_expr_t *filter;      /* WHERE / HAVING, or NULL */
    sl_expr_t **exprs;      /* ncols output expressions */
    sl_expr_t *rowtime;     /* `expr AS ROWTIME`, or NULL (keep the input's) */
    bool agg_rowtime;       /* input is an AGG: unqualified ROWTIME = the window end */
    /* AGG */
    sl_win_kind_t win;
    int nkeys;              /* the first nkeys input columns are the group keys */
    int time_key;           /* TUMBLING: which key is the STEP/FLOOR(ROWTIME) one */
    int64_t step_ms;        /* TUMBLING by STEP: its width in ms; 0 for FLOOR */
    int floor_unit;         /* TUMBLING by FLOOR/CEIL(ROWTIME TO unit): SL_FN_UNIT_* */
    int64_t stagger_ms;     /* STAGGER: the RANGE */
    int naggs;
    sl_pagg_t *aggs;        /* AGG: over columns after the keys; WINDOW: appended */
    /* JOIN / REFJOIN */
    int join_type;          /* sl_join_t */
    int64_t win_left, win_right; /* JOIN: RANGE in ms of each side; -1 = current row only */
    sl_expr_t *on;          /* JOIN: condition over left cols ++ right cols */
    int ref_ix;             /* REFJOIN: index into the app description's refs */
    int nprobe;             /* REFJOIN: equality keys */
    int *probe_cols;        /* REFJOIN: stream-side columns of the keys */
    int *table_cols;        /* REFJOIN: table-side columns of the keys */
    int left_ncols;         /* JOIN/REFJOIN: columns coming from the left side */
    /* SORT */
    int nsort;
    int *sort_cols;         /* SORT: key columns; the first is the time-based one */
    bool *sort_desc;
    int64_t within_ms;      /* ORDER BY ... WITHIN: the slack; 0 = streaming ORDER BY */
    /* TABLEFN: the input's columns come first, unchanged, then the function's own */
    int tfn;                /* sl_tfn_t */
    int nscored;
    int *scored;            /* the input columns that form the point, in order (owned) */
    sl_rcf_config_t rcf;    /* RCF, RCF_EXPLAIN: the forest (seed 1; the runtime may
                             * override seed and threads, see runtime/README.md) */
    bool directionality;    /* RCF_EXPLAIN: withDirectionality */
    sl_hotspots_config_t hotspots; /* HOTSPOTS */
    int item_col;           /* TOPK, DISTINCT: the input column counted; GROUP_RANK:
                             * the column ranked (rankByColumnName) */
    int64_t top_k;          /* TOPK: K */
    int64_t window_ms;      /* TOPK, DISTINCT: the tumbling window's width */
    bool rank_desc;         /* GROUP_RANK: sortOrder 'desc' */
    bool output_desc;       /* GROUP_RANK: outputOrder 'desc' */
    int64_t max_idle_ms;    /* GROUP_RANK: maxIdle (see functions/README.md) */
    int64_t output_max;     /* GROUP_RANK: outputMax, 0 = no limit */
} sl_pnode_t;

/* An in-app stream or input the application creates, with its node. */
typedef struct sl_pstream {
    char *name;      /* as declared (case kept) */
    int node;        /* its SOURCE or STREAM node */
    bool is_input;   /* created by an application input */
} sl_pstream_t;

/* A whole plan. */
typedef struct sl_plan {
    int nnodes;
    sl_pnode_t **nodes;   /* topological order */
    int nstreams;
    sl_pstream_t *streams; /* every stream, in creation order */
    const sl_app_desc_t *app; /* borrowed */
} sl_plan_t;

/*
 * Plans the application `script` (the parser's SCRIPT) described by `app` (inputs,
 * reference tables, outputs). `filename` is for messages. Returns the plan, or NULL when
 * diags received errors.
 */
sl_plan_t *sl_plan_build(const sl_ast_t *script, const sl_app_desc_t *app, sl_diag_t *diags);
/* The REPL's typed query (planner/query.c): plans the application, then `query` (a
 * SELECT) into an extra stream `name` whose columns are its select list. NULL on errors. */
sl_plan_t *sl_plan_build_query(const sl_ast_t *script, const sl_app_desc_t *app,
                               const sl_ast_t *query, const char *name, sl_diag_t *diags);
/* Frees a plan. NULL is a no-op. */
void sl_plan_free(sl_plan_t *p);
/* Appends a readable rendering of the DAG (EXPLAIN) to out. */
void sl_plan_explain(const sl_plan_t *p, sl_buf_t *out);
/* Appends an expression in SQL-like form, columns as $n or their names (cols may be NULL). */
void sl_expr_print(sl_buf_t *out, const sl_expr_t *e, const sl_pcol_t *cols);
/* Finds a stream by name (exact, then case-insensitive); -1 when absent. */
int sl_plan_find_stream(const sl_plan_t *p, const char *name);
/* Frees an expression tree. NULL is a no-op. */
void sl_expr_free(sl_expr_t *e);

#endif
