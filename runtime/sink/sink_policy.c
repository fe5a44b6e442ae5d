/*
 * sink_policy.c - the alert policy of a sink: which rows are sent, by key.
 *
 * A row's key is the JSON encoding of the `key` columns' values (or of every column but
 * ROWTIME), joined by 0x1f. Per key the policy keeps the time the key was last seen (for
 * de-duplication) and the send times inside the rate window (a ring of at most N times).
 * A row is checked by de-duplication first, then by the rate limit:
 *
 *   seen within quiet_ms      -> DUPLICATE (refreshes last-seen: the quiet period restarts)
 *   N sends within rate_ms    -> RATE_LIMITED (not marked seen: the next one may go)
 *   else                      -> SEND, marked seen, the send time recorded
 *
 * Time is sl_clock_now_ms(): wall time, what the people receiving alerts feel, not ROWTIME
 * (a replay of old data would otherwise never be limited, or a late row mis-ordered).
 * Keys idle longer than both periods are swept once the table has doubled since the last
 * sweep, so memory follows the number of active keys.
 */
#include "alloc.h"
#include "arena.h"
#include "clock.h"
#include "sink_int.h"
#include "val.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The largest N of "N per INTERVAL" (the ring of send times is N entries per key). */
#define SL_SINK_MAX_RATE_N 100000

/* One key's state. */
typedef struct key_state {
    struct key_state *next; /* hash chain */
    uint64_t hash;          /* FNV-1a of key */
    char *key;              /* the key bytes (heap) */
    size_t klen;            /* bytes of key */
    int64_t last_seen;      /* last time a row with this key arrived (sent or duplicate) */
    int64_t last_active;    /* max of last_seen and the last send: for sweeping */
    int64_t *sends;         /* ring of send times within the rate window (rate_n slots) */
    size_t shead, scount;   /* oldest slot, entries in the ring */
} key_state_t;

struct sl_sink_policy {
    pthread_mutex_t mu;    /* guards the table (write() may run on several threads) */
    char **key_cols;       /* the `key` columns, or NULL for the whole row */
    size_t nkey_cols;      /* entries of key_cols */
    int64_t rate_n;        /* sends allowed per rate_ms per key; 0: no rate limit */
    int64_t rate_ms;       /* the rate window */
    int64_t quiet_ms;      /* de-duplication quiet period; 0: none */
    key_state_t **buckets; /* hash table, nbuckets chains */
    size_t nbuckets;       /* a power of two */
    size_t nkeys;          /* entries in the table */
    size_t sweep_at;       /* sweep when nkeys reaches this */
    sl_arena_t *arena;     /* scratch for parsing one row (used under mu) */
    sl_buf_t keybuf;       /* scratch for building one key (used under mu) */
};

/* ---- intervals -------------------------------------------------------------------- */

/* Milliseconds in a unit name ("s", "second", "MINUTES", ...); 0 when unknown. */
static int64_t unit_ms(const char *u, size_t n)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"ms", 1},          {"millisecond", 1}, {"milliseconds", 1}, {"s", 1000},
                 {"sec", 1000},      {"secs", 1000},     {"second", 1000},    {"seconds", 1000},
                 {"m", 60000},       {"min", 60000},     {"mins", 60000},     {"minute", 60000},
                 {"minutes", 60000}, {"h", 3600000},     {"hr", 3600000},     {"hour", 3600000},
                 {"hours", 3600000}, {"d", 86400000},    {"day", 86400000},   {"days", 86400000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && strncasecmp(units[i].name, u, n) == 0) return units[i].ms;
    return 0;
}

/* Skips blanks. */
static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

/*
 * Grammar (case-insensitive, blanks optional between number and unit):
 *   [INTERVAL] 'N' UNIT  |  N UNIT  |  NUNIT  |  UNIT (= 1 UNIT)
 * N a non-negative decimal (fractions allowed: "1.5 hours"), UNIT as in unit_ms().
 */
int64_t sl_sink_parse_interval(const char *text)
{
    if (!text) return -1;
    const char *p = skip_ws(text);
    if (strncasecmp(p, "interval", 8) == 0 && (isspace((unsigned char)p[8]) || p[8] == '\''))
        p = skip_ws(p + 8);
    bool quoted = *p == '\'';
    if (quoted) p = skip_ws(p + 1);
    double n = 1;
    if (isdigit((unsigned char)*p) || *p == '.') {
        char *end;
        n = strtod(p, &end);
        p = skip_ws(end);
    } else if (quoted) {
        return -1;
    }
    if (quoted) {
        if (*p != '\'') return -1;
        p = skip_ws(p + 1);
    }
    const char *u = p;
    while (isalpha((unsigned char)*p)) p++;
    int64_t ms = unit_ms(u, (size_t)(p - u));
    if (ms == 0 || *skip_ws(p) != '\0') return -1;
    double total = n * (double)ms;
    if (!(total >= 1) || total > 1e15) return -1;
    return (int64_t)total;
}

