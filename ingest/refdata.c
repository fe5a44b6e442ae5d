/*
 * refdata.c - reference data: fetch an object, decode CSV or JSON, fill a SQLite table.
 * See refdata.h for the contract and the column encodings.
 *
 *   sl_refdata_load
 *     sl_refdata_fetch        path | file:// | http(s):// (libcurl) | s3:// (path-style GET)
 *     sl_refdata_load_bytes
 *       plan_new              parse every column's SqlType and JSONPath once
 *       SAVEPOINT; DROP TABLE; CREATE TABLE; prepare INSERT
 *       load_csv | load_json  record by record -> raw_t cells -> bind_cell -> step
 *       RELEASE (or ROLLBACK TO on the first error)
 *
 * Decoding works on raw_t cells, the common form of a CSV field and a JSON value, so the
 * conversion rules (bind_cell) are written once for both formats. Per-load scratch memory
 * (JSON trees, paths, converted text) comes from one arena reset per record.
 */
#include "refdata.h"

#include "alloc.h"
#include "arena.h"
#include "clock.h"
#include "val.h"

#include <ctype.h>
#include "curl_lazy.h"
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- fetching ---------------------------------------------------------------------------- */

/* Reads a local file whole into out, refusing files over the cap before reading them. */
static int fetch_file(const char *path, sl_buf_t *out, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = sl_asprintf("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (int64_t)st.st_size > SL_REFDATA_MAX_BYTES) {
        fclose(f);
        *err = sl_asprintf("%s: %lld bytes is over the 1 GiB limit of a reference data source",
                           path, (long long)st.st_size);
        return -1;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((int64_t)(out->len + n) > SL_REFDATA_MAX_BYTES) {
            fclose(f);
            *err = sl_asprintf("%s: over the 1 GiB limit of a reference data source", path);
            return -1;
        }
        sl_buf_append(out, chunk, n);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        *err = sl_asprintf("%s: read error", path);
        return -1;
    }
    if (!out->p) sl_buf_reserve(out, 0);
    return 0;
}

/* libcurl write callback: appends to the buffer, stopping the transfer past the cap. */
typedef struct fetch_sink {
    sl_buf_t *out;
    bool too_big;
} fetch_sink_t;

static size_t curl_write(char *data, size_t size, size_t nmemb, void *ud)
{
    fetch_sink_t *s = ud;
    size_t n = size * nmemb;
    if ((int64_t)(s->out->len + n) > SL_REFDATA_MAX_BYTES) {
        s->too_big = true;
        return 0;
    }
    sl_buf_append(s->out, data, n);
    return n;
}

static void hex_encode(const unsigned char *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = 0;
}

static void sha256_hex(const void *d, size_t n, char out[65])
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256(d, n, h);
    hex_encode(h, sizeof h, out);
}

static void hmac256(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int olen = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &olen);
}

/*
 * Adds SigV4 headers (AWS Signature Version 4, service s3) for a GET of `path` on `host`
 * with an empty body. Credentials come from the environment; nothing is added without them.
 */
static struct curl_slist *s3_sign(struct curl_slist *hdrs, const char *host, const char *path)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    const char *region = getenv("AWS_REGION");
    if (!region || !*region) region = getenv("AWS_DEFAULT_REGION");
    if (!region || !*region) region = "us-east-1";
    if (!ak || !*ak || !sk || !*sk) return hdrs;

    time_t now = (time_t)(sl_clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    char amzdate[32], day[16], empty_hash[65];
    strftime(amzdate, sizeof amzdate, "%Y%m%dT%H%M%SZ", &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    sha256_hex("", 0, empty_hash);

    sl_buf_t canon = SL_BUF_INIT;
    const char *signed_headers = tok ? "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
                                     : "host;x-amz-content-sha256;x-amz-date";
    sl_buf_printf(&canon, "GET\n%s\n\nhost:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n", path,
                  host, empty_hash, amzdate);
    if (tok) sl_buf_printf(&canon, "x-amz-security-token:%s\n", tok);
    sl_buf_printf(&canon, "\n%s\n%s", signed_headers, empty_hash);
    char canon_hash[65];
    sha256_hex(canon.p, canon.len, canon_hash);
    char *scope = sl_asprintf("%s/%s/s3/aws4_request", day, region);
    char *to_sign = sl_asprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate, scope, canon_hash);

    char *k0 = sl_asprintf("AWS4%s", sk);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac256(k0, strlen(k0), day, k1);
    hmac256(k1, 32, region, k2);
    hmac256(k2, 32, "s3", k3);
    hmac256(k3, 32, "aws4_request", k4);
    hmac256(k4, 32, to_sign, sig);
    char sighex[65];
    hex_encode(sig, 32, sighex);

    char *h;
    h = sl_asprintf("x-amz-date: %s", amzdate);
    hdrs = curl_slist_append(hdrs, h);
    sl_free(h);
    h = sl_asprintf("x-amz-content-sha256: %s", empty_hash);
    hdrs = curl_slist_append(hdrs, h);
    sl_free(h);
    if (tok) {
        h = sl_asprintf("x-amz-security-token: %s", tok);
        hdrs = curl_slist_append(hdrs, h);
        sl_free(h);
    }
    h = sl_asprintf(
        "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", ak,
        scope, signed_headers, sighex);
    hdrs = curl_slist_append(hdrs, h);
    sl_free(h);
    sl_free(k0);
    sl_free(scope);
    sl_free(to_sign);
    sl_buf_free(&canon);
    return hdrs;
}

