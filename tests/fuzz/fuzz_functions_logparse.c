/*
 * fuzz_functions_logparse.c - libFuzzer target for the log parsers and SimpleDateFormat.
 *
 * An input is "<selector byte><argument>\n<line>\n<line>...": the selector picks
 * W3C_LOG_PARSE (format), REGEX_LOG_PARSE (regex), FIXED_COLUMN_LOG_PARSE (column list),
 * VARIABLE_COLUMN_LOG_PARSE (column list, delimiter '|', escape '\', quote '"'),
 * SYS_LOG_PARSE, the date functions (pattern, then texts parsed and formatted),
 * FAST_REGEX_LOG_PARSE (pattern; selector 7, whose matches are also checked to cover
 * each line with its groups in order), or the
 * regex string functions (REGEX_REPLACE with replacement "<$1|$0>", SUBSTRING FROM regex
 * and SUBSTRING SIMILAR ... ESCAPE '#', the argument as the pattern, each line as the
 * text). The
 * argument is compiled through the registry entry's type rule, as the planner does; when
 * it compiles, the kernel parses the lines. Every output must be consistent: a non-NULL
 * string field lies in readable memory of its declared length at most, an error row is
 * NULL in every field. Seeds: corpus/logparse/.
 */
#include "alloc.h"
#include "fnint.h"
#include "registry.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 16

/* Splits the rest of the input into lines. */
static int split_lines(const char *p, size_t n, sl_str_t *lines)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && k < MAX_LINES; i++)
        if (i == n || p[i] == '\n') {
            lines[k++] = (sl_str_t){p + start, (uint32_t)(i - start)};
            start = i + 1;
        }
    return k;
}

/* The date helpers: parse each line with the pattern, format what parsed. */
static void fuzz_dates(const char *pat, size_t patn, const sl_str_t *lines, int nl)
{
    char out[256], err[64];
    bool ok = sl_datefmt_check(pat, patn, err, sizeof err);
    for (int i = 0; i < nl; i++) {
        int64_t ms;
        if (sl_datefmt_parse(pat, patn, lines[i].p, lines[i].len, &ms) && ok) {
            size_t len = sl_datefmt_format(pat, patn, ms, out, sizeof out);
            if (len >= sizeof out || out[len] != 0) abort();
        }
    }
}

/* REGEX_REPLACE(line, regex, '<$1|$0>', 1, 0) and SUBSTRING(line FROM regex) over the
 * lines: results are within the VARCHAR limit, errors are NULL. */
static void fuzz_regex_fns(const char *re, size_t ren, const sl_str_t *lines, int nl)
{
    sl_type_t vt = sl_type_make(SL_T_VARCHAR), it = sl_type_make(SL_T_INTEGER);
    sl_vec_t a[5], out;
    sl_type_t types[5] = {vt, vt, vt, it, it};
    for (int k = 0; k < 5; k++) sl_vec_alloc(&a[k], types[k], MAX_LINES);
    sl_vec_alloc(&out, vt, MAX_LINES);
    for (int i = 0; i < nl; i++) {
        a[0].v.s[i] = lines[i];
        a[1].v.s[i] = (sl_str_t){re, (uint32_t)ren};
        a[2].v.s[i] = (sl_str_t){"<$1|$0>", 7};
        a[3].v.i[i] = 1 + i % 3;
        a[4].v.i[i] = i % 2;
    }
    sl_arena_t *arena = sl_arena_new(0);
    uint8_t errs[MAX_LINES] = {0};
    sl_fn_call_info_t call = {.nargs = 5, .args = types};
    sl_fn_ctx_t ctx = {.arena = arena, .call = &call, .err = errs};
    sl_fn_lookup("REGEX_REPLACE")->kernel(&ctx, a, 5, &out, (size_t)nl);
    for (int i = 0; i < nl; i++)
        if ((errs[i] && !out.null[i]) || (!out.null[i] && out.v.s[i].len > SL_STR_MAX_LEN)) abort();
    memset(errs, 0, sizeof errs);
    call.nargs = 2;
    sl_fn_lookup("SUBSTRING")->kernel(&ctx, a, 2, &out, (size_t)nl);
    for (int i = 0; i < nl; i++)
        if (!out.null[i] && out.v.s[i].len > lines[i].len) abort();
    /* SUBSTRING(line SIMILAR arg ESCAPE '#') */
    for (int i = 0; i < nl; i++) a[2].v.s[i] = (sl_str_t){"#", 1};
    call.nargs = 3;
    call.flags = SL_FN_SUBSTRING_SIMILAR;
    memset(errs, 0, sizeof errs);
    sl_fn_lookup("SUBSTRING")->kernel(&ctx, a, 3, &out, (size_t)nl);
    for (int i = 0; i < nl; i++)
        if (!out.null[i] && out.v.s[i].len > lines[i].len) abort();
    sl_arena_free(arena);
    for (int k = 0; k < 5; k++) sl_vec_free(&a[k]);
    sl_vec_free(&out);
}

/* The Fast Regex matcher directly: a pattern that compiles matches each line or not, and
 * a match gives every group a span inside the line, the groups in order. */
