/*
 * test_functions_pattern.c - unit tests for functions/pattern.h: LIKE [ESCAPE] and
 * SIMILAR TO [ESCAPE].
 *
 * - KDA's documented LIKE table (String Operators page of the KDA SQL reference), row for
 *   row, and SIMILAR TO cases of the SQL standard's syntax;
 * - characters are UTF-8 sequences ('_' is one character, not one byte);
 * - errors: escape strings of the wrong length, bad escape sequences, bad SIMILAR patterns;
 * - a differential check: 20,000 random strings and patterns over a small alphabet,
 *   LIKE with and without ESCAPE, against SQLite's LIKE with case_sensitive_like on (the
 *   expected answer comes from another engine).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pattern.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Matches s against p (kind, optional escape); fails the test if p does not compile. */
static bool m(sl_pattern_kind_t kind, const char *s, const char *p, const char *esc)
{
    char err[200];
    sl_fn_pattern_t *pt = sl_fn_pattern_compile(kind, p, strlen(p), esc, esc ? strlen(esc) : 0,
                                                err, sizeof err, NULL);
    if (!pt) fail_msg("pattern '%s' did not compile: %s", p, err);
    bool r = sl_fn_pattern_match(pt, s, strlen(s));
    sl_fn_pattern_free(pt);
    return r;
}

#define LIKE(s, p)        m(SL_PATTERN_LIKE, s, p, NULL)
#define LIKE_E(s, p, e)   m(SL_PATTERN_LIKE, s, p, e)
#define SIMILAR(s, p)     m(SL_PATTERN_SIMILAR, s, p, NULL)
#define SIMILAR_E(s, p, e) m(SL_PATTERN_SIMILAR, s, p, e)

/* The table of the KDA SQL reference's String Operators page. */
static void test_like_kda_table(void **state)
{
    (void)state;
    assert_true(LIKE("a", "a"));
    assert_false(LIKE("a", "A"));
    assert_false(LIKE("a", "b"));
    assert_true(LIKE("ab", "a_"));
    assert_true(LIKE("ab", "a%"));
    assert_false(LIKE_E("ab", "a\\_", "\\"));
    assert_false(LIKE_E("ab", "a\\%", "\\"));
    assert_true(LIKE_E("a_", "a\\_", "\\"));
    assert_true(LIKE_E("a%", "a\\%", "\\"));
    assert_false(LIKE("a", "a_"));
    assert_true(LIKE("a", "a%"));
    assert_false(LIKE("abcd", "a_"));
    assert_true(LIKE("abcd", "a%"));
    assert_true(LIKE("", ""));
    assert_true(LIKE("1a", "_a"));
    assert_true(LIKE("123aXYZ", "%a%"));
    assert_true(LIKE("123aXYZ", "_%_a%_"));
}

static void test_like_more(void **state)
{
    (void)state;
    assert_true(LIKE_E("a!b", "a!!b", "!"));     /* the escape escapes itself */
    assert_false(LIKE_E("a!!b", "a!!b", "!"));
    assert_true(LIKE("ÉTÉ", "_T_"));             /* characters, not bytes */
    assert_false(LIKE("ÉTÉ", "___T___"));
    assert_true(LIKE("été", "%é"));
    assert_true(LIKE_E("x_", "x€_", "€"));       /* a multi-byte escape is one character */
    assert_false(LIKE_E("xy", "x€_", "€"));
    assert_true(LIKE("aaa", "%%a"));
    assert_true(LIKE("mississippi", "%iss%ppi"));
    assert_false(LIKE("mississippi", "%iss%ppx"));
    assert_true(LIKE("", "%"));
    assert_false(LIKE("", "_"));
}

static void test_similar(void **state)
{
    (void)state;
    assert_true(SIMILAR("TECHNOLOGY", "%TECH%"));
    assert_false(SIMILAR("ENERGY", "%TECH%"));
    assert_true(SIMILAR("abc", "abc"));
    assert_false(SIMILAR("abcd", "abc")); /* the whole string */
    assert_true(SIMILAR("abc", "a(b|x)c"));
    assert_true(SIMILAR("axc", "a(b|x)c"));
    assert_true(SIMILAR("aaa", "a*"));
    assert_true(SIMILAR("", "a*"));
    assert_false(SIMILAR("", "a+"));
    assert_true(SIMILAR("ab", "ab?"));
    assert_true(SIMILAR("aaa", "a{3}"));
    assert_false(SIMILAR("aa", "a{3}"));
    assert_true(SIMILAR("aaaa", "a{2,}"));
    assert_true(SIMILAR("aa", "a{1,2}"));
    assert_false(SIMILAR("aaa", "a{1,2}"));
    assert_true(SIMILAR("b7", "[a-c][0-9]"));
    assert_true(SIMILAR("%", "[%_]"));        /* % and _ are themselves in brackets */
    assert_false(SIMILAR("x", "[%_]"));
    assert_true(SIMILAR("]", "[]a]"));        /* a leading ] is a member */
    assert_true(SIMILAR("a.b", "a.b"));       /* . is itself */
    assert_false(SIMILAR("axb", "a.b"));
    assert_true(SIMILAR("a$^b", "a$^b"));
    assert_true(SIMILAR("a\\b", "a\\b"));
    assert_true(SIMILAR("ÉTÉ", "_T_"));
    assert_true(SIMILAR("ÉÉÉ", "_{3}"));
    assert_true(SIMILAR_E("a_b", "a#_b", "#"));
    assert_false(SIMILAR_E("axb", "a#_b", "#"));
    assert_true(SIMILAR_E("a|b", "a#|b", "#"));
    assert_true(SIMILAR_E("100%", "100#%", "#"));
    assert_true(SIMILAR("line\nbreak", "line%"));
    /* Bounds with leading zeros are their values (they once reached regcomp as text cut
     * to 15 characters, turning {0...0,000001}0000,020001} into a 20,001-fold repeat). */
    assert_true(SIMILAR("aa", "a{000000000000001,00000000000002}"));
    assert_false(SIMILAR("aaa", "a{000000000000001,00000000000002}"));
    assert_true(SIMILAR("a0000,020001}", "a{00000000000000,000001}0000,020001}"));
}

