/*
 * analytics_api.c - the Kinesis Analytics API over the application manager; see
 * analytics_api.h.
 *
 *     sl_analytics_handle
 *        decode the body (JSON or CBOR) -> sl_val_t; look the operation up in OPS
 *        lock the manager
 *        op_<Name>: validate members, find the application, check its version and status
 *          configuration changes (Update, Add*, Delete*):
 *             description -> JSON tree (sl_app_desc_to_json + sl_json_parse)
 *             edit the tree (append, remove, overlay *Update members)
 *             tree -> sl_app_desc_from_json (InvalidArgumentException) -> keep the ids
 *             parse + plan the code (CodeValidationException "... line L, column C: ...")
 *             a RUNNING application is stopped and started again from LAST_STOPPED_POINT
 *             version + 1, row written to applications.db
 *          Start: starting positions into the description, sl_runner_start, RUNNING
 *          Stop:  sl_runner_stop (checkpoints), READY
 *        unlock; answer or {"__type", "message"}
 *
 * The description's JSON is the single stored form: DescribeApplication renders it in the
 * *Description shapes (KinesisStreamsInput -> KinesisStreamsInputDescription, ...).
 */
#include "analytics_api.h"

#include "alloc.h"
#include "awserr.h"
#include "clock.h"
#include "kinesis_api.h"
#include "parser.h"
#include "plan.h"
#include "refdata.h"
#include "runner.h"
#include "sink/sink.h"
#include "val.h"

#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Application statuses, as the API spells them. Only READY and RUNNING are stored; the
 * others last while the manager's lock is held. */
#define APP_STATUSES(X) X(DELETING) X(STARTING) X(STOPPING) X(READY) X(RUNNING) X(UPDATING)
typedef enum app_status {
#define APP_STATUS_ENUM(n) ST_##n,
    APP_STATUSES(APP_STATUS_ENUM)
#undef APP_STATUS_ENUM
} app_status_t;
static const char *const status_names[] = {
#define APP_STATUS_NAME(n) #n,
    APP_STATUSES(APP_STATUS_NAME)
#undef APP_STATUS_NAME
};

/* The kinds of configuration item, each numbered "N.1" by its own counter. */
enum { K_INPUT, K_OUTPUT, K_REF, K_CWLOG, K_KINDS };
static const char *const kind_lists[K_KINDS] = {"Inputs", "Outputs", "ReferenceDataSources",
                                                "CloudWatchLoggingOptions"};
/* Each kind's id member ("InputId", ...), as requests and descriptions name it. */
static const char *const id_keys[K_KINDS] = {"InputId", "OutputId", "ReferenceId",
                                             "CloudWatchLoggingOptionId"};

/* One application. desc owns the item ids (inputs[i].id, ...). */
typedef struct app {
    sl_app_desc_t desc;       /* desc.name is the application name */
    int64_t version;          /* ApplicationVersionId, 1 at creation */
    int64_t created_ms, updated_ms;
    app_status_t status;
    int next_id[K_KINDS];     /* the N of the next "N.1" id of each kind */
    sl_runner_t *runner;      /* while RUNNING */
} app_t;

struct sl_analytics {
    sl_store_t *st;
    char *dir;          /* the data directory (checkpoints live under it) */
    sqlite3 *db;        /* DATA/applications.db */
    pthread_mutex_t mu; /* serialises every operation */
    app_t **apps;       /* sorted by name */
    size_t napps, cap;
};

/* The state of one request. */
typedef struct call {
    sl_analytics_t *an;
    sl_arena_t *a;
    const sl_val_t *body;
    sl_enc_t *enc;
    sl_awserr_t err;
    sl_violations_t viol; /* collected ValidationException messages */
} call_t;

/* ---- persistence ------------------------------------------------------------------------ */

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS applications ("
    " name TEXT PRIMARY KEY,"
    " description TEXT NOT NULL," /* sl_app_desc_to_json */
    " ids TEXT NOT NULL,"         /* {"Inputs":[ids],"Outputs":[..],"ReferenceDataSources":[..],
                                     "CloudWatchLoggingOptions":[..],"Next":[n,n,n,n]}; rows
                                     written before CloudWatch options have three of each */
    " version INTEGER NOT NULL,"
    " status TEXT NOT NULL,"      /* READY or RUNNING (RUNNING: resume on start) */
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL)";

/* The id of item i of kind k. */
static char **item_id(app_t *ap, int k, size_t i)
{
    if (k == K_INPUT) return &ap->desc.inputs[i].id;
    if (k == K_OUTPUT) return &ap->desc.outputs[i].id;
    if (k == K_REF) return &ap->desc.refs[i].id;
    return &ap->desc.cwlogs[i].id;
}

static size_t item_count(const sl_app_desc_t *d, int k)
{
    return k == K_INPUT ? d->ninputs : k == K_OUTPUT ? d->noutputs : k == K_REF ? d->nrefs
                                                                                : d->ncwlogs;
}

/* Writes the application's row (insert or replace). Returns 0 or -1 with err set. */
static int app_save(sl_analytics_t *an, app_t *ap, sl_awserr_t *err)
{
    sl_buf_t desc = SL_BUF_INIT, ids = SL_BUF_INIT;
    sl_app_desc_to_json(&ap->desc, &desc);
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &ids);
    sl_enc_obj_begin(&e);
    for (int k = 0; k < K_KINDS; k++) {
        sl_enc_key(&e, kind_lists[k]);
        sl_enc_arr_begin(&e);
        for (size_t i = 0; i < item_count(&ap->desc, k); i++) sl_enc_str(&e, *item_id(ap, k, i));
        sl_enc_arr_end(&e);
    }
    sl_enc_key(&e, "Next");
    sl_enc_arr_begin(&e);
    for (int k = 0; k < K_KINDS; k++) sl_enc_i64(&e, ap->next_id[k]);
    sl_enc_arr_end(&e);
    sl_enc_obj_end(&e);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(an->db,
                                "INSERT OR REPLACE INTO applications VALUES (?,?,?,?,?,?,?)", -1,
                                &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, ap->desc.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, desc.p, (int)desc.len, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, ids.p, (int)ids.len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, ap->version);
        sqlite3_bind_text(q, 5, ap->status == ST_RUNNING ? "RUNNING" : "READY", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, ap->created_ms);
        sqlite3_bind_int64(q, 7, ap->updated_ms);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc != SQLITE_OK)
        sl_awserr_set(err, SL_AWS_InternalFailure, "applications.db: %s", sqlite3_errmsg(an->db));
    sqlite3_finalize(q);
    sl_buf_free(&desc);
    sl_buf_free(&ids);
    return rc == SQLITE_OK ? 0 : -1;
}

static int app_unsave(sl_analytics_t *an, const char *name, sl_awserr_t *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(an->db, "DELETE FROM applications WHERE name = ?", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc != SQLITE_OK)
        sl_awserr_set(err, SL_AWS_InternalFailure, "applications.db: %s", sqlite3_errmsg(an->db));
    sqlite3_finalize(q);
    return rc == SQLITE_OK ? 0 : -1;
}

static void app_free(app_t *ap)
{
    if (!ap) return;
    sl_runner_free(ap->runner);
    sl_app_desc_free(&ap->desc);
    sl_free(ap);
}

/* Sets item ids from the stored {"Inputs": [...], ...} object; missing ones stay. */
static void ids_restore(app_t *ap, const sl_val_t *ids)
{
    for (int k = 0; k < K_KINDS; k++) {
        const sl_val_t *l = sl_val_get(ids, kind_lists[k]);
        for (size_t i = 0; l && l->type == SL_V_ARR && i < l->u.arr.n &&
                           i < item_count(&ap->desc, k);
             i++) {
            if (l->u.arr.items[i]->type != SL_V_STR) continue;
            sl_free(*item_id(ap, k, i));
            *item_id(ap, k, i) = sl_strdup(l->u.arr.items[i]->u.str.p);
        }
    }
    const sl_val_t *next = sl_val_get(ids, "Next");
    for (int k = 0; k < K_KINDS; k++)
        ap->next_id[k] = next && next->type == SL_V_ARR && next->u.arr.n > (size_t)k
                             ? (int)next->u.arr.items[k]->u.num.i
                             : (int)item_count(&ap->desc, k) + 1;
}

