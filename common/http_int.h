/*
 * http_int.h - private to http.c and its tests: the incremental HTTP/1.1 request parser.
 *
 * The parser reads one request from a byte buffer that grows between calls: the caller keeps
 * the request's bytes contiguous from its first byte, appends what arrives, and calls
 * sl_http_parser_feed() again with the longer length. Work already done is never redone, so
 * a request that arrives one byte at a time costs O(n) in total.
 *
 * The parser works in place: it writes NUL terminators over the separators of the request
 * line and headers, and decodes a chunked body by moving the chunk data down over the chunk
 * framing. The caller may therefore move the buffer (realloc, memmove to the front) between
 * calls, but must keep its contents exactly as the parser left them. It records offsets, not
 * pointers, for the same reason; sl_http_parser_request() turns them into pointers once the
 * request is complete and the buffer holds still.
 *
 * Ownership: the parser owns nothing on the heap; it is a plain struct the caller embeds
 * (one per connection) and re-initialises with sl_http_parser_init() for each request.
 */
#ifndef SL_HTTP_INT_H
#define SL_HTTP_INT_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of one request's header section (request line + headers + the blank line). */
#define SL_HTTP_MAX_HEADERS      100
#define SL_HTTP_MAX_HEADER_BYTES (64 * 1024)
/* Longest chunk-size line (hex size plus extensions) or trailer line accepted. */
#define SL_HTTP_MAX_CHUNK_LINE 1024

/* What sl_http_parser_feed() says about the bytes so far. */
#define SL_HTTP_PARSE_MORE  0  /* the request is not complete yet: feed more bytes */
#define SL_HTTP_PARSE_DONE  1  /* a whole request is parsed; p->consumed bytes belong to it */
#define SL_HTTP_PARSE_ERROR -1 /* the request is bad; p->status and p->error say why */

/* Where the parser is within a request. */
typedef enum sl_http_pstate {
    SL_HTTP_PS_HEAD,       /* reading the request line and headers, line by line */
    SL_HTTP_PS_BODY,       /* waiting for a Content-Length body to be complete */
    SL_HTTP_PS_CHUNK_SIZE, /* reading a chunk-size line */
    SL_HTTP_PS_CHUNK_DATA, /* copying chunk data down onto the decoded body */
    SL_HTTP_PS_CHUNK_END,  /* expecting the CRLF that ends a chunk's data */
    SL_HTTP_PS_TRAILER,    /* reading trailer lines after the last chunk (ignored) */
    SL_HTTP_PS_DONE,       /* the request is complete */
    SL_HTTP_PS_ERROR,      /* the request is bad; sticky until the next init */
} sl_http_pstate_t;

/*
 * The state of one request being parsed. Offsets are relative to the request's first byte
 * (the buf the caller passes). Fields below "result" are meaningful once the head is parsed
 * (state > SL_HTTP_PS_HEAD), or, for consumed, once state is SL_HTTP_PS_DONE.
 */
typedef struct sl_http_parser {
    sl_http_pstate_t state; /* where we are; see sl_http_pstate_t */
    size_t max_body;        /* bodies larger than this are refused with 413 */
    size_t scan;            /* next byte not examined yet */
    size_t line;            /* first byte of the line being read (head, chunk size, trailer) */
    bool seen_reqline;      /* the request line has been parsed */

    /* Request line. */
    uint32_t method;    /* offset of the method, NUL-terminated in place */
    uint32_t target;    /* offset of the path part of the target, NUL-terminated */
    uint32_t query;     /* offset of the query (after '?'); valid when has_query */
    bool has_query;     /* the target had a '?' */
    int minor;          /* the 1 of HTTP/1.1, the 0 of HTTP/1.0 */

    /* Headers, in arrival order; names and values NUL-terminated in place. */
    uint32_t hname[SL_HTTP_MAX_HEADERS];  /* offset of each header's name */
    uint32_t hvalue[SL_HTTP_MAX_HEADERS]; /* offset of each header's trimmed value */
    size_t nheaders;                      /* headers seen so far */

    /* What the headers said about framing and the connection. */
    bool has_cl;            /* a Content-Length header was present */
    size_t content_length;  /* its value (SIZE_MAX when it overflowed) */
    int nte;                /* Transfer-Encoding headers seen */
    bool te_other;          /* a Transfer-Encoding other than exactly "chunked" was seen */
    bool chunked;           /* the body is chunked */
    bool conn_close;        /* "Connection: close" */
    bool conn_keep_alive;   /* "Connection: keep-alive" */
    bool expect_continue;   /* "Expect: 100-continue" on an HTTP/1.1 request */

    /* Result. */
    bool keep_alive;        /* the connection may serve another request after this one */
    size_t body_off;        /* first byte after the header section: where the body starts */
    size_t body_len;        /* body bytes decoded so far (all of them once done) */
    size_t chunk_left;      /* bytes of the current chunk not copied yet */
    size_t trailer_bytes;   /* bytes of trailer lines seen, limited like the header section */
    size_t consumed;        /* once done: raw bytes of this request, where the next one starts */
    int status;             /* on error: the status to answer (400, 413, 414, 431, 501, 505) */
    const char *error;      /* on error: a short static reason */
} sl_http_parser_t;

/* Prepares p for a new request; bodies over max_body will be refused with 413. */
void sl_http_parser_init(sl_http_parser_t *p, size_t max_body);

/*
 * Parses buf[0..len), the request's bytes so far (len never shrinks between calls, and the
 * bytes the parser has seen keep the values it left them with). Returns SL_HTTP_PARSE_MORE,
 * SL_HTTP_PARSE_DONE (p->consumed bytes form the request; bytes after them are the next
 * request's) or SL_HTTP_PARSE_ERROR. DONE and ERROR are sticky until sl_http_parser_init().
 * Writes into buf[0..len) only.
 */
int sl_http_parser_feed(sl_http_parser_t *p, char *buf, size_t len);

/* True once the request line and headers are parsed (and were valid). */
bool sl_http_parser_headers_done(const sl_http_parser_t *p);

/*
 * The total length in bytes of the request when it is already known (a Content-Length
 * request whose head is parsed), else 0. Lets the caller size its buffer in one step.
 */
size_t sl_http_parser_want(const sl_http_parser_t *p);

/*
 * Fills req (method, path, query, headers, body, body_len) with pointers into buf for a
 * request on which feed() returned DONE; hdrs must have room for SL_HTTP_MAX_HEADERS and
 * becomes req->headers. Does not touch arena or peer, and does not NUL-terminate the body:
 * the byte buf[body_off + body_len] may be the next request's first byte, so the caller
 * saves, sets and restores it around the handler call.
 */
void sl_http_parser_request(const sl_http_parser_t *p, char *buf, sl_http_req_t *req,
                            sl_http_header_t *hdrs);

#endif
