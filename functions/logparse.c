/*
 * logparse.c - the row-valued log parsers of KDA: W3C_LOG_PARSE, SYS_LOG_PARSE,
 * REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSE (its matcher in fastregex.c),
 * FIXED_COLUMN_LOG_PARSE and VARIABLE_COLUMN_LOG_PARSE.
 *
 * Each function is one registry row of kind SL_FN_ROW (see registry.h). Its type rule reads
 * the constant arguments (format, pattern, column list), compiles them once into a state
 * object and the list of fields; its kernel parses a vector of lines with that state and
 * fills one output vector per field. A line that does not match the format gives NULL in
 * every field (KDA: "failure to match produces a NULL value"); a value that does not
 * convert to a column type the user declared (FIXED_/VARIABLE_COLUMN_LOG_PARSE column
 * lists) is a row error, so the row goes to error_stream, as a failed CAST does. Fields
 * whose type W3C_LOG_PARSE infers (%s, %b, %t ...) are NULL when the text is not of that
 * type ('-' in a numeric field), never an error. Quoted fields keep Apache's \" escapes.
 *
 * Nothing here allocates per row except the output strings, which go to ctx->arena.
 */
#include "fnint.h"

#include "alloc.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Text columns of the parsers that do not declare their columns (KDA: VARCHAR(1024)). */
#define LP_TEXT_LEN 1024

/* ---- shared: fields, the column-list syntax ------------------------------------------- */

/* A typed column of FIXED_/VARIABLE_COLUMN_LOG_PARSE and REGEX_LOG_PARSE's column list. */
typedef struct lp_col {
    sl_type_t type;
    char *datefmt; /* DATE/TIME/TIMESTAMP: SimpleDateFormat, or NULL (owned) */
    bool not_null;
    int start, len; /* FIXED: 0-based start, length (-1 = to the end) */
} lp_col_t;

/* A growing list of fields while a rule compiles a call. */
typedef struct fields {
    int n;
    sl_fn_field_t *f;
} fields_t;

/* Appends a field (the name copied). */
static void fields_add(fields_t *fs, const char *name, size_t namelen, sl_type_t t)
{
    fs->f = sl_realloc(fs->f, sizeof *fs->f * (size_t)(fs->n + 1));
    fs->f[fs->n].name = sl_strndup(name, namelen);
    fs->f[fs->n].type = t;
    fs->n++;
}

/* Appends a field named COLUMN<n>, n its 1-based position. */
static void fields_add_column_n(fields_t *fs, sl_type_t t)
{
    char nm[24];
    int len = snprintf(nm, sizeof nm, "COLUMN%d", fs->n + 1);
    fields_add(fs, nm, (size_t)len, t);
}

/* Frees the fields and empties the list. */
static void fields_free(fields_t *fs)
{
    for (int i = 0; i < fs->n; i++) sl_free(fs->f[i].name);
    sl_free(fs->f);
    fs->f = NULL;
    fs->n = 0;
}

/* VARCHAR(1024): the type of text fields that no column list declares. */
static sl_type_t text_type(void)
{
    sl_type_t t = sl_type_make(SL_T_VARCHAR);
    t.len = LP_TEXT_LEN;
    return t;
}

/*
 * Ends a type rule of a row function: checks call->field, sets the result type, and hands
 * fields and state to call->row when asked (else frees them). Always consumes fs and state.
 */
static bool finish_rule(const sl_fn_call_info_t *call, sl_type_t *result, fields_t *fs, void *state,
                        void (*state_free)(void *), char *err, size_t errlen)
{
    if (call->field < 0 || call->field > fs->n) {
        snprintf(err, errlen, "the row has no field %d", call->field);
        fields_free(fs);
        if (state_free) state_free(state);
        return false;
    }
    *result = call->field ? fs->f[call->field - 1].type : text_type();
    result->not_null = 0;
    if (call->row) {
        call->row->nfields = fs->n;
        call->row->fields = fs->f;
        call->row->state = state;
        call->row->state_free = state_free;
    } else {
        fields_free(fs);
        if (state_free) state_free(state);
    }
    return true;
}

/* The constant string argument k, or an error. */
static bool const_str(const sl_fn_call_info_t *call, int k, const char *what, const char **s,
                      size_t *n, char *err, size_t errlen)
{
    if (!call->consts || k >= call->nargs || !call->consts[k].is_const || !call->consts[k].is_str) {
        snprintf(err, errlen, "the %s must be a constant character string", what);
        return false;
    }
    *s = call->consts[k].s;
    *n = call->consts[k].slen;
    return true;
}

/* Requires argument 0 (the line) to be a character string. */
static bool want_line(const sl_fn_call_info_t *call, char *err, size_t errlen)
{
    sl_type_t t = call->args[0];
    if (sl_type_is_string(t) || t.id == SL_T_NULL) return true;
    char nm[48];
    sl_type_format(t, nm, sizeof nm);
    snprintf(err, errlen, "expects a character string to parse, got %s", nm);
    return false;
}

