/* store_contract.c: the contract suite's runner and fixture, and its lifecycle, transaction,
 * token, lock, delivery, cursor and budget cases. */
#include "store_contract.h"

#include <stdio.h>

store *sc_open(sc_fixture *f)
{
    store *s = NULL;
    err e;
    err_clear(&e);
    int rc = store_open(&s, f->url, &f->clock, &e);
    if (rc != 0)
        print_error("store_open %s: %s\n", f->url, e.msg);
    assert_int_equal(rc, 0);
    return s;
}

static int setup(void **state)
{
    sc_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->b = *state;
    clock_fake_init(&f->clock, SC_T0);
    if (f->b->fresh(f->b->ctx, f->url, sizeof f->url) != 0) {
        free(f);
        return -1;
    }
    err e;
    if (store_open(&f->s, f->url, &f->clock, &e) != 0) {
        print_error("store_open %s: %s\n", f->url, e.msg);
        f->b->cleanup(f->b->ctx, f->url);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    sc_fixture *f = *state;
    store_close(f->s);
    f->b->cleanup(f->b->ctx, f->url);
    free(f);
    return 0;
}

int store_contract_run(const store_contract_backend *b)
{
    const sc_case *groups[] = {sc_basic_cases, sc_queue_cases, sc_record_cases,
                               sc_concurrency_cases, sc_link_cases};
    size_t n = 0;
    for (size_t g = 0; g < PS_ARRAY_LEN(groups); g++)
        for (const sc_case *c = groups[g]; c->fn; c++)
            n++;
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    if (!tests)
        return 1;
    size_t i = 0;
    for (size_t g = 0; g < PS_ARRAY_LEN(groups); g++)
        for (const sc_case *c = groups[g]; c->fn; c++)
            tests[i++] = (struct CMUnitTest){c->name, c->fn, setup, teardown, (void *)(uintptr_t)b};
    char group[64];
    snprintf(group, sizeof group, "store contract (%s)", b->name);
    int failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    free(tests);
    return failed;
}

/* ------------------------------------------------------------------ lifecycle */

static void migrates_from_empty(void **state)
{
    sc_fixture *f = *state;
    int cur = 0, sup = 0;
    SC_OK(store_schema_version(&cur, &sup, f->s, SC_E));
    assert_int_equal(cur, store_schema_latest());
    assert_int_equal(sup, store_schema_latest());
    assert_string_equal(store_backend(f->s), f->b->name);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_pending + c.inbox_claimed + c.outbox_pending + c.outbox_running +
                         c.outbox_done + c.dead_letters + c.held_pending + c.links,
                     0);
}

static void reopen_keeps_data_and_version(void **state)
{
    sc_fixture *f = *state;
    SC_OK(store_cursor_put(f->s, "ghl.contacts", "2026-11-27T07:00:00Z|abc", SC_E));
    store_close(f->s);
    f->s = sc_open(f);
    store *again = sc_open(f); /* migrating an up-to-date store twice is a no-op */
    store_close(again);
    char *v = NULL;
    SC_OK(store_cursor_get(&v, f->s, "ghl.contacts", SC_E));
    assert_string_equal(v, "2026-11-27T07:00:00Z|abc");
    free(v);
    int cur = 0;
    SC_OK(store_schema_version(&cur, NULL, f->s, SC_E));
    assert_int_equal(cur, store_schema_latest());
}

static void newer_schema_is_refused(void **state)
{
    sc_fixture *f = *state;
    store_close(f->s);
    f->s = NULL;
    int newer = store_schema_latest() + 6;
    assert_int_equal(f->b->force_version(f->b->ctx, f->url, newer), 0);
    store *s = NULL;
    err e;
    err_clear(&e);
    assert_int_equal(store_open(&s, f->url, &f->clock, &e), ERR_BAD_STATE);
    assert_null(s);
    char want[128];
    snprintf(want, sizeof want,
             "store schema version %d is newer than this pheedsync (%d): "
             "upgrade pheedsync",
             newer, store_schema_latest());
    if (!strstr(e.msg, want))
        print_error("message: %s\n", e.msg);
    assert_non_null(strstr(e.msg, want));
}

