/*
 * bind_expr.c - binding and typing of expressions: names to columns, literals to values,
 * operators to typed operations with implicit casts made explicit (so the runtime only
 * ever combines values of one type), function calls to registry entries.
 */
#include "planner_int.h"

#include "alloc.h"
#include "pattern.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert((int)SL_UNIT_SECOND == (int)SL_FN_UNIT_SECOND &&
                   (int)SL_UNIT_YEAR == (int)SL_FN_UNIT_YEAR,
               "parser and registry units must agree");
_Static_assert((unsigned)SL_AF_TRIM_LEADING == (unsigned)SL_FN_TRIM_LEADING &&
                   (unsigned)SL_AF_TRIM_TRAILING == (unsigned)SL_FN_TRIM_TRAILING &&
                   (unsigned)SL_AF_TRIM_BOTH == (unsigned)SL_FN_TRIM_BOTH,
               "parser and registry TRIM flags must agree");
_Static_assert((unsigned)SL_AF_IGNORE_NULLS == (unsigned)SL_FN_IGNORE_NULLS &&
                   (unsigned)SL_AF_RESPECT_NULLS == (unsigned)SL_FN_RESPECT_NULLS &&
                   (unsigned)SL_AF_FROM_FIRST == (unsigned)SL_FN_FROM_FIRST &&
                   (unsigned)SL_AF_FROM_LAST == (unsigned)SL_FN_FROM_LAST,
               "parser and registry null-treatment flags must agree");
_Static_assert((unsigned)SL_AF_PERIOD < (unsigned)SL_FN_SUBSTRING_SIMILAR,
               "the planner's call flags must stay above the parser's");

/* A private allow bit: the call may be a row function (sl_bind_row_item binds it). */
#define BIND_ROW_CALL 0x100

/* New node; see planner_int.h. */
sl_expr_t *sl_expr_new(sl_ex_kind_t kind, sl_type_t t, const sl_ast_t *n)
{
    sl_expr_t *e = SL_NEW(sl_expr_t);
    e->kind = kind;
    e->type = t;
    if (n) {
        e->line = n->line;
        e->col = n->col;
    }
    return e;
}

/* Column reference; see planner_int.h. */
sl_expr_t *sl_expr_col(int ix, sl_type_t t)
{
    sl_expr_t *e = sl_expr_new(SL_EX_COL, t, NULL);
    e->col_ix = ix;
    return e;
}

/* Frees a tree; see plan.h. */
void sl_expr_free(sl_expr_t *e)
{
    if (!e) return;
    for (int i = 0; i < e->nargs; i++) sl_expr_free(e->args[i]);
    sl_free(e->args);
    sl_free(e->s);
    sl_free((void *)e->call.args);
    sl_free(e);
}

/* Appends an argument to e. */
static void add_arg(sl_expr_t *e, sl_expr_t *a)
{
    e->args = sl_realloc(e->args, sizeof(sl_expr_t *) * (size_t)(e->nargs + 1));
    e->args[e->nargs++] = a;
}

/* Deep copy; see planner_int.h. */
sl_expr_t *sl_expr_copy(const sl_expr_t *e)
{
    if (!e) return NULL;
    sl_expr_t *c = SL_NEW(sl_expr_t);
    *c = *e;
    c->args = NULL;
    c->nargs = 0;
    if (e->s) {
        c->s = sl_malloc(e->slen + 1);
        memcpy(c->s, e->s, e->slen + 1);
    }
    if (e->call.args) {
        sl_type_t *t = SL_NEWN(sl_type_t, e->call.nargs ? e->call.nargs : 1);
        memcpy(t, e->call.args, sizeof(sl_type_t) * (size_t)e->call.nargs);
        c->call.args = t;
    }
    for (int i = 0; i < e->nargs; i++) add_arg(c, sl_expr_copy(e->args[i]));
    return c;
}

/* Equality of types for expression comparison. */
static bool type_eq(sl_type_t a, sl_type_t b)
{
    return a.id == b.id && a.scale == b.scale && a.len == b.len;
}

/* Structural equality; see planner_int.h. */
bool sl_expr_equal(const sl_expr_t *a, const sl_expr_t *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || !type_eq(a->type, b->type) || a->op != b->op ||
        a->nargs != b->nargs || a->unit != b->unit || a->fn != b->fn ||
        a->call.field != b->call.field || a->call.unit != b->call.unit ||
        a->call.flags != b->call.flags)
        return false;
    switch (a->kind) {
    case SL_EX_COL:
        if (a->col_ix != b->col_ix) return false;
        break;
    case SL_EX_ROWTIME:
        if (a->qualified != b->qualified) return false;
        break;
    case SL_EX_CONST:
        if (a->null != b->null || a->i != b->i || a->f != b->f || a->slen != b->slen) return false;
        if (a->s && memcmp(a->s, b->s, a->slen)) return false;
        break;
    default: break;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!sl_expr_equal(a->args[i], b->args[i])) return false;
    return true;
}

/* True when the tree holds a node of a kind; see planner_int.h. */
bool sl_expr_has(const sl_expr_t *e, sl_ex_kind_t kind)
{
    if (!e) return false;
    if (e->kind == kind) return true;
    for (int i = 0; i < e->nargs; i++)
        if (sl_expr_has(e->args[i], kind)) return true;
    return false;
}

/* Type of a TYPE node; see planner_int.h. */
sl_type_t sl_type_of_ast(const sl_ast_t *t)
{
    static const sl_tid_t map[] = {
        [SL_TYPE_BOOLEAN] = SL_T_BOOLEAN,     [SL_TYPE_TINYINT] = SL_T_TINYINT,
        [SL_TYPE_SMALLINT] = SL_T_SMALLINT,   [SL_TYPE_INTEGER] = SL_T_INTEGER,
        [SL_TYPE_BIGINT] = SL_T_BIGINT,       [SL_TYPE_REAL] = SL_T_REAL,
        [SL_TYPE_DOUBLE] = SL_T_DOUBLE,       [SL_TYPE_FLOAT] = SL_T_DOUBLE,
        [SL_TYPE_DECIMAL] = SL_T_DECIMAL,     [SL_TYPE_CHAR] = SL_T_CHAR,
        [SL_TYPE_VARCHAR] = SL_T_VARCHAR,     [SL_TYPE_BINARY] = SL_T_BINARY,
        [SL_TYPE_VARBINARY] = SL_T_VARBINARY, [SL_TYPE_DATE] = SL_T_DATE,
        [SL_TYPE_TIME] = SL_T_TIME,           [SL_TYPE_TIMESTAMP] = SL_T_TIMESTAMP,
        [SL_TYPE_INTERVAL] = SL_T_INTERVAL_DS,
    };
    sl_type_t r = sl_type_make(map[t->op]);
    if (t->op == SL_TYPE_INTERVAL &&
        (t->qual.unit == SL_UNIT_YEAR || t->qual.unit == SL_UNIT_MONTH))
        r = sl_type_make(SL_T_INTERVAL_YM);
    if (r.id == SL_T_DECIMAL) {
        r.prec = (int8_t)(t->qual.prec > 0 ? t->qual.prec : SL_DECIMAL_MAX_PREC);
        r.scale = (int8_t)(t->qual.prec2 > 0 ? t->qual.prec2 : 0);
    } else if (sl_type_is_string(r) || sl_type_is_binary(r)) {
        if (t->qual.prec > 0) r.len = t->qual.prec;
        else if (r.id == SL_T_CHAR || r.id == SL_T_BINARY) r.len = 1;
    }
    return r;
}

/* Coerces; see planner_int.h. */
sl_expr_t *sl_expr_coerce(sl_expr_t *e, sl_type_t t)
{
    if (!e) return NULL;
    if (e->type.id == t.id && sl_type_scale(e->type) == sl_type_scale(t)) {
        /* Same type: nothing to do unless a string must be cut to a shorter length. */
        if (!sl_type_is_string(t) || e->type.len <= t.len) {
            if (sl_type_is_string(t)) e->type.len = t.len;
            return e;
        }
    }
    if (e->type.id == SL_T_NULL && e->kind == SL_EX_CONST) {
        e->type = t;
        e->type.not_null = 0;
        return e;
    }
    sl_expr_t *c = sl_expr_new(SL_EX_CAST, t, NULL);
    c->line = e->line;
    c->col = e->col;
    c->type.not_null = e->type.not_null;
    add_arg(c, e);
    return c;
}

