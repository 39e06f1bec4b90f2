/* test_cmd_dlq.c: `pheedsync dlq list|show|replay|drop` and `approve|reject` on a store the
 * test fills as the engine would: listing and paging, the full record, a replay back to the
 * outbox, a drop refused without --yes off a terminal, decisions on held deletes (one, a batch,
 * twice), unknown ids, bad ids and flags, a store from a newer pheedsync. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static store_counts counts(afx *f)
{
    store *s = ofx_store(f);
    store_counts c;
    err e = {0};
    assert_int_equal(store_count(&c, s, &e), 0);
    store_close(s);
    return c;
}

static void list_and_show(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    const char *empty[] = {"dlq", "list", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, empty);
    assert_non_null(strstr(r.out, "the dead-letter queue is empty"));
    afx_run_free(&r);
    int64_t a = ofx_dead_letter(f, "ghl:LOC:C1", "ghl.update_contact", "email: not valid");
    int64_t b = ofx_dead_letter(f, "ghl:LOC:C2", "ghl.add_tags", "tag refused\nsecond line");

    const char *jl[] = {"dlq", "list", "--config", f->conf, "--json", NULL};
    r = ofx_expect(f, 0, jl);
    json_t *j = ofx_json(&r);
    assert_int_equal(json_array_size(j), 2);
    const json_t *first = json_array_get(j, 0);
    assert_int_equal(jsonx_int(first, "id", 0), a);
    assert_string_equal(jsonx_str(first, "kind"), "ghl.update_contact");
    assert_string_equal(jsonx_str(first, "error_class"), "http_422");
    assert_string_equal(jsonx_str(first, "message"), "email: not valid");
    assert_non_null(jsonx_str(first, "dead_at"));
    json_decref(j);
    afx_run_free(&r);

    char after[32];
    snprintf(after, sizeof after, "%lld", (long long)a);
    const char *page[] = {"dlq", "list", "--config", f->conf, "--after", after, NULL};
    r = ofx_expect(f, 0, page);
    assert_non_null(strstr(r.out, "ghl.add_tags"));
    assert_non_null(strstr(r.out, "tag refused second line")); /* one line per letter */
    assert_null(strstr(r.out, "ghl.update_contact"));
    afx_run_free(&r);
    const char *one[] = {"dlq", "list", "--config", f->conf, "--limit", "1", NULL};
    r = ofx_expect(f, 0, one);
    assert_non_null(strstr(r.out, "(more may follow: --after"));
    afx_run_free(&r);

    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)b);
    const char *show[] = {"dlq", "show", id, "--config", f->conf, NULL};
    r = ofx_expect(f, 0, show);
    assert_non_null(strstr(r.out, "ghl.add_tags"));
    assert_non_null(strstr(r.out, "http_422: tag refused"));
    assert_non_null(strstr(r.out, "\"not an address\"")); /* the payload */
    assert_non_null(strstr(r.out, "\"/contacts/x\""));    /* the request */
    afx_run_free(&r);
    const char *jshow[] = {"dlq", "show", id, "--config", f->conf, "--json", NULL};
    r = ofx_expect(f, 0, jshow);
    j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(j, "request"), "method"), "PUT");
    assert_string_equal(jsonx_str(jsonx_path(j, "payload.fields"), "email"), "not an address");
    assert_string_equal(jsonx_str(j, "record_key"), "ghl:LOC:C2");
    json_decref(j);
    afx_run_free(&r);
}

static void replay_and_drop(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    int64_t a = ofx_dead_letter(f, "ghl:LOC:C1", "ghl.update_contact", "refused");
    ofx_dead_letter(f, "ghl:LOC:C2", "ghl.update_contact", "refused");
    ofx_dead_letter(f, "ghl:LOC:C3", "ghl.update_contact", "refused");
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)a);
    const char *replay[] = {"dlq", "replay", id, "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, replay);
    assert_non_null(strstr(r.out, "replayed 1 dead letter: back in the outbox"));
    afx_run_free(&r);
    store_counts c = counts(f);
    assert_int_equal(c.dead_letters, 2);
    assert_int_equal(c.outbox_pending, 1);
    r = ofx_expect(f, 1, replay); /* no longer a dead letter */
    assert_non_null(strstr(r.err, "no dead letter"));
    afx_run_free(&r);

    const char *drop[] = {"dlq", "drop", "--all", "--config", f->conf, NULL};
    r = ofx_expect(f, 2, drop); /* standard input is no terminal: no one to ask */
    assert_non_null(strstr(r.err, "without --yes"));
    afx_run_free(&r);
    assert_int_equal(counts(f).dead_letters, 2);
    const char *drop_yes[] = {"dlq", "drop", "--all", "--yes", "--config", f->conf, "--json", NULL};
    r = ofx_expect(f, 0, drop_yes);
    json_t *j = ofx_json(&r);
    assert_int_equal(json_array_size(json_object_get(j, "dropped")), 2);
    json_decref(j);
    afx_run_free(&r);
    c = counts(f);
    assert_int_equal(c.dead_letters, 0);
    assert_int_equal(c.outbox_pending, 1);
}

