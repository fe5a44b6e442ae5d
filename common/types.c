/*
 * types.c - type classification, widening, parsing and calendar helpers; see types.h.
 */
#include "types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const sl_phys_t sl_tid_phys_table[SL_T_COUNT] = {
#define SL_TID_PHYS(name, sp, phys) phys,
    SL_TIDS(SL_TID_PHYS)
#undef SL_TID_PHYS
};

static const char *const tid_names[] = {
#define SL_TID_NAME(name, sp, phys) sp,
    SL_TIDS(SL_TID_NAME)
#undef SL_TID_NAME
};

/* Spelling of a type id; see types.h. */
const char *sl_tid_name(sl_tid_t id) { return id < SL_T_COUNT ? tid_names[id] : "?"; }

/* Digits of an exact numeric; see types.h. */
int sl_type_digits(sl_type_t t)
{
    switch (t.id) {
    case SL_T_BOOLEAN: return 1;
    case SL_T_TINYINT: return 3;
    case SL_T_SMALLINT: return 5;
    case SL_T_INTEGER: return 10;
    case SL_T_BIGINT: return 18;
    case SL_T_DECIMAL: return t.prec;
    default: return 18;
    }
}

/* Rank of an integer type for widening. */
static int int_rank(sl_type_t t)
{
    switch (t.id) {
    case SL_T_TINYINT: return 1;
    case SL_T_SMALLINT: return 2;
    case SL_T_INTEGER: return 3;
    default: return 4;
    }
}

/* Common type of two operands; see types.h. */
bool sl_type_common(sl_type_t a, sl_type_t b, sl_type_t *out)
{
    if (a.id == SL_T_NULL) {
        *out = b;
        out->not_null = 0;
        return true;
    }
    if (b.id == SL_T_NULL) {
        *out = a;
        out->not_null = 0;
        return true;
    }
    sl_type_t r = a;
    r.not_null = a.not_null && b.not_null;
    if (sl_type_is_numeric(a) && sl_type_is_numeric(b)) {
        if (a.id == SL_T_DOUBLE || b.id == SL_T_DOUBLE || a.id == SL_T_REAL || b.id == SL_T_REAL) {
            r = sl_type_make(SL_T_DOUBLE);
        } else if (a.id == SL_T_DECIMAL || b.id == SL_T_DECIMAL) {
            int s = sl_type_scale(a) > sl_type_scale(b) ? sl_type_scale(a) : sl_type_scale(b);
            int ia = sl_type_digits(a) - sl_type_scale(a), ib = sl_type_digits(b) - sl_type_scale(b);
            int p = (ia > ib ? ia : ib) + s;
            if (p > SL_DECIMAL_MAX_PREC) p = SL_DECIMAL_MAX_PREC;
            r = sl_type_make(SL_T_DECIMAL);
            r.prec = (int8_t)p;
            r.scale = (int8_t)s;
        } else {
            r = int_rank(a) >= int_rank(b) ? a : b;
        }
        r.not_null = a.not_null && b.not_null;
        *out = r;
        return true;
    }
    if (sl_type_is_string(a) && sl_type_is_string(b)) {
        r = sl_type_make(a.id == SL_T_CHAR && b.id == SL_T_CHAR ? SL_T_CHAR : SL_T_VARCHAR);
        r.len = a.len > b.len ? a.len : b.len;
        r.not_null = a.not_null && b.not_null;
        *out = r;
        return true;
    }
    if (sl_type_is_binary(a) && sl_type_is_binary(b)) {
        r = sl_type_make(SL_T_VARBINARY);
        r.len = a.len > b.len ? a.len : b.len;
        *out = r;
        return true;
    }
    if (a.id == b.id) {
        *out = r;
        return true;
    }
    /* DATE with TIMESTAMP compares as TIMESTAMP. */
    if ((a.id == SL_T_DATE && b.id == SL_T_TIMESTAMP) ||
        (a.id == SL_T_TIMESTAMP && b.id == SL_T_DATE)) {
        *out = sl_type_make(SL_T_TIMESTAMP);
        return true;
    }
    return false;
}

