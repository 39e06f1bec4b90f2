/* test_cmd_profile.c: `pheedsync profile` and `pheedsync audit` against the sandbox: a linked
 * person in full (contact, tags, custom fields by key, tasks, notes, appointments, attendees of
 * two events with ticket and check-in) found by e-mail, contact id, attendee code and link
 * number; someone nobody linked found through the APIs; the audit log merged across the names
 * a person is filed under, paged; tag changes as what was added and removed, reminders; nobody,
 * ambiguity, bad input, a store from a newer pheedsync; never a write. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct jane {
    char contact[64], att1[64], att2[64];
    int64_t link;
} jane;

static void ui(afx *f, const char *contact, const char *what, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/%s", contact, what);
    json_decref(afx_ghl_admin(f, "POST", path, body));
}

static void checkin(afx *f, const char *event, const char *code)
{
    char url[512], body[128];
    snprintf(url, sizeof url, "%s/api/v3/organization/%s/events/%s/checkin/", f->pl_base, AFX_ORG,
             event);
    snprintf(body, sizeof body, "{\"codes\": [\"%s\"]}", code);
    const char *h[] = {"X-API-KEY: " AFX_KEY, "X-API-SECRET: " AFX_SECRET,
                       "Content-Type: application/json", NULL};
    th_response *r = th_request("POST", url, h, body, 10000);
    assert_int_equal(r->status, 200);
    th_response_free(r);
}

/* Jane: a contact with tags, a custom field, a task, a note and an appointment; attendees of
 * both events (a VIP ticket, checked in, in the first), all linked. */
static void make_jane(afx *f, jane *j)
{
    ofx_contact(f,
                "{\"firstName\": \"Jane\", \"lastName\": \"Doe\", \"email\": "
                "\"jane@example.com\", \"phone\": \"+14155550101\", \"companyName\": \"Acme\", "
                "\"tags\": [\"vip\"], \"customFields\": [{\"key\": \"contact.dietary\", "
                "\"field_value\": \"vegan\"}]}",
                j->contact);
    ui(f, j->contact, "tasks",
       "{\"title\": \"Call Jane\", \"dueDate\": \"2027-01-05T10:00:00Z\", "
       "\"completed\": false}");
    ui(f, j->contact, "notes", "{\"body\": \"Met at the booth\"}");
    ui(f, j->contact, "appointments",
       "{\"calendarId\": \"cal1\", \"title\": \"Demo\", \"startTime\": "
       "\"2027-03-18T16:00:00Z\", \"endTime\": \"2027-03-18T16:30:00Z\", \"status\": "
       "\"confirmed\"}");
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Jane\", \"last_name\": \"Doe\", \"email\": "
                 "\"jane@example.com\", \"ticket_name\": \"VIP Pass\"}",
                 j->att1);
    ofx_attendee(f, AFX_EVENT2,
                 "{\"first_name\": \"Jane\", \"last_name\": \"Doe\", \"email\": "
                 "\"jane@example.com\"}",
                 j->att2);
    checkin(f, AFX_EVENT, j->att1);
    j->link = ofx_link(f, j->contact, "jane@example.com", j->att1);
    store *s = ofx_store(f);
    err e = {0};
    assert_int_equal(store_link_add_attendee(s, j->link, AFX_ORG, AFX_EVENT2, j->att2, &e), 0);
    store_close(s);
}

static const json_t *attendee_in(const json_t *prof, const char *event)
{
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(prof, "attendees"), i, a)
    {
        if (!strcmp(jsonx_str(a, "event"), event))
            return a;
    }
    return NULL;
}

