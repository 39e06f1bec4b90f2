/* test_pl_client.c: every PheedLoop client operation against the sandbox's emulator over
 * loopback: authentication, events, attendees one by one and in bulk, the safe-create lookup,
 * attendance and check-in, members, tags, announcements, REST hooks, and each error class the
 * answers carry (401, 404 of a record or an organization, 400 with field errors, duplicates). */
#include "tests/support/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void expect_ok(int rc, const err *e)
{
    if (rc != 0)
        fail_msg("expected success, got %s: %s", err_code_name(rc), e->msg);
}

/* ---------------------------------------------------------------- authentication */

static void validate_auth_accepts_and_refuses(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_call call = {0};
    json_t *answer = NULL;
    expect_ok(pl_client_validate_auth(&answer, fx->client, &call, &e), &e);
    assert_int_equal(call.status, 200);
    assert_int_equal(call.error.kind, API_OK);
    assert_string_equal(jsonx_str(answer, "organization"), PLFX_ORG);
    json_decref(answer);

    /* A wrong key: 401, classified as auth, never retried. */
    pl_client *bad = plfx_client(fx, &(plfx_knobs){.api_key = "wrong-key-000"});
    assert_int_equal(pl_client_validate_auth(NULL, bad, &call, &e), ERR_AUTH);
    assert_int_equal(call.status, 401);
    assert_int_equal(call.error.kind, API_ERR_AUTH);
    assert_int_equal(call.attempts, 1);
    assert_non_null(strstr(e.msg, "Invalid API key."));
    assert_null(strstr(e.msg, "wrong-key-000"));
    pl_client_free(bad);

    /* A wrong organization code: a JSON 404, not a missing record of ours. */
    pl_client *org = plfx_client(fx, &(plfx_knobs){.org_code = "ORGNOPE"});
    assert_int_equal(pl_client_validate_auth(NULL, org, &call, &e), ERR_NOT_FOUND);
    assert_int_equal(call.status, 404);
    assert_int_equal(call.error.kind, API_ERR_NOT_FOUND);
    pl_iter *it = NULL;
    expect_ok(pl_client_events(&it, org, GOVERNOR_LANE_LIVE, &e), &e);
    json_t *item = NULL;
    assert_int_equal(pl_iter_next(&item, it, &e), ERR_NOT_FOUND); /* not an end of list */
    pl_iter_free(it);
    pl_client_free(org);
}

static void bad_configuration_is_refused(void **state)
{
    (void)state;
    err e = {0};
    pl_client *c = NULL;
    pl_client_config cfg = {.org_code = "ORG", .api_key = "k", .api_secret = NULL};
    assert_int_equal(pl_client_new(&c, &cfg, &e), ERR_CONFIG);
    cfg.api_secret = "line\r\nX-Evil: 1";
    assert_int_equal(pl_client_new(&c, &cfg, &e), ERR_CONFIG);
    cfg.api_secret = "s";
    cfg.org_code = "..";
    assert_int_equal(pl_client_new(&c, &cfg, &e), ERR_INVALID);
    assert_null(c);
}

/* ---------------------------------------------------------------- events */

static void events_list_and_get(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_iter *it = NULL;
    expect_ok(pl_client_events(&it, fx->client, GOVERNOR_LANE_BACKFILL, &e), &e);
    pl_event_rec ev;
    int n = 0, rc;
    bool saw_main = false;
    while ((rc = pl_iter_next_event(&ev, it, &e)) == 1) {
        n++;
        saw_main |= strcmp(ev.code, PLFX_EVENT) == 0;
        assert_true(ev.id > 0);
        assert_non_null(ev.name);
        pl_event_rec_free(&ev);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 2);
    assert_true(saw_main);
    assert_true(pl_iter_complete(it));
    assert_int_equal(pl_iter_count(it), 2);
    pl_iter_free(it);

    expect_ok(pl_client_get_event(&ev, fx->client, PLFX_EVENT, NULL, &e), &e);
    assert_string_equal(ev.name, "Test Summit");
    assert_string_equal(ev.date, "2027-03-18");
    assert_true(ev.updated_ms > 0);
    pl_event_rec_free(&ev);
    pl_call call = {0};
    assert_int_equal(pl_client_get_event(&ev, fx->client, "EVENOPE", &call, &e), ERR_NOT_FOUND);
    assert_int_equal(call.error.kind, API_ERR_NOT_FOUND);
    /* The request went out labelled with its organization (the request metrics' account). */
    assert_non_null(strstr(e.msg, "pheedloop get-event @" PLFX_ORG ":"));
    /* Codes are path segments: one cannot climb out of the collection. */
    assert_int_equal(pl_client_get_event(&ev, fx->client, "..", NULL, &e), ERR_INVALID);
}