/* Percent-encodes an S3 key for a URL path (RFC 3986 unreserved and '/' kept). */
static void url_path_encode(sl_buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            sl_buf_putc(b, (char)*p);
        else
            sl_buf_printf(b, "%%%02X", *p);
    }
}

/* GETs url into out. what names the source in errors; host/path are set for S3 signing. */
static int fetch_http(const char *what, const char *url, const char *s3_host, const char *s3_path,
                      sl_buf_t *out, char **err)
{
    CURL *h = curl_easy_init();
    if (!h) {
        *err = sl_asprintf("%s: cannot start libcurl", what);
        return -1;
    }
    fetch_sink_t sink = {out, false};
    char ebuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    if (s3_host) hdrs = s3_sign(hdrs, s3_host, s3_path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L); /* give up on a stalled server */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SL_REFDATA_MAX_BYTES);
    if (hdrs) curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        *err = sl_asprintf("%s: over the 1 GiB limit of a reference data source", what);
        return -1;
    }
    if (rc != CURLE_OK) {
        *err = sl_asprintf("%s: GET %s failed: %s", what, url,
                           ebuf[0] ? ebuf : curl_easy_strerror(rc));
        return -1;
    }
    if (status >= 400) {
        size_t n = out->len < 200 ? out->len : 200;
        *err = sl_asprintf("%s: GET %s: HTTP %ld%s%.*s", what, url, status, n ? ": " : "", (int)n,
                           out->p);
        for (char *p = *err; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        return -1;
    }
    if (!out->p) sl_buf_reserve(out, 0);
    return 0;
}

int sl_refdata_fetch(const char *source, sl_buf_t *out, char **err)
{
    if (strncmp(source, "file://", 7) == 0) {
        const char *p = source + 7;
        if (strncmp(p, "localhost/", 10) == 0) p += 9;
        return fetch_file(p, out, err);
    }
    if (strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0)
        return fetch_http(source, source, NULL, NULL, out, err);
    if (strncmp(source, "s3://", 5) == 0) {
        const char *b = source + 5, *slash = strchr(b, '/');
        if (!slash || slash == b || !slash[1]) {
            *err = sl_asprintf("%s: expected s3://BUCKET/KEY", source);
            return -1;
        }
        const char *ep = getenv("SLUICE_S3_ENDPOINT");
        if (!ep || !*ep) ep = "https://s3.amazonaws.com";
        size_t eplen = strlen(ep);
        while (eplen && ep[eplen - 1] == '/') eplen--;
        sl_buf_t path = SL_BUF_INIT;
        /* A path prefix in the endpoint ("http://host/s3") is part of the signed path. */
        const char *hs = strstr(ep, "://");
        hs = hs ? hs + 3 : ep;
        const char *he = hs;
        while (he < ep + eplen && *he != '/') he++;
        sl_buf_append(&path, he, (size_t)(ep + eplen - he));
        sl_buf_putc(&path, '/');
        sl_buf_append(&path, b, (size_t)(slash - b));
        sl_buf_putc(&path, '/');
        url_path_encode(&path, slash + 1);
        char *host = sl_strndup(hs, (size_t)(he - hs));
        char *url = sl_asprintf("%.*s%s", (int)(he - ep), ep, path.p);
        int rc = fetch_http(source, url, host, path.p, out, err);
        sl_free(url);
        sl_free(host);
        sl_buf_free(&path);
        return rc;
    }
    return fetch_file(source, out, err);
}

/* ---- cells and conversions --------------------------------------------------------------- */

/* One value on its way into a column: a CSV field or a JSON value. */
typedef enum raw_kind { R_NULL, R_BOOL, R_INT, R_DBL, R_STR, R_JSON } raw_kind_t;

typedef struct raw {
    raw_kind_t k;
    bool b;
    int64_t i;
    double d;
    const char *s; /* R_STR: text; R_JSON: the value re-encoded as JSON text */
    size_t n;
} raw_t;

/* Trims ASCII blanks from both ends of s[0..*n) and returns the new start. */
static const char *trim(const char *s, size_t *n)
{
    while (*n && isspace((unsigned char)*s)) s++, (*n)--;
    while (*n && isspace((unsigned char)s[*n - 1])) (*n)--;
    return s;
}

/* Parses a whole decimal integer (optional sign, blanks around). */
static bool parse_i64(const char *s, size_t n, int64_t *out)
{
    s = trim(s, &n);
    if (!n || n > 40) return false;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (errno || *end || end == tmp) return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, size_t n, double *out)
{
    s = trim(s, &n);
    if (!n || n > 400) return false;
    char tmp[408];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (*end || end == tmp || (errno == ERANGE && isinf(v))) return false;
    *out = v;
    return true;
}

/*
 * Writes the exact decimal text of a number with `scale` fraction digits, rounding half
 * away from zero, into out (at most 48 chars). The number is "[+-]digits[.digits]" text.
 * Fails when it has more than prec - scale integer digits or is not a plain decimal.
 */
