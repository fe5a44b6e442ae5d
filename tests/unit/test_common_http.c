/*
 * test_common_http.c - the HTTP/1.1 server (common/http.h) and its request parser
 * (common/http_int.h).
 *
 * The parser tests feed byte strings straight to sl_http_parser_feed(). The server tests
 * start a real server on 127.0.0.1, port 0, with an echo handler, run it in a thread, and
 * talk to it over plain sockets, so they see exactly the bytes a client would.
 *
 * The echo handler answers with the request body as the response body and describes the
 * request in headers: X-Method, X-Path, X-Query, X-Test (the value of sl_http_header(req,
 * "x-test")), X-Peer-Ok. A request to /close asks the server to close after answering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "http.h"
#include "http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------ */
/* Parser                                                                               */
/* ------------------------------------------------------------------------------------ */

/*
 * A parsed request in a test: the parser, a writable copy of the input it points into and
 * the request view built from it.
 */
typedef struct parsed {
    sl_http_parser_t p;                     /* the parser after the last feed */
    char *buf;                              /* heap copy of the input, one spare byte */
    size_t len;                             /* bytes of input */
    int rc;                                 /* what the last feed returned */
    sl_http_req_t req;                      /* the request, when rc is DONE */
    sl_http_header_t hdrs[SL_HTTP_MAX_HEADERS]; /* its headers */
} parsed_t;

/*
 * Parses s (n bytes) feeding it step bytes at a time (0: all at once) with max_body
 * 1 MiB. Returns a heap parsed_t the caller frees with parsed_free().
 */
static parsed_t *parse_steps(const char *s, size_t n, size_t step)
{
    parsed_t *r = calloc(1, sizeof *r);
    r->buf = malloc(n + 1);
    memcpy(r->buf, s, n);
    r->buf[n] = '\0';
    r->len = n;
    sl_http_parser_init(&r->p, 1024 * 1024);
    if (step == 0) step = n ? n : 1;
    size_t have = 0;
    r->rc = SL_HTTP_PARSE_MORE;
    while (r->rc == SL_HTTP_PARSE_MORE && have < n) {
        have = have + step < n ? have + step : n;
        r->rc = sl_http_parser_feed(&r->p, r->buf, have);
    }
    if (r->rc == SL_HTTP_PARSE_DONE) {
        sl_http_parser_request(&r->p, r->buf, &r->req, r->hdrs);
        r->buf[r->p.body_off + r->p.body_len] = '\0';
    }
    return r;
}

/* parse_steps for a C string. */
static parsed_t *parse_str(const char *s, size_t step)
{
    return parse_steps(s, strlen(s), step);
}

/* Frees what parse_steps returned. */
static void parsed_free(parsed_t *r)
{
    free(r->buf);
    free(r);
}

/* A simple POST parses into method, path, headers and body, whole or byte by byte. */
static void test_parser_simple_post(void **state)
{
    const char *s = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                    "X-Amz-Target:  Kinesis_20131202.PutRecord  \r\n\r\nhello";
    for (size_t step = 0; step <= 3; step++) {
        parsed_t *r = parse_str(s, step);
        assert_int_equal(r->rc, SL_HTTP_PARSE_DONE);
        assert_string_equal(r->req.method, "POST");
        assert_string_equal(r->req.path, "/x");
        assert_string_equal(r->req.query, "");
        assert_int_equal(r->req.nheaders, 3);
        assert_string_equal(sl_http_header(&r->req, "x-amz-target"),
                            "Kinesis_20131202.PutRecord");
        assert_string_equal(sl_http_header(&r->req, "HOST"), "a");
        assert_null(sl_http_header(&r->req, "missing"));
        assert_int_equal(r->req.body_len, 5);
        assert_memory_equal(r->req.body, "hello", 5);
        assert_int_equal(r->p.consumed, strlen(s));
        assert_true(r->p.keep_alive);
        parsed_free(r);
    }
}

