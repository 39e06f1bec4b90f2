/* test_ghl_errors.c: each class of failure the HighLevel client meets, from the emulator and its
 * fault injection: bad token, missing scope, not found, validation, rate limits (Retry-After and
 * X-RateLimit-*), 5xx, timeouts and connection resets. */
#include "tests/ghl/ghl_env.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = genv_start(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    genv_stop(*state);
    return 0;
}

static void bad_token_is_auth(void **state)
{
    genv *g = genv_start_pit(NULL);
    ghl_tokens *bogus = NULL;
    ghl_tokens_config tc = {.pit = "pit-00000000-0000-0000-0000-000000000000"};
    err e = {0};
    assert_int_equal(ghl_tokens_new(&bogus, &tc, &e), 0);
    ghl_client *c = NULL;
    ghl_client_config cc = {.base_url = g->base, .http = g->http, .tokens = bogus};
    assert_int_equal(ghl_client_new(&c, &cc, &e), 0);
    ghl_contact got;
    assert_int_equal(ghl_client_get_contact(&got, c, &g->op, "nope", &e), ERR_AUTH);
    assert_int_equal(g->call.error.kind, API_ERR_AUTH);
    assert_int_equal(g->call.error.status, 401);
    assert_false(g->call.refreshed);
    assert_int_equal(g->call.attempts, 1);
    ghl_client_free(c);
    ghl_tokens_free(bogus);
    genv_stop(g);
}

static void missing_scope_is_scope(void **state)
{
    genv *g = genv_start("contacts.readonly locations/customFields.readonly", NULL);
    err e = {0};
    ghl_contact_input in = {.first_name = "Nope"};
    ghl_contact c;
    assert_int_equal(ghl_client_create_contact(&c, g->client, &g->op, &in, &e), ERR_AUTH);
    assert_int_equal(g->call.error.kind, API_ERR_SCOPE);
    assert_non_null(strstr(g->call.error.message, "not authorized for this scope"));
    assert_false(g->call.refreshed); /* a scope refusal is not cured by a new token */
    genv_stop(g);
}

static void not_found_and_validation(void **state)
{
    genv *g = *state;
    err e = {0};
    ghl_contact c;
    assert_int_equal(ghl_client_get_contact(&c, g->client, &g->op, "AAAAAAAAAAAAAAAAAAAA", &e),
                     ERR_NOT_FOUND);
    assert_int_equal(g->call.error.kind, API_ERR_NOT_FOUND);
    char *cid = genv_contact(g, "Val", "val@example.com");
    char path[128];
    snprintf(path, sizeof path, "/contacts/%s/tasks", cid);
    json_t *body = json_pack("{s:b}", "completed", 0);
    assert_int_equal(ghl_client_call(NULL, NULL, g->client, &g->op, "POST", path, body,
                                     HTTP_IDEMPOTENT_NO, "ghl create-task", &e),
                     ERR_INVALID);
    assert_int_equal(g->call.error.kind, API_ERR_VALIDATION);
    assert_int_equal(g->call.error.status, 422);
    assert_true(g->call.error.message[0] != '\0');
    /* The request went out labelled with its location (the request metrics' account). */
    char label[160];
    snprintf(label, sizeof label, "ghl create-task @%s:", g->op.location_id);
    assert_non_null(strstr(e.msg, label));
    json_decref(body);
    free(cid);
}

static void rate_limit_retry_after(void **state)
{
    genv *g = *state;
    err e = {0};
    genv_faults(g, "{\"p_429\": 1}");
    ghl_field_defs d = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), ERR_LIMIT);
    assert_int_equal(g->call.error.kind, API_ERR_RATE);
    assert_true(g->call.attempts > 1); /* retried after the Retry-After it was given */
    genv_faults(g, "{\"p_429\": 0}");
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
}

/* The emulator's own limiter (X-RateLimit-* headers) at 3 per second: a client without a budget
 * runs into 429s and waits them out; every call still succeeds. */
static void rate_limit_headers(void **state)
{
    genv *g = *state;
    err e = {0};
    json_decref(genv_admin(g, "PUT", "/_sandbox/settings",
                           "{\"rate\": {\"max_per_interval\": 3, \"interval_ms\": 1000}}"));
    ghl_client *raw = NULL;
    ghl_client_config cc = {
        .base_url = g->base, .http = g->http, .tokens = g->tokens, .no_governor = true};
    assert_int_equal(ghl_client_new(&raw, &cc, &e), 0);
    int retried = 0;
    for (int i = 0; i < 8; i++) {
        ghl_field_defs d = {0};
        assert_int_equal(ghl_client_list_custom_fields(&d, raw, &g->op, &e), 0);
        ghl_field_defs_clear(&d);
        retried += g->call.attempts > 1;
    }
    assert_true(retried > 0);
    ghl_client_free(raw);
    /* With its budget (learned from the same headers) the client stays under the limit. */
    for (int i = 0; i < 8; i++) {
        ghl_field_defs d = {0};
        assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
        ghl_field_defs_clear(&d);
    }
}

static void server_errors(void **state)
{
    genv *g = *state;
    err e = {0};
    genv_faults(g, "{\"p_5xx\": 1}");
    ghl_field_defs d = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), ERR_NET);
    assert_int_equal(g->call.error.kind, API_ERR_TRANSIENT);
    assert_true(g->call.error.status >= 500);
    assert_int_equal(g->call.attempts, 4); /* a read is retried */
    ghl_contact_input in = {.first_name = "Once", .email = "once@example.com"};
    ghl_contact c;
    assert_int_equal(ghl_client_create_contact(&c, g->client, &g->op, &in, &e), ERR_NET);
    assert_int_equal(g->call.attempts, 1); /* a create is not repeated blindly */
    assert_true(g->call.maybe_applied);
    genv_faults(g, "{\"p_5xx\": 0}");
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
}

static void timeouts_and_resets(void **state)
{
    genv *g = *state;
    err e = {0};
    http_client_config hc = {.timeout_ms = 300,
                             .retry = {.max_attempts = 2, .base_ms = 10, .cap_ms = 20}};
    http_client *quick = NULL;
    assert_int_equal(http_client_new(&quick, &hc, &e), 0);
    ghl_client *c = NULL;
    ghl_client_config cc = {.base_url = g->base, .http = quick, .tokens = g->tokens};
    assert_int_equal(ghl_client_new(&c, &cc, &e), 0);

    genv_faults(g, "{\"p_hang\": 1, \"hang_ms\": 1500}");
    ghl_field_defs d = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, c, &g->op, &e), ERR_NET);
    assert_int_equal(g->call.error.kind, API_ERR_TRANSIENT);
    assert_int_equal(g->call.error.transport, API_TRANSPORT_TIMEOUT);
    assert_int_equal(g->call.attempts, 2);

    genv_faults(g, "{\"p_hang\": 0, \"p_reset\": 1}");
    assert_int_equal(ghl_client_list_custom_fields(&d, c, &g->op, &e), ERR_NET);
    assert_int_equal(g->call.error.kind, API_ERR_TRANSIENT);
    assert_int_equal(g->call.error.transport, API_TRANSPORT_RESET);

    genv_faults(g, "{\"p_reset\": 0}");
    assert_int_equal(ghl_client_list_custom_fields(&d, c, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
    ghl_client_free(c);
    http_client_free(quick);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_token_is_auth),
        cmocka_unit_test(missing_scope_is_scope),
        cmocka_unit_test_setup_teardown(not_found_and_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(server_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(timeouts_and_resets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
