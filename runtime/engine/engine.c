/*
 * engine.c - building the state graph of a plan and driving records and bounds through
 * it; the output sinks (JSON lines, store streams, remote Kinesis streams) and error_stream.
 */
#include "engine_int.h"

#include "alloc.h"
#include "clock.h"
#include "kpl.h"
#include "sink/kput.h"
#include "sink/sink.h"
#include "val.h"

#include <string.h>
#include <strings.h>

/* The columns of error_stream (KDA's). */
const sl_pcol_t sl_error_cols[7] = {
    {"ERROR_TIME", {SL_T_TIMESTAMP, 1, 0, 0, 0}, false},
    {"ERROR_LEVEL", {SL_T_VARCHAR, 0, 0, 0, 10}, false},
    {"ERROR_NAME", {SL_T_VARCHAR, 0, 0, 0, 32}, false},
    {"MESSAGE", {SL_T_VARCHAR, 0, 0, 0, 4096}, false},
    {"DATA_ROWTIME", {SL_T_TIMESTAMP, 0, 0, 0, 0}, false},
    {"DATA_ROW", {SL_T_VARCHAR, 0, 0, 0, 49152}, false},
    {"PUMP_NAME", {SL_T_VARCHAR, 0, 0, 0, 128}, false},
};

/* Per application input: its sources and the batch being filled. */
typedef struct sl_input_state {
    sl_decoder_t *dec;
    int nsrc;
    sl_operator_t **src;  /* the SOURCE operators of its in-app streams (_001...) */
    const sl_pnode_t *node; /* the first one's node (columns) */
    sl_batch_t *batch;    /* rows decoded and not yet pushed */
    int64_t last_rowtime; /* ROWTIME is clamped to be non-decreasing */
    int64_t bound;
    int next;             /* round-robin over parallel in-app streams (by batch) */
    uint8_t *wanted;      /* the columns the plan reads (for decoders of other threads) */
    uint64_t flushes;     /* batches pushed so far: a change means the batch arena was reset */
} sl_input_state_t;

/* Formats a row as JSON; see engine_int.h. */
void sl_row_json(sl_buf_t *out, const sl_batch_t *b, size_t i, const sl_pcol_t *cols, bool rowtime)
{
    sl_buf_putc(out, '{');
    bool first = true;
    for (int c = 0; c < b->ncols; c++) {
        if (cols[c].hidden && !rowtime) continue;
        if (!first) sl_buf_putc(out, ',');
        first = false;
        char tmp[32];
        const char *name = cols[c].name;
        if (!name) {
            snprintf(tmp, sizeof tmp, "EXPR$%d", c);
            name = tmp;
        }
        sl_json_quote(out, name, strlen(name));
        sl_buf_putc(out, ':');
        sl_value_json(out, &b->cols[c], i);
    }
    if (rowtime) {
        char ts[32];
        sl_clock_format_ms(b->rowtime[i], ts);
        sl_buf_printf(out, "%s\"ROWTIME\":\"%s\"", first ? "" : ",", ts);
    }
    sl_buf_putc(out, '}');
}

/* ---- sinks ---------------------------------------------------------------------------- */

/* A sink: prints rows, or puts them into a store stream or a remote Kinesis stream. */
struct out_sink {
    sl_operator_t op;
    const sl_pnode_t *stream;
    const sl_app_output_t *out;   /* NULL when printing a --output selection */
    bool print;
    sl_buf_t buf;
    sl_put_rec_t *recs;
    size_t nrecs;
    sl_buf_t *datas;
    sl_arena_t *arena;
    char **keys;          /* print: each column's `"NAME":` (or `,"NAME":`), rendered once */
    size_t *keylen;
    int nkeys;
    sl_sink_t *deliver;   /* a webhook / file / command output (runtime/sink), or NULL */
    sl_kput_t *remote;    /* a stream output with sluice:Endpoint (runtime/sink/kput.h), or NULL */
    int64_t put_rt;       /* remote: the ROWTIME of the first pending record */
    int64_t last_sec;     /* print: the second whose text is in sec_text */
    char sec_text[24];    /* "YYYY-MM-DD HH:MM:SS." of last_sec */
    /* Position in the row sequence (checkpoints): the last ROWTIME handed over and how many
     * rows at it; and, after a resume, the position up to which rows are dropped. */
    int64_t mark_rt, mark_n;
    int64_t skip_rt, skip_n, skip_seen; /* skip_rt INT64_MIN: nothing to drop */
};

