/*
 * appdesc.c - KDA CreateApplication JSON <-> sl_app_desc_t; see appdesc.h and README.md.
 *
 * Reading is one recursive walk over the sl_val_t tree with a path string that grows as it
 * descends ("Inputs[0].InputSchema.RecordColumns[2]"); the first problem found stops the
 * walk and becomes the error, "<path>: <what>". Shapes and limits follow the
 * kinesisanalytics 2015-08-14 API model; member types are checked too (the service answers
 * a wrong type with a SerializationException, sluice with the same path-named message).
 * Unknown members are ignored as the service does, except unknown "sluice:" ones, which are
 * an error so a misspelled extension is not silently lost.
 *
 * The description is built on the heap (it outlives the parse); the tree, the paths and
 * the error text before it is copied live in one arena freed at the end.
 */
#include "appdesc.h"

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "val.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The ARNs sl_app_desc_to_json writes where it kept only a name. */
#define SL_APP_ARN_REGION  "us-east-1"
#define SL_APP_ARN_ACCOUNT "000000000000"
#define SL_APP_ROLE_ARN    "arn:aws:iam::000000000000:role/sluice"

/* Walk state: the arena for the tree and paths, and the first error. */
typedef struct pctx {
    sl_arena_t *a;
    char *err; /* heap; set once */
} pctx_t;

/* Records "<path>: <message>" as the error (the first one wins) and returns -1. */
static int fail(pctx_t *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(pctx_t *c, const char *path, const char *fmt, ...)
{
    if (c->err) return -1;
    sl_buf_t b = SL_BUF_INIT;
    if (path && *path) sl_buf_printf(&b, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    c->err = sl_buf_steal(&b);
    return -1;
}

/* The path of member key under path ("A.B" or just "B" at the root). */
static const char *sub(pctx_t *c, const char *path, const char *key)
{
    return *path ? sl_arena_printf(c->a, "%s.%s", path, key) : key;
}

static const char *item(pctx_t *c, const char *path, size_t i)
{
    return sl_arena_printf(c->a, "%s[%zu]", path, i);
}

/* Member key of obj as an object. Returns 1 found, 0 absent (an error if required), -1 on
 * error. JSON null counts as absent, as in the AWS SDKs. */
static int get_obj(pctx_t *c, const sl_val_t *obj, const char *path, const char *key, bool required,
                   const sl_val_t **out)
{
    const sl_val_t *v = sl_val_get(obj, key);
    *out = NULL;
    if (!v || v->type == SL_V_NULL) {
        if (required) return fail(c, path, "%s is required", key);
        return 0;
    }
    if (v->type != SL_V_OBJ)
        return fail(c, sub(c, path, key), "expected an object, got %s", sl_vtype_name(v->type));
    *out = v;
    return 1;
}

static int get_arr(pctx_t *c, const sl_val_t *obj, const char *path, const char *key, bool required,
                   const sl_val_t **out)
{
    const sl_val_t *v = sl_val_get(obj, key);
    *out = NULL;
    if (!v || v->type == SL_V_NULL) {
        if (required) return fail(c, path, "%s is required", key);
        return 0;
    }
    if (v->type != SL_V_ARR)
        return fail(c, sub(c, path, key), "expected an array, got %s", sl_vtype_name(v->type));
    *out = v;
    return 1;
}

/* Member key as a string of min..max bytes (max 0: unbounded). Same returns as get_obj. */
static int get_str(pctx_t *c, const sl_val_t *obj, const char *path, const char *key, bool required,
                   size_t min, size_t max, const char **out)
{
    const sl_val_t *v = sl_val_get(obj, key);
    *out = NULL;
    if (!v || v->type == SL_V_NULL) {
        if (required) return fail(c, path, "%s is required", key);
        return 0;
    }
    const char *p = sub(c, path, key);
    if (v->type != SL_V_STR) return fail(c, p, "expected a string, got %s", sl_vtype_name(v->type));
    if (v->u.str.len < min) return fail(c, p, "must have length greater than or equal to %zu", min);
    if (max && v->u.str.len > max)
        return fail(c, p, "must have length less than or equal to %zu", max);
    if (strlen(v->u.str.p) != v->u.str.len) return fail(c, p, "must not contain NUL characters");
    *out = v->u.str.p;
    return 1;
}

/* Rejects "sluice:" members that are not in `known` (NULL-terminated). */
static int check_ext(pctx_t *c, const sl_val_t *obj, const char *path, const char *const *known)
{
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const char *k = obj->u.obj.members[i].key;
        if (strncmp(k, "sluice:", 7) != 0) continue;
        bool ok = false;
        for (size_t j = 0; known && known[j]; j++)
            if (strcmp(known[j], k) == 0) ok = true;
        if (!ok) return fail(c, sub(c, path, k), "unknown sluice extension");
    }
    return 0;
}

/* A name of [a-zA-Z0-9_.-]{1,128}, the shape of stream and application names. */
static bool is_aws_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 128) return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-') return false;
    return true;
}

/*
 * Splits "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE" and checks SERVICE; returns the
 * RESOURCE part (pointing into arn) or NULL.
 */
static const char *arn_resource(const char *arn, const char *service)
{
    if (strncmp(arn, "arn:", 4) != 0) return NULL;
    const char *f[6];
    f[0] = arn;
    int n = 1;
    for (const char *p = arn; *p && n < 6; p++)
        if (*p == ':') f[n++] = p + 1;
    if (n < 6) return NULL;
    size_t sl = strlen(service);
    if (strncmp(f[2], service, sl) != 0 || f[2][sl] != ':') return NULL;
    return f[5];
}

/* Checks member key of path holds a role ARN of the API model's pattern
 * arn:aws:iam::\d{12}:role/NAME. */
static int check_role(pctx_t *c, const char *path, const char *key, const char *role)
{
    const char *r = arn_resource(role, "iam");
    bool role_ok = r && strncmp(r, "role/", 5) == 0;
    if (role_ok) {
        const char *acct = strstr(role, "::");
        role_ok = acct && strspn(acct + 2, "0123456789") == 12 && acct[14] == ':';
    }
    if (!role_ok)
        return fail(c, sub(c, path, key), "expected arn:aws:iam::ACCOUNT:role/NAME, got '%s'",
                    role);
    return 0;
}

/*
 * Splits a log stream ARN, arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:STREAM,
 * into GROUP and STREAM (pointers into arn with their lengths). Returns false when arn has
 * another shape. A group name holds no ':' (CloudWatch's names are [.-_/#A-Za-z0-9]).
 */