/* The index where name is, or would be inserted, in the sorted array. */
static size_t app_slot(const sl_analytics_t *an, const char *name, bool *found)
{
    size_t lo = 0, hi = an->napps;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(an->apps[mid]->desc.name, name);
        if (!c) {
            *found = true;
            return mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = false;
    return lo;
}

static void app_insert(sl_analytics_t *an, app_t *ap)
{
    bool found;
    size_t at = app_slot(an, ap->desc.name, &found);
    if (an->napps == an->cap) {
        an->cap = an->cap ? an->cap * 2 : 8;
        an->apps = sl_realloc(an->apps, an->cap * sizeof *an->apps);
    }
    memmove(an->apps + at + 1, an->apps + at, (an->napps - at) * sizeof *an->apps);
    an->apps[at] = ap;
    an->napps++;
}

static void app_remove(sl_analytics_t *an, size_t at)
{
    memmove(an->apps + at, an->apps + at + 1, (an->napps - at - 1) * sizeof *an->apps);
    an->napps--;
}

/* Loads every stored application (READY or RUNNING as stored; runners not started). */
static int load_all(sl_analytics_t *an, char **err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(an->db,
                           "SELECT name, description, ids, version, status, created_ms, "
                           "updated_ms FROM applications ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK) {
        *err = sl_asprintf("applications.db: %s", sqlite3_errmsg(an->db));
        return -1;
    }
    sl_arena_t *a = sl_arena_new(0);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *desc = (const char *)sqlite3_column_text(q, 1);
        const char *ids = (const char *)sqlite3_column_text(q, 2);
        app_t *ap = SL_NEW(app_t);
        char *derr = NULL;
        if (sl_app_desc_from_json(desc, strlen(desc), &ap->desc, &derr) < 0) {
            fprintf(stderr, "sluice: application %s not loaded: %s\n", name, derr);
            sl_free(derr);
            sl_free(ap);
            continue;
        }
        const char *perr = NULL;
        sl_val_t *iv = sl_json_parse(a, ids, strlen(ids), &perr);
        if (iv) ids_restore(ap, iv);
        ap->version = sqlite3_column_int64(q, 3);
        ap->status = !strcmp((const char *)sqlite3_column_text(q, 4), "RUNNING") ? ST_RUNNING
                                                                                  : ST_READY;
        ap->created_ms = sqlite3_column_int64(q, 5);
        ap->updated_ms = sqlite3_column_int64(q, 6);
        app_insert(an, ap);
        sl_arena_reset(a);
    }
    sl_arena_free(a);
    sqlite3_finalize(q);
    return 0;
}

sl_analytics_t *sl_analytics_open(sl_store_t *st, const char *data_dir, char **err)
{
    sl_analytics_t *an = SL_NEW(sl_analytics_t);
    an->st = st;
    an->dir = sl_strdup(data_dir);
    pthread_mutex_init(&an->mu, NULL);
    char *path = sl_asprintf("%s/applications.db", data_dir);
    char *emsg = NULL;
    if (sqlite3_open(path, &an->db) != SQLITE_OK) {
        *err = sl_asprintf("%s: %s", path, sqlite3_errmsg(an->db));
        goto fail;
    }
    sqlite3_busy_timeout(an->db, 5000);
    if (sqlite3_exec(an->db, schema_sql, NULL, NULL, &emsg) != SQLITE_OK) {
        *err = sl_asprintf("%s: %s", path, emsg ? emsg : "cannot create the schema");
        sqlite3_free(emsg);
        goto fail;
    }
    if (load_all(an, err) < 0) goto fail;
    sl_free(path);
    return an;
fail:
    sl_free(path);
    sl_analytics_close(an);
    return NULL;
}

void sl_analytics_close(sl_analytics_t *an)
{
    if (!an) return;
    for (size_t i = 0; i < an->napps; i++) app_free(an->apps[i]);
    sl_free(an->apps);
    if (an->db) sqlite3_close(an->db);
    pthread_mutex_destroy(&an->mu);
    sl_free(an->dir);
    sl_free(an);
}

/* ---- running ---------------------------------------------------------------------------- */

/*
 * Starts the application's runner. start < 0 keeps each input's own starting position;
 * else it overrides them (resume: SL_START_LAST_STOPPED_POINT). Returns 0, or -1 with
 * InvalidApplicationConfigurationException naming why.
 */
static int app_run(sl_analytics_t *an, app_t *ap, int start, sl_awserr_t *err)
{
    char *why = NULL;
    if (sl_app_desc_check_supported(&ap->desc, &why) < 0) {
        sl_awserr_set(err, SL_AWS_InvalidApplicationConfigurationException, "%s", why);
        sl_free(why);
        return -1;
    }
    if (!ap->desc.ninputs)
        return sl_awserr_set(err, SL_AWS_InvalidApplicationConfigurationException,
                             "Application %s has no input to read.", ap->desc.name);
    /* The runner would wait for a missing stream; KDA refuses to start instead. */
    sl_arena_t *a = sl_arena_new(0);
    for (size_t i = 0; i < ap->desc.ninputs; i++) {
        const sl_app_input_t *in = &ap->desc.inputs[i];
        sl_awserr_t e = {0};
        if (in->source == SL_SOURCE_KINESIS && !in->endpoint &&
            !sl_store_describe(an->st, in->stream, a, &e)) {
            sl_arena_free(a);
            return sl_awserr_set(err, SL_AWS_InvalidApplicationConfigurationException,
                                 "Input %s: Kinesis stream %s does not exist.", in->id,
                                 in->stream);
        }
    }
    sl_arena_free(a);
    sl_runner_opts_t o = {
        .store = an->st,
        .data_dir = an->dir,
        .name = ap->desc.name,
        .start = start,
        .start_set = start >= 0,
        .restart_on_failure = true, /* KDA keeps retrying; failures show in Describe/metrics */
    };
    sl_diag_t d = SL_DIAG_INIT;
    ap->runner = sl_runner_start(&ap->desc, &o, &d, &why);
    if (!ap->runner) {
        if (d.count)
            sl_awserr_set(err, SL_AWS_InvalidApplicationConfigurationException,
                          "Application code error at line %d, column %d: %s", d.items[0].line,
                          d.items[0].col, d.items[0].msg);
        else
            sl_awserr_set(err, SL_AWS_InvalidApplicationConfigurationException, "%s",
                          why ? why : "the application could not start");
        sl_diag_free(&d);
        sl_free(why);
        return -1;
    }
    sl_diag_free(&d);
    return 0;
}

/* Stops the runner if any (its checkpoints are written). */
static void app_halt(app_t *ap)
{
    if (!ap->runner) return;
    sl_runner_stop(ap->runner);
    sl_runner_free(ap->runner);
    ap->runner = NULL;
}

void sl_analytics_resume(sl_analytics_t *an)
{
    pthread_mutex_lock(&an->mu);
    for (size_t i = 0; i < an->napps; i++) {
        app_t *ap = an->apps[i];
        if (ap->status != ST_RUNNING) continue;
        sl_awserr_t err = {0};
        if (app_run(an, ap, SL_START_LAST_STOPPED_POINT, &err) < 0) {
            fprintf(stderr, "sluice: application %s not resumed: %s\n", ap->desc.name, err.msg);
            ap->status = ST_READY;
            app_save(an, ap, &err);
        }
    }
    pthread_mutex_unlock(&an->mu);
}

/* ---- validation ------------------------------------------------------------------------- */

/* Records one constraint violation ("null" is written bare, as AWS does). */
static void violation(call_t *c, const char *value, const char *member, const char *rule)
{
    sl_violation_add(&c->viol, strcmp(value, "null") ? value : NULL, member, rule);
}

/* Turns collected violations into the error; true when there were any. */
static bool validation_failed(call_t *c)
{
    return sl_violations_report(&c->viol, &c->err);
}

/* The member's name as AWS's messages write it: lowerCamel. */
static const char *camel(call_t *c, const char *field)
{
    char *m = sl_arena_strdup(c->a, field);
    if (m[0] >= 'A' && m[0] <= 'Z') m[0] = (char)(m[0] - 'A' + 'a');
    return m;
}

