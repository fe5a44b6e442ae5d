/*
 * kinesis_api.c - Kinesis Data Streams operations over the shard store; see kinesis_api.h.
 *
 *     sl_kinesis_api_handle
 *        decode the body (JSON or CBOR by Content-Type) -> sl_val_t
 *        look the operation up in the OPS table
 *        op_<Name>: validate members (collecting AWS-style messages), call the store,
 *                   write the answer through sl_enc_t
 *        on error: {"__type": ..., "message": ...} with the error's HTTP status
 *
 * Validation follows AWS's order and wording: type errors are SerializationException;
 * constraint violations are collected as "Value '<v>' at '<member>' failed to satisfy
 * constraint: <rule>" and reported together as one ValidationException; semantic errors
 * (unknown stream, bad shard) come from the store.
 */
#include "kinesis_api.h"

#include "alloc.h"
#include "clock.h"
#include "val.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD_BYTES  (1u << 20)
#define MAX_PUTS_BYTES    (5u << 20)
#define NEXT_TOKEN_TTL_MS 300000

/* The state of one request. */
typedef struct call {
    sl_store_t *st;
    sl_arena_t *a;
    const sl_val_t *body;
    sl_enc_t *enc;
    sl_awserr_t err;
    sl_violations_t viol; /* collected constraint violations */
    int rec_index; /* 1-based index of the PutRecords entry being read, 0 otherwise */
} call_t;

/* ---- validation ------------------------------------------------------------------------ */

/* Records one constraint violation; quote=false writes the value bare (only "null"). */
static void violation(call_t *c, const char *value, bool quote, const char *member,
                      const char *rule)
{
    sl_violation_add(&c->viol, quote ? value : NULL, member, rule);
}

/* Turns collected violations into the error; returns true when there were any. */
static bool validation_failed(call_t *c)
{
    return sl_violations_report(&c->viol, &c->err);
}

static bool serialization(call_t *c, const char *msg)
{
    sl_awserr_set(&c->err, SL_AWS_SerializationException, "%s", msg);
    return false;
}

/* The member path of a message: the explicit path when given, else the field in
 * lowerCamel ("StreamName" -> "streamName"), under "records.N.member." inside PutRecords.
 * Built only when a violation is reported, so valid requests pay nothing for it. */
static const char *member_path(call_t *c, const char *path, const char *field)
{
    if (path) return path;
    char *m = c->rec_index ? sl_arena_printf(c->a, "records.%d.member.%s", c->rec_index, field)
                           : sl_arena_strdup(c->a, field);
    char *f = c->rec_index ? strrchr(m, '.') + 1 : m;
    if (f[0] >= 'A' && f[0] <= 'Z') f[0] = (char)(f[0] - 'A' + 'a');
    return m;
}

/* The regular expressions of the model, as predicates. */
static bool name_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

static bool decimal_pattern(const char *s, size_t n, size_t max_digits)
{
    if (n == 0 || n > max_digits) return false;
    if (s[0] == '0') return n == 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Counts Unicode characters (code points) of UTF-8 text, as AWS's length limits do. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
    return k;
}

enum { PAT_NONE, PAT_NAME, PAT_SEQ, PAT_HASH, PAT_ARN };

/* Whether s satisfies the member's pattern (as checked by get_str). */
static bool pattern_ok(const char *s, size_t n, size_t chars, size_t min, int pattern)
{
    switch (pattern) {
    case PAT_NAME: return chars < min || name_chars(s, n);
    case PAT_SEQ: return decimal_pattern(s, n, 129);
    case PAT_HASH: return decimal_pattern(s, n, 39);
    case PAT_ARN: return !strncmp(s, "arn:aws", 7);
    default: return true;
    }
}

/*
 * Reads an optional string member. Returns false on a type error (already reported). A
 * present value is checked against [min, max] characters and the pattern; violations are
 * collected. *out is NULL when absent; required members that are absent are collected as
 * "must not be null".
 */
