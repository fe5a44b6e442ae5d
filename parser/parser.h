/*
 * parser.h - the SQL front end of sluice: Kinesis Data Analytics SQL text in, an AST out.
 *
 * sl_parse() turns one application file (several statements separated by ';') into a tree of
 * sl_ast_t nodes. Every node records the line and column (1-based, columns counted in
 * characters) of its first token. Errors are collected in an sl_diag_t owned by the caller,
 * never printed here; the caller checks diags->count once, after the parse (the SQLite way).
 * sl_diag_render() formats them as
 *     FILE:LINE:COL: error: MESSAGE
 *     <the source line>
 *         ^
 *
 * Ownership: sl_parse() returns a tree the caller owns and frees with sl_ast_free() (which
 * accepts NULL). Every node owns its strings and its children; a child belongs to exactly
 * one parent. Nothing in the tree points into the source text, so the text may be freed
 * right after sl_parse() returns. sl_diag_t owns its messages; sl_diag_free() releases them.
 *
 * The tree is deliberately uniform - a kind, a few scalar fields and an array of child slots -
 * so that freeing, comparing and printing are one function each. What each field and slot
 * means for each kind is documented in the SL_AST_KINDS table below; the enums that follow
 * it name the slots of the kinds that have fixed ones.
 */
#ifndef SL_PARSER_H
#define SL_PARSER_H

#include "buf.h"

#include <stddef.h>

/*
 * The node kinds. X(NAME, description of fields and kid slots).
 * "kids: a, b, c" lists fixed slots in order (any may be NULL when the clause is absent);
 * "kids: list" means a variable number of children.
 */