/* Tokens of a column list: words, numbers, 'strings', "identifiers", punctuation. */
typedef struct tok {
    char kind; /* 'w' word, 'n' number, 's' string, 'q' quoted identifier, or the char; 0 end */
    const char *p;
    size_t n;
} tok_t;

/* The next token of a column list at *i (advanced past it); kind 0 at the end. */
static tok_t next_tok(const char *s, size_t n, size_t *i)
{
    while (*i < n && isspace((unsigned char)s[*i])) (*i)++;
    tok_t t = {0, s + *i, 0};
    if (*i >= n) return t;
    char c = s[*i];
    size_t j = *i;
    if (isalpha((unsigned char)c) || c == '_') {
        while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_')) j++;
        t.kind = 'w';
    } else if (isdigit((unsigned char)c)) {
        while (j < n && isdigit((unsigned char)s[j])) j++;
        t.kind = 'n';
    } else if (c == '\'' || c == '"') {
        j++;
        while (j < n && s[j] != c) j++;
        t.kind = c == '\'' ? 's' : 'q';
        t.p = s + *i + 1;
        t.n = j - *i - 1;
        *i = j < n ? j + 1 : j;
        return t;
    } else {
        j++;
        t.kind = c;
    }
    t.n = j - *i;
    *i = j;
    return t;
}

/* True when t is the word w (case-insensitive). */
static bool tok_is(tok_t t, const char *w)
{
    return t.kind == 'w' && t.n == strlen(w) && !strncasecmp(t.p, w, t.n);
}

/* Frees n typed columns and their date formats. */
static void cols_free(lp_col_t *cols, int n)
{
    for (int i = 0; i < n; i++) sl_free(cols[i].datefmt);
    sl_free(cols);
}

/*
 * Parses a column list: `name TYPE type ['datefmt'] [NOT NULL] [START n [FOR m]], ...`
 * (START required when fixed, not allowed otherwise; for REGEX_LOG_PARSE the word TYPE
 * and the type are optional). Names are folded to upper case unless double-quoted.
 */
static bool parse_cols(const char *s, size_t n, bool fixed, bool type_optional, fields_t *fs,
                       lp_col_t **cols_out, char *err, size_t errlen)
{
    size_t i = 0;
    lp_col_t *cols = NULL;
    int nc = 0;
    for (;;) {
        tok_t name = next_tok(s, n, &i);
        if (name.kind != 'w' && name.kind != 'q') {
            snprintf(err, errlen, "column list: expected a column name at offset %zu",
                     (size_t)(name.p - s));
            goto bad;
        }
        cols = sl_realloc(cols, sizeof *cols * (size_t)(nc + 1));
        lp_col_t *c = &cols[nc++];
        memset(c, 0, sizeof *c);
        c->type = text_type();
        c->len = -1;
        char nm[130];
        size_t nl = name.n < sizeof nm - 1 ? name.n : sizeof nm - 1;
        for (size_t k = 0; k < nl; k++)
            nm[k] = name.kind == 'w' ? (char)toupper((unsigned char)name.p[k]) : name.p[k];
        tok_t t = next_tok(s, n, &i);
        if (tok_is(t, "TYPE")) {
            /* The type: words, numbers and parentheses up to a keyword, a string, ',' or end. */
            char ty[96];
            size_t tl = 0;
            size_t save = i;
            int depth = 0; /* inside DECIMAL(p, s) a comma belongs to the type */
            for (;;) {
                save = i;
                t = next_tok(s, n, &i);
                if (t.kind == 0 || (t.kind == ',' && !depth) || t.kind == 's' ||
                    tok_is(t, "START") || tok_is(t, "NOT"))
                    break;
                if (t.kind == '(') depth++;
                if (t.kind == ')') depth--;
                if (tl + t.n + 2 >= sizeof ty) break;
                if (tl && t.kind != '(' && t.kind != ')' && t.kind != ',' && ty[tl - 1] != '(' &&
                    ty[tl - 1] != ',')
                    ty[tl++] = ' ';
                memcpy(ty + tl, t.p, t.n);
                tl += t.n;
            }
            ty[tl] = 0;
            if (!sl_type_parse(ty, &c->type)) {
                snprintf(err, errlen, "column list: unknown type '%s' for column %.*s", ty, (int)nl,
                         nm);
                fields_add(fs, nm, nl, c->type);
                goto bad;
            }
            i = save;
            t = next_tok(s, n, &i);
            if (t.kind == 's') {
                if (!sl_type_is_datetime(c->type)) {
                    snprintf(err, errlen,
                             "column list: a format string needs a DATE, TIME or "
                             "TIMESTAMP column (%.*s)",
                             (int)nl, nm);
                    fields_add(fs, nm, nl, c->type);
                    goto bad;
                }
                c->datefmt = sl_strndup(t.p, t.n);
                if (!sl_datefmt_check(t.p, t.n, err, errlen)) {
                    fields_add(fs, nm, nl, c->type);
                    goto bad;
                }
                t = next_tok(s, n, &i);
            }
        } else if (!type_optional) {
            snprintf(err, errlen, "column list: expected TYPE after column %.*s", (int)nl, nm);
            goto bad;
        }
        if (tok_is(t, "NOT")) {
            t = next_tok(s, n, &i);
            if (!tok_is(t, "NULL")) {
                snprintf(err, errlen, "column list: expected NULL after NOT");
                fields_add(fs, nm, nl, c->type);
                goto bad;
            }
            c->not_null = true;
            t = next_tok(s, n, &i);
        }
        if (fixed) {
            if (!tok_is(t, "START")) {
                snprintf(err, errlen, "column list: column %.*s needs START", (int)nl, nm);
                fields_add(fs, nm, nl, c->type);
                goto bad;
            }
            tok_t v = next_tok(s, n, &i);
            if (v.kind != 'n' || v.n > 6) {
                snprintf(err, errlen, "column list: START needs a number");
                fields_add(fs, nm, nl, c->type);
                goto bad;
            }
            c->start = atoi(v.p);
            t = next_tok(s, n, &i);
            if (tok_is(t, "FOR")) {
                v = next_tok(s, n, &i);
                if (v.kind != 'n' || v.n > 6) {
                    snprintf(err, errlen, "column list: FOR needs a number");
                    fields_add(fs, nm, nl, c->type);
                    goto bad;
                }
                c->len = atoi(v.p);
                t = next_tok(s, n, &i);
            }
        }
        fields_add(fs, nm, nl, c->type);
        if (t.kind == 0) break;
        if (t.kind != ',') {
            snprintf(err, errlen, "column list: unexpected '%.*s'", (int)t.n, t.p);
            goto bad;
        }
    }
    *cols_out = cols;
    return true;
bad:
    cols_free(cols, nc);
    return false;
}

