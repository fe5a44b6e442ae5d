/*
 * repl.c - the interactive session of `sluice repl`; see repl.h and README.md.
 *
 *     sl_repl_run
 *       open the embedded store (DATA or a fresh temporary directory) or a Kinesis client
 *       of the endpoint; read ~/.sluice_history; install SIGINT (a flag) and completion
 *       loop: readline("sluice> " / "    -> ") until a line ends a statement with ';'
 *         \cmd ...      -> meta command (one line)
 *         SELECT STREAM -> run_query: plan it beside the session (sl_plan_build_query),
 *                          wrap it as CREATE STREAM "REPL_QUERY" + PUMP, start a runner
 *                          whose JSON lines land in a buffer (fopencookie), print them
 *                          as an aligned table until Ctrl-C sets the flag
 *         SELECT (no STREAM) over reference tables -> run in the session's SQLite copy
 *         DDL           -> add_ddl: script + statement parsed, described and planned
 *                          whole; errors point into the new statement and change
 *                          nothing; on success the session runner restarts
 *       at exit: stop the runner, write history, remove a temporary store
 */
#include "repl.h"
#include "repl_int.h"

#include "alloc.h"
#include "appclient.h"
#include "arena.h"
#include "clock.h"
#include "refdata.h"
#include "sqlapp.h"
#include "val.h"

#include <editline/readline.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define QUERY_STREAM "REPL_QUERY"
#define QUERY_PUMP   "REPL_QUERY_PUMP"

static volatile sig_atomic_t g_interrupted; /* set by SIGINT, cleared by whoever acts on it */

static void on_sigint(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

/* ---- small helpers ---------------------------------------------------------------------- */

/* Counts the newlines of s. */
static int count_lines(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n';
    return k;
}

/* Appends name as a double-quoted identifier. */
static void put_ident(sl_buf_t *b, const char *name)
{
    sl_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') sl_buf_putc(b, '"');
        sl_buf_putc(b, *p);
    }
    sl_buf_putc(b, '"');
}

/*
 * Whether the text typed so far ends a statement: its last significant character, outside
 * strings, quoted names and comments, is ';'.
 */
static bool statement_complete(const char *s, size_t n)
{
    char last = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\'' || c == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != c) j++;
            if (j >= n) return false; /* an open string continues on the next line */
            i = j;
            last = c;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n') i++;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) i++;
            if (i + 1 >= n) return false;
            i++;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            last = c;
        }
    }
    return last == ';';
}

/* Renders diags; positions past `base_lines` lines belong to `stmt` (shown as `name`),
 * the others to the whole `script`. */
static void render_diags(sl_repl_t *r, const sl_diag_t *d, const char *script, int base_lines,
                         const char *name, const char *stmt)
{
    sl_buf_t out = SL_BUF_INIT;
    for (int i = 0; i < d->count; i++) {
        sl_diag_t one = SL_DIAG_INIT;
        sl_diag_item_t it = d->items[i];
        one.items = &it;
        one.count = 1;
        one.cap = 1;
        if (it.line > base_lines) {
            it.line -= base_lines;
            sl_diag_render(&one, name, stmt, strlen(stmt), &out);
        } else {
            sl_diag_render(&one, "session", script, strlen(script), &out);
        }
    }
    fputs(out.p ? out.p : "", r->out);
    sl_buf_free(&out);
}

/* Removes one entry of a temporary store (nftw callback). */
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---- the session's application ---------------------------------------------------------- */

/* Frees the session's parsed state (script text kept). */
static void drop_state(sl_repl_t *r)
{
    sl_plan_free(r->plan);
    r->plan = NULL;
    sl_app_desc_free(&r->desc);
    sl_ast_free(r->ast);
    r->ast = NULL;
}

/* Whether the script has a pump, i.e. something for the session runner to run. */
static bool has_pump(const sl_ast_t *script)
{
    for (int i = 0; script && i < script->nkids; i++)
        if (script->kids[i]->kind == SL_AST_CREATE_PUMP) return true;
    return false;
}

/* (Re)starts the runner of the session's pumps; stops the old one first. */
static void restart_runner(sl_repl_t *r)
{
    sl_runner_free(r->runner);
    r->runner = NULL;
    if (!r->store || !r->plan || !has_pump(r->ast) || !r->desc.ninputs) return;
    sl_runner_opts_t o;
    memset(&o, 0, sizeof o);
    o.store = r->store;
    o.name = "repl";
    o.err = stderr;
    o.outputs = NULL;
    sl_diag_t d = SL_DIAG_INIT;
    char *err = NULL;
    r->runner = sl_runner_start(&r->desc, &o, &d, &err);
    if (!r->runner) {
        if (d.count) render_diags(r, &d, r->script.p, 1 << 30, "session", "");
        if (err) fprintf(r->out, "pumps not running: %s\n", err);
    }
    sl_diag_free(&d);
    sl_free(err);
}

