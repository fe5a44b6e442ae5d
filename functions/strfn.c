/*
 * strfn.c - the string functions of KDA: CHAR_LENGTH / CHARACTER_LENGTH, UPPER, LOWER,
 * INITCAP, SUBSTRING (positions, and FROM regex), POSITION, TRIM, OVERLAY, REGEX_REPLACE.
 *
 * Strings are UTF-8; positions and lengths count characters (code points), as KDA's Java
 * strings count UTF-16 units for the characters of the Basic Multilingual Plane. Case
 * mapping covers ASCII and the Latin-1 letters (U+00C0..U+00FE); other scripts are kept
 * as they are (README.md). Any NULL argument gives NULL. Results
 * are VARCHAR slices into the argument when they are a part of it (SUBSTRING, TRIM) and
 * into ctx->arena when new bytes are made (UPPER, OVERLAY, ...).
 */
#include "fnint.h"
#include "pattern.h"

#include "alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- SUBSTRING ... SIMILAR ... ESCAPE ------------------------------------------------ */

/* Strings up to this many bytes get SQL's shortest-prefix / shortest-suffix split, which
 * costs O(n^2) regex runs; longer ones take POSIX's split of one match of the whole. */
#define SIMILAR_EXACT_MAX 512

/* A compiled SIMILAR pattern: its three parts, and all three in sequence. */
typedef struct similar {
    sl_fn_regex_t part[3]; /* each (Pk)$ */
    sl_fn_regex_t whole;   /* (P1)(P2)(P3)$ */
    int g2;                /* POSIX subexpression of P2 in whole */
} similar_t;

/* Frees the compiled parts (a zeroed similar_t is a no-op). */
static void similar_free(similar_t *sm)
{
    for (int k = 0; k < 3; k++) sl_fn_regex_free(&sm->part[k]);
    sl_fn_regex_free(&sm->whole);
}

/*
 * Compiles SQL's SIMILAR pattern p with escape character e: p is three SIMILAR TO patterns
 * separated by <e>" (the returned part is the middle one). Each part is translated by
 * sl_fn_similar_translate (pattern.h) into the Java syntax of regex.c and compiled with its
 * checks. False with a message when e is not one character, the markers are not two or a
 * part does not compile.
 */
static bool similar_compile(similar_t *sm, sl_str_t p, sl_str_t e, char *err, size_t errlen)
{
    memset(sm, 0, sizeof *sm);
    if (e.len != 1) {
        snprintf(err, errlen, "SUBSTRING ... ESCAPE needs exactly one escape character");
        return false;
    }
    char esc = e.p[0];
    /* The parts: [from[k], to[k]) of p, split at the two <e>" markers. */
    uint32_t from[3] = {0, 0, 0}, to[3] = {0, 0, 0};
    int part = 0;
    for (uint32_t i = 0; i < p.len; i++) {
        if (p.p[i] != esc) continue;
        if (i + 1 < p.len && p.p[i + 1] == '"') {
            if (part == 2) {
                part = 3;
                break;
            }
            to[part++] = i;
            from[part] = i + 2;
        }
        i++; /* <e>x: x is not a marker */
    }
    if (part != 2) {
        snprintf(err, errlen, "SUBSTRING ... SIMILAR: the pattern needs exactly two %c\" markers",
                 esc);
        return false;
    }
    to[2] = p.len;
    char *buf[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0}, cap[3] = {0, 0, 0};
    bool ok = true;
    for (int k = 0; k < 3 && ok; k++)
        ok = sl_fn_similar_translate(p.p + from[k], to[k] - from[k], (unsigned char)esc, &buf[k],
                                     &len[k], &cap[k], err, errlen);
    char *whole = NULL;
    if (ok) {
        /* (P1)(P2)(P3), joined by length: the parts hold no NUL (the translation refuses
         * one), so this is also the C string regcomp reads. */
        size_t wl = 0;
        whole = sl_malloc(len[0] + len[1] + len[2] + 7);
        for (int k = 0; k < 3; k++) {
            whole[wl++] = '(';
            if (len[k]) memcpy(whole + wl, buf[k], len[k]);
            wl += len[k];
            whole[wl++] = ')';
        }
        whole[wl] = '\0';
        for (int k = 0; k < 3 && ok; k++)
            ok = sl_fn_regex_compile(&sm->part[k], buf[k] ? buf[k] : "", len[k], SL_RX_END, err,
                                     errlen);
        ok = ok && sl_fn_regex_compile(&sm->whole, whole, wl, SL_RX_END, err, errlen);
        /* P2's group in the whole: groups 1 and 2 + those of P1 (checked, not assumed). */
        if (ok && sm->whole.ngroups < 2 + sm->part[0].ngroups) {
            snprintf(err, errlen, "SUBSTRING ... SIMILAR: the pattern's groups do not nest");
            ok = false;
        }
    }
    for (int k = 0; k < 3; k++) sl_free(buf[k]);
    sl_free(whole);
    if (!ok) {
        similar_free(sm);
        return false;
    }
    /* capturing group 2 + (groups inside P1) is P2's */
    sm->g2 = sm->whole.group[1 + sm->part[0].ngroups];
    return true;
}