int sl_sink_parse_rate(const char *text, int64_t *n, int64_t *ms)
{
    const char *p = skip_ws(text);
    if (!isdigit((unsigned char)*p)) return -1;
    char *end;
    long long v = strtoll(p, &end, 10);
    p = skip_ws(end);
    if (*p == '/')
        p++;
    else if (strncasecmp(p, "per", 3) == 0 && isspace((unsigned char)p[3]))
        p += 3;
    else
        return -1;
    int64_t iv = sl_sink_parse_interval(p);
    if (v < 1 || v > SL_SINK_MAX_RATE_N || iv < 0) return -1;
    *n = v;
    *ms = iv;
    return 0;
}

/* ---- the table ------------------------------------------------------------------- */

/* Splits the comma-separated `key` option into trimmed column names. */
static void split_cols(sl_sink_policy_t *p, const char *list)
{
    const char *s = list;
    while (*s) {
        const char *e = strchr(s, ',');
        if (!e) e = s + strlen(s);
        const char *a = s, *b = e;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (b > a && *a == '"' && b[-1] == '"' && b - a >= 2) a++, b--;
        if (b > a) {
            p->key_cols = sl_realloc(p->key_cols, (p->nkey_cols + 1) * sizeof(char *));
            p->key_cols[p->nkey_cols++] = sl_strndup(a, (size_t)(b - a));
        }
        s = *e ? e + 1 : e;
    }
}

sl_sink_policy_t *sl_sink_policy_new(const char *key_cols, int64_t rate_n, int64_t rate_ms,
                                     int64_t quiet_ms)
{
    sl_sink_policy_t *p = SL_NEW(sl_sink_policy_t);
    pthread_mutex_init(&p->mu, NULL);
    if (key_cols) split_cols(p, key_cols);
    p->rate_n = rate_n;
    p->rate_ms = rate_ms;
    p->quiet_ms = quiet_ms;
    p->nbuckets = 64;
    p->buckets = SL_NEWN(key_state_t *, p->nbuckets);
    p->sweep_at = 1024;
    p->arena = sl_arena_new(0);
    return p;
}

/* Frees one entry. */
static void key_free(key_state_t *k)
{
    sl_free(k->key);
    sl_free(k->sends);
    sl_free(k);
}

void sl_sink_policy_free(sl_sink_policy_t *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nbuckets; i++)
        for (key_state_t *k = p->buckets[i], *nx; k; k = nx) {
            nx = k->next;
            key_free(k);
        }
    sl_free(p->buckets);
    for (size_t i = 0; i < p->nkey_cols; i++) sl_free(p->key_cols[i]);
    sl_free(p->key_cols);
    sl_arena_free(p->arena);
    sl_buf_free(&p->keybuf);
    pthread_mutex_destroy(&p->mu);
    sl_free(p);
}