/* A GET's query is split from its path; a request without body is done at the blank line. */
static void test_parser_get_query(void **state)
{
    parsed_t *r = parse_str("GET /metrics?a=1&b=2 HTTP/1.0\r\n\r\nNEXT", 0);
    assert_int_equal(r->rc, SL_HTTP_PARSE_DONE);
    assert_string_equal(r->req.path, "/metrics");
    assert_string_equal(r->req.query, "a=1&b=2");
    assert_int_equal(r->req.body_len, 0);
    assert_int_equal(r->p.consumed, strlen("GET /metrics?a=1&b=2 HTTP/1.0\r\n\r\n"));
    assert_false(r->p.keep_alive); /* HTTP/1.0 without keep-alive */
    parsed_free(r);
}

/* Connection headers decide keep-alive for both versions. */
static void test_parser_keep_alive(void **state)
{
    parsed_t *r = parse_str("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 0);
    assert_true(r->p.keep_alive);
    parsed_free(r);
    r = parse_str("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", 0);
    assert_false(r->p.keep_alive);
    parsed_free(r);
}

/* Chunked bodies are decoded in place, with extensions and trailers, in any split. */
static void test_parser_chunked(void **state)
{
    const char *s = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
                    "GET";
    for (size_t step = 0; step <= 7; step++) {
        parsed_t *r = parse_str(s, step);
        assert_int_equal(r->rc, SL_HTTP_PARSE_DONE);
        assert_int_equal(r->req.body_len, 16);
        assert_string_equal(r->req.body, "hello 0123456789");
        assert_int_equal(r->p.consumed, strlen(s) - 3);
        parsed_free(r);
    }
}

/* Expect: 100-continue is reported as soon as the head is in. */
static void test_parser_expect(void **state)
{
    parsed_t *r = parse_str("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
                            0);
    assert_int_equal(r->rc, SL_HTTP_PARSE_MORE);
    assert_true(sl_http_parser_headers_done(&r->p));
    assert_true(r->p.expect_continue);
    assert_int_equal(sl_http_parser_want(&r->p), r->len + 3);
    parsed_free(r);
}

/* Each kind of bad input gets its status. */
static void test_parser_errors(void **state)
{
    static const struct {
        const char *in;
        int status;
    } cases[] = {
        {"GARBAGE\r\n\r\n", 400},
        {"GET  / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/1.1 \r\n\r\n", 400},
        {"GET / FTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\n\r\n", 505},
        {"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nName : v\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
        {"GET / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413},
        {"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"GET / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", 400},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", 413},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t step = 0; step <= 1; step++) {
            parsed_t *r = parse_str(cases[i].in, step);
            if (r->rc != SL_HTTP_PARSE_ERROR || r->p.status != cases[i].status)
                fail_msg("case %zu (%s) step %zu: rc %d status %d", i, cases[i].in, step, r->rc,
                         r->p.status);
            assert_non_null(r->p.error);
            parsed_free(r);
        }
    }
}

/* More than 100 headers is 431; a head over 64 KiB is 431 (414 inside the request line). */
static void test_parser_limits(void **state)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < SL_HTTP_MAX_HEADERS; i++) sl_buf_printf(&b, "H%d: v\r\n", i);
    size_t at100 = b.len;
    sl_buf_puts(&b, "\r\n");
    parsed_t *r = parse_steps(b.p, b.len, 0);
    assert_int_equal(r->rc, SL_HTTP_PARSE_DONE);
    assert_int_equal(r->req.nheaders, SL_HTTP_MAX_HEADERS);
    parsed_free(r);
    b.len = at100;
    sl_buf_puts(&b, "One: more\r\n\r\n");
    r = parse_steps(b.p, b.len, 0);
    assert_int_equal(r->rc, SL_HTTP_PARSE_ERROR);
    assert_int_equal(r->p.status, 431);
    parsed_free(r);

    sl_buf_reset(&b);
    sl_buf_puts(&b, "GET / HTTP/1.1\r\nBig: ");
    while (b.len < SL_HTTP_MAX_HEADER_BYTES + 10) sl_buf_putc(&b, 'x');
    for (size_t step = 0; step <= 1000; step += 1000) {
        r = parse_steps(b.p, b.len, step);
        assert_int_equal(r->rc, SL_HTTP_PARSE_ERROR);
        assert_int_equal(r->p.status, 431);
        parsed_free(r);
    }
    sl_buf_reset(&b);
    sl_buf_puts(&b, "GET /");
    while (b.len < SL_HTTP_MAX_HEADER_BYTES + 10) sl_buf_putc(&b, 'x');
    r = parse_steps(b.p, b.len, 0);
    assert_int_equal(r->p.status, 414);
    parsed_free(r);
    sl_buf_free(&b);
}

