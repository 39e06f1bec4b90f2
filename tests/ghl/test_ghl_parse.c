/* test_ghl_parse.c: the HighLevel answer and webhook parsers, scope checks and the authorize
 * URL, on the spec's examples and on malformed input. */
#include "ghl/ghl_oauth.h"
#include "ghl/ghl_types.h"
#include "ghl/ghl_webhook.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define P(s) (s), strlen(s)

static void contact_answer(void **state)
{
    const char *body =
        "{\"contact\":{\"id\":\"seD4PfOuKoVMLkEZqohJ\",\"locationId\":\"ve9EPM428h8vShlRW1KT\","
        "\"firstName\":\"rubika\",\"email\":\"rubika@deos.com\",\"dnd\":true,"
        "\"tags\":[\"a\",\"b\"],\"customFields\":[{\"id\":\"MgobCB14YMVKuE4Ka8p1\",\"value\":"
        "\"name\"},{\"id\":\"x2\",\"value\":[\"p\",\"q\"]},{\"id\":\"x3\",\"value\":null}],"
        "\"dateAdded\":\"2021-07-02T05:18:26.704Z\",\"businessId\":\"641c094001436dbc2081e642\"},"
        "\"new\":true}";
    ghl_contact c;
    bool is_new = false;
    err e = {0};
    assert_int_equal(ghl_parse_contact_answer(&c, &is_new, P(body), &e), 0);
    assert_true(is_new);
    assert_string_equal(c.id, "seD4PfOuKoVMLkEZqohJ");
    assert_string_equal(c.business_id, "641c094001436dbc2081e642");
    assert_true(c.dnd);
    assert_int_equal(c.n_tags, 2);
    assert_int_equal(c.n_custom, 2); /* the null value reads as absent */
    assert_true(json_is_array(c.custom[1].value));
    assert_int_equal(c.date_added_ms, 1625203106704LL);
    assert_null(c.custom[0].key);
    ghl_contact_clear(&c);
}

static void malformed_answers(void **state)
{
    static const char *bad[] = {
        "",
        "[]",
        "{\"contact\":null}",
        "{\"contact\":{\"email\":\"x\"}}",
        "{\"contact\":{\"id\":\"1\",\"email\":5}}",
        "{\"contact\":{\"id\":\"1\",\"tags\":\"a\"}}",
        "{\"contact\":{\"id\":\"1\",\"customFields\":[{\"value\":\"v\"}]}}",
        "{\"contact\":{\"id\":\"1\",\"customFields\":[{\"id\":\"f\",\"value\":{}}]}}",
        "{\"contact\":{\"id\":\"1\",\"dnd\":\"yes\"}}",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        ghl_contact c;
        err e = {0};
        assert_int_equal(ghl_parse_contact_answer(&c, NULL, P(bad[i]), &e), ERR_PARSE);
        assert_true(e.msg[0] != '\0');
    }
    ghl_contact_page p;
    err e = {0};
    assert_int_equal(ghl_parse_contact_page(&p, P("{\"contacts\":[{\"id\":\"a\"},{}]}"), &e),
                     ERR_PARSE);
    assert_int_equal(ghl_parse_succeded(P("{\"succeded\":false}"), &e), ERR_BAD_STATE);
    assert_int_equal(ghl_parse_succeded(P("{\"ok\":true}"), &e), ERR_PARSE);
    assert_int_equal(ghl_parse_succeded(P("{\"succeded\":true}"), &e), 0);
    ghl_token_answer a;
    assert_int_equal(ghl_parse_token_answer(&a, P("{\"token_type\":\"Bearer\"}"), &e), ERR_PARSE);
    assert_int_equal(
        ghl_parse_token_answer(&a, P("{\"access_token\":\"x\",\"expires_in\":\"soon\"}"), &e),
        ERR_PARSE);
}

