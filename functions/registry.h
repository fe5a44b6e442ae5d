/*
 * registry.h - the function registry: every built-in SQL function is one entry here.
 *
 * An entry names the function, says what kind it is, how many arguments it takes, how its
 * result type follows from its argument types (the type rule, run by the planner), and how
 * it runs (run by the runtime):
 *     scalar     a vectorized kernel: n rows of argument vectors in, one result vector out
 *     aggregate  init / step / inverse / merge / final over a fixed-size state; inverse is
 *                NULL when the aggregate cannot subtract a row (sliding windows then
 *                recompute over their buffer)
 *     analytic   (issue 5: RCF, HOTSPOTS, ...) table functions; declared, run elsewhere
 *
 * The table itself is the X-macro SL_FUNCTIONS in fnlist.h, one row per function:
 *     X(NAME, kind, min_args, max_args, type_rule, kernel, agg)
 * where type_rule is an sl_fn_type_rule_fn, kernel an sl_fn_kernel_fn (NULL for
 * aggregates), agg a pointer to an sl_agg_ops_t (NULL for scalars). Adding a function =
 * adding its row to fnlist.h (with an extern declaration of its kernel or ops beside it)
 * and its code in a new functions/<area>.c; no other file changes.
 *
 * Special syntax (FLOOR(x TO unit), STEP(x BY i), CAST, arithmetic, comparisons, CASE,
 * LIKE, IS ...) is compiled by the runtime's expression compiler; FLOOR/CEIL/STEP are
 * still registry entries so that their plain forms (FLOOR(x)) and their type rules live
 * here.
 *
 * NULLs: unless an entry says otherwise, a scalar returns NULL when any argument is NULL
 * (kernels see the null maps and must set out->null); aggregates ignore NULL inputs
 * except COUNT(*) (the runtime does not call step for a NULL argument), and an aggregate
 * over no rows is NULL, COUNT 0.
 *
 * Row functions (kind SL_FN_ROW: W3C_LOG_PARSE, REGEX_LOG_PARSE, ...) return a ROW whose
 * fields depend on constant arguments (a log format, a column list). Their type rule sees
 * those constants (call->consts), checks them, and gives the type of field call->field;
 * asked with call->row set, it also compiles the call (fields + kernel state). The planner
 * turns `f(...) AS r` in a subquery's select list into one column per field, each an
 * SL_EX_CALL with call.field = k, and the runtime computes the fields of equal calls with
 * one kernel run, so no row value ever exists at run time.
 *
 * Ownership: kernels write strings into ctx->arena (the output batch's arena); aggregate
 * states are owned by the caller (the window operator), which calls destroy (may be NULL)
 * before freeing one.
 */
#ifndef SL_REGISTRY_H
#define SL_REGISTRY_H

#include "arena.h"
#include "batch.h"
#include "types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sl_fn_kind {
    SL_FN_SCALAR,    /* row in, value out */
    SL_FN_AGGREGATE, /* many rows in, one value out (GROUP BY, OVER, STAGGER) */
    SL_FN_ANALYTIC,  /* LAG/NTH_VALUE-style or table functions; run by their own operator */
    SL_FN_ROW        /* row in, a ROW of fields out (the log parsers); see "Row functions" */
} sl_fn_kind_t;

/* A constant argument of a call, as the planner saw it (row functions read their format
 * strings and column counts from these). */
typedef struct sl_fn_const {
    bool is_const;   /* the argument is a non-NULL literal */
    bool is_str;     /* ... of a character type: s/slen; else an integer: i */
    const char *s;   /* borrowed for the duration of the type rule call */
    uint32_t slen;
    int64_t i;
} sl_fn_const_t;

/* One field of a row function's result. */
typedef struct sl_fn_field {
    char *name;      /* upper-case name (COLUMN1, or as the format declares it); owned */
    sl_type_t type;
} sl_fn_field_t;

/*
 * The compiled form of one row function call: its fields, and the state its kernel needs
 * (a parsed format, a compiled regex). Filled by the entry's type rule when the caller
 * asks for it (sl_fn_call_info_t.row != NULL); released with sl_fn_row_clear().
 */
typedef struct sl_fn_row {
    int nfields;
    sl_fn_field_t *fields;       /* owned */
    void *state;                 /* owned; handed to the kernel as sl_fn_ctx_t.state */
    void (*state_free)(void *);  /* frees state (may be NULL) */
} sl_fn_row_t;

