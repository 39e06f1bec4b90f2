/* test_page_units.c: the pure parts behind the status page: the per-minute chart ring, running
 * total deltas, the admin token check and path ids, API metrics labels and totals, budgets from
 * governor state, the compiled-in assets, and the store's audit tail and sync lag figures. */
#include "ops/admin_http.h"
#include "ops/api_metrics.h"
#include "ops/page.h"
#include "ops/page_series.h"
#include "ops/health.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

#define MIN_MS 60000
#define T0 ((int64_t)1800000000000) /* a whole minute */

static int64_t at(const json_t *series, const char *kind, size_t i)
{
    return json_integer_value(json_array_get(json_object_get(series, kind), i));
}

static void test_series_minutes_and_hour(void **state)
{
    ops_series s;
    ops_series_init(&s);
    ops_series_add(&s, T0 + 1000, OPS_SERIES_APPLIED, 3);
    ops_series_add(&s, T0 + 59999, OPS_SERIES_APPLIED, 2);
    ops_series_add(&s, T0 + MIN_MS, OPS_SERIES_API, 7);
    ops_series_add(&s, T0 + MIN_MS, OPS_SERIES_FAILED, 0); /* nothing */
    json_t *j = ops_series_json(&s, T0 + MIN_MS + 5);
    assert_int_equal(json_array_size(json_object_get(j, "minute_ms")), OPS_SERIES_MINUTES);
    /* Oldest first: the last slot is now's minute, the one before it T0's. */
    assert_int_equal(at(j, "minute_ms", 59), T0 + MIN_MS);
    assert_int_equal(at(j, "minute_ms", 58), T0);
    assert_int_equal(at(j, "applied", 58), 5);
    assert_int_equal(at(j, "applied", 59), 0);
    assert_int_equal(at(j, "api_calls", 59), 7);
    assert_int_equal(at(j, "failed", 59), 0);
    assert_int_equal(at(j, "webhooks", 59), 0);
    json_decref(j);

    /* An hour later T0's slot is reused: the old count is gone, not added to. */
    ops_series_add(&s, T0 + 60 * MIN_MS, OPS_SERIES_APPLIED, 1);
    j = ops_series_json(&s, T0 + 60 * MIN_MS);
    assert_int_equal(at(j, "applied", 59), 1);
    assert_int_equal(at(j, "api_calls", 58), 0); /* T0 + 59 min: nothing */
    assert_int_equal(at(j, "api_calls", 0), 7);  /* T0 + 1 min is still within the hour */
    int64_t total = 0;
    for (size_t i = 0; i < OPS_SERIES_MINUTES; i++)
        total += at(j, "applied", i);
    assert_int_equal(total, 1);
    json_decref(j);

    /* A sample older than the hour the ring holds does not land in a newer minute. */
    ops_series_add(&s, T0, OPS_SERIES_APPLIED, 100);
    j = ops_series_json(&s, T0 + 60 * MIN_MS);
    assert_int_equal(at(j, "applied", 59), 1);
    json_decref(j);
    assert_string_equal(ops_series_kind_name(OPS_SERIES_API), "api_calls");
}

static void test_delta(void **state)
{
    ops_delta d = {0};
    assert_int_equal(ops_delta_next(&d, 40), 0); /* the first sample is the baseline */
    assert_int_equal(ops_delta_next(&d, 45), 5);
    assert_int_equal(ops_delta_next(&d, 45), 0);
    assert_int_equal(ops_delta_next(&d, 3), 0); /* purged: starts over */
    assert_int_equal(ops_delta_next(&d, 10), 7);
}

static void test_bearer(void **state)
{
    err e = {0};
    assert_int_equal(ops_admin_check_bearer("Bearer s3cret", "s3cret", &e), 0);
    assert_int_equal(ops_admin_check_bearer("bearer   s3cret  ", "s3cret", &e), 0);
    assert_int_equal(ops_admin_check_bearer("Bearer s3cre", "s3cret", &e), ERR_AUTH);
    assert_int_equal(ops_admin_check_bearer("Bearer s3cretX", "s3cret", &e), ERR_AUTH);
    assert_int_equal(ops_admin_check_bearer("Bearer ", "s3cret", &e), ERR_AUTH);
    assert_int_equal(ops_admin_check_bearer("Basic czNjcmV0", "s3cret", &e), ERR_AUTH);
    assert_int_equal(ops_admin_check_bearer("Bearers3cret", "s3cret", &e), ERR_AUTH);
    assert_int_equal(ops_admin_check_bearer(NULL, "s3cret", &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "admin token"));
    /* No token configured: refused whatever is sent, saying how to turn it on. */
    assert_int_equal(ops_admin_check_bearer("Bearer ", NULL, &e), ERR_BAD_STATE);
    assert_int_equal(ops_admin_check_bearer("Bearer x", "", &e), ERR_BAD_STATE);
    assert_non_null(strstr(e.msg, "[server] admin_token"));
}