static void urls_are_checked(void **state)
{
    sc_fixture *f = *state;
    store *s = NULL;
    SC_FAILS(ERR_CONFIG, store_open(&s, "mysql://x", NULL, SC_E));
    SC_FAILS(ERR_CONFIG, store_open(&s, "", NULL, SC_E));
    SC_FAILS(ERR_CONFIG, store_open(&s, "sqlite:", NULL, SC_E));
    /* a PostgreSQL server that is not there (port 1 of loopback): named, password hidden */
    SC_FAILS(ERR_IO, store_open(&s, "postgresql://pheed:s3cret@127.0.0.1:1/state", &f->clock,
                                SC_E));
    assert_null(s);
    err e;
    store_open(&s, "postgres://pheed:s3cret@127.0.0.1:1/state", NULL, &e);
    assert_non_null(strstr(e.msg, "postgres://pheed:***@127.0.0.1:1/state"));
    assert_null(strstr(e.msg, "s3cret"));
    store_close(NULL);
}

static void arguments_are_checked(void **state)
{
    sc_fixture *f = *state;
    bool seen = false;
    char *out = NULL;
    SC_FAILS(ERR_INVALID, store_delivery_seen_or_insert(&seen, f->s, "", "id", SC_E));
    SC_FAILS(ERR_INVALID, store_delivery_seen_or_insert(&seen, NULL, "ghl", "id", SC_E));
    SC_FAILS(ERR_INVALID, store_token_put(f->s, "ghl", "loc", NULL, 0, SC_E));
    SC_FAILS(ERR_INVALID, store_cursor_get(NULL, f->s, "x", SC_E));
    SC_FAILS(ERR_INVALID, store_cursor_get(&out, f->s, NULL, SC_E));
    store_hint_new h = {"ghl", "ContactUpdate", "", "{}", 0, NULL};
    SC_FAILS(ERR_INVALID, store_inbox_append(NULL, f->s, &h, SC_E));
    store_op_new op = {"ghl", "loc", "ghl.upsert_contact", "k", "{}", "i", 7, 0, NULL};
    int64_t id = 0;
    SC_FAILS(ERR_INVALID, store_outbox_enqueue(&id, NULL, f->s, &op, SC_E));
    store_op fake = {0};
    SC_FAILS(ERR_INVALID, store_outbox_complete(f->s, &fake, SC_E));
    store_ops ops;
    SC_FAILS(ERR_INVALID, store_outbox_claim(&ops, f->s, "w", 1000, "", 1, SC_E));
    SC_FAILS(ERR_INVALID, store_outbox_claim(&ops, f->s, "w", 0, NULL, 1, SC_E));
}

/* ------------------------------------------------------------------ transactions */

static void transactions_commit_and_roll_back(void **state)
{
    sc_fixture *f = *state;
    store *other = sc_open(f);
    char *v = NULL;
    assert_false(store_in_transaction(f->s));
    SC_OK(store_begin(f->s, SC_E));
    assert_true(store_in_transaction(f->s));
    SC_FAILS(ERR_BAD_STATE, store_begin(f->s, SC_E));
    SC_OK(store_cursor_put(f->s, "a", "1", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_cursor_get(&v, other, "a", SC_E)); /* not visible yet */
    SC_OK(store_rollback(f->s, SC_E));
    assert_false(store_in_transaction(f->s));
    SC_FAILS(ERR_NOT_FOUND, store_cursor_get(&v, f->s, "a", SC_E));

    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_cursor_put(f->s, "a", "2", SC_E));
    int64_t id = 0;
    store_op_new op = {"ghl",           "loc",       "ghl.upsert_contact",
                       "ghl:c:1",       "{\"x\":1}", "idem-1",
                       STORE_LANE_LIVE, 0,           NULL};
    SC_OK(store_outbox_enqueue(&id, NULL, f->s, &op, SC_E));
    /* a failing call inside the transaction undoes only itself */
    op.idem_key = "idem-2";
    op.payload = "{not json";
    SC_FAILS(ERR_INVALID, store_outbox_enqueue(&id, NULL, f->s, &op, SC_E));
    SC_OK(store_commit(f->s, SC_E));
    SC_OK(store_cursor_get(&v, other, "a", SC_E));
    assert_string_equal(v, "2");
    free(v);
    store_counts c;
    SC_OK(store_count(&c, other, SC_E));
    assert_int_equal(c.outbox_pending, 1);

    SC_FAILS(ERR_BAD_STATE, store_commit(f->s, SC_E));
    SC_OK(store_rollback(f->s, SC_E)); /* nothing open: a no-op */
    store_close(other);
}

static void close_rolls_back_an_open_transaction(void **state)
{
    sc_fixture *f = *state;
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_cursor_put(f->s, "left", "open", SC_E));
    store_close(f->s);
    f->s = sc_open(f);
    char *v = NULL;
    SC_FAILS(ERR_NOT_FOUND, store_cursor_get(&v, f->s, "left", SC_E));
    SC_OK(store_cursor_put(f->s, "left", "x", SC_E)); /* and the write lock was released */
}