#define SL_AST_KINDS(X)                                                                        \
    /* A whole file. kids: list of statements. */                                              \
    X(SCRIPT, "script")                                                                        \
    /* CREATE [OR REPLACE] STREAM name (cols) [DESCRIPTION '..']. flags: OR_REPLACE.           \
       kids: LIST of COLUMN_DEF, description LITERAL. */                                       \
    X(CREATE_STREAM, "CREATE STREAM")                                                          \
    /* A column of a stream, input, table or a function parameter. name; flags: NOT_NULL.      \
       kids: TYPE, JSON path LITERAL (extension statements only). */                           \
    X(COLUMN_DEF, "column definition")                                                         \
    /* CREATE [OR REPLACE] PUMP name [DESCRIPTION '..'] AS INSERT .... flags: OR_REPLACE.      \
       kids: description LITERAL, INSERT. */                                                   \
    X(CREATE_PUMP, "CREATE PUMP")                                                              \
    /* INSERT [EXPEDITED] INTO name [(cols)] query. name = target; flags: EXPEDITED.           \
       kids: LIST of NAME (or NULL), query. */                                                 \
    X(INSERT, "INSERT")                                                                        \
    /* CREATE FUNCTION name(params) RETURNS type options RETURN expr. flags: OR_REPLACE and    \
       the SL_FN_* option bits in op; alias = SPECIFIC name. kids: LIST of COLUMN_DEF,         \
       returned TYPE, body expression. */                                                      \
    X(CREATE_FUNCTION, "CREATE FUNCTION")                                                      \
    /* Extension: CREATE INPUT name FROM source FORMAT fmt (cols) [STARTING AT pos]            \
       [WITH (opts)]. kids: ENDPOINT, format NAME, LIST of COLUMN_DEF, starting position       \
       (NAME, or a TIMESTAMP LITERAL), LIST of OPTION. */                                      \
    X(CREATE_INPUT, "CREATE INPUT")                                                            \
    /* Extension: CREATE REFERENCE TABLE name FROM source FORMAT fmt (cols) [WITH (opts)].     \
       kids as CREATE_INPUT (no starting position). */                                         \
    X(CREATE_REFERENCE, "CREATE REFERENCE TABLE")                                              \
    /* Extension: CREATE OUTPUT name FOR stream TO sink FORMAT fmt [WITH (opts)].              \
       alias = the in-app stream. kids as CREATE_INPUT (no columns, no starting position). */  \
    X(CREATE_OUTPUT, "CREATE OUTPUT")                                                          \
    /* Where an extension statement reads or writes. name = kind (STREAM, FILE, URL, WEBHOOK,  \
       COMMAND, STDOUT); text = the target (stream name, path, url, command) or NULL. */       \
    X(ENDPOINT, "endpoint")                                                                    \
    /* One `key = value` of a WITH (...) list. name = key. kids: value LITERAL. */             \
    X(OPTION, "option")                                                                        \
    /* SELECT [STREAM] [DISTINCT|ALL]. flags: STREAM, DISTINCT, ALL. kids: see sl_query_slot. */ \
    X(SELECT, "SELECT")                                                                        \
    /* left UNION|INTERSECT|EXCEPT [ALL] right. op: sl_setop_t; flags: ALL.                    \
       kids: see sl_query_slot (left, right, then the ORDER BY slots). */                      \
    X(SETOP, "set operation")                                                                  \
    /* VALUES (..), (..). kids: see sl_query_slot (a LIST of LIST rows, ORDER BY slots). */    \
    X(VALUES, "VALUES")                                                                        \
    /* An item of a select list. name = alias or NULL. kids: expression. */                    \
    X(SELECT_ITEM, "select item")                                                              \
    /* `*` or `t.*`. kids: list of NAME qualifier parts (none for a bare `*`). */              \
    X(STAR, "*")                                                                               \
    /* A named stream or table in FROM. name; alias. kids: see sl_rel_slot (body NULL). */     \
    X(TABLE_REF, "stream or table reference")                                                  \
    /* (query) in FROM. alias. kids: see sl_rel_slot (body = query). */                        \
    X(SUBQUERY_REF, "subquery in FROM")                                                        \
    /* TABLE(f(...)) in FROM. alias. kids: see sl_rel_slot (body = CALL). */                   \
    X(FUNCTION_REF, "table function")                                                          \
    /* A join of two relations. op: sl_join_t; flags: NATURAL. kids: see sl_join_slot. */      \
    X(JOIN, "join")                                                                            \
    /* A window: OVER w or OVER (...), a WINDOW clause body. name = the window it refines or   \
       names (OVER w), else NULL. kids: PARTITION BY LIST, ORDER BY LIST, FRAME. */            \
    X(WINDOW_SPEC, "window specification")                                                     \
    /* ROWS|RANGE bound or ROWS|RANGE BETWEEN b1 AND b2. op: SL_FRAME_ROWS or RANGE.           \
       kids: start FRAME_BOUND, end FRAME_BOUND (NULL for the single-bound form). */           \
    X(FRAME, "window frame")                                                                   \
    /* op: sl_bound_t. kids: offset expression (for n PRECEDING / n FOLLOWING). */             \
    X(FRAME_BOUND, "frame bound")                                                              \
    /* WINDOW name AS (spec). name. kids: WINDOW_SPEC. */                                      \
    X(WINDOW_DEF, "window definition")                                                         \
    /* WINDOWED BY STAGGER (PARTITION BY ... RANGE interval). kids: LIST, interval. */         \
    X(STAGGER, "stagger window")                                                               \
    /* An ORDER BY key. op: SL_ORDER_NONE, ASC or DESC. kids: expression. */                   \
    X(ORDER_ITEM, "order item")                                                                \
    /* A data type. op: sl_type_id_t; qual.prec = length or precision, qual.prec2 = scale      \
       (-1 when absent); for INTERVAL the qualifier. */                                        \
    X(TYPE, "data type")                                                                       \
    /* A bare list (select items, expressions, names, rows). kids: list. */                    \
    X(LIST, "list")                                                                            \
    /* An identifier used as a name (column lists, USING, qualifier parts, formats).           \
       name: folded to upper case unless it was double-quoted. */                              \
    X(NAME, "name")                                                                            \
    /* A literal. op: sl_lit_t. text: digits as written for numbers, the decoded characters    \
       for strings (U&'..' escapes resolved, '' undone), hex digits for X'..', the quoted      \
       text of DATE/TIME/TIMESTAMP and INTERVAL literals. flags: NEGATIVE for INTERVAL -'..'.  \
       qual: the qualifier of an INTERVAL. */                                                  \
    X(LITERAL, "literal")                                                                      \
    /* A column reference a, t.a, t.r.COLUMN1, s.ROWTIME. kids: list of NAME parts. */         \
    X(COLREF, "column reference")                                                              \
    /* op: sl_op_t (NEG, POS, NOT). kids: operand. */                                          \
    X(UNARY, "unary operator")                                                                 \
    /* op: sl_op_t. kids: left, right. */                                                      \
    X(BINARY, "binary operator")                                                               \
    /* x IS [NOT] NULL|TRUE|FALSE|UNKNOWN. op: sl_lit_t of the tested value; flags: NOT.       \
       kids: operand. */                                                                       \
    X(IS, "IS test")                                                                           \
    /* [NOT] LIKE / SIMILAR TO. op: SL_OP_LIKE or SL_OP_SIMILAR; flags: NOT.                   \
       kids: subject, pattern, escape (or NULL). */                                            \
    X(LIKE, "pattern match")                                                                   \
    /* x [NOT] BETWEEN lo AND hi. flags: NOT. kids: x, lo, hi. */                              \
    X(BETWEEN, "BETWEEN")                                                                      \
    /* x [NOT] IN (list | query). flags: NOT. kids: x, LIST or query. */                       \
    X(IN, "IN")                                                                                \
    /* EXISTS (query). kids: query. */                                                         \
    X(EXISTS, "EXISTS")                                                                        \
    /* (query) used as a value. kids: query. */                                                \
    X(SUBQUERY, "scalar subquery")                                                             \
    /* CASE [operand] WHEN .. THEN .. [ELSE ..] END. kids: operand, LIST of WHEN, else. */     \
    X(CASE, "CASE")                                                                            \
    /* WHEN cond THEN result. kids: cond, result. */                                           \
    X(WHEN, "WHEN")                                                                            \
    /* CAST(x AS type). kids: x, TYPE. */                                                      \
    X(CAST, "CAST")                                                                            \
    /* A function call. name: folded name; op: sl_call_form_t (which special syntax was        \
       used); flags: DISTINCT, ALL, COUNT_STAR, IGNORE_NULLS, RESPECT_NULLS, FROM_FIRST,       \
       FROM_LAST, TRIM_LEADING|TRAILING|BOTH; qual.unit: the unit of EXTRACT, FLOOR/CEIL TO.   \
       kids: LIST of arguments, OVER WINDOW_SPEC. */                                           \
    X(CALL, "function call")                                                                   \
    /* CURSOR(query), the argument of a table function. kids: query. */                        \
    X(CURSOR, "CURSOR")                                                                        \
    /* (a, b, ...) or PERIOD (a, b). flags: PERIOD. kids: list of elements. */                 \
    X(ROW, "row constructor")                                                                  \
    /* A temporal predicate a OVERLAPS b etc. op: sl_temporal_t. kids: left, right. When the   \
       left kid is itself TEMPORAL the predicate is chained: `a PRECEDES b PRECEDES c` means   \
       `a PRECEDES b AND b PRECEDES c`. */                                                     \
    X(TEMPORAL, "temporal predicate")                                                          \
    /* (expr) qualifier: a datetime difference as an interval. qual. kids: expr. */            \
    X(INTERVAL_OF, "interval conversion")

