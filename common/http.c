/*
 * http.c - the HTTP/1.1 server of sluice; see http.h (contract) and http_int.h (parser).
 *
 * The file has two halves: the incremental request parser (pure, no I/O, fuzzed on its
 * own), then the server - one accept loop plus a few worker threads, each with its own
 * epoll instance and its own connections. README.md in this folder sketches a request's
 * life through both.
 *
 * Accepting: run() itself is the accept loop. It polls the listening socket and hands each
 * accepted fd to the workers round-robin, by writing the fd number into the chosen
 * worker's pipe (a 4-byte write is atomic, so no lock is needed). We chose this over
 * sharing the listener with EPOLLEXCLUSIVE because EPOLLEXCLUSIVE wakes the first idle
 * waiter, so the "handful of long keep-alive connections" that SDK clients open would
 * tend to land on one worker and leave the other core idle; round-robin spreads them
 * evenly, and the hand-off costs one small write per connection, not per request.
 *
 * A connection belongs to exactly one worker for its whole life; nothing about it is shared
 * between threads, so there are no locks on the request path. Each worker owns the
 * per-request scratch (arena, response body and header buffers) that the handler sees.
 */
#include "http.h"

#include "alloc.h"
#include "http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------ */
/* The incremental request parser                                                       */
/* ------------------------------------------------------------------------------------ */

/*
 * True for the bytes RFC 9110 allows in a token (method, header name): visible ASCII
 * except the delimiters "(),/:;<=>?@[\]{}.
 */
static bool is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && memchr(extra, c, sizeof extra - 1) != NULL;
}

/*
 * Marks the parse as failed with the given status and short reason; returns
 * SL_HTTP_PARSE_ERROR so callers can `return fail(...)`.
 */
static int fail(sl_http_parser_t *p, int status, const char *why)
{
    p->state = SL_HTTP_PS_ERROR;
    p->status = status;
    p->error = why;
    return SL_HTTP_PARSE_ERROR;
}

void sl_http_parser_init(sl_http_parser_t *p, size_t max_body)
{
    /* Everything but the header offset arrays (800 bytes, only read below nheaders). */
    memset(p, 0, offsetof(sl_http_parser_t, hname));
    memset(&p->nheaders, 0, sizeof *p - offsetof(sl_http_parser_t, nheaders));
    p->state = SL_HTTP_PS_HEAD;
    p->max_body = max_body;
}

bool sl_http_parser_headers_done(const sl_http_parser_t *p)
{
    return p->state > SL_HTTP_PS_HEAD && p->state != SL_HTTP_PS_ERROR;
}

size_t sl_http_parser_want(const sl_http_parser_t *p)
{
    if (p->state == SL_HTTP_PS_BODY) return p->body_off + p->content_length;
    return 0;
}

/*
 * Parses the request line buf[start..end) (end excludes the line's CR LF): method SP target
 * SP HTTP/1.x. NUL-terminates method, path and query in place. Returns 0 or a parse error.
 */
static int parse_request_line(sl_http_parser_t *p, char *buf, size_t start, size_t end)
{
    size_t i = start;
    while (i < end && is_tchar((unsigned char)buf[i])) i++;
    if (i == start || i >= end || buf[i] != ' ') return fail(p, 400, "malformed request line");
    size_t method_end = i++;
    size_t tstart = i;
    while (i < end && (unsigned char)buf[i] > 0x20 && buf[i] != 0x7f) i++;
    if (i == tstart || i >= end || buf[i] != ' ') return fail(p, 400, "malformed request target");
    size_t tend = i++;
    const char *v = buf + i;
    if (end - i != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return fail(p, 400, "malformed HTTP version");
    if (v[5] != '1') return fail(p, 505, "only HTTP/1.x is supported");
    p->minor = v[7] - '0';
    buf[method_end] = '\0';
    buf[tend] = '\0';
    char *q = memchr(buf + tstart, '?', tend - tstart);
    if (q) {
        *q = '\0';
        p->has_query = true;
        p->query = (uint32_t)(q + 1 - buf);
    }
    p->method = (uint32_t)start;
    p->target = (uint32_t)tstart;
    p->seen_reqline = true;
    return 0;
}

/*
 * Parses a decimal Content-Length value. Returns false when it is not all digits; a value
 * too large for size_t gives SIZE_MAX (so it is refused as too large, not as malformed).
 */
static bool parse_length(const char *s, size_t *out)
{
    size_t v = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        v = (v > (SIZE_MAX - d) / 10) ? SIZE_MAX : v * 10 + d;
    }
    *out = v;
    return true;
}

/*
 * True when the comma-separated list s (a Connection header value) holds token tok,
 * compared case-insensitively with blanks around list elements ignored.
 */
static bool list_has_token(const char *s, const char *tok)
{
    size_t tl = strlen(tok);
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',') s++;
        const char *e = s;
        while (*e && *e != ',') e++;
        const char *te = e;
        while (te > s && (te[-1] == ' ' || te[-1] == '\t')) te--;
        if ((size_t)(te - s) == tl && strncasecmp(s, tok, tl) == 0) return true;
        s = e;
    }
    return false;
}

