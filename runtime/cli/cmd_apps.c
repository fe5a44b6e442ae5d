/*
 * cmd_apps.c - `sluice apps`: the daemon's applications (ListApplications, every page), one
 * line each: NAME STATUS.
 */
#include "appclient.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

int sl_cmd_apps(int argc, char **argv)
{
    const char *name, *endpoint;
    int rc = sl_appclient_args(argc, argv, false, "apps [--endpoint URL]", &name, &endpoint);
    if (rc >= 0) return rc;
    sl_arena_t *a = sl_arena_new(0);
    sl_buf_t body = SL_BUF_INIT;
    const char *after = NULL;
    for (;;) {
        sl_buf_reset(&body);
        sl_buf_puts(&body, "{\"Limit\":50");
        if (after) {
            sl_buf_puts(&body, ",\"ExclusiveStartApplicationName\":");
            sl_json_quote(&body, after, strlen(after));
        }
        sl_buf_putc(&body, '}');
        sl_val_t *out;
        if ((rc = sl_appclient_call("apps", endpoint, "ListApplications", body.p, a, &out)))
            break;
        const sl_val_t *l = sl_val_get(out, "ApplicationSummaries");
        for (size_t i = 0; l && l->type == SL_V_ARR && i < l->u.arr.n; i++) {
            after = sl_val_get_str(l->u.arr.items[i], "ApplicationName", NULL);
            printf("%-32s %s\n", after ? after : "?",
                   sl_val_get_str(l->u.arr.items[i], "ApplicationStatus", NULL));
        }
        bool more = false;
        if (!sl_val_get_bool(out, "HasMoreApplications", &more) || !more || !after) break;
    }
    sl_buf_free(&body);
    sl_arena_free(a);
    return rc;
}
