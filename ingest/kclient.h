/*
 * kclient.h - a small Kinesis Data Streams client over libcurl (JSON 1.1).
 *
 * Used by `sluice put` / `sluice tail`, and by sources that read from any Kinesis endpoint.
 * One client keeps one connection alive; it is not thread-safe (one per thread).
 * Requests are signed with a syntactically valid SigV4-style Authorization header carrying
 * dummy credentials, enough for emulators; real AWS signing is not done.
 */
#ifndef SL_KCLIENT_H
#define SL_KCLIENT_H

#include "arena.h"
#include "buf.h"
#include "val.h"

typedef struct sl_kclient sl_kclient_t;

/* endpoint: "http://127.0.0.1:4567". Calls go to the Kinesis Data Streams API
 * ("Kinesis_20131202.") until sl_kclient_set_target() names another. */
sl_kclient_t *sl_kclient_new(const char *endpoint);
/* Sets the X-Amz-Target prefix of later calls, e.g. "KinesisAnalytics_20150814." (copied). */
void sl_kclient_set_target(sl_kclient_t *kc, const char *prefix);
/* Bounds each later call to timeout_ms (connect, send and answer; default 60000): past it
 * the call fails as a transport failure (-1). */
void sl_kclient_set_timeout(sl_kclient_t *kc, long timeout_ms);
void sl_kclient_free(sl_kclient_t *kc);

/*
 * Calls operation op ("PutRecords") with a JSON body. On HTTP 200 returns 0 and the parsed
 * answer in *out (arena). On an AWS error returns 1 with *err_type and *err_msg set (arena).
 * On a transport failure returns -1 with *err_msg set.
 */
int sl_kclient_call(sl_kclient_t *kc, const char *op, const char *body, size_t len,
                    sl_arena_t *a, sl_val_t **out, const char **err_type, const char **err_msg);

#endif