/* The kind of a node. */
typedef enum sl_ast_kind {
#define SL_AST_KIND_ENUM(name, desc) SL_AST_##name,
    SL_AST_KINDS(SL_AST_KIND_ENUM)
#undef SL_AST_KIND_ENUM
        SL_AST_KIND_COUNT
} sl_ast_kind_t;

/* Slots of SELECT / SETOP / VALUES nodes; every query node has SL_Q_NSLOTS kids. */
typedef enum sl_query_slot {
    SL_SEL_ITEMS = 0,   /* SELECT: LIST of SELECT_ITEM */
    SL_SEL_FROM = 1,    /* SELECT: relation tree (TABLE_REF, JOIN, ...) or NULL */
    SL_SEL_WHERE = 2,   /* SELECT: condition */
    SL_SEL_GROUP = 3,   /* SELECT: LIST of GROUP BY expressions */
    SL_SEL_STAGGER = 4, /* SELECT: STAGGER (WINDOWED BY), exclusive with GROUP BY */
    SL_SEL_HAVING = 5,  /* SELECT: condition */
    SL_SEL_WINDOW = 6,  /* SELECT: LIST of WINDOW_DEF */
    SL_Q_ORDER = 7,     /* any query: LIST of ORDER_ITEM */
    SL_Q_WITHIN = 8,    /* any query: the T-sort interval of ORDER BY ... WITHIN */
    SL_Q_NSLOTS = 9,
    SL_SET_LEFT = 0,   /* SETOP: left operand */
    SL_SET_RIGHT = 1,  /* SETOP: right operand */
    SL_VALUES_ROWS = 0 /* VALUES: LIST of LIST */
} sl_query_slot_t;

