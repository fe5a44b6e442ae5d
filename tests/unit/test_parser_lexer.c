/*
 * test_parser_lexer.c - lexer and AST details the corpus test does not pin down: the
 * keyword table order (binary search depends on it), identifier folding and quoting,
 * literal decoding, positions, and the context rules (DTLIT, FROM FIRST, POSITION ... IN).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "keywords.h"
#include "parse_int.h"

#include <string.h>

/* The X-macro table must be in strictly ascending order. */
static void test_keywords_sorted(void **state)
{
    (void)state;
    static const char *const names[] = {
#define KW(name, cls) #name,
        SL_KEYWORDS(KW)
#undef KW
    };
    for (size_t i = 1; i < sizeof names / sizeof names[0]; i++)
        assert_true(strcmp(names[i - 1], names[i]) < 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_not_equal(sl_keyword_code(names[i], (int)strlen(names[i])), 0);
    assert_int_equal(sl_keyword_code("select", 6), sl_keyword_code("SELECT", 6));
    assert_int_equal(sl_keyword_code("COUNT", 5), 0);
}

/* Parses one statement that must succeed; returns its tree. */
static sl_ast_t *parse1(const char *sql)
{
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *s = sl_parse("t", sql, strlen(sql), &d);
    if (d.count) fail_msg("%s: %s", sql, d.items[0].msg);
    sl_diag_free(&d);
    assert_int_equal(s->nkids, 1);
    return s;
}

/* The first select item's expression of `sql`. */
static const sl_ast_t *item0(const sl_ast_t *script)
{
    const sl_ast_t *sel = script->kids[0];
    assert_int_equal(sel->kind, SL_AST_SELECT);
    return sel->kids[SL_SEL_ITEMS]->kids[0]->kids[0];
}

static void test_identifiers(void **state)
{
    (void)state;
    sl_ast_t *s = parse1("select abc, \"MiXed\"\"q\", window, time from t");
    const sl_ast_t *items = s->kids[0]->kids[SL_SEL_ITEMS];
    assert_string_equal(items->kids[0]->kids[0]->kids[0]->name, "ABC");
    assert_string_equal(items->kids[1]->kids[0]->kids[0]->name, "MiXed\"q");
    assert_string_equal(items->kids[2]->kids[0]->kids[0]->name, "WINDOW");
    assert_string_equal(items->kids[3]->kids[0]->kids[0]->name, "TIME");
    sl_ast_free(s);
}

static void test_literals(void **state)
{
    (void)state;
    sl_ast_t *s = parse1("SELECT 'it''s' FROM t");
    assert_string_equal(item0(s)->text, "it's");
    sl_ast_free(s);
    s = parse1("SELECT U&'!00e9!!' UESCAPE '!' FROM t");
    assert_string_equal(item0(s)->text, "\xc3\xa9!");
    sl_ast_free(s);
    s = parse1("SELECT TIMESTAMP  '2004-09-30 13:48:23' FROM t");
    assert_int_equal(item0(s)->op, SL_LIT_TIMESTAMP);
    assert_string_equal(item0(s)->text, "2004-09-30 13:48:23");
    sl_ast_free(s);
    s = parse1("SELECT INTERVAL -'59:59.999' MINUTE TO SECOND(3) FROM t");
    const sl_ast_t *iv = item0(s);
    assert_int_equal(iv->op, SL_LIT_INTERVAL);
    assert_true(iv->flags & SL_AF_NEGATIVE);
    assert_int_equal(iv->qual.unit, SL_UNIT_MINUTE);
    assert_int_equal(iv->qual.unit2, SL_UNIT_SECOND);
    assert_int_equal(iv->qual.prec2, 3);
    sl_ast_free(s);
    s = parse1("SELECT 1.5e3 FROM t");
    assert_int_equal(item0(s)->op, SL_LIT_APPROX);
    assert_string_equal(item0(s)->text, "1.5e3");
    sl_ast_free(s);
}

static void test_positions(void **state)
{
    (void)state;
    sl_ast_t *s = parse1("-- c\nSELECT STREAM\n  \"é\" + b FROM t");
    const sl_ast_t *sel = s->kids[0];
    assert_int_equal(sel->line, 2);
    assert_int_equal(sel->col, 1);
    const sl_ast_t *plus = item0(s);
    assert_int_equal(plus->line, 3);
    assert_int_equal(plus->col, 3);
    assert_int_equal(plus->kids[1]->col, 9); /* columns count characters, not bytes */
    sl_ast_free(s);
}

static void test_context_rules(void **state)
{
    (void)state;
    sl_ast_t *s =
        parse1("SELECT NTH_VALUE(x, 2) FROM LAST OVER w FROM t WINDOW w AS (ROWS 2 PRECEDING)");
    assert_true(item0(s)->flags & SL_AF_FROM_LAST);
    sl_ast_free(s);
    s = parse1("SELECT POSITION('a' IN b) FROM t WHERE c IN (1, 2)");
    assert_int_equal(item0(s)->op, SL_CALL_POSITION);
    assert_int_equal(s->kids[0]->kids[SL_SEL_WHERE]->kind, SL_AST_IN);
    sl_ast_free(s);
    s = parse1("SELECT STREAM a FROM t WINDOW w AS (ROWS 1 PRECEDING)");
    assert_non_null(s->kids[0]->kids[SL_SEL_WINDOW]);
    sl_ast_free(s);
}

static void test_error_recovery(void **state)
{
    (void)state;
    const char *sql = "SELECT FROM t;\nSELECT a FROM t;\nSELECT b FROM;\n";
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *s = sl_parse("f.sql", sql, strlen(sql), &d);
    assert_int_equal(d.count, 2);
    assert_int_equal(s->nkids, 1);
    sl_buf_t out = SL_BUF_INIT;
    sl_diag_render(&d, "f.sql", sql, strlen(sql), &out);
    assert_non_null(strstr(out.p, "f.sql:1:8: error: expected an expression"));
    assert_non_null(strstr(out.p, "SELECT FROM t;\n       ^\n"));
    sl_buf_free(&out);
    sl_ast_free(s);
    sl_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_sorted), cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_literals),        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_context_rules),   cmocka_unit_test(test_error_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