static bool split_log_stream_arn(const char *arn, const char **group, size_t *glen,
                                 const char **stream)
{
    const char *res = arn_resource(arn, "logs");
    if (!res || strncmp(res, "log-group:", 10) != 0) return false;
    *group = res + 10;
    const char *mark = strstr(*group, ":log-stream:");
    if (!mark || mark == *group) return false;
    *glen = (size_t)(mark - *group);
    *stream = mark + 12;
    return **stream != '\0' && memchr(*group, ':', *glen) == NULL;
}

/* Reads {ResourceARN, RoleARN} and returns the ResourceARN (arena), checking its service and
 * resource type ("stream/", "deliverystream/", "function:"). *name gets what follows. */
static int get_arn_pair(pctx_t *c, const sl_val_t *obj, const char *path, const char *service,
                        const char *rtype, const char **name)
{
    const char *arn, *role;
    if (get_str(c, obj, path, "ResourceARN", true, 1, 2048, &arn) < 0) return -1;
    if (get_str(c, obj, path, "RoleARN", true, 1, 2048, &role) < 0) return -1;
    const char *res = arn_resource(arn, service);
    size_t rl = strlen(rtype);
    if (!res || strncmp(res, rtype, rl) != 0 || !res[rl])
        return fail(c, sub(c, path, "ResourceARN"),
                    "expected arn:aws:%s:REGION:ACCOUNT:%sNAME, got '%s'", service, rtype, arn);
    if (check_role(c, path, "RoleARN", role) < 0) return -1;
    *name = res + rl;
    if ((strcmp(service, "kinesis") == 0 || strcmp(service, "firehose") == 0) &&
        !is_aws_name(*name))
        return fail(c, sub(c, path, "ResourceARN"), "'%s' is not a valid stream name", *name);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? sl_strdup(s) : NULL;
}

/* An http(s):// URL, the shape of endpoints and webhook targets. */
static bool is_http_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* ---- schemas ---------------------------------------------------------------------------- */

/* Reads an InputSchema / ReferenceSchema (SourceSchema) into *s (heap). */
static int parse_schema(pctx_t *c, const sl_val_t *o, const char *path, sl_record_schema_t *s)
{
    const sl_val_t *rf, *mp, *cols;
    if (get_obj(c, o, path, "RecordFormat", true, &rf) < 0) return -1;
    const char *rfp = sub(c, path, "RecordFormat");
    const char *type;
    if (get_str(c, rf, rfp, "RecordFormatType", true, 1, 0, &type) < 0) return -1;
    if (strcmp(type, "JSON") == 0)
        s->format = SL_FORMAT_JSON;
    else if (strcmp(type, "CSV") == 0)
        s->format = SL_FORMAT_CSV;
    else
        return fail(c, sub(c, rfp, "RecordFormatType"), "must be one of JSON, CSV; got '%s'", type);
    s->row_path = sl_strdup("$");
    s->row_delim = sl_strdup("\n");
    s->col_delim = sl_strdup(",");
    if (get_obj(c, rf, rfp, "MappingParameters", false, &mp) < 0) return -1;
    if (mp) {
        const char *mpp = sub(c, rfp, "MappingParameters");
        const sl_val_t *jm, *cm;
        if (get_obj(c, mp, mpp, "JSONMappingParameters", false, &jm) < 0) return -1;
        if (get_obj(c, mp, mpp, "CSVMappingParameters", false, &cm) < 0) return -1;
        if (jm && s->format != SL_FORMAT_JSON)
            return fail(c, sub(c, mpp, "JSONMappingParameters"),
                        "does not apply to RecordFormatType %s", type);
        if (cm && s->format != SL_FORMAT_CSV)
            return fail(c, sub(c, mpp, "CSVMappingParameters"),
                        "does not apply to RecordFormatType %s", type);
        if (jm) {
            const char *jp = sub(c, mpp, "JSONMappingParameters"), *rp;
            if (get_str(c, jm, jp, "RecordRowPath", true, 1, 65535, &rp) < 0) return -1;
            if (rp[0] != '$')
                return fail(c, sub(c, jp, "RecordRowPath"), "must be a JSONPath starting with '$'");
            sl_free(s->row_path);
            s->row_path = sl_strdup(rp);
        }
        if (cm) {
            const char *cp = sub(c, mpp, "CSVMappingParameters"), *rd, *cd;
            if (get_str(c, cm, cp, "RecordRowDelimiter", true, 1, 0, &rd) < 0) return -1;
            if (get_str(c, cm, cp, "RecordColumnDelimiter", true, 1, 0, &cd) < 0) return -1;
            if (strcmp(rd, cd) == 0)
                return fail(c, cp, "RecordRowDelimiter and RecordColumnDelimiter must differ");
            sl_free(s->row_delim);
            sl_free(s->col_delim);
            s->row_delim = sl_strdup(rd);
            s->col_delim = sl_strdup(cd);
        }
    }
    const char *enc;
    if (get_str(c, o, path, "RecordEncoding", false, 0, 0, &enc) < 0) return -1;
    if (enc && strcmp(enc, "UTF-8") != 0)
        return fail(c, sub(c, path, "RecordEncoding"), "must be UTF-8; got '%s'", enc);
    s->encoding = sl_strdup("UTF-8");

    if (get_arr(c, o, path, "RecordColumns", true, &cols) < 0) return -1;
    const char *colsp = sub(c, path, "RecordColumns");
    size_t n = cols->u.arr.n;
    if (n < 1) return fail(c, colsp, "must have at least 1 column");
    if (n > SL_APP_MAX_COLUMNS)
        return fail(c, colsp, "must have at most %d columns; got %zu", SL_APP_MAX_COLUMNS, n);
    s->cols = SL_NEWN(sl_schema_col_t, n);
    for (size_t i = 0; i < n; i++) {
        const sl_val_t *col = cols->u.arr.items[i];
        const char *cp = item(c, colsp, i), *name, *sqlt, *map;
        if (col->type != SL_V_OBJ)
            return fail(c, cp, "expected an object, got %s", sl_vtype_name(col->type));
        if (get_str(c, col, cp, "Name", true, 1, 0, &name) < 0) return -1;
        if (get_str(c, col, cp, "SqlType", true, 1, 0, &sqlt) < 0) return -1;
        if (get_str(c, col, cp, "Mapping", false, 0, 0, &map) < 0) return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->cols[j].name, name) == 0)
                return fail(c, sub(c, cp, "Name"),
                            "duplicate column name '%s' (also RecordColumns[%zu])", name, j);
        sl_sqltype_t t;
        const char *why;
        if (sl_sqltype_parse(sqlt, &t, &why) < 0)
            return fail(c, sub(c, cp, "SqlType"), "%s: '%s'", why, sqlt);
        if (s->format == SL_FORMAT_JSON && map && map[0] != '$')
            return fail(c, sub(c, cp, "Mapping"), "must be a JSONPath starting with '$'; got '%s'",
                        map);
        s->cols[i].name = sl_strdup(name);
        s->cols[i].sql_type = sl_strdup(sqlt);
        /* JSON columns always carry a mapping: "$.<Name>" when none is given. CSV maps by
         * position, so a mapping there means nothing and is dropped. */
        if (s->format == SL_FORMAT_JSON)
            s->cols[i].mapping = map && *map ? sl_strdup(map) : sl_asprintf("$.%s", name);
        s->ncols = i + 1;
    }
    return 0;
}

