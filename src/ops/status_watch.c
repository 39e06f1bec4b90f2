/* status_watch.c: the watch thread: health to gauges, store counts to counters and the chart,
 * and observations to the alert monitor, once per tick. */
#include "ops/status_watch.h"
#include "ops/page_series.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#define DEFAULT_TICK_MS 2000
#define AUDIT_BATCH 1000

struct ops_watch {
    ops_watch_options o;
    char *store_url, *location_id;
    clock_source *clk;
    store *store; /* the thread's own handle; NULL until it opens */
    ops_api_metrics api;
    metric *up_store, *ready, *queue, *dead, *links, *lag, *applied, *conflicts, *budget, *reauth,
        *breaker_open, *alerts_active, *webhooks, *link_budget, *link_reauth, *link_breaker;
    alert_monitor *mon; /* NULL: no [alert] */
    alert_window *window;
    ops_delta d_done, d_dead, d_api, d_hooks;
    int64_t audit_last; /* the newest audit entry looked at; -1 before the first tick */
    pthread_t thread;
    bool started;
    pthread_mutex_t mu; /* stop, kicked, series */
    pthread_cond_t cv;
    bool stop, kicked;
    ops_series series;
    _Atomic uint64_t ticks;
    _Atomic size_t active;
};

typedef struct family_spec {
    metric **out;
    bool counter;
    const char *name, *help, *labels;
} family_spec;

static int register_families(ops_watch *w, metrics *m, err *e)
{
    const family_spec t[] = {
        {&w->up_store, false, "pheedsync_up_store", "1 when the store answers.", NULL},
        {&w->ready, false, "pheedsync_ready", "1 when /readyz says ready.", NULL},
        {&w->queue, false, "pheedsync_queue_depth", "Items waiting, by queue.", "queue"},
        {&w->dead, false, "pheedsync_dead_letters", "Operations in the dead-letter queue.", NULL},
        {&w->links, false, "pheedsync_links", "People linked across both services.", NULL},
        {&w->lag, false, "pheedsync_sync_lag_seconds",
         "Age of the oldest change not yet applied (0 when nothing waits).", NULL},
        {&w->applied, true, "pheedsync_operations_applied_total",
         "Operations completed, as seen by this process.", NULL},
        {&w->conflicts, true, "pheedsync_conflicts_total",
         "Merge decisions audited: a field changed on both sides, settled by its owner.", NULL},
        {&w->budget, false, "pheedsync_rate_budget_left",
         "API requests left in the current interval and day, by service.", "service,window"},
        {&w->reauth, false, "pheedsync_needs_reauth",
         "1 when the service's grant needs `pheedsync connect` again.", "service"},
        {&w->breaker_open, false, "pheedsync_breaker_open",
         "1 while the service's circuit breaker is open.", "service"},
        {&w->alerts_active, false, "pheedsync_alerts_active", "Alert incidents going on.", NULL},
        {&w->webhooks, true, "pheedsync_webhooks_total",
         "Webhook deliveries by source and outcome.", "source,outcome"},
        {&w->link_budget, false, "pheedsync_link_rate_budget_left",
         "API requests left in the current interval and day, by link and service.",
         "link,service,window"},
        {&w->link_reauth, false, "pheedsync_link_needs_reauth",
         "1 when the link's grant needs `pheedsync connect` again.", "link,service"},
        {&w->link_breaker, false, "pheedsync_link_breaker_open",
         "1 while the circuit breaker of the link's service is open.", "link,service"},
    };
    int rc = ops_api_metrics_init(&w->api, m, e);
    for (size_t i = 0; rc == 0 && i < PS_ARRAY_LEN(t); i++)
        rc = t[i].counter ? metrics_counter(t[i].out, m, t[i].name, t[i].help, t[i].labels, e)
                          : metrics_gauge(t[i].out, m, t[i].name, t[i].help, t[i].labels, e);
    return rc;
}

static void set_store_gauges(ops_watch *w, const ops_health *h)
{
    metric_set(metric_only(w->up_store), h->store_ok);
    metric_set(metric_only(w->ready), h->ready);
    if (!h->store_ok)
        return;
    const store_counts *c = &h->counts;
    metric_set(metric_at(w->queue, "inbox_pending"), (double)c->inbox_pending);
    metric_set(metric_at(w->queue, "inbox_claimed"), (double)c->inbox_claimed);
    metric_set(metric_at(w->queue, "outbox_pending"), (double)c->outbox_pending);
    metric_set(metric_at(w->queue, "outbox_running"), (double)c->outbox_running);
    metric_set(metric_at(w->queue, "held_deletes"), (double)c->held_pending);
    metric_set(metric_only(w->dead), (double)c->dead_letters);
    metric_set(metric_only(w->links), (double)c->links);
    metric_set(metric_only(w->lag), (double)h->lag_ms / 1000.0);
}

