/* daemon_jobs.c: the daemon's scheduled jobs: the pollers on their cadences and the reconcile
 * on its interval, each under a store lock so that processes sharing a store take turns. */
#include "engine/daemon_int.h"
#include "engine/poller.h"
#include "engine/reconcile.h"
#include "util/jsonx.h"
#include "util/log.h"

#define DEFAULT_SLOW_EVERY 6
#define POLL_LOCK "pheedsync.poll"
#define RECONCILE_LOCK "pheedsync.reconcile"
#define RECONCILE_LOCK_TTL_MS (3600 * 1000LL)
#define RECONCILE_RECHECK_MS (60 * 1000LL)
/* Delivery ids are kept this long: far past any sender's redelivery window. */
#define DELIVERY_KEEP_MS (7 * 24 * 3600 * 1000LL)
#define PURGE_EVERY_MS (3600 * 1000LL)

static void log_poll(const char *what, const char *event, int rc, const poller_result *r,
                     const err *e)
{
    if (rc != 0)
        log_write(LOG_WARN, "poll failed",
                  json_pack("{s:s, s:s?, s:s, s:s}", "poll", what, "event", event, "error",
                            err_code_name(rc), "message", e->msg));
    else if (r->hints > 0)
        log_write(LOG_INFO, "poll found changes",
                  json_pack("{s:s, s:s?, s:I, s:I}", "poll", what, "event", event, "seen",
                            (json_int_t)r->seen, "hints", (json_int_t)r->hints));
}

static int64_t poll_lease_ms(const daemon *d)
{
    return PS_MAX(2 * d->o.poll_interval_ms, 60000);
}

/* The link's own lock or cursor name (the default link's are the names of old). */
typedef struct link_names {
    char poll_lock[ENGINE_KEY_MAX], reconcile_lock[ENGINE_KEY_MAX],
        reconcile_cursor[ENGINE_KEY_MAX];
} link_names;

static void names_of(link_names *n, const engine *eng)
{
    engine_link_scoped(n->poll_lock, sizeof n->poll_lock, &eng->link, POLL_LOCK);
    engine_link_scoped(n->reconcile_lock, sizeof n->reconcile_lock, &eng->link, RECONCILE_LOCK);
    engine_link_scoped(n->reconcile_cursor, sizeof n->reconcile_cursor, &eng->link,
                       RECONCILE_CURSOR);
}

/* Renews the poll lock between pollers: a long first pass outlasts one lease. */
static void renew(daemon *d, engine *eng)
{
    bool got = false;
    link_names n;
    names_of(&n, eng);
    store_lock_try(&got, eng->store, n.poll_lock, eng->owner, poll_lease_ms(d), NULL);
}

/* One round of polls; slow adds the task and attendee pollers. */
static void poll_round(daemon *d, engine *eng, bool slow)
{
    poller_options po = {
        .delay_ms = d->o.coalesce_ms, .max_contacts = d->o.task_batch, .stop = &d->stop};
    poller_result r = {0};
    err e = {0};
    if (eng->ghl && eng->link.location_id) {
        int rc = poller_ghl_contacts(&r, eng, &po, &e);
        log_poll("ghl.contacts", NULL, rc, &r, &e);
        if (slow && !daemon_stopping(d)) {
            renew(d, eng);
            rc = poller_ghl_tasks(&r, eng, &po, &e);
            log_poll("ghl.tasks", NULL, rc, &r, &e);
        }
    }
    for (size_t i = 0; eng->pl && eng->link.events && eng->link.events[i]; i++) {
        const char *ev = eng->link.events[i];
        if (daemon_stopping(d))
            return;
        renew(d, eng);
        int rc = poller_pl_registrations(&r, eng, ev, &po, &e);
        log_poll("pl.registrations", ev, rc, &r, &e);
        if (slow && !daemon_stopping(d)) {
            renew(d, eng);
            rc = poller_pl_attendees(&r, eng, ev, &po, &e);
            log_poll("pl.attendees", ev, rc, &r, &e);
        }
    }
}

static void purge_deliveries(engine *eng)
{
    int64_t removed = 0;
    err e = {0};
    if (store_delivery_purge(&removed, eng->store, clock_now_ms(eng->clock) - DELIVERY_KEEP_MS,
                             &e) != 0)
        log_warnf("daemon: purging old delivery ids: %s", e.msg);
}