/* ---- inputs, outputs, reference sources ------------------------------------------------- */

static int parse_start(pctx_t *c, const sl_val_t *o, const char *path, sl_app_input_t *in)
{
    const char *sp;
    if (get_str(c, o, path, "sluice:StartingPosition", false, 1, 0, &sp) < 0) return -1;
    const sl_val_t *ts = sl_val_get(o, "sluice:StartingTimestamp");
    if (!sp) {
        if (ts)
            return fail(c, sub(c, path, "sluice:StartingTimestamp"),
                        "needs sluice:StartingPosition AT_TIMESTAMP");
        return 0;
    }
    if (strcmp(sp, "NOW") == 0)
        in->start = SL_START_NOW;
    else if (strcmp(sp, "TRIM_HORIZON") == 0)
        in->start = SL_START_TRIM_HORIZON;
    else if (strcmp(sp, "LAST_STOPPED_POINT") == 0)
        in->start = SL_START_LAST_STOPPED_POINT;
    else if (strcmp(sp, "AT_TIMESTAMP") == 0)
        in->start = SL_START_AT_TIMESTAMP;
    else
        return fail(c, sub(c, path, "sluice:StartingPosition"),
                    "must be one of NOW, TRIM_HORIZON, LAST_STOPPED_POINT, AT_TIMESTAMP; got '%s'",
                    sp);
    if (in->start == SL_START_AT_TIMESTAMP) {
        if (sl_val_time_ms(ts, &in->start_ms) != 1)
            return fail(c, path,
                        "sluice:StartingTimestamp (epoch seconds) is required with AT_TIMESTAMP");
    } else if (ts) {
        return fail(c, sub(c, path, "sluice:StartingTimestamp"), "only applies to AT_TIMESTAMP");
    }
    return 0;
}

static int parse_input(pctx_t *c, const sl_val_t *o, const char *path, size_t ix,
                       sl_app_input_t *in)
{
    static const char *const ext[] = {"sluice:Endpoint", "sluice:StartingPosition",
                                      "sluice:StartingTimestamp", NULL};
    if (o->type != SL_V_OBJ)
        return fail(c, path, "expected an object, got %s", sl_vtype_name(o->type));
    if (check_ext(c, o, path, ext) < 0) return -1;
    in->id = sl_asprintf("%zu.1", ix + 1);
    in->parallelism = 1;
    const char *np;
    if (get_str(c, o, path, "NamePrefix", true, 1, SL_APP_MAX_NAME, &np) < 0) return -1;
    in->name_prefix = sl_strdup(np);

    const sl_val_t *ks, *fh, *ip, *pc, *schema;
    if (get_obj(c, o, path, "KinesisStreamsInput", false, &ks) < 0) return -1;
    if (get_obj(c, o, path, "KinesisFirehoseInput", false, &fh) < 0) return -1;
    if (ks && fh)
        return fail(c, path, "give one of KinesisStreamsInput, KinesisFirehoseInput, not both");
    if (!ks && !fh) return fail(c, path, "KinesisStreamsInput or KinesisFirehoseInput is required");
    const char *name;
    if (ks) {
        if (get_arn_pair(c, ks, sub(c, path, "KinesisStreamsInput"), "kinesis", "stream/", &name) <
            0)
            return -1;
        in->source = SL_SOURCE_KINESIS;
    } else {
        if (get_arn_pair(c, fh, sub(c, path, "KinesisFirehoseInput"), "firehose", "deliverystream/",
                         &name) < 0)
            return -1;
        in->source = SL_SOURCE_FIREHOSE;
    }
    in->stream = sl_strdup(name);

    const char *ep;
    if (get_str(c, o, path, "sluice:Endpoint", false, 1, 0, &ep) < 0) return -1;
    if (ep && !is_http_url(ep))
        return fail(c, sub(c, path, "sluice:Endpoint"), "expected an http:// or https:// URL");
    if (ep && !ks)
        return fail(c, sub(c, path, "sluice:Endpoint"), "only applies to KinesisStreamsInput");
    in->endpoint = dup_or_null(ep);

    if (get_obj(c, o, path, "InputParallelism", false, &ip) < 0) return -1;
    if (ip) {
        const char *pp = sub(c, path, "InputParallelism");
        const sl_val_t *cnt = sl_val_get(ip, "Count");
        if (cnt && cnt->type != SL_V_NULL) {
            if (cnt->type != SL_V_NUM || !cnt->u.num.is_int)
                return fail(c, sub(c, pp, "Count"), "expected an integer");
            if (cnt->u.num.i < 1 || cnt->u.num.i > SL_APP_MAX_PARALLELISM)
                return fail(c, sub(c, pp, "Count"), "must be between 1 and %d; got %lld",
                            SL_APP_MAX_PARALLELISM, (long long)cnt->u.num.i);
            in->parallelism = (int)cnt->u.num.i;
        }
    }
    if (get_obj(c, o, path, "InputProcessingConfiguration", false, &pc) < 0) return -1;
    if (pc) {
        const char *pp = sub(c, path, "InputProcessingConfiguration");
        const sl_val_t *lp;
        if (get_obj(c, pc, pp, "InputLambdaProcessor", true, &lp) < 0) return -1;
        if (get_arn_pair(c, lp, sub(c, pp, "InputLambdaProcessor"), "lambda", "function:", &name) <
            0)
            return -1;
        const char *arn;
        get_str(c, lp, pp, "ResourceARN", true, 1, 2048, &arn);
        in->processor_arn = sl_strdup(arn);
    }
    if (get_obj(c, o, path, "InputSchema", true, &schema) < 0) return -1;
    if (parse_schema(c, schema, sub(c, path, "InputSchema"), &in->schema) < 0) return -1;
    return parse_start(c, o, path, in);
}

