/* status.c: the health report of `pheedsync status`, from the store and one probe per service. */
#include "ops/status.h"
#include "engine/poller.h"
#include "engine/reconcile.h"
#include "engine/refile.h"
#include "ops/verify.h"
#include "util/jsonx.h"

typedef struct status {
    app_ctx *a;
    bool probe;
    json_t *root, *attention;
} status;

static void attention(status *st, const char *what)
{
    json_array_append_new(st->attention, json_string(what));
}

/* The cursor's JSON value; NULL when unset. A value that is not JSON is given as a string. */
static json_t *cursor_json(store *s, const char *name, err *e, int *rc)
{
    char *text = NULL;
    *rc = store_cursor_get(&text, s, name, e);
    if (*rc == ERR_NOT_FOUND) {
        *rc = 0;
        return NULL;
    }
    if (*rc != 0)
        return NULL;
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!j)
        j = json_string(text);
    free(text);
    return j;
}

/* The store's URL without its password. */
static json_t *url_shown(const char *url)
{
    if (!url)
        return json_null();
    char out[STORE_URL_SHOWN_MAX];
    store_url_shown(out, sizeof out, url);
    return json_string(out);
}

/* ---------------------------------------------------------------- people and queues */

/* Distinct people among the dead letters: by the link their record names, else the key. */
static int failing_people(int64_t *out, store *s, err *e)
{
    json_t *seen = json_object();
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        store_deads page = {0};
        rc = store_dead_list(&page, s, after, 500, e);
        for (size_t i = 0; rc == 0 && i < page.n; i++) {
            const char *key = page.v[i].op.record_key;
            char scratch[ENGINE_KEY_MAX], who[64];
            const char *parts[3];
            const char *side = key ? engine_key_parse(key, scratch, parts) : NULL;
            store_link *l = NULL;
            int lr = ERR_NOT_FOUND;
            err e2 = {0};
            if (side && !strcmp(side, "ghl"))
                lr = store_link_by_contact(&l, s, parts[0], parts[1], &e2);
            else if (side)
                lr = store_link_by_attendee(&l, s, parts[0], parts[1], parts[2], &e2);
            if (lr == 0)
                snprintf(who, sizeof who, "link:%lld", (long long)l->id);
            store_link_free(l);
            json_object_set_new(seen, lr == 0 ? who : key ? key : "?", json_true());
            after = page.v[i].op.id;
        }
        size_t n = page.n;
        store_deads_free(&page);
        if (rc != 0 || n == 0)
            break;
    }
    *out = (int64_t)json_object_size(seen);
    json_decref(seen);
    return rc;
}

static int people(status *st, err *e)
{
    store *s = st->a->store;
    store_counts c;
    int rc = store_count(&c, s, e);
    int64_t failing = 0;
    if (rc == 0)
        rc = failing_people(&failing, s, e);
    json_t *last = rc == 0 ? cursor_json(s, OPS_VERIFY_CURSOR, e, &rc) : NULL;
    if (rc != 0)
        return rc;
    int64_t at = jsonx_int(last, "at_ms", 0);
    char iso[CLOCK_ISO_LEN] = "";
    if (at > 0)
        clock_format_iso(at, iso);
    json_t *ppl =
        json_pack("{s:I, s:o, s:o, s:o}", "linked", (json_int_t)c.links, "in_sync",
                  last ? json_integer(jsonx_int(last, "in_sync", 0)) : json_null(), "drifted",
                  last ? json_integer(jsonx_int(last, "drifted", 0)) : json_null(), "verified_at",
                  at > 0 ? json_string(iso) : json_null());
    json_decref(last);
    json_object_set_new(st->root, "people", ppl);
    json_object_set_new(
        st->root, "queue",
        json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I}", "pending",
            (json_int_t)(c.inbox_pending + c.inbox_claimed + c.outbox_pending + c.outbox_running),
            "hints_pending", (json_int_t)c.inbox_pending, "hints_claimed",
            (json_int_t)c.inbox_claimed, "ops_pending", (json_int_t)c.outbox_pending, "ops_running",
            (json_int_t)c.outbox_running, "ops_done", (json_int_t)c.outbox_done));
    json_object_set_new(st->root, "failing",
                        json_pack("{s:I, s:I}", "dead_letters", (json_int_t)c.dead_letters,
                                  "people", (json_int_t)failing));
    json_object_set_new(st->root, "held_deletes", json_integer(c.held_pending));
    if (c.dead_letters > 0)
        attention(st, "dead letters wait for an operator: `pheedsync dlq list`");
    if (c.held_pending > 0)
        attention(st, "deletes wait for approval: `pheedsync approve --list`");
    return 0;
}

