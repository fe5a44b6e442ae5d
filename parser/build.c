/*
 * build.c - the AST builders the grammar actions call.
 *
 * Each builder makes one node from what the grammar matched: it decodes identifiers and
 * literals from their tokens, checks what a context-free grammar cannot (known type names,
 * valid interval qualifiers, join conditions, which special syntax goes with which
 * function), and records an error at the right token when something is wrong. A builder
 * always takes ownership of the nodes it is given, and still returns a node after an error
 * so the grammar's stack stays uniform; the driver discards the failed statement.
 */
#include "parse_int.h"

#include "alloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Records an error at line:col and marks the current statement failed. */
void sl_perr(sl_pctx_t *pc, int line, int col, const char *fmt, ...)
{
    sl_buf_t b = SL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (!pc->failed) sl_diag_add(pc->diags, line, col, "%s", b.p ? b.p : "");
    sl_buf_free(&b);
    pc->failed = 1;
}

/* Records an error at token t (only the first error of a statement is kept). */
void sl_perr_tok(sl_pctx_t *pc, const sl_token_t *t, const char *fmt, ...)
{
    sl_buf_t b = SL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    sl_perr(pc, t->line, t->col, "%s", b.p ? b.p : "");
    sl_buf_free(&b);
}

/* Records an error at node n's position. */
void sl_perr_node(sl_pctx_t *pc, const sl_ast_t *n, const char *fmt, ...)
{
    sl_buf_t b = SL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    sl_perr(pc, n ? n->line : 0, n ? n->col : 0, "%s", b.p ? b.p : "");
    sl_buf_free(&b);
}

/* Checks the depth bound once a node is complete; returns n. */
static sl_ast_t *checked(sl_pctx_t *pc, sl_ast_t *n)
{
    if (n && n->depth > SL_AST_MAX_DEPTH)
        sl_perr_node(pc, n, "expression nested too deeply (more than %d levels)", SL_AST_MAX_DEPTH);
    return n;
}

/* Moves n's position to token at (a clause's opening token); returns n. */
sl_ast_t *sl_b_at(sl_ast_t *n, const sl_token_t *at)
{
    if (n && at) {
        n->line = at->line;
        n->col = at->col;
    }
    return n;
}

/* A node of kind with nslots empty slots, positioned at `at` (or 0:0 when NULL). */
sl_ast_t *sl_b_node(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, int nslots)
{
    (void)pc;
    return sl_ast_new(kind, at ? at->line : 0, at ? at->col : 0, nslots);
}

/* Positions n like its first token, which for operators is the first operand's. */
static sl_ast_t *at_node(sl_ast_t *n, const sl_ast_t *first)
{
    if (first) {
        n->line = first->line;
        n->col = first->col;
    }
    return n;
}

/* A LIST holding first (positioned like it). */
sl_ast_t *sl_b_list(sl_pctx_t *pc, sl_ast_t *first)
{
    sl_ast_t *l = sl_b_node(pc, SL_AST_LIST, NULL, 0);
    at_node(l, first);
    return checked(pc, sl_ast_append(l, first));
}

/* Appends kid to list; returns the list. */
sl_ast_t *sl_b_list_add(sl_pctx_t *pc, sl_ast_t *list, sl_ast_t *kid)
{
    return checked(pc, sl_ast_append(list, kid));
}

/*
 * The stored form of an identifier token: "quoted" text with "" undone and case kept, an
 * unquoted word (or non-reserved keyword) folded to upper case. Caller owns the result.
 */
char *sl_b_ident(const sl_token_t *t)
{
    if (t->n >= 2 && t->z[0] == '"') {
        char *s = sl_malloc((size_t)t->n);
        int k = 0;
        for (int i = 1; i < t->n - 1; i++) {
            s[k++] = t->z[i];
            if (t->z[i] == '"') i++;
        }
        s[k] = '\0';
        return s;
    }
    char *s = sl_strndup(t->z, (size_t)t->n);
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return s;
}

/* Checks the KDA identifier rules on a name token: at most 128 characters, not empty. */
static void check_ident(sl_pctx_t *pc, const sl_token_t *t, const char *s)
{
    if (!*s)
        sl_perr_tok(pc, t, "empty quoted identifier");
    else if (strlen(s) > 128)
        sl_perr_tok(pc, t, "identifier longer than 128 characters");
}

/* A NAME node for an identifier token. */
sl_ast_t *sl_b_name(sl_pctx_t *pc, const sl_token_t *t)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_NAME, t, 0);
    n->name = sl_b_ident(t);
    check_ident(pc, t, n->name);
    return n;
}

/* Appends a finished statement to the script, or frees it if the statement failed. */
void sl_b_statement(sl_pctx_t *pc, sl_ast_t *stmt)
{
    if (pc->failed || !stmt) {
        sl_ast_free(stmt);
        return;
    }
    sl_ast_append(pc->script, stmt);
}

/* Parses a small non-negative decimal integer token; -1 with an error if too large. */
static int tok_int(sl_pctx_t *pc, const sl_token_t *t)
{
    long v = 0;
    for (int i = 0; i < t->n; i++) {
        v = v * 10 + (t->z[i] - '0');
        if (v > INT_MAX / 2) {
            sl_perr_tok(pc, t, "number too large here");
            return -1;
        }
    }
    return (int)v;
}

/* ---- statements ------------------------------------------------------------------------ */