static bool is_name(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

/*
 * Reads a string member of obj: a wrong type is a SerializationException (returns false);
 * an absent required member, a length outside [min, max] or (name_pattern) a character
 * outside [a-zA-Z0-9_.-] is collected. *out is NULL when absent.
 */
static bool get_str(call_t *c, const sl_val_t *obj, const char *field, bool required, size_t min,
                    size_t max, bool name_pattern, const char **out)
{
    *out = NULL;
    const sl_val_t *v = obj ? sl_val_get(obj, field) : NULL;
    if (!v || v->type == SL_V_NULL) {
        if (required) violation(c, "null", camel(c, field), "Member must not be null");
        return true;
    }
    if (v->type != SL_V_STR) {
        sl_awserr_set(&c->err, SL_AWS_SerializationException,
                      "Unexpected value type for %s: expected a string", field);
        return false;
    }
    const char *s = v->u.str.p;
    size_t n = 0;
    for (size_t i = 0; i < v->u.str.len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    char rule[96];
    if (n < min) {
        snprintf(rule, sizeof rule, "Member must have length greater than or equal to %zu", min);
        violation(c, s, camel(c, field), rule);
    }
    if (n > max) {
        snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        violation(c, s, camel(c, field), rule);
    }
    if (name_pattern && n >= min && !is_name(s))
        violation(c, s, camel(c, field),
                  "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    *out = s;
    return true;
}

/* Reads an integer member within [min, max]; *present tells whether it was there. */
static bool get_long(call_t *c, const sl_val_t *obj, const char *field, bool required,
                     int64_t min, int64_t max, int64_t *out, bool *present)
{
    *present = false;
    const sl_val_t *v = sl_val_get(obj, field);
    if (!v || v->type == SL_V_NULL) {
        if (required) violation(c, "null", camel(c, field), "Member must not be null");
        return true;
    }
    if (v->type != SL_V_NUM || !v->u.num.is_int) {
        sl_awserr_set(&c->err, SL_AWS_SerializationException,
                      "Unexpected value type for %s: expected an integer", field);
        return false;
    }
    char val[32], rule[96];
    snprintf(val, sizeof val, "%" PRId64, v->u.num.i);
    if (v->u.num.i < min) {
        snprintf(rule, sizeof rule, "Member must have value greater than or equal to %" PRId64,
                 min);
        violation(c, val, camel(c, field), rule);
    }
    if (v->u.num.i > max) {
        snprintf(rule, sizeof rule, "Member must have value less than or equal to %" PRId64, max);
        violation(c, val, camel(c, field), rule);
    }
    *out = v->u.num.i;
    *present = true;
    return true;
}

/* Reads a required object member (a collected violation when absent). */
static bool get_obj(call_t *c, const sl_val_t *obj, const char *field, bool required,
                    const sl_val_t **out)
{
    *out = NULL;
    const sl_val_t *v = sl_val_get(obj, field);
    if (!v || v->type == SL_V_NULL) {
        if (required) violation(c, "null", camel(c, field), "Member must not be null");
        return true;
    }
    if (v->type != SL_V_OBJ) {
        sl_awserr_set(&c->err, SL_AWS_SerializationException,
                      "Unexpected value type for %s: expected a structure", field);
        return false;
    }
    *out = v;
    return true;
}

/* Reads ApplicationName (required). NULL when the request is invalid. */
static const char *app_name(call_t *c)
{
    const char *name;
    if (!get_str(c, c->body, "ApplicationName", true, 1, SL_APP_MAX_APP_NAME, true, &name))
        return NULL;
    return validation_failed(c) ? NULL : name;
}

/* The application named name, or NULL with ResourceNotFoundException. *at receives its
 * slot (may be NULL). */
static app_t *find_app(call_t *c, const char *name, size_t *at)
{
    bool found;
    size_t i = app_slot(c->an, name, &found);
    if (!found) {
        sl_awserr_set(&c->err, SL_AWS_ResourceNotFoundException,
                      "Application %s is not found.", name);
        return NULL;
    }
    if (at) *at = i;
    return c->an->apps[i];
}

/* Reads ApplicationName and CurrentApplicationVersionId and checks the version. Returns
 * the application, or NULL with the error set. */
static app_t *app_for_change(call_t *c)
{
    const char *name;
    int64_t ver = 0;
    bool has;
    if (!get_str(c, c->body, "ApplicationName", true, 1, SL_APP_MAX_APP_NAME, true, &name) ||
        !get_long(c, c->body, "CurrentApplicationVersionId", true, 1, 999999999, &ver, &has) ||
        validation_failed(c))
        return NULL;
    app_t *ap = find_app(c, name, NULL);
    if (!ap) return NULL;
    if (ver != ap->version) {
        sl_awserr_set(&c->err, SL_AWS_ConcurrentModificationException,
                      "Provided application version id (%" PRId64
                      ") does not match the current application version id (%" PRId64 ").",
                      ver, ap->version);
        return NULL;
    }
    if (ap->status != ST_READY && ap->status != ST_RUNNING) {
        sl_awserr_set(&c->err, SL_AWS_ResourceInUseException,
                      "Application %s is in %s state; it cannot be changed now.", name,
                      status_names[ap->status]);
        return NULL;
    }
    return ap;
}

/*
 * Parses and plans d->code against d. Returns 0, or -1 with CodeValidationException naming
 * the first error's line and column. Empty code is valid (an application may be created
 * before its code is written).
 */
static int validate_code(call_t *c, const sl_app_desc_t *d)
{
    if (!d->code || !d->code[0]) return 0;
    sl_diag_t diags = SL_DIAG_INIT;
    sl_ast_t *ast = sl_parse("ApplicationCode", d->code, strlen(d->code), &diags);
    if (!diags.count) sl_plan_free(sl_plan_build(ast, d, &diags));
    sl_ast_free(ast);
    int rc = 0;
    if (diags.count) {
        sl_awserr_set(&c->err, SL_AWS_CodeValidationException,
                      "Application code is invalid: SQL error at line %d, column %d: %s",
                      diags.items[0].line, diags.items[0].col, diags.items[0].msg);
        rc = -1;
    }
    sl_diag_free(&diags);
    return rc;
}

/* Checks that the streams d reads and writes in the embedded store exist. */
static int check_streams(call_t *c, const sl_app_desc_t *d)
{
    sl_awserr_t e = {0};
    for (size_t i = 0; i < d->ninputs; i++) {
        const sl_app_input_t *in = &d->inputs[i];
        if (in->source == SL_SOURCE_KINESIS && !in->endpoint &&
            !sl_store_describe(c->an->st, in->stream, c->a, &e))
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Kinesis stream %s (Inputs[%zu].KinesisStreamsInput) does not "
                                 "exist.",
                                 in->stream, i);
    }
    for (size_t i = 0; i < d->noutputs; i++) {
        const sl_app_output_t *o = &d->outputs[i];
        if (o->kind == SL_SINK_STREAM && !o->endpoint && o->target &&
            !sl_store_describe(c->an->st, o->target, c->a, &e))
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Kinesis stream %s (Outputs[%zu].KinesisStreamsOutput) does not "
                                 "exist.",
                                 o->target, i);
    }
    return 0;
}

/* ---- editing a description as a JSON tree ------------------------------------------------- */

static sl_val_t *tree_of(call_t *c, const sl_app_desc_t *d)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_app_desc_to_json(d, &b);
    const char *perr = NULL;
    sl_val_t *v = sl_json_parse(c->a, b.p, b.len, &perr);
    sl_buf_free(&b);
    return v;
}

/* Sets obj[key] = v (replacing, or appending the member). */
static void obj_put(call_t *c, sl_val_t *obj, const char *key, sl_val_t *v)
{
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (!strcmp(obj->u.obj.members[i].key, key)) {
            obj->u.obj.members[i].val = v;
            return;
        }
    sl_member_t *m = SL_ANEWN(c->a, sl_member_t, obj->u.obj.n + 1);
    if (obj->u.obj.n) memcpy(m, obj->u.obj.members, obj->u.obj.n * sizeof *m);
    m[obj->u.obj.n].key = sl_arena_strdup(c->a, key);
    m[obj->u.obj.n].key_len = strlen(key);
    m[obj->u.obj.n].val = v;
    obj->u.obj.members = m;
    obj->u.obj.n++;
}

/* The list member key of obj, created empty when absent. */
static sl_val_t *obj_list(call_t *c, sl_val_t *obj, const char *key)
{
    sl_val_t *l = sl_val_get(obj, key);
    if (l && l->type == SL_V_ARR) return l;
    l = SL_ANEW(c->a, sl_val_t);
    l->type = SL_V_ARR;
    obj_put(c, obj, key, l);
    return l;
}

static void arr_push(call_t *c, sl_val_t *arr, sl_val_t *v)
{
    sl_val_t **items = SL_ANEWN(c->a, sl_val_t *, arr->u.arr.n + 1);
    if (arr->u.arr.n) memcpy(items, arr->u.arr.items, arr->u.arr.n * sizeof *items);
    items[arr->u.arr.n++] = v;
    arr->u.arr.items = items;
}

static void arr_del(sl_val_t *arr, size_t i)
{
    memmove(arr->u.arr.items + i, arr->u.arr.items + i + 1,
            (arr->u.arr.n - i - 1) * sizeof *arr->u.arr.items);
    arr->u.arr.n--;
}

/* A shallow copy of an object (members array copied, values shared). */
static sl_val_t *obj_copy(call_t *c, const sl_val_t *o)
{
    sl_val_t *v = SL_ANEW(c->a, sl_val_t);
    v->type = SL_V_OBJ;
    if (o && o->type == SL_V_OBJ && o->u.obj.n) {
        v->u.obj.members = SL_ANEWN(c->a, sl_member_t, o->u.obj.n);
        memcpy(v->u.obj.members, o->u.obj.members, o->u.obj.n * sizeof *v->u.obj.members);
        v->u.obj.n = o->u.obj.n;
    }
    return v;
}

