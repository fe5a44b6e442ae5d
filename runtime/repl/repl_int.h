/*
 * repl_int.h - what the files of runtime/repl/ share: the session, the table printer and
 * the completion hook.
 */
#ifndef SL_REPL_INT_H
#define SL_REPL_INT_H

#include "appdesc.h"
#include "buf.h"
#include "kclient.h"
#include "parser.h"
#include "plan.h"
#include "runner.h"
#include "store.h"
#include "types.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One interactive session. Everything is owned by the session and freed at its end. */
typedef struct sl_repl {
    char *data_dir;          /* the embedded store's directory (NULL with an endpoint) */
    bool tmp_dir;            /* data_dir was made for the session: removed at exit */
    char *endpoint;          /* the daemon's URL, or NULL (embedded) */
    sl_store_t *store;       /* the embedded store, or NULL */
    sl_kclient_t *kc;        /* Kinesis client of the endpoint, or NULL */
    sl_buf_t script;         /* the session's accepted statements, one per line group */
    int script_lines;        /* lines in script */
    sl_ast_t *ast;           /* script parsed (never NULL once started) */
    sl_app_desc_t desc;      /* its description (inputs, refs, outputs) */
    sl_plan_t *plan;         /* its plan, or NULL while the script is empty */
    sl_runner_t *runner;     /* runs the session's pumps, or NULL */
    sqlite3 *refdb;          /* reference tables loaded for relational SELECTs */
    int64_t input_since_ms;  /* when the current input was declared: where a live query
                                reads an input STARTING AT NOW from */
    FILE *out;               /* the terminal */
} sl_repl_t;

/* ---- table.c: aligned tables ---------------------------------------------------------- */

/* A table's columns: a header name and a display width each. */
typedef struct sl_repl_table {
    int ncols;
    char **names;  /* owned */
    int *width;    /* display columns */
    bool *right;   /* right-aligned (numbers) */
    FILE *out;
    long rows;     /* rows printed */
} sl_repl_table_t;

/* A table of ncols columns with no names yet (set with sl_repl_table_col). */
sl_repl_table_t *sl_repl_table_new(int ncols, FILE *out);
/* Names column i; its width is the wider of the name and `width`. */
void sl_repl_table_col(sl_repl_table_t *t, int i, const char *name, int width, bool right);
/* Names column i after a plan column: width and alignment from the type. */
void sl_repl_table_col_typed(sl_repl_table_t *t, int i, const char *name, sl_type_t type);
void sl_repl_table_free(sl_repl_table_t *t);
/* Prints the header and the rule under it. */
void sl_repl_table_header(sl_repl_table_t *t);
/* Prints one row of cells (NULL prints as "NULL"); cells wider than their column are cut. */
void sl_repl_table_row(sl_repl_table_t *t, const char *const *cells);
/* Prints one JSON-lines row of the engine, cells by column name (absent keys: empty). */
void sl_repl_table_json_row(sl_repl_table_t *t, const char *line, size_t len);
/* Display columns of a UTF-8 string (one per code point). */
int sl_repl_text_width(const char *s, size_t n);

/* ---- complete.c: tab completion -------------------------------------------------------- */

/* Installs tab completion of meta commands, keywords, types, functions, and the session's
 * streams and columns (read from `r` at each Tab). */
void sl_repl_complete_install(sl_repl_t *r);

#endif