/* Renders the `"NAME":` prefixes of a sink's columns. */
static void sink_keys(struct out_sink *s, const sl_pcol_t *cols, int n)
{
    s->nkeys = n;
    s->keys = SL_NEWN(char *, n ? n : 1);
    s->keylen = SL_NEWN(size_t, n ? n : 1);
    for (int c = 0; c < n; c++) {
        sl_buf_t k = SL_BUF_INIT;
        char tmp[32];
        const char *name = cols[c].name;
        if (!name) {
            snprintf(tmp, sizeof tmp, "EXPR$%d", c);
            name = tmp;
        }
        if (c) sl_buf_putc(&k, ',');
        sl_json_quote(&k, name, strlen(name));
        sl_buf_putc(&k, ':');
        s->keylen[c] = k.len;
        s->keys[c] = sl_buf_steal(&k);
    }
    s->last_sec = INT64_MIN;
}

/* Appends one row as a JSON line with its ROWTIME (the printing sinks' fast path: keys
 * rendered once, the date part of ROWTIME reused while the second does not change). */
static void sink_row(struct out_sink *s, const sl_batch_t *b, size_t i, bool newline)
{
    sl_buf_t *o = &s->buf;
    sl_buf_putc(o, '{');
    for (int c = 0; c < b->ncols && c < s->nkeys; c++) {
        sl_buf_append(o, s->keys[c], s->keylen[c]);
        sl_value_json(o, &b->cols[c], i);
    }
    int64_t ms = b->rowtime[i];
    int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    if (sec != s->last_sec) {
        char full[32];
        sl_clock_format_ms(sec * 1000, full);
        memcpy(s->sec_text, full, 20); /* "YYYY-MM-DD HH:MM:SS." */
        s->last_sec = sec;
    }
    int frac = (int)(ms - sec * 1000);
    char tail[8] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10), '"', '}', '\n'};
    sl_buf_puts(o, b->ncols ? ",\"ROWTIME\":\"" : "\"ROWTIME\":\"");
    sl_buf_append(o, s->sec_text, 20);
    sl_buf_append(o, tail, newline ? 6 : 5);
}

/*
 * Puts the pending records into the output's remote stream (sluice:Endpoint). Transient
 * failures are retried inside sl_kput_put (bounded); records it gives up are reported as
 * one error_stream row naming the stream, the AWS error type and message, and the
 * application carries on with the next rows (resending could not cure a hard failure, and
 * stopping would stall every other output).
 */
static void sink_put_remote(struct out_sink *s)
{
    sl_kput_rec_t *kr = SL_NEWN(sl_kput_rec_t, s->nrecs);
    for (size_t i = 0; i < s->nrecs; i++)
        kr[i] = (sl_kput_rec_t){s->recs[i].data, s->recs[i].len, s->recs[i].pk, s->recs[i].pk_len};
    size_t given = sl_kput_put(s->remote, kr, s->nrecs);
    sl_free(kr);
    if (given) {
        const char *type, *msg;
        sl_kput_error(s->remote, &type, &msg);
        char *m = sl_asprintf("output %s: %zu of %zu record(s) not delivered: %s", s->out->name, given,
                              s->nrecs, msg ? msg : "unknown error");
        /* ERROR_NAME is VARCHAR(32); MESSAGE carries the type in full
         * ("ProvisionedThroughputExceededException" is 38 characters). */
        char name[33];
        snprintf(name, sizeof name, "%s", type ? type : "PutRecords");
        sl_engine_error(s->op.eng, name, m, s->put_rt, NULL, 0, NULL);
        sl_free(m);
    }
}

/* Puts the pending records into the store stream (or the remote one). */
static void sink_put(struct out_sink *s)
{
    if (!s->nrecs) return;
    if (s->remote) {
        sink_put_remote(s);
        for (size_t i = 0; i < s->nrecs; i++) sl_buf_free(&s->datas[i]);
        s->nrecs = 0;
        sl_arena_reset(s->arena);
        return;
    }
    sl_awserr_t err;
    memset(&err, 0, sizeof err);
    sl_put_result_t *res = SL_NEWN(sl_put_result_t, s->nrecs);
    int rc = sl_store_put(s->op.eng->opts.store, s->out->target, s->recs, s->nrecs, res, s->arena, &err);
    if (rc != 0) {
        fprintf(s->op.eng->opts.err, "sluice: output %s: putting records into stream %s failed: %s\n",
                s->out->name, s->out->target, rc < 0 ? err.msg : "some records were not accepted");
        /* Undelivered rows: the runner restarts from its checkpoint, which re-reads them. */
        if (!s->op.eng->failure)
            s->op.eng->failure = sl_asprintf("output %s: stream %s: %s", s->out->name, s->out->target,
                                             rc < 0 ? err.msg : "some records were not accepted");
    }
    sl_free(res);
    for (size_t i = 0; i < s->nrecs; i++) sl_buf_free(&s->datas[i]);
    s->nrecs = 0;
    sl_arena_reset(s->arena);
}