/* Rejects PATH mappings in plain CREATE STREAM columns: they belong to inputs. */
static void check_no_paths(sl_pctx_t *pc, const sl_ast_t *cols)
{
    for (int i = 0; cols && i < cols->nkids; i++) {
        const sl_ast_t *c = cols->kids[i];
        if (c && c->kids[1])
            sl_perr_node(pc, c->kids[1],
                         "PATH mappings belong to CREATE INPUT and CREATE REFERENCE TABLE, "
                         "not CREATE STREAM");
    }
}

/* CREATE [OR REPLACE] STREAM name (cols) [DESCRIPTION]. */
sl_ast_t *sl_b_create_stream(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                             const sl_token_t *name, sl_ast_t *cols, sl_ast_t *desc)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CREATE_STREAM, at, 2);
    n->flags = flags;
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    if (!strcmp(n->name, "error_stream"))
        sl_perr_tok(pc, name, "error_stream is the system error stream and cannot be created");
    check_no_paths(pc, cols);
    sl_ast_set(n, 0, cols);
    return sl_ast_set(n, 1, desc);
}

/* A column: name type [NOT NULL] [PATH '...']. */
sl_ast_t *sl_b_coldef(sl_pctx_t *pc, const sl_token_t *name, sl_ast_t *type, unsigned flags,
                      sl_ast_t *path)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_COLUMN_DEF, name, 2);
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    n->flags = flags;
    if (type && type->op == SL_TYPE_INTERVAL)
        sl_perr_node(pc, type,
                     "INTERVAL is not a column type (intervals exist only in expressions)");
    sl_ast_set(n, 0, type);
    return sl_ast_set(n, 1, path);
}

/* CREATE [OR REPLACE] PUMP name [DESCRIPTION] AS INSERT .... */
sl_ast_t *sl_b_create_pump(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                           const sl_token_t *name, sl_ast_t *desc, sl_ast_t *insert)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CREATE_PUMP, at, 2);
    n->flags = flags;
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    sl_ast_set(n, 0, desc);
    return sl_ast_set(n, 1, insert);
}

/* INSERT [EXPEDITED] INTO target [(cols)] query. */
sl_ast_t *sl_b_insert(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, const sl_token_t *target,
                      sl_ast_t *cols, sl_ast_t *query)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_INSERT, at, 2);
    n->flags = flags;
    n->name = sl_b_ident(target);
    check_ident(pc, target, n->name);
    sl_ast_set(n, 0, cols);
    return sl_ast_set(n, 1, query);
}

/* Adds one CREATE FUNCTION option, rejecting repeats and contradictions. */
sl_fnopts_t sl_b_fnopt(sl_pctx_t *pc, sl_fnopts_t opts, int bit, const sl_token_t *at)
{
    static const int exclusive[][2] = {
        {SL_FN_DETERMINISTIC, SL_FN_NOT_DETERMINISTIC},
        {SL_FN_RETURNS_NULL_ON_NULL, SL_FN_CALLED_ON_NULL},
    };
    if (opts.bits & bit) sl_perr_tok(pc, at, "function option given twice");
    for (size_t i = 0; i < sizeof exclusive / sizeof exclusive[0]; i++) {
        int a = exclusive[i][0], b = exclusive[i][1];
        if ((bit == a && (opts.bits & b)) || (bit == b && (opts.bits & a)))
            sl_perr_tok(pc, at, "contradictory function options");
    }
    opts.bits |= bit;
    return opts;
}

/* CREATE FUNCTION name(params) RETURNS type options RETURN body. */
sl_ast_t *sl_b_create_function(sl_pctx_t *pc, const sl_token_t *at, unsigned flags,
                               const sl_token_t *name, sl_ast_t *params, sl_ast_t *rettype,
                               sl_fnopts_t opts, sl_ast_t *body)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CREATE_FUNCTION, at, 3);
    n->flags = flags;
    n->op = opts.bits;
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    if (opts.specific.n) n->alias = sl_b_ident(&opts.specific);
    sl_ast_set(n, 0, params);
    sl_ast_set(n, 1, rettype);
    return checked(pc, sl_ast_set(n, 2, body));
}

/* True when s is one of the NULL-terminated words. */
static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (!strcmp(s, *words)) return 1;
    return 0;
}

/* Joins the NULL-terminated words with ", " into a static-free buffer for messages. */
static void list_words(sl_buf_t *b, const char *const *words)
{
    for (int i = 0; words[i]; i++) sl_buf_printf(b, "%s%s", i ? ", " : "", words[i]);
}

/* Checks that NAME/ENDPOINT node n's name is one of words; names `what` in the error. */
static void check_word(sl_pctx_t *pc, const sl_ast_t *n, const char *what, const char *const *words)
{
    if (!n || one_of(n->name, words)) return;
    sl_buf_t b = SL_BUF_INIT;
    list_words(&b, words);
    sl_perr_node(pc, n, "unknown %s '%s' (expected one of %s)", what, n->name, b.p);
    sl_buf_free(&b);
}

/* ENDPOINT: kind word and optional target string. */
sl_ast_t *sl_b_endpoint(sl_pctx_t *pc, const sl_token_t *kind, const sl_token_t *target)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_ENDPOINT, kind, 0);
    n->name = sl_b_ident(kind);
    if (target) {
        sl_ast_t *s = sl_b_lit(pc, SL_LIT_STRING, target);
        n->text = s->text;
        s->text = NULL;
        sl_ast_free(s);
    }
    return n;
}

/* OPTION key = value. Keys are folded like identifiers. */
sl_ast_t *sl_b_option(sl_pctx_t *pc, const sl_token_t *key, sl_ast_t *value)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_OPTION, key, 1);
    n->name = sl_b_ident(key);
    return sl_ast_set(n, 0, value);
}