/* Interval literal value; see planner_int.h. */
bool sl_interval_value(const char *text, const sl_qual_t *q, bool negative, int64_t *out,
                       bool *year_month)
{
    static const int64_t unit_ms[] = {0, 0, 0, 86400000LL, 3600000LL, 60000LL, 1000LL};
    int lead = q->unit, trail = q->unit2 != SL_UNIT_NONE ? q->unit2 : q->unit;
    const char *p = text;
    bool neg = negative;
    while (*p == ' ') p++;
    if (*p == '-') {
        neg = !neg;
        p++;
    } else if (*p == '+') {
        p++;
    }
    *year_month = lead == SL_UNIT_YEAR || lead == SL_UNIT_MONTH;
    int64_t total = 0;
    for (int u = lead; u <= trail; u++) {
        if (!isdigit((unsigned char)*p)) return false;
        /* Every step is checked: an interval too large for int64 milliseconds (or months)
         * is an invalid literal, not an overflow. */
        int64_t v = 0, add;
        while (isdigit((unsigned char)*p))
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p++ - '0', &v))
                return false;
        if (*year_month) {
            if (__builtin_mul_overflow(v, u == SL_UNIT_YEAR ? 12 : 1, &add) ||
                __builtin_add_overflow(total, add, &total))
                return false;
        } else if (u == SL_UNIT_SECOND) {
            if (__builtin_mul_overflow(v, 1000, &add) || __builtin_add_overflow(total, add, &total))
                return false;
            if (*p == '.') {
                p++;
                int64_t frac = 0, nd = 0;
                while (isdigit((unsigned char)*p)) {
                    if (nd < 3) frac = frac * 10 + (*p - '0');
                    nd++;
                    p++;
                }
                for (; nd < 3; nd++) frac *= 10;
                if (__builtin_add_overflow(total, frac, &total)) return false;
            }
        } else {
            if (__builtin_mul_overflow(v, unit_ms[u], &add) ||
                __builtin_add_overflow(total, add, &total))
                return false;
        }
        if (u < trail) {
            if (*p != '-' && *p != ':' && *p != ' ') return false;
            p++;
        }
    }
    while (*p == ' ') p++;
    if (*p) return false;
    *out = neg ? -total : total;
    return true;
}

/* Reports an error at node n and returns NULL. */
static sl_expr_t *fail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sl_expr_t *fail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sl_diag_add(b->d, n ? n->line : 1, n ? n->col : 1, "%s", msg);
    return NULL;
}

/* The spelling of a type for messages (static rotating buffers). */
static const char *tname(sl_type_t t)
{
    static char bufs[4][48];
    static int k;
    char *s = bufs[k++ & 3];
    sl_type_format(t, s, 48);
    return s;
}

/* A literal. */
static sl_expr_t *bind_literal(sl_binder_t *b, const sl_ast_t *n)
{
    sl_expr_t *e = sl_expr_new(SL_EX_CONST, sl_type_make(SL_T_NULL), n);
    e->type.not_null = 1;
    switch (n->op) {
    case SL_LIT_INTEGER: {
        errno = 0;
        char *end;
        long long v = strtoll(n->text, &end, 10);
        if (errno || *end) {
            sl_expr_free(e);
            return fail(b, n, "integer literal %s is out of range", n->text);
        }
        e->i = v;
        e->type = sl_type_make(v >= INT32_MIN && v <= INT32_MAX ? SL_T_INTEGER : SL_T_BIGINT);
        break;
    }
    case SL_LIT_DECIMAL: {
        const char *dot = strchr(n->text, '.');
        int scale = dot ? (int)strlen(dot + 1) : 0, digits = 0;
        int64_t v = 0;
        for (const char *p = n->text; *p; p++) {
            if (!isdigit((unsigned char)*p)) continue;
            if (++digits > 18) {
                sl_expr_free(e);
                return fail(b, n, "decimal literal %s has more than 18 digits", n->text);
            }
            v = v * 10 + (*p - '0');
        }
        e->i = v;
        e->type = sl_type_make(SL_T_DECIMAL);
        e->type.prec = (int8_t)(digits ? digits : 1);
        e->type.scale = (int8_t)scale;
        break;
    }
    case SL_LIT_APPROX:
        e->f = strtod(n->text, NULL);
        e->type = sl_type_make(SL_T_DOUBLE);
        break;
    case SL_LIT_STRING:
        e->slen = (uint32_t)strlen(n->text);
        e->s = sl_strdup(n->text);
        e->type = sl_type_make(SL_T_VARCHAR);
        e->type.len = e->slen ? (int32_t)e->slen : 1;
        break;
    case SL_LIT_BINARY: {
        size_t len = strlen(n->text) / 2;
        e->s = sl_malloc(len + 1);
        for (size_t i = 0; i < len; i++) {
            unsigned v;
            sscanf(n->text + 2 * i, "%2x", &v);
            e->s[i] = (char)v;
        }
        e->s[len] = 0;
        e->slen = (uint32_t)len;
        e->type = sl_type_make(SL_T_VARBINARY);
        e->type.len = len ? (int32_t)len : 1;
        break;
    }
    case SL_LIT_TRUE:
    case SL_LIT_FALSE:
        e->i = n->op == SL_LIT_TRUE;
        e->type = sl_type_make(SL_T_BOOLEAN);
        break;
    case SL_LIT_UNKNOWN:
        e->null = true;
        e->type = sl_type_make(SL_T_BOOLEAN);
        break;
    case SL_LIT_NULL:
        e->null = true;
        break;
    case SL_LIT_DATE:
    case SL_LIT_TIMESTAMP: {
        int64_t ms;
        if (!sl_parse_timestamp(n->text, strlen(n->text), &ms)) {
            sl_expr_free(e);
            return fail(b, n, "'%s' is not a valid %s", n->text,
                        n->op == SL_LIT_DATE ? "DATE" : "TIMESTAMP");
        }
        if (n->op == SL_LIT_DATE) {
            e->i = ms / 86400000;
            e->type = sl_type_make(SL_T_DATE);
        } else {
            e->i = ms;
            e->type = sl_type_make(SL_T_TIMESTAMP);
        }
        break;
    }
    case SL_LIT_TIME:
        if (!sl_parse_time(n->text, strlen(n->text), &e->i)) {
            sl_expr_free(e);
            return fail(b, n, "'%s' is not a valid TIME", n->text);
        }
        e->type = sl_type_make(SL_T_TIME);
        break;
    case SL_LIT_INTERVAL: {
        bool ym;
        if (!sl_interval_value(n->text, &n->qual, n->flags & SL_AF_NEGATIVE, &e->i, &ym)) {
            sl_expr_free(e);
            return fail(b, n, "'%s' does not match the INTERVAL qualifier", n->text);
        }
        e->type = sl_type_make(ym ? SL_T_INTERVAL_YM : SL_T_INTERVAL_DS);
        break;
    }
    }
    e->type.not_null = !e->null;
    return e;
}

/* Finds a column by name in the scope (qualifier optional). Exact match first, then a
 * unique case-insensitive one. Returns the index, -1 absent, -2 ambiguous. */
static int find_col(const sl_scope_t *sc, const char *rel, const char *name)
{
    for (int pass = 0; pass < 2; pass++) {
        int found = -1;
        for (int i = 0; i < sc->n; i++) {
            const sl_scol_t *c = &sc->cols[i];
            if (!c->name || (c->merged && !rel)) continue;
            if (rel && (!c->rel || (pass ? strcasecmp(c->rel, rel) : strcmp(c->rel, rel))))
                continue;
            if (pass ? strcasecmp(c->name, name) : strcmp(c->name, name)) continue;
            if (found >= 0) return -2;
            found = i;
        }
        if (found >= 0) return found;
    }
    return -1;
}

