/* test_capture.c: the webhook endpoints against the sandbox's real deliveries: hints with the
 * right record keys, duplicates stored once, reordered ones all stored, forged and stale ones
 * refused and counted, and 429 when the store cannot take a delivery. */
#include "tests/engine/capture_env.h"
#include "sandbox/ghl/ghl_signer.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    cenv *c = cenv_start();
    cenv_capture_start(c, NULL);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    cenv_stop(*state);
    return 0;
}

static void ghl_webhooks_to_capture(cenv *c)
{
    char body[256];
    snprintf(body, sizeof body, "{\"webhook_url\": \"%s%s\"}", c->hook_base, CAPTURE_GHL_PATH);
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/settings", body));
}

static void faults(cenv *c, bool ghl, const char *json)
{
    json_decref(ghl ? cenv_ghl_admin(c, "PUT", "/_sandbox/faults", json)
                    : cenv_pl_admin(c, "PUT", "/_sandbox/faults", json));
}

static capture_stats stats(cenv *c, const char *source)
{
    capture_stats s;
    capture_stats_get(c->cap, source, &s);
    return s;
}

static void test_ghl_webhooks_land(void **state)
{
    cenv *c = *state;
    ghl_webhooks_to_capture(c);
    char *id = cenv_ui_contact(c, "Ada", "ada@example.com");
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(cenv_ghl_admin(c, "PATCH", path, "{\"lastName\": \"Lovelace\"}"));
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks", id);
    json_decref(cenv_ghl_admin(
        c, "POST", path,
        "{\"title\": \"Call\", \"dueDate\": \"2027-01-05T10:00:00Z\", \"completed\": false}"));
    cenv_drain_webhooks(c);
    assert_int_equal(stats(c, "ghl").accepted, 3);
    json_t *hints = cenv_take_hints(c);
    char key[ENGINE_KEY_MAX];
    cenv_key_ghl(key, c, id);
    const json_t *h = json_object_get(hints, key);
    assert_non_null(h);
    assert_int_equal(json_object_size(hints), 1);
    assert_int_equal(jsonx_int(h, "count", 0), 3); /* create, update, task: one person */
    assert_string_equal(jsonx_str(h, "kind"), "TaskCreate");
    assert_string_equal(jsonx_str(h, "source"), "ghl");
    assert_string_equal(jsonx_str(json_object_get(h, "payload"), "contactId"), id);
    json_decref(hints);
    free(id);
}

static void test_pl_hooks_registered_and_land(void **state)
{
    cenv *c = *state;
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "%s%s", c->hook_base, CAPTURE_PL_PATH);
    size_t added = 0;
    err e = {0};
    assert_int_equal(capture_register_pl_hooks(&added, c->pl, c->events, endpoint, &e), 0);
    assert_int_equal(added, 2 * capture_pl_actions_n);
    assert_int_equal(capture_register_pl_hooks(&added, c->pl, c->events, endpoint, &e), 0);
    assert_int_equal(added, 0); /* idempotent: listed first */

    char *code = cenv_attendee(c, CENV_EVENT2, "Grace", "grace@example.com");
    cenv_drain_webhooks(c);
    /* registration.created then attendee.created, one hint each, one person. */
    assert_int_equal(stats(c, "pheedloop").accepted, 2);
    json_t *hints = cenv_take_hints(c);
    char key[ENGINE_KEY_MAX];
    cenv_key_pl(key, CENV_EVENT2, code);
    const json_t *h = json_object_get(hints, key);
    assert_non_null(h);
    assert_int_equal(jsonx_int(h, "count", 0), 2);
    assert_string_equal(jsonx_str(h, "source"), "pheedloop");
    assert_string_equal(jsonx_str(h, "kind"), "attendee.created");
    json_decref(hints);
    free(code);
}

static void test_duplicates_make_one_hint(void **state)
{
    cenv *c = *state;
    ghl_webhooks_to_capture(c);
    faults(c, true, "{\"wh_p_duplicate\": 1}");
    faults(c, false, "{\"wh_p_duplicate\": 1}");
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "%s%s", c->hook_base, CAPTURE_PL_PATH);
    err e = {0};
    assert_int_equal(capture_register_pl_hooks(NULL, c->pl, c->events, endpoint, &e), 0);
    char *id = cenv_ui_contact(c, "Dup", "dup@example.com");
    char *code = cenv_attendee(c, CENV_EVENT, "Dup", "dup@example.com");
    cenv_drain_webhooks(c);
    capture_stats s = stats(c, "ghl");
    assert_int_equal(s.accepted, 1);
    assert_int_equal(s.duplicates, 1);
    s = stats(c, "pheedloop");
    assert_int_equal(s.accepted, 2); /* registration.created, attendee.created */
    assert_int_equal(s.duplicates, 2);
    json_t *hints = cenv_take_hints(c);
    char key[ENGINE_KEY_MAX];
    cenv_key_ghl(key, c, id);
    assert_int_equal(jsonx_int(json_object_get(hints, key), "count", 0), 1);
    cenv_key_pl(key, CENV_EVENT, code);
    assert_int_equal(jsonx_int(json_object_get(hints, key), "count", 0), 2);
    json_decref(hints);
    free(id);
    free(code);
}

