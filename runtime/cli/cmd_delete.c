/*
 * cmd_delete.c - `sluice delete NAME`: DeleteApplication, with the CreateTimestamp the API
 * requires read first from DescribeApplication.
 */
#include "appclient.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

int sl_cmd_delete(int argc, char **argv)
{
    const char *name, *endpoint;
    int rc = sl_appclient_args(argc, argv, true, "delete NAME [--endpoint URL]", &name,
                               &endpoint);
    if (rc >= 0) return rc;
    sl_arena_t *a = sl_arena_new(0);
    sl_val_t *out;
    rc = sl_appclient_call_name("delete", endpoint, "DescribeApplication", name, a, &out);
    const sl_val_t *ts = rc ? NULL : sl_val_get(sl_val_get(out, "ApplicationDetail"),
                                                 "CreateTimestamp");
    if (!rc && !ts) {
        fprintf(stderr, "sluice delete: %s: no CreateTimestamp in the description\n", name);
        rc = 1;
    }
    sl_buf_t body = SL_BUF_INIT;
    if (!rc) {
        sl_buf_puts(&body, "{\"ApplicationName\":");
        sl_json_quote(&body, name, strlen(name));
        sl_buf_puts(&body, ",\"CreateTimestamp\":");
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, &body);
        sl_enc_val(&e, ts);
        sl_buf_putc(&body, '}');
        rc = sl_appclient_call("delete", endpoint, "DeleteApplication", body.p, a, &out);
        if (!rc) printf("%s: deleted\n", name);
    }
    sl_buf_free(&body);
    sl_arena_free(a);
    return rc;
}