static void linked_person_in_full(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.events = AFX_EVENT ", " AFX_EVENT2});
    jane j;
    make_jane(f, &j);
    int64_t writes = ofx_writes(f); /* the check-in */
    const char *args[] = {"profile", "--config", f->conf, "Jane@Example.com", NULL};
    afx_run r = ofx_expect(f, 0, args);
    static const char *const want[] = {
        "jane@example.com  link ",
        "HighLevel contact ",
        "Jane Doe",
        "+14155550101",
        "Acme",
        "vip",
        "contact.dietary",
        "vegan",
        "[ ] Call Jane",
        "Met at the booth",
        "Demo (confirmed)",
        "in " AFX_EVENT " (App Summit",
        "VIP Pass",
        "checked in at",
        "in " AFX_EVENT2 " (App Expo",
        "not checked in",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(want); i++)
        if (!strstr(r.out, want[i]))
            fail_msg("'%s' missing from:\n%s", want[i], r.out);
    afx_run_free(&r);

    char link[32];
    snprintf(link, sizeof link, "%lld", (long long)j.link);
    const char *names[] = {j.contact, j.att1, j.att2, link};
    for (size_t i = 0; i < PS_ARRAY_LEN(names); i++) {
        const char *jargs[] = {"profile", names[i], "--config", f->conf, "--json", NULL};
        r = ofx_expect(f, 0, jargs);
        json_t *p = ofx_json(&r);
        assert_int_equal(jsonx_int(json_object_get(p, "link"), "id", 0), j.link);
        assert_string_equal(jsonx_str(p, "contact_id"), j.contact);
        assert_int_equal(json_array_size(json_object_get(p, "tasks")), 1);
        assert_int_equal(json_array_size(json_object_get(p, "notes")), 1);
        assert_int_equal(json_array_size(json_object_get(p, "appointments")), 1);
        assert_string_equal(jsonx_str(json_object_get(p, "custom_fields"), "contact.dietary"),
                            "vegan");
        const json_t *a1 = attendee_in(p, AFX_EVENT), *a2 = attendee_in(p, AFX_EVENT2);
        assert_non_null(a1);
        assert_non_null(a2);
        assert_string_equal(jsonx_str(json_object_get(a1, "ticket"), "name"), "VIP Pass");
        assert_true(jsonx_bool(a1, "checked_in", false));
        assert_false(jsonx_bool(a2, "checked_in", true));
        assert_string_equal(jsonx_str(json_object_get(a2, "ticket"), "name"), "General Admission");
        json_decref(p);
        afx_run_free(&r);
    }
    assert_int_equal(ofx_writes(f), writes);
}

static void unlinked_person_through_the_apis(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    char contact[64], code[64], lone[64];
    ofx_contact(f,
                "{\"firstName\": \"Una\", \"lastName\": \"Linked\", \"email\": "
                "\"una@example.com\"}",
                contact);
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Una\", \"last_name\": \"Linked\", \"email\": "
                 "\"UNA@example.com\"}",
                 code);
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Lone\", \"last_name\": \"Attendee\", \"email\": "
                 "\"lone@example.com\"}",
                 lone);
    const char *args[] = {"profile", "una@example.com", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 0, args);
    json_t *p = ofx_json(&r);
    assert_true(json_is_null(json_object_get(p, "link")));
    assert_string_equal(jsonx_str(p, "contact_id"), contact);
    assert_string_equal(jsonx_str(json_array_get(json_object_get(p, "attendees"), 0), "attendee"),
                        code);
    json_decref(p);
    afx_run_free(&r);
    const char *by_code[] = {"profile", lone, "--config", f->conf, NULL};
    r = ofx_expect(f, 0, by_code);
    assert_non_null(strstr(r.out, "lone@example.com  not linked"));
    assert_non_null(strstr(r.out, "HighLevel: no contact"));
    assert_non_null(strstr(r.out, "Lone Attendee"));
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), 0);
}

