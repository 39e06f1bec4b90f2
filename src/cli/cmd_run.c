/* cmd_run.c: `pheedsync run`: the daemon, from the configuration, until SIGTERM or SIGINT. */
#include "cli/args.h"
#include "cli/commands.h"
#include "crypto/seal.h"
#include "engine/capture.h"
#include "engine/daemon.h"
#include "ghl/ghl_setup.h"
#include "pheedloop/pl_creds.h"
#include "util/log.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: pheedsync run [OPTIONS]\n"
    "\n"
    "Runs the daemon: the webhook endpoints on [server] listen (POST /webhooks/ghl and\n"
    "/webhooks/pheedloop), the pollers every [sync] poll_interval, the reconcile every\n"
    "[sync] reconcile_interval, and the planner and workers. SIGTERM or SIGINT stops it\n"
    "cleanly: no new webhooks are taken, the work in hand finishes, and it exits 0.\n"
    "\n"
    "options:\n"
    "  --config FILE       configuration file (default ./pheedsync.conf, then\n"
    "                      /etc/pheedsync.conf)\n"
    "  --register-hooks    subscribe PheedLoop REST hooks for every event in [pheedloop] events\n"
    "                      to [server] public_url/webhooks/pheedloop (skipping those that exist)\n"
    "  --workers N         worker threads (default 2)\n"
    "  -h, --help          this text\n";

enum { OPT_CONFIG = 256, OPT_REGISTER, OPT_WORKERS };

static const struct option long_options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"register-hooks", no_argument, NULL, OPT_REGISTER},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct run_args {
    const char *config_path;
    bool register_hooks;
    int64_t workers;
} run_args;