/* ---------------------------------------------------------------- attendees */

static void attendee_create_get_update_delete(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_event_tag(fx, PLFX_EVENT, "VIP");
    json_t *f = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:I, s:{s:s}}, s:s}", "first_name", "Ada",
        "last_name", "Lovelace", "email", "Ada@Example.com", "organization", "Analytical", "title",
        "Countess", "address_phone", "+44 20 7946 0000", "tags", "vip", "metadata", "big",
        (json_int_t)9007199254740993LL, "highlevel", "contact", "c-1", "address_city", "London");
    pl_attendee a;
    pl_call call = {0};
    expect_ok(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, f, &call, &e), &e);
    json_decref(f);
    assert_int_equal(call.status, 201);
    assert_int_equal(strncmp(a.code, "ATT", 3), 0);
    assert_string_equal(a.first_name, "Ada");
    assert_string_equal(a.email, "Ada@Example.com");
    assert_string_equal(a.organization, "Analytical");
    assert_string_equal(a.phone, "+44 20 7946 0000");
    assert_string_equal(a.address.city, "London");
    assert_null(a.code_internal);
    assert_false(a.is_checked_in);
    assert_int_equal(json_array_size(a.tags), 1);
    assert_string_equal(json_string_value(json_array_get(a.tags, 0)), "VIP");
    assert_int_equal(json_integer_value(json_object_get(a.metadata, "big")), 9007199254740993LL);
    char code[64];
    snprintf(code, sizeof code, "%s", a.code);
    pl_attendee_free(&a);
    /* The sync never sends PheedLoop's welcome emails. */
    assert_int_equal(plfx_welcome_emails(fx), 0);

    expect_ok(pl_client_get_attendee(&a, fx->client, PLFX_EVENT, code, NULL, &e), &e);
    assert_string_equal(a.last_name, "Lovelace");
    assert_non_null(a.raw);
    pl_attendee_free(&a);

    json_t *patch = json_pack("{s:s, s:{s:s}}", "code_internal", "ghl-contact-42", "metadata",
                              "note", "replaced");
    expect_ok(pl_client_update_attendee(&a, fx->client, PLFX_EVENT, code, patch, &call, &e), &e);
    json_decref(patch);
    assert_int_equal(call.status, 200);
    assert_string_equal(a.code_internal, "ghl-contact-42");
    assert_null(json_object_get(a.metadata, "big")); /* metadata is replaced whole */
    assert_string_equal(a.first_name, "Ada");
    pl_attendee_free(&a);

    expect_ok(pl_client_delete_attendee(fx->client, PLFX_EVENT, code, &call, &e), &e);
    assert_int_equal(call.status, 204);
    assert_int_equal(pl_client_get_attendee(&a, fx->client, PLFX_EVENT, code, &call, &e),
                     ERR_NOT_FOUND);
    assert_int_equal(call.status, 404);
    assert_non_null(strstr(e.msg, "Not found."));
    assert_int_equal(pl_client_delete_attendee(fx->client, PLFX_EVENT, code, NULL, &e),
                     ERR_NOT_FOUND);
    assert_int_equal(plfx_welcome_emails(fx), 0);
}

static void validation_errors_name_every_field(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_call call = {0};
    pl_attendee a;
    json_t *f = json_pack("{s:s, s:s}", "last_name", "Nobody", "email", "not-an-email");
    assert_int_equal(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, f, &call, &e),
                     ERR_INVALID);
    json_decref(f);
    assert_int_equal(call.status, 400);
    assert_int_equal(call.error.kind, API_ERR_VALIDATION);
    assert_int_equal(call.attempts, 1);
    assert_false(call.maybe_applied);
    assert_non_null(strstr(e.msg, "first_name: This field is required."));
    assert_non_null(strstr(e.msg, "email: Enter a valid email address."));

    /* A tag the event does not have. */
    f = json_pack("{s:s, s:s, s:s, s:[s]}", "first_name", "T", "last_name", "T", "email",
                  "t@example.com", "tags", "no-such-tag");
    assert_int_equal(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, f, NULL, &e),
                     ERR_INVALID);
    json_decref(f);
    assert_non_null(strstr(e.msg, "tags: Tag \"no-such-tag\" does not exist in this event."));

    /* Refused before any request. */
    assert_int_equal(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, NULL, NULL, &e),
                     ERR_INVALID);
    assert_int_equal(pl_client_get_attendee(&a, fx->client, PLFX_EVENT, NULL, NULL, &e),
                     ERR_INVALID);
}

