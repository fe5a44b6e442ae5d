/*
 * lexer.re - the tokenizer of the SQL dialect (re2c source; the build generates lexer.c).
 *
 * Input is a NUL-terminated copy of the source (parse.c makes it); the NUL at `lim` marks
 * the end, and NULs before it are ordinary (illegal) characters thanks to re2c's bounds
 * checks. Each call returns one token with its line and column; whitespace and comments
 * (`--` and `//` to the end of the line, and block comments) are skipped.
 *
 * Three context rules live here rather than in the grammar, so the grammar stays LALR(1)
 * and DATE/TIME/TIMESTAMP/FIRST/LAST keep working as names:
 *   - DATE, TIME or TIMESTAMP (unquoted) followed by a string literal is one DTLIT token;
 *   - FROM FIRST / FROM LAST right after a ')' are one token (NTH_VALUE(...) FROM FIRST);
 *   - the first IN at the top level of POSITION( ... ) is PIN, not the IN operator.
 * Keywords come from the SL_KEYWORDS table (keywords.h) by binary search.
 */
#include "parse_int.h"

#include "grammar.h"
#include "keywords.h"

#include <string.h>

/* One keyword: its upper-case spelling and token code. */
typedef struct keyword {
    const char *name; /* spelling */
    int code;         /* TK_ code */
} keyword_t;

static const keyword_t keywords[] = {
#define SL_KW_ENTRY(name, cls) {#name, TK_##name},
    SL_KEYWORDS(SL_KW_ENTRY)
#undef SL_KW_ENTRY
};

#define NKEYWORDS ((int)(sizeof keywords / sizeof keywords[0]))

/* Compares z[0..n) upper-cased with the NUL-terminated upper-case word w, like strcmp. */
static int word_cmp(const char *z, int n, const char *w)
{
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)z[i];
        if (c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
        unsigned char d = (unsigned char)w[i];
        if (!d) return 1;
        if (c != d) return c < d ? -1 : 1;
    }
    return w[n] ? -1 : 0;
}

/* Returns the TK_ code of the keyword spelled z[0..n) in any case, or 0. */
int sl_keyword_code(const char *z, int n)
{
    int lo = 0, hi = NKEYWORDS - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = word_cmp(z, n, keywords[mid].name);
        if (c == 0) return keywords[mid].code;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return 0;
}

/* True when the upper-case word z[0..n) is a keyword (the printer then quotes it). */
int sl_is_keyword(const char *z, size_t n)
{
    return n < 64 && sl_keyword_code(z, (int)n) != 0;
}

/* Returns a description of a token code for "expected ..." messages. */
const char *sl_token_desc(int code)
{
    switch (code) {
#define SL_KW_DESC(name, cls)                                                                  \
    case TK_##name:                                                                            \
        return #name;
        SL_KEYWORDS(SL_KW_DESC)
#undef SL_KW_DESC
    case 0: return "end of input";
    case TK_ID: return "identifier";
    case TK_LP: return "'('";
    case TK_RP: return "')'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_DOT: return "'.'";
    case TK_STAR: return "'*'";
    case TK_PLUS: return "'+'";
    case TK_MINUS: return "'-'";
    case TK_SLASH: return "'/'";
    case TK_CONCAT: return "'||'";
    case TK_EQ: return "'='";
    case TK_NE: return "'<>'";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_INTEGER: return "integer";
    case TK_DECIMAL: return "number";
    case TK_FLOAT: return "number";
    case TK_STRING: return "string";
    case TK_USTRING: return "string";
    case TK_BSTRING: return "binary string";
    case TK_DTLIT: return "datetime literal";
    case TK_FROM_FIRST: return "FROM FIRST";
    case TK_FROM_LAST: return "FROM LAST";
    case TK_PIN: return "IN";
    default: return "token";
    }
}

/* Starts scanning src[0..len), which must have a NUL at src[len]. */
void sl_lex_init(sl_lexer_t *lx, const char *src, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->cur = src;
    lx->lim = src + len;
    lx->pos = src;
    lx->line = 1;
    lx->col = 1;
}

