/* test_flow_deletes.c: deletes are inferred from complete scans only; the default policy
 * unlinks and tags the other side; propagation is opt-in; a pass with more deletes than the
 * threshold holds them until an operator approves. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define NO_HOLD "[sync]\ndelete_hold_count = 1000\ndelete_hold_share = 100\n"

static void ui_delete_attendee(efix *f, const char *event, const char *code)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", event, code);
    json_decref(efix_admin(f, false, "DELETE", path, NULL));
}

static void ui_delete_contact(efix *f, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(efix_admin(f, true, "DELETE", path, NULL));
}

static bool attendee_linked(efix *f, const char *event, const char *code)
{
    store_link *l = NULL;
    err e = {0};
    bool yes = store_link_by_attendee(&l, f->store, f->org, event, code, &e) == 0;
    store_link_free(l);
    return yes;
}

static void test_default_policy_unlinks_and_tags(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 24, .seed = 51, .extra_config = NO_HOLD};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    ui_delete_attendee(f, EV1, code);
    /* A pass without a complete scan infers nothing. */
    engine_pass_result r = efix_pass_live(f);
    assert_int_equal(r.scan.gone, 0);
    assert_true(attendee_linked(f, EV1, code));
    r = efix_pass(f, true);
    assert_int_equal(r.scan.gone, 1);
    assert_false(attendee_linked(f, EV1, code));
    json_t *c = efix_contact(f, id);
    assert_non_null(c); /* still there: the default never deletes */
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "pheedsync:deleted-in-pheedloop"));
    json_decref(c);
    free(id);
    free(code);

    /* The other way: a contact deleted in HighLevel; its attendee is tagged, not deleted. */
    id = efix_linked_pair(f, EV2, &code);
    ui_delete_contact(f, id);
    efix_pass(f, true);
    json_t *a = efix_attendee(f, EV2, code);
    assert_non_null(a);
    assert_true(jsonx_array_has_str(jsonx_path(json_object_get(a, "metadata"), "highlevel.tags"),
                                    "pheedsync:deleted-in-highlevel"));
    assert_false(attendee_linked(f, EV2, code));
    json_decref(a);
    free(id);
    free(code);
    efix_stop(f);
}

static void test_propagate_deletes(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true,
                   .people = 24,
                   .seed = 52,
                   .extra_config = NO_HOLD "delete_policy = propagate\n"};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    ui_delete_attendee(f, EV1, code);
    efix_pass(f, true);
    json_t *c = efix_contact(f, id);
    assert_null(c);
    free(id);
    free(code);
    efix_stop(f);
}

static void test_bulk_deletes_held_for_approval(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true,
                   .people = 40,
                   .seed = 53,
                   .extra_config = "[sync]\ndelete_hold_count = 2\ndelete_hold_share = 100\n"};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    json_t *atts = efix_attendees(f, EV1);
    char *codes[3];
    size_t n = 0, i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        if (n < 3 && attendee_linked(f, EV1, jsonx_str(a, "code")))
            codes[n++] = strdup(jsonx_str(a, "code"));
    }
    json_decref(atts);
    assert_int_equal(n, 3);
    for (i = 0; i < n; i++)
        ui_delete_attendee(f, EV1, codes[i]);
    assert_int_equal(efix_sync_cli(f, "--full", NULL, 0),
                     1); /* held deletes: the command's check fails */
    for (i = 0; i < n; i++)
        assert_true(attendee_linked(f, EV1, codes[i]));
    store_helds hs = {0};
    err e = {0};
    assert_int_equal(store_held_list(&hs, f->store, STORE_HELD_PENDING, 0, 100, &e), 0);
    assert_int_equal(hs.n, 3);
    for (i = 0; i < hs.n; i++)
        assert_int_equal(store_held_approve(f->store, hs.v[i].id, "test", &e), 0);
    store_helds_free(&hs);
    engine_pass_result r = efix_pass_live(f);
    assert_int_equal(r.held, 0);
    for (i = 0; i < n; i++) {
        assert_false(attendee_linked(f, EV1, codes[i]));
        free(codes[i]);
    }
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_policy_unlinks_and_tags),
        cmocka_unit_test(test_propagate_deletes),
        cmocka_unit_test(test_bulk_deletes_held_for_approval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
