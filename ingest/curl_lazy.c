/*
 * curl_lazy.c - loading libcurl on first use; see curl_lazy.h.
 */
#include "curl_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* Stand-ins used when libcurl could not be loaded: no handle, every call fails. */
static CURL *none_init(void) { return NULL; }
static CURLcode none_setopt(CURL *h, CURLoption opt, ...) { return CURLE_FAILED_INIT; }
static CURLcode none_perform(CURL *h) { return CURLE_FAILED_INIT; }
static CURLcode none_getinfo(CURL *h, CURLINFO info, ...) { return CURLE_FAILED_INIT; }
static void none_cleanup(CURL *h) {}
static const char *none_strerror(CURLcode rc) { return "libcurl is not available"; }
static struct curl_slist *none_append(struct curl_slist *l, const char *s) { return l; }
static void none_free_all(struct curl_slist *l) {}

static sl_curl_api_t api = {none_init,    none_setopt,   none_perform, none_getinfo,
                            none_cleanup, none_strerror, none_append,  none_free_all};
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Loads libcurl and fills the table, or leaves the stand-ins and says why (once). The
 * library stays loaded for the life of the process. */
static void load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "sluice: cannot load libcurl: %s\n", dlerror());
        return;
    }
    sl_curl_api_t t;
    CURLcode (*global_init)(long) = (CURLcode(*)(long))dlsym(h, "curl_global_init");
    t.easy_init = (CURL * (*)(void)) dlsym(h, "curl_easy_init");
    t.easy_setopt = (CURLcode(*)(CURL *, CURLoption, ...))dlsym(h, "curl_easy_setopt");
    t.easy_perform = (CURLcode(*)(CURL *))dlsym(h, "curl_easy_perform");
    t.easy_getinfo = (CURLcode(*)(CURL *, CURLINFO, ...))dlsym(h, "curl_easy_getinfo");
    t.easy_cleanup = (void (*)(CURL *))dlsym(h, "curl_easy_cleanup");
    t.easy_strerror = (const char *(*)(CURLcode))dlsym(h, "curl_easy_strerror");
    t.slist_append = (struct curl_slist * (*)(struct curl_slist *, const char *)) dlsym(h, "curl_slist_append");
    t.slist_free_all = (void (*)(struct curl_slist *))dlsym(h, "curl_slist_free_all");
    if (!global_init || !t.easy_init || !t.easy_setopt || !t.easy_perform || !t.easy_getinfo ||
        !t.easy_cleanup || !t.easy_strerror || !t.slist_append || !t.slist_free_all) {
        fprintf(stderr, "sluice: libcurl.so.4 lacks a function sluice needs\n");
        return;
    }
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "sluice: curl_global_init failed\n");
        return;
    }
    api = t;
}

/* See curl_lazy.h. */
const sl_curl_api_t *sl_curl(void)
{
    pthread_once(&once, load);
    return &api;
}