static void test_ids(void **state)
{
    int64_t id = -1;
    err e = {0};
    assert_int_equal(ops_admin_parse_id(&id, "42", &e), 0);
    assert_int_equal(id, 42);
    assert_int_equal(ops_admin_parse_id(&id, "999999999999999999", &e), 0);
    assert_int_equal(id, 999999999999999999LL);
    const char *bad[] = {"", "0", "-1", "+1", "1x", " 1", "1.0", "9999999999999999999", "0x10"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        id = -1;
        assert_int_equal(ops_admin_parse_id(&id, bad[i], &e), ERR_INVALID);
        assert_int_equal(id, -1); /* untouched */
    }
    assert_int_equal(ops_admin_parse_id(&id, NULL, &e), ERR_INVALID);
}

static void observe(ops_api_metrics *am, const char *label, long status, api_transport t,
                    api_error_kind kind)
{
    http_client_attempt_info info = {.label = label,
                                     .method = "GET",
                                     .status = status,
                                     .transport = t,
                                     .kind = kind,
                                     .seconds = 0.02};
    ops_api_observe(am, &info);
}

static void test_api_metrics(void **state)
{
    metrics *m = NULL;
    ops_api_metrics am, again;
    assert_int_equal(metrics_new(&m, NULL), 0);
    assert_int_equal(ops_api_metrics_init(&am, m, NULL), 0);
    assert_int_equal(ops_api_metrics_init(&again, m, NULL), 0);
    assert_ptr_equal(am.requests, again.requests); /* one set of figures per registry */
    observe(&am, "ghl get-contact @LOC1", 200, API_TRANSPORT_NONE, API_OK);
    observe(&am, "ghl get-contact @LOC1", 200, API_TRANSPORT_NONE, API_OK);
    observe(&am, "ghl get-contact @LOC2", 404, API_TRANSPORT_NONE, API_ERR_NOT_FOUND);
    observe(&am, "ghl upsert-contact @LOC1", 429, API_TRANSPORT_NONE, API_ERR_RATE);
    observe(&am, "ghl upsert-contact @LOC2", 0, API_TRANSPORT_TIMEOUT, API_ERR_TRANSIENT);
    observe(&am, "pheedloop get-attendee @ORGA", 503, API_TRANSPORT_NONE, API_ERR_TRANSIENT);
    observe(&am, "/oauth/token", 200, API_TRANSPORT_NONE, API_OK);
    observe(&am, NULL, 200, API_TRANSPORT_NONE, API_OK);
    observe(&am, "pheedloop list-events", 200, API_TRANSPORT_NONE, API_OK); /* no account */

    /* Each account has its series; the same operation of two accounts stays apart. */
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "ghl", "get-contact", "200", "LOC1")), 2);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "ghl", "get-contact", "404", "LOC2")), 1);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "ghl", "get-contact", "200", "LOC2")), 0);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "ghl", "upsert-contact", "timeout", "LOC2")),
        1);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "pheedloop", "get-attendee", "503", "ORGA")),
        1);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "other", "/oauth/token", "200", "")), 1);
    assert_int_equal(metric_counter_value(metric_at(am.requests, "other", "GET", "200", "")), 1);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "pheedloop", "list-events", "200", "")), 1);
    assert_int_equal(metric_histogram_count(metric_at(am.seconds, "ghl", "get-contact", "LOC1")),
                     2);
    assert_int_equal(metric_histogram_count(metric_at(am.seconds, "ghl", "get-contact", "LOC2")),
                     1);

    alert_totals g = ops_api_totals(&am, "ghl");
    assert_int_equal(g.calls, 5); /* every location together */
    assert_int_equal(g.failures, 2); /* the 429 and the timeout; a 404 is an answer */
    assert_int_equal(g.rate_limited, 1);
    alert_totals p = ops_api_totals(&am, "pheedloop");
    assert_int_equal(p.calls, 2);
    assert_int_equal(p.failures, 1);
    alert_totals none = ops_api_totals(&am, "nobody");
    assert_int_equal(none.calls, 0);

    buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(metrics_render(m, &out), 0);
    /* The labels dashboards use stay; the account is one more. */
    assert_non_null(strstr(buf_cstr(&out),
                           "pheedsync_api_requests_total{service=\"ghl\",operation=\"upsert-"
                           "contact\",status=\"429\",account=\"LOC1\"} 1"));
    assert_non_null(strstr(buf_cstr(&out),
                           "pheedsync_api_request_duration_seconds_count{service="
                           "\"ghl\",operation=\"get-contact\",account=\"LOC2\"} 1"));
    assert_non_null(strstr(buf_cstr(&out), "# TYPE pheedsync_api_request_duration_seconds "
                                           "histogram"));
    buf_free(&out);
    metrics_free(m);
}

