/*
 * print.c - the pretty-printer: any AST back to SQL text.
 *
 * The contract is the round trip: parsing what sl_ast_print() writes gives a tree
 * sl_ast_equal() to the one printed. So the printer quotes every name that would not read
 * back as itself (keywords, lower case, odd characters), adds parentheses where operator
 * precedence needs them, and always spells optional words the same way (AS before aliases,
 * INNER/OUTER in joins). Layout: one clause per line, statements end with ";".
 */
#include "parse_int.h"

#include "alloc.h"

#include <string.h>

/* Precedence levels, loosest first; a term never needs parentheses. */
enum {
    P_ANY = 0,
    P_OR = 1,
    P_AND = 2,
    P_NOT = 3,
    P_CMP = 4, /* = <> IS LIKE BETWEEN IN and the temporal predicates */
    P_REL = 5, /* < <= > >= */
    P_CONCAT = 6,
    P_ADD = 7,
    P_MUL = 8,
    P_UNARY = 9,
    P_TERM = 10
};

static const char *const op_spell[] = {
#define SL_OP_SPELL(name, sp) sp,
    SL_OPS(SL_OP_SPELL)
#undef SL_OP_SPELL
};

static const char *const temporal_spell[] = {
#define SL_TEMPORAL_SPELL(name, sp) sp,
    SL_TEMPORALS(SL_TEMPORAL_SPELL)
#undef SL_TEMPORAL_SPELL
};

static void expr(sl_buf_t *b, const sl_ast_t *n, int minprec);
static void query(sl_buf_t *b, const sl_ast_t *n);
static void order_item(sl_buf_t *b, const sl_ast_t *o);

/* True when s reads back as itself unquoted: an upper-case word that is no keyword. */
static int bare_ok(const char *s)
{
    if (!s[0] || !((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            return 0;
    size_t n = strlen(s);
    if (sl_is_keyword(s, n)) return 0;
    return strcmp(s, "DATE") && strcmp(s, "TIME") && strcmp(s, "TIMESTAMP");
}

/* Appends an identifier, double-quoted (with "" for ") unless it can stand bare. */
static void name(sl_buf_t *b, const char *s)
{
    if (bare_ok(s)) {
        sl_buf_puts(b, s);
        return;
    }
    sl_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') sl_buf_putc(b, '"');
        sl_buf_putc(b, *p);
    }
    sl_buf_putc(b, '"');
}

/* Appends a single-quoted string literal, doubling quotes. */
static void quoted(sl_buf_t *b, const char *s)
{
    sl_buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'') sl_buf_putc(b, '\'');
        sl_buf_putc(b, *p);
    }
    sl_buf_putc(b, '\'');
}

/* Appends the kids of a LIST (or any node) separated by ", ", each printed by fn. */
static void list(sl_buf_t *b, const sl_ast_t *l, void (*fn)(sl_buf_t *, const sl_ast_t *))
{
    for (int i = 0; l && i < l->nkids; i++) {
        if (i) sl_buf_puts(b, ", ");
        fn(b, l->kids[i]);
    }
}

/* Item printers for list(). */
static void expr_any(sl_buf_t *b, const sl_ast_t *n)
{
    expr(b, n, P_ANY);
}
static void name_node(sl_buf_t *b, const sl_ast_t *n)
{
    name(b, n->name);
}

/* Appends an interval qualifier: DAY(2) TO SECOND(3). */
static void qualifier(sl_buf_t *b, const sl_qual_t *q)
{
    sl_buf_puts(b, sl_unit_name(q->unit));
    if (q->prec >= 0) sl_buf_printf(b, "(%d)", q->prec);
    if (q->unit2) {
        sl_buf_printf(b, " TO %s", sl_unit_name(q->unit2));
        if (q->prec2 >= 0) sl_buf_printf(b, "(%d)", q->prec2);
    }
}

/* Appends a data type in its canonical spelling. */
static void type(sl_buf_t *b, const sl_ast_t *t)
{
    if (!t) return;
    sl_buf_puts(b, sl_type_name(t->op));
    if (t->op == SL_TYPE_INTERVAL) {
        sl_buf_putc(b, ' ');
        qualifier(b, &t->qual);
        return;
    }
    if (t->qual.prec >= 0 && t->qual.prec2 >= 0)
        sl_buf_printf(b, "(%d, %d)", t->qual.prec, t->qual.prec2);
    else if (t->qual.prec >= 0)
        sl_buf_printf(b, "(%d)", t->qual.prec);
}

