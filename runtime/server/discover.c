/*
 * discover.c - DiscoverInputSchema's inference: a KDA InputSchema from sample records.
 *
 *     sl_analytics_infer_schema(records)
 *        every record a JSON object?  JSON: walk each record, flattening nested objects
 *                                     (two levels: "$.a.b"), one column per path in order
 *                                     of first appearance, the type widened over records
 *        else                         CSV: split on ',' per line, COL_1..COL_n
 *        column names: upper case, [A-Z0-9_] only, "COL_" before reserved words and names
 *                      not starting with a letter, COL_<n> for names over 100 characters,
 *                      "_2", "_3" ... after duplicates
 *        types: BOOLEAN, INTEGER, BIGINT, DOUBLE, VARCHAR(n) with n the longest value
 *               rounded up to a power of two (KDA's choices for its stock ticker sample)
 *        write InputSchema, ParsedInputRecords (values as text, by column), RawInputRecords
 */
#include "analytics_api.h"

#include "alloc.h"
#include "arena.h"
#include "keywords.h"
#include "val.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS  1000
#define MAX_DEPTH 2

/* Inferred types, in widening order (a column takes the widest type of its values). */
typedef enum ctype { T_NONE, T_BOOL, T_INT, T_BIGINT, T_DOUBLE, T_STR } ctype_t;

/* One inferred column. */
typedef struct col {
    char *path;   /* JSON: the member path ("a.b"); CSV: NULL */
    char *name;   /* the SQL column name */
    ctype_t type;
    size_t maxlen; /* longest value as text */
} col_t;

typedef struct infer {
    sl_arena_t *a;
    col_t cols[MAX_COLS];
    size_t ncols;
} infer_t;

/* Words a column may not be named without the COL_ prefix: the dialect's reserved words,
 * the type names and the pseudo-columns. */
static bool reserved(const char *up)
{
    static const char *const kw[] = {
#define RESERVED_R(name, cls) (#cls[0] == 'R' ? #name : NULL),
        SL_KEYWORDS(RESERVED_R)
#undef RESERVED_R
    };
    /* Words of KDA's list (SQL:2008 + its streaming additions) that JSON keys often are. */
    static const char *const extra[] = {
        "ROWTIME", "TIMESTAMP", "DATE", "TIME", "INTEGER", "BIGINT", "SMALLINT", "TINYINT",
        "BOOLEAN", "CHAR", "VARCHAR", "DOUBLE", "REAL", "DECIMAL", "BINARY", "VARBINARY",
        "INTERVAL", "USER", "VALUE", "COUNT", "AVG", "SUM", "MIN", "MAX", "DAY", "HOUR",
        "MINUTE", "SECOND", "MONTH", "YEAR", "CURRENT", "POSITION", "RESULT", "LANGUAGE",
        "ROW", "ROWS", "START", "END", "APPROXIMATE_ARRIVAL_TIME", "EXP_AVG", "ABS", "ARRAY",
        "CHECK", "COLUMN", "CONDITION", "ELEMENT", "GLOBAL", "LOCAL", "METHOD", "MODULE",
        "NATIONAL", "OPEN", "CLOSE", "SYSTEM", "TRANSLATE", "UPPER", "LOWER", "WINDOW"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (kw[i] && !strcmp(kw[i], up)) return true;
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (!strcmp(extra[i], up)) return true;
    return false;
}

/* The SQL name of a raw key (or a path with '.' between levels): KDA's renaming rules. */
static char *column_name(infer_t *in, const char *raw)
{
    size_t n = strlen(raw);
    char *up = sl_arena_alloc(in->a, n + 1);
    for (size_t i = 0; i < n; i++) {
        char ch = raw[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) ch = '_';
        up[i] = ch;
    }
    up[n] = 0;
    char *name = up;
    if (n > 100) /* too long to keep: KDA numbers it */
        name = sl_arena_printf(in->a, "COL_%zu", in->ncols + 1);
    else if (!n || !(up[0] >= 'A' && up[0] <= 'Z') || reserved(up))
        name = sl_arena_printf(in->a, "COL_%s", up);
    /* Unique among the columns so far. */
    char *cand = name;
    for (int k = 2;; k++) {
        bool dup = false;
        for (size_t i = 0; i < in->ncols && !dup; i++) dup = !strcmp(in->cols[i].name, cand);
        if (!dup) return cand;
        cand = sl_arena_printf(in->a, "%s_%d", name, k);
    }
}

/* The type of one value given as text (CSV), or of a JSON value. */
static ctype_t text_type(const char *s, size_t n)
{
    if (!n) return T_NONE;
    if ((n == 4 && !strncasecmp(s, "true", 4)) || (n == 5 && !strncasecmp(s, "false", 5)))
        return T_BOOL;
    char buf[64];
    if (n >= sizeof buf) return T_STR;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (!*end) return v >= -2147483648LL && v <= 2147483647LL ? T_INT : T_BIGINT;
    strtod(buf, &end);
    return *end || buf[0] == ' ' ? T_STR : T_DOUBLE;
}

static ctype_t val_type(const sl_val_t *v, size_t *len, sl_buf_t *text)
{
    sl_buf_reset(text);
    switch (v->type) {
    case SL_V_NULL: return T_NONE;
    case SL_V_BOOL:
        sl_buf_puts(text, v->u.b ? "true" : "false");
        *len = text->len;
        return T_BOOL;
    case SL_V_NUM: {
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, text);
        sl_enc_val(&e, v);
        *len = text->len;
        if (!v->u.num.is_int) return T_DOUBLE;
        return v->u.num.i >= -2147483648LL && v->u.num.i <= 2147483647LL ? T_INT : T_BIGINT;
    }
    case SL_V_STR:
        sl_buf_append(text, v->u.str.p, v->u.str.len);
        *len = v->u.str.len;
        return T_STR;
    default: {
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, text);
        sl_enc_val(&e, v);
        *len = text->len;
        return T_STR;
    }
    }
}