static void test_budget(void **state)
{
    assert_null(ops_budget_json(NULL));
    json_t *gov = json_pack("{s:i, s:i, s:i, s:i, s:i}", "max_per_interval", 100, "interval_ms",
                            10000, "used", 30, "daily_limit", 200000, "daily_left", 150000);
    json_t *b = ops_budget_json(gov);
    assert_int_equal(jsonx_int(b, "interval_left", -1), 70);
    assert_int_equal(jsonx_int(b, "interval_max", -1), 100);
    assert_int_equal(jsonx_int(b, "daily_left", -1), 150000);
    json_decref(b);
    json_object_set_new(gov, "daily_limit", json_integer(0));
    json_object_set_new(gov, "used", json_integer(130)); /* more than the max: none left */
    b = ops_budget_json(gov);
    assert_true(json_is_null(json_object_get(b, "daily_left")));
    assert_int_equal(jsonx_int(b, "interval_left", -1), 0);
    json_decref(b);
    json_decref(gov);
}

static void test_assets(void **state)
{
    const ops_page_asset *html = ops_page_asset_find("index.html");
    assert_non_null(html);
    assert_string_equal(html->content_type, "text/html; charset=utf-8");
    assert_int_equal(strlen(html->data), html->len);
    assert_non_null(strstr(html->data, "<script src=\"/page.js\""));
    assert_non_null(ops_page_asset_find("page.js"));
    assert_non_null(ops_page_asset_find("page.css"));
    assert_null(ops_page_asset_find("nope.js"));
    /* Nothing is loaded from elsewhere. */
    for (size_t i = 0; i < ops_page_assets_len; i++) {
        const char *d = ops_page_assets[i].data;
        const char *bad[] = {"src=\"http", "href=\"http", "src=\"//",    "href=\"//",   "url(http",
                             "url(//",     "@import",     "fetch('http", "fetch(\"http"};
        for (size_t k = 0; k < PS_ARRAY_LEN(bad); k++)
            if (strstr(d, bad[k]))
                fail_msg("%s loads from elsewhere: %s", ops_page_assets[i].name, bad[k]);
    }
}

/* ------------------------------------------------------------------ store figures */

typedef struct tmp_store {
    char dir[64], url[128];
    clock_source clk;
    store *s;
} tmp_store;

static void open_tmp(tmp_store *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/pheedsync-page-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->url, sizeof t->url, "sqlite:%s/state.db", t->dir);
    clock_fake_init(&t->clk, T0);
    err e = {0};
    if (store_open(&t->s, t->url, &t->clk, &e) != 0)
        fail_msg("store: %s", e.msg);
}

static void close_tmp(tmp_store *t)
{
    store_close(t->s);
    char path[128];
    snprintf(path, sizeof path, "%s/state.db", t->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/state.db-wal", t->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/state.db-shm", t->dir);
    unlink(path);
    rmdir(t->dir);
}

static void audit(tmp_store *t, const char *person, const char *direction)
{
    store_audit_new a = {
        .person_key = person, .direction = direction, .fields = "[\"email\"]", .reason = "test"};
    assert_int_equal(store_audit_append(NULL, t->s, &a, NULL), 0);
}