static bool get_str(call_t *c, const sl_val_t *obj, const char *field, const char *path,
                    bool required, size_t min, size_t max, int pattern, const char **out)
{
    *out = NULL;
    const sl_val_t *v = sl_val_get(obj, field);
    if (!v || v->type == SL_V_NULL) {
        if (required)
            violation(c, "null", false, member_path(c, path, field), "Member must not be null");
        return true;
    }
    if (v->type != SL_V_STR) {
        const char *t = v->type == SL_V_NUM    ? "NUMBER_VALUE"
                        : v->type == SL_V_BOOL ? (v->u.b ? "TRUE_VALUE" : "FALSE_VALUE")
                        : v->type == SL_V_ARR  ? "START_ARRAY"
                        : v->type == SL_V_OBJ  ? "START_OBJECT"
                                               : "VALUE";
        char msg[96];
        snprintf(msg, sizeof msg, "%s can not be converted to a String", t);
        return serialization(c, msg);
    }
    const char *s = v->u.str.p;
    size_t n = v->u.str.len, chars = n <= max && n >= min ? min : utf8_chars(s, n);
    char rule[128];
    /* (A byte count within [min, max] has a character count within it too.) */
    if ((chars < min || chars > max || (pattern != PAT_NONE && !pattern_ok(s, n, chars, min, pattern))))
        path = member_path(c, path, field);
    if (chars < min) {
        snprintf(rule, sizeof rule, "Member must have length greater than or equal to %zu", min);
        violation(c, s, true, path, rule);
    }
    if (chars > max) {
        snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        violation(c, s, true, path, rule);
    }
    if (chars >= min && pattern == PAT_NAME && !name_chars(s, n))
        violation(c, s, true, path,
                  "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    if (pattern == PAT_SEQ && !decimal_pattern(s, n, 129))
        violation(c, s, true, path, "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
    if (pattern == PAT_HASH && !decimal_pattern(s, n, 39))
        violation(c, s, true, path, "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
    if (pattern == PAT_ARN && strncmp(s, "arn:aws", 7))
        violation(c, s, true, path,
                  "Member must satisfy regular expression pattern: "
                  "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
    *out = s;
    return true;
}

/* Reads an optional integer member with bounds; *present tells whether it was there. */
static bool get_int(call_t *c, const sl_val_t *obj, const char *field, bool required, int64_t min,
                    int64_t max, int64_t *out, bool *present)
{
    *present = false;
    const sl_val_t *v = sl_val_get(obj, field);
    const char *path = field;
    if (!v || v->type == SL_V_NULL || (v->type == SL_V_NUM && v->u.num.is_int &&
                                       (v->u.num.i < min || v->u.num.i > max)))
        path = member_path(c, NULL, field);
    if (!v || v->type == SL_V_NULL) {
        if (required) violation(c, "null", false, path, "Member must not be null");
        return true;
    }
    if (v->type != SL_V_NUM) {
        return serialization(c, v->type == SL_V_STR ? "STRING_VALUE can not be converted to an Integer"
                                                    : "Unexpected value type for an Integer");
    }
    if (!v->u.num.is_int) return serialization(c, "Only integer values are accepted for this member");
    int64_t x = v->u.num.i;
    char val[32], rule[96];
    snprintf(val, sizeof val, "%" PRId64, x);
    if (x < min) {
        snprintf(rule, sizeof rule, "Member must have value greater than or equal to %" PRId64, min);
        violation(c, val, true, path, rule);
    }
    if (x > max) {
        snprintf(rule, sizeof rule, "Member must have value less than or equal to %" PRId64, max);
        violation(c, val, true, path, rule);
    }
    *out = x;
    *present = true;
    return true;
}

/* Reads a required list member with [min, max] entries into *out. Returns false on a
 * missing member or a wrong type (the error or violation is recorded); length violations
 * are collected and leave *out set so the caller can go on validating. */
static bool get_list(call_t *c, const sl_val_t *obj, const char *field, size_t min, size_t max,
                     const sl_val_t **out)
{
    const sl_val_t *v = sl_val_get(obj, field);
    const char *path = member_path(c, NULL, field);
    *out = NULL;
    if (!v || v->type == SL_V_NULL) {
        violation(c, "null", false, path, "Member must not be null");
        validation_failed(c);
        return false;
    }
    if (v->type != SL_V_ARR) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s must be a list", field);
        return serialization(c, msg);
    }
    char rule[96];
    if (v->u.arr.n < min) {
        snprintf(rule, sizeof rule, "Member must have length greater than or equal to %zu", min);
        violation(c, "[]", true, path, rule);
    }
    if (v->u.arr.n > max) {
        snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        violation(c, "[...]", true, path, rule);
    }
    *out = v;
    return true;
}

/* Reads the stream identity: StreamName or StreamARN (one is required). Returns the stream
 * name, or NULL with the error set (validation violations are left collected). */
static const char *stream_of(call_t *c, const sl_val_t *obj, bool *ok)
{
    const char *name = NULL, *arn = NULL;
    *ok = get_str(c, obj, "StreamName", NULL, false, 1, 128, PAT_NAME, &name) &&
          get_str(c, obj, "StreamARN", NULL, false, 1, 2048, PAT_ARN, &arn);
    if (!*ok) return NULL;
    if (name) return name;
    if (arn) {
        const char *n = sl_store_resolve_name(c->st, arn, c->a, &c->err);
        if (!n) *ok = false;
        return n;
    }
    violation(c, "null", false, "streamName", "Member must not be null");
    return NULL;
}

/* ---- encoders of common shapes ------------------------------------------------------------- */

/* "shardId-%012d" of the first indexes, made once: the PutRecords answer names a shard per
 * record, and printf there would be a tenth of the request's cost. */
#define CACHED_SHARD_NAMES 64
static char shard_names[CACHED_SHARD_NAMES][24];
static pthread_once_t shard_names_once = PTHREAD_ONCE_INIT;

static void init_shard_names(void)
{
    for (int i = 0; i < CACHED_SHARD_NAMES; i++)
        snprintf(shard_names[i], sizeof shard_names[i], "shardId-%012d", i);
}

/* The ShardId of index ix (static storage or the call's arena). */
static const char *shard_name(call_t *c, int ix)
{
    pthread_once(&shard_names_once, init_shard_names);
    if (ix >= 0 && ix < CACHED_SHARD_NAMES) return shard_names[ix];
    return sl_arena_printf(c->a, "shardId-%012d", ix);
}

static void enc_hash(sl_enc_t *e, const char *key, sl_u128_t v)
{
    char s[40];
    sl_u128_format(v, s);
    sl_enc_key(e, key);
    sl_enc_str(e, s);
}

static void enc_shard(sl_enc_t *e, const sl_shard_info_t *sh)
{
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ShardId");
    sl_enc_str(e, sh->id);
    char pid[24];
    if (sh->parent_ix >= 0) {
        snprintf(pid, sizeof pid, "shardId-%012d", sh->parent_ix);
        sl_enc_key(e, "ParentShardId");
        sl_enc_str(e, pid);
    }
    if (sh->adjacent_parent_ix >= 0) {
        snprintf(pid, sizeof pid, "shardId-%012d", sh->adjacent_parent_ix);
        sl_enc_key(e, "AdjacentParentShardId");
        sl_enc_str(e, pid);
    }
    sl_enc_key(e, "HashKeyRange");
    sl_enc_obj_begin(e);
    enc_hash(e, "StartingHashKey", sh->start_hash);
    enc_hash(e, "EndingHashKey", sh->end_hash);
    sl_enc_obj_end(e);
    sl_enc_key(e, "SequenceNumberRange");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StartingSequenceNumber");
    sl_enc_str(e, sh->start_seq);
    if (sh->closed) {
        sl_enc_key(e, "EndingSequenceNumber");
        sl_enc_str(e, sh->end_seq);
    }
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
}

static void enc_mode(sl_enc_t *e, bool on_demand)
{
    sl_enc_key(e, "StreamModeDetails");
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamMode");
    sl_enc_str(e, on_demand ? "ON_DEMAND" : "PROVISIONED");
    sl_enc_obj_end(e);
}

/* The members DescribeStream and DescribeStreamSummary share, in that order: name, ARN,
 * status, mode (also the start of a ListStreams summary); then (tail) retention, creation
 * time, monitoring and encryption. */
static void enc_stream_head(sl_enc_t *e, const sl_stream_info_t *info)
{
    sl_enc_key(e, "StreamName");
    sl_enc_str(e, info->name);
    sl_enc_key(e, "StreamARN");
    sl_enc_str(e, info->arn);
    sl_enc_key(e, "StreamStatus");
    sl_enc_str(e, sl_stream_status_name(info->status));
    enc_mode(e, info->on_demand);
}

static void enc_stream_tail(sl_enc_t *e, const sl_stream_info_t *info)
{
    sl_enc_key(e, "RetentionPeriodHours");
    sl_enc_i64(e, info->retention_hours);
    sl_enc_key(e, "StreamCreationTimestamp");
    sl_enc_time_ms(e, info->created_ms);
    sl_enc_key(e, "EnhancedMonitoring");
    sl_enc_arr_begin(e);
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ShardLevelMetrics");
    sl_enc_arr_begin(e);
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
    sl_enc_arr_end(e);
    sl_enc_key(e, "EncryptionType");
    sl_enc_str(e, "NONE");
}

static void enc_empty(sl_enc_t *e)
{
    sl_enc_obj_begin(e);
    sl_enc_obj_end(e);
}

/* ---- operations ----------------------------------------------------------------------------- */

/* Reads a Tags map ({key: value}) into an arena array; false on a type error. */
static bool read_tag_map(call_t *c, const sl_val_t *v, const char *path, sl_tag_t **tags,
                         size_t *n)
{
    *tags = NULL;
    *n = 0;
    if (!v || v->type == SL_V_NULL) return true;
    if (v->type != SL_V_OBJ) return serialization(c, "Tags must be a map of strings");
    *tags = SL_ANEWN(c->a, sl_tag_t, v->u.obj.n ? v->u.obj.n : 1);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const sl_member_t *m = &v->u.obj.members[i];
        if (m->val->type != SL_V_STR) return serialization(c, "Tag values must be strings");
        size_t kl = utf8_chars(m->key, m->key_len), vl = utf8_chars(m->val->u.str.p, m->val->u.str.len);
        if (kl < 1 || kl > 128)
            violation(c, m->key, true, path,
                      "Map keys must satisfy constraint: [Member must have length less than or "
                      "equal to 128, Member must have length greater than or equal to 1]");
        if (vl > 256)
            violation(c, m->val->u.str.p, true, path,
                      "Map value must satisfy constraint: [Member must have length less than or "
                      "equal to 256, Member must have length greater than or equal to 0]");
        (*tags)[*n].key = m->key;
        (*tags)[*n].value = m->val->u.str.p;
        (*n)++;
    }
    if (*n > 200)
        violation(c, "{...}", true, path,
                  "Member must have length less than or equal to 200");
    return true;
}

static bool op_CreateStream(call_t *c)
{
    const char *name, *mode = NULL;
    int64_t shards = 0;
    bool has_shards;
    if (!get_str(c, c->body, "StreamName", NULL, true, 1, 128, PAT_NAME, &name) ||
        !get_int(c, c->body, "ShardCount", false, 1, 100000, &shards, &has_shards))
        return false;
    const sl_val_t *md = sl_val_get(c->body, "StreamModeDetails");
    if (md && md->type == SL_V_OBJ) {
        if (!get_str(c, md, "StreamMode", "streamModeDetails.streamMode", true, 1, 64, PAT_NONE,
                     &mode))
            return false;
        if (mode && strcmp(mode, "PROVISIONED") && strcmp(mode, "ON_DEMAND"))
            violation(c, mode, true, "streamModeDetails.streamMode",
                      "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    }
    bool on_demand = mode && !strcmp(mode, "ON_DEMAND");
    sl_tag_t *tags;
    size_t ntags;
    if (!read_tag_map(c, sl_val_get(c->body, "Tags"), "tags", &tags, &ntags)) return false;
    if (!on_demand && !has_shards && !c->viol.n)
        violation(c, "null", false, "shardCount", "Member must not be null");
    if (validation_failed(c)) return false;
    if (on_demand && has_shards)
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "ShardCount cannot be specified for a stream in ON_DEMAND mode."),
               false;
    if (sl_store_create_stream(c->st, name, on_demand ? 4 : (int)shards, on_demand, tags, ntags,
                               &c->err) < 0)
        return false;
    enc_empty(c->enc);
    return true;
}

static bool op_DeleteStream(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok || validation_failed(c)) return false;
    if (sl_store_delete_stream(c->st, name, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_DescribeStream(call_t *c)
{
    bool ok, has_limit;
    int64_t limit = 100;
    const char *start = NULL;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok || !get_int(c, c->body, "Limit", false, 1, 10000, &limit, &has_limit) ||
        !get_str(c, c->body, "ExclusiveStartShardId", NULL, false, 1, 128, PAT_NAME, &start))
        return false;
    if (validation_failed(c)) return false;
    if (limit > 100) limit = 100;
    sl_stream_info_t *info = sl_store_describe(c->st, name, c->a, &c->err);
    if (!info) return false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamDescription");
    sl_enc_obj_begin(e);
    enc_stream_head(e, info);
    sl_enc_key(e, "Shards");
    sl_enc_arr_begin(e);
    size_t first = 0, listed = 0;
    if (start) {
        /* Shards after the given one, in shard-id order. */
        while (first < info->nshards && strcmp(info->shards[first].id, start) <= 0) first++;
    }
    for (size_t i = first; i < info->nshards && listed < (size_t)limit; i++, listed++)
        enc_shard(e, &info->shards[i]);
    sl_enc_arr_end(e);
    sl_enc_key(e, "HasMoreShards");
    sl_enc_bool(e, first + listed < info->nshards);
    enc_stream_tail(e, info);
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
    return true;
}

static bool op_DescribeStreamSummary(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok || validation_failed(c)) return false;
    sl_stream_info_t *info = sl_store_describe(c->st, name, c->a, &c->err);
    if (!info) return false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamDescriptionSummary");
    sl_enc_obj_begin(e);
    enc_stream_head(e, info);
    enc_stream_tail(e, info);
    sl_enc_key(e, "OpenShardCount");
    sl_enc_i64(e, info->open_shards);
    sl_enc_key(e, "ConsumerCount");
    sl_enc_i64(e, 0);
    sl_enc_key(e, "StreamId");
    sl_enc_str(e, sl_arena_printf(c->a, "%" PRId64, info->id));
    sl_enc_obj_end(e);
    sl_enc_obj_end(e);
    return true;
}

static bool op_ListStreams(call_t *c)
{
    int64_t limit = 100;
    bool has_limit;
    const char *start = NULL, *token = NULL;
    if (!get_int(c, c->body, "Limit", false, 1, 10000, &limit, &has_limit) ||
        !get_str(c, c->body, "ExclusiveStartStreamName", NULL, false, 1, 128, PAT_NAME, &start) ||
        !get_str(c, c->body, "NextToken", NULL, false, 1, 1048576, PAT_NONE, &token))
        return false;
    if (validation_failed(c)) return false;
    if (token) {
        /* Our NextToken is the base64 of the last name listed, so it is stateless. */
        size_t tl = strlen(token);
        unsigned char *dec = sl_arena_alloc(c->a, tl + 1);
        long dl = sl_base64_decode(token, tl, dec);
        if (dl <= 0)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "NextToken %s is invalid.", token),
                   false;
        start = sl_arena_strndup(c->a, (const char *)dec, (size_t)dl);
    }
    const char **names;
    size_t n = sl_store_list_streams(c->st, c->a, &names);
    size_t first = 0;
    if (start)
        while (first < n && strcmp(names[first], start) <= 0) first++;
    size_t end = first + (size_t)limit < n ? first + (size_t)limit : n;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamNames");
    sl_enc_arr_begin(e);
    for (size_t i = first; i < end; i++) sl_enc_str(e, names[i]);
    sl_enc_arr_end(e);
    sl_enc_key(e, "HasMoreStreams");
    sl_enc_bool(e, end < n);
    if (end < n && end > first) {
        sl_buf_t b = SL_BUF_INIT;
        sl_base64_encode(&b, names[end - 1], strlen(names[end - 1]));
        sl_enc_key(e, "NextToken");
        sl_enc_str(e, b.p);
        sl_buf_free(&b);
    }
    sl_enc_key(e, "StreamSummaries");
    sl_enc_arr_begin(e);
    for (size_t i = first; i < end; i++) {
        sl_awserr_t ignore = {0};
        sl_stream_info_t *info = sl_store_describe(c->st, names[i], c->a, &ignore);
        if (!info) continue;
        sl_enc_obj_begin(e);
        enc_stream_head(e, info);
        sl_enc_key(e, "StreamCreationTimestamp");
        sl_enc_time_ms(e, info->created_ms);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
    return true;
}

/* Whether shard sh passes a ListShards ShardFilter. */
static bool shard_matches(const sl_stream_info_t *info, const sl_shard_info_t *sh,
                          const char *type, int after_ix, int64_t ts, int64_t now)
{
    if (!type || !strcmp(type, "FROM_TRIM_HORIZON")) return true;
    if (!strcmp(type, "AFTER_SHARD_ID")) return sh->ix > after_ix;
    if (!strcmp(type, "AT_LATEST")) return !sh->closed;
    int64_t horizon = now - (int64_t)info->retention_hours * 3600000;
    if (horizon < info->created_ms) horizon = info->created_ms;
    if (!strcmp(type, "AT_TRIM_HORIZON"))
        return sh->created_ms <= horizon && (!sh->closed || sh->closed_ms > horizon);
    if (ts < info->created_ms) ts = info->created_ms;
    if (!strcmp(type, "AT_TIMESTAMP"))
        return sh->created_ms <= ts && (!sh->closed || sh->closed_ms > ts);
    if (!strcmp(type, "FROM_TIMESTAMP")) return !sh->closed || sh->closed_ms >= ts;
    return true;
}

static bool op_ListShards(call_t *c)
{
    const char *name = NULL, *arn = NULL, *token = NULL, *start = NULL, *type = NULL,
               *fshard = NULL;
    int64_t max = 1000, created = 0;
    bool has_max, ok = get_str(c, c->body, "StreamName", NULL, false, 1, 128, PAT_NAME, &name) &&
                           get_str(c, c->body, "StreamARN", NULL, false, 1, 2048, PAT_ARN, &arn) &&
                           get_str(c, c->body, "NextToken", NULL, false, 1, 1048576, PAT_NONE, &token) &&
                           get_str(c, c->body, "ExclusiveStartShardId", NULL, false, 1, 128,
                                   PAT_NAME, &start) &&
                           get_int(c, c->body, "MaxResults", false, 1, 10000, &max, &has_max);
    if (!ok) return false;
    const sl_val_t *filter = sl_val_get(c->body, "ShardFilter");
    int64_t fts = 0;
    if (filter && filter->type == SL_V_OBJ) {
        if (!get_str(c, filter, "Type", "shardFilter.type", true, 1, 64, PAT_NONE, &type) ||
            !get_str(c, filter, "ShardId", "shardFilter.shardId", false, 1, 128, PAT_NAME, &fshard))
            return false;
        if (type && strcmp(type, "AFTER_SHARD_ID") && strcmp(type, "AT_TRIM_HORIZON") &&
            strcmp(type, "FROM_TRIM_HORIZON") && strcmp(type, "AT_LATEST") &&
            strcmp(type, "AT_TIMESTAMP") && strcmp(type, "FROM_TIMESTAMP"))
            violation(c, type, true, "shardFilter.type",
                      "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, "
                      "FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
        int r = sl_val_time_ms(sl_val_get(filter, "Timestamp"), &fts);
        if (r < 0) return serialization(c, "Timestamp must be a number of epoch seconds");
        if (type && (!strcmp(type, "AT_TIMESTAMP") || !strcmp(type, "FROM_TIMESTAMP")) && r == 0)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Timestamp must be specified for ShardFilter type %s.", type),
                   false;
        if (type && !strcmp(type, "AFTER_SHARD_ID") && !fshard)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "ShardId must be specified for ShardFilter type AFTER_SHARD_ID."),
                   false;
    }
    if (sl_val_time_ms(sl_val_get(c->body, "StreamCreationTimestamp"), &created) < 0)
        return serialization(c, "StreamCreationTimestamp must be a number of epoch seconds");
    if (validation_failed(c)) return false;

    int64_t after = -1;
    if (token) {
        if (name || arn)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "NextToken and StreamName cannot be provided together."),
                   false;
        if (start || created)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "NextToken and ExclusiveStartShardId or StreamCreationTimestamp "
                                 "cannot be provided together."),
                   false;
        int64_t sid, issued;
        if (!sl_store_read_token(c->st, token, &sid, &after, &issued))
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException, "Invalid NextToken."),
                   false;
        if (sl_clock_now_ms() - issued > NEXT_TOKEN_TTL_MS)
            return sl_awserr_set(&c->err, SL_AWS_ExpiredNextTokenException,
                                 "The NextToken has expired. A NextToken is valid for 300 "
                                 "seconds."),
                   false;
        /* The token carries the stream id; find its name. */
        const char **names;
        size_t n = sl_store_list_streams(c->st, c->a, &names);
        for (size_t i = 0; i < n && !name; i++) {
            sl_awserr_t ignore = {0};
            sl_stream_info_t *info = sl_store_describe(c->st, names[i], c->a, &ignore);
            if (info && info->id == sid) name = info->name;
        }
        if (!name)
            return sl_awserr_set(&c->err, SL_AWS_ResourceNotFoundException,
                                 "The stream of this NextToken no longer exists."),
                   false;
    } else if (name || arn) {
        if (!name) {
            name = sl_store_resolve_name(c->st, arn, c->a, &c->err);
            if (!name) return false;
        }
    } else {
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "Either NextToken or StreamName should be provided."),
               false;
    }
    sl_stream_info_t *info = sl_store_describe(c->st, name, c->a, &c->err);
    if (!info) return false;
    int start_ix = -1;
    if (start) {
        const char *p = !strncmp(start, "shardId-", 8) ? start + 8 : start;
        start_ix = atoi(p);
    }
    if (after < start_ix) after = start_ix;
    int filter_ix = -1;
    if (fshard) filter_ix = atoi(!strncmp(fshard, "shardId-", 8) ? fshard + 8 : fshard);
    int64_t now = sl_clock_now_ms();
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "Shards");
    sl_enc_arr_begin(e);
    size_t listed = 0;
    int last_ix = -1;
    bool more = false;
    for (size_t i = 0; i < info->nshards; i++) {
        const sl_shard_info_t *sh = &info->shards[i];
        if (sh->ix <= after) continue;
        if (!shard_matches(info, sh, type, filter_ix, fts, now)) continue;
        if (listed == (size_t)max) {
            more = true;
            break;
        }
        enc_shard(e, sh);
        listed++;
        last_ix = sh->ix;
    }
    sl_enc_arr_end(e);
    if (more) {
        sl_enc_key(e, "NextToken");
        sl_enc_str(e, sl_store_make_token(c->st, info->id, last_ix, c->a));
    }
    sl_enc_obj_end(e);
    return true;
}