static void lists(void **state)
{
    err e = {0};
    ghl_contact_page p;
    const char *list = "{\"contacts\":[{\"id\":\"a\",\"searchAfter\":[1,\"a\"]},{\"id\":\"b\"}],"
                       "\"meta\":{\"total\":9,\"startAfter\":1700000000000,"
                       "\"startAfterId\":\"b\"}}";
    assert_int_equal(ghl_parse_contact_page(&p, P(list), &e), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.total, 9);
    assert_int_equal(p.next_start_after, 1700000000000LL);
    assert_string_equal(p.next_start_after_id, "b");
    assert_true(json_is_array(p.v[0].search_after));
    ghl_contact_page_clear(&p);

    ghl_tasks t;
    const char *tasks = "{\"tasks\":[{\"id\":\"lJpz\",\"title\":\"test\",\"completed\":true,"
                        "\"dueDate\":\"2021-07-08T02:30:00.000Z\",\"contactId\":\"c\"}]}";
    assert_int_equal(ghl_parse_tasks(&t, P(tasks), &e), 0);
    assert_int_equal(t.n, 1);
    assert_true(t.v[0].completed);
    assert_true(t.v[0].due_ms > 0);
    ghl_tasks_clear(&t);
    assert_int_equal(ghl_parse_tasks(&t, P("{\"tasks\":[{\"title\":\"x\"}]}"), &e), ERR_PARSE);

    ghl_notes n;
    assert_int_equal(ghl_parse_notes(&n,
                                     P("{\"notes\":[{\"id\":\"n1\",\"body\":\"b\",\"pinned\":"
                                       "false}]}"),
                                     &e),
                     0);
    assert_int_equal(n.n, 1);
    ghl_notes_clear(&n);

    ghl_appointments a;
    const char *ev = "{\"events\":[{\"id\":\"YS3\",\"startTime\":\"2021-07-16 11:00:00\","
                     "\"endTime\":\"2021-07-16T11:30:00.000Z\",\"users\":[\"u\"]}]}";
    assert_int_equal(ghl_parse_appointments(&a, P(ev), &e), 0);
    assert_int_equal(a.v[0].start_ms + 30 * 60000, a.v[0].end_ms);
    ghl_appointments_clear(&a);

    ghl_field_defs d;
    assert_int_equal(ghl_parse_field_defs(&d,
                                          P("{\"customFields\":[{\"id\":\"f1\",\"fieldKey\":"
                                            "\"contact.x\",\"dataType\":\"TEXT\"}]}"),
                                          &e),
                     0);
    assert_string_equal(d.v[0].field_key, "contact.x");
    ghl_field_defs_clear(&d);
    assert_int_equal(ghl_parse_field_defs(&d, P("{\"customFields\":[{\"id\":\"f1\"}]}"), &e),
                     ERR_PARSE);
}

/* The records read by their one description: messages name the record and member, a failed
 * read frees what it had read and leaves the out-parameter alone, later keys win when present. */
static void described_records(void **state)
{
    err e = {0};
    ghl_notes n = {.n = 77};
    assert_int_equal(ghl_parse_notes(&n,
                                     P("{\"notes\":[{\"id\":\"n1\"},{\"id\":\"n2\","
                                       "\"pinned\":\"yes\"}]}"),
                                     &e),
                     ERR_PARSE);
    assert_int_equal(n.n, 77);
    assert_non_null(strstr(e.msg, "notes item 1"));
    assert_non_null(strstr(e.msg, "note field 'pinned': must be true or false"));

    ghl_field_defs d;
    assert_int_equal(ghl_parse_field_defs(&d, P("{\"customFields\":[{\"id\":\"f1\"}]}"), &e),
                     ERR_PARSE);
    assert_non_null(strstr(e.msg, "custom field: 'fieldKey' is missing"));
    assert_int_equal(ghl_parse_field_defs(&d, P("{\"customFields\":[7]}"), &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "custom field: not a JSON object"));

    ghl_task t = {.id = "kept"};
    assert_int_equal(ghl_parse_task_answer(&t, P("{\"task\":{\"id\":\"\"}}"), &e), ERR_PARSE);
    assert_string_equal(t.id, "kept");
    assert_int_equal(ghl_parse_task_answer(&t, P("{\"task\":{\"id\":\"t1\",\"body\":3}}"), &e),
                     ERR_PARSE);
    assert_non_null(strstr(e.msg, "task field 'body': must be a string"));
    assert_int_equal(ghl_parse_task_answer(&t, P("{\"task\":{\"id\":\"t1\"}}"), &e), 0);
    assert_string_equal(t.id, "t1");
    assert_int_equal(t.due_ms, 0);
    ghl_task_clear(&t);
    ghl_task_clear(NULL);

    ghl_contact c;
    bool is_new = true;
    assert_int_equal(ghl_parse_contact_answer(&c, &is_new,
                                              P("{\"contact\":{\"id\":\"c\",\"contactName\":"
                                                "\"A B\",\"name\":null,\"tags\":[\"x\"]}}"),
                                              &e),
                     0);
    assert_false(is_new);
    assert_string_equal(c.name, "A B");
    assert_true(ghl_contact_has_tag(&c, "X"));
    ghl_contact_clear(&c);
    assert_int_equal(ghl_parse_contact_answer(&c, NULL,
                                              P("{\"contact\":{\"id\":\"c\",\"contactName\":"
                                                "\"A B\",\"name\":\"Ann B\"}}"),
                                              &e),
                     0);
    assert_string_equal(c.name, "Ann B");
    ghl_contact_clear(&c);

    ghl_token_answer a;
    assert_int_equal(ghl_parse_token_answer(&a, P("{\"access_token\":\"x\",\"scope\":\"s\"}"), &e),
                     0);
    assert_int_equal(a.expires_in_s, -1);
    assert_string_equal(a.scope, "s");
    assert_true(json_is_object(a.raw));
    ghl_token_answer_clear(&a);
}

