/* planner_loop.c: the planning context (settings, reference data) and the claim loop: each
 * claimed key is planned and committed with its ack, deferred when a record could not be read
 * for now, or dropped with a warning when it cannot be planned at all. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define DEFER_MS 5000
#define PENDING_DEFER_MS 200

int plan_ctx_init(plan_ctx *c, engine *en, sync_snapshot *snap, bool dry, err *e)
{
    memset(c, 0, sizeof *c);
    c->en = en;
    c->snap = snap;
    c->dry = dry;
    c->now_ms = clock_now_ms(en->clock);
    int rc = sync_settings_load(&c->set, en->cfg, e);
    if (rc == 0)
        rc = refdata_field_defs(&c->field_defs, en, !dry, e);
    if (rc == 0)
        rc = sync_settings_fit_fields(&c->set, c->field_defs, e);
    if (rc != 0)
        plan_ctx_clear(c);
    return rc;
}

void plan_ctx_clear(plan_ctx *c)
{
    sync_settings_clear(&c->set);
    json_decref(c->field_defs);
    for (size_t i = 0; i < c->n_events; i++) {
        free(c->events[i].code);
        json_decref(c->events[i].event);
        json_decref(c->events[i].tags);
    }
    free(c->events);
    c->events = NULL;
    c->n_events = 0;
    c->field_defs = NULL;
}

int plan_event(const event_ref **out, plan_ctx *c, const char *event, err *e)
{
    for (size_t i = 0; i < c->n_events; i++) {
        if (strcmp(c->events[i].code, event) == 0) {
            *out = &c->events[i];
            return 0;
        }
    }
    if (!sync_event_configured(c->en, event))
        return err_set(e, ERR_NOT_FOUND, "event %s is not configured", event);
    json_t *ev = NULL, *tags = NULL;
    int rc = refdata_event(&ev, &tags, c->en, event, !c->dry, e);
    if (rc != 0)
        return rc;
    event_ref *grown = realloc(c->events, (c->n_events + 1) * sizeof *grown);
    char *code = strdup(event);
    if (!grown || !code) {
        free(code);
        if (grown)
            c->events = grown;
        json_decref(ev);
        json_decref(tags);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    c->events = grown;
    c->events[c->n_events] = (event_ref){code, ev, tags};
    *out = &c->events[c->n_events++];
    return 0;
}

/* True for failures that may pass: the key is deferred rather than dropped. */
bool sync_transient(int rc)
{
    return rc == ERR_NET || rc == ERR_LIMIT || rc == ERR_BAD_STATE || rc == ERR_IO ||
           rc == ERR_AUTH || rc == ERR_CONFLICT || rc == ERR_NOMEM;
}

/* One claimed key's outcome, between planning and committing. */
typedef struct planned {
    plan p;
    int rc;
    bool pending;
    err e;
} planned;

/* A key that could not be planned: deferred (it may pass) or dropped with a warning. */
static int settle_failed(plan_ctx *c, const store_hint *h, planned *pl, err *e)
{
    if (sync_transient(pl->rc)) {
        if (!pl->pending)
            log_infof("plan %s: %s; deferred", h->record_key, pl->e.msg);
        int64_t wait = pl->pending ? PENDING_DEFER_MS : DEFER_MS;
        return store_inbox_defer(c->en->store, h, clock_now_ms(c->en->clock) + wait, e);
    }
    log_warnf("plan %s: %s; dropped", h->record_key, pl->e.msg);
    return store_inbox_ack(c->en->store, h, e);
}

static int settle_one(plan_ctx *c, const store_hint *h, planned *pl, err *e)
{
    int rc = pl->rc == 0 ? plan_apply(c, h, &pl->p, e) : settle_failed(c, h, pl, e);
    if (rc == ERR_CONFLICT)
        log_warnf("plan %s: %s; planned again later", h->record_key, e->msg);
    return rc;
}

/* The transaction's end: on success its operations' payloads go to the pass's snapshot. */
static int end_tx(plan_ctx *c, int rc, err *e)
{
    store *s = c->en->store;
    if (rc == 0)
        rc = store_commit(s, e);
    if (rc == 0) {
        size_t i;
        json_t *q;
        json_array_foreach(c->queued, i, q) snap_put_payload(
            c->snap, json_integer_value(json_array_get(q, 0)), json_array_get(q, 1));
    } else {
        err e2 = {0};
        store_rollback(s, &e2);
    }
    json_array_clear(c->queued);
    return rc;
}

/* Every plan of the batch and the acks in one transaction (one sync to disk); should one of
 * them conflict (a lease lost, a link made meanwhile), each in its own instead. */
