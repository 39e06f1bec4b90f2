/* cmd_demo.c: `pheedsync demo`: reads the options and runs the demo (src/demo) until
 * interrupted; what `make run` runs. */
#include "cli/args.h"
#include "cli/commands.h"
#include "demo/demo.h"

#include <getopt.h>
#include <pthread.h>

static const char usage_text[] =
    "usage: pheedsync demo [OPTIONS]\n"
    "\n"
    "Shows pheedsync at work with no account and no configuration: starts the HighLevel and\n"
    "PheedLoop emulators with generated people (half of them on both sides under other\n"
    "spellings), writes a configuration for them, connects HighLevel through its OAuth flow,\n"
    "runs the initial sync, starts the daemon with its webhooks, then makes live edits on both\n"
    "sides (sign-ups, check-ins, tags, tasks, notes, appointments) and prints each one and what\n"
    "pheedsync did about it, until Ctrl-C; then a summary.\n"
    "\n"
    "options:\n"
    "  --seed N           generated people and edits (default 42)\n"
    "  --people N         people to generate (default 500)\n"
    "  --port N           the daemon and its status page (default 8470, or a free port when it\n"
    "                     is taken; 0: a free port)\n"
    "  --edit-interval MS between live edits (default 1500)\n"
    "  --duration S       stop by itself after S seconds of live edits (default: at Ctrl-C)\n"
    "  --dir PATH         state directory: configuration, store, key (default ./" DEMO_DEFAULT_DIR
    ";\n"
    "                     its store is replaced at every start)\n"
    "  --quiet            only the steps and the summary\n"
    "  -h, --help         this text\n";

enum { OPT_SEED = 256, OPT_PEOPLE, OPT_PORT, OPT_INTERVAL, OPT_DURATION, OPT_DIR, OPT_QUIET };

static const struct option long_options[] = {
    {"seed", required_argument, NULL, OPT_SEED},
    {"people", required_argument, NULL, OPT_PEOPLE},
    {"port", required_argument, NULL, OPT_PORT},
    {"edit-interval", required_argument, NULL, OPT_INTERVAL},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"dir", required_argument, NULL, OPT_DIR},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_value(demo_options *o, int opt, const char *arg, err *e)
{
    int64_t v = 0;
    int rc = 0;
    switch (opt) {
    case OPT_SEED:
        rc = args_parse_int(&v, "--seed", arg, 0, INT64_MAX, e);
        o->seed = (uint64_t)v;
        break;
    case OPT_PEOPLE:
        rc = args_parse_int(&v, "--people", arg, 1, 100000, e);
        o->people = (size_t)v;
        break;
    case OPT_PORT:
        rc = args_parse_int(&v, "--port", arg, 0, 65535, e);
        o->port = (int)v;
        break;
    case OPT_INTERVAL:
        rc = args_parse_int(&o->edit_interval_ms, "--edit-interval", arg, 50, 3600000, e);
        break;
    case OPT_DURATION:
        rc = args_parse_int(&o->duration_s, "--duration", arg, 1, 31536000, e);
        break;
    default:
        o->dir = arg;
        break;
    }
    return rc;
}

static int parse_options(demo_options *o, int argc, char **argv, err *e)
{
    int opt, rc = 0;
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (opt >= OPT_SEED && opt <= OPT_DIR)
            rc = parse_value(o, opt, optarg, e);
        else if (opt == OPT_QUIET)
            o->quiet = true;
        else if (opt == 'h')
            return 1;
        else if (opt == ':')
            return err_set(e, ERR_INVALID, "%s needs a value", argv[optind - 1]);
        else
            return err_set(e, ERR_INVALID, "unknown option '%s'", argv[optind - 1]);
    }
    if (!rc && optind < argc)
        rc = err_set(e, ERR_INVALID, "unexpected argument '%s'", argv[optind]);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    /* Blocked before any thread starts, so that every thread inherits the mask and only the
     * demo's own waits take the stop signals. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    demo_options o = {.seed = 42, .people = 500, .port = -1, .edit_interval_ms = 1500};
    err e = {0};
    int rc = parse_options(&o, argc, argv, &e);
    if (rc == 1) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (rc != 0) {
        fprintf(stderr, "pheedsync demo: %s (see pheedsync demo --help)\n", e.msg);
        return EXIT_USAGE;
    }
    return demo_run(&o, &stop, stdout);
}