/*
 * Records what a header that affects framing or the connection says. name and value are
 * NUL-terminated; nlen is strlen(name). Returns 0 or a parse error.
 */
static int note_header(sl_http_parser_t *p, const char *name, size_t nlen, const char *value)
{
    if (nlen == 14 && strcasecmp(name, "content-length") == 0) {
        size_t v;
        if (!parse_length(value, &v)) return fail(p, 400, "malformed Content-Length");
        if (p->has_cl && v != p->content_length) return fail(p, 400, "conflicting Content-Length");
        p->has_cl = true;
        p->content_length = v;
    } else if (nlen == 17 && strcasecmp(name, "transfer-encoding") == 0) {
        p->nte++;
        if (strcasecmp(value, "chunked") != 0) p->te_other = true;
    } else if (nlen == 10 && strcasecmp(name, "connection") == 0) {
        if (list_has_token(value, "close")) p->conn_close = true;
        if (list_has_token(value, "keep-alive")) p->conn_keep_alive = true;
    } else if (nlen == 6 && strcasecmp(name, "expect") == 0) {
        if (strcasecmp(value, "100-continue") == 0) p->expect_continue = true;
    }
    return 0;
}

/*
 * Parses one header line buf[start..end) (CR LF excluded): name ":" OWS value OWS. The ':'
 * and the byte after the trimmed value become NULs. Returns 0 or a parse error.
 */