/* Slots of TABLE_REF / SUBQUERY_REF / FUNCTION_REF. */
typedef enum sl_rel_slot {
    SL_REL_BODY = 0, /* NULL, the query, or the CALL */
    SL_REL_COLS = 1, /* LIST of NAME: AS alias (c1, c2) */
    SL_REL_OVER = 2, /* WINDOW_SPEC: per-relation OVER (...) for stream joins */
    SL_REL_NSLOTS = 3
} sl_rel_slot_t;

/* Slots of JOIN. */
typedef enum sl_join_slot {
    SL_JOIN_LEFT = 0,
    SL_JOIN_RIGHT = 1,
    SL_JOIN_ON = 2,    /* ON condition */
    SL_JOIN_USING = 3, /* LIST of NAME */
    SL_JOIN_NSLOTS = 4
} sl_join_slot_t;

/* Flag bits of sl_ast_t.flags; which apply to which kind is documented in SL_AST_KINDS. */
enum {
    SL_AF_OR_REPLACE = 1u << 0,
    SL_AF_NOT_NULL = 1u << 1,
    SL_AF_EXPEDITED = 1u << 2,
    SL_AF_STREAM = 1u << 3,
    SL_AF_DISTINCT = 1u << 4,
    SL_AF_ALL = 1u << 5,
    SL_AF_NATURAL = 1u << 6,
    SL_AF_NOT = 1u << 7,
    SL_AF_NEGATIVE = 1u << 8,
    SL_AF_COUNT_STAR = 1u << 9,
    SL_AF_IGNORE_NULLS = 1u << 10,
    SL_AF_RESPECT_NULLS = 1u << 11,
    SL_AF_FROM_FIRST = 1u << 12,
    SL_AF_FROM_LAST = 1u << 13,
    SL_AF_TRIM_LEADING = 1u << 14,
    SL_AF_TRIM_TRAILING = 1u << 15,
    SL_AF_TRIM_BOTH = 1u << 16,
    SL_AF_PERIOD = 1u << 17
};

/* Options of CREATE FUNCTION, kept in its op field. */
enum {
    SL_FN_LANGUAGE_SQL = 1 << 0,
    SL_FN_DETERMINISTIC = 1 << 1,
    SL_FN_NOT_DETERMINISTIC = 1 << 2,
    SL_FN_NO_SQL = 1 << 3,
    SL_FN_CONTAINS_SQL = 1 << 4,
    SL_FN_READS_SQL_DATA = 1 << 5,
    SL_FN_MODIFIES_SQL_DATA = 1 << 6,
    SL_FN_RETURNS_NULL_ON_NULL = 1 << 7,
    SL_FN_CALLED_ON_NULL = 1 << 8
};

