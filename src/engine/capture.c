/* capture.c: the capture record, its pool of store connections, the one transaction that
 * stores a delivery, and the counted answers. */
#include "engine/capture_int.h"
#include "engine/engine.h"
#include "util/log.h"

static char *dup_or_null(const char *s, bool *failed)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *failed = true;
    return d;
}

static char **dup_list(const char *const *v, bool *failed)
{
    if (!v)
        return NULL;
    size_t n = 0;
    while (v[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out) {
        *failed = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = dup_or_null(v[i], failed);
    return out;
}

static void copy_route(capture_route *r, const capture_link *l, const pl_webhook *pl, bool *failed)
{
    r->name = dup_or_null(l->name ? l->name : ENGINE_DEFAULT_LINK, failed);
    r->location_id = dup_or_null(l->location_id, failed);
    r->org_code = dup_or_null(l->org_code, failed);
    r->events = dup_list(l->events, failed);
    r->pl = l->pl ? l->pl : pl;
}

static int check_links(const capture_options *o, const capture_link *links, size_t n, err *e)
{
    if (!o->store_url || !*o->store_url)
        return err_set(e, ERR_INVALID, "capture: no store URL");
    for (size_t i = 0; i < n; i++)
        if ((links[i].pl || o->pl) && (!links[i].org_code || !*links[i].org_code))
            return err_set(e, ERR_INVALID,
                           "capture: PheedLoop webhooks need the organization code");
    return 0;
}

int capture_new(capture **out, const capture_options *o, err *e)
{
    capture_link one = {.name = ENGINE_DEFAULT_LINK,
                        .location_id = o->location_id,
                        .org_code = o->org_code,
                        .events = o->events};
    const capture_link *links = o->n_links ? o->links : &one;
    size_t n = o->n_links ? o->n_links : 1;
    int rc = check_links(o, links, n, e);
    if (rc != 0)
        return rc;
    capture *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    bool failed = false;
    c->store_url = dup_or_null(o->store_url, &failed);
    c->routes = calloc(n, sizeof *c->routes);
    failed |= !c->routes;
    for (size_t i = 0; c->routes && i < n; i++) {
        copy_route(&c->routes[i], &links[i], o->pl, &failed);
        c->n_routes = i + 1;
        if (c->routes[i].pl)
            c->pl = c->routes[i].pl;
    }
    c->clock = o->clock ? o->clock : clock_system();
    c->ghl = o->ghl;
    c->coalesce_ms = o->coalesce_ms;
    c->notify = o->notify;
    c->notify_ctx = o->notify_ctx;
    c->max_idle = o->max_idle_handles ? o->max_idle_handles : 8;
    c->idle = calloc(c->max_idle, sizeof *c->idle);
    pthread_mutex_init(&c->mu, NULL);
    /* The registry is the process's: the family is shared by every capture, and a failure to
     * register only costs the metric. */
    metrics_counter(&c->webhooks, metrics_default(), "pheedsync_webhooks_total",
                    "Webhook deliveries by source and outcome.", "source,outcome", NULL);
    if (failed || !c->idle) {
        capture_free(c);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = c;
    return 0;
}

void capture_free(capture *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_idle; i++)
        store_close(c->idle[i]);
    free(c->idle);
    for (size_t i = 0; i < c->n_routes; i++) {
        capture_route *r = &c->routes[i];
        for (size_t j = 0; r->events && r->events[j]; j++)
            free(r->events[j]);
        free(r->events);
        free(r->name);
        free(r->location_id);
        free(r->org_code);
    }
    free(c->routes);
    free(c->store_url);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

bool capture_event_synced(const capture_route *r, const char *event)
{
    if (!r->events)
        return true;
    for (size_t i = 0; r->events[i]; i++)
        if (strcmp(r->events[i], event) == 0)
            return true;
    return false;
}

/* A connection for this request: an idle one, else a new one. */
static int pool_take(store **out, capture *c, err *e)
{
    pthread_mutex_lock(&c->mu);
    store *s = c->n_idle ? c->idle[--c->n_idle] : NULL;
    pthread_mutex_unlock(&c->mu);
    if (s) {
        *out = s;
        return 0;
    }
    return store_open(out, c->store_url, c->clock, e);
}

/* Keeps a healthy connection for the next request; a failed one is closed, so that a broken
 * connection is not handed out again. */
static void pool_give(capture *c, store *s, bool healthy)
{
    if (healthy) {
        pthread_mutex_lock(&c->mu);
        if (c->n_idle < c->max_idle) {
            c->idle[c->n_idle++] = s;
            s = NULL;
        }
        pthread_mutex_unlock(&c->mu);
    }
    store_close(s);
}

int capture_store_delivery(capture *c, const char *source, const char *delivery_id,
                           const store_hint_new *h, err *e)
{
    store *s = NULL;
    int rc = pool_take(&s, c, e);
    if (rc != 0)
        return rc;
    bool seen = false;
    rc = store_begin(s, e);
    if (rc == 0)
        rc = store_delivery_seen_or_insert(&seen, s, source, delivery_id, e);
    if (rc == 0 && !seen)
        rc = store_inbox_append(NULL, s, h, e);
    /* A duplicate changes nothing: roll back rather than commit an empty transaction. */
    if (rc == 0 && !seen)
        rc = store_commit(s, e);
    if (rc != 0 || seen)
        store_rollback(s, NULL);
    pool_give(c, s, rc == 0);
    if (rc == 0 && !seen && c->notify)
        c->notify(c->notify_ctx);
    return rc != 0 ? rc : seen ? 1 : 0;
}

static const char *const outcome_names[CAPTURE_OUTCOMES] = {
    "accepted", "duplicates", "ignored", "forged", "stale", "malformed", "busy", "failed",
};
static const char *const source_names[CAPTURE_SRCS] = {"ghl", "pheedloop"};

void capture_answer(capture *c, int src, int outcome, http_response *res, const char *why)
{
    atomic_fetch_add(&c->counts[src][outcome], 1);
    metric_inc(metric_at(c->webhooks, source_names[src], outcome_names[outcome]));
    int status = 200;
    switch (outcome) {
    case CAPTURE_FORGED:
    case CAPTURE_STALE:
        status = 401;
        break;
    case CAPTURE_MALFORMED:
        status = 400;
        break;
    case CAPTURE_BUSY:
        status = 429;
        http_response_header(res, "Retry-After", "5");
        break;
    case CAPTURE_FAILED:
        status = 500;
        break;
    default:
        break;
    }
    if (status >= 400)
        log_write(LOG_WARN, "webhook refused",
                  json_pack("{s:s, s:s, s:i, s:s}", "source", source_names[src], "outcome",
                            outcome_names[outcome], "status", status, "why", why ? why : ""));
    json_t *body = status < 400 ? json_pack("{s:b}", "ok", 1)
                                : json_pack("{s:b, s:s}", "ok", 0, "error", why ? why : "");
    if (body && outcome == CAPTURE_DUPLICATE)
        json_object_set_new(body, "duplicate", json_true());
    if (body && outcome == CAPTURE_IGNORED)
        json_object_set_new(body, "ignored", json_string(why ? why : ""));
    http_response_json(res, status, body);
}

static int source_index(const char *source)
{
    return source && strcmp(source, "pheedloop") == 0 ? CAPTURE_SRC_PL : CAPTURE_SRC_GHL;
}

void capture_stats_get(capture *c, const char *source, capture_stats *out)
{
    _Atomic int64_t *n = c->counts[source_index(source)];
    *out = (capture_stats){
        .accepted = atomic_load(&n[CAPTURE_ACCEPTED]),
        .duplicates = atomic_load(&n[CAPTURE_DUPLICATE]),
        .ignored = atomic_load(&n[CAPTURE_IGNORED]),
        .forged = atomic_load(&n[CAPTURE_FORGED]),
        .stale = atomic_load(&n[CAPTURE_STALE]),
        .malformed = atomic_load(&n[CAPTURE_MALFORMED]),
        .busy = atomic_load(&n[CAPTURE_BUSY]),
        .failed = atomic_load(&n[CAPTURE_FAILED]),
    };
}

json_t *capture_stats_json(capture *c)
{
    json_t *all = json_object();
    for (int src = 0; all && src < CAPTURE_SRCS; src++) {
        json_t *one = json_object();
        for (int i = 0; one && i < CAPTURE_OUTCOMES; i++)
            json_object_set_new(one, outcome_names[i],
                                json_integer((json_int_t)atomic_load(&c->counts[src][i])));
        json_object_set_new(all, source_names[src], one);
    }
    return all;
}