/* STARTING AT word: a NAME checked against the Kinesis starting positions. */
sl_ast_t *sl_b_starting(sl_pctx_t *pc, const sl_token_t *word)
{
    static const char *const positions[] = {"TRIM_HORIZON", "NOW", "LATEST", "LAST_STOPPED_POINT",
                                            NULL};
    sl_ast_t *n = sl_b_name(pc, word);
    check_word(pc, n, "starting position", positions);
    return n;
}

/*
 * The three extension statements. Checks the endpoint kinds each allows, the format, that
 * an endpoint which needs a target has one, and that PATH mappings only appear with JSON.
 */
sl_ast_t *sl_b_create_ext(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, unsigned flags,
                          const sl_token_t *name, const sl_token_t *stream, sl_ast_t *endpoint,
                          const sl_token_t *format, sl_ast_t *cols, sl_ast_t *start, sl_ast_t *opts)
{
    static const char *const in_kinds[] = {"STREAM", "FILE", NULL};
    static const char *const ref_kinds[] = {"FILE", "URL", NULL};
    static const char *const out_kinds[] = {"STREAM", "FILE", "WEBHOOK", "COMMAND", "STDOUT", NULL};
    static const char *const formats[] = {"JSON", "CSV", NULL};
    sl_ast_t *n = sl_b_node(pc, kind, at, 5);
    n->flags = flags;
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    if (stream) n->alias = sl_b_ident(stream);
    sl_ast_t *fmt = sl_b_name(pc, format);
    const char *what = kind == SL_AST_CREATE_OUTPUT ? "output destination" : "input source";
    check_word(pc, endpoint, what,
               kind == SL_AST_CREATE_INPUT       ? in_kinds
               : kind == SL_AST_CREATE_REFERENCE ? ref_kinds
                                                 : out_kinds);
    check_word(pc, fmt, "format", formats);
    if (endpoint && !endpoint->text && strcmp(endpoint->name, "STDOUT"))
        sl_perr_node(pc, endpoint, "%s needs a quoted target, e.g. %s 'name'", endpoint->name,
                     endpoint->name);
    if (endpoint && endpoint->text && !strcmp(endpoint->name, "STDOUT"))
        sl_perr_node(pc, endpoint, "STDOUT takes no target");
    for (int i = 0; cols && i < cols->nkids; i++) {
        const sl_ast_t *c = cols->kids[i];
        if (c && c->kids[1] && strcmp(fmt->name, "JSON"))
            sl_perr_node(pc, c->kids[1],
                         "PATH mappings apply to FORMAT JSON only (CSV columns "
                         "map by position)");
    }
    sl_ast_set(n, 0, endpoint);
    sl_ast_set(n, 1, fmt);
    sl_ast_set(n, 2, cols);
    sl_ast_set(n, 3, start);
    return sl_ast_set(n, 4, opts);
}

/* ---- types and qualifiers ---------------------------------------------------------------- */

/* One spelling of a type name. */
typedef struct type_alias {
    const char *a; /* first word */
    const char *b; /* second word or NULL */
    int type;      /* SL_TYPE_* */
    int maxargs;   /* how many (n) / (p, s) arguments it takes */
} type_alias_t;

static const type_alias_t type_aliases[] = {
    {"BOOLEAN", NULL, SL_TYPE_BOOLEAN, 0},
    {"TINYINT", NULL, SL_TYPE_TINYINT, 0},
    {"SMALLINT", NULL, SL_TYPE_SMALLINT, 0},
    {"INTEGER", NULL, SL_TYPE_INTEGER, 0},
    {"INT", NULL, SL_TYPE_INTEGER, 0},
    {"BIGINT", NULL, SL_TYPE_BIGINT, 0},
    {"REAL", NULL, SL_TYPE_REAL, 0},
    {"DOUBLE", NULL, SL_TYPE_DOUBLE, 0},
    {"DOUBLE", "PRECISION", SL_TYPE_DOUBLE, 0},
    {"FLOAT", NULL, SL_TYPE_FLOAT, 1},
    {"DECIMAL", NULL, SL_TYPE_DECIMAL, 2},
    {"DEC", NULL, SL_TYPE_DECIMAL, 2},
    {"NUMERIC", NULL, SL_TYPE_DECIMAL, 2},
    {"CHAR", NULL, SL_TYPE_CHAR, 1},
    {"CHARACTER", NULL, SL_TYPE_CHAR, 1},
    {"VARCHAR", NULL, SL_TYPE_VARCHAR, 1},
    {"CHAR", "VARYING", SL_TYPE_VARCHAR, 1},
    {"CHARACTER", "VARYING", SL_TYPE_VARCHAR, 1},
    {"BINARY", NULL, SL_TYPE_BINARY, 1},
    {"VARBINARY", NULL, SL_TYPE_VARBINARY, 1},
    {"DATE", NULL, SL_TYPE_DATE, 0},
    {"TIME", NULL, SL_TYPE_TIME, 0},
    {"TIMESTAMP", NULL, SL_TYPE_TIMESTAMP, 0},
};

static const char *const type_names[] = {
#define SL_TYPE_NAME(name, sp) sp,
    SL_TYPES(SL_TYPE_NAME)
#undef SL_TYPE_NAME
};

/* Canonical spelling of an SL_TYPE_*. */
const char *sl_type_name(int type)
{
    return type >= 0 && type < (int)(sizeof type_names / sizeof type_names[0]) ? type_names[type]
                                                                               : "?";
}

