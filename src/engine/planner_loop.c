/* planner_loop.c: the planning context (settings, reference data) and the claim loop: each
 * claimed key is planned and committed with its ack, deferred when a record could not be read
 * for now, or dropped with a warning when it cannot be planned at all. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define DEFER_MS 5000
#define PENDING_DEFER_MS 200

int plan_ctx_init(plan_ctx *c, engine *en, const sync_snapshot *snap, bool dry, err *e)
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

static int plan_one(plan_ctx *c, const store_hint *h, err *e)
{
    plan p;
    int rc = plan_init(&p, e);
    if (rc != 0)
        return rc;
    err pe = {0};
    c->pending = false;
    rc = planner_key(c, h, &p, &pe);
    log_debugf("plan %s (%s, %lld hints): %d, %zu operations", h->record_key, h->kind,
               (long long)h->count, rc, json_array_size(p.ops));
    if (rc == 0) {
        rc = plan_commit(c, h, &p, &pe);
        if (rc == ERR_CONFLICT && !c->dry) {
            log_warnf("plan %s: %s; planned again later", h->record_key, pe.msg);
            rc = 0;
        }
        if (rc != 0) {
            plan_clear(&p);
            return err_set(e, rc, "plan %s: %s", h->record_key, pe.msg);
        }
    } else if (!c->dry) {
        err e2 = {0};
        if (sync_transient(rc)) {
            int64_t wait = c->pending ? PENDING_DEFER_MS : DEFER_MS;
            if (!c->pending)
                log_infof("plan %s: %s; deferred", h->record_key, pe.msg);
            rc = store_inbox_defer(c->en->store, h, clock_now_ms(c->en->clock) + wait, &e2);
        } else {
            log_warnf("plan %s: %s; dropped", h->record_key, pe.msg);
            rc = store_inbox_ack(c->en->store, h, &e2);
        }
        if (rc == ERR_CONFLICT)
            rc = 0; /* the lease was lost: whoever holds the key now plans it */
        if (rc != 0)
            err_set(e, rc, "inbox: %s", e2.msg);
    } else {
        log_warnf("plan %s: %s", h->record_key, pe.msg);
        rc = 0;
    }
    plan_clear(&p);
    return rc;
}

int planner_run(plan_ctx *c, size_t max, size_t *out_done, err *e)
{
    store_hints hs = {0};
    int rc = store_inbox_claim(&hs, c->en->store, c->en->owner, ENGINE_PLAN_LEASE_MS, max, e);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < hs.n; i++) {
        c->now_ms = clock_now_ms(c->en->clock);
        rc = plan_one(c, &hs.v[i], e);
    }
    size_t n = hs.n;
    store_hints_free(&hs);
    if (rc == 0)
        *out_done = n;
    return rc;
}

int planner_plan_hint(plan_ctx *c, const store_hint *h, err *e)
{
    c->now_ms = clock_now_ms(c->en->clock);
    return plan_one(c, h, e);
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
