/* test_ghl_webhooks.c: the HighLevel emulator's webhooks, received over HTTP: every event type
 * from API and UI changes, payloads checked against HighLevel's event schemas, both signatures
 * verified with OpenSSL, unique webhookIds, and no webhook where HighLevel sends none. */
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

/* The one webhook of type (waiting for it), checked: signatures, schema, envelope. */
static json_t *expect_hook(gfx *fx, const char *type, bool complete)
{
    json_t *hooks = gfx_wait_hooks(fx, type, 1);
    if (json_array_size(hooks) != 1)
        fail_msg("%zu %s webhooks, expected 1", json_array_size(hooks), type);
    json_t *h = json_incref(json_array_get(hooks, 0));
    json_decref(hooks);
    assert_true(gfx_verify_signatures(fx, h));
    json_t *p = json_object_get(h, "json");
    assert_string_equal(jsonx_str(p, "type"), type);
    assert_true(gfx_payload_matches_schema(type, p, complete));
    int64_t ms;
    err e = {0};
    assert_int_equal(clock_parse_iso(&ms, jsonx_str(p, "timestamp"), &e), 0);
    json_t *payload = json_incref(p);
    json_decref(h);
    return payload;
}

static const char FULL_CONTACT[] =
    "\"firstName\":\"Grace\",\"lastName\":\"Hopper\",\"email\":\"grace@example.com\","
    "\"phone\":\"+12025550123\",\"address1\":\"1 Navy Way\",\"city\":\"Arlington\","
    "\"state\":\"VA\",\"postalCode\":\"22201\",\"country\":\"US\",\"companyName\":\"Navy\","
    "\"website\":\"https://example.com\",\"source\":\"conference\",\"dateOfBirth\":\"1906-12-09\","
    "\"dnd\":false,\"assignedTo\":\"y0BeYjuRIlDwsDcOHOJo\",\"tags\":[\"Admiral\"],"
    "\"customFields\":[{\"key\":\"dietary\",\"field_value\":\"none\"}]";

static void test_contact_events(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, FULL_CONTACT);
    json_t *p = expect_hook(fx, "ContactCreate", true);
    assert_string_equal(jsonx_str(p, "id"), id);
    assert_string_equal(jsonx_str(p, "locationId"), fx->location);
    assert_string_equal(jsonx_str(p, "email"), "grace@example.com");
    assert_string_equal(jsonx_str(p, "name"), "Grace Hopper");
    assert_string_equal(jsonx_str(p, "dateOfBirth"), "1906-12-09T00:00:00.000Z");
    assert_string_equal(json_string_value(jsonx_path(p, "customFields.0.value")), "none");
    json_decref(p);

    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api(fx, "PUT", path, "{\"city\":\"New York\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    p = expect_hook(fx, "ContactUpdate", true);
    assert_string_equal(jsonx_str(p, "city"), "New York");
    json_decref(p);

    char *tags = gfx_fmt("%s/tags", path);
    r = gfx_api(fx, "POST", tags, "{\"tags\":[\"Computing\"]}");
    th_response_free(r);
    p = expect_hook(fx, "ContactTagUpdate", true);
    assert_true(jsonx_array_has_str(json_object_get(p, "tags"), "computing"));
    json_decref(p);

    r = gfx_api(fx, "DELETE", path, NULL);
    th_response_free(r);
    p = expect_hook(fx, "ContactDelete", true);
    assert_string_equal(jsonx_str(p, "id"), id);
    json_decref(p);

    /* Four events, four distinct ids. */
    json_t *all = gfx_hooks(fx);
    json_t *ids = json_object();
    size_t i;
    json_t *h;
    json_array_foreach(all, i, h)
    {
        json_object_set_new(ids, jsonx_str(json_object_get(h, "json"), "webhookId"), json_true());
    }
    assert_int_equal(json_array_size(all), 4);
    assert_int_equal(json_object_size(ids), 4);
    json_decref(ids);
    json_decref(all);
    free(tags);
    free(path);
    free(id);
}

