/*
 * cmd_serve.c - `sluice serve`: run the daemon in the foreground.
 *
 * Prints "sluice: listening on HOST:PORT" on stderr once connections are accepted (scripts
 * wait for that line), serves until SIGINT or SIGTERM, then stops the applications (their
 * checkpoints written) and closes the store cleanly.
 */
#include "commands.h"
#include "alloc.h"
#include "server.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sl_server_t *running;

static void on_signal(int sig)
{
    (void)sig;
    if (running) sl_server_stop(running);
}

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: sluice serve [--port P] [--data DIR] [options]\n"
            "\n"
            "Serves the Kinesis Data Streams API and the Kinesis Analytics API on HOST:P\n"
            "(default 127.0.0.1:4567), keeping streams and applications in DIR (default\n"
            "./sluice-data). Applications RUNNING when the daemon stopped are resumed from\n"
            "LAST_STOPPED_POINT. GET /health answers liveness, GET /metrics Prometheus text.\n"
            "\n"
            "  --host H               address to bind (default 127.0.0.1)\n"
            "  --threads N            HTTP worker threads (default 2)\n"
            "  --fsync always|interval|never\n"
            "                         always: fdatasync before acknowledging a put;\n"
            "                         interval: every --fsync-interval-ms (default);\n"
            "                         never: leave it to the OS. Every policy survives a\n"
            "                         killed process; only 'always' survives power loss.\n"
            "  --fsync-interval-ms N  (default 1000)\n"
            "  --create-delay-ms N    time a new stream stays CREATING (default 0)\n"
            "  --delete-delay-ms N    time a deleted stream stays DELETING (default 0)\n"
            "  --update-delay-ms N    time a resharded stream stays UPDATING (default 0)\n"
            "  --throttle             enforce Kinesis per-shard limits (1 MiB/s or 1000\n"
            "                         records/s in, 5 reads/s and 2 MiB/s out)\n"
            "  --shard-limit N        open shards allowed in all (default 500)\n"
            "  --region R, --account A  used in ARNs (us-east-1, 000000000000)\n");
}

int sl_cmd_serve(int argc, char **argv)
{
    sl_server_config_t cfg = {.port = 4567};
    cfg.store.dir = "sluice-data";
    cfg.store.fsync = SL_FSYNC_INTERVAL;
    enum { O_HOST = 256, O_THREADS, O_FSYNC, O_FSYNC_MS, O_CREATE, O_DELETE, O_UPDATE,
           O_THROTTLE, O_LIMIT, O_REGION, O_ACCOUNT };
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'},
        {"data", required_argument, 0, 'd'},
        {"host", required_argument, 0, O_HOST},
        {"threads", required_argument, 0, O_THREADS},
        {"fsync", required_argument, 0, O_FSYNC},
        {"fsync-interval-ms", required_argument, 0, O_FSYNC_MS},
        {"create-delay-ms", required_argument, 0, O_CREATE},
        {"delete-delay-ms", required_argument, 0, O_DELETE},
        {"update-delay-ms", required_argument, 0, O_UPDATE},
        {"throttle", no_argument, 0, O_THROTTLE},
        {"shard-limit", required_argument, 0, O_LIMIT},
        {"region", required_argument, 0, O_REGION},
        {"account", required_argument, 0, O_ACCOUNT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': cfg.port = atoi(optarg); break;
        case 'd': cfg.store.dir = optarg; break;
        case O_HOST: cfg.host = optarg; break;
        case O_THREADS: cfg.threads = atoi(optarg); break;
        case O_FSYNC:
            if (!strcmp(optarg, "always"))
                cfg.store.fsync = SL_FSYNC_ALWAYS;
            else if (!strcmp(optarg, "interval"))
                cfg.store.fsync = SL_FSYNC_INTERVAL;
            else if (!strcmp(optarg, "never"))
                cfg.store.fsync = SL_FSYNC_NEVER;
            else {
                fprintf(stderr, "sluice serve: --fsync must be always, interval or never\n");
                return 2;
            }
            break;
        case O_FSYNC_MS: cfg.store.fsync_interval_ms = atoi(optarg); break;
        case O_CREATE: cfg.store.create_delay_ms = atoi(optarg); break;
        case O_DELETE: cfg.store.delete_delay_ms = atoi(optarg); break;
        case O_UPDATE: cfg.store.update_delay_ms = atoi(optarg); break;
        case O_THROTTLE: cfg.store.throttle = true; break;
        case O_LIMIT: cfg.store.shard_limit = atoi(optarg); break;
        case O_REGION: cfg.store.region = optarg; break;
        case O_ACCOUNT: cfg.store.account = optarg; break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char *err = NULL;
    sl_server_t *s = sl_server_new(&cfg, &err);
    if (!s) {
        fprintf(stderr, "sluice serve: %s\n", err);
        sl_free(err);
        return 1;
    }
    running = s;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "sluice: listening on %s:%d\n", cfg.host ? cfg.host : "127.0.0.1",
            sl_server_port(s));
    int rc = sl_server_run(s);
    running = NULL;
    sl_server_free(s);
    return rc == 0 ? 0 : 1;
}
