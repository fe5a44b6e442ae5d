/*
 * planner_int.h - what the files of planner/ share: the binder's state and scopes.
 */
#ifndef SL_PLANNER_INT_H
#define SL_PLANNER_INT_H

#include "plan.h"

/* One column visible to expressions of a query: where it comes from and its type. */
typedef struct sl_scol {
    char *rel;      /* alias or stream name that qualifies it (owned; may be NULL) */
    char *name;     /* column name (owned; may be NULL for unnamed expressions) */
    sl_type_t type;
    bool hidden;    /* not part of `*` */
    bool merged;    /* the other side's copy of a USING / NATURAL join column: reachable only
                       qualified (t.c); c alone names the copy that stays visible */
} sl_scol_t;

/* The relation a query reads: the node producing it and its visible columns, in the
 * node's output order (col i of the scope = col i of the node). */
typedef struct sl_scope {
    int node;        /* the producing node; -1 for a reference table */
    int ref_ix;      /* reference table index when node == -1 */
    bool is_stream;  /* a stream (vs. a reference table) */
    int n;
    sl_scol_t *cols; /* owned */
} sl_scope_t;

/*
 * A SQL function of the application: CREATE FUNCTION name (p type, ...) RETURNS type ...
 * RETURN expr. It is inlined: each call binds the body again with the parameters standing
 * for the call's arguments (bind_expr.c), so the plan holds no function calls of its own.
 */
typedef struct sl_udf {
    const char *name;     /* borrowed from the AST */
    const sl_ast_t *def;  /* the statement: kids[0] parameters, kids[1] type, kids[2] body */
    int nparams;
    sl_type_t *ptypes;    /* the parameters' types (owned) */
    sl_type_t ret;        /* RETURNS */
    bool null_on_null;    /* RETURNS NULL ON NULL INPUT */
    bool broken;          /* the body did not bind (reported): calls bind to nothing, quietly */
} sl_udf_t;

/* The parameters in force while a function's body is bound: each stands for args[i]
 * (an owned expression, copied at every use). A stack through `up`. */
typedef struct sl_udf_frame {
    const sl_udf_t *fn;
    sl_expr_t **args;
    const struct sl_udf_frame *up;
    int depth;              /* 1 for the outermost call */
    const sl_ast_t *call;   /* where the call is written (the definition when checked) */
} sl_udf_frame_t;

/* The binder's state for one application. */
typedef struct sl_binder {
    sl_plan_t *plan;
    sl_diag_t *d;
    const sl_app_desc_t *app;
    int errors_at_start; /* d->count when planning began */
    char *pump;          /* the pump being bound (for names), borrowed */
    sl_udf_t *udfs;      /* the functions defined so far, in script order (owned) */
    int nudfs;
    const sl_udf_frame_t *frame; /* while a function's body is bound, else NULL */
} sl_binder_t;

/* Adds a node of the given kind to the plan and returns it (inputs/cols set by caller). */
sl_pnode_t *sl_pb_node(sl_binder_t *b, sl_pnode_kind_t kind, const sl_ast_t *at);
/* Appends an input id to a node. */
void sl_pb_add_input(sl_pnode_t *n, int input);
/* Frees a scope's columns. */
void sl_scope_free(sl_scope_t *s);

/* Binds an expression; see bind_expr.c. allow: SL_BIND_* bits. NULL on error (reported). */
enum { SL_BIND_AGG = 1, SL_BIND_OVER = 2 };
sl_expr_t *sl_bind_expr(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, int allow);
/*
 * A select item that calls a row function (W3C_LOG_PARSE(...) AS r): binds it as one
 * expression per field of the row (SL_EX_CALL with call.field = k), named "<prefix>.<FIELD>"
 * (e.g. "R.COLUMN1"), so the relation holds a run of columns instead of a row value.
 * Returns the number of fields with *fields and *names (caller-owned arrays and strings),
 * 0 when n is no such call (nothing bound), -1 on a reported error.
 */
int sl_bind_row_item(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, const char *prefix,
                     int allow, sl_expr_t ***fields, char ***names);
/* Renames the columns of a subquery by its alias list AS t(a, b, ...); a row column (a run
 * of "P.F" columns) takes one name of the list for all its fields. */
void sl_scope_rename(sl_scope_t *s, const sl_ast_t *cl);
/*
 * CREATE FUNCTION: checks the definition (a new name that no built-in has, distinct
 * parameters, a body that binds over its parameters alone and casts to the RETURNS type)
 * and adds it to b->udfs. Errors are reported at their place.
 */
void sl_bind_create_function(sl_binder_t *b, const sl_ast_t *st);
/* Frees the binder's functions. */
void sl_binder_free_udfs(sl_binder_t *b);

/* a = c (or another comparison op) with the operands brought to a common type; NULL after
 * reporting a type mismatch at `at`. Consumes both. */
sl_expr_t *sl_bind_compare(sl_binder_t *b, const sl_ast_t *at, int op, sl_expr_t *a, sl_expr_t *c);

/* a AND c, both BOOLEAN (consumes both). */
sl_expr_t *sl_expr_and(sl_expr_t *a, sl_expr_t *c);

/* Wraps e in a CAST to t when its type differs (consumes e). */
sl_expr_t *sl_expr_coerce(sl_expr_t *e, sl_type_t t);
/* Structural equality of bound expressions (positions ignored). */
bool sl_expr_equal(const sl_expr_t *a, const sl_expr_t *b);
/* Deep copy. */
sl_expr_t *sl_expr_copy(const sl_expr_t *e);
/* A new expression node of a kind with a type, positioned at n (may be NULL). */
sl_expr_t *sl_expr_new(sl_ex_kind_t kind, sl_type_t t, const sl_ast_t *n);
/* A column reference. */
sl_expr_t *sl_expr_col(int ix, sl_type_t t);
/* True when the tree contains a node of this kind. */
bool sl_expr_has(const sl_expr_t *e, sl_ex_kind_t kind);
/* Parses an INTERVAL literal's text with its qualifier into ms (day-time) or months
 * (year-month); false when malformed. */
bool sl_interval_value(const char *text, const sl_qual_t *q, bool negative, int64_t *out,
                       bool *year_month);
/* The sl_type_t of a TYPE node. */
sl_type_t sl_type_of_ast(const sl_ast_t *t);

/* Binds a query (SELECT / SETOP / VALUES) into nodes; fills *out (the caller frees it).
 * Returns the id of the node producing its rows, or -1 on error. */
int sl_bind_query(sl_binder_t *b, const sl_ast_t *q, sl_scope_t *out);
/* Binds TABLE(f(CURSOR(query), args...)) in FROM (bind_tablefn.c) into a TABLEFN node over
 * the cursor's query; fills *out with its columns. Returns the node id, or -1 on error. */
int sl_bind_tablefn(sl_binder_t *b, const sl_ast_t *n, sl_scope_t *out);

#endif
