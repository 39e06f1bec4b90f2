/* test_ghl_contract.c: every operation of the HighLevel client sent through Stoplight Prism in
 * proxy mode in front of the emulator: with --errors, Prism answers any request or response
 * that breaks specs/ghl/apps/contacts.json with an error, so each call succeeding means no
 * violation. (The location's custom field list is not in that file: it is read from the
 * emulator directly and handed to the client under test.) */
#include "tests/ghl/ghl_env.h"
#include "tests/support/prism.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct ctx {
    genv *g;
    prism *p;
    ghl_client *c; /* through Prism */
} ctx;

static int setup(void **state)
{
    ctx *x = calloc(1, sizeof *x);
    x->g = genv_start(NULL, NULL);
    const char *specs = getenv("PHEEDSYNC_SPECS");
    char spec[1024];
    snprintf(spec, sizeof spec, "%s/ghl/apps/contacts.json", specs ? specs : "../shared/specs");
    err e = {0};
    if (prism_start(&x->p, spec, x->g->base, &e) != 0) {
        print_message("prism unavailable (run scripts/node-deps.sh): %s\n", e.msg);
        x->p = NULL;
    } else {
        char base[64];
        snprintf(base, sizeof base, "http://127.0.0.1:%u", prism_port(x->p));
        ghl_client_config cc = {.base_url = base, .http = x->g->http, .tokens = x->g->tokens};
        assert_int_equal(ghl_client_new(&x->c, &cc, &e), 0);
        ghl_field_defs defs = {0};
        assert_int_equal(ghl_client_list_custom_fields(&defs, x->g->client, &x->g->op, &e), 0);
        assert_int_equal(ghl_client_set_fields(x->c, x->g->location, &defs, &e), 0);
    }
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    ctx *x = *state;
    ghl_client_free(x->c);
    prism_stop(x->p);
    genv_stop(x->g);
    free(x);
    return 0;
}

/* Fails with what the call and Prism said. */
static void ok(ctx *x, int rc, const err *e, const char *what)
{
    if (rc == 0)
        return;
    char *log = prism_log(x->p);
    /* The violations are at the end of the log. */
    size_t n = log ? strlen(log) : 0;
    print_error("prism log (end):\n%s\n", log ? log + (n > 3000 ? n - 3000 : 0) : "");
    free(log);
    fail_msg("%s through Prism: %s (HTTP %d)", what, e->msg, x->g->call.error.status);
}

