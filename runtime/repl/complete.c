/*
 * complete.c - tab completion for the REPL (libedit's readline interface).
 *
 * Candidates, gathered afresh at each Tab: meta commands (after a leading '\'), keywords
 * (parser/keywords.h), type names, the registry's functions (functions/registry.h), the
 * session's streams, inputs and reference tables, their columns, and the store's streams.
 * A prefix typed in lower case completes keywords, types and functions in lower case; a
 * prefix starting with '"' completes quoted names. readline's completion callbacks carry
 * no user pointer, so the session is held in one file-level pointer (one session per
 * process).
 */
#include "repl_int.h"

#include "alloc.h"
#include "arena.h"
#include "keywords.h"
#include "registry.h"

#include <ctype.h>
#include <editline/readline.h>
#include <string.h>
#include <strings.h>

static sl_repl_t *g_repl; /* the session completions read from */

static const char *const meta_cmds[] = {"\\help", "\\streams", "\\describe", "\\explain",
                                        "\\put", "\\load", "\\apps", "\\quit"};

static const char *const keywords[] = {
#define SL_KW_NAME(name, cls) #name,
    SL_KEYWORDS(SL_KW_NAME)
#undef SL_KW_NAME
};

static const char *const type_names[] = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                                         "REAL", "DOUBLE", "DECIMAL", "CHAR", "VARCHAR",
                                         "BINARY", "VARBINARY", "DATE", "TIME", "TIMESTAMP",
                                         "INTERVAL", "ROWTIME"};

/* The candidates of one completion: gathered at state 0, handed out one per call. */
typedef struct cands {
    char **v;
    size_t n, cap, next;
} cands_t;

static cands_t g_cands;

static void cands_clear(cands_t *c)
{
    for (size_t i = c->next; i < c->n; i++) sl_free(c->v[i]);
    sl_free(c->v);
    memset(c, 0, sizeof *c);
}

/* Whether name reads the same unquoted: upper-case letters, digits, '_' and '$'. */
static bool plain_upper(const char *name)
{
    if (!isupper((unsigned char)name[0])) return false;
    for (const char *p = name; *p; p++)
        if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '$')
            return false;
    return true;
}

/* Adds word if it extends `text` (case-insensitively) and is not there yet. `name`: a
 * stream, table or column name, offered quoted when the prefix starts with '"'; other
 * words (keywords, types, functions) never are. Upper-case words that need no quotes are
 * shown in the case of the prefix (unquoted identifiers fold to upper case anyway). */
static void offer(const char *text, const char *word, bool name)
{
    size_t tl = strlen(text);
    bool fold = !name || plain_upper(word);
    char *w;
    if (text[0] == '"') {
        if (!name) return;
        w = sl_asprintf("\"%s\"", word);
    } else {
        w = sl_strdup(word);
        if (fold && tl && islower((unsigned char)text[0]))
            for (char *p = w; *p; p++) *p = (char)tolower((unsigned char)*p);
    }
    if (strncasecmp(w, text, tl) != 0) {
        sl_free(w);
        return;
    }
    for (size_t i = 0; i < g_cands.n; i++)
        if (!strcmp(g_cands.v[i], w)) {
            sl_free(w);
            return;
        }
    if (g_cands.n == g_cands.cap) {
        g_cands.cap = g_cands.cap ? 2 * g_cands.cap : 64;
        g_cands.v = sl_realloc(g_cands.v, g_cands.cap * sizeof *g_cands.v);
    }
    g_cands.v[g_cands.n++] = w;
}

/* Gathers every candidate for `text`. */
static void gather(const char *text)
{
    cands_clear(&g_cands);
    if (text[0] == '\\') {
        for (size_t i = 0; i < sizeof meta_cmds / sizeof *meta_cmds; i++) offer(text, meta_cmds[i], true);
        return;
    }
    sl_repl_t *r = g_repl;
    if (r && r->plan) {
        for (int i = 0; i < r->plan->nstreams; i++) {
            offer(text, r->plan->streams[i].name, true);
            const sl_pnode_t *n = r->plan->nodes[r->plan->streams[i].node];
            for (int c = 0; c < n->ncols; c++)
                if (n->cols[c].name) offer(text, n->cols[c].name, true);
        }
    }
    if (r) {
        for (size_t i = 0; i < r->desc.nrefs; i++) {
            offer(text, r->desc.refs[i].table_name, true);
            for (size_t c = 0; c < r->desc.refs[i].schema.ncols; c++)
                offer(text, r->desc.refs[i].schema.cols[c].name, true);
        }
        if (r->store) {
            sl_arena_t *a = sl_arena_new(0);
            const char **names = NULL;
            size_t n = sl_store_list_streams(r->store, a, &names);
            for (size_t i = 0; i < n; i++) offer(text, names[i], true);
            sl_arena_free(a);
        }
    }
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++) offer(text, keywords[i], false);
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++) offer(text, type_names[i], false);
    size_t nf = 0;
    const sl_fn_def_t *fns = sl_fn_table(&nf);
    for (size_t i = 0; i < nf; i++) offer(text, fns[i].name, false);
    /* The table functions are the planner's (TABLE(f(CURSOR(...)))), not registry entries. */
    static const char *const tfns[] = {
#define SL_TFN_COMPLETE(name, sql) sql,
        SL_TABLEFNS(SL_TFN_COMPLETE)
#undef SL_TFN_COMPLETE
    };
    for (size_t i = 0; i < sizeof tfns / sizeof *tfns; i++) offer(text, tfns[i], false);
}

/* readline's generator: state 0 starts a completion; each call returns one match (the
 * caller frees it with free(), so it is copied out of our allocator). */
static char *generate(const char *text, int state)
{
    if (state == 0) gather(text);
    if (g_cands.next >= g_cands.n) return NULL;
    char *w = g_cands.v[g_cands.next++];
    char *m = strdup(w);
    sl_free(w);
    return m;
}

static char **attempt(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    return rl_completion_matches(text, generate);
}

void sl_repl_complete_install(sl_repl_t *r)
{
    g_repl = r;
    /* '"' and '\' are part of words here: quoted names and meta commands complete. */
    rl_basic_word_break_characters = " \t\n(),;=<>+-*/|.";
    rl_attempted_completion_function = attempt;
}