/* Reads one record's members (Data, PartitionKey, ExplicitHashKey) for PutRecord(s). path is
 * the member prefix for messages ("" or "records.N.member."). */
static bool read_record(call_t *c, const sl_val_t *obj, sl_put_rec_t *r)
{
    const sl_val_t *d = sl_val_get(obj, "Data");
    memset(r, 0, sizeof *r);
    if (!d || d->type == SL_V_NULL) {
        violation(c, "null", false, member_path(c, NULL, "Data"), "Member must not be null");
    } else {
        int rc = sl_val_blob(c->a, d, &r->data, &r->len);
        if (rc < 0) return serialization(c, "Base64 encoded data expected for a blob member");
        if (r->len > MAX_RECORD_BYTES) {
            char val[96];
            snprintf(val, sizeof val, "java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]", r->len,
                     r->len);
            violation(c, val, true, member_path(c, NULL, "Data"),
                      "Member must have length less than or equal to 1048576");
        }
    }
    const char *pk, *ehk;
    if (!get_str(c, obj, "PartitionKey", NULL, true, 1, 256, PAT_NONE, &pk) ||
        !get_str(c, obj, "ExplicitHashKey", NULL, false, 0, 1000, PAT_HASH, &ehk))
        return false;
    if (pk) {
        r->pk = pk;
        r->pk_len = strlen(pk);
    }
    if (ehk && decimal_pattern(ehk, strlen(ehk), 39)) {
        r->has_explicit_hash = true;
        if (!sl_u128_parse(ehk, strlen(ehk), &r->explicit_hash))
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                 "[0, 2^128-1]. Specified value was %s",
                                 ehk),
                   false;
    }
    return true;
}

