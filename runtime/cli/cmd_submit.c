/*
 * cmd_submit.c - `sluice submit FILE.sql|APP.json`: create an application on a daemon and
 * start it.
 *
 *     read FILE
 *       .json  sl_app_desc_from_json (a KDA CreateApplication request)
 *       .sql   sl_parse + sl_app_desc_from_sql (CREATE INPUT / OUTPUT / REFERENCE TABLE
 *              become Inputs / Outputs / ReferenceDataSources); SQL errors printed here
 *     --name overrides ApplicationName (default: the file name without its extension)
 *     CreateApplication(sl_app_desc_to_json)       the daemon validates code and streams
 *     DescribeApplication -> the input ids
 *     StartApplication(InputConfigurations: --start, else each input's own position)
 */
#include "alloc.h"
#include "appclient.h"
#include "appdesc.h"
#include "buf.h"
#include "commands.h"
#include "parser.h"
#include "sqlapp.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void submit_usage(FILE *f)
{
    fprintf(f, "usage: sluice submit FILE.sql|APP.json [--name N] "
               "[--start trim_horizon|now|last_stopped_point] [--endpoint URL]\n"
               "Creates the application on the daemon (CreateApplication) and starts it.\n");
}

/* The default application name: the file's base name without its extension, with
 * characters outside [a-zA-Z0-9_.-] replaced by '_'. */
static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = sl_strdup(base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name) *dot = 0;
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            *p = '_';
    return name;
}

/* Reads FILE into *d; prints the problem and returns 1 on error. */
static int load(const char *path, sl_app_desc_t *d)
{
    sl_buf_t text = SL_BUF_INIT;
    if (sl_buf_read_file(&text, path) < 0) {
        fprintf(stderr, "sluice submit: %s: %s\n", path, strerror(errno));
        sl_buf_free(&text);
        return 1;
    }
    size_t pl = strlen(path);
    int rc = 0;
    if (pl > 5 && !strcasecmp(path + pl - 5, ".json")) {
        char *err = NULL;
        if (sl_app_desc_from_json(text.p, text.len, d, &err) < 0) {
            fprintf(stderr, "sluice submit: %s: %s\n", path, err);
            sl_free(err);
            rc = 1;
        }
    } else {
        sl_diag_t diags = SL_DIAG_INIT;
        sl_ast_t *script = sl_parse(path, text.p, text.len, &diags);
        char *name = default_name(path);
        if (!diags.count) sl_app_desc_from_sql(script, name, text.p, d, &diags);
        sl_free(name);
        if (diags.count) {
            sl_buf_t out = SL_BUF_INIT;
            sl_diag_render(&diags, path, text.p, text.len, &out);
            fputs(out.p, stderr);
            sl_buf_free(&out);
            rc = 1;
        }
        sl_diag_free(&diags);
        sl_ast_free(script);
    }
    sl_buf_free(&text);
    return rc;
}

static const char *start_option(const char *s)
{
    if (!strcasecmp(s, "trim_horizon")) return "TRIM_HORIZON";
    if (!strcasecmp(s, "now")) return "NOW";
    if (!strcasecmp(s, "last_stopped_point")) return "LAST_STOPPED_POINT";
    return NULL;
}

int sl_cmd_submit(int argc, char **argv)
{
    const char *endpoint = SL_APPCLIENT_ENDPOINT, *name = NULL, *start = NULL;
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'}, {"name", required_argument, 0, 'n'},
        {"start", required_argument, 0, 's'},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:n:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': endpoint = optarg; break;
        case 'n': name = optarg; break;
        case 's':
            if (!(start = start_option(optarg))) {
                fprintf(stderr, "sluice submit: --start %s: expected trim_horizon, now or "
                                "last_stopped_point\n", optarg);
                return 2;
            }
            break;
        case 'h': submit_usage(stdout); return 0;
        default: submit_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        submit_usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    sl_app_desc_t d = {0};
    if (load(path, &d)) return 1;
    if (name || !d.name) {
        sl_free(d.name);
        d.name = name ? sl_strdup(name) : default_name(path);
    }
    sl_buf_t body = SL_BUF_INIT;
    sl_app_desc_to_json(&d, &body);
    sl_arena_t *a = sl_arena_new(0);
    sl_val_t *out;
    int rc = sl_appclient_call("submit", endpoint, "CreateApplication", body.p, a, &out);
    if (rc) goto done;
    /* Start each input at --start, or at its own position when NOW / TRIM_HORIZON /
     * LAST_STOPPED_POINT (an AT_TIMESTAMP input keeps its description's position). */
    sl_buf_reset(&body);
    sl_buf_puts(&body, "{\"ApplicationName\":");
    sl_json_quote(&body, d.name, strlen(d.name));
    sl_buf_puts(&body, ",\"InputConfigurations\":[");
    static const char *const own[] = {"NOW", "TRIM_HORIZON", "LAST_STOPPED_POINT", NULL};
    int n = 0;
    for (size_t i = 0; i < d.ninputs; i++) {
        const char *pos = start ? start : own[d.inputs[i].start];
        if (!pos) continue;
        sl_buf_printf(&body, "%s{\"Id\":\"%s\",\"InputStartingPositionConfiguration\":"
                             "{\"InputStartingPosition\":\"%s\"}}",
                      n++ ? "," : "", d.inputs[i].id, pos);
    }
    sl_buf_puts(&body, "]}");
    rc = sl_appclient_call("submit", endpoint, "StartApplication", body.p, a, &out);
    if (rc) {
        fprintf(stderr, "sluice submit: %s was created but not started\n", d.name);
        goto done;
    }
    printf("%s: RUNNING\n", d.name);
done:
    sl_arena_free(a);
    sl_buf_free(&body);
    sl_app_desc_free(&d);
    return rc;
}