/* True when the scope has a relation named rel. */
static bool has_rel(const sl_scope_t *sc, const char *rel)
{
    for (int i = 0; i < sc->n; i++)
        if (sc->cols[i].rel && !strcasecmp(sc->cols[i].rel, rel)) return true;
    return false;
}

/* The niladic datetime functions, written without parentheses (CURRENT_TIMESTAMP). */
static const char *const niladic[] = {"CURRENT_DATE",   "CURRENT_TIME",     "CURRENT_TIMESTAMP",
                                      "LOCALTIME",      "LOCALTIMESTAMP",   "CURRENT_ROW_TIMESTAMP"};

/* A call of a registry function with no arguments (CURRENT_TIMESTAMP). */
static sl_expr_t *bind_niladic(sl_binder_t *b, const sl_ast_t *n, const char *name)
{
    const sl_fn_def_t *fn = sl_fn_lookup(name);
    if (!fn) return fail(b, n, "unknown function %s", name);
    sl_expr_t *e = sl_expr_new(SL_EX_CALL, sl_type_make(SL_T_NULL), n);
    e->fn = fn;
    e->call.args = SL_NEWN(sl_type_t, 1);
    char err[256] = "";
    if (!fn->type_rule(&e->call, &e->type, err, sizeof err)) {
        sl_expr_free(e);
        return fail(b, n, "%s: %s", name, err);
    }
    return e;
}

/*
 * A column reference: a, t.a, ROWTIME, t.ROWTIME, and the fields of a row-valued column:
 * t.r.COLUMN1 (or r.COLUMN1 when no relation is called r). A row column r of a subquery
 * is a run of columns named "R.COLUMN1", "R.COLUMN2", ... (sl_bind_row_item), so a field
 * is looked up as the column "r.f". An unknown bare name that is a niladic function
 * (CURRENT_TIMESTAMP, ...) is a call of it.
 */
static sl_expr_t *bind_colref(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n)
{
    const char *rel = NULL, *name;
    char field[272];
    if (b->frame && n->nkids == 1) {
        /* In a function's body a name is one of its parameters (bound to the argument). */
        const sl_ast_t *params = b->frame->fn->def->kids[0];
        for (int i = 0; i < b->frame->fn->nparams; i++)
            if (!strcmp(params->kids[i]->name, n->kids[0]->name)) {
                sl_expr_t *e = sl_expr_copy(b->frame->args[i]);
                return e;
            }
    }
    if (n->nkids == 1) {
        name = n->kids[0]->name;
    } else if (n->nkids == 2) {
        rel = n->kids[0]->name;
        name = n->kids[1]->name;
        if (strcmp(name, "ROWTIME") && !has_rel(sc, rel)) {
            /* r.f with r a row column of an unnamed relation */
            snprintf(field, sizeof field, "%s.%s", rel, name);
            if (find_col(sc, NULL, field) >= 0) {
                rel = NULL;
                name = field;
            }
        }
    } else if (n->nkids == 3) {
        rel = n->kids[0]->name;
        snprintf(field, sizeof field, "%s.%s", n->kids[1]->name, n->kids[2]->name);
        name = field;
    } else {
        return fail(b, n, "a column reference has at most three parts (t.r.COLUMN1)");
    }
    if (!strcmp(name, "ROWTIME")) {
        if (rel && !has_rel(sc, rel)) return fail(b, n, "unknown stream or alias '%s'", rel);
        sl_expr_t *e = sl_expr_new(SL_EX_ROWTIME, sl_type_make(SL_T_TIMESTAMP), n);
        e->type.not_null = 1;
        e->qualified = rel != NULL;
        return e;
    }
    if (rel && !has_rel(sc, rel)) return fail(b, n, "unknown stream or alias '%s'", rel);
    int ix = find_col(sc, rel, name);
    if (ix == -2) return fail(b, n, "column name '%s' is ambiguous", name);
    if (ix < 0) {
        if (!rel)
            for (size_t k = 0; k < sizeof niladic / sizeof niladic[0]; k++)
                if (!strcmp(name, niladic[k])) return bind_niladic(b, n, name);
        if (n->nkids == 3)
            return fail(b, n, "'%s' has no field '%s' (or is not a row-valued column)",
                        n->kids[1]->name, n->kids[2]->name);
        if (rel) return fail(b, n, "unknown column '%s' in '%s'", name, rel);
        if (b->frame)
            return fail(b, n, "unknown name '%s': the body of %s sees only its parameters", name,
                        b->frame->fn->name);
        return fail(b, n, "unknown column '%s'", name);
    }
    sl_expr_t *e = sl_expr_col(ix, sc->cols[ix].type);
    e->line = n->line;
    e->col = n->col;
    return e;
}

/* Builds an OP node over the given arguments. */
static sl_expr_t *mk_op(int op, sl_type_t t, const sl_ast_t *at, sl_expr_t *a, sl_expr_t *c)
{
    sl_expr_t *e = sl_expr_new(SL_EX_OP, t, at);
    e->op = op;
    if (a) add_arg(e, a);
    if (c) add_arg(e, c);
    return e;
}

/* Requires a BOOLEAN (or NULL) operand. */
static bool want_bool(sl_binder_t *b, const sl_ast_t *at, sl_expr_t *e, const char *what)
{
    if (e->type.id == SL_T_BOOLEAN) return true;
    if (e->type.id == SL_T_NULL) {
        e->type = sl_type_make(SL_T_BOOLEAN);
        return true;
    }
    fail(b, at, "%s needs a BOOLEAN operand, got %s", what, tname(e->type));
    return false;
}

/* Types a comparison: both sides to their common type. */
static sl_expr_t *bind_compare(sl_binder_t *b, const sl_ast_t *at, int op, sl_expr_t *l,
                               sl_expr_t *r)
{
    sl_type_t ct;
    if (!sl_type_common(l->type, r->type, &ct)) {
        const char *ln = tname(l->type), *rn = tname(r->type);
        sl_expr_free(l);
        sl_expr_free(r);
        return fail(b, at, "type mismatch: cannot compare %s with %s", ln, rn);
    }
    bool nn = l->type.not_null && r->type.not_null;
    if (ct.id == SL_T_NULL) ct = sl_type_make(SL_T_BOOLEAN);
    l = sl_expr_coerce(l, ct);
    r = sl_expr_coerce(r, ct);
    sl_type_t bt = sl_type_make(SL_T_BOOLEAN);
    bt.not_null = nn || op == SL_XOP_IS_DISTINCT || op == SL_XOP_IS_NOT_DISTINCT;
    return mk_op(op, bt, at, l, r);
}

sl_expr_t *sl_bind_compare(sl_binder_t *b, const sl_ast_t *at, int op, sl_expr_t *a, sl_expr_t *c)
{
    return bind_compare(b, at, op, a, c);
}

sl_expr_t *sl_expr_and(sl_expr_t *a, sl_expr_t *c)
{
    sl_type_t t = sl_type_make(SL_T_BOOLEAN);
    t.not_null = a->type.not_null && c->type.not_null;
    sl_expr_t *e = mk_op(SL_XOP_AND, t, NULL, a, c);
    e->line = a->line;
    e->col = a->col;
    return e;
}