/* The "sluice:Sink" extension of an Output: {Kind, Target, Options{}}. */
static int parse_sink(pctx_t *c, const sl_val_t *sk, const char *path, sl_app_output_t *out)
{
    static const struct {
        const char *name;
        sl_sink_kind_t kind;
    } kinds[] = {{"STDOUT", SL_SINK_STDOUT},
                 {"FILE", SL_SINK_FILE},
                 {"WEBHOOK", SL_SINK_WEBHOOK},
                 {"COMMAND", SL_SINK_COMMAND},
                 {"STREAM", SL_SINK_STREAM}};
    const char *kind, *target;
    if (get_str(c, sk, path, "Kind", true, 1, 0, &kind) < 0) return -1;
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].name, kind) == 0) break;
    if (k == sizeof kinds / sizeof kinds[0])
        return fail(c, sub(c, path, "Kind"),
                    "must be one of STDOUT, FILE, WEBHOOK, COMMAND, STREAM; got '%s'", kind);
    out->kind = kinds[k].kind;
    bool needs_target = out->kind != SL_SINK_STDOUT;
    if (get_str(c, sk, path, "Target", needs_target, 1, 0, &target) < 0) return -1;
    if (target && !needs_target) return fail(c, sub(c, path, "Target"), "STDOUT takes no Target");
    if (out->kind == SL_SINK_WEBHOOK && !is_http_url(target))
        return fail(c, sub(c, path, "Target"), "expected an http:// or https:// URL");
    if (out->kind == SL_SINK_STREAM && !is_aws_name(target))
        return fail(c, sub(c, path, "Target"), "'%s' is not a valid stream name", target);
    out->target = dup_or_null(target);
    const sl_val_t *opts;
    if (get_obj(c, sk, path, "Options", false, &opts) < 0) return -1;
    if (opts && opts->u.obj.n) {
        const char *op = sub(c, path, "Options");
        out->options = SL_NEWN(sl_app_option_t, opts->u.obj.n);
        for (size_t i = 0; i < opts->u.obj.n; i++) {
            const sl_member_t *m = &opts->u.obj.members[i];
            const sl_val_t *v = m->val;
            char *val;
            if (v->type == SL_V_STR)
                val = sl_strdup(v->u.str.p);
            else if (v->type == SL_V_NUM && v->u.num.is_int)
                val = sl_asprintf("%lld", (long long)v->u.num.i);
            else if (v->type == SL_V_NUM)
                val = sl_asprintf("%.17g", v->u.num.d);
            else if (v->type == SL_V_BOOL)
                val = sl_strdup(v->u.b ? "true" : "false");
            else
                return fail(c, sub(c, op, m->key), "expected a string, number or boolean");
            out->options[out->noptions].key = sl_strdup(m->key);
            out->options[out->noptions].value = val;
            out->noptions++;
        }
    }
    return 0;
}

static int parse_output(pctx_t *c, const sl_val_t *o, const char *path, size_t ix,
                        sl_app_output_t *out)
{
    static const char *const ext[] = {"sluice:Sink", "sluice:Endpoint", NULL};
    if (o->type != SL_V_OBJ)
        return fail(c, path, "expected an object, got %s", sl_vtype_name(o->type));
    if (check_ext(c, o, path, ext) < 0) return -1;
    out->id = sl_asprintf("%zu.1", ix + 1);
    const char *name;
    if (get_str(c, o, path, "Name", true, 1, SL_APP_MAX_NAME, &name) < 0) return -1;
    out->name = sl_strdup(name);
    const sl_val_t *ds;
    if (get_obj(c, o, path, "DestinationSchema", true, &ds) < 0) return -1;
    const char *dsp = sub(c, path, "DestinationSchema"), *ft;
    if (get_str(c, ds, dsp, "RecordFormatType", true, 1, 0, &ft) < 0) return -1;
    if (strcmp(ft, "JSON") == 0)
        out->format = SL_FORMAT_JSON;
    else if (strcmp(ft, "CSV") == 0)
        out->format = SL_FORMAT_CSV;
    else
        return fail(c, sub(c, dsp, "RecordFormatType"), "must be one of JSON, CSV; got '%s'", ft);

    const sl_val_t *ks, *fh, *la, *sk;
    if (get_obj(c, o, path, "KinesisStreamsOutput", false, &ks) < 0) return -1;
    if (get_obj(c, o, path, "KinesisFirehoseOutput", false, &fh) < 0) return -1;
    if (get_obj(c, o, path, "LambdaOutput", false, &la) < 0) return -1;
    if (get_obj(c, o, path, "sluice:Sink", false, &sk) < 0) return -1;
    int given = !!ks + !!fh + !!la + !!sk;
    if (given == 0)
        return fail(
            c, path,
            "KinesisStreamsOutput, KinesisFirehoseOutput, LambdaOutput or sluice:Sink is required");
    if (given > 1)
        return fail(c, path,
                    "give only one of KinesisStreamsOutput, KinesisFirehoseOutput, LambdaOutput, "
                    "sluice:Sink");
    const char *res;
    if (ks) {
        if (get_arn_pair(c, ks, sub(c, path, "KinesisStreamsOutput"), "kinesis", "stream/", &res) <
            0)
            return -1;
        out->kind = SL_SINK_STREAM;
        out->target = sl_strdup(res);
    } else if (fh) {
        if (get_arn_pair(c, fh, sub(c, path, "KinesisFirehoseOutput"), "firehose",
                         "deliverystream/", &res) < 0)
            return -1;
        out->kind = SL_SINK_FIREHOSE;
        out->target = sl_strdup(res);
    } else if (la) {
        const char *lp = sub(c, path, "LambdaOutput"), *arn;
        if (get_arn_pair(c, la, lp, "lambda", "function:", &res) < 0) return -1;
        get_str(c, la, lp, "ResourceARN", true, 1, 2048, &arn);
        out->kind = SL_SINK_LAMBDA;
        out->target = sl_strdup(arn);
    } else if (parse_sink(c, sk, sub(c, path, "sluice:Sink"), out) < 0) {
        return -1;
    }
    const char *ep;
    if (get_str(c, o, path, "sluice:Endpoint", false, 1, 0, &ep) < 0) return -1;
    if (ep && !is_http_url(ep))
        return fail(c, sub(c, path, "sluice:Endpoint"), "expected an http:// or https:// URL");
    if (ep && out->kind != SL_SINK_STREAM)
        return fail(c, sub(c, path, "sluice:Endpoint"), "only applies to stream outputs");
    out->endpoint = dup_or_null(ep);
    return 0;
}