/* Moves the line/column bookkeeping forward to p; each byte is looked at once overall. */
static void advance(sl_lexer_t *lx, const char *p)
{
    const char *q = lx->pos;
    int line = lx->line, col = lx->col;
    for (; q < p; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    lx->pos = p;
    lx->line = line;
    lx->col = col;
}

/* Skips spaces (not comments) from p; returns the first other byte's address. */
static const char *skip_space(const char *p, const char *lim)
{
    while (p < lim && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f'))
        p++;
    return p;
}

/* Length of the single-quoted string at p ('' doubles a quote), or -1 if unterminated. */
static int quoted_len(const char *p, const char *lim)
{
    const char *q = p + 1;
    while (q < lim) {
        if (*q == '\'') {
            if (q + 1 < lim && q[1] == '\'') {
                q += 2;
                continue;
            }
            return (int)(q + 1 - p);
        }
        q++;
    }
    return -1;
}

/* True when p starts the word w (upper case) in any case, not followed by a word char. */
static int at_word(const char *p, const char *lim, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(lim - p) < n || word_cmp(p, (int)n, w) != 0) return 0;
    if (p + n < lim) {
        unsigned char c = (unsigned char)p[n];
        if (c == '_' || c == '$' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
            c >= 0x80)
            return 0;
    }
    return 1;
}

/*
 * Classifies the unquoted word at tok: a keyword code, DTLIT (DATE/TIME/TIMESTAMP 'x',
 * which then extends the token), FROM_FIRST/FROM_LAST, or TK_ID.
 */
static int classify_word(sl_lexer_t *lx, sl_token_t *tok)
{
    const char *z = tok->z;
    int n = tok->n;
    if ((n == 4 && !word_cmp(z, 4, "DATE")) || (n == 4 && !word_cmp(z, 4, "TIME")) ||
        (n == 9 && !word_cmp(z, 9, "TIMESTAMP"))) {
        const char *p = skip_space(z + n, lx->lim);
        if (p < lx->lim && *p == '\'') {
            int q = quoted_len(p, lx->lim);
            if (q > 0) {
                lx->cur = p + q;
                tok->n = (int)(lx->cur - z);
                return TK_DTLIT;
            }
        }
        return TK_ID;
    }
    int code = sl_keyword_code(z, n);
    if (code == TK_FROM && lx->prev == TK_RP) {
        const char *p = skip_space(z + n, lx->lim);
        int last = at_word(p, lx->lim, "LAST");
        if (last || at_word(p, lx->lim, "FIRST")) {
            lx->cur = p + (last ? 4 : 5);
            tok->n = (int)(lx->cur - z);
            return last ? TK_FROM_LAST : TK_FROM_FIRST;
        }
    }
    return code ? code : TK_ID;
}

/*
 * Scans a U&'...' literal's optional UESCAPE 'c' suffix, extending the token over it.
 */
static void unicode_suffix(sl_lexer_t *lx, sl_token_t *tok)
{
    const char *p = skip_space(lx->cur, lx->lim);
    if (!at_word(p, lx->lim, "UESCAPE")) return;
    p = skip_space(p + 7, lx->lim);
    if (p < lx->lim && *p == '\'') {
        int q = quoted_len(p, lx->lim);
        if (q > 0) {
            lx->cur = p + q;
            tok->n = (int)(lx->cur - tok->z);
        }
    }
}

/* Keeps the POSITION( ... ) bookkeeping that turns its first top-level IN into PIN. */
static int track_parens(sl_lexer_t *lx, int code)
{
    switch (code) {
    case TK_LP:
        lx->depth++;
        if (lx->prev == TK_POSITION && lx->npos < (int)(sizeof lx->pos_depth / sizeof(int)))
            lx->pos_depth[lx->npos++] = lx->depth;
        break;
    case TK_RP:
        if (lx->npos && (lx->pos_depth[lx->npos - 1] == lx->depth ||
                         lx->pos_depth[lx->npos - 1] == -lx->depth))
            lx->npos--;
        lx->depth--;
        break;
    case TK_IN:
        if (lx->npos && lx->pos_depth[lx->npos - 1] == lx->depth) {
            lx->pos_depth[lx->npos - 1] = -lx->depth; /* used: later INs are operators */
            return TK_PIN;
        }
        break;
    default: break;
    }
    return code;
}

/* Applies the context rules to a scanned token and remembers it; returns its code. */
static int finish(sl_lexer_t *lx, sl_token_t *tok, int code)
{
    (void)tok;
    if (code != SL_TK_ILLEGAL) code = track_parens(lx, code);
    lx->prev = code;
    return code;
}

/*
 * Scans the next token. Returns its TK_ code (0 at end of input) or SL_TK_ILLEGAL with
 * lx->err set; tok gets the text slice and position either way.
 */
int sl_lex(sl_lexer_t *lx, sl_token_t *tok)
{
    const unsigned char *umar = NULL;
    const unsigned char *ulim = (const unsigned char *)lx->lim;
    const unsigned char *ucur;
    const char *lim = lx->lim;
again:
    ucur = (const unsigned char *)lx->cur;
    advance(lx, lx->cur);
    tok->z = lx->cur;
    tok->line = lx->line;
    tok->col = lx->col;
    tok->n = 0;
#define TOKEN(code)                                                                            \
    do {                                                                                       \
        lx->cur = (const char *)ucur;                                                          \
        tok->n = (int)(lx->cur - tok->z);                                                      \
        return finish(lx, tok, (code));                                                        \
    } while (0)
#define ILLEGAL(msg)                                                                           \
    do {                                                                                       \
        lx->cur = (const char *)ucur;                                                          \
        tok->n = (int)(lx->cur - tok->z);                                                      \
        lx->err = (msg);                                                                       \
        return finish(lx, tok, SL_TK_ILLEGAL);                                                 \
    } while (0)
    /*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = "ucur";
    re2c:define:YYMARKER = "umar";
    re2c:define:YYLIMIT = "ulim";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    digit  = [0-9];
    letter = [a-zA-Z_] | [\x80-\xff];
    word   = letter (letter | digit | "$")*;
    exact  = digit+ "." digit* | "." digit+;
    approx = (digit+ | exact) [eE] [+-]? digit+;

    $                        { lx->cur = (const char *)ucur; tok->n = 0; lx->prev = 0; return 0; }
    [ \t\r\n\f\v]+           { lx->cur = (const char *)ucur; goto again; }
    ("--" | "//") [^\n]*     { lx->cur = (const char *)ucur; goto again; }
    "/*"                     {
                                 const char *e = (const char *)ucur;
                                 while (e + 1 < lim && !(e[0] == '*' && e[1] == '/')) e++;
                                 if (e + 1 >= lim) { ucur = ulim; ILLEGAL("unterminated /* comment"); }
                                 lx->cur = e + 2;
                                 goto again;
                             }
    word                     { lx->cur = (const char *)ucur; tok->n = (int)(lx->cur - tok->z);
                               int code = classify_word(lx, tok);
                               return finish(lx, tok, code); }
    ["] ([^"] | ["]["])* ["] { TOKEN(TK_ID); }
    ["]                      { ucur = ulim; ILLEGAL("unterminated quoted identifier"); }
    ['] ([^'] | [']['])* ['] { TOKEN(TK_STRING); }
    [']                      { ucur = ulim; ILLEGAL("unterminated string literal"); }
    [uU] "&" ['] ([^'] | [']['])* [']
                             { lx->cur = (const char *)ucur; tok->n = (int)(lx->cur - tok->z);
                               unicode_suffix(lx, tok);
                               return finish(lx, tok, TK_USTRING); }
    [xX] ['] [0-9a-fA-F \t\n]* [']   { TOKEN(TK_BSTRING); }
    [xX] [']                 { ILLEGAL("bad binary string: only hex digits may appear in X'...'"); }
    digit+                   { TOKEN(TK_INTEGER); }
    exact                    { TOKEN(TK_DECIMAL); }
    approx                   { TOKEN(TK_FLOAT); }
    digit+ letter            { ILLEGAL("malformed number"); }
    "("                      { TOKEN(TK_LP); }
    ")"                      { TOKEN(TK_RP); }
    ","                      { TOKEN(TK_COMMA); }
    ";"                      { TOKEN(TK_SEMI); }
    "."                      { TOKEN(TK_DOT); }
    "*"                      { TOKEN(TK_STAR); }
    "+"                      { TOKEN(TK_PLUS); }
    "-"                      { TOKEN(TK_MINUS); }
    "/"                      { TOKEN(TK_SLASH); }
    "||"                     { TOKEN(TK_CONCAT); }
    "="                      { TOKEN(TK_EQ); }
    "<>" | "!="              { TOKEN(TK_NE); }
    "<"                      { TOKEN(TK_LT); }
    "<="                     { TOKEN(TK_LE); }
    ">"                      { TOKEN(TK_GT); }
    ">="                     { TOKEN(TK_GE); }
    [\x00]                   { ILLEGAL("NUL character in the source"); }
    *                        { ILLEGAL("unexpected character"); }
    */
#undef TOKEN
#undef ILLEGAL
}
