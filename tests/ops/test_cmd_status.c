/* test_cmd_status.c: `pheedsync status` against the sandbox: healthy on an empty store; needs
 * attention with a dead letter and a held delete (the people they concern counted); pollers'
 * lag from their cursors; no request at all with --no-probe; a location never connected; bad
 * flags, no configuration, a store from a newer pheedsync. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void healthy_on_an_empty_store(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    const char *args[] = {"status", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, args);
    assert_non_null(strstr(r.out, "linked        0"));
    assert_non_null(strstr(r.out, "`pheedsync verify` has not run"));
    assert_non_null(strstr(r.out, "HighLevel     token"));
    assert_non_null(strstr(r.out, "PheedLoop     connected (organization " AFX_ORG ")"));
    assert_non_null(strstr(r.out, "left in this 10.0 s window"));
    assert_non_null(strstr(r.out, "never ran"));
    assert_non_null(strstr(r.out, "\nhealthy\n"));
    assert_null(strstr(r.out, f->pit));
    afx_run_free(&r);

    const char *jargs[] = {"status", "--config", f->conf, "--json", NULL};
    r = ofx_expect(f, 0, jargs);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(json_object_get(j, "people"), "linked", -1), 0);
    assert_true(json_is_null(jsonx_path(j, "people.in_sync")));
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "state"), "token");
    assert_string_equal(jsonx_str(jsonx_path(j, "services.pheedloop"), "state"), "connected");
    assert_true(jsonx_int(jsonx_path(j, "services.ghl.budget"), "remaining", -1) > 0);
    assert_int_equal(json_array_size(json_object_get(j, "attention")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "pollers")), 4);
    json_decref(j);
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), 0);
}

/* A dead letter of a linked contact, a held delete, and cursors as the pollers leave them. */
static void troubled_store(afx *f, int64_t now)
{
    int64_t link = ofx_link(f, "CONTACTSTATUS1", "one@example.com", "ATTSTATUS1");
    ofx_link(f, "CONTACTSTATUS2", "two@example.com", NULL);
    char key[128];
    snprintf(key, sizeof key, "ghl:%s:CONTACTSTATUS1", f->location);
    ofx_dead_letter(f, key, "ghl.update_contact", "email: not a valid address");
    ofx_dead_letter(f, key, "ghl.add_tags", "tag refused");
    store *s = ofx_store(f);
    err e = {0};
    store_held_new h = {.batch = "B1",
                        .side = "ghl",
                        .record_key = key,
                        .link_id = link,
                        .reason = "gone from PheedLoop",
                        .payload = "{}"};
    int64_t hid = 0;
    char cur[128], name[128];
    assert_int_equal(store_held_create(&hid, NULL, s, &h, &e), 0);
    snprintf(name, sizeof name, "ghl.contacts.%s", f->location);
    snprintf(cur, sizeof cur, "{\"updated_ms\": %lld, \"id\": \"X\"}", (long long)(now - 125000));
    assert_int_equal(store_cursor_put(s, name, cur, &e), 0);
    snprintf(name, sizeof name, "pl.attendees.%s.%s", AFX_ORG, AFX_EVENT);
    assert_int_equal(store_cursor_put(s, name, "{\"snap\": {}}", &e), 0);
    snprintf(cur, sizeof cur, "{\"started_ms\": 1, \"finished_ms\": %lld, \"complete\": true}",
             (long long)(now - 7200000));
    assert_int_equal(store_cursor_put(s, "reconcile.last", cur, &e), 0);
    store_close(s);
}

