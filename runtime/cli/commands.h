/*
 * commands.h - the subcommands of the sluice binary (a contract: scripts and the README rely
 * on these names).
 *
 * One X-macro table is the single source of truth: main.c builds its dispatch table and
 * its help text from it, and each entry names a function
 *     int sl_cmd_<name>(int argc, char **argv)
 * defined in cli/cmd_<name>.c. argv[0] is the subcommand's name; the return value is the
 * process exit status (0 success, 1 failure the user caused, 2 usage error).
 */
#ifndef SL_COMMANDS_H
#define SL_COMMANDS_H

#define SL_COMMANDS(X)                                                                   \
    X(serve, "serve the Kinesis Data Streams and Kinesis Analytics APIs on a port") \
    X(put, "put records read from stdin into a stream")                                    \
    X(tail, "print the records of a stream")                                               \
    X(check, "parse and validate an application file")                                    \
    X(run, "run an application on a replayed dump or the embedded store")                 \
    X(submit, "create an application on a daemon and start it (FILE.sql or APP.json)")   \
    X(apps, "list a daemon's applications and their statuses")                            \
    X(describe, "print a daemon's description of an application (JSON)")                  \
    X(stop, "stop an application on a daemon (it checkpoints where it stopped)")          \
    X(delete, "delete an application from a daemon")                                  \
    X(repl, "interactive SQL: live queries, pumps and puts on the embedded store")

#define SL_CMD_DECLARE(name, help) int sl_cmd_##name(int argc, char **argv);
SL_COMMANDS(SL_CMD_DECLARE)
#undef SL_CMD_DECLARE

#endif
