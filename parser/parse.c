/*
 * parse.c - sl_parse(), the driver of the front end, and its syntax-error messages.
 *
 *     copy the text, NUL-terminated (the lexer's sentinel)
 *     for each token from the lexer:
 *         feed it to the lemon parser; complete statements land in the SCRIPT node
 *         on a lexical or syntax error (one message per statement):
 *             drop the parser (its destructors free the partial tree),
 *             skip to the next ';', start a fresh parser there
 *     at the end: feed a ';' if the last statement lacks one, then end-of-input
 */
#include "parse_int.h"

#include "alloc.h"
#include "grammar.h"

#include <string.h>

/* Appends a short, printable excerpt of the token text for "near '...'" messages. */
static void put_excerpt(sl_buf_t *b, const sl_token_t *t)
{
    int n = t->n > 32 ? 32 : t->n;
    sl_buf_putc(b, '\'');
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t->z[i];
        if (c == '\n' || c == '\r' || c == '\t')
            sl_buf_putc(b, ' ');
        else if (c < 0x20 || c == 0x7f)
            sl_buf_printf(b, "\\x%02x", c);
        else
            sl_buf_putc(b, (char)c);
    }
    if (n < t->n) sl_buf_puts(b, "...");
    sl_buf_putc(b, '\'');
}

/* Token codes that can start an expression; collapsed into "an expression" in messages. */
static int starts_expression(int code)
{
    switch (code) {
    case TK_ID:
    case TK_INTEGER:
    case TK_DECIMAL:
    case TK_FLOAT:
    case TK_STRING:
    case TK_USTRING:
    case TK_BSTRING:
    case TK_DTLIT:
    case TK_LP:
    case TK_MINUS:
    case TK_PLUS:
    case TK_NOT:
    case TK_TRUE:
    case TK_FALSE:
    case TK_UNKNOWN:
    case TK_NULL:
    case TK_INTERVAL:
    case TK_CASE:
    case TK_CAST:
    case TK_CURSOR:
    case TK_EXISTS:
    case TK_PERIOD:
    case TK_FLOOR:
    case TK_CEIL:
    case TK_CEILING:
    case TK_SUBSTRING:
    case TK_TRIM:
    case TK_OVERLAY:
    case TK_STEP:
    case TK_EXTRACT:
    case TK_POSITION:
        return 1;
    default:
        return 0;
    }
}

/* Infix operators (AND stays explicit: BETWEEN needs it); collapsed into "an operator". */
static int is_operator(int code)
{
    switch (code) {
    case TK_OR:
    case TK_IS:
    case TK_LIKE:
    case TK_SIMILAR:
    case TK_BETWEEN:
    case TK_IN:
    case TK_NOT:
    case TK_EQ:
    case TK_NE:
    case TK_LT:
    case TK_LE:
    case TK_GT:
    case TK_GE:
    case TK_CONCAT:
    case TK_PLUS:
    case TK_MINUS:
    case TK_STAR:
    case TK_SLASH:
    case TK_EQUALS:
    case TK_CONTAINS:
    case TK_OVERLAPS:
    case TK_PRECEDES:
    case TK_SUCCEEDS:
    case TK_LEADS:
    case TK_LAGS:
    case TK_STRICTLY:
    case TK_IMMEDIATELY:
        return 1;
    default:
        return 0;
    }
}

/* Adds description d to items[] unless present; counts overflow in *more. */
static void add_item(const char **items, int *nitems, int *more, const char *d)
{
    for (int k = 0; k < *nitems; k++)
        if (!strcmp(items[k], d)) return;
    if (*nitems < 8)
        items[(*nitems)++] = d;
    else
        *more = 1;
}

/*
 * Reports a syntax error at tok (code major): "expected A, B or C near 'tok'". The expected
 * set comes from replaying the parser tables (sl_lemon_expected). To keep it readable,
 * expression starters become "an expression", infix operators "an operator", and
 * punctuation is listed before keywords.
 */
