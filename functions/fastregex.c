/*
 * fastregex.c - the pattern language and matcher of KDA's FAST_REGEX_LOG_PARSE; see fnint.h
 * and README.md ("FAST_REGEX_LOG_PARSE") for the semantics.
 *
 * A pattern is compiled in three steps:
 *
 *     text --parse--> syntax tree (n-ary CAT/ALT/AND lists, REP, character SETs)
 *          --split--> series of expressions: KDA's decomposition at the top-level groups,
 *                     each expression = one part of any length + parts of fixed length
 *          --compile--> one Thompson NFA per expression (AND: a product automaton)
 *
 * Matching runs the expressions in turn over the line, each from where the previous one
 * stopped: an expression stops at the shortest prefix it accepts (lazy, no backtracking),
 * the last one must reach the end of the line. The NFA is simulated with state lists, so a
 * line costs O(length x states) whatever the pattern, and nothing backtracks. Group
 * boundaries inside an expression follow from the fixed lengths of its trailing parts.
 *
 * Characters are code points of the UTF-8 line; a byte that is not part of well-formed
 * UTF-8 is a character of its own (FX_BADBYTE + byte), so any line can be matched and '.'
 * matches it.
 */
#include "fnint.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_BADBYTE    0x110000u           /* byte b of malformed UTF-8 is FX_BADBYTE + b */
#define FX_MAXCP      (FX_BADBYTE + 0xFF) /* the largest character */
#define FX_MAX_DEPTH  64                  /* nesting of parentheses, quantifiers and & */
#define FX_MAX_REP    1000                /* the largest bound of {n,m} */
#define FX_MAX_NODES  20000               /* NFA instructions of a whole pattern */
#define FX_MAX_PAIRS  4096                /* states of one intersection's product */
#define FX_MAX_GROUPS 1000                /* columns */
#define FX_MAX_DIGITS 18                  /* digits of a bound of <n-m> */

/* ---- character sets ------------------------------------------------------------------- */

typedef struct fx_range {
    uint32_t lo, hi;
} fx_range_t;

/* A set of characters: sorted, disjoint, non-adjacent ranges, with an ASCII bitmap. */
typedef struct fx_set {
    int off, n; /* ranges[off .. off+n) of the pattern's pool */
    uint64_t ascii[2];
} fx_set_t;

/* ---- syntax tree ---------------------------------------------------------------------- */

enum { AST_EPS, AST_SET, AST_CAT, AST_ALT, AST_AND, AST_REP };

typedef struct fx_ast {
    int kind;
    int child;    /* CAT/ALT/AND: first operand; REP: the repeated node */
    int next;     /* the next operand of the parent's list, -1 at the end */
    int min, max; /* REP: bounds, max -1 = unbounded */
    int set;      /* SET: index into sets */
} fx_ast_t;

/* ---- NFA ------------------------------------------------------------------------------ */

enum { OP_SET, OP_SPLIT, OP_JMP, OP_ACCEPT, OP_FAIL };

typedef struct fx_inst {
    int op;
    int x, y; /* SET: x next; SPLIT: x, y; JMP: x */
    int set;  /* SET: the set */
} fx_inst_t;

/* One part of an expression of the series: a subtree and the group it belongs to. */
typedef struct fx_part {
    int ast;
    int group; /* 1-based column, 0 = text outside the groups */
    int flen;  /* its length in characters when fixed; the first part may be -1 */
} fx_part_t;

/* One expression of the series: parts [part0, part0+nparts), its NFA start and accept. */
typedef struct fx_expr {
    int part0, nparts;
    int start, accept;
} fx_expr_t;

struct sl_frx {
    int ngroups;
    fx_range_t *ranges;
    int nranges, cranges;
    fx_set_t *sets;
    int nsets, csets;
    fx_ast_t *ast;
    int nast, cast;
    fx_inst_t *prog;
    int nprog, cprog;
    fx_part_t *parts;
    int nparts, cparts;
    fx_expr_t *exprs;
    int nexprs, cexprs;
};

/* Grows a (pointer, count, capacity) array to hold one more element. */
#define FX_GROW(p, n, c)                                                                           \
    do {                                                                                           \
        if ((n) >= (c)) {                                                                          \
            (c) = (c) ? (c)*2 : 16;                                                                \
            (p) = sl_realloc((p), sizeof *(p) * (size_t)(c));                                      \
        }                                                                                          \
    } while (0)

/* ---- UTF-8 ---------------------------------------------------------------------------- */

/*
 * Decodes the character at s[i] (i < n) into *cp and returns its length in bytes. A byte
 * that does not start a well-formed sequence (overlong forms, surrogates and values past
 * U+10FFFF included) is one character, FX_BADBYTE + the byte.
 */
static size_t fx_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len && c <= 0xF4 && i + len <= n) {
        uint32_t v = c & (0x3F >> (len - 1));
        size_t k = 1;
        for (; k < len && (s[i + k] & 0xC0) == 0x80; k++) v = v << 6 | (s[i + k] & 0x3F);
        if (k == len && !(len == 3 && v < 0x800) && !(len == 4 && (v < 0x10000 || v > 0x10FFFF)) &&
            !(v >= 0xD800 && v <= 0xDFFF)) {
            *cp = v;
            return len;
        }
    }
    *cp = FX_BADBYTE + c;
    return 1;
}

/* ---- building sets and trees ----------------------------------------------------------- */

/* Sorts and merges r[0..n) in place; returns the new count. */
static int fx_normalize(fx_range_t *r, int n)
{
    for (int i = 1; i < n; i++) { /* insertion sort: classes are short */
        fx_range_t t = r[i];
        int j = i;
        for (; j > 0 && r[j - 1].lo > t.lo; j--) r[j] = r[j - 1];
        r[j] = t;
    }
    int w = 0;
    for (int i = 0; i < n; i++) {
        if (w && r[i].lo <= r[w - 1].hi + 1) {
            if (r[i].hi > r[w - 1].hi) r[w - 1].hi = r[i].hi;
        } else {
            r[w++] = r[i];
        }
    }
    return w;
}