/* Frees what a row owns and zeroes it. NULL is a no-op. */
void sl_fn_row_clear(sl_fn_row_t *row);

/* What a type rule or kernel may ask about the call beyond its argument types. */
typedef struct sl_fn_call_info {
    int nargs;                /* arguments given */
    const sl_type_t *args;    /* their types */
    bool count_star;          /* COUNT(*) */
    bool distinct;            /* f(DISTINCT x) */
    int unit;                 /* SL_FN_UNIT_* of FLOOR/CEIL ... TO unit, EXTRACT */
    unsigned flags;           /* parser SL_AF_* flags of the call (IGNORE NULLS, ...) */
    /* Row functions only: */
    int field;                /* the field this call yields (1-based); 0 = the whole row */
    const sl_fn_const_t *consts; /* nargs constants, only while the type rule runs; else NULL */
    sl_fn_row_t *row;         /* when not NULL, the type rule fills in the compiled row */
} sl_fn_call_info_t;

/*
 * A type rule: computes the result type of a call from its arguments, or writes an error
 * message (without position; the planner adds it) into err and returns false.
 */
typedef bool (*sl_fn_type_rule_fn)(const sl_fn_call_info_t *call, sl_type_t *result,
                                   char *err, size_t errlen);

/* Evaluation context of a kernel for one vector. */
typedef struct sl_fn_ctx {
    sl_arena_t *arena;      /* where result strings go (lives as long as the output) */
    const sl_fn_call_info_t *call; /* the bound call (argument types, unit, flags) */
    sl_type_t result;       /* the result type the type rule chose */
    int64_t now_ms;         /* CURRENT_TIMESTAMP of the query */
    /* Row errors: a kernel that cannot compute row i (bad argument, overflow) sets
     * err[i] = 1 and, for the first such row, err_msg. The row then goes to error_stream
     * and not downstream. err is never NULL. */
    uint8_t *err;
    const char *err_msg;
    const char **err_msgs;  /* when not NULL: err_msgs[i] = the message of row i's error */
    const void *state;      /* row functions: sl_fn_row_t.state of the call */
    int64_t now_row_ms;     /* the wall clock at this evaluation (CURRENT_ROW_TIMESTAMP) */
} sl_fn_ctx_t;

/* A vectorized scalar kernel: computes n rows of out from args[0..nargs-1]. A row
 * function's kernel gets one out vector per field (out[0..nfields-1]) and fills them all. */
typedef void (*sl_fn_kernel_fn)(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs,
                                sl_vec_t *out, size_t n);

/* The types an aggregate works with, fixed at plan time. */
typedef struct sl_agg_ctx {
    sl_type_t arg;    /* argument type (BIGINT for COUNT(*)) */
    sl_type_t result; /* result type */
} sl_agg_ctx_t;

/* The operations of an aggregate over a state of state_size bytes. */
typedef struct sl_agg_ops {
    size_t state_size;
    /* Sets up an empty state (zeroed memory is passed in). */
    void (*init)(const sl_agg_ctx_t *c, void *st);
    /* Adds row `row` of arg (arg is NULL for COUNT(*)); never called with a NULL value. */
    void (*step)(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row);
    /* Removes a row added before; NULL when the aggregate cannot. */
    void (*inverse)(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row);
    /* Adds the rows of another state (partial aggregation across threads). */
    void (*merge)(const sl_agg_ctx_t *c, void *st, const void *other);
    /* Writes the result into row `row` of out (out->type is c->result). */
    void (*final)(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row);
    /* Releases what the state owns (strings of MIN/MAX); NULL when nothing. */
    void (*destroy)(const sl_agg_ctx_t *c, void *st);
    /* Optional (NULL: step row by row): steps rows 0..n-1 of arg (NULL for COUNT(*)) into
     * the states of their groups, row i into the state at base + gid[i] * stride; rows whose
     * gid is SL_AGG_SKIP, or whose argument is NULL, are left out. The same result as calling
     * step for each such row in order, without a call per row (partial aggregation). */
    void (*step_rows)(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                      const sl_vec_t *arg, size_t n);
} sl_agg_ops_t;

/* A row step_rows leaves out. */
#define SL_AGG_SKIP UINT32_MAX

