/* daemon.h: what `pheedsync run` runs: the webhook server, the pollers, the scheduled
 * reconcile, and the planner and worker threads, each thread on its own store connection.
 *
 * Threads and cadences:
 *   webhooks   the HTTP server on [server] listen (one thread per connection): POST
 *              /webhooks/ghl, POST /webhooks/pheedloop (capture.h), GET /healthz, GET /metrics
 *              (the process registry; pheedsync_webhooks_total{source, outcome}), and what the
 *              operator reads: /readyz, the status page at / and its /api/ (ops/admin_http.h).
 *   watch      every watch_tick_ms: health to /metrics gauges, the page's chart, and [alert]
 *              (ops/status_watch.h).
 *   poller     at start, then every [sync] poll_interval: HighLevel contacts by dateUpdated and
 *              PheedLoop registrations of every event; every slow_every-th time also the tasks
 *              of a share of the linked contacts and the attendee listing of every event
 *              (poller.h). A store lock keeps two processes from polling together.
 *   reconcile  every [sync] reconcile_interval after the last run recorded in the store (the
 *              first start records a baseline: the first polls are the initial pass), under a
 *              store lock (reconcile.h).
 *   planner    one thread, workers: N threads; each calls its step in a loop, waiting idle_ms
 *              (or until a webhook arrives, for the planner) after a pass that found nothing.
 * Several links of one configuration (engine.h): one webhook server routes each delivery to its
 * link (capture.h); every link has its own poller, reconcile, planner and workers, on store
 * handles bound to it, under locks and cursors of its own (engine_link_scoped).
 * Stopping: the server stops accepting and finishes the requests in hand; then every thread is
 * told to stop and joined: pollers and reconcile stop between pages, the planner and workers
 * after the pass in hand. Nothing committed is lost, nothing half-done is committed. */
#ifndef PHEEDSYNC_ENGINE_DAEMON_H
#define PHEEDSYNC_ENGINE_DAEMON_H

#include "engine/engine.h"
#include "ghl/ghl_webhook.h"
#include "pheedloop/pl_webhook.h"

/* One pass of the planner or of a worker: takes up to max ready items (record keys, operations),
 * handles them and returns; *out_done says how many it took (0: nothing was ready). en is the
 * calling thread's own engine (its own store handle). A failure is logged by the daemon, which
 * waits a little and calls again. The shape of engine_plan_some and engine_work_some. */
typedef int (*daemon_step)(engine *en, size_t max, size_t *out_done, err *e);

/* One link: its engine's link and clients, and the check of its PheedLoop webhooks. */
typedef struct daemon_link {
    engine_link_cfg link;
    ghl_client *ghl; /* NULL: HighLevel is neither polled nor reconciled for this link */
    pl_client *pl;   /* likewise for PheedLoop */
    const pl_webhook *pl_webhooks; /* NULL: the options' pl_webhooks */
    ghl_tokens *ghl_tokens;        /* its grant, for /readyz and alerts; NULL: the options' */
} daemon_link;

typedef struct daemon_options {
    const config *cfg; /* handed to every engine; may be NULL in tests */
    const char *store_url;
    clock_source *clock; /* NULL: system */
    const char *owner;   /* this process in leases and locks, "host:pid"; NULL: made up */
    ghl_client *ghl;     /* shared by every thread; NULL: HighLevel is neither polled nor
                            reconciled */
    pl_client *pl;       /* likewise for PheedLoop */
    engine_link_cfg link;
    /* Several links (n_links > 0; the array is copied, what it points to is kept by
     * reference), else the one of ghl, pl, link and pl_webhooks. */
    const daemon_link *links;
    size_t n_links;

    /* Webhooks: both NULL: no webhook routes. */
    char bind_addr[64]; /* "" : 127.0.0.1 */
    uint16_t port;      /* 0: a free port (daemon_port) */
    const ghl_webhook_verifier *ghl_webhooks;
    const pl_webhook *pl_webhooks;
    int64_t coalesce_ms; /* the hints' delay */

    /* The operator's side (ops/admin_http.h, ops/status_watch.h): every link's accounts (the
     * first as with one link; the others labelled by their name). */
    const char *admin_token; /* [server] admin_token: the page's actions; NULL: off */
    ghl_tokens *ghl_tokens;  /* HighLevel's grant, for /readyz and alerts; NULL: unknown */
    int64_t watch_tick_ms;   /* 0: 2000; alerts follow cfg's [alert] (none when cfg is NULL) */

    /* Cadences; 0 turns the job off. */
    int64_t poll_interval_ms;
    unsigned slow_every; /* tasks and attendee listings every this many polls; 0: 6 */
    size_t task_batch;   /* linked contacts whose tasks one slow poll checks; 0: 100 */
    int64_t reconcile_interval_ms;

    daemon_step planner; /* NULL: no planner thread */
    daemon_step worker;  /* NULL: no worker threads */
    size_t workers;      /* 0: 2 */
    size_t batch;        /* items per pass; 0: 16 */
    int64_t idle_ms;     /* 0: 250 */
    /* Called as the daemon stops, before it waits for its threads (NULL: nothing): e.g. to end
     * waits for rate budget, so that only requests already sent are finished. */
    void (*on_stop)(void *ctx);
    void *on_stop_ctx;
} daemon_options;

/* Fills the options from the configuration: store URL, [server] listen and admin_token, [sync]
 * poll_interval, reconcile_interval, coalesce_ms. ERR_CONFIG names a bad listen address. The
 * rest stays as the caller set it. */
int daemon_options_from_config(daemon_options *o, const config *cfg, err *e);

typedef struct daemon daemon;

/* Checks the store, starts the threads, then the server (the port is taken last, so nothing is
 * acknowledged before the daemon can work). */
int daemon_start(daemon **out, const daemon_options *o, err *e);
uint16_t daemon_port(const daemon *d);
/* {"webhooks": capture_stats_json, "polls": N, "reconciles": N} */
json_t *daemon_status(daemon *d);
/* Stops as described above; safe to call twice. */
void daemon_stop(daemon *d);
void daemon_free(daemon *d);

#endif
