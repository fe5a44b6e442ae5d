/*
 * sink_deliver.c - one delivery attempt of a batch of rows, per kind of target, and the
 * dead-letter file. Runs on the sink thread only; sink.c decides what to retry.
 *
 *   webhook  one HTTP POST per batch on a reused curl handle (the connection stays open);
 *            body: the row's JSON object (batch = 1) or a JSON array of rows (batch > 1),
 *            or CSV lines with format csv; success is a 2xx answer within timeout_ms.
 *   file     JSON lines or CSV lines appended with write(2); before a line would take the
 *            file past rotate_bytes the file is rotated (path -> path.1 -> ... path.keep);
 *            a failed write is cut back with ftruncate so no partial line remains; the
 *            rows written before a failure count as delivered.
 *   command  one `/bin/sh -c COMMAND` process per batch with the rows on stdin as JSON (or
 *            CSV) lines; success is exit status 0 within timeout_ms, else it is killed and
 *            the batch retried. One process per batch keeps the at-least-once rule simple:
 *            the exit status answers for exactly the rows it was given.
 *   stdout   JSON or CSV lines on fd 1.
 */
#include "alloc.h"
#include "arena.h"
#include "clock.h"
#include "sink_int.h"
#include "val.h"

#include "curl_lazy.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* pthread_once body: libcurl's global setup. */
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- encoding -------------------------------------------------------------------- */

/* Appends one CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180). */
static void csv_field(sl_buf_t *b, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        sl_buf_append(b, s, n);
        return;
    }
    sl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') sl_buf_putc(b, '"');
        sl_buf_putc(b, s[i]);
    }
    sl_buf_putc(b, '"');
}

/* Appends a value as CSV text: strings raw, null empty, the rest as their JSON text. */
static void csv_value(sl_buf_t *b, const sl_val_t *v, sl_buf_t *tmp)
{
    if (!v || v->type == SL_V_NULL) return;
    if (v->type == SL_V_STR) {
        csv_field(b, v->u.str.p, v->u.str.len);
        return;
    }
    sl_buf_reset(tmp);
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, tmp);
    sl_enc_val(&e, v);
    csv_field(b, tmp->p ? tmp->p : "", tmp->len);
}

/* The header line of a CSV file: the configured columns (or the row's keys). */
static void csv_header(const sl_sink_t *s, const sl_sink_row_t *row, sl_buf_t *b)
{
    if (s->ncols) {
        for (size_t i = 0; i < s->ncols; i++) {
            if (i) sl_buf_putc(b, ',');
            csv_field(b, s->cols[i], strlen(s->cols[i]));
        }
    } else {
        sl_arena_t *a = sl_arena_new(0);
        const char *perr;
        sl_val_t *v = sl_json_parse(a, row->json, row->len, &perr);
        for (size_t i = 0; v && v->type == SL_V_OBJ && i < v->u.obj.n; i++) {
            if (i) sl_buf_putc(b, ',');
            csv_field(b, v->u.obj.members[i].key, v->u.obj.members[i].key_len);
        }
        sl_arena_free(a);
    }
    sl_buf_putc(b, '\n');
}

/* Appends one row as a line (JSON or CSV) to b. A row that does not parse as an object is
 * written as one empty CSV line rather than stalling the sink. */
static void encode_line(const sl_sink_t *s, const sl_sink_row_t *row, sl_buf_t *b)
{
    if (!s->csv) {
        sl_buf_append(b, row->json, row->len);
        sl_buf_putc(b, '\n');
        return;
    }
    sl_arena_t *a = sl_arena_new(0);
    sl_buf_t tmp = SL_BUF_INIT;
    const char *perr;
    sl_val_t *v = sl_json_parse(a, row->json, row->len, &perr);
    if (v && v->type == SL_V_OBJ) {
        if (s->ncols) {
            for (size_t i = 0; i < s->ncols; i++) {
                if (i) sl_buf_putc(b, ',');
                const sl_val_t *f = sl_val_get(v, s->cols[i]);
                for (size_t j = 0; !f && j < v->u.obj.n; j++)
                    if (strcasecmp(v->u.obj.members[j].key, s->cols[i]) == 0)
                        f = v->u.obj.members[j].val;
                csv_value(b, f, &tmp);
            }
        } else {
            for (size_t i = 0; i < v->u.obj.n; i++) {
                if (i) sl_buf_putc(b, ',');
                csv_value(b, v->u.obj.members[i].val, &tmp);
            }
        }
    }
    sl_buf_putc(b, '\n');
    sl_buf_free(&tmp);
    sl_arena_free(a);
}

/* ---- files ----------------------------------------------------------------------- */