/* A TYPE node from a (one- or two-word) name and up to two integer arguments. */
sl_ast_t *sl_b_type(sl_pctx_t *pc, const sl_typename_t *tn, int nargs, const sl_token_t *p,
                    const sl_token_t *s)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_TYPE, &tn->a, 0);
    char *a = sl_b_ident(&tn->a);
    char *b = tn->b.n ? sl_b_ident(&tn->b) : NULL;
    const type_alias_t *found = NULL;
    for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++) {
        const type_alias_t *t = &type_aliases[i];
        if (!strcmp(t->a, a) && ((!t->b && !b) || (t->b && b && !strcmp(t->b, b)))) {
            found = t;
            break;
        }
    }
    if (!found) {
        sl_perr_tok(pc, &tn->a, "unknown data type '%s%s%s'", a, b ? " " : "", b ? b : "");
    } else {
        n->op = found->type;
        if (nargs > found->maxargs) {
            if (found->maxargs == 0)
                sl_perr_tok(pc, p, "data type %s takes no length or precision",
                            sl_type_name(found->type));
            else
                sl_perr_tok(pc, s, "data type %s takes only a length", sl_type_name(found->type));
        }
    }
    if (nargs >= 1) n->qual.prec = tok_int(pc, p);
    if (nargs >= 2) n->qual.prec2 = tok_int(pc, s);
    if (found && found->type == SL_TYPE_DECIMAL && n->qual.prec > 18)
        sl_perr_tok(pc, p, "DECIMAL precision %d exceeds the maximum of 18", n->qual.prec);
    if (found && nargs == 2 && n->qual.prec2 > n->qual.prec)
        sl_perr_tok(pc, s, "DECIMAL scale %d exceeds its precision %d", n->qual.prec2,
                    n->qual.prec);
    if (found && nargs >= 1 && n->qual.prec == 0 && found->type != SL_TYPE_DECIMAL)
        sl_perr_tok(pc, p, "a length must be at least 1");
    sl_free(a);
    sl_free(b);
    return n;
}

/* INTERVAL qualifier as a type (CAST(x AS INTERVAL DAY)). */
sl_ast_t *sl_b_interval_type(sl_pctx_t *pc, const sl_token_t *at, sl_qual_t q)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_TYPE, at, 0);
    n->op = SL_TYPE_INTERVAL;
    n->qual = q;
    return n;
}

static const char *const unit_names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

/* Spelling of an SL_UNIT_*. */
const char *sl_unit_name(int unit)
{
    return unit >= 0 && unit <= SL_UNIT_SECOND ? unit_names[unit] : "?";
}

/* The SL_UNIT_* of a unit keyword token (YEAR ... SECOND). */
static int unit_of(const sl_token_t *t)
{
    for (int u = SL_UNIT_YEAR; u <= SL_UNIT_SECOND; u++)
        if ((size_t)t->n == strlen(unit_names[u]) &&
            !strncasecmp(t->z, unit_names[u], (size_t)t->n))
            return u;
    return SL_UNIT_NONE;
}

/*
 * An interval qualifier: leading unit with optional precision, optional TO trailing unit
 * with optional precision. Valid ranges are YEAR TO MONTH and DAY/HOUR/MINUTE TO a smaller
 * day-time field; only SECOND may carry a trailing (fractional) precision.
 */
sl_qual_t sl_b_qual(sl_pctx_t *pc, const sl_token_t *unit, const sl_token_t *prec,
                    const sl_token_t *unit2, const sl_token_t *prec2)
{
    sl_qual_t q = {unit_of(unit), -1, unit2 ? unit_of(unit2) : SL_UNIT_NONE, -1};
    if (prec && prec->n) q.prec = tok_int(pc, prec);
    if (prec2 && prec2->n) q.prec2 = tok_int(pc, prec2);
    if (unit2) {
        int ok = (q.unit == SL_UNIT_YEAR && q.unit2 == SL_UNIT_MONTH) ||
                 (q.unit >= SL_UNIT_DAY && q.unit2 > q.unit);
        if (!ok)
            sl_perr_tok(pc, unit2, "invalid interval qualifier %s TO %s", sl_unit_name(q.unit),
                        sl_unit_name(q.unit2));
        if (prec2 && prec2->n && q.unit2 != SL_UNIT_SECOND)
            sl_perr_tok(pc, prec2, "only SECOND may have a fractional precision");
    }
    return q;
}

/* ---- queries ---------------------------------------------------------------------------- */

/* SELECT: the grammar hands GROUP BY as a LIST or WINDOWED BY as a STAGGER node. */
sl_ast_t *sl_b_select(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, sl_ast_t *items,
                      sl_ast_t *from, sl_ast_t *where, sl_ast_t *group, sl_ast_t *having,
                      sl_ast_t *windows)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_SELECT, at, SL_Q_NSLOTS);
    n->flags = flags;
    sl_ast_set(n, SL_SEL_ITEMS, items);
    sl_ast_set(n, SL_SEL_FROM, from);
    sl_ast_set(n, SL_SEL_WHERE, where);
    if (group && group->kind == SL_AST_STAGGER)
        sl_ast_set(n, SL_SEL_STAGGER, group);
    else
        sl_ast_set(n, SL_SEL_GROUP, group);
    sl_ast_set(n, SL_SEL_HAVING, having);
    sl_ast_set(n, SL_SEL_WINDOW, windows);
    return checked(pc, n);
}