/* True when part k matches z[from, to) exactly: the leftmost match that ends at `to`
 * starts at `from` (a match from `from` on, if any, is the leftmost one). */
static bool similar_part(const similar_t *sm, int k, const char *z, size_t from, size_t to)
{
    regmatch_t m[1];
    return sl_fn_regex_exec(&sm->part[k], z, from, to, false, m, 1) && m[0].rm_so == (regoff_t)from;
}

/*
 * The returned part of a SIMILAR match of z[0, n), SQL's rule: the shortest prefix that
 * matches the first part (with the rest matching the other two), then the shortest suffix
 * that matches the third; the middle is the result. False when the string does not match.
 * Past SIMILAR_EXACT_MAX bytes the split is POSIX's (leftmost-longest) instead.
 */
static bool similar_match(const similar_t *sm, const char *z, size_t n, size_t *a, size_t *b)
{
    /* One run of the whole pattern rejects most strings, and splits long ones. */
    regmatch_t m[64];
    size_t nm = (size_t)sm->whole.nposix + 1 < 64 ? (size_t)sm->whole.nposix + 1 : 64;
    if (!sl_fn_regex_exec(&sm->whole, z, 0, n, false, m, nm) || m[0].rm_so != 0) return false;
    if (n > SIMILAR_EXACT_MAX) {
        if (sm->g2 >= (int)nm || m[sm->g2].rm_so < 0) return false;
        *a = (size_t)m[sm->g2].rm_so;
        *b = (size_t)m[sm->g2].rm_eo;
        return true;
    }
    for (size_t i = 0; i <= n; i++) {
        if (!similar_part(sm, 0, z, 0, i)) continue;
        for (size_t j = n + 1; j-- > i;) {
            if (similar_part(sm, 2, z, j, n) && similar_part(sm, 1, z, i, j)) {
                *a = i;
                *b = j;
                return true;
            }
        }
    }
    return false;
}

/* ---- type rules ----------------------------------------------------------------------- */

/* "expects a character string" for argument k unless it is one (or NULL). */
static bool want_str(const sl_fn_call_info_t *call, int k, const char *fn, char *err, size_t errlen)
{
    sl_type_t t = call->args[k];
    if (sl_type_is_string(t) || t.id == SL_T_NULL) return true;
    char nm[48];
    sl_type_format(t, nm, sizeof nm);
    snprintf(err, errlen, "%s expects a character string as argument %d, got %s", fn, k + 1, nm);
    return false;
}