static void test_reordered_all_stored(void **state)
{
    cenv *c = *state;
    ghl_webhooks_to_capture(c);
    faults(c, true, "{\"wh_p_reorder\": 1}");
    char *ids[4];
    for (int i = 0; i < 4; i++) {
        char first[16], email[64];
        snprintf(first, sizeof first, "R%d", i);
        snprintf(email, sizeof email, "r%d@example.com", i);
        ids[i] = cenv_ui_contact(c, first, email);
    }
    cenv_drain_webhooks(c);
    assert_int_equal(stats(c, "ghl").accepted, 4);
    json_t *hints = cenv_take_hints(c);
    for (int i = 0; i < 4; i++) {
        char key[ENGINE_KEY_MAX];
        cenv_key_ghl(key, c, ids[i]);
        assert_int_equal(jsonx_int(json_object_get(hints, key), "count", 0), 1);
        free(ids[i]);
    }
    json_decref(hints);
}

static long post(const char *url, const char *const *headers, const char *body)
{
    th_response *r = th_request("POST", url, headers, body, 30000);
    long status = r->status;
    th_response_free(r);
    return status;
}

static char *ghl_body(cenv *c, const char *webhook_id, int64_t ts_ms)
{
    char iso[CLOCK_ISO_LEN], body[512];
    clock_format_iso(ts_ms, iso);
    snprintf(body, sizeof body,
             "{\"type\":\"ContactUpdate\",\"locationId\":\"%s\",\"id\":\"c0ntact0000000000001\","
             "\"webhookId\":\"%s\",\"timestamp\":\"%s\"}",
             c->location, webhook_id, iso);
    return strdup(body);
}

/* Posts body signed by signer to url's HighLevel endpoint; the HTTP status. */
static long post_ghl_signed(const char *base, sbx_ghl_signer *signer, const char *body)
{
    char *ed = NULL, *rsa = NULL, url[128], h_ed[512];
    err e = {0};
    assert_int_equal(sbx_ghl_signer_sign(signer, body, strlen(body), &ed, &rsa, &e), 0);
    snprintf(url, sizeof url, "%s%s", base, CAPTURE_GHL_PATH);
    snprintf(h_ed, sizeof h_ed, "%s: %s", GHL_WEBHOOK_ED25519_HEADER, ed);
    const char *headers[] = {h_ed, "Content-Type: application/json", NULL};
    long status = post(url, headers, body);
    free(ed);
    free(rsa);
    return status;
}

static void test_forged_refused_and_counted(void **state)
{
    cenv *c = *state;
    sbx_ghl_signer *other = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_new(&other, &e), 0);
    char *body = ghl_body(c, "forged-1", clock_now_ms(clock_system()));
    assert_int_equal(post_ghl_signed(c->hook_base, other, body), 401);
    char url[128];
    snprintf(url, sizeof url, "%s%s", c->hook_base, CAPTURE_GHL_PATH);
    assert_int_equal(post(url, NULL, body), 401); /* no signature at all */
    assert_int_equal(stats(c, "ghl").forged, 2);
    free(body);
    body = cenv_pl_body(CENV_EVENT, "ATTX", "forged-pl", clock_now_ms(clock_system()));
    assert_int_equal(cenv_post_pl(c->hook_base, "not-the-secret", body, 30000), 401);
    assert_int_equal(stats(c, "pheedloop").forged, 1);
    free(body);
    assert_int_equal(cenv_pending(c), 0);
    sbx_ghl_signer_free(other);
}