static void nobody_ambiguous_and_bad_input(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    ofx_link(f, "CONTACTTWIN1", "twin@example.com", NULL);
    ofx_link(f, "CONTACTTWIN2", "twin@example.com", NULL);
    const char *nobody[] = {"profile", "nobody@example.com", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 1, nobody);
    assert_non_null(strstr(r.err, "nobody is nobody@example.com"));
    afx_run_free(&r);
    const char *noid[] = {"profile", "NOSUCHCONTACT", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, noid);
    afx_run_free(&r);
    const char *twin[] = {"profile", "twin@example.com", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, twin);
    assert_non_null(strstr(r.err, "ambiguous: 2 links"));
    afx_run_free(&r);
    const char *twin_audit[] = {"audit", "twin@example.com", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, twin_audit);
    afx_run_free(&r);
    static const char *const usage[][5] = {
        {"profile", NULL},
        {"profile", "a@b.c", "x", NULL},
        {"profile", "bad id!", NULL},
        {"profile", "--all", NULL},
        {"audit", NULL},
        {"audit", "a@", NULL},
        {"audit", "--limit", "0", NULL},
        {"audit", "x", "--after", "-1", NULL},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(usage); i++) {
        const char *args[8];
        size_t n = 0;
        for (; usage[i][n]; n++)
            args[n] = usage[i][n];
        args[n++] = "--config";
        args[n++] = f->conf;
        args[n] = NULL;
        afx_run_free((r = ofx_expect(f, 2, args), &r));
    }
    ofx_store_from_the_future(f);
    const char *args[] = {"profile", "x@example.com", "--config", f->conf, NULL};
    r = ofx_expect(f, 3, args);
    assert_non_null(strstr(r.err, "newer than this pheedsync"));
    afx_run_free(&r);
    const char *aargs[] = {"audit", "x@example.com", "--config", f->conf, NULL};
    afx_run_free((r = ofx_expect(f, 3, aargs), &r));
}

static int64_t audit(store *s, const char *who, const char *dir, const char *fields,
                     const char *before, const char *after, const char *why)
{
    store_audit_new a = {who, dir, fields, before, after, why};
    int64_t id = 0;
    err e = {0};
    assert_int_equal(store_audit_append(&id, s, &a, &e), 0);
    return id;
}

static void audit_merges_the_names_of_a_person(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    int64_t link = ofx_link(f, "CONTACTAUDIT1", "jane@example.com", "ATTAUDIT1");
    char lk[32];
    snprintf(lk, sizeof lk, "%lld", (long long)link);
    store *s = ofx_store(f);
    int64_t first =
        audit(s, "jane@example.com", "decision", "[\"link\"]", NULL, NULL, "matched by e-mail");
    audit(s, "someone@example.com", "decision", "[\"link\"]", NULL, NULL, "not hers");
    int64_t second =
        audit(s, lk, "ghl_to_pheedloop", "[\"first_name\"]", "{\"first_name\": \"Jane\"}",
              "{\"first_name\": \"Janet\"}", "changed on both sides; owner = highlevel");
    int64_t third = audit(s, lk, "pheedloop_to_ghl", "[\"tags\"]", NULL, "[\"vip\"]", "one side");
    audit(s, "lost@example.com", "decision", "[\"link\"]", NULL, NULL, "ambiguous: 2 contacts");
    store_close(s);

    const char *args[] = {"audit", "jane@example.com", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, args);
    assert_non_null(strstr(r.out, "audit of jane@example.com (link"));
    assert_non_null(strstr(r.out, "matched by e-mail"));
    assert_non_null(strstr(r.out, "first_name"));
    assert_non_null(strstr(r.out, "Janet"));
    assert_non_null(strstr(r.out, "owner = highlevel"));
    assert_null(strstr(r.out, "not hers"));
    afx_run_free(&r);

    const char *names[] = {"CONTACTAUDIT1", "ATTAUDIT1", lk};
    for (size_t i = 0; i < PS_ARRAY_LEN(names); i++) {
        const char *jargs[] = {"audit", names[i], "--config", f->conf, "--json", NULL};
        r = ofx_expect(f, 0, jargs);
        json_t *j = ofx_json(&r);
        const json_t *list = json_object_get(j, "entries");
        assert_int_equal(json_array_size(list), 3);
        assert_int_equal(jsonx_int(json_array_get(list, 0), "id", 0), first);
        assert_int_equal(jsonx_int(json_array_get(list, 1), "id", 0), second);
        assert_int_equal(jsonx_int(json_array_get(list, 2), "id", 0), third);
        assert_string_equal(jsonx_str(jsonx_path(list, "1.after"), "first_name"), "Janet");
        json_decref(j);
        afx_run_free(&r);
    }
    char after[32];
    snprintf(after, sizeof after, "%lld", (long long)second);
    const char *page1[] = {"audit", lk, "--limit", "2", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, page1);
    assert_non_null(strstr(r.out, "(more may follow: --after"));
    afx_run_free(&r);
    const char *page2[] = {"audit", lk, "--after", after, "--json", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, page2);
    json_t *j = ofx_json(&r);
    assert_int_equal(json_array_size(json_object_get(j, "entries")), 1);
    json_decref(j);
    afx_run_free(&r);
    /* Nobody is linked with this address, but pheedsync decided something about it. */
    const char *lost[] = {"audit", "lost@example.com", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, lost);
    assert_non_null(strstr(r.out, "ambiguous: 2 contacts"));
    afx_run_free(&r);
    const char *nobody[] = {"audit", "nobody@example.com", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, nobody);
    assert_non_null(strstr(r.err, "knows nobody as nobody@example.com"));
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), 0);
}