/* "expects an integer" for argument k unless it is one (or NULL). */
static bool want_int(const sl_fn_call_info_t *call, int k, const char *fn, char *err, size_t errlen)
{
    sl_type_t t = call->args[k];
    if (sl_type_is_integer(t) || t.id == SL_T_NULL || (t.id == SL_T_DECIMAL && t.scale == 0))
        return true;
    char nm[48];
    sl_type_format(t, nm, sizeof nm);
    snprintf(err, errlen, "%s expects an integer as argument %d, got %s", fn, k + 1, nm);
    return false;
}

/* The declared length of a string argument (VARCHAR's maximum for a NULL literal). */
static int32_t str_len(sl_type_t t)
{
    return t.id == SL_T_NULL || t.len <= 0 ? SL_STR_MAX_LEN : t.len;
}

/* CHAR_LENGTH(s): INTEGER. */
bool sl_rule_char_length(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_str(call, 0, "CHAR_LENGTH", err, errlen)) return false;
    *result = sl_type_make(SL_T_INTEGER);
    result->not_null = call->args[0].not_null;
    return true;
}

/* UPPER/LOWER/INITCAP(s): the argument's type (CHAR(n) stays CHAR(n)). */
bool sl_rule_case(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_str(call, 0, "UPPER/LOWER/INITCAP", err, errlen)) return false;
    *result = call->args[0].id == SL_T_NULL ? sl_type_make(SL_T_VARCHAR) : call->args[0];
    return true;
}

/* SUBSTRING(s, p [, n]): VARCHAR of s's length. */
bool sl_rule_substring(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_str(call, 0, "SUBSTRING", err, errlen)) return false;
    if (call->flags & SL_FN_SUBSTRING_SIMILAR) { /* SUBSTRING(s SIMILAR p ESCAPE c) */
        if (!want_str(call, 1, "SUBSTRING ... SIMILAR", err, errlen) ||
            !want_str(call, 2, "SUBSTRING ... ESCAPE", err, errlen))
            return false;
        if (call->consts && call->consts[1].is_const && call->consts[2].is_const) {
            similar_t sm;
            const sl_fn_const_t *pc = &call->consts[1], *ec = &call->consts[2];
            if (!similar_compile(&sm, (sl_str_t){pc->s, pc->slen}, (sl_str_t){ec->s, ec->slen}, err,
                                 errlen))
                return false;
            similar_free(&sm);
        }
        *result = sl_type_make(SL_T_VARCHAR);
        result->len = str_len(call->args[0]);
        return true;
    }
    if (call->nargs == 2 && sl_type_is_string(call->args[1])) { /* SUBSTRING(s FROM regex) */
        if (call->consts && call->consts[1].is_const) {
            sl_fn_regex_t rx;
            if (!sl_fn_regex_compile(&rx, call->consts[1].s, call->consts[1].slen, 0, err, errlen))
                return false;
            sl_fn_regex_free(&rx);
        }
        *result = sl_type_make(SL_T_VARCHAR);
        result->len = str_len(call->args[0]);
        return true;
    }
    for (int k = 1; k < call->nargs; k++)
        if (!want_int(call, k, "SUBSTRING", err, errlen)) return false;
    *result = sl_type_make(SL_T_VARCHAR);
    result->len = str_len(call->args[0]);
    return true;
}

/* POSITION(a IN b): INTEGER. */
bool sl_rule_position(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_str(call, 0, "POSITION", err, errlen) || !want_str(call, 1, "POSITION", err, errlen))
        return false;
    *result = sl_type_make(SL_T_INTEGER);
    return true;
}

/* TRIM(s [, c]): VARCHAR of s's length. */
bool sl_rule_trim(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    for (int k = 0; k < call->nargs; k++)
        if (!want_str(call, k, "TRIM", err, errlen)) return false;
    *result = sl_type_make(SL_T_VARCHAR);
    result->len = str_len(call->args[0]);
    return true;
}

