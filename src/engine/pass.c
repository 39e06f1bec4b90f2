/* pass.c: one sync pass: capture (a complete scan the first time and with --full, else the
 * pollers), approved deletes, then plan and work until both queues are drained; a dry run scans
 * into memory and prints what it would queue. */
#include "engine/poller.h"
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define PLAN_BATCH 64
#define WORK_BATCH 32
#define IDLE_WAIT_MS 100
#define CURSOR_BACKFILL "engine.backfill"

static void progress(const engine_pass_opts *o, const char *phase, size_t done, size_t total)
{
    if (o->progress) {
        engine_progress p = {phase, done, total};
        o->progress(o->progress_ctx, &p);
    }
}

static bool backfilled(engine *en)
{
    char *v = NULL;
    err e = {0};
    char name[ENGINE_KEY_MAX];
    engine_link_scoped(name, sizeof name, &en->link, CURSOR_BACKFILL);
    bool done = store_cursor_get(&v, en->store, name, &e) == 0;
    free(v);
    return done;
}

/* A dry run: the scan's hints planned from memory, each plan printed, nothing written. */
static int dry_pass(engine_pass_result *r, engine *en, const engine_pass_opts *o, err *e)
{
    sync_settings set;
    int rc = sync_settings_load(&set, en->cfg, e);
    if (rc != 0)
        return rc;
    sync_snapshot *snap = NULL;
    json_t *mem = json_array();
    rc = snap_new(&snap, set.default_cc) == 0 && mem ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    sync_settings_clear(&set);
    if (rc == 0)
        rc = scan_run(&r->scan, en, STORE_LANE_BACKFILL, snap, mem, e);
    plan_ctx c;
    if (rc == 0)
        rc = plan_ctx_init(&c, en, snap, true, e);
    if (rc == 0) {
        c.out = o->out;
        int64_t now = clock_now_ms(en->clock);
        size_t i;
        json_t *h;
        json_array_foreach(mem, i, h)
        {
            char *payload = jsonx_dumps(json_object_get(h, "payload"));
            store_hint hint = {.record_key = (char *)(uintptr_t)jsonx_str(h, "key"),
                               .source = (char *)(uintptr_t)jsonx_str(h, "source"),
                               .kind = (char *)(uintptr_t)jsonx_str(h, "kind"),
                               .payload = payload,
                               .count = 1,
                               .received_ms = now};
            if (rc == 0 && payload)
                rc = planner_plan_hint(&c, &hint, e);
            free(payload);
            progress(o, "plan", i + 1, json_array_size(mem));
        }
        r->planned = json_array_size(mem);
        r->dry_ops = c.dry_ops;
        r->ambiguous = c.ambiguous;
        plan_ctx_clear(&c);
    }
    json_decref(mem);
    snap_free(snap);
    r->drained = true;
    return rc;
}

static int capture(engine_pass_result *r, engine *en, const engine_pass_opts *o,
                   sync_snapshot *snap, err *e)
{
    bool full = o->full || !o->capture || !backfilled(en);
    if (!full)
        return o->capture(o->capture_ctx, en, e);
    progress(o, "scan", 0, 0);
    return scan_run(&r->scan, en, STORE_LANE_BACKFILL, snap, NULL, e);
}

static bool past(engine *en, const engine_pass_opts *o)
{
    return o->deadline_ms > 0 && clock_mono_ms(en->clock) >= o->deadline_ms;
}

/* Plans a batch, then works until no operation is ready, and again, until nothing is left or
 * waiting (deferred hints and operations waiting for a retry are waited for). Working between
 * batches lets a person planned again find the writes of its earlier plan done. */