static void set_budget(ops_watch *w, const char *link, const char *service, const json_t *gov)
{
    json_t *b = ops_budget_json(gov);
    if (!b)
        return;
    bool day = json_is_integer(json_object_get(b, "daily_left"));
    double interval = (double)jsonx_int(b, "interval_left", 0);
    double daily = (double)jsonx_int(b, "daily_left", 0);
    if (!*link) {
        metric_set(metric_at(w->budget, service, "interval"), interval);
        if (day)
            metric_set(metric_at(w->budget, service, "day"), daily);
    }
    const char *label = *link ? link : "default";
    metric_set(metric_at(w->link_budget, label, service, "interval"), interval);
    if (day)
        metric_set(metric_at(w->link_budget, label, service, "day"), daily);
    json_decref(b);
}

static void set_service_gauges(ops_watch *w, const ops_health *h)
{
    for (size_t i = 0; i < h->n_services; i++) {
        const ops_service_health *s = &h->services[i];
        const char *label = *s->link ? s->link : "default";
        bool open = strcmp(s->breaker, "open") == 0;
        if (!*s->link && s->needs_reauth >= 0)
            metric_set(metric_at(w->reauth, s->name), s->needs_reauth);
        if (!*s->link)
            metric_set(metric_at(w->breaker_open, s->name), open);
        if (s->needs_reauth >= 0)
            metric_set(metric_at(w->link_reauth, label, s->name), s->needs_reauth);
        metric_set(metric_at(w->link_breaker, label, s->name), open);
        bool ghl = !strcmp(s->name, "ghl");
        json_t *st = ghl ? (s->ghl ? ghl_client_state_json(s->ghl) : NULL)
                         : (s->pl ? pl_client_state_json(s->pl) : NULL);
        const json_t *gov = ghl ? json_object_get(json_object_get(st, "governors"),
                                                  s->location_id ? s->location_id : "")
                                : json_object_get(st, "governor");
        set_budget(w, s->link, s->name, gov);
        json_decref(st);
    }
}

/* Counts the merge decisions audited since the last look (the first look only notes where the
 * log ends: what happened before this process started is not its to count). */
static void follow_audit(ops_watch *w)
{
    store_audit_entries list = {0};
    err e = {0};
    size_t max = w->audit_last < 0 ? 1 : AUDIT_BATCH;
    if (store_audit_recent(&list, w->store, PS_MAX((int64_t)0, w->audit_last), max, &e) != 0)
        return;
    uint64_t decisions = 0;
    for (size_t i = 0; i < list.n; i++)
        decisions += strcmp(list.v[i].direction, "decision") == 0;
    if (w->audit_last >= 0)
        metric_add(metric_only(w->conflicts), decisions);
    if (list.n > 0)
        w->audit_last = list.v[0].id;
    else if (w->audit_last < 0)
        w->audit_last = 0;
    store_audit_entries_free(&list);
}

static uint64_t webhooks_accepted(ops_watch *w)
{
    return metric_counter_value(metric_at(w->webhooks, "ghl", "accepted")) +
           metric_counter_value(metric_at(w->webhooks, "pheedloop", "accepted"));
}

static void chart(ops_watch *w, const ops_health *h, int64_t now)
{
    uint64_t api = 0;
    for (size_t i = 0; i < h->n_services; i++)
        api += h->services[i].api.calls;
    uint64_t add[OPS_SERIES_KINDS] = {0};
    if (h->store_ok) {
        add[OPS_SERIES_APPLIED] = ops_delta_next(&w->d_done, (uint64_t)h->counts.outbox_done);
        add[OPS_SERIES_FAILED] = ops_delta_next(&w->d_dead, (uint64_t)h->counts.dead_letters);
    }
    add[OPS_SERIES_API] = ops_delta_next(&w->d_api, api);
    add[OPS_SERIES_WEBHOOKS] = ops_delta_next(&w->d_hooks, webhooks_accepted(w));
    metric_add(metric_only(w->applied), add[OPS_SERIES_APPLIED]);
    pthread_mutex_lock(&w->mu);
    for (size_t k = 0; k < OPS_SERIES_KINDS; k++)
        ops_series_add(&w->series, now, (ops_series_kind)k, add[k]);
    pthread_mutex_unlock(&w->mu);
}

