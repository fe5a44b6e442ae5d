/*
 * curl_lazy.h - libcurl, loaded the first time it is used.
 *
 * libcurl drags some thirty shared libraries into a process (TLS, HTTP/2, LDAP, SSH,
 * Kerberos, ...); loading them costs every `sluice` command milliseconds, although most runs
 * (`check`, `run --replay`, `serve` without HTTP outputs) never make an HTTP request. The
 * code that does (ingest/kclient.c, ingest/refdata.c, runtime/sink/sink_deliver.c) includes
 * this header instead of <curl/curl.h>: the curl_* calls it makes become calls through a
 * table that dlopen()s libcurl.so.4 and runs curl_global_init() once, on the first
 * curl_easy_init(). The headers and the library are the same Debian package
 * (libcurl4-openssl-dev / libcurl4), so the table's types are curl's own.
 *
 * When the library cannot be loaded, curl_easy_init() returns NULL after printing the
 * loader's message once to stderr; callers already treat a NULL handle as a failure.
 * Thread-safe: the table is set up under pthread_once.
 */
#ifndef SL_CURL_LAZY_H
#define SL_CURL_LAZY_H

#include <curl/curl.h>

/* The libcurl functions sluice calls. */
typedef struct sl_curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} sl_curl_api_t;

/* The table (libcurl loaded and initialised on first use; functions that fail harmlessly
 * when it could not be). Never NULL. */
const sl_curl_api_t *sl_curl(void);

/* The calls, routed through the table (curl.h may define some of them as type-checking
 * macros: those are replaced). curl_global_init is done by sl_curl() itself. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
static inline CURLcode sl_curl_global_init(long flags)
{
    (void)flags;
    (void)sl_curl();
    return CURLE_OK;
}
#define curl_global_init(flags) sl_curl_global_init(flags)
#define curl_easy_init() (sl_curl()->easy_init())
#define curl_easy_setopt(h, opt, ...) (sl_curl()->easy_setopt((h), (opt), __VA_ARGS__))
#define curl_easy_perform(h) (sl_curl()->easy_perform(h))
#define curl_easy_getinfo(h, info, ...) (sl_curl()->easy_getinfo((h), (info), __VA_ARGS__))
#define curl_easy_cleanup(h) (sl_curl()->easy_cleanup(h))
#define curl_easy_strerror(rc) (sl_curl()->easy_strerror(rc))
#define curl_slist_append(l, s) (sl_curl()->slist_append((l), (s)))
#define curl_slist_free_all(l) (sl_curl()->slist_free_all(l))

#endif
