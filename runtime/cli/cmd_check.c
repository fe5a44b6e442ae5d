/*
 * cmd_check.c - `sluice check FILE...`: parse and plan application files.
 *
 * A KDA CreateApplication request (FILE.json) is read, and its ApplicationCode parsed and
 * planned against its Inputs. A .sql file that declares its inputs (the self-contained
 * CREATE INPUT extension) is also planned: names, types and the KDA validity rules are checked (planner/). Plain KDA code
 * without its inputs can only be parsed (the input columns are not known); --explain
 * requires the inputs and prints the operator DAG.
 *
 * Prints nothing and exits 0 when every file is valid. Otherwise prints each error as
 *     FILE:LINE:COL: error: MESSAGE
 * with the offending line and a caret under the column, on stderr, and exits 1. Usage
 * errors exit 2. "-" reads standard input. --print writes the parsed statements back out
 * as SQL (the pretty-printer), which is handy for seeing how sluice read a file.
 */
#include "commands.h"

#include "alloc.h"
#include "buf.h"
#include "parser.h"
#include "plan.h"
#include "sqlapp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Reads a whole file (or stdin for "-") into b; returns 0, or -1 with errno set. */
static int read_all(const char *path, sl_buf_t *b)
{
    return strcmp(path, "-") ? sl_buf_read_file(b, path) : sl_buf_read_fp(b, stdin);
}

/* Prints the usage of the subcommand to f. */
static void usage(FILE *f)
{
    fprintf(f, "usage: sluice check [--print] [--explain] FILE...\n"
               "  Parses (and, when it declares its inputs, plans) each application file and\n"
               "  reports errors as FILE:LINE:COL.\n"
               "  --print   write the parsed statements back as SQL on stdout\n"
               "  --explain print the planned operator DAG on stdout\n");
}

/* True when the script declares an input (so it can be planned). */
static int has_inputs(const sl_ast_t *script)
{
    for (int i = 0; i < script->nkids; i++)
        if (script->kids[i]->kind == SL_AST_CREATE_INPUT) return 1;
    return 0;
}

/* Plans a parsed script; adds errors to diags; prints the DAG when explain. */
static void plan_file(const char *shown, const char *text, const sl_ast_t *script, int explain,
                      sl_diag_t *diags)
{
    sl_app_desc_t desc;
    if (sl_app_desc_from_sql(script, shown, text, &desc, diags) == 0) {
        sl_plan_t *plan = sl_plan_build(script, &desc, diags);
        if (plan && explain) {
            sl_buf_t out = SL_BUF_INIT;
            sl_plan_explain(plan, &out);
            if (out.p) fputs(out.p, stdout);
            sl_buf_free(&out);
        }
        sl_plan_free(plan);
    }
    sl_app_desc_free(&desc);
}

/* The outcome of checking code[0..len), shown as `shown`: the diagnostics rendered on
 * stderr, returning 1; else, with print, the script in canonical form on stdout; 0. */
static int report(const sl_diag_t *diags, const char *shown, const char *code, size_t len,
                  const sl_ast_t *script, int print)
{
    sl_buf_t out = SL_BUF_INIT;
    if (diags->count) {
        sl_diag_render(diags, shown, code, len, &out);
        fputs(out.p, stderr);
    } else if (print) {
        sl_ast_print(&out, script);
        if (out.p) fputs(out.p, stdout);
    }
    sl_buf_free(&out);
    return diags->count ? 1 : 0;
}

/* Checks a KDA CreateApplication request (JSON): the description, then its
 * ApplicationCode parsed and planned against it. Errors in the SQL are positioned in the
 * code ("FILE#ApplicationCode:LINE:COL"). Returns 0 or 1. */
static int check_json_app(const char *path, const sl_buf_t *text, int print, int explain)
{
    sl_app_desc_t desc;
    char *err = NULL;
    if (sl_app_desc_from_json(text->p ? text->p : "", text->len, &desc, &err) < 0) {
        fprintf(stderr, "sluice check: %s: %s\n", path, err);
        sl_free(err);
        return 1;
    }
    const char *code = desc.code ? desc.code : "";
    char *shown = sl_asprintf("%s#ApplicationCode", path);
    sl_diag_t diags = SL_DIAG_INIT;
    sl_ast_t *script = sl_parse(shown, code, strlen(code), &diags);
    if (!diags.count) {
        sl_plan_t *plan = sl_plan_build(script, &desc, &diags);
        if (plan && explain) {
            sl_buf_t out = SL_BUF_INIT;
            sl_plan_explain(plan, &out);
            if (out.p) fputs(out.p, stdout);
            sl_buf_free(&out);
        }
        sl_plan_free(plan);
    }
    int rc = report(&diags, shown, code, strlen(code), script, print);
    sl_ast_free(script);
    sl_diag_free(&diags);
    sl_free(shown);
    sl_app_desc_free(&desc);
    return rc;
}

/* Checks one file; returns 0 when valid, 1 when it has errors or cannot be read. */
static int check_file(const char *path, int print, int explain)
{
    sl_buf_t text = SL_BUF_INIT;
    if (read_all(path, &text) < 0) {
        fprintf(stderr, "sluice check: %s: %s\n", path, strerror(errno));
        sl_buf_free(&text);
        return 1;
    }
    size_t pl = strlen(path);
    if (pl > 5 && !strcmp(path + pl - 5, ".json")) {
        int rc = check_json_app(path, &text, print, explain);
        sl_buf_free(&text);
        return rc;
    }
    sl_diag_t diags = SL_DIAG_INIT;
    const char *shown = strcmp(path, "-") ? path : "<stdin>";
    sl_ast_t *script = sl_parse(shown, text.p ? text.p : "", text.len, &diags);
    int rc = 0;
    if (!diags.count && (has_inputs(script) || explain)) {
        if (!has_inputs(script)) {
            fprintf(stderr, "sluice check: %s: --explain needs the application's inputs "
                            "(CREATE INPUT statements)\n", shown);
            rc = 1;
        } else {
            plan_file(shown, text.p ? text.p : "", script, explain, &diags);
        }
    }
    if (report(&diags, shown, text.p ? text.p : "", text.len, script, print)) rc = 1;
    sl_ast_free(script);
    sl_diag_free(&diags);
    sl_buf_free(&text);
    return rc;
}

/* Entry point of `sluice check`; see the file comment. */
int sl_cmd_check(int argc, char **argv)
{
    int print = 0, explain = 0, nfiles = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--print")) {
            print = 1;
        } else if (!strcmp(argv[i], "--explain")) {
            explain = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "sluice check: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        nfiles++;
        if (check_file(argv[i], print, explain)) rc = 1;
    }
    if (!nfiles) {
        usage(stderr);
        return 2;
    }
    return rc;
}
