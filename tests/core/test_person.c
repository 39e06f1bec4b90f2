/* test_person.c: HighLevel contacts and PheedLoop attendees read into canonical records, and
 * the write bodies made from canonical values. */
#include "core/person.h"
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const char *CONTACT =
    "{\"id\": \"c1\", \"firstName\": \" Ada \", \"lastName\": \"Lovelace\", "
    "\"email\": \"Ada@Example.com\", \"phone\": \"+1 415 555 0134\", \"companyName\": "
    "\"Analytical Engines\", \"address1\": \"1 Main St\", \"city\": \"SF\", \"state\": \"CA\", "
    "\"postalCode\": \"94105\", \"country\": \"US\", \"tags\": [\"VIP\", \"b\", \" a \", \"vip\"], "
    "\"customFields\": [{\"id\": \"F1\", \"value\": \"Engineer\"}, {\"id\": \"F2\", \"value\": "
    "\"XL\"}, {\"id\": \"F9\", \"value\": \"?\"}], \"dateAdded\": \"2024-01-02T03:04:05.000Z\"}";

static const char *DEFS = "[{\"id\": \"F1\", \"fieldKey\": \"contact.title\"}, "
                          "{\"id\": \"F2\", \"fieldKey\": \"contact.shirt\"}]";

static void ghl_contact_reads_into_canonical_form(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"shirt\"]\nghl = shirt\npheedloop = metadata.shirt\n");
    json_t *c = ct_json(CONTACT), *defs = ct_json(DEFS);
    core_ghl_record r = {c, defs};
    core_person p;
    err e;
    assert_int_equal(core_person_from_ghl(&p, m, &r, &e), 0);
    ct_assert_json(
        p.values,
        "{\"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \"email\": "
        "\"ada@example.com\", \"phone\": \"+14155550134\", \"organization\": \"Analytical "
        "Engines\", \"title\": \"Engineer\", \"address_line_1\": \"1 Main St\", "
        "\"city\": \"SF\", \"state\": \"CA\", \"postal_code\": \"94105\", \"country\": "
        "\"US\", \"tags\": [\"a\", \"b\", \"vip\"], \"shirt\": \"XL\"}");
    ct_assert_json(p.facts, "{\"contact_id\": \"c1\", \"date_added\": "
                            "\"2024-01-02T03:04:05.000Z\"}");
    ct_assert_json(p.invalid, "{}");
    core_person_clear(&p);
    /* Without the definitions only values that name their key are read. */
    r.field_defs = NULL;
    json_array_append_new(json_object_get(c, "customFields"),
                          ct_json("{\"key\": \"shirt\", \"field_value\": \"M\"}"));
    assert_int_equal(core_person_from_ghl(&p, m, &r, &e), 0);
    assert_null(json_object_get(p.values, "title"));
    assert_string_equal(json_string_value(json_object_get(p.values, "shirt")), "M");
    json_t *vars = core_person_vars(&p);
    assert_string_equal(json_string_value(json_object_get(vars, "contact_id")), "c1");
    assert_string_equal(json_string_value(json_object_get(vars, "first_name")), "Ada");
    json_decref(vars);
    core_person_clear(&p);
    core_person_clear(&p); /* twice is safe */
    json_decref(c);
    json_decref(defs);
    core_map_free(m);
}

static void unreadable_values_are_reported_not_read(void **state)
{
    (void)state;
    core_map *m = ct_map("");
    json_t *c = ct_json("{\"id\": \"c2\", \"phone\": \"555-0134\", \"email\": \"x@y.z\"}");
    core_ghl_record r = {c, NULL};
    core_person p;
    err e;
    assert_int_equal(core_person_from_ghl(&p, m, &r, &e), 0);
    assert_null(json_object_get(p.values, "phone"));
    ct_assert_json(p.invalid, "{\"phone\": \"'555-0134' is not a phone number: a North American "
                              "number has 10 digits\"}");
    core_person_clear(&p);
    json_decref(c);
    core_map_free(m);
    json_t *bad = ct_json("[1]");
    r.contact = bad;
    m = ct_map("");
    assert_int_equal(core_person_from_ghl(&p, m, &r, &e), ERR_INVALID);
    assert_string_equal(e.msg, "HighLevel contact: not an object");
    json_decref(bad);
    core_map_free(m);
}

