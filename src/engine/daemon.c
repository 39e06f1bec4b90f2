/* daemon.c: the daemon's life: options from the configuration, the server and the threads
 * started in order, the planner and worker loops, the orderly stop. */
#include "engine/daemon_int.h"
#include "engine/refile.h"
#include "engine/sync.h"
#include "ops/metrics_http.h"
#include "util/log.h"

#include <errno.h>
#include <unistd.h>

#define DEFAULT_WORKERS 2
#define DEFAULT_IDLE_MS 250
#define DEFAULT_BATCH 16
#define ERROR_PAUSE_MS 1000
#define REOPEN_PAUSE_MS 3000

int daemon_options_from_config(daemon_options *o, const config *cfg, err *e)
{
    o->cfg = cfg;
    o->store_url = config_str(cfg, "store", "url");
    o->poll_interval_ms = config_int(cfg, "sync", "poll_interval") * 1000;
    o->reconcile_interval_ms = config_int(cfg, "sync", "reconcile_interval") * 1000;
    o->coalesce_ms = config_int(cfg, "sync", "coalesce_ms");
    const char *listen = config_str(cfg, "server", "listen");
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    size_t host_len = colon ? (size_t)(colon - listen) : 0;
    if (!colon || end == colon + 1 || *end || port < 0 || port > 65535 || host_len == 0 ||
        host_len >= sizeof o->bind_addr)
        return err_set(e, ERR_CONFIG,
                       "[server] listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:8470)",
                       listen ? listen : "");
    memcpy(o->bind_addr, listen, host_len);
    o->bind_addr[host_len] = '\0';
    o->port = (uint16_t)port;
    o->admin_token = config_str(cfg, "server", "admin_token");
    if (!o->admin_token && strcmp(o->bind_addr, "127.0.0.1") != 0 &&
        strcmp(o->bind_addr, "localhost") != 0 && strcmp(o->bind_addr, "::1") != 0)
        log_warnf("[server] listen = %s is beyond loopback and no admin_token is set: the status "
                  "page's lists are open to every caller (its actions stay off)",
                  listen);
    return 0;
}

bool daemon_stopping(daemon *d)
{
    return atomic_load(&d->stop);
}

static uint64_t read_counter(daemon *d, const uint64_t *counter)
{
    pthread_mutex_lock(&d->mu);
    uint64_t v = counter ? *counter : 0;
    pthread_mutex_unlock(&d->mu);
    return v;
}

/* Sleeps up to ms, returning early when the daemon stops or when *counter (guarded by mu; NULL:
 * none) is no longer seen: read before the pass that found nothing, so that a wake-up during
 * that pass is not missed. */