/* Writes all of p[0..n) to fd; on failure cuts the file back to keep bytes. 0 or -1. */
static int write_all(sl_sink_t *s, int fd, const char *p, size_t n, uint64_t keep)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            sl_buf_reset(&s->errmsg);
            sl_buf_printf(&s->errmsg, "write: %s", w < 0 ? strerror(errno) : "no progress");
            if (off && ftruncate(fd, (off_t)keep) < 0) { /* best effort; reported below */
                sl_buf_printf(&s->errmsg, " (truncate failed: %s)", strerror(errno));
            }
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Opens (creates) the sink's file and notes its size. 0, or -1 with the reason in errmsg. */
static int file_open(sl_sink_t *s)
{
    s->fd = open(s->target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (s->fd < 0) {
        sl_buf_reset(&s->errmsg);
        sl_buf_printf(&s->errmsg, "%s: %s", s->target, strerror(errno));
        return -1;
    }
    struct stat st;
    s->file_size = fstat(s->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* Rotates: path.(keep-1) -> path.keep, ..., path -> path.1 (keep 0: path is removed), then
 * opens a fresh path. 0, or -1 with the reason in errmsg (the old file stays open then). */
static int file_rotate(sl_sink_t *s)
{
    for (int k = s->keep - 1; k >= 1; k--) {
        char *from = sl_asprintf("%s.%d", s->target, k);
        char *to = sl_asprintf("%s.%d", s->target, k + 1);
        (void)rename(from, to); /* a missing older file is fine */
        sl_free(from);
        sl_free(to);
    }
    int rc;
    if (s->keep > 0) {
        char *to = sl_asprintf("%s.1", s->target);
        rc = rename(s->target, to);
        sl_free(to);
    } else {
        rc = unlink(s->target);
    }
    if (rc < 0 && errno != ENOENT) {
        sl_buf_reset(&s->errmsg);
        sl_buf_printf(&s->errmsg, "rotate %s: %s", s->target, strerror(errno));
        return -1;
    }
    close(s->fd);
    return file_open(s);
}

/* Appends rows to the file, rotating by size. Returns rows written. */
static size_t file_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    if (s->fd < 0 && file_open(s) < 0) return 0;
    sl_buf_t *b = &s->body;
    sl_buf_reset(b);
    size_t done = 0; /* rows before this index are already in the file */
    for (size_t i = 0; i < n; i++) {
        size_t before = b->len;
        if (s->csv_header && s->file_size == 0 && b->len == 0) csv_header(s, &rows[i], b);
        encode_line(s, &rows[i], b);
        if (s->rotate_bytes && s->file_size + b->len > s->rotate_bytes &&
            s->file_size + before > 0) {
            if (before > 0) {
                if (write_all(s, s->fd, b->p, before, s->file_size) < 0) return done;
                s->file_size += before;
                done = i;
            }
            if (file_rotate(s) < 0) return done;
            sl_buf_reset(b);
            if (s->csv_header && s->file_size == 0) csv_header(s, &rows[i], b);
            encode_line(s, &rows[i], b);
        }
    }
    if (b->len && write_all(s, s->fd, b->p, b->len, s->file_size) < 0) return done;
    s->file_size += b->len;
    return n;
}

/* Writes the rows to stdout. */
static size_t stdout_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    sl_buf_reset(&s->body);
    for (size_t i = 0; i < n; i++) encode_line(s, &rows[i], &s->body);
    return write_all(s, 1, s->body.p, s->body.len, 0) == 0 ? n : 0;
}

/* ---- webhook --------------------------------------------------------------------- */

/* Keeps the first bytes of the answer for the error message. */
static size_t curl_sink_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    sl_buf_t *b = ctx;
    size_t n = size * nmemb;
    if (b->len < 200) sl_buf_append(b, p, n < 200 - b->len ? n : 200 - b->len);
    return n;
}

/* curl progress callback: a non-zero return aborts the transfer (drain deadline passed). */
static int curl_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    sl_sink_t *s = ctx;
    return atomic_load(&s->abort) ? 1 : 0;
}

/* Creates the curl handle with everything but the body. 0, or -1 with *err. */
static int webhook_open(sl_sink_t *s, char **err)
{
    pthread_once(&curl_once, curl_init_once);
    CURL *c = curl_easy_init();
    if (!c) {
        *err = sl_strdup("webhook: curl_easy_init failed");
        return -1;
    }
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, s->csv ? "Content-Type: text/csv" : "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip on large batches */
    for (size_t i = 0; i < s->nheaders; i++) h = curl_slist_append(h, s->headers[i]);
    s->curl_headers = h;
    curl_easy_setopt(c, CURLOPT_URL, s->target);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->errmsg);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, curl_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    s->curl = c;
    return 0;
}