/* Appends a literal. */
static void literal(sl_buf_t *b, const sl_ast_t *n)
{
    switch (n->op) {
    case SL_LIT_INTEGER:
    case SL_LIT_DECIMAL:
    case SL_LIT_APPROX:
        sl_buf_puts(b, n->text);
        break;
    case SL_LIT_STRING:
        quoted(b, n->text);
        break;
    case SL_LIT_BINARY:
        sl_buf_printf(b, "X'%s'", n->text);
        break;
    case SL_LIT_TRUE:
        sl_buf_puts(b, "TRUE");
        break;
    case SL_LIT_FALSE:
        sl_buf_puts(b, "FALSE");
        break;
    case SL_LIT_UNKNOWN:
        sl_buf_puts(b, "UNKNOWN");
        break;
    case SL_LIT_NULL:
        sl_buf_puts(b, "NULL");
        break;
    case SL_LIT_DATE:
        sl_buf_puts(b, "DATE ");
        quoted(b, n->text);
        break;
    case SL_LIT_TIME:
        sl_buf_puts(b, "TIME ");
        quoted(b, n->text);
        break;
    case SL_LIT_TIMESTAMP:
        sl_buf_puts(b, "TIMESTAMP ");
        quoted(b, n->text);
        break;
    case SL_LIT_INTERVAL:
        sl_buf_puts(b, n->flags & SL_AF_NEGATIVE ? "INTERVAL -" : "INTERVAL ");
        quoted(b, n->text);
        sl_buf_putc(b, ' ');
        qualifier(b, &n->qual);
        break;
    default:
        sl_buf_puts(b, "NULL");
        break;
    }
}

/* The binding strength of an expression node (see the grammar's precedence table). */
static int prec_of(const sl_ast_t *n)
{
    switch (n->kind) {
    case SL_AST_BINARY:
        switch (n->op) {
        case SL_OP_OR:
            return P_OR;
        case SL_OP_AND:
            return P_AND;
        case SL_OP_LT:
        case SL_OP_LE:
        case SL_OP_GT:
        case SL_OP_GE:
            return P_REL;
        case SL_OP_CONCAT:
            return P_CONCAT;
        case SL_OP_ADD:
        case SL_OP_SUB:
            return P_ADD;
        case SL_OP_MUL:
        case SL_OP_DIV:
            return P_MUL;
        default:
            return P_CMP;
        }
    case SL_AST_UNARY:
        return n->op == SL_OP_NOT ? P_NOT : P_UNARY;
    case SL_AST_IS:
    case SL_AST_LIKE:
    case SL_AST_BETWEEN:
    case SL_AST_IN:
    case SL_AST_TEMPORAL:
        return P_CMP;
    default:
        return P_TERM;
    }
}