static bool wait_since(daemon *d, int64_t ms, const uint64_t *counter, uint64_t seen)
{
    struct timespec until = clock_mono_deadline(ms);
    pthread_mutex_lock(&d->mu);
    while (!atomic_load(&d->stop) && !(counter && *counter != seen))
        if (pthread_cond_timedwait(&d->cv, &d->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&d->mu);
    return !atomic_load(&d->stop);
}

bool daemon_wait(daemon *d, int64_t ms, bool on_webhook)
{
    const uint64_t *counter = on_webhook ? &d->wakes : NULL;
    return wait_since(d, ms, counter, read_counter(d, counter));
}

static void wake_all(daemon *d, bool webhook)
{
    pthread_mutex_lock(&d->mu);
    if (webhook)
        d->wakes++;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

static void on_stored(void *ctx)
{
    wake_all(ctx, true);
}

bool daemon_engine_open(daemon *d, const daemon_link *link, engine *eng)
{
    *eng = (engine){.cfg = d->o.cfg,
                    .ghl = link->ghl,
                    .pl = link->pl,
                    .clock = d->o.clock,
                    .owner = d->owner,
                    .link = link->link};
    for (;;) {
        err e = {0};
        if (store_open(&eng->store, d->store_url, d->o.clock, &e) == 0 &&
            store_bind_link(eng->store, link->link.name ? link->link.name : "", &e) == 0)
            return true;
        store_close(eng->store);
        eng->store = NULL;
        log_warnf("daemon: cannot open the store (trying again): %s", e.msg);
        if (!daemon_wait(d, REOPEN_PAUSE_MS, false))
            return false;
    }
}

void daemon_engine_close(engine *eng)
{
    store_close(eng->store);
    eng->store = NULL;
}

/* The planner or a worker: passes in a loop; an idle pass waits, a failed one waits longer
 * (and a store failure gets a fresh connection). */
static void *step_main(void *arg)
{
    daemon_thread *t = arg;
    daemon *d = t->d;
    engine eng;
    if (!daemon_engine_open(d, t->link, &eng))
        return NULL;
    while (!daemon_stopping(d)) {
        size_t done = 0;
        err e = {0};
        const uint64_t *wake = t->planner ? &d->wakes : &d->plans;
        uint64_t seen = read_counter(d, wake);
        int rc = t->fn(&eng, d->o.batch, &done, &e);
        if (rc != 0) {
            log_write(LOG_WARN, "daemon: pass failed",
                      json_pack("{s:s, s:s, s:s, s:s}", "thread", t->name, "link",
                                engine_link_label(&t->link->link), "error", err_code_name(rc),
                                "message", e.msg));
            if (rc == ERR_IO) {
                daemon_engine_close(&eng);
                if (!daemon_engine_open(d, t->link, &eng))
                    break;
            }
            daemon_wait(d, ERROR_PAUSE_MS, false);
        } else if (done == 0) {
            wait_since(d, d->o.idle_ms, wake, seen);
        } else if (t->planner) {
            /* What it planned is work: idle workers take it now, not at their next look. */
            pthread_mutex_lock(&d->mu);
            d->plans++;
            pthread_cond_broadcast(&d->cv);
            pthread_mutex_unlock(&d->mu);
        }
    }
    if (t->planner)
        engine_planner_release(&eng); /* another process's planner takes over now */
    daemon_engine_close(&eng);
    return NULL;
}

/* Starts main with the thread's record (link, step) in d->steps. */
static int spawn(daemon *d, void *(*main)(void *), const daemon_link *link, daemon_step fn,
                 const char *name, err *e)
{
    if (d->n_threads == DAEMON_MAX_THREADS)
        return err_set(e, ERR_LIMIT, "daemon: too many threads (fewer links or workers)");
    daemon_thread *t = &d->steps[d->n_threads];
    *t = (daemon_thread){
        .d = d, .link = link, .fn = fn, .name = name, .planner = fn && fn == d->o.planner};
    int rc = pthread_create(&d->threads[d->n_threads], NULL, main, t);
    if (rc != 0)
        return err_set(e, ERR_INTERNAL, "daemon: cannot start a thread: %s", strerror(rc));
    d->n_threads++;
    return 0;
}

static int start_link(daemon *d, const daemon_link *l, err *e)
{
    int rc = 0;
    if (d->o.poll_interval_ms > 0 && (l->ghl || l->pl))
        rc = spawn(d, daemon_poll_main, l, NULL, "poller", e);
    if (rc == 0 && d->o.reconcile_interval_ms > 0 && (l->ghl || l->pl))
        rc = spawn(d, daemon_reconcile_main, l, NULL, "reconcile", e);
    if (rc == 0 && d->o.planner)
        rc = spawn(d, step_main, l, d->o.planner, "planner", e);
    for (size_t i = 0; rc == 0 && d->o.worker && i < d->o.workers; i++)
        rc = spawn(d, step_main, l, d->o.worker, "worker", e);
    return rc;
}

static int start_threads(daemon *d, err *e)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < d->n_links; i++)
        rc = start_link(d, &d->links[i], e);
    return rc;
}

static void on_healthz(void *ctx, const http_request *req, http_response *res)
{
    http_response_json(res, 200, daemon_status(ctx));
}

static json_t *status_of(void *ctx)
{
    return daemon_status(ctx);
}

