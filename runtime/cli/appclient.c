/*
 * appclient.c - one call to a daemon's Kinesis Analytics API; see appclient.h.
 */
#include "appclient.h"

#include "analytics_api.h"
#include "kclient.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int sl_appclient_call(const char *cmd, const char *endpoint, const char *op, const char *body,
                      sl_arena_t *a, sl_val_t **out)
{
    sl_kclient_t *kc = sl_kclient_new(endpoint);
    sl_kclient_set_target(kc, SL_ANALYTICS_TARGET_PREFIX);
    const char *etype = NULL, *emsg = NULL;
    int rc = sl_kclient_call(kc, op, body, strlen(body), a, out, &etype, &emsg);
    sl_kclient_free(kc);
    if (rc == 0) return 0;
    if (rc > 0) fprintf(stderr, "sluice %s: %s: %s\n", cmd, etype, emsg);
    else fprintf(stderr, "sluice %s: %s\n", cmd, emsg);
    return 1;
}

int sl_appclient_args(int argc, char **argv, bool need_name, const char *usage,
                      const char **name, const char **endpoint)
{
    static const struct option opts[] = {{"endpoint", required_argument, 0, 'e'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    *endpoint = SL_APPCLIENT_ENDPOINT;
    *name = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': *endpoint = optarg; break;
        case 'h': printf("usage: sluice %s\n", usage); return 0;
        default: fprintf(stderr, "usage: sluice %s\n", usage); return 2;
        }
    }
    if (argc - optind != (need_name ? 1 : 0)) {
        fprintf(stderr, "usage: sluice %s\n", usage);
        return 2;
    }
    if (need_name) *name = argv[optind];
    return -1;
}

int sl_appclient_list(const char *cmd, const char *endpoint,
                      void (*each)(void *ctx, const char *name, const char *status), void *ctx)
{
    sl_arena_t *a = sl_arena_new(0);
    sl_buf_t body = SL_BUF_INIT;
    const char *after = NULL; /* the last name listed: where the next page starts */
    int rc;
    for (;;) {
        sl_buf_reset(&body);
        sl_buf_puts(&body, "{\"Limit\":50");
        if (after) {
            sl_buf_puts(&body, ",\"ExclusiveStartApplicationName\":");
            sl_json_quote(&body, after, strlen(after));
        }
        sl_buf_putc(&body, '}');
        sl_val_t *out;
        if ((rc = sl_appclient_call(cmd, endpoint, "ListApplications", body.p, a, &out))) break;
        const sl_val_t *l = sl_val_get(out, "ApplicationSummaries");
        for (size_t i = 0; l && l->type == SL_V_ARR && i < l->u.arr.n; i++) {
            after = sl_val_get_str(l->u.arr.items[i], "ApplicationName", NULL);
            each(ctx, after, sl_val_get_str(l->u.arr.items[i], "ApplicationStatus", NULL));
        }
        bool more = false;
        if (!sl_val_get_bool(out, "HasMoreApplications", &more) || !more || !after) break;
    }
    sl_buf_free(&body);
    sl_arena_free(a);
    return rc;
}

int sl_appclient_call_name(const char *cmd, const char *endpoint, const char *op,
                           const char *name, sl_arena_t *a, sl_val_t **out)
{
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "{\"ApplicationName\":");
    sl_json_quote(&body, name, strlen(name));
    sl_buf_putc(&body, '}');
    int rc = sl_appclient_call(cmd, endpoint, op, body.p, a, out);
    sl_buf_free(&body);
    return rc;
}