static const char *ATTENDEE =
    "{\"code\": \"ATT1\", \"code_internal\": null, \"first_name\": \"Ada\", \"last_name\": "
    "\"Lovelace\", \"email\": \" ADA@example.com\", \"organization\": \"AE\", \"title\": \"\", "
    "\"address_phone\": \"(415) 555-0134\", \"address_city\": \"SF\", \"tags\": [\"Speaker\"], "
    "\"is_checked_in\": true, \"metadata\": {\"shirt\": \"S\", \"highlevel\": {\"tags\": "
    "[\"lead\"], \"contact_id\": \"c1\"}}}";
static const char *REGISTRATION =
    "{\"code\": \"REG1\", \"event_code\": \"EVE1\", \"ticket_name\": \"VIP Pass\", "
    "\"ticket_code\": \"TIC1\", \"registration_date\": \"2024-05-01T10:00:00Z\", "
    "\"custom_fields\": [{\"code\": \"CF1\", \"name\": \"diet\", \"label\": \"Dietary needs\", "
    "\"value\": \"vegan\"}], \"form_response\": {\"Company Size\": 50}}";
static const char *EVENT = "{\"code\": \"EVE1\", \"event_name\": \"Summit\", \"date\": "
                           "\"2024-06-01\", \"timezone\": \"America/Toronto\"}";

static void pl_attendee_reads_with_facts_and_tags(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"shirt\"]\nghl = contact.shirt\npheedloop = metadata.shirt\n"
                         "[field \"diet\"]\nghl = contact.diet\npheedloop = answers.Dietary needs\n"
                         "direction = pheedloop_to_ghl\n"
                         "[field \"size\"]\nghl = contact.size\npheedloop = answers.company size\n"
                         "direction = pheedloop_to_ghl\n"
                         "[field \"ticket\"]\nghl = contact.ticket\npheedloop = ticket_name\n"
                         "direction = pheedloop_to_ghl\ntransform = map:VIP Pass=VIP\n"
                         "[field \"tz\"]\nghl = timezone\npheedloop = event.timezone\n"
                         "direction = pheedloop_to_ghl\n");
    json_t *a = ct_json(ATTENDEE), *reg = ct_json(REGISTRATION), *ev = ct_json(EVENT);
    core_pl_record r = {a, reg, ev, NULL, NULL};
    core_person p;
    err e;
    assert_int_equal(core_person_from_pl(&p, m, &r, &e), 0);
    ct_assert_json(p.values,
                   "{\"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \"email\": "
                   "\"ada@example.com\", \"phone\": \"+14155550134\", \"organization\": \"AE\", "
                   "\"city\": \"SF\", \"shirt\": \"S\", \"diet\": \"vegan\", \"size\": \"50\", "
                   "\"ticket\": \"VIP\", \"tz\": \"America/Toronto\", \"tags\": [\"checked-in\", "
                   "\"event:eve1\", \"lead\", \"speaker\", \"ticket:vip pass\"]}");
    ct_assert_json(p.derived_tags, "[\"checked-in\", \"event:eve1\", \"ticket:vip pass\"]");
    ct_assert_json(p.facts,
                   "{\"attendee_code\": \"ATT1\", \"event_code\": \"EVE1\", \"event_name\": "
                   "\"Summit\", \"event_start\": \"2024-06-01\", \"event_timezone\": "
                   "\"America/Toronto\", \"ticket_name\": \"VIP Pass\", \"ticket_code\": \"TIC1\", "
                   "\"checked_in\": \"true\", \"registration_date\": \"2024-05-01T10:00:00Z\", "
                   "\"contact_id\": \"c1\"}");
    core_person_clear(&p);
    json_decref(a);
    json_decref(reg);
    json_decref(ev);
    core_map_free(m);
}

static void pl_without_registration_or_event(void **state)
{
    (void)state;
    core_map *m = ct_map("[sync]\nsignup_tags = event:{event_code}, ticket:{ticket_name}\n");
    json_t *a = ct_json("{\"code\": \"ATT2\", \"first_name\": \"Bo\", \"email\": \"bo@x.org\", "
                        "\"tags\": null, \"is_checked_in\": false}");
    core_pl_record r = {a, NULL, NULL, "EVE9", NULL};
    core_person p;
    err e;
    assert_int_equal(core_person_from_pl(&p, m, &r, &e), 0);
    /* No ticket: that sign-up tag is skipped; not checked in: no check-in tag. */
    ct_assert_json(json_object_get(p.values, "tags"), "[\"event:eve9\"]");
    assert_string_equal(json_string_value(json_object_get(p.facts, "checked_in")), "false");
    core_person_clear(&p);
    json_decref(a);
    core_map_free(m);
}

