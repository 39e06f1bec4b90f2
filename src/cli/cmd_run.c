/* cmd_run.c: `pheedsync run`: the daemon, from the configuration, until SIGTERM or SIGINT. */
#include "app/app.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "engine/capture.h"
#include "engine/daemon.h"
#include "engine/sync.h"
#include "ops/api_metrics.h"

#include <pthread.h>
#include <signal.h>

static const char usage_text[] =
    "usage: pheedsync run [OPTIONS]\n"
    "\n"
    "Runs the daemon: the webhook endpoints on [server] listen (POST /webhooks/ghl and\n"
    "/webhooks/pheedloop), the pollers every [sync] poll_interval, the reconcile\n"
    "every [sync] reconcile_interval, and the planner and workers. SIGTERM or SIGINT stops it\n"
    "cleanly: no new webhooks are taken, the work in hand finishes, and it exits 0.\n"
    "With several links ([link] sections) each has its pollers, reconcile, planner and\n"
    "workers; the one server routes each webhook to the link of its location or event.\n"
    "\n"
    "It also serves its operator on the same address: the status page at /, GET /healthz\n"
    "(alive), GET /readyz (store reachable, no connection waiting for re-authorization, no\n"
    "circuit breaker open), GET /metrics (Prometheus), and the page's /api/. Replaying or\n"
    "dropping dead letters and deciding held deletes need [server] admin_token. Alerts go\n"
    "where [alert] says, once per incident and once when it is over.\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS
    "  --register-hooks  subscribe PheedLoop REST hooks for every event of every link\n"
    "                    to [server] public_url + /webhooks/pheedloop (those that exist are kept)\n"
    "  --workers N       worker threads (default 2)\n"
    "  --capture-only    webhooks, pollers and reconcile only: the planning and the work are\n"
    "                    left to other processes sharing the store\n"
    "  -h, --help        this text\n";

enum { OPT_REGISTER = 256, OPT_WORKERS, OPT_CAPTURE_ONLY };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    {"register-hooks", no_argument, NULL, OPT_REGISTER},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"capture-only", no_argument, NULL, OPT_CAPTURE_ONLY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct run_args {
    app_options app;
    bool register_hooks;
    bool capture_only;
    int64_t workers;
} run_args;

static int parse_options(run_args *a, int argc, char **argv, err *e)
{
    int opt, rc = 0;
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        int taken = app_option(&a->app, opt, optarg, e);
        if (taken != 0) {
            rc = taken < 0 ? taken : 0;
            continue;
        }
        switch (opt) {
        case OPT_REGISTER:
            a->register_hooks = true;
            break;
        case OPT_CAPTURE_ONLY:
            a->capture_only = true;
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

/* The webhook checks: HighLevel's with its client; PheedLoop's when a secret is set: the
 * [pheedloop] one, and one per link with a webhook_secret of its own. */
typedef struct run_checks {
    ghl_webhook_verifier *ghl;
    pl_webhook *pl;
    pl_webhook **links; /* per link: its own, or NULL for pl */
    size_t n_links;
} run_checks;

static void close_checks(run_checks *k)
{
    ghl_webhook_verifier_free(k->ghl);
    pl_webhook_free(k->pl);
    for (size_t i = 0; i < k->n_links; i++)
        pl_webhook_free(k->links[i]);
    free(k->links);
}

static int open_link_checks(run_checks *k, const app_ctx *a, err *e)
{
    k->links = calloc(a->n_links, sizeof *k->links);
    if (!k->links)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->n_links = a->n_links;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_links; i++) {
        const app_link *l = &a->links[i];
        const char *secret = l->sec ? config_sec_str(l->sec, "webhook_secret") : NULL;
        if (secret && *secret && l->pl)
            rc = pl_webhook_from_secret(&k->links[i], a->cfg, secret, l->cfg.events, e);
        else if (l->pl && !k->pl)
            log_warnf("PheedLoop webhooks of link %s are off: no webhook_secret in %s or "
                      "[pheedloop] (the pollers still run)",
                      engine_link_label(&l->cfg), app_link_section(l, false));
        if (rc != 0 && l->sec)
            err_wrap(e, "%s webhook_secret: ", config_sec_label(l->sec));
    }
    return rc;
}

static int open_checks(run_checks *k, const app_ctx *a, err *e)
{
    int rc = a->ghl ? capture_ghl_verifier_from_config(&k->ghl, a->cfg, e) : 0;
    if (rc == 0 && a->pl && config_str(a->cfg, "pheedloop", "webhook_secret"))
        rc = pl_webhook_from_config(&k->pl, a->cfg, e);
    return rc == 0 ? open_link_checks(k, a, e) : rc;
}

static int register_hooks(const app_ctx *a, err *e)
{
    if (!a->pl)
        return err_set(e, ERR_CONFIG, "--register-hooks: no link has PheedLoop events");
    const char *pub = config_str(a->cfg, "server", "public_url");
    char endpoint[1024];
    size_t len = pub ? strlen(pub) : 0;
    while (len > 0 && pub[len - 1] == '/')
        len--;
    snprintf(endpoint, sizeof endpoint, "%.*s%s", (int)len, pub ? pub : "", CAPTURE_PL_PATH);
    size_t added = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_links; i++) {
        const app_link *l = &a->links[i];
        size_t one = 0;
        if (l->pl)
            rc = capture_register_pl_hooks(&one, l->pl, l->cfg.events, pub ? endpoint : NULL, e);
        added += one;
    }
    if (rc == 0)
        log_write(LOG_INFO, "PheedLoop REST hooks in place",
                  json_pack("{s:s, s:I}", "endpoint", endpoint, "added", (json_int_t)added));
    return rc;
}

