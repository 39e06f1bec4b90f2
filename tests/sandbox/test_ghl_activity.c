/* test_ghl_activity.c: the HighLevel emulator's tasks, notes and appointments over HTTP: the
 * full cycle of each, validation, and the answers of unknown ids. */
#include "tests/sandbox/ghl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct afx {
    gfx *fx;
    char *contact;
    char *base; /* "/contacts/{id}" */
} afx;

static int setup(void **state)
{
    afx *a = calloc(1, sizeof(*a));
    a->fx = gfx_start(false);
    a->contact = gfx_create(a->fx, "\"firstName\":\"Task\",\"email\":\"task@example.com\"");
    a->base = gfx_fmt("/contacts/%s", a->contact);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    afx *a = *state;
    gfx_stop(a->fx);
    free(a->contact);
    free(a->base);
    free(a);
    return 0;
}

static th_response *call(afx *a, const char *method, const char *suffix, const char *body)
{
    char *path = gfx_fmt("%s%s", a->base, suffix);
    th_response *r = gfx_api(a->fx, method, path, body);
    free(path);
    return r;
}

static void test_tasks(void **state)
{
    afx *a = *state;
    th_response *r = call(a, "POST", "/tasks",
                          "{\"title\":\"Call back\",\"body\":\"about badges\","
                          "\"dueDate\":\"2024-03-01T10:00:00Z\",\"completed\":false,"
                          "\"assignedTo\":\"hxHGVRb1YJUscrCB8eXK\"}");
    gfx_expect(r, 201);
    assert_string_equal(gfx_str(r, "task.title"), "Call back");
    assert_string_equal(gfx_str(r, "task.dueDate"), "2024-03-01T10:00:00.000Z");
    assert_string_equal(gfx_str(r, "task.contactId"), a->contact);
    assert_true(json_is_false(jsonx_path(r->json, "task.completed")));
    char *tid = strdup(gfx_str(r, "task.id"));
    char *tpath = gfx_fmt("/tasks/%s", tid);
    th_response_free(r);

    r = call(a, "POST", "/tasks", "{\"body\":\"no title\",\"completed\":false}");
    gfx_expect(r, 422);
    assert_true(json_is_array(jsonx_path(r->json, "message")));
    th_response_free(r);
    r = call(a, "POST", "/tasks", "{\"title\":\"t\",\"dueDate\":\"tomorrow\",\"completed\":false}");
    gfx_expect(r, 422);
    th_response_free(r);

    r = call(a, "GET", "/tasks", NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "tasks")), 1);
    th_response_free(r);
    r = call(a, "PUT", tpath, "{\"title\":\"Call back today\"}");
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "task.title"), "Call back today");
    assert_string_equal(gfx_str(r, "task.body"), "about badges");
    th_response_free(r);
    char *cpath = gfx_fmt("%s/completed", tpath);
    r = call(a, "PUT", cpath, "{\"completed\":true}");
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "task.completed")));
    th_response_free(r);
    r = call(a, "PUT", cpath, "{}");
    gfx_expect(r, 422);
    th_response_free(r);
    r = call(a, "GET", tpath, NULL);
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "task.completed")));
    th_response_free(r);
    r = call(a, "DELETE", tpath, NULL);
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "succeded")));
    th_response_free(r);
    r = call(a, "GET", tpath, NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    free(cpath);
    free(tpath);
    free(tid);
}