/*
 * Applies an *Update structure (InputUpdate, OutputUpdate, ReferenceDataSourceUpdate and
 * their parts) to base, returning the updated copy. The model names each update member
 * after what it replaces: "XUpdate" replaces X (merged member by member when both are
 * structures), "XUpdates" replaces Xs; members without the suffix replace themselves.
 * skip names the id member, which is not applied.
 */
static sl_val_t *overlay(call_t *c, const sl_val_t *base, const sl_val_t *upd, const char *skip)
{
    sl_val_t *out = obj_copy(c, base);
    for (size_t i = 0; i < upd->u.obj.n; i++) {
        const sl_member_t *m = &upd->u.obj.members[i];
        if (skip && !strcmp(m->key, skip)) continue;
        if (m->val->type == SL_V_NULL) continue;
        char key[128];
        size_t n = m->key_len;
        snprintf(key, sizeof key, "%s", m->key);
        if (n > 7 && !strcmp(m->key + n - 7, "Updates") && n - 7 < sizeof key - 1) {
            key[n - 7] = 's';
            key[n - 6] = 0;
        } else if (n > 6 && !strcmp(m->key + n - 6, "Update")) {
            key[n - 6] = 0;
        }
        const sl_val_t *old = sl_val_get(out, key);
        bool merge = m->val->type == SL_V_OBJ && old && old->type == SL_V_OBJ &&
                     strcmp(m->key, key) != 0;
        obj_put(c, out, key, merge ? overlay(c, old, m->val, NULL) : m->val);
    }
    return out;
}

/* The ids of a description, by kind, as an editable list. */
typedef struct idlist {
    const char *ids[K_KINDS][SL_APP_MAX_OUTPUTS + 2];
    size_t n[K_KINDS];
} idlist_t;

static void ids_of(app_t *ap, idlist_t *l)
{
    for (int k = 0; k < K_KINDS; k++) {
        l->n[k] = item_count(&ap->desc, k);
        for (size_t i = 0; i < l->n[k] && i < SL_APP_MAX_OUTPUTS + 2; i++)
            l->ids[k][i] = *item_id(ap, k, i);
    }
}

/* The index of the item of kind k with id, or -1 with InvalidArgumentException. */
static long item_index(call_t *c, app_t *ap, int k, const char *id)
{
    for (size_t i = 0; i < item_count(&ap->desc, k); i++)
        if (!strcmp(*item_id(ap, k, i), id)) return (long)i;
    static const char *const what[K_KINDS] = {"Input", "Output", "Reference data source",
                                              "CloudWatch logging option"};
    sl_awserr_set(&c->err, SL_AWS_ResourceNotFoundException,
                  "%s id %s is not found in application %s.", what[k], id, ap->desc.name);
    return -1;
}

/*
 * Makes the edited tree the application's description: reads it back (InvalidArgument-
 * Exception for what the description rules refuse), keeps the ids in `ids`, validates the
 * code and the streams, restarts a RUNNING application from LAST_STOPPED_POINT with the new
 * description, bumps the version and saves. Returns false with the error set; the
 * application is then unchanged.
 */
static bool commit(call_t *c, app_t *ap, sl_val_t *tree, const idlist_t *ids, bool code_only)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &b);
    sl_enc_val(&e, tree);
    sl_app_desc_t nd = {0};
    char *why = NULL;
    int rc = sl_app_desc_from_json(b.p, b.len, &nd, &why);
    sl_buf_free(&b);
    if (rc < 0) {
        sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException, "%s", why);
        sl_free(why);
        return false;
    }
    for (int k = 0; k < K_KINDS; k++)
        for (size_t i = 0; i < item_count(&nd, k) && i < ids->n[k]; i++) {
            char **slot = k == K_INPUT    ? &nd.inputs[i].id
                          : k == K_OUTPUT ? &nd.outputs[i].id
                          : k == K_REF    ? &nd.refs[i].id
                                          : &nd.cwlogs[i].id;
            sl_free(*slot);
            *slot = sl_strdup(ids->ids[k][i]);
        }
    if (validate_code(c, &nd) < 0 || (!code_only && check_streams(c, &nd) < 0)) {
        sl_app_desc_free(&nd);
        return false;
    }
    bool was_running = ap->status == ST_RUNNING;
    if (was_running) {
        ap->status = ST_UPDATING;
        app_halt(ap);
    }
    sl_app_desc_t old = ap->desc;
    ap->desc = nd;
    if (was_running) {
        if (app_run(c->an, ap, SL_START_LAST_STOPPED_POINT, &c->err) < 0) {
            /* The new description cannot run: go back to the old one. */
            ap->desc = old;
            sl_app_desc_free(&nd);
            sl_awserr_t ignored = {0};
            if (app_run(c->an, ap, SL_START_LAST_STOPPED_POINT, &ignored) < 0)
                ap->status = ST_READY;
            else
                ap->status = ST_RUNNING;
            return false;
        }
        ap->status = ST_RUNNING;
    }
    sl_app_desc_free(&old);
    ap->version++;
    ap->updated_ms = sl_clock_now_ms();
    return app_save(c->an, ap, &c->err) == 0;
}

/* ---- answers ---------------------------------------------------------------------------- */

static const char *app_arn(call_t *c, const char *name)
{
    const sl_store_config_t *cfg = sl_store_config(c->an->st);
    return sl_arena_printf(c->a, "arn:aws:kinesisanalytics:%s:%s:application/%s",
                           cfg->region ? cfg->region : "us-east-1",
                           cfg->account ? cfg->account : "000000000000", name);
}

static void enc_summary(call_t *c, const app_t *ap)
{
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ApplicationName");
    sl_enc_str(e, ap->desc.name);
    sl_enc_key(e, "ApplicationARN");
    sl_enc_str(e, app_arn(c, ap->desc.name));
    sl_enc_key(e, "ApplicationStatus");
    sl_enc_str(e, status_names[ap->status]);
    sl_enc_obj_end(e);
}

/* Members of a request item renamed in its *Description form. */
static const char *const described[] = {
    "KinesisStreamsInput",  "KinesisFirehoseInput", "KinesisStreamsOutput",
    "KinesisFirehoseOutput", "LambdaOutput",        "S3ReferenceDataSource",
    "InputProcessingConfiguration", "InputLambdaProcessor",
};

/* Writes the members of a request-shaped object in the description shape. */
static void enc_described_members(sl_enc_t *e, const sl_val_t *o)
{
    for (size_t i = 0; i < o->u.obj.n; i++) {
        const sl_member_t *m = &o->u.obj.members[i];
        const char *renamed = NULL;
        for (size_t j = 0; j < sizeof described / sizeof described[0]; j++)
            if (!strcmp(m->key, described[j])) renamed = described[j];
        if (!strcmp(m->key, "sluice:StartingPosition")) {
            sl_enc_key(e, "InputStartingPositionConfiguration");
            sl_enc_obj_begin(e);
            sl_enc_key(e, "InputStartingPosition");
            sl_enc_val(e, m->val);
            sl_enc_obj_end(e);
            continue;
        }
        if (renamed && m->val->type == SL_V_OBJ) {
            char key[96];
            snprintf(key, sizeof key, "%sDescription", renamed);
            sl_enc_key(e, key);
            sl_enc_obj_begin(e);
            enc_described_members(e, m->val);
            sl_enc_obj_end(e);
            continue;
        }
        sl_enc_key(e, m->key);
        sl_enc_val(e, m->val);
    }
}

/*
 * "sluice:RunnerStatus" of a RUNNING application's ApplicationDetail: whether its runner
 * follows the input (RUNNING) or waits to restart after failing on its own (RETRYING), how
 * often it failed and restarted, and the last failure. The SDKs ignore members their model
 * does not name, so AWS tools read the detail unchanged.
 */
static void enc_runner_status(sl_enc_t *e, sl_runner_t *r)
{
    sl_runner_stats_t s;
    sl_runner_stats(r, &s);
    sl_enc_key(e, "sluice:RunnerStatus");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "State");
    sl_enc_str(e, s.running ? "RUNNING" : s.retrying ? "RETRYING" : "FAILED");
    sl_enc_key(e, "Failures");
    sl_enc_i64(e, s.failures);
    sl_enc_key(e, "Restarts");
    sl_enc_i64(e, s.restarts);
    if (s.failure[0]) {
        sl_enc_key(e, "LastFailure");
        sl_enc_str(e, s.failure);
        sl_enc_key(e, "LastFailureTimestamp");
        sl_enc_time_ms(e, s.failed_ms);
    }
    sl_enc_obj_end(e);
}

