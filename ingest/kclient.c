/*
 * kclient.c - Kinesis JSON client over libcurl; see kclient.h.
 */
#include "kclient.h"

#include "alloc.h"

#include "curl_lazy.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

struct sl_kclient {
    CURL *curl;
    char *url;
    char *prefix; /* X-Amz-Target prefix, NULL for "Kinesis_20131202." */
    long timeout_ms; /* per call */
    sl_buf_t resp;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sl_buf_append(ud, p, size * n);
    return size * n;
}

sl_kclient_t *sl_kclient_new(const char *endpoint)
{
    pthread_once(&curl_once, curl_init_once);
    sl_kclient_t *kc = SL_NEW(sl_kclient_t);
    kc->curl = curl_easy_init();
    if (!kc->curl) sl_oom(0);
    size_t n = strlen(endpoint);
    kc->url = sl_asprintf("%s%s", endpoint, n && endpoint[n - 1] == '/' ? "" : "/");
    kc->timeout_ms = 60000;
    return kc;
}

void sl_kclient_set_target(sl_kclient_t *kc, const char *prefix)
{
    sl_free(kc->prefix);
    kc->prefix = sl_strdup(prefix);
}

void sl_kclient_set_timeout(sl_kclient_t *kc, long timeout_ms) { kc->timeout_ms = timeout_ms; }

void sl_kclient_free(sl_kclient_t *kc)
{
    if (!kc) return;
    sl_free(kc->prefix);
    curl_easy_cleanup(kc->curl);
    sl_free(kc->url);
    sl_buf_free(&kc->resp);
    sl_free(kc);
}

int sl_kclient_call(sl_kclient_t *kc, const char *op, const char *body, size_t len,
                    sl_arena_t *a, sl_val_t **out, const char **err_type, const char **err_msg)
{
    *out = NULL;
    *err_type = NULL;
    *err_msg = NULL;
    char target[128], date[32], auth[256];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(target, sizeof target, "X-Amz-Target: %s%s",
             kc->prefix ? kc->prefix : "Kinesis_20131202.", op);
    char day[16];
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(auth, sizeof auth,
             "Authorization: AWS4-HMAC-SHA256 Credential=sluice/%s/us-east-1/kinesis/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
             day);
    char xdate[48];
    snprintf(xdate, sizeof xdate, "X-Amz-Date: %s", date);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
    h = curl_slist_append(h, target);
    h = curl_slist_append(h, xdate);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Expect:");
    sl_buf_reset(&kc->resp);
    curl_easy_setopt(kc->curl, CURLOPT_URL, kc->url);
    curl_easy_setopt(kc->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(kc->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(kc->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(kc->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(kc->curl, CURLOPT_WRITEDATA, &kc->resp);
    curl_easy_setopt(kc->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(kc->curl, CURLOPT_TIMEOUT_MS, kc->timeout_ms);
    CURLcode rc = curl_easy_perform(kc->curl);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) {
        *err_msg = sl_arena_printf(a, "cannot reach %s: %s", kc->url, curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(kc->curl, CURLINFO_RESPONSE_CODE, &status);
    const char *perr = NULL;
    sl_val_t *v = kc->resp.len ? sl_json_parse(a, kc->resp.p, kc->resp.len, &perr) : NULL;
    if (status == 200) {
        if (!v && kc->resp.len) {
            *err_msg = sl_arena_printf(a, "bad JSON from %s: %s", kc->url, perr);
            return -1;
        }
        *out = v;
        return 0;
    }
    const char *type = v ? sl_val_get_str(v, "__type", NULL) : NULL;
    const char *msg = v ? sl_val_get_str(v, "message", NULL) : NULL;
    if (!msg && v) msg = sl_val_get_str(v, "Message", NULL);
    if (type && strchr(type, '#')) type = strchr(type, '#') + 1;
    *err_type = type ? type : sl_arena_printf(a, "HTTP %ld", status);
    *err_msg = msg ? msg : sl_arena_strndup(a, kc->resp.p ? kc->resp.p : "", kc->resp.len);
    return 1;
}