static bool op_PutRecord(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok), *order = NULL;
    sl_put_rec_t r;
    if (!ok || !read_record(c, c->body, &r) ||
        !get_str(c, c->body, "SequenceNumberForOrdering", NULL, false, 0, 1000, PAT_SEQ, &order))
        return false;
    if (validation_failed(c)) return false;
    sl_put_result_t res;
    memset(&res, 0, sizeof res);
    if (sl_store_put(c->st, name, &r, 1, &res, c->a, &c->err) < 0) return false;
    if (res.code != SL_AWS_OK)
        return sl_awserr_set(&c->err, res.code, "%s", res.message), false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ShardId");
    sl_enc_str(e, shard_name(c, res.shard_ix));
    sl_enc_key(e, "SequenceNumber");
    sl_enc_str(e, res.seq);
    sl_enc_key(e, "EncryptionType");
    sl_enc_str(e, "NONE");
    sl_enc_obj_end(e);
    return true;
}

static bool op_PutRecords(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok) return false;
    const sl_val_t *recs;
    if (!get_list(c, c->body, "Records", 1, 500, &recs)) return false;
    if (validation_failed(c)) return false;
    size_t n = recs->u.arr.n;
    sl_put_rec_t *r = sl_arena_alloc(c->a, n * sizeof *r);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const sl_val_t *item = recs->u.arr.items[i];
        if (item->type != SL_V_OBJ) return serialization(c, "Records must hold objects");
        c->rec_index = (int)i + 1;
        if (!read_record(c, item, &r[i])) return false;
        total += r[i].len + r[i].pk_len;
    }
    c->rec_index = 0;
    if (validation_failed(c)) return false;
    if (total > MAX_PUTS_BYTES)
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "Records size exceeds 5 MB limit"),
               false;
    sl_put_result_t *res = sl_arena_calloc(c->a, n * sizeof *res);
    int failed = sl_store_put(c->st, name, r, n, res, c->a, &c->err);
    if (failed < 0) return false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "FailedRecordCount");
    sl_enc_i64(e, failed);
    sl_enc_key(e, "Records");
    sl_enc_arr_begin(e);
    for (size_t i = 0; i < n; i++) {
        sl_enc_obj_begin(e);
        if (res[i].code == SL_AWS_OK) {
            sl_enc_key(e, "SequenceNumber");
            sl_enc_strn(e, res[i].seq, 32);
            sl_enc_key(e, "ShardId");
            sl_enc_str(e, shard_name(c, res[i].shard_ix));
        } else {
            sl_enc_key(e, "ErrorCode");
            sl_enc_str(e, sl_awserr_name(res[i].code));
            sl_enc_key(e, "ErrorMessage");
            sl_enc_str(e, res[i].message);
        }
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_key(e, "EncryptionType");
    sl_enc_str(e, "NONE");
    sl_enc_obj_end(e);
    return true;
}

