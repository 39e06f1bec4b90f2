/* test_ghl_ops.c: every HighLevel client operation against the sandbox's emulator: contacts
 * (get, create, upsert, update, delete, duplicates, tags, custom fields by key), listing and
 * search with paging, contacts by business, tasks, notes and appointments. */
#include "tests/ghl/ghl_env.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = genv_start(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    genv_stop(*state);
    return 0;
}

static void contact_lifecycle(void **state)
{
    genv *g = *state;
    err e = {0};
    json_t *ticket = json_string("VIP");
    ghl_custom_input cf[] = {{"contact.ticket_type", ticket}};
    const char *tags[] = {"Speaker", "early"};
    ghl_contact_input in = {.first_name = "Ada",
                            .last_name = "Lovelace",
                            .email = "Ada@Example.com",
                            .phone = "+1 415 555 0100",
                            .company_name = "Analytical",
                            .city = "London",
                            .tags = tags,
                            .n_tags = 2,
                            .tags_set = true,
                            .custom = cf,
                            .n_custom = 1};
    ghl_contact c;
    assert_int_equal(ghl_client_create_contact(&c, g->client, &g->op, &in, &e), 0);
    assert_string_equal(c.email, "ada@example.com");
    assert_string_equal(c.company_name, "Analytical");
    assert_true(ghl_contact_has_tag(&c, "speaker"));
    const ghl_custom_value *v = ghl_contact_custom(&c, "contact.ticket_type");
    assert_non_null(v);
    assert_string_equal(json_string_value(v->value), "VIP");
    assert_true(c.date_added_ms > 0);
    char *id = strdup(c.id);
    ghl_contact_clear(&c);

    ghl_contact got;
    assert_int_equal(ghl_client_get_contact(&got, g->client, &g->op, id, &e), 0);
    assert_string_equal(got.id, id);
    assert_string_equal(got.last_name, "Lovelace");
    assert_non_null(ghl_contact_custom(&got, "contact.ticket_type"));
    int64_t updated_before = got.date_updated_ms;
    ghl_contact_clear(&got);

    /* "dietary" names contact.dietary too; "" clears the city. */
    json_t *diet = json_string("vegan");
    ghl_custom_input cf2[] = {{"dietary", diet}};
    ghl_contact_input up = {
        .city = "", .company_name = "Engines Ltd", .custom = cf2, .n_custom = 1};
    assert_int_equal(ghl_client_update_contact(&got, g->client, &g->op, id, &up, &e), 0);
    assert_null(got.city);
    assert_string_equal(got.company_name, "Engines Ltd");
    assert_string_equal(json_string_value(ghl_contact_custom(&got, "contact.dietary")->value),
                        "vegan");
    assert_true(got.date_updated_ms >= updated_before);
    ghl_contact_clear(&got);

    /* Unknown keys are refused before anything is sent. */
    json_t *x = json_string("1");
    ghl_custom_input bad[] = {{"contact.no_such_field", x}};
    ghl_contact_input bad_in = {.custom = bad, .n_custom = 1};
    assert_int_equal(ghl_client_update_contact(&got, g->client, &g->op, id, &bad_in, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "no_such_field"));

    assert_int_equal(ghl_client_delete_contact(g->client, &g->op, id, &e), 0);
    assert_int_equal(ghl_client_get_contact(&got, g->client, &g->op, id, &e), ERR_NOT_FOUND);
    assert_int_equal(g->call.error.kind, API_ERR_NOT_FOUND);
    json_decref(ticket);
    json_decref(diet);
    json_decref(x);
    free(id);
}