/* Stores text into field vector v at row i with column c's type; false if it does not
 * convert. Empty text in a non-character column is NULL. */
static bool put_typed(sl_fn_ctx_t *ctx, sl_vec_t *v, size_t i, const lp_col_t *c, const char *p,
                      size_t n)
{
    if (!sl_type_is_string(c->type)) {
        size_t k = 0;
        while (k < n && isspace((unsigned char)p[k])) k++;
        if (k == n) {
            v->null[i] = 1;
            return true;
        }
    }
    return sl_fn_text_to_value(v, i, p, n, ctx->arena, c->datefmt);
}

/* Sets row i of every field vector NULL. */
static void null_row(sl_vec_t *out, int nf, size_t i)
{
    for (int k = 0; k < nf; k++) out[k].null[i] = 1;
}

/* Checks NOT NULL columns of row i; a violation is a row error. */
static void check_not_null(sl_fn_ctx_t *ctx, const lp_col_t *cols, int nc, sl_vec_t *out, size_t i)
{
    for (int k = 0; k < nc; k++)
        if (cols[k].not_null && out[k].null[i]) {
            for (int j = 0; j < nc; j++)
                sl_fn_row_error(ctx, &out[j], i, "log parse: a NOT NULL column has no value");
            return;
        }
}

/* ---- W3C_LOG_PARSE ------------------------------------------------------------------- */

/* The predefined formats (KDA's table; IIS is Microsoft's comma-separated IIS log). */
static const struct {
    const char *name, *format;
} w3c_predefined[] = {
    {"COMMON", "%h %l %u %t \"%r\" %>s %b"},
    {"COMMON WITH VHOST", "%v %h %l %u %t \"%r\" %>s %b"},
    {"NCSA EXTENDED", "%h %l %u %t \"%r\" %>s %b \"%[Referer]i\" \"%[User-agent]i\""},
    {"REFERER", "%[Referer]i ---> %U"},
    {"AGENT", "%[User-agent]i"},
    {"IIS", "%h, %u, %[date]x, %[time]x, %[service]x, %v, %A, %D, %I, %O, %s, %[win32-status]x, "
            "%m, %U, %q,"},
};

/* How a W3C field's text becomes a value. */
enum { W3C_TEXT, W3C_INT, W3C_BIGINT, W3C_BYTES, W3C_CLFTIME };

/* One item of a compiled W3C format: literal text, or a field. */
typedef struct w3c_item {
    bool field;
    int conv;  /* W3C_* (fields) */
    char *lit; /* literal text (owned) */
    size_t litn;
} w3c_item_t;

typedef struct w3c_state {
    int nitems, nfields;
    w3c_item_t *items;
} w3c_state_t;

/* Frees a compiled W3C format (sl_fn_row_t.state_free). */
static void w3c_free(void *p)
{
    w3c_state_t *st = p;
    if (!st) return;
    for (int i = 0; i < st->nitems; i++) sl_free(st->items[i].lit);
    sl_free(st->items);
    sl_free(st);
}

