/*
 * cmd_repl.c - `sluice repl [--data DIR] [--endpoint URL]`: the interactive session
 * (runtime/repl/). Without --endpoint it runs on its own embedded store, in DIR or in a
 * temporary directory removed at exit; with --endpoint, streams, puts and \apps go to that
 * daemon and live queries are not available (the engine reads the embedded store only).
 */
#include "commands.h"
#include "repl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: sluice repl [--data DIR] [--endpoint URL] [--history FILE]\n"
    "  --data DIR       embedded store directory (default: a temporary one, removed at exit)\n"
    "  --endpoint URL   talk to a daemon (http://127.0.0.1:4567) instead of an embedded store\n"
    "  --history FILE   line history (default ~/.sluice_history)\n";

int sl_cmd_repl(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},
        {"endpoint", required_argument, NULL, 'e'},
        {"history", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sl_repl_opts_t o;
    memset(&o, 0, sizeof o);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:e:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.data_dir = optarg; break;
        case 'e': o.endpoint = optarg; break;
        case 'H': o.history = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc || (o.data_dir && o.endpoint)) {
        fputs(usage, stderr);
        return 2;
    }
    return sl_repl_run(&o);
}