/* Types arithmetic (+ - * /) following the KDA rules; see types.h for DECIMAL. */
static sl_expr_t *bind_arith(sl_binder_t *b, const sl_ast_t *at, int op, sl_expr_t *l,
                             sl_expr_t *r)
{
    sl_type_t lt = l->type, rt = r->type, res;
    bool nn = lt.not_null && rt.not_null;
    if (lt.id == SL_T_NULL) lt = l->type = rt.id == SL_T_NULL ? sl_type_make(SL_T_INTEGER) : rt;
    if (rt.id == SL_T_NULL) rt = r->type = lt;
    if (sl_type_is_numeric(lt) && sl_type_is_numeric(rt)) {
        if (!sl_type_common(lt, rt, &res)) goto mismatch;
        if (res.id == SL_T_DECIMAL) {
            int s1 = sl_type_scale(lt), s2 = sl_type_scale(rt);
            int p1 = sl_type_digits(lt), p2 = sl_type_digits(rt);
            if (op == SL_XOP_ADD || op == SL_XOP_SUB) {
                l = sl_expr_coerce(l, res);
                r = sl_expr_coerce(r, res);
                int p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + res.scale + 1;
                res.prec = (int8_t)(p > 18 ? 18 : p);
            } else if (op == SL_XOP_MUL) {
                int s = s1 + s2 > 18 ? 18 : s1 + s2, p = p1 + p2 > 18 ? 18 : p1 + p2;
                res.prec = (int8_t)(p < s ? s : p);
                res.scale = (int8_t)s;
            } else {
                int s = s1 + p2 + 1;
                if (s < 6) s = 6;
                if (s > 12) s = s1 > 6 ? s1 : 6;
                res.prec = 18;
                res.scale = (int8_t)s;
            }
        } else {
            l = sl_expr_coerce(l, res);
            r = sl_expr_coerce(r, res);
        }
    } else if (lt.id == SL_T_TIMESTAMP && sl_type_is_interval(rt) &&
               (op == SL_XOP_ADD || op == SL_XOP_SUB)) {
        res = lt;
    } else if (sl_type_is_interval(lt) && rt.id == SL_T_TIMESTAMP && op == SL_XOP_ADD) {
        res = rt;
        sl_expr_t *t = l;
        l = r;
        r = t;
    } else if (sl_type_is_interval(lt) && lt.id == rt.id &&
               (op == SL_XOP_ADD || op == SL_XOP_SUB)) {
        res = lt;
    } else if (sl_type_is_interval(lt) && sl_type_is_integer(rt) &&
               (op == SL_XOP_MUL || op == SL_XOP_DIV)) {
        res = lt;
        r = sl_expr_coerce(r, sl_type_make(SL_T_BIGINT));
    } else if (sl_type_is_integer(lt) && sl_type_is_interval(rt) && op == SL_XOP_MUL) {
        res = rt;
        sl_expr_t *t = sl_expr_coerce(l, sl_type_make(SL_T_BIGINT));
        l = r;
        r = t;
    } else if (lt.id == SL_T_DATE && sl_type_is_interval(rt) &&
               (op == SL_XOP_ADD || op == SL_XOP_SUB)) {
        res = sl_type_make(SL_T_TIMESTAMP);
        l = sl_expr_coerce(l, res);
    } else {
        goto mismatch;
    }
    res.not_null = nn && op != SL_XOP_DIV;
    return mk_op(op, res, at, l, r);
mismatch: {
    static const char *sp[] = {"+", "-", "*", "/"};
    const char *ln = tname(lt), *rn = tname(rt);
    sl_expr_free(l);
    sl_expr_free(r);
    return fail(b, at, "type mismatch: cannot apply %s to %s and %s", sp[op - SL_XOP_ADD], ln,
                rn);
}
}

static sl_expr_t *bind(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, int allow);

/*
 * Runs the type rule of call e with its constant arguments visible to the rule
 * (call.consts, for the formats of the log parsers), for field `field` of a row function
 * (0 otherwise); with row != NULL the rule also compiles the row. The result type goes to
 * *out; false with a message in err when the rule rejects the call.
 */
static bool run_rule(sl_expr_t *e, int field, sl_fn_row_t *row, sl_type_t *out, char *err,
                     size_t errlen)
{
    sl_fn_const_t *c = SL_NEWN(sl_fn_const_t, e->nargs ? e->nargs : 1);
    for (int i = 0; i < e->nargs; i++) {
        const sl_expr_t *a = e->args[i];
        if (a->kind != SL_EX_CONST || a->null) continue;
        c[i].is_const = true;
        if (sl_type_phys(a->type) == SL_PHYS_STR) {
            c[i].is_str = true;
            c[i].s = a->s ? a->s : "";
            c[i].slen = a->slen;
        } else {
            c[i].i = a->i;
        }
    }
    e->call.consts = c;
    e->call.field = field;
    e->call.row = row;
    bool ok = e->fn->type_rule(&e->call, out, err, errlen);
    e->call.consts = NULL;
    e->call.row = NULL;
    sl_free(c);
    return ok;
}

/* A function call: special forms, aggregates, registry scalars. */
/* The conversions cast_to makes, which word its error. */
typedef enum { CONV_CAST, CONV_ARGUMENT, CONV_RETURN } conv_t;

/*
 * CAST(a AS t) with SQL's cast matrix (consumes a): an explicit CAST, a function's argument
 * passed to its parameter, or its body returned as the RETURNS type.
 */
static sl_expr_t *cast_to(sl_binder_t *b, const sl_ast_t *at, sl_expr_t *a, sl_type_t t,
                          conv_t what)
{
    sl_type_t f = a->type;
    bool ok = f.id == SL_T_NULL || f.id == t.id ||
              (sl_type_is_numeric(f) && (sl_type_is_numeric(t) || sl_type_is_string(t))) ||
              sl_type_is_string(f) || (sl_type_is_string(t) && f.id != SL_T_NULL) ||
              (sl_type_is_datetime(f) && sl_type_is_datetime(t)) ||
              (sl_type_is_binary(f) && sl_type_is_binary(t)) ||
              (sl_type_is_interval(f) && sl_type_is_exact(t)) ||
              (f.id == SL_T_BOOLEAN && sl_type_is_integer(t));
    if (!ok) {
        if (what == CONV_CAST) fail(b, at, "cannot CAST %s to %s", tname(f), tname(t));
        else if (what == CONV_ARGUMENT)
            fail(b, at, "cannot pass %s to a parameter of type %s", tname(f), tname(t));
        else fail(b, at, "the body is %s, which cannot be returned as %s", tname(f), tname(t));
        sl_expr_free(a);
        return NULL;
    }
    /* An explicit CAST is kept as written; an argument or a return value is converted
     * only when its type differs. */
    if (what != CONV_CAST) return sl_expr_coerce(a, t);
    t.not_null = 0;
    sl_expr_t *e = sl_expr_new(SL_EX_CAST, t, at);
    add_arg(e, a);
    return e;
}

/* The application's function named name, or NULL. */
static const sl_udf_t *find_udf(const sl_binder_t *b, const char *name)
{
    for (int i = 0; i < b->nudfs; i++)
        if (!strcmp(b->udfs[i].name, name)) return &b->udfs[i];
    return NULL;
}

/* A function may call the functions defined before it; this bounds the inlining depth
 * (a definition cannot call itself: its name is not defined while its body is checked). */
#define UDF_MAX_DEPTH 32
/* Inlining copies an argument at each use of its parameter, so nested calls can grow
 * exponentially; a call whose expansion passes this many expression nodes is refused. */
#define UDF_MAX_NODES 20000

/* The number of nodes of e, counting up to limit + 1 at most. */
static int expr_size(const sl_expr_t *e, int limit)
{
    int n = 1;
    for (int i = 0; i < e->nargs && n <= limit; i++)
        if (e->args[i]) n += expr_size(e->args[i], limit - n);
    return n;
}

/*
 * Binds the body of u with its parameters standing for args[0..nparams) (owned; already
 * cast to the parameters' types; freed here): the body as an expression of the RETURNS
 * type, wrapped in CASE WHEN a1 IS NULL OR ... THEN NULL ELSE body END for RETURNS NULL
 * ON NULL INPUT. `at` is where the call (or the definition) is written.
 */