/* Appends literal bytes, merging with a literal just before. */
static void w3c_lit(w3c_state_t *st, const char *p, size_t n)
{
    if (!n) return;
    if (st->nitems && !st->items[st->nitems - 1].field) {
        w3c_item_t *it = &st->items[st->nitems - 1];
        it->lit = sl_realloc(it->lit, it->litn + n + 1);
        memcpy(it->lit + it->litn, p, n);
        it->litn += n;
        it->lit[it->litn] = 0;
        return;
    }
    st->items = sl_realloc(st->items, sizeof *st->items * (size_t)(st->nitems + 1));
    w3c_item_t *it = &st->items[st->nitems++];
    it->field = false;
    it->conv = 0;
    it->lit = sl_strndup(p, n);
    it->litn = n;
}

/*
 * Compiles an Apache-style format into st and fields: %[mods][{arg}|[arg]]letter; the
 * modifiers (<, >, status lists like 400,501 or !200) are accepted and ignored.
 */
static bool w3c_compile(const char *f, size_t n, w3c_state_t *st, fields_t *fs, char *err,
                        size_t errlen)
{
    size_t i = 0;
    while (i < n) {
        if (f[i] != '%') {
            size_t j = i;
            while (j < n && f[j] != '%') j++;
            w3c_lit(st, f + i, j - i);
            i = j;
            continue;
        }
        size_t at = i++;
        if (i < n && f[i] == '%') {
            w3c_lit(st, "%", 1);
            i++;
            continue;
        }
        while (i < n && strchr("<>!,0123456789", f[i])) i++;
        bool braced = false;
        if (i < n && (f[i] == '{' || f[i] == '[')) {
            char close = f[i] == '{' ? '}' : ']';
            while (i < n && f[i] != close) i++;
            if (i >= n) {
                snprintf(err, errlen, "W3C format: unterminated %c...%c at offset %zu",
                         close == '}' ? '{' : '[', close, at);
                return false;
            }
            i++;
            braced = true;
        }
        while (i < n && (f[i] == '<' || f[i] == '>')) i++;
        if (i >= n || !strchr("aABbCDefFhHiIklLmnoOpPqrRsStTuUvVXx", f[i])) {
            snprintf(err, errlen, "W3C format: unknown specifier at offset %zu", at);
            return false;
        }
        char letter = f[i++];
        if (st->nitems && st->items[st->nitems - 1].field) {
            snprintf(err, errlen,
                     "W3C format: specifiers at offset %zu need a separator "
                     "before them",
                     at);
            return false;
        }
        int conv = W3C_TEXT;
        sl_type_t t = text_type();
        switch (letter) {
        case 'b':
            conv = W3C_BYTES;
            t = sl_type_make(SL_T_BIGINT);
            break;
        case 'D':
        case 'T':
        case 'I':
        case 'O':
            conv = W3C_BIGINT;
            t = sl_type_make(SL_T_BIGINT);
            break;
        case 's':
        case 'p':
        case 'P':
        case 'k':
            conv = W3C_INT;
            t = sl_type_make(SL_T_INTEGER);
            break;
        case 't':
            if (!braced) {
                conv = W3C_CLFTIME;
                t = sl_type_make(SL_T_TIMESTAMP);
            }
            break;
        default:
            break;
        }
        st->items = sl_realloc(st->items, sizeof *st->items * (size_t)(st->nitems + 1));
        st->items[st->nitems++] = (w3c_item_t){true, conv, NULL, 0};
        st->nfields++;
        fields_add_column_n(fs, t);
    }
    if (!st->nfields) {
        snprintf(err, errlen, "W3C format has no specifiers");
        return false;
    }
    return true;
}

/* The W3C_LOG_PARSE(line, format) rule. */
bool sl_rule_w3c_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                           size_t errlen)
{
    const char *f;
    size_t n;
    if (!want_line(call, err, errlen) || !const_str(call, 1, "format", &f, &n, err, errlen))
        return false;
    for (size_t k = 0; k < sizeof w3c_predefined / sizeof w3c_predefined[0]; k++)
        if (strlen(w3c_predefined[k].name) == n && !strncasecmp(f, w3c_predefined[k].name, n)) {
            f = w3c_predefined[k].format;
            n = strlen(f);
            break;
        }
    w3c_state_t *st = sl_calloc(1, sizeof *st);
    fields_t fs = {0, NULL};
    if (!w3c_compile(f, n, st, &fs, err, errlen)) {
        fields_free(&fs);
        w3c_free(st);
        return false;
    }
    return finish_rule(call, result, &fs, st, w3c_free, err, errlen);
}

/* Finds needle in hay[from..n); returns its offset or -1. */
static long find_bytes(const char *hay, size_t n, size_t from, const char *needle, size_t nn)
{
    if (nn == 0) return (long)from;
    for (size_t i = from; i + nn <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, nn)) return (long)i;
    return -1;
}

