/* test_page_api.c: the daemon in-process on a temporary store, as its operator reaches it over
 * HTTP: the page and its headers, /readyz, /api/status, the lists and actions with and without
 * the admin token, the gauges and counters the watch derives from the store, readiness when a
 * circuit breaker opens, and API requests counted through the HTTP client's observer. */
#include "engine/daemon.h"
#include "net/http_server.h"
#include "ops/api_metrics.h"
#include "tests/ops/page_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

#define TOKEN "page-api-admin-token"

typedef struct env {
    char dir[64], url[128];
    store *s;
    daemon *d;
    char base[64];
    int64_t next_key;
} env;

static int setup(void **state)
{
    env *v = calloc(1, sizeof *v);
    assert_non_null(v);
    snprintf(v->dir, sizeof v->dir, "/tmp/pheedsync-pageapi-XXXXXX");
    assert_non_null(mkdtemp(v->dir));
    snprintf(v->url, sizeof v->url, "sqlite:%s/state.db", v->dir);
    err e = {0};
    if (store_open(&v->s, v->url, NULL, &e) != 0)
        fail_msg("store: %s", e.msg);
    *state = v;
    return 0;
}

static int teardown(void **state)
{
    env *v = *state;
    daemon_free(v->d);
    store_close(v->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", v->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", v->dir);
    free(v);
    return 0;
}

/* Gauges live in the process's registry, shared by every daemon of this test: marked stale
 * before each start, so that seeing them set again proves a tick of the new daemon. */
static void mark_stale(void)
{
    metric *f = NULL;
    assert_int_equal(metrics_gauge(&f, metrics_default(), "pheedsync_up_store",
                                   "1 when the store answers.", NULL, NULL),
                     0);
    metric_set(metric_only(f), -1);
}

static void start(env *v, const char *token, pl_client *pl)
{
    mark_stale();
    daemon_options o = {.store_url = v->url, .admin_token = token, .pl = pl, .watch_tick_ms = 50};
    err e = {0};
    if (daemon_start(&v->d, &o, &e) != 0)
        fail_msg("daemon: %s", e.msg);
    snprintf(v->base, sizeof v->base, "http://127.0.0.1:%u", (unsigned)daemon_port(v->d));
}

/* An operation that failed for good; its id. */
static int64_t dead_letter(env *v, const char *kind)
{
    char key[32];
    snprintf(key, sizeof key, "idem-%lld", (long long)++v->next_key);
    store_op_new op = {.service = "ghl",
                       .account = "LOC1",
                       .kind = kind,
                       .record_key = key,
                       .payload = "{\"email\": \"ana@example.com\"}",
                       .idem_key = key};
    int64_t id = 0;
    assert_int_equal(store_outbox_enqueue(&id, NULL, v->s, &op, NULL), 0);
    store_ops ops = {0};
    assert_int_equal(store_outbox_claim(&ops, v->s, "test", 60000, NULL, 1, NULL), 0);
    assert_int_equal(ops.n, 1);
    assert_int_equal(ops.v[0].id, id);
    assert_int_equal(store_outbox_dead(v->s, &ops.v[0], "http_400", "email: invalid", NULL, NULL),
                     0);
    store_ops_free(&ops);
    return id;
}

typedef struct scrape_wait {
    const char *base, *series;
    double want;
} scrape_wait;

static bool scraped(void *ctx)
{
    scrape_wait *w = ctx;
    return pfx_scrape(w->base, w->series) == w->want;
}

static void wait_metric(const char *base, const char *series, double want)
{
    scrape_wait w = {base, series, want};
    if (!th_wait_until(scraped, &w, 10000))
        fail_msg("%s: %g, not %g", series, pfx_scrape(base, series), want);
}

static size_t items(th_response *r)
{
    return json_array_size(json_object_get(r->json, "items"));
}

/* ------------------------------------------------------------------ the page and health */