static sl_val_t *kcall(sl_repl_t *r, const char *op, const char *body, sl_arena_t *a);

/* --endpoint: creates at the daemon (1 shard) an input's stream that does not exist yet. */
static void create_remote_stream(sl_repl_t *r, const char *stream)
{
    sl_arena_t *a = sl_arena_new(0);
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "{\"StreamName\":");
    sl_json_quote(&body, stream, strlen(stream));
    sl_val_t *out = NULL;
    const char *et = NULL, *em = NULL;
    sl_buf_putc(&body, '}');
    int rc = sl_kclient_call(r->kc, "DescribeStreamSummary", body.p, body.len, a, &out, &et, &em);
    if (rc == 1 && et && !strcmp(et, "ResourceNotFoundException")) {
        body.len--;
        sl_buf_puts(&body, ",\"ShardCount\":1}");
        if (kcall(r, "CreateStream", body.p, a))
            fprintf(r->out, "created stream '%s' at %s (1 shard)\n", stream, r->endpoint);
    }
    sl_buf_free(&body);
    sl_arena_free(a);
}

/* Creates, in the embedded store (or at the daemon with --endpoint), the source streams of
 * inputs that do not exist yet. */
static void create_input_streams(sl_repl_t *r)
{
    for (size_t i = 0; !r->store && r->kc && i < r->desc.ninputs; i++)
        if (!r->desc.inputs[i].endpoint) create_remote_stream(r, r->desc.inputs[i].stream);
    if (!r->store) return;
    for (size_t i = 0; i < r->desc.ninputs; i++) {
        const sl_app_input_t *in = &r->desc.inputs[i];
        if (in->endpoint) continue;
        sl_arena_t *a = sl_arena_new(0);
        sl_awserr_t err;
        memset(&err, 0, sizeof err);
        if (!sl_store_describe(r->store, in->stream, a, &err)) {
            memset(&err, 0, sizeof err);
            if (sl_store_create_stream(r->store, in->stream, 1, false, NULL, 0, &err) == 0)
                fprintf(r->out, "created stream '%s' in the embedded store (1 shard)\n", in->stream);
            else
                fprintf(r->out, "cannot create stream '%s': %s\n", in->stream, err.msg);
        }
        sl_arena_free(a);
    }
}

/* Loads the reference tables of desc into the session's SQLite database, for relational
 * SELECTs typed at the prompt. Failures are reported, not fatal (the planner has the
 * schema either way). */
static void load_refs(sl_repl_t *r)
{
    if (r->refdb) sqlite3_close(r->refdb);
    r->refdb = NULL;
    if (!r->desc.nrefs) return;
    if (sqlite3_open(":memory:", &r->refdb) != SQLITE_OK) return;
    for (size_t i = 0; i < r->desc.nrefs; i++) {
        char *err = NULL;
        if (sl_refdata_load(r->refdb, r->desc.refs[i].table_name, r->desc.refs[i].source,
                            &r->desc.refs[i].schema, NULL, &err) < 0)
            fprintf(r->out, "reference table %s not loaded: %s\n", r->desc.refs[i].table_name, err);
        sl_free(err);
    }
}

/*
 * Adds DDL text `stmt` (one or more statements, from `name`) to the session: the whole
 * script is parsed, described and planned again. On any error nothing changes and the
 * errors are shown with the new statement's line and a caret. Returns true on success.
 */
static bool add_ddl(sl_repl_t *r, const char *stmt, const char *name)
{
    sl_buf_t cand = SL_BUF_INIT;
    if (r->script.len) sl_buf_append(&cand, r->script.p, r->script.len);
    sl_buf_puts(&cand, stmt);
    if (!cand.len || cand.p[cand.len - 1] != '\n') sl_buf_putc(&cand, '\n');
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *ast = sl_parse("session", cand.p, cand.len, &d);
    sl_app_desc_t desc;
    memset(&desc, 0, sizeof desc);
    sl_plan_t *plan = NULL;
    if (!d.count) sl_app_desc_from_sql(ast, "repl", cand.p, &desc, &d);
    if (!d.count) {
        char *err = NULL;
        if (sl_app_desc_check_supported(&desc, &err) < 0) {
            fprintf(r->out, "error: %s\n", err);
            sl_free(err);
            sl_app_desc_free(&desc);
            sl_ast_free(ast);
            sl_buf_free(&cand);
            return false;
        }
        plan = sl_plan_build(ast, &desc, &d);
    }
    if (d.count) {
        render_diags(r, &d, cand.p, r->script_lines, name, stmt);
        sl_diag_free(&d);
        sl_plan_free(plan);
        sl_app_desc_free(&desc);
        sl_ast_free(ast);
        sl_buf_free(&cand);
        return false;
    }
    sl_diag_free(&d);
    /* A new or different input starts now for the live queries too (see run_query). */
    bool same_input = r->desc.ninputs && desc.ninputs &&
                      !strcmp(r->desc.inputs[0].stream, desc.inputs[0].stream) &&
                      !strcmp(r->desc.inputs[0].name_prefix, desc.inputs[0].name_prefix);
    if (!same_input) r->input_since_ms = sl_clock_now_ms();
    /* Accepted: the runner borrows nothing of ours (it copies the description). */
    sl_runner_free(r->runner);
    r->runner = NULL;
    drop_state(r);
    sl_buf_free(&r->script);
    r->script = cand;
    r->script_lines = count_lines(cand.p, cand.len);
    r->ast = ast;
    r->desc = desc;
    /* The plan borrows the description it was built against, which was the local `desc`
     * just moved into the session: plan again against the session's copy (same result). */
    sl_plan_free(plan);
    r->plan = sl_plan_build(r->ast, &r->desc, &d);
    sl_diag_free(&d);
    create_input_streams(r);
    load_refs(r);
    restart_runner(r);
    fprintf(r->out, "ok\n");
    return true;
}

