/*
 * parse_int.h - what the lexer, the grammar and the AST builders share inside parser/.
 *
 * Not part of the public API (that is parser.h). The flow is:
 *     parse.c   sl_parse: drives lexer.re token by token into the lemon parser (grammar.y)
 *     grammar.y one-line actions that call the sl_b_* builders below (build.c)
 *     build.c   make nodes, decode names and literals, check what the grammar cannot
 * Tokens never own memory: they point into the source text, which outlives the parse.
 */
#ifndef SL_PARSE_INT_H
#define SL_PARSE_INT_H

#include "parser.h"

#include <stddef.h>

/* A token: a slice of the source and where it starts. */
typedef struct sl_token {
    const char *z; /* first byte (points into the source) */
    int n;         /* length in bytes */
    int line;      /* 1-based line */
    int col;       /* 1-based column in characters */
} sl_token_t;

/* Deepest tree the builders accept; deeper input is an error, which bounds every recursion. */
#define SL_AST_MAX_DEPTH 400

/* The state of one parse, shared by driver, grammar actions and builders. */
typedef struct sl_pctx {
    sl_diag_t *diags;  /* where errors go (the caller's) */
    sl_ast_t *script;  /* the SCRIPT node statements are appended to */
    int failed;        /* the current statement has an error: discard it, resync at ';' */
    int errors_before; /* diags->count when the parse started */
    sl_token_t cur;    /* the token being fed to the parser (for overflow messages) */
} sl_pctx_t;

/* The lexer's state; see lexer.re. */
typedef struct sl_lexer {
    const char *src;   /* start of the NUL-terminated copy of the source */
    const char *cur;   /* next byte to scan */
    const char *lim;   /* the terminating NUL (end of input) */
    const char *pos;   /* position line/col describe */
    int line;          /* line of pos */
    int col;           /* column of pos */
    int prev;          /* previous token code (0 at start) */
    const char *err;   /* message of the last TK_ILLEGAL token */
    int depth;         /* parenthesis depth */
    int pos_depth[16]; /* depths of the open POSITION( ... ) calls */
    int npos;          /* open POSITION calls tracked */
} sl_lexer_t;

/* Lexer (lexer.re). */
void sl_lex_init(sl_lexer_t *lx, const char *src, size_t len);
/* Scans the next token into *tok and returns its TK_ code, 0 at the end, or SL_TK_ILLEGAL
 * (lx->err says why). */
int sl_lex(sl_lexer_t *lx, sl_token_t *tok);
#define SL_TK_ILLEGAL 10000
/* Keyword lookup: the TK_ code of an unquoted word, or 0. */
int sl_keyword_code(const char *z, int n);
/* Human name of a token code for messages ("SELECT", "','", "identifier"). */
const char *sl_token_desc(int code);
/* Whether a word (upper case) is a keyword, so the printer must quote it. */
int sl_is_keyword(const char *z, size_t n);

/* Grammar (generated from grammar.y by lemon). */
void *sl_lemonAlloc(void *(*mallocProc)(size_t));
void sl_lemonFree(void *p, void (*freeProc)(void *));
void sl_lemon(void *p, int major, sl_token_t minor, sl_pctx_t *pc);
/* Fills out[] with the terminals the parser p could accept next; returns how many. */
int sl_lemon_expected(void *p, int *out, int max);
/* Reports a syntax error at tok (driver, parse.c); called by the grammar. */
void sl_parse_syntax_error(sl_pctx_t *pc, void *parser, int major, const sl_token_t *tok);

