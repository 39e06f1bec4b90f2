/* test_service.c: the service glue over real HTTP: the admin token, faults on API paths and not
 * on admin paths, the guard, counters by route, the admin routes. */
#include "util/common.h"
#include "net/http_server.h"
#include "sandbox/service.h"
#include "tests/support/testhttp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define TOKEN "s3cret-admin-token"

typedef struct fixture {
    sbx_service svc;
    http_server *srv;
    char base[64];
} fixture;

static void get_contact(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    http_response_json(res, 200, json_pack("{s:s}", "id", http_request_param(req, "contactId")));
}

/* Stands in for an emulator's bearer check. */
static bool guard(void *ctx, const http_request *req, http_response *res)
{
    int *calls = ctx;
    (*calls)++;
    if (http_request_header(req, "Authorization"))
        return false;
    http_response_json(res, 401, json_pack("{s:s}", "message", "Unauthorized"));
    return true;
}

static int guard_calls;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    err e = {0};
    fx->svc.name = "test";
    fx->svc.clock = clock_system();
    fx->svc.admin_token = TOKEN;
    assert_int_equal(sbx_faults_new(&fx->svc.faults, 1, &e), 0);
    assert_int_equal(sbx_counters_new(&fx->svc.counters, &e), 0);
    assert_int_equal(sbx_webhooks_new(&fx->svc.webhooks, fx->svc.faults, clock_system(), &e), 0);
    assert_int_equal(sbx_webhooks_start(fx->svc.webhooks, &e), 0);
    http_server_options o = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/contacts/{contactId}", "get-contact",
                                       get_contact, NULL),
                     0);
    guard_calls = 0;
    assert_int_equal(sbx_service_mount(&fx->svc, fx->srv, guard, &guard_calls, &e), 0);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sbx_faults_release(fx->svc.faults);
    http_server_stop(fx->srv);
    http_server_free(fx->srv);
    sbx_webhooks_free(fx->svc.webhooks);
    sbx_counters_free(fx->svc.counters);
    sbx_faults_free(fx->svc.faults);
    free(fx);
    return 0;
}

static th_response *call(fixture *fx, const char *method, const char *path, const char *token,
                         const char *body)
{
    char url[256], hdr[128];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    const char *headers[4] = {0};
    size_t n = 0;
    if (token) {
        snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", token);
        headers[n++] = hdr;
    }
    headers[n++] = "Authorization: Bearer x";
    if (body)
        headers[n++] = "Content-Type: application/json";
    return th_request(method, url, headers, body, 0);
}

static void expect_status(fixture *fx, const char *method, const char *path, const char *token,
                          const char *body, long status)
{
    th_response *r = call(fx, method, path, token, body);
    if (r->status != status)
        fail_msg("%s %s: %ld, expected %ld: %s", method, path, r->status, status,
                 r->body ? r->body : "");
    th_response_free(r);
}

static void test_admin_token(void **state)
{
    fixture *fx = *state;
    th_response *r = call(fx, "GET", "/_sandbox/faults", NULL, NULL);
    assert_int_equal(r->status, 401);
    assert_non_null(r->json);
    assert_int_equal(json_integer_value(json_object_get(r->json, "statusCode")), 401);
    th_response_free(r);
    expect_status(fx, "GET", "/_sandbox/faults", "s3cret-admin-toke", NULL, 401);
    expect_status(fx, "GET", "/_sandbox/faults", TOKEN "x", NULL, 401);
    expect_status(fx, "GET", "/_sandbox/faults", "", NULL, 401);
    /* Unknown admin paths need the token too. */
    expect_status(fx, "GET", "/_sandbox/nothing", NULL, NULL, 401);
    r = call(fx, "GET", "/_sandbox/faults", TOKEN, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "hang_ms")), 30000);
    th_response_free(r);
    /* Admin requests are neither guarded nor counted. */
    assert_int_equal(guard_calls, 0);
    json_t *c = sbx_counters_json(fx->svc.counters);
    assert_int_equal(json_integer_value(json_object_get(c, "total")), 0);
    json_decref(c);
}