static void test_page_and_health(void **state)
{
    env *v = *state;
    start(v, TOKEN, NULL);
    th_response *r = pfx_get(v->base, "/", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "content-type"), "text/html; charset=utf-8");
    assert_non_null(strstr(th_header(r, "content-security-policy"), "default-src 'none'"));
    assert_non_null(strstr(r->body, "<title>pheedsync status</title>"));
    th_response_free(r);
    r = pfx_get(v->base, "/page.js", NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(th_header(r, "content-type"), "javascript"));
    th_response_free(r);
    r = pfx_get(v->base, "/favicon.svg", NULL);
    assert_string_equal(th_header(r, "content-type"), "image/svg+xml");
    th_response_free(r);

    r = pfx_get(v->base, "/readyz", NULL);
    assert_int_equal(r->status, 200);
    assert_true(jsonx_bool(r->json, "ready", false));
    assert_string_equal(jsonx_str(json_object_get(r->json, "checks"), "store"), "ok");
    th_response_free(r);

    r = pfx_get(v->base, "/api/status", NULL); /* open: no person in it */
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "cache-control"), "no-store");
    assert_true(jsonx_bool(r->json, "ready", false));
    assert_true(jsonx_bool(r->json, "admin_token", false));
    assert_string_equal(jsonx_str(r->json, "version"), PHEEDSYNC_VERSION);
    const json_t *st = json_object_get(r->json, "store");
    assert_true(jsonx_bool(st, "ok", false));
    assert_int_equal(jsonx_int(st, "dead_letters", -1), 0);
    assert_int_equal(json_object_size(json_object_get(r->json, "services")), 0);
    assert_non_null(json_object_get(json_object_get(r->json, "daemon"), "webhooks"));
    th_response_free(r);

    r = pfx_get(v->base, "/api/series", NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "applied")), 60);
    assert_int_equal(json_array_size(json_object_get(r->json, "minute_ms")), 60);
    th_response_free(r);
    wait_metric(v->base, "pheedsync_up_store", 1);
    wait_metric(v->base, "pheedsync_ready", 1);
}

/* ------------------------------------------------------------------ dead letters */

static void test_dead_letters(void **state)
{
    env *v = *state;
    int64_t first = dead_letter(v, "ghl.upsert_contact");
    int64_t second = dead_letter(v, "ghl.add_tags");
    start(v, TOKEN, NULL);
    wait_metric(v->base, "pheedsync_dead_letters", 2);

    th_response *r = pfx_get(v->base, "/api/dlq", NULL); /* names people: the token is asked */
    assert_int_equal(r->status, 401);
    assert_non_null(th_header(r, "www-authenticate"));
    th_response_free(r);
    r = pfx_get(v->base, "/api/dlq", "not-the-token");
    assert_int_equal(r->status, 401);
    assert_string_equal(jsonx_str(r->json, "error"), "wrong admin token");
    th_response_free(r);
    r = pfx_get(v->base, "/api/dlq", TOKEN);
    assert_int_equal(r->status, 200);
    assert_int_equal(items(r), 2);
    const json_t *d0 = json_array_get(json_object_get(r->json, "items"), 0);
    assert_int_equal(jsonx_int(d0, "id", 0), first);
    assert_string_equal(jsonx_str(d0, "kind"), "ghl.upsert_contact");
    assert_string_equal(jsonx_str(d0, "error_class"), "http_400");
    assert_string_equal(jsonx_str(d0, "message"), "email: invalid");
    assert_non_null(jsonx_str(d0, "dead_at"));
    th_response_free(r);

    char path[64];
    snprintf(path, sizeof path, "/api/dlq/%lld/replay", (long long)first);
    r = pfx_post(v->base, path, NULL);
    assert_int_equal(r->status, 401);
    th_response_free(r);
    r = pfx_post(v->base, path, "wrong");
    assert_int_equal(r->status, 401);
    th_response_free(r);
    store_counts c;
    assert_int_equal(store_count(&c, v->s, NULL), 0);
    assert_int_equal(c.dead_letters, 2); /* refused calls changed nothing */

    r = pfx_post(v->base, path, TOKEN);
    assert_int_equal(r->status, 200);
    assert_string_equal(jsonx_str(r->json, "action"), "replay");
    th_response_free(r);
    assert_int_equal(store_count(&c, v->s, NULL), 0);
    assert_int_equal(c.dead_letters, 1);
    assert_int_equal(c.outbox_pending, 1); /* back in the queue */
    r = pfx_post(v->base, path, TOKEN);    /* already replayed */
    assert_int_equal(r->status, 404);
    th_response_free(r);

    snprintf(path, sizeof path, "/api/dlq/%lld/drop", (long long)second);
    r = pfx_post(v->base, path, TOKEN);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    r = pfx_get(v->base, "/api/dlq", TOKEN);
    assert_int_equal(items(r), 0);
    th_response_free(r);
    wait_metric(v->base, "pheedsync_dead_letters", 0);
    wait_metric(v->base, "pheedsync_queue_depth{queue=\"outbox_pending\"}", 1);

    r = pfx_post(v->base, "/api/dlq/abc/replay", TOKEN);
    assert_int_equal(r->status, 400);
    th_response_free(r);
    r = pfx_post(v->base, "/api/dlq/0/replay", TOKEN);
    assert_int_equal(r->status, 400);
    th_response_free(r);
    r = pfx_get(v->base, "/api/dlq/1/replay", TOKEN); /* actions are POSTs only */
    assert_int_equal(r->status, 404);
    th_response_free(r);
}

