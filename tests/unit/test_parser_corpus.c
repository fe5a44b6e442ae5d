/*
 * test_parser_corpus.c - the parser against tests/sql/parse/.
 *
 *   valid/NAME.sql   must parse without a diagnostic, and survive the round trip:
 *                  parse -> print -> parse gives an equal AST, and printing is idempotent.
 *   invalid/NAME.sql must produce exactly the "FILE:LINE:COL: error: MSG" lines listed for
 *                  them in invalid/expected.txt, in order.
 * Files are found through $SLUICE_SRC (set by ctest), or the current directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "parser.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Directory of the corpus: $SLUICE_SRC/tests/sql/parse. */
static void corpus_dir(char *out, size_t n, const char *sub)
{
    const char *src = getenv("SLUICE_SRC");
    snprintf(out, n, "%s/tests/sql/parse/%s", src ? src : ".", sub);
}

/* Reads a file into b; fails the test if it cannot. */
static void slurp(const char *path, sl_buf_t *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sl_buf_append(b, chunk, n);
    fclose(f);
}

/* Sorted list of the *.sql names in dir (caller frees names and array). */
static int list_sql(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open directory %s", dir);
    int n = 0, cap = 0;
    *names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".sql")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *names = sl_realloc(*names, (size_t)cap * sizeof(char *));
        }
        (*names)[n++] = sl_strdup(e->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
            char *t = (*names)[j];
            (*names)[j] = (*names)[j - 1];
            (*names)[j - 1] = t;
        }
    return n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++) sl_free(names[i]);
    sl_free(names);
}

/* Every valid application parses cleanly and round-trips through the printer. */
static void test_valid_corpus(void **state)
{
    (void)state;
    char dir[4096];
    corpus_dir(dir, sizeof dir, "valid");
    char **names;
    int n = list_sql(dir, &names);
    assert_true(n >= 60);
    int statements = 0;
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sl_buf_t text = SL_BUF_INIT;
        slurp(path, &text);
        sl_diag_t d = SL_DIAG_INIT;
        sl_ast_t *a = sl_parse(names[i], text.p, text.len, &d);
        if (d.count) {
            sl_buf_t out = SL_BUF_INIT;
            sl_diag_render(&d, names[i], text.p, text.len, &out);
            fail_msg("%s", out.p);
        }
        statements += a->nkids;
        sl_buf_t p1 = SL_BUF_INIT, p2 = SL_BUF_INIT;
        sl_ast_print(&p1, a);
        sl_diag_t d2 = SL_DIAG_INIT;
        sl_ast_t *b = sl_parse("printed", p1.p ? p1.p : "", p1.len, &d2);
        if (d2.count || !sl_ast_equal(a, b))
            fail_msg("%s: round trip differs:\n%s", names[i], p1.p);
        sl_ast_print(&p2, b);
        assert_string_equal(p1.p, p2.p);
        sl_ast_free(a);
        sl_ast_free(b);
        sl_diag_free(&d);
        sl_diag_free(&d2);
        sl_buf_free(&p1);
        sl_buf_free(&p2);
        sl_buf_free(&text);
    }
    assert_true(statements > 200);
    free_names(names, n);
}

/* Every invalid input yields exactly the expected diagnostics. */
static void test_invalid_corpus(void **state)
{
    (void)state;
    char dir[4096], path[8192];
    corpus_dir(dir, sizeof dir, "invalid");
    snprintf(path, sizeof path, "%s/expected.txt", dir);
    sl_buf_t exp = SL_BUF_INIT;
    slurp(path, &exp);
    char **names;
    int n = list_sql(dir, &names);
    assert_true(n >= 40);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sl_buf_t text = SL_BUF_INIT;
        slurp(path, &text);
        sl_diag_t d = SL_DIAG_INIT;
        sl_ast_t *a = sl_parse(names[i], text.p, text.len, &d);
        assert_true(d.count > 0);
        /* The expected lines for this file, joined. */
        sl_buf_t want = SL_BUF_INIT, got = SL_BUF_INIT;
        size_t nl = strlen(names[i]);
        for (const char *l = exp.p; l && *l;) {
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l) : strlen(l);
            if (len > nl && !strncmp(l, names[i], nl) && l[nl] == ':') {
                sl_buf_append(&want, l, len);
                sl_buf_putc(&want, '\n');
            }
            l = e ? e + 1 : l + len;
        }
        for (int k = 0; k < d.count; k++)
            sl_buf_printf(&got, "%s:%d:%d: error: %s\n", names[i], d.items[k].line, d.items[k].col,
                          d.items[k].msg);
        if (!want.p) fail_msg("%s has no entry in expected.txt; it printed:\n%s", names[i], got.p);
        assert_string_equal(want.p, got.p);
        sl_ast_free(a);
        sl_diag_free(&d);
        sl_buf_free(&want);
        sl_buf_free(&got);
        sl_buf_free(&text);
    }
    free_names(names, n);
    sl_buf_free(&exp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_corpus),
        cmocka_unit_test(test_invalid_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