/* Attaches the query-wide ORDER BY [WITHIN] to q. WITHIN needs an ORDER BY. */
sl_ast_t *sl_b_query_tail(sl_pctx_t *pc, sl_ast_t *q, sl_ast_t *order, sl_ast_t *within)
{
    if (within && !order) sl_perr_node(pc, within, "WITHIN needs an ORDER BY before it");
    if (!q || q->nkids < SL_Q_NSLOTS) {
        sl_ast_free(order);
        sl_ast_free(within);
        return q;
    }
    sl_ast_set(q, SL_Q_ORDER, order);
    return checked(pc, sl_ast_set(q, SL_Q_WITHIN, within));
}

/* l UNION|INTERSECT|EXCEPT [ALL] r; op carries 0x100 for ALL. */
sl_ast_t *sl_b_setop(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_SETOP, NULL, SL_Q_NSLOTS);
    at_node(n, l);
    n->op = op & 0xff;
    if (op & 0x100) n->flags |= SL_AF_ALL;
    sl_ast_set(n, SL_SET_LEFT, l);
    return checked(pc, sl_ast_set(n, SL_SET_RIGHT, r));
}

/* VALUES rows: a LIST of LIST. All rows must have the same width. */
sl_ast_t *sl_b_values(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *rows)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_VALUES, at, SL_Q_NSLOTS);
    for (int i = 1; rows && i < rows->nkids; i++)
        if (rows->kids[i]->nkids != rows->kids[0]->nkids) {
            sl_perr_node(pc, rows->kids[i], "VALUES rows have different numbers of columns");
            break;
        }
    return checked(pc, sl_ast_set(n, SL_VALUES_ROWS, rows));
}

/* A select-list item with an optional alias. */
sl_ast_t *sl_b_select_item(sl_pctx_t *pc, sl_ast_t *e, const sl_token_t *alias)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_SELECT_ITEM, NULL, 1);
    at_node(n, e);
    if (alias) {
        n->name = sl_b_ident(alias);
        check_ident(pc, alias, n->name);
    }
    return sl_ast_set(n, 0, e);
}

/* `*` or `qualifier.*`; the qualifier COLREF's NAME parts become the STAR's kids. */
sl_ast_t *sl_b_star(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *qualifier)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_STAR, at, 0);
    if (qualifier) {
        at_node(n, qualifier);
        for (int i = 0; i < qualifier->nkids; i++) sl_ast_append(n, sl_ast_take(qualifier, i));
        sl_ast_free(qualifier);
    }
    return n;
}

/* WINDOWED BY STAGGER (PARTITION BY parts RANGE interval). */
sl_ast_t *sl_b_stagger(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *parts, sl_ast_t *range)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_STAGGER, at, 2);
    if (range && !(range->kind == SL_AST_LITERAL && range->op == SL_LIT_INTERVAL))
        sl_perr_node(pc, range, "STAGGER needs RANGE INTERVAL '<n>' <unit>");
    sl_ast_set(n, 0, parts);
    return checked(pc, sl_ast_set(n, 1, range));
}

/* A relation of FROM (TABLE_REF, SUBQUERY_REF or FUNCTION_REF) with OVER and alias. */
sl_ast_t *sl_b_rel(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, const sl_token_t *name,
                   sl_ast_t *body, sl_ast_t *over, sl_relalias_t a)
{
    sl_ast_t *n = sl_b_node(pc, kind, at, SL_REL_NSLOTS);
    if (name) {
        n->name = sl_b_ident(name);
        check_ident(pc, name, n->name);
    }
    if (a.name.n) {
        n->alias = sl_b_ident(&a.name);
        check_ident(pc, &a.name, n->alias);
    }
    sl_ast_set(n, SL_REL_BODY, body);
    sl_ast_set(n, SL_REL_COLS, a.cols);
    return checked(pc, sl_ast_set(n, SL_REL_OVER, over));
}

/* A join; checks that the condition fits the join type. */
sl_ast_t *sl_b_join(sl_pctx_t *pc, int type, unsigned flags, const sl_token_t *at, sl_ast_t *l,
                    sl_ast_t *r, sl_ast_t *on, sl_ast_t *usings)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_JOIN, at, SL_JOIN_NSLOTS);
    at_node(n, l);
    n->op = type;
    n->flags = flags;
    int has_cond = on || usings;
    const sl_ast_t *cond = on ? on : usings;
    if (type == SL_JOIN_CROSS && has_cond)
        sl_perr_node(pc, cond, "a CROSS JOIN takes no ON or USING condition");
    else if ((flags & SL_AF_NATURAL) && has_cond)
        sl_perr_node(pc, cond, "a NATURAL join takes no ON or USING condition");
    else if (type != SL_JOIN_CROSS && type != SL_JOIN_COMMA && !(flags & SL_AF_NATURAL) &&
             !has_cond)
        sl_perr_node(pc, r, "this JOIN needs an ON or USING condition");
    sl_ast_set(n, SL_JOIN_LEFT, l);
    sl_ast_set(n, SL_JOIN_RIGHT, r);
    sl_ast_set(n, SL_JOIN_ON, on);
    return checked(pc, sl_ast_set(n, SL_JOIN_USING, usings));
}

/* ---- windows ---------------------------------------------------------------------------- */

/* A window spec; `base` is OVER w or the window a (w ...) spec refines. */
sl_ast_t *sl_b_winspec(sl_pctx_t *pc, const sl_token_t *at, const sl_token_t *base, sl_ast_t *parts,
                       sl_ast_t *order, sl_ast_t *frame)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_WINDOW_SPEC, at, 3);
    if (base) n->name = sl_b_ident(base);
    if (!at) at_node(n, parts ? parts : order ? order : frame);
    sl_ast_set(n, 0, parts);
    sl_ast_set(n, 1, order);
    return checked(pc, sl_ast_set(n, 2, frame));
}