/* The daemon stops: requests still waiting for rate budget give up (their operations are
 * retried by the next run), so that SIGTERM waits only for requests already sent. */
static void stop_waits(void *ctx)
{
    app_ctx *a = ctx;
    ghl_client_stop_waits(a->ghl);
    pl_client_stop_waits(a->pl);
    for (size_t i = 0; i < a->n_links; i++) {
        ghl_client_stop_waits(a->links[i].own_ghl);
        pl_client_stop_waits(a->links[i].own_pl);
    }
}

/* Runs until one of stop_signals (blocked in every thread since the start) arrives. */
static int serve(app_ctx *a, const run_checks *k, const run_args *r, const sigset_t *stop_signals,
                 err *e)
{
    daemon_options o = {0};
    int rc = daemon_options_from_config(&o, a->cfg, e);
    if (rc != 0)
        return rc;
    daemon_link *links = calloc(a->n_links, sizeof *links);
    if (!links)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < a->n_links; i++) {
        engine eng;
        app_link_engine(&eng, a, i);
        const app_link *al = &a->links[i];
        links[i] = (daemon_link){.link = eng.link,
                                 .ghl = eng.ghl,
                                 .pl = eng.pl,
                                 .pl_webhooks = k->links[i],
                                 .ghl_tokens = al->own_ghl ? al->own_setup.tokens : NULL};
    }
    o.clock = a->clock;
    o.owner = a->owner;
    o.links = links;
    o.n_links = a->n_links;
    o.ghl_tokens = a->ghl ? a->ghl_setup.tokens : NULL;
    o.ghl_webhooks = k->ghl;
    o.pl_webhooks = k->pl;
    o.planner = r->capture_only ? NULL : engine_plan_some;
    o.worker = r->capture_only ? NULL : engine_work_some;
    o.workers = (size_t)r->workers;
    o.on_stop = stop_waits;
    o.on_stop_ctx = a;
    daemon *d = NULL;
    rc = daemon_start(&d, &o, e);
    free(links); /* the daemon copied it */
    if (rc != 0)
        return rc;
    int sig = 0;
    sigwait(stop_signals, &sig);
    log_infof("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    daemon_free(d);
    log_infof("stopped");
    return 0;
}

/* What the configuration asks to sync: HighLevel with a location, PheedLoop with events. */
static unsigned needs_of(const app_ctx *a)
{
    unsigned needs = APP_STORE;
    for (size_t i = 0; i < a->n_links; i++) {
        if (a->links[i].cfg.location_id)
            needs |= APP_GHL;
        if (a->links[i].cfg.events[0])
            needs |= APP_PL;
    }
    return needs;
}

int cmd_run(int argc, char **argv)
{
    /* SIGTERM and SIGINT are taken by sigwait in this thread only: blocked before any thread
     * (the HTTP client's, the daemon's) exists, so that every thread inherits the mask and a
     * signal during start-up waits for the daemon to be up, then stops it cleanly. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    run_args r = {.app = {.command = "run", .log_default = "info"}};
    err e = {0};
    int rc = parse_options(&r, argc, argv, &e);
    if (rc == 1) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (rc != 0) {
        fprintf(stderr, "pheedsync run: %s (see pheedsync run --help)\n", e.msg);
        return EXIT_USAGE;
    }
    /* Every API request of the daemon is counted for /metrics and the alerts. */
    ops_api_metrics api;
    if (ops_api_metrics_init(&api, NULL, &e) != 0) {
        fprintf(stderr, "pheedsync run: %s\n", e.msg);
        return EXIT_RUNTIME;
    }
    http_client_config hc = {.observe = ops_api_observe, .observe_ctx = &api};
    r.app.http_config = &hc;
    app_ctx a = {0};
    run_checks k = {0};
    if (app_open(&a, &r.app, &e) != 0) {
        /* No configuration to run on is the user's to fix, whatever the cause. */
        app_fail(&a, &e);
        app_close(&a);
        return EXIT_USAGE;
    }
    rc = app_require(&a, needs_of(&a), &e);
    if (rc == 0)
        rc = open_checks(&k, &a, &e);
    if (rc == 0 && r.register_hooks)
        rc = register_hooks(&a, &e);
    if (rc == 0)
        rc = serve(&a, &k, &r, &stop_signals, &e);
    if (rc != 0)
        app_fail(&a, &e);
    close_checks(&k);
    app_close(&a);
    return rc == 0 ? EXIT_OK : app_exit_code(rc);
}
