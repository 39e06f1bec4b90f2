/* demo_engine.c: the sync side of the demo: the initial pass with its progress bar, the daemon
 * (webhooks, pollers, planner, workers), the wait for the last changes, and the summary. */
#include "demo/demo_int.h"
#include "engine/capture.h"
#include "engine/sync.h"
#include "util/jsonx.h"

/* ---------------------------------------------------------------- initial sync */

typedef struct bar {
    demo *d;
    const sigset_t *stop;
    engine_pass_opts *po; /* its deadline moves to now when a stop signal is pending */
    int64_t drawn_ms;     /* monotonic: the terminal is redrawn at most ten times a second */
    int64_t records;      /* the most records seen waiting to be planned: the bar's length */
} bar;

/* The pass reports operations done; how far the planning is comes from the inbox, which the
 * listing filled with one hint per record. */
static void draw(bar *b, const engine_progress *p)
{
    store_counts c = {0};
    if (store_count(&c, b->d->app.store, NULL) != 0)
        return;
    int64_t left = c.inbox_pending + c.inbox_claimed;
    b->records = PS_MAX(b->records, left);
    int64_t done = b->records - left;
    enum { WIDTH = 30 };
    char cells[WIDTH + 1];
    int64_t full = b->records ? PS_MIN(WIDTH, done * WIDTH / b->records) : 0;
    for (int i = 0; i < WIDTH; i++)
        cells[i] = i < full ? '#' : '.';
    cells[WIDTH] = '\0';
    fprintf(b->d->out, "\r\033[K    [%s] %3lld%% planned, %zu changes applied", cells,
            (long long)(b->records ? done * 100 / b->records : 0), p->done);
}

static void on_progress(void *ctx, const engine_progress *p)
{
    bar *b = ctx;
    if (demo_stopping(b->stop) && b->po->deadline_ms != 1) {
        b->po->deadline_ms = 1;
        fprintf(b->d->out, "%sStopping once the operations in hand are done...\n",
                b->d->tty ? "\r\033[K" : "");
        fflush(b->d->out);
    }
    int64_t now = clock_mono_ms(clock_system());
    if (!b->d->tty || now - b->drawn_ms < 100)
        return;
    b->drawn_ms = now;
    if (!strcmp(p->phase, "scan"))
        fprintf(b->d->out, "\r\033[K    listing both sides...");
    else
        draw(b, p);
    fflush(b->d->out);
}

int demo_initial_sync(demo *d, const sigset_t *stop, err *e)
{
    engine en;
    app_engine(&en, &d->app);
    int64_t start = clock_mono_ms(clock_system());
    engine_pass_opts po = {.full = true, .out = d->out, .deadline_ms = start + 30 * 60 * 1000};
    bar b = {.d = d, .stop = stop, .po = &po};
    po.progress = on_progress;
    po.progress_ctx = &b;
    engine_pass_result r = {0};
    if (d->tty)
        fprintf(d->out, "    initial sync: HighLevel allows 100 requests per 10 s, so this takes "
                        "a little while\n");
    int rc = engine_pass(&r, &en, &po, e);
    if (d->tty)
        fprintf(d->out, "\r\033[K");
    if (rc != 0)
        return err_wrap(e, "initial sync: ");
    if (demo_stopping(stop))
        return 0;
    store_counts c = {0};
    store_count(&c, d->app.store, NULL);
    demo_step(d, r.drained && !r.ops_dead,
              "initial sync completed in %.0f s: %zu contacts and %zu attendees listed, %lld "
              "people linked, %zu changes applied, %zu dead letters, %zu ambiguous",
              (double)(clock_mono_ms(clock_system()) - start) / 1000.0, r.scan.contacts,
              r.scan.attendees, (long long)c.links, r.ops - r.ops_dead, r.ops_dead, r.ambiguous);
    return 0;
}

/* ---------------------------------------------------------------- daemon */