/* Widens a column's type by one value's. */
static void widen(col_t *c, ctype_t t, size_t len)
{
    if (len > c->maxlen) c->maxlen = len;
    if (t == T_NONE || c->type == t) return;
    if (c->type == T_NONE) c->type = t;
    else if (c->type == T_STR || t == T_STR || c->type == T_BOOL || t == T_BOOL) c->type = T_STR;
    else c->type = t > c->type ? t : c->type;
}

static col_t *col_for_path(infer_t *in, const char *path)
{
    for (size_t i = 0; i < in->ncols; i++)
        if (!strcmp(in->cols[i].path, path)) return &in->cols[i];
    if (in->ncols == MAX_COLS) return NULL;
    col_t *c = &in->cols[in->ncols];
    c->path = sl_arena_strdup(in->a, path);
    char *raw = sl_arena_strdup(in->a, path);
    for (char *p = raw; *p; p++)
        if (*p == '.') *p = '_';
    c->name = column_name(in, raw);
    c->type = T_NONE;
    in->ncols++;
    return c;
}

/* Adds the members of obj (at depth 1 or 2, under prefix) as columns. */
static void walk_json(infer_t *in, const sl_val_t *obj, const char *prefix, int depth,
                      sl_buf_t *text)
{
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const sl_member_t *m = &obj->u.obj.members[i];
        char *path = prefix ? sl_arena_printf(in->a, "%s.%s", prefix, m->key)
                            : sl_arena_strdup(in->a, m->key);
        if (m->val->type == SL_V_OBJ && depth < MAX_DEPTH) {
            walk_json(in, m->val, path, depth + 1, text);
            continue;
        }
        col_t *c = col_for_path(in, path);
        if (!c) return;
        size_t len = 0;
        ctype_t t = val_type(m->val, &len, text);
        widen(c, t, len);
    }
}

/* The value at path ("a.b") of a record, or NULL. */
static const sl_val_t *at_path(const sl_val_t *v, const char *path)
{
    char key[512];
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key || v->type != SL_V_OBJ) return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        v = sl_val_get(v, key);
        path = dot ? dot + 1 : path + n;
    }
    return v;
}

static void enc_sqltype(sl_enc_t *e, const col_t *c)
{
    char t[48];
    switch (c->type) {
    case T_BOOL: snprintf(t, sizeof t, "BOOLEAN"); break;
    case T_INT: snprintf(t, sizeof t, "INTEGER"); break;
    case T_BIGINT: snprintf(t, sizeof t, "BIGINT"); break;
    case T_DOUBLE: snprintf(t, sizeof t, "DOUBLE"); break;
    default: {
        size_t n = 1;
        while (n < c->maxlen && n < 65535) n <<= 1;
        snprintf(t, sizeof t, "VARCHAR(%zu)", n);
    }
    }
    sl_enc_str(e, t);
}