/* A capture of its own that trusts signer: old but correctly signed HighLevel deliveries. */
static void test_stale_refused_and_counted(void **state)
{
    cenv *c = *state;
    sbx_ghl_signer *signer = NULL;
    ghl_webhook_verifier *v = NULL;
    capture *cap = NULL;
    http_server *srv = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_new(&signer, &e), 0);
    ghl_webhook_config wc = {.ed25519_key = sbx_ghl_signer_ed25519_spki_b64(signer)};
    assert_int_equal(ghl_webhook_verifier_new(&v, &wc, &e), 0);
    capture_options co = {.store_url = c->store_url, .ghl = v, .location_id = c->location};
    assert_int_equal(capture_new(&cap, &co, &e), 0);
    http_server_options so = {0};
    assert_int_equal(http_server_new(&srv, &so, &e), 0);
    assert_int_equal(capture_mount(cap, srv, &e), 0);
    assert_int_equal(http_server_start(srv, &e), 0);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)http_server_port(srv));

    int64_t now = clock_now_ms(clock_system());
    char *old = ghl_body(c, "stale-1", now - 3600 * 1000);
    char *fresh = ghl_body(c, "fresh-1", now);
    assert_int_equal(post_ghl_signed(base, signer, old), 401);
    assert_int_equal(post_ghl_signed(base, signer, fresh), 200);
    capture_stats s;
    capture_stats_get(cap, "ghl", &s);
    assert_int_equal(s.stale, 1);
    assert_int_equal(s.forged, 0);
    assert_int_equal(s.accepted, 1);
    free(old);
    free(fresh);

    /* PheedLoop: signed with the event's secret, stamped two hours ago. */
    char *pl_old = cenv_pl_body(CENV_EVENT, "ATTOLD", "stale-pl", now - 2 * 3600 * 1000);
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], pl_old, 30000), 401);
    assert_int_equal(stats(c, "pheedloop").stale, 1);
    free(pl_old);
    assert_int_equal(cenv_pending(c), 1);

    http_server_stop(srv);
    http_server_free(srv);
    capture_free(cap);
    ghl_webhook_verifier_free(v);
    sbx_ghl_signer_free(signer);
}

static void test_ignored_deliveries(void **state)
{
    cenv *c = *state;
    int64_t now = clock_now_ms(clock_system());
    char *body = cenv_pl_body("EVENOTSYNCED", "ATT1", "ign-1", now);
    /* Unknown event: no secret for it either, so it cannot even be verified. */
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], body, 30000), 401);
    free(body);
    body = cenv_pl_body(CENV_EVENT, "", "ign-2", now); /* names no attendee */
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], body, 30000), 200);
    free(body);
    assert_int_equal(stats(c, "pheedloop").ignored, 1);
    assert_int_equal(cenv_pending(c), 0);
}

static void test_store_unavailable_answers_429(void **state)
{
    cenv *c = *state;
    /* A store that cannot be opened. */
    capture *cap = NULL;
    http_server *srv = NULL;
    err e = {0};
    capture_options co = {.store_url = "sqlite:/nonexistent-dir/pheedsync/state.db",
                          .pl = c->pl_wh,
                          .org_code = CENV_ORG,
                          .events = c->events};
    assert_int_equal(capture_new(&cap, &co, &e), 0);
    http_server_options so = {0};
    assert_int_equal(http_server_new(&srv, &so, &e), 0);
    assert_int_equal(capture_mount(cap, srv, &e), 0);
    assert_int_equal(http_server_start(srv, &e), 0);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)http_server_port(srv));
    int64_t now = clock_now_ms(clock_system());
    char *body = cenv_pl_body(CENV_EVENT, "ATTB", "busy-1", now);
    assert_int_equal(cenv_post_pl(base, c->event_secret[0], body, 30000), 429);
    capture_stats s;
    capture_stats_get(cap, "pheedloop", &s);
    assert_int_equal(s.busy, 1);
    http_server_stop(srv);
    http_server_free(srv);
    capture_free(cap);

    /* A store whose write lock another connection holds past the busy timeout: 429, and the
     * same delivery sent again once it is free is stored, not taken for a duplicate. */
    store *holder = NULL;
    assert_int_equal(store_open(&holder, c->store_url, NULL, &e), 0);
    assert_int_equal(store_begin(holder, &e), 0);
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], body, 30000), 429);
    assert_int_equal(store_rollback(holder, &e), 0);
    store_close(holder);
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], body, 30000), 200);
    assert_int_equal(cenv_post_pl(c->hook_base, c->event_secret[0], body, 30000), 200);
    s = stats(c, "pheedloop");
    assert_int_equal(s.busy, 1);
    assert_int_equal(s.accepted, 1);
    assert_int_equal(s.duplicates, 1);
    assert_int_equal(cenv_pending(c), 1);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ghl_webhooks_land, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pl_hooks_registered_and_land, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_make_one_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reordered_all_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_refused_and_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_refused_and_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_deliveries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_unavailable_answers_429, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