int demo_start_daemon(demo *d, err *e)
{
    app_ctx *a = &d->app;
    int rc = capture_ghl_verifier_from_config(&d->ghl_wh, a->cfg, e);
    if (rc == 0)
        rc = pl_webhook_from_config(&d->pl_wh, a->cfg, e);
    daemon_options o = {0};
    if (rc == 0)
        rc = daemon_options_from_config(&o, a->cfg, e);
    if (rc != 0)
        return rc;
    engine en;
    app_engine(&en, a);
    o.clock = a->clock;
    o.owner = a->owner;
    o.ghl = a->ghl;
    o.pl = a->pl;
    o.ghl_tokens = a->ghl_setup.tokens;
    o.link = en.link;
    o.ghl_webhooks = d->ghl_wh;
    o.pl_webhooks = d->pl_wh;
    o.planner = engine_plan_some;
    o.worker = engine_work_some;
    o.workers = 2;
    /* The pollers run as configured (every DEMO_POLL_INTERVAL_S here): every change of the
     * demo also comes with its webhook, so they mostly find our own writes coming back, which
     * the planner recognises from the records they read, with no call. The task walk looks at
     * a few linked contacts per slow round: its first look, right after the initial sync, then
     * takes a quarter of a HighLevel rate window instead of holding the first edits back. */
    o.task_batch = 25;
    rc = daemon_start(&d->dmn, &o, e);
    /* The port was free when the demo started; something may have taken it during the initial
     * sync. Unless the user chose it, any free one does (the webhooks follow d->port). */
    if (rc != 0 && d->opt.port <= 0) {
        o.port = 0;
        err_clear(e);
        rc = daemon_start(&d->dmn, &o, e);
    }
    if (rc == 0)
        d->port = daemon_port(d->dmn);
    return rc;
}

/* ---------------------------------------------------------------- the end */

static int64_t in_flight(demo *d)
{
    store_counts c = {0};
    if (store_count(&c, d->app.store, NULL) != 0)
        return -1;
    return c.inbox_pending + c.inbox_claimed + c.outbox_pending + c.outbox_running;
}

bool demo_drain(demo *d, const sigset_t *stop, int64_t max_ms)
{
    err e = {0};
    /* Deliveries still queued in the sandbox would become hints after the inbox looked empty. */
    demo_admin(NULL, d, true, "POST", "/_sandbox/webhooks/drain", NULL, &e);
    demo_admin(NULL, d, false, "POST", "/_sandbox/webhooks/drain", NULL, &e);
    int64_t until = clock_mono_ms(clock_system()) + max_ms;
    int quiet = 0;
    while (clock_mono_ms(clock_system()) < until) {
        demo_watch_poll(d);
        /* Twice empty in a row: a worker's last commit may add a follow-up hint. */
        quiet = in_flight(d) == 0 ? quiet + 1 : 0;
        if (quiet >= 2)
            return true;
        struct timespec wait = {0, 250 * 1000000L};
        if (sigtimedwait(stop, NULL, &wait) > 0)
            return false;
    }
    return false;
}

static int64_t hooks(const json_t *status, const char *source, const char *what)
{
    return jsonx_int(json_object_get(json_object_get(status, "webhooks"), source), what, 0);
}

void demo_summary(demo *d, int64_t live_ms)
{
    store_counts c = {0};
    err e = {0};
    if (store_count(&c, d->app.store, &e) != 0)
        fprintf(d->out, "  (the store could not be counted: %s)\n", e.msg);
    json_t *st = d->dmn ? daemon_status(d->dmn) : NULL;
    int64_t ghl = hooks(st, "ghl", "accepted"), pl = hooks(st, "pheedloop", "accepted");
    int64_t dups = hooks(st, "ghl", "duplicates") + hooks(st, "pheedloop", "duplicates");
    json_decref(st);
    fprintf(d->out, "\nSummary (%lld s of live edits)\n", (long long)(live_ms / 1000));
    fprintf(d->out, "  live edits               %zu (PheedLoop %zu, HighLevel %zu, %zu refused)\n",
            d->edits_pl + d->edits_ghl, d->edits_pl, d->edits_ghl, d->edit_failures);
    fprintf(d->out, "  sync outcomes seen       %zu\n", d->outcomes);
    fprintf(d->out, "  people linked            %lld\n", (long long)c.links);
    fprintf(d->out, "  operations applied       %lld\n", (long long)c.outbox_done);
    fprintf(d->out,
            "  webhooks received        %lld (HighLevel %lld, PheedLoop %lld; %lld duplicates)\n",
            (long long)(ghl + pl), (long long)ghl, (long long)pl, (long long)dups);
    fprintf(d->out, "  still queued             %lld\n",
            (long long)(c.inbox_pending + c.inbox_claimed + c.outbox_pending + c.outbox_running));
    fprintf(d->out, "  dead letters             %lld\n", (long long)c.dead_letters);
    fprintf(d->out, "  deletes held             %lld\n", (long long)c.held_pending);
    fprintf(d->out,
            "\nThe state stays in %s (inspect it with `pheedsync status --config %s`; the "
            "sandbox is gone, so commands that call the services will fail).\n",
            d->dir, d->conf_path);
    fflush(d->out);
}
