/* test_capture_links.c: the webhook endpoints of a configuration of several links: each
 * delivery is stored as a hint of its own link (HighLevel by the body's locationId; PheedLoop
 * by its event, and by the secret that signed it when two organizations have an event of that
 * code), so that only that link's planner takes it. */
#include "tests/engine/capture_env.h"
#include "sandbox/ghl/ghl_signer.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define LOC2 "LOCATIONTWO0000000002"
#define OTHER_SECRET "the-other-organization-secret"

typedef struct links_env {
    cenv *c;
    sbx_ghl_signer *signer;
    ghl_webhook_verifier *ghl;
    pl_webhook *pl[3];
    capture *cap;
    http_server *srv;
    char base[64];
} links_env;

static pl_webhook *check(const char *event, const char *secret)
{
    pl_webhook_secret s[] = {{event, secret}};
    pl_webhook_config pw = {.event_secrets = s, .n_event_secrets = 1};
    pl_webhook *w = NULL;
    err e = {0};
    assert_int_equal(pl_webhook_new(&w, &pw, &e), 0);
    return w;
}

/* default: the sandbox's location, ORGCAP's first event; "two": LOC2, ORGCAP's second event;
 * "three": another organization whose event has the second event's code. */
static int setup(void **state)
{
    links_env *v = calloc(1, sizeof *v);
    v->c = cenv_start();
    err e = {0};
    assert_int_equal(sbx_ghl_signer_new(&v->signer, &e), 0);
    ghl_webhook_config wc = {.ed25519_key = sbx_ghl_signer_ed25519_spki_b64(v->signer)};
    assert_int_equal(ghl_webhook_verifier_new(&v->ghl, &wc, &e), 0);
    v->pl[0] = check(CENV_EVENT, v->c->event_secret[0]);
    v->pl[1] = check(CENV_EVENT2, v->c->event_secret[1]);
    v->pl[2] = check(CENV_EVENT2, OTHER_SECRET);
    static const char *const ev1[] = {CENV_EVENT, NULL}, *const ev2[] = {CENV_EVENT2, NULL};
    capture_link links[] = {
        {"", v->c->location, CENV_ORG, ev1, v->pl[0]},
        {"two", LOC2, CENV_ORG, ev2, v->pl[1]},
        {"three", NULL, "ORGTHREE", ev2, v->pl[2]},
    };
    capture_options co = {
        .store_url = v->c->store_url, .ghl = v->ghl, .links = links, .n_links = 3};
    assert_int_equal(capture_new(&v->cap, &co, &e), 0);
    http_server_options so = {0};
    assert_int_equal(http_server_new(&v->srv, &so, &e), 0);
    assert_int_equal(capture_mount(v->cap, v->srv, &e), 0);
    assert_int_equal(http_server_start(v->srv, &e), 0);
    snprintf(v->base, sizeof v->base, "http://127.0.0.1:%u", (unsigned)http_server_port(v->srv));
    *state = v;
    return 0;
}

static int teardown(void **state)
{
    links_env *v = *state;
    http_server_stop(v->srv);
    http_server_free(v->srv);
    capture_free(v->cap);
    for (int i = 0; i < 3; i++)
        pl_webhook_free(v->pl[i]);
    ghl_webhook_verifier_free(v->ghl);
    sbx_ghl_signer_free(v->signer);
    cenv_stop(v->c);
    free(v);
    return 0;
}

static long post_ghl(links_env *v, const char *location, const char *contact, const char *id)
{
    char iso[CLOCK_ISO_LEN], body[512], url[128], h_ed[512];
    clock_format_iso(clock_now_ms(clock_system()), iso);
    snprintf(body, sizeof body,
             "{\"type\":\"ContactUpdate\",\"locationId\":\"%s\",\"id\":\"%s\","
             "\"webhookId\":\"%s\",\"timestamp\":\"%s\"}",
             location, contact, id, iso);
    char *ed = NULL, *rsa = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_sign(v->signer, body, strlen(body), &ed, &rsa, &e), 0);
    snprintf(url, sizeof url, "%s%s", v->base, CAPTURE_GHL_PATH);
    snprintf(h_ed, sizeof h_ed, "%s: %s", GHL_WEBHOOK_ED25519_HEADER, ed);
    const char *headers[] = {h_ed, "Content-Type: application/json", NULL};
    th_response *r = th_request("POST", url, headers, body, 30000);
    long status = r->status;
    th_response_free(r);
    free(ed);
    free(rsa);
    return status;
}