/* Appends a window specification body (what goes between the parentheses of OVER). */
static void winspec_body(sl_buf_t *b, const sl_ast_t *w)
{
    const char *sep = "";
    if (w->name) {
        name(b, w->name);
        sep = " ";
    }
    if (w->kids[0]) {
        sl_buf_printf(b, "%sPARTITION BY ", sep);
        list(b, w->kids[0], expr_any);
        sep = " ";
    }
    if (w->kids[1]) {
        sl_buf_printf(b, "%sORDER BY ", sep);
        list(b, w->kids[1], order_item);
        sep = " ";
    }
    const sl_ast_t *f = w->kids[2];
    if (f) {
        sl_buf_printf(b, "%s%s ", sep, f->op == SL_FRAME_ROWS ? "ROWS" : "RANGE");
        if (f->kids[1]) sl_buf_puts(b, "BETWEEN ");
        for (int i = 0; i < 2 && f->kids[i]; i++) {
            const sl_ast_t *bd = f->kids[i];
            if (i) sl_buf_puts(b, " AND ");
            switch (bd->op) {
            case SL_BOUND_UNBOUNDED_PRECEDING:
                sl_buf_puts(b, "UNBOUNDED PRECEDING");
                break;
            case SL_BOUND_UNBOUNDED_FOLLOWING:
                sl_buf_puts(b, "UNBOUNDED FOLLOWING");
                break;
            case SL_BOUND_CURRENT_ROW:
                sl_buf_puts(b, "CURRENT ROW");
                break;
            default:
                expr(b, bd->kids[0], P_TERM);
                sl_buf_puts(b, bd->op == SL_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
            }
        }
    }
}

/* Appends " OVER w" or " OVER (...)". */
static void over(sl_buf_t *b, const sl_ast_t *w)
{
    if (!w) return;
    if (w->name && !w->kids[0] && !w->kids[1] && !w->kids[2]) {
        sl_buf_puts(b, " OVER ");
        name(b, w->name);
        return;
    }
    sl_buf_puts(b, " OVER (");
    winspec_body(b, w);
    sl_buf_putc(b, ')');
}

/* Appends the name of a function, quoted unless it reads back as the same call. */
static void call_name(sl_buf_t *b, const sl_ast_t *n)
{
    static const char *const kwfuncs[] = {"FLOOR", "CEIL",    "CEILING", "SUBSTRING",
                                          "TRIM",  "OVERLAY", NULL};
    if (n->op != SL_CALL_PLAIN) {
        sl_buf_puts(b, n->name); /* the grammar only builds these from keywords */
        return;
    }
    for (int i = 0; kwfuncs[i]; i++)
        if (!strcmp(n->name, kwfuncs[i])) {
            sl_buf_puts(b, n->name);
            return;
        }
    name(b, n->name);
}

/* Appends a function call in the syntax it was written in. */
static void call(sl_buf_t *b, const sl_ast_t *n)
{
    const sl_ast_t *a = n->kids[0];
    int na = a ? a->nkids : 0;
    call_name(b, n);
    sl_buf_putc(b, '(');
    switch (n->op) {
    case SL_CALL_SUBSTRING_FROM:
        expr(b, a->kids[0], P_ANY);
        sl_buf_puts(b, " FROM ");
        expr(b, a->kids[1], P_ANY);
        if (na > 2) {
            sl_buf_puts(b, " FOR ");
            expr(b, a->kids[2], P_ANY);
        }
        break;
    case SL_CALL_SUBSTRING_SIMILAR:
        expr(b, a->kids[0], P_ANY);
        sl_buf_puts(b, " SIMILAR ");
        expr(b, a->kids[1], P_REL);
        sl_buf_puts(b, " ESCAPE ");
        expr(b, a->kids[2], P_ANY);
        break;
    case SL_CALL_TRIM:
        if (n->flags & SL_AF_TRIM_LEADING) sl_buf_puts(b, "LEADING ");
        if (n->flags & SL_AF_TRIM_TRAILING) sl_buf_puts(b, "TRAILING ");
        if (n->flags & SL_AF_TRIM_BOTH) sl_buf_puts(b, "BOTH ");
        if (na > 1) {
            expr(b, a->kids[0], P_ANY);
            sl_buf_putc(b, ' ');
        }
        sl_buf_puts(b, "FROM ");
        expr(b, a->kids[na - 1], P_ANY);
        break;
    case SL_CALL_POSITION:
        expr(b, a->kids[0], P_REL);
        sl_buf_puts(b, " IN ");
        expr(b, a->kids[1], P_ANY);
        break;
    case SL_CALL_OVERLAY:
        expr(b, a->kids[0], P_ANY);
        sl_buf_puts(b, " PLACING ");
        expr(b, a->kids[1], P_ANY);
        sl_buf_puts(b, " FROM ");
        expr(b, a->kids[2], P_ANY);
        if (na > 3) {
            sl_buf_puts(b, " FOR ");
            expr(b, a->kids[3], P_ANY);
        }
        break;
    case SL_CALL_EXTRACT:
        sl_buf_printf(b, "%s FROM ", sl_unit_name(n->qual.unit));
        expr(b, a->kids[0], P_ANY);
        break;
    case SL_CALL_FLOOR_TO: {
        const sl_ast_t *x = a->kids[0];
        /* An interval's qualifier would swallow the TO: parenthesize it. */
        int wrap = x && ((x->kind == SL_AST_LITERAL && x->op == SL_LIT_INTERVAL) ||
                         x->kind == SL_AST_INTERVAL_OF);
        if (wrap) sl_buf_putc(b, '(');
        expr(b, x, P_ANY);
        if (wrap) sl_buf_putc(b, ')');
        sl_buf_printf(b, " TO %s", sl_unit_name(n->qual.unit));
        break;
    }
    case SL_CALL_STEP_BY:
        expr(b, a->kids[0], P_ANY);
        sl_buf_puts(b, " BY ");
        expr(b, a->kids[1], P_ANY);
        break;
    default:
        if (n->flags & SL_AF_COUNT_STAR) sl_buf_putc(b, '*');
        if (n->flags & SL_AF_DISTINCT) sl_buf_puts(b, "DISTINCT ");
        if (n->flags & SL_AF_ALL) sl_buf_puts(b, "ALL ");
        list(b, a, expr_any);
    }
    sl_buf_putc(b, ')');
    if (n->flags & SL_AF_FROM_FIRST) sl_buf_puts(b, " FROM FIRST");
    if (n->flags & SL_AF_FROM_LAST) sl_buf_puts(b, " FROM LAST");
    if (n->flags & SL_AF_IGNORE_NULLS) sl_buf_puts(b, " IGNORE NULLS");
    if (n->flags & SL_AF_RESPECT_NULLS) sl_buf_puts(b, " RESPECT NULLS");
    over(b, n->kids[1]);
}

/* Appends a parenthesized query. */
static void subquery(sl_buf_t *b, const sl_ast_t *q)
{
    sl_buf_putc(b, '(');
    query(b, q);
    sl_buf_putc(b, ')');
}

/* Appends expression n, parenthesized if it binds looser than minprec. */
static void expr(sl_buf_t *b, const sl_ast_t *n, int minprec)
{
    if (!n) return;
    int p = prec_of(n);
    int paren = p < minprec;
    if (paren) sl_buf_putc(b, '(');
    switch (n->kind) {
    case SL_AST_LITERAL:
        literal(b, n);
        break;
    case SL_AST_COLREF:
        for (int i = 0; i < n->nkids; i++) {
            if (i) sl_buf_putc(b, '.');
            name(b, n->kids[i]->name);
        }
        break;
    case SL_AST_STAR:
        for (int i = 0; i < n->nkids; i++) {
            name(b, n->kids[i]->name);
            sl_buf_putc(b, '.');
        }
        sl_buf_putc(b, '*');
        break;
    case SL_AST_UNARY:
        if (n->op == SL_OP_NOT) {
            sl_buf_puts(b, "NOT ");
            expr(b, n->kids[0], P_NOT);
        } else {
            sl_buf_puts(b, op_spell[n->op]);
            expr(b, n->kids[0], P_TERM);
        }
        break;
    case SL_AST_BINARY:
        expr(b, n->kids[0], p);
        sl_buf_printf(b, " %s ", op_spell[n->op]);
        expr(b, n->kids[1], p + 1);
        break;
    case SL_AST_IS: {
        static const char *const what[] = {[SL_LIT_NULL] = "NULL",
                                           [SL_LIT_TRUE] = "TRUE",
                                           [SL_LIT_FALSE] = "FALSE",
                                           [SL_LIT_UNKNOWN] = "UNKNOWN"};
        expr(b, n->kids[0], P_CMP);
        sl_buf_printf(b, " IS %s%s", n->flags & SL_AF_NOT ? "NOT " : "", what[n->op]);
        break;
    }
    case SL_AST_LIKE:
        expr(b, n->kids[0], P_CMP);
        sl_buf_printf(b, " %s%s ", n->flags & SL_AF_NOT ? "NOT " : "", op_spell[n->op]);
        expr(b, n->kids[1], P_REL);
        if (n->kids[2]) {
            sl_buf_puts(b, " ESCAPE ");
            expr(b, n->kids[2], P_REL);
        }
        break;
    case SL_AST_BETWEEN:
        expr(b, n->kids[0], P_CMP);
        sl_buf_puts(b, n->flags & SL_AF_NOT ? " NOT BETWEEN " : " BETWEEN ");
        expr(b, n->kids[1], P_REL);
        sl_buf_puts(b, " AND ");
        expr(b, n->kids[2], P_REL);
        break;
    case SL_AST_IN:
        expr(b, n->kids[0], P_CMP);
        sl_buf_puts(b, n->flags & SL_AF_NOT ? " NOT IN " : " IN ");
        if (n->kids[1] && n->kids[1]->kind == SL_AST_LIST) {
            sl_buf_putc(b, '(');
            list(b, n->kids[1], expr_any);
            sl_buf_putc(b, ')');
        } else {
            subquery(b, n->kids[1]);
        }
        break;
    case SL_AST_TEMPORAL:
        expr(b, n->kids[0], P_CMP);
        sl_buf_printf(b, " %s ", temporal_spell[n->op]);
        expr(b, n->kids[1], P_REL);
        break;
    case SL_AST_EXISTS:
        sl_buf_puts(b, "EXISTS ");
        subquery(b, n->kids[0]);
        break;
    case SL_AST_SUBQUERY:
        subquery(b, n->kids[0]);
        break;
    case SL_AST_CURSOR:
        sl_buf_puts(b, "CURSOR");
        subquery(b, n->kids[0]);
        break;
    case SL_AST_CASE:
        sl_buf_puts(b, "CASE");
        if (n->kids[0]) {
            sl_buf_putc(b, ' ');
            expr(b, n->kids[0], P_ANY);
        }
        for (int i = 0; n->kids[1] && i < n->kids[1]->nkids; i++) {
            const sl_ast_t *w = n->kids[1]->kids[i];
            sl_buf_puts(b, " WHEN ");
            expr(b, w->kids[0], P_ANY);
            sl_buf_puts(b, " THEN ");
            expr(b, w->kids[1], P_ANY);
        }
        if (n->kids[2]) {
            sl_buf_puts(b, " ELSE ");
            expr(b, n->kids[2], P_ANY);
        }
        sl_buf_puts(b, " END");
        break;
    case SL_AST_CAST:
        sl_buf_puts(b, "CAST(");
        expr(b, n->kids[0], P_ANY);
        sl_buf_puts(b, " AS ");
        type(b, n->kids[1]);
        sl_buf_putc(b, ')');
        break;
    case SL_AST_CALL:
        call(b, n);
        break;
    case SL_AST_ROW:
        if (n->flags & SL_AF_PERIOD) sl_buf_puts(b, "PERIOD ");
        sl_buf_putc(b, '(');
        list(b, n, expr_any);
        sl_buf_putc(b, ')');
        break;
    case SL_AST_INTERVAL_OF:
        sl_buf_putc(b, '(');
        expr(b, n->kids[0], P_ANY);
        sl_buf_puts(b, ") ");
        qualifier(b, &n->qual);
        break;
    default:
        sl_buf_printf(b, "/* %s */", sl_ast_kind_name(n->kind));
        break;
    }
    if (paren) sl_buf_putc(b, ')');
}

/* Appends " AS alias (cols)" when a relation has an alias. */
static void rel_alias(sl_buf_t *b, const sl_ast_t *r)
{
    if (r->alias) {
        sl_buf_puts(b, " AS ");
        name(b, r->alias);
    }
    if (r->kids[SL_REL_COLS]) {
        sl_buf_puts(b, " (");
        list(b, r->kids[SL_REL_COLS], name_node);
        sl_buf_putc(b, ')');
    }
}

/* Appends a FROM relation tree. */
static void relation(sl_buf_t *b, const sl_ast_t *r)
{
    static const char *const joins[] = {
        [SL_JOIN_COMMA] = ",",
        [SL_JOIN_CROSS] = " CROSS JOIN",
        [SL_JOIN_INNER] = " INNER JOIN",
        [SL_JOIN_LEFT_OUTER] = " LEFT OUTER JOIN",
        [SL_JOIN_RIGHT_OUTER] = " RIGHT OUTER JOIN",
        [SL_JOIN_FULL_OUTER] = " FULL OUTER JOIN",
    };
    switch (r->kind) {
    case SL_AST_JOIN:
        relation(b, r->kids[SL_JOIN_LEFT]);
        if (r->flags & SL_AF_NATURAL) sl_buf_puts(b, " NATURAL");
        sl_buf_puts(b, joins[r->op]);
        sl_buf_puts(b, r->op == SL_JOIN_COMMA ? " " : "\n    ");
        relation(b, r->kids[SL_JOIN_RIGHT]);
        if (r->kids[SL_JOIN_ON]) {
            sl_buf_puts(b, " ON ");
            expr(b, r->kids[SL_JOIN_ON], P_ANY);
        }
        if (r->kids[SL_JOIN_USING]) {
            sl_buf_puts(b, " USING (");
            list(b, r->kids[SL_JOIN_USING], name_node);
            sl_buf_putc(b, ')');
        }
        return;
    case SL_AST_TABLE_REF:
        name(b, r->name);
        break;
    case SL_AST_SUBQUERY_REF:
        subquery(b, r->kids[SL_REL_BODY]);
        break;
    case SL_AST_FUNCTION_REF:
        sl_buf_puts(b, "TABLE(");
        call(b, r->kids[SL_REL_BODY]);
        sl_buf_putc(b, ')');
        break;
    default:
        return;
    }
    over(b, r->kids[SL_REL_OVER]);
    rel_alias(b, r);
}

/* Appends a select-list item. */
static void select_item(sl_buf_t *b, const sl_ast_t *it)
{
    expr(b, it->kids[0], P_ANY);
    if (it->name) {
        sl_buf_puts(b, " AS ");
        name(b, it->name);
    }
}

/* Appends a WINDOW clause entry. */
static void window_def(sl_buf_t *b, const sl_ast_t *w)
{
    name(b, w->name);
    sl_buf_puts(b, " AS (");
    winspec_body(b, w->kids[0]);
    sl_buf_putc(b, ')');
}

/* Appends an ORDER BY key. */
static void order_item(sl_buf_t *b, const sl_ast_t *o)
{
    expr(b, o->kids[0], P_ANY);
    if (o->op == SL_ORDER_ASC) sl_buf_puts(b, " ASC");
    if (o->op == SL_ORDER_DESC) sl_buf_puts(b, " DESC");
}

/* Appends a query: SELECT, VALUES or a set operation, with its ORDER BY. */
static void query(sl_buf_t *b, const sl_ast_t *q)
{
    if (!q) return;
    static const char *const setops[] = {"UNION", "INTERSECT", "EXCEPT"};
    if (q->kind == SL_AST_SETOP) {
        query(b, q->kids[SL_SET_LEFT]);
        sl_buf_printf(b, "\n%s%s\n", setops[q->op], q->flags & SL_AF_ALL ? " ALL" : "");
        query(b, q->kids[SL_SET_RIGHT]);
    } else if (q->kind == SL_AST_VALUES) {
        sl_buf_puts(b, "VALUES ");
        const sl_ast_t *rows = q->kids[SL_VALUES_ROWS];
        for (int i = 0; rows && i < rows->nkids; i++) {
            if (i) sl_buf_puts(b, ", ");
            sl_buf_putc(b, '(');
            list(b, rows->kids[i], expr_any);
            sl_buf_putc(b, ')');
        }
    } else if (q->kind == SL_AST_SELECT) {
        sl_buf_puts(b, "SELECT ");
        if (q->flags & SL_AF_STREAM) sl_buf_puts(b, "STREAM ");
        if (q->flags & SL_AF_DISTINCT) sl_buf_puts(b, "DISTINCT ");
        if (q->flags & SL_AF_ALL) sl_buf_puts(b, "ALL ");
        list(b, q->kids[SL_SEL_ITEMS], select_item);
        if (q->kids[SL_SEL_FROM]) {
            sl_buf_puts(b, "\nFROM ");
            relation(b, q->kids[SL_SEL_FROM]);
        }
        if (q->kids[SL_SEL_WHERE]) {
            sl_buf_puts(b, "\nWHERE ");
            expr(b, q->kids[SL_SEL_WHERE], P_ANY);
        }
        if (q->kids[SL_SEL_GROUP]) {
            sl_buf_puts(b, "\nGROUP BY ");
            list(b, q->kids[SL_SEL_GROUP], expr_any);
        }
        const sl_ast_t *st = q->kids[SL_SEL_STAGGER];
        if (st) {
            sl_buf_puts(b, "\nWINDOWED BY STAGGER (PARTITION BY ");
            list(b, st->kids[0], expr_any);
            sl_buf_puts(b, " RANGE ");
            expr(b, st->kids[1], P_ANY);
            sl_buf_putc(b, ')');
        }
        if (q->kids[SL_SEL_HAVING]) {
            sl_buf_puts(b, "\nHAVING ");
            expr(b, q->kids[SL_SEL_HAVING], P_ANY);
        }
        if (q->kids[SL_SEL_WINDOW]) {
            sl_buf_puts(b, "\nWINDOW ");
            list(b, q->kids[SL_SEL_WINDOW], window_def);
        }
    }
    if (q->nkids == SL_Q_NSLOTS && q->kids[SL_Q_ORDER]) {
        sl_buf_puts(b, "\nORDER BY ");
        list(b, q->kids[SL_Q_ORDER], order_item);
        if (q->kids[SL_Q_WITHIN]) {
            sl_buf_puts(b, " WITHIN ");
            expr(b, q->kids[SL_Q_WITHIN], P_ANY);
        }
    }
}

/* Appends "name type [NOT NULL] [PATH '...']". */
static void coldef(sl_buf_t *b, const sl_ast_t *c)
{
    name(b, c->name);
    sl_buf_putc(b, ' ');
    type(b, c->kids[0]);
    if (c->flags & SL_AF_NOT_NULL) sl_buf_puts(b, " NOT NULL");
    if (c->kids[1]) {
        sl_buf_puts(b, " PATH ");
        quoted(b, c->kids[1]->text);
    }
}

/* Appends a column list, one column per line. */
static void coldefs(sl_buf_t *b, const sl_ast_t *l)
{
    sl_buf_puts(b, "(\n");
    for (int i = 0; l && i < l->nkids; i++) {
        sl_buf_puts(b, "    ");
        coldef(b, l->kids[i]);
        sl_buf_puts(b, i + 1 < l->nkids ? ",\n" : "\n");
    }
    sl_buf_putc(b, ')');
}

/* Appends "CREATE [OR REPLACE] WHAT name". */
static void create(sl_buf_t *b, const sl_ast_t *n, const char *what)
{
    sl_buf_printf(b, "CREATE %s%s ", n->flags & SL_AF_OR_REPLACE ? "OR REPLACE " : "", what);
    name(b, n->name);
}

/* Appends an INSERT statement. */
static void insert(sl_buf_t *b, const sl_ast_t *n)
{
    sl_buf_printf(b, "INSERT %sINTO ", n->flags & SL_AF_EXPEDITED ? "EXPEDITED " : "");
    name(b, n->name);
    if (n->kids[0]) {
        sl_buf_puts(b, " (");
        list(b, n->kids[0], name_node);
        sl_buf_putc(b, ')');
    }
    sl_buf_putc(b, '\n');
    query(b, n->kids[1]);
}

/* Appends the CREATE FUNCTION options in a fixed order. */
static void fnopts(sl_buf_t *b, const sl_ast_t *n)
{
    static const struct {
        int bit;
        const char *text;
    } opts[] = {
        {SL_FN_LANGUAGE_SQL, "LANGUAGE SQL"},
        {SL_FN_DETERMINISTIC, "DETERMINISTIC"},
        {SL_FN_NOT_DETERMINISTIC, "NOT DETERMINISTIC"},
        {SL_FN_NO_SQL, "NO SQL"},
        {SL_FN_CONTAINS_SQL, "CONTAINS SQL"},
        {SL_FN_READS_SQL_DATA, "READS SQL DATA"},
        {SL_FN_MODIFIES_SQL_DATA, "MODIFIES SQL DATA"},
        {SL_FN_RETURNS_NULL_ON_NULL, "RETURNS NULL ON NULL INPUT"},
        {SL_FN_CALLED_ON_NULL, "CALLED ON NULL INPUT"},
    };
    if (n->alias) {
        sl_buf_puts(b, "\nSPECIFIC ");
        name(b, n->alias);
    }
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (n->op & opts[i].bit) sl_buf_printf(b, "\n%s", opts[i].text);
}

/* Appends an extension statement's FROM/TO endpoint, FORMAT, columns and options. */
static void ext_tail(sl_buf_t *b, const sl_ast_t *n, const char *dir)
{
    const sl_ast_t *e = n->kids[0];
    sl_buf_printf(b, " %s %s", dir, e->name);
    if (e->text) {
        sl_buf_putc(b, ' ');
        quoted(b, e->text);
    }
    sl_buf_puts(b, " FORMAT ");
    name(b, n->kids[1]->name);
    if (n->kids[2]) {
        sl_buf_putc(b, ' ');
        coldefs(b, n->kids[2]);
    }
    if (n->kids[3]) {
        sl_buf_puts(b, "\nSTARTING AT ");
        if (n->kids[3]->kind == SL_AST_LITERAL)
            literal(b, n->kids[3]);
        else
            name(b, n->kids[3]->name);
    }
    const sl_ast_t *o = n->kids[4];
    if (o) {
        sl_buf_puts(b, "\nWITH (");
        for (int i = 0; i < o->nkids; i++) {
            if (i) sl_buf_puts(b, ", ");
            name(b, o->kids[i]->name);
            sl_buf_puts(b, " = ");
            literal(b, o->kids[i]->kids[0]);
        }
        sl_buf_putc(b, ')');
    }
}

/* Appends any node as SQL; see parser.h. Statements get no trailing ';' (SCRIPT adds it). */
void sl_ast_print(sl_buf_t *b, const sl_ast_t *n)
{
    if (!n) return;
    switch (n->kind) {
    case SL_AST_SCRIPT:
        for (int i = 0; i < n->nkids; i++) {
            sl_ast_print(b, n->kids[i]);
            sl_buf_puts(b, ";\n\n");
        }
        break;
    case SL_AST_CREATE_STREAM:
        create(b, n, "STREAM");
        sl_buf_putc(b, ' ');
        coldefs(b, n->kids[0]);
        if (n->kids[1]) {
            sl_buf_puts(b, "\nDESCRIPTION ");
            quoted(b, n->kids[1]->text);
        }
        break;
    case SL_AST_CREATE_PUMP:
        create(b, n, "PUMP");
        if (n->kids[0]) {
            sl_buf_puts(b, " DESCRIPTION ");
            quoted(b, n->kids[0]->text);
        }
        sl_buf_puts(b, " AS\n");
        insert(b, n->kids[1]);
        break;
    case SL_AST_INSERT:
        insert(b, n);
        break;
    case SL_AST_CREATE_FUNCTION:
        create(b, n, "FUNCTION");
        sl_buf_putc(b, '(');
        for (int i = 0; n->kids[0] && i < n->kids[0]->nkids; i++) {
            if (i) sl_buf_puts(b, ", ");
            coldef(b, n->kids[0]->kids[i]);
        }
        sl_buf_puts(b, ")\nRETURNS ");
        type(b, n->kids[1]);
        fnopts(b, n);
        sl_buf_puts(b, "\nRETURN ");
        expr(b, n->kids[2], P_ANY);
        break;
    case SL_AST_CREATE_INPUT:
        create(b, n, "INPUT");
        ext_tail(b, n, "FROM");
        break;
    case SL_AST_CREATE_REFERENCE:
        create(b, n, "REFERENCE TABLE");
        ext_tail(b, n, "FROM");
        break;
    case SL_AST_CREATE_OUTPUT:
        create(b, n, "OUTPUT");
        sl_buf_puts(b, " FOR ");
        name(b, n->alias);
        ext_tail(b, n, "TO");
        break;
    case SL_AST_SELECT:
    case SL_AST_SETOP:
    case SL_AST_VALUES:
        query(b, n);
        break;
    case SL_AST_TABLE_REF:
    case SL_AST_SUBQUERY_REF:
    case SL_AST_FUNCTION_REF:
    case SL_AST_JOIN:
        relation(b, n);
        break;
    case SL_AST_TYPE:
        type(b, n);
        break;
    case SL_AST_COLUMN_DEF:
        coldef(b, n);
        break;
    case SL_AST_WINDOW_SPEC:
        winspec_body(b, n);
        break;
    case SL_AST_WINDOW_DEF:
        window_def(b, n);
        break;
    case SL_AST_ORDER_ITEM:
        order_item(b, n);
        break;
    case SL_AST_SELECT_ITEM:
        select_item(b, n);
        break;
    case SL_AST_NAME:
        name(b, n->name);
        break;
    case SL_AST_LIST:
        list(b, n, sl_ast_print);
        break;
    default:
        expr(b, n, P_ANY);
        break;
    }
}