static void contacts_through_prism(ctx *x)
{
    genv *g = x->g;
    err e = {0};
    json_t *vip = json_string("VIP"), *size = json_string("12"), *diet = json_string("vegan");
    ghl_custom_input cf[] = {
        {"contact.ticket_type", vip}, {"company_size", size}, {"contact.dietary", diet}};
    const char *tags[] = {"speaker"};
    ghl_contact_input in = {.first_name = "Prism",
                            .last_name = "Checked",
                            .email = "prism@example.com",
                            .phone = "+14155550100",
                            .company_name = "Spec Inc",
                            .business_id = "biz-9",
                            .address1 = "1 Main St",
                            .city = "Oakland",
                            .state = "CA",
                            .postal_code = "94607",
                            .country = "US",
                            .source = "pheedsync",
                            .timezone = "America/Los_Angeles",
                            .website = "https://x.example",
                            .dnd = 0,
                            .dnd_set = true,
                            .tags = tags,
                            .n_tags = 1,
                            .tags_set = true,
                            .custom = cf,
                            .n_custom = 2};
    ghl_contact c, d;
    ok(x, ghl_client_create_contact(&c, x->c, &g->op, &in, &e), &e, "create-contact");
    ok(x, ghl_client_get_contact(&d, x->c, &g->op, c.id, &e), &e, "get-contact");
    ghl_contact_clear(&d);
    ghl_contact_input up = {.last_name = "Updated",
                            .city = "",
                            .custom = cf + 2,
                            .n_custom = 1,
                            .tags = tags,
                            .n_tags = 1,
                            .tags_set = true};
    ok(x, ghl_client_update_contact(&d, x->c, &g->op, c.id, &up, &e), &e, "update-contact");
    assert_non_null(ghl_contact_custom(&d, "contact.dietary"));
    ghl_contact_clear(&d);
    bool is_new = true;
    ghl_contact_input again = {.email = "prism@example.com", .first_name = "Prism"};
    ok(x, ghl_client_upsert_contact(&d, &is_new, x->c, &g->op, &again, &e), &e, "upsert-contact");
    assert_false(is_new);
    ghl_contact_clear(&d);
    bool found = false;
    ok(x, ghl_client_find_duplicate(&d, &found, x->c, &g->op, "prism@example.com", NULL, &e), &e,
       "get-duplicate-contact");
    assert_true(found);
    ghl_contact_clear(&d);
    const char *more[] = {"vip", "early"};
    ok(x, ghl_client_add_tags(NULL, x->c, &g->op, c.id, more, 2, &e), &e, "add-tags");
    ok(x, ghl_client_remove_tags(NULL, x->c, &g->op, c.id, more, 1, &e), &e, "remove-tags");

    ghl_client_query qs[] = {
        {.kind = GHL_ITER_SEARCH, .page_size = 5},
        {.kind = GHL_ITER_LIST, .page_size = 5, .query = "prism"},
        {.kind = GHL_ITER_BUSINESS, .page_size = 5, .business_id = "biz-9"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(qs); i++) {
        ghl_client_iter *it = NULL;
        ghl_contact_page p = {0};
        assert_int_equal(ghl_client_iter_new(&it, x->c, &g->op, &qs[i], &e), 0);
        ok(x, ghl_client_iter_next(&p, it, &e), &e, "contact listing");
        assert_true(p.n >= 1);
        ghl_contact_page_clear(&p);
        ghl_client_iter_free(it);
    }
    char *id = strdup(c.id);
    ghl_contact_clear(&c);
    ok(x, ghl_client_delete_contact(x->c, &g->op, id, &e), &e, "delete-contact");
    free(id);
    json_decref(vip);
    json_decref(size);
    json_decref(diet);
}

static void activity_through_prism(ctx *x)
{
    genv *g = x->g;
    err e = {0};
    char *cid = genv_contact(g, "Act", "act@example.com");
    ghl_task_input ti = {
        .title = "Follow up", .body = "b", .due_date = "2030-01-02T10:00:00Z", .completed = 0};
    ghl_task t;
    ok(x, ghl_client_create_task(&t, x->c, &g->op, cid, &ti, &e), &e, "create-task");
    char *tid = strdup(t.id);
    ghl_task_clear(&t);
    ok(x, ghl_client_get_task(&t, x->c, &g->op, cid, tid, &e), &e, "get-task");
    ghl_task_clear(&t);
    ghl_task_input tu = {.title = "Follow up now", .completed = -1};
    ok(x, ghl_client_update_task(&t, x->c, &g->op, cid, tid, &tu, &e), &e, "update-task");
    ghl_task_clear(&t);
    ok(x, ghl_client_complete_task(&t, x->c, &g->op, cid, tid, true, &e), &e,
       "update-task-completed");
    ghl_task_clear(&t);
    ghl_tasks tl = {0};
    ok(x, ghl_client_list_tasks(&tl, x->c, &g->op, cid, &e), &e, "get-all-tasks");
    ghl_tasks_clear(&tl);
    ok(x, ghl_client_delete_task(x->c, &g->op, cid, tid, &e), &e, "delete-task");

    ghl_note_input ni = {.body = "note", .title = "T", .color = "#FFAA00", .pinned = 0};
    ghl_note n;
    ok(x, ghl_client_create_note(&n, x->c, &g->op, cid, &ni, &e), &e, "create-note");
    char *nid = strdup(n.id);
    ghl_note_clear(&n);
    ok(x, ghl_client_get_note(&n, x->c, &g->op, cid, nid, &e), &e, "get-note");
    ghl_note_clear(&n);
    ghl_note_input nu = {.body = "note 2", .pinned = 1};
    ok(x, ghl_client_update_note(&n, x->c, &g->op, cid, nid, &nu, &e), &e, "update-note");
    ghl_note_clear(&n);
    ghl_notes nl = {0};
    ok(x, ghl_client_list_notes(&nl, x->c, &g->op, cid, &e), &e, "get-all-notes");
    ghl_notes_clear(&nl);
    ok(x, ghl_client_delete_note(x->c, &g->op, cid, nid, &e), &e, "delete-note");

    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/appointments", cid);
    json_decref(genv_admin(g, "POST", path,
                           "{\"calendarId\": \"cal-1\", \"title\": \"Demo\", \"startTime\": "
                           "\"2030-03-01T15:00:00Z\", \"endTime\": \"2030-03-01T15:30:00Z\"}"));
    ghl_appointments al = {0};
    ok(x, ghl_client_list_appointments(&al, x->c, &g->op, cid, &e), &e,
       "get-appointments-for-contact");
    assert_int_equal(al.n, 1);
    ghl_appointments_clear(&al);
    free(tid);
    free(nid);
    free(cid);
}

static void every_operation(void **state)
{
    ctx *x = *state;
    if (!x->p) {
        skip();
        return;
    }
    contacts_through_prism(x);
    activity_through_prism(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_operation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