static int parse_header_line(sl_http_parser_t *p, char *buf, size_t start, size_t end)
{
    if (buf[start] == ' ' || buf[start] == '\t') return fail(p, 400, "obsolete header folding");
    if (p->nheaders == SL_HTTP_MAX_HEADERS) return fail(p, 431, "too many headers");
    size_t i = start;
    while (i < end && is_tchar((unsigned char)buf[i])) i++;
    if (i == start || i >= end || buf[i] != ':') return fail(p, 400, "malformed header");
    size_t nlen = i - start;
    buf[i++] = '\0';
    while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
    size_t vend = end;
    while (vend > i && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t')) vend--;
    for (size_t k = i; k < vend; k++) {
        unsigned char c = (unsigned char)buf[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(p, 400, "control byte in header");
    }
    buf[vend] = '\0';
    p->hname[p->nheaders] = (uint32_t)start;
    p->hvalue[p->nheaders] = (uint32_t)i;
    p->nheaders++;
    return note_header(p, buf + start, nlen, buf + i);
}

/*
 * Called at the blank line that ends the header section; body_off is the offset after it.
 * Decides how the body is framed and moves to the matching state. Returns 0 or an error.
 */
static int finish_head(sl_http_parser_t *p, size_t body_off)
{
    p->body_off = body_off;
    p->keep_alive = p->minor >= 1 ? !p->conn_close : (p->conn_keep_alive && !p->conn_close);
    if (p->minor < 1) p->expect_continue = false;
    if (p->nte) {
        if (p->te_other || p->nte > 1) return fail(p, 501, "unsupported Transfer-Encoding");
        if (p->has_cl) return fail(p, 400, "both Content-Length and Transfer-Encoding");
        p->chunked = true;
        p->line = p->scan;
        p->state = SL_HTTP_PS_CHUNK_SIZE;
    } else if (p->has_cl) {
        if (p->content_length > p->max_body) return fail(p, 413, "body too large");
        p->state = SL_HTTP_PS_BODY;
    } else {
        p->consumed = body_off;
        p->state = SL_HTTP_PS_DONE;
    }
    return 0;
}

/*
 * Handles one complete line of the head, buf[p->line..eol) where buf[eol] is the '\n'.
 * Returns 0 to go on, 1 when the header section ended, or a parse error.
 */
static int head_line(sl_http_parser_t *p, char *buf, size_t eol)
{
    size_t start = p->line, end = eol;
    if (end > start && buf[end - 1] == '\r') end--;
    for (size_t k = start; k < end; k++)
        if (buf[k] == '\r' || buf[k] == '\0') return fail(p, 400, "stray CR or NUL in head");
    if (!p->seen_reqline) {
        if (end == start) return 0; /* RFC 9112 2.2: ignore empty lines before the request */
        return parse_request_line(p, buf, start, end);
    }
    if (end == start) return finish_head(p, eol + 1) < 0 ? -1 : 1;
    return parse_header_line(p, buf, start, end);
}

/*
 * Finds the end of the line that starts at p->line, searching only bytes not searched yet
 * (from p->scan). Returns true with *eol at the '\n'; otherwise remembers that everything
 * up to len was searched. The caller enforces line length limits.
 */
static bool find_line(sl_http_parser_t *p, const char *buf, size_t len, size_t *eol)
{
    const char *nl = memchr(buf + p->scan, '\n', len - p->scan);
    if (!nl) {
        p->scan = len;
        return false;
    }
    *eol = (size_t)(nl - buf);
    p->scan = *eol + 1;
    return true;
}

/*
 * Parses a complete chunk-size line buf[p->line..eol): hex size, optional blanks and
 * ";extensions". Moves to CHUNK_DATA, or TRAILER after the last (zero) chunk.
 */
static int chunk_size_line(sl_http_parser_t *p, const char *buf, size_t eol)
{
    size_t i = p->line, end = eol, size = 0;
    if (end > i && buf[end - 1] == '\r') end--;
    size_t digits = i;
    for (; i < end; i++) {
        char c = buf[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else break;
        if (size > p->max_body) return fail(p, 413, "body too large");
        size = size * 16 + d;
    }
    if (i == digits) return fail(p, 400, "malformed chunk size");
    while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
    if (i < end && buf[i] != ';') return fail(p, 400, "malformed chunk size");
    for (; i < end; i++) {
        unsigned char c = (unsigned char)buf[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(p, 400, "control byte in chunk");
    }
    if (size > p->max_body - p->body_len) return fail(p, 413, "body too large");
    p->line = p->scan;
    if (size == 0) {
        p->state = SL_HTTP_PS_TRAILER;
    } else {
        p->chunk_left = size;
        p->state = SL_HTTP_PS_CHUNK_DATA;
    }
    return 0;
}

int sl_http_parser_feed(sl_http_parser_t *p, char *buf, size_t len)
{
    size_t eol;
    for (;;) {
        switch (p->state) {
        case SL_HTTP_PS_HEAD: {
            /* The header section may not reach past SL_HTTP_MAX_HEADER_BYTES. */
            size_t limit = len < SL_HTTP_MAX_HEADER_BYTES ? len : SL_HTTP_MAX_HEADER_BYTES;
            while (p->state == SL_HTTP_PS_HEAD) {
                if (p->scan >= limit || !find_line(p, buf, limit, &eol)) break;
                if (head_line(p, buf, eol) < 0) return SL_HTTP_PARSE_ERROR;
                p->line = p->scan;
            }
            if (p->state != SL_HTTP_PS_HEAD) break;
            if (len >= SL_HTTP_MAX_HEADER_BYTES)
                return p->seen_reqline ? fail(p, 431, "header section too large")
                                       : fail(p, 414, "request line too long");
            return SL_HTTP_PARSE_MORE;
        }
        case SL_HTTP_PS_BODY:
            if (len - p->body_off < p->content_length) return SL_HTTP_PARSE_MORE;
            p->body_len = p->content_length;
            p->consumed = p->body_off + p->content_length;
            p->state = SL_HTTP_PS_DONE;
            break;
        case SL_HTTP_PS_CHUNK_SIZE:
            if (!find_line(p, buf, len, &eol)) {
                if (len - p->line > SL_HTTP_MAX_CHUNK_LINE)
                    return fail(p, 400, "chunk size line too long");
                return SL_HTTP_PARSE_MORE;
            }
            if (eol - p->line > SL_HTTP_MAX_CHUNK_LINE)
                return fail(p, 400, "chunk size line too long");
            if (chunk_size_line(p, buf, eol) < 0) return SL_HTTP_PARSE_ERROR;
            break;
        case SL_HTTP_PS_CHUNK_DATA: {
            size_t n = len - p->scan;
            if (n > p->chunk_left) n = p->chunk_left;
            size_t dst = p->body_off + p->body_len;
            if (n && dst != p->scan) memmove(buf + dst, buf + p->scan, n);
            p->body_len += n;
            p->scan += n;
            p->chunk_left -= n;
            if (p->chunk_left) return SL_HTTP_PARSE_MORE;
            p->state = SL_HTTP_PS_CHUNK_END;
            break;
        }
        case SL_HTTP_PS_CHUNK_END:
            if (len - p->scan < 1) return SL_HTTP_PARSE_MORE;
            if (buf[p->scan] == '\r') {
                if (len - p->scan < 2) return SL_HTTP_PARSE_MORE;
                if (buf[p->scan + 1] != '\n') return fail(p, 400, "missing CRLF after chunk");
                p->scan += 2;
            } else if (buf[p->scan] == '\n') {
                p->scan += 1;
            } else {
                return fail(p, 400, "missing CRLF after chunk");
            }
            p->line = p->scan;
            p->state = SL_HTTP_PS_CHUNK_SIZE;
            break;
        case SL_HTTP_PS_TRAILER: {
            if (!find_line(p, buf, len, &eol)) {
                if (len - p->line > SL_HTTP_MAX_CHUNK_LINE)
                    return fail(p, 431, "trailer line too long");
                return SL_HTTP_PARSE_MORE;
            }
            size_t start = p->line, end = eol;
            if (end - start > SL_HTTP_MAX_CHUNK_LINE) return fail(p, 431, "trailer line too long");
            if (end > start && buf[end - 1] == '\r') end--;
            if (end == start) {
                p->consumed = eol + 1;
                p->state = SL_HTTP_PS_DONE;
                break;
            }
            for (size_t k = start; k < end; k++) {
                unsigned char c = (unsigned char)buf[k];
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return fail(p, 400, "control byte in trailer");
            }
            p->trailer_bytes += eol + 1 - start;
            if (p->trailer_bytes > SL_HTTP_MAX_HEADER_BYTES)
                return fail(p, 431, "trailer section too large");
            p->line = p->scan;
            break;
        }
        case SL_HTTP_PS_DONE:
            return SL_HTTP_PARSE_DONE;
        case SL_HTTP_PS_ERROR:
            return SL_HTTP_PARSE_ERROR;
        }
    }
}

void sl_http_parser_request(const sl_http_parser_t *p, char *buf, sl_http_req_t *req,
                            sl_http_header_t *hdrs)
{
    req->method = buf + p->method;
    req->path = buf + p->target;
    req->query = p->has_query ? buf + p->query : "";
    for (size_t i = 0; i < p->nheaders; i++) {
        hdrs[i].name = buf + p->hname[i];
        hdrs[i].value = buf + p->hvalue[i];
    }
    req->headers = hdrs;
    req->nheaders = p->nheaders;
    req->body = buf + p->body_off;
    req->body_len = p->body_len;
}

const char *sl_http_header(const sl_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
    return NULL;
}

const char *sl_http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* ------------------------------------------------------------------------------------ */
/* The server                                                                           */
/* ------------------------------------------------------------------------------------ */

/* Bytes a read asks for at least; also the first size of a connection's read buffer. */
#define READ_CHUNK (64 * 1024)
/* Pending output above which a connection stops reading and serving pipelined requests. */
#define OUT_HIGH_WATER (4 * 1024 * 1024)
/* Buffers above this size are freed rather than kept for the next request. */
#define KEEP_BUF_MAX (1024 * 1024)
/* How long a closing connection keeps draining input after its last response (ms). */
#define LINGER_MS 2000
/* Events taken from epoll per wait. */
#define MAX_EVENTS 128

typedef struct worker worker_t;

/*
 * One client connection, owned by one worker from accept to close. The read buffer holds
 * the bytes of the request being parsed (from rstart) and any pipelined ones after it;
 * the parser works on it in place. Output that the socket did not take at once waits in
 * out, and EPOLLOUT is asked for only while it is not empty.
 */
typedef struct conn {
    struct conn *prev, *next; /* the worker's list of live connections (for the sweep) */
    worker_t *w;              /* owning worker */
    int fd;                   /* the socket, non-blocking */
    uint32_t events;          /* the epoll interest currently registered */
    char *rbuf;               /* read buffer; rcap > rlen always, for the body's NUL */
    size_t rcap;              /* bytes allocated for rbuf */
    size_t rlen;              /* bytes of rbuf holding data */
    size_t rstart;            /* where the request being parsed starts in rbuf */
    sl_buf_t out;             /* output not yet written, from out_off */
    size_t out_off;           /* bytes of out already written */
    sl_http_parser_t parser;  /* state of the request at rstart */
    int64_t last_active;      /* monotonic ms of the last read or write progress */
    int64_t req_start;        /* monotonic ms when the current request's first byte came */
    int64_t linger_until;     /* while lingering: when to give up draining */
    bool continue_sent;       /* "100 Continue" already sent for the current request */
    bool closing;             /* serve no more requests; close once out is written */
    bool peer_eof;            /* the peer shut down its sending side */
    bool dead;                /* the socket failed; close it without further I/O */
    bool lingering;           /* output done and our side shut; draining input until EOF */
    char peer[64];            /* "address:port" of the client */
} conn_t;

/*
 * A worker thread: an epoll loop over its connections, its hand-off pipe and the server's
 * stop eventfd, plus the scratch a request needs (reused for every request it serves).
 */
struct worker {
    sl_http_server_t *srv;  /* the server (config, stop fd) */
    pthread_t thread;       /* the thread running worker_main */
    bool started;           /* thread was created and must be joined */
    int epfd;               /* this worker's epoll instance */
    int pipe_rd, pipe_wr;   /* accepted fds arrive as ints on this pipe */
    conn_t *conns;          /* live connections, most recent first */
    int64_t now;            /* monotonic ms, refreshed after each epoll_wait */
    int64_t next_sweep;     /* when the idle sweep runs next */
    sl_arena_t *arena;      /* the per-request arena, reset after each request */
    sl_buf_t body;          /* the response body the handler appends to */
    sl_buf_t extra;         /* extra response header lines from the handler */
    sl_buf_t head;          /* the response head being built */
    sl_http_header_t hdrs[SL_HTTP_MAX_HEADERS]; /* req->headers of the current request */
    time_t date_sec;        /* second that date was formatted for */
    char date[40];          /* cached "Date:" value */
};

/*
 * The server: the configuration with defaults filled in, the listener and the stop
 * eventfd. Workers exist only while run() runs.
 */
struct sl_http_server {
    sl_http_config_t cfg; /* copy of the caller's config, defaults applied; host is ours */
    int listen_fd;        /* the listening socket, non-blocking */
    int stop_fd;          /* eventfd made readable (and never drained) by stop() */
    int port;             /* the port bound */
    worker_t *workers;    /* cfg.threads workers while run() runs */
};

/* Monotonic clock in milliseconds. */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The largest read buffer a connection may have: one maximal request plus slack. */
static size_t read_limit(const sl_http_server_t *s)
{
    return s->cfg.max_body + SL_HTTP_MAX_HEADER_BYTES + READ_CHUNK;
}

/* Refreshes the worker's cached Date value (RFC 9110 IMF-fixdate, locale-independent). */
static const char *worker_date(worker_t *w)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char mons[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = time(NULL);
    if (t != w->date_sec) {
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(w->date, sizeof w->date, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12], tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        w->date_sec = t;
    }
    return w->date;
}

/* Sets the connection's epoll interest to ev, calling epoll_ctl only on a change. */
static void conn_set_events(conn_t *c, uint32_t ev)
{
    if (ev == c->events) return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &e) < 0) c->dead = true;
    c->events = ev;
}

/* Closes the socket, unlinks the connection from its worker and frees it. */
static void conn_free(conn_t *c)
{
    worker_t *w = c->w;
    if (c->prev) c->prev->next = c->next;
    else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    /* Deregister before closing: close() only drops the epoll registration when no other
     * descriptor refers to the socket, and a child between fork and exec (posix_spawn of a
     * COMMAND sink on another thread) still holds one, so events would keep arriving with a
     * pointer to the freed connection. */
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    sl_free(c->rbuf);
    sl_buf_free(&c->out);
    sl_free(c);
}

/* Output bytes waiting to be written. */
static size_t conn_pending(const conn_t *c)
{
    return c->out.len - c->out_off;
}

/*
 * Writes as much pending output as the socket takes. Marks the connection dead on a
 * socket error; frees or empties out once everything is written.
 */
static void conn_flush(conn_t *c)
{
    while (conn_pending(c) && !c->dead) {
        ssize_t n = send(c->fd, c->out.p + c->out_off, conn_pending(c), MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            c->last_active = c->w->now;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            c->dead = true;
        }
    }
    if (!conn_pending(c)) {
        c->out_off = 0;
        if (c->out.cap > KEEP_BUF_MAX) sl_buf_free(&c->out);
        else sl_buf_reset(&c->out);
    }
}

/*
 * Sends a (head) + b (body) in order after any pending output. When nothing is pending it
 * writes both with one sendmsg (no copy); whatever the socket does not take is copied to
 * out, to be written on EPOLLOUT.
 */
static void conn_send(conn_t *c, const char *a, size_t alen, const char *b, size_t blen)
{
    if (c->dead) return;
    if (!conn_pending(c)) {
        struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, blen}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = blen ? 2 : 1};
        ssize_t n;
        do n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                c->dead = true;
                return;
            }
            n = 0;
        }
        if (n > 0) c->last_active = c->w->now;
        size_t done = (size_t)n;
        if (done >= alen) {
            done -= alen;
            alen = 0;
            b += done;
            blen -= done;
        } else {
            a += done;
            alen -= done;
        }
    }
    sl_buf_append(&c->out, a, alen);
    sl_buf_append(&c->out, b, blen);
}

