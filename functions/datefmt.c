/*
 * datefmt.c - Java SimpleDateFormat patterns, parsed and formatted; see fnint.h.
 *
 * A pattern is a sequence of items: a run of one pattern letter ("yyyy", "MMM"), a quoted
 * literal ('T', '' for a quote) or any other character, which stands for itself. All
 * times are UTC (KDA's are); a zone in the text (Z, X, z) shifts the parsed value to UTC.
 */
#include "fnint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
static const char *const day_names[7] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                         "Monday",   "Tuesday", "Wednesday"}; /* from 1970-01-01 */

/* One item of a pattern: a letter run (letter, count) or a literal (text, len). */
typedef struct item {
    char letter; /* 0 for a literal */
    int count;
    const char *lit;
    size_t litn;
    char quoted[64]; /* an unescaped copy of a quoted literal */
} item_t;

/* Reads the next item at *pos; false at the end. Quoted literals are unescaped into it. */
static bool next_item(const char *pat, size_t patn, size_t *pos, item_t *it)
{
    size_t i = *pos;
    if (i >= patn) return false;
    it->letter = 0;
    it->count = 0;
    char c = pat[i];
    if (isalpha((unsigned char)c)) {
        size_t j = i;
        while (j < patn && pat[j] == c) j++;
        it->letter = c;
        it->count = (int)(j - i);
        *pos = j;
        return true;
    }
    if (c == '\'') {
        size_t j = i + 1, k = 0;
        if (j < patn && pat[j] == '\'') { /* '' = one quote */
            it->quoted[0] = '\'';
            it->lit = it->quoted;
            it->litn = 1;
            *pos = j + 1;
            return true;
        }
        while (j < patn) {
            if (pat[j] == '\'') {
                if (j + 1 < patn && pat[j + 1] == '\'') {
                    if (k < sizeof it->quoted) it->quoted[k++] = '\'';
                    j += 2;
                    continue;
                }
                break;
            }
            if (k < sizeof it->quoted) it->quoted[k++] = pat[j];
            j++;
        }
        it->lit = it->quoted;
        it->litn = k;
        *pos = j < patn ? j + 1 : j;
        return true;
    }
    it->lit = pat + i;
    it->litn = 1;
    *pos = i + 1;
    return true;
}

/* Checks a pattern; see fnint.h. */
bool sl_datefmt_check(const char *pat, size_t patn, char *err, size_t errlen)
{
    size_t pos = 0;
    item_t it;
    while (next_item(pat, patn, &pos, &it)) {
        if (it.letter && !strchr("yMdHkKhmsSaEZXzD", it.letter)) {
            snprintf(err, errlen, "unsupported date format letter '%c'", it.letter);
            return false;
        }
    }
    return true;
}

/* True when the item is a numeric field. */
static bool numeric_item(const item_t *it)
{
    return it->letter && strchr("ydHkKhmsSD", it->letter) != NULL;
}

/* Days in a month. */
static unsigned mdays(int64_t y, unsigned m)
{
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d[m - 1] + (m == 2 && leap);
}

/* Parses a name out of a table (full or 3-letter prefix, case-insensitive); index or -1. */
static int parse_name(const char *s, size_t n, size_t *i, const char *const *names, int count)
{
    for (int k = 0; k < count; k++) {
        size_t full = strlen(names[k]);
        if (*i + full <= n && !strncasecmp(s + *i, names[k], full)) {
            *i += full;
            return k;
        }
    }
    for (int k = 0; k < count; k++)
        if (*i + 3 <= n && !strncasecmp(s + *i, names[k], 3)) {
            *i += 3;
            return k;
        }
    return -1;
}