/* ---- live queries ----------------------------------------------------------------------- */

/* Where a live query's runner writes its JSON lines: a buffer the prompt's thread drains.
 * The runner's thread never blocks on it (a pipe could fill while we stop the query). */
typedef struct sink {
    pthread_mutex_t mu;
    sl_buf_t buf;
} sink_t;

static ssize_t sink_write(void *cookie, const char *data, size_t n)
{
    sink_t *s = cookie;
    pthread_mutex_lock(&s->mu);
    if (s->buf.len < (64u << 20)) sl_buf_append(&s->buf, data, n); /* beyond: rows dropped */
    pthread_mutex_unlock(&s->mu);
    return (ssize_t)n;
}

/* Prints the complete lines buffered so far as rows. */
static void drain(sink_t *s, sl_repl_table_t *t)
{
    pthread_mutex_lock(&s->mu);
    size_t end = 0;
    for (size_t i = 0; i < s->buf.len; i++)
        if (s->buf.p[i] == '\n') end = i + 1;
    char *lines = end ? sl_strndup(s->buf.p, end) : NULL;
    if (end) {
        memmove(s->buf.p, s->buf.p + end, s->buf.len - end);
        s->buf.len -= end;
    }
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0, st = 0; i < end; i++)
        if (lines[i] == '\n') {
            if (i > st) sl_repl_table_json_row(t, lines + st, i - st);
            st = i + 1;
        }
    sl_free(lines);
}

/*
 * The names of a query's columns in QUERY_STREAM (heap array of heap strings): the select
 * list's, "EXPR$n" for unnamed expressions, and a suffix "_2", "_3" ... on a name already
 * taken (a join selecting s.ticker and c.ticker), since a stream's columns are unique.
 */
static char **query_names(const sl_pnode_t *qn)
{
    char **names = SL_NEWN(char *, qn->ncols ? (size_t)qn->ncols : 1);
    for (int c = 0; c < qn->ncols; c++) {
        char *base = qn->cols[c].name ? sl_strdup(qn->cols[c].name) : sl_asprintf("EXPR$%d", c);
        char *nm = sl_strdup(base);
        for (int k = 2;; k++) {
            bool taken = false;
            for (int j = 0; j < c && !taken; j++) taken = !strcasecmp(names[j], nm);
            if (!taken) break;
            sl_free(nm);
            nm = sl_asprintf("%s_%d", base, k);
        }
        sl_free(base);
        names[c] = nm;
    }
    return names;
}

/* The application a live query runs as: the session's statements but its outputs (they
 * stay with the session runner), then the query as a pump into QUERY_STREAM. */
static void query_code(sl_repl_t *r, const sl_ast_t *q, const sl_pnode_t *qn,
                       char *const *names, sl_buf_t *code)
{
    for (int i = 0; i < r->ast->nkids; i++) {
        if (r->ast->kids[i]->kind == SL_AST_CREATE_OUTPUT) continue;
        sl_ast_print(code, r->ast->kids[i]);
        sl_buf_puts(code, ";\n");
    }
    sl_buf_puts(code, "CREATE STREAM " QUERY_STREAM " (");
    for (int c = 0; c < qn->ncols; c++) {
        char tn[64];
        sl_type_t ty = qn->cols[c].type;
        ty.not_null = 0;
        sl_type_format(ty, tn, sizeof tn);
        if (c) sl_buf_puts(code, ", ");
        put_ident(code, names[c]);
        sl_buf_printf(code, " %s", tn);
    }
    sl_buf_puts(code, ");\nCREATE PUMP " QUERY_PUMP " AS INSERT INTO " QUERY_STREAM "\n");
    sl_ast_print(code, q);
    sl_buf_puts(code, ";\n");
}