static void test_dnd_event(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"dnd@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api(fx, "PUT", path,
                             "{\"dnd\":true,\"dndSettings\":{\"SMS\":{\"status\":\"active\","
                             "\"message\":\"stop\",\"code\":\"101\"}}}");
    gfx_expect(r, 200);
    th_response_free(r);
    json_t *p = expect_hook(fx, "ContactDndUpdate", false);
    assert_true(json_is_true(json_object_get(p, "dnd")));
    assert_string_equal(json_string_value(jsonx_path(p, "dndSettings.SMS.status")), "active");
    json_decref(p);
    json_decref(expect_hook(fx, "ContactUpdate", false));
    /* A change elsewhere is no DND update. */
    r = gfx_api(fx, "PUT", path, "{\"city\":\"Bonn\"}");
    th_response_free(r);
    json_decref(gfx_wait_hooks(fx, "ContactUpdate", 2));
    json_t *dnd = gfx_wait_hooks(fx, "ContactDndUpdate", 1);
    assert_int_equal(json_array_size(dnd), 1);
    json_decref(dnd);
    free(path);
    free(id);
}

static void test_no_webhook_without_change(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"quiet@example.com\",\"tags\":[\"a\"]");
    json_decref(gfx_wait_hooks(fx, "ContactCreate", 1));
    gfx_clear_hooks(fx);
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api(fx, "PUT", path, "{\"email\":\"QUIET@example.com\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    char *tags = gfx_fmt("%s/tags", path);
    r = gfx_api(fx, "POST", tags, "{\"tags\":[\"A\"]}");
    gfx_expect(r, 201);
    th_response_free(r);
    /* A change after them: when it arrives, the two no-ops would have arrived before it. */
    r = gfx_api(fx, "PUT", path, "{\"city\":\"Oslo\"}");
    th_response_free(r);
    json_decref(gfx_wait_hooks(fx, "ContactUpdate", 1));
    json_t *all = gfx_hooks(fx);
    assert_int_equal(json_array_size(all), 1);
    json_decref(all);
    free(tags);
    free(path);
    free(id);
}

static void test_task_and_note_events(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"t@example.com\"");
    char *tasks = gfx_fmt("/contacts/%s/tasks", id);
    th_response *r = gfx_api(fx, "POST", tasks,
                             "{\"title\":\"Follow up\",\"body\":\"b\","
                             "\"dueDate\":\"2024-01-02T03:04:05Z\","
                             "\"completed\":false,\"assignedTo\":\"u1\"}");
    gfx_expect(r, 201);
    char *task = gfx_fmt("%s/%s", tasks, gfx_str(r, "task.id"));
    th_response_free(r);
    json_t *p = expect_hook(fx, "TaskCreate", true);
    assert_string_equal(jsonx_str(p, "contactId"), id);
    assert_string_equal(jsonx_str(p, "dueDate"), "2024-01-02T03:04:05.000Z");
    json_decref(p);
    char *done = gfx_fmt("%s/completed", task);
    r = gfx_api(fx, "PUT", done, "{\"completed\":true}");
    th_response_free(r);
    json_decref(expect_hook(fx, "TaskComplete", true));
    r = gfx_api(fx, "DELETE", task, NULL);
    th_response_free(r);
    json_decref(expect_hook(fx, "TaskDelete", true));

    char *notes = gfx_fmt("/contacts/%s/notes", id);
    r = gfx_api(fx, "POST", notes, "{\"body\":\"first\"}");
    gfx_expect(r, 201);
    char *note = gfx_fmt("%s/%s", notes, gfx_str(r, "note.id"));
    th_response_free(r);
    json_decref(expect_hook(fx, "NoteCreate", true));
    r = gfx_api(fx, "PUT", note, "{\"body\":\"second\"}");
    th_response_free(r);
    p = expect_hook(fx, "NoteUpdate", true);
    assert_string_equal(jsonx_str(p, "body"), "second");
    json_decref(p);
    r = gfx_api(fx, "DELETE", note, NULL);
    th_response_free(r);
    json_decref(expect_hook(fx, "NoteDelete", true));
    free(note);
    free(notes);
    free(done);
    free(task);
    free(tasks);
    free(id);
}

