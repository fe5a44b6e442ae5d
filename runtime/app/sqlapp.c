/*
 * sqlapp.c - a self-contained .sql file's extension statements into an sl_app_desc_t.
 */
#include "sqlapp.h"

#include "alloc.h"
#include "planner_int.h"

#include <string.h>
#include <strings.h>

/* Duplicates s or gives NULL. */
static char *dup(const char *s) { return s ? sl_strdup(s) : NULL; }

/* Reads the column list of an INPUT / REFERENCE statement into a schema. */
static void read_schema(const sl_ast_t *st, sl_record_schema_t *s)
{
    const sl_ast_t *fmt = st->kids[1], *cols = st->kids[2], *opts = st->kids[4];
    s->format = fmt && !strcmp(fmt->name, "CSV") ? SL_FORMAT_CSV : SL_FORMAT_JSON;
    s->row_path = sl_strdup("$");
    s->row_delim = sl_strdup("\n");
    s->col_delim = sl_strdup(",");
    s->encoding = sl_strdup("UTF-8");
    for (int i = 0; opts && i < opts->nkids; i++) {
        const sl_ast_t *o = opts->kids[i];
        const char *v = o->kids[0] && o->kids[0]->text ? o->kids[0]->text : NULL;
        if (!v) continue;
        char **slot = !strcasecmp(o->name, "record_row_path")          ? &s->row_path
                      : !strcasecmp(o->name, "record_row_delimiter")    ? &s->row_delim
                      : !strcasecmp(o->name, "record_column_delimiter") ? &s->col_delim
                                                                        : NULL;
        if (slot) {
            sl_free(*slot);
            *slot = sl_strdup(v);
        }
    }
    s->ncols = cols ? (size_t)cols->nkids : 0;
    s->cols = SL_NEWN(sl_schema_col_t, s->ncols ? s->ncols : 1);
    for (size_t i = 0; i < s->ncols; i++) {
        const sl_ast_t *cd = cols->kids[i];
        char tn[48];
        sl_type_format(sl_type_of_ast(cd->kids[0]), tn, sizeof tn);
        s->cols[i].name = sl_strdup(cd->name);
        s->cols[i].sql_type = sl_strdup(tn);
        if (cd->kids[1] && cd->kids[1]->text) s->cols[i].mapping = sl_strdup(cd->kids[1]->text);
        else if (s->format == SL_FORMAT_JSON) s->cols[i].mapping = sl_asprintf("$.%s", cd->name);
    }
}

/*
 * The `endpoint` option of a statement's WITH list (a Kinesis endpoint URL for a STREAM
 * input or output; the form of KDA JSON's "sluice:Endpoint"), or NULL. A value that is not
 * an http(s):// URL, or the option on a source/destination that is not a STREAM, is an
 * error in diags at the option.
 */
static const char *endpoint_option(const sl_ast_t *st, const sl_ast_t *ep, sl_diag_t *diags)
{
    const sl_ast_t *opts = st->kids[4];
    for (int i = 0; opts && i < opts->nkids; i++) {
        const sl_ast_t *o = opts->kids[i];
        if (strcasecmp(o->name, "endpoint")) continue;
        const char *v = o->kids[0] && o->kids[0]->text ? o->kids[0]->text : "";
        if (!ep || strcmp(ep->name, "STREAM"))
            sl_diag_add(diags, o->line, o->col, "option endpoint only applies to a STREAM");
        else if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
            sl_diag_add(diags, o->line, o->col, "option endpoint: expected an http:// or https:// URL, got '%s'", v);
        else
            return v;
        return NULL;
    }
    return NULL;
}