/* Runs a SELECT STREAM until Ctrl-C; `text` is what was typed (for error positions). */
static void run_query(sl_repl_t *r, const sl_ast_t *q, const char *text)
{
    if (!r->desc.ninputs) {
        fprintf(r->out, "the session has no input yet: declare one with CREATE INPUT ... FROM "
                        "STREAM '...' FORMAT JSON (...);\n");
        return;
    }
    sl_diag_t d = SL_DIAG_INIT;
    sl_plan_t *p = sl_plan_build_query(r->ast, &r->desc, q, QUERY_STREAM, &d);
    if (!p) {
        render_diags(r, &d, text, 0, "query", text);
        sl_diag_free(&d);
        return;
    }
    const sl_pnode_t *qn = p->nodes[p->streams[sl_plan_find_stream(p, QUERY_STREAM)].node];
    for (int c = 0; c < qn->ncols; c++)
        if (qn->cols[c].name && !strcasecmp(qn->cols[c].name, "ROWTIME")) {
            fprintf(r->out, "ROWTIME is always shown first: leave it out of the select list\n");
            sl_plan_free(p);
            return;
        }
    sl_buf_t code = SL_BUF_INIT;
    char **names = query_names(qn);
    query_code(r, q, qn, names, &code);
    sl_repl_table_t *t = sl_repl_table_new(qn->ncols + 1, r->out);
    sl_repl_table_col_typed(t, 0, "ROWTIME", sl_type_make(SL_T_TIMESTAMP));
    for (int c = 0; c < qn->ncols; c++) {
        sl_repl_table_col_typed(t, c + 1, names[c], qn->cols[c].type);
        sl_free(names[c]);
    }
    sl_free(names);
    sl_plan_free(p);

    /* The query's own application: described from its code like any .sql file. */
    sl_ast_t *ast = sl_parse("query", code.p, code.len, &d);
    sl_app_desc_t desc;
    memset(&desc, 0, sizeof desc);
    if (!d.count) sl_app_desc_from_sql(ast, "repl-query", code.p, &desc, &d);
    /* --endpoint: the query runs here and reads its input from the daemon's Kinesis API. */
    for (size_t i = 0; !r->store && i < desc.ninputs; i++)
        if (!desc.inputs[i].endpoint) desc.inputs[i].endpoint = sl_strdup(r->endpoint);
    sink_t sink;
    memset(&sink, 0, sizeof sink);
    pthread_mutex_init(&sink.mu, NULL);
    cookie_io_functions_t io = {.write = sink_write};
    FILE *out = fopencookie(&sink, "w", io);
    sl_runner_t *run = NULL;
    char *err = NULL;
    if (!d.count) {
        const char *outs[] = {QUERY_STREAM};
        sl_runner_opts_t o;
        memset(&o, 0, sizeof o);
        o.store = r->store;
        o.name = "repl-query";
        o.out = out;
        o.err = stderr;
        o.outputs = outs;
        o.noutputs = 1;
        o.poll_ms = 20;
        /* An input STARTING AT NOW started when it was declared: the query sees what the
         * session's application has seen since, e.g. records put with \put before it. */
        if (desc.ninputs && desc.inputs[0].start == SL_START_NOW) {
            o.start_set = true;
            o.start = SL_START_AT_TIMESTAMP;
            o.start_ms = r->input_since_ms;
        }
        run = sl_runner_start(&desc, &o, &d, &err);
    }
    if (!run) {
        /* Planned above, so this is rare: show what the generated application said. */
        if (d.count) render_diags(r, &d, code.p, 1 << 30, "query", "");
        if (err) fprintf(r->out, "query not started: %s\n", err);
    } else {
        fprintf(r->out, "(live; Ctrl-C stops the query)\n");
        sl_repl_table_header(t);
        g_interrupted = 0;
        sl_runner_stats_t st;
        for (;;) {
            drain(&sink, t);
            if (g_interrupted) break;
            sl_runner_stats(run, &st);
            if (!st.running) {
                drain(&sink, t);
                fprintf(r->out, "query stopped: %s\n", st.failure[0] ? st.failure : "input ended");
                break;
            }
            struct timespec ts = {0, 30 * 1000000L};
            nanosleep(&ts, NULL);
        }
        sl_runner_free(run);
        fflush(out);
        drain(&sink, t);
        g_interrupted = 0;
        fprintf(r->out, "\n(%ld row%s)\n", t->rows, t->rows == 1 ? "" : "s");
    }
    fclose(out);
    sl_buf_free(&sink.buf);
    pthread_mutex_destroy(&sink.mu);
    sl_free(err);
    sl_diag_free(&d);
    sl_app_desc_free(&desc);
    sl_ast_free(ast);
    sl_buf_free(&code);
    sl_repl_table_free(t);
}

/* Runs a relational SELECT in the SQLite copy of the reference tables, printing the
 * whole result as a table. */