/* ------------------------------------------------------------------ held deletes */

static int64_t held(env *v, const char *key)
{
    store_held_new h = {.batch = "reconcile-1",
                        .side = "pheedloop",
                        .record_key = key,
                        .link_id = 3,
                        .reason = "contact deleted in HighLevel",
                        .payload = "{\"event\": \"EV1\"}"};
    int64_t id = 0;
    assert_int_equal(store_held_create(&id, NULL, v->s, &h, NULL), 0);
    return id;
}

static void test_held_deletes(void **state)
{
    env *v = *state;
    int64_t a = held(v, "pl:ORG:EV1:A1"), b = held(v, "pl:ORG:EV1:A2");
    start(v, TOKEN, NULL);
    wait_metric(v->base, "pheedsync_queue_depth{queue=\"held_deletes\"}", 2);
    th_response *r = pfx_get(v->base, "/api/held", TOKEN);
    assert_int_equal(r->status, 200);
    assert_int_equal(items(r), 2);
    const json_t *h0 = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(jsonx_str(h0, "record_key"), "pl:ORG:EV1:A1");
    assert_string_equal(jsonx_str(json_object_get(h0, "payload"), "event"), "EV1");
    th_response_free(r);

    char path[64];
    snprintf(path, sizeof path, "/api/held/%lld/approve", (long long)a);
    r = pfx_post(v->base, path, TOKEN);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    r = pfx_post(v->base, path, TOKEN); /* decided already */
    assert_int_equal(r->status, 409);
    th_response_free(r);
    snprintf(path, sizeof path, "/api/held/%lld/reject", (long long)b);
    r = pfx_post(v->base, path, TOKEN);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    r = pfx_post(v->base, "/api/held/999/reject", TOKEN);
    assert_int_equal(r->status, 404);
    th_response_free(r);
    r = pfx_get(v->base, "/api/held", TOKEN);
    assert_int_equal(items(r), 0);
    th_response_free(r);

    store_helds all = {0};
    assert_int_equal(store_held_list(&all, v->s, -1, 0, 10, NULL), 0);
    assert_int_equal(all.n, 2);
    assert_int_equal(all.v[0].state, STORE_HELD_APPROVED);
    assert_int_equal(all.v[1].state, STORE_HELD_REJECTED);
    assert_string_equal(all.v[0].decided_by, "status page (127.0.0.1)");
    store_helds_free(&all);
}

/* ------------------------------------------------------------------ without a token */

