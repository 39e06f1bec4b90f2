/* test_pl_webhook.c: PheedLoop webhook deliveries: parsing into hints, the signature check as
 * configured (per-event secrets, encodings, hashes), the timestamp window, capture mode's log
 * lines, and the emulator's own signed deliveries to a receiver, with forged and stale ones
 * refused. */
#include "tests/support/pl_fixture.h"
#include "crypto/codec.h"
#include "util/clock.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define NOW 1798761600000LL /* 2027-01-01T00:00:00Z */
#define NOW_ISO "2027-01-01T00:00:00.000Z"

/* The signature header value for body under secret: hex, or base64 when b64. */
static void sign(char *out, size_t size, const EVP_MD *md, const char *secret, const char *body,
                 bool b64)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_non_null(HMAC(md, secret, (int)strlen(secret), (const unsigned char *)body, strlen(body),
                         mac, &len));
    if (b64) {
        buf b;
        buf_init(&b, 512);
        assert_int_equal(crypto_b64_encode(&b, mac, len), 0);
        snprintf(out, size, "%s", buf_cstr(&b));
        buf_free(&b);
        return;
    }
    for (unsigned int i = 0; i < len && 2 * i + 2 < size; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static char *delivery(const char *action, const char *event, const char *data_json, const char *ts)
{
    char *s = malloc(2048);
    snprintf(s, 2048,
             "{\"action\":\"%s\",\"event_code\":\"%s\",\"data\":%s,\"timestamp\":\"%s\","
             "\"delivery_id\":\"d-%s\"}",
             action, event, data_json, ts, action);
    return s;
}

static pl_webhook *make(const char *secret, const pl_webhook_secret *per, size_t n, const char *alg,
                        const char *enc, bool capture)
{
    pl_webhook_config c = {.algorithm = alg,
                           .encoding = enc,
                           .secret = secret,
                           .event_secrets = per,
                           .n_event_secrets = n,
                           .capture = capture};
    pl_webhook *w = NULL;
    err e = {0};
    if (pl_webhook_new(&w, &c, &e) != 0)
        fail_msg("webhook: %s", e.msg);
    return w;
}

/* ---------------------------------------------------------------- parsing */

static void parse_hints(void **state)
{
    (void)state;
    err e = {0};
    pl_webhook_hint h;
    char *b =
        delivery("attendee.updated", "EVE1", "{\"code\":\"ATT1\",\"email\":\"a@x.io\"}", NOW_ISO);
    assert_int_equal(pl_webhook_parse(&h, b, strlen(b), &e), 0);
    assert_string_equal(h.action, "attendee.updated");
    assert_string_equal(h.object, "attendee");
    assert_string_equal(h.event_code, "EVE1");
    assert_string_equal(h.record_code, "ATT1");
    assert_string_equal(h.attendee_code, "ATT1");
    assert_string_equal(h.delivery_id, "d-attendee.updated");
    assert_int_equal(h.timestamp_ms, NOW);
    free(b);

    b = delivery("registration.created", "EVE1", "{\"code\":\"REG1\",\"attendee_code\":\"ATT2\"}",
                 NOW_ISO);
    assert_int_equal(pl_webhook_parse(&h, b, strlen(b), &e), 0);
    assert_string_equal(h.record_code, "REG1");
    assert_string_equal(h.attendee_code, "ATT2");
    free(b);

    /* No delivery id: one derived from the body, equal for a redelivery of the same body. */
    const char *nid = "{\"action\":\"checkin.created\",\"event_code\":\"E\",\"data\":{\"code\":"
                      "\"ATT3\"},\"timestamp\":1798761600}";
    pl_webhook_hint h2;
    assert_int_equal(pl_webhook_parse(&h, nid, strlen(nid), &e), 0);
    assert_int_equal(pl_webhook_parse(&h2, nid, strlen(nid), &e), 0);
    assert_int_equal(strncmp(h.delivery_id, "sha256:", 7), 0);
    assert_int_equal(strlen(h.delivery_id), 7 + 64);
    assert_string_equal(h.delivery_id, h2.delivery_id);
    assert_int_equal(h.timestamp_ms, NOW); /* seconds read as such */
    assert_string_equal(h.attendee_code, "ATT3");

    static const char *const bad[] = {
        "",
        "[]",
        "{\"event_code\":\"E\"}",
        "{\"action\":\"a.b\"}",
        "{\"action\":7,\"event_code\":\"E\"}",
        "{\"action\":\"a.b\",\"event_code\":\"E\",\"data\":[]}",
        "{\"action\":\"\",\"event_code\":\"E\"}",
        "{\"action\":\"a.b\",\"event_code\":\"E\"",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++)
        assert_int_equal(pl_webhook_parse(&h, bad[i], strlen(bad[i]), &e), ERR_PARSE);
    char longcode[400];
    memset(longcode, 'A', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = '\0';
    char *lb = delivery("attendee.updated", longcode, "{}", NOW_ISO);
    assert_int_equal(pl_webhook_parse(&h, lb, strlen(lb), &e), ERR_PARSE);
    free(lb);
}

/* ---------------------------------------------------------------- verification */

static void verify_default_scheme(void **state)
{
    (void)state;
    err e = {0};
    pl_webhook *w = make("whsec-default-0001", NULL, 0, NULL, NULL, false);
    assert_string_equal(pl_webhook_header(w), "X-PheedLoop-Signature");
    char *b = delivery("attendee.updated", "EVE1", "{\"code\":\"ATT1\"}", NOW_ISO);
    char sig[200];
    sign(sig, sizeof sig, EVP_sha256(), "whsec-default-0001", b, false);
    pl_webhook_hint h;
    assert_int_equal(pl_webhook_verify(&h, w, sig, b, strlen(b), NOW + 5000, &e), 0);
    assert_string_equal(h.record_code, "ATT1");

    /* Forged: another secret, a changed body, no header, garbage. */
    char other[200];
    sign(other, sizeof other, EVP_sha256(), "not-the-secret", b, false);
    assert_int_equal(pl_webhook_verify(&h, w, other, b, strlen(b), NOW, &e), ERR_AUTH);
    b[strlen(b) - 3] = 'X';
    assert_int_equal(pl_webhook_verify(&h, w, sig, b, strlen(b), NOW, &e), ERR_AUTH);
    assert_int_equal(pl_webhook_verify(&h, w, NULL, b, strlen(b), NOW, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "X-PheedLoop-Signature"));
    assert_int_equal(pl_webhook_verify(&h, w, "zz", b, strlen(b), NOW, &e), ERR_AUTH);
    free(b);

    /* Stale and future stamps, correctly signed, fall outside the window. */
    static const char *const stamps[] = {"2026-12-31T22:59:00Z", "2027-01-01T01:01:00Z"};
    for (size_t i = 0; i < PS_ARRAY_LEN(stamps); i++) {
        b = delivery("attendee.updated", "EVE1", "{}", stamps[i]);
        sign(sig, sizeof sig, EVP_sha256(), "whsec-default-0001", b, false);
        assert_int_equal(pl_webhook_verify(&h, w, sig, b, strlen(b), NOW, &e), ERR_AUTH);
        assert_non_null(strstr(e.msg, "window"));
        free(b);
    }
    /* A signed body that is not a delivery is a 400, not a 401. */
    const char *odd = "{\"hello\": 1}";
    sign(sig, sizeof sig, EVP_sha256(), "whsec-default-0001", odd, false);
    assert_int_equal(pl_webhook_verify(&h, w, sig, odd, strlen(odd), NOW, &e), ERR_PARSE);
    pl_webhook_free(w);
}

static void verify_per_event_and_other_schemes(void **state)
{
    (void)state;
    err e = {0};
    pl_webhook_secret per[] = {{"EVE1", "secret-one-111"}, {"EVE2", "secret-two-222"}};
    pl_webhook *w = make(NULL, per, 2, "sha512", "base64", false);
    char sig[200];
    pl_webhook_hint h;
    char *b1 = delivery("attendee.created", "EVE1", "{\"code\":\"A\"}", NOW_ISO);
    sign(sig, sizeof sig, EVP_sha512(), "secret-one-111", b1, true);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b1, strlen(b1), NOW, &e), 0);
    /* EVE2's secret does not sign EVE1's deliveries. */
    sign(sig, sizeof sig, EVP_sha512(), "secret-two-222", b1, true);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b1, strlen(b1), NOW, &e), ERR_AUTH);
    /* Hex where base64 is configured. */
    sign(sig, sizeof sig, EVP_sha512(), "secret-one-111", b1, false);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b1, strlen(b1), NOW, &e), ERR_AUTH);
    free(b1);
    char *b3 = delivery("attendee.created", "EVE3", "{}", NOW_ISO);
    sign(sig, sizeof sig, EVP_sha512(), "secret-one-111", b3, true);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b3, strlen(b3), NOW, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "no webhook secret configured for event EVE3"));
    free(b3);
    pl_webhook_free(w);

    pl_webhook_config bad = {.algorithm = "ed25519", .secret = "x"};
    assert_int_equal(pl_webhook_new(&w, &bad, &e), ERR_CONFIG);
    bad = (pl_webhook_config){.encoding = "base32", .secret = "x"};
    assert_int_equal(pl_webhook_new(&w, &bad, &e), ERR_CONFIG);
    bad = (pl_webhook_config){.secret = ""};
    assert_int_equal(pl_webhook_new(&w, &bad, &e), ERR_CONFIG);

    /* Without any secret every delivery is refused (capture can still show what came). */
    w = make(NULL, NULL, 0, NULL, NULL, true);
    b1 = delivery("attendee.created", "EVE1", "{}", NOW_ISO);
    assert_int_equal(pl_webhook_verify(&h, w, "00", b1, strlen(b1), NOW, &e), ERR_AUTH);
    free(b1);
    pl_webhook_free(w);
}