/* The ApplicationDetail object of DescribeApplication. */
static void enc_detail(call_t *c, app_t *ap)
{
    sl_enc_t *e = c->enc;
    sl_val_t *t = tree_of(c, &ap->desc);
    static const char *const desc_lists[K_KINDS] = {
        "InputDescriptions", "OutputDescriptions", "ReferenceDataSourceDescriptions",
        "CloudWatchLoggingOptionDescriptions"};
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ApplicationName");
    sl_enc_str(e, ap->desc.name);
    if (ap->desc.description) {
        sl_enc_key(e, "ApplicationDescription");
        sl_enc_str(e, ap->desc.description);
    }
    sl_enc_key(e, "ApplicationARN");
    sl_enc_str(e, app_arn(c, ap->desc.name));
    sl_enc_key(e, "ApplicationStatus");
    sl_enc_str(e, status_names[ap->status]);
    sl_enc_key(e, "CreateTimestamp");
    sl_enc_time_ms(e, ap->created_ms);
    sl_enc_key(e, "LastUpdateTimestamp");
    sl_enc_time_ms(e, ap->updated_ms);
    for (int k = 0; k < K_KINDS; k++) {
        const sl_val_t *l = t ? sl_val_get(t, kind_lists[k]) : NULL;
        sl_enc_key(e, desc_lists[k]);
        sl_enc_arr_begin(e);
        for (size_t i = 0; l && l->type == SL_V_ARR && i < l->u.arr.n; i++) {
            sl_enc_obj_begin(e);
            sl_enc_key(e, id_keys[k]);
            sl_enc_str(e, *item_id(ap, k, i));
            enc_described_members(e, l->u.arr.items[i]);
            if (k == K_INPUT) {
                const sl_app_input_t *in = &ap->desc.inputs[i];
                sl_enc_key(e, "InAppStreamNames");
                sl_enc_arr_begin(e);
                for (int p = 1; p <= (in->parallelism > 0 ? in->parallelism : 1); p++) {
                    char s[64];
                    snprintf(s, sizeof s, "%s_%03d", in->name_prefix, p);
                    sl_enc_str(e, s);
                }
                sl_enc_arr_end(e);
            }
            sl_enc_obj_end(e);
        }
        sl_enc_arr_end(e);
    }
    sl_enc_key(e, "ApplicationCode");
    sl_enc_str(e, ap->desc.code ? ap->desc.code : "");
    sl_enc_key(e, "ApplicationVersionId");
    sl_enc_i64(e, ap->version);
    if (ap->runner) enc_runner_status(e, ap->runner);
    sl_enc_obj_end(e);
}

static void enc_empty(call_t *c)
{
    sl_enc_obj_begin(c->enc);
    sl_enc_obj_end(c->enc);
}

/* ---- operations ------------------------------------------------------------------------- */

static bool op_CreateApplication(call_t *c)
{
    const char *name;
    if (!(name = app_name(c))) return false;
    /* The request is the description: sl_app_desc_from_json applies the model's rules. */
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &b);
    sl_enc_val(&e, c->body);
    app_t *ap = SL_NEW(app_t);
    char *why = NULL;
    int rc = sl_app_desc_from_json(b.p, b.len, &ap->desc, &why);
    sl_buf_free(&b);
    if (rc < 0) {
        sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException, "%s", why);
        sl_free(why);
        sl_free(ap);
        return false;
    }
    bool found;
    app_slot(c->an, name, &found);
    if (found) {
        sl_awserr_set(&c->err, SL_AWS_ResourceInUseException, "Application %s already exists.",
                      name);
        goto fail;
    }
    if (c->an->napps >= 50) {
        sl_awserr_set(&c->err, SL_AWS_LimitExceededException,
                      "Maximum number of applications (50) reached.");
        goto fail;
    }
    if (validate_code(c, &ap->desc) < 0 || check_streams(c, &ap->desc) < 0) goto fail;
    for (int k = 0; k < K_KINDS; k++) ap->next_id[k] = (int)item_count(&ap->desc, k) + 1;
    ap->version = 1;
    ap->created_ms = ap->updated_ms = sl_clock_now_ms();
    ap->status = ST_READY;
    if (app_save(c->an, ap, &c->err) < 0) goto fail;
    app_insert(c->an, ap);
    sl_enc_obj_begin(c->enc);
    sl_enc_key(c->enc, "ApplicationSummary");
    enc_summary(c, ap);
    sl_enc_obj_end(c->enc);
    return true;
fail:
    app_free(ap);
    return false;
}

static bool op_DescribeApplication(call_t *c)
{
    const char *name;
    app_t *ap;
    if (!(name = app_name(c)) || !(ap = find_app(c, name, NULL))) return false;
    sl_enc_obj_begin(c->enc);
    sl_enc_key(c->enc, "ApplicationDetail");
    enc_detail(c, ap);
    sl_enc_obj_end(c->enc);
    return true;
}

static bool op_ListApplications(call_t *c)
{
    int64_t limit = 50;
    bool has;
    const char *after;
    if (!get_long(c, c->body, "Limit", false, 1, 50, &limit, &has) ||
        !get_str(c, c->body, "ExclusiveStartApplicationName", false, 1, SL_APP_MAX_APP_NAME, true,
                 &after) ||
        validation_failed(c))
        return false;
    size_t i = 0;
    if (after) {
        bool found;
        i = app_slot(c->an, after, &found);
        if (found) i++;
    }
    sl_enc_obj_begin(c->enc);
    sl_enc_key(c->enc, "ApplicationSummaries");
    sl_enc_arr_begin(c->enc);
    int64_t n = 0;
    for (; i < c->an->napps && n < limit; i++, n++) enc_summary(c, c->an->apps[i]);
    sl_enc_arr_end(c->enc);
    sl_enc_key(c->enc, "HasMoreApplications");
    sl_enc_bool(c->enc, i < c->an->napps);
    sl_enc_obj_end(c->enc);
    return true;
}

static bool op_StartApplication(call_t *c)
{
    const char *name;
    if (!get_str(c, c->body, "ApplicationName", true, 1, SL_APP_MAX_APP_NAME, true, &name))
        return false;
    const sl_val_t *cfgs = sl_val_get(c->body, "InputConfigurations");
    if (!cfgs || cfgs->type == SL_V_NULL)
        violation(c, "null", "inputConfigurations", "Member must not be null");
    else if (cfgs->type != SL_V_ARR)
        return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                             "InputConfigurations must be a list") == 0;
    if (validation_failed(c)) return false;
    app_t *ap = find_app(c, name, NULL);
    if (!ap) return false;
    if (ap->status != ST_READY) {
        sl_awserr_set(&c->err, SL_AWS_ResourceInUseException,
                      "Application %s is in %s state; only a READY application can be started.",
                      name, status_names[ap->status]);
        return false;
    }
    /* Each configuration names an input and its starting position. */
    sl_start_pos_t pos[SL_APP_MAX_INPUTS + 1];
    for (size_t i = 0; i < ap->desc.ninputs && i <= SL_APP_MAX_INPUTS; i++)
        pos[i] = ap->desc.inputs[i].start;
    for (size_t i = 0; i < cfgs->u.arr.n; i++) {
        const sl_val_t *ic = cfgs->u.arr.items[i], *sp;
        const char *id, *p = NULL;
        if (ic->type != SL_V_OBJ)
            return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                                 "InputConfigurations entries must be structures") == 0;
        if (!get_str(c, ic, "Id", true, 1, 50, true, &id) ||
            !get_obj(c, ic, "InputStartingPositionConfiguration", true, &sp) ||
            (sp && !get_str(c, sp, "InputStartingPosition", false, 1, 32, false, &p)) ||
            validation_failed(c))
            return false;
        sl_start_pos_t sv = SL_START_NOW;
        if (!p || !strcmp(p, "NOW")) sv = SL_START_NOW;
        else if (!strcmp(p, "TRIM_HORIZON")) sv = SL_START_TRIM_HORIZON;
        else if (!strcmp(p, "LAST_STOPPED_POINT")) sv = SL_START_LAST_STOPPED_POINT;
        else {
            violation(c, p, "inputConfigurations.member.inputStartingPositionConfiguration."
                            "inputStartingPosition",
                      "Member must satisfy enum value set: [NOW, TRIM_HORIZON, "
                      "LAST_STOPPED_POINT]");
            validation_failed(c);
            return false;
        }
        long ix = -1;
        for (size_t j = 0; j < ap->desc.ninputs; j++)
            if (!strcmp(ap->desc.inputs[j].id, id)) ix = (long)j;
        if (ix < 0)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Input id %s is not found in application %s.", id, name) == 0;
        if (sv == SL_START_TRIM_HORIZON && ap->desc.inputs[ix].source == SL_SOURCE_FIREHOSE)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "TRIM_HORIZON is not supported for a Firehose input.") == 0;
        pos[ix] = sv;
    }
    for (size_t i = 0; i < ap->desc.ninputs && i <= SL_APP_MAX_INPUTS; i++)
        ap->desc.inputs[i].start = pos[i];
    ap->status = ST_STARTING;
    if (app_run(c->an, ap, -1, &c->err) < 0) {
        ap->status = ST_READY;
        return false;
    }
    ap->status = ST_RUNNING;
    if (app_save(c->an, ap, &c->err) < 0) return false;
    enc_empty(c);
    return true;
}