/*
 * Builds the response head for status/ctype/body length plus the handler's extra lines and
 * sends head and body. head_only (HEAD requests, 204, 304) sends the head alone.
 */
static void conn_respond(conn_t *c, int status, const char *ctype, const sl_buf_t *extra,
                         const char *body, size_t blen, bool head_only, bool close,
                         bool http10_keep_alive)
{
    worker_t *w = c->w;
    sl_buf_t *h = &w->head;
    sl_buf_reset(h);
    sl_buf_printf(h, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", status, sl_http_reason(status),
                  ctype);
    if (status != 204 && status != 304) {
        sl_buf_puts(h, "Content-Length: ");
        sl_buf_put_u64(h, blen);
        sl_buf_puts(h, "\r\n");
    }
    sl_buf_puts(h, "Date: ");
    sl_buf_puts(h, worker_date(w));
    sl_buf_puts(h, "\r\n");
    if (extra && extra->len) {
        sl_buf_append(h, extra->p, extra->len);
        if (extra->p[extra->len - 1] != '\n') sl_buf_puts(h, "\r\n");
    }
    if (close) sl_buf_puts(h, "Connection: close\r\n");
    else if (http10_keep_alive) sl_buf_puts(h, "Connection: keep-alive\r\n");
    sl_buf_puts(h, "\r\n");
    conn_send(c, h->p, h->len, body, head_only ? 0 : blen);
}