static void upsert_and_duplicates(void **state)
{
    genv *g = *state;
    err e = {0};
    ghl_contact_input in = {.first_name = "Grace", .email = "grace@example.com"};
    ghl_contact a, b;
    bool is_new = false;
    assert_int_equal(ghl_client_upsert_contact(&a, &is_new, g->client, &g->op, &in, &e), 0);
    assert_true(is_new);
    ghl_contact_input again = {.last_name = "Hopper", .email = "GRACE@example.com"};
    assert_int_equal(ghl_client_upsert_contact(&b, &is_new, g->client, &g->op, &again, &e), 0);
    assert_false(is_new);
    assert_string_equal(a.id, b.id);
    assert_string_equal(b.last_name, "Hopper");
    ghl_contact_clear(&b);

    /* A create of the same email: 400 duplicate, turned into the existing contact's id. */
    assert_int_equal(ghl_client_create_contact(&b, g->client, &g->op, &in, &e), ERR_CONFLICT);
    assert_int_equal(g->call.error.kind, API_ERR_DUPLICATE);
    assert_string_equal(g->call.error.existing_id, a.id);

    bool found = false;
    assert_int_equal(
        ghl_client_find_duplicate(&b, &found, g->client, &g->op, "grace@example.com", NULL, &e), 0);
    assert_true(found);
    assert_string_equal(b.id, a.id);
    ghl_contact_clear(&b);
    assert_int_equal(
        ghl_client_find_duplicate(&b, &found, g->client, &g->op, "nobody@example.com", NULL, &e),
        0);
    assert_false(found);

    const char *add[] = {"VIP", "speaker"};
    json_t *tags = NULL;
    assert_int_equal(ghl_client_add_tags(&tags, g->client, &g->op, a.id, add, 2, &e), 0);
    assert_true(jsonx_array_has_str_ci(tags, "vip"));
    json_decref(tags);
    const char *rm[] = {"vip"};
    assert_int_equal(ghl_client_remove_tags(&tags, g->client, &g->op, a.id, rm, 1, &e), 0);
    assert_false(jsonx_array_has_str_ci(tags, "vip"));
    assert_true(jsonx_array_has_str_ci(tags, "speaker"));
    json_decref(tags);
    ghl_contact_clear(&a);
}

/* Pages through n contacts with each iterator kind and counts them. */
static size_t count_all(genv *g, ghl_client_query *q, int64_t *total)
{
    ghl_client_iter *it = NULL;
    err e = {0};
    assert_int_equal(ghl_client_iter_new(&it, g->client, &g->op, q, &e), 0);
    size_t n = 0, pages = 0;
    json_t *seen = json_object();
    for (;;) {
        ghl_contact_page p = {0};
        if (ghl_client_iter_next(&p, it, &e) != 0)
            fail_msg("page: %s", e.msg);
        if (p.n == 0)
            break;
        pages++;
        for (size_t i = 0; i < p.n; i++) {
            assert_null(json_object_get(seen, p.v[i].id)); /* no contact twice */
            json_object_set_new(seen, p.v[i].id, json_true());
        }
        n += p.n;
        ghl_contact_page_clear(&p);
    }
    assert_true(pages >= 2 || n < 2);
    *total = ghl_client_iter_total(it);
    ghl_client_iter_free(it);
    json_decref(seen);
    return n;
}

static void listing_and_search(void **state)
{
    genv *g = *state;
    err e = {0};
    for (int i = 0; i < 7; i++) {
        char email[64];
        snprintf(email, sizeof email, "page%d@example.com", i);
        ghl_contact_input in = {.first_name = "Pager",
                                .email = email,
                                .business_id = i < 5 ? "biz-1" : NULL,
                                .company_name = "Pages Inc"};
        ghl_contact c;
        assert_int_equal(ghl_client_create_contact(&c, g->client, &g->op, &in, &e), 0);
        ghl_contact_clear(&c);
    }
    int64_t total = 0;
    ghl_client_query search = {.kind = GHL_ITER_SEARCH, .page_size = 3};
    assert_int_equal(count_all(g, &search, &total), 7);
    assert_int_equal(total, 7);

    json_t *filters = json_array();
    json_array_append_new(filters, ghl_filter("businessId", "eq", json_string("biz-1")));
    ghl_client_query filtered = {.kind = GHL_ITER_SEARCH, .page_size = 2, .filters = filters};
    assert_int_equal(count_all(g, &filtered, &total), 5);
    json_decref(filters);

    ghl_client_query list = {.kind = GHL_ITER_LIST, .page_size = 3};
    assert_int_equal(count_all(g, &list, &total), 7);
    ghl_client_query capped = {.kind = GHL_ITER_LIST, .page_size = 3, .max = 4};
    assert_int_equal(count_all(g, &capped, &total), 4);

    ghl_client_query biz = {.kind = GHL_ITER_BUSINESS, .page_size = 2, .business_id = "biz-1"};
    assert_int_equal(count_all(g, &biz, &total), 5);
}

