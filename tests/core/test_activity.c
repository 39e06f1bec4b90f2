/* test_activity.c: HighLevel tasks, notes, appointments, tags and business kept in attendee
 * metadata, leaving every other key of the metadata as it was. */
#include "core/activity.h"
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Metadata with keys of its own that must survive every change. */
static json_t *metadata(void)
{
    return ct_json("{\"badge\": {\"color\": \"red\"}, \"n\": 9007199254740993, \"highlevel\": "
                   "{\"extra\": true}}");
}

static void other_keys_untouched(const json_t *meta)
{
    ct_assert_json(json_object_get(meta, "badge"), "{\"color\": \"red\"}");
    assert_true(json_integer_value(json_object_get(meta, "n")) == 9007199254740993LL);
    ct_assert_json(json_object_get(json_object_get(meta, "highlevel"), "extra"), "true");
}

static void apply(json_t *meta, core_act_kind k, core_act_op op, const char *rec, bool want)
{
    json_t *r = ct_json(rec);
    bool changed = !want;
    err e;
    if (core_activity_apply(meta, k, op, r, &changed, &e) != 0)
        fail_msg("apply: %s", e.msg);
    assert_int_equal(changed, want);
    json_decref(r);
}

static void tasks_create_update_complete_delete(void **state)
{
    (void)state;
    json_t *m = metadata();
    const char *task = "{\"type\": \"TaskCreate\", \"id\": \"t1\", \"title\": \"Call\", "
                       "\"body\": \"about the summit\", \"dueDate\": "
                       "\"2021-12-22T06:55:00+01:00\", \"contactId\": \"c1\"}";
    apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT, task, true);
    ct_assert_json(core_activity_list(m, CORE_ACT_TASK),
                   "[{\"id\": \"t1\", \"title\": \"Call\", \"body\": \"about the summit\", "
                   "\"due\": \"2021-12-22T05:55:00.000Z\", \"completed\": false}]");
    apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT, task, false); /* the same again: no change */
    apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT,
          "{\"id\": \"t2\", \"title\": \"Email\", \"dueDate\": \"not a date\"}", true);
    apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT,
          "{\"id\": \"t1\", \"title\": \"Call back\", \"body\": \"x\", \"completed\": false}",
          true);
    /* A completion keeps what the webhook leaves out. */
    apply(m, CORE_ACT_TASK, CORE_ACT_COMPLETE, "{\"id\": \"t1\"}", true);
    apply(m, CORE_ACT_TASK, CORE_ACT_COMPLETE, "{\"id\": \"t1\"}", false);
    ct_assert_json(
        core_activity_list(m, CORE_ACT_TASK),
        "[{\"id\": \"t1\", \"title\": \"Call back\", \"body\": \"x\", \"due\": "
        "\"2021-12-22T05:55:00.000Z\", \"completed\": true}, {\"id\": \"t2\", \"title\": "
        "\"Email\", \"body\": null, \"due\": \"not a date\", \"completed\": false}]");
    assert_non_null(core_activity_find(m, CORE_ACT_TASK, "t2"));
    apply(m, CORE_ACT_TASK, CORE_ACT_DELETE, "{\"id\": \"t2\"}", true);
    apply(m, CORE_ACT_TASK, CORE_ACT_DELETE, "{\"id\": \"t2\"}", false);
    assert_null(core_activity_find(m, CORE_ACT_TASK, "t2"));
    assert_int_equal(json_array_size(core_activity_list(m, CORE_ACT_TASK)), 1);
    other_keys_untouched(m);
    json_decref(m);
}