/* Tag changes read as what was added and removed; a reminder as its announcement and why. */
static void audit_shows_tag_changes_and_reminders(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    int64_t link = ofx_link(f, "CONTACTTAGS1", "tess@example.com", "ATTTAGS1");
    char lk[32];
    snprintf(lk, sizeof lk, "%lld", (long long)link);
    store *s = ofx_store(f);
    audit(s, lk, "ghl_to_pheedloop", "[\"tags\"]", "{\"tags\": [\"lead\", \"vip\"]}",
          "{\"tags\": {\"added\": [\"speaker\", \"workshop\"], \"removed\": [\"lead\"]}}",
          "synced");
    audit(s, lk, "pheedloop_to_ghl", "[\"firstName\", \"tags\"]", "{\"tags\": []}",
          "{\"firstName\": \"Tess\", \"tags\": {\"added\": [\"a-rather-long-tag-number-one\", "
          "\"another-quite-long-tag\", \"third\"], \"removed\": []}}",
          "synced");
    audit(s, lk, "ghl_to_pheedloop", "[\"reminder\"]", NULL,
          "{\"release\": \"2027-03-13 10:00:00 America/New_York\", \"release_utc\": "
          "\"2027-03-13T15:00:00.000Z\", \"announcement\": \"ANN1\", \"event\": \"EV\", "
          "\"attendee\": \"ATTTAGS1\", \"appointment\": \"APPT1\"}",
          "reminder 24h before appointment \"Demo\" created for 2027-03-13 10:00:00 "
          "America/New_York: the appointment was booked");
    store_close(s);

    const char *args[] = {"audit", "tess@example.com", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, args);
    assert_non_null(strstr(r.out, "tags added: speaker, workshop; removed: lead "));
    /* Too long for its cell: cut there, and whole on a line of its own. */
    assert_non_null(strstr(r.out, "- -> firstName: Tess; tags added: a-rather-long-tag-numbe..."));
    assert_non_null(strstr(
        r.out, " tags added: a-rather-long-tag-number-one, another-quite-long-tag, third\n"));
    assert_non_null(strstr(r.out, "created for 2027-03-13 10:00:00 America/New_York: the "
                                  "appointment was booked"));
    afx_run_free(&r);

    const char *jargs[] = {"audit", lk, "--json", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, jargs);
    json_t *j = ofx_json(&r);
    const json_t *list = json_object_get(j, "entries");
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(jsonx_str(json_array_get(list, 0), "tags"),
                        "added: speaker, workshop; removed: lead");
    assert_string_equal(
        json_string_value(json_array_get(jsonx_path(list, "0.after.tags.removed"), 0)), "lead");
    assert_string_equal(jsonx_str(json_array_get(list, 1), "tags"),
                        "added: a-rather-long-tag-number-one, another-quite-long-tag, third");
    assert_null(json_object_get(json_array_get(list, 2), "tags"));
    assert_string_equal(jsonx_str(jsonx_path(list, "2.after"), "announcement"), "ANN1");
    json_decref(j);
    afx_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(linked_person_in_full, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(unlinked_person_through_the_apis, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(nobody_ambiguous_and_bad_input, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(audit_merges_the_names_of_a_person, afx_setup,
                                        afx_teardown),
        cmocka_unit_test_setup_teardown(audit_shows_tag_changes_and_reminders, afx_setup,
                                        afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