static void duplicate_email_is_a_conflict(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_add_people(fx, PLFX_EVENT, 1, 1);
    pl_call call = {0};
    pl_attendee a;
    json_t *f = plfx_person("Again", "Same", "  P1@Example.COM ");
    assert_int_equal(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, f, &call, &e),
                     ERR_CONFLICT);
    assert_int_equal(call.status, 400);
    assert_int_equal(call.error.kind, API_ERR_DUPLICATE);
    assert_non_null(strstr(e.msg, "already exists in this event"));
    /* The same email in another event is another attendee. */
    expect_ok(pl_client_create_attendee(&a, fx->client, PLFX_EVENT2, f, NULL, &e), &e);
    pl_attendee_free(&a);
    json_decref(f);
}

static void bulk_create_update_delete(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    json_t *items = json_pack("[o, o, o]", plfx_person("A", "One", "b1@example.com"),
                              plfx_person("B", "Two", "b2@example.com"),
                              plfx_person("C", "Three", "b3@example.com"));
    pl_attendee_list created;
    expect_ok(pl_client_bulk_create_attendees(&created, fx->client, PLFX_EVENT, items, NULL, &e),
              &e);
    json_decref(items);
    assert_int_equal(created.n, 3);
    assert_int_equal(plfx_welcome_emails(fx), 0);

    json_t *upd = json_array();
    for (size_t i = 0; i < created.n; i++)
        json_array_append_new(
            upd, json_pack("{s:s, s:s}", "code", created.items[i].code, "organization", "Bulk Co"));
    pl_attendee_list updated;
    expect_ok(pl_client_bulk_update_attendees(&updated, fx->client, PLFX_EVENT, upd, NULL, &e), &e);
    json_decref(upd);
    assert_int_equal(updated.n, 3);
    for (size_t i = 0; i < updated.n; i++)
        assert_string_equal(updated.items[i].organization, "Bulk Co");
    pl_attendee_list_free(&updated);

    /* All or nothing: one duplicate fails the batch, and the message says which item. */
    items = json_pack("[o, o]", plfx_person("D", "Four", "b4@example.com"),
                      plfx_person("E", "Five", "B1@example.com"));
    pl_attendee_list none;
    assert_int_equal(
        pl_client_bulk_create_attendees(&none, fx->client, PLFX_EVENT, items, NULL, &e),
        ERR_CONFLICT);
    json_decref(items);
    assert_non_null(strstr(e.msg, "item 1: email:"));
    pl_attendee a;
    assert_int_equal(
        pl_client_find_attendee_by_email(&a, fx->client, PLFX_EVENT, "b4@example.com", NULL, &e),
        ERR_NOT_FOUND);

    const char *codes[] = {created.items[0].code, created.items[1].code, "ATTNOPE"};
    pl_codes_result del;
    expect_ok(pl_client_bulk_delete_attendees(&del, fx->client, PLFX_EVENT, codes, 3, NULL, &e),
              &e);
    assert_int_equal(del.attendees.n, 2);
    assert_int_equal(json_array_size(del.errored), 1);
    assert_string_equal(json_string_value(json_array_get(del.errored, 0)), "ATTNOPE");
    pl_codes_result_free(&del);
    pl_attendee_list_free(&created);

    /* Bulk input checks happen before any request. */
    assert_int_equal(
        pl_client_bulk_delete_attendees(&del, fx->client, PLFX_EVENT, codes, 0, NULL, &e),
        ERR_INVALID);
    json_t *nocode = json_pack("[{s:s}]", "organization", "x");
    assert_int_equal(
        pl_client_bulk_update_attendees(&updated, fx->client, PLFX_EVENT, nocode, NULL, &e),
        ERR_INVALID);
    json_decref(nocode);
}