/* The watch (gauges, chart, alerts) and the operator's API, before the server takes its port. */
static int start_ops(daemon *d, err *e)
{
    /* The operator's side watches every link's accounts: the first as with one link. */
    const daemon_link *first = &d->links[0];
    size_t n_more = PS_MIN(d->n_links - 1, (size_t)OPS_MAX_LINKS);
    if (d->n_links - 1 > n_more)
        log_warnf("status: only the first %d links after the first are watched", OPS_MAX_LINKS);
    d->ops_links = n_more ? calloc(n_more, sizeof *d->ops_links) : NULL;
    if (n_more && !d->ops_links)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n_more; i++) {
        const daemon_link *l = &d->links[i + 1];
        d->ops_links[i] =
            (ops_link_src){.name = engine_link_label(&l->link),
                           .ghl = l->ghl,
                           .ghl_tokens = l->ghl_tokens ? l->ghl_tokens : d->o.ghl_tokens,
                           .location_id = l->link.location_id,
                           .pl = l->pl,
                           .events = l->link.events};
    }
    ops_watch_options wo = {.cfg = d->o.cfg,
                            .store_url = d->store_url,
                            .clock = d->o.clock,
                            .ghl = first->ghl,
                            .ghl_tokens = d->o.ghl_tokens,
                            .location_id = first->link.location_id,
                            .pl = first->pl,
                            .more = d->ops_links,
                            .n_more = n_more,
                            .tick_ms = d->o.watch_tick_ms};
    ops_admin_options ao = {.store_url = d->store_url,
                            .clock = d->o.clock,
                            .admin_token = d->o.admin_token,
                            .ghl = first->ghl,
                            .ghl_tokens = d->o.ghl_tokens,
                            .location_id = first->link.location_id,
                            .pl = first->pl,
                            .more = d->ops_links,
                            .n_more = n_more,
                            .link_name = engine_link_label(&first->link),
                            .events = first->link.events,
                            .daemon_json = status_of,
                            .daemon_ctx = d};
    int rc = ops_watch_start(&d->watch, &wo, e);
    ao.watch = d->watch;
    if (rc == 0)
        rc = ops_admin_new(&d->admin, &ao, e);
    return rc;
}

/* The webhook endpoints route to the links; a link's PheedLoop deliveries are taken when it
 * has an organization and a check. */
static int new_capture(daemon *d, err *e)
{
    capture_link *routes = calloc(d->n_links, sizeof *routes);
    if (!routes)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->n_links; i++) {
        const daemon_link *l = &d->links[i];
        const pl_webhook *check = l->pl_webhooks ? l->pl_webhooks : d->o.pl_webhooks;
        routes[i] = (capture_link){.name = l->link.name,
                                   .location_id = l->link.location_id,
                                   .org_code = l->link.org_code,
                                   .events = l->link.events,
                                   .pl = l->link.org_code ? check : NULL};
    }
    capture_options co = {.store_url = d->store_url,
                          .clock = d->o.clock,
                          .ghl = d->o.ghl_webhooks,
                          .links = routes,
                          .n_links = d->n_links,
                          .coalesce_ms = d->o.coalesce_ms,
                          .notify = on_stored,
                          .notify_ctx = d};
    int rc = capture_new(&d->cap, &co, e);
    free(routes);
    return rc;
}

static int start_server(daemon *d, err *e)
{
    http_server_options so = {.bind_addr = d->o.bind_addr[0] ? d->o.bind_addr : "127.0.0.1",
                              .port = d->o.port};
    int rc = new_capture(d, e);
    if (rc == 0)
        rc = http_server_new(&d->srv, &so, e);
    if (rc == 0)
        rc = capture_mount(d->cap, d->srv, e);
    if (rc == 0 && (http_server_route(d->srv, "GET", "/healthz", "healthz", on_healthz, d) != 0 ||
                    ops_metrics_route(d->srv, NULL) != 0))
        rc = err_set(e, ERR_INTERNAL, "daemon: cannot route /healthz and /metrics");
    if (rc == 0)
        rc = ops_admin_mount(d->admin, d->srv, e);
    if (rc == 0)
        rc = http_server_start(d->srv, e);
    return rc;
}

/* The store opens (and its schema is brought up to date) once before any thread needs it; work
 * queued under a link that no longer syncs it is re-filed under the one that does. */
