/* test_ghl_guard.c: what stands in front of the HighLevel emulator's API: the Version header,
 * bearer tokens and scopes (PITs and OAuth codes), the token's location, rate limits and their
 * headers, and the counters by operation. */
#include "tests/sandbox/ghl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = gfx_start(false);
    return 0;
}

static int teardown(void **state)
{
    gfx_stop(*state);
    return 0;
}

static void test_version_header(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"v@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api_as(fx, fx->token, NULL, "GET", path, NULL);
    gfx_expect(r, 400);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "statusCode")), 400);
    th_response_free(r);
    r = gfx_api_as(fx, fx->token, "2021-04-15", "GET", path, NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_api_as(fx, fx->token, "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    free(path);
    free(id);
}

static char *pit(gfx *fx, const char *location, const char *scopes)
{
    char *body = gfx_fmt("{\"location_id\":\"%s\",\"scopes\":\"%s\"}", location, scopes);
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/oauth/pit", body);
    gfx_expect(r, 200);
    char *t = strdup(gfx_str(r, "token"));
    th_response_free(r);
    free(body);
    return t;
}

static void test_tokens_and_scopes(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"s@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api_as(fx, NULL, "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 401);
    th_response_free(r);
    r = gfx_api_as(fx, "not-a-token", "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 401);
    th_response_free(r);

    char *ro = pit(fx, fx->location, "contacts.readonly");
    r = gfx_api_as(fx, ro, "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    r = gfx_api_as(fx, ro, "2021-07-28", "PUT", path, "{\"city\":\"Rome\"}");
    gfx_expect(r, 401);
    th_response_free(r);
    char *tags = gfx_fmt("%s/tags", path);
    r = gfx_api_as(fx, ro, "2021-07-28", "POST", tags, "{\"tags\":[\"x\"]}");
    gfx_expect(r, 401);
    th_response_free(r);
    /* A write-only token cannot read. */
    char *wo = pit(fx, fx->location, "contacts.write");
    r = gfx_api_as(fx, wo, "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 401);
    th_response_free(r);
    r = gfx_api_as(fx, wo, "2021-07-28", "POST", tags, "{\"tags\":[\"x\"]}");
    gfx_expect(r, 201);
    th_response_free(r);
    free(tags);
    free(wo);
    free(ro);
    free(path);
    free(id);
}

static void test_oauth_code_flow(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/oauth/code",
                               "{\"scopes\":\"contacts.readonly contacts.write\","
                               "\"redirect_uri\":\"http://127.0.0.1:9/cb\"}");
    gfx_expect(r, 200);
    char *form = gfx_fmt("grant_type=authorization_code&client_id=%s&client_secret=%s&code=%s"
                         "&user_type=Location&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9%%2Fcb",
                         jsonx_str(fx->info, "client_id"), jsonx_str(fx->info, "client_secret"),
                         gfx_str(r, "code"));
    th_response_free(r);
    char url[128];
    snprintf(url, sizeof(url), "%s/oauth/token", fx->base);
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = th_request("POST", url, h, form, 0);
    gfx_expect(r, 200);
    char *access = strdup(gfx_str(r, "access_token"));
    th_response_free(r);
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"oauth@example.com\"}", fx->location);
    r = gfx_api_as(fx, access, "2021-07-28", "POST", "/contacts/", body);
    gfx_expect(r, 201);
    th_response_free(r);
    r = gfx_admin(fx, "POST", "/_sandbox/oauth/expire", NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    r = gfx_api_as(fx, access, "2021-07-28", "POST", "/contacts/", body);
    gfx_expect(r, 401);
    th_response_free(r);
    r = gfx_admin(fx, "GET", "/_sandbox/oauth/state", NULL);
    gfx_expect(r, 200);
    assert_true(json_integer_value(jsonx_path(r->json, "codes_issued")) >= 1);
    th_response_free(r);
    free(body);
    free(access);
    free(form);
}

static void test_other_location(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/locations",
                               "{\"id\":\"OtherLocation0000001\",\"name\":\"Other\"}");
    gfx_expect(r, 201);
    char *other = strdup(gfx_str(r, "pit"));
    th_response_free(r);
    char *id = gfx_create(fx, "\"email\":\"mine@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    r = gfx_api_as(fx, other, "2021-07-28", "GET", path, NULL);
    gfx_expect(r, 403);
    assert_string_equal(gfx_str(r, "message"), "The token does not have access to this location.");
    th_response_free(r);
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"x@example.com\"}", fx->location);
    r = gfx_api_as(fx, other, "2021-07-28", "POST", "/contacts/", body);
    gfx_expect(r, 403);
    th_response_free(r);
    /* Its own location works, and a contact there may share the email of another location. */
    r = gfx_api_as(fx, other, "2021-07-28", "POST", "/contacts/",
                   "{\"locationId\":\"OtherLocation0000001\",\"email\":\"mine@example.com\"}");
    gfx_expect(r, 201);
    th_response_free(r);
    r = gfx_api_as(fx, other, "2021-07-28", "GET", "/contacts/?locationId=OtherLocation0000001",
                   NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 1);
    th_response_free(r);
    r = gfx_api_as(fx, other, "2021-07-28", "GET", "/locations/OtherLocation0000001/customFields",
                   NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "customFields")), 3);
    th_response_free(r);
    free(body);
    free(path);
    free(id);
    free(other);
}

static void test_rate_limit(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"rl@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_non_null(th_header(r, "X-RateLimit-Max"));
    assert_non_null(th_header(r, "X-RateLimit-Remaining"));
    assert_non_null(th_header(r, "X-RateLimit-Interval-Milliseconds"));
    assert_non_null(th_header(r, "X-RateLimit-Limit-Daily"));
    assert_non_null(th_header(r, "X-RateLimit-Daily-Remaining"));
    assert_string_equal(th_header(r, "X-RateLimit-Max"), "100");
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"rate\":{\"max_per_interval\":3}}");
    gfx_expect(r, 200);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "rate.max_per_interval")), 3);
    th_response_free(r);
    /* The fake clock stands still: the window does not move between these. */
    int ok = 0, limited = 0;
    for (int i = 0; i < 6; i++) {
        r = gfx_api(fx, "GET", path, NULL);
        if (r->status == 200)
            ok++;
        else if (r->status == 429)
            limited++;
        th_response_free(r);
    }
    assert_int_equal(limited, 6 - ok);
    assert_true(ok <= 3);
    assert_true(limited >= 3);
    /* Admin routes are not limited. */
    r = gfx_admin(fx, "GET", "/_sandbox/state", NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    r = gfx_admin(fx, "GET", "/_sandbox/counters", NULL);
    gfx_expect(r, 200);
    assert_true(json_integer_value(jsonx_path(r->json, "by_operation.get-contact.200")) >= 1);
    assert_true(json_integer_value(jsonx_path(r->json, "by_operation.get-contact.429")) >= 3);
    assert_true(json_integer_value(jsonx_path(r->json, "by_operation.create-contact.201")) == 1);
    th_response_free(r);
    free(path);
    free(id);
}

static void test_admin_needs_token(void **state)
{
    gfx *fx = *state;
    char url[128];
    snprintf(url, sizeof(url), "%s/_sandbox/state", fx->base);
    th_response *r = th_request("GET", url, NULL, NULL, 0);
    assert_true(r->status == 401 || r->status == 403);
    th_response_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_and_scopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_code_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_location, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_needs_token, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