/* Splits one CSV line on ',' (no quoting: KDA's discovery did not honour quotes either)
 * into at most max fields; returns the count. */
static size_t csv_split(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n && k < max; i++)
        if (i == n || s[i] == ',') {
            f[k] = s + start;
            fl[k++] = i - start;
            start = i + 1;
        }
    return k;
}

int sl_analytics_infer_schema(const char *const *recs, const size_t *lens, size_t n,
                              struct sl_enc *e)
{
    if (!n) return -1;
    infer_t *in = SL_NEW(infer_t);
    in->a = sl_arena_new(0);
    sl_buf_t text = SL_BUF_INIT;
    sl_val_t **vals = sl_arena_calloc(in->a, n * sizeof *vals);
    bool json = true;
    for (size_t i = 0; i < n && json; i++) {
        const char *perr;
        vals[i] = sl_json_parse(in->a, recs[i], lens[i], &perr);
        json = vals[i] && vals[i]->type == SL_V_OBJ;
    }
    const char **f = SL_ANEWN(in->a, const char *, MAX_COLS);
    size_t *fl = SL_ANEWN(in->a, size_t, MAX_COLS);
    if (json) {
        for (size_t i = 0; i < n; i++) walk_json(in, vals[i], NULL, 1, &text);
    } else {
        for (size_t i = 0; i < n; i++) {
            size_t k = csv_split(recs[i], lens[i], f, fl, MAX_COLS);
            for (size_t j = 0; j < k; j++) {
                if (j == in->ncols) {
                    in->cols[j].path = sl_arena_printf(in->a, "%zu", j);
                    in->cols[j].name = sl_arena_printf(in->a, "COL_%zu", j + 1);
                    in->ncols++;
                }
                widen(&in->cols[j], text_type(f[j], fl[j]), fl[j]);
            }
        }
    }
    int rc = -1;
    if (!in->ncols) goto out;
    rc = 0;
    sl_enc_key(e, "InputSchema");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "RecordFormat");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "RecordFormatType");
    sl_enc_str(e, json ? "JSON" : "CSV");
    sl_enc_key(e, "MappingParameters");
    sl_enc_obj_begin(e);
    if (json) {
        sl_enc_key(e, "JSONMappingParameters");
        sl_enc_obj_begin(e);
        sl_enc_key(e, "RecordRowPath");
        sl_enc_str(e, "$");
    } else {
        sl_enc_key(e, "CSVMappingParameters");
        sl_enc_obj_begin(e);
        sl_enc_key(e, "RecordRowDelimiter");
        sl_enc_str(e, "\n");
        sl_enc_key(e, "RecordColumnDelimiter");
        sl_enc_str(e, ",");
    }
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
    sl_enc_key(e, "RecordEncoding");
    sl_enc_str(e, "UTF-8");
    sl_enc_key(e, "RecordColumns");
    sl_enc_arr_begin(e);
    for (size_t j = 0; j < in->ncols; j++) {
        sl_enc_obj_begin(e);
        sl_enc_key(e, "Name");
        sl_enc_str(e, in->cols[j].name);
        if (json) {
            char *m = sl_arena_printf(in->a, "$.%s", in->cols[j].path);
            sl_enc_key(e, "Mapping");
            sl_enc_str(e, m);
        }
        sl_enc_key(e, "SqlType");
        enc_sqltype(e, &in->cols[j]);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
    sl_enc_key(e, "ParsedInputRecords");
    sl_enc_arr_begin(e);
    for (size_t i = 0; i < n; i++) {
        sl_enc_arr_begin(e);
        size_t k = json ? in->ncols : csv_split(recs[i], lens[i], f, fl, MAX_COLS);
        for (size_t j = 0; j < in->ncols; j++) {
            if (!json) {
                if (j < k) sl_enc_strn(e, f[j], fl[j]);
                else sl_enc_null(e);
                continue;
            }
            const sl_val_t *v = at_path(vals[i], in->cols[j].path);
            size_t len = 0;
            if (!v || val_type(v, &len, &text) == T_NONE) sl_enc_null(e);
            else sl_enc_strn(e, text.p, text.len);
        }
        sl_enc_arr_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_key(e, "RawInputRecords");
    sl_enc_arr_begin(e);
    for (size_t i = 0; i < n; i++) sl_enc_strn(e, recs[i], lens[i]);
    sl_enc_arr_end(e);
out:
    sl_buf_free(&text);
    sl_arena_free(in->a);
    sl_free(in);
    return rc;
}