static void run_relational(sl_repl_t *r, const char *text)
{
    if (!r->refdb) {
        fprintf(r->out, "a SELECT without STREAM reads reference tables; the session has none "
                        "loaded (over a stream, write SELECT STREAM)\n");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->refdb, text, -1, &st, NULL) != SQLITE_OK) {
        fprintf(r->out, "error: %s\n", sqlite3_errmsg(r->refdb));
        return;
    }
    int nc = sqlite3_column_count(st);
    char ***rows = NULL;
    size_t nrows = 0;
    int *w = SL_NEWN(int, nc ? (size_t)nc : 1);
    bool *right = SL_NEWN(bool, nc ? (size_t)nc : 1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows = sl_realloc(rows, (nrows + 1) * sizeof *rows);
        char **row = SL_NEWN(char *, nc ? (size_t)nc : 1);
        for (int c = 0; c < nc; c++) {
            int ty = sqlite3_column_type(st, c);
            if (ty == SQLITE_INTEGER || ty == SQLITE_FLOAT) right[c] = true;
            const unsigned char *v = sqlite3_column_text(st, c);
            row[c] = v ? sl_strdup((const char *)v) : NULL;
            int vw = v ? sl_repl_text_width((const char *)v, strlen((const char *)v)) : 4;
            if (vw > w[c]) w[c] = vw;
        }
        rows[nrows++] = row;
    }
    if (rc != SQLITE_DONE) fprintf(r->out, "error: %s\n", sqlite3_errmsg(r->refdb));
    sl_repl_table_t *t = sl_repl_table_new(nc, r->out);
    for (int c = 0; c < nc; c++)
        sl_repl_table_col(t, c, sqlite3_column_name(st, c), w[c] < 40 ? w[c] : 40, right[c]);
    sl_repl_table_header(t);
    for (size_t i = 0; i < nrows; i++) {
        sl_repl_table_row(t, (const char *const *)rows[i]);
        for (int c = 0; c < nc; c++) sl_free(rows[i][c]);
        sl_free(rows[i]);
    }
    fprintf(r->out, "(%zu row%s)\n", nrows, nrows == 1 ? "" : "s");
    sl_repl_table_free(t);
    sl_free(rows);
    sl_free(w);
    sl_free(right);
    sqlite3_finalize(st);
}

/* ---- meta commands ---------------------------------------------------------------------- */

static const char help_text[] =
    "Type KDA SQL ended by ';' (several lines are fine):\n"
    "  CREATE INPUT / STREAM / PUMP / REFERENCE TABLE / OUTPUT ...;  build the session's\n"
    "                        application (pumps run while the session lives)\n"
    "  SELECT STREAM ...;    run a live query; Ctrl-C stops it\n"
    "  SELECT ... FROM <reference table>;   a relational query (SQLite)\n"
    "Meta commands:\n"
    "  \\help                this text\n"
    "  \\streams             in-app streams and store streams\n"
    "  \\describe NAME       columns and types of a stream, input or reference table\n"
    "  \\explain [QUERY]     the plan of QUERY (or of the session)\n"
    "  \\put STREAM          records, one per line; end with an empty line or \\.\n"
    "  \\load FILE.sql       add a file's statements to the session\n"
    "  \\apps                the daemon's applications (--endpoint), else the session's pumps\n"
    "  \\quit                leave (also Ctrl-D)\n"
    "Tab completes keywords, functions, streams and columns.\n";

/* Calls a Kinesis operation of the endpoint; prints a failure and returns NULL. */
static sl_val_t *kcall(sl_repl_t *r, const char *op, const char *body, sl_arena_t *a)
{
    sl_val_t *out = NULL;
    const char *et = NULL, *em = NULL;
    int rc = sl_kclient_call(r->kc, op, body, strlen(body), a, &out, &et, &em);
    if (rc != 0) {
        fprintf(r->out, "%s: %s%s%s\n", op, et ? et : "", et ? ": " : "", em ? em : "failed");
        return NULL;
    }
    return out;
}

static void cmd_streams(sl_repl_t *r)
{
    fprintf(r->out, "in-app streams:\n");
    int shown = 0;
    for (int i = 0; r->plan && i < r->plan->nstreams; i++, shown++)
        fprintf(r->out, "  %-32s %s\n", r->plan->streams[i].name,
                r->plan->streams[i].is_input ? "input" : "stream");
    for (size_t i = 0; i < r->desc.nrefs; i++, shown++)
        fprintf(r->out, "  %-32s reference table\n", r->desc.refs[i].table_name);
    if (!shown) fprintf(r->out, "  (none)\n");
    fprintf(r->out, "store streams%s:\n", r->endpoint ? " (endpoint)" : "");
    sl_arena_t *a = sl_arena_new(0);
    const char **names = NULL;
    size_t n = 0;
    if (r->store) {
        n = sl_store_list_streams(r->store, a, &names);
    } else {
        sl_val_t *v = kcall(r, "ListStreams", "{}", a);
        sl_val_t *arr = v ? sl_val_get(v, "StreamNames") : NULL;
        if (arr && arr->type == SL_V_ARR) {
            names = SL_ANEWN(a, const char *, arr->u.arr.n ? arr->u.arr.n : 1);
            for (size_t i = 0; i < arr->u.arr.n; i++)
                if (arr->u.arr.items[i]->type == SL_V_STR) names[n++] = arr->u.arr.items[i]->u.str.p;
        }
    }
    for (size_t i = 0; i < n; i++) fprintf(r->out, "  %s\n", names[i]);
    if (!n) fprintf(r->out, "  (none)\n");
    sl_arena_free(a);
}