static void test_actions_off_without_token(void **state)
{
    env *v = *state;
    int64_t id = dead_letter(v, "ghl.upsert_contact");
    start(v, NULL, NULL);
    th_response *r = pfx_get(v->base, "/api/dlq", NULL); /* loopback, no token: lists open */
    assert_int_equal(r->status, 200);
    assert_int_equal(items(r), 1);
    th_response_free(r);
    char path[64];
    snprintf(path, sizeof path, "/api/dlq/%lld/replay", (long long)id);
    r = pfx_post(v->base, path, "anything");
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(jsonx_str(r->json, "error"), "[server] admin_token"));
    th_response_free(r);
    r = pfx_get(v->base, "/api/status", NULL);
    assert_false(jsonx_bool(r->json, "admin_token", true));
    th_response_free(r);
    store_counts c;
    assert_int_equal(store_count(&c, v->s, NULL), 0);
    assert_int_equal(c.dead_letters, 1);
}

/* ------------------------------------------------------------------ activity and counters */

static void audit(env *v, const char *person, const char *direction)
{
    store_audit_new a = {.person_key = person,
                         .direction = direction,
                         .fields = "[\"company\"]",
                         .reason = "owner=newest"};
    assert_int_equal(store_audit_append(NULL, v->s, &a, NULL), 0);
}

static void test_activity_conflicts_and_applied(void **state)
{
    env *v = *state;
    audit(v, "before@example.com", "decision"); /* before the start: not this process's */
    audit(v, "ana@example.com", "ghl_to_pheedloop");
    start(v, TOKEN, NULL);
    wait_metric(v->base, "pheedsync_up_store", 1); /* its first tick noted where the log ends */
    double conflicts = pfx_scrape(v->base, "pheedsync_conflicts_total");
    double applied = pfx_scrape(v->base, "pheedsync_operations_applied_total");
    audit(v, "17", "decision");
    audit(v, "18", "decision");
    audit(v, "bo@example.com", "pheedloop_to_ghl");
    wait_metric(v->base, "pheedsync_conflicts_total", conflicts + 2);

    th_response *r = pfx_get(v->base, "/api/activity?limit=2", TOKEN);
    assert_int_equal(r->status, 200);
    assert_int_equal(items(r), 2);
    const json_t *a0 = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(jsonx_str(a0, "person"), "bo@example.com"); /* newest first */
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "fields"), 0)),
                        "company");
    th_response_free(r);
    r = pfx_get(v->base, "/api/activity", NULL);
    assert_int_equal(r->status, 401);
    th_response_free(r);

    /* A worker completes an operation: counted, and drawn in this minute of the chart. */
    int64_t id = 0;
    store_op_new op = {.service = "pheedloop",
                       .account = "ORG",
                       .kind = "pl.update_attendee",
                       .record_key = "ghl:LOC1:C1",
                       .payload = "{}",
                       .idem_key = "done-1"};
    assert_int_equal(store_outbox_enqueue(&id, NULL, v->s, &op, NULL), 0);
    store_ops ops = {0};
    assert_int_equal(store_outbox_claim(&ops, v->s, "w", 60000, NULL, 1, NULL), 0);
    assert_int_equal(store_outbox_complete(v->s, &ops.v[0], NULL), 0);
    store_ops_free(&ops);
    wait_metric(v->base, "pheedsync_operations_applied_total", applied + 1);
    r = pfx_get(v->base, "/api/series", NULL);
    const json_t *col = json_object_get(r->json, "applied");
    int64_t total = 0;
    for (size_t i = 0; i < json_array_size(col); i++)
        total += json_integer_value(json_array_get(col, i));
    assert_int_equal(total, 1);
    th_response_free(r);
}

/* ------------------------------------------------------------------ readiness and breakers */

static bool refused(void *ctx)
{
    pl_client *pl = ctx;
    pl_call call = {0};
    err e = {0};
    pl_client_validate_auth(NULL, pl, &call, &e);
    json_t *st = pl_client_state_json(pl);
    const char *s = jsonx_str(json_object_get(st, "breaker"), "state");
    bool open = s && strcmp(s, "open") == 0;
    json_decref(st);
    return open;
}

