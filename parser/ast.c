/*
 * ast.c - the generic life of AST nodes: creation, children, freeing, comparison, dumping.
 *
 * The per-kind meaning of fields lives in parser.h; this file treats every node alike, which
 * is what lets one sl_ast_free, one sl_ast_equal and one sl_ast_dump serve all kinds.
 */
#include "parse_int.h"

#include "alloc.h"

#include <string.h>

static const char *const kind_names[] = {
#define SL_AST_KIND_NAME(name, desc) desc,
    SL_AST_KINDS(SL_AST_KIND_NAME)
#undef SL_AST_KIND_NAME
};

static const char *const kind_ids[] = {
#define SL_AST_KIND_ID(name, desc) #name,
    SL_AST_KINDS(SL_AST_KIND_ID)
#undef SL_AST_KIND_ID
};

/* Returns the human name of a kind, for messages. */
const char *sl_ast_kind_name(sl_ast_kind_t k)
{
    return (unsigned)k < SL_AST_KIND_COUNT ? kind_names[k] : "?";
}

/*
 * Allocates a node of `kind` at line:col with `nslots` empty (NULL) child slots. Numbers of
 * the qualifier start absent (-1). The caller owns the node.
 */
sl_ast_t *sl_ast_new(sl_ast_kind_t kind, int line, int col, int nslots)
{
    sl_ast_t *n = SL_NEW(sl_ast_t);
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->qual.prec = -1;
    n->qual.prec2 = -1;
    n->depth = 1;
    if (nslots > 0) {
        n->kids = SL_NEWN(sl_ast_t *, (size_t)nslots);
        n->capkids = nslots;
        n->nkids = nslots;
    }
    return n;
}

/* Raises n's recorded height to cover kid. */
static void note_depth(sl_ast_t *n, const sl_ast_t *kid)
{
    if (kid && kid->depth + 1 > n->depth) n->depth = kid->depth + 1;
}

/* Appends kid (which may be NULL) as n's last child; n takes ownership. Returns n. */
sl_ast_t *sl_ast_append(sl_ast_t *n, sl_ast_t *kid)
{
    if (n->nkids == n->capkids) {
        int cap = n->capkids ? n->capkids * 2 : 4;
        n->kids = sl_realloc(n->kids, (size_t)cap * sizeof(n->kids[0]));
        n->capkids = cap;
    }
    n->kids[n->nkids++] = kid;
    note_depth(n, kid);
    return n;
}

/* Stores kid in the existing, empty slot i of n; n takes ownership. Returns n. */
sl_ast_t *sl_ast_set(sl_ast_t *n, int i, sl_ast_t *kid)
{
    if (i < 0 || i >= n->nkids) {
        sl_ast_free(kid); /* a builder bug; never leak */
        return n;
    }
    sl_ast_free(n->kids[i]);
    n->kids[i] = kid;
    note_depth(n, kid);
    return n;
}

/* Removes the child in slot i from n and returns it (the caller owns it); NULL if none. */
sl_ast_t *sl_ast_take(sl_ast_t *n, int i)
{
    if (!n || i < 0 || i >= n->nkids) return NULL;
    sl_ast_t *k = n->kids[i];
    n->kids[i] = NULL;
    return k;
}

/* Frees n, its strings and its whole subtree. NULL is a no-op. */
void sl_ast_free(sl_ast_t *n)
{
    if (!n) return;
    for (int i = 0; i < n->nkids; i++) sl_ast_free(n->kids[i]);
    sl_free(n->kids);
    sl_free(n->name);
    sl_free(n->alias);
    sl_free(n->text);
    sl_free(n);
}

/* NULL-safe string equality. */
static int str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* Structural equality of two subtrees, ignoring positions and depth. */
int sl_ast_equal(const sl_ast_t *a, const sl_ast_t *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->op != b->op || a->flags != b->flags || a->nkids != b->nkids)
        return 0;
    if (a->qual.unit != b->qual.unit || a->qual.prec != b->qual.prec ||
        a->qual.unit2 != b->qual.unit2 || a->qual.prec2 != b->qual.prec2)
        return 0;
    if (!str_eq(a->name, b->name) || !str_eq(a->alias, b->alias) || !str_eq(a->text, b->text))
        return 0;
    for (int i = 0; i < a->nkids; i++)
        if (!sl_ast_equal(a->kids[i], b->kids[i])) return 0;
    return 1;
}

/* Appends one line per node, indented by depth, then recurses. */
static void dump(sl_buf_t *out, const sl_ast_t *n, int indent)
{
    for (int i = 0; i < indent; i++) sl_buf_puts(out, "  ");
    if (!n) {
        sl_buf_puts(out, "-\n");
        return;
    }
    sl_buf_printf(out, "%s @%d:%d", kind_ids[n->kind], n->line, n->col);
    if (n->op) sl_buf_printf(out, " op=%d", n->op);
    if (n->flags) sl_buf_printf(out, " flags=0x%x", n->flags);
    if (n->name) sl_buf_printf(out, " name=\"%s\"", n->name);
    if (n->alias) sl_buf_printf(out, " alias=\"%s\"", n->alias);
    if (n->text) sl_buf_printf(out, " text='%s'", n->text);
    if (n->qual.unit || n->qual.prec >= 0 || n->qual.unit2 || n->qual.prec2 >= 0)
        sl_buf_printf(out, " qual=%d(%d)/%d(%d)", n->qual.unit, n->qual.prec, n->qual.unit2,
                      n->qual.prec2);
    sl_buf_putc(out, '\n');
    for (int i = 0; i < n->nkids; i++) dump(out, n->kids[i], indent + 1);
}

/* Appends a debugging dump of the tree rooted at n to out. */
void sl_ast_dump(sl_buf_t *out, const sl_ast_t *n)
{
    dump(out, n, 0);
}
