/*
 * schema.c - ownership helpers of record schemas; see schema.h.
 */
#include "schema.h"

#include "alloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? sl_strdup(s) : NULL;
}

void sl_record_schema_free(sl_record_schema_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ncols; i++) {
        sl_free(s->cols[i].name);
        sl_free(s->cols[i].sql_type);
        sl_free(s->cols[i].mapping);
    }
    sl_free(s->cols);
    sl_free(s->row_path);
    sl_free(s->row_delim);
    sl_free(s->col_delim);
    sl_free(s->encoding);
    memset(s, 0, sizeof *s);
}

void sl_record_schema_copy(sl_record_schema_t *dst, const sl_record_schema_t *src)
{
    dst->format = src->format;
    dst->row_path = dup_or_null(src->row_path);
    dst->row_delim = dup_or_null(src->row_delim);
    dst->col_delim = dup_or_null(src->col_delim);
    dst->encoding = dup_or_null(src->encoding);
    dst->ncols = src->ncols;
    dst->cols = SL_NEWN(sl_schema_col_t, src->ncols ? src->ncols : 1);
    for (size_t i = 0; i < src->ncols; i++) {
        dst->cols[i].name = dup_or_null(src->cols[i].name);
        dst->cols[i].sql_type = dup_or_null(src->cols[i].sql_type);
        dst->cols[i].mapping = dup_or_null(src->cols[i].mapping);
    }
}

/* ---- SQL column types ------------------------------------------------------------------ */

static const char *const sqltype_names[] = {
#define SL_SQLTYPE_NAME(k, name, aff) name,
    SL_SQLTYPE_LIST(SL_SQLTYPE_NAME)
#undef SL_SQLTYPE_NAME
};

static const char *const sqltype_affinities[] = {
#define SL_SQLTYPE_AFF(k, name, aff) aff,
    SL_SQLTYPE_LIST(SL_SQLTYPE_AFF)
#undef SL_SQLTYPE_AFF
};

const char *sl_sqltype_name(sl_sqltype_kind_t kind)
{
    return sqltype_names[kind];
}

const char *sl_sqltype_affinity(sl_sqltype_kind_t kind)
{
    return sqltype_affinities[kind];
}

/* Spellings accepted for each kind, longest multi-word forms first so "DOUBLE PRECISION"
 * wins over "DOUBLE". `words` is the spelling with single spaces between words. */
static const struct {
    const char *words;
    sl_sqltype_kind_t kind;
} sqltype_spellings[] = {
    {"DOUBLE PRECISION", SL_SQLT_DOUBLE},   {"CHARACTER VARYING", SL_SQLT_VARCHAR},
    {"CHAR VARYING", SL_SQLT_VARCHAR},      {"BOOLEAN", SL_SQLT_BOOLEAN},
    {"TINYINT", SL_SQLT_TINYINT},           {"SMALLINT", SL_SQLT_SMALLINT},
    {"INTEGER", SL_SQLT_INTEGER},           {"INT", SL_SQLT_INTEGER},
    {"BIGINT", SL_SQLT_BIGINT},             {"REAL", SL_SQLT_REAL},
    {"DOUBLE", SL_SQLT_DOUBLE},             {"FLOAT", SL_SQLT_DOUBLE},
    {"DECIMAL", SL_SQLT_DECIMAL},           {"DEC", SL_SQLT_DECIMAL},
    {"NUMERIC", SL_SQLT_DECIMAL},           {"CHARACTER", SL_SQLT_CHAR},
    {"CHAR", SL_SQLT_CHAR},                 {"VARCHAR", SL_SQLT_VARCHAR},
    {"VARBINARY", SL_SQLT_VARBINARY},       {"BINARY", SL_SQLT_BINARY},
    {"DATE", SL_SQLT_DATE},                 {"TIMESTAMP", SL_SQLT_TIMESTAMP},
    {"TIME", SL_SQLT_TIME},
};

/* Matches the words of `words` at *p (any run of blanks between them, case-insensitive,
 * ending at a non-letter). Advances *p past them on a match. */
static bool match_words(const char **p, const char *words)
{
    const char *s = *p;
    for (const char *w = words; *w;) {
        if (*w == ' ') {
            if (*s != ' ' && *s != '\t') return false;
            while (*s == ' ' || *s == '\t') s++;
            w++;
            continue;
        }
        if (toupper((unsigned char)*s) != *w) return false;
        s++;
        w++;
    }
    if (isalnum((unsigned char)*s) || *s == '_') return false;
    *p = s;
    return true;
}

static void skip_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t') (*p)++;
}

/* Reads a decimal integer 0..999999 at *p. */
static bool read_small_int(const char **p, int *out)
{
    skip_blanks(p);
    if (!isdigit((unsigned char)**p)) return false;
    long v = 0;
    while (isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        if (v > 999999) return false;
        (*p)++;
    }
    *out = (int)v;
    return true;
}

int sl_sqltype_parse(const char *text, sl_sqltype_t *out, const char **why)
{
    const char *p = text;
    skip_blanks(&p);
    size_t i;
    for (i = 0; i < sizeof sqltype_spellings / sizeof sqltype_spellings[0]; i++)
        if (match_words(&p, sqltype_spellings[i].words)) break;
    if (i == sizeof sqltype_spellings / sizeof sqltype_spellings[0]) {
        *why = "unknown SQL type";
        return -1;
    }
    sl_sqltype_t t = {sqltype_spellings[i].kind, 0, 0};
    bool sized = t.kind == SL_SQLT_CHAR || t.kind == SL_SQLT_VARCHAR || t.kind == SL_SQLT_BINARY ||
                 t.kind == SL_SQLT_VARBINARY;
    if (sized) t.len = (t.kind == SL_SQLT_CHAR || t.kind == SL_SQLT_BINARY) ? 1 : SL_SQLTYPE_MAX_LEN;
    if (t.kind == SL_SQLT_DECIMAL) t.len = SL_SQLTYPE_MAX_PRECISION;
    skip_blanks(&p);
    if (*p == '(') {
        p++;
        if (!sized && t.kind != SL_SQLT_DECIMAL) {
            *why = "this type takes no length";
            return -1;
        }
        if (!read_small_int(&p, &t.len)) {
            *why = "expected a number in parentheses";
            return -1;
        }
        skip_blanks(&p);
        if (*p == ',' && t.kind == SL_SQLT_DECIMAL) {
            p++;
            if (!read_small_int(&p, &t.scale)) {
                *why = "expected a scale after ','";
                return -1;
            }
            skip_blanks(&p);
        }
        if (*p != ')') {
            *why = "expected ')'";
            return -1;
        }
        p++;
        if (sized && (t.len < 1 || t.len > SL_SQLTYPE_MAX_LEN)) {
            *why = "length must be between 1 and 65535";
            return -1;
        }
        if (t.kind == SL_SQLT_DECIMAL && (t.len < 1 || t.len > SL_SQLTYPE_MAX_PRECISION)) {
            *why = "DECIMAL precision must be between 1 and 18";
            return -1;
        }
        if (t.kind == SL_SQLT_DECIMAL && t.scale > t.len) {
            *why = "DECIMAL scale must not exceed its precision";
            return -1;
        }
    }
    skip_blanks(&p);
    if (*p) {
        *why = "unexpected text after the type";
        return -1;
    }
    *out = t;
    return 0;
}
