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
    sl_val_t *out;
    rc = sl_appclient_call_name("describe", endpoint, "DescribeApplication", name, a, &out);
    if (!rc) {
        sl_buf_t json = SL_BUF_INIT;
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, &json);
        sl_enc_val(&e, sl_val_get(out, "ApplicationDetail"));
        printf("%s\n", json.p);
        sl_buf_free(&json);
    }
    sl_arena_free(a);
    return rc;
}