/* Stores one W3C field's text. */
static void w3c_put(sl_fn_ctx_t *ctx, sl_vec_t *v, size_t row, int conv, const char *p, size_t n)
{
    switch (conv) {
    case W3C_TEXT:
        if (!sl_fn_text_to_value(v, row, p, n, ctx->arena, NULL)) v->null[row] = 1;
        return;
    case W3C_BYTES:
        if (n == 1 && p[0] == '-') { /* CLF's "no bytes" */
            v->v.i[row] = 0;
            v->null[row] = 0;
            return;
        }
        /* fall through */
    case W3C_INT:
    case W3C_BIGINT:
        if (!sl_fn_text_to_value(v, row, p, n, ctx->arena, NULL)) v->null[row] = 1;
        return;
    case W3C_CLFTIME: {
        static const char clf[] = "dd/MMM/yyyy:HH:mm:ss Z";
        int64_t ms;
        if (n >= 2 && p[0] == '[' && p[n - 1] == ']') p++, n -= 2;
        if (sl_datefmt_parse(clf, sizeof clf - 1, p, n, &ms)) {
            v->v.i[row] = ms;
            v->null[row] = 0;
        } else {
            v->null[row] = 1;
        }
        return;
    }
    }
}

/* Parses one line; false when it does not match the format. */
static bool w3c_line(sl_fn_ctx_t *ctx, const w3c_state_t *st, const char *s, size_t n,
                     sl_vec_t *out, size_t row)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    size_t pos = 0;
    int field = 0;
    for (int k = 0; k < st->nitems; k++) {
        const w3c_item_t *it = &st->items[k];
        if (!it->field) {
            if (pos + it->litn > n || memcmp(s + pos, it->lit, it->litn)) return false;
            pos += it->litn;
            continue;
        }
        size_t vs = pos, ve;
        const w3c_item_t *nx = k + 1 < st->nitems ? &st->items[k + 1] : NULL;
        if (it->conv == W3C_CLFTIME && pos < n && s[pos] == '[') {
            long close = find_bytes(s, n, pos, "]", 1);
            if (close < 0) return false;
            ve = (size_t)close + 1;
        } else if (!nx) {
            ve = n;
        } else if (k + 2 == st->nitems) {
            /* The last literal ends the line: the field runs up to it. */
            if (n < pos + nx->litn || memcmp(s + n - nx->litn, nx->lit, nx->litn)) return false;
            ve = n - nx->litn;
        } else {
            /* A quoted field (%r, %{Referer}i) ends at the next quote that Apache did not
             * escape as \". */
            long at = (long)pos - 1;
            do {
                at = find_bytes(s, n, (size_t)(at + 1), nx->lit, nx->litn);
            } while (at > (long)pos && nx->lit[0] == '"' && s[at - 1] == '\\');
            if (at < 0) return false;
            ve = (size_t)at;
        }
        w3c_put(ctx, &out[field++], row, it->conv, s + vs, ve - vs);
        pos = ve;
    }
    return pos == n;
}

/* W3C_LOG_PARSE kernel. */
void sl_kernel_w3c_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                             size_t n)
{
    const w3c_state_t *st = ctx->state;
    for (size_t i = 0; i < n; i++) {
        if (args[0].null[i] || !w3c_line(ctx, st, args[0].v.s[i].p, args[0].v.s[i].len, out, i))
            null_row(out, st->nfields, i);
    }
}

/* ---- SYS_LOG_PARSE ------------------------------------------------------------------- */

/* SYS_LOG_PARSE(line): COLUMN1 TIMESTAMP, COLUMN2 VARCHAR. */
bool sl_rule_sys_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                           size_t errlen)
{
    if (!want_line(call, err, errlen)) return false;
    fields_t fs = {0, NULL};
    fields_add_column_n(&fs, sl_type_make(SL_T_TIMESTAMP));
    fields_add_column_n(&fs, text_type());
    return finish_rule(call, result, &fs, NULL, NULL, err, errlen);
}

/*
 * SYS_LOG_PARSE kernel: "Mon DD HH:MM:SS rest" (RFC 3164; a one-digit day is padded with a
 * space). The year is not in the line; as Java's date parsing does, it is 1970.
 */