static int parse_options(run_args *a, int argc, char **argv, err *e)
{
    int opt, rc = 0;
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_CONFIG:
            a->config_path = optarg;
            break;
        case OPT_REGISTER:
            a->register_hooks = true;
            break;
        case OPT_WORKERS:
            rc = args_parse_int(&a->workers, "--workers", optarg, 1, 32, e);
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

extern char **environ;

static int load_config(config **out, const char *path, err *e)
{
    static const char *const defaults[] = {"pheedsync.conf", "/etc/pheedsync.conf"};
    if (path)
        return config_load_file(out, path, environ, e);
    for (size_t i = 0; i < PS_ARRAY_LEN(defaults); i++)
        if (access(defaults[i], F_OK) == 0)
            return config_load_file(out, defaults[i], environ, e);
    return err_set(e, ERR_CONFIG,
                   "no configuration: write one with `pheedsync init` or pass --config FILE");
}

/* Everything the daemon runs on, built from the configuration. */
typedef struct run_ctx {
    config *cfg;
    http_client *http;
    ghl_setup gs;
    ghl_client *ghl;
    pl_client *pl;
    ghl_webhook_verifier *ghl_wh;
    pl_webhook *pl_wh;
    const char **events; /* NULL-terminated */
} run_ctx;

static void ctx_close(run_ctx *c)
{
    ghl_webhook_verifier_free(c->ghl_wh);
    pl_webhook_free(c->pl_wh);
    ghl_client_free(c->ghl);
    ghl_setup_close(&c->gs);
    pl_client_free(c->pl);
    http_client_free(c->http);
    free(c->events);
}

/* HighLevel, when [ghl] location_id is set: the client and the webhook check. */
static int open_ghl(run_ctx *c, err *e)
{
    if (!config_str(c->cfg, "ghl", "location_id"))
        return 0;
    int rc = ghl_setup_open(&c->gs, c->cfg, c->http, e);
    ghl_client_config gc = {.base_url = c->gs.base_url, .http = c->http, .tokens = c->gs.tokens};
    if (rc == 0)
        rc = ghl_client_new(&c->ghl, &gc, e);
    if (rc == 0)
        rc = capture_ghl_verifier_from_config(&c->ghl_wh, c->cfg, e);
    return rc;
}

/* PheedLoop, when [pheedloop] events is set: the client (credentials from the file, else those
 * `connect pheedloop` sealed in the store), and the webhook check when a secret is set. */
static int open_pl(run_ctx *c, err *e)
{
    const char *const *items = NULL;
    size_t n = config_list(c->cfg, "pheedloop", "events", &items);
    if (n == 0)
        return 0;
    if (!(c->events = calloc(n + 1, sizeof *c->events)))
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(c->events, items, n * sizeof *items);
    crypto_key *key = NULL;
    store *s = NULL;
    int rc = 0;
    if (!config_str(c->cfg, "pheedloop", "api_key")) {
        buf path;
        buf_init(&path, 4096);
        rc = ghl_setup_key_path(&path, c->cfg, e);
        if (rc == 0)
            rc = crypto_key_load(&key, buf_cstr(&path), e);
        buf_free(&path);
        if (rc == 0)
            rc = store_open(&s, config_str(c->cfg, "store", "url"), NULL, e);
    }
    if (rc == 0)
        rc = pl_client_from_config_and_store(&c->pl, c->cfg, s, key, c->http, e);
    store_close(s);
    crypto_key_free(key);
    if (rc == 0 && config_str(c->cfg, "pheedloop", "webhook_secret"))
        rc = pl_webhook_from_config(&c->pl_wh, c->cfg, e);
    else if (rc == 0)
        log_warnf("PheedLoop webhooks are off: [pheedloop] webhook_secret is not set (the "
                  "pollers still run)");
    return rc;
}

static int register_hooks(run_ctx *c, err *e)
{
    const char *pub = config_str(c->cfg, "server", "public_url");
    if (!c->pl)
        return err_set(e, ERR_CONFIG, "--register-hooks: [pheedloop] events is not set");
    char endpoint[1024];
    size_t len = pub ? strlen(pub) : 0;
    while (len > 0 && pub[len - 1] == '/')
        len--;
    snprintf(endpoint, sizeof endpoint, "%.*s%s", (int)len, pub ? pub : "", CAPTURE_PL_PATH);
    size_t added = 0;
    int rc = capture_register_pl_hooks(&added, c->pl, c->events, pub ? endpoint : NULL, e);
    if (rc == 0)
        log_write(LOG_INFO, "PheedLoop REST hooks in place",
                  json_pack("{s:s, s:I}", "endpoint", endpoint, "added", (json_int_t)added));
    return rc;
}

static void setup_log(const config *cfg)
{
    int level = log_level_parse(config_str(cfg, "log", "level"));
    const char *fmt = config_str(cfg, "log", "format");
    log_format f = fmt && !strcmp(fmt, "text")   ? LOG_TEXT
                   : fmt && !strcmp(fmt, "json") ? LOG_JSON
                   : isatty(STDERR_FILENO)       ? LOG_TEXT
                                                 : LOG_JSON;
    log_setup(level < 0 ? LOG_INFO : (log_level)level, f, stderr);
}

/* Runs until one of stop_signals (blocked in every thread since the start) arrives. */
static int serve(run_ctx *c, const run_args *a, const sigset_t *stop_signals, err *e)
{
    daemon_options o = {0};
    int rc = daemon_options_from_config(&o, c->cfg, e);
    if (rc != 0)
        return rc;
    o.ghl = c->ghl;
    o.pl = c->pl;
    o.link = (engine_link_cfg){.location_id = config_str(c->cfg, "ghl", "location_id"),
                               .org_code = c->pl ? pl_client_org(c->pl) : NULL,
                               .events = c->events};
    o.ghl_webhooks = c->ghl_wh;
    o.pl_webhooks = c->pl_wh;
    o.planner = engine_planner_run_once;
    o.worker = engine_worker_run_once;
    o.workers = (size_t)a->workers;
    if (!o.planner || !o.worker)
        log_warnf("the planner or the workers are not built in: hints and operations wait in "
                  "the store");
    daemon *d = NULL;
    rc = daemon_start(&d, &o, e);
    if (rc != 0)
        return rc;
    int sig = 0;
    sigwait(stop_signals, &sig);
    log_infof("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    daemon_free(d);
    log_infof("stopped");
    return 0;
}

static int exit_for(int rc)
{
    return rc == ERR_CONFIG || rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
}

int cmd_run(int argc, char **argv)
{
    run_args a = {0};
    err e = {0};
    int rc = parse_options(&a, argc, argv, &e);
    if (rc == 1) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (rc != 0) {
        fprintf(stderr, "pheedsync run: %s (see pheedsync run --help)\n", e.msg);
        return EXIT_USAGE;
    }
    /* SIGTERM and SIGINT are taken by sigwait in this thread only: blocked before any thread
     * (the HTTP client's, the daemon's) exists, so that every thread inherits the mask and a
     * signal during start-up waits for the daemon to be up, then stops it cleanly. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    run_ctx c = {0};
    if (load_config(&c.cfg, a.config_path, &e) != 0) {
        fprintf(stderr, "pheedsync run: %s\n", e.msg);
        return EXIT_USAGE;
    }
    setup_log(c.cfg);
    rc = http_client_new(&c.http, NULL, &e);
    if (rc == 0)
        rc = open_ghl(&c, &e);
    if (rc == 0)
        rc = open_pl(&c, &e);
    if (rc == 0 && a.register_hooks)
        rc = register_hooks(&c, &e);
    if (rc == 0)
        rc = serve(&c, &a, &stop_signals, &e);
    if (rc != 0)
        fprintf(stderr, "pheedsync run: %s\n", e.msg);
    ctx_close(&c);
    config_free(c.cfg);
    return rc == 0 ? EXIT_OK : exit_for(rc);
}
