/* governor_wait.c: the thread-safe governor: callers queue by lane and the first in line waits
 * for the bucket, so that a higher lane always goes before a lower one. */
#include "net/governor.h"
#include "util/log.h"

#include <errno.h>
#include <pthread.h>

typedef struct waiter {
    struct waiter *prev, *next;
} waiter;

struct governor {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    governor_bucket bucket;
    clock_source *clk;
    char name[96];
    waiter *head[GOVERNOR_LANES], *tail[GOVERNOR_LANES];
    int waiting[GOVERNOR_LANES];
    uint64_t granted[GOVERNOR_LANES];
    bool shutdown;
};

int governor_new(governor **out, const char *name, const governor_config *cfg, clock_source *clk,
                 err *e)
{
    governor *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->clk = clk ? clk : clock_system();
    snprintf(g->name, sizeof g->name, "%s", name ? name : "");
    int rc = governor_bucket_init(&g->bucket, cfg, g->clk, e);
    if (rc) {
        err_wrap(e, "governor %s: ", g->name);
        free(g);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&g->mu, NULL);
    *out = g;
    return 0;
}

void governor_free(governor *g)
{
    if (!g)
        return;
    governor_bucket_free(&g->bucket);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static void enqueue(governor *g, governor_lane lane, waiter *w)
{
    w->next = NULL;
    w->prev = g->tail[lane];
    if (g->tail[lane])
        g->tail[lane]->next = w;
    else
        g->head[lane] = w;
    g->tail[lane] = w;
    g->waiting[lane]++;
}

static void dequeue(governor *g, governor_lane lane, waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        g->head[lane] = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        g->tail[lane] = w->prev;
    g->waiting[lane]--;
    pthread_cond_broadcast(&g->cv);
}

/* The waiter the bucket is asked for: the oldest of the highest lane anyone waits in. */
static const waiter *first_in_line(const governor *g)
{
    for (int i = 0; i < GOVERNOR_LANES; i++)
        if (g->head[i])
            return g->head[i];
    return NULL;
}

/* Waits on the condition until monotonic (real) time now + ms, or forever when ms < 0. */
static void wait_cv(governor *g, int64_t ms)
{
    if (ms < 0) {
        pthread_cond_wait(&g->cv, &g->mu);
        return;
    }
    struct timespec ts = clock_mono_deadline(ms);
    int rc;
    do
        rc = pthread_cond_timedwait(&g->cv, &g->mu, &ts);
    while (rc == EINTR);
}

static int refuse(governor *g, governor_lane lane, waiter *w, int64_t hint, int64_t *wait_hint_ms,
                  int code, err *e)
{
    dequeue(g, lane, w);
    pthread_mutex_unlock(&g->mu);
    if (wait_hint_ms)
        *wait_hint_ms = hint;
    if (code == ERR_BAD_STATE)
        return err_set(e, ERR_BAD_STATE, "rate governor %s: shut down", g->name);
    if (hint >= 0)
        return err_set(e, ERR_LIMIT, "rate governor %s: budget spent for %lld ms", g->name,
                       (long long)hint);
    return err_set(e, ERR_LIMIT, "rate governor %s: no slot within the wait allowed", g->name);
}

/* After this process's bucket let a request go (ticket t, limits max and interval in force):
 * the budget shared with other processes, waited for within the same deadline. On failure the
 * ticket is given back as never sent. */
static int take_shared(governor *g, const governor_ticket *t, int64_t max, int64_t interval_ms,
                       int64_t deadline, int64_t *wait_hint_ms, err *e)
{
    const governor_shared *sh = &g->bucket.cfg.shared;
    for (;;) {
        int64_t retry = 0;
        err e2 = {0};
        if (sh->take(sh->ctx, g->name, max, interval_ms, &retry, &e2) != 0) {
            log_write(LOG_WARN,
                      "shared rate budget unavailable: this request counts on the "
                      "process's own budget only",
                      json_pack("{s:s, s:s}", "budget", g->name, "error", e2.msg));
            return 0;
        }
        if (retry <= 0)
            return 0;
        pthread_mutex_lock(&g->mu);
        int64_t now = clock_mono_ms(g->clk);
        bool shut = g->shutdown;
        bool stop = shut || (deadline != INT64_MAX && now + retry > deadline);
        if (!stop && g->clk->fake)
            clock_fake_advance(g->clk, retry);
        else if (!stop)
            wait_cv(g, retry); /* a shutdown wakes it */
        pthread_mutex_unlock(&g->mu);
        if (stop) {
            governor_result r = {.sent = false};
            governor_release(g, t, &r);
            if (wait_hint_ms)
                *wait_hint_ms = retry;
            return shut ? err_set(e, ERR_BAD_STATE, "rate governor %s: shut down", g->name)
                        : err_set(e, ERR_LIMIT,
                                  "rate governor %s: the budget shared with other "
                                  "processes is spent for %lld ms",
                                  g->name, (long long)retry);
        }
    }
}

int governor_acquire(governor *g, governor_lane lane, int64_t max_wait_ms, governor_ticket *out,
                     int64_t *wait_hint_ms, err *e)
{
    if ((unsigned)lane >= GOVERNOR_LANES)
        return err_set(e, ERR_INVALID, "rate governor %s: no lane %d", g->name, (int)lane);
    waiter w;
    pthread_mutex_lock(&g->mu);
    enqueue(g, lane, &w);
    int64_t deadline = max_wait_ms < 0 ? INT64_MAX : clock_mono_ms(g->clk) + max_wait_ms;
    for (;;) {
        if (g->shutdown)
            return refuse(g, lane, &w, -1, wait_hint_ms, ERR_BAD_STATE, e);
        int64_t now = clock_mono_ms(g->clk);
        int64_t sleep_ms = deadline == INT64_MAX ? -1 : deadline - now;
        if (first_in_line(g) == &w) {
            governor_verdict v = governor_bucket_check(&g->bucket, lane, g->clk);
            if (v.allowed) {
                governor_bucket_take(&g->bucket, lane, g->clk, out);
                g->granted[lane]++;
                dequeue(g, lane, &w);
                int64_t max = g->bucket.max, interval_ms = g->bucket.interval_ms;
                pthread_mutex_unlock(&g->mu);
                if (!g->bucket.cfg.shared.take || max <= 0 || interval_ms <= 0)
                    return 0;
                return take_shared(g, out, max, interval_ms, deadline, wait_hint_ms, e);
            }
            if (v.wait_ms >= 0 && (deadline == INT64_MAX || v.wait_ms <= deadline - now)) {
                if (g->clk->fake) {
                    clock_fake_advance(g->clk, v.wait_ms); /* nobody else moves a fake clock */
                    continue;
                }
                sleep_ms = v.wait_ms;
            } else if (v.wait_ms >= 0) {
                return refuse(g, lane, &w, v.wait_ms, wait_hint_ms, ERR_LIMIT, e);
            }
        }
        if (sleep_ms == 0 || (deadline != INT64_MAX && now >= deadline))
            return refuse(g, lane, &w, -1, wait_hint_ms, ERR_LIMIT, e);
        wait_cv(g, sleep_ms);
    }
}

void governor_release(governor *g, const governor_ticket *t, const governor_result *r)
{
    pthread_mutex_lock(&g->mu);
    governor_bucket_done(&g->bucket, t, r, g->clk);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    if (r->status == 429) {
        /* Our own traffic never causes this (governor.h): someone else shares the budget. */
        json_t *f = json_pack("{s:s, s:s}", "budget", g->name, "lane", governor_lane_name(t->lane));
        if (f && r->rate && r->rate->retry_after_ms >= 0)
            json_object_set_new(f, "retry_after_ms", json_integer(r->rate->retry_after_ms));
        if (f && r->rate && r->rate->daily_remaining == 0)
            json_object_set_new(f, "daily_exhausted", json_true());
        log_write(LOG_WARN, "rate limit refused a request", f);
    }
}

void governor_shutdown(governor *g)
{
    pthread_mutex_lock(&g->mu);
    g->shutdown = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

void governor_wake(governor *g)
{
    pthread_mutex_lock(&g->mu);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

json_t *governor_state_json(governor *g)
{
    pthread_mutex_lock(&g->mu);
    json_t *j = governor_bucket_json(&g->bucket, g->clk);
    json_t *waiting = json_object(), *granted = json_object();
    for (int i = 0; i < GOVERNOR_LANES; i++) {
        json_object_set_new(waiting, governor_lane_name((governor_lane)i),
                            json_integer(g->waiting[i]));
        json_object_set_new(granted, governor_lane_name((governor_lane)i),
                            json_integer((json_int_t)g->granted[i]));
    }
    pthread_mutex_unlock(&g->mu);
    json_object_set_new(j, "name", json_string(g->name));
    json_object_set_new(j, "waiting", waiting);
    json_object_set_new(j, "granted", granted);
    return j;
}