/* Leading blank lines are skipped; bare LF line ends are accepted. */
static void test_parser_lenient(void **state)
{
    parsed_t *r = parse_str("\r\n\nGET /a HTTP/1.1\nA: 1\n\n", 1);
    assert_int_equal(r->rc, SL_HTTP_PARSE_DONE);
    assert_string_equal(r->req.path, "/a");
    assert_string_equal(sl_http_header(&r->req, "a"), "1");
    parsed_free(r);
}

/* ------------------------------------------------------------------------------------ */
/* Server                                                                               */
/* ------------------------------------------------------------------------------------ */

/* A server under test and the thread running it. */
typedef struct server {
    sl_http_server_t *s; /* the server */
    pthread_t thread;    /* runs sl_http_server_run */
    int port;            /* its port */
    int run_rc;          /* what run() returned */
} server_t;

/* The echo handler described at the top of the file. */
static void echo_handler(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    (void)ctx;
    const char *t = sl_http_header(req, "x-test");
    sl_buf_printf(resp->extra_headers, "X-Method: %s\r\nX-Path: %s\r\nX-Query: %s\r\n",
                  req->method, req->path, req->query);
    sl_buf_printf(resp->extra_headers, "X-Test: %s\r\n", t ? t : "(none)");
    sl_buf_printf(resp->extra_headers, "X-Peer-Ok: %d\r\n",
                  strncmp(req->peer, "127.0.0.1:", 10) == 0);
    /* The body is NUL-terminated and the arena usable (no cmocka asserts on this thread:
     * a failure is reported as status 500). */
    char *copy = sl_arena_strndup(req->arena, req->body, req->body_len);
    sl_buf_append(resp->body, copy, req->body_len);
    resp->content_type = "application/x-amz-json-1.1";
    if (req->body[req->body_len] != '\0') resp->status = 500;
    if (strcmp(req->path, "/close") == 0) resp->close = true;
    if (strcmp(req->path, "/status") == 0) resp->status = 404;
}

/* Body of the server thread. */
static void *server_thread(void *arg)
{
    server_t *sv = arg;
    sv->run_rc = sl_http_server_run(sv->s);
    return NULL;
}

/* Starts a server with the echo handler; idle_ms 0 keeps the default. */
static server_t *server_start(size_t max_body, int idle_ms)
{
    server_t *sv = calloc(1, sizeof *sv);
    sl_http_config_t cfg = {.host = "127.0.0.1",
                            .port = 0,
                            .threads = 2,
                            .max_body = max_body,
                            .idle_timeout_ms = idle_ms,
                            .handler = echo_handler};
    char *err = NULL;
    sv->s = sl_http_server_new(&cfg, &err);
    if (!sv->s) fail_msg("server_new: %s", err);
    sv->port = sl_http_server_port(sv->s);
    assert_true(sv->port > 0);
    pthread_create(&sv->thread, NULL, server_thread, sv);
    return sv;
}

/* Stops the server, checks run() returned 0, frees it. */
static void server_stop(server_t *sv)
{
    sl_http_server_stop(sv->s);
    pthread_join(sv->thread, NULL);
    assert_int_equal(sv->run_rc, 0);
    sl_http_server_free(sv->s);
    free(sv);
}

/* A connected client socket with its own read-ahead buffer (for pipelined responses). */
typedef struct client {
    int fd;          /* the socket */
    char *buf;       /* bytes read but not yet consumed */
    size_t len, cap; /* bytes in buf, bytes allocated */
} client_t;

/* Connects to 127.0.0.1:port with a 10 s receive timeout. */
static client_t *client_connect(int port)
{
    client_t *c = calloc(1, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) fail_msg("connect: %s", strerror(errno));
    struct timeval tv = {.tv_sec = 10};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return c;
}

/* Closes and frees a client. */
static void client_close(client_t *c)
{
    close(c->fd);
    free(c->buf);
    free(c);
}