/* OVERLAY(s, r, p [, n]): VARCHAR(len(s) + len(r)). */
bool sl_rule_overlay(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_str(call, 0, "OVERLAY", err, errlen) || !want_str(call, 1, "OVERLAY", err, errlen))
        return false;
    for (int k = 2; k < call->nargs; k++)
        if (!want_int(call, k, "OVERLAY", err, errlen)) return false;
    *result = sl_type_make(SL_T_VARCHAR);
    int64_t len = (int64_t)str_len(call->args[0]) + str_len(call->args[1]);
    result->len = (int32_t)(len > SL_STR_MAX_LEN ? SL_STR_MAX_LEN : len);
    return true;
}

/* REGEX_REPLACE(original, regex, replacement, startPosition, occurrence): VARCHAR(65535). */
bool sl_rule_regex_replace(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                           size_t errlen)
{
    for (int k = 0; k < 3; k++)
        if (!want_str(call, k, "REGEX_REPLACE", err, errlen)) return false;
    for (int k = 3; k < 5; k++)
        if (!want_int(call, k, "REGEX_REPLACE", err, errlen)) return false;
    *result = sl_type_make(SL_T_VARCHAR);
    return true;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* Sets out->null[i] from the arguments; true when the row is NULL. */
static inline bool any_null(const sl_vec_t *args, int nargs, sl_vec_t *out, size_t i)
{
    uint8_t z = 0;
    for (int k = 0; k < nargs; k++) z |= args[k].null[i];
    out->null[i] = z ? 1 : 0;
    return z != 0;
}

/* Characters of a UTF-8 string (continuation bytes not counted). */
static int64_t utf8_chars(const char *p, uint32_t n)
{
    int64_t c = 0;
    for (uint32_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of character k (0-based) of a UTF-8 string, clamped to its length. */
static uint32_t utf8_offset(const char *p, uint32_t n, int64_t k)
{
    if (k <= 0) return 0;
    uint32_t i = 0;
    int64_t c = 0;
    while (i < n) {
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            if (c == k) return i;
            c++;
        }
        i++;
    }
    return n;
}

/* The characters [from, to) (0-based, clamped) of s. */
static sl_str_t utf8_slice(sl_str_t s, int64_t from, int64_t to)
{
    if (to <= from) return (sl_str_t){s.p, 0};
    uint32_t a = utf8_offset(s.p, s.len, from), b = utf8_offset(s.p, s.len, to);
    return (sl_str_t){s.p + a, b - a};
}

/* Integer value of row i of an integer (or DECIMAL scale 0) vector. */
static inline int64_t ival(const sl_vec_t *v, size_t i)
{
    return v->v.i[i];
}

/* ---- kernels -------------------------------------------------------------------------- */

/* CHAR_LENGTH / CHARACTER_LENGTH. */
void sl_kernel_char_length(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        out->v.i[i] = utf8_chars(args[0].v.s[i].p, args[0].v.s[i].len);
    }
}

/* Shared body of UPPER (mode 0), LOWER (1), INITCAP (2). */
static void case_map(sl_fn_ctx_t *ctx, const sl_vec_t *a, sl_vec_t *out, size_t n, int mode)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(a, 1, out, i)) continue;
        sl_str_t s = a->v.s[i];
        char *c = sl_arena_alloc(ctx->arena, s.len ? s.len : 1);
        bool word_start = true;
        for (uint32_t k = 0; k < s.len; k++) {
            unsigned char ch = (unsigned char)s.p[k];
            bool up = mode == 0 || (mode == 2 && word_start);
            word_start = ch == ' ';
            if (ch == 0xC3 && k + 1 < s.len) {
                /* Latin-1 letters U+00C0..U+00FE: upper C3 80..9E, lower C3 A0..BE (but
                 * not the signs U+00D7, U+00F7); a case pair differs by 0x20. */
                unsigned char t = (unsigned char)s.p[k + 1];
                if (up && t >= 0xA0 && t <= 0xBE && t != 0xB7)
                    t = (unsigned char)(t - 0x20);
                else if (!up && t >= 0x80 && t <= 0x9E && t != 0x97)
                    t = (unsigned char)(t + 0x20);
                c[k++] = (char)ch;
                c[k] = (char)t;
                continue;
            }
            if (up && ch >= 'a' && ch <= 'z')
                ch = (unsigned char)(ch - 32);
            else if (!up && ch >= 'A' && ch <= 'Z')
                ch = (unsigned char)(ch + 32);
            c[k] = (char)ch;
        }
        out->v.s[i] = (sl_str_t){c, s.len};
    }
}