/*
 * Moves the sink's position past batch b and returns how many of its leading rows to drop
 * because they were delivered before a resume (ROWTIMEs never decrease, so they are a
 * prefix). Costs a few comparisons per batch outside a resume.
 */
static size_t sink_advance(struct out_sink *s, const sl_batch_t *b)
{
    if (!b->n) return 0;
    int64_t last = b->rowtime[b->n - 1];
    size_t k = 1;
    while (k < b->n && b->rowtime[b->n - 1 - k] == last) k++;
    if (last == s->mark_rt) {
        s->mark_n += (int64_t)k;
    } else {
        s->mark_rt = last;
        s->mark_n = (int64_t)k;
    }
    size_t from = 0;
    while (s->skip_rt != INT64_MIN && from < b->n) {
        int64_t t = b->rowtime[from];
        if (t < s->skip_rt || (t == s->skip_rt && s->skip_seen < s->skip_n)) {
            if (t == s->skip_rt) s->skip_seen++;
            from++;
        } else {
            s->skip_rt = INT64_MIN; /* past the delivered rows: deliver from here on */
        }
    }
    return from;
}

/* Sink push: one JSON line (or one record) per row. */
static void sink_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    struct out_sink *s = (struct out_sink *)op;
    sl_engine_t *e = op->eng;
    size_t from = sink_advance(s, b);
    if (from == b->n) return;
    if (s->deliver) {
        if (!s->keys) sink_keys(s, s->stream->cols, b->ncols);
        for (size_t i = from; i < b->n; i++) {
            sl_buf_reset(&s->buf);
            sink_row(s, b, i, false);
            sl_sink_write(s->deliver, s->buf.p, s->buf.len, b->rowtime[i]);
        }
        e->rows_out += (int64_t)(b->n - from);
        return;
    }
    if (s->print) {
        sl_buf_reset(&s->buf);
        if (!s->keys) sink_keys(s, s->stream ? s->stream->cols : sl_error_cols, b->ncols);
        for (size_t i = from; i < b->n; i++) sink_row(s, b, i, true);
        fwrite(s->buf.p, 1, s->buf.len, e->opts.out);
        e->rows_out += (int64_t)(b->n - from);
        return;
    }
    for (size_t i = from; i < b->n; i++) {
        if (s->nrecs == 500) sink_put(s);
        if (!s->nrecs) s->put_rt = b->rowtime[i];
        sl_buf_t *d = &s->datas[s->nrecs];
        *d = (sl_buf_t)SL_BUF_INIT;
        if (s->out->format == SL_FORMAT_CSV) {
            for (int c = 0; c < b->ncols; c++) {
                if (c) sl_buf_putc(d, ',');
                if (!b->cols[c].null[i]) sl_value_text(d, &b->cols[c], i);
            }
        } else {
            sl_row_json(d, b, i, s->stream->cols, false);
        }
        char *pk = sl_arena_printf(s->arena, "%lld", (long long)(e->rows_out + (int64_t)i));
        s->recs[s->nrecs] = (sl_put_rec_t){(const unsigned char *)d->p, d->len, pk, strlen(pk), false, 0};
        s->nrecs++;
    }
    e->rows_out += (int64_t)(b->n - from);
    sink_put(s);
}

/* Sinks ignore bounds. */
static void sink_bound(sl_operator_t *op, int port, int64_t t) {}

/* Frees a sink. */
static void sink_close(sl_operator_t *op)
{
    struct out_sink *s = (struct out_sink *)op;
    if (s->deliver) {
        sl_sink_free(s->deliver); /* drains the queue (the drain_ms option bounds the wait) */
        s->deliver = NULL;
    } else if (!s->print) {
        sink_put(s);
    }
    sl_kput_free(s->remote);
    sl_buf_free(&s->buf);
    for (int c = 0; c < s->nkeys; c++) sl_free(s->keys[c]);
    sl_free(s->keys);
    sl_free(s->keylen);
    sl_free(s->recs);
    sl_free(s->datas);
    sl_arena_free(s->arena);
}

static const sl_op_vt_t sink_vt = {sink_push, sink_bound, sink_close};

/* A sink printing the rows of a stream as JSON lines (to opts.out), or putting them into
 * a store stream as JSON/CSV records. */
static sl_operator_t *out_sink_new(sl_engine_t *e, const sl_pnode_t *stream, const sl_app_output_t *out,
                           bool print)
{
    struct out_sink *s = SL_NEW(struct out_sink);
    s->op.vt = &sink_vt;
    s->op.eng = e;
    s->op.bound_out = INT64_MIN;
    s->stream = stream;
    s->out = out;
    s->print = print;
    s->recs = SL_NEWN(sl_put_rec_t, 500);
    s->datas = SL_NEWN(sl_buf_t, 500);
    s->arena = sl_arena_new(0);
    s->mark_rt = s->skip_rt = INT64_MIN;
    return &s->op;
}

