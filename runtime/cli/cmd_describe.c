/*
 * cmd_describe.c - `sluice describe NAME`: DescribeApplication's ApplicationDetail as JSON.
 */
#include "appclient.h"
#include "commands.h"

#include <stdio.h>

int sl_cmd_describe(int argc, char **argv)
{
    const char *name, *endpoint;
    int rc = sl_appclient_args(argc, argv, true, "describe NAME [--endpoint URL]", &name,
                               &endpoint);
    if (rc >= 0) return rc;
    sl_arena_t *a = sl_arena_new(0);
    sl_buf_t body = SL_BUF_INIT;
    sl_appclient_name_body(&body, name);
    sl_val_t *out;
    rc = sl_appclient_call("describe", endpoint, "DescribeApplication", body.p, a, &out);
    if (!rc) {
        sl_buf_reset(&body);
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, &body);
        sl_enc_val(&e, sl_val_get(out, "ApplicationDetail"));
        printf("%s\n", body.p);
    }
    sl_buf_free(&body);
    sl_arena_free(a);
    return rc;
}