/* UPPER: ASCII and Latin-1 letters to upper case. */
void sl_kernel_upper(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    case_map(ctx, &args[0], out, n, 0);
}

/* LOWER: ASCII and Latin-1 letters to lower case. */
void sl_kernel_lower(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    case_map(ctx, &args[0], out, n, 1);
}

/* INITCAP: the first letter of each space-delimited word upper case, the rest lower. */
void sl_kernel_initcap(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    case_map(ctx, &args[0], out, n, 2);
}

/*
 * SUBSTRING(s, p [, len]) and SUBSTRING(s FROM p [FOR len]): the characters at positions
 * p .. p+len-1 (1-based) that exist; p may be 0 or negative. A negative len is an error
 * (SQL's "substring error").
 */
static void substring_regex(sl_fn_ctx_t *ctx, const sl_vec_t *args, sl_vec_t *out, size_t n);
static void substring_similar(sl_fn_ctx_t *ctx, const sl_vec_t *args, sl_vec_t *out, size_t n);

void sl_kernel_substring(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    if (ctx->call && (ctx->call->flags & SL_FN_SUBSTRING_SIMILAR)) {
        substring_similar(ctx, args, out, n);
        return;
    }
    if (nargs == 2 && sl_type_is_string(args[1].type)) {
        substring_regex(ctx, args, out, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, nargs, out, i)) continue;
        int64_t p = ival(&args[1], i), from = p - 1, to = INT64_MAX;
        if (nargs > 2) {
            int64_t len = ival(&args[2], i);
            if (len < 0) {
                sl_fn_row_error(ctx, out, i, "SUBSTRING: negative length");
                continue;
            }
            to = __builtin_add_overflow(from, len, &to) ? INT64_MAX : from + len;
        }
        if (from < 0) from = 0;
        out->v.s[i] = utf8_slice(args[0].v.s[i], from, to);
    }
}

/* POSITION(a IN b): 1-based character position of the first a in b, 0 if none, 1 if a
 * is empty. */
void sl_kernel_position(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        sl_str_t a = args[0].v.s[i], b = args[1].v.s[i];
        int64_t r = 0;
        if (a.len == 0) {
            r = 1;
        } else if (a.len <= b.len) {
            for (uint32_t k = 0; k + a.len <= b.len; k++)
                if (b.p[k] == a.p[0] && !memcmp(b.p + k, a.p, a.len)) {
                    r = utf8_chars(b.p, k) + 1;
                    break;
                }
        }
        out->v.i[i] = r;
    }
}

/*
 * TRIM([LEADING|TRAILING|BOTH] [c FROM] s), bound as TRIM(s [, c]) with the side in the
 * call's flags (BOTH when none). c must be exactly one character, else a row error.
 */
void sl_kernel_trim(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    unsigned fl = ctx->call ? ctx->call->flags : 0;
    bool lead = !(fl & SL_FN_TRIM_TRAILING), trail = !(fl & SL_FN_TRIM_LEADING);
    if (fl & SL_FN_TRIM_BOTH) lead = trail = true;
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, nargs, out, i)) continue;
        sl_str_t s = args[0].v.s[i], c = {" ", 1};
        if (nargs > 1) {
            c = args[1].v.s[i];
            if (c.len == 0 || utf8_chars(c.p, c.len) != 1) {
                sl_fn_row_error(ctx, out, i, "TRIM: the trim character must be a single character");
                continue;
            }
        }
        uint32_t a = 0, b = s.len;
        if (lead)
            while (b - a >= c.len && !memcmp(s.p + a, c.p, c.len)) a += c.len;
        if (trail)
            while (b - a >= c.len && !memcmp(s.p + b - c.len, c.p, c.len)) b -= c.len;
        out->v.s[i] = (sl_str_t){s.p + a, b - a};
    }
}

