/* health.c: the daemon's health record (store, grants, breakers, API totals), readiness, JSON. */
#include "ops/health.h"
#include "util/clock.h"
#include "util/jsonx.h"

#include <stdarg.h>

__attribute__((format(printf, 2, 3))) static void add_problem(ops_health *h, const char *fmt, ...)
{
    h->ready = false;
    if (h->n_problems == OPS_MAX_PROBLEMS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->problems[h->n_problems++], sizeof h->problems[0], fmt, ap);
    va_end(ap);
}

/* Copies src into dst, cut to fit on purpose. */
static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%.*s", (int)n - 1, src ? src : "");
}

static void collect_store(ops_health *h, const ops_status_src *src)
{
    err e = {0};
    h->lag_ms = -1;
    if (!src->store) {
        copy(h->store_error, sizeof h->store_error,
             src->store_error ? src->store_error : "not open");
    } else if (store_count(&h->counts, src->store, &e) != 0) {
        copy(h->store_error, sizeof h->store_error, e.msg);
    } else {
        h->store_ok = true;
        h->lag_ms = h->counts.oldest_pending_ms > 0
                        ? PS_MAX((int64_t)0, src->now_ms - h->counts.oldest_pending_ms)
                        : 0;
        return;
    }
    add_problem(h, "store: %s (check [store] url and the disk)", h->store_error);
}

/* The breaker's state name from a client's state JSON ("" when it has none). */
static void breaker_of(ops_service_health *s, json_t *state)
{
    const char *name = jsonx_str(json_object_get(state, "breaker"), "state");
    snprintf(s->breaker, sizeof s->breaker, "%s", name ? name : "");
    json_decref(state);
}

void ops_service_key(char *out, size_t size, const ops_service_health *s)
{
    snprintf(out, size, *s->link ? "%s:%s" : "%s", s->name, s->link);
}

/* link: "" for the first link; named: its name for `connect --link` ("default" or NULL: none). */
static void collect_ghl(ops_service_health *s, ops_health *h, const char *link, const char *named,
                        ghl_client *ghl, ghl_tokens *tokens, const char *location_id)
{
    snprintf(s->name, sizeof s->name, "ghl");
    copy(s->link, sizeof s->link, link);
    s->ghl = ghl;
    s->location_id = location_id;
    bool reauth = false;
    char *reason = NULL;
    err e = {0};
    int rc = tokens && location_id
                 ? ghl_tokens_needs_reauth(&reauth, &reason, tokens, location_id, &e)
                 : err_set(&e, ERR_CONFIG, "no token manager or location");
    if (rc == 0) {
        s->needs_reauth = reauth;
        snprintf(s->auth, sizeof s->auth, "%s", reauth ? "needs_reauth" : "ok");
        copy(s->reason, sizeof s->reason, reauth && reason ? reason : "");
    } else if (rc == ERR_NOT_FOUND) {
        s->needs_reauth = 1;
        snprintf(s->auth, sizeof s->auth, "not_connected");
        snprintf(s->reason, sizeof s->reason, "no grant is stored for this location");
    } else {
        s->needs_reauth = -1;
        snprintf(s->auth, sizeof s->auth, "unknown");
        copy(s->reason, sizeof s->reason, e.msg);
    }
    free(reason);
    char in[64] = "";
    if (link && *link)
        snprintf(in, sizeof in, " (link %s)", link);
    if (s->needs_reauth == 1) {
        bool opt = named && *named && strcmp(named, "default") != 0;
        snprintf(s->fix, sizeof s->fix, "pheedsync connect ghl%s%.40s", opt ? " --link " : "",
                 opt ? named : "");
        add_problem(h, "HighLevel%s: %s (%s): run `%s`", in,
                    rc == 0 ? "needs re-authorization" : "not connected", s->reason, s->fix);
    } else if (s->needs_reauth < 0)
        add_problem(h, "HighLevel%s: cannot read the grant: %s", in, s->reason);
    breaker_of(s, ghl ? ghl_client_state_json(ghl) : NULL);
}

