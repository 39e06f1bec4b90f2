/* test_ghl_webhook.c: real deliveries from the emulator (a contact made through the client),
 * verified with the public keys the emulator publishes: Ed25519 preferred, RSA as legacy;
 * forged, unsigned and stale deliveries refused. */
#include "crypto/verify.h"
#include "ghl/ghl_webhook.h"
#include "net/http_server.h"
#include "tests/ghl/ghl_env.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <pthread.h>

typedef struct receiver {
    http_server *srv;
    pthread_mutex_t mu;
    char *body, *ed, *rsa;
    size_t len;
} receiver;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void on_hook(void *ctx, const http_request *req, http_response *res)
{
    receiver *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (!r->body) {
        r->body = malloc(req->body_len + 1);
        memcpy(r->body, req->body, req->body_len);
        r->body[req->body_len] = '\0';
        r->len = req->body_len;
        r->ed = dup_or_null(http_request_header(req, GHL_WEBHOOK_ED25519_HEADER));
        r->rsa = dup_or_null(http_request_header(req, GHL_WEBHOOK_RSA_HEADER));
    }
    pthread_mutex_unlock(&r->mu);
    http_response_text(res, 200, "text/plain", "ok");
}

static bool arrived(void *ctx)
{
    receiver *r = ctx;
    pthread_mutex_lock(&r->mu);
    bool got = r->body != NULL;
    pthread_mutex_unlock(&r->mu);
    return got;
}

typedef struct wctx {
    genv *g;
    receiver r;
    ghl_hint first; /* of the delivery, unverified */
} wctx;

static int setup(void **state)
{
    wctx *w = calloc(1, sizeof *w);
    w->g = genv_start(NULL, NULL);
    pthread_mutex_init(&w->r.mu, NULL);
    http_server_options so = {.port = 0};
    err e = {0};
    assert_int_equal(http_server_new(&w->r.srv, &so, &e), 0);
    http_server_fallback(w->r.srv, on_hook, &w->r);
    assert_int_equal(http_server_start(w->r.srv, &e), 0);
    char body[256];
    snprintf(body, sizeof body, "{\"webhook_url\": \"http://127.0.0.1:%u/hooks/ghl\"}",
             http_server_port(w->r.srv));
    json_decref(genv_admin(w->g, "PUT", "/_sandbox/settings", body));
    free(genv_contact(w->g, "Hook", "hook@example.com"));
    assert_true(th_wait_until(arrived, &w->r, 10000));
    assert_int_equal(ghl_webhook_parse(&w->first, w->r.body, w->r.len, &e), 0);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    wctx *w = *state;
    genv_stop(w->g);
    http_server_free(w->r.srv);
    free(w->r.body);
    free(w->r.ed);
    free(w->r.rsa);
    pthread_mutex_destroy(&w->r.mu);
    free(w);
    return 0;
}

static ghl_webhook_verifier *verifier(wctx *w, bool ed, bool rsa, int64_t window_ms)
{
    ghl_webhook_config cfg = {
        .ed25519_key = ed ? jsonx_str(w->g->info, "webhook_public_key") : NULL,
        .rsa_key = rsa ? jsonx_str(w->g->info, "webhook_rsa_public_key") : NULL,
        .window_ms = window_ms,
    };
    ghl_webhook_verifier *v = NULL;
    err e = {0};
    if (ghl_webhook_verifier_new(&v, &cfg, &e) != 0)
        fail_msg("verifier: %s", e.msg);
    return v;
}