/* ------------------------------------------------------------------ tokens, locks, deliveries */

static void tokens_put_get_delete(void **state)
{
    sc_fixture *f = *state;
    char *sealed = NULL;
    int64_t exp = 0;
    SC_FAILS(ERR_NOT_FOUND, store_token_get(&sealed, &exp, f->s, "ghl", "loc1", SC_E));
    SC_OK(store_token_put(f->s, "ghl", "loc1", "v1.sealed.AAAA", SC_T0 + 86400000, SC_E));
    SC_OK(store_token_put(f->s, "pheedloop", "loc1", "other", 0, SC_E));
    SC_OK(store_token_get(&sealed, &exp, f->s, "ghl", "loc1", SC_E));
    assert_string_equal(sealed, "v1.sealed.AAAA");
    assert_int_equal(exp, SC_T0 + 86400000);
    free(sealed);
    SC_OK(store_token_put(f->s, "ghl", "loc1", "v1.sealed.BBBB", 0, SC_E));
    SC_OK(store_token_get(&sealed, NULL, f->s, "ghl", "loc1", SC_E));
    assert_string_equal(sealed, "v1.sealed.BBBB");
    free(sealed);
    SC_OK(store_token_delete(f->s, "ghl", "loc1", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_token_get(&sealed, NULL, f->s, "ghl", "loc1", SC_E));
    SC_OK(store_token_get(&sealed, NULL, f->s, "pheedloop", "loc1", SC_E));
    free(sealed);
}

static void lock_leases_expire(void **state)
{
    sc_fixture *f = *state;
    store *p2 = sc_open(f);
    bool got = false;
    SC_OK(store_lock_try(&got, f->s, "refresh:ghl:loc1", "proc-a", 5000, SC_E));
    assert_true(got);
    SC_OK(store_lock_try(&got, p2, "refresh:ghl:loc1", "proc-b", 5000, SC_E));
    assert_false(got);
    SC_OK(store_lock_try(&got, p2, "refresh:ghl:loc2", "proc-b", 5000, SC_E));
    assert_true(got); /* another name is another lock */
    clock_fake_advance(&f->clock, 4000);
    SC_OK(store_lock_try(&got, f->s, "refresh:ghl:loc1", "proc-a", 5000, SC_E)); /* renew */
    assert_true(got);
    clock_fake_advance(&f->clock, 4000);
    SC_OK(store_lock_try(&got, p2, "refresh:ghl:loc1", "proc-b", 5000, SC_E));
    assert_false(got);                                                 /* the renewal counted */
    SC_OK(store_lock_release(p2, "refresh:ghl:loc1", "proc-b", SC_E)); /* not the holder: no-op */
    SC_OK(store_lock_try(&got, p2, "refresh:ghl:loc1", "proc-b", 5000, SC_E));
    assert_false(got);
    clock_fake_advance(&f->clock, 1001); /* proc-a "crashed": its lease runs out */
    SC_OK(store_lock_try(&got, p2, "refresh:ghl:loc1", "proc-b", 5000, SC_E));
    assert_true(got);
    SC_OK(store_lock_try(&got, f->s, "refresh:ghl:loc1", "proc-a", 5000, SC_E));
    assert_false(got);
    SC_OK(store_lock_release(p2, "refresh:ghl:loc1", "proc-b", SC_E));
    SC_OK(store_lock_try(&got, f->s, "refresh:ghl:loc1", "proc-a", 5000, SC_E));
    assert_true(got);
    store_close(p2);
}

static void deliveries_dedupe_and_purge(void **state)
{
    sc_fixture *f = *state;
    bool seen = true;
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-1", SC_E));
    assert_false(seen);
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-1", SC_E));
    assert_true(seen);
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "pheedloop", "wh-1", SC_E));
    assert_false(seen);
    clock_fake_advance(&f->clock, 10000);
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-2", SC_E));
    int64_t removed = 0;
    SC_OK(store_delivery_purge(&removed, f->s, SC_T0 + 5000, SC_E));
    assert_int_equal(removed, 2);
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-1", SC_E));
    assert_false(seen);
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-2", SC_E));
    assert_true(seen);
}

/* The webhook path: the delivery id and the hint land together or not at all, so that a
 * failed store (answered 429) does not make the sender's retry look like a duplicate. */