static void fuzz_fast_regex(const char *pat, size_t patn, const sl_str_t *lines, int nl)
{
    char err[256];
    sl_frx_t *fx = sl_frx_compile(pat, patn, err, sizeof err);
    if (!fx) {
        if (!err[0]) abort();
        return;
    }
    int ng = sl_frx_ngroups(fx);
    void *scratch = sl_malloc(sl_frx_scratch_size(fx));
    size_t *spans = sl_malloc(sizeof *spans * 2 * (size_t)ng);
    for (int i = 0; i < nl; i++) {
        if (!sl_frx_match(fx, lines[i].p, lines[i].len, scratch, spans)) continue;
        size_t prev = 0;
        for (int g = 0; g < ng; g++) {
            if (spans[2 * g] < prev || spans[2 * g] > spans[2 * g + 1] ||
                spans[2 * g + 1] > lines[i].len)
                abort();
            prev = spans[2 * g + 1];
        }
    }
    sl_free(spans);
    sl_free(scratch);
    sl_frx_free(fx);
}

/* libFuzzer entry point: one input per call; returns 0 (inputs are never rejected). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fns[] = {"W3C_LOG_PARSE",
                                      "REGEX_LOG_PARSE",
                                      "FIXED_COLUMN_LOG_PARSE",
                                      "VARIABLE_COLUMN_LOG_PARSE",
                                      "SYS_LOG_PARSE",
                                      NULL,
                                      NULL,
                                      "FAST_REGEX_LOG_PARSE"};
    if (size < 1 || size > 8192) return 0;
    int sel = data[0] % 8;
    const char *p = (const char *)data + 1;
    size_t n = size - 1, argn = 0;
    while (argn < n && p[argn] != '\n') argn++;
    /* the argument as its own NUL-terminated copy, as a literal's text would be */
    char *arg = sl_strndup(p, argn);
    sl_str_t lines[MAX_LINES];
    int nl = argn < n ? split_lines(p + argn + 1, n - argn - 1, lines) : 0;
    if (sel == 6) {
        fuzz_regex_fns(arg, argn, lines, nl);
        sl_free(arg);
        return 0;
    }
    if (!fns[sel]) {
        fuzz_dates(arg, argn, lines, nl);
        sl_free(arg);
        return 0;
    }
    const sl_fn_def_t *def = sl_fn_lookup(fns[sel]);
    sl_type_t types[5];
    sl_fn_const_t cs[5];
    memset(cs, 0, sizeof cs);
    for (int k = 0; k < 5; k++) types[k] = sl_type_make(SL_T_VARCHAR);
    static const char *const var_extra[] = {"|", "\\", "\""};
    int nargs = sel == 4 ? 1 : sel == 3 ? 5 : 2;
    if (sel == 7) fuzz_fast_regex(arg, argn, lines, nl);
    for (int k = 1; k < nargs; k++) {
        cs[k].is_const = true;
        cs[k].is_str = true;
        cs[k].s = k == 1 ? arg : var_extra[k - 2];
        cs[k].slen = (uint32_t)strlen(cs[k].s);
    }
    sl_fn_row_t row;
    memset(&row, 0, sizeof row);
    sl_fn_call_info_t call = {.nargs = nargs, .args = types, .consts = cs, .row = &row};
    sl_type_t res;
    char err[256] = "";
    if (def->type_rule(&call, &res, err, sizeof err)) {
        if (row.nfields <= 0) abort();
        sl_vec_t args[5], *out = sl_calloc((size_t)row.nfields, sizeof *out);
        for (int k = 0; k < nargs; k++) sl_vec_alloc(&args[k], types[k], MAX_LINES);
        for (int i = 0; i < nl; i++) args[0].v.s[i] = lines[i];
        for (int f = 0; f < row.nfields; f++) sl_vec_alloc(&out[f], row.fields[f].type, MAX_LINES);
        sl_arena_t *arena = sl_arena_new(0);
        uint8_t errs[MAX_LINES] = {0};
        const char *msgs[MAX_LINES] = {0};
        sl_fn_ctx_t ctx = {
            .arena = arena, .call = &call, .err = errs, .err_msgs = msgs, .state = row.state};
        def->kernel(&ctx, args, nargs, out, (size_t)nl);
        unsigned sum = 0;
        for (int i = 0; i < nl; i++) {
            if (errs[i] && !msgs[i]) abort();
            for (int f = 0; f < row.nfields; f++) {
                if (errs[i] && !out[f].null[i]) abort();
                if (out[f].null[i] || sl_type_phys(out[f].type) != SL_PHYS_STR) continue;
                sl_str_t s = out[f].v.s[i];
                if (out[f].type.len > 0 && s.len > (uint32_t)out[f].type.len) abort();
                for (uint32_t b = 0; b < s.len; b++) sum += (unsigned char)s.p[b];
            }
        }
        if (sum == 0xFFFFFFFFu) fprintf(stderr, "."); /* keeps the reads */
        sl_arena_free(arena);
        for (int f = 0; f < row.nfields; f++) sl_vec_free(&out[f]);
        sl_free(out);
        for (int k = 0; k < nargs; k++) sl_vec_free(&args[k]);
        sl_fn_row_clear(&row);
    } else if (!err[0] || row.nfields || row.state) {
        abort(); /* a rejected call says why and compiles nothing */
    }
    sl_free(arg);
    return 0;
}