static pl_webhook *from_config(const char *text)
{
    config *cfg = NULL;
    err e = {0};
    if (config_load_string(&cfg, text, strlen(text), "test.conf", NULL, &e) != 0)
        fail_msg("config: %s", e.msg);
    pl_webhook *w = NULL;
    if (pl_webhook_from_config(&w, cfg, &e) != 0)
        fail_msg("webhook from config: %s", e.msg);
    config_free(cfg);
    return w;
}

static void configuration_forms(void **state)
{
    (void)state;
    err e = {0};
    char sig[200];
    pl_webhook_hint h;
    char *b1 = delivery("attendee.updated", "EVE1", "{}", NOW_ISO);
    char *b2 = delivery("attendee.updated", "EVE2", "{}", NOW_ISO);
    /* Per-event secrets, read as such because both names are configured events. */
    pl_webhook *w = from_config("[pheedloop]\nevents = EVE1, EVE2\n"
                                "webhook_secret = EVE1=first-secret, EVE2=second=secret\n");
    sign(sig, sizeof sig, EVP_sha256(), "first-secret", b1, false);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b1, strlen(b1), NOW, &e), 0);
    sign(sig, sizeof sig, EVP_sha256(), "second=secret", b2, false);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b2, strlen(b2), NOW, &e), 0);
    pl_webhook_free(w);
    /* One secret holding '=' and ',' whose first part is not an event: one secret. */
    w = from_config("[pheedloop]\nevents = EVE1\nwebhook_secret = abc=def,EVE1=x\n"
                    "webhook_header = X-Sig\nwebhook_encoding = base64\n"
                    "webhook_algorithm = sha1\nwebhook_capture = yes\n");
    assert_string_equal(pl_webhook_header(w), "X-Sig");
    assert_true(pl_webhook_capturing(w));
    sign(sig, sizeof sig, EVP_sha1(), "abc=def,EVE1=x", b2, true);
    assert_int_equal(pl_webhook_verify(&h, w, sig, b2, strlen(b2), NOW, &e), 0);
    pl_webhook_free(w);
    free(b1);
    free(b2);
}