static int parse_ref(pctx_t *c, const sl_val_t *o, const char *path, size_t ix, sl_app_ref_t *r)
{
    static const char *const ext[] = {"sluice:Source", NULL};
    if (o->type != SL_V_OBJ)
        return fail(c, path, "expected an object, got %s", sl_vtype_name(o->type));
    if (check_ext(c, o, path, ext) < 0) return -1;
    r->id = sl_asprintf("%zu.1", ix + 1);
    const char *tn;
    if (get_str(c, o, path, "TableName", true, 1, SL_APP_MAX_NAME, &tn) < 0) return -1;
    r->table_name = sl_strdup(tn);
    const sl_val_t *s3, *schema;
    const char *src;
    if (get_obj(c, o, path, "S3ReferenceDataSource", false, &s3) < 0) return -1;
    if (get_str(c, o, path, "sluice:Source", false, 1, 0, &src) < 0) return -1;
    if (s3 && src)
        return fail(c, path, "give one of S3ReferenceDataSource, sluice:Source, not both");
    if (!s3 && !src) return fail(c, path, "S3ReferenceDataSource or sluice:Source is required");
    if (s3) {
        const char *sp = sub(c, path, "S3ReferenceDataSource"), *bucket, *key, *role;
        if (get_str(c, s3, sp, "BucketARN", true, 1, 2048, &bucket) < 0) return -1;
        if (get_str(c, s3, sp, "FileKey", true, 1, 1024, &key) < 0) return -1;
        if (get_str(c, s3, sp, "ReferenceRoleARN", true, 1, 2048, &role) < 0) return -1;
        const char *b = arn_resource(bucket, "s3");
        if (!b || !*b || strchr(b, '/'))
            return fail(c, sub(c, sp, "BucketARN"), "expected arn:aws:s3:::BUCKET, got '%s'",
                        bucket);
        r->source = sl_asprintf("s3://%s/%s", b, key[0] == '/' ? key + 1 : key);
    } else {
        r->source = sl_strdup(src);
    }
    if (get_obj(c, o, path, "ReferenceSchema", true, &schema) < 0) return -1;
    return parse_schema(c, schema, sub(c, path, "ReferenceSchema"), &r->schema);
}

static int parse_cwlog(pctx_t *c, const sl_val_t *o, const char *path, size_t ix,
                       sl_app_cwlog_t *w)
{
    if (o->type != SL_V_OBJ)
        return fail(c, path, "expected an object, got %s", sl_vtype_name(o->type));
    w->id = sl_asprintf("%zu.1", ix + 1);
    const char *arn, *role, *g, *st;
    size_t gl;
    if (get_str(c, o, path, "LogStreamARN", true, 1, 2048, &arn) < 0) return -1;
    if (get_str(c, o, path, "RoleARN", true, 1, 2048, &role) < 0) return -1;
    if (!split_log_stream_arn(arn, &g, &gl, &st))
        return fail(c, sub(c, path, "LogStreamARN"),
                    "expected arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:STREAM, "
                    "got '%s'",
                    arn);
    if (check_role(c, path, "RoleARN", role) < 0) return -1;
    w->log_stream_arn = sl_strdup(arn);
    w->role_arn = sl_strdup(role);
    return 0;
}

/* Reads one of the top-level lists with its element parser and KDA limit. */
#define PARSE_LIST(KEY, MAX, ARR, N, T, FN)                                                        \
    do {                                                                                           \
        const sl_val_t *l_;                                                                        \
        if (get_arr(c, root, "", KEY, false, &l_) < 0) goto fail;                                  \
        if (l_ && l_->u.arr.n > (MAX)) {                                                           \
            fail(c, KEY, "at most %d allowed by the service limits; got %zu", (int)(MAX),          \
                 l_->u.arr.n);                                                                     \
            goto fail;                                                                             \
        }                                                                                          \
        if (l_ && l_->u.arr.n) {                                                                   \
            out->ARR = SL_NEWN(T, l_->u.arr.n);                                                    \
            for (size_t i_ = 0; i_ < l_->u.arr.n; i_++) {                                          \
                out->N = i_ + 1;                                                                   \
                if (FN(c, l_->u.arr.items[i_], item(c, KEY, i_), i_, &out->ARR[i_]) < 0)           \
                    goto fail;                                                                     \
            }                                                                                      \
        }                                                                                          \
    } while (0)