static bool op_GetShardIterator(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok), *shard, *type, *seq;
    if (!ok || !get_str(c, c->body, "ShardId", NULL, true, 1, 128, PAT_NAME, &shard) ||
        !get_str(c, c->body, "ShardIteratorType", NULL, true, 1, 64, PAT_NONE, &type) ||
        !get_str(c, c->body, "StartingSequenceNumber", NULL, false, 0, 1000, PAT_SEQ, &seq))
        return false;
    static const char *types[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                  "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP"};
    int t = -1;
    for (int i = 0; type && i < 5; i++)
        if (!strcmp(type, types[i])) t = i;
    if (type && t < 0)
        violation(c, type, true, "shardIteratorType",
                  "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, "
                  "AT_TIMESTAMP, TRIM_HORIZON, LATEST]");
    int64_t ts = 0;
    int has_ts = sl_val_time_ms(sl_val_get(c->body, "Timestamp"), &ts);
    if (has_ts < 0) return serialization(c, "Timestamp must be a number of epoch seconds");
    if (validation_failed(c)) return false;
    bool needs_seq = t == SL_ITER_AT_SEQUENCE_NUMBER || t == SL_ITER_AFTER_SEQUENCE_NUMBER;
    if ((needs_seq && !seq) || ((t == SL_ITER_TRIM_HORIZON || t == SL_ITER_LATEST) && seq))
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                             "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                             "StartingSequenceNumber. Request specified %s and %s "
                             "StartingSequenceNumber.",
                             type, seq ? "also a" : "no"),
               false;
    if (t == SL_ITER_AT_TIMESTAMP) {
        int64_t now = sl_clock_now_ms();
        if (!has_ts)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "Must specify timestampInMillis parameter for iterator of type "
                                 "AT_TIMESTAMP. Current request has no timestamp parameter."),
                   false;
        if (ts > now)
            return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                                 "The timestampInMillis parameter cannot be greater than the "
                                 "currentTimestampInMillis. timestampInMillis: %" PRId64
                                 ", currentTimestampInMillis: %" PRId64,
                                 ts, now),
                   false;
    }
    const char *it = sl_store_get_iterator(c->st, name, shard, (sl_iter_type_t)t, seq, ts, c->a,
                                           &c->err);
    if (!it) return false;
    sl_enc_obj_begin(c->enc);
    sl_enc_key(c->enc, "ShardIterator");
    sl_enc_str(c->enc, it);
    sl_enc_obj_end(c->enc);
    return true;
}

