/* test_reconcile.c: reconcile against the sandbox: a record deleted with webhooks off becomes a
 * "gone" hint only when the scan was complete; scans cut short by faults give none; every
 * record read is a "scan" hint; links newer than the scan are left alone. */
#include "tests/engine/capture_env.h"
#include "engine/reconcile.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = cenv_start();
    return 0;
}

static int teardown(void **state)
{
    cenv_stop(*state);
    return 0;
}

static int64_t link_contact(cenv *c, const char *id)
{
    int64_t link = 0;
    err e = {0};
    assert_int_equal(store_link_create(&link, c->store, c->location, id, NULL, NULL, &e), 0);
    return link;
}

static const char *kind_of(const json_t *hints, const char *key)
{
    return jsonx_str(json_object_get(hints, key), "kind");
}

static size_t count_kind(json_t *hints, const char *kind)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(hints, k, v)
    {
        n += strcmp(jsonx_str(v, "kind"), kind) == 0;
    }
    return n;
}

static void test_link_list(void **state)
{
    cenv *c = *state;
    int64_t ids[4];
    char contact[32];
    for (int i = 0; i < 4; i++) {
        snprintf(contact, sizeof contact, "contact%d", i);
        ids[i] = link_contact(c, contact);
    }
    err e = {0};
    assert_int_equal(store_link_unlink(c->store, ids[1], "test", &e), 0);
    store_links l = {0};
    assert_int_equal(store_link_list(&l, c->store, 0, 2, &e), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].id, ids[0]);
    assert_int_equal(l.v[1].id, ids[2]);
    int64_t after = l.v[1].id;
    store_links_free(&l);
    assert_int_equal(store_link_list(&l, c->store, after, 2, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].contact_id, "contact3");
    store_links_free(&l);
    assert_int_equal(store_link_list(&l, c->store, 0, 0, &e), ERR_INVALID);
}

static void ui_delete_contact(cenv *c, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(cenv_ghl_admin(c, "DELETE", path, NULL));
}

static void test_ghl_gone_on_complete_scan(void **state)
{
    cenv *c = *state;
    char *a = cenv_ui_contact(c, "Gone", "gone@example.com");
    char *b = cenv_ui_contact(c, "Kept", "kept@example.com");
    char *u = cenv_ui_contact(c, "Unlinked", "unlinked@example.com");
    link_contact(c, a);
    link_contact(c, b);
    cenv_after(clock_now_ms(clock_system()));
    ui_delete_contact(c, a); /* no webhook URL is set: nothing tells us but the scan */
    reconcile_options o = {.page_size = 2};
    reconcile_side r;
    err e = {0};
    assert_int_equal(reconcile_ghl(&r, &c->eng, &o, &e), 0);
    assert_true(r.complete);
    assert_int_equal(r.seen, 2);
    assert_int_equal(r.gone, 1);
    json_t *hints = cenv_take_hints(c);
    char ka[ENGINE_KEY_MAX], kb[ENGINE_KEY_MAX], ku[ENGINE_KEY_MAX];
    cenv_key_ghl(ka, c, a);
    cenv_key_ghl(kb, c, b);
    cenv_key_ghl(ku, c, u);
    assert_string_equal(kind_of(hints, ka), "gone");
    assert_string_equal(kind_of(hints, kb), "scan");
    assert_string_equal(kind_of(hints, ku), "scan");
    assert_string_equal(jsonx_str(json_object_get(hints, ka), "source"), "reconcile");
    const json_t *payload = json_object_get(json_object_get(hints, ka), "payload");
    assert_int_equal(jsonx_int(payload, "batch_size", 0), 1);
    assert_non_null(jsonx_str(payload, "batch"));
    json_decref(hints);
    free(a);
    free(b);
    free(u);
}

static void test_ghl_failed_scan_never_infers_gone(void **state)
{
    cenv *c = *state;
    char *ids[4];
    for (int i = 0; i < 4; i++) {
        char first[16], email[64];
        snprintf(first, sizeof first, "F%d", i);
        snprintf(email, sizeof email, "f%d@example.com", i);
        ids[i] = cenv_ui_contact(c, first, email);
        link_contact(c, ids[i]);
    }
    cenv_after(clock_now_ms(clock_system()));
    ui_delete_contact(c, ids[3]);
    reconcile_options o = {.page_size = 1};
    reconcile_side r;
    err e = {0};
    /* Every request fails: the scan reads nothing. */
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 1}"));
    assert_true(reconcile_ghl(&r, &c->eng, &o, &e) < 0);
    assert_int_equal(cenv_pending(c), 0);
    /* Half the requests fail: some scans stop part way, having read a few pages. */
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 0.6}"));
    int partial = 0, complete = 0;
    for (int i = 0; i < 40 && partial < 2; i++) {
        int rc = reconcile_ghl(&r, &c->eng, &o, &e);
        json_t *hints = cenv_take_hints(c);
        size_t scans = count_kind(hints, "scan"), gone = count_kind(hints, "gone");
        if (rc != 0) {
            assert_int_equal(gone, 0);
            partial += scans > 0;
        } else {
            assert_true(r.complete);
            assert_int_equal(gone, 1);
            complete++;
        }
        json_decref(hints);
    }
    assert_true(partial >= 1);
    for (int i = 0; i < 4; i++)
        free(ids[i]);
}

/* A link made after the scan began is not judged by it: its record may be newer than the
 * listing. The engine's clock is set back so that "the scan began" before the links. */