/* Operators of UNARY, BINARY and LIKE nodes. X(NAME, spelling). */
#define SL_OPS(X)                                                                               \
    X(NEG, "-")                                                                                 \
    X(POS, "+")                                                                                 \
    X(NOT, "NOT")                                                                               \
    X(ADD, "+")                                                                                 \
    X(SUB, "-")                                                                                 \
    X(MUL, "*")                                                                                 \
    X(DIV, "/")                                                                                 \
    X(CONCAT, "||")                                                                             \
    X(EQ, "=")                                                                                  \
    X(NE, "<>")                                                                                 \
    X(LT, "<")                                                                                  \
    X(LE, "<=")                                                                                 \
    X(GT, ">")                                                                                  \
    X(GE, ">=")                                                                                 \
    X(AND, "AND")                                                                               \
    X(OR, "OR")                                                                                 \
    X(IS_DISTINCT, "IS DISTINCT FROM")                                                          \
    X(IS_NOT_DISTINCT, "IS NOT DISTINCT FROM")                                                  \
    X(LIKE, "LIKE")                                                                             \
    X(SIMILAR, "SIMILAR TO")

typedef enum sl_op {
#define SL_OP_ENUM(name, sp) SL_OP_##name,
    SL_OPS(SL_OP_ENUM)
#undef SL_OP_ENUM
} sl_op_t;

/* The 17 temporal predicates. X(NAME, spelling). */
#define SL_TEMPORALS(X)                                                                         \
    X(EQUALS, "EQUALS")                                                                         \
    X(CONTAINS, "CONTAINS")                                                                     \
    X(STRICTLY_CONTAINS, "STRICTLY CONTAINS")                                                   \
    X(OVERLAPS, "OVERLAPS")                                                                     \
    X(STRICTLY_OVERLAPS, "STRICTLY OVERLAPS")                                                   \
    X(PRECEDES, "PRECEDES")                                                                     \
    X(STRICTLY_PRECEDES, "STRICTLY PRECEDES")                                                   \
    X(IMMEDIATELY_PRECEDES, "IMMEDIATELY PRECEDES")                                             \
    X(SUCCEEDS, "SUCCEEDS")                                                                     \
    X(STRICTLY_SUCCEEDS, "STRICTLY SUCCEEDS")                                                   \
    X(IMMEDIATELY_SUCCEEDS, "IMMEDIATELY SUCCEEDS")                                             \
    X(LEADS, "LEADS")                                                                           \
    X(STRICTLY_LEADS, "STRICTLY LEADS")                                                         \
    X(IMMEDIATELY_LEADS, "IMMEDIATELY LEADS")                                                   \
    X(LAGS, "LAGS")                                                                             \
    X(STRICTLY_LAGS, "STRICTLY LAGS")                                                           \
    X(IMMEDIATELY_LAGS, "IMMEDIATELY LAGS")

typedef enum sl_temporal {
#define SL_TEMPORAL_ENUM(name, sp) SL_TEMPORAL_##name,
    SL_TEMPORALS(SL_TEMPORAL_ENUM)
#undef SL_TEMPORAL_ENUM
} sl_temporal_t;

/* Literal kinds (LITERAL.op; IS.op uses NULL, TRUE, FALSE, UNKNOWN). */
typedef enum sl_lit {
    SL_LIT_INTEGER,   /* 42 */
    SL_LIT_DECIMAL,   /* 4.2 */
    SL_LIT_APPROX,    /* 4.2E1 */
    SL_LIT_STRING,    /* 'x', U&'x' */
    SL_LIT_BINARY,    /* X'0F' */
    SL_LIT_TRUE,      /* TRUE */
    SL_LIT_FALSE,     /* FALSE */
    SL_LIT_UNKNOWN,   /* UNKNOWN */
    SL_LIT_NULL,      /* NULL */
    SL_LIT_DATE,      /* DATE '2024-01-31' */
    SL_LIT_TIME,      /* TIME '12:00:00' */
    SL_LIT_TIMESTAMP, /* TIMESTAMP '2024-01-31 12:00:00' */
    SL_LIT_INTERVAL   /* INTERVAL '1' MINUTE */
} sl_lit_t;

/* Set operations (SETOP.op). */
typedef enum sl_setop { SL_SETOP_UNION, SL_SETOP_INTERSECT, SL_SETOP_EXCEPT } sl_setop_t;

