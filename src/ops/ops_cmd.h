/* ops_cmd.h: what the operator's commands (status, verify, dlq, approve, reject, profile, audit,
 * mapping) share: option parsing around the common options, usage errors, JSON output, times
 * and ages for people, and the exit codes of failures. */
#ifndef PHEEDSYNC_OPS_CMD_H
#define PHEEDSYNC_OPS_CMD_H

#include "app/app.h"
#include "cli/commands.h"

/* How a command reads its command line. */
typedef struct ops_cmd_spec {
    const char *name;             /* "status": messages read "pheedsync status: ..." */
    const char *usage;            /* the --help text */
    const struct option *options; /* getopt_long table, common options and help included */
    /* The command's own options: 0 when taken, -1 when opt is not one of them, or an exit code
     * (> 0) after printing why. NULL: none. */
    int (*own)(void *ctx, int opt, const char *arg);
    void *ctx;
} ops_cmd_spec;

/* Parses the options of argv (the command's name at argv[0]) into ao; operands are left at
 * argv[*out_first..argc). Returns -1 to go on, else the exit code to return: 0 after --help,
 * EXIT_USAGE after printing the error and the usage text. */
int ops_cmd_parse(app_options *ao, int *out_first, const ops_cmd_spec *s, int argc, char **argv);

/* Prints "pheedsync NAME: message" and a pointer to --help on stderr; returns EXIT_USAGE. */
int ops_cmd_usage_error(const ops_cmd_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Opens the context (configuration, log) and then what needs names (APP_*). Returns EXIT_OK,
 * or the exit code after printing the error: 2 for configuration, 3 for runtime (a store
 * written by a newer pheedsync is a runtime failure: the files are fine, this binary is old). */
int ops_cmd_open(app_ctx *a, const app_options *ao, unsigned needs);

/* Prints the error and returns its exit code (app_exit_code). */
int ops_cmd_fail(const app_ctx *a, const err *e);

/* Prints j indented, with a newline. */
void ops_json_print(const json_t *j);

/* "2026-11-27 07:47:59Z"; "-" for 0. */
#define OPS_TIME_LEN 32
void ops_fmt_time(char out[OPS_TIME_LEN], int64_t unix_ms);
/* A duration for people: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
void ops_fmt_age(char *out, size_t n, int64_t ms);
/* A value as one line of text, cut to width characters with "..." (width 0: whole): strings
 * as they are, arrays joined with ", ", objects as "key: value, ...", null, NULL or [] as
 * "-", the rest as JSON. */
void ops_fmt_value(char *out, size_t n, const json_t *v, size_t width);

/* Prints s and pads it to width characters (UTF-8 code points), then one space. */
void ops_print_cell(const char *s, size_t width);

/* A positive decimal id; ERR_INVALID naming what otherwise. */
int ops_parse_id(int64_t *out, const char *what, const char *s, err *e);

#endif