/* The name a sink goes by in checkpoints. */
static const char *sink_name(const struct out_sink *s)
{
    if (s->out) return s->out->name;
    return s->stream ? s->stream->name : "error_stream";
}

/* Output positions; see engine.h. A resume that has not yet passed the position it skips
 * to reports that position, so a stop during the re-read loses nothing. */
int sl_engine_output_marks(const sl_engine_t *e, sl_output_mark_t *marks, int max)
{
    for (int i = 0; i < e->nsinks && i < max; i++) {
        const struct out_sink *s = (const struct out_sink *)e->sinks[i];
        marks[i] = (sl_output_mark_t){sink_name(s), s->mark_rt, s->mark_n};
        if (s->skip_rt != INT64_MIN &&
            (s->skip_rt > s->mark_rt || (s->skip_rt == s->mark_rt && s->skip_n > s->mark_n))) {
            marks[i].rowtime = s->skip_rt;
            marks[i].count = s->skip_n;
        }
    }
    return e->nsinks;
}

/* Drops delivered rows after a resume; see engine.h. */
void sl_engine_skip_output(sl_engine_t *e, int sink, const char *name, int64_t rowtime,
                           int64_t count)
{
    if (sink < 0 || sink >= e->nsinks || rowtime == INT64_MIN) return;
    struct out_sink *s = (struct out_sink *)e->sinks[sink];
    if (strcmp(sink_name(s), name)) return; /* the code changed: nothing to match */
    s->skip_rt = rowtime;
    s->skip_n = count;
    s->skip_seen = 0;
}

/* Replay mode; see engine.h. */
void sl_engine_set_replay(sl_engine_t *e, bool on) { e->replaying = on; }

/* Hard output failure; see engine.h. */
const char *sl_engine_failure(const sl_engine_t *e) { return e->failure; }

/* ---- error_stream --------------------------------------------------------------------- */

/* Reports an error row; see engine_int.h. */
void sl_engine_error(sl_engine_t *e, const char *name, const char *msg, int64_t data_rowtime,
                     const void *data, size_t len, const char *pump)
{
    if (e->replaying) return; /* reported before the stop */
    e->errors++;
    sl_type_t types[7];
    for (int i = 0; i < 7; i++) types[i] = sl_error_cols[i].type;
    sl_batch_t *b = sl_batch_new(7, types, 1);
    b->n = 1;
    b->rowtime[0] = data_rowtime;
    b->cols[0].v.i[0] = data_rowtime;
    b->cols[1].v.s[0] = (sl_str_t){"ERROR", 5};
    b->cols[2].v.s[0] = (sl_str_t){name, (uint32_t)strlen(name)};
    b->cols[3].v.s[0] = (sl_str_t){msg, (uint32_t)strlen(msg)};
    b->cols[4].v.i[0] = data_rowtime;
    char *hex = sl_arena_alloc(b->arena, len * 2 + 1);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[((const unsigned char *)data)[i] >> 4];
        hex[2 * i + 1] = digits[((const unsigned char *)data)[i] & 15];
    }
    b->cols[5].v.s[0] = (sl_str_t){hex, (uint32_t)(len * 2)};
    if (pump) b->cols[6].v.s[0] = (sl_str_t){pump, (uint32_t)strlen(pump)};
    else b->cols[6].null[0] = 1;
    if (e->error_sink) {
        e->error_sink->vt->push(e->error_sink, 0, b);
    } else {
        sl_buf_reset(&e->line);
        sl_row_json(&e->line, b, 0, sl_error_cols, true);
        sl_buf_putc(&e->line, '\n');
        fwrite(e->line.p, 1, e->line.len, e->opts.err);
    }
    sl_batch_free(b);
}

/* ---- building -------------------------------------------------------------------------- */

/* Marks the input columns an expression reads. */
static void mark_cols(const sl_expr_t *x, uint8_t *used, int n)
{
    if (!x) return;
    if (x->kind == SL_EX_COL && x->col_ix < n) used[x->col_ix] = 1;
    for (int i = 0; i < x->nargs; i++) mark_cols(x->args[i], used, n);
}

/* The columns of source node `src` that its readers use (all unless every reader is a
 * MAP, whose expressions say exactly which). */