static void approve_and_reject(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    store *s = ofx_store(f);
    err e = {0};
    int64_t ids[3];
    const char *keys[] = {"pl:ORG:EVE:A1", "pl:ORG:EVE:A2", "ghl:LOC:C3"};
    for (int i = 0; i < 3; i++) {
        store_held_new h = {.batch = i < 2 ? "run-7" : "run-8",
                            .side = i < 2 ? "pheedloop" : "ghl",
                            .record_key = keys[i],
                            .reason = "gone from HighLevel",
                            .payload = "{\"op\": \"delete\"}"};
        assert_int_equal(store_held_create(&ids[i], NULL, s, &h, &e), 0);
    }
    store_close(s);
    const char *list[] = {"approve", "--list", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 0, list);
    json_t *j = ofx_json(&r);
    assert_int_equal(json_array_size(j), 3);
    assert_string_equal(jsonx_str(json_array_get(j, 0), "batch"), "run-7");
    assert_string_equal(jsonx_str(jsonx_path(j, "0.payload"), "op"), "delete");
    json_decref(j);
    afx_run_free(&r);

    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)ids[2]);
    const char *approve[] = {"approve", id, "--by", "alice", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, approve);
    assert_non_null(strstr(r.out, "approved 1 held delete: the next pass"));
    afx_run_free(&r);
    r = ofx_expect(f, 1, approve);
    assert_non_null(strstr(r.err, "already approved"));
    afx_run_free(&r);
    const char *reject[] = {"reject", "--batch", "run-7", "--config", f->conf, "--json", NULL};
    r = ofx_expect(f, 0, reject);
    j = ofx_json(&r);
    assert_int_equal(json_array_size(json_object_get(j, "rejected")), 2);
    json_decref(j);
    afx_run_free(&r);
    const char *rlist[] = {"reject", "--list", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, rlist);
    assert_non_null(strstr(r.out, "no deletes wait for approval"));
    afx_run_free(&r);

    s = ofx_store(f);
    store_helds all = {0};
    assert_int_equal(store_held_list(&all, s, STORE_HELD_APPROVED, 0, 10, &e), 0);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.v[0].decided_by, "alice");
    store_helds_free(&all);
    store_close(s);

    const char *none[] = {"approve", "999", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, none);
    assert_non_null(strstr(r.err, "no held delete 999"));
    afx_run_free(&r);
    const char *nobatch[] = {"reject", "--batch", "run-99", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, nobatch);
    afx_run_free(&r);
}

static void bad_input(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    static const char *const usage2[][8] = {
        {"dlq", NULL},
        {"dlq", "purge", NULL},
        {"dlq", "show", "abc", NULL},
        {"dlq", "show", "1", "2", NULL},
        {"dlq", "replay", NULL},
        {"dlq", "replay", "1", "--all", NULL},
        {"dlq", "drop", "-3", NULL},
        {"dlq", "list", "--limit", "0", NULL},
        {"dlq", "list", "--limit", NULL},
        {"dlq", "list", "extra", NULL},
        {"approve", NULL},
        {"approve", "--list", "3", NULL},
        {"reject", "x1", NULL},
        {"approve", "--frobnicate", NULL},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(usage2); i++) {
        const char *args[12];
        size_t n = 0;
        for (; usage2[i][n]; n++)
            args[n] = usage2[i][n];
        args[n++] = "--config";
        args[n++] = f->conf;
        args[n] = NULL;
        afx_run r = ofx_expect(f, 2, args);
        assert_non_null(strstr(r.err, "--help"));
        afx_run_free(&r);
    }
    const char *help[] = {"dlq", "--help", NULL};
    afx_run r = ofx_expect(f, 0, help);
    assert_non_null(strstr(r.out, "usage: pheedsync dlq list"));
    afx_run_free(&r);
    const char *help2[] = {"approve", "--help", NULL};
    r = ofx_expect(f, 0, help2);
    assert_non_null(strstr(r.out, "usage: pheedsync approve|reject"));
    afx_run_free(&r);
    const char *show[] = {"dlq", "show", "42", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, show);
    assert_non_null(strstr(r.err, "no dead letter 42"));
    afx_run_free(&r);
    ofx_store_from_the_future(f);
    const char *list[] = {"dlq", "list", "--config", f->conf, NULL};
    r = ofx_expect(f, 3, list);
    assert_non_null(strstr(r.err, "newer than this pheedsync"));
    afx_run_free(&r);
    const char *alist[] = {"approve", "--list", "--config", f->conf, NULL};
    r = ofx_expect(f, 3, alist);
    afx_run_free(&r);
}

int main(void)
{
    /* The commands run inherit standard input: never a terminal to ask on, whoever runs this. */
    if (!freopen("/dev/null", "r", stdin))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(list_and_show, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(replay_and_drop, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(approve_and_reject, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(bad_input, afx_setup, afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