static void tasks_and_notes(void **state)
{
    genv *g = *state;
    err e = {0};
    char *cid = genv_contact(g, "Tess", "tess@example.com");
    ghl_task_input ti = {.title = "Call back",
                         .body = "about the badge",
                         .due_date = "2030-01-02T10:00:00Z",
                         .completed = -1};
    ghl_task t;
    assert_int_equal(ghl_client_create_task(&t, g->client, &g->op, cid, &ti, &e), 0);
    assert_string_equal(t.title, "Call back");
    assert_false(t.completed);
    assert_true(t.due_ms > 0);
    char *tid = strdup(t.id);
    ghl_task_clear(&t);
    ghl_task_input tu = {.title = "Call back today", .completed = -1};
    assert_int_equal(ghl_client_update_task(&t, g->client, &g->op, cid, tid, &tu, &e), 0);
    assert_string_equal(t.title, "Call back today");
    ghl_task_clear(&t);
    assert_int_equal(ghl_client_complete_task(&t, g->client, &g->op, cid, tid, true, &e), 0);
    assert_true(t.completed);
    ghl_task_clear(&t);
    assert_int_equal(ghl_client_get_task(&t, g->client, &g->op, cid, tid, &e), 0);
    assert_true(t.completed);
    ghl_task_clear(&t);
    ghl_tasks tl = {0};
    assert_int_equal(ghl_client_list_tasks(&tl, g->client, &g->op, cid, &e), 0);
    assert_int_equal(tl.n, 1);
    ghl_tasks_clear(&tl);
    assert_int_equal(ghl_client_delete_task(g->client, &g->op, cid, tid, &e), 0);
    assert_int_equal(ghl_client_get_task(&t, g->client, &g->op, cid, tid, &e), ERR_NOT_FOUND);
    free(tid);

    ghl_note_input ni = {.body = "Met at the expo", .title = "Expo", .pinned = 1};
    ghl_note n;
    assert_int_equal(ghl_client_create_note(&n, g->client, &g->op, cid, &ni, &e), 0);
    assert_string_equal(n.body, "Met at the expo");
    char *nid = strdup(n.id);
    ghl_note_clear(&n);
    ghl_note_input nu = {.body = "Met at the expo, booth 4", .pinned = -1};
    assert_int_equal(ghl_client_update_note(&n, g->client, &g->op, cid, nid, &nu, &e), 0);
    assert_string_equal(n.body, "Met at the expo, booth 4");
    ghl_note_clear(&n);
    assert_int_equal(ghl_client_get_note(&n, g->client, &g->op, cid, nid, &e), 0);
    ghl_note_clear(&n);
    ghl_notes nl = {0};
    assert_int_equal(ghl_client_list_notes(&nl, g->client, &g->op, cid, &e), 0);
    assert_int_equal(nl.n, 1);
    ghl_notes_clear(&nl);
    assert_int_equal(ghl_client_delete_note(g->client, &g->op, cid, nid, &e), 0);
    assert_int_equal(ghl_client_get_note(&n, g->client, &g->op, cid, nid, &e), ERR_NOT_FOUND);
    free(nid);
    free(cid);
}

static void appointments_and_fields(void **state)
{
    genv *g = *state;
    err e = {0};
    char *cid = genv_contact(g, "Abe", "abe@example.com");
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/appointments", cid);
    json_decref(genv_admin(
        g, "POST", path,
        "{\"calendarId\": \"cal-1\", \"title\": \"Demo\", \"startTime\": \"2030-03-01T15:00:00Z\", "
        "\"endTime\": \"2030-03-01T15:30:00Z\", \"status\": \"booked\"}"));
    ghl_appointments al = {0};
    assert_int_equal(ghl_client_list_appointments(&al, g->client, &g->op, cid, &e), 0);
    assert_int_equal(al.n, 1);
    assert_string_equal(al.v[0].title, "Demo");
    assert_string_equal(al.v[0].contact_id, cid);
    assert_true(al.v[0].start_ms > 0);
    ghl_appointments_clear(&al);

    ghl_field_defs defs = {0};
    assert_int_equal(ghl_client_list_custom_fields(&defs, g->client, &g->op, &e), 0);
    assert_true(defs.n >= 3);
    ghl_field_defs_clear(&defs);
    char *fid = NULL;
    assert_int_equal(ghl_client_custom_field_id(&fid, g->client, &g->op, "company_size", &e), 0);
    assert_non_null(fid);
    free(fid);
    assert_int_equal(ghl_client_custom_field_id(&fid, g->client, &g->op, "nope", &e),
                     ERR_NOT_FOUND);
    free(cid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(contact_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(upsert_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(listing_and_search, setup, teardown),
        cmocka_unit_test_setup_teardown(tasks_and_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(appointments_and_fields, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
