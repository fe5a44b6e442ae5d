/*
 * fnutil.c - text to typed values for the log parsers, and small shared helpers; see
 * fnint.h.
 */
#include "fnint.h"

#include "alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Frees a compiled row; see registry.h. */
void sl_fn_row_clear(sl_fn_row_t *row)
{
    if (!row) return;
    for (int i = 0; i < row->nfields; i++) sl_free(row->fields[i].name);
    sl_free(row->fields);
    if (row->state_free) row->state_free(row->state);
    memset(row, 0, sizeof *row);
}

/* Copies bytes into the arena; see fnint.h. */
sl_str_t sl_fn_str_dup(sl_arena_t *a, const char *p, size_t n)
{
    char *c = sl_arena_alloc(a, n ? n : 1);
    if (n) memcpy(c, p, n);
    return (sl_str_t){c, (uint32_t)n};
}

/* Parses [+-]digits[.digits] into a value scaled by 10^scale (extra digits truncated). */
static bool parse_scaled(const char *s, size_t n, int scale, bool allow_frac, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    __int128 v = 0;
    int digits = 0, frac = -1;
    for (; i < n; i++) {
        if (s[i] == '.' && frac < 0 && allow_frac) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)s[i])) return false;
        if (frac >= 0) {
            if (frac >= scale) continue;
            frac++;
        }
        v = v * 10 + (s[i] - '0');
        if (++digits > 19) return false;
    }
    if (!digits) return false;
    for (int k = frac < 0 ? 0 : frac; k < scale; k++) v *= 10;
    if (v > INT64_MAX) return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* Converts text to a value; see fnint.h. */
bool sl_fn_text_to_value(sl_vec_t *v, size_t row, const char *s, size_t n, sl_arena_t *arena,
                         const char *datefmt)
{
    sl_type_t t = v->type;
    if (sl_type_is_string(t)) {
        size_t len = n;
        if (t.len > 0 && len > (size_t)t.len) {
            len = (size_t)t.len;
            while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
        }
        v->v.s[row] = sl_fn_str_dup(arena, s, len);
        v->null[row] = 0;
        return true;
    }
    /* Every other type ignores surrounding blanks. */
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    int64_t x;
    switch (t.id) {
    case SL_T_BOOLEAN:
        if (n == 4 && !strncasecmp(s, "true", 4))
            x = 1;
        else if (n == 5 && !strncasecmp(s, "false", 5))
            x = 0;
        else
            return false;
        break;
    case SL_T_TINYINT:
    case SL_T_SMALLINT:
    case SL_T_INTEGER:
    case SL_T_BIGINT:
        if (!parse_scaled(s, n, 0, false, &x)) return false;
        if ((t.id == SL_T_TINYINT && (x < -128 || x > 127)) ||
            (t.id == SL_T_SMALLINT && (x < -32768 || x > 32767)) ||
            (t.id == SL_T_INTEGER && (x < INT32_MIN || x > INT32_MAX)))
            return false;
        break;
    case SL_T_DECIMAL:
        if (!parse_scaled(s, n, t.scale, true, &x)) return false;
        if (t.prec < 18 && (x >= sl_pow10(t.prec) || x <= -sl_pow10(t.prec))) return false;
        break;
    case SL_T_REAL:
    case SL_T_DOUBLE: {
        char tmp[64];
        if (n == 0 || n >= sizeof tmp) return false;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        char *end;
        double d = strtod(tmp, &end);
        if (*end) return false;
        v->v.f[row] = t.id == SL_T_REAL ? (double)(float)d : d;
        v->null[row] = 0;
        return true;
    }
    case SL_T_DATE:
    case SL_T_TIME:
    case SL_T_TIMESTAMP: {
        int64_t ms;
        if (datefmt) {
            if (!sl_datefmt_parse(datefmt, strlen(datefmt), s, n, &ms)) return false;
        } else if (t.id == SL_T_TIME) {
            if (!sl_parse_time(s, n, &ms)) return false;
        } else if (!sl_parse_timestamp(s, n, &ms)) {
            return false;
        }
        if (t.id == SL_T_DATE)
            x = sl_fn_step(ms, 86400000) / 86400000;
        else if (t.id == SL_T_TIME)
            x = ms - (datefmt ? sl_fn_step(ms, 86400000) : 0);
        else
            x = ms;
        break;
    }
    default:
        return false;
    }
    v->v.i[row] = x;
    v->null[row] = 0;
    return true;
}