/* Parses text; see fnint.h. */
bool sl_datefmt_parse(const char *pat, size_t patn, const char *s, size_t n, int64_t *ms)
{
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, sec = 0, milli = 0;
    int64_t zone_ms = 0, hour12 = -1;
    int ampm = -1;
    size_t pos = 0, i = 0;
    item_t it, nx;
    while (next_item(pat, patn, &pos, &it)) {
        if (!it.letter) {
            if (i + it.litn > n || memcmp(s + i, it.lit, it.litn)) return false;
            i += it.litn;
            continue;
        }
        if (numeric_item(&it) || (it.letter == 'M' && it.count <= 2)) {
            /* Adjacent numeric fields: take exactly `count` digits to split them. */
            size_t peek = pos;
            bool adjacent = next_item(pat, patn, &peek, &nx) &&
                            (numeric_item(&nx) || (nx.letter == 'M' && nx.count <= 2));
            size_t maxd = adjacent ? (size_t)it.count : 10;
            bool neg = false;
            if (it.letter == 'y' && i < n && s[i] == '-') {
                neg = true;
                i++;
            }
            size_t start = i;
            int64_t v = 0;
            while (i < n && i - start < maxd && isdigit((unsigned char)s[i]))
                v = v * 10 + (s[i++] - '0');
            if (i == start) return false;
            if (neg) v = -v;
            switch (it.letter) {
            case 'y':
                /* "yy" with exactly two digits: 1970-2069, Java-like pivot. */
                if (it.count == 2 && i - start == 2) v += v < 70 ? 2000 : 1900;
                year = v;
                break;
            case 'M':
                month = v;
                break;
            case 'd':
                day = v;
                break;
            case 'D':
                day = v;
                month = -1;
                break; /* day of year: resolved below */
            case 'H':
                hour = v;
                break;
            case 'k':
                hour = v == 24 ? 0 : v;
                if (v < 1 || v > 24) return false;
                break;
            case 'K':
                hour12 = v;
                if (v > 11) return false;
                break;
            case 'h':
                hour12 = v == 12 ? 0 : v;
                if (v < 1 || v > 12) return false;
                break;
            case 'm':
                minute = v;
                break;
            case 's':
                sec = v;
                break;
            case 'S':
                milli = v;
                break;
            }
            continue;
        }
        switch (it.letter) {
        case 'M': {
            int k = parse_name(s, n, &i, month_names, 12);
            if (k < 0) return false;
            month = k + 1;
            break;
        }
        case 'E': {
            static const char *const wk[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};
            if (parse_name(s, n, &i, wk, 7) < 0) return false;
            break;
        }
        case 'a':
            if (i + 2 <= n && !strncasecmp(s + i, "AM", 2))
                ampm = 0;
            else if (i + 2 <= n && !strncasecmp(s + i, "PM", 2))
                ampm = 1;
            else
                return false;
            i += 2;
            break;
        case 'Z':
        case 'X':
        case 'z': {
            if (i < n && s[i] == 'Z') {
                i++;
                break;
            }
            if (i + 3 <= n && (!strncasecmp(s + i, "UTC", 3) || !strncasecmp(s + i, "GMT", 3))) {
                i += 3;
                if (i >= n || (s[i] != '+' && s[i] != '-')) break;
            }
            if (i >= n || (s[i] != '+' && s[i] != '-')) return false;
            int sign = s[i++] == '-' ? -1 : 1;
            int digs[4], nd = 0;
            while (i < n && nd < 4) {
                if (isdigit((unsigned char)s[i]))
                    digs[nd++] = s[i++] - '0';
                else if (s[i] == ':' && nd == 2)
                    i++;
                else
                    break;
            }
            if (nd != 2 && nd != 4) return false;
            int hh = digs[0] * 10 + digs[1], mm = nd == 4 ? digs[2] * 10 + digs[3] : 0;
            if (hh > 23 || mm > 59) return false;
            zone_ms = sign * (int64_t)(hh * 60 + mm) * 60000;
            break;
        }
        default:
            return false;
        }
    }
    /* Years beyond +-200000 would overflow epoch milliseconds. */
    if (year < -200000 || year > 200000) return false;
    if (hour12 >= 0)
        hour = hour12 + (ampm == 1 ? 12 : 0);
    else if (ampm == 1 && hour < 12)
        hour += 12;
    int64_t days;
    if (month == -1) {
        if (day < 1 || day > 365 + (mdays(year, 2) == 29)) return false;
        days = sl_days_from_civil(year, 1, 1) + day - 1;
    } else {
        if (month < 1 || month > 12 || day < 1 || day > mdays(year, (unsigned)month)) return false;
        days = sl_days_from_civil(year, (unsigned)month, (unsigned)day);
    }
    if (hour > 23 || minute > 59 || sec > 59 || milli > 999) return false;
    *ms = days * 86400000 + hour * 3600000 + minute * 60000 + sec * 1000 + milli - zone_ms;
    return true;
}