static bool decimal_text(const char *s, size_t n, int prec, int scale, char *out)
{
    s = trim(s, &n);
    bool neg = false;
    if (n && (*s == '+' || *s == '-')) neg = *s == '-', s++, n--;
    char digits[64];
    int nd = 0, nint = -1;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && nint < 0) {
            nint = nd;
            continue;
        }
        if (!isdigit((unsigned char)s[i])) return false;
        any = true;
        if (nd < 60)
            digits[nd++] = s[i];
        else if (nint >= 0)
            continue; /* fraction digits far beyond any scale */
        else
            return false;
    }
    if (!any) return false;
    if (nint < 0) nint = nd;
    /* keep nint integer digits and `scale` fraction digits; round on the next one */
    char r[64];
    int nr = 0;
    for (int i = 0; i < nint + scale; i++) r[nr++] = i < nd ? digits[i] : '0';
    if (nint + scale < nd && digits[nint + scale] >= '5') {
        int i = nr - 1;
        while (i >= 0 && r[i] == '9') r[i--] = '0';
        if (i >= 0)
            r[i]++;
        else {
            memmove(r + 1, r, (size_t)nr);
            r[0] = '1';
            nr++;
            nint++;
        }
    }
    /* drop leading zeros of the integer part */
    int lead = 0;
    while (lead < nint - 1 && r[lead] == '0') lead++;
    if (nint - lead > prec - scale && !(nint - lead == 1 && r[lead] == '0')) return false;
    char *o = out;
    bool zero = true;
    for (int i = lead; i < nr; i++)
        if (r[i] != '0') zero = false;
    if (neg && !zero) *o++ = '-';
    if (nint - lead == 0) *o++ = '0';
    for (int i = lead; i < nint; i++) *o++ = r[i];
    if (scale) {
        *o++ = '.';
        for (int i = nint; i < nr; i++) *o++ = r[i];
    }
    *o = 0;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_ymd(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly `w` digits at *p. */
static bool digits_at(const char **p, const char *end, int w, int *out)
{
    int v = 0;
    for (int i = 0; i < w; i++) {
        if (*p >= end || !isdigit((unsigned char)**p)) return false;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return true;
}

static bool parse_date_part(const char **p, const char *end, int64_t *days)
{
    int y, m, d;
    if (!digits_at(p, end, 4, &y) || *p >= end || *(*p)++ != '-' || !digits_at(p, end, 2, &m) ||
        *p >= end || *(*p)++ != '-' || !digits_at(p, end, 2, &d))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    *days = days_from_ymd(y, m, d);
    return true;
}

/* HH:MM[:SS[.fff...]] -> ms since midnight (fraction digits past ms are dropped). */
static bool parse_time_part(const char **p, const char *end, int64_t *ms)
{
    int h, mi, sec = 0, frac = 0;
    if (!digits_at(p, end, 2, &h) || *p >= end || *(*p)++ != ':' || !digits_at(p, end, 2, &mi))
        return false;
    if (*p < end && **p == ':') {
        (*p)++;
        if (!digits_at(p, end, 2, &sec)) return false;
        if (*p < end && **p == '.') {
            (*p)++;
            int nf = 0;
            while (*p < end && isdigit((unsigned char)**p)) {
                if (nf < 3) frac = frac * 10 + (**p - '0');
                nf++;
                (*p)++;
            }
            if (!nf) return false;
            for (; nf < 3; nf++) frac *= 10;
        }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    *ms = ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac;
    return true;
}

static bool parse_datetime(sl_sqltype_kind_t kind, const char *s, size_t n, int64_t *out)
{
    s = trim(s, &n);
    const char *p = s, *end = s + n;
    int64_t days = 0, ms = 0;
    if (kind == SL_SQLT_TIME) {
        if (!parse_time_part(&p, end, &ms)) return false;
        *out = ms;
        return p == end;
    }
    if (!parse_date_part(&p, end, &days)) return false;
    if (kind == SL_SQLT_DATE) {
        *out = days;
        return p == end;
    }
    if (p < end && (*p == ' ' || *p == 'T')) {
        p++;
        if (!parse_time_part(&p, end, &ms)) return false;
        if (p < end && *p == 'Z') p++;
    }
    *out = days * 86400000 + ms;
    return p == end;
}

/* Bytes of the first `max` UTF-8 characters of s[0..n). */
static size_t utf8_prefix(const char *s, size_t n, int max)
{
    size_t i = 0;
    for (int c = 0; i < n && c < max; c++) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Converts r for a column of type t and binds it as parameter ix of st. Text made along
 * the way lives in arena a. Returns 0, or -1 with *why (arena text) saying what failed.
 */
static int bind_cell(sqlite3_stmt *st, int ix, const sl_sqltype_t *t, const raw_t *r, sl_arena_t *a,
                     const char **why)
{
    if (r->k == R_NULL) return sqlite3_bind_null(st, ix) == SQLITE_OK ? 0 : -1;
    /* the value as text, for messages and text conversions */
    const char *txt = r->s;
    size_t tn = r->n;
    if (r->k == R_BOOL) txt = r->b ? "true" : "false", tn = strlen(txt);
    if (r->k == R_INT) txt = sl_arena_printf(a, "%lld", (long long)r->i), tn = strlen(txt);
    if (r->k == R_DBL) {
        txt = sl_arena_printf(a, "%.15g", r->d);
        if (strtod(txt, NULL) != r->d) txt = sl_arena_printf(a, "%.17g", r->d);
        tn = strlen(txt);
    }
    if (r->k == R_JSON && t->kind != SL_SQLT_CHAR && t->kind != SL_SQLT_VARCHAR) {
        *why = "a JSON object or array converts only to CHAR or VARCHAR";
        return -1;
    }
    switch (t->kind) {
    case SL_SQLT_BOOLEAN: {
        bool v;
        if (r->k == R_BOOL)
            v = r->b;
        else if (r->k == R_INT)
            v = r->i != 0;
        else if (r->k == R_DBL)
            v = r->d != 0;
        else {
            /* KDA: a string is TRUE when it says 'true' (any case), FALSE otherwise */
            size_t n = tn;
            const char *s = trim(txt, &n);
            v = n == 4 && strncasecmp(s, "true", 4) == 0;
        }
        return sqlite3_bind_int(st, ix, v);
    }
    case SL_SQLT_TINYINT:
    case SL_SQLT_SMALLINT:
    case SL_SQLT_INTEGER:
    case SL_SQLT_BIGINT: {
        int64_t v;
        if (r->k == R_BOOL)
            v = r->b;
        else if (r->k == R_INT)
            v = r->i;
        else {
            double d;
            if (r->k == R_DBL)
                d = r->d;
            else if (parse_i64(txt, tn, &v))
                goto ranged;
            else if (!parse_double(txt, tn, &d)) {
                *why = "not a number";
                return -1;
            }
            if (d != floor(d)) {
                *why = "has a fraction";
                return -1;
            }
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
                *why = "out of range";
                return -1;
            }
            v = (int64_t)d;
        }
    ranged:;
        int64_t lo = t->kind == SL_SQLT_TINYINT    ? -128
                     : t->kind == SL_SQLT_SMALLINT ? -32768
                     : t->kind == SL_SQLT_INTEGER  ? INT32_MIN
                                                   : INT64_MIN;
        int64_t hi = t->kind == SL_SQLT_TINYINT    ? 127
                     : t->kind == SL_SQLT_SMALLINT ? 32767
                     : t->kind == SL_SQLT_INTEGER  ? INT32_MAX
                                                   : INT64_MAX;
        if (v < lo || v > hi) {
            *why = "out of range";
            return -1;
        }
        return sqlite3_bind_int64(st, ix, v);
    }
    case SL_SQLT_REAL:
    case SL_SQLT_DOUBLE: {
        double d;
        if (r->k == R_BOOL)
            d = r->b;
        else if (r->k == R_INT)
            d = (double)r->i;
        else if (r->k == R_DBL)
            d = r->d;
        else if (!parse_double(txt, tn, &d)) {
            *why = "not a number";
            return -1;
        }
        if (t->kind == SL_SQLT_REAL) {
            if (isfinite(d) && fabs(d) > 3.4028234663852886e38) {
                *why = "out of range for REAL";
                return -1;
            }
            d = (double)(float)d;
        }
        return sqlite3_bind_double(st, ix, d);
    }
    case SL_SQLT_DECIMAL: {
        char out[64];
        const char *src = txt;
        size_t sn = tn;
        char fixed[64];
        if (r->k == R_BOOL) {
            *why = "a boolean does not convert to DECIMAL";
            return -1;
        }
        /* exponent forms ("1e3") go through a double, formatted with the scale */
        if (memchr(txt, 'e', tn) || memchr(txt, 'E', tn)) {
            double d;
            if (!parse_double(txt, tn, &d) || !isfinite(d) || fabs(d) >= 1e19) {
                *why = "not a decimal number";
                return -1;
            }
            snprintf(fixed, sizeof fixed, "%.*f", t->scale + 1, d);
            src = fixed;
            sn = strlen(fixed);
        }
        if (!decimal_text(src, sn, t->len, t->scale, out)) {
            *why = sl_arena_printf(a, "not a decimal number with at most %d integer digits",
                                   t->len - t->scale);
            return -1;
        }
        return sqlite3_bind_text(st, ix, out, -1, SQLITE_TRANSIENT);
    }
    case SL_SQLT_CHAR:
    case SL_SQLT_VARCHAR:
        return sqlite3_bind_text(st, ix, txt, (int)utf8_prefix(txt, tn, t->len), SQLITE_TRANSIENT);
    case SL_SQLT_BINARY:
    case SL_SQLT_VARBINARY: {
        if (r->k != R_STR) {
            *why = "binary values are written X'hex' or as base64 text";
            return -1;
        }
        size_t n = tn;
        const char *s = trim(txt, &n);
        unsigned char *bytes;
        long blen;
        if (n >= 3 && (s[0] == 'X' || s[0] == 'x') && s[1] == '\'' && s[n - 1] == '\'') {
            size_t hn = n - 3;
            if (hn % 2) {
                *why = "odd number of hex digits";
                return -1;
            }
            bytes = sl_arena_alloc(a, hn / 2 + 1);
            for (size_t i = 0; i < hn / 2; i++) {
                int hi = hexval((unsigned char)s[2 + 2 * i]),
                    lo = hexval((unsigned char)s[3 + 2 * i]);
                if (hi < 0 || lo < 0) {
                    *why = "not hex digits";
                    return -1;
                }
                bytes[i] = (unsigned char)(hi * 16 + lo);
            }
            blen = (long)(hn / 2);
        } else {
            bytes = sl_arena_alloc(a, n * 3 / 4 + 4);
            blen = sl_base64_decode(s, n, bytes);
            if (blen < 0) {
                *why = "not X'hex' or base64";
                return -1;
            }
        }
        if (blen > t->len) {
            *why = sl_arena_printf(a, "%ld bytes is longer than %s(%d)", blen,
                                   sl_sqltype_name(t->kind), t->len);
            return -1;
        }
        return sqlite3_bind_blob(st, ix, bytes, (int)blen, SQLITE_TRANSIENT);
    }
    case SL_SQLT_DATE:
    case SL_SQLT_TIME:
    case SL_SQLT_TIMESTAMP: {
        int64_t v;
        if (r->k != R_STR || !parse_datetime(t->kind, txt, tn, &v)) {
            *why = t->kind == SL_SQLT_DATE   ? "not a date (YYYY-MM-DD)"
                   : t->kind == SL_SQLT_TIME ? "not a time (HH:MM:SS[.fff])"
                                             : "not a timestamp (YYYY-MM-DD HH:MM:SS[.fff])";
            return -1;
        }
        return sqlite3_bind_int64(st, ix, v);
    }
    }
    *why = "unknown type";
    return -1;
}

/* ---- the load plan ------------------------------------------------------------------------ */

/* One step of a JSONPath: a member name, an index, or [0:] (every element). */
typedef enum step_kind { STEP_KEY, STEP_INDEX, STEP_ALL } step_kind_t;

typedef struct step {
    step_kind_t k;
    char *key;
    size_t index;
} step_t;

typedef struct jpath {
    step_t *steps;
    size_t n;
} jpath_t;

/* Per-column decoding state, parsed once per load. */
typedef struct plan_col {
    sl_sqltype_t type;
    jpath_t path;   /* JSON: the whole mapping */
    size_t flat_at; /* JSON: steps before the flattened [0:] when it is flattened, else 0 */
    bool flattened; /* JSON: this column reads from the elements of the flattened array */
} plan_col_t;

typedef struct plan {
    const sl_record_schema_t *schema;
    plan_col_t *cols;
    jpath_t row_path;
    bool rows_flat;  /* the RecordRowPath ends in [0:]: each element is a row */
    size_t flat_col; /* a column with the flattened array prefix (when any) */
    bool any_flat;
    sl_arena_t *a;  /* per-record scratch */
    sl_arena_t *pa; /* plan lifetime */
    const char *what;
    char *err;
} plan_t;

/*
 * Parses "$", "$.a.b", "$.a[2]", "$['a b']", "$.arr[0:]", "$.arr[0:].f" into steps.
 * "[*]" is taken as "[0:]". Returns false on a malformed path.
 */
static bool jpath_parse(sl_arena_t *a, const char *s, jpath_t *out)
{
    out->n = 0;
    out->steps = NULL;
    if (*s++ != '$') return false;
    size_t cap = 0;
    while (*s) {
        step_t st = {STEP_KEY, NULL, 0};
        if (*s == '.') {
            s++;
            const char *b = s;
            while (*s && *s != '.' && *s != '[') s++;
            if (s == b) return false;
            st.key = sl_arena_strndup(a, b, (size_t)(s - b));
        } else if (*s == '[') {
            s++;
            if (*s == '\'' || *s == '"') {
                char q = *s++;
                const char *b = s;
                while (*s && *s != q) s++;
                if (!*s || s[1] != ']') return false;
                st.key = sl_arena_strndup(a, b, (size_t)(s - b));
                s += 2;
            } else if (strncmp(s, "0:]", 3) == 0 || strncmp(s, "*]", 2) == 0) {
                st.k = STEP_ALL;
                s += *s == '*' ? 2 : 3;
            } else if (isdigit((unsigned char)*s)) {
                st.k = STEP_INDEX;
                while (isdigit((unsigned char)*s)) st.index = st.index * 10 + (size_t)(*s++ - '0');
                if (*s++ != ']') return false;
            } else {
                return false;
            }
        } else {
            return false;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            step_t *ns = sl_arena_alloc(a, cap * sizeof *ns);
            if (out->n) memcpy(ns, out->steps, out->n * sizeof *ns);
            out->steps = ns;
        }
        out->steps[out->n++] = st;
    }
    return true;
}

/* Follows steps [from, to) of p from v; NULL when a step finds nothing. STEP_ALL returns the
 * array itself (the caller decides between "whole array as text" and flattening). */
static const sl_val_t *jpath_eval(const sl_val_t *v, const jpath_t *p, size_t from, size_t to)
{
    for (size_t i = from; v && i < to; i++) {
        const step_t *s = &p->steps[i];
        if (s->k == STEP_KEY)
            v = v->type == SL_V_OBJ ? sl_val_get(v, s->key) : NULL;
        else if (s->k == STEP_INDEX)
            v = v->type == SL_V_ARR && s->index < v->u.arr.n ? v->u.arr.items[s->index] : NULL;
        else
            v = v->type == SL_V_ARR ? v : NULL;
    }
    return v;
}

static bool steps_equal(const jpath_t *a, const jpath_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const step_t *x = &a->steps[i], *y = &b->steps[i];
        if (x->k != y->k || x->index != y->index) return false;
        if (x->k == STEP_KEY && strcmp(x->key, y->key) != 0) return false;
    }
    return true;
}

static int plan_fail(plan_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int plan_fail(plan_t *p, const char *fmt, ...)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_printf(&b, "%s: ", p->what);
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    p->err = sl_buf_steal(&b);
    return -1;
}

static int plan_init(plan_t *p, const sl_record_schema_t *s, const char *what)
{
    memset(p, 0, sizeof *p);
    p->schema = s;
    p->what = what;
    p->a = sl_arena_new(0);
    p->pa = sl_arena_new(0);
    if (s->ncols == 0) return plan_fail(p, "the schema has no columns");
    p->cols = SL_ANEWN(p->pa, plan_col_t, s->ncols);
    if (s->format == SL_FORMAT_CSV) {
        const char *rd = s->row_delim && *s->row_delim ? s->row_delim : "\n";
        const char *cd = s->col_delim && *s->col_delim ? s->col_delim : ",";
        if (strcmp(rd, cd) == 0) return plan_fail(p, "row and column delimiters are the same");
    } else {
        const char *rp = s->row_path && *s->row_path ? s->row_path : "$";
        if (!jpath_parse(p->pa, rp, &p->row_path))
            return plan_fail(p, "bad RecordRowPath '%s'", rp);
        for (size_t i = 0; i < p->row_path.n; i++)
            if (p->row_path.steps[i].k == STEP_ALL && i + 1 != p->row_path.n)
                return plan_fail(p, "RecordRowPath '%s': [0:] may only end the path", rp);
        p->rows_flat = p->row_path.n && p->row_path.steps[p->row_path.n - 1].k == STEP_ALL;
    }
    for (size_t i = 0; i < s->ncols; i++) {
        const sl_schema_col_t *c = &s->cols[i];
        plan_col_t *pc = &p->cols[i];
        const char *why;
        if (sl_sqltype_parse(c->sql_type ? c->sql_type : "", &pc->type, &why) < 0)
            return plan_fail(p, "column %s: %s: '%s'", c->name, why,
                             c->sql_type ? c->sql_type : "");
        if (s->format != SL_FORMAT_JSON) continue;
        const char *m =
            c->mapping && *c->mapping ? c->mapping : sl_arena_printf(p->pa, "$.%s", c->name);
        if (!jpath_parse(p->pa, m, &pc->path))
            return plan_fail(p, "column %s: bad JSONPath mapping '%s'", c->name, m);
        size_t nall = 0;
        for (size_t k = 0; k < pc->path.n; k++) {
            if (pc->path.steps[k].k != STEP_ALL) continue;
            nall++;
            if (k + 1 < pc->path.n) {
                pc->flattened = true;
                pc->flat_at = k;
            }
        }
        if (nall > 1)
            return plan_fail(p, "column %s: only one [0:] per mapping is supported ('%s')", c->name,
                             m);
        if (pc->flattened) {
            if (p->any_flat) {
                const plan_col_t *o = &p->cols[p->flat_col];
                if (o->flat_at != pc->flat_at || !steps_equal(&o->path, &pc->path, pc->flat_at + 1))
                    return plan_fail(p,
                                     "column %s: only one array may be flattened per schema ('%s')",
                                     c->name, m);
            } else {
                p->any_flat = true;
                p->flat_col = i;
            }
        }
    }
    return 0;
}

static void plan_free(plan_t *p)
{
    sl_arena_free(p->a);
    sl_arena_free(p->pa);
}

/* The error for column ci of record recno; *why is the reason, txt/n the value. */
static int cell_fail(plan_t *p, int64_t recno, size_t ci, const raw_t *r, const char *why)
{
    const sl_schema_col_t *c = &p->schema->cols[ci];
    if (r->k == R_STR || r->k == R_JSON) {
        int n = r->n > 60 ? 60 : (int)r->n;
        return plan_fail(p, "record %lld, column %s (%s): cannot convert '%.*s%s': %s",
                         (long long)recno, c->name, c->sql_type, n, r->s, r->n > 60 ? "..." : "",
                         why);
    }
    return plan_fail(p, "record %lld, column %s (%s): cannot convert a %s: %s", (long long)recno,
                     c->name, c->sql_type, r->k == R_BOOL ? "boolean" : "number", why);
}

/* Binds a whole row and inserts it. */
static int insert_row(plan_t *p, sqlite3 *db, sqlite3_stmt *st, int64_t recno, const raw_t *cells,
                      int64_t *rows)
{
    for (size_t i = 0; i < p->schema->ncols; i++) {
        const char *why = "cannot bind";
        if (bind_cell(st, (int)i + 1, &p->cols[i].type, &cells[i], p->a, &why) != 0)
            return cell_fail(p, recno, i, &cells[i], why);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return plan_fail(p, "record %lld: insert failed: %s", (long long)recno, sqlite3_errmsg(db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    (*rows)++;
    return 0;
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static bool at(const char *s, const char *end, const char *delim, size_t dl)
{
    return (size_t)(end - s) >= dl && memcmp(s, delim, dl) == 0;
}

/*
 * Splits data into records and fields. A field starting with '"' is quoted: delimiters
 * inside it are text and "" is one quote; after the closing quote comes a delimiter or the
 * end. With the "\n" row delimiter a '\r' ending a record is dropped (CRLF files). Blank
 * records are skipped but counted, so record numbers are line numbers.
 */
static int load_csv(plan_t *p, sqlite3 *db, sqlite3_stmt *st, const char *data, size_t len,
                    int64_t *rows)
{
    const sl_record_schema_t *s = p->schema;
    const char *rd = s->row_delim && *s->row_delim ? s->row_delim : "\n";
    const char *cd = s->col_delim && *s->col_delim ? s->col_delim : ",";
    size_t rdl = strlen(rd), cdl = strlen(cd);
    bool crlf = strcmp(rd, "\n") == 0;
    const char *q = data, *end = data + len;
    raw_t *cells = SL_ANEWN(p->pa, raw_t, s->ncols);
    sl_buf_t field = SL_BUF_INIT;
    int64_t recno = 0;
    int rc = 0;
    while (q < end && rc == 0) {
        recno++;
        sl_arena_reset(p->a);
        size_t nf = 0;
        bool blank = true;
        for (;;) { /* one field per turn */
            bool quoted = false;
            sl_buf_reset(&field);
            if (q < end && *q == '"') {
                quoted = true;
                blank = false;
                q++;
                for (;;) {
                    if (q >= end) {
                        rc = plan_fail(p, "record %lld: unterminated quoted field",
                                       (long long)recno);
                        break;
                    }
                    if (*q == '"') {
                        if (q + 1 < end && q[1] == '"') {
                            sl_buf_putc(&field, '"');
                            q += 2;
                            continue;
                        }
                        q++;
                        break;
                    }
                    sl_buf_putc(&field, *q++);
                }
                if (rc) break;
                if (crlf && q < end && *q == '\r' && (q + 1 == end || q[1] == '\n')) q++;
                if (q < end && !at(q, end, cd, cdl) && !at(q, end, rd, rdl)) {
                    rc = plan_fail(p, "record %lld: unexpected text after a closing quote",
                                   (long long)recno);
                    break;
                }
            } else {
                const char *b = q;
                while (q < end && !at(q, end, cd, cdl) && !at(q, end, rd, rdl)) q++;
                size_t n = (size_t)(q - b);
                if (crlf && n && b[n - 1] == '\r' && (q == end || at(q, end, rd, rdl))) n--;
                sl_buf_append(&field, b, n);
                if (n) blank = false;
            }
            if (nf < s->ncols) {
                raw_t *r = &cells[nf];
                sl_sqltype_kind_t k = p->cols[nf].type.kind;
                bool text = k == SL_SQLT_CHAR || k == SL_SQLT_VARCHAR;
                if (!quoted && field.len == 0 && !text) {
                    r->k = R_NULL;
                } else {
                    r->k = R_STR;
                    r->s = sl_arena_strndup(p->a, field.p ? field.p : "", field.len);
                    r->n = field.len;
                }
            }
            nf++;
            if (q < end && at(q, end, cd, cdl)) {
                q += cdl;
                blank = false;
                continue;
            }
            if (q < end) q += rdl; /* the row delimiter */
            break;
        }
        if (rc || blank) continue;
        for (size_t i = nf; i < s->ncols; i++) cells[i].k = R_NULL; /* short record: NULLs */
        rc = insert_row(p, db, st, recno, cells, rows);
    }
    sl_buf_free(&field);
    return rc;
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* The cell for value v (NULL: missing). Arrays and objects become their JSON text. */
static void raw_from_val(plan_t *p, const sl_val_t *v, raw_t *r)
{
    memset(r, 0, sizeof *r);
    if (!v || v->type == SL_V_NULL) return;
    switch (v->type) {
    case SL_V_BOOL:
        r->k = R_BOOL, r->b = v->u.b;
        return;
    case SL_V_NUM:
        if (v->u.num.is_int)
            r->k = R_INT, r->i = v->u.num.i;
        else
            r->k = R_DBL, r->d = v->u.num.d;
        return;
    case SL_V_STR:
    case SL_V_BYTES:
        r->k = R_STR, r->s = v->u.str.p, r->n = v->u.str.len;
        return;
    case SL_V_TIME:
        r->k = R_INT, r->i = v->u.ms;
        return;
    default:
        break;
    }
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &b);
    sl_enc_val(&e, v);
    r->k = R_JSON;
    r->s = sl_arena_strndup(p->a, b.p, b.len);
    r->n = b.len;
    sl_buf_free(&b);
}

/* Inserts the rows of one row value (after RecordRowPath): one, or one per element of the
 * flattened array (an empty or missing array gives one row with those columns NULL). */
static int json_row(plan_t *p, sqlite3 *db, sqlite3_stmt *st, int64_t recno, const sl_val_t *row,
                    raw_t *cells, int64_t *rows)
{
    const sl_record_schema_t *s = p->schema;
    const sl_val_t *arr = NULL;
    size_t nel = 1;
    if (p->any_flat) {
        const plan_col_t *fc = &p->cols[p->flat_col];
        arr = jpath_eval(row, &fc->path, 0, fc->flat_at + 1);
        if (arr && arr->type == SL_V_ARR && arr->u.arr.n)
            nel = arr->u.arr.n;
        else
            arr = NULL;
    }
    for (size_t e = 0; e < nel; e++) {
        for (size_t i = 0; i < s->ncols; i++) {
            const plan_col_t *pc = &p->cols[i];
            const sl_val_t *v;
            if (pc->flattened)
                v = arr ? jpath_eval(arr->u.arr.items[e], &pc->path, pc->flat_at + 1, pc->path.n)
                        : NULL;
            else
                v = jpath_eval(row, &pc->path, 0, pc->path.n);
            raw_from_val(p, v, &cells[i]);
        }
        if (insert_row(p, db, st, recno, cells, rows) < 0) return -1;
    }
    return 0;
}

/* Applies RecordRowPath to one document and inserts its rows. */
static int json_doc(plan_t *p, sqlite3 *db, sqlite3_stmt *st, int64_t recno, const sl_val_t *doc,
                    raw_t *cells, int64_t *rows)
{
    const sl_val_t *v = jpath_eval(doc, &p->row_path, 0, p->row_path.n);
    if (!v)
        return plan_fail(p, "record %lld: RecordRowPath '%s' finds nothing", (long long)recno,
                         p->schema->row_path);
    if (p->rows_flat) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            if (json_row(p, db, st, recno, v->u.arr.items[i], cells, rows) < 0) return -1;
        return 0;
    }
    if (v->type != SL_V_OBJ)
        return plan_fail(p, "record %lld: expected a JSON object, got %s", (long long)recno,
                         sl_vtype_name(v->type));
    return json_row(p, db, st, recno, v, cells, rows);
}

/*
 * A JSON object is either the whole text (one document, or a top-level array whose elements
 * are the records) or one document per line. Whole-text parsing is tried first; a text of
 * several lines fails it at the second document and is then read line by line.
 */
static int load_json(plan_t *p, sqlite3 *db, sqlite3_stmt *st, const char *data, size_t len,
                     int64_t *rows)
{
    raw_t *cells = SL_ANEWN(p->pa, raw_t, p->schema->ncols);
    const char *perr;
    size_t n = len;
    const char *t = trim(data, &n);
    if (n == 0) return 0;
    sl_arena_t *whole = sl_arena_new(0);
    const sl_val_t *root = sl_json_parse(whole, t, n, &perr);
    int rc = 0;
    if (root) {
        if (root->type == SL_V_ARR) {
            for (size_t i = 0; i < root->u.arr.n && rc == 0; i++) {
                sl_arena_reset(p->a);
                rc = json_doc(p, db, st, (int64_t)i + 1, root->u.arr.items[i], cells, rows);
            }
        } else {
            rc = json_doc(p, db, st, 1, root, cells, rows);
        }
        sl_arena_free(whole);
        return rc;
    }
    sl_arena_free(whole);
    const char *q = data, *end = data + len;
    for (int64_t line = 1; q < end && rc == 0; line++) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        size_t ln = (size_t)(le - q);
        const char *l = trim(q, &ln);
        q = nl ? nl + 1 : end;
        if (!ln) continue;
        sl_arena_reset(p->a);
        const sl_val_t *doc = sl_json_parse(p->a, l, ln, &perr);
        if (!doc) {
            rc = plan_fail(p, "record %lld: not valid JSON: %s", (long long)line, perr);
            break;
        }
        rc = json_doc(p, db, st, line, doc, cells, rows);
    }
    return rc;
}

/* ---- the load ----------------------------------------------------------------------------- */

static void quote_ident(sl_buf_t *b, const char *name)
{
    sl_buf_putc(b, '"');
    for (const char *s = name; *s; s++) {
        if (*s == '"') sl_buf_putc(b, '"');
        sl_buf_putc(b, *s);
    }
    sl_buf_putc(b, '"');
}

static int exec_sql(plan_t *p, sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    plan_fail(p, "SQLite: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

int sl_refdata_load_bytes(sqlite3 *db, const char *table, const char *what, const char *data,
                          size_t len, const sl_record_schema_t *schema, sl_refdata_stats_t *stats,
                          char **err)
{
    int64_t t0 = sl_clock_mono_ns();
    plan_t p;
    if (plan_init(&p, schema, what) < 0) {
        *err = p.err;
        plan_free(&p);
        return -1;
    }
    if ((int64_t)len > SL_REFDATA_MAX_BYTES) {
        plan_fail(&p, "%zu bytes is over the 1 GiB limit of a reference data source", len);
        *err = p.err;
        plan_free(&p);
        return -1;
    }
    sl_buf_t sql = SL_BUF_INIT;
    int64_t rows = 0;
    sqlite3_stmt *st = NULL;
    int rc = exec_sql(&p, db, "SAVEPOINT sl_refdata");
    if (rc == 0) {
        sl_buf_puts(&sql, "DROP TABLE IF EXISTS ");
        quote_ident(&sql, table);
        sl_buf_puts(&sql, "; CREATE TABLE ");
        quote_ident(&sql, table);
        sl_buf_putc(&sql, '(');
        for (size_t i = 0; i < schema->ncols; i++) {
            if (i) sl_buf_puts(&sql, ", ");
            quote_ident(&sql, schema->cols[i].name);
            sl_buf_printf(&sql, " %s", sl_sqltype_affinity(p.cols[i].type.kind));
        }
        sl_buf_puts(&sql, ")");
        rc = exec_sql(&p, db, sql.p);
    }
    if (rc == 0) {
        sl_buf_reset(&sql);
        sl_buf_puts(&sql, "INSERT INTO ");
        quote_ident(&sql, table);
        sl_buf_puts(&sql, " VALUES (");
        for (size_t i = 0; i < schema->ncols; i++) sl_buf_puts(&sql, i ? ", ?" : "?");
        sl_buf_puts(&sql, ")");
        if (sqlite3_prepare_v2(db, sql.p, -1, &st, NULL) != SQLITE_OK)
            rc = plan_fail(&p, "SQLite: %s", sqlite3_errmsg(db));
    }
    if (rc == 0)
        rc = schema->format == SL_FORMAT_CSV ? load_csv(&p, db, st, data, len, &rows)
                                             : load_json(&p, db, st, data, len, &rows);
    sqlite3_finalize(st);
    if (rc == 0) {
        rc = exec_sql(&p, db, "RELEASE sl_refdata");
    } else {
        /* keep the first error; undo everything since the savepoint (the old table returns) */
        sqlite3_exec(db, "ROLLBACK TO sl_refdata; RELEASE sl_refdata", NULL, NULL, NULL);
    }
    sl_buf_free(&sql);
    if (stats) {
        stats->rows = rc == 0 ? rows : 0;
        stats->bytes = (int64_t)len;
        stats->ms = (sl_clock_mono_ns() - t0) / 1000000;
    }
    if (rc)
        *err = p.err;
    else
        sl_free(p.err);
    plan_free(&p);
    return rc ? -1 : 0;
}

int sl_refdata_load(sqlite3 *db, const char *table, const char *source,
                    const sl_record_schema_t *schema, sl_refdata_stats_t *stats, char **err)
{
    int64_t t0 = sl_clock_mono_ns();
    sl_buf_t data = SL_BUF_INIT;
    if (sl_refdata_fetch(source, &data, err) < 0) {
        sl_buf_free(&data);
        return -1;
    }
    int rc = sl_refdata_load_bytes(db, table, source, data.p, data.len, schema, stats, err);
    if (stats) stats->ms = (sl_clock_mono_ns() - t0) / 1000000;
    sl_buf_free(&data);
    return rc;
}
