/* test_poller.c: the pollers against the sandbox with webhooks off: changes made through the
 * UI routes are found by the next poll, task edits (which send nothing) too, the registrations
 * overlap reads the boundary day again, and cursors only move past what was written. */
#include "tests/engine/capture_env.h"
#include "engine/poller.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = cenv_start();
    return 0;
}

static int teardown(void **state)
{
    cenv_stop(*state);
    return 0;
}

static json_t *cursor(cenv *c, const char *name)
{
    char *text = NULL;
    err e = {0};
    if (store_cursor_get(&text, c->store, name, &e) != 0)
        return NULL;
    json_t *j = NULL;
    assert_int_equal(jsonx_parse(&j, text, strlen(text), name, &e), 0);
    free(text);
    return j;
}

static bool has(const json_t *hints, cenv *c, const char *ghl_id)
{
    char key[ENGINE_KEY_MAX];
    cenv_key_ghl(key, c, ghl_id);
    return json_object_get(hints, key) != NULL;
}

static void ui_patch_contact(cenv *c, const char *id, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(cenv_ghl_admin(c, "PATCH", path, body));
}

static void test_ghl_poll_finds_ui_change(void **state)
{
    cenv *c = *state;
    char *ids[5];
    for (int i = 0; i < 5; i++) {
        char first[16], email[64];
        snprintf(first, sizeof first, "P%d", i);
        snprintf(email, sizeof email, "p%d@example.com", i);
        ids[i] = cenv_ui_contact(c, first, email);
        cenv_after(clock_now_ms(clock_system()) + 2); /* stamps apart by more than the overlap */
    }
    poller_options o = {.overlap_ms = 1, .page_size = 2};
    poller_result r;
    err e = {0};
    assert_int_equal(poller_ghl_contacts(&r, &c->eng, &o, &e), 0);
    assert_true(r.complete);
    assert_int_equal(r.hints, 5); /* no cursor yet: everything */
    json_t *hints = cenv_take_hints(c);
    for (int i = 0; i < 5; i++)
        assert_true(has(hints, c, ids[i]));
    const json_t *one = json_object_get(hints, json_object_iter_key(json_object_iter(hints)));
    assert_string_equal(jsonx_str(one, "kind"), "poll");
    assert_string_equal(jsonx_str(one, "source"), "poller");
    json_decref(hints);

    char name[ENGINE_KEY_MAX];
    poller_cursor_name(name, sizeof name, "ghl.contacts", c->location, NULL);
    json_t *cur = cursor(c, name);
    int64_t before = jsonx_int(cur, "updated_ms", 0);
    assert_true(before > 0);
    json_decref(cur);

    cenv_after(before + 2); /* the change lands after the cursor and its 1 ms overlap */
    ui_patch_contact(c, ids[1], "{\"lastName\": \"Changed\"}");
    assert_int_equal(poller_ghl_contacts(&r, &c->eng, &o, &e), 0);
    hints = cenv_take_hints(c);
    assert_true(has(hints, c, ids[1]));
    assert_false(has(hints, c, ids[0]));
    assert_false(has(hints, c, ids[2]));
    char k1[ENGINE_KEY_MAX];
    cenv_key_ghl(k1, c, ids[1]);
    assert_string_equal(
        jsonx_str(json_object_get(json_object_get(hints, k1), "payload"), "lastName"), "Changed");
    json_decref(hints);
    cur = cursor(c, name);
    assert_true(jsonx_int(cur, "updated_ms", 0) > before);
    assert_string_equal(jsonx_str(cur, "id"), ids[1]);
    json_decref(cur);
    for (int i = 0; i < 5; i++)
        free(ids[i]);
}

static void test_ghl_poll_failure_keeps_cursor(void **state)
{
    cenv *c = *state;
    char *id = cenv_ui_contact(c, "Faulty", "faulty@example.com");
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 1}"));
    poller_options o = {.overlap_ms = 1};
    poller_result r;
    err e = {0};
    assert_true(poller_ghl_contacts(&r, &c->eng, &o, &e) < 0);
    char name[ENGINE_KEY_MAX];
    poller_cursor_name(name, sizeof name, "ghl.contacts", c->location, NULL);
    assert_null(cursor(c, name));
    assert_int_equal(cenv_pending(c), 0);
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 0}"));
    assert_int_equal(poller_ghl_contacts(&r, &c->eng, &o, &e), 0);
    json_t *hints = cenv_take_hints(c);
    assert_true(has(hints, c, id));
    json_decref(hints);
    free(id);
}