/* ---------------------------------------------------------------- services */

static const char *ghl_failure_state(const ghl_call *call)
{
    if (call->held)
        return "needs_reauth";
    switch (call->error.kind) {
    case API_ERR_AUTH:
    case API_ERR_SCOPE:
        return "refused";
    case API_ERR_TRANSIENT:
        return "unreachable";
    default:
        return NULL;
    }
}

static json_t *ghl_budget(const retry_rate_info *ri, int64_t reserve_pct)
{
    if (!retry_rate_info_any(ri))
        return json_pack("{s:I}", "reserve_percent", (json_int_t)reserve_pct);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "max_per_interval", (json_int_t)ri->max,
                     "remaining", (json_int_t)ri->remaining, "interval_ms",
                     (json_int_t)ri->interval_ms, "daily_limit", (json_int_t)ri->daily_limit,
                     "daily_remaining", (json_int_t)ri->daily_remaining, "reserve_percent",
                     (json_int_t)reserve_pct);
}

/* One search of one contact: the token works, and the answer's headers give the budget. */
static void ghl_probe(json_t *svc, app_ctx *a, const char *loc)
{
    ghl_call call = {0};
    ghl_op op = {.location_id = loc, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    ghl_client_query q = {.kind = GHL_ITER_SEARCH, .page_size = 1, .max = 1};
    ghl_client_iter *it = NULL;
    ghl_contact_page page = {0};
    err e = {0};
    int rc = ghl_client_iter_new(&it, a->ghl, &op, &q, &e);
    if (rc == 0)
        rc = ghl_client_iter_next(&page, it, &e);
    if (rc == 0) {
        json_object_set_new(svc, "contacts", json_integer(ghl_client_iter_total(it)));
    } else {
        const char *state = ghl_failure_state(&call);
        jsonx_set_str(svc, "state", state ? state : "unreachable");
        jsonx_set_str(svc, "detail", e.msg);
    }
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    json_object_set_new(svc, "budget",
                        ghl_budget(&call.rate, config_int(a->cfg, "sync", "budget_reserve")));
}

/* What the store says of the authorization (OAuth): connected, needs_reauth or not_connected. */
static void ghl_grant(json_t *svc, app_ctx *a, const char *loc)
{
    json_t *d = NULL;
    err e = {0};
    int rc = ghl_tokens_describe(&d, a->ghl_setup.tokens, loc, &e);
    if (rc == ERR_NOT_FOUND) {
        jsonx_set_str(svc, "state", "not_connected");
        jsonx_set_str(svc, "detail", "no authorization stored: run `pheedsync connect ghl`");
    } else if (rc != 0) {
        jsonx_set_str(svc, "state", "not_connected");
        jsonx_set_str(svc, "detail", e.msg);
    } else if (!strcmp(jsonx_str(d, "state") ? jsonx_str(d, "state") : "", "needs_reauth")) {
        jsonx_set_str(svc, "state", "needs_reauth");
        jsonx_set_str(svc, "detail", jsonx_str(d, "reason"));
    } else {
        jsonx_set_str(svc, "state", "connected");
        json_object_set_new(svc, "expires_ms", json_integer(jsonx_int(d, "expires_ms", 0)));
    }
    json_decref(d);
}

/* " (link NAME)" and " --link NAME" when the configuration has several links, else "". */
static void link_words(char *in, size_t n_in, char *opt, size_t n_opt, const status *st,
                       size_t i)
{
    const app_ctx *a = st->a;
    bool several = a->n_links > 1 || a->links[i].sec;
    const char *name = engine_link_label(&a->links[i].cfg);
    snprintf(in, n_in, several ? " (link %s)" : "", name);
    snprintf(opt, n_opt, several && a->links[i].sec ? " --link %s" : "", name);
}

static json_t *ghl_service(status *st, size_t i)
{
    app_ctx *a = st->a;
    const app_link *l = &a->links[i];
    const char *loc = l->cfg.location_id;
    json_t *svc = json_pack("{s:s?}", "location_id", loc);
    err e = {0};
    if (!loc || !*loc || app_require(a, APP_GHL, &e) != 0) {
        jsonx_set_str(svc, "state", "not_configured");
        jsonx_set_str(svc, "detail", loc && *loc ? e.msg
                                     : l->sec ? "its location_id is not set"
                                              : "[ghl] location_id is not set");
    } else if (l->own_setup.pit || a->ghl_setup.pit) {
        jsonx_set_str(svc, "state", "token");
    } else {
        ghl_grant(svc, a, loc);
    }
    const char *state = jsonx_str(svc, "state");
    if (st->probe && l->ghl && (!strcmp(state, "token") || !strcmp(state, "connected"))) {
        ghl_client *shared = a->ghl;
        a->ghl = l->ghl; /* the probe reads through the link's own client */
        ghl_probe(svc, a, loc);
        a->ghl = shared;
    }
    state = jsonx_str(svc, "state");
    char in[96], opt[96], line[320];
    link_words(in, sizeof in, opt, sizeof opt, st, i);
    if (strcmp(state, "token") != 0 && strcmp(state, "connected") != 0) {
        if (!strcmp(state, "needs_reauth") || !strcmp(state, "not_connected"))
            snprintf(line, sizeof line, "HighLevel is not connected%s: `pheedsync connect ghl%s`",
                     in, opt);
        else
            snprintf(line, sizeof line,
                     "HighLevel does not answer as it should%s: `pheedsync check`", in);
        attention(st, line);
    }
    return svc;
}

static json_t *pl_service(status *st, size_t i)
{
    app_ctx *a = st->a;
    const app_link *l = &a->links[i];
    json_t *svc = json_object();
    err e = {0};
    char in[96], opt[96], line[320];
    link_words(in, sizeof in, opt, sizeof opt, st, i);
    if (app_require(a, APP_PL, &e) != 0 || !l->pl) {
        jsonx_set_str(svc, "state", "not_configured");
        jsonx_set_str(svc, "detail", e.msg[0] ? e.msg : "no PheedLoop client for this link");
        snprintf(line, sizeof line,
                 "PheedLoop is not configured%s: `pheedsync connect pheedloop%s`", in, opt);
        attention(st, line);
        return svc;
    }
    jsonx_set_str(svc, "org_code", pl_client_org(l->pl));
    jsonx_set_str(svc, "state", "configured");
    if (st->probe) {
        pl_call call = {.lane = GOVERNOR_LANE_LIVE};
        int rc = pl_client_validate_auth(NULL, l->pl, &call, &e);
        jsonx_set_str(svc, "state",
                      rc == 0                                 ? "connected"
                      : rc == ERR_AUTH || rc == ERR_NOT_FOUND ? "refused"
                                                              : "unreachable");
        if (rc != 0) {
            jsonx_set_str(svc, "detail", e.msg);
            snprintf(line, sizeof line,
                     "PheedLoop does not answer as it should%s: `pheedsync check`", in);
            attention(st, line);
        }
    }
    json_t *gs = pl_client_state_json(l->pl);
    json_object_set_new(svc, "budget",
                        json_pack("{s:I, s:O*}", "rate_per_minute",
                                  (json_int_t)config_int(a->cfg, "pheedloop", "rate_limit"),
                                  "governor", json_object_get(gs, "governor")));
    json_decref(gs);
    return svc;
}

/* Every link's services: {"ghl", "pheedloop"} per link, in link order. */
static json_t *services_of_links(status *st)
{
    json_t *list = json_array();
    for (size_t i = 0; i < st->a->n_links; i++)
        json_array_append_new(list, json_pack("{s:o, s:o}", "ghl", ghl_service(st, i),
                                              "pheedloop", pl_service(st, i)));
    return list;
}

/* ---------------------------------------------------------------- pollers */

static int poller(status *st, json_t *list, const char *name, bool timed, err *e)
{
    int rc = 0;
    json_t *cur = cursor_json(st->a->store, name, e, &rc);
    if (rc != 0)
        return rc;
    json_t *p = json_pack("{s:s, s:b}", "name", name, "ran", cur != NULL);
    int64_t at = timed ? jsonx_int(cur, "updated_ms", 0) : 0;
    if (at > 0) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(at, iso);
        jsonx_set_str(p, "newest_change_at", iso);
        jsonx_set_int(p, "lag_ms", clock_now_ms(st->a->clock) - at);
    }
    json_decref(cur);
    json_array_append_new(list, p);
    return 0;
}