static sl_expr_t *bind_udf_body(sl_binder_t *b, const sl_udf_t *u, sl_expr_t **args,
                                const sl_ast_t *at)
{
    int depth = b->frame ? b->frame->depth + 1 : 1;
    sl_expr_t *body = NULL;
    if (depth > UDF_MAX_DEPTH) {
        fail(b, at, "%s: functions nest more than %d calls deep", u->name, UDF_MAX_DEPTH);
    } else {
        sl_udf_frame_t fr = {u, args, b->frame, depth, at};
        const sl_scope_t none = {.node = -1, .ref_ix = -1};
        const sl_udf_frame_t *saved = b->frame;
        b->frame = &fr;
        body = bind(b, &none, u->def->kids[2], 0);
        b->frame = saved;
        if (body) body = cast_to(b, u->def->kids[2], body, u->ret, CONV_RETURN);
        if (body && expr_size(body, UDF_MAX_NODES) > UDF_MAX_NODES) {
            /* Said at the outermost call, where the user can see the whole chain. */
            const sl_ast_t *where = at;
            const char *name = u->name;
            for (const sl_udf_frame_t *f = saved; f; f = f->up) where = f->call, name = f->fn->name;
            fail(b, where, "%s: the inlined functions expand to more than %d operations", name,
                 UDF_MAX_NODES);
            sl_expr_free(body);
            body = NULL;
        }
    }
    if (body && u->null_on_null && u->nparams > 0) {
        sl_expr_t *cond = NULL;
        for (int i = 0; i < u->nparams; i++) {
            sl_type_t bt = sl_type_make(SL_T_BOOLEAN);
            sl_expr_t *isnull = mk_op(SL_XOP_IS_NULL, bt, at, sl_expr_copy(args[i]), NULL);
            cond = cond ? mk_op(SL_XOP_OR, bt, at, cond, isnull) : isnull;
        }
        sl_expr_t *nul = sl_expr_new(SL_EX_CONST, body->type, at);
        nul->null = true;
        nul->type.not_null = 0;
        sl_type_t t = body->type;
        t.not_null = 0;
        sl_expr_t *c = sl_expr_new(SL_EX_OP, t, at);
        c->op = SL_XOP_CASE;
        add_arg(c, cond);
        add_arg(c, nul);
        add_arg(c, body);
        body = c;
    }
    for (int i = 0; i < u->nparams; i++) sl_expr_free(args[i]);
    sl_free(args);
    return body;
}

/* A call of the application's function u: arguments bound in the caller's scope and cast
 * to the parameters' types, then the body inlined (bind_udf_body). */
static sl_expr_t *bind_udf_call(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n,
                                const sl_udf_t *u, int allow)
{
    const sl_ast_t *args = n->nkids > 0 ? n->kids[0] : NULL;
    int nargs = args ? args->nkids : 0;
    if (n->nkids > 1 && n->kids[1]) return fail(b, n, "%s is not an aggregate and cannot take OVER", u->name);
    if (u->broken) return NULL; /* its definition's error is reported once, there */
    if (nargs != u->nparams)
        return fail(b, n, "%s takes %d argument%s, got %d", u->name, u->nparams,
                    u->nparams == 1 ? "" : "s", nargs);
    sl_expr_t **xs = SL_NEWN(sl_expr_t *, u->nparams ? u->nparams : 1);
    for (int i = 0; i < nargs; i++) {
        sl_expr_t *a = bind(b, sc, args->kids[i], allow & ~BIND_ROW_CALL);
        xs[i] = a ? cast_to(b, args->kids[i], a, u->ptypes[i], CONV_ARGUMENT) : NULL;
        if (!xs[i]) {
            for (int j = 0; j < i; j++) sl_expr_free(xs[j]);
            sl_free(xs);
            return NULL;
        }
    }
    return bind_udf_body(b, u, xs, n);
}

/* Names the binder reads itself before the registry: not available to CREATE FUNCTION. */
static bool is_builtin(const char *name)
{
    static const char *const special[] = {"MONOTONIC", "COALESCE", "NULLIF", "CAST", NULL};
    for (int i = 0; special[i]; i++)
        if (!strcmp(special[i], name)) return true;
    for (size_t k = 0; k < sizeof niladic / sizeof niladic[0]; k++)
        if (!strcmp(name, niladic[k])) return true;
    return sl_fn_lookup(name) != NULL;
}

void sl_bind_create_function(sl_binder_t *b, const sl_ast_t *st)
{
    const sl_ast_t *params = st->kids[0];
    if (is_builtin(st->name)) {
        fail(b, st, "%s is a built-in function; give the function another name", st->name);
        return;
    }
    const sl_udf_t *old = find_udf(b, st->name);
    if (old && !(st->flags & SL_AF_OR_REPLACE)) {
        fail(b, st, "function %s is already defined at line %d (use CREATE OR REPLACE FUNCTION)",
             st->name, old->def->line);
        return;
    }
    for (int i = 0; i < params->nkids; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(params->kids[i]->name, params->kids[j]->name)) {
                fail(b, params->kids[i], "parameter %s is declared twice", params->kids[i]->name);
                return;
            }
    sl_udf_t u = {.name = st->name, .def = st, .nparams = params->nkids,
                  .ret = sl_type_of_ast(st->kids[1]),
                  .null_on_null = (st->op & SL_FN_RETURNS_NULL_ON_NULL) != 0};
    u.ptypes = SL_NEWN(sl_type_t, u.nparams ? u.nparams : 1);
    for (int i = 0; i < u.nparams; i++) u.ptypes[i] = sl_type_of_ast(params->kids[i]->kids[0]);
    /* Check the body once with each parameter as an unknown value of its type (a column
     * of no relation); calls bind it again with their arguments. */
    sl_expr_t **xs = SL_NEWN(sl_expr_t *, u.nparams ? u.nparams : 1);
    for (int i = 0; i < u.nparams; i++) {
        xs[i] = sl_expr_col(i, u.ptypes[i]);
        xs[i]->type.not_null = 0;
    }
    sl_expr_t *body = bind_udf_body(b, &u, xs, st);
    u.broken = body == NULL;
    sl_expr_free(body);
    if (old) {
        sl_udf_t *slot = (sl_udf_t *)old;
        sl_free(slot->ptypes);
        *slot = u;
        return;
    }
    b->udfs = sl_realloc(b->udfs, sizeof *b->udfs * (size_t)(b->nudfs + 1));
    b->udfs[b->nudfs++] = u;
}

void sl_binder_free_udfs(sl_binder_t *b)
{
    for (int i = 0; i < b->nudfs; i++) sl_free(b->udfs[i].ptypes);
    sl_free(b->udfs);
    b->udfs = NULL;
    b->nudfs = 0;
}