static bool op_StopApplication(call_t *c)
{
    const char *name;
    app_t *ap;
    if (!(name = app_name(c)) || !(ap = find_app(c, name, NULL))) return false;
    if (ap->status == ST_RUNNING) {
        ap->status = ST_STOPPING;
        app_halt(ap);
        ap->status = ST_READY;
        if (app_save(c->an, ap, &c->err) < 0) return false;
    }
    enc_empty(c);
    return true;
}

static bool op_DeleteApplication(call_t *c)
{
    const char *name;
    const sl_val_t *ts;
    if (!get_str(c, c->body, "ApplicationName", true, 1, SL_APP_MAX_APP_NAME, true, &name))
        return false;
    ts = sl_val_get(c->body, "CreateTimestamp");
    if (!ts || ts->type == SL_V_NULL)
        violation(c, "null", "createTimestamp", "Member must not be null");
    if (validation_failed(c)) return false;
    int64_t ms;
    if (sl_val_time_ms(ts, &ms) < 0)
        return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                             "CreateTimestamp must be a timestamp") == 0;
    size_t at;
    app_t *ap = find_app(c, name, &at);
    if (!ap) return false;
    /* Clients send the timestamp they read back, possibly without its milliseconds. */
    if (ms / 1000 != ap->created_ms / 1000)
        return sl_awserr_set(&c->err, SL_AWS_ResourceNotFoundException,
                             "Application %s with the given create timestamp is not found.",
                             name) == 0;
    ap->status = ST_DELETING;
    app_halt(ap);
    if (app_unsave(c->an, name, &c->err) < 0) {
        ap->status = ST_READY;
        return false;
    }
    /* A new application of the same name starts with no LAST_STOPPED_POINT (nor the
     * models' image beside the checkpoint, runtime/app/README.md). */
    for (size_t i = 0; i < ap->desc.ninputs; i++) {
        char *p = sl_checkpoint_path(c->an->dir, name, ap->desc.inputs[i].stream);
        if (p) {
            char *models = sl_asprintf("%s.state", p);
            unlink(p);
            unlink(models);
            sl_free(models);
        }
        sl_free(p);
    }
    app_remove(c->an, at);
    app_free(ap);
    enc_empty(c);
    return true;
}

static bool op_UpdateApplication(call_t *c)
{
    app_t *ap = app_for_change(c);
    const sl_val_t *u;
    if (!ap || !get_obj(c, c->body, "ApplicationUpdate", true, &u) || validation_failed(c))
        return false;
    sl_val_t *t = tree_of(c, &ap->desc);
    idlist_t ids;
    ids_of(ap, &ids);
    bool code_only = true;
    const sl_val_t *code = sl_val_get(u, "ApplicationCodeUpdate");
    if (code && code->type == SL_V_STR) obj_put(c, t, "ApplicationCode", (sl_val_t *)code);
    static const char *const upd_lists[K_KINDS] = {"InputUpdates", "OutputUpdates",
                                                   "ReferenceDataSourceUpdates",
                                                   "CloudWatchLoggingOptionUpdates"};
    for (int k = 0; k < K_KINDS; k++) {
        const sl_val_t *l = sl_val_get(u, upd_lists[k]);
        if (!l || l->type != SL_V_ARR) continue;
        sl_val_t *items = obj_list(c, t, kind_lists[k]);
        for (size_t i = 0; i < l->u.arr.n; i++) {
            const sl_val_t *iu = l->u.arr.items[i];
            const char *id;
            if (iu->type != SL_V_OBJ ||
                !get_str(c, iu, id_keys[k], true, 1, 50, true, &id) || validation_failed(c))
                return c->err.code ? false
                                   : sl_awserr_set(&c->err, SL_AWS_SerializationException,
                                                   "%s entries must be structures",
                                                   upd_lists[k]) == 0;
            long ix = item_index(c, ap, k, id);
            if (ix < 0 || (size_t)ix >= items->u.arr.n) return false;
            items->u.arr.items[ix] = overlay(c, items->u.arr.items[ix], iu, id_keys[k]);
            code_only = false;
        }
    }
    if (!commit(c, ap, t, &ids, code_only)) return false;
    enc_empty(c);
    return true;
}

/* Replaces the application's tags with the n tags of nt (heap, taken over), saves it and
 * answers {}. */
static bool set_tags(call_t *c, app_t *ap, sl_app_tag_t *nt, size_t n)
{
    for (size_t i = 0; i < ap->desc.ntags; i++) {
        sl_free(ap->desc.tags[i].key);
        sl_free(ap->desc.tags[i].value);
    }
    sl_free(ap->desc.tags);
    ap->desc.tags = nt;
    ap->desc.ntags = n;
    if (app_save(c->an, ap, &c->err) < 0) return false;
    enc_empty(c);
    return true;
}

/* AddApplicationInput / Output / ReferenceDataSource / CloudWatchLoggingOption: appends member `field` of the request
 * to list k, under the next id of that kind. */
static bool add_item(call_t *c, int k, const char *field, size_t max)
{
    app_t *ap = app_for_change(c);
    const sl_val_t *item;
    if (!ap || !get_obj(c, c->body, field, true, &item) || validation_failed(c)) return false;
    if (item_count(&ap->desc, k) >= max)
        return sl_awserr_set(&c->err, SL_AWS_LimitExceededException,
                             "Application %s already has %zu of at most %zu %s.", ap->desc.name,
                             item_count(&ap->desc, k), max, kind_lists[k]) == 0;
    sl_val_t *t = tree_of(c, &ap->desc);
    arr_push(c, obj_list(c, t, kind_lists[k]), (sl_val_t *)item);
    idlist_t ids;
    ids_of(ap, &ids);
    char *id = sl_arena_printf(c->a, "%d.1", ap->next_id[k]);
    ids.ids[k][ids.n[k]++] = id;
    if (!commit(c, ap, t, &ids, false)) return false;
    ap->next_id[k]++;
    if (app_save(c->an, ap, &c->err) < 0) return false;
    enc_empty(c);
    return true;
}

static bool op_AddApplicationInput(call_t *c)
{
    return add_item(c, K_INPUT, "Input", SL_APP_MAX_INPUTS);
}

static bool op_AddApplicationOutput(call_t *c)
{
    return add_item(c, K_OUTPUT, "Output", SL_APP_MAX_OUTPUTS);
}

static bool op_AddApplicationReferenceDataSource(call_t *c)
{
    return add_item(c, K_REF, "ReferenceDataSource", SL_APP_MAX_REFS);
}

/* DeleteApplicationOutput / ReferenceDataSource: removes the item named by member idkey. */
static bool delete_item(call_t *c, int k, const char *idkey)
{
    app_t *ap = app_for_change(c);
    const char *id;
    if (!ap || !get_str(c, c->body, idkey, true, 1, 50, true, &id) || validation_failed(c))
        return false;
    long ix = item_index(c, ap, k, id);
    if (ix < 0) return false;
    sl_val_t *t = tree_of(c, &ap->desc);
    sl_val_t *l = obj_list(c, t, kind_lists[k]);
    if ((size_t)ix < l->u.arr.n) arr_del(l, (size_t)ix);
    idlist_t ids;
    ids_of(ap, &ids);
    memmove(&ids.ids[k][ix], &ids.ids[k][ix + 1], (ids.n[k] - (size_t)ix - 1) * sizeof(char *));
    ids.n[k]--;
    if (!commit(c, ap, t, &ids, false)) return false;
    enc_empty(c);
    return true;
}

static bool op_DeleteApplicationOutput(call_t *c)
{
    return delete_item(c, K_OUTPUT, "OutputId");
}

static bool op_DeleteApplicationReferenceDataSource(call_t *c)
{
    return delete_item(c, K_REF, "ReferenceId");
}

/*
 * Add/DeleteApplicationInputProcessingConfiguration: sets (add) or removes the Lambda
 * preprocessor of the input named by InputId. sluice keeps it in the description but
 * cannot run Lambda, so an added one makes a RUNNING application refuse the change
 * (InvalidApplicationConfigurationException, the application unchanged) and a READY one
 * refuse to start until it is deleted again.
 */
static bool edit_input_processing(call_t *c, bool add)
{
    app_t *ap = app_for_change(c);
    const char *id;
    const sl_val_t *pc = NULL;
    if (!ap || !get_str(c, c->body, "InputId", true, 1, 50, true, &id) ||
        (add && !get_obj(c, c->body, "InputProcessingConfiguration", true, &pc)) ||
        validation_failed(c))
        return false;
    long ix = item_index(c, ap, K_INPUT, id);
    if (ix < 0) return false;
    sl_val_t *t = tree_of(c, &ap->desc);
    sl_val_t *l = obj_list(c, t, "Inputs");
    sl_val_t *in = obj_copy(c, l->u.arr.items[ix]);
    if (add) {
        obj_put(c, in, "InputProcessingConfiguration", (sl_val_t *)pc);
    } else {
        for (size_t i = 0; i < in->u.obj.n; i++)
            if (!strcmp(in->u.obj.members[i].key, "InputProcessingConfiguration")) {
                memmove(&in->u.obj.members[i], &in->u.obj.members[i + 1],
                        (in->u.obj.n - i - 1) * sizeof *in->u.obj.members);
                in->u.obj.n--;
                break;
            }
    }
    l->u.arr.items[ix] = in;
    idlist_t ids;
    ids_of(ap, &ids);
    if (!commit(c, ap, t, &ids, false)) return false;
    enc_empty(c);
    return true;
}