static void cmd_describe(sl_repl_t *r, const char *name)
{
    if (!*name) {
        fprintf(r->out, "usage: \\describe NAME\n");
        return;
    }
    int si = r->plan ? sl_plan_find_stream(r->plan, name) : -1;
    if (si >= 0) {
        const sl_pnode_t *n = r->plan->nodes[r->plan->streams[si].node];
        fprintf(r->out, "%s %s\n", r->plan->streams[si].is_input ? "input" : "stream",
                r->plan->streams[si].name);
        fprintf(r->out, "  %-32s TIMESTAMP NOT NULL\n", "ROWTIME");
        for (int c = 0; c < n->ncols; c++) {
            char tn[64];
            sl_type_format(n->cols[c].type, tn, sizeof tn);
            fprintf(r->out, "  %-32s %s%s%s\n", n->cols[c].name ? n->cols[c].name : "?", tn,
                    n->cols[c].type.not_null ? " NOT NULL" : "", n->cols[c].hidden ? " (hidden)" : "");
        }
        return;
    }
    for (size_t i = 0; i < r->desc.nrefs; i++)
        if (!strcasecmp(r->desc.refs[i].table_name, name)) {
            fprintf(r->out, "reference table %s (from %s)\n", r->desc.refs[i].table_name,
                    r->desc.refs[i].source);
            for (size_t c = 0; c < r->desc.refs[i].schema.ncols; c++)
                fprintf(r->out, "  %-32s %s\n", r->desc.refs[i].schema.cols[c].name,
                        r->desc.refs[i].schema.cols[c].sql_type);
            return;
        }
    if (r->store) {
        sl_arena_t *a = sl_arena_new(0);
        sl_awserr_t err;
        memset(&err, 0, sizeof err);
        sl_stream_info_t *s = sl_store_describe(r->store, name, a, &err);
        if (s)
            fprintf(r->out, "store stream %s: %s, %d open shard%s (records have no columns until "
                            "a CREATE INPUT maps them)\n",
                    s->name, sl_stream_status_name(s->status), s->open_shards,
                    s->open_shards == 1 ? "" : "s");
        else
            fprintf(r->out, "no stream, input or reference table named %s\n", name);
        sl_arena_free(a);
        return;
    }
    fprintf(r->out, "no in-app stream, input or reference table named %s\n", name);
}

static void cmd_explain(sl_repl_t *r, const char *text)
{
    sl_buf_t out = SL_BUF_INIT;
    if (!*text) {
        if (r->plan)
            sl_plan_explain(r->plan, &out);
        else
            sl_buf_puts(&out, "the session is empty\n");
    } else {
        sl_diag_t d = SL_DIAG_INIT;
        sl_ast_t *q = sl_parse("query", text, strlen(text), &d);
        if (!d.count && (q->nkids != 1 || (q->kids[0]->kind != SL_AST_SELECT &&
                                            q->kids[0]->kind != SL_AST_SETOP)))
            sl_diag_add(&d, 1, 1, "\\explain takes one query");
        sl_plan_t *p = NULL;
        if (!d.count) p = sl_plan_build_query(r->ast, &r->desc, q->kids[0], QUERY_STREAM, &d);
        if (p) sl_plan_explain(p, &out);
        if (d.count) render_diags(r, &d, text, 0, "query", text);
        sl_plan_free(p);
        sl_ast_free(q);
        sl_diag_free(&d);
    }
    fputs(out.p ? out.p : "", r->out);
    sl_buf_free(&out);
}

