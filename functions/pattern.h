/*
 * pattern.h - SQL's string pattern predicates: s [NOT] LIKE p [ESCAPE e] and
 * s [NOT] SIMILAR TO p [ESCAPE e], as KDA's string operators define them.
 *
 * LIKE: '_' matches one character (a UTF-8 sequence, not a byte), '%' any run of
 * characters, every other character itself; with ESCAPE e (exactly one character), e
 * followed by '_', '%' or e stands for that character, and e followed by anything else, or
 * ending the pattern, is an error ("invalid escape sequence", SQL's data exception).
 *
 * SIMILAR TO: a SQL regular expression that must match the whole string: '%' and '_' as in
 * LIKE, '|' alternation, '*' '+' '?' '{m}' '{m,}' '{m,n}' repetition, '(' ')' grouping,
 * '[...]' a bracket expression as in POSIX (where '%' and '_' are themselves); every other
 * character, '.', '\', '^' and '$' included, is itself. There is no default escape
 * character (SQL's rule); with ESCAPE e, e followed by any character stands for that
 * character. Matching runs on the C library's POSIX regexec (via functions/regex.c).
 *
 * Patterns are compiled once (sl_fn_pattern_compile) and matched many times. Errors are
 * messages without a position (the planner adds file:line:col; the runtime makes them row
 * errors). Ownership: a compiled pattern belongs to the caller (sl_fn_pattern_free).
 */
#ifndef SL_PATTERN_H
#define SL_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sl_pattern_kind { SL_PATTERN_LIKE, SL_PATTERN_SIMILAR } sl_pattern_kind_t;

typedef struct sl_fn_pattern sl_fn_pattern_t;

/*
 * Compiles pattern p[0, n) of the given kind; esc is the ESCAPE string (esc_len bytes) or
 * NULL when there is none. Returns the pattern, or NULL with a message in err, e.g.
 * "LIKE ... ESCAPE needs exactly one escape character, got 'ab'" or "SIMILAR TO: invalid
 * pattern (...)", and *bad_escape (may be NULL) telling whether the ESCAPE string itself
 * is at fault rather than the pattern.
 */
sl_fn_pattern_t *sl_fn_pattern_compile(sl_pattern_kind_t kind, const char *p, size_t n,
                                       const char *esc, size_t esc_len, char *err, size_t errlen,
                                       bool *bad_escape);
/* True when s[0, n) matches the whole pattern. */
bool sl_fn_pattern_match(const sl_fn_pattern_t *pt, const char *s, size_t n);
/* Frees a compiled pattern; NULL is a no-op. */
void sl_fn_pattern_free(sl_fn_pattern_t *pt);

/*
 * Translates one SIMILAR TO pattern p[0, n) into the Java-style syntax of regex.c, appending
 * to *out (a heap string of *len bytes, *cap allocated; all three 0/NULL to start). esc is
 * the escape character or -1. Also used by SUBSTRING(s SIMILAR p ESCAPE e) for each of its
 * three parts. False with a message when the pattern ends in the escape character or
 * leaves a bracket expression open, or holds a NUL character.
 */
bool sl_fn_similar_translate(const char *p, size_t n, int esc, char **out, size_t *len,
                             size_t *cap, char *err, size_t errlen);

#endif