static void computed_fields_use_plain_values_of_the_same_side(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"full_name\"]\nghl = contact.full_name\npheedloop = -\n"
                         "direction = pheedloop_to_ghl\ntransform = join_name\n"
                         "[field \"source_tag\"]\nghl = source\npheedloop = -\n"
                         "direction = pheedloop_to_ghl\n"
                         "transform = template:PheedLoop {event_code}\n");
    json_t *a = ct_json(ATTENDEE),
           *c = ct_json("{\"id\": \"c1\", \"firstName\": \"X\", \"customFields\": "
                        "[{\"key\": \"full_name\", \"value\": \"Ada L.\"}], "
                        "\"source\": \"web\"}");
    core_pl_record r = {a, NULL, NULL, "EVE1", NULL};
    core_person p;
    err e;
    assert_int_equal(core_person_from_pl(&p, m, &r, &e), 0);
    assert_string_equal(json_string_value(json_object_get(p.values, "full_name")), "Ada Lovelace");
    assert_string_equal(json_string_value(json_object_get(p.values, "source_tag")),
                        "PheedLoop EVE1");
    core_person_clear(&p);
    /* On the target side the stored value is read as it is. */
    core_ghl_record g = {c, NULL};
    assert_int_equal(core_person_from_ghl(&p, m, &g, &e), 0);
    assert_string_equal(json_string_value(json_object_get(p.values, "full_name")), "Ada L.");
    assert_string_equal(json_string_value(json_object_get(p.values, "source_tag")), "web");
    core_person_clear(&p);
    json_decref(a);
    json_decref(c);
    core_map_free(m);
}

static void ghl_write_body(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"shirt\"]\nghl = contact.shirt\npheedloop = metadata.shirt\n"
                         "[field \"colors\"]\nghl = contact.colors\npheedloop = metadata.colors\n");
    json_t *defs = ct_json(DEFS), *c = ct_json(CONTACT);
    core_ghl_record cur = {c, defs};
    json_t *values = ct_json("{\"first_name\": \"Ada\", \"phone\": null, \"postal_code\": \"\", "
                             "\"title\": \"Countess\", \"shirt\": null, \"colors\": [\"red\", "
                             "\"blue\"], \"organization\": [\"A\", \"B\"]}");
    json_t *body = NULL;
    err e;
    assert_int_equal(core_person_to_ghl_fields(&body, m, values, &cur, &e), 0);
    ct_assert_json(body, "{\"firstName\": \"Ada\", \"phone\": null, \"postalCode\": \"\", "
                         "\"companyName\": \"A, B\", \"customFields\": [{\"id\": \"F1\", "
                         "\"field_value\": \"Countess\"}, {\"id\": \"F2\", \"field_value\": \"\"}, "
                         "{\"key\": \"colors\", \"field_value\": [\"red\", \"blue\"]}]}");
    json_decref(body);
    json_decref(values);
    /* A create carries the whole tag set. */
    values = ct_json("{\"email\": \"a@b.c\", \"tags\": [\"VIP\", \"x\"]}");
    assert_int_equal(core_person_to_ghl_fields(&body, m, values, NULL, &e), 0);
    ct_assert_json(body, "{\"email\": \"a@b.c\", \"tags\": [\"vip\", \"x\"]}");
    json_decref(body);
    json_decref(values);
    values = ct_json("{\"nope\": \"x\"}");
    body = (json_t *)1;
    assert_int_equal(core_person_to_ghl_fields(&body, m, values, NULL, &e), ERR_INVALID);
    assert_ptr_equal(body, (json_t *)1);
    assert_string_equal(e.msg, "no field 'nope' in the map");
    json_decref(values);
    json_decref(defs);
    json_decref(c);
    core_map_free(m);
}

