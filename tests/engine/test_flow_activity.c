/* test_flow_activity.c: flows F2 (HighLevel tasks and notes, created, updated, completed and
 * deleted, mirrored onto the attendee's metadata.highlevel; task edits come from the poller)
 * and F5 (appointments kept on the attendee; reminders as announcements to it, moved and
 * cancelled with the appointment). */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct pair {
    efix *f;
    char *id, *code;
    char key[ENGINE_KEY_MAX];
} pair;

static void setup_pair(pair *p, uint64_t seed)
{
    efix_opts o = {.seed_data = true, .people = 20, .seed = seed};
    p->f = efix_start(&o);
    efix_pass(p->f, true);
    p->id = efix_linked_pair(p->f, EV1, &p->code);
    efix_key_ghl(p->f, p->key, p->id);
}

static void teardown_pair(pair *p)
{
    free(p->id);
    free(p->code);
    efix_stop(p->f);
}

/* A change made in HighLevel's UI, then its webhook as a hint (payload: the answer). */
static json_t *ui(pair *p, const char *method, const char *sub, const char *body, const char *kind)
{
    char path[512];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s%s", p->id, sub);
    json_t *ans = efix_admin(p->f, true, method, path, body);
    if (kind) {
        char *text = jsonx_dumps(ans);
        efix_hint(p->f, "ghl", kind, p->key, text);
        free(text);
    }
    efix_pass_live(p->f);
    return ans;
}

static const json_t *meta_list(json_t *att, const char *which)
{
    return jsonx_path(json_object_get(att, "metadata"), which);
}

static const json_t *find_id(const json_t *list, const char *id)
{
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it)
    {
        if (jsonx_str(it, "id") && strcmp(jsonx_str(it, "id"), id) == 0)
            return it;
    }
    return NULL;
}

static json_t *attendee(pair *p)
{
    return efix_attendee(p->f, EV1, p->code);
}

/* True when the person's audit log has a write onto the attendee with this reason. */
static bool audited(pair *p, const char *reason)
{
    store_audit_entries list = {0};
    efix_audit_of_contact(&list, p->f, p->id);
    bool found = false;
    for (size_t i = 0; i < list.n; i++)
        found |= !strcmp(list.v[i].direction, "ghl_to_pheedloop") &&
                 strstr(list.v[i].reason, reason) != NULL;
    store_audit_entries_free(&list);
    return found;
}

static void test_f2_tasks(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, 31);
    json_t *t = ui(&p, "POST", "/tasks",
                   "{\"title\": \"Send badge\", \"dueDate\": \"2030-01-01T10:00:00Z\", "
                   "\"completed\": false}",
                   "TaskCreate");
    json_t *task = json_object_get(t, "task") ? json_object_get(t, "task") : t;
    char tid[64];
    snprintf(tid, sizeof tid, "%s", jsonx_str(task, "id"));
    json_decref(t);
    json_t *a = attendee(&p);
    const json_t *e = find_id(meta_list(a, "highlevel.tasks"), tid);
    assert_non_null(e);
    assert_string_equal(jsonx_str(e, "title"), "Send badge");
    assert_false(jsonx_bool(e, "completed", true));
    json_decref(a);
    /* `pheedsync audit` shows this write too. */
    assert_true(audited(&p, "HighLevel activity kept on the attendee"));

    char sub[256];
    snprintf(sub, sizeof sub, "/tasks/%s/complete", tid);
    json_decref(ui(&p, "POST", sub, "{}", "TaskComplete"));
    a = attendee(&p);
    assert_true(jsonx_bool(find_id(meta_list(a, "highlevel.tasks"), tid), "completed", false));
    json_decref(a);

    /* HighLevel has no TaskUpdate webhook: the poller hints that activity changed. */
    snprintf(sub, sizeof sub, "/tasks/%s", tid);
    json_decref(ui(&p, "PATCH", sub, "{\"title\": \"Send printed badge\"}", NULL));
    efix_hint(p.f, "poller", "poll", p.key, "{\"activity\": true}");
    efix_pass_live(p.f);
    a = attendee(&p);
    assert_string_equal(jsonx_str(find_id(meta_list(a, "highlevel.tasks"), tid), "title"),
                        "Send printed badge");
    json_decref(a);

    json_decref(ui(&p, "DELETE", sub, NULL, "TaskDelete"));
    a = attendee(&p);
    assert_null(find_id(meta_list(a, "highlevel.tasks"), tid));
    json_decref(a);
    teardown_pair(&p);
}

