/*
 * fnint.h - helpers the function kernels of functions/ share; private to this directory.
 *
 *     datefmt.c  Java SimpleDateFormat patterns (the KDA functions CHAR_TO_TIMESTAMP,
 *                TIMESTAMP_TO_CHAR, ... and typed log-parser columns use them)
 *     regex.c    Java-style regexes on libc's POSIX regcomp/regexec (REGEX_LOG_PARSE,
 *                REGEX_REPLACE, SUBSTRING ... FROM regex)
 *     fastregex.c  FAST_REGEX_LOG_PARSE's pattern language and its lazy matcher
 *     fnutil.c   text -> typed value conversion for the log parsers, error reporting
 *
 * Nothing here allocates except into a caller's arena or buffer.
 */
#ifndef SL_FNINT_H
#define SL_FNINT_H

#include "registry.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- SimpleDateFormat (datefmt.c) ----------------------------------------------------- */

/*
 * Parses text s[0..n) with a SimpleDateFormat pattern into epoch ms (UTC). Letters:
 * y M d H k K h m s S a E Z X z (and 'quoted' literals); every other pattern character
 * must appear as is. Fields not in the pattern default to 1970-01-01 00:00:00.000.
 * Values out of range (month 13, Feb 30, hour 24) do not parse (KDA's functions are
 * not lenient about them). Text after the pattern is ignored, as Java's parse(String)
 * does. Returns false when the text does not match or the pattern is invalid.
 */
bool sl_datefmt_parse(const char *pat, size_t patn, const char *s, size_t n, int64_t *ms);
/* Checks a pattern: false (with a message in err) when it holds an unsupported letter. */
bool sl_datefmt_check(const char *pat, size_t patn, char *err, size_t errlen);
/*
 * Formats epoch ms (UTC) with a SimpleDateFormat pattern into out (outlen bytes, NUL
 * terminated, truncated if too small). Returns the length written.
 */
size_t sl_datefmt_format(const char *pat, size_t patn, int64_t ms, char *out, size_t outlen);

/* ---- Java-style regular expressions on POSIX regex.h (regex.c) ------------------------ */

/* A compiled regex and the POSIX subexpression of each of its capturing groups. */
typedef struct sl_fn_regex {
    regex_t re;
    bool compiled;
    int ngroups; /* capturing groups of the Java pattern */
    int *group;  /* group[k]: POSIX subexpression of capturing group k+1 (owned) */
    int nposix;  /* subexpressions POSIX sees (1 = the whole match, plus (?:...) groups) */
} sl_fn_regex_t;

/*
 * Compiles a Java regex (p, n) by translating it to POSIX extended: \d \D \s \S \w \W,
 * \t \n \r, escaped punctuation, (?:...). Lazy and possessive quantifiers, look-arounds,
 * named groups, back-references and other escapes are refused, and so are quantifiers
 * with nothing to repeat, stacked quantifiers and bounds over 255. anchors: SL_RX_START
 * (^) and/or SL_RX_END ($). Subexpression 1 is always the whole match. False with a
 * message.
 */
enum { SL_RX_START = 1, SL_RX_END = 2 };
bool sl_fn_regex_compile(sl_fn_regex_t *rx, const char *p, size_t n, unsigned anchors, char *err,
                         size_t errlen);
/* Frees what sl_fn_regex_compile made; a zeroed or failed regex is a no-op. */
void sl_fn_regex_free(sl_fn_regex_t *rx);
/*
 * Searches s[from..to) (s NUL-terminated at or after `to`); notbol: `from` is not the
 * start of the text (^ does not match there). m[0..nm) as regexec fills them, offsets
 * into s. True on a match.
 */
bool sl_fn_regex_exec(const sl_fn_regex_t *rx, const char *s, size_t from, size_t to, bool notbol,
                      regmatch_t *m, size_t nm);

/* ---- FAST_REGEX_LOG_PARSE patterns (fastregex.c) -------------------------------------- */

/* A compiled Fast Regex pattern (opaque; read-only once compiled, so kernels may share it). */
typedef struct sl_frx sl_frx_t;

/*
 * Compiles a Fast Regex pattern (p, n): KDA's syntax (character classes, | & ? * + {n,m},
 * . # @ "strings" () <Named> <n-m>, \ before punctuation), split at its top-level groups
 * into the series of expressions KDA describes (README.md, FAST_REGEX_LOG_PARSE). NULL
 * with a message (no position prefix) when the pattern is refused.
 */
sl_frx_t *sl_frx_compile(const char *p, size_t n, char *err, size_t errlen);
/* Frees a compiled pattern; NULL is a no-op. */
void sl_frx_free(sl_frx_t *fx);
/* The number of groups, i.e. of columns (>= 1). */
int sl_frx_ngroups(const sl_frx_t *fx);
/* Bytes of scratch memory sl_frx_match needs (suitably aligned for int). */
size_t sl_frx_scratch_size(const sl_frx_t *fx);
/*
 * Matches s[0..n) (any bytes; not NUL-terminated) lazily: each expression of the series
 * takes the shortest text it accepts, without backtracking, and the last one must reach the
 * end. True on a match, with group g's text at s[spans[2g] .. spans[2g+1]) (g from 0).
 * O(n x pattern size) time, no allocation.
 */
bool sl_frx_match(const sl_frx_t *fx, const char *s, size_t n, void *scratch, size_t *spans);

/* ---- text -> typed values (fnutil.c) --------------------------------------------------- */

/*
 * Converts text into row `row` of v (of v->type): integers, DECIMAL, REAL/DOUBLE,
 * BOOLEAN, CHAR/VARCHAR (cut to the declared length at a character boundary, copied into
 * arena), DATE/TIME/TIMESTAMP (with a SimpleDateFormat pattern when datefmt != NULL,
 * else ISO "YYYY-MM-DD HH:MM:SS[.fff]"). Returns false when the text does not convert
 * (the row is left as is).
 */
bool sl_fn_text_to_value(sl_vec_t *v, size_t row, const char *s, size_t n, sl_arena_t *arena,
                         const char *datefmt);

/* Marks row i an error (ctx->err[i], NULL value) with msg if it is the first one. */
static inline void sl_fn_row_error(sl_fn_ctx_t *ctx, sl_vec_t *out, size_t i, const char *msg)
{
    ctx->err[i] = 1;
    out->null[i] = 1;
    if (!ctx->err_msg) ctx->err_msg = msg;
    if (ctx->err_msgs && !ctx->err_msgs[i]) ctx->err_msgs[i] = msg;
}

/* Copies n bytes into the arena and returns the slice. */
sl_str_t sl_fn_str_dup(sl_arena_t *a, const char *p, size_t n);

#endif