/* ---------------------------------------------------------------- capture */

static char *read_all(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = calloc(1, (size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

static void capture_logs_raw_deliveries(void **state)
{
    (void)state;
    FILE *logf = tmpfile();
    log_setup(LOG_INFO, LOG_JSON, logf);
    pl_webhook *w = make("capture-secret-9876", NULL, 0, NULL, NULL, true);
    const char *body = "{\"action\":\"attendee.updated\",\"event_code\":\"E\",\"note\":"
                       "\"capture-secret-9876\"}";
    pl_webhook_header_kv hs[] = {{"Content-Type", "application/json"},
                                 {"X-PheedLoop-Signature", "abcdef"},
                                 {"X-API-KEY", "leaky-key-value"},
                                 {"Authorization", "Bearer t0k3n-value"}};
    pl_webhook_capture(w, "POST", "/webhooks/pheedloop", hs, PS_ARRAY_LEN(hs), body, strlen(body),
                       ERR_AUTH, "signature does not match");
    const unsigned char bin[] = {0xff, 0x00, 0x01};
    pl_webhook_capture(w, "POST", "/webhooks/pheedloop", NULL, 0, bin, sizeof bin, 0, NULL);
    pl_webhook_free(w);
    w = make("capture-secret-9876", NULL, 0, NULL, NULL, false);
    pl_webhook_capture(w, "POST", "/quiet", NULL, 0, "{}", 2, 0, NULL); /* capture off */
    pl_webhook_free(w);
    log_setup(LOG_INFO, LOG_JSON, stderr);

    char *text = read_all(logf);
    fclose(logf);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    *nl = '\0';
    json_t *line = NULL;
    assert_int_equal(jsonx_parse(&line, text, strlen(text), "log", NULL), 0);
    assert_string_equal(jsonx_str(line, "msg"), "pheedloop webhook captured");
    assert_string_equal(jsonx_str(line, "level"), "info");
    json_t *h = json_object_get(line, "headers");
    assert_string_equal(jsonx_str(h, "X-PheedLoop-Signature"), "abcdef");
    assert_string_equal(jsonx_str(h, "Content-Type"), "application/json");
    assert_string_equal(jsonx_str(line, "verified"), "refused");
    assert_string_equal(jsonx_str(line, "refusal"), "signature does not match");
    assert_true(jsonx_bool(line, "signature_present", false));
    assert_non_null(strstr(jsonx_str(line, "body"), "attendee.updated"));
    json_decref(line);
    /* Nothing secret anywhere: the key, the bearer token and the webhook secret. */
    *nl = '\n';
    assert_null(strstr(text, "leaky-key-value"));
    assert_null(strstr(text, "t0k3n-value"));
    assert_null(strstr(text, "capture-secret-9876"));
    /* The binary body went out as base64; the quiet one not at all. */
    assert_non_null(strstr(text, "\"body_base64\":\"/wAB\""));
    assert_null(strstr(text, "/quiet"));
    free(text);
    log_clear_secrets();
}

/* ---------------------------------------------------------------- the emulator's deliveries */

static th_response *post_hook(pl_fx *fx, const char *body, const char *sig)
{
    char hdr[300];
    snprintf(hdr, sizeof hdr, "X-PheedLoop-Signature: %s", sig);
    const char *headers[] = {"Content-Type: application/json", hdr, NULL};
    return th_request("POST", fx->hook_url, headers, body, 0);
}

static void emulator_deliveries_verify_and_forgeries_do_not(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    fx->wh = make(fx->event_secret, NULL, 0, NULL, NULL, false);
    pl_hook hook;
    assert_int_equal(
        pl_client_subscribe_hook(&hook, fx->client, PLFX_EVENT, "*", fx->hook_url, NULL, &e), 0);
    pl_hook_free(&hook);
    json_t *f = plfx_person("Hook", "Person", "hook@example.com");
    pl_attendee a;
    assert_int_equal(pl_client_create_attendee(&a, fx->client, PLFX_EVENT, f, NULL, &e), 0);
    json_decref(f);
    assert_true(plfx_wait_received(fx, 2));
    bool saw_att = false, saw_reg = false;
    for (size_t i = 0; i < 2; i++) {
        json_t *d = plfx_delivery(fx, i);
        assert_int_equal(jsonx_int(d, "status", 0), 200);
        saw_att |= strcmp(jsonx_str(d, "action"), "attendee.created") == 0;
        saw_reg |= strcmp(jsonx_str(d, "action"), "registration.created") == 0;
        json_decref(d);
    }
    assert_true(saw_att && saw_reg);

    /* Replays of a real body with changes, or with another signature, are refused. */
    json_t *d0 = plfx_delivery(fx, 0);
    const char *body = jsonx_str(d0, "body");
    const char *sig = jsonx_str(d0, "signature");
    char *changed = strdup(body);
    char *at = strstr(changed, "hook@");
    assert_non_null(at);
    at[0] = 'H';
    th_response *r = post_hook(fx, changed, sig);
    assert_int_equal(r->status, 401);
    th_response_free(r);
    char forged[200];
    sign(forged, sizeof forged, EVP_sha256(), "guessed-secret", body, false);
    r = post_hook(fx, body, forged);
    assert_int_equal(r->status, 401);
    th_response_free(r);
    /* The genuine one again is accepted by the check (deduping is the store's job). */
    r = post_hook(fx, body, sig);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    free(changed);
    json_decref(d0);

    /* A correctly signed delivery stamped two hours ago is stale. */
    char ts[CLOCK_ISO_LEN];
    clock_format_iso(clock_now_ms(clock_system()) - 2 * 3600 * 1000, ts);
    char *old = delivery("attendee.updated", PLFX_EVENT, "{\"code\":\"ATTX\"}", ts);
    char good[200];
    sign(good, sizeof good, EVP_sha256(), fx->event_secret, old, false);
    r = post_hook(fx, old, good);
    assert_int_equal(r->status, 401);
    th_response_free(r);
    free(old);
    pl_attendee_free(&a);
}

/* Capture through a real request: every header the server received is logged. */
static void capture_through_the_receiver(void **state)
{
    pl_fx *fx = *state;
    FILE *logf = tmpfile();
    log_setup(LOG_INFO, LOG_JSON, logf);
    fx->wh = make(fx->event_secret, NULL, 0, NULL, NULL, true);
    char ts[CLOCK_ISO_LEN];
    clock_format_iso(clock_now_ms(clock_system()), ts);
    char *b = delivery("attendee.updated", PLFX_EVENT, "{\"code\":\"ATTC\"}", ts);
    char sig[200];
    sign(sig, sizeof sig, EVP_sha256(), fx->event_secret, b, false);
    th_response *r = post_hook(fx, b, sig);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    r = post_hook(fx, b, "0000");
    assert_int_equal(r->status, 401);
    th_response_free(r);
    log_setup(LOG_INFO, LOG_JSON, stderr);
    char *text = read_all(logf);
    fclose(logf);
    json_t *lines[2] = {NULL, NULL};
    char *p = text;
    for (int i = 0; i < 2; i++) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_int_equal(jsonx_parse(&lines[i], p, (size_t)(nl - p), "log", NULL), 0);
        p = nl + 1;
    }
    json_t *h = json_object_get(lines[0], "headers");
    assert_string_equal(jsonx_str(h, "X-PheedLoop-Signature"), sig);
    assert_non_null(jsonx_str(h, "Host"));
    assert_string_equal(jsonx_str(lines[0], "body"), b);
    assert_string_equal(jsonx_str(lines[0], "path"), "/hook");
    assert_string_equal(jsonx_str(lines[0], "verified"), "ok");
    assert_string_equal(jsonx_str(lines[1], "verified"), "refused");
    assert_null(strstr(text, fx->event_secret));
    json_decref(lines[0]);
    json_decref(lines[1]);
    free(text);
    free(b);
    log_clear_secrets();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, plfx_client_setup, plfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_hints),
        cmocka_unit_test(verify_default_scheme),
        cmocka_unit_test(verify_per_event_and_other_schemes),
        cmocka_unit_test(configuration_forms),
        cmocka_unit_test(capture_logs_raw_deliveries),
        T(emulator_deliveries_verify_and_forgeries_do_not),
        T(capture_through_the_receiver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