/* A linked contact with one task; returns the task's id. */
static char *linked_with_task(cenv *c, const char *id, const char *title)
{
    err e = {0};
    int64_t link = 0;
    assert_int_equal(store_link_create(&link, c->store, c->location, id, NULL, NULL, &e), 0);
    char path[256], body[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks", id);
    snprintf(body, sizeof body,
             "{\"title\": \"%s\", \"dueDate\": \"2027-02-01T09:00:00Z\", \"completed\": false}",
             title);
    json_t *j = cenv_ghl_admin(c, "POST", path, body);
    const json_t *task = json_object_get(j, "task");
    char *tid = strdup(jsonx_str(task ? task : j, "id"));
    json_decref(j);
    return tid;
}

static void ui_edit_task(cenv *c, const char *contact, const char *task, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks/%s", contact, task);
    json_decref(cenv_ghl_admin(c, "PATCH", path, body));
}

static void test_task_edit_found(void **state)
{
    cenv *c = *state;
    char *id = cenv_ui_contact(c, "Tasked", "tasked@example.com");
    char *task = linked_with_task(c, id, "Send badge");
    poller_options o = {0};
    poller_result r;
    err e = {0};
    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.seen, 1);
    assert_int_equal(r.hints, 0); /* first sight: recorded only */
    assert_true(r.complete);

    ui_edit_task(c, id, task, "{\"title\": \"Send badge and lanyard\"}");
    cenv_drain_webhooks(c);
    assert_int_equal(cenv_pending(c), 0); /* HighLevel sends nothing for a task edit */
    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.hints, 1);
    json_t *hints = cenv_take_hints(c);
    char key[ENGINE_KEY_MAX];
    cenv_key_ghl(key, c, id);
    const json_t *h = json_object_get(hints, key);
    assert_non_null(h);
    assert_string_equal(jsonx_str(h, "kind"), "poll");
    assert_true(jsonx_bool(json_object_get(h, "payload"), "activity", false));
    const json_t *t0 = json_array_get(json_object_get(json_object_get(h, "payload"), "tasks"), 0);
    assert_string_equal(jsonx_str(t0, "title"), "Send badge and lanyard");
    json_decref(hints);

    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.hints, 0); /* nothing changed since */
    free(task);
    free(id);
}

static void test_task_poll_rotates_and_prunes(void **state)
{
    cenv *c = *state;
    char *ids[3], *tasks[3];
    for (int i = 0; i < 3; i++) {
        char first[16], email[64];
        snprintf(first, sizeof first, "Rot%d", i);
        snprintf(email, sizeof email, "rot%d@example.com", i);
        ids[i] = cenv_ui_contact(c, first, email);
        tasks[i] = linked_with_task(c, ids[i], first);
    }
    poller_options o = {.max_contacts = 2};
    poller_result r;
    err e = {0};
    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.seen, 2);
    assert_false(r.complete);
    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.seen, 1);
    assert_true(r.complete); /* every linked contact checked once: starts over */

    store_link *l = NULL;
    assert_int_equal(store_link_by_contact(&l, c->store, c->location, ids[1], &e), 0);
    assert_int_equal(store_link_unlink(c->store, l->id, "test", &e), 0);
    store_link_free(l);
    ui_edit_task(c, ids[0], tasks[0], "{\"title\": \"edited 0\"}");
    ui_edit_task(c, ids[2], tasks[2], "{\"title\": \"edited 2\"}");
    assert_int_equal(poller_ghl_tasks(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.seen, 2);
    assert_int_equal(r.hints, 2);
    json_t *hints = cenv_take_hints(c);
    assert_true(has(hints, c, ids[0]) && has(hints, c, ids[2]));
    json_decref(hints);
    char name[ENGINE_KEY_MAX];
    poller_cursor_name(name, sizeof name, "ghl.tasks", c->location, NULL);
    json_t *cur = cursor(c, name);
    const json_t *snap = json_object_get(cur, "snap");
    assert_non_null(json_object_get(snap, ids[0]));
    assert_null(json_object_get(snap, ids[1])); /* unlinked: forgotten */
    json_decref(cur);
    for (int i = 0; i < 3; i++) {
        free(ids[i]);
        free(tasks[i]);
    }
}

static void ui_patch_attendee(cenv *c, const char *event, const char *code, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", event, code);
    json_decref(cenv_pl_admin(c, "PATCH", path, body));
}