static void test_f2_notes(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, 32);
    json_t *n = ui(&p, "POST", "/notes", "{\"body\": \"Met at the booth\"}", "NoteCreate");
    json_t *note = json_object_get(n, "note") ? json_object_get(n, "note") : n;
    char nid[64];
    snprintf(nid, sizeof nid, "%s", jsonx_str(note, "id"));
    json_decref(n);
    json_t *a = attendee(&p);
    assert_string_equal(jsonx_str(find_id(meta_list(a, "highlevel.notes"), nid), "body"),
                        "Met at the booth");
    json_decref(a);
    char sub[256];
    snprintf(sub, sizeof sub, "/notes/%s", nid);
    json_decref(
        ui(&p, "PATCH", sub, "{\"body\": \"Met at the booth; wants a demo\"}", "NoteUpdate"));
    a = attendee(&p);
    assert_string_equal(jsonx_str(find_id(meta_list(a, "highlevel.notes"), nid), "body"),
                        "Met at the booth; wants a demo");
    json_decref(a);
    json_decref(ui(&p, "DELETE", sub, NULL, "NoteDelete"));
    a = attendee(&p);
    assert_null(find_id(meta_list(a, "highlevel.notes"), nid));
    json_decref(a);
    teardown_pair(&p);
}

/* The event's announcements addressed to code. */
static json_t *announcements_to(pair *p)
{
    json_t *st = efix_admin(p->f, false, "GET", "/_sandbox/state", NULL);
    json_t *out = json_array();
    size_t i, k;
    json_t *ev, *an;
    json_array_foreach(json_object_get(st, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), EV1) != 0)
            continue;
        json_array_foreach(json_object_get(ev, "announcements"), k, an)
        {
            if (jsonx_array_has_str(json_object_get(an, "recipients"), p->code))
                json_array_append(out, an);
        }
    }
    json_decref(st);
    return out;
}

static bool has_release(const json_t *list, const char *date)
{
    size_t i;
    const json_t *an;
    json_array_foreach(list, i, an)
    {
        if (jsonx_str(an, "release_date") && strcmp(jsonx_str(an, "release_date"), date) == 0)
            return true;
    }
    return false;
}

static void test_f5_appointments_and_reminders(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, 33);
    int64_t now = clock_now_ms(clock_system());
    int64_t start = (now / 86400000 + 5) * 86400000 + 15 * 3600000; /* in 5 days, 15:00 UTC */
    char s[CLOCK_ISO_LEN], en[CLOCK_ISO_LEN], body[512];
    clock_format_iso(start, s);
    clock_format_iso(start + 3600000, en);
    snprintf(body, sizeof body,
             "{\"calendarId\": \"cal1\", \"title\": \"Demo\", \"startTime\": \"%s\", "
             "\"endTime\": \"%s\"}",
             s, en);
    json_t *ap = ui(&p, "POST", "/appointments", body, "AppointmentCreate");
    json_t *appt = json_object_get(ap, "appointment") ? json_object_get(ap, "appointment") : ap;
    char aid[64];
    snprintf(aid, sizeof aid, "%s", jsonx_str(appt, "id"));
    json_decref(ap);
    json_t *a = attendee(&p);
    assert_non_null(find_id(meta_list(a, "highlevel.appointments"), aid));
    json_decref(a);
    json_t *list = announcements_to(&p);
    assert_int_equal(json_array_size(list), 2); /* 24 h and 1 h before */
    char day_before[CLOCK_ISO_LEN];
    clock_format_date(start - 86400000, day_before);
    assert_true(has_release(list, day_before));
    json_decref(list);

    /* Moved a day later: the reminders move with it. */
    clock_format_iso(start + 86400000, s);
    clock_format_iso(start + 86400000 + 3600000, en);
    snprintf(body, sizeof body, "{\"startTime\": \"%s\", \"endTime\": \"%s\"}", s, en);
    char sub[256];
    snprintf(sub, sizeof sub, "/appointments/%s", aid);
    json_decref(ui(&p, "PATCH", sub, body, "AppointmentUpdate"));
    list = announcements_to(&p);
    assert_int_equal(json_array_size(list), 2);
    clock_format_date(start, day_before);
    assert_true(has_release(list, day_before));
    json_decref(list);

    /* Cancelled: the reminders go. */
    json_decref(ui(&p, "PATCH", sub, "{\"status\": \"cancelled\"}", "AppointmentUpdate"));
    list = announcements_to(&p);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);

    json_decref(ui(&p, "DELETE", sub, NULL, "AppointmentDelete"));
    a = attendee(&p);
    assert_null(find_id(meta_list(a, "highlevel.appointments"), aid));
    json_decref(a);
    teardown_pair(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f2_tasks),
        cmocka_unit_test(test_f2_notes),
        cmocka_unit_test(test_f5_appointments_and_reminders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