/* The record keys a handle bound to link claims (and acks), as a JSON array. */
static json_t *claim(links_env *v, const char *link)
{
    store *s = NULL;
    err e = {0};
    assert_int_equal(store_open(&s, v->c->store_url, NULL, &e), 0);
    assert_int_equal(store_bind_link(s, link, &e), 0);
    store_hints h = {0};
    assert_int_equal(store_inbox_claim(&h, s, "test", 60000, 100, &e), 0);
    json_t *keys = json_array();
    for (size_t i = 0; i < h.n; i++) {
        json_array_append_new(keys, json_string(h.v[i].record_key));
        assert_int_equal(store_inbox_ack(s, &h.v[i], &e), 0);
    }
    store_hints_free(&h);
    store_close(s);
    return keys;
}

static void assert_keys(json_t *keys, const char *a, const char *b)
{
    assert_int_equal(json_array_size(keys), b ? 2 : a ? 1 : 0);
    if (a)
        assert_string_equal(json_string_value(json_array_get(keys, 0)), a);
    if (b)
        assert_string_equal(json_string_value(json_array_get(keys, 1)), b);
    json_decref(keys);
}

static void highlevel_by_location(void **state)
{
    links_env *v = *state;
    assert_int_equal(post_ghl(v, v->c->location, "contactone", "wh-1"), 200);
    assert_int_equal(post_ghl(v, LOC2, "contacttwo", "wh-2"), 200);
    assert_int_equal(post_ghl(v, "LOCNOTSYNCED", "contactx", "wh-3"), 200); /* ignored */
    capture_stats s;
    capture_stats_get(v->cap, "ghl", &s);
    assert_int_equal(s.accepted, 2);
    assert_int_equal(s.ignored, 1);
    char one[ENGINE_KEY_MAX];
    cenv_key_ghl(one, v->c, "contactone");
    assert_keys(claim(v, "two"), "ghl:" LOC2 ":contacttwo", NULL);
    assert_keys(claim(v, "three"), NULL, NULL);
    assert_keys(claim(v, ""), one, NULL);
}

static void pheedloop_by_event_and_secret(void **state)
{
    links_env *v = *state;
    int64_t now = clock_now_ms(clock_system());
    char *b1 = cenv_pl_body(CENV_EVENT, "ATTONE", "pl-1", now);
    char *b2 = cenv_pl_body(CENV_EVENT2, "ATTTWO", "pl-2", now);
    char *b3 = cenv_pl_body(CENV_EVENT2, "ATTTHREE", "pl-3", now);
    char *b4 = cenv_pl_body(CENV_EVENT2, "ATTFOUR", "pl-4", now);
    assert_int_equal(cenv_post_pl(v->base, v->c->event_secret[0], b1, 30000), 200);
    assert_int_equal(cenv_post_pl(v->base, v->c->event_secret[1], b2, 30000), 200);
    assert_int_equal(cenv_post_pl(v->base, OTHER_SECRET, b3, 30000), 200);
    /* Signed with the first event's secret: neither link of the second event trusts it. */
    assert_int_equal(cenv_post_pl(v->base, v->c->event_secret[0], b4, 30000), 401);
    free(b1);
    free(b2);
    free(b3);
    free(b4);
    assert_keys(claim(v, ""), "pl:" CENV_ORG ":" CENV_EVENT ":ATTONE", NULL);
    assert_keys(claim(v, "two"), "pl:" CENV_ORG ":" CENV_EVENT2 ":ATTTWO", NULL);
    assert_keys(claim(v, "three"), "pl:ORGTHREE:" CENV_EVENT2 ":ATTTHREE", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(highlevel_by_location, setup, teardown),
        cmocka_unit_test_setup_teardown(pheedloop_by_event_and_secret, setup, teardown),
    };
    return cmocka_run_group_tests_name("capture of several links", tests, NULL, NULL);
}