static int commit_batch(plan_ctx *c, const store_hints *hs, planned *pl, err *e)
{
    store *s = c->en->store;
    int rc = store_begin(s, e);
    for (size_t i = 0; rc == 0 && i < hs->n; i++)
        rc = settle_one(c, &hs->v[i], &pl[i], e);
    if (rc == 0)
        return end_tx(c, 0, e);
    end_tx(c, rc, NULL);
    if (rc != ERR_CONFLICT)
        return rc;
    err e2 = {0};
    for (size_t i = 0; i < hs->n; i++) {
        rc = store_begin(s, e);
        if (rc == 0)
            rc = settle_one(c, &hs->v[i], &pl[i], e);
        rc = end_tx(c, rc, e);
        if (rc == 0)
            continue;
        if (rc != ERR_CONFLICT)
            return rc;
        /* Planned from records that changed under it: again, soon. */
        store_inbox_defer(s, &hs->v[i], clock_now_ms(c->en->clock) + PENDING_DEFER_MS, &e2);
    }
    return 0;
}

static void plan_key(plan_ctx *c, const store_hint *h, planned *pl)
{
    c->now_ms = clock_now_ms(c->en->clock);
    c->pending = false;
    pl->rc = plan_init(&pl->p, &pl->e);
    if (pl->rc == 0)
        pl->rc = planner_key(c, h, &pl->p, &pl->e);
    pl->pending = c->pending;
    log_debugf("plan %s (%s, %lld hints): %d, %zu operations", h->record_key, h->kind,
               (long long)h->count, pl->rc, pl->rc == 0 ? json_array_size(pl->p.ops) : 0);
}

/* One planner per link at a time, in any number of processes sharing the store: two planners
 * could otherwise plan one person from two of its keys at once (a contact and an attendee) and
 * both decide to create or link it. The lease is renewed by the batch that finds it past half
 * its time, and runs out as the hints of a planner that died do; other processes meanwhile work
 * the outbox. */
static bool hold_planner_lock(plan_ctx *c, err *e)
{
    engine *en = c->en;
    int64_t now = clock_now_ms(en->clock);
    if (en->planner_until - now > ENGINE_PLAN_LEASE_MS / 2)
        return true; /* renewed recently: no write for every batch */
    char name[ENGINE_KEY_MAX];
    engine_link_scoped(name, sizeof name, &en->link, ENGINE_PLANNER_LOCK);
    bool got = false;
    if (store_lock_try(&got, en->store, name, en->owner, ENGINE_PLAN_LEASE_MS, e) != 0)
        got = false;
    en->planner_until = got ? now + ENGINE_PLAN_LEASE_MS : 0;
    return got;
}

void engine_planner_release(engine *en)
{
    char name[ENGINE_KEY_MAX];
    engine_link_scoped(name, sizeof name, &en->link, ENGINE_PLANNER_LOCK);
    err e = {0};
    store_lock_release(en->store, name, en->owner, &e);
    en->planner_until = 0;
}

int planner_run(plan_ctx *c, size_t max, size_t *out_done, err *e)
{
    err e2 = {0};
    if (!hold_planner_lock(c, &e2)) {
        *out_done = 0;
        return 0; /* another process plans this link (or the store is busy): try again later */
    }
    store_hints hs = {0};
    int rc = store_inbox_claim(&hs, c->en->store, c->en->owner, ENGINE_PLAN_LEASE_MS, max, e);
    planned *pl = rc == 0 && hs.n ? calloc(hs.n, sizeof *pl) : NULL;
    if (rc == 0 && hs.n && !pl)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    c->batch = json_object();
    c->queued = json_array();
    for (size_t i = 0; rc == 0 && i < hs.n; i++)
        plan_key(c, &hs.v[i], &pl[i]);
    if (rc == 0 && hs.n)
        rc = commit_batch(c, &hs, pl, e);
    json_decref(c->batch);
    json_decref(c->queued);
    c->batch = c->queued = NULL;
    for (size_t i = 0; pl && i < hs.n; i++)
        plan_clear(&pl[i].p);
    free(pl);
    size_t n = hs.n;
    store_hints_free(&hs);
    if (rc == 0)
        *out_done = n;
    return rc;
}

/* A dry run's hint: planned and printed, or its failure reported. */
int planner_plan_hint(plan_ctx *c, const store_hint *h, err *e)
{
    planned pl = {0};
    plan_key(c, h, &pl);
    int rc = 0;
    if (pl.rc == 0)
        rc = plan_commit(c, h, &pl.p, e);
    else
        log_warnf("plan %s: %s", h->record_key, pl.e.msg);
    plan_clear(&pl.p);
    return rc;
}

int engine_plan_some(engine *en, size_t max, size_t *out_done, err *e)
{
    plan_ctx c;
    int rc = plan_ctx_init(&c, en, NULL, false, e);
    if (rc != 0)
        return rc;
    rc = planner_run(&c, max, out_done, e);
    plan_ctx_clear(&c);
    return rc;
}