static void needs_attention_with_dead_letters_and_held_deletes(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    int64_t now = clock_now_ms(clock_system());
    troubled_store(f, now);
    const char *jargs[] = {"status", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 1, jargs);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(json_object_get(j, "people"), "linked", -1), 2);
    assert_int_equal(jsonx_int(json_object_get(j, "failing"), "dead_letters", -1), 2);
    assert_int_equal(jsonx_int(json_object_get(j, "failing"), "people", -1), 1);
    assert_int_equal(jsonx_int(j, "held_deletes", -1), 1);
    assert_int_equal(json_array_size(json_object_get(j, "attention")), 2);
    const json_t *p = json_array_get(json_object_get(j, "pollers"), 0);
    assert_true(jsonx_bool(p, "ran", false));
    assert_true(jsonx_int(p, "lag_ms", 0) >= 125000);
    assert_true(jsonx_bool(json_array_get(json_object_get(j, "pollers"), 3), "ran", false));
    assert_true(jsonx_bool(json_object_get(j, "reconcile"), "complete", false));
    json_decref(j);
    afx_run_free(&r);

    const char *args[] = {"status", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, args);
    assert_non_null(strstr(r.out, "2 dead letters, concerning 1 people"));
    assert_non_null(strstr(r.out, "held deletes  1"));
    assert_non_null(strstr(r.out, "lag 2 min"));
    assert_non_null(strstr(r.out, "ran (keeps no change time)"));
    assert_non_null(strstr(r.out, "last finished 2 h 0 min ago (complete)"));
    assert_non_null(strstr(r.out, "`pheedsync dlq list`"));
    assert_non_null(strstr(r.out, "`pheedsync approve --list`"));
    afx_run_free(&r);
}

static void no_probe_sends_nothing(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    int64_t before = ofx_requests(f);
    const char *args[] = {"status", "--config", f->conf, "--no-probe", "--json", NULL};
    afx_run r = ofx_expect(f, 0, args);
    json_t *j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(j, "services.pheedloop"), "state"), "configured");
    assert_null(json_object_get(jsonx_path(j, "services.ghl.budget"), "remaining"));
    assert_int_equal(ofx_requests(f), before);
    json_decref(j);
    afx_run_free(&r);
}

static void a_location_never_connected(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.oauth = true});
    const char *args[] = {"status", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 1, args);
    json_t *j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "state"), "not_connected");
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(j, "attention"), 0)),
                           "pheedsync connect ghl"));
    json_decref(j);
    afx_run_free(&r);
    assert_int_equal(afx_connect_oauth(f, AFX_SCOPES), 0);
    r = ofx_expect(f, 0, args);
    j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "state"), "connected");
    assert_true(jsonx_int(jsonx_path(j, "services.ghl"), "expires_ms", 0) > 0);
    json_decref(j);
    afx_run_free(&r);
}

static void bad_input(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    const char *help[] = {"status", "--help", NULL};
    afx_run r = ofx_expect(f, 0, help);
    assert_non_null(strstr(r.out, "usage: pheedsync status"));
    afx_run_free(&r);
    const char *flag[] = {"status", "--config", f->conf, "--bogus", NULL};
    r = ofx_expect(f, 2, flag);
    assert_non_null(strstr(r.err, "unknown option '--bogus'"));
    afx_run_free(&r);
    const char *extra[] = {"status", "--config", f->conf, "now", NULL};
    r = ofx_expect(f, 2, extra);
    assert_non_null(strstr(r.err, "unexpected argument 'now'"));
    afx_run_free(&r);
    const char *noconf[] = {"status", "--config", "/nonexistent/pheedsync.conf", NULL};
    r = ofx_expect(f, 2, noconf);
    assert_non_null(strstr(r.err, "/nonexistent/pheedsync.conf"));
    afx_run_free(&r);
    ofx_store_from_the_future(f);
    const char *args[] = {"status", "--config", f->conf, NULL};
    r = ofx_expect(f, 3, args);
    assert_non_null(strstr(r.err, "newer than this pheedsync"));
    assert_non_null(strstr(r.err, "upgrade pheedsync"));
    afx_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(healthy_on_an_empty_store, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(needs_attention_with_dead_letters_and_held_deletes,
                                        afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(no_probe_sends_nothing, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(a_location_never_connected, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(bad_input, afx_setup, afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