static void notes_and_appointments(void **state)
{
    (void)state;
    json_t *m = ct_json("{}");
    apply(m, CORE_ACT_NOTE, CORE_ACT_UPSERT,
          "{\"type\": \"NoteCreate\", \"id\": \"n1\", \"body\": \"Loram\", \"dateAdded\": "
          "\"2021-11-26T12:41:02.193Z\"}",
          true);
    apply(m, CORE_ACT_NOTE, CORE_ACT_UPSERT, "{\"id\": \"n1\", \"body\": \"Ipsum\"}", true);
    ct_assert_json(core_activity_list(m, CORE_ACT_NOTE),
                   "[{\"id\": \"n1\", \"body\": \"Ipsum\", \"date\": "
                   "\"2021-11-26T12:41:02.193Z\"}]");
    apply(m, CORE_ACT_APPOINTMENT, CORE_ACT_UPSERT,
          "{\"type\": \"AppointmentCreate\", \"appointment\": {\"id\": \"a1\", \"title\": "
          "\"Demo\", \"startTime\": \"2023-09-25T16:00:00+05:30\", \"endTime\": \"2023-09-25 "
          "11:00:00\", \"appointmentStatus\": \"confirmed\"}}",
          true);
    ct_assert_json(
        core_activity_list(m, CORE_ACT_APPOINTMENT),
        "[{\"id\": \"a1\", \"title\": \"Demo\", \"start\": \"2023-09-25T10:30:00.000Z\", "
        "\"end\": \"2023-09-25T11:00:00.000Z\", \"status\": \"confirmed\"}]");
    /* Reminder bookkeeping survives an update of the appointment. */
    json_t *rem = ct_json("[{\"before\": 3600, \"code\": \"ANN1\"}]");
    bool changed = false;
    err e;
    assert_int_equal(core_activity_set_reminders(m, "a1", rem, &changed, &e), 0);
    assert_true(changed);
    apply(m, CORE_ACT_APPOINTMENT, CORE_ACT_UPSERT,
          "{\"id\": \"a1\", \"title\": \"Demo\", \"startTime\": \"2023-09-26T10:30:00Z\", "
          "\"status\": \"booked\"}",
          true);
    ct_assert_json(core_activity_find(m, CORE_ACT_APPOINTMENT, "a1"),
                   "{\"id\": \"a1\", \"title\": \"Demo\", \"start\": \"2023-09-26T10:30:00.000Z\", "
                   "\"end\": \"2023-09-25T11:00:00.000Z\", \"status\": \"booked\", \"reminders\": "
                   "[{\"before\": 3600, "
                   "\"code\": \"ANN1\"}]}");
    assert_int_equal(core_activity_set_reminders(m, "a1", NULL, &changed, &e), 0);
    assert_true(changed);
    assert_int_equal(core_activity_set_reminders(m, "zz", rem, &changed, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "no appointment zz on the attendee");
    json_decref(rem);
    json_decref(m);
}

static void errors(void **state)
{
    (void)state;
    json_t *m = ct_json("{}"), *r = ct_json("{\"title\": \"no id\"}");
    bool changed = true;
    err e;
    assert_int_equal(core_activity_apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT, r, &changed, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "HighLevel task: no id");
    assert_false(changed);
    json_decref(r);
    r = ct_json("{\"id\": \"n1\"}");
    assert_int_equal(core_activity_apply(m, CORE_ACT_NOTE, CORE_ACT_COMPLETE, r, &changed, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "only tasks are completed, not a note");
    json_t *arr = ct_json("[]");
    assert_int_equal(core_activity_apply(arr, CORE_ACT_NOTE, CORE_ACT_UPSERT, r, &changed, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "attendee metadata: not an object");
    ct_assert_json(m, "{}"); /* nothing was created by the failures */
    json_decref(arr);
    json_decref(r);
    json_decref(m);
}

static void event_types(void **state)
{
    (void)state;
    core_act_kind k;
    core_act_op op;
    assert_int_equal(core_activity_from_event(&k, &op, "TaskComplete"), 0);
    assert_int_equal(k, CORE_ACT_TASK);
    assert_int_equal(op, CORE_ACT_COMPLETE);
    assert_int_equal(core_activity_from_event(&k, &op, "AppointmentDelete"), 0);
    assert_int_equal(k, CORE_ACT_APPOINTMENT);
    assert_int_equal(op, CORE_ACT_DELETE);
    assert_int_equal(core_activity_from_event(&k, &op, "NoteUpdate"), 0);
    assert_int_equal(op, CORE_ACT_UPSERT);
    assert_int_equal(core_activity_from_event(&k, &op, "ContactCreate"), ERR_NOT_FOUND);
    assert_int_equal(core_activity_from_event(&k, &op, NULL), ERR_NOT_FOUND);
}

static void contact_business_and_tags(void **state)
{
    (void)state;
    json_t *m = metadata();
    bool changed = false;
    err e;
    assert_int_equal(core_activity_set_contact(m, "c1", &changed, &e), 0);
    assert_true(changed);
    assert_int_equal(core_activity_set_contact(m, "c1", &changed, &e), 0);
    assert_false(changed);
    assert_int_equal(core_activity_set_business(m, "b1", "Acme", &changed, &e), 0);
    assert_true(changed);
    json_t *tags = ct_json("[\"Lead\", \" b \", \"lead\"]");
    assert_int_equal(core_activity_set_tags(m, tags, &changed, &e), 0);
    assert_true(changed);
    json_decref(tags);
    ct_assert_json(json_object_get(m, "highlevel"),
                   "{\"extra\": true, \"contact_id\": \"c1\", \"business\": {\"id\": \"b1\", "
                   "\"name\": \"Acme\"}, \"tags\": [\"b\", \"lead\"]}");
    tags = ct_json("[]");
    assert_int_equal(core_activity_set_tags(m, tags, &changed, &e), 0);
    assert_true(changed);
    assert_int_equal(core_activity_set_tags(m, tags, &changed, &e), 0);
    assert_false(changed);
    json_decref(tags);
    assert_int_equal(core_activity_set_business(m, NULL, "", &changed, &e), 0);
    assert_true(changed);
    assert_int_equal(core_activity_set_contact(m, NULL, &changed, &e), 0);
    ct_assert_json(json_object_get(m, "highlevel"), "{\"extra\": true}");
    other_keys_untouched(m);
    json_decref(m);
    /* A highlevel key that is not an object is replaced; others stay. */
    m = ct_json("{\"highlevel\": \"junk\", \"k\": 1}");
    assert_int_equal(core_activity_set_contact(m, "c9", &changed, &e), 0);
    ct_assert_json(m, "{\"highlevel\": {\"contact_id\": \"c9\"}, \"k\": 1}");
    json_decref(m);
}

static void lists_are_bounded(void **state)
{
    (void)state;
    json_t *m = ct_json("{}");
    char rec[128];
    for (int i = 0; i < CORE_ACT_MAX + 5; i++) {
        snprintf(rec, sizeof rec, "{\"id\": \"t%d\", \"title\": \"x\", \"completed\": %s}", i,
                 i == 3 ? "true" : "false");
        apply(m, CORE_ACT_TASK, CORE_ACT_UPSERT, rec, true);
    }
    const json_t *list = core_activity_list(m, CORE_ACT_TASK);
    assert_int_equal(json_array_size(list), CORE_ACT_MAX);
    assert_null(core_activity_find(m, CORE_ACT_TASK, "t3")); /* the completed one went first */
    assert_null(core_activity_find(m, CORE_ACT_TASK, "t0"));
    assert_null(core_activity_find(m, CORE_ACT_TASK, "t4"));
    assert_non_null(core_activity_find(m, CORE_ACT_TASK, "t5"));
    assert_non_null(core_activity_find(m, CORE_ACT_TASK, "t104"));
    /* Long texts are cut on a character boundary. */
    char *body = malloc(CORE_ACT_TEXT_MAX + 100);
    memset(body, 'a', CORE_ACT_TEXT_MAX - 1);
    memcpy(body + CORE_ACT_TEXT_MAX - 1, "\xc3\xa9tail", 7);
    json_t *r = json_pack("{s:s, s:s}", "id", "n1", "body", body);
    bool changed;
    err e;
    assert_int_equal(core_activity_apply(m, CORE_ACT_NOTE, CORE_ACT_UPSERT, r, &changed, &e), 0);
    const char *stored =
        json_string_value(json_object_get(core_activity_find(m, CORE_ACT_NOTE, "n1"), "body"));
    assert_int_equal(strlen(stored), CORE_ACT_TEXT_MAX - 1);
    free(body);
    json_decref(r);
    json_decref(m);
}

static void prune_drops_past_appointments(void **state)
{
    (void)state;
    json_t *m = ct_json("{\"highlevel\": {\"appointments\": [{\"id\": \"old\", \"start\": "
                        "\"2024-01-01T10:00:00.000Z\", \"end\": \"2024-01-01T11:00:00.000Z\"}, "
                        "{\"id\": \"now\", \"start\": \"2024-01-01T11:30:00.000Z\", \"end\": "
                        "\"2024-01-01T13:00:00.000Z\"}, {\"id\": \"odd\", \"start\": \"soon\"}]}}");
    bool changed = false;
    int64_t noon = 1704110400000; /* 2024-01-01T12:00:00Z */
    assert_int_equal(core_activity_prune(m, noon, &changed), 0);
    assert_true(changed);
    assert_null(core_activity_find(m, CORE_ACT_APPOINTMENT, "old"));
    assert_non_null(core_activity_find(m, CORE_ACT_APPOINTMENT, "now"));
    assert_non_null(core_activity_find(m, CORE_ACT_APPOINTMENT, "odd"));
    assert_int_equal(core_activity_prune(m, noon, &changed), 0);
    assert_false(changed);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tasks_create_update_complete_delete),
        cmocka_unit_test(notes_and_appointments),
        cmocka_unit_test(errors),
        cmocka_unit_test(event_types),
        cmocka_unit_test(contact_business_and_tags),
        cmocka_unit_test(lists_are_bounded),
        cmocka_unit_test(prune_drops_past_appointments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