static bool op_GetRecords(call_t *c)
{
    const char *it, *arn;
    int64_t limit = 10000;
    bool has_limit;
    if (!get_str(c, c->body, "ShardIterator", NULL, true, 1, 512, PAT_NONE, &it) ||
        !get_int(c, c->body, "Limit", false, 1, 10000, &limit, &has_limit) ||
        !get_str(c, c->body, "StreamARN", NULL, false, 1, 2048, PAT_ARN, &arn))
        return false;
    if (validation_failed(c)) return false;
    sl_get_result_t r;
    if (sl_store_get_records(c->st, it, (int)limit, c->a, &r, &c->err) < 0) return false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "Records");
    sl_enc_arr_begin(e);
    for (size_t i = 0; i < r.n; i++) {
        const sl_record_t *rec = &r.records[i];
        sl_enc_obj_begin(e);
        sl_enc_key(e, "SequenceNumber");
        sl_enc_str(e, rec->seq);
        sl_enc_key(e, "ApproximateArrivalTimestamp");
        sl_enc_time_ms(e, rec->arrival_ms);
        sl_enc_key(e, "Data");
        sl_enc_blob(e, rec->data, rec->len);
        sl_enc_key(e, "PartitionKey");
        sl_enc_strn(e, rec->pk, rec->pk_len);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    if (r.next_iterator) {
        sl_enc_key(e, "NextShardIterator");
        sl_enc_str(e, r.next_iterator);
    }
    sl_enc_key(e, "MillisBehindLatest");
    sl_enc_i64(e, r.millis_behind);
    if (!r.next_iterator) {
        sl_enc_key(e, "ChildShards");
        sl_enc_arr_begin(e);
        for (size_t i = 0; i < r.nchildren; i++) {
            const sl_shard_info_t *ch = &r.children[i];
            char pid[24];
            sl_enc_obj_begin(e);
            sl_enc_key(e, "ShardId");
            sl_enc_str(e, ch->id);
            sl_enc_key(e, "ParentShards");
            sl_enc_arr_begin(e);
            snprintf(pid, sizeof pid, "shardId-%012d", ch->parent_ix);
            sl_enc_str(e, pid);
            if (ch->adjacent_parent_ix >= 0) {
                snprintf(pid, sizeof pid, "shardId-%012d", ch->adjacent_parent_ix);
                sl_enc_str(e, pid);
            }
            sl_enc_arr_end(e);
            sl_enc_key(e, "HashKeyRange");
            sl_enc_obj_begin(e);
            enc_hash(e, "StartingHashKey", ch->start_hash);
            enc_hash(e, "EndingHashKey", ch->end_hash);
            sl_enc_obj_end(e);
            sl_enc_obj_end(e);
        }
        sl_enc_arr_end(e);
    }
    sl_enc_obj_end(e);
    return true;
}