/*
 * OVERLAY(s PLACING r FROM p [FOR len]) = the characters of s before position p, then r,
 * then the characters of s from position p + len (len defaults to r's length). p < 1
 * puts r first, p past the end appends it. A negative len is a row error.
 */
void sl_kernel_overlay(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, nargs, out, i)) continue;
        sl_str_t s = args[0].v.s[i], r = args[1].v.s[i];
        int64_t p = ival(&args[2], i);
        int64_t len = nargs > 3 ? ival(&args[3], i) : utf8_chars(r.p, r.len);
        if (len < 0) {
            sl_fn_row_error(ctx, out, i, "OVERLAY: negative length");
            continue;
        }
        sl_str_t head = utf8_slice(s, 0, p - 1);
        int64_t rest; /* 0-based start of the tail: position p + len */
        if (__builtin_add_overflow(p - 1, len, &rest)) rest = INT64_MAX;
        sl_str_t tail = utf8_slice(s, rest < 0 ? 0 : rest, INT64_MAX);
        size_t total = (size_t)head.len + r.len + tail.len;
        if (out->type.len > 0 && total > (size_t)out->type.len) total = (size_t)out->type.len;
        char *c = sl_arena_alloc(ctx->arena, total ? total : 1);
        size_t w = 0;
        const sl_str_t parts[3] = {head, r, tail};
        for (int k = 0; k < 3; k++) {
            size_t m = parts[k].len < total - w ? parts[k].len : total - w;
            if (m) memcpy(c + w, parts[k].p, m);
            w += m;
        }
        out->v.s[i] = (sl_str_t){c, (uint32_t)w};
    }
}

/* ---- regular expressions ---------------------------------------------------------------- */

/*
 * A per-call cache of the last compiled pattern: patterns are usually constant, so a
 * vector compiles once; a pattern column recompiles when the pattern changes.
 */
typedef struct rx_cache {
    sl_fn_regex_t rx;
    bool ok;      /* rx holds `pat` compiled */
    sl_str_t pat; /* the pattern rx was compiled from (borrowed from the argument) */
    bool tried;
    char err[160];
} rx_cache_t;

/* The compiled regex for pattern p, or NULL (with c->err) when it does not compile. */
static const sl_fn_regex_t *rx_get(rx_cache_t *c, sl_str_t p)
{
    if (c->tried && c->pat.len == p.len && (p.len == 0 || !memcmp(c->pat.p, p.p, p.len)))
        return c->ok ? &c->rx : NULL;
    if (c->ok) sl_fn_regex_free(&c->rx);
    c->tried = true;
    c->pat = p;
    c->ok = sl_fn_regex_compile(&c->rx, p.p, p.len, 0, c->err, sizeof c->err);
    return c->ok ? &c->rx : NULL;
}

/* A NUL-terminated copy of s for regexec (arena). */
static const char *cstr(sl_fn_ctx_t *ctx, sl_str_t s)
{
    char *c = sl_arena_alloc(ctx->arena, (size_t)s.len + 1);
    if (s.len) memcpy(c, s.p, s.len);
    c[s.len] = 0;
    return c;
}

/* SUBSTRING(s FROM regex): the first match of the regex in s (KDA: "only the first match is
 * returned"); NULL when there is none. A pattern that does not compile is a row error. */