/* Reads records until an empty line or "\." and puts them into `stream`. */
static void cmd_put(sl_repl_t *r, const char *stream)
{
    if (!*stream) {
        fprintf(r->out, "usage: \\put STREAM\n");
        return;
    }
    sl_arena_t *a = sl_arena_new(0);
    sl_awserr_t err;
    memset(&err, 0, sizeof err);
    if (r->store && !sl_store_describe(r->store, stream, a, &err)) {
        memset(&err, 0, sizeof err);
        if (sl_store_create_stream(r->store, stream, 1, false, NULL, 0, &err) < 0) {
            fprintf(r->out, "cannot create stream '%s': %s\n", stream, err.msg);
            sl_arena_free(a);
            return;
        }
        fprintf(r->out, "created stream '%s' in the embedded store (1 shard)\n", stream);
    }
    fprintf(r->out, "records for %s, one per line; end with an empty line or \\.\n", stream);
    long n = 0, failed = 0;
    for (;;) {
        char *line = readline("put> ");
        if (!line || !*line || !strcmp(line, "\\.")) {
            free(line);
            break;
        }
        char pk[32];
        snprintf(pk, sizeof pk, "%ld", n + 1);
        if (r->store) {
            sl_put_rec_t rec;
            memset(&rec, 0, sizeof rec);
            rec.data = (const unsigned char *)line;
            rec.len = strlen(line);
            rec.pk = pk;
            rec.pk_len = strlen(pk);
            sl_put_result_t res;
            memset(&err, 0, sizeof err);
            if (sl_store_put(r->store, stream, &rec, 1, &res, a, &err) != 0) {
                fprintf(r->out, "record %ld not put: %s\n", n + 1, err.msg[0] ? err.msg : res.message);
                failed++;
            }
        } else {
            sl_buf_t body = SL_BUF_INIT;
            sl_buf_puts(&body, "{\"StreamName\":");
            sl_json_quote(&body, stream, strlen(stream));
            sl_buf_puts(&body, ",\"PartitionKey\":");
            sl_json_quote(&body, pk, strlen(pk));
            sl_buf_puts(&body, ",\"Data\":\"");
            sl_base64_encode(&body, line, strlen(line));
            sl_buf_puts(&body, "\"}");
            if (!kcall(r, "PutRecord", body.p, a)) failed++;
            sl_buf_free(&body);
        }
        n++;
        free(line);
        sl_arena_reset(a);
    }
    fprintf(r->out, "%ld record%s put into %s\n", n - failed, n - failed == 1 ? "" : "s", stream);
    sl_arena_free(a);
}

static void cmd_load(sl_repl_t *r, const char *path)
{
    sl_buf_t b = SL_BUF_INIT;
    if (!*path || sl_buf_read_file(&b, path) < 0) {
        fprintf(r->out, "\\load: %s: %s\n", *path ? path : "(no file)", *path ? strerror(errno) : "usage: \\load FILE.sql");
        sl_buf_free(&b);
        return;
    }
    add_ddl(r, b.p, path);
    sl_buf_free(&b);
}

/* \apps: one of the daemon's applications (sl_appclient_list), counted. */
typedef struct listed {
    FILE *out;
    int n;
} listed_t;

static void list_app(void *ctx, const char *name, const char *status)
{
    listed_t *l = ctx;
    fprintf(l->out, "  %-32s %s\n", name ? name : "?", status ? status : "?");
    l->n++;
}

static void cmd_apps(sl_repl_t *r)
{
    if (r->endpoint) {
        /* The daemon's applications (ListApplications, every page), as `sluice apps`. */
        fprintf(r->out, "applications at %s:\n", r->endpoint);
        fflush(r->out); /* before any error sl_appclient_list prints on stderr */
        listed_t l = {r->out, 0};
        sl_appclient_list("repl", r->endpoint, list_app, &l);
        if (!l.n) fprintf(r->out, "  (none)\n");
        fprintf(r->out, "session pumps:\n");
    }
    int shown = 0;
    for (int i = 0; r->ast && i < r->ast->nkids; i++) {
        const sl_ast_t *s = r->ast->kids[i];
        if (s->kind != SL_AST_CREATE_PUMP) continue;
        const sl_ast_t *ins = s->kids[1];
        fprintf(r->out, "  pump %-24s -> %s\n", s->name, ins && ins->name ? ins->name : "?");
        shown++;
    }
    if (!shown) fprintf(r->out, "  (no pumps)\n");
    if (r->runner) {
        sl_runner_stats_t st;
        sl_runner_stats(r->runner, &st);
        fprintf(r->out, "  session runner: %s, %lld records in, %lld rows out, %lld errors%s%s\n",
                st.running ? "running" : "stopped", (long long)st.records_in,
                (long long)st.rows_out, (long long)st.errors, st.failure[0] ? ": " : "",
                st.failure);
    }
}

/* Runs a meta command line; returns false for \quit. */
static bool meta(sl_repl_t *r, char *line)
{
    char *cmd = line + 1;
    char *arg = cmd;
    while (*arg && *arg != ' ' && *arg != '\t') arg++;
    if (*arg) *arg++ = '\0';
    while (*arg == ' ' || *arg == '\t') arg++;
    size_t al = strlen(arg);
    while (al && (arg[al - 1] == ' ' || arg[al - 1] == '\t' || arg[al - 1] == ';')) arg[--al] = '\0';
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) return false;
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) fputs(help_text, r->out);
    else if (!strcmp(cmd, "streams")) cmd_streams(r);
    else if (!strcmp(cmd, "describe") || !strcmp(cmd, "d")) cmd_describe(r, arg);
    else if (!strcmp(cmd, "explain")) cmd_explain(r, arg);
    else if (!strcmp(cmd, "put")) cmd_put(r, arg);
    else if (!strcmp(cmd, "load")) cmd_load(r, arg);
    else if (!strcmp(cmd, "apps")) cmd_apps(r);
    else fprintf(r->out, "unknown command \\%s (\\help lists them)\n", cmd);
    return true;
}

/* ---- statements ------------------------------------------------------------------------- */