/* One registry entry. */
typedef struct sl_fn_def {
    const char *name;        /* upper-case SQL name */
    sl_fn_kind_t kind;
    int min_args, max_args;  /* max_args -1: variadic */
    sl_fn_type_rule_fn type_rule;
    sl_fn_kernel_fn kernel;  /* scalars */
    const sl_agg_ops_t *agg; /* aggregates */
} sl_fn_def_t;

/* Looks a function up by its (upper-case) name; NULL when unknown. */
const sl_fn_def_t *sl_fn_lookup(const char *name);
/* The whole table and its size (for EXPLAIN, the REPL's help, tests). */
const sl_fn_def_t *sl_fn_table(size_t *n);

/* ---- shared type rules (functions/rules.c), usable by any entry ---------------------- */

/* Result = the first argument's type. */
bool sl_rule_same_as_arg0(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen);
/* Result BIGINT (COUNT). */
bool sl_rule_bigint(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                    size_t errlen);
/* Numeric argument required; result DOUBLE. */
bool sl_rule_numeric_to_double(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                               size_t errlen);
/* SUM: integers -> BIGINT, DECIMAL(p,s) -> DECIMAL(18,s), REAL/DOUBLE -> the same. */
bool sl_rule_sum(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen);
/* AVG: exact -> same type family (integers -> the integer type, DECIMAL keeps its
 * scale), REAL -> REAL, DOUBLE -> DOUBLE. KDA's AVG of an INTEGER is an INTEGER. */
bool sl_rule_avg(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen);
/* MIN/MAX: any comparable type; result = argument type. */
bool sl_rule_minmax(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                    size_t errlen);
/* FLOOR/CEIL: numeric -> same type (DECIMAL -> scale 0); TIMESTAMP/DATE TO unit -> same. */
bool sl_rule_floor_ceil(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                        size_t errlen);
/* STEP(x BY width): TIMESTAMP BY interval -> TIMESTAMP, integer BY integer -> integer. */
bool sl_rule_step(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen);

/* ---- time helpers the window operators and kernels share ----------------------------- */

/* Datetime units, numbered as the parser's sl_unit_t (the planner checks they agree), so
 * that functions/ need not include the parser. */
enum {
    SL_FN_UNIT_NONE,
    SL_FN_UNIT_YEAR,
    SL_FN_UNIT_MONTH,
    SL_FN_UNIT_DAY,
    SL_FN_UNIT_HOUR,
    SL_FN_UNIT_MINUTE,
    SL_FN_UNIT_SECOND
};

/* The sides of TRIM in sl_fn_call_info_t.flags, valued as the parser's SL_AF_TRIM_* (the
 * planner checks they agree). None set means BOTH. */
enum { SL_FN_TRIM_LEADING = 1u << 14, SL_FN_TRIM_TRAILING = 1u << 15, SL_FN_TRIM_BOTH = 1u << 16 };
/* The null treatment and direction of the frame functions in sl_fn_call_info_t.flags,
 * valued as the parser's SL_AF_* (the planner checks they agree). */
enum {
    SL_FN_IGNORE_NULLS = 1u << 10,
    SL_FN_RESPECT_NULLS = 1u << 11,
    SL_FN_FROM_FIRST = 1u << 12,
    SL_FN_FROM_LAST = 1u << 13
};
/* Set by the planner in sl_fn_call_info_t.flags for SUBSTRING(s SIMILAR p ESCAPE c) (above
 * every parser flag). */
enum { SL_FN_SUBSTRING_SIMILAR = 1u << 24 };

/* FLOOR(ms TO unit) for a TIMESTAMP in epoch ms (unit: sl_unit_t). */
int64_t sl_fn_floor_ts(int64_t ms, int unit);
/* CEIL(ms TO unit): the smallest unit boundary >= ms. */
int64_t sl_fn_ceil_ts(int64_t ms, int unit);
/* The first unit boundary strictly after floor(ms TO unit): the end of its period. */
int64_t sl_fn_next_ts(int64_t ms, int unit);
/* STEP(ms BY width): floor to a multiple of width since the epoch (width > 0). */
static inline int64_t sl_fn_step(int64_t v, int64_t width)
{
    int64_t q = v / width;
    if ((v % width) != 0 && v < 0) q--;
    return q * width;
}

#include "fnlist.h"

#endif