/* ROWS|RANGE lo [AND hi]; a single bound must not be FOLLOWING. */
sl_ast_t *sl_b_frame(sl_pctx_t *pc, const sl_token_t *at, int unit, sl_ast_t *lo, sl_ast_t *hi)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_FRAME, at, 2);
    n->op = unit;
    if (lo && !hi && (lo->op == SL_BOUND_FOLLOWING || lo->op == SL_BOUND_UNBOUNDED_FOLLOWING))
        sl_perr_node(pc, lo, "a window frame cannot start after the current row");
    if (lo && unit == SL_FRAME_ROWS && lo->kids[0] && lo->kids[0]->kind == SL_AST_LITERAL &&
        lo->kids[0]->op == SL_LIT_INTERVAL)
        sl_perr_node(pc, lo->kids[0], "ROWS takes a row count; use RANGE with an INTERVAL");
    sl_ast_set(n, 0, lo);
    return checked(pc, sl_ast_set(n, 1, hi));
}

/* A frame bound; offset is the n of n PRECEDING / FOLLOWING. */
sl_ast_t *sl_b_bound(sl_pctx_t *pc, const sl_token_t *at, int kind, sl_ast_t *offset)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_FRAME_BOUND, at, 1);
    n->op = kind;
    if (!at) at_node(n, offset);
    return checked(pc, sl_ast_set(n, 0, offset));
}

/* WINDOW name AS (spec). */
sl_ast_t *sl_b_windef(sl_pctx_t *pc, const sl_token_t *name, sl_ast_t *spec)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_WINDOW_DEF, name, 1);
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    return sl_ast_set(n, 0, spec);
}

/* An ORDER BY key. */
sl_ast_t *sl_b_order_item(sl_pctx_t *pc, sl_ast_t *e, int dir)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_ORDER_ITEM, NULL, 1);
    at_node(n, e);
    n->op = dir;
    return sl_ast_set(n, 0, e);
}

/* ---- literals --------------------------------------------------------------------------- */

/* Appends code point cp to b as UTF-8. */
static void put_utf8(sl_buf_t *b, unsigned long cp)
{
    if (cp < 0x80) {
        sl_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        sl_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sl_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sl_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Appends the content of the quoted literal starting at z (at a quote) with '' undone;
 * returns the address after the closing quote. */
static const char *unquote(sl_buf_t *b, const char *z, const char *end)
{
    const char *p = z + 1;
    while (p < end) {
        if (*p == '\'') {
            if (p + 1 < end && p[1] == '\'') {
                sl_buf_putc(b, '\'');
                p += 2;
                continue;
            }
            return p + 1;
        }
        sl_buf_putc(b, *p++);
    }
    return p;
}

/* Reads n hex digits at p into *cp; returns 1 on success. */
static int hex_digits(const char *p, int n, unsigned long *cp)
{
    unsigned long v = 0;
    for (int i = 0; i < n; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return 0;
        v = v * 16 + (unsigned long)d;
    }
    *cp = v;
    return 1;
}

/*
 * Decodes U&'...' [UESCAPE 'c']: escape+XXXX, escape++XXXXXX and a doubled escape.
 * Returns 0 (after recording an error) on a bad escape.
 */
static int decode_unicode(sl_pctx_t *pc, const sl_token_t *t, sl_buf_t *out)
{
    const char *end = t->z + t->n;
    sl_buf_t raw = SL_BUF_INIT;
    const char *after = unquote(&raw, t->z + 2, end);
    char esc = '\\';
    const char *q = memchr(after, '\'', (size_t)(end - after));
    if (q) {
        sl_buf_t e = SL_BUF_INIT;
        unquote(&e, q, end);
        if (e.len != 1 || e.p[0] == '+' || e.p[0] == '\'' || e.p[0] == '"' || e.p[0] == ' ' ||
            (e.p[0] >= '0' && e.p[0] <= '9') ||
            ((e.p[0] | 0x20) >= 'a' && (e.p[0] | 0x20) <= 'f')) {
            sl_buf_free(&e);
            sl_buf_free(&raw);
            sl_perr_tok(pc, t,
                        "UESCAPE needs a single character that is not a hex digit, "
                        "'+', a quote or a space");
            return 0;
        }
        esc = e.p[0];
        sl_buf_free(&e);
    }
    int ok = 1;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.p[i];
        if (c != esc) {
            sl_buf_putc(out, c);
            continue;
        }
        unsigned long cp;
        if (i + 1 < raw.len && raw.p[i + 1] == esc) {
            sl_buf_putc(out, esc);
            i++;
        } else if (i + 1 < raw.len && raw.p[i + 1] == '+' && i + 8 <= raw.len &&
                   hex_digits(raw.p + i + 2, 6, &cp) && cp <= 0x10FFFF && cp) {
            put_utf8(out, cp);
            i += 7;
        } else if (i + 5 <= raw.len && hex_digits(raw.p + i + 1, 4, &cp) && cp) {
            put_utf8(out, cp);
            i += 4;
        } else {
            ok = 0;
            break;
        }
    }
    sl_buf_free(&raw);
    if (!ok)
        sl_perr_tok(pc, t,
                    "bad Unicode escape in U&'...' (use %c followed by 4 hex digits, "
                    "or %c+ followed by 6)",
                    esc, esc);
    return ok;
}

/* A LITERAL from a token. DTLIT tokens pick DATE, TIME or TIMESTAMP from their first word. */
sl_ast_t *sl_b_lit(sl_pctx_t *pc, int kind, const sl_token_t *t)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_LITERAL, t, 0);
    sl_buf_t b = SL_BUF_INIT;
    const char *end = t->z + t->n;
    switch (kind) {
    case SL_LIT_STRING:
        if (t->z[0] == '\'')
            unquote(&b, t->z, end);
        else
            decode_unicode(pc, t, &b);
        break;
    case SL_LIT_BINARY:
        for (const char *p = t->z + 2; p < end - 1; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n')
                sl_buf_putc(&b, (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p));
        if (b.len % 2) sl_perr_tok(pc, t, "a binary string needs an even number of hex digits");
        break;
    case SL_LIT_DATE:
    case SL_LIT_TIMESTAMP: {
        const char *q = memchr(t->z, '\'', (size_t)t->n);
        int wl = (int)(q - t->z);
        while (wl > 0 && (t->z[wl - 1] == ' ' || t->z[wl - 1] == '\t' || t->z[wl - 1] == '\n' ||
                          t->z[wl - 1] == '\r'))
            wl--;
        kind = wl == 4 && (t->z[0] | 0x20) == 'd' ? SL_LIT_DATE
               : wl == 4                          ? SL_LIT_TIME
                                                  : SL_LIT_TIMESTAMP;
        if (q && kind == SL_LIT_TIMESTAMP && wl != 9)
            sl_perr_tok(pc, t, "expected a TIMESTAMP '...' literal");
        unquote(&b, q, end);
        break;
    }
    case SL_LIT_INTEGER:
    case SL_LIT_DECIMAL:
    case SL_LIT_APPROX:
        sl_buf_append(&b, t->z, (size_t)t->n);
        break;
    default:
        break;
    }
    n->op = kind;
    if (kind == SL_LIT_STRING || kind == SL_LIT_BINARY || kind == SL_LIT_DATE ||
        kind == SL_LIT_TIME || kind == SL_LIT_TIMESTAMP || kind == SL_LIT_INTEGER ||
        kind == SL_LIT_DECIMAL || kind == SL_LIT_APPROX)
        n->text = b.p ? sl_buf_steal(&b) : sl_strdup("");
    sl_buf_free(&b);
    return n;
}

