/* test_governor_wait.c: the thread-safe governor: callers of a higher lane go first, FIFO within
 * a lane; bounded waits; shutdown wakes everyone; the budget shared with other processes is
 * asked after the bucket, waited for, or passed by when unreachable. Fake clock: the first
 * waiter moves it. */
#include "net/governor.h"
#include "tests/support/testhttp.h"

#include <pthread.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define T0 ((int64_t)1767225600000)

typedef struct shared {
    governor *g;
    clock_source clk;
    pthread_mutex_t mu;
    int order[16]; /* caller ids in the order they were let go */
    int n_order;
} shared;

typedef struct caller {
    shared *sh;
    int id;
    governor_lane lane;
    int rc;
} caller;

static void *run_caller(void *arg)
{
    caller *c = arg;
    governor_ticket t;
    err e = {0};
    c->rc = governor_acquire(c->sh->g, c->lane, -1, &t, NULL, &e);
    if (c->rc == 0) {
        pthread_mutex_lock(&c->sh->mu);
        c->sh->order[c->sh->n_order++] = c->id;
        pthread_mutex_unlock(&c->sh->mu);
        governor_result r = {.sent = true, .status = 200};
        governor_release(c->sh->g, &t, &r);
    }
    return NULL;
}

typedef struct waiting_ctx {
    governor *g;
    int want;
} waiting_ctx;

static bool all_waiting(void *arg)
{
    waiting_ctx *w = arg;
    json_t *j = governor_state_json(w->g);
    json_t *lanes = json_object_get(j, "waiting");
    int n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(lanes, k, v) n += (int)json_integer_value(v);
    json_decref(j);
    return n == w->want;
}

static void start(pthread_t *th, caller *c, shared *sh, int id, governor_lane lane, int waiting)
{
    *c = (caller){.sh = sh, .id = id, .lane = lane, .rc = -100};
    assert_int_equal(pthread_create(th, NULL, run_caller, c), 0);
    waiting_ctx w = {.g = sh->g, .want = waiting};
    assert_true(th_wait_until(all_waiting, &w, 5000)); /* queued before the next one starts */
}

static void test_wait_lane_order(void **state)
{
    shared sh = {.n_order = 0};
    clock_fake_init(&sh.clk, T0);
    pthread_mutex_init(&sh.mu, NULL);
    governor_config cfg = {.max_per_interval = 1, .interval_ms = 1000, .margin_ms = -1};
    err e = {0};
    assert_int_equal(governor_new(&sh.g, "test", &cfg, &sh.clk, &e), 0);
    governor_ticket held;
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 0, &held, NULL, &e), 0);

    /* Queued while the one slot is held: reconcile first, live last. */
    const governor_lane lanes[8] = {GOVERNOR_LANE_RECONCILE, GOVERNOR_LANE_BACKFILL,
                                    GOVERNOR_LANE_RECONCILE, GOVERNOR_LANE_LIVE,
                                    GOVERNOR_LANE_BACKFILL,  GOVERNOR_LANE_LIVE,
                                    GOVERNOR_LANE_RECONCILE, GOVERNOR_LANE_LIVE};
    pthread_t th[8];
    caller c[8];
    for (int i = 0; i < 8; i++)
        start(&th[i], &c[i], &sh, i, lanes[i], i + 1);
    int64_t before = clock_mono_ms(&sh.clk);
    governor_result r = {.sent = true, .status = 200};
    governor_release(sh.g, &held, &r);
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].rc, 0);
    }
    const int want[8] = {3, 5, 7, 1, 4, 0, 2, 6};
    assert_int_equal(sh.n_order, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(sh.order[i], want[i]);
    /* One per interval: the waiters moved the fake clock one interval per grant. */
    assert_int_equal(clock_mono_ms(&sh.clk) - before, 8000);
    json_t *j = governor_state_json(sh.g);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "test");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "granted"), "live")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "granted"), "reconcile")),
                     3);
    json_decref(j);
    governor_free(sh.g);
    pthread_mutex_destroy(&sh.mu);
}

static void test_wait_bounds(void **state)
{
    shared sh = {.n_order = 0};
    clock_fake_init(&sh.clk, T0 + 12 * 3600000); /* noon UTC */
    governor_config cfg = {.max_per_interval = 1, .interval_ms = 1000, .margin_ms = -1,
                           .daily_limit = 2};
    err e = {0};
    assert_int_equal(governor_new(&sh.g, "bounds", &cfg, &sh.clk, &e), 0);
    governor_ticket held, t;
    governor_result r = {.sent = true, .status = 200};
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 0, &held, NULL, &e), 0);
    /* In flight: no known wait, and none allowed. */
    int64_t hint = 0;
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 0, &t, &hint, &e), ERR_LIMIT);
    assert_int_equal(hint, -1);
    governor_release(sh.g, &held, &r);
    /* A known wait longer than allowed fails at once, saying how long. */
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 10, &t, &hint, &e), ERR_LIMIT);
    assert_int_equal(hint, 1000);
    assert_non_null(strstr(e.msg, "1000 ms"));
    /* Within the bound it waits (on a fake clock: moves it). */
    int64_t before = clock_mono_ms(&sh.clk);
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 1000, &t, &hint, &e), 0);
    assert_int_equal(clock_mono_ms(&sh.clk) - before, 1000);
    governor_release(sh.g, &t, &r);
    /* The day's budget is spent: waiting for the interval is fine, waiting for midnight is not;
     * the caller learns when. */
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, 60000, &t, &hint, &e), ERR_LIMIT);
    assert_int_equal(hint, 12 * 3600000 - 2000);
    assert_int_equal(governor_acquire(sh.g, 7, 0, &t, NULL, &e), ERR_INVALID);
    governor_free(sh.g);
}