/* Fills the description; see sqlapp.h. */
int sl_app_desc_from_sql(const sl_ast_t *script, const char *name, const char *code,
                         sl_app_desc_t *out, sl_diag_t *diags)
{
    memset(out, 0, sizeof *out);
    out->name = dup(name);
    out->code = dup(code);
    int before = diags->count;
    for (int i = 0; i < script->nkids; i++) {
        const sl_ast_t *st = script->kids[i];
        const sl_ast_t *ep = st->nkids > 0 ? st->kids[0] : NULL;
        if (st->kind == SL_AST_CREATE_INPUT) {
            out->inputs = sl_realloc(out->inputs, sizeof(sl_app_input_t) * (out->ninputs + 1));
            sl_app_input_t *in = &out->inputs[out->ninputs++];
            memset(in, 0, sizeof *in);
            in->id = sl_asprintf("%zu.1", out->ninputs);
            size_t nl = strlen(st->name);
            /* KDA names in-app input streams <prefix>_001; "X_001" declares prefix X. */
            if (nl > 4 && !strcmp(st->name + nl - 4, "_001"))
                in->name_prefix = sl_strndup(st->name, nl - 4);
            else
                in->name_prefix = sl_strdup(st->name);
            in->parallelism = 1;
            in->stream = dup(ep ? ep->text : NULL);
            if (ep && !strcmp(ep->name, "FILE")) in->endpoint = sl_asprintf("file://%s", ep->text);
            const char *url = endpoint_option(st, ep, diags);
            if (url) in->endpoint = sl_strdup(url);
            read_schema(st, &in->schema);
            in->start = SL_START_NOW;
            const sl_ast_t *sp = st->kids[3];
            if (sp && sp->kind == SL_AST_NAME) {
                if (!strcmp(sp->name, "TRIM_HORIZON")) in->start = SL_START_TRIM_HORIZON;
                else if (!strcmp(sp->name, "LAST_STOPPED_POINT")) in->start = SL_START_LAST_STOPPED_POINT;
            } else if (sp && sp->kind == SL_AST_LITERAL) {
                in->start = SL_START_AT_TIMESTAMP;
                sl_parse_timestamp(sp->text, strlen(sp->text), &in->start_ms);
            }
        } else if (st->kind == SL_AST_CREATE_REFERENCE) {
            out->refs = sl_realloc(out->refs, sizeof(sl_app_ref_t) * (out->nrefs + 1));
            sl_app_ref_t *r = &out->refs[out->nrefs++];
            memset(r, 0, sizeof *r);
            r->id = sl_asprintf("%zu.1", out->nrefs);
            r->table_name = sl_strdup(st->name);
            r->source = dup(ep ? ep->text : NULL);
            read_schema(st, &r->schema);
        } else if (st->kind == SL_AST_CREATE_OUTPUT) {
            out->outputs = sl_realloc(out->outputs, sizeof(sl_app_output_t) * (out->noutputs + 1));
            sl_app_output_t *o = &out->outputs[out->noutputs++];
            memset(o, 0, sizeof *o);
            o->id = sl_strdup(st->name);
            o->name = dup(st->alias);
            const char *k = ep ? ep->name : "STDOUT";
            o->kind = !strcmp(k, "STREAM")    ? SL_SINK_STREAM
                      : !strcmp(k, "FILE")    ? SL_SINK_FILE
                      : !strcmp(k, "WEBHOOK") ? SL_SINK_WEBHOOK
                      : !strcmp(k, "COMMAND") ? SL_SINK_COMMAND
                                              : SL_SINK_STDOUT;
            o->target = dup(ep ? ep->text : NULL);
            o->endpoint = dup(endpoint_option(st, ep, diags));
            o->format = st->kids[1] && !strcmp(st->kids[1]->name, "CSV") ? SL_FORMAT_CSV : SL_FORMAT_JSON;
            const sl_ast_t *opts = st->kids[4];
            for (int j = 0; opts && j < opts->nkids; j++) {
                if (!strcasecmp(opts->kids[j]->name, "endpoint")) continue; /* o->endpoint */
                o->options = sl_realloc(o->options, sizeof(sl_app_option_t) * (o->noptions + 1));
                const sl_ast_t *v = opts->kids[j]->kids[0];
                o->options[o->noptions].key = sl_strdup(opts->kids[j]->name);
                o->options[o->noptions].value = dup(v && v->text ? v->text : "");
                o->noptions++;
            }
        }
    }
    return diags->count > before ? -1 : 0;
}