/* POSTs the batch. Returns n on a 2xx answer, else 0 with the reason in errmsg. */
static size_t webhook_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    sl_buf_t *b = &s->body;
    sl_buf_reset(b);
    if (s->csv) {
        for (size_t i = 0; i < n; i++) encode_line(s, &rows[i], b);
    } else if (s->batch == 1) {
        sl_buf_append(b, rows[0].json, rows[0].len);
    } else {
        sl_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) sl_buf_putc(b, ',');
            sl_buf_append(b, rows[i].json, rows[i].len);
        }
        sl_buf_putc(b, ']');
    }
    CURL *c = s->curl;
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, b->p ? b->p : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
    sl_buf_reset(&s->errmsg);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        sl_buf_reset(&s->errmsg);
        sl_buf_printf(&s->errmsg, "%s", curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return n;
    /* A client error will not go away by sending the same rows again (a bad URL, a refused
     * payload); only timeouts and throttling (408, 429) are worth retrying. */
    s->permanent_failure = status >= 400 && status < 500 && status != 408 && status != 429;
    char *answer = sl_strndup(s->errmsg.p ? s->errmsg.p : "", s->errmsg.len);
    sl_buf_reset(&s->errmsg);
    sl_buf_printf(&s->errmsg, "HTTP %ld %s", status, answer);
    sl_free(answer);
    return 0;
}

/* ---- command --------------------------------------------------------------------- */

/* Milliseconds left until deadline_ns (monotonic), at least 0. */
static int ms_left(int64_t deadline_ns)
{
    int64_t left = (deadline_ns - sl_clock_mono_ns()) / 1000000;
    return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

/* Runs the command with the batch on stdin. Returns n on exit status 0, else 0. */
static size_t command_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    sl_buf_t *b = &s->body;
    sl_buf_reset(b);
    for (size_t i = 0; i < n; i++) encode_line(s, &rows[i], b);
    sl_buf_reset(&s->errmsg);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        sl_buf_printf(&s->errmsg, "pipe: %s", strerror(errno));
        return 0;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    char *argv[] = {"sh", "-c", s->target, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    if (rc != 0) {
        close(p[1]);
        sl_buf_printf(&s->errmsg, "spawn /bin/sh: %s", strerror(rc));
        return 0;
    }
    int64_t deadline = sl_clock_mono_ns() + (int64_t)s->timeout_ms * 1000000;
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    size_t off = 0;
    bool timed_out = false;
    while (off < b->len) {
        ssize_t w = write(p[1], b->p + off, b->len - off);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = p[1], .events = POLLOUT};
            int left = ms_left(deadline);
            if (left == 0 || atomic_load(&s->abort)) {
                timed_out = true;
                break;
            }
            poll(&pf, 1, left < 50 ? left : 50);
            continue;
        }
        break; /* EPIPE: the command stopped reading; its exit status decides */
    }
    close(p[1]);
    /* Wait for the exit, polling with a growing sleep (short commands answer in ~1 ms). */
    int status = 0;
    long nap_us = 100;
    for (;;) {
        pid_t r = waitpid(pid, &status, timed_out ? 0 : WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            sl_buf_printf(&s->errmsg, "waitpid: %s", strerror(errno));
            return 0;
        }
        if (!timed_out && (ms_left(deadline) == 0 || atomic_load(&s->abort))) {
            kill(pid, SIGKILL);
            timed_out = true;
            continue;
        }
        struct timespec ts = {0, nap_us * 1000};
        nanosleep(&ts, NULL);
        if (nap_us < 10000) nap_us *= 2;
    }
    if (timed_out) {
        sl_buf_printf(&s->errmsg, "command timed out after %d ms", s->timeout_ms);
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return n;
    if (WIFEXITED(status))
        sl_buf_printf(&s->errmsg, "command exited with status %d", WEXITSTATUS(status));
    else
        sl_buf_printf(&s->errmsg, "command killed by signal %d", WTERMSIG(status));
    return 0;
}

/* ---- entry points ---------------------------------------------------------------- */

int sl_sink_target_open(sl_sink_t *s, char **err)
{
    s->fd = -1;
    switch (s->kind) {
    case SL_SINK_WEBHOOK:
        return webhook_open(s, err);
    case SL_SINK_FILE:
        if (file_open(s) < 0) {
            *err = sl_asprintf("path: %s", s->errmsg.p);
            return -1;
        }
        return 0;
    default:
        return 0;
    }
}

void sl_sink_target_close(sl_sink_t *s)
{
    if (s->curl) curl_easy_cleanup(s->curl);
    s->curl = NULL;
    curl_slist_free_all(s->curl_headers);
    s->curl_headers = NULL;
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

size_t sl_sink_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    switch (s->kind) {
    case SL_SINK_WEBHOOK:
        return webhook_deliver(s, rows, n);
    case SL_SINK_FILE:
        return file_deliver(s, rows, n);
    case SL_SINK_COMMAND:
        return command_deliver(s, rows, n);
    default:
        return stdout_deliver(s, rows, n);
    }
}

int sl_sink_dead_letter(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    sl_buf_t b = SL_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sl_buf_append(&b, rows[i].json, rows[i].len);
        sl_buf_putc(&b, '\n');
    }
    int fd = open(s->dead_letter, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0) {
        sl_buf_reset(&s->errmsg);
        sl_buf_printf(&s->errmsg, "dead_letter %s: %s", s->dead_letter, strerror(errno));
    } else {
        struct stat st;
        uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
        rc = write_all(s, fd, b.p, b.len, size);
        close(fd);
    }
    sl_buf_free(&b);
    return rc;
}