void sl_kernel_sys_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                             size_t n)
{
    static const char fmt[] = "MMM d HH:mm:ss";
    for (size_t i = 0; i < n; i++) {
        const char *s = args[0].v.s[i].p;
        size_t len = args[0].v.s[i].len, k = 0;
        char ts[24];
        int64_t ms;
        if (args[0].null[i] || len < 15) {
            null_row(out, 2, i);
            continue;
        }
        /* Normalize "Oct  1" to "Oct 1" for the pattern. */
        memcpy(ts, s, 15);
        size_t tl = 15;
        if (ts[4] == ' ') {
            memmove(ts + 4, ts + 5, 10);
            tl = 14;
        }
        if (ts[3] != ' ' || !sl_datefmt_parse(fmt, sizeof fmt - 1, ts, tl, &ms) ||
            (len > 15 && s[15] != ' ')) {
            null_row(out, 2, i);
            continue;
        }
        k = len > 15 ? 16 : 15;
        out[0].v.i[i] = ms;
        out[0].null[i] = 0;
        while (len > k && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
        if (!sl_fn_text_to_value(&out[1], i, s + k, len - k, ctx->arena, NULL)) out[1].null[i] = 1;
    }
}

/* ---- REGEX_LOG_PARSE ----------------------------------------------------------------- */

typedef struct rx_state {
    sl_fn_regex_t rx;
    int ncols;
    lp_col_t *cols; /* one per capturing group */
} rx_state_t;

/* Frees a compiled REGEX_LOG_PARSE call (sl_fn_row_t.state_free). */
static void rx_free(void *p)
{
    rx_state_t *st = p;
    if (!st) return;
    sl_fn_regex_free(&st->rx);
    cols_free(st->cols, st->ncols);
    sl_free(st);
}

/* REGEX_LOG_PARSE(line, regex [, columns]) rule. */
bool sl_rule_regex_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                             size_t errlen)
{
    const char *p, *c;
    size_t n, cn;
    if (!want_line(call, err, errlen) || !const_str(call, 1, "regex", &p, &n, err, errlen))
        return false;
    rx_state_t *st = sl_calloc(1, sizeof *st);
    fields_t fs = {0, NULL};
    if (!sl_fn_regex_compile(&st->rx, p, n, SL_RX_START | SL_RX_END, err, errlen)) {
        sl_free(st);
        return false;
    }
    if (!st->rx.ngroups) {
        snprintf(err, errlen, "the regex has no capturing group, so the row would have no column");
        rx_free(st);
        return false;
    }
    if (call->nargs > 2) {
        if (!const_str(call, 2, "column list", &c, &cn, err, errlen) ||
            !parse_cols(c, cn, false, true, &fs, &st->cols, err, errlen)) {
            fields_free(&fs);
            rx_free(st);
            return false;
        }
        st->ncols = fs.n;
        if (fs.n > st->rx.ngroups) {
            snprintf(err, errlen, "%d columns for %d regex groups", fs.n, st->rx.ngroups);
            fields_free(&fs);
            rx_free(st);
            return false;
        }
    }
    st->cols = sl_realloc(st->cols, sizeof *st->cols * (size_t)st->rx.ngroups);
    for (int k = fs.n; k < st->rx.ngroups; k++) {
        memset(&st->cols[k], 0, sizeof st->cols[k]);
        st->cols[k].type = text_type();
        st->cols[k].len = -1;
        fields_add_column_n(&fs, text_type());
    }
    st->ncols = st->rx.ngroups;
    return finish_rule(call, result, &fs, st, rx_free, err, errlen);
}

/* REGEX_LOG_PARSE kernel: the whole line must match; group k -> field k (NULL when the
 * group did not take part in the match). */
void sl_kernel_regex_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                               size_t n)
{
    const rx_state_t *st = ctx->state;
    const sl_fn_regex_t *rx = &st->rx;
    regmatch_t m[64];
    size_t nm = (size_t)rx->nposix + 1 < 64 ? (size_t)rx->nposix + 1 : 64;
    for (size_t i = 0; i < n; i++) {
        if (args[0].null[i]) {
            null_row(out, rx->ngroups, i);
            continue;
        }
        sl_str_t s = args[0].v.s[i];
        /* regexec reads a C string (sanitizers check up to its NUL even with REG_STARTEND):
         * lines are slices, so they are copied out with a NUL, on the stack when short. */
        char local[2048];
        if (s.len < sizeof local) {
            if (s.len) memcpy(local, s.p, s.len);
            local[s.len] = 0;
            s.p = local;
        } else {
            s.p = sl_arena_strndup(ctx->arena, s.p, s.len);
        }
        if (!sl_fn_regex_exec(rx, s.p, 0, s.len, false, m, nm)) {
            null_row(out, rx->ngroups, i);
            continue;
        }
        bool bad = false;
        for (int k = 0; k < rx->ngroups; k++) {
            int g = rx->group[k];
            if (g >= (int)nm || m[g].rm_so < 0) {
                out[k].null[i] = 1;
                continue;
            }
            if (!put_typed(ctx, &out[k], i, &st->cols[k], s.p + m[g].rm_so,
                           (size_t)(m[g].rm_eo - m[g].rm_so)))
                bad = true;
        }
        if (bad) {
            for (int k = 0; k < rx->ngroups; k++)
                sl_fn_row_error(ctx, &out[k], i,
                                "REGEX_LOG_PARSE: a group does not convert to its column type");
            continue;
        }
        check_not_null(ctx, st->cols, rx->ngroups, out, i);
    }
}