static sl_expr_t *bind_call(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, int allow)
{
    const sl_ast_t *args = n->nkids > 0 ? n->kids[0] : NULL;
    const sl_ast_t *over = n->nkids > 1 ? n->kids[1] : NULL;
    int nargs = args ? args->nkids : 0;
    const char *name = n->name;
    if (!strcmp(name, "MONOTONIC")) {
        /* MONOTONIC(x) asserts that x never changes direction along the stream and
         * evaluates to x; the planner's rules see x itself (see the GROUP BY key check). */
        if (nargs != 1 || over || n->flags)
            return fail(b, n, "MONOTONIC takes one argument: MONOTONIC(expression)");
        return bind(b, sc, args->kids[0], allow);
    }
    if (!strcmp(name, "COALESCE") || !strcmp(name, "NULLIF")) {
        if (!strcmp(name, "NULLIF") && nargs != 2)
            return fail(b, n, "NULLIF takes 2 arguments");
        if (nargs < 1) return fail(b, n, "COALESCE needs at least one argument");
        sl_expr_t **xs = SL_NEWN(sl_expr_t *, nargs);
        sl_type_t ct = sl_type_make(SL_T_NULL);
        for (int i = 0; i < nargs; i++) {
            xs[i] = bind(b, sc, args->kids[i], allow);
            if (xs[i] && !sl_type_common(ct, xs[i]->type, &ct)) {
                fail(b, args->kids[i], "type mismatch: %s argument of type %s",
                     name, tname(xs[i]->type));
                sl_expr_free(xs[i]);
                xs[i] = NULL;
            }
        }
        for (int i = 0; i < nargs; i++)
            if (!xs[i]) {
                for (int j = 0; j < nargs; j++) sl_expr_free(xs[j]);
                sl_free(xs);
                return NULL;
            }
        sl_expr_t *e;
        if (!strcmp(name, "NULLIF")) {
            /* NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END */
            sl_expr_t *a2 = sl_expr_copy(xs[0]);
            sl_expr_t *cond = bind_compare(b, n, SL_XOP_EQ, xs[0], xs[1]);
            if (!cond) {
                sl_expr_free(a2);
                sl_free(xs);
                return NULL;
            }
            sl_type_t t = a2->type;
            t.not_null = 0;
            e = mk_op(SL_XOP_CASE, t, n, cond, sl_expr_coerce(sl_expr_new(SL_EX_CONST, sl_type_make(SL_T_NULL), n), t));
            e->args[1]->null = true;
            add_arg(e, a2);
        } else {
            e = sl_expr_new(SL_EX_OP, ct, n);
            e->op = SL_XOP_COALESCE;
            e->type.not_null = 0;
            for (int i = 0; i < nargs; i++) {
                if (xs[i]->type.not_null) e->type.not_null = 1;
                add_arg(e, sl_expr_coerce(xs[i], ct));
            }
        }
        sl_free(xs);
        return e;
    }
    const sl_udf_t *u = find_udf(b, name);
    if (u) return bind_udf_call(b, sc, n, u, allow);
    const sl_fn_def_t *fn = sl_fn_lookup(name);
    if (!fn) return fail(b, n, "unknown function %s", name);
    if (nargs < fn->min_args || (fn->max_args >= 0 && nargs > fn->max_args)) {
        if (!(fn->agg && (n->flags & SL_AF_COUNT_STAR)))
            return fail(b, n, "%s takes %d to %d arguments, got %d", name, fn->min_args,
                        fn->max_args, nargs);
    }
    if (fn->kind == SL_FN_ANALYTIC) {
        /* The frame functions read other rows of a sliding window's frame. */
        if (!over)
            return fail(b, n, "%s needs a sliding window: %s(...) OVER (... PRECEDING)", name, name);
        if (!(allow & SL_BIND_OVER))
            return fail(b, n, "windowed function %s(...) OVER is not allowed here", name);
    } else if (n->flags & (SL_AF_IGNORE_NULLS | SL_AF_RESPECT_NULLS)) {
        return fail(b, n, "IGNORE NULLS / RESPECT NULLS is only allowed with LAG, FIRST_VALUE, "
                          "LAST_VALUE and NTH_VALUE");
    }
    if (fn->kind == SL_FN_ROW && !(allow & BIND_ROW_CALL))
        return fail(b, n, "%s returns a row: name it in the select list of a subquery and read "
                          "its fields from there, as in SELECT STREAM t.r.COLUMN1 FROM (SELECT "
                          "STREAM %s(...) AS r FROM s) AS t", name, name);
    if (fn->kind == SL_FN_AGGREGATE) {
        if (over && !(allow & SL_BIND_OVER))
            return fail(b, n, "windowed aggregate %s(...) OVER is not allowed here", name);
        if (!over && !(allow & SL_BIND_AGG))
            return fail(b, n, "aggregate %s is not allowed here", name);
        if (n->flags & SL_AF_DISTINCT)
            return fail(b, n, "%s(DISTINCT ...) is not allowed in a streaming aggregation; "
                              "use a SELECT STREAM DISTINCT subquery", name);
    } else if (over && fn->kind != SL_FN_ANALYTIC) {
        return fail(b, n, "%s is not an aggregate and cannot take OVER", name);
    }
    bool windowed = fn->kind == SL_FN_AGGREGATE || fn->kind == SL_FN_ANALYTIC;
    sl_expr_t *e = sl_expr_new(windowed ? (over ? SL_EX_WINAGG : SL_EX_AGG) : SL_EX_CALL,
                               sl_type_make(SL_T_NULL), n);
    e->fn = fn;
    e->over = over;
    /* Arguments of an aggregate are bound without aggregates (no nesting). */
    int inner = windowed ? 0 : allow & ~BIND_ROW_CALL;
    for (int i = 0; i < nargs; i++) {
        sl_expr_t *a = bind(b, sc, args->kids[i], inner);
        if (!a) {
            sl_expr_free(e);
            return NULL;
        }
        add_arg(e, a);
    }
    if (n->op == SL_CALL_TRIM && nargs == 2) {
        /* TRIM(c FROM s) parses as (c, s); the registry entry takes (s, c). */
        sl_expr_t *t = e->args[0];
        e->args[0] = e->args[1];
        e->args[1] = t;
    }
    sl_type_t *types = SL_NEWN(sl_type_t, nargs ? nargs : 1);
    for (int i = 0; i < nargs; i++) types[i] = e->args[i]->type;
    e->call.nargs = nargs;
    e->call.args = types;
    e->call.count_star = (n->flags & SL_AF_COUNT_STAR) != 0;
    e->call.unit = n->op == SL_CALL_FLOOR_TO || n->op == SL_CALL_EXTRACT ? n->qual.unit : 0;
    e->call.flags = n->flags | (n->op == SL_CALL_SUBSTRING_SIMILAR ? SL_FN_SUBSTRING_SIMILAR : 0);
    char err[256] = "";
    if (!run_rule(e, 0, NULL, &e->type, err, sizeof err)) {
        sl_expr_free(e);
        return fail(b, n, "%s: %s", name, err);
    }
    return e;
}