static void test_not_ready_while_breaker_open(void **state)
{
    env *v = *state;
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)pfx_free_port()); /* nobody */
    http_client_config hc = {.connect_timeout_ms = 1000, .retry = {.max_attempts = 1}};
    http_client *http = NULL;
    assert_int_equal(http_client_new(&http, &hc, NULL), 0);
    breaker_config bc = {.consecutive_failures = 2, .open_ms = 600000};
    pl_client_config pc = {.base_url = base,
                           .org_code = "ORG",
                           .api_key = "k",
                           .api_secret = "s",
                           .http = http,
                           .breaker = &bc};
    pl_client *pl = NULL;
    assert_int_equal(pl_client_new(&pl, &pc, NULL), 0);
    start(v, TOKEN, pl);
    th_response *r = pfx_get(v->base, "/readyz", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jsonx_str(json_object_get(r->json, "checks"), "pheedloop"), "ok");
    th_response_free(r);

    assert_true(th_wait_until(refused, pl, 10000));
    r = pfx_get(v->base, "/readyz", NULL);
    assert_int_equal(r->status, 503);
    assert_string_equal(jsonx_str(json_object_get(r->json, "checks"), "pheedloop"), "breaker open");
    assert_non_null(
        strstr(json_string_value(json_array_get(json_object_get(r->json, "problems"), 0)),
               "PheedLoop: the circuit breaker is open"));
    th_response_free(r);
    wait_metric(v->base, "pheedsync_breaker_open{service=\"pheedloop\"}", 1);
    wait_metric(v->base, "pheedsync_ready", 0);
    daemon_free(v->d);
    v->d = NULL;
    pl_client_free(pl);
    http_client_free(http);
}

/* ------------------------------------------------------------------ the client's observer */

static void h_ok(void *ctx, const http_request *req, http_response *res)
{
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void h_down(void *ctx, const http_request *req, http_response *res)
{
    http_response_json(res, 503, json_pack("{s:s}", "message", "down"));
}

static void test_client_observer_counts_attempts(void **state)
{
    http_server *srv = NULL;
    http_server_options so = {0};
    assert_int_equal(http_server_new(&srv, &so, NULL), 0);
    assert_int_equal(http_server_route(srv, "GET", "/ok", "ok", h_ok, NULL), 0);
    assert_int_equal(http_server_route(srv, "GET", "/down", "down", h_down, NULL), 0);
    assert_int_equal(http_server_start(srv, NULL), 0);
    metrics *m = NULL;
    assert_int_equal(metrics_new(&m, NULL), 0);
    ops_api_metrics am;
    assert_int_equal(ops_api_metrics_init(&am, m, NULL), 0);
    http_client_config hc = {.retry = {.max_attempts = 3, .base_ms = 1, .cap_ms = 5},
                             .observe = ops_api_observe,
                             .observe_ctx = &am};
    http_client *c = NULL;
    assert_int_equal(http_client_new(&c, &hc, NULL), 0);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/ok", (unsigned)http_server_port(srv));
    http_client_request req = {.method = "GET", .url = url, .label = "pheedloop get-event @ORGX"};
    http_client_response res;
    http_client_response_init(&res);
    assert_int_equal(http_client_send(c, &req, &res, NULL), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/down", (unsigned)http_server_port(srv));
    assert_int_equal(http_client_send(c, &req, &res, NULL), ERR_NET); /* 3 attempts, all 503 */
    http_client_response_clear(&res);
    http_client_free(c);
    http_server_stop(srv);
    http_server_free(srv);

    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "pheedloop", "get-event", "200", "ORGX")), 1);
    assert_int_equal(
        metric_counter_value(metric_at(am.requests, "pheedloop", "get-event", "503", "ORGX")), 3);
    metric_series *lat = metric_at(am.seconds, "pheedloop", "get-event", "ORGX");
    assert_int_equal(metric_histogram_count(lat), 4);
    assert_true(metric_histogram_sum(lat) > 0);
    alert_totals t = ops_api_totals(&am, "pheedloop");
    assert_int_equal(t.calls, 4);
    assert_int_equal(t.failures, 3);
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_page_and_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions_off_without_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activity_conflicts_and_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_ready_while_breaker_open, setup, teardown),
        cmocka_unit_test(test_client_observer_counts_attempts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