/* Compiles and expects failure with a message containing want; bad_escape as given. */
static void expect_error(sl_pattern_kind_t kind, const char *p, const char *esc, const char *want,
                         bool escape_at_fault)
{
    char err[200];
    bool bad = !escape_at_fault;
    sl_fn_pattern_t *pt = sl_fn_pattern_compile(kind, p, strlen(p), esc, esc ? strlen(esc) : 0,
                                                err, sizeof err, &bad);
    if (pt) fail_msg("'%s' compiled, expected: %s", p, want);
    if (!strstr(err, want)) fail_msg("error '%s' lacks '%s'", err, want);
    assert_int_equal(bad, escape_at_fault);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(SL_PATTERN_LIKE, "a%", "!!", "LIKE ... ESCAPE needs exactly one escape character, got '!!'", true);
    expect_error(SL_PATTERN_LIKE, "a%", "", "exactly one escape character", true);
    expect_error(SL_PATTERN_LIKE, "a!b", "!", "invalid escape sequence in the pattern at character 2", false);
    expect_error(SL_PATTERN_LIKE, "ab!", "!", "invalid escape sequence", false);
    expect_error(SL_PATTERN_SIMILAR, "a", "€", "SIMILAR TO ... ESCAPE needs exactly one escape character", true);
    expect_error(SL_PATTERN_SIMILAR, "(ab", NULL, "SIMILAR TO: invalid pattern", false);
    expect_error(SL_PATTERN_SIMILAR, "[ab", NULL, "leaves a [ unclosed", false);
    expect_error(SL_PATTERN_SIMILAR, "ab#", "#", "ends with the escape character", false);
    expect_error(SL_PATTERN_SIMILAR, "*a", NULL, "nothing to repeat", false);
    /* A NUL would cut the C string regcomp reads: refused, not silently shortened. */
    char err[200];
    bool bad = true;
    assert_null(sl_fn_pattern_compile(SL_PATTERN_SIMILAR, "a\0b", 3, NULL, 0, err, sizeof err, &bad));
    assert_non_null(strstr(err, "NUL"));
    assert_false(bad);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (unsigned)((rng * 2685821657736338717u) >> 33) % n;
}

/* A random string of up to max characters drawn from the alphabet's characters. */
static void rand_str(char *out, const char *const *alpha, unsigned nalpha, unsigned max)
{
    out[0] = '\0';
    unsigned n = rnd(max + 1);
    for (unsigned i = 0; i < n; i++) strcat(out, alpha[rnd(nalpha)]);
}

/* LIKE against SQLite's LIKE (case-sensitive), with and without ESCAPE '!'. */
static void test_like_vs_sqlite(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA case_sensitive_like = ON", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *plain, *escaped;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT ?1 LIKE ?2", -1, &plain, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT ?1 LIKE ?2 ESCAPE '!'", -1, &escaped, NULL),
                     SQLITE_OK);
    static const char *const text[] = {"a", "b", "A", "%", "_", "!", "é"};
    static const char *const pat[] = {"a", "b", "%", "_", "!", "é", "A", "%", "_"};
    int compared = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char s[64], p[64];
        rand_str(s, text, 7, 8);
        rand_str(p, pat, 9, 6);
        bool with_esc = iter & 1;
        sqlite3_stmt *st = with_esc ? escaped : plain;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        char err[200];
        sl_fn_pattern_t *pt = sl_fn_pattern_compile(SL_PATTERN_LIKE, p, strlen(p),
                                                    with_esc ? "!" : NULL, with_esc ? 1 : 0,
                                                    err, sizeof err, NULL);
        if (!pt) {
            /* SQL's rule: a bad escape sequence is an error. SQLite is lenient there (it
             * takes "!x" as "x"), so these patterns are only checked to fail with us. */
            assert_true(with_esc);
            continue;
        }
        assert_int_equal(rc, SQLITE_ROW);
        bool want = sqlite3_column_int(st, 0) != 0;
        bool got = sl_fn_pattern_match(pt, s, strlen(s));
        if (got != want)
            fail_msg("'%s' LIKE '%s'%s: sluice %d, SQLite %d", s, p, with_esc ? " ESCAPE '!'" : "",
                     got, want);
        sl_fn_pattern_free(pt);
        compared++;
    }
    assert_true(compared > 15000);
    sqlite3_finalize(plain);
    sqlite3_finalize(escaped);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_kda_table), cmocka_unit_test(test_like_more),
        cmocka_unit_test(test_similar),        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_like_vs_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