/* Sends n bytes, all of them. */
static void client_send(client_t *c, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t k = send(c->fd, s, n, MSG_NOSIGNAL);
        if (k <= 0) fail_msg("send: %s", strerror(errno));
        s += k;
        n -= (size_t)k;
    }
}

/* Sends a C string. */
static void client_sends(client_t *c, const char *s)
{
    client_send(c, s, strlen(s));
}

/* Reads more bytes into c->buf; returns what recv returned. */
static ssize_t client_fill(client_t *c)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->buf = realloc(c->buf, c->cap);
    }
    ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
    if (n > 0) c->len += (size_t)n;
    c->buf[c->len] = '\0';
    return n;
}

/* A response as the client saw it. */
typedef struct resp {
    int status;     /* status code, or -1 when the connection ended first */
    char head[8192]; /* the head, NUL-terminated (status line and headers) */
    char *body;     /* heap copy of the body, NUL-terminated */
    size_t body_len;
} resp_t;

/* Frees a response's body. */
static void resp_free(resp_t *r)
{
    free(r->body);
    r->body = NULL;
}

/*
 * Value of header name in r->head (case-insensitive) copied into out; false when absent.
 */
static bool resp_header(const resp_t *r, const char *name, char *out, size_t outn)
{
    size_t nl = strlen(name);
    const char *line = strstr(r->head, "\r\n");
    while (line) {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ') v++;
            const char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= outn) n = outn - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return true;
        }
        line = strstr(line, "\r\n");
    }
    return false;
}

/* Reads one response (head plus Content-Length body). status -1 on EOF/timeout. */
static resp_t client_read(client_t *c)
{
    resp_t r = {.status = -1};
    char *end;
    while (!(c->buf && (end = strstr(c->buf, "\r\n\r\n")))) {
        if (client_fill(c) <= 0) return r;
    }
    size_t hlen = (size_t)(end - c->buf) + 4;
    assert_true(hlen < sizeof r.head);
    memcpy(r.head, c->buf, hlen);
    r.head[hlen] = '\0';
    r.status = atoi(r.head + 9);
    char v[64];
    size_t blen = 0;
    if (resp_header(&r, "Content-Length", v, sizeof v)) blen = (size_t)strtoull(v, NULL, 10);
    if (r.status == 100) blen = 0;
    while (c->len < hlen + blen) {
        if (client_fill(c) <= 0) {
            r.status = -1;
            return r;
        }
    }
    r.body = malloc(blen + 1);
    memcpy(r.body, c->buf + hlen, blen);
    r.body[blen] = '\0';
    r.body_len = blen;
    memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen);
    c->len -= hlen + blen;
    c->buf[c->len] = '\0';
    return r;
}

/* True when the server closed the connection (EOF or reset) within the receive timeout. */
static bool client_sees_close(client_t *c)
{
    for (;;) {
        ssize_t n = client_fill(c);
        if (n == 0) return true;
        if (n < 0) return errno == ECONNRESET;
    }
}

/* Formats a POST of body to path with optional extra header lines. */
static char *post_request(const char *path, const char *extra, const char *body)
{
    char *s = NULL;
    if (asprintf(&s, "POST %s HTTP/1.1\r\nHost: localhost\r\n%sContent-Length: %zu\r\n\r\n%s",
                 path, extra ? extra : "", strlen(body), body) < 0)
        abort();
    return s;
}

