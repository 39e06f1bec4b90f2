/* cmd_connect.c: `pheedsync connect ghl`: authorizes pheedsync with HighLevel (OAuth 2.0 code
 * flow with a loopback redirect, or a code obtained elsewhere), checks the granted scopes and
 * stores the tokens sealed; `connect pheedloop` is handed to the PheedLoop side. */
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/connect_ghl.h"

static const char usage_text[] =
    "usage: pheedsync connect ghl [OPTIONS]\n"
    "       pheedsync connect pheedloop [OPTIONS]\n"
    "\n"
    "Authorizes pheedsync with HighLevel. With [ghl] auth = oauth it prints the page where you\n"
    "approve the app, waits on loopback for HighLevel's redirect, exchanges the code and stores\n"
    "the tokens encrypted; it then checks the granted scopes against what the flows need. With\n"
    "auth = token it checks the Private Integration token.\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS
    "  --code CODE       exchange this authorization code (obtained elsewhere) and exit\n"
    "  --port N          loopback port for the redirect (default: the redirect URI's)\n"
    "  --no-browser      only print the URL (pheedsync never opens a browser itself)\n"
    "  --company         authorize as the agency (Company token), then take a location token\n"
    "                    for [ghl] location_id\n"
    "  --location ID     the location to take a token for (default [ghl] location_id)\n"
    "  --link NAME       the [link \"NAME\"] to connect: its location, and its token with\n"
    "                    auth = token (OAuth tokens are stored per location)\n"
    "  --refresh         refresh the stored token now (another process may share it)\n"
    "  --status          show what is stored, without secrets\n"
    "  --timeout SECONDS how long to wait for the redirect (default 600)\n"
    "  -h, --help        this text\n";

enum {
    OPT_CODE = 256,
    OPT_PORT,
    OPT_NO_BROWSER,
    OPT_COMPANY,
    OPT_LOCATION,
    OPT_REFRESH,
    OPT_STATUS,
    OPT_TIMEOUT,
    OPT_LINK
};

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    {"code", required_argument, NULL, OPT_CODE},
    {"port", required_argument, NULL, OPT_PORT},
    {"no-browser", no_argument, NULL, OPT_NO_BROWSER},
    {"company", no_argument, NULL, OPT_COMPANY},
    {"location", required_argument, NULL, OPT_LOCATION},
    {"refresh", no_argument, NULL, OPT_REFRESH},
    {"status", no_argument, NULL, OPT_STATUS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_options(connect_ghl_options *o, app_options *ao, int argc, char **argv, err *e)
{
    int64_t v;
    int opt, rc = 0;
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if ((rc = app_option(ao, opt, optarg, e)) != 0) {
            rc = rc < 0 ? rc : 0;
            continue;
        }
        switch (opt) {
        case OPT_CODE:
            o->code = optarg;
            break;
        case OPT_PORT:
            rc = args_parse_port(&o->port, "--port", optarg, e);
            break;
        case OPT_NO_BROWSER:
            break;
        case OPT_COMPANY:
            o->company = true;
            break;
        case OPT_LOCATION:
            o->location = optarg;
            break;
        case OPT_LINK:
            o->link = optarg;
            break;
        case OPT_REFRESH:
            o->refresh = true;
            break;
        case OPT_STATUS:
            o->status = true;
            break;
        case OPT_TIMEOUT:
            rc = args_parse_int(&v, "--timeout", optarg, 1, 86400, e);
            o->timeout_s = v;
            break;
        case 'h':
            return 1;
        case ':':
            return err_set(e, ERR_INVALID, "%s needs a value", argv[optind - 1]);
        default:
            return err_set(e, ERR_INVALID, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!rc && optind < argc)
        rc = err_set(e, ERR_INVALID, "unexpected argument '%s'", argv[optind]);
    return rc;
}

static int connect_ghl(int argc, char **argv)
{
    connect_ghl_options o = {.timeout_s = 600, .out = stdout};
    app_options ao = {.command = "connect ghl"};
    err e = {0};
    int rc = parse_options(&o, &ao, argc, argv, &e);
    if (rc == 1) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (rc != 0) {
        fprintf(stderr, "pheedsync connect ghl: %s\n\n%s", e.msg, usage_text);
        return EXIT_USAGE;
    }
    app_ctx a;
    int code = EXIT_USAGE;
    if (app_open(&a, &ao, &e) != 0)
        app_fail(&a, &e);
    else
        code = connect_ghl_run(&a, &o);
    app_close(&a);
    return code;
}

int cmd_connect(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "ghl"))
        return connect_ghl(argc - 1, argv + 1);
    if (!strcmp(argv[1], "pheedloop"))
        return cmd_connect_pheedloop(argc - 1, argv + 1);
    fprintf(stderr, "pheedsync connect: unknown service '%s' (ghl or pheedloop)\n", argv[1]);
    return EXIT_USAGE;
}