static void collect_pl(ops_service_health *s, const char *link, pl_client *pl)
{
    snprintf(s->name, sizeof s->name, "pheedloop");
    copy(s->link, sizeof s->link, link);
    s->pl = pl;
    s->needs_reauth = 0;
    snprintf(s->auth, sizeof s->auth, "ok");
    breaker_of(s, pl_client_state_json(pl));
}

void ops_health_collect(ops_health *out, const ops_status_src *src)
{
    memset(out, 0, sizeof *out);
    out->ready = true;
    collect_store(out, src);
    if (src->ghl)
        collect_ghl(&out->services[out->n_services++], out, "", src->link_name, src->ghl,
                    src->ghl_tokens, src->location_id);
    if (src->pl)
        collect_pl(&out->services[out->n_services++], "", src->pl);
    for (size_t i = 0; i < src->n_more && i < OPS_MAX_LINKS; i++) {
        const ops_link_src *l = &src->more[i];
        if (l->ghl)
            collect_ghl(&out->services[out->n_services++], out, l->name, l->name, l->ghl,
                        l->ghl_tokens, l->location_id);
        if (l->pl)
            collect_pl(&out->services[out->n_services++], l->name, l->pl);
    }
    for (size_t i = 0; i < out->n_services; i++) {
        ops_service_health *s = &out->services[i];
        /* With several links each link's services count their own account's calls. */
        const char *account = !strcmp(s->name, "ghl") ? s->location_id
                              : s->pl                 ? pl_client_org(s->pl)
                                                      : NULL;
        if (src->api && src->n_more > 0 && account && *account)
            s->api = ops_api_account_totals(src->api, s->name, account);
        else if (src->api && !*s->link)
            s->api = ops_api_totals(src->api, s->name);
        if (strcmp(s->breaker, "open") == 0)
            add_problem(out,
                        "%s%s%s%s: the circuit breaker is open after repeated failures (calls "
                        "wait for its cool-down)",
                        strcmp(s->name, "ghl") == 0 ? "HighLevel" : "PheedLoop",
                        *s->link ? " (link " : "", s->link, *s->link ? ")" : "");
    }
}

json_t *ops_budget_json(const json_t *gov)
{
    if (!gov)
        return NULL;
    int64_t max = jsonx_int(gov, "max_per_interval", 0);
    int64_t used = jsonx_int(gov, "used", 0);
    int64_t daily = jsonx_int(gov, "daily_limit", 0);
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:I}", "interval_max", (json_int_t)max, "interval_ms",
                  (json_int_t)jsonx_int(gov, "interval_ms", 0), "interval_left",
                  (json_int_t)PS_MAX((int64_t)0, max - used), "daily_limit", (json_int_t)daily);
    if (j)
        json_object_set_new(j, "daily_left",
                            daily > 0 ? json_integer(jsonx_int(gov, "daily_left", 0))
                                      : json_null());
    return j;
}

static json_t *store_json(const ops_health *h)
{
    const store_counts *c = &h->counts;
    if (!h->store_ok)
        return json_pack("{s:b, s:s}", "ok", 0, "error", h->store_error);
    return json_pack("{s:b, s:n, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "ok", 1, "error",
                     "links", (json_int_t)c->links, "inbox_pending", (json_int_t)c->inbox_pending,
                     "inbox_claimed", (json_int_t)c->inbox_claimed, "outbox_pending",
                     (json_int_t)c->outbox_pending, "outbox_running", (json_int_t)c->outbox_running,
                     "outbox_done", (json_int_t)c->outbox_done, "dead_letters",
                     (json_int_t)c->dead_letters, "held_pending", (json_int_t)c->held_pending,
                     "lag_seconds", (double)h->lag_ms / 1000.0);
}

/* A service's budget: HighLevel's governor of the synced location, PheedLoop's one. */
static json_t *budget_of(const ops_service_health *s)
{
    bool ghl = strcmp(s->name, "ghl") == 0;
    json_t *state = ghl ? ghl_client_state_json(s->ghl) : pl_client_state_json(s->pl);
    const json_t *gov = ghl ? json_object_get(json_object_get(state, "governors"),
                                              s->location_id ? s->location_id : "")
                            : json_object_get(state, "governor");
    json_t *b = ops_budget_json(gov);
    json_decref(state);
    return b ? b : json_null();
}