static void substring_regex(sl_fn_ctx_t *ctx, const sl_vec_t *args, sl_vec_t *out, size_t n)
{
    rx_cache_t c;
    memset(&c, 0, sizeof c);
    regmatch_t m[1];
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        const sl_fn_regex_t *rx = rx_get(&c, args[1].v.s[i]);
        if (!rx) {
            sl_fn_row_error(ctx, out, i, "SUBSTRING: the regular expression does not compile");
            continue;
        }
        sl_str_t s = args[0].v.s[i];
        const char *z = cstr(ctx, s);
        if (!sl_fn_regex_exec(rx, z, 0, s.len, false, m, 1)) {
            out->null[i] = 1;
            continue;
        }
        out->v.s[i] = (sl_str_t){z + m[0].rm_so, (uint32_t)(m[0].rm_eo - m[0].rm_so)};
    }
    if (c.ok) sl_fn_regex_free(&c.rx);
}

/* Appends bytes to a growing arena buffer (*buf of *cap bytes, *len used). */
static void put_bytes(sl_arena_t *a, char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = (*len + n) * 2 + 16;
        char *b = sl_arena_alloc(a, nc);
        if (*len) memcpy(b, *buf, *len);
        *buf = b;
        *cap = nc;
    }
    if (n) memcpy(*buf + *len, p, n);
    *len += n;
}

/*
 * Appends Java's replacement text for one match: $g is capturing group g (0 = the match;
 * a group that did not take part adds nothing), \c is c. False when $ names no group or
 * the text ends in a lone \ or $ (Java throws; a row error here).
 */
static bool put_replacement(sl_arena_t *a, char **buf, size_t *len, size_t *cap, sl_str_t r,
                            const sl_fn_regex_t *rx, const char *z, const regmatch_t *m)
{
    for (uint32_t k = 0; k < r.len; k++) {
        char c = r.p[k];
        if (c == '\\') {
            if (++k >= r.len) return false;
            put_bytes(a, buf, len, cap, r.p + k, 1);
        } else if (c == '$') {
            if (k + 1 >= r.len || r.p[k + 1] < '0' || r.p[k + 1] > '9') return false;
            int g = r.p[++k] - '0';
            /* Java takes more digits while they still name a group. */
            while (k + 1 < r.len && r.p[k + 1] >= '0' && r.p[k + 1] <= '9' &&
                   g * 10 + (r.p[k + 1] - '0') <= rx->ngroups)
                g = g * 10 + (r.p[++k] - '0');
            if (g > rx->ngroups) return false;
            int sub = g == 0 ? 1 : rx->group[g - 1];
            if (m[sub].rm_so >= 0)
                put_bytes(a, buf, len, cap, z + m[sub].rm_so,
                          (size_t)(m[sub].rm_eo - m[sub].rm_so));
        } else {
            put_bytes(a, buf, len, cap, &c, 1);
        }
    }
    return true;
}

/*
 * REGEX_REPLACE(original, regex, replacement, startPosition, occurrence): Java's
 * replaceAll from character startPosition on (the text before it is kept), replacing every
 * match (occurrence 0) or only the occurrence-th. startPosition < 1, occurrence < 0, a
 * regex that does not compile and a bad replacement are row errors; startPosition past
 * the end gives the original. An empty match replaces and then moves on one character.
 */