/* Answers a request the parser refused (status with a short text body) and closes after. */
static void conn_error(conn_t *c, int status, const char *why)
{
    char body[160];
    int n = snprintf(body, sizeof body, "%d %s: %s\n", status, sl_http_reason(status), why);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof body) n = sizeof body - 1;
    conn_respond(c, status, "text/plain; charset=utf-8", NULL, body, (size_t)n, false, true,
                 false);
    c->closing = true;
}

/*
 * Runs the handler on the complete request at rstart, sends its response and moves on to
 * the next request in the buffer (resetting the parser and the per-request arena).
 */
static void conn_serve(conn_t *c)
{
    worker_t *w = c->w;
    sl_http_server_t *s = w->srv;
    sl_http_parser_t *p = &c->parser;
    char *buf = c->rbuf + c->rstart;

    sl_http_req_t req;
    sl_http_parser_request(p, buf, &req, w->hdrs);
    req.arena = w->arena;
    req.peer = c->peer;
    size_t body_end = p->body_off + p->body_len;
    char saved = buf[body_end];
    buf[body_end] = '\0';

    sl_buf_reset(&w->body);
    sl_buf_reset(&w->extra);
    sl_http_resp_t resp = {.status = 200,
                           .content_type = "application/json",
                           .body = &w->body,
                           .extra_headers = &w->extra,
                           .close = false};
    s->cfg.handler(s->cfg.ctx, &req, &resp);
    buf[body_end] = saved;

    int status = resp.status;
    if (status < 200 || status > 999) status = 500;
    bool close = resp.close || !p->keep_alive;
    bool head_only = strcmp(req.method, "HEAD") == 0 || status == 204 || status == 304;
    conn_respond(c, status, resp.content_type ? resp.content_type : "application/json",
                 &w->extra, w->body.p ? w->body.p : "", w->body.len, head_only, close,
                 !close && p->minor == 0);

    c->rstart += p->consumed;
    sl_http_parser_init(p, s->cfg.max_body);
    c->continue_sent = false;
    c->req_start = w->now;
    sl_arena_reset(w->arena);
    if (w->body.cap > KEEP_BUF_MAX) sl_buf_free(&w->body);
    if (close) c->closing = true;
}