static void good_delivery(void **state)
{
    wctx *w = *state;
    assert_non_null(w->r.ed);
    assert_non_null(w->r.rsa);
    assert_string_equal(w->first.type, "ContactCreate");
    assert_string_equal(w->first.location_id, w->g->location);
    assert_string_equal(w->first.contact_id, w->first.id);
    assert_true(w->first.webhook_id[0] != '\0');
    assert_true(w->first.timestamp_ms > 0);
    int64_t now = w->first.timestamp_ms + 1000;

    ghl_webhook_verifier *both = verifier(w, true, true, 0);
    ghl_hint h;
    bool used_ed = false;
    err e = {0};
    assert_int_equal(
        ghl_webhook_verify(&h, &used_ed, both, w->r.ed, w->r.rsa, w->r.body, w->r.len, now, &e), 0);
    assert_true(used_ed); /* Ed25519 preferred */
    assert_string_equal(h.id, w->first.id);
    /* Legacy: only X-WH-Signature. */
    assert_int_equal(
        ghl_webhook_verify(&h, &used_ed, both, NULL, w->r.rsa, w->r.body, w->r.len, now, &e), 0);
    assert_false(used_ed);
    ghl_webhook_verifier_free(both);

    /* A verifier with the RSA key only falls back to X-WH-Signature. */
    ghl_webhook_verifier *rsa = verifier(w, false, true, 0);
    assert_false(ghl_webhook_verifier_has(rsa, true));
    assert_int_equal(
        ghl_webhook_verify(&h, &used_ed, rsa, w->r.ed, w->r.rsa, w->r.body, w->r.len, now, &e), 0);
    assert_false(used_ed);
    ghl_webhook_verifier_free(rsa);
}

static void forged_and_unsigned(void **state)
{
    wctx *w = *state;
    int64_t now = w->first.timestamp_ms;
    ghl_webhook_verifier *v = verifier(w, true, true, 0);
    ghl_hint h;
    err e = {0};
    char *forged = malloc(w->r.len);
    memcpy(forged, w->r.body, w->r.len);
    char *at = strstr(forged, "hook@example.com");
    assert_non_null(at);
    at[0] = 'H';
    assert_int_equal(ghl_webhook_verify(&h, NULL, v, w->r.ed, w->r.rsa, forged, w->r.len, now, &e),
                     ERR_AUTH);
    /* A good RSA signature does not rescue a bad Ed25519 one. */
    assert_int_equal(
        ghl_webhook_verify(&h, NULL, v, w->r.rsa, w->r.rsa, w->r.body, w->r.len, now, &e),
        ERR_AUTH);
    assert_int_equal(ghl_webhook_verify(&h, NULL, v, NULL, NULL, w->r.body, w->r.len, now, &e),
                     ERR_AUTH);
    assert_non_null(strstr(e.msg, "X-GHL-Signature"));
    free(forged);
    ghl_webhook_verifier_free(v);
}

static void stale_refused(void **state)
{
    wctx *w = *state;
    ghl_webhook_verifier *v = verifier(w, true, false, 300000);
    ghl_hint h;
    err e = {0};
    int64_t ts = w->first.timestamp_ms;
    assert_int_equal(
        ghl_webhook_verify(&h, NULL, v, w->r.ed, NULL, w->r.body, w->r.len, ts + 299000, &e), 0);
    assert_int_equal(
        ghl_webhook_verify(&h, NULL, v, w->r.ed, NULL, w->r.body, w->r.len, ts + 301000, &e),
        ERR_AUTH);
    assert_non_null(strstr(e.msg, "replay"));
    assert_int_equal(
        ghl_webhook_verify(&h, NULL, v, w->r.ed, NULL, w->r.body, w->r.len, ts - 301000, &e),
        ERR_AUTH);
    ghl_webhook_verifier_free(v);
    /* Without any key there is nothing to check with: a configuration error. */
    ghl_webhook_config none = {0};
    ghl_webhook_verifier *nv = NULL;
    if (!CRYPTO_GHL_DEFAULT_ED25519_KEY_PEM[0] && !CRYPTO_GHL_DEFAULT_RSA_KEY_PEM[0])
        assert_int_equal(ghl_webhook_verifier_new(&nv, &none, &e), ERR_CONFIG);
    ghl_webhook_verifier_free(nv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(forged_and_unsigned, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