int sl_app_desc_from_json(const char *text, size_t len, sl_app_desc_t *out, char **err)
{
    memset(out, 0, sizeof *out);
    pctx_t cx = {sl_arena_new(0), NULL}, *c = &cx;
    const char *perr;
    const sl_val_t *root = sl_json_parse(c->a, text, len, &perr);
    if (!root) {
        fail(c, NULL, "not valid JSON: %s", perr);
        goto fail;
    }
    if (root->type != SL_V_OBJ) {
        fail(c, NULL, "expected a JSON object (a CreateApplication request), got %s",
             sl_vtype_name(root->type));
        goto fail;
    }
    static const char *const ext[] = {NULL};
    if (check_ext(c, root, "", ext) < 0) goto fail;
    const char *s;
    if (get_str(c, root, "", "ApplicationName", true, 1, SL_APP_MAX_APP_NAME, &s) < 0) goto fail;
    if (!is_aws_name(s)) {
        fail(c, "ApplicationName", "must match [a-zA-Z0-9_.-]+; got '%s'", s);
        goto fail;
    }
    out->name = sl_strdup(s);
    if (get_str(c, root, "", "ApplicationDescription", false, 0, SL_APP_MAX_DESCRIPTION, &s) < 0)
        goto fail;
    out->description = dup_or_null(s);
    if (get_str(c, root, "", "ApplicationCode", false, 0, SL_APP_MAX_CODE, &s) < 0) goto fail;
    out->code = dup_or_null(s);

    PARSE_LIST("Inputs", SL_APP_MAX_INPUTS, inputs, ninputs, sl_app_input_t, parse_input);
    PARSE_LIST("Outputs", SL_APP_MAX_OUTPUTS, outputs, noutputs, sl_app_output_t, parse_output);
    PARSE_LIST("ReferenceDataSources", SL_APP_MAX_REFS, refs, nrefs, sl_app_ref_t, parse_ref);
    PARSE_LIST("CloudWatchLoggingOptions", SL_APP_MAX_CWLOGS, cwlogs, ncwlogs, sl_app_cwlog_t,
               parse_cwlog);

    /* In-app names must not collide: KDA creates them all in one namespace (outputs name an
     * existing in-app stream, so they are not checked against each other). */
    for (size_t i = 0; i < out->nrefs; i++)
        for (size_t j = 0; j < out->ninputs; j++)
            if (strcmp(out->refs[i].table_name, out->inputs[j].name_prefix) == 0) {
                fail(c, sl_arena_printf(c->a, "ReferenceDataSources[%zu].TableName", i),
                     "'%s' is also the NamePrefix of Inputs[%zu]", out->refs[i].table_name, j);
                goto fail;
            }

    const sl_val_t *tags;
    if (get_arr(c, root, "", "Tags", false, &tags) < 0) goto fail;
    if (tags) {
        if (tags->u.arr.n < 1) {
            fail(c, "Tags", "must have at least 1 tag when given");
            goto fail;
        }
        if (tags->u.arr.n > SL_APP_MAX_TAGS) {
            fail(c, "Tags", "at most %d tags allowed; got %zu", SL_APP_MAX_TAGS, tags->u.arr.n);
            goto fail;
        }
        out->tags = SL_NEWN(sl_app_tag_t, tags->u.arr.n);
        for (size_t i = 0; i < tags->u.arr.n; i++) {
            const sl_val_t *t = tags->u.arr.items[i];
            const char *tp = item(c, "Tags", i), *k, *v;
            if (t->type != SL_V_OBJ) {
                fail(c, tp, "expected an object, got %s", sl_vtype_name(t->type));
                goto fail;
            }
            if (get_str(c, t, tp, "Key", true, 1, 128, &k) < 0) goto fail;
            if (get_str(c, t, tp, "Value", false, 0, 256, &v) < 0) goto fail;
            for (size_t j = 0; j < i; j++)
                if (strcmp(out->tags[j].key, k) == 0) {
                    fail(c, sub(c, tp, "Key"), "duplicate tag key '%s'", k);
                    goto fail;
                }
            out->tags[i].key = sl_strdup(k);
            out->tags[i].value = sl_strdup(v ? v : "");
            out->ntags = i + 1;
        }
    }
    sl_arena_free(c->a);
    return 0;

fail:
    *err = c->err;
    sl_arena_free(c->a);
    sl_app_desc_free(out);
    return -1;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void enc_str_member(sl_enc_t *e, const char *key, const char *v)
{
    sl_enc_key(e, key);
    sl_enc_str(e, v);
}

static void enc_arn_pair(sl_enc_t *e, const char *key, const char *arn)
{
    sl_enc_key(e, key);
    sl_enc_obj_begin(e);
    enc_str_member(e, "ResourceARN", arn);
    enc_str_member(e, "RoleARN", SL_APP_ROLE_ARN);
    sl_enc_obj_end(e);
}

/* A Kinesis or Firehose ARN for a kept name, in the default region and account. */
static void enc_stream_arn(sl_enc_t *e, const char *key, const char *service, const char *rtype,
                           const char *name)
{
    char *arn = sl_asprintf("arn:aws:%s:%s:%s:%s%s", service, SL_APP_ARN_REGION, SL_APP_ARN_ACCOUNT,
                            rtype, name);
    enc_arn_pair(e, key, arn);
    sl_free(arn);
}

static void enc_schema(sl_enc_t *e, const char *key, const sl_record_schema_t *s)
{
    sl_enc_key(e, key);
    sl_enc_obj_begin(e);
    sl_enc_key(e, "RecordFormat");
    sl_enc_obj_begin(e);
    enc_str_member(e, "RecordFormatType", s->format == SL_FORMAT_JSON ? "JSON" : "CSV");
    sl_enc_key(e, "MappingParameters");
    sl_enc_obj_begin(e);
    if (s->format == SL_FORMAT_JSON) {
        sl_enc_key(e, "JSONMappingParameters");
        sl_enc_obj_begin(e);
        enc_str_member(e, "RecordRowPath", s->row_path ? s->row_path : "$");
        sl_enc_obj_end(e);
    } else {
        sl_enc_key(e, "CSVMappingParameters");
        sl_enc_obj_begin(e);
        enc_str_member(e, "RecordRowDelimiter", s->row_delim ? s->row_delim : "\n");
        enc_str_member(e, "RecordColumnDelimiter", s->col_delim ? s->col_delim : ",");
        sl_enc_obj_end(e);
    }
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
    enc_str_member(e, "RecordEncoding", s->encoding ? s->encoding : "UTF-8");
    sl_enc_key(e, "RecordColumns");
    sl_enc_arr_begin(e);
    for (size_t i = 0; i < s->ncols; i++) {
        sl_enc_obj_begin(e);
        enc_str_member(e, "Name", s->cols[i].name);
        if (s->cols[i].mapping) enc_str_member(e, "Mapping", s->cols[i].mapping);
        enc_str_member(e, "SqlType", s->cols[i].sql_type);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
}

static const char *start_name(sl_start_pos_t p)
{
    switch (p) {
    case SL_START_NOW:
        return "NOW";
    case SL_START_TRIM_HORIZON:
        return "TRIM_HORIZON";
    case SL_START_LAST_STOPPED_POINT:
        return "LAST_STOPPED_POINT";
    case SL_START_AT_TIMESTAMP:
        return "AT_TIMESTAMP";
    }
    return "NOW";
}

static void enc_input(sl_enc_t *e, const sl_app_input_t *in)
{
    sl_enc_obj_begin(e);
    enc_str_member(e, "NamePrefix", in->name_prefix);
    if (in->source == SL_SOURCE_FIREHOSE)
        enc_stream_arn(e, "KinesisFirehoseInput", "firehose", "deliverystream/", in->stream);
    else
        enc_stream_arn(e, "KinesisStreamsInput", "kinesis", "stream/", in->stream);
    if (in->processor_arn) {
        sl_enc_key(e, "InputProcessingConfiguration");
        sl_enc_obj_begin(e);
        enc_arn_pair(e, "InputLambdaProcessor", in->processor_arn);
        sl_enc_obj_end(e);
    }
    sl_enc_key(e, "InputParallelism");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "Count");
    sl_enc_i64(e, in->parallelism > 0 ? in->parallelism : 1);
    sl_enc_obj_end(e);
    enc_schema(e, "InputSchema", &in->schema);
    if (in->endpoint) enc_str_member(e, "sluice:Endpoint", in->endpoint);
    if (in->start != SL_START_NOW)
        enc_str_member(e, "sluice:StartingPosition", start_name(in->start));
    if (in->start == SL_START_AT_TIMESTAMP) {
        sl_enc_key(e, "sluice:StartingTimestamp");
        sl_enc_time_ms(e, in->start_ms);
    }
    sl_enc_obj_end(e);
}

static void enc_output(sl_enc_t *e, const sl_app_output_t *o)
{
    static const char *const sink_names[] = {
        [SL_SINK_STREAM] = "STREAM",   [SL_SINK_STDOUT] = "STDOUT",   [SL_SINK_FILE] = "FILE",
        [SL_SINK_WEBHOOK] = "WEBHOOK", [SL_SINK_COMMAND] = "COMMAND",
    };
    sl_enc_obj_begin(e);
    enc_str_member(e, "Name", o->name);
    switch (o->kind) {
    case SL_SINK_STREAM:
        enc_stream_arn(e, "KinesisStreamsOutput", "kinesis", "stream/", o->target);
        break;
    case SL_SINK_FIREHOSE:
        enc_stream_arn(e, "KinesisFirehoseOutput", "firehose", "deliverystream/", o->target);
        break;
    case SL_SINK_LAMBDA:
        enc_arn_pair(e, "LambdaOutput", o->target);
        break;
    case SL_SINK_STDOUT:
    case SL_SINK_FILE:
    case SL_SINK_WEBHOOK:
    case SL_SINK_COMMAND:
        sl_enc_key(e, "sluice:Sink");
        sl_enc_obj_begin(e);
        enc_str_member(e, "Kind", sink_names[o->kind]);
        if (o->target) enc_str_member(e, "Target", o->target);
        if (o->noptions) {
            sl_enc_key(e, "Options");
            sl_enc_obj_begin(e);
            for (size_t i = 0; i < o->noptions; i++)
                enc_str_member(e, o->options[i].key, o->options[i].value);
            sl_enc_obj_end(e);
        }
        sl_enc_obj_end(e);
        break;
    }
    if (o->endpoint) enc_str_member(e, "sluice:Endpoint", o->endpoint);
    sl_enc_key(e, "DestinationSchema");
    sl_enc_obj_begin(e);
    enc_str_member(e, "RecordFormatType", o->format == SL_FORMAT_JSON ? "JSON" : "CSV");
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
}

static void enc_ref(sl_enc_t *e, const sl_app_ref_t *r)
{
    sl_enc_obj_begin(e);
    enc_str_member(e, "TableName", r->table_name);
    const char *slash = strncmp(r->source, "s3://", 5) == 0 ? strchr(r->source + 5, '/') : NULL;
    if (slash && slash[1]) {
        sl_enc_key(e, "S3ReferenceDataSource");
        sl_enc_obj_begin(e);
        char *arn = sl_asprintf("arn:aws:s3:::%.*s", (int)(slash - (r->source + 5)), r->source + 5);
        enc_str_member(e, "BucketARN", arn);
        sl_free(arn);
        enc_str_member(e, "FileKey", slash + 1);
        enc_str_member(e, "ReferenceRoleARN", SL_APP_ROLE_ARN);
        sl_enc_obj_end(e);
    } else {
        enc_str_member(e, "sluice:Source", r->source);
    }
    enc_schema(e, "ReferenceSchema", &r->schema);
    sl_enc_obj_end(e);
}

void sl_app_desc_to_json(const sl_app_desc_t *d, struct sl_buf *out)
{
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, out);
    sl_enc_obj_begin(&e);
    if (d->name) enc_str_member(&e, "ApplicationName", d->name);
    if (d->description) enc_str_member(&e, "ApplicationDescription", d->description);
    if (d->code) enc_str_member(&e, "ApplicationCode", d->code);
    if (d->ninputs) {
        sl_enc_key(&e, "Inputs");
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < d->ninputs; i++) enc_input(&e, &d->inputs[i]);
        sl_enc_arr_end(&e);
    }
    if (d->noutputs) {
        sl_enc_key(&e, "Outputs");
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < d->noutputs; i++) enc_output(&e, &d->outputs[i]);
        sl_enc_arr_end(&e);
    }
    if (d->nrefs) {
        sl_enc_key(&e, "ReferenceDataSources");
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < d->nrefs; i++) enc_ref(&e, &d->refs[i]);
        sl_enc_arr_end(&e);
    }
    if (d->ncwlogs) {
        sl_enc_key(&e, "CloudWatchLoggingOptions");
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < d->ncwlogs; i++) {
            sl_enc_obj_begin(&e);
            enc_str_member(&e, "LogStreamARN", d->cwlogs[i].log_stream_arn);
            enc_str_member(&e, "RoleARN", d->cwlogs[i].role_arn);
            sl_enc_obj_end(&e);
        }
        sl_enc_arr_end(&e);
    }
    if (d->ntags) {
        sl_enc_key(&e, "Tags");
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < d->ntags; i++) {
            sl_enc_obj_begin(&e);
            enc_str_member(&e, "Key", d->tags[i].key);
            enc_str_member(&e, "Value", d->tags[i].value ? d->tags[i].value : "");
            sl_enc_obj_end(&e);
        }
        sl_enc_arr_end(&e);
    }
    sl_enc_obj_end(&e);
}