/*
 * Makes room to read into: compacts the buffer to the front when that helps and grows it
 * (to the whole request at once when its length is known), never past read_limit().
 * Returns the bytes free for the next read (0 when the buffer is at its limit).
 */
static size_t conn_read_room(conn_t *c)
{
    size_t limit = read_limit(c->w->srv);
    if (c->rstart == c->rlen) c->rstart = c->rlen = 0;
    size_t have = c->rlen - c->rstart;
    size_t need = READ_CHUNK;
    size_t want = sl_http_parser_want(&c->parser);
    if (want > have && want - have > need) need = want - have;
    if (c->rstart && c->rcap - 1 - c->rlen < need) {
        memmove(c->rbuf, c->rbuf + c->rstart, have);
        c->rstart = 0;
        c->rlen = have;
    }
    if (!c->rbuf || c->rcap - 1 - c->rlen < need) {
        size_t cap = c->rcap * 2;
        if (cap < c->rlen + need + 1) cap = c->rlen + need + 1;
        if (cap > limit + 1) cap = limit + 1;
        if (cap > c->rcap) {
            c->rbuf = sl_realloc(c->rbuf, cap);
            c->rcap = cap;
        }
    }
    return c->rcap - 1 - c->rlen;
}

/*
 * Reads what the socket has (a few reads at most, so one busy connection cannot starve the
 * others). Sets peer_eof on EOF and dead on a socket error.
 */
static void conn_read(conn_t *c)
{
    for (int i = 0; i < 4; i++) {
        size_t room = conn_read_room(c);
        if (room == 0) return; /* full: conn_process decides (serve or 413) */
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, room, 0);
        if (n > 0) {
            if (c->rlen == c->rstart) c->req_start = c->w->now;
            c->rlen += (size_t)n;
            c->last_active = c->w->now;
            if ((size_t)n < room) return;
        } else if (n == 0) {
            c->peer_eof = true;
            return;
        } else if (errno == EINTR) {
            i--;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            c->dead = true;
            return;
        }
    }
}

/*
 * Serves every complete request in the read buffer, in order, unless the output backlog is
 * over OUT_HIGH_WATER; sends "100 Continue" when a request whose head is in asks for it;
 * answers parse errors. Then decides the connection's fate and epoll interest: close,
 * linger, or wait for input and/or output.
 */