static void write_refuses_read_only_and_computed_places(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"ticket\"]\nghl = contact.ticket\npheedloop = ticket_name\n"
                         "direction = pheedloop_to_ghl\n"
                         "[field \"src\"]\nghl = source\npheedloop = -\n"
                         "direction = pheedloop_to_ghl\ntransform = const:pl\n");
    json_t *body = NULL, *v = ct_json("{\"ticket\": \"x\"}");
    err e;
    assert_int_equal(core_person_to_pl_fields(&body, m, v, NULL, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'ticket': ticket_name is read-only in PheedLoop");
    json_decref(v);
    v = ct_json("{\"src\": \"x\"}");
    assert_int_equal(core_person_to_pl_fields(&body, m, v, NULL, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'src' has no place in PheedLoop");
    assert_int_equal(core_person_to_ghl_fields(&body, m, v, NULL, &e), 0);
    ct_assert_json(body, "{\"source\": \"x\"}");
    json_decref(body);
    json_decref(v);
    core_map_free(m);
}

static void pl_write_body_merges_metadata_and_splits_tags(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"shirt\"]\nghl = contact.shirt\npheedloop = metadata.shirt\n"
                         "[field \"deep\"]\nghl = contact.deep\npheedloop = metadata.a.b.c\n");
    json_t *a = ct_json(ATTENDEE);
    json_t *event_tags = ct_json("[{\"id\": 1, \"name\": \"Speaker\"}, {\"id\": 2, \"name\": "
                                 "\"VIP Guest\"}]");
    core_pl_record cur = {a, NULL, NULL, "EVE1", event_tags};
    json_t *values = ct_json("{\"first_name\": \"Ada\", \"title\": null, \"shirt\": \"M\", "
                             "\"deep\": \"x\"}");
    core_tag_delta d = {ct_json("[\"vip guest\", \"newsletter\"]"),
                        ct_json("[\"speaker\", \"lead\"]")};
    json_t *body = NULL;
    err e;
    assert_int_equal(core_person_to_pl_fields(&body, m, values, &d, &cur, &e), 0);
    ct_assert_json(body, "{\"first_name\": \"Ada\", \"title\": \"\", \"tags\": [\"VIP Guest\"], "
                         "\"metadata\": {\"shirt\": \"M\", \"highlevel\": {\"tags\": "
                         "[\"newsletter\"], \"contact_id\": \"c1\"}, \"a\": {\"b\": {\"c\": "
                         "\"x\"}}}}");
    json_decref(body);
    /* Emptying a metadata value removes its key; other keys stay. */
    json_decref(values);
    values = ct_json("{\"shirt\": null}");
    assert_int_equal(core_person_to_pl_fields(&body, m, values, NULL, &cur, &e), 0);
    ct_assert_json(body, "{\"metadata\": {\"highlevel\": {\"tags\": [\"lead\"], \"contact_id\": "
                         "\"c1\"}}}");
    json_decref(body);
    /* Nothing that changes the metadata: no metadata in the body. */
    json_decref(values);
    values = ct_json("{\"deep\": null}");
    assert_int_equal(core_person_to_pl_fields(&body, m, values, NULL, &cur, &e), 0);
    ct_assert_json(body, "{}");
    json_decref(body);
    json_decref(values);
    json_decref(d.add);
    json_decref(d.remove);
    json_decref(a);
    json_decref(event_tags);
    core_map_free(m);
}

static void pl_create_body_from_a_full_tag_set(void **state)
{
    (void)state;
    core_map *m = ct_map("");
    json_t *event_tags = ct_json("[\"Speaker\"]");
    core_pl_record cur = {NULL, NULL, NULL, "EVE1", event_tags};
    json_t *values = ct_json("{\"email\": \"a@b.c\", \"tags\": [\"SPEAKER\", \"lead\"]}");
    json_t *body = NULL;
    err e;
    assert_int_equal(core_person_to_pl_fields(&body, m, values, NULL, &cur, &e), 0);
    ct_assert_json(body, "{\"email\": \"a@b.c\", \"tags\": [\"Speaker\"], \"metadata\": "
                         "{\"highlevel\": {\"tags\": [\"lead\"]}}}");
    json_decref(body);
    json_decref(values);
    json_decref(event_tags);
    core_map_free(m);
}

static void tag_helpers(void **state)
{
    (void)state;
    json_t *t = ct_json("[\" B\", \"a\", 3, \"b\", \"\"]");
    json_t *n = core_tags_normalize(t);
    ct_assert_json(n, "[\"a\", \"b\"]");
    json_decref(n);
    json_decref(t);
    json_t *ev = ct_json("[{\"name\": \" VIP Guest \"}, \"Speaker\", {\"id\": 3}]");
    assert_string_equal(core_event_tag(ev, "vip guest"), " VIP Guest ");
    assert_string_equal(core_event_tag(ev, "speaker"), "Speaker");
    assert_null(core_event_tag(ev, "staff"));
    assert_null(core_event_tag(NULL, "staff"));
    json_decref(ev);
}

static void match_keys_are_normalised_whatever_the_transforms(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"email\"]\nghl = email\npheedloop = email\n"
                         "[field \"phone\"]\nghl = phone\npheedloop = address_phone\n");
    json_t *a = ct_json("{\"code\": \"A\", \"email\": \" Ada@X.org \", \"address_phone\": "
                        "\"020 7123 4567\"}");
    core_pl_record r = {a, NULL, NULL, "E", NULL};
    core_person p;
    err e;
    assert_int_equal(core_person_from_pl(&p, m, &r, &e), 0);
    buf email;
    buf_init(&email, 256);
    char phone[CORE_E164_MAX];
    core_person_match_keys(&p, 44, &email, phone);
    assert_string_equal(buf_cstr(&email), "ada@x.org");
    assert_string_equal(phone, "+442071234567");
    core_person_clear(&p);
    json_decref(a);
    a = ct_json("{\"code\": \"A\", \"email\": \"not-an-address\", \"address_phone\": \"12\"}");
    r.attendee = a;
    assert_int_equal(core_person_from_pl(&p, m, &r, &e), 0);
    buf_reset(&email);
    core_person_match_keys(&p, 1, &email, phone);
    assert_string_equal(buf_cstr(&email), "");
    assert_string_equal(phone, "");
    buf_free(&email);
    core_person_clear(&p);
    json_decref(a);
    core_map_free(m);
}

/* A tag set change for the audit log, and as people read it. */
static void tag_change_for_the_audit(void **state)
{
    (void)state;
    json_t *was = ct_json("[\"VIP\", \"lead\", \"Partner \"]");
    json_t *now = ct_json("[\"vip\", \"customer\", \"beta\"]");
    json_t *change = core_tags_change(was, now);
    ct_assert_json(change, "{\"added\": [\"beta\", \"customer\"], \"removed\": "
                           "[\"lead\", \"partner\"]}");
    buf b;
    buf_init(&b, 256);
    core_tags_change_text(&b, change);
    assert_string_equal(b.ptr, "added: beta, customer; removed: lead, partner");
    buf_free(&b);
    json_decref(change);
    /* One half only: the other is left out of the text. */
    change = core_tags_change(NULL, now);
    buf_init(&b, 256);
    core_tags_change_text(&b, change);
    assert_string_equal(b.ptr, "added: beta, customer, vip");
    buf_free(&b);
    json_decref(change);
    change = core_tags_change(was, NULL);
    buf_init(&b, 256);
    core_tags_change_text(&b, change);
    assert_string_equal(b.ptr, "removed: lead, partner, vip");
    buf_free(&b);
    json_decref(change);
    /* Spelt differently, the same set: no change. */
    json_t *same = ct_json("[\"partner\", \" Lead\", \"vip\"]");
    assert_null(core_tags_change(was, same));
    json_decref(same);
    json_decref(was);
    json_decref(now);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ghl_contact_reads_into_canonical_form),
        cmocka_unit_test(unreadable_values_are_reported_not_read),
        cmocka_unit_test(pl_attendee_reads_with_facts_and_tags),
        cmocka_unit_test(pl_without_registration_or_event),
        cmocka_unit_test(computed_fields_use_plain_values_of_the_same_side),
        cmocka_unit_test(ghl_write_body),
        cmocka_unit_test(write_refuses_read_only_and_computed_places),
        cmocka_unit_test(pl_write_body_merges_metadata_and_splits_tags),
        cmocka_unit_test(pl_create_body_from_a_full_tag_set),
        cmocka_unit_test(tag_helpers),
        cmocka_unit_test(tag_change_for_the_audit),
        cmocka_unit_test(match_keys_are_normalised_whatever_the_transforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