static int link_pollers(status *st, json_t *list, const app_link *l, err *e)
{
    const char *loc = l->cfg.location_id;
    const char *org = l->pl ? pl_client_org(l->pl) : l->cfg.org_code;
    char name[ENGINE_KEY_MAX];
    size_t before = json_array_size(list);
    int rc = 0;
    if (loc && *loc) {
        poller_cursor_name(name, sizeof name, "ghl.contacts", loc, NULL);
        rc = poller(st, list, name, true, e);
        poller_cursor_name(name, sizeof name, "ghl.tasks", loc, NULL);
        rc = rc ? rc : poller(st, list, name, false, e);
    }
    for (size_t i = 0; rc == 0 && org && *org && l->cfg.events[i]; i++) {
        poller_cursor_name(name, sizeof name, "pl.registrations", org, l->cfg.events[i]);
        rc = poller(st, list, name, true, e);
        poller_cursor_name(name, sizeof name, "pl.attendees", org, l->cfg.events[i]);
        rc = rc ? rc : poller(st, list, name, false, e);
    }
    for (size_t i = before; st->a->n_links > 1 && i < json_array_size(list); i++)
        jsonx_set_str(json_array_get(list, i), "link", engine_link_label(&l->cfg));
    return rc;
}

static int pollers(status *st, err *e)
{
    app_ctx *a = st->a;
    json_t *list = json_array();
    json_object_set_new(st->root, "pollers", list);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_links; i++)
        rc = link_pollers(st, list, &a->links[i], e);
    char name[ENGINE_KEY_MAX];
    engine_link_scoped(name, sizeof name, &a->links[0].cfg, RECONCILE_CURSOR);
    json_t *last = rc == 0 ? cursor_json(a->store, name, e, &rc) : NULL;
    if (rc != 0)
        return rc;
    int64_t fin = jsonx_int(last, "finished_ms", 0);
    json_t *rec = json_pack("{s:b}", "ran", fin > 0);
    if (fin > 0) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(fin, iso);
        jsonx_set_str(rec, "finished_at", iso);
        jsonx_set_int(rec, "age_ms", clock_now_ms(a->clock) - fin);
        jsonx_set_bool(rec, "complete", jsonx_bool(last, "complete", false));
    }
    json_decref(last);
    json_object_set_new(st->root, "reconcile", rec);
    return 0;
}