/* Adds a set of the ranges r[0..n) (normalized here, optionally complemented); returns its
 * index. */
static int fx_add_set(sl_frx_t *fx, fx_range_t *r, int n, bool negate)
{
    n = fx_normalize(r, n);
    fx_range_t *src = r;
    int m = n;
    if (negate) {
        /* the complement over [0, FX_MAXCP] has at most n + 1 ranges */
        src = sl_malloc(sizeof *src * (size_t)(n + 1));
        m = 0;
        uint32_t from = 0;
        for (int i = 0; i < n; i++) {
            if (r[i].lo > from) src[m++] = (fx_range_t){from, r[i].lo - 1};
            from = r[i].hi + 1;
        }
        if (from <= FX_MAXCP) src[m++] = (fx_range_t){from, FX_MAXCP};
    }
    FX_GROW(fx->sets, fx->nsets, fx->csets);
    fx_set_t *s = &fx->sets[fx->nsets];
    memset(s, 0, sizeof *s);
    s->off = fx->nranges;
    s->n = m;
    for (int i = 0; i < m; i++) {
        FX_GROW(fx->ranges, fx->nranges, fx->cranges);
        fx->ranges[fx->nranges++] = src[i];
        for (uint32_t c = src[i].lo; c <= src[i].hi && c < 128; c++)
            s->ascii[c >> 6] |= 1ull << (c & 63);
    }
    if (negate) sl_free(src);
    return fx->nsets++;
}