/* Handles one complete statement text. */
static void statement(sl_repl_t *r, const char *text)
{
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *s = sl_parse("<stdin>", text, strlen(text), &d);
    if (d.count) {
        render_diags(r, &d, text, 0, "<stdin>", text);
    } else if (s->nkids == 0) {
        /* only comments */
    } else {
        bool query = false;
        for (int i = 0; i < s->nkids; i++)
            query |= s->kids[i]->kind == SL_AST_SELECT || s->kids[i]->kind == SL_AST_SETOP ||
                     s->kids[i]->kind == SL_AST_VALUES;
        if (query && s->nkids > 1) {
            fprintf(r->out, "one query at a time, please (and DDL separately)\n");
        } else if (query) {
            const sl_ast_t *q = s->kids[0];
            bool stream = q->kind != SL_AST_SELECT || (q->flags & SL_AF_STREAM);
            if (stream)
                run_query(r, q, text);
            else
                run_relational(r, text);
        } else {
            add_ddl(r, text, "<stdin>");
        }
    }
    sl_diag_free(&d);
    sl_ast_free(s);
}

/* Adds a finished entry to history, its lines joined by spaces. */
static void remember(const char *text)
{
    char *h = strdup(text);
    if (!h) return;
    for (char *p = h; *p; p++)
        if (*p == '\n') *p = ' ';
    add_history(h);
    free(h);
}

int sl_repl_run(const sl_repl_opts_t *opts)
{
    sl_repl_t r;
    memset(&r, 0, sizeof r);
    r.out = stdout;
    if (opts->endpoint) {
        r.endpoint = sl_strdup(opts->endpoint);
        r.kc = sl_kclient_new(opts->endpoint);
    } else {
        if (opts->data_dir) {
            r.data_dir = sl_strdup(opts->data_dir);
        } else {
            const char *tmp = getenv("TMPDIR");
            r.data_dir = sl_asprintf("%s/sluice-repl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
            if (!mkdtemp(r.data_dir)) {
                fprintf(stderr, "sluice repl: cannot create %s: %s\n", r.data_dir, strerror(errno));
                sl_free(r.data_dir);
                return 1;
            }
            r.tmp_dir = true;
        }
        sl_store_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.dir = r.data_dir;
        cfg.fsync = SL_FSYNC_NEVER;
        char *err = NULL;
        r.store = sl_store_open(&cfg, &err);
        if (!r.store) {
            fprintf(stderr, "sluice repl: %s: %s\n", r.data_dir, err ? err : "cannot open the store");
            sl_free(err);
            if (r.tmp_dir) nftw(r.data_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
            sl_free(r.data_dir);
            return 1;
        }
    }
    r.ast = sl_parse("session", "", 0, &(sl_diag_t)SL_DIAG_INIT);

    char *hist = opts->history ? sl_strdup(opts->history) : NULL;
    if (!hist && getenv("HOME")) hist = sl_asprintf("%s/.sluice_history", getenv("HOME"));
    using_history();
    if (hist) read_history(hist);
    sl_repl_complete_install(&r);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);

    fprintf(r.out, "sluice repl: %s%s. \\help for help, \\quit to leave.\n",
            r.store ? "embedded store in " : "daemon at ", r.store ? r.data_dir : r.endpoint);
    sl_buf_t stmt = SL_BUF_INIT;
    for (;;) {
        fflush(r.out);
        g_interrupted = 0;
        char *line = readline(stmt.len ? "    -> " : "sluice> ");
        if (!line) {
            if (g_interrupted) { /* Ctrl-C at the prompt: drop the statement being typed */
                fputc('\n', r.out);
                sl_buf_reset(&stmt);
                continue;
            }
            fputc('\n', r.out);
            break;
        }
        if (!stmt.len) {
            const char *p = line;
            while (*p == ' ' || *p == '\t') p++;
            if (!*p) {
                free(line);
                continue;
            }
            if (*p == '\\') {
                remember(p);
                char *copy = sl_strdup(p);
                free(line);
                bool go = meta(&r, copy);
                sl_free(copy);
                if (!go) break;
                continue;
            }
        }
        if (stmt.len) sl_buf_putc(&stmt, '\n');
        sl_buf_puts(&stmt, line);
        free(line);
        if (!statement_complete(stmt.p, stmt.len)) continue;
        sl_buf_putc(&stmt, '\0');
        remember(stmt.p);
        statement(&r, stmt.p);
        sl_buf_reset(&stmt);
    }
    sl_buf_free(&stmt);
    if (hist) write_history(hist);
    sl_free(hist);
    sigaction(SIGINT, &old, NULL);

    sl_runner_free(r.runner);
    drop_state(&r);
    sl_buf_free(&r.script);
    if (r.refdb) sqlite3_close(r.refdb);
    sl_kclient_free(r.kc);
    sl_store_close(r.store);
    if (r.tmp_dir) nftw(r.data_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    sl_free(r.data_dir);
    sl_free(r.endpoint);
    return 0;
}