/* SQL spelling of a type; see types.h. */
void sl_type_format(sl_type_t t, char *out, size_t outlen)
{
    switch (t.id) {
    case SL_T_DECIMAL: snprintf(out, outlen, "DECIMAL(%d,%d)", t.prec, t.scale); break;
    case SL_T_CHAR:
    case SL_T_VARCHAR:
    case SL_T_BINARY:
    case SL_T_VARBINARY: snprintf(out, outlen, "%s(%d)", sl_tid_name((sl_tid_t)t.id), (int)t.len); break;
    default: snprintf(out, outlen, "%s", sl_tid_name((sl_tid_t)t.id)); break;
    }
}

/* Skips blanks. */
static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

/* Matches a case-insensitive word at p; returns the end or NULL. */
static const char *match_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(p, w, n) || isalnum((unsigned char)p[n]) || p[n] == '_') return NULL;
    return p + n;
}

/* Parses "(a)" or "(a, b)" at p; returns the end or NULL. nb is set to -1 without b. */
static const char *parse_params(const char *p, long *na, long *nb)
{
    p = skip_ws(p);
    *na = -1;
    *nb = -1;
    if (*p != '(') return p;
    char *end;
    *na = strtol(p + 1, &end, 10);
    if (end == p + 1) return NULL;
    p = skip_ws(end);
    if (*p == ',') {
        const char *q = skip_ws(p + 1);
        *nb = strtol(q, &end, 10);
        if (end == q) return NULL;
        p = skip_ws(end);
    }
    if (*p != ')') return NULL;
    return p + 1;
}

/* Parses a schema type; see types.h. */
bool sl_type_parse(const char *text, sl_type_t *out)
{
    static const struct {
        const char *word;
        sl_tid_t id;
    } words[] = {
        {"BOOLEAN", SL_T_BOOLEAN},   {"TINYINT", SL_T_TINYINT},   {"SMALLINT", SL_T_SMALLINT},
        {"INTEGER", SL_T_INTEGER},   {"INT", SL_T_INTEGER},       {"BIGINT", SL_T_BIGINT},
        {"DECIMAL", SL_T_DECIMAL},   {"DEC", SL_T_DECIMAL},       {"NUMERIC", SL_T_DECIMAL},
        {"REAL", SL_T_REAL},         {"DOUBLE", SL_T_DOUBLE},     {"FLOAT", SL_T_DOUBLE},
        {"VARCHAR", SL_T_VARCHAR},   {"CHARACTER", SL_T_CHAR},    {"CHAR", SL_T_CHAR},
        {"VARBINARY", SL_T_VARBINARY}, {"BINARY", SL_T_BINARY},   {"DATE", SL_T_DATE},
        {"TIMESTAMP", SL_T_TIMESTAMP}, {"TIME", SL_T_TIME},
    };
    const char *p = skip_ws(text);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const char *e = match_word(p, words[i].word);
        if (!e) continue;
        sl_type_t t = sl_type_make(words[i].id);
        e = skip_ws(e);
        if (t.id == SL_T_DOUBLE) {
            const char *e2 = match_word(e, "PRECISION");
            if (e2) e = skip_ws(e2);
        }
        if (t.id == SL_T_CHAR) {
            const char *e2 = match_word(e, "VARYING");
            if (e2) {
                t = sl_type_make(SL_T_VARCHAR);
                e = skip_ws(e2);
            }
        }
        long a, b;
        e = parse_params(e, &a, &b);
        if (!e || *skip_ws(e)) return false;
        if (t.id == SL_T_DECIMAL) {
            if (a != -1) {
                if (a < 1 || a > SL_DECIMAL_MAX_PREC) return false;
                t.prec = (int8_t)a;
                t.scale = 0;
            }
            if (b != -1) {
                if (b < 0 || b > a) return false;
                t.scale = (int8_t)b;
            }
        } else if (sl_type_is_string(t) || sl_type_is_binary(t)) {
            if (b != -1) return false;
            if (a != -1) {
                if (a < 1 || a > SL_STR_MAX_LEN) return false;
                t.len = (int32_t)a;
            } else if (t.id == SL_T_CHAR || t.id == SL_T_BINARY) {
                t.len = 1;
            }
        } else if (a != -1) {
            return false;
        }
        *out = t;
        return true;
    }
    return false;
}