static void feed_alerts(ops_watch *w, const ops_health *h, int64_t now)
{
    if (!w->mon)
        return;
    alert_service_obs svc[OPS_MAX_SERVICES];
    char keys[OPS_MAX_SERVICES][ALERT_NAME_MAX];
    for (size_t i = 0; i < h->n_services; i++) {
        const ops_service_health *s = &h->services[i];
        ops_service_key(keys[i], sizeof keys[i], s);
        alert_totals inc = alert_window_add(w->window, keys[i], now, s->api);
        svc[i] = (alert_service_obs){.name = keys[i],
                                     .calls = inc.calls,
                                     .failures = inc.failures,
                                     .rate_limited = inc.rate_limited,
                                     .needs_reauth = s->needs_reauth};
    }
    alert_obs obs = {.services = svc,
                     .n_services = h->n_services,
                     .dead_letters = h->store_ok ? h->counts.dead_letters : -1,
                     .max_lag_ms = h->store_ok ? h->lag_ms : -1};
    alert_monitor_feed(w->mon, &obs, now);
    atomic_store(&w->active, alert_monitor_active(w->mon));
    metric_set(metric_only(w->alerts_active), (double)atomic_load(&w->active));
}

static void tick(ops_watch *w)
{
    int64_t now = clock_now_ms(w->clk);
    err e = {0};
    if (!w->store && store_open(&w->store, w->store_url, w->o.clock, &e) != 0)
        w->store = NULL;
    ops_status_src src = {.store = w->store,
                          .store_error = e.msg,
                          .ghl = w->o.ghl,
                          .ghl_tokens = w->o.ghl_tokens,
                          .location_id = w->location_id,
                          .pl = w->o.pl,
                          .api = &w->api,
                          .now_ms = now,
                          .more = w->o.more,
                          .n_more = w->o.n_more};
    ops_health h;
    ops_health_collect(&h, &src);
    if (h.store_ok)
        follow_audit(w);
    set_store_gauges(w, &h);
    set_service_gauges(w, &h);
    chart(w, &h, now);
    feed_alerts(w, &h, now);
    if (!h.store_ok && w->store) {
        store_close(w->store); /* a fresh connection next time */
        w->store = NULL;
    }
    atomic_fetch_add(&w->ticks, 1);
}

static void wait_tick(ops_watch *w)
{
    struct timespec until = clock_mono_deadline(w->o.tick_ms);
    while (!w->stop && !w->kicked)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
            break;
}

static void *watch_main(void *arg)
{
    ops_watch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        w->kicked = false;
        pthread_mutex_unlock(&w->mu);
        tick(w);
        pthread_mutex_lock(&w->mu);
        wait_tick(w);
    }
    pthread_mutex_unlock(&w->mu);
    store_close(w->store);
    w->store = NULL;
    return NULL;
}

static int init(ops_watch *w, const ops_watch_options *o, err *e)
{
    w->o = *o;
    w->clk = o->clock ? o->clock : clock_system();
    if (w->o.tick_ms <= 0)
        w->o.tick_ms = DEFAULT_TICK_MS;
    w->audit_last = -1;
    ops_series_init(&w->series);
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    w->store_url = o->store_url ? strdup(o->store_url) : NULL;
    w->location_id = o->location_id ? strdup(o->location_id) : NULL;
    if (!w->store_url || (o->location_id && !w->location_id))
        return o->store_url ? err_set(e, ERR_NOMEM, "out of memory")
                            : err_set(e, ERR_CONFIG, "[store] url: not set");
    int rc = register_families(w, o->metrics ? o->metrics : metrics_default(), e);
    if (rc == 0 && o->cfg)
        rc = alert_monitor_new(&w->mon, o->cfg, e);
    if (rc == 0 && w->mon)
        rc = alert_window_new(&w->window, alert_monitor_window_ms(w->mon), e);
    return rc;
}

int ops_watch_start(ops_watch **out, const ops_watch_options *o, err *e)
{
    ops_watch *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = init(w, o, e);
    if (rc == 0) {
        int prc = pthread_create(&w->thread, NULL, watch_main, w);
        if (prc != 0)
            rc = err_set(e, ERR_INTERNAL, "watch: cannot start a thread: %s", strerror(prc));
        w->started = prc == 0;
    }
    if (rc != 0) {
        ops_watch_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void ops_watch_kick(ops_watch *w)
{
    pthread_mutex_lock(&w->mu);
    w->kicked = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

uint64_t ops_watch_ticks(ops_watch *w)
{
    return atomic_load(&w->ticks);
}

size_t ops_watch_alerts_active(ops_watch *w)
{
    return atomic_load(&w->active);
}

json_t *ops_watch_series_json(ops_watch *w)
{
    int64_t now = clock_now_ms(w->clk);
    pthread_mutex_lock(&w->mu);
    json_t *j = ops_series_json(&w->series, now);
    pthread_mutex_unlock(&w->mu);
    if (j)
        json_object_set_new(j, "alerts_active",
                            json_integer((json_int_t)ops_watch_alerts_active(w)));
    return j;
}

void ops_watch_free(ops_watch *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    alert_monitor_free(w->mon);
    alert_window_free(w->window);
    store_close(w->store);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->store_url);
    free(w->location_id);
    free(w);
}
