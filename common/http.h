/*
 * http.h - the HTTP/1.1 server that sluice's APIs plug into.
 *
 * One listener on host:port (127.0.0.1 unless told otherwise), served by a few worker
 * threads, each running its own epoll loop over non-blocking connections. Requests are read
 * whole (Content-Length or chunked bodies, "Expect: 100-continue" answered), handed to one
 * handler callback, and answered; connections are kept alive (HTTP/1.1 default, or
 * "Connection: keep-alive" for 1.0) and pipelined requests are served in order.
 *
 * The handler runs on a worker thread and may run concurrently with itself on another
 * thread: what it touches must be thread-safe. It must not block for long (no sleeping,
 * no network waits); everything it needs to answer is in the request.
 *
 * Bad input never crashes or blocks the server: a malformed request line or header gets
 * 400 and the connection closed, a body over the configured limit gets 413, a connection
 * that sends nothing for idle_timeout_ms is closed.
 *
 * Ownership: the request and everything it points to belong to the server and are valid
 * only during the handler call. The response body buffer is the server's; the handler
 * appends to it.
 */
#ifndef SL_HTTP_H
#define SL_HTTP_H

#include "arena.h"
#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sl_http_header {
    const char *name;  /* as received, NUL-terminated */
    const char *value; /* leading/trailing blanks trimmed, NUL-terminated */
} sl_http_header_t;

typedef struct sl_http_req {
    const char *method;  /* "POST", "GET", ... */
    const char *path;    /* request target without the query, e.g. "/" or "/metrics" */
    const char *query;   /* after '?', or "" */
    sl_http_header_t *headers;
    size_t nheaders;
    const char *body;    /* the body bytes, NUL-terminated one past body_len */
    size_t body_len;
    sl_arena_t *arena;   /* per-request arena the handler may allocate from; reset after */
    const char *peer;    /* "127.0.0.1:54321" */
} sl_http_req_t;

typedef struct sl_http_resp {
    int status;                /* default 200 */
    const char *content_type;  /* default "application/json"; must outlive the call
                                  (a literal or arena string) */
    sl_buf_t *body;            /* append the body here */
    sl_buf_t *extra_headers;   /* append "Name: value\r\n" lines here */
    bool close;                /* set to close the connection after this response */
} sl_http_resp_t;

/* Case-insensitive header lookup; NULL when absent. */
const char *sl_http_header(const sl_http_req_t *req, const char *name);

typedef void (*sl_http_handler_fn)(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp);

typedef struct sl_http_config {
    const char *host;         /* default "127.0.0.1" */
    int port;                 /* 0 picks a free port; see sl_http_server_port() */
    int threads;              /* worker threads; default 2 */
    size_t max_body;          /* default 16 MiB; larger bodies get 413 */
    int idle_timeout_ms;      /* default 60000 */
    sl_http_handler_fn handler;
    void *ctx;                /* passed to handler */
} sl_http_config_t;

typedef struct sl_http_server sl_http_server_t;

/* Binds and listens (so the port is known and connections queue at once); returns NULL with
 * *err (a heap string the caller frees) when the address cannot be bound. */
sl_http_server_t *sl_http_server_new(const sl_http_config_t *cfg, char **err);
/* The port actually bound. */
int sl_http_server_port(const sl_http_server_t *s);
/* Runs the workers; returns after sl_http_server_stop() once they have finished. */
int sl_http_server_run(sl_http_server_t *s);
/* Asks run() to return. Async-signal-safe: may be called from a signal handler. */
void sl_http_server_stop(sl_http_server_t *s);
/* Closes the listener and frees the server (after run() returned). NULL is a no-op. */
void sl_http_server_free(sl_http_server_t *s);

/* The reason phrase of a status code ("OK", "Bad Request", ...). */
const char *sl_http_reason(int status);

#endif
