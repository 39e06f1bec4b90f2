/* test_ghl_admin.c: the HighLevel emulator's admin routes: the whole state, settings, locations,
 * seeding (which fires no webhooks), and sbx_ghl_emu_info. */
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

static void test_info(void **state)
{
    gfx *fx = *state;
    const char *keys[] = {"location_id",           "client_id",
                          "client_secret",         "pit",
                          "webhook_public_key",    "webhook_public_key_b64",
                          "webhook_rsa_public_key"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++)
        if (!jsonx_str(fx->info, keys[i]))
            fail_msg("ghl_emu_info has no %s", keys[i]);
    assert_string_equal(jsonx_str(fx->info, "location_id"), "ve9EPM428h8vShlRW1KT");
    assert_non_null(strstr(jsonx_str(fx->info, "webhook_public_key"), "BEGIN PUBLIC KEY"));
}

static void test_state(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"st@example.com\"");
    char *tasks = gfx_fmt("/contacts/%s/tasks", id);
    th_response *r = gfx_api(fx, "POST", tasks,
                             "{\"title\":\"t\",\"dueDate\":\"2024-01-01\","
                             "\"completed\":false}");
    gfx_expect(r, 201);
    th_response_free(r);
    char *notes = gfx_fmt("/contacts/%s/notes", id);
    r = gfx_api(fx, "POST", notes, "{\"body\":\"n\"}");
    th_response_free(r);
    char *appts = gfx_fmt("/_sandbox/ui/contacts/%s/appointments", id);
    r = gfx_admin(fx, "POST", appts,
                  "{\"calendarId\":\"c\",\"startTime\":\"2024-01-01T10:00:00Z\","
                  "\"endTime\":\"2024-01-01T11:00:00Z\"}");
    gfx_expect(r, 201);
    th_response_free(r);
    r = gfx_admin(fx, "GET", "/_sandbox/state", NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "locations")), 1);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 1);
    assert_int_equal(json_array_size(jsonx_path(r->json, "tasks")), 1);
    assert_int_equal(json_array_size(jsonx_path(r->json, "notes")), 1);
    assert_int_equal(json_array_size(jsonx_path(r->json, "appointments")), 1);
    assert_string_equal(gfx_str(r, "contacts.0.email"), "st@example.com");
    assert_string_equal(gfx_str(r, "tasks.0.contactId"), id);
    assert_true(json_is_false(jsonx_path(r->json, "locations.0.allowDuplicates")));
    th_response_free(r);
    free(appts);
    free(notes);
    free(tasks);
    free(id);
}

static void test_settings(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"allowDuplicates\":\"yes\"}");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"rate\":{\"max_daily\":0}}");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"location_id\":\"nope\"}");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings",
                  "{\"allowDuplicates\":true,\"rate\":{\"max_daily\":5000,\"interval_ms\":1000}}");
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "locations.0.allowDuplicates")));
    assert_int_equal(json_integer_value(jsonx_path(r->json, "rate.max_daily")), 5000);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "rate.interval_ms")), 1000);
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"access_ttl_s\":0}");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"access_ttl_s\":120}");
    gfx_expect(r, 200);
    th_response_free(r);
    /* A token issued after the change lives 120 s. */
    char body[512];
    r = gfx_admin(fx, "POST", "/_sandbox/oauth/code",
                  "{\"scopes\":\"contacts.readonly\",\"redirect_uri\":\"http://127.0.0.1/cb\"}");
    gfx_expect(r, 200);
    snprintf(body, sizeof body,
             "grant_type=authorization_code&client_id=%s&client_secret=%s&code=%s",
             jsonx_str(fx->info, "client_id"), jsonx_str(fx->info, "client_secret"),
             gfx_str(r, "code"));
    th_response_free(r);
    char url[160];
    snprintf(url, sizeof url, "%s/oauth/token", fx->base);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = th_request("POST", url, form, body, 10000);
    gfx_expect(r, 200);
    assert_int_equal(jsonx_int(r->json, "expires_in", -1), 120);
    th_response_free(r);
    char *a = gfx_create(fx, "\"email\":\"twice@example.com\"");
    char *b = gfx_create(fx, "\"email\":\"twice@example.com\"");
    free(a);
    free(b);
}

static void test_locations(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/locations",
                               "{\"name\":\"Second\",\"allowDuplicates\":true}");
    gfx_expect(r, 201);
    assert_int_equal(strlen(gfx_str(r, "id")), 20);
    assert_true(json_is_true(jsonx_path(r->json, "allowDuplicates")));
    assert_int_equal(json_array_size(jsonx_path(r->json, "customFields")), 3);
    char *loc = strdup(gfx_str(r, "id"));
    th_response_free(r);
    r = gfx_admin(fx, "POST", "/_sandbox/locations", "{\"id\":\"ve9EPM428h8vShlRW1KT\"}");
    gfx_expect(r, 409);
    th_response_free(r);
    char *body = gfx_fmt("{\"contacts\":5,\"seed\":1,\"location_id\":\"%s\"}", loc);
    r = gfx_admin(fx, "POST", "/_sandbox/seed", body);
    gfx_expect(r, 200);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "created")), 5);
    th_response_free(r);
    r = gfx_admin(fx, "GET", "/_sandbox/state", NULL);
    assert_int_equal(json_array_size(jsonx_path(r->json, "locations")), 2);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 5);
    assert_string_equal(gfx_str(r, "contacts.0.locationId"), loc);
    th_response_free(r);
    free(body);
    free(loc);
}

static void test_seed(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/seed", "{\"contacts\":60,\"seed\":9}");
    gfx_expect(r, 200);
    json_int_t created = json_integer_value(jsonx_path(r->json, "created"));
    assert_int_equal(created + json_integer_value(jsonx_path(r->json, "skipped")), 60);
    assert_true(created >= 55);
    th_response_free(r);
    char *path = gfx_fmt("/contacts/?locationId=%s&limit=100", fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.total")), created);
    /* Seeded people are normalised like any other contact. */
    size_t i;
    json_t *c;
    json_array_foreach(jsonx_path(r->json, "contacts"), i, c)
    {
        const char *email = jsonx_str(c, "email");
        for (const char *p = email; p && *p; p++)
            assert_false(*p >= 'A' && *p <= 'Z');
        const char *phone = jsonx_str(c, "phone");
        assert_true(!phone || phone[0] == '+');
    }
    th_response_free(r);
    /* The same seed twice draws the same people: all of them are duplicates now. */
    r = gfx_admin(fx, "POST", "/_sandbox/seed", "{\"contacts\":60,\"seed\":9}");
    assert_int_equal(json_integer_value(jsonx_path(r->json, "created")), 0);
    th_response_free(r);
    /* A create afterwards arrives first: seeding fired nothing before it. */
    char *id = gfx_create(fx, "\"email\":\"after-seed@example.com\"");
    json_decref(gfx_wait_hooks(fx, "ContactCreate", 1));
    json_t *all = gfx_hooks(fx);
    assert_int_equal(json_array_size(all), 1);
    json_decref(all);
    r = gfx_admin(fx, "POST", "/_sandbox/seed", "{\"contacts\":-1}");
    gfx_expect(r, 400);
    th_response_free(r);
    free(id);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