static void test_wait_shutdown(void **state)
{
    shared sh = {.n_order = 0};
    clock_fake_init(&sh.clk, T0);
    pthread_mutex_init(&sh.mu, NULL);
    governor_config cfg = {.max_in_flight = 1};
    err e = {0};
    assert_int_equal(governor_new(&sh.g, "shutdown", &cfg, &sh.clk, &e), 0);
    governor_ticket held, t;
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, -1, &held, NULL, &e), 0);
    pthread_t th;
    caller c;
    start(&th, &c, &sh, 0, GOVERNOR_LANE_BACKFILL, 1); /* waits for an answer that never comes */
    governor_shutdown(sh.g);
    pthread_join(th, NULL);
    assert_int_equal(c.rc, ERR_BAD_STATE);
    assert_int_equal(governor_acquire(sh.g, GOVERNOR_LANE_LIVE, -1, &t, NULL, &e), ERR_BAD_STATE);
    governor_result r = {.sent = true, .status = 200};
    governor_release(sh.g, &held, &r);
    governor_free(sh.g);
    pthread_mutex_destroy(&sh.mu);
}

/* A budget other processes share, as the store's row would answer: `free` requests may go,
 * then each is refused with `wait` ms to wait (the window ends, `free` again), or fails. */
typedef struct fake_shared {
    int free, asked, fails;
    int64_t wait, max_seen, interval_seen;
    char name[64];
} fake_shared;

static int fake_take(void *ctx, const char *name, int64_t max, int64_t interval_ms,
                     int64_t *retry_in_ms, err *e)
{
    fake_shared *f = ctx;
    f->asked++;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->max_seen = max;
    f->interval_seen = interval_ms;
    if (f->fails)
        return err_set(e, ERR_IO, "store unreachable");
    if (f->free > 0) {
        f->free--;
        *retry_in_ms = 0;
    } else {
        f->free = 1; /* the next window */
        *retry_in_ms = f->wait;
    }
    return 0;
}

static void test_shared_budget(void **state)
{
    (void)state;
    clock_source clk;
    clock_fake_init(&clk, T0);
    fake_shared fs = {.free = 1, .wait = 400};
    governor_config cfg = {.max_per_interval = 10, .interval_ms = 1000,
                           .shared = {fake_take, &fs}};
    governor *g = NULL;
    err e = {0};
    assert_int_equal(governor_new(&g, "ghl:LOC", &cfg, &clk, &e), 0);
    governor_ticket t;
    governor_result ok = {.sent = true, .status = 200};
    /* Granted by both: asked once, with the budget's name and limits. */
    assert_int_equal(governor_acquire(g, GOVERNOR_LANE_LIVE, -1, &t, NULL, &e), 0);
    governor_release(g, &t, &ok);
    assert_int_equal(fs.asked, 1);
    assert_string_equal(fs.name, "ghl:LOC");
    assert_int_equal(fs.max_seen, 10);
    assert_int_equal(fs.interval_seen, 1000);
    /* Our bucket has room, the shared budget not: it waits for the shared window. */
    int64_t before = clock_mono_ms(&clk);
    assert_int_equal(governor_acquire(g, GOVERNOR_LANE_LIVE, -1, &t, NULL, &e), 0);
    assert_int_equal(clock_mono_ms(&clk) - before, 400);
    assert_int_equal(fs.asked, 3);
    governor_release(g, &t, &ok);
    /* A wait longer than allowed: refused, saying how long, and the ticket given back. */
    fs.free = 0;
    int64_t hint = 0;
    assert_int_equal(governor_acquire(g, GOVERNOR_LANE_LIVE, 100, &t, &hint, &e), ERR_LIMIT);
    assert_int_equal(hint, 400);
    assert_non_null(strstr(e.msg, "shared with other processes"));
    json_t *st = governor_state_json(g);
    assert_int_equal(json_integer_value(json_object_get(st, "in_flight")), 0);
    json_decref(st);
    /* The shared budget unreachable: the request goes on this process's own bucket. */
    fs.fails = 1;
    assert_int_equal(governor_acquire(g, GOVERNOR_LANE_LIVE, -1, &t, NULL, &e), 0);
    governor_release(g, &t, &ok);
    governor_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_lane_order),
        cmocka_unit_test(test_wait_bounds),
        cmocka_unit_test(test_wait_shutdown),
        cmocka_unit_test(test_shared_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