static void source_wanted(const sl_plan_t *p, const sl_pnode_t *src, uint8_t *used)
{
    memset(used, 0, (size_t)src->ncols);
    for (int i = 0; i < p->nnodes; i++) {
        const sl_pnode_t *r = p->nodes[i];
        for (int k = 0; k < r->ninputs; k++) {
            if (r->inputs[k] != src->id) continue;
            if (r->kind != SL_PN_MAP) {
                memset(used, 1, (size_t)src->ncols);
                return;
            }
            for (int c = 0; c < r->ncols; c++) mark_cols(r->exprs[c], used, src->ncols);
            mark_cols(r->filter, used, src->ncols);
            mark_cols(r->rowtime, used, src->ncols);
        }
    }
}

/* Adds a reader to op. */
static void add_out(sl_operator_t *op, sl_operator_t *reader, int port)
{
    op->outs = sl_realloc(op->outs, sizeof(sl_op_edge_t) * (size_t)(op->nout + 1));
    op->outs[op->nout++] = (sl_op_edge_t){reader, port};
}

/* True when name is among the selected outputs (exact, then case-insensitive). */
static bool selected(const sl_engine_opts_t *o, const char *name)
{
    for (int i = 0; i < o->noutputs; i++)
        if (!strcmp(o->outputs[i], name) || !strcasecmp(o->outputs[i], name)) return true;
    return false;
}

/* Builds an engine; see engine.h. */
sl_engine_t *sl_engine_new(const sl_plan_t *plan, const sl_engine_opts_t *opts, char **err)
{
    sl_engine_t *e = SL_NEW(sl_engine_t);
    e->plan = plan;
    e->opts = *opts;
    if (!e->opts.out) e->opts.out = stdout;
    if (!e->opts.err) e->opts.err = stderr;
    const sl_app_desc_t *app = plan->app;
    e->nops = plan->nnodes;
    e->ops = SL_NEWN(sl_operator_t *, plan->nnodes ? plan->nnodes : 1);
    for (int i = 0; i < plan->nnodes; i++) {
        e->ops[i] = sl_op_new(e, plan->nodes[i], err);
        if (!e->ops[i]) {
            sl_engine_free(e);
            return NULL;
        }
    }
    for (int i = 0; i < plan->nnodes; i++) {
        const sl_pnode_t *n = plan->nodes[i];
        for (int k = 0; k < n->ninputs; k++) add_out(e->ops[n->inputs[k]], e->ops[i], k);
    }
    /* Inputs. */
    e->ninputs = (int)app->ninputs;
    e->inputs = SL_NEWN(sl_input_state_t, app->ninputs ? app->ninputs : 1);
    for (int i = 0; i < plan->nnodes; i++) {
        const sl_pnode_t *n = plan->nodes[i];
        if (n->kind != SL_PN_SOURCE) continue;
        sl_input_state_t *in = &e->inputs[n->input_ix];
        in->src = sl_realloc(in->src, sizeof(sl_operator_t *) * (size_t)(in->nsrc + 1));
        in->src[in->nsrc++] = e->ops[i];
        if (!in->node) {
            in->node = n;
            in->dec = sl_decoder_new(&app->inputs[n->input_ix].schema, n->cols, n->ncols, err);
            if (!in->dec) {
                char *m = sl_asprintf("input %s: %s", n->name, *err);
                sl_free(*err);
                *err = m;
                sl_engine_free(e);
                return NULL;
            }
            in->wanted = sl_malloc((size_t)n->ncols);
            source_wanted(plan, n, in->wanted);
            sl_decoder_want(in->dec, in->wanted);
            sl_type_t *types = SL_NEWN(sl_type_t, n->ncols);
            for (int c = 0; c < n->ncols; c++) types[c] = n->cols[c].type;
            in->batch = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
            sl_free(types);
            in->last_rowtime = INT64_MIN;
            in->bound = INT64_MIN;
        }
    }
    /* Outputs: the selection, else the app's Outputs, else every stream it creates. */
    for (int s = 0; s < plan->nstreams; s++) {
        const sl_pstream_t *ps = &plan->streams[s];
        const sl_pnode_t *sn = plan->nodes[ps->node];
        if (opts->noutputs) {
            if (!selected(opts, ps->name)) continue;
            sl_operator_t *k = out_sink_new(e, sn, NULL, true);
            add_out(e->ops[ps->node], k, 0);
            e->sinks = sl_realloc(e->sinks, sizeof(sl_operator_t *) * (size_t)(e->nsinks + 1));
            e->sinks[e->nsinks++] = k;
            continue;
        }
        bool any = false;
        for (size_t o = 0; o < app->noutputs; o++) {
            const sl_app_output_t *ao = &app->outputs[o];
            if (strcmp(ao->name, ps->name) && strcasecmp(ao->name, ps->name)) continue;
            any = true;
            bool to_store = ao->kind == SL_SINK_STREAM && opts->store && ao->target && !ao->endpoint;
            bool to_remote = ao->kind == SL_SINK_STREAM && ao->target && ao->endpoint;
            sl_operator_t *k = out_sink_new(e, sn, ao, !to_store && !to_remote);
            if (to_remote) ((struct out_sink *)k)->remote = sl_kput_new(ao->endpoint, ao->target);
            if (ao->kind == SL_SINK_WEBHOOK || ao->kind == SL_SINK_FILE || ao->kind == SL_SINK_COMMAND) {
                /* Delivered by runtime/sink: retries, dead letter, rate limit, dedup. */
                const char **names = SL_NEWN(const char *, sn->ncols + 1);
                for (int c = 0; c < sn->ncols; c++) names[c] = sn->cols[c].name;
                names[sn->ncols] = "ROWTIME";
                sl_sink_columns_t sc = {names, (size_t)sn->ncols + 1};
                char *serr = NULL;
                ((struct out_sink *)k)->deliver = sl_sink_new(ao, &sc, &serr);
                sl_free(names);
                if (!((struct out_sink *)k)->deliver) {
                    *err = sl_asprintf("output %s: %s", ao->id ? ao->id : ao->name, serr ? serr : "cannot start");
                    sl_free(serr);
                    k->vt->close(k);
                    sl_free(k);
                    sl_engine_free(e);
                    return NULL;
                }
            }
            add_out(e->ops[ps->node], k, 0);
            e->sinks = sl_realloc(e->sinks, sizeof(sl_operator_t *) * (size_t)(e->nsinks + 1));
            e->sinks[e->nsinks++] = k;
        }
        if (!any && !app->noutputs && !ps->is_input) {
            sl_operator_t *k = out_sink_new(e, sn, NULL, true);
            add_out(e->ops[ps->node], k, 0);
            e->sinks = sl_realloc(e->sinks, sizeof(sl_operator_t *) * (size_t)(e->nsinks + 1));
            e->sinks[e->nsinks++] = k;
        }
    }
    bool err_sel = opts->noutputs ? selected(opts, "error_stream") : false;
    for (size_t o = 0; !opts->noutputs && o < app->noutputs; o++)
        if (!strcasecmp(app->outputs[o].name, "error_stream")) err_sel = true;
    if (err_sel) {
        e->error_sink = out_sink_new(e, NULL, NULL, true);
        e->sinks = sl_realloc(e->sinks, sizeof(sl_operator_t *) * (size_t)(e->nsinks + 1));
        e->sinks[e->nsinks++] = e->error_sink;
    }
    return e;
}