/* INTERVAL [+|-] 'text' qualifier. */
sl_ast_t *sl_b_interval(sl_pctx_t *pc, const sl_token_t *at, unsigned sign, const sl_token_t *s,
                        sl_qual_t q)
{
    sl_ast_t *n = sl_b_lit(pc, SL_LIT_STRING, s);
    n->op = SL_LIT_INTERVAL;
    n->flags = sign;
    n->qual = q;
    n->line = at->line;
    n->col = at->col;
    if (!n->text[0]) sl_perr_tok(pc, s, "empty INTERVAL literal");
    return n;
}

/* ---- expressions ------------------------------------------------------------------------ */

/* Extends the COLREF ref (or starts one) with the name part. */
sl_ast_t *sl_b_colref(sl_pctx_t *pc, sl_ast_t *ref, const sl_token_t *part)
{
    if (!ref) ref = sl_b_node(pc, SL_AST_COLREF, part, 0);
    return sl_ast_append(ref, sl_b_name(pc, part));
}

/* A prefix operator. */
sl_ast_t *sl_b_unary(sl_pctx_t *pc, const sl_token_t *at, int op, sl_ast_t *e)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_UNARY, at, 1);
    n->op = op;
    return checked(pc, sl_ast_set(n, 0, e));
}

/* A binary operator, positioned at its left operand. */
sl_ast_t *sl_b_binary(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_BINARY, NULL, 2);
    at_node(n, l);
    n->op = op;
    sl_ast_set(n, 0, l);
    return checked(pc, sl_ast_set(n, 1, r));
}

/* e IS [NOT] NULL|TRUE|FALSE|UNKNOWN. */
sl_ast_t *sl_b_is(sl_pctx_t *pc, sl_ast_t *e, unsigned notflag, int what)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_IS, NULL, 1);
    at_node(n, e);
    n->op = what;
    n->flags = notflag;
    return checked(pc, sl_ast_set(n, 0, e));
}

/* [NOT] LIKE / SIMILAR TO; opflags carries 0x100 for NOT. */
sl_ast_t *sl_b_like(sl_pctx_t *pc, int opflags, sl_ast_t *l, sl_ast_t *pat, sl_ast_t *esc)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_LIKE, NULL, 3);
    at_node(n, l);
    n->op = opflags & 0xff;
    if (opflags & 0x100) n->flags = SL_AF_NOT;
    sl_ast_set(n, 0, l);
    sl_ast_set(n, 1, pat);
    return checked(pc, sl_ast_set(n, 2, esc));
}

/* x [NOT] BETWEEN lo AND hi. */
sl_ast_t *sl_b_between(sl_pctx_t *pc, unsigned notflag, sl_ast_t *x, sl_ast_t *lo, sl_ast_t *hi)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_BETWEEN, NULL, 3);
    at_node(n, x);
    n->flags = notflag;
    sl_ast_set(n, 0, x);
    sl_ast_set(n, 1, lo);
    return checked(pc, sl_ast_set(n, 2, hi));
}