/* Work queued under a link that no longer syncs it, or under none: "queue".misfiled and
 * "queue".unowned, and what to do. */
static int queues_by_link(status *st, err *e)
{
    app_ctx *a = st->a;
    engine_link_cfg *cfgs = calloc(a->n_links, sizeof *cfgs);
    if (!cfgs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < a->n_links; i++) {
        cfgs[i] = a->links[i].cfg;
        if (a->links[i].pl && (!cfgs[i].org_code || !*cfgs[i].org_code))
            cfgs[i].org_code = pl_client_org(a->links[i].pl);
    }
    engine_refile_report r = {0};
    int rc = engine_refile_queues(&r, a->store, cfgs, a->n_links, false, e);
    free(cfgs);
    if (rc != 0)
        return rc;
    json_t *q = json_object_get(st->root, "queue");
    json_object_set_new(q, "misfiled", json_integer(r.misfiled_rows));
    json_object_set_new(q, "unowned", json_integer(r.unowned_rows));
    json_object_set(q, "by_link_examples", r.examples);
    if (r.misfiled_keys || r.unowned_keys) {
        char text[1024];
        engine_refile_text(text, sizeof text, &r, false);
        attention(st, text);
    }
    engine_refile_report_free(&r);
    return 0;
}

/* With [link] sections: "links", each link with what it syncs, its queues (the store handle
 * bound to it for the count) and its last reconcile. */