static void conn_process(conn_t *c)
{
    sl_http_server_t *s = c->w->srv;
    while (!c->closing && !c->dead && conn_pending(c) < OUT_HIGH_WATER) {
        size_t have = c->rlen - c->rstart;
        if (have == 0) break;
        int rc = sl_http_parser_feed(&c->parser, c->rbuf + c->rstart, have);
        if (rc == SL_HTTP_PARSE_DONE) {
            conn_serve(c);
            continue;
        }
        if (rc == SL_HTTP_PARSE_ERROR) {
            conn_error(c, c->parser.status, c->parser.error);
            break;
        }
        if (have >= read_limit(s)) {
            conn_error(c, 413, "request too large");
            break;
        }
        if (sl_http_parser_headers_done(&c->parser) && c->parser.expect_continue &&
            !c->continue_sent) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            conn_send(c, cont, sizeof cont - 1, NULL, 0);
            c->continue_sent = true;
        }
        break;
    }
    if (c->rstart == c->rlen) c->rstart = c->rlen = 0;
    if (c->rlen == 0 && c->rcap > KEEP_BUF_MAX) {
        sl_free(c->rbuf);
        c->rbuf = NULL;
        c->rcap = 0;
    }
    /* After EOF no more bytes can complete a partial request: finish what is owed. */
    if (c->peer_eof) c->closing = true;
    if (c->dead) return;
    size_t pending = conn_pending(c);
    if (c->closing) {
        if (pending) {
            conn_set_events(c, EPOLLOUT);
        } else if (c->peer_eof) {
            c->dead = true; /* nothing more to say or hear: close now */
        } else {
            /* Close gracefully: shut our side and drain what the client still sends, so
             * closing with unread input does not reset the connection under our answer. */
            shutdown(c->fd, SHUT_WR);
            c->lingering = true;
            c->linger_until = c->w->now + LINGER_MS;
            conn_set_events(c, EPOLLIN);
        }
        return;
    }
    uint32_t ev = pending ? EPOLLOUT : 0;
    if (pending < OUT_HIGH_WATER) ev |= EPOLLIN;
    conn_set_events(c, ev);
}

/* While lingering: reads and discards input; closes on EOF or error. */
static void conn_linger_drain(conn_t *c)
{
    char sink[16384];
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(c->fd, sink, sizeof sink, 0);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        c->dead = true;
        return;
    }
}

/* Handles the epoll events ev of connection c; may free c. */
static void conn_on_event(conn_t *c, uint32_t ev)
{
    if (c->lingering) {
        conn_linger_drain(c);
    } else if (ev & (EPOLLERR | EPOLLHUP)) {
        c->dead = true; /* reset or fully closed: nothing can be written any more */
    } else {
        if (ev & EPOLLOUT) conn_flush(c);
        if ((ev & EPOLLIN) && !c->dead) conn_read(c);
        if (!c->dead) conn_process(c);
    }
    if (c->dead) conn_free(c);
}

/* Takes ownership of an accepted socket fd: makes a connection and registers it. */
static void worker_add_conn(worker_t *w, int fd)
{
    conn_t *c = SL_NEW(conn_t);
    c->w = w;
    c->fd = fd;
    c->last_active = c->req_start = w->now;
    sl_http_parser_init(&c->parser, w->srv->cfg.max_body);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(c->peer, sizeof c->peer, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    c->events = EPOLLIN;
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e) < 0) conn_free(c);
}

/* Reads the fds the accept loop handed over and adopts them. */
static void worker_take_fds(worker_t *w)
{
    int fds[64];
    for (;;) {
        ssize_t n = read(w->pipe_rd, fds, sizeof fds);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        for (size_t i = 0; i < (size_t)n / sizeof fds[0]; i++) worker_add_conn(w, fds[i]);
    }
}

/*
 * Closes connections that outstayed their welcome: idle longer than idle_timeout_ms (no
 * read or write progress: this also covers clients that stop reading our output), slower
 * than idle_timeout_ms to send a request head (slowloris), or lingering past their time.
 */
static void worker_sweep(worker_t *w)
{
    int64_t idle = w->srv->cfg.idle_timeout_ms;
    conn_t *c = w->conns;
    while (c) {
        conn_t *next = c->next;
        bool expired;
        if (c->lingering) expired = w->now >= c->linger_until;
        else
            expired = w->now - c->last_active >= idle ||
                      (c->rlen > c->rstart && !sl_http_parser_headers_done(&c->parser) &&
                       w->now - c->req_start >= idle);
        if (expired) conn_free(c);
        c = next;
    }
}

/* The interval between idle sweeps: a quarter of the timeout, within [10 ms, 1 s]. */
static int sweep_interval(const sl_http_server_t *s)
{
    int iv = s->cfg.idle_timeout_ms / 4;
    if (iv < 10) iv = 10;
    if (iv > 1000) iv = 1000;
    return iv;
}