void *daemon_poll_main(void *arg)
{
    daemon_thread *t = arg;
    daemon *d = t->d;
    engine eng;
    if (!daemon_engine_open(d, t->link, &eng))
        return NULL;
    link_names n;
    names_of(&n, &eng);
    unsigned slow_every = d->o.slow_every ? d->o.slow_every : DEFAULT_SLOW_EVERY;
    int64_t last_purge = 0;
    for (unsigned round = 0; !daemon_stopping(d);) {
        bool got = false;
        err e = {0};
        if (store_lock_try(&got, eng.store, n.poll_lock, eng.owner, poll_lease_ms(d), &e) != 0)
            log_warnf("daemon: poll lock: %s", e.msg);
        if (got) {
            poll_round(d, &eng, round % slow_every == 0);
            store_lock_release(eng.store, n.poll_lock, eng.owner, NULL);
            atomic_fetch_add(&d->polls, 1);
            round++;
        }
        int64_t now = clock_mono_ms(eng.clock);
        if (now - last_purge >= PURGE_EVERY_MS || last_purge == 0) {
            purge_deliveries(&eng);
            last_purge = now;
        }
        daemon_wait(d, d->o.poll_interval_ms, false);
    }
    daemon_engine_close(&eng);
    return NULL;
}

/* When the next reconcile is due (wall ms). A store that never saw one gets a baseline now:
 * the first polls read everything, so the first reconcile can wait an interval. */
static int64_t reconcile_due(daemon *d, engine *eng)
{
    char *text = NULL;
    err e = {0};
    link_names n;
    names_of(&n, eng);
    int rc = store_cursor_get(&text, eng->store, n.reconcile_cursor, &e);
    int64_t now = clock_now_ms(eng->clock);
    if (rc == ERR_NOT_FOUND) {
        char base[128];
        snprintf(base, sizeof base,
                 "{\"started_ms\":%lld,\"finished_ms\":%lld,\"complete\":false,\"baseline\":true}",
                 (long long)now, (long long)now);
        store_cursor_put(eng->store, n.reconcile_cursor, base, NULL);
        return now + d->o.reconcile_interval_ms;
    }
    json_t *j = NULL;
    int64_t last = now, after = d->o.reconcile_interval_ms;
    if (rc == 0 && jsonx_parse(&j, text, strlen(text), n.reconcile_cursor, NULL) == 0) {
        last = jsonx_int(j, "finished_ms", now);
        /* A run that failed part way is tried again sooner than a whole interval. */
        if (!jsonx_bool(j, "complete", false) && !jsonx_bool(j, "baseline", false))
            after = PS_MAX(after / 8, 60000);
    }
    json_decref(j);
    free(text);
    return rc == 0 ? last + after : now + RECONCILE_RECHECK_MS;
}

/* Runs a reconcile unless another process holds the lock; false when it did not run. */
static bool reconcile_once(daemon *d, engine *eng)
{
    bool got = false;
    err e = {0};
    link_names n;
    names_of(&n, eng);
    if (store_lock_try(&got, eng->store, n.reconcile_lock, eng->owner, RECONCILE_LOCK_TTL_MS, &e) !=
            0 ||
        !got)
        return false;
    reconcile_options ro = {.delay_ms = d->o.coalesce_ms, .stop = &d->stop};
    reconcile_result r = {0};
    int rc = reconcile_run(&r, eng, &ro, &e);
    store_lock_release(eng->store, n.reconcile_lock, eng->owner, NULL);
    atomic_fetch_add(&d->reconciles, 1);
    if (rc != 0)
        log_write(LOG_WARN, "reconcile incomplete: no deletes inferred where a scan failed",
                  json_pack("{s:s, s:s}", "error", err_code_name(rc), "message", e.msg));
    else
        log_write(LOG_INFO, "reconcile done",
                  json_pack("{s:I, s:I, s:b, s:I, s:I, s:b}", "ghl_seen", (json_int_t)r.ghl.seen,
                            "ghl_gone", (json_int_t)r.ghl.gone, "ghl_complete", r.ghl.complete,
                            "pl_seen", (json_int_t)r.pl.seen, "pl_gone", (json_int_t)r.pl.gone,
                            "pl_complete", r.pl.complete));
    return true;
}

void *daemon_reconcile_main(void *arg)
{
    daemon_thread *t = arg;
    daemon *d = t->d;
    engine eng;
    if (!daemon_engine_open(d, t->link, &eng))
        return NULL;
    while (!daemon_stopping(d)) {
        int64_t wait = reconcile_due(d, &eng) - clock_now_ms(eng.clock);
        if (wait <= 0 && reconcile_once(d, &eng))
            continue;
        /* Looked at again now and then: another process may have run it meanwhile. */
        daemon_wait(d, PS_MAX(PS_MIN(wait, RECONCILE_RECHECK_MS), 1000), false);
    }
    daemon_engine_close(&eng);
    return NULL;
}
