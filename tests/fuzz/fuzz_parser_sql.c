/*
 * fuzz_parser_sql.c - libFuzzer target for the lexer and parser.
 *
 * Any input must parse without a crash, a sanitizer report or a leak. When it parses
 * cleanly, the round trip must hold too: printing the tree and parsing the text again gives
 * an equal tree (a failed round trip aborts, so libFuzzer keeps the input).
 * Seed it with tests/sql/parse/valid and invalid (see run_fuzz_parser.sh).
 */
#include "parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz iteration; see the file comment. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *a = sl_parse("fuzz", (const char *)data, size, &d);
    sl_buf_t out = SL_BUF_INIT;
    sl_diag_render(&d, "fuzz", (const char *)data, size, &out);
    sl_buf_free(&out);
    if (d.count == 0) {
        sl_ast_print(&out, a);
        sl_diag_t d2 = SL_DIAG_INIT;
        sl_ast_t *b = sl_parse("printed", out.p ? out.p : "", out.len, &d2);
        if (d2.count || !sl_ast_equal(a, b)) {
            fprintf(stderr, "round trip failed; printed:\n%s\n", out.p ? out.p : "");
            if (d2.count)
                fprintf(stderr, "error: %d:%d: %s\n", d2.items[0].line, d2.items[0].col,
                        d2.items[0].msg);
            abort();
        }
        sl_ast_free(b);
        sl_diag_free(&d2);
        sl_buf_free(&out);
    }
    sl_ast_free(a);
    sl_diag_free(&d);
    return 0;
}