/* Appends a zero-padded number of at least `width` digits. */
static void put_num(char *out, size_t outlen, size_t *k, int64_t v, int width)
{
    char tmp[48];
    if (width > 24) width = 24; /* Java pads to any width; 24 digits is plenty */
    int len = snprintf(tmp, sizeof tmp, "%0*lld", width, (long long)v);
    if (len > (int)sizeof tmp - 1) len = (int)sizeof tmp - 1;
    for (int j = 0; j < len && *k + 1 < outlen; j++) out[(*k)++] = tmp[j];
}

/* Appends a string. */
static void put_str(char *out, size_t outlen, size_t *k, const char *s, size_t n)
{
    for (size_t j = 0; j < n && *k + 1 < outlen; j++) out[(*k)++] = s[j];
}

/* Formats; see fnint.h. */
size_t sl_datefmt_format(const char *pat, size_t patn, int64_t ms, char *out, size_t outlen)
{
    int64_t day = sl_fn_step(ms, 86400000) / 86400000, tod = ms - day * 86400000, y;
    unsigned m, d;
    sl_civil_from_days(day, &y, &m, &d);
    int64_t hour = tod / 3600000, minute = tod / 60000 % 60, sec = tod / 1000 % 60,
            milli = tod % 1000;
    size_t pos = 0, k = 0;
    item_t it;
    if (outlen == 0) return 0;
    while (next_item(pat, patn, &pos, &it)) {
        if (!it.letter) {
            put_str(out, outlen, &k, it.lit, it.litn);
            continue;
        }
        switch (it.letter) {
        case 'y':
            if (it.count == 2)
                put_num(out, outlen, &k, ((y % 100) + 100) % 100, 2);
            else
                put_num(out, outlen, &k, y, it.count);
            break;
        case 'M':
            if (it.count >= 4)
                put_str(out, outlen, &k, month_names[m - 1], strlen(month_names[m - 1]));
            else if (it.count == 3)
                put_str(out, outlen, &k, month_names[m - 1], 3);
            else
                put_num(out, outlen, &k, m, it.count);
            break;
        case 'd':
            put_num(out, outlen, &k, d, it.count);
            break;
        case 'D':
            put_num(out, outlen, &k, day - sl_days_from_civil(y, 1, 1) + 1, it.count);
            break;
        case 'H':
            put_num(out, outlen, &k, hour, it.count);
            break;
        case 'k':
            put_num(out, outlen, &k, hour == 0 ? 24 : hour, it.count);
            break;
        case 'K':
            put_num(out, outlen, &k, hour % 12, it.count);
            break;
        case 'h':
            put_num(out, outlen, &k, hour % 12 == 0 ? 12 : hour % 12, it.count);
            break;
        case 'm':
            put_num(out, outlen, &k, minute, it.count);
            break;
        case 's':
            put_num(out, outlen, &k, sec, it.count);
            break;
        case 'S':
            put_num(out, outlen, &k, milli, it.count);
            break;
        case 'a':
            put_str(out, outlen, &k, hour < 12 ? "AM" : "PM", 2);
            break;
        case 'E': {
            const char *nm = day_names[((day % 7) + 7) % 7];
            put_str(out, outlen, &k, nm, it.count >= 4 ? strlen(nm) : 3);
            break;
        }
        case 'Z':
            put_str(out, outlen, &k, "+0000", 5);
            break;
        case 'X':
            put_str(out, outlen, &k, "Z", 1);
            break;
        case 'z':
            put_str(out, outlen, &k, "UTC", 3);
            break;
        default:
            break; /* rejected by sl_datefmt_check; nothing written */
        }
    }
    out[k] = 0;
    return k;
}