static int check_store(daemon *d, err *e)
{
    store *s = NULL;
    int rc = store_open(&s, d->store_url, d->o.clock, e);
    engine_link_cfg *cfgs = rc == 0 ? calloc(d->n_links, sizeof *cfgs) : NULL;
    if (rc == 0 && !cfgs)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < d->n_links; i++)
        cfgs[i] = d->links[i].link;
    engine_refile_report r = {0};
    if (rc == 0 && engine_refile_queues(&r, s, cfgs, d->n_links, true, e) == 0)
        engine_refile_log(&r, true);
    else if (rc == 0)
        log_warnf("queues: cannot check which link queued work belongs to: %s", e->msg);
    engine_refile_report_free(&r);
    free(cfgs);
    store_close(s);
    return rc;
}

static int init(daemon *d, const daemon_options *o, err *e)
{
    d->o = *o;
    if (!d->o.clock)
        d->o.clock = clock_system();
    if (!d->o.workers)
        d->o.workers = DEFAULT_WORKERS;
    if (!d->o.idle_ms)
        d->o.idle_ms = DEFAULT_IDLE_MS;
    if (!d->o.batch)
        d->o.batch = DEFAULT_BATCH;
    char owner[128], host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%ld", host, (long)getpid());
    d->store_url = o->store_url ? strdup(o->store_url) : NULL;
    d->owner = strdup(o->owner ? o->owner : owner);
    daemon_link one = {.link = o->link, .ghl = o->ghl, .pl = o->pl, .pl_webhooks = o->pl_webhooks};
    d->n_links = o->n_links ? o->n_links : 1;
    d->links = calloc(d->n_links, sizeof *d->links);
    if (d->links)
        memcpy(d->links, o->n_links ? o->links : &one, d->n_links * sizeof *d->links);
    d->o.owner = d->owner;
    atomic_init(&d->stop, false);
    pthread_mutex_init(&d->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (!o->store_url || !*o->store_url)
        return err_set(e, ERR_CONFIG, "[store] url: not set");
    return d->store_url && d->owner && d->links ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int daemon_start(daemon **out, const daemon_options *o, err *e)
{
    daemon *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = init(d, o, e);
    if (rc == 0)
        rc = check_store(d, e);
    if (rc == 0)
        rc = start_threads(d, e);
    if (rc == 0)
        rc = start_ops(d, e);
    if (rc == 0)
        rc = start_server(d, e);
    if (rc != 0) {
        daemon_free(d);
        return rc;
    }
    log_write(LOG_INFO, "daemon running",
              json_pack("{s:s, s:i, s:b, s:b, s:I}", "listen",
                        d->o.bind_addr[0] ? d->o.bind_addr : "127.0.0.1", "port",
                        (int)http_server_port(d->srv), "planner", d->o.planner != NULL, "workers",
                        d->o.worker != NULL, "poll_interval_ms",
                        (json_int_t)d->o.poll_interval_ms));
    *out = d;
    return 0;
}

uint16_t daemon_port(const daemon *d)
{
    return d->srv ? http_server_port(d->srv) : 0;
}

json_t *daemon_status(daemon *d)
{
    return json_pack("{s:b, s:o, s:I, s:I}", "ok", 1, "webhooks",
                     d->cap ? capture_stats_json(d->cap) : json_object(), "polls",
                     (json_int_t)atomic_load(&d->polls), "reconciles",
                     (json_int_t)atomic_load(&d->reconciles));
}

void daemon_stop(daemon *d)
{
    if (!d || d->stopped)
        return;
    d->stopped = true;
    /* First no new deliveries (the ones in hand finish: their answers wait for their commits),
     * then the threads. */
    if (d->srv)
        http_server_stop(d->srv);
    atomic_store(&d->stop, true);
    wake_all(d, false);
    if (d->o.on_stop)
        d->o.on_stop(d->o.on_stop_ctx);
    for (size_t i = 0; i < d->n_threads; i++)
        pthread_join(d->threads[i], NULL);
    d->n_threads = 0;
    ops_watch_free(d->watch); /* its last tick, then queued alerts get their chance to go out */
    d->watch = NULL;
}

void daemon_free(daemon *d)
{
    if (!d)
        return;
    daemon_stop(d);
    http_server_free(d->srv);
    ops_admin_free(d->admin);
    capture_free(d->cap);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    free(d->store_url);
    free(d->owner);
    free(d->links);
    free(d->ops_links);
    free(d);
}