/* x [NOT] IN (list) or (query). */
sl_ast_t *sl_b_in(sl_pctx_t *pc, unsigned notflag, sl_ast_t *x, sl_ast_t *set)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_IN, NULL, 2);
    at_node(n, x);
    n->flags = notflag;
    sl_ast_set(n, 0, x);
    return checked(pc, sl_ast_set(n, 1, set));
}

/* A one-kid wrapper: EXISTS, SUBQUERY or CURSOR around a query. */
sl_ast_t *sl_b_wrap(sl_pctx_t *pc, sl_ast_kind_t kind, const sl_token_t *at, sl_ast_t *q)
{
    sl_ast_t *n = sl_b_node(pc, kind, at, 1);
    return checked(pc, sl_ast_set(n, 0, q));
}

/* CASE [operand] whens [ELSE e] END. */
sl_ast_t *sl_b_case(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *operand, sl_ast_t *whens,
                    sl_ast_t *els)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CASE, at, 3);
    sl_ast_set(n, 0, operand);
    sl_ast_set(n, 1, whens);
    return checked(pc, sl_ast_set(n, 2, els));
}

/* WHEN c THEN r. */
sl_ast_t *sl_b_when(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *c, sl_ast_t *r)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_WHEN, at, 2);
    sl_ast_set(n, 0, c);
    return checked(pc, sl_ast_set(n, 1, r));
}

/* CAST(e AS type). */
sl_ast_t *sl_b_cast(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *e, sl_ast_t *type)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CAST, at, 2);
    sl_ast_set(n, 0, e);
    return checked(pc, sl_ast_set(n, 1, type));
}

/*
 * A CALL. The grammar shares one rule set among FLOOR, CEIL, SUBSTRING, TRIM and OVERLAY;
 * here each special syntax is checked against the function it was used with (TRIM('x' FROM
 * s) arrives as the FROM form and is turned into a TRIM).
 */
sl_ast_t *sl_b_call(sl_pctx_t *pc, const sl_token_t *name, int form, unsigned flags, sl_ast_t *args)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_CALL, name, 2);
    n->name = sl_b_ident(name);
    check_ident(pc, name, n->name);
    n->flags = flags;
    const char *f = n->name;
    int is_sub = !strcmp(f, "SUBSTRING"), is_trim = !strcmp(f, "TRIM");
    if (form == SL_CALL_SUBSTRING_FROM && is_trim) form = SL_CALL_TRIM;
    const char *bad = NULL;
    switch (form) {
    case SL_CALL_FLOOR_TO:
        if (strcmp(f, "FLOOR") && strcmp(f, "CEIL") && strcmp(f, "CEILING")) bad = "x TO unit";
        break;
    case SL_CALL_SUBSTRING_FROM:
    case SL_CALL_SUBSTRING_SIMILAR:
        if (!is_sub) bad = form == SL_CALL_SUBSTRING_FROM ? "x FROM y" : "x SIMILAR y ESCAPE z";
        break;
    case SL_CALL_TRIM:
        if (!is_trim) bad = "LEADING/TRAILING/BOTH ... FROM";
        break;
    case SL_CALL_OVERLAY:
        if (strcmp(f, "OVERLAY")) bad = "x PLACING y FROM z";
        break;
    default:
        break;
    }
    if (bad) sl_perr_tok(pc, name, "the %s syntax does not apply to %s", bad, f);
    n->op = form;
    return checked(pc, sl_ast_set(n, 0, args));
}

/* Adds the [FROM FIRST|LAST] [IGNORE|RESPECT NULLS] flags and the OVER window to a call. */
sl_ast_t *sl_b_call_tail(sl_pctx_t *pc, sl_ast_t *call, unsigned flags, sl_ast_t *over)
{
    call->flags |= flags;
    return checked(pc, sl_ast_set(call, 1, over));
}

/* Records the unit of EXTRACT / FLOOR TO / CEIL TO. */
sl_ast_t *sl_b_call_unit(sl_pctx_t *pc, sl_ast_t *call, const sl_token_t *unit)
{
    (void)pc;
    call->qual.unit = unit_of(unit);
    return call;
}

/* (first, rest...) or PERIOD (a, b): first and rest are LISTs whose items become kids. */
sl_ast_t *sl_b_row(sl_pctx_t *pc, const sl_token_t *at, unsigned flags, sl_ast_t *first,
                   sl_ast_t *rest)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_ROW, at, 0);
    n->flags = flags;
    sl_ast_t *parts[2] = {first, rest};
    for (int k = 0; k < 2; k++) {
        if (!parts[k]) continue;
        for (int i = 0; i < parts[k]->nkids; i++) sl_ast_append(n, sl_ast_take(parts[k], i));
        sl_ast_free(parts[k]);
    }
    return checked(pc, n);
}

/* l <temporal predicate> r; a TEMPORAL left operand makes a chain (see parser.h). */
sl_ast_t *sl_b_temporal(sl_pctx_t *pc, int op, sl_ast_t *l, sl_ast_t *r)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_TEMPORAL, NULL, 2);
    at_node(n, l);
    n->op = op;
    sl_ast_set(n, 0, l);
    return checked(pc, sl_ast_set(n, 1, r));
}

/* (e) qualifier: a datetime difference read as an interval. */
sl_ast_t *sl_b_interval_of(sl_pctx_t *pc, const sl_token_t *at, sl_ast_t *e, sl_qual_t q)
{
    sl_ast_t *n = sl_b_node(pc, SL_AST_INTERVAL_OF, at, 1);
    n->qual = q;
    return checked(pc, sl_ast_set(n, 0, e));
}