static void find_by_email_scans_every_page(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_add_people(fx, PLFX_EVENT, 1, 7);
    pl_client *small = plfx_client(fx, &(plfx_knobs){.page_size = 3});
    pl_attendee a;
    pl_call call = {.lane = GOVERNOR_LANE_BACKFILL};
    /* The last page holds it; the stored spelling differs only in case and spaces. */
    expect_ok(pl_client_find_attendee_by_email(&a, small, PLFX_EVENT, "p7@example.com", &call, &e),
              &e);
    assert_string_equal(a.first_name, "Person7");
    pl_attendee_free(&a);
    assert_int_equal(
        pl_client_find_attendee_by_email(&a, small, PLFX_EVENT, "p8@example.com", NULL, &e),
        ERR_NOT_FOUND);
    assert_int_equal(
        pl_client_find_attendee_by_email(&a, small, "EVENOPE", "p1@example.com", NULL, &e),
        ERR_NOT_FOUND);
    assert_null(strstr(e.msg, "has that email")); /* a missing event is not "nobody" */
    pl_client_free(small);
}

/* ---------------------------------------------------------------- attendance */

static void checkin_checkout_attendance(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_add_people(fx, PLFX_EVENT, 1, 3);
    pl_iter *it = NULL;
    expect_ok(pl_client_attendees(&it, fx->client, PLFX_EVENT, GOVERNOR_LANE_LIVE, &e), &e);
    char codes[3][64];
    pl_attendee a;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pl_iter_next_attendee(&a, it, &e), 1);
        snprintf(codes[i], sizeof codes[i], "%s", a.code);
        pl_attendee_free(&a);
    }
    pl_iter_free(it);

    const char *in[] = {codes[0], codes[1], "ATTNOPE"};
    pl_codes_result r;
    expect_ok(pl_client_checkin(&r, fx->client, PLFX_EVENT, in, 3, NULL, &e), &e);
    assert_int_equal(r.attendees.n, 2);
    assert_true(r.attendees.items[0].is_checked_in);
    assert_true(r.attendees.items[0].checkin_ms > 0);
    assert_int_equal(json_array_size(r.errored), 1);
    pl_codes_result_free(&r);

    pl_attendance att;
    expect_ok(pl_client_attendance(&att, fx->client, PLFX_EVENT, NULL, &e), &e);
    assert_int_equal(json_array_size(att.checked_in), 2);
    assert_int_equal(json_array_size(att.not_checked_in), 1);
    assert_string_equal(json_string_value(json_array_get(att.not_checked_in, 0)), codes[2]);
    pl_attendance_free(&att);

    const char *out[] = {codes[0]};
    expect_ok(pl_client_checkout(&r, fx->client, PLFX_EVENT, out, 1, NULL, &e), &e);
    assert_int_equal(r.attendees.n, 1);
    assert_false(r.attendees.items[0].is_checked_in);
    assert_null(r.attendees.items[0].checkin_date);
    pl_codes_result_free(&r);
    expect_ok(pl_client_attendance(&att, fx->client, PLFX_EVENT, NULL, &e), &e);
    assert_int_equal(json_array_size(att.checked_in), 1);
    pl_attendance_free(&att);
    assert_int_equal(pl_client_attendance(&att, fx->client, "EVENOPE", NULL, &e), ERR_NOT_FOUND);
}

/* ---------------------------------------------------------------- members and tags */