/* ---- support check and freeing --------------------------------------------------------- */

int sl_app_desc_check_supported(const sl_app_desc_t *d, char **err)
{
    for (size_t i = 0; i < d->ninputs; i++) {
        if (d->inputs[i].source == SL_SOURCE_FIREHOSE) {
            *err = sl_asprintf(
                "Inputs[%zu].KinesisFirehoseInput: Firehose is not supported by sluice; "
                "use KinesisStreamsInput",
                i);
            return -1;
        }
        if (d->inputs[i].processor_arn) {
            *err =
                sl_asprintf("Inputs[%zu].InputProcessingConfiguration: Lambda preprocessing is not "
                            "supported by sluice",
                            i);
            return -1;
        }
    }
    for (size_t i = 0; i < d->noutputs; i++) {
        if (d->outputs[i].kind == SL_SINK_FIREHOSE) {
            *err = sl_asprintf(
                "Outputs[%zu].KinesisFirehoseOutput: Firehose is not supported by sluice; "
                "use KinesisStreamsOutput or a sluice:Sink",
                i);
            return -1;
        }
        if (d->outputs[i].kind == SL_SINK_LAMBDA) {
            *err = sl_asprintf(
                "Outputs[%zu].LambdaOutput: Lambda outputs are not supported by sluice; "
                "use a sluice:Sink (WEBHOOK or COMMAND)",
                i);
            return -1;
        }
    }
    return 0;
}