static int drain(engine_pass_result *r, engine *en, const engine_pass_opts *o, plan_ctx *c,
                 sync_settings *set, sync_snapshot *snap, err *e)
{
    work_stats ws = {0};
    int rc = 0;
    while (rc == 0 && !past(en, o)) {
        size_t planned = 0, before = ws.claimed;
        rc = planner_run(c, PLAN_BATCH, &planned, e);
        r->planned += planned;
        for (size_t last = (size_t)-1; rc == 0 && ws.claimed != last && !past(en, o);) {
            last = ws.claimed;
            rc = worker_run(en, set, snap, WORK_BATCH, &ws, e);
        }
        store_counts n = {0};
        err e2 = {0};
        if (rc == 0 && store_count(&n, en->store, &e2) != 0)
            rc = err_set(e, e2.code, "%s", e2.msg);
        if (rc != 0)
            break;
        size_t left = (size_t)(n.outbox_pending + n.outbox_running);
        progress(o, "sync", ws.done + ws.dead, left + ws.done + ws.dead);
        if (planned || ws.claimed > before)
            continue;
        if (n.inbox_pending + n.inbox_claimed + n.outbox_pending + n.outbox_running == 0) {
            r->drained = true;
            break;
        }
        clock_sleep_ms(en->clock, IDLE_WAIT_MS);
    }
    r->ops = ws.done + ws.dead;
    r->ops_dead = ws.dead;
    return rc;
}

/* After a complete backfill the pollers start from its time, not from the beginning (their
 * first run would otherwise hand every record over again): the two cursors that read "since",
 * set where they are not set yet (poller.h names and shapes them). */
static int start_pollers(engine *en, int64_t since_ms, err *e)
{
    char name[ENGINE_KEY_MAX], *v = NULL;
    char value[96];
    err e2 = {0};
    poller_cursor_name(name, sizeof name, "ghl.contacts", en->link.location_id, NULL);
    snprintf(value, sizeof value, "{\"updated_ms\": %lld, \"id\": \"\"}", (long long)since_ms);
    int rc = 0;
    if (store_cursor_get(&v, en->store, name, &e2) == ERR_NOT_FOUND)
        rc = store_cursor_put(en->store, name, value, e);
    free(v);
    v = NULL;
    for (const char *const *ev = en->link.events; rc == 0 && ev && *ev; ev++) {
        char scope[ENGINE_KEY_MAX];
        snprintf(scope, sizeof scope, "%s.%s", en->link.org_code, *ev);
        poller_cursor_name(name, sizeof name, "pl.registrations", scope, NULL);
        snprintf(value, sizeof value, "{\"updated_ms\": %lld, \"snap\": {}}", (long long)since_ms);
        if (store_cursor_get(&v, en->store, name, &e2) == ERR_NOT_FOUND)
            rc = store_cursor_put(en->store, name, value, e);
        free(v);
        v = NULL;
    }
    return rc;
}

int engine_pass(engine_pass_result *out, engine *en, const engine_pass_opts *o, err *e)
{
    engine_pass_result r = {0};
    if (o->dry_run) {
        int rc = dry_pass(&r, en, o, e);
        if (rc == 0)
            *out = r;
        return rc;
    }
    sync_settings set;
    int rc = sync_settings_load(&set, en->cfg, e);
    if (rc != 0)
        return rc;
    sync_snapshot *snap = NULL;
    int64_t started = clock_now_ms(en->clock);
    if (snap_new(&snap, set.default_cc) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = capture(&r, en, o, snap, e);
    size_t approved = 0;
    if (rc == 0)
        rc = engine_apply_approved(en, &approved, e);
    plan_ctx c;
    bool ctx = false;
    if (rc == 0) {
        rc = plan_ctx_init(&c, en, snap, false, e);
        ctx = rc == 0;
    }
    if (rc == 0)
        rc = drain(&r, en, o, &c, &set, snap, e);
    if (ctx) {
        r.ambiguous = c.ambiguous;
        plan_ctx_clear(&c);
        engine_planner_release(en);
    }
    char done[ENGINE_KEY_MAX];
    engine_link_scoped(done, sizeof done, &en->link, CURSOR_BACKFILL);
    if (rc == 0 && r.scan.complete && r.drained)
        rc = store_cursor_put(en->store, done, "done", e);
    if (rc == 0 && r.scan.complete && r.drained)
        rc = start_pollers(en, started, e);
    store_counts n = {0};
    err e2 = {0};
    if (rc == 0 && store_count(&n, en->store, &e2) == 0)
        r.held = (size_t)n.held_pending;
    snap_free(snap);
    sync_settings_clear(&set);
    if (rc == 0)
        *out = r;
    return rc;
}