/* 10^n; see types.h. */
int64_t sl_pow10(int n)
{
    static const int64_t p[] = {1LL,
                                10LL,
                                100LL,
                                1000LL,
                                10000LL,
                                100000LL,
                                1000000LL,
                                10000000LL,
                                100000000LL,
                                1000000000LL,
                                10000000000LL,
                                100000000000LL,
                                1000000000000LL,
                                10000000000000LL,
                                100000000000000LL,
                                1000000000000000LL,
                                10000000000000000LL,
                                100000000000000000LL,
                                1000000000000000000LL};
    return n < 0 ? 1 : n > 18 ? p[18] : p[n];
}

/* Days from a civil date (Howard Hinnant's well-known algorithm, written out here). */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Civil date from days; the inverse of sl_days_from_civil. */
void sl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* Reads exactly n digits at *p into *out. */
static bool digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || !isdigit((unsigned char)**p)) return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return true;
}

/* Parses HH:MM[:SS[.fff]] at *p; advances *p. */
static bool parse_hms(const char **p, const char *end, int64_t *ms)
{
    int hh, mm, ss = 0, frac = 0;
    if (!digits(p, end, 2, &hh) || *p >= end || **p != ':') return false;
    (*p)++;
    if (!digits(p, end, 2, &mm)) return false;
    if (*p < end && **p == ':') {
        (*p)++;
        if (!digits(p, end, 2, &ss)) return false;
        if (*p < end && **p == '.') {
            (*p)++;
            int nd = 0;
            while (*p < end && isdigit((unsigned char)**p)) {
                if (nd < 3) frac = frac * 10 + (**p - '0');
                nd++;
                (*p)++;
            }
            if (!nd) return false;
            for (; nd < 3; nd++) frac *= 10;
        }
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;
    *ms = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000 + frac;
    return true;
}

/* Parses a timestamp; see types.h. */
bool sl_parse_timestamp(const char *s, size_t n, int64_t *ms)
{
    const char *p = s, *end = s + n;
    while (p < end && *p == ' ') p++;
    while (end > p && end[-1] == ' ') end--;
    int y, mo, d;
    if (!digits(&p, end, 4, &y) || p >= end || *p != '-') return false;
    p++;
    if (!digits(&p, end, 2, &mo) || p >= end || *p != '-') return false;
    p++;
    if (!digits(&p, end, 2, &d)) return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    int64_t t = 0;
    if (p < end && (*p == ' ' || *p == 'T')) {
        p++;
        if (!parse_hms(&p, end, &t)) return false;
    }
    if (p < end && *p == 'Z') p++;
    if (p != end) return false;
    *ms = sl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000LL + t;
    return true;
}

/* Parses a time of day; see types.h. */
bool sl_parse_time(const char *s, size_t n, int64_t *ms)
{
    const char *p = s, *end = s + n;
    if (!parse_hms(&p, end, ms)) return false;
    return p == end;
}

/* Formats a DATE; see types.h. */
void sl_format_date(int64_t days, char *out)
{
    int64_t y;
    unsigned m, d;
    sl_civil_from_days(days, &y, &m, &d);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u", (long long)y, m, d);
    memcpy(out, tmp, 11);
    out[10] = '\0';
}

/* Formats a TIME; see types.h. */
void sl_format_time(int64_t ms, char *out)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%02d:%02d:%02d.%03d", (int)(ms / 3600000),
             (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), (int)(ms % 1000));
    memcpy(out, tmp, 13);
    out[12] = '\0';
}