static void test_ui_changes_fire_webhooks(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "POST", "/_sandbox/ui/contacts",
                               "{\"firstName\":\"Ui\",\"email\":\"ui@example.com\"}");
    gfx_expect(r, 201);
    char *c = gfx_fmt("/_sandbox/ui/contacts/%s", gfx_str(r, "contact.id"));
    th_response_free(r);
    json_decref(expect_hook(fx, "ContactCreate", false));
    r = gfx_admin(fx, "PATCH", c, "{\"lastName\":\"Edited\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    json_decref(expect_hook(fx, "ContactUpdate", false));
    char *tags = gfx_fmt("%s/tags", c);
    r = gfx_admin(fx, "POST", tags, "{\"tags\":[\"ui\"]}");
    gfx_expect(r, 201);
    th_response_free(r);
    json_decref(expect_hook(fx, "ContactTagUpdate", false));

    char *tasks = gfx_fmt("%s/tasks", c);
    r = gfx_admin(fx, "POST", tasks,
                  "{\"title\":\"ui task\",\"dueDate\":\"2024-05-01T00:00:00Z\","
                  "\"completed\":false}");
    gfx_expect(r, 201);
    char *task = gfx_fmt("%s/%s", tasks, gfx_str(r, "task.id"));
    th_response_free(r);
    json_decref(expect_hook(fx, "TaskCreate", false));
    /* Editing a task fires nothing (HighLevel has no TaskUpdate); completing it does. */
    r = gfx_admin(fx, "PATCH", task, "{\"title\":\"renamed\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    char *complete = gfx_fmt("%s/complete", task);
    r = gfx_admin(fx, "POST", complete, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    json_decref(expect_hook(fx, "TaskComplete", false));
    json_t *all = gfx_hooks(fx);
    assert_int_equal(json_array_size(all), 5);
    json_decref(all);

    char *appts = gfx_fmt("%s/appointments", c);
    r = gfx_admin(fx, "POST", appts,
                  "{\"calendarId\":\"cal1\",\"title\":\"Meet\",\"notes\":\"n\","
                  "\"startTime\":\"2024-05-01T09:00:00Z\","
                  "\"endTime\":\"2024-05-01T09:30:00Z\",\"address\":\"Room 1\","
                  "\"assignedUserId\":\"u1\",\"groupId\":\"g1\"}");
    gfx_expect(r, 201);
    char *appt = gfx_fmt("%s/%s", appts, gfx_str(r, "appointment.id"));
    th_response_free(r);
    json_t *p = expect_hook(fx, "AppointmentCreate", true);
    assert_string_equal(json_string_value(jsonx_path(p, "appointment.title")), "Meet");
    json_decref(p);
    r = gfx_admin(fx, "PATCH", appt, "{\"startTime\":\"2024-05-01T10:00:00Z\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    json_decref(expect_hook(fx, "AppointmentUpdate", true));
    r = gfx_admin(fx, "DELETE", appt, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    json_decref(expect_hook(fx, "AppointmentDelete", true));

    char *notes = gfx_fmt("%s/notes", c);
    r = gfx_admin(fx, "POST", notes, "{\"body\":\"ui note\"}");
    gfx_expect(r, 201);
    th_response_free(r);
    json_decref(expect_hook(fx, "NoteCreate", true));
    r = gfx_admin(fx, "DELETE", c, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    json_decref(expect_hook(fx, "ContactDelete", false));
    free(notes);
    free(appt);
    free(appts);
    free(complete);
    free(task);
    free(tasks);
    free(tags);
    free(c);
}

static void test_webhook_url_setting(void **state)
{
    gfx *fx = *state;
    th_response *r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"webhook_url\":null}");
    gfx_expect(r, 200);
    th_response_free(r);
    char *a = gfx_create(fx, "\"email\":\"silent@example.com\"");
    char *body = gfx_fmt("{\"webhook_url\":\"%s\"}", fx->hook_url);
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", body);
    gfx_expect(r, 200);
    th_response_free(r);
    char *b = gfx_create(fx, "\"email\":\"heard@example.com\"");
    json_t *p = expect_hook(fx, "ContactCreate", false);
    assert_string_equal(jsonx_str(p, "id"), b);
    json_decref(p);
    free(body);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contact_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dnd_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_webhook_without_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_and_note_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_changes_fire_webhooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_url_setting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