/* Frees an engine; see engine.h. */
void sl_engine_free(sl_engine_t *e)
{
    if (!e) return;
    for (int i = 0; i < e->nops; i++) {
        if (!e->ops[i]) continue;
        e->ops[i]->vt->close(e->ops[i]);
        sl_free(e->ops[i]->outs);
        sl_free(e->ops[i]);
    }
    sl_free(e->ops);
    for (int i = 0; i < e->nsinks; i++) {
        e->sinks[i]->vt->close(e->sinks[i]);
        sl_free(e->sinks[i]->outs);
        sl_free(e->sinks[i]);
    }
    sl_free(e->sinks);
    for (int i = 0; i < e->ninputs; i++) {
        sl_decoder_free(e->inputs[i].dec);
        sl_batch_free(e->inputs[i].batch);
        sl_free(e->inputs[i].src);
        sl_free(e->inputs[i].wanted);
    }
    sl_free(e->inputs);
    sl_buf_free(&e->line);
    if (e->refdb) sqlite3_close(e->refdb);
    sl_free(e->failure);
    sl_free(e);
}

static void bound_input(sl_engine_t *e, sl_input_state_t *in, int64_t t);

/* Pushes a batch of input in to its (next) source, then bounds the input at the batch's
 * last ROWTIME (later records cannot be earlier: ROWTIME is non-decreasing), so merges and
 * joins downstream need not wait for rows of other inputs. */
static void push_input_batch(sl_engine_t *e, sl_input_state_t *in, sl_batch_t *b)
{
    if (!b->n) return;
    sl_operator_t *src = in->src[in->next];
    in->next = (in->next + 1) % in->nsrc;
    src->vt->push(src, 0, b);
    int64_t last = b->rowtime[b->n - 1];
    if (last > in->bound) {
        in->bound = last;
        for (int k = 0; k < in->nsrc; k++) in->src[k]->vt->bound(in->src[k], 0, last);
    }
}

/* Pushes input i's pending batch to its (next) source. */
static void flush_input(sl_engine_t *e, sl_input_state_t *in)
{
    if (!in->batch || !in->batch->n) return;
    push_input_batch(e, in, in->batch);
    sl_batch_reset(in->batch);
    in->flushes++;
}

