/*
 * server.h - the daemon: one HTTP listener, the APIs plugged into it, the store behind it.
 *
 * The router sends each request to the API named by its X-Amz-Target prefix:
 * "Kinesis_20131202." goes to the Kinesis Data Streams API (ingest/kinesis_api.h),
 * "KinesisAnalytics_20150814." to the application manager (analytics_api.h). GET /health
 * answers liveness, GET /metrics the applications' and streams' figures in Prometheus text.
 * Every answer carries an x-amzn-RequestId. sl_server_run() first resumes the applications
 * that were RUNNING when the daemon last stopped.
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include "http.h"
#include "store.h"

typedef struct sl_server sl_server_t;

typedef struct sl_server_config {
    sl_store_config_t store;
    const char *host; /* default 127.0.0.1 */
    int port;         /* 0 picks a free one */
    int threads;      /* HTTP worker threads; default 2 */
} sl_server_config_t;

/* Opens the store and binds the listener; NULL with *err (heap) on failure. */
sl_server_t *sl_server_new(const sl_server_config_t *cfg, char **err);
int sl_server_port(const sl_server_t *s);
/* Serves until sl_server_stop(). */
int sl_server_run(sl_server_t *s);
/* Async-signal-safe. */
void sl_server_stop(sl_server_t *s);
/* Frees the server and closes the store. NULL is a no-op. */
void sl_server_free(sl_server_t *s);

#endif