static void members_operations(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_member m;
    json_t *f = json_pack("{s:s, s:s, s:s, s:{s:s}}", "first_name", "Mia", "last_name", "Member",
                          "email", "mia@example.com", "metadata", "tier", "gold");
    expect_ok(pl_client_create_member(&m, fx->client, f, NULL, &e), &e);
    json_decref(f);
    assert_int_equal(strncmp(m.code, "MBR", 3), 0);
    char code[64];
    snprintf(code, sizeof code, "%s", m.code);
    assert_string_equal(jsonx_str(m.metadata, "tier"), "gold");
    pl_member_free(&m);

    json_t *patch = json_pack("{s:s}", "code_internal", "ghl-9");
    expect_ok(pl_client_update_member(&m, fx->client, code, patch, NULL, &e), &e);
    json_decref(patch);
    assert_string_equal(m.code_internal, "ghl-9");
    pl_member_free(&m);
    expect_ok(pl_client_get_member(&m, fx->client, code, NULL, &e), &e);
    assert_string_equal(m.email, "mia@example.com");
    pl_member_free(&m);
    assert_int_equal(pl_client_get_member(&m, fx->client, "MBRNOPE", NULL, &e), ERR_NOT_FOUND);

    json_t *items = json_pack("[o, o]", plfx_person("X", "One", "mx@example.com"),
                              plfx_person("Y", "Two", "my@example.com"));
    json_t *made = NULL;
    expect_ok(pl_client_bulk_create_members(&made, fx->client, items, NULL, &e), &e);
    json_decref(items);
    assert_int_equal(json_array_size(made), 2);
    json_t *upd = json_pack("[{s:s, s:s}]", "code", jsonx_str(json_array_get(made, 0), "code"),
                            "organization", "Members Inc");
    json_t *changed = NULL;
    expect_ok(pl_client_bulk_update_members(&changed, fx->client, upd, NULL, &e), &e);
    assert_string_equal(jsonx_str(json_array_get(changed, 0), "organization"), "Members Inc");
    json_decref(upd);
    json_decref(changed);
    json_decref(made);

    pl_iter *it = NULL;
    expect_ok(pl_client_members(&it, fx->client, 0, GOVERNOR_LANE_LIVE, &e), &e);
    int n = 0;
    while (pl_iter_next_member(&m, it, &e) == 1) {
        n++;
        pl_member_free(&m);
    }
    assert_int_equal(n, 3);
    pl_iter_free(it);
    /* Members updated on or after tomorrow minus a day: today's, all of them. */
    expect_ok(pl_client_members(&it, fx->client, clock_now_ms(clock_system()) + 86400000LL,
                                GOVERNOR_LANE_LIVE, &e),
              &e);
    n = 0;
    while (pl_iter_next_member(&m, it, &e) == 1) {
        n++;
        pl_member_free(&m);
    }
    assert_int_equal(n, 3);
    pl_iter_free(it);
}

static void contact_and_event_tags(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_tag t;
    expect_ok(pl_client_create_contact_tag(&t, fx->client, "Speakers", NULL, &e), &e);
    char code[64];
    snprintf(code, sizeof code, "%s", t.code);
    assert_int_equal(t.id, -1);
    pl_tag_free(&t);
    pl_call call = {0};
    assert_int_equal(pl_client_create_contact_tag(&t, fx->client, "speakers", &call, &e),
                     ERR_CONFLICT);
    assert_int_equal(call.error.kind, API_ERR_DUPLICATE);
    expect_ok(pl_client_rename_contact_tag(&t, fx->client, code, "Keynote Speakers", NULL, &e), &e);
    assert_string_equal(t.name, "Keynote Speakers");
    pl_tag_free(&t);
    expect_ok(pl_client_get_contact_tag(&t, fx->client, code, NULL, &e), &e);
    assert_string_equal(t.name, "Keynote Speakers");
    pl_tag_free(&t);
    pl_iter *it = NULL;
    expect_ok(pl_client_contact_tags(&it, fx->client, GOVERNOR_LANE_LIVE, &e), &e);
    assert_int_equal(pl_iter_next_tag(&t, it, &e), 1);
    assert_string_equal(t.code, code);
    pl_tag_free(&t);
    assert_int_equal(pl_iter_next_tag(&t, it, &e), 0);
    pl_iter_free(it);
    expect_ok(pl_client_delete_contact_tag(fx->client, code, NULL, &e), &e);
    assert_int_equal(pl_client_get_contact_tag(&t, fx->client, code, NULL, &e), ERR_NOT_FOUND);

    plfx_event_tag(fx, PLFX_EVENT, "Early Bird");
    plfx_event_tag(fx, PLFX_EVENT, "Sponsor");
    expect_ok(pl_client_event_tags(&it, fx->client, PLFX_EVENT, GOVERNOR_LANE_LIVE, &e), &e);
    assert_int_equal(pl_iter_next_tag(&t, it, &e), 1);
    assert_string_equal(t.name, "Early Bird");
    assert_string_equal(t.event, PLFX_EVENT);
    assert_true(t.id > 0);
    pl_tag_free(&t);
    assert_int_equal(pl_iter_next_tag(&t, it, &e), 1);
    pl_tag_free(&t);
    assert_int_equal(pl_iter_next_tag(&t, it, &e), 0);
    pl_iter_free(it);
}

/* ---------------------------------------------------------------- announcements and hooks */