/* Join types (JOIN.op); COMMA is `FROM a, b`. */
typedef enum sl_join {
    SL_JOIN_COMMA,
    SL_JOIN_CROSS,
    SL_JOIN_INNER,
    SL_JOIN_LEFT_OUTER,
    SL_JOIN_RIGHT_OUTER,
    SL_JOIN_FULL_OUTER
} sl_join_t;

/* Frame units and bounds (FRAME.op, FRAME_BOUND.op); ORDER_ITEM.op. */
enum { SL_FRAME_ROWS, SL_FRAME_RANGE };
typedef enum sl_bound {
    SL_BOUND_UNBOUNDED_PRECEDING,
    SL_BOUND_PRECEDING,
    SL_BOUND_CURRENT_ROW,
    SL_BOUND_FOLLOWING,
    SL_BOUND_UNBOUNDED_FOLLOWING
} sl_bound_t;
enum { SL_ORDER_NONE, SL_ORDER_ASC, SL_ORDER_DESC };

/* Which syntax a CALL was written in (CALL.op); the arguments are in source order. */
typedef enum sl_call_form {
    SL_CALL_PLAIN,             /* f(a, b) */
    SL_CALL_SUBSTRING_FROM,    /* SUBSTRING(s FROM p [FOR n]): args s, p [, n] */
    SL_CALL_SUBSTRING_SIMILAR, /* SUBSTRING(s SIMILAR p ESCAPE c): args s, p, c */
    SL_CALL_TRIM,              /* TRIM([spec] [c] FROM s): args [c,] s; spec in flags */
    SL_CALL_POSITION,          /* POSITION(a IN b): args a, b */
    SL_CALL_OVERLAY,           /* OVERLAY(s PLACING r FROM p [FOR n]): args s, r, p [, n] */
    SL_CALL_EXTRACT,           /* EXTRACT(unit FROM x): args x; qual.unit */
    SL_CALL_FLOOR_TO,          /* FLOOR(x TO unit) and CEIL/CEILING(x TO unit): qual.unit */
    SL_CALL_STEP_BY            /* STEP(x BY width): args x, width */
} sl_call_form_t;

/* Datetime fields of interval qualifiers, EXTRACT and FLOOR/CEIL ... TO. */
typedef enum sl_unit {
    SL_UNIT_NONE,
    SL_UNIT_YEAR,
    SL_UNIT_MONTH,
    SL_UNIT_DAY,
    SL_UNIT_HOUR,
    SL_UNIT_MINUTE,
    SL_UNIT_SECOND
} sl_unit_t;

/* The data types of the dialect (TYPE.op). X(NAME, canonical spelling). */
#define SL_TYPES(X)                                                                             \
    X(BOOLEAN, "BOOLEAN")                                                                       \
    X(TINYINT, "TINYINT")                                                                       \
    X(SMALLINT, "SMALLINT")                                                                     \
    X(INTEGER, "INTEGER")                                                                       \
    X(BIGINT, "BIGINT")                                                                         \
    X(REAL, "REAL")                                                                             \
    X(DOUBLE, "DOUBLE")                                                                         \
    X(FLOAT, "FLOAT")                                                                           \
    X(DECIMAL, "DECIMAL")                                                                       \
    X(CHAR, "CHAR")                                                                             \
    X(VARCHAR, "VARCHAR")                                                                       \
    X(BINARY, "BINARY")                                                                         \
    X(VARBINARY, "VARBINARY")                                                                   \
    X(DATE, "DATE")                                                                             \
    X(TIME, "TIME")                                                                             \
    X(TIMESTAMP, "TIMESTAMP")                                                                   \
    X(INTERVAL, "INTERVAL")

typedef enum sl_type_id {
#define SL_TYPE_ENUM(name, sp) SL_TYPE_##name,
    SL_TYPES(SL_TYPE_ENUM)
#undef SL_TYPE_ENUM
} sl_type_id_t;

/*
 * An interval qualifier (`DAY(2) TO SECOND(3)`), a single unit (EXTRACT, FLOOR TO), or the
 * length/precision/scale of a type. Absent numbers are -1, absent units SL_UNIT_NONE.
 */