/* Binds any expression node. */
static sl_expr_t *bind(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, int allow)
{
    switch (n->kind) {
    case SL_AST_LITERAL: return bind_literal(b, n);
    case SL_AST_COLREF: return bind_colref(b, sc, n);
    case SL_AST_UNARY: {
        sl_expr_t *a = bind(b, sc, n->kids[0], allow);
        if (!a) return NULL;
        if (n->op == SL_OP_NOT) {
            if (!want_bool(b, n, a, "NOT")) {
                sl_expr_free(a);
                return NULL;
            }
            return mk_op(SL_XOP_NOT, a->type, n, a, NULL);
        }
        if (!sl_type_is_numeric(a->type) && !sl_type_is_interval(a->type) &&
            a->type.id != SL_T_NULL) {
            fail(b, n, "type mismatch: unary %s needs a number, got %s",
                 n->op == SL_OP_NEG ? "-" : "+", tname(a->type));
            sl_expr_free(a);
            return NULL;
        }
        if (n->op == SL_OP_POS) return a;
        if (a->kind == SL_EX_CONST && !a->null) {
            a->i = -a->i;
            a->f = -a->f;
            return a;
        }
        return mk_op(SL_XOP_NEG, a->type, n, a, NULL);
    }
    case SL_AST_BINARY: {
        sl_expr_t *l = bind(b, sc, n->kids[0], allow);
        sl_expr_t *r = l ? bind(b, sc, n->kids[1], allow) : NULL;
        if (!l || !r) {
            sl_expr_free(l);
            return NULL;
        }
        switch (n->op) {
        case SL_OP_ADD: return bind_arith(b, n, SL_XOP_ADD, l, r);
        case SL_OP_SUB: return bind_arith(b, n, SL_XOP_SUB, l, r);
        case SL_OP_MUL: return bind_arith(b, n, SL_XOP_MUL, l, r);
        case SL_OP_DIV: return bind_arith(b, n, SL_XOP_DIV, l, r);
        case SL_OP_EQ: return bind_compare(b, n, SL_XOP_EQ, l, r);
        case SL_OP_NE: return bind_compare(b, n, SL_XOP_NE, l, r);
        case SL_OP_LT: return bind_compare(b, n, SL_XOP_LT, l, r);
        case SL_OP_LE: return bind_compare(b, n, SL_XOP_LE, l, r);
        case SL_OP_GT: return bind_compare(b, n, SL_XOP_GT, l, r);
        case SL_OP_GE: return bind_compare(b, n, SL_XOP_GE, l, r);
        case SL_OP_IS_DISTINCT: return bind_compare(b, n, SL_XOP_IS_DISTINCT, l, r);
        case SL_OP_IS_NOT_DISTINCT: return bind_compare(b, n, SL_XOP_IS_NOT_DISTINCT, l, r);
        case SL_OP_AND:
        case SL_OP_OR: {
            const char *w = n->op == SL_OP_AND ? "AND" : "OR";
            if (!want_bool(b, n, l, w) || !want_bool(b, n, r, w)) {
                sl_expr_free(l);
                sl_expr_free(r);
                return NULL;
            }
            sl_type_t t = sl_type_make(SL_T_BOOLEAN);
            t.not_null = l->type.not_null && r->type.not_null;
            return mk_op(n->op == SL_OP_AND ? SL_XOP_AND : SL_XOP_OR, t, n, l, r);
        }
        case SL_OP_CONCAT: {
            if (l->type.id == SL_T_NULL) l->type = sl_type_make(SL_T_VARCHAR);
            if (r->type.id == SL_T_NULL) r->type = sl_type_make(SL_T_VARCHAR);
            if (!sl_type_is_string(l->type) || !sl_type_is_string(r->type)) {
                fail(b, n, "type mismatch: || needs character strings, got %s and %s",
                     tname(l->type), tname(r->type));
                sl_expr_free(l);
                sl_expr_free(r);
                return NULL;
            }
            sl_type_t t = sl_type_make(SL_T_VARCHAR);
            t.len = l->type.len + r->type.len;
            if (t.len > SL_STR_MAX_LEN) t.len = SL_STR_MAX_LEN;
            t.not_null = l->type.not_null && r->type.not_null;
            return mk_op(SL_XOP_CONCAT, t, n, l, r);
        }
        default:
            sl_expr_free(l);
            sl_expr_free(r);
            return fail(b, n, "operator not supported here");
        }
    }
    case SL_AST_IS: {
        sl_expr_t *a = bind(b, sc, n->kids[0], allow);
        if (!a) return NULL;
        bool neg = n->flags & SL_AF_NOT;
        int op;
        if (n->op == SL_LIT_NULL) {
            op = neg ? SL_XOP_IS_NOT_NULL : SL_XOP_IS_NULL;
        } else {
            if (!want_bool(b, n, a, "IS TRUE/FALSE/UNKNOWN")) {
                sl_expr_free(a);
                return NULL;
            }
            if (n->op == SL_LIT_UNKNOWN) op = neg ? SL_XOP_IS_NOT_NULL : SL_XOP_IS_NULL;
            else if (n->op == SL_LIT_TRUE) op = neg ? SL_XOP_IS_NOT_TRUE : SL_XOP_IS_TRUE;
            else op = neg ? SL_XOP_IS_NOT_FALSE : SL_XOP_IS_FALSE;
        }
        sl_type_t t = sl_type_make(SL_T_BOOLEAN);
        t.not_null = 1;
        return mk_op(op, t, n, a, NULL);
    }
    case SL_AST_LIKE: {
        /* s [NOT] LIKE | SIMILAR TO p [ESCAPE e]: a constant pattern (and escape) is
         * compiled here so that a bad one is an error at its place, not a row error. */
        bool similar = n->op != SL_OP_LIKE;
        const char *what = similar ? "SIMILAR TO" : "LIKE";
        const sl_ast_t *ea = n->nkids > 2 ? n->kids[2] : NULL;
        sl_expr_t *s = bind(b, sc, n->kids[0], allow);
        sl_expr_t *p = s ? bind(b, sc, n->kids[1], allow) : NULL;
        sl_expr_t *esc = p && ea ? bind(b, sc, ea, allow) : NULL;
        if (!s || !p || (ea && !esc)) {
            sl_expr_free(s);
            sl_expr_free(p);
            return NULL;
        }
        sl_type_t et = esc ? esc->type : sl_type_make(SL_T_NULL);
        if ((!sl_type_is_string(s->type) && s->type.id != SL_T_NULL) ||
            (!sl_type_is_string(p->type) && p->type.id != SL_T_NULL) ||
            (!sl_type_is_string(et) && et.id != SL_T_NULL)) {
            if (esc)
                fail(b, n, "type mismatch: %s needs character strings, got %s, %s and ESCAPE %s",
                     what, tname(s->type), tname(p->type), tname(et));
            else
                fail(b, n, "type mismatch: %s needs character strings, got %s and %s", what,
                     tname(s->type), tname(p->type));
            sl_expr_free(s);
            sl_expr_free(p);
            sl_expr_free(esc);
            return NULL;
        }
        bool pconst = p->kind == SL_EX_CONST && !p->null;
        bool econst = !esc || (esc->kind == SL_EX_CONST && !esc->null);
        if (pconst && econst && (similar || esc)) {
            char err[200];
            bool bad_escape;
            sl_fn_pattern_t *pt = sl_fn_pattern_compile(
                similar ? SL_PATTERN_SIMILAR : SL_PATTERN_LIKE, p->s, p->slen,
                esc ? esc->s : NULL, esc ? esc->slen : 0, err, sizeof err, &bad_escape);
            if (!pt) {
                fail(b, bad_escape ? ea : n->kids[1], "%s", err);
                sl_expr_free(s);
                sl_expr_free(p);
                sl_expr_free(esc);
                return NULL;
            }
            sl_fn_pattern_free(pt);
        }
        sl_type_t t = sl_type_make(SL_T_BOOLEAN);
        t.not_null = s->type.not_null && p->type.not_null && (!esc || esc->type.not_null);
        bool neg = n->flags & SL_AF_NOT;
        int op = similar ? (neg ? SL_XOP_NOT_SIMILAR : SL_XOP_SIMILAR)
                         : (neg ? SL_XOP_NOT_LIKE : SL_XOP_LIKE);
        sl_expr_t *e = mk_op(op, t, n, s, p);
        if (esc) add_arg(e, esc);
        return e;
    }
    case SL_AST_BETWEEN: {
        sl_expr_t *x1 = bind(b, sc, n->kids[0], allow);
        sl_expr_t *lo = x1 ? bind(b, sc, n->kids[1], allow) : NULL;
        sl_expr_t *hi = lo ? bind(b, sc, n->kids[2], allow) : NULL;
        if (!hi) {
            sl_expr_free(x1);
            sl_expr_free(lo);
            return NULL;
        }
        sl_expr_t *x2 = sl_expr_copy(x1);
        sl_expr_t *c1 = bind_compare(b, n, SL_XOP_GE, x1, lo);
        sl_expr_t *c2 = c1 ? bind_compare(b, n, SL_XOP_LE, x2, hi) : NULL;
        if (!c1 || !c2) {
            if (!c1) {
                sl_expr_free(x2);
                sl_expr_free(hi);
            }
            sl_expr_free(c1);
            return NULL;
        }
        sl_type_t t = sl_type_make(SL_T_BOOLEAN);
        t.not_null = c1->type.not_null && c2->type.not_null;
        sl_expr_t *e = mk_op(SL_XOP_AND, t, n, c1, c2);
        if (n->flags & SL_AF_NOT) e = mk_op(SL_XOP_NOT, t, n, e, NULL);
        return e;
    }
    case SL_AST_IN: {
        if (n->kids[1]->kind != SL_AST_LIST) return fail(b, n, "IN (subquery) is not supported yet");
        sl_expr_t *x = bind(b, sc, n->kids[0], allow);
        if (!x) return NULL;
        const sl_ast_t *list = n->kids[1];
        sl_expr_t **xs = SL_NEWN(sl_expr_t *, list->nkids + 1);
        sl_type_t ct = x->type;
        bool ok = true;
        for (int i = 0; i < list->nkids && ok; i++) {
            xs[i] = bind(b, sc, list->kids[i], allow);
            if (!xs[i]) ok = false;
            else if (!sl_type_common(ct, xs[i]->type, &ct)) {
                fail(b, list->kids[i], "type mismatch: cannot compare %s with %s",
                     tname(x->type), tname(xs[i]->type));
                ok = false;
            }
        }
        if (!ok) {
            sl_expr_free(x);
            for (int i = 0; i < list->nkids; i++) sl_expr_free(xs[i]);
            sl_free(xs);
            return NULL;
        }
        sl_expr_t *e = mk_op((n->flags & SL_AF_NOT) ? SL_XOP_NOT_IN : SL_XOP_IN,
                             sl_type_make(SL_T_BOOLEAN), n, sl_expr_coerce(x, ct), NULL);
        for (int i = 0; i < list->nkids; i++) add_arg(e, sl_expr_coerce(xs[i], ct));
        sl_free(xs);
        return e;
    }
    case SL_AST_CASE: {
        /* Normalized to args: cond1, res1, cond2, res2, ..., else. */
        const sl_ast_t *whens = n->kids[1];
        sl_expr_t *e = sl_expr_new(SL_EX_OP, sl_type_make(SL_T_NULL), n);
        e->op = SL_XOP_CASE;
        sl_type_t rt = sl_type_make(SL_T_NULL);
        for (int i = 0; i < whens->nkids; i++) {
            const sl_ast_t *w = whens->kids[i];
            sl_expr_t *cond;
            if (n->kids[0]) {
                sl_expr_t *opnd = bind(b, sc, n->kids[0], allow);
                sl_expr_t *v = opnd ? bind(b, sc, w->kids[0], allow) : NULL;
                if (!v) {
                    sl_expr_free(opnd);
                    sl_expr_free(e);
                    return NULL;
                }
                cond = bind_compare(b, w, SL_XOP_EQ, opnd, v);
            } else {
                cond = bind(b, sc, w->kids[0], allow);
                if (cond && !want_bool(b, w, cond, "WHEN")) {
                    sl_expr_free(cond);
                    cond = NULL;
                }
            }
            sl_expr_t *res = cond ? bind(b, sc, w->kids[1], allow) : NULL;
            if (!res) {
                sl_expr_free(cond);
                sl_expr_free(e);
                return NULL;
            }
            if (!sl_type_common(rt, res->type, &rt)) {
                fail(b, w->kids[1], "type mismatch: CASE branches of types %s and %s",
                     tname(rt), tname(res->type));
                sl_expr_free(cond);
                sl_expr_free(res);
                sl_expr_free(e);
                return NULL;
            }
            add_arg(e, cond);
            add_arg(e, res);
        }
        sl_expr_t *els;
        if (n->kids[2]) {
            els = bind(b, sc, n->kids[2], allow);
            if (!els) {
                sl_expr_free(e);
                return NULL;
            }
            if (!sl_type_common(rt, els->type, &rt)) {
                fail(b, n->kids[2], "type mismatch: CASE branches of types %s and %s",
                     tname(rt), tname(els->type));
                sl_expr_free(els);
                sl_expr_free(e);
                return NULL;
            }
        } else {
            els = sl_expr_new(SL_EX_CONST, sl_type_make(SL_T_NULL), n);
            els->null = true;
        }
        add_arg(e, els);
        if (rt.id == SL_T_NULL) rt = sl_type_make(SL_T_VARCHAR);
        rt.not_null = 0;
        for (int i = 1; i < e->nargs; i += 2) e->args[i] = sl_expr_coerce(e->args[i], rt);
        e->args[e->nargs - 1] = sl_expr_coerce(e->args[e->nargs - 1], rt);
        e->type = rt;
        return e;
    }
    case SL_AST_CAST: {
        sl_expr_t *a = bind(b, sc, n->kids[0], allow);
        return a ? cast_to(b, n, a, sl_type_of_ast(n->kids[1]), CONV_CAST) : NULL;
    }
    case SL_AST_CALL: {
        if (n->op == SL_CALL_FLOOR_TO || n->op == SL_CALL_STEP_BY) {
            const sl_ast_t *args = n->kids[0];
            sl_expr_t *x = bind(b, sc, args->kids[0], allow);
            if (!x) return NULL;
            if (n->op == SL_CALL_FLOOR_TO) {
                if (x->type.id != SL_T_TIMESTAMP && x->type.id != SL_T_DATE) {
                    fail(b, n, "%s ... TO needs a TIMESTAMP, got %s", n->name, tname(x->type));
                    sl_expr_free(x);
                    return NULL;
                }
                sl_expr_t *e = mk_op(!strcmp(n->name, "FLOOR") ? SL_XOP_FLOOR_TO : SL_XOP_CEIL_TO,
                                     x->type, n, x, NULL);
                e->unit = n->qual.unit;
                return e;
            }
            sl_expr_t *w = bind(b, sc, args->kids[1], allow);
            if (!w) {
                sl_expr_free(x);
                return NULL;
            }
            bool ts = x->type.id == SL_T_TIMESTAMP && w->type.id == SL_T_INTERVAL_DS;
            bool num = sl_type_is_integer(x->type) && sl_type_is_integer(w->type);
            if (!ts && !num) {
                fail(b, n, "STEP needs (TIMESTAMP BY INTERVAL) or (integer BY integer), got "
                           "(%s BY %s)", tname(x->type), tname(w->type));
                sl_expr_free(x);
                sl_expr_free(w);
                return NULL;
            }
            if (w->kind != SL_EX_CONST || w->null || w->i <= 0) {
                fail(b, args->kids[1], "STEP needs a positive constant width");
                sl_expr_free(x);
                sl_expr_free(w);
                return NULL;
            }
            if (num) w = sl_expr_coerce(w, x->type);
            return mk_op(SL_XOP_STEP, x->type, n, x, w);
        }
        return bind_call(b, sc, n, allow);
    }
    case SL_AST_SUBQUERY:
    case SL_AST_EXISTS: return fail(b, n, "subqueries in expressions are not supported");
    default: return fail(b, n, "%s is not supported here yet", sl_ast_kind_name(n->kind));
    }
}