int sl_sink_policy_check_cols(const sl_sink_policy_t *p, const sl_sink_columns_t *cols, char **err)
{
    if (!cols || cols->n == 0) return 0;
    for (size_t i = 0; i < p->nkey_cols; i++) {
        bool found = false;
        for (size_t j = 0; j < cols->n && !found; j++)
            found = strcasecmp(cols->names[j], p->key_cols[i]) == 0;
        if (!found) {
            *err = sl_asprintf("key: no column \"%s\" in the output stream", p->key_cols[i]);
            return -1;
        }
    }
    return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* A member of obj by name: exact match first, then case-insensitive (SQL names). */
static const sl_val_t *member(const sl_val_t *obj, const char *name)
{
    const sl_val_t *v = sl_val_get(obj, name);
    if (v) return v;
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (strcasecmp(obj->u.obj.members[i].key, name) == 0) return obj->u.obj.members[i].val;
    return NULL;
}

/* Builds the row's key into p->keybuf; -1 when the row is not a JSON object. Under mu. */
static int build_key(sl_sink_policy_t *p, const char *json, size_t len)
{
    sl_arena_reset(p->arena);
    const char *perr;
    sl_val_t *row = sl_json_parse(p->arena, json, len, &perr);
    if (!row || row->type != SL_V_OBJ) return -1;
    sl_buf_reset(&p->keybuf);
    sl_enc_t e; /* re-initialised per value: each is its own document */
    if (p->nkey_cols) {
        for (size_t i = 0; i < p->nkey_cols; i++) {
            const sl_val_t *v = member(row, p->key_cols[i]);
            if (i) sl_buf_putc(&p->keybuf, '\x1f');
            sl_enc_init(&e, SL_ENC_JSON, &p->keybuf);
            if (v)
                sl_enc_val(&e, v);
            else
                sl_buf_puts(&p->keybuf, "null");
        }
    } else {
        for (size_t i = 0; i < row->u.obj.n; i++) {
            const sl_member_t *m = &row->u.obj.members[i];
            if (strcasecmp(m->key, "ROWTIME") == 0) continue;
            sl_buf_append(&p->keybuf, m->key, m->key_len);
            sl_buf_putc(&p->keybuf, '\x1e');
            sl_enc_init(&e, SL_ENC_JSON, &p->keybuf);
            sl_enc_val(&e, m->val);
            sl_buf_putc(&p->keybuf, '\x1f');
        }
    }
    if (!p->keybuf.p) sl_buf_reserve(&p->keybuf, 1);
    return 0;
}

/* Drops the ring's send times at or before cutoff. */
static void expire_sends(const sl_sink_policy_t *p, key_state_t *k, int64_t cutoff)
{
    while (k->scount && k->sends[k->shead] <= cutoff) {
        k->shead = (k->shead + 1) % (size_t)p->rate_n;
        k->scount--;
    }
}

/* Removes keys idle longer than both periods; grows the table when it stays full. */
static void sweep(sl_sink_policy_t *p, int64_t now)
{
    int64_t horizon = p->quiet_ms > p->rate_ms ? p->quiet_ms : p->rate_ms;
    for (size_t i = 0; i < p->nbuckets; i++) {
        key_state_t **pp = &p->buckets[i];
        while (*pp) {
            key_state_t *k = *pp;
            if (now - k->last_active > horizon) {
                *pp = k->next;
                key_free(k);
                p->nkeys--;
            } else {
                pp = &k->next;
            }
        }
    }
    if (p->nkeys * 2 > p->nbuckets) {
        size_t nb = p->nbuckets;
        while (p->nkeys * 2 > nb) nb *= 2;
        key_state_t **b = SL_NEWN(key_state_t *, nb);
        for (size_t i = 0; i < p->nbuckets; i++)
            for (key_state_t *k = p->buckets[i], *nx; k; k = nx) {
                nx = k->next;
                k->next = b[k->hash & (nb - 1)];
                b[k->hash & (nb - 1)] = k;
            }
        sl_free(p->buckets);
        p->buckets = b;
        p->nbuckets = nb;
    }
    p->sweep_at = p->nkeys * 2 > 1024 ? p->nkeys * 2 : 1024;
}

sl_sink_verdict_t sl_sink_policy_admit(sl_sink_policy_t *p, const char *json, size_t len)
{
    pthread_mutex_lock(&p->mu);
    if (build_key(p, json, len) < 0) {
        pthread_mutex_unlock(&p->mu);
        return SL_SINK_BAD_ROW;
    }
    int64_t now = sl_clock_now_ms();
    if (p->nkeys >= p->sweep_at) sweep(p, now);
    uint64_t h = hash_bytes(p->keybuf.p, p->keybuf.len);
    key_state_t **bucket = &p->buckets[h & (p->nbuckets - 1)], *k = *bucket;
    while (k &&
           !(k->hash == h && k->klen == p->keybuf.len && memcmp(k->key, p->keybuf.p, k->klen) == 0))
        k = k->next;
    sl_sink_verdict_t v = SL_SINK_SEND;
    if (k && p->quiet_ms > 0 && now - k->last_seen < p->quiet_ms) {
        k->last_seen = now;
        v = SL_SINK_DUPLICATE;
    } else {
        if (!k) {
            k = SL_NEW(key_state_t);
            k->hash = h;
            k->key = sl_strndup(p->keybuf.p, p->keybuf.len);
            k->klen = p->keybuf.len;
            k->last_seen = INT64_MIN / 2;
            if (p->rate_n) k->sends = SL_NEWN(int64_t, (size_t)p->rate_n);
            k->next = *bucket;
            *bucket = k;
            p->nkeys++;
        }
        if (p->rate_n) {
            expire_sends(p, k, now - p->rate_ms);
            if (k->scount >= (size_t)p->rate_n) {
                v = SL_SINK_RATE_LIMITED;
            } else {
                k->sends[(k->shead + k->scount) % (size_t)p->rate_n] = now;
                k->scount++;
            }
        }
        if (v == SL_SINK_SEND) k->last_seen = now;
    }
    k->last_active = now;
    pthread_mutex_unlock(&p->mu);
    return v;
}