typedef struct sl_qual {
    int unit;  /* leading field (sl_unit_t) */
    int prec;  /* leading precision; for TYPE: length or precision */
    int unit2; /* trailing field after TO, or SL_UNIT_NONE */
    int prec2; /* fractional-second precision of the trailing SECOND; for TYPE: scale */
} sl_qual_t;

/*
 * One node of the tree. What name/alias/text/op/flags/qual and the kids mean depends on the
 * kind (see SL_AST_KINDS). Fields a kind does not use are NULL, 0 or -1.
 */
typedef struct sl_ast sl_ast_t;
struct sl_ast {
    sl_ast_kind_t kind; /* what the node is */
    int line;           /* 1-based line of the node's first token */
    int col;            /* 1-based column (in characters) of that token */
    int op;             /* operator / sub-kind, per kind */
    unsigned flags;     /* SL_AF_* bits */
    char *name;         /* identifier (owned), as stored: folded unless quoted */
    char *alias;        /* relation alias, SPECIFIC name, FOR stream (owned) */
    char *text;         /* literal text or endpoint target (owned) */
    sl_qual_t qual;     /* units and precisions */
    int depth;          /* height of the subtree (a leaf is 1); bounds recursion */
    int nkids;          /* slots in use */
    int capkids;        /* slots allocated */
    sl_ast_t **kids;    /* children (owned); fixed slots may hold NULL */
};

/* One error: where, and what. */
typedef struct sl_diag_item {
    int line;  /* 1-based line */
    int col;   /* 1-based column in characters */
    char *msg; /* the message without position or "error:" (owned) */
} sl_diag_item_t;

/* The errors of one parse (and later, one plan), in source order of discovery. */
typedef struct sl_diag {
    sl_diag_item_t *items; /* the errors (owned) */
    int count;             /* number of errors */
    int cap;               /* items allocated */
} sl_diag_t;

#define SL_DIAG_INIT {NULL, 0, 0}
/* Errors beyond this many are counted as one final "too many errors" entry. */
#define SL_DIAG_MAX 50

/*
 * Parses `len` bytes of `text` (need not be NUL-terminated; may contain NULs, which are
 * errors). `filename` is only used in messages. Appends every error to `diags`, recovering
 * at the next ';' after each one. Returns a SCRIPT node (never NULL) holding the statements
 * that parsed without error; the caller frees it with sl_ast_free(). The parse succeeded
 * iff diags->count did not grow.
 */
sl_ast_t *sl_parse(const char *filename, const char *text, size_t len, sl_diag_t *diags);

/* Frees a node and its subtree. NULL is a no-op. */
void sl_ast_free(sl_ast_t *n);

/*
 * Appends SQL text for `n` (a SCRIPT, a statement, a query or an expression) to `out`.
 * Parsing the printed text of a statement gives a tree equal (sl_ast_equal) to `n`.
 */
void sl_ast_print(sl_buf_t *out, const sl_ast_t *n);

/* True when a and b have the same kinds, fields and children; positions are ignored. */
int sl_ast_equal(const sl_ast_t *a, const sl_ast_t *b);

/* "SELECT", "join", ... for messages. */
const char *sl_ast_kind_name(sl_ast_kind_t k);

/* Appends a human-readable dump of the tree (kinds, fields, positions) for debugging. */
void sl_ast_dump(sl_buf_t *out, const sl_ast_t *n);

/* Resets d to hold no errors (no allocation). */
void sl_diag_init(sl_diag_t *d);
/* Frees the messages; d is empty afterwards. */
void sl_diag_free(sl_diag_t *d);
/* Records one error at line:col. */
void sl_diag_add(sl_diag_t *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * Appends every error of d to out as "FILE:LINE:COL: error: MSG\n" followed by the source
 * line and a caret under the column. `text`/`len` is the source the positions refer to.
 */
void sl_diag_render(const sl_diag_t *d, const char *filename, const char *text, size_t len,
                    sl_buf_t *out);

#endif