static void test_faults_on_api_not_admin(void **state)
{
    fixture *fx = *state;
    th_response *r = call(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_5xx\": 1}");
    assert_int_equal(r->status, 200);
    assert_true(json_number_value(json_object_get(r->json, "p_5xx")) == 1.0);
    th_response_free(r);

    r = call(fx, "GET", "/contacts/abc", NULL, NULL);
    assert_in_range(r->status, 500, 503);
    assert_int_equal(json_integer_value(json_object_get(r->json, "statusCode")), r->status);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "message")), "injected"));
    th_response_free(r);
    /* The faults answered first: the guard never ran. */
    assert_int_equal(guard_calls, 0);
    expect_status(fx, "GET", "/_sandbox/counters", TOKEN, NULL, 200);

    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_5xx\": 0, \"p_429\": 1}", 200);
    r = call(fx, "GET", "/contacts/abc", NULL, NULL);
    assert_int_equal(r->status, 429);
    assert_string_equal(th_header(r, "retry-after"), "1");
    th_response_free(r);

    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_429\": 0, \"p_reset\": 1}", 200);
    r = call(fx, "GET", "/contacts/abc", NULL, NULL);
    assert_int_equal(r->status, 0);
    th_response_free(r);
    expect_status(fx, "GET", "/_sandbox/webhooks", TOKEN, NULL, 200);

    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_reset\": 0}", 200);
    expect_status(fx, "GET", "/contacts/abc", NULL, NULL, 200);
}

static void test_put_faults_errors(void **state)
{
    fixture *fx = *state;
    th_response *r = call(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_5xx\": 0.5, \"p_bogus\": 1}");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "message")), "p_bogus"));
    th_response_free(r);
    r = call(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_429\": 2}");
    assert_int_equal(r->status, 400);
    assert_string_equal(json_string_value(json_object_get(r->json, "message")),
                        "p_429: 2 is not a share in [0, 1]");
    th_response_free(r);
    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{not json", 400);
    /* Nothing of a refused update was applied. */
    sbx_fault_config cfg;
    sbx_faults_get(fx->svc.faults, &cfg);
    assert_true(cfg.p_5xx == 0.0);
}

static void test_counters_by_route(void **state)
{
    fixture *fx = *state;
    expect_status(fx, "GET", "/contacts/a", NULL, NULL, 200);
    expect_status(fx, "GET", "/contacts/b", NULL, NULL, 200);
    expect_status(fx, "GET", "/nowhere", NULL, NULL, 404);
    /* The guard's refusal is counted under the route. */
    char url[128];
    snprintf(url, sizeof url, "%s/contacts/c", fx->base);
    th_response *r = th_request("GET", url, NULL, NULL, 0);
    assert_int_equal(r->status, 401);
    th_response_free(r);
    assert_int_equal(guard_calls, 4);

    r = call(fx, "GET", "/_sandbox/counters", TOKEN, NULL);
    assert_int_equal(r->status, 200);
    json_t *ops = json_object_get(r->json, "by_operation");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 4);
    assert_int_equal(json_integer_value(json_object_get(r->json, "writes")), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ops, "get-contact"), "200")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ops, "get-contact"), "401")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ops, "unrouted"), "404")),
                     1);
    th_response_free(r);

    r = call(fx, "POST", "/_sandbox/counters/reset", TOKEN, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    th_response_free(r);
}

static void test_drain_route(void **state)
{
    fixture *fx = *state;
    th_response *r = call(fx, "POST", "/_sandbox/webhooks/drain", TOKEN, NULL);
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(r->json, "drained")));
    th_response_free(r);
    expect_status(fx, "POST", "/_sandbox/webhooks/drain", TOKEN, "{\"timeout_ms\": 100}", 200);
    expect_status(fx, "POST", "/_sandbox/webhooks/drain", TOKEN, "{\"timeout_ms\": \"x\"}", 400);
    expect_status(fx, "POST", "/_sandbox/webhooks/drain", TOKEN, "{\"timeout_ms\": -1}", 400);

    /* Something that cannot be delivered in time: a delayed webhook. */
    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"wh_delay_ms\": 2000}", 200);
    assert_int_equal(sbx_webhooks_send(fx->svc.webhooks, "http://127.0.0.1:9/", "x", "{}", NULL, 0),
                     0);
    r = call(fx, "POST", "/_sandbox/webhooks/drain", TOKEN, "{\"timeout_ms\": 50}");
    assert_int_equal(r->status, 200);
    assert_true(json_is_false(json_object_get(r->json, "drained")));
    th_response_free(r);
    sbx_webhooks_stop(fx->svc.webhooks);
}

static void test_hang_released(void **state)
{
    fixture *fx = *state;
    expect_status(fx, "PUT", "/_sandbox/faults", TOKEN, "{\"p_hang\": 1, \"hang_ms\": 60000}", 200);
    /* Released (as a stopping server does): hung and later requests go through at once. */
    sbx_faults_release(fx->svc.faults);
    expect_status(fx, "GET", "/contacts/a", NULL, NULL, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_admin_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_on_api_not_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_faults_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_by_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang_released, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
