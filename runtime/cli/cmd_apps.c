/*
 * cmd_apps.c - `sluice apps`: the daemon's applications (ListApplications, every page), one
 * line each: NAME STATUS.
 */
#include "appclient.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

/* One line of the listing: NAME STATUS. */
static void print_app(void *ctx, const char *name, const char *status)
{
    printf("%-32s %s\n", name ? name : "?", status ? status : "?");
}

int sl_cmd_apps(int argc, char **argv)
{
    const char *name, *endpoint;
    int rc = sl_appclient_args(argc, argv, false, "apps [--endpoint URL]", &name, &endpoint);
    if (rc >= 0) return rc;
    return sl_appclient_list("apps", endpoint, print_app, NULL);
}