static void test_links_newer_than_scan_left_alone(void **state)
{
    cenv *c = *state;
    link_contact(c, "neverseen00000000001");
    clock_source behind;
    clock_fake_init(&behind, clock_now_ms(clock_system()) - 60000);
    engine eng = c->eng;
    eng.clock = &behind;
    reconcile_options o = {0};
    reconcile_side r;
    err e = {0};
    assert_int_equal(reconcile_ghl(&r, &eng, &o, &e), 0);
    assert_true(r.complete);
    assert_int_equal(r.gone, 0);
    cenv_after(clock_now_ms(clock_system()));
    assert_int_equal(reconcile_ghl(&r, &c->eng, &o, &e), 0);
    assert_int_equal(r.gone, 1);
}

static void test_pl_gone_on_complete_scan(void **state)
{
    cenv *c = *state;
    char *x = cenv_attendee(c, CENV_EVENT, "Xan", "xan@example.com");
    char *y = cenv_attendee(c, CENV_EVENT, "Yui", "yui@example.com");
    char *z = cenv_attendee(c, CENV_EVENT2, "Zed", "zed@example.com");
    err e = {0};
    int64_t l1 = link_contact(c, "contactforxandz00001");
    int64_t l2 = link_contact(c, "contactfory000000001");
    assert_int_equal(store_link_add_attendee(c->store, l1, CENV_ORG, CENV_EVENT, x, &e), 0);
    assert_int_equal(store_link_add_attendee(c->store, l1, CENV_ORG, CENV_EVENT2, z, &e), 0);
    assert_int_equal(store_link_add_attendee(c->store, l2, CENV_ORG, CENV_EVENT, y, &e), 0);
    cenv_after(clock_now_ms(clock_system()));
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", CENV_EVENT, x);
    json_decref(cenv_pl_admin(c, "DELETE", path, NULL));

    /* A failing listing first: no verdict. */
    json_decref(cenv_pl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 1}"));
    reconcile_options o = {0};
    reconcile_side r;
    assert_true(reconcile_pl_event(&r, &c->eng, CENV_EVENT, &o, &e) < 0);
    assert_int_equal(cenv_pending(c), 0);
    json_decref(cenv_pl_admin(c, "PUT", "/_sandbox/faults", "{\"p_5xx\": 0}"));

    assert_int_equal(reconcile_pl_event(&r, &c->eng, CENV_EVENT, &o, &e), 0);
    assert_true(r.complete);
    assert_int_equal(r.seen, 1);
    assert_int_equal(r.gone, 1);
    json_t *hints = cenv_take_hints(c);
    char kx[ENGINE_KEY_MAX], ky[ENGINE_KEY_MAX], kz[ENGINE_KEY_MAX];
    cenv_key_pl(kx, CENV_EVENT, x);
    cenv_key_pl(ky, CENV_EVENT, y);
    cenv_key_pl(kz, CENV_EVENT2, z);
    assert_string_equal(kind_of(hints, kx), "gone");
    assert_string_equal(kind_of(hints, ky), "scan");
    assert_null(json_object_get(hints, kz)); /* another event: not this scan's business */
    json_decref(hints);
    free(x);
    free(y);
    free(z);
}

static void test_run_records_cursor(void **state)
{
    cenv *c = *state;
    char *a = cenv_ui_contact(c, "Run", "run@example.com");
    char *x = cenv_attendee(c, CENV_EVENT2, "Runa", "runa@example.com");
    /* One person missing on both sides: two "gone" hints, one batch. */
    err e = {0};
    int64_t ghost = link_contact(c, "ghostcontact00000001");
    assert_int_equal(store_link_add_attendee(c->store, ghost, CENV_ORG, CENV_EVENT, "ATTGHOST", &e),
                     0);
    cenv_after(clock_now_ms(clock_system()));
    reconcile_options o = {0};
    reconcile_result r;
    assert_int_equal(reconcile_run(&r, &c->eng, &o, &e), 0);
    assert_true(r.ghl.complete && r.pl.complete);
    assert_int_equal(r.ghl.seen, 1);
    assert_int_equal(r.pl.seen, 1);
    assert_int_equal(r.pl_events, 2);
    assert_int_equal(r.ghl.gone + r.pl.gone, 2);
    json_t *hints = cenv_take_hints(c);
    char kg[ENGINE_KEY_MAX], kp[ENGINE_KEY_MAX];
    cenv_key_ghl(kg, c, "ghostcontact00000001");
    cenv_key_pl(kp, CENV_EVENT, "ATTGHOST");
    const json_t *pg = json_object_get(json_object_get(hints, kg), "payload");
    const json_t *pp = json_object_get(json_object_get(hints, kp), "payload");
    assert_int_equal(jsonx_int(pg, "batch_size", 0), 2);
    assert_int_equal(jsonx_int(pp, "batch_size", 0), 2);
    assert_string_equal(jsonx_str(pg, "batch"), jsonx_str(pp, "batch"));
    json_decref(hints);
    char *text = NULL;
    assert_int_equal(store_cursor_get(&text, c->store, RECONCILE_CURSOR, &e), 0);
    json_t *j = NULL;
    assert_int_equal(jsonx_parse(&j, text, strlen(text), "cursor", &e), 0);
    assert_true(jsonx_bool(j, "complete", false));
    assert_true(jsonx_int(j, "finished_ms", 0) >= r.started_ms);
    json_decref(j);
    free(text);
    free(a);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_link_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ghl_gone_on_complete_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ghl_failed_scan_never_infers_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_newer_than_scan_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pl_gone_on_complete_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_records_cursor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