static void delivery_and_hint_commit_together(void **state)
{
    sc_fixture *f = *state;
    bool seen = true;
    store_hint_new bad = {"ghl", "ContactUpdate", "ghl:contact:L:1", "{truncated", 0, NULL};
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-9", SC_E));
    assert_false(seen);
    SC_FAILS(ERR_INVALID, store_inbox_append(NULL, f->s, &bad, SC_E));
    SC_OK(store_rollback(f->s, SC_E));

    store_hint_new good = {"ghl", "ContactUpdate", "ghl:contact:L:1", "{\"id\":\"1\"}", 0, NULL};
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-9", SC_E));
    assert_false(seen); /* the retry is not a duplicate */
    SC_OK(store_inbox_append(NULL, f->s, &good, SC_E));
    SC_OK(store_commit(f->s, SC_E));
    SC_OK(store_delivery_seen_or_insert(&seen, f->s, "ghl", "wh-9", SC_E));
    assert_true(seen);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_pending, 1);
}

static void cursors_put_and_get(void **state)
{
    sc_fixture *f = *state;
    char *v = NULL;
    SC_FAILS(ERR_NOT_FOUND, store_cursor_get(&v, f->s, "pl.registrations.EVT", SC_E));
    SC_OK(store_cursor_put(f->s, "pl.registrations.EVT", "2026-11-26", SC_E));
    SC_OK(store_cursor_put(f->s, "pl.registrations.EVT", "2026-11-27", SC_E));
    SC_OK(store_cursor_put(f->s, "empty", "", SC_E));
    SC_OK(store_cursor_get(&v, f->s, "pl.registrations.EVT", SC_E));
    assert_string_equal(v, "2026-11-27");
    free(v);
    SC_OK(store_cursor_get(&v, f->s, "empty", SC_E));
    assert_string_equal(v, "");
    free(v);
}

static void budget_window_and_day(void **state)
{
    sc_fixture *f = *state;
    store_budget_limits lim = {10000, 5, 8};
    store_budget_take_result r;
    SC_OK(store_budget_take(&r, f->s, "loc1", &lim, 3, SC_E));
    assert_true(r.granted);
    assert_int_equal(r.window_left, 2);
    assert_int_equal(r.day_left, 5);
    SC_OK(store_budget_take(&r, f->s, "loc1", &lim, 3, SC_E));
    assert_false(r.granted); /* all or nothing */
    assert_int_equal(r.retry_at_ms, SC_T0 + 10000);
    assert_int_equal(r.window_left, 2);
    SC_OK(store_budget_take(&r, f->s, "loc2", &lim, 5, SC_E));
    assert_true(r.granted); /* accounts are separate */
    clock_fake_advance(&f->clock, 10000);
    SC_OK(store_budget_take(&r, f->s, "loc1", &lim, 5, SC_E));
    assert_true(r.granted);
    assert_int_equal(r.day_left, 0);
    clock_fake_advance(&f->clock, 10000);
    SC_OK(store_budget_take(&r, f->s, "loc1", &lim, 1, SC_E));
    assert_false(r.granted); /* the day is spent: wait for the next UTC midnight */
    int64_t now = SC_T0 + 20000;
    int64_t midnight = now - now % 86400000 + 86400000;
    assert_int_equal(r.retry_at_ms, midnight);
    clock_fake_advance(&f->clock, midnight - now);
    SC_OK(store_budget_take(&r, f->s, "loc1", &lim, 1, SC_E));
    assert_true(r.granted);
    store_budget_limits nodaily = {1000, 2, 0};
    SC_OK(store_budget_take(&r, f->s, "loc3", &nodaily, 1, SC_E));
    assert_int_equal(r.day_left, -1);
    SC_FAILS(ERR_INVALID, store_budget_take(&r, f->s, "loc3", &nodaily, 3, SC_E));
}

const sc_case sc_basic_cases[] = {
    {"migrates_from_empty", migrates_from_empty},
    {"reopen_keeps_data_and_version", reopen_keeps_data_and_version},
    {"newer_schema_is_refused", newer_schema_is_refused},
    {"urls_are_checked", urls_are_checked},
    {"arguments_are_checked", arguments_are_checked},
    {"transactions_commit_and_roll_back", transactions_commit_and_roll_back},
    {"close_rolls_back_an_open_transaction", close_rolls_back_an_open_transaction},
    {"tokens_put_get_delete", tokens_put_get_delete},
    {"lock_leases_expire", lock_leases_expire},
    {"deliveries_dedupe_and_purge", deliveries_dedupe_and_purge},
    {"delivery_and_hint_commit_together", delivery_and_hint_commit_together},
    {"cursors_put_and_get", cursors_put_and_get},
    {"budget_window_and_day", budget_window_and_day},
    {NULL, NULL},
};