/* A POST gets its body echoed with status, content type and Content-Length. */
static void test_server_simple_post(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    char *req = post_request("/", "X-Amz-Target: Kinesis_20131202.ListStreams\r\n", "{\"a\":1}");
    client_sends(c, req);
    free(req);
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"a\":1}");
    char v[128];
    assert_true(resp_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/x-amz-json-1.1");
    assert_true(resp_header(&r, "X-Method", v, sizeof v));
    assert_string_equal(v, "POST");
    assert_true(resp_header(&r, "X-Peer-Ok", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(resp_header(&r, "Date", v, sizeof v));
    assert_false(resp_header(&r, "Connection", v, sizeof v));
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* Several requests on one connection, each answered in turn. */
static void test_server_keep_alive(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    for (int i = 0; i < 20; i++) {
        char body[32];
        snprintf(body, sizeof body, "request %d", i);
        char *req = post_request("/", NULL, body);
        client_sends(c, req);
        free(req);
        resp_t r = client_read(c);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, body);
        resp_free(&r);
    }
    client_close(c);
    server_stop(sv);
}

/* Two requests in one write come back as two responses, in order. */
static void test_server_pipelining(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    char *a = post_request("/first", NULL, "one");
    char *b = post_request("/second", NULL, "two");
    char both[512];
    snprintf(both, sizeof both, "%s%sGET /third?x=1 HTTP/1.1\r\n\r\n", a, b);
    client_sends(c, both);
    free(a);
    free(b);
    resp_t r = client_read(c);
    char v[64];
    assert_string_equal(r.body, "one");
    assert_true(resp_header(&r, "X-Path", v, sizeof v));
    assert_string_equal(v, "/first");
    resp_free(&r);
    r = client_read(c);
    assert_string_equal(r.body, "two");
    resp_free(&r);
    r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_true(resp_header(&r, "X-Path", v, sizeof v));
    assert_string_equal(v, "/third");
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* A chunked body is decoded before the handler sees it. */
static void test_server_chunked(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n");
    usleep(20000);
    client_sends(c, "5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "Wikipedia in\r\n\r\nchunks.");
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* Expect: 100-continue gets "100 Continue" before the body is sent, then the response. */
static void test_server_expect_continue(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 100);
    assert_string_equal(r.head, "HTTP/1.1 100 Continue\r\n\r\n");
    resp_free(&r);
    client_sends(c, "body");
    r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "body");
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* A request dribbled one byte per write is parsed like any other. */
static void test_server_byte_by_byte(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    char *req = post_request("/slow", "X-Test: dribble\r\n", "0123456789");
    for (size_t i = 0; req[i]; i++) {
        client_send(c, req + i, 1);
        if (i % 8 == 0) usleep(1000);
    }
    free(req);
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "0123456789");
    char v[64];
    assert_true(resp_header(&r, "X-Test", v, sizeof v));
    assert_string_equal(v, "dribble");
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* A malformed request line gets 400 with a text body, then the connection closes. */
static void test_server_bad_request(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "THIS IS NOT HTTP\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 400);
    char v[64];
    assert_true(resp_header(&r, "Connection", v, sizeof v));
    assert_string_equal(v, "close");
    assert_non_null(strstr(r.body, "Bad Request"));
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);
    server_stop(sv);
}

/* A body over max_body gets 413 and a close, even while the client is still sending. */
static void test_server_too_large(void **state)
{
    server_t *sv = server_start(1000, 0);
    client_t *c = client_connect(sv->port);
    char *body = malloc(2001);
    memset(body, 'x', 2000);
    body[2000] = '\0';
    char *req = post_request("/", NULL, body);
    client_sends(c, req);
    resp_t r = client_read(c);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);
    /* Chunked: refused once the decoded size passes the limit. */
    c = client_connect(sv->port);
    client_sends(c, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) {
        client_sends(c, "1f4\r\n");
        client_send(c, body, 500);
        client_sends(c, "\r\n");
    }
    r = client_read(c);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    client_close(c);
    /* Exactly at the limit is fine. */
    c = client_connect(sv->port);
    body[1000] = '\0';
    free(req);
    req = post_request("/", NULL, body);
    client_sends(c, req);
    r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 1000);
    resp_free(&r);
    client_close(c);
    free(req);
    free(body);
    server_stop(sv);
}

/* Unsupported Transfer-Encoding gets 501; a huge header section 431. */
static void test_server_other_errors(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 501);
    resp_free(&r);
    client_close(c);
    c = client_connect(sv->port);
    client_sends(c, "GET / HTTP/1.1\r\n");
    char line[1024];
    memset(line, 'a', sizeof line);
    memcpy(line, "X-Big: ", 7);
    line[sizeof line - 2] = '\r';
    line[sizeof line - 1] = '\n';
    for (int i = 0; i < 70; i++) client_send(c, line, sizeof line);
    r = client_read(c);
    assert_int_equal(r.status, 431);
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* Header lookup ignores case; the query is split from the path. */
static void test_server_headers_and_query(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "GET /metrics?format=json&x=%20 HTTP/1.1\r\nx-TEST:   Mixed Case  \r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    char v[64];
    assert_true(resp_header(&r, "X-Test", v, sizeof v));
    assert_string_equal(v, "Mixed Case");
    assert_true(resp_header(&r, "X-Path", v, sizeof v));
    assert_string_equal(v, "/metrics");
    assert_true(resp_header(&r, "X-Query", v, sizeof v));
    assert_string_equal(v, "format=json&x=%20");
    assert_true(resp_header(&r, "X-Method", v, sizeof v));
    assert_string_equal(v, "GET");
    assert_int_equal(r.body_len, 0);
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* HTTP/1.0 closes by default, keeps alive when asked; "Connection: close" and resp->close. */
static void test_server_connection_rules(void **state)
{
    server_t *sv = server_start(0, 0);
    char v[64];
    client_t *c = client_connect(sv->port);
    client_sends(c, "GET / HTTP/1.0\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);

    c = client_connect(sv->port);
    for (int i = 0; i < 2; i++) {
        client_sends(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        r = client_read(c);
        assert_int_equal(r.status, 200);
        assert_true(resp_header(&r, "Connection", v, sizeof v));
        assert_string_equal(v, "keep-alive");
        resp_free(&r);
    }
    client_close(c);

    c = client_connect(sv->port);
    client_sends(c, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_true(resp_header(&r, "Connection", v, sizeof v));
    assert_string_equal(v, "close");
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);

    c = client_connect(sv->port);
    client_sends(c, "GET /close HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    r = client_read(c);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);

    c = client_connect(sv->port);
    client_sends(c, "HEAD /status HTTP/1.1\r\n\r\n");
    r = client_read(c);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    client_close(c);
    server_stop(sv);
}

/* Arguments of one client thread in the concurrency test. */
typedef struct conc_arg {
    int port;    /* the server's port */
    int id;      /* the thread's number */
    int ok;      /* responses that matched */
    size_t size; /* body size to send */
} conc_arg_t;

/* One client thread: many keep-alive requests with distinct bodies, each checked. */
static void *conc_client(void *arg)
{
    conc_arg_t *a = arg;
    client_t *c = client_connect(a->port);
    char *body = malloc(a->size + 1);
    for (int i = 0; i < 50; i++) {
        for (size_t k = 0; k < a->size; k++) body[k] = (char)('a' + (a->id + i + k) % 26);
        body[a->size] = '\0';
        char *req = post_request("/", NULL, body);
        client_sends(c, req);
        free(req);
        resp_t r = client_read(c);
        if (r.status == 200 && r.body_len == a->size && memcmp(r.body, body, a->size) == 0)
            a->ok++;
        resp_free(&r);
    }
    free(body);
    client_close(c);
    return NULL;
}

/* Eight clients at once, bodies from small to 200 KB, all answered correctly. */
static void test_server_concurrent(void **state)
{
    server_t *sv = server_start(0, 0);
    pthread_t th[8];
    conc_arg_t args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (conc_arg_t){.port = sv->port, .id = i, .size = (size_t)1 << (i * 2 + 3)};
        pthread_create(&th[i], NULL, conc_client, &args[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 50);
    }
    server_stop(sv);
}

/* A slowloris client does not hold up others, and is closed after the idle timeout. */
static void test_server_slowloris_and_idle(void **state)
{
    server_t *sv = server_start(0, 300);
    client_t *slow = client_connect(sv->port);
    client_sends(slow, "POST / HTTP/1.1\r\nX-");
    client_t *c = client_connect(sv->port);
    char *req = post_request("/", NULL, "fast");
    client_sends(c, req);
    free(req);
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* The dribbling client keeps sending a byte every 100 ms but never finishes its head. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool closed = false;
    for (int i = 0; i < 30 && !closed; i++) {
        if (send(slow->fd, "a", 1, MSG_NOSIGNAL) != 1) closed = true;
        struct pollfd pf = {.fd = slow->fd, .events = POLLIN};
        if (poll(&pf, 1, 100) == 1) closed = client_sees_close(slow);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(closed);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 2.0);
    client_close(slow);
    /* An idle keep-alive connection is closed too. */
    assert_true(client_sees_close(c));
    client_close(c);
    server_stop(sv);
}

/* stop() makes run() return promptly even with connections open; free(NULL) is a no-op. */
static void test_server_stop(void **state)
{
    server_t *sv = server_start(0, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "GET / HTTP/1.1\r\n");
    usleep(20000);
    server_stop(sv);
    assert_true(client_sees_close(c));
    client_close(c);
    sl_http_server_free(NULL);

    /* A port in use is an error with a message. */
    server_t *a = server_start(0, 0);
    sl_http_config_t cfg = {.port = a->port, .handler = echo_handler};
    char *err = NULL;
    assert_null(sl_http_server_new(&cfg, &err));
    assert_non_null(err);
    sl_free(err);
    server_stop(a);
}

/* The server the SIGUSR1 handler stops. */
static sl_http_server_t *signal_target;

/* Signal handler: stop() is async-signal-safe. */
static void on_sigusr1(int sig)
{
    (void)sig;
    sl_http_server_stop(signal_target);
}

/* stop() from a signal handler ends run(), as `sluice serve` does on SIGINT/SIGTERM. */
static void test_server_stop_from_signal(void **state)
{
    server_t *sv = server_start(0, 0);
    signal_target = sv->s;
    struct sigaction sa = {.sa_handler = on_sigusr1};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    client_t *c = client_connect(sv->port);
    client_sends(c, "GET / HTTP/1.1\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    kill(getpid(), SIGUSR1);
    pthread_join(sv->thread, NULL);
    assert_int_equal(sv->run_rc, 0);
    assert_true(client_sees_close(c));
    client_close(c);
    signal(SIGUSR1, SIG_DFL);
    sl_http_server_free(sv->s);
    free(sv);
}

/* Expect: 100-continue with a body over the limit gets 413 and no 100. */
static void test_server_expect_too_large(void **state)
{
    server_t *sv = server_start(100, 0);
    client_t *c = client_connect(sv->port);
    client_sends(c, "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n");
    resp_t r = client_read(c);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    assert_true(client_sees_close(c));
    client_close(c);
    server_stop(sv);
}

/* A large response that the client reads slowly arrives whole (partial writes, EPOLLOUT). */
static void test_server_large_response(void **state)
{
    server_t *sv = server_start(8u << 20, 0);
    client_t *c = client_connect(sv->port);
    size_t n = 6u << 20;
    char *body = malloc(n + 1);
    for (size_t i = 0; i < n; i++) body[i] = (char)('0' + i % 10);
    body[n] = '\0';
    char *req = post_request("/", NULL, body);
    /* 6 MiB is more than the socket buffers hold: the server writes part, waits for
     * EPOLLOUT, and the client reads only after a pause. */
    client_sends(c, req);
    usleep(100000);
    resp_t r = client_read(c);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, n);
    assert_memory_equal(r.body, body, n);
    resp_free(&r);
    free(req);
    free(body);
    client_close(c);
    server_stop(sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser_simple_post),
        cmocka_unit_test(test_parser_get_query),
        cmocka_unit_test(test_parser_keep_alive),
        cmocka_unit_test(test_parser_chunked),
        cmocka_unit_test(test_parser_expect),
        cmocka_unit_test(test_parser_errors),
        cmocka_unit_test(test_parser_limits),
        cmocka_unit_test(test_parser_lenient),
        cmocka_unit_test(test_server_simple_post),
        cmocka_unit_test(test_server_keep_alive),
        cmocka_unit_test(test_server_pipelining),
        cmocka_unit_test(test_server_chunked),
        cmocka_unit_test(test_server_expect_continue),
        cmocka_unit_test(test_server_byte_by_byte),
        cmocka_unit_test(test_server_bad_request),
        cmocka_unit_test(test_server_too_large),
        cmocka_unit_test(test_server_other_errors),
        cmocka_unit_test(test_server_headers_and_query),
        cmocka_unit_test(test_server_connection_rules),
        cmocka_unit_test(test_server_concurrent),
        cmocka_unit_test(test_server_slowloris_and_idle),
        cmocka_unit_test(test_server_stop),
        cmocka_unit_test(test_server_stop_from_signal),
        cmocka_unit_test(test_server_expect_too_large),
        cmocka_unit_test(test_server_large_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