static void test_store_audit_recent(void **state)
{
    tmp_store t;
    open_tmp(&t);
    store_audit_entries l = {0};
    assert_int_equal(store_audit_recent(&l, t.s, 0, 10, NULL), 0);
    assert_int_equal(l.n, 0);
    store_audit_entries_free(&l);
    audit(&t, "a@example.com", "ghl_to_pheedloop");
    audit(&t, "b@example.com", "decision");
    audit(&t, "a@example.com", "pheedloop_to_ghl");
    assert_int_equal(store_audit_recent(&l, t.s, 0, 2, NULL), 0);
    assert_int_equal(l.n, 2); /* the newest two, newest first, of every person */
    assert_int_equal(l.v[0].id, 3);
    assert_string_equal(l.v[0].direction, "pheedloop_to_ghl");
    assert_int_equal(l.v[1].id, 2);
    assert_string_equal(l.v[1].person_key, "b@example.com");
    store_audit_entries_free(&l);
    assert_int_equal(store_audit_recent(&l, t.s, 2, 10, NULL), 0); /* what came after id 2 */
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].id, 3);
    store_audit_entries_free(&l);
    err e = {0};
    assert_int_equal(store_audit_recent(&l, t.s, 0, 0, &e), ERR_INVALID);
    close_tmp(&t);
}

static void test_store_lag(void **state)
{
    tmp_store t;
    open_tmp(&t);
    store_counts c;
    assert_int_equal(store_count(&c, t.s, NULL), 0);
    assert_int_equal(c.oldest_pending_ms, 0); /* nothing waits */

    store_op_new op = {.service = "ghl",
                       .account = "LOC",
                       .kind = "ghl.upsert_contact",
                       .record_key = "pl:ORG:EV:A1",
                       .payload = "{}",
                       .idem_key = "k1"};
    int64_t id = 0;
    assert_int_equal(store_outbox_enqueue(&id, NULL, t.s, &op, NULL), 0);
    clock_fake_advance(&t.clk, 5000);
    store_hint_new h = {
        .source = "ghl", .kind = "ContactUpdate", .record_key = "ghl:LOC:C1", .payload = "{}"};
    assert_int_equal(store_inbox_append(NULL, t.s, &h, NULL), 0);
    assert_int_equal(store_count(&c, t.s, NULL), 0);
    assert_int_equal(c.oldest_pending_ms, T0); /* the operation, older than the hint */

    /* The operation done, the hint is the oldest change waiting. */
    store_ops ops = {0};
    assert_int_equal(store_outbox_claim(&ops, t.s, "w", 60000, NULL, 10, NULL), 0);
    assert_int_equal(ops.n, 1);
    assert_int_equal(store_outbox_complete(t.s, &ops.v[0], NULL), 0);
    store_ops_free(&ops);
    assert_int_equal(store_count(&c, t.s, NULL), 0);
    assert_int_equal(c.oldest_pending_ms, T0 + 5000);
    assert_int_equal(c.outbox_done, 1);

    /* health: the lag is now minus that. */
    clock_fake_advance(&t.clk, 7000);
    ops_status_src src = {.store = t.s, .now_ms = clock_now_ms(&t.clk)};
    ops_health hl;
    ops_health_collect(&hl, &src);
    assert_true(hl.store_ok);
    assert_true(hl.ready);
    assert_int_equal(hl.lag_ms, 7000);
    assert_int_equal(hl.n_services, 0);

    /* No store: not ready, and the problem says what to look at. */
    ops_status_src none = {.store_error = "cannot open state.db", .now_ms = 1};
    ops_health_collect(&hl, &none);
    assert_false(hl.ready);
    assert_false(hl.store_ok);
    assert_int_equal(hl.lag_ms, -1);
    assert_int_equal(hl.n_problems, 1);
    assert_non_null(strstr(hl.problems[0], "cannot open state.db"));
    json_t *r = ops_readiness_json(&hl);
    assert_false(jsonx_bool(r, "ready", true));
    assert_string_equal(jsonx_str(json_object_get(r, "checks"), "store"), "cannot open state.db");
    json_decref(r);
    close_tmp(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_minutes_and_hour),
        cmocka_unit_test(test_delta),
        cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_api_metrics),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_assets),
        cmocka_unit_test(test_store_audit_recent),
        cmocka_unit_test(test_store_lag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