static int links(status *st, const json_t *per_link, err *e)
{
    app_ctx *a = st->a;
    if (a->n_links == 1 && !a->links[0].sec)
        return 0;
    json_t *list = json_array();
    json_object_set_new(st->root, "links", list);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_links; i++) {
        const engine_link_cfg *l = &a->links[i].cfg;
        store_counts c = {0};
        rc = store_bind_link(a->store, l->name, e);
        if (rc == 0)
            rc = store_count(&c, a->store, e);
        char name[ENGINE_KEY_MAX];
        engine_link_scoped(name, sizeof name, l, RECONCILE_CURSOR);
        json_t *last = rc == 0 ? cursor_json(a->store, name, e, &rc) : NULL;
        json_t *events = json_array();
        for (const char *const *ev = l->events; *ev; ev++)
            json_array_append_new(events, json_string(*ev));
        json_t *entry =
            json_pack("{s:s, s:s?, s:s?, s:o, s:{s:I, s:I}, s:I}", "name", engine_link_label(l),
                      "location_id", l->location_id, "org_code", l->org_code, "events", events,
                      "pending", "hints", (json_int_t)(c.inbox_pending + c.inbox_claimed),
                      "operations", (json_int_t)(c.outbox_pending + c.outbox_running),
                      "reconciled_ms", (json_int_t)jsonx_int(last, "finished_ms", 0));
        json_object_set(entry, "services", json_array_get(per_link, i));
        json_array_append_new(list, entry);
        json_decref(last);
    }
    store_bind_link(a->store, NULL, NULL);
    return rc;
}

int ops_status(json_t **out, app_ctx *a, bool probe, err *e)
{
    status st = {.a = a, .probe = probe, .root = json_object(), .attention = json_array()};
    int rc = app_require(a, APP_STORE, e);
    if (rc == 0) {
        json_t *where =
            json_pack("{s:o, s:s}", "url", url_shown(config_str(a->cfg, "store", "url")), "backend",
                      store_backend(a->store));
        json_object_set_new(st.root, "store", where);
        rc = people(&st, e);
    }
    json_t *per_link = NULL;
    if (rc == 0) {
        /* The first link's services stay where a configuration of one link has them. */
        per_link = services_of_links(&st);
        json_object_set(st.root, "services", json_array_get(per_link, 0));
        rc = pollers(&st, e);
    }
    if (rc == 0)
        rc = links(&st, per_link, e);
    if (rc == 0)
        rc = queues_by_link(&st, e);
    json_decref(per_link);
    json_object_set_new(st.root, "attention", st.attention);
    if (rc != 0) {
        json_decref(st.root);
        return rc;
    }
    *out = st.root;
    return 0;
}