/* Binds an expression; see planner_int.h. */
sl_expr_t *sl_bind_expr(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, int allow)
{
    return bind(b, sc, n, allow);
}

/* Binds a row-valued select item into one expression per field; see planner_int.h. */
int sl_bind_row_item(sl_binder_t *b, const sl_scope_t *sc, const sl_ast_t *n, const char *prefix,
                     int allow, sl_expr_t ***fields, char ***names)
{
    if (n->kind != SL_AST_CALL || n->op != SL_CALL_PLAIN || !n->name) return 0;
    const sl_fn_def_t *fn = sl_fn_lookup(n->name);
    if (!fn || fn->kind != SL_FN_ROW) return 0;
    sl_expr_t *e = bind_call(b, sc, n, allow | BIND_ROW_CALL);
    if (!e) return -1;
    sl_fn_row_t row;
    memset(&row, 0, sizeof row);
    sl_type_t t;
    char err[256] = "";
    if (!run_rule(e, 0, &row, &t, err, sizeof err)) {
        sl_expr_free(e);
        fail(b, n, "%s: %s", n->name, err);
        return -1;
    }
    int nf = row.nfields;
    *fields = SL_NEWN(sl_expr_t *, nf ? nf : 1);
    *names = SL_NEWN(char *, nf ? nf : 1);
    for (int k = 0; k < nf; k++) {
        sl_expr_t *f = sl_expr_copy(e);
        f->call.field = k + 1;
        f->type = row.fields[k].type;
        f->type.not_null = 0;
        (*fields)[k] = f;
        (*names)[k] = sl_asprintf("%s.%s", prefix, row.fields[k].name);
    }
    sl_fn_row_clear(&row);
    sl_expr_free(e);
    return nf;
}

/* Renames a relation's columns by an alias list; see planner_int.h. */
void sl_scope_rename(sl_scope_t *s, const sl_ast_t *cl)
{
    int c = 0;
    for (int k = 0; k < cl->nkids && c < s->n; k++) {
        const char *nm = s->cols[c].name, *dot = nm ? strchr(nm, '.') : NULL;
        if (!dot) {
            sl_free(s->cols[c].name);
            s->cols[c].name = sl_strdup(cl->kids[k]->name);
            c++;
            continue;
        }
        /* A row column: every "P.F" column of the run gets the new prefix. */
        size_t plen = (size_t)(dot - nm);
        char *prefix = sl_strndup(nm, plen);
        while (c < s->n && s->cols[c].name && !strncmp(s->cols[c].name, prefix, plen) &&
               s->cols[c].name[plen] == '.') {
            char *renamed = sl_asprintf("%s%s", cl->kids[k]->name, s->cols[c].name + plen);
            sl_free(s->cols[c].name);
            s->cols[c].name = renamed;
            c++;
        }
        sl_free(prefix);
    }
}