static void webhooks(void **state)
{
    err e = {0};
    ghl_hint h;
    const char *appt = "{\"type\":\"AppointmentCreate\",\"locationId\":\"L\",\"appointment\":"
                       "{\"id\":\"A1\",\"contactId\":\"C1\"},\"webhookId\":\"w-1\","
                       "\"timestamp\":\"2025-01-01T00:00:00.000Z\"}";
    assert_int_equal(ghl_webhook_parse(&h, P(appt), &e), 0);
    assert_string_equal(h.id, "A1");
    assert_string_equal(h.contact_id, "C1");
    assert_string_equal(h.webhook_id, "w-1");
    assert_int_equal(h.timestamp_ms, 1735689600000LL);
    const char *contact = "{\"type\":\"ContactTagUpdate\",\"locationId\":\"L\",\"id\":\"C2\"}";
    assert_int_equal(ghl_webhook_parse(&h, P(contact), &e), 0);
    assert_string_equal(h.contact_id, "C2");
    assert_int_equal(h.timestamp_ms, 0);
    const char *task = "{\"type\":\"TaskCreate\",\"id\":\"T\",\"contactId\":\"C3\"}";
    assert_int_equal(ghl_webhook_parse(&h, P(task), &e), 0);
    assert_string_equal(h.id, "T");
    assert_string_equal(h.contact_id, "C3");
    static const char *bad[] = {"",
                                "{}",
                                "{\"type\":1}",
                                "{\"type\":\"X\",\"id\":7}",
                                "{\"type\":\"X\",\"timestamp\":\"yesterday\"}",
                                "{\"type\":\"X\",\"appointment\":[]}",
                                "{\"type\":\"X\\u0000\"}"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++)
        assert_int_equal(ghl_webhook_parse(&h, P(bad[i]), &e), ERR_PARSE);
}

static void scopes_and_url(void **state)
{
    buf m;
    buf_init(&m, 1024);
    assert_int_equal(ghl_scopes_missing(&m, "contacts.readonly contacts.write "
                                            "locations/customFields.readonly"),
                     0);
    assert_int_equal(ghl_scopes_missing(&m, "contacts.write,contacts.readonly"), 1);
    assert_string_equal(buf_cstr(&m), "locations/customFields.readonly");
    buf_reset(&m);
    /* contacts.write does not imply contacts.readonly; prefixes do not count. */
    assert_int_equal(ghl_scopes_missing(&m, "contacts.writeX contacts.write"), 2);
    buf_reset(&m);
    const char *sc[] = {"contacts.readonly", "contacts.write"};
    err e = {0};
    assert_int_equal(ghl_oauth_authorize_url(&m, "https://marketplace.gohighlevel.com/", "cid",
                                             "http://127.0.0.1:8470/oauth/callback", sc, 2, "st",
                                             &e),
                     0);
    assert_string_equal(buf_cstr(&m),
                        "https://marketplace.gohighlevel.com/v2/oauth/chooselocation?"
                        "response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8470%2Foauth%"
                        "2Fcallback&client_id=cid&scope=contacts.readonly%20contacts.write&"
                        "state=st");
    buf_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contact_answer), cmocka_unit_test(malformed_answers),
        cmocka_unit_test(lists),          cmocka_unit_test(described_records),
        cmocka_unit_test(webhooks),       cmocka_unit_test(scopes_and_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