/* A decoder for another thread; see engine.h. */
sl_decoder_t *sl_engine_decoder(sl_engine_t *e, int input_ix)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    char *err = NULL;
    sl_decoder_t *d = sl_decoder_new(&e->plan->app->inputs[in->node->input_ix].schema, in->node->cols,
                                     in->node->ncols, &err);
    sl_free(err);
    if (d) sl_decoder_want(d, in->wanted);
    return d;
}

/* An empty batch for input_ix; see engine.h. */
sl_batch_t *sl_engine_input_batch(sl_engine_t *e, int input_ix)
{
    const sl_pnode_t *n = e->inputs[input_ix].node;
    sl_type_t *types = SL_NEWN(sl_type_t, n->ncols);
    for (int c = 0; c < n->ncols; c++) types[c] = n->cols[c].type;
    sl_batch_t *b = sl_batch_new(n->ncols, types, SL_BATCH_CAP);
    sl_free(types);
    return b;
}

/* Pushes a batch decoded elsewhere; see engine.h. */
void sl_engine_push_batch(sl_engine_t *e, int input_ix, sl_batch_t *b)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    flush_input(e, in);
    for (size_t i = 0; i < b->n; i++) {
        if (b->rowtime[i] < in->last_rowtime) b->rowtime[i] = in->last_rowtime;
        in->last_rowtime = b->rowtime[i];
    }
    push_input_batch(e, in, b);
}

/* The single SOURCE operator of an input; see engine_int.h. */
sl_operator_t *sl_engine_source_op(sl_engine_t *e, int input_ix)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    return in->nsrc == 1 ? in->src[0] : NULL;
}

/* Merges a partial aggregate; see engine.h. The rows it folded must continue the input's
 * ROWTIME (no clamping would have changed them); then they go to the AGG as one merge and
 * the input's bound moves to their last ROWTIME, as pushing them would have done. */
bool sl_engine_push_partial(sl_engine_t *e, int input_ix, sl_partial_t *p)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    if (p->failed || !p->nrows || p->input != input_ix) return false;
    flush_input(e, in);
    if (p->first_rowtime < in->last_rowtime) return false;
    if (!sl_agg_absorb(p->agg_op, p)) return false;
    in->last_rowtime = p->last_rowtime;
    if (p->last_rowtime > in->bound) {
        in->bound = p->last_rowtime;
        for (int k = 0; k < in->nsrc; k++) in->src[k]->vt->bound(in->src[k], 0, p->last_rowtime);
    }
    return true;
}

/* Reports a record that did not decode; see engine.h. */
void sl_engine_decode_error(sl_engine_t *e, int input_ix, const char *msg, int64_t rowtime,
                            const void *data, size_t len, const char *seq)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    if (rowtime < in->last_rowtime) rowtime = in->last_rowtime;
    char full[512];
    snprintf(full, sizeof full, "input %s, record %s: %s", in->node->name, seq ? seq : "?", msg);
    sl_engine_error(e, "DecodeError", full, rowtime, data, len, NULL);
}

/* Decodes one (user) record into the input's batch; see sl_engine_record. */
static void record_one(sl_engine_t *e, sl_input_state_t *in, const char *data, size_t len,
                       int64_t rowtime, int64_t arrival, const char *seq)
{
    const char *err = NULL;
    int rc = sl_decoder_decode(in->dec, data, len, in->batch, rowtime, arrival, &err);
    if (rc == SL_DECODE_FULL) {
        /* The record's bytes may live in the batch arena: copy them before the reset. */
        char *copy = sl_malloc(len ? len : 1);
        memcpy(copy, data, len);
        flush_input(e, in);
        rc = sl_decoder_decode(in->dec, copy, len, in->batch, rowtime, arrival, &err);
        if (rc > 0) {
            /* Strings may point into `copy`: move it into the batch arena. */
            char *keep = sl_arena_alloc(in->batch->arena, len ? len : 1);
            memcpy(keep, copy, len);
            in->batch->n -= (size_t)rc;
            rc = sl_decoder_decode(in->dec, keep, len, in->batch, rowtime, arrival, &err);
        }
        sl_free(copy);
        if (rc == SL_DECODE_FULL) {
            rc = SL_DECODE_ERROR;
            err = "the record has more rows than a batch holds";
        }
    }
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "input %s, record %s: %s", in->node->name, seq ? seq : "?", err);
        sl_engine_error(e, "DecodeError", msg, rowtime, data, len, NULL);
        return;
    }
    if (in->batch->n >= in->batch->cap) flush_input(e, in);
}