void sl_app_desc_free(sl_app_desc_t *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->ninputs; i++) {
        sl_app_input_t *in = &d->inputs[i];
        sl_free(in->id);
        sl_free(in->name_prefix);
        sl_free(in->stream);
        sl_free(in->endpoint);
        sl_free(in->processor_arn);
        sl_record_schema_free(&in->schema);
    }
    sl_free(d->inputs);
    for (size_t i = 0; i < d->noutputs; i++) {
        sl_app_output_t *o = &d->outputs[i];
        sl_free(o->id);
        sl_free(o->name);
        sl_free(o->target);
        sl_free(o->endpoint);
        for (size_t j = 0; j < o->noptions; j++) {
            sl_free(o->options[j].key);
            sl_free(o->options[j].value);
        }
        sl_free(o->options);
    }
    sl_free(d->outputs);
    for (size_t i = 0; i < d->nrefs; i++) {
        sl_free(d->refs[i].id);
        sl_free(d->refs[i].table_name);
        sl_free(d->refs[i].source);
        sl_record_schema_free(&d->refs[i].schema);
    }
    sl_free(d->refs);
    for (size_t i = 0; i < d->ncwlogs; i++) {
        sl_free(d->cwlogs[i].id);
        sl_free(d->cwlogs[i].log_stream_arn);
        sl_free(d->cwlogs[i].role_arn);
    }
    sl_free(d->cwlogs);
    for (size_t i = 0; i < d->ntags; i++) {
        sl_free(d->tags[i].key);
        sl_free(d->tags[i].value);
    }
    sl_free(d->tags);
    sl_free(d->name);
    sl_free(d->description);
    sl_free(d->code);
    memset(d, 0, sizeof *d);
}

/* A heap copy of s, or NULL for NULL. */
static char *dup_opt(const char *s)
{
    return s ? sl_strdup(s) : NULL;
}

void sl_app_desc_copy(sl_app_desc_t *dst, const sl_app_desc_t *src)
{
    memset(dst, 0, sizeof *dst);
    dst->name = dup_opt(src->name);
    dst->description = dup_opt(src->description);
    dst->code = dup_opt(src->code);
    dst->ninputs = src->ninputs;
    dst->inputs = SL_NEWN(sl_app_input_t, src->ninputs ? src->ninputs : 1);
    for (size_t i = 0; i < src->ninputs; i++) {
        const sl_app_input_t *a = &src->inputs[i];
        sl_app_input_t *b = &dst->inputs[i];
        *b = *a; /* scalars; every pointer is replaced below */
        b->id = dup_opt(a->id);
        b->name_prefix = dup_opt(a->name_prefix);
        b->stream = dup_opt(a->stream);
        b->endpoint = dup_opt(a->endpoint);
        b->processor_arn = dup_opt(a->processor_arn);
        sl_record_schema_copy(&b->schema, &a->schema);
    }
    dst->noutputs = src->noutputs;
    dst->outputs = SL_NEWN(sl_app_output_t, src->noutputs ? src->noutputs : 1);
    for (size_t i = 0; i < src->noutputs; i++) {
        const sl_app_output_t *a = &src->outputs[i];
        sl_app_output_t *b = &dst->outputs[i];
        *b = *a;
        b->id = dup_opt(a->id);
        b->name = dup_opt(a->name);
        b->target = dup_opt(a->target);
        b->endpoint = dup_opt(a->endpoint);
        b->options = SL_NEWN(sl_app_option_t, a->noptions ? a->noptions : 1);
        for (size_t k = 0; k < a->noptions; k++) {
            b->options[k].key = dup_opt(a->options[k].key);
            b->options[k].value = dup_opt(a->options[k].value);
        }
    }
    dst->nrefs = src->nrefs;
    dst->refs = SL_NEWN(sl_app_ref_t, src->nrefs ? src->nrefs : 1);
    for (size_t i = 0; i < src->nrefs; i++) {
        dst->refs[i].id = dup_opt(src->refs[i].id);
        dst->refs[i].table_name = dup_opt(src->refs[i].table_name);
        dst->refs[i].source = dup_opt(src->refs[i].source);
        sl_record_schema_copy(&dst->refs[i].schema, &src->refs[i].schema);
    }
    dst->ncwlogs = src->ncwlogs;
    dst->cwlogs = SL_NEWN(sl_app_cwlog_t, src->ncwlogs ? src->ncwlogs : 1);
    for (size_t i = 0; i < src->ncwlogs; i++) {
        dst->cwlogs[i].id = dup_opt(src->cwlogs[i].id);
        dst->cwlogs[i].log_stream_arn = dup_opt(src->cwlogs[i].log_stream_arn);
        dst->cwlogs[i].role_arn = dup_opt(src->cwlogs[i].role_arn);
    }
    dst->ntags = src->ntags;
    dst->tags = SL_NEWN(sl_app_tag_t, src->ntags ? src->ntags : 1);
    for (size_t i = 0; i < src->ntags; i++) {
        dst->tags[i].key = dup_opt(src->tags[i].key);
        dst->tags[i].value = dup_opt(src->tags[i].value);
    }
}

/* ---- CloudWatch log streams as files ---------------------------------------------------- */

/* Appends name[0..n) to b with every byte outside [A-Za-z0-9._-], and a leading '.', as
 * %XX: the result is one path component, never ".", ".." or a hidden file. */
static void put_escaped(sl_buf_t *b, const char *name, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (isalnum(ch) || (ch == '.' && i > 0) || ch == '_' || ch == '-')
            sl_buf_putc(b, (char)ch);
        else
            sl_buf_printf(b, "%%%02X", ch);
    }
}

char *sl_app_cwlog_path(const char *data_dir, const char *arn, size_t *dir_len)
{
    const char *g, *st;
    size_t gl;
    if (!split_log_stream_arn(arn, &g, &gl, &st)) return NULL;
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_printf(&b, "%s/logs/", data_dir);
    put_escaped(&b, g, gl);
    if (dir_len) *dir_len = b.len;
    sl_buf_putc(&b, '/');
    put_escaped(&b, st, strlen(st));
    sl_buf_puts(&b, ".log");
    return sl_buf_steal(&b);
}