static json_t *service_json(const ops_service_health *s)
{
    bool ghl = strcmp(s->name, "ghl") == 0;
    const char *account = ghl ? s->location_id : pl_client_org(s->pl);
    json_t *j = json_pack("{s:s?, s:s, s:s?, s:s?, s:o, s:{s:I, s:I, s:I}}", "account", account,
                          "auth", s->auth, "reason", *s->reason ? s->reason : NULL, "breaker",
                          *s->breaker ? s->breaker : NULL, "budget", budget_of(s), "api", "calls",
                          (json_int_t)s->api.calls, "failures", (json_int_t)s->api.failures,
                          "rate_limited", (json_int_t)s->api.rate_limited);
    if (j && *s->fix)
        jsonx_set_str(j, "fix", s->fix);
    return j ? j : json_object();
}

static json_t *problems_json(const ops_health *h)
{
    json_t *a = json_array();
    for (size_t i = 0; i < h->n_problems; i++)
        json_array_append_new(a, json_string(h->problems[i]));
    return a;
}

/* A link's events as a JSON array; NULL when they are not known. */
static json_t *events_json(const char *const *events)
{
    if (!events)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && events[i]; i++)
        json_array_append_new(a, json_string(events[i]));
    return a;
}

/* The entry of the named link in links: made at its first service, with what src says of it. */
static json_t *link_entry(json_t *links, const char *name, const ops_status_src *src)
{
    json_t *last = json_array_get(links, json_array_size(links) - 1);
    if (last && strcmp(jsonx_str(last, "name"), name) == 0)
        return last;
    last = json_pack("{s:s, s:{}}", "name", name, "services");
    for (size_t i = 0; last && i < src->n_more; i++) {
        json_t *ev = strcmp(src->more[i].name, name) == 0 ? events_json(src->more[i].events) : NULL;
        if (ev)
            json_object_set_new(last, "events", ev);
    }
    json_array_append_new(links, last);
    return last;
}

/* The first link's name and events, with several links. */
static json_t *first_link_json(const ops_status_src *src)
{
    json_t *j = json_pack("{s:s}", "name", src->link_name ? src->link_name : "default");
    json_t *ev = events_json(src->events);
    if (j && ev)
        json_object_set_new(j, "events", ev);
    else
        json_decref(ev);
    return j;
}

json_t *ops_health_json(const ops_health *h, const ops_status_src *src)
{
    char at[CLOCK_ISO_LEN];
    clock_format_iso(src->now_ms, at);
    json_t *services = json_object(), *links = json_array();
    for (size_t i = 0; i < h->n_services; i++) {
        const ops_service_health *s = &h->services[i];
        json_t *into = services;
        if (*s->link)
            into = json_object_get(link_entry(links, s->link, src), "services");
        json_object_set_new(into, s->name, service_json(s));
    }
    json_t *j = json_pack("{s:b, s:o, s:s, s:o, s:o}", "ready", h->ready, "problems",
                          problems_json(h), "at", at, "store", store_json(h), "services", services);
    if (j && json_array_size(links)) {
        json_object_set(j, "links", links);
        json_object_set_new(j, "link", first_link_json(src));
    }
    json_decref(links);
    return j;
}

json_t *ops_readiness_json(const ops_health *h)
{
    json_t *checks = json_object();
    json_object_set_new(checks, "store", json_string(h->store_ok ? "ok" : h->store_error));
    for (size_t i = 0; i < h->n_services; i++) {
        const ops_service_health *s = &h->services[i];
        char what[256];
        if (s->needs_reauth != 0)
            snprintf(what, sizeof what, "%s: %s", s->auth, s->reason);
        else if (strcmp(s->breaker, "open") == 0)
            snprintf(what, sizeof what, "breaker open");
        else
            snprintf(what, sizeof what, "ok");
        char key[80];
        ops_service_key(key, sizeof key, s);
        json_object_set_new(checks, key, json_string(what));
    }
    return json_pack("{s:b, s:o, s:o}", "ready", h->ready, "checks", checks, "problems",
                     problems_json(h));
}