/*
 * The user records of a KPL aggregated record (ingest/kpl.h), each decoded as a record of
 * its own and named "SEQ (user record i of n)" in errors. Rows point into the aggregate's
 * bytes, which sit in the batch's arena (sl_engine_record_buf); when decoding pushed that
 * batch (its arena reset), the rest of the aggregate is first copied into the arena again.
 */
static void record_kpl(sl_engine_t *e, sl_input_state_t *in, const char *data, size_t len,
                       int64_t rowtime, int64_t arrival, const char *seq)
{
    sl_kpl_rec_t small[64];
    const char *err = NULL;
    long n;
    sl_kpl_rec_t *recs = sl_kpl_list(data, len, small, 64, &n, &err);
    if (n < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "input %s, record %s: %s", in->node->name, seq ? seq : "?", err);
        sl_engine_error(e, "DecodeError", msg, rowtime, data, len, NULL);
        if (recs != small) sl_free(recs);
        return;
    }
    /* The aggregate is copied out first: the caller's bytes may be in the arena the first
     * flush resets, and every copy after a flush goes back into the (new) batch arena. */
    char *own = sl_malloc(len ? len : 1);
    memcpy(own, data, len);
    uint64_t gen = in->flushes;
    const char *home = data;
    for (long i = 0; i < n; i++) {
        if (in->flushes != gen) {
            char *copy = sl_engine_record_buf(e, (int)(in - e->inputs), len);
            memcpy(copy, own, len);
            home = copy;
            gen = in->flushes;
        }
        char sub[160];
        snprintf(sub, sizeof sub, "%s (user record %ld of %ld)", seq ? seq : "?", i + 1, n);
        record_one(e, in, home + recs[i].off, recs[i].len, rowtime, arrival, sub);
    }
    sl_free(own);
    if (recs != small) sl_free(recs);
}

void sl_engine_record(sl_engine_t *e, int input_ix, const char *data, size_t len,
                      int64_t rowtime, int64_t arrival, const char *seq)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    if (!in->dec) return;
    if (rowtime < in->last_rowtime) rowtime = in->last_rowtime;
    in->last_rowtime = rowtime;
    if (sl_kpl_is_aggregated(data, len)) record_kpl(e, in, data, len, rowtime, arrival, seq);
    else record_one(e, in, data, len, rowtime, arrival, seq);
}

/* Scratch for record bytes; see engine.h. */
void *sl_engine_record_buf(sl_engine_t *e, int input_ix, size_t n)
{
    sl_input_state_t *in = &e->inputs[input_ix];
    if (in->batch->n >= in->batch->cap) flush_input(e, in);
    return sl_arena_alloc(in->batch->arena, n ? n : 1);
}

/* Flushes every input; see engine.h. */
void sl_engine_flush(sl_engine_t *e)
{
    for (int i = 0; i < e->ninputs; i++) flush_input(e, &e->inputs[i]);
}

/* Sends a bound through input i's sources (flushing first). */
static void bound_input(sl_engine_t *e, sl_input_state_t *in, int64_t t)
{
    flush_input(e, in);
    if (t <= in->bound) return;
    in->bound = t;
    for (int k = 0; k < in->nsrc; k++) in->src[k]->vt->bound(in->src[k], 0, t);
}

/* Bounds; see engine.h. */
void sl_engine_bound(sl_engine_t *e, int input_ix, int64_t t)
{
    for (int i = 0; i < e->ninputs; i++)
        if (input_ix < 0 || i == input_ix) bound_input(e, &e->inputs[i], t);
}

/* End of input; see engine.h. */
void sl_engine_finish(sl_engine_t *e)
{
    sl_engine_bound(e, -1, INT64_MAX);
    /* Streams no pump feeds still need their bound. */
    for (int i = 0; i < e->nops; i++)
        if (e->plan->nodes[i]->kind == SL_PN_STREAM && !e->plan->nodes[i]->ninputs)
            sl_op_emit_bound(e->ops[i], INT64_MAX);
    fflush(e->opts.out);
}

/* Counters; see engine.h. */
int64_t sl_engine_rows_out(const sl_engine_t *e) { return e->rows_out; }

/* Sink counters; see engine.h. */
int sl_engine_sink_stats(const sl_engine_t *e, sl_sink_sample_t *out, int max)
{
    int n = 0;
    for (int i = 0; i < e->nsinks; i++) {
        const struct out_sink *s = (const struct out_sink *)e->sinks[i];
        if (!s->deliver) continue;
        if (n < max) {
            out[n] = (sl_sink_sample_t){.output = s->out->id ? s->out->id : s->out->name,
                                        .stream = s->out->name};
            sl_sink_stats(s->deliver, &out[n].st);
        }
        n++;
    }
    return n;
}
int64_t sl_engine_errors(const sl_engine_t *e) { return e->errors; }