static bool op_AddApplicationInputProcessingConfiguration(call_t *c)
{
    return edit_input_processing(c, true);
}

static bool op_DeleteApplicationInputProcessingConfiguration(call_t *c)
{
    return edit_input_processing(c, false);
}

/* AddApplicationCloudWatchLoggingOption / DeleteApplicationCloudWatchLoggingOption: the
 * log stream that receives the application's messages (kept as a file, see appdesc.h). */
static bool op_AddApplicationCloudWatchLoggingOption(call_t *c)
{
    return add_item(c, K_CWLOG, "CloudWatchLoggingOption", SL_APP_MAX_CWLOGS);
}

static bool op_DeleteApplicationCloudWatchLoggingOption(call_t *c)
{
    return delete_item(c, K_CWLOG, "CloudWatchLoggingOptionId");
}


/* The application named by a ResourceARN member (arn:...:application/NAME, or a bare name),
 * or NULL with the error set. */
static app_t *app_of_arn(call_t *c)
{
    const char *arn;
    if (!get_str(c, c->body, "ResourceARN", true, 1, 2048, false, &arn) || validation_failed(c))
        return NULL;
    const char *slash = strstr(arn, ":application/");
    return find_app(c, slash ? slash + 13 : arn, NULL);
}

/* Reads a required list member of the request with min..max items (TagResource's Tags,
 * UntagResource's TagKeys). False with the error set. */
static bool get_list(call_t *c, const char *field, size_t min, size_t max, const sl_val_t **out)
{
    const sl_val_t *l = sl_val_get(c->body, field);
    *out = l;
    if (!l || l->type == SL_V_NULL) {
        violation(c, "null", camel(c, field), "Member must not be null");
        return !validation_failed(c);
    }
    if (l->type != SL_V_ARR)
        return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                             "Unexpected value type for %s: expected a list", field) == 0;
    char rule[96];
    if (l->u.arr.n < min || l->u.arr.n > max) {
        if (l->u.arr.n < min)
            snprintf(rule, sizeof rule, "Member must have length greater than or equal to %zu",
                     min);
        else
            snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        violation(c, "[...]", camel(c, field), rule);
        return !validation_failed(c);
    }
    return true;
}

/*
 * TagResource / UntagResource: tags change neither the version nor a running application;
 * they are saved at once. KDA's limit is 50 tags an application (TooManyTagsException
 * beyond, the tags unchanged); a key is 1-128 characters, a value 0-256.
 */
static bool op_TagResource(call_t *c)
{
    app_t *ap = app_of_arn(c);
    if (!ap) return false;
    const sl_val_t *tags;
    if (!get_list(c, "Tags", 1, 200, &tags)) return false;
    /* The new set: the old tags, values replaced and keys appended in request order. */
    size_t cap = ap->desc.ntags + tags->u.arr.n, n = ap->desc.ntags;
    const char **keys = SL_ANEWN(c->a, const char *, cap);
    const char **vals = SL_ANEWN(c->a, const char *, cap);
    for (size_t i = 0; i < n; i++) {
        keys[i] = ap->desc.tags[i].key;
        vals[i] = ap->desc.tags[i].value;
    }
    for (size_t i = 0; i < tags->u.arr.n; i++) {
        const sl_val_t *t = tags->u.arr.items[i];
        const char *k, *v;
        if (t->type != SL_V_OBJ)
            return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                                 "Unexpected value type for Tags[%zu]: expected a structure",
                                 i) == 0;
        if (!get_str(c, t, "Key", true, 1, 128, false, &k) ||
            !get_str(c, t, "Value", false, 0, 256, false, &v) || validation_failed(c))
            return false;
        size_t j = 0;
        while (j < n && strcmp(keys[j], k) != 0) j++;
        keys[j] = k;
        vals[j] = v ? v : "";
        if (j == n) n++;
    }
    if (n > SL_APP_MAX_TAGS)
        return sl_awserr_set(&c->err, SL_AWS_TooManyTagsException,
                             "Application %s would have %zu tags; at most %d are allowed.",
                             ap->desc.name, n, SL_APP_MAX_TAGS) == 0;
    sl_app_tag_t *nt = SL_NEWN(sl_app_tag_t, n);
    for (size_t i = 0; i < n; i++) {
        nt[i].key = sl_strdup(keys[i]);
        nt[i].value = sl_strdup(vals[i] ? vals[i] : "");
    }
    return set_tags(c, ap, nt, n);
}

static bool op_UntagResource(call_t *c)
{
    app_t *ap = app_of_arn(c);
    if (!ap) return false;
    const sl_val_t *keys;
    if (!get_list(c, "TagKeys", 1, 200, &keys)) return false;
    for (size_t i = 0; i < keys->u.arr.n; i++)
        if (keys->u.arr.items[i]->type != SL_V_STR)
            return sl_awserr_set(&c->err, SL_AWS_SerializationException,
                                 "Unexpected value type for TagKeys[%zu]: expected a string",
                                 i) == 0;
    /* Keys that are not there are ignored, as KDA does. */
    sl_app_tag_t *nt = SL_NEWN(sl_app_tag_t, ap->desc.ntags ? ap->desc.ntags : 1);
    size_t n = 0;
    for (size_t i = 0; i < ap->desc.ntags; i++) {
        bool drop = false;
        for (size_t j = 0; j < keys->u.arr.n && !drop; j++)
            drop = !strcmp(keys->u.arr.items[j]->u.str.p, ap->desc.tags[i].key);
        if (drop) continue;
        nt[n].key = sl_strdup(ap->desc.tags[i].key);
        nt[n].value = sl_strdup(ap->desc.tags[i].value ? ap->desc.tags[i].value : "");
        n++;
    }
    return set_tags(c, ap, nt, n);
}

/* ListTagsForResource: the tags of the application named by its ARN. */
static bool op_ListTagsForResource(call_t *c)
{
    app_t *ap = app_of_arn(c);
    if (!ap) return false;
    sl_enc_obj_begin(c->enc);
    sl_enc_key(c->enc, "Tags");
    sl_enc_arr_begin(c->enc);
    for (size_t i = 0; i < ap->desc.ntags; i++) {
        sl_enc_obj_begin(c->enc);
        sl_enc_key(c->enc, "Key");
        sl_enc_str(c->enc, ap->desc.tags[i].key);
        if (ap->desc.tags[i].value) {
            sl_enc_key(c->enc, "Value");
            sl_enc_str(c->enc, ap->desc.tags[i].value);
        }
        sl_enc_obj_end(c->enc);
    }
    sl_enc_arr_end(c->enc);
    sl_enc_obj_end(c->enc);
    return true;
}

/* DiscoverInputSchema: a sample from a stream of the store or an object read by
 * sl_refdata_fetch, inferred by sl_analytics_infer_schema (discover.c). */
