/*
 * cmd_stop.c - `sluice stop NAME`: StopApplication (the runner checkpoints where it stopped,
 * so a later start from LAST_STOPPED_POINT goes on from there).
 */
#include "appclient.h"
#include "commands.h"

#include <stdio.h>

int sl_cmd_stop(int argc, char **argv)
{
    const char *name, *endpoint;
    int rc = sl_appclient_args(argc, argv, true, "stop NAME [--endpoint URL]", &name, &endpoint);
    if (rc >= 0) return rc;
    sl_arena_t *a = sl_arena_new(0);
    sl_val_t *out;
    rc = sl_appclient_call_name("stop", endpoint, "StopApplication", name, a, &out);
    if (!rc) printf("%s: READY\n", name);
    sl_arena_free(a);
    return rc;
}