/* ---- FAST_REGEX_LOG_PARSE ------------------------------------------------------------ */

/* Frees a compiled FAST_REGEX_LOG_PARSE call (sl_fn_row_t.state_free). */
static void frx_free(void *p)
{
    sl_frx_free(p);
}

/* FAST_REGEX_LOG_PARSE(line, pattern) rule: group k -> COLUMNk VARCHAR(1024). */
bool sl_rule_fast_regex_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                                  size_t errlen)
{
    const char *p;
    size_t n;
    if (!want_line(call, err, errlen) || !const_str(call, 1, "pattern", &p, &n, err, errlen))
        return false;
    sl_frx_t *fx = sl_frx_compile(p, n, err, errlen);
    if (!fx) return false;
    fields_t fs = {0, NULL};
    for (int k = 0; k < sl_frx_ngroups(fx); k++) fields_add_column_n(&fs, text_type());
    return finish_rule(call, result, &fs, fx, frx_free, err, errlen);
}

/*
 * FAST_REGEX_LOG_PARSE kernel: the lazy match of fastregex.c must account for the whole
 * line; group k -> field k, cut to VARCHAR(1024) as REGEX_LOG_PARSE's fields are. A line
 * that does not match gives NULL in every field.
 */
void sl_kernel_fast_regex_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs,
                                    sl_vec_t *out, size_t n)
{
    const sl_frx_t *fx = ctx->state;
    int ng = sl_frx_ngroups(fx);
    void *scratch = sl_arena_alloc(ctx->arena, sl_frx_scratch_size(fx));
    size_t *spans = sl_arena_alloc(ctx->arena, sizeof *spans * 2 * (size_t)ng);
    for (size_t i = 0; i < n; i++) {
        sl_str_t s = args[0].v.s[i];
        if (args[0].null[i] || !sl_frx_match(fx, s.p, s.len, scratch, spans)) {
            null_row(out, ng, i);
            continue;
        }
        for (int k = 0; k < ng; k++)
            if (spans[2 * k] > spans[2 * k + 1] || spans[2 * k + 1] > s.len ||
                !sl_fn_text_to_value(&out[k], i, s.p + spans[2 * k],
                                     spans[2 * k + 1] - spans[2 * k], ctx->arena, NULL))
                out[k].null[i] = 1;
    }
}

/* ---- FIXED_COLUMN_LOG_PARSE ---------------------------------------------------------- */

typedef struct cols_state {
    int ncols;
    lp_col_t *cols;
    /* VARIABLE_COLUMN_LOG_PARSE only */
    char *delim, *esc;
    size_t delimn, escn;
    char qopen, qclose; /* 0 = no quoting */
} cols_state_t;

/* Frees a compiled FIXED_/VARIABLE_COLUMN_LOG_PARSE call (sl_fn_row_t.state_free). */
static void cols_state_free(void *p)
{
    cols_state_t *st = p;
    if (!st) return;
    cols_free(st->cols, st->ncols);
    sl_free(st->delim);
    sl_free(st->esc);
    sl_free(st);
}

/* FIXED_COLUMN_LOG_PARSE(line, 'name TYPE t START n [FOR m], ...') rule. */
bool sl_rule_fixed_column_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                                    size_t errlen)
{
    const char *c;
    size_t cn;
    if (!want_line(call, err, errlen) || !const_str(call, 1, "column list", &c, &cn, err, errlen))
        return false;
    cols_state_t *st = sl_calloc(1, sizeof *st);
    fields_t fs = {0, NULL};
    if (!parse_cols(c, cn, true, false, &fs, &st->cols, err, errlen)) {
        fields_free(&fs);
        sl_free(st);
        return false;
    }
    st->ncols = fs.n;
    return finish_rule(call, result, &fs, st, cols_state_free, err, errlen);
}

/* FIXED_COLUMN_LOG_PARSE kernel: column k is the bytes [start, start+len) of the line (cut
 * at its end); a column starting past the end is NULL. */
void sl_kernel_fixed_column_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs,
                                      sl_vec_t *out, size_t n)
{
    const cols_state_t *st = ctx->state;
    for (size_t i = 0; i < n; i++) {
        if (args[0].null[i]) {
            null_row(out, st->ncols, i);
            continue;
        }
        sl_str_t s = args[0].v.s[i];
        bool bad = false;
        for (int k = 0; k < st->ncols; k++) {
            const lp_col_t *c = &st->cols[k];
            if ((size_t)c->start >= s.len) {
                out[k].null[i] = 1;
                continue;
            }
            size_t len = s.len - (size_t)c->start;
            if (c->len >= 0 && (size_t)c->len < len) len = (size_t)c->len;
            if (!put_typed(ctx, &out[k], i, c, s.p + c->start, len)) bad = true;
        }
        if (bad) {
            for (int k = 0; k < st->ncols; k++)
                sl_fn_row_error(ctx, &out[k], i,
                                "FIXED_COLUMN_LOG_PARSE: a column does not convert to its type");
            continue;
        }
        check_not_null(ctx, st->cols, st->ncols, out, i);
    }
}