static bool op_SplitShard(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok), *shard, *key;
    if (!ok || !get_str(c, c->body, "ShardToSplit", NULL, true, 1, 128, PAT_NAME, &shard) ||
        !get_str(c, c->body, "NewStartingHashKey", NULL, true, 0, 1000, PAT_HASH, &key))
        return false;
    if (validation_failed(c)) return false;
    sl_u128_t k;
    if (!sl_u128_parse(key, strlen(key), &k))
        return sl_awserr_set(&c->err, SL_AWS_InvalidArgumentException,
                             "NewStartingHashKey %s must be in the range: [0, 2^128-1].", key),
               false;
    if (sl_store_split_shard(c->st, name, shard, k, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_MergeShards(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok), *a, *b;
    if (!ok || !get_str(c, c->body, "ShardToMerge", NULL, true, 1, 128, PAT_NAME, &a) ||
        !get_str(c, c->body, "AdjacentShardToMerge", NULL, true, 1, 128, PAT_NAME, &b))
        return false;
    if (validation_failed(c)) return false;
    if (sl_store_merge_shards(c->st, name, a, b, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_UpdateShardCount(call_t *c)
{
    bool ok, has;
    const char *name = stream_of(c, c->body, &ok), *scaling;
    int64_t target;
    if (!ok || !get_int(c, c->body, "TargetShardCount", true, 1, 100000, &target, &has) ||
        !get_str(c, c->body, "ScalingType", NULL, true, 1, 64, PAT_NONE, &scaling))
        return false;
    if (scaling && strcmp(scaling, "UNIFORM_SCALING"))
        violation(c, scaling, true, "scalingType",
                  "Member must satisfy enum value set: [UNIFORM_SCALING]");
    if (validation_failed(c)) return false;
    int current = 0;
    if (sl_store_update_shard_count(c->st, name, (int)target, &current, &c->err) < 0) return false;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamName");
    sl_enc_str(e, name);
    sl_enc_key(e, "CurrentShardCount");
    sl_enc_i64(e, current);
    sl_enc_key(e, "TargetShardCount");
    sl_enc_i64(e, target);
    sl_enc_key(e, "StreamARN");
    sl_enc_str(e, sl_store_arn(c->st, name, c->a));
    sl_enc_obj_end(e);
    return true;
}

static bool retention(call_t *c, bool increase)
{
    bool ok, has;
    int64_t hours;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok || !get_int(c, c->body, "RetentionPeriodHours", true, 1, 2147483647, &hours, &has))
        return false;
    if (validation_failed(c)) return false;
    if (sl_store_set_retention(c->st, name, (int)hours, increase, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_IncreaseStreamRetentionPeriod(call_t *c)
{
    return retention(c, true);
}

static bool op_DecreaseStreamRetentionPeriod(call_t *c)
{
    return retention(c, false);
}

static bool op_AddTagsToStream(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok) return false;
    const sl_val_t *tv = sl_val_get(c->body, "Tags");
    sl_tag_t *tags;
    size_t n;
    if (!tv || tv->type == SL_V_NULL) violation(c, "null", false, "tags", "Member must not be null");
    if (!read_tag_map(c, tv, "tags", &tags, &n)) return false;
    if (tv && n == 0)
        violation(c, "{}", true, "tags", "Member must have length greater than or equal to 1");
    if (validation_failed(c)) return false;
    if (sl_store_add_tags(c->st, name, tags, n, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_RemoveTagsFromStream(call_t *c)
{
    bool ok;
    const char *name = stream_of(c, c->body, &ok);
    if (!ok) return false;
    const sl_val_t *kv;
    if (!get_list(c, c->body, "TagKeys", 1, 50, &kv)) return false;
    size_t n = kv->u.arr.n;
    const char **keys = SL_ANEWN(c->a, const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        if (kv->u.arr.items[i]->type != SL_V_STR) return serialization(c, "TagKeys must be strings");
        keys[i] = kv->u.arr.items[i]->u.str.p;
    }
    if (validation_failed(c)) return false;
    if (sl_store_remove_tags(c->st, name, keys, n, &c->err) < 0) return false;
    enc_empty(c->enc);
    return true;
}

static bool op_ListTagsForStream(call_t *c)
{
    bool ok, has;
    int64_t limit = 50;
    const char *name = stream_of(c, c->body, &ok), *start;
    if (!ok || !get_int(c, c->body, "Limit", false, 1, 50, &limit, &has) ||
        !get_str(c, c->body, "ExclusiveStartTagKey", NULL, false, 1, 128, PAT_NONE, &start))
        return false;
    if (validation_failed(c)) return false;
    sl_stream_info_t *info = sl_store_describe(c->st, name, c->a, &c->err);
    if (!info) return false;
    size_t first = 0;
    if (start)
        while (first < info->ntags && strcmp(info->tags[first].key, start) <= 0) first++;
    size_t end = first + (size_t)limit < info->ntags ? first + (size_t)limit : info->ntags;
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "Tags");
    sl_enc_arr_begin(e);
    for (size_t i = first; i < end; i++) {
        sl_enc_obj_begin(e);
        sl_enc_key(e, "Key");
        sl_enc_str(e, info->tags[i].key);
        sl_enc_key(e, "Value");
        sl_enc_str(e, info->tags[i].value);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_key(e, "HasMoreTags");
    sl_enc_bool(e, end < info->ntags);
    sl_enc_obj_end(e);
    return true;
}

static bool op_DescribeLimits(call_t *c)
{
    const char **names;
    size_t n = sl_store_list_streams(c->st, c->a, &names);
    int64_t open = 0, on_demand = 0;
    for (size_t i = 0; i < n; i++) {
        sl_awserr_t ignore = {0};
        sl_stream_info_t *info = sl_store_describe(c->st, names[i], c->a, &ignore);
        if (!info) continue;
        open += info->open_shards;
        on_demand += info->on_demand;
    }
    sl_enc_t *e = c->enc;
    sl_enc_obj_begin(e);
    sl_enc_key(e, "ShardLimit");
    sl_enc_i64(e, sl_store_config(c->st)->shard_limit);
    sl_enc_key(e, "OpenShardCount");
    sl_enc_i64(e, open);
    sl_enc_key(e, "OnDemandStreamCount");
    sl_enc_i64(e, on_demand);
    sl_enc_key(e, "OnDemandStreamCountLimit");
    sl_enc_i64(e, 50);
    sl_enc_obj_end(e);
    return true;
}

/* The operations, one entry each. */
#define KINESIS_OPS(X)                                                                        \
    X(CreateStream) X(DeleteStream) X(DescribeStream) X(DescribeStreamSummary) X(ListStreams) \
    X(ListShards) X(PutRecord) X(PutRecords) X(GetShardIterator) X(GetRecords) X(SplitShard) \
    X(MergeShards) X(UpdateShardCount) X(IncreaseStreamRetentionPeriod)                       \
    X(DecreaseStreamRetentionPeriod) X(AddTagsToStream) X(RemoveTagsFromStream)               \
    X(ListTagsForStream) X(DescribeLimits)

static const struct {
    const char *name;
    bool (*fn)(call_t *);
} ops[] = {
#define KINESIS_OP_ENTRY(n) {#n, op_##n},
    KINESIS_OPS(KINESIS_OP_ENTRY)
#undef KINESIS_OP_ENTRY
};

/* ---- the handler ------------------------------------------------------------------------------- */

bool sl_aws_is_cbor(const sl_http_req_t *req)
{
    const char *ct = sl_http_header(req, "Content-Type");
    return ct && strstr(ct, "cbor") != NULL;
}

sl_val_t *sl_aws_decode_body(const sl_http_req_t *req, sl_http_resp_t *resp)
{
    bool cbor = sl_aws_is_cbor(req);
    const char *perr = NULL;
    sl_val_t *body;
    if (req->body_len == 0)
        body = sl_json_parse(req->arena, "{}", 2, &perr);
    else if (cbor)
        body = sl_cbor_parse(req->arena, req->body, req->body_len, &perr);
    else
        body = sl_json_parse(req->arena, req->body, req->body_len, &perr);
    if (!body || body->type != SL_V_OBJ) {
        char msg[256];
        snprintf(msg, sizeof msg, "Malformed request body: %s", perr ? perr : "not an object");
        sl_aws_error_reply(resp, cbor, SL_AWS_SerializationException, msg);
        return NULL;
    }
    return body;
}

void sl_aws_error_reply(sl_http_resp_t *resp, bool cbor, sl_awserr_code_t code,
                        const char *message)
{
    resp->status = sl_awserr_status(code);
    resp->content_type = cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
    sl_buf_reset(resp->body);
    sl_enc_t e;
    sl_enc_init(&e, cbor ? SL_ENC_CBOR : SL_ENC_JSON, resp->body);
    sl_enc_obj_begin(&e);
    sl_enc_key(&e, "__type");
    sl_enc_str(&e, sl_awserr_name(code));
    sl_enc_key(&e, "message");
    sl_enc_str(&e, message);
    sl_enc_obj_end(&e);
}

void sl_aws_finish_reply(sl_http_resp_t *resp, bool cbor, bool ok, sl_awserr_t *err,
                         sl_violations_t *viol)
{
    if (!ok) {
        if (err->code == SL_AWS_OK && !sl_violations_report(viol, err))
            sl_awserr_set(err, SL_AWS_InternalFailure, "Internal service failure.");
        sl_aws_error_reply(resp, cbor, err->code, err->msg);
    } else {
        resp->status = 200;
        resp->content_type = cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
    }
    sl_violations_free(viol);
}

void sl_kinesis_api_handle(sl_store_t *st, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    bool cbor = sl_aws_is_cbor(req);
    const char *target = sl_http_header(req, "X-Amz-Target");
    const char *op = target ? target + strlen(SL_KINESIS_TARGET_PREFIX) : "";
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
    call_t c = {.st = st, .a = req->arena, .body = body, .enc = &enc};
    bool ok = ops[i].fn(&c);
    sl_aws_finish_reply(resp, cbor, ok, &c.err, &c.viol);
}