void sl_parse_syntax_error(sl_pctx_t *pc, void *parser, int major, const sl_token_t *tok)
{
    if (pc->failed) return;
    int exp[512];
    int n = sl_lemon_expected(parser, exp, (int)(sizeof exp / sizeof exp[0]));
    int has_expr = 0, nops = 0;
    for (int i = 0; i < n; i++)
        if (exp[i] == TK_INTEGER) has_expr = 1;
    /* Where an expression may start, '-', '+', NOT and '*' are not operators. */
    for (int i = 0; i < n; i++) {
        if (has_expr && (starts_expression(exp[i]) || exp[i] == TK_STAR)) continue;
        if (is_operator(exp[i])) nops++;
    }
    int group_ops = nops >= 3;
    const char *items[16];
    int nitems = 0, more = 0;
    if (has_expr) add_item(items, &nitems, &more, "an expression");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            if (has_expr && starts_expression(exp[i])) continue;
            if (group_ops && is_operator(exp[i]) && !(has_expr && exp[i] == TK_STAR)) continue;
            const char *d = sl_token_desc(exp[i]);
            int punct = d[0] == '\'';
            if (punct != (pass == 0)) continue;
            add_item(items, &nitems, &more, d);
        }
    }
    if (group_ops) {
        if (nitems == 8) more = 1, nitems--;
        add_item(items, &nitems, &more, "an operator");
    }
    sl_buf_t b = SL_BUF_INIT;
    if (nitems == 0) {
        sl_buf_puts(&b, "unexpected ");
    } else {
        sl_buf_puts(&b, "expected ");
        for (int i = 0; i < nitems; i++) {
            if (i) sl_buf_puts(&b, i == nitems - 1 && !more ? " or " : ", ");
            sl_buf_puts(&b, items[i]);
        }
        if (more) sl_buf_puts(&b, ", ...");
        sl_buf_puts(&b, " near ");
    }
    if (major == 0 || tok->n == 0)
        sl_buf_puts(&b, "end of input");
    else
        put_excerpt(&b, tok);
    sl_perr_tok(pc, tok, "%s", b.p);
    sl_buf_free(&b);
}

/* The position just past token t (for errors at the end of the input). */
static sl_token_t after(const sl_token_t *t)
{
    sl_token_t e = *t;
    for (int i = 0; i < t->n; i++) {
        unsigned char c = (unsigned char)t->z[i];
        if (c == '\n') {
            e.line++;
            e.col = 1;
        } else if ((c & 0xC0) != 0x80) {
            e.col++;
        }
    }
    e.z = t->z + t->n;
    e.n = 0;
    return e;
}

/* Parses a whole file; see parser.h. */
sl_ast_t *sl_parse(const char *filename, const char *text, size_t len, sl_diag_t *diags)
{
    (void)filename;
    char *src = sl_malloc(len + 1);
    if (len) memcpy(src, text, len);
    src[len] = '\0';

    sl_pctx_t pc;
    memset(&pc, 0, sizeof pc);
    pc.diags = diags;
    pc.errors_before = diags->count;
    pc.script = sl_ast_new(SL_AST_SCRIPT, 1, 1, 0);

    sl_lexer_t lx;
    sl_lex_init(&lx, src, len);
    void *parser = sl_lemonAlloc(sl_malloc);
    int last = TK_SEMI; /* last code fed to the parser */
    sl_token_t last_tok = {src, 0, 1, 1};
    for (;;) {
        sl_token_t t;
        int code = sl_lex(&lx, &t);
        if (code == SL_TK_ILLEGAL) {
            sl_perr_tok(&pc, &t, "%s", lx.err);
        } else if (code == 0) {
            if (!pc.failed) {
                sl_token_t end = after(&last_tok);
                pc.cur = end;
                if (last != TK_SEMI) sl_lemon(parser, TK_SEMI, end, &pc);
                if (!pc.failed) sl_lemon(parser, 0, end, &pc);
            }
            break;
        } else {
            pc.cur = t;
            sl_lemon(parser, code, t, &pc);
            last = code;
            last_tok = t;
        }
        if (pc.failed) {
            /* Resynchronise after the next ';' (or at the end) with a fresh parser. */
            while (code != TK_SEMI && code != 0) code = sl_lex(&lx, &t);
            sl_lemonFree(parser, sl_free);
            parser = sl_lemonAlloc(sl_malloc);
            pc.failed = 0;
            last = TK_SEMI;
            if (code == 0) break;
        }
    }
    sl_lemonFree(parser, sl_free);
    sl_free(src);
    return pc.script;
}