/* ---- VARIABLE_COLUMN_LOG_PARSE ------------------------------------------------------- */

/* VARIABLE_COLUMN_LOG_PARSE(line, ncols | 'name TYPE t, ...', delimiter [, escape, quote]). */
bool sl_rule_variable_column_log_parse(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                                       size_t errlen)
{
    if (!want_line(call, err, errlen)) return false;
    if (call->nargs != 3 && call->nargs != 5) {
        snprintf(err, errlen, "takes (line, columns, delimiter [, escape, quote])");
        return false;
    }
    const char *d, *e = NULL, *q = NULL;
    size_t dn, en = 0, qn = 0;
    if (!const_str(call, 2, "delimiter", &d, &dn, err, errlen)) return false;
    if (!dn) {
        snprintf(err, errlen, "the delimiter must not be empty");
        return false;
    }
    if (call->nargs == 5 && (!const_str(call, 3, "escape string", &e, &en, err, errlen) ||
                             !const_str(call, 4, "quote string", &q, &qn, err, errlen)))
        return false;
    if (qn > 2) {
        snprintf(err, errlen, "the quote string has one or two characters");
        return false;
    }
    cols_state_t *st = sl_calloc(1, sizeof *st);
    fields_t fs = {0, NULL};
    const sl_fn_const_t *cc = call->consts ? &call->consts[1] : NULL;
    if (cc && cc->is_const && !cc->is_str) {
        if (cc->i < 1 || cc->i > 1000) {
            snprintf(err, errlen, "the number of columns must be 1 to 1000");
            sl_free(st);
            return false;
        }
        st->ncols = (int)cc->i;
        st->cols = sl_calloc((size_t)st->ncols, sizeof *st->cols);
        for (int k = 0; k < st->ncols; k++) {
            st->cols[k].type = text_type();
            fields_add_column_n(&fs, text_type());
        }
    } else {
        const char *c;
        size_t cn;
        if (!const_str(call, 1, "column count or list", &c, &cn, err, errlen) ||
            !parse_cols(c, cn, false, false, &fs, &st->cols, err, errlen)) {
            fields_free(&fs);
            sl_free(st);
            return false;
        }
        st->ncols = fs.n;
    }
    st->delim = sl_strndup(d, dn);
    st->delimn = dn;
    if (en) {
        st->esc = sl_strndup(e, en);
        st->escn = en;
    }
    if (qn) {
        st->qopen = q[0];
        st->qclose = qn == 2 ? q[1] : q[0];
    }
    return finish_rule(call, result, &fs, st, cols_state_free, err, errlen);
}

/*
 * VARIABLE_COLUMN_LOG_PARSE kernel: splits at the delimiter; the escape string makes the
 * character after it literal; text between the quote characters is kept whole (quotes
 * removed). Missing trailing fields are NULL, extra ones are dropped. Field bytes are
 * unescaped into one arena buffer per line.
 */
void sl_kernel_variable_column_log_parse(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs,
                                         sl_vec_t *out, size_t n)
{
    const cols_state_t *st = ctx->state;
    for (size_t i = 0; i < n; i++) {
        if (args[0].null[i]) {
            null_row(out, st->ncols, i);
            continue;
        }
        sl_str_t s = args[0].v.s[i];
        char *buf = sl_arena_alloc(ctx->arena, s.len ? s.len : 1);
        size_t w = 0, fstart = 0, p = 0;
        int k = 0;
        bool bad = false, quoted = false;
        for (;;) {
            bool end = p >= s.len;
            if (end ||
                (!quoted && s.len - p >= st->delimn && !memcmp(s.p + p, st->delim, st->delimn))) {
                if (k < st->ncols &&
                    !put_typed(ctx, &out[k], i, &st->cols[k], buf + fstart, w - fstart))
                    bad = true;
                k++;
                if (end) break;
                p += st->delimn;
                fstart = w;
                continue;
            }
            if (st->escn && s.len - p > st->escn && !memcmp(s.p + p, st->esc, st->escn)) {
                p += st->escn;
                buf[w++] = s.p[p++];
                continue;
            }
            if (st->qopen && !quoted && s.p[p] == st->qopen) {
                quoted = true;
                p++;
                continue;
            }
            if (quoted && s.p[p] == st->qclose) {
                quoted = false;
                p++;
                continue;
            }
            buf[w++] = s.p[p++];
        }
        for (; k < st->ncols; k++) out[k].null[i] = 1;
        if (bad) {
            for (int j = 0; j < st->ncols; j++)
                sl_fn_row_error(
                    ctx, &out[j], i,
                    "VARIABLE_COLUMN_LOG_PARSE: a field does not convert to its column type");
            continue;
        }
        check_not_null(ctx, st->cols, st->ncols, out, i);
    }
}