/* True when set k holds character c. */
static inline bool fx_in_set(const sl_frx_t *fx, int k, uint32_t c)
{
    const fx_set_t *s = &fx->sets[k];
    if (c < 128) return (s->ascii[c >> 6] >> (c & 63)) & 1;
    const fx_range_t *r = fx->ranges + s->off;
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < r[mid].lo)
            hi = mid - 1;
        else if (c > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* A new tree node; returns its index. */
static int fx_node(sl_frx_t *fx, int kind)
{
    FX_GROW(fx->ast, fx->nast, fx->cast);
    fx->ast[fx->nast] = (fx_ast_t){kind, -1, -1, 0, 0, -1};
    return fx->nast++;
}

/* A SET node of one range. */
static int fx_range_node(sl_frx_t *fx, uint32_t lo, uint32_t hi)
{
    fx_range_t r = {lo, hi};
    int n = fx_node(fx, AST_SET);
    int s = fx_add_set(fx, &r, 1, false);
    fx->ast[n].set = s;
    return n;
}

/* A REP node of child. */
static int fx_rep_node(sl_frx_t *fx, int child, int min, int max)
{
    int n = fx_node(fx, AST_REP);
    fx->ast[n].child = child;
    fx->ast[n].min = min;
    fx->ast[n].max = max;
    return n;
}

/* A list node (CAT, ALT, AND) of the nodes kids[0..k); a list of one is that node. */
static int fx_list_node(sl_frx_t *fx, int kind, const int *kids, int k)
{
    if (k == 1) return kids[0];
    if (k == 0) return fx_node(fx, AST_EPS);
    int n = fx_node(fx, kind);
    fx->ast[n].child = kids[0];
    for (int i = 0; i + 1 < k; i++) fx->ast[kids[i]].next = kids[i + 1];
    fx->ast[kids[k - 1]].next = -1;
    return n;
}

/* ---- numerical intervals <n-m> --------------------------------------------------------- */

/*
 * The w-digit strings from lo to hi (w digits each, lo <= hi). Splitting on the first digit
 * keeps the tree O(w^2): below the first digit one side is always all 0s or all 9s.
 */
static int fx_num_fixed(sl_frx_t *fx, const char *lo, const char *hi, int w)
{
    if (w == 0) return fx_node(fx, AST_EPS);
    bool lo0 = true, hi9 = true;
    for (int i = 0; i < w; i++) {
        if (lo[i] != '0') lo0 = false;
        if (hi[i] != '9') hi9 = false;
    }
    if (lo0 && hi9) return fx_rep_node(fx, fx_range_node(fx, '0', '9'), w, w);
    if (lo[0] == hi[0]) {
        int kids[2] = {fx_range_node(fx, (uint32_t)lo[0], (uint32_t)lo[0]),
                       fx_num_fixed(fx, lo + 1, hi + 1, w - 1)};
        return fx_list_node(fx, AST_CAT, kids, 2);
    }
    char nines[FX_MAX_DIGITS], zeros[FX_MAX_DIGITS];
    memset(nines, '9', sizeof nines);
    memset(zeros, '0', sizeof zeros);
    int alts[3], na = 0, kids[2];
    kids[0] = fx_range_node(fx, (uint32_t)lo[0], (uint32_t)lo[0]);
    kids[1] = fx_num_fixed(fx, lo + 1, nines, w - 1);
    alts[na++] = fx_list_node(fx, AST_CAT, kids, 2);
    if (hi[0] - lo[0] >= 2) {
        kids[0] = fx_range_node(fx, (uint32_t)lo[0] + 1, (uint32_t)hi[0] - 1);
        kids[1] = fx_rep_node(fx, fx_range_node(fx, '0', '9'), w - 1, w - 1);
        alts[na++] = fx_list_node(fx, AST_CAT, kids, 2);
    }
    kids[0] = fx_range_node(fx, (uint32_t)hi[0], (uint32_t)hi[0]);
    kids[1] = fx_num_fixed(fx, zeros, hi + 1, w - 1);
    alts[na++] = fx_list_node(fx, AST_CAT, kids, 2);
    return fx_list_node(fx, AST_ALT, alts, na);
}

/*
 * <n-m>: the decimal numbers from n to m. When n and m are written with as many digits,
 * exactly that many (<00-59> takes "07", not "7"); otherwise any number of leading zeros.
 * nd, md: the digit strings as written (1..FX_MAX_DIGITS each).
 */
static int fx_num_interval(sl_frx_t *fx, const char *nd, int nl, const char *md, int ml)
{
    if (nl == ml) return fx_num_fixed(fx, nd, md, nl);
    while (nl > 1 && nd[0] == '0') nd++, nl--;
    while (ml > 1 && md[0] == '0') md++, ml--;
    int alts[FX_MAX_DIGITS + 1], na = 0;
    for (int w = nl; w <= ml; w++) {
        char lo[FX_MAX_DIGITS], hi[FX_MAX_DIGITS];
        if (w == nl) {
            memcpy(lo, nd, (size_t)w);
        } else {
            memset(lo, '0', (size_t)w);
            lo[0] = '1';
        }
        if (w == ml)
            memcpy(hi, md, (size_t)w);
        else
            memset(hi, '9', (size_t)w);
        alts[na++] = fx_num_fixed(fx, lo, hi, w);
    }
    int kids[2] = {fx_rep_node(fx, fx_range_node(fx, '0', '0'), 0, -1),
                   fx_list_node(fx, AST_ALT, alts, na)};
    return fx_list_node(fx, AST_CAT, kids, 2);
}

/* ---- parser ---------------------------------------------------------------------------- */

typedef struct fx_parser {
    sl_frx_t *fx;
    const unsigned char *p;
    size_t n, i;
    int depth;
    char *err;
    size_t errlen;
    bool failed;
} fx_parser_t;

/* Records the first error (printf-style); returns -1 for the callers to pass up. */
static int fx_fail(fx_parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fx_fail(fx_parser_t *ps, const char *fmt, ...)
{
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
        ps->failed = true;
    }
    return -1;
}

/* Enters one level of nesting; false (with the error set) when too deep. */
static bool fx_enter(fx_parser_t *ps)
{
    if (++ps->depth > FX_MAX_DEPTH) {
        fx_fail(ps, "pattern nests parentheses, quantifiers and & more than %d deep", FX_MAX_DEPTH);
        return false;
    }
    return true;
}

static int fx_parse_union(fx_parser_t *ps);

/* The character of an escape or a literal at ps->i (advanced past it); -1 on error. A
 * backslash makes the next character literal, except letters and digits, which Java
 * would read as classes or controls (\d, \t): refused rather than silently literal. */
static int64_t fx_char(fx_parser_t *ps)
{
    size_t at = ps->i;
    if (ps->p[ps->i] == '\\') {
        if (++ps->i >= ps->n) return fx_fail(ps, "pattern ends with a backslash");
        unsigned char e = ps->p[ps->i];
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
            return fx_fail(ps,
                           "pattern escape \\%c at offset %zu is not Fast Regex syntax (a "
                           "backslash makes punctuation literal; use <Digit>, <Space>, "
                           "<Alpha> ... for classes)",
                           e, at);
    }
    uint32_t cp;
    ps->i += fx_decode(ps->p, ps->n, ps->i, &cp);
    return cp;
}

/* [ charclasses ] or [^ charclasses ] at ps->i. */
static int fx_parse_class(fx_parser_t *ps)
{
    size_t at = ps->i++;
    bool neg = ps->i < ps->n && ps->p[ps->i] == '^';
    if (neg) ps->i++;
    fx_range_t *r = NULL;
    int nr = 0, cr = 0;
    while (ps->i < ps->n && ps->p[ps->i] != ']') {
        size_t cat = ps->i;
        int64_t lo = fx_char(ps), hi;
        if (lo < 0) goto bad;
        hi = lo;
        if (ps->i + 1 < ps->n && ps->p[ps->i] == '-' && ps->p[ps->i + 1] != ']') {
            ps->i++;
            hi = fx_char(ps);
            if (hi < 0) goto bad;
            if (hi < lo) {
                fx_fail(ps, "pattern range at offset %zu is out of order", cat);
                goto bad;
            }
        }
        FX_GROW(r, nr, cr);
        r[nr++] = (fx_range_t){(uint32_t)lo, (uint32_t)hi};
    }
    if (ps->i >= ps->n) {
        fx_fail(ps, "pattern has an unterminated [ at offset %zu", at);
        goto bad;
    }
    if (!nr) {
        fx_fail(ps, "pattern has an empty character class at offset %zu", at);
        goto bad;
    }
    ps->i++;
    int n = fx_node(ps->fx, AST_SET);
    int s = fx_add_set(ps->fx, r, nr, neg);
    ps->fx->ast[n].set = s;
    sl_free(r);
    return n;
bad:
    sl_free(r);
    return -1;
}

/* The named patterns KDA lists (POSIX classes). */
static const struct {
    const char *name;
    const char *ranges; /* pairs lo hi */
} fx_named[] = {
    {"Digit", "09"},
    {"Upper", "AZ"},
    {"Lower", "az"},
    {"ASCII", "\x01\x7f"}, /* with NUL, added below */
    {"Alpha", "azAZ"},
    {"Alnum", "azAZ09"},
    {"Punct", "!/:@[`{~"},
    {"Blank", "  \t\t"},
    {"Space", "  \t\r"}, /* \t \n \v \f \r are 9..13 */
    {"Cntrl", "\x01\x1f\x7f\x7f"},
    {"XDigit", "09afAF"},
    {"Print", "azAZ09!/:@[`{~"},
    {"Graph", "azAZ09!/:@[`{~"},
};

/* < identifier > or <n-m> at ps->i. */
static int fx_parse_angle(fx_parser_t *ps)
{
    size_t at = ps->i++, s = ps->i;
    while (ps->i < ps->n && ps->p[ps->i] != '>') ps->i++;
    if (ps->i >= ps->n) return fx_fail(ps, "pattern has an unterminated < at offset %zu", at);
    const char *id = (const char *)ps->p + s;
    size_t idn = ps->i - s;
    ps->i++;
    for (size_t k = 0; k < sizeof fx_named / sizeof fx_named[0]; k++) {
        if (strlen(fx_named[k].name) != idn || memcmp(fx_named[k].name, id, idn)) continue;
        fx_range_t r[8];
        int nr = 0;
        const char *q = fx_named[k].ranges;
        for (; *q; q += 2) r[nr++] = (fx_range_t){(unsigned char)q[0], (unsigned char)q[1]};
        if (!strcmp(fx_named[k].name, "ASCII") || !strcmp(fx_named[k].name, "Cntrl"))
            r[nr++] = (fx_range_t){0, 0};
        int n = fx_node(ps->fx, AST_SET);
        int set = fx_add_set(ps->fx, r, nr, false);
        ps->fx->ast[n].set = set;
        return n;
    }
    /* <n-m> */
    size_t d1 = 0;
    while (d1 < idn && id[d1] >= '0' && id[d1] <= '9') d1++;
    size_t d2 = d1 + 1;
    while (d2 < idn && id[d2] >= '0' && id[d2] <= '9') d2++;
    if (d1 >= 1 && d1 < idn && id[d1] == '-' && d2 == idn && d2 > d1 + 1) {
        int nl = (int)d1, ml = (int)(d2 - d1 - 1);
        const char *nd = id, *md = id + d1 + 1;
        if (nl > FX_MAX_DIGITS || ml > FX_MAX_DIGITS)
            return fx_fail(ps, "pattern interval <%.*s> at offset %zu has more than %d digits",
                           (int)idn, id, at, FX_MAX_DIGITS);
        unsigned long long nv = strtoull(nd, NULL, 10), mv = strtoull(md, NULL, 10);
        if (nv > mv)
            return fx_fail(ps, "pattern interval <%.*s> at offset %zu is out of order", (int)idn,
                           id, at);
        return fx_num_interval(ps->fx, nd, nl, md, ml);
    }
    return fx_fail(ps,
                   "pattern names an unknown pattern <%.*s> at offset %zu (known: Digit, Upper, "
                   "Lower, ASCII, Alpha, Alnum, Punct, Blank, Space, Cntrl, XDigit, Print, "
                   "Graph, or a numerical interval <n-m>)",
                   (int)(idn > 40 ? 40 : idn), id, at);
}

/* simpleexp and charclassexp at ps->i. */
static int fx_parse_simple(fx_parser_t *ps)
{
    sl_frx_t *fx = ps->fx;
    size_t at = ps->i;
    unsigned char c = ps->p[ps->i];
    switch (c) {
    case '[':
        return fx_parse_class(ps);
    case '.':
        ps->i++;
        return fx_range_node(fx, 0, FX_MAXCP);
    case '#': { /* the empty language: a set without characters */
        ps->i++;
        int n = fx_node(fx, AST_SET);
        fx->ast[n].set = fx_add_set(fx, NULL, 0, false);
        return n;
    }
    case '@':
        ps->i++;
        return fx_rep_node(fx, fx_range_node(fx, 0, FX_MAXCP), 0, -1);
    case '"': {
        ps->i++;
        int *kids = NULL, nk = 0, ck = 0;
        while (ps->i < ps->n && ps->p[ps->i] != '"') {
            uint32_t cp;
            ps->i += fx_decode(ps->p, ps->n, ps->i, &cp);
            FX_GROW(kids, nk, ck);
            kids[nk++] = fx_range_node(fx, cp, cp);
        }
        if (ps->i >= ps->n) {
            sl_free(kids);
            return fx_fail(ps, "pattern has an unterminated string at offset %zu", at);
        }
        ps->i++;
        int n = fx_list_node(fx, AST_CAT, kids, nk);
        sl_free(kids);
        return n;
    }
    case '(': {
        ps->i++;
        if (ps->i < ps->n && ps->p[ps->i] == ')') {
            ps->i++;
            return fx_node(fx, AST_EPS);
        }
        if (!fx_enter(ps)) return -1;
        int n = fx_parse_union(ps);
        ps->depth--;
        if (n < 0) return -1;
        if (ps->i >= ps->n || ps->p[ps->i] != ')')
            return fx_fail(ps, "pattern is missing the ')' of the '(' at offset %zu", at);
        ps->i++;
        return n;
    }
    case '<':
        return fx_parse_angle(ps);
    case ')':
        return fx_fail(ps, "pattern has an unbalanced ')' at offset %zu", at);
    case '*':
    case '+':
    case '?':
    case '{':
        return fx_fail(ps, "pattern quantifier '%c' at offset %zu has nothing to repeat", c, at);
    default: {
        int64_t cp = fx_char(ps);
        if (cp < 0) return -1;
        return fx_range_node(fx, (uint32_t)cp, (uint32_t)cp);
    }
    }
}

/* Reads a bound of {n,m}: digits, at most FX_MAX_REP; -1 when there are none. */
static int fx_bound(fx_parser_t *ps)
{
    long v = -1;
    while (ps->i < ps->n && ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9') {
        v = (v < 0 ? 0 : v) * 10 + (ps->p[ps->i++] - '0');
        if (v > FX_MAX_REP) v = FX_MAX_REP + 1;
    }
    return (int)v;
}

/*
 * The quantifiers after node n: ? * + {n} {n,} {n,m}, any number of them. Returns the
 * quantified node, or -1. *nq counts the quantifiers (for the depth limit).
 */
static int fx_parse_quantifiers(fx_parser_t *ps, int n, int *nq)
{
    while (ps->i < ps->n) {
        size_t at = ps->i;
        int min, max;
        switch (ps->p[ps->i]) {
        case '?':
            min = 0, max = 1;
            ps->i++;
            break;
        case '*':
            min = 0, max = -1;
            ps->i++;
            break;
        case '+':
            min = 1, max = -1;
            ps->i++;
            break;
        case '{':
            ps->i++;
            min = fx_bound(ps);
            max = min;
            if (ps->i < ps->n && ps->p[ps->i] == ',') {
                ps->i++;
                max = fx_bound(ps);
            }
            if (min < 0 || min > FX_MAX_REP || max > FX_MAX_REP || (max >= 0 && max < min) ||
                ps->i >= ps->n || ps->p[ps->i] != '}')
                return fx_fail(ps,
                               "pattern repetition at offset %zu must be {n}, {n,} or {n,m} "
                               "with 0 <= n <= m <= %d",
                               at, FX_MAX_REP);
            ps->i++;
            break;
        default:
            return n;
        }
        if (!fx_enter(ps)) return -1;
        (*nq)++;
        n = fx_rep_node(ps->fx, n, min, max);
    }
    return n;
}

/* True when the byte at ps->i ends a concatenation. */
static bool fx_concat_end(const fx_parser_t *ps)
{
    return ps->i >= ps->n || ps->p[ps->i] == ')' || ps->p[ps->i] == '|' || ps->p[ps->i] == '&';
}

/* concatexp: repeatexp+ (at least one). */
static int fx_parse_concat(fx_parser_t *ps)
{
    if (fx_concat_end(ps))
        return fx_fail(ps, "pattern has an empty alternative at offset %zu", ps->i);
    int *kids = NULL, nk = 0, ck = 0;
    while (!fx_concat_end(ps)) {
        int nq = 0, n = fx_parse_simple(ps);
        if (n >= 0) n = fx_parse_quantifiers(ps, n, &nq);
        ps->depth -= nq;
        if (n < 0) {
            sl_free(kids);
            return -1;
        }
        FX_GROW(kids, nk, ck);
        kids[nk++] = n;
    }
    int n = fx_list_node(ps->fx, AST_CAT, kids, nk);
    sl_free(kids);
    return n;
}

/* interexp: concatexp ('&' concatexp)*, and unionexp: interexp ('|' interexp)*. */
static int fx_parse_list(fx_parser_t *ps, char op)
{
    int *kids = NULL, nk = 0, ck = 0;
    for (;;) {
        int n = op == '|' ? fx_parse_list(ps, '&') : fx_parse_concat(ps);
        if (n < 0) {
            sl_free(kids);
            return -1;
        }
        FX_GROW(kids, nk, ck);
        kids[nk++] = n;
        if (ps->i >= ps->n || ps->p[ps->i] != op) break;
        if (op == '&' && nk >= FX_MAX_DEPTH) {
            sl_free(kids);
            return fx_fail(ps, "pattern intersects more than %d expressions with &", FX_MAX_DEPTH);
        }
        ps->i++;
    }
    int n = fx_list_node(ps->fx, op == '|' ? AST_ALT : AST_AND, kids, nk);
    sl_free(kids);
    return n;
}

static int fx_parse_union(fx_parser_t *ps)
{
    return fx_parse_list(ps, '|');
}

/* ---- the series of expressions --------------------------------------------------------- */

/* The length in characters of every string node n matches, or -1 when it varies. */
static int fx_fixed(const sl_frx_t *fx, int n)
{
    const fx_ast_t *a = &fx->ast[n];
    switch (a->kind) {
    case AST_EPS:
        return 0;
    case AST_SET:
        return 1;
    case AST_CAT: {
        long sum = 0;
        for (int k = a->child; k >= 0; k = fx->ast[k].next) {
            int l = fx_fixed(fx, k);
            if (l < 0) return -1;
            sum += l;
            if (sum > 1000000) return -1;
        }
        return (int)sum;
    }
    case AST_ALT: {
        int len = -2;
        for (int k = a->child; k >= 0; k = fx->ast[k].next) {
            int l = fx_fixed(fx, k);
            if (l < 0 || (len != -2 && l != len)) return -1;
            len = l;
        }
        return len;
    }
    case AST_AND: /* every string of A&B has the length of a fixed-length operand */
        for (int k = a->child; k >= 0; k = fx->ast[k].next) {
            int l = fx_fixed(fx, k);
            if (l >= 0) return l;
        }
        return -1;
    case AST_REP: {
        int l = fx_fixed(fx, a->child);
        if (l == 0) return 0;
        if (l < 0 || a->min != a->max) return -1;
        long t = (long)l * a->min;
        return t > 1000000 ? -1 : (int)t;
    }
    }
    return -1;
}

/* Appends a part to the pattern's list. */
static void fx_add_part(sl_frx_t *fx, int ast, int group, int flen)
{
    FX_GROW(fx->parts, fx->nparts, fx->cparts);
    fx->parts[fx->nparts++] = (fx_part_t){ast, group, flen};
}

/*
 * Adds one unit of the top level - a group's expression (group >= 1) or the text between
 * groups (group 0), as the list of its concatenated items - to the series, KDA's way: the
 * fixed-length items at its start (and the n mandatory copies of a fixed-length item
 * repeated {n,m}, as "_+" counts as "__*") go to the end of the previous expression; what
 * remains, if anything, starts a new expression. The first unit has no previous
 * expression and is one expression as a whole.
 */
static void fx_add_unit(sl_frx_t *fx, int group, int *items, int nitems)
{
    int k = 0;
    if (fx->nexprs > 0) {
        for (; k < nitems; k++) {
            int it = items[k], l = fx_fixed(fx, it);
            if (l >= 0) {
                fx_add_part(fx, it, group, l);
                continue;
            }
            const fx_ast_t *a = &fx->ast[it];
            if (a->kind == AST_REP && a->min >= 1 && (l = fx_fixed(fx, a->child)) >= 0) {
                int child = a->child, min = a->min, max = a->max;
                fx_add_part(fx, fx_rep_node(fx, child, min, min), group, l * min);
                items[k] = fx_rep_node(fx, child, 0, max < 0 ? -1 : max - min);
            }
            break;
        }
        fx->exprs[fx->nexprs - 1].nparts = fx->nparts - fx->exprs[fx->nexprs - 1].part0;
        if (k == nitems) return;
    }
    FX_GROW(fx->exprs, fx->nexprs, fx->cexprs);
    fx_expr_t *e = &fx->exprs[fx->nexprs++];
    memset(e, 0, sizeof *e);
    e->part0 = fx->nparts;
    int core = fx_list_node(fx, AST_CAT, items + k, nitems - k);
    fx_add_part(fx, core, group, -1);
    e->nparts = 1;
}

/*
 * Parses the top level: text and groups in sequence. A '(' here opens a group (a column);
 * parentheses inside a group only group. '|' and '&' cannot stand between groups, and a
 * group cannot take a quantifier (neither has one span to capture).
 */
static bool fx_parse_top(fx_parser_t *ps)
{
    sl_frx_t *fx = ps->fx;
    int *items = NULL, ni = 0, ci = 0;
    bool ok = false;
    while (ps->i < ps->n) {
        unsigned char c = ps->p[ps->i];
        size_t at = ps->i;
        if (c == '|' || c == '&') {
            fx_fail(ps,
                    "pattern '%c' at offset %zu stands between groups: the pattern is "
                    "matched group by group, so '%c' belongs inside a group",
                    c, at, c);
            goto out;
        }
        if (c != '(') {
            int nq = 0, n = fx_parse_simple(ps);
            if (n >= 0) n = fx_parse_quantifiers(ps, n, &nq);
            ps->depth -= nq;
            if (n < 0) goto out;
            FX_GROW(items, ni, ci);
            items[ni++] = n;
            continue;
        }
        /* a group: first the text before it */
        if (ni) fx_add_unit(fx, 0, items, ni);
        ni = 0;
        if (fx->ngroups >= FX_MAX_GROUPS) {
            fx_fail(ps, "pattern has more than %d groups", FX_MAX_GROUPS);
            goto out;
        }
        int g = ++fx->ngroups;
        int inner = fx_parse_simple(ps); /* '(' ... ')' or "()" */
        if (inner < 0) goto out;
        if (ps->i < ps->n && strchr("?*+{", ps->p[ps->i])) {
            fx_fail(ps,
                    "pattern group %d (offset %zu) takes the quantifier '%c': a column cannot "
                    "repeat; repeat inside the group, as in ((...)+)",
                    g, at, ps->p[ps->i]);
            goto out;
        }
        const fx_ast_t *a = &fx->ast[inner];
        if (a->kind == AST_CAT) {
            for (int k = a->child; k >= 0; k = fx->ast[k].next) {
                FX_GROW(items, ni, ci);
                items[ni++] = k;
            }
        } else {
            FX_GROW(items, ni, ci);
            items[ni++] = inner;
        }
        fx_add_unit(fx, g, items, ni);
        ni = 0;
    }
    if (ni) fx_add_unit(fx, 0, items, ni);
    ok = true;
out:
    sl_free(items);
    return ok;
}

/* ---- NFA construction ------------------------------------------------------------------ */

/* Appends an instruction; -1 (with the error set) past FX_MAX_NODES. */
static int fx_emit(fx_parser_t *ps, int op, int x, int y, int set)
{
    sl_frx_t *fx = ps->fx;
    if (fx->nprog >= FX_MAX_NODES)
        return fx_fail(ps, "pattern is too large (more than %d automaton states)", FX_MAX_NODES);
    FX_GROW(fx->prog, fx->nprog, fx->cprog);
    fx->prog[fx->nprog] = (fx_inst_t){op, x, y, set};
    return fx->nprog++;
}

static int fx_compile(fx_parser_t *ps, int n, int k);

/* Adds to *out the SET instructions and the ACCEPT reachable from x without input. */
static void fx_closure(const sl_frx_t *fx, int x, uint8_t *seen, int **out, int *nout, int *cout,
                       int **stack, int *cstack)
{
    int sp = 0;
    FX_GROW(*stack, sp, *cstack);
    (*stack)[sp++] = x;
    while (sp) {
        int s = (*stack)[--sp];
        if (seen[s]) continue;
        seen[s] = 1;
        const fx_inst_t *in = &fx->prog[s];
        if (in->op == OP_SPLIT) {
            FX_GROW(*stack, sp, *cstack);
            (*stack)[sp++] = in->y;
            FX_GROW(*stack, sp, *cstack);
            (*stack)[sp++] = in->x;
        } else if (in->op == OP_JMP) {
            FX_GROW(*stack, sp, *cstack);
            (*stack)[sp++] = in->x;
        } else {
            FX_GROW(*out, *nout, *cout);
            (*out)[(*nout)++] = s;
        }
    }
}

/* Adds the intersection of sets a and b; -1 when it is empty. */
static int fx_set_and(sl_frx_t *fx, int a, int b)
{
    const fx_set_t *sa = &fx->sets[a], *sb = &fx->sets[b];
    fx_range_t *r = sl_malloc(sizeof *r * (size_t)(sa->n + sb->n + 1));
    int nr = 0, i = 0, j = 0;
    while (i < sa->n && j < sb->n) {
        fx_range_t x = fx->ranges[sa->off + i], y = fx->ranges[sb->off + j];
        uint32_t lo = x.lo > y.lo ? x.lo : y.lo, hi = x.hi < y.hi ? x.hi : y.hi;
        if (lo <= hi) r[nr++] = (fx_range_t){lo, hi};
        if (x.hi < y.hi)
            i++;
        else
            j++;
    }
    int s = nr ? fx_add_set(fx, r, nr, false) : -1;
    sl_free(r);
    return s;
}

/* The states of an intersection's product: pairs of operand positions, hashed. */
typedef struct fx_pairs {
    int *pa, *pb, *entry; /* positions in A and B; the state's JMP instruction */
    int n, cap;
    int hash[2 * FX_MAX_PAIRS]; /* pair index, -1 = empty slot */
} fx_pairs_t;

/* The state of pair (xa, xb), made (with a JMP to fill in later) when new; -1 with the
 * error set past FX_MAX_PAIRS states or FX_MAX_NODES instructions. */
static int fx_pair(fx_parser_t *ps, fx_pairs_t *t, int xa, int xb)
{
    unsigned hs = 2 * FX_MAX_PAIRS;
    unsigned h = ((unsigned)xa * 2654435761u ^ (unsigned)xb * 40503u) % hs;
    while (t->hash[h] >= 0 && (t->pa[t->hash[h]] != xa || t->pb[t->hash[h]] != xb))
        h = (h + 1) % hs;
    if (t->hash[h] >= 0) return t->hash[h];
    if (t->n >= FX_MAX_PAIRS)
        return fx_fail(ps, "pattern intersection (&) is too large (more than %d states)",
                       FX_MAX_PAIRS);
    int st = fx_emit(ps, OP_JMP, -1, 0, -1);
    if (st < 0) return -1;
    if (t->n >= t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->pa = sl_realloc(t->pa, sizeof *t->pa * (size_t)t->cap);
        t->pb = sl_realloc(t->pb, sizeof *t->pb * (size_t)t->cap);
        t->entry = sl_realloc(t->entry, sizeof *t->entry * (size_t)t->cap);
    }
    t->pa[t->n] = xa;
    t->pb[t->n] = xb;
    t->entry[t->n] = st;
    t->hash[h] = t->n;
    return t->n++;
}

/*
 * A&B continuing to k: both operands are compiled on their own, then their product is
 * emitted as new instructions. A product state is a pair of positions (xa, xb), one in
 * each operand; its moves pair the SET instructions reachable from xa and xb (on the
 * intersection of their sets), and it accepts when both operands accept. Each state is a
 * JMP to a SPLIT chain over its moves (and k when it accepts).
 */
static int fx_compile_and(fx_parser_t *ps, int a, int b, int k)
{
    sl_frx_t *fx = ps->fx;
    int acc_a = fx_emit(ps, OP_ACCEPT, 0, 0, -1), acc_b = fx_emit(ps, OP_ACCEPT, 0, 0, -1);
    if (acc_a < 0 || acc_b < 0) return -1;
    int sa = fx_compile(ps, a, acc_a), sb = fx_compile(ps, b, acc_b);
    if (sa < 0 || sb < 0) return -1;
    int nold = fx->nprog, result = -1;
    uint8_t *seen = sl_calloc((size_t)nold, 1);
    int *ca = NULL, nca = 0, cca = 0, *cb = NULL, ncb = 0, ccb = 0, *stack = NULL, cstack = 0;
    fx_pairs_t *t = sl_calloc(1, sizeof *t);
    memset(t->hash, 0xff, sizeof t->hash);
    int first = fx_pair(ps, t, sa, sb);
    if (first < 0) goto out;
    for (int p = 0; p < t->n; p++) {
        nca = ncb = 0;
        memset(seen, 0, (size_t)nold);
        fx_closure(fx, t->pa[p], seen, &ca, &nca, &cca, &stack, &cstack);
        memset(seen, 0, (size_t)nold);
        fx_closure(fx, t->pb[p], seen, &cb, &ncb, &ccb, &stack, &cstack);
        /* the chain is built from its end: FAIL, then k if both accept, then the moves */
        int chain = fx_emit(ps, OP_FAIL, 0, 0, -1);
        if (chain < 0) goto out;
        bool acc1 = false, acc2 = false;
        for (int i = 0; i < nca; i++) acc1 |= ca[i] == acc_a;
        for (int j = 0; j < ncb; j++) acc2 |= cb[j] == acc_b;
        if (acc1 && acc2 && (chain = fx_emit(ps, OP_SPLIT, k, chain, -1)) < 0) goto out;
        for (int i = 0; i < nca; i++) {
            const fx_inst_t ia = fx->prog[ca[i]];
            if (ia.op != OP_SET) continue;
            for (int j = 0; j < ncb; j++) {
                const fx_inst_t ib = fx->prog[cb[j]];
                if (ib.op != OP_SET) continue;
                int set = fx_set_and(fx, ia.set, ib.set);
                if (set < 0) continue;
                int to = fx_pair(ps, t, ia.x, ib.x);
                if (to < 0) goto out;
                int mv = fx_emit(ps, OP_SET, t->entry[to], 0, set);
                if (mv < 0 || (chain = fx_emit(ps, OP_SPLIT, mv, chain, -1)) < 0) goto out;
            }
        }
        fx->prog[t->entry[p]].x = chain;
    }
    result = t->entry[first];
out:
    sl_free(seen);
    sl_free(t->pa);
    sl_free(t->pb);
    sl_free(t->entry);
    sl_free(t);
    sl_free(ca);
    sl_free(cb);
    sl_free(stack);
    return result;
}

/*
 * Compiles tree node n into instructions that continue to instruction k; returns the
 * first one (k itself for the empty string), or -1 with the error set.
 */
static int fx_compile(fx_parser_t *ps, int n, int k)
{
    sl_frx_t *fx = ps->fx;
    const fx_ast_t a = fx->ast[n];
    switch (a.kind) {
    case AST_EPS:
        return k;
    case AST_SET:
        return fx_emit(ps, OP_SET, k, 0, a.set);
    case AST_CAT: {
        int cnt = 0;
        for (int c = a.child; c >= 0; c = fx->ast[c].next) cnt++;
        int *kids = sl_malloc(sizeof *kids * (size_t)cnt), i = 0;
        for (int c = a.child; c >= 0; c = fx->ast[c].next) kids[i++] = c;
        int t = k;
        for (i = cnt - 1; i >= 0 && t >= 0; i--) t = fx_compile(ps, kids[i], t);
        sl_free(kids);
        return t;
    }
    case AST_ALT: {
        int t = -1;
        for (int c = a.child; c >= 0; c = fx->ast[c].next) {
            int s = fx_compile(ps, c, k);
            if (s < 0) return -1;
            t = t < 0 ? s : fx_emit(ps, OP_SPLIT, s, t, -1);
            if (t < 0) return -1;
        }
        return t;
    }
    case AST_AND: {
        /* a & b & c ... = a & (b & c ...): the rest of the list as a node of its own */
        int first = a.child, rest = fx->ast[first].next;
        if (rest < 0) return fx_compile(ps, first, k);
        if (fx->ast[rest].next >= 0) {
            int tail = fx_node(fx, AST_AND);
            fx->ast[tail].child = rest;
            rest = tail;
        }
        return fx_compile_and(ps, first, rest, k);
    }
    case AST_REP: {
        int t = k;
        if (a.max < 0) {
            int s = fx_emit(ps, OP_SPLIT, -1, k, -1);
            if (s < 0) return -1;
            int body = fx_compile(ps, a.child, s);
            if (body < 0) return -1;
            fx->prog[s].x = body;
            t = s;
        } else {
            for (int i = 0; i < a.max - a.min && t >= 0; i++) {
                int body = fx_compile(ps, a.child, t);
                if (body < 0) return -1;
                t = fx_emit(ps, OP_SPLIT, body, k, -1);
            }
        }
        for (int i = 0; i < a.min && t >= 0; i++) t = fx_compile(ps, a.child, t);
        return t;
    }
    }
    return -1;
}

/* ---- public ----------------------------------------------------------------------------- */

/* Frees a compiled pattern and everything it owns; NULL is a no-op. */
void sl_frx_free(sl_frx_t *fx)
{
    if (!fx) return;
    sl_free(fx->ranges);
    sl_free(fx->sets);
    sl_free(fx->ast);
    sl_free(fx->prog);
    sl_free(fx->parts);
    sl_free(fx->exprs);
    sl_free(fx);
}

/*
 * Compiles pattern (p, n): parses it, splits it into the series of expressions at its
 * top-level groups, and compiles each expression's parts, last to first, into an NFA
 * ending in its own ACCEPT. NULL with the first error found.
 */
sl_frx_t *sl_frx_compile(const char *p, size_t n, char *err, size_t errlen)
{
    sl_frx_t *fx = sl_calloc(1, sizeof *fx);
    fx_parser_t ps = {fx, (const unsigned char *)p, n, 0, 0, err, errlen, false};
    if (!fx_parse_top(&ps)) goto bad;
    if (!fx->ngroups) {
        fx_fail(&ps, "the pattern has no group, so the row would have no column");
        goto bad;
    }
    for (int e = 0; e < fx->nexprs; e++) {
        fx_expr_t *ex = &fx->exprs[e];
        int t = ex->accept = fx_emit(&ps, OP_ACCEPT, 0, 0, -1);
        for (int j = ex->nparts - 1; j >= 0 && t >= 0; j--)
            t = fx_compile(&ps, fx->parts[ex->part0 + j].ast, t);
        if (t < 0) goto bad;
        ex->start = t;
    }
    return fx;
bad:
    sl_frx_free(fx);
    return NULL;
}

/* The number of top-level groups, i.e. of columns. */
int sl_frx_ngroups(const sl_frx_t *fx)
{
    return fx->ngroups;
}

/* Scratch bytes sl_frx_match needs: see the layout there. */
size_t sl_frx_scratch_size(const sl_frx_t *fx)
{
    /* two state lists, the marks, the closure stack */
    return sizeof(int) * (size_t)(fx->nprog * 5 + 8);
}

/* Adds the SET and ACCEPT instructions reachable from x to list (marking with gen). */
static void fx_add(const sl_frx_t *fx, int *list, int *nlist, uint32_t *mark, uint32_t gen,
                   int *stack, int x)
{
    int sp = 0;
    stack[sp++] = x;
    while (sp) {
        int s = stack[--sp];
        if (mark[s] == gen) continue;
        mark[s] = gen;
        const fx_inst_t *in = &fx->prog[s];
        switch (in->op) {
        case OP_SPLIT:
            stack[sp++] = in->y;
            stack[sp++] = in->x;
            break;
        case OP_JMP:
            stack[sp++] = in->x;
            break;
        case OP_SET:
            list[(*nlist)++] = s;
            break;
        default: /* ACCEPT is seen through its mark, FAIL goes nowhere */
            break;
        }
    }
}

/*
 * Matches str[0..n) against the series (see fnint.h). scratch holds two state lists
 * (nprog each), the closure stack (2 * nprog + 4) and the generation marks (nprog): a
 * state is in the current list when its mark equals the current generation, so the lists
 * need no clearing between steps.
 */
bool sl_frx_match(const sl_frx_t *fx, const char *str, size_t n, void *scratch, size_t *spans)
{
    const unsigned char *s = (const unsigned char *)str;
    int np = fx->nprog;
    int *clist = scratch, *nlist = clist + np, *stack = nlist + np;
    uint32_t *mark = (uint32_t *)(stack + 2 * np + 4);
    memset(mark, 0, sizeof *mark * (size_t)np);
    uint32_t gen = 0;
    for (int g = 0; g < fx->ngroups; g++) spans[2 * g] = spans[2 * g + 1] = (size_t)-1;
    size_t pos = 0;
    for (int e = 0; e < fx->nexprs; e++) {
        const fx_expr_t *ex = &fx->exprs[e];
        bool last = e + 1 == fx->nexprs;
        size_t from = pos, chars = 0;
        int nc = 0;
        fx_add(fx, clist, &nc, mark, ++gen, stack, ex->start);
        bool done = !last && mark[ex->accept] == gen;
        while (!done && nc && pos < n) {
            uint32_t cp;
            size_t len = fx_decode(s, n, pos, &cp);
            int nn = 0;
            ++gen;
            for (int i = 0; i < nc; i++) {
                const fx_inst_t *in = &fx->prog[clist[i]];
                if (fx_in_set(fx, in->set, cp)) fx_add(fx, nlist, &nn, mark, gen, stack, in->x);
            }
            int *t = clist;
            clist = nlist;
            nlist = t;
            nc = nn;
            pos += len;
            chars++;
            if (!last && mark[ex->accept] == gen) done = true;
        }
        if (last) done = pos == n && mark[ex->accept] == gen;
        if (!done) return false;
        /* part boundaries: the parts after the first have fixed lengths, counted back from
         * the end of the match in characters */
        size_t suffix = 0;
        for (int j = 1; j < ex->nparts; j++) suffix += (size_t)fx->parts[ex->part0 + j].flen;
        size_t at = from, ci = 0;
        for (int j = 0; j < ex->nparts; j++) {
            const fx_part_t *pt = &fx->parts[ex->part0 + j];
            if (j > 0) suffix -= (size_t)pt->flen;
            size_t end_ci = chars - suffix, end = at;
            while (ci < end_ci) {
                uint32_t cp;
                end += fx_decode(s, n, end, &cp);
                ci++;
            }
            if (pt->group) {
                size_t *sp = &spans[2 * (pt->group - 1)];
                if (sp[0] == (size_t)-1) sp[0] = at;
                sp[1] = end;
            }
            at = end;
        }
    }
    return true;
}