static void announcements_operations(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_add_people(fx, PLFX_EVENT, 1, 1);
    pl_attendee a;
    expect_ok(
        pl_client_find_attendee_by_email(&a, fx->client, PLFX_EVENT, "p1@example.com", NULL, &e),
        &e);
    json_t *f = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:b}", "title", "Your appointment",
                          "description", "Tomorrow at 10", "recipients", a.code, "release_date",
                          "2027-03-17", "release_time", "09:00:00", "is_notification_mail", 1);
    pl_attendee_free(&a);
    pl_announcement an;
    expect_ok(pl_client_create_announcement(&an, fx->client, PLFX_EVENT, f, NULL, &e), &e);
    json_decref(f);
    char code[64];
    snprintf(code, sizeof code, "%s", an.code);
    assert_string_equal(an.title, "Your appointment");
    assert_string_equal(an.release_date, "2027-03-17");
    pl_announcement_free(&an);

    json_t *patch = json_pack("{s:s}", "title", "Moved appointment");
    expect_ok(pl_client_update_announcement(&an, fx->client, PLFX_EVENT, code, patch, NULL, &e),
              &e);
    json_decref(patch);
    assert_string_equal(an.title, "Moved appointment");
    pl_announcement_free(&an);
    expect_ok(pl_client_get_announcement(&an, fx->client, PLFX_EVENT, code, NULL, &e), &e);
    pl_announcement_free(&an);
    pl_iter *it = NULL;
    expect_ok(pl_client_announcements(&it, fx->client, PLFX_EVENT, GOVERNOR_LANE_LIVE, &e), &e);
    assert_int_equal(pl_iter_next_announcement(&an, it, &e), 1);
    pl_announcement_free(&an);
    assert_int_equal(pl_iter_next_announcement(&an, it, &e), 0);
    pl_iter_free(it);

    f = json_pack("{s:s, s:[s]}", "title", "Nobody", "recipients", "ATTNOPE");
    assert_int_equal(pl_client_create_announcement(&an, fx->client, PLFX_EVENT, f, NULL, &e),
                     ERR_INVALID);
    json_decref(f);
    assert_non_null(strstr(e.msg, "recipients:"));
    expect_ok(pl_client_delete_announcement(fx->client, PLFX_EVENT, code, NULL, &e), &e);
    assert_int_equal(pl_client_get_announcement(&an, fx->client, PLFX_EVENT, code, NULL, &e),
                     ERR_NOT_FOUND);
}

static void rest_hooks_operations(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_hook h;
    expect_ok(pl_client_subscribe_hook(&h, fx->client, PLFX_EVENT, "attendee.updated", fx->hook_url,
                                       NULL, &e),
              &e);
    int64_t id = h.id;
    assert_true(id > 0);
    assert_string_equal(h.action, "attendee.updated");
    assert_string_equal(h.endpoint, fx->hook_url);
    pl_hook_free(&h);
    expect_ok(pl_client_update_hook(&h, fx->client, PLFX_EVENT, id, "*", fx->hook_url, NULL, &e),
              &e);
    assert_string_equal(h.action, "*");
    pl_hook_free(&h);
    pl_iter *it = NULL;
    expect_ok(pl_client_hooks(&it, fx->client, PLFX_EVENT, GOVERNOR_LANE_LIVE, &e), &e);
    assert_int_equal(pl_iter_next_hook(&h, it, &e), 1);
    assert_int_equal(h.id, id);
    pl_hook_free(&h);
    assert_int_equal(pl_iter_next_hook(&h, it, &e), 0);
    pl_iter_free(it);

    assert_int_equal(pl_client_subscribe_hook(&h, fx->client, PLFX_EVENT, "attendee.updated",
                                              "not a url", NULL, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "endpoint: Enter a valid URL."));
    expect_ok(pl_client_delete_hook(fx->client, PLFX_EVENT, id, NULL, &e), &e);
    assert_int_equal(pl_client_delete_hook(fx->client, PLFX_EVENT, id, NULL, &e), ERR_NOT_FOUND);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, plfx_client_setup, plfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(validate_auth_accepts_and_refuses),
        cmocka_unit_test(bad_configuration_is_refused),
        T(events_list_and_get),
        T(attendee_create_get_update_delete),
        T(validation_errors_name_every_field),
        T(duplicate_email_is_a_conflict),
        T(bulk_create_update_delete),
        T(find_by_email_scans_every_page),
        T(checkin_checkout_attendance),
        T(members_operations),
        T(contact_and_event_tags),
        T(announcements_operations),
        T(rest_hooks_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