/* Errors: record at a position (and mark the statement failed). */
void sl_perr(sl_pctx_t *pc, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sl_perr_tok(sl_pctx_t *pc, const sl_token_t *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl_perr_node(sl_pctx_t *pc, const sl_ast_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Generic node construction (ast.c). */
sl_ast_t *sl_ast_new(sl_ast_kind_t kind, int line, int col, int nslots);
/* Appends kid (may be NULL) to n's kids; returns n. */
sl_ast_t *sl_ast_append(sl_ast_t *n, sl_ast_t *kid);
/* Puts kid into slot i (which must exist and be empty); returns n. */
sl_ast_t *sl_ast_set(sl_ast_t *n, int i, sl_ast_t *kid);
/* Detaches and returns the kid in slot i. */
sl_ast_t *sl_ast_take(sl_ast_t *n, int i);

/* A type name of one or two words (DOUBLE PRECISION), as the grammar saw it. */
typedef struct sl_typename {
    sl_token_t a; /* first word */
    sl_token_t b; /* second word, n == 0 when absent */
} sl_typename_t;

/* CREATE FUNCTION options as the grammar collects them. */
typedef struct sl_fnopts {
    int bits;            /* SL_FN_* */
    sl_token_t specific; /* SPECIFIC name, n == 0 when absent */
} sl_fnopts_t;

/* The arguments of a call as the grammar collects them. */
typedef struct sl_callargs {
    unsigned flags; /* SL_AF_DISTINCT, SL_AF_ALL or SL_AF_COUNT_STAR */
    sl_ast_t *args; /* LIST of expressions (owned) */
} sl_callargs_t;

/* Builders (build.c): each takes ownership of its node arguments, even on error. */
sl_ast_t *sl_b_at(sl_ast_t *n, const sl_token_t *at);
sl_ast_t *sl_b_node(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, int nslots);
sl_ast_t *sl_b_list(sl_pctx_t *pc, sl_ast_t *first);
sl_ast_t *sl_b_list_add(sl_pctx_t *pc, sl_ast_t *list, sl_ast_t *kid);
sl_ast_t *sl_b_name(sl_pctx_t *pc, const sl_token_t *t);
char *sl_b_ident(const sl_token_t *t);
void sl_b_statement(sl_pctx_t *pc, sl_ast_t *stmt);

sl_ast_t *sl_b_create_stream(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                             const sl_token_t *name, sl_ast_t *cols, sl_ast_t *desc);
sl_ast_t *sl_b_coldef(sl_pctx_t *pc, const sl_token_t *name, sl_ast_t *type, unsigned flags,
                      sl_ast_t *path);
sl_ast_t *sl_b_create_pump(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                           const sl_token_t *name, sl_ast_t *desc, sl_ast_t *insert);
sl_ast_t *sl_b_insert(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, const sl_token_t *target,
                      sl_ast_t *cols, sl_ast_t *query);
sl_ast_t *sl_b_create_function(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                               const sl_token_t *name, sl_ast_t *params, sl_ast_t *rettype,
                               sl_fnopts_t opts, sl_ast_t *body);
sl_fnopts_t sl_b_fnopt(sl_pctx_t *pc, sl_fnopts_t opts, int bit, const sl_token_t *at);
sl_ast_t *sl_b_create_ext(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, unsigned flags,
                          const sl_token_t *name, const sl_token_t *stream, sl_ast_t *endpoint,
                          const sl_token_t *format, sl_ast_t *cols, sl_ast_t *start,
                          sl_ast_t *opts);
sl_ast_t *sl_b_endpoint(sl_pctx_t *pc, const sl_token_t *kind, const sl_token_t *target);
sl_ast_t *sl_b_option(sl_pctx_t *pc, const sl_token_t *key, sl_ast_t *value);
sl_ast_t *sl_b_starting(sl_pctx_t *pc, const sl_token_t *word);

sl_ast_t *sl_b_type(sl_pctx_t *pc, const sl_typename_t *tn, int nargs, const sl_token_t *p,
                    const sl_token_t *s);
sl_ast_t *sl_b_interval_type(sl_pctx_t *pc, const sl_token_t *at, sl_qual_t q);
sl_qual_t sl_b_qual(sl_pctx_t *pc, const sl_token_t *unit, const sl_token_t *prec,
                    const sl_token_t *unit2, const sl_token_t *prec2);

sl_ast_t *sl_b_select(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, sl_ast_t *items,
                      sl_ast_t *from, sl_ast_t *where, sl_ast_t *group, sl_ast_t *having,
                      sl_ast_t *windows);
sl_ast_t *sl_b_query_tail(sl_pctx_t *pc, sl_ast_t *q, sl_ast_t *order, sl_ast_t *within);
sl_ast_t *sl_b_setop(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r);
sl_ast_t *sl_b_values(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *rows);
sl_ast_t *sl_b_select_item(sl_pctx_t *pc, sl_ast_t *e, const sl_token_t *alias);
sl_ast_t *sl_b_star(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *qualifier);
sl_ast_t *sl_b_stagger(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *parts, sl_ast_t *range);

/* A relation alias as the grammar collects it. */
typedef struct sl_relalias {
    sl_token_t name; /* n == 0 when absent */
    sl_ast_t *cols;  /* LIST of NAME or NULL (owned) */
} sl_relalias_t;
sl_ast_t *sl_b_rel(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, const sl_token_t *name,
                   sl_ast_t *body, sl_ast_t *over, sl_relalias_t a);
sl_ast_t *sl_b_join(sl_pctx_t *pc, int type, unsigned flags, const sl_token_t *at, sl_ast_t *l,
                    sl_ast_t *r, sl_ast_t *on, sl_ast_t *usings);

sl_ast_t *sl_b_winspec(sl_pctx_t *pc, const sl_token_t *at, const sl_token_t *base, sl_ast_t *parts,
                       sl_ast_t *order, sl_ast_t *frame);
sl_ast_t *sl_b_frame(sl_pctx_t *pc, const sl_token_t *at, int unit, sl_ast_t *lo, sl_ast_t *hi);
sl_ast_t *sl_b_bound(sl_pctx_t *pc, const sl_token_t *at, int kind, sl_ast_t *offset);
sl_ast_t *sl_b_windef(sl_pctx_t *pc, const sl_token_t *name, sl_ast_t *spec);
sl_ast_t *sl_b_order_item(sl_pctx_t *pc, sl_ast_t *e, int dir);

sl_ast_t *sl_b_lit(sl_pctx_t *pc, int kind, const sl_token_t *t);
sl_ast_t *sl_b_interval(sl_pctx_t *pc, const sl_token_t *at, unsigned sign, const sl_token_t *s,
                        sl_qual_t q);
sl_ast_t *sl_b_colref(sl_pctx_t *pc, sl_ast_t *ref, const sl_token_t *part);
sl_ast_t *sl_b_unary(sl_pctx_t *pc, const sl_token_t *at, int op, sl_ast_t *e);
sl_ast_t *sl_b_binary(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r);
sl_ast_t *sl_b_is(sl_pctx_t *pc, sl_ast_t *e, unsigned notflag, int what);
sl_ast_t *sl_b_like(sl_pctx_t *pc, int opflags, sl_ast_t *l, sl_ast_t *pat, sl_ast_t *esc);
sl_ast_t *sl_b_between(sl_pctx_t *pc, unsigned notflag, sl_ast_t *x, sl_ast_t *lo, sl_ast_t *hi);
sl_ast_t *sl_b_in(sl_pctx_t *pc, unsigned notflag, sl_ast_t *x, sl_ast_t *set);
sl_ast_t *sl_b_wrap(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, sl_ast_t *q);
sl_ast_t *sl_b_case(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *operand, sl_ast_t *whens,
                    sl_ast_t *els);
sl_ast_t *sl_b_when(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *c, sl_ast_t *r);
sl_ast_t *sl_b_cast(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *e, sl_ast_t *type);
sl_ast_t *sl_b_call(sl_pctx_t *pc, const sl_token_t *name, int form, unsigned flags,
                    sl_ast_t *args);
sl_ast_t *sl_b_call_tail(sl_pctx_t *pc, sl_ast_t *call, unsigned flags, sl_ast_t *over);
sl_ast_t *sl_b_call_unit(sl_pctx_t *pc, sl_ast_t *call, const sl_token_t *unit);
sl_ast_t *sl_b_row(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, sl_ast_t *first,
                   sl_ast_t *rest);
sl_ast_t *sl_b_temporal(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r);
sl_ast_t *sl_b_interval_of(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *e, sl_qual_t q);

/* Shared by the printer: spelling of a unit, a type, a literal kind. */
const char *sl_unit_name(int unit);
const char *sl_type_name(int type);

#endif
