/*
 * server.c - the daemon's router; see server.h.
 */
#include "server.h"

#include "alloc.h"
#include "analytics_api.h"
#include "kinesis_api.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sl_server {
    sl_store_t *store;
    sl_analytics_t *analytics; /* the applications (KinesisAnalytics_20150814.*) */
    sl_http_server_t *http;
    _Atomic uint64_t requests; /* request ids are (boot id, sequence) */
    uint32_t boot;
};

/* Adds x-amzn-RequestId: a UUID-shaped id unique within this process's lifetime. */
static void add_request_id(sl_server_t *s, sl_http_resp_t *resp)
{
    uint64_t n = atomic_fetch_add(&s->requests, 1);
    sl_buf_printf(resp->extra_headers,
                  "x-amzn-RequestId: %08x-%04x-4%03x-8%03x-%012llx\r\n", s->boot,
                  (unsigned)(n >> 48) & 0xffff, (unsigned)(n >> 36) & 0xfff,
                  (unsigned)(n >> 24) & 0xfff, (unsigned long long)(n & 0xffffffffffffULL));
}

static void route(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    sl_server_t *s = ctx;
    add_request_id(s, resp);
    const char *target = sl_http_header(req, "X-Amz-Target");
    if (!strcmp(req->method, "POST") && target) {
        if (!strncmp(target, SL_KINESIS_TARGET_PREFIX, strlen(SL_KINESIS_TARGET_PREFIX))) {
            sl_kinesis_api_handle(s->store, req, resp);
            return;
        }
        if (!strncmp(target, SL_ANALYTICS_TARGET_PREFIX, strlen(SL_ANALYTICS_TARGET_PREFIX))) {
            sl_analytics_handle(s->analytics, req, resp);
            return;
        }
        sl_aws_error_reply(resp, sl_aws_is_cbor(req), SL_AWS_UnknownOperationException,
                           "The requested operation is not supported by this endpoint.");
        return;
    }
    if (!strcmp(req->method, "GET") && !strcmp(req->path, "/health")) {
        resp->content_type = "application/json";
        sl_buf_puts(resp->body, "{\"status\":\"ok\"}\n");
        return;
    }
    if (!strcmp(req->method, "GET") && !strcmp(req->path, "/metrics")) {
        resp->content_type = "text/plain; version=0.0.4";
        sl_analytics_metrics(s->analytics, resp->body);
        return;
    }
    if (!strcmp(req->method, "POST")) {
        sl_aws_error_reply(resp, false, SL_AWS_UnknownOperationException,
                           "Missing X-Amz-Target header: no operation requested.");
        return;
    }
    resp->status = 404;
    resp->content_type = "application/json";
    sl_buf_printf(resp->body, "{\"message\":\"no resource at %s %s\"}\n", req->method, req->path);
}

sl_server_t *sl_server_new(const sl_server_config_t *cfg, char **err)
{
    sl_server_t *s = SL_NEW(sl_server_t);
    s->boot = (uint32_t)getpid() ^ (uint32_t)time(NULL);
    s->store = sl_store_open(&cfg->store, err);
    if (!s->store) {
        sl_free(s);
        return NULL;
    }
    s->analytics = sl_analytics_open(s->store, cfg->store.dir, err);
    if (!s->analytics) {
        sl_store_close(s->store);
        sl_free(s);
        return NULL;
    }
    sl_http_config_t hc = {
        .host = cfg->host ? cfg->host : "127.0.0.1",
        .port = cfg->port,
        .threads = cfg->threads > 0 ? cfg->threads : 2,
        .max_body = 16u << 20,
        .idle_timeout_ms = 300000,
        .handler = route,
        .ctx = s,
    };
    s->http = sl_http_server_new(&hc, err);
    if (!s->http) {
        sl_analytics_close(s->analytics);
        sl_store_close(s->store);
        sl_free(s);
        return NULL;
    }
    return s;
}

int sl_server_port(const sl_server_t *s)
{
    return sl_http_server_port(s->http);
}

int sl_server_run(sl_server_t *s)
{
    /* Applications that were RUNNING when the daemon last stopped go on where they were. */
    sl_analytics_resume(s->analytics);
    return sl_http_server_run(s->http);
}

void sl_server_stop(sl_server_t *s)
{
    sl_http_server_stop(s->http);
}

void sl_server_free(sl_server_t *s)
{
    if (!s) return;
    sl_http_server_free(s->http);
    sl_analytics_close(s->analytics);
    sl_store_close(s->store);
    sl_free(s);
}