/* A worker thread: serves its connections until the stop eventfd becomes readable. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    sl_http_server_t *s = w->srv;
    struct epoll_event evs[MAX_EVENTS];
    int iv = sweep_interval(s);
    w->now = mono_ms();
    w->next_sweep = w->now + iv;
    bool stopping = false;
    while (!stopping) {
        int n = epoll_wait(w->epfd, evs, MAX_EVENTS, iv);
        if (n < 0 && errno != EINTR) break;
        w->now = mono_ms();
        for (int i = 0; i < n; i++) {
            void *ptr = evs[i].data.ptr;
            if (ptr == s) stopping = true;
            else if (ptr == w) worker_take_fds(w);
            else conn_on_event(ptr, evs[i].events);
        }
        if (w->now >= w->next_sweep) {
            worker_sweep(w);
            w->next_sweep = w->now + iv;
        }
    }
    while (w->conns) conn_free(w->conns);
    return NULL;
}

sl_http_server_t *sl_http_server_new(const sl_http_config_t *cfg, char **err)
{
    if (err) *err = NULL;
    if (!cfg->handler) {
        if (err) *err = sl_strdup("http: no handler configured");
        return NULL;
    }
    const char *host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1";
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", cfg->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        if (err) *err = sl_asprintf("http: cannot resolve %s: %s", host, gai_strerror(gai));
        return NULL;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (err) *err = sl_asprintf("http: cannot listen on %s:%d: %s", host, cfg->port,
                                    strerror(saved));
        return NULL;
    }
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        if (err) *err = sl_asprintf("http: eventfd: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    sl_http_server_t *s = SL_NEW(sl_http_server_t);
    s->cfg = *cfg;
    s->cfg.host = sl_strdup(host);
    if (s->cfg.threads <= 0) s->cfg.threads = 2;
    if (s->cfg.max_body == 0) s->cfg.max_body = 16u * 1024 * 1024;
    if (s->cfg.idle_timeout_ms <= 0) s->cfg.idle_timeout_ms = 60000;
    s->listen_fd = fd;
    s->stop_fd = efd;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    return s;
}

int sl_http_server_port(const sl_http_server_t *s)
{
    return s->port;
}

/* Creates worker w's epoll instance and hand-off pipe; returns 0 or -1. */
static int worker_init(sl_http_server_t *s, worker_t *w)
{
    w->srv = s;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->pipe_rd = w->pipe_wr = -1;
    int pfd[2];
    if (w->epfd < 0 || pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0) return -1;
    w->pipe_rd = pfd[0];
    w->pipe_wr = pfd[1];
    struct epoll_event e1 = {.events = EPOLLIN, .data.ptr = w};
    struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = s};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->pipe_rd, &e1) < 0 ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->stop_fd, &e2) < 0)
        return -1;
    w->arena = sl_arena_new(0);
    return 0;
}

/* Releases what worker_init made, closing any fds still waiting in the pipe. */
static void worker_fini(worker_t *w)
{
    if (w->pipe_rd >= 0) {
        int fd;
        while (read(w->pipe_rd, &fd, sizeof fd) == (ssize_t)sizeof fd) close(fd);
        close(w->pipe_rd);
    }
    if (w->pipe_wr >= 0) close(w->pipe_wr);
    if (w->epfd >= 0) close(w->epfd);
    sl_arena_free(w->arena);
    sl_buf_free(&w->body);
    sl_buf_free(&w->extra);
    sl_buf_free(&w->head);
}

/*
 * The accept loop (run()'s own thread): hands each new connection to the next worker until
 * the stop eventfd is readable. Out of fds (EMFILE) it backs off 100 ms instead of spinning
 * on a listener that stays readable.
 */
static void accept_loop(sl_http_server_t *s)
{
    int n = s->cfg.threads;
    unsigned next = 0;
    struct pollfd pf[2] = {{.fd = s->listen_fd, .events = POLLIN},
                           {.fd = s->stop_fd, .events = POLLIN}};
    for (;;) {
        int r = poll(pf, 2, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (pf[1].revents) return;
        if (!pf[0].revents) continue;
        for (int k = 0; k < 64; k++) {
            int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    poll(&pf[1], 1, 100);
                break;
            }
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            worker_t *w = &s->workers[next++ % (unsigned)n];
            if (write(w->pipe_wr, &fd, sizeof fd) != (ssize_t)sizeof fd) close(fd);
        }
    }
}

int sl_http_server_run(sl_http_server_t *s)
{
    int n = s->cfg.threads, rc = 0;
    s->workers = SL_NEWN(worker_t, (size_t)n);
    for (int i = 0; i < n; i++) {
        if (worker_init(s, &s->workers[i]) < 0) rc = -1;
    }
    if (rc == 0) {
        /* Workers block all signals so that signals (and their EINTRs) go to this thread. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        for (int i = 0; i < n && rc == 0; i++) {
            if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0)
                rc = -1;
            else s->workers[i].started = true;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (rc == 0) accept_loop(s);
    sl_http_server_stop(s); /* on an early error too: the started workers must end */
    for (int i = 0; i < n; i++) {
        if (s->workers[i].started) pthread_join(s->workers[i].thread, NULL);
        worker_fini(&s->workers[i]);
    }
    sl_free(s->workers);
    s->workers = NULL;
    return rc;
}

void sl_http_server_stop(sl_http_server_t *s)
{
    int saved = errno; /* a signal handler must leave errno as it found it */
    uint64_t one = 1;
    ssize_t r = write(s->stop_fd, &one, sizeof one);
    (void)r;
    errno = saved;
}

void sl_http_server_free(sl_http_server_t *s)
{
    if (!s) return;
    close(s->listen_fd);
    close(s->stop_fd);
    sl_free((char *)s->cfg.host);
    sl_free(s);
}