void sl_kernel_regex_replace(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                             size_t n)
{
    rx_cache_t c;
    memset(&c, 0, sizeof c);
    regmatch_t m[64];
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 5, out, i)) continue;
        sl_str_t s = args[0].v.s[i], r = args[2].v.s[i];
        int64_t start = ival(&args[3], i), occ = ival(&args[4], i);
        if (start < 1 || occ < 0) {
            sl_fn_row_error(ctx, out, i,
                            start < 1 ? "REGEX_REPLACE: startPosition must be at least 1"
                                      : "REGEX_REPLACE: occurrence must not be negative");
            continue;
        }
        const sl_fn_regex_t *rx = rx_get(&c, args[1].v.s[i]);
        if (!rx) {
            sl_fn_row_error(ctx, out, i, "REGEX_REPLACE: the regular expression does not compile");
            continue;
        }
        uint32_t from = utf8_offset(s.p, s.len, start - 1);
        if (start - 1 >= utf8_chars(s.p, s.len)) {
            out->v.s[i] = s;
            continue;
        }
        const char *z = cstr(ctx, s);
        size_t nm = (size_t)rx->nposix + 1 < 64 ? (size_t)rx->nposix + 1 : 64;
        char *buf = NULL;
        size_t len = 0, cap = 0, pos = from;
        int64_t seen = 0;
        bool bad = false;
        put_bytes(ctx->arena, &buf, &len, &cap, z, from);
        while (pos <= s.len && sl_fn_regex_exec(rx, z, pos, s.len, pos > 0, m, nm)) {
            size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
            seen++;
            put_bytes(ctx->arena, &buf, &len, &cap, z + pos, so - pos);
            if (occ == 0 || seen == occ) {
                if (!put_replacement(ctx->arena, &buf, &len, &cap, r, rx, z, m)) {
                    bad = true;
                    break;
                }
            } else {
                put_bytes(ctx->arena, &buf, &len, &cap, z + so, eo - so);
            }
            pos = eo;
            if (eo == so) { /* an empty match: keep one character and go on */
                if (pos >= s.len) {
                    pos = s.len + 1;
                    break;
                }
                size_t step = 1;
                while (pos + step < s.len && ((unsigned char)z[pos + step] & 0xC0) == 0x80) step++;
                put_bytes(ctx->arena, &buf, &len, &cap, z + pos, step);
                pos += step;
            }
            if (occ && seen == occ) break;
        }
        if (bad) {
            sl_fn_row_error(ctx, out, i,
                            "REGEX_REPLACE: the replacement names a group the regex does not have");
            continue;
        }
        if (pos < s.len) put_bytes(ctx->arena, &buf, &len, &cap, z + pos, s.len - pos);
        if (len > SL_STR_MAX_LEN) len = SL_STR_MAX_LEN;
        out->v.s[i] = (sl_str_t){buf ? buf : "", (uint32_t)len};
    }
    if (c.ok) sl_fn_regex_free(&c.rx);
}

/*
 * SUBSTRING(s SIMILAR p ESCAPE e): the part of s that the middle of p matches, NULL when s
 * does not match p; a pattern that does not compile is a row error. The pattern is
 * compiled again only when it (or the escape) changes from the previous row.
 */
static void substring_similar(sl_fn_ctx_t *ctx, const sl_vec_t *args, sl_vec_t *out, size_t n)
{
    similar_t sm;
    memset(&sm, 0, sizeof sm);
    bool have = false, ok = false;
    sl_str_t lp = {NULL, 0}, le = {NULL, 0};
    char err[160];
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 3, out, i)) continue;
        sl_str_t p = args[1].v.s[i], e = args[2].v.s[i];
        if (!have || p.len != lp.len || e.len != le.len || (p.len && memcmp(p.p, lp.p, p.len)) ||
            (e.len && memcmp(e.p, le.p, e.len))) {
            similar_free(&sm);
            ok = similar_compile(&sm, p, e, err, sizeof err);
            have = true;
            lp = p;
            le = e;
        }
        if (!ok) {
            sl_fn_row_error(ctx, out, i, "SUBSTRING ... SIMILAR: invalid pattern or escape");
            continue;
        }
        sl_str_t s = args[0].v.s[i];
        const char *z = cstr(ctx, s);
        size_t a, b;
        if (!similar_match(&sm, z, s.len, &a, &b)) {
            out->null[i] = 1;
            continue;
        }
        out->v.s[i] = (sl_str_t){z + a, (uint32_t)(b - a)};
    }
    similar_free(&sm);
}