static void test_registrations_poll(void **state)
{
    cenv *c = *state;
    char *a = cenv_attendee(c, CENV_EVENT, "Ana", "ana@example.com");
    char *b = cenv_attendee(c, CENV_EVENT, "Bo", "bo@example.com");
    poller_options o = {0};
    poller_result r;
    err e = {0};
    assert_int_equal(poller_pl_registrations(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_true(r.complete);
    assert_int_equal(r.hints, 2);
    json_t *hints = cenv_take_hints(c);
    char ka[ENGINE_KEY_MAX], kb[ENGINE_KEY_MAX];
    cenv_key_pl(ka, CENV_EVENT, a);
    cenv_key_pl(kb, CENV_EVENT, b);
    assert_non_null(json_object_get(hints, ka));
    assert_non_null(json_object_get(hints, kb));
    json_decref(hints);

    /* The overlap reads both again; unchanged, they are no news. */
    assert_int_equal(poller_pl_registrations(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_int_equal(r.seen, 2);
    assert_int_equal(r.hints, 0);

    ui_patch_attendee(c, CENV_EVENT, b, "{\"first_name\": \"Bob\"}");
    assert_int_equal(poller_pl_registrations(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_int_equal(r.hints, 1);
    hints = cenv_take_hints(c);
    assert_non_null(json_object_get(hints, kb));
    assert_null(json_object_get(hints, ka));
    json_decref(hints);
    free(a);
    free(b);
}

/* A cursor already on the next UTC day still reads the day before: a registration stamped on
 * that boundary day, not yet seen, is found. */
static void test_registrations_overlap_reads_boundary_day(void **state)
{
    cenv *c = *state;
    char *a = cenv_attendee(c, CENV_EVENT2, "Day", "day@example.com");
    pl_iter *it = NULL;
    pl_registration reg;
    err e = {0};
    assert_int_equal(pl_client_registrations_since(&it, c->pl, CENV_EVENT2, 0, 0, &e), 0);
    assert_int_equal(pl_iter_next_registration(&reg, it, &e), 1);
    int64_t updated = reg.updated_ms;
    pl_registration_free(&reg);
    pl_iter_free(it);
    assert_true(updated > 0);
    int64_t day = 24 * 3600 * 1000LL;
    int64_t next_day = (updated / day + 1) * day + 60000;
    char name[ENGINE_KEY_MAX], value[128];
    poller_cursor_name(name, sizeof name, "pl.registrations", CENV_ORG "." CENV_EVENT2, NULL);
    snprintf(value, sizeof value, "{\"updated_ms\": %lld, \"snap\": {}}", (long long)next_day);
    assert_int_equal(store_cursor_put(c->store, name, value, &e), 0);
    char from[32];
    pl_client_registrations_from_date(from, next_day);
    char expect[CLOCK_ISO_LEN];
    clock_format_date(updated, expect);
    assert_string_equal(from, expect); /* the request asks from the registration's own day */

    poller_options o = {0};
    poller_result r;
    assert_int_equal(poller_pl_registrations(&r, &c->eng, CENV_EVENT2, &o, &e), 0);
    assert_int_equal(r.hints, 1);
    json_t *hints = cenv_take_hints(c);
    char key[ENGINE_KEY_MAX];
    cenv_key_pl(key, CENV_EVENT2, a);
    assert_non_null(json_object_get(hints, key));
    json_decref(hints);
    json_t *cur = cursor(c, name);
    assert_int_equal(jsonx_int(cur, "updated_ms", 0), next_day); /* never moves back */
    json_decref(cur);
    free(a);
}

static void test_attendee_listing(void **state)
{
    cenv *c = *state;
    char *a = cenv_attendee(c, CENV_EVENT, "Lia", "lia@example.com");
    char *b = cenv_attendee(c, CENV_EVENT, "Max", "max@example.com");
    poller_options o = {0};
    poller_result r;
    err e = {0};
    assert_int_equal(poller_pl_attendees(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_int_equal(r.seen, 2);
    assert_int_equal(r.hints, 0); /* the first listing is only recorded */
    assert_true(r.complete);

    json_t *fields = json_pack("{s:{s:i}}", "metadata", "vip", 1);
    pl_attendee up;
    assert_int_equal(pl_client_update_attendee(&up, c->pl, CENV_EVENT, a, fields, NULL, &e), 0);
    pl_attendee_free(&up);
    json_decref(fields);
    char *n = cenv_attendee(c, CENV_EVENT, "New", "new@example.com");
    assert_int_equal(poller_pl_attendees(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_int_equal(r.seen, 3);
    assert_int_equal(r.hints, 2);
    json_t *hints = cenv_take_hints(c);
    char ka[ENGINE_KEY_MAX], kb[ENGINE_KEY_MAX], kn[ENGINE_KEY_MAX];
    cenv_key_pl(ka, CENV_EVENT, a);
    cenv_key_pl(kb, CENV_EVENT, b);
    cenv_key_pl(kn, CENV_EVENT, n);
    assert_non_null(json_object_get(hints, ka));
    assert_non_null(json_object_get(hints, kn));
    assert_null(json_object_get(hints, kb));
    json_decref(hints);
    assert_int_equal(poller_pl_attendees(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_int_equal(r.hints, 0);
    free(a);
    free(b);
    free(n);
}

static void test_capture_runs_every_poller(void **state)
{
    cenv *c = *state;
    char *id = cenv_ui_contact(c, "Every", "every@example.com");
    char *code = cenv_attendee(c, CENV_EVENT2, "Every", "every@example.com");
    err e = {0};
    assert_int_equal(poller_capture(NULL, &c->eng, &e), 0);
    json_t *hints = cenv_take_hints(c);
    char kp[ENGINE_KEY_MAX];
    cenv_key_pl(kp, CENV_EVENT2, code);
    assert_true(has(hints, c, id));
    assert_non_null(json_object_get(hints, kp));
    json_decref(hints);
    free(id);
    free(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ghl_poll_finds_ui_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ghl_poll_failure_keeps_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_edit_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_poll_rotates_and_prunes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registrations_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registrations_overlap_reads_boundary_day, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attendee_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capture_runs_every_poller, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