static bool op_DiscoverInputSchema(call_t *c)
{
    const char *arn;
    const sl_val_t *sp, *s3;
    if (!get_str(c, c->body, "ResourceARN", false, 1, 2048, false, &arn) ||
        !get_obj(c, c->body, "InputStartingPositionConfiguration", false, &sp) ||
        !get_obj(c, c->body, "S3Configuration", false, &s3) || validation_failed(c))
        return false;
    const char **recs = NULL;
    size_t *lens = NULL, n = 0;
    sl_buf_t obj = SL_BUF_INIT;
    if (s3) {
        const char *bucket, *key, *role;
        if (!get_str(c, s3, "BucketARN", true, 1, 2048, false, &bucket) ||
            !get_str(c, s3, "FileKey", true, 1, 1024, false, &key) ||
            !get_str(c, s3, "RoleARN", true, 1, 2048, false, &role) || validation_failed(c))
            return false;
        const char *b = strncmp(bucket, "arn:aws:s3:::", 13) ? bucket : bucket + 13;
        char *src = sl_asprintf("s3://%s/%s", b, key), *why = NULL;
        int rc = sl_refdata_fetch(src, &obj, &why);
        sl_free(src);
        if (rc < 0) {
            sl_awserr_set(&c->err, SL_AWS_ResourceNotFoundException, "%s", why);
            sl_free(why);
            sl_buf_free(&obj);
            return false;
        }
        /* One record per line. */
        size_t cap = 16;
        recs = SL_ANEWN(c->a, const char *, cap);
        lens = SL_ANEWN(c->a, size_t, cap);
        const char *p = obj.p, *end = obj.p + obj.len;
        while (p < end && n < 100) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (len && p[len - 1] == '\r') len--;
            if (len) {
                if (n == cap) {
                    const char **r2 = SL_ANEWN(c->a, const char *, cap * 2);
                    size_t *l2 = SL_ANEWN(c->a, size_t, cap * 2);
                    memcpy(r2, recs, n * sizeof *recs);
                    memcpy(l2, lens, n * sizeof *lens);
                    recs = r2, lens = l2, cap *= 2;
                }
                recs[n] = sl_arena_strndup(c->a, p, len);
                lens[n++] = len;
            }
            p = nl ? nl + 1 : end;
        }
    } else if (arn) {
        const char *pos = NULL;
        if (sp && !get_str(c, sp, "InputStartingPosition", false, 1, 32, false, &pos)) return false;
        const char *stream = sl_store_resolve_name(c->an->st, arn, c->a, &c->err);
        if (!stream) {
            c->err.code = SL_AWS_InvalidArgumentException;
            return false;
        }
        sl_stream_info_t *info = sl_store_describe(c->an->st, stream, c->a, &c->err);
        if (!info) return false;
        sl_iter_type_t it = pos && !strcmp(pos, "NOW") ? SL_ITER_LATEST : SL_ITER_TRIM_HORIZON;
        size_t cap = 100;
        recs = SL_ANEWN(c->a, const char *, cap);
        lens = SL_ANEWN(c->a, size_t, cap);
        for (size_t s = 0; s < info->nshards && n < cap; s++) {
            const char *iter = sl_store_get_iterator(c->an->st, stream, info->shards[s].id, it,
                                                     NULL, 0, c->a, &c->err);
            if (!iter) return false;
            sl_get_result_t r;
            if (sl_store_get_records(c->an->st, iter, (int)(cap - n), c->a, &r, &c->err) < 0)
                return false;
            for (size_t i = 0; i < r.n && n < cap; i++) {
                recs[n] = sl_arena_strndup(c->a, (const char *)r.records[i].data, r.records[i].len);
                lens[n++] = r.records[i].len;
            }
        }
    } else {
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "Either ResourceARN or S3Configuration is required.") == 0;
    }
    size_t mark = c->enc->out->len;
    sl_enc_obj_begin(c->enc);
    int rc = sl_analytics_infer_schema(recs, lens, n, c->enc);
    sl_buf_free(&obj);
    if (rc < 0) {
        c->enc->out->len = mark;
        return sl_awserr_set(&c->err, SL_AWS_UnableToDetectSchemaException,
                             n ? "Unable to detect a schema from the records."
                               : "No records were found to detect a schema from.") == 0;
    }
    sl_enc_obj_end(c->enc);
    return true;
}

/* The operations, one entry each. */
#define ANALYTICS_OPS(X)                                                                      \
    X(CreateApplication) X(DescribeApplication) X(ListApplications) X(StartApplication)       \
    X(StopApplication) X(DeleteApplication) X(UpdateApplication) X(AddApplicationInput)       \
    X(AddApplicationOutput) X(AddApplicationReferenceDataSource) X(DeleteApplicationOutput)   \
    X(DeleteApplicationReferenceDataSource) X(DeleteApplicationInputProcessingConfiguration)  \
    X(ListTagsForResource) X(DiscoverInputSchema) X(AddApplicationCloudWatchLoggingOption)   \
    X(DeleteApplicationCloudWatchLoggingOption) X(AddApplicationInputProcessingConfiguration) \
    X(TagResource) X(UntagResource)

static const struct {
    const char *name;
    bool (*fn)(call_t *);
} ops[] = {
#define ANALYTICS_OP_ENTRY(n) {#n, op_##n},
    ANALYTICS_OPS(ANALYTICS_OP_ENTRY)
#undef ANALYTICS_OP_ENTRY
};

/* ---- the handler ------------------------------------------------------------------------ */

void sl_analytics_handle(sl_analytics_t *an, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    bool cbor = sl_aws_is_cbor(req);
    const char *target = sl_http_header(req, "X-Amz-Target");
    const char *op = target + strlen(SL_ANALYTICS_TARGET_PREFIX);
    size_t i;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, op)) break;
    if (i == sizeof ops / sizeof ops[0]) {
        sl_aws_error_reply(resp, cbor, SL_AWS_UnknownOperationException,
                           "The requested operation is not supported by this endpoint.");
        return;
    }
    sl_val_t *body = sl_aws_decode_body(req, resp);
    if (!body) return;
    sl_enc_t enc;
    sl_enc_init(&enc, cbor ? SL_ENC_CBOR : SL_ENC_JSON, resp->body);
    call_t c = {.an = an, .a = req->arena, .body = body, .enc = &enc};
    pthread_mutex_lock(&an->mu);
    bool ok = ops[i].fn(&c);
    pthread_mutex_unlock(&an->mu);
    sl_aws_finish_reply(resp, cbor, ok, &c.err, &c.viol);
}

/* ---- metrics ---------------------------------------------------------------------------- */

/* The counters of every running application's webhook / file / command outputs
 * (runtime/sink), labelled by application and output. Called with an->mu held, which keeps
 * the runners (and the names the samples borrow from them) alive. */
static void sink_metrics(sl_analytics_t *an, sl_buf_t *out)
{
    size_t n = 0, cap = 8;
    sl_sink_sample_t *v = SL_NEWN(sl_sink_sample_t, cap);
    for (size_t i = 0; i < an->napps; i++) {
        app_t *ap = an->apps[i];
        if (!ap->runner) continue;
        int got;
        while ((size_t)(got = sl_runner_sink_stats(ap->runner, v + n, (int)(cap - n))) > cap - n) {
            cap = n + (size_t)got;
            v = sl_realloc(v, cap * sizeof *v);
        }
        for (int j = 0; j < got; j++) v[n + (size_t)j].application = ap->desc.name;
        n += (size_t)got;
    }
    sl_sink_metrics(v, n, out);
    sl_free(v);
}

void sl_analytics_metrics(sl_analytics_t *an, sl_buf_t *out)
{
    static const struct {
        const char *name, *type, *help;
    } m[] = {
        {"sluice_application_status", "gauge", "1 for the application's current status"},
        {"sluice_application_records_in_total", "counter", "records read from the input"},
        {"sluice_application_rows_out_total", "counter", "rows written to the outputs"},
        {"sluice_application_error_rows_total", "counter", "rows sent to error_stream"},
        {"sluice_application_millis_behind", "gauge", "how far the last read was behind"},
        {"sluice_application_version", "gauge", "ApplicationVersionId"},
        {"sluice_application_runner_up", "gauge",
         "1 while the runner follows its input (0 when stopped or failed)"},
        {"sluice_application_runner_failures_total", "counter",
         "times the runner failed on its own (it restarts from its last checkpoint)"},
        {"sluice_application_runner_restarts_total", "counter",
         "times the runner started again after a failure"},
    };
    pthread_mutex_lock(&an->mu);
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
        sl_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name,
                      m[k].type);
        for (size_t i = 0; i < an->napps; i++) {
            app_t *ap = an->apps[i];
            sl_runner_stats_t s = {0};
            if (ap->runner) sl_runner_stats(ap->runner, &s);
            sl_buf_printf(out, "%s{application=\"", m[k].name);
            sl_buf_prom_label(out, ap->desc.name);
            if (k == 0) {
                sl_buf_printf(out, "\",status=\"%s\"} 1\n", status_names[ap->status]);
                continue;
            }
            int64_t v = k == 1 ? s.records_in : k == 2 ? s.rows_out : k == 3 ? s.errors
                        : k == 4 ? s.millis_behind : k == 5 ? ap->version : k == 6 ? s.running
                        : k == 7 ? s.failures : s.restarts;
            sl_buf_printf(out, "\"} %" PRId64 "\n", v);
        }
    }
    sink_metrics(an, out);
    pthread_mutex_unlock(&an->mu);
    sl_arena_t *a = sl_arena_new(0);
    const char **names;
    size_t n = sl_store_list_streams(an->st, a, &names);
    sl_buf_puts(out, "# HELP sluice_stream_open_shards open shards of the stream\n"
                     "# TYPE sluice_stream_open_shards gauge\n");
    for (size_t i = 0; i < n; i++) {
        sl_awserr_t err = {0};
        sl_stream_info_t *info = sl_store_describe(an->st, names[i], a, &err);
        if (!info) continue;
        sl_buf_puts(out, "sluice_stream_open_shards{stream=\"");
        sl_buf_prom_label(out, names[i]);
        sl_buf_printf(out, "\"} %d\n", info->open_shards);
    }
    sl_arena_free(a);
}