static void test_notes(void **state)
{
    afx *a = *state;
    th_response *r = call(a, "POST", "/notes",
                          "{\"body\":\"met at the booth\",\"title\":\"Booth\","
                          "\"pinned\":true,\"userId\":\"GCs5KuzPqTls7vWclkEV\"}");
    gfx_expect(r, 201);
    assert_string_equal(gfx_str(r, "note.body"), "met at the booth");
    assert_true(json_is_true(jsonx_path(r->json, "note.pinned")));
    assert_string_equal(gfx_str(r, "note.contactId"), a->contact);
    assert_non_null(gfx_str(r, "note.dateAdded"));
    char *npath = gfx_fmt("/notes/%s", gfx_str(r, "note.id"));
    th_response_free(r);
    r = call(a, "POST", "/notes", "{\"title\":\"no body\"}");
    gfx_expect(r, 422);
    th_response_free(r);
    r = call(a, "PUT", npath, "{\"body\":\"met at the booth, twice\"}");
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "note.body"), "met at the booth, twice");
    assert_string_equal(gfx_str(r, "note.title"), "Booth");
    th_response_free(r);
    r = call(a, "GET", "/notes", NULL);
    assert_int_equal(json_array_size(jsonx_path(r->json, "notes")), 1);
    th_response_free(r);
    r = call(a, "GET", npath, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    r = call(a, "DELETE", npath, NULL);
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "succeded")));
    th_response_free(r);
    r = call(a, "GET", npath, NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    r = call(a, "GET", "/notes", NULL);
    assert_int_equal(json_array_size(jsonx_path(r->json, "notes")), 0);
    th_response_free(r);
    free(npath);
}

static void test_appointments(void **state)
{
    afx *a = *state;
    char *ui = gfx_fmt("/_sandbox/ui%s/appointments", a->base);
    th_response *r =
        gfx_admin(a->fx, "POST", ui,
                  "{\"calendarId\":\"BqTwX8QFwXzpegMve9EQ\",\"title\":\"Demo\","
                  "\"startTime\":\"2024-03-01T16:00:00+05:30\","
                  "\"endTime\":\"2024-03-01T16:30:00+05:30\",\"status\":\"confirmed\"}");
    gfx_expect(r, 201);
    char *upath = gfx_fmt("%s/%s", ui, gfx_str(r, "appointment.id"));
    th_response_free(r);
    r = call(a, "GET", "/appointments", NULL);
    gfx_expect(r, 200);
    json_t *ev = jsonx_path(r->json, "events.0");
    assert_non_null(ev);
    assert_string_equal(jsonx_str(ev, "calendarId"), "BqTwX8QFwXzpegMve9EQ");
    assert_string_equal(jsonx_str(ev, "title"), "Demo");
    assert_string_equal(jsonx_str(ev, "status"), "confirmed");
    assert_string_equal(jsonx_str(ev, "appointmentStatus"), "confirmed");
    assert_string_equal(jsonx_str(ev, "startTime"), "2024-03-01T10:30:00.000Z");
    assert_string_equal(jsonx_str(ev, "contactId"), a->contact);
    assert_string_equal(jsonx_str(ev, "locationId"), a->fx->location);
    th_response_free(r);
    r = gfx_admin(a->fx, "PATCH", upath, "{\"status\":\"cancelled\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    r = gfx_admin(a->fx, "PATCH", upath, "{\"status\":\"gone\"}");
    gfx_expect(r, 422);
    th_response_free(r);
    r = call(a, "GET", "/appointments", NULL);
    assert_string_equal(gfx_str(r, "events.0.appointmentStatus"), "cancelled");
    th_response_free(r);
    r = gfx_admin(a->fx, "DELETE", upath, NULL);
    gfx_expect(r, 200);
    th_response_free(r);
    r = call(a, "GET", "/appointments", NULL);
    assert_int_equal(json_array_size(jsonx_path(r->json, "events")), 0);
    th_response_free(r);
    free(upath);
    free(ui);
}

static void test_unknown_ids(void **state)
{
    afx *a = *state;
    th_response *r = gfx_api(a->fx, "GET", "/contacts/NoSuchContact0000000/tasks", NULL);
    gfx_expect(r, 400);
    assert_string_equal(gfx_str(r, "message"), "Contact not found");
    th_response_free(r);
    r = call(a, "GET", "/tasks/NoSuchTask0000000000", NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    r = call(a, "DELETE", "/notes/NoSuchNote0000000000", NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_api(a->fx, "GET", "/contacts/NoSuchContact0000000/appointments", NULL);
    gfx_expect(r, 400);
    th_response_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appointments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_ids, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
